using BenchmarkDotNet.Attributes;
using Unpooling.Layers;

namespace Unpooling.Benchmarks;

/// <summary>
/// What a layer object saves per call (issue 15): D1-D4's transposed convolutions through
/// <see cref="Functional.ConvTranspose2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
/// (packs the weights and rents its scratch on every call) against a <see cref="ConvTranspose2D{T}"/> layer holding the
/// same weights (packed once, scratch kept in its workspace, the weights compared with the packed copy on each call),
/// and the layer's forward plus backward (source and weight gradients) against the functions' in the same run. The
/// results are the same bits (checked in setup).
/// </summary>
[MemoryDiagnoser]
public class ConvLayerBenchmarks : PeerBenchmark
{
    private float[] _source = [];
    private float[] _destination = [];
    private float[] _outputGradient = [];
    private float[] _sourceGradient = [];
    private float[] _weightGradient = [];
    private float[] _biasGradient = [];
    private Shape4D _sourceShape;
    private ConvTranspose2D<float>? _layer;
    private float[] _weight = [];
    private float[] _bias = [];

    [Params(ConvWorkload.D1, ConvWorkload.D2, ConvWorkload.D3, ConvWorkload.D4)]
    public ConvWorkload Workload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (Shape4D source, int cout, int k, int s, int p, int op) = ConvTranspose2DBenchmarks.Describe(Workload);
        _sourceShape = source;
        _layer = new ConvTranspose2D<float>(source.Channels, cout, new Conv2DGeometry(k, s, p, outputPadding: op), seed: BenchmarkData.Seed, options: Options);
        _weight = _layer.Weight.ToArray();
        _bias = _layer.Bias.ToArray();
        _source = BenchmarkData.RandomValues(source.ElementCount);
        Shape4D output = _layer.GetOutputShape(source);
        _destination = new float[output.ElementCount];
        _outputGradient = BenchmarkData.RandomValues(output.ElementCount, BenchmarkData.Seed + 3);
        _sourceGradient = new float[source.ElementCount];
        _weightGradient = new float[_weight.Length];
        _biasGradient = new float[cout];

        Function();
        float[] expected = (float[])_destination.Clone();
        Layer();
        BenchmarkData.RequireSame<float>(expected, _destination, $"layer {Workload} forward");
        FunctionTraining();
        float[] expectedGradient = (float[])_sourceGradient.Clone();
        LayerTraining();
        BenchmarkData.RequireSame<float>(expectedGradient, _sourceGradient, $"layer {Workload} source gradient");
    }

    [Benchmark(Baseline = true)]
    public void Function()
        => Functional.ConvTranspose2D(_source, _sourceShape, _weight, _layer!.WeightShape, _bias, _layer.Geometry, _destination, Options);

    [Benchmark]
    public void Layer() => _layer!.Forward(_source, _sourceShape, _destination);

    [Benchmark]
    public void FunctionTraining()
    {
        Function();
        Functional.ConvTranspose2DBackward(
            _outputGradient, _source, _sourceShape, _weight, _layer!.WeightShape, _layer.Geometry, _sourceGradient, _weightGradient, _biasGradient, Options);
    }

    [Benchmark]
    public void LayerTraining()
    {
        _layer!.Forward(_source, _sourceShape, _destination);
        _layer.ZeroGradients();
        _layer.Backward(_source, _sourceShape, _outputGradient, _sourceGradient);
    }
}
