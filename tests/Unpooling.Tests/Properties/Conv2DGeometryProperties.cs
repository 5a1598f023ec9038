using CsCheck;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated properties of <see cref="Conv2DGeometry"/>'s public members: the constructor's validation,
/// <see cref="Conv2DGeometry.GetOutputSize(Size2D)"/>, <see cref="Conv2DGeometry.GetTransposedOutputSize(Size2D)"/>,
/// <see cref="Conv2DGeometry.WithPadding"/>, <see cref="Conv2DGeometry.WithOutputPadding"/>,
/// <see cref="Conv2DGeometry.WithTransposedOutputSize"/> and the ONNX helpers
/// (<see cref="Conv2DGeometry.WithOnnxTransposedOutputShape"/>, <see cref="Conv2DGeometry.WithOnnxTransposedAutoPad"/>),
/// on values from tiny to int.MaxValue. Each case's expectation is computed in 64 bits from SEMANTICS 4 and the XML
/// docs (the per-axis formulas, PyTorch's output_size range, ONNX's total-pad split); the library must refuse with the
/// named parameter or return exactly that geometry or size. (<c>UnpoolSize</c> is internal: the block properties cover
/// its rule through the public unpooling forms.)
/// </summary>
public sealed class Conv2DGeometryProperties
{
    private static readonly Gen<int> Padding = Gen.Frequency((8, Gen.Int[0, 3]), (3, BlockConvGen.Edge), (1, Gen.OneOf(-1, int.MinValue)));

    private static readonly Gen<Size2D?> Optional = Gen.Frequency((1, Gen.Const((Size2D?)null)), (4, BlockConvGen.Pair(BlockConvGen.Hostile).Select(static s => (Size2D?)s)));

    private static readonly Gen<int> Groups = Gen.Frequency((8, Gen.Int[1, 3]), (1, Gen.OneOf(0, -1, int.MinValue)), (1, BlockConvGen.Edge));

    /// <summary>A constructible geometry: kernel, stride and dilation from 1 to int.MaxValue, padding 0 to int.MaxValue, any output padding in range.</summary>
    private static readonly Gen<Conv2DGeometry> Geometry =
        from k in BlockConvGen.Pair(BlockConvGen.Positive)
        from s in BlockConvGen.Pair(BlockConvGen.Positive)
        from pb in BlockConvGen.Pair(Gen.Frequency((8, Gen.Int[0, 3]), (3, BlockConvGen.Edge)))
        from pe in BlockConvGen.Pair(Gen.Frequency((8, Gen.Int[0, 3]), (3, BlockConvGen.Edge)))
        from d in BlockConvGen.Pair(BlockConvGen.Positive)
        from g in Gen.Int[1, 3]
        from op in Gen.Select(Gen.UInt, Gen.UInt, Gen.Int[0, 2])
        select new Conv2DGeometry(k, s, null, d, g, OutputPadding(s, d, op.Item1, op.Item2, op.Item3)).WithPadding(pb, pe);

    private static Size2D OutputPadding(Size2D s, Size2D d, uint a, uint b, int kind)
    {
        int limitH = Math.Max(s.Height, d.Height), limitW = Math.Max(s.Width, d.Width);
        return kind switch
        {
            0 => new Size2D(0, 0),
            1 => new Size2D(limitH - 1, limitW - 1),
            _ => new Size2D((int)(a % (uint)limitH), (int)(b % (uint)limitW)),
        };
    }

    private static string Show(Conv2DGeometry g) => g.IsDefault ? "default" : g.ToString();

    private static long ConvAxis(long i, long k, long s, long pb, long pe, long d)
    {
        long span = i + pb + pe - ((d * (k - 1)) + 1);
        return span < 0 ? 0 : (span / s) + 1;
    }

    private static long TransposedAxis(long i, long k, long s, long pb, long pe, long d, long op) => ((i - 1) * s) - pb - pe + (d * (k - 1)) + 1 + op;

    // ---------------------------------------------------------------- constructor

