using System.Numerics;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// The index-space rule at each narrow type's edge (SEMANTICS.md 1: an error, never a silent wrap): the largest index
/// equal to the type's maximum is accepted, one more is refused with an <see cref="ArgumentException"/> naming
/// <c>indices</c> that states the largest index, the type and its maximum, before anything is written. Limits are the
/// arithmetic of the shape (per plane <c>H*W - 1</c>, global row-major <c>N*C*H*W - 1</c>), not the library's.
/// </summary>
public sealed class IndexSpaceTests
{
    /// <summary>(index type runner, per-plane input that just fits, one that just does not, its largest index, type maximum).</summary>
    public static TheoryData<string, int, int, int, int, long, long> PerPlaneEdges => new()
    {
        // name, fitting H, W, refused H, W, refused largest index, type max
        { "byte", 16, 16, 16, 17, 271, 255 },
        { "sbyte", 8, 16, 8, 17, 135, 127 },
        { "short", 128, 256, 129, 256, 33023, 32767 },
        { "ushort", 256, 256, 256, 257, 65791, 65535 },
        { "char", 256, 256, 256, 257, 65791, 65535 },
    };

    [Theory]
    [MemberData(nameof(PerPlaneEdges))]
    public void PoolingPerPlaneSpaceAtTheTypesMaximum(string type, int fitH, int fitW, int badH, int badW, long largest, long max)
    {
        switch (type)
        {
            case "byte": PerPlaneEdge<byte>(fitH, fitW, badH, badW, largest, max); break;
            case "sbyte": PerPlaneEdge<sbyte>(fitH, fitW, badH, badW, largest, max); break;
            case "short": PerPlaneEdge<short>(fitH, fitW, badH, badW, largest, max); break;
            case "ushort": PerPlaneEdge<ushort>(fitH, fitW, badH, badW, largest, max); break;
            default: PerPlaneEdge<char>(fitH, fitW, badH, badW, largest, max); break;
        }
    }

    /// <summary>Global row-major counts every plane: [2, 2, 8, 8] has 256 cells (largest 255, a byte); [2, 2, 8, 9] has 288.</summary>
    [Fact]
    public void GlobalRowMajorSpaceCountsEveryPlane()
    {
        var g = new Pool2DGeometry(2);
        var fits = new Shape4D(2, 2, 8, 8);
        float[] x = TestData.NonZero<float>((int)fits.ElementCount, 41);
        var values = new GuardedBuffer<float>(64);
        var indices = new GuardedBuffer<byte>(64);
        Functional.MaxPool2D(x, fits, g, values.Span, indices.Span, IndexConvention.GlobalRowMajor);
        Assert.Contains(indices.ToArray(), i => i >= 192); // the last plane's indices are 192..255

        var refused = new Shape4D(2, 2, 8, 9);
        float[] y = TestData.NonZero<float>((int)refused.ElementCount, 42);
        var v2 = new GuardedBuffer<float>(64);
        var i2 = new GuardedBuffer<byte>(64);
        ArgumentException e = Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(y, refused, g, v2.Span, i2.Span, IndexConvention.GlobalRowMajor));
        Assert.Contains("287", e.Message, StringComparison.Ordinal);
        v2.AssertUntouched("global row-major byte values");
        i2.AssertUntouched("global row-major byte indices");

        // Per plane the same input fits easily (largest 71).
        Functional.MaxPool2D(y, refused, g, v2.Span, i2.Span);

