using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// <c>ZeroInsert2D</c> against a strided assignment into libtorch zeros (<c>z[:, :, ::sh, ::sw] = x</c>) and
/// <c>StridedSubsample2D</c> against libtorch's strided slice <c>x[:, :, ::sh, ::sw]</c>, bit for bit (copies carry
/// NaNs, infinities and -0 unchanged).
/// </summary>
public sealed class ZeroInsert2DTorchTests(ITestOutputHelper output) : RandomCaseTests<ZeroInsert2DTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("ZeroInsert2D vs strided assignment, float", 100, Case<float>(insert: true)),
        new("ZeroInsert2D vs strided assignment, double", 100, Case<double>(insert: true)),
        new("StridedSubsample2D vs strided slice, float", 100, Case<float>(insert: false)),
        new("StridedSubsample2D vs strided slice, double", 100, Case<double>(insert: false)),
    ];

    private static Action<CaseContext> Case<T>(bool insert)
        where T : unmanaged, IFloatingPointIeee754<T>
        => c =>
        {
            Random r = c.Random;
            bool large = r.Chance(0.1);
            Size2D stride = r.Pair(1, 5);
            (int n, int ch) = r.Batch();
            var shape = new Shape4D(n, ch, r.Extent(1, large), r.Extent(1, large));
            Shape4D outShape = insert
                ? shape.WithSpatialSize(new Size2D(((shape.Height - 1) * stride.Height) + 1, ((shape.Width - 1) * stride.Width) + 1))
                : shape.WithSpatialSize(new Size2D(((shape.Height - 1) / stride.Height) + 1, ((shape.Width - 1) / stride.Width) + 1));
            T[] x = r.Payload<T>(shape.ElementCount);
            c.Describe($"input {shape}, stride {stride}");
            using IDisposable scope = TorchOps.Scope();
            Tensor peer;
            if (insert)
            {
                peer = zeros(TorchOps.Dims(outShape), TorchOps.Type<T>());
                TorchOps.Strided(peer, 0, 0, stride.Height, stride.Width).copy_(TorchOps.From(x, shape));
            }
            else
            {
                peer = TorchOps.Strided(TorchOps.From(x, shape), 0, 0, stride.Height, stride.Width);
            }

            T[] expected = TorchOps.Read<T>(peer);
            foreach (int degree in (int[])[1, 2])
            {
                var actual = new T[outShape.ElementCount];
                if (insert)
                {
                    Functional.ZeroInsert2D<T>(x, shape, stride, actual, Threads.Options(degree));
                }
                else
                {
                    Functional.StridedSubsample2D<T>(x, shape, stride, actual, Threads.Options(degree));
                }

                Check.Exact<T>(expected, actual, outShape, $"{degree} thread(s)");
            }
        };
}
