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
    /// <summary>
    /// Pools <c>[planes, height, width]</c>. <see cref="PoolAxis.Padding"/> is the begin padding of each axis; the end
    /// padding is the same unless <paramref name="rowsPadEnd"/> / <paramref name="colsPadEnd"/> set it apart (ONNX's
    /// asymmetric <c>pads</c>).
    /// </summary>
    public static PoolResult<T> Pool<T>(T[] x, int planes, int height, int width, PoolAxis rows, PoolAxis cols, bool ceilMode, int? rowsPadEnd = null, int? colsPadEnd = null)
        where T : INumber<T>
    {
        if (!TryGetOutputSize(rows, rowsPadEnd ?? rows.Padding, height, ceilMode, out int outH) || !TryGetOutputSize(cols, colsPadEnd ?? cols.Padding, width, ceilMode, out int outW))
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

    /// <summary>
    /// SEMANTICS.md 1 with begin padding <c>axis.Padding</c> and end padding <paramref name="padEnd"/>:
    /// <c>o = floor_or_ceil((i + pb + pe - keff) / s) + 1</c>, minus one in ceil mode when the last window starts in the
    /// end padding (<c>(o-1)*s &gt;= i + pb</c>); false when <c>o &lt; 1</c> or a window has no real cell. With
    /// <c>pe = pb</c> it is <see cref="PoolAxis.TryGetOutputSize"/>.
    /// </summary>
    public static bool TryGetOutputSize(PoolAxis axis, int padEnd, int input, bool ceilMode, out int output)
    {
        output = 0;
        long numerator = (long)input + axis.Padding + padEnd - axis.EffectiveKernel;
        long o = (long)(ceilMode ? Math.Ceiling((double)numerator / axis.Stride) : Math.Floor((double)numerator / axis.Stride)) + 1;
        if (ceilMode && (o - 1) * axis.Stride >= input + (long)axis.Padding)
        {
            o -= 1;
        }

        if (o < 1)
        {
            return false;
        }

        for (long window = 0; window < o; window++)
        {
            if (axis.FirstRealTap(window, input) < 0)
            {
                return false;
            }
        }

        output = (int)o;
        return true;
    }
}
