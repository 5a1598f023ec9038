using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>
/// The backward passes of SEMANTICS.md 2 and 3 as the plainest loops, sharing no code with <c>src</c>: the max-pool
/// backward is a scatter-add into zeros in row-major pooled order; argmax unpooling's backward and max pooling's double
/// backward are gathers; fixed and random unpooling's backward read the block cell at the offset; repeat's sums the
/// block in row-major block order. Also the helpers of the gradient checks: inner products, central finite
/// differences, and the channels-last permutation.
/// </summary>
internal static class BackwardReference
{
    /// <summary><c>dx[plane, idx] += g[plane, i]</c> in row-major order into zeros (per-plane indices).</summary>
    public static T[] ScatterAdd<T>(T[] g, long[] indices, int planes, long inPlane, long outPlane)
        where T : INumberBase<T>
    {
        var dx = new T[planes * outPlane];
        Array.Fill(dx, T.Zero);
        for (long p = 0; p < planes; p++)
        {
            for (long i = 0; i < inPlane; i++)
            {
                long k = (p * inPlane) + i;
                dx[(p * outPlane) + indices[k]] += g[k];
            }
        }

        return dx;
    }

    /// <summary><c>r[plane, i] = y[plane, idx]</c> (per-plane indices).</summary>
    public static T[] Gather<T>(T[] y, long[] indices, int planes, long inPlane, long outPlane)
    {
        var r = new T[planes * inPlane];
        for (long p = 0; p < planes; p++)
        {
            for (long i = 0; i < inPlane; i++)
            {
                r[(p * inPlane) + i] = y[(p * outPlane) + indices[(p * inPlane) + i]];
            }
        }

        return r;
    }

    /// <summary>The inner product, added in order.</summary>
    public static T Dot<T>(T[] a, T[] b)
        where T : INumberBase<T>
    {
        Assert.Equal(a.Length, b.Length);
        T sum = T.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>
    /// The gradient of <c>x -> &lt;f(x), w&gt;</c> by central differences with step <paramref name="h"/>, one input at a time.
    /// </summary>
    public static double[] FiniteDifference(Func<double[], double[]> f, double[] x, double[] w, double h)
    {
        var gradient = new double[x.Length];
        double[] probe = (double[])x.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            probe[i] = x[i] + h;
            double up = Dot(f(probe), w);
            probe[i] = x[i] - h;
            double down = Dot(f(probe), w);
            probe[i] = x[i];
            gradient[i] = (up - down) / (2 * h);
        }

        return gradient;
    }

    /// <summary>
    /// Block backward of fixed (<paramref name="repeat"/> false, offsets from <paramref name="offsetOf"/>) or repeat
    /// unpooling, channels-first <c>[planes, D, H, W]</c> from an output gradient <c>[planes, OD, OH, OW]</c>.
    /// </summary>
    public static T[] BlockBackward<T>(
        T[] dy, int planes, (int D, int H, int W) input, (int D, int H, int W) output, (int D, int H, int W) factor, bool repeat,
        Func<long, int, int, int, (int D, int H, int W)> offsetOf)
        where T : INumberBase<T>
    {
        var dx = new T[(long)planes * input.D * input.H * input.W];
        long k = 0;
        for (long p = 0; p < planes; p++)
        {
            for (int d = 0; d < input.D; d++)
            {
                for (int h = 0; h < input.H; h++)
                {
                    for (int w = 0; w < input.W; w++, k++)
                    {
                        T sum = T.Zero;
                        (int ad, int ah, int aw) = offsetOf(p, d, h, w);
                        for (int a = 0; a < factor.D; a++)
                        {
                            for (int b = 0; b < factor.H; b++)
                            {
                                for (int c = 0; c < factor.W; c++)
                                {
                                    bool take = repeat || (a == ad && b == ah && c == aw);
                                    int od = (d * factor.D) + a, oh = (h * factor.H) + b, ow = (w * factor.W) + c;
                                    if (take && od < output.D && oh < output.H && ow < output.W)
                                    {
                                        // Repeat adds from zero; fixed and random read their one cell as it is (-0 and NaN payloads too).
                                        T cell = dy[(((p * output.D) + od) * output.H + oh) * output.W + ow];
                                        sum = repeat ? sum + cell : cell;
                                    }
                                }
                            }
                        }

                        dx[k] = sum;
                    }
                }
            }
        }

        return dx;
    }

    /// <summary>The published offset of <c>RandomUnpool3D</c> (2-D/1-D: depth 1, factor depth 1), written from its docs.</summary>
    public static (int D, int H, int W) RandomOffset(ulong seed, long plane, int d, int h, int w, (int D, int H, int W) input, (int D, int H, int W) factor)
    {
        ulong b = unchecked((((((ulong)plane * (ulong)input.D) + (ulong)d) * (ulong)input.H + (ulong)h) * (ulong)input.W) + (ulong)w);
        ulong z = unchecked(seed + ((b + 1) * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        ulong t = ((z & 0xFFFFFFFFUL) * (ulong)(factor.D * factor.H)) >> 32;
        return ((int)(t / (ulong)factor.H), (int)(t % (ulong)factor.H), (int)(((z >> 32) * (ulong)factor.W) >> 32));
    }

    /// <summary><c>[N, C, S]</c> to <c>[N, S, C]</c> (S the flattened spatial cells).</summary>
    public static T[] ToChannelsLast<T>(T[] x, int n, int c, long cells)
    {
        var y = new T[x.Length];
        for (long b = 0; b < n; b++)
        {
            for (long ch = 0; ch < c; ch++)
            {
                for (long s = 0; s < cells; s++)
                {
                    y[(((b * cells) + s) * c) + ch] = x[(((b * c) + ch) * cells) + s];
                }
            }
        }

        return y;
    }

    /// <summary>Distinct values (a shuffled ladder of step 1/4), so every window has one maximum and small steps keep it.</summary>
    public static double[] Distinct(int length, int seed)
    {
        var random = new Random(seed);
        double[] x = Enumerable.Range(0, length).Select(i => (i * 0.25) - (length / 8.0)).ToArray();
        random.Shuffle(x);
        return x;
    }

    /// <summary>Small integers as <typeparamref name="T"/> (exact sums in every type used).</summary>
    public static T[] Integers<T>(int length, int seed)
        where T : INumberBase<T>
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => T.CreateChecked(random.Next(-9, 10))).ToArray();
    }
}
