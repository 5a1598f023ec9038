using System.Numerics;
using System.Runtime.Intrinsics;
using Unpooling.Internal;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling3D;

/// <summary>One 3-D pooling case: an input, a geometry (per-axis oracle axes and the library's geometry) and the oracle's result.</summary>
internal sealed record Pool3DCase<T>(T[] Source, Shape5D Shape, Axis3 Depth, Axis3 Height, Axis3 Width, bool Ceil, Pool3DResult<T> Expected)
    where T : INumber<T>
{
    public Pool3DGeometry Geometry => Pool3DCases.ToGeometry(Depth, Height, Width, Ceil);

    public Shape5D PooledShape => Shape.WithSpatialSize(new Size3D(Expected.OutD, Expected.OutH, Expected.OutW));

    public long[] ExpectedIndices(IndexConvention convention)
        => Pool3DReference.Indices(Expected, convention, Shape.Batch, Shape.Channels, Shape.Depth, Shape.Height, Shape.Width, Height.Kernel, Width.Kernel);

    public override string ToString() => $"{Shape} d[{Depth}] h[{Height}] w[{Width}] ceil {Ceil}";
}

/// <summary>Case builders and the calls of the 3-D kernel at a chosen width.</summary>
internal static unsafe class Pool3DCases
{
    public static readonly IndexConvention[] Conventions =
    [
        IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.GlobalColumnMajor,
        IndexConvention.ChannelsLastPerSample, IndexConvention.ChannelsLastWithBatch, IndexConvention.InWindow,
    ];

    public static Pool3DGeometry ToGeometry(Axis3 d, Axis3 h, Axis3 w, bool ceil)
        => new Pool3DGeometry(new Size3D(d.Kernel, h.Kernel, w.Kernel), new Size3D(d.Stride, h.Stride, w.Stride), dilation: new Size3D(d.Dilation, h.Dilation, w.Dilation), ceilMode: ceil)
            .WithPadding(new Size3D(d.PadBegin, h.PadBegin, w.PadBegin), new Size3D(d.PadEnd, h.PadEnd, w.PadEnd));

    /// <summary>Small integers (many ties), with ±0 and, for floating types, rare NaN and ±infinity.</summary>
    public static T[] Data<T>(Random random, long count, bool specials = true)
        where T : INumber<T>
    {
        var x = new T[count];
        bool floating = typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(Half);
        for (long i = 0; i < count; i++)
        {
            int r = random.Next(100);
            x[i] = !floating || !specials || r < 90 ? T.CreateTruncating(random.Next(-4, 5))
                : r < 93 ? T.CreateTruncating(-0.0)
                : r < 95 ? T.CreateTruncating(double.NaN)
                : r < 97 ? T.CreateTruncating(double.NegativeInfinity)
                : T.CreateTruncating(double.PositiveInfinity);
        }

        return x;
    }

    /// <summary>A random axis: kernel 1-3, stride 1-3, begin/end padding 0-2 (independently), dilation 1-2.</summary>
    public static Axis3 RandomAxis(Random random)
        => new(random.Next(1, 4), random.Next(1, 4), random.Next(0, 3), random.Next(0, 3), random.Next(1, 3));

    /// <summary>A case whose pooled width is <paramref name="outW"/> when the floor-mode formula allows it; null when the oracle rejects it.</summary>
    public static Pool3DCase<T>? Make<T>(Random random, int batch, int channels, int depth, int height, Axis3 ad, Axis3 ah, Axis3 aw, bool ceil, int outW, bool specials = true)
        where T : INumber<T>
    {
        int width = ((outW - 1) * aw.Stride) + (aw.Dilation * (aw.Kernel - 1)) + 1 - aw.PadBegin - aw.PadEnd;
        if (width < 1)
        {
            width = 1 + random.Next(3);
        }

        return Make<T>(random, new Shape5D(batch, channels, depth, height, width), ad, ah, aw, ceil, specials);
    }

    public static Pool3DCase<T>? Make<T>(Random random, Shape5D shape, Axis3 ad, Axis3 ah, Axis3 aw, bool ceil, bool specials = true)
        where T : INumber<T>
    {
        T[] x = Data<T>(random, shape.ElementCount, specials);
        Pool3DResult<T>? r = Pool3DReference.Pool(x, shape.Batch, shape.Channels, shape.Depth, shape.Height, shape.Width, ad, ah, aw, ceil);
        return r is null ? null : new Pool3DCase<T>(x, shape, ad, ah, aw, ceil, r);
    }

    /// <summary>Runs the kernel directly at <paramref name="width"/> (0 scalar, else 128/256/512 bits).</summary>
    public static void Kernel<T, TIndex>(int width, Pool3DCase<T> c, T[] values, TIndex[] indices, IndexConvention convention, int degree)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Pool3DGeometry g = c.Geometry;
        SpatialPlan s = SpatialPlan.ForPool(g, c.Shape.SpatialSize, "geometry");
        var plan = new MaxPool3DKernel.Plan(s, new IndexLayout3D(convention, c.Shape));
        fixed (T* x = c.Source)
        fixed (T* v = values)
        fixed (TIndex* i = indices)
        {
            int planes = (int)c.Shape.PlaneCount;
            switch (width)
            {
                case 0:
                    MaxPool3DKernel.Run<SimdScalar<T>, T, T, TIndex>(x, v, i, planes, plan, degree, scalarOnly: true);
                    break;
                case 128:
                    MaxPool3DKernel.Run<Simd128<T>, Vector128<T>, T, TIndex>(x, v, i, planes, plan, degree);
                    break;
                case 256:
                    MaxPool3DKernel.Run<Simd256<T>, Vector256<T>, T, TIndex>(x, v, i, planes, plan, degree);
                    break;
                default:
                    MaxPool3DKernel.Run<Simd512<T>, Vector512<T>, T, TIndex>(x, v, i, planes, plan, degree);
                    break;
            }
        }
    }

    /// <summary>Asserts values bit for bit and indices exactly.</summary>
    public static void AssertEqual<T, TIndex>(Pool3DCase<T> c, IndexConvention convention, T[] values, TIndex[] indices, string context)
        where T : INumber<T>
        where TIndex : IBinaryInteger<TIndex>
    {
        long[] expected = c.ExpectedIndices(convention);
        for (int o = 0; o < values.Length; o++)
        {
            T e = c.Expected.Values[o];
            bool same = T.IsNaN(e) ? T.IsNaN(values[o]) : e == values[o] && (e != T.Zero || T.IsNegative(e) == T.IsNegative(values[o]));
            if (!same || long.CreateChecked(indices[o]) != expected[o])
            {
                Assert.Fail($"{context} {c} {convention}: element {o} is {values[o]} at {indices[o]}, expected {e} at {expected[o]}.");
            }
        }
    }
}
