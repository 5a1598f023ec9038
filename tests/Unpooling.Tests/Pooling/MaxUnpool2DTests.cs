using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// MaxUnpool2D against the scatter oracle (SEMANTICS.md 2): default and explicit output sizes at both ends of the
/// range, Replace (last wins) and Sum, the dense 2x2 path at every vector width, and the round trip through MaxPool2D.
/// </summary>
public abstract class MaxUnpool2DTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly UnpoolReduction[] Reductions = [UnpoolReduction.Replace, UnpoolReduction.Sum];

    /// <summary>Geometries with dilation 1 (the unpooled size ignores dilation), overlapping and not, square and not.</summary>
    private static readonly (PoolAxis Rows, PoolAxis Cols)[] Geometries =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1)),
        (new(3, 2, 1, 1), new(3, 2, 1, 1)),
        (new(3, 1, 1, 1), new(3, 1, 1, 1)),
        (new(2, 1, 0, 1), new(3, 3, 0, 1)),
        (new(4, 2, 1, 1), new(2, 2, 0, 1)),
        (new(1, 1, 0, 1), new(5, 3, 2, 1)),
        (new(3, 3, 0, 1), new(4, 3, 1, 1)),
    ];

    /// <summary>
    /// Indices written by the oracle's max pooling of an input whose size the default unpooling restores. (Zeros are
    /// all +0 here; -0 under Sum has its own test.)
    /// </summary>
    [Fact]
    public void PooledIndicesMatchReference()
    {
        var random = new Random(3);
        foreach ((PoolAxis rows, PoolAxis cols) in Geometries)
        {
            foreach (int pooledW in new[] { 1, 4, 9, 37 })
            {
                int h = RoundTripSize(rows, 3), w = RoundTripSize(cols, pooledW);
                var pooled = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * h * w, random.Next(), withSpecials: false, signedZeros: false), 2, 3, h, w, rows, cols, false);
                var shape = pooled.OutputShape;
                foreach (UnpoolReduction reduction in Reductions)
                {
                    CheckBothIndexTypes(pooled.Expected.Values, pooled.Expected.Indices, shape, pooled.Geometry, null, reduction, (h, w));
                }
            }
        }
    }

    /// <summary>Random indices with many duplicates, at the default size and at default ± (stride - 1) on each axis.</summary>
    [Fact]
    public void ExplicitOutputSizesAtBothEndsOfTheRange()
    {
        var random = new Random(4);
        foreach ((PoolAxis rows, PoolAxis cols) in Geometries)
        {
            var shape = new Shape4D(2, 3, 3, 11);
            Pool2DGeometry g = Geometry.ToLibrary(rows, cols, false);
            int defH = rows.UnpoolOutputSize(shape.Height), defW = cols.UnpoolOutputSize(shape.Width);
            foreach (int outH in new[] { defH - rows.Stride + 1, defH, defH + rows.Stride - 1 })
            {
                foreach (int outW in new[] { defW - cols.Stride + 1, defW, defW + cols.Stride - 1 })
                {
                    if (outH < 1 || outW < 1)
                    {
                        continue;
                    }

                    T[] x = TestData.NonZero<T>((int)shape.ElementCount, random.Next());
                    long[] indices = TestData.RandomIndices(x.Length, Math.Max(1, (long)outH * outW / 3), random.Next());
                    foreach (UnpoolReduction reduction in Reductions)
                    {
                        CheckBothIndexTypes(x, indices, shape, g, new Size2D(outH, outW), reduction, (outH, outW));
                    }
                }
            }
        }
    }

    /// <summary>Duplicates worked by hand: x = [1, 2, 3, 4] to cells [0, 0, 3, 0] of a 2x2 plane.</summary>
    [Fact]
    public void DuplicatesReplaceWithTheLastAndSumAll()
    {
        T[] x = [T.One, T.CreateChecked(2), T.CreateChecked(3), T.CreateChecked(4)];
        long[] indices = [0, 0, 3, 0];
        var shape = new Shape4D(1, 1, 2, 2);
        var g = new Pool2DGeometry(1);
        T[] replace = Guarded.Run<T>(4, d => Functional.MaxUnpool2D(x, indices, shape, g, d), "replace");
        BitAssert.Equal<T>([T.CreateChecked(4), T.Zero, T.Zero, T.CreateChecked(3)], replace, "replace: the last of 1, 2, 4 wins cell 0");
        T[] sum = Guarded.Run<T>(4, d => Functional.MaxUnpool2D(x, indices, shape, g, d, reduction: UnpoolReduction.Sum), "sum");
        BitAssert.Equal<T>([T.CreateChecked(7), T.Zero, T.Zero, T.CreateChecked(3)], sum, "sum: cell 0 gets 1 + 2 + 4");
    }

    /// <summary>
    /// The dense 2x2 stride-2 path, called at each vector width, at pooled widths on every boundary of that width, for
    /// outputs of exactly twice the pooled size and of the largest explicit size (2i + 1); NaN payloads and -0 are copied.
    /// Values and indices are read-only on guarded pages and the destination is on guarded pages, flush after and before.
    /// </summary>
    [Fact]
    public unsafe void DensePathMatchesReferenceAtEveryWidth()
    {
        var random = new Random(5);
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (int w in KernelWidths.BoundaryWidths(KernelWidths.Count<T>(width)))
            {
                foreach (int extra in new[] { 0, 1 })
                {
                    var shape = new Shape4D(2, 3, 3, w);
                    var output = new Size2D((2 * shape.Height) + extra, (2 * w) + extra);
                    T[] x = WithSpecials(TestData.NonZero<T>((int)shape.ElementCount, random.Next()), random);
                    long[] indices = TestData.WindowIndices(6, shape.Height, w, output.Width, random.Next());
                    T[] expected = UnpoolReference.MaxUnpool(x, indices, 6, shape.Height, w, output.Height, output.Width, sum: false);
                    string context = $"dense {width} {typeof(T).Name} pooled {shape} output {output}";
                    CheckDense<int>(width, x, indices, shape, output, expected, context);
                    CheckDense<long>(width, x, indices, shape, output, expected, context);
                    CheckBothIndexTypes(x, indices, shape, new Pool2DGeometry(2), extra == 0 ? null : output, UnpoolReduction.Replace, (output.Height, output.Width));
                }
            }
        }
    }

    /// <summary>
    /// 2x2 stride-2 indices where one index leaves its own window (still in range): the library must not take the
    /// dense shortcut's assumptions and must equal the scatter oracle.
    /// </summary>
    [Fact]
    public void IndexOutsideItsWindowFallsBackToScatter()
    {
        var random = new Random(6);
        var shape = new Shape4D(2, 3, 4, 37);
        var output = new Size2D(8, 74);
        foreach (int victim in new[] { 0, 17, 36, (int)shape.ElementCount - 1 })
        {
            T[] x = TestData.NonZero<T>((int)shape.ElementCount, random.Next());
            long[] indices = TestData.WindowIndices(6, 4, 37, output.Width, random.Next());
            indices[victim] = (indices[victim] + 7) % (output.Height * output.Width);
            foreach (UnpoolReduction reduction in Reductions)
            {
                CheckBothIndexTypes(x, indices, shape, new Pool2DGeometry(2), null, reduction, (output.Height, output.Width));
            }
        }
    }

    /// <summary>
    /// Sum is accumulation into zeros, so a -0 input yields +0 (0 + -0 = +0, as PyTorch's max-pool backward gives) on
    /// every path: the dense 2x2 path must agree with the scatter path and with the oracle bit for bit.
    /// </summary>
    [Fact]
    public void SumOfNegativeZeroIsPositiveZeroOnEveryPath()
    {
        var shape = new Shape4D(1, 2, 2, 20);
        T[] x = Enumerable.Repeat(T.NegativeZero, (int)shape.ElementCount).ToArray();
        long[] dense = TestData.WindowIndices(2, 2, 20, 40, 9);
        foreach ((long[] indices, string path) in new[] { (dense, "2x2 in-window indices"), (dense.Select(i => (i + 1) % 160).ToArray(), "scattered indices") })
        {
            T[] y = Guarded.Run<T>(2 * 4 * 40, d => Functional.MaxUnpool2D(x, indices, shape, new Pool2DGeometry(2), d, reduction: UnpoolReduction.Sum), path);
            for (int i = 0; i < y.Length; i++)
            {
                BitAssert.Equal(T.Zero, y[i], $"Sum of -0 inputs, {path}, output {i}");
            }
        }
    }

    /// <summary>
    /// Round trip through the library's own pooling: every argmax cell gets back the input's value (all writers of a
    /// cell carry that same value, so this holds for overlapping windows too) and every other cell is +0.
    /// </summary>
    [Fact]
    public void UnpoolOfPoolKeepsEveryMaximumAtItsArgmax()
    {
        var random = new Random(7);
        foreach ((PoolAxis axis, int size) in new[] { (new PoolAxis(2, 2, 0, 1), 34), (new PoolAxis(3, 2, 1, 1), 33), (new PoolAxis(3, 1, 1, 1), 17) })
        {
            var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * size * size, random.Next()), 2, 3, size, size, axis, axis, false);
            (GuardedBuffer<T> values, GuardedBuffer<long> indices) = c.RunPublic<long>();
            long[] argmax = indices.ToArray();
            T[] pooled = values.ToArray();
            Assert.Equal(new Size2D(size, size), c.Geometry.GetUnpoolOutputSize(new Size2D(c.Expected.OutH, c.Expected.OutW)));
            T[] y = Guarded.Run<T>(c.Source.Length, d => Functional.MaxUnpool2D(pooled, argmax, c.OutputShape, c.Geometry, d), $"round trip {c}");
            var isArgmax = new bool[y.Length];
            int planeOut = c.Expected.OutH * c.Expected.OutW;
            for (int o = 0; o < argmax.Length; o++)
            {
                isArgmax[(o / planeOut * size * size) + argmax[o]] = true;
            }

            for (int i = 0; i < y.Length; i++)
            {
                BitAssert.Equal(isArgmax[i] ? c.Source[i] : T.Zero, y[i], $"round trip {c}, cell {i} (argmax {isArgmax[i]})");
            }

            BitAssert.Equal<T>(UnpoolReference.MaxUnpool(pooled, argmax, 6, c.Expected.OutH, c.Expected.OutW, size, size, false), y, $"round trip vs oracle {c}");
        }
    }

    /// <summary>At least 65536 input elements, so the library threads when allowed; the results must not change.</summary>
    [Fact]
    public void ThreadedResultsEqualSingleThreaded()
    {
        var shape = new Shape4D(2, 4, 96, 96);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 8);
        foreach ((Pool2DGeometry g, long[] indices) in new[]
        {
            (new Pool2DGeometry(2), TestData.WindowIndices(8, 96, 96, 192, 9)),
            (new Pool2DGeometry(3, 2, 1), TestData.RandomIndices((int)shape.ElementCount, 191 * 191, 10)),
        })
        {
            Size2D output = g.GetUnpoolOutputSize(shape.SpatialSize);
            int length = 8 * output.Height * output.Width;
            foreach (UnpoolReduction reduction in Reductions)
            {
                T[] single = Guarded.Run<T>(length, d => Functional.MaxUnpool2D(x, indices, shape, g, d, reduction: reduction, options: ExecutionOptions.SingleThreaded), "degree 1");
                BitAssert.Equal<T>(UnpoolReference.MaxUnpool(x, indices, 8, 96, 96, output.Height, output.Width, reduction == UnpoolReduction.Sum), single, $"{g} {reduction} degree 1");
                int[] narrow = TestData.Convert<int>(indices);
                foreach (int degree in new[] { 2, -1 })
                {
                    T[] threaded = Guarded.Run<T>(length, d => Functional.MaxUnpool2D(x, narrow, shape, g, d, reduction: reduction, options: ExecutionOptions.WithMaxDegreeOfParallelism(degree)), $"degree {degree}");
                    BitAssert.Equal<T>(single, threaded, $"{g} {reduction} degree {degree} vs 1");
                }
            }
        }
    }

    private static unsafe void CheckDense<TIndex>(KernelWidth width, T[] x, long[] indices, Shape4D shape, Size2D output, T[] expected, string context)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        TIndex[] typed = TestData.Convert<TIndex>(indices);
        T[] y = GuardedPages.Run<T>(expected.Length, (p, side) =>
        {
            using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
            using GuardedInput<TIndex> i = GuardedPages.Input<TIndex>(typed, side);
            KernelWidths.DenseMaxUnpool(width, s.Pointer, i.Pointer, p, 6, shape.SpatialSize, output, 1);
        }, context);
        BitAssert.Equal<T>(expected, y, $"{context} {typeof(TIndex).Name}");
    }

    /// <summary>Runs the public span form with int and long indices against the oracle.</summary>
    private static void CheckBothIndexTypes(T[] x, long[] indices, Shape4D shape, Pool2DGeometry g, Size2D? outputSize, UnpoolReduction reduction, (int H, int W) output)
    {
        int planes = shape.Batch * shape.Channels;
        T[] expected = UnpoolReference.MaxUnpool(x, indices, planes, shape.Height, shape.Width, output.H, output.W, reduction == UnpoolReduction.Sum);
        string context = $"{typeof(T).Name} {g} input {shape} output {output.H}x{output.W} (explicit {outputSize?.ToString() ?? "no"}) {reduction}";
        int[] narrow = TestData.Convert<int>(indices);
        T[] wide = Guarded.Run<T>(expected.Length, d => Functional.MaxUnpool2D(x, indices, shape, g, d, outputSize, reduction: reduction), context);
        BitAssert.Equal<T>(expected, wide, $"{context} long");
        T[] small = Guarded.Run<T>(expected.Length, d => Functional.MaxUnpool2D(x, narrow, shape, g, d, outputSize, reduction: reduction), context);
        BitAssert.Equal<T>(expected, small, $"{context} int");
    }

    /// <summary>The input size that pools to <paramref name="pooled"/> and that the default unpooling restores.</summary>
    private static int RoundTripSize(PoolAxis axis, int pooled)
    {
        int size = axis.UnpoolOutputSize(pooled);
        Assert.True(axis.TryGetOutputSize(size, false, out int o) && o == pooled, $"{axis}: {size} does not pool back to {pooled}");
        return size;
    }

    private static T[] WithSpecials(T[] x, Random random)
    {
        for (int i = 0; i < x.Length; i += 1 + random.Next(5))
        {
            x[i] = (i % 3) switch { 0 => TestData.NaN<T>(i + 1), 1 => T.NegativeZero, _ => T.NegativeInfinity };
        }

        return x;
    }
}

public sealed class MaxUnpool2DTestsSingle : MaxUnpool2DTests<float>
{
}

public sealed class MaxUnpool2DTestsDouble : MaxUnpool2DTests<double>
{
}
