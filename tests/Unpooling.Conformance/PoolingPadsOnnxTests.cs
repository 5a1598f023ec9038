using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using Unpooling.Conformance.Infrastructure;
using Unpooling.Peers.Onnx;
using Xunit.Abstractions;

namespace Unpooling.Conformance;

/// <summary>
/// The pooling padding vocabulary against ONNX Runtime's <c>MaxPool</c> (values and its global row-major
/// <c>Indices</c>, bit for bit): 1-D pooling of rank-3 tensors; asymmetric <c>pads</c> (begin and end drawn apart per
/// axis, ours through <c>WithPadding</c>); <c>auto_pad</c> SAME_UPPER, SAME_LOWER and VALID, ours through
/// <c>WithOnnxAutoPad</c>; and <c>uint8</c> inputs (MaxPool takes them from opset 12).
/// </summary>
/// <remarks>
/// As in <see cref="PoolingOnnxTests"/>: ONNX Runtime's selection is <c>v &gt; best</c> without a NaN test, so the
/// float data hold no NaN (but ties, infinities and signed zeros), and its pads must be below the kernel.
/// </remarks>
public sealed class PoolingPadsOnnxTests(ITestOutputHelper output) : RandomCaseTests<PoolingPadsOnnxTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("MaxPool1D vs ORT MaxPool 1-D with Indices, float", 100, Pool1D),
        new("MaxPool2D vs ORT MaxPool, asymmetric pads, float", 100, Asymmetric<float>),
        new("MaxPool2D vs ORT MaxPool, asymmetric pads, double", 50, Asymmetric<double>),
        new("MaxPool2D vs ORT MaxPool, auto_pad, float", 150, AutoPad),
        new("MaxPool2D vs ORT MaxPool, uint8", 80, UInt8),
    ];

    private static readonly (OnnxAutoPad Ours, string Onnx)[] AutoPads =
        [(OnnxAutoPad.SameUpper, "SAME_UPPER"), (OnnxAutoPad.SameLower, "SAME_LOWER"), (OnnxAutoPad.Valid, "VALID")];

    /// <summary>1-D: explicit asymmetric pads (with dilation and ceil mode), or one of the auto_pad modes.</summary>
    private static void Pool1D(CaseContext c)
    {
        Random r = c.Random;
        int k = r.Between(1, 6), s = r.Between(1, 4);
        (int n, int ch) = r.Batch();
        (OnnxAutoPad Ours, string Onnx)? auto = r.Chance(0.3) ? r.Pick(AutoPads) : null;
        int d = auto is null && r.Chance(0.4) ? r.Between(2, 3) : 1;
        bool ceil = auto is null && r.Chance(0.4);
        int pb = auto is null ? r.Between(0, k - 1) : 0, pe = auto is null ? r.Between(0, k - 1) : 0;
        int length = r.Extent(PoolCase.Effective(k, d) - pb - pe);
        var shape = new Shape3D(n, ch, length);
        Pool1DGeometry g = new Pool1DGeometry(k, s, dilation: d, ceilMode: ceil).WithPadding(pb, pe);
        g = auto is { } a ? g.WithOnnxAutoPad(length, a.Ours) : g;
        ValueMode mode = r.Mode(nan: false);
        float[] x = r.Values<float>(shape.ElementCount, mode, nan: false);
        c.Describe($"input {shape}, {g}{(auto is { } b ? $" from auto_pad {b.Onnx}" : "")}, values {mode}");
        OnnxAttribute[] attributes =
        [
            OnnxAttribute.Ints("kernel_shape", k), OnnxAttribute.Ints("strides", s), OnnxAttribute.Ints("dilations", d),
            OnnxAttribute.Int("ceil_mode", ceil ? 1 : 0), OnnxAttribute.Int("storage_order", 0),
            auto is { } e ? OnnxAttribute.String("auto_pad", e.Onnx) : OnnxAttribute.Ints("pads", pb, pe),
        ];
        long[] dims = [n, ch, length];
        if (RunJudged(c, Model(OnnxElementType.Float, dims, attributes), x, dims, () => g.GetOutputSize(length)) is not { } peer)
        {
            return;
        }

        int outL = g.GetOutputSize(length);
        var flat = new Shape4D(n, ch, 1, outL);
        RequireShape(peer[0].Shape, [n, ch, outL]);
        var values = new float[flat.ElementCount];
        var indices = new long[flat.ElementCount];
        Functional.MaxPool1D<float, long>(x, shape, g, values, indices, IndexConvention.GlobalRowMajor, Threads.Options(2));
        try
        {
            Check.Exact<float>((float[])peer[0].Data, values, flat, "values");
            Check.Indices<long>((long[])peer[1].Data, indices, flat, "global row-major indices");
        }
        catch (MismatchException) when (auto is { Ours: not OnnxAutoPad.Valid } && ShiftedBySame(length, k, s))
        {
            c.Tag("negative pad_needed: ONNX Runtime shifts the windows, ours pads 0 (documented difference)");
            return;
        }

        Functional.MaxPool1D<float, long>(x, shape, g, values, indices, options: Threads.Options(1));
        Functional.ConvertIndices<long>(indices, shape.WithLength(outL), length, IndexConvention.PerPlane, indices, IndexConvention.GlobalRowMajor);
        Check.Indices<long>((long[])peer[1].Data, indices, flat, "per-plane indices converted to global row-major");
        c.Tag(auto is { } f ? $"auto_pad {f.Onnx}" : pb != pe ? "asymmetric pads" : "symmetric pads");
    }

    /// <summary>2-D with begin and end pads drawn apart on each axis (below the kernel), dilation and ceil mode.</summary>
    private static void Asymmetric<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        Size2D k = r.Pair(1, 5), s = r.Pair(1, 3), d = r.Chance(0.6) ? 1 : r.Pair(1, 2);
        var begin = new Size2D(r.Between(0, k.Height - 1), r.Between(0, k.Width - 1));
        var end = new Size2D(r.Between(0, k.Height - 1), r.Between(0, k.Width - 1));
        bool ceil = r.Chance(0.4);
        Pool2DGeometry g = new Pool2DGeometry(k, s, dilation: d, ceilMode: ceil).WithPadding(begin, end);
        (int n, int ch) = r.Batch();
        var shape = new Shape4D(
            n, ch, r.Extent(PoolCase.Effective(k.Height, d.Height) - begin.Height - end.Height), r.Extent(PoolCase.Effective(k.Width, d.Width) - begin.Width - end.Width));
        ValueMode mode = r.Mode(nan: false);
        T[] x = r.Values<T>(shape.ElementCount, mode, nan: false);
        c.Describe($"input {shape}, {g}, values {mode}");
        byte[] model = Model(OrtOps.Type<T>(), TorchOps.Dims(shape), [.. Attributes2D(g), OnnxAttribute.Ints("pads", begin.Height, begin.Width, end.Height, end.Width)]);
        if (!Compare2D(c, model, x, shape, g, threads: 2))
        {
            return;
        }

        c.Tag(begin != end ? "asymmetric pads" : "symmetric pads");
        if (ceil)
        {
            c.Tag("ceil mode");
        }
    }

    /// <summary>
    /// 2-D <c>auto_pad</c>: ONNX Runtime computes its pads from the attribute, ours from <c>WithOnnxAutoPad</c>; the
    /// output shapes, values and indices must agree (so must the pads, wherever a pad cell could change a window).
    /// Dilation 1 (see <see cref="OnnxRuntimeSameIgnoresDilation"/>), floor mode.
    /// </summary>
    private static void AutoPad(CaseContext c)
    {
        Random r = c.Random;
        Size2D k = r.Pair(1, 5), s = r.Pair(1, 4);
        (OnnxAutoPad ours, string onnx) = r.Pick(AutoPads);
        (int n, int ch) = r.Batch();
        var shape = new Shape4D(n, ch, r.Between(1, 13), r.Between(1, 13));
        Pool2DGeometry g;
        try
        {
            g = new Pool2DGeometry(k, s).WithOnnxAutoPad(shape.SpatialSize, ours);
        }
        catch (ArgumentException)
        {
            throw CaseContext.Reject("no pads");
        }

        ValueMode mode = r.Mode(nan: false);
        float[] x = r.Values<float>(shape.ElementCount, mode, nan: false);
        c.Describe($"input {shape}, auto_pad {onnx}, {g}, values {mode}");
        byte[] model = Model(OnnxElementType.Float, TorchOps.Dims(shape), [.. Attributes2D(g), OnnxAttribute.String("auto_pad", onnx)]);

        // ONNX's pad_needed, (o-1)*s + k - i, before SEMANTICS.md's max(0, ...): below 0 ONNX Runtime keeps it, and
        // from -2 on its truncating split gives a negative begin pad that shifts every window (see
        // OnnxRuntimeSameWithANegativePadShiftsTheWindows).
        bool negative = ours != OnnxAutoPad.Valid && (ShiftedBySame(shape.Height, k.Height, s.Height) || ShiftedBySame(shape.Width, k.Width, s.Width));
        try
        {
            if (!Compare2D(c, model, x, shape, g, threads: 1))
            {
                return;
            }
        }
        catch (MismatchException) when (negative)
        {
            c.Tag("negative pad_needed: ONNX Runtime shifts the windows, ours pads 0 (documented difference)");
            return;
        }

        c.Tag($"auto_pad {onnx}");
        if (negative)
        {
            c.Tag("negative pad_needed, and yet the same result");
        }
        if (g.PaddingBegin != g.PaddingEnd)
        {
            c.Tag("odd total pad (begin != end)");
        }
    }

    /// <summary>uint8 max pooling (integers: plain first maximum), values and indices.</summary>
    private static void UInt8(CaseContext c)
    {
        Random r = c.Random;
        var p = PoolCase.Draw(r, (kernel, _) => kernel - 1);
        var x = new byte[p.Shape.ElementCount];
        bool ties = r.Chance(0.5);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = ties ? r.Pick<byte>(0, 1, 2, 254, 255) : (byte)r.Next(256);
        }

        c.Describe($"{p}, {(ties ? "ties" : "uniform")}");
        Pool2DGeometry g = p.Geometry;
        byte[] model = Model(OrtOps.UInt8Type, TorchOps.Dims(p.Shape), [.. Attributes2D(g), OnnxAttribute.Ints("pads", g.PaddingBegin.Height, g.PaddingBegin.Width, g.PaddingEnd.Height, g.PaddingEnd.Width)]);
        if (RunJudged(c, model, x, TorchOps.Dims(p.Shape), () => g.GetOutputSize(p.Shape.SpatialSize)) is not { } peer)
        {
            return;
        }

        Size2D outSize = g.GetOutputSize(p.Shape.SpatialSize);
        Shape4D outShape = p.Shape.WithSpatialSize(outSize);
        RequireShape(peer[0].Shape, TorchOps.Dims(outShape));
        var values = new byte[outShape.ElementCount];
        var indices = new long[outShape.ElementCount];
        Functional.MaxPool2D<byte, long>(x, p.Shape, g, values, indices, IndexConvention.GlobalRowMajor, Threads.Options(2));
        byte[] peerValues = (byte[])peer[0].Data;
        int differ = Enumerable.Range(0, values.Length).FirstOrDefault(i => peerValues[i] != values[i], -1);
        if (differ >= 0)
        {
            throw new MismatchException($"values differ at {Check.Where(outShape, differ)}: ours {values[differ]}, ONNX Runtime {peerValues[differ]}.");
        }

        Check.Indices<long>((long[])peer[1].Data, indices, outShape, "global row-major indices");
        c.Tag(ties ? "ties" : "uniform");
    }

    /// <summary>
    /// A documented difference: ONNX Runtime's SAME pads ignore dilation. The spec (and ours) pads for the effective
    /// kernel: k3 d2 (keff 5) s1 on 6 cells needs (6-1)*1 + 5 - 6 = 4 cells, 2/2, and gives o = ceil(6/1) = 6. ONNX
    /// Runtime computes (6-1)*1 + k - 6 = 2, pads 1/1, and so pools to (6 + 2 - 5) / 1 + 1 = 4 outputs: the result of
    /// explicit pads 1/1, which ours gives too when asked for them.
    /// </summary>
    [Fact]
    public void OnnxRuntimeSameIgnoresDilation()
    {
        float[] x = [1, 5, 2, 6, 3, 4];
        Pool2DGeometry g = new Pool2DGeometry(new Size2D(1, 3), 1, dilation: new Size2D(1, 2)).WithOnnxAutoPad(new Size2D(1, 6), OnnxAutoPad.SameUpper);
        Assert.Equal((new Size2D(0, 2), new Size2D(0, 2)), (g.PaddingBegin, g.PaddingEnd));
        var values = new float[6];
        var indices = new long[6];
        Functional.MaxPool2D<float, long>(x, new Shape4D(1, 1, 1, 6), g, values, indices);

        // Window w reads cells w-2, w and w+2 (the pad cells never win): w0 {1, 2} -> 2 at 2, w1 {5, 6} -> 6 at 3,
        // w2 {1, 2, 3} -> 3 at 4, w3 {5, 6, 4} -> 6 at 3, w4 {2, 3} -> 3 at 4, w5 {6, 4} -> 6 at 3.
        Assert.Equal([2f, 6f, 3f, 6f, 3f, 6f], values);
        Assert.Equal([2L, 3L, 4L, 3L, 4L, 3L], indices);

        // ONNX Runtime: cells w-1, w+1, w+3: w0 {5, 6} -> 6 at 3, w1 {1, 2, 3} -> 3 at 4, w2 {5, 6, 4} -> 6 at 3, w3 {2, 3} -> 3 at 4.
        byte[] model = Model(OnnxElementType.Float, [1, 1, 1, 6], [.. Attributes2D(g), OnnxAttribute.String("auto_pad", "SAME_UPPER")]);
        (Array Data, long[] Shape)[] peer = OrtOps.Run(model, [new("X", x, [1, 1, 1, 6])], "Y", "I");
        Assert.Equal([1L, 1, 1, 4], peer[0].Shape);
        Assert.Equal([6f, 3f, 6f, 3f], (float[])peer[0].Data);
        Assert.Equal([3L, 4L, 3L, 4L], (long[])peer[1].Data);
        Pool2DGeometry explicitPads = g.WithPadding(new Size2D(0, 1), new Size2D(0, 1));
        var four = new float[4];
        var fourIndices = new long[4];
        Functional.MaxPool2D<float, long>(x, new Shape4D(1, 1, 1, 6), explicitPads, four, fourIndices);
        Assert.Equal((float[])peer[0].Data, four);
        Assert.Equal((long[])peer[1].Data, fourIndices);
    }

    /// <summary>
    /// A documented difference: with a kernel below the stride ONNX's <c>pad_needed = (o-1)*s + k - i</c> is negative.
    /// SEMANTICS.md (and TensorFlow) take <c>max(0, pad_needed)</c>: no padding. ONNX Runtime keeps it and splits it by
    /// truncating division, so SAME_UPPER on 6 cells with k1 s3 (o 2, pad_needed 3 + 1 - 6 = -2) gets a begin pad of
    /// -2/2 = -1: its windows start at cells 1 and 4, ours at 0 and 3.
    /// </summary>
    [Fact]
    public void OnnxRuntimeSameWithANegativePadShiftsTheWindows()
    {
        float[] x = [0, 1, 2, 3, 4, 5];
        Pool2DGeometry g = new Pool2DGeometry(new Size2D(1, 1), new Size2D(1, 3)).WithOnnxAutoPad(new Size2D(1, 6), OnnxAutoPad.SameUpper);
        Assert.Equal((new Size2D(0, 0), new Size2D(0, 0)), (g.PaddingBegin, g.PaddingEnd));
        var values = new float[2];
        var indices = new long[2];
        Functional.MaxPool2D<float, long>(x, new Shape4D(1, 1, 1, 6), g, values, indices);
        Assert.Equal([0f, 3f], values);
        (Array Data, long[] Shape)[] peer = OrtOps.Run(Model(OnnxElementType.Float, [1, 1, 1, 6], [.. Attributes2D(g), OnnxAttribute.String("auto_pad", "SAME_UPPER")]), [new("X", x, [1, 1, 1, 6])], "Y", "I");
        Assert.Equal([1L, 1, 1, 2], peer[0].Shape);
        Assert.Equal([1f, 4f], (float[])peer[0].Data);
        Assert.Equal([1L, 4L], (long[])peer[1].Data);
    }

    /// <summary>
    /// A documented difference: ONNX Runtime sizes a VALID (or unpadded) pooling of an input shorter than the kernel with
    /// C++'s truncating division, <c>(i - keff) / s + 1</c>: k3 s3 on 1 cell gives (1 - 3) / 3 + 1 = 1, a window of
    /// its one real cell; on 2 cells with k5 s2, (2 - 5) / 2 + 1 = 0, an empty tensor. SEMANTICS.md floors
    /// (<c>floor(-2/3) + 1 = 0</c>) and refuses an output below 1.
    /// </summary>
    [Fact]
    public void OnnxRuntimeValidOnAnInputShorterThanTheKernel()
    {
        float[] x = [7];
        var g = new Pool2DGeometry(new Size2D(1, 3));
        Assert.Equal("inputSize", Assert.Throws<ArgumentException>(() => g.GetOutputSize(new Size2D(1, 1))).ParamName);
        (Array Data, long[] Shape)[] peer = OrtOps.Run(Model(OnnxElementType.Float, [1, 1, 1, 1], [.. Attributes2D(g), OnnxAttribute.String("auto_pad", "VALID")]), [new("X", x, [1, 1, 1, 1])], "Y", "I");
        Assert.Equal([1L, 1, 1, 1], peer[0].Shape);
        Assert.Equal([7f], (float[])peer[0].Data);
        var wide = new Pool2DGeometry(new Size2D(1, 5), new Size2D(1, 2));
        peer = OrtOps.Run(Model(OnnxElementType.Float, [1, 1, 1, 2], [.. Attributes2D(wide), OnnxAttribute.String("auto_pad", "VALID")]), [new("X", new float[] { 1, 2 }, [1, 1, 1, 2])], "Y", "I");
        Assert.Equal([1L, 1, 1, 0], peer[0].Shape);
        Assert.Equal("inputSize", Assert.Throws<ArgumentException>(() => wide.GetOutputSize(new Size2D(1, 2))).ParamName);
    }

    /// <summary>
    /// One 2-D case through <see cref="RunJudged"/>, then ours with global row-major indices against ONNX Runtime's
    /// output shape, values and indices; false when <see cref="RunJudged"/> settled the case.
    /// </summary>
    private static bool Compare2D<T>(CaseContext c, byte[] model, T[] x, Shape4D shape, Pool2DGeometry g, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (RunJudged(c, model, x, TorchOps.Dims(shape), () => g.GetOutputSize(shape.SpatialSize)) is not { } peer)
        {
            return false;
        }

        Shape4D outShape = shape.WithSpatialSize(g.GetOutputSize(shape.SpatialSize));
        RequireShape(peer[0].Shape, TorchOps.Dims(outShape));
        var values = new T[outShape.ElementCount];
        var indices = new long[outShape.ElementCount];
        Functional.MaxPool2D<T, long>(x, shape, g, values, indices, IndexConvention.GlobalRowMajor, Threads.Options(threads));
        Check.Exact<T>((T[])peer[0].Data, values, outShape, "values");
        Check.Indices<long>((long[])peer[1].Data, indices, outShape, "global row-major indices");
        return true;
    }

    /// <summary>Whether ONNX's <c>pad_needed = (ceil(i/s) - 1)*s + k - i</c> is -2 or below, where ONNX Runtime's truncating
    /// split gives a negative begin pad (see <see cref="OnnxRuntimeSameWithANegativePadShiftsTheWindows"/>).</summary>
    private static bool ShiftedBySame(int i, int k, int s) => ((((i + s - 1) / s) - 1) * s) + k - i <= -2;

    private static OnnxAttribute[] Attributes2D(Pool2DGeometry g) =>
    [
        OnnxAttribute.Ints("kernel_shape", g.KernelSize.Height, g.KernelSize.Width),
        OnnxAttribute.Ints("strides", g.Stride.Height, g.Stride.Width),
        OnnxAttribute.Ints("dilations", g.Dilation.Height, g.Dilation.Width),
        OnnxAttribute.Int("ceil_mode", g.CeilMode ? 1 : 0),
        OnnxAttribute.Int("storage_order", 0),
    ];

    private static byte[] Model(OnnxElementType type, long[] dims, OnnxAttribute[] attributes)
        => new OnnxModelBuilder()
            .Input("X", type, dims)
            .Node("MaxPool", ["X"], ["Y", "I"], attributes)
            .Output("Y", type)
            .Output("I", OnnxElementType.Int64)
            .Build();

    /// <summary>
    /// Runs ONNX Runtime on <paramref name="x"/> and judges refusals against ours (<paramref name="ours"/> computes our
    /// output size, throwing where ours refuses the geometry): both refusing rejects the case; ours refusing a window of
    /// only padding that ONNX Runtime pools is the documented difference (null: the case is done); any other one-sided
    /// refusal is a mismatch.
    /// </summary>
    private static (Array Data, long[] Shape)[]? RunJudged(CaseContext c, byte[] model, Array x, long[] dims, Action ours)
    {
        (Array Data, long[] Shape)[]? peer = null;
        string? peerError = null;
        try
        {
            peer = x is byte[] bytes ? OrtOps.RunBytes(model, "X", bytes, dims, "Y", "I") : OrtOps.Run(model, [new("X", x, dims)], "Y", "I");
        }
        catch (OnnxRuntimeException e)
        {
            peerError = e.Message;
        }

        try
        {
            ours();
        }
        catch (ArgumentException e)
        {
            if (peerError is not null)
            {
                throw CaseContext.Reject("no output (both refuse)");
            }

            if (e.Message.Contains("covers only padding", StringComparison.Ordinal))
            {
                c.Tag("window of only padding: ours refuses, ONNX Runtime pools (documented difference)");
                return null;
            }

            if (e.Message.Contains("at least 1 is required", StringComparison.Ordinal))
            {
                // See OnnxRuntimeValidOnAnInputShorterThanTheKernel.
                c.Tag("input shorter than the kernel: ours refuses, ONNX Runtime returns an empty or partial-window output (documented difference)");
                return null;
            }

            throw new MismatchException($"ours refuses ({e.Message}), ONNX Runtime pools to [{string.Join(", ", peer![0].Shape)}].");
        }

        if (peerError is not null)
        {
            throw new MismatchException($"ONNX Runtime refuses ({TorchOps.FirstLine(peerError)}), ours pools.");
        }

        return peer;
    }

    private static void RequireShape(long[] peer, long[] ours)
    {
        if (!peer.SequenceEqual(ours))
        {
            throw new MismatchException($"ONNX Runtime's output is [{string.Join(", ", peer)}], ours [{string.Join(", ", ours)}].");
        }
    }
}
