using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The window geometry of a 2-D pooling (and of the unpooling that inverts it): kernel size, stride, padding,
/// dilation and ceil mode per axis, with PyTorch's defaults and meaning. The constructor validates each value;
/// <see cref="GetOutputSize(Size2D)"/> validates the geometry against an input size.
/// </summary>
/// <remarks>
/// <para>Per axis, with input size <c>i</c>, kernel <c>k</c>, stride <c>s</c>, padding <c>p</c>, dilation <c>d</c>
/// begin/end padding <c>pb</c>/<c>pe</c> (equal unless set apart by <see cref="WithPadding(Size2D, Size2D)"/>, ONNX's
/// <c>pads</c>, or a SAME helper) and <c>keff = d*(k-1)+1</c>: <c>o = floor_or_ceil((i + pb + pe - keff) / s) + 1</c>, floor and ceiling of a negative
/// numerator taken as mathematics does (so ceil mode accepts an input shorter than the kernel: 1x1 with kernel 2,
/// stride 2 gives 1x1, as in PyTorch); in ceil mode the last window is dropped when it would start in the end padding
/// (<c>(o-1)*s &gt;= i + pb</c>). An output size below 1 is an error.</para>
/// <para>Padding cells are never read and never selected. Any padding is accepted as long as every window holds at
/// least one real cell (PyTorch's extra rule <c>p &lt;= k/2</c> is not applied).</para>
/// </remarks>
public readonly record struct Pool2DGeometry
{
    /// <summary>Creates a geometry. Arguments left <see langword="null"/> take PyTorch's defaults.</summary>
    /// <param name="kernelSize">Window size per axis, each &gt;= 1.</param>
    /// <param name="stride">Step between windows per axis, each &gt;= 1; <see langword="null"/> = <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Implicit cells added on both sides per axis, each &gt;= 0; <see langword="null"/> = 0.</param>
    /// <param name="dilation">Spacing between window cells per axis, each &gt;= 1; <see langword="null"/> = 1.</param>
    /// <param name="ceilMode">Round the output size up instead of down.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range; the parameter is named.</exception>
    public Pool2DGeometry(Size2D kernelSize, Size2D? stride = null, Size2D? padding = null, Size2D? dilation = null, bool ceilMode = false)
    {
        Size2D s = stride ?? kernelSize;
        Size2D p = padding ?? new Size2D(0, 0);
        Size2D d = dilation ?? new Size2D(1, 1);
        RequireAtLeast(kernelSize, 1, nameof(kernelSize));
        RequireAtLeast(s, 1, nameof(stride));
        RequireAtLeast(p, 0, nameof(padding));
        RequireAtLeast(d, 1, nameof(dilation));
        KernelSize = kernelSize;
        Stride = s;
        PaddingBegin = p;
        PaddingEnd = p;
        Dilation = d;
        CeilMode = ceilMode;
    }

    /// <summary>Window size (height, width).</summary>
    public Size2D KernelSize { get; }

    /// <summary>Step between windows (height, width).</summary>
    public Size2D Stride { get; }

    /// <summary>Implicit padding at the top and left (height, width); equal to <see cref="PaddingEnd"/> unless
    /// <see cref="WithPadding(Size2D, Size2D)"/> or a SAME helper set them apart.</summary>
    public Size2D PaddingBegin { get; private init; }

    /// <summary>Implicit padding at the bottom and right (height, width).</summary>
    public Size2D PaddingEnd { get; private init; }

    /// <summary>Spacing between window cells (height, width); 1 = contiguous.</summary>
    public Size2D Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <summary>A copy with different padding at each side (ONNX's <c>pads</c>: begin values, then end values).</summary>
    /// <param name="paddingBegin">Padding at the top and left, each &gt;= 0.</param>
    /// <param name="paddingEnd">Padding at the bottom and right, each &gt;= 0.</param>
    /// <returns>The geometry with the new padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    /// <exception cref="ArgumentException">The geometry is <c>default</c> (named <c>Pool2DGeometry</c>).</exception>
    public Pool2DGeometry WithPadding(Size2D paddingBegin, Size2D paddingEnd)
    {
        ThrowIfDefault(nameof(Pool2DGeometry));
        RequireAtLeast(paddingBegin, 0, nameof(paddingBegin));
        RequireAtLeast(paddingEnd, 0, nameof(paddingEnd));
        return this with { PaddingBegin = paddingBegin, PaddingEnd = paddingEnd };
    }

    /// <summary>
    /// A copy padded as ONNX's <c>MaxPool</c> <c>auto_pad</c> asks for an input of <paramref name="inputSize"/>:
    /// <c>SAME_UPPER</c>/<c>SAME_LOWER</c> give output <c>ceil(i / s)</c> per axis with total pad
    /// <c>max(0, (o-1)*s + keff - i)</c>, the odd cell at the end (UPPER) or the beginning (LOWER); <c>VALID</c> removes
    /// the padding; <c>NOTSET</c> keeps this geometry's pads.
    /// </summary>
    /// <param name="inputSize">The pooling input (H, W), each &gt;= 1.</param>
    /// <param name="autoPad">The ONNX attribute.</param>
    /// <returns>The geometry with the pads the attribute implies.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid, a pad would pass
    /// <see cref="int.MaxValue"/>, or the geometry is <c>default</c>.</exception>
    public Pool2DGeometry WithOnnxAutoPad(Size2D inputSize, OnnxAutoPad autoPad)
    {
        ThrowIfDefault(nameof(Pool2DGeometry));
        PoolAxisRules.RequireDefined(autoPad);
        RequireInput(inputSize, nameof(inputSize));
        return autoPad switch
        {
            OnnxAutoPad.NotSet => this,
            OnnxAutoPad.Valid => this with { PaddingBegin = new Size2D(0, 0), PaddingEnd = new Size2D(0, 0) },
            _ => Same(inputSize, autoPad == OnnxAutoPad.SameUpper),
        };
    }

    /// <summary>
    /// A copy padded as TensorFlow's <c>max_pool</c> <c>padding</c> asks for an input of <paramref name="inputSize"/>:
    /// <c>SAME</c> is ONNX's SAME_UPPER (output <c>ceil(i / s)</c>, the odd pad cell at the end), <c>VALID</c> no padding.
    /// </summary>
    /// <param name="inputSize">The pooling input (H, W), each &gt;= 1.</param>
    /// <param name="padding">The TensorFlow argument.</param>
    /// <returns>The geometry with the pads the argument implies.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="padding"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid, a pad would pass
    /// <see cref="int.MaxValue"/>, or the geometry is <c>default</c>.</exception>
    public Pool2DGeometry WithTensorFlowPadding(Size2D inputSize, TensorFlowPadding padding)
    {
        ThrowIfDefault(nameof(Pool2DGeometry));
        PoolAxisRules.RequireDefined(padding);
        RequireInput(inputSize, nameof(inputSize));
        return padding == TensorFlowPadding.Valid
            ? this with { PaddingBegin = new Size2D(0, 0), PaddingEnd = new Size2D(0, 0) }
            : Same(inputSize, extraAtEnd: true);
    }

    /// <summary>Whether this is <c>default(Pool2DGeometry)</c>, which has no kernel and is rejected by every operator.</summary>
    public bool IsDefault => KernelSize.Height == 0;

    /// <summary>The pooled size for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input (H, W), each &gt;= 1.</param>
    /// <returns>The output (H, W).</returns>
    /// <exception cref="ArgumentException">The output would be empty, or a window would hold only padding; or the geometry
    /// is <c>default</c> (named <c>Pool2DGeometry</c>).</exception>
    public Size2D GetOutputSize(Size2D inputSize)
    {
        // A default geometry is no caller's argument: named after the type, as Conv2DGeometry does.
        ThrowIfDefault(nameof(Pool2DGeometry));
        return GetOutputSize(inputSize, nameof(inputSize));
    }

    /// <summary>
    /// The default size of the argmax unpooling of a pooled size: <c>(i-1)*s - pb - pe + k</c> per axis (dilation is not
    /// part of it, as in PyTorch and ONNX).
    /// </summary>
    /// <param name="pooledSize">The pooled (H, W), each &gt;= 1.</param>
    /// <returns>The unpooled (H, W).</returns>
    /// <exception cref="ArgumentException">The size would be &lt; 1, or the geometry is <c>default</c> (named
    /// <c>Pool2DGeometry</c>).</exception>
    public Size2D GetUnpoolOutputSize(Size2D pooledSize)
    {
        ThrowIfDefault(nameof(Pool2DGeometry));
        return GetUnpoolOutputSize(pooledSize, nameof(pooledSize));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"kernel {KernelSize}, stride {Stride}, padding {(PaddingBegin == PaddingEnd ? PaddingBegin.ToString() : $"{PaddingBegin}/{PaddingEnd}")}, dilation {Dilation}, ceil mode {(CeilMode ? "on" : "off")}";

    internal void ThrowIfDefault(string paramName)
    {
        if (IsDefault)
        {
            ThrowHelper.ThrowArgument(paramName, "The geometry is default(Pool2DGeometry), which has no kernel; construct it with a kernel size.");
        }
    }

    internal Size2D GetOutputSize(Size2D inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        RequireInput(inputSize, paramName);
        int oh = PoolAxisRules.Output(inputSize.Height, KernelSize.Height, Stride.Height, PaddingBegin.Height, PaddingEnd.Height, Dilation.Height, CeilMode, "height", inputSize, this, paramName);
        int ow = PoolAxisRules.Output(inputSize.Width, KernelSize.Width, Stride.Width, PaddingBegin.Width, PaddingEnd.Width, Dilation.Width, CeilMode, "width", inputSize, this, paramName);
        return new Size2D(oh, ow);
    }

    internal Size2D GetUnpoolOutputSize(Size2D pooledSize, string paramName)
    {
        ThrowIfDefault(paramName);
        (long h, long w) = DefaultUnpoolSize(pooledSize);
        if (pooledSize.Height < 1 || pooledSize.Width < 1 || h < 1 || w < 1 || h > int.MaxValue || w > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Unpooling a {pooledSize} input with {this} gives a default output size of {h}x{w}; each size must be between 1 and {int.MaxValue}.");
        }

        return new Size2D((int)h, (int)w);
    }

    /// <summary>
    /// The unpooled size: the default (which must be valid) when <paramref name="outputSize"/> is
    /// <see langword="null"/>, else <paramref name="outputSize"/> judged against the default taken in 64 bits, which need
    /// not be a valid size itself (SEMANTICS.md 2: a pooled 1x1 whose default is 0x2 may still be unpooled to 2x2).
    /// </summary>
    internal Size2D ResolveUnpoolOutputSize(Size2D pooledSize, Size2D? outputSize, string paramName, string outputSizeName)
    {
        if (outputSize is not { } requested || pooledSize.Height < 1 || pooledSize.Width < 1)
        {
            return GetUnpoolOutputSize(pooledSize, paramName);
        }

        ThrowIfDefault(paramName);
        (long h, long w) = DefaultUnpoolSize(pooledSize);
        return UnpoolSize.Resolve(h, w, Stride, requested, outputSizeName);
    }

    /// <summary>The default unpooled size <c>(i-1)*s - pb - pe + k</c> per axis, in 64 bits (it may be below 1 or past
    /// <see cref="int.MaxValue"/>; the callers judge it).</summary>
    private (long Height, long Width) DefaultUnpoolSize(Size2D pooledSize)
        => (AxisMath.UnpoolDefault(pooledSize.Height, KernelSize.Height, Stride.Height, PaddingBegin.Height, PaddingEnd.Height),
            AxisMath.UnpoolDefault(pooledSize.Width, KernelSize.Width, Stride.Width, PaddingBegin.Width, PaddingEnd.Width));

    private Pool2DGeometry Same(Size2D inputSize, bool extraAtEnd)
    {
        (int bh, int eh) = PoolAxisRules.Same(inputSize.Height, KernelSize.Height, Stride.Height, Dilation.Height, extraAtEnd, nameof(inputSize));
        (int bw, int ew) = PoolAxisRules.Same(inputSize.Width, KernelSize.Width, Stride.Width, Dilation.Width, extraAtEnd, nameof(inputSize));
        return this with { PaddingBegin = new Size2D(bh, bw), PaddingEnd = new Size2D(eh, ew) };
    }

    private static void RequireInput(Size2D inputSize, string paramName)
    {
        if (inputSize.Height < 1 || inputSize.Width < 1)
        {
            ThrowHelper.ThrowArgument(paramName, $"Input size {inputSize} is invalid: both sizes must be >= 1.");
        }
    }

    private static void RequireAtLeast(Size2D value, int minimum, string paramName)
    {
        if (value.Height < minimum || value.Width < minimum)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"Each of {paramName}'s sizes must be >= {minimum}; got {value}.");
        }
    }
}
