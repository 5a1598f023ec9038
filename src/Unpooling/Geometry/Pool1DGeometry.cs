using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The window geometry of a 1-D pooling (and of the unpooling that inverts it): kernel size, stride, begin/end padding,
/// dilation and ceil mode, with PyTorch's defaults and meaning; the rules are those of <see cref="Pool2DGeometry"/> on
/// one axis. A 1-D operator runs as the 2-D one on a height of 1 (no copy), so every index convention keeps its 2-D
/// meaning with <c>h = 0</c>.
/// </summary>
public readonly record struct Pool1DGeometry
{
    /// <summary>Creates a geometry. Arguments left <see langword="null"/> take PyTorch's defaults.</summary>
    /// <param name="kernelSize">Window size, &gt;= 1.</param>
    /// <param name="stride">Step between windows, &gt;= 1; <see langword="null"/> = <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Implicit cells added on both sides, &gt;= 0; <see langword="null"/> = 0.</param>
    /// <param name="dilation">Spacing between window cells, &gt;= 1; <see langword="null"/> = 1.</param>
    /// <param name="ceilMode">Round the output size up instead of down.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range; the parameter is named.</exception>
    public Pool1DGeometry(int kernelSize, int? stride = null, int? padding = null, int? dilation = null, bool ceilMode = false)
    {
        int s = stride ?? kernelSize;
        int p = padding ?? 0;
        int d = dilation ?? 1;
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

    /// <summary>Window size.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Implicit padding before the first cell; equal to <see cref="PaddingEnd"/> unless
    /// <see cref="WithPadding(int, int)"/> or a SAME helper set them apart.</summary>
    public int PaddingBegin { get; private init; }

    /// <summary>Implicit padding after the last cell.</summary>
    public int PaddingEnd { get; private init; }

    /// <summary>Spacing between window cells; 1 = contiguous.</summary>
    public int Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether this is <c>default(Pool1DGeometry)</c>, which has no kernel and is rejected by every operator.</summary>
    public bool IsDefault => KernelSize == 0;

    /// <summary>A copy with different padding at each side (ONNX's <c>pads</c>).</summary>
    /// <param name="paddingBegin">Padding before the first cell, &gt;= 0.</param>
    /// <param name="paddingEnd">Padding after the last cell, &gt;= 0.</param>
    /// <returns>The geometry with the new padding.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A padding is negative.</exception>
    /// <exception cref="ArgumentException">The geometry is <c>default</c> (named <c>Pool1DGeometry</c>).</exception>
    public Pool1DGeometry WithPadding(int paddingBegin, int paddingEnd)
    {
        ThrowIfDefault(nameof(Pool1DGeometry));
        RequireAtLeast(paddingBegin, 0, nameof(paddingBegin));
        RequireAtLeast(paddingEnd, 0, nameof(paddingEnd));
        return this with { PaddingBegin = paddingBegin, PaddingEnd = paddingEnd };
    }

    /// <summary>A copy padded as ONNX's <c>MaxPool</c> <c>auto_pad</c> asks for an input of <paramref name="inputLength"/>
    /// (see <see cref="Pool2DGeometry.WithOnnxAutoPad(Size2D, OnnxAutoPad)"/>).</summary>
    /// <param name="inputLength">The pooling input's length, &gt;= 1.</param>
    /// <param name="autoPad">The ONNX attribute.</param>
    /// <returns>The geometry with the pads the attribute implies.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="autoPad"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputLength"/> is below 1, a pad would pass
    /// <see cref="int.MaxValue"/>, or the geometry is <c>default</c>.</exception>
    public Pool1DGeometry WithOnnxAutoPad(int inputLength, OnnxAutoPad autoPad)
    {
        ThrowIfDefault(nameof(Pool1DGeometry));
        PoolAxisRules.RequireDefined(autoPad);
        RequireInput(inputLength);
        return autoPad switch
        {
            OnnxAutoPad.NotSet => this,
            OnnxAutoPad.Valid => this with { PaddingBegin = 0, PaddingEnd = 0 },
            _ => Same(inputLength, autoPad == OnnxAutoPad.SameUpper),
        };
    }

    /// <summary>A copy padded as TensorFlow's <c>max_pool1d</c> <c>padding</c> asks for an input of
    /// <paramref name="inputLength"/>: SAME is ONNX's SAME_UPPER, VALID no padding.</summary>
    /// <param name="inputLength">The pooling input's length, &gt;= 1.</param>
    /// <param name="padding">The TensorFlow argument.</param>
    /// <returns>The geometry with the pads the argument implies.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="padding"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputLength"/> is below 1, a pad would pass
    /// <see cref="int.MaxValue"/>, or the geometry is <c>default</c>.</exception>
    public Pool1DGeometry WithTensorFlowPadding(int inputLength, TensorFlowPadding padding)
    {
        ThrowIfDefault(nameof(Pool1DGeometry));
        PoolAxisRules.RequireDefined(padding);
        RequireInput(inputLength);
        return padding == TensorFlowPadding.Valid ? this with { PaddingBegin = 0, PaddingEnd = 0 } : Same(inputLength, extraAtEnd: true);
    }

    /// <summary>The pooled length for an input of <paramref name="inputLength"/>.</summary>
    /// <param name="inputLength">Input length, &gt;= 1.</param>
    /// <returns>The output length.</returns>
    /// <exception cref="ArgumentException">The output would be empty, or a window would hold only padding; or the geometry
    /// is <c>default</c> (named <c>Pool1DGeometry</c>).</exception>
    public int GetOutputSize(int inputLength)
    {
        ThrowIfDefault(nameof(Pool1DGeometry));
        return GetOutputSize(inputLength, nameof(inputLength));
    }

    /// <summary>The default length of the argmax unpooling of a pooled length: <c>(i-1)*s - pb - pe + k</c>.</summary>
    /// <param name="pooledLength">The pooled length, &gt;= 1.</param>
    /// <returns>The unpooled length.</returns>
    /// <exception cref="ArgumentException">The length would be &lt; 1, or the geometry is <c>default</c>.</exception>
    public int GetUnpoolOutputSize(int pooledLength)
    {
        ThrowIfDefault(nameof(Pool1DGeometry));
        return GetUnpoolOutputSize(pooledLength, nameof(pooledLength));
    }

    /// <inheritdoc/>
    public override string ToString()
        => $"kernel {KernelSize}, stride {Stride}, padding {(PaddingBegin == PaddingEnd ? PaddingBegin.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{PaddingBegin}/{PaddingEnd}")}, dilation {Dilation}, ceil mode {(CeilMode ? "on" : "off")}";

    internal void ThrowIfDefault(string paramName)
    {
        if (IsDefault)
        {
            ThrowHelper.ThrowArgument(paramName, "The geometry is default(Pool1DGeometry), which has no kernel; construct it with a kernel size.");
        }
    }

    internal int GetOutputSize(int inputLength, string paramName)
    {
        ThrowIfDefault(paramName);
        if (inputLength < 1)
        {
            ThrowHelper.ThrowArgument(paramName, $"Input length {inputLength} is invalid: it must be >= 1.");
        }

        return PoolAxisRules.Output(inputLength, KernelSize, Stride, PaddingBegin, PaddingEnd, Dilation, CeilMode, "length", inputLength, this, paramName);
    }

    /// <summary>The default unpooled length, refused naming <paramref name="paramName"/> (in 1-D words; the 2-D helper
    /// would speak of a <c>1xL</c> size) when it is below 1 or past <see cref="int.MaxValue"/>.</summary>
    internal int GetUnpoolOutputSize(int pooledLength, string paramName)
    {
        ThrowIfDefault(paramName);
        long length = AxisMath.UnpoolDefault(pooledLength, KernelSize, Stride, PaddingBegin, PaddingEnd);
        if (pooledLength < 1 || length < 1 || length > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Unpooling a length-{pooledLength} input with {this} gives a default output length of {length}; it must be between 1 and {int.MaxValue}.");
        }

        return (int)length;
    }

    /// <summary>The 2-D geometry this one runs as: height axis kernel 1, stride 1, no padding, dilation 1; the width
    /// axis is this geometry. A <c>default</c> geometry lowers to <c>default(Pool2DGeometry)</c>, which the 2-D
    /// operators refuse.</summary>
    internal Pool2DGeometry As2D()
        => IsDefault
            ? default
            : new Pool2DGeometry(new Size2D(1, KernelSize), new Size2D(1, Stride), dilation: new Size2D(1, Dilation), ceilMode: CeilMode)
                .WithPadding(new Size2D(0, PaddingBegin), new Size2D(0, PaddingEnd));

    /// <summary>The SAME pads of the axis, named after this geometry's own argument (<c>inputLength</c>) when a pad
    /// would pass <see cref="int.MaxValue"/>; the 2-D helper would name its <c>inputSize</c>.</summary>
    private Pool1DGeometry Same(int inputLength, bool extraAtEnd)
    {
        (int begin, int end) = PoolAxisRules.Same(inputLength, KernelSize, Stride, Dilation, extraAtEnd, nameof(inputLength));
        return this with { PaddingBegin = begin, PaddingEnd = end };
    }

    private static int RequireInput(int inputLength)
    {
        if (inputLength < 1)
        {
            ThrowHelper.ThrowArgument(nameof(inputLength), $"Input length {inputLength} is invalid: it must be >= 1.");
        }

        return inputLength;
    }

    private static void RequireAtLeast(int value, int minimum, string paramName)
    {
        if (value < minimum)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"{char.ToUpperInvariant(paramName[0])}{paramName[1..]} must be >= {minimum}; got {value}.");
        }
    }
}
