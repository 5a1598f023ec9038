namespace Unpooling.Tests.Reference;

/// <summary>
/// The plainest loops for the convolutions' forward and backward passes (SEMANTICS.md section 4), in any rank up to 3
/// (a lower rank has trivial leading axes), sharing no code with <c>src</c>. Arrays are dense channels-first
/// <c>[N, C, D, H, W]</c> of <see cref="double"/>; every size is computed here from the numbers of the problem.
/// </summary>
internal static class ConvBackwardReference
{
    /// <summary>The numbers of one convolution problem: per axis (depth, height, width) kernel, stride, begin and end
    /// padding, dilation and output padding; the groups; the batch, the channels and the source's sizes.</summary>
    internal sealed record Problem(int[] K, int[] S, int[] Pb, int[] Pe, int[] D, int[] Op, int Groups, int Batch, int Cin, int Cout, int[] In)
    {
        /// <summary>The convolution's output size per axis: <c>floor((i + pb + pe - d*(k-1) - 1) / s) + 1</c> (the floor of a
        /// negative numerator taken as mathematics does: no output).</summary>
        public int[] ConvOut => [.. Enumerable.Range(0, 3).Select(a => (int)Math.Floor((In[a] + Pb[a] + Pe[a] - (D[a] * (K[a] - 1)) - 1) / (double)S[a]) + 1)];

        /// <summary>The transposed convolution's output size per axis: <c>(i-1)*s - pb - pe + d*(k-1) + op + 1</c>.</summary>
        public int[] TransposedOut => [.. Enumerable.Range(0, 3).Select(a => ((In[a] - 1) * S[a]) - Pb[a] - Pe[a] + (D[a] * (K[a] - 1)) + Op[a] + 1)];

        public int Taps => K[0] * K[1] * K[2];

        public static int Volume(int[] size) => size[0] * size[1] * size[2];

        public override string ToString()
            => $"k {string.Join("x", K)} s {string.Join("x", S)} p {string.Join("x", Pb)}/{string.Join("x", Pe)} d {string.Join("x", D)} op {string.Join("x", Op)} g {Groups}, [{Batch}, {Cin}, {string.Join("x", In)}] -> {Cout}";
    }

    private static int Cell(int[] size, int z, int y, int x) => (((z * size[1]) + y) * size[2]) + x;

    private static bool Inside(int[] size, int z, int y, int x) => z >= 0 && z < size[0] && y >= 0 && y < size[1] && x >= 0 && x < size[2];

