using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Conformance.Infrastructure;
using Unpooling.Tests.Conv;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Unpooling.Conformance;

/// <summary>
/// The channels-last convolutions of every rank against libtorch's <c>conv1d/2d/3d</c> and
/// <c>conv_transpose1d/2d/3d</c> on <c>channels_last</c> (<c>channels_last_3d</c>; <c>[N, L, C]</c> permuted in 1-D)
/// inputs: the span form on <see cref="Shape4D.ChannelsLast"/>-style shapes and the TensorSpan form on the very strides
/// libtorch reports for its input and output, at one and two threads. Integer-valued data must agree as numbers (every
/// sum is exact); real-valued data within <see cref="Check.Close"/>'s tolerance scaled by the terms' magnitudes.
/// </summary>
public sealed class ConvChannelsLastTorchTests
{
    // Per axis: kernel, stride, padding, dilation, output padding; then groups (applied to every axis of the rank).
    public static TheoryData<int, int, int, int, int, int> Cases => new()
    {
        { 3, 1, 1, 1, 0, 1 },
        { 4, 2, 1, 1, 0, 1 },
        { 3, 2, 1, 1, 1, 2 },
        { 2, 3, 0, 2, 2, 1 },
        { 1, 1, 0, 1, 0, 4 },
        { 3, 2, 2, 2, 1, 3 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChannelsLastConvolutionsEqualLibtorch(int k, int s, int p, int d, int op, int groups)
    {
        foreach (int rank in new[] { 1, 2, 3 })
        {
            foreach (bool transposed in new[] { true, false })
            {
                // Channels per group at and around vector widths (8 and 16 floats).
                Compare<float>(rank, transposed, k, s, p, d, op, groups, 5 * groups, 16 * groups, true);
                Compare<float>(rank, transposed, k, s, p, d, op, groups, 17 * groups, 9 * groups, false);
                Compare<double>(rank, transposed, k, s, p, d, op, groups, 3 * groups, 8 * groups, false);
            }
        }
    }

    private static void Compare<T>(int rank, bool transposed, int k, int s, int p, int d, int op, int groups, int cin, int cout, bool integers)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using IDisposable scope = TorchOps.Scope();
        int n = 2;
        int[] spatial = rank switch { 1 => [23], 2 => [9, 11], _ => [5, 6, 7] };
        int[] kernel = Enumerable.Repeat(k, rank).ToArray();
        int[] weightDims = transposed ? [cin, cout / groups, .. kernel] : [cout, cin / groups, .. kernel];
        long inCount = (long)n * cin * spatial.Aggregate(1, (a, b) => a * b);
        long weightCount = weightDims.Aggregate(1L, (a, b) => a * b);
        (T[] x, T[] w, T[] b) = integers
            ? (ConvData.Integers<T>((int)inCount, 1), ConvData.Integers<T>((int)weightCount, 2), ConvData.Integers<T>(cout, 3))
            : (ConvData.Uniform<T>((int)inCount, 1), ConvData.Uniform<T>((int)weightCount, 2), ConvData.Uniform<T>(cout, 3));

        // x is [N, *S, C] memory; libtorch sees it through the permutation, i.e. a channels_last tensor.
        long[] fromLast = [0, rank + 1, .. Enumerable.Range(1, rank).Select(i => (long)i)];
        long[] toLast = [0, .. Enumerable.Range(2, rank).Select(i => (long)i), 1];
        Tensor Input(T[] v) => TorchOps.From(v, [n, .. spatial.Select(e => (long)e), cin]).permute(fromLast);
        long[] st = Enumerable.Repeat((long)s, rank).ToArray(), pd = Enumerable.Repeat((long)p, rank).ToArray();
        long[] dl = Enumerable.Repeat((long)d, rank).ToArray(), opd = Enumerable.Repeat((long)op, rank).ToArray();
        Tensor Peer(T[] xv, T[] wv, T[] bv)
        {
            Tensor input = Input(xv), weight = TorchOps.From(wv, weightDims.Select(e => (long)e).ToArray()), bias = TorchOps.From(bv, cout);
            return (rank, transposed) switch
            {
                (1, true) => nn.functional.conv_transpose1d(input, weight, bias, s, p, op, d, groups),
                (1, false) => nn.functional.conv1d(input, weight, bias, s, p, d, groups),
                (2, true) => nn.functional.conv_transpose2d(input, weight, bias, st, pd, opd, dl, groups),
                (2, false) => nn.functional.conv2d(input, weight, bias, st, pd, dl, groups),
                (_, true) => nn.functional.conv_transpose3d(input, weight, bias, st, pd, opd, dl, groups),
                _ => nn.functional.conv3d(input, weight, bias, st, pd, dl, groups),
            };
        }

        Tensor peer = Peer(x, w, b);
        long[] outDims = peer.shape;
        T[] expected = TorchOps.Read<T>(peer.permute(toLast));
        T[] scale = integers ? [] : TorchOps.Read<T>(Peer(Abs(x), Abs(w), Abs(b)).permute(toLast));
        string what = $"{(transposed ? "conv_transpose" : "conv")}{rank}d k{k} s{s} p{p} d{d} op{op} g{groups} Cin={cin} Cout={cout} {typeof(T).Name}";
        foreach (int degree in (int[])[1, 2])
        {
            var ours = new T[expected.Length];
            RunSpan(rank, transposed, x, n, cin, spatial, w, weightDims, b, k, s, p, d, op, groups, ours, Threads.Options(degree));
            Verify(expected, scale, ours, integers, $"{what} span form ({degree} thread(s))");
        }

        // The TensorSpan form on libtorch's own strides (its input's, and its output's when it kept channels_last).
        nint[] inLengths = [n, cin, .. spatial.Select(e => (nint)e)];
        nint[] inStrides = Strides(Input(x), inLengths);
        nint[] outLengths = outDims.Select(e => (nint)e).ToArray();
        nint[] outStrides = Strides(peer, outLengths);
        var into = new T[expected.Length];
        var source = new ReadOnlyTensorSpan<T>(x, inLengths, inStrides);
        var weightView = System.Numerics.Tensors.Tensor.Create(w, weightDims.Select(e => (nint)e).ToArray()).AsReadOnlyTensorSpan();
        var destination = new TensorSpan<T>(into, outLengths, outStrides);
        RunTensor(rank, transposed, source, weightView, b, k, s, p, d, op, groups, destination);
        var memoryOrder = new T[expected.Length];
        destination.CopyTo(new TensorSpan<T>(memoryOrder, outLengths, ChannelsLastStrides(outLengths)));
        Verify(expected, scale, memoryOrder, integers, $"{what} TensorSpan form on libtorch's strides");
    }

    /// <summary>libtorch's strides of <paramref name="t"/>, 0 on dimensions of length 1 (never stepped; System.Numerics.Tensors
    /// refuses some of libtorch's values there).</summary>
    private static nint[] Strides(Tensor t, nint[] lengths)
        => t.stride().Select((e, i) => lengths[i] == 1 ? 0 : (nint)e).ToArray();

    /// <summary>Dense <c>[N, *S, C]</c> strides of logical <c>[N, C, *S]</c> lengths (0 on dimensions of length 1).</summary>
    private static nint[] ChannelsLastStrides(nint[] lengths)
    {
        var strides = new nint[lengths.Length];
        nint step = lengths[1];
        strides[1] = lengths[1] == 1 ? 0 : 1;
        for (int i = lengths.Length - 1; i >= 2; i--)
        {
            strides[i] = lengths[i] == 1 ? 0 : step;
            step *= lengths[i];
        }

        strides[0] = lengths[0] == 1 ? 0 : step;
        return strides;
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

    private static void RunSpan<T>(int rank, bool transposed, T[] x, int n, int cin, int[] spatial, T[] w, int[] wd, T[] b, int k, int s, int p, int d, int op, int groups, T[] y, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (rank)
        {
            case 1:
            {
                var g = new Conv1DGeometry(k, s, p, d, groups, op);
                var xs = Shape3D.ChannelsLast(n, spatial[0], cin);
                var ws = new Shape3D(wd[0], wd[1], wd[2]);
                if (transposed)
                {
                    Functional.ConvTranspose1D<T>(x, xs, w, ws, b, g, y, options);
                }
                else
                {
                    Functional.Conv1D<T>(x, xs, w, ws, b, g, y, options);
                }

                break;
            }

            case 2:
            {
                var g = new Conv2DGeometry(k, s, p, d, groups, op);
                var xs = Shape4D.ChannelsLast(n, spatial[0], spatial[1], cin);
                var ws = new Shape4D(wd[0], wd[1], wd[2], wd[3]);
                if (transposed)
                {
                    Functional.ConvTranspose2D<T>(x, xs, w, ws, b, g, y, options);
                }
                else
                {
                    Functional.Conv2D<T>(x, xs, w, ws, b, g, y, options);
                }

                break;
            }

            default:
            {
                var g = new Conv3DGeometry(k, s, p, d, groups, op);
                var xs = Shape5D.ChannelsLast(n, spatial[0], spatial[1], spatial[2], cin);
                var ws = new Shape5D(wd[0], wd[1], wd[2], wd[3], wd[4]);
                if (transposed)
                {
                    Functional.ConvTranspose3D<T>(x, xs, w, ws, b, g, y, options);
                }
                else
                {
                    Functional.Conv3D<T>(x, xs, w, ws, b, g, y, options);
                }

                break;
            }
        }
    }

    private static void RunTensor<T>(int rank, bool transposed, in ReadOnlyTensorSpan<T> x, in ReadOnlyTensorSpan<T> w, T[] b, int k, int s, int p, int d, int op, int groups, in TensorSpan<T> y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch ((rank, transposed))
        {
            case (1, true):
                Functional.ConvTranspose1D(x, w, b, new Conv1DGeometry(k, s, p, d, groups, op), y);
                break;
            case (1, false):
                Functional.Conv1D(x, w, b, new Conv1DGeometry(k, s, p, d, groups, op), y);
                break;
            case (2, true):
                Functional.ConvTranspose2D(x, w, b, new Conv2DGeometry(k, s, p, d, groups, op), y);
                break;
            case (2, false):
                Functional.Conv2D(x, w, b, new Conv2DGeometry(k, s, p, d, groups, op), y);
                break;
            case (_, true):
                Functional.ConvTranspose3D(x, w, b, new Conv3DGeometry(k, s, p, d, groups, op), y);
                break;
            default:
                Functional.Conv3D(x, w, b, new Conv3DGeometry(k, s, p, d, groups, op), y);
                break;
        }
    }
}
