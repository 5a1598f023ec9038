using System.Diagnostics.CodeAnalysis;

namespace Unpooling.Internal;

/// <summary>
/// The element and index types the kernels run today. The public methods are generic over every type their family's
/// constraint admits; until the kernels cover more, any other type is refused here, before anything is read or
/// written, with a <see cref="NotSupportedException"/> that names it. This is also the one place that makes the
/// kernels' "int, else long" index handling safe: no other index width reaches them.
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

    /// <summary>Refuses an index type other than <see cref="int"/> and <see cref="long"/>.</summary>
    public static void RequireInt32OrInt64<TIndex>(string operatorName)
    {
        if (typeof(TIndex) != typeof(int) && typeof(TIndex) != typeof(long))
        {
            ThrowIndex(typeof(TIndex), operatorName);
        }
    }

    [DoesNotReturn]
    private static void ThrowElement(Type type, string operatorName)
        => throw new NotSupportedException($"{operatorName} does not support element type {type.Name} yet; it runs Single (float) and Double.");

    [DoesNotReturn]
    private static void ThrowIndex(Type type, string operatorName)
        => throw new NotSupportedException($"{operatorName} does not support index type {type.Name} yet; it runs Int32 (int) and Int64 (long) indices.");
}
