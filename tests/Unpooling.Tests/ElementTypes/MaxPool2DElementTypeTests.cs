using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// SEMANTICS.md 1 and 5 for every element type the constraint admits: float and double run their vector paths, any
/// other type the scalar path, and all equal the oracle (the plainest loop over <see cref="INumber{TSelf}"/>) value for
/// value and index for index: ties keep the first maximum, MinValue/MaxValue are ordinary values, integer types have
/// no NaN, and Half compares as float does (NaN wins with the last NaN's index, -0 ties +0, -inf only windows yield -inf).
/// </summary>
public abstract class MaxPool2DElementTypeTests<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    /// <summary>Non-overlapping, padded in ceil mode, stride 1 with padding, dilated; (rows, cols, ceil).</summary>
    private static readonly (PoolAxis Rows, PoolAxis Cols, bool Ceil)[] Geometries =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1), false),
        (new(3, 2, 1, 1), new(3, 2, 1, 1), true),
        (new(3, 1, 1, 1), new(3, 1, 1, 1), false),
        (new(2, 1, 0, 2), new(3, 2, 0, 2), false),
    ];

    private static readonly Shape4D Shape = new(2, 3, 9, 37);

    [Fact]
    public void EqualsTheOracleForEveryGeometryAndIndexType()
    {
        int seed = 0;
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Geometries)
        {
            T[] x = ElementData.Values<T>((int)Shape.ElementCount, ++seed);
            PoolResult<T> expected = MaxPool2DReference.Pool(x, 6, Shape.Height, Shape.Width, rows, cols, ceil);
            string context = $"{typeof(T).Name} {Geometry.Describe(rows, cols, ceil)}";
            Check<long>(x, rows, cols, ceil, expected, expected.Indices, IndexConvention.PerPlane, 1, context);
            Check<int>(x, rows, cols, ceil, expected, expected.Indices, IndexConvention.PerPlane, 1, context);
            Check<short>(x, rows, cols, ceil, expected, expected.Indices, IndexConvention.PerPlane, 1, context);
        }
    }

    [Fact]
    public void WritesEveryIndexConvention()
    {
        var (rows, cols, ceil) = Geometries[1];
        T[] x = ElementData.Values<T>((int)Shape.ElementCount, 21);
        PoolResult<T> expected = MaxPool2DReference.Pool(x, 6, Shape.Height, Shape.Width, rows, cols, ceil);
        var outputShape = new Shape4D(Shape.Batch, Shape.Channels, expected.OutH, expected.OutW);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] indices = IndexConventionReference.FromPerPlane(expected.Indices, outputShape, Shape.SpatialSize, convention);
            Check<long>(x, rows, cols, ceil, expected, indices, convention, 1, $"{typeof(T).Name} {convention}");
            Check<int>(x, rows, cols, ceil, expected, indices, convention, 1, $"{typeof(T).Name} {convention}");
        }
    }

    [Fact]
    public void IsIdenticalForEveryThreadCount()
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Geometries)
        {
            T[] x = ElementData.Values<T>((int)Shape.ElementCount, 31);
            PoolResult<T> expected = MaxPool2DReference.Pool(x, 6, Shape.Height, Shape.Width, rows, cols, ceil);
            foreach (int threads in ElementData.ThreadCounts)
            {
                Check<long>(x, rows, cols, ceil, expected, expected.Indices, IndexConvention.PerPlane, threads, $"{typeof(T).Name} {threads} threads");
            }
        }
    }

    /// <summary>The allocating forms: pooling into new tensors with switches, and unpooling through the switches.</summary>
    [Fact]
    public void AllocatingPoolAndUnpoolThroughSwitches()
    {
        var (rows, cols, ceil) = Geometries[0];
        T[] x = ElementData.Values<T>((int)Shape.ElementCount, 61);
        PoolResult<T> expected = MaxPool2DReference.Pool(x, 6, Shape.Height, Shape.Width, rows, cols, ceil);
        (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(
            Tensor.Create(x, [Shape.Batch, Shape.Channels, Shape.Height, Shape.Width]), Geometry.ToLibrary(rows, cols, ceil));
        ElementData.Exact<T>(expected.Values, values.ToArray(), $"{typeof(T).Name} allocating values");
        BitAssert.IndicesEqual<long>(expected.Indices, switches.Indices.ToArray(), $"{typeof(T).Name} allocating indices");

        // Unpooled back to the input size (the switches carry it): each maximum at its argmax, zeros elsewhere.
        Tensor<T> unpooled = Functional.MaxUnpool2D(values, switches);
        T[] back = UnpoolReference.MaxUnpool(expected.Values, expected.Indices, 6, expected.OutH, expected.OutW, Shape.Height, Shape.Width, false);
        ElementData.Exact<T>(back, unpooled.ToArray(), $"{typeof(T).Name} unpooled through switches");
    }

    /// <summary>Planted windows of one 2x2 pool over a 1x1x2x8 input (four windows), results written out by hand.</summary>
    [Fact]
    public void PlantedTiesAndExtremes()
    {
        T min = T.MinValue, max = T.MaxValue, one = T.One, two = one + one;
        // Rows: window 0 ties (1 1 / 1 1: first), window 1 all MinValue (first real cell), window 2 MaxValue last,
        // window 3 tie of 2 at the middle and the end (first 2 wins).
        T[] x =
        [
            one, one, min, min, one, min, one, two,
            one, one, min, min, min, max, two, two,
        ];
        AssertPool(x, 8, [one, min, max, two], [0, 2, 13, 7]);
    }

    /// <summary>Floating-point types only: NaN wins (last NaN's index), -0 ties +0 (the first stays), -inf windows.</summary>
    [Fact]
    public void PlantedSpecialValues()
    {
        if (!ElementData.IsFloating<T>())
        {
            return;
        }

        T nan = T.CreateChecked(double.NaN), inf = T.CreateChecked(double.PositiveInfinity), ninf = T.CreateChecked(double.NegativeInfinity);
        T negZero = T.CreateChecked(-0.0), zero = T.Zero, one = T.One;
        T[] x =
        [
            one, nan, negZero, zero, ninf, ninf, inf, one,
            nan, one, zero, negZero, ninf, ninf, nan, inf,
        ];
        // Window 0: NaN at 1 then at 8: the last NaN (8). Window 1: -0 first, ties: -0 at 2. Window 2: -inf at 4.
        // Window 3: +inf at 6, then NaN at 14 wins.
        AssertPool(x, 8, [nan, negZero, ninf, nan], [8, 2, 4, 14]);
        Assert.True(T.IsNegative(Pool(x, 8).Values[1]), "-0 must stay -0 (the first of the tie)");
    }

    private static (T[] Values, long[] Indices) Pool(T[] x, int width)
    {
        var values = new T[width / 2];
        var indices = new long[width / 2];
        Functional.MaxPool2D<T, long>(x, new Shape4D(1, 1, 2, width), new Pool2DGeometry(new Size2D(2, 2)), values, indices);
        return (values, indices);
    }

    private static void AssertPool(T[] x, int width, T[] expectedValues, long[] expectedIndices)
    {
        (T[] values, long[] indices) = Pool(x, width);
        ElementData.Exact<T>(expectedValues, values, $"{typeof(T).Name} planted values");
        BitAssert.IndicesEqual<long>(expectedIndices, indices, $"{typeof(T).Name} planted indices");

        // The oracle agrees with the hand-written expectation.
        PoolResult<T> oracle = MaxPool2DReference.Pool(x, 1, 2, width, new PoolAxis(2, 2, 0, 1), new PoolAxis(2, 2, 0, 1), false);
        ElementData.Exact<T>(expectedValues, oracle.Values, $"{typeof(T).Name} oracle values");
        BitAssert.IndicesEqual<long>(expectedIndices, oracle.Indices, $"{typeof(T).Name} oracle indices");
    }

    private static void Check<TIndex>(
        T[] x, PoolAxis rows, PoolAxis cols, bool ceil, PoolResult<T> expected, long[] expectedIndices, IndexConvention convention, int threads, string context)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var values = new GuardedBuffer<T>(expected.Values.Length);
        var indices = new GuardedBuffer<TIndex>(expected.Values.Length);
        Functional.MaxPool2D(x, Shape, Geometry.ToLibrary(rows, cols, ceil), values.Span, indices.Span, convention, Threads.Options(threads));
        values.AssertGuardsIntact(context);
        indices.AssertGuardsIntact(context);
        ElementData.Exact<T>(expected.Values, values.Span, $"values {context}");
        BitAssert.IndicesEqual<TIndex>(expectedIndices, indices.Span, $"indices {typeof(TIndex).Name} {context}");
    }
}

