using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D transposed convolution (PyTorch's <c>conv_transpose2d</c>) over <c>[N, Cin, H, W]</c>: every input cell
    /// scatters its value times the kernel into the output, <c>y[n, g*Cout/g + co, i*s - p + j*d] += x[n, g*Cin/g + ci, i] * w[g*Cin/g + ci, co, j]</c>,
    /// plus bias. It equals zero insertion with the stride, padding by <c>d*(k-1) - p</c> and a stride-1 convolution with
    /// the flipped, in/out-swapped kernel, and it is the exact adjoint of
    /// <see cref="Conv2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
    /// with the same geometry.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (stored 16-bit, widened exactly to <see cref="float"/>, accumulated in float and
    /// rounded to Half once at the store). Any other <see cref="IFloatingPointIeee754{TSelf}"/> the constraint admits
    /// throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*Cin*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel, dense row-major <c>[Cin, Cout/groups, kH, kW]</c> (PyTorch's layout).</param>
    /// <param name="weightShape">The kernel shape <c>[Cin, Cout/groups, kH, kW]</c>; <c>kH x kW</c> must equal
    /// <see cref="Conv2DGeometry.KernelSize"/>.</param>
    /// <param name="bias">One value per output channel (<c>Cout</c>), or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output, <c>[N, Cout, outH, outW]</c> with the size from
    /// <see cref="Conv2DGeometry.GetTransposedOutputSize(Size2D)"/>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>
    /// The work is <c>N*Cin*(Cout/groups)*kH*kW*H*W</c> multiply-adds (no inserted zero is ever multiplied), done as a
    /// packed GEMM on the widest available vectors followed by a scatter-add of the column buffer. The summation order
    /// differs from the plain loop, so results match it to rounding (exactly when the arithmetic is exact); they are
    /// bit-identical for every thread count and SIMD width on a given instruction set (fused multiply-add where the processor has FMA, multiply then add where it does not). Scratch memory comes from <see cref="System.Buffers.ArrayPool{T}"/>; a shape whose usual scratch would be large (a reduction or kernel of millions of taps, rows of millions of columns) runs in chunks of bounded scratch instead (its results just as independent of the thread count and vector width), so any convolution whose output fits an array runs.
    /// <para>For <see cref="Half"/> the float kernel runs on float copies in pooled scratch: the weight and bias whole, the
    /// input and output a group of whole samples at a time (about 4 MB of float for both, or one sample's input and output
    /// when a sample is larger); each output is the float result rounded to Half once, so it is within one Half ulp plus
    /// the float accumulation error of the exact value, and the same bits for every thread count, SIMD width and batch
    /// split.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shapes do not agree with each other or
    /// with the geometry, the output would be empty, or <paramref name="destination"/> overlaps an input.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose2D<T>(ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> weight, Shape4D weightShape, ReadOnlySpan<T> bias, Conv2DGeometry geometry, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvCore(true, source, sourceShape, weight, weightShape, bias, geometry, destination, options);

    /// <summary>
    /// 2-D transposed convolution over rank-4 tensors (any strides); see
    /// <see cref="ConvTranspose2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (stored 16-bit, widened exactly to <see cref="float"/>, accumulated in float and
    /// rounded to Half once at the store). Any other <see cref="IFloatingPointIeee754{TSelf}"/> the constraint admits
    /// throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, kH, kW]</c>.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, Cout, outH, outW]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static void ConvTranspose2D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv2DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvTensor(true, source, weight, bias, geometry, destination, options);

    /// <summary>
    /// 2-D transposed convolution into a new <c>[N, Cout, outH, outW]</c> tensor, optionally of a requested output size
    /// (PyTorch's <c>output_size</c>: each size within <c>[min, min + stride - 1]</c>, which sets the output padding).
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/> or <see cref="double"/> (computed in their own
    /// arithmetic), or <see cref="Half"/> (stored 16-bit, widened exactly to <see cref="float"/>, accumulated in float and
    /// rounded to Half once at the store). Any other <see cref="IFloatingPointIeee754{TSelf}"/> the constraint admits
    /// throws <see cref="NotSupportedException"/>.</typeparam>
    /// <param name="source">The rank-4 input <c>[N, Cin, H, W]</c>.</param>
    /// <param name="weight">The rank-4 kernel <c>[Cin, Cout/groups, kH, kW]</c>.</param>
    /// <param name="bias">The rank-1 bias <c>[Cout]</c>, or <see langword="null"/>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="outputSize">The requested output (H, W), or <see langword="null"/> for the geometry's own size.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="weight"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is unreachable.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> ConvTranspose2D<T>(Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv2DGeometry geometry, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating(true, source, weight, bias, geometry, outputSize, options);

    /// <summary>
    /// 2-D transposed convolution of tensor views (what ONNX Runtime and TorchSharp memory arrives as) into a new
    /// <c>[N, Cout, outH, outW]</c> tensor; see
    /// <see cref="ConvTranspose2D{T}(Tensor{T}, Tensor{T}, Tensor{T}, Conv2DGeometry, Size2D?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: <see cref="float"/>, <see cref="double"/>, or <see cref="Half"/> accumulated in <see cref="float"/>.</typeparam>
    /// <param name="source">The rank-4 input <c>[N, Cin, H, W]</c>, any strides.</param>
    /// <param name="weight">The kernel <c>[Cin, Cout/groups, kH, kW]</c>, any strides.</param>
    /// <param name="bias">One value per output channel, or empty for no bias.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding.</param>
    /// <param name="outputSize">The requested output (H, W), or <see langword="null"/> for the geometry's own size.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is unreachable.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not <see cref="float"/>, <see cref="double"/> or <see cref="Half"/>.</exception>
    public static Tensor<T> ConvTranspose2D<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv2DGeometry geometry, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ConvAllocating(true, source, weight, bias, geometry, outputSize, options);

    /// <summary>
    /// Validates a convolution or transposed convolution and returns its output shape. Each exception names a parameter
    /// of the public overload: <paramref name="weightName"/> is how it calls the weight's shape (<c>weightShape</c> in
    /// the span form, <c>weight</c> in the tensor forms), and <paramref name="sizeName"/> the argument that sets the
    /// output size (<c>geometry</c>, or <c>outputSize</c> when the caller asked for one).
    /// </summary>
    private static Shape4D ConvOutputShape(bool transposed, Shape4D sourceShape, Shape4D weightShape, int biasLength, Conv2DGeometry geometry, string weightName, string sizeName = "geometry")
    {
        geometry.ThrowIfDefault(nameof(geometry));
        bool kernelMatches = weightShape.Height == geometry.KernelSize.Height && weightShape.Width == geometry.KernelSize.Width;
        long outputChannels = ConvOutputChannels(
            transposed, sourceShape.Channels, sourceShape, weightShape.Batch, weightShape.Channels, weightShape, kernelMatches, new Size2D(weightShape.Height, weightShape.Width), geometry.KernelSize, "kH, kW", biasLength, geometry.Groups, weightName);
        Size2D output = transposed
            ? geometry.GetTransposedOutputSize(sourceShape.SpatialSize, nameof(geometry))
            : geometry.GetOutputSize(sourceShape.SpatialSize, nameof(geometry));
        var outputShape = new Shape4D(sourceShape.Batch, (int)outputChannels, output.Height, output.Width) { Layout = sourceShape.Layout };
        outputShape.Validate(sizeName, allowChannelsLast: true);
        return outputShape;
    }

    /// <summary>
    /// The channel and kernel rules of every rank's convolution: groups divide the channels, the weight's kernel is the
    /// geometry's, its channel axes are <c>[Cout, Cin/groups]</c> (transposed <c>[Cin, Cout/groups]</c>), one bias per
    /// output channel. Returns the output channels (at most <see cref="int.MaxValue"/>). The shapes are formatted only
    /// on failure.
    /// </summary>
    private static long ConvOutputChannels<TShape, TKernel>(
        bool transposed, int sourceChannels, in TShape sourceShape, int weightOut, int weightIn, in TShape weightShape, bool kernelMatches, in TKernel weightKernel, in TKernel kernelSize, string kernelAxes, int biasLength, int groups, string weightName)
        where TShape : struct
        where TKernel : struct
    {
        if (sourceChannels % groups != 0)
        {
            ThrowHelper.ThrowArgument("geometry", $"Groups {groups} does not divide the {sourceChannels} input channels of {sourceShape}.");
        }

        if (!kernelMatches)
        {
            ThrowHelper.ThrowArgument(weightName, $"Weight shape {weightShape} has a {weightKernel} kernel; the geometry's kernel size is {kernelSize}.");
        }

        long outputChannels;
        if (transposed)
        {
            if (weightOut != sourceChannels)
            {
                ThrowHelper.ThrowArgument(weightName, $"Weight shape {weightShape} has {weightOut} input channels; the source has {sourceChannels}. A transposed convolution's weight is [Cin, Cout/groups, {kernelAxes}].");
            }

            outputChannels = (long)weightIn * groups;
        }
        else
        {
            if (weightOut % groups != 0)
            {
                ThrowHelper.ThrowArgument("geometry", $"Groups {groups} does not divide the {weightOut} output channels of weight shape {weightShape}.");
            }

            if ((long)weightIn * groups != sourceChannels)
            {
                ThrowHelper.ThrowArgument(weightName, $"Weight shape {weightShape} has {weightIn} input channels per group; the source's {sourceChannels} channels in {groups} groups need {sourceChannels / groups}. A convolution's weight is [Cout, Cin/groups, {kernelAxes}].");
            }

            outputChannels = weightOut;
        }

        if (biasLength != 0 && biasLength != outputChannels)
        {
            ThrowHelper.ThrowArgument("bias", $"Bias length {biasLength} does not match the {outputChannels} output channels; pass one value per output channel or an empty span.");
        }

        if (outputChannels > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(weightName, $"Weight shape {weightShape} with groups {groups} gives {outputChannels} output channels, more than {int.MaxValue}.");
        }

        return outputChannels;
    }

    /// <summary>The span forms of every 2-D (and 1-D) convolution: validation, then <see cref="ConvChecked"/>; a layer passes its <paramref name="workspace"/>.</summary>
    internal static void ConvCore<T>(
        bool transposed, ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> weight, Shape4D weightShape, ReadOnlySpan<T> bias, Conv2DGeometry geometry, Span<T> destination, ExecutionOptions options, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose2D) : nameof(Conv2D));
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        weightShape.Validate(nameof(weightShape));
        Guard.Length(weight.Length, weightShape.ElementCount, nameof(weight), "the element count of", weightShape);
        Shape4D outputShape = ConvOutputShape(transposed, sourceShape, weightShape, bias.Length, geometry, nameof(weightShape));
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*Cout*outH*outW of", outputShape);
        ConvChecked(transposed, source, As5D(sourceShape), weight, bias, geometry.As3D(), As5D(outputShape), destination, options, workspace);
    }

    /// <summary>
    /// Every rank's last step once shapes, lengths and geometry are valid (lowered to 3-D): the overlap rules, then the
    /// float/double kernel or the Half conversion around it.
    /// </summary>
    private static void ConvChecked<T>(
        bool transposed, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Shape5D outputShape, Span<T> destination, ExecutionOptions options,
        ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<T, T>(destination, weight, nameof(destination), nameof(weight));
        Guard.NoOverlap<T, T>(destination, bias, nameof(destination), nameof(bias));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        if (typeof(T) == typeof(Half))
        {
            ConvHalf(
                transposed, MemoryMarshal.Cast<T, Half>(source), sourceShape, MemoryMarshal.Cast<T, Half>(weight), MemoryMarshal.Cast<T, Half>(bias),
                geometry, outputShape, MemoryMarshal.Cast<T, Half>(destination), options, workspace);
            return;
        }

        ConvRun(transposed, source, sourceShape, weight, bias, geometry, outputShape, destination, options, workspace);
    }

    /// <summary>A 2-D shape as a 3-D one of depth 1 (what the kernels run).</summary>
    private static Shape5D As5D(Shape4D shape) => new(shape.Batch, shape.Channels, 1, shape.Height, shape.Width) { Layout = shape.Layout };

    /// <summary>Runs a validated float or double convolution of any rank, lowered to 3-D (any batch: results never depend on how it is split).</summary>
    private static unsafe void ConvRun<T>(
        bool transposed, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Shape5D outputShape, Span<T> destination, ExecutionOptions options,
        ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Seven factors of up to 2^31 each (the plane two): the product is taken in Int128 (no wrap) and saturated to a long.
        Int128 product = (Int128)sourceShape.Batch * sourceShape.Channels * (outputShape.Channels / geometry.Groups)
            * geometry.KernelSize.Depth * geometry.KernelSize.Height * geometry.KernelSize.Width * (transposed ? sourceShape.PlaneSize : outputShape.PlaneSize);
        long multiplyAdds = (long)Int128.Min(product, long.MaxValue);
        // The work size that decides threading is the multiply-add count here, not the touched elements.
        int degree = options.ResolveDegree((long)sourceShape.Batch * outputShape.Channels, multiplyAdds);
        if (sourceShape.Layout == TensorLayout.ChannelsLast)
        {
            ConvRunChannelsLast(transposed, source, sourceShape, weight, bias, geometry, outputShape, destination, degree, workspace);
            return;
        }

        var plan = new ConvKernel.Plan(transposed, sourceShape, outputShape.Channels, outputShape.SpatialSize, geometry, degree);
        fixed (T* s = source)
        fixed (T* w = weight)
        fixed (T* b = bias)
        fixed (T* d = destination)
        {
            ConvKernel.Run(s, w, bias.IsEmpty ? null : b, d, plan, Math.Min(degree, plan.Items), workspace);
        }
    }

    /// <summary>
    /// Input plus output elements (4 MB of <see cref="float"/>) a <see cref="Half"/> convolution converts at a time;
    /// a sample larger than this is converted whole.
    /// </summary>
    private const long HalfChunkElements = 1 << 20;

    /// <summary>
    /// A validated <see cref="Half"/> convolution: the weight and bias are widened to <see cref="float"/> once, then
    /// whole samples, as many as fit <see cref="HalfChunkElements"/> (at least one), are widened, run through the float
    /// kernel and its result rounded to Half once at the store. Exact widening and a sample-wise split (the float kernel's
    /// results do not depend on the batch split) keep the bits independent of the chunking, the thread count and the
    /// vector width. All scratch is rented from <see cref="ArrayPool{T}.Shared"/> (a layer's workspace when given) and returned.
    /// </summary>
    private static void ConvHalf(
        bool transposed, ReadOnlySpan<Half> source, Shape5D sourceShape, ReadOnlySpan<Half> weight, ReadOnlySpan<Half> bias, Conv3DGeometry geometry, Shape5D outputShape, Span<Half> destination, ExecutionOptions options,
        ConvWorkspace? workspace)
    {
        long inPerSample = (long)sourceShape.Channels * sourceShape.PlaneSize;
        long outPerSample = (long)outputShape.Channels * outputShape.PlaneSize;

        // Each piece is at most one sample's span (an int length) or, for several samples, within the chunk budget; the
        // weight and bias are rented apart, since their lengths are each an int but their sum need not be.
        int samples = (int)Math.Clamp(HalfChunkElements / Math.Max(1, inPerSample + outPerSample), 1, sourceShape.Batch);
        float[] weights = ConvScratch.Rent<float>(workspace, weight.Length);
        float[] biases = ConvScratch.Rent<float>(workspace, bias.Length);
        float[] input = ConvScratch.Rent<float>(workspace, checked((int)(samples * inPerSample)));
        float[] output = ConvScratch.Rent<float>(workspace, checked((int)(samples * outPerSample)));
        try
        {
            Span<float> w = weights.AsSpan(0, weight.Length), b = biases.AsSpan(0, bias.Length);
            TensorPrimitives.ConvertToSingle(weight, w);
            TensorPrimitives.ConvertToSingle(bias, b);
            for (int n0 = 0; n0 < sourceShape.Batch; n0 += samples)
            {
                int count = Math.Min(samples, sourceShape.Batch - n0);
                int inLength = (int)(count * inPerSample), outLength = (int)(count * outPerSample);
                Span<float> x = input.AsSpan(0, inLength), y = output.AsSpan(0, outLength);
                TensorPrimitives.ConvertToSingle(source.Slice((int)(n0 * inPerSample), inLength), x);
                ConvRun<float>(
                    transposed, x, sourceShape with { Batch = count }, w, b, geometry, outputShape with { Batch = count }, y, options, workspace);
                TensorPrimitives.ConvertToHalf(y, destination.Slice((int)(n0 * outPerSample), outLength));
            }
        }
        finally
        {
            ConvScratch.Return(workspace, output);
            ConvScratch.Return(workspace, input);
            ConvScratch.Return(workspace, biases);
            ConvScratch.Return(workspace, weights);
        }
    }

    private static void ConvTensor<T>(
        bool transposed, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv2DGeometry geometry, in TensorSpan<T> destination, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose2D) : nameof(Conv2D));
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        Shape4D weightShape = TensorAdapter.GetShape(weight, nameof(weight));
        Shape4D outputShape = ConvOutputShape(transposed, shape, weightShape, bias.Length, geometry, nameof(weight));
        TensorAdapter.RequireShape(destination, outputShape, nameof(destination));

        // The caller's memory, not the dense copies a strided view is computed through (those never overlap anything).
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), weight, nameof(destination), nameof(weight));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), new ReadOnlyTensorSpan<T>(bias), nameof(destination), nameof(bias));
        if (ConvChannelsLast.IsSource(source))
        {
            using var views = new ConvChannelsLast.Views<T>(source, weight, destination);
            ConvCore(transposed, views.Source, shape with { Layout = TensorLayout.ChannelsLast }, views.Weight, weightShape, bias, geometry, views.Destination, options);
            views.Commit();
            return;
        }

        using ReadView<T> s = TensorAdapter.Read(source);
        using ReadView<T> w = TensorAdapter.Read(weight);
        using WriteView<T> d = TensorAdapter.Write(destination);
        ConvCore(transposed, s.Span, shape, w.Span, weightShape, bias, geometry, d.Span, options);
        d.Commit();
    }

    private static Tensor<T> ConvAllocating<T>(bool transposed, Tensor<T> source, Tensor<T> weight, Tensor<T>? bias, Conv2DGeometry geometry, Size2D? outputSize, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(weight);
        if (bias is not null && bias.Rank != 1)
        {
            ThrowHelper.ThrowArgument(nameof(bias), $"Tensor bias has rank {bias.Rank}; a rank-1 [Cout] tensor is expected.");
        }

        using ReadView<T> b = TensorAdapter.Read(bias is null ? default : bias.AsReadOnlyTensorSpan());
        return ConvAllocating(transposed, source.AsReadOnlyTensorSpan(), weight.AsReadOnlyTensorSpan(), b.Span, geometry, outputSize, options);
    }

    private static Tensor<T> ConvAllocating<T>(
        bool transposed, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, ReadOnlySpan<T> bias, Conv2DGeometry geometry, Size2D? outputSize, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ElementTypes.RequireConvolutionElement<T>(transposed ? nameof(ConvTranspose2D) : nameof(Conv2D));
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        if (outputSize is Size2D requested)
        {
            geometry.ThrowIfDefault(nameof(geometry));
            geometry = geometry.WithTransposedOutputSize(shape.SpatialSize, requested);
        }

        Shape4D outputShape = ConvOutputShape(
            transposed, shape, TensorAdapter.GetShape(weight, nameof(weight)), bias.Length, geometry, nameof(weight), outputSize is null ? nameof(geometry) : nameof(outputSize));
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, TensorAdapter.Lengths(outputShape));
        ConvTensor(transposed, source, weight, bias, geometry, result.AsTensorSpan(), options);
        return result;
    }
}
