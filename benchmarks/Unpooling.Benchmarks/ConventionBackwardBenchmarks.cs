using BenchmarkDotNet.Attributes;

namespace Unpooling.Benchmarks;

/// <summary>
/// The backward passes of B1's shapes ([8, 64, 112, 112] and its 2x2 stride-2 pooling) in the index conventions and
/// layouts beside the per-plane channels-first default (the baseline): the argmax-unpooling gather with ONNX global
/// row-major indices (channels-first) and TensorFlow's indices with batch (channels-last), the gather and the max-pool
/// backward through channels-last byte switches, and random and repeat unpooling's backward in both layouts. No peer
/// computes these conventions' backward; each row is checked against the baseline's result (random and repeat against
/// their own channels-first rows), permuted where the layout differs.
/// </summary>
[MemoryDiagnoser]
public class ConventionBackwardBenchmarks : PeerBenchmark
{
    private static readonly Shape4D Full = new(8, 64, 112, 112);
    private static readonly Shape4D Pooled = new(8, 64, 56, 56);
    private static readonly Shape4D FullLast = Shape4D.ChannelsLast(8, 112, 112, 64);
    private static readonly Shape4D PooledLast = Shape4D.ChannelsLast(8, 56, 56, 64);
    private static readonly Pool2DGeometry Geometry = new(2);

    private float[] _fullGradient = [];
    private float[] _fullGradientLast = [];
    private float[] _pooledGradientLast = [];
    private long[] _perPlane = [];
    private long[] _global = [];
    private long[] _tensorFlow = [];
    private byte[] _tapsLast = [];
    private float[] _pooledResult = [];
    private float[] _fullResult = [];

    [GlobalSetup]
    public void Setup()
    {
        float[] source = BenchmarkData.RandomValues(Full.ElementCount);
        float[] sourceLast = BenchmarkData.ToChannelsLast(source, 8, 64, 112 * 112);
        float[] values = new float[Pooled.ElementCount];
        _perPlane = new long[Pooled.ElementCount];
        _global = new long[Pooled.ElementCount];
        _tensorFlow = new long[Pooled.ElementCount];
        _tapsLast = new byte[Pooled.ElementCount];
        Functional.MaxPool2D(source, Full, Geometry, values, _perPlane, options: ExecutionOptions.SingleThreaded);
        Functional.MaxPool2D(source, Full, Geometry, values, _global, IndexConvention.GlobalRowMajor, ExecutionOptions.SingleThreaded);
        Functional.MaxPool2D(sourceLast, FullLast, Geometry, values, _tensorFlow, IndexConvention.ChannelsLastWithBatch, ExecutionOptions.SingleThreaded);
        Functional.MaxPool2D(sourceLast, FullLast, Geometry, values, _tapsLast, IndexConvention.InWindow, ExecutionOptions.SingleThreaded);
        _fullGradient = BenchmarkData.RandomValues(Full.ElementCount, BenchmarkData.Seed + 1);
        _fullGradientLast = BenchmarkData.ToChannelsLast(_fullGradient, 8, 64, 112 * 112);
        float[] pooledGradient = BenchmarkData.RandomValues(Pooled.ElementCount, BenchmarkData.Seed + 2);
        _pooledGradientLast = BenchmarkData.ToChannelsLast(pooledGradient, 8, 64, 56 * 56);
        _pooledResult = new float[Pooled.ElementCount];
        _fullResult = new float[Full.ElementCount];

        PerPlaneGather();
        float[] expected = (float[])_pooledResult.Clone();
        float[] expectedLast = BenchmarkData.ToChannelsLast(expected, 8, 64, 56 * 56);
        GlobalRowMajorGather();
        BenchmarkData.RequireSame<float>(expected, _pooledResult, "global row-major gather");
        ChannelsLastTensorFlowGather();
        BenchmarkData.RequireSame<float>(expectedLast, _pooledResult, "channels-last TensorFlow gather");
        ChannelsLastByteGather();
        BenchmarkData.RequireSame<float>(expectedLast, _pooledResult, "channels-last byte-switch gather");

        RandomUnpoolBackward();
        float[] random = BenchmarkData.ToChannelsLast(_pooledResult, 8, 64, 56 * 56);
        ChannelsLastRandomUnpoolBackward();
        BenchmarkData.RequireSame<float>(random, _pooledResult, "channels-last random unpooling backward");
        RepeatUnpoolBackward();
        float[] repeat = BenchmarkData.ToChannelsLast(_pooledResult, 8, 64, 56 * 56);
        ChannelsLastRepeatUnpoolBackward();
        BenchmarkData.RequireSame<float>(repeat, _pooledResult, "channels-last repeat unpooling backward");

        Functional.MaxPool2DBackward(pooledGradient, _perPlane, Pooled, Geometry, _fullResult, Full.SpatialSize, options: ExecutionOptions.SingleThreaded);
        float[] scattered = BenchmarkData.ToChannelsLast(_fullResult, 8, 64, 112 * 112);
        ChannelsLastByteMaxPoolBackward();
        BenchmarkData.RequireSame<float>(scattered, _fullResult, "channels-last byte-switch max-pool backward");
    }

