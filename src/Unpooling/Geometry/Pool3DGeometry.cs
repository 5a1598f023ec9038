using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The window geometry of a 3-D pooling (and of the unpooling that inverts it): kernel size, stride, begin/end padding,
/// dilation and ceil mode per axis (depth, height, width), with PyTorch's defaults and meaning. The rules are those of
/// <see cref="Pool2DGeometry"/> on each of the three axes; the scan order inside a window is depth, then height, then
/// width.
/// </summary>
public readonly record struct Pool3DGeometry
{
    /// <summary>Creates a geometry. Arguments left <see langword="null"/> take PyTorch's defaults.</summary>
    /// <param name="kernelSize">Window size per axis, each &gt;= 1.</param>
    /// <param name="stride">Step between windows per axis, each &gt;= 1; <see langword="null"/> = <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Implicit cells added on both sides per axis, each &gt;= 0; <see langword="null"/> = 0.</param>
    /// <param name="dilation">Spacing between window cells per axis, each &gt;= 1; <see langword="null"/> = 1.</param>
    /// <param name="ceilMode">Round the output size up instead of down.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range; the parameter is named.</exception>
    public Pool3DGeometry(Size3D kernelSize, Size3D? stride = null, Size3D? padding = null, Size3D? dilation = null, bool ceilMode = false)
    {
        Size3D s = stride ?? kernelSize;
        Size3D p = padding ?? new Size3D(0, 0, 0);
        Size3D d = dilation ?? new Size3D(1, 1, 1);
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

    /// <summary>Window size (depth, height, width).</summary>
    public Size3D KernelSize { get; }

    /// <summary>Step between windows (depth, height, width).</summary>
    public Size3D Stride { get; }

    /// <summary>Implicit padding at the front, top and left; equal to <see cref="PaddingEnd"/> unless
    /// <see cref="WithPadding(Size3D, Size3D)"/> or a SAME helper set them apart.</summary>
    public Size3D PaddingBegin { get; private init; }

    /// <summary>Implicit padding at the back, bottom and right.</summary>
    public Size3D PaddingEnd { get; private init; }

    /// <summary>Spacing between window cells (depth, height, width); 1 = contiguous.</summary>
    public Size3D Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether this is <c>default(Pool3DGeometry)</c>, which has no kernel and is rejected by every operator.</summary>
    public bool IsDefault => KernelSize.Depth == 0;

    /// <summary>The number of taps of a window, <c>kD * kH * kW</c>.</summary>
    public long Taps => KernelSize.Volume;

    /// <summary>A copy with different padding at each side (ONNX's <c>pads</c>: begin values, then end values).</summary>
    /// <param name="paddingBegin">Padding at the front, top and left, each &gt;= 0.</param>
    /// <param name="paddingEnd">Padding at the back, bottom and right, each &gt;= 0.</param>
    /// <returns>The geometry with the new padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    /// <exception cref="ArgumentException">The geometry is <c>default</c> (named <c>Pool3DGeometry</c>).</exception>
    public Pool3DGeometry WithPadding(Size3D paddingBegin, Size3D paddingEnd)
    {
        ThrowIfDefault(nameof(Pool3DGeometry));
        RequireAtLeast(paddingBegin, 0, nameof(paddingBegin));
        RequireAtLeast(paddingEnd, 0, nameof(paddingEnd));
        return this with { PaddingBegin = paddingBegin, PaddingEnd = paddingEnd };
    }

    /// <summary>A copy padded as ONNX's <c>MaxPool</c> <c>auto_pad</c> asks for an input of <paramref name="inputSize"/>
    /// (see <see cref="Pool2DGeometry.WithOnnxAutoPad(Size2D, OnnxAutoPad)"/>).</summary>
    /// <param name="inputSize">The pooling input (D, H, W), each &gt;= 1.</param>
    /// <param name="autoPad">The ONNX attribute.</param>
    /// <returns>The geometry with the pads the attribute implies.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid, a pad would pass
    /// <see cref="int.MaxValue"/>, or the geometry is <c>default</c>.</exception>
    public Pool3DGeometry WithOnnxAutoPad(Size3D inputSize, OnnxAutoPad autoPad)
    {
        ThrowIfDefault(nameof(Pool3DGeometry));
        PoolAxisRules.RequireDefined(autoPad);
        RequireInput(inputSize, nameof(inputSize));
        return autoPad switch
        {
            OnnxAutoPad.NotSet => this,
            OnnxAutoPad.Valid => this with { PaddingBegin = new Size3D(0, 0, 0), PaddingEnd = new Size3D(0, 0, 0) },
            _ => Same(inputSize, autoPad == OnnxAutoPad.SameUpper),
        };
    }

    /// <summary>A copy padded as TensorFlow's <c>max_pool3d</c> <c>padding</c> asks for an input of
    /// <paramref name="inputSize"/>: SAME is ONNX's SAME_UPPER, VALID no padding.</summary>
    /// <param name="inputSize">The pooling input (D, H, W), each &gt;= 1.</param>
    /// <param name="padding">The TensorFlow argument.</param>
    /// <returns>The geometry with the pads the argument implies.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="padding"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputSize"/> is invalid, a pad would pass
    /// <see cref="int.MaxValue"/>, or the geometry is <c>default</c>.</exception>
    public Pool3DGeometry WithTensorFlowPadding(Size3D inputSize, TensorFlowPadding padding)
    {
        ThrowIfDefault(nameof(Pool3DGeometry));
        PoolAxisRules.RequireDefined(padding);
        RequireInput(inputSize, nameof(inputSize));
        return padding == TensorFlowPadding.Valid
            ? this with { PaddingBegin = new Size3D(0, 0, 0), PaddingEnd = new Size3D(0, 0, 0) }
            : Same(inputSize, extraAtEnd: true);
    }

    /// <summary>The pooled size for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input (D, H, W), each &gt;= 1.</param>
    /// <returns>The output (D, H, W).</returns>
    /// <exception cref="ArgumentException">The output would be empty, or a window would hold only padding; or the geometry
    /// is <c>default</c> (named <c>Pool3DGeometry</c>).</exception>
    public Size3D GetOutputSize(Size3D inputSize)
    {
        ThrowIfDefault(nameof(Pool3DGeometry));
        return GetOutputSize(inputSize, nameof(inputSize));
    }

    /// <summary>The default size of the argmax unpooling of a pooled size: <c>(i-1)*s - pb - pe + k</c> per axis.</summary>
    /// <param name="pooledSize">The pooled (D, H, W), each &gt;= 1.</param>
    /// <returns>The unpooled (D, H, W).</returns>
    /// <exception cref="ArgumentException">A size would be &lt; 1, or the geometry is <c>default</c>.</exception>
    public Size3D GetUnpoolOutputSize(Size3D pooledSize)
    {
        ThrowIfDefault(nameof(Pool3DGeometry));
        return GetUnpoolOutputSize(pooledSize, nameof(pooledSize));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"kernel {KernelSize}, stride {Stride}, padding {(PaddingBegin == PaddingEnd ? PaddingBegin.ToString() : $"{PaddingBegin}/{PaddingEnd}")}, dilation {Dilation}, ceil mode {(CeilMode ? "on" : "off")}";

    internal void ThrowIfDefault(string paramName)
    {
        if (IsDefault)
        {
            ThrowHelper.ThrowArgument(paramName, "The geometry is default(Pool3DGeometry), which has no kernel; construct it with a kernel size.");
        }
    }

    internal Size3D GetOutputSize(Size3D inputSize, string paramName)
    {
        ThrowIfDefault(paramName);
        RequireInput(inputSize, paramName);
        int od = PoolAxisRules.Output(inputSize.Depth, KernelSize.Depth, Stride.Depth, PaddingBegin.Depth, PaddingEnd.Depth, Dilation.Depth, CeilMode, "depth", inputSize, this, paramName);
        int oh = PoolAxisRules.Output(inputSize.Height, KernelSize.Height, Stride.Height, PaddingBegin.Height, PaddingEnd.Height, Dilation.Height, CeilMode, "height", inputSize, this, paramName);
        int ow = PoolAxisRules.Output(inputSize.Width, KernelSize.Width, Stride.Width, PaddingBegin.Width, PaddingEnd.Width, Dilation.Width, CeilMode, "width", inputSize, this, paramName);
        return new Size3D(od, oh, ow);
    }

    internal Size3D GetUnpoolOutputSize(Size3D pooledSize, string paramName)
    {
        ThrowIfDefault(paramName);
        (long d, long h, long w) = DefaultUnpoolSize(pooledSize);
        if (pooledSize.Depth < 1 || pooledSize.Height < 1 || pooledSize.Width < 1
            || d < 1 || h < 1 || w < 1 || d > int.MaxValue || h > int.MaxValue || w > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Unpooling a {pooledSize} input with {this} gives a default output size of {d}x{h}x{w}; each size must be between 1 and {int.MaxValue}.");
        }

        return new Size3D((int)d, (int)h, (int)w);
    }

    /// <summary>The unpooled size: the default when <paramref name="outputSize"/> is <see langword="null"/>, else the
    /// request judged per axis by PyTorch's rule (strictly within one stride of the 64-bit default).</summary>
    internal Size3D ResolveUnpoolOutputSize(Size3D pooledSize, Size3D? outputSize, string paramName, string outputSizeName)
    {
        if (outputSize is not { } requested || pooledSize.Depth < 1 || pooledSize.Height < 1 || pooledSize.Width < 1)
        {
            return GetUnpoolOutputSize(pooledSize, paramName);
        }

        ThrowIfDefault(paramName);
        (long d, long h, long w) = DefaultUnpoolSize(pooledSize);
        UnpoolSize.Resolve(d, Stride.Depth, requested.Depth, "depth", requested, outputSizeName);
        UnpoolSize.Resolve(h, Stride.Height, requested.Height, "height", requested, outputSizeName);
        UnpoolSize.Resolve(w, Stride.Width, requested.Width, "width", requested, outputSizeName);
        return requested;
    }

    private (long Depth, long Height, long Width) DefaultUnpoolSize(Size3D pooledSize)
        => (AxisMath.UnpoolDefault(pooledSize.Depth, KernelSize.Depth, Stride.Depth, PaddingBegin.Depth, PaddingEnd.Depth),
            AxisMath.UnpoolDefault(pooledSize.Height, KernelSize.Height, Stride.Height, PaddingBegin.Height, PaddingEnd.Height),
            AxisMath.UnpoolDefault(pooledSize.Width, KernelSize.Width, Stride.Width, PaddingBegin.Width, PaddingEnd.Width));

    private Pool3DGeometry Same(Size3D inputSize, bool extraAtEnd)
    {
        (int bd, int ed) = PoolAxisRules.Same(inputSize.Depth, KernelSize.Depth, Stride.Depth, Dilation.Depth, extraAtEnd, nameof(inputSize));
        (int bh, int eh) = PoolAxisRules.Same(inputSize.Height, KernelSize.Height, Stride.Height, Dilation.Height, extraAtEnd, nameof(inputSize));
        (int bw, int ew) = PoolAxisRules.Same(inputSize.Width, KernelSize.Width, Stride.Width, Dilation.Width, extraAtEnd, nameof(inputSize));
        return this with { PaddingBegin = new Size3D(bd, bh, bw), PaddingEnd = new Size3D(ed, eh, ew) };
    }

    private static void RequireInput(Size3D inputSize, string paramName)
    {
        if (inputSize.Depth < 1 || inputSize.Height < 1 || inputSize.Width < 1)
        {
            ThrowHelper.ThrowArgument(paramName, $"Input size {inputSize} is invalid: every size must be >= 1.");
        }
    }

    private static void RequireAtLeast(Size3D value, int minimum, string paramName)
    {
        if (value.Depth < minimum || value.Height < minimum || value.Width < minimum)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"Each of {paramName}'s sizes must be >= {minimum}; got {value}.");
        }
    }
}
