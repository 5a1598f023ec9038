using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>A 3-D case as plain numbers (depth, height, width axes and groups), and the library geometry it means.</summary>
public sealed record ConvRankCase(RefAxisTriple Axes, int Groups)
{
    public override string ToString() => $"{Axes} g{Groups}";

    internal RefAxis[] Ref => [Axes.AxisD, Axes.AxisH, Axes.AxisW];

    internal Conv3DGeometry Geometry3D()
    {
        (RefAxis d, RefAxis h, RefAxis w) = (Axes.AxisD, Axes.AxisH, Axes.AxisW);
        return new Conv3DGeometry(new Size3D(d.K, h.K, w.K), new Size3D(d.S, h.S, w.S), 0, new Size3D(d.D, h.D, w.D), Groups, new Size3D(d.Op, h.Op, w.Op))
            .WithPadding(new Size3D(d.Pb, h.Pb, w.Pb), new Size3D(d.Pe, h.Pe, w.Pe));
    }

    /// <summary>The width axis alone, as a 1-D geometry.</summary>
    internal Conv1DGeometry Geometry1D()
    {
        RefAxis w = Axes.AxisW;
        return new Conv1DGeometry(w.K, w.S, 0, w.D, Groups, w.Op).WithPadding(w.Pb, w.Pe);
    }
}

/// <summary>Three <see cref="RefAxis"/> values (xunit needs a serializable-looking wrapper for theory data).</summary>
public sealed record RefAxisTriple(int[] D, int[] H, int[] W)
{
    public override string ToString() => $"d[{string.Join(",", D)}] h[{string.Join(",", H)}] w[{string.Join(",", W)}]";

    // k, s, pb, pe, dilation, op
    internal RefAxis AxisD => Make(D);

    internal RefAxis AxisH => Make(H);

    internal RefAxis AxisW => Make(W);

    private static RefAxis Make(int[] v) => new(v[0], v[1], v[2], v[3], v[4], v[5]);
}

