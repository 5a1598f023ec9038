using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.HostileInput;

/// <summary>
/// The hostile-input issue's pooling defects (1, 2, 12 and tensors of more than a span's elements), each reproduced as
/// the issue states it, and the rest of each defect's class: every tap range and window offset of the pooling row
/// kernel in 64 bits, the window check in closed form, every output validated before anything is written.
/// </summary>
public sealed class PoolingDefectTests
{
    private const int TwoTo30 = 1 << 30;

    private static readonly IndexConvention[] AllConventions = Enum.GetValues<IndexConvention>();

    // ---------------------------------------------------------------- defect 1: offsets past int.MaxValue

    /// <summary>
    /// Defect 1: <c>[1,1,3,1]</c>, kernel (5,1), stride 1, padding (int.MaxValue, 0), dilation (2^30, 1) read about
    /// 4 GB past the source. By hand: keff = 2^30*4 + 1 = 2^32 + 1 and the padded height is 3 + 2*(2^31 - 1) = 2^32 + 1,
    /// so there is one output row. Its window starts at -(2^31 - 1) and its taps are at -(2^31 - 1) + j*2^30:
    /// j=0: -2147483647, j=1: -1073741823, j=2: 1, j=3: 1073741825, j=4: 2147483649. Only j=2 lands on a real row,
    /// row 1. So the value is source[1] whatever rows 0 and 2 hold (here they hold larger values, so reading them would
    /// show), and the index is row 1 in every convention: h*W + w = 1 per plane and global row-major, h + w*H = 1
    /// column-major, (h*W + w)*C + c = 1 channels-last, and the tap kh*kW + kw = 2*1 + 0 = 2 in window.
    /// </summary>
    [Fact]
    public void DilatedPaddedWindowReadsOnlyItsOneRealRow()
    {
        var geometry = new Pool2DGeometry(new Size2D(5, 1), new Size2D(1, 1), new Size2D(int.MaxValue, 0), new Size2D(TwoTo30, 1));
        Assert.Equal(new Size2D(1, 1), geometry.GetOutputSize(new Size2D(3, 1)));
        AssertOneRealRow<float>(geometry);
        AssertOneRealRow<double>(geometry);
        AssertOneRealRow<Half>(geometry);
        AssertOneRealRow<byte>(geometry);
        AssertOneRealRow<short>(geometry);
        AssertOneRealRow<int>(geometry);
        AssertOneRealRow<long>(geometry);
        AssertOneRealRow<decimal>(geometry);
    }

    /// <summary>
    /// The same class on the other axis and with o*s past int.MaxValue: <c>[1,1,1,3]</c>, kernel (1,3), stride (1, 2^30),
    /// padding (0, int.MaxValue), dilation (1, 2^30). keff = 2^31 + 1, padded width 2^32 + 1, so
    /// o = floor((2^32 + 1 - 2^31 - 1) / 2^30) + 1 = 3. Windows start at w*2^30 - (2^31 - 1): -2147483647, -1073741823
    /// and 1 (where 2*2^30 alone is past int.MaxValue). Their real taps: j=2 at 2^31 - (2^31 - 1) = 1; j=1 at 1; j=0 at 1.
    /// So every output is source[1] with per-plane index 1 and in-window taps 2, 1, 0.
    /// </summary>
    [Fact]
    public void StridedWindowsWhoseStartOverflowsIntStillFindTheirRealColumn()
    {
        var geometry = new Pool2DGeometry(new Size2D(1, 3), new Size2D(1, TwoTo30), new Size2D(0, int.MaxValue), new Size2D(1, TwoTo30));
        Assert.Equal(new Size2D(1, 3), geometry.GetOutputSize(new Size2D(1, 3)));
        float[] source = [30f, 10f, 20f];
        var shape = new Shape4D(1, 1, 1, 3);
        var values = new GuardedBuffer<float>(3);
        var indices = new GuardedBuffer<long>(3);
        Functional.MaxPool2D<float, long>(source, shape, geometry, values.Span, indices.Span);
        Assert.Equal([10f, 10f, 10f], values.ToArray());
        Assert.Equal([1L, 1L, 1L], indices.ToArray());
        values.AssertGuardsIntact("values");
        indices.AssertGuardsIntact("indices");

        long[] taps = new long[3];
        Functional.MaxPool2D<float, long>(source, shape, geometry, new float[3], taps, IndexConvention.InWindow);
        Assert.Equal([2L, 1L, 0L], taps);
    }

