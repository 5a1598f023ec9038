using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// One test per validation rule of MaxUnpool2D (SEMANTICS.md 2 and 5): exception type and ParamName, and a destination
/// left exactly as it was (every index is checked before anything is written).
/// </summary>
public sealed class MaxUnpool2DValidationTests
{
    /// <summary>[1, 2, 2, 3] pooled by 2x2 stride 2: default output 4x6, 24 cells per plane, 48 in all.</summary>
    private static readonly Shape4D Shape = new(1, 2, 2, 3);
    private static readonly Pool2DGeometry K2 = new(2);
    private static readonly float[] Source = TestData.NonZero<float>(12, 1);
    private static readonly long[] Valid = TestData.WindowIndices(2, 2, 3, 6, 2);

    private readonly GuardedBuffer<float> _destination = new(48);

    [Fact]
    public void BadShapeNamesSourceShape()
        => Rejected<ArgumentException>("sourceShape", () => Unpool(Source, Valid, new Shape4D(1, 2, 0, 3), K2));

    [Fact]
    public void SourceLengthMismatchNamesSource()
        => Rejected<ArgumentException>("source", () => Unpool(new float[11], Valid, Shape, K2));

    [Fact]
    public void IndicesLengthMismatchNamesIndices()
        => Rejected<ArgumentException>("indices", () => Unpool(Source, new long[13], Shape, K2));

    [Fact]
    public void DefaultGeometryNamesGeometry()
        => Rejected<ArgumentException>("geometry", () => Unpool(Source, Valid, Shape, default));

    /// <summary>Default 4x6, stride 2: each axis must lie strictly between default - 2 and default + 2.</summary>
    [Theory]
    [InlineData(2, 6)]
    [InlineData(6, 6)]
    [InlineData(4, 4)]
    [InlineData(4, 8)]
    [InlineData(0, 6)]
    [InlineData(4, -6)]
    public void OutputSizeOutsideTheRangeNamesOutputSize(int h, int w)
        => Rejected<ArgumentException>("outputSize", () => Unpool(Source, Valid, Shape, K2, new Size2D(h, w)));

    [Theory]
    [InlineData(3, 5)]
    [InlineData(5, 7)]
    public void OutputSizeAtTheEndsOfTheRangeIsAccepted(int h, int w)
    {
        long[] indices = TestData.RandomIndices(12, h * w, 3);
        var destination = new GuardedBuffer<float>(2 * h * w);
        Functional.MaxUnpool2D(Source, indices, Shape, K2, destination.Span, new Size2D(h, w));
        destination.AssertGuardsIntact($"{h}x{w}");
    }

    [Theory]
    [InlineData(47)]
    [InlineData(49)]
    public void DestinationLengthMismatchNamesDestination(int length)
    {
        var destination = new GuardedBuffer<float>(length);
        Throws.Param<ArgumentException>("destination", () => Functional.MaxUnpool2D(Source, Valid, Shape, K2, destination.Span));
        destination.AssertUntouched("destination length");
    }

    [Fact]
    public void UndefinedReductionNamesReduction()
        => Rejected<ArgumentOutOfRangeException>("reduction", () => Functional.MaxUnpool2D(Source, Valid, Shape, K2, _destination.Span, reduction: (UnpoolReduction)2));

    [Fact]
    public void DestinationOverlappingSourceNamesDestination()
    {
        var backing = new float[12 + 48];
        Source.CopyTo(backing, 0);
        float[] before = (float[])backing.Clone();
        Throws.Param<ArgumentException>("destination", () => Functional.MaxUnpool2D(backing.AsSpan(0, 12), Valid, Shape, K2, backing.AsSpan(11, 48)));
        Assert.Equal(before, backing);
    }

