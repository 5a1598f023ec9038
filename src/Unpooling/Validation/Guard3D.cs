using System.Numerics;

namespace Unpooling.Internal;

/// <summary>The 3-D operators' shape and index-type checks (the 3-D forms of <see cref="Guard"/>'s).</summary>
internal static class Guard3D
{
    /// <summary>
    /// Rejects an index type whose largest value is below the convention's largest index for <paramref name="indexed"/>
    /// (InWindow: <c>kD*kH*kW - 1</c>); a check on shapes only, before anything is read or written.
    /// </summary>
    public static void PoolingIndexSpace<TIndex>(IndexConvention convention, Shape5D indexed, in Pool3DGeometry geometry, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        Int128 largest = convention == IndexConvention.InWindow
            ? (Int128)geometry.KernelSize.Depth * geometry.KernelSize.Height * geometry.KernelSize.Width - 1
            : IndexLayout3D.SpaceOf(convention, indexed) - 1;
        if (largest > Guard.MaxOf<TIndex>())
        {
            string what = convention == IndexConvention.InWindow
                ? $"the indices of a {geometry.KernelSize} kernel are taps 0 to kD*kH*kW - 1 = {largest}"
                : $"the indices of {indexed} range up to {largest}";
            string wider = largest <= byte.MaxValue ? "byte" : largest <= ushort.MaxValue ? "ushort" : largest <= int.MaxValue ? "int" : "long";
            ThrowHelper.ThrowArgument(
                paramName,
                $"In convention {convention} {what}, beyond {typeof(TIndex).Name}.MaxValue = {Guard.MaxOf<TIndex>()}; use a wider index type for {paramName}, such as {wider}.");
        }
    }
}
