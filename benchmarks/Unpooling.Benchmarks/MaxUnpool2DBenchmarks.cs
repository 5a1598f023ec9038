using BenchmarkDotNet.Attributes;
using Unpooling.Benchmarks.Naive;

namespace Unpooling.Benchmarks;

/// <summary>
/// <c>max_unpool2d</c> A1-style (SegNet decoder): the input is pooled once in setup to get the values and their int64
/// per-plane indices, and the benchmark unpools them back to the input's size (given explicitly, since the default
/// <c>(i-1)*s - 2p + k</c> differs from it for odd sizes and for the padded window). Memory-bound: every output cell is
/// written once, most of them with zero.
/// </summary>
[MemoryDiagnoser]
public class MaxUnpool2DBenchmarks : PoolWindowBenchmark
{
    private float[] _source = [];
    private long[] _indices = [];
    private float[] _destination = [];
    private Shape4D _pooledShape;
    private Size2D _outputSize;
    private Pool2DGeometry _geometry;

    [GlobalSetup]
    public void Setup()
    {
        Shape4D inputShape = BenchmarkData.ParseShape(Shape);
        _geometry = BenchmarkData.Geometry(Window);
        _outputSize = inputShape.SpatialSize;
        _pooledShape = inputShape.WithSpatialSize(_geometry.GetOutputSize(_outputSize));
        float[] input = BenchmarkData.RandomValues(inputShape.ElementCount);
        _source = new float[_pooledShape.ElementCount];
        _indices = new long[_pooledShape.ElementCount];
        Functional.MaxPool2D(input, inputShape, _geometry, _source, _indices, maxDegreeOfParallelism: 1);
        _destination = new float[inputShape.ElementCount];

        // Check the library against the naive scatter once, on the very buffers that are timed.
        Naive();
        float[] expected = (float[])_destination.Clone();
        foreach (int degree in (int[])[1, -1])
        {
            Array.Fill(_destination, float.NaN);
            Unpool(degree);
            BenchmarkData.RequireSame<float>(expected, _destination, $"MaxUnpool2D {Shape} {Window}, degree {degree}");
        }
    }

    [Benchmark(Baseline = true)]
    public void Naive() => NaiveOps.MaxUnpool2D(_source, _indices, _pooledShape, _outputSize, _destination);

    [Benchmark]
    public void SimdOneThread() => Unpool(1);

    [Benchmark]
    public void SimdAllCores() => Unpool(-1);

    private void Unpool(int degree)
        => Functional.MaxUnpool2D(
            _source, _indices, _pooledShape, _geometry, _destination, _outputSize, UnpoolReduction.Replace, maxDegreeOfParallelism: degree);
}
