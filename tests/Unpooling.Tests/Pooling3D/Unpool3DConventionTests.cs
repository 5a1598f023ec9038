using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling3D;

/// <summary>
/// 3-D argmax unpooling from global column-major and InWindow indices, the two conventions with their own 3-D kernel:
/// equal to the oracle (<see cref="Pool3DReference.Unpool{T}"/>) for replace and sum, the same bytes for 1, 2 and 3
/// threads, the block writer (non-overlapping windows) and the per-volume scatter both called directly on the same
/// switches, column-major indices that cross volumes (one-thread scatter, last wins), explicit output sizes above and
/// below the blocks, and the first bad index reported at the same position whatever the thread count, with nothing
/// written.
/// </summary>
public sealed unsafe class Unpool3DConventionTests
{
    private static readonly IndexConvention[] Conventions = [IndexConvention.GlobalColumnMajor, IndexConvention.InWindow];

    /// <summary>Non-overlapping (block) geometries, then overlapping, padded and dilated ones.</summary>
    private static readonly (Axis3 D, Axis3 H, Axis3 W, bool Ceil)[] Geometries =
    [
        (new(2, 2, 0, 0, 1), new(2, 2, 0, 0, 1), new(2, 2, 0, 0, 1), false),
        (new(2, 2, 0, 0, 1), new(3, 3, 0, 0, 1), new(2, 2, 0, 0, 1), true),
        (new(1, 1, 0, 0, 1), new(2, 2, 0, 0, 1), new(4, 4, 0, 0, 1), false),
        (new(3, 2, 1, 1, 1), new(3, 2, 1, 0, 1), new(3, 1, 1, 1, 1), true),
        (new(2, 1, 0, 0, 2), new(2, 2, 1, 1, 1), new(3, 2, 0, 0, 2), false),
    ];

    [Fact]
    public void MatchesTheOracleForEveryTypeReductionAndThreadCount()
    {
        CheckType<float>(seed: 1);
        CheckType<double>(seed: 2);
        CheckType<byte>(seed: 3);
        CheckType<Half>(seed: 4);
        CheckType<int>(seed: 5);
    }

    /// <summary>The block writer and the per-volume scatter give the oracle's bytes on the same switches, at 1 and 2 threads.</summary>
    [Fact]
    public void BlockWriterAndScatterAgreeOnNonOverlappingWindows()
    {
        var random = new Random(7);
        foreach ((Axis3 d, Axis3 h, Axis3 w, bool ceil) in Geometries.Take(3))
        {
            foreach (int extra in new[] { -1, 0, 1 })
            {
                Pool3DCase<float>? c = Pool3DCases.Make<float>(random, new Shape5D(2, 2, 5, 7, 9 + random.Next(3)), d, h, w, ceil, specials: false);
                Assert.NotNull(c);
                Shape5D pooled = c.PooledShape;
                Size3D size = new(
                    Size(d, pooled.Depth, c.Shape.Depth, extra), Size(h, pooled.Height, c.Shape.Height, extra), Size(w, pooled.Width, c.Shape.Width, extra));
                long[] taps = c.ExpectedIndices(IndexConvention.InWindow);
                if (!AllTapsInside(c, taps, size))
                {
                    continue;
                }

                float[]? expected = Pool3DReference.Unpool(c.Expected.Values, taps, pooled.Batch, pooled.Channels, pooled.Depth, pooled.Height, pooled.Width,
                    size.Depth, size.Height, size.Width, d, h, w, IndexConvention.InWindow, sum: false);
                Assert.NotNull(expected);
                SpatialPlan plan = SpatialPlan.ForPool(c.Geometry, size, pooled.SpatialSize);
                foreach (bool block in new[] { true, false })
                {
                    foreach (int degree in new[] { 1, 2 })
                    {
                        var y = new GuardedBuffer<float>(expected.Length);
                        y.Fill(9f);
                        long bad;
                        fixed (float* x = c.Expected.Values)
                        fixed (long* i = taps)
                        fixed (float* o = y.Span)
                        {
                            bad = MaxUnpool3DKernel.RunInWindow(x, i, o, (int)pooled.PlaneCount, plan, block, sum: false, degree);
                        }

                        string context = $"{c} size {size} block {block} degree {degree}";
                        Assert.True(bad == -1, $"{context}: reported position {bad}");
                        y.AssertGuardsIntact(context);
                        BitAssert.Equal<float>(expected, y.ToArray(), context);
                    }
                }
            }
        }
    }

