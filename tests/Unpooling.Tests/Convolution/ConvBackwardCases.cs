using System.Numerics;
using P = Unpooling.Tests.Reference.ConvBackwardReference.Problem;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The convolution backward tests' problems and calls: a problem is the reference's bag of numbers (three axes, the
/// leading ones trivial below rank 3); here it becomes the public geometry, shapes and span call of its rank and layout.
/// </summary>
internal static class ConvBackwardCases
{
    /// <summary>A problem of rank <paramref name="rank"/>: the per-axis numbers are given for the last <c>rank</c> axes.</summary>
    public static P Make(int rank, int[] k, int[] s, int[] pb, int[] pe, int[] d, int[] op, int groups, int batch, int cin, int cout, int[] input)
    {
        int[] Pad(int[] a, int fill) => [.. Enumerable.Repeat(fill, 3 - rank), .. a];
        return new P(Pad(k, 1), Pad(s, 1), Pad(pb, 0), Pad(pe, 0), Pad(d, 1), Pad(op, 0), groups, batch, cin, cout, Pad(input, 1));
    }

    /// <summary>The 2-D grid: kernels, strides, per-side paddings, dilations, groups, and the largest output padding or none.</summary>
    public static IEnumerable<P> Grid2D(int batch, int cin, int cout)
    {
        int[][] kernels = [[1, 1], [2, 3], [3, 3], [4, 2]];
        int[][] strides = [[1, 1], [2, 1], [2, 2], [3, 2]];
        (int[] B, int[] E)[] pads = [([0, 0], [0, 0]), ([1, 1], [1, 1]), ([1, 0], [2, 1])];
        int[][] dilations = [[1, 1], [2, 1], [2, 2]];
        int seed = 0;
        foreach (int[] k in kernels)
        {
            foreach (int[] s in strides)
            {
                foreach ((int[] b, int[] e) in pads)
                {
                    foreach (int[] d in dilations)
                    {
                        foreach (int groups in (int[])[1, 2])
                        {
                            for (int variant = 0; variant < 2; variant++)
                            {
                                int[] op = variant == 0 ? [0, 0] : [Math.Max(s[0], d[0]) - 1, Math.Max(s[1], d[1]) - 1];
                                yield return Make(2, k, s, b, e, d, op, groups, batch, cin, cout, [4 + (seed++ % 2), 5]);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>1-D and 3-D problems: strides, paddings, dilation past the stride with output padding, groups.</summary>
    public static IEnumerable<P> Ranks13(int batch, int cin, int cout)
    {
        foreach (int k in (int[])[1, 3, 4])
        {
            foreach (int s in (int[])[1, 2, 3])
            {
                foreach ((int b, int e) in ((int, int)[])[(0, 0), (2, 1), (0, 1)])
                {
                    foreach (int d in (int[])[1, 2])
                    {
                        foreach (int groups in (int[])[1, 2])
                        {
                            yield return Make(1, [k], [s], [b], [e], [d], [0], groups, batch, cin, cout, [7]);
                            yield return Make(1, [k], [s], [b], [e], [d], [Math.Max(s, d) - 1], groups, batch, cin, cout, [6]);
                        }
                    }
                }
            }
        }

        yield return Make(3, [2, 3, 2], [1, 2, 2], [1, 0, 1], [0, 1, 1], [1, 1, 2], [0, 1, 1], 2, batch, cin, cout, [3, 4, 5]);
        yield return Make(3, [3, 3, 3], [2, 2, 2], [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1], 1, batch, cin, cout, [3, 3, 4]);
        yield return Make(3, [2, 2, 2], [2, 2, 2], [0, 0, 0], [0, 0, 0], [1, 1, 1], [0, 0, 0], 1, batch, cin, cout, [2, 3, 4]);
        yield return Make(3, [1, 2, 3], [1, 1, 2], [0, 1, 2], [0, 0, 1], [1, 2, 1], [0, 1, 1], 2, batch, cin, cout, [4, 3, 5]);
        yield return Make(3, [3, 1, 2], [1, 1, 1], [0, 0, 0], [0, 0, 0], [2, 1, 3], [1, 0, 2], 1, batch, cin, cout, [5, 2, 6]);
    }

    /// <summary>The rank of a problem: the count of its axes from the first one that is not trivial.</summary>
    public static int Rank(P p)
    {
        if (p.K[0] != 1 || p.S[0] != 1 || p.Pb[0] != 0 || p.Pe[0] != 0 || p.D[0] != 1 || p.Op[0] != 0 || p.In[0] != 1)
        {
            return 3;
        }

        return p.K[1] != 1 || p.S[1] != 1 || p.Pb[1] != 0 || p.Pe[1] != 0 || p.D[1] != 1 || p.Op[1] != 0 || p.In[1] != 1 ? 2 : 1;
    }

    public static Conv1DGeometry Geometry1D(P p) => new Conv1DGeometry(p.K[2], p.S[2], dilation: p.D[2], groups: p.Groups, outputPadding: p.Op[2]).WithPadding(p.Pb[2], p.Pe[2]);

    public static Conv2DGeometry Geometry2D(P p)
        => new Conv2DGeometry(new(p.K[1], p.K[2]), new(p.S[1], p.S[2]), dilation: new(p.D[1], p.D[2]), groups: p.Groups, outputPadding: new(p.Op[1], p.Op[2]))
            .WithPadding(new(p.Pb[1], p.Pb[2]), new(p.Pe[1], p.Pe[2]));

    public static Conv3DGeometry Geometry3D(P p)
        => new Conv3DGeometry(new(p.K[0], p.K[1], p.K[2]), new(p.S[0], p.S[1], p.S[2]), dilation: new(p.D[0], p.D[1], p.D[2]), groups: p.Groups, outputPadding: new(p.Op[0], p.Op[1], p.Op[2]))
            .WithPadding(new(p.Pb[0], p.Pb[1], p.Pb[2]), new(p.Pe[0], p.Pe[1], p.Pe[2]));

    /// <summary>The weight's five lengths: <c>[Cout, Cin/g, *k]</c>, transposed <c>[Cin, Cout/g, *k]</c>.</summary>
    public static int WeightLength(bool transposed, P p) => (transposed ? p.Cin * (p.Cout / p.Groups) : p.Cout * (p.Cin / p.Groups)) * p.Taps;

    /// <summary>
    /// The span form of the problem's rank: arrays channels-first, or channels-last when <paramref name="last"/>;
    /// an empty array is "not wanted".
    /// </summary>
    public static void Backward<T>(bool transposed, P p, bool last, T[] dy, T[] x, T[] w, Span<T> dx, Span<T> dw, Span<T> db, ExecutionOptions options)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int wo = transposed ? p.Cin : p.Cout, wi = transposed ? p.Cout / p.Groups : p.Cin / p.Groups;
        switch (Rank(p))
        {
            case 1:
            {
                Shape3D xs = last ? Shape3D.ChannelsLast(p.Batch, p.In[2], p.Cin) : new(p.Batch, p.Cin, p.In[2]);
                var ws = new Shape3D(wo, wi, p.K[2]);
                if (transposed)
                {
                    Functional.ConvTranspose1DBackward<T>(dy, x, xs, w, ws, Geometry1D(p), dx, dw, db, options);
                }
                else
                {
                    Functional.Conv1DBackward<T>(dy, x, xs, w, ws, Geometry1D(p), dx, dw, db, options);
                }

                break;
            }

            case 2:
            {
                Shape4D xs = last ? Shape4D.ChannelsLast(p.Batch, p.In[1], p.In[2], p.Cin) : new(p.Batch, p.Cin, p.In[1], p.In[2]);
                var ws = new Shape4D(wo, wi, p.K[1], p.K[2]);
                if (transposed)
                {
                    Functional.ConvTranspose2DBackward<T>(dy, x, xs, w, ws, Geometry2D(p), dx, dw, db, options);
                }
                else
                {
                    Functional.Conv2DBackward<T>(dy, x, xs, w, ws, Geometry2D(p), dx, dw, db, options);
                }

                break;
            }

            default:
            {
                Shape5D xs = last ? Shape5D.ChannelsLast(p.Batch, p.In[0], p.In[1], p.In[2], p.Cin) : new(p.Batch, p.Cin, p.In[0], p.In[1], p.In[2]);
                var ws = new Shape5D(wo, wi, p.K[0], p.K[1], p.K[2]);
                if (transposed)
                {
                    Functional.ConvTranspose3DBackward<T>(dy, x, xs, w, ws, Geometry3D(p), dx, dw, db, options);
                }
                else
                {
                    Functional.Conv3DBackward<T>(dy, x, xs, w, ws, Geometry3D(p), dx, dw, db, options);
                }

                break;
            }
        }
    }

    /// <summary>The library's forward of the problem (channels-first, no bias unless given), for the adjoint identities.</summary>
    public static T[] Forward<T>(bool transposed, P p, T[] x, T[] w, T[]? bias)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int wo = transposed ? p.Cin : p.Cout, wi = transposed ? p.Cout / p.Groups : p.Cin / p.Groups;
        int[] o = Reference.ConvBackwardReference.OutputSize(transposed, p);
        var y = new T[p.Batch * p.Cout * P.Volume(o)];
        switch (Rank(p))
        {
            case 1:
                if (transposed)
                {
                    Functional.ConvTranspose1D<T>(x, new(p.Batch, p.Cin, p.In[2]), w, new(wo, wi, p.K[2]), bias, Geometry1D(p), y);
                }
                else
                {
                    Functional.Conv1D<T>(x, new(p.Batch, p.Cin, p.In[2]), w, new(wo, wi, p.K[2]), bias, Geometry1D(p), y);
                }

                break;
            case 2:
                if (transposed)
                {
                    Functional.ConvTranspose2D<T>(x, new(p.Batch, p.Cin, p.In[1], p.In[2]), w, new(wo, wi, p.K[1], p.K[2]), bias, Geometry2D(p), y);
                }
                else
                {
                    Functional.Conv2D<T>(x, new(p.Batch, p.Cin, p.In[1], p.In[2]), w, new(wo, wi, p.K[1], p.K[2]), bias, Geometry2D(p), y);
                }

                break;
            default:
                if (transposed)
                {
                    Functional.ConvTranspose3D<T>(x, new(p.Batch, p.Cin, p.In[0], p.In[1], p.In[2]), w, new(wo, wi, p.K[0], p.K[1], p.K[2]), bias, Geometry3D(p), y);
                }
                else
                {
                    Functional.Conv3D<T>(x, new(p.Batch, p.Cin, p.In[0], p.In[1], p.In[2]), w, new(wo, wi, p.K[0], p.K[1], p.K[2]), bias, Geometry3D(p), y);
                }

                break;
        }

        return y;
    }

    /// <summary>Whether the problem's forward has an output (every axis at least 1).</summary>
    public static bool Valid(bool transposed, P p) => Reference.ConvBackwardReference.OutputSize(transposed, p).All(v => v >= 1)
        && Enumerable.Range(0, 3).All(a => p.Op[a] < Math.Max(p.S[a], p.D[a]));
}
