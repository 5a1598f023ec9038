using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The geometry of a 2-D convolution and of the transposed convolution that is its adjoint: kernel size, stride,
/// per-side padding, dilation, groups and (transposed only) output padding, with PyTorch's defaults and meaning. One
/// value describes the pair: <see cref="Functional.Conv2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
/// maps <see cref="GetTransposedOutputSize(Size2D)"/> back to the input size, and
/// <see cref="Functional.ConvTranspose2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
/// is its exact adjoint.
/// </summary>
/// <remarks>
/// <para>Per axis, with input size <c>i</c>, kernel <c>k</c>, stride <c>s</c>, begin/end padding <c>pb</c>/<c>pe</c>,
/// dilation <c>d</c>, <c>keff = d*(k-1)+1</c> and output padding <c>op</c>:
/// convolution <c>o = floor((i + pb + pe - keff) / s) + 1</c>; transposed convolution
/// <c>o = (i-1)*s - pb - pe + keff + op</c>.</para>
/// <para><see cref="OutputPadding"/> only resolves the ambiguity of the transposed size (several convolution inputs
/// give the same output size); the forward convolution ignores it, since its output size follows from its input.</para>
/// </remarks>
public readonly record struct Conv2DGeometry
{
    /// <summary>Creates a geometry with symmetric padding. Arguments left <see langword="null"/> take PyTorch's defaults.</summary>
    /// <param name="kernelSize">Kernel size per axis, each &gt;= 1.</param>
    /// <param name="stride">Step per axis, each &gt;= 1; <see langword="null"/> = 1.</param>
    /// <param name="padding">Implicit zeros on both sides per axis (cropping, for the transposed convolution), each
    /// &gt;= 0; <see langword="null"/> = 0.</param>
    /// <param name="dilation">Spacing between kernel cells per axis, each &gt;= 1; <see langword="null"/> = 1.</param>
    /// <param name="groups">Number of channel groups, &gt;= 1; input and output channels must both be multiples.</param>
    /// <param name="outputPadding">Extra cells added at the end of the transposed output per axis, each
    /// &gt;= 0 and &lt; max(stride, dilation); <see langword="null"/> = 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range; the parameter is named.</exception>
    public Conv2DGeometry(Size2D kernelSize, Size2D? stride = null, Size2D? padding = null, Size2D? dilation = null, int groups = 1, Size2D? outputPadding = null)
    {
        Size2D s = stride ?? new Size2D(1, 1);
        Size2D p = padding ?? new Size2D(0, 0);
        Size2D d = dilation ?? new Size2D(1, 1);
        Size2D op = outputPadding ?? new Size2D(0, 0);
        Guard.AtLeast(kernelSize, 1, nameof(kernelSize));
        Guard.AtLeast(s, 1, nameof(stride));
        Guard.AtLeast(p, 0, nameof(padding));
        Guard.AtLeast(d, 1, nameof(dilation));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ConvAxisRules.RequireOutputPadding([op.Height, op.Width], [s.Height, s.Width], [d.Height, d.Width], op, nameof(outputPadding));
        KernelSize = kernelSize;
        Stride = s;
        PaddingBegin = p;
        PaddingEnd = p;
        Dilation = d;
        Groups = groups;
        OutputPadding = op;
    }

    /// <summary>Kernel size (height, width).</summary>
    public Size2D KernelSize { get; }

    /// <summary>Step (height, width): of the convolution's window, and of the transposed convolution's zero insertion.</summary>
    public Size2D Stride { get; }

    /// <summary>Padding at the top and left (convolution), or cropping there (transposed convolution).</summary>
    public Size2D PaddingBegin { get; private init; }

    /// <summary>Padding at the bottom and right (convolution), or cropping there (transposed convolution).</summary>
    public Size2D PaddingEnd { get; private init; }

    /// <summary>Spacing between kernel cells (height, width); 1 = contiguous.</summary>
    public Size2D Dilation { get; }

    /// <summary>Number of channel groups; group <c>g</c> connects only its slice of input and output channels.</summary>
    public int Groups { get; }

    /// <summary>Extra cells at the end of the transposed convolution's output (height, width); the convolution ignores it.</summary>
    public Size2D OutputPadding { get; private init; }

    /// <summary>The effective kernel extent <c>d*(k-1)+1</c> (height, width).</summary>
    /// <remarks>The extent may exceed <see cref="int.MaxValue"/> (a dilation near 2^30 with a kernel of 3, say), which the
    /// operators accept and compute in 64 bits; this pair of <see cref="int"/>s cannot hold it, so it throws rather than
    /// wrap.</remarks>
    /// <exception cref="OverflowException">An extent exceeds <see cref="int.MaxValue"/>.</exception>
    public Size2D EffectiveKernelSize => new(checked((int)AxisMath.EffectiveKernel(KernelSize.Height, Dilation.Height)), checked((int)AxisMath.EffectiveKernel(KernelSize.Width, Dilation.Width)));

    /// <summary>Whether this is <c>default(Conv2DGeometry)</c>, which has no kernel and is rejected by every operator.</summary>
    public bool IsDefault => KernelSize.Height == 0;

    /// <summary>A copy with different padding at each side (PyTorch's functional padding is symmetric; ONNX's is not).</summary>
    /// <param name="paddingBegin">Padding at the top and left, each &gt;= 0.</param>
    /// <param name="paddingEnd">Padding at the bottom and right, each &gt;= 0.</param>
    /// <returns>The geometry with the new padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    public Conv2DGeometry WithPadding(Size2D paddingBegin, Size2D paddingEnd)
    {
        ThrowIfDefault(nameof(Conv2DGeometry));
        Guard.AtLeast(paddingBegin, 0, nameof(paddingBegin));
        Guard.AtLeast(paddingEnd, 0, nameof(paddingEnd));
        return this with { PaddingBegin = paddingBegin, PaddingEnd = paddingEnd };
    }

    /// <summary>A copy with another output padding.</summary>
    /// <param name="outputPadding">Extra cells at the end of the transposed output, each &gt;= 0 and &lt; max(stride, dilation).</param>
    /// <returns>The geometry with the new output padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The output padding is out of range.</exception>
    public Conv2DGeometry WithOutputPadding(Size2D outputPadding)
    {
        ThrowIfDefault(nameof(Conv2DGeometry));
        ConvAxisRules.RequireOutputPadding([outputPadding.Height, outputPadding.Width], [Stride.Height, Stride.Width], [Dilation.Height, Dilation.Width], outputPadding, nameof(outputPadding));
        return this with { OutputPadding = outputPadding };
    }

    /// <summary>
    /// A copy whose output padding makes the transposed convolution of <paramref name="inputSize"/> produce
    /// <paramref name="outputSize"/> (PyTorch's <c>output_size</c> argument): each size must lie in
    /// <c>[min, min + s - 1]</c>, where <c>min</c> is the size with zero output padding.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input (H, W), each &gt;= 1.</param>
    /// <param name="outputSize">The requested output (H, W).</param>
    /// <returns>The geometry with the output padding <c>outputSize - min</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is outside the reachable range.</exception>
    public Conv2DGeometry WithTransposedOutputSize(Size2D inputSize, Size2D outputSize)
    {
        ThrowIfDefault(nameof(Conv2DGeometry));
        Span<int> op = stackalloc int[2];
        ConvAxisRules.OutputPaddingFor([Axis(0), Axis(1)], [inputSize.Height, inputSize.Width], [outputSize.Height, outputSize.Width], inputSize, outputSize, this, op);
        return this with { OutputPadding = new Size2D(op[0], op[1]) };
    }

    /// <summary>
    /// A copy whose padding makes the transposed convolution of <paramref name="inputSize"/> produce
    /// <paramref name="outputShape"/>: ONNX <c>ConvTranspose</c>'s <c>output_shape</c> attribute.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input (H, W), each &gt;= 1.</param>
    /// <param name="outputShape">The requested output (H, W), each &gt;= 1 and below the output with no padding plus
    /// <c>max(stride, dilation) - outputPadding</c>.</param>
    /// <param name="autoPad">Where an odd total pad puts its extra cell: at the end for
    /// <see cref="OnnxAutoPad.SameUpper"/>, at the beginning otherwise (as the ONNX specification says).</param>
    /// <returns>The geometry with the computed <see cref="PaddingBegin"/> and <see cref="PaddingEnd"/> (and, for an
    /// output past the unpadded one, <see cref="OutputPadding"/>); the kernel, stride, dilation and groups are kept.</returns>
    /// <remarks>
    /// <para>Per axis, the total pad is <c>s*(i-1) + op + keff - o</c>, with <see cref="OutputPadding"/> as ONNX's
    /// <c>output_padding</c>; <see cref="OnnxAutoPad.SameUpper"/> splits it <c>pb = total/2, pe = total - pb</c>, any
    /// other value <c>pe = total/2, pb = total - pe</c>. Then <see cref="GetTransposedOutputSize(Size2D)"/> of
    /// <paramref name="inputSize"/> is <paramref name="outputShape"/>. An odd total splits as the specification says
    /// (the extra cell at the end for <c>SAME_UPPER</c>), as ONNX Runtime 1.30 does too (the conformance tests check it).</para>
    /// <para>A negative total pad (an output past the unpadded one) gives no padding and <c>-total</c> more output
    /// padding at the end, as ONNX Runtime does (it clamps the pads to zero): the result is the unpadded output grown
    /// at the end with cells that hold only the bias, what <see cref="WithOutputPadding(Size2D)"/> gives. The output
    /// padding stays below <c>max(stride, dilation)</c>, so an axis reaches at most <c>s*(i-1) + keff + max(s, d) - 1</c>;
    /// ONNX Runtime (and PyTorch's <c>output_size</c>) stop at <c>s*(i-1) + keff + s - 1</c>, the same bound unless the
    /// dilation exceeds the stride.</para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid, or the geometry is the default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined, or
    /// <paramref name="outputShape"/> is below 1 or beyond the largest output that output padding reaches.</exception>
    public Conv2DGeometry WithOnnxTransposedOutputShape(Size2D inputSize, Size2D outputShape, OnnxAutoPad autoPad = OnnxAutoPad.NotSet)
    {
        ThrowIfDefault(nameof(Conv2DGeometry));
        ConvAxisRules.RequireInput([inputSize.Height, inputSize.Width], inputSize, nameof(inputSize));
        PoolAxisRules.RequireDefined(autoPad);
        Span<long> totals = stackalloc long[2];
        ConvAxisRules.OnnxTotalPads([Axis(0), Axis(1)], [inputSize.Height, inputSize.Width], [outputShape.Height, outputShape.Width], inputSize, outputShape, this, totals);
        return WithTotalPads(totals, autoPad);
    }

    /// <summary>
    /// A copy padded as ONNX <c>ConvTranspose</c>'s <c>auto_pad</c> asks for an input of <paramref name="inputSize"/>:
    /// <c>SAME_UPPER</c> and <c>SAME_LOWER</c> give an output of <c>input * stride</c> per axis, <c>VALID</c> no padding,
    /// <c>NOTSET</c> keeps the explicit padding (returns this geometry).
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input (H, W), each &gt;= 1.</param>
    /// <param name="autoPad">The ONNX <c>auto_pad</c> value.</param>
    /// <returns>The geometry with the computed padding (and, when <c>keff + op &lt; s</c>, output padding); the kernel,
    /// stride, dilation and groups are kept.</returns>
    /// <remarks>
    /// <para>For the SAME modes the total pad per axis is <c>s*(i-1) + op + keff - i*s = op + keff - s</c>, split as in
    /// <see cref="WithOnnxTransposedOutputShape(Size2D, Size2D, OnnxAutoPad)"/> (the extra cell of an odd total at the
    /// end for <c>SAME_UPPER</c>, at the beginning for <c>SAME_LOWER</c>).</para>
    /// <para>A negative total (<c>keff + op &lt; s</c>, e.g. kernel 1 with stride 2) gives no padding and output padding
    /// <c>s - keff</c> (below the stride): the output is still <c>input * stride</c>, the unpadded output grown at the end
    /// with cells that hold only the bias. ONNX Runtime 1.30 clamps the pad to zero and returns the unpadded output
    /// instead, which is the leading part of this one.</para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid (or <c>input * stride</c> exceeds
    /// <see cref="int.MaxValue"/>), or the geometry is the default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined, or a SAME mode needs a
    /// total pad beyond <see cref="int.MaxValue"/>.</exception>
    public Conv2DGeometry WithOnnxTransposedAutoPad(Size2D inputSize, OnnxAutoPad autoPad)
    {
        ThrowIfDefault(nameof(Conv2DGeometry));
        ConvAxisRules.RequireInput([inputSize.Height, inputSize.Width], inputSize, nameof(inputSize));
        PoolAxisRules.RequireDefined(autoPad);
        switch (autoPad)
        {
            case OnnxAutoPad.NotSet:
                return this;
            case OnnxAutoPad.Valid:
                return this with { PaddingBegin = new Size2D(0, 0), PaddingEnd = new Size2D(0, 0) };
        }

        Span<long> totals = stackalloc long[2];
        ConvAxisRules.OnnxSameTotalPads([Axis(0), Axis(1)], [inputSize.Height, inputSize.Width], inputSize, Stride, this, autoPad, totals);
        return WithTotalPads(totals, autoPad);
    }

    /// <summary>The convolution's output size for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input (H, W), each &gt;= 1.</param>
    /// <returns>The output (H, W).</returns>
    /// <exception cref="ArgumentException">The padded input is smaller than the effective kernel, or the geometry is
    /// <c>default</c> (named <c>Conv2DGeometry</c>).</exception>
    public Size2D GetOutputSize(Size2D inputSize)
    {
        // A default geometry is no caller's argument: named after the type, as the With* members do.
        ThrowIfDefault(nameof(Conv2DGeometry));
        return GetOutputSize(inputSize, nameof(inputSize));
    }

    /// <summary>The transposed convolution's output size for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input (H, W), each &gt;= 1.</param>
    /// <returns>The output (H, W).</returns>
    /// <exception cref="ArgumentException">The output would be empty (the cropping exceeds the extent), or the geometry is
    /// <c>default</c> (named <c>Conv2DGeometry</c>).</exception>
    public Size2D GetTransposedOutputSize(Size2D inputSize)
    {
        ThrowIfDefault(nameof(Conv2DGeometry));
        return GetTransposedOutputSize(inputSize, nameof(inputSize));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"kernel {KernelSize}, stride {Stride}, padding {PaddingBegin}/{PaddingEnd}, dilation {Dilation}, groups {Groups}, output padding {OutputPadding}";

    internal void ThrowIfDefault(string paramName)
    {
        if (IsDefault)
        {
            ThrowHelper.ThrowArgument(paramName, "The geometry is default(Conv2DGeometry), which has no kernel; construct it with a kernel size.");
        }
    }

    internal Size2D GetOutputSize(Size2D inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        Span<int> o = stackalloc int[2];
        ConvAxisRules.Output([Axis(0), Axis(1)], [inputSize.Height, inputSize.Width], inputSize, this, paramName, o);
        return new Size2D(o[0], o[1]);
    }

    internal Size2D GetTransposedOutputSize(Size2D inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        Span<int> o = stackalloc int[2];
        ConvAxisRules.TransposedOutput([Axis(0), Axis(1)], [inputSize.Height, inputSize.Width], inputSize, this, paramName, o);
        return new Size2D(o[0], o[1]);
    }

    /// <summary>The axis of dimension <paramref name="a"/> (0 height, 1 width).</summary>
    internal ConvAxis Axis(int a) => a == 0
        ? new(KernelSize.Height, Stride.Height, PaddingBegin.Height, PaddingEnd.Height, Dilation.Height, OutputPadding.Height)
        : new(KernelSize.Width, Stride.Width, PaddingBegin.Width, PaddingEnd.Width, Dilation.Width, OutputPadding.Width);

    /// <summary>This geometry as a 3-D one with a trivial depth axis (what the kernels run).</summary>
    internal Conv3DGeometry As3D() => Conv3DGeometry.FromAxes(ConvAxis.Trivial, Axis(0), Axis(1), Groups);

    /// <summary>A 2-D geometry from validated axes (1-D lowered with a trivial height axis).</summary>
    internal static Conv2DGeometry FromAxes(ConvAxis height, ConvAxis width, int groups) => new(new Size2D(height.Kernel, width.Kernel), new Size2D(height.Stride, width.Stride), null, new Size2D(height.Dilation, width.Dilation), groups)
    {
        PaddingBegin = new(height.PadBegin, width.PadBegin),
        PaddingEnd = new(height.PadEnd, width.PadEnd),
        OutputPadding = new(height.OutputPadding, width.OutputPadding),
    };

    private Conv2DGeometry WithTotalPads(ReadOnlySpan<long> totals, OnnxAutoPad autoPad)
    {
        Span<ConvAxis> axes = [Axis(0), Axis(1)];
        ConvAxisRules.SplitTotalPads(axes, totals, autoPad);
        return FromAxes(axes[0], axes[1], Groups);
    }
}
