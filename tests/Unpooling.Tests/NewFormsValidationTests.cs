using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The forms the generic API added (ConvertIndices into a tensor span, the allocating forms over
/// <see cref="ReadOnlyTensorSpan{T}"/>): each computes what its span twin does, and each validation rule names the
/// argument to fix, before anything is written.
/// </summary>
public class NewFormsValidationTests
{
    private static readonly Shape4D Pooled = new(2, 3, 4, 5);
    private static readonly Size2D Indexed = new(8, 10);

    [Fact]
    public void ConvertIndicesIntoAStridedTensorSpanEqualsTheOracle()
    {
        long[] perPlane = TestData.RandomIndices((int)Pooled.ElementCount, Indexed.Height * Indexed.Width, 5);
        long[] expected = IndexConventionReference.FromPerPlane(perPlane, Pooled, Indexed, IndexConvention.GlobalColumnMajor);
        var destination = new PaddedTensor<long>(Pooled, 3);
        Functional.ConvertIndices(TensorViews.View(perPlane, Pooled, ViewLayout.ChannelsLast), Indexed, IndexConvention.PerPlane, destination.View, IndexConvention.GlobalColumnMajor);
        BitAssert.IndicesEqual<long>(expected, destination.Read(), "converted into a row-padded tensor");
        destination.AssertPaddingUntouched("converted into a row-padded tensor");
    }

    [Fact]
    public void ConvertIndicesIntoATensorSpanNamesEachBadArgument()
    {
        long[] perPlane = new long[Pooled.ElementCount];
        var destination = new PaddedTensor<long>(Pooled, 1);
        var wrong = new PaddedTensor<long>(Pooled with { Width = 4 }, 1);
        Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices(new ReadOnlyTensorSpan<long>(perPlane, [2, 3, 20]), Indexed, IndexConvention.PerPlane, destination.View, IndexConvention.GlobalRowMajor));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices(Dense(perPlane, Pooled), Indexed, IndexConvention.PerPlane, wrong.View, IndexConvention.GlobalRowMajor));
        Throws.Param<ArgumentOutOfRangeException>("destinationConvention", () => Functional.ConvertIndices(Dense(perPlane, Pooled), Indexed, IndexConvention.PerPlane, destination.View, (IndexConvention)99));
        foreach (PaddedTensor<long> t in new[] { destination, wrong })
        {
            t.Buffer.AssertGuardsIntact("after the refusals");
            for (int i = 0; i < t.Buffer.Length; i++)
            {
                Assert.True(t.Buffer.IsSentinel(i), $"element {i} was written by a refused call");
            }
        }
    }

    [Fact]
    public void AllocatingUnpoolingOverViewsNamesEachBadArgument()
    {
        var g = new Pool2DGeometry(2);
        float[] values = new float[Pooled.ElementCount];
        long[] indices = new long[Pooled.ElementCount];
        Throws.Param<ArgumentException>("indices", () => Functional.MaxUnpool2D(Dense(values, Pooled), Dense(indices, Pooled with { Channels = 2 }), g));
        Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool2D(new ReadOnlyTensorSpan<float>(values, [2, 3, 20]), Dense(indices, Pooled), g));
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D(Dense(values, Pooled), Dense(indices, Pooled), g, new Size2D(10, 10)));

        (Tensor<float> _, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(new float[2 * 3 * 8 * 10], [2, 3, 8, 10]), g);
        Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool2D(Dense(values, Pooled with { Batch = 1 }), switches));
        Throws.Param<ArgumentNullException>("switches", () => Functional.MaxUnpool2D(Dense(values, Pooled), (Switches<long>)null!));
    }

    [Fact]
    public void AllocatingConvolutionsOverViewsNameEachBadArgument()
    {
        var g = new Conv2DGeometry(3, 2, 1);
        float[] x = new float[2 * 4 * 5 * 5];
        float[] w = new float[4 * 6 * 3 * 3];
        Throws.Param<ArgumentException>("bias", () => Functional.ConvTranspose2D(Dense(x, new Shape4D(2, 4, 5, 5)), Dense(w, new Shape4D(4, 6, 3, 3)), new float[5], g));
        Throws.Param<ArgumentException>("weight", () => Functional.ConvTranspose2D(Dense(x, new Shape4D(2, 4, 5, 5)), new ReadOnlyTensorSpan<float>(w, [4, 6, 9]), [], g));
        Throws.Param<ArgumentException>("bias", () => Functional.Conv2D(Dense(x, new Shape4D(2, 4, 5, 5)), Dense(w, new Shape4D(6, 4, 3, 3)), new float[5], g));
        Throws.Param<ArgumentException>("source", () => Functional.Conv2D(new ReadOnlyTensorSpan<float>(x, [2, 4, 25]), Dense(w, new Shape4D(6, 4, 3, 3)), [], g));
    }

    private static ReadOnlyTensorSpan<T> Dense<T>(T[] data, Shape4D shape)
        => new(data, 0, TensorViews.Lengths(shape), []);
}
