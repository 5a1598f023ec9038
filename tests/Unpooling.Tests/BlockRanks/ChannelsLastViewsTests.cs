using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling.Tests.BlockRanks;

/// <summary>The channels-last recogniser: PyTorch's channels_last strides of ranks 3-5 are taken in place; anything else is not.</summary>
public sealed class ChannelsLastViewsTests
{
    private static readonly float[] Memory = new float[4096];

    [Theory]
    [InlineData(new long[] { 2, 3, 5 }, new long[] { 15, 1, 3 }, true)] // [N, C, L] over [N, L, C]
    [InlineData(new long[] { 2, 3, 4, 5 }, new long[] { 60, 1, 15, 3 }, true)] // PyTorch channels_last
    [InlineData(new long[] { 2, 3, 2, 4, 5 }, new long[] { 120, 1, 60, 15, 3 }, true)] // channels_last_3d
    [InlineData(new long[] { 2, 3, 1, 5 }, new long[] { 15, 1, 0, 3 }, true)] // a unit axis may have any stride
    [InlineData(new long[] { 2, 3, 4, 5 }, new long[] { 60, 20, 5, 1 }, false)] // dense channels-first
    [InlineData(new long[] { 2, 3, 4, 5 }, new long[] { 72, 1, 18, 3 }, false)] // padded rows (W*C + 3)
    [InlineData(new long[] { 2, 3, 4, 5 }, new long[] { 60, 1, 3, 12 }, false)] // H and W swapped
    [InlineData(new long[] { 2, 3, 4, 5 }, new long[] { 61, 1, 15, 3 }, false)] // padded samples
    public void RecognisesExactlyPyTorchChannelsLastStrides(long[] lengths, long[] strides, bool expected)
    {
        var view = new ReadOnlyTensorSpan<float>(Memory, lengths.Select(l => (nint)l).ToArray(), strides.Select(s => (nint)s).ToArray());
        Assert.Equal(expected, ChannelsLastViews.IsChannelsLast(view));
    }

    [Fact]
    public void OneChannelIsBothLayoutsAndRunsChannelsFirst()
    {
        var dense = new ReadOnlyTensorSpan<float>(Memory, [2, 1, 4, 5]);
        Assert.True(ChannelsLastViews.IsChannelsLast(dense));
        Assert.False(ChannelsLastViews.BothChannelsLast(dense, dense));
    }
}
