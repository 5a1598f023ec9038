using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <content>col2im for the transposed convolution: adds a block of the column matrix into the output.</content>
internal static unsafe partial class ConvKernel
{
    /// <summary>
    /// Adds the column block <c>C</c> (rows <c>[m0, m0+mc)</c>: whole output channels of the item; columns: whole input
    /// rows <c>[n0/W, (n0+cols)/W)</c>) into the output, where row <c>(co, jh, jw)</c>, column <c>(ih, iw)</c> belongs to
    /// <c>y[co, ih*s - p + jh*d, iw*s - p + jw*d]</c>.
    /// </summary>
    /// <remarks>
    /// <para>Strides 1 and 2 gather: each output row is built a chunk of <c>s*Count</c> columns at a time in registers
    /// (at stride 2 as even and odd phases, each kernel column feeding one phase from a shifted C row), so the output is
    /// read and written once per block instead of once per kernel cell, and no lane is scattered. A row is started from
    /// the bias the first time any block writes it (unless <see cref="Plan.Prefill"/>).</para>
    /// <para>Order: each output element takes its entries in row order (<c>jh</c>, then <c>jw</c>) per column block,
    /// blocks in order, so the bits depend only on the shapes. Wider strides scatter scalar entries in the same order.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Col2Im<TSimd, TVector, T>(T* c, nint ldc, int m0, int mc, int n0, int cols, T* y, T* bias, nint* table, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.SW > 2)
        {
            Col2ImScalar(c, ldc, m0, mc, n0, cols, y, p);
            return;
        }

        // Per output row the block reaches, shared by every channel: whether no earlier block wrote it, how many
        // kernel rows reach it, and (ascending jh) where those rows keep its entries relative to a channel's first C row.
        int kk = p.KH * p.KW;
        int ih0 = n0 / p.W, ih1 = (n0 + cols) / p.W;
        int ohLo = Math.Max(0, (ih0 * p.SH) - p.PH);
        int ohHi = Math.Min(p.OH, ((ih1 - 1) * p.SH) - p.PH + ((p.KH - 1) * p.DH) + 1);
        int span = Math.Max(0, ohHi - ohLo);
        nint* offsets = table, counts = table + (span * p.KH), firsts = counts + span;
        for (int i = 0; i < span; i++)
        {
            counts[i] = 0;
            firsts[i] = !p.Prefill && p.FirstInputRow(ohLo + i) >= ih0 ? 1 : 0;
        }

        for (int jh = 0; jh < p.KH; jh++)
        {
            for (int ih = ih0; ih < ih1; ih++)
            {
                int i = (ih * p.SH) + (jh * p.DH) - p.PH - ohLo;
                if ((uint)i < (uint)span)
                {
                    offsets[(i * p.KH) + counts[i]++] = (jh * p.KW * ldc) + ((nint)(ih - ih0) * p.W);
                }
            }
        }

