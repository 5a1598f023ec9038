using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// Channels-last rows A1 and B1: 2x2 stride-2 max pooling with int64 indices of <c>[8, 112, 112, 64]</c> (NHWC) and its
/// argmax unpooling, ours on <see cref="Shape4D.ChannelsLast"/> spans against libtorch on <c>channels_last</c> tensors
/// (<c>max_pool2d_with_indices</c>, <c>max_unpool2d</c>), beside our channels-first A1 on the same values (the
/// baseline). Setup checks ours against libtorch, values and indices in memory order.
/// </summary>
[MemoryDiagnoser]
public class ChannelsLastBenchmarks : PeerBenchmark
{
    private static readonly Shape4D Shape = Shape4D.ChannelsLast(8, 112, 112, 64);
    private static readonly Shape4D Pooled = Shape4D.ChannelsLast(8, 56, 56, 64);
    private static readonly Pool2DGeometry Geometry = new(2);

    private float[] _source = [];
    private float[] _channelsFirst = [];
    private float[] _firstValues = [];
    private long[] _firstIndices = [];
    private float[] _values = [];
    private long[] _indices = [];
    private float[] _restored = [];
    private Tensor? _torchSource, _torchValues, _torchIndices;

    [GlobalSetup]
    public void Setup()
    {
        _source = BenchmarkData.RandomValues(Shape.ElementCount);
        _channelsFirst = (float[])_source.Clone(); // the same values read as [N, C, H, W]: the channels-first row's input
        _values = new float[Pooled.ElementCount];
        _indices = new long[Pooled.ElementCount];
        _restored = new float[Shape.ElementCount];
        _firstValues = new float[Pooled.ElementCount];
        _firstIndices = new long[Pooled.ElementCount];
        ChannelsLastPool();
        ChannelsLastUnpool();

        UseTorch();
        _torchSource = Own(torch.tensor(_source, [8, 112, 112, 64]).permute(0, 3, 1, 2));
        (Tensor values, Tensor indices) = TorchPool();
        _torchValues = Own(values);
        _torchIndices = Own(indices);
        BenchmarkData.RequireSame<float>(_values, values.permute(0, 2, 3, 1).contiguous().data<float>().ToArray(), "libtorch channels_last A1 values");
        BenchmarkData.RequireSame<long>(_indices, indices.permute(0, 2, 3, 1).contiguous().data<long>().ToArray(), "libtorch channels_last A1 indices");
        using Tensor restored = TorchUnpool();
        BenchmarkData.RequireSame<float>(_restored, restored.permute(0, 2, 3, 1).contiguous().data<float>().ToArray(), "libtorch channels_last B1");
    }

    /// <summary>Our channels-first A1 ([8, 64, 112, 112]) on the same buffer: what channels-last costs or saves.</summary>
    [Benchmark(Baseline = true)]
    public void ChannelsFirstPool()
        => Functional.MaxPool2D(_channelsFirst, new Shape4D(8, 64, 112, 112), Geometry, _firstValues, _firstIndices, options: Options);

    [Benchmark]
    public void ChannelsLastPool() => Functional.MaxPool2D(_source, Shape, Geometry, _values, _indices, options: Options);

    [Benchmark]
    public void LibTorchChannelsLastPool()
    {
        (Tensor values, Tensor indices) = TorchPool();
        values.Dispose();
        indices.Dispose();
    }

    [Benchmark]
    public void ChannelsLastUnpool() => Functional.MaxUnpool2D(_values, _indices, Pooled, Geometry, _restored, options: Options);

    [Benchmark]
    public void LibTorchChannelsLastUnpool() => TorchUnpool().Dispose();

    private (Tensor Values, Tensor Indices) TorchPool() => torch.nn.functional.max_pool2d_with_indices(_torchSource!, [2, 2], [2, 2], [0, 0]);

    private Tensor TorchUnpool() => torch.nn.functional.max_unpool2d(_torchValues!, _torchIndices!, [2, 2], [2, 2], [0, 0], [8, 64, 112, 112]);
}
