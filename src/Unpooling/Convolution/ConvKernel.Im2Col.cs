using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <content>The convolution's vector im2col: packs B panels a run of output columns at a time.</content>
internal static unsafe partial class ConvKernel
{
    /// <summary>
    /// Elements of the staging row <see cref="PackIm2ColRuns{TSimd, TVector, T}"/> keeps on the stack: a column block of
    /// at most <see cref="NB"/> columns, a vector of slack before it (a first output row's chunk that starts before the
    /// block) and up to a panel after it (the last chunk's overrun, and the zero padding of the last panel).
    /// </summary>
    private const int StagingLength = NB + (3 * PanelAlign);

    /// <summary>Whether <see cref="PackIm2ColRuns{TSimd, TVector, T}"/> serves the plan: a 2-D convolution (trivial depth
    /// axis) of column stride 1 or 2 and blocks of at most <see cref="NB"/> columns.</summary>
    private static bool PacksRuns(in Plan p) => !p.Transposed && !p.Volume && p.SW <= 2 && p.ColumnBlock <= NB;

    /// <summary>
    /// The same panels as <see cref="PackIm2Col"/> (bit for bit: every entry is a copy of an input element or zero), built
    /// a reduction row at a time: each output row's run of <c>OW</c> columns is gathered in vectors of <c>Count</c>
    /// output columns (a load, or for column stride 2 two loads split into even and odd lanes; masked where a vector
    /// reaches the padding or past the row, so no element outside the input row is read) into a staging row on the
    /// stack, whose whole panels are then copied into B. Rows that fall in the padding are zero vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackIm2ColRuns<TSimd, TVector, T>(T* x, in Plan p, int n0, int cols, int panels, T* bp, int k0, int kc)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(PacksRuns(p) && cols > 0 && cols <= NB, "run im2col outside its plans");
        int v = TSimd.Count;
        int nrw = 2 * v;
        int ow = p.OW, w = p.W;
        nint panelStride = (nint)kc * nrw;
        Debug.Assert(panels * nrw >= cols && (panels - 1) * nrw < cols, "panel count does not match the columns");

        // Direct: every output row is whole vectors and so is the block (n0 is a multiple of NB), so each chunk is one
        // half of a panel row and goes straight to B. Otherwise chunks go to a staging row on the stack, whose column j
        // is stage[j]: stage[-v, 0) takes a first chunk that starts before the block, stage[cols, panels * nrw + v) the
        // last chunk's overrun and the last panel's padding; its whole panels are then copied to B.
        bool direct = ow % v == 0 && cols % v == 0 && n0 % v == 0;
        T* buffer = stackalloc T[StagingLength];
        T* stage = buffer + PanelAlign;
        Debug.Assert(v <= PanelAlign && (panels * nrw) + v <= StagingLength - PanelAlign, "staging row too short");

        int ohFirst = n0 / ow, ohLast = (n0 + cols - 1) / ow;
        int owStart = n0 - (ohFirst * ow);
        int firstChunk = owStart / v * v;
        int lastEnd = n0 + cols - (ohLast * ow);
        bool stride2 = p.SW == 2;
        TVector zero = TSimd.Zero;

        // The plan's fields the inner loop reads, in locals (the stores through B could otherwise alias them).
        long sh = p.SH, height = p.H;
        nint inVolume = p.InVolume;

