using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// The weight gradient's direct layout (<see cref="WeightGradPlan.DirectTaps"/>): the same sums as the packed GEMM of
/// <c>ConvKernel.Backward.cs</c>, computed transposed, <c>dW^T[(cb, k), m] = sum over (n, p) of T[n, cb, tap(p, k)] *
/// R[n, m, p]</c>, so that the taps are the broadcast operand and are read in place, with no im2col panels.
/// </summary>
/// <remarks>
/// <para>In a channels-first sample (or its padded copy) a tap's offset is the sum of a part that depends on the weight
/// column only, <c>cb*plane + (kd*dD*H + kh*dH)*W + kw*dW</c>, and a part that depends on the position only,
/// <c>(pd*sD*H + ph*sH)*W + pw*sW</c>. A tile of 8 (6 below 32 registers) weight columns keeps one pointer per column
/// and reads a position's 8 taps at the position's offset from a table; its 2 vectors are the rows of <c>R</c>, packed
/// per block of steps into panels of <c>2*Count</c> rows (an 8 x 8 register transpose for float). At D3 the im2col panels
/// were written and read once per (sample, column block): about 15% of the call.</para>
/// <para>Bits: each element's chain runs over the chunk's (sample, position) steps in ascending order, as in the packed
/// GEMM, and a fused multiply-add's product does not depend on the order of its factors; the partials are added in chunk
/// order. The results are the packed GEMM's bits (tested).</para>
/// </remarks>
internal static unsafe partial class ConvKernel
{
    /// <summary>One (group, sample chunk) of the direct layout into its transposed partial matrix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void WeightGradDirectItem<TSimd, TVector, T>(T* rows, T* taps, T* partials, in WeightGradPlan p, int g0, int item, T* rp, T* padded, nint* columns)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(p.DirectTaps && !p.ChannelsLast, "the direct layout reads channels-first taps in place");
        int nrw = 2 * TSimd.Count;
        int mr = TileRows<TSimd, TVector, T>();
        int chunk = item % p.Chunks;
        int gi = item / p.Chunks;
        int g = g0 + gi;
        T* c = partials + ((((nint)gi * p.Chunks) + chunk) * (nint)p.PartialStride);
        Debug.Assert(Bounds.Within(c, (long)p.DirectRows * p.DirectLdc, partials, p.PartialLength), "item's partial outside the partials");
        Debug.Assert(p.DirectRows % mr == 0 && p.DirectLdc % nrw == 0, "tiles past the transposed partial");

