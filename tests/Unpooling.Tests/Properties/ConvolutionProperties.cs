using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using CsCheck;
using Unpooling.Tests.Conv;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>The four public forms of an operator.</summary>
public enum ConvForm
{
    Span,
    TensorSpan,
    Tensor,
    ReadOnlyTensorSpan,
}

/// <summary>
/// The case sets of the convolution properties, each its own property so that one known defect does not hide the others:
/// ordinary cases with one fault each (lengths off by one, bias, groups, shapes, overlap, element type, default
/// geometry, empty tensors, rank), weight shapes that disagree with the geometry or the channels, and extreme geometry
/// (padding, dilation, stride and kernel near 2^30..2^31 on tiny tensors).
/// </summary>
public enum ConvSet
{
    Ordinary,
    WeightShape,
    Extreme,
}

/// <summary>Convolution element types: the three the library runs and one it refuses (<see cref="NFloat"/>).</summary>
internal enum ConvElement
{
    Float,
    Double,
    Half,
    NFloat,
}

/// <summary>Which input a destination overlaps (span and TensorSpan forms).</summary>
internal enum ConvOverlap
{
    None,
    Source,
    Weight,
    Bias,
}

/// <summary>A <see cref="Conv2DGeometry"/> as plain numbers (always constructible), so cases print and shrink.</summary>
internal sealed record ConvGeometrySpec(bool IsDefault, Size2D K, Size2D S, Size2D Pb, Size2D Pe, Size2D D, int Groups, Size2D Op)
{
    public static ConvGeometrySpec Default { get; } = new(true, default, default, default, default, default, 0, default);

    public Conv2DGeometry Build() => IsDefault ? default : new Conv2DGeometry(K, S, null, D, Groups, Op).WithPadding(Pb, Pe);

    public Size2D Keff => new((int)Math.Min(((long)D.Height * (K.Height - 1)) + 1, int.MaxValue), (int)Math.Min(((long)D.Width * (K.Width - 1)) + 1, int.MaxValue));

    public override string ToString()
        => IsDefault ? "default" : $"k {K} s {S} pads {Pb}/{Pe} d {D} g {Groups} op {Op}";
}

/// <summary>
/// Generated properties of <see cref="Functional.Conv2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
/// and <c>ConvTranspose2D</c>, every public form. A model written from SEMANTICS 4 and 6 and the XML docs decides each
/// case up front (refused with which exception and ParamName, or a result): a refusal leaves the destination's bytes
/// unchanged, a result equals the plain loop (<see cref="ConvReference"/> in double, or <see cref="Reference64"/> where
/// the geometry's numbers overflow 32 bits), exactly for integer data and to <see cref="ConvTolerance"/> otherwise.
/// Inputs are read-only page-guarded memory, the destination flush against a no-access page.
/// </summary>
public sealed class ConvolutionProperties
{
    private const int Cap = 1 << 16;

    [Theory]
    [MemberData(nameof(Properties))]
    public void Check(bool transposed, ConvForm form, ConvSet set)
    {
        string name = $"{(transposed ? "ConvTranspose2D" : "Conv2D")}({form}){(set == ConvSet.Ordinary ? "" : set == ConvSet.WeightShape ? " weight shape" : " extreme")}";
        int iterations = set switch { ConvSet.Ordinary => form == ConvForm.Span ? 700 : 400, ConvSet.WeightShape => 150, _ => 250 };
        Property.Check(name, Cases(transposed, form, set).Where(Feasible), static (c, tally) => Dispatch(c, tally), iterations, static c => c.ToString());
    }

    public static TheoryData<bool, ConvForm, ConvSet> Properties()
    {
        var data = new TheoryData<bool, ConvForm, ConvSet>();
        foreach (bool transposed in new[] { false, true })
        {
            foreach (ConvForm form in Enum.GetValues<ConvForm>())
            {
                foreach (ConvSet set in Enum.GetValues<ConvSet>())
                {
                    data.Add(transposed, form, set);
                }
            }
        }

        return data;
    }

    internal sealed record ConvCase(
        bool Transposed, ConvForm Form, ConvSet Set, ConvElement Element, Shape4D X, Shape4D W, int BiasLength, ConvGeometrySpec G,
        int XDelta, int WDelta, int DestinationChange, ConvOverlap Overlap, int Shift, ViewKind XKind, ViewKind WKind, ViewKind DKind,
        int Null, int BiasRank, Size2D? OutputSize, int XRank, int WRank, bool Uniform, GuardSide Side, int Degree, int DataSeed)
    {
        public override string ToString()
            => $"{(Transposed ? "ConvTranspose2D" : "Conv2D")}({Form}) {Element} x {X}{(XDelta != 0 ? $"{XDelta:+0;-0}" : "")}{(XRank != 4 ? $" rank {XRank}" : "")}" +
               $" w {W}{(WDelta != 0 ? $"{WDelta:+0;-0}" : "")}{(WRank != 4 ? $" rank {WRank}" : "")} bias {BiasLength}{(BiasRank != 1 ? $" rank {BiasRank}" : "")} {G}" +
               $"{(DestinationChange != 0 ? $" dst change {DestinationChange}" : "")}{(Overlap != ConvOverlap.None ? $" overlap {Overlap}@{Shift}" : "")}" +
               $"{(Form is ConvForm.Span or ConvForm.Tensor ? "" : $" views {XKind}/{WKind}/{DKind}")}{(Null != 0 ? $" null {(Null == 1 ? "source" : "weight")}" : "")}" +
               $"{(OutputSize is { } o ? $" outputSize {o}" : "")}{(Uniform ? " uniform" : " integers")} {Side} threads {Degree} data {DataSeed}";
    }

    // ---------------------------------------------------------------- generators

    private static readonly Gen<ConvElement> Elements = Gen.Frequency((5, Gen.Const(ConvElement.Float)), (3, Gen.Const(ConvElement.Double)), (3, Gen.Const(ConvElement.Half)));

    private static readonly Gen<ConvGeometrySpec> SmallGeometry =
        from groups in Gen.Frequency((6, Gen.Const(1)), (2, Gen.Const(2)), (1, Gen.Const(3)))
        from k in BlockConvGen.Pair(Gen.Int[1, 3])
        from s in BlockConvGen.Pair(Gen.Int[1, 3])
        from pb in BlockConvGen.Pair(Gen.Frequency((3, Gen.Const(0)), (2, Gen.Int[1, 2])))
        from symmetric in Gen.Bool
        from pe in BlockConvGen.Pair(Gen.Frequency((3, Gen.Const(0)), (2, Gen.Int[1, 2])))
        from d in BlockConvGen.Pair(Gen.Frequency((3, Gen.Const(1)), (1, Gen.Const(2))))
        from op in Gen.Select(Gen.UInt, Gen.UInt, Gen.Int[0, 2])
        select new ConvGeometrySpec(false, k, s, pb, symmetric ? pb : pe, d, groups, OutputPadding(s, d, op.Item1, op.Item2, op.Item3));

