using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// The backward pass of
    /// <see cref="Conv2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
    /// (ATen's <c>convolution_backward</c>): from the gradient of its output, the gradients of its source, weight and
    /// bias. <c>sourceGradient</c> is the transposed convolution of <paramref name="outputGradient"/> with the same
    /// weight and geometry (its output padding the cells the convolution's floor left unread);
    /// <c>dW[co, ci, j] = sum over (n, o) of dy[n, co, o] * x[n, ci, o*s - p + j*d]</c> within each group;
    /// <c>db[co] = sum over (n, o) of dy[n, co, o]</c>. An empty destination means that gradient is not wanted.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (widened exactly to <see cref="float"/>, accumulated in float, rounded to Half
    /// once at the store). Any other <see cref="IFloatingPointIeee754{TSelf}"/> throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, <c>[N, Cout, outH, outW]</c> with the size from
    /// <see cref="Conv2DGeometry.GetOutputSize(Size2D)"/>, in the source's layout.</param>
    /// <param name="source">The forward's input, <c>N*Cin*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, H, W]</c> (or <see cref="Shape4D.ChannelsLast"/>: then the
    /// output gradient and the source gradient are channels-last too).</param>
    /// <param name="weight">The kernel, dense <c>[Cout, Cin/groups, kH, kW]</c>.</param>
    /// <param name="weightShape">The kernel shape.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups of the forward.</param>
    /// <param name="sourceGradient">Receives the gradient of the source (its length and layout), or empty.</param>
    /// <param name="weightGradient">Receives the gradient of the weight (dense, its shape), or empty.</param>
    /// <param name="biasGradient">Receives the gradient of the bias (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>
    /// The source gradient runs the transposed-convolution kernel; the weight gradient is a packed GEMM over the column
    /// buffer with the forward's micro-kernel, its reduction over (sample, position) cut into sample chunks chosen from the
    /// shapes and added in chunk order; the bias gradient sums each channel in a fixed order. All three are bit-identical
    /// for every thread count and SIMD width on a given instruction set. Scratch comes from
    /// <see cref="System.Buffers.ArrayPool{T}"/>; for <see cref="Half"/> the weight gradient widens the source and the
    /// output gradient to float copies in pooled scratch.
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape (a destination neither empty nor of its
    /// gradient's length), the shapes do not agree with each other or with the geometry, or a destination overlaps an
    /// input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv2DBackward<T>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> weight, Shape4D weightShape, Conv2DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardCore(false, outputGradient, source, sourceShape, weight, weightShape, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>
    /// The backward pass of
    /// <see cref="ConvTranspose2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>:
    /// <c>sourceGradient</c> is the convolution of <paramref name="outputGradient"/> with the same weight and geometry;
    /// <c>dW[ci, co, j] = sum over (n, i) of x[n, ci, i] * dy[n, co, i*s - p + j*d]</c> within each group;
    /// <c>db[co] = sum over (n, o) of dy[n, co, o]</c>. An empty destination means that gradient is not wanted.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated
    /// in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, <c>[N, Cout, outH, outW]</c> with the size from
    /// <see cref="Conv2DGeometry.GetTransposedOutputSize(Size2D)"/>: an explicit output size is stated as the forward's
    /// span form states it, through the geometry's output padding
    /// (<see cref="Conv2DGeometry.WithTransposedOutputSize(Size2D, Size2D)"/>).</param>
    /// <param name="source">The forward's input, <c>N*Cin*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, H, W]</c> (or channels-last).</param>
    /// <param name="weight">The kernel, dense <c>[Cin, Cout/groups, kH, kW]</c>.</param>
    /// <param name="weightShape">The kernel shape.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding of the forward.</param>
    /// <param name="sourceGradient">Receives the gradient of the source, or empty.</param>
    /// <param name="weightGradient">Receives the gradient of the weight, or empty.</param>
    /// <param name="biasGradient">Receives the gradient of the bias (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>As <see cref="Conv2DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, Conv2DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>,
    /// with the roles swapped: the source gradient runs the convolution kernel (an output padding of a stride or more,
    /// possible when the dilation passes the stride, is cropped), and the weight gradient's column buffer is the output
    /// gradient's im2col under the convolution geometry.</remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose2DBackward<T>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> weight, Shape4D weightShape, Conv2DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardCore(true, outputGradient, source, sourceShape, weight, weightShape, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>
    /// The backward pass of 2-D convolution over rank-4 tensors (any strides; channels_last read in place when the
    /// source and the output gradient both are); see
    /// <see cref="Conv2DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, Conv2DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output <c>[N, Cout, outH, outW]</c>.</param>
    /// <param name="source">The forward's input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, kH, kW]</c>.</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the source gradient (the source's lengths), or an empty tensor span.</param>
    /// <param name="weightGradient">Receives the weight gradient (the weight's lengths), or an empty tensor span.</param>
    /// <param name="biasGradient">Receives the bias gradient (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, the geometry does not fit, or a
    /// destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv2DBackward<T>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv2DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardTensor2D(false, outputGradient, source, weight, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>
    /// The backward pass of 2-D transposed convolution over rank-4 tensors; see
    /// <see cref="ConvTranspose2DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, Conv2DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, of the geometry's transposed output size.</param>
    /// <param name="source">The forward's input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, kH, kW]</c>.</param>
    /// <param name="geometry">The forward's geometry, output padding included.</param>
    /// <param name="sourceGradient">Receives the source gradient, or an empty tensor span.</param>
    /// <param name="weightGradient">Receives the weight gradient, or an empty tensor span.</param>
    /// <param name="biasGradient">Receives the bias gradient (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, the geometry does not fit, or a
    /// destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose2DBackward<T>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv2DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardTensor2D(true, outputGradient, source, weight, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>The backward pass of 2-D convolution into new tensors: the gradients <paramref name="wanted"/> names.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output <c>[N, Cout, outH, outW]</c>.</param>
    /// <param name="source">The forward's input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, kH, kW]</c>.</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="wanted">The gradients to compute (ATen's <c>output_mask</c>); all by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradients; the source gradient keeps the source's channels_last layout.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wanted"/> has undefined bits.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static ConvGradients<T> Conv2DBackward<T>(
        Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv2DGeometry geometry, ConvGradientKinds wanted = ConvGradientKinds.All, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardAllocating2D(false, outputGradient, source, weight, geometry, wanted, options);

    /// <summary>The backward pass of 2-D transposed convolution into new tensors: the gradients <paramref name="wanted"/> names.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, of the geometry's transposed output size (for
    /// the forward's <c>outputSize</c>, pass <see cref="Conv2DGeometry.WithTransposedOutputSize(Size2D, Size2D)"/>).</param>
    /// <param name="source">The forward's input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, kH, kW]</c>.</param>
    /// <param name="geometry">The forward's geometry, output padding included.</param>
    /// <param name="wanted">The gradients to compute; all by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradients; the source gradient keeps the source's channels_last layout.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wanted"/> has undefined bits.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static ConvGradients<T> ConvTranspose2DBackward<T>(
        Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv2DGeometry geometry, ConvGradientKinds wanted = ConvGradientKinds.All, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardAllocating2D(true, outputGradient, source, weight, geometry, wanted, options);

    /// <summary>The span forms of the 2-D (and 1-D) backward passes; a layer passes its <paramref name="workspace"/>.</summary>
    internal static void ConvBackwardCore<T>(
        bool transposed, ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> weight, Shape4D weightShape, Conv2DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose2DBackward) : nameof(Conv2DBackward));
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        weightShape.Validate(nameof(weightShape));
        Guard.Length(weight.Length, weightShape.ElementCount, nameof(weight), "the element count of", weightShape);
        Shape4D outputShape = ConvOutputShape(transposed, sourceShape, weightShape, 0, geometry, nameof(weightShape));
        Guard.Length(outputGradient.Length, outputShape.ElementCount, nameof(outputGradient), "N*Cout*outH*outW of the forward's output", outputShape);
        ConvBackwardChecked(
            transposed, outputGradient, source, As5D(sourceShape), weight, weightShape, geometry.As3D(), As5D(outputShape), sourceGradient, weightGradient, biasGradient, options, workspace);
    }

    private static void ConvBackwardTensor2D<T>(
        bool transposed, in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv2DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose2DBackward) : nameof(Conv2DBackward));
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        Shape4D weightShape = TensorAdapter.GetShape(weight, nameof(weight));
        Shape4D o = ConvOutputShape(transposed, shape, weightShape, 0, geometry, nameof(weight));
        RequireInputTensorShape(outputGradient, [o.Batch, o.Channels, o.Height, o.Width], o, nameof(outputGradient));
        ConvBackwardTensor(transposed, outputGradient, source, As5D(shape), weight, weightShape, geometry.As3D(), As5D(o), sourceGradient, weightGradient, biasGradient, options);
    }

    private static ConvGradients<T> ConvBackwardAllocating2D<T>(
        bool transposed, Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv2DGeometry geometry, ConvGradientKinds wanted, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        RequireGradientKinds(wanted);
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose2DBackward) : nameof(Conv2DBackward));
        Shape4D o = ConvOutputShape(
            transposed, TensorAdapter.GetShape(source.AsReadOnlyTensorSpan(), nameof(source)), TensorAdapter.GetShape(weight.AsReadOnlyTensorSpan(), nameof(weight)), 0, geometry, nameof(weight));
        ConvGradients<T> result = CreateConvGradients(source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), o.Channels, wanted);
        ConvBackwardTensor2D(
            transposed, outputGradient.AsReadOnlyTensorSpan(), source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), geometry,
            GradientView(result.SourceGradient), GradientView(result.WeightGradient), BiasGradientSpan(result.BiasGradient), options);
        return result;
    }
}
