using Unpooling.Conformance.Infrastructure;
using Unpooling.Tests.Conv;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// Half <c>ConvTranspose2D</c> and <c>Conv2D</c> against libtorch's CPU <c>conv_transpose2d</c> and <c>conv2d</c> on
/// Float16 tensors (libtorch runs both on CPU), over the same drawn cases as <see cref="ConvTorchTests"/> (groups,
/// dilation, stride, output padding and <c>output_size</c>, bias or none, asymmetric padding; integer or real data,
/// stored as Half). Three checks per case:
/// <list type="number">
/// <item>ours within <see cref="ConvTolerance.Half"/> of libtorch's Float64 result over the same Half values (the exact
/// value up to double rounding): our own derived bound, with each output's <c>sum |terms|</c> from libtorch's Float64
/// convolution of the absolute values;</item>
/// <item>ours within that bound plus libtorch's own error (<see cref="PeerAllowance"/>) of libtorch's Float16 result;</item>
/// <item>ours at 2 threads bit-identical to ours at 1.</item>
/// </list>
/// </summary>
/// <remarks>
/// Measured 2026-12-01 (TorchSharp 0.107): libtorch's Float16 <c>conv2d</c> stays within two Half ulps of the exact
/// value beyond our bound, but its <c>conv_transpose2d</c> is far less accurate (for example 0.00293 where the exact
/// value is 0.0023122 and ours 0.0023117, with <c>sum |terms|</c> 7.9), as a col2im that adds the GEMM's columns into
/// the output in Half, rounding at every addition, would be; the allowance for it bounds exactly that.
/// </remarks>
public sealed class ConvHalfTorchTests(ITestOutputHelper output) : RandomCaseTests<ConvHalfTorchTests>(output), ISuites
{
    /// <summary>
    /// How far libtorch's Float16 result may be from the exact value beyond our own bound. <c>conv2d</c>: two Half ulps
    /// of the exact value (it may round its float GEMM result to Half and add the bias in Half: two roundings where we
    /// round once). <c>conv_transpose2d</c>: its col2im sums up to <c>kH*kW</c> GEMM entries (each rounded to Half) and the
    /// bias in Half, <c>n = kH*kW + 2</c> Half roundings of partial sums bounded by <c>sum |terms|</c>, so
    /// <c>n * 2^-11 * S</c> to first order; twice that is allowed (as our bound doubles its first-order float term).
    /// </summary>
    private static double PeerAllowance(bool transposed, Conv2DGeometry g, double exact, double termMagnitude)
        => transposed
            ? ((g.KernelSize.Height * g.KernelSize.Width) + 2) * Math.ScaleB(1, -10) * termMagnitude
            : 2 * ConvTolerance.HalfUlp(exact);

    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("ConvTranspose2D vs conv_transpose2d, Half", 100, Case(transposed: true)),
        new("Conv2D vs conv2d, Half", 100, Case(transposed: false)),
    ];

    private static Action<CaseContext> Case(bool transposed)
        => c =>
        {
            ConvCase<Half> k = ConvCase<Half>.Draw(c, transposed);
            using IDisposable scope = TorchOps.Scope();
            Tensor peer = k.Torch(Float16(k.X, k.XShape), Float16(k.W, k.WShape), k.Bias is { } b ? Float16(b, b.Length) : null);
            Shape4D shape = TorchOps.ShapeOf(peer);
            double[] peerValues = TorchOps.Read<float>(peer.to(ScalarType.Float32)).Select(v => (double)v).ToArray();
            double[] exact = TorchOps.Read<double>(k.Torch(Float64(k.X, k.XShape, false), Float64(k.W, k.WShape, false), k.Bias is { } e ? Float64(e, [e.Length], false) : null));
            double[] terms = TorchOps.Read<double>(k.Torch(Float64(k.X, k.XShape, true), Float64(k.W, k.WShape, true), k.Bias is { } a ? Float64(a, [a.Length], true) : null));

            Size2D size = transposed ? k.Geometry.GetTransposedOutputSize(k.XShape.SpatialSize) : k.Geometry.GetOutputSize(k.XShape.SpatialSize);
            if (shape != shape.WithSpatialSize(size))
            {
                throw new MismatchException($"libtorch's output is {shape}, ours {shape.WithSpatialSize(size)}.");
            }

            Half[] ours = Run(k, shape, 1);
            int count = (k.XShape.Channels / k.Geometry.Groups * k.Geometry.KernelSize.Height * k.Geometry.KernelSize.Width) + 1;
            Compare(ours, exact, exact, terms, count, null, shape, "ours vs the exact value (libtorch Float64)");
            Compare(ours, peerValues, exact, terms, count, (e, t) => PeerAllowance(transposed, k.Geometry, e, t), shape, "ours vs libtorch Float16");
            Half[] two = Run(k, shape, 2);
            for (int i = 0; i < ours.Length; i++)
            {
                if (BitConverter.HalfToUInt16Bits(ours[i]) != BitConverter.HalfToUInt16Bits(two[i]))
                {
                    throw new MismatchException($"ours at 2 threads differs from ours at 1 at {Check.Where(shape, i)}: {two[i]} vs {ours[i]}.");
                }
            }
        };

    /// <summary>Fails unless <c>|ours - other| &lt;= ConvTolerance.Half + extra(exact, sum |terms|)</c> everywhere.</summary>
    private static void Compare(Half[] ours, double[] other, double[] exact, double[] terms, int count, Func<double, double, double>? extra, Shape4D shape, string what)
    {
        Check.Length(other.Length, ours.Length, shape, what);
        int first = -1, failures = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            double allowed = ConvTolerance.Half(exact[i], terms[i], count) + (extra?.Invoke(exact[i], terms[i]) ?? 0);
            if (!(Math.Abs((double)ours[i] - other[i]) <= allowed))
            {
                first = first < 0 ? i : first;
                failures++;
            }
        }

        if (failures > 0)
        {
            throw new MismatchException(
                $"{what}: {failures} of {ours.Length} elements differ; first at {Check.Where(shape, first)}: ours {(double)ours[first]:R}, other {other[first]:R}, exact {exact[first]:R}, sum |terms| {terms[first]:R}.");
        }
    }

    private static Half[] Run(ConvCase<Half> k, Shape4D shape, int threads)
    {
        var y = new Half[shape.ElementCount];
        if (k.Transposed)
        {
            Functional.ConvTranspose2D<Half>(k.X, k.XShape, k.W, k.WShape, k.Bias ?? [], k.Geometry, y, Threads.Options(threads));
        }
        else
        {
            Functional.Conv2D<Half>(k.X, k.XShape, k.W, k.WShape, k.Bias ?? [], k.Geometry, y, Threads.Options(threads));
        }

        return y;
    }

    /// <summary>A libtorch Float16 tensor of the Half values (through float, which holds every Half exactly).</summary>
    private static Tensor Float16(Half[] data, params long[] shape) => TorchOps.From(data.Select(v => (float)v).ToArray(), shape).to(ScalarType.Float16);

    private static Tensor Float16(Half[] data, Shape4D shape) => Float16(data, TorchOps.Dims(shape));

    /// <summary>A libtorch Float64 tensor of the Half values (or of their absolute values).</summary>
    private static Tensor Float64(Half[] data, long[] shape, bool absolute) => TorchOps.From(data.Select(v => absolute ? Math.Abs((double)v) : (double)v).ToArray(), shape);

    private static Tensor Float64(Half[] data, Shape4D shape, bool absolute) => Float64(data, TorchOps.Dims(shape), absolute);
}