    /// <summary>Output padding below max(stride, dilation): 0 mostly, sometimes the largest, sometimes random.</summary>
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

    /// <summary>One axis of an extreme geometry: (input, kernel, stride, dilation, output padding, begin pad, end pad).</summary>
    private static Gen<(int I, int K, int S, int D, int Op, int Pb, int Pe)> ExtremeAxis(bool transposed, bool longKernel) =>
        from i in Gen.Int[1, 4]
        from k in longKernel ? Gen.Frequency((40, Gen.Int[1, 5]), (1, Gen.OneOf(2796203, 8388609, (1 << 20) + 1))) : Gen.Int[1, 5]
        from s in BlockConvGen.NoKnownCrashers && transposed ? Gen.Int[1, 3] : Gen.Frequency((6, Gen.Int[1, 3]), (1, BlockConvGen.Edge))
        from dKind in Gen.Int[0, 6]
        from dEdge in BlockConvGen.Edge
        from opKind in Gen.Int[0, 2]
        from opBits in Gen.UInt
        from target in Gen.Int[1, 6]
        from split in Gen.Int[0, 3]
        from splitBits in Gen.UInt
        from padKind in Gen.Frequency((3, Gen.Const(0)), (1, Gen.Const(1)))
        from edges in Gen.Select(Gen.Frequency((2, BlockConvGen.Edge), (1, Gen.Int[0, 3])), Gen.Frequency((2, BlockConvGen.Edge), (1, Gen.Int[0, 3])))
        let d = ExtremeDilation(dKind, dEdge, k, transposed)
        let op = (int)(opKind == 0 ? 0u : opKind == 1 ? (uint)(Math.Max(s, d) - 1) : opBits % (uint)Math.Max(s, d))
        let pads = padKind == 0 ? Balanced(transposed, i, k, s, d, op, target, split, splitBits) : edges
        select (i, k, s, d, op, pads.Item1, pads.Item2);

    /// <summary>A dilation: small, an edge value, or the one that brings <c>d*(k-1)</c> just under 2^32 (as in defect 4).</summary>
    private static int ExtremeDilation(int kind, int edge, int k, bool transposed)
    {
        if (BlockConvGen.NoKnownCrashers && transposed)
        {
            // Development switch: defects 3 and 4 corrupt the heap through a dilated transposed kernel with huge padding.
            return kind % 2 + 1;
        }

        return kind switch
        {
            <= 2 => kind + 1,
            <= 5 => edge,
            _ => k > 1 ? (int)Math.Clamp(uint.MaxValue / (uint)(k - 1), 1, int.MaxValue) : 1,
        };
    }

    /// <summary>
    /// The padding that brings the output back to <paramref name="target"/> cells: conv
    /// <c>pb + pe = keff - i + (target - 1)*s</c>, transposed <c>pb + pe = (i - 1)*s + keff + op - target</c>, split evenly,
    /// all at the beginning, all at the end or at random, each side at most int.MaxValue (the rest stays: a larger output).
    /// </summary>
    private static (int, int) Balanced(bool transposed, int i, int k, int s, int d, int op, int target, int split, uint bits)
    {
        long keff = ((long)d * (k - 1)) + 1;
        long total = Math.Max(0, transposed ? ((long)(i - 1) * s) + keff + op - target : keff - i + ((long)(target - 1) * s));
        long begin = split switch { 0 => total / 2, 1 => total, 2 => 0, _ => total == 0 ? 0 : (long)(bits % (ulong)(total + 1)) };
        begin = Math.Min(begin, int.MaxValue);
        long end = Math.Min(total - begin, int.MaxValue);
        return ((int)begin, (int)end);
    }

