using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// Conv1D and ConvTranspose1D against the plain-loop oracle (the 3-D loops with depth and height 1) over strides,
/// asymmetric paddings, dilations, groups and output paddings, at lengths on the vector boundaries; the exact adjoint;
/// thread counts bit-identical; validation; allocation-free span forms; tensor forms.
/// </summary>
public abstract class Conv1DTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    // kernel, stride, pad begin, pad end, dilation, output padding
    public static TheoryData<int, int, int, int, int, int, int> Cases => new()
    {
        { 3, 1, 1, 1, 1, 0, 1 },
        { 4, 2, 1, 1, 1, 1, 1 },
        { 2, 2, 0, 0, 1, 0, 2 },
        { 3, 3, 2, 0, 2, 2, 1 },
        { 5, 1, 0, 4, 3, 2, 2 },
        { 1, 4, 0, 0, 1, 3, 1 },
    };

    private static readonly RefAxis Trivial = new(1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesOracleOnBothSidesAtBoundaryLengths(int k, int s, int pb, int pe, int d, int op, int groups)
    {
        var axis = new RefAxis(k, s, pb, pe, d, op);
        Conv1DGeometry g = new Conv1DGeometry(k, s, 0, d, groups, op).WithPadding(pb, pe);
        (int n, int cin, int cout) = (2, 3 * groups, 2 * groups);
        foreach (int length in new[] { 1, 7, 8, 9, 17, 33, 70 })
        {
            foreach (bool transposed in new[] { true, false })
            {
                if (!transposed && axis.ConvOut(length) < 1)
                {
                    continue;
                }

                var xs = new Shape3D(n, cin, length);
                var ws = transposed ? new Shape3D(cin, cout / groups, k) : new Shape3D(cout, cin / groups, k);
                T[] x = ConvData.Uniform<T>((int)xs.ElementCount, length);
                T[] w = ConvData.Uniform<T>((int)ws.ElementCount, length + 1);
                T[] bias = ConvData.Uniform<T>(cout, length + 2);
                int o = transposed ? g.GetTransposedOutputSize(length) : g.GetOutputSize(length);
                Assert.Equal(transposed ? axis.TransposedOut(length) : axis.ConvOut(length), o);
                var y = new GuardedBuffer<T>(n * cout * o);
                Run(transposed, x, xs, w, ws, bias, g, y.Span, Threads.Options(1));
                y.AssertGuardsIntact($"{g} {xs}");
                string context = $"{(transposed ? "ConvTranspose1D" : "Conv1D")} {g} {xs}";
                RefAxis[] axes = [Trivial, Trivial, axis];
                int terms = (cin / groups * k) + 1;
                if (typeof(T) == typeof(Half))
                {
                    double[] Wide(T[] v, bool abs) => v.Select(e => abs ? Math.Abs(double.CreateChecked(e)) : double.CreateChecked(e)).ToArray();
                    double[] Oracle(bool abs) => transposed
                        ? ConvReference3D.ConvTranspose(Wide(x, abs), n, cin, [1, 1, length], Wide(w, abs), cout, axes, groups, Wide(bias, abs)).Output
                        : ConvReference3D.Conv(Wide(x, abs), n, cin, [1, 1, length], Wide(w, abs), cout, axes, groups, Wide(bias, abs)).Output;
                    ConvAssert.CloseHalf(Oracle(false), Oracle(true), terms, MemoryMarshal.Cast<T, Half>(y.Span), context);
                }
                else
                {
                    T[] expected = transposed
                        ? ConvReference3D.ConvTranspose(x, n, cin, [1, 1, length], w, cout, axes, groups, bias).Output
                        : ConvReference3D.Conv(x, n, cin, [1, 1, length], w, cout, axes, groups, bias).Output;
                    ConvAssert.Close<T>(expected, y.Span, terms, context);
                }

                var two = new T[y.Length];
                Run(transposed, x, xs, w, ws, bias, g, two, Threads.Options(2));
                BitAssert.Equal<T>(y.ToArray(), two, $"1 vs 2 threads, {context}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AdjointIdentityIsExactOnIntegers(int k, int s, int pb, int pe, int d, int op, int groups)
    {
        _ = op;
        Conv1DGeometry g = new Conv1DGeometry(k, s, 0, d, groups).WithPadding(pb, pe);
        const int length = 23;
        (int n, int cin, int cout) = (2, 2 * groups, 3 * groups);
        var xs = new Shape3D(n, cin, length);
        var ws = new Shape3D(cout, cin / groups, k);
        int o = g.GetOutputSize(length);
        var ys = new Shape3D(n, cout, o);
        double[] x = ConvData.Integers<double>((int)xs.ElementCount, 1);
        double[] y = ConvData.Integers<double>((int)ys.ElementCount, 2);
        double[] w = ConvData.Integers<double>((int)ws.ElementCount, 3);
        var cx = new double[ys.ElementCount];
        var ty = new double[xs.ElementCount];
        Functional.Conv1D<double>(x, xs, w, ws, [], g, cx);
        Functional.ConvTranspose1D<double>(y, ys, w, ws, [], g.WithTransposedOutputSize(o, length), ty);
        Assert.Equal(ConvRankHelpers.Dot(cx, y), ConvRankHelpers.Dot(x, ty));
    }

    [Fact]
    public void ShownArithmetic()
    {
        // x = [1, 2, 3], w = [1, 10], stride 2: transposed y = [1, 10, 2, 20, 3, 30] + bias 0.5;
        // forward on y with the same weight: o[0] = 1 + 100, o[1] = 2 + 200, o[2] = 3 + 300, plus 0.5 each.
        var g = new Conv1DGeometry(2, 2);
        T[] x = [T.One, T.CreateChecked(2), T.CreateChecked(3)];
        T[] w = [T.One, T.CreateChecked(10)];
        T[] bias = [T.CreateChecked(0.5)];
        var y = new T[6];
        Functional.ConvTranspose1D<T>(x, new Shape3D(1, 1, 3), w, new Shape3D(1, 1, 2), bias, g, y);
        Assert.Equal(new[] { 1.5, 10.5, 2.5, 20.5, 3.5, 30.5 }, y.Select(double.CreateChecked));
        var back = new T[3];
        Functional.Conv1D<T>(y, new Shape3D(1, 1, 6), w, new Shape3D(1, 1, 2), bias, g, back);
        Assert.Equal(new[] { 1.5 + 105 + 0.5, 2.5 + 205 + 0.5, 3.5 + 305 + 0.5 }, back.Select(double.CreateChecked));
    }

    [Fact]
    public void SpanFormsAllocateNothing()
    {
        var g = new Conv1DGeometry(3, 2, 1, outputPadding: 1);
        var xs = new Shape3D(2, 8, 50);
        var ws = new Shape3D(8, 8, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 1);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 2);
        T[] bias = ConvData.Uniform<T>(8, 3);
        var yt = new T[2 * 8 * g.GetTransposedOutputSize(50)];
        var yc = new T[2 * 8 * g.GetOutputSize(50)];
        void Both()
        {
            Functional.ConvTranspose1D<T>(x, xs, w, ws, bias, g, yt, ExecutionOptions.SingleThreaded);
            Functional.Conv1D<T>(x, xs, w, ws, bias, g, yc, ExecutionOptions.SingleThreaded);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Both));
    }

    [Fact]
    public void TensorFormsMatchSpanFormsAndValidationNamesTheArgument()
    {
        var g = new Conv1DGeometry(3, 2, 1, outputPadding: 1);
        var xs = new Shape3D(2, 3, 11);
        var ws = new Shape3D(3, 4, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 1);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 2);
        T[] bias = ConvData.Uniform<T>(4, 3);
        int o = g.GetTransposedOutputSize(11);
        var expected = new T[2 * 4 * o];
        Functional.ConvTranspose1D<T>(x, xs, w, ws, bias, g, expected);
        var tx = Tensor.Create(x, [2, 3, 11]);
        var tw = Tensor.Create(w, [3, 4, 3]);
        var tb = Tensor.Create(bias, [4]);
        BitAssert.Equal<T>(expected, Functional.ConvTranspose1D(tx, tw, tb, g).ToArray(), "allocating form");
        BitAssert.Equal<T>(expected, Functional.ConvTranspose1D(tx, tw, tb, g.WithOutputPadding(0), o).ToArray(), "requested output size");
        var into = Tensor.Create(new T[expected.Length], [2, 4, o]);
        Functional.ConvTranspose1D(tx.AsReadOnlyTensorSpan(), tw.AsReadOnlyTensorSpan(), bias, g, into.AsTensorSpan());
        BitAssert.Equal<T>(expected, into.ToArray(), "TensorSpan form");

        var y = new GuardedBuffer<T>(expected.Length);
        y.Fill(GuardedBuffer<T>.Sentinel);
        T[] yArray = y.Array;
        Span<T> Dest() => yArray.AsSpan(GuardedBuffer<T>.GuardLength, expected.Length);
        Throws.Param<ArgumentException>("source", () => Functional.ConvTranspose1D<T>(x.AsSpan(1), xs, w, ws, [], g, Dest()));
        Throws.Param<ArgumentException>("weightShape", () => Functional.ConvTranspose1D<T>(x, xs, new T[3 * 4 * 2], ws with { Length = 2 }, [], g, Dest()));
        Throws.Param<ArgumentException>("bias", () => Functional.ConvTranspose1D<T>(x, xs, w, ws, new T[3], g, Dest()));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvTranspose1D<T>(x, xs, w, ws, [], g, Dest()[1..]));
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose1D<T>(x, xs, w, ws, [], default, Dest()));
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose1D<T>(x, xs, w, ws, [], new Conv1DGeometry(3, groups: 2), Dest()));
        Throws.Param<ArgumentException>("weightShape", () => Functional.ConvTranspose1D<T>(x, xs, w, ws with { Layout = TensorLayout.ChannelsLast }, [], g, Dest()));
        Throws.Param<ArgumentException>("source", () => Functional.ConvTranspose1D(Tensor.Create(x, [2, 3, 11, 1]), tw, tb, g));
        Throws.Param<ArgumentOutOfRangeException>("outputSize", () => Functional.ConvTranspose1D(tx, tw, tb, g, o + 2));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(y.IsSentinel(i), $"destination[{i}] was written");
        }

        y.AssertGuardsIntact("validation");
    }

    private static void Run(bool transposed, T[] x, Shape3D xs, T[] w, Shape3D ws, T[] bias, Conv1DGeometry g, Span<T> y, ExecutionOptions options)
    {
        if (transposed)
        {
            Functional.ConvTranspose1D<T>(x, xs, w, ws, bias, g, y, options);
        }
        else
        {
            Functional.Conv1D<T>(x, xs, w, ws, bias, g, y, options);
        }
    }
}

public sealed class Conv1DFloatTests : Conv1DTests<float>;

public sealed class Conv1DDoubleTests : Conv1DTests<double>;

public sealed class Conv1DHalfTests : Conv1DTests<Half>;