    [Fact]
    public void Constructor()
        => Property.Check(
            "Conv2DGeometry(constructor)",
            from k in BlockConvGen.Pair(BlockConvGen.Hostile)
            from s in Optional
            from p in Gen.Frequency((1, Gen.Const((Size2D?)null)), (4, BlockConvGen.Pair(Padding).Select(static v => (Size2D?)v)))
            from d in Optional
            from g in Groups
            from op in Gen.Frequency(
                (1, Gen.Const((Size2D?)null)),
                (3, Gen.Select(Gen.UInt, Gen.UInt, Gen.Int[0, 2], (a, b, kind) => (Size2D?)new Size2D((int)(a % 4), (int)(b % 4)))),
                (1, BlockConvGen.Pair(Padding).Select(static v => (Size2D?)v)))
            select (k, s, p, d, g, op),
            static (c, tally) =>
            {
                (Size2D k, Size2D? s, Size2D? p, Size2D? d, int g, Size2D? op) = c;
                Size2D stride = s ?? new Size2D(1, 1), padding = p ?? new Size2D(0, 0), dilation = d ?? new Size2D(1, 1), outputPadding = op ?? new Size2D(0, 0);
                Refusal? refusal =
                    k.Height < 1 || k.Width < 1 ? Refusal.Range("kernelSize")
                    : stride.Height < 1 || stride.Width < 1 ? Refusal.Range("stride")
                    : padding.Height < 0 || padding.Width < 0 ? Refusal.Range("padding")
                    : dilation.Height < 1 || dilation.Width < 1 ? Refusal.Range("dilation")
                    : g < 1 ? Refusal.Range("groups")
                    : outputPadding.Height < 0 || outputPadding.Width < 0 || outputPadding.Height >= Math.Max(stride.Height, dilation.Height) || outputPadding.Width >= Math.Max(stride.Width, dilation.Width) ? Refusal.Range("outputPadding")
                    : null;
                Conv2DGeometry made = default;
                void Call() => made = new Conv2DGeometry(k, s, p, d, g, op);
                string context = $"new Conv2DGeometry({k}, {BlockConvGen.Show(s)}, {BlockConvGen.Show(p)}, {BlockConvGen.Show(d)}, {g}, {BlockConvGen.Show(op)})";
                if (refusal is { } r)
                {
                    tally.Add(r.Check(Call, context));
                    return;
                }

                Call();
                Assert.True(
                    made.KernelSize == k && made.Stride == stride && made.PaddingBegin == padding && made.PaddingEnd == padding && made.Dilation == dilation && made.Groups == g && made.OutputPadding == outputPadding && !made.IsDefault,
                    $"{context} made {made}.");
                long keffH = ((long)dilation.Height * (k.Height - 1)) + 1, keffW = ((long)dilation.Width * (k.Width - 1)) + 1;
                if (keffH <= int.MaxValue && keffW <= int.MaxValue)
                {
                    Assert.Equal(new Size2D((int)keffH, (int)keffW), made.EffectiveKernelSize);
                }

                tally.Add("result");
            },
            3000,
            static c => $"k {c.k} s {BlockConvGen.Show(c.s)} p {BlockConvGen.Show(c.p)} d {BlockConvGen.Show(c.d)} g {c.g} op {BlockConvGen.Show(c.op)}");

    // ---------------------------------------------------------------- output sizes

    [Fact]
    public void OutputSizes()
        => Property.Check(
            "Conv2DGeometry.GetOutputSize/GetTransposedOutputSize",
            Gen.Select(Geometry, BlockConvGen.Pair(BlockConvGen.Hostile)),
            static (c, tally) =>
            {
                (Conv2DGeometry g, Size2D input) = c;
                string context = $"{g} input {input}";
                bool badInput = input.Height < 1 || input.Width < 1;

                long h = ConvAxis(input.Height, g.KernelSize.Height, g.Stride.Height, g.PaddingBegin.Height, g.PaddingEnd.Height, g.Dilation.Height);
                long w = ConvAxis(input.Width, g.KernelSize.Width, g.Stride.Width, g.PaddingBegin.Width, g.PaddingEnd.Width, g.Dilation.Width);
                if (badInput || h < 1 || w < 1 || h > int.MaxValue || w > int.MaxValue)
                {
                    tally.Add("conv " + Refusal.Arg("inputSize").Check(() => g.GetOutputSize(input), context));
                }
                else
                {
                    Assert.Equal(new Size2D((int)h, (int)w), g.GetOutputSize(input));
                    tally.Add("conv result");
                }

                long th = TransposedAxis(input.Height, g.KernelSize.Height, g.Stride.Height, g.PaddingBegin.Height, g.PaddingEnd.Height, g.Dilation.Height, g.OutputPadding.Height);
                long tw = TransposedAxis(input.Width, g.KernelSize.Width, g.Stride.Width, g.PaddingBegin.Width, g.PaddingEnd.Width, g.Dilation.Width, g.OutputPadding.Width);
                if (badInput || th < 1 || tw < 1 || th > int.MaxValue || tw > int.MaxValue)
                {
                    tally.Add("transposed " + Refusal.Arg("inputSize").Check(() => g.GetTransposedOutputSize(input), context));
                }
                else
                {
                    Assert.Equal(new Size2D((int)th, (int)tw), g.GetTransposedOutputSize(input));
                    tally.Add("transposed result");
                }
            },
            4000,
            static c => $"{Show(c.Item1)} input {c.Item2}");

