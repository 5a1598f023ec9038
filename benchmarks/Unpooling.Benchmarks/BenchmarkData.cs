namespace Unpooling.Benchmarks;

/// <summary>Seeded inputs and the conversions to the peers' shapes and index conventions, shared by the benchmark classes.</summary>
internal static class BenchmarkData
{
    /// <summary>One seed for every class, so that two runs (and two machines) measure the same numbers.</summary>
    public const int Seed = 20_240_601;

    /// <summary>Uniform values in [-1, 1) from a fixed seed: no ties to speak of, no NaN, like real activations.</summary>
    public static float[] RandomValues(long count, int seed = Seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (long i = 0; i < values.LongLength; i++)
        {
            values[i] = (random.NextSingle() * 2f) - 1f;
        }

        return values;
    }

    /// <summary>A shape as the <c>long[]</c> dimensions libtorch and ONNX Runtime take.</summary>
    public static long[] Dims(Shape4D s) => [s.Batch, s.Channels, s.Height, s.Width];

    /// <summary><c>[N, C, S]</c> to <c>[N, S, C]</c>: a channels-first buffer in channels-last order.</summary>
    public static float[] ToChannelsLast(float[] x, int batch, int channels, long cells)
    {
        var y = new float[x.Length];
        for (long n = 0; n < batch; n++)
        {
            for (long c = 0; c < channels; c++)
            {
                for (long s = 0; s < cells; s++)
                {
                    y[(((n * cells) + s) * channels) + c] = x[(((n * channels) + c) * cells) + s];
                }
            }
        }

        return y;
    }

    /// <summary>
    /// Per-plane indices (<c>h*W + w</c>) as ONNX's global row-major ones (<c>(n*C + c)*H*W + h*W + w</c>), by the
    /// library's own <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    public static long[] GlobalRowMajor(long[] perPlane, Shape4D pooled, Size2D indexedSize)
    {
        long[] global = new long[perPlane.Length];
        Functional.ConvertIndices(perPlane, pooled, indexedSize, IndexConvention.PerPlane, global, IndexConvention.GlobalRowMajor);
        return global;
    }

    /// <summary>Throws unless the two buffers hold the same bits: a benchmark of a wrong result measures nothing.</summary>
    public static void RequireSame<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged
    {
        ReadOnlySpan<byte> e = System.Runtime.InteropServices.MemoryMarshal.AsBytes(expected);
        ReadOnlySpan<byte> a = System.Runtime.InteropServices.MemoryMarshal.AsBytes(actual);
        if (!e.SequenceEqual(a))
        {
            int at = expected.Length;
            for (int i = 0; i < expected.Length && i < actual.Length; i++)
            {
                if (!expected[i].Equals(actual[i]))
                {
                    at = i;
                    break;
                }
            }

            throw new InvalidOperationException(
                $"{what}: the library differs from the naive reference at element {at} of {expected.Length} " +
                $"(expected {(at < expected.Length ? expected[at] : "<end>")}, got {(at < actual.Length ? actual[at] : "<end>")}).");
        }
    }
}
