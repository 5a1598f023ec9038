using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// The convolutions' weight and bias gradients. Both weight gradients are one GEMM per group,
/// <c>dW[g*M + m, (cb, kd, kh, kw)] = sum over (n, p) of R[n, g*M + m, p] * T[n, g*Cb + cb, tap(p, k)]</c>, where
/// <c>p</c> runs over the convolution's output positions and <c>tap(p, k) = p*s - pad + k*d</c> (zero outside): for
/// the convolution <c>R</c> is the output gradient (<c>M = Cout/g</c>) and <c>T</c> the input (<c>Cb = Cin/g</c>); for the
/// transposed convolution <c>R</c> is its input (<c>M = Cin/g</c>) and <c>T</c> the output gradient (<c>Cb = Cout/g</c>),
/// read with the same convolution geometry (the column buffer the transposed input gradient's convolution would build).
/// </summary>
/// <remarks>
/// <para>The GEMM is the forward's: A panels are rows of <c>R</c> packed in <c>PackRowPanels</c> (the layout of
/// <c>PackWeightPanels</c>), B panels are <c>im2col(T)^T</c> gathered per (sample, block of reduction steps) in
/// <see cref="PackTapPanels{T}"/> one panel row at a time, from 16-byte runs of kernel-width taps where the layout
/// allows, and for channels-first taps from a zero-padded copy of the sample (so no position is tested), and the
/// micro-kernel <c>Tile</c> chains the multiply-adds. At D3 the gather, the packing and the partials' sum were about
/// a third of the time, the GEMM two thirds; now the GEMM is about 88%.</para>
/// <para>Determinism: the reduction over (sample, position) is cut into sample chunks whose count depends on the shapes
/// only; each element's chain over a chunk runs in ascending (sample, position) order into that chunk's own partial
/// matrix, and the partials are added in chunk order. Work items are (group, chunk), each owning its partial matrix, so
/// any thread count, vector width and tile height give the same bits.</para>
/// </remarks>
internal static unsafe partial class ConvKernel
{
    /// <summary>Weight-gradient columns per work item (a multiple of <see cref="PanelAlign"/>, so of every width's panel).</summary>
    private const int GradColumnBlock = 256;

    /// <summary>The most reduction steps packed at a time: A holds <c>M x StepBlock</c>, B <c>StepBlock x GradColumnBlock</c>.</summary>
    private const int GradStepBlock = 512;

    /// <summary>The packed A a step block may fill (4 MB of float): tall problems take shorter step blocks. The block length
    /// changes no result: the chains continue across blocks in the same order.</summary>
    private const long GradMaxPackedA = 1L << 20;

    /// <summary>Work items the chunking aims at (enough for a few cores), and the most sample chunks.</summary>
    private const int GradItemTarget = 8, GradMaxChunks = 8;

    /// <summary>The most elements the chunks' partial matrices may hold together before fewer chunks are used.</summary>
    private const long GradMaxPartials = 1L << 23;

