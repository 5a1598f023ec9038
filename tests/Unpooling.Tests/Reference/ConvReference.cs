using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>
/// The plainest loops for SEMANTICS.md section 4, sharing no code with <c>src</c> (the geometry record is only read as a
/// bag of numbers; every size is computed here). Arrays are dense row-major <c>[N, C, H, W]</c>.
/// </summary>
internal static class ConvReference
{
    /// <summary>Transposed convolution, scatter form: <c>y[n, g*Cout/g + co, i*s - pb + j*d] += x[n, g*Cin/g + ci, i] * w[g*Cin/g + ci, co, j]</c>, plus bias.</summary>
    public static (T[] Output, Shape4D Shape) ConvTranspose2D<T>(T[] x, Shape4D xs, T[] w, Shape4D ws, T[]? bias, Conv2DGeometry g)
        where T : IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cinG = xs.Channels / groups, coutG = ws.Channels, cout = coutG * groups;
        int kh = ws.Height, kw = ws.Width;
        int oh = ((xs.Height - 1) * g.Stride.Height) - g.PaddingBegin.Height - g.PaddingEnd.Height + (g.Dilation.Height * (kh - 1)) + 1 + g.OutputPadding.Height;
        int ow = ((xs.Width - 1) * g.Stride.Width) - g.PaddingBegin.Width - g.PaddingEnd.Width + (g.Dilation.Width * (kw - 1)) + 1 + g.OutputPadding.Width;
        var shape = new Shape4D(xs.Batch, cout, oh, ow);
        var y = new T[xs.Batch * cout * oh * ow];
        for (int n = 0; n < xs.Batch; n++)
        {
            for (int c = 0; c < cout; c++)
            {
                for (int i = 0; i < oh * ow; i++)
                {
                    y[(((n * cout) + c) * oh * ow) + i] = bias is null ? T.Zero : bias[c];
                }
            }

            for (int gi = 0; gi < groups; gi++)
            {
                for (int ci = 0; ci < cinG; ci++)
                {
                    int cIn = (gi * cinG) + ci;
                    for (int co = 0; co < coutG; co++)
                    {
                        int cOut = (gi * coutG) + co;
                        for (int ih = 0; ih < xs.Height; ih++)
                        {
                            for (int iw = 0; iw < xs.Width; iw++)
                            {
                                T v = x[(((((n * xs.Channels) + cIn) * xs.Height) + ih) * xs.Width) + iw];
                                for (int jh = 0; jh < kh; jh++)
                                {
                                    int yh = (ih * g.Stride.Height) - g.PaddingBegin.Height + (jh * g.Dilation.Height);
                                    for (int jw = 0; jw < kw; jw++)
                                    {
                                        int yw = (iw * g.Stride.Width) - g.PaddingBegin.Width + (jw * g.Dilation.Width);
                                        if (yh >= 0 && yh < oh && yw >= 0 && yw < ow)
                                        {
                                            y[(((((n * cout) + cOut) * oh) + yh) * ow) + yw] += v * w[(((((cIn * coutG) + co) * kh) + jh) * kw) + jw];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return (y, shape);
    }

    /// <summary>Convolution, gather form: <c>y[n, g*Cout/g + co, o] = bias + sum x[n, g*Cin/g + ci, o*s - pb + j*d] * w[g*Cout/g + co, ci, j]</c>.</summary>
    public static (T[] Output, Shape4D Shape) Conv2D<T>(T[] x, Shape4D xs, T[] w, Shape4D ws, T[]? bias, Conv2DGeometry g)
        where T : IFloatingPointIeee754<T>
    {
        int groups = g.Groups, cinG = ws.Channels, cout = ws.Batch, coutG = cout / groups;
        int kh = ws.Height, kw = ws.Width;
        int oh = ((xs.Height + g.PaddingBegin.Height + g.PaddingEnd.Height - (g.Dilation.Height * (kh - 1)) - 1) / g.Stride.Height) + 1;
        int ow = ((xs.Width + g.PaddingBegin.Width + g.PaddingEnd.Width - (g.Dilation.Width * (kw - 1)) - 1) / g.Stride.Width) + 1;
        var shape = new Shape4D(xs.Batch, cout, oh, ow);
        var y = new T[xs.Batch * cout * oh * ow];
        for (int n = 0; n < xs.Batch; n++)
        {
            for (int c = 0; c < cout; c++)
            {
                int gi = c / coutG;
                for (int yh = 0; yh < oh; yh++)
                {
                    for (int yw = 0; yw < ow; yw++)
                    {
                        T sum = T.Zero;
                        for (int ci = 0; ci < cinG; ci++)
                        {
                            int cIn = (gi * cinG) + ci;
                            for (int jh = 0; jh < kh; jh++)
                            {
                                int ih = (yh * g.Stride.Height) - g.PaddingBegin.Height + (jh * g.Dilation.Height);
                                for (int jw = 0; jw < kw; jw++)
                                {
                                    int iw = (yw * g.Stride.Width) - g.PaddingBegin.Width + (jw * g.Dilation.Width);
                                    if (ih >= 0 && ih < xs.Height && iw >= 0 && iw < xs.Width)
                                    {
                                        sum += x[(((((n * xs.Channels) + cIn) * xs.Height) + ih) * xs.Width) + iw] * w[(((((c * cinG) + ci) * kh) + jh) * kw) + jw];
                                    }
                                }
                            }
                        }

                        y[(((((n * cout) + c) * oh) + yh) * ow) + yw] = sum + (bias is null ? T.Zero : bias[c]);
                    }
                }
            }
        }

        return (y, shape);
    }

    /// <summary>Zero insertion: <c>z[i*s] = x[i]</c>, zeros between.</summary>
    public static (T[] Output, Shape4D Shape) ZeroInsert<T>(T[] x, Shape4D xs, Size2D s)
        where T : IFloatingPointIeee754<T>
    {
        int zh = ((xs.Height - 1) * s.Height) + 1, zw = ((xs.Width - 1) * s.Width) + 1;
        var z = new T[xs.Batch * xs.Channels * zh * zw];
        for (int p = 0; p < xs.Batch * xs.Channels; p++)
        {
            for (int h = 0; h < xs.Height; h++)
            {
                for (int w = 0; w < xs.Width; w++)
                {
                    z[(p * zh * zw) + (h * s.Height * zw) + (w * s.Width)] = x[(p * xs.Height * xs.Width) + (h * xs.Width) + w];
                }
            }
        }

        return (z, new Shape4D(xs.Batch, xs.Channels, zh, zw));
    }

    /// <summary>Strided subsample: <c>x[i] = z[i*s]</c>.</summary>
    public static (T[] Output, Shape4D Shape) Subsample<T>(T[] z, Shape4D zs, Size2D s)
        where T : IFloatingPointIeee754<T>
    {
        int xh = ((zs.Height - 1) / s.Height) + 1, xw = ((zs.Width - 1) / s.Width) + 1;
        var x = new T[zs.Batch * zs.Channels * xh * xw];
        for (int p = 0; p < zs.Batch * zs.Channels; p++)
        {
            for (int h = 0; h < xh; h++)
            {
                for (int w = 0; w < xw; w++)
                {
                    x[(p * xh * xw) + (h * xw) + w] = z[(p * zs.Height * zs.Width) + (h * s.Height * zs.Width) + (w * s.Width)];
                }
            }
        }

        return (x, new Shape4D(zs.Batch, zs.Channels, xh, xw));
    }

    /// <summary>Pads (positive amounts, zeros) or crops (negative amounts) each side of every plane.</summary>
    public static (T[] Output, Shape4D Shape) PadOrCrop<T>(T[] x, Shape4D xs, int top, int bottom, int left, int right)
        where T : IFloatingPointIeee754<T>
    {
        int h = xs.Height + top + bottom, w = xs.Width + left + right;
        var y = new T[xs.Batch * xs.Channels * h * w];
        for (int p = 0; p < xs.Batch * xs.Channels; p++)
        {
            for (int r = 0; r < h; r++)
            {
                for (int c = 0; c < w; c++)
                {
                    int sr = r - top, sc = c - left;
                    if (sr >= 0 && sr < xs.Height && sc >= 0 && sc < xs.Width)
                    {
                        y[(p * h * w) + (r * w) + c] = x[(p * xs.Height * xs.Width) + (sr * xs.Width) + sc];
                    }
                }
            }
        }

        return (y, new Shape4D(xs.Batch, xs.Channels, h, w));
    }

    /// <summary>
    /// The transposed convolution's kernel <c>[Cin, Cout/g, kH, kW]</c> as the equivalent convolution's kernel
    /// <c>[Cout, Cin/g, kH, kW]</c>: in/out channels swapped within each group, spatially flipped.
    /// </summary>
    public static (T[] Output, Shape4D Shape) FlipSwap<T>(T[] w, Shape4D ws, int groups)
        where T : IFloatingPointIeee754<T>
    {
        int cin = ws.Batch, cinG = cin / groups, coutG = ws.Channels, kh = ws.Height, kw = ws.Width;
        var r = new T[w.Length];
        for (int gi = 0; gi < groups; gi++)
        {
            for (int ci = 0; ci < cinG; ci++)
            {
                for (int co = 0; co < coutG; co++)
                {
                    for (int a = 0; a < kh; a++)
                    {
                        for (int b = 0; b < kw; b++)
                        {
                            r[(((((((gi * coutG) + co) * cinG) + ci) * kh) + a) * kw) + b] =
                                w[(((((((gi * cinG) + ci) * coutG) + co) * kh) + (kh - 1 - a)) * kw) + (kw - 1 - b)];
                        }
                    }
                }
            }
        }

        return (r, new Shape4D(coutG * groups, cinG, kh, kw));
    }
}
