using System.Numerics;
using System.Runtime.Intrinsics;
using Unpooling.Internal;

namespace Unpooling.Tests.Infrastructure;

/// <summary>The instantiations of a width-generic kernel: the scalar path (<see cref="SimdScalar{T}"/>) and each vector width.</summary>
public enum KernelWidth
{
    Scalar,
    V128,
    V256,
    V512,
}

/// <summary>Calls the internal kernels at a chosen width, and lists the output widths that sit on its boundaries.</summary>
internal static unsafe class KernelWidths
{
    public static readonly KernelWidth[] All = [KernelWidth.Scalar, KernelWidth.V128, KernelWidth.V256, KernelWidth.V512];

    /// <summary>Lanes per vector of <typeparamref name="T"/>; the scalar path uses the 128-bit count for its boundary widths.</summary>
    public static int Count<T>(KernelWidth width) => width switch
    {
        KernelWidth.V256 => Vector256<T>.Count,
        KernelWidth.V512 => Vector512<T>.Count,
        _ => Vector128<T>.Count,
    };

    /// <summary>Output widths 1, Count-1, Count, Count+1, 2*Count+1 and 8*Count+7 (CONVENTIONS.md), without repeats.</summary>
    public static int[] BoundaryWidths(int count)
        => new[] { 1, count - 1, count, count + 1, (2 * count) + 1, (8 * count) + 7 }.Where(w => w >= 1).Distinct().ToArray();

    /// <summary>Boundary widths of every vector width of <typeparamref name="T"/>, merged.</summary>
    public static int[] AllBoundaryWidths<T>()
        => All.SelectMany(w => BoundaryWidths(Count<T>(w))).Distinct().Order().ToArray();

    public static void MaxPool<T, TIndex>(
        KernelWidth width, T* source, T* destination, TIndex* indices, int planes, in MaxPool2DKernel.Plan plan, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        switch (width)
        {
            case KernelWidth.Scalar:
                MaxPool2DKernel.Run<SimdScalar<T>, T, T, TIndex>(source, destination, indices, planes, plan, degree, scalarOnly: true);
                break;
            case KernelWidth.V128:
                MaxPool2DKernel.Run<Simd128<T>, Vector128<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                break;
            case KernelWidth.V256:
                MaxPool2DKernel.Run<Simd256<T>, Vector256<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                break;
            default:
                MaxPool2DKernel.Run<Simd512<T>, Vector512<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                break;
        }
    }

    /// <summary>The vector width in bits that <see cref="BlockKernel"/> takes to pin a width (0 for its per-cell path).</summary>
    public static int Bits(KernelWidth width) => width switch
    {
        KernelWidth.V128 => 128,
        KernelWidth.V256 => 256,
        KernelWidth.V512 => 512,
        _ => 0,
    };

    /// <summary>The dense 2x2 argmax unpooling (the block kernel's) at one width; every index must lie in its own window.</summary>
    public static void DenseMaxUnpool<T, TIndex>(
        KernelWidth width, T* source, TIndex* indices, T* destination, int planes, Size2D pooled, Size2D output, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (!BlockKernel.TryUnpoolDense(source, indices, destination, planes, pooled, output, new Size2D(2, 2), degree, Bits(width)))
        {
            throw new InvalidOperationException("An index lies outside its own 2x2 window: not a dense input.");
        }
    }

    /// <summary>The convolution kernel at one width (the scalar path is its one-lane instantiation).</summary>
    public static void Conv<T>(KernelWidth width, T* source, T* weight, T* bias, T* destination, in ConvKernel.Plan plan, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (width)
        {
            case KernelWidth.Scalar:
                ConvKernel.Run<SimdScalar<T>, T, T>(source, weight, bias, destination, plan, degree);
                break;
            case KernelWidth.V128:
                ConvKernel.Run<Simd128<T>, Vector128<T>, T>(source, weight, bias, destination, plan, degree);
                break;
            case KernelWidth.V256:
                ConvKernel.Run<Simd256<T>, Vector256<T>, T>(source, weight, bias, destination, plan, degree);
                break;
            default:
                ConvKernel.Run<Simd512<T>, Vector512<T>, T>(source, weight, bias, destination, plan, degree);
                break;
        }
    }
}
