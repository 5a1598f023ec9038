namespace Unpooling.Benchmarks.Naive;

/// <summary>
/// The baseline transposed convolution: SEMANTICS.md section 4's scatter form as one writes it first, single-threaded
/// scalar loops over (n, ci, co, ih, iw, kh, kw), sharing no code with the library.
/// </summary>
internal static class NaiveConv
{
    public static void ConvTranspose2D(
        float[] x, Shape4D xs, float[] w, int coutPerGroup, int groups, int kernel, int stride, int padding, int outputPadding, float[]? bias, float[] y)
    {
        int cinG = xs.Channels / groups, cout = coutPerGroup * groups;
        int oh = ((xs.Height - 1) * stride) - (2 * padding) + kernel + outputPadding;
        int ow = ((xs.Width - 1) * stride) - (2 * padding) + kernel + outputPadding;
        for (int n = 0; n < xs.Batch; n++)
        {
            for (int c = 0; c < cout; c++)
            {
                Array.Fill(y, bias is null ? 0f : bias[c], ((n * cout) + c) * oh * ow, oh * ow);
            }

            for (int ci = 0; ci < xs.Channels; ci++)
            {
                int g = ci / cinG;
                for (int co = 0; co < coutPerGroup; co++)
                {
                    int yPlane = ((n * cout) + (g * coutPerGroup) + co) * oh * ow;
                    int wBase = ((ci * coutPerGroup) + co) * kernel * kernel;
                    for (int ih = 0; ih < xs.Height; ih++)
                    {
                        for (int iw = 0; iw < xs.Width; iw++)
                        {
                            float v = x[((((n * xs.Channels) + ci) * xs.Height) + ih) * xs.Width + iw];
                            for (int kh = 0; kh < kernel; kh++)
                            {
                                int yh = (ih * stride) - padding + kh;
                                if (yh < 0 || yh >= oh)
                                {
                                    continue;
                                }

                                for (int kw = 0; kw < kernel; kw++)
                                {
                                    int yw = (iw * stride) - padding + kw;
                                    if (yw >= 0 && yw < ow)
                                    {
                                        y[yPlane + (yh * ow) + yw] += v * w[wBase + (kh * kernel) + kw];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
