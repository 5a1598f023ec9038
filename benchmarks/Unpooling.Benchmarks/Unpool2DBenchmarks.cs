using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using Unpooling.Benchmarks.Naive;
using Unpooling.Benchmarks.Peers;
using Unpooling.Peers.Onnx;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// Unpooling [8,64,56,56] back to [8,64,112,112] (B1, B3, C): the naive loop (baseline), Unpooling, libtorch, ONNX
/// Runtime and the limit row (reading the values, and the int64 indices for B, and writing the output once).
/// B1/B3 unpool A1's/A3's values and indices (pooled once in setup; ONNX Runtime gets them global row-major, its
/// convention) with libtorch's <c>max_unpool2d</c> and ONNX's MaxUnpool given the output shape. C is fixed upper-left
/// unpooling: libtorch as a user writes it (zeros, then a strided slice assignment), ONNX Runtime as MaxUnpool with
/// the upper-left indices computed in setup. Every peer's output is checked against ours before timing. Two more rows
/// unpool from byte switches (<see cref="IndexConvention.InWindow"/>, the tap inside the window: B's indices converted
/// in setup; for C every tap is 0, the upper-left corner, so that row is fixed unpooling through switches) and give
/// their limit (values and one byte per pooled cell read, the output written).
/// </summary>
[MemoryDiagnoser]
public class Unpool2DBenchmarks : PeerBenchmark
{
    private static readonly Shape4D OutputShape = new(8, 64, 112, 112);
    private float[] _source = [];
    private long[] _indices = [];
    private byte[] _taps = [];
    private float[] _destination = [];
    private Shape4D _pooledShape;
    private Pool2DGeometry _geometry;
    private int _kernel, _stride, _padding;
    private Tensor? _torchSource;
    private Tensor? _torchIndices;
    private OrtRunner? _ort;
    private MemoryLimit? _limit;
    private MemoryLimit? _limitTaps;

