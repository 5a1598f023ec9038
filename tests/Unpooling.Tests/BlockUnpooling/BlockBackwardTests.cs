using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// Fixed/Random/Repeat Unpool 1D/2D/3D Backward: against the block oracle (the random offsets from the published
/// formula), the adjoint identity with the forward exact on integers in both layouts and at explicit output sizes
/// below and above the default, zero insertion and strided subsample as each other's adjoint, finite differences in
/// double, 1 and 2 threads bit-identical, the tensor forms, and validation.
/// </summary>
public class BlockBackwardTests
{
    private enum Op
    {
        Fixed,
        Random,
        Repeat,
    }

    private static readonly (int D, int H, int W)[] Factors = [(1, 2, 2), (2, 3, 2), (1, 1, 3), (3, 2, 1)];

    /// <summary>Output sizes relative to the default: equal, one less and one more per axis (within the size rule).</summary>
    private static readonly int[] SizeShifts = [0, -1, 1];

    [Fact]
    public void ThreeDimensionsMatchTheOracleAndAreAdjointsInBothLayouts()
    {
        const int n = 2, c = 3;
        (int D, int H, int W) input = (3, 4, 5);
        foreach ((int D, int H, int W) factor in Factors)
        {
            foreach (int shift in SizeShifts)
            {
                (int D, int H, int W) output = (Resize(input.D, factor.D, shift), Resize(input.H, factor.H, shift), Resize(input.W, factor.W, shift));
                var shape = new Shape5D(n, c, input.D, input.H, input.W);
                var outSize = new Size3D(output.D, output.H, output.W);
                long cells = (long)output.D * output.H * output.W, inCells = shape.PlaneSize;
                long[] x = BackwardReference.Integers<long>((int)shape.ElementCount, factor.W + shift);
                long[] y = BackwardReference.Integers<long>((int)(n * c * cells), factor.H - shift);
                var offset = new Size3D(factor.D - 1, factor.H / 2, 0);
                foreach (Op op in Enum.GetValues<Op>())
                {
                    Func<long, int, int, int, (int, int, int)> offsetOf = op switch
                    {
                        Op.Random => (p, d, h, w) => BackwardReference.RandomOffset(77, p, d, h, w, input, factor),
                        _ => (_, _, _, _) => (offset.Depth, offset.Height, offset.Width),
                    };
                    long[] expected = BackwardReference.BlockBackward(y, n * c, input, output, factor, op == Op.Repeat, offsetOf);
                    foreach (bool last in new[] { false, true })
                    {
                        Shape5D s = last ? Shape5D.ChannelsLast(n, input.D, input.H, input.W, c) : shape;
                        long[] xs = last ? BackwardReference.ToChannelsLast(x, n, c, inCells) : x, ys = last ? BackwardReference.ToChannelsLast(y, n, c, cells) : y;
                        long[] forward = new long[ys.Length];
                        long[] backward1 = new long[xs.Length], backward2 = new long[xs.Length];
                        var f = new Size3D(factor.D, factor.H, factor.W);
                        switch (op)
                        {
                            case Op.Fixed:
                                Functional.FixedUnpool3D(xs, s, f, forward, offset, outSize);
                                Functional.FixedUnpool3DBackward(ys, s, f, backward1, offset, outSize, Threads.Options(1));
                                Functional.FixedUnpool3DBackward(ys, s, f, backward2, offset, outSize, Threads.Options(2));
                                break;
                            case Op.Random:
                                Functional.RandomUnpool3D(xs, s, f, 77, forward, outSize);
                                Functional.RandomUnpool3DBackward(ys, s, f, 77, backward1, outSize, Threads.Options(1));
                                Functional.RandomUnpool3DBackward(ys, s, f, 77, backward2, outSize, Threads.Options(2));
                                break;
                            default:
                                Functional.RepeatUnpool3D(xs, s, f, forward, outSize);
                                Functional.RepeatUnpool3DBackward(ys, s, f, backward1, outSize, Threads.Options(1));
                                Functional.RepeatUnpool3DBackward(ys, s, f, backward2, outSize, Threads.Options(2));
                                break;
                        }

                        string context = $"{op} factor {factor} shift {shift} {(last ? "channels-last" : "channels-first")}";
                        Assert.True((last ? BackwardReference.ToChannelsLast(expected, n, c, inCells) : expected).SequenceEqual(backward1), context);
                        Assert.True(backward1.SequenceEqual(backward2), context);
                        Assert.True(BackwardReference.Dot(forward, ys) == BackwardReference.Dot(xs, backward1), context);
                    }
                }
            }
        }
    }