    /// <summary>A weight-gradient problem, computed once per call from validated shapes (every size in 64 bits first).</summary>
    internal readonly struct WeightGradPlan
    {
        public readonly bool ChannelsLast;
        public readonly int Batch, Groups, M, Cb, Kk, N;
        public readonly int PD, PH, PW, TD, TH, TW;
        public readonly int KD, KH, KW, SD, SH, SW, BD, BH, BW, DD, DH, DW;

        /// <summary>Positions per sample (reduction steps) and tap-source cells per channel.</summary>
        public readonly int PVolume, TVolume;

        /// <summary>Rows of a partial matrix (<c>M</c> rounded up to every tile height) and its row stride.</summary>
        public readonly int Rows, Ldc;

        /// <summary>Reduction steps packed at a time (at most <see cref="GradStepBlock"/>, fewer for tall problems).</summary>
        public readonly int StepBlock;

        /// <summary>Column blocks per group, sample chunks, samples per chunk, groups per run, work items (group, chunk) per run.</summary>
        public readonly int ColumnBlocks, Chunks, SamplesPerChunk, GroupsPerRun, Items;

        /// <summary>
        /// Whether the taps are gathered from a zero-padded copy of a sample's group (channels-first, when the padding
        /// the taps reach is small): every tap then lies inside it and the gather tests nothing. The copy's extents per
        /// axis, the zeros before the source per axis, and its length (<c>Cb</c> padded planes).
        /// </summary>
        public readonly bool PadTaps;

        public readonly int XD, XH, XW, PreD, PreH, PreW;

        public readonly long PaddedLength;

        /// <summary>
        /// Whether the taps are read in place by the direct tile (<c>ConvKernel.WeightGradDirect.cs</c>): channels-first
        /// taps that a padded copy holds, or that need no padding at all, and a problem the transposed tile wastes no
        /// more lanes on than the packed GEMM. Its partials are transposed (<see cref="DirectRows"/> x
        /// <see cref="DirectLdc"/>: a row per weight column, a lane per row of R). The bits are the packed GEMM's.
        /// </summary>
        public readonly bool DirectTaps;

        /// <summary>The direct layout's partial rows (<c>N</c> rounded up to every tile height) and row stride (<c>M</c> rounded up to every panel).</summary>
        public readonly int DirectRows, DirectLdc;

        /// <summary>Elements between two (group, chunk) partial matrices: the larger of the two layouts'.</summary>
        public readonly long PartialStride;

        /// <param name="rows">The shape of <c>R</c> (the rows' source): <c>[N, G*M, *P]</c>.</param>
        /// <param name="taps">The shape of <c>T</c> (the gathered source): <c>[N, G*Cb, *T]</c>.</param>
        /// <param name="g">The convolution geometry from T's space to P's space.</param>
        public WeightGradPlan(Shape5D rows, Shape5D taps, in Conv3DGeometry g)
        {
            ChannelsLast = rows.Layout == TensorLayout.ChannelsLast;
            Batch = rows.Batch;
            Groups = g.Groups;
            M = rows.Channels / Groups;
            Cb = taps.Channels / Groups;
            (PD, PH, PW) = (rows.Depth, rows.Height, rows.Width);
            (TD, TH, TW) = (taps.Depth, taps.Height, taps.Width);
            (KD, KH, KW) = (g.KernelSize.Depth, g.KernelSize.Height, g.KernelSize.Width);
            (SD, SH, SW) = (g.Stride.Depth, g.Stride.Height, g.Stride.Width);
            (BD, BH, BW) = (g.PaddingBegin.Depth, g.PaddingBegin.Height, g.PaddingBegin.Width);
            (DD, DH, DW) = (g.Dilation.Depth, g.Dilation.Height, g.Dilation.Width);

            // Both volumes are a channel of a validated tensor, so they fit an int; Cb*kk and M*N are within the weight.
            PVolume = checked((int)rows.PlaneSize);
            TVolume = checked((int)taps.PlaneSize);
            if (M == 0 || Cb == 0)
            {
                (Kk, N, Rows, Ldc, StepBlock, ColumnBlocks, Chunks, SamplesPerChunk, GroupsPerRun, Items) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
                return;
            }

            Kk = checked(KD * KH * KW);
            N = checked(Cb * Kk);
            bool inPlace = false;
            if (!ChannelsLast && PVolume > 0)
            {
                // The taps reach [-pad, (P-1)*s + (k-1)*d - pad] per axis; the copy spans that and the source.
                (long preD, long postD) = PadExtent(PD, SD, KD, DD, BD, TD);
                (long preH, long postH) = PadExtent(PH, SH, KH, DH, BH, TH);
                (long preW, long postW) = PadExtent(PW, SW, KW, DW, BW, TW);
                long xd = TD + preD + postD, xh = TH + preH + postH, xw = TW + preW + postW;
                bool small = xd <= 1 << 24 && xh <= 1 << 24 && xw <= 1 << 24;
                Int128 padded = small ? (Int128)Cb * xd * xh * xw : Int128.MaxValue;
                if (preD + postD + preH + postH + preW + postW > 0 && padded <= (2 * (long)Cb * TVolume) + 65536 && padded <= 1 << 24)
                {
                    PadTaps = true;
                    (XD, XH, XW, PreD, PreH, PreW) = ((int)xd, (int)xh, (int)xw, (int)preD, (int)preH, (int)preW);
                    PaddedLength = (long)padded;
                }

                // Every tap inside a copy the item holds, or inside the source itself when no axis needs padding.
                inPlace = PadTaps || preD + postD + preH + postH + preW + postW == 0;
            }

            Rows = checked((int)((M + RowUnit - 1L) / RowUnit * RowUnit));
            Ldc = checked((int)((N + PanelAlign - 1L) / PanelAlign * PanelAlign));

            // A row stride of a multiple of 256 elements (1 KB of float) puts a tile's rows in few cache sets (4 KB
            // aliasing at N = 1024): one more panel spreads them. The stride changes no result.
            if (Ldc % 256 == 0)
            {
                Ldc = checked(Ldc + PanelAlign);
            }
            StepBlock = (int)Math.Clamp(GradMaxPackedA / Rows, 8, GradStepBlock);
            ColumnBlocks = (N + GradColumnBlock - 1) / GradColumnBlock;
            long perGroup = (long)Rows * Ldc;

            // The transposed tile holds 8 weight columns by 2 vectors of rows; the packed GEMM 8 rows by 2 vectors of
            // columns (32 lanes at the widest float vector). The direct layout runs when it wastes no more of them.
            DirectRows = checked((int)((N + RowUnit - 1L) / RowUnit * RowUnit));
            DirectLdc = checked((int)((M + PanelAlign - 1L) / PanelAlign * PanelAlign));
            long packedCost = RoundUpTo(M, 8) * RoundUpTo(N, PanelAlign), directCost = RoundUpTo(N, 8) * RoundUpTo(M, PanelAlign);
            DirectTaps = inPlace && (DirectOverride ?? directCost <= packedCost);
            if (DirectTaps && DirectOverride is not null)
            {
                DirectPlansForTests++;
            }

            PartialStride = DirectTaps ? Math.Max(perGroup, (long)DirectRows * DirectLdc) : perGroup;

            // Groups run together when their partials fit an array, else one at a time (a weight of billions of taps).
            GroupsPerRun = (int)Math.Clamp(Array.MaxLength / PartialStride, 1, Groups);
            if (Batch == 0 || PVolume == 0)
            {
                (Chunks, SamplesPerChunk, Items) = (0, 0, 0);
                return;
            }

            // Chunks from the shapes alone: enough items for a few cores, partials within their cap.
            long target = (GradItemTarget + (long)Groups - 1) / Groups;
            long chunks = Math.Clamp(target, 1, Math.Min(Batch, GradMaxChunks));
            while (chunks > 1 && chunks * GroupsPerRun * perGroup > GradMaxPartials)
            {
                chunks--;
            }

            SamplesPerChunk = (int)((Batch + chunks - 1) / chunks);
            Chunks = (Batch + SamplesPerChunk - 1) / SamplesPerChunk;
            Items = checked(GroupsPerRun * Chunks);
        }

        /// <summary>The zeros a padded copy needs before and after a source axis of <paramref name="t"/> cells.</summary>
        private static (long Before, long After) PadExtent(int positions, int stride, int kernel, int dilation, int pad, int t)
        {
            long last = ((positions - 1L) * stride) + ((kernel - 1L) * dilation) - pad;
            return (Math.Max(0, pad), Math.Max(0, last - (t - 1L)));
        }

        /// <summary>Tests only: forces the direct layout on (where the taps allow it) or off, on the thread that builds the plan.</summary>
        [ThreadStatic]
        internal static bool? DirectOverride;

        /// <summary>Tests only: the plans built with <see cref="DirectOverride"/> set that took the direct layout, on this thread.</summary>
        [ThreadStatic]
        internal static int DirectPlansForTests;

        /// <summary>Elements of the partial matrices of one run (every chunk of <see cref="GroupsPerRun"/> groups).</summary>
        public long PartialLength => (long)Chunks * GroupsPerRun * PartialStride;

        public long RowsLength => (long)Batch * Groups * M * PVolume;

        public long TapsLength => (long)Batch * Groups * Cb * TVolume;

        public long WeightLength => (long)Groups * M * N;
    }

    /// <summary>
    /// The weight gradient of a validated problem into <paramref name="weightGradient"/> (dense <c>[G*M, Cb, *k]</c>),
    /// at the widest hardware vector; scratch from a layer's <c>workspace</c>, or from the shared pool when it is null.
    /// </summary>
    public static void WeightGradient<T>(T* rows, T* taps, T* weightGradient, in WeightGradPlan plan, int degree, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var body = new WeightGradWidthBody<T>(rows, taps, weightGradient, plan, degree, workspace);
        SimdDispatch.Run<T, WeightGradWidthBody<T>>(ref body, int.MaxValue);
    }

