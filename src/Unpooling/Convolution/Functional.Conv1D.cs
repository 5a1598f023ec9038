using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 1-D convolution (cross-correlation, PyTorch's <c>conv1d</c>) over <c>[N, Cin, L]</c>:
    /// <c>y[n, g*Cout/g + co, o] = bias[co] + sum x[n, g*Cin/g + ci, o*s - p + j*d] * w[g*Cout/g + co, ci, j]</c>, zero
    /// padding. It runs as the 2-D operator on <c>[N, Cin, 1, L]</c> with a trivial height axis (no copy), so it has that
    /// operator's kernel, determinism and element types, and is the adjoint of
    /// <see cref="ConvTranspose1D{T}(ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Conv1DGeometry, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in
    /// <see cref="float"/>; any other type throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*Cin*L</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, L]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cout, Cin/groups, k]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cout, Cin/groups, k]</c>; <c>k</c> must equal <see cref="Conv1DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups (the output padding is ignored).</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outL]</c> with the length from <see cref="Conv1DGeometry.GetOutputSize(int)"/>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the padded input is shorter than the kernel, or <paramref name="destination"/> overlaps an input.
    /// The shapes in the messages are the 2-D ones the operator runs (<c>[N, C, 1, L]</c>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv1D<T>(ReadOnlySpan<T> source, Shape3D sourceShape, ReadOnlySpan<T> weight, Shape3D weightShape, ReadOnlySpan<T> bias, Conv1DGeometry geometry, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvCore1D(false, source, sourceShape, weight, weightShape, bias, geometry, destination, options);

    /// <summary>1-D convolution over rank-3 tensors (any strides); see <see cref="Conv1D{T}(ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Conv1DGeometry, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The input <c>[N, Cin, L]</c>.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, k]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outL]</c>.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void Conv1D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv1DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvTensor1D(false, source, weight, bias, geometry, destination, options);

    /// <summary>1-D convolution into a new <c>[N, Cout, outL]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-3 input <c>[N, Cin, L]</c>.</param>
    /// <param name="weight">The rank-3 kernel <c>[Cout, Cin/groups, k]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> Conv1D<T>(Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv1DGeometry geometry, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        ReadOnlyTensorSpan<T> biasView = BiasView(bias);
        using ReadView<T> b = TensorAdapter.Read(biasView);
        return ConvAllocating1D(false, source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), b.Span, geometry, null, options);
    }

    /// <summary>1-D convolution of tensor views into a new <c>[N, Cout, outL]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-3 input <c>[N, Cin, L]</c>, any strides.</param>
    /// <param name="weight">The kernel <c>[Cout, Cin/groups, k]</c>, any strides.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> Conv1D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv1DGeometry geometry, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating1D(false, source, weight, bias, geometry, null, options);

    /// <summary>
    /// 1-D transposed convolution (PyTorch's <c>conv_transpose1d</c>) over <c>[N, Cin, L]</c>:
    /// <c>y[n, g*Cout/g + co, i*s - p + j*d] += x[n, g*Cin/g + ci, i] * w[g*Cin/g + ci, co, j]</c>, plus bias. It runs
    /// as the 2-D operator on <c>[N, Cin, 1, L]</c> with a trivial height axis (no copy), and is the exact adjoint of
    /// <see cref="Conv1D{T}(ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Conv1DGeometry, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in
    /// <see cref="float"/>; any other type throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*Cin*L</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, L]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cin, Cout/groups, k]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cin, Cout/groups, k]</c>; <c>k</c> must equal <see cref="Conv1DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outL]</c> with the length from <see cref="Conv1DGeometry.GetTransposedOutputSize(int)"/>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the output would be empty, or <paramref name="destination"/> overlaps an input. The shapes in the
    /// messages are the 2-D ones the operator runs (<c>[N, C, 1, L]</c>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose1D<T>(ReadOnlySpan<T> source, Shape3D sourceShape, ReadOnlySpan<T> weight, Shape3D weightShape, ReadOnlySpan<T> bias, Conv1DGeometry geometry, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvCore1D(true, source, sourceShape, weight, weightShape, bias, geometry, destination, options);

    /// <summary>1-D transposed convolution over rank-3 tensors (any strides); see <see cref="ConvTranspose1D{T}(ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Shape3D, ReadOnlySpan{T}, Conv1DGeometry, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The input <c>[N, Cin, L]</c>.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, k]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outL]</c>.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose1D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv1DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvTensor1D(true, source, weight, bias, geometry, destination, options);

    /// <summary>1-D transposed convolution into a new <c>[N, Cout, outL]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-3 input <c>[N, Cin, L]</c>.</param>
    /// <param name="weight">The rank-3 kernel <c>[Cin, Cout/groups, k]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="outputSize">The requested output length (PyTorch's <c>output_size</c>), or <see langword="null"/> for
    /// the geometry's own.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is unreachable.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> ConvTranspose1D<T>(Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv1DGeometry geometry, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        ReadOnlyTensorSpan<T> biasView = BiasView(bias);
        using ReadView<T> b = TensorAdapter.Read(biasView);
        return ConvAllocating1D(true, source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), b.Span, geometry, outputSize, options);
    }

    /// <summary>1-D transposed convolution of tensor views into a new <c>[N, Cout, outL]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-3 input <c>[N, Cin, L]</c>, any strides.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, k]</c>, any strides.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="outputSize">The requested output length, or <see langword="null"/> for the geometry's own.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is unreachable.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> ConvTranspose1D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv1DGeometry geometry, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating1D(true, source, weight, bias, geometry, outputSize, options);

    /// <summary>The span forms of the 1-D convolutions, run as 2-D of height 1; a layer passes its <paramref name="workspace"/>.</summary>
    internal static void ConvCore1D<T>(
        bool transposed, ReadOnlySpan<T> source, Shape3D sourceShape, ReadOnlySpan<T> weight, Shape3D weightShape, ReadOnlySpan<T> bias, Conv1DGeometry geometry, Span<T> destination, ExecutionOptions options,
        ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvCore(transposed, source, sourceShape.As4D(), weight, weightShape.As4D(), bias, geometry.As2D(), destination, options, workspace);

    private static void ConvTensor1D<T>(
        bool transposed, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv1DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose1D) : nameof(Conv1D));
        Shape3D shape = GetShape3D(source, nameof(source));
        Shape3D weightShape = GetShape3D(weight, nameof(weight));
        geometry.ThrowIfDefault(nameof(geometry));
        Shape4D o = ConvOutputShape(transposed, shape.As4D(), weightShape.As4D(), bias.Length, geometry.As2D(), nameof(weight));
        var outputShape = new Shape3D(o.Batch, o.Channels, o.Width);
        RequireTensorShape(destination, [outputShape.Batch, outputShape.Channels, outputShape.Length], outputShape, nameof(destination));
        RequireNoViewOverlaps(source, weight, bias, destination);
        if (ConvChannelsLast.IsSource(source))
        {
            using var views = new ConvChannelsLast.Views<T>(source, weight, destination);
            ConvCore1D(transposed, views.Source, shape with { Layout = TensorLayout.ChannelsLast }, views.Weight, weightShape, bias, geometry, views.Destination, options);
            views.Commit();
            return;
        }

        using ReadView<T> s = TensorAdapter.Read(source);
        using ReadView<T> w = TensorAdapter.Read(weight);
        using WriteView<T> d = TensorAdapter.Write(destination);
        ConvCore1D(transposed, s.Span, shape, w.Span, weightShape, bias, geometry, d.Span, options);
        d.Commit();
    }

    private static Tensor<T> ConvAllocating1D<T>(
        bool transposed, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv1DGeometry geometry, int? outputSize, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose1D) : nameof(Conv1D));
        Shape3D shape = GetShape3D(source, nameof(source));
        geometry.ThrowIfDefault(nameof(geometry));
        if (outputSize is int requested)
        {
            geometry = geometry.WithTransposedOutputSize(shape.Length, requested);
        }

        Shape4D o = ConvOutputShape(
            transposed, shape.As4D(), GetShape3D(weight, nameof(weight)).As4D(), bias.Length, geometry.As2D(), nameof(weight), outputSize is null ? nameof(geometry) : nameof(outputSize));
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, [o.Batch, o.Channels, o.Width]);
        ConvTensor1D(transposed, source, weight, bias, geometry, result.AsTensorSpan(), options);
        return result;
    }

    /// <summary>The <c>[N, C, L]</c> shape of a rank-3 tensor, validated.</summary>
    private static Shape3D GetShape3D<T>(in ReadOnlyTensorSpan<T> tensor, string paramName)
    {
        RequireRank(tensor.Lengths, 3, "[N, C, L]", paramName);
        ReadOnlySpan<nint> l = tensor.Lengths;
        var shape = new Shape3D((int)l[0], (int)l[1], (int)l[2]);
        shape.Validate(paramName);
        return shape;
    }
}
