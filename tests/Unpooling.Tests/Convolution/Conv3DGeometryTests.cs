using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// Conv1DGeometry and Conv3DGeometry: sizes from the oracle's formulas (SEMANTICS 4), PyTorch's <c>output_size</c>
/// range, ONNX <c>output_shape</c> and <c>auto_pad</c> with the arithmetic shown, and one test per validation rule.
/// </summary>
public sealed class Conv3DGeometryTests
{
    [Theory]
    [MemberData(nameof(Conv3DTests<float>.Cases), MemberType = typeof(Conv3DTests<float>))]
    public void SizesFollowTheFormulasOnEveryAxis(ConvRankCase c)
    {
        RefAxis[] a = c.Ref;
        Conv3DGeometry g = c.Geometry3D();
        foreach (Size3D input in new Size3D[] { new(3, 4, 5), new(9, 8, 7) })
        {
            int[] i = [input.Depth, input.Height, input.Width];
            Assert.Equal(new Size3D(a[0].TransposedOut(i[0]), a[1].TransposedOut(i[1]), a[2].TransposedOut(i[2])), g.GetTransposedOutputSize(input));
            Assert.Equal(new Size3D(a[0].ConvOut(i[0]), a[1].ConvOut(i[1]), a[2].ConvOut(i[2])), g.GetOutputSize(input));
            Assert.Equal(a[2].ConvOut(i[2]), c.Geometry1D().GetOutputSize(i[2]));
            Assert.Equal(a[2].TransposedOut(i[2]), c.Geometry1D().GetTransposedOutputSize(i[2]));
        }
    }

    [Fact]
    public void TransposedOutputSizeRangeIsMinToMinPlusStrideMinusOne()
    {
        // Depth: (4-1)*2 - 2 + 3 = 7 .. 8; height: (4-1)*1 - 2 + 3 = 4 only; width: (4-1)*3 - 2 + 3 = 10 .. 12.
        var g = new Conv3DGeometry(3, new Size3D(2, 1, 3), 1);
        Assert.Equal(new Size3D(1, 0, 2), g.WithTransposedOutputSize(4, new Size3D(8, 4, 12)).OutputPadding);
        Assert.Equal(new Size3D(0, 0, 0), g.WithTransposedOutputSize(4, new Size3D(7, 4, 10)).OutputPadding);
        Throws.Param<ArgumentOutOfRangeException>("outputSize", () => g.WithTransposedOutputSize(4, new Size3D(9, 4, 10)));
        Throws.Param<ArgumentOutOfRangeException>("outputSize", () => g.WithTransposedOutputSize(4, new Size3D(7, 5, 10)));
        Throws.Param<ArgumentException>("inputSize", () => g.WithTransposedOutputSize(new Size3D(4, 0, 4), 4));
        Assert.Equal(2, new Conv1DGeometry(3, 3, 1).WithTransposedOutputSize(4, 12).OutputPadding);
        Throws.Param<ArgumentOutOfRangeException>("outputSize", () => new Conv1DGeometry(3, 3, 1).WithTransposedOutputSize(4, 13));
    }

    [Fact]
    public void OnnxOutputShapeSplitsTheTotalPadAndTurnsANegativeOneIntoOutputPadding()
    {
        // i 4, k 3, s 2: unpadded 2*3 + 3 = 9. Output 8: total 1 -> SAME_UPPER (0, 1), otherwise (1, 0).
        // Output 10: total -1 -> no padding, output padding 1 (< 2). Output 11 is past 9 + 2 - 1.
        var g = new Conv3DGeometry(3, 2);
        Conv3DGeometry upper = g.WithOnnxTransposedOutputShape(4, new Size3D(8, 9, 10), OnnxAutoPad.SameUpper);
        Assert.Equal(new Size3D(0, 0, 0), upper.PaddingBegin);
        Assert.Equal(new Size3D(1, 0, 0), upper.PaddingEnd);
        Assert.Equal(new Size3D(0, 0, 1), upper.OutputPadding);
        Assert.Equal(new Size3D(8, 9, 10), upper.GetTransposedOutputSize(4));
        Conv3DGeometry lower = g.WithOnnxTransposedOutputShape(4, new Size3D(8, 7, 9));
        Assert.Equal(new Size3D(1, 1, 0), lower.PaddingBegin);
        Assert.Equal(new Size3D(0, 1, 0), lower.PaddingEnd);
        Assert.Equal(new Size3D(8, 7, 9), lower.GetTransposedOutputSize(4));
        Throws.Param<ArgumentOutOfRangeException>("outputShape", () => g.WithOnnxTransposedOutputShape(4, new Size3D(8, 11, 9)));
        Throws.Param<ArgumentOutOfRangeException>("outputShape", () => g.WithOnnxTransposedOutputShape(4, new Size3D(0, 8, 9)));
        Throws.Param<ArgumentOutOfRangeException>("autoPad", () => g.WithOnnxTransposedOutputShape(4, 8, (OnnxAutoPad)9));

        Conv1DGeometry one = new Conv1DGeometry(3, 2).WithOnnxTransposedOutputShape(4, 8, OnnxAutoPad.SameUpper);
        Assert.Equal((0, 1, 0), (one.PaddingBegin, one.PaddingEnd, one.OutputPadding));
        Assert.Equal(10, new Conv1DGeometry(3, 2).WithOnnxTransposedOutputShape(4, 10).GetTransposedOutputSize(4));
    }

