using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>
/// Plain-loop oracles of the block family in 3-D (1-D is depth 1 and height 1), written from SEMANTICS.md 3 and 4 and
/// the random offsets' published formula; they share no code with src. Arrays are logical <c>[N, C, D, H, W]</c>
/// channels-first; <see cref="ToChannelsLast{T}"/> permutes one to <c>[N, D, H, W, C]</c>.
/// </summary>
internal static class BlockReference3D
{
    /// <summary>The spatial triple of a case (depth, height, width).</summary>
    public readonly record struct Dims(int D, int H, int W)
    {
        public int Volume => D * H * W;
    }

    /// <summary>Fixed-position unpooling: <c>y[i*k + a] = x[i]</c> per axis, zeros elsewhere, cells past the output dropped.</summary>
    public static T[] Fixed<T>(T[] x, int planes, Dims input, Dims k, Dims offset, Dims output)
        where T : INumberBase<T>
        => Place(x, planes, input, k, output, (_, _, _, _) => offset);

    /// <summary>Random-offset unpooling: the offset of each input cell from the documented SplitMix64 formula.</summary>
    public static T[] Random<T>(T[] x, int planes, Dims input, Dims k, ulong seed, Dims output)
        where T : INumberBase<T>
        => Place(x, planes, input, k, output, (p, id, ih, iw) => RandomOffset(seed, p, id, ih, iw, input, k));

    /// <summary>
    /// The offset in its block of cell <c>(id, ih, iw)</c> of plane <c>p</c>: <c>b = ((p*D + id)*H + ih)*W + iw</c>,
    /// <c>z = seed + (b + 1) * 0x9E3779B97F4A7C15</c>, the SplitMix64 finalizer, then <c>t = (low32(z) * kD*kH) &gt;&gt; 32</c>
    /// gives (depth, row) = (t / kH, t % kH) and <c>(high32(z) * kW) &gt;&gt; 32</c> the column (RandomUnpool3D's remarks;
    /// with D = kD = 1 it is RandomUnpool2D's formula).
    /// </summary>
    public static Dims RandomOffset(ulong seed, long p, int id, int ih, int iw, Dims input, Dims k)
    {
        ulong b = (ulong)((((p * input.D) + id) * input.H + ih) * input.W + iw);
        ulong z = unchecked(seed + ((b + 1) * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        ulong t = (ulong)(((UInt128)(z & 0xFFFFFFFFUL) * (ulong)((long)k.D * k.H)) >> 32);
        ulong column = (ulong)(((UInt128)(z >> 32) * (ulong)k.W) >> 32);
        return new Dims((int)(t / (ulong)k.H), (int)(t % (ulong)k.H), (int)column);
    }

    /// <summary>Repeat unpooling: output cell <c>o</c> gets <c>x[o / k]</c> per axis while that cell exists, zero past the input.</summary>
    public static T[] Repeat<T>(T[] x, int planes, Dims input, Dims k, Dims output)
        where T : INumberBase<T>
    {
        var y = new T[planes * output.Volume];
        Array.Fill(y, T.Zero);
        for (int p = 0; p < planes; p++)
        {
            for (int od = 0; od < output.D; od++)
            {
                for (int oh = 0; oh < output.H; oh++)
                {
                    for (int ow = 0; ow < output.W; ow++)
                    {
                        int id = od / k.D, ih = oh / k.H, iw = ow / k.W;
                        if (id < input.D && ih < input.H && iw < input.W)
                        {
                            y[At(p, od, oh, ow, output)] = x[At(p, id, ih, iw, input)];
                        }
                    }
                }
            }
        }

        return y;
    }

    /// <summary>Zero insertion: <c>z[i*s] = x[i]</c> per axis, size <c>(i-1)*s + 1</c>, <c>default(T)</c> between.</summary>
    public static T[] ZeroInsert<T>(T[] x, int planes, Dims input, Dims s)
    {
        var output = InsertedSize(input, s);
        var z = new T[planes * output.Volume];
        for (int p = 0; p < planes; p++)
        {
            for (int id = 0; id < input.D; id++)
            {
                for (int ih = 0; ih < input.H; ih++)
                {
                    for (int iw = 0; iw < input.W; iw++)
                    {
                        z[At(p, id * s.D, ih * s.H, iw * s.W, output)] = x[At(p, id, ih, iw, input)];
                    }
                }
            }
        }

        return z;
    }

    /// <summary>The strided subsample: <c>x[i] = z[i*s]</c> per axis, size <c>(i-1)/s + 1</c>.</summary>
    public static T[] Subsample<T>(T[] z, int planes, Dims input, Dims s)
    {
        var output = SubsampledSize(input, s);
        var x = new T[planes * output.Volume];
        for (int p = 0; p < planes; p++)
        {
            for (int od = 0; od < output.D; od++)
            {
                for (int oh = 0; oh < output.H; oh++)
                {
                    for (int ow = 0; ow < output.W; ow++)
                    {
                        x[At(p, od, oh, ow, output)] = z[At(p, od * s.D, oh * s.H, ow * s.W, input)];
                    }
                }
            }
        }

        return x;
    }

    public static Dims InsertedSize(Dims input, Dims s) => new(((input.D - 1) * s.D) + 1, ((input.H - 1) * s.H) + 1, ((input.W - 1) * s.W) + 1);

    public static Dims SubsampledSize(Dims input, Dims s) => new(((input.D - 1) / s.D) + 1, ((input.H - 1) / s.H) + 1, ((input.W - 1) / s.W) + 1);

    /// <summary>Logical <c>[N, C, D, H, W]</c> (channels-first memory) to channels-last memory <c>[N, D, H, W, C]</c>.</summary>
    public static T[] ToChannelsLast<T>(T[] cf, int n, int c, Dims size)
    {
        var cl = new T[cf.Length];
        for (int b = 0; b < n; b++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                for (int v = 0; v < size.Volume; v++)
                {
                    cl[(((long)b * size.Volume) + v) * c + ch] = cf[(((long)b * c) + ch) * size.Volume + v];
                }
            }
        }

        return cl;
    }

    private static T[] Place<T>(T[] x, int planes, Dims input, Dims k, Dims output, Func<int, int, int, int, Dims> offsetOf)
        where T : INumberBase<T>
    {
        var y = new T[planes * output.Volume];
        Array.Fill(y, T.Zero);
        for (int p = 0; p < planes; p++)
        {
            for (int id = 0; id < input.D; id++)
            {
                for (int ih = 0; ih < input.H; ih++)
                {
                    for (int iw = 0; iw < input.W; iw++)
                    {
                        Dims a = offsetOf(p, id, ih, iw);
                        long od = ((long)id * k.D) + a.D, oh = ((long)ih * k.H) + a.H, ow = ((long)iw * k.W) + a.W;
                        if (od < output.D && oh < output.H && ow < output.W)
                        {
                            y[At(p, (int)od, (int)oh, (int)ow, output)] = x[At(p, id, ih, iw, input)];
                        }
                    }
                }
            }
        }

        return y;
    }

    private static int At(int p, int d, int h, int w, Dims size) => (((((p * size.D) + d) * size.H) + h) * size.W) + w;
}
