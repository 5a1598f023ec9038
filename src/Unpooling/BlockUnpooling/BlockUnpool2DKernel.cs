using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>Which member of the fixed-position unpooling family a <see cref="BlockUnpool2DKernel.Plan"/> runs.</summary>
internal enum BlockUnpoolMode
{
    /// <summary><c>y[i*k + a] = x[i]</c> for one fixed in-block offset <c>a</c>.</summary>
    Fixed,

    /// <summary>Every cell of block <c>i</c> gets <c>x[i]</c> (nearest-neighbour upsampling).</summary>
    Repeat,

    /// <summary>Like <see cref="Fixed"/> with a seeded pseudo-random offset per block.</summary>
    Random,
}

/// <summary>
/// Fixed-position unpooling and its family, one output row at a time (rows over all planes are the unit of parallel
/// work). Every output element is written exactly once, so no separate clearing pass touches the output. Factor-2
/// rows, the common decoder case, are built with interleaving stores: <c>(x, 0)</c> for a fixed offset, <c>(x, x)</c>
/// for repeat.
/// </summary>
internal static unsafe class BlockUnpool2DKernel
{
    internal readonly struct Plan
    {
        public readonly BlockUnpoolMode Mode;
        public readonly int H, W, OutH, OutW, KH, KW, AH, AW;
        public readonly ulong Seed;

        public Plan(BlockUnpoolMode mode, Size2D input, Size2D output, Size2D factor, Size2D offset, ulong seed)
        {
            Mode = mode;
            (H, W) = (input.Height, input.Width);
            (OutH, OutW) = (output.Height, output.Width);
            (KH, KW) = (factor.Height, factor.Width);
            (AH, AW) = (offset.Height, offset.Width);
            Seed = seed;
        }

        /// <summary>Input columns whose whole factor-2 output pair lies inside the row.</summary>
        public int PairCount => Math.Min(W, OutW >> 1);

        /// <summary>The planes of the buffers a run was given (set by the run, for its range asserts only).</summary>
        public int Planes { get; init; }
    }

    /// <summary>SplitMix64's increment: cell <c>b</c>'s hash input is <c>seed + (b + 1) * Golden</c>.</summary>
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>Input cells whose tap numbers one stack chunk holds (a multiple of every lane count).</summary>
    private const int ChunkCells = 256;

    /// <summary>
    /// The hash input of the first cell of input row <paramref name="row"/> of <paramref name="plane"/>:
    /// <c>seed + (b + 1) * Golden</c> with <c>b = (plane*H + row)*W</c>; the cell <c>column</c> columns further has
    /// that plus <c>column * Golden</c> (all wrapping), so a row needs one multiply, not one per cell.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RowHashInput(ulong seed, long plane, int row, in Plan p)
        => unchecked(seed + (((((ulong)plane * (ulong)p.H) + (ulong)row) * (ulong)p.W) + 1) * Golden);

