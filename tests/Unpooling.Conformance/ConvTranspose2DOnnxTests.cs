using Microsoft.ML.OnnxRuntime;
using Unpooling.Conformance.Infrastructure;
using Unpooling.Peers.Onnx;
using Xunit.Abstractions;

namespace Unpooling.Conformance;

/// <summary>
/// <c>ConvTranspose2D</c> against ONNX Runtime's <c>ConvTranspose</c> (float: ONNX Runtime has no double kernel; double
/// is covered against libtorch): asymmetric <c>pads</c>, <c>output_padding</c>, dilations, groups and bias, and the
/// ONNX ways of choosing the padding: <c>output_shape</c>, <c>auto_pad</c> SAME_UPPER / SAME_LOWER (output
/// <c>input * stride</c>) with or without <c>output_shape</c>, and VALID.
/// </summary>
/// <remarks>
/// Ours takes the ONNX request through <c>Conv2DGeometry.WithOnnxTransposedOutputShape</c> and
/// <c>WithOnnxTransposedAutoPad</c>, which follow the ONNX specification (SEMANTICS.md section 4): total pad
/// <c>s*(i-1) + op + d*(k-1) + 1 - o</c>, its odd cell at the end for SAME_UPPER and at the beginning otherwise. ONNX
/// Runtime 1.30 splits the same way (so here the peer, the specification and ours agree). A negative total pad (an
/// <c>output_shape</c> past the unpadded output) is no padding and more output padding at the end for ours, which is
/// what ONNX Runtime computes by clamping the pads to zero: compared cell for cell. Two documented differences remain:
/// SAME with <c>keff + op &lt; stride</c>, where ONNX Runtime returns the unpadded output and ours the specification's
/// <c>input * stride</c>, that output grown at the end with bias-only cells (<see cref="GrowWithBias"/>), and
/// <c>output_padding &gt;= stride</c>, which ONNX Runtime refuses and PyTorch and ours allow below
/// <c>max(stride, dilation)</c>.
/// </remarks>
public sealed class ConvTranspose2DOnnxTests(ITestOutputHelper output) : RandomCaseTests<ConvTranspose2DOnnxTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("ConvTranspose2D vs ORT ConvTranspose, float", 300, Case),
    ];

    /// <summary>How a case tells ONNX Runtime the padding.</summary>
    private enum Padding
    {
        Pads,
        Valid,
        OutputShape,
        SameUpper,
        SameLower,
        OutputShapeSameUpper,
        OutputShapeSameLower,
    }

    private static void Case(CaseContext c)
    {
        ConvCase<float> k = ConvCase<float>.Draw(c, transposed: true, asymmetric: 0.6);
        Random r = c.Random;
        Padding mode = r.Pick(Enum.GetValues<Padding>());
        Conv2DGeometry g = k.Geometry;
        Size2D input = k.XShape.SpatialSize;
        OnnxAutoPad autoPad = mode switch
        {
            Padding.SameUpper or Padding.OutputShapeSameUpper => OnnxAutoPad.SameUpper,
            Padding.SameLower or Padding.OutputShapeSameLower => OnnxAutoPad.SameLower,
            Padding.Valid => OnnxAutoPad.Valid,
            _ => OnnxAutoPad.NotSet,
        };

        // A requested output_shape sometimes reaches past the unpadded output (a negative total pad), by at most
        // stride - 1 - output padding cells: ONNX Runtime refuses more (it recomputes the input size from the output).
        Size2D full = g.WithPadding(0, 0).GetTransposedOutputSize(input);
        bool past = r.Chance(0.2);
        Size2D? shape = mode is Padding.OutputShape or Padding.OutputShapeSameUpper or Padding.OutputShapeSameLower
            ? new Size2D(
                r.Between(1, full.Height + (past ? Math.Max(0, g.Stride.Height - 1 - g.OutputPadding.Height) : 0)),
                r.Between(1, full.Width + (past ? Math.Max(0, g.Stride.Width - 1 - g.OutputPadding.Width) : 0)))
            : null;
        List<OnnxAttribute> attributes =
        [
            OnnxAttribute.Ints("kernel_shape", g.KernelSize.Height, g.KernelSize.Width),
            OnnxAttribute.Ints("strides", g.Stride.Height, g.Stride.Width),
            OnnxAttribute.Ints("dilations", g.Dilation.Height, g.Dilation.Width),
            OnnxAttribute.Int("group", g.Groups),
            OnnxAttribute.Ints("output_padding", g.OutputPadding.Height, g.OutputPadding.Width),
        ];
        if (mode == Padding.Pads)
        {
            attributes.Add(OnnxAttribute.Ints("pads", g.PaddingBegin.Height, g.PaddingBegin.Width, g.PaddingEnd.Height, g.PaddingEnd.Width));
        }

        if (autoPad != OnnxAutoPad.NotSet)
        {
            attributes.Add(OnnxAttribute.String("auto_pad", autoPad switch { OnnxAutoPad.SameUpper => "SAME_UPPER", OnnxAutoPad.SameLower => "SAME_LOWER", _ => "VALID" }));
        }

        if (shape is { } o)
        {
            attributes.Add(OnnxAttribute.Ints("output_shape", o.Height, o.Width));
        }

        // Ours takes the ONNX request through Conv2DGeometry's helpers; a negative total pad becomes output padding.
        Conv2DGeometry ours = mode == Padding.Pads ? g
            : shape is { } requested ? g.WithOnnxTransposedOutputShape(input, requested, autoPad)
            : g.WithOnnxTransposedAutoPad(input, autoPad);
        c.Describe($"{c.Description}; ONNX {mode}{(shape is { } s ? $" to {s}" : string.Empty)}, so ours with {ours}");
        var builder = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, TorchOps.Dims(k.XShape))
            .Input("W", OnnxElementType.Float, TorchOps.Dims(k.WShape));
        List<OrtInput> inputs = [new("X", k.X, TorchOps.Dims(k.XShape)), new("W", k.W, TorchOps.Dims(k.WShape))];
        if (k.Bias is { } bias)
        {
            builder.Input("B", OnnxElementType.Float, bias.Length);
            inputs.Add(new("B", bias, [bias.Length]));
        }

        byte[] model = builder
            .Node("ConvTranspose", inputs.Select(i => i.Name).ToArray(), ["Y"], [.. attributes])
            .Output("Y", OnnxElementType.Float)
            .Build();
        (Array Data, long[] Shape) y;
        try
        {
            y = OrtOps.Run(model, [.. inputs], "Y")[0];
        }
        catch (OnnxRuntimeException) when (g.OutputPadding.Height >= g.Stride.Height || g.OutputPadding.Width >= g.Stride.Width)
        {
            // ONNX Runtime checks its output size by recomputing the input size, which output padding of a stride or
            // more breaks, so it refuses output_padding >= stride; PyTorch and ours allow it below max(stride, dilation).
            c.Tag("output_padding >= stride: ONNX Runtime refuses (documented difference)");
            return;
        }

        var peerShape = new Shape4D((int)y.Shape[0], (int)y.Shape[1], (int)y.Shape[2], (int)y.Shape[3]);
        var peer = (float[])y.Data;
        if (ours.OutputPadding != g.OutputPadding)
        {
            if (shape is null)
            {
                // SAME with keff + op < stride: ONNX Runtime clamps the total pad to zero and returns the unpadded
                // output; ours is input * stride, that output grown at the end with cells that hold only the bias.
                Shape4D grown = peerShape.WithSpatialSize(ours.GetTransposedOutputSize(input));
                peer = GrowWithBias(peer, peerShape, grown, k.Bias);
                peerShape = grown;
                c.Tag("SAME with keff + op < stride: ONNX Runtime returns the unpadded output, ours grows it to input * stride with bias-only cells (documented difference)");
            }
            else
            {
                c.Tag("output_shape past the unpadded output: output padding at the end, as ONNX Runtime");
            }
        }

        (k with { Geometry = ours }).Verify(peer, peerShape, "ONNX Runtime");
        c.Tag(mode.ToString());
    }

    /// <summary>
    /// An odd SAME_UPPER total pad, by hand: x = [1, 10], w = [1, 2, 3], stride 2 give the unpadded [1, 2, 13, 20, 30];
    /// SAME_UPPER asks for 4 cells, a total pad of 1, which the specification puts at the end: [1, 2, 13, 20]. ONNX
    /// Runtime 1.30 and ours both do (Conv2DGeometry's remarks say ONNX Runtime splits the other way round; this
    /// version does not).
    /// </summary>
    [Theory]
    [InlineData(OnnxAutoPad.SameUpper, "SAME_UPPER", new float[] { 1, 2, 13, 20 })]
    [InlineData(OnnxAutoPad.SameLower, "SAME_LOWER", new float[] { 2, 13, 20, 30 })]
    public void OddSamePadSplitsAsTheSpecificationSays(OnnxAutoPad autoPad, string attribute, float[] expected)
    {
        float[] x = [1, 10], w = [1, 2, 3];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, 1, 1, 1, 2).Input("W", OnnxElementType.Float, 1, 1, 1, 3)
            .Node("ConvTranspose", ["X", "W"], ["Y"], OnnxAttribute.Ints("strides", 1, 2), OnnxAttribute.String("auto_pad", attribute))
            .Output("Y", OnnxElementType.Float)
            .Build();
        Assert.Equal(expected, (float[])OrtOps.Run(model, [new("X", x, [1, 1, 1, 2]), new("W", w, [1, 1, 1, 3])], "Y")[0].Data);
        Conv2DGeometry g = new Conv2DGeometry(new Size2D(1, 3), new Size2D(1, 2)).WithOnnxTransposedAutoPad(new Size2D(1, 2), autoPad);
        var y = new float[4];
        Functional.ConvTranspose2D(x, new Shape4D(1, 1, 1, 2), w, new Shape4D(1, 1, 1, 3), [], g, y);
        Assert.Equal(expected, y);
    }

    /// <summary>
    /// Every <c>output_shape</c> past the unpadded output that ONNX Runtime accepts (up to <c>s*(i-1) + keff + s - 1</c>,
    /// so a negative total pad of at most <c>s - 1 - op</c>), on both axes and one at a time, for each auto_pad value:
    /// ours (no padding, the rest as output padding at the end) must equal ONNX Runtime's output cell for cell.
    /// Integer-valued data, so the sums are exact.
    /// </summary>
    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(2, 3, 1)]
    [InlineData(3, 3, 2)]
    [InlineData(2, 4, 1)]
    public void OutputShapePastTheUnpaddedOutputMatchesOnnxRuntime(int kernel, int stride, int dilation)
    {
        var xs = new Shape4D(1, 2, 3, 2);
        float[] x = Enumerable.Range(0, (int)xs.ElementCount).Select(i => (float)((i * 7 % 11) - 5)).ToArray();
        var ws = new Shape4D(2, 3, kernel, kernel);
        float[] w = Enumerable.Range(0, (int)ws.ElementCount).Select(i => (float)((i * 5 % 7) - 3)).ToArray();
        float[] bias = [0.5f, -1.5f, 2.5f];
        int checkedShapes = 0;
        for (int op = 0; op < stride; op++)
        {
            var g = new Conv2DGeometry(kernel, stride, dilation: dilation, outputPadding: op);
            Size2D full = g.GetTransposedOutputSize(xs.SpatialSize);
            foreach (OnnxAutoPad autoPad in (OnnxAutoPad[])[OnnxAutoPad.NotSet, OnnxAutoPad.SameUpper, OnnxAutoPad.SameLower])
            {
                for (int extra = 1; extra <= stride - 1 - op; extra++)
                {
                    foreach (Size2D o in (Size2D[])[new(full.Height + extra, full.Width + extra), new(full.Height, full.Width + extra), new(full.Height + extra, full.Width - 1)])
                    {
                        string autoPadName = autoPad == OnnxAutoPad.SameUpper ? "SAME_UPPER" : autoPad == OnnxAutoPad.SameLower ? "SAME_LOWER" : "NOTSET";
                        byte[] model = new OnnxModelBuilder()
                            .Input("X", OnnxElementType.Float, TorchOps.Dims(xs)).Input("W", OnnxElementType.Float, TorchOps.Dims(ws)).Input("B", OnnxElementType.Float, bias.Length)
                            .Node(
                                "ConvTranspose",
                                ["X", "W", "B"],
                                ["Y"],
                                OnnxAttribute.Ints("strides", stride, stride),
                                OnnxAttribute.Ints("dilations", dilation, dilation),
                                OnnxAttribute.Ints("output_padding", op, op),
                                OnnxAttribute.Ints("output_shape", o.Height, o.Width),
                                OnnxAttribute.String("auto_pad", autoPadName))
                            .Output("Y", OnnxElementType.Float)
                            .Build();
                        (Array data, long[] shape) = OrtOps.Run(model, [new("X", x, TorchOps.Dims(xs)), new("W", w, TorchOps.Dims(ws)), new("B", bias, [bias.Length])], "Y")[0];
                        Conv2DGeometry ours = g.WithOnnxTransposedOutputShape(xs.SpatialSize, o, autoPad);
                        var ys = new Shape4D(1, 3, o.Height, o.Width);
                        Assert.Equal(TorchOps.Dims(ys), shape);
                        var y = new float[ys.ElementCount];
                        Functional.ConvTranspose2D(x, xs, w, ws, bias, ours, y);
                        Check.Exact<float>((float[])data, y, ys, $"k{kernel} s{stride} d{dilation} op{op} {autoPadName} output_shape {o}, ours {ours}");
                        checkedShapes++;
                    }
                }
            }
        }

        Assert.True(checkedShapes > 0 || stride == 1, "no shape past the unpadded output was checked");
    }

    /// <summary>
    /// ONNX Runtime's SAME output where it clamped a negative total pad to zero (the unpadded output), grown at the end
    /// of each axis to <paramref name="grown"/> (ours, <c>input * stride</c>) with cells that hold only the channel's
    /// bias: what SEMANTICS.md 4 says ours must return. ONNX Runtime's output must not be the larger of the two.
    /// </summary>
    private static float[] GrowWithBias(float[] peer, Shape4D peerShape, Shape4D grown, float[]? bias)
    {
        if (peerShape.Height > grown.Height || peerShape.Width > grown.Width)
        {
            throw new MismatchException($"ONNX Runtime's SAME output is {peerShape}, larger than ours {grown}.");
        }

        var result = new float[grown.ElementCount];
        for (long i = 0; i < result.Length; i++)
        {
            long w = i % grown.Width, h = i / grown.Width % grown.Height, plane = i / grown.PlaneSize;
            result[i] = h < peerShape.Height && w < peerShape.Width
                ? peer[(((plane * peerShape.Height) + h) * peerShape.Width) + w]
                : bias?[plane % grown.Channels] ?? 0f;
        }

        return result;
    }
}
