using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Argmax unpooling: validates every index (in parallel, before any write), then per plane clears the output plane
/// and scatters in row-major input order, so the last duplicate wins (or all are summed). A plane is the unit of
/// work: clearing and scattering one plane while it is still in cache costs one pass over the output.
/// </summary>
internal static unsafe class MaxUnpool2DKernel
{
    /// <summary>Position of the first index outside <c>[0, limit)</c>, or -1.</summary>
    public static long FindInvalid<TIndex>(TIndex* indices, long count, long limit, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // The body is copied to the worker threads, so the result lives in this frame, which outlives the run.
        long first = long.MaxValue;
        var body = new ValidateBody<TIndex> { Indices = indices, Count = count, Limit = limit, FirstBad = &first };
        int blocks = (int)((count + ValidateBody<TIndex>.Block - 1) / ValidateBody<TIndex>.Block);
        ParallelRunner.Run(ref body, blocks, degree);
        first = Volatile.Read(ref first);
        return first == long.MaxValue ? -1 : first;
    }

    public static void Run<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, int inPlane, int outPlane, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new ScatterBody<T, TIndex>
        {
            Source = source,
            Indices = indices,
            Destination = destination,
            InPlane = inPlane,
            OutPlane = outPlane,
            Sum = reduction == UnpoolReduction.Sum,
        };
        ParallelRunner.Run(ref body, planes, degree);
    }

    private struct ScatterBody<T, TIndex> : IParallelBody
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Source;
        public TIndex* Indices;
        public T* Destination;
        public int InPlane;
        public int OutPlane;
        public bool Sum;

        public readonly void Invoke(int start, int end)
        {
            for (int plane = start; plane < end; plane++)
            {
                T* x = Source + ((nint)plane * InPlane);
                TIndex* idx = Indices + ((nint)plane * InPlane);
                T* y = Destination + ((nint)plane * OutPlane);
                new Span<T>(y, OutPlane).Clear();
                if (Sum)
                {
                    for (int i = 0; i < InPlane; i++)
                    {
                        y[ToNint(idx[i])] += x[i];
                    }
                }
                else
                {
                    int i = 0;
                    for (; i <= InPlane - 4; i += 4)
                    {
                        y[ToNint(idx[i])] = x[i];
                        y[ToNint(idx[i + 1])] = x[i + 1];
                        y[ToNint(idx[i + 2])] = x[i + 2];
                        y[ToNint(idx[i + 3])] = x[i + 3];
                    }

                    for (; i < InPlane; i++)
                    {
                        y[ToNint(idx[i])] = x[i];
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint ToNint<TIndex>(TIndex value)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => typeof(TIndex) == typeof(int) ? Unsafe.As<TIndex, int>(ref value) : (nint)Unsafe.As<TIndex, long>(ref value);

    private struct ValidateBody<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public const int Block = 1 << 16;
        public TIndex* Indices;
        public long Count;
        public long Limit;
        public long* FirstBad;

        public readonly void Invoke(int start, int end)
        {
            long from = (long)start * Block;
            long to = Math.Min(Count, (long)end * Block);
            long bad = FirstOutOfRange(Indices, from, to, Limit);
            if (bad >= 0)
            {
                // Keep the smallest position over all threads, so the message never depends on the thread count.
                long seen = Volatile.Read(ref *FirstBad);
                while (bad < seen)
                {
                    long prior = Interlocked.CompareExchange(ref *FirstBad, bad, seen);
                    if (prior == seen)
                    {
                        break;
                    }

                    seen = prior;
                }
            }
        }
    }

    private static long FirstOutOfRange<TIndex>(TIndex* indices, long from, long to, long limit)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // Unsigned compare against the limit catches negatives too; scan vectors, then locate the culprit exactly.
        long i = from;
        if (Vector.IsHardwareAccelerated)
        {
            if (typeof(TIndex) == typeof(int))
            {
                var bound = new Vector<uint>((uint)Math.Min(limit, uint.MaxValue));
                for (; i <= to - Vector<uint>.Count; i += Vector<uint>.Count)
                {
                    if (Vector.GreaterThanOrEqualAny(Vector.Load((uint*)indices + i), bound))
                    {
                        break;
                    }
                }
            }
            else
            {
                var bound = new Vector<ulong>((ulong)limit);
                for (; i <= to - Vector<ulong>.Count; i += Vector<ulong>.Count)
                {
                    if (Vector.GreaterThanOrEqualAny(Vector.Load((ulong*)indices + i), bound))
                    {
                        break;
                    }
                }
            }
        }

        for (; i < to; i++)
        {
            long v = long.CreateTruncating(indices[i]);
            if ((ulong)v >= (ulong)limit)
            {
                return i;
            }
        }

        return -1;
    }
}
