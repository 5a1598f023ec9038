using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// The channels-last backward rows: A1's max-pool backward (the <c>[8, 56, 56, 64]</c> NHWC pooled gradient scattered
/// through int64 per-plane indices into <c>[8, 112, 112, 64]</c>) and B1's argmax-unpooling backward (the
/// <c>[8, 112, 112, 64]</c> gradient gathered through them), ours on <see cref="Shape4D.ChannelsLast"/> spans against
/// libtorch's autograd on <c>channels_last</c> tensors (<c>torch.autograd.grad</c> through
/// <c>max_pool2d_with_indices</c> and through <c>max_unpool2d</c>), beside our channels-first B1 backward on buffers of
/// the same sizes (the baseline). Setup checks every result against libtorch's in memory order.
/// </summary>
[MemoryDiagnoser]
public class ChannelsLastBackwardBenchmarks : PeerBenchmark
{
    private static readonly Shape4D Full = Shape4D.ChannelsLast(8, 112, 112, 64);
    private static readonly Shape4D Pooled = Shape4D.ChannelsLast(8, 56, 56, 64);
    private static readonly Shape4D PooledFirst = new(8, 64, 56, 56);
    private static readonly Pool2DGeometry Geometry = new(2);

    private float[] _fullGradient = [];
    private float[] _pooledGradient = [];
    private long[] _indices = [];
    private long[] _firstIndices = [];
    private float[] _pooledResult = [];
    private float[] _fullResult = [];
    private Tensor? _torchSource, _torchPooled, _torchValues, _torchUnpooled, _torchPooledGradient, _torchFullGradient;

    [GlobalSetup]
    public void Setup()
    {
        float[] source = BenchmarkData.RandomValues(Full.ElementCount);
        float[] values = new float[Pooled.ElementCount];
        _indices = new long[Pooled.ElementCount];
        _firstIndices = new long[Pooled.ElementCount];
        Functional.MaxPool2D(source, Full, Geometry, values, _indices, options: ExecutionOptions.SingleThreaded);
        Functional.MaxPool2D(source, new Shape4D(8, 64, 112, 112), Geometry, new float[Pooled.ElementCount], _firstIndices, options: ExecutionOptions.SingleThreaded);
        _fullGradient = BenchmarkData.RandomValues(Full.ElementCount, BenchmarkData.Seed + 1);
        _pooledGradient = BenchmarkData.RandomValues(Pooled.ElementCount, BenchmarkData.Seed + 2);
        _pooledResult = new float[Pooled.ElementCount];
        _fullResult = new float[Full.ElementCount];

        UseTorch();
        _torchSource = Own(torch.tensor(source, [8, 112, 112, 64]).permute(0, 3, 1, 2).detach().requires_grad_(true));
        (Tensor pooled, Tensor indices) = torch.nn.functional.max_pool2d_with_indices(_torchSource, [2, 2], [2, 2], [0, 0]);
        _torchPooled = Own(pooled);
        using (indices)
        {
            _torchValues = Own(torch.tensor(values, [8, 56, 56, 64]).permute(0, 3, 1, 2).detach().requires_grad_(true));
            _torchUnpooled = Own(torch.nn.functional.max_unpool2d(_torchValues, indices, [2, 2], [2, 2], [0, 0], [8, 64, 112, 112]));
        }

        _torchPooledGradient = Own(torch.tensor(_pooledGradient, [8, 56, 56, 64]).permute(0, 3, 1, 2));
        _torchFullGradient = Own(torch.tensor(_fullGradient, [8, 112, 112, 64]).permute(0, 3, 1, 2));

        ChannelsLastPoolBackward();
        using (Tensor g = LibTorchGradient(_torchPooled, _torchSource, _torchPooledGradient))
        {
            BenchmarkData.RequireSame<float>(_fullResult, g.permute(0, 2, 3, 1).contiguous().data<float>().ToArray(), "libtorch channels_last A1 backward");
        }

        ChannelsLastUnpoolBackward();
        using (Tensor g = LibTorchGradient(_torchUnpooled, _torchValues, _torchFullGradient))
        {
            BenchmarkData.RequireSame<float>(_pooledResult, g.permute(0, 2, 3, 1).contiguous().data<float>().ToArray(), "libtorch channels_last B1 backward");
        }
    }

    /// <summary>Our channels-first B1 backward ([8, 64, 112, 112] gathered into [8, 64, 56, 56]) on buffers of the same sizes.</summary>
    [Benchmark(Baseline = true)]
    public void ChannelsFirstUnpoolBackward()
        => Functional.MaxUnpool2DBackward(_fullGradient, _firstIndices, PooledFirst, Geometry, _pooledResult, new Size2D(112, 112), options: Options);

    [Benchmark]
    public void ChannelsLastUnpoolBackward()
        => Functional.MaxUnpool2DBackward(_fullGradient, _indices, Pooled, Geometry, _pooledResult, Full.SpatialSize, options: Options);

    [Benchmark]
    public void LibTorchChannelsLastUnpoolBackward() => LibTorchGradient(_torchUnpooled!, _torchValues!, _torchFullGradient!).Dispose();

    [Benchmark]
    public void ChannelsLastPoolBackward()
        => Functional.MaxPool2DBackward(_pooledGradient, _indices, Pooled, Geometry, _fullResult, Full.SpatialSize, options: Options);

    [Benchmark]
    public void LibTorchChannelsLastPoolBackward() => LibTorchGradient(_torchPooled!, _torchSource!, _torchPooledGradient!).Dispose();

    private static Tensor LibTorchGradient(Tensor output, Tensor input, Tensor outputGradient)
        => torch.autograd.grad([output], [input], [outputGradient], retain_graph: true)[0];
}
