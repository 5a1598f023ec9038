using System.Buffers;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;
using static Unpooling.Tests.BlockRanks.BlockRankHarness;
using static Unpooling.Tests.Reference.BlockReference3D;

namespace Unpooling.Tests.BlockRanks;

/// <summary>
/// Properties of the 1-D and 3-D block family and of every rank's channels-last path: bit-identical results for any
/// thread count, 1-D equal to 2-D of height 1 and 3-D of depth 1 equal to 2-D (random offsets included), the TensorSpan
/// forms (dense, PyTorch channels_last views in place, other strided views, runs of samples) equal to the span
/// forms, zero insertion and subsample adjoint on integers, and allocation-free span forms.
/// </summary>
public sealed class BlockRanksPropertyTests
{
    private static readonly BlockOp[] Ops = Enum.GetValues<BlockOp>();

    [Fact]
    public void ThreadCountDoesNotChangeTheBits()
    {
        const int n = 3, c = 4;
        foreach ((int rank, Dims input, Dims k) in new[] { (3, new Dims(3, 5, 37), new Dims(2, 2, 2)), (3, new Dims(4, 3, 9), new Dims(3, 2, 1)), (1, new Dims(1, 1, 301), new Dims(1, 1, 3)) })
        {
            foreach (TensorLayout layout in new[] { TensorLayout.ChannelsFirst, TensorLayout.ChannelsLast })
            {
                float[] xFirst = Data<float>(n * c * input.Volume, input.W);
                float[] x = layout == TensorLayout.ChannelsLast ? ToChannelsLast(xFirst, n, c, input) : xFirst;
                foreach (BlockOp op in Ops)
                {
                    Dims output = OutputOf(op, input, k, new Dims(input.D * k.D, input.H * k.H, (input.W * k.W) + k.W - 1));
                    float[] expected = Expected(op, xFirst, n, c, input, k, new Dims(k.D - 1, 0, k.W - 1), 99, output, layout);
                    foreach (int degree in ElementData.ThreadCounts)
                    {
                        var actual = new float[expected.Length];
                        Span<float>(op, rank, layout, x, n, c, input, k, new Dims(k.D - 1, 0, k.W - 1), 99, output, actual, new ExecutionOptions { MaxDegreeOfParallelism = degree, MinParallelElements = 0 });
                        ElementData.Exact<float>(expected, actual, $"{op} {rank}-D {layout} input {input} factor {k} on {degree} threads");
                    }
                }
            }
        }
    }

    /// <summary>1-D is 2-D of height 1 and 3-D of depth 1 is 2-D, bit for bit and in both layouts (random offsets too: the hash numbers the same cells).</summary>
    [Fact]
    public void LowerRanksAreTheHigherOnesWithUnitAxes()
    {
        const int n = 2, c = 3;
        foreach (TensorLayout layout in new[] { TensorLayout.ChannelsFirst, TensorLayout.ChannelsLast })
        {
            foreach (BlockOp op in Ops)
            {
                foreach (ulong seed in new[] { 1UL, 0xFEEDFACEUL })
                {
                    // 1-D against 2-D (1, L).
                    var line = new Dims(1, 1, 29);
                    var k1 = new Dims(1, 1, 3);
                    int[] x1 = Data<int>(n * c * line.Volume, 3);
                    x1 = layout == TensorLayout.ChannelsLast ? ToChannelsLast(x1, n, c, line) : x1;
                    Dims o1 = OutputOf(op, line, k1, new Dims(1, 1, 88));
                    var a = new int[n * c * o1.Volume];
                    var b = new int[a.Length];
                    Span<int>(op, 1, layout, x1, n, c, line, k1, new Dims(0, 0, 2), seed, o1, a, OneThread);
                    Span<int>(op, 2, layout, x1, n, c, line, k1, new Dims(0, 0, 2), seed, o1, b, OneThread);
                    Assert.True(a.AsSpan().SequenceEqual(b), $"{op} {layout} seed {seed}: 1-D differs from 2-D of height 1");

                    // 3-D (1, H, W) against 2-D (H, W).
                    var plane = new Dims(1, 6, 7);
                    var k3 = new Dims(1, 2, 3);
                    int[] x3 = Data<int>(n * c * plane.Volume, 4);
                    x3 = layout == TensorLayout.ChannelsLast ? ToChannelsLast(x3, n, c, plane) : x3;
                    Dims o3 = OutputOf(op, plane, k3, new Dims(1, 13, 20));
                    a = new int[n * c * o3.Volume];
                    b = new int[a.Length];
                    Span<int>(op, 3, layout, x3, n, c, plane, k3, new Dims(0, 1, 1), seed, o3, a, OneThread);
                    Span<int>(op, 2, layout, x3, n, c, plane, k3, new Dims(0, 1, 1), seed, o3, b, OneThread);
                    Assert.True(a.AsSpan().SequenceEqual(b), $"{op} {layout} seed {seed}: 3-D of depth 1 differs from 2-D");
                }
            }
        }
    }

