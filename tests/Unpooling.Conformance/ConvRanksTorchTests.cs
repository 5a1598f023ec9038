using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Unpooling.Tests.Conv;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// <c>Conv1D</c>/<c>Conv3D</c> and <c>ConvTranspose1D</c>/<c>ConvTranspose3D</c> against libtorch's <c>conv1d</c>,
/// <c>conv3d</c>, <c>conv_transpose1d</c> and <c>conv_transpose3d</c> over per-axis kernels, strides, paddings,
/// dilations, groups and output paddings. Integer-valued data must agree as numbers (every sum is exact); real-valued
/// data within <see cref="Check.Close"/>'s named tolerance (<see cref="ConvTolerance"/>), scaled per output by the sum
/// of its terms' magnitudes (libtorch's own result over <c>|x|</c>, <c>|w|</c>, <c>|b|</c>).
/// </summary>
public sealed class ConvRanksTorchTests
{
    // Per axis (depth, height, width): kernel, stride, padding, dilation, output padding; then groups.
    public static TheoryData<int[], int[], int[], int[], int[], int> Cases3D => new()
    {
        { [3, 3, 3], [1, 1, 1], [1, 1, 1], [1, 1, 1], [0, 0, 0], 1 },
        { [4, 4, 4], [2, 2, 2], [1, 1, 1], [1, 1, 1], [0, 1, 0], 1 },
        { [2, 3, 4], [2, 1, 3], [0, 1, 2], [1, 2, 1], [1, 0, 2], 2 },
        { [3, 1, 2], [3, 1, 2], [2, 0, 0], [2, 1, 1], [2, 0, 1], 1 },
        { [1, 2, 2], [1, 2, 2], [0, 0, 0], [1, 1, 1], [0, 0, 0], 3 },
    };

