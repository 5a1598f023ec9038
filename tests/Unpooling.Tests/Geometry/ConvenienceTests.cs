using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// The conveniences a new user reaches for: sizes from tuples, shapes to tensor lengths and strides and back, and the
/// output-shape helpers of every operator. Expected shapes are the size formulas of SEMANTICS.md worked by hand in each
/// case (the comment beside it), strides PyTorch's row-major and <c>channels_last</c> rules written out here.
/// </summary>
public sealed class ConvenienceTests
{
    [Fact]
    public void SizesConvertFromTuples()
    {
        Size2D pair = (3, 2);
        Assert.Equal(new Size2D(3, 2), pair);
        Assert.Equal(new Size2D(5, 1), Size2D.FromValueTuple((5, 1)));
        Size3D triple = (4, 3, 2);
        Assert.Equal(new Size3D(4, 3, 2), triple);
        Assert.Equal(new Size3D(1, 2, 3), Size3D.FromValueTuple((1, 2, 3)));

        // As arguments: a (3, 2) kernel means kH = 3, kW = 2.
        var pool = new Pool2DGeometry((3, 2), stride: (2, 1));
        Assert.Equal(new Size2D(3, 2), pool.KernelSize);
        Assert.Equal(new Size2D(2, 1), pool.Stride);
        var conv = new Conv3DGeometry((1, 3, 3), padding: (0, 1, 1));
        Assert.Equal(new Size3D(1, 3, 3), conv.KernelSize);
    }

    [Fact]
    public void ShapesGiveTheirLogicalLengthsInEitherLayout()
    {
        Assert.Equal([2, 3, 5], new Shape3D(2, 3, 5).GetLengths());
        Assert.Equal([2, 3, 5], Shape3D.ChannelsLast(2, 5, 3).GetLengths());
        Assert.Equal([2, 3, 4, 5], new Shape4D(2, 3, 4, 5).GetLengths());
        Assert.Equal([2, 3, 4, 5], Shape4D.ChannelsLast(2, 4, 5, 3).GetLengths());
        Assert.Equal([2, 3, 6, 4, 5], Shape5D.ChannelsLast(2, 6, 4, 5, 3).GetLengths());
    }

