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
    /// <exception cref="ArgumentException">The output would be empty, or a window would hold only padding; or the geometry
    /// is <c>default</c> (named <c>Pool2DGeometry</c>).</exception>
    public Size2D GetOutputSize(Size2D inputSize)
    {
        // A default geometry is no caller's argument: named after the type, as Conv2DGeometry does.
        ThrowIfDefault(nameof(Pool2DGeometry));
        return GetOutputSize(inputSize, nameof(inputSize));
    }

    /// <summary>
    /// The default size of the argmax unpooling of a pooled size: <c>(i-1)*s - 2p + k</c> per axis (dilation is not
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
        // Closed form, never a walk over windows or taps (a kernel of int.MaxValue taps would take hours).
        long empty = FirstWindowWithoutRealCell(i, k, s, p, d, o);
        if (empty >= 0)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Pooling an input of size {inputSize} with {this}: the window at output {axis} {empty} covers only padding; every window must hold at least one input cell.");
        }

        return (int)o;
    }

    /// <summary>
    /// The first of the <paramref name="o"/> windows of one axis that holds no input cell, or -1 when each holds one;
    /// in O(log) time, whatever the kernel, padding or output size.
    /// </summary>
    /// <remarks>
    /// <para>Window <c>w</c> starts at <c>a = w*s - p</c> and has taps <c>a + j*d</c>, <c>j</c> in <c>[0, k)</c>; it
    /// holds a real cell iff some tap lies in <c>[0, i)</c>. The taps increase, so the candidate is the first tap
    /// <c>&gt;= 0</c>, <c>j0 = ceil(-a/d)</c> (0 when <c>a &gt;= 0</c>): the window is real iff <c>j0 &lt; k</c> and
    /// <c>a + j0*d &lt; i</c>.</para>
    /// <para>Over all windows at once: when <c>d &lt;= i</c> the tap ranges <c>[-j*d, -j*d + i)</c> touch, so the real
    /// starts are exactly <c>[-(k-1)*d, i)</c>, and as <c>a</c> increases with <c>w</c> only window 0 can fall below and
    /// the first <c>w</c> with <c>a &gt;= i</c> is the first above. When <c>d &gt; i</c> at most one tap can be real:
    /// write <c>a = q*d + r</c>, <c>0 &lt;= r &lt; d</c>; tap <c>j</c> is at <c>(q + j)*d + r</c>, which lies in
    /// <c>[0, i)</c> iff <c>q + j = 0</c> and <c>r &lt; i</c>. So a window is real iff <c>a</c> is in
    /// <c>[-(k-1)*d, i)</c> (as before) and <c>a mod d &lt; i</c>. The first and last windows are not enough: with
    /// i 1, k 2, s 1, p 3, d 3 the windows start at -3 (tap 0 real), -2 (taps -2 and 1: none), -1 and 0 (real). The
    /// residue rule is counted with floor sums (<see cref="CountResidueAtLeast"/>) and the first failing window found
    /// by bisection on that count.</para>
    /// </remarks>
    internal static long FirstWindowWithoutRealCell(long i, long k, long s, long p, long d, long o)
    {
        long first = -1;
        if (-p < -((k - 1) * d))
        {
            return 0; // window 0's last tap is still in the begin padding
        }

        // The first window starting at or past the input's end: a = w*s - p >= i.
        long past = (i + p + s - 1) / s;
        if (past < o)
        {
            first = past;
        }

        if (d > i)
        {
            long limit = first >= 0 ? first : o;
            long offset = ((-p % d) + d) % d; // a = w*s - p = w*s + offset (mod d), offset in [0, d)
            if (limit > 0 && CountResidueAtLeast(limit, s, offset, d, i) > 0)
            {
                // Smallest n with a bad window among the first n: that window is n - 1.
                long lo = 1, hi = limit;
                while (lo < hi)
                {
                    long mid = lo + ((hi - lo) / 2);
                    if (CountResidueAtLeast(mid, s, offset, d, i) > 0)
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid + 1;
                    }
                }

                first = lo - 1;
            }
        }

        return first;
    }

    /// <summary>
    /// How many <c>w</c> in <c>[0, n)</c> have <c>(w*s + b) mod d &gt;= i</c> (with <c>0 &lt; i &lt; d</c>), as
    /// <c>sum floor((w*s + b + d - i)/d) - sum floor((w*s + b)/d)</c>: for <c>x = Q*d + r</c> the difference of the two
    /// floors is 1 exactly when <c>r &gt;= i</c>. Both sums are taken modulo 2^64, which leaves their difference (at most
    /// <paramref name="n"/>) exact.
    /// </summary>
    private static long CountResidueAtLeast(long n, long s, long b, long d, long i)
        => (long)(FloorSum((ulong)n, (ulong)d, (ulong)s, (ulong)(b + d - i)) - FloorSum((ulong)n, (ulong)d, (ulong)s, (ulong)b));

    /// <summary>
    /// <c>sum over x in [0, n) of floor((a*x + b) / m)</c> modulo 2^64, by the Euclid-like reduction (AtCoder Library's
    /// <c>floor_sum_unsigned</c>); exact in its intermediates for <c>n, m &lt; 2^32</c>, since after the reductions
    /// <c>a, b &lt; m</c> and so <c>a*n + b &lt; 2^64</c>.
    /// </summary>
    internal static ulong FloorSum(ulong n, ulong m, ulong a, ulong b)
    {
        ulong answer = 0;
        while (true)
        {
            if (a >= m)
            {
                answer += (n * (n - 1) / 2) * (a / m);
                a %= m;
            }

            if (b >= m)
            {
                answer += n * (b / m);
                b %= m;
            }

            ulong yMax = (a * n) + b;
            if (yMax < m)
            {
                return answer;
            }

            (n, b) = (yMax / m, yMax % m);
            (m, a) = (a, m);
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