    private readonly ref struct WeightGradWidthBody<T>(T* rows, T* taps, T* weightGradient, in WeightGradPlan plan, int degree, ConvWorkspace? workspace) : IWidthBody<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ref readonly WeightGradPlan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => WeightGradient<TSimd, TVector, T>(rows, taps, weightGradient, _plan, degree, workspace);

        public void RunScalar() => WeightGradient<SimdScalar<T>, T, T>(rows, taps, weightGradient, _plan, degree, workspace);
    }

    /// <summary>Runs one width (every width gives the same bits on one instruction set).</summary>
    public static void WeightGradient<TSimd, TVector, T>(T* rows, T* taps, T* weightGradient, in WeightGradPlan plan, int degree, ConvWorkspace? workspace = null)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (plan.WeightLength == 0)
        {
            return;
        }

        if (plan.Items == 0)
        {
            // No sample or no position: every sum is empty.
            new Span<T>(weightGradient, checked((int)plan.WeightLength)).Clear();
            return;
        }

        T[] partials = ConvScratch.Rent<T>(workspace, checked((int)plan.PartialLength));
        try
        {
            fixed (T* c = partials)
            {
                for (int g0 = 0; g0 < plan.Groups; g0 += plan.GroupsPerRun)
                {
                    int groups = Math.Min(plan.GroupsPerRun, plan.Groups - g0);
                    var body = new WeightGradItems<TSimd, TVector, T> { Rows = rows, Taps = taps, Partials = c, Plan = plan, FirstGroup = g0, Workspace = workspace };
                    ParallelRunner.Run(ref body, groups * plan.Chunks, degree);
                    var sums = new SumPartialsBody<TSimd, TVector, T> { Partials = c, WeightGradient = weightGradient, Plan = plan, FirstGroup = g0 };
                    ParallelRunner.Run(ref sums, plan.DirectTaps ? SumDirectUnits(plan, groups) : groups * plan.M, degree);
                }
            }
        }
        finally
        {
            ConvScratch.Return(workspace, partials);
        }
    }

    /// <summary>The partials' sum of a run, a range of units per work item (element-wise: any split gives the same bits):
    /// rows <c>(gi, m)</c> of the packed GEMM's partials, or blocks of weight columns of the direct layout's transposed ones.</summary>
    private struct SumPartialsBody<TSimd, TVector, T> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Partials;
        public T* WeightGradient;
        public WeightGradPlan Plan;
        public int FirstGroup;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            if (Plan.DirectTaps)
            {
                SumDirectPartials<TSimd, TVector, T>(Partials, WeightGradient, Plan, FirstGroup, start, end);
            }
            else
            {
                SumPartials<TSimd, TVector, T>(Partials, WeightGradient, Plan, FirstGroup, start, end);
            }
        }
    }

    /// <summary>A vector of <c>P_0 + P_1 + ...</c>, the chunks' partials <paramref name="stride"/> apart, added in chunk order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector SumChunks<TSimd, TVector, T>(T* src, nint stride, int chunks)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector sum = TSimd.Load(src);
        for (int chunk = 1; chunk < chunks; chunk++)
        {
            sum = TSimd.Add(sum, TSimd.Load(src + (chunk * stride)));
        }

        return sum;
    }

    /// <summary>
    /// <c>dW[g*M + m, col] = P_0 + P_1 + ...</c> over the chunks' partials, in chunk order (element-wise, so the same
    /// bits at every width), for the run's rows <c>gi*M + m</c> in <c>[rowStart, rowEnd)</c>.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void SumPartials<TSimd, TVector, T>(T* partials, T* weightGradient, in WeightGradPlan p, int g0, int rowStart, int rowEnd)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long chunkStride = p.PartialStride;
        int v = TSimd.Count;
        for (int row = rowStart; row < rowEnd; row++)
        {
            int gi = row / p.M, m = row - (gi * p.M);
            T* dst = weightGradient + ((((nint)(g0 + gi) * p.M) + m) * p.N);
            T* first = partials + ((nint)gi * p.Chunks * chunkStride) + ((nint)m * p.Ldc);
            Debug.Assert(Bounds.Within(dst, p.N, weightGradient, p.WeightLength), "weight-gradient row outside the gradient");
            Debug.Assert(Bounds.Within(first + ((p.Chunks - 1) * chunkStride), p.N, partials, p.PartialLength), "partial row outside the partials");
            int col = 0;
            for (; col <= p.N - v; col += v)
            {
                TSimd.Store(SumChunks<TSimd, TVector, T>(first + col, (nint)chunkStride, p.Chunks), dst + col);
            }

            for (; col < p.N; col++)
            {
                T* src = first + col;
                T sum = *src;
                for (int chunk = 1; chunk < p.Chunks; chunk++)
                {
                    sum += src[(nint)chunk * chunkStride];
                }

                dst[col] = sum;
            }
        }
    }

    /// <summary>
    /// Packs rows <c>[0, rows)</c>, steps <c>[k0, k0+kc)</c> of <c>R</c> into panels of <paramref name="mr"/> rows,
    /// <paramref name="kc"/>-major, zero-padded (the layout of <c>PackWeightPanels</c>). Channels-first rows (steps
    /// adjacent) are read one row at a time, contiguously; channels-last rows go to <c>PackWeightPanels</c>, whose
    /// panels are one copy per step there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackRowPanels<T>(T* a, nint strideM, nint strideK, int rows, int k0, int kc, int mr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (strideK != 1)
        {
            PackWeightPanels(a, strideM, strideK, 0, rows, k0, kc, mr, dst);
            return;
        }

        for (int r0 = 0; r0 < rows; r0 += mr, dst += (nint)mr * kc)
        {
            int live = Math.Min(mr, rows - r0);
            int k8 = 0;
            if (typeof(T) == typeof(float) && mr == 8 && live == 8 && Avx.IsSupported)
            {
                // Whole panels of 8 rows: 8 x 8 blocks transposed in registers, the steps past the last block below.
                k8 = kc / 8 * 8;
                Transpose8Rows((float*)(a + (r0 * strideM) + k0), strideM, k8, (float*)dst);
            }

            for (int r = 0; r < mr; r++)
            {
                T* d = dst + r + ((nint)k8 * mr);
                if (r >= live)
                {
                    for (int k = k8; k < kc; k++, d += mr)
                    {
                        *d = T.Zero;
                    }

                    continue;
                }

                T* src = a + ((r0 + r) * strideM) + k0;
                for (int k = k8; k < kc; k++, d += mr)
                {
                    *d = src[k];
                }
            }
        }
    }

    /// <summary>
    /// Steps <c>[0, k8)</c> (a multiple of 8) of 8 float rows <paramref name="strideM"/> apart into one panel,
    /// <c>dst[k*8 + r] = src[r*strideM + k]</c>: each 8 x 8 block loaded as 8 row vectors and transposed with unpacks,
    /// shuffles and lane permutes (the same elements the per-element copy moves).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Transpose8Rows(float* src, nint strideM, int k8, float* dst) => Transpose8Rows(src, strideM, k8, dst, 8);

    /// <summary>
    /// <see cref="Transpose8Rows(float*, nint, int, float*)"/> into rows of a wider panel: step <c>k</c>'s 8 rows at
    /// <c>dst + k*step</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8Rows(float* src, nint strideM, int k8, float* dst, nint step)
    {
        for (int k = 0; k < k8; k += 8, src += 8, dst += 8 * step)
        {
            Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + strideM);
            Vector256<float> r2 = Avx.LoadVector256(src + (2 * strideM)), r3 = Avx.LoadVector256(src + (3 * strideM));
            Vector256<float> r4 = Avx.LoadVector256(src + (4 * strideM)), r5 = Avx.LoadVector256(src + (5 * strideM));
            Vector256<float> r6 = Avx.LoadVector256(src + (6 * strideM)), r7 = Avx.LoadVector256(src + (7 * strideM));

            // Pairs of rows interleaved, then quads: u0 holds step 0 (rows 0-3) and step 4, u1 steps 1 and 5, ...
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

            // Rows 0-3 and 4-7 of each step joined: step j's 8 rows, stored at dst + j*step.
            Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(dst + step, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(dst + (2 * step), Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(dst + (3 * step), Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(dst + (4 * step), Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(dst + (5 * step), Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(dst + (6 * step), Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(dst + (7 * step), Avx.Permute2x128(u3, u7, 0x31));
        }
    }

    private struct WeightGradItems<TSimd, TVector, T> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Rows;
        public T* Taps;
        public T* Partials;
        public WeightGradPlan Plan;
        public int FirstGroup;
        public ConvWorkspace? Workspace;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            // Packed A: every row panel over a step block; packed B: a column block's panels over a step block. The
            // direct layout packs R's rows transposed into A's buffer and keeps a column offset per weight column in B's.
            bool direct = Plan.DirectTaps;
            T[] packedA = ConvScratch.Rent<T>(Workspace, checked(Math.Max(Plan.Rows, direct ? Plan.DirectLdc : 0) * Plan.StepBlock));
            T[] packedB = ConvScratch.Rent<T>(Workspace, direct ? 1 : Plan.StepBlock * GradColumnBlock);
            nint[] columns = ConvScratch.Rent<nint>(Workspace, direct ? Plan.DirectRows : 1);
            T[] padded = ConvScratch.Rent<T>(Workspace, Plan.PadTaps ? (int)Plan.PaddedLength : 1);
            try
            {
                // The padded copy's zeros are written once: each sample overwrites only the inside.
                new Span<T>(padded, 0, Plan.PadTaps ? (int)Plan.PaddedLength : 0).Clear();
                fixed (T* ap = packedA)
                fixed (T* bp = packedB)
                fixed (nint* cp = columns)
                fixed (T* xp = padded)
                {
                    for (int item = start; item < end; item++)
                    {
                        if (direct)
                        {
                            WeightGradDirectItem<TSimd, TVector, T>(Rows, Taps, Partials, Plan, FirstGroup, item, ap, xp, cp);
                        }
                        else
                        {
                            WeightGradItem<TSimd, TVector, T>(Rows, Taps, Partials, Plan, FirstGroup, item, ap, bp, xp);
                        }
                    }
                }
            }
            finally
            {
                ConvScratch.Return(Workspace, packedA);
                ConvScratch.Return(Workspace, packedB);
                ConvScratch.Return(Workspace, columns);
                ConvScratch.Return(Workspace, padded);
            }
        }
    }

    /// <summary>
    /// One (group, sample chunk): its partial matrix, every chain over the chunk's (sample, position) steps in order. A is
    /// packed once per block of steps and serves every column block; B is packed per column block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void WeightGradItem<TSimd, TVector, T>(T* rows, T* taps, T* partials, in WeightGradPlan p, int g0, int item, T* ap, T* bp, T* padded)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nrw = 2 * TSimd.Count;
        int mr = TileRows<TSimd, TVector, T>();
        int chunk = item % p.Chunks;
        int gi = item / p.Chunks;
        int g = g0 + gi;
        T* c = partials + ((((nint)gi * p.Chunks) + chunk) * (nint)p.PartialStride);
        Debug.Assert(Bounds.Within(c, (long)p.Rows * p.Ldc, partials, p.PartialLength), "item's partial outside the partials");

        int rowChannels = p.Groups * p.M;
        var none = default(Prefetcher);
        bool accumulate = false;
        int n1 = Math.Min(p.Batch, (chunk + 1) * p.SamplesPerChunk);
        for (int n = chunk * p.SamplesPerChunk; n < n1; n++)
        {
            // A's rows: channels-first rows are positions apart by one, channels-last rows are adjacent channels.
            T* a = p.ChannelsLast
                ? rows + ((nint)n * p.PVolume * rowChannels) + ((nint)g * p.M)
                : rows + ((((nint)n * rowChannels) + ((nint)g * p.M)) * p.PVolume);
            (nint strideM, nint strideK) = p.ChannelsLast ? (1, rowChannels) : (p.PVolume, 1);
            TapView<T> view = p.PadTaps ? new TapView<T>(padded, p) : new TapView<T>(taps, p, n, g);
            if (p.PadTaps)
            {
                FillPadded(taps, p, n, g, padded);
            }

            for (int p0 = 0; p0 < p.PVolume; p0 += p.StepBlock)
            {
                int kb = Math.Min(p.StepBlock, p.PVolume - p0);
                PackRowPanels(a, strideM, strideK, p.M, p0, kb, mr, ap);
                for (int block = 0; block < p.ColumnBlocks; block++)
                {
                    int c0 = block * GradColumnBlock;
                    int cols = Math.Min(GradColumnBlock, p.N - c0);
                    int panels = (cols + nrw - 1) / nrw;
                    Debug.Assert(c0 + (panels * nrw) <= p.Ldc, "column block past the partial's row");
                    PackTapPanels(view, p, c0, cols, panels, nrw, p0, kb, bp);
                    Gemm<TSimd, TVector, T>(ap, p.M, bp, panels, kb, c + c0, p.Ldc, accumulate, ref none);
                }

                accumulate = true;
            }
        }
    }

    /// <summary>
    /// Packs <c>B[i, t] = T[n, g*Cb + cb, tap(p0 + i, k)]</c> for the columns <c>[c0, c0+cols)</c> (column = <c>(cb, k)</c>)
    /// into zero-padded panels of <paramref name="nrw"/> columns, <paramref name="kb"/>-major (panel <c>jr</c> at
    /// <c>jr*kb*nrw</c>), one panel row (position) at a time so the writes are contiguous.
    /// </summary>
    /// <remarks>
    /// <para>A panel's columns are cut once into segments, runs of consecutive kernel-width taps of one (channel, kd, kh):
    /// a segment reads the source at <c>iw0, iw0 + dW, ...</c>, so with <c>dW = 1</c> on channels-first data it is one
    /// contiguous copy (16 bytes for <c>kW = 4</c> floats). A position whose every segment lies inside the source
    /// (the interior) copies the segments from precomputed offsets without a test; the others test each segment, and
    /// only a segment that straddles the width's edge tests its elements.</para>
    /// <para>Tap coordinates are 64-bit: <c>p*s - pad + k*d</c> passes <see cref="int.MaxValue"/> with geometries the
    /// validation accepts, and a wrapped value could land inside the source. A segment's precomputed offset may wrap
    /// for such geometries, but it is only used at interior positions, where the true address is inside the source and
    /// the wrapping (two's-complement) sum of the position's offset and the segment's equals it.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackTapPanels<T>(in TapView<T> v, in WeightGradPlan p, int c0, int cols, int panels, int nrw, int p0, int kb, T* bp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(nrw <= PanelAlign, "panel wider than the segment table");
        T* taps = v.Buffer;
        T* sample = v.Sample;
        nint channelStride = v.ChannelStride, cell = v.Cell;

        // Elements a segment steps by along the width; contiguous segments copy bytes.
        nint step = p.DW * cell;
        bool contiguous = step == 1;
        TapSegment* segments = stackalloc TapSegment[PanelAlign];
        nint* offsets = stackalloc nint[PanelAlign];
        int khw = p.KH * p.KW;
        int planeP = p.PH * p.PW;
        int od0 = p0 / planeP, oh0 = (p0 % planeP) / p.PW, ow0 = p0 % p.PW;
        for (int jr = 0; jr < panels; jr++)
        {
            T* panel = bp + ((nint)jr * kb * nrw);
            Debug.Assert(Bounds.Within(panel, (long)kb * nrw, bp, (long)p.StepBlock * GradColumnBlock), "panel outside the B panels");
            int first = c0 + (jr * nrw);
            int live = Math.Min(nrw, c0 + cols - first);

            // The panel's segments and the tap offsets' extremes over them (the interior test).
            int count = 0;
            long loD = long.MaxValue, hiD = long.MinValue, loH = long.MaxValue, hiH = long.MinValue, loW = long.MaxValue, hiW = long.MinValue;
            for (int t = 0; t < live; count++)
            {
                int col = first + t;
                int cb = col / p.Kk, r = col % p.Kk;
                int kd = r / khw, kh = (r % khw) / p.KW, kw = r % p.KW;
                int length = Math.Min(p.KW - kw, live - t);
                long offD = ((long)kd * p.DD) - v.BD, offH = ((long)kh * p.DH) - v.BH, offW = ((long)kw * p.DW) - v.BW;
                long lastW = offW + ((length - 1L) * p.DW);
                (loD, hiD) = (Math.Min(loD, offD), Math.Max(hiD, offD));
                (loH, hiH) = (Math.Min(loH, offH), Math.Max(hiH, offH));
                (loW, hiW) = (Math.Min(loW, offW), Math.Max(hiW, lastW));
                nint channel = cb * channelStride;
                nint offset = unchecked(channel + ((nint)((((offD * v.TH) + offH) * v.TW) + offW) * cell));
                segments[count] = new TapSegment(t, length, offD, offH, offW, channel, offset);
                t += length;
            }

            // Positions along a line whose every segment lies inside the width: iw0 + loW >= 0 and iw0 + hiW < TW.
            long owLo = loW >= 0 ? 0 : (-loW + p.SW - 1) / p.SW;
            long owHi = v.TW - 1 - hiW < 0 ? 0 : ((v.TW - 1 - hiW) / p.SW) + 1;
            owHi = Math.Min(owHi, p.PW);
            owLo = Math.Min(owLo, owHi);
            bool uniform = contiguous && count * (16 / sizeof(T)) == live && 16 % sizeof(T) == 0;
            for (int s = 0; s < count; s++)
            {
                offsets[s] = segments[s].Offset;
                uniform &= segments[s].Length * sizeof(T) == 16;
            }

            int od = od0, oh = oh0, ow = ow0;
            for (int i = 0; i < kb;)
            {
                int run = Math.Min(p.PW - ow, kb - i);
                int end = ow + run;
                long id0 = (long)od * p.SD, ih0 = (long)oh * p.SH;
                int lo = ow, hi = ow;
                if (id0 + loD >= 0 && id0 + hiD < v.TD && ih0 + loH >= 0 && ih0 + hiH < v.TH)
                {
                    lo = (int)Math.Clamp(owLo, ow, end);
                    hi = (int)Math.Clamp(owHi, lo, end);
                }

                T* dst = panel + ((nint)i * nrw);
                for (int x = ow; x < lo; x++, dst += nrw)
                {
                    GatherEdgeRow(taps, sample, p, v, segments, count, id0, ih0, (long)x * p.SW, cell, step, contiguous, dst);
                }

                if (hi > lo)
                {
                    // Interior: every segment of these positions inside the source (id0, ih0, iw0 below the extents).
                    T* at = sample + ((nint)((((id0 * v.TH) + ih0) * v.TW) + ((long)lo * p.SW)) * cell);
                    nint atStep = p.SW * cell;
                    if (uniform)
                    {
                        CopyInteriorRows16(taps, v.BufferLength, at, atStep, dst, nrw, hi - lo, offsets, count);
                    }
                    else
                    {
                        T* row = dst;
                        for (int x = lo; x < hi; x++, at += atStep, row += nrw)
                        {
                            for (int s = 0; s < count; s++)
                            {
                                ref readonly TapSegment seg = ref segments[s];
                                T* src = at + seg.Offset;
                                Debug.Assert(Bounds.WithinStrided(src, seg.Length, step, taps, v.BufferLength), "tap gather outside the source");
                                CopyRun(src, row + seg.Column, seg.Length, step, contiguous);
                            }
                        }
                    }

                    dst += (nint)(hi - lo) * nrw;
                }

                for (int x = hi; x < end; x++, dst += nrw)
                {
                    GatherEdgeRow(taps, sample, p, v, segments, count, id0, ih0, (long)x * p.SW, cell, step, contiguous, dst);
                }

                i += run;
                ow = 0;
                if (++oh == p.PH)
                {
                    oh = 0;
                    od++;
                }
            }

            // The padding columns past the last live one.
            if (live < nrw)
            {
                T* dst = panel;
                for (int i = 0; i < kb; i++, dst += nrw)
                {
                    new Span<T>(dst + live, nrw - live).Clear();
                }
            }
        }
    }

    /// <summary>
    /// Interior positions whose segments are all one 16-byte copy: <paramref name="rows"/> panel rows <paramref name="nrw"/>
    /// apart, the source's origin advancing by <paramref name="atStep"/>, segment <c>s</c> at <c>offsets[s]</c> from it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void CopyInteriorRows16<T>(T* taps, long tapsLength, T* at, nint atStep, T* dst, nint nrw, int rows, nint* offsets, int count)
        where T : unmanaged
    {
        for (int r = 0; r < rows; r++, at += atStep, dst += nrw)
        {
            byte* d = (byte*)dst;
            for (int s = 0; s < count; s++, d += 16)
            {
                T* src = at + offsets[s];
                Debug.Assert(Bounds.Within(src, 16 / sizeof(T), taps, tapsLength), "tap gather outside the source");
                Unsafe.WriteUnaligned(d, Unsafe.ReadUnaligned<Vector128<byte>>(src));
            }
        }
    }

    /// <summary>One panel row of a position that is not interior: each segment tested (see <see cref="GatherEdgeSegment"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GatherEdgeRow<T>(T* taps, T* sample, in WeightGradPlan p, in TapView<T> v, TapSegment* segments, int count, long id0, long ih0, long iw0, nint cell, nint step, bool contiguous, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int s = 0; s < count; s++)
        {
            ref readonly TapSegment seg = ref segments[s];
            GatherEdgeSegment(taps, sample, p, v, seg, id0, ih0, iw0, cell, step, contiguous, dst + seg.Column);
        }
    }

    /// <summary>A run of a panel row's columns: consecutive kernel-width taps of one (channel, kd, kh).</summary>
    private readonly struct TapSegment(int column, int length, long offD, long offH, long offW, nint channel, nint offset)
    {
        /// <summary>The run's first column in the panel, and its columns.</summary>
        public readonly int Column = column, Length = length;

        /// <summary>The first column's tap offsets <c>k*d - pad</c> per axis.</summary>
        public readonly long OffD = offD, OffH = offH, OffW = offW;

        /// <summary>The run's channel's first element from the sample's group (<c>cb</c> channels in).</summary>
        public readonly nint Channel = channel;

        /// <summary>Elements from a position's origin cell to the run's first source element (channel included).</summary>
        public readonly nint Offset = offset;
    }

    /// <summary>One segment of a position that is not interior: zeros where its taps leave the source.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GatherEdgeSegment<T>(T* taps, T* sample, in WeightGradPlan p, in TapView<T> v, in TapSegment seg, long id0, long ih0, long iw0, nint cell, nint step, bool contiguous, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long id = id0 + seg.OffD, ih = ih0 + seg.OffH, iw = iw0 + seg.OffW;
        if ((ulong)id >= (ulong)v.TD || (ulong)ih >= (ulong)v.TH)
        {
            for (int x = 0; x < seg.Length; x++)
            {
                dst[x] = T.Zero;
            }

            return;
        }

        T* row = sample + seg.Channel + ((((nint)id * v.TH) + (nint)ih) * v.TW * cell);
        if (iw >= 0 && iw + ((seg.Length - 1L) * p.DW) < v.TW)
        {
            T* src = row + ((nint)iw * cell);
            Debug.Assert(Bounds.WithinStrided(src, seg.Length, step, taps, v.BufferLength), "tap gather outside the source");
            CopyRun(src, dst, seg.Length, step, contiguous);
            return;
        }

        for (int x = 0; x < seg.Length; x++, iw += p.DW)
        {
            if ((ulong)iw < (ulong)v.TW)
            {
                Debug.Assert(Bounds.Within(row + ((nint)iw * cell), 1, taps, v.BufferLength), "tap gather outside the source");
                dst[x] = row[(nint)iw * cell];
            }
            else
            {
                dst[x] = T.Zero;
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="length"/> elements <paramref name="step"/> apart into consecutive ones: whole 16-byte blocks
    /// then elements when <paramref name="contiguous"/> (a copy, so the same bits at every width).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRun<T>(T* src, T* dst, int length, nint step, bool contiguous)
        where T : unmanaged
    {
        if (contiguous)
        {
            int x = 0;
            int block = 16 / sizeof(T);
            for (; x <= length - (2 * block); x += 2 * block)
            {
                Unsafe.WriteUnaligned(dst + x, Unsafe.ReadUnaligned<Vector256<byte>>(src + x));
            }

            for (; x <= length - block; x += block)
            {
                Unsafe.WriteUnaligned(dst + x, Unsafe.ReadUnaligned<Vector128<byte>>(src + x));
            }

            for (; x < length; x++)
            {
                dst[x] = src[x];
            }

            return;
        }

        for (int x = 0; x < length; x++, src += step)
        {
            dst[x] = *src;
        }
    }

    /// <summary>
    /// Where a sample's group of taps is read from: the source itself (any layout) or its zero-padded copy (channels-first,
    /// every tap inside), with the extents and the padding before the first cell as the gather sees them.
    /// </summary>
    private readonly struct TapView<T>
        where T : unmanaged
    {
        public readonly T* Sample;
        public readonly nint ChannelStride, Cell;
        public readonly int TD, TH, TW;
        public readonly long BD, BH, BW;

        /// <summary>The buffer the reads must stay inside (the range asserts).</summary>
        public readonly T* Buffer;
        public readonly long BufferLength;

        /// <summary>Sample <paramref name="n"/>, group <paramref name="g"/> of the source.</summary>
        public TapView(T* taps, in WeightGradPlan p, int n, int g)
        {
            int tapChannels = p.Groups * p.Cb;
            if (p.ChannelsLast)
            {
                Sample = taps + ((nint)n * p.TVolume * tapChannels) + ((nint)g * p.Cb);
                (ChannelStride, Cell) = (1, tapChannels);
            }
            else
            {
                Sample = taps + ((((nint)n * tapChannels) + ((nint)g * p.Cb)) * p.TVolume);
                (ChannelStride, Cell) = (p.TVolume, 1);
            }

            (TD, TH, TW, BD, BH, BW) = (p.TD, p.TH, p.TW, p.BD, p.BH, p.BW);
            Buffer = taps;
            BufferLength = p.TapsLength;
        }

        /// <summary>The padded copy at <paramref name="padded"/> (<see cref="WeightGradPlan.PaddedLength"/> long).</summary>
        public TapView(T* padded, in WeightGradPlan p)
        {
            Sample = padded;
            (ChannelStride, Cell) = ((nint)p.XD * p.XH * p.XW, 1);
            (TD, TH, TW) = (p.XD, p.XH, p.XW);
            (BD, BH, BW) = ((long)p.BD - p.PreD, (long)p.BH - p.PreH, (long)p.BW - p.PreW);
            Buffer = padded;
            BufferLength = p.PaddedLength;
        }
    }

    /// <summary>Copies sample <paramref name="n"/>, group <paramref name="g"/> of the channels-first source into the inside of its padded copy (the zeros around stay).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillPadded<T>(T* taps, in WeightGradPlan p, int n, int g, T* padded)
        where T : unmanaged
    {
        Debug.Assert(p.PadTaps && !p.ChannelsLast, "a padded copy of a layout without one");
        int tapChannels = p.Groups * p.Cb;
        T* src = taps + ((((nint)n * tapChannels) + ((nint)g * p.Cb)) * p.TVolume);
        nint plane = (nint)p.XH * p.XW;
        for (int cb = 0; cb < p.Cb; cb++)
        {
            for (int d = 0; d < p.TD; d++)
            {
                T* dst = padded + ((nint)cb * p.XD * plane) + ((d + p.PreD) * plane) + ((nint)p.PreH * p.XW) + p.PreW;
                for (int h = 0; h < p.TH; h++, src += p.TW, dst += p.XW)
                {
                    Debug.Assert(Bounds.Within(dst, p.TW, padded, p.PaddedLength) && Bounds.Within(src, p.TW, taps, p.TapsLength), "padded copy outside its buffers");
                    CopyRun(src, dst, p.TW, 1, contiguous: true);
                }
            }
        }
    }

    /// <summary>
    /// The bias gradient <c>db[c] = sum over (n, position) of dy[n, c, position]</c>, into <paramref name="biasGradient"/>
    /// (<c>C</c> long), in one order for both layouts: each channel sums its samples in order, each sample's plane
    /// through four interleaved partial sums (position <c>i</c> into <c>s[i mod 4]</c>, the last <c>plane mod 4</c>
    /// positions into <c>s0</c>) added as <c>(s0 + s1) + (s2 + s3)</c>. Channels-last runs the same chains across the
    /// channels of a pixel (<see cref="BiasGradientChannelsLast{T, TAccumulator}"/>), so its bits are the channels-first
    /// ones. No vector-width-dependent reduction is used.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    public static void BiasGradient<T, TAccumulator>(ReadOnlySpan<T> outputGradient, Shape5D shape, Span<TAccumulator> biasGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAccumulator : unmanaged, IFloatingPointIeee754<TAccumulator>
    {
        int channels = shape.Channels;
        int plane = checked((int)shape.PlaneSize);
        biasGradient.Clear();
        if (shape.Layout == TensorLayout.ChannelsLast)
        {
            BiasGradientChannelsLast(outputGradient, shape.Batch, plane, channels, biasGradient);
            return;
        }

        T* lanes = stackalloc T[16]; // a four-channel step's partial sums, lane by lane
        for (int n = 0; n < shape.Batch; n++)
        {
            int c = 0;
            if (typeof(T) == typeof(TAccumulator) && (typeof(T) == typeof(float) ? Vector128.IsHardwareAccelerated : typeof(T) == typeof(double) && Vector256.IsHardwareAccelerated))
            {
                // Four channels at a time, each channel's four partial sums the lanes of one vector.
                fixed (T* dy = outputGradient)
                fixed (TAccumulator* sums = biasGradient)
                {
                    for (; c <= channels - 4; c += 4)
                    {
                        T* rows = dy + ((((nint)n * channels) + c) * plane);
                        Debug.Assert(Bounds.Within(rows, 4L * plane, dy, outputGradient.Length), "bias rows outside the output gradient");
                        if (typeof(T) == typeof(float))
                        {
                            BiasFourPlanes<Simd128<float>, Vector128<float>, float>((float*)rows, plane, (float*)(sums + c), (float*)lanes);
                        }
                        else
                        {
                            BiasFourPlanes<Simd256<double>, Vector256<double>, double>((double*)rows, plane, (double*)(sums + c), (double*)lanes);
                        }
                    }
                }
            }

            for (; c < channels; c++)
            {
                ReadOnlySpan<T> row = outputGradient.Slice((int)((((long)n * channels) + c) * plane), plane);
                TAccumulator s0 = TAccumulator.Zero, s1 = TAccumulator.Zero, s2 = TAccumulator.Zero, s3 = TAccumulator.Zero;
                int i = 0;
                for (; i <= plane - 4; i += 4)
                {
                    s0 += TAccumulator.CreateTruncating(row[i]);
                    s1 += TAccumulator.CreateTruncating(row[i + 1]);
                    s2 += TAccumulator.CreateTruncating(row[i + 2]);
                    s3 += TAccumulator.CreateTruncating(row[i + 3]);
                }

                for (; i < plane; i++)
                {
                    s0 += TAccumulator.CreateTruncating(row[i]);
                }

                biasGradient[c] += (s0 + s1) + (s2 + s3);
            }
        }
    }

    /// <summary>
    /// Adds four adjacent channels' plane sums to <paramref name="sums"/> (four elements), each channel's four partial sums
    /// <c>s[i mod 4]</c> the lanes of one 4-lane vector (<typeparamref name="TSimd"/>: 128-bit float or 256-bit double;
    /// the tail positions into lane 0, one by one, after them), added as <c>(s0 + s1) + (s2 + s3)</c>: the scalar chains
    /// of <see cref="BiasGradient{T, TAccumulator}"/>, four channels interleaved so that the adds do not wait on one chain.
    /// <paramref name="lanes"/> (16 elements, the caller's) receives the four vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BiasFourPlanes<TSimd, TVector, TF>(TF* rows, nint plane, TF* sums, TF* lanes)
        where TSimd : struct, ISimd<TSimd, TVector, TF>
        where TVector : struct
        where TF : unmanaged, IFloatingPointIeee754<TF>
    {
        Debug.Assert(TSimd.Count == 4, "a partial sum per lane");
        TVector a0 = TSimd.Zero, a1 = a0, a2 = a0, a3 = a0;
        nint i = 0;
        for (; i <= plane - 4; i += 4)
        {
            a0 = TSimd.Add(a0, TSimd.Load(rows + i));
            a1 = TSimd.Add(a1, TSimd.Load(rows + plane + i));
            a2 = TSimd.Add(a2, TSimd.Load(rows + (2 * plane) + i));
            a3 = TSimd.Add(a3, TSimd.Load(rows + (3 * plane) + i));
        }

        TSimd.Store(a0, lanes);
        TSimd.Store(a1, lanes + 4);
        TSimd.Store(a2, lanes + 8);
        TSimd.Store(a3, lanes + 12);
        for (int k = 0; k < 4; k++)
        {
            TF* s = lanes + (4 * k);
            sums[k] += FinishPlane(s[0], s[1], s[2], s[3], rows + (k * plane), i, plane);
        }
    }

    /// <summary>A plane's partial sums finished: the tail <c>[from, plane)</c> into <paramref name="s0"/>, then <c>(s0 + s1) + (s2 + s3)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TF FinishPlane<TF>(TF s0, TF s1, TF s2, TF s3, TF* row, nint from, nint plane)
        where TF : unmanaged, IFloatingPointIeee754<TF>
    {
        for (nint i = from; i < plane; i++)
        {
            s0 += row[i];
        }

        return (s0 + s1) + (s2 + s3);
    }

    /// <summary>Channels a block of the channels-last bias gradient sums at once (four partial rows of this many on the stack).</summary>
    private const int BiasChannelBlock = 64;

    /// <summary>
    /// The channels-last bias gradient in the channels-first order: per block of up to <see cref="BiasChannelBlock"/>
    /// channels and per sample, four partial rows take the pixels <c>i mod 4</c> (the last <c>plane mod 4</c> into the
    /// first), lane by lane across the channels, and are added to the sums as <c>(s0 + s1) + (s2 + s3)</c>. Each lane is
    /// the channels-first chain of its channel, so the bits are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void BiasGradientChannelsLast<T, TAccumulator>(ReadOnlySpan<T> outputGradient, int batch, int plane, int channels, Span<TAccumulator> biasGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAccumulator : unmanaged, IFloatingPointIeee754<TAccumulator>
    {
        Span<TAccumulator> partial = stackalloc TAccumulator[4 * BiasChannelBlock];
        for (int c0 = 0; c0 < channels; c0 += BiasChannelBlock)
        {
            int width = Math.Min(BiasChannelBlock, channels - c0);
            Span<TAccumulator> s0 = partial.Slice(0, width), s1 = partial.Slice(BiasChannelBlock, width);
            Span<TAccumulator> s2 = partial.Slice(2 * BiasChannelBlock, width), s3 = partial.Slice(3 * BiasChannelBlock, width);
            for (int n = 0; n < batch; n++)
            {
                partial.Clear();

                // The pixel's offset is below the span's length, an int.
                long pixel = (long)n * plane;
                int i = 0;
                for (; i <= plane - 4; i += 4)
                {
                    AddChannels(outputGradient.Slice((int)(((pixel + i) * channels) + c0), width), s0);
                    AddChannels(outputGradient.Slice((int)(((pixel + i + 1) * channels) + c0), width), s1);
                    AddChannels(outputGradient.Slice((int)(((pixel + i + 2) * channels) + c0), width), s2);
                    AddChannels(outputGradient.Slice((int)(((pixel + i + 3) * channels) + c0), width), s3);
                }

                for (; i < plane; i++)
                {
                    AddChannels(outputGradient.Slice((int)(((pixel + i) * channels) + c0), width), s0);
                }

                Span<TAccumulator> sums = biasGradient.Slice(c0, width);
                for (int c = 0; c < width; c++)
                {
                    sums[c] += (s0[c] + s1[c]) + (s2[c] + s3[c]);
                }
            }
        }
    }

    /// <summary><c>sum[c] += row[c]</c> for every channel of a pixel: vectors where the element is its own accumulator, the rest one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddChannels<T, TAccumulator>(ReadOnlySpan<T> row, Span<TAccumulator> sum)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAccumulator : unmanaged, IFloatingPointIeee754<TAccumulator>
    {
        Debug.Assert(row.Length == sum.Length, "a pixel's channels and their sums");
        int c = 0;
        if (typeof(T) == typeof(TAccumulator) && Vector.IsHardwareAccelerated && Vector<TAccumulator>.IsSupported)
        {
            ReadOnlySpan<TAccumulator> values = System.Runtime.InteropServices.MemoryMarshal.Cast<T, TAccumulator>(row);
            ref TAccumulator s = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(sum);
            ref TAccumulator v = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
            for (; c <= values.Length - Vector<TAccumulator>.Count; c += Vector<TAccumulator>.Count)
            {
                (Vector.LoadUnsafe(ref s, (nuint)c) + Vector.LoadUnsafe(ref v, (nuint)c)).StoreUnsafe(ref s, (nuint)c);
            }
        }

        for (; c < row.Length; c++)
        {
            sum[c] += TAccumulator.CreateTruncating(row[c]);
        }
    }
}
