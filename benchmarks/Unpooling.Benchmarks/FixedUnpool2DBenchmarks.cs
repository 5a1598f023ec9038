using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Unpooling.Benchmarks.Naive;

namespace Unpooling.Benchmarks;

/// <summary>
/// Fixed-position unpooling (Dosovitskiy et al. 2015; factor 2, upper-left corner) and its nearest-neighbour sibling
/// RepeatUnpool2D, each against its own naive loop (one baseline per category). Shapes are the pooled inputs: a
/// 56x56 batch to 112x112, one 28x28 image, and an odd 27x27. Both are pure stores: memory-bound once vectorized.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FixedUnpool2DBenchmarks
{
    private const int Factor = 2;

    private float[] _source = [];
    private float[] _destination = [];
    private Shape4D _shape;

    /// <summary>The pooled (input) shape; the output is twice as tall and wide.</summary>
    [Params("8x64x56x56", "1x64x28x28", "1x64x27x27")]
    public string Shape { get; set; } = "1x64x28x28";

    [GlobalSetup]
    public void Setup()
    {
        _shape = BenchmarkData.ParseShape(Shape);
        _source = BenchmarkData.RandomValues(_shape.ElementCount);
        _destination = new float[_shape.ElementCount * Factor * Factor];

        // Check the library against the naive loops once, on the very buffers that are timed.
        NaiveFixed();
        float[] expectedFixed = (float[])_destination.Clone();
        NaiveRepeat();
        float[] expectedRepeat = (float[])_destination.Clone();
        foreach (int degree in (int[])[1, -1])
        {
            Array.Fill(_destination, float.NaN);
            Fixed(degree);
            BenchmarkData.RequireSame<float>(expectedFixed, _destination, $"FixedUnpool2D {Shape}, degree {degree}");
            Array.Fill(_destination, float.NaN);
            Repeat(degree);
            BenchmarkData.RequireSame<float>(expectedRepeat, _destination, $"RepeatUnpool2D {Shape}, degree {degree}");
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Fixed")]
    public void NaiveFixed() => NaiveOps.FixedUnpool2D(_source, _shape, Factor, _destination);

    [Benchmark]
    [BenchmarkCategory("Fixed")]
    public void FixedOneThread() => Fixed(1);

    [Benchmark]
    [BenchmarkCategory("Fixed")]
    public void FixedAllCores() => Fixed(-1);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Repeat")]
    public void NaiveRepeat() => NaiveOps.RepeatUnpool2D(_source, _shape, Factor, _destination);

    [Benchmark]
    [BenchmarkCategory("Repeat")]
    public void RepeatOneThread() => Repeat(1);

    [Benchmark]
    [BenchmarkCategory("Repeat")]
    public void RepeatAllCores() => Repeat(-1);

    private void Fixed(int degree)
        => Functional.FixedUnpool2D(_source, _shape, Factor, _destination, maxDegreeOfParallelism: degree);

    private void Repeat(int degree)
        => Functional.RepeatUnpool2D(_source, _shape, Factor, _destination, maxDegreeOfParallelism: degree);
}
