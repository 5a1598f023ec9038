using System.Globalization;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// One test per validation rule of the overloads that take an <see cref="IndexConvention"/> and of ConvertIndices
/// (SEMANTICS.md 1, 2 and 5): exception type and ParamName, and destinations left exactly as they were.
/// </summary>
public sealed class IndexConventionValidationTests
{
    private const IndexConvention Undefined = (IndexConvention)6;

    /// <summary>[2, 3, 2, 3] pooled by 2x2 stride 2 from [2, 3, 4, 6]: 24 cells a plane, 72 a sample, 144 in all.</summary>
    private static readonly Shape4D Pooled = new(2, 3, 2, 3);
    private static readonly Shape4D Unpooled = new(2, 3, 4, 6);
    private static readonly Pool2DGeometry K2 = new(2);
    private static readonly float[] Values = TestData.NonZero<float>(36, 41);
    private static readonly long[] PerPlane = TestData.WindowIndices(6, 2, 3, 6, 42);

    [Fact]
    public void MaxPoolUndefinedConventionNamesIndexConvention()
    {
        var destination = new GuardedBuffer<float>(36);
        var indices = new GuardedBuffer<long>(36);
        float[] x = TestData.NonZero<float>(144, 43);
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => Functional.MaxPool2D(x, Unpooled, K2, destination.Span, indices.Span, Undefined));
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => Functional.MaxPool2D(x, Unpooled, K2, destination.Span, indices.Span, (IndexConvention)(-1)));
        var values = new PaddedTensor<float>(Pooled, 0);
        var tensorIndices = new PaddedTensor<int>(Pooled, 0);
        Throws.Param<ArgumentOutOfRangeException>(
            "indexConvention",
            () => Functional.MaxPool2D(new ReadOnlyTensorSpan<float>(x, TensorViews.Lengths(Unpooled)), K2, values.View, tensorIndices.View, Undefined));
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => Functional.MaxPool2D(Tensor.Create(x, TensorViews.Lengths(Unpooled)), K2, Undefined));
        destination.AssertUntouched("span");
        indices.AssertUntouched("span");
        values.Buffer.AssertUntouched("tensor");
        tensorIndices.Buffer.AssertUntouched("tensor");
    }

    [Fact]
    public void MaxUnpoolUndefinedConventionNamesIndexConvention()
    {
        var destination = new GuardedBuffer<float>(144);
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => Functional.MaxUnpool2D(Values, PerPlane, Pooled, K2, destination.Span, indexConvention: Undefined));
        var tensor = new PaddedTensor<float>(Unpooled, 1);
        Throws.Param<ArgumentOutOfRangeException>(
            "indexConvention",
            () => Functional.MaxUnpool2D(new ReadOnlyTensorSpan<float>(Values, TensorViews.Lengths(Pooled)), new ReadOnlyTensorSpan<long>(PerPlane, TensorViews.Lengths(Pooled)), K2, tensor.View, Undefined));
        Throws.Param<ArgumentOutOfRangeException>(
            "indexConvention",
            () => Functional.MaxUnpool2D(Tensor.Create(Values, TensorViews.Lengths(Pooled)), Tensor.Create(PerPlane, TensorViews.Lengths(Pooled)), K2, indexConvention: Undefined));
        destination.AssertUntouched("span");
        tensor.Buffer.AssertUntouched("tensor");
    }

    /// <summary>
    /// For each convention, an index just outside its range (-1, the range size, a 64-bit value whose low 32 bits
    /// are valid) at the first, a middle and the last position is rejected naming "indices", the position, the value
    /// and the range; nothing is written, with either reduction, int or long, in-plane or cross-plane neighbours.
    /// </summary>
    [Theory]
    [InlineData(IndexConvention.PerPlane, 24L)]
    [InlineData(IndexConvention.GlobalRowMajor, 144L)]
    [InlineData(IndexConvention.GlobalColumnMajor, 144L)]
    [InlineData(IndexConvention.ChannelsLastPerSample, 72L)]
    [InlineData(IndexConvention.ChannelsLastWithBatch, 144L)]
    public void OutOfRangeIndexNamesIndicesAndWritesNothing(IndexConvention convention, long space)
    {
        Assert.Equal(space, IndexConventionReference.Space(convention, Unpooled));
        long[] valid = IndexConventionReference.FromPerPlane(PerPlane, Pooled, Unpooled.SpatialSize, convention);
        long[] crossPlane = TestData.RandomIndices(36, space, 44);
        foreach (long[] background in new[] { valid, crossPlane })
        {
            foreach ((int position, long value) in new[] { (0, -1L), (17, space), (35, space + (1L << 32)), (20, long.MinValue) })
            {
                long[] indices = (long[])background.Clone();
                indices[position] = value;
                var destination = new GuardedBuffer<float>(144);
                foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
                {
                    ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
                        "indices", () => Functional.MaxUnpool2D(Values, indices, Pooled, K2, destination.Span, indexConvention: convention, reduction: reduction));
                    Assert.Contains($"Index {value.ToString(CultureInfo.InvariantCulture)} at position {position}", e.Message, StringComparison.Ordinal);
                    Assert.Contains($"0 to {space - 1}", e.Message, StringComparison.Ordinal);
                    if (value is >= int.MinValue and <= int.MaxValue)
                    {
                        int[] narrow = TestData.Convert<int>(indices);
                        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D(Values, narrow, Pooled, K2, destination.Span, indexConvention: convention, reduction: reduction, options: ExecutionOptions.SingleThreaded));
                    }
                }

                destination.AssertUntouched($"{convention} position {position} value {value}");
            }
        }
    }

    /// <summary>
    /// The 32-bit index rule cannot fire in the span forms: an indexed tensor whose indices exceed int.MaxValue has more
    /// elements than a span holds, and that shape is rejected first (so the check never reads memory it was not
    /// given). ConvertIndices, whose indexed tensor is only a size, enforces the rule (see ConvertIndicesTests).
    /// </summary>
    [Fact]
    public void IndexedTensorsBeyondInt32AreRejectedByTheShapeRuleFirst()
    {
        var huge = new Shape4D(2, 3, 20000, 20000);
        Throws.Param<ArgumentException>("sourceShape", () => Functional.MaxPool2D(new float[4], huge, K2, new float[1], new int[1], IndexConvention.GlobalRowMajor));
        var kernel = new Pool2DGeometry(20000);
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D(new float[6], new int[6], new Shape4D(2, 3, 1, 1), kernel, new float[6], indexConvention: IndexConvention.GlobalRowMajor));
    }

    [Fact]
    public void ConvertIndicesBadShapeNamesIndicesShape()
        => Rejected<ArgumentException>("indicesShape", (i, d) => Functional.ConvertIndices(i, new Shape4D(2, -1, 2, 3), new Size2D(4, 6), IndexConvention.PerPlane, d, IndexConvention.GlobalRowMajor));

    [Fact]
    public void ConvertIndicesLengthMismatchNamesIndices()
        => Rejected<ArgumentException>("indices", (i, d) => Functional.ConvertIndices(i[1..], Pooled, new Size2D(4, 6), IndexConvention.PerPlane, d, IndexConvention.GlobalRowMajor));

    /// <summary>Indexed sizes below 1, or so large that the indexed tensor has 2^63 cells or more.</summary>
    [Theory]
    [InlineData(0, 6)]
    [InlineData(4, -1)]
    [InlineData(int.MaxValue, int.MaxValue)]
    public void ConvertIndicesBadIndexedSizeNamesIndexedSize(int h, int w)
        => Rejected<ArgumentException>("indexedSize", (i, d) => Functional.ConvertIndices(i, Pooled, new Size2D(h, w), IndexConvention.PerPlane, d, IndexConvention.GlobalRowMajor));

    [Fact]
    public void ConvertIndicesUndefinedSourceConventionNamesSourceConvention()
        => Rejected<ArgumentOutOfRangeException>("sourceConvention", (i, d) => Functional.ConvertIndices(i, Pooled, new Size2D(4, 6), Undefined, d, IndexConvention.GlobalRowMajor));

    [Fact]
    public void ConvertIndicesDestinationLengthMismatchNamesDestination()
        => Rejected<ArgumentException>("destination", (i, d) => Functional.ConvertIndices(i, Pooled, new Size2D(4, 6), IndexConvention.PerPlane, d[..35], IndexConvention.GlobalRowMajor));

    [Fact]
    public void ConvertIndicesUndefinedDestinationConventionNamesDestinationConvention()
        => Rejected<ArgumentOutOfRangeException>("destinationConvention", (i, d) => Functional.ConvertIndices(i, Pooled, new Size2D(4, 6), IndexConvention.PerPlane, d, Undefined));

    /// <summary>The same span converts in place; a shifted overlap would read indices already overwritten, so it is rejected.</summary>
    [Fact]
    public void ConvertIndicesPartialOverlapNamesDestination()
    {
        long[] backing = new long[37];
        PerPlane.CopyTo(backing, 0);
        long[] before = (long[])backing.Clone();
        foreach ((int from, int to) in new[] { (0, 1), (1, 0) })
        {
            Throws.Param<ArgumentException>(
                "destination",
                () => Functional.ConvertIndices(backing.AsSpan(from, 36), Pooled, new Size2D(4, 6), IndexConvention.PerPlane, backing.AsSpan(to, 36), IndexConvention.GlobalRowMajor));
            Assert.Equal(before, backing);
        }
    }

    /// <summary>Out-of-range source indices (per plane: [0, 24)) are ArgumentOutOfRangeException naming "indices", with position and value.</summary>
    [Theory]
    [InlineData(0, -1L)]
    [InlineData(20, 24L)]
    [InlineData(35, 1L << 32)]
    public void ConvertIndicesOutOfRangeNamesIndicesAndWritesNothing(int position, long value)
    {
        long[] indices = (long[])PerPlane.Clone();
        indices[position] = value;
        var destination = new GuardedBuffer<long>(36);
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
            "indices", () => Functional.ConvertIndices(indices, Pooled, new Size2D(4, 6), IndexConvention.PerPlane, destination.Span, IndexConvention.GlobalColumnMajor));
        Assert.Contains($"Index {value.ToString(CultureInfo.InvariantCulture)} at position {position}", e.Message, StringComparison.Ordinal);
        destination.AssertUntouched("out of range");
        long[] before = (long[])indices.Clone();
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.ConvertIndices(indices, Pooled, new Size2D(4, 6), IndexConvention.PerPlane, indices, IndexConvention.GlobalColumnMajor));
        Assert.Equal(before, indices);
    }

    /// <summary>Runs a failing conversion into a guarded destination and asserts the exception and an untouched destination.</summary>
    private static void Rejected<TException>(string paramName, SpanAction action)
        where TException : ArgumentException
    {
        long[] indices = (long[])PerPlane.Clone();
        var destination = new GuardedBuffer<long>(36);
        Throws.Param<TException>(paramName, () => action(indices, destination.Span));
        destination.AssertUntouched(paramName);
        Assert.Equal(PerPlane, indices);
    }

    private delegate void SpanAction(Span<long> indices, Span<long> destination);
}
