using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling3D;

/// <summary>
/// 3-D argmax unpooling against the oracle in every convention (replace and sum), round trips pool -> unpool, explicit
/// output sizes, overlapping windows (last wins), the switches form, and 3-D index conversion round trips.
/// </summary>
public sealed class MaxUnpool3DTests
{
    private static IEnumerable<Pool3DCase<float>> Cases(int seed, int count)
    {
        var random = new Random(seed);
        int made = 0;
        for (int attempt = 0; made < count && attempt < count * 20; attempt++)
        {
            Axis3 ad = Pool3DCases.RandomAxis(random), ah = Pool3DCases.RandomAxis(random), aw = Pool3DCases.RandomAxis(random);
            var shape = new Shape5D(1 + random.Next(2), 1 + random.Next(3), 1 + random.Next(5), 1 + random.Next(5), 1 + random.Next(7));
            Pool3DCase<float>? c = Pool3DCases.Make<float>(random, shape, ad, ah, aw, random.Next(2) == 1, specials: false);
            if (c is not null)
            {
                made++;
                yield return c;
            }
        }
    }

    [Fact]
    public void UnpoolOfPoolMatchesOracleInEveryConventionAndReduction()
    {
        int checkedCases = 0;
        foreach (Pool3DCase<float> c in Cases(seed: 21, count: 60))
        {
            Shape5D pooled = c.PooledShape;
            float[] values = c.Expected.Values;
            foreach (IndexConvention convention in Pool3DCases.Conventions)
            {
                long[] indices = c.ExpectedIndices(convention);
                foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
                {
                    // Pooled with dilation or ceil mode, the pooling input may lie past the default size: unpool into the
                    // pooling input's size when the rule allows it, else skip the case (the switches form covers it).
                    Size3D size = c.Shape.SpatialSize;
                    if (!WithinRule(c, size))
                    {
                        continue;
                    }

                    float[]? expected = Pool3DReference.Unpool(values, indices, pooled.Batch, pooled.Channels, pooled.Depth, pooled.Height, pooled.Width,
                        size.Depth, size.Height, size.Width, c.Depth, c.Height, c.Width, convention, reduction == UnpoolReduction.Sum);
                    Assert.NotNull(expected);
                    var destination = new GuardedBuffer<float>(expected.Length);
                    destination.Fill(7f);
                    Functional.MaxUnpool3D(values, indices, pooled, c.Geometry, destination.Span, size, convention, reduction, Threads.Options(2));
                    destination.AssertGuardsIntact(c.ToString());
                    BitAssert.Equal<float>(expected, destination.ToArray(), $"{c} {convention} {reduction}");
                    checkedCases++;
                }
            }
        }

        Assert.True(checkedCases >= 300, $"only {checkedCases} unpoolings checked");
    }

    [Fact]
    public void SwitchesFormRestoresEveryMaximumAtItsArgmax()
    {
        foreach (Pool3DCase<float> c in Cases(seed: 22, count: 30))
        {
            Tensor<float> x = Tensor.Create(c.Source, [c.Shape.Batch, c.Shape.Channels, c.Shape.Depth, c.Shape.Height, c.Shape.Width]);
            foreach (IndexConvention convention in Pool3DCases.Conventions)
            {
                (Tensor<float> v, Switches3D<long> s) = Functional.MaxPool3D(x, c.Geometry, convention);
                Assert.Equal(c.Shape.SpatialSize, s.SourceSize);
                Assert.Equal(c.PooledShape, s.PooledShape);
                Tensor<float> y = Functional.MaxUnpool3D(v, s);
                float[]? expected = Pool3DReference.Unpool(c.Expected.Values, c.ExpectedIndices(convention), c.Shape.Batch, c.Shape.Channels,
                    c.Expected.OutD, c.Expected.OutH, c.Expected.OutW, c.Shape.Depth, c.Shape.Height, c.Shape.Width, c.Depth, c.Height, c.Width, convention, sum: false);
                BitAssert.Equal<float>(expected!, y.ToArray(), $"{c} {convention}");
            }
        }
    }

