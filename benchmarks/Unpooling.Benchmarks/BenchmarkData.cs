namespace Unpooling.Benchmarks;

/// <summary>The pooling windows the benchmarks sweep (square, PyTorch meaning).</summary>
public enum PoolWindow
{
    /// <summary>Kernel 2, stride 2, no padding: the VGG/SegNet encoder step.</summary>
    K2S2,

    /// <summary>Kernel 3, stride 2, padding 1: the ResNet stem's overlapping window.</summary>
    K3S2P1,
}

/// <summary>Seeded inputs and the parsing of the shape parameters, shared by the benchmark classes.</summary>
internal static class BenchmarkData
{
    /// <summary>One seed for every class, so that two runs (and two machines) measure the same numbers.</summary>
    public const int Seed = 20_240_601;

    /// <summary>Parses a <c>[Params]</c> shape written <c>NxCxHxW</c> (kept a string so the tables read naturally).</summary>
    public static Shape4D ParseShape(string text)
    {
        int[] d = [.. text.Split('x').Select(int.Parse)];
        if (d.Length != 4)
        {
            throw new FormatException($"Shape '{text}' is not NxCxHxW.");
        }

        return new Shape4D(d[0], d[1], d[2], d[3]);
    }

    public static (int Kernel, int Stride, int Padding) Window(PoolWindow window) => window switch
    {
        PoolWindow.K2S2 => (2, 2, 0),
        PoolWindow.K3S2P1 => (3, 2, 1),
        _ => throw new ArgumentOutOfRangeException(nameof(window), window, "Unknown window."),
    };

    public static Pool2DGeometry Geometry(PoolWindow window)
    {
        (int k, int s, int p) = Window(window);
        return new Pool2DGeometry(k, stride: s, padding: p);
    }

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
