using Unpooling.Conformance.Infrastructure;
using Unpooling.Peers.Onnx;
using Unpooling.Tests.Conv;

namespace Unpooling.Conformance;

/// <summary>
/// <c>ConvTranspose1D</c> and <c>ConvTranspose3D</c> against ONNX Runtime's <c>ConvTranspose</c> (float) with explicit
/// asymmetric <c>pads</c>, with <c>output_shape</c> (NOTSET, SAME_UPPER, SAME_LOWER, including a shape past the
/// unpadded output) and with <c>auto_pad</c> SAME_UPPER, SAME_LOWER and VALID: ours through the geometry's ONNX helpers.
/// Integer-valued data, so both sides are exact and must agree as numbers.
/// </summary>
public sealed class ConvTransposeRanksOnnxTests
{
    public static TheoryData<int[], int[], int[], int> Cases3D => new()
    {
        // kernel, stride, dilation per axis; groups
        { [4, 4, 4], [2, 2, 2], [1, 1, 1], 1 },
        { [3, 2, 3], [2, 3, 1], [1, 1, 2], 2 },
        { [1, 3, 2], [2, 2, 3], [1, 2, 1], 1 },
    };

    [Theory]
    [MemberData(nameof(Cases3D))]
    public void ThreeD(int[] k, int[] s, int[] d, int groups)
    {
        var g = new Conv3DGeometry(new Size3D(k[0], k[1], k[2]), new Size3D(s[0], s[1], s[2]), 0, new Size3D(d[0], d[1], d[2]), groups);
        var xs = new Shape5D(2, 2 * groups, 3, 4, 5);
        var input = new Size3D(3, 4, 5);
        Size3D full = g.GetTransposedOutputSize(input);
        var pads = new Size3D(1, 0, 1);
        Run3D(g.WithPadding(pads, new Size3D(0, 1, 2)), xs, k, [Attr("pads", 1, 0, 1, 0, 1, 2)], "pads");
        foreach ((string name, OnnxAutoPad mode) in Modes)
        {
            Run3D(g.WithOnnxTransposedAutoPad(input, mode), xs, k, [OnnxAttribute.String("auto_pad", name)], $"auto_pad {name}", mode is OnnxAutoPad.SameUpper or OnnxAutoPad.SameLower && Enumerable.Range(0, 3).Any(a => (d[a] * (k[a] - 1)) + 1 < s[a]));
            foreach (Size3D o in (Size3D[])[new(full.Depth - 1, full.Height, full.Width - 2), new(full.Depth, full.Height - 1, full.Width - 1), full])
            {
                Run3D(g.WithOnnxTransposedOutputShape(input, o, mode), xs, k, [OnnxAttribute.String("auto_pad", name), Attr("output_shape", o.Depth, o.Height, o.Width)], $"output_shape {o} {name}");
            }
        }
    }

    [Theory]
    [InlineData(3, 2, 1, 1)]
    [InlineData(4, 3, 1, 2)]
    [InlineData(2, 2, 3, 1)]
    [InlineData(5, 1, 1, 1)]
    public void OneD(int k, int s, int d, int groups)
    {
        var g = new Conv1DGeometry(k, s, 0, d, groups);
        var xs = new Shape3D(2, 2 * groups, 11);
        int full = g.GetTransposedOutputSize(11);
        Run1D(g.WithPadding(2, 1), xs, [Attr("pads", 2, 1)], "pads");
        foreach ((string name, OnnxAutoPad mode) in Modes)
        {
            if (mode is OnnxAutoPad.SameUpper or OnnxAutoPad.SameLower && (d * (k - 1)) + 1 < s)
            {
                continue; // ONNX Runtime clamps a negative SAME pad (documented in Conv2DGeometry.WithOnnxTransposedAutoPad)
            }

            Run1D(g.WithOnnxTransposedAutoPad(11, mode), xs, [OnnxAttribute.String("auto_pad", name)], $"auto_pad {name}");
            foreach (int o in new[] { full - 3, full - 1, full })
            {
                Run1D(g.WithOnnxTransposedOutputShape(11, o, mode), xs, [OnnxAttribute.String("auto_pad", name), Attr("output_shape", o)], $"output_shape {o} {name}");
            }
        }

        // A shape past the unpadded output: ours grows it with output padding (below max(stride, dilation)).
        if (s > 1)
        {
            Run1D(g.WithOnnxTransposedOutputShape(11, full + 1), xs, [Attr("output_shape", full + 1)], "output_shape past the unpadded output");
        }
    }

