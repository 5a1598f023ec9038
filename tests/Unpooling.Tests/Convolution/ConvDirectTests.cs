using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The direct layout of the convolution (<c>ConvKernel.Direct.cs</c>): shapes that take it (asserted through the plan)
/// against the plain-loop oracle, and bit-identical to the GEMM layout it replaces (the same chains), over thread
/// counts and every SIMD width; non-finite weights, which must not meet the padded input's zero margins.
/// </summary>
/// <remarks>
/// The GEMM comparison turns <see cref="ConvKernel.DirectForTests"/> off for one call. Other test classes that run a
/// convolution meanwhile take the GEMM layout too, which gives them the same bits, so nothing else can fail by it; the
/// tests of this class run one at a time.
/// </remarks>
public abstract unsafe class ConvDirectTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // Per axis: kernel, stride, pad begin, pad end, dilation, output padding; then input size (D, H, W), Cin, Cout.
    public static TheoryData<ConvRankCase, int[], int, int> Cases => new()
    {
        // D3's source gradient (kernel 4, stride 2, padding 1), 30 output columns (a vector and 14 lanes at 16 lanes),
        // 10 channels (a last panel of 2 in tiles of 8, 4 in tiles of 6).
        { Case([1, 1, 0, 0, 1, 0], [4, 2, 1, 1, 1, 0], [4, 2, 1, 1, 1, 0], 1), [1, 12, 60], 5, 10 },
        // Stride 1, kernel 3, padding 1: 16 columns, 8 channels (whole panels of 8, one panel of 6 and one of 2).
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 1), [1, 5, 16], 3, 8 },
        // Column stride 2 with an odd begin padding (the phases swap) and an odd width; row stride 3, end padding only.
        { Case([1, 1, 0, 0, 1, 0], [2, 3, 0, 1, 1, 0], [3, 2, 1, 0, 1, 0], 1), [1, 8, 33], 4, 5 },
        // Dilation 2 on both axes, column stride 2 (a tap's phase and shift from jw*dW), 30 columns.
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 0, 0, 2, 0], [3, 2, 2, 2, 2, 0], 1), [1, 7, 60], 3, 7 },
        // Column stride 2 from a width of 31: 16 columns, the pair copy's short-row path at 16 lanes.
        { Case([1, 1, 0, 0, 1, 0], [1, 1, 0, 0, 1, 0], [1, 2, 0, 0, 1, 0], 1), [1, 3, 31], 2, 3 },
        // 3-D: depth stride 2 with padding (planes off the input are skipped), groups, 31 columns.
        { Case([3, 2, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 2), [5, 4, 31], 4, 6 },
        // 1-D: a kernel of 5 over 70 columns (five vectors, the last of 6 lanes).
        { Case([1, 1, 0, 0, 1, 0], [1, 1, 0, 0, 1, 0], [5, 1, 2, 2, 1, 0], 1), [1, 1, 70], 3, 9 },
        // Padding of 3 rows around 2: the first and last output rows read only padding (all their taps skipped, so
        // the bias alone), 28 columns (two slots per row at 16 lanes: a tile is one row).
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 3, 3, 1, 0], [3, 1, 1, 1, 1, 0], 1), [1, 2, 28], 3, 4 },
        // Channels-last's register transposes (blocks of 8 floats, 4 doubles) with remainders on every side: column
        // stride 2 with an odd begin padding (each block's even pixels to the second phase), 63 columns (7 float blocks
        // and 7 pixels), 19 input channels (2 float blocks and 3), 13 output channels (8 and 5; 3 double blocks and 1).
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [3, 2, 1, 1, 1, 0], 1), [1, 6, 63], 19, 13 },
        // Whole blocks of input channels, 45 columns (5 float blocks and 5, 11 double blocks and 1), and 40 output
        // channels: two channel blocks of 20 from 2 threads, which a thread runs from one padded copy.
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [5, 1, 2, 2, 1, 0], 1), [1, 5, 45], 16, 40 },
        // Groups: each pixel's group of 11 channels starts off a block boundary of the pixel.
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 2), [1, 4, 30], 22, 18 },
        // Flat slots (strides 1; 56 columns: 6 rows of 58 padded columns in 22 vectors of 16, not 24): slots that cross
        // output rows, the lanes at the two padded columns dropped; 19 input and 13 output channels (transpose remainders).
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 1), [1, 6, 56], 19, 13 },
        // Flat slots in 3-D with groups: 5 rows of 42 padded columns per plane, depth padding skipped per plane.
        { Case([3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 2), [3, 5, 40], 6, 8 },
        // Flat slots over rows of 12 padded columns: each slot crosses a row and a tile of two spans up to four rows.
        { Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 1), [1, 8, 10], 5, 7 },
    };

    /// <summary>One thread, the GEMM layout forced.</summary>
    private static T[] RunGemm(ConvRankData<T> data)
    {
        ConvKernel.DirectForTests = false;
        try
        {
            return data.Run(1);
        }
        finally
        {
            ConvKernel.DirectForTests = true;
        }
    }

    private static ConvRankCase Case(int[] d, int[] h, int[] w, int groups) => new(new RefAxisTriple(d, h, w), groups);

    [Theory]
    [MemberData(nameof(Cases))]
    [Trait("Widths", "Direct")]
    public void MatchesOracleAndTheGemmLayoutBitForBit(ConvRankCase c, int[] size, int cin, int cout)
    {
        var data = new ConvRankData<T>(false, c, size, 2, cin, cout, 53);
        var plan = new ConvKernel.Plan(false, data.SourceShape, cout, data.Output, data.Geometry, 1);
        Assert.True(plan.Direct, $"{c} should take the direct layout");

        // The padded input is rented: its margins must be zeros the call wrote, whatever the pool held. NaN left in the
        // pool's arrays of that size (the calling thread's, which a 1-thread run rents back) would reach the output.
        var poisoned = new T[4][];
        for (int i = 0; i < poisoned.Length; i++)
        {
            poisoned[i] = System.Buffers.ArrayPool<T>.Shared.Rent((int)plan.DirectInputLength);
            poisoned[i].AsSpan().Fill(T.NaN);
        }

        foreach (T[] array in poisoned)
        {
            System.Buffers.ArrayPool<T>.Shared.Return(array);
        }

        T[] one = data.Run(1);
        ConvAssert.Close<T>(data.Oracle(), one, data.Terms, $"direct {c}");

        BitAssert.Equal<T>(RunGemm(data), one, $"GEMM vs direct layout, {c}");
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

    [Theory]
    [MemberData(nameof(Cases))]
    [Trait("Widths", "Direct")]
    public void ChannelsLastRunsTheDirectLayoutWithTheChannelsLastKernelsBits(ConvRankCase c, int[] size, int cin, int cout)
    {
        // The channels-last convolution runs the direct layout on the pixels (gathered into the padded copy, scattered
        // from a channels-first scratch); with the switch off it takes the channels-last GEMM kernel. Both must be the
        // channels-first bits, permuted.
        var data = new ConvRankData<T>(false, c, size, 2, cin, cout, 61);
        Assert.True(new ConvKernel.Plan(false, data.SourceShape, cout, data.Output, data.Geometry, 3).DirectChannelsLastFits, $"{c} should take the direct layout channels-last");
        T[] first = data.Run(1);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            BitAssert.Equal<T>(first, data.RunChannelsLast(threads), $"channels-last direct, {threads} threads, {c}");
        }

        ConvKernel.DirectForTests = false;
        try
        {
            BitAssert.Equal<T>(first, data.RunChannelsLast(1), $"channels-last kernel, {c}");
        }
        finally
        {
            ConvKernel.DirectForTests = true;
        }
    }

    /// <summary>
    /// Flat slots where strides are 1 and the flattened padded plane saves a twentieth or more of the tiles (pairs of
    /// 16-lane slots) that one run of slots per output row needs: 56 columns (6 rows of 58 padded columns in 11 pairs
    /// against 12) and 10 (8 rows of 12 in 3 pairs against 4) take them; 28 columns (28 rows of 30: 27 pairs against 28),
    /// 16 (no lane wasted by rows), column stride 2 and row stride 2 do not.
    /// </summary>
    [Fact]
    public void FlatSlotsAreTakenWhereTheyNeedFewerVectors()
    {
        ConvRankCase k3 = Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 1);
        (ConvRankCase Case, int[] Size, bool Flat)[] shapes =
        [
            (k3, [1, 6, 56], true),
            (k3, [1, 8, 10], true),
            (k3, [1, 28, 28], false),
            (k3, [1, 6, 16], false),
            (Case([1, 1, 0, 0, 1, 0], [3, 1, 1, 1, 1, 0], [3, 2, 1, 1, 1, 0], 1), [1, 6, 112], false),
            (Case([1, 1, 0, 0, 1, 0], [3, 2, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 1), [1, 12, 56], false),
        ];
        foreach ((ConvRankCase c, int[] size, bool flat) in shapes)
        {
            var data = new ConvRankData<T>(false, c, size, 1, 3, 4, 61);
            var plan = new ConvKernel.Plan(false, data.SourceShape, 4, data.Output, data.Geometry, 1);
            Assert.True(plan.Direct, $"{c} {string.Join('x', size)} should take the direct layout");
            Assert.True(plan.DirectFlat == flat, $"{c} {string.Join('x', size)}: flat slots {plan.DirectFlat}, expected {flat}");
        }
    }

    [Fact]
    public void NonFiniteWeightsTakeTheGemmLayout()
    {
        // Output row 0 reads only padding rows: the direct layout skips all its taps (the bias alone), while the GEMM
        // multiplies im2col's zeros by every weight, and an infinite one makes the cell NaN (the contract, as libtorch
        // gives for the input padded with zeros: ConvNonFiniteTorchTests). For finite weights both are the same bits;
        // for these the call must give the GEMM's.
        ConvRankCase c = Case([1, 1, 0, 0, 1, 0], [3, 1, 3, 3, 1, 0], [3, 1, 1, 1, 1, 0], 1);
        var data = new ConvRankData<T>(false, c, [1, 2, 28], 1, 2, 3, 59);
        Assert.True(new ConvKernel.Plan(false, data.SourceShape, 3, data.Output, data.Geometry, 1).Direct, "the shape should take the direct layout");
        data.W[0] = T.PositiveInfinity;
        T[] actual = data.Run(1);
        BitAssert.Equal<T>(RunGemm(data), actual, "non-finite weights take the GEMM layout");

        // Row 0 of channel 0 is where the layouts part: NaN from the GEMM, the bias from the direct layout; the oracle,
        // a loop over real cells only, gives the finite value.
        T[] expected = data.Oracle();
        for (int ow = 0; ow < data.Output.Width; ow++)
        {
            Assert.True(T.IsNaN(actual[ow]) && T.IsFinite(expected[ow]), $"row 0, column {ow}: {actual[ow]} (oracle {expected[ow]})");
        }

        // Channels 1 and 2 have finite weights: the oracle's values.
        int plane = data.Output.Height * data.Output.Width;
        ConvAssert.Close<T>(expected.AsSpan(plane), actual.AsSpan(plane), data.Terms, "finite channels");
    }
}

public sealed class ConvDirectFloatTests : ConvDirectTests<float>;

public sealed class ConvDirectDoubleTests : ConvDirectTests<double>;
