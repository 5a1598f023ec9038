using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The stride-phase layout of ConvTranspose3D (<c>ConvKernel.Phases.cs</c>): shapes that take it (asserted through the
/// plan) against the plain scatter oracle, bit-identical over thread counts (which split the output rows into parts)
/// and every SIMD width; non-finite weights, which must not meet the padded input's zero margins; and output cells
/// past the input's reach, which are the bias exactly.
/// </summary>
public abstract unsafe class ConvTranspose3DPhaseTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // Per axis: kernel, stride, pad begin, pad end, dilation, output padding; then input size, Cin, Cout, groups.
    public static TheoryData<ConvRankCase, int[], int, int> Cases => new()
    {
        // The benchmark's geometry; 10 channels make a last panel of 4 (tiles of 6) or 2 (tiles of 8).
        { Case([4, 2, 1, 1, 1, 0], [4, 2, 1, 1, 1, 0], [4, 2, 1, 1, 1, 0], 1), [3, 5, 9], 3, 10 },
        // Kernel 3, stride 2 (phases of 2 and 1 taps), output padding past the end padding (unreached last cells).
        { Case([3, 2, 1, 0, 1, 1], [3, 2, 0, 1, 1, 1], [3, 2, 1, 0, 1, 1], 2), [2, 4, 6], 4, 6 },
        // Stride 1 in width and depth (one column phase), a begin padding past half the kernel, groups.
        { Case([3, 1, 1, 1, 1, 0], [2, 2, 0, 0, 1, 0], [3, 1, 2, 0, 1, 0], 2), [3, 3, 17], 2, 4 },
        // Wide padding and kernel 5 in width: three column taps on one side of the input.
        { Case([2, 2, 0, 0, 1, 0], [4, 2, 2, 1, 1, 1], [5, 2, 3, 2, 1, 1], 1), [2, 3, 4], 5, 3 },
    };

    private static ConvRankCase Case(int[] d, int[] h, int[] w, int groups) => new(new RefAxisTriple(d, h, w), groups);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesOracleAndIsBitIdenticalOverThreadsAndWidths(ConvRankCase c, int[] size, int cin, int cout)
    {
        var data = new ConvRankData<T>(true, c, size, 2, cin, cout, 41);
        var plan = new ConvKernel.Plan(true, data.SourceShape, cout, data.Output, data.Geometry, 1);
        Assert.True(plan.Phases, $"{c} should take the phase layout");
        T[] one = data.Run(1);
        T[] expected = data.Oracle();
        ConvAssert.Close<T>(expected, one, data.Terms, $"phases {c}");
        foreach (int threads in new[] { 2, 3 })
        {
            BitAssert.Equal<T>(one, data.Run(threads), $"1 vs {threads} threads, {c}");
        }

        foreach (KernelWidth width in KernelWidths.All)
        {
            var atWidth = new T[one.Length];
            fixed (T* px = data.X, pw = data.W, pb = data.Bias, py = atWidth)
            {
                KernelWidths.Conv(width, px, pw, pb, py, plan, 1);
            }

            BitAssert.Equal<T>(one, atWidth, $"{width}, {c}");
        }
    }

    [Fact]
    public void NonFiniteWeightsMatchTheOracle()
    {
        // An infinite weight at a corner tap meets, in the phase layout, the zero margin of every edge cell: +inf * 0
        // would make those cells NaN where the scatter never multiplies them. Such weights take the GEMM layout.
        ConvRankCase c = Case([4, 2, 1, 1, 1, 0], [4, 2, 1, 1, 1, 0], [4, 2, 1, 1, 1, 0], 1);
        var data = new ConvRankData<T>(true, c, [3, 4, 5], 1, 2, 3, 43);
        data.W[63] = T.PositiveInfinity;
        data.W[64 + 5] = T.NaN;
        T[] expected = data.Oracle();
        T[] actual = data.Run(1);
        int special = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (T.IsFinite(expected[i]))
            {
                ConvAssert.Close<T>(expected.AsSpan(i, 1), actual.AsSpan(i, 1), data.Terms, $"element {i}");
                continue;
            }

            special++;
            Assert.True(T.IsNaN(expected[i]) ? T.IsNaN(actual[i]) : actual[i] == expected[i], $"element {i} is {actual[i]}, expected {expected[i]}");
        }

        Assert.True(special > 0 && special < expected.Length, $"{special} of {expected.Length} cells non-finite: the weights should reach some");
    }

    [Fact]
    public void CellsNoInputReachesAreTheBiasExactly()
    {
        // Kernel 3, stride 2, output padding 1: the last plane, row and column of the output take no input cell.
        ConvRankCase c = Case([3, 2, 0, 0, 1, 1], [3, 2, 0, 0, 1, 1], [3, 2, 0, 0, 1, 1], 1);
        var data = new ConvRankData<T>(true, c, [2, 3, 4], 1, 3, 2, 47);
        data.Bias[0] = -T.Zero;
        Assert.True(new ConvKernel.Plan(true, data.SourceShape, 2, data.Output, data.Geometry, 1).Phases, "the shape should take the phase layout");
        T[] actual = data.Run(1);
        ConvAssert.Close<T>(data.Oracle(), actual, data.Terms, "phases, unreached cells");
        (int od, int oh, int ow) = (data.Output.Depth, data.Output.Height, data.Output.Width);
        Assert.Equal((6, 8, 10), (od, oh, ow));
        int unreached = 0;
        for (int co = 0; co < 2; co++)
        {
            for (int i = 0; i < od * oh * ow; i++)
            {
                if (i / (oh * ow) == od - 1 || i / ow % oh == oh - 1 || i % ow == ow - 1)
                {
                    unreached++;
                    Assert.Equal(BitAssert.Bits(data.Bias[co]), BitAssert.Bits(actual[(co * od * oh * ow) + i]));
                }
            }
        }

        Assert.Equal(2 * ((6 * 8 * 10) - (5 * 7 * 9)), unreached);
    }
}

public sealed class ConvTranspose3DPhaseFloatTests : ConvTranspose3DPhaseTests<float>;

public sealed class ConvTranspose3DPhaseDoubleTests : ConvTranspose3DPhaseTests<double>;
