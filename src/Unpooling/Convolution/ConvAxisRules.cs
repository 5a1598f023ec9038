using System.Diagnostics;

namespace Unpooling.Internal;

/// <summary>One axis of a convolution geometry: kernel, stride, begin/end padding, dilation and output padding.</summary>
internal readonly record struct ConvAxis(int Kernel, int Stride, int PadBegin, int PadEnd, int Dilation, int OutputPadding)
{
    /// <summary>The trivial axis (kernel 1, stride 1, no padding): what a lower rank is lowered with.</summary>
    public static ConvAxis Trivial => new(1, 1, 0, 0, 1, 0);

    /// <summary>The largest output padding plus one, <c>max(stride, dilation)</c>.</summary>
    public int OutputPaddingLimit => Math.Max(Stride, Dilation);

    /// <summary>The convolution's output of an input of <paramref name="i"/> cells (0 when the kernel does not fit).</summary>
    public long Output(int i) => AxisMath.ConvOutput(i, Kernel, Stride, PadBegin, PadEnd, Dilation);

    /// <summary>The transposed convolution's output of an input of <paramref name="i"/> cells.</summary>
    public long TransposedOutput(int i) => AxisMath.TransposedOutput(i, Kernel, Stride, PadBegin, PadEnd, Dilation, OutputPadding);

    /// <summary>The transposed output with no padding, <c>s*(i-1) + keff + op</c>.</summary>
    public long UnpaddedTransposedOutput(int i) => AxisMath.TransposedOutput(i, Kernel, Stride, 0, 0, Dilation, OutputPadding);
}

/// <summary>
/// The rules every convolution geometry (1-D, 2-D, 3-D) applies, written once over a span of axes: the public geometry
/// types only pack their axes, call here and unpack. Sizes are joined with <c>x</c> in the messages (<c>7</c>, <c>5x7</c>,
/// <c>3x5x7</c>), the way <see cref="Size2D"/> and <see cref="Size3D"/> print. Geometry and input are formatted only on
/// failure: the span operators validate on every call and must not allocate.
/// </summary>
internal static class ConvAxisRules
{
    /// <summary>Refuses an output padding outside <c>[0, max(stride, dilation))</c> on some axis.</summary>
    public static void RequireOutputPadding<TValue>(ReadOnlySpan<int> outputPadding, ReadOnlySpan<int> stride, ReadOnlySpan<int> dilation, in TValue value, string paramName)
        where TValue : struct
    {
        for (int a = 0; a < outputPadding.Length; a++)
        {
            if (outputPadding[a] < 0 || outputPadding[a] >= Math.Max(stride[a], dilation[a]))
            {
                var limits = new long[outputPadding.Length];
                for (int b = 0; b < limits.Length; b++)
                {
                    limits[b] = Math.Max(stride[b], dilation[b]);
                }

                ThrowHelper.ThrowArgumentOutOfRange(
                    paramName,
                    value,
                    $"Output padding {value} is out of range: each size must be >= 0 and < max(stride, dilation) = {Join(limits)}.");
            }
        }
    }