    // ---------------------------------------------------------------- WithPadding, WithOutputPadding

    [Fact]
    public void WithPaddingAndOutputPadding()
        => Property.Check(
            "Conv2DGeometry.WithPadding/WithOutputPadding",
            Gen.Select(Geometry, BlockConvGen.Pair(Padding), BlockConvGen.Pair(Padding), BlockConvGen.Pair(Padding)),
            static (c, tally) =>
            {
                (Conv2DGeometry g, Size2D pb, Size2D pe, Size2D op) = c;
                string context = $"{g} pads {pb}/{pe} op {op}";
                Refusal? padding = pb.Height < 0 || pb.Width < 0 ? Refusal.Range("paddingBegin") : pe.Height < 0 || pe.Width < 0 ? Refusal.Range("paddingEnd") : null;
                if (padding is { } r)
                {
                    tally.Add("padding " + r.Check(() => g.WithPadding(pb, pe), context));
                }
                else
                {
                    Conv2DGeometry p = g.WithPadding(pb, pe);
                    Assert.True(p.PaddingBegin == pb && p.PaddingEnd == pe && p.KernelSize == g.KernelSize && p.Stride == g.Stride && p.Dilation == g.Dilation && p.Groups == g.Groups && p.OutputPadding == g.OutputPadding, $"{context}: WithPadding gave {p}.");
                    tally.Add("padding result");
                }

                bool opBad = op.Height < 0 || op.Width < 0 || op.Height >= Math.Max(g.Stride.Height, g.Dilation.Height) || op.Width >= Math.Max(g.Stride.Width, g.Dilation.Width);
                if (opBad)
                {
                    tally.Add("output padding " + Refusal.Range("outputPadding").Check(() => g.WithOutputPadding(op), context));
                }
                else
                {
                    Conv2DGeometry o = g.WithOutputPadding(op);
                    Assert.True(o.OutputPadding == op && o.PaddingBegin == g.PaddingBegin && o.PaddingEnd == g.PaddingEnd && o.KernelSize == g.KernelSize, $"{context}: WithOutputPadding gave {o}.");
                    tally.Add("output padding result");
                }
            },
            2000,
            static c => $"{Show(c.Item1)} pads {c.Item2}/{c.Item3} op {c.Item4}");

    // ---------------------------------------------------------------- WithTransposedOutputSize (PyTorch's output_size)

    [Fact]
    public void WithTransposedOutputSize()
        => Property.Check(
            "Conv2DGeometry.WithTransposedOutputSize",
            from g in Geometry
            from input in BlockConvGen.Pair(BlockConvGen.Hostile)
            from pick in Gen.Select(Gen.Int[0, 5], Gen.Int[0, 5], Gen.Int)
            select (g, input, Near(g, input, pick.Item1, pick.Item2, pick.Item3)),
            static (c, tally) =>
            {
                (Conv2DGeometry g, Size2D input, Size2D output) = c;
                string context = $"{g} input {input} output {output}";
                if (input.Height < 1 || input.Width < 1)
                {
                    tally.Add(Refusal.Arg("inputSize").Check(() => g.WithTransposedOutputSize(input, output), context));
                    return;
                }

                // SEMANTICS 4: PyTorch's output_size accepts [min, min + s - 1] per axis (and an output is at least 1).
                long minH = TransposedAxis(input.Height, g.KernelSize.Height, g.Stride.Height, g.PaddingBegin.Height, g.PaddingEnd.Height, g.Dilation.Height, 0);
                long minW = TransposedAxis(input.Width, g.KernelSize.Width, g.Stride.Width, g.PaddingBegin.Width, g.PaddingEnd.Width, g.Dilation.Width, 0);
                if (output.Height < Math.Max(1, minH) || output.Height > minH + g.Stride.Height - 1 || output.Width < Math.Max(1, minW) || output.Width > minW + g.Stride.Width - 1)
                {
                    tally.Add(Refusal.Range("outputSize").Check(() => g.WithTransposedOutputSize(input, output), context));
                    return;
                }

                Conv2DGeometry r = g.WithTransposedOutputSize(input, output);
                Assert.True(r.OutputPadding == new Size2D((int)(output.Height - minH), (int)(output.Width - minW)) && r.PaddingBegin == g.PaddingBegin && r.PaddingEnd == g.PaddingEnd && r.Stride == g.Stride, $"{context}: gave {r}.");
                Assert.Equal(output, r.GetTransposedOutputSize(input));
                tally.Add("result");
            },
            3000,
            static c => $"{Show(c.g)} input {c.input} output {c.Item3}");

