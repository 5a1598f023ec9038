using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Conv;

/// <summary>
/// What only Half convolutions have: float accumulation with one rounding at the store (planted sums a Half
/// accumulator, or a Half bias add after the GEMM, would round differently), the split into whole-sample chunks
/// (the same bits as the float kernel over the whole batch, each output cast to Half), and the tensor forms over
/// strided Half views. The oracle grid, the boundary widths, threads and allocation run in
/// <see cref="ConvGridHalfTests"/> and <see cref="ConvOperatorHalfTests"/>.
/// </summary>
public sealed class ConvHalfTests
{
    /// <summary>
    /// A 1x1 convolution of three input channels: 1024 + 0.25 + 0.25 plus bias 0.25 is 1024.75 in float, rounded once to
    /// 1025 (Half's spacing at 1024 is 1). Summed in Half every addition would tie back to 1024; a float GEMM rounded to
    /// Half (1024.5, ties to 1024) and then a Half bias add would give 1024 too. 2048 + 1 + 1 is 2050 (spacing 2) where a
    /// Half accumulator stays at 2048.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AccumulatesInFloatAndRoundsOnce(bool transposed)
    {
        var xs = new Shape4D(1, 3, 1, 2);
        Half[] x = [(Half)1024, (Half)2048, (Half)0.25, (Half)1, (Half)0.25, (Half)1];
        Half[] w = [Half.One, Half.One, Half.One];
        Half[] bias = [(Half)0.25];
        var ws = transposed ? new Shape4D(3, 1, 1, 1) : new Shape4D(1, 3, 1, 1);
        var y = new GuardedBuffer<Half>(2);
        if (transposed)
        {
            Functional.ConvTranspose2D(x, xs, w, ws, bias, new Conv2DGeometry(1), y.Span);
        }
        else
        {
            Functional.Conv2D(x, xs, w, ws, bias, new Conv2DGeometry(1), y.Span);
        }

        y.AssertGuardsIntact("planted");
        BitAssert.Equal((Half)1025, y.Span[0], "1024 + 0.25 + 0.25 + 0.25");
        BitAssert.Equal((Half)2050.25 /* rounds to 2050 */, y.Span[1], "2048 + 1 + 1 + 0.25");
        Assert.Equal(2050.0, (double)y.Span[1]);
    }

    /// <summary>
    /// Samples of more than half the conversion chunk (about 4 MB of float for input and output) go one at a time; the
    /// result must equal the float convolution of the whole batch at once, each output cast to Half, at 1 and 2 threads.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void WholeSampleChunksEqualTheWholeBatchInFloat(bool transposed)
    {
        var g = new Conv2DGeometry(3, transposed ? 2 : 1, 1, outputPadding: transposed ? 1 : 0);
        // One input channel, two output channels: a sample is 1 + 4*2 (transposed) or 1 + 2 planes, past 2^19 elements.
        var xs = transposed ? new Shape4D(3, 1, 250, 250) : new Shape4D(3, 1, 420, 420);
        var ws = transposed ? new Shape4D(1, 2, 3, 3) : new Shape4D(2, 1, 3, 3);
        (Half[] x, Half[] w, Half[] bias, Shape4D ys) = Data(transposed, g, xs, ws, 1);
        Assert.True(xs.ElementCount / 3 + ys.ElementCount / 3 > (1 << 19), "a sample must exceed half the chunk");
        var wide = new float[ys.ElementCount];
        Run(transposed, Widen(x), xs, Widen(w), ws, Widen(bias), g, wide, Threads.Options(1));
        Half[] expected = wide.Select(v => (Half)v).ToArray();
        foreach (int threads in new[] { 1, 2 })
        {
            var y = new GuardedBuffer<Half>((int)ys.ElementCount);
            Run(transposed, x, xs, w, ws, bias, g, y.Span, Threads.Options(threads));
            y.AssertGuardsIntact($"{threads} threads");
            BitAssert.Equal<Half>(expected, y.Span, $"chunked Half vs whole-batch float, {threads} threads");
        }
    }

    /// <summary>The TensorSpan and allocating forms over channels-last Half views give the span form's bits.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TensorFormsOverStridedViewsMatchTheSpanForm(bool transposed)
    {
        var g = new Conv2DGeometry(new Size2D(3, 2), new Size2D(2, 1), 1, outputPadding: transposed ? new Size2D(1, 0) : default);
        var xs = new Shape4D(2, 3, 7, 9);
        var ws = transposed ? new Shape4D(3, 5, 3, 2) : new Shape4D(5, 3, 3, 2);
        (Half[] x, Half[] w, Half[] bias, Shape4D ys) = Data(transposed, g, xs, ws, 4);
        var expected = new Half[ys.ElementCount];
        Run(transposed, x, xs, w, ws, bias, g, expected, default);

        ReadOnlyTensorSpan<Half> vx = TensorViews.ChannelsLast(x, xs), vw = TensorViews.ChannelsLast(w, ws);
        var padded = new PaddedTensor<Half>(ys, 3);
        if (transposed)
        {
            Functional.ConvTranspose2D(vx, vw, bias, g, padded.View);
        }
        else
        {
            Functional.Conv2D(vx, vw, bias, g, padded.View);
        }

        padded.AssertPaddingUntouched("strided destination");
        BitAssert.Equal<Half>(expected, padded.Read(), "TensorSpan form over views");
        Tensor<Half> allocated = transposed ? Functional.ConvTranspose2D(vx, vw, bias, g) : Functional.Conv2D(vx, vw, bias, g);
        BitAssert.Equal<Half>(expected, allocated.ToArray(), "allocating form over views");
    }

    /// <summary>Uniform input, weight and bias for the shapes, and the output shape.</summary>
    private static (Half[] X, Half[] W, Half[] Bias, Shape4D Output) Data(bool transposed, Conv2DGeometry g, Shape4D xs, Shape4D ws, int seed)
    {
        int cout = transposed ? ws.Channels * g.Groups : ws.Batch;
        Size2D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        return (ConvData.Uniform<Half>((int)xs.ElementCount, seed), ConvData.Uniform<Half>((int)ws.ElementCount, seed + 1), ConvData.Uniform<Half>(cout, seed + 2), new Shape4D(xs.Batch, cout, o.Height, o.Width));
    }

    private static float[] Widen(Half[] values) => values.Select(v => (float)v).ToArray();

    private static void Run<T>(bool transposed, ReadOnlySpan<T> x, Shape4D xs, ReadOnlySpan<T> w, Shape4D ws, ReadOnlySpan<T> bias, Conv2DGeometry g, Span<T> y, ExecutionOptions options)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (transposed)
        {
            Functional.ConvTranspose2D(x, xs, w, ws, bias, g, y, options);
        }
        else
        {
            Functional.Conv2D(x, xs, w, ws, bias, g, y, options);
        }
    }
}
