using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Unpooling.Tests.Conv;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Unpooling.Conformance;

/// <summary>
/// The convolutions' backward passes of every rank against libtorch's autograd: <c>conv1d/2d/3d</c> and
/// <c>conv_transpose1d/2d/3d</c> on inputs, weights and biases that require gradients, differentiated by
/// <c>torch.autograd.grad</c> with a given output gradient, channels-first and channels_last (<c>channels_last_3d</c>;
/// <c>[N, L, C]</c> permuted in 1-D), at one and two threads. Integer-valued data must agree as numbers (every sum is
/// exact); real-valued data within <see cref="Check.Close"/>'s tolerance scaled by the terms' magnitudes (the same
/// gradients of the absolute values).
/// </summary>
public sealed class ConvBackwardTorchTests
{
    // Per axis: kernel, stride, padding, dilation, output padding; then groups (every axis of the rank alike).
    public static TheoryData<int, int, int, int, int, int> Cases => new()
    {
        { 3, 1, 1, 1, 0, 1 },
        { 4, 2, 1, 1, 0, 1 },
        { 3, 2, 1, 1, 1, 2 },
        { 2, 3, 0, 2, 2, 1 },
        { 3, 1, 0, 2, 1, 1 },
        { 1, 1, 0, 1, 0, 4 },
        { 3, 2, 2, 2, 1, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvolutionGradientsEqualLibtorchAutograd(int k, int s, int p, int d, int op, int groups)
    {
        foreach (int rank in new[] { 1, 2, 3 })
        {
            foreach (bool transposed in new[] { true, false })
            {
                foreach (bool last in new[] { false, true })
                {
                    Compare<float>(rank, transposed, last, k, s, p, d, op, groups, 4 * groups, 6 * groups, true);
                    Compare<float>(rank, transposed, last, k, s, p, d, op, groups, 5 * groups, 3 * groups, false);
                    Compare<double>(rank, transposed, last, k, s, p, d, op, groups, 3 * groups, 4 * groups, false);
                }
            }
        }
    }

    /// <summary>The D3 decoder layer's shape, the benchmark's: ConvTranspose2D [4, 128, 16, 16] -> 64, kernel 4, stride 2, padding 1.</summary>
    [Fact]
    public void DecoderLayerGradientsEqualLibtorchAutograd()
    {
        Compare<float>(2, true, false, 4, 2, 1, 1, 0, 1, 128, 64, false, batch: 4, size: 16);
        Compare<float>(2, true, true, 4, 2, 1, 1, 0, 1, 128, 64, false, batch: 2, size: 16);
    }

    private static void Compare<T>(int rank, bool transposed, bool last, int k, int s, int p, int d, int op, int groups, int cin, int cout, bool integers, int batch = 2, int size = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using IDisposable scope = TorchOps.Scope();
        int n = batch;
        int[] spatial = size > 0 ? Enumerable.Repeat(size, rank).ToArray() : rank switch { 1 => [13], 2 => [7, 9], _ => [5, 5, 6] };
        int[] kernel = Enumerable.Repeat(k, rank).ToArray();
        int[] weightDims = transposed ? [cin, cout / groups, .. kernel] : [cout, cin / groups, .. kernel];
        long inCount = (long)n * cin * spatial.Aggregate(1, (a, b) => a * b);
        long weightCount = weightDims.Aggregate(1L, (a, b) => a * b);
        (T[] x, T[] w, T[] b) = integers
            ? (ConvData.Integers<T>((int)inCount, 1), ConvData.Integers<T>((int)weightCount, 2), ConvData.Integers<T>(cout, 3))
            : (ConvData.Uniform<T>((int)inCount, 1), ConvData.Uniform<T>((int)weightCount, 2), ConvData.Uniform<T>(cout, 3));

        // Channels-last arrays are [N, *S, C] memory, which libtorch sees through the permutation (a channels_last tensor).
        long[] fromLast = [0, rank + 1, .. Enumerable.Range(1, rank).Select(i => (long)i)];
        long[] toLast = [0, .. Enumerable.Range(2, rank).Select(i => (long)i), 1];
        Tensor Lay(T[] v, int channels, long[] dims) => last
            ? TorchOps.From(v, [n, .. dims, channels]).permute(fromLast)
            : TorchOps.From(v, [n, channels, .. dims]);
        long[] st = Enumerable.Repeat((long)s, rank).ToArray(), pd = Enumerable.Repeat((long)p, rank).ToArray();
        long[] dl = Enumerable.Repeat((long)d, rank).ToArray(), opd = Enumerable.Repeat((long)op, rank).ToArray();
        Tensor Forward(Tensor input, Tensor weight, Tensor bias) => (rank, transposed) switch
        {
            (1, true) => nn.functional.conv_transpose1d(input, weight, bias, s, p, op, d, groups),
            (1, false) => nn.functional.conv1d(input, weight, bias, s, p, d, groups),
            (2, true) => nn.functional.conv_transpose2d(input, weight, bias, st, pd, opd, dl, groups),
            (2, false) => nn.functional.conv2d(input, weight, bias, st, pd, dl, groups),
            (_, true) => nn.functional.conv_transpose3d(input, weight, bias, st, pd, opd, dl, groups),
            _ => nn.functional.conv3d(input, weight, bias, st, pd, dl, groups),
        };

        long[] spatialDims = spatial.Select(e => (long)e).ToArray();
        long[] weightShape = weightDims.Select(e => (long)e).ToArray();
        long[] outDims;
        using (no_grad())
        {
            outDims = Forward(Lay(x, cin, spatialDims), TorchOps.From(w, weightShape), TorchOps.From(b, cout)).shape;
        }

        long[] outSpatial = outDims.Skip(2).ToArray();
        long outCount = outDims.Aggregate(1L, (a, v) => a * v);
        T[] dy = integers ? ConvData.Integers<T>((int)outCount, 4) : ConvData.Uniform<T>((int)outCount, 4);

        // libtorch's autograd: the gradients of <forward(x, w, b), dy> with respect to x, w and b.
        (T[] Dx, T[] Dw, T[] Db) Autograd(T[] xv, T[] wv, T[] bv, T[] dyv)
        {
            Tensor input = Lay(xv, cin, spatialDims).detach().requires_grad_(true);
            Tensor weight = TorchOps.From(wv, weightShape).requires_grad_(true);
            Tensor bias = TorchOps.From(bv, cout).requires_grad_(true);
            Tensor output = Forward(input, weight, bias);
            IList<Tensor> grads = autograd.grad([output], [input, weight, bias], [Lay(dyv, cout, outSpatial)]);
            return (TorchOps.Read<T>(last ? grads[0].permute(toLast) : grads[0]), TorchOps.Read<T>(grads[1]), TorchOps.Read<T>(grads[2]));
        }

        (T[] ex, T[] ew, T[] eb) = Autograd(x, w, b, dy);
        (T[] sx, T[] sw, T[] sb) = integers ? ([], [], []) : Autograd(Abs(x), Abs(w), Abs(b), Abs(dy));
        string what = $"{(transposed ? "conv_transpose" : "conv")}{rank}d {(last ? "channels_last" : "channels-first")} k{k} s{s} p{p} d{d} op{op} g{groups} Cin={cin} Cout={cout} {typeof(T).Name}";
        foreach (int degree in (int[])[1, 2])
        {
            var dx = new T[x.Length];
            var dw = new T[w.Length];
            var db = new T[cout];
            Run(rank, transposed, last, dy, x, n, cin, spatial, w, weightDims, k, s, p, d, op, groups, dx, dw, db, Threads.Options(degree));
            Verify(ex, sx, dx, integers, $"{what} source gradient ({degree} thread(s))");
            Verify(ew, sw, dw, integers, $"{what} weight gradient ({degree} thread(s))");
            Verify(eb, sb, db, integers, $"{what} bias gradient ({degree} thread(s))");
        }
    }

    private static T[] Abs<T>(T[] v)
        where T : IFloatingPointIeee754<T>
        => v.Select(T.Abs).ToArray();

    private static void Verify<T>(T[] expected, T[] scale, T[] ours, bool integers, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var flat = new Shape4D(1, 1, 1, expected.Length);
        if (integers)
        {
            Check.Numeric<T>(expected, ours, flat, $"{what}, integers");
        }
        else
        {
            Check.Close<T>(expected, ours, scale, flat, $"{what}, uniform");
        }
    }

    private static void Run<T>(
        int rank, bool transposed, bool last, T[] dy, T[] x, int n, int cin, int[] spatial, T[] w, int[] wd, int k, int s, int p, int d, int op, int groups,
        T[] dx, T[] dw, T[] db, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (rank)
        {
            case 1:
            {
                var g = new Conv1DGeometry(k, s, p, d, groups, op);
                Shape3D xs = last ? Shape3D.ChannelsLast(n, spatial[0], cin) : new(n, cin, spatial[0]);
                var ws = new Shape3D(wd[0], wd[1], wd[2]);
                if (transposed)
                {
                    Functional.ConvTranspose1DBackward<T>(dy, x, xs, w, ws, g, dx, dw, db, options);
                }
                else
                {
                    Functional.Conv1DBackward<T>(dy, x, xs, w, ws, g, dx, dw, db, options);
                }

                break;
            }

            case 2:
            {
                var g = new Conv2DGeometry(new(k, k), new(s, s), new(p, p), new(d, d), groups, new(op, op));
                Shape4D xs = last ? Shape4D.ChannelsLast(n, spatial[0], spatial[1], cin) : new(n, cin, spatial[0], spatial[1]);
                var ws = new Shape4D(wd[0], wd[1], wd[2], wd[3]);
                if (transposed)
                {
                    Functional.ConvTranspose2DBackward<T>(dy, x, xs, w, ws, g, dx, dw, db, options);
                }
                else
                {
                    Functional.Conv2DBackward<T>(dy, x, xs, w, ws, g, dx, dw, db, options);
                }

                break;
            }

            default:
            {
                var g = new Conv3DGeometry(new(k, k, k), new(s, s, s), new(p, p, p), new(d, d, d), groups, new(op, op, op));
                Shape5D xs = last ? Shape5D.ChannelsLast(n, spatial[0], spatial[1], spatial[2], cin) : new(n, cin, spatial[0], spatial[1], spatial[2]);
                var ws = new Shape5D(wd[0], wd[1], wd[2], wd[3], wd[4]);
                if (transposed)
                {
                    Functional.ConvTranspose3DBackward<T>(dy, x, xs, w, ws, g, dx, dw, db, options);
                }
                else
                {
                    Functional.Conv3DBackward<T>(dy, x, xs, w, ws, g, dx, dw, db, options);
                }

                break;
            }
        }
    }
}
