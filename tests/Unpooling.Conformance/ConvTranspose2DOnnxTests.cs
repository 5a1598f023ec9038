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
/// Runtime 1.30 splits the same way (so here the peer, the specification and ours agree). Two documented differences
/// are checked rather than compared: a negative total pad, which ours refuses and ONNX Runtime clamps to zero
/// (<see cref="AgreeOnNegativePadding"/>), and <c>output_padding &gt;= stride</c>, which ONNX Runtime refuses and
/// PyTorch and ours allow below <c>max(stride, dilation)</c>.
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

        // Ours takes the ONNX request through Conv2DGeometry's helpers; they refuse a negative total pad.
        Conv2DGeometry? ours = null;
        string? refusal = null;
        try
        {
            ours = mode == Padding.Pads ? g
                : shape is { } requested ? g.WithOnnxTransposedOutputShape(input, requested, autoPad)
                : g.WithOnnxTransposedAutoPad(input, autoPad);
        }
        catch (ArgumentOutOfRangeException e)
        {
            refusal = e.Message;
        }

        c.Describe($"{c.Description}; ONNX {mode}{(shape is { } s ? $" to {s}" : string.Empty)}, so ours with {ours?.ToString() ?? "(refused)"}");
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
        if (refusal is not null)
        {
            AgreeOnNegativePadding(c, k, g, shape ?? new Size2D(input.Height * g.Stride.Height, input.Width * g.Stride.Width), autoPad, shape is not null, (float[])y.Data, peerShape, refusal);
            return;
        }

        (k with { Geometry = ours!.Value }).Verify((float[])y.Data, peerShape, "ONNX Runtime");
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
    /// Ours refused a request whose total pad is negative on some axis (an output_shape past the unpadded output, or
    /// SAME with <c>op + keff &lt; stride</c>): SEMANTICS.md has no negative padding, and output padding asks for a
    /// larger output. ONNX Runtime clamps that axis's total to zero instead. Checked: with an output_shape it returns
    /// the requested shape, whose cells past the unpadded output hold only the bias, and whose other cells are ours
    /// for the clamped shape; with SAME it returns the clamped shape (smaller than <c>input * stride</c>), all of it
    /// ours for that shape.
    /// </summary>
    private static void AgreeOnNegativePadding(
        CaseContext c, ConvCase<float> k, Conv2DGeometry g, Size2D target, OnnxAutoPad autoPad, bool explicitShape, float[] peer, Shape4D peerShape, string refusal)
    {
        Size2D input = k.XShape.SpatialSize, full = g.WithPadding(0, 0).GetTransposedOutputSize(input);
        var clamped = new Size2D(Math.Min(target.Height, full.Height), Math.Min(target.Width, full.Width));
        Size2D returned = explicitShape ? target : clamped;
        if (peerShape.SpatialSize != returned)
        {
            throw new MismatchException($"ours refuses ({refusal}); ONNX Runtime's output is {peerShape}, expected {returned} (the total pad clamped to zero).");
        }

        Shape4D shape = peerShape.WithSpatialSize(clamped);
        var kept = new float[shape.ElementCount];
        for (long i = 0, j = 0; i < peer.Length; i++)
        {
            long w = i % peerShape.Width, h = i / peerShape.Width % peerShape.Height, channel = i / peerShape.PlaneSize % peerShape.Channels;
            if (h < clamped.Height && w < clamped.Width)
            {
                kept[j++] = peer[i];
            }
            else if (peer[i] != (k.Bias?[channel] ?? 0f))
            {
                throw new MismatchException($"ONNX Runtime's cell {Check.Where(peerShape, i)}, past the unpadded output, is {peer[i]}, not the bias.");
            }
        }

        (k with { Geometry = g.WithOnnxTransposedOutputShape(input, clamped, autoPad) }).Verify(kept, shape, "ONNX Runtime, total pad clamped to zero");
        c.Tag("negative total pad: ours refuses, ONNX Runtime clamps it to zero (documented difference)");
    }
}
