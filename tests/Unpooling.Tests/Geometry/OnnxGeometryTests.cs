using System.Numerics;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// ONNX ConvTranspose geometry (SEMANTICS.md 4): <c>output_shape</c> (total pad <c>s*(i-1) + op + keff - o</c>, the odd
/// cell at the end for SAME_UPPER, at the beginning otherwise) and <c>auto_pad</c> (SAME: output <c>i*s</c>; VALID: no
/// padding). The output size must be the requested one, the pads must split as the rule says, and ConvTranspose2D with
/// the resulting geometry must equal the scatter oracle.
/// </summary>
public sealed class OnnxGeometryTests
{
    private static readonly OnnxAutoPad[] AutoPads = [OnnxAutoPad.NotSet, OnnxAutoPad.SameUpper, OnnxAutoPad.SameLower, OnnxAutoPad.Valid];

    /// <summary>
    /// Every reachable output size for input sizes 1-4, kernels 1-4, strides 1-3, dilations 1-2 and every output
    /// padding below max(s, d): the transposed output is the request and the pads split by the rule.
    /// </summary>
    [Fact]
    public void OutputShapeIsReachedAndPadsSplitByTheRule()
    {
        int cases = 0;
        for (int i = 1; i <= 4; i++)
        {
            for (int k = 1; k <= 4; k++)
            {
                for (int s = 1; s <= 3; s++)
                {
                    for (int d = 1; d <= 2; d++)
                    {
                        for (int op = 0; op < Math.Max(s, d); op++)
                        {
                            var g = new Conv2DGeometry(new Size2D(k, 2), new Size2D(s, 1), outputPadding: new Size2D(op, 0), dilation: new Size2D(d, 1));
                            int unpadded = (s * (i - 1)) + op + (d * (k - 1)) + 1;
                            for (int o = 1; o <= unpadded; o++)
                            {
                                foreach (OnnxAutoPad autoPad in AutoPads)
                                {
                                    Conv2DGeometry r = g.WithOnnxTransposedOutputShape(new Size2D(i, 3), new Size2D(o, 4), autoPad);
                                    int total = unpadded - o;
                                    (int begin, int end) = autoPad == OnnxAutoPad.SameUpper ? (total / 2, total - (total / 2)) : (total - (total / 2), total / 2);
                                    string context = $"i {i} k {k} s {s} d {d} op {op} o {o} {autoPad}";
                                    Assert.True(new Size2D(o, 4) == r.GetTransposedOutputSize(new Size2D(i, 3)), context);
                                    Assert.True(new Size2D(begin, 0) == r.PaddingBegin && new Size2D(end, 0) == r.PaddingEnd, $"{context}: pads {r.PaddingBegin}/{r.PaddingEnd}");
                                    Assert.True(r.KernelSize == g.KernelSize && r.Stride == g.Stride && r.Dilation == g.Dilation && r.OutputPadding == g.OutputPadding, context);
                                    cases++;
                                }
                            }
                        }
                    }
                }
            }
        }

        Assert.True(cases > 2000, $"only {cases} cases");
    }

