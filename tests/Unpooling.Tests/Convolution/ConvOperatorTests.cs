using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// ConvTranspose2D and Conv2D against the reference loops on real-valued data (named tolerance), at widths on every
/// vector boundary and with the odd channel counts that break naive blocking; every SIMD width, the scalar path and
/// every thread count must give the same bits (on one instruction set: fused or not, see ISimd.MultiplyAdd).
/// </summary>
public abstract unsafe class ConvOperatorTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static TheoryData<int, int, int, int> Geometries => new()
    {
        // kernel, stride, padding, output padding (square; non-square is covered by the grid)
        { 2, 2, 0, 0 },
        { 3, 2, 1, 1 },
        { 4, 2, 1, 0 },
        { 3, 1, 1, 0 },
        { 5, 3, 2, 2 },
        { 1, 1, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Geometries))]
    public void ConvTranspose2DMatchesOracleAtVectorBoundaryWidthsAndOddChannels(int k, int s, int p, int op)
    {
        var g = new Conv2DGeometry(k, s, p, outputPadding: op);
        foreach (int channels in new[] { 1, 3, 17 })
        {
            foreach (int width in BoundaryWidths())
            {
                var xs = new Shape4D(2, channels, 3, width);
                var ws = new Shape4D(channels, 20 - channels, k, k);
                T[] x = ConvData.Uniform<T>((int)xs.ElementCount, width);
                T[] w = ConvData.Uniform<T>((int)ws.ElementCount, width + 1);
                T[] bias = ConvData.Uniform<T>(ws.Channels, width + 2);
                var y = new GuardedBuffer<T>((int)OutputShape(true, xs, ws, g).ElementCount);
                Functional.ConvTranspose2D(x, xs, w, ws, bias, g, y.Span);
                y.AssertGuardsIntact($"{g} {xs}");
                AssertMatchesOracle(true, x, xs, w, ws, bias, g, channels * k * k, y.Span, $"ConvTranspose2D {g} {xs}");
                AllWidthsAgree(true, x, xs, w, ws, bias, g, y.ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Conv2DMatchesOracleAtVectorBoundaryWidthsAndOddChannels(int k, int s, int p, int op)
    {
        _ = op;
        var g = new Conv2DGeometry(k, s, p);
        foreach (int channels in new[] { 1, 3, 17 })
        {
            foreach (int width in BoundaryWidths())
            {
                var xs = new Shape4D(2, channels, k + 2, width + k);
                var ws = new Shape4D(20 - channels, channels, k, k);
                T[] x = ConvData.Uniform<T>((int)xs.ElementCount, width);
                T[] w = ConvData.Uniform<T>((int)ws.ElementCount, width + 1);
                T[] bias = ConvData.Uniform<T>(ws.Batch, width + 2);
                var y = new GuardedBuffer<T>((int)OutputShape(false, xs, ws, g).ElementCount);
                Functional.Conv2D(x, xs, w, ws, bias, g, y.Span);
                y.AssertGuardsIntact($"{g} {xs}");
                AssertMatchesOracle(false, x, xs, w, ws, bias, g, channels * k * k, y.Span, $"Conv2D {g} {xs}");
                AllWidthsAgree(false, x, xs, w, ws, bias, g, y.ToArray());
            }
        }
    }

    /// <summary>
    /// Images taller than one GEMM column block (whole input rows, about 256 columns), so output rows that take entries
    /// from two blocks are started from the bias in one block and finished in the next; widths below, at and past the
    /// vector so the direct kernel = stride store wraps vectors across input rows; one sample (two threads split its
    /// columns or its channels) and two (odd channel counts split over two threads).
    /// </summary>
    [Theory]
    [MemberData(nameof(Geometries))]
    public void ConvTranspose2DAcrossColumnBlocksMatchesOracleOnEveryWidthAndThreadCount(int k, int s, int p, int op)
    {
        var g = new Conv2DGeometry(k, s, p, outputPadding: op);
        foreach ((int batch, int h, int width) in new[] { (2, 61, 5), (1, 61, 5), (2, 23, 29), (1, 64, 56), (2, 9, 56), (1, 5, 300) })
        {
            var xs = new Shape4D(batch, 7, h, width);
            var ws = new Shape4D(7, 13, k, k);
            T[] x = ConvData.Uniform<T>((int)xs.ElementCount, h);
            T[] w = ConvData.Uniform<T>((int)ws.ElementCount, h + 1);
            T[] bias = ConvData.Uniform<T>(ws.Channels, h + 2);
            Shape4D ys = OutputShape(true, xs, ws, g);
            var y = new GuardedBuffer<T>((int)ys.ElementCount);
            Functional.ConvTranspose2D(x, xs, w, ws, bias, g, y.Span, ExecutionOptions.SingleThreaded);
            y.AssertGuardsIntact($"{g} {xs}");
            AssertMatchesOracle(true, x, xs, w, ws, bias, g, 7 * k * k, y.Span, $"ConvTranspose2D {g} {xs}");
            AllWidthsAgree(true, x, xs, w, ws, bias, g, y.ToArray());
            var two = new GuardedBuffer<T>((int)ys.ElementCount);
            Functional.ConvTranspose2D(x, xs, w, ws, bias, g, two.Span, ExecutionOptions.WithMaxDegreeOfParallelism(2));
            two.AssertGuardsIntact($"2 threads, {g} {xs}");
            BitAssert.Equal<T>(y.ToArray(), two.ToArray(), $"1 vs 2 threads, {g} {xs}");
        }
    }

    /// <summary>Conv2D geometries for the run im2col (column stride 1 and 2, with padding past the kernel and dilation)
    /// and one of stride 3 (the scalar gather): kernel, stride, padding, dilation.</summary>
    public static TheoryData<int, int, int, int> ForwardGeometries => new()
    {
        { 4, 2, 1, 1 },
        { 3, 2, 1, 1 },
        { 3, 1, 1, 1 },
        { 3, 2, 3, 2 },
        { 5, 1, 5, 2 },
        { 2, 2, 0, 1 },
        { 3, 3, 1, 1 },
    };

    /// <summary>
    /// Conv2D on images of more than one GEMM column block (256 output columns), so blocks start and end inside output
    /// rows, with rows narrower than, equal to and wider than a vector and than a block (the direct and the staged
    /// gather), and output channels within one row block (im2col fused with the GEMM per reduction block) and past it;
    /// every width (guarded pages: no read outside the input) and one and two threads.
    /// </summary>
    [Theory]
    [MemberData(nameof(ForwardGeometries))]
    public void Conv2DAcrossColumnBlocksMatchesOracleOnEveryWidthAndThreadCount(int k, int s, int p, int d)
    {
        var g = new Conv2DGeometry(k, s, p, d);
        foreach ((int batch, int cin, int h, int width, int cout) in new[] { (2, 3, 40, 34, 13), (1, 2, 36, 64, 7), (1, 2, 7, 600, 5), (2, 1, 12, 32, 200), (1, 3, 19, 9, 3) })
        {
            var xs = new Shape4D(batch, cin, h, width);
            var ws = new Shape4D(cout, cin, k, k);
            T[] x = ConvData.Uniform<T>((int)xs.ElementCount, h);
            T[] w = ConvData.Uniform<T>((int)ws.ElementCount, h + 1);
            T[] bias = ConvData.Uniform<T>(cout, h + 2);
            Shape4D ys = OutputShape(false, xs, ws, g);
            var y = new GuardedBuffer<T>((int)ys.ElementCount);
            Functional.Conv2D(x, xs, w, ws, bias, g, y.Span, ExecutionOptions.SingleThreaded);
            y.AssertGuardsIntact($"{g} {xs}");
            AssertMatchesOracle(false, x, xs, w, ws, bias, g, cin * k * k, y.Span, $"Conv2D {g} {xs}");
            AllWidthsAgree(false, x, xs, w, ws, bias, g, y.ToArray());
            var two = new GuardedBuffer<T>((int)ys.ElementCount);
            Functional.Conv2D(x, xs, w, ws, bias, g, two.Span, ExecutionOptions.WithMaxDegreeOfParallelism(2));
            two.AssertGuardsIntact($"2 threads, {g} {xs}");
            BitAssert.Equal<T>(y.ToArray(), two.ToArray(), $"1 vs 2 threads, {g} {xs}");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OneAndTwoThreadsAreBitIdentical(bool transposed)
    {
        var g = new Conv2DGeometry(3, 2, 1, outputPadding: 1);
        var xs = new Shape4D(3, 17, 9, 13);
        var ws = transposed ? new Shape4D(17, 33, 3, 3) : new Shape4D(33, 17, 3, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 1);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 2);
        T[] bias = ConvData.Uniform<T>(33, 3);
        Size2D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        int length = 3 * 33 * o.Height * o.Width;
        var one = new T[length];
        var two = new T[length];
        var all = new T[length];
        Run(transposed, x, xs, w, ws, bias, g, one, 1);
        Run(transposed, x, xs, w, ws, bias, g, two, 2);
        Run(transposed, x, xs, w, ws, bias, g, all, -1);
        BitAssert.Equal<T>(one, two, "1 vs 2 threads");
        BitAssert.Equal<T>(one, all, "1 vs all threads");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SteadyStateCallsAllocateNothing(bool transposed)
    {
        var g = new Conv2DGeometry(3, 2, 1, outputPadding: 1);
        var xs = new Shape4D(2, 8, 20, 20);
        var ws = transposed ? new Shape4D(8, 8, 3, 3) : new Shape4D(8, 8, 3, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 1);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 2);
        T[] bias = ConvData.Uniform<T>(8, 3);
        Size2D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        var y = new T[2 * 8 * o.Height * o.Width];
        Assert.Equal(0, Allocations.LeastAllocated(() => Run(transposed, x, xs, w, ws, bias, g, y, 1), 5));
    }

    [Fact]
    public void ZeroChannelsGiveBiasOnly()
    {
        var g = new Conv2DGeometry(3, 2, 1);
        var xs = new Shape4D(2, 0, 4, 5);
        var ws = new Shape4D(0, 3, 3, 3);
        T[] bias = [T.One, T.CreateChecked(2), T.CreateChecked(-3)];
        Size2D o = g.GetTransposedOutputSize(xs.SpatialSize);
        var y = new T[2 * 3 * o.Height * o.Width];
        Functional.ConvTranspose2D([], xs, [], ws, bias, g, y);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.Equal(bias[i / (o.Height * o.Width) % 3], y[i]);
        }
    }

    [Fact]
    public void TensorFormsMatchSpanForms()
    {
        var g = new Conv2DGeometry(new Size2D(3, 2), new Size2D(2, 1), 1, outputPadding: new Size2D(1, 0));
        var xs = new Shape4D(2, 3, 5, 6);
        var ws = new Shape4D(3, 4, 3, 2);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 1);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 2);
        T[] bias = ConvData.Uniform<T>(4, 3);
        Size2D o = g.GetTransposedOutputSize(xs.SpatialSize);
        var expected = new T[2 * 4 * o.Height * o.Width];
        Functional.ConvTranspose2D(x, xs, w, ws, bias, g, expected);

        var tx = System.Numerics.Tensors.Tensor.Create(x, [2, 3, 5, 6]);
        var tw = System.Numerics.Tensors.Tensor.Create(w, [3, 4, 3, 2]);
        var tb = System.Numerics.Tensors.Tensor.Create(bias, [4]);
        T[] allocated = Allocating(tx, tw, tb, g, null);
        BitAssert.Equal<T>(expected, allocated, "allocating form");

        // The requested output size picks the output padding: min + 1 here is the geometry's own size.
        T[] requested = Allocating(tx, tw, tb, g.WithOutputPadding(new Size2D(0, 0)), o);
        BitAssert.Equal<T>(expected, requested, "requested output size");
    }

    private static T[] Allocating(System.Numerics.Tensors.Tensor<T> x, System.Numerics.Tensors.Tensor<T> w, System.Numerics.Tensors.Tensor<T> b, Conv2DGeometry g, Size2D? size)
        => Functional.ConvTranspose2D(x, w, b, g, size).ToArray();

    private static void Run(bool transposed, T[] x, Shape4D xs, T[] w, Shape4D ws, T[] bias, Conv2DGeometry g, T[] y, int degree)
    {
        var options = ExecutionOptions.WithMaxDegreeOfParallelism(degree);
        if (transposed)
        {
            Functional.ConvTranspose2D(x, xs, w, ws, bias, g, y, options);
        }
        else
        {
            Functional.Conv2D(x, xs, w, ws, bias, g, y, options);
        }
    }

    /// <summary>The vector-boundary widths of the kernel that runs: Half runs the float kernel.</summary>
    private static int[] BoundaryWidths() => typeof(T) == typeof(Half) ? KernelWidths.AllBoundaryWidths<float>() : KernelWidths.AllBoundaryWidths<T>();

    /// <summary>The output shape: the geometry's size rule (itself tested against the oracles' formulas) and the channel count.</summary>
    private static Shape4D OutputShape(bool transposed, Shape4D xs, Shape4D ws, Conv2DGeometry g)
    {
        Size2D o = transposed ? g.GetTransposedOutputSize(xs.SpatialSize) : g.GetOutputSize(xs.SpatialSize);
        return new Shape4D(xs.Batch, transposed ? ws.Channels * g.Groups : ws.Batch, o.Height, o.Width);
    }

    /// <summary>
    /// Asserts a result against the reference loop: float and double against the loop in their own arithmetic within
    /// <see cref="ConvTolerance"/> (<paramref name="termScale"/> bounds each output's sum of |terms|); Half against the
    /// loop in double over the Half inputs widened exactly, within <see cref="ConvTolerance.Half"/>, with each output's
    /// sum of |terms| from the same loop over the absolute values.
    /// </summary>
    private static void AssertMatchesOracle(bool transposed, T[] x, Shape4D xs, T[] w, Shape4D ws, T[]? bias, Conv2DGeometry g, double termScale, ReadOnlySpan<T> actual, string context)
    {
        if (typeof(T) != typeof(Half))
        {
            T[] expected = transposed ? ConvReference.ConvTranspose2D(x, xs, w, ws, bias, g).Output : ConvReference.Conv2D(x, xs, w, ws, bias, g).Output;
            ConvAssert.Close<T>(expected, actual, termScale, context);
            return;
        }

        (double[] exact, double[] magnitudes) = HalfOracle(transposed, x, xs, w, ws, bias, g);
        int terms = (xs.Channels / g.Groups * g.KernelSize.Height * g.KernelSize.Width) + 1;
        ConvAssert.CloseHalf(exact, magnitudes, terms, MemoryMarshal.Cast<T, Half>(actual), context);
    }

    /// <summary>The double-precision reference over the inputs widened to double, and over their absolute values.</summary>
    internal static (double[] Exact, double[] Magnitudes) HalfOracle(bool transposed, T[] x, Shape4D xs, T[] w, Shape4D ws, T[]? bias, Conv2DGeometry g)
    {
        static double[] Wide(T[] v, bool abs) => v.Select(e => abs ? Math.Abs(double.CreateChecked(e)) : double.CreateChecked(e)).ToArray();
        double[] Run(bool abs)
        {
            double[]? b = bias is null ? null : Wide(bias, abs);
            return transposed
                ? ConvReference.ConvTranspose2D(Wide(x, abs), xs, Wide(w, abs), ws, b, g).Output
                : ConvReference.Conv2D(Wide(x, abs), xs, Wide(w, abs), ws, b, g).Output;
        }

        return (Run(false), Run(true));
    }

    /// <summary>
    /// Runs the kernel on the scalar path and at 128, 256 and 512 bits (software where the CPU lacks them) and compares
    /// bits. Half has no kernel of its own: its expected bits are the float kernel's over the widened inputs, each output
    /// cast to Half, on the scalar path only (the float tests show every width of that kernel gives the same bits).
    /// </summary>
    private static void AllWidthsAgree(bool transposed, T[] x, Shape4D xs, T[] w, Shape4D ws, T[] bias, Conv2DGeometry g, T[] expected)
    {
        foreach (KernelWidth width in typeof(T) == typeof(Half) ? [KernelWidth.Scalar] : KernelWidths.All)
        {
            T[] y = typeof(T) == typeof(Half)
                ? AtWidth(width, transposed, Widen(x), xs, Widen(w), ws, Widen(bias), g).Select(v => T.CreateChecked(v)).ToArray()
                : AtWidth(width, transposed, x, xs, w, ws, bias, g);
            BitAssert.Equal<T>(expected, y, $"{typeof(T).Name} {(transposed ? "ConvTranspose2D" : "Conv2D")} {g} {xs} at {width}");
        }
    }

    /// <summary>
    /// The kernel's output at one width, on one thread: source, weight and bias read-only on guarded pages, the
    /// destination on guarded pages, flush after and then flush before (both runs must agree; <see cref="GuardedPages"/>).
    /// </summary>
    private static TKernel[] AtWidth<TKernel>(KernelWidth width, bool transposed, TKernel[] x, Shape4D xs, TKernel[] w, Shape4D ws, TKernel[] bias, Conv2DGeometry g)
        where TKernel : unmanaged, IFloatingPointIeee754<TKernel>
    {
        Shape4D ys = OutputShape(transposed, xs, ws, g);
        var plan = new ConvKernel.Plan(transposed, xs, ys.Channels, ys.SpatialSize, g, 1);
        return GuardedPages.Run<TKernel>((int)ys.ElementCount, (py, side) =>
        {
            using GuardedInput<TKernel> px = GuardedPages.Input<TKernel>(x, side);
            using GuardedInput<TKernel> pw = GuardedPages.Input<TKernel>(w, side);
            using GuardedInput<TKernel> pb = GuardedPages.Input<TKernel>(bias, side);
            KernelWidths.Conv(width, px.Pointer, pw.Pointer, bias.Length == 0 ? null : pb.Pointer, py, plan, 1);
        }, $"{typeof(TKernel).Name} {(transposed ? "ConvTranspose2D" : "Conv2D")} {g} {xs} at {width}");
    }

    private static float[] Widen(T[] values) => values.Select(float.CreateChecked).ToArray();
}

public sealed class ConvOperatorFloatTests : ConvOperatorTests<float>;

public sealed class ConvOperatorDoubleTests : ConvOperatorTests<double>;

public sealed class ConvOperatorHalfTests : ConvOperatorTests<Half>;
