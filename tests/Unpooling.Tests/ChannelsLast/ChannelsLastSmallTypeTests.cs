using System.Numerics;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// Channels-last max pooling of the 8- and 16-bit element types (sbyte, byte, short, Half), whose arg-max travels as a
/// tap code in lanes of the element's width, through the public 2-D and 3-D operators: against the 3-D oracle of
/// <see cref="ChannelsLastReference"/> on the channels-first permutation, every index convention by its formula from
/// the oracle's cell, windows with one depth tap (codes decoded in vector lanes) and with several (decoded through the
/// kernel's table of tap offsets), padded, strided and dilated, channel counts below, on and past each vector width,
/// int and long indices, one and two threads, bit for bit (ties, NaNs and extremes from <see cref="Pooling.LaneData"/>).
/// </summary>
public abstract class ChannelsLastSmallTypeTests<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    private static readonly (ChannelsLastReference.Axis D, ChannelsLastReference.Axis H, ChannelsLastReference.Axis W)[] Windows =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1), new(2, 2, 0, 1)),
        (new(3, 2, 1, 1), new(2, 1, 0, 2), new(3, 2, 1, 1)),
        (new(1, 1, 0, 1), new(3, 2, 1, 1), new(2, 2, 0, 1)),
        (new(1, 2, 0, 1), new(2, 1, 1, 2), new(3, 1, 1, 1)),
    ];

    private static readonly IndexConvention[] Conventions =
    [
        IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.GlobalColumnMajor,
        IndexConvention.ChannelsLastPerSample, IndexConvention.ChannelsLastWithBatch, IndexConvention.InWindow,
    ];

    private static readonly ExecutionOptions[] Threads = [ExecutionOptions.SingleThreaded, new ExecutionOptions { MaxDegreeOfParallelism = 2, MinParallelElements = 0 }];

    [Fact]
    public void ThreeDimensionalPoolingEqualsTheOracleInEveryConvention()
    {
        const int batch = 2, depth = 4, height = 5, width = 6;
        foreach (int channels in new[] { 3, 16, 33, 64, 71 })
        {
            foreach ((var ad, var ah, var aw) in Windows)
            {
                var shape = Shape5D.ChannelsLast(batch, depth, height, width, channels);
                var geometry = new Pool3DGeometry(
                    new Size3D(ad.Kernel, ah.Kernel, aw.Kernel), new Size3D(ad.Stride, ah.Stride, aw.Stride),
                    new Size3D(ad.Padding, ah.Padding, aw.Padding), new Size3D(ad.Dilation, ah.Dilation, aw.Dilation));
                T[] x = Pooling.LaneData.Values<T>((int)shape.ElementCount, channels + ad.Kernel);
                long volume = (long)depth * height * width;
                (T[] values, long[] cells) = ChannelsLastReference.Pool3D(ChannelsLastReference.ToChannelsFirst(x, batch, channels, volume), batch * channels, depth, height, width, ad, ah, aw);
                var output = new Size3D(ad.Output(depth), ah.Output(height), aw.Output(width));
                long pooledVolume = (long)output.Depth * output.Height * output.Width;
                T[] expectedValues = ChannelsLastReference.ToChannelsLast(values, batch, channels, pooledVolume);
                foreach (IndexConvention convention in Conventions)
                {
                    long[] expected = ChannelsLastReference.ToChannelsLast(
                        Expected(cells, convention, channels, new Size3D(depth, height, width), output, ad, ah, aw), batch, channels, pooledVolume);
                    foreach (ExecutionOptions options in Threads)
                    {
                        string context = $"{typeof(T).Name} C={channels} {geometry} {convention} {options}";
                        var pooled = new T[expectedValues.Length];
                        var indices = new long[expectedValues.Length];
                        Functional.MaxPool3D<T, long>(x, shape, geometry, pooled, indices, convention, options);
                        ChannelsLastAssert.SameBits<T>(expectedValues, pooled, context);
                        ChannelsLastAssert.SameIndices<long>(expected, indices, context);

                        var narrow = new int[expectedValues.Length];
                        Functional.MaxPool3D<T, int>(x, shape, geometry, pooled, narrow, convention, options);
                        ChannelsLastAssert.SameIndices<int>(TestData.Convert<int>(expected), narrow, $"{context} int");
                    }
                }
            }
        }
    }

    [Fact]
    public void TwoDimensionalPoolingEqualsTheOracleInEveryConvention()
    {
        const int batch = 2, height = 7, width = 9;
        var none = new ChannelsLastReference.Axis(1, 1, 0, 1);
        foreach (int channels in new[] { 8, 32, 65, 128 })
        {
            foreach ((_, var ah, var aw) in Windows)
            {
                var shape = Shape4D.ChannelsLast(batch, height, width, channels);
                var geometry = new Pool2DGeometry(new Size2D(ah.Kernel, aw.Kernel), new Size2D(ah.Stride, aw.Stride), new Size2D(ah.Padding, aw.Padding), new Size2D(ah.Dilation, aw.Dilation));
                T[] x = Pooling.LaneData.Values<T>((int)shape.ElementCount, channels + ah.Kernel);
                long plane = (long)height * width;
                (T[] values, long[] cells) = ChannelsLastReference.Pool3D(ChannelsLastReference.ToChannelsFirst(x, batch, channels, plane), batch * channels, 1, height, width, none, ah, aw);
                var output = new Size3D(1, ah.Output(height), aw.Output(width));
                long pooledPlane = (long)output.Height * output.Width;
                T[] expectedValues = ChannelsLastReference.ToChannelsLast(values, batch, channels, pooledPlane);
                foreach (IndexConvention convention in Conventions)
                {
                    long[] expected = ChannelsLastReference.ToChannelsLast(Expected(cells, convention, channels, new Size3D(1, height, width), output, none, ah, aw), batch, channels, pooledPlane);
                    foreach (ExecutionOptions options in Threads)
                    {
                        string context = $"{typeof(T).Name} C={channels} {geometry} {convention} {options}";
                        var pooled = new T[expectedValues.Length];
                        var indices = new long[expectedValues.Length];
                        Functional.MaxPool2D<T, long>(x, shape, geometry, pooled, indices, convention, options);
                        ChannelsLastAssert.SameBits<T>(expectedValues, pooled, context);
                        ChannelsLastAssert.SameIndices<long>(expected, indices, context);
                    }
                }
            }
        }
    }

    /// <summary>Each convention's index of the oracle's arg-max cell <c>(d*H + h)*W + w</c> of output <c>o</c> (in
    /// channels-first order, plane = n*C + c), by the convention's definition (SEMANTICS.md 2).</summary>
    private static long[] Expected(
        long[] cells, IndexConvention convention, int channels, Size3D input, Size3D output,
        ChannelsLastReference.Axis ad, ChannelsLastReference.Axis ah, ChannelsLastReference.Axis aw)
    {
        long volume = (long)input.Depth * input.Height * input.Width;
        long pooledVolume = (long)output.Depth * output.Height * output.Width;
        var result = new long[cells.Length];
        for (int o = 0; o < cells.Length; o++)
        {
            long cell = cells[o], plane = o / pooledVolume, n = plane / channels, c = plane % channels;
            long d = cell / ((long)input.Height * input.Width), h = cell / input.Width % input.Height, w = cell % input.Width;
            long rest = o % pooledVolume;
            int od = (int)(rest / ((long)output.Height * output.Width)), oh = (int)(rest / output.Width % output.Height), ow = (int)(rest % output.Width);
            result[o] = convention switch
            {
                IndexConvention.PerPlane => cell,
                IndexConvention.GlobalRowMajor => (plane * volume) + cell,
                IndexConvention.GlobalColumnMajor => (plane * volume) + d + (input.Depth * (h + ((long)input.Height * w))),
                IndexConvention.ChannelsLastPerSample => (cell * channels) + c,
                IndexConvention.ChannelsLastWithBatch => (((n * volume) + cell) * channels) + c,
                _ => ((((d - ad.Position(od, 0)) / ad.Dilation * ah.Kernel) + ((h - ah.Position(oh, 0)) / ah.Dilation)) * aw.Kernel) + ((w - aw.Position(ow, 0)) / aw.Dilation),
            };
        }

        return result;
    }
}

public sealed class ChannelsLastSmallTypeTestsSByte : ChannelsLastSmallTypeTests<sbyte>;

public sealed class ChannelsLastSmallTypeTestsByte : ChannelsLastSmallTypeTests<byte>;

public sealed class ChannelsLastSmallTypeTestsInt16 : ChannelsLastSmallTypeTests<short>;

public sealed class ChannelsLastSmallTypeTestsHalf : ChannelsLastSmallTypeTests<Half>;