    /// <summary>Dense tensors, PyTorch channels_last views (in place, both tensors), a channels-last source into a dense
    /// destination and a sliced (strided) source: all equal the oracle. Ranks 1, 2 (channels-last views) and 3.</summary>
    [Fact]
    public void TensorFormsEqualTheOracleForEveryView()
    {
        const int n = 2, c = 5;
        foreach ((int rank, Dims input, Dims k) in new[] { (1, new Dims(1, 1, 11), new Dims(1, 1, 2)), (2, new Dims(1, 3, 4), new Dims(1, 2, 2)), (3, new Dims(2, 3, 4), new Dims(2, 1, 2)) })
        {
            double[] xFirst = Data<double>(n * c * input.Volume, rank);
            foreach (BlockOp op in Ops)
            {
                Dims output = OutputOf(op, input, k, new Dims(input.D * k.D, input.H * k.H, (input.W * k.W) - 1));
                var offset = new Dims(k.D - 1, 0, k.W - 1);
                double[] first = Expected(op, xFirst, n, c, input, k, offset, 3, output, TensorLayout.ChannelsFirst);
                double[] last = ToChannelsLast(first, n, c, output);
                string context = $"{op} rank {rank}";
                nint[] inLengths = Lengths(rank, n, c, input), outLengths = Lengths(rank, n, c, output);

                // Both channels-last views: the kernel reads and writes the channels-last memory in place.
                double[] xLast = ToChannelsLast(xFirst, n, c, input);
                var yLast = new double[last.Length];
                Run(op, rank, new ReadOnlyTensorSpan<double>(xLast, inLengths, ChannelsLastStrides(rank, c, input)), k, offset, new TensorSpan<double>(yLast, outLengths, ChannelsLastStrides(rank, c, output)));
                ElementData.Exact<double>(last, yLast, $"{context}, channels-last views");

                // A channels-last source into a dense destination, and a strided slice of a wider source: gathered.
                var yFirst = new double[first.Length];
                Run(op, rank, new ReadOnlyTensorSpan<double>(xLast, inLengths, ChannelsLastStrides(rank, c, input)), k, offset, new TensorSpan<double>(yFirst, outLengths));
                ElementData.Exact<double>(first, yFirst, $"{context}, channels-last source into a dense destination");
                if (rank == 2)
                {
                    // The 2-D forms' runs of one sample over channels-last views (in place).
                    Array.Clear(yLast);
                    var view2 = new ReadOnlyTensorSpan<double>(xLast, inLengths, ChannelsLastStrides(rank, c, input));
                    var out2 = new TensorSpan<double>(yLast, outLengths, ChannelsLastStrides(rank, c, output));
                    if (op is BlockOp.ZeroInsert or BlockOp.Subsample)
                    {
                        Functional.StridedSamples(op == BlockOp.ZeroInsert, view2, new Shape4D(n, c, input.H, input.W), new Size2D(k.H, k.W), out2, OneThread, runElements: 1);
                    }
                    else
                    {
                        var mode = op == BlockOp.Fixed ? Unpooling.Internal.BlockUnpoolMode.Fixed : op == BlockOp.Repeat ? Unpooling.Internal.BlockUnpoolMode.Repeat : Unpooling.Internal.BlockUnpoolMode.Random;
                        Functional.BlockUnpool2DSamples(mode, view2, new Shape4D(n, c, input.H, input.W), new Size2D(k.H, k.W), new Size2D(offset.H, offset.W), 3, out2, new Size2D(output.H, output.W), OneThread, runElements: 1);
                    }

                    ElementData.Exact<double>(last, yLast, $"{context}, 2-D channels-last runs of one sample");
                }
                else
                {
                    nint[] wide = (nint[])inLengths.Clone();
                    wide[^1] += 3;
                    double[] padded = new double[wide.Aggregate((nint)1, (p, l) => p * l)];
                    var view = new TensorSpan<double>(padded, wide);
                    NRange[] ranges = [.. Enumerable.Repeat(NRange.All, rank + 1), new NRange(1, 1 + input.W)];
                    new ReadOnlyTensorSpan<double>(xFirst, inLengths).CopyTo(view.Slice(ranges));
                    Array.Clear(yFirst);
                    Run(op, rank, view.Slice(ranges), k, offset, new TensorSpan<double>(yFirst, outLengths));
                    ElementData.Exact<double>(first, yFirst, $"{context}, strided source");

                    // Dense tensors, and the same split into runs of one sample (the random hash numbers planes in the whole tensor).
                    Array.Clear(yFirst);
                    Run(op, rank, new ReadOnlyTensorSpan<double>(xFirst, inLengths), k, offset, new TensorSpan<double>(yFirst, outLengths));
                    ElementData.Exact<double>(first, yFirst, $"{context}, dense");
                    Array.Clear(yFirst);
                    Functional.BlockRanksTensor(ToRankOp(op), new ReadOnlyTensorSpan<double>(xFirst, inLengths), new Size3D(k.D, k.H, k.W), new Size3D(offset.D, offset.H, offset.W), 3, new TensorSpan<double>(yFirst, outLengths), 0d, OneThread, rank, runElements: 1);
                    ElementData.Exact<double>(first, yFirst, $"{context}, runs of one sample");
                    Array.Clear(yLast);
                    Functional.BlockRanksTensor(ToRankOp(op), new ReadOnlyTensorSpan<double>(xLast, inLengths, ChannelsLastStrides(rank, c, input)), new Size3D(k.D, k.H, k.W), new Size3D(offset.D, offset.H, offset.W), 3, new TensorSpan<double>(yLast, outLengths, ChannelsLastStrides(rank, c, output)), 0d, OneThread, rank, runElements: 1);
                    ElementData.Exact<double>(last, yLast, $"{context}, channels-last runs of one sample");
                }
            }
        }
    }

