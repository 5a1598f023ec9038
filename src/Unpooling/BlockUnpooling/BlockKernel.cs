using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// Where each input cell owns one <c>KH x KW</c> block of the output: fixed, random and repeat unpooling, zero
/// insertion and the dense argmax unpooling. One writer, driven by a tap-code operator (<see cref="ITapCode{TSelf}"/>)
/// that says which tap of its block each cell's value goes to (or all of them): output cell
/// <c>(ih*KH + a, iw*KW + b)</c> gets <c>x[ih, iw]</c> when the cell's code is <c>a*KW + b</c>, zero otherwise, and
/// zero past the input. Every output element is written exactly once (no clearing pass).
/// </summary>
/// <remarks>
/// The work item is one block row (plane, input row <c>ih</c>: output rows <c>[ih*KH, ih*KH + KH)</c> cut by the
/// output), so per-cell codes are made once and serve every output row of the block. Values move as their storage
/// bits (<see cref="IBlockLanes{TSelf, TVector, TE}"/>): every element type of 1, 2, 4 or 8 bytes whose zero is
/// all-zero bits runs vectorized; any other runs the same writer one cell at a time. Widths 1, 2 and 4 are built with
/// interleaving stores (a zip tree); other widths take the per-cell loop.
/// </remarks>
internal static unsafe partial class BlockKernel
{
    /// <summary>Input cells whose codes one stack chunk holds (a multiple of every lane count).</summary>
    internal const int ChunkCells = 256;

    /// <summary>The geometry of one run.</summary>
    internal readonly struct Plan
    {
        public readonly int H, W, OutH, OutW, KH, KW;

        /// <summary>The one live tap <c>a*KW + b</c> of <see cref="FixedCode"/> (ignored by the other codes).</summary>
        public readonly long FixedTap;

        /// <summary>Input columns whose whole block row segment (<c>KW</c> columns) lies inside the output row.</summary>
        /// <remarks>A field, not a property: the writer reads it once per block row, and a property's integer division
        /// (20-odd cycles) there was a measurable part of a small, cache-resident run.</remarks>
        public readonly int FullCells;

        /// <summary>Block rows per plane, <c>ceil(OutH / KH)</c>: the last may be cut by the output, or lie below the input.</summary>
        public readonly int BlockRows;

        /// <summary>The depth axis (1, 1, 1 in 2-D): input slices, output slices and the block depth.</summary>
        public readonly int D, OutD, KD;

        /// <summary><c>KD * KH</c>: the random offsets draw the (depth, row) pair of the tap as one number below it.</summary>
        public readonly int KDH;

        public Plan(Size2D input, Size2D output, Size2D factor, Size2D offset = default)
            : this(new Size3D(1, input.Height, input.Width), new Size3D(1, output.Height, output.Width), new Size3D(1, factor.Height, factor.Width), new Size3D(0, offset.Height, offset.Width))
        {
        }

        /// <summary>A 3-D plan: each input cell owns a <c>KD x KH x KW</c> block; its tap is <c>(c*KH + a)*KW + b</c>.</summary>
        /// <remarks>The callers validate <c>KD * KH &lt;= int.MaxValue</c> for the random offsets (the only user of <see cref="KDH"/>).</remarks>
        public Plan(Size3D input, Size3D output, Size3D factor, Size3D offset = default)
        {
            (D, H, W) = (input.Depth, input.Height, input.Width);
            (OutD, OutH, OutW) = (output.Depth, output.Height, output.Width);
            (KD, KH, KW) = (factor.Depth, factor.Height, factor.Width);
            KDH = (int)Math.Min(int.MaxValue, (long)KD * KH);
            FixedTap = ((((long)offset.Depth * factor.Height) + offset.Height) * factor.Width) + offset.Width;

            // Factors are validated >= 1 by every caller; a zero one (never run) must not divide by zero here.
            FullCells = KW > 0 ? Math.Min(W, OutW / KW) : 0;
            BlockRows = KH > 0 ? (int)(((long)OutH + KH - 1) / KH) : 0;
        }

        /// <summary>Taps per block, <c>KD * KH * KW</c>, in 64 bits (a product of three ints fits).</summary>
        public long Taps => (long)KD * KH * KW;

        /// <summary>Whether the plan has a depth axis: the 3-D body runs it; a plan of depth 1 everywhere is a 2-D one.</summary>
        public bool Deep => D != 1 || OutD != 1 || KD != 1;

        /// <summary>The planes of the buffers a run was given (set by the run, for its range asserts only).</summary>
        public int Planes { get; init; }
    }

