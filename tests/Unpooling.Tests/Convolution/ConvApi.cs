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
