using System.Numerics;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using Unpooling.Peers;
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

/// <summary>
/// Channels-last A1 in Half (2x2 stride-2 max pooling of <c>[8, 112, 112, 64]</c> NHWC with int64 per-plane indices),
/// whose arg-max travels as tap codes in 16-bit lanes: our channels-first A1 on the same buffer (baseline), ours on a
/// <see cref="Shape4D.ChannelsLast"/> span, libtorch's <c>max_pool2d_with_indices</c> on a <c>channels_last</c>
/// <c>float16</c> tensor (checked against ours in setup), and the limit row (reading the input and writing values and
/// indices once).
/// </summary>
[MemoryDiagnoser]
public class ChannelsLastHalfBenchmarks : PeerBenchmark
{
    private ChannelsLastPoolRows<Half>? _rows;

    [GlobalSetup]
    public void Setup()
    {
        UseTorch();
        _rows = Own(new ChannelsLastPoolRows<Half>(Threads, withTorch: true));
    }

    /// <summary>Our channels-first A1 in Half on the same buffer, read as <c>[8, 64, 112, 112]</c>.</summary>
    [Benchmark(Baseline = true)]
    public void ChannelsFirstPool() => _rows!.ChannelsFirst(Options);

    [Benchmark]
    public void ChannelsLastPool() => _rows!.ChannelsLast(Options);

    [Benchmark]
    public void LibTorchChannelsLastPool() => _rows!.Torch();

    [Benchmark]
    public float Limit() => _rows!.Limit.Run(Threads);
}

/// <summary>
/// Channels-last A1 in byte (8-bit tap-code lanes): our channels-first A1 on the same buffer (baseline), ours
/// channels-last and the limit row. No peer: libtorch 2.10 refuses a <c>channels_last</c> <c>uint8</c> tensor of this
/// size ("Expected input_depth * input_height * input_width &lt;= std::numeric_limits&lt;integer_t&gt;::max()",
/// MaxPoolKernel.cpp:414).
/// </summary>
[MemoryDiagnoser]
public class ChannelsLastByteBenchmarks : PeerBenchmark
{
    private ChannelsLastPoolRows<byte>? _rows;

    [GlobalSetup]
    public void Setup() => _rows = Own(new ChannelsLastPoolRows<byte>(Threads, withTorch: false));

    /// <summary>Our channels-first A1 in byte on the same buffer, read as <c>[8, 64, 112, 112]</c>.</summary>
    [Benchmark(Baseline = true)]
    public void ChannelsFirstPool() => _rows!.ChannelsFirst(Options);

    [Benchmark]
    public void ChannelsLastPool() => _rows!.ChannelsLast(Options);

    [Benchmark]
    public float Limit() => _rows!.Limit.Run(Threads);
}

/// <summary>Channels-last A1 in one element type.</summary>
internal sealed unsafe class ChannelsLastPoolRows<T> : IDisposable
    where T : unmanaged, INumber<T>
{
    private static readonly Shape4D Shape = Shape4D.ChannelsLast(8, 112, 112, 64);
    private static readonly Shape4D Pooled = Shape4D.ChannelsLast(8, 56, 56, 64);
    private static readonly Pool2DGeometry Geometry = new(2);
    private readonly T[] _source;
    private readonly T[] _values;
    private readonly long[] _indices;
    private readonly T[] _firstValues;
    private readonly long[] _firstIndices;
    private readonly Tensor? _torchSource;

    public ChannelsLastPoolRows(int threads, bool withTorch)
    {
        _source = TypedData.Values<T>(Shape.ElementCount);
        _values = new T[Pooled.ElementCount];
        _indices = new long[Pooled.ElementCount];
        _firstValues = new T[Pooled.ElementCount];
        _firstIndices = new long[Pooled.ElementCount];
        ChannelsLast(ExecutionOptions.WithMaxDegreeOfParallelism(threads));
        Limit = new MemoryLimit(Shape.ElementCount * sizeof(T), Pooled.ElementCount * (sizeof(T) + sizeof(long)));
        if (!withTorch)
        {
            return;
        }

        _torchSource = TorchTensors.From(_source, [8, 112, 112, 64]).permute(0, 3, 1, 2);
        (Tensor values, Tensor indices) = TorchPool(_torchSource);
        using (values)
        using (indices)
        {
            BenchmarkData.RequireSame<T>(_values, TorchTensors.Read<T>(values.permute(0, 2, 3, 1).contiguous()), $"libtorch channels_last A1 {typeof(T).Name} values");
            BenchmarkData.RequireSame<long>(_indices, indices.permute(0, 2, 3, 1).contiguous().data<long>().ToArray(), $"libtorch channels_last A1 {typeof(T).Name} indices");
        }
    }

    public MemoryLimit Limit { get; }

    public void ChannelsFirst(ExecutionOptions options) => Functional.MaxPool2D<T, long>(_source, new Shape4D(8, 64, 112, 112), Geometry, _firstValues, _firstIndices, options: options);

    public void ChannelsLast(ExecutionOptions options) => Functional.MaxPool2D<T, long>(_source, Shape, Geometry, _values, _indices, options: options);

    public void Torch()
    {
        (Tensor values, Tensor indices) = TorchPool(_torchSource ?? throw new InvalidOperationException("built without libtorch"));
        values.Dispose();
        indices.Dispose();
    }

    public void Dispose() => _torchSource?.Dispose();

    private static (Tensor Values, Tensor Indices) TorchPool(Tensor source) => torch.nn.functional.max_pool2d_with_indices(source, [2, 2], [2, 2], [0, 0]);
}
