using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Every rank's backward step once shapes, the input lengths and the geometry are valid (lowered to 3-D): the
    /// destination lengths (each empty, meaning "not wanted", or exact), the overlap rules, then the three gradients.
    /// </summary>
    private static void ConvBackwardChecked<T, TWeightShape>(
        bool transposed, ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, in TWeightShape weightShape, Conv3DGeometry geometry,
        Shape5D outputShape, Span<T> sourceGradient, Span<T> weightGradient, Span<T> biasGradient, ExecutionOptions options, ConvWorkspace? workspace = null)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWeightShape : struct
    {
        RequireGradientLength(sourceGradient.Length, source.Length, nameof(sourceGradient), "elements of source shape", sourceShape);
        RequireGradientLength(weightGradient.Length, weight.Length, nameof(weightGradient), "elements of weight shape", weightShape);
        RequireGradientLength(biasGradient.Length, outputShape.Channels, nameof(biasGradient), "output channels of", outputShape);
        RequireNoGradientOverlap<T>(sourceGradient, outputGradient, source, weight, nameof(sourceGradient));
        RequireNoGradientOverlap<T>(weightGradient, outputGradient, source, weight, nameof(weightGradient));
        RequireNoGradientOverlap<T>(biasGradient, outputGradient, source, weight, nameof(biasGradient));
        Guard.NoOverlap<T, T>(sourceGradient, weightGradient, nameof(sourceGradient), nameof(weightGradient));
        Guard.NoOverlap<T, T>(sourceGradient, biasGradient, nameof(sourceGradient), nameof(biasGradient));
        Guard.NoOverlap<T, T>(weightGradient, biasGradient, nameof(weightGradient), nameof(biasGradient));

        if (!sourceGradient.IsEmpty)
        {
            ConvSourceGradient(transposed, outputGradient, outputShape, weight, geometry, sourceShape, sourceGradient, options, workspace);
        }

        if (!weightGradient.IsEmpty)
        {
            ConvWeightGradient(transposed, outputGradient, outputShape, source, sourceShape, geometry, weightGradient, options, workspace);
        }

        if (!biasGradient.IsEmpty)
        {
            ConvBiasGradient(outputGradient, outputShape, biasGradient, workspace);
        }
    }

    /// <summary>Rejects a gradient destination that is neither empty ("not wanted") nor <paramref name="expected"/> long.</summary>
    private static void RequireGradientLength<TShape>(int actual, long expected, string paramName, string what, in TShape shape)
        where TShape : struct
    {
        if (actual != 0 && actual != expected)
        {
            ThrowHelper.ThrowArgument(paramName, $"{paramName} length {actual} does not match the {expected} {what} {shape}; pass that many elements, or an empty span when this gradient is not wanted.");
        }
    }

    /// <summary>Rejects a gradient destination sharing memory with an input.</summary>
    private static void RequireNoGradientOverlap<T>(ReadOnlySpan<T> written, ReadOnlySpan<T> outputGradient, ReadOnlySpan<T> source, ReadOnlySpan<T> weight, string writtenName)
        where T : struct
    {
        Guard.NoOverlap<T, T>(written, outputGradient, writtenName, nameof(outputGradient));
        Guard.NoOverlap<T, T>(written, source, writtenName, nameof(source));
        Guard.NoOverlap<T, T>(written, weight, writtenName, nameof(weight));
    }

    /// <summary>
    /// The input gradient: the convolution's is the transposed convolution of the output gradient with the same weight
    /// and geometry, its output padding the cells the convolution's floor left unread; the transposed convolution's is
    /// the convolution of the output gradient. An output padding of a stride or more (possible when the dilation passes
    /// the stride) lengthens that convolution's output past the source; the end padding is cut by whole strides, and
    /// where it is too short for that the result is computed one stride longer in pooled scratch and cropped.
    /// </summary>
    private static void ConvSourceGradient<T>(
        bool transposed, ReadOnlySpan<T> outputGradient, Shape5D outputShape, ReadOnlySpan<T> weight, Conv3DGeometry geometry, Shape5D sourceShape, Span<T> sourceGradient, ExecutionOptions options,
        ConvWorkspace? workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!transposed)
        {
            Conv3DGeometry adjoint = Conv3DGeometry.FromAxes(
                UnreadCells(geometry.Axis(0), sourceShape.Depth), UnreadCells(geometry.Axis(1), sourceShape.Height), UnreadCells(geometry.Axis(2), sourceShape.Width), geometry.Groups);
            ConvChecked(true, outputGradient, outputShape, weight, default, adjoint, sourceShape, sourceGradient, options, workspace);
            return;
        }

        (ConvAxis depth, int extraD) = WithoutOutputPadding(geometry.Axis(0));
        (ConvAxis height, int extraH) = WithoutOutputPadding(geometry.Axis(1));
        (ConvAxis width, int extraW) = WithoutOutputPadding(geometry.Axis(2));
        Conv3DGeometry conv = Conv3DGeometry.FromAxes(depth, height, width, geometry.Groups);
        if ((extraD | extraH | extraW) == 0)
        {
            ConvChecked(false, outputGradient, outputShape, weight, default, conv, sourceShape, sourceGradient, options, workspace);
            return;
        }

        // The longer result is the source's size plus less than a dilation per axis: its length is checked.
        Shape5D longer = sourceShape.WithSpatialSize(new Size3D(sourceShape.Depth + extraD, sourceShape.Height + extraH, sourceShape.Width + extraW));
        T[] scratch = ConvScratch.Rent<T>(workspace, checked((int)longer.ElementCount));
        try
        {
            Span<T> full = scratch.AsSpan(0, (int)longer.ElementCount);
            ConvChecked(false, outputGradient, outputShape, weight, default, conv, longer, full, options, workspace);
            CropSpatial<T>(full, longer, sourceGradient, sourceShape);
        }
        finally
        {
            ConvScratch.Return(workspace, scratch);
        }
    }

    /// <summary>The transposed axis whose output is the convolution's input of <paramref name="input"/> cells:
    /// output padding <c>(i + pb + pe - keff) mod s</c>, below the stride.</summary>
    private static ConvAxis UnreadCells(ConvAxis axis, int input)
        => axis with { OutputPadding = (int)(((long)input + axis.PadBegin + axis.PadEnd - AxisMath.EffectiveKernel(axis.Kernel, axis.Dilation)) % axis.Stride) };

    /// <summary>
    /// The convolution axis that maps the transposed output back onto its input: no output padding, the end padding
    /// reduced by the whole strides the output padding holds, or, when that would go below zero, kept (the output is then
    /// <c>op / s</c> cells longer, returned as the extra to crop).
    /// </summary>
    private static (ConvAxis Axis, int Extra) WithoutOutputPadding(ConvAxis axis)
    {
        int whole = axis.OutputPadding / axis.Stride;
        long end = axis.PadEnd - ((long)whole * axis.Stride);
        return end >= 0 ? (axis with { OutputPadding = 0, PadEnd = (int)end }, 0) : (axis with { OutputPadding = 0 }, whole);
    }

    /// <summary>Copies the leading <paramref name="shape"/> cells of every channel of a longer result, in either layout.</summary>
    private static void CropSpatial<T>(ReadOnlySpan<T> full, Shape5D longer, Span<T> destination, Shape5D shape)
    {
        bool last = shape.Layout == TensorLayout.ChannelsLast;
        int run = last ? shape.Width * shape.Channels : shape.Width;
        int planes = last ? shape.Batch : shape.Batch * shape.Channels;
        int rowFull = last ? longer.Width * longer.Channels : longer.Width;
        long target = 0;
        for (int plane = 0; plane < planes; plane++)
        {
            for (int d = 0; d < shape.Depth; d++)
            {
                for (int h = 0; h < shape.Height; h++)
                {
                    long from = ((((long)plane * longer.Depth) + d) * longer.Height + h) * rowFull;
                    full.Slice((int)from, run).CopyTo(destination.Slice((int)target, run));
                    target += run;
                }
            }
        }
    }

    /// <summary>
    /// The weight gradient as one packed GEMM per group over the column buffer (<c>ConvKernel.Backward.cs</c>): the
    /// convolution's rows are the output gradient and its taps the source; the transposed convolution's rows are its
    /// source and its taps the output gradient read with the convolution geometry. Half runs the float kernel on float
    /// copies in pooled scratch and rounds each gradient once.
    /// </summary>
    private static unsafe void ConvWeightGradient<T>(
        bool transposed, ReadOnlySpan<T> outputGradient, Shape5D outputShape, ReadOnlySpan<T> source, Shape5D sourceShape, Conv3DGeometry geometry, Span<T> weightGradient, ExecutionOptions options,
        ConvWorkspace? workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlySpan<T> rows = transposed ? source : outputGradient;
        ReadOnlySpan<T> taps = transposed ? outputGradient : source;
        (Shape5D rowsShape, Shape5D tapsShape) = transposed ? (sourceShape, outputShape) : (outputShape, sourceShape);
        var plan = new ConvKernel.WeightGradPlan(rowsShape, tapsShape, geometry);
        Int128 product = (Int128)plan.WeightLength * plan.Batch * plan.PVolume;
        int degree = options.ResolveDegree(plan.Items, (long)Int128.Min(product, long.MaxValue));
        if (typeof(T) != typeof(Half))
        {
            fixed (T* r = rows)
            fixed (T* t = taps)
            fixed (T* w = weightGradient)
            {
                ConvKernel.WeightGradient(r, t, w, plan, degree, workspace);
            }

            return;
        }

        float[] rowsF = ConvScratch.Rent<float>(workspace, rows.Length);
        float[] tapsF = ConvScratch.Rent<float>(workspace, taps.Length);
        float[] weightF = ConvScratch.Rent<float>(workspace, weightGradient.Length);
        try
        {
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<T, Half>(rows), rowsF.AsSpan(0, rows.Length));
            TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<T, Half>(taps), tapsF.AsSpan(0, taps.Length));
            fixed (float* r = rowsF)
            fixed (float* t = tapsF)
            fixed (float* w = weightF)
            {
                ConvKernel.WeightGradient(r, t, w, plan, degree, workspace);
            }

            TensorPrimitives.ConvertToHalf(weightF.AsSpan(0, weightGradient.Length), MemoryMarshal.Cast<T, Half>(weightGradient));
        }
        finally
        {
            ConvScratch.Return(workspace, weightF);
            ConvScratch.Return(workspace, tapsF);
            ConvScratch.Return(workspace, rowsF);
        }
    }

    /// <summary>The bias gradient (sum of the output gradient per output channel); Half sums in float and rounds once.</summary>
    private static void ConvBiasGradient<T>(ReadOnlySpan<T> outputGradient, Shape5D outputShape, Span<T> biasGradient, ConvWorkspace? workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(Half))
        {
            ConvKernel.BiasGradient<T, T>(outputGradient, outputShape, biasGradient);
            return;
        }

        float[] sums = ConvScratch.Rent<float>(workspace, biasGradient.Length);
        try
        {
            Span<float> s = sums.AsSpan(0, biasGradient.Length);
            ConvKernel.BiasGradient<T, float>(outputGradient, outputShape, s);
            TensorPrimitives.ConvertToHalf(s, MemoryMarshal.Cast<T, Half>(biasGradient));
        }
        finally
        {
            ConvScratch.Return(workspace, sums);
        }
    }
}

