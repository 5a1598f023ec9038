using ReadOnlyTensorSpanF = System.Numerics.Tensors.ReadOnlyTensorSpan<float>;
using TensorSpanF = System.Numerics.Tensors.TensorSpan<float>;
using TensorSpanL = System.Numerics.Tensors.TensorSpan<long>;
using Unpooling.Conformance.Infrastructure;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// Channels-last max pooling and argmax unpooling against libtorch on <c>channels_last</c> tensors
/// (<c>max_pool2d_with_indices</c>, <c>max_unpool2d</c>): values bit for bit and int64 per-plane indices equal, in
/// memory order, for the span form on <see cref="Shape4D.ChannelsLast"/> shapes and for the TensorSpan form on the
/// very strides libtorch reports; fills full of ties, NaNs, infinities and signed zeros; one and two threads.
/// </summary>
public sealed class ChannelsLastTorchTests
{
    private static readonly Pool2DGeometry[] Geometries =
    [
        new(2),
        new(3, stride: 2, padding: 1),
        new(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1), ceilMode: true),
        new(new Size2D(3, 2), new Size2D(1, 2), new Size2D(1, 0), new Size2D(2, 1)),
    ];

    private static float[] Values(long count, int seed)
    {
        var random = new Random(seed);
        var data = new float[count];
        for (long i = 0; i < count; i++)
        {
            int roll = random.Next(100);
            data[i] = roll == 0 ? float.NaN : roll == 1 ? float.PositiveInfinity : roll == 2 ? float.NegativeInfinity : roll < 8 ? -0f : random.Next(-3, 4);
        }

        return data;
    }

    [Fact]
    public void PoolingAndUnpoolingEqualLibtorchOnChannelsLastTensors()
    {
        using IDisposable scope = TorchOps.Scope();
        int cases = 0;
        foreach (int channels in new[] { 3, 16, 19, 64 })
        {
            var shape = Shape4D.ChannelsLast(2, 9, 10, channels);
            foreach (Pool2DGeometry g in Geometries)
            {
                float[] x = Values(shape.ElementCount, channels + cases);
                Tensor input = TorchOps.FromChannelsLast(x, shape);
                (Tensor torchValues, Tensor torchIndices) = nn.functional.max_pool2d_with_indices(
                    input, TorchOps.Pair(g.KernelSize), TorchOps.Pair(g.Stride), TorchOps.Pair(g.PaddingBegin), TorchOps.Pair(g.Dilation), g.CeilMode);
                Assert.Equal(1, torchValues.stride(1)); // libtorch keeps the channels_last memory format
                Size2D outSize = g.GetOutputSize(shape.SpatialSize);
                Shape4D pooled = shape.WithSpatialSize(outSize);
                var memory = new Shape4D(pooled.Batch, pooled.Height, pooled.Width, pooled.Channels); // for the messages: memory order
                float[] peerValues = TorchOps.ReadChannelsLast<float>(torchValues);
                long[] peerIndices = TorchOps.ReadChannelsLast<long>(torchIndices);
                foreach (int degree in (int[])[1, 2])
                {
                    var values = new float[pooled.ElementCount];
                    var indices = new long[pooled.ElementCount];
                    Functional.MaxPool2D<float, long>(x, shape, g, values, indices, options: Threads.Options(degree));
                    Check.Exact<float>(peerValues, values, memory, $"C={channels} {g} values ({degree} thread(s))");
                    Check.Indices<long>(peerIndices, indices, memory, $"C={channels} {g} indices ({degree} thread(s))");
                }

                // The TensorSpan form on libtorch's own strides: recognised as channels-last and read in place.
                nint[] strides = input.stride().Select(s => (nint)s).ToArray();
                nint[] pooledStrides = torchValues.stride().Select(s => (nint)s).ToArray();
                var spanValues = new float[pooled.ElementCount];
                var spanIndices = new long[pooled.ElementCount];
                Functional.MaxPool2D(
                    new ReadOnlyTensorSpanF(x, [2, channels, 9, 10], strides), g,
                    new TensorSpanF(spanValues, [pooled.Batch, channels, outSize.Height, outSize.Width], pooledStrides),
                    new TensorSpanL(spanIndices, [pooled.Batch, channels, outSize.Height, outSize.Width], pooledStrides));
                Check.Exact<float>(peerValues, spanValues, memory, $"C={channels} {g} TensorSpan values");
                Check.Indices<long>(peerIndices, spanIndices, memory, $"C={channels} {g} TensorSpan indices");

                if (g.Dilation == new Size2D(1, 1))
                {
                    // max_unpool2d has no dilation; it takes the pooling input's size as output_size.
                    Tensor torchRestored = nn.functional.max_unpool2d(
                        torchValues, torchIndices, TorchOps.Pair(g.KernelSize), TorchOps.Pair(g.Stride), TorchOps.Pair(g.PaddingBegin),
                        [shape.Batch, channels, shape.Height, shape.Width]);
                    float[] peerRestored = TorchOps.ReadChannelsLast<float>(torchRestored);
                    foreach (int degree in (int[])[1, 2])
                    {
                        var restored = new float[shape.ElementCount];
                        Functional.MaxUnpool2D<float, long>(peerValues, peerIndices, pooled, g, restored, shape.SpatialSize, options: Threads.Options(degree));
                        Check.Exact<float>(peerRestored, restored, new Shape4D(shape.Batch, shape.Height, shape.Width, channels), $"C={channels} {g} unpooled ({degree} thread(s))");
                    }
                }

                cases++;
            }
        }

        Assert.Equal(16, cases);
    }
}