        // sbyte: 127 is the limit, so [1, 2, 8, 8] (largest 127) fits and [2, 1, 8, 9] (largest 143) does not.
        float[] z = TestData.NonZero<float>(128, 43);
        Functional.MaxPool2D(z, new Shape4D(1, 2, 8, 8), g, new float[32], new sbyte[32], IndexConvention.GlobalRowMajor);
        float[] w = TestData.NonZero<float>(144, 44);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(w, new Shape4D(2, 1, 8, 9), g, new float[32], new sbyte[32], IndexConvention.ChannelsLastWithBatch));
    }

    /// <summary>Unpooling checks the space of the output it indexes: 16x16 with byte indices unpools, 16x17 is refused before writing.</summary>
    [Fact]
    public void UnpoolingChecksTheOutputSpace()
    {
        var g = new Pool2DGeometry(2);
        float[] x = TestData.NonZero<float>(64, 45);
        long[] window = TestData.WindowIndices(1, 8, 8, 16, 46);
        byte[] indices = TestData.Convert<byte>(window);
        float[] y = Guarded.Run<float>(256, d => Functional.MaxUnpool2D(x, indices, new Shape4D(1, 1, 8, 8), g, d), "byte 16x16");
        Assert.Equal(64, y.Count(v => v != 0));

        var destination = new GuardedBuffer<float>(272);
        ArgumentException e = Throws.Param<ArgumentException>(
            "indices",
            () => Functional.MaxUnpool2D(x, indices, new Shape4D(1, 1, 8, 8), g, destination.Span, new Size2D(16, 17)));
        Assert.Contains("271", e.Message, StringComparison.Ordinal);
        destination.AssertUntouched("byte 16x17");
    }

    /// <summary>ConvertIndices checks both conventions' spaces: per plane 8x8 fits a byte, global row-major of six such planes (largest 383) does not.</summary>
    [Fact]
    public void ConvertIndicesChecksBothSpaces()
    {
        byte[] indices = new byte[2 * 3 * 4];
        var shape = new Shape4D(2, 3, 2, 2);
        var destination = new GuardedBuffer<byte>(indices.Length);
        ArgumentException e = Throws.Param<ArgumentException>(
            "destination",
            () => Functional.ConvertIndices<byte>(indices, shape, new Size2D(8, 8), IndexConvention.PerPlane, destination.Span, IndexConvention.GlobalRowMajor));
        Assert.Contains("383", e.Message, StringComparison.Ordinal);
        destination.AssertUntouched("byte convert");
        Throws.Param<ArgumentException>(
            "indices",
            () => Functional.ConvertIndices<sbyte>(new sbyte[1 * 1 * 2 * 2], new Shape4D(1, 1, 2, 2), new Size2D(12, 12), IndexConvention.PerPlane, new sbyte[4], IndexConvention.PerPlane));
    }

    /// <summary>Switches are checked when built: byte switches of a 16x16 input are accepted, of a 16x17 input refused.</summary>
    [Fact]
    public void SwitchesCheckTheSourceSpace()
    {
        var g = new Pool2DGeometry(2);
        var indices = System.Numerics.Tensors.Tensor.Create(new byte[64], [1, 1, 8, 8]);
        Assert.Equal(new Size2D(16, 16), new Switches<byte>(indices, g, new Size2D(16, 16)).SourceSize);
        ArgumentException e = Throws.Param<ArgumentException>("indices", () => new Switches<byte>(indices, g, new Size2D(16, 17)));
        Assert.Contains("271", e.Message, StringComparison.Ordinal);
        Throws.Param<ArgumentException>("indices", () => new Switches<sbyte>(System.Numerics.Tensors.Tensor.Create(new sbyte[64], [1, 1, 8, 8]), g, new Size2D(16, 16)));
    }

    private static void PerPlaneEdge<TIndex>(int fitH, int fitW, int badH, int badW, long largest, long max)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // A 1x1 kernel pools every cell to itself, so the indices are 0 .. H*W-1: the largest is exactly the maximum.
        var g = new Pool2DGeometry(new Size2D(1, 1));
        var fits = new Shape4D(1, 1, fitH, fitW);
        Assert.Equal(max, ((long)fitH * fitW) - 1);
        float[] x = TestData.NonZero<float>(fitH * fitW, 47);
        var indices = new GuardedBuffer<TIndex>(fitH * fitW);
        Functional.MaxPool2D(x, fits, g, new float[fitH * fitW], indices.Span);
        Assert.Equal(max, long.CreateChecked(indices.Span[^1]));

        var refused = new Shape4D(1, 1, badH, badW);
        Assert.Equal(largest, ((long)badH * badW) - 1);
        float[] y = TestData.NonZero<float>(badH * badW, 48);
        var values = new GuardedBuffer<float>(badH * badW);
        var bad = new GuardedBuffer<TIndex>(badH * badW);
        ArgumentException e = Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(y, refused, g, values.Span, bad.Span));
        Assert.Contains(largest.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(TIndex).Name, e.Message, StringComparison.Ordinal);
        Assert.Contains(max.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Contains("wider", e.Message, StringComparison.Ordinal);
        values.AssertUntouched($"{typeof(TIndex).Name} values");
        bad.AssertUntouched($"{typeof(TIndex).Name} indices");
    }
}
