using System.Numerics;

namespace Unpooling.Tests.Infrastructure;

/// <summary>Seeded input builders: every test that uses randomness is reproducible from its seed.</summary>
internal static class TestData
{
    /// <summary>
    /// Small integers in [-3, 3], so most windows hold ties; zeros carry a random sign (+0/-0 ties), and with
    /// <paramref name="withSpecials"/> about 1% each are NaN (with varied payloads), +inf and -inf.
    /// </summary>
    public static T[] Ties<T>(int length, int seed, bool withSpecials = true)
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
                : SignedSmall<T>(random);
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

    private static T SignedSmall<T>(Random random)
        where T : IFloatingPointIeee754<T>
    {
        int v = random.Next(-3, 4);
        if (v == 0)
        {
            return random.Next(2) == 0 ? T.Zero : T.NegativeZero;
        }

        return T.CreateChecked(v);
    }
}
