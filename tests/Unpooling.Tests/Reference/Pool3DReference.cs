using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>One axis of a 3-D pooling as SEMANTICS.md states it: kernel, stride, begin and end padding, dilation.</summary>
internal readonly record struct Axis3(int Kernel, int Stride, int PadBegin, int PadEnd, int Dilation)
{
    public override string ToString() => $"k{Kernel} s{Stride} p{PadBegin}/{PadEnd} d{Dilation}";

    /// <summary>The input position of tap <paramref name="tap"/> of window <paramref name="window"/>.</summary>
    public long Position(long window, long tap) => (window * Stride) - PadBegin + (tap * Dilation);

    /// <summary>SEMANTICS.md 1's output size, or false when it is below 1 or a window holds no real cell.</summary>
    public bool TryGetOutputSize(int input, bool ceilMode, out int output)
    {
        output = 0;
        long numerator = (long)input + PadBegin + PadEnd - (((long)Dilation * (Kernel - 1)) + 1);
        long quotient = numerator >= 0 || !ceilMode
            ? (ceilMode ? (numerator + Stride - 1) / Stride : (long)Math.Floor((double)numerator / Stride))
            : -((-numerator) / Stride);
        long o = quotient + 1;
        if (ceilMode && (o - 1) * Stride >= (long)input + PadBegin)
        {
            o--;
        }

        if (o < 1)
        {
            return false;
        }

        for (long window = 0; window < o; window++)
        {
            bool real = false;
            for (int tap = 0; tap < Kernel && !real; tap++)
            {
                long p = Position(window, tap);
                real = p >= 0 && p < input;
            }

            if (!real)
            {
                return false;
            }
        }

        output = (int)o;
        return true;
    }

    /// <summary>The default unpooling size <c>(i-1)*s - pb - pe + k</c>.</summary>
    public int UnpoolSize(int pooled) => ((pooled - 1) * Stride) - PadBegin - PadEnd + Kernel;
}

/// <summary>A 3-D pooling result: values and the argmax cell (d, h, w) and tap (kd, kh, kw) of every window.</summary>
internal sealed record Pool3DResult<T>(T[] Values, (int D, int H, int W)[] Cells, (int Kd, int Kh, int Kw)[] Taps, int OutD, int OutH, int OutW);

/// <summary>
/// SEMANTICS.md 1 and 2 for 3-D, channels-first, as the plainest loops (no code shared with src): every window
/// scanned depth, height, width over its real cells from the first one, replacing the maximum when
/// <c>v &gt; best || isNaN(v)</c>; indices encoded by the formulas of the convention table; unpooling decodes by
/// searching the cell whose encoding is the index.
/// </summary>
internal static class Pool3DReference
{
    public static Pool3DResult<T>? Pool<T>(T[] x, int n, int c, int d, int h, int w, Axis3 ad, Axis3 ah, Axis3 aw, bool ceilMode)
        where T : INumber<T>
    {
        if (!ad.TryGetOutputSize(d, ceilMode, out int od) || !ah.TryGetOutputSize(h, ceilMode, out int oh) || !aw.TryGetOutputSize(w, ceilMode, out int ow))
        {
            return null;
        }

        int count = n * c * od * oh * ow;
        var values = new T[count];
        var cells = new (int, int, int)[count];
        var taps = new (int, int, int)[count];
        int o = 0;
        for (int plane = 0; plane < n * c; plane++)
        {
            for (int i = 0; i < od; i++)
            {
                for (int j = 0; j < oh; j++)
                {
                    for (int k = 0; k < ow; k++)
                    {
                        bool found = false;
                        T best = T.Zero;
                        for (int kd = 0; kd < ad.Kernel; kd++)
                        {
                            long zd = ad.Position(i, kd);
                            if (zd < 0 || zd >= d)
                            {
                                continue;
                            }

                            for (int kh = 0; kh < ah.Kernel; kh++)
                            {
                                long zh = ah.Position(j, kh);
                                if (zh < 0 || zh >= h)
                                {
                                    continue;
                                }

                                for (int kw = 0; kw < aw.Kernel; kw++)
                                {
                                    long zw = aw.Position(k, kw);
                                    if (zw < 0 || zw >= w)
                                    {
                                        continue;
                                    }

                                    T v = x[(((((long)plane * d) + zd) * h) + zh) * w + zw];
                                    if (!found || v > best || T.IsNaN(v))
                                    {
                                        found = true;
                                        best = v;
                                        cells[o] = ((int)zd, (int)zh, (int)zw);
                                        taps[o] = (kd, kh, kw);
                                    }
                                }
                            }
                        }

                        values[o++] = best;
                    }
                }
            }
        }

        return new Pool3DResult<T>(values, cells, taps, od, oh, ow);
    }

