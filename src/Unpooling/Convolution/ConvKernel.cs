using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// 2-D convolution and transposed convolution as a packed, register-blocked GEMM per work item (sample, group, and a
/// block of output channels or, for one sample with kernel = stride, of input rows). The transposed convolution
/// computes the column matrix <c>W^T X</c> (<c>[Cout/g*kH*kW, Hin*Win]</c>, never multiplying an inserted zero) and
/// gathers it into the output (col2im, <c>ConvKernel.Col2Im.cs</c>), or, when kernel = stride = 2 wide without padding,
/// stores each GEMM tile straight into the output; the convolution packs its input as im2col panels and writes
/// <c>W X</c> plus bias straight out.
/// </summary>
/// <remarks>
/// <para>Determinism: each output element is owned by one work item and its value is built in a fixed order that
/// depends only on the shapes: the GEMM sums over the reduction index in ascending order with a chain of
/// multiply-adds starting at zero (<see cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/>: fused where the instruction set
/// has FMA, else multiplied then added; bit-identical at every vector width, the scalar path, tile height, blocking and
/// in software on one instruction set), and
/// col2im adds the column entries to the bias in the order (column block, kernel row, kernel column), column blocks being
/// whole input rows chosen from the shapes alone. So results do not depend on the thread count, the split or the SIMD
/// width.</para>
/// <para>Blocking (BLIS order): per column block the B panels are packed once; per row block (about <see cref="MC"/>
/// rows; whole output channels when transposed) and reduction block of <see cref="KC"/>, a
/// <c>TileRows x 2*Count</c> micro-kernel (8 x 2 vectors with 32 registers) keeps its B micro-panel in L1 and streams
/// packed A panels from L2.</para>
/// </remarks>
internal static unsafe partial class ConvKernel
{
    /// <summary>The most rows a micro-kernel tile has (<see cref="TileRows{TSimd, TVector, T}"/>).</summary>
    public const int MaxMR = 8;

    /// <summary>A multiple of every tile height (6 and 8): GEMM row blocks and packed A are sized in it.</summary>
    public const int RowUnit = 24;

    /// <summary>Reduction block: a B micro-panel (<c>KC x 2*Count</c>) fits L1.</summary>
    public const int KC = 128;

    /// <summary>Rows per GEMM block (a multiple of <see cref="RowUnit"/>).</summary>
    public const int MC = 4 * RowUnit;

    /// <summary>
    /// Columns per GEMM block of the convolution, and the target for the transposed convolution's whole-row blocks.
    /// A multiple of every width's <c>2*Count</c>.
    /// </summary>
    public const int NB = 256;

    /// <summary>The widest panel (<c>2*Count</c> floats at 512 bits): column buffers are padded to it for every width.</summary>
    private const int PanelAlign = 32;

