using System.Numerics;
using CsCheck;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// A generated pooling geometry as raw integers (any of them may be out of range), so a case prints exactly what was
/// asked and the model can judge the constructor's refusal too. <see cref="IsDefault"/> stands for
/// <c>default(Pool2DGeometry)</c>; stride null means "take the kernel size" (PyTorch's default).
/// </summary>
internal readonly record struct GeometrySpec(int KH, int KW, int SH, int SW, bool HasStride, int PH, int PW, int DH, int DW, bool Ceil, bool IsDefault = false)
{
    public static readonly GeometrySpec Default = new(0, 0, 0, 0, false, 0, 0, 0, 0, false, IsDefault: true);

    public int StrideH => HasStride ? SH : KH;

    public int StrideW => HasStride ? SW : KW;

    /// <summary>The constructor's refusal (every one is an <see cref="ArgumentOutOfRangeException"/>), in parameter order.</summary>
    public string? ConstructorRefusal
        => IsDefault ? null
        : KH < 1 || KW < 1 ? "kernelSize"
        : HasStride && (SH < 1 || SW < 1) ? "stride"
        : PH < 0 || PW < 0 ? "padding"
        : DH < 1 || DW < 1 ? "dilation"
        : null;

    public Pool2DGeometry Build()
        => IsDefault ? default
        : new Pool2DGeometry(new Size2D(KH, KW), HasStride ? new Size2D(SH, SW) : null, new Size2D(PH, PW), new Size2D(DH, DW), Ceil);

    /// <summary>The oracle's axes (only meaningful where <see cref="PoolModel.OracleSafe"/>).</summary>
    public PoolAxis Rows => new(KH, StrideH, PH, DH);

    public PoolAxis Cols => new(KW, StrideW, PW, DW);

    public override string ToString()
        => IsDefault ? "geometry default"
        : $"k{KH}x{KW} s{(HasStride ? $"{SH}x{SW}" : "=k")} p{PH}x{PW} d{DH}x{DW}{(Ceil ? " ceil" : "")}";
}

/// <summary>
/// SEMANTICS.md 1 and 2's size arithmetic in 64 bits (128 where a product needs it), written from the contract and
/// sharing no code with <c>src</c>: the pooled size per axis with its "every window holds a real cell" rule decided
/// in O(log) (so kernel, padding and dilation may be anything up to <see cref="int.MaxValue"/>), the default and
/// explicit unpooling sizes, and the index spaces. <see cref="Reference.PoolAxis"/> computes the same sizes by
/// walking every tap, in 32-bit: <c>Pool2DGeometryProperties</c> checks this model against it where it is exact.
/// </summary>
internal static class PoolModel
{
    /// <summary>
    /// An extreme axis whose tap <c>j</c> is made to land on row <c>r</c> of a tiny input: dilation near 2^30..2^31,
    /// padding <c>j*d - r</c> (kept in int), a huge or tiny stride. These pass the window rule, so the kernel must
    /// compute them right (known defect 1 crashed on exactly such an axis).
    /// </summary>
    public static Gen<(int K, int S, int P, int D)> AlignedAxis { get; } = Gen.Select(
        Generators.Extreme,
        Gen.Int[2, 5],
        Gen.Int[0, 4],
        Gen.Frequency((1, Gen.Int[1, 3]), (1, Generators.Extreme)),
        (d, k, r, s) =>
        {
            int j = 1 + (r % (k - 1));
            long p = ((long)j * d) - r;
            return (k, s, (int)Math.Clamp(p, 0, int.MaxValue), d);
        });