    /// <summary>The index of cell (nn, cc, z, y, xx) of a [N, C, D, H, W] tensor, straight from the convention table
    /// (InWindow: the tap (kd, kh, kw) of a (KD, KH, KW) kernel).</summary>
    public static long Encode(IndexConvention convention, int nn, int cc, int z, int y, int xx, int cN, int cC, int cD, int cH, int cW, (int Kd, int Kh, int Kw) tap, int kH, int kW)
        => convention switch
        {
            IndexConvention.PerPlane => (((long)z * cH) + y) * cW + xx,
            IndexConvention.GlobalRowMajor => (((((long)nn * cC) + cc) * cD + z) * cH * cW) + ((long)y * cW) + xx,
            IndexConvention.GlobalColumnMajor => ((((long)nn * cC) + cc) * cD * cH * cW) + z + ((long)y * cD) + ((long)xx * cD * cH),
            IndexConvention.ChannelsLastPerSample => (((((long)z * cH) + y) * cW) + xx) * cC + cc,
            IndexConvention.ChannelsLastWithBatch => ((((((long)nn * cD) + z) * cH + y) * cW) + xx) * cC + cc,
            _ => (((long)tap.Kd * kH) + tap.Kh) * kW + tap.Kw,
        };

    /// <summary>Every pooled element's index in <paramref name="convention"/>.</summary>
    public static long[] Indices<T>(Pool3DResult<T> r, IndexConvention convention, int n, int c, int d, int h, int w, int kH, int kW)
    {
        var result = new long[r.Values.Length];
        int per = r.OutD * r.OutH * r.OutW;
        for (int o = 0; o < result.Length; o++)
        {
            int plane = o / per;
            (int z, int y, int xx) = r.Cells[o];
            result[o] = Encode(convention, plane / c, plane % c, z, y, xx, n, c, d, h, w, r.Taps[o], kH, kW);
        }

        return result;
    }

    /// <summary>
    /// Argmax unpooling into [N, C, D, H, W]: zeros, then for each input in row-major order the cell whose encoding (in
    /// the element's scope) is its index gets the value (replace) or it is added (sum). Null when some index names no
    /// cell. For InWindow the cell is the window's tap, which must lie in the output.
    /// </summary>
    public static T[]? Unpool<T>(T[] x, long[] indices, int n, int c, int pd, int ph, int pw, int d, int h, int w, Axis3 ad, Axis3 ah, Axis3 aw, IndexConvention convention, bool sum)
        where T : INumberBase<T>
    {
        var y = new T[n * c * d * h * w];
        Array.Fill(y, T.Zero);
        int per = pd * ph * pw;
        for (int o = 0; o < x.Length; o++)
        {
            int plane = o / per, nn = plane / c, cc = plane % c;
            int rest = o % per, i = rest / (ph * pw), j = (rest / pw) % ph, k = rest % pw;
            long target = -1;
            for (int p2 = 0; p2 < n * c && target < 0; p2++)
            {
                int n2 = p2 / c, c2 = p2 % c;
                bool inScope = convention switch
                {
                    IndexConvention.PerPlane or IndexConvention.InWindow => p2 == plane,
                    IndexConvention.ChannelsLastPerSample => n2 == nn,
                    _ => true,
                };
                if (!inScope)
                {
                    continue;
                }

                for (int z = 0; z < d && target < 0; z++)
                {
                    for (int yy = 0; yy < h && target < 0; yy++)
                    {
                        for (int xx = 0; xx < w && target < 0; xx++)
                        {
                            bool match;
                            if (convention == IndexConvention.InWindow)
                            {
                                long t = indices[o];
                                long kd = t / (ah.Kernel * aw.Kernel), kh = t / aw.Kernel % ah.Kernel, kw = t % aw.Kernel;
                                match = t >= 0 && t < (long)ad.Kernel * ah.Kernel * aw.Kernel
                                    && ad.Position(i, kd) == z && ah.Position(j, kh) == yy && aw.Position(k, kw) == xx;
                            }
                            else
                            {
                                match = Encode(convention, n2, c2, z, yy, xx, n, c, d, h, w, default, 0, 0) == indices[o];
                            }

                            if (match)
                            {
                                target = (((((long)p2 * d) + z) * h) + yy) * w + xx;
                            }
                        }
                    }
                }
            }

            if (target < 0)
            {
                return null;
            }

            y[target] = sum ? y[target] + x[o] : x[o];
        }

        return y;
    }
}
