using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.BlockRanks;

/// <summary>
/// One test per validation rule of the 1-D and 3-D block family: the exception type, <c>ParamName</c>, a message that
/// carries the bad value, and the destination left untouched.
/// </summary>
public sealed class BlockRanksValidationTests
{
    private const float Sentinel = -7f;

    private static readonly Shape3D Line = new(1, 2, 5);
    private static readonly Shape5D Volume = new(1, 2, 2, 3, 4);

    public static TheoryData<string, string, string, Action<float[]>> Rules() => new()
    {
        { "1-D factor 0", "factor", "0", d => Functional.FixedUnpool1D<float>(new float[10], Line, 0, d) },
        { "1-D offset = factor", "offset", "2", d => Functional.FixedUnpool1D<float>(new float[10], Line, 2, d, offset: 2) },
        { "1-D negative offset", "offset", "-1", d => Functional.FixedUnpool1D<float>(new float[10], Line, 2, d, offset: -1) },
        { "1-D output size too large", "outputSize", "12", d => Functional.RepeatUnpool1D<float>(new float[10], Line, 2, d, outputSize: 12) },
        { "1-D output size too small", "outputSize", "8", d => Functional.RandomUnpool1D<float>(new float[10], Line, 2, 1, d, outputSize: 8) },
        { "1-D source length", "source", "9", d => Functional.FixedUnpool1D<float>(new float[9], Line, 2, d) },
        { "1-D destination length", "destination", "[1, 2, 15] = 30", d => Functional.FixedUnpool1D<float>(new float[10], Line, 3, d) },
        { "1-D bad shape", "sourceShape", "[1, 2, 0]", d => Functional.RepeatUnpool1D<float>(new float[0], new Shape3D(1, 2, 0), 2, d) },
        { "1-D zero-insert stride 0", "stride", "0", d => Functional.ZeroInsert1D<float>(new float[10], Line, 0, d) },
        { "1-D subsample destination length", "destination", "[1, 2, 3] = 6", d => Functional.StridedSubsample1D<float>(new float[10], Line, 2, d) },
        { "3-D factor 0 on the height", "factor", "2x0x2", d => Functional.FixedUnpool3D<float>(new float[48], Volume, new Size3D(2, 0, 2), d) },
        { "3-D offset past the depth", "offset", "2x0x0", d => Functional.FixedUnpool3D<float>(new float[48], Volume, 2, d, offset: new Size3D(2, 0, 0)) },
        { "3-D output depth too large", "outputSize", "6x6x8", d => Functional.RepeatUnpool3D<float>(new float[48], Volume, 2, d, outputSize: new Size3D(6, 6, 8)) },
        { "3-D output width too small", "outputSize", "4x6x6", d => Functional.FixedUnpool3D<float>(new float[48], Volume, 2, d, outputSize: new Size3D(4, 6, 6)) },
        { "3-D random kD*kH past int", "factor", "65536x65536x1", d => Functional.RandomUnpool3D<float>(new float[48], Volume, new Size3D(65536, 65536, 1), 1, d) },
        { "3-D source length", "source", "47", d => Functional.FixedUnpool3D<float>(new float[47], Volume, 2, d) },
        { "3-D destination length", "destination", "384", d => Functional.RandomUnpool3D<float>(new float[48], Volume, 3, 1, d) },
        { "3-D zero-insert stride 0", "stride", "1x0x1", d => Functional.ZeroInsert3D<float>(new float[48], Volume, new Size3D(1, 0, 1), d) },
        { "3-D channels-last destination length", "destination", "384", d => Functional.RepeatUnpool3D<float>(new float[48], Shape5D.ChannelsLast(1, 2, 3, 4, 2), 3, d) },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void EachRuleNamesItsArgumentAndWritesNothing(string rule, string paramName, string shown, Action<float[]> call)
    {
        float[] destination = Enumerable.Repeat(Sentinel, 384).ToArray();
        ArgumentException e = Record.Exception(() => call(destination)) as ArgumentException ?? throw new Xunit.Sdk.XunitException($"{rule}: no ArgumentException");
        Assert.True(e.ParamName == paramName, $"{rule}: ParamName '{e.ParamName}', expected '{paramName}' ({e.Message})");
        Assert.True(e.Message.Contains(shown, StringComparison.Ordinal), $"{rule}: the message '{e.Message}' does not show '{shown}'");
        Assert.True(destination.All(v => v == Sentinel), $"{rule}: the destination was written");
        if (paramName is "factor" or "offset" or "stride" && !rule.Contains("kD*kH", StringComparison.Ordinal) && rule.Contains("0", StringComparison.Ordinal))
        {
            Assert.IsType<ArgumentOutOfRangeException>(e);
        }
    }

    [Fact]
    public void AnOverlappingDestinationIsRefusedBeforeAnyWrite()
    {
        float[] buffer = Enumerable.Range(0, 60).Select(i => (float)i).ToArray();
        float[] before = (float[])buffer.Clone();
        Throws.Param<ArgumentException>("destination", () => Functional.RepeatUnpool1D<float>(buffer.AsSpan(0, 10), Line, 2, buffer.AsSpan(5, 20)));
        Throws.Param<ArgumentException>("destination", () => Functional.ZeroInsert3D<float>(buffer.AsSpan(0, 48), Volume, 1, buffer.AsSpan(12, 48)));
        Assert.Equal(before, buffer);
    }

    [Fact]
    public void AllocatingFormsRefuseAnOutputPastArrayMaxLength()
    {
        var line = Tensor.Create(new byte[1 << 20], [1, 1, 1 << 20]);
        var e = Throws.Param<ArgumentException>("factor", () => Functional.RepeatUnpool1D(line, 4096));
        Assert.IsNotType<ArgumentOutOfRangeException>(e);
        var volume = Tensor.Create(new byte[64], [1, 1, 4, 4, 4]);
        Throws.Param<ArgumentException>("factor", () => Functional.FixedUnpool3D(volume, 512));
        Throws.Param<ArgumentException>("outputSize", () => Functional.RandomUnpool3D(volume, new Size3D(1, 1, 1 << 28), 3, new Size3D(4, 4, 1 << 30)));
        Throws.Param<ArgumentException>("stride", () => Functional.ZeroInsert3D(volume, new Size3D(1, 1 << 10, 1 << 20)));
    }

    [Fact]
    public void TensorFormsCheckRankAndDestinationShape()
    {
        var x = Tensor.Create(new float[10], [1, 2, 5]);
        var wrongRank = Tensor.Create(new float[10], [1, 2, 1, 5]);
        var y = new float[40];
        Throws.Param<ArgumentException>("source", () => Functional.FixedUnpool1D<float>(wrongRank.AsReadOnlyTensorSpan(), 2, new TensorSpan<float>(y, [1, 2, 10])));
        Throws.Param<ArgumentException>("destination", () => Functional.FixedUnpool1D<float>(x.AsReadOnlyTensorSpan(), 2, new TensorSpan<float>(y, [1, 2, 12])));
        Throws.Param<ArgumentException>("destination", () => Functional.RepeatUnpool1D<float>(x.AsReadOnlyTensorSpan(), 2, new TensorSpan<float>(y, [1, 3, 10])));
        Throws.Param<ArgumentException>("destination", () => Functional.ZeroInsert1D<float>(x.AsReadOnlyTensorSpan(), 2, new TensorSpan<float>(y, [1, 2, 10])));
        var v = Tensor.Create(new float[48], [1, 2, 2, 3, 4]);
        var big = new float[2 * 4 * 6 * 10];
        Throws.Param<ArgumentException>("destination", () => Functional.FixedUnpool3D<float>(v.AsReadOnlyTensorSpan(), 2, new TensorSpan<float>(big, [1, 2, 4, 6, 10])));
        Throws.Param<ArgumentException>("source", () => Functional.RepeatUnpool3D<float>(x.AsReadOnlyTensorSpan(), 2, new TensorSpan<float>(big, [1, 2, 4, 6, 10])));
        Assert.All(y, value => Assert.Equal(0f, value));
        Assert.All(big, value => Assert.Equal(0f, value));
    }
}
