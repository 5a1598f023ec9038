using System.Numerics;
using Unpooling.Conformance.Infrastructure;
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
            k.Verify(TorchOps.Read<T>(peer), TorchOps.ShapeOf(peer), "libtorch");
        };
}
