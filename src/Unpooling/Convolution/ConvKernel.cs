using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// 2-D convolution and transposed convolution as a packed, register-blocked GEMM per work item (sample, group, and a
/// block of output channels or, for one sample with kernel = stride, of input rows). The transposed convolution
/// computes the column matrix <c>W^T X</c> (<c>[Cout/g*kH*kW, Hin*Win]</c>, never multiplying an inserted zero) and
/// gathers it into the output (col2im, <c>ConvKernel.Col2Im.cs</c>), or, when kernel = stride = 2 wide without padding,
/// stores each GEMM tile straight into the output; the convolution packs its input as im2col panels and writes
/// <c>W X</c> plus bias straight out. Shapes whose scratch for that would pass a cap run the bounded layout
/// (<see cref="Plan.Bounded"/>) instead: the same GEMM over chunks of the reduction, with scratch of a few MB.
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

    /// <summary>
    /// The most elements the standard layout's packed B or column buffer may hold (64 MB of float). Shapes past it, or
    /// whose packed A would be past <see cref="Array.MaxLength"/> or several times the weight, or whose col2im tables
    /// would be past <see cref="MaxTableEntries"/>, run the <see cref="Plan.Bounded"/> layout, whose scratch is a few MB
    /// whatever the shapes.
    /// </summary>
    private const long MaxScratchElements = 1L << 24;

    /// <summary>The most entries col2im's row and column-tap tables may hold (8 MB of <see cref="nint"/>).</summary>
    private const long MaxTableEntries = 1L << 20;

    /// <summary>The bounded layout's reduction chunk: packed A and B hold this many reduction steps at a time.</summary>
    private const int BoundedKC = 16 * KC;

    /// <summary>
    /// The most (output row, kernel row) pairs the plan scans to learn whether every output row is reached; past it the
    /// output is pre-filled with the bias (the same bits: the bias is the first term either way).
    /// </summary>
    private const long MaxRowScan = 1L << 22;

    /// <summary>Everything a work item needs, computed once per call.</summary>
    /// <remarks>
    /// Every size and offset here is computed in 64 bits from the validated shapes and geometry and narrowed only where
    /// it is proven to fit: the GEMM sizes are bounded by the weight, source and output lengths (each an array's), the
    /// scratch sizes by <see cref="MaxScratchElements"/> and <see cref="MaxTableEntries"/> (else the bounded layout), so
    /// the kernels may index rows with 32-bit or <see cref="nint"/> arithmetic. The layout is chosen from the shapes
    /// alone (never the thread count or vector width), which keeps the bits independent of both.
    /// </remarks>
    internal readonly struct Plan
    {
        public readonly bool Transposed;
        public readonly int Batch, Groups, CinG, CoutG;
        public readonly int H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW;

        /// <summary>The depth axis (input, output, kernel, stride, begin padding, dilation): all trivial in 1-D and 2-D.</summary>
        public readonly int D, OD, KD, SD, PD, DD;

        /// <summary>
        /// A real depth axis (3-D): im2col and col2im walk (depth, row, column) and the transposed convolution takes the
        /// scalar col2im over a bias-filled output (no gather tables, no direct store). False for every 2-D plan, whose
        /// layout is exactly what it was before depth existed.
        /// </summary>
        public readonly bool Volume;

        /// <summary>No input channel (<c>Cin/groups = 0</c>): every output is its channel's bias, and nothing else is planned.</summary>
        public readonly bool BiasOnly;

        /// <summary>
        /// The bounded layout: no shared packed A (each item packs <c>RowBlock x KB</c> of A and <c>KB x NB</c> of B per
        /// chunk of the reduction, chains continued across chunks), <see cref="NB"/>-column blocks that need not be whole
        /// input rows, and for the transposed convolution the bias pre-fill and the scalar col2im. Its scratch is bounded
        /// by constants, so any convolution whose output fits runs.
        /// </summary>
        public readonly bool Bounded;

        /// <summary>Reduction steps per packed chunk: <see cref="K"/> in the standard layout.</summary>
        public readonly int KB;

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
        /// GEMM rows per block: up to <c>2*MC</c> for the convolution (<see cref="M"/> rounded up to <see cref="RowUnit"/>
        /// when that is less); for the transposed convolution a multiple of both
        /// <see cref="RowUnit"/> and <c>kH*kW</c> near <see cref="MC"/>, so that every block holds whole output channels
        /// (capped at <see cref="M"/> rounded up to <see cref="RowUnit"/>: one block then holds every row an item has).
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

        /// <summary>Work items: (sample, group, channel block, column split).</summary>
        public readonly int Items;

        /// <summary>
        /// 3-D transposed, dilation 1, stride 1 or 2 wide, every kernel extent at least its stride and one past it, scratch
        /// within the caps: the stride-phase layout (<c>ConvKernel.Phases.cs</c>) may run instead of GEMM + col2vol, when every
        /// weight is finite (checked per call: it multiplies the input's zero margins).
        /// </summary>
        public readonly bool Phases;

        /// <summary>Phase layout: the padded input's margins (columns before, rows above), its row and plane sizes.</summary>
        public readonly int PadLeft, PadTop, PaddedWidth, PaddedHeight;

        /// <summary>Phase layout: elements of one item's padded input (every plane of a sample's group, plus read slack).</summary>
        public readonly long PaddedInputLength;

        /// <summary>Phase layout: the packed A of every group and phase at any tile height (<c>Cout/g + 7</c> rows each).</summary>
        public readonly long PhaseALength;

        /// <summary>Phase layout: the most taps a phase has, and the output rows' units <c>(od, qh)</c> per item part.</summary>
        public readonly int MaxPhaseTaps, PhaseParts;

        /// <summary>Phase layout: work items (sample, group, part of the <c>OD*sH</c> units).</summary>
        public readonly int PhaseItems;

        /// <summary>
        /// The convolution's direct layout (<c>ConvKernel.Direct.cs</c>): column stride 1 or 2, the standard (not bounded)
        /// layout, its padded input within the cap and output rows that waste at most a fifth of 16-lane vectors. The
        /// micro-kernel then loads B straight from a zero-margined, column-phase-split copy of the item's input instead of
        /// packing im2col panels, with the GEMM's chain order (so the same bits). Taken when every weight is finite.
        /// </summary>
        public readonly bool Direct;

        /// <summary>
        /// Direct layout: a channel's segment of a padded row (<c>sW</c> column phases of <see cref="DirectHalf"/>), and the
        /// padded rows per plane; with <see cref="DirectFlat"/>, a channel's whole padded volume, rows adjacent.
        /// </summary>
        public readonly int DirectChannelStride, DirectHalf, DirectHeight;

        /// <summary>Direct layout: elements between padded rows and between padded planes of one channel.</summary>
        public readonly int DirectRowStride, DirectPlaneStride;

        /// <summary>
        /// Direct layout with slots over the flattened padded plane (strides 1 along height and width): a slot is a vector
        /// of consecutive positions <c>oh*Wp + ow</c> of the padded row width <c>Wp</c>, so it may cross output rows (its
        /// lanes at <c>ow &gt;= OW</c> are computed and dropped). Each channel's padded planes are then contiguous, and
        /// the tiles go to the item's scratch (<see cref="DirectFlatPlane"/> per output plane), whose rows are copied
        /// (or transposed, channels-last) into the destination. Taken when it needs fewer 16-lane slots than one slot
        /// run per output row (56 columns: 3,248 positions in 203 vectors, not 224).
        /// </summary>
        public readonly bool DirectFlat;

        /// <summary>Flat direct layout: the scratch elements of one output plane of one channel (<c>OH*Wp</c> rounded up to whole slot pairs).</summary>
        public readonly int DirectFlatPlane;

        /// <summary>Direct layout: elements of one item's padded input (every plane, row and channel, plus read slack).</summary>
        public readonly long DirectInputLength;

        /// <summary>Direct layout: one item's output, channels-first (the channels-last runs' scratch; the flat layout's, with its dropped lanes).</summary>
        public long DirectItemOutputLength => DirectFlat ? (long)ChannelsPerBlock * OD * DirectFlatPlane : (long)ChannelsPerBlock * OutVolume;

        /// <summary>
        /// A channels-last forward convolution may run this plan's direct layout (<see cref="RunDirectChannelsLast{T}"/>):
        /// the plan has it and an item's channels-first output fits the scratch cap.
        /// </summary>
        public bool DirectChannelsLastFits => Direct && !Transposed && DirectItemOutputLength <= MaxScratchElements;

        /// <summary>Whether col2im is the vector gather (transposed, stride 1 or 2, standard layout, and not <see cref="DirectStore"/>).</summary>
        public bool Gathers => Transposed && !DirectStore && !Bounded && SW <= 2;

        /// <summary>A 2-D plan: the 3-D one with a trivial depth axis.</summary>
        public Plan(bool transposed, Shape4D source, int outputChannels, Size2D output, in Conv2DGeometry g, int degree)
            : this(transposed, new Shape5D(source.Batch, source.Channels, 1, source.Height, source.Width), outputChannels, new Size3D(1, output.Height, output.Width), g.As3D(), degree)
        {
        }

        public Plan(bool transposed, Shape5D source, int outputChannels, Size3D output, in Conv3DGeometry g, int degree)
        {
            Transposed = transposed;
            Batch = source.Batch;
            Groups = g.Groups;
            CinG = source.Channels / g.Groups;
            CoutG = outputChannels / g.Groups;
            (D, H, W, OD, OH, OW) = (source.Depth, source.Height, source.Width, output.Depth, output.Height, output.Width);
            (KD, KH, KW) = (g.KernelSize.Depth, g.KernelSize.Height, g.KernelSize.Width);
            (SD, SH, SW) = (g.Stride.Depth, g.Stride.Height, g.Stride.Width);
            (PD, PH, PW) = (g.PaddingBegin.Depth, g.PaddingBegin.Height, g.PaddingBegin.Width);
            (DD, DH, DW) = (g.Dilation.Depth, g.Dilation.Height, g.Dilation.Width);
            Volume = D != 1 || OD != 1 || KD != 1 || PD != 0;
            if (CinG == 0 || CoutG == 0 || Batch == 0)
            {
                // With no input channel the weight has no elements, so kH*kW is not bounded by it: plan nothing.
                BiasOnly = CinG == 0;
                (KB, RowsPerChannel, ChannelsPerBlock, ChannelBlocks, ColumnSplits, ColumnBlocksPerSplit) = (0, 1, 1, 1, 1, 1);
                Items = 0;
                return;
            }

            // Each product below is at most the weight, source or output length (each within an array), since no factor is 0.
            long kk = (long)KD * KH * KW;
            RowsPerChannel = transposed ? checked((int)kk) : 1;
            M = checked(CoutG * RowsPerChannel);
            K = checked((int)(transposed ? CinG : CinG * kk));
            N = checked((int)(transposed ? (long)D * H * W : (long)OD * OH * OW));
            long weightLength = (long)Groups * M * K;

            long columnBlock, rowBlock;
            long tables = 0;
            if (transposed)
            {
                // Whole input rows per block, about NB columns, preferring the count that wastes the smallest share of
                // its last 32-column panel (56 or 28 columns a row: 224 columns, no waste).
                int most = Math.Max(1, Math.Min(H, NB / W));
                int best = most;
                for (int r = most; r >= Math.Max(1, most / 2); r--)
                {
                    if (PanelWaste((long)r * W) * best < PanelWaste((long)best * W) * r)
                    {
                        best = r;
                    }
                }

                if (Volume)
                {
                    // 3-D: whole rows of one depth plane per block (col2vol runs the 2-D gather per kernel depth), so
                    // the row count divides H.
                    best = most;
                    while (H % best != 0)
                    {
                        best--;
                    }
                }

                columnBlock = (long)best * W;
                long unit = RowUnit * kk / (long)BigInteger.GreatestCommonDivisor(RowUnit, kk);
                rowBlock = Math.Min(unit * Math.Max(1, MC / unit), RoundUp(M, RowUnit));
                DirectStore = !Volume && KW == 2 && SW == 2 && DW == 1 && PW == 0 && OW == 2L * W
                    && KH == SH && (KH == 1 || DH == 1) && PH == 0 && OH == (long)SH * H;
                Col2ImRows = (int)Math.Min(OH, ((long)(best - 1) * SH) + ((long)(KH - 1) * DH) + 1);
                if (!DirectStore && SW <= 2)
                {
                    // Column taps at any width (Count >= 1) and their masks (taps * Count), then the row table.
                    // Each factor is below 2^31, so the products stay below 2^62; a bound past the cap is not summed.
                    long tapBound = (((long)OW / SW) + 17) * KW;
                    tables = tapBound > MaxTableEntries ? long.MaxValue : (3 * tapBound) + ((long)Col2ImRows * (KH + 2L));
                }
            }
            else
            {
                // Up to two MC blocks of rows in one: every row block sweeps the whole packed B, so M = 128 in one
                // block of 128 reads B once instead of twice (once for only 32 rows), and A's KC slice stays in L2.
                columnBlock = NB;
                rowBlock = Math.Min(2 * MC, RoundUp(M, RowUnit));
            }

            long ldc = RoundUp(columnBlock, PanelAlign);

            // The packed A of any thread count: the channel blocks cover ChannelsPerBlock * ChannelBlocks < 2 * CoutG
            // channels (ceil(CoutG / ceil(CoutG / blocks)) blocks of ceil(CoutG / blocks): 5 channels in 3 blocks pack 6),
            // so at most 2*M rows, plus one partial tile-height panel per channel block.
            long maxBlocks = Math.Max(1, Math.Min(CoutG, M / (2 * MaxMR)));
            long packedABound = Groups * (long)K * ((2 * M) + (RowUnit * maxBlocks));
            Bounded = packedABound > Math.Min(Array.MaxLength, Math.Max(MaxScratchElements, 3 * weightLength))
                || (long)K * ldc > MaxScratchElements
                || RoundUp(rowBlock, RowUnit) * ldc > MaxScratchElements
                || tables > MaxTableEntries;
            if (Bounded)
            {
                (columnBlock, rowBlock, ldc) = (NB, MC, NB);
                DirectStore = false;
                Col2ImRows = 0;
                Prefill = transposed;
            }
            else if (transposed)
            {
                Prefill = Volume || SW > 2 || !EveryOutputRowReached();
            }

            (ColumnBlock, RowBlock, Ldc) = ((int)columnBlock, (int)rowBlock, (int)ldc);
            KB = Bounded ? Math.Min(K, BoundedKC) : K;

            // Too few (sample, group) pairs for the cores: with DirectStore, split the columns (whole input rows) when
            // that divides them evenly; every output cell has one entry, so items never share one, and each packs only
            // its own columns of B. Otherwise split output channels only as far as needed to give every core work
            // (fewer, taller items pack B less often), keeping at least two micro-panels of rows per block so the zero
            // padding of the last panel stays a small share.
            long perGroupItems = (long)Batch * Groups;
            int columnBlocks = (int)((N + columnBlock - 1) / columnBlock);
            (ColumnSplits, ColumnBlocksPerSplit) = (1, columnBlocks);
            long blocks = 1;
            if (degree > 1 && perGroupItems < 2 * degree)
            {
                int splits = (int)((degree + perGroupItems - 1) / perGroupItems);
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

            blocks = Math.Clamp(blocks, 1, maxBlocks);
            ChannelsPerBlock = (int)((CoutG + blocks - 1) / blocks);
            ChannelBlocks = (CoutG + ChannelsPerBlock - 1) / ChannelsPerBlock;
            int rows = ChannelsPerBlock * RowsPerChannel;
            PackedAPerBlock = RoundUp(rows, RowUnit) * K;
            Items = checked((int)(perGroupItems * ChannelBlocks * ColumnSplits));
            Debug.Assert(Bounded || PackedALength <= packedABound, "packed A past its bound");

            if (!transposed && !Bounded && SW <= 2)
            {
                // Margins: PW columns left (padded column = ow*sW + jw*dW), as many right as the last stored output
                // reaches past the input; PH rows above, likewise below. Depth has none: taps off the input are skipped.
                long right = Math.Max(0, ((OW - 1L) * SW) + ((KW - 1L) * DW) - PW - (W - 1L));
                long bottom = Math.Max(0, ((OH - 1L) * SH) + ((KH - 1L) * DH) - PH - (H - 1L));
                long width = PW + (long)W + right, height = PH + (long)H + bottom;
                long half = SW == 2 ? (width + 1) / 2 : width;
                // A vector's lanes past the row's last output read at most a vector plus a kernel row past the segment.
                long slack = PanelAlign + ((long)KW * DW);
                long padded = CappedProduct(CappedProduct(CappedProduct(D, height), CinG), SW * half);
                long lanes = RoundUp(OW, 16);

                // Flat slots: whole vectors of the flattened plane; the last pair's lanes read up to two vectors and a
                // kernel row past the last padded plane (the slack), and the scratch holds OH*Wp rounded to slot pairs.
                // Taken when it saves a twentieth of the tiles (pairs of 16-lane slots) or more: 28 columns save one
                // pair in 28 (30 padded columns a row), which the scratch's copy out cancels (measured level); 56 save 10
                // of 112.
                long flatPlane = RoundUp(OH * width, PanelAlign);
                long flatPairs = RoundUp(OH * width, 32) / 32, rowPairs = RoundUp(OH * (lanes / 16), 2) / 2;
                bool flat = SH == 1 && SW == 1 && flatPairs * 20 <= rowPairs * 19
                    && CappedProduct(CappedProduct(ChannelsPerBlock, OD), flatPlane) <= MaxScratchElements && RoundUp(OH * width, 16) * 4 <= OH * OW * 5L;
                if (flat && padded <= MaxScratchElements - (slack + PanelAlign))
                {
                    Direct = DirectFlat = true;
                    (DirectHalf, DirectHeight, DirectRowStride) = ((int)width, (int)height, (int)width);
                    DirectPlaneStride = (int)(height * width);
                    DirectChannelStride = (int)(D * height * width);
                    DirectFlatPlane = (int)flatPlane;
                    DirectInputLength = padded + slack + PanelAlign;
                }
                else if (padded <= MaxScratchElements - slack && lanes * 4 <= OW * 5L)
                {
                    Direct = true;
                    (DirectChannelStride, DirectHalf, DirectHeight) = ((int)(SW * half), (int)half, (int)height);
                    DirectRowStride = CinG * DirectChannelStride;
                    DirectPlaneStride = (int)(height * DirectRowStride);
                    DirectInputLength = padded + slack;
                }
            }

            // A phase of one tap (kernel = stride on every axis) has the GEMM's own reduction and gains nothing, so
            // the phase layout needs a kernel past its stride on some axis.
            if (transposed && Volume && DD == 1 && DH == 1 && DW == 1 && SW <= 2 && KD >= SD && KH >= SH && KW >= SW && kk > (long)SD * SH * SW)
            {
                // Margins: the columns (rows) a phase's taps read left of (above) the input and right of (below) it.
                long left = 0, right = 0, top = 0, bottom = 0, ahead = 0;
                int taps = 0;
                for (int qw = 0; qw < SW; qw++)
                {
                    PhaseAxis w = new(qw, KW, SW, PW, OW);
                    left = Math.Max(left, w.Taps - 1 - w.Base);
                    right = Math.Max(right, w.Count - 1 + w.Base - (W - 1));
                    ahead = Math.Max(ahead, w.Base);
                    for (int qh = 0; qh < SH; qh++)
                    {
                        PhaseAxis h = new(qh, KH, SH, PH, OH);
                        top = Math.Max(top, h.Taps - 1 - h.Base);
                        bottom = Math.Max(bottom, h.Count - 1 + h.Base - (H - 1));
                        for (int qd = 0; qd < SD; qd++)
                        {
                            taps = Math.Max(taps, new PhaseAxis(qd, KD, SD, PD, OD).Taps * h.Taps * w.Taps);
                        }
                    }
                }

                // Every factor is below 2^31 and the margins below the kernel plus the output size, so nothing wraps; a
                // padded input past the cap takes the GEMM layout.
                long width = left + W + right, height = top + H + bottom;
                long padded = (long)D * height * CinG * width;
                // A row's vector loads end before left + Count + 2*Count(vector) + the largest column offset; past the last
                // row that is the slack. Packed A: each phase's rows are the channels rounded up to a tile.
                long slack = Math.Max(0, left + new PhaseAxis(0, KW, SW, PW, OW).Count + PanelAlign + ahead - width);
                long phaseA = Groups * (CoutG + MaxMR - 1L) * CinG * kk;
                if (padded + slack <= MaxScratchElements && phaseA <= Math.Min(Array.MaxLength, Math.Max(MaxScratchElements, 8 * weightLength)))
                {
                    Phases = true;
                    PhaseALength = phaseA;
                    (PadLeft, PadTop, PaddedWidth, PaddedHeight) = ((int)left, (int)top, (int)width, (int)height);
                    PaddedInputLength = padded + slack;
                    MaxPhaseTaps = taps;
                    long units = (long)OD * SH;
                    PhaseParts = degree > 1 && perGroupItems < 2 * degree ? (int)Math.Min(units, (2 * degree + perGroupItems - 1) / perGroupItems) : 1;
                    PhaseItems = checked((int)(perGroupItems * PhaseParts));
                }
            }
        }

        /// <summary>Whether every output row receives at least one input row (then col2im needs no bias pre-fill).</summary>
        private readonly bool EveryOutputRowReached()
        {
            // A scan too long to be worth it answers no: the pre-fill gives the same bits.
            if ((long)OH * KH > MaxRowScan)
            {
                return false;
            }

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
        [MethodImpl(KernelImpl.Entry)]
        public readonly int FirstInputRow(int oh)
        {
            // ih = (oh + p - jh*d) / s grows as jh falls, so the last kernel row that fits gives the smallest ih; once
            // the numerator reaches H*s, no smaller jh fits either.
            long limit = (long)H * SH;
            for (int jh = (int)Math.Min(KH - 1, ((long)oh + PH) / DH); jh >= 0; jh--)
            {
                long t = (long)oh + PH - ((long)jh * DH);
                if (t >= limit)
                {
                    break;
                }

                if (t >= 0 && t % SH == 0)
                {
                    return (int)(t / SH);
                }
            }

            return H;
        }

        /// <summary><c>a*b</c> for positive factors, or <see cref="long.MaxValue"/> once it passes <see cref="MaxScratchElements"/>.</summary>
        private static long CappedProduct(long a, long b) => a > MaxScratchElements || b > MaxScratchElements || a * b > MaxScratchElements ? long.MaxValue : a * b;

        private static long PanelWaste(long columns) => RoundUp(columns, PanelAlign) - columns;

        private static long RoundUp(long value, long unit) => (value + unit - 1) / unit * unit;

        // The lengths of the buffers a run is given or rents, for the range asserts.
        public long SourceLength => (long)Batch * Groups * CinG * InVolume;

        /// <summary>Cells per input channel, <c>D*H*W</c> (proven by the plan to fit a span).</summary>
        public nint InVolume => (nint)D * H * W;

        /// <summary>Cells per output channel, <c>OD*OH*OW</c> (proven by the plan to fit a span).</summary>
        public nint OutVolume => (nint)OD * OH * OW;

        public long WeightLength => (long)Groups * M * K;

        public long BiasLength => (long)Groups * CoutG;

        public long DestinationLength => (long)Batch * Groups * CoutG * OutVolume;

        public long PackedALength => Bounded ? 0 : PackedAPerBlock * Groups * ChannelBlocks;

        public long PackedBLength => (long)KB * Ldc;

        public long ColumnsLength => (long)RowBlock * Ldc;

        /// <summary>Packed-A elements of one bounded chunk (whole tile-height panels over <see cref="KB"/>).</summary>
        public long ChunkALength => Bounded ? (long)RowBlock * KB : 0;
    }

    /// <summary>
    /// Runs the operation at the widest hardware vector (any row count: the GEMM pads its panels), else scalar. The
    /// <c>workspace</c> is a layer's (packed weights kept between calls, scratch kept instead of
    /// <see cref="System.Buffers.ArrayPool{T}"/>), or <see langword="null"/> for the functions.
    /// </summary>
    public static void Run<T>(T* source, T* weight, T* bias, T* destination, in Plan plan, int degree, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var body = new WidthBody<T>(source, weight, bias, destination, plan, degree, workspace, false);
        SimdDispatch.Run<T, WidthBody<T>>(ref body, int.MaxValue);
    }

    /// <summary>
    /// Runs a forward convolution whose source and destination are channels-last (<c>[N, D, H, W, C]</c>) in the direct
    /// layout of its channels-first <paramref name="plan"/>: the channels-first bits, as the channels-last kernel gives
    /// them. Only for plans with <see cref="Plan.DirectChannelsLastFits"/> and finite weights (the caller checks both).
    /// </summary>
    public static void RunDirectChannelsLast<T>(T* source, T* weight, T* bias, T* destination, in Plan plan, int degree, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var body = new WidthBody<T>(source, weight, bias, destination, plan, degree, workspace, true);
        SimdDispatch.Run<T, WidthBody<T>>(ref body, int.MaxValue);
    }

    /// <summary>The arguments of <see cref="Run{T}(T*, T*, T*, T*, in Plan, int, ConvWorkspace?)"/>, run at the width the dispatch picks.</summary>
    private readonly ref struct WidthBody<T>(T* source, T* weight, T* bias, T* destination, in Plan plan, int degree, ConvWorkspace? workspace, bool channelsLast) : IWidthBody<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly ref readonly Plan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => ConvKernel.Run<TSimd, TVector, T>(source, weight, bias, destination, _plan, degree, workspace, channelsLast);

        public void RunScalar() => ConvKernel.Run<SimdScalar<T>, T, T>(source, weight, bias, destination, _plan, degree, workspace, channelsLast);
    }

    /// <summary>
    /// Runs one width (any width works on any CPU and gives the same bits on one instruction set). With
    /// <paramref name="channelsLast"/>, see <see cref="RunDirectChannelsLast{T}"/>.
    /// </summary>
    public static void Run<TSimd, TVector, T>(T* source, T* weight, T* bias, T* destination, in Plan plan, int degree, ConvWorkspace? workspace = null, bool channelsLast = false)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert(!channelsLast || (plan.DirectChannelsLastFits && !plan.BiasOnly && TensorPrimitives.IsFiniteAll(new ReadOnlySpan<T>(weight, (int)plan.WeightLength))), "channels-last outside the direct layout");
        if (plan.BiasOnly)
        {
            FillBias(bias, destination, plan);
            return;
        }

        if (plan.Items == 0)
        {
            return;
        }

        var weights = new ReadOnlySpan<T>(weight, (int)plan.WeightLength);

        // The phase layout multiplies the padded input's zero margins by the weights: exact for finite weights only (a
        // workspace's current phase packing was made from these very weights, so they are finite).
        if (plan.Phases)
        {
            bool current = false;
            T[]? cached = workspace is null ? null : workspace.Packed(ConvWorkspace.PackingKind.Phases, plan.Transposed, plan, TileRows<TSimd, TVector, T>(), weights, plan.PhaseALength, out current);
            if (current || TensorPrimitives.IsFiniteAll(weights))
            {
                RunPhases<TSimd, TVector, T>(source, weight, bias, destination, plan, degree, workspace, cached, current);
                return;
            }
        }

        // The bounded layout packs A per item and chunk; the standard one once here (or once per change of the weights
        // with a workspace), proven to fit an array by the plan.
        bool packed = false;
        T[]? kept = plan.Bounded || workspace is null ? null : workspace.Packed(ConvWorkspace.PackingKind.Panels, plan.Transposed, plan, TileRows<TSimd, TVector, T>(), weights, plan.PackedALength, out packed);
        T[] packedA = kept ?? ArrayPool<T>.Shared.Rent((int)Math.Max(1, plan.PackedALength));
        try
        {
            fixed (T* ap = packedA)
            {
                if (!plan.Bounded && !packed)
                {
                    PackWeights(weight, ap, TileRows<TSimd, TVector, T>(), plan);
                    if (kept is not null)
                    {
                        workspace!.MarkPacked(ConvWorkspace.PackingKind.Panels, plan.Transposed);
                    }
                }

                var body = new ItemsBody<TSimd, TVector, T>
                {
                    Source = source,
                    Weight = weight,
                    PackedA = ap,
                    Bias = bias,
                    Destination = destination,
                    Plan = plan,
                    Workspace = workspace,

                    // The direct layout multiplies the padded input's zero margins by the weights: exact for finite weights only.
                    Direct = channelsLast || (plan.Direct && DirectForTests && TensorPrimitives.IsFiniteAll(weights)),
                    ChannelsLast = channelsLast,
                };
                ParallelRunner.Run(ref body, plan.Items, degree);
            }
        }
        finally
        {
            if (kept is null)
            {
                ArrayPool<T>.Shared.Return(packedA);
            }
        }
    }

    /// <summary><see cref="Plan.BiasOnly"/>: each output plane is its channel's bias (zero without one).</summary>
    private static void FillBias<T>(T* bias, T* destination, in Plan p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = p.Groups * p.CoutG;
        nint outPlane = p.OutVolume;
        for (long plane = 0; plane < (long)p.Batch * channels; plane++)
        {
            new Span<T>(destination + ((nint)plane * outPlane), (int)outPlane).Fill(bias == null ? T.Zero : bias[plane % channels]);
        }
    }

    /// <summary>
    /// Packs each (group, channel block)'s A rows into panels of <paramref name="mr"/> rows, <c>K</c>-major, zero-padded.
    /// Transposed: <c>A[m, k] = w[g*Cin/g + k, m]</c> (weight <c>[Cin, Cout/g*kH*kW]</c>); forward:
    /// <c>A[m, k] = w[g*Cout/g + m, k]</c> (weight <c>[Cout, Cin/g*kH*kW]</c>).
    /// </summary>
    private static void PackWeights<T>(T* weight, T* packed, int mr, in Plan p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (nint strideM, nint strideK) = WeightStrides(p);
        for (int g = 0; g < p.Groups; g++)
        {
            T* a = weight + ((nint)g * p.M * p.K);
            for (int cb = 0; cb < p.ChannelBlocks; cb++)
            {
                int m0 = cb * p.ChannelsPerBlock * p.RowsPerChannel;
                int rows = Math.Min(p.M - m0, p.ChannelsPerBlock * p.RowsPerChannel);
                T* dst = packed + ((((long)g * p.ChannelBlocks) + cb) * p.PackedAPerBlock);
                Debug.Assert(Bounds.Within(a, (long)p.M * p.K, weight, p.WeightLength), "group's weights outside the weight");
                Debug.Assert(Bounds.Within(dst, (long)(rows + mr - 1) / mr * mr * p.K, packed, p.PackedALength), "packed block outside packed A");
                PackWeightPanels(a, strideM, strideK, m0, rows, 0, p.K, mr, dst);
            }
        }
    }

    /// <summary>The strides of A's rows and reduction steps in a group's weights (see <see cref="PackWeights"/>).</summary>
    private static (nint StrideM, nint StrideK) WeightStrides(in Plan p) => p.Transposed ? (1, p.M) : (p.K, 1);

    /// <summary>
    /// Packs rows <c>[m0, m0+rows)</c>, reduction steps <c>[k0, k0+kc)</c> of a group's A into panels of
    /// <paramref name="mr"/> rows, <paramref name="kc"/>-major (panel <c>i</c> at <c>i*mr*kc</c>), zero-padded.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void PackWeightPanels<T>(T* a, nint strideM, nint strideK, int m0, int rows, int k0, int kc, int mr, T* dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r0 = 0; r0 < rows; r0 += mr)
        {
            int live = Math.Min(mr, rows - r0);
            if (live == mr && strideM == 1)
            {
                // Transposed: a panel's rows are adjacent in the weight, one fixed-size copy per k.
                T* src = a + m0 + r0 + (k0 * strideK);
                for (int k = 0; k < kc; k++, src += strideK, dst += mr)
                {
                    Unsafe.CopyBlockUnaligned(dst, src, (uint)(mr * sizeof(T)));
                }

                continue;
            }

            for (int k = 0; k < kc; k++)
            {
                T* src = a + ((m0 + r0) * strideM) + ((k0 + k) * strideK);
                for (int r = 0; r < mr; r++)
                {
                    *dst++ = r < live ? src[r * strideM] : T.Zero;
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
        public T* Weight;
        public T* PackedA;
        public T* Bias;
        public T* Destination;
        public Plan Plan;
        public ConvWorkspace? Workspace;

        /// <summary>Run the <see cref="Plan.Direct"/> layout (the plan has it and every weight is finite).</summary>
        public bool Direct;

        /// <summary>The source and destination are channels-last (the direct layout only: <see cref="RunDirectChannelsLast{T}"/>).</summary>
        public bool ChannelsLast;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            if (Direct)
            {
                DirectItems<TSimd, TVector, T>(Source, PackedA, Bias, Destination, Plan, start, end, Workspace, ChannelsLast);
                return;
            }

            // Each length is proven by the plan to fit an array (a few MB in the bounded layout).
            T[] packedB = ConvScratch.Rent<T>(Workspace, (int)Math.Max(1, Plan.PackedBLength));
            T[] columns = ConvScratch.Rent<T>(Workspace, (int)Math.Max(1, Plan.ColumnsLength));
            T[] chunkA = ConvScratch.Rent<T>(Workspace, (int)Math.Max(1, Plan.ChunkALength));

            // col2im's tables: column taps (per chunk and kernel column) then the row table (per output row).
            int taps = Plan.Gathers ? Col2ImChunks<TSimd, TVector, T>(Plan) * Plan.KW : 0;
            int rows = Plan.Gathers ? Plan.Col2ImRows : 0;
            nint[] tableArray = ConvScratch.Rent<nint>(Workspace, Math.Max(1, (2 * taps) + (rows * (Plan.KH + 2))));
            T[] maskArray = ConvScratch.Rent<T>(Workspace, Math.Max(1, taps * TSimd.Count));
            try
            {
                fixed (T* bp = packedB)
                fixed (T* c = columns)
                fixed (T* ac = chunkA)
                fixed (nint* table = tableArray)
                fixed (T* masks = maskArray)
                {
                    if (Plan.Bounded)
                    {
                        for (int item = start; item < end; item++)
                        {
                            BoundedItem<TSimd, TVector, T>(Source, Weight, Bias, Destination, Plan, item, ac, bp, c);
                        }

                        return;
                    }

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
                ConvScratch.Return(Workspace, packedB);
                ConvScratch.Return(Workspace, columns);
                ConvScratch.Return(Workspace, chunkA);
                ConvScratch.Return(Workspace, tableArray);
                ConvScratch.Return(Workspace, maskArray);
            }
        }
    }

    /// <summary>The item's coordinates: sample, group, column split and its output channels <c>[co0, co1)</c>.</summary>
    private static (int N, int G, int Split, int Co0, int Co1) Decode(in Plan p, int item)
    {
        int cs = item % p.ColumnSplits;
        item /= p.ColumnSplits;
        int cb = item % p.ChannelBlocks;
        int g = (item / p.ChannelBlocks) % p.Groups;
        int n = item / (p.ChannelBlocks * p.Groups);
        int co0 = cb * p.ChannelsPerBlock;
        return (n, g, cs, co0, Math.Min(p.CoutG, co0 + p.ChannelsPerBlock));
    }

    /// <summary>One (sample, group, output-channel block): every output element it writes is its own.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Item<TSimd, TVector, T>(T* source, T* packedA, T* bias, T* destination, in Plan p, int item, T* bp, T* c, ref Col2ImTables<T> tables)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int n, int g, int cs, int co0, int co1) = Decode(p, item);
        if (co0 >= co1)
        {
            return;
        }

        int cb = co0 / p.ChannelsPerBlock;
        nint outPlane = p.OutVolume;
        T* x = ItemSource(source, p, n, g);
        T* y = ItemDestination(destination, p, n, g, co0);
        T* biasG = bias == null ? null : bias + ((nint)g * p.CoutG) + co0;
        T* ap = packedA + ((((long)g * p.ChannelBlocks) + cb) * p.PackedAPerBlock);
        Debug.Assert(Bounds.Within(x, (long)p.CinG * p.InVolume, source, p.SourceLength), "item's input outside the source");
        Debug.Assert(Bounds.Within(y, (co1 - co0) * (long)outPlane, destination, p.DestinationLength), "item's output outside the destination");
        Debug.Assert(biasG == null || Bounds.Within(biasG, co1 - co0, bias, p.BiasLength), "item's bias outside the bias");
        Debug.Assert(Bounds.Within(ap, p.PackedAPerBlock, packedA, p.PackedALength), "item's packed A outside packed A");

        if (p.Prefill)
        {
            FillItem(y, biasG, co1 - co0, outPlane);
        }

        int rows = (co1 - co0) * p.RowsPerChannel;
        int nrw = 2 * TSimd.Count;
        long splitColumns = (long)p.ColumnBlocksPerSplit * p.ColumnBlock;
        long columnsEnd = Math.Min(p.N, (cs + 1) * splitColumns);
        for (long column = cs * splitColumns; column < columnsEnd; column += p.ColumnBlock)
        {
            int n0 = (int)column;
            int cols = (int)Math.Min(p.ColumnBlock, columnsEnd - column);
            int panels = (cols + nrw - 1) / nrw;
            Debug.Assert((long)panels * nrw <= p.Ldc && (long)panels * p.K * nrw <= p.PackedBLength, "B panels outside packed B");
            if (!p.Transposed && rows <= p.RowBlock && PacksRuns(p))
            {
                ForwardBlock<TSimd, TVector, T>(x, ap, rows, p, n0, cols, panels, bp, c, y, biasG, (co1 - co0) * (long)outPlane);
                continue;
            }

            if (p.Transposed)
            {
                PackColumns<TSimd, TVector, T>(x, p.K, p.N, n0, cols, panels, bp);
                if (p.Gathers)
                {
                    // A 3-D block is whole rows of one input depth plane (the plan's row count divides H).
                    int rowsBefore = (int)(n0 % ((nint)p.H * p.W)) / p.W;
                    PrepareRows(ref tables, rowsBefore, rowsBefore + (cols / p.W), p.Ldc, p);
                }
            }
            else if (PacksRuns(p))
            {
                PackIm2ColRuns<TSimd, TVector, T>(x, p, n0, cols, panels, bp, 0, p.K);
            }
            else
            {
                PackIm2Col(x, p, n0, cols, panels, nrw, bp, 0, p.K);
            }

            for (long row = 0; row < rows; row += p.RowBlock)
            {
                int m0 = (int)row;
                int mc = (int)Math.Min(p.RowBlock, rows - row);
                Debug.Assert(Bounds.Within(ap + ((nint)m0 * p.K), (long)RoundToTiles<TSimd, TVector, T>(mc) * p.K, ap, p.PackedAPerBlock), "row block's panels outside the item's packed A");
                Debug.Assert((long)RoundToTiles<TSimd, TVector, T>(mc) * p.Ldc <= p.ColumnsLength && (long)TileRows<TSimd, TVector, T>() * nrw <= p.ColumnsLength, "tiles outside the column buffer");
                if (p.DirectStore)
                {
                    GemmToOutput<TSimd, TVector, T>(ap + ((nint)m0 * p.K), m0, mc, bp, panels, n0, cols, c, y, biasG, p);
                    continue;
                }

                // While the GEMM runs, bring in the output lines col2im will write (it would otherwise wait on each
                // line's fetch for ownership, with nothing else to do).
                var ahead = p.Gathers && !p.Volume ? ColumnBlockOutput(y, m0, mc, tables, p) : default;
                Gemm<TSimd, TVector, T>(ap + ((nint)m0 * p.K), mc, bp, panels, p.K, c, p.Ldc, false, ref ahead);
                if (p.Gathers)
                {
                    if (p.Volume)
                    {
                        Col2Vol<TSimd, TVector, T>(c, m0, mc, n0, y, tables, p);
                    }
                    else
                    {
                        int kk = p.KH * p.KW;
                        Col2Im<TSimd, TVector, T>(c, m0 / kk, mc / kk, kk * p.Ldc, outPlane, y, biasG, tables, p);
                    }
                }
                else
                {
                    Epilogue<TSimd, TVector, T>(c, m0, mc, n0, cols, y, biasG, p, (co1 - co0) * (long)outPlane);
                }
            }
        }
    }

    /// <summary>
    /// One item of the <see cref="Plan.Bounded"/> layout: per column block of <see cref="NB"/> and row block of
    /// <see cref="MC"/>, the reduction runs in chunks of <see cref="Plan.KB"/> steps, each packing its own A and B panels
    /// and continuing every element's multiply-add chain where the last chunk left it (the same chain, so the same bits,
    /// as one pass over the whole reduction).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void BoundedItem<TSimd, TVector, T>(T* source, T* weight, T* bias, T* destination, in Plan p, int item, T* ac, T* bp, T* c)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int n, int g, _, int co0, int co1) = Decode(p, item);
        if (co0 >= co1)
        {
            return;
        }

        nint outPlane = p.OutVolume;
        T* x = ItemSource(source, p, n, g);
        T* y = ItemDestination(destination, p, n, g, co0);
        T* biasG = bias == null ? null : bias + ((nint)g * p.CoutG) + co0;
        T* a = weight + ((nint)g * p.M * p.K);
        (nint strideM, nint strideK) = WeightStrides(p);
        Debug.Assert(Bounds.Within(y, (co1 - co0) * (long)outPlane, destination, p.DestinationLength), "item's output outside the destination");
        if (p.Prefill)
        {
            FillItem(y, biasG, co1 - co0, outPlane);
        }

        int mr = TileRows<TSimd, TVector, T>();
        int rowBase = co0 * p.RowsPerChannel;
        int rows = (co1 - co0) * p.RowsPerChannel;
        int nrw = 2 * TSimd.Count;
        bool whole = p.KB == p.K;
        for (long column = 0; column < p.N; column += p.ColumnBlock)
        {
            int n0 = (int)column;
            int cols = (int)Math.Min(p.ColumnBlock, p.N - column);
            int panels = (cols + nrw - 1) / nrw;
            Debug.Assert((long)panels * nrw <= p.Ldc, "B panels wider than the column buffer");
            if (whole)
            {
                PackB<TSimd, TVector, T>(x, p, n0, cols, panels, nrw, bp, 0, p.K);
            }

            for (long row = 0; row < rows; row += p.RowBlock)
            {
                int m0 = (int)row;
                int mc = (int)Math.Min(p.RowBlock, rows - row);
                Debug.Assert((long)RoundToTiles<TSimd, TVector, T>(mc) * p.KB <= p.ChunkALength && (long)RoundToTiles<TSimd, TVector, T>(mc) * p.Ldc <= p.ColumnsLength, "row block past the chunk buffers");
                for (long step = 0; step < p.K; step += p.KB)
                {
                    int k0 = (int)step;
                    int kc = (int)Math.Min(p.KB, p.K - step);
                    if (!whole)
                    {
                        PackB<TSimd, TVector, T>(x, p, n0, cols, panels, nrw, bp, k0, kc);
                    }

                    PackWeightPanels(a, strideM, strideK, rowBase + m0, mc, k0, kc, mr, ac);
                    Prefetcher none = default;
                    Gemm<TSimd, TVector, T>(ac, mc, bp, panels, kc, c, p.Ldc, k0 > 0, ref none);
                }

                Epilogue<TSimd, TVector, T>(c, m0, mc, n0, cols, y, biasG, p, (co1 - co0) * (long)outPlane);
            }
        }
    }

    /// <summary>Packs reduction steps <c>[k0, k0+kc)</c> of B's columns <c>[n0, n0+cols)</c> (the input, or its im2col).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackB<TSimd, TVector, T>(T* x, in Plan p, int n0, int cols, int panels, int nrw, T* bp, int k0, int kc)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Debug.Assert((long)panels * kc * nrw <= p.PackedBLength, "B panels outside packed B");
        if (p.Transposed)
        {
            PackColumns<TSimd, TVector, T>(x + ((nint)k0 * p.N), kc, p.N, n0, cols, panels, bp);
        }
        else if (PacksRuns(p))
        {
            PackIm2ColRuns<TSimd, TVector, T>(x, p, n0, cols, panels, bp, k0, kc);
        }
        else
        {
            PackIm2Col(x, p, n0, cols, panels, nrw, bp, k0, kc);
        }
    }

    /// <summary>
    /// Writes the GEMM rows <c>[m0, m0+mc)</c> of a column block out: the convolution adds the bias to C into the
    /// output run; the transposed convolution (outside the gather) scatters C into the bias-filled output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Epilogue<TSimd, TVector, T>(T* c, int m0, int mc, int n0, int cols, T* y, T* biasG, in Plan p, long itemOutput)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (p.Transposed)
        {
            Col2ImScalar(c, p.Ldc, m0, mc, n0, cols, y, p);
            return;
        }

        nint outPlane = p.OutVolume;
        for (int r = 0; r < mc; r++)
        {
            Debug.Assert(Bounds.Within(y + ((m0 + r) * outPlane) + n0, cols, y, itemOutput), "output run outside the item's output");
            T b = biasG == null ? T.Zero : biasG[m0 + r];
            AddScalar<TSimd, TVector, T>(c + ((nint)r * p.Ldc), b, y + ((m0 + r) * outPlane) + n0, cols);
        }
    }

    /// <summary>The first input element of sample <paramref name="n"/>, group <paramref name="g"/>.</summary>
    private static T* ItemSource<T>(T* source, in Plan p, int n, int g)
        where T : unmanaged
        => source + ((((nint)n * p.Groups) + g) * p.CinG * p.InVolume);

    /// <summary>The first output element of sample <paramref name="n"/>, group <paramref name="g"/>, channel <paramref name="co0"/>.</summary>
    private static T* ItemDestination<T>(T* destination, in Plan p, int n, int g, int co0)
        where T : unmanaged
        => destination + ((((nint)n * p.CoutG * p.Groups) + ((nint)g * p.CoutG) + co0) * p.OutVolume);

    /// <summary>Fills an item's output planes with their bias (zero without one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillItem<T>(T* y, T* biasG, int channels, nint outPlane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int co = 0; co < channels; co++)
        {
            new Span<T>(y + (co * outPlane), (int)outPlane).Fill(biasG == null ? T.Zero : biasG[co]);
        }
    }

    /// <summary>
    /// C[MC x NB] = A (packed panels) x B (packed panels); K blocked by <see cref="KC"/>, chains continued (from C's
    /// values when <paramref name="continueChains"/>: a later chunk of the bounded layout's reduction).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Gemm<TSimd, TVector, T>(T* ap, int rows, T* bp, int nPanels, int k, T* c, nint ldc, bool continueChains, ref Prefetcher ahead)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nrw = 2 * TSimd.Count;
        int mr = TileRows<TSimd, TVector, T>();
        int mPanels = (rows + mr - 1) / mr;
        int linesPerTile = ahead.LinesPer(((k + KC - 1) / KC) * nPanels * mPanels);
        if (k == 0 && !continueChains)
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
                    Tile<TSimd, TVector, T>(ap + ((nint)ir * k * mr) + ((nint)k0 * mr), b, kc, c + (ir * mr * ldc) + (jr * nrw), ldc, k0 > 0 || continueChains);
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
        // A run past 1 GB is cut short: prefetching is only a hint, and the count of lines must stay an int.
        int bytes = (int)Math.Min(1 << 30, (long)tables.Span * p.OW * sizeof(T));
        return new Prefetcher(y + ((m0 / kk) * outPlane) + ((nint)tables.OhLo * p.OW), outPlane * sizeof(T), mc / kk, bytes);
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
    /// Packs the im2col (in 3-D vol2col) matrix of one sample and group,
    /// <c>B[(ci, jd, jh, jw), (od, oh, ow)] = x[ci, od*sD - pD + jd*dD, oh*sH - pH + jh*dH, ow*sW - pW + jw*dW]</c>
    /// (zero in the padding; depth is the trivial axis in 1-D and 2-D), reduction steps <c>[k0, k0+kc)</c> and columns
    /// <c>[n0, n0+cols)</c>, into zero-padded panels of <c>2*Count</c> (panel <c>jr</c> at <c>jr*kc*2*Count</c>).
    /// </summary>
    /// <remarks>The input coordinates are 64-bit: <c>oh*s - p + jh*d</c> reaches past <see cref="int.MaxValue"/> (or below
    /// <see cref="int.MinValue"/>) with strides, paddings and dilations the geometry accepts, and a wrapped value could
    /// land inside the input. On 64-bit processes this costs nothing over 32-bit arithmetic.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PackIm2Col<T>(T* x, in Plan p, int n0, int cols, int panels, int nrw, T* bp, int k0, int kc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kk = p.KH * p.KW;
        int kkk = p.KD * kk;
        long sh = p.SH, sw = p.SW;
        nint outPlane = (nint)p.OH * p.OW;
        int od0 = (int)(n0 / outPlane);
        int rest = (int)(n0 - (od0 * outPlane));
        int oh0 = rest / p.OW, ow0 = rest - (oh0 * p.OW);
        for (int kr = 0; kr < kc; kr++)
        {
            int k = k0 + kr;
            int ci = k / kkk, jd = (k % kkk) / kk, jh = (k % kk) / p.KW, jw = k % p.KW;
            T* volume = x + ((nint)ci * p.InVolume);
            int ow = ow0, oh = oh0;
            long ihOffset = ((long)jh * p.DH) - p.PH;
            long id = ((long)od0 * p.SD) - p.PD + ((long)jd * p.DD);
            long ih = (oh0 * sh) + ihOffset;
            long iwOffset = ((long)jw * p.DW) - p.PW;
            int j = 0;
            for (int jr = 0; jr < panels; jr++)
            {
                T* dst = bp + ((nint)jr * kc * nrw) + ((nint)kr * nrw);
                Debug.Assert(Bounds.Within(dst, nrw, bp, (long)panels * kc * nrw), "panel row outside the B panels");
                for (int t = 0; t < nrw; t++, j++)
                {
                    T value = T.Zero;
                    if (j < cols)
                    {
                        long iw = (ow * sw) + iwOffset;
                        if ((ulong)ih < (ulong)p.H && (ulong)iw < (ulong)p.W && (ulong)id < (ulong)p.D)
                        {
                            Debug.Assert(ci < p.CinG, "im2col reads past the group's channels");
                            value = volume[((((nint)id * p.H) + (nint)ih) * p.W) + (nint)iw];
                        }

                        if (++ow == p.OW)
                        {
                            ow = 0;
                            ih += sh;
                            if (++oh == p.OH)
                            {
                                oh = 0;
                                ih = ihOffset;
                                id += p.SD;
                            }
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