        // The reduction index k = (ci, jh, jw), stepped without division.
        int ci = k0 / (p.KH * p.KW), jh = (k0 % (p.KH * p.KW)) / p.KW, jw = k0 % p.KW;
        for (int kr = 0; kr < kc; kr++)
        {
            Debug.Assert(ci < p.CinG, "im2col reads past the group's channels");
            T* plane = x + (ci * inVolume);
            T* bRow = bp + ((nint)kr * nrw);

            // Output columns [owLo, owHi) read inside the input row: 0 <= ow*sW + iwOffset < W (64-bit: see PackIm2Col).
            long iwOffset = ((long)jw * p.DW) - p.PW;
            long lo = iwOffset >= 0 ? 0 : stride2 ? (1 - iwOffset) >> 1 : -iwOffset;
            long hi = w - 1 - iwOffset < 0 ? 0 : ((w - 1 - iwOffset) >> (stride2 ? 1 : 0)) + 1;
            int owLo = (int)Math.Min(lo, ow);
            int owHi = (int)Math.Clamp(hi, owLo, ow);
            long ihFirst = ((long)ohFirst * p.SH) - p.PH + ((long)jh * p.DH);

            // Chunk positions of a row, last first (in the staging row, a row's last chunk runs past the row into the
            // next one, whose first chunk, written later, overwrites that); per position, the rows.
            int lastChunk = Math.Max(firstChunk, (ohFirst == ohLast ? lastEnd : ow) - 1) / v * v;
            for (int c = lastChunk; c >= 0; c -= v)
            {
                // Lanes [tLo, tHi) of this chunk read the row; the others are zero. kind 0: zero, 1: whole, 2: masked.
                int tLo = Math.Max(0, owLo - c), tHi = Math.Min(v, owHi - c);
                long s = (stride2 ? 2L * c : c) + iwOffset;
                int kind = tHi <= tLo ? 0 : tLo == 0 && tHi == v && (!stride2 || s + (2 * v) <= w) ? 1 : 2;
                TVector lower = zero, upper = zero;
                if (kind == 2)
                {
                    if (!stride2)
                    {
                        lower = TSimd.LaneMask(tLo, tHi);
                    }
                    else
                    {
                        // Lane t is element 2t of the pair of vectors at s; an unmasked pair needs its last (odd)
                        // element inside the row as well.
                        (lower, upper) = (TSimd.LaneMask(2 * tLo, (2 * tHi) - 1), TSimd.LaneMask((2 * tLo) - v, (2 * tHi) - 1 - v));
                    }
                }

                int ohBegin = c < firstChunk ? ohFirst + 1 : ohFirst;
                int ohEnd = c >= lastEnd ? ohLast : ohLast + 1;
                long ih = ihFirst + ((ohBegin - ohFirst) * sh);
                for (int oh = ohBegin; oh < ohEnd; oh++, ih += sh)
                {
                    TVector value = zero;
                    if (kind != 0 && (ulong)ih < (ulong)height)
                    {
                        T* src = plane + ((nint)ih * w) + (nint)s;
                        if (!stride2)
                        {
                            Debug.Assert(kind == 2 || Bounds.Within(src, v, plane, p.InVolume), "im2col run outside the channel");
                            value = kind == 1 ? TSimd.Load(src) : TSimd.LoadMasked(src, lower);
                        }
                        else
                        {
                            Debug.Assert(kind == 2 || Bounds.Within(src, 2 * v, plane, p.InVolume), "im2col run outside the channel");
                            TVector first = kind == 1 ? TSimd.Load(src) : TSimd.LoadMasked(src, lower);
                            TVector second = kind == 1 ? TSimd.Load(src + v) : TSimd.LoadMasked(src + v, upper);
                            TSimd.Deinterleave(first, second, out value, out _);
                        }
                    }

                    int j = (oh * ow) - n0 + c;
                    if (direct)
                    {
                        Debug.Assert(j >= 0 && j + v <= cols, "direct chunk outside the block");
                        TSimd.Store(value, bRow + ((nint)((uint)j / (uint)nrw) * panelStride) + (nint)((uint)j % (uint)nrw));
                    }
                    else
                    {
                        Debug.Assert(j >= -v && j + v <= cols + v, "chunk outside the staging row");
                        TSimd.Store(value, stage + j);
                    }
                }
            }
            Debug.Assert(Bounds.Within(bRow + ((panels - 1) * panelStride), nrw, bp, (long)panels * kc * nrw), "panel row outside the B panels");
            if (direct)
            {
                // A block of an odd count of vectors leaves the last panel's upper half: zero padding.
                if (cols % nrw != 0)
                {
                    TSimd.Store(zero, bRow + ((panels - 1) * panelStride) + v);
                }
            }
            else
            {
                // The last panel's columns past the block are zero, then whole panels go to B.
                for (int j = cols; j < panels * nrw; j++)
                {
                    stage[j] = T.Zero;
                }

                T* dst = bRow;
                for (int jr = 0; jr < panels; jr++, dst += panelStride)
                {
                    TSimd.Store(TSimd.Load(stage + (jr * nrw)), dst);
                    TSimd.Store(TSimd.Load(stage + (jr * nrw) + v), dst + v);
                }
            }

            if (++jw == p.KW)
            {
                jw = 0;
                if (++jh == p.KH)
                {
                    jh = 0;
                    ci++;
                }
            }
        }
    }

    /// <summary>
    /// One column block of a convolution item whose rows fit one row block: per reduction block of <see cref="KC"/>, packs
    /// that block's im2col panels (<c>KC x cols</c>, which stay in L2 where the whole <c>K x cols</c> would not) and runs
    /// the GEMM over it for every row, then writes the rows out with the bias. The tiles and their chains over k are those
    /// of <see cref="Gemm{TSimd, TVector, T}"/> in the same order (blocks of <see cref="KC"/> from 0, each continuing
    /// the last), so the bits are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void ForwardBlock<TSimd, TVector, T>(T* x, T* ap, int rows, in Plan p, int n0, int cols, int panels, T* bp, T* c, T* y, T* biasG, long itemOutput)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nrw = 2 * TSimd.Count;
        int mr = TileRows<TSimd, TVector, T>();
        int mPanels = (rows + mr - 1) / mr;
        Debug.Assert(PacksRuns(p) && rows <= p.RowBlock && p.K > 0, "fused block outside its plans");
        Debug.Assert((long)mPanels * mr * p.Ldc <= p.ColumnsLength && (long)panels * nrw <= p.Ldc, "tiles outside the column buffer");
        for (int k0 = 0; k0 < p.K; k0 += KC)
        {
            int kc = Math.Min(KC, p.K - k0);
            Debug.Assert((long)panels * kc * nrw <= p.PackedBLength, "B panels outside packed B");
            PackIm2ColRuns<TSimd, TVector, T>(x, p, n0, cols, panels, bp, k0, kc);
            for (int jr = 0; jr < panels; jr++)
            {
                T* b = bp + ((nint)jr * kc * nrw);
                for (int ir = 0; ir < mPanels; ir++)
                {
                    T* a = ap + ((nint)ir * p.K * mr) + ((nint)k0 * mr);
                    Debug.Assert(Bounds.Within(a, (long)kc * mr, ap, p.PackedAPerBlock), "tile's A outside the item's packed A");
                    Tile<TSimd, TVector, T>(a, b, kc, c + ((nint)ir * mr * p.Ldc) + (jr * nrw), p.Ldc, k0 > 0);
                }
            }
        }

        Epilogue<TSimd, TVector, T>(c, 0, rows, n0, cols, y, biasG, p, itemOutput);
    }
}