    private static readonly (string Name, OnnxAutoPad Mode)[] Modes =
        [("NOTSET", OnnxAutoPad.NotSet), ("SAME_UPPER", OnnxAutoPad.SameUpper), ("SAME_LOWER", OnnxAutoPad.SameLower), ("VALID", OnnxAutoPad.Valid)];

    private static OnnxAttribute Attr(string name, params int[] values) => OnnxAttribute.Ints(name, values.Select(v => (long)v).ToArray());

    private static void Run3D(Conv3DGeometry ours, Shape5D xs, int[] k, OnnxAttribute[] extra, string what, bool skip = false)
    {
        if (skip)
        {
            return;
        }

        int cout = 3 * ours.Groups;
        var ws = new Shape5D(xs.Channels, cout / ours.Groups, k[0], k[1], k[2]);
        Size3D o = ours.GetTransposedOutputSize(xs.SpatialSize);
        var y = new float[(long)xs.Batch * cout * o.Volume];
        float[] x = ConvData.Integers<float>((int)xs.ElementCount, 1), w = ConvData.Integers<float>((int)ws.ElementCount, 2), b = ConvData.Integers<float>(cout, 3);
        Functional.ConvTranspose3D<float>(x, xs, w, ws, b, ours, y);
        long[] xd = [xs.Batch, xs.Channels, xs.Depth, xs.Height, xs.Width], wd = [ws.Batch, ws.Channels, ws.Depth, ws.Height, ws.Width];
        OnnxAttribute[] attributes =
        [
            Attr("strides", ours.Stride.Depth, ours.Stride.Height, ours.Stride.Width),
            Attr("dilations", ours.Dilation.Depth, ours.Dilation.Height, ours.Dilation.Width),
            OnnxAttribute.Int("group", ours.Groups),
            .. extra,
        ];
        Peer(x, xd, w, wd, b, attributes, y, [xs.Batch, cout, o.Depth, o.Height, o.Width], $"ConvTranspose3D {what}, ours {ours}");
    }

    private static void Run1D(Conv1DGeometry ours, Shape3D xs, OnnxAttribute[] extra, string what)
    {
        int cout = 3 * ours.Groups;
        var ws = new Shape3D(xs.Channels, cout / ours.Groups, ours.KernelSize);
        int o = ours.GetTransposedOutputSize(xs.Length);
        var y = new float[xs.Batch * cout * o];
        float[] x = ConvData.Integers<float>((int)xs.ElementCount, 1), w = ConvData.Integers<float>((int)ws.ElementCount, 2), b = ConvData.Integers<float>(cout, 3);
        Functional.ConvTranspose1D<float>(x, xs, w, ws, b, ours, y);
        OnnxAttribute[] attributes = [Attr("strides", ours.Stride), Attr("dilations", ours.Dilation), OnnxAttribute.Int("group", ours.Groups), .. extra];
        Peer(x, [xs.Batch, xs.Channels, xs.Length], w, [ws.Batch, ws.Channels, ws.Length], b, attributes, y, [xs.Batch, cout, o], $"ConvTranspose1D {what}, ours {ours}");
    }

    private static void Peer(float[] x, long[] xd, float[] w, long[] wd, float[] b, OnnxAttribute[] attributes, float[] ours, long[] oursShape, string what)
    {
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, xd).Input("W", OnnxElementType.Float, wd).Input("B", OnnxElementType.Float, b.Length)
            .Node("ConvTranspose", ["X", "W", "B"], ["Y"], attributes)
            .Output("Y", OnnxElementType.Float)
            .Build();
        (Array data, long[] shape) = OrtOps.Run(model, [new("X", x, xd), new("W", w, wd), new("B", b, [b.Length])], "Y")[0];
        Assert.True(oursShape.SequenceEqual(shape), $"{what}: ONNX Runtime shape [{string.Join(", ", shape)}], ours [{string.Join(", ", oursShape)}]");
        Check.Numeric<float>((float[])data, ours, new Shape4D(1, 1, 1, ours.Length), what);
    }
}
