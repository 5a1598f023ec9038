using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using Unpooling.Benchmarks.Naive;
using Unpooling.Benchmarks.Peers;
using Unpooling.Peers.Onnx;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// <c>conv_transpose2d</c> (D1-D4, float, bias, groups 1): the naive scatter loop (baseline), Unpooling, libtorch,
/// ONNX Runtime's ConvTranspose (weight and bias as initializers, as in a real model) and the limit row: the time the
/// measured FMA peak needs for the multiply-adds (<see cref="FmaLimit"/>). GFLOP/s = 2 * <see cref="MultiplyAdds"/>
/// / time. Every peer is checked against the naive loop to a tolerance before timing.
/// </summary>
[MemoryDiagnoser]
public class ConvTranspose2DBenchmarks : PeerBenchmark
{
    private float[] _source = [];
    private float[] _weight = [];
    private float[] _bias = [];
    private float[] _destination = [];
    private Shape4D _sourceShape;
    private Shape4D _weightShape;
    private Shape4D _outputShape;
    private Conv2DGeometry _geometry;
    private int _kernel, _stride, _padding, _outputPadding;
    private Tensor? _torchSource, _torchWeight, _torchBias;
    private OrtRunner? _ort;
    private FmaLimit? _limit;

    [Params(ConvWorkload.D1, ConvWorkload.D2, ConvWorkload.D3, ConvWorkload.D4)]
    public ConvWorkload Workload { get; set; }

    /// <summary>Multiply-adds of one call (no inserted zero counted): <c>N*Cin*Cout*k*k*H*W</c>.</summary>
    public static long MultiplyAdds(ConvWorkload workload)
    {
        (Shape4D s, int cout, int k, _, _, _) = Describe(workload);
        return s.ElementCount * cout * k * k;
    }

    [GlobalSetup]
    public void Setup()
    {
        int cout;
        (_sourceShape, cout, _kernel, _stride, _padding, _outputPadding) = Describe(Workload);
        _weightShape = new Shape4D(_sourceShape.Channels, cout, _kernel, _kernel);
        _geometry = new Conv2DGeometry(_kernel, _stride, _padding, outputPadding: _outputPadding);
        _source = BenchmarkData.RandomValues(_sourceShape.ElementCount);
        _weight = BenchmarkData.RandomValues(_weightShape.ElementCount, BenchmarkData.Seed + 1);
        _bias = BenchmarkData.RandomValues(cout, BenchmarkData.Seed + 2);
        _outputShape = new Shape4D(_sourceShape.Batch, cout, 1, 1).WithSpatialSize(_geometry.GetTransposedOutputSize(_sourceShape.SpatialSize));
        _destination = new float[_outputShape.ElementCount];

        // Summation orders differ (naive, packed GEMM, oneDNN, MLAS), so every check is to a tolerance.
        Naive();
        float[] expected = (float[])_destination.Clone();
        Array.Fill(_destination, float.NaN);
        Unpooling();
        RequireClose(expected, _destination, "Unpooling");

        UseTorch();
        _torchSource = Own(torch.tensor(_source, BenchmarkData.Dims(_sourceShape)));
        _torchWeight = Own(torch.tensor(_weight, BenchmarkData.Dims(_weightShape)));
        _torchBias = Own(torch.tensor(_bias, [cout]));
        using (Tensor y = TorchConvTranspose())
        {
            RequireClose(expected, y.data<float>().ToArray(), "libtorch");
        }

        float[] ortOutput = new float[_outputShape.ElementCount];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, BenchmarkData.Dims(_sourceShape))
            .Initializer("W", BenchmarkData.Dims(_weightShape), _weight)
            .Initializer("B", [cout], _bias)
            .Node(
                "ConvTranspose",
                ["X", "W", "B"],
                ["Y"],
                OnnxAttribute.Ints("kernel_shape", _kernel, _kernel),
                OnnxAttribute.Ints("strides", _stride, _stride),
                OnnxAttribute.Ints("pads", _padding, _padding, _padding, _padding),
                OnnxAttribute.Ints("output_padding", _outputPadding, _outputPadding))
            .Output("Y", OnnxElementType.Float)
            .Build();
        _ort = Own(new OrtRunner(
            model,
            Threads,
            [("X", OrtRunner.Bind(_source, BenchmarkData.Dims(_sourceShape)))],
            [("Y", OrtRunner.Bind(ortOutput, BenchmarkData.Dims(_outputShape)))]));
        _ort.Run();
        RequireClose(expected, ortOutput, "ONNX Runtime");

        _limit = new FmaLimit(MultiplyAdds(Workload));
    }

    [Benchmark(Baseline = true)]
    public void Naive() => NaiveConv.ConvTranspose2D(
        _source, _sourceShape, _weight, _weightShape.Channels, 1, _kernel, _stride, _padding, _outputPadding, _bias, _destination);

    [Benchmark]
    public void Unpooling()
        => Functional.ConvTranspose2D(_source, _sourceShape, _weight, _weightShape, _bias, _geometry, _destination, Options);

    [Benchmark]
    public void LibTorch() => TorchConvTranspose().Dispose();

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [Benchmark]
    public float Limit() => _limit!.Run(Threads);

    private Tensor TorchConvTranspose() => torch.nn.functional.conv_transpose2d(
        _torchSource!, _torchWeight!, _torchBias, [_stride, _stride], [_padding, _padding], [_outputPadding, _outputPadding]);

    private void RequireClose(float[] expected, float[] actual, string who)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= 1e-3f * (1 + Math.Abs(expected[i]))))
            {
                throw new InvalidOperationException($"ConvTranspose2D {Workload}, {who}, {Threads} threads: element {i} is {actual[i]}, naive gives {expected[i]}.");
            }
        }
    }

    internal static (Shape4D Source, int Cout, int K, int S, int P, int Op) Describe(ConvWorkload workload) => workload switch
    {
        ConvWorkload.D1 => (new Shape4D(1, 64, 56, 56), 32, 2, 2, 0, 0),
        ConvWorkload.D2 => (new Shape4D(1, 64, 56, 56), 32, 3, 2, 1, 1),
        ConvWorkload.D3 => (new Shape4D(16, 128, 16, 16), 64, 4, 2, 1, 0),
        ConvWorkload.D4 => (new Shape4D(1, 256, 28, 28), 128, 2, 2, 0, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, "Unknown workload."),
    };
}
