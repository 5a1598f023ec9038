using System.Numerics;
using Unpooling.Tests.Infrastructure;
using static Unpooling.Tests.BlockRanks.BlockRankHarness;
using static Unpooling.Tests.Reference.BlockReference3D;

namespace Unpooling.Tests.BlockRanks;

/// <summary>
/// The 1-D and 3-D block family (and 2-D channels-last) against the plain oracle, in both layouts: grids over the
/// factor, offset and output size per axis (default, smaller and larger by up to factor - 1), with sentinels around
/// the destination. Every element type: 1-, 2-, 4- and 8-byte types move as storage bits, decimal takes the per-cell path.
/// </summary>
public abstract class BlockRanksOracleTests<T>
    where T : unmanaged, INumberBase<T>
{
    private const int N = 2, C = 3;

    private static readonly Dims[] Factors3D = [new(1, 1, 1), new(2, 2, 2), new(1, 2, 4), new(3, 1, 2), new(2, 3, 1), new(2, 1, 3)];

    private static readonly int[] Factors1D = [1, 2, 3, 4, 5];

    private static readonly ulong[] Seeds = [0, 0xDEADBEEFCAFEF00DUL];

    public static TheoryData<BlockOp, TensorLayout> Cases()
    {
        var data = new TheoryData<BlockOp, TensorLayout>();
        foreach (BlockOp op in Enum.GetValues<BlockOp>())
        {
            data.Add(op, TensorLayout.ChannelsFirst);
            data.Add(op, TensorLayout.ChannelsLast);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ThreeDEqualsTheOracle(BlockOp op, TensorLayout layout)
    {
        var input = new Dims(2, 3, 5);
        foreach (Dims k in Factors3D)
        {
            Grid(op, 3, layout, input, k);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneDEqualsTheOracle(BlockOp op, TensorLayout layout)
    {
        foreach (int length in new[] { 1, 7, 16, 33 })
        {
            foreach (int k in Factors1D)
            {
                Grid(op, 1, layout, new Dims(1, 1, length), new Dims(1, 1, k));
            }
        }
    }

    /// <summary>2-D channels-last is new with this slice; channels-first 2-D has its own suites.</summary>
    [Theory]
    [InlineData(BlockOp.Fixed)]
    [InlineData(BlockOp.Repeat)]
    [InlineData(BlockOp.Random)]
    [InlineData(BlockOp.ZeroInsert)]
    [InlineData(BlockOp.Subsample)]
    public void TwoDChannelsLastEqualsTheOracle(BlockOp op)
    {
        foreach (Dims k in new Dims[] { new(1, 1, 1), new(1, 2, 2), new(1, 3, 2), new(1, 1, 4) })
        {
            Grid(op, 2, TensorLayout.ChannelsLast, new Dims(1, 4, 5), k);
        }
    }

    /// <summary>
    /// Blocks of 256 taps (the most one-byte codes hold: the vector writer) and of more (the per-cell writer's 64-bit
    /// codes), for the operators whose taps vary per cell or are fixed, in both layouts.
    /// </summary>
    [Theory]
    [InlineData(BlockOp.Random)]
    [InlineData(BlockOp.Fixed)]
    [InlineData(BlockOp.Repeat)]
    public void LargeBlocksEqualTheOracle(BlockOp op)
    {
        foreach (Dims k in new Dims[] { new(16, 4, 4), new(9, 8, 4), new(5, 13, 2) })
        {
            Grid(op, 3, TensorLayout.ChannelsFirst, new Dims(1, 2, 3), k);
            Grid(op, 3, TensorLayout.ChannelsLast, new Dims(1, 2, 3), k);
        }
    }

    private static void Grid(BlockOp op, int rank, TensorLayout layout, Dims input, Dims k)
    {
        T[] xFirst = Data<T>(N * C * input.Volume, input.Volume + k.Volume);
        T[] x = layout == TensorLayout.ChannelsLast ? ToChannelsLast(xFirst, N, C, input) : xFirst;
        foreach (Dims offset in Offsets(op, k))
        {
            foreach (Dims requested in Outputs(op, rank, input, k))
            {
                foreach (ulong seed in op == BlockOp.Random ? Seeds : [0UL])
                {
                    Dims output = OutputOf(op, input, k, requested);
                    T[] expected = Expected(op, xFirst, N, C, input, k, offset, seed, output, layout);
                    const int pad = 9;
                    var buffer = new T[expected.Length + (2 * pad)];
                    Array.Fill(buffer, T.CreateTruncating(123));
                    Span(op, rank, layout, x, N, C, input, k, offset, seed, output, buffer.AsSpan(pad, expected.Length), OneThread);
                    string context = $"{typeof(T).Name} {op} {rank}-D {layout} input {input} factor {k} offset {offset} output {output} seed {seed:X}";
                    ElementData.Exact<T>(expected, buffer.AsSpan(pad, expected.Length), context);
                    Assert.True(buffer.AsSpan(0, pad).ToArray().All(v => v == T.CreateTruncating(123)) && buffer.AsSpan(pad + expected.Length).ToArray().All(v => v == T.CreateTruncating(123)), $"{context}: a sentinel was overwritten");
                }
            }
        }
    }

    private static IEnumerable<Dims> Offsets(BlockOp op, Dims k)
        => op != BlockOp.Fixed ? [default] : new Dims[] { default, new(k.D - 1, k.H - 1, k.W - 1), new(k.D / 2, k.H / 2, k.W / 2), new(0, k.H - 1, 0) }.Distinct();

    /// <summary>The default size, then each axis alone smaller and larger by factor - 1 (the rule's extremes), then all at once.</summary>
    private static IEnumerable<Dims> Outputs(BlockOp op, int rank, Dims input, Dims k)
    {
        var full = new Dims(input.D * k.D, input.H * k.H, input.W * k.W);
        if (op is BlockOp.ZeroInsert or BlockOp.Subsample)
        {
            return [full];
        }

        var sizes = new List<Dims> { full };
        foreach (int delta in new[] { -1, 1 })
        {
            int dd = rank == 3 ? delta * (k.D - 1) : 0, dh = rank >= 2 ? delta * (k.H - 1) : 0, dw = delta * (k.W - 1);
            sizes.Add(full with { W = Math.Max(1, full.W + dw) });
            sizes.Add(full with { H = Math.Max(1, full.H + dh) });
            sizes.Add(full with { D = Math.Max(1, full.D + dd) });
            sizes.Add(new Dims(Math.Max(1, full.D + dd), Math.Max(1, full.H + dh), Math.Max(1, full.W + dw)));
        }

        return sizes.Distinct();
    }
}

public sealed class BlockRanksOracleFloatTests : BlockRanksOracleTests<float>;

public sealed class BlockRanksOracleDoubleTests : BlockRanksOracleTests<double>;

public sealed class BlockRanksOracleHalfTests : BlockRanksOracleTests<Half>;

public sealed class BlockRanksOracleByteTests : BlockRanksOracleTests<byte>;

public sealed class BlockRanksOracleInt64Tests : BlockRanksOracleTests<long>;

public sealed class BlockRanksOracleDecimalTests : BlockRanksOracleTests<decimal>;