    [Fact]
    public void OneAndTwoDimensionsAreTheThreeDimensionalResult()
    {
        const int n = 2, c = 2, h = 5, w = 7;
        var shape = new Shape4D(n, c, h, w);
        foreach (var factor in new[] { new Size2D(2, 2), new Size2D(3, 2), new Size2D(1, 4) })
        {
            var outSize = new Size2D((h * factor.Height) - (factor.Height > 1 ? 1 : 0), (w * factor.Width) + 1);
            long[] y = BackwardReference.Integers<long>(n * c * outSize.Height * outSize.Width, factor.Width);
            var shape3 = new Shape5D(n, c, 1, h, w);
            var f3 = new Size3D(1, factor.Height, factor.Width);
            var o3 = new Size3D(1, outSize.Height, outSize.Width);
            var offset = new Size2D(factor.Height - 1, 0);
            foreach (bool last in new[] { false, true })
            {
                Shape4D s = last ? Shape4D.ChannelsLast(n, h, w, c) : shape;
                Shape5D s3 = last ? Shape5D.ChannelsLast(n, 1, h, w, c) : shape3;
                long[] a = new long[shape.ElementCount], b = new long[shape.ElementCount];
                Functional.FixedUnpool2DBackward(y, s, factor, a, offset, outSize);
                Functional.FixedUnpool3DBackward(y, s3, f3, b, new Size3D(0, offset.Height, offset.Width), o3);
                Assert.Equal(b, a);
                Functional.RandomUnpool2DBackward(y, s, factor, 5, a, outSize, Threads.Options(2));
                Functional.RandomUnpool3DBackward(y, s3, f3, 5, b, o3);
                Assert.Equal(b, a);
                Functional.RepeatUnpool2DBackward(y, s, factor, a, outSize);
                Functional.RepeatUnpool3DBackward(y, s3, f3, b, o3);
                Assert.Equal(b, a);
            }
        }

        // 1-D: planes of one row, checked against the 2-D call of height 1 and by adjointness with the 1-D forward.
        var shape1 = new Shape3D(2, 3, 9);
        long[] x1 = BackwardReference.Integers<long>(54, 1), y1 = BackwardReference.Integers<long>(2 * 3 * 26, 2);
        long[] u = new long[y1.Length], r = new long[54];
        Functional.FixedUnpool1D(x1, shape1, 3, u, 2, 26);
        Functional.FixedUnpool1DBackward(y1, shape1, 3, r, 2, 26);
        Assert.Equal(BackwardReference.Dot(u, y1), BackwardReference.Dot(x1, r));
        Functional.RandomUnpool1D(x1, shape1, 3, 9, u, 26);
        Functional.RandomUnpool1DBackward(y1, shape1, 3, 9, r, 26);
        Assert.Equal(BackwardReference.Dot(u, y1), BackwardReference.Dot(x1, r));
        Functional.RepeatUnpool1D(x1, shape1, 3, u, 26);
        Functional.RepeatUnpool1DBackward(y1, shape1, 3, r, 26);
        Assert.Equal(BackwardReference.Dot(u, y1), BackwardReference.Dot(x1, r));
        long[] r2 = new long[54];
        Functional.RepeatUnpool2DBackward(y1, new Shape4D(2, 3, 1, 9), new Size2D(1, 3), r2, new Size2D(1, 26));
        Assert.Equal(r2, r);
    }

