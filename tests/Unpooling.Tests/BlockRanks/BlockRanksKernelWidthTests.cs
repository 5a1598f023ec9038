using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;
using static Unpooling.Tests.BlockRanks.BlockRankHarness;
using static Unpooling.Tests.Reference.BlockReference3D;

namespace Unpooling.Tests.BlockRanks;

/// <summary>
/// The 3-D block kernel at every width it has (per-cell, 128, 256 and 512 bits, pinned; software where the hardware
/// lacks one) with input widths W at every vector boundary in storage lanes, and the channels-last kernel with channel
/// counts C at every boundary, against the oracle; inputs read-only and destinations flush against no-access pages.
/// </summary>
public abstract unsafe class BlockRanksKernelWidthTests<T>
    where T : unmanaged, INumberBase<T>
{
    private const int Planes = 2;

    private static readonly Dims Input = new(2, 2, 0);

    private static readonly Dims[] Factors = [new(2, 2, 2), new(3, 1, 4), new(2, 2, 1), new(2, 1, 3)];

    [Fact]
    [Trait("Widths", "Direct")]
    public void ThreeDKernelEqualsTheOracleAtEveryWidth()
    {
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (int w in KernelWidths.BoundaryWidths(Lanes(width)))
            {
                Dims input = Input with { W = w };
                T[] x = Data<T>(Planes * input.Volume, w);
                foreach (Dims k in Factors)
                {
                    var full = new Dims(input.D * k.D, input.H * k.H, input.W * k.W);
                    foreach (Dims output in new[] { full, new Dims(full.D - k.D + 1, full.H - k.H + 1, full.W - k.W + 1), new Dims(full.D + k.D - 1, full.H + k.H - 1, full.W + k.W - 1) }.Distinct())
                    {
                        Dims offset = new(k.D - 1, k.H / 2, k.W - 1);
                        Check(BlockUnpoolMode.Fixed, width, x, input, k, offset, 0, output, BlockReference3D.Fixed(x, Planes, input, k, offset, output));
                        Check(BlockUnpoolMode.Repeat, width, x, input, k, default, 0, output, BlockReference3D.Repeat(x, Planes, input, k, output));
                        Check(BlockUnpoolMode.Random, width, x, input, k, default, 0x5EED, output, BlockReference3D.Random(x, Planes, input, k, 0x5EED, output));
                    }

                    // Zero insertion: the fixed tap (0, 0, 0) into the cropped output.
                    Check(BlockUnpoolMode.Fixed, width, x, input, k, default, 0, InsertedSize(input, k), BlockReference3D.ZeroInsert(x, Planes, input, k));
                }
            }
        }
    }

    /// <summary>The 3-D cases above with the streaming path forced (see the 2-D width tests): the same bits, nothing
    /// written outside the destination.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void ThreeDKernelEqualsTheOracleWhenItStreams()
    {
        using (StreamingStore.ForceForTests())
        {
            ThreeDKernelEqualsTheOracleAtEveryWidth();
        }
    }

    [Fact]
    public void ChannelsLastKernelEqualsTheOracleAtEveryChannelCount()
    {
        var input = new Dims(2, 1, 3);
        var k = new Dims(2, 1, 2);
        foreach (int c in KernelWidths.All.SelectMany(width => KernelWidths.BoundaryWidths(Lanes(width))).Distinct().Order())
        {
            T[] xFirst = Data<T>(input.Volume * c, c);
            T[] x = ToChannelsLast(xFirst, 1, c, input);
            foreach (BlockOp op in Enum.GetValues<BlockOp>())
            {
                Dims output = OutputOf(op, input, k, new Dims(input.D * k.D, input.H * k.H, (input.W * k.W) - 1));
                T[] expected = Expected(op, xFirst, 1, c, input, k, new Dims(1, 0, 1), 7, output, TensorLayout.ChannelsLast);
                T[] actual = GuardedPages.Run<T>(expected.Length, (d, side) =>
                {
                    using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
                    Span(op, 3, TensorLayout.ChannelsLast, new ReadOnlySpan<T>(s.Pointer, x.Length), 1, c, input, k, new Dims(1, 0, 1), 7, output, new Span<T>(d, expected.Length), OneThread);
                }, $"{typeof(T).Name} channels-last {op} C {c}");
                ElementData.Exact<T>(expected, actual, $"{typeof(T).Name} channels-last {op} C {c}");
            }
        }
    }

    /// <summary>Storage lanes of <typeparamref name="T"/> per vector (the per-cell path uses the 128-bit count).</summary>
    private static int Lanes(KernelWidth width) => Math.Max(128, KernelWidths.Bits(width)) / 8 / sizeof(T);

    private static void Check(BlockUnpoolMode mode, KernelWidth width, T[] x, Dims input, Dims k, Dims offset, ulong seed, Dims output, T[] expected)
    {
        string context = $"{typeof(T).Name} {mode} {width} input {input} factor {k} offset {offset} output {output}";
        var plan = new BlockKernel.Plan(new Size3D(input.D, input.H, input.W), new Size3D(output.D, output.H, output.W), new Size3D(k.D, k.H, k.W), new Size3D(offset.D, offset.H, offset.W));
        T[] actual = GuardedPages.Run<T>(expected.Length, (d, side) =>
        {
            using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
            BlockKernel.Unpool(mode, s.Pointer, d, Planes, plan, seed, T.Zero, 1, KernelWidths.Bits(width));
        }, context);
        ElementData.Exact<T>(expected, actual, context);
    }
}

public sealed class BlockRanksKernelWidthFloatTests : BlockRanksKernelWidthTests<float>;

public sealed class BlockRanksKernelWidthByteTests : BlockRanksKernelWidthTests<byte>;

public sealed class BlockRanksKernelWidthHalfTests : BlockRanksKernelWidthTests<Half>;

public sealed class BlockRanksKernelWidthInt64Tests : BlockRanksKernelWidthTests<long>;
