using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Converts index tensors <c>[N, C, oH, oW]</c> between conventions: one pass that checks every index, then one that
/// converts, so a failing call writes nothing and the conversion may run in place. Per plane and global row-major
/// differ by the plane's base offset, a vectorized add or subtract; the rest decode to the row-major offset and
/// encode again. Both passes split the positions over threads (<see cref="ParallelRunner"/>): each position is read,
/// then written, by one thread, every result is per position, and the checking pass keeps the smallest bad position,
/// so neither the converted indices nor the reported one depend on the thread count.
/// </summary>
internal static unsafe class IndexConversionKernel
{
    /// <summary>What a run of <see cref="Body{TIndex}"/> does with its positions.</summary>
    private enum Pass
    {
        /// <summary>Checks range and scope (a scoped destination: per plane, or channels-last per sample).</summary>
        Check,

        /// <summary>Converts between two conventions other than InWindow.</summary>
        Convert,

        /// <summary>Checks an InWindow conversion (either direction).</summary>
        CheckTaps,

        /// <summary>Converts to or from InWindow.</summary>
        ConvertTaps,

        /// <summary>InWindow to InWindow: a clamped copy of taps that passed <see cref="CheckTaps"/>.</summary>
        CopyTaps,
    }

    /// <summary>
    /// The first position whose index is outside <c>[0, from.Space)</c> (<paramref name="outOfRange"/> true) or names a
    /// cell outside the scope a <paramref name="to"/> index of that position can name (false), or -1.
    /// </summary>
    public static long FindInvalid<TIndex>(TIndex* indices, long planes, long perPlane, in IndexLayout from, in IndexLayout to, out bool outOfRange, int degree = 1)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // A cell can leave the destination's scope only when that scope is narrower than the source's.
        bool scoped = (to.Convention == IndexConvention.PerPlane && from.Convention != IndexConvention.PerPlane)
            || (to.Convention == IndexConvention.ChannelsLastPerSample && from.Space > to.Space);
        if (!scoped)
        {
            long bad = MaxUnpool2DKernel.FindInvalid(indices, planes * perPlane, from.Space, degree);
            outOfRange = bad >= 0;
            return bad;
        }

