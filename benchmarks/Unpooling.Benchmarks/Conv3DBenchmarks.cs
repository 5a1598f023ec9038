using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using Unpooling.Benchmarks.Peers;
using Unpooling.Peers.Onnx;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// G: <c>conv3d</c>, float, bias, groups 1: N 2, Cin 32, Cout 32, input 16x28x28, kernel 3, stride 1, padding 1 (a 3-D
/// encoder's or decoder's stage; also the source gradient of the transposed convolution with the same geometry):
/// Unpooling (baseline), libtorch, ONNX Runtime's Conv (weight and bias as initializers) and the limit row, the time
/// the measured FMA peak needs for the multiply-adds (<see cref="FmaLimit"/>). Every peer is checked against Unpooling
/// to a tolerance before timing (Unpooling's own output is checked against the plain-loop oracle by the tests).
/// </summary>
[MemoryDiagnoser]
public class Conv3DBenchmarks : PeerBenchmark
{
    private const int Kernel = 3, Stride = 1, Padding = 1, Cout = 32;
    private static readonly Shape5D SourceShape = new(2, 32, 16, 28, 28);
    private static readonly Shape5D WeightShape = new(Cout, 32, Kernel, Kernel, Kernel);
    private static readonly Conv3DGeometry Geometry = new(Kernel, Stride, Padding);
    private static readonly Shape5D OutputShape = new(2, Cout, 16, 28, 28);

    private float[] _source = [];
    private float[] _weight = [];
    private float[] _bias = [];
    private float[] _destination = [];
    private Tensor? _torchSource, _torchWeight, _torchBias;
    private OrtRunner? _ort;
    private FmaLimit? _limit;

    /// <summary>Multiply-adds of one call: <c>N*Cout*D*H*W * Cin*k^3</c> = 693.6 M.</summary>
    public static long MultiplyAdds => OutputShape.ElementCount * WeightShape.Channels * Kernel * Kernel * Kernel;

    [GlobalSetup]
    public void Setup()
    {
        _source = BenchmarkData.RandomValues(SourceShape.ElementCount);
        _weight = BenchmarkData.RandomValues(WeightShape.ElementCount, BenchmarkData.Seed + 1);
        _bias = BenchmarkData.RandomValues(Cout, BenchmarkData.Seed + 2);
        _destination = new float[OutputShape.ElementCount];
        Unpooling();
        float[] ours = (float[])_destination.Clone();

        UseTorch();
        _torchSource = Own(torch.tensor(_source, Dims(SourceShape)));
        _torchWeight = Own(torch.tensor(_weight, Dims(WeightShape)));
        _torchBias = Own(torch.tensor(_bias, [Cout]));
        using (Tensor y = TorchConv())
        {
            RequireClose(ours, y.data<float>().ToArray(), "libtorch");
        }

        float[] ortOutput = new float[OutputShape.ElementCount];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, Dims(SourceShape))
            .Initializer("W", Dims(WeightShape), _weight)
            .Initializer("B", [Cout], _bias)
            .Node(
                "Conv",
                ["X", "W", "B"],
                ["Y"],
                OnnxAttribute.Ints("kernel_shape", Kernel, Kernel, Kernel),
                OnnxAttribute.Ints("strides", Stride, Stride, Stride),
                OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding, Padding, Padding))
            .Output("Y", OnnxElementType.Float)
            .Build();
        _ort = Own(new OrtRunner(model, Threads, [("X", OrtRunner.Bind(_source, Dims(SourceShape)))], [("Y", OrtRunner.Bind(ortOutput, Dims(OutputShape)))]));
        _ort.Run();
        RequireClose(ours, ortOutput, "ONNX Runtime");

        _limit = new FmaLimit(MultiplyAdds);
    }

    [Benchmark(Baseline = true)]
    public void Unpooling()
        => Functional.Conv3D<float>(_source, SourceShape, _weight, WeightShape, _bias, Geometry, _destination, Options);

    [Benchmark]
    public void LibTorch() => TorchConv().Dispose();

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [Benchmark]
    public float Limit() => _limit!.Run(Threads);

    private static long[] Dims(Shape5D s) => [s.Batch, s.Channels, s.Depth, s.Height, s.Width];

    private Tensor TorchConv() => torch.nn.functional.conv3d(
        _torchSource!, _torchWeight!, _torchBias, [Stride, Stride, Stride], [Padding, Padding, Padding]);

    private void RequireClose(float[] ours, float[] theirs, string who)
    {
        for (int i = 0; i < ours.Length; i++)
        {
            if (!(Math.Abs(ours[i] - theirs[i]) <= 1e-3f * (1 + Math.Abs(ours[i]))))
            {
                throw new InvalidOperationException($"Conv3D, {who}, {Threads} threads: element {i} is {theirs[i]}, Unpooling gives {ours[i]}.");
            }
        }
    }
}
