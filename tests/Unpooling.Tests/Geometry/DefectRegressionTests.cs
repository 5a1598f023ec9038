using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// Regression tests of fixed defects, one section each. Every expected value is worked out in the comments from
/// SEMANTICS.md's formulas or is what PyTorch / ONNX Runtime return, never read back from the library.
/// </summary>
/// <remarks>Public methods are called with arrays, positionally, without a thread count.</remarks>
public sealed class DefectRegressionTests
{
    // ---- 1. Max pooling: the output size of a negative numerator, and windows far past the input --------------------

    /// <summary>
    /// SEMANTICS.md 1, per axis <c>o = floor_or_ceil((i + 2p - keff) / s) + 1</c>, then in ceil mode
    /// <c>if (o-1)*s &gt;= i + p then o -= 1</c>; 0 stands for "an error" (<c>o &lt; 1</c>).
    /// </summary>
    [Theory]
    // 1x1, k2 s2, ceil: ceil((1 - 2)/2) + 1 = ceil(-0.5) + 1 = 1; (1-1)*2 = 0 >= 1? no: 1 (PyTorch: 1x1, index 0).
    [InlineData(1, 2, 2, 0, 1, true, 1)]
    // The same in floor mode: floor(-0.5) + 1 = 0: an error.
    [InlineData(1, 2, 2, 0, 1, false, 0)]
    // 1x1, k2 s2 p1, floor: floor((1 + 2 - 2)/2) + 1 = floor(0.5) + 1 = 1 (PyTorch: 1x1).
    [InlineData(1, 2, 2, 1, 1, false, 1)]
    // 2, k4 s3, ceil: ceil((2 - 4)/3) + 1 = ceil(-0.67) + 1 = 1; 0 >= 2? no: 1.
    [InlineData(2, 4, 3, 0, 1, true, 1)]
    // 1, k4 s3, ceil: ceil((1 - 4)/3) + 1 = ceil(-1) + 1 = 0: an error, as in PyTorch.
    [InlineData(1, 4, 3, 0, 1, true, 0)]
    // 1, k3 s1, ceil: ceil(-2/1) + 1 = -1: an error.
    [InlineData(1, 3, 1, 0, 1, true, 0)]
    // 2, k2 d3 (keff 4) s3, ceil: ceil((2 - 4)/3) + 1 = 1; taps 0 and 3, cell 0 is real: 1.
    [InlineData(2, 2, 3, 0, 3, true, 1)]
    // 3, k5 s2 p1, ceil: ceil((3 + 2 - 5)/2) + 1 = 1; 0 >= 4? no: 1 (span 0, unchanged by the fix).
    [InlineData(3, 5, 2, 1, 1, true, 1)]
    public void PoolOutputSizeTakesFloorAndCeilingOfANegativeNumerator(int input, int kernel, int stride, int padding, int dilation, bool ceilMode, int expected)
    {
        var g = new Pool2DGeometry(new Size2D(kernel, 1), new Size2D(stride, 1), new Size2D(padding, 0), new Size2D(dilation, 1), ceilMode);
        var inputSize = new Size2D(input, 1);
        if (expected == 0)
        {
            ArgumentException e = Throws.Param<ArgumentException>("inputSize", () => g.GetOutputSize(inputSize));
            Assert.Contains("output height positions", e.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(new Size2D(expected, 1), g.GetOutputSize(inputSize));
        }
    }

    /// <summary>The case: <c>[1,1,1,1]</c>, kernel 2, stride 2, ceil mode gives one cell, index 0 (PyTorch).</summary>
    [Fact]
    public void CeilModePoolsA1x1InputWithAKernelOf2()
    {
        var g = new Pool2DGeometry(2, stride: 2, ceilMode: true);
        float[] values = new float[1];
        long[] indices = [-1];
        Functional.MaxPool2D(new float[] { -3.5f }, new Shape4D(1, 1, 1, 1), g, values, indices);
        Assert.Equal(-3.5f, values[0]);
        Assert.Equal(0L, indices[0]);
    }

    /// <summary>
    /// <c>[1,1,1,1]</c>, kernel 2, stride 2, padding 1, floor mode: <c>floor((1 + 2 - 2)/2) + 1 = 1</c>; the window
    /// reads cells -1 (padding) and 0, so the result is the only cell, index 0 (PyTorch: the same).
    /// </summary>
    [Fact]
    public void FloorModePoolsA1x1InputWithPadding()
    {
        var g = new Pool2DGeometry(2, stride: 2, padding: 1);
        float[] values = new float[1];
        long[] indices = [-1];
        Functional.MaxPool2D(new float[] { -7f }, new Shape4D(1, 1, 1, 1), g, values, indices);
        Assert.Equal(-7f, values[0]);
        Assert.Equal(0L, indices[0]);
    }

    /// <summary>
    /// Windows that reach past the input on both axes, in ceil mode: input 2x3 per plane, kernel 3x4, stride 2x5.
    /// Height <c>ceil((2 - 3)/2) + 1 = 1</c>, width <c>ceil((3 - 4)/5) + 1 = 1</c>: one window over rows 0-2 and columns
    /// 0-3, of which row 2 and column 3 are past the input. All values are negative, so a padding cell read as 0 would
    /// win; ties keep the first maximum (per-plane index <c>h*3 + w</c>).
    /// </summary>
    [Fact]
    public void CeilModeWindowPastTheInputSelectsOnlyRealCells()
    {
        var g = new Pool2DGeometry(new Size2D(3, 4), new Size2D(2, 5), ceilMode: true);
        Assert.Equal(new Size2D(1, 1), g.GetOutputSize(new Size2D(2, 3)));
        float[] x =
        [
            -5, -2, -7,  // plane 0: the maximum -2 at (0, 1) = index 1, tied at (1, 1) = index 4
            -3, -2, -9,
            -1, -4, -8,  // plane 1: the maximum -1 at (0, 0) = index 0, tied at (1, 1) = index 4
            -6, -1, -3,
        ];
        float[] values = new float[2];
        long[] indices = [-1, -1];
        Functional.MaxPool2D(x, new Shape4D(1, 2, 2, 3), g, values, indices);
        Assert.Equal([-2f, -1f], values);
        Assert.Equal([1L, 0L], indices);
    }

    /// <summary>
    /// A window whose last kernel row lies more than <see cref="int.MaxValue"/> past the input: input 4x1, kernel 3x1,
    /// dilation <c>int.MaxValue</c>, padding <c>int.MaxValue - 1</c>, stride 1. keff = 2*(2^31 - 1) + 1 = 2^32 - 1;
    /// <c>o = floor(4 + 2*(2^31 - 2) - (2^32 - 1)) + 1 = 1 + 1 = 2</c>. Window 0's taps are rows -(2^31 - 2), 1 and
    /// 2^31; window 1's are one lower: only rows 1 and 2 are real, so the result is x[1], x[2] at indices 1, 2. The
    /// kernel's row range must be computed without wrapping (in 32 bits row 2^31 passed the bounds test and was read).
    /// The same on the width axis. Ceil mode on a short input reaches as far: input 3x1, kernel 3x1, dilation 2^30,
    /// stride <c>int.MaxValue</c>: <c>o = ceil((3 - (2^31 + 1)) / (2^31 - 1)) + 1 = ceil(-0.99...) + 1 = 1</c>, taps at rows
    /// 0, 2^30 and 2^31, of which only row 0 is real.
    /// </summary>
    [Fact]
    public void KernelRowsFarPastTheInputAreNeverRead()
    {
        float[] x = [10, 20, 30, 40];
        var rows = new Pool2DGeometry(new Size2D(3, 1), stride: 1, padding: new Size2D(int.MaxValue - 1, 0), dilation: new Size2D(int.MaxValue, 1));
        Assert.Equal(new Size2D(2, 1), rows.GetOutputSize(new Size2D(4, 1)));
        float[] values = new float[2];
        long[] indices = new long[2];
        Functional.MaxPool2D(x, new Shape4D(1, 1, 4, 1), rows, values, indices);
        Assert.Equal([20f, 30f], values);
        Assert.Equal([1L, 2L], indices);

        var columns = new Pool2DGeometry(new Size2D(1, 3), stride: 1, padding: new Size2D(0, int.MaxValue - 1), dilation: new Size2D(1, int.MaxValue));
        Assert.Equal(new Size2D(1, 2), columns.GetOutputSize(new Size2D(1, 4)));
        Array.Clear(values);
        Array.Clear(indices);
        Functional.MaxPool2D(x, new Shape4D(1, 1, 1, 4), columns, values, indices);
        Assert.Equal([20f, 30f], values);
        Assert.Equal([1L, 2L], indices);

        var ceil = new Pool2DGeometry(new Size2D(3, 1), stride: new Size2D(int.MaxValue, 1), dilation: new Size2D(1 << 30, 1), ceilMode: true);
        Assert.Equal(new Size2D(1, 1), ceil.GetOutputSize(new Size2D(3, 1)));
        float[] one = new float[1];
        long[] oneIndex = [-1];
        Functional.MaxPool2D(new float[] { 10, 50, 30 }, new Shape4D(1, 1, 3, 1), ceil, one, oneIndex);
        Assert.Equal(10f, one[0]);
        Assert.Equal(0L, oneIndex[0]);
    }

    // ---- 2. Unpooling: an explicit size is judged against the range, not the default's validity ---------------------

    /// <summary>
    /// The case: <c>[1,1,2,2]</c> pooled with kernel 2, stride (3, 2), padding (1, 0). Height
    /// <c>floor((2 + 2 - 2)/3) + 1 = 1</c> (taps -1 and 0), width <c>floor((2 - 2)/2) + 1 = 1</c>: one window over row 0,
    /// columns 0-1. The default unpooled size is <c>(1-1)*3 - 2 + 2 = 0</c> by <c>(1-1)*2 - 0 + 2 = 2</c>, so 2x2 lies in
    /// the allowed range (height -3 &lt; 2 &lt; 3, width 0 &lt; 2 &lt; 4), and the maximum goes back to its index.
    /// </summary>
    [Fact]
    public void ExplicitUnpoolSizeIsAllowedWhenTheDefaultIsBelowOne()
    {
        var g = new Pool2DGeometry(2, stride: new Size2D(3, 2), padding: new Size2D(1, 0));
        Assert.Equal(new Size2D(1, 1), g.GetOutputSize(new Size2D(2, 2)));
        float[] values = new float[1];
        long[] indices = [-1];
        Functional.MaxPool2D(new float[] { 1, 5, 3, 2 }, new Shape4D(1, 1, 2, 2), g, values, indices);
        Assert.Equal(5f, values[0]); // max(1, 5) over row 0
        Assert.Equal(1L, indices[0]);

        float[] restored = [9, 9, 9, 9];
        Functional.MaxUnpool2D(values, indices, new Shape4D(1, 1, 1, 1), g, restored, outputSize: new Size2D(2, 2));
        Assert.Equal([0f, 5f, 0f, 0f], restored);

        Tensor<float> unpooled = Functional.MaxUnpool2D(Tensor.Create(values, [1, 1, 1, 1]), Tensor.Create(indices, [1, 1, 1, 1]), g, outputSize: new Size2D(2, 2));
        Assert.Equal(new nint[] { 1, 1, 2, 2 }, unpooled.Lengths.ToArray());
        float[] flat = new float[4];
        unpooled.FlattenTo(flat);
        Assert.Equal([0f, 5f, 0f, 0f], flat);
    }

    /// <summary>
    /// The same geometry with no explicit size stays an error naming the geometry and the computed 0x2; sizes outside
    /// the range stay errors naming the output size (height must be below 0 + 3, width strictly between 0 and 4).
    /// </summary>
    [Fact]
    public void UnpoolSizeOutsideTheRangeOrADefaultBelowOneIsStillAnError()
    {
        var g = new Pool2DGeometry(2, stride: new Size2D(3, 2), padding: new Size2D(1, 0));
        var shape = new Shape4D(1, 1, 1, 1);
        float[] restored = new float[4];
        ArgumentException e = Throws.Param<ArgumentException>("geometry", () => Functional.MaxUnpool2D(new float[] { 5 }, new long[] { 1 }, shape, g, restored));
        Assert.Contains("0x2", e.Message, StringComparison.Ordinal);
        Throws.Param<ArgumentException>("pooledSize", () => g.GetUnpoolOutputSize(new Size2D(1, 1)));
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D(new float[] { 5 }, new long[] { 1 }, shape, g, new float[6], outputSize: new Size2D(3, 2)));
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D(new float[] { 5 }, new long[] { 1 }, shape, g, new float[8], outputSize: new Size2D(2, 4)));
        Assert.Equal(new float[4], restored);
    }

    /// <summary>
    /// A default past <see cref="int.MaxValue"/> (an empty batch, so nothing is allocated): pooled height 2^30 with
    /// kernel 2 gives <c>(2^30 - 1)*2 + 2 = 2^31</c>, so an explicit <c>2^31 - 1</c> lies strictly between
    /// <c>2^31 - 2</c> and <c>2^31 + 2</c>; fixed unpooling by 2 has the same default <c>2^30 * 2 = 2^31</c>. With no
    /// explicit size both stay errors.
    /// </summary>
    [Fact]
    public void ExplicitUnpoolSizeIsAllowedWhenTheDefaultIsPastInt32()
    {
        var pooled = new Shape4D(0, 1, 1 << 30, 1);
        var g = new Pool2DGeometry(new Size2D(2, 1));
        Functional.MaxUnpool2D(Array.Empty<float>(), Array.Empty<long>(), pooled, g, Array.Empty<float>(), outputSize: new Size2D(int.MaxValue, 1));
        Throws.Param<ArgumentException>("geometry", () => Functional.MaxUnpool2D(Array.Empty<float>(), Array.Empty<long>(), pooled, g, Array.Empty<float>()));

        Functional.FixedUnpool2D(Array.Empty<float>(), pooled, new Size2D(2, 1), Array.Empty<float>(), outputSize: new Size2D(int.MaxValue, 1));
        Functional.RepeatUnpool2D(Array.Empty<float>(), pooled, new Size2D(2, 1), Array.Empty<float>(), outputSize: new Size2D(int.MaxValue, 1));
        Throws.Param<ArgumentException>("factor", () => Functional.FixedUnpool2D(Array.Empty<float>(), pooled, new Size2D(2, 1), Array.Empty<float>()));
        Throws.Param<ArgumentException>("outputSize", () => Functional.FixedUnpool2D(Array.Empty<float>(), pooled, new Size2D(2, 1), Array.Empty<float>(), outputSize: new Size2D(int.MaxValue - 1, 1)));
    }

    // ---- 3. ONNX ConvTranspose: a negative total pad becomes output padding at the end ------------------------------

    /// <summary>
    /// x = [1, 10], w = [1, 2, 3], stride 2, bias 0.5: the unpadded output is <c>2*(2-1) + 3 = 5</c> cells,
    /// [1, 2, 1*3 + 10*1, 20, 30] + 0.5. output_shape 6 needs a total pad of <c>2*1 + 0 + 3 - 6 = -1</c>: no padding and
    /// output padding 1, so one bias-only cell at the end, for every auto_pad value. ONNX Runtime 1.30 returns exactly
    /// [1.5, 2.5, 13.5, 20.5, 30.5, 0.5]; PyTorch's <c>output_size</c> 6 (inside [5, 5 + 2 - 1]) gives the same.
    /// </summary>
    [Theory]
    [InlineData(OnnxAutoPad.NotSet)]
    [InlineData(OnnxAutoPad.SameUpper)]
    [InlineData(OnnxAutoPad.SameLower)]
    public void OnnxOutputShapePastTheUnpaddedOutputGrowsItAtTheEnd(OnnxAutoPad autoPad)
    {
        var g = new Conv2DGeometry(new Size2D(1, 3), new Size2D(1, 2));
        Conv2DGeometry r = g.WithOnnxTransposedOutputShape(new Size2D(1, 2), new Size2D(1, 6), autoPad);
        Assert.Equal(g.WithOutputPadding(new Size2D(0, 1)), r);
        Assert.Equal(new Size2D(1, 6), r.GetTransposedOutputSize(new Size2D(1, 2)));
        float[] y = new float[6];
        Functional.ConvTranspose2D(new float[] { 1, 10 }, new Shape4D(1, 1, 1, 2), new float[] { 1, 2, 3 }, new Shape4D(1, 1, 1, 3), new float[] { 0.5f }, r, y);
        Assert.Equal([1.5f, 2.5f, 13.5f, 20.5f, 30.5f, 0.5f], y);
    }

    /// <summary>
    /// With output padding already set: kernel 3, stride 3, output_padding 1, x = [1, 10]: the unpadded output is
    /// <c>3*1 + 1 + 3 = 7</c>, [1, 2, 3, 10, 20, 30] + the output padding cell; output_shape 8 is a total of -1, so
    /// output padding 1 + 1 = 2 &lt; 3: [1.5, 2.5, 3.5, 10.5, 20.5, 30.5, 0.5, 0.5], as ONNX Runtime returns. 9 would need
    /// output padding 3 (not below max(3, 1)) and is an error; ONNX Runtime refuses it too.
    /// </summary>
    [Fact]
    public void OnnxOutputShapePastTheUnpaddedOutputAddsToTheOutputPadding()
    {
        var g = new Conv2DGeometry(new Size2D(1, 3), new Size2D(1, 3), outputPadding: new Size2D(0, 1));
        Conv2DGeometry r = g.WithOnnxTransposedOutputShape(new Size2D(1, 2), new Size2D(1, 8));
        Assert.Equal(g.WithOutputPadding(new Size2D(0, 2)), r);
        float[] y = new float[8];
        Functional.ConvTranspose2D(new float[] { 1, 10 }, new Shape4D(1, 1, 1, 2), new float[] { 1, 2, 3 }, new Shape4D(1, 1, 1, 3), new float[] { 0.5f }, r, y);
        Assert.Equal([1.5f, 2.5f, 3.5f, 10.5f, 20.5f, 30.5f, 0.5f, 0.5f], y);
        Throws.Param<ArgumentOutOfRangeException>("outputShape", () => g.WithOnnxTransposedOutputShape(new Size2D(1, 2), new Size2D(1, 9)));
    }

    /// <summary>
    /// The reach of a negative total pad is the output padding limit, <c>max(stride, dilation) - 1</c> in all. Kernel 3,
    /// stride 2, input 3: unpadded <c>2*2 + 3 = 7</c>, so 8 is reached (output padding 1) and 9 is not. Kernel 2,
    /// dilation 3 (keff 4), stride 1, input 2: unpadded <c>1*1 + 4 = 5</c>, output padding up to 2, so 7 is reached and
    /// 8 is not. The two axes are independent: kernel 3, stride 2, input 3 to 6x8 is a total of 1 on the height
    /// (NOTSET: the odd cell at the beginning, pads 1/0) and -1 on the width (output padding 1).
    /// </summary>
    [Fact]
    public void OnnxNegativeTotalPadReachesTheOutputPaddingLimit()
    {
        var k3s2 = new Conv2DGeometry(3, stride: 2);
        Assert.Equal(k3s2.WithOutputPadding(1), k3s2.WithOnnxTransposedOutputShape(new Size2D(3, 3), new Size2D(8, 8)));
        Throws.Param<ArgumentOutOfRangeException>("outputShape", () => k3s2.WithOnnxTransposedOutputShape(new Size2D(3, 3), new Size2D(8, 9)));

        var dilated = new Conv2DGeometry(2, dilation: 3);
        Conv2DGeometry r = dilated.WithOnnxTransposedOutputShape(new Size2D(2, 2), new Size2D(7, 7));
        Assert.Equal(dilated.WithOutputPadding(2), r);
        Assert.Equal(new Size2D(7, 7), r.GetTransposedOutputSize(new Size2D(2, 2)));
        Throws.Param<ArgumentOutOfRangeException>("outputShape", () => dilated.WithOnnxTransposedOutputShape(new Size2D(2, 2), new Size2D(8, 7)));

        Conv2DGeometry mixed = k3s2.WithOnnxTransposedOutputShape(new Size2D(3, 3), new Size2D(6, 8));
        Assert.Equal(new Size2D(1, 0), mixed.PaddingBegin);
        Assert.Equal(new Size2D(0, 0), mixed.PaddingEnd);
        Assert.Equal(new Size2D(0, 1), mixed.OutputPadding);
        Assert.Equal(new Size2D(6, 8), mixed.GetTransposedOutputSize(new Size2D(3, 3)));
    }

    /// <summary>
    /// auto_pad SAME with <c>keff + op &lt; s</c>: kernel 1, stride 4, x = [1, 10], w = [2], bias 0.5. SAME asks for
    /// <c>2*4 = 8</c> cells; the total pad is <c>4*1 + 0 + 1 - 8 = -3</c>, so no padding and output padding 3 (below the
    /// stride): y[4i] = 2*x[i] + 0.5, the bias elsewhere. (ONNX Runtime 1.30 clamps the pad to zero and returns only
    /// the unpadded 5 cells, [2.5, 0.5, 0.5, 0.5, 20.5]: the leading part of this.) Kernel 1, stride 2, input 3:
    /// total <c>0 + 1 - 2 = -1</c>, output padding 1, output 3*2 = 6.
    /// </summary>
    [Theory]
    [InlineData(OnnxAutoPad.SameUpper)]
    [InlineData(OnnxAutoPad.SameLower)]
    public void OnnxSameWithAKernelShorterThanTheStrideGrowsTheOutputAtTheEnd(OnnxAutoPad autoPad)
    {
        var g = new Conv2DGeometry(new Size2D(1, 1), new Size2D(1, 4));
        Conv2DGeometry r = g.WithOnnxTransposedAutoPad(new Size2D(1, 2), autoPad);
        Assert.Equal(g.WithOutputPadding(new Size2D(0, 3)), r);
        float[] y = new float[8];
        Functional.ConvTranspose2D(new float[] { 1, 10 }, new Shape4D(1, 1, 1, 2), new float[] { 2 }, new Shape4D(1, 1, 1, 1), new float[] { 0.5f }, r, y);
        Assert.Equal([2.5f, 0.5f, 0.5f, 0.5f, 20.5f, 0.5f, 0.5f, 0.5f], y);

        var k1s2 = new Conv2DGeometry(1, stride: 2);
        Conv2DGeometry same = k1s2.WithOnnxTransposedAutoPad(new Size2D(3, 3), autoPad);
        Assert.Equal(k1s2.WithOutputPadding(1), same);
        Assert.Equal(new Size2D(6, 6), same.GetTransposedOutputSize(new Size2D(3, 3)));
    }
}
