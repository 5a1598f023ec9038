using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The window geometry of a 2-D pooling (and of the unpooling that inverts it): kernel size, stride, padding,
/// dilation and ceil mode per axis, with PyTorch's defaults and meaning. The constructor validates each value;
/// <see cref="GetOutputSize(Size2D)"/> validates the geometry against an input size.
/// </summary>
/// <remarks>
/// <para>Per axis, with input size <c>i</c>, kernel <c>k</c>, stride <c>s</c>, padding <c>p</c>, dilation <c>d</c>
/// and <c>keff = d*(k-1)+1</c>: <c>o = floor_or_ceil((i + 2p - keff) / s) + 1</c>, floor and ceiling of a negative
/// numerator taken as mathematics does (so ceil mode accepts an input shorter than the kernel: 1x1 with kernel 2,
/// stride 2 gives 1x1, as in PyTorch); in ceil mode the last window is dropped when it would start in the end padding
/// (<c>(o-1)*s &gt;= i + p</c>). An output size below 1 is an error.</para>
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
        Padding = p;
        Dilation = d;
        CeilMode = ceilMode;
    }

    /// <summary>Window size (height, width).</summary>
    public Size2D KernelSize { get; }

    /// <summary>Step between windows (height, width).</summary>
    public Size2D Stride { get; }

    /// <summary>Implicit padding on both sides (height, width).</summary>
    public Size2D Padding { get; }

    /// <summary>Spacing between window cells (height, width); 1 = contiguous.</summary>
    public Size2D Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether this is <c>default(Pool2DGeometry)</c>, which has no kernel and is rejected by every operator.</summary>
    public bool IsDefault => KernelSize.Height == 0;

    /// <summary>The pooled size for an input of <paramref name="inputSize"/>.</summary>
    /// <param name="inputSize">Input (H, W), each &gt;= 1.</param>
    /// <returns>The output (H, W).</returns>
    /// <exception cref="ArgumentException">The output would be empty, or a window would hold only padding.</exception>
    public Size2D GetOutputSize(Size2D inputSize) => GetOutputSize(inputSize, nameof(inputSize));

    /// <summary>
    /// The default size of the argmax unpooling of a pooled size: <c>(i-1)*s - 2p + k</c> per axis (dilation is not
    /// part of it, as in PyTorch and ONNX).
    /// </summary>
    /// <param name="pooledSize">The pooled (H, W), each &gt;= 1.</param>
    /// <returns>The unpooled (H, W).</returns>
    /// <exception cref="ArgumentException">The size would be &lt; 1.</exception>
    public Size2D GetUnpoolOutputSize(Size2D pooledSize) => GetUnpoolOutputSize(pooledSize, nameof(pooledSize));

    /// <inheritdoc/>
    public override string ToString()
        => $"kernel {KernelSize}, stride {Stride}, padding {Padding}, dilation {Dilation}, ceil mode {(CeilMode ? "on" : "off")}";

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
        if (inputSize.Height < 1 || inputSize.Width < 1)
        {
            ThrowHelper.ThrowArgument(paramName, $"Input size {inputSize} is invalid: both sizes must be >= 1.");
        }

        int oh = AxisOutput(inputSize.Height, KernelSize.Height, Stride.Height, Padding.Height, Dilation.Height, "height", inputSize, paramName);
        int ow = AxisOutput(inputSize.Width, KernelSize.Width, Stride.Width, Padding.Width, Dilation.Width, "width", inputSize, paramName);
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

    /// <summary>The default unpooled size <c>(i-1)*s - 2p + k</c> per axis, in 64 bits (it may be below 1 or past
    /// <see cref="int.MaxValue"/>; the callers judge it).</summary>
    private (long Height, long Width) DefaultUnpoolSize(Size2D pooledSize)
        => (((long)(pooledSize.Height - 1) * Stride.Height) - (2L * Padding.Height) + KernelSize.Height,
            ((long)(pooledSize.Width - 1) * Stride.Width) - (2L * Padding.Width) + KernelSize.Width);

    private int AxisOutput(int i, int k, int s, int p, int d, string axis, Size2D inputSize, string paramName)
    {
        long keff = ((long)d * (k - 1)) + 1;
        long span = i + (2L * p) - keff;

        // Floor and ceiling as mathematics takes them, also of a negative span (an input shorter than the kernel): ceil
        // mode on a 1x1 input with kernel 2, stride 2 gives ceil(-1/2) + 1 = 1, as in PyTorch. Division truncates.
        long o = Math.DivRem(span, s, out long remainder) + 1;
        if (CeilMode && remainder > 0)
        {
            o++;
        }
        else if (!CeilMode && remainder < 0)
        {
            o--;
        }

        if (CeilMode && o > 0 && (o - 1) * s >= i + (long)p)
        {
            o--;
        }

        if (o < 1 || o > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Pooling an input of size {inputSize} with {this} gives {o} output {axis} positions; at least 1 is required (effective kernel {keff} vs padded input {i + (2L * p)}).");
        }

        // Every window must hold a real cell; with dilation a window can straddle the input with all cells outside.
        for (long w = 0; w < o; w++)
        {
            long start = (w * s) - p;
            bool real = false;
            for (long j = 0; j < k && !real; j++)
            {
                long cell = start + (j * d);
                real = cell >= 0 && cell < i;
            }

            if (!real)
            {
                ThrowHelper.ThrowArgument(
                    paramName,
                    $"Pooling an input of size {inputSize} with {this}: the window at output {axis} {w} covers only padding; every window must hold at least one input cell.");
            }
        }

        return (int)o;
    }

    private static void RequireAtLeast(Size2D value, int minimum, string paramName)
    {
        if (value.Height < minimum || value.Width < minimum)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"Each of {paramName}'s sizes must be >= {minimum}; got {value}.");
        }
    }
}
