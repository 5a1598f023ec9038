using Unpooling.Tests.Reference;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// 1-D channels-last pooling, unpooling and conversion through the public 1-D operators (<see cref="Shape3D.ChannelsLast"/>
/// shapes, <c>[N, L, C]</c> memory), which run as the 2-D channels-last kernels on <c>[N, 1, L, C]</c>: against the 1-D
/// oracle of <see cref="Pool1DReference"/>, permuted, for channel counts around the vector widths.
/// </summary>
public class ChannelsLast1DTests
{
    private static readonly Axis1D[] Axes =
    [
        new(2, 2, 0, 0, 1, false),
        new(3, 2, 1, 1, 1, true),
        new(3, 1, 2, 0, 2, false),
    ];

    [Fact]
    public void PoolingUnpoolingAndConversionEqualTheOracle()
    {
        const int batch = 2, length = 13;
        foreach (int channels in new[] { 1, 5, 8, 9, 17, 33 })
        {
            foreach (Axis1D axis in Axes)
            {
                var geometry = new Pool1DGeometry(axis.Kernel, axis.Stride, dilation: axis.Dilation, ceilMode: axis.CeilMode).WithPadding(axis.PadBegin, axis.PadEnd);
                var shape = Shape3D.ChannelsLast(batch, length, channels);
                float[] x = Infrastructure.TestData.Ties<float>((int)shape.ElementCount, channels);
                float[] channelsFirst = ChannelsLastReference.ToChannelsFirst(x, batch, channels, length);
                Pool1DResult<float> expected = Pool1DReference.Pool(channelsFirst, batch * channels, length, axis);
                int outL = expected.OutL;
                string context = $"C={channels} {axis}";

                var values = new float[batch * channels * outL];
                var indices = new long[values.Length];
                Functional.MaxPool1D(x, shape, geometry, values, indices, IndexConvention.PerPlane, new ExecutionOptions { MaxDegreeOfParallelism = 2, MinParallelElements = 0 });
                ChannelsLastAssert.SameBits<float>(ChannelsLastReference.ToChannelsLast(expected.Values, batch, channels, outL), values, context);
                ChannelsLastAssert.SameIndices<long>(ChannelsLastReference.ToChannelsLast(expected.Cells, batch, channels, outL), indices, context);

                // TensorFlow's convention written directly equals the oracle's encoding, permuted to the array's layout.
                var tf = new long[values.Length];
                Functional.MaxPool1D(x, shape, geometry, values, tf, IndexConvention.ChannelsLastWithBatch);
                long[] tfExpected = Pool1DReference.Encode(expected.Cells, null, batch, channels, outL, length, IndexConvention.ChannelsLastWithBatch);
                ChannelsLastAssert.SameIndices<long>(ChannelsLastReference.ToChannelsLast(tfExpected, batch, channels, outL), tf, $"{context} TF");

                // Converting TensorFlow's indices back gives the per-plane ones.
                var back = new long[values.Length];
                Functional.ConvertIndices(tf, shape.WithLength(outL), length, IndexConvention.ChannelsLastWithBatch, back, IndexConvention.PerPlane);
                Assert.Equal(indices, back);

                // Unpooling to the default size: for the undilated axes it holds every pooled cell (checked); the dilated
                // one's windows reach past it, which only the Switches1D form (carrying the input length) unpools.
                int outLength = (int)axis.UnpoolDefault(outL);
                Assert.Equal(axis.Dilation == 1, expected.Cells.All(c => c < outLength));
                foreach (bool sum in axis.Dilation == 1 ? new[] { false, true } : [])
                {
                    float[] restoredExpected = Pool1DReference.Unpool(expected.Values, expected.Cells, batch, channels, outL, outLength, IndexConvention.PerPlane, sum);
                    var restored = new float[batch * channels * outLength];
                    Functional.MaxUnpool1D<float, long>(values, indices, shape.WithLength(outL), geometry, restored, reduction: sum ? UnpoolReduction.Sum : UnpoolReduction.Replace);
                    ChannelsLastAssert.SameBits<float>(ChannelsLastReference.ToChannelsLast(restoredExpected, batch, channels, outLength), restored, $"{context} sum {sum}");
                }
            }
        }
    }
}
