using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

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
/// <para>The GEMM is the forward's: A panels are rows of <c>R</c> packed by <c>PackWeightPanels</c>, B panels are
/// <c>im2col(T)^T</c> gathered per (sample, block of reduction steps) in <see cref="PackTapPanels{T}"/> with the
/// padding's zeros written, not tested, in the inner loop, and the micro-kernel <c>Tile</c> chains the multiply-adds.</para>
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
            Rows = checked((int)((M + RowUnit - 1L) / RowUnit * RowUnit));
            Ldc = checked((int)((N + PanelAlign - 1L) / PanelAlign * PanelAlign));
            StepBlock = (int)Math.Clamp(GradMaxPackedA / Rows, 8, GradStepBlock);
            ColumnBlocks = (N + GradColumnBlock - 1) / GradColumnBlock;
            long perGroup = (long)Rows * Ldc;

            // Groups run together when their partials fit an array, else one at a time (a weight of billions of taps).
            GroupsPerRun = (int)Math.Clamp(Array.MaxLength / perGroup, 1, Groups);
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

        /// <summary>Elements of the partial matrices of one run (every chunk of <see cref="GroupsPerRun"/> groups).</summary>
        public long PartialLength => (long)Chunks * GroupsPerRun * Rows * Ldc;

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
                    SumPartials(c, weightGradient, plan, g0, groups);
                }
            }
        }
        finally
        {
            ConvScratch.Return(workspace, partials);
        }
    }

    /// <summary><c>dW[g*M + m, col] = P_0 + P_1 + ...</c> over the chunks' partials, in chunk order.</summary>
    private static void SumPartials<T>(T* partials, T* weightGradient, in WeightGradPlan p, int g0, int groups)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long chunkStride = (long)p.Rows * p.Ldc;
        for (int gi = 0; gi < groups; gi++)
        {
            for (int m = 0; m < p.M; m++)
            {
                T* dst = weightGradient + ((((nint)(g0 + gi) * p.M) + m) * p.N);
                T* first = partials + ((nint)gi * p.Chunks * chunkStride) + ((nint)m * p.Ldc);
                Debug.Assert(Bounds.Within(dst, p.N, weightGradient, p.WeightLength), "weight-gradient row outside the gradient");
                new ReadOnlySpan<T>(first, p.N).CopyTo(new Span<T>(dst, p.N));
                for (int chunk = 1; chunk < p.Chunks; chunk++)
                {
                    T* src = first + ((nint)chunk * chunkStride);
                    Debug.Assert(Bounds.Within(src, p.N, partials, p.PartialLength), "partial row outside the partials");
                    for (int col = 0; col < p.N; col++)
                    {
                        dst[col] += src[col];
                    }
                }
            }
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

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
        public readonly void Invoke(int start, int end)
        {
            // Packed A: every row panel over a step block; packed B: a column block's panels over a step block.
            T[] packedA = ConvScratch.Rent<T>(Workspace, checked(Plan.Rows * Plan.StepBlock));
            T[] packedB = ConvScratch.Rent<T>(Workspace, Plan.StepBlock * GradColumnBlock);
            try
            {
                fixed (T* ap = packedA)
                fixed (T* bp = packedB)
                {
                    for (int item = start; item < end; item++)
                    {
                        WeightGradItem<TSimd, TVector, T>(Rows, Taps, Partials, Plan, FirstGroup, item, ap, bp);
                    }
                }
            }
            finally
            {
                ConvScratch.Return(Workspace, packedA);
                ConvScratch.Return(Workspace, packedB);
            }
        }
    }

    /// <summary>
    /// One (group, sample chunk): its partial matrix, every chain over the chunk's (sample, position) steps in order. A is
    /// packed once per block of steps and serves every column block; B is packed per column block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void WeightGradItem<TSimd, TVector, T>(T* rows, T* taps, T* partials, in WeightGradPlan p, int g0, int item, T* ap, T* bp)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nrw = 2 * TSimd.Count;
        int mr = TileRows<TSimd, TVector, T>();
        int chunk = item % p.Chunks;
        int gi = item / p.Chunks;
        int g = g0 + gi;
        T* c = partials + ((((nint)gi * p.Chunks) + chunk) * p.Rows * p.Ldc);
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
            for (int p0 = 0; p0 < p.PVolume; p0 += p.StepBlock)
            {
                int kb = Math.Min(p.StepBlock, p.PVolume - p0);
                PackWeightPanels(a, strideM, strideK, 0, p.M, p0, kb, mr, ap);
                for (int block = 0; block < p.ColumnBlocks; block++)
                {
                    int c0 = block * GradColumnBlock;
                    int cols = Math.Min(GradColumnBlock, p.N - c0);
                    int panels = (cols + nrw - 1) / nrw;
                    Debug.Assert(c0 + (panels * nrw) <= p.Ldc, "column block past the partial's row");
                    PackTapPanels(taps, p, n, g, c0, cols, panels, nrw, p0, kb, bp);
                    Gemm<TSimd, TVector, T>(ap, p.M, bp, panels, kb, c + c0, p.Ldc, accumulate, ref none);
                }

                accumulate = true;
            }
        }
    }

    /// <summary>
    /// Packs <c>B[i, t] = T[n, g*Cb + cb, tap(p0 + i, k)]</c> for the columns <c>[c0, c0+cols)</c> (column = <c>(cb, k)</c>)
    /// into zero-padded panels of <paramref name="nrw"/> columns, <paramref name="kb"/>-major (panel <c>jr</c> at
    /// <c>jr*kb*nrw</c>). Per column and position row, the taps inside the source along the width are a range computed
    /// once, so the inner loops copy and zero-fill without a test.
    /// </summary>
    /// <remarks>Tap coordinates are 64-bit: <c>p*s - pad + k*d</c> passes <see cref="int.MaxValue"/> with geometries the
    /// validation accepts, and a wrapped value could land inside the source.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackTapPanels<T>(T* taps, in WeightGradPlan p, int n, int g, int c0, int cols, int panels, int nrw, int p0, int kb, T* bp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int tapChannels = p.Groups * p.Cb;
        T* sample;
        nint channelStride, cell;
        if (p.ChannelsLast)
        {
            sample = taps + ((nint)n * p.TVolume * tapChannels) + ((nint)g * p.Cb);
            (channelStride, cell) = (1, tapChannels);
        }
        else
        {
            sample = taps + ((((nint)n * tapChannels) + ((nint)g * p.Cb)) * p.TVolume);
            (channelStride, cell) = (p.TVolume, 1);
        }

        int khw = p.KH * p.KW;
        int planeP = p.PH * p.PW;
        int od0 = p0 / planeP, oh0 = (p0 % planeP) / p.PW, ow0 = p0 % p.PW;
        for (int jr = 0; jr < panels; jr++)
        {
            T* panel = bp + ((nint)jr * kb * nrw);
            Debug.Assert(Bounds.Within(panel, (long)kb * nrw, bp, (long)p.StepBlock * GradColumnBlock), "panel outside the B panels");
            for (int t = 0; t < nrw; t++)
            {
                int col = c0 + (jr * nrw) + t;
                T* dst = panel + t;
                if (col >= c0 + cols)
                {
                    for (int i = 0; i < kb; i++, dst += nrw)
                    {
                        *dst = T.Zero;
                    }

                    continue;
                }

                int cb = col / p.Kk, r = col % p.Kk;
                int kd = r / khw, kh = (r % khw) / p.KW, kw = r % p.KW;
                T* channel = sample + (cb * channelStride);
                long offD = ((long)kd * p.DD) - p.BD, offH = ((long)kh * p.DH) - p.BH, offW = ((long)kw * p.DW) - p.BW;

                // Positions whose tap lies inside the width: iw = ow*s + offW in [0, TW).
                long owLo = offW >= 0 ? 0 : (-offW + p.SW - 1) / p.SW;
                long owHi = p.TW - 1 - offW < 0 ? 0 : ((p.TW - 1 - offW) / p.SW) + 1;
                owHi = Math.Min(owHi, p.PW);
                owLo = Math.Min(owLo, owHi);
                int od = od0, oh = oh0, ow = ow0;
                for (int i = 0; i < kb;)
                {
                    int run = Math.Min(p.PW - ow, kb - i);
                    int end = ow + run;
                    long id = ((long)od * p.SD) + offD, ih = ((long)oh * p.SH) + offH;
                    if ((ulong)id < (ulong)p.TD && (ulong)ih < (ulong)p.TH)
                    {
                        int lo = (int)Math.Clamp(owLo, ow, end), hi = (int)Math.Clamp(owHi, lo, end);
                        for (int x = ow; x < lo; x++, dst += nrw)
                        {
                            *dst = T.Zero;
                        }

                        if (hi > lo)
                        {
                            T* src = channel + (((((nint)id * p.TH) + (nint)ih) * p.TW) + (nint)((lo * (long)p.SW) + offW)) * cell;
                            nint step = p.SW * cell;
                            Debug.Assert(
                                Bounds.WithinStrided(src, hi - lo, step, taps, p.TapsLength),
                                "tap gather outside the source");
                            for (int x = lo; x < hi; x++, dst += nrw, src += step)
                            {
                                *dst = *src;
                            }
                        }

                        for (int x = hi; x < end; x++, dst += nrw)
                        {
                            *dst = T.Zero;
                        }
                    }
                    else
                    {
                        for (int x = 0; x < run; x++, dst += nrw)
                        {
                            *dst = T.Zero;
                        }
                    }

                    i += run;
                    ow = 0;
                    if (++oh == p.PH)
                    {
                        oh = 0;
                        od++;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The bias gradient <c>db[c] = sum over (n, position) of dy[n, c, position]</c>, into <paramref name="biasGradient"/>
    /// (<c>C</c> long), in an order fixed by the shape: channels-first each channel sums its samples in order, each plane
    /// through four interleaved partial sums added as <c>(s0 + s1) + (s2 + s3)</c>; channels-last each channel is one
    /// chain over (sample, position). No vector-width-dependent reduction is used.
    /// </summary>
    public static void BiasGradient<T, TAccumulator>(ReadOnlySpan<T> outputGradient, Shape5D shape, Span<TAccumulator> biasGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TAccumulator : unmanaged, IFloatingPointIeee754<TAccumulator>
    {
        int channels = shape.Channels;
        int plane = checked((int)shape.PlaneSize);
        biasGradient.Clear();
        if (shape.Layout == TensorLayout.ChannelsLast)
        {
            for (long cell = 0; cell < (long)shape.Batch * plane; cell++)
            {
                ReadOnlySpan<T> row = outputGradient.Slice((int)(cell * channels), channels);
                for (int c = 0; c < channels; c++)
                {
                    biasGradient[c] += TAccumulator.CreateTruncating(row[c]);
                }
            }

            return;
        }

        for (int n = 0; n < shape.Batch; n++)
        {
            for (int c = 0; c < channels; c++)
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
}
