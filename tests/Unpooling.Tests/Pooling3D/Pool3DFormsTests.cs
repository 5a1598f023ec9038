using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling3D;

/// <summary>
/// The 3-D operators' other forms and element types, special values by hand, validation (type, parameter, message,
/// destination untouched) and the span forms' zero allocation.
/// </summary>
public sealed class Pool3DFormsTests
{
    private static readonly Pool3DGeometry K2 = new(2);

    [Fact]
    public void SpecialValuesByHand()
    {
        // One 2x2x2 window per plane, scanned d, h, w. Plane 0: ties (first 3 at cell 1 wins); plane 1: NaNs at cells
        // 2 and 6 (the last NaN); plane 2: all -inf (first cell); plane 3: -0 before +0 (the first stays, -0).
        float ni = float.NegativeInfinity;
        float[] x =
        [
            1, 3, 2, 3, 0, 3, 1, 1,
            1, 9, float.NaN, 4, 5, 6, float.NaN, 8,
            ni, ni, ni, ni, ni, ni, ni, ni,
            -0f, 0f, -1, -1, -1, -1, -1, -1,
        ];
        var values = new float[4];
        var indices = new long[4];
        Functional.MaxPool3D(x, new Shape5D(1, 4, 2, 2, 2), K2, values, indices);
        Assert.Equal([1L, 6L, 0L, 0L], indices);
        Assert.Equal(3f, values[0]);
        Assert.True(float.IsNaN(values[1]));
        Assert.Equal(ni, values[2]);
        Assert.True(float.IsNegative(values[3]) && values[3] == 0f);
    }

    [Fact]
    public void OtherElementTypesMatchOracle()
    {
        Check<int>();
        Check<long>();
        Check<byte>();
        Check<short>();
        Check<Half>();
        Check<decimal>();
    }

    private static void Check<T>()
        where T : unmanaged, INumber<T>
    {
        var random = new Random(typeof(T).Name.Length);
        int made = 0;
        for (int attempt = 0; made < 15; attempt++)
        {
            var shape = new Shape5D(2, 2, 1 + random.Next(4), 1 + random.Next(4), 1 + random.Next(20));
            Pool3DCase<T>? c = Pool3DCases.Make<T>(random, shape, Pool3DCases.RandomAxis(random), Pool3DCases.RandomAxis(random), Pool3DCases.RandomAxis(random), random.Next(2) == 1);
            if (c is null)
            {
                continue;
            }

            made++;
            var values = new T[c.Expected.Values.Length];
            var indices = new int[values.Length];
            foreach (IndexConvention convention in Pool3DCases.Conventions)
            {
                Functional.MaxPool3D(c.Source, c.Shape, c.Geometry, values, indices, convention);
                Pool3DCases.AssertEqual(c, convention, values, indices, typeof(T).Name);
            }
        }
    }

