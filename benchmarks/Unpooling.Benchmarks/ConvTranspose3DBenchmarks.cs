using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using Unpooling.Benchmarks.Peers;
using Unpooling.Peers.Onnx;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// <c>conv_transpose3d</c>, float, bias, groups 1: N 2, Cin 32, Cout 16, input 8x16x16, kernel 4, stride 2, padding 1
/// (output 16x32x32, a 3-D decoder's upsampling step): the naive scatter loop (baseline), Unpooling, libtorch, ONNX
/// Runtime's ConvTranspose (weight and bias as initializers) and the limit row, the time the measured FMA peak needs
/// for the multiply-adds (<see cref="FmaLimit"/>). GFLOP/s = 2 * <see cref="MultiplyAdds"/> / time. Every peer is
/// checked against the naive loop to a tolerance before timing.
/// </summary>
[MemoryDiagnoser]
public class ConvTranspose3DBenchmarks : PeerBenchmark
{
    private const int Kernel = 4, Stride = 2, Padding = 1, Cout = 16;
    private static readonly Shape5D SourceShape = new(2, 32, 8, 16, 16);
    private static readonly Shape5D WeightShape = new(32, Cout, Kernel, Kernel, Kernel);
    private static readonly Conv3DGeometry Geometry = new(Kernel, Stride, Padding);

    private float[] _source = [];
    private float[] _weight = [];
    private float[] _bias = [];
    private float[] _destination = [];
    private Shape5D _outputShape;
    private Tensor? _torchSource, _torchWeight, _torchBias;
    private OrtRunner? _ort;
    private FmaLimit? _limit;

    /// <summary>Multiply-adds of one call (no inserted zero counted): <c>N*Cin*Cout*k^3*D*H*W</c> = 134.2 M.</summary>
    public static long MultiplyAdds => SourceShape.ElementCount * Cout * Kernel * Kernel * Kernel;

    [GlobalSetup]
    public void Setup()
    {
        _source = BenchmarkData.RandomValues(SourceShape.ElementCount);
        _weight = BenchmarkData.RandomValues(WeightShape.ElementCount, BenchmarkData.Seed + 1);
        _bias = BenchmarkData.RandomValues(Cout, BenchmarkData.Seed + 2);
        Size3D o = Geometry.GetTransposedOutputSize(SourceShape.SpatialSize);
        _outputShape = new Shape5D(SourceShape.Batch, Cout, o.Depth, o.Height, o.Width);
        _destination = new float[_outputShape.ElementCount];

        Naive();
        float[] expected = (float[])_destination.Clone();
        Array.Fill(_destination, float.NaN);
        Unpooling();
        RequireClose(expected, _destination, "Unpooling");

        UseTorch();
        _torchSource = Own(torch.tensor(_source, Dims(SourceShape)));
        _torchWeight = Own(torch.tensor(_weight, Dims(WeightShape)));
        _torchBias = Own(torch.tensor(_bias, [Cout]));
        using (Tensor y = TorchConvTranspose())
        {
            RequireClose(expected, y.data<float>().ToArray(), "libtorch");
        }

        float[] ortOutput = new float[_outputShape.ElementCount];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, Dims(SourceShape))
            .Initializer("W", Dims(WeightShape), _weight)
            .Initializer("B", [Cout], _bias)
            .Node(
                "ConvTranspose",
                ["X", "W", "B"],
                ["Y"],
                OnnxAttribute.Ints("kernel_shape", Kernel, Kernel, Kernel),
                OnnxAttribute.Ints("strides", Stride, Stride, Stride),
                OnnxAttribute.Ints("pads", Padding, Padding, Padding, Padding, Padding, Padding))
            .Output("Y", OnnxElementType.Float)
            .Build();
        _ort = Own(new OrtRunner(model, Threads, [("X", OrtRunner.Bind(_source, Dims(SourceShape)))], [("Y", OrtRunner.Bind(ortOutput, Dims(_outputShape)))]));
        _ort.Run();
        RequireClose(expected, ortOutput, "ONNX Runtime");

        _limit = new FmaLimit(MultiplyAdds);
    }

    /// <summary>The plain scatter loop of SEMANTICS.md 4, one thread.</summary>
    [Benchmark(Baseline = true)]
    public void Naive()
    {
        (int n, int cin) = (SourceShape.Batch, SourceShape.Channels);
        (int d, int h, int w) = (SourceShape.Depth, SourceShape.Height, SourceShape.Width);
        (int od, int oh, int ow) = (_outputShape.Depth, _outputShape.Height, _outputShape.Width);
        int volume = od * oh * ow;
        for (int i = 0; i < _destination.Length; i++)
        {
            _destination[i] = _bias[i / volume % Cout];
        }

        for (int b = 0; b < n; b++)
        {
            for (int ci = 0; ci < cin; ci++)
            {
                for (int co = 0; co < Cout; co++)
                {
                    int wBase = ((ci * Cout) + co) * Kernel * Kernel * Kernel;
                    int yBase = ((b * Cout) + co) * volume;
                    for (int id = 0; id < d; id++)
                    {
                        for (int ih = 0; ih < h; ih++)
                        {
                            for (int iw = 0; iw < w; iw++)
                            {
                                float x = _source[((((b * cin) + ci) * d + id) * h + ih) * w + iw];
                                for (int jd = 0; jd < Kernel; jd++)
                                {
                                    int z = (id * Stride) - Padding + jd;
                                    if ((uint)z >= (uint)od)
                                    {
                                        continue;
                                    }

                                    for (int jh = 0; jh < Kernel; jh++)
                                    {
                                        int r = (ih * Stride) - Padding + jh;
                                        if ((uint)r >= (uint)oh)
                                        {
                                            continue;
                                        }

                                        for (int jw = 0; jw < Kernel; jw++)
                                        {
                                            int c = (iw * Stride) - Padding + jw;
                                            if ((uint)c < (uint)ow)
                                            {
                                                _destination[yBase + (((z * oh) + r) * ow) + c] += x * _weight[wBase + (((jd * Kernel) + jh) * Kernel) + jw];
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    [Benchmark]
    public void Unpooling()
        => Functional.ConvTranspose3D<float>(_source, SourceShape, _weight, WeightShape, _bias, Geometry, _destination, Options);

    [Benchmark]
    public void LibTorch() => TorchConvTranspose().Dispose();

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    [Benchmark]
    public float Limit() => _limit!.Run(Threads);

    private static long[] Dims(Shape5D s) => [s.Batch, s.Channels, s.Depth, s.Height, s.Width];

    private Tensor TorchConvTranspose() => torch.nn.functional.conv_transpose3d(
        _torchSource!, _torchWeight!, _torchBias, [Stride, Stride, Stride], [Padding, Padding, Padding]);

    private void RequireClose(float[] expected, float[] actual, string who)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= 1e-3f * (1 + Math.Abs(expected[i]))))
            {
                throw new InvalidOperationException($"ConvTranspose3D, {who}, {Threads} threads: element {i} is {actual[i]}, naive gives {expected[i]}.");
            }
        }
    }
}