    [Fact]
    public void OverlappingWindowsLastInputWins()
    {
        // Two pooled elements of one plane name the same cell 5: replace keeps the later value, sum adds both.
        float[] values = [1f, 2f, 3f, 4f];
        long[] indices = [5, 0, 5, 7];
        var shape = new Shape5D(1, 1, 1, 2, 2);
        var geometry = new Pool3DGeometry(new Size3D(1, 2, 2), new Size3D(1, 1, 1));
        var y = new float[1 * 1 * 1 * 3 * 3];
        Functional.MaxUnpool3D(values, indices, shape, geometry, y);
        Assert.Equal([2f, 0, 0, 0, 0, 3f, 0, 4f, 0], y);
        Functional.MaxUnpool3D(values, indices, shape, geometry, y, reduction: UnpoolReduction.Sum);
        Assert.Equal([2f, 0, 0, 0, 0, 4f, 0, 4f, 0], y);
    }

    [Fact]
    public void ExplicitOutputSizeReadsIndicesInThatSize()
    {
        // Pooled 1x1x1 of a k2 s2 geometry: default 2x2x2, explicit 3x3x3 allowed (strictly within one stride).
        var geometry = new Pool3DGeometry(2);
        var shape = new Shape5D(1, 1, 1, 1, 1);
        var y = new double[27];
        Functional.MaxUnpool3D([5.0], [13L], shape, geometry, y, new Size3D(3, 3, 3));
        Assert.Equal(5.0, y[13]);
        Assert.Equal(5.0, y.Sum());
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool3D([5.0], [13L], shape, geometry, new double[64], new Size3D(4, 4, 4)));
    }

    [Fact]
    public void ColumnMajorFollowsTheFormulaByHand()
    {
        // [1, 2, 2, 3, 4]: cell (c 1, d 1, h 2, w 3) is (1)*24 + 1 + 2*2 + 3*2*3 = 47 column-major, 1*24 + (1*3 + 2)*4 + 3 = 47 row-major too;
        // cell (c 0, d 1, h 0, w 1): column-major 1 + 0 + 1*6 = 7, row-major 12 + 1 = 13.
        var shape = new Shape5D(1, 2, 1, 1, 1);
        var geometry = new Pool3DGeometry(new Size3D(2, 3, 4));
        var y = new float[48];
        Functional.MaxUnpool3D([1f, 2f], [7L, 47L], shape, geometry, y, indexConvention: IndexConvention.GlobalColumnMajor);
        Assert.Equal(1f, y[13]);
        Assert.Equal(2f, y[47]);
        Assert.Equal(3f, y.Sum());
    }

    [Fact]
    public void ConvertIndicesRoundTripsBetweenEveryPairOfConventions()
    {
        foreach (Pool3DCase<float> c in Cases(seed: 23, count: 25))
        {
            Shape5D pooled = c.PooledShape;
            foreach (IndexConvention from in Pool3DCases.Conventions)
            {
                long[] source = c.ExpectedIndices(from);
                foreach (IndexConvention to in Pool3DCases.Conventions)
                {
                    var converted = new long[source.Length];
                    Functional.ConvertIndices(source, pooled, c.Shape.SpatialSize, c.Geometry, from, converted, to);
                    Assert.True(c.ExpectedIndices(to).AsSpan().SequenceEqual(converted), $"{c} {from} -> {to}");
                }
            }
        }
    }

    [Fact]
    public void ConvertIndicesInPlaceAndTensorForm()
    {
        Pool3DCase<float> c = Cases(seed: 24, count: 1).First();
        long[] indices = c.ExpectedIndices(IndexConvention.PerPlane);
        Functional.ConvertIndices(indices, c.PooledShape, c.Shape.SpatialSize, IndexConvention.PerPlane, indices, IndexConvention.ChannelsLastWithBatch);
        Assert.Equal(c.ExpectedIndices(IndexConvention.ChannelsLastWithBatch), indices);
        Shape5D p = c.PooledShape;
        Tensor<long> t = Tensor.Create(indices, [p.Batch, p.Channels, p.Depth, p.Height, p.Width]);
        Tensor<long> w = Functional.ConvertIndices(t, c.Shape.SpatialSize, c.Geometry, IndexConvention.ChannelsLastWithBatch, IndexConvention.InWindow);
        Assert.Equal(c.ExpectedIndices(IndexConvention.InWindow), w.ToArray());
    }

    private static bool WithinRule(Pool3DCase<float> c, Size3D size)
        => Within(c.Depth, c.Expected.OutD, size.Depth) && Within(c.Height, c.Expected.OutH, size.Height) && Within(c.Width, c.Expected.OutW, size.Width);

    private static bool Within(Axis3 a, int pooled, int size)
    {
        int d = a.UnpoolSize(pooled);
        return size > d - a.Stride && size < d + a.Stride;
    }
}