    [Fact]
    public void StridedTensorFormMatchesSpanForm()
    {
        var random = new Random(9);
        Pool3DCase<double> c = Pool3DCases.Make<double>(random, new Shape5D(2, 3, 4, 5, 19), new Axis3(2, 2, 0, 1, 1), new Axis3(3, 1, 1, 1, 1), new Axis3(2, 2, 1, 0, 2), ceil: false)!;
        Shape5D s = c.Shape, p = c.PooledShape;

        // A transposed (channels-last strided) view of the input, and destinations that are views of larger buffers.
        var nhwc = new double[s.ElementCount];
        for (int n = 0; n < s.Batch; n++)
        {
            for (int ch = 0; ch < s.Channels; ch++)
            {
                for (long cell = 0; cell < s.PlaneSize; cell++)
                {
                    nhwc[(((n * s.PlaneSize) + cell) * s.Channels) + ch] = c.Source[(((n * s.Channels) + ch) * s.PlaneSize) + cell];
                }
            }
        }

        var source = new ReadOnlyTensorSpan<double>(nhwc, [s.Batch, s.Channels, s.Depth, s.Height, s.Width],
            [(nint)(s.PlaneSize * s.Channels), 1, s.Height * s.Width * s.Channels, s.Width * s.Channels, s.Channels]);
        var values = new double[p.ElementCount * 2];
        var indices = new long[p.ElementCount * 2];
        nint[] lengths = [p.Batch, p.Channels, p.Depth, p.Height, p.Width];
        nint[] strides = [(nint)(p.Channels * p.PlaneSize * 2), (nint)(p.PlaneSize * 2), p.Height * p.Width * 2, p.Width * 2, 2];
        Functional.MaxPool3D(source, c.Geometry, new TensorSpan<double>(values, lengths, strides), new TensorSpan<long>(indices, lengths, strides), IndexConvention.GlobalColumnMajor);
        double[] v = values.Where((_, i) => i % 2 == 0).ToArray();
        long[] ix = indices.Where((_, i) => i % 2 == 0).ToArray();
        Pool3DCases.AssertEqual(c, IndexConvention.GlobalColumnMajor, v, ix, "strided tensor");
        Assert.All(values.Where((_, i) => i % 2 == 1), e => Assert.Equal(0.0, e));

        // The allocating form of the strided view, and unpooling a view through its switches.
        (Tensor<double> fromView, Switches3D<long> viewSwitches) = Functional.MaxPool3D(source, c.Geometry, IndexConvention.ChannelsLastPerSample);
        Pool3DCases.AssertEqual(c, IndexConvention.ChannelsLastPerSample, fromView.ToArray(), viewSwitches.Indices.ToArray(), "allocating view");
        Tensor<double> restored = Functional.MaxUnpool3D(fromView.AsReadOnlyTensorSpan(), viewSwitches);
        double[]? oracle = Pool3DReference.Unpool(c.Expected.Values, c.ExpectedIndices(IndexConvention.ChannelsLastPerSample), p.Batch, p.Channels, p.Depth, p.Height, p.Width,
            s.Depth, s.Height, s.Width, c.Depth, c.Height, c.Width, IndexConvention.ChannelsLastPerSample, sum: false);
        BitAssert.Equal<double>(oracle!, restored.ToArray(), "unpooled view");
        Tensor<double> explicitSize = Functional.MaxUnpool3D(
            fromView.AsReadOnlyTensorSpan(), viewSwitches.Indices.AsReadOnlyTensorSpan(), new Pool3DGeometry(2), new Size3D(p.Depth * 2, p.Height * 2, p.Width * 2), IndexConvention.GlobalRowMajor);
        Assert.Equal(p.PlaneCount * 8 * p.PlaneSize, explicitSize.FlattenedLength);

        // Allocating form with byte InWindow switches; short switches converted to per plane; unpooled through both.
        Tensor<double> t = Tensor.Create(c.Source, [s.Batch, s.Channels, s.Depth, s.Height, s.Width]);
        (Tensor<double> pooled, Switches3D<byte> switches) = Functional.MaxPool3D<double, byte>(t, c.Geometry, IndexConvention.InWindow);
        Pool3DCases.AssertEqual(c, IndexConvention.InWindow, pooled.ToArray(), switches.Indices.ToArray(), "allocating byte");
        (_, Switches3D<short> wide) = Functional.MaxPool3D<double, short>(t, c.Geometry, IndexConvention.InWindow);
        Switches3D<short> perPlane = wide.WithConvention(IndexConvention.PerPlane);
        Assert.Equal(c.ExpectedIndices(IndexConvention.PerPlane), perPlane.Indices.ToArray().Select(b => (long)b));
        BitAssert.Equal<double>(Functional.MaxUnpool3D(pooled, switches).ToArray(), Functional.MaxUnpool3D(pooled, perPlane).ToArray(), "switches in two conventions");
    }

