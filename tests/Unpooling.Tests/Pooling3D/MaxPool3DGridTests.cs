using System.Numerics;
using System.Runtime.Intrinsics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling3D;

/// <summary>
/// 3-D max pooling equals the oracle bit for bit over a seeded grid of per-axis geometries (kernel 1-3, stride 1-3,
/// begin/end padding 0-2 independently, dilation 1-2, ceil off/on), at pooled widths on every vector boundary, for
/// each width instantiation, every index convention and both index types.
/// </summary>
public abstract class MaxPool3DGridTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static IEnumerable<Pool3DCase<T>> Grid(int seed, int geometries)
    {
        var random = new Random(seed);
        int[] widths = new[] { Vector128<T>.Count, Vector256<T>.Count, Vector512<T>.Count }
            .SelectMany(n => new[] { 1, n - 1, n, n + 1, (2 * n) + 1, (8 * n) + 7 }).Where(w => w >= 1).Distinct().ToArray();
        int made = 0;
        for (int attempt = 0; made < geometries && attempt < geometries * 20; attempt++)
        {
            Axis3 ad = Pool3DCases.RandomAxis(random), ah = Pool3DCases.RandomAxis(random), aw = Pool3DCases.RandomAxis(random);
            bool ceil = random.Next(2) == 1;
            int outW = widths[random.Next(widths.Length)];
            Pool3DCase<T>? c = Pool3DCases.Make<T>(random, 1 + random.Next(2), 1 + random.Next(2), 1 + random.Next(5), 1 + random.Next(5), ad, ah, aw, ceil, outW);
            if (c is not null)
            {
                made++;
                yield return c;
            }
        }
    }

    [Theory]
    [Trait("Widths", "Direct")]
    [InlineData(0)]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(512)]
    public void KernelMatchesOracleAtEveryWidth(int width)
    {
        foreach (Pool3DCase<T> c in Grid(seed: 11 + width, geometries: 120))
        {
            int n = c.Expected.Values.Length;
            var values = new T[n];
            var indices = new long[n];
            var ints = new int[n];
            Pool3DCases.Kernel(width, c, values, indices, IndexConvention.PerPlane, degree: 1);
            Pool3DCases.AssertEqual(c, IndexConvention.PerPlane, values, indices, $"width {width} long");
            Pool3DCases.Kernel(width, c, values, ints, IndexConvention.GlobalRowMajor, degree: 1);
            Pool3DCases.AssertEqual(c, IndexConvention.GlobalRowMajor, values, ints, $"width {width} int");
        }
    }

    [Fact]
    [Trait("Widths", "Direct")]
    public void EveryConventionMatchesOracleAtEveryWidth()
    {
        foreach (Pool3DCase<T> c in Grid(seed: 5, geometries: 40))
        {
            int n = c.Expected.Values.Length;
            foreach (int width in new[] { 0, 128, 256, 512 })
            {
                foreach (IndexConvention convention in Pool3DCases.Conventions)
                {
                    var values = new T[n];
                    var indices = new long[n];
                    Pool3DCases.Kernel(width, c, values, indices, convention, degree: 1);
                    Pool3DCases.AssertEqual(c, convention, values, indices, $"width {width}");
                }
            }
        }
    }

    [Fact]
    public void PublicSpanFormMatchesOracleWithGuards()
    {
        foreach (Pool3DCase<T> c in Grid(seed: 7, geometries: 60))
        {
            int n = c.Expected.Values.Length;
            var values = new GuardedBuffer<T>(n);
            var indices = new GuardedBuffer<long>(n);
            Functional.MaxPool3D(c.Source, c.Shape, c.Geometry, values.Span, indices.Span);
            values.AssertGuardsIntact(c.ToString());
            indices.AssertGuardsIntact(c.ToString());
            Pool3DCases.AssertEqual(c, IndexConvention.PerPlane, values.ToArray(), indices.ToArray(), "public");
        }
    }

    [Fact]
    public void ThreadCountsGiveTheSameBits()
    {
        var random = new Random(3);
        Pool3DCase<T> c = Pool3DCases.Make<T>(random, new Shape5D(2, 3, 7, 9, 45), new Axis3(3, 2, 1, 1, 1), new Axis3(2, 1, 0, 1, 1), new Axis3(3, 2, 1, 0, 1), ceil: true)!;
        int n = c.Expected.Values.Length;
        foreach (IndexConvention convention in Pool3DCases.Conventions)
        {
            foreach (int threads in new[] { 1, 2, 3, 7 })
            {
                var values = new T[n];
                var indices = new long[n];
                Functional.MaxPool3D(c.Source, c.Shape, c.Geometry, values, indices, convention, Threads.Options(threads));
                Pool3DCases.AssertEqual(c, convention, values, indices, $"{threads} threads");
            }
        }
    }
}

public sealed class MaxPool3DGridTestsFloat : MaxPool3DGridTests<float>;

public sealed class MaxPool3DGridTestsDouble : MaxPool3DGridTests<double>;
