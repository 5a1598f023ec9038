using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>
/// SEMANTICS.md 2 and 3 as the plainest loops over <c>[planes, H, W]</c> inputs. Outputs start at +0; every input
/// element is visited in row-major order, so "last wins" and "sum in input order" fall out of the loop order.
/// </summary>
internal static class UnpoolReference
{
    /// <summary>Argmax unpooling: <c>y[plane, index] = x</c> (or <c>+= x</c> when <paramref name="sum"/>).</summary>
    public static T[] MaxUnpool<T>(T[] x, long[] indices, int planes, int height, int width, int outH, int outW, bool sum)
        where T : INumberBase<T>
    {
        long outPlane = (long)outH * outW;
        var y = new T[planes * outPlane];
        y.AsSpan().Fill(T.Zero);
        for (int plane = 0; plane < planes; plane++)
        {
            for (int i = 0; i < height * width; i++)
            {
                int at = (plane * height * width) + i;
                long index = indices[at];
                if (index < 0 || index >= outPlane)
                {
                    throw new InvalidOperationException($"Oracle: index {index} at {at} is outside [0, {outPlane}).");
                }

                long target = (plane * outPlane) + index;
                y[target] = sum ? y[target] + x[at] : x[at];
            }
        }

        return y;
    }

    /// <summary>Fixed-position unpooling: <c>y[ih*kH + aH, iw*kW + aW] = x[ih, iw]</c>, dropped when outside.</summary>
    public static T[] Fixed<T>(T[] x, int planes, int height, int width, int factorH, int factorW, int offsetH, int offsetW, int outH, int outW)
        where T : INumberBase<T>
        => Scatter(x, planes, height, width, factorH, factorW, outH, outW, (_, _, _) => (offsetH, offsetW));

    /// <summary>
    /// Random-offset unpooling: as <see cref="Fixed{T}"/> with each input cell's own offset from
    /// <see cref="RandomOffset"/>.
    /// </summary>
    public static T[] Random<T>(T[] x, int planes, int height, int width, int factorH, int factorW, ulong seed, int outH, int outW)
        where T : INumberBase<T>
        => Scatter(
            x, planes, height, width, factorH, factorW, outH, outW,
            (plane, ih, iw) => RandomOffset(seed, plane, ih, iw, height, width, factorH, factorW));

    /// <summary>Nearest-neighbour repeat: output cell (oh, ow) takes <c>x[oh / kH, ow / kW]</c>, or 0 past the input.</summary>
    public static T[] Repeat<T>(T[] x, int planes, int height, int width, int factorH, int factorW, int outH, int outW)
        where T : INumberBase<T>
    {
        var y = new T[planes * outH * outW];
        for (int plane = 0; plane < planes; plane++)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    int ih = oh / factorH;
                    int iw = ow / factorW;
                    y[(((plane * outH) + oh) * outW) + ow] = ih < height && iw < width
                        ? x[(((plane * height) + ih) * width) + iw]
                        : T.Zero;
                }
            }
        }

        return y;
    }

    /// <summary>
    /// In-window switches: <c>taps[p, i, j] = a*kW + b</c> sends <c>x[p, i, j]</c> to output cell
    /// <c>(i*kH + a, j*kW + b)</c>; every other cell is zero. A tap outside <c>[0, kH*kW)</c> or naming a cell outside the
    /// output is an oracle error (see <see cref="FirstInvalidTap"/>).
    /// </summary>
    public static T[] UnpoolTaps<T>(T[] x, long[] taps, int planes, int height, int width, int factorH, int factorW, int outH, int outW)
        where T : INumberBase<T>
    {
        if (FirstInvalidTap(taps, planes, height, width, factorH, factorW, outH, outW) is var bad and >= 0)
        {
            throw new InvalidOperationException($"Oracle: tap {taps[bad]} at {bad} is not a cell of its block inside the output.");
        }

        var y = new T[(long)planes * outH * outW];
        y.AsSpan().Fill(T.Zero);
        for (int plane = 0; plane < planes; plane++)
        {
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    long at = (((long)plane * height) + i) * width + j;
                    long a = taps[at] / factorW, b = taps[at] % factorW;
                    y[(((plane * (long)outH) + (i * (long)factorH) + a) * outW) + (j * (long)factorW) + b] = x[at];
                }
            }
        }

        return y;
    }

    /// <summary>The first flat position whose tap is outside <c>[0, kH*kW)</c> or names a cell outside the output, or -1.</summary>
    public static long FirstInvalidTap(long[] taps, int planes, int height, int width, int factorH, int factorW, int outH, int outW)
    {
        for (long at = 0; at < (long)planes * height * width; at++)
        {
            long i = at / width % height, j = at % width, t = taps[at];
            if (t < 0 || t >= (long)factorH * factorW || (i * factorH) + (t / factorW) >= outH || (j * factorW) + (t % factorW) >= outW)
            {
                return at;
            }
        }

        return -1;
    }

    /// <summary>Zero insertion (SEMANTICS.md 4): <c>z[i*sH, j*sW] = x[i, j]</c>, <c>default(T)</c> elsewhere, size <c>(n-1)*s + 1</c>.</summary>
    public static T[] ZeroInsert<T>(T[] x, int planes, int height, int width, int strideH, int strideW)
        where T : unmanaged
    {
        int outH = ((height - 1) * strideH) + 1, outW = ((width - 1) * strideW) + 1;
        var z = new T[planes * outH * outW];
        for (int plane = 0; plane < planes; plane++)
        {
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    z[(((plane * outH) + (i * strideH)) * outW) + (j * strideW)] = x[(((plane * height) + i) * width) + j];
                }
            }
        }

        return z;
    }

    /// <summary>
    /// The documented per-cell offset: a SplitMix64 finaliser of <c>seed + (b + 1) * golden</c> with
    /// <c>b = ((p*H) + ih)*W + iw</c>, its low half scaled to the height factor and its high half to the width factor.
    /// </summary>
    public static (int OffsetH, int OffsetW) RandomOffset(ulong seed, int plane, int ih, int iw, int height, int width, int factorH, int factorW)
    {
        ulong b = (((ulong)plane * (ulong)height) + (ulong)ih) * (ulong)width + (ulong)iw;
        ulong z = unchecked(seed + ((b + 1) * 0x9E3779B97F4A7C15UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        int offsetH = (int)(((z & 0xFFFFFFFFUL) * (ulong)factorH) >> 32);
        int offsetW = (int)(((z >> 32) * (ulong)factorW) >> 32);
        return (offsetH, offsetW);
    }

    private static T[] Scatter<T>(
        T[] x, int planes, int height, int width, int factorH, int factorW, int outH, int outW, Func<int, int, int, (int H, int W)> offset)
        where T : INumberBase<T>
    {
        var y = new T[planes * outH * outW];
        y.AsSpan().Fill(T.Zero);
        for (int plane = 0; plane < planes; plane++)
        {
            for (int ih = 0; ih < height; ih++)
            {
                for (int iw = 0; iw < width; iw++)
                {
                    (int a, int b) = offset(plane, ih, iw);
                    int oh = (ih * factorH) + a;
                    int ow = (iw * factorW) + b;
                    if (oh < outH && ow < outW)
                    {
                        y[(((plane * outH) + oh) * outW) + ow] = x[(((plane * height) + ih) * width) + iw];
                    }
                }
            }
        }

        return y;
    }
}
