using System.Diagnostics.CodeAnalysis;

namespace Unpooling.Internal;

/// <summary>
/// The element types the convolutions run today. Their public methods are generic over every
/// <see cref="System.Numerics.IFloatingPointIeee754{TSelf}"/>; until the GEMM covers more (Half with float
/// accumulation), any other element type is refused here, before anything is read or written, with a
/// <see cref="NotSupportedException"/> that names it. Pooling and unpooling no longer refuse any admitted type: types
/// other than float and double run their scalar paths. Index types are not refused: every
/// <see cref="System.Numerics.IBinaryInteger{TSelf}"/> runs (see <see cref="IndexValue"/>), once
/// <see cref="Guard.IndexSpace{TIndex}"/> has checked that the index space fits it.
/// </summary>
internal static class ElementTypes
{
    /// <summary>Refuses an element type other than <see cref="float"/> and <see cref="double"/>.</summary>
    public static void RequireFloatOrDouble<T>(string operatorName)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            ThrowElement(typeof(T), operatorName);
        }
    }

    [DoesNotReturn]
    private static void ThrowElement(Type type, string operatorName)
        => throw new NotSupportedException($"{operatorName} does not support element type {type.Name} yet; it runs Single (float) and Double.");
}
