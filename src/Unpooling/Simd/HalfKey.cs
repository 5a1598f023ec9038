using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// An exact, invertible map from <see cref="Half"/> bits to float bits that orders like the Half values do: the sign
/// stays the sign, the 15 magnitude bits move up 13 places, and the exponent field of infinity and NaN is completed to
/// float's all-ones. So +0 and -0 compare equal, NaNs are float NaNs (each keeps its payload), infinities are float
/// infinities, and every finite Half maps to a distinct float below them, in order. The float compare-and-select of
/// SEMANTICS.md on keys is therefore the Half rule, and <see cref="Bits"/> returns the chosen cell's exact bits
/// (NaN payload and signalling bit, the sign of zero), which a value conversion would not (it quiets NaNs).
/// </summary>
/// <remarks>
/// Why keys in float lanes rather than compares in 16-bit lanes: a 16-bit key cannot be both order-correct for ±0 and
/// invertible, so it must carry the bits in a third vector beside the key and the tap code, and its key costs as many
/// operations per tap; the float lanes reuse the float kernel whole (every index convention, int32 offset lanes).
/// Measured with a Stopwatch probe on 2x2 stride-2 and 3x3 stride-2 rows (see the lanes branch report). Half
/// subnormals become float subnormals: compares stay exact as long as denormals are not flushed (.NET never sets
/// DAZ/FTZ).
/// </remarks>
internal static class HalfKey
{
    /// <summary>The sign bit and the shifted magnitude's bits of a key (bits 28..30 cleared).</summary>
    public const int SignAndMagnitude = unchecked((int)0x8FFFFFFF);

    /// <summary>The largest shifted magnitude of a finite Half (<c>0x7BFF &lt;&lt; 13</c>, rounded up to the next 13 bits).</summary>
    public const int LargestFinite = 0x0F7FFFFF;

    /// <summary>The exponent bits a float has above a shifted Half exponent: set for infinity and NaN.</summary>
    public const int ExponentTop = 0x70000000;

    /// <summary>The key of the Half whose bits are <paramref name="bits"/>, as a float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Key(ushort bits)
    {
        int shifted = (bits << 16) >> 3;
        int top = (shifted & 0x0FFFFFFF) > LargestFinite ? ExponentTop : 0;
        return BitConverter.Int32BitsToSingle((shifted & SignAndMagnitude) | top);
    }

    /// <summary>The Half bits of <paramref name="key"/> (the inverse of <see cref="Key"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Bits(float key)
    {
        uint k = BitConverter.SingleToUInt32Bits(key);
        return (ushort)(((k >> 16) & 0x8000) | ((k >> 13) & 0x7FFF));
    }

    /// <summary>For the members that have no meaning on order keys.</summary>
    public static NotSupportedException NotOnKeys() => new("The Half widths compare and move order keys; they do no arithmetic.");
}
