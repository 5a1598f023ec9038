using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The pooling geometries of every rank (<see cref="Pool1DGeometry"/>, <see cref="Pool2DGeometry"/>,
/// <see cref="Pool3DGeometry"/>): constructor validation and parameter names, <c>WithPadding</c>, output and unpooled
/// sizes with asymmetric pads (hand arithmetic and the 1-D oracle's brute force), ONNX <c>auto_pad</c> and TensorFlow
/// SAME/VALID pads against a brute-force search written here, the naming of a <c>default</c> geometry, and undefined
/// enum values.
/// </summary>
public sealed class PoolGeometryTests
{
    [Fact]
    public void ConstructorsValidateAndNameEachArgument()
    {
        Throws.Param<ArgumentOutOfRangeException>("kernelSize", () => new Pool1DGeometry(0));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => new Pool1DGeometry(2, 0));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Pool1DGeometry(2, padding: -1));
        Throws.Param<ArgumentOutOfRangeException>("dilation", () => new Pool1DGeometry(2, dilation: 0));
        Throws.Param<ArgumentOutOfRangeException>("kernelSize", () => new Pool2DGeometry(new Size2D(1, 0)));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => new Pool2DGeometry(2, new Size2D(0, 1)));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Pool2DGeometry(2, padding: new Size2D(0, -1)));
        Throws.Param<ArgumentOutOfRangeException>("dilation", () => new Pool2DGeometry(2, dilation: new Size2D(0, 1)));
        Throws.Param<ArgumentOutOfRangeException>("kernelSize", () => new Pool3DGeometry(new Size3D(1, 1, 0)));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => new Pool3DGeometry(2, new Size3D(1, 0, 1)));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Pool3DGeometry(2, padding: new Size3D(-1, 0, 0)));
        Throws.Param<ArgumentOutOfRangeException>("dilation", () => new Pool3DGeometry(2, dilation: new Size3D(1, 1, 0)));

        // PyTorch's defaults: stride = kernel, no padding, dilation 1, floor mode; padding sets both sides.
        var g1 = new Pool1DGeometry(3, padding: 1);
        Assert.Equal((3, 3, 1, 1, 1, false), (g1.KernelSize, g1.Stride, g1.PaddingBegin, g1.PaddingEnd, g1.Dilation, g1.CeilMode));
        var g3 = new Pool3DGeometry(new Size3D(1, 2, 3));
        Assert.Equal(new Size3D(1, 2, 3), g3.Stride);
        Assert.Equal(new Size3D(0, 0, 0), g3.PaddingEnd);
        Assert.Equal(new Size3D(1, 1, 1), g3.Dilation);
        Assert.Equal(6, g3.Taps);
    }

    [Fact]
    public void WithPaddingSetsEachSideAndValidates()
    {
        Pool1DGeometry g1 = new Pool1DGeometry(3, 2).WithPadding(0, 2);
        Assert.Equal((0, 2), (g1.PaddingBegin, g1.PaddingEnd));
        Assert.Equal("kernel 3, stride 2, padding 0/2, dilation 1, ceil mode off", g1.ToString());
        Pool2DGeometry g2 = new Pool2DGeometry(3).WithPadding(new Size2D(0, 1), new Size2D(2, 0));
        Assert.Equal((new Size2D(0, 1), new Size2D(2, 0)), (g2.PaddingBegin, g2.PaddingEnd));
        Pool3DGeometry g3 = new Pool3DGeometry(3).WithPadding(new Size3D(0, 1, 2), new Size3D(2, 1, 0));
        Assert.Equal((new Size3D(0, 1, 2), new Size3D(2, 1, 0)), (g3.PaddingBegin, g3.PaddingEnd));
        Throws.Param<ArgumentOutOfRangeException>("paddingBegin", () => new Pool1DGeometry(2).WithPadding(-1, 0));
        Throws.Param<ArgumentOutOfRangeException>("paddingEnd", () => new Pool1DGeometry(2).WithPadding(0, -1));
        Throws.Param<ArgumentOutOfRangeException>("paddingBegin", () => new Pool2DGeometry(2).WithPadding(new Size2D(-1, 0), 0));
        Throws.Param<ArgumentOutOfRangeException>("paddingEnd", () => new Pool2DGeometry(2).WithPadding(0, new Size2D(0, -1)));
        Throws.Param<ArgumentOutOfRangeException>("paddingBegin", () => new Pool3DGeometry(2).WithPadding(new Size3D(0, -1, 0), 0));
        Throws.Param<ArgumentOutOfRangeException>("paddingEnd", () => new Pool3DGeometry(2).WithPadding(0, new Size3D(0, 0, -1)));
    }

    /// <summary>A <c>default</c> geometry is nobody's argument: every member refuses it naming the type.</summary>
    [Fact]
    public void DefaultGeometriesAreRefusedNamingTheirType()
    {
        Pool1DGeometry d1 = default;
        Assert.True(d1.IsDefault);
        Throws.Param<ArgumentException>("Pool1DGeometry", () => d1.WithPadding(0, 0));
        Throws.Param<ArgumentException>("Pool1DGeometry", () => d1.GetOutputSize(4));
        Throws.Param<ArgumentException>("Pool1DGeometry", () => d1.GetUnpoolOutputSize(4));
        Throws.Param<ArgumentException>("Pool1DGeometry", () => d1.WithOnnxAutoPad(4, OnnxAutoPad.SameUpper));
        Throws.Param<ArgumentException>("Pool1DGeometry", () => d1.WithTensorFlowPadding(4, TensorFlowPadding.Same));
        Pool2DGeometry d2 = default;
        Throws.Param<ArgumentException>("Pool2DGeometry", () => d2.WithPadding(0, 0));
        Throws.Param<ArgumentException>("Pool2DGeometry", () => d2.GetOutputSize(4));
        Throws.Param<ArgumentException>("Pool2DGeometry", () => d2.GetUnpoolOutputSize(4));
        Throws.Param<ArgumentException>("Pool2DGeometry", () => d2.WithOnnxAutoPad(4, OnnxAutoPad.SameUpper));
        Throws.Param<ArgumentException>("Pool2DGeometry", () => d2.WithTensorFlowPadding(4, TensorFlowPadding.Same));
        Pool3DGeometry d3 = default;
        Assert.True(d3.IsDefault);
        Throws.Param<ArgumentException>("Pool3DGeometry", () => d3.WithPadding(0, 0));
        Throws.Param<ArgumentException>("Pool3DGeometry", () => d3.GetOutputSize(4));
        Throws.Param<ArgumentException>("Pool3DGeometry", () => d3.GetUnpoolOutputSize(4));
        Throws.Param<ArgumentException>("Pool3DGeometry", () => d3.WithOnnxAutoPad(4, OnnxAutoPad.SameUpper));
        Throws.Param<ArgumentException>("Pool3DGeometry", () => d3.WithTensorFlowPadding(4, TensorFlowPadding.Same));
    }

    /// <summary>Sizes with asymmetric pads, worked out by hand.</summary>
    [Fact]
    public void AsymmetricPadsGiveTheHandComputedSizes()
    {
        // k3 s2 pads 1/2 on 10: floor((10 + 3 - 3) / 2) + 1 = 6 (ceil the same: 10/2 is exact); unpooled (6-1)*2 - 3 + 3 = 10.
        Pool1DGeometry g = new Pool1DGeometry(3, 2).WithPadding(1, 2);
        Assert.Equal(6, g.GetOutputSize(10));
        Assert.Equal(10, g.GetUnpoolOutputSize(6));

        // On 11 in ceil mode: ceil(11/2) + 1 = 7, but window 6 starts at 6*2 - 1 = 11 = i + pb - ... (o-1)*s = 12 >= 11 + 1: dropped, 6.
        Pool1DGeometry ceil = new Pool1DGeometry(3, 2, ceilMode: true).WithPadding(1, 2);
        Assert.Equal(6, ceil.GetOutputSize(11));
        // The same with pads 2/1 (same total): (o-1)*s = 12 >= 11 + 2 is false, so 7 stays; the begin pad matters.
        Assert.Equal(7, new Pool1DGeometry(3, 2, ceilMode: true).WithPadding(2, 1).GetOutputSize(11));

        // 2-D, k (2, 3) s (1, 2), pads (0, 1) / (1, 2) on 5x7: H floor((5 + 1 - 2) / 1) + 1 = 5, W floor((7 + 3 - 3) / 2) + 1 = 4;
        // unpooled H (5-1)*1 - 1 + 2 = 5, W (4-1)*2 - 3 + 3 = 6.
        Pool2DGeometry g2 = new Pool2DGeometry(new Size2D(2, 3), new Size2D(1, 2)).WithPadding(new Size2D(0, 1), new Size2D(1, 2));
        Assert.Equal(new Size2D(5, 4), g2.GetOutputSize(new Size2D(5, 7)));
        Assert.Equal(new Size2D(5, 6), g2.GetUnpoolOutputSize(new Size2D(5, 4)));

        // 3-D, k 2 s 2, pads (1, 0, 0) / (0, 0, 1) on 3x4x5: D floor((3 + 1 - 2) / 2) + 1 = 2, H 2, W floor((5 + 1 - 2) / 2) + 1 = 3;
        // unpooled D (2-1)*2 - 1 + 2 = 3, H 4, W (3-1)*2 - 1 + 2 = 5.
        Pool3DGeometry g3 = new Pool3DGeometry(2).WithPadding(new Size3D(1, 0, 0), new Size3D(0, 0, 1));
        Assert.Equal(new Size3D(2, 2, 3), g3.GetOutputSize(new Size3D(3, 4, 5)));
        Assert.Equal(new Size3D(3, 4, 5), g3.GetUnpoolOutputSize(new Size3D(2, 2, 3)));

        // Only padding in a window: k1 with a begin pad (window 0 is the pad cell), named after the input argument.
        Throws.Param<ArgumentException>("inputLength", () => new Pool1DGeometry(1).WithPadding(1, 0).GetOutputSize(4));
        Throws.Param<ArgumentException>("inputSize", () => new Pool2DGeometry(1).WithPadding(new Size2D(0, 1), 0).GetOutputSize(4));
        Throws.Param<ArgumentException>("inputSize", () => new Pool3DGeometry(1).WithPadding(0, new Size3D(0, 1, 0)).GetOutputSize(4));
        // (1-1)*2 - 1 - 1 + 2 = 0, in 1-D words.
        ArgumentException e = Throws.Param<ArgumentException>("pooledLength", () => new Pool1DGeometry(2).WithPadding(1, 1).GetUnpoolOutputSize(1));
        Assert.Contains("length-1 input with kernel 2, stride 2, padding 1, dilation 1, ceil mode off gives a default output length of 0", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Every geometry of a grid with asymmetric pads, every rank: the output size is the 1-D oracle's (which walks every
    /// window), per axis; the refusals are the oracle's; the unpooled size is <c>(i-1)*s - pb - pe + k</c>.
    /// </summary>
    [Fact]
    public void OutputSizesMatchTheOracleOnEveryAxis()
    {
        int checkedCases = 0;
        foreach (Axis1D a in Pooling1D.MaxPool1DTests<float>.Grid())
        {
            Pool1DGeometry g1 = Pooling1D.MaxPool1DTests<float>.ToLibrary(a);
            Pool2DGeometry g2 = new Pool2DGeometry(new Size2D(2, a.Kernel), new Size2D(1, a.Stride), dilation: new Size2D(1, a.Dilation), ceilMode: a.CeilMode)
                .WithPadding(new Size2D(1, a.PadBegin), new Size2D(0, a.PadEnd));
            Pool3DGeometry g3 = new Pool3DGeometry(new Size3D(a.Kernel, 1, 2), new Size3D(a.Stride, 1, 1), dilation: new Size3D(a.Dilation, 1, 1), ceilMode: a.CeilMode)
                .WithPadding(new Size3D(a.PadBegin, 0, 0), new Size3D(a.PadEnd, 0, 1));
            for (int i = 1; i <= 12; i++)
            {
                // The companion axes: 2-D height k2 s1 pads 1/0 on 3 gives 3; 3-D width k2 s1 pads 0/1 on 3 gives 3.
                if (a.TryGetOutputSize(i, out int o))
                {
                    Assert.Equal(o, g1.GetOutputSize(i));
                    Assert.Equal(new Size2D(3, o), g2.GetOutputSize(new Size2D(3, i)));
                    Assert.Equal(new Size3D(o, 3, 3), g3.GetOutputSize(new Size3D(i, 3, 3)));
                    long unpooled = a.UnpoolDefault(o);
                    if (unpooled >= 1)
                    {
                        Assert.Equal(unpooled, g1.GetUnpoolOutputSize(o));
                        Assert.Equal(new Size2D(((3 - 1) * 1) - 1 + 2, (int)unpooled), g2.GetUnpoolOutputSize(new Size2D(3, o)));
                        Assert.Equal(new Size3D((int)unpooled, 3, ((3 - 1) * 1) - 1 + 2), g3.GetUnpoolOutputSize(new Size3D(o, 3, 3)));
                    }
                    else
                    {
                        Throws.Param<ArgumentException>("pooledLength", () => g1.GetUnpoolOutputSize(o));
                        Throws.Param<ArgumentException>("pooledSize", () => g2.GetUnpoolOutputSize(new Size2D(3, o)));
                        Throws.Param<ArgumentException>("pooledSize", () => g3.GetUnpoolOutputSize(new Size3D(o, 3, 3)));
                    }
                }
                else
                {
                    Throws.Param<ArgumentException>("inputLength", () => g1.GetOutputSize(i));
                    Throws.Param<ArgumentException>("inputSize", () => g2.GetOutputSize(new Size2D(3, i)));
                    Throws.Param<ArgumentException>("inputSize", () => g3.GetOutputSize(new Size3D(i, 3, 3)));
                }

                checkedCases++;
            }
        }

        Assert.True(checkedCases > 5000);
    }

    /// <summary>
    /// ONNX <c>auto_pad</c> and TensorFlow <c>padding</c>, brute force: SAME's output is <c>o = ceil(i/s)</c>; its total
    /// pad is the least <c>t &gt;= 0</c> with <c>(o-1)*s + keff &lt;= i + t</c> (searched, not computed), split with the
    /// odd cell at the end for SAME_UPPER and TensorFlow SAME, at the beginning for SAME_LOWER. VALID removes the pads
    /// (and TensorFlow's VALID output is <c>ceil((i - keff + 1) / s)</c>); NOTSET keeps them. Where the padded geometry
    /// is usable (every window holds a real cell, judged by the oracle) its output size is exactly <c>o</c>.
    /// </summary>
    [Fact]
    public void SameAndValidPadsMatchABruteForceSearch()
    {
        int usable = 0, unusable = 0;
        for (int k = 1; k <= 5; k++)
        {
            for (int s = 1; s <= 4; s++)
            {
                for (int d = 1; d <= 3; d++)
                {
                    Pool1DGeometry custom = new Pool1DGeometry(k, s, dilation: d).WithPadding(1, 0);
                    int keff = (d * (k - 1)) + 1;
                    for (int i = 1; i <= 13; i++)
                    {
                        int o = 0;
                        while (o * s < i)
                        {
                            o++;
                        }

                        int total = 0;
                        while (((o - 1) * s) + keff > i + total)
                        {
                            total++;
                        }

                        (int Begin, int End) upper = (total / 2, total - (total / 2)), lower = (total - (total / 2), total / 2);
                        Check(custom.WithOnnxAutoPad(i, OnnxAutoPad.SameUpper), upper, $"SAME_UPPER k{k} s{s} d{d} i{i}");
                        Check(custom.WithOnnxAutoPad(i, OnnxAutoPad.SameLower), lower, $"SAME_LOWER k{k} s{s} d{d} i{i}");
                        Check(custom.WithTensorFlowPadding(i, TensorFlowPadding.Same), upper, $"TF SAME k{k} s{s} d{d} i{i}");
                        Check(custom.WithOnnxAutoPad(i, OnnxAutoPad.Valid), (0, 0), "VALID");
                        Check(custom.WithTensorFlowPadding(i, TensorFlowPadding.Valid), (0, 0), "TF VALID");
                        Check(custom.WithOnnxAutoPad(i, OnnxAutoPad.NotSet), (1, 0), "NOTSET");

                        // The same pads on every axis of the 2-D and 3-D geometries.
                        Pool2DGeometry g2 = new Pool2DGeometry(new Size2D(k, 1), new Size2D(s, 1), dilation: new Size2D(d, 1)).WithOnnxAutoPad(new Size2D(i, 3), OnnxAutoPad.SameLower);
                        Assert.Equal((new Size2D(lower.Begin, 0), new Size2D(lower.End, 0)), (g2.PaddingBegin, g2.PaddingEnd));
                        Pool3DGeometry g3 = new Pool3DGeometry(new Size3D(1, 1, k), new Size3D(1, 1, s), dilation: new Size3D(1, 1, d)).WithTensorFlowPadding(new Size3D(2, 3, i), TensorFlowPadding.Same);
                        Assert.Equal((new Size3D(0, 0, upper.Begin), new Size3D(0, 0, upper.End)), (g3.PaddingBegin, g3.PaddingEnd));
                        Assert.Equal((new Size2D(0, 0), new Size2D(0, 0)), (new Pool2DGeometry(k, s, 1).WithTensorFlowPadding(new Size2D(i, i), TensorFlowPadding.Valid).PaddingBegin, new Pool2DGeometry(k, s, 1).WithOnnxAutoPad(new Size2D(i, i), OnnxAutoPad.Valid).PaddingEnd));

                        foreach ((int Begin, int End) pads in (ValueTuple<int, int>[])[upper, lower])
                        {
                            var a = new Axis1D(k, s, pads.Begin, pads.End, d, false);
                            Pool1DGeometry same = new Pool1DGeometry(k, s, dilation: d).WithPadding(pads.Begin, pads.End);
                            if (a.TryGetOutputSize(i, out int output))
                            {
                                Assert.Equal(o, output);
                                Assert.Equal(o, same.GetOutputSize(i));
                                usable++;
                            }
                            else
                            {
                                Throws.Param<ArgumentException>("inputLength", () => same.GetOutputSize(i));
                                unusable++;
                            }
                        }

                        if (i >= keff)
                        {
                            Assert.Equal(((i - keff + 1) + s - 1) / s, new Pool1DGeometry(k, s, dilation: d).WithTensorFlowPadding(i, TensorFlowPadding.Valid).GetOutputSize(i));
                        }
                    }
                }
            }
        }

        Assert.True(usable > 1000 && unusable > 10, $"{usable} usable, {unusable} unusable");

        static void Check(Pool1DGeometry g, (int Begin, int End) pads, string context)
            => Assert.True((g.PaddingBegin, g.PaddingEnd) == pads, $"{context}: pads {g.PaddingBegin}/{g.PaddingEnd}, expected {pads.Begin}/{pads.End}");
    }

    [Fact]
    public void SameHelpersValidateTheirArguments()
    {
        var g1 = new Pool1DGeometry(2);
        Throws.Param<ArgumentOutOfRangeException>("autoPad", () => g1.WithOnnxAutoPad(4, (OnnxAutoPad)4));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => g1.WithTensorFlowPadding(4, (TensorFlowPadding)2));
        Throws.Param<ArgumentOutOfRangeException>("autoPad", () => new Pool2DGeometry(2).WithOnnxAutoPad(4, (OnnxAutoPad)(-1)));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Pool2DGeometry(2).WithTensorFlowPadding(4, (TensorFlowPadding)7));
        Throws.Param<ArgumentOutOfRangeException>("autoPad", () => new Pool3DGeometry(2).WithOnnxAutoPad(4, (OnnxAutoPad)5));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Pool3DGeometry(2).WithTensorFlowPadding(4, (TensorFlowPadding)2));
        Throws.Param<ArgumentException>("inputLength", () => g1.WithOnnxAutoPad(0, OnnxAutoPad.SameUpper));
        Throws.Param<ArgumentException>("inputLength", () => g1.WithTensorFlowPadding(-1, TensorFlowPadding.Same));
        Throws.Param<ArgumentException>("inputSize", () => new Pool2DGeometry(2).WithOnnxAutoPad(new Size2D(1, 0), OnnxAutoPad.SameUpper));
        Throws.Param<ArgumentException>("inputSize", () => new Pool3DGeometry(2).WithTensorFlowPadding(new Size3D(1, 0, 1), TensorFlowPadding.Same));

        // A pad past int.MaxValue: k4 with dilation int.MaxValue on 1 needs a total of 3*(2^31 - 1), whose halves pass it.
        var huge1 = new Pool1DGeometry(4, 1, dilation: int.MaxValue);
        Throws.Param<ArgumentException>("inputLength", () => huge1.WithOnnxAutoPad(1, OnnxAutoPad.SameUpper));
        Throws.Param<ArgumentException>("inputLength", () => huge1.WithTensorFlowPadding(1, TensorFlowPadding.Same));
        Throws.Param<ArgumentException>("inputSize", () => new Pool2DGeometry(new Size2D(1, 4), 1, dilation: new Size2D(1, int.MaxValue)).WithOnnxAutoPad(1, OnnxAutoPad.SameLower));

        // k3 with that dilation needs 2*(2^31 - 1) = 2^32 - 2: halves of int.MaxValue each, which fit.
        Pool1DGeometry edge = new Pool1DGeometry(3, 1, dilation: int.MaxValue).WithOnnxAutoPad(1, OnnxAutoPad.SameUpper);
        Assert.Equal((int.MaxValue, int.MaxValue), (edge.PaddingBegin, edge.PaddingEnd));
    }
}
