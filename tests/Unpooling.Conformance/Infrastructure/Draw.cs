using System.Numerics;

namespace Unpooling.Conformance.Infrastructure;

/// <summary>How a case fills its input.</summary>
internal enum ValueMode
{
    /// <summary>Integers in [-3, 3] with randomly signed zeros: most windows hold ties, +0/-0 ties included.</summary>
    Ties,

    /// <summary><see cref="Ties"/> with about 5% NaN and 3% each of +inf and -inf.</summary>
    Specials,

    /// <summary>About 30% NaN among ties: windows with several NaNs.</summary>
    ManyNaNs,

    /// <summary>About 60% -inf among ties: windows of only -inf.</summary>
    MostlyNegativeInfinity,

    /// <summary>One value everywhere (+0, -0, a +0/-0 mix, 1, +inf, -inf, or NaN or -1): all-equal windows.</summary>
    Constant,

    /// <summary>Uniform in [-1, 1): distinct values, so ties are rare.</summary>
    Uniform,
}

/// <summary>Random draws for the cases: sizes that favour odd and prime extents, batches, value fills.</summary>
internal static class Draw
{
    private static readonly int[] Primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43];

    /// <summary>A uniform integer in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static int Between(this Random r, int low, int high) => r.Next(low, high + 1);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Chance(this Random r, double p) => r.NextDouble() < p;

    /// <summary>One of <paramref name="options"/>.</summary>
    public static T Pick<T>(this Random r, params T[] options) => options[r.Next(options.Length)];

    /// <summary>A per-axis pair with each value in [<paramref name="low"/>, <paramref name="high"/>]; square half the time.</summary>
    public static Size2D Pair(this Random r, int low, int high)
    {
        int h = r.Between(low, high);
        return r.Chance(0.5) ? new Size2D(h, h) : new Size2D(h, r.Between(low, high));
    }

    /// <summary>
    /// A spatial extent of at least <paramref name="min"/>: a prime, an odd size, anything up to 24 more, or barely
    /// more than the minimum, in equal parts. <paramref name="large"/> adds 60 to 120, so that a case crosses the
    /// library's threading threshold (64K elements).
    /// </summary>
    public static int Extent(this Random r, int min, bool large = false)
    {
        min = Math.Max(min, 1);
        if (large)
        {
            return min + r.Between(60, 120);
        }

        int target = min + r.Next(24);
        return r.Next(4) switch
        {
            0 => Primes.FirstOrDefault(p => p >= target, target | 1),
            1 => min + r.Next(12) * 2 + (min % 2 == 0 ? 1 : 0),
            2 => min + r.Next(25),
            _ => min + r.Next(3),
        };
    }

    /// <summary>N and C, each in [1, 5].</summary>
    public static (int N, int C) Batch(this Random r) => (r.Between(1, 5), r.Between(1, 5));

    /// <summary>A fill mode; <paramref name="nan"/> false leaves out the modes that plant NaNs.</summary>
    public static ValueMode Mode(this Random r, bool nan = true)
    {
        ValueMode mode = r.Pick(ValueMode.Ties, ValueMode.Ties, ValueMode.Specials, ValueMode.ManyNaNs, ValueMode.MostlyNegativeInfinity, ValueMode.Constant, ValueMode.Uniform);
        return nan || mode is not (ValueMode.Specials or ValueMode.ManyNaNs) ? mode
            : mode == ValueMode.Specials ? ValueMode.MostlyNegativeInfinity : ValueMode.Ties;
    }

    /// <summary>
    /// <paramref name="length"/> values filled as <paramref name="mode"/> says; <paramref name="nan"/> false keeps NaN
    /// out of <see cref="ValueMode.Constant"/> (pass the same flag as to <see cref="Mode"/>).
    /// </summary>
    public static T[] Values<T>(this Random r, long length, ValueMode mode, bool nan = true)
        where T : IFloatingPointIeee754<T>
    {
        var data = new T[length];
        T constant = r.Pick(T.Zero, T.NegativeZero, T.One, T.PositiveInfinity, T.NegativeInfinity, nan ? T.NaN : T.NegativeOne);
        bool zeroMix = r.Chance(0.3);
        for (long i = 0; i < data.Length; i++)
        {
            int roll = r.Next(100);
            data[i] = mode switch
            {
                ValueMode.Constant => zeroMix ? (r.Chance(0.5) ? T.Zero : T.NegativeZero) : constant,
                ValueMode.Uniform => T.CreateChecked((r.NextDouble() * 2) - 1),
                ValueMode.Specials when roll < 5 => T.NaN,
                ValueMode.Specials when roll < 8 => T.PositiveInfinity,
                ValueMode.Specials when roll < 11 => T.NegativeInfinity,
                ValueMode.ManyNaNs when roll < 30 => T.NaN,
                ValueMode.MostlyNegativeInfinity when roll < 60 => T.NegativeInfinity,
                _ => SmallInteger<T>(r),
            };
        }

        return data;
    }

    /// <summary>Non-zero values with a few NaNs, infinities and -0: a copied value can never pass for the zero fill.</summary>
    public static T[] Payload<T>(this Random r, long length)
        where T : IFloatingPointIeee754<T>
    {
        var data = new T[length];
        for (long i = 0; i < data.Length; i++)
        {
            int roll = r.Next(100);
            data[i] = roll switch
            {
                0 => T.NaN,
                1 => T.PositiveInfinity,
                2 => T.NegativeInfinity,
                3 => T.NegativeZero,
                _ => T.CreateChecked(r.Between(1, 999) * (r.Chance(0.5) ? 1 : -1)) / T.CreateChecked(8),
            };
        }

        return data;
    }

    private static T SmallInteger<T>(Random r)
        where T : IFloatingPointIeee754<T>
    {
        int v = r.Between(-3, 3);
        return v != 0 ? T.CreateChecked(v) : r.Chance(0.5) ? T.Zero : T.NegativeZero;
    }
}

