using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling1D;

/// <summary>
/// <c>Functional.MaxPool1D</c> against the independent 1-D oracle (<see cref="Pool1DReference"/>) over a geometry grid
/// (kernel 1-4, stride 1-3, begin and end padding 0-2 each, dilation 1-2, ceil mode on and off) and lengths across the
/// vector widths, for each element type: values byte for byte, per-plane indices, and every convention written directly
/// (InWindow included) against the convention table with <c>h = 0</c>. Invalid geometries must be refused naming
/// <c>geometry</c>, as the oracle judges them.
/// </summary>
public abstract class MaxPool1DTests<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    internal const int Batch = 2, Channels = 3;

    internal static readonly int[] Lengths = [1, 2, 5, 9, 17, 34, 67, 130];

    internal static readonly IndexConvention[] Conventions =
    [
        IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.GlobalColumnMajor,
        IndexConvention.ChannelsLastPerSample, IndexConvention.ChannelsLastWithBatch, IndexConvention.InWindow,
    ];

    /// <summary>Every geometry of the grid.</summary>
    internal static IEnumerable<Axis1D> Grid()
    {
        for (int k = 1; k <= 4; k++)
        {
            for (int s = 1; s <= 3; s++)
            {
                for (int pb = 0; pb <= 2; pb++)
                {
                    for (int pe = 0; pe <= 2; pe++)
                    {
                        for (int d = 1; d <= 2; d++)
                        {
                            yield return new Axis1D(k, s, pb, pe, d, false);
                            yield return new Axis1D(k, s, pb, pe, d, true);
                        }
                    }
                }
            }
        }
    }

    internal static Pool1DGeometry ToLibrary(Axis1D a)
        => new Pool1DGeometry(a.Kernel, a.Stride, dilation: a.Dilation, ceilMode: a.CeilMode).WithPadding(a.PadBegin, a.PadEnd);

    /// <summary>Ties, extremes and (floating types) NaN with distinct payloads, infinities and -0.</summary>
    internal static T[] Data(int length, int seed)
    {
        T[] x = ElementData.Values<T>(length, seed);
        for (int i = 0; i < x.Length; i++)
        {
            if (T.IsNaN(x[i]) && typeof(T) == typeof(float))
            {
                x[i] = (T)(object)TestData.NaN<float>(i + 1);
            }
            else if (T.IsNaN(x[i]) && typeof(T) == typeof(double))
            {
                x[i] = (T)(object)TestData.NaN<double>(i + 1);
            }
        }

        return x;
    }

    [Fact]
    public void GridMatchesTheOracle()
    {
        // float and double take the whole grid; the other types (the same kernels at other lane widths, or the scalar
        // path) every fourth case, which still covers every geometry parameter and every length.
        bool whole = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        int pooled = 0, refused = 0, index = 0;
        foreach (Axis1D axis in Grid())
        {
            foreach (int length in Lengths)
            {
                if (++index % 4 != 0 && !whole)
                {
                    continue;
                }

                Pool1DGeometry g = ToLibrary(axis);
                var shape = new Shape3D(Batch, Channels, length);
                T[] x = Data((int)shape.ElementCount, index);
                string context = $"{typeof(T).Name} {axis} length {length}";
                if (!axis.TryGetOutputSize(length, out int outL))
                {
                    var none = new T[Batch * Channels * 200];
                    var noIndices = new long[none.Length];
                    Throws.Param<ArgumentException>("geometry", () => Functional.MaxPool1D<T, long>(x, shape, g, none, noIndices));
                    refused++;
                    continue;
                }

                Pool1DResult<T> expected = Pool1DReference.Pool(x, Batch * Channels, length, axis);
                Assert.Equal(outL, g.GetOutputSize(length));
                var destination = new GuardedBuffer<T>(Batch * Channels * outL);
                var indices = new GuardedBuffer<long>(destination.Length);
                Functional.MaxPool1D<T, long>(x, shape, g, destination.Span, indices.Span, options: Threads.Options(index % 2 + 1));
                destination.AssertGuardsIntact(context);
                indices.AssertGuardsIntact(context);
                ElementData.Exact<T>(expected.Values, destination.Span, context);
                BitAssert.IndicesEqual<long>(expected.Cells, indices.Span, context);
                if (index % 5 == 0)
                {
                    foreach (IndexConvention convention in Conventions)
                    {
                        var typed = new int[destination.Length];
                        var values = new T[destination.Length];
                        Functional.MaxPool1D<T, int>(x, shape, g, values, typed, convention);
                        long[] encoded = Pool1DReference.Encode(expected.Cells, expected.Taps, Batch, Channels, outL, length, convention);
                        BitAssert.IndicesEqual<int>(encoded, typed, $"{context}, {convention}");
                        ElementData.Exact<T>(expected.Values, values, $"{context}, {convention}");
                    }
                }

                pooled++;
            }
        }

        Assert.True(pooled > (whole ? 2000 : 500) && refused > (whole ? 100 : 25), $"{pooled} pooled, {refused} refused");
    }

    /// <summary>The tensor form over strided views (every other element of a wider buffer) equals the oracle, and the
    /// allocating form's switches unpool back to the pooling input's length.</summary>
    [Fact]
    public void TensorFormsMatchTheOracle()
    {
        var axis = new Axis1D(3, 2, 2, 0, 1, true);
        Pool1DGeometry g = ToLibrary(axis);
        const int length = 21;
        T[] x = Data(Batch * Channels * length, 7);
        Pool1DResult<T> expected = Pool1DReference.Pool(x, Batch * Channels, length, axis);
        int outL = expected.OutL;

        // Source: x at the even positions of a buffer twice as long; destination and indices strided the same way.
        var wide = new T[x.Length * 2];
        for (int i = 0; i < x.Length; i++)
        {
            wide[2 * i] = x[i];
        }

        var source = new ReadOnlyTensorSpan<T>(wide, 0, [Batch, Channels, length], [2 * Channels * length, 2 * length, 2]);
        var values = new T[Batch * Channels * outL * 2];
        var indices = new long[values.Length];
        Functional.MaxPool1D(
            source, g,
            new TensorSpan<T>(values, 0, [Batch, Channels, outL], [2 * Channels * outL, 2 * outL, 2]),
            new TensorSpan<long>(indices, 0, [Batch, Channels, outL], [2 * Channels * outL, 2 * outL, 2]),
            IndexConvention.GlobalRowMajor);
        ElementData.Exact<T>(expected.Values, values.Where((_, i) => i % 2 == 0).ToArray(), "strided values");
        BitAssert.IndicesEqual<long>(
            Pool1DReference.Encode(expected.Cells, null, Batch, Channels, outL, length, IndexConvention.GlobalRowMajor),
            indices.Where((_, i) => i % 2 == 0).ToArray(), "strided indices");

        (Tensor<T> pooled, Switches1D<long> switches) = Functional.MaxPool1D(Tensor.Create(x, [Batch, Channels, length]), new Pool1DGeometry(2));
        Assert.Equal(new Shape3D(Batch, Channels, length / 2), switches.PooledShape);
        (pooled, switches) = Functional.MaxPool1D(Tensor.Create(x, [Batch, Channels, length]), g);
        ElementData.Exact<T>(expected.Values, pooled.ToArray(), "allocating values");
        BitAssert.IndicesEqual<long>(expected.Cells, switches.Indices.ToArray(), "allocating indices");
        Assert.Equal(new Shape3D(Batch, Channels, length), switches.SourceShape);
        Assert.Equal(length, switches.SourceLength);

        (Tensor<T> pooledTaps, Switches1D<byte> taps) = Functional.MaxPool1D<T, byte>(source, g, IndexConvention.InWindow);
        ElementData.Exact<T>(expected.Values, pooledTaps.ToArray(), "byte switches' values");
        BitAssert.IndicesEqual<byte>(expected.Taps, taps.Indices.ToArray(), "byte switches");
        BitAssert.IndicesEqual<byte>(expected.Cells, taps.WithConvention(IndexConvention.PerPlane).Indices.ToArray(), "byte switches converted");

        T[] restored = Functional.MaxUnpool1D(pooled, switches).ToArray();
        T[] expectedRestored = Pool1DReference.Unpool(expected.Values, expected.Cells, Batch, Channels, outL, length, IndexConvention.PerPlane, sum: false);
        ElementData.Exact<T>(expectedRestored, restored, "unpooled through the switches");
        ElementData.Exact<T>(expectedRestored, Functional.MaxUnpool1D(pooledTaps, taps).ToArray(), "unpooled through byte switches");
    }
}