    /// <summary>An output near the reachable range of a transposed convolution: min - 1, min, min + s - 1, min + s, inside, or anything.</summary>
    private static Size2D Near(Conv2DGeometry g, Size2D input, int a, int b, int bits)
    {
        static int Axis(long min, int s, int pick, int bits) => (int)Math.Clamp(
            pick switch { 0 => min - 1, 1 => min, 2 => min + s - 1, 3 => min + s, 4 => min + ((uint)bits % (uint)s), _ => bits },
            int.MinValue,
            int.MaxValue);

        long minH = TransposedAxis(Math.Max(input.Height, 1), g.KernelSize.Height, g.Stride.Height, g.PaddingBegin.Height, g.PaddingEnd.Height, g.Dilation.Height, 0);
        long minW = TransposedAxis(Math.Max(input.Width, 1), g.KernelSize.Width, g.Stride.Width, g.PaddingBegin.Width, g.PaddingEnd.Width, g.Dilation.Width, 0);
        return new Size2D(Axis(minH, g.Stride.Height, a, bits), Axis(minW, g.Stride.Width, b, bits >> 3));
    }

    // ---------------------------------------------------------------- the ONNX helpers

    private static readonly Gen<OnnxAutoPad> AutoPad = Gen.Frequency((10, Gen.OneOf(OnnxAutoPad.NotSet, OnnxAutoPad.SameUpper, OnnxAutoPad.SameLower, OnnxAutoPad.Valid)), (1, Gen.OneOf((OnnxAutoPad)4, (OnnxAutoPad)(-1), (OnnxAutoPad)int.MaxValue)));

    /// <summary>ONNX's split of a total pad: SAME_UPPER puts the odd cell at the end, every other value at the beginning; a negative total is output padding at the end.</summary>
    private static (int Begin, int End, int Extra) Split(long total, OnnxAutoPad autoPad)
        => total < 0 ? (0, 0, (int)-total)
        : autoPad == OnnxAutoPad.SameUpper ? ((int)(total / 2), (int)(total - (total / 2)), 0)
        : ((int)(total - (total / 2)), (int)(total / 2), 0);