    [Fact]
    public void AllocatingFormsEqualTheOracle()
    {
        var x1 = System.Numerics.Tensors.Tensor.Create(Data<float>(2 * 3 * 10, 1), [2, 3, 10]);
        float[] e1 = BlockReference3D.Fixed(x1.ToArray(), 6, new Dims(1, 1, 10), new Dims(1, 1, 3), new Dims(0, 0, 1), new Dims(1, 1, 31));
        ElementData.Exact<float>(e1, Functional.FixedUnpool1D(x1, 3, 1, 31).ToArray(), "FixedUnpool1D allocating");
        Assert.Equal([2, 3, 31], Functional.FixedUnpool1D(x1, 3, 1, 31).Lengths.ToArray());
        ElementData.Exact<float>(BlockReference3D.Repeat(x1.ToArray(), 6, new Dims(1, 1, 10), new Dims(1, 1, 2), new Dims(1, 1, 20)), Functional.RepeatUnpool1D(x1.AsReadOnlyTensorSpan(), 2).ToArray(), "RepeatUnpool1D allocating");
        ElementData.Exact<float>(BlockReference3D.Random(x1.ToArray(), 6, new Dims(1, 1, 10), new Dims(1, 1, 4), 5, new Dims(1, 1, 40)), Functional.RandomUnpool1D(x1, 4, 5).ToArray(), "RandomUnpool1D allocating");
        ElementData.Exact<float>(BlockReference3D.ZeroInsert(x1.ToArray(), 6, new Dims(1, 1, 10), new Dims(1, 1, 3)), Functional.ZeroInsert1D(x1, 3).ToArray(), "ZeroInsert1D allocating");
        ElementData.Exact<float>(BlockReference3D.Subsample(x1.ToArray(), 6, new Dims(1, 1, 10), new Dims(1, 1, 3)), Functional.StridedSubsample1D(x1, 3).ToArray(), "StridedSubsample1D allocating");

        var d3 = new Dims(2, 3, 4);
        var x3 = System.Numerics.Tensors.Tensor.Create(Data<float>(2 * 2 * d3.Volume, 2), [2, 2, 2, 3, 4]);
        var k = new Dims(2, 3, 2);
        ElementData.Exact<float>(BlockReference3D.Fixed(x3.ToArray(), 4, d3, k, new Dims(1, 2, 0), new Dims(5, 8, 8)), Functional.FixedUnpool3D(x3, new Size3D(2, 3, 2), new Size3D(1, 2, 0), new Size3D(5, 8, 8)).ToArray(), "FixedUnpool3D allocating");
        ElementData.Exact<float>(BlockReference3D.Repeat(x3.ToArray(), 4, d3, new Dims(2, 2, 2), new Dims(4, 6, 8)), Functional.RepeatUnpool3D(x3.AsReadOnlyTensorSpan(), 2).ToArray(), "RepeatUnpool3D allocating");
        ElementData.Exact<float>(BlockReference3D.Random(x3.ToArray(), 4, d3, k, 11, new Dims(4, 9, 8)), Functional.RandomUnpool3D(x3, new Size3D(2, 3, 2), 11).ToArray(), "RandomUnpool3D allocating");
        ElementData.Exact<float>(BlockReference3D.ZeroInsert(x3.ToArray(), 4, d3, k), Functional.ZeroInsert3D(x3, new Size3D(2, 3, 2)).ToArray(), "ZeroInsert3D allocating");
        ElementData.Exact<float>(BlockReference3D.Subsample(x3.ToArray(), 4, d3, k), Functional.StridedSubsample3D(x3.AsReadOnlyTensorSpan(), new Size3D(2, 3, 2)).ToArray(), "StridedSubsample3D allocating");
        Assert.Equal([2, 2, 5, 8, 8], Functional.FixedUnpool3D(x3, new Size3D(2, 3, 2), new Size3D(1, 2, 0), new Size3D(5, 8, 8)).Lengths.ToArray());
    }

