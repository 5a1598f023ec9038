using System.Numerics;
using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>Argument checks shared by the operators; each throws naming the argument the caller must fix.</summary>
internal static class Guard
{
    /// <summary>
    /// Rejects a length other than <paramref name="expected"/>. The message (<c>"{what} {shape}"</c>) is built only on
    /// failure: an interpolated argument would be formatted on every call, which is garbage on the hot path.
    /// </summary>
    public static void Length(int actual, long expected, string paramName, string what, Shape4D shape)
    {
        if (actual != expected)
        {
            ThrowHelper.ThrowLengthMismatch(paramName, actual, expected, $"{what} {shape}");
        }
    }

    /// <summary>Rejects <paramref name="written"/> sharing any byte with <paramref name="other"/>.</summary>
    public static void NoOverlap<TWritten, TOther>(ReadOnlySpan<TWritten> written, ReadOnlySpan<TOther> other, string writtenName, string otherName)
        where TWritten : struct
        where TOther : struct
    {
        if (MemoryMarshal.AsBytes(written).Overlaps(MemoryMarshal.AsBytes(other)))
        {
            ThrowHelper.ThrowOverlap(writtenName, otherName);
        }
    }

    /// <summary>Rejects a pair with a size below <paramref name="minimum"/>.</summary>
    public static void AtLeast(Size2D value, int minimum, string paramName)
    {
        if (value.Height < minimum || value.Width < minimum)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"Each of {paramName}'s sizes must be >= {minimum}; got {value}.");
        }
    }

    /// <summary>Rejects an <see cref="IndexConvention"/> value that names no convention.</summary>
    public static void Convention(IndexConvention convention, string paramName)
    {
        if (!IndexLayout.IsDefined(convention))
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                paramName,
                convention,
                $"Index convention {convention} is not defined; use PerPlane, GlobalRowMajor, GlobalColumnMajor, ChannelsLastPerSample, ChannelsLastWithBatch or InWindow.");
        }
    }

    /// <summary>
    /// Rejects an index type whose <c>MaxValue</c> is below the largest index of <paramref name="indexed"/> in
    /// <paramref name="convention"/> (SEMANTICS.md 1: an error, never a silent wrap). A check on the shape only, so it
    /// runs before anything is read or written; after it every index of the space converts to
    /// <typeparamref name="TIndex"/> exactly.
    /// </summary>
    public static void IndexSpace<TIndex>(IndexConvention convention, Shape4D indexed, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        System.Diagnostics.Debug.Assert(convention != IndexConvention.InWindow, "InWindow's index space is the window's: pass the geometry");
        Int128 largest = IndexLayout.SpaceOf(convention, indexed) - 1;
        if (largest > MaxOf<TIndex>())
        {
            ThrowIndexSpace<TIndex>(convention, indexed, largest, paramName);
        }
    }

    /// <summary>
    /// <see cref="IndexSpace{TIndex}(IndexConvention, Shape4D, string)"/> for an operator that knows the pooling
    /// geometry: an <see cref="IndexConvention.InWindow"/> index is a tap in <c>[0, kH*kW)</c>, whatever the sizes.
    /// </summary>
    public static void PoolingIndexSpace<TIndex>(IndexConvention convention, Shape4D indexed, in Pool2DGeometry geometry, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        if (convention != IndexConvention.InWindow)
        {
            IndexSpace<TIndex>(convention, indexed, paramName);
            return;
        }

        Int128 largest = ((Int128)geometry.KernelSize.Height * geometry.KernelSize.Width) - 1;
        if (largest > MaxOf<TIndex>())
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"In convention InWindow the indices of a {geometry.KernelSize} kernel are taps 0 to kH*kW - 1 = {largest}, beyond {typeof(TIndex).Name}.MaxValue = {MaxOf<TIndex>()}; " +
                $"use a wider index type for {paramName}, such as {WiderType(largest)}.");
        }
    }

    /// <summary>
    /// The largest value of <typeparamref name="TIndex"/>, capped at <see cref="Int128.MaxValue"/> (which no index space
    /// reaches). Saturating the largest <see cref="UInt128"/> gives it without an <c>IMinMaxValue</c> constraint.
    /// </summary>
    public static Int128 MaxOf<TIndex>()
        where TIndex : IBinaryInteger<TIndex>
        => Int128.CreateSaturating(TIndex.CreateSaturating(UInt128.MaxValue));

    private static void ThrowIndexSpace<TIndex>(IndexConvention convention, Shape4D indexed, Int128 largest, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        ThrowHelper.ThrowArgument(
            paramName,
            $"In convention {convention} the indices of {indexed} range up to {largest}, beyond {typeof(TIndex).Name}.MaxValue = {MaxOf<TIndex>()}; use a wider index type for {paramName}, such as {WiderType(largest)}.");
    }

    private static string WiderType(Int128 largest)
        => largest <= byte.MaxValue ? "byte" : largest <= ushort.MaxValue ? "ushort" : largest <= int.MaxValue ? "int" : "long";

    /// <summary>Rejects <paramref name="written"/> sharing memory with <paramref name="other"/> unless it is exactly the same span (in place).</summary>
    public static void NoPartialOverlap<T>(ReadOnlySpan<T> written, ReadOnlySpan<T> other, string writtenName, string otherName)
    {
        if (written.Overlaps(other, out int offset) && (offset != 0 || written.Length != other.Length))
        {
            ThrowHelper.ThrowArgument(
                writtenName,
                $"'{writtenName}' partly overlaps '{otherName}'; pass the same span to convert in place, or non-overlapping buffers.");
        }
    }
}
