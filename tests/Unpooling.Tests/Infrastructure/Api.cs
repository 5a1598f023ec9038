using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// Generic bridges to the public overloads, which are concrete per element and index type: a test written once over
/// <c>T</c> and <c>TIndex</c> reaches the real public method for float/double and int/long.
/// </summary>
internal static partial class Api
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

    public static void MaxPool2D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool2DGeometry geometry, in TensorSpan<T> destination, in TensorSpan<TIndex> indices, int maxDegreeOfParallelism = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(T) == typeof(float))
        {
            ref readonly ReadOnlyTensorSpan<float> s = ref As<ReadOnlyTensorSpan<T>, ReadOnlyTensorSpan<float>>(source);
            ref readonly TensorSpan<float> d = ref As<TensorSpan<T>, TensorSpan<float>>(destination);
            if (typeof(TIndex) == typeof(int))
            {
                Functional.MaxPool2D(s, geometry, d, As<TensorSpan<TIndex>, TensorSpan<int>>(indices), maxDegreeOfParallelism);
            }
            else
            {
                Functional.MaxPool2D(s, geometry, d, As<TensorSpan<TIndex>, TensorSpan<long>>(indices), maxDegreeOfParallelism);
            }
        }
        else
        {
            ref readonly ReadOnlyTensorSpan<double> s = ref As<ReadOnlyTensorSpan<T>, ReadOnlyTensorSpan<double>>(source);
            ref readonly TensorSpan<double> d = ref As<TensorSpan<T>, TensorSpan<double>>(destination);
            if (typeof(TIndex) == typeof(int))
            {
                Functional.MaxPool2D(s, geometry, d, As<TensorSpan<TIndex>, TensorSpan<int>>(indices), maxDegreeOfParallelism);
            }
            else
            {
                Functional.MaxPool2D(s, geometry, d, As<TensorSpan<TIndex>, TensorSpan<long>>(indices), maxDegreeOfParallelism);
            }
        }
    }

    public static (Tensor<T> Values, Tensor<long> Indices) MaxPool2D<T>(Tensor<T> source, Pool2DGeometry geometry)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            (Tensor<float> values, Tensor<long> indices) = Functional.MaxPool2D((Tensor<float>)(object)source, geometry);
            return ((Tensor<T>)(object)values, indices);
        }
        else
        {
            (Tensor<double> values, Tensor<long> indices) = Functional.MaxPool2D((Tensor<double>)(object)source, geometry);
            return ((Tensor<T>)(object)values, indices);
        }
    }

    /// <summary>Views a generic tensor span as its concrete type (the caller has checked they are the same type).</summary>
    private static ref readonly TTo As<TFrom, TTo>(in TFrom value)
        where TFrom : allows ref struct
        where TTo : allows ref struct
        => ref Unsafe.As<TFrom, TTo>(ref Unsafe.AsRef(in value));
}