public static partial class Functional
{
    /// <summary>
    /// Every rank's tensor-span backward once the shapes are known (lowered to 3-D): the gradient tensors' shapes (each
    /// empty, "not wanted", or of its input's lengths), the overlap rules on the caller's memory, then the span core on
    /// channels-last memory in place when the source and the output gradient both lie channels-last, else on dense
    /// row-major views.
    /// </summary>
    private static void ConvBackwardTensor<T, TWeightShape>(
        bool transposed, in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, Shape5D sourceShape, in ReadOnlyTensorSpan<T> weight, in TWeightShape weightShape,
        Conv3DGeometry geometry, Shape5D outputShape, in TensorSpan<T> sourceGradient, in TensorSpan<T> weightGradient, Span<T> biasGradient, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWeightShape : struct
    {
        RequireGradientTensor(sourceGradient, source.Lengths, nameof(sourceGradient), nameof(source));
        RequireGradientTensor(weightGradient, weight.Lengths, nameof(weightGradient), nameof(weight));
        var bias = new TensorSpan<T>(biasGradient);
        RequireNoGradientViewOverlap(sourceGradient, outputGradient, source, weight, nameof(sourceGradient));
        RequireNoGradientViewOverlap(weightGradient, outputGradient, source, weight, nameof(weightGradient));
        RequireNoGradientViewOverlap(bias, outputGradient, source, weight, nameof(biasGradient));
        RequireNoGradientPairOverlap(sourceGradient, weightGradient, nameof(sourceGradient), nameof(weightGradient));
        RequireNoGradientPairOverlap(sourceGradient, bias, nameof(sourceGradient), nameof(biasGradient));
        RequireNoGradientPairOverlap(weightGradient, bias, nameof(weightGradient), nameof(biasGradient));

        using ReadView<T> w = TensorAdapter.Read(weight);
        using WriteView<T> wg = TensorAdapter.Write(weightGradient);
        if (ConvChannelsLast.IsSource(source) && TensorAdapter.IsChannelsLastLayout(outputGradient))
        {
            using ChannelsLastWriteView<T> sgLast = TensorAdapter.WriteChannelsLast(sourceGradient);
            ConvBackwardChecked(
                transposed, TensorAdapter.ChannelsLastSpan(outputGradient), TensorAdapter.ChannelsLastSpan(source), sourceShape with { Layout = TensorLayout.ChannelsLast }, w.Span, weightShape,
                geometry, outputShape with { Layout = TensorLayout.ChannelsLast }, sgLast.Span, wg.Span, biasGradient, options);
            sgLast.Commit();
            wg.Commit();
            return;
        }

        using ReadView<T> dy = TensorAdapter.Read(outputGradient);
        using ReadView<T> s = TensorAdapter.Read(source);
        using WriteView<T> sg = TensorAdapter.Write(sourceGradient);
        ConvBackwardChecked(transposed, dy.Span, s.Span, sourceShape, w.Span, weightShape, geometry, outputShape, sg.Span, wg.Span, biasGradient, options);
        sg.Commit();
        wg.Commit();
    }

    /// <summary>Rejects an input tensor whose lengths are not <paramref name="expected"/>.</summary>
    private static void RequireInputTensorShape<T, TShape>(in ReadOnlyTensorSpan<T> tensor, ReadOnlySpan<nint> expected, in TShape shape, string paramName)
        where TShape : struct
    {
        if (!tensor.Lengths.SequenceEqual(expected))
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has shape [{string.Join(", ", tensor.Lengths.ToArray())}]; the forward's output is {shape}.");
        }
    }