        int rowChannels = p.Groups * p.M;
        int mPanels = (p.M + nrw - 1) / nrw;
        nint* positions = stackalloc nint[GradStepBlock];
        bool accumulate = false;
        int n1 = Math.Min(p.Batch, (chunk + 1) * p.SamplesPerChunk);
        for (int n = chunk * p.SamplesPerChunk; n < n1; n++)
        {
            T* a = rows + ((((nint)n * rowChannels) + ((nint)g * p.M)) * p.PVolume);
            TapView<T> view = p.PadTaps ? new TapView<T>(padded, p) : new TapView<T>(taps, p, n, g);
            if (p.PadTaps)
            {
                FillPadded(taps, p, n, g, padded);
            }

            if (n == chunk * p.SamplesPerChunk)
            {
                // The column offsets depend on the view's extents only: the same for every sample of the item.
                ColumnOffsets(view, p, columns);
            }

            for (int p0 = 0; p0 < p.PVolume; p0 += p.StepBlock)
            {
                int kb = Math.Min(p.StepBlock, p.PVolume - p0);
                PositionOffsets(view, p, p0, kb, positions);
                PackRowsTransposed(a, p.PVolume, p.M, p0, kb, nrw, rp);
                for (int jm = 0; jm < mPanels; jm++)
                {
                    T* b = rp + ((nint)jm * kb * nrw);
                    for (int n0 = 0; n0 < p.DirectRows; n0 += mr)
                    {
                        Debug.Assert(Bounds.Within(c + ((nint)n0 * p.DirectLdc) + (jm * nrw), ((mr - 1L) * p.DirectLdc) + nrw, c, (long)p.DirectRows * p.DirectLdc), "tile outside the transposed partial");
                        DirectGradTile<TSimd, TVector, T>(view.Sample, columns + n0, positions, b, kb, c + ((nint)n0 * p.DirectLdc) + (jm * nrw), p.DirectLdc, accumulate);
                    }
                }

                accumulate = true;
            }
        }
    }

    /// <summary>
    /// <c>columns[n]</c> = the offset of weight column <c>n = (cb, kd, kh, kw)</c>'s tap at position 0 in the view, for
    /// the <see cref="WeightGradPlan.DirectRows"/> rows (the rows past <c>N</c>, whose sums are never read, at 0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnOffsets<T>(in TapView<T> v, in WeightGradPlan p, nint* columns)
        where T : unmanaged
    {
        int n = 0;
        for (int cb = 0; cb < p.Cb; cb++)
        {
            for (int kd = 0; kd < p.KD; kd++)
            {
                for (int kh = 0; kh < p.KH; kh++)
                {
                    for (int kw = 0; kw < p.KW; kw++)
                    {
                        // Inside the view (every tap is), so it fits an nint.
                        columns[n++] = (nint)((cb * (long)v.ChannelStride) + ((((long)kd * p.DD * v.TH) + ((long)kh * p.DH)) * v.TW) + ((long)kw * p.DW));
                    }
                }
            }
        }

        for (; n < p.DirectRows; n++)
        {
            columns[n] = 0;
        }
    }

    /// <summary>
    /// <c>positions[i]</c> = the offset, in the view, of position <c>p0 + i</c>'s tap for the zero kernel offset:
    /// <c>((pd*sD - bD)*H + ph*sH - bH)*W + pw*sW - bW</c> (the view's begin paddings are 0 here: the padded copy holds
    /// them, and a source read in place has none).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PositionOffsets<T>(in TapView<T> v, in WeightGradPlan p, int p0, int kb, nint* positions)
        where T : unmanaged
    {
        int planeP = p.PH * p.PW;
        int pd = p0 / planeP, ph = (p0 % planeP) / p.PW, pw = p0 % p.PW;
        for (int i = 0; i < kb; i++)
        {
            positions[i] = (nint)((((((long)pd * p.SD) - v.BD) * v.TH) + ((long)ph * p.SH) - v.BH) * v.TW + ((long)pw * p.SW) - v.BW);
            if (++pw == p.PW)
            {
                pw = 0;
                if (++ph == p.PH)
                {
                    ph = 0;
                    pd++;
                }
            }
        }
    }

    /// <summary>
    /// Rows <c>[0, rows)</c>, steps <c>[k0, k0+kb)</c> of channels-first <c>R</c> (rows <paramref name="strideM"/> apart)
    /// into panels of <paramref name="nrw"/> rows, <c>dst[jm*kb*nrw + k*nrw + r] = R[jm*nrw + r, k0 + k]</c>, the rows
    /// past the last zero: float by 8 x 8 register transposes where 8 rows and 8 steps are whole, the rest one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackRowsTransposed<T>(T* a, nint strideM, int rows, int k0, int kb, int nrw, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k8 = typeof(T) == typeof(float) && Avx.IsSupported && nrw % 8 == 0 ? kb / 8 * 8 : 0;
        for (int m0 = 0; m0 < rows; m0 += nrw, dst += (nint)kb * nrw)
        {
            for (int r0 = 0; r0 < nrw; r0 += 8)
            {
                int live = Math.Min(8, Math.Max(0, rows - m0 - r0));
                int done = live == 8 ? k8 : 0;
                if (done > 0)
                {
                    Transpose8Rows((float*)(a + ((m0 + r0) * strideM) + k0), strideM, done, (float*)(dst + r0), nrw);
                }

                for (int r = r0; r < Math.Min(r0 + 8, nrw); r++)
                {
                    T* d = dst + r + ((nint)done * nrw);
                    if (r - r0 >= live)
                    {
                        for (int k = done; k < kb; k++, d += nrw)
                        {
                            *d = T.Zero;
                        }

                        continue;
                    }

                    T* src = a + ((m0 + r) * strideM) + k0;
                    for (int k = done; k < kb; k++, d += nrw)
                    {
                        *d = src[k];
                    }
                }
            }
        }
    }

    /// <summary>
    /// The direct micro-kernel: <see cref="TileRows{TSimd, TVector, T}"/> weight columns x 2 vectors of rows of C in
    /// registers over <paramref name="kc"/> steps; column <c>r</c>'s value at step <c>i</c> is
    /// <c>x[columns[r] + positions[i]]</c>, broadcast; continues the chains from C when <paramref name="accumulate"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void DirectGradTile<TSimd, TVector, T>(T* x, nint* columns, nint* positions, T* b, int kc, T* c, nint ldc, bool accumulate)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint v = TSimd.Count;
        bool eight = TileRows<TSimd, TVector, T>() == 8;
        T* x0 = x + columns[0], x1 = x + columns[1], x2 = x + columns[2], x3 = x + columns[3], x4 = x + columns[4], x5 = x + columns[5];
        T* x6 = eight ? x + columns[6] : x, x7 = eight ? x + columns[7] : x;
        TVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = TSimd.Zero;
        if (accumulate)
        {
            c00 = TSimd.Load(c); c01 = TSimd.Load(c + v);
            c10 = TSimd.Load(c + ldc); c11 = TSimd.Load(c + ldc + v);
            c20 = TSimd.Load(c + (2 * ldc)); c21 = TSimd.Load(c + (2 * ldc) + v);
            c30 = TSimd.Load(c + (3 * ldc)); c31 = TSimd.Load(c + (3 * ldc) + v);
            c40 = TSimd.Load(c + (4 * ldc)); c41 = TSimd.Load(c + (4 * ldc) + v);
            c50 = TSimd.Load(c + (5 * ldc)); c51 = TSimd.Load(c + (5 * ldc) + v);
            if (eight)
            {
                c60 = TSimd.Load(c + (6 * ldc)); c61 = TSimd.Load(c + (6 * ldc) + v);
                c70 = TSimd.Load(c + (7 * ldc)); c71 = TSimd.Load(c + (7 * ldc) + v);
            }
        }

        for (int i = 0; i < kc; i++)
        {
            nint o = positions[i];
            TVector b0 = TSimd.Load(b), b1 = TSimd.Load(b + v);
            TVector a0 = TSimd.Create(x0[o]);
            c00 = TSimd.MultiplyAdd(a0, b0, c00); c01 = TSimd.MultiplyAdd(a0, b1, c01);
            TVector a1 = TSimd.Create(x1[o]);
            c10 = TSimd.MultiplyAdd(a1, b0, c10); c11 = TSimd.MultiplyAdd(a1, b1, c11);
            TVector a2 = TSimd.Create(x2[o]);
            c20 = TSimd.MultiplyAdd(a2, b0, c20); c21 = TSimd.MultiplyAdd(a2, b1, c21);
            TVector a3 = TSimd.Create(x3[o]);
            c30 = TSimd.MultiplyAdd(a3, b0, c30); c31 = TSimd.MultiplyAdd(a3, b1, c31);
            TVector a4 = TSimd.Create(x4[o]);
            c40 = TSimd.MultiplyAdd(a4, b0, c40); c41 = TSimd.MultiplyAdd(a4, b1, c41);
            TVector a5 = TSimd.Create(x5[o]);
            c50 = TSimd.MultiplyAdd(a5, b0, c50); c51 = TSimd.MultiplyAdd(a5, b1, c51);
            if (eight)
            {
                TVector a6 = TSimd.Create(x6[o]);
                c60 = TSimd.MultiplyAdd(a6, b0, c60); c61 = TSimd.MultiplyAdd(a6, b1, c61);
                TVector a7 = TSimd.Create(x7[o]);
                c70 = TSimd.MultiplyAdd(a7, b0, c70); c71 = TSimd.MultiplyAdd(a7, b1, c71);
            }

            b += 2 * v;
        }

        TSimd.Store(c00, c); TSimd.Store(c01, c + v);
        TSimd.Store(c10, c + ldc); TSimd.Store(c11, c + ldc + v);
        TSimd.Store(c20, c + (2 * ldc)); TSimd.Store(c21, c + (2 * ldc) + v);
        TSimd.Store(c30, c + (3 * ldc)); TSimd.Store(c31, c + (3 * ldc) + v);
        TSimd.Store(c40, c + (4 * ldc)); TSimd.Store(c41, c + (4 * ldc) + v);
        TSimd.Store(c50, c + (5 * ldc)); TSimd.Store(c51, c + (5 * ldc) + v);
        if (eight)
        {
            TSimd.Store(c60, c + (6 * ldc)); TSimd.Store(c61, c + (6 * ldc) + v);
            TSimd.Store(c70, c + (7 * ldc)); TSimd.Store(c71, c + (7 * ldc) + v);
        }
    }

    /// <summary>Weight columns a unit of the transposed partials' sum covers, and rows of R it sums per pass (its scratch is their product).</summary>
    private const int SumColumns = 16, SumRows = 128;

    /// <summary>The (group, column block) units of a run of <paramref name="groups"/> groups.</summary>
    private static int SumDirectUnits(in WeightGradPlan p, int groups) => groups * ((p.N + SumColumns - 1) / SumColumns);

    /// <summary>
    /// <c>dW[g*M + m, col] = P_0 + P_1 + ...</c> over the chunks' transposed partials (row <c>col</c>, lane <c>m</c>), in
    /// chunk order, for the (group, column block) units <c>[start, end)</c>: a block's sums for up to
    /// <see cref="SumRows"/> rows of R at a time, a vector of rows at a time, into scratch, then written row by row
    /// (each of its <see cref="SumColumns"/> columns adjacent in the gradient; written one at a time down a column, they
    /// were a page apart at D3).
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void SumDirectPartials<TSimd, TVector, T>(T* partials, T* weightGradient, in WeightGradPlan p, int g0, int start, int end)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint chunkStride = (nint)p.PartialStride;
        int v = TSimd.Count;
        int blocks = (p.N + SumColumns - 1) / SumColumns;
        T* sums = stackalloc T[SumColumns * SumRows];
        for (int unit = start; unit < end; unit++)
        {
            int gi = unit / blocks, col0 = (unit - (gi * blocks)) * SumColumns;
            int cols = Math.Min(SumColumns, p.N - col0);
            T* group = partials + ((nint)gi * p.Chunks * chunkStride);
            T* dst = weightGradient + ((nint)(g0 + gi) * p.M * p.N) + col0;
            for (int m0 = 0; m0 < p.M; m0 += SumRows)
            {
                int rows = Math.Min(SumRows, p.M - m0);
                // Chunk by chunk (the block's rows of one chunk are adjacent), each sum continued in chunk order; whole
                // vectors over the panel-padded rows (their lanes past M are summed, never stored).
                for (int chunk = 0; chunk < p.Chunks; chunk++)
                {
                    for (int j = 0; j < cols; j++)
                    {
                        T* src = group + (chunk * chunkStride) + ((nint)(col0 + j) * p.DirectLdc) + m0;
                        T* sum = sums + (j * SumRows);
                        Debug.Assert(Bounds.Within(src, (rows + v - 1) / v * v, partials, p.PartialLength), "partial row outside the partials");
                        for (int m = 0; m < rows; m += v)
                        {
                            TSimd.Store(chunk == 0 ? TSimd.Load(src + m) : TSimd.Add(TSimd.Load(sum + m), TSimd.Load(src + m)), sum + m);
                        }
                    }
                }

                for (int m = 0; m < rows; m++)
                {
                    T* row = dst + ((nint)(m0 + m) * p.N);
                    Debug.Assert(Bounds.Within(row, cols, weightGradient, p.WeightLength), "weight-gradient row outside the gradient");
                    for (int j = 0; j < cols; j++)
                    {
                        row[j] = sums[(j * SumRows) + m];
                    }
                }
            }
        }
    }
}
