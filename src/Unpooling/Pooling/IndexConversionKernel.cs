using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Converts index tensors <c>[N, C, oH, oW]</c> between conventions: one pass that checks every index, then one that
/// converts, so a failing call writes nothing and the conversion may run in place. Per plane and global row-major
/// differ by the plane's base offset, a vectorized add or subtract; the rest decode to the row-major offset and
/// encode again.
/// </summary>
internal static unsafe class IndexConversionKernel
{
    /// <summary>
    /// The first position whose index is outside <c>[0, from.Space)</c> (<paramref name="outOfRange"/> true) or names a
    /// cell outside the scope a <paramref name="to"/> index of that position can name (false), or -1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    public static long FindInvalid<TIndex>(TIndex* indices, long planes, long perPlane, in IndexLayout from, in IndexLayout to, out bool outOfRange)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // A cell can leave the destination's scope only when that scope is narrower than the source's.
        bool scoped = (to.Convention == IndexConvention.PerPlane && from.Convention != IndexConvention.PerPlane)
            || (to.Convention == IndexConvention.ChannelsLastPerSample && from.Space > to.Space);
        if (!scoped)
        {
            long bad = MaxUnpool2DKernel.FindInvalid(indices, planes * perPlane, from.Space, 1);
            outOfRange = bad >= 0;
            return bad;
        }

        ulong fromSpace = (ulong)from.Space, toSpace = (ulong)to.Space;
        for (long plane = 0; plane < planes; plane++)
        {
            long n = plane / from.Channels, c = plane - (n * from.Channels), first = to.ScopeStart(n, c);
            TIndex* idx = indices + (plane * perPlane);
            for (long i = 0; i < perPlane; i++)
            {
                long index = IndexValue.Read(idx[i]);
                outOfRange = (ulong)index >= fromSpace;
                if (outOfRange || (ulong)(from.ToRowMajor(index, n, c) - first) >= toSpace)
                {
                    return (plane * perPlane) + i;
                }
            }
        }

        outOfRange = false;
        return -1;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    public static void Convert<TIndex>(TIndex* indices, TIndex* destination, long planes, int perPlane, in IndexLayout from, in IndexLayout to)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ulong fromSpace = (ulong)from.Space;
        TIndex lastInPlane = TIndex.CreateTruncating(from.Plane - 1), lastOfSpace = TIndex.CreateTruncating(from.Space - 1);
        for (long plane = 0; plane < planes; plane++)
        {
            var source = new ReadOnlySpan<TIndex>(indices + (plane * perPlane), perPlane);
            var target = new Span<TIndex>(destination + (plane * perPlane), perPlane);
            TIndex planeBase = TIndex.CreateTruncating(plane * from.Plane);
            switch ((from.Convention, to.Convention))
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
                    long n = plane / from.Channels, c = plane - (n * from.Channels);
                    for (int i = 0; i < perPlane; i++)
                    {
                        long index = IndexValue.Read(source[i]);
                        target[i] = TIndex.CreateTruncating((ulong)index < fromSpace ? to.FromRowMajor(from.ToRowMajor(index, n, c)) : 0);
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Converts between <see cref="IndexConvention.InWindow"/> and <paramref name="other"/>'s convention (to InWindow
    /// when <paramref name="toInWindow"/>), checking each index first: returns the first position whose index is
    /// invalid, or -1. With a null <paramref name="destination"/> it only checks (the pass before any write); otherwise
    /// it writes every position, which may be the same memory as <paramref name="indices"/> (each position is read
    /// before it is written). <paramref name="outOfRange"/> tells an index outside its source range (an InWindow index
    /// that is no valid tap, or another convention's index outside <c>[0, other.Space)</c>) from one that names a cell
    /// which is no tap of its element's own window.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    public static long ConvertInWindow<TIndex>(TIndex* indices, TIndex* destination, long planes, in WindowTaps taps, in IndexLayout other, bool toInWindow, out bool outOfRange)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ulong space = (ulong)other.Space, cells = (ulong)taps.Plane;
        long position = 0;
        bool bad = false; // a local: the out parameter is a reference the loop would store through every time
        for (long plane = 0; plane < planes; plane++)
        {
            long n = plane / other.Channels, c = plane - (n * other.Channels), planeBase = plane * taps.Plane;
            for (long oh = 0; oh < taps.PooledH; oh++)
            {
                long rowStart = taps.RowStart(oh);
                for (long ow = 0; ow < taps.PooledW; ow++, position++)
                {
                    long index = IndexValue.Read(indices[position]), converted;
                    if (toInWindow)
                    {
                        bad = (ulong)index >= space;
                        long cell = bad ? -1 : other.ToRowMajor(index, n, c) - planeBase;
                        converted = (ulong)cell < cells ? taps.Tap(cell, rowStart, taps.ColumnStart(ow)) : -1;
                    }
                    else
                    {
                        long cell = taps.Cell(index, rowStart, taps.ColumnStart(ow));
                        bad = cell < 0;
                        converted = bad ? -1 : other.FromRowMajor(planeBase + cell);
                    }

                    if (converted < 0)
                    {
                        if (destination == null)
                        {
                            outOfRange = bad;
                            return position;
                        }

                        // The writing pass after a passed check: only an index a racing caller changed in between
                        // fails here. It becomes 0, inside the destination convention's range (a tap of every window,
                        // an index of every scope), and the pass goes on, so every position is written.
                        converted = 0;
                    }

                    if (destination != null)
                    {
                        destination[position] = TIndex.CreateTruncating(converted);
                    }
                }
            }
        }

        outOfRange = false;
        return -1;
    }
}
