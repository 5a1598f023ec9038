using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// The backward pass of <see cref="Conv1D{T}(ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Conv1DGeometry, Span{T}, ExecutionOptions)"/>: the gradients of its source, weight and bias
    /// from the gradient of its output, computed as
    /// <see cref="Conv2DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, Conv2DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>
    /// describes. An empty destination means that gradient is not wanted.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, Cout, outL] with the size from
    /// <see cref="Conv1DGeometry.GetOutputSize(int)"/>, in the source's layout.</param>
    /// <param name="source">The forward's input.</param>
    /// <param name="sourceShape">The input shape [N, C, L] (or channels-last: then the output gradient and the source
    /// gradient are channels-last too).</param>
    /// <param name="weight">The kernel, dense [Cout, Cin/groups, k].</param>
    /// <param name="weightShape">The kernel shape.</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the source, or empty.</param>
    /// <param name="weightGradient">Receives the gradient of the weight, or empty.</param>
    /// <param name="biasGradient">Receives the gradient of the bias (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv1DBackward<T>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape3D sourceShape, ReadOnlySpan<T> weight, Shape3D weightShape, Conv1DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardCore1D(false, outputGradient, source, sourceShape, weight, weightShape, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>
    /// The backward pass over rank-3 tensors (any strides; channels-last read in place when the source and the
    /// output gradient both are); see <see cref="Conv1DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, Conv1DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outL].</param>
    /// <param name="source">The forward's input [N, C, L].</param>
    /// <param name="weight">The kernel [Cout, Cin/groups, k].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the source gradient (the source's lengths), or an empty tensor span.</param>
    /// <param name="weightGradient">Receives the weight gradient (the weight's lengths), or an empty tensor span.</param>
    /// <param name="biasGradient">Receives the bias gradient (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv1DBackward<T>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv1DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardTensor1D(false, outputGradient, source, weight, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>The backward pass into new tensors: the gradients <paramref name="wanted"/> names; see
    /// <see cref="Conv1DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, Conv1DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outL].</param>
    /// <param name="source">The forward's input [N, C, L].</param>
    /// <param name="weight">The kernel [Cout, Cin/groups, k].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="wanted">The gradients to compute (ATen's <c>output_mask</c>); all by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradients; the source gradient keeps the source's channels-last layout.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wanted"/> has undefined bits.</exception>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static ConvGradients<T> Conv1DBackward<T>(
        Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv1DGeometry geometry, ConvGradientKinds wanted = ConvGradientKinds.All, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardAllocating1D(false, outputGradient, source, weight, geometry, wanted, options);

    /// <summary>
    /// The backward pass of <see cref="ConvTranspose1D{T}(ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Conv1DGeometry, Span{T}, ExecutionOptions)"/>: the gradients of its source, weight and bias
    /// from the gradient of its output, computed as
    /// <see cref="ConvTranspose2DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, Conv2DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>
    /// describes. An empty destination means that gradient is not wanted.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, Cout, outL] with the size from
    /// <see cref="Conv1DGeometry.GetTransposedOutputSize(int)"/>, in the source's layout.</param>
    /// <param name="source">The forward's input.</param>
    /// <param name="sourceShape">The input shape [N, C, L] (or channels-last: then the output gradient and the source
    /// gradient are channels-last too).</param>
    /// <param name="weight">The kernel, dense [Cin, Cout/groups, k].</param>
    /// <param name="weightShape">The kernel shape.</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the source, or empty.</param>
    /// <param name="weightGradient">Receives the gradient of the weight, or empty.</param>
    /// <param name="biasGradient">Receives the gradient of the bias (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose1DBackward<T>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape3D sourceShape, ReadOnlySpan<T> weight, Shape3D weightShape, Conv1DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardCore1D(true, outputGradient, source, sourceShape, weight, weightShape, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>
    /// The backward pass over rank-3 tensors (any strides; channels-last read in place when the source and the
    /// output gradient both are); see <see cref="ConvTranspose1DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, Conv1DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outL].</param>
    /// <param name="source">The forward's input [N, C, L].</param>
    /// <param name="weight">The kernel [Cin, Cout/groups, k].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="sourceGradient">Receives the source gradient (the source's lengths), or an empty tensor span.</param>
    /// <param name="weightGradient">Receives the weight gradient (the weight's lengths), or an empty tensor span.</param>
    /// <param name="biasGradient">Receives the bias gradient (<c>Cout</c> values), or empty.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose1DBackward<T>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv1DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardTensor1D(true, outputGradient, source, weight, geometry, sourceGradient, weightGradient, biasGradient, options);

    /// <summary>The backward pass into new tensors: the gradients <paramref name="wanted"/> names; see
    /// <see cref="ConvTranspose1DBackward{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, Conv1DGeometry, Span{T}, Span{T}, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output [N, Cout, outL].</param>
    /// <param name="source">The forward's input [N, C, L].</param>
    /// <param name="weight">The kernel [Cin, Cout/groups, k].</param>
    /// <param name="geometry">The forward's geometry.</param>
    /// <param name="wanted">The gradients to compute (ATen's <c>output_mask</c>); all by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradients; the source gradient keeps the source's channels-last layout.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="wanted"/> has undefined bits.</exception>
    /// <exception cref="ArgumentException">A length or tensor shape does not match, the shapes do not agree with each other
    /// or with the geometry, or a destination overlaps an input or another destination. Nothing is written.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static ConvGradients<T> ConvTranspose1DBackward<T>(
        Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv1DGeometry geometry, ConvGradientKinds wanted = ConvGradientKinds.All, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvBackwardAllocating1D(true, outputGradient, source, weight, geometry, wanted, options);

    /// <summary>The span forms of the 1-D backward passes; a layer passes its <paramref name="workspace"/>.</summary>
    internal static void ConvBackwardCore1D<T>(
        bool transposed, ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape3D sourceShape, ReadOnlySpan<T> weight, Shape3D weightShape, Conv1DGeometry geometry,
        Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        geometry.ThrowIfDefault(nameof(geometry));
        ConvBackwardCore(transposed, outputGradient, source, sourceShape.As4D(), weight, weightShape.As4D(), geometry.As2D(), sourceGradient, weightGradient, biasGradient, options, workspace);
    }

    private static void ConvBackwardTensor1D<T>(
        bool transposed, in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, Conv1DGeometry geometry,
        in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose1DBackward) : nameof(Conv1DBackward));
        Shape3D shape = GetShape3D(source, nameof(source));
        Shape3D weightShape = GetShape3D(weight, nameof(weight));
        geometry.ThrowIfDefault(nameof(geometry));
        Shape4D o = ConvOutputShape(transposed, shape.As4D(), weightShape.As4D(), 0, geometry.As2D(), nameof(weight));
        RequireInputTensorShape(outputGradient, [o.Batch, o.Channels, o.Width], new Shape3D(o.Batch, o.Channels, o.Width), nameof(outputGradient));
        ConvBackwardTensor(
            transposed, outputGradient, source, As5D(shape.As4D()), weight, weightShape, geometry.As2D().As3D(), As5D(o), sourceGradient, weightGradient, biasGradient, options);
    }

    private static ConvGradients<T> ConvBackwardAllocating1D<T>(
        bool transposed, Tensor<T> outputGradient, Tensor<T> source, Tensor<T> weight, Conv1DGeometry geometry, ConvGradientKinds wanted, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        RequireGradientKinds(wanted);
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose1DBackward) : nameof(Conv1DBackward));
        Shape4D o = ConvOutputShape(
            transposed, GetShape3D(source.AsReadOnlyTensorSpan(), nameof(source)).As4D(), GetShape3D(weight.AsReadOnlyTensorSpan(), nameof(weight)).As4D(), 0, geometry.As2D(), nameof(weight));
        ConvGradients<T> result = CreateConvGradients(source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), o.Channels, wanted);
        ConvBackwardTensor1D(
            transposed, outputGradient.AsReadOnlyTensorSpan(), source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), geometry,
            GradientView(result.SourceGradient), GradientView(result.WeightGradient), BiasGradientSpan(result.BiasGradient), options);
        return result;
    }
}