        nint outPlane = (nint)p.OH * p.OW;
        for (int local = m0; local < m0 + mc; local += kk)
        {
            int co = local / kk;
            var row = new OutputRow<T>
            {
                Channel = c + ((local - m0) * ldc),
                Start = bias == null ? T.Zero : bias[co],
            };
            for (int i = 0; i < span; i++)
            {
                if (counts[i] == 0)
                {
                    continue;
                }

                row.Destination = y + (co * outPlane) + ((nint)(ohLo + i) * p.OW);
                row.EntryOffsets = offsets + (i * p.KH);
                row.Count = (int)counts[i];
                row.First = firsts[i] != 0;
                if (p.SW == 1)
                {
                    GatherRowStride1<TSimd, TVector, T>(row, ldc, p);
                }
                else
                {
                    GatherRowStride2<TSimd, TVector, T>(row, ldc, p);
                }
            }
        }
    }

    /// <summary>One output row of one channel, and where its entries sit in the column block.</summary>
    private struct OutputRow<T>
        where T : unmanaged
    {
        /// <summary>The output row.</summary>
        public T* Destination;

        /// <summary>The channel's first C row (<c>jh = jw = 0</c>).</summary>
        public T* Channel;

        /// <summary>Per kernel row that reaches this output row from the block (ascending): its entries' offset from <see cref="Channel"/>.</summary>
        public nint* EntryOffsets;

        public int Count;

        /// <summary>The bias, where the row is first written.</summary>
        public T Start;

        /// <summary>No earlier block wrote the row: start from <see cref="Start"/> instead of reading it.</summary>
        public bool First;
    }

    /// <summary>Stride 1: output column <c>ow</c> takes input column <c>ow + p - jw*d</c> of each kernel cell.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void GatherRowStride1<TSimd, TVector, T>(in OutputRow<T> row, nint ldc, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        for (int ow0 = 0; ow0 < p.OW; ow0 += v)
        {
            T* dst = row.Destination + ow0;
            int live = Math.Min(v, p.OW - ow0);
            TVector keep = live == v ? default : TSimd.LaneMask(0, live);
            TVector acc = row.First ? TSimd.Create(row.Start) : live == v ? TSimd.Load(dst) : TSimd.LoadMasked(dst, keep);
            for (int k = 0; k < row.Count; k++)
            {
                T* entries = row.Channel + row.EntryOffsets[k];
                for (int jw = 0; jw < p.KW; jw++, entries += ldc)
                {
                    acc = AddShifted<TSimd, TVector, T>(acc, entries, ow0 + p.PW - (jw * p.DW), p.W);
                }
            }

            if (live == v)
            {
                TSimd.Store(acc, dst);
            }
            else
            {
                TSimd.StoreMasked(acc, dst, keep);
            }
        }
    }

    /// <summary>
    /// Stride 2: output column <c>ow0 + 2t + q</c> takes, from kernel column <c>jw</c> with <c>jw*d - p</c> of parity
    /// <c>q</c>, input column <c>t + (ow0 + q + p - jw*d) / 2</c>; the two phases are interleaved on the way out.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void GatherRowStride2<TSimd, TVector, T>(in OutputRow<T> row, nint ldc, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        for (int ow0 = 0; ow0 < p.OW; ow0 += 2 * v)
        {
            T* dst = row.Destination + ow0;
            int live = Math.Min(2 * v, p.OW - ow0);
            TVector keepLower = live >= v ? default : TSimd.LaneMask(0, live);
            TVector keepUpper = live == 2 * v ? default : TSimd.LaneMask(0, live - v);
            TVector even, odd;
            if (row.First)
            {
                even = odd = TSimd.Create(row.Start);
            }
            else
            {
                TVector lower = live >= v ? TSimd.Load(dst) : TSimd.LoadMasked(dst, keepLower);
                TVector upper = live == 2 * v ? TSimd.Load(dst + v) : TSimd.LoadMasked(dst + v, keepUpper);
                TSimd.Deinterleave(lower, upper, out even, out odd);
            }

            for (int k = 0; k < row.Count; k++)
            {
                T* entries = row.Channel + row.EntryOffsets[k];
                for (int jw = 0; jw < p.KW; jw++, entries += ldc)
                {
                    int offset = (jw * p.DW) - p.PW;
                    if ((offset & 1) == 0)
                    {
                        even = AddShifted<TSimd, TVector, T>(even, entries, (ow0 - offset) >> 1, p.W);
                    }
                    else
                    {
                        odd = AddShifted<TSimd, TVector, T>(odd, entries, (ow0 + 1 - offset) >> 1, p.W);
                    }
                }
            }

            TSimd.Interleave(even, odd, out TVector outLower, out TVector outUpper);
            if (live == 2 * v)
            {
                TSimd.Store(outLower, dst);
                TSimd.Store(outUpper, dst + v);
            }
            else if (live >= v)
            {
                TSimd.Store(outLower, dst);
                TSimd.StoreMasked(outUpper, dst + v, keepUpper);
            }
            else
            {
                TSimd.StoreMasked(outLower, dst, keepLower);
            }
        }
    }

    /// <summary>
    /// <c>acc[t] += entries[first + t]</c> for the lanes with <c>0 &lt;= first + t &lt; width</c>; the other lanes are
    /// left exactly as they are (not even <c>+ 0</c>, which would turn -0 into +0) and their entries are not read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector AddShifted<TSimd, TVector, T>(TVector acc, T* entries, int first, int width)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (first >= 0 && first + TSimd.Count <= width)
        {
            return TSimd.Add(acc, TSimd.Load(entries + first));
        }

        if (first >= width || first + TSimd.Count <= 0)
        {
            return acc;
        }

        TVector mask = TSimd.LaneMask(-first, width - first);
        return TSimd.ConditionalSelect(mask, TSimd.Add(acc, TSimd.LoadMasked(entries + first, mask)), acc);
    }

    /// <summary>Strides above 2: scatters each entry into its (bias-filled) output cell, rows in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Col2ImScalar<T>(T* c, nint ldc, int m0, int mc, int n0, int cols, T* y, in Plan p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kk = p.KH * p.KW;
        int ih0 = n0 / p.W, ih1 = (n0 + cols) / p.W;
        nint outPlane = (nint)p.OH * p.OW;
        for (int r = 0; r < mc; r++)
        {
            int local = m0 + r;
            int co = local / kk, jh = (local % kk) / p.KW, jw = local % p.KW;
            int offW = (jw * p.DW) - p.PW;
            int iwLo = offW >= 0 ? 0 : (-offW + p.SW - 1) / p.SW;
            int lastW = p.OW - 1 - offW;
            int iwHi = lastW < 0 ? 0 : Math.Min(p.W, (lastW / p.SW) + 1);
            for (int ih = ih0; ih < ih1; ih++)
            {
                int oh = (ih * p.SH) + (jh * p.DH) - p.PH;
                if ((uint)oh >= (uint)p.OH)
                {
                    continue;
                }

                T* dst = y + (co * outPlane) + ((nint)oh * p.OW) + offW;
                T* src = c + (r * ldc) + ((nint)(ih - ih0) * p.W);
                for (int iw = iwLo; iw < iwHi; iw++)
                {
                    dst[iw * p.SW] += src[iw];
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
        int mPanels = (mc + MR - 1) / MR;
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
                Tile<TSimd, TVector, T>(ap + ((nint)ir * p.K * MR), bp + ((nint)jr * p.K * nrw), p.K, tile, nrw, false);
                int first = ir * MR;
                for (int r = 0; r < MR && first + r < mc; r += 2)
                {
                    // Row m0 + first + r is (co, jh, 0) with MR and kH*2 both even; the next row is (co, jh, 1).
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
            TSimd.StoreMasked(lower, at, TSimd.LaneMask(2 * t, 2 * (t + piece)));
            TSimd.StoreMasked(upper, at + v, TSimd.LaneMask((2 * t) - v, (2 * (t + piece)) - v));
            t += piece;
        }
    }
}