    /// <summary>
    /// Runs the block writer for any element type: on the storage bits at the widest hardware vector a row's cells
    /// fill when <typeparamref name="T"/> has 1, 2, 4 or 8 bytes and <paramref name="zero"/> is all-zero bits, else
    /// the per-cell path with <paramref name="zero"/> as the fill.
    /// </summary>
    /// <remarks><paramref name="bits"/> is -1 to dispatch; tests pin a width: 0 for the per-cell path, 128, 256 or 512
    /// (which run in software where the hardware lacks them). A plan without a vector path runs per cell at any width.</remarks>
    public static void Run<T, TCode>(T* source, T* destination, int planes, in Plan plan, TCode code, T zero, int degree, int bits = -1)
        where T : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        if (IsStorable(zero))
        {
            switch (sizeof(T))
            {
                case 1:
                    RunStorage((byte*)source, (byte*)destination, planes, plan, code, degree, bits);
                    return;
                case 2:
                    RunStorage((ushort*)source, (ushort*)destination, planes, plan, code, degree, bits);
                    return;
                case 4:
                    RunStorage((uint*)source, (uint*)destination, planes, plan, code, degree, bits);
                    return;
                case 8:
                    RunStorage((ulong*)source, (ulong*)destination, planes, plan, code, degree, bits);
                    return;
            }
        }

