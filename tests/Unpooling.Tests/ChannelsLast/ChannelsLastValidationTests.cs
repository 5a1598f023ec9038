namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// The channels-last forms validate as the channels-first ones do, before anything is written: one test per rule,
/// asserting the exception type, <c>ParamName</c>, and that the destination is unchanged.
/// </summary>
public class ChannelsLastValidationTests
{
    private static readonly Shape4D Shape = Shape4D.ChannelsLast(2, 4, 4, 3);
    private static readonly Shape4D Pooled = Shape4D.ChannelsLast(2, 2, 2, 3);
    private static readonly Pool2DGeometry Geometry = new(2);

    [Fact]
    public void PoolingRefusesASourceOfTheWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.MaxPool2D(new float[95], Shape, Geometry, new float[24], new long[24]));
        Assert.Equal("source", e.ParamName);
    }

    [Fact]
    public void PoolingRefusesIndicesOfTheWrongLength()
    {
        var destination = new float[24];
        var e = Assert.Throws<ArgumentException>(() => Functional.MaxPool2D(new float[96], Shape, Geometry, destination, new long[23]));
        Assert.Equal("indices", e.ParamName);
    }

    [Fact]
    public void PoolingRefusesANarrowIndexType()
    {
        var shape = Shape4D.ChannelsLast(1, 16, 17, 2);
        var e = Assert.Throws<ArgumentException>(() => Functional.MaxPool2D(new float[shape.ElementCount], shape, Geometry, new float[8 * 8 * 2], new byte[8 * 8 * 2]));
        Assert.Equal("indices", e.ParamName);
    }

    [Fact]
    public void UnpoolingRefusesAnIndexOutsideThePlaneAndWritesNothing()
    {
        long[] indices = new long[Pooled.ElementCount];
        indices[13] = 16; // position 13: n 1, h 0, w 0, c 1; per-plane indices are 0 to 15
        var destination = new float[Shape.ElementCount];
        destination.AsSpan().Fill(7);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.MaxUnpool2D(new float[24], indices, Pooled, Geometry, destination));
        Assert.Equal("indices", e.ParamName);
        Assert.Contains("Index 16 at position 13", e.Message, StringComparison.Ordinal);
        Assert.Contains("0 to 15", e.Message, StringComparison.Ordinal);
        Assert.All(destination, v => Assert.Equal(7, v));
    }

    [Fact]
    public void UnpoolingReportsTheFirstBadPositionInMemoryOrder()
    {
        long[] indices = new long[Pooled.ElementCount];
        indices[20] = -1;
        indices[5] = 99;
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => Functional.MaxUnpool2D(new float[24], indices, Pooled, Geometry, new float[96], options: new ExecutionOptions { MinParallelElements = 0 }));
        Assert.Contains("at position 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnpoolingRefusesATapOffThePlane()
    {
        // 3x3 stride 2 padding 1 over 4x4: the first window's tap 0 lies in the padding.
        var geometry = new Pool2DGeometry(3, stride: 2, padding: 1);
        byte[] taps = new byte[Pooled.ElementCount];
        Array.Fill(taps, (byte)4);
        taps[0] = 0;
        var destination = new float[Shape.ElementCount];
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => Functional.MaxUnpool2D(new float[24], taps, Pooled, geometry, destination, new Size2D(4, 4), IndexConvention.InWindow));
        Assert.Equal("indices", e.ParamName);
        Assert.All(destination, v => Assert.Equal(0, v));
    }

    [Fact]
    public void UnpoolingRefusesADestinationOfTheWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2D(new float[24], new long[24], Pooled, Geometry, new float[95]));
        Assert.Equal("destination", e.ParamName);
    }

    [Fact]
    public void ConvertIndicesRefusesAnIndexOutsideItsRange()
    {
        long[] indices = new long[Pooled.ElementCount];
        indices[7] = 96;
        var destination = new long[Pooled.ElementCount];
        destination.AsSpan().Fill(5);
        var e = Assert.Throws<ArgumentOutOfRangeException>(
            () => Functional.ConvertIndices(indices, Pooled, Shape.SpatialSize, IndexConvention.GlobalRowMajor, destination, IndexConvention.ChannelsLastWithBatch));
        Assert.Equal("indices", e.ParamName);
        Assert.Contains("at position 7", e.Message, StringComparison.Ordinal);
        Assert.All(destination, v => Assert.Equal(5, v));
    }

    [Fact]
    public void ConvertIndicesRefusesACellOfAnotherPlane()
    {
        long[] indices = new long[Pooled.ElementCount]; // global row-major 0 is plane (0, 0): wrong for c 1 at position 1
        var e = Assert.Throws<ArgumentException>(
            () => Functional.ConvertIndices(indices, Pooled, Shape.SpatialSize, IndexConvention.GlobalRowMajor, new long[24], IndexConvention.PerPlane));
        Assert.Equal("indices", e.ParamName);
        Assert.Contains("at position 1", e.Message, StringComparison.Ordinal);
    }
}