public sealed class MaxPool2DElementTypeTestsHalf : MaxPool2DElementTypeTests<Half>;

public sealed class MaxPool2DElementTypeTestsSByte : MaxPool2DElementTypeTests<sbyte>;

public sealed class MaxPool2DElementTypeTestsByte : MaxPool2DElementTypeTests<byte>;

public sealed class MaxPool2DElementTypeTestsInt16 : MaxPool2DElementTypeTests<short>;

public sealed class MaxPool2DElementTypeTestsUInt16 : MaxPool2DElementTypeTests<ushort>;

public sealed class MaxPool2DElementTypeTestsInt32 : MaxPool2DElementTypeTests<int>;

public sealed class MaxPool2DElementTypeTestsUInt32 : MaxPool2DElementTypeTests<uint>;

public sealed class MaxPool2DElementTypeTestsInt64 : MaxPool2DElementTypeTests<long>;

public sealed class MaxPool2DElementTypeTestsUInt64 : MaxPool2DElementTypeTests<ulong>;

public sealed class MaxPool2DElementTypeTestsInt128 : MaxPool2DElementTypeTests<Int128>;

public sealed class MaxPool2DElementTypeTestsDecimal : MaxPool2DElementTypeTests<decimal>;

public sealed class MaxPool2DElementTypeTestsNFloat : MaxPool2DElementTypeTests<NFloat>;

public sealed class MaxPool2DElementTypeTestsSingle : MaxPool2DElementTypeTests<float>;

public sealed class MaxPool2DElementTypeTestsDouble : MaxPool2DElementTypeTests<double>;
