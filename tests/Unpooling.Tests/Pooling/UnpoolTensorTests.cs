using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The tensor forms of the unpooling operators: dense and strided (channels-last inputs, row-padded destinations)
/// agree with the oracles, the output size comes from the destination's shape (validated by the same rule), and the
/// allocating forms return the right shapes.
/// </summary>
public abstract class UnpoolTensorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly Shape4D Shape = new(2, 3, 5, 19);
    private static readonly T[] X = TestData.NonZero<T>((int)Shape.ElementCount, 1);

    [Fact]
    public void MaxUnpoolTensorsMatchReference()
    {
        var g = new Pool2DGeometry(3, 2, 1);
        foreach (Size2D output in new[] { new Size2D(9, 37), new Size2D(10, 38), new Size2D(8, 36) })
        {
            long[] indices = TestData.RandomIndices(X.Length, output.Height * output.Width, output.Width);
            foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
            {
                T[] expected = UnpoolReference.MaxUnpool(X, indices, 6, 5, 19, output.Height, output.Width, reduction == UnpoolReduction.Sum);
                foreach (int padding in new[] { 0, 3 })
                {
                    string context = $"max unpool {output} {reduction} row padding {padding}";
                    var dense = new PaddedTensor<T>(Shape.WithSpatialSize(output), padding);
                    Functional.MaxUnpool2D(Dense(X), Dense(indices), g, dense.View, reduction: reduction);
                    Check(dense, expected, $"{context}, dense inputs");

                    var strided = new PaddedTensor<T>(Shape.WithSpatialSize(output), padding);
                    int[] narrow = TestData.Convert<int>(indices);
                    Functional.MaxUnpool2D(TensorViews.ChannelsLast(X, Shape), TensorViews.ChannelsLast(narrow, Shape), g, strided.View, reduction: reduction);
                    Check(strided, expected, $"{context}, channels-last inputs");
                }
            }
        }
    }

    [Fact]
    public void MaxUnpoolAllocatingFormReturnsDefaultAndExplicitShapes()
    {
        var g = new Pool2DGeometry(2);
        long[] indices = TestData.RandomIndices(X.Length, 10 * 38, 2);
        Tensor<long> indexTensor = Tensor.Create(indices, TensorViews.Lengths(Shape));
        foreach ((Size2D? requested, Size2D output) in new (Size2D?, Size2D)[] { (null, new Size2D(10, 38)), (new Size2D(11, 39), new Size2D(11, 39)) })
        {
            Tensor<T> y = Functional.MaxUnpool2D(Tensor.Create(X, TensorViews.Lengths(Shape)), indexTensor, g, requested);
            Assert.Equal(TensorViews.Lengths(Shape.WithSpatialSize(output)), y.Lengths.ToArray());
            BitAssert.Equal<T>(UnpoolReference.MaxUnpool(X, indices, 6, 5, 19, output.Height, output.Width, false), Flatten(y), $"allocating {output}");
        }

        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D(Tensor.Create(X, TensorViews.Lengths(Shape)), indexTensor, g, new Size2D(12, 38)));
        Throws.Param<ArgumentNullException>("source", () => Functional.MaxUnpool2D((Tensor<T>)null!, indexTensor, g));
        Throws.Param<ArgumentNullException>("indices", () => Functional.MaxUnpool2D(Tensor.Create(X, TensorViews.Lengths(Shape)), (Tensor<long>)null!, g));
    }

    [Fact]
    public void MaxUnpoolTensorValidationNamesTheTensor()
    {
        var g = new Pool2DGeometry(2);
        long[] indices = TestData.RandomIndices(X.Length, 8 * 36, 3);
        foreach (Shape4D bad in new[] { Shape.WithSpatialSize(new Size2D(8, 38)), Shape.WithSpatialSize(new Size2D(10, 40)), Shape with { Channels = 2, Height = 10, Width = 38 } })
        {
            var destination = new PaddedTensor<T>(bad, 0);
            Throws.Param<ArgumentException>("destination", () => Functional.MaxUnpool2D(Dense(X), Dense(indices), g, destination.View));
            destination.Buffer.AssertUntouched($"destination {bad}");
        }

        var good = new PaddedTensor<T>(Shape.WithSpatialSize(new Size2D(10, 38)), 1);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxUnpool2D(Dense(X), new ReadOnlyTensorSpan<long>(indices, [2, 3, 19, 5]), g, good.View));
        indices[^1] = 10 * 38;
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D(Dense(X), Dense(indices), g, good.View));
        good.Buffer.AssertUntouched("bad index through a strided destination");
    }

    [Fact]
    public void BlockUnpoolTensorsMatchReference()
    {
        foreach (Size2D factor in new[] { new Size2D(2, 2), new Size2D(3, 2), new Size2D(1, 4) })
        {
            int dh = 5 * factor.Height, dw = 19 * factor.Width;
            foreach (Size2D output in new[] { new Size2D(dh, dw), new Size2D(dh - factor.Height + 1, dw + factor.Width - 1) })
            {
                var offset = new Size2D(factor.Height - 1, factor.Width / 2);
                (BlockOperator Op, T[] Expected)[] cases =
                [
                    (BlockOperator.Fixed, UnpoolReference.Fixed(X, 6, 5, 19, factor.Height, factor.Width, offset.Height, offset.Width, output.Height, output.Width)),
                    (BlockOperator.Repeat, UnpoolReference.Repeat(X, 6, 5, 19, factor.Height, factor.Width, output.Height, output.Width)),
                    (BlockOperator.Random, UnpoolReference.Random(X, 6, 5, 19, factor.Height, factor.Width, 77, output.Height, output.Width)),
                ];
                foreach ((BlockOperator op, T[] expected) in cases)
                {
                    string context = $"{op} factor {factor} output {output}";
                    var dense = new PaddedTensor<T>(Shape.WithSpatialSize(output), 0);
                    BlockUnpool(op, Dense(X), factor, dense.View, offset, 77);
                    Check(dense, expected, $"{context} dense");

                    var strided = new PaddedTensor<T>(Shape.WithSpatialSize(output), 2);
                    BlockUnpool(op, TensorViews.ChannelsLast(X, Shape), factor, strided.View, offset, 77);
                    Check(strided, expected, $"{context} strided");

                    Tensor<T> allocated = BlockUnpool(op, Tensor.Create(X, TensorViews.Lengths(Shape)), factor, output, offset, 77);
                    Assert.Equal(TensorViews.Lengths(Shape.WithSpatialSize(output)), allocated.Lengths.ToArray());
                    BitAssert.Equal<T>(expected, Flatten(allocated), $"{context} allocating");
                }
            }
        }
    }

    [Fact]
    public void BlockUnpoolTensorValidationNamesTheTensor()
    {
        foreach (BlockOperator op in new[] { BlockOperator.Fixed, BlockOperator.Repeat, BlockOperator.Random })
        {
            foreach (Shape4D bad in new[] { Shape.WithSpatialSize(new Size2D(8, 38)), Shape.WithSpatialSize(new Size2D(10, 40)), Shape with { Batch = 1, Height = 10, Width = 38 } })
            {
                var destination = new PaddedTensor<T>(bad, 1);
                Throws.Param<ArgumentException>("destination", () => BlockUnpool(op, Dense(X), 2, destination.View));
                destination.Buffer.AssertUntouched($"{op} destination {bad}");
            }

            Throws.Param<ArgumentException>("outputSize", () => BlockUnpool(op, Tensor.Create(X, TensorViews.Lengths(Shape)), 2, new Size2D(10, 36)));
            Throws.Param<ArgumentNullException>("source", () => BlockUnpool(op, (Tensor<T>)null!, 2, null));
        }
    }

    /// <summary>The tensor form of Fixed (<paramref name="offset"/>), Repeat and Random (<paramref name="seed"/>).</summary>
    private static void BlockUnpool(BlockOperator op, in ReadOnlyTensorSpan<T> source, Size2D factor, in TensorSpan<T> destination, Size2D offset = default, ulong seed = 0)
    {
        switch (op)
        {
            case BlockOperator.Fixed: Functional.FixedUnpool2D(source, factor, destination, offset); break;
            case BlockOperator.Repeat: Functional.RepeatUnpool2D(source, factor, destination); break;
            default: Functional.RandomUnpool2D(source, factor, seed, destination); break;
        }
    }

    /// <summary>The allocating form of Fixed, Repeat and Random.</summary>
    private static Tensor<T> BlockUnpool(BlockOperator op, Tensor<T> source, Size2D factor, Size2D? outputSize, Size2D offset = default, ulong seed = 0) => op switch
    {
        BlockOperator.Fixed => Functional.FixedUnpool2D(source, factor, offset, outputSize),
        BlockOperator.Repeat => Functional.RepeatUnpool2D(source, factor, outputSize),
        _ => Functional.RandomUnpool2D(source, factor, seed, outputSize),
    };

    private static ReadOnlyTensorSpan<TElement> Dense<TElement>(TElement[] data) => new(data, TensorViews.Lengths(Shape));

    private static T[] Flatten(Tensor<T> tensor)
    {
        var flat = new T[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return flat;
    }

    private static void Check(PaddedTensor<T> destination, T[] expected, string context)
    {
        destination.AssertPaddingUntouched(context);
        BitAssert.Equal<T>(expected, destination.Read(), context);
    }
}

public sealed class UnpoolTensorTestsSingle : UnpoolTensorTests<float>
{
}

public sealed class UnpoolTensorTestsDouble : UnpoolTensorTests<double>
{
}
