using System.Numerics;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The named tolerance for convolution results: the library sums in a different order than the reference loop (GEMM
/// with fused multiply-adds, col2im), so results agree to rounding: <c>|actual - expected| &lt;= Absolute + Relative * scale</c>,
/// where <c>scale</c> is the sum of the absolute values of the terms (bounded here by <c>|expected|</c> plus the
/// caller's term magnitude). Integer-valued inputs are exact and compared with <see cref="ConvAssert.Exact{T}"/>.
/// </summary>
internal static class ConvTolerance
{
    public static double Relative<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-12;

    public static double Absolute<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-12;
}

internal static class ConvAssert
{
    /// <summary>Asserts equality to <see cref="ConvTolerance"/>; <paramref name="termScale"/> bounds the sum of |terms| per output.</summary>
    public static void Close<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, double termScale, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}.");
        double rel = ConvTolerance.Relative<T>(), abs = ConvTolerance.Absolute<T>();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.CreateChecked(expected[i]), a = double.CreateChecked(actual[i]);
            double allowed = abs + (rel * Math.Max(Math.Abs(e), termScale));
            if (!(Math.Abs(a - e) <= allowed))
            {
                Assert.Fail($"{context}: element {i} is {a:R}, expected {e:R} (allowed error {allowed:G3}).");
            }
        }
    }

    /// <summary>Asserts exact equality by value (+0 equals -0: a zero's sign depends on summation order).</summary>
    public static void Exact<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{context}: element {i} is {actual[i]}, expected {expected[i]}.");
            }
        }
    }
}

/// <summary>Seeded data for convolution tests.</summary>
internal static class ConvData
{
    /// <summary>Integers in [-3, 3]: every product and sum of the test sizes is exact in float and double.</summary>
    public static T[] Integers<T>(int length, int seed)
        where T : IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = T.CreateChecked(random.Next(-3, 4));
        }

        return data;
    }

    /// <summary>Uniform in [-1, 1).</summary>
    public static T[] Uniform<T>(int length, int seed)
        where T : IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = T.CreateChecked((random.NextDouble() * 2) - 1);
        }

        return data;
    }
}
