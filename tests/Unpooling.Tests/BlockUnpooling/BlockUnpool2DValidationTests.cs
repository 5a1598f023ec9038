using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// One test per validation rule of FixedUnpool2D, RepeatUnpool2D and RandomUnpool2D: exception type, ParamName and an
/// untouched destination. Each rule runs through all three operators where it applies.
/// </summary>
public sealed class BlockUnpool2DValidationTests
{
    /// <summary>[1, 2, 3, 4] by 2x2: default output 6x8 per plane, 96 elements.</summary>
    private static readonly Shape4D Shape = new(1, 2, 3, 4);
    private static readonly float[] Source = TestData.NonZero<float>(24, 1);

    private readonly GuardedBuffer<float> _destination = new(96);

    public static TheoryData<BlockOperator> Operators => new(BlockOperator.Fixed, BlockOperator.Repeat, BlockOperator.Random);

    [Theory]
    [MemberData(nameof(Operators))]
    public void BadShapeNamesSourceShape(BlockOperator op)
        => Rejected<ArgumentException>("sourceShape", op, s => s with { Shape = new Shape4D(1, -2, 3, 4) });

    [Theory]
    [MemberData(nameof(Operators))]
    public void SourceLengthMismatchNamesSource(BlockOperator op)
        => Rejected<ArgumentException>("source", op, s => s with { Source = new float[23] });

    [Theory]
    [MemberData(nameof(Operators))]
    public void ZeroFactorNamesFactor(BlockOperator op)
    {
        Rejected<ArgumentOutOfRangeException>("factor", op, s => s with { Factor = new Size2D(0, 2) });
        Rejected<ArgumentOutOfRangeException>("factor", op, s => s with { Factor = new Size2D(2, 0) });
        Rejected<ArgumentOutOfRangeException>("factor", op, s => s with { Factor = new Size2D(-1, -1) });
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(0, 2)]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    [InlineData(5, 5)]
    public void OffsetOutsideTheBlockNamesOffset(int ah, int aw)
        => Rejected<ArgumentOutOfRangeException>("offset", BlockOperator.Fixed, s => s with { Offset = new Size2D(ah, aw) });

    /// <summary>Default 6x8 with factor 2: each axis must lie strictly between default - 2 and default + 2.</summary>
    [Theory]
    [InlineData(4, 8)]
    [InlineData(8, 8)]
    [InlineData(6, 6)]
    [InlineData(6, 10)]
    [InlineData(0, 8)]
    public void OutputSizeOutsideTheRangeNamesOutputSize(int h, int w)
    {
        foreach (BlockOperator op in new[] { BlockOperator.Fixed, BlockOperator.Repeat, BlockOperator.Random })
        {
            Rejected<ArgumentException>("outputSize", op, s => s with { OutputSize = new Size2D(h, w) });
        }
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void DestinationLengthMismatchNamesDestination(BlockOperator op)
    {
        foreach (int length in new[] { 95, 97 })
        {
            var destination = new GuardedBuffer<float>(length);
            Throws.Param<ArgumentException>("destination", () => new Call(op).Run(destination.Span));
            destination.AssertUntouched($"{op} destination length {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Operators))]
    public void DestinationOverlappingSourceNamesDestination(BlockOperator op)
    {
        var backing = new float[24 + 96];
        Source.CopyTo(backing, 0);
        float[] before = (float[])backing.Clone();
        var call = new Call(op);
        Throws.Param<ArgumentException>("destination", () => call.Run(backing.AsSpan(0, 24), backing.AsSpan(23, 96)));
        Assert.Equal(before, backing);
    }

    private void Rejected<TException>(string paramName, BlockOperator op, Func<Call, Call> change)
        where TException : ArgumentException
    {
        Call call = change(new Call(op));
        Throws.Param<TException>(paramName, () => call.Run(_destination.Span));
        _destination.AssertUntouched($"{op} after {paramName} rejected");
    }

    /// <summary>One call of an operator with every argument valid unless a test changes it.</summary>
    private sealed record Call(BlockOperator Op)
    {
        public float[] Source { get; init; } = BlockUnpool2DValidationTests.Source;

        public Shape4D Shape { get; init; } = BlockUnpool2DValidationTests.Shape;

        public Size2D Factor { get; init; } = 2;

        public Size2D Offset { get; init; }

        public Size2D? OutputSize { get; init; }

        public void Run(Span<float> destination) => Run(Source, destination);

        public void Run(ReadOnlySpan<float> source, Span<float> destination)
        {
            switch (Op)
            {
                case BlockOperator.Fixed:
                    Functional.FixedUnpool2D(source, Shape, Factor, destination, Offset, OutputSize);
                    break;
                case BlockOperator.Repeat:
                    Functional.RepeatUnpool2D(source, Shape, Factor, destination, OutputSize);
                    break;
                default:
                    Functional.RandomUnpool2D(source, Shape, Factor, 3, destination, OutputSize);
                    break;
            }
        }
    }
}
