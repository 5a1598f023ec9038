using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Unpooling.Tests.Conv;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// <c>ConvTranspose2D</c> against libtorch's <c>conv_transpose2d</c> and <c>Conv2D</c> against its <c>conv2d</c>, over
/// groups, dilation, stride, output padding, PyTorch's <c>output_size</c> request, bias or none, and asymmetric
/// padding. Integer-valued data must agree exactly (every sum is exact); real-valued data within the named tolerance
/// of <see cref="Check.Close"/>, scaled per output by the sum of its terms' magnitudes. Ours must also give the same
/// bits at 1 and 2 threads.
/// </summary>
/// <remarks>
/// libtorch pads symmetrically only; an asymmetric case is checked against libtorch's unpadded result cropped (for the
/// transposed convolution, whose padding crops) or its input padded with zeros first (for the forward convolution).
/// </remarks>
public sealed class ConvTorchTests(ITestOutputHelper output) : RandomCaseTests<ConvTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("ConvTranspose2D vs conv_transpose2d, float", 150, Case<float>(transposed: true)),
        new("ConvTranspose2D vs conv_transpose2d, double", 150, Case<double>(transposed: true)),
        new("Conv2D vs conv2d, float", 150, Case<float>(transposed: false)),
        new("Conv2D vs conv2d, double", 150, Case<double>(transposed: false)),
    ];

    private static Action<CaseContext> Case<T>(bool transposed)
        where T : unmanaged, IFloatingPointIeee754<T>
        => c =>
        {
            ConvCase<T> k = ConvCase<T>.Draw(c, transposed);
            using IDisposable scope = TorchOps.Scope();
            Tensor peer = k.Torch(TorchOps.From(k.X, k.XShape), TorchOps.From(k.W, k.WShape), k.Bias is { } b ? TorchOps.From(b, b.Length) : null);
            Shape4D outShape = TorchOps.ShapeOf(peer);
            Size2D ours = transposed ? k.Geometry.GetTransposedOutputSize(k.XShape.SpatialSize) : k.Geometry.GetOutputSize(k.XShape.SpatialSize);
            if (ours != outShape.SpatialSize)
            {
                throw new MismatchException($"libtorch's output is {outShape}, ours {ours}.");
            }

            T[] expected = TorchOps.Read<T>(peer);
            T[] ours1 = k.Ours(outShape, 1), ours2 = k.Ours(outShape, 2);
            if (k.Integer)
            {
                Check.Numeric<T>(expected, ours1, outShape, "integer data, 1 thread");
            }
            else
            {
                Tensor terms = k.Torch(TorchOps.From(k.X, k.XShape).abs(), TorchOps.From(k.W, k.WShape).abs(), k.Bias is { } bb ? TorchOps.From(bb, bb.Length).abs() : null);
                Check.Close<T>(expected, ours1, TorchOps.Read<T>(terms), outShape, "real data, 1 thread");
            }

            Check.Exact<T>(ours1, ours2, outShape, "ours at 2 threads vs ours at 1");
        };

    /// <summary>A drawn convolution: shapes, data, geometry, and how to run it on each side.</summary>
    private sealed record ConvCase<T>(bool Transposed, Shape4D XShape, T[] X, Shape4D WShape, T[] W, T[]? Bias, Conv2DGeometry Geometry, bool Integer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>
        /// Groups 1-4 with 1-4 channels each way per group, N 1-5, kernel 1-7, stride 1-4, dilation 1-3, padding
        /// up to the effective kernel (a third asymmetric), output padding below max(stride, dilation) or PyTorch's
        /// output_size request, bias in two cases of three; integer data in two cases of five.
        /// </summary>
        public static ConvCase<T> Draw(CaseContext c, bool transposed)
        {
            Random r = c.Random;
            int groups = r.Chance(0.5) ? 1 : r.Between(2, 4);
            int cin = groups * r.Between(1, 4), cout = groups * r.Between(1, 4);
            Size2D k = r.Pair(1, 7), s = r.Pair(1, 4), d = r.Chance(0.5) ? 1 : r.Pair(1, 3);
            var keff = new Size2D(PoolCase.Effective(k.Height, d.Height), PoolCase.Effective(k.Width, d.Width));
            Size2D pb = new(r.Between(0, keff.Height - 1), r.Between(0, keff.Width - 1));
            Size2D pe = r.Chance(0.33) ? new Size2D(r.Between(0, keff.Height - 1), r.Between(0, keff.Width - 1)) : pb;
            Size2D op = transposed && r.Chance(0.5) ? new Size2D(r.Next(Math.Max(s.Height, d.Height)), r.Next(Math.Max(s.Width, d.Width))) : 0;
            bool large = r.Chance(0.05);
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

        /// <summary>Our result at <paramref name="degree"/> threads, into the peer's output shape.</summary>
        public T[] Ours(Shape4D outShape, int degree)
        {
            var y = new T[outShape.ElementCount];
            if (Transposed)
            {
                ConvApi.ConvTranspose2D<T>(X, XShape, W, WShape, Bias ?? [], Geometry, y, degree);
            }
            else
            {
                ConvApi.Conv2D<T>(X, XShape, W, WShape, Bias ?? [], Geometry, y, degree);
            }

            return y;
        }

        /// <summary>Convolution extents stay small (the work grows with their square times the kernel's).</summary>
        private static int Extent(Random r, int min, bool large) => large ? min + r.Between(40, 70) : min + r.Next(r.Chance(0.7) ? 10 : 20);
    }
}
