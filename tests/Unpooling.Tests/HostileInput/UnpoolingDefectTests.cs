using System.Diagnostics;
using System.Numerics.Tensors;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.HostileInput;

/// <summary>
/// Hostile input (issue 12), the unpooling side. Defect 13: <c>MaxUnpool2D</c> validated the indices and then read
/// them again to scatter, so another thread changing an index in between made it write outside the destination. Every
/// scatter now checks each index where it uses it and skips one that fails. The deterministic tests call the internal
/// scatters (what runs after validation) with indices validation would refuse, into guarded buffers; the race tests
/// flip indices from another thread while the public operators run in a loop.
/// </summary>
public unsafe class UnpoolingDefectTests
{
    // ---------------------------------------------------------------- defect 13, deterministic: the scatters alone

    /// <summary>
    /// Repro: per-plane indices that passed validation, then changed to -1 (plane 0) and to outH*outW and
    /// outH*outW + 3 (last plane) before the scatter: it wrote <c>y[-1]</c> and past the destination's end. Now those
    /// elements are skipped: the guards hold, and every cell is what the valid indices alone give (plain loop below).
    /// </summary>
    [Theory]
    [InlineData(UnpoolReduction.Replace, 1)]
    [InlineData(UnpoolReduction.Replace, 2)]
    [InlineData(UnpoolReduction.Sum, 1)]
    [InlineData(UnpoolReduction.Sum, 2)]
    public void PerPlaneScatterSkipsAnIndexThatLeftItsRangeAfterValidation(UnpoolReduction reduction, int degree)
    {
        const int planes = 3, inPlane = 6, outPlane = 20; // pooled 2x3, output 4x5
        var random = new Random(13);
        float[] x = Enumerable.Range(1, planes * inPlane).Select(v => (float)v).ToArray();
        long[] indices = Enumerable.Range(0, planes * inPlane).Select(_ => (long)random.Next(outPlane)).ToArray();
        indices[0] = -1;
        indices[3] = -5;
        indices[^1] = outPlane + 3;
        indices[^2] = outPlane;
        indices[7] = long.MinValue;
        indices[8] = int.MaxValue;

        var expected = new float[planes * outPlane];
        for (int i = 0; i < x.Length; i++)
        {
            long index = indices[i];
            if (index >= 0 && index < outPlane)
            {
                int cell = ((i / inPlane) * outPlane) + (int)index;
                expected[cell] = reduction == UnpoolReduction.Sum ? expected[cell] + x[i] : x[i];
            }
        }

        var destination = new GuardedBuffer<float>(planes * outPlane);
        fixed (float* s = x)
        fixed (long* i = indices)
        fixed (float* d = destination.Span)
        {
            MaxUnpool2DKernel.Run(s, i, d, planes, inPlane, outPlane, reduction, degree);
        }

        destination.AssertGuardsIntact($"per-plane {reduction}");
        Assert.Equal(expected, destination.ToArray());
    }

    public static TheoryData<IndexConvention, bool, UnpoolReduction> LayoutCases()
    {
        var data = new TheoryData<IndexConvention, bool, UnpoolReduction>();
        foreach (IndexConvention convention in IndexConventionReference.All.Where(c => c != IndexConvention.PerPlane))
        {
            foreach (bool ownPlanes in new[] { true, false })
            {
                data.Add(convention, ownPlanes, UnpoolReduction.Replace);
                data.Add(convention, ownPlanes, UnpoolReduction.Sum);
            }
        }

        return data;
    }

    /// <summary>
    /// Repro: indices in another convention (ONNX's global ones, TensorFlow's channels-last ones) changed after
    /// validation to -1, to the scope's size (one past its last index), to size + 3, to <see cref="long.MinValue"/>
    /// and <see cref="long.MaxValue"/>; on the per-plane path (every index was in its own plane) also to a valid index
    /// naming another plane. Both scatters wrote through them; now they skip them (the per-plane one also the index
    /// naming another plane, which would race with that plane's thread). Expected from the reference's cell table.
    /// </summary>
    [Theory]
    [MemberData(nameof(LayoutCases))]
    public void LayoutScatterSkipsAnIndexThatLeftItsRangeAfterValidation(IndexConvention convention, bool ownPlanes, UnpoolReduction reduction)
    {
        var pooled = new Shape4D(2, 2, 2, 2);
        var indexed = new Shape4D(2, 2, 3, 3);
        long space = IndexConventionReference.Space(convention, indexed);
        Dictionary<(long Scope, long Index), long> cells = IndexConventionReference.Cells(convention, indexed);
        var random = new Random(17);
        int count = (int)pooled.ElementCount;
        float[] x = Enumerable.Range(1, count).Select(v => (float)v).ToArray();
        var indices = new long[count];
        for (int i = 0; i < count; i++)
        {
            // A random cell of the element's own plane, or (across planes) of its whole scope.
            int plane = i / 4, n = plane / 2, c = plane % 2;
            int cn = ownPlanes ? n : (convention == IndexConvention.ChannelsLastPerSample ? n : random.Next(2));
            int cc = ownPlanes ? c : random.Next(2);
            indices[i] = IndexConventionReference.Index(convention, cn, cc, random.Next(3), random.Next(3), 2, 3, 3);
        }

        indices[0] = -1;
        indices[^1] = space;
        indices[5] = space + 3;
        indices[9] = long.MinValue;
        indices[10] = long.MaxValue;
        if (ownPlanes)
        {
            // Element 2 is of plane (0, 0); this names cell (h 1, w 1) of plane (0, 1), valid in the convention's range.
            indices[2] = IndexConventionReference.Index(convention, 0, 1, 1, 1, 2, 3, 3);
        }

        var expected = new float[indexed.ElementCount];
        for (int i = 0; i < count; i++)
        {
            long plane = i / 4, n = plane / 2, c = plane % 2;
            if (cells.TryGetValue((IndexConventionReference.Scope(convention, n, c, 2), indices[i]), out long cell) && (!ownPlanes || cell / 9 == plane))
            {
                expected[cell] = reduction == UnpoolReduction.Sum ? expected[cell] + x[i] : x[i];
            }
        }

        var destination = new GuardedBuffer<float>((int)indexed.ElementCount);
        fixed (float* s = x)
        fixed (long* i = indices)
        fixed (float* d = destination.Span)
        {
            MaxUnpool2DKernel.Scatter(s, i, d, (int)pooled.PlaneCount, 4, new IndexLayout(convention, indexed), ownPlanes, reduction, degree: 2);
        }

        destination.AssertGuardsIntact($"{convention} ownPlanes {ownPlanes} {reduction}");
        Assert.Equal(expected, destination.ToArray());
    }

