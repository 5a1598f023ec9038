using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>The result of the max-pool oracle: values and per-plane indices, <c>[planes, OutH, OutW]</c>.</summary>
internal sealed record PoolResult<T>(T[] Values, long[] Indices, int OutH, int OutW);

/// <summary>
/// SEMANTICS.md 1 as the plainest loops: every window scanned row-major over its real cells, starting from the first
/// real cell, replacing the running maximum when <c>v &gt; best || isNaN(v)</c>; index <c>h*W + w</c> per plane.
/// </summary>
internal static class MaxPool2DReference
{
    public static PoolResult<T> Pool<T>(T[] x, int planes, int height, int width, PoolAxis rows, PoolAxis cols, bool ceilMode)
        where T : INumber<T>
    {
        if (!rows.TryGetOutputSize(height, ceilMode, out int outH) || !cols.TryGetOutputSize(width, ceilMode, out int outW))
        {
            throw new InvalidOperationException($"Oracle: geometry {rows} / {cols} ceil {ceilMode} is invalid for {height}x{width}.");
        }

        var values = new T[planes * outH * outW];
        var indices = new long[values.Length];
        for (int plane = 0; plane < planes; plane++)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    bool found = false;
                    T best = T.Zero;
                    long arg = -1;
                    for (int kh = 0; kh < rows.Kernel; kh++)
                    {
                        long ih = rows.Position(oh, kh);
                        if (ih < 0 || ih >= height)
                        {
                            continue;
                        }

                        for (int kw = 0; kw < cols.Kernel; kw++)
                        {
                            long iw = cols.Position(ow, kw);
                            if (iw < 0 || iw >= width)
                            {
                                continue;
                            }

                            T v = x[(plane * height * width) + (ih * width) + iw];
                            if (!found || v > best || T.IsNaN(v))
                            {
                                found = true;
                                best = v;
                                arg = (ih * width) + iw;
                            }
                        }
                    }

                    int o = (((plane * outH) + oh) * outW) + ow;
                    values[o] = best;
                    indices[o] = arg;
                }
            }
        }

        return new PoolResult<T>(values, indices, outH, outW);
    }
}