    private static Gen<ConvCase> Cases(bool transposed, ConvForm form, ConvSet set) =>
        from element in set == ConvSet.Ordinary ? Gen.Frequency((20, Elements), (1, Gen.Const(ConvElement.NFloat))) : Elements
        from g in set == ConvSet.Extreme ? ExtremeGeometry(transposed) : SmallGeometry.Select(static spec => (spec, default(Size2D)))
        from cinG in Gen.Int[1, set == ConvSet.Extreme ? 1 : 3]
        from coutG in Gen.Int[1, set == ConvSet.Extreme ? 2 : 3]
        from n in Gen.Frequency((1, Gen.Const(0)), (8, Gen.Const(1)), (2, Gen.Const(2)))
        from hw in set == ConvSet.Extreme ? Gen.Const((0, 0)) : Gen.Select(Gen.Int[1, 6], Gen.Int[1, 6])
        from fault in set == ConvSet.Ordinary ? Gen.Frequency((10, Gen.Const(0)), (14, Gen.Int[1, 14])) : Gen.Int[0, 3]
        from r in Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue])
        from kinds in Gen.Select(Gen.OneOf(ViewKind.Dense, ViewKind.RowPadded, ViewKind.ChannelsLast), Gen.OneOf(ViewKind.Dense, ViewKind.RowPadded), Gen.OneOf(ViewKind.Dense, ViewKind.RowPadded))
        from outputSizeKind in Gen.Frequency((3, Gen.Const(-1)), (2, Gen.Int[0, 4]))
        from uniform in Gen.Frequency((3, Gen.Const(false)), (1, Gen.Const(true)))
        from side in BlockConvGen.Side
        from degree in CaseThreads.Degree
        from data in Gen.Int
        select Build(transposed, form, set, element, g.Item1, g.Item2 == default ? new Size2D(hw.Item1, hw.Item2) : g.Item2, cinG, coutG, n, fault, r.Item1, r.Item2, kinds, outputSizeKind, uniform, side, degree, data);

    private static Gen<(ConvGeometrySpec Spec, Size2D Input)> ExtremeGeometry(bool transposed) =>
        from h in ExtremeAxis(transposed, longKernel: false)
        from w in ExtremeAxis(transposed, longKernel: !BlockConvGen.NoKnownCrashers)
        select (new ConvGeometrySpec(false, new Size2D(h.K, w.K), new Size2D(h.S, w.S), new Size2D(h.Pb, w.Pb), new Size2D(h.Pe, w.Pe), new Size2D(h.D, w.D), 1, new Size2D(h.Op, w.Op)), new Size2D(h.I, w.I));

    /// <summary>Assembles a valid case and applies its one fault (ordinary and weight-shape sets).</summary>
    private static ConvCase Build(
        bool transposed, ConvForm form, ConvSet set, ConvElement element, ConvGeometrySpec g, Size2D input, int cinG, int coutG, int n, int fault, int r1, int r2,
        (ViewKind, ViewKind, ViewKind) kinds, int outputSizeKind, bool uniform, GuardSide side, int degree, int data)
    {
        int groups = g.Groups, cin = groups * cinG, cout = groups * coutG;
        var x = new Shape4D(n, cin, input.Height, input.Width);
        var w = transposed ? new Shape4D(cin, coutG, g.K.Height, g.K.Width) : new Shape4D(cout, cinG, g.K.Height, g.K.Width);
        int bias = r1 % 3 == 0 ? 0 : cout;
        int xDelta = 0, wDelta = 0, dChange = 0, nullArg = 0, biasRank = 1, xRank = 4, wRank = 4;
        var overlap = ConvOverlap.None;
        bool tensorForm = form != ConvForm.Span;
        if (set == ConvSet.WeightShape)
        {
            switch (fault)
            {
                case 0: w = w with { Height = w.Height + 1 }; break;
                case 1: w = w with { Width = w.Width > 1 && r2 % 2 == 0 ? w.Width - 1 : w.Width + 1 }; break;
                case 2:
                    w = transposed ? w with { Batch = w.Batch + (r2 % 2 == 0 ? 1 : -1) } : w with { Channels = w.Channels + (r2 % 2 == 0 ? 1 : -1) };
                    break;
                default:
                    w = transposed ? w with { Batch = w.Batch * 2 } : w with { Channels = w.Channels * 2 };
                    break;
            }
        }
        else if (set == ConvSet.Ordinary)
        {
            int delta = r2 % 2 == 0 ? 1 : -1;
            switch (fault)
            {
                case 1: xDelta = delta; break;
                case 2: wDelta = delta; break;
                case 3: dChange = 1 + (r2 % 5); break;
                case 4: bias = Math.Max(0, cout + delta); break;
                case 5:
                    // Groups that do not divide the input channels (a geometry fault, whatever the weight says).
                    g = g with { Groups = Math.Max(2, g.Groups) };
                    x = x with { Channels = (g.Groups * cinG) + 1 };
                    break;
                case 6:
                    x = (r2 % 4) switch
                    {
                        0 => x with { Height = tensorForm ? 0 : -1 },
                        1 => x with { Width = 0 },
                        2 => tensorForm ? x with { Batch = 0, Height = int.MaxValue } : x with { Batch = -1 },
                        _ => x with { Batch = 0, Channels = cin, Height = 1 << 30, Width = 1 << 30 },
                    };
                    break;
                case 7:
                    w = (r2 % 3) switch
                    {
                        0 => w with { Height = 0 },
                        1 => tensorForm ? w with { Width = 0 } : w with { Channels = -1 },
                        _ => w with { Width = 0, Height = 0 },
                    };
                    break;
                case 8: overlap = (ConvOverlap)(1 + (r2 % 3)); break;
                case 9: element = ConvElement.NFloat; break;
                case 10: g = ConvGeometrySpec.Default; break;
                case 11: x = x with { Batch = 0 }; break;
                case 12:
                    w = transposed ? w with { Channels = 0 } : w with { Batch = 0 };
                    bias = 0;
                    break;
                case 13: xRank = r2 % 2 == 0 ? 3 : 5; break;
                case 14:
                    if (form == ConvForm.Tensor)
                    {
                        (nullArg, biasRank) = (r2 % 3) switch { 0 => (1, 1), 1 => (2, 1), _ => (0, 2) };
                    }
                    else
                    {
                        wRank = r2 % 2 == 0 ? 3 : 5;
                    }

                    break;
            }
        }

        if (overlap == ConvOverlap.Bias && bias == 0)
        {
            bias = cout;
        }

        Size2D? outputSize = null;
        if (transposed && (form is ConvForm.Tensor or ConvForm.ReadOnlyTensorSpan) && outputSizeKind >= 0 && !g.IsDefault)
        {
            // PyTorch's output_size: [min, min + s - 1] per axis, min the size with no output padding; pick a border or just past it.
            long minH = TransposedAxis(input.Height, g.K.Height, g.S.Height, g.Pb.Height, g.Pe.Height, g.D.Height, 0);
            long minW = TransposedAxis(input.Width, g.K.Width, g.S.Width, g.Pb.Width, g.Pe.Width, g.D.Width, 0);
            long Pick(long min, int s) => outputSizeKind switch { 0 => min, 1 => min + s - 1, 2 => min - 1, 3 => min + s, _ => min + (r1 % s) };
            outputSize = new Size2D((int)Math.Clamp(Pick(minH, g.S.Height), int.MinValue, int.MaxValue), (int)Math.Clamp(Pick(minW, g.S.Width), int.MinValue, int.MaxValue));
        }

        if (form == ConvForm.Tensor || element == ConvElement.NFloat || element == ConvElement.Half)
        {
            uniform = uniform && element != ConvElement.Half && element != ConvElement.NFloat;
        }

        if (w.Width > 5)
        {
            kinds = (kinds.Item1, ViewKind.Dense, kinds.Item3);
        }

        return new ConvCase(
            transposed, form, set, element, x, w, bias, g, xDelta, wDelta, dChange, form is ConvForm.Span or ConvForm.TensorSpan ? overlap : ConvOverlap.None, r1,
            kinds.Item1, kinds.Item2, kinds.Item3, nullArg, biasRank, outputSize, xRank, wRank, uniform, side, degree, data);
    }

    // ---------------------------------------------------------------- the model

    internal static long TransposedAxis(int i, int k, int s, int pb, int pe, int d, int op)
        => ((long)(i - 1) * s) - pb - pe + ((long)d * (k - 1)) + 1 + op;

    internal static long ConvAxis(int i, int k, int s, int pb, int pe, int d)
    {
        long span = (long)i + pb + pe - (((long)d * (k - 1)) + 1);
        return span < 0 ? 0 : (span / s) + 1;
    }

    /// <summary>
    /// The checks every form shares, in the library's documented order (SEMANTICS 4, the XML docs): the geometry is not
    /// the default; groups divide the input channels; the weight's kernel is the geometry's; the weight's channels fit
    /// the layout (<c>[Cout, Cin/g, kH, kW]</c>, or <c>[Cin, Cout/g, kH, kW]</c> transposed); the bias has Cout values or
    /// none; the output size is between 1 and int.MaxValue per axis (naming the geometry) and its element count fits an
    /// array. A weight that disagrees names <paramref name="weightName"/>: the parameter the caller passed it in
    /// (<c>weightShape</c> in the span form, <c>weight</c> in the others, which have no weightShape).
    /// </summary>
    private static (Refusal? Refusal, Shape4D Output) Geometry(bool transposed, Shape4D x, Shape4D w, int biasLength, ConvGeometrySpec g, string weightName)
    {
        if (g.IsDefault)
        {
            return (Refusal.Arg("geometry"), default);
        }

        if (x.Channels % g.Groups != 0)
        {
            return (Refusal.Arg("geometry"), default);
        }

        if (w.Height != g.K.Height || w.Width != g.K.Width)
        {
            return (Refusal.Arg(weightName), default);
        }

        long cout;
        if (transposed)
        {
            if (w.Batch != x.Channels)
            {
                return (Refusal.Arg(weightName), default);
            }

            cout = (long)w.Channels * g.Groups;
        }
        else
        {
            if (w.Batch % g.Groups != 0)
            {
                return (Refusal.Arg("geometry"), default);
            }

            if ((long)w.Channels * g.Groups != x.Channels)
            {
                return (Refusal.Arg(weightName), default);
            }

            cout = w.Batch;
        }

        if (biasLength != 0 && biasLength != cout)
        {
            return (Refusal.Arg("bias"), default);
        }

        long h = transposed ? TransposedAxis(x.Height, g.K.Height, g.S.Height, g.Pb.Height, g.Pe.Height, g.D.Height, g.Op.Height) : ConvAxis(x.Height, g.K.Height, g.S.Height, g.Pb.Height, g.Pe.Height, g.D.Height);
        long wd = transposed ? TransposedAxis(x.Width, g.K.Width, g.S.Width, g.Pb.Width, g.Pe.Width, g.D.Width, g.Op.Width) : ConvAxis(x.Width, g.K.Width, g.S.Width, g.Pb.Width, g.Pe.Width, g.D.Width);
        if (h < 1 || wd < 1 || h > int.MaxValue || wd > int.MaxValue)
        {
            return (Refusal.Arg("geometry"), default);
        }

        if (cout > int.MaxValue)
        {
            return (Refusal.Arg(weightName), default);
        }

        var output = new Shape4D(x.Batch, (int)cout, (int)h, (int)wd);
        return BlockConvGen.Count(output) > Array.MaxLength ? (Refusal.Arg("geometry"), output) : (null, output);
    }

    /// <summary>The lengths of a tensor argument of rank <paramref name="rank"/> holding <paramref name="shape"/>'s elements.</summary>
    private static nint[] RankLengths(Shape4D shape, int rank)
    {
        nint[] l = [Math.Max(shape.Batch, 0), Math.Max(shape.Channels, 0), Math.Max(shape.Height, 0), Math.Max(shape.Width, 0)];
        return rank switch { 3 => [l[0] * l[1], l[2], l[3]], 5 => [1, .. l], _ => l };
    }

    /// <summary>
    /// The model, decided from the case alone (and the lengths it implies). Span form: element type, source shape,
    /// source length, weight shape, weight length, <see cref="Geometry"/>, destination length, overlap with an input.
    /// TensorSpan form: element type, source and weight tensors (rank 4, valid shapes), geometry, the destination's
    /// shape, overlap. Allocating forms: null tensors, a bias tensor of rank other than 1, element type, source, then
    /// (transposed with an output size) the default geometry and the output size's range, then weight and geometry.
    /// </summary>
    private static (Refusal? Refusal, Shape4D Output, ConvGeometrySpec Geometry) Model(ConvCase c, int xLength, int wLength)
    {
        ConvGeometrySpec g = c.G;
        if (c.Form == ConvForm.Tensor)
        {
            if (c.Null == 1)
            {
                return (Refusal.Null("source"), default, g);
            }

            if (c.Null == 2)
            {
                return (Refusal.Null("weight"), default, g);
            }

            if (c.BiasRank != 1)
            {
                return (Refusal.Arg("bias"), default, g);
            }
        }

        if (c.Element == ConvElement.NFloat)
        {
            return (Refusal.Unsupported, default, g);
        }

        if (c.Form == ConvForm.Span)
        {
            if (!BlockConvGen.Valid(c.X))
            {
                return (Refusal.Arg("sourceShape"), default, g);
            }

            if (xLength != BlockConvGen.Count(c.X))
            {
                return (Refusal.Arg("source"), default, g);
            }

            if (!BlockConvGen.Valid(c.W))
            {
                return (Refusal.Arg("weightShape"), default, g);
            }

            if (wLength != BlockConvGen.Count(c.W))
            {
                return (Refusal.Arg("weight"), default, g);
            }

            (Refusal? r, Shape4D o) = Geometry(c.Transposed, c.X, c.W, c.BiasLength, g, "weightShape");
            return (r, o, g);
        }

        if (c.XRank != 4 || !BlockConvGen.Valid(c.X))
        {
            return (Refusal.Arg("source"), default, g);
        }

        if (c.Form == ConvForm.TensorSpan)
        {
            if (c.WRank != 4 || !BlockConvGen.Valid(c.W))
            {
                return (Refusal.Arg("weight"), default, g);
            }

            (Refusal? r, Shape4D o) = Geometry(c.Transposed, c.X, c.W, c.BiasLength, g, "weight");
            return (r, o, g);
        }

        if (c.Transposed && c.OutputSize is { } requested)
        {
            if (g.IsDefault)
            {
                return (Refusal.Arg("geometry"), default, g);
            }

            long minH = TransposedAxis(c.X.Height, g.K.Height, g.S.Height, g.Pb.Height, g.Pe.Height, g.D.Height, 0);
            long minW = TransposedAxis(c.X.Width, g.K.Width, g.S.Width, g.Pb.Width, g.Pe.Width, g.D.Width, 0);
            if (requested.Height < Math.Max(1, minH) || requested.Height > minH + g.S.Height - 1 || requested.Width < Math.Max(1, minW) || requested.Width > minW + g.S.Width - 1)
            {
                return (Refusal.Range("outputSize"), default, g);
            }

            g = g with { Op = new Size2D((int)(requested.Height - minH), (int)(requested.Width - minW)) };
        }

        if (c.WRank != 4 || !BlockConvGen.Valid(c.W))
        {
            return (Refusal.Arg("weight"), default, g);
        }

        (Refusal? refusal, Shape4D output) = Geometry(c.Transposed, c.X, c.W, c.BiasLength, g, "weight");
        if (refusal is not null && c.Transposed && c.OutputSize is not null && BlockConvGen.Count(output) > Array.MaxLength)
        {
            // An output no array holds, of the size the caller asked for: the argument to fix is outputSize (defect 9's rule).
            refusal = Refusal.Arg("outputSize");
        }

        return (refusal, output, g);
    }

    /// <summary>Cases the host can run: inputs the test can allocate, outputs of at most 2^16 elements when valid, bounded work.</summary>
    private static bool Feasible(ConvCase c)
    {
        if (c.Form != ConvForm.Span && (!Storable(c.X) || !Storable(c.W)))
        {
            return false;
        }

        (Refusal? refusal, Shape4D output, _) = Model(c, BlockConvGen.BufferLength(BlockConvGen.Count(c.X), c.XDelta), BlockConvGen.BufferLength(BlockConvGen.Count(c.W), c.WDelta, 1 << 24));
        if (refusal is not null)
        {
            return true;
        }

        if (c.Form == ConvForm.Span && output.ElementCount > Cap)
        {
            // The test passes a short destination: refused naming it, nothing computed.
            return true;
        }

        Int128 work = (Int128)Math.Max(1, c.X.Batch) * Math.Max(1, c.X.Channels) * Math.Max(1, c.W.ElementCount / Math.Max(1, c.X.Channels)) * Math.Max(1, c.Transposed ? c.X.PlaneSize : output.PlaneSize);
        return output.ElementCount <= Cap && work <= (c.Set == ConvSet.Extreme ? 1 << 25 : 1 << 18);
    }

    private static bool Storable(Shape4D s) => s.Batch == 0 || s.Channels == 0 || s.Height == 0 || s.Width == 0 || (BlockConvGen.Valid(s) && s.ElementCount <= Cap * 256L);

    // ---------------------------------------------------------------- running a case

    /// <summary>Development aid: with <c>PROPERTY_TRACE=path</c> every case is appended there before it runs, so a case that kills the host can be found.</summary>
    private static readonly string? TracePath = Environment.GetEnvironmentVariable("PROPERTY_TRACE") is { Length: > 0 } path ? path : null;

    private static readonly Lock TraceLock = new();

    private static void Dispatch(ConvCase c, Property.Tally tally)
    {
        if (TracePath is not null)
        {
            lock (TraceLock)
            {
                File.AppendAllText(TracePath, c + Environment.NewLine);
            }
        }

        switch (c.Element)
        {
            case ConvElement.Float: Run<float>(c, tally); break;
            case ConvElement.Double: Run<double>(c, tally); break;
            case ConvElement.Half: Run<Half>(c, tally); break;
            default: Run<NFloat>(c, tally); break;
        }
    }

    private static T[] Data<T>(int length, int seed, bool uniform)
        where T : IFloatingPointIeee754<T>
        => uniform ? ConvData.Uniform<T>(length, seed) : ConvData.Integers<T>(length, seed);

    private static void Run<T>(ConvCase c, Property.Tally tally)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int xLength = BlockConvGen.BufferLength(BlockConvGen.Count(c.X), c.XDelta), wLength = BlockConvGen.BufferLength(BlockConvGen.Count(c.W), c.WDelta, 1 << 24);
        if (c.Form != ConvForm.Span)
        {
            xLength = (int)Int128.Clamp(BlockConvGen.Count(c.X), 0, int.MaxValue);
            wLength = (int)Int128.Clamp(BlockConvGen.Count(c.W), 0, int.MaxValue);
        }

        (Refusal? refusal, Shape4D output, ConvGeometrySpec effective) = Model(c, xLength, wLength);
        T[] x = Data<T>(xLength, c.DataSeed, c.Uniform), w = Data<T>(wLength, c.DataSeed + 1, c.Uniform), b = Data<T>(c.BiasLength, c.DataSeed + 2, c.Uniform);
        string context = $"{c} <{typeof(T).Name}>";
        var options = CaseThreads.Options(c.Degree);
        Conv2DGeometry geometry = c.G.Build();
        bool transposed = c.Transposed;
        T[]? actual = null;
        switch (c.Form)
        {
            case ConvForm.Span:
            {
                int dLength = BlockConvGen.BufferLength(refusal is null ? BlockConvGen.Count(output) : -1, c.DestinationChange == 0 ? 0 : (c.DestinationChange % 2 == 0 ? 1 : -1));
                if (refusal is null && dLength != BlockConvGen.Count(output))
                {
                    refusal = Refusal.Arg("destination");
                }

                using var buffers = new ConvBuffers<T>(x, w, b, dLength, c.Overlap, c.Shift, c.Side, c.DataSeed);
                if (refusal is null && buffers.Overlap)
                {
                    refusal = Refusal.Arg("destination");
                }

                Shape4D xs = c.X, ws = c.W;
                ConvBuffers<T> m = buffers;
                Action call = transposed
                    ? () => Functional.ConvTranspose2D<T>(m.Source, xs, m.Weight, ws, m.Bias, geometry, m.Destination, options)
                    : () => Functional.Conv2D<T>(m.Source, xs, m.Weight, ws, m.Bias, geometry, m.Destination, options);
                if (refusal is { } r)
                {
                    byte[] before = buffers.Snapshot();
                    string category = r.Check(call, context);
                    Assert.True(before.AsSpan().SequenceEqual(buffers.Snapshot()), $"{context}: refused but changed its destination.");
                    tally.Add(buffers.Overlap && r.Param == "destination" && dLength == BlockConvGen.Count(output) ? category + " (overlap)" : category);
                    return;
                }

                call();
                actual = buffers.Destination.ToArray();
                break;
            }

            case ConvForm.TensorSpan:
            {
                nint[] dLengths = refusal is null ? Changed(output, c.DestinationChange) : [1, 1, 1, 1];
                if (refusal is null && c.DestinationChange != 0)
                {
                    refusal = Refusal.Arg("destination");
                }

                nint[] dStrides = GuardedTensor<T>.StridesOf(dLengths, c.Overlap == ConvOverlap.None ? c.DKind : ViewKind.Dense, 1);
                int dExtent = GuardedTensor<T>.Extent(dLengths, dStrides);
                using var views = new ConvViews<T>(c, dLengths, dStrides, dExtent, b);
                bool overlap = views.Overlap;
                if (refusal is null && overlap)
                {
                    refusal = Refusal.Arg("destination");
                }

                GuardedTensor<T> source = views.Source, weight = views.Weight, destination = views.Destination;
                PageGuardedMemory<T> dMemory = destination.Memory;
                ConvViews<T> bm = views;
                Action call = transposed
                    ? () => Functional.ConvTranspose2D<T>(source.ReadOnly, weight.ReadOnly, bm.Bias, geometry, destination.Writable, options)
                    : () => Functional.Conv2D<T>(source.ReadOnly, weight.ReadOnly, bm.Bias, geometry, destination.Writable, options);
                byte[] before = MemoryMarshal.AsBytes(dMemory.Span).ToArray();
                if (refusal is { } r)
                {
                    string category = r.Check(call, context);
                    Assert.True(before.AsSpan().SequenceEqual(MemoryMarshal.AsBytes(dMemory.Span)), $"{context}: refused but changed its destination's memory.");
                    tally.Add(overlap && r.Param == "destination" ? category + " (overlap)" : category);
                    return;
                }

                call();
                x = source.Logical();
                w = weight.Logical();
                actual = destination.Logical();
                var inside = new HashSet<long>(GuardedTensor<T>.Offsets(dLengths, dStrides).Select(o => o + destination.Start));
                ReadOnlySpan<T> old = MemoryMarshal.Cast<byte, T>(before);
                for (int i = 0; i < dMemory.Length; i++)
                {
                    Assert.True(inside.Contains(i) || Property.SameBytes<T>(old.Slice(i, 1), dMemory.Span.Slice(i, 1)), $"{context}: element {i} outside the destination view was written.");
                }

                break;
            }

            default:
            {
                using var source = GuardedTensor<T>.Create(RankLengths(c.X, c.XRank), c.Form == ConvForm.Tensor ? ViewKind.Dense : c.XKind, 1, c.Side, c.DataSeed, readOnly: false);
                using var weight = GuardedTensor<T>.Create(RankLengths(c.W, c.WRank), c.Form == ConvForm.Tensor ? ViewKind.Dense : c.WKind, 2, c.Side, c.DataSeed + 1, readOnly: false);
                using var biasMemory = PageGuardedMemory<T>.From(b, c.Side, readOnly: true);
                Fill(source, c.DataSeed, c.Uniform);
                Fill(weight, c.DataSeed + 1, c.Uniform);
                source.Memory.MakeReadOnly();
                weight.Memory.MakeReadOnly();
                x = source.Logical();
                w = weight.Logical();
                bool isTensor = c.Form == ConvForm.Tensor;
                Tensor<T>? xt = isTensor && c.Null != 1 ? Tensor.Create(x, source.Lengths) : null;
                Tensor<T>? wt = isTensor && c.Null != 2 ? Tensor.Create(w, weight.Lengths) : null;
                Tensor<T>? bt = !isTensor || c.BiasLength == 0 && c.BiasRank == 1 ? null : Tensor.Create(b, c.BiasRank == 1 ? [b.Length] : [1, b.Length]);
                Size2D? outputSize = c.OutputSize;
                Tensor<T>? result = null;
                GuardedTensor<T> s = source, wv = weight;
                PageGuardedMemory<T> bm = biasMemory;
                Action call = (transposed, isTensor) switch
                {
                    (true, true) => () => result = Functional.ConvTranspose2D(xt!, wt!, bt, geometry, outputSize, options),
                    (true, false) => () => result = Functional.ConvTranspose2D(s.ReadOnly, wv.ReadOnly, bm.Span, geometry, outputSize, options),
                    (false, true) => () => result = Functional.Conv2D(xt!, wt!, bt, geometry, options),
                    _ => () => result = Functional.Conv2D(s.ReadOnly, wv.ReadOnly, bm.Span, geometry, options),
                };
                if (refusal is { } r)
                {
                    tally.Add(r.Check(call, context));
                    return;
                }

                call();
                Assert.Equal(BlockConvGen.Lengths(output), result!.Lengths.ToArray());
                actual = new T[output.ElementCount];
                result.AsReadOnlyTensorSpan().FlattenTo(actual);
                break;
            }
        }

        AssertResult(c, x, w, b, effective, output, actual, context);
        tally.Add(output.ElementCount == 0 ? "result: empty" : c.OutputSize is not null && c.Form is ConvForm.Tensor or ConvForm.ReadOnlyTensorSpan ? "result: output size" : "result");
    }

    /// <summary>Refills a view's logical elements with the case's data (integers or uniform), so the oracle sees what the library does.</summary>
    private static void Fill<T>(GuardedTensor<T> view, int seed, bool uniform)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long[] offsets = GuardedTensor<T>.Offsets(view.Lengths, view.Strides);
        T[] values = Data<T>(offsets.Length, seed, uniform);
        Span<T> memory = view.Memory.Span;
        for (int i = 0; i < offsets.Length; i++)
        {
            memory[(int)(view.Start + offsets[i])] = values[i];
        }
    }

    /// <summary>A destination's lengths: the output's, or changed (1..4: an axis +-1, 5: rank 3).</summary>
    private static nint[] Changed(Shape4D output, int change)
    {
        nint[] l = BlockConvGen.Lengths(output);
        if (change == 5)
        {
            return [l[0] * l[1], l[2], l[3]];
        }

        if (change > 0)
        {
            l[change - 1] += l[change - 1] == 0 || change % 2 == 0 ? 1 : -1;
        }

        return l;
    }

    private static void AssertResult<T>(ConvCase c, T[] x, T[] w, T[] b, ConvGeometrySpec g, Shape4D output, T[] actual, string context)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] xd = Widen(x), wd = Widen(w), bd = Widen(b);
        double[] expected = Oracle(c.Transposed, xd, c.X, wd, c.W, b.Length == 0 ? null : bd, g, output);
        if (!c.Uniform)
        {
            // Integers in [-3, 3]: every product and partial sum of these sizes is exact in float, double and Half.
            ConvAssert.Exact<T>(expected.Select(v => T.CreateChecked(v)).ToArray(), actual, context);
            return;
        }

        double[] magnitude = Oracle(c.Transposed, xd.Select(Math.Abs).ToArray(), c.X, wd.Select(Math.Abs).ToArray(), c.W, b.Length == 0 ? null : bd.Select(Math.Abs).ToArray(), g, output);
        ConvAssert.Close<T>(expected.Select(v => T.CreateChecked(v)).ToArray(), actual, magnitude.Length == 0 ? 0 : magnitude.Max(), context);
    }

    private static double[] Widen<T>(T[] values)
        where T : IFloatingPointIeee754<T>
        => values.Select(double.CreateChecked).ToArray();

    /// <summary>
    /// <see cref="ConvReference"/> for geometries whose numbers stay far inside 32 bits, else <see cref="Reference64"/>
    /// (the same loops with 64-bit indices), which the extreme set needs.
    /// </summary>
    private static double[] Oracle(bool transposed, double[] x, Shape4D xs, double[] w, Shape4D ws, double[]? bias, ConvGeometrySpec g, Shape4D output)
    {
        bool small = new[] { g.K.Height, g.K.Width, g.S.Height, g.S.Width, g.Pb.Height, g.Pb.Width, g.Pe.Height, g.Pe.Width, g.D.Height, g.D.Width }.All(v => v <= 1 << 12);
        if (small)
        {
            Conv2DGeometry geometry = g.Build();
            (double[] y, Shape4D shape) = transposed ? ConvReference.ConvTranspose2D(x, xs, w, ws, bias, geometry) : ConvReference.Conv2D(x, xs, w, ws, bias, geometry);
            Assert.Equal(output, shape);
            return y;
        }

        return transposed ? Reference64.ConvTranspose2D(x, xs, w, ws, bias, g, output) : Reference64.Conv2D(x, xs, w, ws, bias, g, output);
    }
}

