using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling1D;

/// <summary>
/// <c>Functional.MaxUnpool1D</c> against the 1-D oracle's scatter: the switches of pooling over the geometry grid
/// unpooled to the pooling input's length (when PyTorch's size rule admits it, refused naming <c>outputSize</c>
/// otherwise) in every convention, replace and sum; random indices with duplicates and cross-plane global indices;
/// the explicit-length rule at its boundaries; and the tensor forms.
/// </summary>
public sealed class MaxUnpool1DTests
{
    private const int Batch = 2, Channels = 3;

    [Fact]
    public void PoolingSwitchesUnpoolAsTheOracleInEveryConvention()
    {
        int unpooled = 0, refused = 0, index = 0;
        foreach (Axis1D axis in MaxPool1DTests<float>.Grid())
        {
            foreach (int length in (int[])[3, 10, 33])
            {
                if (!axis.TryGetOutputSize(length, out int outL) || ++index % 3 != 0)
                {
                    continue;
                }

                float[] x = TestData.NonZero<float>(Batch * Channels * length, index);
                Pool1DResult<float> p = Pool1DReference.Pool(x, Batch * Channels, length, axis);
                Pool1DGeometry g = MaxPool1DTests<float>.ToLibrary(axis);
                var pooledShape = new Shape3D(Batch, Channels, outL);
                long def = axis.UnpoolDefault(outL);
                bool admitted = length > def - axis.Stride && length < def + axis.Stride;
                foreach (IndexConvention convention in MaxPool1DTests<float>.Conventions)
                {
                    long[] encoded = Pool1DReference.Encode(p.Cells, p.Taps, Batch, Channels, outL, length, convention);
                    string context = $"{axis} length {length} -> {outL}, {convention}";
                    var destination = new GuardedBuffer<float>(Batch * Channels * length);
                    if (!admitted)
                    {
                        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool1D<float, long>(p.Values, encoded, pooledShape, g, destination.Span, length, convention));
                        destination.AssertUntouched(context);
                        refused++;
                        continue;
                    }

                    foreach (bool sum in (bool[])[false, true])
                    {
                        float[] expected = convention == IndexConvention.InWindow
                            ? Pool1DReference.UnpoolTaps(p.Values, p.Taps, Batch * Channels, outL, length, axis, sum)
                            : Pool1DReference.Unpool(p.Values, encoded, Batch, Channels, outL, length, convention, sum);
                        Functional.MaxUnpool1D<float, long>(
                            p.Values, encoded, pooledShape, g, destination.Span, length, convention, sum ? UnpoolReduction.Sum : UnpoolReduction.Replace, Threads.Options(index % 2 + 1));
                        destination.AssertGuardsIntact(context);
                        BitAssert.Equal<float>(expected, destination.Span, $"{context}, {(sum ? "sum" : "replace")}");
                        unpooled++;
                    }
                }
            }
        }

