using System.Numerics;
using System.Runtime.InteropServices;

namespace Unpooling.Tests.Conv;

/// <summary>Generic bridges to the concrete float/double public overloads of the convolution family.</summary>
internal static class ConvApi
{
    public static void ConvTranspose2D<T>(ReadOnlySpan<T> x, Shape4D xs, ReadOnlySpan<T> w, Shape4D ws, ReadOnlySpan<T> bias, Conv2DGeometry g, Span<T> y, int degree = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Functional.ConvTranspose2D(F(x), xs, F(w), ws, F(bias), g, MemoryMarshal.Cast<T, float>(y), degree);
        }
        else
        {
            Functional.ConvTranspose2D(D(x), xs, D(w), ws, D(bias), g, MemoryMarshal.Cast<T, double>(y), degree);
        }
    }

    public static void Conv2D<T>(ReadOnlySpan<T> x, Shape4D xs, ReadOnlySpan<T> w, Shape4D ws, ReadOnlySpan<T> bias, Conv2DGeometry g, Span<T> y, int degree = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Functional.Conv2D(F(x), xs, F(w), ws, F(bias), g, MemoryMarshal.Cast<T, float>(y), degree);
        }
        else
        {
            Functional.Conv2D(D(x), xs, D(w), ws, D(bias), g, MemoryMarshal.Cast<T, double>(y), degree);
        }
    }

    public static void ZeroInsert2D<T>(ReadOnlySpan<T> x, Shape4D xs, Size2D stride, Span<T> z, int degree = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Functional.ZeroInsert2D(F(x), xs, stride, MemoryMarshal.Cast<T, float>(z), degree);
        }
        else
        {
            Functional.ZeroInsert2D(D(x), xs, stride, MemoryMarshal.Cast<T, double>(z), degree);
        }
    }

    public static void StridedSubsample2D<T>(ReadOnlySpan<T> z, Shape4D zs, Size2D stride, Span<T> x, int degree = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Functional.StridedSubsample2D(F(z), zs, stride, MemoryMarshal.Cast<T, float>(x), degree);
        }
        else
        {
            Functional.StridedSubsample2D(D(z), zs, stride, MemoryMarshal.Cast<T, double>(x), degree);
        }
    }

    private static ReadOnlySpan<float> F<T>(ReadOnlySpan<T> s)
        where T : unmanaged
        => MemoryMarshal.Cast<T, float>(s);

    private static ReadOnlySpan<double> D<T>(ReadOnlySpan<T> s)
        where T : unmanaged
        => MemoryMarshal.Cast<T, double>(s);
}

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