    /// <summary>One axis (kernel, stride, padding, dilation), each at least its constructor minimum.</summary>
    public static Gen<(int K, int S, int P, int D)> Axis(bool ordinary) => ordinary
        ? Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Int[0, 2], Gen.Frequency((4, Gen.Const(1)), (1, Gen.Int[2, 3])), (k, s, p, d) => (k, s, p, d))
        : Gen.Select(
            Gen.Frequency((2, Gen.Int[1, 5]), (1, Generators.Extreme)),
            Gen.Frequency((2, Gen.Int[1, 3]), (1, Generators.Extreme)),
            Gen.Frequency((2, Gen.Int[0, 3]), (1, Generators.Extreme)),
            Gen.Frequency((2, Gen.Int[1, 3]), (1, Generators.Extreme)),
            (k, s, p, d) => (k, s, p, d));

    /// <summary>Generated geometries: ordinary ones that tiny tensors accept, hostile ones (values up to int.MaxValue), extreme ones aligned so a tap lands on a real cell, and default.</summary>
    public static Gen<GeometrySpec> Geometry { get; } = Gen.Frequency(
        (8, Gen.Select(Axis(ordinary: true), Axis(ordinary: true), Gen.Bool, Gen.Int[0, 3], (r, c, ceil, stride) => Make(r, c, ceil, stride != 0))),
        (3, Gen.Select(Axis(ordinary: false), Axis(ordinary: true), Gen.Bool, Gen.Bool, (r, c, ceil, swap) => swap ? Make(c, r, ceil, true) : Make(r, c, ceil, true))),
        (2, Gen.Select(AlignedAxis, Axis(ordinary: true), Gen.Bool, Gen.Bool, (r, c, ceil, swap) => swap ? Make(c, r, ceil, true) : Make(r, c, ceil, true))),
        (1, Gen.Select(Axis(ordinary: false), Axis(ordinary: false), Gen.Bool, (r, c, ceil) => Make(r, c, ceil, true))),
        (1, Gen.Const(GeometrySpec.Default)));

    private static GeometrySpec Make((int K, int S, int P, int D) r, (int K, int S, int P, int D) c, bool ceil, bool hasStride)
        => new(r.K, c.K, r.S, c.S, hasStride, r.P, c.P, r.D, c.D, ceil);

    /// <summary>Floor of a / b for b &gt; 0, as mathematics takes it.</summary>
    public static long FloorDiv(long a, long b) => (a / b) - (a % b < 0 ? 1 : 0);

    /// <summary>Ceiling of a / b for b &gt; 0.</summary>
    public static long CeilDiv(long a, long b) => (a / b) + (a % b > 0 ? 1 : 0);

    /// <summary>
    /// SEMANTICS.md 1 for one axis: <c>o = floor_or_ceil((i + 2p - keff) / s) + 1</c>, minus one in ceil mode when the
    /// last window would start in the end padding; null when <c>o &lt; 1</c>, when <c>o</c> is past
    /// <see cref="int.MaxValue"/> (no size can hold it), or when some window holds no input cell.
    /// </summary>
    public static long? AxisOutput(long i, long k, long s, long p, long d, bool ceil)
    {
        long keff = (d * (k - 1)) + 1;
        long numerator = i + (2 * p) - keff;
        long o = (ceil ? CeilDiv(numerator, s) : FloorDiv(numerator, s)) + 1;
        if (ceil && o >= 1 && (o - 1) * s >= i + p)
        {
            o--;
        }

        return o < 1 || o > int.MaxValue || !EveryWindowReal(i, k, s, p, d, o) ? null : o;
    }

    /// <summary>Why <see cref="AxisOutput"/> refuses an axis ("output &lt; 1", "output &gt; int.MaxValue", "a window of only padding"), or null.</summary>
    public static string? AxisRefusal(long i, long k, long s, long p, long d, bool ceil)
    {
        long keff = (d * (k - 1)) + 1;
        long numerator = i + (2 * p) - keff;
        long o = (ceil ? CeilDiv(numerator, s) : FloorDiv(numerator, s)) + 1;
        if (ceil && o >= 1 && (o - 1) * s >= i + p)
        {
            o--;
        }

        return o < 1 ? "output < 1" : o > int.MaxValue ? "output > int.MaxValue" : !EveryWindowReal(i, k, s, p, d, o) ? "a window of only padding" : null;
    }

    /// <summary>Why <see cref="Output"/> refuses (the height's reason first), or null.</summary>
    public static string? PoolRefusal(GeometrySpec g, long h, long w)
        => g.IsDefault ? "default geometry"
        : h < 1 || w < 1 ? "input size < 1"
        : AxisRefusal(h, g.KH, g.StrideH, g.PH, g.DH, g.Ceil) ?? AxisRefusal(w, g.KW, g.StrideW, g.PW, g.DW, g.Ceil);

    /// <summary>
    /// Whether each of the <paramref name="o"/> windows (window w starts at <c>w*s - p</c>, taps every d) holds a
    /// cell of <c>[0, i)</c>. Starts grow with w, so: a window starting in <c>[0, i)</c> holds its first tap; the last
    /// window must not start at or past i; a window starting before 0 first reaches a cell at <c>start mod d</c> (tap
    /// <c>ceil(-start/d)</c>), which must exist (tap &lt;= k-1: the first window is the worst) and be below i. When
    /// <c>d &gt; i</c> the residues <c>(w*s - p) mod d</c> of those windows are counted in O(log) with
    /// <see cref="FloorSum"/>: a residue is &gt;= i exactly when adding <c>d - i</c> crosses a multiple of d.
    /// </summary>
    public static bool EveryWindowReal(long i, long k, long s, long p, long d, long o)
    {
        if (((o - 1) * s) - p >= i)
        {
            return false;
        }

        if (p == 0)
        {
            return true;
        }

        if (-p + ((k - 1) * d) < 0)
        {
            return false;
        }

        if (d <= i)
        {
            return true;
        }

        long negative = Math.Min(o, CeilDiv(p, s));
        long b = ((-p % d) + d) % d;
        return FloorSum(negative, d, s, b + d - i) - FloorSum(negative, d, s, b) == 0;
    }

    /// <summary><c>sum over x in [0, n) of floor((a*x + b) / m)</c> for non-negative a, b and positive m (AtCoder Library's floor_sum), in 128 bits.</summary>
    public static Int128 FloorSum(Int128 n, Int128 m, Int128 a, Int128 b)
    {
        Int128 sum = 0;
        while (true)
        {
            if (a >= m)
            {
                sum += n * (n - 1) / 2 * (a / m);
                a %= m;
            }

            if (b >= m)
            {
                sum += n * (b / m);
                b %= m;
            }

            Int128 top = (a * n) + b;
            if (top < m)
            {
                return sum;
            }

            (n, b) = (top / m, top % m);
            (m, a) = (a, m);
        }
    }

    /// <summary>The pooled (H, W) of a constructible, non-default geometry over an input size, or null when the pooling must be refused.</summary>
    public static (int H, int W)? Output(GeometrySpec g, long h, long w)
    {
        if (g.IsDefault || h < 1 || w < 1)
        {
            return null;
        }

        long? oh = AxisOutput(h, g.KH, g.StrideH, g.PH, g.DH, g.Ceil), ow = AxisOutput(w, g.KW, g.StrideW, g.PW, g.DW, g.Ceil);
        return oh is { } a && ow is { } b ? ((int)a, (int)b) : null;
    }

    /// <summary>SEMANTICS.md 2's default unpooled size <c>(i-1)*s - 2p + k</c> per axis, in 64 bits (it may be below 1 or past int).</summary>
    public static (long H, long W) UnpoolDefault(GeometrySpec g, long h, long w)
        => (((h - 1) * g.StrideH) - (2L * g.PH) + g.KH, ((w - 1) * g.StrideW) - (2L * g.PW) + g.KW);

    /// <summary>An explicit unpooled size must lie strictly between <c>default - s</c> and <c>default + s</c> (and be &gt;= 1).</summary>
    public static bool ExplicitFits(long value, long defaultSize, long stride) => value >= 1 && value > defaultSize - stride && value < defaultSize + stride;

    /// <summary>A shape the operators accept: N, C &gt;= 0, H, W &gt;= 1, at most <see cref="Array.MaxLength"/> elements.</summary>
    public static bool ShapeValid(Shape4D s)
        => s.Batch >= 0 && s.Channels >= 0 && s.Height >= 1 && s.Width >= 1 && (Int128)s.Batch * s.Channels * s.Height * s.Width <= Array.MaxLength;

    /// <summary>
    /// The tensor forms' rule (a TensorSpan over native memory may hold more than an array): valid lengths, and each
    /// sample (<c>C*H*W</c> elements) no more than <see cref="Array.MaxLength"/> when the total passes it (an empty batch
    /// of huge samples is a valid empty tensor).
    /// </summary>
    public static bool BatchedShapeValid(Shape4D s)
        => s.Batch >= 0 && s.Channels >= 0 && s.Height >= 1 && s.Width >= 1
            && (s.Batch == 0 || (Int128)s.Channels * s.Height * s.Width <= Array.MaxLength);

    /// <summary>The number of valid indices of one element in a convention (InWindow: the window's taps).</summary>
    public static Int128 Space(IndexConvention convention, Shape4D indexed, GeometrySpec g) => convention switch
    {
        IndexConvention.PerPlane => (Int128)indexed.Height * indexed.Width,
        IndexConvention.ChannelsLastPerSample => (Int128)indexed.Channels * indexed.Height * indexed.Width,
        IndexConvention.InWindow => (Int128)g.KH * g.KW,
        _ => (Int128)indexed.Batch * indexed.Channels * indexed.Height * indexed.Width,
    };

    /// <summary>Whether a convention value names one of the six conventions.</summary>
    public static bool Defined(IndexConvention convention) => convention is >= IndexConvention.PerPlane and <= IndexConvention.InWindow;

    /// <summary>Whether the index type holds the convention's largest index (largest = space - 1).</summary>
    public static bool IndexFits(IndexKind index, IndexConvention convention, Shape4D indexed, GeometrySpec g)
        => Space(convention, indexed, g) - 1 <= TypeDispatch.MaxOf(index);

    /// <summary>
    /// Whether <see cref="MaxPool2DReference"/> and <see cref="PoolAxis"/> compute this geometry exactly: their effective
    /// kernel and window walk are 32-bit and per tap, so every parameter must stay small. Elsewhere the properties use
    /// <see cref="Pool"/>, this file's 64-bit reference.
    /// </summary>
    public static bool OracleSafe(GeometrySpec g)
        => !g.IsDefault && Math.Max(g.KH, g.KW) <= 64 && Math.Max(g.StrideH, g.StrideW) <= 1 << 20 && Math.Max(g.PH, g.PW) <= 1 << 20 && Math.Max(g.DH, g.DW) <= 1 << 20;

    /// <summary>
    /// Max pooling as SEMANTICS.md 1 states it, in 64 bits, visiting only each window's real taps (at most the input's
    /// size per axis, whatever the kernel): row-major over (kh, kw), a cell replaces the running best when
    /// <c>v &gt; best || isNaN(v)</c>, starting from the first real cell. Returns the values, the per-plane index
    /// <c>h*W + w</c> and the in-window tap <c>kh*kW + kw</c> of each maximum. For geometries past
    /// <see cref="OracleSafe"/>; where both run, the properties use <see cref="MaxPool2DReference"/>.
    /// </summary>
    public static (T[] Values, long[] PerPlane, long[] Taps) Pool<T>(T[] x, long planes, int h, int w, GeometrySpec g, int oh, int ow)
        where T : INumber<T>
    {
        var values = new T[planes * oh * ow];
        var perPlane = new long[values.Length];
        var taps = new long[values.Length];
        for (long plane = 0; plane < planes; plane++)
        {
            for (long i = 0; i < oh; i++)
            {
                (long rowStart, long khLo, long khHi) = RealTaps(i, g.StrideH, g.PH, g.DH, g.KH, h);
                for (long j = 0; j < ow; j++)
                {
                    (long colStart, long kwLo, long kwHi) = RealTaps(j, g.StrideW, g.PW, g.DW, g.KW, w);
                    bool found = false;
                    T best = T.Zero;
                    long arg = -1, tap = -1;
                    for (long kh = khLo; kh <= khHi; kh++)
                    {
                        long r = rowStart + (kh * g.DH);
                        for (long kw = kwLo; kw <= kwHi; kw++)
                        {
                            long c = colStart + (kw * g.DW);
                            T v = x[(plane * h * w) + (r * w) + c];
                            if (!found || v > best || T.IsNaN(v))
                            {
                                (found, best, arg, tap) = (true, v, (r * w) + c, (kh * g.KW) + kw);
                            }
                        }
                    }

                    long o = (((plane * oh) + i) * ow) + j;
                    (values[o], perPlane[o], taps[o]) = (best, arg, tap);
                }
            }
        }

        return (values, perPlane, taps);
    }

    /// <summary>The start of window <paramref name="o"/> and its first and last tap on a cell of <c>[0, size)</c>.</summary>
    private static (long Start, long Lo, long Hi) RealTaps(long o, long s, long p, long d, long k, long size)
    {
        long start = (o * s) - p;
        long lo = start >= 0 ? 0 : CeilDiv(-start, d);
        long hi = Math.Min(k - 1, FloorDiv(size - 1 - start, d));
        return (start, lo, hi);
    }
}
