using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// MaxUnpool1D/2D/3DBackward, the gather through the indices: against the gather oracle (random indices with
/// duplicates, default and explicit sizes), the adjoint identity with the Sum unpooling exact on integers for every
/// convention and both layouts, finite differences in double, 1 and 2 threads bit-identical, the tensor and switches
/// forms, and validation.
/// </summary>
public class MaxUnpoolBackwardTests
{
    private static readonly IndexConvention[] Conventions = Enum.GetValues<IndexConvention>();

    [Fact]
    public void MatchesTheGatherOracleWithDuplicatesAndExplicitSizes()
    {
        var shape = new Shape4D(2, 3, 4, 5);
        var geometry = new Pool2DGeometry(3, stride: 2, padding: 1);
        Size2D defaultSize = geometry.GetUnpoolOutputSize(shape.SpatialSize);
        foreach (Size2D size in new[] { defaultSize, new Size2D(defaultSize.Height + 1, defaultSize.Width - 1) })
        {
            GathersAsTheOracle<double>(shape, geometry, size, indexSeed: 3, valueSeed: 4);
        }
    }

    /// <summary>
    /// Planes taller than the row prefetch's distance (the gather walks them row by row, prefetching 8 pooled rows ahead),
    /// with strides, padding, dilation and an explicit size; the indices name any cell of the plane, in or out of the
    /// window, as the contract allows.
    /// </summary>
    [Fact]
    public void TallPlanesMatchTheGatherOracle()
    {
        var shape = new Shape4D(1, 3, 21, 11);
        foreach (Pool2DGeometry geometry in new[] { new Pool2DGeometry(2), new Pool2DGeometry(3, stride: 2, padding: 1), new Pool2DGeometry(new Size2D(3, 2), stride: new Size2D(1, 2), dilation: new Size2D(2, 1)) })
        {
            Size2D defaultSize = geometry.GetUnpoolOutputSize(shape.SpatialSize);
            foreach (Size2D size in new[] { defaultSize, new Size2D(defaultSize.Height + geometry.Stride.Height - 1, defaultSize.Width) }.Distinct())
            {
                GathersAsTheOracle<float>(shape, geometry, size, indexSeed: 21, valueSeed: 8);
            }
        }
    }

    /// <summary>Random per-plane indices anywhere in the <paramref name="size"/> plane, integer-valued gradients: the
    /// span form at 1 and 2 threads gives <see cref="BackwardReference.Gather"/>'s result exactly.</summary>
    private static void GathersAsTheOracle<T>(Shape4D shape, Pool2DGeometry geometry, Size2D size, int indexSeed, int valueSeed)
        where T : unmanaged, INumberBase<T>
    {
        long outPlane = (long)size.Height * size.Width;
        long[] indices = TestData.RandomIndices((int)shape.ElementCount, outPlane, indexSeed);
        T[] y = BackwardReference.Integers<T>((int)(shape.PlaneCount * outPlane), valueSeed);
        T[] expected = BackwardReference.Gather(y, indices, (int)shape.PlaneCount, shape.PlaneSize, outPlane);
        foreach (int threads in new[] { 1, 2 })
        {
            T[] actual = new T[shape.ElementCount];
            Functional.MaxUnpool2DBackward(y, indices, shape, geometry, actual, size, options: Threads.Options(threads));
            Assert.Equal(expected, actual);
        }
    }