    [Fact]
    public void OnnxAutoPadSameGivesInputTimesStride()
    {
        // k 4, s 2: total = keff - s = 2 -> (1, 1). k 3, s 2: total 1 -> SAME_UPPER (0, 1), SAME_LOWER (1, 0).
        // k 1, s 2: total -1 -> output padding 1, output still i*s.
        var g = new Conv3DGeometry(new Size3D(4, 3, 1), 2);
        Conv3DGeometry upper = g.WithOnnxTransposedAutoPad(5, OnnxAutoPad.SameUpper);
        Assert.Equal(new Size3D(1, 0, 0), upper.PaddingBegin);
        Assert.Equal(new Size3D(1, 1, 0), upper.PaddingEnd);
        Assert.Equal(new Size3D(0, 0, 1), upper.OutputPadding);
        Assert.Equal(new Size3D(10, 10, 10), upper.GetTransposedOutputSize(5));
        Conv3DGeometry lower = g.WithOnnxTransposedAutoPad(5, OnnxAutoPad.SameLower);
        Assert.Equal(new Size3D(1, 1, 0), lower.PaddingBegin);
        Assert.Equal(new Size3D(1, 0, 0), lower.PaddingEnd);
        Assert.Equal(g, g.WithOnnxTransposedAutoPad(5, OnnxAutoPad.NotSet));
        Conv3DGeometry valid = new Conv3DGeometry(3, 1, 1).WithOnnxTransposedAutoPad(5, OnnxAutoPad.Valid);
        Assert.Equal(new Size3D(0, 0, 0), valid.PaddingBegin);
        Assert.Equal(new Size3D(7, 7, 7), valid.GetTransposedOutputSize(5));
        Assert.Equal(10, new Conv1DGeometry(3, 2).WithOnnxTransposedAutoPad(5, OnnxAutoPad.SameLower).GetTransposedOutputSize(5));
        Throws.Param<ArgumentException>("inputSize", () => g.WithOnnxTransposedAutoPad(new Size3D(int.MaxValue, 1, 1), OnnxAutoPad.SameUpper));
    }

    [Fact]
    public void EachValidationRuleNamesItsArgument()
    {
        Throws.Param<ArgumentOutOfRangeException>("kernelSize", () => new Conv3DGeometry(new Size3D(3, 0, 3)));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => new Conv3DGeometry(3, new Size3D(1, 1, 0)));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Conv3DGeometry(3, 1, new Size3D(-1, 0, 0)));
        Throws.Param<ArgumentOutOfRangeException>("dilation", () => new Conv3DGeometry(3, 1, 0, new Size3D(1, 0, 1)));
        Throws.Param<ArgumentOutOfRangeException>("groups", () => new Conv3DGeometry(3, groups: 0));
        Throws.Param<ArgumentOutOfRangeException>("outputPadding", () => new Conv3DGeometry(3, new Size3D(2, 2, 2), outputPadding: new Size3D(0, 2, 0)));
        Throws.Param<ArgumentOutOfRangeException>("outputPadding", () => new Conv3DGeometry(3, 2).WithOutputPadding(new Size3D(0, 0, -1)));
        Throws.Param<ArgumentOutOfRangeException>("paddingEnd", () => new Conv3DGeometry(3).WithPadding(0, new Size3D(0, -1, 0)));
        Throws.Param<ArgumentException>("inputSize", () => new Conv3DGeometry(3).GetOutputSize(new Size3D(1, 5, 5)));
        Throws.Param<ArgumentException>("inputSize", () => new Conv3DGeometry(3, 1, 3).GetTransposedOutputSize(new Size3D(1, 5, 5)));
        Throws.Param<ArgumentException>("Conv3DGeometry", () => default(Conv3DGeometry).GetOutputSize(5));
        Throws.Param<ArgumentException>("Conv3DGeometry", () => default(Conv3DGeometry).WithPadding(0, 0));

        Throws.Param<ArgumentOutOfRangeException>("kernelSize", () => new Conv1DGeometry(0));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => new Conv1DGeometry(3, 0));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Conv1DGeometry(3, 1, -1));
        Throws.Param<ArgumentOutOfRangeException>("dilation", () => new Conv1DGeometry(3, 1, 0, 0));
        Throws.Param<ArgumentOutOfRangeException>("groups", () => new Conv1DGeometry(3, groups: -1));
        Throws.Param<ArgumentOutOfRangeException>("outputPadding", () => new Conv1DGeometry(3, 2, outputPadding: 2));
        Throws.Param<ArgumentOutOfRangeException>("paddingBegin", () => new Conv1DGeometry(3).WithPadding(-1, 0));
        Throws.Param<ArgumentException>("inputSize", () => new Conv1DGeometry(3).GetOutputSize(2));
        Throws.Param<ArgumentException>("inputSize", () => new Conv1DGeometry(3).GetOutputSize(0));
        Throws.Param<ArgumentException>("Conv1DGeometry", () => default(Conv1DGeometry).GetTransposedOutputSize(5));
        Assert.Equal(5, new Conv1DGeometry(3, dilation: 2).EffectiveKernelSize);
        Assert.Equal(new Size3D(5, 3, 1), new Conv3DGeometry(new Size3D(3, 3, 1), dilation: new Size3D(2, 1, 7)).EffectiveKernelSize);
    }
}
