using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention)"/>
/// for index arrays laid out channels-last (<c>[N, oH, oW, C]</c>): an element's position gives its (n, oh, ow, c) in
/// that order, and its value converts exactly as the channels-first element (n, c, oh, ow) would. One pass checks every
/// index, a second writes, so a failing call writes nothing and the conversion may run in place (each position is read
/// before it is written).
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
    /// writes 0 for an index a racing caller changed since the check (inside every destination range).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    public static long Convert<TIndex>(
        TIndex* indices, TIndex* destination, Shape4D indicesShape, Shape4D indexed, in WindowTaps taps, IndexConvention sourceConvention,
        IndexConvention destinationConvention, out bool outOfRange)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool fromTaps = sourceConvention == IndexConvention.InWindow, toTaps = destinationConvention == IndexConvention.InWindow;
        var from = new IndexLayout(fromTaps ? IndexConvention.PerPlane : sourceConvention, indexed);
        var to = new IndexLayout(toTaps ? IndexConvention.PerPlane : destinationConvention, indexed);
        long channels = indicesShape.Channels, plane = indexed.PlaneSize, position = 0;
        for (long n = 0; n < indicesShape.Batch; n++)
        {
            for (long oh = 0; oh < indicesShape.Height; oh++)
            {
                long rowStart = fromTaps || toTaps ? taps.RowStart(oh) : 0;
                for (long ow = 0; ow < indicesShape.Width; ow++)
                {
                    long columnStart = fromTaps || toTaps ? taps.ColumnStart(ow) : 0;
                    for (long c = 0; c < channels; c++, position++)
                    {
                        long index = IndexValue.Read(indices[position]);
                        long planeBase = ((n * channels) + c) * plane;
                        Failure failure = Failure.None;
                        long cell;
                        if (fromTaps)
                        {
                            long inPlane = taps.Cell(index, rowStart, columnStart);
                            failure = inPlane < 0 ? Failure.OutOfRange : Failure.None;
                            cell = planeBase + inPlane;
                        }
                        else if ((ulong)index >= (ulong)from.Space)
                        {
                            failure = Failure.OutOfRange;
                            cell = 0;
                        }
                        else
                        {
                            cell = from.ToRowMajor(index, n, c);
                        }

                        long converted = 0;
                        if (failure == Failure.None)
                        {
                            long scope = toTaps ? planeBase : to.ScopeStart(n, c);
                            long scopeSize = toTaps ? plane : to.Space;
                            if ((ulong)(cell - scope) >= (ulong)scopeSize)
                            {
                                failure = Failure.NotInScope;
                            }
                            else
                            {
                                converted = toTaps ? taps.Tap(cell - planeBase, rowStart, columnStart) : to.FromRowMajor(cell);
                                failure = converted < 0 ? Failure.NotInScope : Failure.None;
                            }
                        }

                        if (failure != Failure.None)
                        {
                            if (destination == null)
                            {
                                outOfRange = failure == Failure.OutOfRange;
                                return position;
                            }

                            converted = 0;
                        }

                        if (destination != null)
                        {
                            destination[position] = TIndex.CreateTruncating(converted);
                        }
                    }
                }
            }
        }

        outOfRange = false;
        return -1;
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
