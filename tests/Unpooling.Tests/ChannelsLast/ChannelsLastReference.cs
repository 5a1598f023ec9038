using System.Numerics;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// The plainest permutations between channels-first <c>[N, C, *S]</c> and channels-last <c>[N, *S, C]</c> arrays, and a
/// 3-D max-pool and unpool oracle written from SEMANTICS.md 1 and 2 (per-volume indices <c>(d*H + h)*W + w</c>). Shares
/// no code with the library.
/// </summary>
internal static class ChannelsLastReference
{
    /// <summary>Channels-first <c>[N, C, S]</c> (S = the spatial cells) to channels-last <c>[N, S, C]</c>.</summary>
    public static T[] ToChannelsLast<T>(T[] channelsFirst, int batch, int channels, long spatial)
    {
        var result = new T[channelsFirst.Length];
        for (long n = 0; n < batch; n++)
        {
            for (long c = 0; c < channels; c++)
            {
                for (long p = 0; p < spatial; p++)
                {
                    result[(((n * spatial) + p) * channels) + c] = channelsFirst[(((n * channels) + c) * spatial) + p];
                }
            }
        }

        return result;
    }

    /// <summary>Channels-last <c>[N, S, C]</c> back to channels-first <c>[N, C, S]</c>.</summary>
    public static T[] ToChannelsFirst<T>(T[] channelsLast, int batch, int channels, long spatial)
    {
        var result = new T[channelsLast.Length];
        for (long n = 0; n < batch; n++)
        {
            for (long c = 0; c < channels; c++)
            {
                for (long p = 0; p < spatial; p++)
                {
                    result[(((n * channels) + c) * spatial) + p] = channelsLast[(((n * spatial) + p) * channels) + c];
                }
            }
        }

        return result;
    }

    /// <summary>One axis of a 3-D window: kernel, stride, begin padding, dilation.</summary>
    internal readonly record struct Axis(int Kernel, int Stride, int Padding, int Dilation)
    {
        public long Position(int o, int k) => ((long)o * Stride) - Padding + ((long)k * Dilation);

        public int Output(int input) => (int)(((long)input + (2 * Padding) - (((long)Dilation * (Kernel - 1)) + 1)) / Stride) + 1;
    }

    /// <summary>3-D max pooling of channels-first <c>[planes, D, H, W]</c>: values and per-volume indices.</summary>
    public static (T[] Values, long[] Indices) Pool3D<T>(T[] x, int planes, int depth, int height, int width, Axis ad, Axis ah, Axis aw)
        where T : INumber<T>
    {
        int oD = ad.Output(depth), oH = ah.Output(height), oW = aw.Output(width);
        var values = new T[planes * oD * oH * oW];
        var indices = new long[values.Length];
        int o = 0;
        for (int plane = 0; plane < planes; plane++)
        {
            for (int od = 0; od < oD; od++)
            {
                for (int oh = 0; oh < oH; oh++)
                {
                    for (int ow = 0; ow < oW; ow++, o++)
                    {
                        bool found = false;
                        T best = T.Zero;
                        long arg = -1;
                        for (int kd = 0; kd < ad.Kernel; kd++)
                        {
                            long d = ad.Position(od, kd);
                            for (int kh = 0; kh < ah.Kernel; kh++)
                            {
                                long h = ah.Position(oh, kh);
                                for (int kw = 0; kw < aw.Kernel; kw++)
                                {
                                    long w = aw.Position(ow, kw);
                                    if (d < 0 || d >= depth || h < 0 || h >= height || w < 0 || w >= width)
                                    {
                                        continue;
                                    }

                                    long cell = (((d * height) + h) * width) + w;
                                    T v = x[(plane * (long)depth * height * width) + cell];
                                    if (!found || v > best || T.IsNaN(v))
                                    {
                                        found = true;
                                        best = v;
                                        arg = cell;
                                    }
                                }
                            }
                        }

                        values[o] = best;
                        indices[o] = arg;
                    }
                }
            }
        }

        return (values, indices);
    }

    /// <summary>3-D argmax unpooling of per-volume indices: zeros, then <c>y[plane, index] = x</c> in input order.</summary>
    public static T[] Unpool3D<T>(T[] x, long[] indices, int planes, long pooledVolume, long outputVolume, bool sum)
        where T : INumberBase<T>
    {
        var y = new T[planes * outputVolume];
        y.AsSpan().Fill(T.Zero);
        for (int i = 0; i < x.Length; i++)
        {
            long target = (i / pooledVolume * outputVolume) + indices[i];
            y[target] = sum ? y[target] + x[i] : x[i];
        }

        return y;
    }
}