    /// <summary>
    /// The plan's "int32 offsets suffice" test multiplied two longs that can wrap: padded rows 2^33 times padded columns
    /// 2^31 is 2^64, which wrapped to 0 and let the vector path run its int offsets (DH*W = 53353631 * 2^30) on a plane
    /// they cannot address. Rows: H 1, kernel 82, dilation 53353631, padding 40*53353631 = 2134145240, stride
    /// int.MaxValue, ceil mode: 1 + 2*2134145240 + 81*53353631 = 1 + 161*53353631 = 2^33; the one window starts at
    /// -40*DH, so tap 40 is row 0. Columns: W 2^30, kernel 1, stride 2^24: 2^30 + 64*2^24 = 2^31, and 64 outputs.
    /// Proven on the plan alone (no 4 GB plane needed) and then run on a 1 GB byte plane: output column w is the cell
    /// (0, w*2^24), per-plane index w*2^24, in-window tap 40*1 + 0 = 40.
    /// </summary>
    [Fact]
    public void PlanOffsetProductPast2To64IsNotTakenForSmall()
    {
        const int dh = 53353631;
        var geometry = new Pool2DGeometry(
            new Size2D(82, 1), new Size2D(int.MaxValue, 1 << 24), new Size2D(40 * dh, 0), new Size2D(dh, 1), ceilMode: true);
        var input = new Size2D(1, TwoTo30);
        Size2D output = geometry.GetOutputSize(input);
        Assert.Equal(new Size2D(1, 64), output);
        var plan = new MaxPool2DKernel.Plan(input, output, geometry);
        Assert.False(plan.OffsetsFitInt32, "2^33 * 2^31 wraps to 0 in 64 bits; the plan must see 2^64");
        Assert.False(plan.CanVectorize(4));

        byte[] source = new byte[TwoTo30];
        for (int w = 0; w < 64; w++)
        {
            source[w << 24] = (byte)(1 + ((w * 37) % 200));
        }

        var values = new byte[64];
        var perPlane = new long[64];
        var taps = new byte[64];
        var shape = new Shape4D(1, 1, 1, TwoTo30);
        Functional.MaxPool2D<byte, long>(source, shape, geometry, values, perPlane);
        Functional.MaxPool2D<byte, byte>(source, shape, geometry, new byte[64], taps, IndexConvention.InWindow);
        for (int w = 0; w < 64; w++)
        {
            Assert.Equal((byte)(1 + ((w * 37) % 200)), values[w]);
            Assert.Equal((long)w << 24, perPlane[w]);
            Assert.Equal(40, taps[w]);
        }
    }

    /// <summary>
    /// The kernel's closed-form tap range (which replaced a walk over every kernel row per output row) equals the taps
    /// found one by one, on small axes and on the defect's own: start -(2^31 - 1), kernel 5, dilation 2^30, size 3 gives
    /// the single tap [2, 3).
    /// </summary>
    [Fact]
    public void KernelTapRangeEqualsTheTapsFoundOneByOne()
    {
        for (long start = -20; start <= 12; start++)
        {
            for (int kernel = 1; kernel <= 6; kernel++)
            {
                for (int dilation = 1; dilation <= 5; dilation++)
                {
                    for (int size = 1; size <= 7; size++)
                    {
                        int lo = 0, hi = 0;
                        bool found = false;
                        for (int j = 0; j < kernel; j++)
                        {
                            long cell = start + ((long)j * dilation);
                            if (cell >= 0 && cell < size)
                            {
                                (lo, hi) = found ? (lo, j + 1) : (j, j + 1);
                                found = true;
                            }
                        }

                        (int Lo, int Hi) actual = AxisMath.TapRange(start, kernel, dilation, size);
                        bool same = found ? actual == (lo, hi) : actual.Lo >= actual.Hi;
                        Assert.True(same, $"start {start} k {kernel} d {dilation} size {size}: ({actual.Lo}, {actual.Hi}), expected ({lo}, {hi})");
                    }
                }
            }
        }

        Assert.Equal((2, 3), AxisMath.TapRange(-int.MaxValue, 5, TwoTo30, 3));
        // Window 1 of defect 2: start 1 - 2^30, so columns 0..999 are taps 2^30 - 1 .. 2^30 + 998.
        Assert.Equal((TwoTo30 - 1, TwoTo30 + 999), AxisMath.TapRange(1 - TwoTo30, int.MaxValue, 1, 1000));
    }

    private static void AssertOneRealRow<T>(Pool2DGeometry geometry)
        where T : unmanaged, INumber<T>
    {
        T[] source = [T.CreateTruncating(30), T.CreateTruncating(10), T.CreateTruncating(20)];
        var shape = new Shape4D(1, 1, 3, 1);
        foreach (IndexConvention convention in AllConventions)
        {
            long expected = convention == IndexConvention.InWindow ? 2 : 1;
            string context = $"{typeof(T).Name} {convention}";

            var values = new GuardedBuffer<T>(1);
            var indices = new GuardedBuffer<long>(1);
            Functional.MaxPool2D<T, long>(source, shape, geometry, values.Span, indices.Span, convention);
            Assert.True(values.Span[0] == T.CreateTruncating(10), $"{context}: value {values.Span[0]}, expected source[1] = 10");
            Assert.True(indices.Span[0] == expected, $"{context}: index {indices.Span[0]}, expected {expected}");
            values.AssertGuardsIntact(context);
            indices.AssertGuardsIntact(context);

            (Tensor<T> v, Switches<long> s) = Functional.MaxPool2D<T>(Tensor.Create(source, [1, 1, 3, 1]), geometry, convention);
            Assert.True(v[0, 0, 0, 0] == T.CreateTruncating(10), $"{context} (tensor): value {v[0, 0, 0, 0]}");
            Assert.Equal(expected, s.Indices[0, 0, 0, 0]);
        }
    }

