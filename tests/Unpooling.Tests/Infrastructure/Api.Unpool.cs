using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>Generic bridges to the unpooling overloads (see <see cref="Api"/>).</summary>
internal static partial class Api
{
    /// <summary>The span forms; a <paramref name="convention"/> selects the overloads that take one.</summary>
    public static void MaxUnpool2D<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape4D shape, Pool2DGeometry geometry, Span<T> destination,
        Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1, IndexConvention? convention = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool single = typeof(T) == typeof(float);
        if (typeof(TIndex) == typeof(int))
        {
            ReadOnlySpan<int> i = MemoryMarshal.Cast<TIndex, int>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxUnpool2D(F(source), i, shape, geometry, F(destination), outputSize, reduction, maxDegreeOfParallelism);
                else Functional.MaxUnpool2D(D(source), i, shape, geometry, D(destination), outputSize, reduction, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxUnpool2D(F(source), i, shape, geometry, F(destination), c, outputSize, reduction, maxDegreeOfParallelism);
            else Functional.MaxUnpool2D(D(source), i, shape, geometry, D(destination), c, outputSize, reduction, maxDegreeOfParallelism);
        }
        else
        {
            ReadOnlySpan<long> i = MemoryMarshal.Cast<TIndex, long>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxUnpool2D(F(source), i, shape, geometry, F(destination), outputSize, reduction, maxDegreeOfParallelism);
                else Functional.MaxUnpool2D(D(source), i, shape, geometry, D(destination), outputSize, reduction, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxUnpool2D(F(source), i, shape, geometry, F(destination), c, outputSize, reduction, maxDegreeOfParallelism);
            else Functional.MaxUnpool2D(D(source), i, shape, geometry, D(destination), c, outputSize, reduction, maxDegreeOfParallelism);
        }
    }

    /// <summary>The tensor forms; a <paramref name="convention"/> selects the overloads that take one.</summary>
    public static void MaxUnpool2D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool2DGeometry geometry, in TensorSpan<T> destination,
        UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1, IndexConvention? convention = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool single = typeof(T) == typeof(float);
        if (typeof(TIndex) == typeof(int))
        {
            ref readonly ReadOnlyTensorSpan<int> i = ref As<ReadOnlyTensorSpan<TIndex>, ReadOnlyTensorSpan<int>>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxUnpool2D(F(source), i, geometry, F(destination), reduction, maxDegreeOfParallelism);
                else Functional.MaxUnpool2D(D(source), i, geometry, D(destination), reduction, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxUnpool2D(F(source), i, geometry, F(destination), c, reduction, maxDegreeOfParallelism);
            else Functional.MaxUnpool2D(D(source), i, geometry, D(destination), c, reduction, maxDegreeOfParallelism);
        }
        else
        {
            ref readonly ReadOnlyTensorSpan<long> i = ref As<ReadOnlyTensorSpan<TIndex>, ReadOnlyTensorSpan<long>>(indices);
            if (convention is not { } c)
            {
                if (single) Functional.MaxUnpool2D(F(source), i, geometry, F(destination), reduction, maxDegreeOfParallelism);
                else Functional.MaxUnpool2D(D(source), i, geometry, D(destination), reduction, maxDegreeOfParallelism);
            }
            else if (single) Functional.MaxUnpool2D(F(source), i, geometry, F(destination), c, reduction, maxDegreeOfParallelism);
            else Functional.MaxUnpool2D(D(source), i, geometry, D(destination), c, reduction, maxDegreeOfParallelism);
        }
    }

    /// <summary>The allocating forms; a <paramref name="convention"/> selects the overloads that take one.</summary>
    public static Tensor<T> MaxUnpool2D<T>(Tensor<T> source, Tensor<long> indices, Pool2DGeometry geometry, Size2D? outputSize = null, IndexConvention? convention = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var s = (Tensor<float>)(object)source;
            return (Tensor<T>)(object)(convention is { } c ? Functional.MaxUnpool2D(s, indices, geometry, c, outputSize) : Functional.MaxUnpool2D(s, indices, geometry, outputSize));
        }
        else
        {
            var s = (Tensor<double>)(object)source;
            return (Tensor<T>)(object)(convention is { } c ? Functional.MaxUnpool2D(s, indices, geometry, c, outputSize) : Functional.MaxUnpool2D(s, indices, geometry, outputSize));
        }
    }

