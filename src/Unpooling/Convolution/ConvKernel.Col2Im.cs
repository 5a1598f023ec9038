using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <content>col2im for the transposed convolution: adds a block of the column matrix into the output.</content>
internal static unsafe partial class ConvKernel
{
    /// <summary>
    /// Where col2im finds each output chunk's entries, split into the part that depends on the output column only (the
    /// column taps, per thread and call) and the part that depends on the output row and column block (the row table).
    /// </summary>
    private struct Col2ImTables<T>
        where T : unmanaged
    {
        /// <summary>Per output chunk of <c>s*Count</c> columns and kernel column <c>jw</c>: the offset of the first
        /// lane's entry from the kernel row's C row at the input row (<c>jw*ldc + first input column</c>).</summary>
        public nint* TapOffsets;

        /// <summary>Per chunk and <c>jw</c>: -1 when no lane reaches the input row, else the phase it feeds (0 even,
        /// 1 odd; 0 at stride 1) plus 2 when only the lanes of its mask do.</summary>
        public nint* TapKinds;

        /// <summary>Per chunk and <c>jw</c>, <c>Count</c> elements: the lane mask of a partial tap.</summary>
        public T* TapMasks;

        /// <summary>Per output row of the column block, <c>kH</c> slots: the offsets from a channel's first C row of
        /// the kernel rows (ascending) whose input row is in the block.</summary>
        public nint* RowOffsets;

        /// <summary>Per output row of the column block: how many kernel rows reach it from the block.</summary>
        public nint* RowCounts;

        /// <summary>Per output row of the column block: 1 when no earlier block wrote it (start from the bias).</summary>
        public nint* RowFirsts;

        /// <summary>The column block's output rows: <c>[OhLo, OhLo + Span)</c>.</summary>
        public int OhLo, Span;
    }

