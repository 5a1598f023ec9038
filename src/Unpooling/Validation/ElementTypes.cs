using System.Diagnostics.CodeAnalysis;

namespace Unpooling.Internal;

/// <summary>
/// The element types the convolutions run: <see cref="float"/> and <see cref="double"/> in their own arithmetic, and
/// <see cref="Half"/> stored 16-bit and accumulated in <see cref="float"/>. Their public methods are generic over every
/// <see cref="System.Numerics.IFloatingPointIeee754{TSelf}"/>; any other element type (such as
/// <see cref="System.Runtime.InteropServices.NFloat"/>) is refused here, before anything is read or written, with a
/// <see cref="NotSupportedException"/> that names it. Pooling and unpooling refuse no admitted type: types other than
/// float and double run their scalar paths. Index types are not refused: every
/// <see cref="System.Numerics.IBinaryInteger{TSelf}"/> runs (see <see cref="IndexValue"/>), once
/// <see cref="Guard.IndexSpace{TIndex}"/> has checked that the index space fits it.
/// </summary>
internal static class ElementTypes
{
    /// <summary>Refuses an element type other than <see cref="float"/>, <see cref="double"/> and <see cref="Half"/>.</summary>
    public static void RequireConvolutionElement<T>(string operatorName)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(Half))
        {
            ThrowElement(typeof(T), operatorName);
        }
    }

    [DoesNotReturn]
    private static void ThrowElement(Type type, string operatorName)
        => throw new NotSupportedException($"{operatorName} does not support element type {type.Name}; it runs Single (float), Double and Half (accumulated in float).");
}
