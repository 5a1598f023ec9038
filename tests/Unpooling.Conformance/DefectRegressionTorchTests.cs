using System.Runtime.InteropServices;
using Unpooling.Conformance.Infrastructure;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// Regressions of fixed pooling defects against libtorch itself, on cases the random suites never draw (their inputs
/// always cover the kernel, and their default unpooling sizes are valid).
/// </summary>
public sealed class DefectRegressionTorchTests
{
    /// <summary>
    /// Every input of 1-3 a side shorter than some kernel 2-5 (stride 1-4, padding up to libtorch's k/2, dilation 1-2),
    /// in ceil and floor mode: ours accepts exactly what libtorch accepts, with the same values and per-plane indices.
    /// A window of only padding is the one documented difference (libtorch gives -inf, ours refuses the geometry).
    /// </summary>
    [Fact]
    public void ShortInputsPoolAsLibtorch()
    {
        var random = new Random(20261201);
        int pooled = 0, shorter = 0;
        using IDisposable scope = TorchOps.Scope();
        foreach (bool ceil in (bool[])[true, false])
        {
            for (int k = 2; k <= 5; k++)
            {
                for (int s = 1; s <= 4; s++)
                {
                    for (int p = 0; p <= k / 2; p++)
                    {
                        for (int d = 1; d <= 2; d++)
                        {
                            for (int size = 1; size <= 3; size++)
                            {
                                var shape = new Shape4D(1, 2, size, size + 1);
                                var g = new Pool2DGeometry(new Size2D(k, k), s, p, d, ceil);
                                float[] x = random.Values<float>(shape.ElementCount, ValueMode.Ties);
                                (float[] values, long[] indices, string? error) = MaxPool2DTorchTests.TorchPool(x, new PoolCase(shape, g));
                                string what = $"{shape}, {g}";
                                Size2D outSize;
                                try
                                {
                                    outSize = g.GetOutputSize(shape.SpatialSize);
                                }
                                catch (ArgumentException e)
                                {
                                    Assert.True(
                                        error is not null || (e.Message.Contains("covers only padding", StringComparison.Ordinal) && values.Any(float.IsNegativeInfinity)),
                                        $"{what}: ours refuses ({e.Message}), libtorch pools.");
                                    continue;
                                }

                                Assert.True(error is null, $"{what}: libtorch refuses ({error}), ours pools to {outSize}.");
                                Shape4D outShape = shape.WithSpatialSize(outSize);
                                float[] ours = new float[outShape.ElementCount];
                                long[] ourIndices = new long[outShape.ElementCount];
                                Functional.MaxPool2D(x, shape, g, ours, ourIndices);
                                Check.Exact<float>(values, ours, outShape, what);
                                Check.Indices<long>(indices, ourIndices, outShape, what);
                                pooled++;
                                if (size + (2 * p) < (d * (k - 1)) + 1)
                                {
                                    shorter++;
                                }
                            }
                        }
                    }
                }
            }
        }

        Assert.True(shorter > 20, $"only {shorter} of {pooled} pooled cases had a padded input shorter than the kernel");
    }

    /// <summary>
    /// The case against libtorch's <c>max_unpool2d</c>: a pooled 1x1 (kernel 2, stride (3, 2), padding (1, 0))
    /// whose default unpooled size is 0x2, unpooled to every size in the allowed range (height 1-2, width 1-3; the
    /// range is -3..3 by 0..4, exclusive) with the index 1 that pooling wrote (cell (0, 1) of a 2-wide output, (1, 0)
    /// of a 1-wide one).
    /// </summary>
    [Fact]
    public void UnpoolingToAnExplicitSizeBelowAnInvalidDefaultMatchesLibtorch()
    {
        var g = new Pool2DGeometry(2, stride: new Size2D(3, 2), padding: new Size2D(1, 0));
        var pooled = new Shape4D(1, 1, 1, 1);
        float[] value = [5];
        long[] index = [1];
        using IDisposable scope = TorchOps.Scope();
        for (int h = 1; h <= 2; h++)
        {
            for (int w = 1; w <= 3; w++)
            {
                if ((long)h * w <= index[0])
                {
                    continue; // index 1 does not fit a 1x1 output
                }

                var outShape = new Shape4D(1, 1, h, w);
                float[] peer;
                try
                {
                    peer = TorchOps.Read<float>(nn.functional.max_unpool2d(
                        TorchOps.From(value, pooled), TorchOps.From(index, pooled), TorchOps.Pair(g.KernelSize), TorchOps.Pair(g.Stride), TorchOps.Pair(g.PaddingBegin), TorchOps.Dims(outShape)));
                }
                catch (ExternalException e)
                {
                    throw new InvalidOperationException($"libtorch refuses {h}x{w}: {TorchOps.FirstLine(e.Message)}", e);
                }

                float[] ours = new float[outShape.ElementCount];
                Functional.MaxUnpool2D(value, index, pooled, g, ours, outputSize: new Size2D(h, w));
                Check.Exact<float>(peer, ours, outShape, $"unpooled to {h}x{w}");
            }
        }
    }
}
