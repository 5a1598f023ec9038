namespace Unpooling.Internal;

/// <summary>
/// The per-axis arithmetic of every geometry, every rank: the one place output sizes, default unpooled sizes, ONNX and
/// TensorFlow SAME pads and the "every window holds a real cell" rule are computed. 1-D, 2-D and 3-D geometries call it
/// once per axis; nothing else computes a size. Every value is an <see cref="int"/> or a product of two, so the 64-bit
/// sums below never come near <see cref="long"/>'s range.
/// </summary>
internal static class AxisMath
{
    /// <summary>The effective kernel <c>d*(k-1) + 1</c> (at most about 2^62).</summary>
    public static long EffectiveKernel(int k, int d) => ((long)d * (k - 1)) + 1;

    /// <summary>
    /// The pooled size of one axis (SEMANTICS.md 1): <c>floor_or_ceil((i + pb + pe - keff) / s) + 1</c>, floor and
    /// ceiling of a negative numerator taken as mathematics does; in ceil mode the last window is dropped when it would
    /// start in the end padding (<c>(o-1)*s &gt;= i + pb</c>). Unchecked: the caller judges a result below 1.
    /// </summary>
    public static long PoolOutput(int i, int k, int s, int pb, int pe, int d, bool ceilMode)
    {
        long span = (long)i + pb + pe - EffectiveKernel(k, d);
        long o = Math.DivRem(span, s, out long remainder) + 1;
        if (ceilMode && remainder > 0)
        {
            o++;
        }
        else if (!ceilMode && remainder < 0)
        {
            o--;
        }

        if (ceilMode && o > 0 && (o - 1) * s >= i + (long)pb)
        {
            o--;
        }

        return o;
    }

    /// <summary>The default unpooled size of one axis, <c>(i-1)*s - pb - pe + k</c> (dilation is not part of it, as in
    /// PyTorch and ONNX); it may be below 1 or past <see cref="int.MaxValue"/>: the callers judge it.</summary>
    public static long UnpoolDefault(int pooled, int k, int s, int pb, int pe) => ((long)(pooled - 1) * s) - pb - pe + k;

    /// <summary>The convolution's output size of one axis, <c>floor((i + pb + pe - keff) / s) + 1</c>, or 0 when the
    /// padded input is shorter than the effective kernel.</summary>
    public static long ConvOutput(int i, int k, int s, int pb, int pe, int d)
    {
        long span = (long)i + pb + pe - EffectiveKernel(k, d);
        return span < 0 ? 0 : (span / s) + 1;
    }

    /// <summary>The transposed convolution's output size of one axis, <c>(i-1)*s - pb - pe + d*(k-1) + 1 + op</c>.</summary>
    public static long TransposedOutput(int i, int k, int s, int pb, int pe, int d, int op)
        => ((long)(i - 1) * s) - pb - pe + ((long)d * (k - 1)) + 1 + op;

    /// <summary>
    /// The SAME pads of one pooling or convolution axis, shared by ONNX's <c>auto_pad</c> SAME_UPPER/SAME_LOWER and
    /// TensorFlow's SAME: output <c>ceil(i/s)</c>, total pad <c>max(0, (o-1)*s + keff - i)</c>; the odd cell goes to the
    /// end when <paramref name="extraAtEnd"/> (SAME_UPPER, TensorFlow), to the beginning otherwise (SAME_LOWER). Returns
    /// <see langword="false"/> when a pad would pass <see cref="int.MaxValue"/>.
    /// </summary>
    public static bool SamePads(int i, int k, int s, int d, bool extraAtEnd, out int begin, out int end)
    {
        long o = ((long)i + s - 1) / s;
        long total = Math.Max(0, ((o - 1) * s) + EffectiveKernel(k, d) - i);
        long small = total / 2, large = total - small;
        (long b, long e) = extraAtEnd ? (small, large) : (large, small);
        if (e > int.MaxValue || b > int.MaxValue)
        {
            begin = end = 0;
            return false;
        }

        (begin, end) = ((int)b, (int)e);
        return true;
    }

