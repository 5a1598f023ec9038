using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
/// for index arrays laid out channels-last (<c>[N, oH, oW, C]</c>): an element's position gives its (n, oh, ow, c) in
/// that order, and its value converts exactly as the channels-first element (n, c, oh, ow) would. One pass checks every
/// index, a second writes, so a failing call writes nothing and the conversion may run in place (each position is read
/// before it is written). Both passes split the positions over threads.
/// </summary>
internal static unsafe class ChannelsLastIndexConversion
{
    /// <summary>Why an index failed: none, outside its source range, or naming a cell the destination cannot express.</summary>
    private enum Failure
    {
        None,
        OutOfRange,
        NotInScope,
    }

    /// <summary>
    /// Checks (<paramref name="destination"/> null) or converts every index. Conventions may be InWindow on either side
    /// (<paramref name="taps"/> then defines the windows). Returns the first failing position, or -1; the writing pass
    /// writes 0 for an index a racing caller changed since the check (inside every destination range). The positions
    /// are split over up to <paramref name="degree"/> threads; each is read, then written, by one thread, and the
    /// checking pass keeps the smallest failing position, so neither the result nor the reported position depends on
    /// the thread count.
    /// </summary>
    public static long Convert<TIndex>(
        TIndex* indices, TIndex* destination, Shape4D indicesShape, Shape4D indexed, in WindowTaps taps, IndexConvention sourceConvention,
        IndexConvention destinationConvention, out bool outOfRange, int degree = 1)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool fromTaps = sourceConvention == IndexConvention.InWindow, toTaps = destinationConvention == IndexConvention.InWindow;
        long count = indicesShape.ElementCount, first = long.MaxValue;
        Debug.Assert(count is >= 0 and <= int.MaxValue, "the positions of a span");
        var body = new Body<TIndex>
        {
            Source = indices,
            Destination = destination,
            Shape = indicesShape,
            Plane = indexed.PlaneSize,
            From = new IndexLayout(fromTaps ? IndexConvention.PerPlane : sourceConvention, indexed),
            To = new IndexLayout(toTaps ? IndexConvention.PerPlane : destinationConvention, indexed),
            Taps = taps,
            FromTaps = fromTaps,
            ToTaps = toTaps,

            // The body is copied to the worker threads, so the result lives in this frame, which outlives the run.
            FirstBad = &first,
        };
        ParallelRunner.Run(ref body, (int)count, degree);
        first = Volatile.Read(ref first);
        outOfRange = first != long.MaxValue && (first & 1) != 0;
        return first == long.MaxValue ? -1 : first >> 1;
    }

    /// <summary>
    /// Positions <c>[start, end)</c> of one conversion (a work item is one position). A checking range stops at its
    /// first failure and keeps <c>position*2 + outOfRange</c> in <see cref="FirstBad"/> when smaller than what another
    /// thread found.
    /// </summary>
    private struct Body<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public TIndex* Source;
        public TIndex* Destination;
        public Shape4D Shape;
        public long Plane;
        public IndexLayout From;
        public IndexLayout To;
        public WindowTaps Taps;
        public bool FromTaps;
        public bool ToTaps;
        public long* FirstBad;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            Debug.Assert(start >= 0 && start <= end && end <= Shape.ElementCount, "a range outside the indices");
            bool fromTaps = FromTaps, toTaps = ToTaps, windows = fromTaps || toTaps;
            long channels = Shape.Channels, width = Shape.Width, height = Shape.Height, plane = Plane;

            // Position (n*oH + oh)*oW + ow)*C + c of the first position of the range, then counted on.
            long pixel = start / channels, c = start - (pixel * channels), row = pixel / width, ow = pixel - (row * width);
            long n = row / height, oh = row - (n * height);
            for (long position = start; position < end;)
            {
                long rowStart = windows ? Taps.RowStart(oh) : 0;
                long columnStart = windows ? Taps.ColumnStart(ow) : 0;
                for (; c < channels && position < end; c++, position++)
                {
                    long index = IndexValue.Read(Source[position]);
                    long planeBase = ((n * channels) + c) * plane;
                    Failure failure = Failure.None;
                    long cell;
                    if (fromTaps)
                    {
                        long inPlane = Taps.Cell(index, rowStart, columnStart);
                        failure = inPlane < 0 ? Failure.OutOfRange : Failure.None;
                        cell = planeBase + inPlane;
                    }
                    else if ((ulong)index >= (ulong)From.Space)
                    {
                        failure = Failure.OutOfRange;
                        cell = 0;
                    }
                    else
                    {
                        cell = From.ToRowMajor(index, n, c);
                    }

                    long converted = 0;
                    if (failure == Failure.None)
                    {
                        long scope = toTaps ? planeBase : To.ScopeStart(n, c);
                        long scopeSize = toTaps ? plane : To.Space;
                        if ((ulong)(cell - scope) >= (ulong)scopeSize)
                        {
                            failure = Failure.NotInScope;
                        }
                        else
                        {
                            converted = toTaps ? Taps.Tap(cell - planeBase, rowStart, columnStart) : To.FromRowMajor(cell);
                            failure = converted < 0 ? Failure.NotInScope : Failure.None;
                        }
                    }

                    if (failure != Failure.None)
                    {
                        if (Destination == null)
                        {
                            MaxUnpool3DKernel.KeepFirst(FirstBad, (position << 1) | (failure == Failure.OutOfRange ? 1L : 0L));
                            return;
                        }

                        converted = 0;
                    }

                    if (Destination != null)
                    {
                        Destination[position] = TIndex.CreateTruncating(converted);
                    }
                }

                // The next pixel (of this row, or the first of the next row, or of the next sample).
                c = 0;
                if (++ow == width)
                {
                    ow = 0;
                    if (++oh == height)
                    {
                        oh = 0;
                        n++;
                    }
                }
            }
        }
    }

    /// <summary>The error of the index at <paramref name="position"/> that <see cref="Convert{TIndex}"/> refused.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Throw<TIndex>(
        TIndex value, long position, Shape4D indicesShape, Shape4D indexed, IndexConvention sourceConvention, IndexConvention destinationConvention, bool outOfRange)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long pixel = position / indicesShape.Channels, c = position - (pixel * indicesShape.Channels);
        long n = pixel / indicesShape.PlaneSize, rest = pixel - (n * indicesShape.PlaneSize);
        string element = $"element (n {n}, h {rest / indicesShape.Width}, w {rest % indicesShape.Width}, c {c}) of the channels-last indices {indicesShape}";
        if (outOfRange)
        {
            string range = sourceConvention == IndexConvention.InWindow
                ? "a tap of the element's window whose cell lies in the indexed plane"
                : $"0 to {new IndexLayout(sourceConvention, indexed).Space - 1}";
            ThrowHelper.ThrowArgumentOutOfRange(
                "indices", value, $"Index {value} at position {position} ({element}) is outside its range in convention {sourceConvention}; valid indices are {range}.");
        }

        ThrowHelper.ThrowArgument(
            "indices",
            $"Index {value} at position {position} ({element}) in convention {sourceConvention} names a cell that a {destinationConvention} index at that position cannot name " +
            "(outside the element's plane, sample or window).");
    }
}
