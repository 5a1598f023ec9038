using System.Numerics;
using Unpooling.Peers;
using static TorchSharp.torch;

namespace Unpooling.Conformance.Infrastructure;

/// <summary>
/// Moves data between .NET arrays and libtorch tensors, and the few tensor manipulations the conformance cases build
/// their peer computations from. libtorch runs on one intra-op thread, so its results are deterministic.
/// </summary>
internal static class TorchOps
{
    private static readonly Lazy<bool> Ready = new(() =>
    {
        // Repairs TorchSharp's native wrapper where the system's libstdc++ is too old (Debian 12), then sets the
        // process-wide thread count; it must run before the first use of torch.
        TorchPeer.Use(threads: 1);
        return true;
    });

    /// <summary>Makes libtorch usable (once per process) and returns a scope that frees every tensor made inside it.</summary>
    public static IDisposable Scope()
    {
        _ = Ready.Value;
        return NewDisposeScope();
    }

    /// <summary>A tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (<see cref="TorchTensors.From{T}"/>).</summary>
    public static Tensor From<T>(T[] data, params long[] shape)
        where T : unmanaged, INumberBase<T>
        => TorchTensors.From(data, shape);

    /// <summary>A tensor of a <see cref="Shape4D"/>.</summary>
    public static Tensor From<T>(T[] data, Shape4D shape)
        where T : unmanaged, INumberBase<T>
        => From(data, Dims(shape));

    /// <summary>The <c>[N, C, H, W]</c> dimensions of <paramref name="shape"/>.</summary>
    public static long[] Dims(Shape4D shape) => [shape.Batch, shape.Channels, shape.Height, shape.Width];

    /// <summary>The element type matching <typeparamref name="T"/>.</summary>
    public static ScalarType Type<T>() => TorchTensors.TypeOf<T>();

    /// <summary>The elements of <paramref name="t"/> in row-major order (<see cref="TorchTensors.Read{T}"/>).</summary>
    public static T[] Read<T>(Tensor t)
        where T : unmanaged, INumberBase<T>
        => TorchTensors.Read<T>(t);

    /// <summary>The shape of a rank-4 tensor.</summary>
    public static Shape4D ShapeOf(Tensor t) => new((int)t.shape[0], (int)t.shape[1], (int)t.shape[2], (int)t.shape[3]);

    /// <summary>
    /// A zero tensor of spatial size <paramref name="height"/> x <paramref name="width"/> holding <paramref name="t"/>
    /// with its (0, 0) at (<paramref name="top"/>, <paramref name="left"/>): negative offsets crop the start, a smaller
    /// size crops the end, a larger one pads with zeros. Padding, cropping and the asymmetric padding of a
    /// convolution are all this one placement.
    /// </summary>
    public static Tensor Place(Tensor t, long top, long left, long height, long width)
    {
        Tensor result = zeros([t.shape[0], t.shape[1], height, width], t.dtype);
        long rows = Math.Min(t.shape[2] + top, height) - Math.Max(top, 0);
        long cols = Math.Min(t.shape[3] + left, width) - Math.Max(left, 0);
        if (rows > 0 && cols > 0)
        {
            Tensor target = result.index(
                TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(Math.Max(top, 0), Math.Max(top, 0) + rows), TensorIndex.Slice(Math.Max(left, 0), Math.Max(left, 0) + cols));
            target.copy_(t.index(
                TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(Math.Max(-top, 0), Math.Max(-top, 0) + rows), TensorIndex.Slice(Math.Max(-left, 0), Math.Max(-left, 0) + cols)));
        }

        return result;
    }

    /// <summary>The strided view <c>t[:, :, top::stepH, left::stepW]</c>.</summary>
    public static Tensor Strided(Tensor t, long top, long left, long stepH, long stepW)
        => t.index(TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(top, null, stepH), TensorIndex.Slice(left, null, stepW));

    /// <summary>The first line of a libtorch error (the rest is a native stack trace).</summary>
    public static string FirstLine(string message) => message.Split('\n', 2)[0];

    /// <summary>A per-axis pair as torch's <c>[height, width]</c> argument.</summary>
    public static long[] Pair(Size2D size) => [size.Height, size.Width];

    /// <summary>
    /// A <c>channels_last</c> tensor of logical <c>[N, C, H, W]</c> shape <paramref name="shape"/> holding a copy of
    /// <paramref name="channelsLast"/> (<c>[N, H, W, C]</c> order): the NHWC tensor permuted, strides <c>[HWC, 1, WC, C]</c>,
    /// exactly what <c>x.contiguous(memory_format=torch.channels_last)</c> gives in Python.
    /// </summary>
    public static Tensor FromChannelsLast<T>(T[] channelsLast, Shape4D shape)
        where T : unmanaged, INumberBase<T>
        => From(channelsLast, shape.Batch, shape.Height, shape.Width, shape.Channels).permute(0, 3, 1, 2);

    /// <summary>The elements of a rank-4 tensor in <c>[N, H, W, C]</c> order (its memory order when it is <c>channels_last</c>).</summary>
    public static T[] ReadChannelsLast<T>(Tensor t)
        where T : unmanaged, INumberBase<T>
        => Read<T>(t.permute(0, 2, 3, 1));

    /// <summary>The <c>[N, C, D, H, W]</c> dimensions of <paramref name="shape"/>.</summary>
    public static long[] Dims(Shape5D shape) => [shape.Batch, shape.Channels, shape.Depth, shape.Height, shape.Width];

    /// <summary>A (D, H, W) size as libtorch's three-element list.</summary>
    public static long[] Triple(Size3D size) => [size.Depth, size.Height, size.Width];
}
