using System.Numerics.Tensors;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// 3-D channels-last pooling and unpooling through the public operators (<c>Functional.MaxPool3D</c> and
/// <c>Functional.MaxUnpool3D</c> on <see cref="Shape5D.ChannelsLast"/> shapes) against the 3-D oracle of
/// <see cref="ChannelsLastReference"/>, permuted: padded, strided, dilated and overlapping windows, channel counts on
/// vector boundaries, one and two threads, replace and sum.
/// </summary>
public class ChannelsLast3DTests
{
    private static readonly (ChannelsLastReference.Axis D, ChannelsLastReference.Axis H, ChannelsLastReference.Axis W)[] Windows =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1), new(2, 2, 0, 1)),
        (new(3, 2, 1, 1), new(3, 2, 1, 1), new(2, 1, 0, 2)),
        (new(1, 1, 0, 1), new(3, 3, 1, 1), new(3, 2, 1, 1)),
    ];

    [Fact]
    public void PoolingAndUnpoolingEqualTheOracle()
    {
        foreach (int channels in new[] { 1, 7, 8, 17 })
        {
            foreach ((var ad, var ah, var aw) in Windows)
            {
                const int batch = 2, depth = 5, height = 6, width = 7;
                var shape = Shape5D.ChannelsLast(batch, depth, height, width, channels);
                var geometry = new Pool3DGeometry(
                    new Size3D(ad.Kernel, ah.Kernel, aw.Kernel), new Size3D(ad.Stride, ah.Stride, aw.Stride),
                    new Size3D(ad.Padding, ah.Padding, aw.Padding), new Size3D(ad.Dilation, ah.Dilation, aw.Dilation));
                float[] x = Infrastructure.TestData.Ties<float>((int)shape.ElementCount, channels);
                long volume = (long)depth * height * width;
                float[] channelsFirst = ChannelsLastReference.ToChannelsFirst(x, batch, channels, volume);
                (float[] values, long[] indices) = ChannelsLastReference.Pool3D(channelsFirst, batch * channels, depth, height, width, ad, ah, aw);
                Size3D output = new(ad.Output(depth), ah.Output(height), aw.Output(width));
                long pooledVolume = (long)output.Depth * output.Height * output.Width;
                foreach (ExecutionOptions options in new[] { ExecutionOptions.SingleThreaded, new ExecutionOptions { MaxDegreeOfParallelism = 2, MinParallelElements = 0 } })
                {
                    string context = $"C={channels} {geometry} {options}";
                    var pooled = new float[values.Length];
                    var written = new long[values.Length];
                    Functional.MaxPool3D<float, long>(x, shape, geometry, pooled, written, IndexConvention.PerPlane, options);
                    ChannelsLastAssert.SameBits<float>(ChannelsLastReference.ToChannelsLast(values, batch, channels, pooledVolume), pooled, context);
                    ChannelsLastAssert.SameIndices<long>(ChannelsLastReference.ToChannelsLast(indices, batch, channels, pooledVolume), written, context);

                    // The span form unpools to a size within one stride of the default (PyTorch's rule); a dilated
                    // window's pooling input can lie past it (the Switches3D form carries that size instead).
                    Size3D unpoolDefault = geometry.GetUnpoolOutputSize(output);
                    bool admitted = Admits(unpoolDefault.Depth, geometry.Stride.Depth, depth) && Admits(unpoolDefault.Height, geometry.Stride.Height, height)
                        && Admits(unpoolDefault.Width, geometry.Stride.Width, width);
                    Assert.Equal(ad.Dilation == 1 && ah.Dilation == 1 && aw.Dilation == 1, admitted);
                    foreach (bool sum in admitted ? new[] { false, true } : [])
                    {
                        float[] expected = ChannelsLastReference.Unpool3D(values, indices, batch * channels, pooledVolume, volume, sum);
                        var restored = new float[shape.ElementCount];
                        Functional.MaxUnpool3D<float, long>(
                            pooled, written, shape.WithSpatialSize(output), geometry, restored, shape.SpatialSize, IndexConvention.PerPlane,
                            sum ? UnpoolReduction.Sum : UnpoolReduction.Replace, options);
                        ChannelsLastAssert.SameBits<float>(ChannelsLastReference.ToChannelsLast(expected, batch, channels, volume), restored, $"{context} sum {sum}");
                    }
                }
            }
        }
    }

    [Fact]
    public void ThreeDimensionalConventionsFollowTheirDefinitions()
    {
        // One window per output cell of a 2x2x2 pooling; each convention's index of the arg-max cell by its formula.
        const int batch = 2, channels = 3, depth = 4, height = 4, width = 6;
        var shape = Shape5D.ChannelsLast(batch, depth, height, width, channels);
        var geometry = new Pool3DGeometry(new Size3D(2, 2, 2));
        float[] x = Infrastructure.TestData.NonZero<float>((int)shape.ElementCount, 3);
        var perPlane = new long[shape.ElementCount / 8];
        var values = new float[perPlane.Length];
        Functional.MaxPool3D<float, long>(x, shape, geometry, values, perPlane, IndexConvention.PerPlane, default);
        foreach (IndexConvention convention in new[] { IndexConvention.GlobalRowMajor, IndexConvention.GlobalColumnMajor, IndexConvention.ChannelsLastPerSample, IndexConvention.ChannelsLastWithBatch, IndexConvention.InWindow })
        {
            var indices = new long[perPlane.Length];
            Functional.MaxPool3D<float, long>(x, shape, geometry, values, indices, convention, default);
            for (int k = 0; k < indices.Length; k++)
            {
                long c = k % channels, pixel = k / channels, n = pixel / 12, rest = pixel % 12;
                long od = rest / 6, oh = rest / 3 % 2, ow = rest % 3;
                long cell = perPlane[k], d = cell / (height * width), h = cell / width % height, w = cell % width;
                long expected = convention switch
                {
                    IndexConvention.GlobalRowMajor => (((((n * channels) + c) * depth + d) * height) + h) * width + w,
                    IndexConvention.GlobalColumnMajor => (((n * channels) + c) * depth * height * width) + d + (depth * (h + (height * w))),
                    IndexConvention.ChannelsLastPerSample => (cell * channels) + c,
                    IndexConvention.ChannelsLastWithBatch => (((n * depth * height * width) + cell) * channels) + c,
                    _ => ((((d - (2 * od)) * 2) + (h - (2 * oh))) * 2) + (w - (2 * ow)),
                };
                Assert.True(expected == indices[k], $"{convention} at {k}: {indices[k]}, expected {expected}");
            }

            var restored = new float[shape.ElementCount];
            var expectedRestored = new float[shape.ElementCount];
            Functional.MaxUnpool3D<float, long>(values, perPlane, shape.WithSpatialSize(new Size3D(2, 2, 3)), geometry, expectedRestored, shape.SpatialSize, IndexConvention.PerPlane, UnpoolReduction.Replace, default);
            Functional.MaxUnpool3D<float, long>(values, indices, shape.WithSpatialSize(new Size3D(2, 2, 3)), geometry, restored, shape.SpatialSize, convention, UnpoolReduction.Replace, default);
            ChannelsLastAssert.SameBits<float>(expectedRestored, restored, $"{convention} unpooled");
        }
    }

    [Fact]
    public void ChannelsLast3DTensorSpansAreTakenInPlace()
    {
        // PyTorch's channels_last_3d strides on [N, C, D, H, W] views of [N, D, H, W, C] memory: pooled and unpooled by
        // the channels-last kernel without a copy, equal to the span form on Shape5D.ChannelsLast.
        const int batch = 2, channels = 5, depth = 4, height = 4, width = 6;
        var shape = Shape5D.ChannelsLast(batch, depth, height, width, channels);
        var geometry = new Pool3DGeometry(new Size3D(2, 2, 2));
        var pooledShape = Shape5D.ChannelsLast(batch, 2, 2, 3, channels);
        float[] x = Infrastructure.TestData.Ties<float>((int)shape.ElementCount, 11);
        var expectedValues = new float[pooledShape.ElementCount];
        var expectedIndices = new long[pooledShape.ElementCount];
        Functional.MaxPool3D<float, long>(x, shape, geometry, expectedValues, expectedIndices, IndexConvention.PerPlane, default);
        var expectedRestored = new float[shape.ElementCount];
        Functional.MaxUnpool3D<float, long>(expectedValues, expectedIndices, pooledShape, geometry, expectedRestored, shape.SpatialSize, IndexConvention.PerPlane, UnpoolReduction.Replace, default);

        nint[] lengths = [batch, channels, depth, height, width], pooledLengths = [batch, channels, 2, 2, 3];
        nint[] strides = [depth * height * width * channels, 1, height * width * channels, width * channels, channels];
        nint[] pooledStrides = [2 * 2 * 3 * channels, 1, 2 * 3 * channels, 3 * channels, channels];
        var values = new float[expectedValues.Length];
        var indices = new long[expectedIndices.Length];
        var restored = new float[x.Length];
        int before = Unpooling.Internal.TensorAdapter.t_channelsLastInPlace;
        Functional.MaxPool3D(
            new ReadOnlyTensorSpan<float>(x, lengths, strides), geometry, new TensorSpan<float>(values, pooledLengths, pooledStrides),
            new TensorSpan<long>(indices, pooledLengths, pooledStrides));
        Functional.MaxUnpool3D(
            new ReadOnlyTensorSpan<float>(values, pooledLengths, pooledStrides), new ReadOnlyTensorSpan<long>(indices, pooledLengths, pooledStrides), geometry,
            new TensorSpan<float>(restored, lengths, strides));
        Assert.Equal(3 + 3, Unpooling.Internal.TensorAdapter.t_channelsLastInPlace - before); // the three tensors of each call, none copied
        ChannelsLastAssert.SameBits<float>(expectedValues, values, "pooled in place");
        ChannelsLastAssert.SameIndices<long>(expectedIndices, indices, "indices in place");
        ChannelsLastAssert.SameBits<float>(expectedRestored, restored, "unpooled in place");
    }

    private static bool Admits(int defaultSize, int stride, int size) => size > defaultSize - stride && size < defaultSize + stride;
}
