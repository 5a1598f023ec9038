using System.Numerics;
using Unpooling.Tests.Conv;
using static TorchSharp.torch;

namespace Unpooling.Conformance.Infrastructure;

/// <summary>A drawn convolution: shapes, data, geometry, and how to run it on each side.</summary>
internal sealed record ConvCase<T>(bool Transposed, Shape4D XShape, T[] X, Shape4D WShape, T[] W, T[]? Bias, Conv2DGeometry Geometry, bool Integer)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>
    /// Groups 1-4 with 1-4 channels each way per group (5-40 in one case of ten, past the GEMM's register blocks), N 1-5, kernel 1-7, stride 1-4, dilation 1-3, padding
    /// up to the effective kernel (asymmetric with probability <paramref name="asymmetric"/>), output padding below max(stride, dilation) or PyTorch's
    /// output_size request, bias in two cases of three; integer data in two cases of five.
    /// </summary>
    public static ConvCase<T> Draw(CaseContext c, bool transposed, double asymmetric = 0.33)
    {
        Random r = c.Random;
        int groups = r.Chance(0.5) ? 1 : r.Between(2, 4);
        bool wide = r.Chance(0.1);
        int cin = groups * (wide ? r.Between(5, 40) : r.Between(1, 4)), cout = groups * (wide ? r.Between(5, 40) : r.Between(1, 4));
        Size2D k = r.Pair(1, 7), s = r.Pair(1, 4), d = r.Chance(0.5) ? 1 : r.Pair(1, 3);
        var keff = new Size2D(PoolCase.Effective(k.Height, d.Height), PoolCase.Effective(k.Width, d.Width));
        Size2D pb = new(r.Between(0, keff.Height - 1), r.Between(0, keff.Width - 1));
        Size2D pe = r.Chance(asymmetric) ? new Size2D(r.Between(0, keff.Height - 1), r.Between(0, keff.Width - 1)) : pb;
        Size2D op = transposed && r.Chance(0.5) ? new Size2D(r.Next(Math.Max(s.Height, d.Height)), r.Next(Math.Max(s.Width, d.Width))) : 0;
        bool large = !wide && r.Chance(0.05);
        var x = new Shape4D(
            r.Between(1, 5),
            cin,
            transposed ? Extent(r, 1, large) : Extent(r, Math.Max(1, keff.Height - pb.Height - pe.Height), large),
            transposed ? Extent(r, 1, large) : Extent(r, Math.Max(1, keff.Width - pb.Width - pe.Width), large));
        Conv2DGeometry g = new Conv2DGeometry(k, s, dilation: d, groups: groups, outputPadding: op).WithPadding(pb, pe);
        try
        {
            _ = transposed ? g.GetTransposedOutputSize(x.SpatialSize) : g.GetOutputSize(x.SpatialSize);
        }
        catch (ArgumentException)
        {
            throw CaseContext.Reject("no output (the padding crops everything)");
        }

        string request = string.Empty;
        var min = new Size2D(
            ((x.Height - 1) * s.Height) - pb.Height - pe.Height + keff.Height,
            ((x.Width - 1) * s.Width) - pb.Width - pe.Width + keff.Width);
        if (transposed && r.Chance(0.2) && min.Height + s.Height > 1 && min.Width + s.Width > 1)
        {
            // PyTorch's output_size: any size from the zero-output-padding size up to stride - 1 more (sizes
            // below 1 excluded).
            var size = new Size2D(
                r.Between(Math.Max(1, min.Height), min.Height + s.Height - 1),
                r.Between(Math.Max(1, min.Width), min.Width + s.Width - 1));
            g = g.WithTransposedOutputSize(x.SpatialSize, size);
            request = $", output size {size} requested";
        }

        var w = transposed ? new Shape4D(cin, cout / groups, k.Height, k.Width) : new Shape4D(cout, cin / groups, k.Height, k.Width);
        bool integer = r.Chance(0.4);
        T[] Fill(long n) => integer ? ConvData.Integers<T>((int)n, r.Next()) : ConvData.Uniform<T>((int)n, r.Next());
        c.Describe($"x {x}, w {w}, {g}{request}, {(integer ? "integer" : "real")} data");
        c.Tag(pb == pe ? "symmetric padding" : "asymmetric padding");
        c.Tag(groups > 1 ? "grouped" : "one group");
        if (wide)
        {
            c.Tag("5-40 channels per group");
        }

        c.Tag(integer ? "integer data (exact)" : "real data (tolerance)");
        return new ConvCase<T>(transposed, x, Fill(x.ElementCount), w, Fill(w.ElementCount), r.Chance(0.67) ? Fill(cout) : null, g, integer);
    }

    /// <summary>The libtorch result for these (or any same-shaped) tensors.</summary>
    public Tensor Torch(Tensor x, Tensor w, Tensor? bias)
    {
        Conv2DGeometry g = Geometry;
        long[] stride = TorchOps.Pair(g.Stride), dilation = TorchOps.Pair(g.Dilation);
        if (g.PaddingBegin == g.PaddingEnd)
        {
            return Transposed
                ? nn.functional.conv_transpose2d(x, w, bias, stride, TorchOps.Pair(g.PaddingBegin), TorchOps.Pair(g.OutputPadding), dilation, g.Groups)
                : nn.functional.conv2d(x, w, bias, stride, TorchOps.Pair(g.PaddingBegin), dilation, g.Groups);
        }

        if (Transposed)
        {
            Tensor full = nn.functional.conv_transpose2d(x, w, bias, stride, [0, 0], TorchOps.Pair(g.OutputPadding), dilation, g.Groups);
            Size2D o = g.GetTransposedOutputSize(XShape.SpatialSize);
            return TorchOps.Place(full, -g.PaddingBegin.Height, -g.PaddingBegin.Width, o.Height, o.Width);
        }

        Tensor padded = TorchOps.Place(
            x, g.PaddingBegin.Height, g.PaddingBegin.Width,
            XShape.Height + g.PaddingBegin.Height + g.PaddingEnd.Height, XShape.Width + g.PaddingBegin.Width + g.PaddingEnd.Width);
        return nn.functional.conv2d(padded, w, bias, stride, [0, 0], dilation, g.Groups);
    }

    /// <summary>
    /// Checks a peer's result: its shape against ours, then ours at 1 thread against it (exactly on integer data,
    /// within <see cref="Check.Close"/> on real data, scaled by our result on the absolute values, which has no
    /// cancellation to lose accuracy to), then ours at 2 threads against ours at 1, bit for bit.
    /// </summary>
    public void Verify(T[] expected, Shape4D peerShape, string peer)
    {
        Size2D size = Transposed ? Geometry.GetTransposedOutputSize(XShape.SpatialSize) : Geometry.GetOutputSize(XShape.SpatialSize);
        Shape4D outShape = peerShape.WithSpatialSize(size);
        if (outShape != peerShape)
        {
            throw new MismatchException($"{peer}'s output is {peerShape}, ours {outShape}.");
        }

        T[] ours1 = Run(X, W, Bias, outShape, 1);
        if (Integer)
        {
            Check.Numeric<T>(expected, ours1, outShape, "integer data, 1 thread");
        }
        else
        {
            T[] terms = Run(X.Select(T.Abs).ToArray(), W.Select(T.Abs).ToArray(), Bias?.Select(T.Abs).ToArray(), outShape, 1);
            Check.Close<T>(expected, ours1, terms, outShape, "real data, 1 thread");
        }

        Check.Exact<T>(ours1, Run(X, W, Bias, outShape, 2), outShape, "ours at 2 threads vs ours at 1");
    }

    private T[] Run(T[] x, T[] w, T[]? bias, Shape4D outShape, int degree)
    {
        var y = new T[outShape.ElementCount];
        if (Transposed)
        {
            Functional.ConvTranspose2D<T>(x, XShape, w, WShape, bias ?? [], Geometry, y, Threads.Options(degree));
        }
        else
        {
            Functional.Conv2D<T>(x, XShape, w, WShape, bias ?? [], Geometry, y, Threads.Options(degree));
        }

        return y;
    }

    /// <summary>Convolution extents stay small (the work grows with their square times the kernel's).</summary>
    private static int Extent(Random r, int min, bool large) => large ? min + r.Between(40, 70) : min + r.Next(r.Chance(0.7) ? 10 : 20);
}