    /// <summary>
    /// The kernel taps <c>[lo, hi)</c> of a window starting at <paramref name="start"/> that land in <c>[0, size)</c>:
    /// tap <c>j</c> is at <c>start + j*dilation</c>, so <c>lo = ceil(-start / dilation)</c> when <c>start &lt; 0</c> and
    /// <c>hi = floor((size - 1 - start) / dilation) + 1</c>, both clamped to <c>[0, kernel]</c>. Division only when the
    /// window crosses an edge: an interior window takes every tap.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static (int Lo, int Hi) TapRange(long start, int kernel, int dilation, int size)
    {
        if (start >= 0 && start + ((long)(kernel - 1) * dilation) < size)
        {
            return (0, kernel);
        }

        if (start >= size)
        {
            return (0, 0);
        }

        long lo = start >= 0 ? 0 : Math.Min(kernel, (-start + dilation - 1) / dilation);
        long hi = Math.Min(kernel, ((size - 1 - start) / dilation) + 1);
        return ((int)lo, (int)Math.Max(lo, hi));
    }

    /// <summary>
    /// The first of the <paramref name="o"/> windows of one axis that holds no input cell, or -1 when each holds one;
    /// in O(log) time, whatever the kernel, padding or output size. <paramref name="p"/> is the begin padding (the end
    /// padding only sets <paramref name="o"/>).
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
    public static long FirstWindowWithoutRealCell(long i, long k, long s, long p, long d, long o)
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
    public static ulong FloorSum(ulong n, ulong m, ulong a, ulong b)
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
}

/// <summary>The checks every pooling geometry runs per axis, whatever its rank, with one wording.</summary>
internal static class PoolAxisRules
{
    /// <summary>The pooled size of one axis, refused (naming <paramref name="paramName"/>) when below 1, past
    /// <see cref="int.MaxValue"/>, or when some window would hold only padding.</summary>
    /// <remarks>The input and geometry are formatted only on failure (the span forms validate on every call and must not
    /// allocate).</remarks>
    public static int Output<TInput, TGeometry>(int i, int k, int s, int pb, int pe, int d, bool ceilMode, string axis, in TInput input, in TGeometry geometry, string paramName)
        where TInput : struct
        where TGeometry : struct
    {
        long o = AxisMath.PoolOutput(i, k, s, pb, pe, d, ceilMode);
        if (o < 1 || o > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Pooling an input of size {input} with {geometry} gives {o} output {axis} positions; at least 1 is required (effective kernel {AxisMath.EffectiveKernel(k, d)} vs padded input {(long)i + pb + pe}).");
        }

        // Every window must hold a real cell; with dilation a window can straddle the input with all cells outside.
        // Closed form, never a walk over windows or taps (a kernel of int.MaxValue taps would take hours).
        long empty = AxisMath.FirstWindowWithoutRealCell(i, k, s, pb, d, o);
        if (empty >= 0)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Pooling an input of size {input} with {geometry}: the window at output {axis} {empty} covers only padding; every window must hold at least one input cell.");
        }

        return (int)o;
    }

    /// <summary>Refuses an undefined <see cref="OnnxAutoPad"/> or <see cref="TensorFlowPadding"/>.</summary>
    public static void RequireDefined(OnnxAutoPad autoPad)
    {
        if ((uint)autoPad > (uint)OnnxAutoPad.Valid)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(autoPad), autoPad, $"Auto pad {autoPad} is not defined; use NotSet, SameUpper, SameLower or Valid.");
        }
    }

    /// <inheritdoc cref="RequireDefined(OnnxAutoPad)"/>
    public static void RequireDefined(TensorFlowPadding padding)
    {
        if ((uint)padding > (uint)TensorFlowPadding.Same)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(padding), padding, $"Padding {padding} is not defined; use Valid or Same.");
        }
    }

    /// <summary>The SAME pads of one axis, or a refusal naming <paramref name="paramName"/> past <see cref="int.MaxValue"/>.</summary>
    public static (int Begin, int End) Same(int i, int k, int s, int d, bool extraAtEnd, string paramName)
    {
        if (!AxisMath.SamePads(i, k, s, d, extraAtEnd, out int begin, out int end))
        {
            ThrowHelper.ThrowArgument(paramName, $"SAME padding of an input of {i} cells with kernel {k}, stride {s} and dilation {d} needs a pad beyond {int.MaxValue}.");
        }

        return (begin, end);
    }
}
