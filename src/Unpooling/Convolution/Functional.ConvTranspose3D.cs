using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 3-D transposed convolution (PyTorch's <c>conv_transpose3d</c>) over <c>[N, Cin, D, H, W]</c>: every input cell
    /// scatters its value times the kernel into the output,
    /// <c>y[n, g*Cout/g + co, i*s - p + j*d] += x[n, g*Cin/g + ci, i] * w[g*Cin/g + ci, co, j]</c> per axis, plus bias.
    /// It is the exact adjoint of
    /// <see cref="Conv3D{T}(ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Conv3DGeometry, Span{T}, ExecutionOptions)"/>
    /// with the same geometry.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (stored 16-bit, accumulated in float and rounded to Half once at the store).
    /// Any other <see cref="IFloatingPointIeee754{TSelf}"/> the constraint admits throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*Cin*D*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, D, H, W]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cin, Cout/groups, kD, kH, kW]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cin, Cout/groups, kD, kH, kW]</c>; <c>kD x kH x kW</c> must equal
    /// <see cref="Conv3DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outD, outH, outW]</c> with the size from
    /// <see cref="Conv3DGeometry.GetTransposedOutputSize(Size3D)"/>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>
    /// The work is <c>N*Cin*(Cout/groups)*kD*kH*kW*D*H*W</c> multiply-adds (no inserted zero is ever multiplied): the
    /// packed GEMM of the 2-D operator computes the column matrix <c>W^T X</c> (<c>[Cout/g*kD*kH*kW, D*H*W]</c>), which
    /// col2vol adds into the bias-filled output in a fixed order (column block, kernel depth, row, column). Bit-identical
    /// for every thread count and SIMD width on a given instruction set; scratch as in the 2-D operator (bounded for any
    /// shape).
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the output would be empty, or <paramref name="destination"/> overlaps an input.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose3D<T>(ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, Shape5D weightShape, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvCore3D(true, source, sourceShape, weight, weightShape, bias, geometry, destination, options);

    /// <summary>
    /// 3-D transposed convolution over rank-5 tensors (any strides); see
    /// <see cref="ConvTranspose3D{T}(ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Shape5D, ReadOnlySpan{T}, Conv3DGeometry, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The input <c>[N, Cin, D, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, kD, kH, kW]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outD, outH, outW]</c>.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose3D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvTensor3D(true, source, weight, bias, geometry, destination, options);

    /// <summary>3-D transposed convolution into a new <c>[N, Cout, outD, outH, outW]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-5 input <c>[N, Cin, D, H, W]</c>.</param>
    /// <param name="weight">The rank-5 kernel <c>[Cin, Cout/groups, kD, kH, kW]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="outputSize">The requested output (D, H, W), PyTorch's <c>output_size</c>, or <see langword="null"/>
    /// for the geometry's own size.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is unreachable.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> ConvTranspose3D<T>(Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv3DGeometry geometry, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        ReadOnlyTensorSpan<T> biasView = BiasView(bias);
        using ReadView<T> b = TensorAdapter.Read(biasView);
        return ConvAllocating3D(true, source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), b.Span, geometry, outputSize, options);
    }

    /// <summary>3-D transposed convolution of tensor views into a new <c>[N, Cout, outD, outH, outW]</c> tensor.</summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-5 input <c>[N, Cin, D, H, W]</c>, any strides.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, kD, kH, kW]</c>, any strides.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="outputSize">The requested output (D, H, W), or <see langword="null"/> for the geometry's own size.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is unreachable.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> ConvTranspose3D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating3D(true, source, weight, bias, geometry, outputSize, options);

    /// <summary>Validates a 3-D convolution or transposed convolution and returns its output shape (names as in <see cref="ConvOutputShape"/>).</summary>
    private static Shape5D ConvOutputShape3D(bool transposed, Shape5D sourceShape, Shape5D weightShape, int biasLength, Conv3DGeometry geometry, string weightName, string sizeName = "geometry")
    {
        geometry.ThrowIfDefault(nameof(geometry));
        var weightKernel = new Size3D(weightShape.Depth, weightShape.Height, weightShape.Width);
        long outputChannels = ConvOutputChannels(
            transposed, sourceShape.Channels, sourceShape, weightShape.Batch, weightShape.Channels, weightShape, weightKernel == geometry.KernelSize, weightKernel, geometry.KernelSize, "kD, kH, kW", biasLength, geometry.Groups, weightName);
        Size3D output = transposed
            ? geometry.GetTransposedOutputSize(sourceShape.SpatialSize, nameof(geometry))
            : geometry.GetOutputSize(sourceShape.SpatialSize, nameof(geometry));
        var outputShape = new Shape5D(sourceShape.Batch, (int)outputChannels, output.Depth, output.Height, output.Width) { Layout = sourceShape.Layout };
        outputShape.Validate(sizeName, allowChannelsLast: true);
        return outputShape;
    }

    /// <summary>The span forms of the 3-D convolutions; a layer passes its <paramref name="workspace"/>.</summary>
    internal static void ConvCore3D<T>(
        bool transposed, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, Shape5D weightShape, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Span<T> destination, ExecutionOptions options,
        ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose3D) : nameof(Conv3D));
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        RequireLength(source.Length, sourceShape.ElementCount, nameof(source), "N*C*D*H*W of", sourceShape);
        weightShape.Validate(nameof(weightShape));
        RequireLength(weight.Length, weightShape.ElementCount, nameof(weight), "the element count of", weightShape);
        Shape5D outputShape = ConvOutputShape3D(transposed, sourceShape, weightShape, bias.Length, geometry, nameof(weightShape));
        RequireLength(destination.Length, outputShape.ElementCount, nameof(destination), "N*Cout*outD*outH*outW of", outputShape);
        ConvChecked(transposed, source, sourceShape, weight, bias, geometry, outputShape, destination, options, workspace);
    }

    private static void ConvTensor3D<T>(
        bool transposed, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose3D) : nameof(Conv3D));
        Shape5D shape = GetShape5D(source, nameof(source));
        Shape5D weightShape = GetShape5D(weight, nameof(weight));
        Shape5D outputShape = ConvOutputShape3D(transposed, shape, weightShape, bias.Length, geometry, nameof(weight));
        RequireTensorShape(destination, [outputShape.Batch, outputShape.Channels, outputShape.Depth, outputShape.Height, outputShape.Width], outputShape, nameof(destination));
        RequireNoViewOverlaps(source, weight, bias, destination);
        if (ConvChannelsLast.IsSource(source))
        {
            using var views = new ConvChannelsLast.Views<T>(source, weight, destination);
            ConvCore3D(transposed, views.Source, shape with { Layout = TensorLayout.ChannelsLast }, views.Weight, weightShape, bias, geometry, views.Destination, options);
            views.Commit();
            return;
        }

        using ReadView<T> s = TensorAdapter.Read(source);
        using ReadView<T> w = TensorAdapter.Read(weight);
        using WriteView<T> d = TensorAdapter.Write(destination);
        ConvCore3D(transposed, s.Span, shape, w.Span, weightShape, bias, geometry, d.Span, options);
        d.Commit();
    }

    private static Tensor<T> ConvAllocating3D<T>(
        bool transposed, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Size3D? outputSize, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose3D) : nameof(Conv3D));
        Shape5D shape = GetShape5D(source, nameof(source));
        if (outputSize is Size3D requested)
        {
            geometry.ThrowIfDefault(nameof(geometry));
            geometry = geometry.WithTransposedOutputSize(shape.SpatialSize, requested);
        }

        Shape5D o = ConvOutputShape3D(
            transposed, shape, GetShape5D(weight, nameof(weight)), bias.Length, geometry, nameof(weight), outputSize is null ? nameof(geometry) : nameof(outputSize));
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, [o.Batch, o.Channels, o.Depth, o.Height, o.Width]);
        ConvTensor3D(transposed, source, weight, bias, geometry, result.AsTensorSpan(), options);
        return result;
    }

    /// <summary>The <c>[N, C, D, H, W]</c> shape of a rank-5 tensor, validated.</summary>
    private static Shape5D GetShape5D<T>(in ReadOnlyTensorSpan<T> tensor, string paramName)
    {
        RequireRank(tensor.Lengths, 5, "[N, C, D, H, W]", paramName);
        ReadOnlySpan<nint> l = tensor.Lengths;
        var shape = new Shape5D((int)l[0], (int)l[1], (int)l[2], (int)l[3], (int)l[4]);
        shape.Validate(paramName);
        return shape;
    }

    /// <summary>Refuses a tensor of another rank, or with a dimension past <see cref="int.MaxValue"/>.</summary>
    private static void RequireRank(ReadOnlySpan<nint> lengths, int rank, string layout, string paramName)
    {
        if (lengths.Length != rank)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has rank {lengths.Length}; a rank-{rank} {layout} tensor is expected.");
        }

        foreach (nint length in lengths)
        {
            if (length > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has a dimension of {length}; each must be <= {int.MaxValue}.");
            }
        }
    }

    /// <summary>Refuses a destination tensor whose lengths are not <paramref name="expected"/>.</summary>
    private static void RequireTensorShape<T, TShape>(in TensorSpan<T> tensor, ReadOnlySpan<nint> expected, in TShape shape, string paramName)
        where TShape : struct
    {
        if (!tensor.Lengths.SequenceEqual(expected))
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has shape [{string.Join(", ", tensor.Lengths.ToArray())}]; the operation writes {shape}.");
        }
    }

    /// <summary>The overlap rules of the tensor forms, on the caller's memory (never on the dense copies).</summary>
    private static void RequireNoViewOverlaps<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, in TensorSpan<T> destination)
    {
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), weight, nameof(destination), nameof(weight));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), new ReadOnlyTensorSpan<T>(bias), nameof(destination), nameof(bias));
    }

    /// <summary>A rank-1 bias tensor's view (empty for <see langword="null"/>).</summary>
    private static ReadOnlyTensorSpan<T> BiasView<T>(Tensor<T>? bias)
    {
        if (bias is not null && bias.Rank != 1)
        {
            ThrowHelper.ThrowArgument(nameof(bias), $"Tensor bias has rank {bias.Rank}; a rank-1 [Cout] tensor is expected.");
        }

        return bias is null ? default : bias.AsReadOnlyTensorSpan();
    }

    /// <summary>Rejects a length other than <paramref name="expected"/>; the message is built only on failure.</summary>
    private static void RequireLength<TShape>(int actual, long expected, string paramName, string what, in TShape shape)
        where TShape : struct
    {
        if (actual != expected)
        {
            ThrowHelper.ThrowLengthMismatch(paramName, actual, expected, $"{what} {shape}");
        }
    }
}
