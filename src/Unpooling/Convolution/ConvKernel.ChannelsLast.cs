using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The channels-last convolutions (<c>[N, (D, H,) W, C]</c> source and destination, PyTorch's weight layouts): the same
/// packed GEMM and micro-kernel as the channels-first path (<see cref="Gemm{TSimd, TVector, T}"/>,
/// <see cref="Tile{TSimd, TVector, T}"/>), fed through packing from the pixel-major layout, with no transpose of the
/// tensors. In NHWC the GEMM is the transpose of the channels-first one: its rows are pixels (the micro-kernel's
/// broadcast operand) and its columns output channels (its vector operand), so a tile is a run of output channels of
/// a few pixels, which is what the destination stores contiguously.
/// </summary>
/// <remarks>
/// <para>Convolution: <c>C[pixel, co] = sum_k im2col[pixel, k] * w[co, k]</c> with the reduction in the channels-first
/// order <c>k = ((ci*kD + jd)*kH + jh)*kW + jw</c>, one multiply-add chain per element from zero, then the bias added:
/// the same chain as the channels-first kernel, so a channels-last convolution equals the channels-first one permuted,
/// bit for bit, on one instruction set (and for every thread count and vector width).</para>
/// <para>Transposed convolution: <c>C[input pixel, (tap, co)] = sum_ci x[pixel, ci] * w[ci, co, tap]</c>, each column
/// block holding whole runs of output channels per kernel tap, then a pixel-major scatter: every (input pixel, tap)
/// adds its run of output channels into its output pixel, over a bias-filled output. The adds reach an output element
/// in the order (pixel block of <see cref="ChannelsLastPlan.RowBlock"/>, tap block, input pixel, tap), fixed by the
/// shapes alone (the tap block depends on <c>Cout/groups</c> only), so the bits do not depend on the thread count,
/// the channel split or the vector width. The sum order differs from the channels-first col2im's, so the two layouts
/// agree within rounding; that is why a channels-last transposed convolution whose sample fits the copy budget runs the
/// channels-first kernel on transposed copies instead (<c>ConvTransposeThroughChannelsFirst</c>: the channels-first bits,
/// and faster), and only larger samples run this one.</para>
/// <para>Work items are (sample, group, output-channel block, pixel split): the convolution splits pixels, the
/// transposed convolution output channels (its items never share an output element). Scratch is bounded: the
/// reduction runs in chunks of <see cref="BoundedKC"/> steps with chains continued, column blocks hold at most
/// <see cref="NB"/> columns, and the packed weights are packed once per call when they stay within a cap, else per
/// block on the fly (the same bits).</para>
/// </remarks>
internal static unsafe partial class ConvKernel
{
    /// <summary>Column slots of the packed weights are rounded to the widest panel (<c>2*Count</c> at 512 bits), so
    /// their offsets do not depend on the vector width.</summary>
    private const int ChannelsLastSlot = 32;

    /// <summary>The most packed-weight elements packed once per call (else also at most four times the weight).</summary>
    private const long MaxChannelsLastPacked = 1L << 24;

    /// <summary>Everything a channels-last work item needs, computed once per call from the shapes (and, for the item
    /// split only, the thread count).</summary>
    internal readonly struct ChannelsLastPlan
    {
        /// <summary>GEMM rows (pixels) per block: a multiple of every tile height, fixed (never the vector width).</summary>
        public const int RowBlock = MC;

        /// <summary>Row stride of the column buffer: every column block holds at most <see cref="NB"/> columns.</summary>
        public const int Ldc = NB;

        public readonly bool Transposed, BiasOnly, Prepacked;
        public readonly int Batch, Groups, CinG, CoutG, Cin, Cout;
        public readonly int D, H, W, OD, OH, OW, KD, KH, KW, SD, SH, SW, PD, PH, PW, DD, DH, DW;

        /// <summary>Kernel taps <c>kD*kH*kW</c>, and the taps per GEMM column group (the taps for the transposed
        /// convolution, 1 for the convolution, whose columns are output channels only).</summary>
        public readonly int Taps, ColumnTaps;

        /// <summary>Reduction length (<c>Cin/g*taps</c>, transposed <c>Cin/g</c>) and its chunk.</summary>
        public readonly int K, KB;

        /// <summary>Pixels per sample of the source (<c>D*H*W</c>) and the destination (<c>oD*oH*oW</c>), and the GEMM
        /// rows per sample (output pixels for the convolution, input pixels for the transposed one).</summary>
        public readonly int InPixels, OutPixels, Pixels;

        /// <summary>Output channels per column block (at most <see cref="NB"/>) and taps per column block (transposed:
        /// <c>max(1, NB / min(Cout/g, NB))</c>, a function of the shapes only).</summary>
        public readonly int SubWidth, TapBlock;

        /// <summary>Output channels per item, channel blocks per (sample, group); pixel blocks, splits and blocks per split.</summary>
        public readonly int ChannelsPerItem, ChannelItems, PixelBlocks, PixelSplits, BlocksPerSplit, Items;

        /// <summary>Packed-weight columns of one channel block (its column blocks' slots) and elements of one region
        /// (<c>K * Slots</c>, chunk-major).</summary>
        public readonly long Slots, RegionLength;

        public ChannelsLastPlan(bool transposed, Shape5D source, int outputChannels, Size3D output, in Conv3DGeometry g, int degree)
        {
            Transposed = transposed;
            Batch = source.Batch;
            Groups = g.Groups;
            Cin = source.Channels;
            Cout = outputChannels;
            CinG = Cin / Groups;
            CoutG = Cout / Groups;
            (D, H, W, OD, OH, OW) = (source.Depth, source.Height, source.Width, output.Depth, output.Height, output.Width);
            (KD, KH, KW) = (g.KernelSize.Depth, g.KernelSize.Height, g.KernelSize.Width);
            (SD, SH, SW) = (g.Stride.Depth, g.Stride.Height, g.Stride.Width);
            (PD, PH, PW) = (g.PaddingBegin.Depth, g.PaddingBegin.Height, g.PaddingBegin.Width);
            (DD, DH, DW) = (g.Dilation.Depth, g.Dilation.Height, g.Dilation.Width);

            // Both pixel counts are at most a validated tensor's element count (an array's) whenever a channel exists.
            InPixels = (int)Math.Min(int.MaxValue, (long)D * H * W);
            OutPixels = (int)Math.Min(int.MaxValue, (long)OD * OH * OW);
            BiasOnly = CinG == 0;
            if (CinG == 0 || CoutG == 0 || Batch == 0)
            {
                (ChannelsPerItem, ChannelItems, PixelBlocks, PixelSplits, BlocksPerSplit, Items, SubWidth, TapBlock) = (1, 1, 1, 1, 1, 0, 1, 1);
                return;
            }

            // With an input channel the weight holds every tap, so the taps and the reduction fit an int.
            Taps = checked((int)((long)KD * KH * KW));
            ColumnTaps = transposed ? Taps : 1;
            K = transposed ? CinG : checked(CinG * Taps);
            KB = Math.Min(K, BoundedKC);
            Pixels = transposed ? InPixels : OutPixels;
            SubWidth = Math.Min(CoutG, NB);
            TapBlock = transposed ? Math.Max(1, NB / SubWidth) : 1;
            PixelBlocks = (int)(((long)Pixels + RowBlock - 1) / RowBlock);

            // Too few (sample, group) pairs for the cores: the convolution splits its pixel blocks, the transposed one its
            // output channels (the channel split changes no bits, see the remarks of the class).
            long perGroupItems = (long)Batch * Groups;
            int splits = degree > 1 && perGroupItems < 2 * degree ? (int)(((2 * degree) + perGroupItems - 1) / perGroupItems) : 1;
            int pixelSplits = transposed ? 1 : Math.Min(splits, PixelBlocks);
            // The transposed convolution's channel items each repeat the pixel packing and the scatter's per-pair work,
            // so it splits only as far as balance needs: into degree / gcd(pairs, degree) items per pair, which makes the
            // item count a multiple of the cores (1 sample on 2 cores: 2 items, not 4).
            int channelItems = 1;
            if (transposed && degree > 1 && perGroupItems < 2 * degree)
            {
                long a = perGroupItems, b = degree;
                while (b != 0)
                {
                    (a, b) = (b, a % b);
                }

                channelItems = (int)Math.Min(degree / a, CoutG);
            }

            BlocksPerSplit = (PixelBlocks + pixelSplits - 1) / pixelSplits;
            PixelSplits = (PixelBlocks + BlocksPerSplit - 1) / BlocksPerSplit;
            ChannelsPerItem = (CoutG + channelItems - 1) / channelItems;
            ChannelItems = (CoutG + ChannelsPerItem - 1) / ChannelsPerItem;
            Items = checked((int)(perGroupItems * ChannelItems * PixelSplits));

            Slots = SlotColumns(ChannelsPerItem);
            RegionLength = (long)K * Slots;
            long packed = RegionLength * Groups * ChannelItems;
            long weightLength = (long)Groups * CoutG * CinG * Taps;
            Prepacked = packed <= Math.Min(Array.MaxLength, Math.Max(MaxChannelsLastPacked, 4 * weightLength));
        }

        /// <summary>Packed-weight elements (0 when the weights are packed per block).</summary>
        public long PackedLength => Prepacked ? RegionLength * Groups * ChannelItems : 0;

        public long SourceLength => (long)Batch * InPixels * Cin;

        public long DestinationLength => (long)Batch * OutPixels * Cout;

        public long WeightLength => (long)Groups * CoutG * CinG * Taps;

        /// <summary>The slot columns of the column blocks of <paramref name="channels"/> output channels: per block of up to
        /// <see cref="SubWidth"/> channels, its tap blocks, each rounded up to <see cref="ChannelsLastSlot"/>.</summary>
        public long SlotColumns(int channels)
        {
            long full = channels / SubWidth, rest = channels % SubWidth;
            return (full * TapSlots(SubWidth)) + (rest > 0 ? TapSlots((int)rest) : 0);
        }

        private long TapSlots(int channels)
        {
            long blocks = ColumnTaps / TapBlock, rest = ColumnTaps % TapBlock;
            return (blocks * RoundUpTo((long)TapBlock * channels, ChannelsLastSlot)) + (rest > 0 ? RoundUpTo(rest * channels, ChannelsLastSlot) : 0);
        }

        /// <summary>The item's coordinates: sample, group, pixel split and its output channels <c>[co0, co1)</c> within the group.</summary>
        public (int N, int G, int Split, int Block, int Co0, int Co1) Decode(int item)
        {
            int ps = item % PixelSplits;
            item /= PixelSplits;
            int cb = item % ChannelItems;
            int g = (item / ChannelItems) % Groups;
            int n = item / (ChannelItems * Groups);
            int co0 = cb * ChannelsPerItem;
            return (n, g, ps, cb, co0, Math.Min(CoutG, co0 + ChannelsPerItem));
        }
    }

    private static long RoundUpTo(long value, long unit) => (value + unit - 1) / unit * unit;

    /// <summary>Runs a validated channels-last convolution at the widest hardware vector, else scalar (<c>workspace</c>: a
    /// layer's packed weights and scratch kept between calls, or <see langword="null"/>).</summary>
    public static void RunChannelsLast<T>(T* source, T* weight, T* bias, T* destination, in ChannelsLastPlan plan, int degree, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var body = new ChannelsLastWidthBody<T>(source, weight, bias, destination, plan, degree, workspace);
        SimdDispatch.Run<T, ChannelsLastWidthBody<T>>(ref body, int.MaxValue);
    }

    private readonly ref struct ChannelsLastWidthBody<T>(T* source, T* weight, T* bias, T* destination, in ChannelsLastPlan plan, int degree, ConvWorkspace? workspace) : IWidthBody<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ref readonly ChannelsLastPlan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => RunChannelsLast<TSimd, TVector, T>(source, weight, bias, destination, _plan, degree, workspace);

        public void RunScalar() => RunChannelsLast<SimdScalar<T>, T, T>(source, weight, bias, destination, _plan, degree, workspace);
    }

    /// <summary>Runs one width (any width works on any CPU and gives the same bits on one instruction set).</summary>
    public static void RunChannelsLast<TSimd, TVector, T>(T* source, T* weight, T* bias, T* destination, in ChannelsLastPlan plan, int degree, ConvWorkspace? workspace = null)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (plan.BiasOnly)
        {
            long pixels = (long)plan.Batch * plan.OutPixels;
            for (long q = 0; q < pixels; q++)
            {
                FillRun(destination + ((nint)q * plan.Cout), bias, plan.Cout);
            }

            return;
        }

        if (plan.Items == 0)
        {
            return;
        }

        // With a workspace the prepacked weights are kept and packed again only when the weights or the plan change.
        bool current = false;
        T[]? kept = plan.Prepacked && workspace is not null
            ? workspace.Packed(ConvWorkspace.PackingKind.ChannelsLast, plan.Transposed, plan, TSimd.Count, new ReadOnlySpan<T>(weight, (int)plan.WeightLength), plan.PackedLength, out current)
            : null;
        T[] packed = kept ?? ArrayPool<T>.Shared.Rent((int)Math.Max(1, plan.PackedLength));
        try
        {
            fixed (T* pw = packed)
            {
                if (plan.Prepacked && !current)
                {
                    PrepackChannelsLast<TSimd, TVector, T>(weight, pw, plan);
                    if (kept is not null)
                    {
                        workspace!.MarkPacked(ConvWorkspace.PackingKind.ChannelsLast, plan.Transposed);
                    }
                }

                var body = new ChannelsLastItems<TSimd, TVector, T>
                {
                    Source = source,
                    Weight = weight,
                    Packed = plan.Prepacked ? pw : null,
                    Bias = bias,
                    Destination = destination,
                    Plan = plan,
                    Workspace = workspace,
                };
                ParallelRunner.Run(ref body, plan.Items, Math.Min(degree, plan.Items));
            }
        }
        finally
        {
            if (kept is null)
            {
                ArrayPool<T>.Shared.Return(packed);
            }
        }
    }

    /// <summary><c>dst[0..count) = bias</c> (zero without one).</summary>
    private static void FillRun<T>(T* dst, T* bias, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (bias == null)
        {
            new Span<T>(dst, count).Clear();
        }
        else
        {
            new ReadOnlySpan<T>(bias, count).CopyTo(new Span<T>(dst, count));
        }
    }

    /// <summary>Packs every (group, channel block)'s weights into its region, chunk-major (see <see cref="PackChannelsLastWeights{TSimd, TVector, T}"/>).</summary>
    private static void PrepackChannelsLast<TSimd, TVector, T>(T* weight, T* packed, in ChannelsLastPlan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int g = 0; g < p.Groups; g++)
        {
            for (int cb = 0; cb < p.ChannelItems; cb++)
            {
                T* region = packed + ((((long)g * p.ChannelItems) + cb) * p.RegionLength);
                int co0 = cb * p.ChannelsPerItem, co1 = Math.Min(p.CoutG, co0 + p.ChannelsPerItem);
                long slot = 0;
                for (int c0 = co0; c0 < co1; c0 += p.SubWidth)
                {
                    int cn = Math.Min(p.SubWidth, co1 - c0);
                    for (int t0 = 0; t0 < p.ColumnTaps; t0 += p.TapBlock)
                    {
                        int tn = Math.Min(p.TapBlock, p.ColumnTaps - t0);
                        for (int k0 = 0; k0 < p.K; k0 += p.KB)
                        {
                            int kc = Math.Min(p.KB, p.K - k0);
                            T* dst = region + ((nint)k0 * (nint)p.Slots) + ((nint)slot * kc);
                            Debug.Assert(Bounds.Within(dst, RoundUpTo((long)tn * cn, 2 * TSimd.Count) * kc, packed, p.PackedLength), "packed block outside the packed weights");
                            PackChannelsLastWeights<TSimd, TVector, T>(weight, p, g, c0, cn, t0, tn, k0, kc, dst);
                        }

                        slot += RoundUpTo((long)tn * cn, ChannelsLastSlot);
                    }
                }

                Debug.Assert(slot <= p.Slots, "column blocks past the region's slots");
            }
        }
    }

    /// <summary>
    /// Packs reduction steps <c>[k0, k0+kc)</c> of one column block (output channels <c>[c0, c0+cn)</c> of group
    /// <paramref name="g"/>, taps <c>[t0, t0+tn)</c>; column <c>j = (t - t0)*cn + c</c>) into zero-padded panels of
    /// <c>2*Count</c> columns (panel <c>jr</c> at <c>jr*kc*2*Count</c>). Convolution: <c>B[k, c] = w[g*Cout/g + c0 + c, k]</c>;
    /// transposed: <c>B[k, j] = w[g*Cin/g + k, c0 + c, t]</c>.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void PackChannelsLastWeights<TSimd, TVector, T>(T* weight, in ChannelsLastPlan p, int g, int c0, int cn, int t0, int tn, int k0, int kc, T* dst)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nrw = 2 * TSimd.Count;
        int width = tn * cn;
        int panels = (width + nrw - 1) / nrw;
        for (int jr = 0; jr < panels; jr++)
        {
            for (int kr = 0; kr < kc; kr++, dst += nrw)
            {
                long k = k0 + kr;
                for (int j = 0; j < nrw; j++)
                {
                    int jj = (jr * nrw) + j;
                    T value = T.Zero;
                    if (jj < width)
                    {
                        long at = p.Transposed
                            ? (((((long)g * p.CinG) + k) * p.CoutG) + c0 + (jj % cn)) * p.Taps + t0 + (jj / cn)
                            : ((((long)g * p.CoutG) + c0 + jj) * p.K) + k;
                        Debug.Assert((ulong)at < (ulong)p.WeightLength, "weight read outside the weight");
                        value = weight[(nint)at];
                    }

                    dst[j] = value;
                }
            }
        }
    }

    private struct ChannelsLastItems<TSimd, TVector, T> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Source;
        public T* Weight;
        public T* Packed;
        public T* Bias;
        public T* Destination;
        public ChannelsLastPlan Plan;
        public ConvWorkspace? Workspace;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            // Bounded by constants: RowBlock x KB of A, RowBlock x Ldc of C, KB x Ldc of B when packed per block.
            T[] a = ConvScratch.Rent<T>(Workspace, ChannelsLastPlan.RowBlock * Plan.KB);
            T[] c = ConvScratch.Rent<T>(Workspace, ChannelsLastPlan.RowBlock * ChannelsLastPlan.Ldc);
            T[] b = ConvScratch.Rent<T>(Workspace, Plan.Prepacked ? 1 : Plan.KB * ChannelsLastPlan.Ldc);
            try
            {
                fixed (T* ap = a)
                fixed (T* cp = c)
                fixed (T* bp = b)
                {
                    for (int item = start; item < end; item++)
                    {
                        ChannelsLastItem<TSimd, TVector, T>(Source, Weight, Packed, Bias, Destination, Plan, item, ap, bp, cp);
                    }
                }
            }
            finally
            {
                ConvScratch.Return(Workspace, a);
                ConvScratch.Return(Workspace, c);
                ConvScratch.Return(Workspace, b);
            }
        }
    }

    /// <summary>One (sample, group, output-channel block, pixel split): every output element it writes is its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void ChannelsLastItem<TSimd, TVector, T>(T* source, T* weight, T* packed, T* bias, T* destination, in ChannelsLastPlan p, int item, T* ap, T* bp, T* c)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int n, int g, int ps, int cb, int co0, int co1) = p.Decode(item);
        if (co0 >= co1)
        {
            return;
        }

        int nrw = 2 * TSimd.Count;
        T* x = source + ((nint)n * p.InPixels * p.Cin) + ((nint)g * p.CinG);
        T* y = destination + ((nint)n * p.OutPixels * p.Cout) + ((nint)g * p.CoutG);
        T* biasG = bias == null ? null : bias + ((nint)g * p.CoutG);
        T* region = packed == null ? null : packed + ((((long)g * p.ChannelItems) + cb) * p.RegionLength);
        if (p.Transposed)
        {
            // The scatter adds into the bias: every output pixel's run of this item's channels starts from it.
            for (long q = 0; q < p.OutPixels; q++)
            {
                T* run = y + ((nint)q * p.Cout) + co0;
                Debug.Assert(Bounds.Within(run, co1 - co0, destination, p.DestinationLength), "bias run outside the destination");
                FillRun(run, biasG == null ? null : biasG + co0, co1 - co0);
            }
        }

        bool single = p.K == p.KB;
        long firstBlock = (long)ps * p.BlocksPerSplit;
        long endBlock = Math.Min(p.PixelBlocks, firstBlock + p.BlocksPerSplit);
        for (long block = firstBlock; block < endBlock; block++)
        {
            int r0 = (int)(block * ChannelsLastPlan.RowBlock);
            int rc = Math.Min(ChannelsLastPlan.RowBlock, p.Pixels - r0);
            bool aPacked = false;
            long slot = 0;
            for (int c0 = co0; c0 < co1; c0 += p.SubWidth)
            {
                int cn = Math.Min(p.SubWidth, co1 - c0);
                for (int t0 = 0; t0 < p.ColumnTaps; t0 += p.TapBlock)
                {
                    int tn = Math.Min(p.TapBlock, p.ColumnTaps - t0);
                    int width = tn * cn;
                    int panels = (width + nrw - 1) / nrw;
                    Debug.Assert(panels * nrw <= ChannelsLastPlan.Ldc, "column block wider than the column buffer");
                    for (int k0 = 0; k0 < p.K; k0 += p.KB)
                    {
                        int kc = Math.Min(p.KB, p.K - k0);
                        if (!aPacked)
                        {
                            PackChannelsLastPixels<TSimd, TVector, T>(x, p, r0, rc, k0, kc, ap);
                            aPacked = single;
                        }

                        T* b = bp;
                        if (region != null)
                        {
                            b = region + ((nint)k0 * (nint)p.Slots) + ((nint)slot * kc);
                        }
                        else
                        {
                            PackChannelsLastWeights<TSimd, TVector, T>(weight, p, g, c0, cn, t0, tn, k0, kc, bp);
                        }

                        Prefetcher none = default;
                        Gemm<TSimd, TVector, T>(ap, rc, b, panels, kc, c, ChannelsLastPlan.Ldc, k0 > 0, ref none);
                    }

                    if (p.Transposed)
                    {
                        ScatterChannelsLast<TSimd, TVector, T>(c, p, r0, rc, c0, cn, t0, tn, y, destination);
                    }
                    else
                    {
                        StoreChannelsLast<TSimd, TVector, T>(c, p, r0, rc, c0, cn, y, biasG, destination);
                    }

                    slot += RoundUpTo((long)tn * cn, ChannelsLastSlot);
                }
            }
        }
    }

    /// <summary>
    /// Packs GEMM rows <c>[r0, r0+rc)</c> (pixels of one sample and group), reduction steps <c>[k0, k0+kc)</c>, into
    /// zero-padded panels of tile-height rows, <paramref name="kc"/>-major (the layout <see cref="Gemm{TSimd, TVector, T}"/>
    /// reads A in). Convolution: the im2col row of output pixel <c>(od, oh, ow)</c>,
    /// <c>A[q, (ci*taps + tap)] = x[od*sD - pD + jd*dD, oh*sH - pH + jh*dH, ow*sW - pW + jw*dW, ci]</c> (zero in the
    /// padding), read as one contiguous run of channels per tap; transposed: <c>A[q, ci] = x[q, ci]</c>.
    /// </summary>
    /// <remarks>Input coordinates are 64-bit (see <see cref="PackIm2Col{T}"/>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackChannelsLastPixels<TSimd, TVector, T>(T* x, in ChannelsLastPlan p, int r0, int rc, int k0, int kc, T* ap)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = TileRows<TSimd, TVector, T>();
        int rows = (rc + mr - 1) / mr * mr;
        int kk = p.KH * p.KW;
        for (int r = 0; r < rows; r++)
        {
            T* col = ap + ((nint)(r / mr) * mr * kc) + (r % mr);
            if (r >= rc)
            {
                for (int kr = 0; kr < kc; kr++)
                {
                    col[(nint)kr * mr] = T.Zero;
                }

                continue;
            }

            int q = r0 + r;
            if (p.Transposed)
            {
                T* s = x + ((nint)q * p.Cin) + k0;
                for (int kr = 0; kr < kc; kr++)
                {
                    col[(nint)kr * mr] = s[kr];
                }

                continue;
            }

            int od = q / (p.OH * p.OW), rest = q - (od * p.OH * p.OW);
            int oh = rest / p.OW, ow = rest - (oh * p.OW);
            nint step = (nint)p.Taps * mr;
            for (int t = 0; t < p.Taps; t++)
            {
                // The channels whose step k = ci*taps + t falls in the chunk.
                int ciLo = k0 <= t ? 0 : (k0 - t + p.Taps - 1) / p.Taps;
                int ciHi = (int)Math.Min(p.CinG, (((long)k0 + kc - 1 - t) / p.Taps) + 1);
                if (ciLo >= ciHi || (long)k0 + kc - 1 < t)
                {
                    continue;
                }

                int jd = t / kk, jh = (t % kk) / p.KW, jw = t % p.KW;
                long id = ((long)od * p.SD) - p.PD + ((long)jd * p.DD);
                long ih = ((long)oh * p.SH) - p.PH + ((long)jh * p.DH);
                long iw = ((long)ow * p.SW) - p.PW + ((long)jw * p.DW);
                T* dst = col + ((nint)((ciLo * p.Taps) + t - k0) * mr);
                Debug.Assert(Bounds.WithinStrided(dst, ciHi - ciLo, step, ap, (long)rows * kc), "im2col run outside the A panels");
                if ((ulong)id < (ulong)p.D && (ulong)ih < (ulong)p.H && (ulong)iw < (ulong)p.W)
                {
                    T* s = x + ((((((nint)id * p.H) + (nint)ih) * p.W) + (nint)iw) * p.Cin);
                    for (int ci = ciLo; ci < ciHi; ci++, dst += step)
                    {
                        *dst = s[ci];
                    }
                }
                else
                {
                    for (int ci = ciLo; ci < ciHi; ci++, dst += step)
                    {
                        *dst = T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>The convolution's epilogue: output pixel <c>r0 + r</c>'s channels <c>[c0, c0+cn)</c> are the GEMM row plus the bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void StoreChannelsLast<TSimd, TVector, T>(T* c, in ChannelsLastPlan p, int r0, int rc, int c0, int cn, T* y, T* biasG, T* destination)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        T* b = biasG == null ? null : biasG + c0;
        for (int r = 0; r < rc; r++)
        {
            T* src = c + ((nint)r * ChannelsLastPlan.Ldc);
            T* dst = y + ((nint)(r0 + r) * p.Cout) + c0;
            Debug.Assert(Bounds.Within(dst, cn, destination, p.DestinationLength), "output run outside the destination");
            int j = 0;
            if (b == null)
            {
                // The channels-first epilogue adds a zero bias too (so -0 stores +0 in both layouts).
                for (; j <= cn - v; j += v)
                {
                    TSimd.Store(TSimd.Add(TSimd.Load(src + j), TSimd.Zero), dst + j);
                }

                for (; j < cn; j++)
                {
                    dst[j] = src[j] + T.Zero;
                }

                continue;
            }

            for (; j <= cn - v; j += v)
            {
                TSimd.Store(TSimd.Add(TSimd.Load(src + j), TSimd.Load(b + j)), dst + j);
            }

            for (; j < cn; j++)
            {
                dst[j] = src[j] + b[j];
            }
        }
    }

    /// <summary>
    /// The transposed convolution's pixel-major scatter: for input pixel <c>r0 + r</c> and tap <c>t</c> in
    /// <c>[t0, t0+tn)</c>, the GEMM row's run <c>[(t - t0)*cn, (t - t0 + 1)*cn)</c> is added into output pixel
    /// <c>i*s - p + j*d</c> per axis (skipped outside the output), channels <c>[c0, c0+cn)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void ScatterChannelsLast<TSimd, TVector, T>(T* c, in ChannelsLastPlan p, int r0, int rc, int c0, int cn, int t0, int tn, T* y, T* destination)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        int kk = p.KH * p.KW, kw = p.KW, kh = p.KH, w = p.W, h = p.H;
        long oD = p.OD, oH = p.OH, oW = p.OW, dd = p.DD, dh = p.DH, dw = p.DW;
        nint pixel = p.Cout;

        // The run's last cn mod v channels in one masked vector (a run of 8 with 16 lanes, as a 2-thread channel split
        // of 32 channels gives, would otherwise be all scalar): the lanes are the same element-wise adds.
        int whole = cn - (cn % v);
        TVector tail = TSimd.LaneMask(0, cn - whole);

        // The first pixel's and the first tap's coordinates, then both stepped (no division per pair).
        int id = r0 / (h * w), rest = r0 - (id * h * w);
        int ih = rest / w, iw = rest - (ih * w);
        int jd0 = t0 / kk, jh0 = (t0 % kk) / kw, jw0 = t0 % kw;
        for (int r = 0; r < rc; r++)
        {
            long odBase = ((long)id * p.SD) - p.PD, ohBase = ((long)ih * p.SH) - p.PH, owBase = ((long)iw * p.SW) - p.PW;
            T* row = c + ((nint)r * ChannelsLastPlan.Ldc);
            int jd = jd0, jh = jh0, jw = jw0;
            for (int tt = 0; tt < tn; tt++)
            {
                long od = odBase + (jd * dd), oh = ohBase + (jh * dh), ow = owBase + (jw * dw);
                if ((ulong)od < (ulong)oD && (ulong)oh < (ulong)oH && (ulong)ow < (ulong)oW)
                {
                    T* src = row + ((nint)tt * cn);
                    T* dst = y + ((((((nint)od * (nint)oH) + (nint)oh) * (nint)oW) + (nint)ow) * pixel) + c0;
                    Debug.Assert(Bounds.Within(dst, cn, destination, p.DestinationLength), "scatter run outside the destination");
                    for (int j = 0; j < whole; j += v)
                    {
                        TSimd.Store(TSimd.Add(TSimd.Load(dst + j), TSimd.Load(src + j)), dst + j);
                    }

                    if (whole < cn)
                    {
                        TSimd.StoreMasked(TSimd.Add(TSimd.LoadMasked(dst + whole, tail), TSimd.LoadMasked(src + whole, tail)), dst + whole, tail);
                    }
                }

                if (++jw == kw)
                {
                    jw = 0;
                    if (++jh == kh)
                    {
                        jh = 0;
                        jd++;
                    }
                }
            }

            if (++iw == w)
            {
                iw = 0;
                if (++ih == h)
                {
                    ih = 0;
                    id++;
                }
            }
        }
    }
}