    /// <summary>Column-major indices naming cells of other volumes (duplicates too): the last in input order wins, for any thread count.</summary>
    [Fact]
    public void ColumnMajorIndicesAcrossVolumesLastWins()
    {
        var random = new Random(11);
        var pooled = new Shape5D(2, 3, 2, 3, 4);
        var geometry = new Pool3DGeometry(2);
        Size3D size = new(4, 6, 8);
        long space = pooled.Batch * pooled.Channels * size.Volume;
        var values = new float[pooled.ElementCount];
        var indices = new long[pooled.ElementCount];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i + 1;
            indices[i] = random.Next(8) == 0 ? indices[random.Next(i + 1)] : random.NextInt64(space); // some duplicates
        }

        Axis3 axis = new(2, 2, 0, 0, 1);
        foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
        {
            float[]? expected = Pool3DReference.Unpool(values, indices, pooled.Batch, pooled.Channels, pooled.Depth, pooled.Height, pooled.Width,
                size.Depth, size.Height, size.Width, axis, axis, axis, IndexConvention.GlobalColumnMajor, reduction == UnpoolReduction.Sum);
            Assert.NotNull(expected);
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var y = new float[expected.Length];
                Array.Fill(y, 5f);
                Functional.MaxUnpool3D<float, long>(values, indices, pooled, geometry, y, size, IndexConvention.GlobalColumnMajor, reduction, Threads.Options(threads));
                BitAssert.Equal<float>(expected, y, $"{reduction} {threads} threads");
            }
        }
    }

    /// <summary>A bad index is reported at its position, the first in input order, for any thread count; nothing is written.</summary>
    [Theory]
    [InlineData(IndexConvention.GlobalColumnMajor, 0)]
    [InlineData(IndexConvention.InWindow, 0)]
    [InlineData(IndexConvention.InWindow, 3)]
    public void FirstBadIndexIsReportedWhateverTheThreadCount(IndexConvention convention, int geometry)
    {
        (Axis3 d, Axis3 h, Axis3 w, bool ceil) = Geometries[geometry];
        Pool3DCase<float>? c = Pool3DCases.Make<float>(new Random(13), new Shape5D(2, 3, 5, 6, 7), d, h, w, ceil, specials: false);
        Assert.NotNull(c);
        Shape5D pooled = c.PooledShape;
        long[] indices = c.ExpectedIndices(convention);
        long tooLarge = convention == IndexConvention.InWindow ? (long)d.Kernel * h.Kernel * w.Kernel : c.Shape.ElementCount;
        int late = indices.Length - 2, early = indices.Length / 2;
        indices[late] = -1;
        indices[early] = tooLarge;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var y = new GuardedBuffer<float>((int)c.Shape.ElementCount);
            y.Fill(3f);
            var e = Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool3D<float, long>(
                c.Expected.Values, indices, pooled, c.Geometry, y.Span, c.Shape.SpatialSize, convention, options: Threads.Options(threads)));
            Assert.Contains($"at position {early} ", e.Message, StringComparison.Ordinal);
            Assert.All(y.ToArray(), v => Assert.Equal(3f, v));
            y.AssertGuardsIntact($"{convention} {threads} threads");
        }
    }

    /// <summary>An in-range tap of a block cut by a smaller output (ceil mode) whose cell lies past it is refused; the real taps unpool.</summary>
    [Fact]
    public void CutBlocksRefuseTapsPastTheOutput()
    {
        // Width 5 pooled k2 s2 with ceil: 3 windows, the last holding only column 4; depth and height 2 (one block).
        var axis = new Axis3(2, 2, 0, 0, 1);
        Pool3DCase<float>? c = Pool3DCases.Make<float>(new Random(17), new Shape5D(1, 2, 2, 2, 5), axis, axis, axis, ceil: true, specials: false);
        Assert.NotNull(c);
        Shape5D pooled = c.PooledShape;
        Assert.Equal(3, pooled.Width);
        long[] taps = c.ExpectedIndices(IndexConvention.InWindow);
        float[]? expected = Pool3DReference.Unpool(c.Expected.Values, taps, 1, 2, 1, 1, 3, 2, 2, 5, axis, axis, axis, IndexConvention.InWindow, sum: false);
        var y = new float[40];
        Functional.MaxUnpool3D<float, long>(c.Expected.Values, taps, pooled, c.Geometry, y, new Size3D(2, 2, 5), IndexConvention.InWindow, options: Threads.Options(2));
        BitAssert.Equal<float>(expected!, y, "ceil-mode switches");

        taps[5] = 1; // plane 1's last window: tap (0, 0, 1) is column 5, past the output
        Array.Fill(y, 4f);
        var e = Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool3D<float, long>(
            c.Expected.Values, taps, pooled, c.Geometry, y, new Size3D(2, 2, 5), IndexConvention.InWindow, options: Threads.Options(2)));
        Assert.Contains("at position 5 ", e.Message, StringComparison.Ordinal);
        Assert.All(y, v => Assert.Equal(4f, v));
    }

    private static void CheckType<T>(int seed)
        where T : unmanaged, INumber<T>
    {
        var random = new Random(seed);
        int checkedCases = 0;
        foreach ((Axis3 d, Axis3 h, Axis3 w, bool ceil) in Geometries)
        {
            Pool3DCase<T>? c = Pool3DCases.Make<T>(random, new Shape5D(2, 2, 4 + random.Next(2), 5, 6 + random.Next(4)), d, h, w, ceil, specials: false);
            Assert.NotNull(c);
            Shape5D pooled = c.PooledShape;
            Size3D size = c.Shape.SpatialSize;
            if (!Within(d, pooled.Depth, size.Depth) || !Within(h, pooled.Height, size.Height) || !Within(w, pooled.Width, size.Width))
            {
                continue;
            }

            foreach (IndexConvention convention in Conventions)
            {
                long[] indices = c.ExpectedIndices(convention);
                foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
                {
                    T[]? expected = Pool3DReference.Unpool(c.Expected.Values, indices, pooled.Batch, pooled.Channels, pooled.Depth, pooled.Height, pooled.Width,
                        size.Depth, size.Height, size.Width, d, h, w, convention, reduction == UnpoolReduction.Sum);
                    Assert.NotNull(expected);
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        var y = new GuardedBuffer<T>(expected.Length);
                        y.Fill(T.One);
                        Functional.MaxUnpool3D<T, long>(c.Expected.Values, indices, pooled, c.Geometry, y.Span, size, convention, reduction, Threads.Options(threads));
                        string context = $"{typeof(T).Name} {c} {convention} {reduction} {threads} threads";
                        y.AssertGuardsIntact(context);
                        ElementData.Exact<T>(expected, y.Span, context);
                    }

                    checkedCases++;
                }
            }
        }

        Assert.True(checkedCases >= 12, $"{typeof(T).Name}: only {checkedCases} unpoolings checked");
    }

    /// <summary>An output size <paramref name="extra"/> away from the pooling input's, kept inside PyTorch's rule.</summary>
    private static int Size(Axis3 a, int pooled, int input, int extra)
    {
        int d = a.UnpoolSize(pooled), size = input + extra;
        return size > d - a.Stride && size < d + a.Stride ? size : input;
    }

    private static bool Within(Axis3 a, int pooled, int size)
    {
        int d = a.UnpoolSize(pooled);
        return size > d - a.Stride && size < d + a.Stride;
    }

    /// <summary>Whether every tap's cell lies in an output of <paramref name="size"/> (a smaller output may cut one off).</summary>
    private static bool AllTapsInside(Pool3DCase<float> c, long[] taps, Size3D size)
    {
        int od = c.Expected.OutD, oh = c.Expected.OutH, ow = c.Expected.OutW;
        for (int i = 0; i < taps.Length; i++)
        {
            int rest = i % (od * oh * ow);
            long t = taps[i], kw = t % c.Width.Kernel, kh = t / c.Width.Kernel % c.Height.Kernel, kd = t / c.Width.Kernel / c.Height.Kernel;
            if (c.Depth.Position(rest / (oh * ow), kd) >= size.Depth || c.Height.Position(rest / ow % oh, kh) >= size.Height
                || c.Width.Position(rest % ow, kw) >= size.Width)
            {
                return false;
            }
        }

        return true;
    }
}