    /// <summary>Worked examples, the arithmetic in the comments.</summary>
    [Fact]
    public void WorkedExamples()
    {
        // ONNX backend test convtranspose_autopad_same: 3x3 input, kernel 3, stride 2, SAME_UPPER -> 6x6.
        // total = 2*(3-1) + 0 + 3 - 6 = 1: SAME_UPPER puts the odd cell at the end (0/1), SAME_LOWER at the beginning (1/0).
        var k3s2 = new Conv2DGeometry(3, stride: 2);
        AssertPads(k3s2.WithOnnxTransposedAutoPad(new Size2D(3, 3), OnnxAutoPad.SameUpper), 0, 1, new Size2D(3, 3), new Size2D(6, 6));
        AssertPads(k3s2.WithOnnxTransposedAutoPad(new Size2D(3, 3), OnnxAutoPad.SameLower), 1, 0, new Size2D(3, 3), new Size2D(6, 6));

        // Kernel 4, stride 2, input 4: unpadded 2*3 + 4 = 10; output_shape 7 -> total 3: NOTSET 2/1, SAME_UPPER 1/2.
        var k4s2 = new Conv2DGeometry(4, stride: 2);
        AssertPads(k4s2.WithOnnxTransposedOutputShape(new Size2D(4, 4), new Size2D(7, 7)), 2, 1, new Size2D(4, 4), new Size2D(7, 7));
        AssertPads(k4s2.WithOnnxTransposedOutputShape(new Size2D(4, 4), new Size2D(7, 7), OnnxAutoPad.SameUpper), 1, 2, new Size2D(4, 4), new Size2D(7, 7));

        // Dilation 2, kernel 3 (keff 5), stride 2, output padding 1, input 5: SAME total = 1 + 5 - 2 = 4 -> 2/2, output 10.
        var dilated = new Conv2DGeometry(3, stride: 2, dilation: 2, outputPadding: 1);
        AssertPads(dilated.WithOnnxTransposedAutoPad(new Size2D(5, 5), OnnxAutoPad.SameUpper), 2, 2, new Size2D(5, 5), new Size2D(10, 10));

        // Non-square: kernel 3x2, stride 2x3, dilation 2x1 (keff 5x2), output padding 1x2, input 3x5:
        // unpadded 2*2 + 1 + 5 = 10 by 3*4 + 2 + 2 = 16; output_shape 7x12 -> totals 3 and 4 -> begin 2x2, end 1x2.
        var mixed = new Conv2DGeometry(new Size2D(3, 2), new Size2D(2, 3), dilation: new Size2D(2, 1), outputPadding: new Size2D(1, 2));
        Conv2DGeometry r = mixed.WithOnnxTransposedOutputShape(new Size2D(3, 5), new Size2D(7, 12));
        Assert.Equal(new Size2D(2, 2), r.PaddingBegin);
        Assert.Equal(new Size2D(1, 2), r.PaddingEnd);
        Assert.Equal(new Size2D(7, 12), r.GetTransposedOutputSize(new Size2D(3, 5)));

        // VALID clears explicit pads; NOTSET keeps them.
        Conv2DGeometry padded = k3s2.WithPadding(1, new Size2D(0, 2));
        Assert.Equal(k3s2 with { }, padded.WithOnnxTransposedAutoPad(new Size2D(3, 3), OnnxAutoPad.Valid));
        Assert.Equal(padded, padded.WithOnnxTransposedAutoPad(new Size2D(3, 3), OnnxAutoPad.NotSet));
    }

    /// <summary>ConvTranspose2D with geometries from output_shape and auto_pad equals the scatter oracle (integer data: exact).</summary>
    [Fact]
    public void ConvTranspose2DWithOnnxGeometryEqualsTheOracle()
    {
        var xs = new Shape4D(2, 4, 5, 6);
        foreach (Conv2DGeometry g in new[]
        {
            new Conv2DGeometry(3, stride: 2).WithOnnxTransposedAutoPad(new Size2D(5, 6), OnnxAutoPad.SameUpper),
            new Conv2DGeometry(3, stride: 2).WithOnnxTransposedAutoPad(new Size2D(5, 6), OnnxAutoPad.SameLower),
            new Conv2DGeometry(new Size2D(4, 3), new Size2D(2, 3), groups: 2).WithOnnxTransposedOutputShape(new Size2D(5, 6), new Size2D(7, 14)),
            new Conv2DGeometry(new Size2D(4, 3), new Size2D(2, 3), groups: 2).WithOnnxTransposedOutputShape(new Size2D(5, 6), new Size2D(7, 14), OnnxAutoPad.SameUpper),
            new Conv2DGeometry(3, stride: 2, dilation: 2, outputPadding: 1).WithOnnxTransposedAutoPad(new Size2D(5, 6), OnnxAutoPad.SameLower),
            new Conv2DGeometry(2, stride: 3).WithPadding(1, 1).WithOnnxTransposedAutoPad(new Size2D(5, 6), OnnxAutoPad.Valid),
        })
        {
            Check<float>(g, xs);
            Check<double>(g, xs);
        }
    }

