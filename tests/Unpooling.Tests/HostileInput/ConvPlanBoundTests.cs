using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The convolution plan's packed-weight estimate must cover what it packs for every thread count: the channel blocks
/// of a split cover up to twice the output channels (5 channels in 3 blocks of 2 pack 6). The soak found an
/// estimate that was too tight (a Debug assert, "packed A past its bound", with ConvTranspose2D, 2 groups, 3 threads);
/// had such a shape also been near the scratch cap, the rental would have been sized by the estimate's mode choice.
/// This runs the small shapes where the blocks do not divide the channels, at 1 to 4 threads with no size threshold,
/// against the reference (exact: integer data). In Debug the plan's own assert checks the estimate.
/// </summary>
public class ConvPlanBoundTests
{
    [Fact]
    public void EveryChannelSplitPacksWithinItsEstimateAndMatchesTheReference()
    {
        var random = new Random(12);
        foreach (int groups in new[] { 1, 2 })
        {
            for (int coutG = 1; coutG <= 9; coutG++)
            {
                foreach (bool transposed in new[] { false, true })
                {
                    int cinG = 2;
                    var xs = new Shape4D(1, cinG * groups, 5, 6);
                    var ws = transposed ? new Shape4D(cinG * groups, coutG, 3, 3) : new Shape4D(coutG * groups, cinG, 3, 3);
                    float[] x = [.. Enumerable.Range(0, (int)xs.ElementCount).Select(_ => (float)random.Next(-3, 4))];
                    float[] w = [.. Enumerable.Range(0, (int)ws.ElementCount).Select(_ => (float)random.Next(-3, 4))];
                    float[] bias = [.. Enumerable.Range(0, coutG * groups).Select(_ => (float)random.Next(-3, 4))];
                    var g = new Conv2DGeometry(new Size2D(3, 3), stride: new Size2D(2, 1), padding: new Size2D(1, 1), groups: groups);
                    (float[] expected, Shape4D os) = transposed ? ConvReference.ConvTranspose2D(x, xs, w, ws, bias, g) : ConvReference.Conv2D(x, xs, w, ws, bias, g);
                    for (int degree = 1; degree <= 4; degree++)
                    {
                        var options = new ExecutionOptions { MaxDegreeOfParallelism = degree, MinParallelElements = 0 };
                        float[] y = new float[os.ElementCount];
                        if (transposed)
                        {
                            Functional.ConvTranspose2D<float>(x, xs, w, ws, bias, g, y, options);
                        }
                        else
                        {
                            Functional.Conv2D<float>(x, xs, w, ws, bias, g, y, options);
                        }

                        BitAssert.Equal<float>(expected, y, $"{(transposed ? "ConvTranspose2D" : "Conv2D")} groups {groups} coutG {coutG} degree {degree}");
                    }
                }
            }
        }
    }
}
