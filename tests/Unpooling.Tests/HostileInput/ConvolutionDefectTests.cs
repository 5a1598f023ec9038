using System.Numerics;
using System.Numerics.Tensors;
using System.Reflection;
using Unpooling.Internal;
using Unpooling.Tests.Conv;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.HostileInput;

/// <summary>
/// The hostile-input issue's convolution defects (3 to 7 and 11), each reproduced as the issue states it, and the class
/// around each: kernel, padding, dilation and stride near 2^30..2^31 on tiny tensors, and weights so large that the
/// 32-bit scratch sizes wrapped. Every expected value is worked out in the comment beside it: the reference oracle
/// (<c>ConvReference</c>) indexes in 32 bits and overflows on these geometries, so it cannot be the judge here. Each
/// call runs on one and on two threads (the results must be the same bits) into a guarded destination.
/// </summary>
public class ConvolutionDefectTests
{
    private const int Pow30 = 1 << 30;

    /// <summary>
    /// Defect 3: a transposed convolution of <c>[1,1,4,4]</c> with kernel (3,1), padding (2^30,0), dilation (2^30,1)
    /// corrupted the heap: the col2im row count <c>best*s + (k-1)*d + 1 = 4 + 2^31 + 1</c> wrapped and the row tables
    /// were mis-sized. Output height <c>(4-1)*1 - 2*2^30 + 2^30*2 + 1 = 4</c>, width 4. Kernel row <c>jh</c> puts input
    /// row <c>ih</c> at <c>ih - 2^30 + jh*2^30</c>: only <c>jh = 1</c> lands (at <c>ih</c>), so <c>y = w[1] * x</c>.
    /// </summary>
    [Fact]
    public void Defect3_TransposedWithHugeDilationAndPaddingGivesTheMiddleKernelRow()
    {
        Defect3<float>();
        Defect3<double>();
        Defect3<Half>();
    }