        var body = new Body<TIndex> { Source = indices, Count = planes * perPlane, PerPlane = perPlane, From = from, To = to, Pass = Pass.Check };
        return body.FirstInvalid(degree, out outOfRange);
    }

    /// <summary>Converts indices that passed <see cref="FindInvalid"/>; <paramref name="destination"/> may be <paramref name="indices"/>.</summary>
    /// <remarks>
    /// Every value written lies in <paramref name="to"/>'s range <c>[0, to.Space)</c>, even for an index a racing caller
    /// changed after <see cref="FindInvalid"/> passed: the vectorized cases clamp each index into its valid range first
    /// (a valid index is its own clamp, so that costs one more pass over a plane, never a different answer), and the
    /// decoding case converts an index outside <c>[0, from.Space)</c> to 0. Any index of <c>[0, from.Space)</c> decodes to
    /// a cell of the tensor, whose index in every convention lies in <c>[0, to.Space)</c> (a cell of another plane or
    /// sample, which validation refused, becomes one of the element's own).
    /// </remarks>
    public static void Convert<TIndex>(TIndex* indices, TIndex* destination, long planes, int perPlane, in IndexLayout from, in IndexLayout to, int degree = 1)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new Body<TIndex> { Source = indices, Destination = destination, Count = planes * perPlane, PerPlane = perPlane, From = from, To = to, Pass = Pass.Convert };
        body.Run(degree);
    }

    /// <summary>
    /// Converts between <see cref="IndexConvention.InWindow"/> and <paramref name="other"/>'s convention (to InWindow
    /// when <paramref name="toInWindow"/>), checking each index first: returns the first position whose index is
    /// invalid, or -1. With a null <paramref name="destination"/> it only checks (the pass before any write); otherwise
    /// it writes every position, which may be the same memory as <paramref name="indices"/> (each position is read
    /// before it is written), and returns -1. <paramref name="outOfRange"/> tells an index outside its source range (an
    /// InWindow index that is no valid tap, or another convention's index outside <c>[0, other.Space)</c>) from one that
    /// names a cell which is no tap of its element's own window.
    /// </summary>
    public static long ConvertInWindow<TIndex>(
        TIndex* indices, TIndex* destination, long planes, in WindowTaps taps, in IndexLayout other, bool toInWindow, out bool outOfRange, int degree = 1)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new Body<TIndex>
        {
            Source = indices,
            Destination = destination,
            Count = planes * taps.PooledPlane,
            PerPlane = taps.PooledPlane,
            From = other,
            Taps = taps,
            ToInWindow = toInWindow,
            Pass = destination == null ? Pass.CheckTaps : Pass.ConvertTaps,
        };
        if (destination == null)
        {
            return body.FirstInvalid(degree, out outOfRange);
        }

        body.Run(degree);
        outOfRange = false;
        return -1;
    }

    /// <summary>
    /// The InWindow to InWindow conversion after <see cref="ConvertInWindow"/>'s check passed: a copy in which a tap a
    /// racing caller has changed since becomes 0 (a tap of every window), so every value written lies in <c>[0, kH*kW)</c>.
    /// </summary>
    public static void CopyTaps<TIndex>(TIndex* indices, TIndex* destination, long planes, in WindowTaps taps, int degree = 1)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new Body<TIndex> { Source = indices, Destination = destination, Count = planes * taps.PooledPlane, PerPlane = taps.PooledPlane, Taps = taps, Pass = Pass.CopyTaps };
        body.Run(degree);
    }

    /// <summary>
    /// One pass over positions <c>[start, end)</c> (a work item is one position; the runner hands each thread a
    /// contiguous range of them). A checking pass stops its range at the first bad position and keeps
    /// <c>position*2 + outOfRange</c> in <see cref="FirstBad"/> when smaller than what another thread found, so the
    /// smallest bad position wins, with its reason, whatever the split.
    /// </summary>
    private struct Body<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public TIndex* Source;
        public TIndex* Destination;
        public long Count;
        public long PerPlane;
        public IndexLayout From;
        public IndexLayout To;
        public WindowTaps Taps;
        public bool ToInWindow;
        public Pass Pass;
        public long* FirstBad;

        /// <summary>Runs a checking pass; the first bad position (and whether it is out of range), or -1.</summary>
        public long FirstInvalid(int degree, out bool outOfRange)
        {
            // The body is copied to the worker threads, so the result lives in this frame, which outlives the run.
            long first = long.MaxValue;
            FirstBad = &first;
            Run(degree);
            first = Volatile.Read(ref first);
            outOfRange = first != long.MaxValue && (first & 1) != 0;
            return first == long.MaxValue ? -1 : first >> 1;
        }

        public void Run(int degree)
        {
            Debug.Assert(Count is >= 0 and <= int.MaxValue, "the positions of a span");
            ParallelRunner.Run(ref this, (int)Count, degree);
        }

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            Debug.Assert(start >= 0 && start <= end && end <= Count, "a range outside the indices");
            switch (Pass)
            {
                case Pass.Check:
                    Check(start, end);
                    break;
                case Pass.Convert:
                    Convert(start, end);
                    break;
                case Pass.CopyTaps:
                    CopyTaps(start, end);
                    break;
                default:
                    WindowPass(start, end);
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void CopyTaps(long start, long end)
        {
            long count = Taps.Count;
            for (long p = start; p < end; p++)
            {
                TIndex tap = Source[p];
                Destination[p] = IndexValue.InRange(tap, count) ? tap : TIndex.Zero;
            }
        }

        private readonly void Keep(long position, bool outOfRange) => MaxUnpool3DKernel.KeepFirst(FirstBad, (position << 1) | (outOfRange ? 1L : 0L));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Check(long start, long end)
        {
            ulong fromSpace = (ulong)From.Space, toSpace = (ulong)To.Space;
            for (long p = start; p < end;)
            {
                long plane = p / PerPlane, stop = Math.Min(end, (plane + 1) * PerPlane);
                long n = plane / From.Channels, c = plane - (n * From.Channels), first = To.ScopeStart(n, c);
                for (; p < stop; p++)
                {
                    long index = IndexValue.Read(Source[p]);
                    bool outOfRange = (ulong)index >= fromSpace;
                    if (outOfRange || (ulong)(From.ToRowMajor(index, n, c) - first) >= toSpace)
                    {
                        Keep(p, outOfRange);
                        return;
                    }
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void Convert(long start, long end)
        {
            ulong fromSpace = (ulong)From.Space;
            TIndex lastInPlane = TIndex.CreateTruncating(From.Plane - 1), lastOfSpace = TIndex.CreateTruncating(From.Space - 1);
            for (long p = start; p < end;)
            {
                // The part of one plane that lies in this range.
                long plane = p / PerPlane, stop = Math.Min(end, (plane + 1) * PerPlane);
                int length = (int)(stop - p);
                Debug.Assert(Bounds.Within(Source + p, length, Source, Count) && Bounds.Within(Destination + p, length, Destination, Count), "a plane's part outside the indices");
                var source = new ReadOnlySpan<TIndex>(Source + p, length);
                var target = new Span<TIndex>(Destination + p, length);
                TIndex planeBase = TIndex.CreateTruncating(plane * From.Plane);
                switch ((From.Convention, To.Convention))
                {
                    case var (a, b) when a == b:
                        // A checked copy: validation proved every index in [0, Space), the clamp keeps a racing one there.
                        TensorPrimitives.Clamp(source, TIndex.Zero, lastOfSpace, target);
                        break;
                    case (IndexConvention.PerPlane, IndexConvention.GlobalRowMajor):
                        // base + [0, Plane) is this plane's range of global indices, inside [0, N*C*H*W) with no overflow.
                        TensorPrimitives.Clamp(source, TIndex.Zero, lastInPlane, target);
                        TensorPrimitives.Add(target, planeBase, target);
                        break;
                    case (IndexConvention.GlobalRowMajor, IndexConvention.PerPlane):
                        // Validation proved each global index in this plane, [base, base + Plane).
                        TensorPrimitives.Clamp(source, planeBase, planeBase + lastInPlane, target);
                        TensorPrimitives.Subtract(target, planeBase, target);
                        break;
                    default:
                        long n = plane / From.Channels, c = plane - (n * From.Channels);
                        for (int i = 0; i < length; i++)
                        {
                            long index = IndexValue.Read(source[i]);
                            target[i] = TIndex.CreateTruncating((ulong)index < fromSpace ? To.FromRowMajor(From.ToRowMajor(index, n, c)) : 0);
                        }

                        break;
                }

                p = stop;
            }
        }

        /// <summary>The checking or converting pass to or from InWindow over <c>[start, end)</c>, window by window.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void WindowPass(long start, long end)
        {
            WindowTaps taps = Taps;
            bool check = Pass == Pass.CheckTaps, toInWindow = ToInWindow;
            ulong space = (ulong)From.Space, cells = (ulong)taps.Plane;
            long pooledW = taps.PooledW, perPlane = taps.PooledPlane;
            long plane = start / perPlane, inPlane = start - (plane * perPlane), oh = inPlane / pooledW, ow = inPlane - (oh * pooledW);
            for (long p = start; p < end;)
            {
                long n = plane / From.Channels, c = plane - (n * From.Channels), planeBase = plane * taps.Plane;
                long rowStart = taps.RowStart(oh);
                for (; ow < pooledW && p < end; ow++, p++)
                {
                    long index = IndexValue.Read(Source[p]), converted;
                    bool bad;
                    if (toInWindow)
                    {
                        bad = (ulong)index >= space;
                        long cell = bad ? -1 : From.ToRowMajor(index, n, c) - planeBase;
                        converted = (ulong)cell < cells ? taps.Tap(cell, rowStart, taps.ColumnStart(ow)) : -1;
                    }
                    else
                    {
                        long cell = taps.Cell(index, rowStart, taps.ColumnStart(ow));
                        bad = cell < 0;
                        converted = bad ? -1 : From.FromRowMajor(planeBase + cell);
                    }

                    if (converted < 0)
                    {
                        if (check)
                        {
                            Keep(p, bad);
                            return;
                        }

                        // The writing pass after a passed check: only an index a racing caller changed in between
                        // fails here. It becomes 0, inside the destination convention's range (a tap of every window,
                        // an index of every scope), and the pass goes on, so every position is written.
                        converted = 0;
                    }

                    if (!check)
                    {
                        Destination[p] = TIndex.CreateTruncating(converted);
                    }
                }

                // The next window row (of this plane, or the first of the next plane).
                ow = 0;
                if (++oh == taps.PooledH)
                {
                    oh = 0;
                    plane++;
                }
            }
        }
    }
}