/// <summary>
/// <see cref="ConvReference"/>'s loops with every index in 64 bits, over double data, for geometries whose padding,
/// dilation, stride or kernel come near 2^31 (where <see cref="ConvReference"/>'s 32-bit arithmetic would wrap). The
/// output shape comes from the property's model; the loops visit every input cell and tap that lands inside it.
/// </summary>
internal static class Reference64
{
    public static double[] Conv2D(double[] x, Shape4D xs, double[] w, Shape4D ws, double[]? bias, ConvGeometrySpec g, Shape4D ys)
    {
        int groups = g.Groups, cinG = ws.Channels, cout = ws.Batch, coutG = Math.Max(1, cout / groups);
        var y = new double[ys.ElementCount];
        for (long n = 0; n < xs.Batch; n++)
        {
            for (long co = 0; co < cout; co++)
            {
                long gi = co / coutG;
                for (long oh = 0; oh < ys.Height; oh++)
                {
                    for (long ow = 0; ow < ys.Width; ow++)
                    {
                        double sum = 0;
                        for (long ci = 0; ci < cinG; ci++)
                        {
                            long cIn = (gi * cinG) + ci;
                            for (long jh = 0; jh < ws.Height; jh++)
                            {
                                long ih = (oh * g.S.Height) - g.Pb.Height + (jh * g.D.Height);
                                if (ih < 0 || ih >= xs.Height)
                                {
                                    continue;
                                }

                                // Only the taps that land on a real column: jw = (iw - base) / d for the columns iw.
                                long baseW = (ow * g.S.Width) - g.Pb.Width;
                                for (long iw = 0; iw < xs.Width; iw++)
                                {
                                    long offset = iw - baseW;
                                    if (offset < 0 || offset % g.D.Width != 0 || offset / g.D.Width >= ws.Width)
                                    {
                                        continue;
                                    }

                                    long jw = offset / g.D.Width;
                                    sum += x[(((((n * xs.Channels) + cIn) * xs.Height) + ih) * xs.Width) + iw] * w[(((((co * cinG) + ci) * ws.Height) + jh) * ws.Width) + jw];
                                }
                            }
                        }

                        y[(((((n * cout) + co) * ys.Height) + oh) * ys.Width) + ow] = sum + (bias is null ? 0 : bias[co]);
                    }
                }
            }
        }

        return y;
    }