    /// <summary>Zero insertion and strided subsample are each other's adjoint (so each other's backward), every rank and layout.</summary>
    [Fact]
    public void ZeroInsertionAndStridedSubsampleAreAdjoints()
    {
        foreach (var stride in new[] { new Size3D(1, 2, 2), new Size3D(2, 3, 1), new Size3D(3, 1, 2) })
        {
            foreach (bool last in new[] { false, true })
            {
                var s = last ? Shape5D.ChannelsLast(2, 3, 4, 5, 2) : new Shape5D(2, 2, 3, 4, 5);
                var outSize = new Size3D(((3 - 1) * stride.Depth) + 1, ((4 - 1) * stride.Height) + 1, ((5 - 1) * stride.Width) + 1);
                var big = last ? Shape5D.ChannelsLast(2, outSize.Depth, outSize.Height, outSize.Width, 2) : new Shape5D(2, 2, outSize.Depth, outSize.Height, outSize.Width);
                long[] x = BackwardReference.Integers<long>((int)s.ElementCount, 3), y = BackwardReference.Integers<long>((int)big.ElementCount, 4);
                long[] z = new long[y.Length], back = new long[x.Length];
                Functional.ZeroInsert3D(x, s, stride, z);
                Functional.StridedSubsample3D(y, big, stride, back);
                Assert.Equal(BackwardReference.Dot(z, y), BackwardReference.Dot(x, back));
            }
        }

        var shape2 = new Shape4D(1, 2, 4, 6);
        long[] x2 = BackwardReference.Integers<long>(48, 5), y2 = BackwardReference.Integers<long>(2 * 7 * 16, 6), z2 = new long[y2.Length], b2 = new long[48];
        Functional.ZeroInsert2D(x2, shape2, new Size2D(2, 3), z2);
        Functional.StridedSubsample2D(y2, new Shape4D(1, 2, 7, 16), new Size2D(2, 3), b2);
        Assert.Equal(BackwardReference.Dot(z2, y2), BackwardReference.Dot(x2, b2));
        long[] x1 = BackwardReference.Integers<long>(12, 7), y1 = BackwardReference.Integers<long>(2 * 16, 8), z1 = new long[y1.Length], b1 = new long[12];
        Functional.ZeroInsert1D(x1, new Shape3D(1, 2, 6), 3, z1);
        Functional.StridedSubsample1D(y1, new Shape3D(1, 2, 16), 3, b1);
        Assert.Equal(BackwardReference.Dot(z1, y1), BackwardReference.Dot(x1, b1));
    }

