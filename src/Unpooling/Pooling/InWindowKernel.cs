using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Argmax unpooling from <see cref="IndexConvention.InWindow"/> indices, for any geometry (overlapping windows,
/// padding, dilation, ceil mode, an explicit output size): every tap is checked first (in parallel by planes; on a
/// failure the first bad position is found in order, so the report never depends on the thread count), then per plane the output plane is
/// cleared and the values are scattered to their taps' cells in row-major input order (the last duplicate wins, or
/// all are added in that order). A tap names a cell of its element's own plane, so planes are independent.
/// </summary>
/// <remarks>
/// The scatter reads each tap once and checks it again at use (a tap a racing caller changed after validation is
/// skipped): one compare against <c>kH*kW</c> for windows inside the plane, <see cref="WindowTaps.Cell"/>'s own
/// checks for border windows.
/// </remarks>
internal static unsafe class InWindowKernel
{
    /// <summary>
    /// Validates and unpools <paramref name="planes"/> planes of <c>taps.PooledH x taps.PooledW</c> values into planes of
    /// <c>taps.Height x taps.Width</c>. Returns -1, or the position of the first invalid tap, in which case nothing
    /// was written.
    /// </summary>
    public static long Run<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, in WindowTaps taps, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long bad = FindInvalid(indices, planes, taps, degree);
        if (bad >= 0)
        {
            return bad;
        }

        Scatter(source, indices, destination, planes, taps, reduction, degree);
        return -1;
    }

    /// <summary>
    /// The scatter of <see cref="Run{T, TIndex}"/> without its validation (the entry the tests call with taps validation
    /// would refuse): a tap out of range or off the plane is skipped.
    /// </summary>
    internal static void Scatter<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, in WindowTaps taps, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new ScatterBody<T, TIndex>
        {
            Source = source,
            Indices = indices,
            Destination = destination,
            Taps = taps,
            Planes = planes,
            Sum = reduction == UnpoolReduction.Sum,
        };
        ParallelRunner.Run(ref body, planes, degree);
    }

    /// <summary>The position of the first index that is no valid tap (see <see cref="WindowTaps.Cell"/>), or -1.</summary>
    public static long FindInvalid<TIndex>(TIndex* indices, int planes, in WindowTaps taps, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (taps.AllTapsInside)
        {
            // No padding and no window past the border (the common case): a tap is valid exactly when it is in range,
            // which the vectorized range check decides.
            return MaxUnpool2DKernel.FindInvalid(indices, planes * taps.PooledPlane, taps.Count, degree);
        }

        // The body is copied to the worker threads, so the flag lives in this frame, which outlives the run.
        int failed = 0;
        var body = new ValidateBody<TIndex> { Indices = indices, Taps = taps, Planes = planes, Failed = &failed };
        ParallelRunner.Run(ref body, planes, degree);
        if (Volatile.Read(ref failed) == 0)
        {
            return -1;
        }

        // The error path: find the first bad position in order, so the message never depends on the thread count.
        for (long plane = 0; plane < planes; plane++)
        {
            long bad = FirstInvalidInPlane(indices + (plane * taps.PooledPlane), taps);
            if (bad >= 0)
            {
                return (plane * taps.PooledPlane) + bad;
            }
        }

        // Only a racing caller gets here (an index changed back between the two reads): the scatter checks every tap
        // again at use, so going on is safe, and what a racing caller gets is documented.
        return -1;
    }

    /// <summary>The position in its plane of the first invalid tap of one plane of indices, or -1.</summary>
    /// <remarks>
    /// Each row is checked in three column ranges, so no element pays a branch on where its window lies: the windows
    /// wholly inside the plane by range alone, through the vectorized range check (a tap there is valid exactly when it
    /// is below <c>kH*kW</c>), and the few border windows on either side tap by tap (<see cref="WindowTaps.Cell"/>).
    /// </remarks>
    [MethodImpl(KernelImpl.Entry)]
    public static long FirstInvalidInPlane<TIndex>(TIndex* idx, in WindowTaps taps)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long count = taps.Count, pooledH = taps.PooledH, pooledW = taps.PooledW;
        (long insideStart, long insideEnd) = taps.ColumnsInside;
        (long rowsStart, long rowsEnd) = taps.RowsInside;
        for (long oh = 0; oh < pooledH; oh++)
        {
            TIndex* row = idx + (oh * pooledW);
            long rowStart = taps.RowStart(oh);
            bool rowInside = oh >= rowsStart && oh < rowsEnd;
            long from = rowInside ? insideStart : pooledW, to = rowInside ? insideEnd : pooledW;
            long bad = FirstOffWindow(row, 0, from, rowStart, taps);
            if (bad < 0 && to > from)
            {
                long inRange = MaxUnpool2DKernel.FindInvalid(row + from, to - from, count, degree: 1);
                bad = inRange < 0 ? -1 : from + inRange;
            }

            if (bad < 0)
            {
                bad = FirstOffWindow(row, Math.Max(from, to), pooledW, rowStart, taps);
            }

            if (bad >= 0)
            {
                return (oh * pooledW) + bad;
            }
        }

        return -1;
    }

    /// <summary>The first column in <c>[from, to)</c> of one pooled row whose tap names no cell of the plane, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FirstOffWindow<TIndex>(TIndex* row, long from, long to, long rowStart, in WindowTaps taps)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        for (long ow = from; ow < to; ow++)
        {
            if (taps.Cell(IndexValue.Read(row[ow]), rowStart, taps.ColumnStart(ow)) < 0)
            {
                return ow;
            }
        }

        return -1;
    }

    /// <summary>Throws the <see cref="ArgumentOutOfRangeException"/> for the invalid tap at <paramref name="position"/>, named <paramref name="paramName"/>.</summary>
    [DoesNotReturn]
    public static void ThrowBadTap<TIndex>(string paramName, TIndex value, long position, in WindowTaps taps, Shape4D pooled)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw new ArgumentOutOfRangeException(paramName, value, taps.DescribeBadTap(value, IndexValue.Read(value), position, pooled));

    /// <summary>Checks planes in parallel; the first thread to find a bad tap raises the flag and all stop.</summary>
    private struct ValidateBody<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public TIndex* Indices;
        public WindowTaps Taps;
        public int Planes;
        public int* Failed;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            long perPlane = Taps.PooledPlane;
            for (int plane = start; plane < end && Volatile.Read(ref *Failed) == 0; plane++)
            {
                TIndex* idx = Indices + (plane * perPlane);
                Debug.Assert(Bounds.Within(idx, perPlane, Indices, Planes * perPlane), "index plane outside the indices");
                if (FirstInvalidInPlane(idx, Taps) >= 0)
                {
                    Volatile.Write(ref *Failed, 1);
                    return;
                }
            }
        }
    }

    /// <summary>The largest window whose tap offsets the scatter tabulates on the stack (8 KB).</summary>
    private const int MaxTableTaps = 1024;

    private struct ScatterBody<T, TIndex> : IParallelBody
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Source;
        public TIndex* Indices;
        public T* Destination;
        public WindowTaps Taps;
        public bool Sum;

        /// <summary>The planes of the buffers (for the range asserts only).</summary>
        public int Planes;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            WindowTaps taps = Taps;
            long inPlane = taps.PooledPlane, outPlane = taps.Plane;

            // A window wholly inside the plane puts tap t at its first cell plus offsets[t]: a table lookup instead of a
            // division and two bounds tests (windows of up to MaxTableTaps taps; larger ones decode every tap).
            // Only windows inside the plane read the table, so it is built only when there are some: then
            // (kH-1)*dH < H and (kW-1)*dW < W, and no offset overflows.
            bool table = taps.Count <= MaxTableTaps && taps.RowsInside.End > taps.RowsInside.Start && taps.ColumnsInside.End > taps.ColumnsInside.Start;
            long* offsets = stackalloc long[table ? (int)taps.Count : 1];
            for (long t = 0; table && t < taps.Count; t++)
            {
                offsets[t] = taps.Offset(t);
            }

            (long insideStart, long insideEnd) = table ? taps.ColumnsInside : (0, 0);
            (long rowsStart, long rowsEnd) = taps.RowsInside;
            long pooledH = taps.PooledH, pooledW = taps.PooledW, width = taps.Width, strideW = taps.StrideW, padW = taps.PadW, tapCount = taps.Count;

            // In locals: the stores through T* may alias this struct as far as the JIT knows, so fields would be
            // reloaded per element.
            bool sum = Sum;
            for (int plane = start; plane < end; plane++)
            {
                T* x = Source + (plane * inPlane);
                TIndex* idx = Indices + (plane * inPlane);
                T* y = Destination + (plane * outPlane);
                Debug.Assert(Bounds.Within(x, inPlane, Source, Planes * inPlane) && Bounds.Within(idx, inPlane, Indices, Planes * inPlane), "input plane outside the buffers");
                Debug.Assert(Bounds.Within(y, outPlane, Destination, Planes * outPlane), "output plane outside the destination");
                new Span<T>(y, (int)outPlane).Clear();
                for (long oh = 0; oh < pooledH; oh++)
                {
                    // Three column ranges per row (border windows, windows inside the plane, border windows), so the
                    // inside ones, nearly all of them, place a tap through the table with no branch on where they lie.
                    long i = oh * pooledW;
                    long rowStart = taps.RowStart(oh);
                    bool rowInside = table && oh >= rowsStart && oh < rowsEnd;
                    long from = rowInside ? insideStart : pooledW, to = rowInside ? insideEnd : pooledW;
                    ScatterOffWindow(x, idx, y, i, 0, from, rowStart, taps, sum);
                    T* yRow = y + (rowStart * width) + (from * strideW) - padW;
                    for (long ow = from; ow < to; ow++)
                    {
                        // Read once and checked at use (a racing caller may have changed it since validation): a
                        // window inside the plane puts every tap below Count on a cell of the plane, so the one
                        // compare is the whole bound; a tap that fails is skipped.
                        long tap = IndexValue.Read(idx[i + ow]);
                        if ((ulong)tap >= (ulong)tapCount)
                        {
                            continue;
                        }

                        T* cell = yRow + ((ow - from) * strideW) + offsets[tap];
                        Debug.Assert(cell >= y && cell < y + outPlane, "a tap below Count of a window inside the plane leaves the plane");
                        *cell = sum ? *cell + x[i + ow] : x[i + ow];
                    }

                    ScatterOffWindow(x, idx, y, i, Math.Max(from, to), pooledW, rowStart, taps, sum);
                }
            }
        }

        /// <summary>Scatters the elements of columns <c>[from, to)</c> of the pooled row starting at <paramref name="i"/>, each tap decoded (border windows).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void ScatterOffWindow(T* x, TIndex* idx, T* y, long i, long from, long to, long rowStart, in WindowTaps taps, bool sum)
        {
            for (long ow = from; ow < to; ow++)
            {
                // Cell is -1 for a tap out of range or off the plane (one a racing caller changed since validation):
                // skipped, never written through.
                long cell = taps.Cell(IndexValue.Read(idx[i + ow]), rowStart, taps.ColumnStart(ow));
                if (cell < 0)
                {
                    continue;
                }

                Debug.Assert((ulong)cell < (ulong)taps.Plane, "a valid tap's cell leaves its output plane");
                y[cell] = sum ? y[cell] + x[i + ow] : x[i + ow];
            }
        }
    }
}