/// <summary>
/// Conv3D and ConvTranspose3D against the plain-loop oracle over a grid of per-axis strides, asymmetric paddings,
/// dilations, groups and output paddings; the adjoint identity exact on integers; thread counts and SIMD widths
/// bit-identical; validation before any write; allocation-free span forms.
/// </summary>
public abstract unsafe class Conv3DTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // Each axis: kernel, stride, pad begin, pad end, dilation, output padding.
    public static TheoryData<ConvRankCase> Cases => new()
    {
        Case([3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], [3, 1, 1, 1, 1, 0], 1),
        Case([2, 2, 0, 1, 1, 1], [3, 1, 1, 0, 2, 1], [4, 3, 2, 1, 1, 2], 1),
        Case([4, 2, 1, 1, 1, 0], [4, 2, 1, 1, 1, 1], [4, 2, 1, 1, 1, 0], 1),
        Case([1, 1, 0, 0, 1, 0], [2, 2, 0, 0, 1, 1], [2, 2, 1, 0, 1, 0], 2),
        Case([3, 3, 2, 0, 2, 1], [1, 1, 0, 0, 1, 0], [3, 1, 0, 3, 3, 2], 2),
        Case([2, 3, 0, 0, 1, 2], [2, 4, 0, 0, 1, 3], [2, 5, 1, 1, 1, 4], 1),
    };

    private static ConvRankCase Case(int[] d, int[] h, int[] w, int groups) => new(new RefAxisTriple(d, h, w), groups);

    private static readonly int[] InputSize = [3, 4, 5];

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvTranspose3DMatchesOracleAndIsBitIdenticalOverThreadsAndWidths(ConvRankCase c) => MatchesOracle(true, c);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv3DMatchesOracleAndIsBitIdenticalOverThreadsAndWidths(ConvRankCase c) => MatchesOracle(false, c);

    [Theory]
    [MemberData(nameof(Cases))]
    public void AdjointIdentityIsExactOnIntegers(ConvRankCase c)
    {
        // <conv(x), y> = <x, convT(y)> with the same weight array: conv maps Cin -> Cout with [Cout, Cin/g, k], and the
        // transposed convolution of the same geometry maps Cout -> Cin reading it as [Cin', Cout'/g, k].
        (int n, int cin, int cout) = (2, 2 * c.Groups, 3 * c.Groups);
        Conv3DGeometry g = c.Geometry3D();
        var xs = new Shape5D(n, cin, InputSize[0], InputSize[1], InputSize[2]);
        var ws = new Shape5D(cout, cin / c.Groups, c.Axes.AxisD.K, c.Axes.AxisH.K, c.Axes.AxisW.K);
        Size3D o = g.GetOutputSize(xs.SpatialSize);
        var ys = new Shape5D(n, cout, o.Depth, o.Height, o.Width);
        Conv3DGeometry back = g.WithTransposedOutputSize(o, xs.SpatialSize);
        double[] x = ConvData.Integers<double>((int)xs.ElementCount, 1);
        double[] y = ConvData.Integers<double>((int)ys.ElementCount, 2);
        double[] w = ConvData.Integers<double>((int)ws.ElementCount, 3);
        var cx = new double[ys.ElementCount];
        var ty = new double[xs.ElementCount];
        Functional.Conv3D<double>(x, xs, w, ws, [], g, cx);
        Functional.ConvTranspose3D<double>(y, ys, w, ws, [], back, ty);
        Assert.Equal(ConvRankHelpers.Dot(cx, y), ConvRankHelpers.Dot(x, ty));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PlanesWiderThanAColumnBlockMatchTheOracle(bool transposed)
    {
        // 30 rows of 20 columns: a 3-D column block is whole rows of one depth plane (10 rows here, a divisor of 30),
        // so each plane takes three blocks and col2vol starts every block in a new plane or mid-plane.
        var g = new Conv3DGeometry(new Size3D(3, 4, 3), new Size3D(2, 2, 1), new Size3D(1, 1, 1), outputPadding: new Size3D(1, 0, 0));
        RefAxis[] axes = [new(3, 2, 1, 1, 1, 1), new(4, 2, 1, 1, 1, 0), new(3, 1, 1, 1, 1, 0)];
        int[] size = [3, 30, 20];
        var xs = new Shape5D(1, 5, size[0], size[1], size[2]);
        var ws = transposed ? new Shape5D(5, 6, 3, 4, 3) : new Shape5D(6, 5, 3, 4, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 21);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 22);
        T[] bias = ConvData.Uniform<T>(6, 23);
        Size3D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        var one = new T[6 * o.Volume];
        var two = new T[one.Length];
        Run(transposed, x, xs, w, ws, bias, g, one, Threads.Options(1));
        Run(transposed, x, xs, w, ws, bias, g, two, Threads.Options(2));
        BitAssert.Equal<T>(one, two, "1 vs 2 threads");
        if (typeof(T) != typeof(Half))
        {
            T[] expected = transposed
                ? ConvReference3D.ConvTranspose(x, 1, 5, size, w, 6, axes, 1, bias).Output
                : ConvReference3D.Conv(x, 1, 5, size, w, 6, axes, 1, bias).Output;
            ConvAssert.Close<T>(expected, one, (5 * 36) + 1, $"{(transposed ? "ConvTranspose3D" : "Conv3D")} {g}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BoundedLayoutMatchesTheOracle(bool transposed)
    {
        // Forward: a reduction of 9 * 20^3 = 72,000 steps over 256-column blocks passes the scratch cap, so it runs in
        // chunks of the reduction. Transposed: 8 channels of a 31^3 kernel make row blocks of whole channels too tall.
        (int cin, int cout, int k, int[] size) = transposed ? (1, 8, 31, new[] { 1, 16, 16 }) : (9, 1, 20, new[] { 20, 20, 20 });
        var g = new Conv3DGeometry(k);
        var xs = new Shape5D(1, cin, size[0], size[1], size[2]);
        var ws = transposed ? new Shape5D(cin, cout, k, k, k) : new Shape5D(cout, cin, k, k, k);
        Size3D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        Assert.True(new ConvKernel.Plan(transposed, xs, cout, o, g, 1).Bounded, "the shape should take the bounded layout");
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 31);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 32);
        T[] bias = ConvData.Uniform<T>(cout, 33);
        var one = new T[cout * o.Volume];
        var two = new T[one.Length];
        Run(transposed, x, xs, w, ws, bias, g, one, Threads.Options(1));
        Run(transposed, x, xs, w, ws, bias, g, two, Threads.Options(2));
        BitAssert.Equal<T>(one, two, "1 vs 2 threads");
        if (typeof(T) == typeof(double))
        {
            RefAxis[] axes = [new(k), new(k), new(k)];
            T[] expected = transposed
                ? ConvReference3D.ConvTranspose(x, 1, cin, size, w, cout, axes, 1, bias).Output
                : ConvReference3D.Conv(x, 1, cin, size, w, cout, axes, 1, bias).Output;
            ConvAssert.Close<T>(expected, one, transposed ? (16 * 16) + 1 : (cin * k * k * k) + 1, $"bounded {(transposed ? "ConvTranspose3D" : "Conv3D")} {g}");
        }
    }

    [Fact]
    public void SpanFormsAllocateNothing()
    {
        var g = new Conv3DGeometry(3, 2, 1, outputPadding: 1);
        var xs = new Shape5D(2, 4, 4, 5, 6);
        var ws = new Shape5D(4, 4, 3, 3, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 1);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 2);
        T[] bias = ConvData.Uniform<T>(4, 3);
        var yt = new T[2 * 4 * g.GetTransposedOutputSize(xs.SpatialSize).Volume];
        var yc = new T[2 * 4 * g.GetOutputSize(xs.SpatialSize).Volume];
        void Both()
        {
            Functional.ConvTranspose3D<T>(x, xs, w, ws, bias, g, yt, ExecutionOptions.SingleThreaded);
            Functional.Conv3D<T>(x, xs, w, ws, bias, g, yc, ExecutionOptions.SingleThreaded);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Both));
    }

    [Fact]
    public void TensorFormsMatchSpanForms()
    {
        var g = new Conv3DGeometry(new Size3D(2, 3, 2), new Size3D(2, 1, 2), 1, outputPadding: new Size3D(1, 0, 0));
        var xs = new Shape5D(2, 3, 3, 4, 5);
        var ws = new Shape5D(3, 4, 2, 3, 2);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 1);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 2);
        T[] bias = ConvData.Uniform<T>(4, 3);
        Size3D o = g.GetTransposedOutputSize(xs.SpatialSize);
        var expected = new T[2 * 4 * o.Volume];
        Functional.ConvTranspose3D<T>(x, xs, w, ws, bias, g, expected);

        var tx = Tensor.Create(x, [2, 3, 3, 4, 5]);
        var tw = Tensor.Create(w, [3, 4, 2, 3, 2]);
        var tb = Tensor.Create(bias, [4]);
        BitAssert.Equal<T>(expected, Functional.ConvTranspose3D(tx, tw, tb, g).ToArray(), "allocating form");
        BitAssert.Equal<T>(expected, Functional.ConvTranspose3D(tx, tw, tb, g.WithOutputPadding(0), o).ToArray(), "requested output size");
        var into = Tensor.Create(new T[expected.Length], [2, 4, o.Depth, o.Height, o.Width]);
        Functional.ConvTranspose3D(tx.AsReadOnlyTensorSpan(), tw.AsReadOnlyTensorSpan(), bias, g, into.AsTensorSpan());
        BitAssert.Equal<T>(expected, into.ToArray(), "TensorSpan form");

        // The forward convolution of the same data, with the weight read as [Cout, Cin/g, k].
        var wf = new Shape5D(3, 3, 2, 3, 2);
        T[] wForward = ConvData.Uniform<T>((int)wf.ElementCount, 4);
        Size3D of = g.GetOutputSize(xs.SpatialSize);
        var forward = new T[2 * 3 * of.Volume];
        Functional.Conv3D<T>(x, xs, wForward, wf, bias.AsSpan(0, 3), g, forward);
        BitAssert.Equal<T>(forward, Functional.Conv3D(tx, Tensor.Create(wForward, [3, 3, 2, 3, 2]), Tensor.Create(bias[..3], [3]), g).ToArray(), "forward allocating form");
    }

    [Fact]
    public void ValidationNamesTheArgumentAndLeavesTheDestinationUnchanged()
    {
        var g = new Conv3DGeometry(3, 2, 1);
        var xs = new Shape5D(1, 2, 3, 4, 5);
        var ws = new Shape5D(2, 3, 3, 3, 3);
        T[] x = new T[xs.ElementCount];
        T[] w = new T[ws.ElementCount];
        int length = (int)(3 * g.GetTransposedOutputSize(xs.SpatialSize).Volume);
        var y = new GuardedBuffer<T>(length);
        y.Fill(GuardedBuffer<T>.Sentinel);
        void Unchanged(string context)
        {
            for (int i = 0; i < length; i++)
            {
                Assert.True(y.IsSentinel(i), $"{context}: destination[{i}] was written");
            }
        }

        T[] yArray = y.Array;
        int offset = GuardedBuffer<T>.GuardLength;
        Span<T> Dest() => yArray.AsSpan(offset, length);
        Throws.Param<ArgumentException>("source", () => Functional.ConvTranspose3D<T>(x.AsSpan(1), xs, w, ws, [], g, Dest()));
        Unchanged("source");
        Throws.Param<ArgumentException>("weightShape", () => Functional.ConvTranspose3D<T>(x, xs, new T[2 * 3 * 27 / 3 * 2], ws with { Depth = 2 }, [], g, Dest()));
        Throws.Param<ArgumentException>("weight", () => Functional.ConvTranspose3D<T>(x, xs, w, ws with { Batch = 3 }, [], g, Dest()));
        Throws.Param<ArgumentException>("weightShape", () => Functional.ConvTranspose3D<T>(x, xs, new T[3 * 3 * 27], ws with { Batch = 3 }, [], g, Dest()));
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose3D<T>(x, xs, w, ws, [], new Conv3DGeometry(3, 2, 1, groups: 4), Dest()));
        Throws.Param<ArgumentException>("bias", () => Functional.ConvTranspose3D<T>(x, xs, w, ws, new T[2], g, Dest()));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvTranspose3D<T>(x, xs, w, ws, [], g, Dest()[1..]));
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose3D<T>(x, xs, w, ws, [], default, Dest()));
        Throws.Param<ArgumentException>("weightShape", () => Functional.ConvTranspose3D<T>(x, xs, w, ws with { Layout = TensorLayout.ChannelsLast }, [], g, Dest()));
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose3D<T>(x, xs, w, ws, [], new Conv3DGeometry(3, 1, 4), Dest()));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvTranspose3D<T>(MemoryMarshal.CreateReadOnlySpan(ref Dest()[0], x.Length), xs, w, ws, [], g, Dest()));
        Unchanged("every refusal");
        y.AssertGuardsIntact("validation");

        // The forward convolution: the weight is [Cout, Cin/g, k], and a padded input below the kernel is refused.
        var wf = new Shape5D(3, 2, 3, 3, 3);
        Throws.Param<ArgumentException>("weightShape", () => Functional.Conv3D<T>(x, xs, new T[ws.ElementCount], ws, [], g, Dest()));
        Throws.Param<ArgumentException>("geometry", () => Functional.Conv3D<T>(x, xs, new T[3 * 2 * 7 * 7 * 7], wf with { Depth = 7, Height = 7, Width = 7 }, [], new Conv3DGeometry(7), Dest()));
        Unchanged("forward refusals");

        Throws.Param<ArgumentException>("source", () => Functional.ConvTranspose3D(Tensor.Create(x, [1, 2, 60]), Tensor.Create(w, [2, 3, 3, 3, 3]), null, g));
    }

    private static void MatchesOracle(bool transposed, ConvRankCase c)
    {
        (int n, int cin, int cout) = (2, 2 * c.Groups, 3 * c.Groups);
        Conv3DGeometry g = c.Geometry3D();
        var xs = new Shape5D(n, cin, InputSize[0], InputSize[1], InputSize[2]);
        var ws = transposed
            ? new Shape5D(cin, cout / c.Groups, c.Axes.AxisD.K, c.Axes.AxisH.K, c.Axes.AxisW.K)
            : new Shape5D(cout, cin / c.Groups, c.Axes.AxisD.K, c.Axes.AxisH.K, c.Axes.AxisW.K);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 11);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 12);
        T[] bias = ConvData.Uniform<T>(cout, 13);
        Size3D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        var ys = new Shape5D(n, cout, o.Depth, o.Height, o.Width);
        var y = new GuardedBuffer<T>((int)ys.ElementCount);
        Run(transposed, x, xs, w, ws, bias, g, y.Span, Threads.Options(1));
        y.AssertGuardsIntact($"{c}");
        string context = $"{(transposed ? "ConvTranspose3D" : "Conv3D")} {c}";

        // The oracle's own size formula must agree with the geometry's.
        RefAxis[] axes = c.Ref;
        int[] expectedSize = transposed
            ? [axes[0].TransposedOut(InputSize[0]), axes[1].TransposedOut(InputSize[1]), axes[2].TransposedOut(InputSize[2])]
            : [axes[0].ConvOut(InputSize[0]), axes[1].ConvOut(InputSize[1]), axes[2].ConvOut(InputSize[2])];
        Assert.Equal(expectedSize, new[] { o.Depth, o.Height, o.Width });
        int terms = ((transposed ? cin : cin) / c.Groups * axes[0].K * axes[1].K * axes[2].K) + 1;
        if (typeof(T) == typeof(Half))
        {
            double[] Wide(T[] v, bool abs) => v.Select(e => abs ? Math.Abs(double.CreateChecked(e)) : double.CreateChecked(e)).ToArray();
            double[] Oracle(bool abs) => transposed
                ? ConvReference3D.ConvTranspose(Wide(x, abs), n, cin, InputSize, Wide(w, abs), cout, axes, c.Groups, Wide(bias, abs)).Output
                : ConvReference3D.Conv(Wide(x, abs), n, cin, InputSize, Wide(w, abs), cout, axes, c.Groups, Wide(bias, abs)).Output;
            ConvAssert.CloseHalf(Oracle(false), Oracle(true), terms, MemoryMarshal.Cast<T, Half>(y.Span), context);
        }
        else
        {
            T[] expected = transposed
                ? ConvReference3D.ConvTranspose(x, n, cin, InputSize, w, cout, axes, c.Groups, bias).Output
                : ConvReference3D.Conv(x, n, cin, InputSize, w, cout, axes, c.Groups, bias).Output;
            ConvAssert.Close<T>(expected, y.Span, terms, context);
        }

        var two = new T[ys.ElementCount];
        Run(transposed, x, xs, w, ws, bias, g, two, Threads.Options(2));
        BitAssert.Equal<T>(y.ToArray(), two, $"1 vs 2 threads, {context}");
        if (typeof(T) != typeof(Half))
        {
            var plan = new ConvKernel.Plan(transposed, xs, cout, o, g, 1);
            foreach (KernelWidth width in KernelWidths.All)
            {
                var atWidth = new T[ys.ElementCount];
                fixed (T* px = x, pw = w, pb = bias, py = atWidth)
                {
                    KernelWidths.Conv(width, px, pw, pb, py, plan, 1);
                }

                BitAssert.Equal<T>(y.ToArray(), atWidth, $"{width}, {context}");
            }
        }
    }

    private static void Run(bool transposed, T[] x, Shape5D xs, T[] w, Shape5D ws, T[] bias, Conv3DGeometry g, Span<T> y, ExecutionOptions options)
    {
        if (transposed)
        {
            Functional.ConvTranspose3D<T>(x, xs, w, ws, bias, g, y, options);
        }
        else
        {
            Functional.Conv3D<T>(x, xs, w, ws, bias, g, y, options);
        }
    }
}

public sealed class Conv3DFloatTests : Conv3DTests<float>;

public sealed class Conv3DDoubleTests : Conv3DTests<double>;

public sealed class Conv3DHalfTests : Conv3DTests<Half>;