    /// <summary>The SplitMix64 finalizer of the documented formula.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The in-block offset of input cell (<paramref name="plane"/>, <paramref name="row"/>, <paramref name="column"/>)
    /// for <see cref="BlockUnpoolMode.Random"/>: a SplitMix64 hash of the seed and the cell's linear position, so any
    /// thread computes it alone and the result never depends on the thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Row, int Column) RandomOffset(ulong seed, long plane, int row, int column, in Plan p)
        => Offset(Mix(unchecked(RowHashInput(seed, plane, row, p) + ((ulong)column * Golden))), p.KH, p.KW);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int Row, int Column) Offset(ulong z, int kh, int kw)
        => ((int)(((z & 0xFFFFFFFFUL) * (ulong)kh) >> 32), (int)(((z >> 32) * (ulong)kw) >> 32));

    /// <summary>Runs at the widest hardware vector that a factor-2 row's pairs fill, else the scalar definition.</summary>
    public static void Run<T>(T* source, T* destination, int planes, in Plan plan, int degree)
        where T : unmanaged, INumberBase<T>
    {
        var body = new WidthBody<T>(source, destination, planes, plan, degree);
        SimdDispatch.Run<T, WidthBody<T>>(ref body, Vectorizes(plan) ? plan.PairCount : 0);
    }

    /// <summary>
    /// Whether rows have a vector path at all: interleaving stores serve factor-2 rows (for random offsets only while
    /// the in-block tap number <c>offsetH * 2 + offsetW</c> fits the 32-bit lanes of <see cref="float"/>).
    /// </summary>
    private static bool Vectorizes(in Plan plan) => plan.KW == 2 && (plan.Mode != BlockUnpoolMode.Random || plan.KH <= MaxVectorRandomFactor);

    /// <summary>The largest height factor whose tap numbers <c>2 * KH - 1</c> fit an int32 lane.</summary>
    private const int MaxVectorRandomFactor = 1 << 29;

    /// <summary>The arguments of <see cref="Run{T}(T*, T*, int, in Plan, int)"/>, run at the width the dispatch picks.</summary>
    private readonly ref struct WidthBody<T>(T* source, T* destination, int planes, in Plan plan, int degree) : IWidthBody<T>
        where T : unmanaged, INumberBase<T>
    {
        private readonly ref readonly Plan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => BlockUnpool2DKernel.Run<TSimd, TVector, T>(source, destination, planes, _plan, degree);

        public void RunScalar() => BlockUnpool2DKernel.Run<SimdScalar<T>, T, T>(source, destination, planes, _plan, degree, scalarOnly: true);
    }

    /// <summary>Runs one width, or the scalar definition only (any width works on any CPU; unaccelerated ones are slow).</summary>
    public static void Run<TSimd, TVector, T>(T* source, T* destination, int planes, in Plan plan, int degree, bool scalarOnly = false)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumberBase<T>
    {
        if (plan.Mode == BlockUnpoolMode.Random)
        {
            var random = new RandomBody<TSimd, TVector, T>
            {
                Source = source,
                Destination = destination,
                Plan = plan with { Planes = planes },
                Vector = !scalarOnly && Vectorizes(plan),
            };
            ParallelRunner.Run(ref random, checked(planes * RandomBody<TSimd, TVector, T>.BlockRows(plan)), degree);
            return;
        }

        var body = new RowsBody<TSimd, TVector, T>
        {
            Source = source,
            Destination = destination,
            Plan = plan with { Planes = planes },
            Vector = !scalarOnly && Vectorizes(plan) && plan.PairCount >= TSimd.Count,
        };
        ParallelRunner.Run(ref body, checked(planes * plan.OutH), degree);
    }

    private struct RowsBody<TSimd, TVector, T> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumberBase<T>
    {
        public T* Source;
        public T* Destination;
        public Plan Plan;
        public bool Vector;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
        public readonly void Invoke(int start, int end)
        {
            ref readonly Plan p = ref Plan;
            for (int row = start; row < end; row++)
            {
                int plane = row / p.OutH;
                int oh = row - (plane * p.OutH);
                T* y = Destination + ((nint)row * p.OutW);
                T* planeSource = Source + ((nint)plane * p.H * p.W);
                Debug.Assert(Bounds.Within(y, p.OutW, Destination, (long)p.Planes * p.OutH * p.OutW), "output row outside the destination");
                Debug.Assert(Bounds.Within(planeSource, (long)p.H * p.W, Source, (long)p.Planes * p.H * p.W), "input plane outside the source");
                switch (p.Mode)
                {
                    case BlockUnpoolMode.Fixed:
                        int q = oh - p.AH;
                        if (q >= 0 && q % p.KH == 0 && q / p.KH < p.H)
                        {
                            FixedRow<TSimd, TVector, T>(planeSource + ((nint)(q / p.KH) * p.W), y, p, Vector);
                        }
                        else
                        {
                            new Span<T>(y, p.OutW).Clear();
                        }

                        break;

                    case BlockUnpoolMode.Repeat:
                        int ih = oh / p.KH;
                        if (ih >= p.H)
                        {
                            new Span<T>(y, p.OutW).Clear();
                        }
                        else if (oh % p.KH != 0 && row > start)
                        {
                            // Rows of one block are equal; the previous one was just written by this thread.
                            Debug.Assert(Bounds.Within(y - p.OutW, p.OutW, Destination, (long)p.Planes * p.OutH * p.OutW), "previous row outside the destination");
                            new ReadOnlySpan<T>(y - p.OutW, p.OutW).CopyTo(new Span<T>(y, p.OutW));
                        }
                        else
                        {
                            RepeatRow<TSimd, TVector, T>(planeSource + ((nint)ih * p.W), y, p, Vector);
                        }

                        break;

                    default:
                        Debug.Fail("random offsets run in RandomBody");
                        break;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void FixedRow<TSimd, TVector, T>(T* x, T* y, in Plan p, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumberBase<T>
    {
        if (!vector)
        {
            new Span<T>(y, p.OutW).Clear();
            for (int iw = 0; iw < p.W; iw++)
            {
                long ow = ((long)iw * p.KW) + p.AW;
                if (ow >= p.OutW)
                {
                    break;
                }

                y[ow] = x[iw];
            }

            return;
        }

        Debug.Assert(p.PairCount <= p.W && 2 * p.PairCount <= p.OutW, "pairs leave the input or output row");
        InterleavePairs<TSimd, TVector, T>(x, y, p.PairCount, p.AW, repeat: false);
        for (int ow = 2 * p.PairCount; ow < p.OutW; ow++)
        {
            int q = ow - p.AW;
            y[ow] = q >= 0 && q % p.KW == 0 && q / p.KW < p.W ? x[q / p.KW] : T.Zero;
        }
    }

    /// <summary>
    /// Writes output columns <c>[0, 2 * pairs)</c> of a factor-2 row: input <c>x</c> becomes the pair <c>(x, x)</c> when
    /// <paramref name="repeat"/>, else <c>(x, 0)</c> for offset 0 and <c>(0, x)</c> for offset 1.
    /// <paramref name="pairs"/> must be at least <c>Count</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InterleavePairs<TSimd, TVector, T>(T* x, T* y, int pairs, int offset, bool repeat)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
    {
        int count = TSimd.Count;
        Debug.Assert(pairs >= count, "fewer pairs than one vector: the overlapping last vector would start before the row");
        int i = 0;
        for (; i <= pairs - count; i += count)
        {
            InterleavePair<TSimd, TVector, T>(x + i, y + (2 * i), offset, repeat);
        }

        if (i < pairs)
        {
            // Overlap the previous vector: the cells it rewrites get the same values.
            InterleavePair<TSimd, TVector, T>(x + pairs - count, y + (2 * (pairs - count)), offset, repeat);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InterleavePair<TSimd, TVector, T>(T* x, T* y, int offset, bool repeat)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
    {
        TVector v = TSimd.Load(x);
        TVector other = repeat ? v : TSimd.Zero;
        if (offset == 0)
        {
            TSimd.StoreInterleave(v, other, y);
        }
        else
        {
            TSimd.StoreInterleave(other, v, y);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void RepeatRow<TSimd, TVector, T>(T* x, T* y, in Plan p, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumberBase<T>
    {
        int done = 0;
        if (vector)
        {
            Debug.Assert(p.PairCount <= p.W && 2 * p.PairCount <= p.OutW, "pairs leave the input or output row");
            InterleavePairs<TSimd, TVector, T>(x, y, p.PairCount, 0, repeat: true);
            done = 2 * p.PairCount;
        }
        else if (p.KW == 1)
        {
            done = Math.Min(p.W, p.OutW);
            new ReadOnlySpan<T>(x, done).CopyTo(new Span<T>(y, done));
        }

        for (int ow = done; ow < p.OutW; ow++)
        {
            int iw = ow / p.KW;
            y[ow] = iw < p.W ? x[iw] : T.Zero;
        }
    }

    /// <summary>
    /// Random offsets, one block row (plane, input row <c>ih</c>: output rows <c>[ih*KH, ih*KH + KH)</c> clipped to the
    /// output) per work item, so each cell's offset is hashed once and serves every output row of its block. Each
    /// block row belongs to one thread, so the result never depends on the thread count.
    /// </summary>
    private struct RandomBody<TSimd, TVector, T> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumberBase<T>
    {
        public T* Source;
        public T* Destination;
        public Plan Plan;
        public bool Vector;

        /// <summary>Block rows per plane, <c>ceil(OutH / KH)</c>: the last may be cut by the output, or lie below the input.</summary>
        public static int BlockRows(in Plan p) => (int)(((long)p.OutH + p.KH - 1) / p.KH);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
        public readonly void Invoke(int start, int end)
        {
            ref readonly Plan p = ref Plan;
            int blockRows = BlockRows(p);
            int* taps = stackalloc int[ChunkCells];
            for (int item = start; item < end; item++)
            {
                int plane = item / blockRows;
                int ih = item - (plane * blockRows);
                long oh = (long)ih * p.KH;
                int rows = (int)Math.Min(p.KH, p.OutH - oh);
                T* y = Destination + ((((nint)plane * p.OutH) + (nint)oh) * p.OutW);
                Debug.Assert(rows >= 1, "a block row without output rows");
                Debug.Assert(Bounds.Within(y, (long)rows * p.OutW, Destination, (long)p.Planes * p.OutH * p.OutW), "block rows outside the destination");
                if (ih >= p.H)
                {
                    for (int r = 0; r < rows; r++)
                    {
                        new Span<T>(y + ((nint)r * p.OutW), p.OutW).Clear();
                    }

                    continue;
                }

                T* x = Source + ((((nint)plane * p.H) + ih) * p.W);
                Debug.Assert(Bounds.Within(x, p.W, Source, (long)p.Planes * p.H * p.W), "input row outside the source");
                ulong z = RowHashInput(p.Seed, plane, ih, p);
                if (Vector)
                {
                    RandomPairRows<TSimd, TVector, T>(x, y, rows, z, taps, p);
                }
                else
                {
                    RandomScatterRows(x, y, rows, z, p);
                }
            }
        }
    }

    /// <summary>
    /// The output rows of one block row for any factor: zeros, then each cell's value at its offset (one hash per cell).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RandomScatterRows<T>(T* x, T* y, int rows, ulong z, in Plan p)
        where T : unmanaged, INumberBase<T>
    {
        for (int r = 0; r < rows; r++)
        {
            new Span<T>(y + ((nint)r * p.OutW), p.OutW).Clear();
        }

        // Cells from here on start at or past the row's end.
        long cells = Math.Min(p.W, ((long)p.OutW + p.KW - 1) / p.KW);
        for (int iw = 0; iw < cells; iw++, z = unchecked(z + Golden))
        {
            (int ah, int aw) = Offset(Mix(z), p.KH, p.KW);
            long ow = ((long)iw * p.KW) + aw;
            if (ah < rows && ow < p.OutW)
            {
                y[((nint)ah * p.OutW) + (nint)ow] = x[iw];
            }
        }
    }

    /// <summary>
    /// The output rows of one factor-2-wide block row: per chunk of cells, their tap numbers <c>offsetH * 2 + offsetW</c>
    /// are hashed a vector at a time (<see cref="RandomTaps{TVector}"/>); then each output row <c>r</c> is a vector of
    /// cells at a time the interleaved pair <c>(x where tap = 2r, x where tap = 2r + 1)</c>, zeros elsewhere, with
    /// masked loads and stores for the last partial vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RandomPairRows<TSimd, TVector, T>(T* x, T* y, int rows, ulong z, int* taps, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumberBase<T>
    {
        int count = TSimd.Count;
        int pairs = p.PairCount;
        Debug.Assert(pairs <= p.W && 2L * pairs <= p.OutW, "pairs leave the input or output row");
        int group = Math.Max(count, TapGroup<TVector>());
        Debug.Assert(ChunkCells % group == 0, "a chunk is not a whole number of vectors");
        for (int c0 = 0; c0 < pairs; c0 += ChunkCells)
        {
            int n = Math.Min(ChunkCells, pairs - c0);

            // Whole vectors of taps, so the last partial vector's lanes past the row read hashed (unused) values.
            RandomTaps<TVector>(taps, (n + group - 1) / group * group, unchecked(z + ((ulong)c0 * Golden)), p.KH);
            T* xc = x + c0;
            for (int r = 0; r < rows; r++)
            {
                T* yr = y + ((nint)r * p.OutW) + (2 * c0);
                TVector left = TSimd.CreateIndex(2 * r), right = TSimd.CreateIndex((2 * r) + 1);
                int i = 0;
                for (; i <= n - count; i += count)
                {
                    TVector v = TSimd.Load(xc + i);
                    TVector tap = TSimd.LoadIndex(taps + i);
                    TSimd.StoreInterleave(
                        TSimd.ConditionalSelect(TSimd.EqualsIndex(tap, left), v, TSimd.Zero),
                        TSimd.ConditionalSelect(TSimd.EqualsIndex(tap, right), v, TSimd.Zero),
                        yr + (2 * i));
                }

                if (i < n)
                {
                    int m = n - i;
                    TVector v = TSimd.LoadMasked(xc + i, TSimd.LaneMask(0, m));
                    TVector tap = TSimd.LoadIndex(taps + i);
                    TSimd.Interleave(
                        TSimd.ConditionalSelect(TSimd.EqualsIndex(tap, left), v, TSimd.Zero),
                        TSimd.ConditionalSelect(TSimd.EqualsIndex(tap, right), v, TSimd.Zero),
                        out TVector lower,
                        out TVector upper);
                    TSimd.StoreMasked(lower, yr + (2 * i), TSimd.LaneMask(0, 2 * m));
                    if (2 * m > count)
                    {
                        TSimd.StoreMasked(upper, yr + (2 * i) + count, TSimd.LaneMask(0, (2 * m) - count));
                    }
                }
            }
        }

        // Past the pairs: zeros, except that an odd output width cut inside the input holds cell `pairs`'s first column.
        int tail = 2 * pairs;
        if (tail < p.OutW)
        {
            int tapRow = -1;
            if (pairs < p.W)
            {
                (int ah, int aw) = Offset(Mix(unchecked(z + ((ulong)pairs * Golden))), p.KH, 2);
                tapRow = aw == 0 ? ah : -1;
            }

            for (int r = 0; r < rows; r++)
            {
                T* yr = y + ((nint)r * p.OutW);
                new Span<T>(yr + tail, p.OutW - tail).Clear();
                if (r == tapRow)
                {
                    yr[tail] = x[pairs];
                }
            }
        }
    }

    /// <summary>
    /// Tap numbers <c>offsetH * 2 + offsetW</c> (factor width 2) of <paramref name="count"/> consecutive cells whose first
    /// hash input is <paramref name="z"/>, at the 64-bit lane width of <typeparamref name="TVector"/>'s size (scalar for
    /// the one-lane instantiation): the same bits as <see cref="Mix"/> and <see cref="Offset"/> cell by cell.
    /// <paramref name="count"/> is a multiple of <see cref="TapGroup{TVector}"/>; the taps are narrowed to int32 here,
    /// once per cell, rather than in each output row's loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RandomTaps<TVector>(int* taps, int count, ulong z, int kh)
        where TVector : struct
    {
        if (Unsafe.SizeOf<TVector>() == Vector512<byte>.Count)
        {
            Vector512<ulong> lanes = Vector512.Create(z) + (Vector512<ulong>.Indices * Golden);
            Vector512<ulong> step = Vector512.Create(unchecked(Golden * (ulong)Vector512<ulong>.Count));
            for (int i = 0; i < count; i += 2 * Vector512<ulong>.Count)
            {
                Vector512<ulong> first = Taps(lanes, kh);
                lanes += step;
                Vector512.Narrow(first, Taps(lanes, kh)).AsInt32().Store(taps + i);
                lanes += step;
            }
        }
        else if (Unsafe.SizeOf<TVector>() == Vector256<byte>.Count)
        {
            Vector256<ulong> lanes = Vector256.Create(z) + (Vector256<ulong>.Indices * Golden);
            Vector256<ulong> step = Vector256.Create(unchecked(Golden * (ulong)Vector256<ulong>.Count));
            for (int i = 0; i < count; i += 2 * Vector256<ulong>.Count)
            {
                Vector256<ulong> first = Taps(lanes, kh);
                lanes += step;
                Vector256.Narrow(first, Taps(lanes, kh)).AsInt32().Store(taps + i);
                lanes += step;
            }
        }
        else if (Unsafe.SizeOf<TVector>() == Vector128<byte>.Count)
        {
            Vector128<ulong> lanes = Vector128.Create(z) + (Vector128<ulong>.Indices * Golden);
            Vector128<ulong> step = Vector128.Create(unchecked(Golden * (ulong)Vector128<ulong>.Count));
            for (int i = 0; i < count; i += 2 * Vector128<ulong>.Count)
            {
                Vector128<ulong> first = Taps(lanes, kh);
                lanes += step;
                Vector128.Narrow(first, Taps(lanes, kh)).AsInt32().Store(taps + i);
                lanes += step;
            }
        }
        else
        {
            for (int i = 0; i < count; i++, z = unchecked(z + Golden))
            {
                (int ah, int aw) = Offset(Mix(z), kh, 2);
                taps[i] = (2 * ah) + aw;
            }
        }
    }

    /// <summary>Cells per step of <see cref="RandomTaps{TVector}"/>: two vectors of 64-bit lanes (1 for the scalar path).</summary>
    private static int TapGroup<TVector>()
        where TVector : struct
        => Unsafe.SizeOf<TVector>() >= Vector128<byte>.Count ? Unsafe.SizeOf<TVector>() / sizeof(ulong) * 2 : 1;

    /// <summary>
    /// <see cref="Mix"/> and the factor-2-wide tap <c>(((z &amp; 0xFFFFFFFF) * kh) &gt;&gt; 32) * 2 + (z &gt;&gt; 63)</c>
    /// lane by lane. The low-half product is one 32x32-bit multiply (<c>vpmuludq</c>) where the instruction set has it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Taps(Vector512<ulong> z, int kh)
    {
        Vector512<ulong> h = z ^ (z >>> 30);
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >>> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >>> 31;
        Vector512<ulong> row = Avx512F.IsSupported
            ? Avx512F.Multiply(h.AsUInt32(), Vector512.Create((uint)kh))
            : (h & Vector512.Create(0xFFFFFFFFUL)) * (ulong)kh;
        return ((row >>> 32) << 1) | (h >>> 63);
    }

    /// <inheritdoc cref="Taps(Vector512{ulong}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Taps(Vector256<ulong> z, int kh)
    {
        Vector256<ulong> h = z ^ (z >>> 30);
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >>> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >>> 31;
        Vector256<ulong> row = Avx2.IsSupported
            ? Avx2.Multiply(h.AsUInt32(), Vector256.Create((uint)kh))
            : (h & Vector256.Create(0xFFFFFFFFUL)) * (ulong)kh;
        return ((row >>> 32) << 1) | (h >>> 63);
    }

    /// <inheritdoc cref="Taps(Vector512{ulong}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Taps(Vector128<ulong> z, int kh)
    {
        Vector128<ulong> h = z ^ (z >>> 30);
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >>> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >>> 31;
        Vector128<ulong> row = Sse2.IsSupported
            ? Sse2.Multiply(h.AsUInt32(), Vector128.Create((uint)kh))
            : (h & Vector128.Create(0xFFFFFFFFUL)) * (ulong)kh;
        return ((row >>> 32) << 1) | (h >>> 63);
    }
}