    [Params(UnpoolWorkload.B1, UnpoolWorkload.B3, UnpoolWorkload.C)]
    public UnpoolWorkload Workload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_kernel, _stride, _padding) = Workload == UnpoolWorkload.B3 ? (3, 2, 1) : (2, 2, 0);
        _geometry = new Pool2DGeometry(_kernel, stride: _stride, padding: _padding);
        _pooledShape = OutputShape.WithSpatialSize(_geometry.GetOutputSize(OutputShape.SpatialSize));
        _source = new float[_pooledShape.ElementCount];
        _indices = new long[_pooledShape.ElementCount];
        if (Workload == UnpoolWorkload.C)
        {
            _source = BenchmarkData.RandomValues(_pooledShape.ElementCount);
        }
        else
        {
            float[] input = BenchmarkData.RandomValues(OutputShape.ElementCount);
            Functional.MaxPool2D(input, OutputShape, _geometry, _source, _indices, options: ExecutionOptions.SingleThreaded);
        }

        _destination = new float[OutputShape.ElementCount];

        // Ours against the naive loop, on the very buffers that are timed.
        Naive();
        float[] expected = (float[])_destination.Clone();
        Array.Fill(_destination, float.NaN);
        Unpooling();
        BenchmarkData.RequireSame<float>(expected, _destination, $"Unpooling {Workload}, {Threads} threads");

        _taps = new byte[_pooledShape.ElementCount];
        if (Workload != UnpoolWorkload.C)
        {
            long[] taps = new long[_pooledShape.ElementCount];
            Functional.ConvertIndices<long>(_indices, _pooledShape, OutputShape.SpatialSize, _geometry, IndexConvention.PerPlane, taps, IndexConvention.InWindow);
            _taps = taps.Select(t => checked((byte)t)).ToArray();
        }

        Array.Fill(_destination, float.NaN);
        UnpoolingInWindowByte();
        BenchmarkData.RequireSame<float>(expected, _destination, $"Unpooling {Workload} from byte switches, {Threads} threads");

        UseTorch();
        _torchSource = Own(torch.tensor(_source, BenchmarkData.Dims(_pooledShape)));
        _torchIndices = Own(torch.tensor(_indices, BenchmarkData.Dims(_pooledShape)));
        using (Tensor y = TorchUnpool())
        {
            BenchmarkData.RequireSame<float>(expected, y.data<float>().ToArray(), $"libtorch {Workload}");
        }

        long[] ortIndices = Workload == UnpoolWorkload.C
            ? UpperLeftGlobalIndices(_pooledShape, OutputShape.SpatialSize)
            : BenchmarkData.GlobalRowMajor(_indices, _pooledShape, OutputShape.SpatialSize);
        float[] ortOutput = new float[OutputShape.ElementCount];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, BenchmarkData.Dims(_pooledShape))
            .Input("I", OnnxElementType.Int64, BenchmarkData.Dims(_pooledShape))
            .Initializer("output_shape", [4], BenchmarkData.Dims(OutputShape))
            .Node(
                "MaxUnpool",
                ["X", "I", "output_shape"],
                ["Y"],
                OnnxAttribute.Ints("kernel_shape", _kernel, _kernel),
                OnnxAttribute.Ints("strides", _stride, _stride),
                OnnxAttribute.Ints("pads", _padding, _padding, _padding, _padding))
            .Output("Y", OnnxElementType.Float)
            .Build();
        _ort = Own(new OrtRunner(
            model,
            Threads,
            [("X", OrtRunner.Bind(_source, BenchmarkData.Dims(_pooledShape))), ("I", OrtRunner.Bind(ortIndices, BenchmarkData.Dims(_pooledShape)))],
            [("Y", OrtRunner.Bind(ortOutput, BenchmarkData.Dims(OutputShape)))]));
        _ort.Run();
        BenchmarkData.RequireSame<float>(expected, ortOutput, $"ONNX Runtime MaxUnpool {Workload}");

        long indexBytes = Workload == UnpoolWorkload.C ? 0 : sizeof(long);
        _limit = new MemoryLimit(_pooledShape.ElementCount * (sizeof(float) + indexBytes), OutputShape.ElementCount * sizeof(float));
        _limitTaps = new MemoryLimit(_pooledShape.ElementCount * (sizeof(float) + sizeof(byte)), OutputShape.ElementCount * sizeof(float));
    }

    [Benchmark(Baseline = true)]
    public void Naive()
    {
        if (Workload == UnpoolWorkload.C)
        {
            NaiveOps.FixedUnpool2D(_source, _pooledShape, 2, _destination);
        }
        else
        {
            NaiveOps.MaxUnpool2D(_source, _indices, _pooledShape, OutputShape.SpatialSize, _destination);
        }
    }

    [Benchmark]
    public void Unpooling()
    {
        if (Workload == UnpoolWorkload.C)
        {
            Functional.FixedUnpool2D(_source, _pooledShape, 2, _destination, options: Options);
        }
        else
        {
            Functional.MaxUnpool2D(_source, _indices, _pooledShape, _geometry, _destination, OutputShape.SpatialSize, reduction: UnpoolReduction.Replace, options: Options);
        }
    }

    /// <summary>Ours from byte switches (<see cref="IndexConvention.InWindow"/>).</summary>
    [Benchmark]
    public void UnpoolingInWindowByte() => Functional.MaxUnpool2D<float, byte>(
        _source, _taps, _pooledShape, _geometry, _destination, OutputShape.SpatialSize, IndexConvention.InWindow, UnpoolReduction.Replace, Options);

    [Benchmark]
    public void LibTorch() => TorchUnpool().Dispose();

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [Benchmark]
    public float Limit() => _limit!.Run(Threads);

    /// <summary>The limit of the byte-switch row: values and one byte per pooled cell read, the output written.</summary>
    [Benchmark]
    public float LimitInWindowByte() => _limitTaps!.Run(Threads);

    private Tensor TorchUnpool()
    {
        if (Workload == UnpoolWorkload.C)
        {
            Tensor y = torch.zeros(BenchmarkData.Dims(OutputShape));
            y[TensorIndex.Ellipsis, TensorIndex.Slice(null, null, 2), TensorIndex.Slice(null, null, 2)] = _torchSource!;
            return y;
        }

        // TorchSharp wants the full [N, C, H, W] output size, and honours the stride only when padding is passed.
        return torch.nn.functional.max_unpool2d(
            _torchSource!, _torchIndices!, [_kernel, _kernel], [_stride, _stride], [_padding, _padding], BenchmarkData.Dims(OutputShape));
    }

    private static long[] UpperLeftGlobalIndices(Shape4D pooled, Size2D output)
    {
        long[] indices = new long[pooled.ElementCount];
        long i = 0;
        for (long plane = 0; plane < pooled.PlaneCount; plane++)
        {
            for (int h = 0; h < pooled.Height; h++)
            {
                for (int w = 0; w < pooled.Width; w++)
                {
                    indices[i++] = (((plane * output.Height) + (2 * h)) * output.Width) + (2 * w);
                }
            }
        }

        return indices;
    }
}