    public static void FixedUnpool2D<T>(
        ReadOnlySpan<T> source, Shape4D shape, Size2D factor, Span<T> destination, Size2D offset = default, Size2D? outputSize = null, int maxDegreeOfParallelism = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Functional.FixedUnpool2D(F(source), shape, factor, F(destination), offset, outputSize, maxDegreeOfParallelism);
        }
        else
        {
            Functional.FixedUnpool2D(D(source), shape, factor, D(destination), offset, outputSize, maxDegreeOfParallelism);
        }
    }

    public static void RepeatUnpool2D<T>(
        ReadOnlySpan<T> source, Shape4D shape, Size2D factor, Span<T> destination, Size2D? outputSize = null, int maxDegreeOfParallelism = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Functional.RepeatUnpool2D(F(source), shape, factor, F(destination), outputSize, maxDegreeOfParallelism);
        }
        else
        {
            Functional.RepeatUnpool2D(D(source), shape, factor, D(destination), outputSize, maxDegreeOfParallelism);
        }
    }

    public static void RandomUnpool2D<T>(
        ReadOnlySpan<T> source, Shape4D shape, Size2D factor, ulong seed, Span<T> destination, Size2D? outputSize = null, int maxDegreeOfParallelism = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Functional.RandomUnpool2D(F(source), shape, factor, seed, F(destination), outputSize, maxDegreeOfParallelism);
        }
        else
        {
            Functional.RandomUnpool2D(D(source), shape, factor, seed, D(destination), outputSize, maxDegreeOfParallelism);
        }
    }

    /// <summary>The tensor forms of Fixed (<paramref name="offset"/>), Repeat and Random (<paramref name="seed"/>).</summary>
    public static void BlockUnpool2D<T>(BlockOperator op, in ReadOnlyTensorSpan<T> source, Size2D factor, in TensorSpan<T> destination, Size2D offset = default, ulong seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            ref readonly ReadOnlyTensorSpan<float> s = ref F(source);
            ref readonly TensorSpan<float> d = ref F(destination);
            switch (op)
            {
                case BlockOperator.Fixed: Functional.FixedUnpool2D(s, factor, d, offset); break;
                case BlockOperator.Repeat: Functional.RepeatUnpool2D(s, factor, d); break;
                default: Functional.RandomUnpool2D(s, factor, seed, d); break;
            }
        }
        else
        {
            ref readonly ReadOnlyTensorSpan<double> s = ref D(source);
            ref readonly TensorSpan<double> d = ref D(destination);
            switch (op)
            {
                case BlockOperator.Fixed: Functional.FixedUnpool2D(s, factor, d, offset); break;
                case BlockOperator.Repeat: Functional.RepeatUnpool2D(s, factor, d); break;
                default: Functional.RandomUnpool2D(s, factor, seed, d); break;
            }
        }
    }

    /// <summary>The allocating forms of Fixed, Repeat and Random.</summary>
    public static Tensor<T> BlockUnpool2D<T>(BlockOperator op, Tensor<T> source, Size2D factor, Size2D? outputSize, Size2D offset = default, ulong seed = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var s = (Tensor<float>)(object)source;
            return (Tensor<T>)(object)(op switch
            {
                BlockOperator.Fixed => Functional.FixedUnpool2D(s, factor, offset, outputSize),
                BlockOperator.Repeat => Functional.RepeatUnpool2D(s, factor, outputSize),
                _ => Functional.RandomUnpool2D(s, factor, seed, outputSize),
            });
        }
        else
        {
            var s = (Tensor<double>)(object)source;
            return (Tensor<T>)(object)(op switch
            {
                BlockOperator.Fixed => Functional.FixedUnpool2D(s, factor, offset, outputSize),
                BlockOperator.Repeat => Functional.RepeatUnpool2D(s, factor, outputSize),
                _ => Functional.RandomUnpool2D(s, factor, seed, outputSize),
            });
        }
    }

    private static ReadOnlySpan<float> F<T>(ReadOnlySpan<T> s) where T : unmanaged => MemoryMarshal.Cast<T, float>(s);

    private static Span<float> F<T>(Span<T> s) where T : unmanaged => MemoryMarshal.Cast<T, float>(s);

    private static ReadOnlySpan<double> D<T>(ReadOnlySpan<T> s) where T : unmanaged => MemoryMarshal.Cast<T, double>(s);

    private static Span<double> D<T>(Span<T> s) where T : unmanaged => MemoryMarshal.Cast<T, double>(s);

    private static ref readonly ReadOnlyTensorSpan<float> F<T>(in ReadOnlyTensorSpan<T> s) => ref As<ReadOnlyTensorSpan<T>, ReadOnlyTensorSpan<float>>(s);

    private static ref readonly TensorSpan<float> F<T>(in TensorSpan<T> s) => ref As<TensorSpan<T>, TensorSpan<float>>(s);

    private static ref readonly ReadOnlyTensorSpan<double> D<T>(in ReadOnlyTensorSpan<T> s) => ref As<ReadOnlyTensorSpan<T>, ReadOnlyTensorSpan<double>>(s);

    private static ref readonly TensorSpan<double> D<T>(in TensorSpan<T> s) => ref As<TensorSpan<T>, TensorSpan<double>>(s);
}

/// <summary>The fixed-position unpooling family.</summary>
public enum BlockOperator
{
    Fixed,
    Repeat,
    Random,
}
