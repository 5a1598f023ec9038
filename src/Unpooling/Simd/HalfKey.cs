using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The order key of a <see cref="Half"/> in a signed 16-bit lane: <c>+magnitude</c> for a positive value, <c>-magnitude</c>
/// for a negative one (so +0 and -0 are equal, as SEMANTICS.md's compare says), and the top key <c>0x7FFF</c> for every
/// NaN, so that nothing compares greater than a NaN (IEEE's false compare); a NaN itself is taken by the separate
/// <c>isNaN</c> test of the selection rule. The key is not invertible (both zeros, all NaNs), so the Half widths carry
/// the bits beside it (<see cref="HalfLanes256"/>) and store exactly the chosen cell.
/// </summary>
/// <remarks>
/// Why 16-bit lanes and not Half widened to float: measured with a Stopwatch probe (2x2 stride-2 rows of 16 planes of
/// 224x224, values and int32 per-plane indices, 256-bit, this 2-core Zen machine, 2026-12-01), exact keys in float
/// lanes with int32 offsets took 290-350 us, 16-bit keys with bits and tap code carried 195-255 us (0.60-0.81x), and
/// 16-bit bits with the running maximum's key recomputed per tap 326-370 us (no gain). In the kernel at 512 bits the
/// float-lane Half path ran 2x2 stride 2 at 287 us against 173 us for float; the 16-bit path moves twice the lanes per
/// instruction and writes in-window byte switches with one narrowing store.
/// </remarks>
internal static class HalfKey
{
    /// <summary>The magnitude bits of infinity: a larger magnitude is a NaN.</summary>
    public const int Infinity = 0x7C00;

    /// <summary>The key of the Half whose bits are <paramref name="bits"/> (the scalar form of the widths' keys).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Key(ushort bits)
    {
        int magnitude = bits & 0x7FFF;
        return magnitude > Infinity ? short.MaxValue : (short)((bits & 0x8000) != 0 ? -magnitude : magnitude);
    }

    /// <summary>For the members the Half widths leave out (the pooling kernel uses none of them).</summary>
    public static NotSupportedException NotForHalfLanes() => new("The Half widths compare, select, load and store Half lanes for pooling only.");
}