    public static double[] ConvTranspose2D(double[] x, Shape4D xs, double[] w, Shape4D ws, double[]? bias, ConvGeometrySpec g, Shape4D ys)
    {
        int groups = g.Groups, cinG = xs.Channels / groups, coutG = ws.Channels, cout = coutG * groups;
        var y = new double[ys.ElementCount];
        for (long n = 0; n < xs.Batch; n++)
        {
            for (long c = 0; c < cout; c++)
            {
                for (long i = 0; i < ys.PlaneSize; i++)
                {
                    y[(((n * cout) + c) * ys.PlaneSize) + i] = bias is null ? 0 : bias[c];
                }
            }

            for (long gi = 0; gi < groups; gi++)
            {
                for (long ci = 0; ci < cinG; ci++)
                {
                    long cIn = (gi * cinG) + ci;
                    for (long co = 0; co < coutG; co++)
                    {
                        long cOut = (gi * coutG) + co;
                        for (long ih = 0; ih < xs.Height; ih++)
                        {
                            for (long iw = 0; iw < xs.Width; iw++)
                            {
                                double v = x[(((((n * xs.Channels) + cIn) * xs.Height) + ih) * xs.Width) + iw];
                                for (long jh = 0; jh < ws.Height; jh++)
                                {
                                    long yh = (ih * g.S.Height) - g.Pb.Height + (jh * g.D.Height);
                                    if (yh < 0 || yh >= ys.Height)
                                    {
                                        continue;
                                    }

                                    // Only the taps that land inside the output row: yw = base + jw*d in [0, outW).
                                    long baseW = (iw * g.S.Width) - g.Pb.Width;
                                    for (long yw = 0; yw < ys.Width; yw++)
                                    {
                                        long offset = yw - baseW;
                                        if (offset < 0 || offset % g.D.Width != 0 || offset / g.D.Width >= ws.Width)
                                        {
                                            continue;
                                        }

                                        long jw = offset / g.D.Width;
                                        y[(((((n * cout) + cOut) * ys.Height) + yh) * ys.Width) + yw] += v * w[(((((cIn * coutG) + co) * ws.Height) + jh) * ws.Width) + jw];
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
}

/// <summary>
/// The span form's buffers: source, weight and bias read-only in their own guarded memory, the destination in its own,
/// or the destination starting inside the source, weight or bias (which is then writable).
/// </summary>
internal sealed class ConvBuffers<T> : IDisposable
    where T : unmanaged
{
    private readonly PageGuardedMemory<T> _source;
    private readonly PageGuardedMemory<T> _weight;
    private readonly PageGuardedMemory<T> _bias;
    private readonly PageGuardedMemory<T> _destinationMemory;
    private readonly bool _ownsDestination;
    private readonly int _start;
    private readonly int _length;

    public ConvBuffers(T[] source, T[] weight, T[] bias, int destinationLength, ConvOverlap overlap, int shift, GuardSide side, int seed)
    {
        GuardSide other = side == GuardSide.After ? GuardSide.Before : GuardSide.After;
        T[] host = overlap switch { ConvOverlap.Source => source, ConvOverlap.Weight => weight, ConvOverlap.Bias => bias, _ => [] };
        _length = destinationLength;
        _start = host.Length > 0 ? shift % host.Length : 0;
        var shared = new T[Math.Max(host.Length, _start + destinationLength)];
        host.CopyTo(shared, 0);
        _source = PageGuardedMemory<T>.From(overlap == ConvOverlap.Source ? shared : source, side, readOnly: overlap != ConvOverlap.Source);
        _weight = PageGuardedMemory<T>.From(overlap == ConvOverlap.Weight ? shared : weight, other, readOnly: overlap != ConvOverlap.Weight);
        _bias = PageGuardedMemory<T>.From(overlap == ConvOverlap.Bias ? shared : bias, side, readOnly: overlap != ConvOverlap.Bias);
        SourceLength = source.Length;
        WeightLength = weight.Length;
        BiasLength = bias.Length;
        if (overlap == ConvOverlap.None)
        {
            _destinationMemory = new PageGuardedMemory<T>(destinationLength, other);
            BlockConvGen.FillBytes(_destinationMemory.Span, ~seed);
            _ownsDestination = true;
        }
        else
        {
            _destinationMemory = overlap switch { ConvOverlap.Source => _source, ConvOverlap.Weight => _weight, _ => _bias };
            Overlap = host.Length > 0 && destinationLength > 0;
        }
    }

    public int SourceLength { get; }

    public int WeightLength { get; }

    public int BiasLength { get; }

    /// <summary>Whether the destination shares an element with an input.</summary>
    public bool Overlap { get; }

    public ReadOnlySpan<T> Source => _source.Span[..SourceLength];

    public ReadOnlySpan<T> Weight => _weight.Span[..WeightLength];

    public ReadOnlySpan<T> Bias => _bias.Span[..BiasLength];

    public Span<T> Destination => _destinationMemory.Span.Slice(_start, _length);

    public byte[] Snapshot() => MemoryMarshal.AsBytes(_destinationMemory.Span).ToArray();

    public void Dispose()
    {
        _source.Dispose();
        _weight.Dispose();
        _bias.Dispose();
        if (_ownsDestination)
        {
            _destinationMemory.Dispose();
        }
    }
}

/// <summary>
/// The TensorSpan form's tensors over page-guarded memory: source, weight and bias read-only in their own memory and
/// the destination in its own, or (an overlap case) the destination a dense view in the memory of the source or the
/// weight (both starting at its first element), or the bias a slice of the destination's memory.
/// </summary>
internal sealed class ConvViews<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<PageGuardedMemory<T>> _owned = [];
    private readonly PageGuardedMemory<T> _biasMemory;
    private readonly int _biasStart;
    private readonly int _biasLength;

    public ConvViews(ConvolutionProperties.ConvCase c, nint[] dLengths, nint[] dStrides, int dExtent, T[] bias)
    {
        GuardSide other = c.Side == GuardSide.After ? GuardSide.Before : GuardSide.After;
        nint[] xLengths = RankLengths(c.X, c.XRank), wLengths = RankLengths(c.W, c.WRank);
        nint[] xStrides = GuardedTensor<T>.StridesOf(xLengths, c.Overlap == ConvOverlap.Source ? ViewKind.Dense : c.XKind, 1);
        nint[] wStrides = GuardedTensor<T>.StridesOf(wLengths, c.Overlap == ConvOverlap.Weight ? ViewKind.Dense : c.WKind, 2);
        int xExtent = GuardedTensor<T>.Extent(xLengths, xStrides), wExtent = GuardedTensor<T>.Extent(wLengths, wStrides);
        PageGuardedMemory<T> xMemory = Own(new PageGuardedMemory<T>(c.Overlap == ConvOverlap.Source ? Math.Max(xExtent, dExtent) : xExtent, c.Side));
        PageGuardedMemory<T> wMemory = Own(new PageGuardedMemory<T>(c.Overlap == ConvOverlap.Weight ? Math.Max(wExtent, dExtent) : wExtent, other));
        Source = GuardedTensor<T>.Over(xMemory, 0, xLengths, xStrides);
        Weight = GuardedTensor<T>.Over(wMemory, 0, wLengths, wStrides);
        Fill(Source, c.DataSeed, c.Uniform);
        Fill(Weight, c.DataSeed + 1, c.Uniform);
        PageGuardedMemory<T> dMemory = c.Overlap switch
        {
            ConvOverlap.Source => xMemory,
            ConvOverlap.Weight => wMemory,
            _ => Own(new PageGuardedMemory<T>(Math.Max(dExtent, c.Overlap == ConvOverlap.Bias ? bias.Length : 0), other)),
        };
        if (c.Overlap is ConvOverlap.None or ConvOverlap.Bias)
        {
            BlockConvGen.FillBytes(dMemory.Span, ~c.DataSeed);
        }

        Destination = GuardedTensor<T>.Over(dMemory, 0, dLengths, dStrides);
        if (c.Overlap == ConvOverlap.Bias)
        {
            _biasMemory = dMemory;
            _biasStart = c.Shift % (dMemory.Length - bias.Length + 1);
            bias.CopyTo(dMemory.Span[_biasStart..]);
        }
        else
        {
            _biasMemory = Own(PageGuardedMemory<T>.From(bias, c.Side, readOnly: true));
        }

        _biasLength = bias.Length;
        Overlap = c.Overlap switch
        {
            ConvOverlap.Source => xExtent > 0 && dExtent > 0,
            ConvOverlap.Weight => wExtent > 0 && dExtent > 0,
            ConvOverlap.Bias => bias.Length > 0 && _biasStart < dExtent,
            _ => false,
        };
        if (c.Overlap != ConvOverlap.Source)
        {
            xMemory.MakeReadOnly();
        }

        if (c.Overlap != ConvOverlap.Weight)
        {
            wMemory.MakeReadOnly();
        }
    }

    public GuardedTensor<T> Source { get; }

    public GuardedTensor<T> Weight { get; }

    public GuardedTensor<T> Destination { get; }

    public ReadOnlySpan<T> Bias => _biasMemory.Span.Slice(_biasStart, _biasLength);

    /// <summary>Whether the destination view shares memory with an input.</summary>
    public bool Overlap { get; }

    private static nint[] RankLengths(Shape4D shape, int rank)
    {
        nint[] l = [Math.Max(shape.Batch, 0), Math.Max(shape.Channels, 0), Math.Max(shape.Height, 0), Math.Max(shape.Width, 0)];
        return rank switch { 3 => [l[0] * l[1], l[2], l[3]], 5 => [1, .. l], _ => l };
    }

    private static void Fill(GuardedTensor<T> view, int seed, bool uniform)
    {
        long[] offsets = GuardedTensor<T>.Offsets(view.Lengths, view.Strides);
        T[] values = uniform ? ConvData.Uniform<T>(offsets.Length, seed) : ConvData.Integers<T>(offsets.Length, seed);
        Span<T> memory = view.Memory.Span;
        for (int i = 0; i < offsets.Length; i++)
        {
            memory[(int)(view.Start + offsets[i])] = values[i];
        }
    }

    private PageGuardedMemory<T> Own(PageGuardedMemory<T> memory)
    {
        _owned.Add(memory);
        return memory;
    }

    public void Dispose()
    {
        foreach (PageGuardedMemory<T> memory in _owned)
        {
            memory.Dispose();
        }
    }
}