    [Fact]
    public void WithOnnxTransposedOutputShape()
        => Property.Check(
            "Conv2DGeometry.WithOnnxTransposedOutputShape",
            from g in Geometry
            from input in BlockConvGen.Pair(BlockConvGen.Hostile)
            from autoPad in AutoPad
            from pick in Gen.Select(Gen.Int[0, 6], Gen.Int[0, 6], Gen.Int)
            select (g, input, OnnxNear(g, input, pick.Item1, pick.Item2, pick.Item3), autoPad),
            static (c, tally) =>
            {
                (Conv2DGeometry g, Size2D input, Size2D shape, OnnxAutoPad autoPad) = c;
                string context = $"{g} input {input} output_shape {shape} auto_pad {autoPad}";
                if (input.Height < 1 || input.Width < 1)
                {
                    tally.Add(Refusal.Arg("inputSize").Check(() => g.WithOnnxTransposedOutputShape(input, shape, autoPad), context));
                    return;
                }

                if ((uint)autoPad > (uint)OnnxAutoPad.Valid)
                {
                    tally.Add(Refusal.Range("autoPad").Check(() => g.WithOnnxTransposedOutputShape(input, shape, autoPad), context));
                    return;
                }

                // SEMANTICS 4: total pad = s*(i-1) + op + keff - o; a negative one (an output past the unpadded one) is
                // more output padding, which must stay below max(stride, dilation); a total pad is at most int.MaxValue.
                long fullH = TransposedAxis(input.Height, g.KernelSize.Height, g.Stride.Height, 0, 0, g.Dilation.Height, g.OutputPadding.Height);
                long fullW = TransposedAxis(input.Width, g.KernelSize.Width, g.Stride.Width, 0, 0, g.Dilation.Width, g.OutputPadding.Width);
                long totalH = fullH - shape.Height, totalW = fullW - shape.Width;
                bool reachable = shape.Height >= 1 && shape.Width >= 1 && totalH <= int.MaxValue && totalW <= int.MaxValue
                    && g.OutputPadding.Height - totalH < Math.Max(g.Stride.Height, g.Dilation.Height) && g.OutputPadding.Width - totalW < Math.Max(g.Stride.Width, g.Dilation.Width);
                if (!reachable)
                {
                    tally.Add(Refusal.Range("outputShape").Check(() => g.WithOnnxTransposedOutputShape(input, shape, autoPad), context));
                    return;
                }

                Conv2DGeometry r = g.WithOnnxTransposedOutputShape(input, shape, autoPad);
                (int bh, int eh, int xh) = Split(totalH, autoPad);
                (int bw, int ew, int xw) = Split(totalW, autoPad);
                Assert.True(
                    r.PaddingBegin == new Size2D(bh, bw) && r.PaddingEnd == new Size2D(eh, ew) && r.OutputPadding == new Size2D(g.OutputPadding.Height + xh, g.OutputPadding.Width + xw)
                    && r.KernelSize == g.KernelSize && r.Stride == g.Stride && r.Dilation == g.Dilation && r.Groups == g.Groups,
                    $"{context}: gave {r}, expected pads {bh}x{bw}/{eh}x{ew} output padding +{xh}x{xw}.");
                Assert.Equal(shape, r.GetTransposedOutputSize(input));
                tally.Add(totalH < 0 || totalW < 0 ? "result: output padding" : "result");
            },
            3000,
            static c => $"{Show(c.g)} input {c.input} output_shape {c.Item3} auto_pad {c.autoPad}");

    /// <summary>An output shape near the unpadded output (full - 1, full, full + 1, full + max(s, d) - 1 - op and one past), small, or anything.</summary>
    private static Size2D OnnxNear(Conv2DGeometry g, Size2D input, int a, int b, int bits)
    {
        static int Axis(long full, long limit, int pick, int bits) => (int)Math.Clamp(
            pick switch { 0 => full - 1, 1 => full, 2 => full + 1, 3 => full + limit - 1, 4 => full + limit, 5 => 1 + ((uint)bits % 8), _ => bits },
            int.MinValue,
            int.MaxValue);

        long fullH = TransposedAxis(Math.Max(input.Height, 1), g.KernelSize.Height, g.Stride.Height, 0, 0, g.Dilation.Height, g.OutputPadding.Height);
        long fullW = TransposedAxis(Math.Max(input.Width, 1), g.KernelSize.Width, g.Stride.Width, 0, 0, g.Dilation.Width, g.OutputPadding.Width);
        long limitH = Math.Max(g.Stride.Height, g.Dilation.Height) - g.OutputPadding.Height, limitW = Math.Max(g.Stride.Width, g.Dilation.Width) - g.OutputPadding.Width;
        return new Size2D(Axis(fullH, limitH, a, bits), Axis(fullW, limitW, b, bits >> 3));
    }