        RunAt<NoLanes<T>, T, T, TCode>(source, destination, planes, plan, code, zero, degree);
    }

    /// <summary>Whether values of <typeparamref name="T"/> may move as raw storage lanes with all-zero bits as the fill.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsStorable<T>(T zero)
        where T : unmanaged
        => sizeof(T) switch
        {
            1 => Unsafe.BitCast<T, byte>(zero) == 0,
            2 => Unsafe.BitCast<T, ushort>(zero) == 0,
            4 => Unsafe.BitCast<T, uint>(zero) == 0,
            8 => Unsafe.BitCast<T, ulong>(zero) == 0,
            _ => false,
        };

    /// <summary>The widest hardware width a row fills, when the writer has a vector path for the plan, else scalar.</summary>
    private static void RunStorage<TS, TCode>(TS* source, TS* destination, int planes, in Plan plan, TCode code, int degree, int bits)
        where TS : unmanaged, System.Numerics.IBinaryInteger<TS>, System.Numerics.IUnsignedNumber<TS>
        where TCode : struct, ITapCode<TCode>
    {
        int lanes = Vectorizes<TS, TCode>(plan) ? plan.FullCells : 0;
        if (bits >= 0)
        {
            bits = lanes > 0 ? bits : 0;
        }
        else if (Vector512.IsHardwareAccelerated && lanes >= Vector512<TS>.Count)
        {
            bits = 512;
        }
        else if (Vector256.IsHardwareAccelerated && lanes >= Vector256<TS>.Count)
        {
            bits = 256;
        }
        else if (Vector128.IsHardwareAccelerated && lanes >= Vector128<TS>.Count)
        {
            bits = 128;
        }

        if (bits == 512)
        {
            RunAt<BlockLanes512<TS>, Vector512<TS>, TS, TCode>(source, destination, planes, plan, code, default, degree);
        }
        else if (bits == 256)
        {
            RunAt<BlockLanes256<TS>, Vector256<TS>, TS, TCode>(source, destination, planes, plan, code, default, degree);
        }
        else if (bits == 128)
        {
            RunAt<BlockLanes128<TS>, Vector128<TS>, TS, TCode>(source, destination, planes, plan, code, default, degree);
        }
        else
        {
            RunAt<NoLanes<TS>, TS, TS, TCode>(source, destination, planes, plan, code, default, degree);
        }
    }

    /// <summary>
    /// Whether the vector writer serves the plan: a zip tree exists for the block width, and per-cell codes (tap
    /// numbers up to <c>KH*KW - 1</c>) fit their one byte.
    /// </summary>
    public static bool Vectorizes<TS, TCode>(in Plan plan)
        where TS : unmanaged
        where TCode : struct, ITapCode<TCode>
        => plan.KW is 1 or 2 or 4 && (!TCode.PerCell || plan.Taps <= 256);

    /// <summary>Runs one width (<see cref="NoLanes{TE}"/> for the per-cell path); any width works on any CPU.</summary>
    public static void RunAt<TLanes, TVector, TE, TCode>(TE* source, TE* destination, int planes, in Plan plan, TCode code, TE zero, int degree)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        Debug.Assert(typeof(TLanes) == typeof(NoLanes<TE>) || Vectorizes<TE, TCode>(plan), "a vector width for a plan without a vector path");
        var body = new BlockBody<TLanes, TVector, TE, TCode>
        {
            Source = source,
            Destination = destination,
            Plan = plan with { Planes = planes },
            Code = code,
            Zero = zero,
        };
        body.Stream = StreamsRows<TE>(body.Plan, destination);
        if (plan.Deep)
        {
            var deep = new BlockBody3D<TLanes, TVector, TE, TCode> { Rows = body };
            ParallelRunner.Run(ref deep, checked(planes * plan.OutD * plan.BlockRows), degree);
            return;
        }

        ParallelRunner.Run(ref body, checked(planes * plan.BlockRows), degree);
    }

    /// <summary>
    /// Whether the writers stream their block rows (<see cref="StreamingStore"/>): a destination past the streaming
    /// threshold whose block rows (<c>KH</c> whole output rows, one contiguous run) fit the staging run, at an address
    /// and with a row length that are whole numbers of 4-byte lanes (what <see cref="StagedStream"/> realigns). Each block row is then built
    /// in the staging run, which stays in L1, and streamed out: the same values, and the destination's lines are written
    /// without being read first.
    /// </summary>
    private static bool StreamsRows<TE>(in Plan p, TE* destination)
        where TE : unmanaged
        => StreamingStore.Wanted((long)p.Planes * p.OutD * p.OutH * p.OutW * sizeof(TE))
            && (long)p.KH * p.OutW * sizeof(TE) <= StreamingStore.StagingBytes
            && (((nint)destination | ((nint)p.OutW * sizeof(TE))) & 3) == 0;

    /// <summary>
    /// The 3-D writer: one item per (plane, output slice <c>od</c>, block row <c>ih</c>), the 2-D block row of input
    /// slice <c>od / KD</c> written with its taps offset by depth tap <c>c = od % KD</c> (<c>c*KH*KW</c>): output slice
    /// <c>od</c> holds exactly the taps <c>[c*KH*KW, (c+1)*KH*KW)</c> of its blocks. Slices past <c>D*KD</c> are zero.
    /// </summary>
    /// <remarks>Per-cell codes (random) are hashed per output slice, so <c>KD</c> times per cell: the price of items as
    /// small as 2-D's, and of no scratch shared between items.</remarks>
    private struct BlockBody3D<TLanes, TVector, TE, TCode> : IParallelBody
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        /// <summary>The buffers, plan, code and fill, as the 2-D body holds them.</summary>
        public BlockBody<TLanes, TVector, TE, TCode> Rows;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            Plan p = Rows.Plan;
            TE* source = Rows.Source, destination = Rows.Destination;
            int blockRows = p.BlockRows;
            ulong* scratch = stackalloc ulong[ChunkCells];
            bool stream = Rows.Stream;
            byte* stagingAllocation = stackalloc byte[stream ? StagedStream.Allocation : 0];
            var writer = new StagedStream(stagingAllocation);
            // Output slice (plane*OutD + od), its input slice (id, depth tap c) and block row, stepped per item.
            int slice = start / blockRows;
            int ih = start - (slice * blockRows);
            int plane = slice / p.OutD;
            int od = slice - (plane * p.OutD);
            int id = od / p.KD;
            int c = od - (id * p.KD);
            long sliceTaps = (long)p.KH * p.KW;
            for (int item = start; item < end; item++, ih++)
            {
                if (ih == blockRows)
                {
                    (slice, ih, od, c) = (slice + 1, 0, od + 1, c + 1);
                    if (c == p.KD)
                    {
                        (id, c) = (id + 1, 0);
                    }

                    if (od == p.OutD)
                    {
                        (plane, od, id, c) = (plane + 1, 0, 0, 0);
                    }
                }

                long oh = (long)ih * p.KH;
                int rows = (int)Math.Min(p.KH, p.OutH - oh);
                TE* y = destination + ((((nint)slice * p.OutH) + (nint)oh) * p.OutW);
                Debug.Assert(rows >= 1 && slice == (plane * p.OutD) + od && od == (id * p.KD) + c, "a block row without output rows, or a mis-stepped item");
                Debug.Assert(Bounds.Within(y, (long)rows * p.OutW, destination, (long)p.Planes * p.OutD * p.OutH * p.OutW), "block rows outside the destination");
                TE* target = stream ? (TE*)writer.RunFor(y) : y;
                Debug.Assert(!stream || (long)rows * p.OutW * sizeof(TE) <= StreamingStore.StagingBytes, "block row longer than the staging run");
                if (ih >= p.H || id >= p.D)
                {
                    FillZero(target, (nint)rows * p.OutW, Rows.Zero);
                }
                else
                {
                    int inSlice = (plane * p.D) + id;
                    TE* x = source + ((((nint)inSlice * p.H) + ih) * p.W);
                    Debug.Assert(Bounds.Within(x, p.W, source, (long)p.Planes * p.D * p.H * p.W), "input row outside the source");
                    WriteBlockRow<TLanes, TVector, TE, TCode>(x, target, rows, inSlice, ih, scratch, Rows.Code, Rows.Zero, p, c * sliceTaps);
                }

                if (stream)
                {
                    writer.Write((byte*)target, y, (nint)rows * p.OutW * sizeof(TE));
                }
            }

            if (stream)
            {
                writer.Finish();
            }
        }
    }

    private struct BlockBody<TLanes, TVector, TE, TCode> : IParallelBody
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        public TE* Source;
        public TE* Destination;
        public Plan Plan;
        public TCode Code;
        public TE Zero;

        /// <summary>Whether block rows are built in a staging run and streamed out (<see cref="StreamsRows"/>).</summary>
        public bool Stream;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            // A copy in this frame, not a reference into the caller's: every pointer store may alias the plan, so its
            // fields are read again per block row, and with streaming stores in flight a read whose address matched a
            // pending store's page offset waited for it. Where the caller's frame lies depends on what the tiered JIT
            // inlined: A1's backward with byte switches went from 1.2 to 8 ms mid-run once the callers reached tier 1
            // (BenchmarkDotNet, Zen 4, 2026-12-03), and stayed at 1.0-1.5 with the copy.
            Plan p = Plan;
            int blockRows = p.BlockRows;
            ulong* scratch = stackalloc ulong[ChunkCells]; // a chunk of 64-bit codes (or hashes, in whole groups of 64)
            byte* stagingAllocation = stackalloc byte[Stream ? StagedStream.Allocation : 0];
            var writer = new StagedStream(stagingAllocation);
            bool stream = Stream;
            // The plane and block row of each item, stepped rather than divided per item (one division per chunk).
            int plane = start / blockRows;
            int ih = start - (plane * blockRows);
            for (int item = start; item < end; item++, ih++)
            {
                if (ih == blockRows)
                {
                    (plane, ih) = (plane + 1, 0);
                }

                long oh = (long)ih * p.KH;
                int rows = (int)Math.Min(p.KH, p.OutH - oh);
                TE* y = Destination + ((((nint)plane * p.OutH) + (nint)oh) * p.OutW);
                Debug.Assert(rows >= 1, "a block row without output rows");
                Debug.Assert(Bounds.Within(y, (long)rows * p.OutW, Destination, (long)p.Planes * p.OutH * p.OutW), "block rows outside the destination");

                // The block row's output rows are one contiguous run: built in place, or in the staging run and streamed.
                TE* target = stream ? (TE*)writer.RunFor(y) : y;
                Debug.Assert(!stream || (long)rows * p.OutW * sizeof(TE) <= StreamingStore.StagingBytes, "block row longer than the staging run");
                if (ih >= p.H)
                {
                    FillZero(target, (nint)rows * p.OutW, Zero);
                }
                else
                {
                    TE* x = Source + ((((nint)plane * p.H) + ih) * p.W);
                    Debug.Assert(Bounds.Within(x, p.W, Source, (long)p.Planes * p.H * p.W), "input row outside the source");
                    WriteBlockRow<TLanes, TVector, TE, TCode>(x, target, rows, plane, ih, scratch, Code, Zero, p, 0);
                }

                if (stream)
                {
                    writer.Write((byte*)target, y, (nint)rows * p.OutW * sizeof(TE));
                }
            }

            if (stream)
            {
                writer.Finish();
            }
        }
    }

    /// <summary>The output rows of one block row: per chunk of cells, their codes (when they vary per cell), then each row.</summary>
    /// <remarks>Inlined into <see cref="BlockBody{TLanes, TVector, TE, TCode}.Invoke"/>: a call per block row (nine
    /// arguments, three of them on the stack, and six saved registers) cost the small cache-resident runs a measurable
    /// share against the old per-row kernel. <c>tapBase</c> is the first tap of the block's slice written here: 0 in 2-D
    /// (a constant the inlined 2-D body folds away), <c>c*KH*KW</c> for depth tap <c>c</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteBlockRow<TLanes, TVector, TE, TCode>(TE* x, TE* y, int rows, int plane, int ih, ulong* scratch, in TCode code, TE zero, in Plan p, long tapBase)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        int full = p.FullCells;
        int count = TLanes.Count;

        // Columns past the whole blocks: a block cut by the output's right edge, or zeros past the input.
        bool tail = (long)full * p.KW < p.OutW;
        if (!TCode.PerCell)
        {
            for (int r = 0; r < rows; r++)
            {
                TE* yr = y + ((nint)r * p.OutW);
                long rowTap = tapBase + ((long)r * p.KW);
                if (TCode.Every && r > 0)
                {
                    // Every row of a repeat block is the same: copy the first. The copy aligns its stores, where the
                    // zip tree's land wherever the row starts (split lines); it was the old kernel's repeat path and
                    // is measurably faster than writing the row again.
                    new ReadOnlySpan<TE>(y, p.OutW).CopyTo(new Span<TE>(yr, p.OutW));
                    continue;
                }

                if (!TCode.Every && (p.FixedTap < rowTap || p.FixedTap >= rowTap + p.KW))
                {
                    FillZero(yr, p.OutW, zero);
                    continue;
                }

                if (full >= count)
                {
                    RowBody<TLanes, TVector, TE, TCode>(x, null, yr, full, rowTap, p);
                }
                else
                {
                    WriteCellsOneByOne<TLanes, TE, TCode>(x, null, yr, full, rowTap, zero, p);
                }

                if (tail)
                {
                    WriteTail<TLanes, TE, TCode>(x, yr, rowTap, full, null, zero, p);
                }
            }

            return;
        }

        for (int c0 = 0; c0 < full; c0 += ChunkCells)
        {
            int first = c0, n = Math.Min(ChunkCells, full - c0);
            if (n < count && full >= count && c0 > 0)
            {
                // Overlap the previous chunk so the last one still fills a vector (the cells it rewrites get the same values).
                first = full - count;
                n = count;
            }

            Debug.Assert(first >= 0 && first + n <= full, "a chunk of cells outside the row");
            void* codes = code.Codes<TLanes, TVector, TE>(plane, ih, first, n, scratch, p);
            TE* yc = y + ((nint)first * p.KW);
            if (n >= count)
            {
                WriteCells<TLanes, TVector, TE, TCode>(x + first, codes, yc, rows, n, tapBase, p);
                continue;
            }

            for (int r = 0; r < rows; r++)
            {
                WriteCellsOneByOne<TLanes, TE, TCode>(x + first, codes, yc + ((nint)r * p.OutW), n, tapBase + ((long)r * p.KW), zero, p);
            }
        }

        if (!tail)
        {
            return;
        }

        void* last = null;
        if (full < p.W)
        {
            // A block cut by the output's right edge: its cell's code, computed alone.
            last = code.Codes<NoLanes<TE>, TE, TE>(plane, ih, full, 1, scratch, p);
        }

        for (int r = 0; r < rows; r++)
        {
            WriteTail<NoLanes<TE>, TE, TCode>(x, y + ((nint)r * p.OutW), tapBase + ((long)r * p.KW), full, last, zero, p);
        }
    }

    /// <summary>
    /// Output columns past the whole blocks of a row: the part of cell <paramref name="full"/>'s block inside the output
    /// (its code at <paramref name="codes"/>[0]), then zeros past the input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void WriteTail<TLanes, TE, TCode>(TE* x, TE* yr, long rowTap, int full, void* codes, TE zero, in Plan p)
        where TLanes : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        long ow = (long)full * p.KW;
        if (full < p.W)
        {
            long tap = TCode.PerCell ? ReadCode<NoLanes<TE>, TE>(codes, 0) : p.FixedTap;
            for (int b = 0; ow < p.OutW; b++, ow++)
            {
                yr[ow] = TCode.Every || tap == rowTap + b ? x[full] : zero;
            }
        }

        if (ow < p.OutW)
        {
            FillZero(yr + ow, (nint)(p.OutW - ow), zero);
        }
    }

    /// <summary>
    /// Output columns <c>[0, n*KW)</c> of <paramref name="rows"/> consecutive output rows (the block row's first, tap
    /// row 0 on), from cells <c>x[0, n)</c> with their per-cell codes at <paramref name="codes"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void WriteCells<TLanes, TVector, TE, TCode>(TE* x, void* codes, TE* y, int rows, int n, long tapBase, in Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        for (int r = 0; r < rows; r++)
        {
            RowBody<TLanes, TVector, TE, TCode>(x, codes, y + ((nint)r * p.OutW), n, tapBase + ((long)r * p.KW), p);
        }
    }

    /// <summary>
    /// Output columns <c>[0, n*KW)</c> of one output row whose taps start at <paramref name="rowTap"/>, from cells
    /// <c>x[0, n)</c> (codes at <paramref name="codes"/> when they vary per cell): whole vectors of cells through the zip
    /// tree (the last overlapping the one before). <paramref name="n"/> is at least one vector of cells; narrower rows
    /// take <see cref="WriteCellsOneByOne"/> in the caller.
    /// </summary>
    /// <remarks>
    /// No call inside, and one loop per block width: the writer is store-bound, and on short rows the per-row cost
    /// counts. The first block kernel called the per-cell fallback from inside its row loop and tested the width per
    /// vector, so every row paid saved registers, spilled counters and a stack argument (stores, queued behind the row's
    /// vector stores) and the width branches; inlined into the fixed and repeat operators' block-row loop, it pays none.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RowBody<TLanes, TVector, TE, TCode>(TE* x, void* codes, TE* y, int n, long rowTap, in Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        int count = TLanes.Count;
        int kw = p.KW;
        Debug.Assert(n >= count, "fewer cells than one vector: the last vector would start before the row");
        Debug.Assert(kw is 1 or 2 or 4, "no zip tree for this block width");
        TVector m0 = Mask<TLanes, TVector, TE, TCode>(rowTap, p), m1 = Mask<TLanes, TVector, TE, TCode>(rowTap + 1, p);
        TVector m2 = Mask<TLanes, TVector, TE, TCode>(rowTap + 2, p), m3 = Mask<TLanes, TVector, TE, TCode>(rowTap + 3, p);
        // One loop per block width, the width tested once per row rather than per vector; each loop stops before
        // the last vector, which then always runs at n - Count (overlapping the one before when n is not a multiple
        // of Count: it rewrites the same values).
        byte* c = (byte*)codes;
        int last = n - count;
        if (kw == 1)
        {
            for (int i = 0; i < last; i += count)
            {
                TLanes.Store(Select<TLanes, TVector, TE, TCode>(x + i, c + i, m0), y + i);
            }

            TLanes.Store(Select<TLanes, TVector, TE, TCode>(x + last, c + last, m0), y + last);
        }
        else if (kw == 2)
        {
            for (int i = 0; i < last; i += count)
            {
                Pair<TLanes, TVector, TE, TCode>(x + i, c + i, y + (2 * i), m0, m1);
            }

            Pair<TLanes, TVector, TE, TCode>(x + last, c + last, y + (2 * last), m0, m1);
        }
        else
        {
            for (int i = 0; i < last; i += count)
            {
                Quad<TLanes, TVector, TE, TCode>(x + i, c + i, y + (4 * i), m0, m1, m2, m3);
            }

            Quad<TLanes, TVector, TE, TCode>(x + last, c + last, y + (4 * last), m0, m1, m2, m3);
        }
    }

    /// <summary>The per-cell path of <see cref="RowBody"/>: <c>KW</c> outputs per cell, its value at its tap, zero elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void WriteCellsOneByOne<TLanes, TE, TCode>(TE* x, void* codes, TE* y, int n, long rowTap, TE zero, in Plan p)
        where TLanes : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        int kw = p.KW;
        long fixedTap = p.FixedTap;
        for (int i = 0; i < n; i++)
        {
            long tap = TCode.PerCell ? ReadCode<TLanes, TE>(codes, i) : fixedTap;
            TE v = x[i];
            TE* yc = y + ((nint)i * kw);
            for (int b = 0; b < kw; b++)
            {
                yc[b] = TCode.Every || tap == rowTap + b ? v : zero;
            }
        }
    }

    /// <summary>The mask of tap <paramref name="tap"/>: its code (per-cell codes), or all-ones when it is the fixed tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Mask<TLanes, TVector, TE, TCode>(long tap, in Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
        => TCode.Every ? TLanes.AllBits : TCode.PerCell ? TLanes.CreateCode(tap) : tap == p.FixedTap ? TLanes.AllBits : TLanes.Zero;

    /// <summary>A vector of cells' values where their tap is <paramref name="mask"/>'s, zero elsewhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Select<TLanes, TVector, TE, TCode>(TE* x, byte* codes, TVector mask)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        TVector v = TLanes.Load(x);
        return TCode.Every ? v : TCode.PerCell ? TLanes.SelectCode(TLanes.LoadCode(codes), mask, v) : TLanes.And(v, mask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pair<TLanes, TVector, TE, TCode>(TE* x, byte* codes, TE* y, TVector m0, TVector m1)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        TVector v = TLanes.Load(x);
        TVector a, b;
        if (TCode.Every)
        {
            (a, b) = (v, v);
        }
        else if (TCode.PerCell)
        {
            TVector c = TLanes.LoadCode(codes);
            (a, b) = (TLanes.SelectCode(c, m0, v), TLanes.SelectCode(c, m1, v));
        }
        else
        {
            (a, b) = (TLanes.And(v, m0), TLanes.And(v, m1));
        }

        TLanes.Zip(a, b, out TVector lower, out TVector upper);
        TLanes.Store(lower, y);
        TLanes.Store(upper, y + TLanes.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Quad<TLanes, TVector, TE, TCode>(TE* x, byte* codes, TE* y, TVector m0, TVector m1, TVector m2, TVector m3)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        where TCode : struct, ITapCode<TCode>
    {
        TVector v = TLanes.Load(x);
        TVector s0, s1, s2, s3;
        if (TCode.Every)
        {
            (s0, s1, s2, s3) = (v, v, v, v);
        }
        else if (TCode.PerCell)
        {
            TVector c = TLanes.LoadCode(codes);
            s0 = TLanes.SelectCode(c, m0, v);
            s1 = TLanes.SelectCode(c, m1, v);
            s2 = TLanes.SelectCode(c, m2, v);
            s3 = TLanes.SelectCode(c, m3, v);
        }
        else
        {
            (s0, s1, s2, s3) = (TLanes.And(v, m0), TLanes.And(v, m1), TLanes.And(v, m2), TLanes.And(v, m3));
        }

        // zip(zip(s0, s2), zip(s1, s3)) = s0[0] s1[0] s2[0] s3[0] s0[1] ...
        TLanes.Zip(s0, s2, out TVector p0, out TVector p1);
        TLanes.Zip(s1, s3, out TVector q0, out TVector q1);
        TLanes.Zip(p0, q0, out TVector o0, out TVector o1);
        TLanes.Zip(p1, q1, out TVector o2, out TVector o3);
        int count = TLanes.Count;
        TLanes.Store(o0, y);
        TLanes.Store(o1, y + count);
        TLanes.Store(o2, y + (2 * count));
        TLanes.Store(o3, y + (3 * count));
    }

    /// <summary>Writes <paramref name="zero"/> to <paramref name="count"/> elements (a memset when it is all-zero bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FillZero<TE>(TE* y, nint count, TE zero)
        where TE : unmanaged
    {
        if (IsStorable(zero))
        {
            NativeMemory.Clear(y, (nuint)count * (nuint)sizeof(TE));
        }
        else
        {
            new Span<TE>(y, (int)count).Fill(zero);
        }
    }

    /// <summary>Code <paramref name="i"/> of a codes scratch of <typeparamref name="TLanes"/>'s code width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long ReadCode<TLanes, TE>(void* codes, int i)
        where TLanes : struct
        where TE : unmanaged
        => CodeBytes<TLanes, TE>() == 1 ? ((byte*)codes)[i] : (long)((ulong*)codes)[i];

    /// <summary>Stores tap <paramref name="tap"/> (which fits: <see cref="Vectorizes{TS, TCode}"/>) as code <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteCode<TLanes, TE>(void* codes, int i, long tap)
        where TLanes : struct
        where TE : unmanaged
    {
        if (CodeBytes<TLanes, TE>() == 1)
        {
            ((byte*)codes)[i] = (byte)tap;
        }
        else
        {
            ((ulong*)codes)[i] = (ulong)tap;
        }
    }

    /// <summary>The code width of a lanes type: one byte for the vector widths, 8 for <see cref="NoLanes{TE}"/>, whose
    /// plans may have any number of taps (a JIT-time constant).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int CodeBytes<TLanes, TE>()
        where TLanes : struct
        where TE : unmanaged
        => typeof(TLanes) == typeof(NoLanes<TE>) ? 8 : 1;
}
