using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The backward passes of the block family, one gather per input cell (each input cell owns one <c>KD x KH x KW</c>
/// block of the output): fixed unpooling reads its block's cell at the offset, random unpooling the cell at its seeded
/// offset (the published hash of <c>RandomUnpool3D</c>), repeat unpooling sums its block in row-major block order
/// starting from zero (PyTorch's <c>upsample_nearest</c> backward order). A block cell outside a smaller output adds
/// nothing (a fixed or random cell there reads zero); output cells past the blocks of a larger output have no source.
/// Every result is written once, so rows split over threads give the same bits for any thread count.
/// </summary>
internal static unsafe partial class BlockKernel
{
    /// <summary>
    /// Writes the gradient of the block unpooling <paramref name="op"/> (Fixed, Random or Repeat) of
    /// <paramref name="shape"/> (either layout) into <paramref name="sourceGradient"/> from the output gradient of
    /// spatial size <paramref name="output"/> (same layout).
    /// </summary>
    /// <remarks><paramref name="bits"/> pins the vector width of the fixed and repeat rows for tests (see
    /// <see cref="TryGatherFixedRows{T}"/>, <see cref="TryGatherRepeatRows{T}"/>); -1 dispatches.</remarks>
    public static void Gather<T>(BlockRankOp op, T* outputGradient, T* sourceGradient, in Shape5D shape, Size3D output, Size3D factor, Size3D offset, ulong seed, int degree, int bits = -1)
        where T : unmanaged, INumberBase<T>
    {
        var plan = new GatherPlan(shape, output, factor, offset, seed);
        switch (op)
        {
            case BlockRankOp.Repeat:
                if (!TryGatherRepeatRows(outputGradient, sourceGradient, plan, degree, bits))
                {
                    RunGather<T, BlockSum>(outputGradient, sourceGradient, plan, degree);
                }

                break;
            case BlockRankOp.Random:
                RunGather<T, SeededCell>(outputGradient, sourceGradient, plan, degree);
                break;
            default:
                if (!TryGatherFixedRows(outputGradient, sourceGradient, plan, degree, bits))
                {
                    RunGather<T, FixedCell>(outputGradient, sourceGradient, plan, degree);
                }

                break;
        }
    }

    private static void RunGather<T, TOp>(T* outputGradient, T* sourceGradient, in GatherPlan plan, int degree)
        where T : unmanaged, INumberBase<T>
        where TOp : struct, IBlockGather
    {
        var body = new GatherBody<T, TOp> { Gradient = outputGradient, Result = sourceGradient, Plan = plan };
        ParallelRunner.Run(ref body, plan.Rows, degree);
    }

    /// <summary>The geometry of a block gather: sizes, element strides of the output gradient, and the seed.</summary>
    internal readonly struct GatherPlan
    {
        public readonly int N, C, D, H, W, OD, OH, OW, KD, KH, KW, AD, AH, AW;
        public readonly bool ChannelsLast;
        public readonly ulong Seed;

        /// <summary>Element strides of the output gradient along depth, height and width.</summary>
        public readonly long TD, TH, TW;

        public GatherPlan(in Shape5D shape, Size3D output, Size3D factor, Size3D offset, ulong seed)
        {
            (N, C, D, H, W) = (shape.Batch, shape.Channels, shape.Depth, shape.Height, shape.Width);
            (OD, OH, OW) = (output.Depth, output.Height, output.Width);
            (KD, KH, KW) = (factor.Depth, factor.Height, factor.Width);
            (AD, AH, AW) = (offset.Depth, offset.Height, offset.Width);
            ChannelsLast = shape.Layout == TensorLayout.ChannelsLast;
            Seed = seed;
            TW = ChannelsLast ? C : 1;
            TH = TW * OW;
            TD = TH * OH;
        }

        /// <summary>Whether a block's taps fit the 32-bit tap numbers of <see cref="HashTaps"/> (<c>KD*KH*KW</c> below
        /// 2^31), so the random gather may hash whole rows.</summary>
        public bool SeededRows => (long)KD * KH * KW <= int.MaxValue;

        /// <summary>Rows of input cells: (plane, d, h) channels-first, (n, d, h) channels-last.</summary>
        public int Rows => checked((ChannelsLast ? N : N * C) * D * H);

        public long SourceCount => (long)N * C * D * H * W;

        public long OutputCount => (long)N * C * OD * OH * OW;
    }

    /// <summary>What one input cell's gradient is, given the output gradient at its block's origin.</summary>
    private interface IBlockGather
    {
        /// <summary>The gradient of input cell (plane <paramref name="plane"/>, <paramref name="id"/>,
        /// <paramref name="ih"/>, <paramref name="iw"/>); <paramref name="y"/> points at output cell (0, 0, 0) of its
        /// plane (channel-strided when channels-last).</summary>
        static abstract T Cell<T>(in GatherPlan p, T* y, long plane, int id, int ih, int iw)
            where T : unmanaged, INumberBase<T>;
    }

    /// <summary>The cell at offset (a, b, c) of the block, or zero where the output cut it off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T At<T>(in GatherPlan p, T* y, long od, long oh, long ow)
        where T : unmanaged, INumberBase<T>
        => od < p.OD && oh < p.OH && ow < p.OW ? y[(od * p.TD) + (oh * p.TH) + (ow * p.TW)] : T.Zero;

    private readonly struct FixedCell : IBlockGather
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Cell<T>(in GatherPlan p, T* y, long plane, int id, int ih, int iw)
            where T : unmanaged, INumberBase<T>
            => At(p, y, ((long)id * p.KD) + p.AD, ((long)ih * p.KH) + p.AH, ((long)iw * p.KW) + p.AW);
    }

    private readonly struct SeededCell : IBlockGather
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Cell<T>(in GatherPlan p, T* y, long plane, int id, int ih, int iw)
            where T : unmanaged, INumberBase<T>
        {
            // The published offset of RandomUnpool3D (2-D and 1-D are depth 1, kD 1): b = ((p*D + d)*H + h)*W + w.
            ulong b = unchecked((((((ulong)plane * (ulong)p.D) + (ulong)id) * (ulong)p.H) + (ulong)ih) * (ulong)p.W) + (ulong)iw;
            ulong z = Mix(unchecked(p.Seed + ((b + 1) * Golden)));
            ulong t = ((z & 0xFFFFFFFFUL) * (ulong)((long)p.KD * p.KH)) >> 32;
            // t < KD*KH; with one block plane (2-D and 1-D) it is the row itself, so no division is needed.
            long ad = p.KD == 1 ? 0 : (long)(t / (ulong)p.KH), ah = p.KD == 1 ? (long)t : (long)(t % (ulong)p.KH), aw = (long)(((z >> 32) * (ulong)p.KW) >> 32);
            return At(p, y, ((long)id * p.KD) + ad, ((long)ih * p.KH) + ah, ((long)iw * p.KW) + aw);
        }
    }

    private readonly struct BlockSum : IBlockGather
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Cell<T>(in GatherPlan p, T* y, long plane, int id, int ih, int iw)
            where T : unmanaged, INumberBase<T>
        {
            // From zero, in row-major block order (PyTorch's order: output cells in row-major order add into their source).
            T sum = T.Zero;
            long d0 = (long)id * p.KD, h0 = (long)ih * p.KH, w0 = (long)iw * p.KW;
            long d1 = Math.Min(d0 + p.KD, p.OD), h1 = Math.Min(h0 + p.KH, p.OH), w1 = Math.Min(w0 + p.KW, p.OW);
            for (long od = d0; od < d1; od++)
            {
                for (long oh = h0; oh < h1; oh++)
                {
                    T* row = y + (od * p.TD) + (oh * p.TH);
                    for (long ow = w0; ow < w1; ow++)
                    {
                        sum += row[ow * p.TW];
                    }
                }
            }

            return sum;
        }
    }

    /// <summary>
    /// <see cref="SeededCell"/> for every cell of one input row (plane <paramref name="plane"/>, <paramref name="id"/>,
    /// <paramref name="ih"/>; results <paramref name="xStride"/> apart, <paramref name="y"/> the plane's output gradient
    /// at cell (0, 0, 0) with the plan's strides): the same hash input per cell, <c>seed + (b + 1) * Golden</c> with
    /// <c>b = ((plane*D + id)*H + ih)*W + iw</c>, and the same tap <c>t*KW + aw</c> with <c>t = ad*KH + ah</c> (what
    /// <see cref="HashTaps"/> computes, bit for bit), so the same cells are read. Chunks of <see cref="ChunkCells"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SeededRow<T>(in GatherPlan p, T* x, nint xStride, T* y, long plane, int id, int ih, ulong* taps, in FastDivisor byKw, in FastDivisor byKh)
        where T : unmanaged, INumberBase<T>
    {
        ulong z = unchecked(p.Seed + ((((((((ulong)plane * (ulong)p.D) + (ulong)id) * (ulong)p.H) + (ulong)ih) * (ulong)p.W) + 1) * Golden));
        int kdh = p.KD * p.KH;
        long od0 = (long)id * p.KD, oh0 = (long)ih * p.KH;
        for (int c0 = 0; c0 < p.W; c0 += ChunkCells, z = unchecked(z + ((ulong)ChunkCells * Golden)))
        {
            int n = Math.Min(ChunkCells, p.W - c0);
            HashTaps(taps, n, z, kdh, p.KW, sizeof(ulong));
            for (int i = 0; i < n; i++)
            {
                long tap = (long)taps[i];
                long t = byKw.Divide(tap);
                long aw = tap - (t * p.KW);
                long ad = p.KD == 1 ? 0 : byKh.Divide(t);
                long ah = t - (ad * p.KH);
                Debug.Assert(ad < p.KD && ah < p.KH && aw < p.KW, "a seeded tap outside its block");
                x[(c0 + i) * xStride] = At(p, y, od0 + ad, oh0 + ah, ((long)(c0 + i) * p.KW) + aw);
            }
        }
    }

    /// <summary>
    /// <see cref="BlockSum"/> for every cell of one channels-last input row (<paramref name="id"/>, <paramref name="ih"/>
    /// of the sample at <paramref name="sample"/>): each pixel's C sums start from zero and add the block's output pixels
    /// in row-major block order, C channels per vector operation. Each lane is one channel's chain in the scalar order, so
    /// the bits are the scalar sum's (Half, whose vector add may widen differently, keeps the scalar loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RepeatPixels<T>(in GatherPlan p, T* xs, T* sample, int id, int ih)
        where T : unmanaged, INumberBase<T>
    {
        long d0 = (long)id * p.KD, h0 = (long)ih * p.KH;
        long d1 = Math.Min(d0 + p.KD, p.OD), h1 = Math.Min(h0 + p.KH, p.OH);
        for (int iw = 0; iw < p.W; iw++)
        {
            var sum = new Span<T>(xs + ((long)iw * p.C), p.C);
            sum.Clear();
            long w0 = (long)iw * p.KW, w1 = Math.Min(w0 + p.KW, p.OW);
            for (long od = d0; od < d1; od++)
            {
                for (long oh = h0; oh < h1; oh++)
                {
                    for (long ow = w0; ow < w1; ow++)
                    {
                        T* pixel = sample + (od * p.TD) + (oh * p.TH) + (ow * p.TW);
                        Debug.Assert(Bounds.Within(pixel, p.C, sample, p.OD * p.TD), "a block pixel outside the sample's gradient");
                        TensorPrimitives.Add(sum, new ReadOnlySpan<T>(pixel, p.C), sum);
                    }
                }
            }
        }
    }

    /// <summary>Entries of the channels-last random gather's tap table (32 KB): up to 64 slack entries for
    /// <see cref="HashTaps"/>' whole vectors, and a chunk of cells for every channel.</summary>
    internal const int PixelTapTable = 4096;

    /// <summary>
    /// The seeded taps of cells <c>[c0, c0 + n)</c> of input row (<paramref name="id"/>, <paramref name="ih"/>) of planes
    /// <c>firstPlane + c</c> for every channel <c>c</c>, as <see cref="HashTaps"/> computes them (the published hash):
    /// channel <c>c</c>'s at <c>table + c*cells</c>. Channels go in ascending order, so a channel's whole-vector overrun
    /// lands in the next channel's row before that is hashed; the table needs 64 entries past <c>channels*cells</c>.
    /// </summary>
    internal static void HashChannelTaps(ulong* table, int cells, int n, long firstPlane, int channels, int d, int h, int w, int id, int ih, int c0, ulong seed, int kdh, int kw)
    {
        for (int c = 0; c < channels; c++)
        {
            ulong z = unchecked(seed + ((((((((ulong)(firstPlane + c) * (ulong)d) + (ulong)id) * (ulong)h) + (ulong)ih) * (ulong)w) + (ulong)c0 + 1) * Golden));
            HashTapsInlined(table + ((nint)c * cells), n, z, kdh, kw, sizeof(ulong));
        }
    }

    /// <summary>
    /// <see cref="SeededRow{T}"/> for every channel of one channels-last input row, pixel by pixel: per chunk of
    /// <paramref name="cells"/> cells, each channel's taps are hashed into its row of <paramref name="table"/> (plane
    /// <c>firstPlane + c</c>, the channels-first hash), then each pixel gathers its C channels, which read the few output
    /// pixels of its block (where the channel-by-channel walk read a line per cell per channel).
    /// </summary>
    private static void SeededPixels<T>(in GatherPlan p, T* xs, T* sample, long firstPlane, int id, int ih, ulong* table, int cells, in FastDivisor byKw, in FastDivisor byKh)
        where T : unmanaged, INumberBase<T>
    {
        int kdh = p.KD * p.KH;
        long od0 = (long)id * p.KD, oh0 = (long)ih * p.KH;
        Debug.Assert((long)p.C * cells + 64 <= PixelTapTable, "the tap table is too small for the chunk");
        for (int c0 = 0; c0 < p.W; c0 += cells)
        {
            int n = Math.Min(cells, p.W - c0);

            HashChannelTaps(table, cells, n, firstPlane, p.C, p.D, p.H, p.W, id, ih, c0, p.Seed, kdh, p.KW);

            for (int i = 0; i < n; i++)
            {
                T* x = xs + ((nint)(c0 + i) * p.C);
                long ow0 = (long)(c0 + i) * p.KW;
                for (int c = 0; c < p.C; c++)
                {
                    long tap = (long)table[((nint)c * cells) + i];
                    long t = byKw.Divide(tap);
                    long aw = tap - (t * p.KW);
                    long ad = p.KD == 1 ? 0 : byKh.Divide(t);
                    long ah = t - (ad * p.KH);
                    x[c] = At(p, sample + c, od0 + ad, oh0 + ah, ow0 + aw);
                }
            }
        }
    }

    private struct GatherBody<T, TOp> : IParallelBody
        where T : unmanaged, INumberBase<T>
        where TOp : struct, IBlockGather
    {
        public T* Gradient;
        public T* Result;
        public GatherPlan Plan;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            GatherPlan p = Plan;
            long outVolume = (long)p.OD * p.OH * p.OW;

            // Random: each plane's row of taps hashed a vector of cells at a time (the forward's HashTaps, with slack for
            // its whole vectors), then split into offsets by multiply-high divisions.
            bool seededRows = typeof(TOp) == typeof(SeededCell) && p.SeededRows;
            ulong* taps = stackalloc ulong[seededRows ? (p.ChannelsLast ? PixelTapTable : ChunkCells + 64) : 0];
            int pixelCells = p.ChannelsLast ? (PixelTapTable - 64) / Math.Max(1, p.C) : 0;
            var byKw = new FastDivisor(p.KW, ((long)p.KD * p.KH * p.KW) - 1);
            var byKh = new FastDivisor(p.KH, ((long)p.KD * p.KH) - 1);
            for (int row = start; row < end; row++)
            {
                int unit = row / (p.D * p.H), rest = row - (unit * p.D * p.H), id = rest / p.H, ih = rest - (id * p.H);
                if (!p.ChannelsLast)
                {
                    // unit = plane n*C + c: W results in a row, its plane's output gradient from (0, 0, 0).
                    T* x = Result + ((long)row * p.W);
                    T* y = Gradient + (unit * outVolume);
                    Debug.Assert(Bounds.Within(x, p.W, Result, p.SourceCount), "a result row outside the gradient");
                    if (typeof(TOp) == typeof(FixedCell))
                    {
                        // The hot case without the per-cell decode: one strided read per cell of a row that lies in the output.
                        long od = ((long)id * p.KD) + p.AD, oh = ((long)ih * p.KH) + p.AH;
                        int full = od < p.OD && oh < p.OH ? (int)Math.Min(p.W, Math.Max(0, (p.OW - p.AW + p.KW - 1) / p.KW)) : 0;
                        T* yr = y + (od * p.TD) + (oh * p.TH) + p.AW;
                        nint step = p.KW;
                        int iw0 = 0;
                        for (; iw0 < full; iw0++)
                        {
                            x[iw0] = yr[iw0 * step];
                        }

                        for (; iw0 < p.W; iw0++)
                        {
                            x[iw0] = T.Zero;
                        }

                        continue;
                    }

                    if (seededRows)
                    {
                        SeededRow(p, x, 1, y, unit, id, ih, taps, byKw, byKh);
                        continue;
                    }

                    for (int iw = 0; iw < p.W; iw++)
                    {
                        x[iw] = TOp.Cell(p, y, unit, id, ih, iw);
                    }

                    continue;
                }

                // unit = sample n: W*C results in a row, channel c's output gradient from (n, 0, 0, 0, c).
                T* xs = Result + ((long)row * p.W * p.C);
                Debug.Assert(Bounds.Within(xs, (long)p.W * p.C, Result, p.SourceCount), "a result row outside the gradient");
                if (typeof(TOp) == typeof(FixedCell))
                {
                    // Every channel of a pixel reads the same output pixel: one copy of C contiguous elements per pixel.
                    long od = ((long)id * p.KD) + p.AD, oh = ((long)ih * p.KH) + p.AH;
                    T* sample = Gradient + (unit * outVolume * p.C);
                    for (int iw = 0; iw < p.W; iw++)
                    {
                        long ow = ((long)iw * p.KW) + p.AW;
                        var cells = new Span<T>(xs + ((long)iw * p.C), p.C);
                        if (od < p.OD && oh < p.OH && ow < p.OW)
                        {
                            T* pixel = sample + (od * p.TD) + (oh * p.TH) + (ow * p.TW);
                            Debug.Assert(Bounds.Within(pixel, p.C, Gradient, p.OutputCount), "an output pixel outside the gradient");
                            new ReadOnlySpan<T>(pixel, p.C).CopyTo(cells);
                        }
                        else
                        {
                            cells.Clear();
                        }
                    }

                    continue;
                }

                if (typeof(TOp) == typeof(BlockSum) && typeof(T) != typeof(Half))
                {
                    RepeatPixels(p, xs, Gradient + (unit * outVolume * p.C), id, ih);
                    continue;
                }

                if (seededRows && pixelCells >= 8)
                {
                    SeededPixels(p, xs, Gradient + (unit * outVolume * p.C), (long)unit * p.C, id, ih, taps, pixelCells, byKw, byKh);
                    continue;
                }

                if (seededRows)
                {
                    // Channel c's row: results C apart, its plane n*C + c hashed as channels-first would hash it.
                    for (int c = 0; c < p.C; c++)
                    {
                        SeededRow(p, xs + c, p.C, Gradient + (unit * outVolume * p.C) + c, ((long)unit * p.C) + c, id, ih, taps, byKw, byKh);
                    }

                    continue;
                }

                for (int iw = 0; iw < p.W; iw++)
                {
                    for (int c = 0; c < p.C; c++)
                    {
                        T* y = Gradient + (unit * outVolume * p.C) + c;
                        xs[((long)iw * p.C) + c] = TOp.Cell(p, y, ((long)unit * p.C) + c, id, ih, iw);
                    }
                }
            }
        }
    }
}