    private static void Defect3<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = new Shape4D(1, 1, 4, 4);
        T[] x = Ramp<T>(16, 1);
        T[] w = Values<T>(2, 3, 5);
        var g = new Conv2DGeometry(new Size2D(3, 1), padding: new Size2D(Pow30, 0), dilation: new Size2D(Pow30, 1));
        T[] expected = x.Select(v => v * T.CreateChecked(3)).ToArray();
        AssertTransposed(x, xs, w, new Shape4D(1, 1, 3, 1), [], g, new Shape4D(1, 1, 4, 4), expected);
    }

    /// <summary>
    /// Defect 4: <c>[1,1,1,2]</c>, kernel (1,4), stride (1,3), padding (0,int.MaxValue), dilation (1,1431655765) wrote
    /// out of bounds in the scalar col2im (stride 3): <c>jw*d - p</c> wrapped. Output width
    /// <c>(2-1)*3 - 2*2147483647 + 1431655765*3 + 1 = 3 - 4294967294 + 4294967295 + 1 = 5</c>, height 1. Input column
    /// <c>iw</c> of kernel column <c>jw</c> lands at <c>3*iw - 2147483647 + jw*1431655765</c>: jw 0 gives -2147483647
    /// and -2147483644, jw 1 -715827882 and -715827879, jw 2 715827883 and 715827886, jw 3 2147483648 and 2147483651.
    /// None is in [0, 5), so every output cell is the bias alone.
    /// </summary>
    [Fact]
    public void Defect4_TransposedStride3WithWrappingColumnOffsetGivesTheBiasAlone()
    {
        Defect4<float>();
        Defect4<double>();
        Defect4<Half>();
    }

    private static void Defect4<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = new Conv2DGeometry(new Size2D(1, 4), stride: new Size2D(1, 3), padding: new Size2D(0, int.MaxValue), dilation: new Size2D(1, 1431655765));
        T seven = T.CreateChecked(7);
        AssertTransposed(Values<T>(1, 2), new Shape4D(1, 1, 1, 2), Values<T>(1, 1, 1, 1), new Shape4D(1, 1, 1, 4), [seven], g, new Shape4D(1, 1, 1, 5), [seven, seven, seven, seven, seven]);
    }

    /// <summary>
    /// Defect 5: <c>[1,1,1,1]</c>, kernel (5,1), dilation (1073741823,1), padding begin (2147483643,0), end
    /// (2147483644,0) returned all zeros: <c>ohHi = (k-1)*d - p + 1</c> wrapped negative. Output height
    /// <c>0 - 2147483643 - 2147483644 + 1073741823*4 + 1 = 6</c>. Kernel row <c>kh</c> lands at
    /// <c>-2147483643 + kh*1073741823</c>: -2147483643, -1073741820, 3, 1073741826, 2147483649; only <c>kh = 2</c> is in
    /// [0, 6). With input 1 and weight all ones (the issue's case) <c>y = [0,0,0,1,0,0]</c>; with weight
    /// <c>[1,2,4,8,16]</c> and input 3, <c>y[3] = 3*4 = 12</c>.
    /// </summary>
    [Fact]
    public void Defect5_TransposedWhoseLastOutputRowWrappedGivesTheOneTapThatLands()
    {
        Defect5<float>();
        Defect5<double>();
        Defect5<Half>();
    }

    private static void Defect5<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Conv2DGeometry g = new Conv2DGeometry(new Size2D(5, 1), dilation: new Size2D(1073741823, 1))
            .WithPadding(new Size2D(2147483643, 0), new Size2D(2147483644, 0));
        var xs = new Shape4D(1, 1, 1, 1);
        var ws = new Shape4D(1, 1, 5, 1);
        var ys = new Shape4D(1, 1, 6, 1);
        AssertTransposed(Values<T>(1), xs, Values<T>(1, 1, 1, 1, 1), ws, [], g, ys, Values<T>(0, 0, 0, 1, 0, 0));
        AssertTransposed(Values<T>(3), xs, Values<T>(1, 2, 4, 8, 16), ws, [], g, ys, Values<T>(0, 0, 0, 12, 0, 0));
    }

    /// <summary>
    /// Defect 5's geometry on either axis and at strides 1, 2 and 3 (the vector gather at 1 and 2, the scalar scatter
    /// above): the stride does not matter for a 1x1 input, and the output is <c>y[3] = 3*w[2] = 12</c> along the axis.
    /// </summary>
    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(false, 3)]
    public void HugeDilationAndPaddingOnEitherAxisAndAnyStrideGiveTheOneTapThatLands(bool height, int stride)
    {
        Size2D Axis(int along, int across) => height ? new Size2D(along, across) : new Size2D(across, along);
        Conv2DGeometry g = new Conv2DGeometry(Axis(5, 1), stride: Axis(stride, stride), dilation: Axis(1073741823, 1))
            .WithPadding(Axis(2147483643, 0), Axis(2147483644, 0));
        Size2D k = Axis(5, 1), o = Axis(6, 1);
        AssertTransposed(
            Values<float>(3), new Shape4D(1, 1, 1, 1), Values<float>(1, 2, 4, 8, 16), new Shape4D(1, 1, k.Height, k.Width), [],
            g, new Shape4D(1, 1, o.Height, o.Width), Values<float>(0, 0, 0, 12, 0, 0));
    }

    /// <summary>
    /// Defect 6: a transposed convolution with a <c>[1,1,1,2796203]</c> weight threw ArgumentOutOfRangeException from
    /// ArrayPool: the column buffer's <c>RowBlock*Ldc</c> (RowBlock = lcm(24, 2796203) = 67108872, times 32) wrapped. A
    /// 1x1 input <c>x = 2</c> with kernel (1,2796203) gives a row of width <c>0 + 2796202 + 1 = 2796203</c> with
    /// <c>y[j] = 2*w[j]</c>.
    /// </summary>
    [Fact]
    public void Defect6_TransposedWithAKernelOfMillionsOfTapsRuns()
    {
        const int Taps = 2796203;
        float[] w = new float[Taps];
        for (int j = 0; j < Taps; j++)
        {
            w[j] = (j % 1000) - 500;
        }

        float[] expected = w.Select(v => 2 * v).ToArray();
        var g = new Conv2DGeometry(new Size2D(1, Taps));
        AssertTransposed([2f], new Shape4D(1, 1, 1, 1), w, new Shape4D(1, 1, 1, Taps), [], g, new Shape4D(1, 1, 1, Taps), expected);
    }

    /// <summary>
    /// Defect 7: a convolution of <c>[1,1,1,1]</c> with a <c>[1,1,1,8388609]</c> weight and padding (0,4194304)
    /// overran the heap: <c>K*Ldc = 8388609*256</c> wrapped, a 1-element buffer was rented and overrun. The output is
    /// <c>(1 + 2*4194304 - 8388609)/1 + 1 = 1</c> wide; its one window reads input column <c>0 - 4194304 + kw</c>, which
    /// is the real cell 0 only for <c>kw = 4194304</c>: <c>y = x * w[4194304]</c>, here <c>3 * (4194304 % 1000 - 500) = 3 * -196 = -588</c>.
    /// </summary>
    [Fact]
    public void Defect7_ConvolutionWithAReductionOfMillionsRuns()
    {
        Defect7<float>();
        Defect7<Half>();
    }

    private static void Defect7<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Taps = 8388609;
        T[] w = new T[Taps];
        for (int j = 0; j < Taps; j++)
        {
            w[j] = T.CreateChecked((j % 1000) - 500);
        }

        var g = new Conv2DGeometry(new Size2D(1, Taps), padding: new Size2D(0, 4194304));
        AssertForward(Values<T>(3), new Shape4D(1, 1, 1, 1), w, new Shape4D(1, 1, 1, Taps), [], g, new Shape4D(1, 1, 1, 1), Values<T>(-588));
    }

    /// <summary>
    /// The reduction of defect 7 split over many channels with a bias: <c>[1, 2^21 + 1, 1, 1]</c> input, weight
    /// <c>[2, 2^21 + 1, 1, 1]</c>, <c>K = 2^21 + 1</c>, too long for one packed B panel set, so the reduction is split into chunks whose chains continue. Input channel <c>c</c>
    /// holds <c>1</c> for <c>c</c> even and <c>-1</c> for odd; output channel 0's weight is all ones (sum: 1, the one extra even
    /// channel), channel 1's is <c>+1</c> at the even channels and <c>0</c> elsewhere (sum: <c>2^20 + 1</c>). Bias 10 and
    /// 20: <c>y = [11, 1048597]</c>, all exact in float.
    /// </summary>
    [Fact]
    public void ConvolutionWithAHugeChannelReductionRunsAndKeepsTheSumOrder()
    {
        const int Channels = (1 << 21) + 1;
        float[] x = new float[Channels];
        float[] w = new float[2 * Channels];
        for (int c = 0; c < Channels; c++)
        {
            x[c] = c % 2 == 0 ? 1 : -1;
            w[c] = 1;
            w[Channels + c] = c % 2 == 0 ? 1 : 0;
        }

        AssertForward(x, new Shape4D(1, Channels, 1, 1), w, new Shape4D(2, Channels, 1, 1), [10f, 20f], new Conv2DGeometry(1), new Shape4D(1, 2, 1, 1), [11f, 20f + (1 << 20) + 1]);
    }

    /// <summary>
    /// The forward convolution on defect 3's geometry: <c>[1,1,4,4]</c>, kernel (3,1), padding (2^30,0), dilation
    /// (2^30,1). Output height <c>(4 + 2*2^30 - (2*2^30 + 1))/1 + 1 = 4</c>. Output row <c>oh</c> reads input rows
    /// <c>oh - 2^30 + jh*2^30</c>: only <c>jh = 1</c> (row <c>oh</c>) is real, so <c>y = w[1] * x</c>.
    /// </summary>
    [Fact]
    public void ForwardWithHugeDilationAndPaddingReadsTheMiddleKernelRow()
    {
        T[] Run<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T[] x = Ramp<T>(16, 1);
            var g = new Conv2DGeometry(new Size2D(3, 1), padding: new Size2D(Pow30, 0), dilation: new Size2D(Pow30, 1));
            T[] expected = x.Select(v => v * T.CreateChecked(3)).ToArray();
            return AssertForward(x, new Shape4D(1, 1, 4, 4), Values<T>(2, 3, 5), new Shape4D(1, 1, 3, 1), [], g, new Shape4D(1, 1, 4, 4), expected);
        }

        Run<float>();
        Run<double>();
        Run<Half>();
    }

    /// <summary>
    /// A stride of <c>int.MaxValue</c> with padding <c>int.MaxValue - 1</c> on both axes of a 4x4 input, kernel 1: each
    /// axis has <c>floor((4 + 2*(2^31 - 2) - 1) / (2^31 - 1)) + 1 = floor((2^32 - 1)/(2^31 - 1)) + 1 = 3</c> outputs,
    /// reading input <c>o*(2^31 - 1) - (2^31 - 2)</c>: -2147483646 (padding), 1, 2147483648 (past the input). So
    /// <c>y[1, 1] = w * x[1, 1] = 2 * 6</c> (row-major <c>x = 1..16</c>, <c>x[1, 1] = 6</c>) and zero elsewhere; <c>oh*s</c>
    /// is past <c>int.MaxValue</c> for <c>oh = 2</c>.
    /// </summary>
    [Fact]
    public void ForwardWithIntMaxStrideAndPaddingReadsTheOneRealCell()
    {
        var g = new Conv2DGeometry(1, stride: int.MaxValue, padding: int.MaxValue - 1);
        AssertForward(Ramp<float>(16, 1), new Shape4D(1, 1, 4, 4), [2f], new Shape4D(1, 1, 1, 1), [], g, new Shape4D(1, 1, 3, 3), [0, 0, 0, 0, 12, 0, 0, 0, 0]);
    }

    /// <summary>
    /// Transposed with stride <c>2^30</c> on a 2x2 input and kernel 1: output <c>(2-1)*2^30 + 1 = 2^30 + 1</c> per axis
    /// is too large for any array, so it must be refused naming the geometry; with padding <c>2^29</c> per side the
    /// output is <c>2^30 + 1 - 2^30 = 1</c> per axis and input cell <c>(i, j)</c> lands at <c>(i*2^30 - 2^29, ...)</c>,
    /// never at 0: the output is the bias alone. With begin padding <c>2^30</c> and no end padding, the output is
    /// <c>2^30 + 1 - 2^30 = 1</c> and cell (1, 1) lands at <c>(0, 0)</c>: <c>y = w * x[1, 1] = 2 * 4</c>.
    /// </summary>
    [Fact]
    public void TransposedWithHugeStrideEitherRefusesOrLandsExactly()
    {
        float[] x = [1, 2, 3, 4];
        var xs = new Shape4D(1, 1, 2, 2);
        var ws = new Shape4D(1, 1, 1, 1);
        var huge = new Conv2DGeometry(1, stride: Pow30);
        var y = new GuardedBuffer<float>(4);
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose2D<float>(x, xs, [2f], ws, [], huge, y.Span));
        y.AssertUntouched("stride 2^30");

        var cropped = new Conv2DGeometry(1, stride: Pow30, padding: 1 << 29);
        AssertTransposed(x, xs, [2f], ws, [5f], cropped, new Shape4D(1, 1, 1, 1), [5f]);
        Conv2DGeometry shifted = huge.WithPadding(Pow30, 0);
        AssertTransposed(x, xs, [2f], ws, [], shifted, new Shape4D(1, 1, 1, 1), [8f]);
    }

    /// <summary>
    /// A transposed convolution with <c>Cin = 0</c> and a kernel whose <c>kH*kW = (2^31 - 1)^2</c> no weight could hold
    /// (this one has no elements), two groups: the output is the bias alone, <c>[1, 2, 1, 1]</c> with
    /// <c>oh = 0 - 2*(2^30 - 1) + 1*(2^31 - 2) + 1 = 1</c>, and the same for the width.
    /// </summary>
    [Fact]
    public void TransposedWithNoInputChannelsAndAHugeEmptyKernelIsTheBias()
    {
        var g = new Conv2DGeometry(int.MaxValue, padding: Pow30 - 1, groups: 2);
        AssertTransposed<float>([], new Shape4D(1, 0, 1, 1), [], new Shape4D(0, 1, int.MaxValue, int.MaxValue), [3f, 4f], g, new Shape4D(1, 2, 1, 1), [3f, 4f]);
    }

    /// <summary>
    /// Extreme geometries that give no output, or one past <c>int.MaxValue</c>, are refused naming the geometry in every
    /// form (a convolution whose effective kernel <c>2^30*2 + 1</c> exceeds the padded input; a transposed one whose
    /// cropping <c>2*(2^31 - 1)</c> exceeds its extent), before anything is written, and the message carries the
    /// 64-bit sizes.
    /// </summary>
    [Fact]
    public void ExtremeGeometriesWithNoOutputAreRefusedNamingTheGeometry()
    {
        var xs = new Shape4D(1, 1, 4, 4);
        var y = new GuardedBuffer<float>(16);
        var dilated = new Conv2DGeometry(new Size2D(3, 1), dilation: new Size2D(Pow30, 1));
        ArgumentException e = Throws.Param<ArgumentException>("geometry", () => Functional.Conv2D<float>(new float[16], xs, new float[3], new Shape4D(1, 1, 3, 1), [], dilated, y.Span));
        Assert.Contains("2147483649", e.Message, StringComparison.Ordinal);
        var cropped = new Conv2DGeometry(1, padding: int.MaxValue);
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose2D<float>(new float[16], xs, [1f], new Shape4D(1, 1, 1, 1), [], cropped, y.Span));
        y.AssertUntouched("no output");
        Assert.Throws<OverflowException>(() => dilated.EffectiveKernelSize);
    }

    /// <summary>
    /// The output-padding rule <c>op &lt; max(s, d)</c> with <c>d = int.MaxValue</c>: <c>op = 2^31 - 2</c> is accepted
    /// and grows a 1x1 transposed output (kernel 1: <c>0 + 0 + 1 + op</c>) only when the array fits; here on the width,
    /// kernel (1,1), <c>op = (0, 3)</c> gives <c>y = [w*x, 0, 0, 0]</c> plus the bias.
    /// </summary>
    [Fact]
    public void OutputPaddingBelowAHugeDilationIsAcceptedAndGrowsTheOutput()
    {
        var g = new Conv2DGeometry(1, dilation: new Size2D(1, int.MaxValue), outputPadding: new Size2D(0, int.MaxValue - 1));
        Assert.Equal(int.MaxValue - 1, g.OutputPadding.Width);
        var small = new Conv2DGeometry(1, dilation: new Size2D(1, int.MaxValue), outputPadding: new Size2D(0, 3));
        AssertTransposed([2f], new Shape4D(1, 1, 1, 1), [3f], new Shape4D(1, 1, 1, 1), [1f], small, new Shape4D(1, 1, 1, 4), [7f, 1f, 1f, 1f]);
    }

    /// <summary>
    /// ONNX's transposed auto pad near the limits, on a 1x1 input (SAME: <c>o = i*s = 1</c>), total pad
    /// <c>s*(i-1) + op + keff - o = keff - 1</c>: kernel <c>2^30 + 1</c> needs <c>2^30</c>, split <c>2^29, 2^29</c>;
    /// kernel 2 with dilation <c>int.MaxValue</c> needs exactly <c>int.MaxValue</c>, split <c>2^30, 2^30 - 1</c> (the odd
    /// cell at the beginning for SAME_LOWER); kernel 3 with that dilation needs <c>2*(2^31 - 1) = 2^32 - 2</c>, past
    /// <c>int.MaxValue</c>: refused naming autoPad, and an <c>output_shape</c> of 1 naming outputShape.
    /// </summary>
    [Fact]
    public void OnnxAutoPadNearTheLimitsSplitsOrRefuses()
    {
        var one = new Size2D(1, 1);
        var wide = new Conv2DGeometry(new Size2D(Pow30 + 1, 1));
        Conv2DGeometry same = wide.WithOnnxTransposedAutoPad(one, OnnxAutoPad.SameUpper);
        Assert.Equal(new Size2D(1 << 29, 0), same.PaddingBegin);
        Assert.Equal(new Size2D(1 << 29, 0), same.PaddingEnd);
        Assert.Equal(one, same.GetTransposedOutputSize(one));

        var edge = new Conv2DGeometry(new Size2D(2, 1), dilation: new Size2D(int.MaxValue, 1));
        Conv2DGeometry lower = edge.WithOnnxTransposedAutoPad(one, OnnxAutoPad.SameLower);
        Assert.Equal(new Size2D(Pow30, 0), lower.PaddingBegin);
        Assert.Equal(new Size2D(Pow30 - 1, 0), lower.PaddingEnd);
        Assert.Equal(one, lower.GetTransposedOutputSize(one));

        var dilated = new Conv2DGeometry(new Size2D(3, 1), dilation: new Size2D(int.MaxValue, 1));
        Throws.Param<ArgumentOutOfRangeException>("autoPad", () => dilated.WithOnnxTransposedAutoPad(one, OnnxAutoPad.SameLower));
        Throws.Param<ArgumentOutOfRangeException>("outputShape", () => dilated.WithOnnxTransposedOutputShape(one, one));

        // i*s past int.MaxValue: 2 * (2^30 + 1).
        var strided = new Conv2DGeometry(1, stride: Pow30 + 1);
        Throws.Param<ArgumentException>("inputSize", () => strided.WithOnnxTransposedAutoPad(new Size2D(2, 1), OnnxAutoPad.SameUpper));
    }

    /// <summary>
    /// Shapes whose standard scratch would pass its cap run the bounded layout (reduction chunks with continued chains,
    /// 256-column blocks that split input rows, scalar col2im over the bias pre-fill). Each case below is checked to
    /// take that layout, then compared exactly with the reference oracle (small integers: every sum is exact, and these
    /// ordinary sizes stay inside the oracle's 32-bit arithmetic) at every vector width and on one and two threads.
    /// <list type="bullet">
    /// <item>transposed, stride (1,2), kernel (2,1200), two groups: the gather's column taps
    /// <c>3*(OW/s + 17)*kW = 3*(604 + 17)*1200</c> pass the table cap;</item>
    /// <item>transposed, kernel (1,1200), 2100 input channels: the tables again, and a reduction of 2100 in two chunks;</item>
    /// <item>transposed, stride (1,3), kernel (1,1201), 24 output channels, rows of 600: whole-channel row blocks of
    /// <c>lcm(24, 1201) = 28824</c> rows times 608 columns pass the column-buffer cap;</item>
    /// <item>forward, kernel (3,3000), 8 input channels: <c>K*Ldc = 72000*256</c> passes the packed-B cap, 36 chunks.</item>
    /// </list>
    /// </summary>
    [Theory]
    [InlineData("gatherTables")]
    [InlineData("reductionChunks")]
    [InlineData("columnBuffer")]
    [InlineData("forwardChunks")]
    public void BoundedLayoutMatchesTheReference(string shape)
    {
        (bool transposed, Shape4D xs, Shape4D ws, Conv2DGeometry g) = shape switch
        {
            "gatherTables" => (true, new Shape4D(1, 4, 3, 5), new Shape4D(4, 3, 2, 1200), new Conv2DGeometry(new Size2D(2, 1200), stride: new Size2D(1, 2), padding: new Size2D(1, 3), groups: 2)),
            "reductionChunks" => (true, new Shape4D(1, 2100, 1, 3), new Shape4D(2100, 1, 1, 1200), new Conv2DGeometry(new Size2D(1, 1200))),
            "columnBuffer" => (true, new Shape4D(1, 1, 2, 600), new Shape4D(1, 24, 1, 1201), new Conv2DGeometry(new Size2D(1, 1201), stride: new Size2D(1, 3))),
            _ => (false, new Shape4D(2, 8, 4, 3005), new Shape4D(3, 8, 3, 3000), new Conv2DGeometry(new Size2D(3, 3000), stride: new Size2D(1, 2), padding: new Size2D(1, 2))),
        };
        float[] x = SmallIntegers(xs.ElementCount, 1);
        float[] w = SmallIntegers(ws.ElementCount, 2);
        int cout = transposed ? ws.Channels * g.Groups : ws.Batch;
        float[] bias = SmallIntegers(cout, 3);
        (float[] expected, Shape4D ys) = transposed ? ConvReference.ConvTranspose2D(x, xs, w, ws, bias, g) : ConvReference.Conv2D(x, xs, w, ws, bias, g);

        var plan = new ConvKernel.Plan(transposed, xs, ys.Channels, ys.SpatialSize, g, 1);
        Assert.True(plan.Bounded, $"{shape} should run the bounded layout");
        foreach (KernelWidth width in KernelWidths.All)
        {
            ConvAssert.Exact<float>(expected, AtWidth(width, x, w, bias, ys, plan), $"{shape} at {width}");
        }

        AssertBoth(transposed, x, xs, w, ws, bias, g, ys, expected);
    }

    /// <summary>
    /// The bounded layout's bits do not depend on the thread count: with fractional data (where the summation order
    /// shows), one thread (one item) and three threads (the 24 output channels split into blocks) give the same bits,
    /// at a transposed shape of the bounded layout (24 channels of a 1x1201 kernel, stride 3) and a forward one
    /// (a reduction of 72000 in chunks).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BoundedLayoutBitsDoNotDependOnTheThreadCount(bool transposed)
    {
        (Shape4D xs, Shape4D ws, Conv2DGeometry g) = transposed
            ? (new Shape4D(1, 1, 2, 600), new Shape4D(1, 24, 1, 1201), new Conv2DGeometry(new Size2D(1, 1201), stride: new Size2D(1, 3)))
            : (new Shape4D(1, 8, 4, 3005), new Shape4D(24, 8, 3, 3000), new Conv2DGeometry(new Size2D(3, 3000), padding: new Size2D(1, 2)));
        var random = new Random(5);
        float[] x = Enumerable.Range(0, (int)xs.ElementCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        float[] w = Enumerable.Range(0, (int)ws.ElementCount).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        Size2D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        var ys = new Shape4D(1, 24, o.Height, o.Width);
        Assert.True(new ConvKernel.Plan(transposed, xs, 24, o, g, 3).Bounded);
        float[] Run(int threads)
        {
            var y = new float[ys.ElementCount];
            if (transposed)
            {
                Functional.ConvTranspose2D<float>(x, xs, w, ws, [], g, y, Threads.Options(threads));
            }
            else
            {
                Functional.Conv2D<float>(x, xs, w, ws, [], g, y, Threads.Options(threads));
            }

            return y;
        }

        BitAssert.Equal<float>(Run(1), Run(3), $"bounded {(transposed ? "ConvTranspose2D" : "Conv2D")} on 1 and 3 threads");
    }

    /// <summary>Ordinary shapes keep the standard layout (the bounded one is for shapes past the caps only).</summary>
    [Theory]
    [InlineData(false, 64, 3)]
    [InlineData(true, 64, 3)]
    [InlineData(true, 16, 7)]
    [InlineData(false, 512, 3)]
    public void OrdinaryShapesKeepTheStandardLayout(bool transposed, int channels, int kernel)
    {
        var xs = new Shape4D(2, channels, 56, 56);
        var g = new Conv2DGeometry(kernel, stride: transposed ? 2 : 1, padding: kernel / 2, outputPadding: transposed ? 1 : 0);
        Size2D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        Assert.False(new ConvKernel.Plan(transposed, xs, channels, o, g, 2).Bounded);
    }

    /// <summary>
    /// Four million output channels (a weight of <c>2^22</c> elements, <c>K = 1</c>) on a 1x1 input, forward and
    /// transposed: <c>y[c] = w[c]*x + b[c]</c> with <c>x = 2</c>, <c>w[c] = c % 7 - 3</c>, <c>b[c] = c % 5</c>.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MillionsOfOutputChannelsRun(bool transposed)
    {
        const int Channels = 1 << 22;
        float[] w = new float[Channels], b = new float[Channels], expected = new float[Channels];
        for (int c = 0; c < Channels; c++)
        {
            (w[c], b[c]) = ((c % 7) - 3, c % 5);
            expected[c] = (2 * w[c]) + b[c];
        }

        var g = new Conv2DGeometry(1);
        var ws = transposed ? new Shape4D(1, Channels, 1, 1) : new Shape4D(Channels, 1, 1, 1);
        AssertBoth(transposed, [2f], new Shape4D(1, 1, 1, 1), w, ws, b, g, new Shape4D(1, Channels, 1, 1), expected);
    }

    private static unsafe float[] AtWidth(KernelWidth width, float[] x, float[] w, float[] bias, Shape4D ys, in ConvKernel.Plan plan)
    {
        var y = new float[ys.ElementCount];
        fixed (float* px = x)
        fixed (float* pw = w)
        fixed (float* pb = bias)
        fixed (float* py = y)
        {
            KernelWidths.Conv(width, px, pw, pb, py, plan, 1);
        }

        return y;
    }

    /// <summary>Integers in [-3, 3], seeded: every product and sum the tests make is exact in float.</summary>
    private static float[] SmallIntegers(long count, int seed)
    {
        var random = new Random(seed);
        float[] values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = random.Next(-3, 4);
        }

        return values;
    }

    /// <summary>
    /// A kernel of <c>2^20</c> rows on a 1x1 input: the plan's scan for output rows no input row reaches cost
    /// <c>OH*kH = 2^40</c> steps (a hang); now a scan past its budget is skipped (the bias pre-fill gives the same
    /// bits). Output height <c>0 + (2^20 - 1) + 1 = 2^20</c>, <c>y[j] = x*w[j] = 3*(j % 9 - 4)</c>. Run on a task and
    /// required to finish within a generous 30 s.
    /// </summary>
    [Fact]
    public async Task AKernelOfAMillionRowsDoesNotHang()
    {
        const int Rows = 1 << 20;
        float[] w = new float[Rows], expected = new float[Rows];
        for (int j = 0; j < Rows; j++)
        {
            w[j] = (j % 9) - 4;
            expected[j] = 3 * w[j];
        }

        var g = new Conv2DGeometry(new Size2D(Rows, 1));
        Task run = Task.Run(() => AssertTransposed([3f], new Shape4D(1, 1, 1, 1), w, new Shape4D(1, 1, Rows, 1), [], g, new Shape4D(1, 1, Rows, 1), expected));
        Task first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(first == run, "the transposed convolution did not finish within 30 s");
        await run;
    }

    /// <summary>
    /// The whole class, drawn at random: tiny tensors with strides, dilations and paddings from 1 up to
    /// <c>int.MaxValue</c> (the paddings chosen so that the output has 1 to 6 cells per axis), both operators, with
    /// groups, batch and bias. The expected values come from the definition (SEMANTICS.md 4) evaluated in 64-bit
    /// arithmetic by <see cref="Definition"/> (the reference oracle's loops, which index in 32 bits, would overflow on
    /// these geometries); the data are small integers, so every sum is exact in any order.
    /// </summary>
    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 3)]
    [InlineData(true, 4)]
    public void RandomExtremeGeometriesOnTinyTensorsGiveTheDefinition(bool transposed, int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 150; trial++)
        {
            int groups = random.Next(1, 3);
            int cinG = random.Next(1, 3), coutG = random.Next(1, 3);
            (int ih, int kh, int sh, int dh, int pbh, int peh, int oph, int oh) = ExtremeAxis(random, transposed);
            (int iw, int kw, int sw, int dw, int pbw, int pew, int opw, int ow) = ExtremeAxis(random, transposed);
            var g = new Conv2DGeometry(new Size2D(kh, kw), new Size2D(sh, sw), null, new Size2D(dh, dw), groups, new Size2D(oph, opw))
                .WithPadding(new Size2D(pbh, pbw), new Size2D(peh, pew));
            var xs = new Shape4D(random.Next(1, 3), groups * cinG, ih, iw);
            var ws = transposed ? new Shape4D(groups * cinG, coutG, kh, kw) : new Shape4D(groups * coutG, cinG, kh, kw);
            var ys = new Shape4D(xs.Batch, groups * coutG, oh, ow);
            float[] x = SmallIntegers(xs.ElementCount, random.Next());
            float[] w = SmallIntegers(ws.ElementCount, random.Next());
            float[] bias = random.Next(2) == 0 ? [] : SmallIntegers(ys.Channels, random.Next());
            float[] expected = Definition(transposed, x, xs, w, ws, bias, g, ys);
            if (transposed)
            {
                AssertTransposed(x, xs, w, ws, bias, g, ys, expected);
            }
            else
            {
                AssertForward(x, xs, w, ws, bias, g, ys, expected);
            }
        }
    }

    /// <summary>
    /// One axis of a random extreme geometry: input 1..4, kernel 1..4, stride and dilation small or in
    /// <c>[2^28, int.MaxValue]</c>, and begin/end paddings (each at most <c>int.MaxValue</c>) that give an output of 1..6:
    /// transposed, total padding <c>(i-1)*s + d*(k-1) + 1 - o</c> (or output padding when that is negative and below
    /// <c>max(s, d)</c>); forward, <c>keff - i + (o-1)*s + r</c> with <c>0 &lt;= r &lt; s</c>.
    /// </summary>
    private static (int I, int K, int S, int D, int Begin, int End, int OutputPadding, int O) ExtremeAxis(Random random, bool transposed)
    {
        while (true)
        {
            int i = random.Next(1, 5), k = random.Next(1, 5), o = random.Next(1, 7);
            int s = random.Next(3) == 0 ? random.Next(1 << 28, int.MaxValue) + 1 : random.Next(1, 4);
            int d = random.Next(3) == 0 ? random.Next(1 << 28, int.MaxValue) + 1 : random.Next(1, 3);
            long extent = ((long)d * (k - 1)) + 1;
            long total = transposed
                ? ((long)(i - 1) * s) + extent - o
                : extent - i + ((long)(o - 1) * s) + random.NextInt64(s);
            int outputPadding = 0;
            if (transposed && total < 0 && -total < Math.Max(s, d))
            {
                (outputPadding, total) = ((int)-total, 0);
            }

            if (total < 0 || total > 2L * int.MaxValue)
            {
                continue;
            }

            long begin = random.NextInt64(Math.Max(0, total - int.MaxValue), Math.Min(total, int.MaxValue) + 1);
            return (i, k, s, d, (int)begin, (int)(total - begin), outputPadding, o);
        }
    }

    /// <summary>
    /// SEMANTICS.md 4 in 64-bit arithmetic: the convolution's gather
    /// <c>y[n, g*Cout/g + co, o] = bias + sum x[n, g*Cin/g + ci, o*s - pb + j*d] * w[g*Cout/g + co, ci, j]</c> and the
    /// transposed convolution's scatter <c>y[n, g*Cout/g + co, i*s - pb + j*d] += x[n, g*Cin/g + ci, i] * w[g*Cin/g + ci, co, j]</c>,
    /// as plain loops (only for the tiny tensors of these tests).
    /// </summary>
    private static float[] Definition(bool transposed, float[] x, Shape4D xs, float[] w, Shape4D ws, float[] bias, Conv2DGeometry g, Shape4D ys)
    {
        int groups = g.Groups, cinG = xs.Channels / groups, coutG = ys.Channels / groups, kh = ws.Height, kw = ws.Width;
        var y = new float[ys.ElementCount];
        for (int n = 0; n < ys.Batch; n++)
        {
            for (int c = 0; c < ys.Channels; c++)
            {
                for (int p = 0; p < ys.Height * ys.Width; p++)
                {
                    y[(((n * ys.Channels) + c) * ys.Height * ys.Width) + p] = bias.Length == 0 ? 0 : bias[c];
                }
            }

            for (int gi = 0; gi < groups; gi++)
            {
                for (int ci = 0; ci < cinG; ci++)
                {
                    for (int co = 0; co < coutG; co++)
                    {
                        int cIn = (gi * cinG) + ci, cOut = (gi * coutG) + co;
                        for (int jh = 0; jh < kh; jh++)
                        {
                            for (int jw = 0; jw < kw; jw++)
                            {
                                float weight = transposed
                                    ? w[(((((cIn * coutG) + co) * kh) + jh) * kw) + jw]
                                    : w[(((((cOut * cinG) + ci) * kh) + jh) * kw) + jw];
                                int outer = transposed ? xs.Height : ys.Height, inner = transposed ? xs.Width : ys.Width;
                                for (int a = 0; a < outer; a++)
                                {
                                    for (int b = 0; b < inner; b++)
                                    {
                                        // a, b index the scattering input (transposed) or the gathering output (forward).
                                        long r = ((long)a * g.Stride.Height) - g.PaddingBegin.Height + ((long)jh * g.Dilation.Height);
                                        long q = ((long)b * g.Stride.Width) - g.PaddingBegin.Width + ((long)jw * g.Dilation.Width);
                                        int limitH = transposed ? ys.Height : xs.Height, limitW = transposed ? ys.Width : xs.Width;
                                        if (r < 0 || r >= limitH || q < 0 || q >= limitW)
                                        {
                                            continue;
                                        }

                                        if (transposed)
                                        {
                                            y[(((((n * ys.Channels) + cOut) * ys.Height) + (int)r) * ys.Width) + (int)q] +=
                                                x[(((((n * xs.Channels) + cIn) * xs.Height) + a) * xs.Width) + b] * weight;
                                        }
                                        else
                                        {
                                            y[(((((n * ys.Channels) + cOut) * ys.Height) + a) * ys.Width) + b] +=
                                                x[(((((n * xs.Channels) + cIn) * xs.Height) + (int)r) * xs.Width) + (int)q] * weight;
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return y;
    }

    /// <summary>The forms of the two operators, for defect 11.</summary>
    public enum Form
    {
        /// <summary>Spans and shapes.</summary>
        Span,

        /// <summary>Tensor spans into a destination tensor span.</summary>
        TensorSpan,

        /// <summary>Allocating, from <see cref="Tensor{T}"/>.</summary>
        Tensor,

        /// <summary>Allocating, from tensor spans.</summary>
        AllocatingSpan,
    }

    /// <summary>The validation rules defect 11 checks in every form, with the parameter each names (the weight's name is the form's).</summary>
    public static TheoryData<bool, Form, string> FormRules()
    {
        var data = new TheoryData<bool, Form, string>();
        foreach (bool transposed in new[] { false, true })
        {
            foreach (Form form in Enum.GetValues<Form>())
            {
                foreach (string rule in new[] { "kernel", "weightChannels", "groups", "bias", "default", "emptyOutput", "hugeOutput", "outputChannels" })
                {
                    data.Add(transposed, form, rule);
                }
            }
        }

        return data;
    }

    /// <summary>
    /// Defect 11: the tensor-span and allocating forms reported <c>ParamName</c> "weightShape", which those overloads do
    /// not have. Every rule, in every form of both operators, must name a parameter of that overload (checked by
    /// reflection), and the weight's rules must name the weight as that form calls it.
    /// </summary>
    [Theory]
    [MemberData(nameof(FormRules))]
    public void Defect11_EveryFormNamesOneOfItsOwnParameters(bool transposed, Form form, string rule)
    {
        // Good: [1, 2, 5, 5] input, kernel 3, groups 1; forward weight [4, 2, 3, 3], transposed weight [2, 4, 3, 3].
        var xs = new Shape4D(1, 2, 5, 5);
        var ws = transposed ? new Shape4D(2, 4, 3, 3) : new Shape4D(4, 2, 3, 3);
        var g = new Conv2DGeometry(3);
        int biasLength = 4;
        string expected;
        string weightName = form == Form.Span ? "weightShape" : "weight";
        switch (rule)
        {
            case "kernel": ws = ws with { Height = 2 }; expected = weightName; break;
            case "weightChannels": ws = transposed ? ws with { Batch = 3 } : ws with { Channels = 1 }; expected = weightName; break;
            case "groups": g = new Conv2DGeometry(3, groups: 3); expected = "geometry"; break;
            case "bias": biasLength = 3; expected = "bias"; break;
            case "default": g = default; expected = "geometry"; break;
            case "emptyOutput": g = transposed ? new Conv2DGeometry(3, padding: 5) : new Conv2DGeometry(3, dilation: 3); expected = "geometry"; break;
            case "hugeOutput": g = transposed ? new Conv2DGeometry(3, stride: 1 << 20) : new Conv2DGeometry(3, padding: 1 << 20); expected = "geometry"; break;
            default:
                // Output channels past int.MaxValue: transposed weight [2, 2^30, 3, 3] has no elements only with Cin = 0.
                if (transposed)
                {
                    xs = xs with { Channels = 0 };
                    ws = new Shape4D(0, 1 << 30, 3, 3);
                    g = new Conv2DGeometry(3, groups: 4);
                    biasLength = 0;
                    expected = weightName;
                }
                else
                {
                    // Forward: groups not dividing the output channels.
                    ws = new Shape4D(3, 1, 3, 3);
                    g = new Conv2DGeometry(3, groups: 2);
                    expected = "geometry";
                }

                break;
        }

        MethodInfo method = FormMethod(transposed, form);
        string[] parameters = method.GetParameters().Select(p => p.Name!).ToArray();
        Assert.Contains(expected, parameters);
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(() => CallForm(transposed, form, xs, ws, biasLength, g));
        Assert.True(parameters.Contains(e.ParamName), $"{method} threw naming '{e.ParamName}', not one of its parameters ({string.Join(", ", parameters)}): {e.Message}");
        Assert.Equal(expected, e.ParamName);
    }

    /// <summary>The destination and source of the tensor forms: a wrong rank or shape names that form's tensor.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Defect11_TensorFormsNameTheirTensors(bool transposed)
    {
        var xs = new Shape4D(1, 2, 5, 5);
        var ws = transposed ? new Shape4D(2, 4, 3, 3) : new Shape4D(4, 2, 3, 3);
        var g = new Conv2DGeometry(3);
        var ys = transposed ? new Shape4D(1, 4, 7, 7) : new Shape4D(1, 4, 3, 3);
        Tensor<float> x = Tensor.Create(new float[xs.ElementCount], [1, 2, 5, 5]);
        Tensor<float> w = Tensor.Create(new float[ws.ElementCount], [ws.Batch, ws.Channels, 3, 3]);
        Tensor<float> wrongY = Tensor.Create(new float[4 * ys.Width * (ys.Height + 1)], [1, 4, ys.Width, ys.Height + 1]);
        Tensor<float> x3 = Tensor.Create(new float[50], [2, 5, 5]);
        Tensor<float> w3 = Tensor.Create(new float[ws.ElementCount], [ws.Batch * ws.Channels, 3, 3]);
        if (transposed)
        {
            Throws.Param<ArgumentException>("destination", () => Functional.ConvTranspose2D(x.AsReadOnlyTensorSpan(), w.AsReadOnlyTensorSpan(), default, g, wrongY.AsTensorSpan()));
            Throws.Param<ArgumentException>("source", () => Functional.ConvTranspose2D(x3, w, null, g));
            Throws.Param<ArgumentException>("weight", () => Functional.ConvTranspose2D(x, w3, null, g));
            Throws.Param<ArgumentException>("weight", () => Functional.ConvTranspose2D(x.AsReadOnlyTensorSpan(), w3.AsReadOnlyTensorSpan(), default, g));
        }
        else
        {
            Throws.Param<ArgumentException>("destination", () => Functional.Conv2D(x.AsReadOnlyTensorSpan(), w.AsReadOnlyTensorSpan(), default, g, wrongY.AsTensorSpan()));
            Throws.Param<ArgumentException>("source", () => Functional.Conv2D(x3, w, null, g));
            Throws.Param<ArgumentException>("weight", () => Functional.Conv2D(x, w3, null, g));
            Throws.Param<ArgumentException>("weight", () => Functional.Conv2D(x.AsReadOnlyTensorSpan(), w3.AsReadOnlyTensorSpan(), default, g));
        }
    }

    /// <summary>
    /// The allocating transposed form with an <c>outputSize</c> whose output no array holds names outputSize (the
    /// geometry alone gives a small one): stride 50000 and padding 25000 on a 2x2 input, kernel 1, give
    /// <c>50000 - 50000 + 1 = 1</c> per axis with no output padding, and reach up to <c>1 + 50000 - 1 = 50000</c> with
    /// it; asking for 50000 x 50000 (2.5e9 elements, more than an array holds) is refused naming outputSize.
    /// </summary>
    [Fact]
    public void AllocatingTransposedWithAHugeOutputSizeNamesOutputSize()
    {
        Tensor<float> x = Tensor.Create(new float[4], [1, 1, 2, 2]);
        Tensor<float> w = Tensor.Create(new float[1], [1, 1, 1, 1]);
        var g = new Conv2DGeometry(1, stride: 50000, padding: 25000);
        Assert.Equal([1, 1, 1, 1], Functional.ConvTranspose2D(x, w, null, g).Lengths.ToArray());
        Throws.Param<ArgumentException>("outputSize", () => Functional.ConvTranspose2D(x, w, null, g, new Size2D(50000, 50000)));
    }

    private static MethodInfo FormMethod(bool transposed, Form form)
    {
        string name = transposed ? nameof(Functional.ConvTranspose2D) : nameof(Functional.Conv2D);
        IEnumerable<MethodInfo> candidates = typeof(Functional).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == name);
        return candidates.Single(m =>
        {
            ParameterInfo[] p = m.GetParameters();
            bool returns = m.ReturnType != typeof(void);
            return form switch
            {
                Form.Span => p[1].ParameterType == typeof(Shape4D),
                Form.TensorSpan => !returns && p[1].ParameterType != typeof(Shape4D),
                Form.Tensor => returns && p[0].ParameterType.IsGenericType && p[0].ParameterType.GetGenericTypeDefinition() == typeof(Tensor<>),
                _ => returns && p[0].ParameterType.IsByRef,
            };
        });
    }

    private static void CallForm(bool transposed, Form form, Shape4D xs, Shape4D ws, int biasLength, Conv2DGeometry g)
    {
        float[] x = new float[xs.ElementCount];
        float[] w = new float[ws.ElementCount];
        float[] b = new float[biasLength];
        Tensor<float> xt = Tensor.Create(x, [xs.Batch, xs.Channels, xs.Height, xs.Width]);
        Tensor<float> wt = Tensor.Create(w, [ws.Batch, ws.Channels, ws.Height, ws.Width]);
        Tensor<float> bt = Tensor.Create(b, [biasLength]);

        // The destination of the non-allocating forms: big enough never to be the first complaint.
        float[] y = new float[4096];
        Tensor<float> yt = Tensor.Create(new float[4 * 7 * 7], [1, 4, 7, 7]);
        switch (form, transposed)
        {
            case (Form.Span, false): Functional.Conv2D<float>(x, xs, w, ws, b, g, y); break;
            case (Form.Span, true): Functional.ConvTranspose2D<float>(x, xs, w, ws, b, g, y); break;
            case (Form.TensorSpan, false): Functional.Conv2D(xt.AsReadOnlyTensorSpan(), wt.AsReadOnlyTensorSpan(), b, g, yt.AsTensorSpan()); break;
            case (Form.TensorSpan, true): Functional.ConvTranspose2D(xt.AsReadOnlyTensorSpan(), wt.AsReadOnlyTensorSpan(), b, g, yt.AsTensorSpan()); break;
            case (Form.Tensor, false): Functional.Conv2D(xt, wt, bt, g); break;
            case (Form.Tensor, true): Functional.ConvTranspose2D(xt, wt, bt, g); break;
            case (_, false): Functional.Conv2D(xt.AsReadOnlyTensorSpan(), wt.AsReadOnlyTensorSpan(), b, g); break;
            default: Functional.ConvTranspose2D(xt.AsReadOnlyTensorSpan(), wt.AsReadOnlyTensorSpan(), b, g); break;
        }
    }

    private static T[] AssertTransposed<T>(T[] x, Shape4D xs, T[] w, Shape4D ws, T[] bias, Conv2DGeometry g, Shape4D ys, T[] expected)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(ys.SpatialSize, g.GetTransposedOutputSize(xs.SpatialSize));
        return AssertBoth(true, x, xs, w, ws, bias, g, ys, expected);
    }

    private static T[] AssertForward<T>(T[] x, Shape4D xs, T[] w, Shape4D ws, T[] bias, Conv2DGeometry g, Shape4D ys, T[] expected)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(ys.SpatialSize, g.GetOutputSize(xs.SpatialSize));
        return AssertBoth(false, x, xs, w, ws, bias, g, ys, expected);
    }

    /// <summary>Runs on one and on two threads into guarded destinations: exact expected values, the same bits, no stray write.</summary>
    private static T[] AssertBoth<T>(bool transposed, T[] x, Shape4D xs, T[] w, Shape4D ws, T[] bias, Conv2DGeometry g, Shape4D ys, T[] expected)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(ys.ElementCount, expected.Length);
        T[]? first = null;
        foreach (int threads in new[] { 1, 2 })
        {
            var y = new GuardedBuffer<T>((int)ys.ElementCount);
            if (transposed)
            {
                Functional.ConvTranspose2D<T>(x, xs, w, ws, bias, g, y.Span, Threads.Options(threads));
            }
            else
            {
                Functional.Conv2D<T>(x, xs, w, ws, bias, g, y.Span, Threads.Options(threads));
            }

            y.AssertGuardsIntact($"{typeof(T).Name}, {threads} thread(s)");
            T[] actual = y.ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                if (actual[i] != expected[i])
                {
                    Assert.Fail($"{typeof(T).Name}, {threads} thread(s): element {i} is {actual[i]}, expected {expected[i]}.");
                }
            }

            first ??= actual;
        }

        return first!;
    }

    private static T[] Values<T>(params double[] values)
        where T : IFloatingPointIeee754<T>
        => values.Select(T.CreateChecked).ToArray();

    private static T[] Ramp<T>(int count, int start)
        where T : IFloatingPointIeee754<T>
        => Enumerable.Range(start, count).Select(i => T.CreateChecked(i)).ToArray();
}
