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
    /// <summary>The span forms; a <paramref name="convention"/> selects the overloads that take one.</summary>
    public static void MaxPool2D<T, TIndex>(
        ReadOnlySpan<T> source, Shape4D shape, Pool2DGeometry geometry, Span<T> destination, Span<TIndex> indices, int maxDegreeOfParallelism = -1,
        IndexConvention? convention = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool single = typeof(T) == typeof(float);
        if (typeof(TIndex) == typeof(int))
        {
            Span<int> i = MemoryMarshal.Cast<TIndex, int>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxPool2D(F(source), shape, geometry, F(destination), i, maxDegreeOfParallelism);
                else Functional.MaxPool2D(D(source), shape, geometry, D(destination), i, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxPool2D(F(source), shape, geometry, F(destination), i, c, maxDegreeOfParallelism);
            else Functional.MaxPool2D(D(source), shape, geometry, D(destination), i, c, maxDegreeOfParallelism);
        }
        else
        {
            Span<long> i = MemoryMarshal.Cast<TIndex, long>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxPool2D(F(source), shape, geometry, F(destination), i, maxDegreeOfParallelism);
                else Functional.MaxPool2D(D(source), shape, geometry, D(destination), i, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxPool2D(F(source), shape, geometry, F(destination), i, c, maxDegreeOfParallelism);
            else Functional.MaxPool2D(D(source), shape, geometry, D(destination), i, c, maxDegreeOfParallelism);
        }
    }

    /// <summary>The tensor forms; a <paramref name="convention"/> selects the overloads that take one.</summary>
    public static void MaxPool2D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool2DGeometry geometry, in TensorSpan<T> destination, in TensorSpan<TIndex> indices, int maxDegreeOfParallelism = -1,
        IndexConvention? convention = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool single = typeof(T) == typeof(float);
        if (typeof(TIndex) == typeof(int))
        {
            ref readonly TensorSpan<int> i = ref As<TensorSpan<TIndex>, TensorSpan<int>>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxPool2D(F(source), geometry, F(destination), i, maxDegreeOfParallelism);
                else Functional.MaxPool2D(D(source), geometry, D(destination), i, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxPool2D(F(source), geometry, F(destination), i, c, maxDegreeOfParallelism);
            else Functional.MaxPool2D(D(source), geometry, D(destination), i, c, maxDegreeOfParallelism);
        }
        else
        {
            ref readonly TensorSpan<long> i = ref As<TensorSpan<TIndex>, TensorSpan<long>>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxPool2D(F(source), geometry, F(destination), i, maxDegreeOfParallelism);
                else Functional.MaxPool2D(D(source), geometry, D(destination), i, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxPool2D(F(source), geometry, F(destination), i, c, maxDegreeOfParallelism);
            else Functional.MaxPool2D(D(source), geometry, D(destination), i, c, maxDegreeOfParallelism);
        }
    }

    /// <summary>The allocating forms; a <paramref name="convention"/> selects the overloads that take one.</summary>
    public static (Tensor<T> Values, Tensor<long> Indices) MaxPool2D<T>(Tensor<T> source, Pool2DGeometry geometry, IndexConvention? convention = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var s = (Tensor<float>)(object)source;
            (Tensor<float> values, Tensor<long> indices) = convention is { } c ? Functional.MaxPool2D(s, geometry, c) : Functional.MaxPool2D(s, geometry);
            return ((Tensor<T>)(object)values, indices);
        }
        else
        {
            var s = (Tensor<double>)(object)source;
            (Tensor<double> values, Tensor<long> indices) = convention is { } c ? Functional.MaxPool2D(s, geometry, c) : Functional.MaxPool2D(s, geometry);
            return ((Tensor<T>)(object)values, indices);
        }
    }

    /// <summary>Views a generic tensor span as its concrete type (the caller has checked they are the same type).</summary>
    private static ref readonly TTo As<TFrom, TTo>(in TFrom value)
        where TFrom : allows ref struct
        where TTo : allows ref struct
        => ref Unsafe.As<TFrom, TTo>(ref Unsafe.AsRef(in value));
}
