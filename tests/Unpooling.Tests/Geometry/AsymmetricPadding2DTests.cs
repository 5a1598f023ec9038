using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// <c>MaxPool2D</c> and <c>MaxUnpool2D</c> with different begin and end padding per axis (ONNX's <c>pads</c>,
/// <c>WithPadding</c>) against the 2-D oracle given the end pads: the pooled size, values and indices; refusals where
/// the oracle finds no output or a window of only padding; the default unpooled size <c>(i-1)*s - pb - pe + k</c>; and
/// the unpooling of the switches to the pooling input's size where PyTorch's size rule admits it.
/// </summary>
public sealed class AsymmetricPadding2DTests
{
    [Fact]
    public void BeginAndEndPadsPoolAndUnpoolAsTheOracle()
    {
        int pooled = 0, refused = 0, unpooled = 0, index = 0;
        for (int kh = 1; kh <= 3; kh++)
        {
            for (int sh = 1; sh <= 2; sh++)
            {
                for (int pbh = 0; pbh <= 2; pbh++)
                {
                    for (int peh = 0; peh <= 2; peh++)
                    {
                        foreach ((int kw, int sw, int pbw, int pew, int dw) in Columns())
                        {
                            index++;
                            bool ceil = index % 2 == 1;
                            int height = 4 + (index % 3), width = 7 + (index % 5);
                            var rows = new PoolAxis(kh, sh, pbh, 1);
                            var cols = new PoolAxis(kw, sw, pbw, dw);
                            Pool2DGeometry g = new Pool2DGeometry(new Size2D(kh, kw), new Size2D(sh, sw), dilation: new Size2D(1, dw), ceilMode: ceil)
                                .WithPadding(new Size2D(pbh, pbw), new Size2D(peh, pew));
                            var shape = new Shape4D(2, 2, height, width);
                            float[] x = TestData.Ties<float>((int)shape.ElementCount, index);
                            string context = $"{g} on {height}x{width}";
                            if (!MaxPool2DReference.TryGetOutputSize(rows, peh, height, ceil, out int oh) || !MaxPool2DReference.TryGetOutputSize(cols, pew, width, ceil, out int ow))
                            {
                                Throws.Param<ArgumentException>("geometry", () => Functional.MaxPool2D<float, long>(x, shape, g, new float[4 * 100], new long[4 * 100]));
                                refused++;
                                continue;
                            }

                            PoolResult<float> expected = MaxPool2DReference.Pool(x, 4, height, width, rows, cols, ceil, peh, pew);
                            Assert.Equal(new Size2D(oh, ow), g.GetOutputSize(shape.SpatialSize));
                            var values = new GuardedBuffer<float>(4 * oh * ow);
                            var indices = new GuardedBuffer<long>(values.Length);
                            Functional.MaxPool2D<float, long>(x, shape, g, values.Span, indices.Span, options: Threads.Options((index % 2) + 1));
                            values.AssertGuardsIntact(context);
                            indices.AssertGuardsIntact(context);
                            BitAssert.Equal<float>(expected.Values, values.Span, context);
                            BitAssert.IndicesEqual<long>(expected.Indices, indices.Span, context);
                            pooled++;

                            long dh = ((long)(oh - 1) * sh) - pbh - peh + kh, dwid = ((long)(ow - 1) * sw) - pbw - pew + kw;
                            if (dh >= 1 && dwid >= 1)
                            {
                                Assert.Equal(new Size2D((int)dh, (int)dwid), g.GetUnpoolOutputSize(new Size2D(oh, ow)));
                            }

                            if (height > dh - sh && height < dh + sh && width > dwid - sw && width < dwid + sw)
                            {
                                var restored = new GuardedBuffer<float>((int)shape.ElementCount);
                                Functional.MaxUnpool2D<float, long>(values.Span, indices.Span, shape.WithSpatialSize(new Size2D(oh, ow)), g, restored.Span, shape.SpatialSize);
                                restored.AssertGuardsIntact(context);
                                BitAssert.Equal<float>(UnpoolReference.MaxUnpool(expected.Values, expected.Indices, 4, oh, ow, height, width, sum: false), restored.Span, $"{context}, unpooled");
                                unpooled++;
                            }
                            else
                            {
                                Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D<float, long>(values.Span, indices.Span, shape.WithSpatialSize(new Size2D(oh, ow)), g, new float[shape.ElementCount], shape.SpatialSize));
                            }
                        }
                    }
                }
            }
        }

        Assert.True(pooled > 1000 && refused > 50 && unpooled > 300, $"{pooled} pooled, {refused} refused, {unpooled} unpooled");
    }

    /// <summary>Hand arithmetic: k2 s2 with pads (0, 1) / (1, 0) on a 3x3 plane of 1..9 pools rows {0,1},{2,pad} and columns
    /// {pad,0},{1,2}: maxima 4 at (1, 0), 6 at (1, 2), 7 at (2, 0), 9 at (2, 2).</summary>
    [Fact]
    public void AHandWorkedExample()
    {
        float[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        Pool2DGeometry g = new Pool2DGeometry(2).WithPadding(new Size2D(0, 1), new Size2D(1, 0));
        Assert.Equal(new Size2D(2, 2), g.GetOutputSize(new Size2D(3, 3)));
        var values = new float[4];
        var indices = new long[4];
        Functional.MaxPool2D<float, long>(x, new Shape4D(1, 1, 3, 3), g, values, indices);
        Assert.Equal([4f, 6f, 7f, 9f], values);
        Assert.Equal([3L, 5L, 6L, 8L], indices);

        // Default unpooled size: (2-1)*2 - 0 - 1 + 2 = 3 per axis; the values go back to their argmax.
        Assert.Equal(new Size2D(3, 3), g.GetUnpoolOutputSize(new Size2D(2, 2)));
        var restored = new float[9];
        Functional.MaxUnpool2D<float, long>(values, indices, new Shape4D(1, 1, 2, 2), g, restored);
        Assert.Equal([0f, 0f, 0f, 4f, 0f, 6f, 7f, 0f, 9f], restored);
    }

    private static IEnumerable<(int K, int S, int PadBegin, int PadEnd, int Dilation)> Columns()
    {
        foreach (int k in (int[])[2, 3])
        {
            foreach (int s in (int[])[1, 3])
            {
                foreach (int pb in (int[])[0, 2])
                {
                    for (int pe = 0; pe <= 2; pe++)
                    {
                        yield return (k, s, pb, pe, 1);
                        yield return (k, s, pb, pe, 2);
                    }
                }
            }
        }
    }
}