    /// <summary>Output chunks per row at this width, and the column-tap table's entries (<c>chunks * kW</c>).</summary>
    private static int Col2ImChunks<TSimd, TVector, T>(in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
        => (int)(((long)p.OW + (p.SW * TSimd.Count) - 1) / (p.SW * TSimd.Count));

    /// <summary>Fills the column taps: output column <c>ow0 + s*t + q</c> takes input column <c>t + first</c> of kernel column <c>jw</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PrepareColumnTaps<TSimd, TVector, T>(in Col2ImTables<T> tables, nint ldc, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count, chunks = Col2ImChunks<TSimd, TVector, T>(p);
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            int ow0 = chunk * p.SW * v;
            for (int jw = 0; jw < p.KW; jw++)
            {
                int tap = (chunk * p.KW) + jw;

                // 64-bit: jw*d - p passes int's range with the dilations and paddings the geometry accepts. A first
                // column past [-v, W] reaches no input column either way, so clamping it there keeps the kind and the
                // (empty) mask and makes it an int.
                long offset = ((long)jw * p.DW) - p.PW;
                int phase = p.SW == 2 ? (int)(offset & 1) : 0;
                long firstColumn = p.SW == 2 ? (ow0 + phase - offset) >> 1 : ow0 - offset;
                int first = (int)Math.Clamp(firstColumn, -v, p.W);
                bool whole = first >= 0 && first + v <= p.W;

                // The gathers read C only through these taps and the row table: a whole tap's lanes, or a partial tap's
                // masked lanes, are input columns [0, W) of one input row, so every read stays inside its C row.
                Debug.Assert(tap < Col2ImChunks<TSimd, TVector, T>(p) * p.KW, "tap outside the tap table");
                tables.TapOffsets[tap] = ((nint)jw * ldc) + first;
                tables.TapKinds[tap] = first >= p.W || first + v <= 0 ? -1 : phase + (whole ? 0 : 2);
                TSimd.Store(TSimd.LaneMask(-first, p.W - first), tables.TapMasks + (tap * v));
            }
        }
    }

    /// <summary>Fills the row table for the column block of input rows <c>[ih0, ih1)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PrepareRows<T>(ref Col2ImTables<T> tables, int ih0, int ih1, nint ldc, in Plan p)
        where T : unmanaged
    {
        // 64-bit: ih*s - p + (k-1)*d passes int's range (both ways) with the geometries the plan accepts.
        long lo = Math.Max(0, ((long)ih0 * p.SH) - p.PH);
        long hi = Math.Min(p.OH, ((long)(ih1 - 1) * p.SH) - p.PH + ((long)(p.KH - 1) * p.DH) + 1);
        int ohLo = (int)Math.Min(lo, p.OH);
        int span = (int)Math.Max(0, hi - lo);
        (tables.OhLo, tables.Span) = (ohLo, span);
        for (int i = 0; i < span; i++)
        {
            tables.RowCounts[i] = 0;
            tables.RowFirsts[i] = !p.Prefill && p.FirstInputRow(ohLo + i) >= ih0 ? 1 : 0;
        }

        Debug.Assert(span <= p.Col2ImRows && (long)(ih1 - ih0) * p.W <= p.ColumnBlock && p.ColumnBlock <= ldc, "row table or block rows too small");
        for (int jh = 0; jh < p.KH; jh++)
        {
            long offset = ((long)jh * p.DH) - p.PH - ohLo;
            for (int ih = ih0; ih < ih1; ih++)
            {
                long i = ((long)ih * p.SH) + offset;
                if ((ulong)i < (ulong)span)
                {
                    Debug.Assert(tables.RowCounts[i] < p.KH, "more kernel rows than the row table holds");
                    tables.RowOffsets[(i * p.KH) + tables.RowCounts[i]++] = ((nint)jh * p.KW * ldc) + ((nint)(ih - ih0) * p.W);
                }
            }
        }
    }

    /// <summary>
    /// Adds the column block <c>C</c> (<paramref name="channels"/> output channels from the item's channel
    /// <paramref name="co0"/>, channel <c>c</c>'s <c>kH*kW</c> rows from <c>c * entryStride</c>, its output plane at
    /// <c>c * planeStride</c> from <paramref name="y"/>; columns: the whole input rows of <paramref name="tables"/>) into
    /// the output, where row <c>(co, jh, jw)</c>, column <c>(ih, iw)</c> belongs to
    /// <c>y[co, ih*s - p + jh*d, iw*s - p + jw*d]</c>. Strides 1 and 2 only. 2-D passes <c>kH*kW*ldc</c> and the plane
    /// size; col2vol one kernel depth's rows (<c>kD*kH*kW*ldc</c> apart) and the channel volume.
    /// </summary>
    /// <remarks>
    /// <para>A gather: each output row is built a chunk of <c>s*Count</c> columns at a time in registers (at stride 2 as
    /// even and odd phases, each kernel column feeding one phase from a shifted C row), so the output is read and
    /// written once per block instead of once per kernel cell, and no lane is scattered. A row is started from the bias
    /// the first time any block writes it (unless <see cref="Plan.Prefill"/>). Channels go two at a time, so that two
    /// independent add chains hide each other's latency.</para>
    /// <para>Order: each output element takes its entries in row order (<c>jh</c>, then <c>jw</c>) per column block,
    /// blocks in order, so the bits depend only on the shapes.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Col2Im<TSimd, TVector, T>(T* c, int co0, int channels, nint entryStride, nint planeStride, T* y, T* bias, in Col2ImTables<T> tables, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int step = p.SW * TSimd.Count, chunks = Col2ImChunks<TSimd, TVector, T>(p);
        for (int i = 0; i < tables.Span; i++)
        {
            var chunk = new Chunk<T>
            {
                Rows = (int)tables.RowCounts[i],
                RowOffsets = tables.RowOffsets + (i * p.KH),
                First = tables.RowFirsts[i] != 0,
                KW = p.KW,
            };
            if (chunk.Rows == 0)
            {
                continue;
            }

            T* outRow = y + (co0 * planeStride) + ((nint)(tables.OhLo + i) * p.OW);
            Debug.Assert(tables.OhLo + i < p.OH, "output row outside the plane");
            for (int ci = 0; ci < chunks; ci++)
            {
                chunk.TapOffsets = tables.TapOffsets + (ci * p.KW);
                chunk.TapKinds = tables.TapKinds + (ci * p.KW);
                chunk.TapMasks = tables.TapMasks + (ci * p.KW * TSimd.Count);
                chunk.Live = Math.Min(step, p.OW - (ci * step));
                T* dst = outRow + (ci * step);
                Debug.Assert(chunk.Live > 0 && (ci * step) + chunk.Live <= p.OW, "output chunk outside the output row");
                for (int ch = 0; ch < channels; ch += 2)
                {
                    // An odd last channel pairs with itself: computed twice, stored twice, same bits.
                    int other = Math.Min(ch + 1, channels - 1);
                    var two = new ChannelPair<T>
                    {
                        Entries0 = c + (ch * entryStride),
                        Entries1 = c + (other * entryStride),
                        Destination0 = dst + (ch * planeStride),
                        Destination1 = dst + (other * planeStride),
                        Start0 = bias == null ? T.Zero : bias[co0 + ch],
                        Start1 = bias == null ? T.Zero : bias[co0 + other],
                    };
                    Debug.Assert(other < channels, "channel outside the row block");
                    if (p.SW == 1)
                    {
                        GatherStride1<TSimd, TVector, T>(chunk, two);
                    }
                    else
                    {
                        GatherStride2<TSimd, TVector, T>(chunk, two);
                    }
                }
            }
        }
    }

    /// <summary>
    /// 3-D col2im (col2vol) of a column block of whole rows of input depth plane <c>id</c>: GEMM rows
    /// <c>(co, jd, jh, jw)</c> for one <c>jd</c> and every channel are a 2-D column block whose entries land in output
    /// depth plane <c>id*sD - pD + jd*dD</c> of each channel, so the 2-D gather runs once per kernel depth that reaches
    /// the output, into the bias-filled output (<see cref="Plan.Prefill"/>). Each output element takes its entries per
    /// column block in (jh, jw) order, blocks in order: the bits depend only on the shapes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Col2Vol<TSimd, TVector, T>(T* c, int m0, int mc, int n0, T* y, in Col2ImTables<T> tables, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(p.Prefill, "col2vol adds into a bias-filled output");
        int kk = p.KH * p.KW, kkk = p.KD * kk;
        nint outPlane = (nint)p.OH * p.OW;
        long id = n0 / ((nint)p.H * p.W);
        for (int jd = 0; jd < p.KD; jd++)
        {
            long od = (id * p.SD) - p.PD + ((long)jd * p.DD);
            if ((ulong)od >= (ulong)p.OD)
            {
                continue;
            }

            Debug.Assert((long)(mc / kkk) * kkk == mc && m0 % kkk == 0, "row block of partial channels");
            Col2Im<TSimd, TVector, T>(c + ((nint)jd * kk * p.Ldc), m0 / kkk, mc / kkk, (nint)kkk * p.Ldc, p.OutVolume, y + ((nint)od * outPlane), null, tables, p);
        }
    }

    /// <summary>One output chunk: the kernel rows and columns that feed it (shared by the channels of a block).</summary>
    private struct Chunk<T>
        where T : unmanaged
    {
        /// <summary>Kernel rows reaching the output row from the block, and their offsets from a channel's first C row.</summary>
        public int Rows;

        public nint* RowOffsets;

        /// <summary>This chunk's column taps, <see cref="KW"/> of them (see <see cref="Col2ImTables{T}"/>).</summary>
        public nint* TapOffsets, TapKinds;

        public T* TapMasks;

        public int KW;

        /// <summary>Output columns of the chunk inside the row (<c>s*Count</c> but at the row's end).</summary>
        public int Live;

        /// <summary>No earlier block wrote the row: start from the bias instead of reading it.</summary>
        public bool First;
    }

    /// <summary>Two channels' entries, output chunks and biases.</summary>
    private struct ChannelPair<T>
        where T : unmanaged
    {
        public T* Entries0, Entries1, Destination0, Destination1;
        public T Start0, Start1;
    }

    /// <summary>Stride 1: one vector of output columns per channel; each tap adds a shifted run of one kernel cell's entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void GatherStride1<TSimd, TVector, T>(in Chunk<T> chunk, in ChannelPair<T> two)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        bool whole = chunk.Live == v;
        TVector keep = whole ? default : TSimd.LaneMask(0, chunk.Live);
        TVector acc0 = chunk.First ? TSimd.Create(two.Start0) : LoadChunk<TSimd, TVector, T>(two.Destination0, whole, keep);
        TVector acc1 = chunk.First ? TSimd.Create(two.Start1) : LoadChunk<TSimd, TVector, T>(two.Destination1, whole, keep);
        for (int k = 0; k < chunk.Rows; k++)
        {
            nint row = chunk.RowOffsets[k];
            for (int jw = 0; jw < chunk.KW; jw++)
            {
                nint kind = chunk.TapKinds[jw];
                if (kind >= 0)
                {
                    nint at = row + chunk.TapOffsets[jw];
                    acc0 = AddTap<TSimd, TVector, T>(acc0, two.Entries0 + at, kind, chunk.TapMasks + (jw * v));
                    acc1 = AddTap<TSimd, TVector, T>(acc1, two.Entries1 + at, kind, chunk.TapMasks + (jw * v));
                }
            }
        }

        StoreChunk<TSimd, TVector, T>(acc0, two.Destination0, whole, keep);
        StoreChunk<TSimd, TVector, T>(acc1, two.Destination1, whole, keep);
    }

    /// <summary>
    /// Stride 2: the even and odd output columns of <c>2*Count</c> as two phase vectors per channel, interleaved on the
    /// way out; each tap feeds one phase.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void GatherStride2<TSimd, TVector, T>(in Chunk<T> chunk, in ChannelPair<T> two)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count, live = chunk.Live;
        bool wholeLower = live >= v, wholeUpper = live == 2 * v;
        TVector keepLower = wholeLower ? default : TSimd.LaneMask(0, live);
        TVector keepUpper = wholeUpper ? default : TSimd.LaneMask(0, live - v);
        TVector even0, odd0, even1, odd1;
        if (chunk.First)
        {
            even0 = odd0 = TSimd.Create(two.Start0);
            even1 = odd1 = TSimd.Create(two.Start1);
        }
        else
        {
            TSimd.Deinterleave(
                LoadChunk<TSimd, TVector, T>(two.Destination0, wholeLower, keepLower), LoadChunk<TSimd, TVector, T>(two.Destination0 + v, wholeUpper, keepUpper), out even0, out odd0);
            TSimd.Deinterleave(
                LoadChunk<TSimd, TVector, T>(two.Destination1, wholeLower, keepLower), LoadChunk<TSimd, TVector, T>(two.Destination1 + v, wholeUpper, keepUpper), out even1, out odd1);
        }

        for (int k = 0; k < chunk.Rows; k++)
        {
            nint row = chunk.RowOffsets[k];
            for (int jw = 0; jw < chunk.KW; jw++)
            {
                nint kind = chunk.TapKinds[jw];
                if (kind < 0)
                {
                    continue;
                }

                nint at = row + chunk.TapOffsets[jw];
                T* mask = chunk.TapMasks + (jw * v);
                if ((kind & 1) == 0)
                {
                    even0 = AddTap<TSimd, TVector, T>(even0, two.Entries0 + at, kind, mask);
                    even1 = AddTap<TSimd, TVector, T>(even1, two.Entries1 + at, kind, mask);
                }
                else
                {
                    odd0 = AddTap<TSimd, TVector, T>(odd0, two.Entries0 + at, kind, mask);
                    odd1 = AddTap<TSimd, TVector, T>(odd1, two.Entries1 + at, kind, mask);
                }
            }
        }

        TSimd.Interleave(even0, odd0, out TVector lower0, out TVector upper0);
        TSimd.Interleave(even1, odd1, out TVector lower1, out TVector upper1);
        StoreChunk<TSimd, TVector, T>(lower0, two.Destination0, wholeLower, keepLower);
        StoreChunk<TSimd, TVector, T>(upper0, two.Destination0 + v, wholeUpper, keepUpper);
        StoreChunk<TSimd, TVector, T>(lower1, two.Destination1, wholeLower, keepLower);
        StoreChunk<TSimd, TVector, T>(upper1, two.Destination1 + v, wholeUpper, keepUpper);
    }

    /// <summary>
    /// <c>acc + entries</c>; a partial tap (<paramref name="kind"/> &gt;= 2) adds only its mask's lanes, leaving the
    /// others exactly as they are (not even <c>+ 0</c>, which would turn -0 into +0), and reads no entry outside the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector AddTap<TSimd, TVector, T>(TVector acc, T* entries, nint kind, T* mask)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (kind < 2)
        {
            return TSimd.Add(acc, TSimd.Load(entries));
        }

        TVector lanes = TSimd.Load(mask);
        return TSimd.ConditionalSelect(lanes, TSimd.Add(acc, TSimd.LoadMasked(entries, lanes)), acc);
    }

    /// <summary>A whole vector, or the lanes of <paramref name="keep"/> (the rest zero, never read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector LoadChunk<TSimd, TVector, T>(T* source, bool whole, TVector keep)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        => whole ? TSimd.Load(source) : TSimd.LoadMasked(source, keep);

    /// <summary>A whole vector, or the lanes of <paramref name="keep"/> (the rest never written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreChunk<TSimd, TVector, T>(TVector value, T* destination, bool whole, TVector keep)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (whole)
        {
            TSimd.Store(value, destination);
        }
        else
        {
            TSimd.StoreMasked(value, destination, keep);
        }
    }

    /// <summary>
    /// Strides above 2, 3-D, and the bounded layout: scatters each entry of GEMM rows <c>[m0, m0+mc)</c> and columns
    /// <c>[n0, n0+cols)</c> (any run of input cells, whole rows or not) into its (bias-filled) output cell, rows in order.
    /// GEMM row <c>(co, jd, jh, jw)</c> and input cell <c>(id, ih, iw)</c> land at
    /// <c>(id*sD - pD + jd*dD, ih*sH - pH + jh*dH, iw*sW - pW + jw*dW)</c> (depth trivial in 1-D and 2-D).
    /// </summary>
    /// <remarks>The output coordinates are computed in 64 bits per (row, input row), and each run is clipped to the input
    /// columns that land inside the output row, so the inner loop only steps two pointers.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Col2ImScalar<T>(T* c, nint ldc, int m0, int mc, int n0, int cols, T* y, in Plan p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kk = p.KH * p.KW;
        int kkk = p.KD * kk;
        int rowFirst = n0 / p.W, rowLast = (n0 + cols - 1) / p.W;
        nint outVolume = p.OutVolume;
        nint sw = p.SW;
        for (int r = 0; r < mc; r++)
        {
            int local = m0 + r;
            int co = local / kkk, jd = (local % kkk) / kk, jh = (local % kk) / p.KW, jw = local % p.KW;

            // Input columns [iwLo, iwHi) land inside the output row: 0 <= iw*s + offW < OW.
            long offW = ((long)jw * p.DW) - p.PW;
            long iwLo = offW >= 0 ? 0 : (-offW + p.SW - 1) / p.SW;
            long lastW = p.OW - 1 - offW;
            long iwHi = lastW < 0 ? 0 : Math.Min(p.W, (lastW / p.SW) + 1);
            if (iwLo >= iwHi)
            {
                continue;
            }

            long offH = ((long)jh * p.DH) - p.PH;
            long offD = ((long)jd * p.DD) - p.PD;
            T* volume = y + (co * outVolume);
            T* entries = c + (r * ldc);
            int id = rowFirst / p.H, ih = rowFirst - (id * p.H);
            for (int row = rowFirst; row <= rowLast; row++)
            {
                long od = ((long)id * p.SD) + offD;
                long oh = ((long)ih * p.SH) + offH;
                long rowStart = (long)row * p.W;
                long from = Math.Max(iwLo, n0 - rowStart), to = Math.Min(iwHi, n0 + cols - rowStart);
                if (++ih == p.H)
                {
                    (ih, id) = (0, id + 1);
                }

                if ((ulong)oh >= (ulong)p.OH || (ulong)od >= (ulong)p.OD || from >= to)
                {
                    continue;
                }

                T* dst = volume + ((((nint)od * p.OH) + (nint)oh) * p.OW) + (nint)(offW + (from * p.SW));
                T* src = entries + (nint)(rowStart + from - n0);
                Debug.Assert(offW + (from * p.SW) >= 0 && offW + ((to - 1) * p.SW) < p.OW, "scattered columns outside the output row");
                Debug.Assert(rowStart + to - n0 <= cols && cols <= ldc, "entries outside the C row");
                for (nint t = (nint)(to - from); t > 0; t--, dst += sw, src++)
                {
                    *dst += *src;
                }
            }
        }
    }

    /// <summary>
    /// For <see cref="Plan.DirectStore"/>: the GEMM of rows <c>[m0, m0+mc)</c> with every tile (full reduction, no K
    /// blocking) written straight to the output. Tile rows <c>(co, jh, 0)</c> and <c>(co, jh, 1)</c> interleave into
    /// output row <c>ih*sH + jh</c> from column <c>2*iw</c>; a vector that runs past the end of an input row is stored
    /// in masked pieces, one per input row. Each cell is bias + its one entry, as col2im would give.
    /// </summary>
    /// <remarks>Storing while the next tile's multiply-adds run hides the output's write traffic, which a separate
    /// pass over a column buffer would serialise.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void GemmToOutput<TSimd, TVector, T>(T* ap, int m0, int mc, T* bp, int nPanels, int n0, int cols, T* tile, T* y, T* bias, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        int nrw = 2 * v;
        int mr = TileRows<TSimd, TVector, T>();
        int mPanels = (mc + mr - 1) / mr;
        int kk = p.KH * 2;
        nint outPlane = (nint)p.OH * p.OW;
        int ihStart = n0 / p.W, iwStart = n0 - (ihStart * p.W);
        for (int ir = 0; ir < mPanels; ir++)
        {
            int ih = ihStart, iw = iwStart;
            for (int jr = 0; jr < nPanels; jr++, iw += nrw)
            {
                while (iw >= p.W)
                {
                    iw -= p.W;
                    ih++;
                }

                int live = Math.Min(nrw, cols - (jr * nrw));
                Debug.Assert(Bounds.Within(ap + ((nint)ir * p.K * mr), (long)p.K * mr, ap, (long)mPanels * mr * p.K), "tile's A outside the A panels");
                Debug.Assert(Bounds.Within(bp + ((nint)jr * p.K * nrw), (long)p.K * nrw, bp, (long)nPanels * p.K * nrw), "tile's B outside the B panels");
                Tile<TSimd, TVector, T>(ap + ((nint)ir * p.K * mr), bp + ((nint)jr * p.K * nrw), p.K, tile, nrw, false);
                int first = ir * mr;
                for (int r = 0; r < mr && first + r < mc; r += 2)
                {
                    // Row m0 + first + r is (co, jh, 0) with the tile height and kH*2 both even; the next row is (co, jh, 1).
                    int m = m0 + first + r;
                    int co = m / kk, jh = (m % kk) >> 1;
                    T* row = y + (co * outPlane) + ((nint)jh * p.OW);
                    TVector splat = TSimd.Create(bias == null ? T.Zero : bias[co]);
                    T* even = tile + (r * nrw), odd = even + nrw;
                    StorePair<TSimd, TVector, T>(TSimd.Add(TSimd.Load(even), splat), TSimd.Add(TSimd.Load(odd), splat), row, ih, iw, Math.Min(v, live), p);
                    if (live > v)
                    {
                        int iwNext = iw + v, ihNext = ih;
                        while (iwNext >= p.W)
                        {
                            iwNext -= p.W;
                            ihNext++;
                        }

                        StorePair<TSimd, TVector, T>(TSimd.Add(TSimd.Load(even + v), splat), TSimd.Add(TSimd.Load(odd + v), splat), row, ihNext, iwNext, live - v, p);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Stores <c>a0 b0 a1 b1 ...</c> for <paramref name="live"/> input columns starting at <c>(ih, iw)</c>:
    /// input column <c>(ih, iw + t)</c> lands at output columns <c>2(iw + t)</c>, <c>+1</c> of row <c>ih*sH</c> of
    /// <paramref name="row"/>'s plane, wrapping to the next input row where <c>iw + t</c> reaches <c>W</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePair<TSimd, TVector, T>(TVector a, TVector b, T* row, int ih, int iw, int live, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        TSimd.Interleave(a, b, out TVector lower, out TVector upper);
        T* dst = row + ((nint)ih * p.SH * p.OW) + (2 * iw);
        Debug.Assert((uint)ih < (uint)p.H && (uint)iw < (uint)p.W && live > 0 && live <= v, "pair store outside the input grid");
        if (live == v && iw + v <= p.W)
        {
            TSimd.Store(lower, dst);
            TSimd.Store(upper, dst + v);
            return;
        }

        // Piece by piece, each input row's lanes [t, t + piece) at that row's address (lane t sits at dst + 2t).
        for (int t = 0; t < live; ih++, iw = 0)
        {
            int piece = Math.Min(live - t, p.W - iw);
            T* at = row + ((nint)ih * p.SH * p.OW) + (2 * iw) - (2 * t);

            // Output row ih*sH + jh of the plane (OH = sH*H, OW = 2W: Plan.DirectStore), columns [2iw, 2(iw + piece)).
            Debug.Assert((uint)ih < (uint)p.H && iw + piece <= p.W && p.OW == 2 * p.W && p.OH == p.SH * p.H, "pair store outside the output plane");
            TSimd.StoreMasked(lower, at, TSimd.LaneMask(2 * t, 2 * (t + piece)));
            TSimd.StoreMasked(upper, at + v, TSimd.LaneMask((2 * t) - v, (2 * (t + piece)) - v));
            t += piece;
        }
    }
}
