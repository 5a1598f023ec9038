using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The defining identity of the transposed convolution, its adjointness to the convolution, and both operators against
/// the reference loops, over a grid of non-square geometries (kernel 1-5, stride 1-3, symmetric and per-side padding
/// 0-2, output padding, dilation 1-2, groups 1/2/4, with and without bias), at 1 and 2 threads. Inputs are small
/// integers, so every path is exact and the comparisons are exact; the oracles run in double over the inputs widened.
/// </summary>
public abstract class ConvGridTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly Size2D[] Kernels = [new(1, 1), new(2, 3), new(4, 2), new(5, 4), new(3, 5)];
    private static readonly Size2D[] Strides = [new(1, 1), new(2, 1), new(2, 2), new(3, 2), new(1, 3)];
    private static readonly (Size2D Begin, Size2D End)[] Paddings =
        [(new(0, 0), new(0, 0)), (new(2, 1), new(2, 1)), (new(1, 0), new(2, 1)), (new(0, 2), new(1, 0))];

    private static readonly Size2D[] Dilations = [new(1, 1), new(2, 1), new(1, 2), new(2, 2)];
    private static readonly int[] GroupCounts = [1, 2, 4];

    [Fact]
    public void GridDefiningIdentityAdjointAndOracles()
    {
        var clock = Stopwatch.StartNew();
        int cases = 0, adjointCases = 0, seed = 0;
        foreach (Size2D k in Kernels)
        {
            foreach (Size2D s in Strides)
            {
                foreach ((Size2D pb, Size2D pe) in Paddings)
                {
                    foreach (Size2D d in Dilations)
                    {
                        foreach (int groups in GroupCounts)
                        {
                            for (int variant = 0; variant < 2; variant++)
                            {
                                // Variant 1: the largest legal output padding and a bias; variant 0: neither.
                                Size2D op = variant == 0 ? new(0, 0) : new(Math.Max(s.Height, d.Height) - 1, Math.Max(s.Width, d.Width) - 1);
                                Conv2DGeometry g = new Conv2DGeometry(k, s, dilation: d, groups: groups, outputPadding: op).WithPadding(pb, pe);
                                var xs = new Shape4D(2, 4, 3 + (seed % 2), 4);
                                Size2D o = new(
                                    ((xs.Height - 1) * s.Height) - pb.Height - pe.Height + (d.Height * (k.Height - 1)) + 1 + op.Height,
                                    ((xs.Width - 1) * s.Width) - pb.Width - pe.Width + (d.Width * (k.Width - 1)) + 1 + op.Width);
                                if (o.Height < 1 || o.Width < 1)
                                {
                                    continue;
                                }

                                cases++;
                                bool adjoint = op.Height < s.Height && op.Width < s.Width;
                                adjointCases += adjoint ? 1 : 0;
                                Check(g, xs, variant == 1, seed++, adjoint);
                            }
                        }
                    }
                }
            }
        }

        Assert.True(cases > 1500, $"only {cases} grid cases ran");
        Assert.True(adjointCases > 700, $"only {adjointCases} adjoint cases ran");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"grid took {clock.Elapsed}");
    }

    private static void Check(Conv2DGeometry g, Shape4D xs, bool withBias, int seed, bool adjoint)
    {
        string context = $"{typeof(T).Name} {g}, input {xs}, bias {withBias}";
        int cout = 8, groups = g.Groups;
        var ws = new Shape4D(xs.Channels, cout / groups, g.KernelSize.Height, g.KernelSize.Width);
        T[] x = ConvData.Integers<T>((int)xs.ElementCount, seed);
        T[] w = ConvData.Integers<T>((int)ws.ElementCount, seed + 7919);
        T[]? bias = withBias ? ConvData.Integers<T>(cout, seed + 104729) : null;

        // Oracle: the scatter loop, in double over the inputs widened (exact: integer data), at 1 and 2 threads.
        (double[] wide, Shape4D ys) = ConvReference.ConvTranspose2D(Wide(x), xs, Wide(w), ws, Wide(bias), g);
        T[] expected = Narrow(wide);
        var y = new T[ys.ElementCount];
        Functional.ConvTranspose2D(x, xs, w, ws, bias, g, y, Threads.Options(1));
        ConvAssert.Exact<T>(expected, y, $"{context}: ConvTranspose2D vs oracle");
        var two = new T[ys.ElementCount];
        Functional.ConvTranspose2D(x, xs, w, ws, bias, g, two, Threads.Options(2));
        BitAssert.Equal<T>(y, two, $"{context}: ConvTranspose2D at 2 threads vs 1");

        // Defining identity: zero insertion, pad by d*(k-1) - p (crop where negative), stride-1 convolution with the
        // flipped, in/out-swapped kernel.
        Shape4D zs = xs.WithSpatialSize(new((((xs.Height - 1) * g.Stride.Height) + 1), (((xs.Width - 1) * g.Stride.Width) + 1)));
        var z = new T[zs.ElementCount];
        Functional.ZeroInsert2D(x, xs, g.Stride, z);
        int top = (g.Dilation.Height * (g.KernelSize.Height - 1)) - g.PaddingBegin.Height;
        int bottom = (g.Dilation.Height * (g.KernelSize.Height - 1)) - g.PaddingEnd.Height + g.OutputPadding.Height;
        int left = (g.Dilation.Width * (g.KernelSize.Width - 1)) - g.PaddingBegin.Width;
        int right = (g.Dilation.Width * (g.KernelSize.Width - 1)) - g.PaddingEnd.Width + g.OutputPadding.Width;
        (T[] cropped, Shape4D cs) = ConvReference.PadOrCrop(z, zs, Math.Min(0, top), Math.Min(0, bottom), Math.Min(0, left), Math.Min(0, right));
        (T[] flipped, Shape4D fs) = ConvReference.FlipSwap(w, ws, groups);
        Conv2DGeometry unit = new Conv2DGeometry(g.KernelSize, dilation: g.Dilation, groups: groups)
            .WithPadding(new(Math.Max(0, top), Math.Max(0, left)), new(Math.Max(0, bottom), Math.Max(0, right)));
        var viaConv = new T[ys.ElementCount];
        Functional.Conv2D(cropped, cs, flipped, fs, bias, unit, viaConv);
        ConvAssert.Exact<T>(y, viaConv, $"{context}: ConvTranspose2D vs Conv2D(pad(zero-insert(x)), flip-swap(w))");

        // Conv2D with the same geometry and weight tensor (read as [Cout' = Cin, Cin'/g = Cout/g]) against its oracle,
        // then the adjoint identity <conv(u), v> = <u, convT(v)> (exact: integer data, sums in double).
        T[] u = ConvData.Integers<T>((int)ys.ElementCount, seed + 3);
        T[]? convBias = withBias ? ConvData.Integers<T>(xs.Channels, seed + 5) : null;
        (double[] convWide, Shape4D convShape) = ConvReference.Conv2D(Wide(u), ys, Wide(w), ws, Wide(convBias), g);
        T[] convExpected = Narrow(convWide);
        var conv = new T[convShape.ElementCount];
        Functional.Conv2D(u, ys, w, ws, convBias, g, conv, Threads.Options(1));
        ConvAssert.Exact<T>(convExpected, conv, $"{context}: Conv2D vs oracle");
        var convTwo = new T[convShape.ElementCount];
        Functional.Conv2D(u, ys, w, ws, convBias, g, convTwo, Threads.Options(2));
        BitAssert.Equal<T>(conv, convTwo, $"{context}: Conv2D at 2 threads vs 1");
        if (adjoint)
        {
            Assert.Equal(xs, convShape);
            var convU = new T[xs.ElementCount];
            Functional.Conv2D(u, ys, w, ws, default, g, convU);
            T[] v = ConvData.Integers<T>((int)xs.ElementCount, seed + 13);
            var transposedV = new T[ys.ElementCount];
            Functional.ConvTranspose2D(v, xs, w, ws, default, g, transposedV);
            double lhs = Dot(convU, v), rhs = Dot(u, transposedV);
            Assert.True(lhs == rhs, $"{context}: <conv(u), v> = {lhs} but <u, convT(v)> = {rhs}");
        }
    }

    [return: NotNullIfNotNull(nameof(values))]
    private static double[]? Wide(T[]? values) => values?.Select(double.CreateChecked).ToArray();

    /// <summary>Back to <typeparamref name="T"/>, checked exact (every oracle value here is a small integer).</summary>
    private static T[] Narrow(double[] values)
        => values.Select(v => double.CreateChecked(T.CreateChecked(v)) == v ? T.CreateChecked(v) : throw new InvalidOperationException($"Oracle value {v} is not exact in {typeof(T).Name}.")).ToArray();

    private static double Dot(T[] a, T[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += double.CreateChecked(a[i]) * double.CreateChecked(b[i]);
        }

        return sum;
    }
}

public sealed class ConvGridFloatTests : ConvGridTests<float>;

public sealed class ConvGridDoubleTests : ConvGridTests<double>;

/// <summary>Half storage, float accumulation: every result of the grid (at most 8*20 products of 3*3 plus a bias of 3,
/// under 2048) is an integer Half holds exactly, so the comparisons stay exact.</summary>
public sealed class ConvGridHalfTests : ConvGridTests<Half>;
