using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// Exact comparisons for pooling and unpooling results: floating-point values are compared by their bits, so a NaN
/// payload, and +0 against -0, count as differences (the library promises bit-identical results on every path).
/// </summary>
internal static class BitAssert
{
    /// <summary>The raw bits of a 1-, 2-, 4- or 8-byte value.</summary>
    public static ulong Bits<T>(T value)
        where T : unmanaged
        => Unsafe.SizeOf<T>() switch
        {
            1 => Unsafe.BitCast<T, byte>(value),
            2 => Unsafe.BitCast<T, ushort>(value),
            4 => Unsafe.BitCast<T, uint>(value),
            8 => Unsafe.BitCast<T, ulong>(value),
            _ => throw new NotSupportedException($"No bit pattern for the {Unsafe.SizeOf<T>()}-byte {typeof(T)}."),
        };

    /// <summary>A value with its bit pattern, for failure messages ("-0 (0x80000000)").</summary>
    public static string Describe<T>(T value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string text = T.IsNegative(value) && T.IsZero(value) ? "-0" : value.ToString(null, CultureInfo.InvariantCulture);
        return $"{text} (0x{Bits(value).ToString(Unsafe.SizeOf<T>() == 4 ? "X8" : "X16", CultureInfo.InvariantCulture)})";
    }

    public static void Equal<T>(T expected, T actual, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Bits(expected) != Bits(actual))
        {
            Assert.Fail($"{context}: got {Describe(actual)}, expected {Describe(expected)}.");
        }
    }

    /// <summary>Asserts two value sequences are identical bit for bit, naming the first differing element.</summary>
    public static void Equal<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (Bits(expected[i]) != Bits(actual[i]))
            {
                Assert.Fail($"{context}: element {i} is {Describe(actual[i])}, expected {Describe(expected[i])}.");
            }
        }
    }

    /// <summary>Asserts the indices equal the oracle's (which are always 64-bit).</summary>
    public static void IndicesEqual<TIndex>(ReadOnlySpan<long> expected, ReadOnlySpan<TIndex> actual, string context)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Assert.True(expected.Length == actual.Length, $"{context}: {actual.Length} indices, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            long value = long.CreateChecked(actual[i]);
            if (value != expected[i])
            {
                Assert.Fail($"{context}: index {i} is {value}, expected {expected[i]}.");
            }
        }
    }
}
