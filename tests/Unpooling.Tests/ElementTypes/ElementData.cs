using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// Seeded inputs for any element type and an exact comparison: the element types beyond float and double
/// (integers, <see cref="Half"/>, <see cref="decimal"/>, <see cref="NFloat"/>) run the scalar path, and their results
/// are compared byte for byte with the oracles' (a NaN payload, -0 against +0 and a decimal's scale all count).
/// </summary>
internal static class ElementData
{
    /// <summary>Whether <typeparamref name="T"/> has NaN, infinities and signed zeros.</summary>
    public static bool IsFloating<T>()
        => typeof(T) == typeof(Half) || typeof(T) == typeof(NFloat) || typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>
    /// Small values in [-3, 3] (so most windows hold ties; unsigned types wrap the negatives to near their maximum),
    /// about 2% each the type's MinValue and MaxValue, and for floating-point types about 1% each NaN, +inf, -inf and -0.
    /// </summary>
    public static T[] Values<T>(int length, int seed)
        where T : INumberBase<T>, IMinMaxValue<T>
    {
        var random = new Random(seed);
        bool floating = IsFloating<T>();
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            int roll = random.Next(100);
            data[i] = roll < 2 ? T.MinValue
                : roll < 4 ? T.MaxValue
                : floating && roll == 4 ? T.CreateChecked(double.NaN)
                : floating && roll == 5 ? T.CreateChecked(double.PositiveInfinity)
                : floating && roll == 6 ? T.CreateChecked(double.NegativeInfinity)
                : floating && roll == 7 ? T.CreateChecked(-0.0)
                : T.CreateTruncating(random.Next(-3, 4));
        }

        return data;
    }

    /// <summary>Asserts both sequences hold the same bytes, naming the first differing element.</summary>
    public static void Exact<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string context)
        where T : unmanaged
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}.");
        if (MemoryMarshal.AsBytes(expected).SequenceEqual(MemoryMarshal.AsBytes(actual)))
        {
            return;
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (!MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1))))
            {
                Assert.Fail($"{context}: element {i} is {Describe(actual[i])}, expected {Describe(expected[i])}.");
            }
        }
    }

    /// <summary>The thread counts every result must be identical for.</summary>
    public static readonly int[] ThreadCounts = [1, 2, 3, 8];

    private static string Describe<T>(T value)
        where T : unmanaged
    {
        string bytes = Convert.ToHexString(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)));
        return $"{Convert.ToString(value, CultureInfo.InvariantCulture)} (0x{bytes})";
    }
}
