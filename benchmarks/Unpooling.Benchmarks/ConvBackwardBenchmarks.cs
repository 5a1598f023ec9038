using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>Which gradient of the D3 transposed convolution a row computes.</summary>
public enum ConvGradient
{
    /// <summary>The source gradient: <c>conv2d</c> of the output gradient with the same weight and geometry.</summary>
    Source,

    /// <summary>The weight gradient: the GEMM of the source and the output gradient's im2col.</summary>
    Weight,

    /// <summary>The bias gradient: the output gradient summed per channel.</summary>
    Bias,
}

/// <summary>
/// D3 backward (issue 14): the gradients of <c>conv_transpose2d</c> [16, 128, 16, 16] -> 64 channels, kernel 4, stride 2,
/// padding 1 (float), one gradient per row at 1 and 2 threads: Unpooling's <c>ConvTranspose2DBackward</c> asked for that
/// gradient only (the others empty), libtorch's autograd in the same run (<c>torch.autograd.grad</c> through
/// <c>conv_transpose2d</c> on a graph where only that argument requires a gradient, so <c>convolution_backward</c>'s
/// output mask is the same), and the limit row: for the source and weight gradients the measured FMA peak's time for
/// their <c>N*Cin*Cout*k*k*H*W</c> multiply-adds (<see cref="FmaLimit"/>), for the bias gradient the time to read the
/// output gradient (<see cref="MemoryLimit"/>). Each peer's gradient is checked against ours before timing.
/// </summary>
[MemoryDiagnoser]
public class ConvBackwardBenchmarks : PeerBenchmark
{
    private static readonly Shape4D SourceShape = new(16, 128, 16, 16);
    private static readonly Shape4D WeightShape = new(128, 64, 4, 4);
    private static readonly Conv2DGeometry Geometry = new(4, 2, 1);
    private static readonly Shape4D OutputShape = new(16, 64, 32, 32);
    private float[] _source = [];
    private float[] _weight = [];
    private float[] _outputGradient = [];
    private float[] _sourceGradient = [];
    private float[] _weightGradient = [];
    private float[] _biasGradient = [];
    private Tensor? _torchOutput, _torchWanted, _torchGradient;
    private SplitLimit? _limit;

    [Params(ConvGradient.Source, ConvGradient.Weight, ConvGradient.Bias)]
    public ConvGradient Gradient { get; set; }

    /// <summary>Multiply-adds of the source or the weight gradient (each is one forward's worth).</summary>
    public static long MultiplyAdds => SourceShape.ElementCount * WeightShape.Channels * WeightShape.Height * WeightShape.Width;

    [GlobalSetup]
    public void Setup()
    {
        _source = BenchmarkData.RandomValues(SourceShape.ElementCount);
        _weight = BenchmarkData.RandomValues(WeightShape.ElementCount, BenchmarkData.Seed + 1);
        float[] bias = BenchmarkData.RandomValues(OutputShape.Channels, BenchmarkData.Seed + 2);
        _outputGradient = BenchmarkData.RandomValues(OutputShape.ElementCount, BenchmarkData.Seed + 3);
        _sourceGradient = Gradient == ConvGradient.Source ? new float[SourceShape.ElementCount] : [];
        _weightGradient = Gradient == ConvGradient.Weight ? new float[WeightShape.ElementCount] : [];
        _biasGradient = Gradient == ConvGradient.Bias ? new float[OutputShape.Channels] : [];
        Unpooling();
        float[] ours = Gradient switch { ConvGradient.Source => _sourceGradient, ConvGradient.Weight => _weightGradient, _ => _biasGradient };

        UseTorch();
        Tensor x = Own(torch.tensor(_source, BenchmarkData.Dims(SourceShape)).requires_grad_(Gradient == ConvGradient.Source));
        Tensor w = Own(torch.tensor(_weight, BenchmarkData.Dims(WeightShape)).requires_grad_(Gradient == ConvGradient.Weight));
        Tensor b = Own(torch.tensor(bias, [OutputShape.Channels]).requires_grad_(Gradient == ConvGradient.Bias));
        _torchWanted = Gradient switch { ConvGradient.Source => x, ConvGradient.Weight => w, _ => b };
        _torchOutput = Own(torch.nn.functional.conv_transpose2d(x, w, b, [2, 2], [1, 1]));
        _torchGradient = Own(torch.tensor(_outputGradient, BenchmarkData.Dims(OutputShape)));
        using (Tensor peer = TorchGradient())
        {
            float[] theirs = peer.data<float>().ToArray();
            for (int i = 0; i < ours.Length; i++)
            {
                if (!(Math.Abs(ours[i] - theirs[i]) <= 1e-3f * (1 + Math.Abs(theirs[i]))))
                {
                    throw new InvalidOperationException($"D3 {Gradient} gradient, {Threads} threads: element {i} is {ours[i]}, libtorch gives {theirs[i]}.");
                }
            }
        }

        _limit = Gradient == ConvGradient.Bias
            ? new MemoryLimit(OutputShape.ElementCount * sizeof(float), OutputShape.Channels * sizeof(float))
            : new FmaLimit(MultiplyAdds);
    }

    [Benchmark(Baseline = true)]
    public void Unpooling() => Functional.ConvTranspose2DBackward<float>(
        _outputGradient, _source, SourceShape, _weight, WeightShape, Geometry, _sourceGradient, _weightGradient, _biasGradient, Options);

    [Benchmark]
    public void LibTorch() => TorchGradient().Dispose();

    [Benchmark]
    public float Limit() => _limit!.Run(Threads);

    private Tensor TorchGradient()
    {
        IList<Tensor> grads = torch.autograd.grad([_torchOutput!], [_torchWanted!], [_torchGradient!], retain_graph: true);
        return grads[0];
    }
}
