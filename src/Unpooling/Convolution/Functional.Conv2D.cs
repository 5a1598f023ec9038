using System.Numerics;
using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D convolution (cross-correlation, PyTorch's <c>conv2d</c>) over <c>[N, Cin, H, W]</c>:
    /// <c>y[n, g*Cout/g + co, o] = bias[co] + sum x[n, g*Cin/g + ci, o*s - p + j*d] * w[g*Cout/g + co, ci, j]</c>, zero
    /// padding. It is the adjoint of
    /// <see cref="ConvTranspose2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
    /// with the same geometry, and computes that operator's input gradient.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (stored 16-bit, widened exactly to <see cref="float"/>, accumulated in float and
    /// rounded to Half once at the store). Any other <see cref="IFloatingPointIeee754{TSelf}"/> the constraint admits
    /// throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*Cin*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cout, Cin/groups, kH, kW]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cout, Cin/groups, kH, kW]</c>; <c>kH x kW</c> must equal
    /// <see cref="Conv2DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups (the output padding is ignored).</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outH, outW]</c> with the size from
    /// <see cref="Conv2DGeometry.GetOutputSize(Size2D)"/>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>
    /// Computed as a packed GEMM over im2col panels on the widest available vectors; each output is the bias plus a
    /// fused multiply-add chain over <c>(ci, kh, kw)</c> in ascending order, bit-identical for every thread count and
    /// SIMD width on a given instruction set (fused where the processor has FMA, multiply then add where it does not). Scratch memory comes from <see cref="System.Buffers.ArrayPool{T}"/>; a shape whose usual scratch would be large (a reduction or kernel of millions of taps, rows of millions of columns) runs in chunks of bounded scratch instead (its results just as independent of the thread count and vector width), so any convolution whose output fits an array runs.
    /// <para>For <see cref="Half"/> the float kernel runs on float copies in pooled scratch: the weight and bias whole, the
    /// input and output a group of whole samples at a time (about 4 MB of float for both, or one sample's input and output
    /// when a sample is larger); each output is the float result rounded to Half once, so it is within one Half ulp plus
    /// the float accumulation error of the exact value, and the same bits for every thread count, SIMD width and batch
    /// split.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the padded input is smaller than the kernel, or <paramref name="destination"/> overlaps an
    /// input.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv2D<T>(ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> weight, Shape4D weightShape, ReadOnlySpan<T> bias, Conv2DGeometry geometry, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvCore(false, source, sourceShape, weight, weightShape, bias, geometry, destination, options);

    /// <summary>
    /// 2-D convolution over rank-4 tensors (any strides); see
    /// <see cref="Conv2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (stored 16-bit, widened exactly to <see cref="float"/>, accumulated in float and
    /// rounded to Half once at the store). Any other <see cref="IFloatingPointIeee754{TSelf}"/> the constraint admits
    /// throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, kH, kW]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outH, outW]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv2D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv2DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvTensor(false, source, weight, bias, geometry, destination, options);

    /// <summary>2-D convolution into a new <c>[N, Cout, outH, outW]</c> tensor.</summary>
    /// <param name="source">The rank-4 input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The rank-4 kernel <c>[Cout, Cin/groups, kH, kW]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> Conv2D<T>(Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv2DGeometry geometry, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating(false, source, weight, bias, geometry, null, options);

    /// <summary>
    /// 2-D convolution of tensor views (what ONNX Runtime and TorchSharp memory arrives as) into a new
    /// <c>[N, Cout, outH, outW]</c> tensor; see
    /// <see cref="Conv2D{T}(Tensor{T}, Tensor{T}, Tensor{T}, Conv2DGeometry, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-4 input <c>[N, Cin, H, W]</c>, any strides.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, kH, kW]</c>, any strides.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> Conv2D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv2DGeometry geometry, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating(false, source, weight, bias, geometry, null, options);

}
