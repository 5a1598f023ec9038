using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D convolution (cross-correlation, PyTorch's <c>conv2d</c>) over <c>[N, Cin, H, W]</c>:
    /// <c>y[n, g*Cout/g + co, o] = bias[co] + sum x[n, g*Cin/g + ci, o*s - p + j*d] * w[g*Cout/g + co, ci, j]</c>, zero
    /// padding. It is the adjoint of
    /// <see cref="ConvTranspose2D(ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Conv2DGeometry, Span{float}, int)"/>
    /// with the same geometry, and computes that operator's input gradient.
    /// </summary>
    /// <param name="source">The input, dense row-major, <c>N*Cin*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cout, Cin/groups, kH, kW]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cout, Cin/groups, kH, kW]</c>; <c>kH x kW</c> must equal
    /// <see cref="Conv2DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups (the output padding is ignored).</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outH, outW]</c> with the size from
    /// <see cref="Conv2DGeometry.GetOutputSize(Size2D)"/>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1. Small problems use one.</param>
    /// <remarks>
    /// Computed as a packed GEMM over im2col panels on the widest available vectors; each output is the bias plus a
    /// fused multiply-add chain over <c>(ci, kh, kw)</c> in ascending order, bit-identical for every thread count and
    /// SIMD width. Scratch memory comes from <see cref="System.Buffers.ArrayPool{T}"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the padded input is smaller than the kernel, or <paramref name="destination"/> overlaps an
    /// input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void Conv2D(ReadOnlySpan<float> source, Shape4D sourceShape, ReadOnlySpan<float> weight, Shape4D weightShape, ReadOnlySpan<float> bias, Conv2DGeometry geometry, Span<float> destination, int maxDegreeOfParallelism = -1)
        => ConvCore(false, source, sourceShape, weight, weightShape, bias, geometry, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="Conv2D(ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Conv2DGeometry, Span{float}, int)"/>
    public static void Conv2D(ReadOnlySpan<double> source, Shape4D sourceShape, ReadOnlySpan<double> weight, Shape4D weightShape, ReadOnlySpan<double> bias, Conv2DGeometry geometry, Span<double> destination, int maxDegreeOfParallelism = -1)
        => ConvCore(false, source, sourceShape, weight, weightShape, bias, geometry, destination, maxDegreeOfParallelism);

    /// <summary>
    /// 2-D convolution over rank-4 tensors (any strides); see
    /// <see cref="Conv2D(ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Conv2DGeometry, Span{float}, int)"/>.
    /// </summary>
    /// <param name="source">The input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, kH, kW]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outH, outW]</c>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void Conv2D(in ReadOnlyTensorSpan<float> source, in ReadOnlyTensorSpan<float> weight, ReadOnlySpan<float> bias, Conv2DGeometry geometry, in TensorSpan<float> destination, int maxDegreeOfParallelism = -1)
        => ConvTensor(false, source, weight, bias, geometry, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="Conv2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, ReadOnlySpan{float}, Conv2DGeometry, in TensorSpan{float}, int)"/>
    public static void Conv2D(in ReadOnlyTensorSpan<double> source, in ReadOnlyTensorSpan<double> weight, ReadOnlySpan<double> bias, Conv2DGeometry geometry, in TensorSpan<double> destination, int maxDegreeOfParallelism = -1)
        => ConvTensor(false, source, weight, bias, geometry, destination, maxDegreeOfParallelism);

    /// <summary>2-D convolution into a new <c>[N, Cout, outH, outW]</c> tensor.</summary>
    /// <param name="source">The rank-4 input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The rank-4 kernel <c>[Cout, Cin/groups, kH, kW]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    public static Tensor<float> Conv2D(Tensor<float> source, Tensor<float> weight, Tensor<float>? bias, Conv2DGeometry geometry)
        => ConvAllocating(false, source, weight, bias, geometry, null);

    /// <inheritdoc cref="Conv2D(Tensor{float}, Tensor{float}, Tensor{float}, Conv2DGeometry)"/>
    public static Tensor<double> Conv2D(Tensor<double> source, Tensor<double> weight, Tensor<double>? bias, Conv2DGeometry geometry)
        => ConvAllocating(false, source, weight, bias, geometry, null);
}