    [Fact]
    public void DefaultGeometryIsRejected()
    {
        Assert.Equal("Conv2DGeometry", Assert.Throws<ArgumentException>(() => default(Conv2DGeometry).WithOnnxTransposedOutputShape(new Size2D(3, 3), new Size2D(5, 5))).ParamName);
        Assert.Equal("Conv2DGeometry", Assert.Throws<ArgumentException>(() => default(Conv2DGeometry).WithOnnxTransposedAutoPad(new Size2D(3, 3), OnnxAutoPad.Valid)).ParamName);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(3, -1)]
    public void InputSizeBelowOneNamesInputSize(int h, int w)
    {
        var g = new Conv2DGeometry(3, stride: 2);
        Assert.Equal("inputSize", Assert.Throws<ArgumentException>(() => g.WithOnnxTransposedOutputShape(new Size2D(h, w), new Size2D(5, 5))).ParamName);
        Assert.Equal("inputSize", Assert.Throws<ArgumentException>(() => g.WithOnnxTransposedAutoPad(new Size2D(h, w), OnnxAutoPad.SameUpper)).ParamName);
    }

    [Fact]
    public void UndefinedAutoPadNamesAutoPad()
    {
        var g = new Conv2DGeometry(3, stride: 2);
        Assert.Equal("autoPad", Assert.Throws<ArgumentOutOfRangeException>(() => g.WithOnnxTransposedOutputShape(new Size2D(3, 3), new Size2D(5, 5), (OnnxAutoPad)4)).ParamName);
        Assert.Equal("autoPad", Assert.Throws<ArgumentOutOfRangeException>(() => g.WithOnnxTransposedAutoPad(new Size2D(3, 3), (OnnxAutoPad)(-1))).ParamName);
    }

    /// <summary>
    /// Kernel 3, stride 2, input 3: the unpadded output is 2*2 + 3 = 7, and output padding below max(2, 1) = 2 reaches
    /// 8 (see DefectRegressionTests). An output of 9 would need output padding 2 (ONNX Runtime refuses it too), and an
    /// output below 1 is no output.
    /// </summary>
    [Theory]
    [InlineData(9, 7)]
    [InlineData(7, 9)]
    [InlineData(0, 5)]
    [InlineData(5, -3)]
    public void UnreachableOutputShapeNamesOutputShape(int h, int w)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2DGeometry(3, stride: 2).WithOnnxTransposedOutputShape(new Size2D(3, 3), new Size2D(h, w)));
        Assert.Equal("outputShape", e.ParamName);
    }

    [Fact]
    public void SameOutputBeyondInt32NamesInputSize()
        => Assert.Equal("inputSize", Assert.Throws<ArgumentException>(() => new Conv2DGeometry(3, stride: 4).WithOnnxTransposedAutoPad(new Size2D(int.MaxValue / 2, 3), OnnxAutoPad.SameUpper)).ParamName);

    private static void AssertPads(Conv2DGeometry g, int begin, int end, Size2D input, Size2D output)
    {
        Assert.Equal(new Size2D(begin, begin), g.PaddingBegin);
        Assert.Equal(new Size2D(end, end), g.PaddingEnd);
        Assert.Equal(output, g.GetTransposedOutputSize(input));
    }

    private static void Check<T>(Conv2DGeometry g, Shape4D xs)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cout = 6;
        var ws = new Shape4D(xs.Channels, cout / g.Groups, g.KernelSize.Height, g.KernelSize.Width);
        T[] x = ConvData.Integers<T>((int)xs.ElementCount, 51);
        T[] w = ConvData.Integers<T>((int)ws.ElementCount, 52);
        T[] bias = ConvData.Integers<T>(cout, 53);
        (T[] expected, Shape4D ys) = ConvReference.ConvTranspose2D(x, xs, w, ws, bias, g);
        Assert.Equal(g.GetTransposedOutputSize(xs.SpatialSize), ys.SpatialSize);
        var y = new T[ys.ElementCount];
        Functional.ConvTranspose2D(x, xs, w, ws, bias, g, y);
        ConvAssert.Exact<T>(expected, y, $"{typeof(T).Name} {g}");
    }
}
