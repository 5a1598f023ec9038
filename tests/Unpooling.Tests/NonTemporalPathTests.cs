using Unpooling.Internal;

namespace Unpooling.Tests;

/// <summary>
/// Large outputs are written with non-temporal stores from the first vector-aligned cell of each row. Forcing that
/// path on small inputs, at every misalignment of the destination, must give the bits of the cached path (which the
/// oracle tests verify).
/// </summary>
public class NonTemporalPathTests
{
    [Theory]
    [InlineData(1, 3, 6, 40, 0)]
    [InlineData(2, 2, 5, 67, 1)]
    [InlineData(1, 2, 4, 16, 0)]
    [InlineData(1, 1, 3, 9, 1)]
    public void StreamedRowsEqualCachedRows(int n, int c, int h, int w, int extra)
    {
        var pooledShape = new Shape4D(n, c, h, w);
        var output = new Size2D((2 * h) + extra, (2 * w) + extra);
        var geometry = new Pool2DGeometry(2);
        var random = new Random(h * 1000 + w);
        float[] values = new float[pooledShape.ElementCount];
        long[] indices = new long[values.Length];
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = random.Next(-3, 4) == 0 ? -0f : random.Next(-50, 50);
            int i = k / w % h, j = k % w;
            indices[k] = ((2L * i) + random.Next(2)) * output.Width + (2L * j) + random.Next(2);
        }

        long outputLength = pooledShape.WithSpatialSize(output).ElementCount;
        foreach (Action<float[], int> op in Operators(values, indices, pooledShape, geometry, output))
        {
            for (int shift = 0; shift < 17; shift++)
            {
                float[] cached = Run(op, outputLength, shift, long.MaxValue);
                float[] streamed = Run(op, outputLength, shift, 0);
                Assert.Equal(
                    cached.Select(BitConverter.SingleToInt32Bits),
                    streamed.Select(BitConverter.SingleToInt32Bits));
            }
        }
    }

    private static IEnumerable<Action<float[], int>> Operators(float[] values, long[] indices, Shape4D shape, Pool2DGeometry geometry, Size2D output)
    {
        int length = (int)shape.WithSpatialSize(output).ElementCount;
        yield return (d, s) => Functional.MaxUnpool2D(values, indices, shape, geometry, d.AsSpan(s, length), output, maxDegreeOfParallelism: 1);
        yield return (d, s) => Functional.MaxUnpool2D(values, indices, shape, geometry, d.AsSpan(s, length), output, UnpoolReduction.Sum, 2);
        yield return (d, s) => Functional.FixedUnpool2D(values, shape, 2, d.AsSpan(s, length), new Size2D(1, 1), output, 1);
        yield return (d, s) => Functional.FixedUnpool2D(values, shape, 2, d.AsSpan(s, length), default, output, 2);
        yield return (d, s) => Functional.RepeatUnpool2D(values, shape, 2, d.AsSpan(s, length), output, 1);
    }

    private static float[] Run(Action<float[], int> op, long length, int shift, long threshold)
    {
        long saved = PairRowWriter.NonTemporalThresholdBytes;
        var buffer = new float[length + 32];
        Array.Fill(buffer, float.NaN);
        try
        {
            PairRowWriter.NonTemporalThresholdBytes = threshold;
            op(buffer, shift);
        }
        finally
        {
            PairRowWriter.NonTemporalThresholdBytes = saved;
        }

        return buffer;
    }
}
