using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// Produces one output row of a factor-2 unpooling: <see cref="Pairs"/> gives output columns
/// <c>[2j, 2j + 2*Count)</c> as two vectors, <see cref="Cell"/> any single column (row edges, unaligned heads).
/// </summary>
internal interface IPairRow<TSimd, TVector, T>
    where TSimd : struct, ISimd<TSimd, TVector, T>
    where TVector : struct
    where T : unmanaged
{
    void Pairs(int j, out TVector lower, out TVector upper);

    T Cell(int column);
}

/// <summary>
/// Writes a factor-2 output row from an <see cref="IPairRow{TSimd, TVector, T}"/>. With <c>nonTemporal</c> the vector
/// part is stored past the caches in aligned blocks (no read-for-ownership of lines about to be overwritten: on
/// outputs far larger than the cache this removes a third of the memory traffic); cells before the first aligned
/// block and after the last run the scalar <see cref="IPairRow{TSimd, TVector, T}.Cell"/>. Both ways write the same values.
/// </summary>
internal static unsafe class PairRowWriter
{
    /// <summary>Outputs at least this large use non-temporal stores; smaller ones are likely read again from cache.</summary>
    /// <remarks>Internal and settable so tests can force both ways; the results are identical, so a race is harmless.</remarks>
    internal static long NonTemporalThresholdBytes = 16L << 20;

    public static bool UseNonTemporal<T>(long outputElements)
        where T : unmanaged
        => outputElements * sizeof(T) >= NonTemporalThresholdBytes;

    /// <summary>Writes columns <c>[0, outW)</c>: vector pairs for <c>j &lt; pairs</c> (<c>pairs &gt;= Count</c>), cells after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<TSimd, TVector, T, TRow>(T* y, int pairs, int outW, ref TRow row, bool nonTemporal)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
        where TRow : struct, IPairRow<TSimd, TVector, T>
    {
        int count = TSimd.Count;
        int j = 0;
        if (pairs < count)
        {
            for (int c = 0; c < outW; c++)
            {
                y[c] = row.Cell(c);
            }

            return;
        }

        nint vectorBytes = count * sizeof(T);
        if (nonTemporal && ((nint)y % (2 * sizeof(T))) == 0)
        {
            // First pair whose output address is vector-aligned; cells before it are written one by one.
            int head = (int)(((vectorBytes - ((nint)y % vectorBytes)) % vectorBytes) / (2 * sizeof(T)));
            if (head + count <= pairs)
            {
                for (int c = 0; c < 2 * head; c++)
                {
                    y[c] = row.Cell(c);
                }

                for (j = head; j <= pairs - count; j += count)
                {
                    row.Pairs(j, out TVector lower, out TVector upper);
                    TSimd.StoreNonTemporal(lower, y + (2 * j));
                    TSimd.StoreNonTemporal(upper, y + (2 * j) + count);
                }

                for (int c = 2 * j; c < outW; c++)
                {
                    y[c] = row.Cell(c);
                }

                return;
            }
        }

        for (; j <= pairs - count; j += count)
        {
            row.Pairs(j, out TVector lower, out TVector upper);
            TSimd.Store(lower, y + (2 * j));
            TSimd.Store(upper, y + (2 * j) + count);
        }

        if (j < pairs)
        {
            // Overlap the previous vector: the cells it rewrites get the same values.
            int last = pairs - count;
            row.Pairs(last, out TVector lower, out TVector upper);
            TSimd.Store(lower, y + (2 * last));
            TSimd.Store(upper, y + (2 * last) + count);
        }

        for (int c = 2 * pairs; c < outW; c++)
        {
            y[c] = row.Cell(c);
        }
    }

    /// <summary>Zeroes <paramref name="length"/> elements, past the caches when <paramref name="nonTemporal"/>.</summary>
    public static void Clear<TSimd, TVector, T>(T* y, int length, bool nonTemporal)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
    {
        int count = TSimd.Count;
        nint vectorBytes = count * sizeof(T);
        if (!nonTemporal || ((nint)y % sizeof(T)) != 0)
        {
            new Span<T>(y, length).Clear();
            return;
        }

        int head = (int)Math.Min(length, ((vectorBytes - ((nint)y % vectorBytes)) % vectorBytes) / sizeof(T));
        new Span<T>(y, head).Clear();
        int i = head;
        TVector zero = TSimd.Zero;
        for (; i <= length - count; i += count)
        {
            TSimd.StoreNonTemporal(zero, y + i);
        }

        new Span<T>(y + i, length - i).Clear();
    }

    /// <summary>Orders this thread's non-temporal stores before the work is reported done.</summary>
    public static void Fence()
    {
        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
        else
        {
            Interlocked.MemoryBarrier();
        }
    }
}
