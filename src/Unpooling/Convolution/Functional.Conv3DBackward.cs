using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// The backward pass of <see cref="Conv3D{T}(ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Conv3DGeometry, Span{T}, ExecutionOptions)"/>: the gradients of its source, weight and bias
    /// from the gradient of its output, computed as
    /// <see cref="Conv2DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, Conv2DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>
    /// describes. An empty destination means that gradient is not wanted.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, Cout, outD, outH, outW] with the size from
    /// <see cref="Conv3DGeometry.GetOutputSize(Size3D)"/>, in the source's layout.</param>
    /// <param name="source">The forward's input.</param>
    /// <param name="sourceShape">The input shape [N, C, D, H, W] (or channels-last: then the output gradient and the source
    /// gradient are channels-last too).</param>
    /// <param name="weight">The kernel, dense [Cout, Cin/groups, kD, kH, kW].</param>
    /// <param name="weightShape">The kernel shape.</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the source, or empty.</param>
    /// <param name="weightGradient">Receives the gradient of the weight, or empty.</param>
    /// <param name="biasGradient">Receives the gradient of the bias (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv3DBackward<T>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, Shape5D weightShape, Conv3DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardCore3D(false, outputGradient, source, sourceShape, weight, weightShape, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>
    /// The backward pass over rank-5 tensors (any strides; channels-last read in place when the source and the
    /// output gradient both are); see <see cref="Conv3DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, Conv3DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outD, outH, outW].</param>
    /// <param name="source">The forward's input [N, C, D, H, W].</param>
    /// <param name="weight">The kernel [Cout, Cin/groups, kD, kH, kW].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the source gradient (the source's lengths), or an empty tensor span.</param>
    /// <param name="weightGradient">Receives the weight gradient (the weight's lengths), or an empty tensor span.</param>
    /// <param name="biasGradient">Receives the bias gradient (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv3DBackward<T>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv3DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardTensor3D(false, outputGradient, source, weight, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>The backward pass into new tensors: the gradients <paramref name="wanted"/> names; see
    /// <see cref="Conv3DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, Conv3DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outD, outH, outW].</param>
    /// <param name="source">The forward's input [N, C, D, H, W].</param>
    /// <param name="weight">The kernel [Cout, Cin/groups, kD, kH, kW].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="wanted">The gradients to compute (ATen's <c>output_mask</c>); all by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradients; the source gradient keeps the source's channels-last layout.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wanted"/> has undefined bits.</exception>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static ConvGradients<T> Conv3DBackward<T>(
        Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv3DGeometry geometry, ConvGradientKinds wanted = ConvGradientKinds.All, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardAllocating3D(false, outputGradient, source, weight, geometry, wanted, options);

    /// <summary>
    /// The backward pass of <see cref="ConvTranspose3D{T}(ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Conv3DGeometry, Span{T}, ExecutionOptions)"/>: the gradients of its source, weight and bias
    /// from the gradient of its output, computed as
    /// <see cref="ConvTranspose2DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, Conv2DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>
    /// describes. An empty destination means that gradient is not wanted.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, Cout, outD, outH, outW] with the size from
    /// <see cref="Conv3DGeometry.GetTransposedOutputSize(Size3D)"/>, in the source's layout.</param>
    /// <param name="source">The forward's input.</param>
    /// <param name="sourceShape">The input shape [N, C, D, H, W] (or channels-last: then the output gradient and the source
    /// gradient are channels-last too).</param>
    /// <param name="weight">The kernel, dense [Cin, Cout/groups, kD, kH, kW].</param>
    /// <param name="weightShape">The kernel shape.</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the source, or empty.</param>
    /// <param name="weightGradient">Receives the gradient of the weight, or empty.</param>
    /// <param name="biasGradient">Receives the gradient of the bias (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose3DBackward<T>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, Shape5D weightShape, Conv3DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardCore3D(true, outputGradient, source, sourceShape, weight, weightShape, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>
    /// The backward pass over rank-5 tensors (any strides; channels-last read in place when the source and the
    /// output gradient both are); see <see cref="ConvTranspose3DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, Conv3DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outD, outH, outW].</param>
    /// <param name="source">The forward's input [N, C, D, H, W].</param>
    /// <param name="weight">The kernel [Cin, Cout/groups, kD, kH, kW].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the source gradient (the source's lengths), or an empty tensor span.</param>
    /// <param name="weightGradient">Receives the weight gradient (the weight's lengths), or an empty tensor span.</param>
    /// <param name="biasGradient">Receives the bias gradient (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose3DBackward<T>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv3DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardTensor3D(true, outputGradient, source, weight, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>The backward pass into new tensors: the gradients <paramref name="wanted"/> names; see
    /// <see cref="ConvTranspose3DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, Conv3DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outD, outH, outW].</param>
    /// <param name="source">The forward's input [N, C, D, H, W].</param>
    /// <param name="weight">The kernel [Cin, Cout/groups, kD, kH, kW].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="wanted">The gradients to compute (ATen's <c>output_mask</c>); all by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradients; the source gradient keeps the source's channels-last layout.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wanted"/> has undefined bits.</exception>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static ConvGradients<T> ConvTranspose3DBackward<T>(
        Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv3DGeometry geometry, ConvGradientKinds wanted = ConvGradientKinds.All, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardAllocating3D(true, outputGradient, source, weight, geometry, wanted, options);

    /// <summary>The span forms of the 3-D backward passes; a layer passes its <paramref name="workspace"/>.</summary>
    internal static void ConvBackwardCore3D<T>(
        bool transposed, ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, Shape5D weightShape, Conv3DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose3DBackward) : nameof(Conv3DBackward));
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        RequireLength(source.Length, sourceShape.ElementCount, nameof(source), "N*C*D*H*W of", sourceShape);
        weightShape.Validate(nameof(weightShape));
        RequireLength(weight.Length, weightShape.ElementCount, nameof(weight), "the element count of", weightShape);
        Shape5D outputShape = ConvOutputShape3D(transposed, sourceShape, weightShape, 0, geometry, nameof(weightShape));
        RequireLength(outputGradient.Length, outputShape.ElementCount, nameof(outputGradient), "N*Cout*outD*outH*outW of the forward's output", outputShape);
        ConvBackwardChecked(transposed, outputGradient, source, sourceShape, weight, weightShape, geometry, outputShape, sourceGradient, weightGradient, biasGradient, options, workspace);
    }

    private static void ConvBackwardTensor3D<T>(
        bool transposed, in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv3DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose3DBackward) : nameof(Conv3DBackward));
        Shape5D shape = GetShape5D(source, nameof(source));
        Shape5D weightShape = GetShape5D(weight, nameof(weight));
        Shape5D o = ConvOutputShape3D(transposed, shape, weightShape, 0, geometry, nameof(weight));
        RequireInputTensorShape(outputGradient, [o.Batch, o.Channels, o.Depth, o.Height, o.Width], o, nameof(outputGradient));
        ConvBackwardTensor(transposed, outputGradient, source, shape, weight, weightShape, geometry, o, sourceGradient, weightGradient, biasGradient, options);
    }

    private static ConvGradients<T> ConvBackwardAllocating3D<T>(
        bool transposed, Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv3DGeometry geometry, ConvGradientKinds wanted, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        RequireGradientKinds(wanted);
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose3DBackward) : nameof(Conv3DBackward));
        Shape5D o = ConvOutputShape3D(
            transposed, GetShape5D(source.AsReadOnlyTensorSpan(), nameof(source)), GetShape5D(weight.AsReadOnlyTensorSpan(), nameof(weight)), 0, geometry, nameof(weight));
        ConvGradients<T> result = CreateConvGradients(source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), o.Channels, wanted);
        ConvBackwardTensor3D(
            transposed, outputGradient.AsReadOnlyTensorSpan(), source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), geometry,
            GradientView(result.SourceGradient), GradientView(result.WeightGradient), BiasGradientSpan(result.BiasGradient), options);
        return result;
    }
}