    /// <summary><c>&lt;MaxUnpool(x, Sum), y&gt; = &lt;x, MaxUnpoolBackward(y)&gt;</c> in <see cref="long"/>, every convention, both layouts.</summary>
    [Fact]
    public void IsTheAdjointOfTheSumUnpoolingExactOnIntegers()
    {
        foreach (Pool2DGeometry geometry in new[] { new Pool2DGeometry(2), new Pool2DGeometry(3, stride: 2, padding: 1), new Pool2DGeometry(new Size2D(2, 3), stride: new Size2D(1, 2)) })
        {
            const int n = 2, c = 3, h = 8, w = 9;
            var source = new Shape4D(n, c, h, w);
            Size2D pooledSize = geometry.GetOutputSize(source.SpatialSize);
            var pooled = source.WithSpatialSize(pooledSize);
            long[] data = BackwardReference.Distinct((int)source.ElementCount, 5).Select(v => (long)(v * 4)).ToArray();
            long[] x = BackwardReference.Integers<long>((int)pooled.ElementCount, 6);
            long[] y = BackwardReference.Integers<long>((int)source.ElementCount, 7);
            foreach (IndexConvention convention in Conventions)
            {
                foreach (bool last in new[] { false, true })
                {
                    Shape4D s = last ? Shape4D.ChannelsLast(n, h, w, c) : source, p = last ? Shape4D.ChannelsLast(n, pooledSize.Height, pooledSize.Width, c) : pooled;
                    long[] indices = new long[pooled.ElementCount];
                    Functional.MaxPool2D(data, s, geometry, new long[indices.Length], indices, convention);
                    long[] unpooled = new long[source.ElementCount], gradient = new long[pooled.ElementCount];
                    Functional.MaxUnpool2D(x, indices, p, geometry, unpooled, source.SpatialSize, convention, UnpoolReduction.Sum);
                    Functional.MaxUnpool2DBackward(y, indices, p, geometry, gradient, source.SpatialSize, convention, Threads.Options(2));
                    Assert.Equal(BackwardReference.Dot(unpooled, y), BackwardReference.Dot(x, gradient));
                }
            }
        }
    }

    [Fact]
    public void OneAndThreeDimensionsAreAdjointsToo()
    {
        var g1 = new Pool1DGeometry(3, 2, 1);
        var s1 = new Shape3D(2, 2, 11);
        var p1 = s1.WithLength(g1.GetOutputSize(11));
        long[] d1 = BackwardReference.Distinct(44, 1).Select(v => (long)(v * 4)).ToArray();
        long[] x1 = BackwardReference.Integers<long>((int)p1.ElementCount, 2), y1 = BackwardReference.Integers<long>(44, 3);
        var g3 = new Pool3DGeometry(new Size3D(2, 3, 2), new Size3D(2, 2, 1), new Size3D(0, 1, 1));
        var s3 = new Shape5D(1, 2, 4, 5, 4);
        var p3 = s3.WithSpatialSize(g3.GetOutputSize(s3.SpatialSize));
        long[] d3 = BackwardReference.Distinct((int)s3.ElementCount, 4).Select(v => (long)(v * 4)).ToArray();
        long[] x3 = BackwardReference.Integers<long>((int)p3.ElementCount, 5), y3 = BackwardReference.Integers<long>((int)s3.ElementCount, 6);
        foreach (IndexConvention convention in Conventions)
        {
            long[] i1 = new long[p1.ElementCount], u1 = new long[44], r1 = new long[p1.ElementCount];
            Functional.MaxPool1D(d1, s1, g1, new long[i1.Length], i1, convention);
            Functional.MaxUnpool1D(x1, i1, p1, g1, u1, 11, convention, UnpoolReduction.Sum);
            Functional.MaxUnpool1DBackward(y1, i1, p1, g1, r1, 11, convention);
            Assert.Equal(BackwardReference.Dot(u1, y1), BackwardReference.Dot(x1, r1));

            foreach (bool last in new[] { false, true })
            {
                Shape5D s = last ? Shape5D.ChannelsLast(1, 4, 5, 4, 2) : s3;
                Shape5D p = last ? Shape5D.ChannelsLast(1, p3.Depth, p3.Height, p3.Width, 2) : p3;
                long[] i3 = new long[p3.ElementCount], u3 = new long[s3.ElementCount], r3 = new long[p3.ElementCount];
                Functional.MaxPool3D(d3, s, g3, new long[i3.Length], i3, convention);
                Functional.MaxUnpool3D(x3, i3, p, g3, u3, s3.SpatialSize, convention, UnpoolReduction.Sum);
                Functional.MaxUnpool3DBackward(y3, i3, p, g3, r3, s3.SpatialSize, convention, Threads.Options(2));
                Assert.Equal(BackwardReference.Dot(u3, y3), BackwardReference.Dot(x3, r3));
            }
        }
    }

