using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 3-D convolution (cross-correlation, PyTorch's <c>conv3d</c>) over <c>[N, Cin, D, H, W]</c>:
    /// <c>y[n, g*Cout/g + co, o] = bias[co] + sum x[n, g*Cin/g + ci, o*s - p + j*d] * w[g*Cout/g + co, ci, j]</c> per axis,
    /// zero padding. It is the adjoint of
    /// <see cref="ConvTranspose3D{T}(ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Conv3DGeometry, Span{T}, ExecutionOptions)"/>
    /// with the same geometry.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (stored 16-bit, accumulated in float and rounded to Half once at the store).
    /// Any other <see cref="IFloatingPointIeee754{TSelf}"/> the constraint admits throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*Cin*D*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, D, H, W]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cout, Cin/groups, kD, kH, kW]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cout, Cin/groups, kD, kH, kW]</c>; <c>kD x kH x kW</c> must equal
    /// <see cref="Conv3DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups (the output padding is ignored).</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outD, outH, outW]</c> with the size from
    /// <see cref="Conv3DGeometry.GetOutputSize(Size3D)"/>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>
    /// Computed as the 2-D operator's packed GEMM over vol2col panels (im2col over depth too); each output is the bias
    /// plus a multiply-add chain over <c>(ci, kd, kh, kw)</c> in ascending order, bit-identical for every thread count
    /// and SIMD width on a given instruction set. Scratch as in the 2-D operator (bounded for any shape).
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the padded input is smaller than the kernel, or <paramref name="destination"/> overlaps an
    /// input.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv3D<T>(ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, Shape5D weightShape, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvCore3D(false, source, sourceShape, weight, weightShape, bias, geometry, destination, options);

    /// <summary>
    /// 3-D convolution over rank-5 tensors (any strides); see
    /// <see cref="Conv3D{T}(ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Conv3DGeometry, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The input <c>[N, Cin, D, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, kD, kH, kW]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outD, outH, outW]</c>.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv3D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvTensor3D(false, source, weight, bias, geometry, destination, options);

    /// <summary>3-D convolution into a new <c>[N, Cout, outD, outH, outW]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-5 input <c>[N, Cin, D, H, W]</c>.</param>
    /// <param name="weight">The rank-5 kernel <c>[Cout, Cin/groups, kD, kH, kW]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> Conv3D<T>(Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv3DGeometry geometry, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        ReadOnlyTensorSpan<T> biasView = BiasView(bias);
        using ReadView<T> b = TensorAdapter.Read(biasView);
        return ConvAllocating3D(false, source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), b.Span, geometry, null, options);
    }

    /// <summary>3-D convolution of tensor views into a new <c>[N, Cout, outD, outH, outW]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-5 input <c>[N, Cin, D, H, W]</c>, any strides.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, kD, kH, kW]</c>, any strides.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> Conv3D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating3D(false, source, weight, bias, geometry, null, options);
}
