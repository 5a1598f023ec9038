using System.Numerics;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The named tolerance for convolution results: the library sums in a different order than the reference loop (GEMM
/// with fused multiply-adds, col2im), so results agree to rounding: <c>|actual - expected| &lt;= Absolute + Relative * scale</c>,
/// where <c>scale</c> is the sum of the absolute values of the terms (bounded here by <c>|expected|</c> plus the
/// caller's term magnitude). Integer-valued inputs are exact and compared with <see cref="ConvAssert.Exact{T}"/>.
/// Half results, accumulated in float and rounded once, have their own bound, <see cref="Half"/>.
/// </summary>
internal static class ConvTolerance
{
    public static double Relative<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-12;

    public static double Absolute<T>() => typeof(T) == typeof(float) ? 1e-5 : 1e-12;

    /// <summary>
    /// The allowed error of a <see cref="System.Half"/> convolution output against the exact value (a double-precision
    /// oracle over the same Half inputs, which widen exactly):
    /// <c>HalfUlp(|expected|) + terms * 2^-23 * termMagnitude</c>.
    /// </summary>
    /// <remarks>
    /// Derivation. The library widens the Half inputs to float exactly, sums the <c>K</c> products and the bias in float
    /// (fused or unfused multiply-adds, in any order), and rounds that float result <c>f</c> to Half once.
    /// <list type="number">
    /// <item>Float accumulation: any order of <c>K - 1</c> additions of the <c>K</c> terms <c>t_i</c> (products, exact
    /// in float for Half inputs: 11 x 11 significant bits fit float's 24, and the bias) has
    /// <c>|f - y| &lt;= gamma_(K-1) * S</c>, <c>S = sum |t_i|</c>, <c>gamma_n = n*u/(1 - n*u)</c>, <c>u = 2^-24</c>
    /// (Higham, Accuracy and Stability of Numerical Algorithms, 4.2). For <c>K*u &lt; 1/2</c> this is below
    /// <c>K * 2^-23 * S</c>, the second term (twice the first-order bound: headroom for the <c>1/(1 - n*u)</c> factor).</item>
    /// <item>Rounding to Half: round to nearest moves <c>f</c> by at most half a Half ulp of <c>f</c>, which is at most
    /// <c>2^-11 * |f|</c> where <c>f</c> is normal and 2^-25 where it is subnormal. With <c>|f| &lt;= |y| + E</c>
    /// (<c>E</c> the float error above) that is at most <c>max(2^-25, 2^-11 * |y|) + 2^-11 * E</c>, and
    /// <c>2^-11 * |y| &lt; HalfUlp(y)</c> (<c>|y| &lt; 2^(e+1)</c> in binade <c>e</c>), <c>2^-25 &lt; HalfUlp(y)</c>: the
    /// first term, one Half ulp of the expected value. The leftover <c>(1 + 2^-11) * E</c> is inside the second term.</item>
    /// </list>
    /// So <c>|actual - expected| &lt;= HalfUlp(|expected|) + K * 2^-23 * S</c>. Outputs must stay below Half's largest
    /// finite value (65504) for the bound to hold; the tests' magnitudes stay far below it. Callers pass
    /// <c>K = Cin/groups * kH * kW + 1</c> (the bias is a term) and <c>S</c> from the oracle over absolute values.
    /// </remarks>
    public static double Half(double expected, double termMagnitude, int terms)
        => HalfUlp(expected) + (terms * Math.ScaleB(1, -23) * termMagnitude);

    /// <summary>The spacing of Half values at <paramref name="value"/>'s binade: <c>2^(e - 10)</c>, 2^-24 for subnormals.</summary>
    public static double HalfUlp(double value)
    {
        double magnitude = Math.Abs(value);
        return magnitude < Math.ScaleB(1, -14) ? Math.ScaleB(1, -24) : Math.ScaleB(1, Math.ILogB(magnitude) - 10);
    }
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

    /// <summary>
    /// Asserts Half results within <see cref="ConvTolerance.Half"/> of the exact values <paramref name="expected"/>;
    /// <paramref name="termMagnitudes"/> holds each output's <c>sum |terms|</c>, <paramref name="terms"/> their count.
    /// </summary>
    public static void CloseHalf(ReadOnlySpan<double> expected, ReadOnlySpan<double> termMagnitudes, int terms, ReadOnlySpan<Half> actual, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            double a = (double)actual[i], allowed = ConvTolerance.Half(expected[i], termMagnitudes[i], terms);
            if (!(Math.Abs(a - expected[i]) <= allowed))
            {
                Assert.Fail($"{context}: element {i} is {a:R}, expected {expected[i]:R} (allowed error {allowed:G3}).");
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