    /// <summary>Everything a work item needs, computed once per call.</summary>
    internal readonly struct Plan
    {
        public readonly bool Transposed;
        public readonly int Batch, Groups, CinG, CoutG;
        public readonly int H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW;

        /// <summary>GEMM sizes per (sample, group): rows, reduction, columns.</summary>
        public readonly int M, K, N;

        /// <summary>GEMM rows per output channel: <c>kH*kW</c> for the transposed convolution, 1 for the convolution.</summary>
        public readonly int RowsPerChannel;

        /// <summary>Output channels per work item, and channel blocks per (sample, group).</summary>
        public readonly int ChannelsPerBlock, ChannelBlocks;

        /// <summary>Column splits per (sample, group, channel block), and the column blocks each covers (the last may be short).</summary>
        public readonly int ColumnSplits, ColumnBlocksPerSplit;

        /// <summary>Packed-A elements per work item (room for whole tile-height panels over <see cref="K"/> at any height).</summary>
        public readonly long PackedAPerBlock;

        /// <summary>
        /// GEMM columns per block: <see cref="NB"/> for the convolution; whole input rows for the transposed convolution,
        /// so that col2im sees every input row whole. Depends on the shapes only (never on the width or thread count).
        /// </summary>
        public readonly int ColumnBlock;

        /// <summary>Row stride of the column buffer: <see cref="ColumnBlock"/> rounded up to whole panels of the widest vector.</summary>
        public readonly int Ldc;

        /// <summary>
        /// GEMM rows per block: <see cref="MC"/> for the convolution; for the transposed convolution a multiple of both
        /// <see cref="RowUnit"/> and <c>kH*kW</c> near <see cref="MC"/>, so that every block holds whole output channels.
        /// </summary>
        public readonly int RowBlock;

        /// <summary>
        /// Transposed: the output is filled with the bias before col2im adds into it (stride above 2, or an output row no
        /// input row reaches). Otherwise col2im starts each output row from the bias the first time it writes the row.
        /// </summary>
        public readonly bool Prefill;

        /// <summary>
        /// Transposed, kernel = stride with a 2-wide kernel row, no padding, dilation 1 and the output exactly
        /// <c>H*sH x 2W</c>: each output cell takes one entry, and rows <c>jw = 0, 1</c> of a tile interleave into whole
        /// output runs, so tiles go straight to the output (<see cref="GemmToOutput"/>), with no column buffer or col2im pass.
        /// </summary>
        public readonly bool DirectStore;

        /// <summary>Output rows a column block reaches at most (the length of col2im's row table).</summary>
        public readonly int Col2ImRows;

        /// <summary>Whether col2im is the vector gather (transposed, stride 1 or 2, and not <see cref="DirectStore"/>).</summary>
        public bool Gathers => Transposed && !DirectStore && SW <= 2;

        public Plan(bool transposed, Shape4D source, int outputChannels, Size2D output, in Conv2DGeometry g, int degree)
        {
            Transposed = transposed;
            Batch = source.Batch;
            Groups = g.Groups;
            CinG = source.Channels / g.Groups;
            CoutG = outputChannels / g.Groups;
            (H, W, OH, OW) = (source.Height, source.Width, output.Height, output.Width);
            (KH, KW) = (g.KernelSize.Height, g.KernelSize.Width);
            (SH, SW) = (g.Stride.Height, g.Stride.Width);
            (PH, PW) = (g.PaddingBegin.Height, g.PaddingBegin.Width);
            (DH, DW) = (g.Dilation.Height, g.Dilation.Width);
            int kk = KH * KW;
            RowsPerChannel = transposed ? kk : 1;
            M = CoutG * RowsPerChannel;
            K = transposed ? CinG : CinG * kk;
            N = transposed ? H * W : OH * OW;

            if (transposed)
            {
                // Whole input rows per block, about NB columns, preferring the count that wastes the smallest share of
                // its last 32-column panel (56 or 28 columns a row: 224 columns, no waste).
                int most = Math.Max(1, Math.Min(H, NB / Math.Max(1, W)));
                int best = most;
                for (int r = most; r >= Math.Max(1, most / 2); r--)
                {
                    if ((long)PanelWaste(r * W) * best < (long)PanelWaste(best * W) * r)
                    {
                        best = r;
                    }
                }

                ColumnBlock = Math.Max(1, best * W);
                int unit = RowUnit * kk / (int)BigInteger.GreatestCommonDivisor(RowUnit, kk);
                RowBlock = unit * Math.Max(1, MC / unit);
                Prefill = SW > 2 || !EveryOutputRowReached();
                DirectStore = KW == 2 && SW == 2 && DW == 1 && PW == 0 && OW == 2 * W
                    && KH == SH && (KH == 1 || DH == 1) && PH == 0 && OH == SH * H;
                Col2ImRows = (best * SH) + ((KH - 1) * DH) + 1;
            }
            else
            {
                ColumnBlock = NB;
                RowBlock = MC;
            }

            Ldc = (ColumnBlock + PanelAlign - 1) / PanelAlign * PanelAlign;

            // Too few (sample, group) pairs for the cores: with DirectStore, split the columns (whole input rows) when
            // that divides them evenly; every output cell has one entry, so items never share one, and each packs only
            // its own columns of B. Otherwise split output channels only as far as needed to give every core work
            // (fewer, taller items pack B less often), keeping at least two micro-panels of rows per block so the zero
            // padding of the last panel stays a small share.
            int perGroupItems = Math.Max(1, Batch * Groups);
            int columnBlocks = Math.Max(1, (N + ColumnBlock - 1) / ColumnBlock);
            (ColumnSplits, ColumnBlocksPerSplit) = (1, columnBlocks);
            int blocks = 1;
            if (degree > 1 && perGroupItems < 2 * degree)
            {
                int splits = (degree + perGroupItems - 1) / perGroupItems;
                int perSplit = (columnBlocks + splits - 1) / splits;
                if (DirectStore && splits > 1 && (long)perSplit * ColumnBlock * splits * 20 <= (long)N * 21)
                {
                    (ColumnSplits, ColumnBlocksPerSplit) = ((columnBlocks + perSplit - 1) / perSplit, perSplit);
                }
                else
                {
                    blocks = ((2 * degree) + perGroupItems - 1) / perGroupItems;
                }
            }

            blocks = Math.Clamp(blocks, 1, Math.Max(1, Math.Min(CoutG, M / (2 * MaxMR))));
            ChannelsPerBlock = Math.Max(1, (CoutG + blocks - 1) / blocks);
            ChannelBlocks = Math.Max(1, (CoutG + ChannelsPerBlock - 1) / ChannelsPerBlock);
            int rows = ChannelsPerBlock * RowsPerChannel;
            PackedAPerBlock = (long)((rows + RowUnit - 1) / RowUnit) * RowUnit * K;
        }

        /// <summary>Whether every output row receives at least one input row (then col2im needs no bias pre-fill).</summary>
        private readonly bool EveryOutputRowReached()
        {
            for (int oh = 0; oh < OH; oh++)
            {
                if (FirstInputRow(oh) >= H)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The smallest input row that reaches output row <paramref name="oh"/>, or <c>H</c> if none does.</summary>
        public readonly int FirstInputRow(int oh)
        {
            // ih = (oh + p - jh*d) / s grows as jh falls, so the last kernel row that fits gives the smallest ih.
            for (int jh = KH - 1; jh >= 0; jh--)
            {
                int t = oh + PH - (jh * DH);
                if (t >= 0 && t % SH == 0 && t / SH < H)
                {
                    return t / SH;
                }
            }

            return H;
        }

        private static int PanelWaste(int columns) => ((columns + PanelAlign - 1) / PanelAlign * PanelAlign) - columns;

        // The lengths of the buffers a run is given or rents, for the range asserts.
        public long SourceLength => (long)Batch * Groups * CinG * H * W;

        public long WeightLength => (long)Groups * M * K;

        public long BiasLength => (long)Groups * CoutG;

        public long DestinationLength => (long)Batch * Groups * CoutG * OH * OW;

        public long PackedALength => PackedAPerBlock * Groups * ChannelBlocks;

        public long PackedBLength => (long)K * Ldc;

        public long ColumnsLength => (long)RowBlock * Ldc;

        public int Items => Batch * Groups * ChannelBlocks * ColumnSplits;

        public long MultiplyAdds => (long)Batch * Groups * M * K * N;
    }

    /// <summary>Runs the operation at the widest hardware vector (any row count: the GEMM pads its panels), else scalar.</summary>
    public static void Run<T>(T* source, T* weight, T* bias, T* destination, in Plan plan, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var body = new WidthBody<T>(source, weight, bias, destination, plan, degree);
        SimdDispatch.Run<T, WidthBody<T>>(ref body, int.MaxValue);
    }

    /// <summary>The arguments of <see cref="Run{T}(T*, T*, T*, T*, in Plan, int)"/>, run at the width the dispatch picks.</summary>
    private readonly ref struct WidthBody<T>(T* source, T* weight, T* bias, T* destination, in Plan plan, int degree) : IWidthBody<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ref readonly Plan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => ConvKernel.Run<TSimd, TVector, T>(source, weight, bias, destination, _plan, degree);

        public void RunScalar() => ConvKernel.Run<SimdScalar<T>, T, T>(source, weight, bias, destination, _plan, degree);
    }

    /// <summary>Runs one width (any width works on any CPU and gives the same bits on one instruction set).</summary>
    public static void Run<TSimd, TVector, T>(T* source, T* weight, T* bias, T* destination, in Plan plan, int degree)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (plan.Items == 0)
        {
            return;
        }

        long packedLength = plan.PackedAPerBlock * plan.Groups * plan.ChannelBlocks;
        T[] packedA = ArrayPool<T>.Shared.Rent((int)Math.Max(1, packedLength));
        try
        {
            fixed (T* ap = packedA)
            {
                PackWeights(weight, ap, TileRows<TSimd, TVector, T>(), plan);
                var body = new ItemsBody<TSimd, TVector, T>
                {
                    Source = source,
                    PackedA = ap,
                    Bias = bias,
                    Destination = destination,
                    Plan = plan,
                };
                ParallelRunner.Run(ref body, plan.Items, degree);
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(packedA);
        }
    }

    /// <summary>
    /// Packs each (group, channel block)'s A rows into panels of <paramref name="mr"/> rows, <c>K</c>-major, zero-padded.
    /// Transposed: <c>A[m, k] = w[g*Cin/g + k, m]</c> (weight <c>[Cin, Cout/g*kH*kW]</c>); forward:
    /// <c>A[m, k] = w[g*Cout/g + m, k]</c> (weight <c>[Cout, Cin/g*kH*kW]</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackWeights<T>(T* weight, T* packed, int mr, in Plan p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint strideM = p.Transposed ? 1 : p.K;
        nint strideK = p.Transposed ? p.M : 1;
        for (int g = 0; g < p.Groups; g++)
        {
            T* a = weight + ((nint)g * p.M * p.K);
            for (int cb = 0; cb < p.ChannelBlocks; cb++)
            {
                int m0 = cb * p.ChannelsPerBlock * p.RowsPerChannel;
                int rows = Math.Min(p.M - m0, p.ChannelsPerBlock * p.RowsPerChannel);
                T* dst = packed + (((long)g * p.ChannelBlocks) + cb) * p.PackedAPerBlock;
                Debug.Assert(Bounds.Within(a, (long)p.M * p.K, weight, p.WeightLength), "group's weights outside the weight");
                Debug.Assert(Bounds.Within(dst, (long)(rows + mr - 1) / mr * mr * p.K, packed, p.PackedALength), "packed block outside packed A");
                for (int r0 = 0; r0 < rows; r0 += mr)
                {
                    int live = Math.Min(mr, rows - r0);
                    Debug.Assert(m0 + r0 + live <= p.M, "panel rows past the group's rows");
                    if (live == mr && strideM == 1)
                    {
                        // Transposed: a panel's rows are adjacent in the weight, one fixed-size copy per k.
                        T* src = a + m0 + r0;
                        for (int k = 0; k < p.K; k++, src += strideK, dst += mr)
                        {
                            Unsafe.CopyBlockUnaligned(dst, src, (uint)(mr * sizeof(T)));
                        }

                        continue;
                    }

                    for (int k = 0; k < p.K; k++)
                    {
                        T* src = a + ((m0 + r0) * strideM) + (k * strideK);
                        for (int r = 0; r < mr; r++)
                        {
                            *dst++ = r < live ? src[r * strideM] : T.Zero;
                        }
                    }
                }
            }
        }
    }

