using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling3D;

/// <summary>
/// The threaded 3-D index conversion: every pair of conventions, into a new buffer and in place, equals the oracle's
/// indices (<see cref="Pool3DReference.Indices{T}"/>) for 1, 2 and 3 threads, in long and the narrowest index types;
/// channels-last index arrays (whose volumes interleave) likewise; and a refused call reports the first bad position
/// in memory order whatever the thread count, having written nothing.
/// </summary>
public sealed class ConvertIndices3DThreadTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3];

    private static Pool3DCase<float> Case(int seed, Shape5D shape, bool overlapping)
    {
        Axis3 a = overlapping ? new(3, 2, 1, 1, 1) : new(2, 2, 0, 0, 1);
        Axis3 b = overlapping ? new(2, 1, 0, 1, 2) : new(2, 2, 0, 0, 1);
        Pool3DCase<float>? c = Pool3DCases.Make<float>(new Random(seed), shape, a, b, a, ceil: overlapping, specials: false);
        Assert.NotNull(c);
        return c;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EveryPairEqualsTheOracleForAnyThreadCount(bool overlapping)
    {
        Pool3DCase<float> c = Case(31, new Shape5D(2, 3, 6, 7, 9), overlapping);
        foreach (IndexConvention from in Pool3DCases.Conventions)
        {
            long[] source = c.ExpectedIndices(from);
            foreach (IndexConvention to in Pool3DCases.Conventions)
            {
                long[] expected = c.ExpectedIndices(to);
                foreach (int threads in ThreadCounts)
                {
                    var converted = new GuardedBuffer<long>(source.Length);
                    Functional.ConvertIndices3DCore<long>(source, c.PooledShape, c.Shape.SpatialSize, c.Geometry, from, converted.Span, to, Threads.Options(threads));
                    converted.AssertGuardsIntact($"{from} -> {to}");
                    BitAssert.IndicesEqual<long>(expected, converted.Span, $"{c} {from} -> {to} {threads} threads");

                    long[] inPlace = (long[])source.Clone();
                    Functional.ConvertIndices3DCore<long>(inPlace, c.PooledShape, c.Shape.SpatialSize, c.Geometry, from, inPlace, to, Threads.Options(threads));
                    BitAssert.IndicesEqual<long>(expected, inPlace, $"in place {c} {from} -> {to} {threads} threads");
                }
            }
        }
    }

    /// <summary>The vectorized pairs (per plane, global row-major, same convention) in int, ushort and uint indices.</summary>
    [Fact]
    public void VectorizedPairsInNarrowIndexTypes()
    {
        Pool3DCase<float> c = Case(32, new Shape5D(2, 2, 4, 6, 33), overlapping: false);
        Check<int>(c);
        Check<uint>(c);
        Check<ushort>(c);
    }

    /// <summary>Channels-last index arrays: element (n, c, v) at (n*V + v)*C + c; more than one 4096-position block, so threads split them.</summary>
    [Fact]
    public void ChannelsLastIndexArraysForAnyThreadCount()
    {
        Pool3DCase<float> c = Case(33, new Shape5D(2, 5, 8, 10, 22), overlapping: true);
        Shape5D pooled = c.PooledShape;
        Shape5D last = Shape5D.ChannelsLast(pooled.Batch, pooled.Depth, pooled.Height, pooled.Width, pooled.Channels);
        Assert.True(pooled.ElementCount > 4096, $"{pooled.ElementCount} positions");
        foreach ((IndexConvention from, IndexConvention to) in new[]
        {
            (IndexConvention.PerPlane, IndexConvention.ChannelsLastWithBatch),
            (IndexConvention.InWindow, IndexConvention.GlobalColumnMajor),
            (IndexConvention.GlobalRowMajor, IndexConvention.InWindow),
        })
        {
            long[] source = ToChannelsLast(c.ExpectedIndices(from), pooled);
            long[] expected = ToChannelsLast(c.ExpectedIndices(to), pooled);
            foreach (int threads in ThreadCounts)
            {
                var converted = new long[source.Length];
                Functional.ConvertIndices3DCore<long>(source, last, c.Shape.SpatialSize, c.Geometry, from, converted, to, Threads.Options(threads));
                BitAssert.IndicesEqual<long>(expected, converted, $"channels-last {from} -> {to} {threads} threads");
            }
        }
    }

    /// <summary>Two bad indices (out of range; outside the element's plane): the earlier one is named for any thread count, and nothing is written.</summary>
    [Theory]
    [InlineData(IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, true)]
    [InlineData(IndexConvention.GlobalRowMajor, IndexConvention.PerPlane, false)]
    [InlineData(IndexConvention.GlobalColumnMajor, IndexConvention.InWindow, false)]
    [InlineData(IndexConvention.InWindow, IndexConvention.ChannelsLastPerSample, true)]
    public void FirstBadPositionIsReportedWhateverTheThreadCount(IndexConvention from, IndexConvention to, bool outOfRange)
    {
        Pool3DCase<float> c = Case(34, new Shape5D(2, 3, 6, 7, 9), overlapping: false);
        long[] source = c.ExpectedIndices(from);
        int early = source.Length / 3, late = source.Length - 3;
        long volume = c.Shape.SpatialSize.Volume;
        if (outOfRange)
        {
            source[early] = from == IndexConvention.InWindow ? 8 : volume;
            source[late] = -1;
        }
        else
        {
            // A valid index of the source convention naming a cell of another plane (early: plane 0's element names
            // plane 1; late: the last element names plane 0).
            source[early] = c.ExpectedIndices(from)[source.Length / 2];
            source[late] = c.ExpectedIndices(from)[0];
            Assert.True(early < (int)c.PooledShape.PlaneSize * 3 && source.Length / 2 >= (int)c.PooledShape.PlaneSize * 3, "early names another plane");
        }

        foreach (int threads in ThreadCounts)
        {
            var destination = new long[source.Length];
            Array.Fill(destination, -7);
            Exception e = outOfRange
                ? Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.ConvertIndices3DCore<long>(source, c.PooledShape, c.Shape.SpatialSize, c.Geometry, from, destination, to, Threads.Options(threads)))
                : Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices3DCore<long>(source, c.PooledShape, c.Shape.SpatialSize, c.Geometry, from, destination, to, Threads.Options(threads)));
            Assert.Contains($"at position {early} ", e.Message, StringComparison.Ordinal);
            Assert.All(destination, v => Assert.Equal(-7, v));
        }
    }

    private static void Check<TIndex>(Pool3DCase<float> c)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        IndexConvention[] pair = [IndexConvention.PerPlane, IndexConvention.GlobalRowMajor];
        foreach (IndexConvention from in pair)
        {
            TIndex[] source = c.ExpectedIndices(from).Select(TIndex.CreateChecked).ToArray();
            foreach (IndexConvention to in pair)
            {
                foreach (int threads in ThreadCounts)
                {
                    var converted = new TIndex[source.Length];
                    Functional.ConvertIndices3DCore<TIndex>(source, c.PooledShape, c.Shape.SpatialSize, null, from, converted, to, Threads.Options(threads));
                    BitAssert.IndicesEqual<TIndex>(c.ExpectedIndices(to), converted, $"{typeof(TIndex).Name} {from} -> {to} {threads} threads");
                }
            }
        }
    }

    /// <summary>Reorders channels-first positions (n, c, v) to channels-last memory (n, v, c).</summary>
    private static long[] ToChannelsLast(long[] first, Shape5D pooled)
    {
        long channels = pooled.Channels, volume = pooled.PlaneSize;
        var result = new long[first.Length];
        for (long p = 0; p < first.Length; p++)
        {
            long plane = p / volume, v = p % volume, n = plane / channels, ch = plane % channels;
            result[(((n * volume) + v) * channels) + ch] = first[p];
        }

        return result;
    }
}
