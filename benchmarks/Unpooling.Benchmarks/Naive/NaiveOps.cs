namespace Unpooling.Benchmarks.Naive;

/// <summary>
/// The baselines: the plainest single-threaded scalar loops one writes from SEMANTICS.md, sharing no code with the
/// library. They are what the library must beat, and (run once in each class's setup) the oracle its output is
/// checked against before anything is timed. Zeroing uses <see cref="Span{T}.Clear"/>, as anyone would write it; that
/// is a vectorized memset, so the unpooling baselines are already memory-bound and the reported speed-ups are
/// conservative.
/// </summary>
internal static class NaiveOps
{
    /// <summary>SEMANTICS.md section 1, square window, per-plane int64 indices (PyTorch's max_pool2d_with_indices).</summary>
    public static void MaxPool2D(float[] x, Shape4D shape, int kernel, int stride, int padding, float[] y, long[] indices)
    {
        int h = shape.Height, w = shape.Width;
        int outH = ((h + (2 * padding) - kernel) / stride) + 1;
        int outW = ((w + (2 * padding) - kernel) / stride) + 1;
        long planes = shape.PlaneCount;
        for (long plane = 0; plane < planes; plane++)
        {
            long input = plane * h * w;
            long output = plane * outH * outW;
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    float best = float.NegativeInfinity;
                    long arg = -1;
                    for (int kh = 0; kh < kernel; kh++)
                    {
                        int ih = (oh * stride) - padding + kh;
                        if (ih < 0 || ih >= h)
                        {
                            continue;
                        }

                        for (int kw = 0; kw < kernel; kw++)
                        {
                            int iw = (ow * stride) - padding + kw;
                            if (iw < 0 || iw >= w)
                            {
                                continue;
                            }

                            float v = x[input + (ih * w) + iw];
                            if (arg < 0)
                            {
                                arg = (ih * w) + iw; // the first real cell is the starting arg-max
                            }

                            if (v > best || float.IsNaN(v))
                            {
                                best = v;
                                arg = (ih * w) + iw;
                            }
                        }
                    }

                    y[output + (oh * outW) + ow] = best;
                    indices[output + (oh * outW) + ow] = arg;
                }
            }
        }
    }

    /// <summary>SEMANTICS.md section 2: zeros, then <c>y[plane, index] = x</c> in input order (the last write wins).</summary>
    public static void MaxUnpool2D(float[] x, long[] indices, Shape4D pooledShape, Size2D outputSize, float[] y)
    {
        y.AsSpan().Clear();
        long pooledPlane = pooledShape.PlaneSize;
        long outputPlane = (long)outputSize.Height * outputSize.Width;
        long planes = pooledShape.PlaneCount;
        for (long plane = 0; plane < planes; plane++)
        {
            for (long i = 0; i < pooledPlane; i++)
            {
                long at = (plane * pooledPlane) + i;
                y[(plane * outputPlane) + indices[at]] = x[at];
            }
        }
    }

    /// <summary>SEMANTICS.md section 3, upper-left offset: zeros, then <c>y[i*k, j*k] = x[i, j]</c>.</summary>
    public static void FixedUnpool2D(float[] x, Shape4D pooledShape, int factor, float[] y)
    {
        y.AsSpan().Clear();
        int h = pooledShape.Height, w = pooledShape.Width;
        int outW = w * factor;
        long outPlane = (long)h * factor * outW;
        long planes = pooledShape.PlaneCount;
        for (long plane = 0; plane < planes; plane++)
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

    /// <summary>SEMANTICS.md section 3, repeat: every cell of each <c>k x k</c> block gets <c>x</c> (nearest upsampling).</summary>
    public static void RepeatUnpool2D(float[] x, Shape4D pooledShape, int factor, float[] y)
    {
        int h = pooledShape.Height, w = pooledShape.Width;
        int outW = w * factor;
        long outPlane = (long)h * factor * outW;
        long planes = pooledShape.PlaneCount;
        for (long plane = 0; plane < planes; plane++)
        {
            for (int i = 0; i < h; i++)
            {
                for (int j = 0; j < w; j++)
                {
                    float v = x[(plane * h * w) + (i * w) + j];
                    for (int a = 0; a < factor; a++)
                    {
                        for (int b = 0; b < factor; b++)
                        {
                            y[(plane * outPlane) + ((((long)i * factor) + a) * outW) + (j * factor) + b] = v;
                        }
                    }
                }
            }
        }
    }
}
