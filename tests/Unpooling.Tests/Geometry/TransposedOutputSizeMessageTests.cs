using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// <c>WithTransposedOutputSize</c> refuses an unreachable size with the range PyTorch's output_size rule gives,
/// <c>[unpadded, unpadded + stride - 1]</c>, cut to the sizes an int holds; an axis with no size in range says so.
/// </summary>
public sealed class TransposedOutputSizeMessageTests
{
    [Fact]
    public void TheLargestReachableSizeIsCutToIntMaxValue()
    {
        // Unpadded (2-1)*2^30 + 1 = 1073741825; + stride - 1 passes int.MaxValue, so the range ends there.
        var geometry = new Conv3DGeometry(1, stride: new Size3D(1, 1, 1 << 30));
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
            "outputSize", () => geometry.WithTransposedOutputSize(new Size3D(1, 1, 2), new Size3D(1, 1, 3)));
        Assert.Contains("from 1x1x1073741825 to 1x1x2147483647", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAxisWithNoSizeFromOneSaysSo()
    {
        // Unpadded (2-1)*1 - 2*5 + 1 = -8 and stride 1: no size of at least 1 is reachable on that axis.
        var geometry = new Conv2DGeometry(1, padding: new Size2D(5, 0));
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
            "outputSize", () => geometry.WithTransposedOutputSize(new Size2D(2, 2), new Size2D(1, 2)));
        Assert.Contains("no output size from 1 to int.MaxValue", e.Message, StringComparison.Ordinal);
    }
}
