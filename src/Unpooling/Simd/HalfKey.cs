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
/// Why 16-bit lanes and not Half widened to float: measured with Stopwatch probes on this 2-core Zen machine
/// (2026-12-01, shared and noisy, 1 thread). In isolated 2x2 stride-2 row loops at 256 bits (16 planes of 224x224,
/// values and int32 per-plane indices), exact keys in float lanes with int32 offsets took 290-350 us, 16-bit keys with
/// the bits and the tap code carried 195-255 us (0.60-0.81x), and 16-bit bits with the running maximum's key
/// recomputed per tap 326-370 us (no gain). In this kernel at 512 bits, both layouts built and run alternately:
/// in-window byte switches 130-185 us against 185-207 us with float keys (the tap code is the switch: one narrowing
/// store), long per-plane indices 220-260 us against 210-290 us and 3x3 stride 2 350-435 us against 400-435 us (no clear
/// difference: decoding tap codes into plane offsets costs about what the wider lanes save).
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