    /// <summary><c>&lt;ZeroInsert(x), y&gt; = &lt;x, Subsample(y)&gt;</c> exactly, on integers, for 1-D and 3-D in both layouts.</summary>
    [Fact]
    public void ZeroInsertionAndSubsampleAreAdjoint()
    {
        const int n = 2, c = 3;
        foreach ((int rank, Dims input, Dims s) in new[] { (1, new Dims(1, 1, 9), new Dims(1, 1, 3)), (3, new Dims(3, 4, 5), new Dims(2, 3, 2)), (3, new Dims(2, 1, 6), new Dims(1, 1, 4)) })
        {
            Dims spread = InsertedSize(input, s);
            foreach (TensorLayout layout in new[] { TensorLayout.ChannelsFirst, TensorLayout.ChannelsLast })
            {
                long[] x = Data<long>(n * c * input.Volume, 1), y = Data<long>(n * c * spread.Volume, 2);
                var zx = new long[y.Length];
                var sy = new long[x.Length];
                Span<long>(BlockOp.ZeroInsert, rank, layout, x, n, c, input, s, default, 0, spread, zx, OneThread);
                Span<long>(BlockOp.Subsample, rank, layout, y, n, c, spread, s, default, 0, input, sy, OneThread);
                long left = zx.Zip(y, (p, q) => p * q).Sum(), right = x.Zip(sy, (p, q) => p * q).Sum();
                Assert.True(left == right, $"rank {rank} {layout} stride {s}: <Z x, y> = {left} but <x, S y> = {right}");
                Assert.NotEqual(0, left);
            }
        }
    }