public sealed class MaxPool1DFloatTests : MaxPool1DTests<float>;

public sealed class MaxPool1DDoubleTests : MaxPool1DTests<double>;

public sealed class MaxPool1DHalfTests : MaxPool1DTests<Half>;

public sealed class MaxPool1DByteTests : MaxPool1DTests<byte>;

public sealed class MaxPool1DSByteTests : MaxPool1DTests<sbyte>;

public sealed class MaxPool1DInt16Tests : MaxPool1DTests<short>;

public sealed class MaxPool1DInt32Tests : MaxPool1DTests<int>;

public sealed class MaxPool1DInt64Tests : MaxPool1DTests<long>;

public sealed class MaxPool1DUInt16Tests : MaxPool1DTests<ushort>;

/// <summary>The selection rule on hand-made inputs whose answers are worked out in the comments.</summary>
public sealed class MaxPool1DSelectionTests
{
    [Fact]
    public void TiesKeepTheFirstNaNWinsLastAndMinusInfinityKeepsTheFirstRealCell()
    {
        // k2 s1 on [2, 5, 5, 1]: windows [2,5] -> 5 at 1, [5,5] -> 5 at 1 (first of the tie), [5,1] -> 5 at 2.
        Pool(new float[] { 2, 5, 5, 1 }, new Pool1DGeometry(2, 1), [5, 5, 5], [1, 1, 2]);

        // k3 on [NaN(1), 3, NaN(2)]: one window, the last NaN wins: NaN(2) at 2.
        float nan1 = TestData.NaN<float>(1), nan2 = TestData.NaN<float>(2);
        Pool([nan1, 3, nan2], new Pool1DGeometry(3), [nan2], [2]);

        // k2 s1 with pads 1/0 on [-inf, -inf]: windows {pad, 0} -> -inf at 0, {0, 1} -> -inf at 0 (first real cell).
        Pool([float.NegativeInfinity, float.NegativeInfinity], new Pool1DGeometry(2, 1).WithPadding(1, 0), [float.NegativeInfinity, float.NegativeInfinity], [0, 0]);

        // +0 and -0 tie: k2 on [-0, +0] keeps -0 at 0.
        Pool([-0f, 0f], new Pool1DGeometry(2), [-0f], [0]);

        // Asymmetric pads 0/2, k3 s3 on [1..5]: o = floor((5 + 2 - 3) / 3) + 1 = 2; windows {0,1,2} -> 3 at 2, {3,4,pad} -> 5 at 4.
        Pool([1, 2, 3, 4, 5], new Pool1DGeometry(3).WithPadding(0, 2), [3, 5], [2, 4]);

        // Dilation 2, k2 s1, pads 2/0 on [7, 1, 9]: windows {-2, 0} -> 7 at 0, {-1, 1} -> 1 at 1, {0, 2} -> 9 at 2, o = 5 - 3 + 1 = 3.
        Pool([7, 1, 9], new Pool1DGeometry(2, 1, dilation: 2).WithPadding(2, 0), [7, 1, 9], [0, 1, 2]);
    }

    private static void Pool(float[] x, Pool1DGeometry g, float[] values, long[] indices)
    {
        var shape = new Shape3D(1, 1, x.Length);
        var destination = new float[g.GetOutputSize(x.Length)];
        var written = new long[destination.Length];
        Functional.MaxPool1D<float, long>(x, shape, g, destination, written);
        BitAssert.Equal<float>(values, destination, $"{g}");
        Assert.Equal(indices, written);
    }
}