    /// <summary>Refuses a size below <paramref name="minimum"/> on some axis.</summary>
    public static void RequireAtLeast<TValue>(ReadOnlySpan<int> sizes, int minimum, in TValue value, string paramName)
        where TValue : struct
    {
        foreach (int size in sizes)
        {
            if (size < minimum)
            {
                ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"Each of {paramName}'s sizes must be >= {minimum}; got {value}.");
            }
        }
    }

    /// <summary>Refuses an input with an axis below 1.</summary>
    public static void RequireInput<TInput>(ReadOnlySpan<int> input, in TInput inputSize, string paramName)
        where TInput : struct
    {
        foreach (int size in input)
        {
            if (size < 1)
            {
                ThrowHelper.ThrowArgument(paramName, $"Input size {inputSize} is invalid: each size must be >= 1.");
            }
        }
    }

    /// <summary>The convolution's output per axis, refused when an axis is empty or past <see cref="int.MaxValue"/>.</summary>
    public static void Output<TInput, TGeometry>(ReadOnlySpan<ConvAxis> axes, ReadOnlySpan<int> input, in TInput inputSize, in TGeometry geometry, string paramName, Span<int> output)
        where TInput : struct
        where TGeometry : struct
    {
        RequireInput(input, inputSize, paramName);
        Span<long> sizes = stackalloc long[axes.Length];
        bool empty = false, huge = false;
        for (int a = 0; a < axes.Length; a++)
        {
            sizes[a] = axes[a].Output(input[a]);
            empty |= sizes[a] < 1;
            huge |= sizes[a] > int.MaxValue;
        }

        if (empty)
        {
            Span<long> padded = stackalloc long[axes.Length], extents = stackalloc long[axes.Length];
            for (int a = 0; a < axes.Length; a++)
            {
                padded[a] = (long)input[a] + axes[a].PadBegin + axes[a].PadEnd;
                extents[a] = AxisMath.EffectiveKernel(axes[a].Kernel, axes[a].Dilation);
            }

            ThrowHelper.ThrowArgument(
                paramName,
                $"Convolving an input of size {inputSize} with {geometry} gives no output: the padded input ({Join(padded)}) is smaller than the effective kernel {Join(extents)}.");
        }

        // Padding near int.MaxValue on both sides gives an axis past int.MaxValue: refused, never truncated.
        if (huge)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Convolving an input of size {inputSize} with {geometry} gives an output of {Join(sizes)}; each size must be at most {int.MaxValue} (reduce the padding).");
        }

        Narrow(sizes, output);
    }

    /// <summary>The transposed convolution's output per axis, refused outside <c>[1, int.MaxValue]</c>.</summary>
    public static void TransposedOutput<TInput, TGeometry>(ReadOnlySpan<ConvAxis> axes, ReadOnlySpan<int> input, in TInput inputSize, in TGeometry geometry, string paramName, Span<int> output)
        where TInput : struct
        where TGeometry : struct
    {
        RequireInput(input, inputSize, paramName);
        Span<long> sizes = stackalloc long[axes.Length];
        bool bad = false;
        for (int a = 0; a < axes.Length; a++)
        {
            sizes[a] = axes[a].TransposedOutput(input[a]);
            bad |= sizes[a] < 1 || sizes[a] > int.MaxValue;
        }

        if (bad)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"A transposed convolution of an input of size {inputSize} with {geometry} gives an output of {Join(sizes)}; each size must be between 1 and {int.MaxValue} (reduce the padding).");
        }

        Narrow(sizes, output);
    }

    /// <summary>
    /// The output padding per axis that makes the transposed convolution of <paramref name="input"/> produce
    /// <paramref name="requested"/> (PyTorch's <c>output_size</c>): each in <c>[min, min + s - 1]</c>.
    /// </summary>
    public static void OutputPaddingFor<TInput, TOutput, TGeometry>(
        ReadOnlySpan<ConvAxis> axes, ReadOnlySpan<int> input, ReadOnlySpan<int> requested, in TInput inputSize, in TOutput outputSize, in TGeometry geometry, Span<int> outputPadding)
        where TInput : struct
        where TOutput : struct
        where TGeometry : struct
    {
        RequireInput(input, inputSize, nameof(inputSize));
        Span<long> min = stackalloc long[axes.Length], max = stackalloc long[axes.Length];
        bool bad = false;
        for (int a = 0; a < axes.Length; a++)
        {
            long unpadded = (axes[a] with { OutputPadding = 0 }).TransposedOutput(input[a]);
            // The reachable sizes as PyTorch's output_size rule states them, [unpadded, unpadded + stride - 1], cut to
            // the sizes an int holds: at least 1 and at most int.MaxValue.
            (min[a], max[a]) = (Math.Max(1, unpadded), Math.Min(int.MaxValue, unpadded + axes[a].Stride - 1));
            bad |= requested[a] < min[a] || requested[a] > max[a];
            outputPadding[a] = bad ? 0 : (int)(requested[a] - unpadded);
        }

        if (bad)
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                nameof(outputSize),
                outputSize,
                $"Requested output size {outputSize} is unreachable: a transposed convolution of {inputSize} with {geometry} " +
                (Reachable(min, max) ? $"gives sizes from {Join(min)} to {Join(max)}." : "has an axis with no output size from 1 to int.MaxValue."));
        }
    }

    private static bool Reachable(ReadOnlySpan<long> min, ReadOnlySpan<long> max)
    {
        for (int a = 0; a < min.Length; a++)
        {
            if (max[a] < min[a])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The total pads ONNX's <c>output_shape</c> asks for per axis, <c>s*(i-1) + op + keff - o</c>, refused when an
    /// output is below 1 or beyond what output padding reaches, or a pad passes <see cref="int.MaxValue"/>.
    /// </summary>
    public static void OnnxTotalPads<TInput, TOutput, TGeometry>(
        ReadOnlySpan<ConvAxis> axes, ReadOnlySpan<int> input, ReadOnlySpan<int> outputShape, in TInput inputSize, in TOutput requested, in TGeometry geometry, Span<long> totals)
        where TInput : struct
        where TOutput : struct
        where TGeometry : struct
    {
        RequireInput(input, inputSize, nameof(inputSize));
        Span<long> full = stackalloc long[axes.Length], max = stackalloc long[axes.Length];
        bool bad = false;
        for (int a = 0; a < axes.Length; a++)
        {
            full[a] = axes[a].UnpaddedTransposedOutput(input[a]);
            totals[a] = full[a] - outputShape[a];

            // A negative total becomes output padding, which must stay below max(stride, dilation).
            max[a] = full[a] + axes[a].OutputPaddingLimit - 1 - axes[a].OutputPadding;
            bad |= outputShape[a] < 1 || outputShape[a] > max[a] || totals[a] > int.MaxValue;
        }

        if (bad)
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                nameof(outputShape),
                requested,
                $"Output shape {requested} is unreachable: a transposed convolution of {inputSize} with {geometry} gives {Join(full)} with no padding; padding reaches smaller sizes (a total pad of at most {int.MaxValue}), and output padding (below max(stride, dilation)) larger ones up to {Join(max)}.");
        }
    }

    /// <summary>
    /// The total pads ONNX's <c>auto_pad</c> SAME modes ask for per axis (output <c>input * stride</c>), refused past
    /// <see cref="int.MaxValue"/>. Not called for <c>NOTSET</c> or <c>VALID</c>.
    /// </summary>
    public static void OnnxSameTotalPads<TInput, TStride, TGeometry>(
        ReadOnlySpan<ConvAxis> axes, ReadOnlySpan<int> input, in TInput inputSize, in TStride stride, in TGeometry geometry, OnnxAutoPad autoPad, Span<long> totals)
        where TInput : struct
        where TStride : struct
        where TGeometry : struct
    {
        Debug.Assert(autoPad is OnnxAutoPad.SameUpper or OnnxAutoPad.SameLower, "only the SAME modes compute pads");
        Span<long> outputs = stackalloc long[axes.Length];
        bool huge = false, bad = false;
        for (int a = 0; a < axes.Length; a++)
        {
            outputs[a] = (long)input[a] * axes[a].Stride;
            huge |= outputs[a] > int.MaxValue;
        }

        if (huge)
        {
            ThrowHelper.ThrowArgument(nameof(inputSize), $"Input size {inputSize} times stride {stride} is {Join(outputs)}, beyond {int.MaxValue}.");
        }

        Span<long> unpadded = stackalloc long[axes.Length];
        for (int a = 0; a < axes.Length; a++)
        {
            unpadded[a] = axes[a].UnpaddedTransposedOutput(input[a]);
            totals[a] = unpadded[a] - outputs[a];
            bad |= totals[a] > int.MaxValue;
        }

        if (bad)
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                nameof(autoPad),
                autoPad,
                $"{autoPad} asks for an output of input * stride = {Join(outputs)}, but {geometry} gives {Join(unpadded)} with no padding (total pads {Join(totals)} = output padding + effective kernel - stride; each must be at most {int.MaxValue}).");
        }
    }

    /// <summary>
    /// Splits total pads per ONNX into new axes: the odd cell at the end for SAME_UPPER, at the beginning otherwise. A
    /// negative total (at most <c>int.MaxValue</c> either way, checked by the callers) is no padding and that many more
    /// cells of output padding, which the callers have checked stays below <c>max(stride, dilation)</c>.
    /// </summary>
    public static void SplitTotalPads(Span<ConvAxis> axes, ReadOnlySpan<long> totals, OnnxAutoPad autoPad)
    {
        for (int a = 0; a < axes.Length; a++)
        {
            long total = totals[a];
            (int begin, int end, int extra) = total < 0 ? (0, 0, checked((int)-total))
                : autoPad == OnnxAutoPad.SameUpper ? ((int)(total / 2), (int)(total - (total / 2)), 0) : ((int)(total - (total / 2)), (int)(total / 2), 0);
            axes[a] = axes[a] with { PadBegin = begin, PadEnd = end, OutputPadding = axes[a].OutputPadding + extra };
            Debug.Assert(axes[a].OutputPadding < axes[a].OutputPaddingLimit, "output padding past max(stride, dilation)");
        }
    }

    /// <summary>The sizes joined with <c>x</c>: <c>7</c>, <c>5x7</c>, <c>3x5x7</c>.</summary>
    public static string Join(ReadOnlySpan<long> sizes)
    {
        var text = new System.Text.StringBuilder();
        for (int a = 0; a < sizes.Length; a++)
        {
            text.Append(a == 0 ? string.Empty : "x").Append(sizes[a]);
        }

        return text.ToString();
    }

    private static void Narrow(ReadOnlySpan<long> sizes, Span<int> output)
    {
        for (int a = 0; a < sizes.Length; a++)
        {
            output[a] = (int)sizes[a];
        }
    }
}
