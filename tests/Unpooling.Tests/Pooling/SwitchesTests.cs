using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// <see cref="Switches{TIndex}"/>: what the allocating MaxPool2D returns (the span form's indices, with the convention,
/// geometry and input size), and that unpooling through them restores the pooling input's size in every case,
/// including the ones where PyTorch's <c>max_unpool2d</c> needs an <c>output_size</c> (pooling floored a row away, ceil
/// mode) and one where no output size is accepted at all (a dilated pooling whose input lies outside the unpooling
/// size rule). Expected values come from the oracles.
/// </summary>
public abstract class SwitchesTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>(name, rows, cols, ceil, input H, input W).</summary>
    private static readonly (string Name, PoolAxis Rows, PoolAxis Cols, bool Ceil, int Height, int Width)[] Cases =
    [
        ("2x2, default unpool restores the input", new(2, 2, 0, 1), new(2, 2, 0, 1), false, 6, 8),
        ("2x2 floors a row and a column away: 5x5 pools to 2x2, unpools by default to 4x4", new(2, 2, 0, 1), new(2, 2, 0, 1), false, 5, 5),
        ("ceil mode: 5x7 pools to 3x4, unpools by default to 6x8", new(2, 2, 0, 1), new(2, 2, 0, 1), true, 5, 7),
        ("3x3 stride 2 padding 1 ceil, overlapping", new(3, 2, 1, 1), new(3, 2, 1, 1), true, 8, 9),
        ("3x3 stride 1 padding 1, heavily overlapping", new(3, 1, 1, 1), new(3, 1, 1, 1), false, 5, 6),
        ("non-square, one axis floors", new(2, 1, 0, 1), new(3, 3, 0, 1), false, 4, 11),
        ("dilated: 10x10 k2 d5 s1 pools to 5x5, default unpool 6x6, no explicit size reaches 10", new(2, 1, 0, 5), new(2, 1, 0, 5), false, 10, 10),
    ];

    public static TheoryData<int> CaseIndices => new(Enumerable.Range(0, Cases.Length));

    /// <summary>The allocating form's switches: the span form's indices, in every convention, and the right metadata.</summary>
    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void AllocatingPoolingReturnsTheSpanFormsIndicesWithTheirMetadata(int index)
    {
        MaxPoolCase<T> c = NewCase(index);
        Tensor<T> source = Tensor.Create(c.Source, TensorViews.Lengths(c.Shape));
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            string context = $"{Cases[index].Name}, {convention}";
            (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(source, c.Geometry, convention);
            var spanValues = new T[c.Expected.Values.Length];
            var spanIndices = new long[spanValues.Length];
            Functional.MaxPool2D(c.Source, c.Shape, c.Geometry, spanValues, spanIndices, convention);
            Assert.Equal(spanIndices, switches.Indices.ToArray());
            BitAssert.IndicesEqual<long>(IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, c.Shape.SpatialSize, convention), switches.Indices.ToArray(), context);
            BitAssert.Equal<T>(c.Expected.Values, values.ToArray(), context);
            BitAssert.Equal<T>(spanValues, values.ToArray(), context);

            Assert.Equal(convention, switches.Convention);
            Assert.Equal(c.Geometry, switches.Geometry);
            Assert.Equal(c.Shape.SpatialSize, switches.SourceSize);
            Assert.Equal(c.OutputShape, switches.PooledShape);
            Assert.Equal(c.Shape, switches.SourceShape);
            Assert.Equal(TensorViews.Lengths(c.OutputShape), switches.Indices.Lengths.ToArray());
            Assert.Equal(TensorViews.Lengths(c.OutputShape), values.Lengths.ToArray());
        }
    }

    /// <summary>
    /// Unpooling through the switches gives the pooling input's shape and equals the oracle's scatter into that size,
    /// in every convention, Replace and Sum, from a tensor and from a strided view; where the input size obeys the
    /// explicit-size rule it also equals the span form given that size.
    /// </summary>
    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void UnpoolingThroughSwitchesRestoresTheInputSize(int index)
    {
        MaxPoolCase<T> c = NewCase(index);
        (string name, _, _, _, int h, int w) = Cases[index];
        Size2D pooled = c.OutputShape.SpatialSize;
        Size2D defaultSize = c.Geometry.GetUnpoolOutputSize(pooled);
        bool explicitSizeAccepted = Fits(h, defaultSize.Height, c.Geometry.Stride.Height) && Fits(w, defaultSize.Width, c.Geometry.Stride.Width);
        if (index is 1 or 2 or 6)
        {
            Assert.NotEqual(c.Shape.SpatialSize, defaultSize);
        }

        Assert.Equal(index != 6, explicitSizeAccepted);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry, convention);
            T[] flatValues = values.ToArray();
            foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
            {
                string context = $"{name}, {convention}, {reduction}";
                T[] expected = UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, c.Planes, pooled.Height, pooled.Width, h, w, reduction == UnpoolReduction.Sum);
                Tensor<T> restored = Functional.MaxUnpool2D(values, switches, reduction);
                Assert.Equal(TensorViews.Lengths(c.Shape), restored.Lengths.ToArray());
                BitAssert.Equal<T>(expected, restored.ToArray(), $"{context}: through switches");
                Tensor<T> fromView = Functional.MaxUnpool2D(TensorViews.ChannelsLast(flatValues, c.OutputShape), switches, reduction, ExecutionOptions.SingleThreaded);
                BitAssert.Equal<T>(expected, fromView.ToArray(), $"{context}: through switches from a channels-last view");

                var destination = new GuardedBuffer<T>((int)c.Shape.ElementCount);
                long[] indices = switches.Indices.ToArray();
                if (explicitSizeAccepted)
                {
                    Functional.MaxUnpool2D(flatValues, indices, c.OutputShape, c.Geometry, destination.Span, c.Shape.SpatialSize, convention, reduction);
                    destination.AssertGuardsIntact(context);
                    BitAssert.Equal<T>(restored.ToArray(), destination.Span, $"{context}: switches vs span form at the source size");
                }
                else
                {
                    // The span form cannot reach the input size: the unpooling rule has no dilation.
                    Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D(flatValues, indices, c.OutputShape, c.Geometry, destination.Span, c.Shape.SpatialSize, convention, reduction));
                    destination.AssertUntouched(context);
                }
            }
        }
    }

    /// <summary>
    /// PyTorch's surprise, spelled out: without the switches and without an output size, a 5x5 input pooled 2x2
    /// unpools to 4x4 (where its 5-wide per-plane indices name other cells or none); the switches give 5x5, the same
    /// as the explicit size.
    /// </summary>
    [Fact]
    public void WithoutSwitchesAFlooredPoolingNeedsTheOutputSize()
    {
        MaxPoolCase<T> c = NewCase(1);
        (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry);
        Assert.Equal(new Size2D(2, 2), switches.PooledShape.SpatialSize);
        Assert.Equal(new Size2D(4, 4), c.Geometry.GetUnpoolOutputSize(new Size2D(2, 2)));
        Assert.Equal([2, 3, 5, 5], Functional.MaxUnpool2D(values, switches).Lengths.ToArray());
        Tensor<T> sized = Functional.MaxUnpool2D(values, switches.Indices, c.Geometry, new Size2D(5, 5));
        BitAssert.Equal<T>(sized.ToArray(), Functional.MaxUnpool2D(values, switches).ToArray(), "switches vs the explicit 5x5");
    }

    /// <summary>Switches of 32-bit indices from elsewhere (the span form's) unpool the same as pooling's own.</summary>
    [Fact]
    public void Int32SwitchesFromTheSpanFormUnpoolTheSame()
    {
        MaxPoolCase<T> c = NewCase(3);
        var values = new T[c.Expected.Values.Length];
        var indices = new int[values.Length];
        Functional.MaxPool2D(c.Source, c.Shape, c.Geometry, values, indices, IndexConvention.ChannelsLastWithBatch);
        var switches = new Switches<int>(Tensor.Create(indices, TensorViews.Lengths(c.OutputShape)), c.Geometry, c.Shape.SpatialSize, IndexConvention.ChannelsLastWithBatch);
        Tensor<T> restored = Functional.MaxUnpool2D(Tensor.Create(values, TensorViews.Lengths(c.OutputShape)), switches);
        T[] expected = UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, c.Planes, c.Expected.OutH, c.Expected.OutW, c.Shape.Height, c.Shape.Width, false);
        BitAssert.Equal<T>(expected, restored.ToArray(), "int switches, channels-last with batch");
    }

    /// <summary>Values whose shape is not the pooled shape are rejected naming <c>source</c>; null arguments are named too.</summary>
    [Fact]
    public void ValuesOfAnotherShapeNameSource()
    {
        MaxPoolCase<T> c = NewCase(0);
        (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry);
        Shape4D pooled = c.OutputShape;
        foreach (Shape4D bad in new[] { pooled with { Width = pooled.Width + 1 }, pooled with { Height = pooled.Height - 1 }, pooled with { Channels = 2 }, pooled with { Batch = 1 }, c.Shape })
        {
            Tensor<T> wrong = Tensor.Create(new T[bad.ElementCount], TensorViews.Lengths(bad));
            Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool2D(wrong, switches));
            Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool2D(wrong.AsReadOnlyTensorSpan(), switches, UnpoolReduction.Sum));
        }

        Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool2D(Tensor.Create(values.ToArray(), [6, pooled.Height, pooled.Width]), switches));
        Throws.Param<ArgumentNullException>("source", () => Functional.MaxUnpool2D((Tensor<T>)null!, switches));
        Throws.Param<ArgumentNullException>("switches", () => Functional.MaxUnpool2D(values, (Switches<long>)null!));
        Throws.Param<ArgumentOutOfRangeException>("reduction", () => Functional.MaxUnpool2D(values, switches, (UnpoolReduction)2));
    }

    /// <summary>
    /// The switches hold their tensor by reference: an index changed afterwards is still validated when unpooling, and
    /// the error names <c>switches</c>, the argument of this overload that holds the bad index.
    /// </summary>
    [Fact]
    public void AnIndexChangedAfterPoolingIsStillChecked()
    {
        MaxPoolCase<T> c = NewCase(0);
        (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry);
        switches.Indices[1, 2, 0, 3] = c.Shape.Height * c.Shape.Width;
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>("switches", () => Functional.MaxUnpool2D(values, switches));
        Assert.Contains($"Index {c.Shape.Height * c.Shape.Width}", e.Message, StringComparison.Ordinal);
        Assert.Contains("at position 63", e.Message, StringComparison.Ordinal); // plane 1*3 + 2 of 12 values, value 3 of it
    }

    [Fact]
    public void ConstructorKeepsWhatItIsGiven()
    {
        MaxPoolCase<T> c = NewCase(3);
        Tensor<long> indices = Tensor.Create(c.Expected.Indices, TensorViews.Lengths(c.OutputShape));
        var switches = new Switches<long>(indices, c.Geometry, c.Shape.SpatialSize, IndexConvention.PerPlane);
        Assert.Same(indices, switches.Indices);
        Assert.Equal(IndexConvention.PerPlane, switches.Convention);
        Assert.Equal(c.Geometry, switches.Geometry);
        Assert.Equal(c.Shape.SpatialSize, switches.SourceSize);
        Assert.Equal(c.OutputShape, switches.PooledShape);
        Assert.Equal(c.Shape, switches.SourceShape);
        Assert.Equal(IndexConvention.PerPlane, new Switches<long>(indices, c.Geometry, c.Shape.SpatialSize).Convention);
        Assert.Contains(c.OutputShape.ToString(), switches.ToString(), StringComparison.Ordinal);
    }

    /// <summary>One test per constructor rule: rank, geometry against the sizes, a size the geometry cannot pool, the convention.</summary>
    [Fact]
    public void ConstructorValidatesEachArgument()
    {
        var g = new Pool2DGeometry(2);
        Tensor<long> indices = Tensor.Create(new long[2 * 3 * 2 * 2], [2, 3, 2, 2]);
        Throws.Param<ArgumentNullException>("indices", () => new Switches<long>(null!, g, new Size2D(4, 4)));
        Throws.Param<ArgumentException>("indices", () => new Switches<long>(Tensor.Create(new long[24], [6, 2, 2]), g, new Size2D(4, 4)));
        Throws.Param<ArgumentException>("indices", () => new Switches<long>(Tensor.Create(new long[24], [1, 2, 3, 2, 2]), g, new Size2D(4, 4)));

        // 2x2 indices come from 4x4 or 5x5 inputs, not from 6x6 (3x3) or 3x3 (1x1), nor 4x6 (2x3).
        _ = new Switches<long>(indices, g, new Size2D(4, 4));
        _ = new Switches<long>(indices, g, new Size2D(5, 5));
        foreach (Size2D size in new[] { new Size2D(6, 6), new Size2D(3, 3), new Size2D(4, 6) })
        {
            Throws.Param<ArgumentException>("indices", () => new Switches<long>(indices, g, size));
        }

        // 3x3 stride 3 pools 4x4 to 1x1.
        Throws.Param<ArgumentException>("indices", () => new Switches<long>(indices, new Pool2DGeometry(3), new Size2D(4, 4)));
        Throws.Param<ArgumentException>("sourceSize", () => new Switches<long>(indices, g, new Size2D(1, 1)));
        Throws.Param<ArgumentException>("sourceSize", () => new Switches<long>(indices, g, new Size2D(0, 4)));
        Throws.Param<ArgumentOutOfRangeException>("convention", () => new Switches<long>(indices, g, new Size2D(4, 4), (IndexConvention)6));
        Throws.Param<ArgumentOutOfRangeException>("convention", () => new Switches<long>(indices, g, new Size2D(4, 4), (IndexConvention)(-1)));
    }

    /// <summary>
    /// WithConvention to every convention equals the span ConvertIndices (and the oracle's formula), keeps geometry and
    /// size, leaves the original alone, unpools the same; through GlobalRowMajor and back gives the same indices.
    /// </summary>
    [Fact]
    public void WithConventionConvertsAndRoundTrips()
    {
        MaxPoolCase<T> c = NewCase(3);
        (Tensor<T> values, Switches<long> perPlane) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry);
        long[] original = perPlane.Indices.ToArray();
        Assert.Same(perPlane, perPlane.WithConvention(IndexConvention.PerPlane));
        T[] restored = Functional.MaxUnpool2D(values, perPlane).ToArray();
        foreach (IndexConvention to in IndexConventionReference.All)
        {
            Switches<long> converted = perPlane.WithConvention(to);
            var expected = new long[original.Length];
            Functional.ConvertIndices(original, c.OutputShape, c.Shape.SpatialSize, IndexConvention.PerPlane, expected, to);
            Assert.Equal(expected, converted.Indices.ToArray());
            BitAssert.IndicesEqual<long>(IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, c.Shape.SpatialSize, to), converted.Indices.ToArray(), $"WithConvention({to})");
            Assert.Equal(to, converted.Convention);
            Assert.Equal(perPlane.Geometry, converted.Geometry);
            Assert.Equal(perPlane.SourceSize, converted.SourceSize);
            Assert.Equal(perPlane.PooledShape, converted.PooledShape);
            BitAssert.Equal<T>(restored, Functional.MaxUnpool2D(values, converted).ToArray(), $"unpool through {to} switches");

            Switches<long> back = converted.WithConvention(IndexConvention.PerPlane);
            Assert.Equal(original, back.Indices.ToArray());
            Assert.Equal(IndexConvention.PerPlane, back.Convention);
        }

        Switches<long> onnx = perPlane.WithConvention(IndexConvention.GlobalRowMajor);
        Assert.Equal(original, onnx.WithConvention(IndexConvention.PerPlane).Indices.ToArray());
        Assert.Equal(original, perPlane.Indices.ToArray());
        Assert.Equal(IndexConvention.PerPlane, perPlane.Convention);
        Throws.Param<ArgumentOutOfRangeException>("convention", () => perPlane.WithConvention((IndexConvention)6));
    }

    private static MaxPoolCase<T> NewCase(int index)
    {
        (_, PoolAxis rows, PoolAxis cols, bool ceil, int h, int w) = Cases[index];
        return new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * h * w, 80 + index, withSpecials: false, signedZeros: false), 2, 3, h, w, rows, cols, ceil);
    }

    private static bool Fits(int size, int defaultSize, int stride) => size > defaultSize - stride && size < defaultSize + stride;
}

public sealed class SwitchesTestsSingle : SwitchesTests<float>
{
}

public sealed class SwitchesTestsDouble : SwitchesTests<double>
{
}
