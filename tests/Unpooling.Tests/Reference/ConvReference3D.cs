using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>One axis of a convolution, as plain numbers: kernel, stride, begin/end padding, dilation, output padding.</summary>
internal readonly record struct RefAxis(int K, int S = 1, int Pb = 0, int Pe = 0, int D = 1, int Op = 0)
{
    /// <summary>SEMANTICS 4 / PyTorch: <c>floor((i + pb + pe - d*(k-1) - 1) / s) + 1</c>; 0 (no output) when the padded
    /// input is shorter than the effective kernel.</summary>
    public int ConvOut(int i) => i + Pb + Pe < (D * (K - 1)) + 1 ? 0 : ((i + Pb + Pe - (D * (K - 1)) - 1) / S) + 1;

    /// <summary>SEMANTICS 4: <c>(i-1)*s - pb - pe + d*(k-1) + op + 1</c>.</summary>
    public int TransposedOut(int i) => ((i - 1) * S) - Pb - Pe + (D * (K - 1)) + Op + 1;
}

/// <summary>
/// The plainest loops for SEMANTICS.md section 4 in three spatial axes (depth, height, width; 1-D is depth and height
/// 1), sharing no code with <c>src</c>: sizes come from <see cref="RefAxis"/>, the geometry types are not read at all.
/// Arrays are dense row-major <c>[N, C, D, H, W]</c>.
/// </summary>
internal static class ConvReference3D
{
    /// <summary>
    /// Convolution (cross-correlation):
    /// <c>y[n, g*Cout/g + co, o] = bias + sum x[n, g*Cin/g + ci, o*s - pb + j*d] * w[g*Cout/g + co, ci, j]</c>, zero padding.
    /// Weight <c>[Cout, Cin/g, kD, kH, kW]</c>.
    /// </summary>
    public static (T[] Output, int[] Size) Conv<T>(T[] x, int n, int cin, int[] size, T[] w, int cout, RefAxis[] a, int groups, T[]? bias)
        where T : IFloatingPointIeee754<T>
    {
        int cinG = cin / groups, coutG = cout / groups;
        int[] o = [a[0].ConvOut(size[0]), a[1].ConvOut(size[1]), a[2].ConvOut(size[2])];
        var y = new T[n * cout * o[0] * o[1] * o[2]];
        for (int b = 0; b < n; b++)
        {
            for (int c = 0; c < cout; c++)
            {
                int g = c / coutG;
                for (int od = 0; od < o[0]; od++)
                {
                    for (int oh = 0; oh < o[1]; oh++)
                    {
                        for (int ow = 0; ow < o[2]; ow++)
                        {
                            T sum = bias is null ? T.Zero : bias[c];
                            for (int ci = 0; ci < cinG; ci++)
                            {
                                for (int jd = 0; jd < a[0].K; jd++)
                                {
                                    for (int jh = 0; jh < a[1].K; jh++)
                                    {
                                        for (int jw = 0; jw < a[2].K; jw++)
                                        {
                                            int id = (od * a[0].S) - a[0].Pb + (jd * a[0].D);
                                            int ih = (oh * a[1].S) - a[1].Pb + (jh * a[1].D);
                                            int iw = (ow * a[2].S) - a[2].Pb + (jw * a[2].D);
                                            if (id < 0 || id >= size[0] || ih < 0 || ih >= size[1] || iw < 0 || iw >= size[2])
                                            {
                                                continue;
                                            }

                                            T xv = x[(((((b * cin) + (g * cinG) + ci) * size[0]) + id) * size[1] + ih) * size[2] + iw];
                                            T wv = w[(((((c * cinG) + ci) * a[0].K) + jd) * a[1].K + jh) * a[2].K + jw];
                                            sum += xv * wv;
                                        }
                                    }
                                }
                            }

                            y[(((((b * cout) + c) * o[0]) + od) * o[1] + oh) * o[2] + ow] = sum;
                        }
                    }
                }
            }
        }

        return (y, o);
    }

    /// <summary>
    /// Transposed convolution, scatter form:
    /// <c>y[n, g*Cout/g + co, i*s - pb + j*d] += x[n, g*Cin/g + ci, i] * w[g*Cin/g + ci, co, j]</c>, plus bias.
    /// Weight <c>[Cin, Cout/g, kD, kH, kW]</c>.
    /// </summary>
    public static (T[] Output, int[] Size) ConvTranspose<T>(T[] x, int n, int cin, int[] size, T[] w, int cout, RefAxis[] a, int groups, T[]? bias)
        where T : IFloatingPointIeee754<T>
    {
        int cinG = cin / groups, coutG = cout / groups;
        int[] o = [a[0].TransposedOut(size[0]), a[1].TransposedOut(size[1]), a[2].TransposedOut(size[2])];
        int volume = o[0] * o[1] * o[2];
        var y = new T[n * cout * volume];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = bias is null ? T.Zero : bias[i / volume % cout];
        }

        for (int b = 0; b < n; b++)
        {
            for (int c = 0; c < cin; c++)
            {
                int g = c / cinG;
                for (int co = 0; co < coutG; co++)
                {
                    int cOut = (g * coutG) + co;
                    for (int id = 0; id < size[0]; id++)
                    {
                        for (int ih = 0; ih < size[1]; ih++)
                        {
                            for (int iw = 0; iw < size[2]; iw++)
                            {
                                T xv = x[(((((b * cin) + c) * size[0]) + id) * size[1] + ih) * size[2] + iw];
                                for (int jd = 0; jd < a[0].K; jd++)
                                {
                                    for (int jh = 0; jh < a[1].K; jh++)
                                    {
                                        for (int jw = 0; jw < a[2].K; jw++)
                                        {
                                            int od = (id * a[0].S) - a[0].Pb + (jd * a[0].D);
                                            int oh = (ih * a[1].S) - a[1].Pb + (jh * a[1].D);
                                            int ow = (iw * a[2].S) - a[2].Pb + (jw * a[2].D);
                                            if (od < 0 || od >= o[0] || oh < 0 || oh >= o[1] || ow < 0 || ow >= o[2])
                                            {
                                                continue;
                                            }

                                            T wv = w[(((((c * coutG) + co) * a[0].K) + jd) * a[1].K + jh) * a[2].K + jw];
                                            y[(((((b * cout) + cOut) * o[0]) + od) * o[1] + oh) * o[2] + ow] += xv * wv;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return (y, o);
    }
}