    [Fact]
    public void WithOnnxTransposedAutoPad()
        => Property.Check(
            "Conv2DGeometry.WithOnnxTransposedAutoPad",
            Gen.Select(Geometry, BlockConvGen.Pair(BlockConvGen.Hostile), AutoPad),
            static (c, tally) =>
            {
                (Conv2DGeometry g, Size2D input, OnnxAutoPad autoPad) = c;
                string context = $"{g} input {input} auto_pad {autoPad}";
                if (input.Height < 1 || input.Width < 1)
                {
                    tally.Add(Refusal.Arg("inputSize").Check(() => g.WithOnnxTransposedAutoPad(input, autoPad), context));
                    return;
                }

                if ((uint)autoPad > (uint)OnnxAutoPad.Valid)
                {
                    tally.Add(Refusal.Range("autoPad").Check(() => g.WithOnnxTransposedAutoPad(input, autoPad), context));
                    return;
                }

                if (autoPad == OnnxAutoPad.NotSet)
                {
                    Assert.Equal(g, g.WithOnnxTransposedAutoPad(input, autoPad));
                    tally.Add("result: NotSet");
                    return;
                }

                if (autoPad == OnnxAutoPad.Valid)
                {
                    Conv2DGeometry v = g.WithOnnxTransposedAutoPad(input, autoPad);
                    Assert.True(v.PaddingBegin == new Size2D(0, 0) && v.PaddingEnd == new Size2D(0, 0) && v.OutputPadding == g.OutputPadding && v.Stride == g.Stride && v.KernelSize == g.KernelSize, $"{context}: gave {v}.");
                    tally.Add("result: Valid");
                    return;
                }

                // SAME_*: output input * stride, total pad = s*(i-1) + op + keff - i*s (split as the output-shape helper does).
                long outH = (long)input.Height * g.Stride.Height, outW = (long)input.Width * g.Stride.Width;
                if (outH > int.MaxValue || outW > int.MaxValue)
                {
                    tally.Add(Refusal.Arg("inputSize").Check(() => g.WithOnnxTransposedAutoPad(input, autoPad), context));
                    return;
                }

                long totalH = TransposedAxis(input.Height, g.KernelSize.Height, g.Stride.Height, 0, 0, g.Dilation.Height, g.OutputPadding.Height) - outH;
                long totalW = TransposedAxis(input.Width, g.KernelSize.Width, g.Stride.Width, 0, 0, g.Dilation.Width, g.OutputPadding.Width) - outW;
                if (totalH > int.MaxValue || totalW > int.MaxValue)
                {
                    tally.Add(Refusal.Range("autoPad").Check(() => g.WithOnnxTransposedAutoPad(input, autoPad), context));
                    return;
                }

                Conv2DGeometry r = g.WithOnnxTransposedAutoPad(input, autoPad);
                (int bh, int eh, int xh) = Split(totalH, autoPad);
                (int bw, int ew, int xw) = Split(totalW, autoPad);
                Assert.True(
                    r.PaddingBegin == new Size2D(bh, bw) && r.PaddingEnd == new Size2D(eh, ew) && r.OutputPadding == new Size2D(g.OutputPadding.Height + xh, g.OutputPadding.Width + xw),
                    $"{context}: gave {r}, expected pads {bh}x{bw}/{eh}x{ew} output padding +{xh}x{xw}.");
                Assert.Equal(new Size2D((int)outH, (int)outW), r.GetTransposedOutputSize(input));
                tally.Add($"result: {autoPad}");
            },
            3000,
            static c => $"{Show(c.Item1)} input {c.Item2} auto_pad {c.Item3}");

    // ---------------------------------------------------------------- default(Conv2DGeometry)

    /// <summary>
    /// <c>default(Conv2DGeometry)</c> has no kernel: every member that needs one refuses it with an ArgumentException.
    /// The With* members name the geometry itself ("Conv2DGeometry": the caller must fix the instance, there is no
    /// argument to name); GetOutputSize and GetTransposedOutputSize are held to the same name, since no inputSize fixes
    /// a default geometry.
    /// </summary>
    [Fact]
    public void DefaultGeometry()
        => Property.Check(
            "Conv2DGeometry(default)",
            Gen.Select(Gen.Int[0, 6], BlockConvGen.Pair(BlockConvGen.Hostile), BlockConvGen.Pair(Padding), AutoPad),
            static (c, tally) =>
            {
                (int member, Size2D a, Size2D b, OnnxAutoPad autoPad) = c;
                Conv2DGeometry g = default;
                Action call = member switch
                {
                    0 => () => g.GetOutputSize(a),
                    1 => () => g.GetTransposedOutputSize(a),
                    2 => () => g.WithPadding(a, b),
                    3 => () => g.WithOutputPadding(b),
                    4 => () => g.WithTransposedOutputSize(a, b),
                    5 => () => g.WithOnnxTransposedOutputShape(a, b, autoPad),
                    _ => () => g.WithOnnxTransposedAutoPad(a, autoPad),
                };
                tally.Add($"member {member} " + Refusal.Arg("Conv2DGeometry").Check(call, $"default(Conv2DGeometry) member {member} ({a}, {b}, {autoPad})"));
            },
            500,
            static c => $"member {c.Item1} a {c.Item2} b {c.Item3} auto_pad {c.Item4}");
}