    [Fact]
    public void AgreesWithFiniteDifferencesInDouble()
    {
        var shape = new Shape4D(1, 2, 3, 4);
        var factor = new Size2D(2, 3);
        var outSize = new Size2D(7, 11);
        double[] x = BackwardReference.Distinct((int)shape.ElementCount, 1), w = BackwardReference.Distinct(2 * 7 * 11, 2);
        foreach (Op op in Enum.GetValues<Op>())
        {
            double[] Forward(double[] input)
            {
                double[] y = new double[w.Length];
                switch (op)
                {
                    case Op.Fixed: Functional.FixedUnpool2D(input, shape, factor, y, new Size2D(1, 2), outSize); break;
                    case Op.Random: Functional.RandomUnpool2D(input, shape, factor, 3, y, outSize); break;
                    default: Functional.RepeatUnpool2D(input, shape, factor, y, outSize); break;
                }

                return y;
            }

            double[] gradient = new double[x.Length];
            switch (op)
            {
                case Op.Fixed: Functional.FixedUnpool2DBackward(w, shape, factor, gradient, new Size2D(1, 2), outSize); break;
                case Op.Random: Functional.RandomUnpool2DBackward(w, shape, factor, 3, gradient, outSize); break;
                default: Functional.RepeatUnpool2DBackward(w, shape, factor, gradient, outSize); break;
            }

            double[] numeric = BackwardReference.FiniteDifference(Forward, x, w, 0.5);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(numeric[i] - gradient[i]) <= 1e-12 * (1 + Math.Abs(gradient[i])), $"{op} cell {i}: {gradient[i]} vs {numeric[i]}");
            }
        }
    }

    [Fact]
    public void TensorFormsMatchTheSpanForm()
    {
        var shape = new Shape4D(2, 3, 4, 5);
        var factor = new Size2D(2, 2);
        double[] y = BackwardReference.Integers<double>(2 * 3 * 8 * 10, 1);
        double[] expected = new double[shape.ElementCount];
        Functional.RepeatUnpool2DBackward(y, shape, factor, expected);
        var gradient = System.Numerics.Tensors.Tensor.Create(y, [2, 3, 8, 10]);
        Assert.Equal(expected, Functional.RepeatUnpool2DBackward(gradient, factor, new Size2D(4, 5)).ToArray());
        var result = System.Numerics.Tensors.Tensor.Create(new double[expected.Length], [2, 3, 4, 5]);
        Functional.RepeatUnpool2DBackward(gradient.AsReadOnlyTensorSpan(), factor, result.AsTensorSpan());
        Assert.Equal(expected, result.ToArray());
        Functional.FixedUnpool2DBackward(y, shape, factor, expected, new Size2D(1, 1));
        Assert.Equal(expected, Functional.FixedUnpool2DBackward(gradient, factor, new Size2D(4, 5), new Size2D(1, 1)).ToArray());
        Functional.RandomUnpool3DBackward(y, new Shape5D(2, 3, 1, 4, 5), new Size3D(1, 2, 2), 8, expected);
        Assert.Equal(expected, Functional.RandomUnpool3DBackward(System.Numerics.Tensors.Tensor.Create(y, [2, 3, 1, 8, 10]), new Size3D(1, 2, 2), 8, new Size3D(1, 4, 5)).ToArray());
        double[] e1 = new double[240];
        Functional.RepeatUnpool1DBackward(y, new Shape3D(2, 3, 40), 2, e1);
        Assert.Equal(e1, Functional.RepeatUnpool1DBackward(System.Numerics.Tensors.Tensor.Create(y, [2, 3, 80]), 2, 40).ToArray());
    }

    /// <summary>
    /// Random unpooling's backward hashes whole rows in chunks of 256 cells: rows of 1 to 600 cells (one
    /// chunk, several, a partial last one), factors that are and are not powers of two (the hash's shift and multiply
    /// scalings), a depth factor (the tap split into depth and height), and outputs that cut the last blocks off, each
    /// against the oracle's per-cell hash, at 1 and 2 threads, and channels-last with 3, 64 and 520 channels (one chunk
    /// of pixels per row, several, and past the tap table).
    /// </summary>
    [Fact]
    public void RandomBackwardOfWideRowsMatchesTheOracle()
    {
        foreach (int w in new[] { 1, 255, 256, 257, 600 })
        {
            foreach ((int D, int H, int W) factor in new[] { (1, 2, 2), (1, 3, 5), (2, 2, 3), (1, 1, 1) })
            {
                // 3 planes: one channels-last chunk per row; 64: chunks of 63 cells; 520: past the tap table (per channel).
                foreach (int planes in w <= 255 ? new[] { 3, 64, 520 } : new[] { 3, 64 })
                {
                    (int D, int H, int W) input = (factor.D, 3, w);
                    (int D, int H, int W) output = (input.D * factor.D, (input.H * factor.H) - (factor.H > 1 ? 1 : 0), (input.W * factor.W) - (factor.W > 1 ? 1 : 0));
                    long[] y = BackwardReference.Integers<long>(planes * output.D * output.H * output.W, w + factor.W);
                    long[] expected = BackwardReference.BlockBackward(
                        y, planes, input, output, factor, false, (pl, d, h, c) => BackwardReference.RandomOffset(41, pl, d, h, c, input, factor));
                    var shape = new Shape5D(1, planes, input.D, input.H, input.W);
                    var f = new Size3D(factor.D, factor.H, factor.W);
                    var o = new Size3D(output.D, output.H, output.W);
                    long[] one = new long[shape.ElementCount], two = new long[shape.ElementCount];
                    Functional.RandomUnpool3DBackward(y, shape, f, 41, one, o, Threads.Options(1));
                    Functional.RandomUnpool3DBackward(y, shape, f, 41, two, o, Threads.Options(2));
                    string context = $"width {w} factor {factor} planes {planes}";
                    Assert.True(expected.SequenceEqual(one), context);
                    Assert.True(expected.SequenceEqual(two), context);

                    // Channels-last: each channel's row is hashed as its plane's, results C apart.
                    long inCells = (long)input.D * input.H * input.W, outCells = (long)output.D * output.H * output.W;
                    long[] last = new long[shape.ElementCount];
                    Functional.RandomUnpool3DBackward(
                        BackwardReference.ToChannelsLast(y, 1, planes, outCells), Shape5D.ChannelsLast(1, input.D, input.H, input.W, planes), f, 41, last, o, Threads.Options(2));
                    Assert.True(BackwardReference.ToChannelsLast(expected, 1, planes, inCells).SequenceEqual(last), "channels-last " + context);
                    if (factor.D == 1)
                    {
                        long[] flat = new long[shape.ElementCount];
                        Functional.RandomUnpool2DBackward(y, new Shape4D(1, planes, input.H, input.W), new Size2D(factor.H, factor.W), 41, flat, new Size2D(output.H, output.W));
                        Assert.True(expected.SequenceEqual(flat), "2-D " + context);
                    }
                }
            }
        }
    }

    [Fact]
    public void ValidationNamesTheArgument()
    {
        var shape = new Shape4D(1, 2, 3, 3);
        double[] y = new double[72], dx = new double[18];
        Throws.Param<ArgumentException>("outputGradient", () => Functional.FixedUnpool2DBackward(new double[71], shape, new Size2D(2, 2), dx));
        Throws.Param<ArgumentException>("sourceGradient", () => Functional.RepeatUnpool2DBackward(y, shape, new Size2D(2, 2), new double[17]));
        Throws.Param<ArgumentOutOfRangeException>("offset", () => Functional.FixedUnpool2DBackward(y, shape, new Size2D(2, 2), dx, new Size2D(2, 0)));
        Throws.Param<ArgumentOutOfRangeException>("factor", () => Functional.RandomUnpool2DBackward(y, shape, new Size2D(0, 2), 1, dx));
        Throws.Param<ArgumentException>("outputSize", () => Functional.RepeatUnpool2DBackward(y, shape, new Size2D(2, 2), dx, new Size2D(8, 6)));
        Throws.Param<ArgumentException>("sourceGradient", () => Functional.FixedUnpool2DBackward(y, shape, new Size2D(2, 2), y.AsSpan(0, 18)));
        Throws.Param<ArgumentException>("outputGradient", () => Functional.FixedUnpool3DBackward(new double[10], new Shape5D(1, 2, 1, 3, 3), new Size3D(1, 2, 2), dx));
        Throws.Param<ArgumentException>("outputGradient", () => Functional.RepeatUnpool2DBackward(System.Numerics.Tensors.Tensor.Create(y, [1, 2, 6, 6]), new Size2D(2, 2), new Size2D(5, 5)));
    }

    /// <summary>
    /// The backward span forms allocate nothing in steady state (pooled scratch only), at one thread, measured on the
    /// calling thread as <see cref="AllocationTests"/> does: the block gathers (fixed, repeat, random, 2-D and 3-D), the
    /// max-pool backward and double backward, and the argmax-unpooling gathers (dense per-plane, byte switches, general).
    /// </summary>
    [Fact]
    public void SpanFormsAllocateNothingInSteadyState()
    {
        var options = new ExecutionOptions { MaxDegreeOfParallelism = 1, MinParallelElements = 0 };
        var shape = new Shape4D(2, 3, 16, 20);
        var pooledShape = new Shape4D(2, 3, 8, 10);
        var k2 = new Pool2DGeometry(2);
        var k3 = new Pool2DGeometry(3, stride: 2, padding: 1);
        var volume = new Shape5D(1, 2, 4, 4, 6);
        float[] x = BackwardReference.Integers<float>((int)shape.ElementCount, 3);
        float[] full = new float[shape.ElementCount], pooled = new float[pooledShape.ElementCount], gradient = BackwardReference.Integers<float>((int)pooledShape.ElementCount, 4);
        long[] indices = new long[pooledShape.ElementCount], overlapping = new long[new Shape4D(2, 3, 8, 10).ElementCount];
        byte[] taps = new byte[pooledShape.ElementCount];
        float[] volumeGradient = new float[volume.ElementCount * 8], volumeResult = new float[volume.ElementCount];
        Functional.MaxPool2D(x, shape, k2, pooled, indices);
        Functional.MaxPool2D(x, shape, k2, pooled, taps, IndexConvention.InWindow);
        Functional.MaxPool2D(x, shape, k3, pooled, overlapping);

        void Run()
        {
            Functional.FixedUnpool2DBackward<float>(full, pooledShape, 2, pooled, new Size2D(1, 0), options: options);
            Functional.RepeatUnpool2DBackward<float>(full, pooledShape, 2, pooled, options: options);
            Functional.RandomUnpool2DBackward<float>(full, pooledShape, 2, 7, pooled, options: options);
            Functional.FixedUnpool3DBackward<float>(volumeGradient, volume, new Size3D(2, 2, 2), volumeResult, options: options);
            Functional.RepeatUnpool3DBackward<float>(volumeGradient, volume, new Size3D(2, 2, 2), volumeResult, options: options);
            Functional.MaxPool2DBackward<float, long>(gradient, indices, pooledShape, k2, full, shape.SpatialSize, options: options);
            Functional.MaxPool2DBackward<float, long>(gradient, overlapping, pooledShape, k3, full, shape.SpatialSize, options: options);
            Functional.MaxPool2DDoubleBackward<float, long>(x, indices, pooledShape, k2, pooled, shape.SpatialSize, options: options);
            Functional.MaxUnpool2DBackward<float, long>(x, indices, pooledShape, k2, pooled, shape.SpatialSize, options: options);
            Functional.MaxUnpool2DBackward<float, byte>(x, taps, pooledShape, k2, pooled, shape.SpatialSize, IndexConvention.InWindow, options);
            Functional.MaxUnpool2DBackward<float, long>(x, overlapping, pooledShape, k3, pooled, shape.SpatialSize, options: options);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Run, 10));
    }

    private static int Resize(int input, int factor, int shift) => Math.Max(1, (input * factor) + (factor > 1 ? shift : 0));
}
