using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// SEMANTICS.md 1 and 2 for every <see cref="IndexConvention"/>: pooling writes the per-plane oracle's argmax mapped
/// through the convention's formula (values unchanged), unpooling reads it back to the same result as per plane, and
/// global indices that name cells of other planes (ONNX MaxUnpool) scatter there with the last writer winning.
/// </summary>
public abstract class IndexConventionTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly UnpoolReduction[] Reductions = [UnpoolReduction.Replace, UnpoolReduction.Sum];

    /// <summary>Overlapping and not, padded, dilated, ceil mode; (rows, cols, ceil).</summary>
    private static readonly (PoolAxis Rows, PoolAxis Cols, bool Ceil)[] Geometries =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1), false),
        (new(3, 2, 1, 1), new(3, 2, 1, 1), true),
        (new(3, 1, 1, 1), new(2, 1, 0, 2), false),
        (new(2, 3, 1, 1), new(3, 2, 0, 1), false),
    ];

    /// <summary>
    /// N and C in 1..3, odd sizes (one wide enough for every vector width), every geometry, int and long: the public
    /// span form in each convention equals the per-plane oracle mapped through the formula, values bit for bit.
    /// </summary>
    [Fact]
    public void PoolingWritesTheOracleArgmaxInEveryConvention()
    {
        var random = new Random(11);
        foreach (MaxPoolCase<T> c in SmallCases(random))
        {
            foreach (IndexConvention convention in IndexConventionReference.All)
            {
                long[] expected = ExpectedIndices(c, convention);
                CheckPool<int>(c, convention, expected, 1);
                CheckPool<long>(c, convention, expected, 1);
            }
        }
    }

    /// <summary>Each internal width instantiation (scalar, 128, 256, 512) writes every convention, on rows wide enough to
    /// vectorize, from a read-only source on guarded pages into guarded destinations, flush after and flush before.</summary>
    [Fact]
    public unsafe void EveryKernelWidthWritesEveryConvention()
    {
        var random = new Random(12);
        foreach (int outW in new[] { 17, 40 })
        {
            var axis = new PoolAxis(3, 2, 1, 1);
            int w = Geometry.InputSizeFor(outW, axis, false, random);
            var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 5 * w, random.Next()), 2, 3, 5, w, axis, axis, false);
            foreach (IndexConvention convention in IndexConventionReference.All)
            {
                long[] expected = ExpectedIndices(c, convention);
                var plan = new MaxPool2DKernel.Plan(c.Shape.SpatialSize, c.OutputShape.SpatialSize, c.Geometry, new IndexLayout(convention, c.Shape));
                foreach (KernelWidth width in KernelWidths.All)
                {
                    foreach (GuardSide side in GuardedPages.Sides)
                    {
                        using GuardedInput<T> source = GuardedPages.Input<T>(c.Source, side);
                        using var values = new PageGuardedDestination<T>(expected.Length, side);
                        using var indices = new PageGuardedDestination<int>(expected.Length, side);
                        KernelWidths.MaxPool(width, source.Pointer, values.Pointer, indices.Pointer, c.Planes, plan, 1);
                        string context = $"{width} {convention} flush {side} {c}";
                        values.AssertGuardsIntact(context);
                        indices.AssertGuardsIntact(context);
                        BitAssert.Equal<T>(c.Expected.Values, values.Span, $"values {context}");
                        BitAssert.IndicesEqual<int>(expected, indices.Span, $"indices {context}");
                    }
                }
            }
        }
    }

    /// <summary>More than 65536 input elements, so two threads really run: every convention, same result as the oracle.</summary>
    [Fact]
    public void ThreadedPoolingWritesEveryConvention()
    {
        var axis = new PoolAxis(3, 2, 1, 1);
        var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 91 * 121, 13), 2, 3, 91, 121, axis, axis, false);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] expected = ExpectedIndices(c, convention);
            CheckPool<int>(c, convention, expected, 2);
            CheckPool<long>(c, convention, expected, -1);
        }
    }

    /// <summary>The tensor forms (dense, and channels-last source with row-padded destinations) and the allocating form.</summary>
    [Fact]
    public void TensorFormsWriteEveryConvention()
    {
        var axis = new PoolAxis(3, 2, 1, 1);
        var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 7 * 23, 14), 2, 3, 7, 23, axis, axis, true);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] expected = ExpectedIndices(c, convention);
            foreach (bool channelsLast in new[] { false, true })
            {
                ReadOnlyTensorSpan<T> source = channelsLast ? TensorViews.ChannelsLast(c.Source, c.Shape) : new ReadOnlyTensorSpan<T>(c.Source, TensorViews.Lengths(c.Shape));
                int padding = channelsLast ? 2 : 0;
                string context = $"tensor {convention} channels-last source {channelsLast} {c}";
                var values = new PaddedTensor<T>(c.OutputShape, padding);
                var indices = new PaddedTensor<int>(c.OutputShape, padding + 1);
                Functional.MaxPool2D(source, c.Geometry, values.View, indices.View, convention);
                values.AssertPaddingUntouched(context);
                indices.AssertPaddingUntouched(context);
                BitAssert.Equal<T>(c.Expected.Values, values.Read(), $"values {context}");
                BitAssert.IndicesEqual<int>(expected, indices.Read(), $"indices {context}");
            }

            (Tensor<T> v, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry, convention);
            Assert.Equal(convention, switches.Convention);
            BitAssert.Equal<T>(c.Expected.Values, Flatten(v), $"allocating values {convention}");
            BitAssert.IndicesEqual<long>(expected, Flatten(switches.Indices), $"allocating indices {convention}");
        }
    }

    /// <summary>
    /// unpool(pool(x)) in every convention equals the per-plane round trip (the oracle's), Replace and Sum, int and
    /// long, at the default output size and at an explicit one equal to the input size.
    /// </summary>
    [Fact]
    public void RoundTripInEveryConventionEqualsPerPlane()
    {
        var random = new Random(15);
        foreach (MaxPoolCase<T> c in SmallCases(random))
        {
            Size2D pooled = c.OutputShape.SpatialSize;
            Size2D defaultSize = c.Geometry.GetUnpoolOutputSize(pooled);
            Size2D? explicitSize = Fits(c.Shape.SpatialSize, defaultSize, c.Geometry.Stride) ? c.Shape.SpatialSize : null;
            foreach (Size2D? outputSize in new[] { null, explicitSize }.Distinct())
            {
                Size2D output = outputSize ?? defaultSize;
                if (outputSize is null && output != c.Shape.SpatialSize)
                {
                    continue; // pooled indices name cells of an H x W input; only an output of that size reads them back unchanged
                }

                foreach (IndexConvention convention in IndexConventionReference.All)
                {
                    long[] indices = IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, output, convention);
                    foreach (UnpoolReduction reduction in Reductions)
                    {
                        T[] expected = UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, c.Planes, pooled.Height, pooled.Width, output.Height, output.Width, reduction == UnpoolReduction.Sum);
                        CheckUnpool<int>(c.Expected.Values, indices, c.OutputShape, c.Geometry, outputSize, convention, reduction, expected, 1);
                        CheckUnpool<long>(c.Expected.Values, indices, c.OutputShape, c.Geometry, outputSize, convention, reduction, expected, 1);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Random indices over each convention's whole range, many duplicates and most naming cells of other planes or
    /// samples (ONNX MaxUnpool semantics): the scatter oracle over the whole output, last writer wins, Sum adds.
    /// </summary>
    [Fact]
    public void IndicesAcrossPlanesScatterToTheNamedCells()
    {
        var random = new Random(16);
        foreach (Shape4D shape in new[] { new Shape4D(2, 3, 3, 5), new Shape4D(3, 2, 4, 4), new Shape4D(1, 3, 2, 7) })
        {
            var g = new Pool2DGeometry(2);
            Size2D output = g.GetUnpoolOutputSize(shape.SpatialSize);
            Shape4D indexed = shape.WithSpatialSize(output);
            T[] x = TestData.NonZero<T>((int)shape.ElementCount, random.Next());
            foreach (IndexConvention convention in IndexConventionReference.All)
            {
                long space = IndexConventionReference.Space(convention, indexed);
                long[] indices = TestData.RandomIndices(x.Length, Math.Max(1, space / 3), random.Next());
                foreach (UnpoolReduction reduction in Reductions)
                {
                    T[] expected = IndexConventionReference.MaxUnpool(x, indices, shape, output, convention, reduction == UnpoolReduction.Sum);
                    CheckUnpool<int>(x, indices, shape, g, null, convention, reduction, expected, 1);
                    CheckUnpool<long>(x, indices, shape, g, null, convention, reduction, expected, 1);
                }
            }
        }
    }

    /// <summary>
    /// Worked by hand, ONNX style: [2, 1, 1, 2] pooled values 1, 2, 3, 4 unpooled by 1x1 windows into [2, 1, 1, 2]
    /// with global row-major indices [3, 0, 0, 3]: cell 0 gets 2 then 3 (the last, from sample 1), cell 3 gets 1 then 4.
    /// </summary>
    [Fact]
    public void LastWriterWinsAcrossSamples()
    {
        T[] x = [T.One, T.CreateChecked(2), T.CreateChecked(3), T.CreateChecked(4)];
        long[] indices = [3, 0, 0, 3];
        var shape = new Shape4D(2, 1, 1, 2);
        var g = new Pool2DGeometry(1);
        T[] replace = Guarded.Run<T>(4, d => Functional.MaxUnpool2D(x, indices, shape, g, d, indexConvention: IndexConvention.GlobalRowMajor), "replace");
        BitAssert.Equal<T>([T.CreateChecked(3), T.Zero, T.Zero, T.CreateChecked(4)], replace, "replace: sample 1 writes last");
        T[] sum = Guarded.Run<T>(4, d => Functional.MaxUnpool2D(x, indices, shape, g, d, indexConvention: IndexConvention.GlobalRowMajor, reduction: UnpoolReduction.Sum), "sum");
        BitAssert.Equal<T>([T.CreateChecked(5), T.Zero, T.Zero, T.CreateChecked(5)], sum, "sum: 2 + 3 and 1 + 4");
    }

    /// <summary>
    /// More than 65536 output elements: in-plane indices (pooling's) run the planes on two threads and cross-plane ones
    /// run on one; both equal the single-threaded result and the oracle.
    /// </summary>
    [Fact]
    public void ThreadedUnpoolingEqualsSingleThreaded()
    {
        var shape = new Shape4D(2, 2, 48, 96);
        var g = new Pool2DGeometry(2);
        Size2D output = g.GetUnpoolOutputSize(shape.SpatialSize);
        Shape4D indexed = shape.WithSpatialSize(output);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 17);
        long[] inPlane = TestData.WindowIndices(4, 48, 96, output.Width, 18);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] own = IndexConventionReference.FromPerPlane(inPlane, shape, output, convention);
            long[] across = TestData.RandomIndices(x.Length, IndexConventionReference.Space(convention, indexed), 19);
            foreach ((long[] indices, T[] expected) in new[]
            {
                (own, UnpoolReference.MaxUnpool(x, inPlane, 4, 48, 96, output.Height, output.Width, false)),
                (across, IndexConventionReference.MaxUnpool(x, across, shape, output, convention, false)),
            })
            {
                foreach (int degree in new[] { 1, 2 })
                {
                    CheckUnpool<long>(x, indices, shape, g, null, convention, UnpoolReduction.Replace, expected, degree);
                }
            }
        }
    }

    /// <summary>The tensor form (row-padded destination) and the allocating form read every convention.</summary>
    [Fact]
    public void UnpoolTensorFormsReadEveryConvention()
    {
        var shape = new Shape4D(2, 3, 3, 5);
        var g = new Pool2DGeometry(2);
        Size2D output = g.GetUnpoolOutputSize(shape.SpatialSize);
        Shape4D indexed = shape.WithSpatialSize(output);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 20);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] indices = TestData.RandomIndices(x.Length, IndexConventionReference.Space(convention, indexed), 21);
            T[] expected = IndexConventionReference.MaxUnpool(x, indices, shape, output, convention, false);
            var destination = new PaddedTensor<T>(indexed, 3);
            Functional.MaxUnpool2D(new ReadOnlyTensorSpan<T>(x, TensorViews.Lengths(shape)), new ReadOnlyTensorSpan<long>(indices, TensorViews.Lengths(shape)), g, destination.View, convention);
            destination.AssertPaddingUntouched($"tensor {convention}");
            BitAssert.Equal<T>(expected, destination.Read(), $"tensor {convention}");
            Tensor<T> allocated = Functional.MaxUnpool2D(Tensor.Create(x, TensorViews.Lengths(shape)), Tensor.Create(indices, TensorViews.Lengths(shape)), g, indexConvention: convention);
            BitAssert.Equal<T>(expected, Flatten(allocated), $"allocating {convention}");
        }
    }

    /// <summary>[N, C, H, W] for N, C in 1..3 at two odd sizes (one wide enough to vectorize), under every geometry that fits.</summary>
    private static IEnumerable<MaxPoolCase<T>> SmallCases(Random random)
    {
        for (int n = 1; n <= 3; n++)
        {
            for (int ch = 1; ch <= 3; ch++)
            {
                foreach ((int h, int w) in new[] { (5, 7), (7, 41) })
                {
                    foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Geometries)
                    {
                        if (rows.TryGetOutputSize(h, ceil, out _) && cols.TryGetOutputSize(w, ceil, out _))
                        {
                            yield return new MaxPoolCase<T>(TestData.Ties<T>(n * ch * h * w, random.Next()), n, ch, h, w, rows, cols, ceil);
                        }
                    }
                }
            }
        }
    }

    /// <summary>The oracle's per-plane argmax of <paramref name="c"/> in <paramref name="convention"/>.</summary>
    private static long[] ExpectedIndices(MaxPoolCase<T> c, IndexConvention convention)
        => IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, c.Shape.SpatialSize, convention);

    private static void CheckPool<TIndex>(MaxPoolCase<T> c, IndexConvention convention, long[] expected, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = $"{convention} {typeof(TIndex).Name} degree {degree} {c}";
        var values = new GuardedBuffer<T>(expected.Length);
        var indices = new GuardedBuffer<TIndex>(expected.Length);
        Functional.MaxPool2D(c.Source, c.Shape, c.Geometry, values.Span, indices.Span, convention, ExecutionOptions.WithMaxDegreeOfParallelism(degree));
        values.AssertGuardsIntact(context);
        indices.AssertGuardsIntact(context);
        BitAssert.Equal<T>(c.Expected.Values, values.Span, $"values {context}");
        BitAssert.IndicesEqual<TIndex>(expected, indices.Span, $"indices {context}");
    }

    private static void CheckUnpool<TIndex>(
        T[] x, long[] indices, Shape4D shape, Pool2DGeometry g, Size2D? outputSize, IndexConvention convention, UnpoolReduction reduction, T[] expected, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = $"unpool {convention} {typeof(TIndex).Name} {reduction} degree {degree} {shape} {g} size {outputSize?.ToString() ?? "default"}";
        TIndex[] typed = TestData.Convert<TIndex>(indices);
        T[] y = Guarded.Run<T>(expected.Length, d => Functional.MaxUnpool2D(x, typed, shape, g, d, outputSize, convention, reduction, ExecutionOptions.WithMaxDegreeOfParallelism(degree)), context);
        BitAssert.Equal<T>(expected, y, context);
    }

    private static bool Fits(Size2D size, Size2D defaultSize, Size2D stride)
        => size.Height > defaultSize.Height - stride.Height && size.Height < defaultSize.Height + stride.Height
           && size.Width > defaultSize.Width - stride.Width && size.Width < defaultSize.Width + stride.Width;

    private static TElement[] Flatten<TElement>(Tensor<TElement> tensor)
    {
        var flat = new TElement[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return flat;
    }
}

public sealed class IndexConventionTestsSingle : IndexConventionTests<float>
{
}

public sealed class IndexConventionTestsDouble : IndexConventionTests<double>
{
}
