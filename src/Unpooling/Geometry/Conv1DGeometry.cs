using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The geometry of a 1-D convolution and of the transposed convolution that is its adjoint: kernel size, stride,
/// per-side padding, dilation, groups and (transposed only) output padding, with PyTorch's defaults and meaning; the
/// 1-D counterpart of <see cref="Conv2DGeometry"/>, with the same rules on its one axis. The operators run it as a 2-D
/// geometry whose height axis is trivial (kernel 1, stride 1, no padding).
/// </summary>
/// <remarks>
/// With input length <c>i</c>, kernel <c>k</c>, stride <c>s</c>, begin/end padding <c>pb</c>/<c>pe</c>, dilation
/// <c>d</c>, <c>keff = d*(k-1)+1</c> and output padding <c>op</c>: convolution <c>o = floor((i + pb + pe - keff) / s) + 1</c>;
/// transposed convolution <c>o = (i-1)*s - pb - pe + keff + op</c>.
/// </remarks>
public readonly record struct Conv1DGeometry
{
    /// <summary>Creates a geometry with symmetric padding. Arguments left <see langword="null"/> take PyTorch's defaults.</summary>
    /// <param name="kernelSize">Kernel size, &gt;= 1.</param>
    /// <param name="stride">Step, &gt;= 1; <see langword="null"/> = 1.</param>
    /// <param name="padding">Implicit zeros on both sides (cropping, for the transposed convolution), &gt;= 0;
    /// <see langword="null"/> = 0.</param>
    /// <param name="dilation">Spacing between kernel cells, &gt;= 1; <see langword="null"/> = 1.</param>
    /// <param name="groups">Number of channel groups, &gt;= 1; input and output channels must both be multiples.</param>
    /// <param name="outputPadding">Extra cells added at the end of the transposed output, &gt;= 0 and
    /// &lt; max(stride, dilation); <see langword="null"/> = 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range; the parameter is named.</exception>
    public Conv1DGeometry(int kernelSize, int? stride = null, int? padding = null, int? dilation = null, int groups = 1, int? outputPadding = null)
    {
        int s = stride ?? 1;
        int p = padding ?? 0;
        int d = dilation ?? 1;
        int op = outputPadding ?? 0;
        ConvAxisRules.RequireAtLeast([kernelSize], 1, kernelSize, nameof(kernelSize));
        ConvAxisRules.RequireAtLeast([s], 1, s, nameof(stride));
        ConvAxisRules.RequireAtLeast([p], 0, p, nameof(padding));
        ConvAxisRules.RequireAtLeast([d], 1, d, nameof(dilation));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ConvAxisRules.RequireOutputPadding([op], [s], [d], op, nameof(outputPadding));
        KernelSize = kernelSize;
        Stride = s;
        PaddingBegin = p;
        PaddingEnd = p;
        Dilation = d;
        Groups = groups;
        OutputPadding = op;
    }

    /// <summary>Kernel size.</summary>
    public int KernelSize { get; private init; }

    /// <summary>Step: of the convolution's window, and of the transposed convolution's zero insertion.</summary>
    public int Stride { get; private init; }

    /// <summary>Padding at the beginning (convolution), or cropping there (transposed convolution).</summary>
    public int PaddingBegin { get; private init; }

    /// <summary>Padding at the end (convolution), or cropping there (transposed convolution).</summary>
    public int PaddingEnd { get; private init; }

    /// <summary>Spacing between kernel cells; 1 = contiguous.</summary>
    public int Dilation { get; private init; }

    /// <summary>Number of channel groups; group <c>g</c> connects only its slice of input and output channels.</summary>
    public int Groups { get; private init; }

    /// <summary>Extra cells at the end of the transposed convolution's output; the convolution ignores it.</summary>
    public int OutputPadding { get; private init; }

    /// <summary>The effective kernel extent <c>d*(k-1)+1</c>.</summary>
    /// <exception cref="OverflowException">The extent exceeds <see cref="int.MaxValue"/> (the operators accept it and
    /// compute in 64 bits).</exception>
    public int EffectiveKernelSize => checked((int)AxisMath.EffectiveKernel(KernelSize, Dilation));

    /// <summary>Whether this is <c>default(Conv1DGeometry)</c>, which has no kernel and is rejected by every operator.</summary>
    public bool IsDefault => KernelSize == 0;

    /// <summary>A copy with different padding at each side (ONNX's <c>pads</c>).</summary>
    /// <param name="paddingBegin">Padding at the beginning, &gt;= 0.</param>
    /// <param name="paddingEnd">Padding at the end, &gt;= 0.</param>
    /// <returns>The geometry with the new padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    public Conv1DGeometry WithPadding(int paddingBegin, int paddingEnd)
    {
        ThrowIfDefault(nameof(Conv1DGeometry));
        ConvAxisRules.RequireAtLeast([paddingBegin], 0, paddingBegin, nameof(paddingBegin));
        ConvAxisRules.RequireAtLeast([paddingEnd], 0, paddingEnd, nameof(paddingEnd));
        return this with { PaddingBegin = paddingBegin, PaddingEnd = paddingEnd };
    }

    /// <summary>A copy with another output padding.</summary>
    /// <param name="outputPadding">Extra cells at the end of the transposed output, &gt;= 0 and &lt; max(stride, dilation).</param>
    /// <returns>The geometry with the new output padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The output padding is out of range.</exception>
    public Conv1DGeometry WithOutputPadding(int outputPadding)
    {
        ThrowIfDefault(nameof(Conv1DGeometry));
        ConvAxisRules.RequireOutputPadding([outputPadding], [Stride], [Dilation], outputPadding, nameof(outputPadding));
        return this with { OutputPadding = outputPadding };
    }

    /// <summary>
    /// A copy whose output padding makes the transposed convolution of <paramref name="inputSize"/> produce
    /// <paramref name="outputSize"/> (PyTorch's <c>output_size</c>): in <c>[min, min + s - 1]</c>.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input length, &gt;= 1.</param>
    /// <param name="outputSize">The requested output length.</param>
    /// <returns>The geometry with the output padding <c>outputSize - min</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is outside the reachable range.</exception>
    public Conv1DGeometry WithTransposedOutputSize(int inputSize, int outputSize)
    {
        ThrowIfDefault(nameof(Conv1DGeometry));
        Span<int> op = stackalloc int[1];
        ConvAxisRules.OutputPaddingFor([Axis], [inputSize], [outputSize], inputSize, outputSize, this, op);
        return this with { OutputPadding = op[0] };
    }

    /// <summary>
    /// A copy whose padding makes the transposed convolution of <paramref name="inputSize"/> produce
    /// <paramref name="outputShape"/>: ONNX <c>ConvTranspose</c>'s <c>output_shape</c>, with the rules of
    /// <see cref="Conv2DGeometry.WithOnnxTransposedOutputShape(Size2D, Size2D, OnnxAutoPad)"/>.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input length, &gt;= 1.</param>
    /// <param name="outputShape">The requested output length.</param>
    /// <param name="autoPad">Where an odd total pad puts its extra cell: at the end for
    /// <see cref="OnnxAutoPad.SameUpper"/>, at the beginning otherwise.</param>
    /// <returns>The geometry with the computed padding (and, for an output past the unpadded one, output padding).</returns>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid, or the geometry is the default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined, or
    /// <paramref name="outputShape"/> is below 1 or beyond the largest output that output padding reaches.</exception>
    public Conv1DGeometry WithOnnxTransposedOutputShape(int inputSize, int outputShape, OnnxAutoPad autoPad = OnnxAutoPad.NotSet)
    {
        ThrowIfDefault(nameof(Conv1DGeometry));
        ConvAxisRules.RequireInput([inputSize], inputSize, nameof(inputSize));
        PoolAxisRules.RequireDefined(autoPad);
        Span<long> totals = stackalloc long[1];
        ConvAxisRules.OnnxTotalPads([Axis], [inputSize], [outputShape], inputSize, outputShape, this, totals);
        return WithTotalPads(totals, autoPad);
    }

    /// <summary>
    /// A copy padded as ONNX <c>ConvTranspose</c>'s <c>auto_pad</c> asks for an input of <paramref name="inputSize"/>,
    /// with the rules of <see cref="Conv2DGeometry.WithOnnxTransposedAutoPad(Size2D, OnnxAutoPad)"/>.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input length, &gt;= 1.</param>
    /// <param name="autoPad">The ONNX <c>auto_pad</c> value.</param>
    /// <returns>The geometry with the computed padding; <c>NOTSET</c> returns this geometry.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid (or <c>input * stride</c> exceeds
    /// <see cref="int.MaxValue"/>), or the geometry is the default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined, or a SAME mode needs a
    /// total pad beyond <see cref="int.MaxValue"/>.</exception>
    public Conv1DGeometry WithOnnxTransposedAutoPad(int inputSize, OnnxAutoPad autoPad)
    {
        ThrowIfDefault(nameof(Conv1DGeometry));
        ConvAxisRules.RequireInput([inputSize], inputSize, nameof(inputSize));
        PoolAxisRules.RequireDefined(autoPad);
        switch (autoPad)
        {
            case OnnxAutoPad.NotSet:
                return this;
            case OnnxAutoPad.Valid:
                return this with { PaddingBegin = 0, PaddingEnd = 0 };
        }

        Span<long> totals = stackalloc long[1];
        ConvAxisRules.OnnxSameTotalPads([Axis], [inputSize], inputSize, Stride, this, autoPad, totals);
        return WithTotalPads(totals, autoPad);
    }

    /// <summary>The convolution's output length for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input length, &gt;= 1.</param>
    /// <returns>The output length.</returns>
    /// <exception cref="ArgumentException">The padded input is shorter than the effective kernel, or the geometry is
    /// <c>default</c> (named <c>Conv1DGeometry</c>).</exception>
    public int GetOutputSize(int inputSize)
    {
        ThrowIfDefault(nameof(Conv1DGeometry));
        return GetOutputSize(inputSize, nameof(inputSize));
    }

    /// <summary>The transposed convolution's output length for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input length, &gt;= 1.</param>
    /// <returns>The output length.</returns>
    /// <exception cref="ArgumentException">The output would be empty, or the geometry is <c>default</c> (named
    /// <c>Conv1DGeometry</c>).</exception>
    public int GetTransposedOutputSize(int inputSize)
    {
        ThrowIfDefault(nameof(Conv1DGeometry));
        return GetTransposedOutputSize(inputSize, nameof(inputSize));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"kernel {KernelSize}, stride {Stride}, padding {PaddingBegin}/{PaddingEnd}, dilation {Dilation}, groups {Groups}, output padding {OutputPadding}";

    internal ConvAxis Axis => new(KernelSize, Stride, PaddingBegin, PaddingEnd, Dilation, OutputPadding);

    /// <summary>This geometry as a 2-D one whose height axis is trivial (what the kernels run).</summary>
    internal Conv2DGeometry As2D() => IsDefault ? default : Conv2DGeometry.FromAxes(ConvAxis.Trivial, Axis, Groups);

    internal void ThrowIfDefault(string paramName)
    {
        if (IsDefault)
        {
            ThrowHelper.ThrowArgument(paramName, "The geometry is default(Conv1DGeometry), which has no kernel; construct it with a kernel size.");
        }
    }

    internal int GetOutputSize(int inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        Span<int> o = stackalloc int[1];
        ConvAxisRules.Output([Axis], [inputSize], inputSize, this, paramName, o);
        return o[0];
    }

    internal int GetTransposedOutputSize(int inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        Span<int> o = stackalloc int[1];
        ConvAxisRules.TransposedOutput([Axis], [inputSize], inputSize, this, paramName, o);
        return o[0];
    }

    private Conv1DGeometry WithTotalPads(ReadOnlySpan<long> totals, OnnxAutoPad autoPad)
    {
        Span<ConvAxis> axes = [Axis];
        ConvAxisRules.SplitTotalPads(axes, totals, autoPad);
        return this with { PaddingBegin = axes[0].PadBegin, PaddingEnd = axes[0].PadEnd, OutputPadding = axes[0].OutputPadding };
    }
}