    // ---------------------------------------------------------------- defect 2: the window check in closed form

    /// <summary>
    /// Defect 2: kernel (1, int.MaxValue), stride 1, padding (0, 2^30) on a 1x1000 input hung: the window check walked
    /// every tap of every window, and so did the kernel. By hand: keff = 2^31 - 1, so
    /// o = 1000 + 2^31 - (2^31 - 1) + 1 = 1002 columns. Window w starts at w - 2^30 and ends at
    /// w - 2^30 + 2^31 - 2 = w + 2^30 - 2, so for every w in [0, 1002) it covers all of columns 0..999: each output is the
    /// row's maximum at its first occurrence. The data (37*j mod 1000) is a permutation of 0..999 whose 999 is at
    /// j = 27 (37*27 = 999), so every value is 999 and every per-plane index 27; the in-window tap is the column inside
    /// the window, 27 - (w - 2^30) = 2^30 + 27 - w (an int: the largest tap is 2^31 - 2). The same kernel on the height
    /// axis ([1,1,1000,1], kernel (int.MaxValue, 1), padding (2^30, 0)) gives the same answer through the row ranges.
    /// </summary>
    [Fact]
    public async Task HugeKernelOverPaddingNeitherHangsNorMisses()
    {
        var wide = new Pool2DGeometry(new Size2D(1, int.MaxValue), new Size2D(1, 1), new Size2D(0, TwoTo30));
        var tall = new Pool2DGeometry(new Size2D(int.MaxValue, 1), new Size2D(1, 1), new Size2D(TwoTo30, 0));
        float[] source = new float[1000];
        for (int j = 0; j < 1000; j++)
        {
            source[j] = (37 * j) % 1000;
        }

        var run = Task.Run(() =>
        {
            Assert.Equal(new Size2D(1, 1002), wide.GetOutputSize(new Size2D(1, 1000)));
            Assert.Equal(new Size2D(1002, 1), tall.GetOutputSize(new Size2D(1000, 1)));
            foreach ((Pool2DGeometry geometry, Shape4D shape) in new[] { (wide, new Shape4D(1, 1, 1, 1000)), (tall, new Shape4D(1, 1, 1000, 1)) })
            {
                var values = new float[1002];
                var indices = new long[1002];
                var taps = new int[1002];
                Functional.MaxPool2D<float, long>(source, shape, geometry, values, indices);
                Functional.MaxPool2D<float, int>(source, shape, geometry, new float[1002], taps, IndexConvention.InWindow);
                for (int w = 0; w < 1002; w++)
                {
                    Assert.Equal(999f, values[w]);
                    Assert.Equal(27L, indices[w]);
                    Assert.Equal(TwoTo30 + 27 - w, taps[w]);
                }
            }
        });
        // A hang fails with a TimeoutException after 30 s (the fixed code takes milliseconds).
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The closed form equals the per-tap walk it replaced on every small axis, window counts beyond the geometry's own
    /// included (so dilations above the input size, whose windows can fall between two taps, are well covered).
    /// </summary>
    [Fact]
    public void ClosedFormWindowCheckEqualsThePerTapWalk()
    {
        int cases = 0, bad = 0;
        for (int i = 1; i <= 6; i++)
        {
            for (int k = 1; k <= 5; k++)
            {
                for (int s = 1; s <= 5; s++)
                {
                    for (int p = 0; p <= 8; p++)
                    {
                        for (int d = 1; d <= 8; d++)
                        {
                            for (int o = 1; o <= 12; o++)
                            {
                                long expected = FirstWindowWithoutRealCellByWalk(i, k, s, p, d, o);
                                long actual = AxisMath.FirstWindowWithoutRealCell(i, k, s, p, d, o);
                                Assert.True(expected == actual, $"i {i} k {k} s {s} p {p} d {d} o {o}: walk {expected}, closed form {actual}");
                                cases++;
                                bad += expected >= 0 ? 1 : 0;
                            }
                        }
                    }
                }
            }
        }

        // Both outcomes are well represented (a grid of only valid or only invalid axes would prove little).
        Assert.True(bad > cases / 10 && bad < cases * 9 / 10, $"{bad} of {cases} axes have an empty window");
    }

    /// <summary>
    /// Through the public check, both axes and both rounding modes: <see cref="Pool2DGeometry.GetOutputSize(Size2D)"/>
    /// accepts exactly the geometries the walk accepts, and names the walk's first empty window when it refuses.
    /// </summary>
    [Fact]
    public void GetOutputSizeRefusesExactlyTheGeometriesTheWalkRefuses()
    {
        foreach (bool ceil in new[] { false, true })
        {
            for (int i = 1; i <= 7; i++)
            {
                for (int k = 1; k <= 4; k++)
                {
                    for (int s = 1; s <= 3; s++)
                    {
                        for (int p = 0; p <= 5; p++)
                        {
                            for (int d = 1; d <= 5; d++)
                            {
                                long o = OutputSizeByFormula(i, k, s, p, d, ceil);
                                long empty = o >= 1 ? FirstWindowWithoutRealCellByWalk(i, k, s, p, d, o) : -1;
                                var rows = new Pool2DGeometry(new Size2D(k, 1), new Size2D(s, 1), new Size2D(p, 0), new Size2D(d, 1), ceil);
                                var cols = new Pool2DGeometry(new Size2D(1, k), new Size2D(1, s), new Size2D(0, p), new Size2D(1, d), ceil);
                                string context = $"i {i} k {k} s {s} p {p} d {d} ceil {ceil}";
                                if (o >= 1 && empty < 0)
                                {
                                    Assert.Equal(new Size2D((int)o, 1), rows.GetOutputSize(new Size2D(i, 1)));
                                    Assert.Equal(new Size2D(1, (int)o), cols.GetOutputSize(new Size2D(1, i)));
                                }
                                else
                                {
                                    ArgumentException e = Throws.Param<ArgumentException>("inputSize", () => rows.GetOutputSize(new Size2D(i, 1)));
                                    Throws.Param<ArgumentException>("inputSize", () => cols.GetOutputSize(new Size2D(1, i)));
                                    if (o >= 1)
                                    {
                                        Assert.True(e.Message.Contains($"output height {empty} covers only padding", StringComparison.Ordinal), $"{context}: {e.Message}");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The floor sum behind the residue count equals the plain sum, including the 2^64-wrapping range.</summary>
    [Fact]
    public void FloorSumEqualsThePlainSum()
    {
        for (ulong n = 0; n <= 20; n++)
        {
            for (ulong m = 1; m <= 12; m++)
            {
                for (ulong a = 0; a <= 25; a++)
                {
                    for (ulong b = 0; b <= 25; b++)
                    {
                        ulong plain = 0;
                        for (ulong x = 0; x < n; x++)
                        {
                            plain += ((a * x) + b) / m;
                        }

                        Assert.Equal(plain, AxisMath.FloorSum(n, m, a, b));
                    }
                }
            }
        }

        // n = 2^31 - 1, a = m - 1 = 2^31 - 2, b = 0: sum of floor(a*x/m) = sum of (x - ceil(x/m)) = sum of (x - 1) for
        // x >= 1, below m: n(n-1)/2 - (n - 1).
        const ulong big = int.MaxValue;
        Assert.Equal((big * (big - 1) / 2) - (big - 1), AxisMath.FloorSum(big, big, big - 1, 0));
    }

    /// <summary>The old check, kept as the test-only reference: every tap of every window, one by one.</summary>
    private static long FirstWindowWithoutRealCellByWalk(long i, long k, long s, long p, long d, long o)
    {
        for (long w = 0; w < o; w++)
        {
            long start = (w * s) - p;
            bool real = false;
            for (long j = 0; j < k && !real; j++)
            {
                long cell = start + (j * d);
                real = cell >= 0 && cell < i;
            }

            if (!real)
            {
                return w;
            }
        }

        return -1;
    }

    /// <summary>SEMANTICS.md 1's output size, floor and ceiling as mathematics takes them (may be below 1).</summary>
    private static long OutputSizeByFormula(long i, long k, long s, long p, long d, bool ceil)
    {
        long span = i + (2 * p) - ((d * (k - 1)) + 1);
        long o = (long)(ceil ? Math.Ceiling((double)span / s) : Math.Floor((double)span / s)) + 1;
        if (ceil && (o - 1) * s >= i + p)
        {
            o--;
        }

        return o;
    }

    // ---------------------------------------------------------------- defect 12: no half-written outputs

    /// <summary>
    /// Defect 12: a stride-0 values view with a dense indices view threw "Destination is too short" from the values'
    /// commit after the kernel had written the indices. Now refused first, naming the view; neither output is written.
    /// The same with the roles swapped (the values were written before the indices' commit failed), and with stride 0
    /// on one dimension only.
    /// </summary>
    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(0, 0, 0, 1)]
    [InlineData(0, 0, 2, 0)]
    public void SelfOverlappingOutputViewIsRefusedBeforeEitherOutputIsWritten(int sn, int sc, int sh, int sw)
    {
        float[] source = Source16();
        var geometry = new Pool2DGeometry(new Size2D(2, 2));
        nint[] lengths = [1, 1, 2, 2];
        nint[] strides = [sn, sc, sh, sw];
        const int g = GuardedBuffer<float>.GuardLength;

        var values = new GuardedBuffer<float>(4);
        var indices = new GuardedBuffer<long>(4);
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<float>(source, [1, 1, 4, 4]), geometry, new TensorSpan<float>(values.Array, g, lengths, strides),
            new TensorSpan<long>(indices.Array, g, lengths, [])));
        values.AssertUntouched("stride-0 values");
        indices.AssertUntouched("dense indices beside stride-0 values");

        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<float>(source, [1, 1, 4, 4]), geometry, new TensorSpan<float>(values.Array, g, lengths, []),
            new TensorSpan<long>(indices.Array, g, lengths, strides)));
        values.AssertUntouched("dense values beside stride-0 indices");
        indices.AssertUntouched("stride-0 indices");

        // The same refusal with in-window byte taps: nothing written.
        var taps = new GuardedBuffer<byte>(4);
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<float>(source, [1, 1, 4, 4]), geometry, new TensorSpan<float>(values.Array, g, lengths, strides),
            new TensorSpan<byte>(taps.Array, g, lengths, []), IndexConvention.InWindow));
        values.AssertUntouched("stride-0 values, in-window taps");
        taps.AssertUntouched("in-window taps beside stride-0 values");
    }

    /// <summary>
    /// Strided outputs that share memory with each other or with the source are refused before anything is written
    /// (a strided view was written only at its commit, with no overlap check at all): by the memory range each view
    /// spans, first element to last.
    /// </summary>
    [Fact]
    public void OverlappingStridedViewsAreRefusedBeforeAnythingIsWritten()
    {
        var geometry = new Pool2DGeometry(new Size2D(2, 2));
        nint[] lengths = [1, 1, 2, 2];
        long[] data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        const int g = GuardedBuffer<long>.GuardLength;

        // Values (transposed: strides H 1, W 2) over elements 0..3 of one buffer, dense indices over elements 2..5.
        var shared = new GuardedBuffer<long>(8);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<long>(data, [1, 1, 4, 4]), geometry, new TensorSpan<long>(shared.Array, g, lengths, [0, 0, 1, 2]),
            new TensorSpan<long>(shared.Array, g + 2, lengths, [])));
        shared.AssertUntouched("values and indices in one buffer");

        // Interleaved (values at even, indices at odd elements): refused too, by range.
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<long>(data, [1, 1, 4, 4]), geometry, new TensorSpan<long>(shared.Array, g, lengths, [0, 0, 4, 2]),
            new TensorSpan<long>(shared.Array, g + 1, lengths, [0, 0, 4, 2])));
        shared.AssertUntouched("interleaved values and indices");

