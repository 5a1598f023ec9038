using System.Numerics;
using System.Runtime.InteropServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// Generic bridges to the public overloads, which are concrete per element and index type: a test written once over
/// <c>T</c> and <c>TIndex</c> reaches the real public method for float/double and int/long.
/// </summary>
internal static class Api
{
    public static void MaxPool2D<T, TIndex>(
        ReadOnlySpan<T> source, Shape4D shape, Pool2DGeometry geometry, Span<T> destination, Span<TIndex> indices, int maxDegreeOfParallelism = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(T) == typeof(float))
        {
            ReadOnlySpan<float> s = MemoryMarshal.Cast<T, float>(source);
            Span<float> d = MemoryMarshal.Cast<T, float>(destination);
            if (typeof(TIndex) == typeof(int))
            {
                Functional.MaxPool2D(s, shape, geometry, d, MemoryMarshal.Cast<TIndex, int>(indices), maxDegreeOfParallelism);
            }
            else
            {
                Functional.MaxPool2D(s, shape, geometry, d, MemoryMarshal.Cast<TIndex, long>(indices), maxDegreeOfParallelism);
            }
        }
        else
        {
            ReadOnlySpan<double> s = MemoryMarshal.Cast<T, double>(source);
            Span<double> d = MemoryMarshal.Cast<T, double>(destination);
            if (typeof(TIndex) == typeof(int))
            {
                Functional.MaxPool2D(s, shape, geometry, d, MemoryMarshal.Cast<TIndex, int>(indices), maxDegreeOfParallelism);
            }
            else
            {
                Functional.MaxPool2D(s, shape, geometry, d, MemoryMarshal.Cast<TIndex, long>(indices), maxDegreeOfParallelism);
            }
        }
    }
}