    /// <summary>
    /// Repro: InWindow taps changed after validation to kH*kW, -1, <see cref="int.MaxValue"/> or a tap whose cell lies
    /// in the padding. The scatter read its tap-offset table at the bad tap (a stack read out of bounds) and wrote the
    /// cell it gave, or wrote cell -1 of a border window; now each is skipped. A 3x3 stride-2 padding-1 pooling of
    /// 5x5 (pooled 3x3): window (1, 1) lies inside the plane (the table path), the others cross the border.
    /// Expected by the tap formula of SEMANTICS.md 1: tap <c>kh*3 + kw</c> of window (oh, ow) is cell
    /// <c>(2*oh - 1 + kh, 2*ow - 1 + kw)</c>.
    /// </summary>
    [Theory]
    [InlineData(UnpoolReduction.Replace)]
    [InlineData(UnpoolReduction.Sum)]
    public void InWindowScatterSkipsATapThatLeftItsRangeAfterValidation(UnpoolReduction reduction)
    {
        const int planes = 2;
        var geometry = new Pool2DGeometry(3, 2, 1);
        var taps = new WindowTaps(geometry, new Size2D(3, 3), new Size2D(5, 5));
        var random = new Random(19);
        var indices = new long[planes * 9];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = random.Next(9);
        }

        int centre = 4, lastCentre = 9 + 4;
        indices[centre] = 9;              // kH*kW: past the table
        indices[lastCentre] = -1;         // before the table
        indices[0] = 0;                   // window (0, 0), tap (0, 0): cell (-1, -1), in the padding
        indices[8] = 8;                   // window (2, 2), tap (2, 2): cell (5, 5), past the border
        indices[9 + 2] = int.MaxValue;
        indices[9 + 6] = -7;

        float[] x = Enumerable.Range(1, indices.Length).Select(v => (float)v).ToArray();
        var expected = new float[planes * 25];
        for (int i = 0; i < indices.Length; i++)
        {
            int plane = i / 9, oh = i % 9 / 3, ow = i % 3;
            long tap = indices[i];
            long h = (2 * oh) - 1 + (tap / 3), w = (2 * ow) - 1 + (tap % 3);
            if (tap >= 0 && tap < 9 && h >= 0 && h < 5 && w >= 0 && w < 5)
            {
                long cell = (plane * 25) + (h * 5) + w;
                expected[cell] = reduction == UnpoolReduction.Sum ? expected[cell] + x[i] : x[i];
            }
        }

        var destination = new GuardedBuffer<float>(planes * 25);
        fixed (float* s = x)
        fixed (long* i = indices)
        fixed (float* d = destination.Span)
        {
            InWindowKernel.Scatter(s, i, d, planes, taps, reduction, degree: 2);
        }