        Assert.True(unpooled > 500 && refused > 50, $"{unpooled} unpooled, {refused} refused");
    }

    /// <summary>Random indices with many duplicates (the last in input order wins, or all add up), across planes and
    /// samples for the global conventions, to the default length.</summary>
    [Fact]
    public void RandomIndicesScatterInInputOrder()
    {
        var g = new Pool1DGeometry(3, 2, padding: 1);
        var shape = new Shape3D(Batch, Channels, 6);
        int outL = g.GetUnpoolOutputSize(6); // (6-1)*2 - 2 + 3 = 11
        Assert.Equal(11, outL);
        double[] x = TestData.NonZero<double>((int)shape.ElementCount, 3);
        foreach (IndexConvention convention in MaxPool1DTests<float>.Conventions[..5])
        {
            long space = convention switch
            {
                IndexConvention.PerPlane => outL,
                IndexConvention.ChannelsLastPerSample => Channels * outL,
                _ => Batch * Channels * outL,
            };
            long[] indices = TestData.RandomIndices(x.Length, Math.Max(1, space / 3), (int)convention);
            foreach (bool sum in (bool[])[false, true])
            {
                double[] expected = Pool1DReference.Unpool(x, indices, Batch, Channels, 6, outL, convention, sum);
                var destination = new double[Batch * Channels * outL];
                Functional.MaxUnpool1D<double, long>(x, indices, shape, g, destination, indexConvention: convention, reduction: sum ? UnpoolReduction.Sum : UnpoolReduction.Replace);
                BitAssert.Equal<double>(expected, destination, $"{convention} {(sum ? "sum" : "replace")}");
            }
        }
    }

    /// <summary>
    /// PyTorch's rule on one axis: k2 s2 on a pooled length 3 has default (3-1)*2 + 2 = 6, so 5, 6 and 7 are accepted and
    /// 4 and 8 refused; with pads 1/1 on a pooled length 1 the default is 0*2 - 2 + 2 = 0, which is refused as a default
    /// but admits the explicit length 1 (strictly between -2 and 2).
    /// </summary>
    [Fact]
    public void ExplicitLengthFollowsPyTorchsRule()
    {
        var g = new Pool1DGeometry(2);
        var shape = new Shape3D(1, 2, 3);
        float[] x = [1, 2, 3, 4, 5, 6];
        long[] indices = [1, 2, 4, 0, 3, 4];
        foreach (int length in (int[])[5, 6, 7])
        {
            var destination = new float[2 * length];
            Functional.MaxUnpool1D<float, long>(x, indices, shape, g, destination, length);
            var expected = new float[2 * length];
            for (int i = 0; i < 6; i++)
            {
                expected[(i / 3 * length) + indices[i]] = x[i];
            }

            Assert.Equal(expected, destination);
            Assert.Equal(expected, Functional.MaxUnpool1D(Tensor.Create(x, [1, 2, 3]), Tensor.Create(indices, [1, 2, 3]), g, length).ToArray());
            var tensor = new float[2 * length];
            Functional.MaxUnpool1D<float, long>(new ReadOnlyTensorSpan<float>(x, [1, 2, 3]), new ReadOnlyTensorSpan<long>(indices, [1, 2, 3]), g, new TensorSpan<float>(tensor, [1, 2, length]));
            Assert.Equal(expected, tensor);
        }

        foreach (int length in (int[])[4, 8])
        {
            var destination = new GuardedBuffer<float>(2 * length);
            ArgumentException e = Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool1D<float, long>(x, indices, shape, g, destination.Span, length));
            Assert.Contains("length in (4, 8)", e.Message, StringComparison.Ordinal);
            destination.AssertUntouched($"length {length}");
            Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool1D(Tensor.Create(x, [1, 2, 3]), Tensor.Create(indices, [1, 2, 3]), g, length));
            Throws.Param<ArgumentException>("destination", () => Functional.MaxUnpool1D<float, long>(new ReadOnlyTensorSpan<float>(x, [1, 2, 3]), new ReadOnlyTensorSpan<long>(indices, [1, 2, 3]), g, new TensorSpan<float>(destination.Span.ToArray(), [1, 2, length])));
        }

        Pool1DGeometry padded = new Pool1DGeometry(2).WithPadding(1, 1);
        Assert.Equal(1, padded.GetOutputSize(1));
        Throws.Param<ArgumentException>("geometry", () => Functional.MaxUnpool1D<float, long>([9f], [0L], new Shape3D(1, 1, 1), padded, new float[1]));
        var one = new float[1];
        Functional.MaxUnpool1D<float, long>([9f], [0L], new Shape3D(1, 1, 1), padded, one, 1);
        Assert.Equal([9f], one);
    }

    /// <summary>Every element type the unpooling constraint admits moves its bits unchanged (a round trip of pooling).</summary>
    [Fact]
    public void RoundTripKeepsEachMaximumAtItsArgmaxForEveryElementType()
    {
        RoundTrip<float>();
        RoundTrip<double>();
        RoundTrip<Half>();
        RoundTrip<byte>();
        RoundTrip<sbyte>();
        RoundTrip<short>();
        RoundTrip<int>();
        RoundTrip<long>();
        RoundTrip<ushort>();
    }

    private static void RoundTrip<T>()
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var axis = new Axis1D(3, 2, 1, 2, 1, false);
        Pool1DGeometry g = MaxPool1DTests<T>.ToLibrary(axis);
        const int length = 40;
        var shape = new Shape3D(Batch, Channels, length);
        T[] x = MaxPool1DTests<T>.Data((int)shape.ElementCount, 11);
        Pool1DResult<T> p = Pool1DReference.Pool(x, Batch * Channels, length, axis);
        var values = new T[Batch * Channels * p.OutL];
        var indices = new byte[values.Length];
        Functional.MaxPool1D(x, shape, g, values, indices, IndexConvention.InWindow);
        var restored = new T[x.Length];
        Functional.MaxUnpool1D<T, byte>(values, indices, shape.WithLength(p.OutL), g, restored, length, IndexConvention.InWindow);
        ElementData.Exact<T>(Pool1DReference.UnpoolTaps(p.Values, p.Taps, Batch * Channels, p.OutL, length, axis, sum: false), restored, typeof(T).Name);
        for (int i = 0; i < values.Length; i++)
        {
            // Each maximum is back at its argmax, which holds exactly the input's element there.
            long cell = (i / p.OutL * length) + p.Cells[i];
            ElementData.Exact<T>([x[cell]], [values[i]], $"{typeof(T).Name} pooled {i} is x[{cell}]");
        }
    }
}
