using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

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

    /// <summary>
    /// The in-block offset of input cell (<paramref name="plane"/>, <paramref name="row"/>, <paramref name="column"/>)
    /// for <see cref="BlockUnpoolMode.Random"/>: a SplitMix64 hash of the seed and the cell's linear position, so any
    /// thread computes it alone and the result never depends on the thread count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (int Row, int Column) RandomOffset(ulong seed, long plane, int row, int column, in Plan p)
    {
        ulong block = (((ulong)plane * (ulong)p.H) + (ulong)row) * (ulong)p.W + (ulong)column;
        ulong z = unchecked(seed + ((block + 1) * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return ((int)(((z & 0xFFFFFFFFUL) * (ulong)p.KH) >> 32), (int)(((z >> 32) * (ulong)p.KW) >> 32));
    }

    /// <summary>Runs at the widest hardware vector that a factor-2 row's pairs fill, else the scalar definition.</summary>
    public static void Run<T>(T* source, T* destination, int planes, in Plan plan, int degree)
        where T : unmanaged, INumberBase<T>
    {
        var body = new WidthBody<T>(source, destination, planes, plan, degree);
        SimdDispatch.Run<T, WidthBody<T>>(ref body, Vectorizes(plan) ? plan.PairCount : 0);
    }

    /// <summary>Whether rows have a vector path at all: interleaving stores serve factor-2 rows of the fixed offsets.</summary>
    private static bool Vectorizes(in Plan plan) => plan.KW == 2 && plan.Mode != BlockUnpoolMode.Random;

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
                        RandomRow(planeSource, y, plane, oh, p);
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void RandomRow<T>(T* planeSource, T* y, int plane, int oh, in Plan p)
        where T : unmanaged, INumberBase<T>
    {
        new Span<T>(y, p.OutW).Clear();
        int ih = oh / p.KH;
        if (ih >= p.H)
        {
            return;
        }

        int rowInBlock = oh - (ih * p.KH);
        T* x = planeSource + ((nint)ih * p.W);
        for (int iw = 0; iw < p.W; iw++)
        {
            (int ah, int aw) = RandomOffset(p.Seed, plane, ih, iw, p);
            long ow = ((long)iw * p.KW) + aw;
            if (ah == rowInBlock && ow < p.OutW)
            {
                y[ow] = x[iw];
            }
        }
    }
}