    [Fact]
    public void AgreesWithFiniteDifferencesInDouble()
    {
        var shape = new Shape4D(1, 2, 3, 4);
        var geometry = new Pool2DGeometry(3, stride: 2);
        Size2D size = geometry.GetUnpoolOutputSize(shape.SpatialSize);
        long[] indices = TestData.RandomIndices((int)shape.ElementCount, (long)size.Height * size.Width, 8);
        double[] x = BackwardReference.Distinct((int)shape.ElementCount, 9);
        double[] w = BackwardReference.Distinct(2 * size.Height * size.Width, 10);
        double[] Forward(double[] input)
        {
            double[] y = new double[w.Length];
            Functional.MaxUnpool2D(input, indices, shape, geometry, y, reduction: UnpoolReduction.Sum);
            return y;
        }

        double[] gradient = new double[x.Length];
        Functional.MaxUnpool2DBackward(w, indices, shape, geometry, gradient);
        double[] numeric = BackwardReference.FiniteDifference(Forward, x, w, 0.5);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.True(Math.Abs(numeric[i] - gradient[i]) <= 1e-12 * (1 + Math.Abs(gradient[i])), $"cell {i}: {gradient[i]} vs {numeric[i]}");
        }
    }

    [Fact]
    public void TensorAndSwitchesFormsMatchTheSpanForm()
    {
        var geometry = new Pool2DGeometry(3, stride: 2, padding: 1);
        double[] data = BackwardReference.Distinct(2 * 3 * 9 * 10, 11);
        (var values, Switches<long> switches) = Functional.MaxPool2D(System.Numerics.Tensors.Tensor.Create(data, [2, 3, 9, 10]), geometry);
        double[] y = BackwardReference.Integers<double>(data.Length, 12);
        var gradient = System.Numerics.Tensors.Tensor.Create(y, [2, 3, 9, 10]);
        double[] expected = new double[values.FlattenedLength];
        Functional.MaxUnpool2DBackward(y, switches.Indices.ToArray(), switches.PooledShape, geometry, expected, new Size2D(9, 10));
        Assert.Equal(expected, Functional.MaxUnpool2DBackward(gradient, switches).ToArray());
        var result = System.Numerics.Tensors.Tensor.Create(new double[expected.Length], values.Lengths);
        Functional.MaxUnpool2DBackward(gradient.AsReadOnlyTensorSpan(), switches.Indices.AsReadOnlyTensorSpan(), geometry, result.AsTensorSpan());
        Assert.Equal(expected, result.ToArray());

        (var v1, Switches1D<long> s1) = Functional.MaxPool1D(System.Numerics.Tensors.Tensor.Create(data, [6, 9, 10]), new Pool1DGeometry(2));
        double[] e1 = new double[v1.FlattenedLength];
        Functional.MaxUnpool1DBackward(y, s1.Indices.ToArray(), s1.PooledShape, s1.Geometry, e1, 10);
        Assert.Equal(e1, Functional.MaxUnpool1DBackward(System.Numerics.Tensors.Tensor.Create(y, [6, 9, 10]), s1).ToArray());
        var g3 = new Pool3DGeometry(new Size3D(3, 1, 2), padding: new Size3D(1, 0, 0));
        (var v3, Switches3D<long> s3) = Functional.MaxPool3D(System.Numerics.Tensors.Tensor.Create(data, [2, 3, 9, 1, 10]), g3);
        double[] e3 = new double[v3.FlattenedLength];
        Functional.MaxUnpool3DBackward(y, s3.Indices.ToArray(), s3.PooledShape, g3, e3, s3.SourceSize);
        Assert.Equal(e3, Functional.MaxUnpool3DBackward(System.Numerics.Tensors.Tensor.Create(y, [2, 3, 9, 1, 10]), s3).ToArray());
    }

    [Fact]
    public void ValidationNamesTheArgumentAndWritesNothing()
    {
        var shape = new Shape4D(1, 2, 3, 3);
        var geometry = new Pool2DGeometry(2);
        double[] y = new double[72], dx = Enumerable.Repeat(7.0, 18).ToArray();
        long[] indices = new long[18];
        Throws.Param<ArgumentException>("outputGradient", () => Functional.MaxUnpool2DBackward(new double[71], indices, shape, geometry, dx));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxUnpool2DBackward(y, new long[17], shape, geometry, dx));
        Throws.Param<ArgumentException>("sourceGradient", () => Functional.MaxUnpool2DBackward(y, indices, shape, geometry, new double[19]));
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2DBackward(y, indices, shape, geometry, dx, new Size2D(8, 8)));
        Throws.Param<ArgumentException>("sourceGradient", () => Functional.MaxUnpool2DBackward(y, indices, shape, geometry, y.AsSpan(0, 18)));
        indices[17] = 36;
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2DBackward(y, indices, shape, geometry, dx));
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2DBackward(y, indices, Shape4D.ChannelsLast(1, 3, 3, 2), geometry, dx));
        indices[16] = 72;
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2DBackward(y, indices, shape, geometry, dx, indexConvention: IndexConvention.GlobalRowMajor, options: Threads.Options(2)));
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool3DBackward(y, indices, new Shape5D(1, 2, 1, 3, 3), new Pool3DGeometry(new Size3D(1, 2, 2)), dx, indexConvention: IndexConvention.InWindow));
        Assert.All(dx, v => Assert.Equal(7.0, v));
    }

    /// <summary>
    /// Byte switches of tiling windows take the block gather: the per-plane gather's bits (oracle) for float and double,
    /// every width the dispatch picks, the double backward too, 1 and 2 threads; a tap at or past kH*kW is refused
    /// naming indices, and nothing is written.
    /// </summary>
    [Fact]
    public void ByteSwitchesOfTilingWindowsGiveThePerPlaneGather()
    {
        foreach ((Pool2DGeometry geometry, Shape4D source) in new[] { (new Pool2DGeometry(2), new Shape4D(2, 3, 10, 37)), (new Pool2DGeometry(new Size2D(3, 2)), new Shape4D(1, 2, 7, 70)), (new Pool2DGeometry(new Size2D(1, 4)), new Shape4D(2, 1, 3, 9)) })
        {
            Shape4D pooled = source.WithSpatialSize(geometry.GetOutputSize(source.SpatialSize));
            double[] x = BackwardReference.Distinct((int)source.ElementCount, 31);
            double[] y = BackwardReference.Integers<double>((int)source.ElementCount, 32);
            long[] indices = new long[pooled.ElementCount];
            byte[] taps = new byte[pooled.ElementCount];
            Functional.MaxPool2D(x, source, geometry, new double[indices.Length], indices);
            Functional.MaxPool2D(x, source, geometry, new double[indices.Length], taps, IndexConvention.InWindow);
            double[] expected = BackwardReference.Gather(y, indices, (int)pooled.PlaneCount, pooled.PlaneSize, source.PlaneSize);
            float[] yf = y.Select(v => (float)v).ToArray();
            foreach (int threads in new[] { 1, 2 })
            {
                double[] actual = new double[pooled.ElementCount];
                Functional.MaxUnpool2DBackward<double, byte>(y, taps, pooled, geometry, actual, source.SpatialSize, IndexConvention.InWindow, Threads.Options(threads));
                Assert.Equal(expected, actual);
                Array.Clear(actual);
                Functional.MaxPool2DDoubleBackward<double, byte>(y, taps, pooled, geometry, actual, source.SpatialSize, IndexConvention.InWindow, Threads.Options(threads));
                Assert.Equal(expected, actual);
                float[] single = new float[pooled.ElementCount];
                Functional.MaxUnpool2DBackward<float, byte>(yf, taps, pooled, geometry, single, source.SpatialSize, IndexConvention.InWindow, Threads.Options(threads));
                Assert.Equal(expected.Select(v => (float)v), single);
            }

            taps[^1] = (byte)(geometry.KernelSize.Height * geometry.KernelSize.Width);
            double[] untouched = Enumerable.Repeat(5.0, (int)pooled.ElementCount).ToArray();
            Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2DBackward<double, byte>(y, taps, pooled, geometry, untouched, source.SpatialSize, IndexConvention.InWindow));
            Assert.All(untouched, v => Assert.Equal(5.0, v));
        }
    }

    /// <summary>
    /// Per-plane indices of tiling windows, each in its own window (what max pooling writes), take the encoded block
    /// gather: the oracle's gather for element types of the vector paths (float, double) and of the per-cell one (Half,
    /// int, byte), 32-, 64- and 16-bit indices, pooled widths across vector boundaries, an output larger than the blocks,
    /// dilation, 1 and 2 threads, and the double backward. One index moved to another cell of its plane (legal, outside
    /// its window) takes the general gather with the same result; one past the plane is refused and nothing is written.
    /// </summary>
    [Fact]
    public void PerPlaneIndicesInTheirOwnWindowsTakeTheBlockGather()
    {
        foreach ((Pool2DGeometry geometry, int h, int w, Size2D extra) in new[]
        {
            (new Pool2DGeometry(2), 5, 1, new Size2D(0, 0)), (new Pool2DGeometry(2), 3, 17, new Size2D(1, 1)), (new Pool2DGeometry(2), 4, 33, new Size2D(0, 0)),
            (new Pool2DGeometry(new Size2D(3, 2)), 2, 65, new Size2D(2, 1)), (new Pool2DGeometry(new Size2D(1, 4)), 3, 9, new Size2D(0, 3)),
            (new Pool2DGeometry(new Size2D(2, 2), dilation: new Size2D(2, 1)), 3, 8, new Size2D(0, 0)),
        })
        {
            GathersInWindow<float, long>(geometry, h, w, extra);
            GathersInWindow<double, int>(geometry, h, w, extra);
            GathersInWindow<Half, short>(geometry, h, w, extra);
            GathersInWindow<int, long>(geometry, h, w, extra);
            GathersInWindow<byte, int>(geometry, h, w, extra);
        }
    }

    private static void GathersInWindow<T, TIndex>(Pool2DGeometry geometry, int h, int w, Size2D extra)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        (int kh, int kw) = (geometry.KernelSize.Height, geometry.KernelSize.Width);
        var pooled = new Shape4D(2, 3, h, w);
        var size = new Size2D((kh * h) + extra.Height, (kw * w) + extra.Width);
        long outPlane = (long)size.Height * size.Width;
        var random = new Random((h * 31) + w);
        long[] indices = new long[pooled.ElementCount];
        for (int p = 0; p < indices.Length; p++)
        {
            int row = p / w % h, col = p % w;
            indices[p] = (((long)kh * row) + random.Next(kh)) * size.Width + ((long)kw * col) + random.Next(kw);
        }

        T[] y = Enumerable.Range(0, (int)(pooled.PlaneCount * outPlane)).Select(_ => T.CreateChecked(random.Next(0, 100))).ToArray();
        string context = $"{typeof(T).Name}/{typeof(TIndex).Name} k{kh}x{kw} pooled {h}x{w} output {size.Height}x{size.Width}";
        foreach (bool moved in new[] { false, true })
        {
            if (moved)
            {
                indices[indices.Length / 2] = outPlane - 1; // the plane's last cell: legal, in no window but the last one's
            }

            T[] expected = BackwardReference.Gather(y, indices, (int)pooled.PlaneCount, pooled.PlaneSize, outPlane);
            TIndex[] typed = TestData.Convert<TIndex>(indices);
            foreach (int threads in new[] { 1, 2 })
            {
                T[] actual = new T[pooled.ElementCount];
                Functional.MaxUnpool2DBackward(y, typed, pooled, geometry, actual, size, options: Threads.Options(threads));
                Assert.True(expected.SequenceEqual(actual), $"{context}, moved {moved}, {threads} threads");
                if (geometry.Dilation == new Size2D(1, 1))
                {
                    T[] twice = new T[pooled.ElementCount];
                    Functional.MaxPool2DDoubleBackward(y, typed, pooled, geometry, twice, size, options: Threads.Options(threads));
                    Assert.True(expected.SequenceEqual(twice), $"{context}, double backward, moved {moved}, {threads} threads");
                }
            }
        }

        TIndex[] bad = TestData.Convert<TIndex>(indices);
        bad[^1] = TIndex.CreateChecked(outPlane);
        T[] untouched = Enumerable.Repeat(T.One, (int)pooled.ElementCount).ToArray();
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2DBackward(y, bad, pooled, geometry, untouched, size));
        Assert.True(untouched.All(v => v == T.One), context + ": written before the refusal");
    }

    /// <summary>
    /// The channels-last gather (2-D and 3-D, every convention) is the channels-first gather permuted: indices from the
    /// pooling of each layout, channel counts around the per-plane loop's groups of four (1, 3, 4, 5, 9), overlapping,
    /// tiling and dilated windows (in-window taps decode by table inside the input and the general way at the padding),
    /// 1 and 2 threads; and a bad index is refused with nothing written.
    /// </summary>
    [Fact]
    public void ChannelsLastGatherIsTheChannelsFirstGatherPermuted()
    {
        foreach (int c in new[] { 1, 3, 4, 5, 9 })
        {
            foreach (Pool2DGeometry geometry in new[] { new Pool2DGeometry(2), new Pool2DGeometry(3, stride: 2, padding: 1), new Pool2DGeometry(new Size2D(3, 2), stride: new Size2D(1, 2), dilation: new Size2D(2, 1)) })
            {
                const int n = 2, h = 7, w = 6;
                var first = new Shape4D(n, c, h, w);
                Size2D pooledSize = geometry.GetOutputSize(first.SpatialSize);
                double[] x = BackwardReference.Distinct((int)first.ElementCount, c);
                double[] y = BackwardReference.Integers<double>((int)first.ElementCount, c + 1);
                double[] xLast = BackwardReference.ToChannelsLast(x, n, c, h * w), yLast = BackwardReference.ToChannelsLast(y, n, c, h * w);
                int pooled = n * c * pooledSize.Height * pooledSize.Width;
                foreach (IndexConvention convention in Conventions)
                {
                    long[] indices = new long[pooled], indicesLast = new long[pooled];
                    Functional.MaxPool2D(x, first, geometry, new double[pooled], indices, convention);
                    Functional.MaxPool2D(xLast, Shape4D.ChannelsLast(n, h, w, c), geometry, new double[pooled], indicesLast, convention);
                    var pooledFirst = first.WithSpatialSize(pooledSize);
                    var pooledLast = Shape4D.ChannelsLast(n, pooledSize.Height, pooledSize.Width, c);

                    // The dilated windows' pooling input is no size the unpooling accepts: the same gather as max
                    // pooling's double backward, which is validated against the pooling input.
                    bool dilated = geometry.Dilation != new Size2D(1, 1);
                    void Gather(double[] gradient, long[] idx, Shape4D shape, double[] result, ExecutionOptions options)
                    {
                        if (dilated)
                        {
                            Functional.MaxPool2DDoubleBackward(gradient, idx, shape, geometry, result, first.SpatialSize, convention, options);
                        }
                        else
                        {
                            Functional.MaxUnpool2DBackward(gradient, idx, shape, geometry, result, first.SpatialSize, convention, options);
                        }
                    }

                    double[] expected = new double[pooled];
                    Gather(y, indices, pooledFirst, expected, default);
                    double[] expectedLast = BackwardReference.ToChannelsLast(expected, n, c, pooledSize.Height * pooledSize.Width);
                    foreach (int threads in new[] { 1, 2 })
                    {
                        double[] actual = new double[pooled];
                        Gather(yLast, indicesLast, pooledLast, actual, Threads.Options(threads));
                        Assert.True(expectedLast.SequenceEqual(actual), $"2-D C={c} {geometry} {convention} {threads} threads");
                    }

                    indicesLast[^1] = convention == IndexConvention.InWindow ? 9 : n * c * h * w;
                    double[] untouched = Enumerable.Repeat(3.0, pooled).ToArray();
                    Throws.Param<ArgumentOutOfRangeException>("indices", () => Gather(yLast, indicesLast, pooledLast, untouched, default));
                    Assert.All(untouched, v => Assert.Equal(3.0, v));
                }
            }

            var g3 = new Pool3DGeometry(new Size3D(2, 2, 2));
            var s3 = new Shape5D(1, c, 4, 4, 6);
            Size3D p3 = g3.GetOutputSize(s3.SpatialSize);
            long cells = s3.PlaneSize, pooledCells = (long)p3.Depth * p3.Height * p3.Width;
            double[] x3 = BackwardReference.Distinct((int)s3.ElementCount, c + 2), y3 = BackwardReference.Integers<double>((int)s3.ElementCount, c + 3);
            double[] x3Last = BackwardReference.ToChannelsLast(x3, 1, c, cells), y3Last = BackwardReference.ToChannelsLast(y3, 1, c, cells);
            foreach (IndexConvention convention in Conventions)
            {
                int pooled = (int)(c * pooledCells);
                long[] i3 = new long[pooled], i3Last = new long[pooled];
                Functional.MaxPool3D(x3, s3, g3, new double[pooled], i3, convention);
                Functional.MaxPool3D(x3Last, Shape5D.ChannelsLast(1, 4, 4, 6, c), g3, new double[pooled], i3Last, convention);
                double[] expected = new double[pooled];
                Functional.MaxUnpool3DBackward(y3, i3, s3.WithSpatialSize(p3), g3, expected, s3.SpatialSize, convention);
                double[] actual = new double[pooled];
                Functional.MaxUnpool3DBackward(y3Last, i3Last, Shape5D.ChannelsLast(1, p3.Depth, p3.Height, p3.Width, c), g3, actual, s3.SpatialSize, convention, Threads.Options(2));
                Assert.True(BackwardReference.ToChannelsLast(expected, 1, c, pooledCells).SequenceEqual(actual), $"3-D C={c} {convention}");
            }
        }
    }
}
