using System.Diagnostics;
using System.Numerics;

namespace Unpooling.Internal;

/// <summary>
/// The 3-D argmax unpooling of the conventions the 2-D scatter cannot run on the <c>[N, C, D*H, W]</c> view: global
/// column-major (a different axis order in each volume) and InWindow (taps decoded through the 3-D window). Every index
/// is decoded and checked first; only then is the output cleared and the scatter run, in row-major input order on the
/// calling thread (the last duplicate wins, or all are summed in that order). The scatter decodes each index again and
/// skips one that no longer names a cell (a racing caller's change), so it never writes outside the destination.
/// </summary>
internal static unsafe class MaxUnpool3DKernel
{
    /// <summary>Returns -1 after unpooling, or the position of the first index that names no cell (nothing written).</summary>
    public static long Run<T, TIndex>(T* source, TIndex* indices, T* destination, long count, long outputCount, in IndexCodec3D codec, bool sum)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        for (long p = 0; p < count; p++)
        {
            if (!codec.TryDecode(long.CreateSaturating(indices[p]), p, out _))
            {
                return p;
            }
        }

        new Span<T>(destination, checked((int)outputCount)).Clear();
        for (long p = 0; p < count; p++)
        {
            if (codec.TryDecode(long.CreateSaturating(indices[p]), p, out long offset) && (ulong)offset < (ulong)outputCount)
            {
                Debug.Assert(Bounds.Within(destination + offset, 1, destination, outputCount), "a decoded index outside the output");
                destination[offset] = sum ? destination[offset] + source[p] : source[p];
            }
        }

        return -1;
    }
}
