using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// The backward passes of the pooling and block families against libtorch's autograd, bit for bit, at one and two
/// threads: <c>MaxPool1D/2D/3DBackward</c> against the gradient of <c>max_pool1d/2d/3d_with_indices</c> (ATen's
/// <c>max_pool*_with_indices_backward</c>), <c>MaxPool1D/2D/3DDoubleBackward</c> against the gradient of that gradient
/// with respect to the output gradient (<c>create_graph</c>), <c>MaxUnpool1D/2D/3DBackward</c> against the gradient of
/// <c>max_unpool1d/2d/3d</c> (pooled indices and random ones full of duplicates), <c>FixedUnpool2D/3DBackward</c> and
/// <c>RandomUnpool2DBackward</c> against the gradient of <c>max_unpool</c> with the indices of the forward's offsets,
/// <c>RepeatUnpool2D/3DBackward</c> against the gradient of <c>upsample_nearest</c>, and <c>ZeroInsert2D</c> /
/// <c>StridedSubsample2D</c> against the gradients of a strided assignment and a strided slice. Overlapping and
/// non-overlapping windows, padding, dilation and ceil mode are drawn; the 2-D and 3-D poolings run channels-last too
/// (libtorch on <c>channels_last</c> tensors), byte switches (<see cref="IndexConvention.InWindow"/>) beside int64
/// indices.
/// </summary>
/// <remarks>
/// <para>Bit for bit, because every one of these is a gather, a copy, or a sum in PyTorch's own order (row-major pooled
/// order for the max-pool backward, row-major block order from zero for the block sum). The one documented deviation
/// (README, <c>MaxPool2DBackward</c>'s remarks): where windows do not overlap (stride = kernel, no padding, no
/// dilation, channels-first, every window whole), the max-pool backward writes each cell once, so a <c>-0</c> output
/// gradient stays <c>-0</c> where libtorch's <c>0 + -0</c> gives <c>+0</c>. Those cases expect libtorch's result with
/// exactly those cells set to <c>-0</c>; every other case expects libtorch's bits.</para>
/// <para>A duplicate index in the unpooling backward is no deviation: ATen's gradient of <c>max_unpool</c> is the
/// gather <c>max_pool_double_backward</c>, so each duplicate reads the cell's gradient, as ours does.</para>
/// </remarks>
public sealed class BackwardTorchTests(ITestOutputHelper output) : RandomCaseTests<BackwardTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("MaxPool2DBackward vs autograd, float", 120, Pool2D<float>),
        new("MaxPool2DBackward vs autograd, double", 60, Pool2D<double>),
        new("MaxPool1DBackward vs autograd, float", 80, Pool1D<float>),
        new("MaxPool3DBackward vs autograd, float", 60, Pool3D<float>),
        new("MaxPool3DBackward vs autograd, double", 30, Pool3D<double>),
        new("MaxUnpool2DBackward vs autograd, float", 100, Unpool2D<float>),
        new("MaxUnpool2DBackward vs autograd, double", 50, Unpool2D<double>),
        new("MaxUnpool1D/3DBackward vs autograd, float", 60, Unpool1D3D<float>),
        new("Fixed/RandomUnpool2DBackward vs autograd, float", 100, Fixed2D<float>),
        new("Fixed/RandomUnpool2DBackward vs autograd, double", 40, Fixed2D<double>),
        new("RepeatUnpool2DBackward vs autograd, float", 100, Repeat2D<float>),
        new("RepeatUnpool2DBackward vs autograd, double", 40, Repeat2D<double>),
        new("Fixed/RepeatUnpool3DBackward vs autograd, float", 60, Block3D<float>),
        new("ZeroInsert2D/StridedSubsample2D adjoints, float", 80, Strided2D<float>),
    ];

    private static readonly int[] Degrees = [1, 2];

    /// <summary>
    /// The gradient of <paramref name="output"/> with respect to <paramref name="input"/> for the output gradient
    /// <paramref name="gradient"/> (<c>torch.autograd.grad</c>); with <paramref name="createGraph"/> the result can be
    /// differentiated again.
    /// </summary>
    private static Tensor Grad(Tensor output, Tensor input, Tensor gradient, bool createGraph = false)
        => autograd.grad([output], [input], [gradient], retain_graph: true, create_graph: createGraph)[0];

    /// <summary>A leaf tensor of logical <c>[N, C, H, W]</c> that records gradients, channels_last when asked.</summary>
    private static Tensor Leaf<T>(T[] data, Shape4D shape)
        where T : unmanaged, INumberBase<T>
        => (shape.Layout == TensorLayout.ChannelsLast ? TorchOps.FromChannelsLast(data, shape) : TorchOps.From(data, shape)).detach().requires_grad_(true);

    /// <summary>A rank-4 tensor's elements in <paramref name="shape"/>'s memory order.</summary>
    private static T[] Read<T>(Tensor t, Shape4D shape)
        where T : unmanaged, INumberBase<T>
        => shape.Layout == TensorLayout.ChannelsLast ? TorchOps.ReadChannelsLast<T>(t) : TorchOps.Read<T>(t);

    /// <summary><paramref name="shape"/>'s dimensions in memory order, for the mismatch messages.</summary>
    private static Shape4D Memory(Shape4D shape)
        => shape.Layout == TensorLayout.ChannelsLast ? new Shape4D(shape.Batch, shape.Height, shape.Width, shape.Channels) : shape;

    /// <summary>
    /// Whether the max-pool backward takes the write-once path, which keeps a <c>-0</c> gradient (the documented
    /// deviation): windows that tile the input (stride = kernel, no padding, no dilation), channels-first, every window
    /// whole, at most 256 taps; in 1-D, 2-D and 3-D alike.
    /// </summary>
    private static bool WritesOnce(Size3D k, Size3D s, Size3D pb, Size3D pe, Size3D d, Size3D input, Size3D pooled, bool channelsLast)
        => !channelsLast && k == s && pb == default && pe == default && d == new Size3D(1, 1, 1) && (long)k.Depth * k.Height * k.Width <= 256
            && input.Depth >= (long)k.Depth * pooled.Depth && input.Height >= (long)k.Height * pooled.Height && input.Width >= (long)k.Width * pooled.Width;

    /// <summary>
    /// libtorch's max-pool input gradient with the documented deviation applied where <paramref name="writesOnce"/>: the
    /// cell a <c>-0</c> output gradient names holds <c>-0</c>. <paramref name="cell"/> maps a pooled position (memory
    /// order) and its index to the input position (memory order).
    /// </summary>
    private static T[] WithKeptNegativeZeros<T>(T[] peer, T[] gradient, long[] indices, bool writesOnce, Func<long, long, long> cell, CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!writesOnce)
        {
            return peer;
        }

        T[] expected = (T[])peer.Clone();
        int kept = 0;
        for (long p = 0; p < gradient.Length; p++)
        {
            if (T.IsZero(gradient[p]) && T.IsNegative(gradient[p]))
            {
                long at = cell(p, indices[p]);
                Assert.True(T.IsZero(peer[at]) && !T.IsNegative(peer[at]), $"libtorch's sum of a lone -0 at {at} is {peer[at]}, not +0");
                expected[at] = T.NegativeZero;
                kept++;
            }
        }

        if (kept > 0)
        {
            c.Tag("write-once backward keeps -0 (documented deviation)");
        }

        return expected;
    }

    /// <summary>The pooled size, or the case rejected when ours pools nothing (a window of only padding, or no output).</summary>
    private static TSize PooledOrReject<TSize>(Func<TSize> outputSize)
    {
        try
        {
            return outputSize();
        }
        catch (ArgumentException)
        {
            throw CaseContext.Reject("no pooling (a window of only padding, or no output)");
        }
    }

    private static void Pool2D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        PoolCase p = PoolCase.Draw(r, MaxPool2DTorchTests.TorchMaxPadding);
        Pool2DGeometry g = p.Geometry;
        bool channelsLast = r.Chance(0.3);
        Shape4D shape = channelsLast ? Shape4D.ChannelsLast(p.Shape.Batch, p.Shape.Height, p.Shape.Width, p.Shape.Channels) : p.Shape;
        Size2D outSize = PooledOrReject(() => g.GetOutputSize(shape.SpatialSize));

        Shape4D pooled = shape.WithSpatialSize(outSize);
        ValueMode mode = r.Mode();
        T[] x = r.Values<T>(shape.ElementCount, mode);
        T[] gradient = r.Payload<T>(pooled.ElementCount);
        T[] gradientGradient = r.Payload<T>(shape.ElementCount);
        c.Describe($"{p}, {(channelsLast ? "channels-last" : "channels-first")}, values {mode}");
        if (p.Overlapping)
        {
            c.Tag("overlapping windows");
        }

        using IDisposable scope = TorchOps.Scope();
        Tensor input = Leaf(x, shape);
        (Tensor values, Tensor torchIndices) = nn.functional.max_pool2d_with_indices(
            input, TorchOps.Pair(g.KernelSize), TorchOps.Pair(g.Stride), TorchOps.Pair(g.PaddingBegin), TorchOps.Pair(g.Dilation), g.CeilMode);
        Tensor outputGradient = Leaf(gradient, pooled);
        Tensor inputGradient = Grad(values, input, outputGradient, createGraph: true);
        Tensor doubleGradient = Grad(inputGradient, outputGradient, Logical(gradientGradient, shape));
        long[] indices = Read<long>(torchIndices, pooled);
        long plane = shape.PlaneSize, pooledPlane = pooled.PlaneSize;
        bool writesOnce = WritesOnce(Lift(g.KernelSize), Lift(g.Stride), Lift(g.PaddingBegin, 0), Lift(g.PaddingEnd, 0), Lift(g.Dilation), Lift(shape.SpatialSize), Lift(outSize), channelsLast);
        long Cell(long position, long index) => channelsLast
            ? ((position / (pooledPlane * shape.Channels)) * plane * shape.Channels) + (index * shape.Channels) + (position % shape.Channels)
            : ((position / pooledPlane) * plane) + index;
        T[] peer = Read<T>(inputGradient, shape);
        T[] expected = WithKeptNegativeZeros(peer, gradient, indices, writesOnce, Cell, c);
        T[] expectedDouble = Read<T>(doubleGradient, pooled);

        // Byte switches write once wherever the windows tile (a partial last window of ceil mode included): the tap
        // path reads a tap of a window cut by the border as it is, where per-plane indices then take the scatter.
        bool tapsWriteOnce = !channelsLast && g.KernelSize == g.Stride && g.PaddingBegin == default && g.PaddingEnd == default && g.Dilation == new Size2D(1, 1);
        T[] expectedFromTaps = WithKeptNegativeZeros(peer, gradient, indices, tapsWriteOnce, Cell, c);

        // Byte switches of the same maxima (ours; their argmax equals libtorch's index, which the forward suites check).
        byte[]? taps = null;
        if ((long)g.KernelSize.Height * g.KernelSize.Width <= 256)
        {
            taps = new byte[pooled.ElementCount];
            Functional.MaxPool2D<T, byte>(x, shape, g, new T[pooled.ElementCount], taps, IndexConvention.InWindow);
        }

        foreach (int degree in Degrees)
        {
            var ours = new T[shape.ElementCount];
            Functional.MaxPool2DBackward<T, long>(gradient, indices, pooled, g, ours, shape.SpatialSize, options: Threads.Options(degree));
            Check.Exact<T>(expected, ours, Memory(shape), $"input gradient, {degree} thread(s)");
            if (taps is not null)
            {
                Array.Clear(ours);
                Functional.MaxPool2DBackward<T, byte>(gradient, taps, pooled, g, ours, shape.SpatialSize, IndexConvention.InWindow, Threads.Options(degree));
                Check.Exact<T>(expectedFromTaps, ours, Memory(shape), $"input gradient from byte switches, {degree} thread(s)");
            }

            var twice = new T[pooled.ElementCount];
            Functional.MaxPool2DDoubleBackward<T, long>(gradientGradient, indices, pooled, g, twice, shape.SpatialSize, options: Threads.Options(degree));
            Check.Exact<T>(expectedDouble, twice, Memory(pooled), $"double backward, {degree} thread(s)");
        }
    }

    private static void Pool1D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        int k = r.Between(1, 7), s = r.Chance(0.3) ? k : r.Between(1, 4), d = r.Chance(0.4) ? r.Between(1, 3) : 1, pad = r.Between(0, k / 2);
        (int n, int ch) = r.Batch();
        var shape = new Shape3D(n, ch, r.Extent(PoolCase.Effective(k, d) - (2 * pad), large: r.Chance(0.05)));
        var g = new Pool1DGeometry(k, s, pad, d, ceilMode: r.Chance(0.4));
        int outL = PooledOrReject(() => g.GetOutputSize(shape.Length));

        var pooled = new Shape3D(n, ch, outL);
        ValueMode mode = r.Mode();
        T[] x = r.Values<T>(shape.ElementCount, mode);
        T[] gradient = r.Payload<T>(pooled.ElementCount);
        T[] gradientGradient = r.Payload<T>(shape.ElementCount);
        c.Describe($"input {shape}, {g}, values {mode}");
        using IDisposable scope = TorchOps.Scope();
        Tensor input = TorchOps.From(x, n, ch, shape.Length).requires_grad_(true);
        (Tensor values, Tensor torchIndices) = nn.functional.max_pool1d_with_indices(input, k, s, pad, d, g.CeilMode);
        Tensor outputGradient = TorchOps.From(gradient, n, ch, outL).requires_grad_(true);
        Tensor inputGradient = Grad(values, input, outputGradient, createGraph: true);
        T[] expectedDouble = TorchOps.Read<T>(Grad(inputGradient, outputGradient, TorchOps.From(gradientGradient, n, ch, shape.Length)));
        long[] indices = TorchOps.Read<long>(torchIndices);
        bool writesOnce = WritesOnce(new(1, 1, k), new(1, 1, s), new(0, 0, pad), new(0, 0, g.PaddingEnd), new(1, 1, d), new(1, 1, shape.Length), new(1, 1, outL), channelsLast: false);
        T[] expected = WithKeptNegativeZeros(TorchOps.Read<T>(inputGradient), gradient, indices, writesOnce, (position, index) => ((position / outL) * shape.Length) + index, c);
        var flat = new Shape4D(n, ch, 1, shape.Length);
        foreach (int degree in Degrees)
        {
            var ours = new T[shape.ElementCount];
            Functional.MaxPool1DBackward<T, long>(gradient, indices, pooled, g, ours, shape.Length, options: Threads.Options(degree));
            Check.Exact<T>(expected, ours, flat, $"input gradient, {degree} thread(s)");
            var twice = new T[pooled.ElementCount];
            Functional.MaxPool1DDoubleBackward<T, long>(gradientGradient, indices, pooled, g, twice, shape.Length, options: Threads.Options(degree));
            Check.Exact<T>(expectedDouble, twice, new Shape4D(n, ch, 1, outL), $"double backward, {degree} thread(s)");
        }
    }

    private static void Pool3D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        bool tiles = r.Chance(0.3);
        Size3D k = new(1 + r.Next(3), 1 + r.Next(3), 1 + r.Next(3));
        Size3D s = tiles ? k : new(1 + r.Next(3), 1 + r.Next(3), 1 + r.Next(3));
        Size3D p = tiles ? default : new(r.Next((k.Depth / 2) + 1), r.Next((k.Height / 2) + 1), r.Next((k.Width / 2) + 1));
        Size3D d = tiles || r.Chance(0.5) ? new(1, 1, 1) : new(1 + r.Next(2), 1 + r.Next(2), 1 + r.Next(2));
        var g = new Pool3DGeometry(k, s, p, d, ceilMode: r.Chance(0.3));
        bool channelsLast = r.Chance(0.3);
        bool large = r.Chance(0.1);
        (int n, int ch) = large ? (2, r.Between(2, 9)) : r.Batch();
        (int dd, int hh, int ww) = (r.Between(1, 6), r.Between(1, 7), large ? r.Between(40, 80) : r.Between(1, 24));
        Shape5D shape = channelsLast ? Shape5D.ChannelsLast(n, dd, hh, ww, ch) : new Shape5D(n, ch, dd, hh, ww);
        Size3D outSize = PooledOrReject(() => g.GetOutputSize(shape.SpatialSize));

        Shape5D pooled = shape.WithSpatialSize(outSize);
        ValueMode mode = r.Mode();
        T[] x = r.Values<T>(shape.ElementCount, mode);
        T[] gradient = r.Payload<T>(pooled.ElementCount);
        T[] gradientGradient = r.Payload<T>(shape.ElementCount);
        c.Describe($"input {shape}, {g}, {(channelsLast ? "channels-last" : "channels-first")}, values {mode}");
        using IDisposable scope = TorchOps.Scope();
        Tensor input = Leaf3D(x, shape);
        (Tensor values, Tensor torchIndices) = nn.functional.max_pool3d_with_indices(
            input, TorchOps.Triple(k), TorchOps.Triple(s), TorchOps.Triple(p), TorchOps.Triple(d), g.CeilMode);
        Tensor outputGradient = Leaf3D(gradient, pooled);
        Tensor inputGradient = Grad(values, input, outputGradient, createGraph: true);
        T[] expectedDouble = Read3D<T>(Grad(inputGradient, outputGradient, Leaf3D(gradientGradient, shape).detach()), pooled);
        long[] indices = Read3D<long>(torchIndices, pooled);
        long volume = shape.SpatialSize.Volume, pooledVolume = outSize.Volume;
        bool writesOnce = WritesOnce(k, s, p, g.PaddingEnd, d, shape.SpatialSize, outSize, channelsLast);
        T[] expected = WithKeptNegativeZeros(
            Read3D<T>(inputGradient, shape), gradient, indices, writesOnce,
            (position, index) => channelsLast
                ? ((position / (pooledVolume * ch)) * volume * ch) + (index * ch) + (position % ch)
                : ((position / pooledVolume) * volume) + index,
            c);
        var flat = new Shape4D(n, ch, 1, (int)volume);
        foreach (int degree in Degrees)
        {
            var ours = new T[shape.ElementCount];
            Functional.MaxPool3DBackward<T, long>(gradient, indices, pooled, g, ours, shape.SpatialSize, options: Threads.Options(degree));
            Check.Exact<T>(expected, ours, flat, $"input gradient, {degree} thread(s)");
            var twice = new T[pooled.ElementCount];
            Functional.MaxPool3DDoubleBackward<T, long>(gradientGradient, indices, pooled, g, twice, shape.SpatialSize, options: Threads.Options(degree));
            Check.Exact<T>(expectedDouble, twice, new Shape4D(n, ch, 1, (int)pooledVolume), $"double backward, {degree} thread(s)");
        }
    }

    /// <summary>A leaf rank-5 tensor that records gradients, channels_last_3d when <paramref name="shape"/> is channels-last.</summary>
    private static Tensor Leaf3D<T>(T[] data, Shape5D shape)
        where T : unmanaged, INumberBase<T>
        => (shape.Layout == TensorLayout.ChannelsLast
            ? TorchOps.From(data, shape.Batch, shape.Depth, shape.Height, shape.Width, shape.Channels).permute(0, 4, 1, 2, 3)
            : TorchOps.From(data, TorchOps.Dims(shape))).detach().requires_grad_(true);

    private static T[] Read3D<T>(Tensor t, Shape5D shape)
        where T : unmanaged, INumberBase<T>
        => shape.Layout == TensorLayout.ChannelsLast ? TorchOps.Read<T>(t.permute(0, 2, 3, 4, 1)) : TorchOps.Read<T>(t);

    private static long[] Dims(Shape4D shape) => TorchOps.Dims(shape);

    private static Size3D Lift(Size2D size, int depth = 1) => new(depth, size.Height, size.Width);

    private static void Unpool2D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        PoolCase p = PoolCase.Draw(r, MaxPool2DTorchTests.TorchMaxPadding);
        if (p.Geometry.Dilation != new Size2D(1, 1))
        {
            p = p with { Geometry = new Pool2DGeometry(p.Geometry.KernelSize, p.Geometry.Stride, p.Geometry.PaddingBegin, ceilMode: p.Geometry.CeilMode) };
        }

        Pool2DGeometry g = p.Geometry;
        T[] x = r.Values<T>(p.Shape.ElementCount, ValueMode.Ties);
        (T[] values, long[] indices, Shape4D pooledShape, Size2D defaultSize) = p.PoolForUnpooling(x);

        // PyTorch users unpool to the pooled input's size; it is taken when the size rule allows it, else the default.
        bool inputSize = p.Shape.Height > defaultSize.Height - g.Stride.Height && p.Shape.Height < defaultSize.Height + g.Stride.Height
            && p.Shape.Width > defaultSize.Width - g.Stride.Width && p.Shape.Width < defaultSize.Width + g.Stride.Width;
        Size2D size = inputSize ? p.Shape.SpatialSize : defaultSize;
        long plane = (long)size.Height * size.Width;
        bool random = r.Chance(0.3);
        if (random)
        {
            // Random indices in the plane: many duplicates, each of which reads the cell's gradient (ATen's gather).
            for (int i = 0; i < indices.Length; i++)
            {
                indices[i] = r.NextInt64(plane);
            }

            c.Tag("random indices with duplicates");
        }
        else if (indices.Any(i => i >= plane))
        {
            throw CaseContext.Reject("indices past the default size");
        }

        bool channelsLast = r.Chance(0.3);
        Shape4D source = channelsLast ? Shape4D.ChannelsLast(pooledShape.Batch, pooledShape.Height, pooledShape.Width, pooledShape.Channels) : pooledShape;
        Shape4D outShape = source.WithSpatialSize(size);
        T[] gradient = r.Payload<T>(outShape.ElementCount);
        long[] ourIndices = channelsLast ? ToChannelsLast(indices, pooledShape) : indices;
        c.Describe($"{p}, unpooled to {size}, {(channelsLast ? "channels-last" : "channels-first")}{(random ? ", random indices" : string.Empty)}");
        using IDisposable scope = TorchOps.Scope();
        Tensor v = TorchOps.From(values, pooledShape).requires_grad_(true);
        Tensor y = nn.functional.max_unpool2d(v, TorchOps.From(indices, pooledShape), TorchOps.Pair(g.KernelSize), TorchOps.Pair(g.Stride), TorchOps.Pair(g.PaddingBegin), Dims(pooledShape.WithSpatialSize(size)));
        Tensor outputGradient = channelsLast ? TorchOps.FromChannelsLast(gradient, outShape) : TorchOps.From(gradient, outShape);
        T[] expected = Read<T>(Grad(y, v, outputGradient), source);
        foreach (int degree in Degrees)
        {
            var ours = new T[source.ElementCount];
            Functional.MaxUnpool2DBackward<T, long>(gradient, ourIndices, source, g, ours, size, options: Threads.Options(degree));
            Check.Exact<T>(expected, ours, Memory(source), $"source gradient, {degree} thread(s)");
        }
    }

    /// <summary>Per-plane indices of a channels-first <paramref name="shape"/> rearranged into <c>[N, H, W, C]</c> order.</summary>
    private static TValue[] ToChannelsLast<TValue>(TValue[] data, Shape4D shape)
    {
        var result = new TValue[data.Length];
        long plane = shape.PlaneSize;
        for (long i = 0; i < data.Length; i++)
        {
            long n = i / (plane * shape.Channels), ch = i / plane % shape.Channels, at = i % plane;
            result[(((n * plane) + at) * shape.Channels) + ch] = data[i];
        }

        return result;
    }

    private static void Unpool1D3D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        (int n, int ch) = r.Batch();
        bool random = r.Chance(0.3);
        using IDisposable scope = TorchOps.Scope();
        if (r.Chance(0.5))
        {
            int k = r.Between(1, 5), s = r.Chance(0.4) ? k : r.Between(1, 4), pad = r.Between(0, k / 2);
            var g = new Pool1DGeometry(k, s, pad);
            int length = r.Extent(Math.Max(1, k - (2 * pad)));
            int outL;
            try
            {
                outL = g.GetOutputSize(length);
            }
            catch (ArgumentException)
            {
                throw CaseContext.Reject("no pooling");
            }

            int size = ((outL - 1) * s) - (2 * pad) + k;
            if (size < 1)
            {
                throw CaseContext.Reject("an empty default unpooling");
            }

            T[] values = r.Payload<T>((long)n * ch * outL);
            long[] indices = Indices(r, values.Length, outL, size, k, s, pad, random);
            T[] gradient = r.Payload<T>((long)n * ch * size);
            c.Describe($"1-D [{n}, {ch}, {outL}] -> {size}, {g}{(random ? ", random indices" : string.Empty)}");
            Tensor v = TorchOps.From(values, n, ch, outL).requires_grad_(true);
            Tensor y = nn.functional.max_unpool1d(v, TorchOps.From(indices, n, ch, outL), k, s, pad, [n, ch, size]);
            T[] expected = TorchOps.Read<T>(Grad(y, v, TorchOps.From(gradient, n, ch, size)));
            foreach (int degree in Degrees)
            {
                var ours = new T[values.Length];
                Functional.MaxUnpool1DBackward<T, long>(gradient, indices, new Shape3D(n, ch, outL), g, ours, size, options: Threads.Options(degree));
                Check.Exact<T>(expected, ours, new Shape4D(n, ch, 1, outL), $"1-D source gradient, {degree} thread(s)");
            }

            return;
        }

        Size3D k3 = new(r.Between(1, 3), r.Between(1, 3), r.Between(1, 3));
        Size3D s3 = r.Chance(0.4) ? k3 : new(r.Between(1, 3), r.Between(1, 3), r.Between(1, 3));
        var g3 = new Pool3DGeometry(k3, s3);
        Size3D pooled = new(r.Between(1, 4), r.Between(1, 5), r.Between(1, 12));
        Size3D full = new(((pooled.Depth - 1) * s3.Depth) + k3.Depth, ((pooled.Height - 1) * s3.Height) + k3.Height, ((pooled.Width - 1) * s3.Width) + k3.Width);
        bool channelsLast = r.Chance(0.3);
        var source = channelsLast ? Shape5D.ChannelsLast(n, pooled.Depth, pooled.Height, pooled.Width, ch) : new Shape5D(n, ch, pooled.Depth, pooled.Height, pooled.Width);
        Shape5D outShape = source.WithSpatialSize(full);
        T[] values3 = r.Payload<T>(source.ElementCount);
        var indices3 = new long[source.ElementCount];
        for (int i = 0; i < indices3.Length; i++)
        {
            // Channels-first order: the window of pooled cell (od, oh, ow) starts at (od*s, oh*s, ow*s).
            long at = i % pooled.Volume;
            long od = at / (pooled.Height * pooled.Width), oh = at / pooled.Width % pooled.Height, ow = at % pooled.Width;
            indices3[i] = random ? r.NextInt64(full.Volume)
                : (((((od * s3.Depth) + r.Next(k3.Depth)) * full.Height) + (oh * s3.Height) + r.Next(k3.Height)) * full.Width) + (ow * s3.Width) + r.Next(k3.Width);
        }

        T[] gradient3 = r.Payload<T>(outShape.ElementCount);
        c.Describe($"3-D {source} -> {full}, {g3}, {(channelsLast ? "channels-last" : "channels-first")}{(random ? ", random indices" : string.Empty)}");
        var first = new Shape5D(n, ch, pooled.Depth, pooled.Height, pooled.Width);
        Tensor v3 = TorchOps.From(values3, TorchOps.Dims(first)).requires_grad_(true);
        Tensor y3 = nn.functional.max_unpool3d(v3, TorchOps.From(indices3, TorchOps.Dims(first)), TorchOps.Triple(k3), TorchOps.Triple(s3), [0, 0, 0], TorchOps.Dims(first.WithSpatialSize(full)));
        T[] expected3 = Read3D<T>(Grad(y3, v3, Leaf3D(gradient3, outShape).detach()), source);
        long[] ourIndices = indices3;
        if (channelsLast)
        {
            ourIndices = ToChannelsLast(indices3, new Shape4D(n, ch, 1, (int)pooled.Volume));
        }

        // The values are drawn in channels-first order; only the gradients and indices go in, so the values do not matter.
        foreach (int degree in Degrees)
        {
            var ours = new T[source.ElementCount];
            Functional.MaxUnpool3DBackward<T, long>(gradient3, ourIndices, source, g3, ours, full, options: Threads.Options(degree));
            Check.Exact<T>(expected3, ours, new Shape4D(1, 1, 1, ours.Length), $"3-D source gradient, {degree} thread(s)");
        }
    }

    /// <summary>1-D indices for pooled length <paramref name="outL"/>: each in its window (clamped to the size), or random in it.</summary>
    private static long[] Indices(Random r, long count, int outL, int size, int k, int s, int pad, bool random)
    {
        var indices = new long[count];
        for (long i = 0; i < count; i++)
        {
            long start = ((i % outL) * s) - pad;
            indices[i] = random ? r.Next(size) : Math.Clamp(start + r.Next(k), 0, size - 1);
        }

        return indices;
    }

    /// <summary>A drawn 2-D block case: input shape (either layout), factor, offset, explicit size or none.</summary>
    private static (Shape4D Shape, Size2D Factor, Size2D Offset, Size2D? Size, Size2D OutSize) DrawBlock(Random r, bool withOffset)
    {
        bool large = r.Chance(0.1);
        Size2D factor = r.Chance(0.3) ? 2 : r.Pair(1, 6);
        (int n, int ch) = r.Batch();
        int h = r.Extent(1, large), w = r.Extent(1, large);
        Shape4D shape = r.Chance(0.3) ? Shape4D.ChannelsLast(n, h, w, ch) : new Shape4D(n, ch, h, w);
        Size2D offset = withOffset ? new Size2D(r.Next(factor.Height), r.Next(factor.Width)) : default;
        var full = new Size2D(h * factor.Height, w * factor.Width);
        Size2D? size = r.Chance(0.3)
            ? new Size2D(full.Height + r.Between(-(factor.Height - 1), factor.Height - 1), full.Width + r.Between(-(factor.Width - 1), factor.Width - 1))
            : null;
        return (shape, factor, offset, size, size ?? full);
    }

    /// <summary>Compares ours (writing <paramref name="shape"/>'s memory order) with libtorch's channels-first gradient.</summary>
    private static void CompareBlock<T>(T[] peerChannelsFirst, Shape4D shape, Action<T[], int> ours, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] expected = shape.Layout == TensorLayout.ChannelsLast ? ToChannelsLast(peerChannelsFirst, new Shape4D(shape.Batch, shape.Channels, shape.Height, shape.Width)) : peerChannelsFirst;
        foreach (int degree in Degrees)
        {
            var result = new T[shape.ElementCount];
            ours(result, degree);
            Check.Exact<T>(expected, result, Memory(shape), $"{what}, {degree} thread(s)");
        }
    }

    /// <summary><paramref name="data"/> in <paramref name="shape"/>'s memory order as a channels-first tensor.</summary>
    private static Tensor Logical<T>(T[] data, Shape4D shape)
        where T : unmanaged, INumberBase<T>
        => shape.Layout == TensorLayout.ChannelsLast ? TorchOps.FromChannelsLast(data, shape).contiguous() : TorchOps.From(data, shape);

    private static void Fixed2D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        bool seeded = r.Chance(0.4);
        (Shape4D shape, Size2D k, Size2D offset, Size2D? size, Size2D outSize) = DrawBlock(r, withOffset: !seeded);
        ulong seed = (ulong)r.NextInt64();
        Shape4D outShape = shape.WithSpatialSize(outSize);
        T[] gradient = r.Payload<T>(outShape.ElementCount);
        c.Describe($"{(seeded ? $"random, seed {seed}" : $"fixed, offset {offset}")}, input {shape}, factor {k}, to {outSize}");
        var first = new Shape4D(shape.Batch, shape.Channels, shape.Height, shape.Width);

        // Each input cell's target in the default-size plane: the fixed offset, or the seeded one our forward places it
        // at (read back from a forward of distinct values: the block conformance suite checks those offsets against the
        // published formula).
        var full = new Size2D(shape.Height * k.Height, shape.Width * k.Width);
        var indices = new long[first.ElementCount];
        if (seeded)
        {
            var ids = new double[first.ElementCount];
            for (int i = 0; i < ids.Length; i++)
            {
                ids[i] = i + 1;
            }

            var placed = new double[first.PlaneCount * full.Height * full.Width];
            Functional.RandomUnpool2D<double>(ids, first, k, seed, placed);
            for (long q = 0; q < placed.Length; q++)
            {
                if (placed[q] != 0)
                {
                    indices[(long)placed[q] - 1] = q % ((long)full.Height * full.Width);
                }
            }
        }
        else
        {
            for (long i = 0; i < indices.Length; i++)
            {
                long ih = i / shape.Width % shape.Height, iw = i % shape.Width;
                indices[i] = (((ih * k.Height) + offset.Height) * full.Width) + (iw * k.Width) + offset.Width;
            }
        }

        using IDisposable scope = TorchOps.Scope();
        Tensor x = zeros(Dims(first), TorchOps.Type<T>()).requires_grad_(true);
        Tensor y = TorchOps.Place(
            nn.functional.max_unpool2d(x, TorchOps.From(indices, first), TorchOps.Pair(k), TorchOps.Pair(k), [0, 0], Dims(first.WithSpatialSize(full))),
            0, 0, outSize.Height, outSize.Width);
        T[] expected = TorchOps.Read<T>(Grad(y, x, Logical(gradient, outShape)));
        CompareBlock<T>(expected, shape, (d, degree) =>
        {
            if (seeded)
            {
                Functional.RandomUnpool2DBackward<T>(gradient, shape, k, seed, d, size, Threads.Options(degree));
            }
            else
            {
                Functional.FixedUnpool2DBackward<T>(gradient, shape, k, d, offset, size, Threads.Options(degree));
            }
        }, seeded ? "RandomUnpool2DBackward" : "FixedUnpool2DBackward");
    }

    private static void Repeat2D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        (Shape4D shape, Size2D k, _, Size2D? size, Size2D outSize) = DrawBlock(r, withOffset: false);
        Shape4D outShape = shape.WithSpatialSize(outSize);
        T[] gradient = r.Chance(0.2) ? r.Values<T>(outShape.ElementCount, ValueMode.Constant) : r.Payload<T>(outShape.ElementCount);
        c.Describe($"input {shape}, factor {k}, to {outSize}");
        var first = new Shape4D(shape.Batch, shape.Channels, shape.Height, shape.Width);
        using IDisposable scope = TorchOps.Scope();
        Tensor x = zeros(Dims(first), TorchOps.Type<T>()).requires_grad_(true);
        Tensor y = TorchOps.Place(
            nn.functional.upsample_nearest2d(x, [(long)shape.Height * k.Height, (long)shape.Width * k.Width]), 0, 0, outSize.Height, outSize.Width);
        T[] expected = TorchOps.Read<T>(Grad(y, x, Logical(gradient, outShape)));
        CompareBlock<T>(expected, shape, (d, degree) => Functional.RepeatUnpool2DBackward<T>(gradient, shape, k, d, size, Threads.Options(degree)), "RepeatUnpool2DBackward");
    }

    private static void Block3D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        bool repeat = r.Chance(0.5);
        Size3D k = new(r.Between(1, 3), r.Between(1, 3), r.Between(1, 4));
        Size3D a = repeat ? default : new(r.Next(k.Depth), r.Next(k.Height), r.Next(k.Width));
        (int n, int ch) = r.Batch();
        var shape = new Shape5D(n, ch, r.Between(1, 4), r.Between(1, 5), r.Between(1, 20));
        var full = new Size3D(shape.Depth * k.Depth, shape.Height * k.Height, shape.Width * k.Width);
        Shape5D outShape = shape.WithSpatialSize(full);
        T[] gradient = r.Payload<T>(outShape.ElementCount);
        c.Describe($"{(repeat ? "repeat" : $"fixed, offset {a}")}, input {shape}, factor {k}");
        using IDisposable scope = TorchOps.Scope();
        Tensor x = zeros(TorchOps.Dims(shape), TorchOps.Type<T>()).requires_grad_(true);
        Tensor y;
        if (repeat)
        {
            y = nn.functional.upsample_nearest3d(x, TorchOps.Triple(full));
        }
        else
        {
            var indices = new long[shape.ElementCount];
            for (long i = 0; i < indices.Length; i++)
            {
                long at = i % shape.SpatialSize.Volume;
                long id = at / (shape.Height * shape.Width), ih = at / shape.Width % shape.Height, iw = at % shape.Width;
                indices[i] = (((((id * k.Depth) + a.Depth) * full.Height) + (ih * k.Height) + a.Height) * full.Width) + (iw * k.Width) + a.Width;
            }

            y = nn.functional.max_unpool3d(x, TorchOps.From(indices, TorchOps.Dims(shape)), TorchOps.Triple(k), TorchOps.Triple(k), [0, 0, 0], TorchOps.Dims(outShape));
        }

        T[] expected = TorchOps.Read<T>(Grad(y, x, TorchOps.From(gradient, TorchOps.Dims(outShape))));
        foreach (int degree in Degrees)
        {
            var ours = new T[shape.ElementCount];
            if (repeat)
            {
                Functional.RepeatUnpool3DBackward<T>(gradient, shape, k, ours, options: Threads.Options(degree));
            }
            else
            {
                Functional.FixedUnpool3DBackward<T>(gradient, shape, k, ours, a, options: Threads.Options(degree));
            }

            Check.Exact<T>(expected, ours, new Shape4D(n, ch, 1, (int)shape.SpatialSize.Volume), $"source gradient, {degree} thread(s)");
        }
    }

    private static void Strided2D<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        bool large = r.Chance(0.1);
        Size2D stride = r.Pair(1, 5);
        (int n, int ch) = r.Batch();
        var shape = new Shape4D(n, ch, r.Extent(1, large), r.Extent(1, large));
        Shape4D inserted = shape.WithSpatialSize(new Size2D(((shape.Height - 1) * stride.Height) + 1, ((shape.Width - 1) * stride.Width) + 1));
        T[] outputGradient = r.Payload<T>(inserted.ElementCount);
        T[] subsampledGradient = r.Payload<T>(shape.ElementCount);
        c.Describe($"input {shape}, stride {stride}");
        using IDisposable scope = TorchOps.Scope();

        // ZeroInsert's gradient: z = zeros; z[::s, ::s] = x.
        Tensor x = zeros(Dims(shape), TorchOps.Type<T>()).requires_grad_(true);
        Tensor z = zeros(Dims(inserted), TorchOps.Type<T>());
        TorchOps.Strided(z, 0, 0, stride.Height, stride.Width).copy_(x);
        T[] expectedInsert = TorchOps.Read<T>(Grad(z, x, TorchOps.From(outputGradient, inserted)));

        // StridedSubsample's gradient: x = z[::s, ::s] of a z of the inserted size.
        Tensor big = zeros(Dims(inserted), TorchOps.Type<T>()).requires_grad_(true);
        Tensor sub = TorchOps.Strided(big, 0, 0, stride.Height, stride.Width);
        T[] expectedSubsample = TorchOps.Read<T>(Grad(sub, big, TorchOps.From(subsampledGradient, shape)));
        foreach (int degree in Degrees)
        {
            var ours = new T[shape.ElementCount];
            Functional.StridedSubsample2D<T>(outputGradient, inserted, stride, ours, Threads.Options(degree));
            Check.Exact<T>(expectedInsert, ours, shape, $"ZeroInsert2D's gradient (StridedSubsample2D), {degree} thread(s)");
            var back = new T[inserted.ElementCount];
            Functional.ZeroInsert2D<T>(subsampledGradient, shape, stride, back, Threads.Options(degree));
            Check.Exact<T>(expectedSubsample, back, inserted, $"StridedSubsample2D's gradient (ZeroInsert2D), {degree} thread(s)");
        }
    }
}