    /// <summary>Per-plane int64 indices, channels-first: the default the other rows are measured against.</summary>
    [Benchmark(Baseline = true)]
    public void PerPlaneGather()
        => Functional.MaxUnpool2DBackward(_fullGradient, _perPlane, Pooled, Geometry, _pooledResult, Full.SpatialSize, options: Options);

    [Benchmark]
    public void GlobalRowMajorGather()
        => Functional.MaxUnpool2DBackward(_fullGradient, _global, Pooled, Geometry, _pooledResult, Full.SpatialSize, IndexConvention.GlobalRowMajor, Options);

    [Benchmark]
    public void ChannelsLastTensorFlowGather()
        => Functional.MaxUnpool2DBackward(_fullGradientLast, _tensorFlow, PooledLast, Geometry, _pooledResult, Full.SpatialSize, IndexConvention.ChannelsLastWithBatch, Options);

    [Benchmark]
    public void ChannelsLastByteGather()
        => Functional.MaxUnpool2DBackward<float, byte>(_fullGradientLast, _tapsLast, PooledLast, Geometry, _pooledResult, Full.SpatialSize, IndexConvention.InWindow, Options);

    [Benchmark]
    public void ChannelsLastByteMaxPoolBackward()
        => Functional.MaxPool2DBackward<float, byte>(_pooledGradientLast, _tapsLast, PooledLast, Geometry, _fullResult, Full.SpatialSize, IndexConvention.InWindow, Options);

    /// <summary>Random unpooling's backward (a seeded gather, channels-first).</summary>
    [Benchmark]
    public void RandomUnpoolBackward()
        => Functional.RandomUnpool2DBackward<float>(_fullGradient, Pooled, new Size2D(2, 2), 7, _pooledResult, options: Options);

    /// <summary>Random unpooling's backward, channels-last (checked against the channels-first row permuted).</summary>
    [Benchmark]
    public void ChannelsLastRandomUnpoolBackward()
        => Functional.RandomUnpool2DBackward<float>(_fullGradientLast, PooledLast, new Size2D(2, 2), 7, _pooledResult, options: Options);

    /// <summary>Nearest-repeat unpooling's backward (the block sum), channels-first.</summary>
    [Benchmark]
    public void RepeatUnpoolBackward()
        => Functional.RepeatUnpool2DBackward<float>(_fullGradient, Pooled, new Size2D(2, 2), _pooledResult, options: Options);

    /// <summary>Nearest-repeat unpooling's backward, channels-last (checked against the channels-first row permuted).</summary>
    [Benchmark]
    public void ChannelsLastRepeatUnpoolBackward()
        => Functional.RepeatUnpool2DBackward<float>(_fullGradientLast, PooledLast, new Size2D(2, 2), _pooledResult, options: Options);
}
