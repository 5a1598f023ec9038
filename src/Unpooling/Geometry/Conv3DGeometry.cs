using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The geometry of a 3-D convolution and of the transposed convolution that is its adjoint: kernel size, stride,
/// per-side padding, dilation, groups and (transposed only) output padding per axis (depth, height, width), with
/// PyTorch's defaults and meaning; the 3-D counterpart of <see cref="Conv2DGeometry"/>, with the same rules per axis.
/// </summary>
/// <remarks>
/// Per axis, with input size <c>i</c>, kernel <c>k</c>, stride <c>s</c>, begin/end padding <c>pb</c>/<c>pe</c>,
/// dilation <c>d</c>, <c>keff = d*(k-1)+1</c> and output padding <c>op</c>: convolution
/// <c>o = floor((i + pb + pe - keff) / s) + 1</c>; transposed convolution <c>o = (i-1)*s - pb - pe + keff + op</c>.
/// </remarks>
public readonly record struct Conv3DGeometry
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
    public Conv3DGeometry(Size3D kernelSize, Size3D? stride = null, Size3D? padding = null, Size3D? dilation = null, int groups = 1, Size3D? outputPadding = null)
    {
        Size3D s = stride ?? 1;
        Size3D p = padding ?? 0;
        Size3D d = dilation ?? 1;
        Size3D op = outputPadding ?? 0;
        ConvAxisRules.RequireAtLeast([kernelSize.Depth, kernelSize.Height, kernelSize.Width], 1, kernelSize, nameof(kernelSize));
        ConvAxisRules.RequireAtLeast([s.Depth, s.Height, s.Width], 1, s, nameof(stride));
        ConvAxisRules.RequireAtLeast([p.Depth, p.Height, p.Width], 0, p, nameof(padding));
        ConvAxisRules.RequireAtLeast([d.Depth, d.Height, d.Width], 1, d, nameof(dilation));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ConvAxisRules.RequireOutputPadding([op.Depth, op.Height, op.Width], [s.Depth, s.Height, s.Width], [d.Depth, d.Height, d.Width], op, nameof(outputPadding));
        KernelSize = kernelSize;
        Stride = s;
        PaddingBegin = p;
        PaddingEnd = p;
        Dilation = d;
        Groups = groups;
        OutputPadding = op;
    }

    /// <summary>Kernel size (depth, height, width).</summary>
    public Size3D KernelSize { get; private init; }

    /// <summary>Step (depth, height, width): of the convolution's window, and of the transposed convolution's zero insertion.</summary>
    public Size3D Stride { get; private init; }

    /// <summary>Padding at the front, top and left (convolution), or cropping there (transposed convolution).</summary>
    public Size3D PaddingBegin { get; private init; }

    /// <summary>Padding at the back, bottom and right (convolution), or cropping there (transposed convolution).</summary>
    public Size3D PaddingEnd { get; private init; }

    /// <summary>Spacing between kernel cells (depth, height, width); 1 = contiguous.</summary>
    public Size3D Dilation { get; private init; }

    /// <summary>Number of channel groups; group <c>g</c> connects only its slice of input and output channels.</summary>
    public int Groups { get; private init; }

    /// <summary>Extra cells at the end of the transposed convolution's output (depth, height, width); the convolution ignores it.</summary>
    public Size3D OutputPadding { get; private init; }

    /// <summary>The effective kernel extent <c>d*(k-1)+1</c> (depth, height, width).</summary>
    /// <exception cref="OverflowException">An extent exceeds <see cref="int.MaxValue"/> (the operators accept it and
    /// compute in 64 bits; this triple of <see cref="int"/>s cannot hold it).</exception>
    public Size3D EffectiveKernelSize => new(
        checked((int)AxisMath.EffectiveKernel(KernelSize.Depth, Dilation.Depth)),
        checked((int)AxisMath.EffectiveKernel(KernelSize.Height, Dilation.Height)),
        checked((int)AxisMath.EffectiveKernel(KernelSize.Width, Dilation.Width)));

    /// <summary>Whether this is <c>default(Conv3DGeometry)</c>, which has no kernel and is rejected by every operator.</summary>
    public bool IsDefault => KernelSize.Depth == 0;

    /// <summary>A copy with different padding at each side (ONNX's <c>pads</c>).</summary>
    /// <param name="paddingBegin">Padding at the front, top and left, each &gt;= 0.</param>
    /// <param name="paddingEnd">Padding at the back, bottom and right, each &gt;= 0.</param>
    /// <returns>The geometry with the new padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    public Conv3DGeometry WithPadding(Size3D paddingBegin, Size3D paddingEnd)
    {
        ThrowIfDefault(nameof(Conv3DGeometry));
        ConvAxisRules.RequireAtLeast([paddingBegin.Depth, paddingBegin.Height, paddingBegin.Width], 0, paddingBegin, nameof(paddingBegin));
        ConvAxisRules.RequireAtLeast([paddingEnd.Depth, paddingEnd.Height, paddingEnd.Width], 0, paddingEnd, nameof(paddingEnd));
        return this with { PaddingBegin = paddingBegin, PaddingEnd = paddingEnd };
    }

    /// <summary>A copy with another output padding.</summary>
    /// <param name="outputPadding">Extra cells at the end of the transposed output, each &gt;= 0 and &lt; max(stride, dilation).</param>
    /// <returns>The geometry with the new output padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The output padding is out of range.</exception>
    public Conv3DGeometry WithOutputPadding(Size3D outputPadding)
    {
        ThrowIfDefault(nameof(Conv3DGeometry));
        ConvAxisRules.RequireOutputPadding([outputPadding.Depth, outputPadding.Height, outputPadding.Width], [Stride.Depth, Stride.Height, Stride.Width], [Dilation.Depth, Dilation.Height, Dilation.Width], outputPadding, nameof(outputPadding));
        return this with { OutputPadding = outputPadding };
    }

    /// <summary>
    /// A copy whose output padding makes the transposed convolution of <paramref name="inputSize"/> produce
    /// <paramref name="outputSize"/> (PyTorch's <c>output_size</c>): each size in <c>[min, min + s - 1]</c>.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input (D, H, W), each &gt;= 1.</param>
    /// <param name="outputSize">The requested output (D, H, W).</param>
    /// <returns>The geometry with the output padding <c>outputSize - min</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outputSize"/> is outside the reachable range.</exception>
    public Conv3DGeometry WithTransposedOutputSize(Size3D inputSize, Size3D outputSize)
    {
        ThrowIfDefault(nameof(Conv3DGeometry));
        Span<int> op = stackalloc int[3];
        ConvAxisRules.OutputPaddingFor([Axis(0), Axis(1), Axis(2)], [inputSize.Depth, inputSize.Height, inputSize.Width], [outputSize.Depth, outputSize.Height, outputSize.Width], inputSize, outputSize, this, op);
        return this with { OutputPadding = new Size3D(op[0], op[1], op[2]) };
    }

    /// <summary>
    /// A copy whose padding makes the transposed convolution of <paramref name="inputSize"/> produce
    /// <paramref name="outputShape"/>: ONNX <c>ConvTranspose</c>'s <c>output_shape</c>, with the rules of
    /// <see cref="Conv2DGeometry.WithOnnxTransposedOutputShape(Size2D, Size2D, OnnxAutoPad)"/> on each axis.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input (D, H, W), each &gt;= 1.</param>
    /// <param name="outputShape">The requested output (D, H, W).</param>
    /// <param name="autoPad">Where an odd total pad puts its extra cell: at the end for
    /// <see cref="OnnxAutoPad.SameUpper"/>, at the beginning otherwise.</param>
    /// <returns>The geometry with the computed padding (and, for an output past the unpadded one, output padding).</returns>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid, or the geometry is the default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined, or
    /// <paramref name="outputShape"/> is below 1 or beyond the largest output that output padding reaches.</exception>
    public Conv3DGeometry WithOnnxTransposedOutputShape(Size3D inputSize, Size3D outputShape, OnnxAutoPad autoPad = OnnxAutoPad.NotSet)
    {
        ThrowIfDefault(nameof(Conv3DGeometry));
        ConvAxisRules.RequireInput([inputSize.Depth, inputSize.Height, inputSize.Width], inputSize, nameof(inputSize));
        PoolAxisRules.RequireDefined(autoPad);
        Span<long> totals = stackalloc long[3];
        ConvAxisRules.OnnxTotalPads([Axis(0), Axis(1), Axis(2)], [inputSize.Depth, inputSize.Height, inputSize.Width], [outputShape.Depth, outputShape.Height, outputShape.Width], inputSize, outputShape, this, totals);
        return WithTotalPads(totals, autoPad);
    }

    /// <summary>
    /// A copy padded as ONNX <c>ConvTranspose</c>'s <c>auto_pad</c> asks for an input of <paramref name="inputSize"/>,
    /// with the rules of <see cref="Conv2DGeometry.WithOnnxTransposedAutoPad(Size2D, OnnxAutoPad)"/> on each axis.
    /// </summary>
    /// <param name="inputSize">The transposed convolution's input (D, H, W), each &gt;= 1.</param>
    /// <param name="autoPad">The ONNX <c>auto_pad</c> value.</param>
    /// <returns>The geometry with the computed padding; <c>NOTSET</c> returns this geometry.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid (or <c>input * stride</c> exceeds
    /// <see cref="int.MaxValue"/>), or the geometry is the default.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined, or a SAME mode needs a
    /// total pad beyond <see cref="int.MaxValue"/>.</exception>
    public Conv3DGeometry WithOnnxTransposedAutoPad(Size3D inputSize, OnnxAutoPad autoPad)
    {
        ThrowIfDefault(nameof(Conv3DGeometry));
        ConvAxisRules.RequireInput([inputSize.Depth, inputSize.Height, inputSize.Width], inputSize, nameof(inputSize));
        PoolAxisRules.RequireDefined(autoPad);
        switch (autoPad)
        {
            case OnnxAutoPad.NotSet:
                return this;
            case OnnxAutoPad.Valid:
                return this with { PaddingBegin = 0, PaddingEnd = 0 };
        }

        Span<long> totals = stackalloc long[3];
        ConvAxisRules.OnnxSameTotalPads([Axis(0), Axis(1), Axis(2)], [inputSize.Depth, inputSize.Height, inputSize.Width], inputSize, Stride, this, autoPad, totals);
        return WithTotalPads(totals, autoPad);
    }

    /// <summary>The convolution's output size for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input (D, H, W), each &gt;= 1.</param>
    /// <returns>The output (D, H, W).</returns>
    /// <exception cref="ArgumentException">The padded input is smaller than the effective kernel, or the geometry is
    /// <c>default</c> (named <c>Conv3DGeometry</c>).</exception>
    public Size3D GetOutputSize(Size3D inputSize)
    {
        ThrowIfDefault(nameof(Conv3DGeometry));
        return GetOutputSize(inputSize, nameof(inputSize));
    }

    /// <summary>The transposed convolution's output size for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input (D, H, W), each &gt;= 1.</param>
    /// <returns>The output (D, H, W).</returns>
    /// <exception cref="ArgumentException">The output would be empty, or the geometry is <c>default</c> (named
    /// <c>Conv3DGeometry</c>).</exception>
    public Size3D GetTransposedOutputSize(Size3D inputSize)
    {
        ThrowIfDefault(nameof(Conv3DGeometry));
        return GetTransposedOutputSize(inputSize, nameof(inputSize));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"kernel {KernelSize}, stride {Stride}, padding {PaddingBegin}/{PaddingEnd}, dilation {Dilation}, groups {Groups}, output padding {OutputPadding}";

    /// <summary>A 3-D geometry from validated axes (a lower rank lowered with trivial axes).</summary>
    internal static Conv3DGeometry FromAxes(ConvAxis depth, ConvAxis height, ConvAxis width, int groups) => new()
    {
        KernelSize = new(depth.Kernel, height.Kernel, width.Kernel),
        Stride = new(depth.Stride, height.Stride, width.Stride),
        PaddingBegin = new(depth.PadBegin, height.PadBegin, width.PadBegin),
        PaddingEnd = new(depth.PadEnd, height.PadEnd, width.PadEnd),
        Dilation = new(depth.Dilation, height.Dilation, width.Dilation),
        Groups = groups,
        OutputPadding = new(depth.OutputPadding, height.OutputPadding, width.OutputPadding),
    };

    internal void ThrowIfDefault(string paramName)
    {
        if (IsDefault)
        {
            ThrowHelper.ThrowArgument(paramName, "The geometry is default(Conv3DGeometry), which has no kernel; construct it with a kernel size.");
        }
    }

    internal Size3D GetOutputSize(Size3D inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        Span<int> o = stackalloc int[3];
        ConvAxisRules.Output([Axis(0), Axis(1), Axis(2)], [inputSize.Depth, inputSize.Height, inputSize.Width], inputSize, this, paramName, o);
        return new Size3D(o[0], o[1], o[2]);
    }

    internal Size3D GetTransposedOutputSize(Size3D inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        Span<int> o = stackalloc int[3];
        ConvAxisRules.TransposedOutput([Axis(0), Axis(1), Axis(2)], [inputSize.Depth, inputSize.Height, inputSize.Width], inputSize, this, paramName, o);
        return new Size3D(o[0], o[1], o[2]);
    }

    /// <summary>The axis of dimension <paramref name="a"/> (0 depth, 1 height, 2 width).</summary>
    internal ConvAxis Axis(int a) => a switch
    {
        0 => new(KernelSize.Depth, Stride.Depth, PaddingBegin.Depth, PaddingEnd.Depth, Dilation.Depth, OutputPadding.Depth),
        1 => new(KernelSize.Height, Stride.Height, PaddingBegin.Height, PaddingEnd.Height, Dilation.Height, OutputPadding.Height),
        _ => new(KernelSize.Width, Stride.Width, PaddingBegin.Width, PaddingEnd.Width, Dilation.Width, OutputPadding.Width),
    };

    private Conv3DGeometry WithTotalPads(ReadOnlySpan<long> totals, OnnxAutoPad autoPad)
    {
        Span<ConvAxis> axes = [Axis(0), Axis(1), Axis(2)];
        ConvAxisRules.SplitTotalPads(axes, totals, autoPad);
        return FromAxes(axes[0], axes[1], axes[2], Groups);
    }
}
