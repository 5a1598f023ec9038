using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using Unpooling.Benchmarks.Naive;
using Unpooling.Benchmarks.Peers;
using Unpooling.Peers.Onnx;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// Max pooling with int64 indices (A1-A3): the naive loop (baseline), Unpooling, libtorch's
/// <c>max_pool2d_with_indices</c>, ONNX Runtime's MaxPool with its <c>Indices</c> output, and the limit row (reading
/// the input and writing values and indices once). Every peer's output is checked against ours in setup; ONNX's indices
/// are global row-major (<c>(n*C + c)*H*W + h*W + w</c>), ours and libtorch's per plane. Two more rows write byte
/// switches (<see cref="IndexConvention.InWindow"/>: the tap inside the window, one byte per output) and give their
/// limit (the same input, and values plus one byte per output); the taps are checked against the int64 indices
/// converted by <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
/// </summary>
[MemoryDiagnoser]
public class MaxPool2DBenchmarks : PeerBenchmark
{
    private float[] _source = [];
    private float[] _destination = [];
    private long[] _indices = [];
    private byte[] _taps = [];
    private Shape4D _shape;
    private Pool2DGeometry _geometry;
    private int _kernel, _stride, _padding;
    private Tensor? _torchSource;
    private OrtRunner? _ort;
    private MemoryLimit? _limit;
    private MemoryLimit? _limitTaps;

    [Params(PoolWorkload.A1, PoolWorkload.A2, PoolWorkload.A3)]
    public PoolWorkload Workload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_shape, _kernel, _stride, _padding) = Workload switch
        {
            PoolWorkload.A1 => (new Shape4D(8, 64, 112, 112), 2, 2, 0),
            PoolWorkload.A2 => (new Shape4D(1, 64, 56, 56), 2, 2, 0),
            PoolWorkload.A3 => (new Shape4D(8, 64, 112, 112), 3, 2, 1),
            _ => throw new ArgumentOutOfRangeException(nameof(Workload), Workload, "Unknown workload."),
        };
        _geometry = new Pool2DGeometry(_kernel, stride: _stride, padding: _padding);
        _source = BenchmarkData.RandomValues(_shape.ElementCount);
        Shape4D pooled = _shape.WithSpatialSize(_geometry.GetOutputSize(_shape.SpatialSize));
        _destination = new float[pooled.ElementCount];
        _indices = new long[pooled.ElementCount];

        // Ours against the naive loop, on the very buffers that are timed.
        Naive();
        float[] expected = (float[])_destination.Clone();
        long[] expectedIndices = (long[])_indices.Clone();
        Array.Fill(_destination, float.NaN);
        Unpooling();
        BenchmarkData.RequireSame<float>(expected, _destination, $"MaxPool2D {Workload} values, {Threads} threads");
        BenchmarkData.RequireSame<long>(expectedIndices, _indices, $"MaxPool2D {Workload} indices, {Threads} threads");

        _taps = new byte[pooled.ElementCount];
        Array.Fill(_destination, float.NaN);
        UnpoolingInWindowByte();
        BenchmarkData.RequireSame<float>(expected, _destination, $"MaxPool2D {Workload} values with byte switches, {Threads} threads");
        long[] expectedTaps = new long[pooled.ElementCount];
        Functional.ConvertIndices<long>(expectedIndices, pooled, _shape.SpatialSize, _geometry, IndexConvention.PerPlane, expectedTaps, IndexConvention.InWindow);
        BenchmarkData.RequireSame<long>(expectedTaps, _taps.Select(t => (long)t).ToArray(), $"MaxPool2D {Workload} byte switches, {Threads} threads");

        UseTorch();
        _torchSource = Own(torch.tensor(_source, BenchmarkData.Dims(_shape)));
        (Tensor values, Tensor indices) = TorchPool();
        BenchmarkData.RequireSame<float>(expected, values.data<float>().ToArray(), $"libtorch max_pool2d_with_indices {Workload} values");
        BenchmarkData.RequireSame<long>(expectedIndices, indices.data<long>().ToArray(), $"libtorch max_pool2d_with_indices {Workload} indices");
        values.Dispose();
        indices.Dispose();

        float[] ortValues = new float[pooled.ElementCount];
        long[] ortIndices = new long[pooled.ElementCount];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, BenchmarkData.Dims(_shape))
            .Node(
                "MaxPool",
                ["X"],
                ["Y", "I"],
                OnnxAttribute.Ints("kernel_shape", _kernel, _kernel),
                OnnxAttribute.Ints("strides", _stride, _stride),
                OnnxAttribute.Ints("pads", _padding, _padding, _padding, _padding))
            .Output("Y", OnnxElementType.Float)
            .Output("I", OnnxElementType.Int64)
            .Build();
        _ort = Own(new OrtRunner(
            model,
            Threads,
            [("X", OrtRunner.Bind(_source, BenchmarkData.Dims(_shape)))],
            [("Y", OrtRunner.Bind(ortValues, BenchmarkData.Dims(pooled))), ("I", OrtRunner.Bind(ortIndices, BenchmarkData.Dims(pooled)))]));
        _ort.Run();
        BenchmarkData.RequireSame<float>(expected, ortValues, $"ONNX Runtime MaxPool {Workload} values");
        BenchmarkData.RequireSame<long>(BenchmarkData.GlobalRowMajor(expectedIndices, pooled, _shape.SpatialSize), ortIndices, $"ONNX Runtime MaxPool {Workload} indices");

        _limit = new MemoryLimit(_shape.ElementCount * sizeof(float), pooled.ElementCount * (sizeof(float) + sizeof(long)));
        _limitTaps = new MemoryLimit(_shape.ElementCount * sizeof(float), pooled.ElementCount * (sizeof(float) + sizeof(byte)));
    }

    [Benchmark(Baseline = true)]
    public void Naive() => NaiveOps.MaxPool2D(_source, _shape, _kernel, _stride, _padding, _destination, _indices);

    [Benchmark]
    public void Unpooling() => Functional.MaxPool2D(_source, _shape, _geometry, _destination, _indices, options: Options);

    /// <summary>Ours with byte switches (<see cref="IndexConvention.InWindow"/>).</summary>
    [Benchmark]
    public void UnpoolingInWindowByte() => Functional.MaxPool2D<float, byte>(_source, _shape, _geometry, _destination, _taps, IndexConvention.InWindow, Options);

    [Benchmark]
    public void LibTorch()
    {
        (Tensor values, Tensor indices) = TorchPool();
        values.Dispose();
        indices.Dispose();
    }

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [Benchmark]
    public float Limit() => _limit!.Run(Threads);

    /// <summary>The limit of the byte-switch row: values and one byte per output.</summary>
    [Benchmark]
    public float LimitInWindowByte() => _limitTaps!.Run(Threads);

    private (Tensor Values, Tensor Indices) TorchPool() => torch.nn.functional.max_pool2d_with_indices(
        _torchSource!, [_kernel, _kernel], [_stride, _stride], [_padding, _padding]);
}