    private struct ItemsBody<TSimd, TVector, T> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Source;
        public T* PackedA;
        public T* Bias;
        public T* Destination;
        public Plan Plan;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
        public readonly void Invoke(int start, int end)
        {
            T[] packedB = ArrayPool<T>.Shared.Rent(Math.Max(1, Plan.K * Plan.Ldc));
            T[] columns = ArrayPool<T>.Shared.Rent(Plan.RowBlock * Plan.Ldc);
            // col2im's tables: column taps (per chunk and kernel column) then the row table (per output row).
            int taps = Plan.Gathers ? Col2ImChunks<TSimd, TVector, T>(Plan) * Plan.KW : 0;
            int rows = Plan.Gathers ? Plan.Col2ImRows : 0;
            nint[] tableArray = ArrayPool<nint>.Shared.Rent(Math.Max(1, (2 * taps) + (rows * (Plan.KH + 2))));
            T[] maskArray = ArrayPool<T>.Shared.Rent(Math.Max(1, taps * TSimd.Count));
            try
            {
                fixed (T* bp = packedB)
                fixed (T* c = columns)
                fixed (nint* table = tableArray)
                fixed (T* masks = maskArray)
                {
                    var tables = new Col2ImTables<T>
                    {
                        TapOffsets = table,
                        TapKinds = table + taps,
                        TapMasks = masks,
                        RowOffsets = table + (2 * taps),
                        RowCounts = table + (2 * taps) + (rows * Plan.KH),
                        RowFirsts = table + (2 * taps) + (rows * (Plan.KH + 1)),
                    };
                    if (Plan.Gathers)
                    {
                        PrepareColumnTaps<TSimd, TVector, T>(tables, Plan.Ldc, Plan);
                    }

                    for (int item = start; item < end; item++)
                    {
                        Item<TSimd, TVector, T>(Source, PackedA, Bias, Destination, Plan, item, bp, c, ref tables);
                    }
                }
            }
            finally
            {
                ArrayPool<T>.Shared.Return(packedB);
                ArrayPool<T>.Shared.Return(columns);
                ArrayPool<nint>.Shared.Return(tableArray);
                ArrayPool<T>.Shared.Return(maskArray);
            }
        }
    }

    /// <summary>One (sample, group, output-channel block): every output element it writes is its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Item<TSimd, TVector, T>(T* source, T* packedA, T* bias, T* destination, in Plan p, int item, T* bp, T* c, ref Col2ImTables<T> tables)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cs = item % p.ColumnSplits;
        item /= p.ColumnSplits;
        int cb = item % p.ChannelBlocks;
        int g = (item / p.ChannelBlocks) % p.Groups;
        int n = item / (p.ChannelBlocks * p.Groups);
        int co0 = cb * p.ChannelsPerBlock;
        int co1 = Math.Min(p.CoutG, co0 + p.ChannelsPerBlock);
        if (co0 >= co1)
        {
            return;
        }

        int coutTotal = p.CoutG * p.Groups;
        nint outPlane = (nint)p.OH * p.OW;
        T* x = source + ((((nint)n * p.Groups) + g) * p.CinG * p.H * p.W);
        T* y = destination + ((((nint)n * coutTotal) + ((nint)g * p.CoutG) + co0) * outPlane);
        T* biasG = bias == null ? null : bias + ((nint)g * p.CoutG) + co0;
        T* ap = packedA + ((((long)g * p.ChannelBlocks) + cb) * p.PackedAPerBlock);
        Debug.Assert(Bounds.Within(x, (long)p.CinG * p.H * p.W, source, p.SourceLength), "item's input outside the source");
        Debug.Assert(Bounds.Within(y, (co1 - co0) * (long)outPlane, destination, p.DestinationLength), "item's output outside the destination");
        Debug.Assert(biasG == null || Bounds.Within(biasG, co1 - co0, bias, p.BiasLength), "item's bias outside the bias");
        Debug.Assert(Bounds.Within(ap, p.PackedAPerBlock, packedA, p.PackedALength), "item's packed A outside packed A");

        if (p.Prefill)
        {
            for (int co = 0; co < co1 - co0; co++)
            {
                new Span<T>(y + (co * outPlane), (int)outPlane).Fill(biasG == null ? T.Zero : biasG[co]);
            }
        }

        int rows = (co1 - co0) * p.RowsPerChannel;
        int nrw = 2 * TSimd.Count;
        int splitColumns = p.ColumnBlocksPerSplit * p.ColumnBlock;
        int columnsEnd = (int)Math.Min(p.N, (long)(cs + 1) * splitColumns);
        for (int n0 = cs * splitColumns; n0 < columnsEnd; n0 += p.ColumnBlock)
        {
            int cols = Math.Min(p.ColumnBlock, columnsEnd - n0);
            int panels = (cols + nrw - 1) / nrw;
            Debug.Assert((long)panels * nrw <= p.Ldc && (long)panels * p.K * nrw <= p.PackedBLength, "B panels outside packed B");
            if (p.Transposed)
            {
                PackColumns<TSimd, TVector, T>(x, p.K, p.N, n0, cols, panels, bp);
                if (p.Gathers)
                {
                    PrepareRows(ref tables, n0 / p.W, (n0 + cols) / p.W, p.Ldc, p);
                }
            }
            else
            {
                PackIm2Col(x, p, n0, cols, panels, nrw, bp);
            }

            for (int m0 = 0; m0 < rows; m0 += p.RowBlock)
            {
                int mc = Math.Min(p.RowBlock, rows - m0);
                Debug.Assert(Bounds.Within(ap + ((nint)m0 * p.K), (long)RoundToTiles<TSimd, TVector, T>(mc) * p.K, ap, p.PackedAPerBlock), "row block's panels outside the item's packed A");
                Debug.Assert((long)RoundToTiles<TSimd, TVector, T>(mc) * p.Ldc <= p.ColumnsLength && (long)TileRows<TSimd, TVector, T>() * nrw <= p.ColumnsLength, "tiles outside the column buffer");
                if (p.DirectStore)
                {
                    GemmToOutput<TSimd, TVector, T>(ap + ((nint)m0 * p.K), m0, mc, bp, panels, n0, cols, c, y, biasG, p);
                    continue;
                }

                // While the GEMM runs, bring in the output lines col2im will write (it would otherwise wait on each
                // line's fetch for ownership, with nothing else to do).
                var ahead = p.Gathers ? ColumnBlockOutput(y, m0, mc, tables, p) : default;
                Gemm<TSimd, TVector, T>(ap + ((nint)m0 * p.K), mc, bp, panels, p.K, c, p.Ldc, ref ahead);
                if (p.Gathers)
                {
                    Col2Im<TSimd, TVector, T>(c, p.Ldc, m0, mc, y, biasG, tables, p);
                }
                else if (p.Transposed)
                {
                    Col2ImScalar(c, p.Ldc, m0, mc, n0, cols, y, p);
                }
                else
                {
                    for (int r = 0; r < mc; r++)
                    {
                        Debug.Assert(Bounds.Within(y + ((m0 + r) * outPlane) + n0, cols, y, (co1 - co0) * (long)outPlane), "output run outside the item's output");
                        T b = biasG == null ? T.Zero : biasG[m0 + r];
                        AddScalar<TSimd, TVector, T>(c + (r * p.Ldc), b, y + ((m0 + r) * outPlane) + n0, cols);
                    }
                }
            }
        }
    }

    /// <summary>C[MC x NB] = A (packed panels) x B (packed panels); K blocked by <see cref="KC"/>, chains continued.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Gemm<TSimd, TVector, T>(T* ap, int rows, T* bp, int nPanels, int k, T* c, nint ldc, ref Prefetcher ahead)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nrw = 2 * TSimd.Count;
        int mr = TileRows<TSimd, TVector, T>();
        int mPanels = (rows + mr - 1) / mr;
        int linesPerTile = ahead.LinesPer(((k + KC - 1) / KC) * nPanels * mPanels);
        if (k == 0)
        {
            for (int r = 0; r < mPanels * mr; r++)
            {
                new Span<T>(c + (r * ldc), nPanels * nrw).Clear();
            }

            return;
        }

        for (int k0 = 0; k0 < k; k0 += KC)
        {
            int kc = Math.Min(KC, k - k0);
            for (int jr = 0; jr < nPanels; jr++)
            {
                T* b = bp + ((nint)jr * k * nrw) + ((nint)k0 * nrw);
                Debug.Assert(Bounds.Within(b, (long)kc * nrw, bp, (long)nPanels * k * nrw), "tile's B outside the B panels");
                for (int ir = 0; ir < mPanels; ir++)
                {
                    Debug.Assert(Bounds.Within(ap + ((nint)ir * k * mr) + ((nint)k0 * mr), (long)kc * mr, ap, (long)mPanels * mr * k), "tile's A outside the A panels");
                    Debug.Assert(
                        Bounds.Within(c + (ir * mr * ldc) + (jr * nrw), ((mr - 1) * ldc) + nrw, c, ((mPanels * mr) - 1) * ldc + (nPanels * nrw)) && nPanels * nrw <= ldc,
                        "tile's C outside the column block");
                    Tile<TSimd, TVector, T>(ap + ((nint)ir * k * mr) + ((nint)k0 * mr), b, kc, c + (ir * mr * ldc) + (jr * nrw), ldc, k0 > 0);
                    ahead.Next(linesPerTile);
                }
            }
        }
    }

    /// <summary>Issues cache-line prefetches over a set of equally spaced byte runs, a few lines at a time.</summary>
    private struct Prefetcher
    {
        public byte* Base;
        public nint Stride;
        public int Runs, Bytes;
        private int _run, _offset;

        public Prefetcher(void* start, nint stride, int runs, int bytes)
        {
            Base = (byte*)start;
            (Stride, Runs, Bytes) = (stride, runs, bytes);
            (_run, _offset) = (0, 0);
        }

        /// <summary>Lines per step to cover every run in <paramref name="steps"/> steps.</summary>
        public readonly int LinesPer(int steps) => Runs == 0 || steps == 0 ? 0 : (int)((((long)Runs * ((Bytes + 63) / 64)) + steps - 1) / steps);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Next(int lines)
        {
            for (; lines > 0 && _run < Runs; lines--)
            {
                if (Sse.IsSupported)
                {
                    Sse.Prefetch0(Base + (_run * Stride) + _offset);
                }

                _offset += 64;
                if (_offset >= Bytes)
                {
                    (_offset, _run) = (0, _run + 1);
                }
            }
        }
    }

    /// <summary>The output rows col2im writes for GEMM rows <c>[m0, m0+mc)</c> (whole channels) in this column block.</summary>
    private static Prefetcher ColumnBlockOutput<T>(T* y, int m0, int mc, in Col2ImTables<T> tables, in Plan p)
        where T : unmanaged
    {
        int kk = p.KH * p.KW;
        nint outPlane = (nint)p.OH * p.OW;
        return new Prefetcher(y + ((m0 / kk) * outPlane) + ((nint)tables.OhLo * p.OW), outPlane * sizeof(T), mc / kk, tables.Span * p.OW * sizeof(T));
    }

    /// <summary>
    /// Rows of the micro-kernel tile: 8 (16 accumulators, 2 B vectors and a broadcast in 32 registers) where the width has
    /// 32 registers, else 6 (12 + 3 of 16). The tile height changes no result: each element is one chain over k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TileRows<TSimd, TVector, T>()
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
        => TSimd.Registers >= 32 ? 8 : 6;

    /// <summary><paramref name="rows"/> rounded up to whole tiles (the rows the GEMM writes, for the range asserts).</summary>
    private static int RoundToTiles<TSimd, TVector, T>(int rows)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
        => (rows + TileRows<TSimd, TVector, T>() - 1) / TileRows<TSimd, TVector, T>() * TileRows<TSimd, TVector, T>();

    /// <summary>
    /// The micro-kernel: a <see cref="TileRows{TSimd, TVector, T}"/> x (2 vectors) tile of C in registers, one fused
    /// multiply-add chain per element over <paramref name="kc"/> steps; continues the chain from C when
    /// <paramref name="accumulate"/>. Rows 6 and 7 exist only in the 8-row instantiation (the test is a JIT-time constant).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Tile<TSimd, TVector, T>(T* a, T* b, int kc, T* c, nint ldc, bool accumulate)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        nint v = TSimd.Count;
        bool eight = TileRows<TSimd, TVector, T>() == 8;
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

        nint step = eight ? 8 : 6;
        for (int i = 0; i < kc; i++)
        {
            TVector b0 = TSimd.Load(b), b1 = TSimd.Load(b + v);
            TVector a0 = TSimd.Create(a[0]);
            c00 = TSimd.MultiplyAdd(a0, b0, c00); c01 = TSimd.MultiplyAdd(a0, b1, c01);
            TVector a1 = TSimd.Create(a[1]);
            c10 = TSimd.MultiplyAdd(a1, b0, c10); c11 = TSimd.MultiplyAdd(a1, b1, c11);
            TVector a2 = TSimd.Create(a[2]);
            c20 = TSimd.MultiplyAdd(a2, b0, c20); c21 = TSimd.MultiplyAdd(a2, b1, c21);
            TVector a3 = TSimd.Create(a[3]);
            c30 = TSimd.MultiplyAdd(a3, b0, c30); c31 = TSimd.MultiplyAdd(a3, b1, c31);
            TVector a4 = TSimd.Create(a[4]);
            c40 = TSimd.MultiplyAdd(a4, b0, c40); c41 = TSimd.MultiplyAdd(a4, b1, c41);
            TVector a5 = TSimd.Create(a[5]);
            c50 = TSimd.MultiplyAdd(a5, b0, c50); c51 = TSimd.MultiplyAdd(a5, b1, c51);
            if (eight)
            {
                TVector a6 = TSimd.Create(a[6]);
                c60 = TSimd.MultiplyAdd(a6, b0, c60); c61 = TSimd.MultiplyAdd(a6, b1, c61);
                TVector a7 = TSimd.Create(a[7]);
                c70 = TSimd.MultiplyAdd(a7, b0, c70); c71 = TSimd.MultiplyAdd(a7, b1, c71);
            }

            a += step;
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

    /// <summary>Packs columns <c>[n0, n0+cols)</c> of the row-major <c>[k, n]</c> matrix into zero-padded panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackColumns<TSimd, TVector, T>(T* x, int k, int n, int n0, int cols, int panels, T* bp)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        int nrw = 2 * v;
        for (int jr = 0; jr < panels; jr++)
        {
            int j0 = n0 + (jr * nrw);
            int live = Math.Min(nrw, n0 + cols - j0);
            T* src = x + j0;
            T* dst = bp + ((nint)jr * k * nrw);
            Debug.Assert(live > 0 && j0 >= 0 && j0 + live <= n, "panel columns outside the matrix rows");
            Debug.Assert(Bounds.Within(dst, (long)k * nrw, bp, (long)panels * k * nrw), "panel outside the B panels");
            if (live == nrw)
            {
                for (int i = 0; i < k; i++, src += n, dst += nrw)
                {
                    TSimd.Store(TSimd.Load(src), dst);
                    TSimd.Store(TSimd.Load(src + v), dst + v);
                }
            }
            else
            {
                for (int i = 0; i < k; i++, src += n, dst += nrw)
                {
                    for (int j = 0; j < nrw; j++)
                    {
                        dst[j] = j < live ? src[j] : T.Zero;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs the im2col matrix of one sample and group, <c>B[(ci, jh, jw), (oh, ow)] = x[ci, oh*s - p + jh*d, ow*s - p + jw*d]</c>
    /// (zero in the padding), columns <c>[n0, n0+cols)</c>, into zero-padded panels of <c>2*Count</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackIm2Col<T>(T* x, in Plan p, int n0, int cols, int panels, int nrw, T* bp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kk = p.KH * p.KW;
        for (int k = 0; k < p.K; k++)
        {
            int ci = k / kk, jh = (k % kk) / p.KW, jw = k % p.KW;
            T* plane = x + ((nint)ci * p.H * p.W);
            int oh = n0 / p.OW, ow = n0 - (oh * p.OW);
            int ih = (oh * p.SH) - p.PH + (jh * p.DH);
            int iwOffset = (jw * p.DW) - p.PW;
            int j = 0;
            for (int jr = 0; jr < panels; jr++)
            {
                T* dst = bp + ((nint)jr * p.K * nrw) + ((nint)k * nrw);
                Debug.Assert(Bounds.Within(dst, nrw, bp, (long)panels * p.K * nrw), "panel row outside the B panels");
                for (int t = 0; t < nrw; t++, j++)
                {
                    T value = T.Zero;
                    if (j < cols)
                    {
                        int iw = (ow * p.SW) + iwOffset;
                        if ((uint)ih < (uint)p.H && (uint)iw < (uint)p.W)
                        {
                            Debug.Assert(ci < p.CinG, "im2col reads past the group's channels");
                            value = plane[((nint)ih * p.W) + iw];
                        }

                        if (++ow == p.OW)
                        {
                            ow = 0;
                            ih += p.SH;
                        }
                    }

                    dst[t] = value;
                }
            }
        }
    }

    /// <summary><c>dst[i] = src[i] + value</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void AddScalar<TSimd, TVector, T>(T* src, T value, T* dst, int count)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector splat = TSimd.Create(value);
        int i = 0;
        for (; i <= count - TSimd.Count; i += TSimd.Count)
        {
            TSimd.Store(TSimd.Add(TSimd.Load(src + i), splat), dst + i);
        }

        for (; i < count; i++)
        {
            dst[i] = src[i] + value;
        }
    }
}
