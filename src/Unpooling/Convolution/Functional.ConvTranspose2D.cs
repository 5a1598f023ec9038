using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D transposed convolution (PyTorch's <c>conv_transpose2d</c>) over <c>[N, Cin, H, W]</c>: every input cell
    /// scatters its value times the kernel into the output, <c>y[n, g*Cout/g + co, i*s - p + j*d] += x[n, g*Cin/g + ci, i] * w[g*Cin/g + ci, co, j]</c>,
    /// plus bias. It equals zero insertion with the stride, padding by <c>d*(k-1) - p</c> and a stride-1 convolution with
    /// the flipped, in/out-swapped kernel, and it is the exact adjoint of
    /// <see cref="Conv2D(ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Conv2DGeometry, Span{float}, int)"/>
    /// with the same geometry.
    /// </summary>
    /// <param name="source">The input, dense row-major, <c>N*Cin*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cin, Cout/groups, kH, kW]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cin, Cout/groups, kH, kW]</c>; <c>kH x kW</c> must equal
    /// <see cref="Conv2DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outH, outW]</c> with the size from
    /// <see cref="Conv2DGeometry.GetTransposedOutputSize(Size2D)"/>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1. Small problems use one.</param>
    /// <remarks>
    /// The work is <c>N*Cin*(Cout/groups)*kH*kW*H*W</c> multiply-adds (no inserted zero is ever multiplied), done as a
    /// packed GEMM on the widest available vectors followed by a scatter-add of the column buffer. The summation order
    /// differs from the plain loop, so results match it to rounding (exactly when the arithmetic is exact); they are
    /// bit-identical for every thread count and SIMD width. Scratch memory comes from <see cref="System.Buffers.ArrayPool{T}"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the output would be empty, or <paramref name="destination"/> overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void ConvTranspose2D(ReadOnlySpan<float> source, Shape4D sourceShape, ReadOnlySpan<float> weight, Shape4D weightShape, ReadOnlySpan<float> bias, Conv2DGeometry geometry, Span<float> destination, int maxDegreeOfParallelism = -1)
        => ConvCore(true, source, sourceShape, weight, weightShape, bias, geometry, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="ConvTranspose2D(ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Conv2DGeometry, Span{float}, int)"/>
    public static void ConvTranspose2D(ReadOnlySpan<double> source, Shape4D sourceShape, ReadOnlySpan<double> weight, Shape4D weightShape, ReadOnlySpan<double> bias, Conv2DGeometry geometry, Span<double> destination, int maxDegreeOfParallelism = -1)
        => ConvCore(true, source, sourceShape, weight, weightShape, bias, geometry, destination, maxDegreeOfParallelism);

    /// <summary>
    /// 2-D transposed convolution over rank-4 tensors (any strides); see
    /// <see cref="ConvTranspose2D(ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Shape4D, ReadOnlySpan{float}, Conv2DGeometry, Span{float}, int)"/>.
    /// </summary>
    /// <param name="source">The input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, kH, kW]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outH, outW]</c>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void ConvTranspose2D(in ReadOnlyTensorSpan<float> source, in ReadOnlyTensorSpan<float> weight, ReadOnlySpan<float> bias, Conv2DGeometry geometry, in TensorSpan<float> destination, int maxDegreeOfParallelism = -1)
        => ConvTensor(true, source, weight, bias, geometry, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="ConvTranspose2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{float}, ReadOnlySpan{float}, Conv2DGeometry, in TensorSpan{float}, int)"/>
    public static void ConvTranspose2D(in ReadOnlyTensorSpan<double> source, in ReadOnlyTensorSpan<double> weight, ReadOnlySpan<double> bias, Conv2DGeometry geometry, in TensorSpan<double> destination, int maxDegreeOfParallelism = -1)
        => ConvTensor(true, source, weight, bias, geometry, destination, maxDegreeOfParallelism);

    /// <summary>
    /// 2-D transposed convolution into a new <c>[N, Cout, outH, outW]</c> tensor, optionally of a requested output size
    /// (PyTorch's <c>output_size</c>: each size within <c>[min, min + stride - 1]</c>, which sets the output padding).
    /// </summary>
    /// <param name="source">The rank-4 input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The rank-4 kernel <c>[Cin, Cout/groups, kH, kW]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="outputSize">The requested output (H, W), or <see langword="null"/> for the geometry's own size.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is unreachable.</exception>
    public static Tensor<float> ConvTranspose2D(Tensor<float> source, Tensor<float> weight, Tensor<float>? bias, Conv2DGeometry geometry, Size2D? outputSize = null)
        => ConvAllocating(true, source, weight, bias, geometry, outputSize);

    /// <inheritdoc cref="ConvTranspose2D(Tensor{float}, Tensor{float}, Tensor{float}, Conv2DGeometry, Size2D?)"/>
    public static Tensor<double> ConvTranspose2D(Tensor<double> source, Tensor<double> weight, Tensor<double>? bias, Conv2DGeometry geometry, Size2D? outputSize = null)
        => ConvAllocating(true, source, weight, bias, geometry, outputSize);

    /// <summary>Validates a convolution or transposed convolution and returns its output shape.</summary>
    private static Shape4D ConvOutputShape(bool transposed, Shape4D sourceShape, Shape4D weightShape, int biasLength, Conv2DGeometry geometry)
    {
        geometry.ThrowIfDefault(nameof(geometry));
        int groups = geometry.Groups;
        if (sourceShape.Channels % groups != 0)
        {
            ThrowHelper.ThrowArgument(nameof(geometry), $"Groups {groups} does not divide the {sourceShape.Channels} input channels of {sourceShape}.");
        }

        if (weightShape.Height != geometry.KernelSize.Height || weightShape.Width != geometry.KernelSize.Width)
        {
            ThrowHelper.ThrowArgument(nameof(weightShape), $"Weight shape {weightShape} has a {weightShape.Height}x{weightShape.Width} kernel; the geometry's kernel size is {geometry.KernelSize}.");
        }

        long outputChannels;
        if (transposed)
        {
            if (weightShape.Batch != sourceShape.Channels)
            {
                ThrowHelper.ThrowArgument(nameof(weightShape), $"Weight shape {weightShape} has {weightShape.Batch} input channels; the source has {sourceShape.Channels}. A transposed convolution's weight is [Cin, Cout/groups, kH, kW].");
            }

            outputChannels = (long)weightShape.Channels * groups;
        }
        else
        {
            if (weightShape.Batch % groups != 0)
            {
                ThrowHelper.ThrowArgument(nameof(geometry), $"Groups {groups} does not divide the {weightShape.Batch} output channels of weight shape {weightShape}.");
            }

            if ((long)weightShape.Channels * groups != sourceShape.Channels)
            {
                ThrowHelper.ThrowArgument(nameof(weightShape), $"Weight shape {weightShape} has {weightShape.Channels} input channels per group; the source's {sourceShape.Channels} channels in {groups} groups need {sourceShape.Channels / groups}. A convolution's weight is [Cout, Cin/groups, kH, kW].");
            }

            outputChannels = weightShape.Batch;
        }

        if (biasLength != 0 && biasLength != outputChannels)
        {
            ThrowHelper.ThrowArgument("bias", $"Bias length {biasLength} does not match the {outputChannels} output channels; pass one value per output channel or an empty span.");
        }

        Size2D output = transposed
            ? geometry.GetTransposedOutputSize(sourceShape.SpatialSize, nameof(geometry))
            : geometry.GetOutputSize(sourceShape.SpatialSize, nameof(geometry));
        if (outputChannels > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(nameof(weightShape), $"Weight shape {weightShape} with groups {groups} gives {outputChannels} output channels, more than {int.MaxValue}.");
        }

        var outputShape = new Shape4D(sourceShape.Batch, (int)outputChannels, output.Height, output.Width);
        outputShape.Validate(nameof(geometry));
        return outputShape;
    }

    private static unsafe void ConvCore<T>(
        bool transposed, ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> weight, Shape4D weightShape, ReadOnlySpan<T> bias, Conv2DGeometry geometry, Span<T> destination, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        sourceShape.Validate(nameof(sourceShape));
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        weightShape.Validate(nameof(weightShape));
        Guard.Length(weight.Length, weightShape.ElementCount, nameof(weight), "the element count of", weightShape);
        Shape4D outputShape = ConvOutputShape(transposed, sourceShape, weightShape, bias.Length, geometry);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*Cout*outH*outW of", outputShape);
        Guard.Degree(maxDegreeOfParallelism);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<T, T>(destination, weight, nameof(destination), nameof(weight));
        Guard.NoOverlap<T, T>(destination, bias, nameof(destination), nameof(bias));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        long multiplyAdds = (long)sourceShape.Batch * sourceShape.Channels * (outputShape.Channels / geometry.Groups)
            * geometry.KernelSize.Height * geometry.KernelSize.Width * (transposed ? sourceShape.PlaneSize : outputShape.PlaneSize);
        int degree = ParallelRunner.ResolveDegree(maxDegreeOfParallelism, sourceShape.Batch * outputShape.Channels, multiplyAdds);
        var plan = new ConvKernel.Plan(transposed, sourceShape, outputShape.Channels, outputShape.SpatialSize, geometry, degree);
        fixed (T* s = source)
        fixed (T* w = weight)
        fixed (T* b = bias)
        fixed (T* d = destination)
        {
            ConvKernel.Run(s, w, bias.IsEmpty ? null : b, d, plan, Math.Min(degree, plan.Items));
        }
    }

    private static void ConvTensor<T>(
        bool transposed, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv2DGeometry geometry, in TensorSpan<T> destination, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        Shape4D weightShape = TensorAdapter.GetShape(weight, nameof(weight));
        Shape4D outputShape = ConvOutputShape(transposed, shape, weightShape, bias.Length, geometry);
        TensorAdapter.RequireShape(destination, outputShape, nameof(destination));
        Guard.Degree(maxDegreeOfParallelism);
        T[]? rentedSource = null, rentedWeight = null, rentedDestination = null;
        try
        {
            ReadOnlySpan<T> s = TensorAdapter.Read(source, ref rentedSource);
            ReadOnlySpan<T> w = TensorAdapter.Read(weight, ref rentedWeight);
            Span<T> d = TensorAdapter.Write(destination, ref rentedDestination);
            ConvCore(transposed, s, shape, w, weightShape, bias, geometry, d, maxDegreeOfParallelism);
            TensorAdapter.Complete(destination, rentedDestination);
            rentedDestination = null;
        }
        finally
        {
            TensorAdapter.Return(rentedSource);
            TensorAdapter.Return(rentedWeight);
            TensorAdapter.Return(rentedDestination);
        }
    }

    private static Tensor<T> ConvAllocating<T>(bool transposed, Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv2DGeometry geometry, Size2D? outputSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        if (bias is not null && bias.Rank != 1)
        {
            ThrowHelper.ThrowArgument(nameof(bias), $"Tensor bias has rank {bias.Rank}; a rank-1 [Cout] tensor is expected.");
        }

        ReadOnlyTensorSpan<T> input = source.AsReadOnlyTensorSpan();
        ReadOnlyTensorSpan<T> kernel = weight.AsReadOnlyTensorSpan();
        if (outputSize is Size2D requested)
        {
            geometry.ThrowIfDefault(nameof(geometry));
            geometry = geometry.WithTransposedOutputSize(TensorAdapter.GetShape(input, nameof(source)).SpatialSize, requested);
        }

        T[]? rentedBias = null;
        try
        {
            ReadOnlySpan<T> b = bias is null ? [] : TensorAdapter.Read(bias.AsReadOnlyTensorSpan(), ref rentedBias);
            Shape4D outputShape = ConvOutputShape(
                transposed, TensorAdapter.GetShape(input, nameof(source)), TensorAdapter.GetShape(kernel, nameof(weight)), b.Length, geometry);
            Tensor<T> result = Tensor.CreateFromShapeUninitialized<T>(TensorAdapter.Lengths(outputShape));
            ConvTensor(transposed, input, kernel, b, geometry, result.AsTensorSpan(), -1);
            return result;
        }
        finally
        {
            TensorAdapter.Return(rentedBias);
        }
    }
}