    [Fact]
    public void SpanFormsDoNotAllocate()
    {
        float[] x1 = new float[2 * 3 * 40], y1 = new float[2 * 3 * 120], z1 = new float[2 * 3 * 118];
        float[] x3 = new float[2 * 3 * 2 * 3 * 8], y3 = new float[2 * 3 * 4 * 6 * 16], z3 = new float[2 * 3 * 3 * 5 * 15];
        var s1 = new Shape3D(2, 3, 40);
        var s1Last = Shape3D.ChannelsLast(2, 40, 3);
        var s3 = new Shape5D(2, 3, 2, 3, 8);
        var s3Last = Shape5D.ChannelsLast(2, 2, 3, 8, 3);
        var s2Last = Shape4D.ChannelsLast(2, 6, 8, 3);
        var z3Shape = new Shape5D(2, 3, 3, 5, 15);
        ExecutionOptions options = ExecutionOptions.SingleThreaded;

        void Run()
        {
            Functional.FixedUnpool1D<float>(x1, s1, 3, y1, 1, options: options);
            Functional.RepeatUnpool1D<float>(x1, s1Last, 3, y1, options: options);
            Functional.RandomUnpool1D<float>(x1, s1, 3, 42, y1, options: options);
            Functional.ZeroInsert1D<float>(x1, s1, 3, z1, options);
            Functional.StridedSubsample1D<float>(z1, new Shape3D(2, 3, 118), 3, x1, options);
            Functional.FixedUnpool3D<float>(x3, s3, 2, y3, new Size3D(1, 0, 1), options: options);
            Functional.RepeatUnpool3D<float>(x3, s3Last, 2, y3, options: options);
            Functional.RandomUnpool3D<float>(x3, s3, 2, 42, y3, options: options);
            Functional.RandomUnpool3D<float>(x3, s3Last, 2, 42, y3, options: options);
            Functional.ZeroInsert3D<float>(x3, s3, 2, z3, options);
            Functional.StridedSubsample3D<float>(z3, z3Shape, 2, x3, options);
            Functional.FixedUnpool2D<float>(x3, s2Last, 2, y3.AsSpan(0, 2 * 3 * 12 * 16), options: options);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Run, 10));
    }

    private static BlockRankOp ToRankOp(BlockOp op) => (BlockRankOp)(int)op;

    private static void Run(BlockOp op, int rank, in ReadOnlyTensorSpan<double> x, Dims k, Dims offset, in TensorSpan<double> y)
    {
        if (rank == 2)
        {
            Size2D f = new(k.H, k.W);
            switch (op)
            {
                case BlockOp.Fixed: Functional.FixedUnpool2D(x, f, y, new Size2D(offset.H, offset.W), OneThread); break;
                case BlockOp.Repeat: Functional.RepeatUnpool2D(x, f, y, OneThread); break;
                case BlockOp.Random: Functional.RandomUnpool2D(x, f, 3, y, OneThread); break;
                case BlockOp.ZeroInsert: Functional.ZeroInsert2D(x, f, y, OneThread); break;
                default: Functional.StridedSubsample2D(x, f, y, OneThread); break;
            }

            return;
        }

        BlockRankHarness.Tensor(op, rank, x, k, offset, 3, y, OneThread);
    }
}
