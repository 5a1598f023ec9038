using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Conformance.Infrastructure;
using Xunit.Abstractions;
using static TorchSharp.torch;
using NumericsTensor = System.Numerics.Tensors.Tensor;

namespace Unpooling.Conformance;

/// <summary>
/// <c>Functional.MaxPool1D</c> against libtorch's <c>max_pool1d_with_indices</c> (values and per-plane indices bit for
/// bit, NaN, ties, infinities and signed zeros included) and <c>Functional.MaxUnpool1D</c> against
/// <c>max_unpool1d</c> (default and explicit output lengths), on random 1-D geometry.
/// </summary>
/// <remarks>
/// libtorch's limits are drawn within: padding at most half the kernel, symmetric (its 1-D pooling has one padding).
/// Where libtorch accepts a window of only padding (possible with dilation) it returns -inf; ours refuses the
/// geometry (SEMANTICS.md section 1), as in the 2-D suite.
/// </remarks>
public sealed class Pool1DTorchTests(ITestOutputHelper output) : RandomCaseTests<Pool1DTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("MaxPool1D vs max_pool1d_with_indices, float", 150, Pool<float>),
        new("MaxPool1D vs max_pool1d_with_indices, double", 60, Pool<double>),
        new("MaxUnpool1D vs max_unpool1d, float", 100, Unpool<float>),
        new("MaxUnpool1D vs max_unpool1d, double", 40, Unpool<double>),
    ];

    /// <summary>A 1-D case: N and C in [1, 5], kernel 1-7, stride 1-4 (or the kernel), dilation 1-3, padding up to k/2.</summary>
    private static (Shape3D Shape, Pool1DGeometry Geometry) Draw(Random r, bool dilation)
    {
        int k = r.Between(1, 7);
        int s = r.Chance(0.25) ? k : r.Between(1, 4);
        int d = dilation && r.Chance(0.5) ? r.Between(1, 3) : 1;
        int p = r.Between(0, k / 2);
        (int n, int c) = r.Batch();
        int length = r.Extent(PoolCase.Effective(k, d) - (2 * p), large: r.Chance(0.05));
        return (new Shape3D(n, c, length), new Pool1DGeometry(k, s, p, d, ceilMode: dilation && r.Chance(0.4)));
    }

    private static void Pool<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        (Shape3D shape, Pool1DGeometry g) = Draw(r, dilation: true);
        ValueMode mode = r.Mode();
        T[] x = r.Values<T>(shape.ElementCount, mode);
        c.Describe($"input {shape}, {g}, values {mode}");
        using IDisposable scope = TorchOps.Scope();
        T[] torchValues = [];
        long[] torchIndices = [];
        string? error = null;
        try
        {
            (Tensor values, Tensor indices) = nn.functional.max_pool1d_with_indices(
                TorchOps.From(x, shape.Batch, shape.Channels, shape.Length), g.KernelSize, g.Stride, g.PaddingBegin, g.Dilation, g.CeilMode);
            (torchValues, torchIndices) = (TorchOps.Read<T>(values), TorchOps.Read<long>(indices));
        }
        catch (ExternalException e)
        {
            error = TorchOps.FirstLine(e.Message);
        }

        int outL;
        try
        {
            outL = g.GetOutputSize(shape.Length);
        }
        catch (ArgumentException e)
        {
            if (error is not null)
            {
                throw CaseContext.Reject("no output (both refuse)");
            }

            if (!e.Message.Contains("covers only padding", StringComparison.Ordinal) || !torchValues.Any(T.IsNegativeInfinity))
            {
                throw new MismatchException($"ours refuses ({e.Message}), libtorch pools.");
            }

            c.Tag("window of only padding: ours refuses, libtorch gives -inf (documented difference)");
            return;
        }

        if (error is not null)
        {
            throw new MismatchException($"libtorch refuses the geometry ({error}), ours pools it to length {outL}.");
        }

        var flat = new Shape4D(shape.Batch, shape.Channels, 1, outL);
        foreach (int degree in (int[])[1, 2])
        {
            var values = new T[flat.ElementCount];
            var indices = new long[flat.ElementCount];
            Functional.MaxPool1D<T, long>(x, shape, g, values, indices, options: Threads.Options(degree));
            Check.Exact<T>(torchValues, values, flat, $"values ({degree} thread(s))");
            Check.Indices<long>(torchIndices, indices, flat, $"int64 indices ({degree} thread(s))");
        }

        // The tensor form over a strided view (every other element), with int32 indices.
        var wide = new T[x.Length * 2];
        for (int i = 0; i < x.Length; i++)
        {
            wide[2 * i] = x[i];
        }

        System.Numerics.Tensors.ReadOnlyTensorSpan<T> view = new System.Numerics.Tensors.ReadOnlyTensorSpan<T>(wide, 0, [shape.Batch, shape.Channels, shape.Length], [shape.Batch == 1 ? 0 : 2 * shape.Channels * shape.Length, shape.Channels == 1 ? 0 : 2 * shape.Length, shape.Length == 1 ? 0 : 2]);
        var tensorValues = new T[flat.ElementCount];
        var tensorIndices = new int[flat.ElementCount];
        Functional.MaxPool1D<T, int>(view, g, new System.Numerics.Tensors.TensorSpan<T>(tensorValues, [shape.Batch, shape.Channels, outL]), new System.Numerics.Tensors.TensorSpan<int>(tensorIndices, [shape.Batch, shape.Channels, outL]));
        Check.Exact<T>(torchValues, tensorValues, flat, "values, strided tensor form");
        Check.Indices<int>(torchIndices, tensorIndices, flat, "int32 indices, strided tensor form");
        c.Tag($"values {mode}");
        c.Tag(g.Stride < PoolCase.Effective(g.KernelSize, g.Dilation) ? "overlapping windows" : "disjoint windows");
        if (g.CeilMode)
        {
            c.Tag("ceil mode");
        }
    }

    /// <summary>
    /// Pools with ours, then unpools with libtorch and ours to the default length or one up to a stride off it (the
    /// rule both follow); where the indices do not fit the requested length both must refuse.
    /// </summary>
    private static void Unpool<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        (Shape3D shape, Pool1DGeometry g) = Draw(r, dilation: false);
        T[] x = r.Payload<T>(shape.ElementCount);
        int outL, defaultLength;
        try
        {
            outL = g.GetOutputSize(shape.Length);
            defaultLength = g.GetUnpoolOutputSize(outL);
        }
        catch (ArgumentException)
        {
            throw CaseContext.Reject("the pooling or its default unpooling is empty");
        }

        var pooledShape = shape.WithLength(outL);
        var values = new T[pooledShape.ElementCount];
        var indices = new long[pooledShape.ElementCount];
        Functional.MaxPool1D<T, long>(x, shape, g, values, indices, options: Threads.Options(1));
        int? size = r.Chance(0.4) ? null : Math.Max(1, defaultLength + r.Between(1 - g.Stride, g.Stride - 1));
        int length = size ?? defaultLength;
        c.Describe($"input {shape}, {g}, unpooled to {size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the default"} (default {defaultLength})");
        using IDisposable scope = TorchOps.Scope();
        T[]? expected = null;
        string? error = null;
        try
        {
            Tensor x1 = TorchOps.From(values, pooledShape.Batch, pooledShape.Channels, outL), i1 = TorchOps.From(indices, pooledShape.Batch, pooledShape.Channels, outL);

            // TorchSharp takes output_size as the whole [N, C, L] (it passes libtorch the trailing spatial part).
            Tensor y = nn.functional.max_unpool1d(x1, i1, g.KernelSize, g.Stride, g.PaddingBegin, size is null ? null : [pooledShape.Batch, pooledShape.Channels, length]);
            expected = TorchOps.Read<T>(y);
        }
        catch (ExternalException e)
        {
            error = TorchOps.FirstLine(e.Message);
        }

        var ours = new T[pooledShape.ElementCount / outL * length];
        try
        {
            Functional.MaxUnpool1D<T, long>(values, indices, pooledShape, g, ours, size, options: Threads.Options(2));
        }
        catch (ArgumentException e) when (error is not null)
        {
            c.Tag($"both refuse ({e.ParamName})");
            return;
        }

        if (expected is null)
        {
            throw new MismatchException($"libtorch refuses ({error}), ours unpools to length {length}.");
        }

        Check.Exact<T>(expected, ours, new Shape4D(shape.Batch, shape.Channels, 1, length), "unpooled");
        T[] allocated = Functional.MaxUnpool1D(NumericsTensor.Create(values, [pooledShape.Batch, pooledShape.Channels, outL]), NumericsTensor.Create(indices, [pooledShape.Batch, pooledShape.Channels, outL]), g, size).ToArray();
        Check.Exact<T>(expected, allocated, new Shape4D(shape.Batch, shape.Channels, 1, length), "unpooled, allocating form");
        c.Tag(size is null ? "default length" : length == defaultLength ? "explicit default length" : "explicit length off the default");
    }

    /// <summary>
    /// A round trip through libtorch's own indices: <c>max_unpool1d(max_pool1d_with_indices(x), output_size 7)</c> equals
    /// ours through
    /// <see cref="Switches1D{TIndex}"/>, which carry the length (here 7, where the default unpooled length is 6).
    /// </summary>
    [Fact]
    public void SwitchesRestoreTheLengthLibtorchNeedsOutputSizeFor()
    {
        float[] x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7];
        var g = new Pool1DGeometry(2);
        using IDisposable scope = TorchOps.Scope();
        (Tensor values, Tensor indices) = nn.functional.max_pool1d_with_indices(TorchOps.From(x, 2, 1, 7), 2, 2);
        float[] expected = TorchOps.Read<float>(nn.functional.max_unpool1d(values, indices, 2, 2, output_size: [2, 1, 7]));
        (System.Numerics.Tensors.Tensor<float> pooled, Switches1D<long> switches) = Functional.MaxPool1D(NumericsTensor.Create(x, [2, 1, 7]), g);
        Assert.Equal(TorchOps.Read<long>(indices), switches.Indices.ToArray());
        Assert.Equal(expected, Functional.MaxUnpool1D(pooled, switches).ToArray());
        Assert.Equal(6, g.GetUnpoolOutputSize(3));
    }
}
