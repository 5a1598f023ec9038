using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>The tensor overloads: dense and strided (permuted source, row-padded destinations) agree with the oracle.</summary>
public abstract class MaxPool2DTensorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly PoolAxis Axis = new(3, 2, 1, 1);

    private static MaxPoolCase<T> NewCase(int width = 37)
        => new(TestData.Ties<T>(2 * 3 * 7 * width, 31), 2, 3, 7, width, Axis, Axis, true);

    [Fact]
    public void DenseTensorsMatchReference()
    {
        MaxPoolCase<T> c = NewCase();
        var source = new ReadOnlyTensorSpan<T>(c.Source, TensorViews.Lengths(c.Shape));
        Check<int>(c, source, rowPadding: 0, "dense");
        Check<long>(c, source, rowPadding: 0, "dense");
    }

    [Fact]
    public void StridedTensorsMatchReference()
    {
        foreach (int width in new[] { 5, 37, 70 })
        {
            MaxPoolCase<T> c = NewCase(width);
            ReadOnlyTensorSpan<T> source = TensorViews.ChannelsLast(c.Source, c.Shape);
            Check<int>(c, source, rowPadding: 3, $"channels-last source, padded destinations, W {width}");
            Check<long>(c, source, rowPadding: 1, $"channels-last source, padded destinations, W {width}");

            var dense = new ReadOnlyTensorSpan<T>(c.Source, TensorViews.Lengths(c.Shape));
            Check<long>(c, dense, rowPadding: 2, $"dense source, padded destinations, W {width}");
        }
    }

    /// <summary>A batch broadcast with stride 0: every sample reads the same plane data.</summary>
    [Fact]
    public void BroadcastSourceMatchesReference()
    {
        var shape = new Shape4D(3, 2, 7, 21);
        T[] one = TestData.Ties<T>(2 * 7 * 21, 41);
        var source = new ReadOnlyTensorSpan<T>(one, TensorViews.Lengths(shape), [0, 7 * 21, 21, 1]);
        T[] dense = [.. one, .. one, .. one];
        var c = new MaxPoolCase<T>(dense, 3, 2, 7, 21, Axis, Axis, false);
        Check<long>(c, source, rowPadding: 2, "batch-broadcast source");
    }

    [Fact]
    public void AllocatingFormReturnsShapesValuesAndLongIndices()
    {
        MaxPoolCase<T> c = NewCase();
        (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry);
        Tensor<long> indices = switches.Indices;
        nint[] expectedLengths = TensorViews.Lengths(c.OutputShape);
        Assert.Equal(expectedLengths, values.Lengths.ToArray());
        Assert.Equal(expectedLengths, indices.Lengths.ToArray());
        var flatValues = new T[values.FlattenedLength];
        values.FlattenTo(flatValues);
        var flatIndices = new long[indices.FlattenedLength];
        indices.FlattenTo(flatIndices);
        BitAssert.Equal<T>(c.Expected.Values, flatValues, $"allocating values {c}");
        BitAssert.IndicesEqual<long>(c.Expected.Indices, flatIndices, $"allocating indices {c}");
    }

    [Fact]
    public void TensorValidationNamesTheTensor()
    {
        MaxPoolCase<T> c = NewCase();
        var values = new PaddedTensor<T>(c.OutputShape, 0);
        var indices = new PaddedTensor<long>(c.OutputShape, 0);
        var wrongValues = new PaddedTensor<T>(c.OutputShape with { Width = c.OutputShape.Width + 1 }, 0);
        var wrongIndices = new PaddedTensor<long>(c.OutputShape with { Height = c.OutputShape.Height - 1 }, 0);
        T[] source = c.Source;
        Shape4D shape = c.Shape;

        Throws.Param<ArgumentException>("source", () => Functional.MaxPool2D(new ReadOnlyTensorSpan<T>(source, [6, 7, 37]), c.Geometry, values.View, indices.View));
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool2D(new ReadOnlyTensorSpan<T>(source, TensorViews.Lengths(shape)), c.Geometry, wrongValues.View, indices.View));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(new ReadOnlyTensorSpan<T>(source, TensorViews.Lengths(shape)), c.Geometry, values.View, wrongIndices.View));
        Throws.Param<ArgumentException>("geometry", () => Functional.MaxPool2D(new ReadOnlyTensorSpan<T>(source, TensorViews.Lengths(shape)), default, values.View, indices.View));
        Throws.Param<ArgumentNullException>("source", () => Functional.MaxPool2D((Tensor<T>)null!, c.Geometry));
        Throws.Param<ArgumentException>("source", () => Functional.MaxPool2D(Tensor.Create(source, [6, 7, 37]), c.Geometry));
        foreach (GuardedBuffer<T> b in new[] { values.Buffer, wrongValues.Buffer })
        {
            b.AssertUntouched("tensor validation");
        }

        indices.Buffer.AssertUntouched("tensor validation");
        wrongIndices.Buffer.AssertUntouched("tensor validation");
    }

    private static void Check<TIndex>(MaxPoolCase<T> c, ReadOnlyTensorSpan<T> source, int rowPadding, string layout)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = $"{layout} {typeof(TIndex).Name} {c}";
        var values = new PaddedTensor<T>(c.OutputShape, rowPadding);
        var indices = new PaddedTensor<TIndex>(c.OutputShape, rowPadding + 1);
        Functional.MaxPool2D(source, c.Geometry, values.View, indices.View);
        values.AssertPaddingUntouched($"values {context}");
        indices.AssertPaddingUntouched($"indices {context}");
        BitAssert.Equal<T>(c.Expected.Values, values.Read(), $"values {context}");
        BitAssert.IndicesEqual<TIndex>(c.Expected.Indices, indices.Read(), $"indices {context}");
    }
}

public sealed class MaxPool2DTensorTestsSingle : MaxPool2DTensorTests<float>
{
}

public sealed class MaxPool2DTensorTestsDouble : MaxPool2DTensorTests<double>
{
}