    /// <summary>
    /// Visits every term of the convolution <c>y[n, co, o] += x[n, ci, o*s - pb + j*d] * w[co, ci - g*Cin/g, j]</c>:
    /// <paramref name="visit"/> receives (source index, weight index, output index). Conv: weight <c>[Cout, Cin/g, *k]</c>,
    /// source <paramref name="sourceSize"/>, output <paramref name="outputSize"/>.
    /// </summary>
    private static void ConvTerms(Problem p, int cin, int cout, int[] sourceSize, int[] outputSize, Action<int, int, int> visit)
    {
        int cinG = cin / p.Groups, coutG = cout / p.Groups;
        int inVol = Problem.Volume(sourceSize), outVol = Problem.Volume(outputSize);
        for (int n = 0; n < p.Batch; n++)
        {
            for (int co = 0; co < cout; co++)
            {
                int g = co / coutG;
                for (int ci = 0; ci < cinG; ci++)
                {
                    int c = (g * cinG) + ci;
                    for (int oz = 0; oz < outputSize[0]; oz++)
                    {
                        for (int oy = 0; oy < outputSize[1]; oy++)
                        {
                            for (int ox = 0; ox < outputSize[2]; ox++)
                            {
                                for (int jz = 0; jz < p.K[0]; jz++)
                                {
                                    for (int jy = 0; jy < p.K[1]; jy++)
                                    {
                                        for (int jx = 0; jx < p.K[2]; jx++)
                                        {
                                            int z = (oz * p.S[0]) - p.Pb[0] + (jz * p.D[0]);
                                            int y = (oy * p.S[1]) - p.Pb[1] + (jy * p.D[1]);
                                            int x = (ox * p.S[2]) - p.Pb[2] + (jx * p.D[2]);
                                            if (!Inside(sourceSize, z, y, x))
                                            {
                                                continue;
                                            }

                                            int wi = (((((co * cinG) + ci) * p.K[0]) + jz) * p.K[1] + jy) * p.K[2] + jx;
                                            visit((((n * cin) + c) * inVol) + Cell(sourceSize, z, y, x), wi, (((n * cout) + co) * outVol) + Cell(outputSize, oz, oy, ox));
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

    /// <summary>
    /// Visits every term of the transposed convolution <c>y[n, co, i*s - pb + j*d] += x[n, ci, i] * w[ci, co - g*Cout/g, j]</c>
    /// (weight <c>[Cin, Cout/g, *k]</c>): (source index, weight index, output index).
    /// </summary>
    private static void TransposedTerms(Problem p, int[] outputSize, Action<int, int, int> visit)
    {
        int cinG = p.Cin / p.Groups, coutG = p.Cout / p.Groups;
        int inVol = Problem.Volume(p.In), outVol = Problem.Volume(outputSize);
        for (int n = 0; n < p.Batch; n++)
        {
            for (int ci = 0; ci < p.Cin; ci++)
            {
                int g = ci / cinG;
                for (int co = 0; co < coutG; co++)
                {
                    int c = (g * coutG) + co;
                    for (int iz = 0; iz < p.In[0]; iz++)
                    {
                        for (int iy = 0; iy < p.In[1]; iy++)
                        {
                            for (int ix = 0; ix < p.In[2]; ix++)
                            {
                                for (int jz = 0; jz < p.K[0]; jz++)
                                {
                                    for (int jy = 0; jy < p.K[1]; jy++)
                                    {
                                        for (int jx = 0; jx < p.K[2]; jx++)
                                        {
                                            int z = (iz * p.S[0]) - p.Pb[0] + (jz * p.D[0]);
                                            int y = (iy * p.S[1]) - p.Pb[1] + (jy * p.D[1]);
                                            int x = (ix * p.S[2]) - p.Pb[2] + (jx * p.D[2]);
                                            if (!Inside(outputSize, z, y, x))
                                            {
                                                continue;
                                            }

                                            int wi = (((((ci * coutG) + co) * p.K[0]) + jz) * p.K[1] + jy) * p.K[2] + jx;
                                            visit((((n * p.Cin) + ci) * inVol) + Cell(p.In, iz, iy, ix), wi, (((n * p.Cout) + c) * outVol) + Cell(outputSize, z, y, x));
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

    private static void Terms(bool transposed, Problem p, Action<int, int, int> visit)
    {
        if (transposed)
        {
            TransposedTerms(p, p.TransposedOut, visit);
        }
        else
        {
            ConvTerms(p, p.Cin, p.Cout, p.In, p.ConvOut, visit);
        }
    }

    /// <summary>The output size of the forward (per axis).</summary>
    public static int[] OutputSize(bool transposed, Problem p) => transposed ? p.TransposedOut : p.ConvOut;

    /// <summary>The forward, <c>y = sum of terms + bias</c>.</summary>
    public static double[] Forward(bool transposed, Problem p, double[] x, double[] w, double[]? bias)
    {
        int outVol = Problem.Volume(OutputSize(transposed, p));
        var y = new double[p.Batch * p.Cout * outVol];
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = bias is null ? 0 : bias[(i / outVol) % p.Cout];
        }

        Terms(transposed, p, (xi, wi, yi) => y[yi] += x[xi] * w[wi]);
        return y;
    }

    /// <summary>The three gradients straight from the definition: every term <c>x*w</c> feeding <c>y</c> sends
    /// <c>dy*w</c> to <c>dx</c> and <c>dy*x</c> to <c>dw</c>; <c>db</c> sums <c>dy</c> per output channel.</summary>
    public static (double[] Source, double[] Weight, double[] Bias) Backward(bool transposed, Problem p, double[] dy, double[] x, double[] w)
    {
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        var db = new double[p.Cout];
        Terms(transposed, p, (xi, wi, yi) =>
        {
            dx[xi] += dy[yi] * w[wi];
            dw[wi] += dy[yi] * x[xi];
        });
        int outVol = Problem.Volume(OutputSize(transposed, p));
        for (int i = 0; i < dy.Length; i++)
        {
            db[(i / outVol) % p.Cout] += dy[i];
        }

        return (dx, dw, db);
    }

    /// <summary>Channels-first <c>[N, C, *S]</c> to channels-last <c>[N, *S, C]</c>.</summary>
    public static T[] ToChannelsLast<T>(T[] a, int batch, int channels, int volume)
    {
        var r = new T[a.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int v = 0; v < volume; v++)
                {
                    r[(((n * volume) + v) * channels) + c] = a[(((n * channels) + c) * volume) + v];
                }
            }
        }

        return r;
    }
}