    [Fact]
    public void StridesAreRowMajorOrChannelsLastWithZeroOnUnitAxes()
    {
        // Row-major [N, C, H, W] = [2, 3, 4, 5]: W 1, H 5, C 4*5, N 3*4*5.
        Assert.Equal([60, 20, 5, 1], new Shape4D(2, 3, 4, 5).GetStrides());

        // channels_last [N, H, W, C] = [2, 4, 5, 3]: C 1, W 3, H 5*3, N 4*5*3, reported in logical order N, C, H, W.
        Assert.Equal([60, 1, 15, 3], Shape4D.ChannelsLast(2, 4, 5, 3).GetStrides());

        // channels_last_3d [N, D, H, W, C] = [2, 6, 4, 5, 3]: C 1, W 3, H 15, D 60, N 360.
        Assert.Equal([360, 1, 60, 15, 3], Shape5D.ChannelsLast(2, 6, 4, 5, 3).GetStrides());

        // [N, L, C] = [2, 5, 3]: C 1, L 3, N 15.
        Assert.Equal([15, 1, 3], Shape3D.ChannelsLast(2, 5, 3).GetStrides());

        // A length-1 axis is never stepped: stride 0 (N = 1 and H = 1 here).
        Assert.Equal([0, 5, 0, 1], new Shape4D(1, 3, 1, 5).GetStrides());
        Assert.Equal([0, 1, 0, 3], Shape4D.ChannelsLast(1, 1, 5, 3).GetStrides());

        // An empty shape: all zeros (System.Numerics.Tensors refuses other strides over no memory).
        Assert.Equal([0, 0, 0, 0], new Shape4D(0, 3, 4, 5).GetStrides());

        Throws.Param<ArgumentException>("this", () => new Shape4D(1, 1, 0, 5).GetStrides());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LengthsAndStridesDescribeTheSpanFormsBuffer(bool channelsLast)
    {
        // Each element of a dense buffer holds its own offset; the TensorSpan built from the shape must read, at logical
        // (n, c, h, w), the offset the layout gives: ((n*C + c)*H + h)*W + w or ((n*H + h)*W + w)*C + c.
        const int N = 2, C = 3, H = 4, W = 5;
        Shape4D shape = channelsLast ? Shape4D.ChannelsLast(N, H, W, C) : new Shape4D(N, C, H, W);
        float[] buffer = Enumerable.Range(0, N * C * H * W).Select(i => (float)i).ToArray();
        var view = new ReadOnlyTensorSpan<float>(buffer, shape.GetLengths(), shape.GetStrides());
        for (int n = 0; n < N; n++)
        {
            for (int c = 0; c < C; c++)
            {
                for (int h = 0; h < H; h++)
                {
                    for (int w = 0; w < W; w++)
                    {
                        int offset = channelsLast ? (((((n * H) + h) * W) + w) * C) + c : (((((n * C) + c) * H) + h) * W) + w;
                        Assert.Equal(offset, view[[n, c, h, w]]);
                    }
                }
            }
        }

        // And the operators take that view as the span form's buffer: pooling it gives the span form's values.
        var geometry = new Pool2DGeometry(2);
        Shape4D pooledShape = Functional.GetMaxPool2DOutputShape(shape, geometry);
        var spanValues = new float[pooledShape.ElementCount];
        Functional.MaxPool2D(buffer, shape, geometry, spanValues, new long[pooledShape.ElementCount]);
        var tensorValues = new float[pooledShape.ElementCount];
        Functional.MaxPool2D(
            view, geometry, new TensorSpan<float>(tensorValues, pooledShape.GetLengths(), pooledShape.GetStrides()),
            new TensorSpan<long>(new long[pooledShape.ElementCount], pooledShape.GetLengths(), pooledShape.GetStrides()));
        Assert.Equal(spanValues, tensorValues);
    }

    [Fact]
    public void FromLengthsRoundTripsAndRefusesBadLengths()
    {
        Assert.Equal(new Shape4D(2, 3, 4, 5), Shape4D.FromLengths([2, 3, 4, 5]));
        Assert.Equal(Shape4D.ChannelsLast(2, 4, 5, 3), Shape4D.FromLengths(Shape4D.ChannelsLast(2, 4, 5, 3).GetLengths(), TensorLayout.ChannelsLast));
        Assert.Equal(Shape3D.ChannelsLast(2, 5, 3), Shape3D.FromLengths([2, 3, 5], TensorLayout.ChannelsLast));
        Assert.Equal(new Shape5D(1, 2, 3, 4, 5), Shape5D.FromLengths(new Shape5D(1, 2, 3, 4, 5).GetLengths()));

        Tensor<float> tensor = Tensor.CreateFromShape<float>([2, 3, 4, 5]);
        Assert.Equal(new Shape4D(2, 3, 4, 5), Shape4D.FromLengths(tensor.Lengths));

        Throws.Param<ArgumentException>("lengths", () => Shape4D.FromLengths([2, 3, 4]));
        Throws.Param<ArgumentException>("lengths", () => Shape3D.FromLengths([2, 3, 4, 5]));
        Throws.Param<ArgumentException>("lengths", () => Shape4D.FromLengths([2, 3, -1, 5]));
        nint tooLong = int.MaxValue;
        tooLong++;
        Throws.Param<ArgumentException>("lengths", () => Shape5D.FromLengths([1, 1, 1, 1, tooLong]));
    }

    [Fact]
    public void PoolingShapesFollowTheSizeRules()
    {
        // Output (i + pb + pe - d*(k-1) - 1)/s + 1: (9 + 2 - 2 - 1)/2 + 1 = 5, (7 + 2 - 2 - 1)/2 + 1 = 4.
        var geometry = new Pool2DGeometry(3, stride: 2, padding: 1);
        Assert.Equal(new Shape4D(2, 3, 5, 4), Functional.GetMaxPool2DOutputShape(new Shape4D(2, 3, 9, 7), geometry));
        Assert.Equal(Shape4D.ChannelsLast(2, 5, 4, 3), Functional.GetMaxPool2DOutputShape(Shape4D.ChannelsLast(2, 9, 7, 3), geometry));

        // Unpooling (i-1)*s - pb - pe + k: (5-1)*2 - 2 + 3 = 9, (4-1)*2 - 2 + 3 = 7.
        Assert.Equal(new Shape4D(2, 3, 9, 7), Functional.GetMaxUnpool2DOutputShape(new Shape4D(2, 3, 5, 4), geometry));

        // 1-D: (10 - 2)/2 + 1 = 5 and back (5-1)*2 + 2 = 10; 3-D: 8, 6, 4 halved.
        Assert.Equal(new Shape3D(1, 4, 5), Functional.GetMaxPool1DOutputShape(new Shape3D(1, 4, 10), new Pool1DGeometry(2)));
        Assert.Equal(new Shape3D(1, 4, 10), Functional.GetMaxUnpool1DOutputShape(new Shape3D(1, 4, 5), new Pool1DGeometry(2)));
        Assert.Equal(new Shape5D(1, 2, 4, 3, 2), Functional.GetMaxPool3DOutputShape(new Shape5D(1, 2, 8, 6, 4), new Pool3DGeometry(2)));
        Assert.Equal(new Shape5D(1, 2, 8, 6, 4), Functional.GetMaxUnpool3DOutputShape(new Shape5D(1, 2, 4, 3, 2), new Pool3DGeometry(2)));

        Throws.Param<ArgumentException>("sourceShape", () => Functional.GetMaxPool2DOutputShape(new Shape4D(-1, 3, 9, 7), geometry));
        Throws.Param<ArgumentException>("geometry", () => Functional.GetMaxPool2DOutputShape(new Shape4D(1, 1, 2, 2), new Pool2DGeometry(5)));
        Throws.Param<ArgumentException>("geometry", () => Functional.GetMaxPool2DOutputShape(new Shape4D(1, 1, 2, 2), default));
    }

    [Fact]
    public void ConvolutionShapesTakeTheirChannelsFromTheWeight()
    {
        // Conv: (i + 2p - d*(k-1) - 1)/s + 1: (7 + 2 - 3)/2 + 1 = 4, (9 + 2 - 3)/2 + 1 = 5; Cout = the weight's 8.
        var geometry = new Conv2DGeometry(3, stride: 2, padding: 1);
        Assert.Equal(new Shape4D(2, 8, 4, 5), Functional.GetConv2DOutputShape(new Shape4D(2, 6, 7, 9), new Shape4D(8, 6, 3, 3), geometry));
        Assert.Equal(
            Shape4D.ChannelsLast(2, 4, 5, 8), Functional.GetConv2DOutputShape(Shape4D.ChannelsLast(2, 7, 9, 6), new Shape4D(8, 6, 3, 3), geometry));

        // Grouped: 2 groups of a [8, 3, 3, 3] weight take 6 input channels.
        var grouped = new Conv2DGeometry(3, padding: 1, groups: 2);
        Assert.Equal(new Shape4D(1, 8, 7, 9), Functional.GetConv2DOutputShape(new Shape4D(1, 6, 7, 9), new Shape4D(8, 3, 3, 3), grouped));

        // Transposed: (i-1)*s - 2p + d*(k-1) + op + 1: (4-1)*2 - 2 + 3 + 1 = 8 with output padding 1; Cout = 3 * 2 groups.
        var transposed = new Conv2DGeometry(3, stride: 2, padding: 1, groups: 2, outputPadding: 1);
        Assert.Equal(new Shape4D(1, 6, 8, 10), Functional.GetConvTranspose2DOutputShape(new Shape4D(1, 4, 4, 5), new Shape4D(4, 3, 3, 3), transposed));

        // 1-D: (10 - 3)/1 + 1 = 8; transposed (10-1)*2 + 4 - 2 = 20. 3-D: k 3 padding 1 keeps 4x4x4.
        Assert.Equal(new Shape3D(2, 5, 8), Functional.GetConv1DOutputShape(new Shape3D(2, 3, 10), new Shape3D(5, 3, 3), new Conv1DGeometry(3)));
        Assert.Equal(
            Shape3D.ChannelsLast(2, 20, 5),
            Functional.GetConvTranspose1DOutputShape(Shape3D.ChannelsLast(2, 10, 3), new Shape3D(3, 5, 4), new Conv1DGeometry(4, stride: 2, padding: 1)));
        Assert.Equal(new Shape5D(1, 2, 4, 4, 4), Functional.GetConv3DOutputShape(new Shape5D(1, 3, 4, 4, 4), new Shape5D(2, 3, 3, 3, 3), new Conv3DGeometry(3, padding: 1)));
        Assert.Equal(
            new Shape5D(1, 2, 8, 8, 8),
            Functional.GetConvTranspose3DOutputShape(new Shape5D(1, 3, 4, 4, 4), new Shape5D(3, 2, 4, 4, 4), new Conv3DGeometry(4, stride: 2, padding: 1)));

        // The operator's own checks: a weight for 5 input channels on a 6-channel input, a kernel the geometry disagrees with.
        Throws.Param<ArgumentException>("weightShape", () => Functional.GetConv2DOutputShape(new Shape4D(1, 6, 7, 9), new Shape4D(8, 5, 3, 3), geometry));
        Throws.Param<ArgumentException>("weightShape", () => Functional.GetConv2DOutputShape(new Shape4D(1, 6, 7, 9), new Shape4D(8, 6, 2, 3), geometry));
        Throws.Param<ArgumentException>("geometry", () => Functional.GetConv2DOutputShape(new Shape4D(1, 6, 1, 1), new Shape4D(8, 6, 3, 3), new Conv2DGeometry(3)));
        Throws.Param<ArgumentException>("weightShape", () => Functional.GetConv2DOutputShape(new Shape4D(1, 6, 7, 9), Shape4D.ChannelsLast(8, 3, 3, 6), geometry));
    }

    [Fact]
    public void BlockFamilyShapesFollowTheFactorAndStride()
    {
        // Block unpooling i*k; zero insertion (i-1)*s + 1; strided subsample (i-1)/s + 1.
        var shape = new Shape4D(2, 3, 4, 5);
        Assert.Equal(new Shape4D(2, 3, 8, 15), Functional.GetBlockUnpool2DOutputShape(shape, (2, 3)));
        Assert.Equal(new Shape4D(2, 3, 7, 13), Functional.GetZeroInsert2DOutputShape(shape, (2, 3)));
        Assert.Equal(new Shape4D(2, 3, 2, 2), Functional.GetStridedSubsample2DOutputShape(shape, (2, 3)));
        Assert.Equal(Shape4D.ChannelsLast(2, 8, 15, 3), Functional.GetBlockUnpool2DOutputShape(Shape4D.ChannelsLast(2, 4, 5, 3), (2, 3)));

        Assert.Equal(new Shape3D(1, 2, 21), Functional.GetBlockUnpool1DOutputShape(new Shape3D(1, 2, 7), 3));
        Assert.Equal(new Shape3D(1, 2, 19), Functional.GetZeroInsert1DOutputShape(new Shape3D(1, 2, 7), 3));
        Assert.Equal(Shape3D.ChannelsLast(1, 3, 2), Functional.GetStridedSubsample1DOutputShape(Shape3D.ChannelsLast(1, 7, 2), 3));

        var volume = new Shape5D(1, 2, 3, 4, 5);
        Assert.Equal(new Shape5D(1, 2, 3, 8, 10), Functional.GetBlockUnpool3DOutputShape(volume, (1, 2, 2)));
        Assert.Equal(new Shape5D(1, 2, 5, 7, 9), Functional.GetZeroInsert3DOutputShape(volume, 2));
        Assert.Equal(new Shape5D(1, 2, 2, 2, 3), Functional.GetStridedSubsample3DOutputShape(volume, 2));

        Throws.Param<ArgumentOutOfRangeException>("factor", () => Functional.GetBlockUnpool2DOutputShape(shape, (0, 2)));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => Functional.GetZeroInsert3DOutputShape(volume, (1, 0, 1)));

        // Issue 12's defect 9: an output no span holds is an ArgumentException naming the factor, not an OverflowException.
        Throws.Param<ArgumentException>("factor", () => Functional.GetBlockUnpool2DOutputShape(new Shape4D(1, 1, 2, 2), (30000, 30000)));
        Throws.Param<ArgumentException>("factor", () => Functional.GetBlockUnpool1DOutputShape(new Shape3D(1, 1, 2), int.MaxValue));
        Throws.Param<ArgumentException>("sourceShape", () => Functional.GetZeroInsert2DOutputShape(new Shape4D(1, 1, 0, 2), 2));
    }
}