/// <summary>A pooling case: the input shape and a geometry.</summary>
internal readonly record struct PoolCase(Shape4D Shape, Pool2DGeometry Geometry)
{
    /// <summary>
    /// Draws a geometry over kernel 1-7, stride 1-4 (or the kernel), dilation 1-3 and ceil mode, with per-axis padding
    /// up to <paramref name="maxPadding"/>(kernel, effective kernel), the most the peer accepts; a quarter of the draws
    /// are the common square geometries (2/2, 3/2/1, ...), which take the library's specialised paths. The input is
    /// large enough for at least one output; one case in ten crosses the threading threshold.
    /// </summary>
    public static PoolCase Draw(Random r, Func<int, int, int> maxPadding)
    {
        Size2D k, s, p, d;
        if (r.Chance(0.25))
        {
            (int kk, int ss, int pp) = r.Pick((2, 2, 0), (3, 2, 1), (3, 1, 1), (2, 1, 0), (3, 3, 0), (4, 2, 1), (5, 1, 2));
            (k, s, p, d) = (kk, ss, Math.Min(pp, maxPadding(kk, kk)), 1);
        }
        else
        {
            k = r.Pair(1, 7);
            s = r.Chance(0.2) ? k : r.Pair(1, 4);
            d = r.Chance(0.5) ? 1 : r.Pair(1, 3);
            p = new Size2D(
                r.Between(0, maxPadding(k.Height, Effective(k.Height, d.Height))),
                r.Between(0, maxPadding(k.Width, Effective(k.Width, d.Width))));
        }

        var geometry = new Pool2DGeometry(k, s, p, d, ceilMode: r.Chance(0.4));
        bool large = r.Chance(0.1);
        (int n, int c) = large ? (r.Between(2, 5), r.Between(2, 5)) : r.Batch();
        int h = r.Extent(Effective(k.Height, d.Height) - (2 * p.Height), large);
        int w = r.Extent(Effective(k.Width, d.Width) - (2 * p.Width), large);
        return new PoolCase(new Shape4D(n, c, h, w), geometry);
    }

    /// <summary>
    /// The input of an unpooling case: <paramref name="x"/> pooled by ours (per-plane indices), the pooled shape and
    /// the default unpooled size; the case is rejected when the pooling or that size is empty.
    /// </summary>
    public (T[] Values, long[] Indices, Shape4D Pooled, Size2D DefaultSize) PoolForUnpooling<T>(T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Size2D pooled, defaultSize;
        try
        {
            pooled = Geometry.GetOutputSize(Shape.SpatialSize);
            defaultSize = Geometry.GetUnpoolOutputSize(pooled);
        }
        catch (ArgumentException)
        {
            throw CaseContext.Reject("the pooling or its default unpooling is empty");
        }

        Shape4D pooledShape = Shape.WithSpatialSize(pooled);
        var values = new T[pooledShape.ElementCount];
        var indices = new long[pooledShape.ElementCount];
        Functional.MaxPool2D<T, long>(x, Shape, Geometry, values, indices, options: Threads.Options(1));
        return (values, indices, pooledShape, defaultSize);
    }

    /// <summary>The effective kernel extent <c>d*(k-1)+1</c>.</summary>
    public static int Effective(int k, int d) => (d * (k - 1)) + 1;

    /// <summary>Whether two windows can share a cell along some axis.</summary>
    public bool Overlapping => Geometry.Stride.Height < Effective(Geometry.KernelSize.Height, Geometry.Dilation.Height)
        || Geometry.Stride.Width < Effective(Geometry.KernelSize.Width, Geometry.Dilation.Width);

    /// <inheritdoc/>
    public override string ToString() => $"input {Shape}, {Geometry}";
}