    /// <summary>Rejects a gradient tensor that is neither empty ("not wanted") nor of its input's lengths.</summary>
    private static void RequireGradientTensor<T>(in TensorSpan<T> gradient, ReadOnlySpan<nint> expected, string paramName, string inputName)
    {
        if (!gradient.IsEmpty && !gradient.Lengths.SequenceEqual(expected))
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Tensor {paramName} has shape [{string.Join(", ", gradient.Lengths.ToArray())}]; the gradient of {inputName} has its shape [{string.Join(", ", expected.ToArray())}], or pass an empty tensor span when it is not wanted.");
        }
    }

    /// <summary>Rejects two wanted gradient tensors sharing memory (an empty one, default included, is not wanted and has
    /// no memory: a default view's footprint would otherwise be one element at the null reference).</summary>
    private static void RequireNoGradientPairOverlap<T>(in TensorSpan<T> first, in TensorSpan<T> second, string firstName, string secondName)
    {
        if (!first.IsEmpty && !second.IsEmpty)
        {
            Guard.NoViewOverlap(first.AsReadOnlyTensorSpan(), second.AsReadOnlyTensorSpan(), firstName, secondName);
        }
    }

    /// <summary>The overlap rules of a gradient tensor against the inputs, on the caller's memory.</summary>
    private static void RequireNoGradientViewOverlap<T>(in TensorSpan<T> written, in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, string writtenName)
    {
        if (written.IsEmpty)
        {
            return;
        }

        Guard.NoSelfOverlap(written, writtenName);
        Guard.NoViewOverlap(written.AsReadOnlyTensorSpan(), outputGradient, writtenName, nameof(outputGradient));
        Guard.NoViewOverlap(written.AsReadOnlyTensorSpan(), source, writtenName, nameof(source));
        Guard.NoViewOverlap(written.AsReadOnlyTensorSpan(), weight, writtenName, nameof(weight));
    }

    /// <summary>
    /// The allocating forms' results: the source gradient in the source's memory format (<see cref="TensorAdapter.CreateLike{TResult, TLike}"/>),
    /// the weight gradient dense, the bias gradient rank 1; each only when <paramref name="wanted"/> names it.
    /// </summary>
    private static ConvGradients<T> CreateConvGradients<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, int outputChannels, ConvGradientKinds wanted)
    {
        Tensor<T>? s = (wanted & ConvGradientKinds.Source) != 0 ? TensorAdapter.CreateLike<T, T>(source, source.Lengths) : null;
        Tensor<T>? w = (wanted & ConvGradientKinds.Weight) != 0 ? Tensor.CreateFromShapeUninitialized<T>(weight.Lengths) : null;
        Tensor<T>? b = (wanted & ConvGradientKinds.Bias) != 0 ? Tensor.CreateFromShapeUninitialized<T>([outputChannels]) : null;
        return new ConvGradients<T>(s, w, b);
    }

    /// <summary>Refuses a <see cref="ConvGradientKinds"/> with bits outside <see cref="ConvGradientKinds.All"/>.</summary>
    private static void RequireGradientKinds(ConvGradientKinds wanted)
    {
        if ((wanted & ~ConvGradientKinds.All) != 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(wanted), wanted, $"Gradient kinds {(int)wanted} name bits outside Source | Weight | Bias.");
        }
    }

    /// <summary>A gradient tensor's span for the tensor-span form (empty when not wanted).</summary>
    private static TensorSpan<T> GradientView<T>(Tensor<T>? gradient) => gradient is null ? default : gradient.AsTensorSpan();

    /// <summary>The bias gradient tensor's elements (rank 1, dense), empty when not wanted.</summary>
    private static Span<T> BiasGradientSpan<T>(Tensor<T>? gradient)
        => gradient is null || gradient.FlattenedLength == 0 ? default : MemoryMarshal.CreateSpan(ref gradient.AsTensorSpan().GetPinnableReference(), (int)gradient.FlattenedLength);
}