    [Fact]
    public void PoolingValidationNamesTheArgumentAndWritesNothing()
    {
        var shape = new Shape5D(1, 2, 4, 4, 4);
        var x = new float[shape.ElementCount];
        var values = new GuardedBuffer<float>(16);
        var indices = new GuardedBuffer<long>(16);
        var e = Throws.Param<ArgumentException>("source", () => Functional.MaxPool3D(x.AsSpan(1), shape, K2, values.Span, indices.Span));
        Assert.Contains("127", e.Message);
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool3D(x, shape, K2, values.Span[1..], indices.Span));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool3D(x, shape, K2, values.Span, indices.Span[1..]));
        Throws.Param<ArgumentException>("geometry", () => Functional.MaxPool3D(x, shape, new Pool3DGeometry(5), values.Span, indices.Span));
        Throws.Param<ArgumentException>("geometry", () => Functional.MaxPool3D(x, shape, default, values.Span, indices.Span));
        Throws.Param<ArgumentException>("sourceShape", () => Functional.MaxPool3D(x, shape with { Layout = (TensorLayout)7 }, K2, values.Span, indices.Span));
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => Functional.MaxPool3D(x, shape, K2, values.Span, indices.Span, (IndexConvention)9));
        e = Throws.Param<ArgumentException>("indices", () => Functional.MaxPool3D(new float[192], new Shape5D(1, 3, 4, 4, 4), K2, new float[24], new sbyte[24], IndexConvention.GlobalRowMajor));
        Assert.Contains("191", e.Message);
        Functional.MaxPool3D(new float[2 * 16 * 16 * 1], new Shape5D(1, 2, 16, 16, 1), new Pool3DGeometry(new Size3D(2, 2, 1)), new float[128], new byte[128], IndexConvention.InWindow);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool3D(new float[2 * 16 * 17], new Shape5D(1, 2, 16, 17, 1), new Pool3DGeometry(1), new float[544], new byte[544], IndexConvention.PerPlane));
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool3D(x, shape, K2, x.AsSpan(0, 16), indices.Span));
        values.AssertUntouched("refused pooling");
        indices.AssertUntouched("refused pooling");
        Throws.Param<ArgumentException>("source", () => Functional.MaxPool3D(Tensor.Create(new float[16], [2, 2, 4]), K2));
    }

    [Fact]
    public void UnpoolingValidationNamesTheArgumentStatesTheIndexAndWritesNothing()
    {
        var pooled = new Shape5D(1, 2, 2, 2, 2);
        var values = new float[16];
        var indices = new long[16];
        for (int i = 0; i < 16; i++)
        {
            indices[i] = i * 3;
        }

        indices[11] = 64;
        var y = new GuardedBuffer<float>(128);
        var e = Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool3D(values, indices, pooled, K2, y.Span));
        Assert.Contains("64", e.Message);
        Assert.Contains("position 11", e.Message);
        Assert.Contains("0 to 63", e.Message);
        indices[11] = -1;
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool3D(values, indices, pooled, K2, y.Span, indexConvention: IndexConvention.GlobalColumnMajor));
        long[] window = indices.Select(i => i & 7).ToArray();
        window[11] = 8;
        e = Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool3D(values, window, pooled, K2, y.Span, indexConvention: IndexConvention.InWindow));
        Assert.Contains("position 11", e.Message);

        // A tap in the padding names no cell.
        var padded = new Pool3DGeometry(2, 2, 1);
        long[] taps = new long[16];
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool3D(values, taps, pooled, padded, new float[2 * 2 * 2 * 2], indexConvention: IndexConvention.InWindow));
        Throws.Param<ArgumentException>("destination", () => Functional.MaxUnpool3D(values, taps, pooled, K2, y.Span[1..]));
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool3D(values, taps, pooled, K2, y.Span, new Size3D(6, 4, 4)));
        Throws.Param<ArgumentOutOfRangeException>("reduction", () => Functional.MaxUnpool3D(values, taps, pooled, K2, y.Span, reduction: (UnpoolReduction)5));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxUnpool3D(new float[128], new byte[128], new Shape5D(1, 2, 4, 4, 4), K2, new float[1024]));
        y.AssertUntouched("refused unpooling");

        // Switches whose index was changed after pooling are the switches' fault.
        Tensor<float> t = Tensor.Create(new float[128], [1, 2, 4, 4, 4]);
        (Tensor<float> v, Switches3D<long> s) = Functional.MaxPool3D(t, K2);
        s.Indices[0, 0, 0, 0, 0] = 1000;
        Throws.Param<ArgumentOutOfRangeException>("switches", () => Functional.MaxUnpool3D(v, s));
        Throws.Param<ArgumentException>("indices", () => new Switches3D<long>(s.Indices, K2, new Size3D(6, 6, 6)));
    }

    [Fact]
    public void ConvertIndicesValidation()
    {
        var pooled = new Shape5D(1, 1, 2, 2, 2);
        long[] indices = [0, 2, 8, 10, 32, 34, 40, 42];
        var destination = new long[8];
        Throws.Param<ArgumentException>("sourceConvention", () => Functional.ConvertIndices(indices, pooled, new Size3D(4, 4, 4), IndexConvention.InWindow, destination, IndexConvention.PerPlane));
        indices[3] = 64;
        var e = Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.ConvertIndices(indices, pooled, new Size3D(4, 4, 4), IndexConvention.PerPlane, destination, IndexConvention.GlobalRowMajor));
        Assert.Contains("position 3", e.Message);
        indices[3] = 63;
        Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices(indices, pooled, new Size3D(4, 4, 4), K2, IndexConvention.PerPlane, destination, IndexConvention.InWindow));
        Assert.All(destination, d => Assert.Equal(0, d));
    }

    [Fact]
    public void SpanFormsDoNotAllocate()
    {
        var shape = new Shape5D(2, 3, 4, 6, 40);
        var x = Pool3DCases.Data<float>(new Random(1), shape.ElementCount);
        var pooledShape = new Shape5D(2, 3, 2, 3, 20);
        var values = new float[pooledShape.ElementCount];
        var indices = new long[values.Length];
        var converted = new long[values.Length];
        var restored = new float[shape.ElementCount];
        ExecutionOptions options = Threads.Options(1);

        void Run()
        {
            Functional.MaxPool3D(x, shape, K2, values, indices, IndexConvention.PerPlane, options);
            Functional.MaxUnpool3D(values, indices, pooledShape, K2, restored, options: options);
            Functional.MaxPool3D(x, shape, K2, values, indices, IndexConvention.InWindow, options);
            Functional.MaxUnpool3D(values, indices, pooledShape, K2, restored, indexConvention: IndexConvention.InWindow, options: options);
            Functional.ConvertIndices(indices, pooledShape, shape.SpatialSize, K2, IndexConvention.InWindow, converted, IndexConvention.GlobalColumnMajor);
            Functional.MaxUnpool3D(values, converted, pooledShape, K2, restored, indexConvention: IndexConvention.GlobalColumnMajor, options: options);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Run, 10));
    }
}
