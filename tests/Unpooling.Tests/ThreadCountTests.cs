using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Conv;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// SEMANTICS.md 1 and 5: results never depend on the thread count. Every operator runs at
/// <see cref="ExecutionOptions.MaxDegreeOfParallelism"/> 1, 2, 3 and 8 with <see cref="ExecutionOptions.MinParallelElements"/>
/// 0, so these small inputs really split (the runner cuts <c>min(items, 4 * degree)</c> chunks, so each degree cuts the
/// rows or planes at different places); each result equals the one-thread result bit for bit and the oracle (exactly,
/// or within <see cref="ConvTolerance"/> for the convolutions, whose thread results are still compared bit for bit).
/// </summary>
public abstract class ThreadCountTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly int[] Degrees = [1, 2, 3, 8];

    private delegate void Run<TElement>(ExecutionOptions options, Span<TElement> destination);

    /// <summary>The test shapes have at least 32 rows or planes, so degree 8 gets 32 chunks and 8 threads.</summary>
    [Fact]
    public void TheOptionsReallySplitTheseShapes()
    {
        foreach (int degree in Degrees)
        {
            Assert.Equal(degree, Threads.Options(degree).ResolveDegree(items: 32, workSize: 1));
            Assert.Equal(1, ExecutionOptions.WithMaxDegreeOfParallelism(degree).ResolveDegree(items: 32, workSize: 1000));
        }
    }

    /// <summary>Every convention, int and long, two geometries (one overlapping, ceil mode): values and indices.</summary>
    [Fact]
    public void MaxPool2DInEveryConvention()
    {
        foreach ((PoolAxis axis, bool ceil) in new[] { (new PoolAxis(3, 2, 1, 1), true), (new PoolAxis(2, 2, 0, 1), false) })
        {
            // [2, 3, 13, 21]: 6 planes of 6 or 7 output rows = 36 or 42 rows to split.
            var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 13 * 21, 61), 2, 3, 13, 21, axis, axis, ceil);
            Assert.True(c.Planes * c.Expected.OutH >= 32, $"{c}: too few rows to split");
            foreach (IndexConvention convention in IndexConventionReference.All)
            {
                long[] expected = IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, c.Shape.SpatialSize, convention);
                CheckPool<int>(c, convention, expected);
                CheckPool<long>(c, convention, expected);
            }
        }
    }

    /// <summary>Per-plane indices (pooling's 2x2 in-window ones, which take the dense path, and random duplicates), Replace and Sum, int and long.</summary>
    [Fact]
    public void MaxUnpool2DReplaceAndSum()
    {
        // [4, 9, 5, 7]: 36 planes, unpooled by 2x2 stride 2 to 10x14.
        var shape = new Shape4D(4, 9, 5, 7);
        var g = new Pool2DGeometry(2);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 62);
        foreach ((long[] indices, string kind) in new[]
        {
            (TestData.WindowIndices(36, 5, 7, 14, 63), "in-window"),
            (TestData.RandomIndices((int)shape.ElementCount, 10 * 14 / 4, 64), "random duplicates"),
        })
        {
            foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
            {
                T[] expected = UnpoolReference.MaxUnpool(x, indices, 36, 5, 7, 10, 14, reduction == UnpoolReduction.Sum);
                string context = $"MaxUnpool2D {kind} {reduction}";
                int[] narrow = TestData.Convert<int>(indices);
                Check(expected, (o, d) => Functional.MaxUnpool2D(x, indices, shape, g, d, reduction: reduction, options: o), $"{context} long");
                Check(expected, (o, d) => Functional.MaxUnpool2D(x, narrow, shape, g, d, reduction: reduction, options: o), $"{context} int");
            }
        }
    }

    /// <summary>Global indices naming cells of other planes and samples (ONNX MaxUnpool): one writer order, last wins, whatever the degree.</summary>
    [Fact]
    public void MaxUnpool2DAcrossPlanes()
    {
        var shape = new Shape4D(4, 9, 5, 7);
        var g = new Pool2DGeometry(2);
        Shape4D indexed = shape.WithSpatialSize(new Size2D(10, 14));
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 65);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] indices = TestData.RandomIndices((int)shape.ElementCount, IndexConventionReference.Space(convention, indexed) / 3, 66);
            foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
            {
                T[] expected = IndexConventionReference.MaxUnpool(x, indices, shape, indexed.SpatialSize, convention, reduction == UnpoolReduction.Sum);
                Check(expected, (o, d) => Functional.MaxUnpool2D(x, indices, shape, g, d, indexConvention: convention, reduction: reduction, options: o), $"MaxUnpool2D {convention} {reduction}");
            }
        }
    }

    /// <summary>Fixed (an inner offset), Random and Repeat, at the default size and an explicit one that crops and pads.</summary>
    [Fact]
    public void FixedRandomAndRepeatUnpooling()
    {
        var shape = new Shape4D(2, 3, 7, 9);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 67);
        var factor = new Size2D(2, 3);
        var offset = new Size2D(1, 2);
        foreach (Size2D output in new[] { new Size2D(14, 27), new Size2D(13, 29) })
        {
            Check(
                UnpoolReference.Fixed(x, 6, 7, 9, 2, 3, 1, 2, output.Height, output.Width),
                (o, d) => Functional.FixedUnpool2D(x, shape, factor, d, offset, output, o),
                $"FixedUnpool2D {output}");
            Check(
                UnpoolReference.Random(x, 6, 7, 9, 2, 3, 4242, output.Height, output.Width),
                (o, d) => Functional.RandomUnpool2D(x, shape, factor, 4242, d, output, o),
                $"RandomUnpool2D {output}");
            Check(
                UnpoolReference.Repeat(x, 6, 7, 9, 2, 3, output.Height, output.Width),
                (o, d) => Functional.RepeatUnpool2D(x, shape, factor, d, output, o),
                $"RepeatUnpool2D {output}");
        }
    }

    [Fact]
    public void ZeroInsertionAndStridedSubsample()
    {
        var xs = new Shape4D(4, 9, 5, 7);
        var stride = new Size2D(2, 3);
        T[] x = TestData.NonZero<T>((int)xs.ElementCount, 68);
        (T[] inserted, Shape4D zs) = ConvReference.ZeroInsert(x, xs, stride);
        Check(inserted, (o, d) => Functional.ZeroInsert2D(x, xs, stride, d, o), "ZeroInsert2D");
        T[] z = TestData.NonZero<T>((int)zs.ElementCount, 69);
        (T[] subsampled, _) = ConvReference.Subsample(z, zs, stride);
        Check(subsampled, (o, d) => Functional.StridedSubsample2D(z, zs, stride, d, o), "StridedSubsample2D");
    }

    /// <summary>
    /// ConvTranspose2D (2 samples x 51 output channels = 102 items) and Conv2D over its output (2 x 36 = 72 items),
    /// plain and grouped, with bias.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void ConvTranspose2DAndConv2D(int groups)
    {
        var g = new Conv2DGeometry(3, 2, 1, groups: groups, outputPadding: 1);
        var xs = new Shape4D(2, 6, 6, 7);
        var ws = new Shape4D(6, 51 / groups, 3, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 70);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 71);
        T[] bias = ConvData.Uniform<T>(51, 72);
        (T[] expected, Shape4D ys) = ConvReference.ConvTranspose2D(x, xs, w, ws, bias, g);
        T[] y = Check(expected.Length, (o, d) => Functional.ConvTranspose2D(x, xs, w, ws, bias, g, d, o), $"ConvTranspose2D groups {groups}");
        ConvAssert.Close<T>(expected, y, xs.Channels / groups * 9, $"ConvTranspose2D groups {groups} vs oracle");

        var cg = new Conv2DGeometry(3, 2, 1, groups: groups);
        var cw = new Shape4D(36, ys.Channels / groups, 3, 3);
        T[] u = ConvData.Uniform<T>((int)ys.ElementCount, 73);
        T[] convWeight = ConvData.Uniform<T>((int)cw.ElementCount, 74);
        T[] convBias = ConvData.Uniform<T>(36, 75);
        (T[] convExpected, _) = ConvReference.Conv2D(u, ys, convWeight, cw, convBias, cg);
        T[] conv = Check(convExpected.Length, (o, d) => Functional.Conv2D(u, ys, convWeight, cw, convBias, cg, d, o), $"Conv2D groups {groups}");
        ConvAssert.Close<T>(convExpected, conv, cw.Channels * 9, $"Conv2D groups {groups} vs oracle");
    }

    /// <summary>The tensor and allocating forms pass the options through: the same bits at every degree.</summary>
    [Fact]
    public void TensorFormsTakeTheOptions()
    {
        var axis = new PoolAxis(3, 2, 1, 1);
        var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 13 * 21, 76), 2, 3, 13, 21, axis, axis, false);
        Tensor<T> source = Tensor.Create(c.Source, TensorViews.Lengths(c.Shape));
        foreach (int degree in Degrees)
        {
            (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(source, c.Geometry, options: Threads.Options(degree));
            BitAssert.Equal<T>(c.Expected.Values, values.ToArray(), $"allocating MaxPool2D values, degree {degree}");
            BitAssert.IndicesEqual<long>(c.Expected.Indices, switches.Indices.ToArray(), $"allocating MaxPool2D indices, degree {degree}");
            Tensor<T> restored = Functional.MaxUnpool2D(values, switches, options: Threads.Options(degree));
            T[] expected = UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, 6, c.Expected.OutH, c.Expected.OutW, 13, 21, sum: false);
            BitAssert.Equal<T>(expected, restored.ToArray(), $"MaxUnpool2D through switches, degree {degree}");
            Tensor<T> repeated = Functional.RepeatUnpool2D(values, 2, options: Threads.Options(degree));
            BitAssert.Equal<T>(UnpoolReference.Repeat(c.Expected.Values, 6, c.Expected.OutH, c.Expected.OutW, 2, 2, 2 * c.Expected.OutH, 2 * c.Expected.OutW), repeated.ToArray(), $"RepeatUnpool2D tensor, degree {degree}");
        }
    }

    private static void CheckPool<TIndex>(MaxPoolCase<T> c, IndexConvention convention, long[] expected)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        T[]? firstValues = null;
        TIndex[]? firstIndices = null;
        foreach (int degree in Degrees)
        {
            string context = $"MaxPool2D {convention} {typeof(TIndex).Name} degree {degree} {c}";
            var values = new GuardedBuffer<T>(expected.Length);
            var indices = new GuardedBuffer<TIndex>(expected.Length);
            Functional.MaxPool2D(c.Source, c.Shape, c.Geometry, values.Span, indices.Span, convention, Threads.Options(degree));
            values.AssertGuardsIntact(context);
            indices.AssertGuardsIntact(context);
            firstValues ??= values.ToArray();
            firstIndices ??= indices.ToArray();
            BitAssert.Equal<T>(firstValues, values.Span, $"values vs degree 1, {context}");
            Assert.True(firstIndices.AsSpan().SequenceEqual(indices.Span), $"indices vs degree 1, {context}");
            BitAssert.Equal<T>(c.Expected.Values, values.Span, $"values vs oracle, {context}");
            BitAssert.IndicesEqual<TIndex>(expected, indices.Span, $"indices vs oracle, {context}");
        }
    }

    /// <summary>Runs at every degree into guarded buffers; each equals degree 1 and <paramref name="expected"/> bit for bit.</summary>
    private static void Check(T[] expected, Run<T> run, string context)
        => BitAssert.Equal<T>(expected, Check(expected.Length, run, context), $"{context} vs oracle");

    /// <summary>Runs at every degree into guarded buffers, asserts each equals the degree-1 result bit for bit, and returns that.</summary>
    private static T[] Check(int length, Run<T> run, string context)
    {
        T[]? first = null;
        foreach (int degree in Degrees)
        {
            T[] result = Guarded.Run<T>(length, d => run(Threads.Options(degree), d), $"{context} degree {degree}");
            first ??= result;
            BitAssert.Equal<T>(first, result, $"{context}: degree {degree} vs 1");
        }

        return first!;
    }
}

public sealed class ThreadCountTestsSingle : ThreadCountTests<float>
{
}

public sealed class ThreadCountTestsDouble : ThreadCountTests<double>
{
}
