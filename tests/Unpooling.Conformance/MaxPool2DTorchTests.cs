using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Conformance.Infrastructure;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// <c>Functional.MaxPool2D</c> against libtorch's <c>max_pool2d_with_indices</c>: values and per-plane indices bit
/// for bit, on random geometry and on fills full of ties, NaNs, infinities and signed zeros.
/// </summary>
/// <remarks>
/// libtorch refuses padding above half the kernel (<c>p &lt;= k/2</c>, and also <c>p &lt;= (d*(k-1)+1)/2</c>); ours
/// accepts any padding that leaves a real cell in every window, so only what libtorch accepts is drawn. Where libtorch accepts a window
/// of only padding (possible with dilation), it returns -inf with an index outside the window; ours refuses the
/// geometry (SEMANTICS.md section 1), and the case checks exactly that.
/// </remarks>
public sealed class MaxPool2DTorchTests(ITestOutputHelper output) : RandomCaseTests<MaxPool2DTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("MaxPool2D vs max_pool2d_with_indices, float", 150, Case<float>),
        new("MaxPool2D vs max_pool2d_with_indices, double", 150, Case<double>),
    ];

    /// <summary>libtorch's padding limit: half the kernel (its other limit, half the effective kernel, is never lower).</summary>
    internal static int TorchMaxPadding(int kernel, int effectiveKernel) => kernel / 2;

    /// <summary>libtorch's pooled values and indices, or its error message when it refuses the geometry.</summary>
    internal static (T[] Values, long[] Indices, string? Error) TorchPool<T>(T[] x, PoolCase p)
        where T : unmanaged, INumberBase<T>
    {
        Pool2DGeometry g = p.Geometry;
        try
        {
            (Tensor values, Tensor indices) = nn.functional.max_pool2d_with_indices(
                TorchOps.From(x, p.Shape), TorchOps.Pair(g.KernelSize), TorchOps.Pair(g.Stride), TorchOps.Pair(g.PaddingBegin), TorchOps.Pair(g.Dilation), g.CeilMode);
            return (TorchOps.Read<T>(values), TorchOps.Read<long>(indices), null);
        }
        catch (ExternalException e)
        {
            return ([], [], TorchOps.FirstLine(e.Message));
        }
    }

    private static void Case<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        var p = PoolCase.Draw(r, TorchMaxPadding);
        ValueMode mode = r.Mode();
        T[] x = r.Values<T>(p.Shape.ElementCount, mode);
        c.Describe($"{p}, values {mode}");
        using IDisposable scope = TorchOps.Scope();
        (T[] Values, long[] Indices, string? Error) torch = TorchPool(x, p);
        Size2D outSize;
        try
        {
            outSize = p.Geometry.GetOutputSize(p.Shape.SpatialSize);
        }
        catch (ArgumentException e)
        {
            AgreeOnRefusal(c, e, torch);
            return;
        }

        if (torch.Error is { } error)
        {
            throw new MismatchException($"libtorch refuses the geometry ({error}), ours pools it to {outSize}.");
        }

        Shape4D outShape = p.Shape.WithSpatialSize(outSize);
        foreach (int degree in (int[])[1, 2])
        {
            var values = new T[outShape.ElementCount];
            var indices = new long[outShape.ElementCount];
            Functional.MaxPool2D<T, long>(x, p.Shape, p.Geometry, values, indices, options: Threads.Options(degree));
            Check.Exact<T>(torch.Values, values, outShape, $"values ({degree} thread(s))");
            Check.Indices<long>(torch.Indices, indices, outShape, $"int64 indices ({degree} thread(s))");
        }

        var values32 = new T[outShape.ElementCount];
        var indices32 = new int[outShape.ElementCount];
        Functional.MaxPool2D<T, int>(x, p.Shape, p.Geometry, values32, indices32, options: Threads.Options(1));
        Check.Indices<int>(torch.Indices, indices32, outShape, "int32 indices");
        c.Tag($"values {mode}");
        c.Tag(p.Overlapping ? "overlapping windows" : "disjoint windows");
        if (p.Geometry.CeilMode)
        {
            c.Tag("ceil mode");
        }

        if (p.Shape.ElementCount >= ExecutionOptions.DefaultMinParallelElements)
        {
            c.Tag("large input (threaded under the default options too)");
        }
    }

    /// <summary>
    /// Ours refused the geometry. Agreement is libtorch refusing too; the one accepted difference is a window of only
    /// padding, where libtorch gives -inf (SEMANTICS.md: an error for us).
    /// </summary>
    private static void AgreeOnRefusal<T>(CaseContext c, ArgumentException ours, (T[] Values, long[] Indices, string? Error) torch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (torch.Error is not null)
        {
            throw CaseContext.Reject("no output (both refuse)");
        }

        if (!ours.Message.Contains("covers only padding", StringComparison.Ordinal) || !torch.Values.Any(T.IsNegativeInfinity))
        {
            throw new MismatchException($"ours refuses ({ours.Message}), libtorch pools.");
        }

        c.Tag("window of only padding: ours refuses, libtorch gives -inf (documented difference)");
    }

    public static TheoryData<string> Patterns => new(SpecialWindows.Select(w => w.Name));

    /// <summary>
    /// Hand-planted 2x3 windows of special values, each pooled to one output by a 2x3 stride-(2, 3) pooling; both
    /// libtorch and ours must give the SEMANTICS.md answer: NaN propagates with the last NaN's index, ties go to the
    /// first maximum (+0 and -0 tie), a window of -inf yields -inf at its first cell.
    /// </summary>
    [Theory]
    [MemberData(nameof(Patterns))]
    public void SpecialWindow(string name)
    {
        SpecialWindowCase<float>(name);
        SpecialWindowCase<double>(name);
    }

    private static readonly (string Name, double[] Cells, int Expected)[] SpecialWindows =
    [
        ("one NaN in the middle", [1, double.NaN, 2, 3, 0, 0], 1),
        ("NaN first", [double.NaN, 1, 2, 3, 4, 5], 0),
        ("NaN last", [1, 2, 3, 4, 5, double.NaN], 5),
        ("several NaNs: the last wins", [double.NaN, 1, double.NaN, 2, double.NaN, 3], 4),
        ("all NaN", [double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN], 5),
        ("NaN beats +inf", [double.PositiveInfinity, 1, double.PositiveInfinity, double.NaN, double.NegativeInfinity, 2], 3),
        ("NaN after -inf", [double.NegativeInfinity, double.NaN, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity], 1),
        ("all -inf: the first", [double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity, double.NegativeInfinity], 0),
        ("+inf ties: the first", [double.NegativeInfinity, 1, double.PositiveInfinity, double.PositiveInfinity, 1, 1], 2),
        ("-0 before +0: -0 stays", [-0.0, 0.0, -0.0, 0.0, -0.0, 0.0], 0),
        ("+0 before -0: +0 stays", [0.0, -0.0, 0.0, -0.0, 0.0, -0.0], 0),
        ("-0 is the maximum", [-1, -0.0, -1, 0.0, -2, -0.0], 1),
        ("all equal", [2, 2, 2, 2, 2, 2], 0),
        ("ties in the middle", [1, 3, 3, 2, 3, 1], 1),
        ("tie across rows", [-3, -2, -1, -1, -2, -3], 2),
        ("largest finite below +inf", [double.MaxValue, double.PositiveInfinity, -double.MaxValue, 0, 0, 0], 1),
        ("subnormal beats zero", [0.0, -0.0, double.Epsilon, 0.0, -double.Epsilon, 0.0], 2),
    ];

    private static void SpecialWindowCase<T>(string name)
        where T : unmanaged, IFloatingPointIeee754<T>, IMinMaxValue<T>
    {
        (_, double[] cells, int expected) = SpecialWindows.Single(w => w.Name == name);

        // Window cell j (row-major in 2x3) sits at plane cell (j / 3, j % 3). The extremes are T's own: the largest
        // finite value and the smallest subnormal (double's overflow and flush to zero as floats).
        T[] x = cells.Select(v => Math.Abs(v) == double.MaxValue ? T.CopySign(T.MaxValue, T.CreateChecked(v))
            : double.IsSubnormal(v) ? T.CopySign(T.Epsilon, T.CreateChecked(Math.Sign(v)))
            : T.CreateChecked(v)).ToArray();
        var p = new PoolCase(new Shape4D(1, 1, 2, 3), new Pool2DGeometry(new Size2D(2, 3)));
        using IDisposable scope = TorchOps.Scope();
        (T[] Values, long[] Indices, string? Error) torch = TorchPool(x, p);
        var values = new T[1];
        var indices = new long[1];
        Functional.MaxPool2D<T, long>(x, p.Shape, p.Geometry, values, indices, options: Threads.Options(1));
        var one = new Shape4D(1, 1, 1, 1);
        string what = $"{name} ({typeof(T).Name})";
        Check.Exact<T>(torch.Values, values, one, $"{what}: value vs libtorch");
        Check.Indices<long>(torch.Indices, indices, one, $"{what}: index vs libtorch");
        Check.Exact<T>([x[expected]], values, one, $"{what}: value vs SEMANTICS.md");
        Check.Indices<long>([expected], indices, one, $"{what}: index vs SEMANTICS.md");
    }
}
