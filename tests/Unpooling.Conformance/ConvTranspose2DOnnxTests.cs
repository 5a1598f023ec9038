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
/// The padding ONNX implies is computed here from the ONNX specification (SEMANTICS.md section 4): total padding
/// <c>s*(i-1) + op + d*(k-1) + 1 - o</c>, split with the odd cell at the end for SAME_UPPER and at the beginning
/// otherwise; ours then runs with those explicit per-side pads. Only requests whose total padding is at least zero
/// are drawn. ONNX Runtime refuses <c>output_padding &gt;= stride</c> (which PyTorch and ours allow below
/// <c>max(stride, dilation)</c>); such cases must be refused by it.
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
        var full = new Size2D(Full(input.Height, g, height: true), Full(input.Width, g, height: false));
        List<OnnxAttribute> attributes =
        [
            OnnxAttribute.Ints("kernel_shape", g.KernelSize.Height, g.KernelSize.Width),
            OnnxAttribute.Ints("strides", g.Stride.Height, g.Stride.Width),
            OnnxAttribute.Ints("dilations", g.Dilation.Height, g.Dilation.Width),
            OnnxAttribute.Int("group", g.Groups),
            OnnxAttribute.Ints("output_padding", g.OutputPadding.Height, g.OutputPadding.Width),
        ];
        Size2D? shape = mode switch
        {
            Padding.OutputShape or Padding.OutputShapeSameUpper or Padding.OutputShapeSameLower =>
                new Size2D(r.Between(1, full.Height), r.Between(1, full.Width)),
            Padding.SameUpper or Padding.SameLower => new Size2D(input.Height * g.Stride.Height, input.Width * g.Stride.Width),
            _ => null,
        };
        switch (mode)
        {
            case Padding.Pads:
                attributes.Add(OnnxAttribute.Ints("pads", g.PaddingBegin.Height, g.PaddingBegin.Width, g.PaddingEnd.Height, g.PaddingEnd.Width));
                break;
            case Padding.Valid:
                attributes.Add(OnnxAttribute.String("auto_pad", "VALID"));
                g = g.WithPadding(0, 0);
                break;
            default:
                Size2D o = shape!.Value;
                if (o.Height > full.Height || o.Width > full.Width)
                {
                    throw CaseContext.Reject("SAME output larger than the full transposed convolution (negative total padding)");
                }

                bool upper = mode is Padding.SameUpper or Padding.OutputShapeSameUpper;
                (int bh, int eh) = Split(full.Height - o.Height, upper);
                (int bw, int ew) = Split(full.Width - o.Width, upper);
                g = g.WithPadding(new Size2D(bh, bw), new Size2D(eh, ew));
                if (mode is not (Padding.SameUpper or Padding.SameLower))
                {
                    attributes.Add(OnnxAttribute.Ints("output_shape", o.Height, o.Width));
                }

                if (mode is not Padding.OutputShape)
                {
                    attributes.Add(OnnxAttribute.String("auto_pad", upper ? "SAME_UPPER" : "SAME_LOWER"));
                }

                break;
        }

        k = k with { Geometry = g };
        c.Describe($"{c.Description}; ONNX {mode}{(shape is { } s ? $" to {s}" : string.Empty)}, so ours with {g}");
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

        k.Verify((float[])y.Data, new Shape4D((int)y.Shape[0], (int)y.Shape[1], (int)y.Shape[2], (int)y.Shape[3]), "ONNX Runtime");
        c.Tag(mode.ToString());
    }

    /// <summary>The unpadded transposed size along one axis, <c>s*(i-1) + d*(k-1) + 1 + op</c>.</summary>
    private static int Full(int i, Conv2DGeometry g, bool height)
        => height
            ? ((i - 1) * g.Stride.Height) + PoolCase.Effective(g.KernelSize.Height, g.Dilation.Height) + g.OutputPadding.Height
            : ((i - 1) * g.Stride.Width) + PoolCase.Effective(g.KernelSize.Width, g.Dilation.Width) + g.OutputPadding.Width;

    /// <summary>ONNX's split of a total padding: the odd cell at the end for SAME_UPPER, at the beginning otherwise.</summary>
    private static (int Begin, int End) Split(int total, bool upper) => upper ? (total / 2, total - (total / 2)) : (total - (total / 2), total / 2);
}
