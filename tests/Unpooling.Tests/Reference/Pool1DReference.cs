using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>
/// One pooling axis with begin/end padding, as SEMANTICS.md 1 names it: kernel <c>k</c>, stride <c>s</c>, pads
/// <c>pb</c>/<c>pe</c>, dilation <c>d</c>, ceil mode. Plain data and plain arithmetic: nothing from the library.
/// </summary>
internal readonly record struct Axis1D(int Kernel, int Stride, int PadBegin, int PadEnd, int Dilation, bool CeilMode)
{
    public int EffectiveKernel => (Dilation * (Kernel - 1)) + 1;

    public override string ToString() => $"k{Kernel} s{Stride} p{PadBegin}/{PadEnd} d{Dilation}{(CeilMode ? " ceil" : "")}";

    /// <summary>Input position of tap <paramref name="tap"/> of window <paramref name="window"/> (negative or past the end in the padding).</summary>
    public long Position(long window, int tap) => (window * Stride) - PadBegin + ((long)tap * Dilation);

    /// <summary>
    /// <c>o = floor_or_ceil((i + pb + pe - keff) / s) + 1</c> (as mathematics rounds a negative numerator), minus one in
    /// ceil mode when the last window starts in the end padding (<c>(o-1)*s &gt;= i + pb</c>); false when <c>o &lt; 1</c>
    /// or some window has no tap on an input cell (found by walking every tap of every window).
    /// </summary>
    public bool TryGetOutputSize(int input, out int output)
    {
        output = 0;
        long numerator = (long)input + PadBegin + PadEnd - EffectiveKernel;
        long o = (long)(CeilMode ? Math.Ceiling((double)numerator / Stride) : Math.Floor((double)numerator / Stride)) + 1;
        if (CeilMode && (o - 1) * Stride >= input + (long)PadBegin)
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

    /// <summary>SEMANTICS.md 2: the default unpooled length <c>(i-1)*s - pb - pe + k</c> (may be below 1).</summary>
    public long UnpoolDefault(int pooled) => ((long)(pooled - 1) * Stride) - PadBegin - PadEnd + Kernel;
}

/// <summary>The 1-D pooling oracle's result: values, per-plane cells <c>w</c> and in-window taps <c>kw</c>, <c>[planes, OutL]</c>.</summary>
internal sealed record Pool1DResult<T>(T[] Values, long[] Cells, long[] Taps, int OutL);

/// <summary>
/// SEMANTICS.md 1 and 2 on one axis as the plainest loops over <c>[N, C, L]</c>: each window scanned in tap order over
/// its real cells, starting from the first, replacing the running maximum when <c>v &gt; best || isNaN(v)</c>; the
/// index table of SEMANTICS.md 1 with <c>H = 1, h = 0</c>; unpooling as a scatter in row-major input order.
/// Shares no code with <c>src</c> (nor with the 2-D oracle).
/// </summary>
internal static class Pool1DReference
{
    public static Pool1DResult<T> Pool<T>(T[] x, int planes, int length, Axis1D axis)
        where T : INumber<T>
    {
        if (!axis.TryGetOutputSize(length, out int outL))
        {
            throw new InvalidOperationException($"Oracle: {axis} is invalid for length {length}.");
        }

        var values = new T[planes * outL];
        var cells = new long[values.Length];
        var taps = new long[values.Length];
        for (int plane = 0; plane < planes; plane++)
        {
            for (int o = 0; o < outL; o++)
            {
                bool found = false;
                T best = T.Zero;
                long cell = -1, tapOfBest = -1;
                for (int tap = 0; tap < axis.Kernel; tap++)
                {
                    long w = axis.Position(o, tap);
                    if (w < 0 || w >= length)
                    {
                        continue;
                    }

                    T v = x[(plane * length) + w];
                    if (!found || v > best || T.IsNaN(v))
                    {
                        found = true;
                        best = v;
                        cell = w;
                        tapOfBest = tap;
                    }
                }

                values[(plane * outL) + o] = best;
                cells[(plane * outL) + o] = cell;
                taps[(plane * outL) + o] = tapOfBest;
            }
        }

        return new Pool1DResult<T>(values, cells, taps, outL);
    }

    /// <summary>The index of cell (n, c, w) of an <c>[N, C, L]</c> tensor in <paramref name="convention"/> (SEMANTICS.md 1, <c>H = 1</c>).</summary>
    public static long Index(IndexConvention convention, long n, long c, long w, long channels, long length) => convention switch
    {
        IndexConvention.PerPlane => w,
        IndexConvention.GlobalRowMajor => (((n * channels) + c) * length) + w,
        IndexConvention.GlobalColumnMajor => (((n * channels) + c) * length) + w, // h + w*H with H = 1
        IndexConvention.ChannelsLastPerSample => (w * channels) + c,
        IndexConvention.ChannelsLastWithBatch => (((n * length) + w) * channels) + c,
        _ => throw new ArgumentOutOfRangeException(nameof(convention)),
    };

    /// <summary>
    /// Per-plane cells of an <c>[N, C, oL]</c> index tensor in <paramref name="convention"/>; for InWindow the taps must
    /// be given (<paramref name="taps"/>), since a tap is not a function of the cell alone.
    /// </summary>
    public static long[] Encode(long[] cells, long[]? taps, int batch, int channels, int pooledLength, int indexedLength, IndexConvention convention)
    {
        var result = new long[cells.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            long plane = i / pooledLength;
            result[i] = convention == IndexConvention.InWindow
                ? taps![i]
                : Index(convention, plane / channels, plane % channels, cells[i], channels, indexedLength);
        }

        return result;
    }

    /// <summary>
    /// Argmax unpooling (SEMANTICS.md 2) of indices in any convention but InWindow: every output cell is +0, then in
    /// row-major input order the cell whose index (in the element's scope: plane, sample or tensor) is
    /// <c>indices[i]</c> gets <c>x[i]</c> (or adds it). The cell is found by searching the scope for the index.
    /// </summary>
    public static T[] Unpool<T>(T[] x, long[] indices, int batch, int channels, int pooledLength, int outLength, IndexConvention convention, bool sum)
        where T : INumberBase<T>
    {
        var y = new T[(long)batch * channels * outLength];
        y.AsSpan().Fill(T.Zero);
        for (int i = 0; i < x.Length; i++)
        {
            long plane = i / pooledLength, n = plane / channels, c = plane % channels;
            long target = -1;
            for (long nn = 0; nn < batch && target < 0; nn++)
            {
                for (long cc = 0; cc < channels && target < 0; cc++)
                {
                    bool inScope = convention switch
                    {
                        IndexConvention.PerPlane => nn == n && cc == c,
                        IndexConvention.ChannelsLastPerSample => nn == n,
                        _ => true,
                    };
                    for (long w = 0; w < outLength && inScope && target < 0; w++)
                    {
                        if (Index(convention, nn, cc, w, channels, outLength) == indices[i])
                        {
                            target = (((nn * channels) + cc) * outLength) + w;
                        }
                    }
                }
            }

            if (target < 0)
            {
                throw new InvalidOperationException($"Oracle: index {indices[i]} at {i} names no cell in {convention}.");
            }

            y[target] = sum ? y[target] + x[i] : x[i];
        }

        return y;
    }

    /// <summary>In-window unpooling: tap <c>t</c> of pooled element <c>o</c> is cell <c>o*s - pb + t*d</c> of its own plane.</summary>
    public static T[] UnpoolTaps<T>(T[] x, long[] taps, int planes, int pooledLength, int outLength, Axis1D axis, bool sum)
        where T : INumberBase<T>
    {
        var y = new T[(long)planes * outLength];
        y.AsSpan().Fill(T.Zero);
        for (int i = 0; i < x.Length; i++)
        {
            long plane = i / pooledLength, o = i % pooledLength;
            long w = taps[i] < 0 || taps[i] >= axis.Kernel ? -1 : axis.Position(o, (int)taps[i]);
            if (w < 0 || w >= outLength)
            {
                throw new InvalidOperationException($"Oracle: tap {taps[i]} at {i} names no cell of the output.");
            }

            long target = (plane * outLength) + w;
            y[target] = sum ? y[target] + x[i] : x[i];
        }

        return y;
    }
}