    public static TheoryData<int, int, int, int, int, int> Cases1D => new()
    {
        { 3, 1, 1, 1, 0, 1 },
        { 4, 2, 1, 1, 1, 1 },
        { 5, 3, 2, 2, 2, 2 },
        { 2, 2, 0, 3, 2, 1 },
        { 1, 1, 0, 1, 0, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases3D))]
    public void ThreeD(int[] k, int[] s, int[] p, int[] d, int[] op, int groups)
    {
        var g = new Conv3DGeometry(Size(k), Size(s), Size(p), Size(d), groups, Size(op));
        foreach (bool transposed in new[] { true, false })
        {
            Compare<float>(transposed, g, groups, k, [2, 3 * groups, 5, 6, 7], true);
            Compare<float>(transposed, g, groups, k, [2, 3 * groups, 5, 6, 7], false);
            Compare<double>(transposed, g, groups, k, [1, 2 * groups, 6, 5, 9], false);
        }
    }

    [Theory]
    [MemberData(nameof(Cases1D))]
    public void OneD(int k, int s, int p, int d, int op, int groups)
    {
        var g = new Conv1DGeometry(k, s, p, d, groups, op);
        foreach (bool transposed in new[] { true, false })
        {
            foreach (int length in new[] { 9, 40, 131 })
            {
                Compare1D<float>(transposed, g, [2, 3 * groups, length], true);
                Compare1D<float>(transposed, g, [2, 3 * groups, length], false);
                Compare1D<double>(transposed, g, [1, 2 * groups, length], false);
            }
        }
    }

    private static Size3D Size(int[] v) => new(v[0], v[1], v[2]);

    private static void Compare<T>(bool transposed, Conv3DGeometry g, int groups, int[] k, int[] input, bool integers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cin = input[1], cout = 2 * groups;
        int[] weight = transposed ? [cin, cout / groups, k[0], k[1], k[2]] : [cout, cin / groups, k[0], k[1], k[2]];
        var xs = new Shape5D(input[0], input[1], input[2], input[3], input[4]);
        var ws = new Shape5D(weight[0], weight[1], weight[2], weight[3], weight[4]);
        (T[] x, T[] w, T[] b) = Data<T>(xs.ElementCount, ws.ElementCount, cout, integers);
        Size3D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        var ys = new Shape5D(xs.Batch, cout, o.Depth, o.Height, o.Width);
        var ours = new T[ys.ElementCount];
        if (transposed)
        {
            Functional.ConvTranspose3D<T>(x, xs, w, ws, b, g, ours);
        }
        else
        {
            Functional.Conv3D<T>(x, xs, w, ws, b, g, ours);
        }

        long[] stride = [g.Stride.Depth, g.Stride.Height, g.Stride.Width];
        long[] padding = [g.PaddingBegin.Depth, g.PaddingBegin.Height, g.PaddingBegin.Width];
        long[] dilation = [g.Dilation.Depth, g.Dilation.Height, g.Dilation.Width];
        long[] outputPadding = [g.OutputPadding.Depth, g.OutputPadding.Height, g.OutputPadding.Width];
        Tensor Peer(T[] xv, T[] wv, T[] bv) => transposed
            ? nn.functional.conv_transpose3d(From(xv, input), From(wv, weight), From(bv, [cout]), stride, padding, outputPadding, dilation, groups)
            : nn.functional.conv3d(From(xv, input), From(wv, weight), From(bv, [cout]), stride, padding, dilation, groups);
        Verify(Peer, x, w, b, ours, ys.ElementCount, integers, $"{(transposed ? "conv_transpose3d" : "conv3d")} {g} input {xs}");
    }

    private static void Compare1D<T>(bool transposed, Conv1DGeometry g, int[] input, bool integers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cin = input[1], cout = 2 * groups, k = g.KernelSize;
        int[] weight = transposed ? [cin, cout / groups, k] : [cout, cin / groups, k];
        var xs = new Shape3D(input[0], input[1], input[2]);
        var ws = new Shape3D(weight[0], weight[1], weight[2]);
        (T[] x, T[] w, T[] b) = Data<T>(xs.ElementCount, ws.ElementCount, cout, integers);
        int o = transposed ? g.GetTransposedOutputSize(xs.Length) : g.GetOutputSize(xs.Length);
        var ours = new T[xs.Batch * cout * o];
        if (transposed)
        {
            Functional.ConvTranspose1D<T>(x, xs, w, ws, b, g, ours);
        }
        else
        {
            Functional.Conv1D<T>(x, xs, w, ws, b, g, ours);
        }

        Tensor Peer(T[] xv, T[] wv, T[] bv) => transposed
            ? nn.functional.conv_transpose1d(From(xv, input), From(wv, weight), From(bv, [cout]), g.Stride, g.PaddingBegin, g.OutputPadding, g.Dilation, groups)
            : nn.functional.conv1d(From(xv, input), From(wv, weight), From(bv, [cout]), g.Stride, g.PaddingBegin, g.Dilation, groups);
        Verify(Peer, x, w, b, ours, ours.Length, integers, $"{(transposed ? "conv_transpose1d" : "conv1d")} {g} input {xs}");
    }

    private static Tensor From<T>(T[] data, int[] shape)
        where T : unmanaged, INumberBase<T>
        => TorchOps.From(data, shape.Select(v => (long)v).ToArray());

    private static (T[] X, T[] W, T[] B) Data<T>(long x, long w, int b, bool integers)
        where T : unmanaged, IFloatingPointIeee754<T>
        => integers
            ? (ConvData.Integers<T>((int)x, 1), ConvData.Integers<T>((int)w, 2), ConvData.Integers<T>(b, 3))
            : (ConvData.Uniform<T>((int)x, 1), ConvData.Uniform<T>((int)w, 2), ConvData.Uniform<T>(b, 3));

    private static void Verify<T>(Func<T[], T[], T[], Tensor> peer, T[] x, T[] w, T[] b, T[] ours, long length, bool integers, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using IDisposable scope = TorchOps.Scope();
        T[] expected = TorchOps.Read<T>(peer(x, w, b));
        Assert.Equal(length, expected.Length);
        var flat = new Shape4D(1, 1, 1, (int)length);
        if (integers)
        {
            Check.Numeric<T>(expected, ours, flat, $"{what}, integers");
            return;
        }

        static T[] Abs(T[] v) => v.Select(T.Abs).ToArray();
        T[] scale = TorchOps.Read<T>(peer(Abs(x), Abs(w), Abs(b)));
        Check.Close<T>(expected, ours, scale, flat, $"{what}, uniform");
    }
}