    [Fact]
    public void DestinationOverlappingIndicesNamesDestination()
    {
        var backing = new long[12 + 24];
        Valid.CopyTo(backing, 0);
        long[] before = (long[])backing.Clone();
        Throws.Param<ArgumentException>(
            "destination",
            () => Functional.MaxUnpool2D(Source, backing.AsSpan(0, 12), Shape, K2, System.Runtime.InteropServices.MemoryMarshal.Cast<long, float>(backing.AsSpan(11, 24))));
        Throws.Param<ArgumentException>(
            "destination",
            () => Functional.MaxUnpool2D(Source, backing.AsSpan(0, 12), Shape, K2, System.Runtime.InteropServices.MemoryMarshal.Cast<long, float>(backing.AsSpan(6, 24))));
        Assert.Equal(before, backing);
    }

    /// <summary>
    /// Out-of-range indices anywhere (first, middle, last position; both planes) are rejected naming "indices", the
    /// position and the value; 2^32 would wrap to a valid 0 if narrowed, so it checks the full 64-bit value.
    /// </summary>
    [Theory]
    [InlineData(0, -1L)]
    [InlineData(5, 24L)]
    [InlineData(11, 24L)]
    [InlineData(6, 4294967296L)]
    [InlineData(7, 4294967297L)]
    [InlineData(3, long.MinValue)]
    [InlineData(9, long.MaxValue)]
    [InlineData(11, int.MaxValue)]
    public void OutOfRangeIndexNamesIndicesAndWritesNothing(int position, long value)
    {
        long[] indices = (long[])Valid.Clone();
        indices[position] = value;
        foreach (Pool2DGeometry g in new[] { K2, new Pool2DGeometry(2, 2, 0, 2), new Pool2DGeometry(new Size2D(2, 2), new Size2D(2, 2)) })
        {
            ArgumentOutOfRangeException e = Rejected<ArgumentOutOfRangeException>("indices", () => Unpool(Source, indices, Shape, g));
            Assert.Contains(value.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
            Assert.Contains(position.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
            foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
            {
                Rejected<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D(Source, indices, Shape, g, _destination.Span, reduction: reduction, options: ExecutionOptions.SingleThreaded));
            }
        }

        if (value is >= int.MinValue and <= int.MaxValue)
        {
            int[] narrow = Valid.Select(i => (int)i).ToArray();
            narrow[position] = (int)value;
            Rejected<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D(Source, narrow, Shape, K2, _destination.Span));
        }
    }

    /// <summary>An index valid for the default 4x6 but not for an explicit 3x5 output is out of range.</summary>
    [Fact]
    public void IndexIsCheckedAgainstTheExplicitOutputSize()
    {
        long[] indices = TestData.RandomIndices(12, 15, 4);
        indices[8] = 15;
        var destination = new GuardedBuffer<float>(30);
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D(Source, indices, Shape, K2, destination.Span, new Size2D(3, 5)));
        destination.AssertUntouched("explicit 3x5");
    }

    /// <summary>A bad index at the very end of a large input, validated across threads, still leaves every plane unwritten.</summary>
    [Theory]
    [InlineData(UnpoolReduction.Replace)]
    [InlineData(UnpoolReduction.Sum)]
    public void BadIndexInLargeThreadedInputWritesNothing(UnpoolReduction reduction)
    {
        var shape = new Shape4D(2, 4, 96, 96);
        float[] x = TestData.NonZero<float>((int)shape.ElementCount, 5);
        foreach (long[] indices in new[] { TestData.WindowIndices(8, 96, 96, 192, 6), TestData.RandomIndices(x.Length, 192 * 192, 7) })
        {
            indices[^1] = 192 * 192;
            var destination = new GuardedBuffer<float>(8 * 192 * 192);
            Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxUnpool2D(x, indices, shape, K2, destination.Span, reduction: reduction));
            destination.AssertUntouched("large input, bad last index");
        }
    }

    private void Unpool(float[] source, long[] indices, Shape4D shape, Pool2DGeometry geometry, Size2D? outputSize = null)
        => Functional.MaxUnpool2D(source, indices, shape, geometry, _destination.Span, outputSize);

    private TException Rejected<TException>(string paramName, Action action)
        where TException : ArgumentException
    {
        TException e = Throws.Param<TException>(paramName, action);
        _destination.AssertUntouched($"destination after {paramName} rejected");
        return e;
    }
}
