using System.Numerics;

namespace Unpooling.Benchmarks.Naive;

/// <summary>
/// The naive baselines of <see cref="NaiveOps"/> for any element type: the same plainest loops from SEMANTICS.md,
/// generic, so Half and byte rows have their own baseline (and their setup its oracle). Pooling starts from the first
/// real cell of each window (the rule for every type; float's -infinity start is the same rule).
/// </summary>
internal static class NaiveTypedOps
{
    /// <summary>SEMANTICS.md section 1, square window without padding, per-plane int64 indices.</summary>
    public static void MaxPool2D<T>(T[] x, Shape4D shape, int kernel, int stride, T[] y, long[] indices)
        where T : INumber<T>
    {
        int h = shape.Height, w = shape.Width;
        int outH = ((h - kernel) / stride) + 1;
        int outW = ((w - kernel) / stride) + 1;
        for (long plane = 0; plane < shape.PlaneCount; plane++)
        {
            long input = plane * h * w;
            long output = plane * outH * outW;
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    long arg = (oh * stride * (long)w) + (ow * stride);
                    T best = x[input + arg];
                    for (int kh = 0; kh < kernel; kh++)
                    {
                        for (int kw = 0; kw < kernel; kw++)
                        {
                            long at = (((oh * stride) + kh) * (long)w) + (ow * stride) + kw;
                            T v = x[input + at];
                            if (v > best || T.IsNaN(v))
                            {
                                best = v;
                                arg = at;
                            }
                        }
                    }

                    y[output + (oh * outW) + ow] = best;
                    indices[output + (oh * outW) + ow] = arg;
                }
            }
        }
    }

    /// <summary>SEMANTICS.md section 2: zeros, then <c>y[plane, index] = x</c> in input order.</summary>
    public static void MaxUnpool2D<T>(T[] x, long[] indices, Shape4D pooledShape, Size2D outputSize, T[] y)
        where T : INumberBase<T>
    {
        y.AsSpan().Clear();
        long pooledPlane = pooledShape.PlaneSize;
        long outputPlane = (long)outputSize.Height * outputSize.Width;
        for (long plane = 0; plane < pooledShape.PlaneCount; plane++)
        {
            for (long i = 0; i < pooledPlane; i++)
            {
                long at = (plane * pooledPlane) + i;
                y[(plane * outputPlane) + indices[at]] = x[at];
            }
        }
    }

    /// <summary>SEMANTICS.md section 3, upper-left offset: zeros, then <c>y[i*k, j*k] = x[i, j]</c>.</summary>
    public static void FixedUnpool2D<T>(T[] x, Shape4D pooledShape, int factor, T[] y)
        where T : INumberBase<T>
    {
        y.AsSpan().Clear();
        int h = pooledShape.Height, w = pooledShape.Width;
        int outW = w * factor;
        long outPlane = (long)h * factor * outW;
        for (long plane = 0; plane < pooledShape.PlaneCount; plane++)
        {
            for (int i = 0; i < h; i++)
            {
                for (int j = 0; j < w; j++)
                {
                    y[(plane * outPlane) + ((long)i * factor * outW) + (j * factor)] = x[(plane * h * w) + (i * w) + j];
                }
            }
        }
    }
}