        // A strided destination over the source's own last elements.
        long[] backing = new long[16 + 8];
        data.CopyTo(backing, 0);
        long[] before = (long[])backing.Clone();
        var indices = new GuardedBuffer<long>(4);
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<long>(backing, 0, [1, 1, 4, 4], []), geometry, new TensorSpan<long>(backing, 14, lengths, [0, 0, 1, 2]),
            new TensorSpan<long>(indices.Array, g, lengths, [])));
        Assert.Equal(before, backing);
        indices.AssertUntouched("indices beside a destination over the source");
    }

    /// <summary>Span and TensorSpan forms: a wrong indices length or shape leaves the values untouched, and the reverse.</summary>
    [Fact]
    public void AnyRefusedOutputLeavesTheOtherUntouched()
    {
        float[] source = Source16();
        var shape = new Shape4D(1, 1, 4, 4);
        var geometry = new Pool2DGeometry(new Size2D(2, 2));
        var values = new GuardedBuffer<float>(4);
        var shortIndices = new GuardedBuffer<long>(3);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D<float, long>(source, shape, geometry, values.Span, shortIndices.Span));
        values.AssertUntouched("span values");
        shortIndices.AssertUntouched("span indices");

        var indices = new GuardedBuffer<long>(4);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<float>(source, [1, 1, 4, 4]), geometry, new TensorSpan<float>(values.Array, GuardedBuffer<float>.GuardLength, [1, 1, 2, 2], []),
            new TensorSpan<long>(indices.Array, GuardedBuffer<long>.GuardLength, [1, 1, 4, 1], [])));
        values.AssertUntouched("tensor values");
        indices.AssertUntouched("tensor indices of the wrong shape");

        // A 32-bit request over a space past its type: sbyte per-plane indices of a 16x16 plane reach 255.
        var plane = new float[256];
        var smallValues = new GuardedBuffer<float>(64);
        var smallIndices = new GuardedBuffer<sbyte>(64);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<float>(plane, [1, 1, 16, 16]), geometry,
            new TensorSpan<float>(smallValues.Array, GuardedBuffer<float>.GuardLength, [1, 1, 8, 8], []),
            new TensorSpan<sbyte>(smallIndices.Array, GuardedBuffer<sbyte>.GuardLength, [1, 1, 8, 8], [])));
        smallValues.AssertUntouched("values beside indices of too small a type");
        smallIndices.AssertUntouched("indices of too small a type");
    }

    private static float[] Source16()
    {
        float[] source = new float[16];
        for (int j = 0; j < 16; j++)
        {
            source[j] = j + 1;
        }

        return source;
    }

    // ---------------------------------------------------------------- tensors past Array.MaxLength elements

    /// <summary>
    /// A sample of more elements than a span holds is refused naming the tensor: <c>[1, 1, 65536, 65536]</c> (2^32
    /// elements) viewed with all strides 0 over one byte of native memory.
    /// </summary>
    [Fact]
    public unsafe void ASamplePastASpanIsRefusedNamingTheSource()
    {
        byte* cell = (byte*)NativeMemory.AllocZeroed(1);
        try
        {
            var values = new byte[1];
            var indices = new long[1];
            ArgumentException e = Throws.Param<ArgumentException>("source", () => Functional.MaxPool2D(
                new ReadOnlyTensorSpan<byte>(cell, 1, [1, 1, 65536, 65536], [0, 0, 0, 0]), new Pool2DGeometry(new Size2D(65536, 65536)), new TensorSpan<byte>(values, [1, 1, 1, 1]), new TensorSpan<long>(indices, [1, 1, 1, 1])));
            Assert.Contains("4294967296", e.Message, StringComparison.Ordinal);
            Assert.Equal([0L], indices);
        }
        finally
        {
            NativeMemory.Free(cell);
        }
    }

    /// <summary>
    /// <c>[3, 1, 32768, 32768]</c> bytes (3*2^30 elements, past a span) with batch stride 0 over 1 GB of native memory
    /// (zeroed by the allocator and written only on the rows the windows read, so little of it is ever resident): each
    /// sample is viewed in place. Kernel 2x2, stride 64: 512x512 windows per sample at rows and columns 64*o and 64*o + 1.
    /// The cell (h, w) holds (31*h + 17*w) mod 251 + 1 on those rows, and every sample is the same memory, so the values
    /// repeat per sample while the global indices carry n*2^30 (past int.MaxValue from sample 2 on), computed here by a
    /// plain loop over each window. 32-bit signed indices of the global space (3*2^30 - 1) are refused before anything is
    /// written; unsigned ones hold it.
    /// </summary>
    [Theory]
    [InlineData(IndexConvention.PerPlane)]
    [InlineData(IndexConvention.GlobalRowMajor)]
    [InlineData(IndexConvention.GlobalColumnMajor)]
    [InlineData(IndexConvention.ChannelsLastPerSample)]
    [InlineData(IndexConvention.ChannelsLastWithBatch)]
    [InlineData(IndexConvention.InWindow)]
    public unsafe void ABatchPastASpanPoolsSampleBySample(IndexConvention convention)
    {
        const int size = 32768, stride = 64, outSize = 512, n = 3;
        byte* plane = (byte*)NativeMemory.AllocZeroed((nuint)size * size);
        try
        {
            for (long h = 0; h < size; h += stride)
            {
                for (long r = h; r < h + 2; r++)
                {
                    for (long w = 0; w < size; w++)
                    {
                        plane[(r * size) + w] = Cell(r, w);
                    }
                }
            }

            var source = new ReadOnlyTensorSpan<byte>(plane, (nint)size * size, [n, 1, size, size], [0, 0, size, 1]);
            var geometry = new Pool2DGeometry(new Size2D(2, 2), new Size2D(stride, stride));
            int count = n * outSize * outSize;
            nint[] lengths = [n, 1, outSize, outSize];
            byte[] values = new byte[count];
            long[] indices = new long[count];
            Functional.MaxPool2D(source, geometry, new TensorSpan<byte>(values, lengths), new TensorSpan<long>(indices, lengths), convention);

            for (int s = 0; s < n; s++)
            {
                for (int oh = 0; oh < outSize; oh++)
                {
                    for (int ow = 0; ow < outSize; ow++)
                    {
                        // The oracle: the window's four cells in row-major order, first maximum wins.
                        byte best = 0;
                        long bestH = -1, bestW = -1, bestTap = -1;
                        for (int kh = 0; kh < 2; kh++)
                        {
                            for (int kw = 0; kw < 2; kw++)
                            {
                                long h = ((long)oh * stride) + kh, w = ((long)ow * stride) + kw;
                                if (bestH < 0 || Cell(h, w) > best)
                                {
                                    (best, bestH, bestW, bestTap) = (Cell(h, w), h, w, (kh * 2) + kw);
                                }
                            }
                        }

                        long plane2 = (long)size * size;
                        long expected = convention switch
                        {
                            IndexConvention.PerPlane or IndexConvention.ChannelsLastPerSample => (bestH * size) + bestW,
                            IndexConvention.GlobalRowMajor or IndexConvention.ChannelsLastWithBatch => (s * plane2) + (bestH * size) + bestW,
                            IndexConvention.GlobalColumnMajor => (s * plane2) + bestH + (bestW * size),
                            _ => bestTap,
                        };
                        int o = (((s * outSize) + oh) * outSize) + ow;
                        if (values[o] != best || indices[o] != expected)
                        {
                            Assert.Fail($"{convention} sample {s} ({oh}, {ow}): got {values[o]} at {indices[o]}, expected {best} at {expected}");
                        }
                    }
                }
            }

            // The same call on one thread gives the same bits.
            byte[] values1 = new byte[count];
            long[] indices1 = new long[count];
            Functional.MaxPool2D(source, geometry, new TensorSpan<byte>(values1, lengths), new TensorSpan<long>(indices1, lengths), convention, ExecutionOptions.SingleThreaded);
            Assert.Equal(values, values1);
            Assert.Equal(indices, indices1);

            if (convention is IndexConvention.GlobalRowMajor or IndexConvention.GlobalColumnMajor or IndexConvention.ChannelsLastWithBatch)
            {
                var refusedValues = new GuardedBuffer<byte>(count);
                var refusedIndices = new GuardedBuffer<int>(count);
                Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(
                    new ReadOnlyTensorSpan<byte>(plane, (nint)size * size, [n, 1, size, size], [0, 0, size, 1]), geometry,
                    new TensorSpan<byte>(refusedValues.Array, GuardedBuffer<byte>.GuardLength, lengths, []),
                    new TensorSpan<int>(refusedIndices.Array, GuardedBuffer<int>.GuardLength, lengths, []), convention));
                refusedValues.AssertUntouched("values beside refused int indices");
                refusedIndices.AssertUntouched("int indices of a space past int.MaxValue");

                uint[] unsigned = new uint[count];
                Functional.MaxPool2D(source, geometry, new TensorSpan<byte>(new byte[count], lengths), new TensorSpan<uint>(unsigned, lengths), convention);
                for (int o = 0; o < count; o++)
                {
                    Assert.True(unsigned[o] == indices[o], $"uint index {o}: {unsigned[o]}, long {indices[o]}");
                }
            }
        }
        finally
        {
            NativeMemory.Free(plane);
        }

        static byte Cell(long h, long w) => (byte)((((31 * h) + (17 * w)) % 251) + 1);
    }

    /// <summary>
    /// Many samples past a span in all: <c>[32800, 1, 256, 256]</c> bytes (2.15e9 elements) with batch stride 0 over one
    /// 256x256 plane, pooled by a 2x2 kernel with stride 256, so one window per sample, at rows 0..1 and columns 0..1.
    /// Cell (h, w) holds 4*h + w + 1 on those rows, so the window's values are 1, 2, 5, 6 and its maximum is (1, 1) = 6
    /// at plane offset 257. Each sample is dense by itself and viewed in place; the global index is n*65536 + 257, and
    /// channels-last with batch gives ((n*256 + 1)*256 + 1)*1 + 0, the same number. (A view whose samples are not dense
    /// is gathered, 2.15e9 elements one by one: minutes, so the gathered batches are proven on small tensors with small
    /// limits, <see cref="BatchedRunsEqualTheOracleForEveryViewAndLimit"/>.)
    /// </summary>
    [Fact]
    public unsafe void ManySamplesPastASpanPoolInBatches()
    {
        const int batch = 32800, side = 256;
        long total = (long)batch * side * side; // 2149580800
        Assert.True(total > Array.MaxLength, $"{total} elements");
        byte[] plane = new byte[side * side];
        for (int h = 0; h < 2; h++)
        {
            for (int w = 0; w < 2; w++)
            {
                plane[(h * side) + w] = (byte)((4 * h) + w + 1);
            }
        }

        var geometry = new Pool2DGeometry(new Size2D(2, 2), new Size2D(side, side));
        nint[] lengths = [batch, 1, 1, 1];
        fixed (byte* p = plane)
        {
            foreach (nint[] strides in new nint[][] { [0, 0, side, 1] })
            {
                var source = new ReadOnlyTensorSpan<byte>(p, plane.Length, [batch, 1, side, side], strides);
                foreach (IndexConvention convention in new[] { IndexConvention.GlobalRowMajor, IndexConvention.ChannelsLastWithBatch, IndexConvention.PerPlane })
                {
                    byte[] values = new byte[batch];
                    long[] indices = new long[batch];
                    Functional.MaxPool2D(source, geometry, new TensorSpan<byte>(values, lengths), new TensorSpan<long>(indices, lengths), convention);
                    for (int s = 0; s < batch; s++)
                    {
                        long expected = convention == IndexConvention.PerPlane ? 257 : ((long)s * side * side) + 257;
                        if (values[s] != 6 || indices[s] != expected)
                        {
                            Assert.Fail($"strides [{string.Join(", ", strides)}] {convention} sample {s}: got {values[s]} at {indices[s]}, expected 6 at {expected}");
                        }
                    }
                }
            }

            // The allocating form pools the same view into arrays (its output fits one though its input does not).
            var dense = new ReadOnlyTensorSpan<byte>(p, plane.Length, [batch, 1, side, side], [0, 0, side, 1]);
            (Tensor<byte> v, Switches<long> switches) = Functional.MaxPool2D<byte>(dense, geometry, IndexConvention.GlobalRowMajor);
            Assert.Equal(6, v[batch - 1, 0, 0, 0]);
            Assert.Equal(((long)(batch - 1) * side * side) + 257, switches.Indices[batch - 1, 0, 0, 0]);
        }
    }

    /// <summary>
    /// The batched run (<c>MaxPool2DInBatches</c>) with limits small enough to split a <c>[5, 2, 6, 7]</c> tensor: one
    /// sample per batch in place, two or three per batch, gathered batches; dense, batch-stride-0, channels-last and
    /// transposed sources and a padded-row destination. Each result equals the oracle (values and per-plane indices from
    /// <see cref="Reference.MaxPool2DReference"/>, mapped into the convention by <see cref="Reference.IndexConventionReference"/>),
    /// so a batch's missing sample base or a wrong slice shows.
    /// </summary>
    [Fact]
    public void BatchedRunsEqualTheOracleForEveryViewAndLimit()
    {
        var shape = new Shape4D(5, 2, 6, 7);
        var rowsAxis = new Reference.PoolAxis(3, 2, 1, 1);
        var colsAxis = new Reference.PoolAxis(2, 2, 1, 2);
        var geometry = new Pool2DGeometry(new Size2D(3, 2), new Size2D(2, 2), new Size2D(1, 1), new Size2D(1, 2));
        Size2D output = geometry.GetOutputSize(shape.SpatialSize);
        Shape4D outputShape = shape.WithSpatialSize(output);
        float[] dense = TestData.Ties<float>((int)shape.ElementCount, seed: 12, withSpecials: false);
        int sample = shape.Channels * shape.Height * shape.Width;

        // The stride-0 batch: every sample is sample 0.
        float[] repeated = new float[dense.Length];
        for (int j = 0; j < repeated.Length; j++)
        {
            repeated[j] = dense[j % sample];
        }

        foreach (string layout in new[] { "dense", "batch stride 0", "channels-last", "transposed", "padded destination" })
        {
            float[] logical = layout == "batch stride 0" ? repeated : dense;
            Reference.PoolResult<float> oracle = Reference.MaxPool2DReference.Pool(
                logical, shape.Batch * shape.Channels, shape.Height, shape.Width, rowsAxis, colsAxis, ceilMode: false);
            foreach (Functional.BatchLimits limits in new Functional.BatchLimits[] { new(sample, 1 << 20, 1), new(2 * sample, 1 << 20, 1 << 20), new(3 * sample, sample, 1 << 20), new(3 * sample, 2 * sample, 1) })
            {
                foreach (IndexConvention convention in AllConventions)
                {
                    long[] expected = convention == IndexConvention.InWindow
                        ? Reference.IndexConventionReference.InWindowFromPerPlane(oracle.Indices, outputShape, shape.SpatialSize, rowsAxis, colsAxis)
                        : Reference.IndexConventionReference.FromPerPlane(oracle.Indices, outputShape, shape.SpatialSize, convention);
                    var padded = new PaddedTensor<float>(outputShape, layout == "padded destination" ? 3 : 0);
                    long[] indices = new long[outputShape.ElementCount];
                    ReadOnlyTensorSpan<float> source = layout switch
                    {
                        "batch stride 0" => new ReadOnlyTensorSpan<float>(dense, 0, [shape.Batch, shape.Channels, shape.Height, shape.Width], [0, shape.Height * shape.Width, shape.Width, 1]),
                        "channels-last" => TensorViews.View(dense, shape, ViewLayout.ChannelsLast),
                        "transposed" => TensorViews.View(dense, shape, ViewLayout.TransposedPlanes),
                        _ => new ReadOnlyTensorSpan<float>(dense, [shape.Batch, shape.Channels, shape.Height, shape.Width]),
                    };
                    Functional.MaxPool2DInBatches(
                        source, shape, outputShape, geometry, padded.View, new TensorSpan<long>(indices, TensorAdapter.Lengths(outputShape)),
                        convention, ExecutionOptions.Default, limits);
                    string context = $"{layout}, {limits}, {convention}";
                    Assert.True(oracle.Values.AsSpan().SequenceEqual(padded.Read()), $"{context}: values");
                    Assert.True(expected.AsSpan().SequenceEqual(indices), $"{context}: indices");
                    padded.AssertPaddingUntouched(context);
                }
            }
        }
    }
}
