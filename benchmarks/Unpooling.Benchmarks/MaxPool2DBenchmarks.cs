using BenchmarkDotNet.Attributes;
using Unpooling.Benchmarks.Naive;

namespace Unpooling.Benchmarks;

/// <summary>
/// <c>max_pool2d_with_indices</c> on float with int64 indices (PyTorch's types): the naive scalar loop against the
/// library's SIMD kernel on one core and on all cores. Shapes: a VGG-style batch, one 56x56 image, and an odd width
/// (55) whose last vector overlaps the previous one.
/// </summary>
[MemoryDiagnoser]
public class MaxPool2DBenchmarks : PoolWindowBenchmark
{
    private float[] _source = [];
    private float[] _destination = [];
    private long[] _indices = [];
    private Shape4D _shape;
    private Pool2DGeometry _geometry;

    [GlobalSetup]
    public void Setup()
    {
        _shape = BenchmarkData.ParseShape(Shape);
        _geometry = BenchmarkData.Geometry(Window);
        _source = BenchmarkData.RandomValues(_shape.ElementCount);
        long outputCount = _shape.WithSpatialSize(_geometry.GetOutputSize(_shape.SpatialSize)).ElementCount;
        _destination = new float[outputCount];
        _indices = new long[outputCount];

        // Check the library against the naive loop once, on the very buffers that are timed.
        var expected = new float[outputCount];
        var expectedIndices = new long[outputCount];
        Naive();
        _destination.CopyTo(expected, 0);
        _indices.CopyTo(expectedIndices, 0);
        foreach (int degree in (int[])[1, -1])
        {
            Array.Fill(_destination, float.NaN);
            Array.Fill(_indices, -7L);
            Functional.MaxPool2D(_source, _shape, _geometry, _destination, _indices, degree);
            BenchmarkData.RequireSame<float>(expected, _destination, $"MaxPool2D {Shape} {Window} values, degree {degree}");
            BenchmarkData.RequireSame<long>(expectedIndices, _indices, $"MaxPool2D {Shape} {Window} indices, degree {degree}");
        }
    }

    [Benchmark(Baseline = true)]
    public void Naive()
    {
        (int k, int s, int p) = BenchmarkData.Window(Window);
        NaiveOps.MaxPool2D(_source, _shape, k, s, p, _destination, _indices);
    }

    [Benchmark]
    public void SimdOneThread()
        => Functional.MaxPool2D(_source, _shape, _geometry, _destination, _indices, maxDegreeOfParallelism: 1);

    [Benchmark]
    public void SimdAllCores()
        => Functional.MaxPool2D(_source, _shape, _geometry, _destination, _indices, maxDegreeOfParallelism: -1);
}
