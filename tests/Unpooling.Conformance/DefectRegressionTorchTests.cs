using Unpooling.Conformance.Infrastructure;

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
}
