using BenchmarkDotNet.Attributes;
using Unpooling.Benchmarks.Naive;

namespace Unpooling.Benchmarks;

/// <summary>The shapes of <see cref="BlockUnpool2DBenchmarks"/>.</summary>
public enum BlockShape
{
    /// <summary>The demo image: float [1, 3, 128, 128] to 256x256.</summary>
    Demo,

    /// <summary>The C workload: float [8, 64, 56, 56] to 112x112.</summary>
    C,
}

/// <summary>
/// The fixed-position unpooling family at factor 2 (issue 11): fixed upper-left, random and repeat unpooling side by
/// side, so one run shows how far the random offsets trail the fixed ones, and random and repeat channels-last. The baseline is the naive loop of the
/// random formula (plain scalar hashing per cell, zeros first), the operator this class is about; every row of ours
/// is checked against its naive loop before timing.
/// </summary>
[MemoryDiagnoser]
public class BlockUnpool2DBenchmarks : PeerBenchmark
{
    private const ulong Seed = 0x5EED;
    private float[] _source = [];
    private float[] _destination = [];
    private float[] _sourceLast = [];
    private Shape4D _shape;
    private Shape4D _shapeLast;

    [Params(BlockShape.Demo, BlockShape.C)]
    public BlockShape Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _shape = Shape == BlockShape.Demo ? new Shape4D(1, 3, 128, 128) : new Shape4D(8, 64, 56, 56);
        _source = BenchmarkData.RandomValues(_shape.ElementCount);
        _destination = new float[_shape.ElementCount * 4];

        NaiveRandom();
        Check("Random", Random);
        NaiveOps.FixedUnpool2D(_source, _shape, 2, _destination);
        Check("Fixed", Fixed);
        NaiveOps.RepeatUnpool2D(_source, _shape, 2, _destination);
        Check("Repeat", Repeat);

        // Channels-last: the same operators on the permuted source give the permuted channels-first result.
        _shapeLast = Shape4D.ChannelsLast(_shape.Batch, _shape.Height, _shape.Width, _shape.Channels);
        _sourceLast = BenchmarkData.ToChannelsLast(_source, _shape.Batch, _shape.Channels, _shape.PlaneSize);
        Random();
        _destination = BenchmarkData.ToChannelsLast(_destination, _shape.Batch, _shape.Channels, 4 * _shape.PlaneSize);
        Check("ChannelsLastRandom", ChannelsLastRandom);
        Repeat();
        _destination = BenchmarkData.ToChannelsLast(_destination, _shape.Batch, _shape.Channels, 4 * _shape.PlaneSize);
        Check("ChannelsLastRepeat", ChannelsLastRepeat);
    }

    [Benchmark(Baseline = true)]
    public void NaiveRandom() => NaiveRandomUnpool2D(_source, _shape, 2, Seed, _destination);

    [Benchmark]
    public void Fixed() => Functional.FixedUnpool2D(_source, _shape, 2, _destination, options: Options);

    [Benchmark]
    public void Random() => Functional.RandomUnpool2D(_source, _shape, 2, Seed, _destination, options: Options);

    [Benchmark]
    public void Repeat() => Functional.RepeatUnpool2D(_source, _shape, 2, _destination, options: Options);

    /// <summary>Random unpooling of the channels-last <c>[N, H, W, C]</c> source (checked against <see cref="Random"/> permuted).</summary>
    [Benchmark]
    public void ChannelsLastRandom() => Functional.RandomUnpool2D(_sourceLast, _shapeLast, 2, Seed, _destination, options: Options);

    /// <summary>Repeat unpooling of the channels-last source (checked against <see cref="Repeat"/> permuted).</summary>
    [Benchmark]
    public void ChannelsLastRepeat() => Functional.RepeatUnpool2D(_sourceLast, _shapeLast, 2, _destination, options: Options);

    /// <summary>The documented formula (see <c>Functional.RandomUnpool2D</c>) as the plainest loop: zeros, then each cell at its offset.</summary>
    private static void NaiveRandomUnpool2D(float[] x, Shape4D shape, int factor, ulong seed, float[] y)
    {
        y.AsSpan().Clear();
        int h = shape.Height, w = shape.Width, outW = w * factor;
        long outPlane = (long)h * factor * outW;
        for (long plane = 0; plane < shape.PlaneCount; plane++)
        {
            for (int i = 0; i < h; i++)
            {
                for (int j = 0; j < w; j++)
                {
                    ulong b = ((((ulong)plane * (ulong)h) + (ulong)i) * (ulong)w) + (ulong)j;
                    ulong z = unchecked(seed + ((b + 1) * 0x9E3779B97F4A7C15UL));
                    z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
                    z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
                    z ^= z >> 31;
                    long a = (long)(((z & 0xFFFFFFFFUL) * (ulong)factor) >> 32);
                    long c = (long)(((z >> 32) * (ulong)factor) >> 32);
                    y[(plane * outPlane) + ((((long)i * factor) + a) * outW) + ((long)j * factor) + c] = x[(plane * h * w) + ((long)i * w) + j];
                }
            }
        }
    }

    /// <summary>Runs one of ours over a NaN-filled output and requires the naive result now in the destination.</summary>
    private void Check(string name, Action ours)
    {
        float[] expected = (float[])_destination.Clone();
        Array.Fill(_destination, float.NaN);
        ours();
        BenchmarkData.RequireSame<float>(expected, _destination, $"{name} {Shape}, {Threads} threads");
    }
}
