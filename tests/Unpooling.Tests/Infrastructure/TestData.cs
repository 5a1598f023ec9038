using System.Numerics;

namespace Unpooling.Tests.Infrastructure;

/// <summary>Seeded input builders: every test that uses randomness is reproducible from its seed.</summary>
internal static class TestData
{
    /// <summary>
    /// Small integers in [-3, 3], so most windows hold ties; zeros carry a random sign (+0/-0 ties), and with
    /// <paramref name="withSpecials"/> about 1% each are NaN (with varied payloads), +inf and -inf.
    /// </summary>
    public static T[] Ties<T>(int length, int seed, bool withSpecials = true, bool signedZeros = true)
        where T : IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            int roll = random.Next(100);
            data[i] = withSpecials && roll == 0 ? NaN<T>(random.Next(1, 1000))
                : withSpecials && roll == 1 ? T.PositiveInfinity
                : withSpecials && roll == 2 ? T.NegativeInfinity
                : SignedSmall<T>(random, signedZeros);
        }

        return data;
    }

    /// <summary>Distinct-looking non-zero values (so a scattered value is never mistaken for the zero fill).</summary>
    public static T[] NonZero<T>(int length, int seed)
        where T : IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            int magnitude = random.Next(1, 1000);
            data[i] = T.CreateChecked(random.Next(2) == 0 ? magnitude : -magnitude) / T.CreateChecked(8);
        }

        return data;
    }

    /// <summary>Uniform indices in [0, <paramref name="limit"/>): with a small limit, many duplicates.</summary>
    public static long[] RandomIndices(int count, long limit, int seed)
    {
        var random = new Random(seed);
        var indices = new long[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = random.NextInt64(limit);
        }

        return indices;
    }

    /// <summary>
    /// Per-plane indices as 2x2 stride-2 pooling writes them: pooled cell (i, j) points at a random cell of its own
    /// window <c>(2i + a) * outW + 2j + b</c> of an output <paramref name="outW"/> wide.
    /// </summary>
    public static long[] WindowIndices(int planes, int height, int width, int outW, int seed)
    {
        var random = new Random(seed);
        var indices = new long[planes * height * width];
        for (int i = 0; i < indices.Length; i++)
        {
            int row = i / width % height, col = i % width;
            indices[i] = (((2L * row) + random.Next(2)) * outW) + (2 * col) + random.Next(2);
        }

        return indices;
    }

    public static TIndex[] Convert<TIndex>(long[] indices)
        where TIndex : IBinaryInteger<TIndex>
        => indices.Select(TIndex.CreateChecked).ToArray();

    /// <summary>A quiet NaN whose payload is <paramref name="payload"/>, so tests can tell which NaN was selected.</summary>
    public static T NaN<T>(int payload)
        where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return (T)(object)BitConverter.UInt32BitsToSingle(0x7FC0_0000u | (uint)payload);
        }

        return (T)(object)BitConverter.UInt64BitsToDouble(0x7FF8_0000_0000_0000ul | (uint)payload);
    }

    /// <summary>A negative NaN (sign bit set) with a payload.</summary>
    public static T NegativeNaN<T>(int payload)
        where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return (T)(object)BitConverter.UInt32BitsToSingle(0xFFC0_0000u | (uint)payload);
        }

        return (T)(object)BitConverter.UInt64BitsToDouble(0xFFF8_0000_0000_0000ul | (uint)payload);
    }

    private static T SignedSmall<T>(Random random, bool signedZeros)
        where T : IFloatingPointIeee754<T>
    {
        int v = random.Next(-3, 4);
        if (v == 0)
        {
            return signedZeros && random.Next(2) == 0 ? T.NegativeZero : T.Zero;
        }

        return T.CreateChecked(v);
    }
}