        destination.AssertGuardsIntact($"in-window {reduction}");
        Assert.Equal(expected, destination.ToArray());
    }

    /// <summary>
    /// Repro: 2x2 in-window switches (the block kernel's path) changed after validation to 4, 0x103, 255 or -1. The
    /// writer narrowed a 64-bit tap to a byte code, so 0x103 became tap 3 and wrote its value into the block; now the
    /// narrowing saturates (255 is no tap of a 2x2 block) and such a block is all zeros. Byte switches of 4, 0xFF and
    /// 0x80 select no cell either. Every width; the output is one row and one column past the blocks (zeros there).
    /// Expected: cell <c>(2i + a, 2j + b)</c> gets <c>x[i, j]</c> when the tap is <c>2a + b</c> with a, b in {0, 1}.
    /// </summary>
    [Theory]
    [InlineData(KernelWidth.Scalar)]
    [InlineData(KernelWidth.V128)]
    [InlineData(KernelWidth.V256)]
    [InlineData(KernelWidth.V512)]
    public void BlockTapWriterSelectsNoCellForATapThatLeftItsRangeAfterValidation(KernelWidth width)
    {
        const int planes = 2, h = 3, w = 40, outH = 7, outW = 81;
        var random = new Random(23);
        long[] wide = Enumerable.Range(0, planes * h * w).Select(_ => (long)random.Next(4)).ToArray();
        wide[0] = 4;
        wide[5] = 0x103;
        wide[17] = 255;
        wide[w + 3] = -1;
        wide[^1] = 0x102;
        wide[^7] = long.MinValue;
        byte[] narrow = wide.Select(t => t is >= 0 and < 4 ? (byte)t : (byte)0).ToArray();
        narrow[0] = 4;
        narrow[5] = 0xFF;
        narrow[17] = 0x80;

        AssertBlockTaps(width, wide, planes, h, w, outH, outW);
        AssertBlockTaps(width, narrow, planes, h, w, outH, outW);
    }

    private static void AssertBlockTaps<TIndex>(KernelWidth width, TIndex[] taps, int planes, int h, int w, int outH, int outW)
        where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        float[] x = Enumerable.Range(1, planes * h * w).Select(v => (float)v).ToArray();
        var expected = new float[planes * outH * outW];
        for (int i = 0; i < x.Length; i++)
        {
            long tap = long.CreateTruncating(taps[i]);
            int plane = i / (h * w), ih = i % (h * w) / w, iw = i % w;
            if (tap is >= 0 and < 4)
            {
                expected[(plane * outH * outW) + (((2 * ih) + (int)(tap / 2)) * outW) + (2 * iw) + (int)(tap % 2)] = x[i];
            }
        }

        var destination = new GuardedBuffer<float>(expected.Length);
        var plan = new BlockKernel.Plan(new Size2D(h, w), new Size2D(outH, outW), new Size2D(2, 2));
        fixed (float* s = x)
        fixed (TIndex* t = taps)
        fixed (float* d = destination.Span)
        {
            BlockKernel.Run(s, d, planes, plan, new TapCode<TIndex>(t), 0f, 2, KernelWidths.Bits(width));
        }

        destination.AssertGuardsIntact($"block taps {typeof(TIndex).Name} {width}");
        Assert.Equal(expected, destination.ToArray());
    }

    public static TheoryData<IndexConvention, IndexConvention> ConversionPairs()
    {
        var data = new TheoryData<IndexConvention, IndexConvention>();
        foreach (IndexConvention from in IndexConventionReference.All)
        {
            foreach (IndexConvention to in IndexConventionReference.All)
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    /// <summary>
    /// Repro: indices that passed ConvertIndices' check, then changed to -1, to the source space, to
    /// <see cref="long.MaxValue"/>, before the converting pass: per plane to global row-major wrote base - 1 (a cell of
    /// the previous plane, or -1 for plane 0), the reverse and the decoding cases wrote values outside the destination
    /// convention's range. Now every value written lies in the destination convention's range, and every valid
    /// index converts as the reference's formula says.
    /// </summary>
    [Theory]
    [MemberData(nameof(ConversionPairs))]
    public void ConversionOfAnIndexThatLeftItsRangeAfterValidationStaysInTheDestinationRange(IndexConvention from, IndexConvention to)
    {
        var pooled = new Shape4D(2, 3, 2, 2);
        var indexed = new Shape4D(2, 3, 3, 4);
        var random = new Random(29);
        long[] perPlane = Enumerable.Range(0, (int)pooled.ElementCount).Select(_ => (long)random.Next(12)).ToArray();
        long[] source = IndexConventionReference.FromPerPlane(perPlane, pooled, indexed.SpatialSize, from);
        long[] expected = IndexConventionReference.FromPerPlane(perPlane, pooled, indexed.SpatialSize, to);
        long fromSpace = IndexConventionReference.Space(from, indexed), toSpace = IndexConventionReference.Space(to, indexed);
        int[] bad = [0, 5, source.Length - 1];
        source[0] = -1;
        source[5] = fromSpace;
        source[^1] = long.MaxValue;

        var destination = new long[source.Length];
        fixed (long* s = source)
        fixed (long* d = destination)
        {
            IndexConversionKernel.Convert(s, d, pooled.PlaneCount, (int)pooled.PlaneSize, new IndexLayout(from, indexed), new IndexLayout(to, indexed));
        }

        for (int i = 0; i < destination.Length; i++)
        {
            Assert.True(destination[i] >= 0 && destination[i] < toSpace, $"{from} -> {to}: position {i} got {destination[i]}, outside [0, {toSpace}).");
            if (!bad.Contains(i))
            {
                Assert.Equal(expected[i], destination[i]);
            }
        }
    }

    /// <summary>
    /// Repro: the writing pass of a conversion to or from InWindow met an index a racing caller had made invalid after
    /// the check, and stopped there: the rest of the destination was left unwritten (uninitialized memory in the
    /// allocating forms). Now that position gets 0 (a value of the destination convention's range) and the pass goes
    /// on. A 2x2 stride-2 pooling of 4x4 (pooled 2x2), 2 planes.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void InWindowConversionOfAnIndexThatLeftItsRangeAfterValidationWritesEveryPosition(bool toInWindow)
    {
        var pooledShape = new Shape4D(1, 2, 2, 2);
        var indexed = new Shape4D(1, 2, 4, 4);
        var taps = new WindowTaps(new Pool2DGeometry(2), pooledShape.SpatialSize, indexed.SpatialSize);
        var layout = new IndexLayout(IndexConvention.PerPlane, indexed);
        var axis = new PoolAxis(2, 2, 0, 1);
        var random = new Random(31);
        long[] tapValues = Enumerable.Range(0, 8).Select(_ => (long)random.Next(4)).ToArray();
        long[] perPlane = IndexConventionReference.PerPlaneFromInWindow(tapValues, pooledShape, indexed.SpatialSize, axis, axis);
        long[] source = toInWindow ? perPlane : tapValues;
        long[] expected = toInWindow ? tapValues : perPlane;
        source = (long[])source.Clone();
        source[1] = toInWindow ? 16 : 4;
        source[6] = -1;
        long limit = toInWindow ? 4 : 16;

        long[] destination = Enumerable.Repeat(12345L, 8).ToArray();
        fixed (long* s = source)
        fixed (long* d = destination)
        {
            IndexConversionKernel.ConvertInWindow(s, d, pooledShape.PlaneCount, taps, layout, toInWindow, out _);
        }

        for (int i = 0; i < destination.Length; i++)
        {
            Assert.True(destination[i] >= 0 && destination[i] < limit, $"position {i} got {destination[i]}, outside [0, {limit}).");
            if (i is not (1 or 6))
            {
                Assert.Equal(expected[i], destination[i]);
            }
        }
    }

    // ---------------------------------------------------------------- the class audit: extreme factors on tiny tensors

    /// <summary>
    /// Argmax unpooling with stride 2^30 on a pooled 2x2: the default size <c>(2-1)*2^30 - 0 + 1 = 2^30 + 1</c> per
    /// axis admits the explicit size 2x2 (it lies in <c>(1, 2^31 + 1)</c>), and per-plane indices in [0, 4) place their
    /// values as written (<c>y[index] = x</c>). Kernel and stride 2^30 give a default of 2^31 per axis, past
    /// <see cref="int.MaxValue"/>: refused naming geometry. In window, the windows of pooled row and column 1 start at
    /// 2^30, off the 2x2 plane: element (0, 1)'s tap 0 (cell (0, 2^30)) is refused naming indices, nothing written.
    /// </summary>
    [Fact]
    public void ArgmaxUnpoolingWithStridesNear2To30OnTinyTensorsGivesTheRightAnswerOrNamesTheParameter()
    {
        var pooled = new Shape4D(1, 1, 2, 2);
        var geometry = new Pool2DGeometry(new Size2D(1, 1), new Size2D(1 << 30, 1 << 30));
        float[] x = [1, 2, 3, 4];
        var y = new float[4];
        Functional.MaxUnpool2D<float, long>(x, [3, 0, 2, 1], pooled, geometry, y, new Size2D(2, 2));
        Assert.Equal([2f, 4, 3, 1], y);

        var huge = new Pool2DGeometry(new Size2D(1 << 30, 1 << 30), new Size2D(1 << 30, 1 << 30));
        Throws.Param<ArgumentException>("geometry", () => Functional.MaxUnpool2D<float, long>(x, [0, 0, 0, 0], pooled, huge, new float[4]));

        var guarded = new GuardedBuffer<float>(4);
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D<float, long>(x, [0, 0, 0, 0], pooled, geometry, guarded.Span, new Size2D(2, 2), IndexConvention.InWindow));
        guarded.AssertUntouched("in-window taps off the plane");

        // Dilation 2^30 with a 2x2 kernel, stride 2, on a pooled 1x1 into 2x2 (the default (1-1)*2 + 2 = 2 has no
        // dilation): tap 0 is cell (0, 0); tap 1 is cell (0, 2^30), off the plane.
        var dilated = new Pool2DGeometry(new Size2D(2, 2), new Size2D(2, 2), dilation: new Size2D(1 << 30, 1 << 30));
        var one = new Shape4D(1, 1, 1, 1);
        var z = new float[4];
        Functional.MaxUnpool2D<float, byte>([5f], [0], one, dilated, z, indexConvention: IndexConvention.InWindow);
        Assert.Equal([5f, 0, 0, 0], z);
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D<float, byte>([5f], [1], one, dilated, new float[4], indexConvention: IndexConvention.InWindow));
    }

    /// <summary>
    /// The block family with factors near 2^31 on a 1x1 input into an explicit 1x1 output (the default <c>1*k</c> admits
    /// any size in <c>(0, 2k)</c>): the block is cut to its first cell, so the output is <c>x</c> exactly when the tap
    /// is (0, 0): fixed offset (0, 0) yes, fixed offset (k-1, k-1) no (its tap <c>(k-1)*k + k-1 ~ 2^62</c> must not
    /// wrap onto 0), repeat always, random as the reference's hash says.
    /// </summary>
    [Theory]
    [InlineData(1 << 30)]
    [InlineData(int.MaxValue)]
    public void BlockUnpoolingWithFactorsNear2To31OnATinyTensorGivesTheRightAnswer(int k)
    {
        var shape = new Shape4D(1, 1, 1, 1);
        var factor = new Size2D(k, k);
        var one = new Size2D(1, 1);
        float[] x = [7f];
        var y = new float[1];
        Functional.FixedUnpool2D<float>(x, shape, factor, y, outputSize: one);
        Assert.Equal(7f, y[0]);
        Functional.FixedUnpool2D<float>(x, shape, factor, y, offset: new Size2D(k - 1, k - 1), outputSize: one);
        Assert.Equal(0f, y[0]);
        Functional.FixedUnpool2D<float>(x, shape, factor, y, offset: new Size2D(0, k - 1), outputSize: one);
        Assert.Equal(0f, y[0]);
        Functional.RepeatUnpool2D<float>(x, shape, factor, y, outputSize: one);
        Assert.Equal(7f, y[0]);
        for (ulong seed = 0; seed < 8; seed++)
        {
            Functional.RandomUnpool2D<float>(x, shape, factor, seed, y, outputSize: one);
            Assert.Equal(UnpoolReference.Random(x, 1, 1, 1, k, k, seed, 1, 1), y);
        }
    }

    /// <summary>
    /// Repro: <c>FixedUnpool2D(span, [1, 1, 1, 1], factor (2^31 - 1, 1), destination)</c> with no output size: the
    /// output <c>[1, 1, 2^31 - 1, 1]</c> holds more elements than a span can, and the span forms named outputSize, which
    /// the caller never gave (the allocating forms name factor since defect 9). Now they name factor too; zero
    /// insertion names stride (3x1 with stride 2^30 gives <c>2*2^30 + 1 = 2^31 + 1</c> rows).
    /// </summary>
    [Fact]
    public void BlockSpanFormsWithATooLargeOutputNameTheFactorWhenNoSizeWasGiven()
    {
        var shape = new Shape4D(1, 1, 1, 1);
        var factor = new Size2D(int.MaxValue, 1);
        Throws.Param<ArgumentException>("factor", () => Functional.FixedUnpool2D<float>([1f], shape, factor, new float[1]));
        Throws.Param<ArgumentException>("factor", () => Functional.RandomUnpool2D<float>([1f], shape, factor, 3, new float[1]));
        Throws.Param<ArgumentException>("factor", () => Functional.RepeatUnpool2D<float>([1f], shape, factor, new float[1]));
        Throws.Param<ArgumentException>("factor", () => Functional.FixedUnpool2D<float>([1f], shape, new Size2D(int.MaxValue, int.MaxValue), new float[1]));
        Throws.Param<ArgumentException>("stride", () => Functional.ZeroInsert2D<float>(new float[3], new Shape4D(1, 1, 3, 1), new Size2D(1 << 30, 1), new float[1]));
        Throws.Param<ArgumentException>("stride", () => Functional.ZeroInsert2D<float>(new float[4], new Shape4D(1, 1, 2, 2), new Size2D(1 << 30, 1 << 30), new float[1]));
    }

    /// <summary>
    /// Index conversion on an indexed 2^31-1 x 2^31-1 plane (2^62 cells, 64-bit indices): per-plane index
    /// <c>h*W + w</c> of the last cell, h = w = 2^31 - 2, converts to column-major <c>h + w*H</c> and channels-last
    /// <c>(h*W + w)*C + c</c> as the formulas say (the reference's), with no 32-bit product on the way.
    /// </summary>
    [Fact]
    public void IndexConversionOnAPlaneOf2To62CellsIsExact()
    {
        const int side = int.MaxValue;
        var shape = new Shape4D(1, 2, 1, 1);
        var indexed = new Size2D(side, side);
        long last = side - 1L;
        long[] perPlane = [(last * side) + last, (3L * side) + 5];
        foreach (IndexConvention to in new[] { IndexConvention.GlobalColumnMajor, IndexConvention.ChannelsLastPerSample, IndexConvention.ChannelsLastWithBatch, IndexConvention.GlobalRowMajor })
        {
            var converted = new long[2];
            Functional.ConvertIndices<long>(perPlane, shape, indexed, IndexConvention.PerPlane, converted, to);
            Assert.Equal(IndexConventionReference.Index(to, 0, 0, last, last, 2, side, side), converted[0]);
            Assert.Equal(IndexConventionReference.Index(to, 0, 1, 3, 5, 2, side, side), converted[1]);
            var back = new long[2];
            Functional.ConvertIndices<long>(converted, shape, indexed, to, back, IndexConvention.PerPlane);
            Assert.Equal(perPlane, back);
        }
    }

    // ---------------------------------------------------------------- TensorSpans past a span's reach, by samples

    public static TheoryData<IndexConvention, UnpoolReduction, int> SplitCases()
    {
        var data = new TheoryData<IndexConvention, UnpoolReduction, int>();
        foreach (IndexConvention convention in IndexConventionReference.All.Append(IndexConvention.InWindow))
        {
            // Runs of one sample, of two (the last run one sample: 5 = 2 + 2 + 1), and all five at once.
            foreach (int samplesPerRun in new[] { 1, 2, 5 })
            {
                data.Add(convention, UnpoolReduction.Replace, samplesPerRun);
            }

            data.Add(convention, UnpoolReduction.Sum, 2);
        }

        return data;
    }

    /// <summary>
    /// The sample-by-sample path of the TensorSpan form (what a tensor of more than 2^31 elements takes), forced onto a
    /// small tensor by a small run size, must equal the reference (SEMANTICS.md 2) in every convention: per-plane,
    /// per-sample and in-window indices read as they are, global ones less their run's base. A 3x3 stride-2 pooling
    /// (overlapping windows, so duplicates meet in Sum) of [5, 3, 9, 9] to [5, 3, 4, 4]; global indices of elements of
    /// plane (n, 0) name a cell of plane (n, 1) (within the sample: the planes are not independent). The destination
    /// is a row-padded view, so each run goes through its buffer and commit.
    /// </summary>
    [Theory]
    [MemberData(nameof(SplitCases))]
    public void TensorSpanUnpoolingBySamplesEqualsTheReference(IndexConvention convention, UnpoolReduction reduction, int samplesPerRun)
    {
        var pooled = new Shape4D(5, 3, 4, 4);
        var output = new Size2D(9, 9);
        var geometry = new Pool2DGeometry(3, 2);
        var axis = new PoolAxis(3, 2, 0, 1);
        var random = new Random(43);
        int count = (int)pooled.ElementCount;
        float[] x = Enumerable.Range(1, count).Select(v => (float)v).ToArray();
        long[] perPlane = new long[count];
        for (int i = 0; i < count; i++)
        {
            int oh = i % 16 / 4, ow = i % 4;
            perPlane[i] = IndexConventionReference.CellOfTap(random.Next(9), oh, ow, axis, axis, output);
        }

        long[] indices = convention == IndexConvention.InWindow
            ? IndexConventionReference.InWindowFromPerPlane(perPlane, pooled, output, axis, axis)
            : IndexConventionReference.FromPerPlane(perPlane, pooled, output, convention);
        IndexConvention referenceConvention = convention == IndexConvention.InWindow ? IndexConvention.PerPlane : convention;
        long[] referenceIndices = convention == IndexConvention.InWindow ? perPlane : indices;
        if (convention is not (IndexConvention.PerPlane or IndexConvention.InWindow or IndexConvention.ChannelsLastPerSample))
        {
            for (int n = 0; n < pooled.Batch; n++)
            {
                // Element 0 of plane (n, 0) names cell (h 4, w 4) of plane (n, 1).
                indices[n * 48] = IndexConventionReference.Index(convention, n, 1, 4, 4, 3, 9, 9);
            }
        }

        float[] expected = IndexConventionReference.MaxUnpool(x, referenceIndices, pooled, output, referenceConvention, reduction == UnpoolReduction.Sum);
        var target = new PaddedTensor<float>(pooled.WithSpatialSize(output), rowPadding: 2);
        long sampleElements = 3 * 9 * 9;
        Functional.MaxUnpool2DSamples(
            new ReadOnlyTensorSpan<float>(x, TensorViews.Lengths(pooled), []), new ReadOnlyTensorSpan<long>(indices, TensorViews.Lengths(pooled), []), pooled, geometry,
            target.View, output, convention, reduction, ExecutionOptions.Default, "destination", sizeFromPooling: false, runElements: samplesPerRun * sampleElements);
        target.AssertPaddingUntouched($"{convention} {reduction} {samplesPerRun}");
        Assert.Equal(expected, target.Read());
    }

    /// <summary>
    /// The split path checks every index of the whole tensor before it writes: a bad index in the last sample (its run
    /// comes last) is refused naming indices, at its position in the whole tensor, and no run was written. A global
    /// index naming a cell of another sample is refused too (naming indices): samples are unpooled apart.
    /// </summary>
    [Fact]
    public void TensorSpanUnpoolingBySamplesChecksEveryIndexBeforeWriting()
    {
        var pooled = new Shape4D(4, 2, 2, 2);
        var output = new Size2D(4, 4);
        var geometry = new Pool2DGeometry(2);
        float[] x = Enumerable.Range(1, 32).Select(v => (float)v).ToArray();
        var random = new Random(47);
        long[] perPlane = Enumerable.Range(0, 32).Select(i => (long)(((i % 4 / 2 * 2) + random.Next(2)) * 4) + (i % 2 * 2) + random.Next(2)).ToArray();
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] indices = IndexConventionReference.FromPerPlane(perPlane, pooled, output, convention);
            indices[30] = IndexConventionReference.Space(convention, pooled.WithSpatialSize(output));
            var target = new GuardedBuffer<float>(4 * 2 * 16);
            ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>("indices", () => Split(convention, indices, target));
            Assert.Contains("position 30", e.Message, StringComparison.Ordinal);
            target.AssertUntouched($"{convention}: a refused split call");

            if (convention is IndexConvention.GlobalRowMajor or IndexConvention.GlobalColumnMajor or IndexConvention.ChannelsLastWithBatch)
            {
                indices = IndexConventionReference.FromPerPlane(perPlane, pooled, output, convention);
                indices[27] = IndexConventionReference.Index(convention, 0, 1, 2, 2, 2, 4, 4); // sample 3's element names a cell of sample 0
                Throws.Param<ArgumentException>("indices", () => Split(convention, indices, target));
                target.AssertUntouched($"{convention}: a cross-sample index");
            }
        }

        void Split(IndexConvention convention, long[] indices, GuardedBuffer<float> target)
            => Functional.MaxUnpool2DSamples(
                new ReadOnlyTensorSpan<float>(x, TensorViews.Lengths(pooled), []), new ReadOnlyTensorSpan<long>(indices, TensorViews.Lengths(pooled), []), pooled, geometry,
                new TensorSpan<float>(target.Array, GuardedBuffer<float>.GuardLength, TensorViews.Lengths(pooled.WithSpatialSize(output)), []), output, convention,
                UnpoolReduction.Replace, ExecutionOptions.Default, "destination", sizeFromPooling: false, runElements: 32);
    }

    /// <summary>
    /// Repro: a TensorSpan of more than int.MaxValue elements in all (a stride-0 batch of 2^20 samples of 1x32x64 over
    /// one sample's memory: 2^31 elements, past Array.MaxLength) was refused as a whole ("more than a span can
    /// address"), although each sample fits a span. Now the form accepts it and unpools sample by sample; here the
    /// first index is -1, so the whole-tensor check refuses it naming indices, with the destination (a stride-0 view
    /// too) untouched: a few milliseconds, a few KB. A sample itself past a span's reach (1x65536x65536) is refused
    /// naming the tensor, by argmax unpooling, the fixed family and zero insertion alike.
    /// </summary>
    [Fact]
    public void TensorSpansPastIntMaxValueElementsAreAcceptedWhenEachSampleFits()
    {
        const int batch = 1 << 20;
        var x = new float[32 * 64];
        var indices = new long[32 * 64];
        indices[0] = -1;
        var target = new GuardedBuffer<float>(64 * 128);
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>("indices", () =>
        {
            var source = new ReadOnlyTensorSpan<float>(x, [batch, 1, 32, 64], [0, 0, 64, 1]);
            var idx = new ReadOnlyTensorSpan<long>(indices, [batch, 1, 32, 64], [0, 0, 64, 1]);
            var destination = new TensorSpan<float>(target.Array, GuardedBuffer<float>.GuardLength, [batch, 1, 64, 128], [0, 0, 128, 1]);
            Assert.True(source.FlattenedLength > Array.MaxLength && destination.FlattenedLength > Array.MaxLength);
            Functional.MaxUnpool2D(source, idx, new Pool2DGeometry(2), destination);
        });
        Assert.Contains("position 0", e.Message, StringComparison.Ordinal);
        target.AssertUntouched("a refused call past int.MaxValue elements");

        var one = new float[1];
        Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool2D(
            new ReadOnlyTensorSpan<float>(one, [2, 1, 65536, 65536], [0, 0, 0, 0]), new ReadOnlyTensorSpan<long>(new long[1], [2, 1, 65536, 65536], [0, 0, 0, 0]),
            new Pool2DGeometry(1), new TensorSpan<float>(one, [2, 1, 65536, 65536], [0, 0, 0, 0])));
        Throws.Param<ArgumentException>("source", () => Functional.FixedUnpool2D(
            new ReadOnlyTensorSpan<float>(one, [2, 1, 65536, 65536], [0, 0, 0, 0]), new Size2D(1, 1), new TensorSpan<float>(one, [2, 1, 65536, 65536], [0, 0, 0, 0])));
        Throws.Param<ArgumentException>("source", () => Functional.ZeroInsert2D(
            new ReadOnlyTensorSpan<float>(one, [2, 1, 65536, 65536], [0, 0, 0, 0]), new Size2D(1, 1), new TensorSpan<float>(one, [2, 1, 65536, 65536], [0, 0, 0, 0])));
    }

    public static TheoryData<int, int> BlockSplitCases() => new() { { 1, 1 }, { 2, 1 }, { 1, 2 }, { 2, 3 } };

    /// <summary>
    /// The block family's sample-by-sample path (what a TensorSpan past a span's reach takes), forced onto [5, 3, 3, 5]
    /// by runs of one or two samples, must equal the reference over the whole tensor: fixed (offset (1, 0)), repeat,
    /// and random, whose offsets hash each plane's number in the whole tensor (SEMANTICS.md 3: same seed, same result),
    /// so they must not depend on the split; zero insertion and strided subsampling too. The destinations are
    /// row-padded views (each run through its buffer and commit), into the largest output the size rule admits (past the blocks by factor - 1).
    /// </summary>
    [Theory]
    [MemberData(nameof(BlockSplitCases))]
    public void BlockTensorSpansBySamplesEqualTheReference(int samplesPerRun, int factorH)
    {
        var shape = new Shape4D(5, 3, 3, 5);
        var factor = new Size2D(factorH, 2);
        var output = new Size2D((4 * factorH) - 1, 11); // the largest the rule admits: default + factor - 1
        float[] x = Enumerable.Range(1, (int)shape.ElementCount).Select(v => (float)v).ToArray();
        var source = new ReadOnlyTensorSpan<float>(x, TensorViews.Lengths(shape), []);
        long run = samplesPerRun * 3L * output.Height * output.Width;
        Shape4D outputShape = shape.WithSpatialSize(output);
        int planes = (int)shape.PlaneCount;

        var target = new PaddedTensor<float>(outputShape, rowPadding: 3);
        Functional.BlockUnpool2DSamples(BlockUnpoolMode.Fixed, source, shape, factor, new Size2D(factorH - 1, 1), 0, target.View, output, ExecutionOptions.Default, run);
        target.AssertPaddingUntouched("fixed");
        Assert.Equal(UnpoolReference.Fixed(x, planes, 3, 5, factorH, 2, factorH - 1, 1, output.Height, output.Width), target.Read());

        target = new PaddedTensor<float>(outputShape, rowPadding: 3);
        Functional.BlockUnpool2DSamples(BlockUnpoolMode.Repeat, source, shape, factor, default, 0, target.View, output, ExecutionOptions.Default, run);
        target.AssertPaddingUntouched("repeat");
        Assert.Equal(UnpoolReference.Repeat(x, planes, 3, 5, factorH, 2, output.Height, output.Width), target.Read());

        target = new PaddedTensor<float>(outputShape, rowPadding: 3);
        Functional.BlockUnpool2DSamples(BlockUnpoolMode.Random, source, shape, factor, default, 0xC0FFEE, target.View, output, ExecutionOptions.Default, run);
        target.AssertPaddingUntouched("random");
        Assert.Equal(UnpoolReference.Random(x, planes, 3, 5, factorH, 2, 0xC0FFEE, output.Height, output.Width), target.Read());

        // Zero insertion with stride (factorH, 2): (3-1)*sH + 1 by (5-1)*2 + 1 = 9; and back by subsampling.
        Shape4D inserted = shape.WithSpatialSize(new Size2D((2 * factorH) + 1, 9));
        var zeros = new PaddedTensor<float>(inserted, rowPadding: 2);
        Functional.StridedSamples(true, source, shape, factor, zeros.View, ExecutionOptions.Default, samplesPerRun * 3L * inserted.Height * 9);
        zeros.AssertPaddingUntouched("zero insertion");
        float[] z = UnpoolReference.ZeroInsert(x, planes, 3, 5, factorH, 2);
        Assert.Equal(z, zeros.Read());
        var back = new PaddedTensor<float>(shape, rowPadding: 1);
        Functional.StridedSamples(false, new ReadOnlyTensorSpan<float>(z, TensorViews.Lengths(inserted), []), inserted, factor, back.View, ExecutionOptions.Default, samplesPerRun * 3L * inserted.Height * 9);
        back.AssertPaddingUntouched("subsample");
        Assert.Equal(x, back.Read());
    }

    // ---------------------------------------------------------------- defect 13, the race itself

    /// <summary>One race scenario: pooled values and valid indices, and the positions another thread makes invalid.</summary>
    public sealed record RaceCase(
        string Name, Shape4D Pooled, Size2D Output, Pool2DGeometry Geometry, IndexConvention Convention, UnpoolReduction Reduction,
        long[] Indices, long[] PerPlaneCells, (int Position, long Garbage)[] Flips)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<string> RaceCaseNames() => new(RaceCases().Select(c => c.Name));

    /// <summary>
    /// Repro: another thread flips a few indices between a valid value and -1, the scope size, or a huge value, while
    /// MaxUnpool2D runs in a loop (~150 ms per case). Before the fix a flip landing between validation and scatter
    /// wrote into the sentinels around the destination (or past them). Each call must either throw (validation saw the
    /// bad value; nothing written) or leave the guards intact with every cell at a legal outcome: the reference's value
    /// (SEMANTICS.md 2, all indices valid), or 0 for a cell that only a flipped index names (its write was skipped).
    /// </summary>
    [Theory]
    [MemberData(nameof(RaceCaseNames))]
    public void MaxUnpoolWithIndicesChangingDuringTheCallNeverWritesOutsideTheDestination(string name)
    {
        RaceCase race = RaceCases().Single(c => c.Name == name);
        int outPlane = race.Output.Height * race.Output.Width;
        Shape4D indexed = race.Pooled.WithSpatialSize(race.Output);
        float[] x = Enumerable.Range(1, (int)race.Pooled.ElementCount).Select(v => (float)v).ToArray();

        // InWindow's reference goes through the same cells as per-plane indices.
        bool inWindow = race.Convention == IndexConvention.InWindow;
        IndexConvention convention = inWindow ? IndexConvention.PerPlane : race.Convention;
        long[] cellsIndices = inWindow ? race.PerPlaneCells : race.Indices;
        float[] reference = IndexConventionReference.MaxUnpool(x, cellsIndices, race.Pooled, race.Output, convention, race.Reduction == UnpoolReduction.Sum);

        // Cells a flipped index names (each named by that index alone, by construction): they may also stay 0.
        Dictionary<(long Scope, long Index), long> cells = IndexConventionReference.Cells(convention, indexed);
        var mayBeZero = new HashSet<long>();
        foreach ((int position, _) in race.Flips)
        {
            long plane = position / race.Pooled.PlaneSize;
            mayBeZero.Add(cells[(IndexConventionReference.Scope(convention, plane / race.Pooled.Channels, plane % race.Pooled.Channels, race.Pooled.Channels), cellsIndices[position])]);
        }

        long[] indices = (long[])race.Indices.Clone();
        var destination = new GuardedBuffer<float>((int)race.Pooled.PlaneCount * outPlane);
        var options = new ExecutionOptions { MaxDegreeOfParallelism = 2, MinParallelElements = 0 };
        int accepted = 0, refused = 0;
        RunWhileFlipping(indices, race.Flips, () =>
        {
            destination.Array.AsSpan().Fill(GuardedBuffer<float>.Sentinel);
            try
            {
                Functional.MaxUnpool2D<float, long>(x, indices, race.Pooled, race.Geometry, destination.Span, race.Output, race.Convention, race.Reduction, options);
            }
            catch (ArgumentOutOfRangeException)
            {
                refused++;
                destination.AssertUntouched($"{name}: a refused call");
                return;
            }

            accepted++;
            destination.AssertGuardsIntact(name);
            float[] y = destination.ToArray();
            for (int cell = 0; cell < y.Length; cell++)
            {
                if (y[cell] != reference[cell] && !(y[cell] == 0 && mayBeZero.Contains(cell)))
                {
                    Assert.Fail($"{name}: cell {cell} is {y[cell]}; legal are {reference[cell]}{(mayBeZero.Contains(cell) ? " or 0" : string.Empty)}.");
                }
            }
        });

        Assert.True(accepted + refused > 0, "the loop never ran");
    }

    /// <summary>
    /// The conversion under the same race: per plane to global row-major (the vectorized add) and to channels-last with
    /// batch (the decoding loop), and InWindow to per plane. Every value written must lie in the destination
    /// convention's range, and every position not flipped must be the reference's conversion.
    /// </summary>
    [Theory]
    [InlineData(IndexConvention.PerPlane, IndexConvention.GlobalRowMajor)]
    [InlineData(IndexConvention.GlobalRowMajor, IndexConvention.PerPlane)]
    [InlineData(IndexConvention.PerPlane, IndexConvention.ChannelsLastWithBatch)]
    [InlineData(IndexConvention.InWindow, IndexConvention.PerPlane)]
    public void ConvertIndicesWithIndicesChangingDuringTheCallWritesOnlyInRangeIndices(IndexConvention from, IndexConvention to)
    {
        var pooled = new Shape4D(2, 3, 8, 8);
        var indexed = pooled.WithSpatialSize(new Size2D(16, 16));
        var geometry = new Pool2DGeometry(2);
        var axis = new PoolAxis(2, 2, 0, 1);
        var random = new Random(37);
        long[] tapValues = Enumerable.Range(0, (int)pooled.ElementCount).Select(_ => (long)random.Next(4)).ToArray();
        long[] perPlane = IndexConventionReference.PerPlaneFromInWindow(tapValues, pooled, indexed.SpatialSize, axis, axis);
        long[] source = from == IndexConvention.InWindow ? tapValues : IndexConventionReference.FromPerPlane(perPlane, pooled, indexed.SpatialSize, from);
        long[] expected = IndexConventionReference.FromPerPlane(perPlane, pooled, indexed.SpatialSize, to);
        long toSpace = IndexConventionReference.Space(to, indexed), fromSpace = from == IndexConvention.InWindow ? 4 : IndexConventionReference.Space(from, indexed);
        (int, long)[] flips = [(0, -1), (77, fromSpace), (source.Length - 1, long.MaxValue), (200, fromSpace + 5)];
        var destination = new long[source.Length];
        RunWhileFlipping(source, flips, () =>
        {
            try
            {
                Functional.ConvertIndices<long>(source, pooled, indexed.SpatialSize, geometry, from, destination, to);
            }
            catch (ArgumentOutOfRangeException)
            {
                return;
            }

            for (int i = 0; i < destination.Length; i++)
            {
                if (destination[i] < 0 || destination[i] >= toSpace || (destination[i] != expected[i] && !flips.Any(f => f.Item1 == i)))
                {
                    Assert.Fail($"{from} -> {to}: position {i} got {destination[i]}; expected {expected[i]} (or, if flipped, a value in [0, {toSpace})).");
                }
            }
        });
    }

    /// <summary>
    /// Runs <paramref name="call"/> in a loop for about 150 ms while another thread flips each position of
    /// <paramref name="flips"/> between its valid value and its garbage (about half the time each, in phases of varying
    /// length, so that some calls pass validation and then meet the garbage). A bounded loop, not a timed assertion.
    /// </summary>
    private static void RunWhileFlipping(long[] indices, (int Position, long Garbage)[] flips, Action call)
    {
        // One call first, with every index valid: the kernels' first call compiles them, which would eat the loop's time.
        call();
        long[] valid = flips.Select(f => indices[f.Position]).ToArray();
        bool stop = false;
        var random = new Random(41);
        var flipper = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                // One position at a time garbage, about half the time, in phases of random length (tens of
                // nanoseconds to tens of microseconds: a call's validation-to-scatter gap lies somewhere in that
                // range), so that many calls pass validation and a flip often falls between it and the scatter.
                int k = random.Next(flips.Length);
                Volatile.Write(ref indices[flips[k].Position], flips[k].Garbage);
                Thread.SpinWait(1 << random.Next(12));
                Volatile.Write(ref indices[flips[k].Position], valid[k]);
                Thread.SpinWait(1 << random.Next(12));
            }
        })
        { IsBackground = true };
        flipper.Start();
        try
        {
            var clock = Stopwatch.StartNew();
            while (clock.ElapsedMilliseconds < 150)
            {
                call();
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            flipper.Join();
        }
    }

    /// <summary>
    /// The race scenarios. Pooled values 1, 2, ...; each element's index names a cell of its own window, chosen at random;
    /// the flipped elements' cells are named by them alone.
    /// </summary>
    private static IEnumerable<RaceCase> RaceCases()
    {
        // 2x2 stride 2: the dense path (and, when a flip makes it fall back, the range check and scatter).
        yield return Make("dense 2x2 per plane", new Pool2DGeometry(2), new Shape4D(2, 4, 16, 16), new Size2D(32, 32), IndexConvention.PerPlane, UnpoolReduction.Replace);
        yield return Make("2x2 per plane, sum", new Pool2DGeometry(2), new Shape4D(2, 4, 16, 16), new Size2D(32, 32), IndexConvention.PerPlane, UnpoolReduction.Sum);
        yield return Make("3x3 stride 2 per plane", new Pool2DGeometry(3, 2), new Shape4D(2, 4, 16, 16), new Size2D(33, 33), IndexConvention.PerPlane, UnpoolReduction.Replace);
        yield return Make("2x2 global row-major", new Pool2DGeometry(2), new Shape4D(2, 4, 16, 16), new Size2D(32, 32), IndexConvention.GlobalRowMajor, UnpoolReduction.Replace);
        yield return Make("2x2 global row-major across planes", new Pool2DGeometry(2), new Shape4D(2, 4, 16, 16), new Size2D(32, 32), IndexConvention.GlobalRowMajor, UnpoolReduction.Replace, acrossPlanes: true);
        yield return Make("2x2 channels-last per sample, sum", new Pool2DGeometry(2), new Shape4D(2, 4, 16, 16), new Size2D(32, 32), IndexConvention.ChannelsLastPerSample, UnpoolReduction.Sum);
        yield return Make("2x2 in window (block kernel)", new Pool2DGeometry(2), new Shape4D(2, 4, 16, 16), new Size2D(32, 32), IndexConvention.InWindow, UnpoolReduction.Replace);
        yield return Make("3x3 stride 2 padding 1 in window", new Pool2DGeometry(3, 2, 1), new Shape4D(2, 4, 16, 16), new Size2D(31, 31), IndexConvention.InWindow, UnpoolReduction.Replace);
    }

    private static RaceCase Make(string name, Pool2DGeometry geometry, Shape4D pooled, Size2D output, IndexConvention convention, UnpoolReduction reduction, bool acrossPlanes = false)
    {
        var rows = new PoolAxis(geometry.KernelSize.Height, geometry.Stride.Height, geometry.PaddingBegin.Height, 1);
        var cols = new PoolAxis(geometry.KernelSize.Width, geometry.Stride.Width, geometry.PaddingBegin.Width, 1);
        var random = new Random(name.Length * 7919);
        int count = (int)pooled.ElementCount, taps = geometry.KernelSize.Height * geometry.KernelSize.Width;
        var perPlane = new long[count];
        for (int i = 0; i < count; i++)
        {
            int oh = (int)(i % pooled.PlaneSize / pooled.Width), ow = i % pooled.Width;
            long cell;
            do
            {
                cell = IndexConventionReference.CellOfTap(random.Next(taps), oh, ow, rows, cols, output);
            }
            while (cell < 0);
            perPlane[i] = cell;
        }

        // Flip elements whose cell no other element of their plane names: the first and last of the tensor (plane 0's
        // -1 lands before the destination, the last plane's scope size past it), two in the middle.
        int last = count - 1, middle = count / 2;
        int[] positions = new[] { 0, 1, middle, last }.Select(p => Unique(perPlane, p, pooled.PlaneSize)).ToArray();
        long space = convention == IndexConvention.InWindow ? taps : IndexConventionReference.Space(convention, pooled.WithSpatialSize(output));
        long[] garbage = [-1, int.MaxValue, space + 1, space];
        var flips = positions.Select((p, k) => (p, garbage[k])).ToArray();

        long[] indices = convention == IndexConvention.InWindow
            ? IndexConventionReference.InWindowFromPerPlane(perPlane, pooled, output, rows, cols)
            : IndexConventionReference.FromPerPlane(perPlane, pooled, output, convention);
        if (acrossPlanes)
        {
            // One element of plane 1 (not flipped) names, in global row-major, a cell of plane 0 that no element names:
            // the planes are then not independent, and one thread scatters across them.
            Debug.Assert(convention == IndexConvention.GlobalRowMajor, "across planes needs a global convention");
            var named = new HashSet<long>(perPlane.Take((int)pooled.PlaneSize));
            int mover = (int)pooled.PlaneSize + 5;
            Debug.Assert(flips.All(f => f.p != mover), "the moved element must not be flipped");
            indices[mover] = Enumerable.Range(0, output.Height * output.Width).First(c => !named.Contains(c));
        }

        return new RaceCase(name, pooled, output, geometry, convention, reduction, indices, perPlane, flips);
    }

    private static int Unique(long[] perPlane, int position, long planeSize)
    {
        long plane = position / planeSize;
        for (int p = position; ; p = (int)((p + 1) % perPlane.Length))
        {
            if (p / planeSize != plane)
            {
                continue;
            }

            long start = plane * planeSize;
            int named = 0;
            for (long i = start; i < start + planeSize; i++)
            {
                named += perPlane[i] == perPlane[p] ? 1 : 0;
            }

            if (named == 1)
            {
                return p;
            }
        }
    }
}
