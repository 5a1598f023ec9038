using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Unpooling.Peers.Onnx;
using Xunit.Abstractions;

namespace Unpooling.Conformance;

/// <summary>
/// Max pooling and argmax unpooling against ONNX Runtime's <c>MaxPool</c> (with its <c>Indices</c> output, in both
/// storage orders) and <c>MaxUnpool</c> (with and without <c>output_shape</c>), bit for bit.
/// </summary>
/// <remarks>
/// <para>ONNX indices are global: row-major <c>((n*C + c)*H + h)*W + w</c> for storage order 0, column-major
/// <c>(n*C + c)*H*W + h + w*H</c> for storage order 1 (SEMANTICS.md section 1). Ours are written in those conventions
/// (<see cref="IndexConvention.GlobalRowMajor"/>, <see cref="IndexConvention.GlobalColumnMajor"/>), and also written
/// per plane and converted with <c>Functional.ConvertIndices</c>; MaxUnpool reads ONNX's global indices as they are,
/// including ones that name another plane's cells.</para>
/// <para>ONNX Runtime's MaxPool accepts padding below the kernel (<c>p &lt; k</c>), more than libtorch, so these cases
/// reach geometries the libtorch cases cannot. Its selection is <c>v &gt; best</c> without a NaN test, so it does not
/// propagate NaN (see <see cref="OnnxRuntimeMaxPoolDoesNotPropagateNaN"/>): its random cases hold no NaN, but keep
/// infinities, signed zeros and ties.</para>
/// <para>ONNX Runtime implements MaxUnpool for float only: double is covered against libtorch. It refuses an
/// <c>output_shape</c> below the default size, which ours (PyTorch's rule) accepts down to <c>default - stride + 1</c>
/// (see <see cref="OnnxRuntimeMaxUnpoolRefusesSizesBelowTheDefault"/>); the random cases draw sizes both accept.</para>
/// </remarks>
public sealed class PoolingOnnxTests(ITestOutputHelper output) : RandomCaseTests<PoolingOnnxTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("MaxPool2D vs ORT MaxPool, row-major, float", 100, MaxPool<float>(IndexConvention.GlobalRowMajor)),
        new("MaxPool2D vs ORT MaxPool, column-major, float", 100, MaxPool<float>(IndexConvention.GlobalColumnMajor)),
        new("MaxPool2D vs ORT MaxPool, row-major, double", 100, MaxPool<double>(IndexConvention.GlobalRowMajor)),
        new("MaxPool2D vs ORT MaxPool, column-major, double", 100, MaxPool<double>(IndexConvention.GlobalColumnMajor)),
        new("MaxUnpool2D vs ORT MaxUnpool, float", 150, MaxUnpool),
    ];

    /// <summary>ONNX Runtime's padding limit for MaxPool: below the kernel.</summary>
    private static int OrtMaxPadding(int kernel, int effectiveKernel) => kernel - 1;

    private static Action<CaseContext> MaxPool<T>(IndexConvention convention)
        where T : unmanaged, IFloatingPointIeee754<T>
        => c =>
        {
            Random r = c.Random;
            var p = PoolCase.Draw(r, OrtMaxPadding);
            ValueMode mode = r.Mode(nan: false);
            T[] x = r.Values<T>(p.Shape.ElementCount, mode, nan: false);
            c.Describe($"{p}, values {mode}");
            Size2D outSize;
            try
            {
                outSize = p.Geometry.GetOutputSize(p.Shape.SpatialSize);
            }
            catch (ArgumentException)
            {
                throw CaseContext.Reject("no output, or a window of only padding");
            }

            Shape4D outShape = p.Shape.WithSpatialSize(outSize);
            (Array Data, long[] Shape)[] peer = OrtOps.Run(MaxPoolModel<T>(p, convention == IndexConvention.GlobalColumnMajor), [new("X", x, TorchOps.Dims(p.Shape))], "Y", "I");
            if (!peer[0].Shape.SequenceEqual(TorchOps.Dims(outShape)))
            {
                throw new MismatchException($"ONNX Runtime's output is [{string.Join(", ", peer[0].Shape)}], ours {outShape}.");
            }

            // Ours writing the convention directly (int64 at 1 thread, int32 at 2), and ours per plane converted to it.
            T[] expectedValues = (T[])peer[0].Data;
            long[] expectedIndices = (long[])peer[1].Data;
            var values = new T[outShape.ElementCount];
            var indices = new long[outShape.ElementCount];
            Functional.MaxPool2D<T, long>(x, p.Shape, p.Geometry, values, indices, convention, Threads.Options(1));
            Check.Exact<T>(expectedValues, values, outShape, "values");
            Check.Indices<long>(expectedIndices, indices, outShape, $"int64 indices in {convention}");
            var indices32 = new int[outShape.ElementCount];
            Functional.MaxPool2D<T, int>(x, p.Shape, p.Geometry, values, indices32, convention, Threads.Options(2));
            Check.Exact<T>(expectedValues, values, outShape, "values, 2 threads");
            Check.Indices<int>(expectedIndices, indices32, outShape, $"int32 indices in {convention}, 2 threads");
            Functional.MaxPool2D<T, long>(x, p.Shape, p.Geometry, values, indices, options: Threads.Options(1));
            Functional.ConvertIndices<long>(indices, outShape, p.Shape.SpatialSize, IndexConvention.PerPlane, indices, convention);
            Check.Indices<long>(expectedIndices, indices, outShape, $"per-plane indices converted to {convention}");
            c.Tag($"values {mode}");
            if (p.Geometry.PaddingBegin.Height * 2 > p.Geometry.KernelSize.Height || p.Geometry.PaddingBegin.Width * 2 > p.Geometry.KernelSize.Width)
            {
                c.Tag("padding above k/2 (beyond libtorch)");
            }
        };

    /// <summary>Pools random data with ours, then unpools it with ONNX Runtime and ours, sometimes to an explicit size.</summary>
    private static void MaxUnpool(CaseContext c)
    {
        Random r = c.Random;
        var p = PoolCase.Draw(r, OrtMaxPadding);
        Pool2DGeometry g = p.Geometry;
        if (g.Dilation != new Size2D(1, 1) || g.CeilMode)
        {
            // MaxUnpool has no dilation or ceil mode; pool plainly so the unpooling inverts the same windows.
            g = new Pool2DGeometry(g.KernelSize, g.Stride, g.PaddingBegin);
        }

        (float[] values, long[] indices, Shape4D pooledShape, Size2D defaultSize) = (p with { Geometry = g }).PoolForUnpooling(r.Payload<float>(p.Shape.ElementCount));
        // ONNX Runtime accepts an output_shape from the default up; ours up to default + stride - 1.
        Size2D? size = r.Chance(0.5) ? null : new Size2D(defaultSize.Height + r.Next(g.Stride.Height), defaultSize.Width + r.Next(g.Stride.Width));
        Size2D outSize = size ?? defaultSize;
        Shape4D outShape = pooledShape.WithSpatialSize(outSize);
        c.Describe($"input {p.Shape}, {g}, unpooled to {size?.ToString() ?? "the default"} (default {defaultSize})");
        if (r.Chance(0.3))
        {
            // Global indices at random, many repeated and many naming another plane's cells (ONNX allows that): ONNX
            // Runtime scatters sequentially, so the last one wins, across planes too.
            long distinct = Math.Max(1, outShape.ElementCount / r.Between(1, 8));
            for (int i = 0; i < indices.Length; i++)
            {
                indices[i] = r.NextInt64(distinct);
            }

            c.Tag("random global indices, across planes, with duplicates");
        }
        else if (indices.Any(i => i >= outShape.PlaneSize))
        {
            throw CaseContext.Reject("an index outside the output plane");
        }
        else
        {
            Functional.ConvertIndices<long>(indices, pooledShape, outSize, IndexConvention.PerPlane, indices, IndexConvention.GlobalRowMajor);
        }

        var builder = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, TorchOps.Dims(pooledShape))
            .Input("I", OnnxElementType.Int64, TorchOps.Dims(pooledShape));
        OrtInput[] inputs = [new("X", values, TorchOps.Dims(pooledShape)), new("I", indices, TorchOps.Dims(pooledShape))];
        if (size is not null)
        {
            builder.Input("S", OnnxElementType.Int64, 4);
            inputs = [.. inputs, new("S", TorchOps.Dims(outShape), [4])];
        }

        byte[] model = builder
            .Node("MaxUnpool", size is null ? ["X", "I"] : ["X", "I", "S"], ["Y"], PoolAttributes(g, withDilation: false))
            .Output("Y", OnnxElementType.Float)
            .Build();
        float[] expected = (float[])OrtOps.Run(model, inputs, "Y")[0].Data;
        foreach (int degree in (int[])[1, 2])
        {
            var ours = new float[outShape.ElementCount];
            Functional.MaxUnpool2D<float, long>(values, indices, pooledShape, g, ours, size, IndexConvention.GlobalRowMajor, UnpoolReduction.Replace, Threads.Options(degree));
            Check.Exact<float>(expected, ours, outShape, $"{degree} thread(s)");
        }

        c.Tag(size is null ? "no output_shape" : "output_shape");
    }

    /// <summary>
    /// A documented difference: ONNX Runtime's MaxPool compares with <c>v &gt; best</c> only, so a NaN after the first
    /// cell of a window never wins; SEMANTICS.md (PyTorch's rule) makes the window NaN, at the last NaN.
    /// </summary>
    [Fact]
    public void OnnxRuntimeMaxPoolDoesNotPropagateNaN()
    {
        float[] x = [1, float.NaN, 2, float.NaN];
        var p = new PoolCase(new Shape4D(1, 1, 1, 4), new Pool2DGeometry(new Size2D(1, 4)));
        (Array Data, long[] Shape)[] peer = OrtOps.Run(MaxPoolModel<float>(p, columnMajor: false), [new("X", x, [1, 1, 1, 4])], "Y", "I");
        Assert.Equal([2f], (float[])peer[0].Data);
        Assert.Equal([2L], (long[])peer[1].Data);
        var values = new float[1];
        var indices = new long[1];
        Functional.MaxPool2D<float, long>(x, p.Shape, p.Geometry, values, indices, options: Threads.Options(1));
        Assert.True(float.IsNaN(values[0]));
        Assert.Equal(3, indices[0]);
    }

    /// <summary>
    /// A documented difference: ONNX Runtime's MaxUnpool refuses an <c>output_shape</c> below the default size; ours
    /// follows PyTorch and accepts any size strictly within one stride of the default.
    /// </summary>
    [Fact]
    public void OnnxRuntimeMaxUnpoolRefusesSizesBelowTheDefault()
    {
        var shape = new Shape4D(1, 1, 2, 2);
        var g = new Pool2DGeometry(2);
        float[] values = [1, 2, 3, 4];
        long[] indices = [0, 2, 6, 8];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, 1, 1, 2, 2).Input("I", OnnxElementType.Int64, 1, 1, 2, 2).Input("S", OnnxElementType.Int64, 4)
            .Node("MaxUnpool", ["X", "I", "S"], ["Y"], PoolAttributes(g, withDilation: false))
            .Output("Y", OnnxElementType.Float)
            .Build();
        Assert.ThrowsAny<Exception>(() => OrtOps.Run(model, [new("X", values, [1, 1, 2, 2]), new("I", indices, [1, 1, 2, 2]), new("S", new long[] { 1, 1, 3, 3 }, [4])], "Y"));
        var ours = new float[9];
        Functional.MaxUnpool2D(values, indices, shape, g, ours, new Size2D(3, 3));
        Assert.Equal([1f, 0, 2, 0, 0, 0, 3, 0, 4], ours);
    }

    private static byte[] MaxPoolModel<T>(PoolCase p, bool columnMajor)
        => new OnnxModelBuilder()
            .Input("X", OrtOps.Type<T>(), TorchOps.Dims(p.Shape))
            .Node("MaxPool", ["X"], ["Y", "I"], [.. PoolAttributes(p.Geometry, withDilation: true), OnnxAttribute.Int("ceil_mode", p.Geometry.CeilMode ? 1 : 0), OnnxAttribute.Int("storage_order", columnMajor ? 1 : 0)])
            .Output("Y", OrtOps.Type<T>())
            .Output("I", OnnxElementType.Int64)
            .Build();

    private static OnnxAttribute[] PoolAttributes(Pool2DGeometry g, bool withDilation)
    {
        OnnxAttribute[] common =
        [
            OnnxAttribute.Ints("kernel_shape", g.KernelSize.Height, g.KernelSize.Width),
            OnnxAttribute.Ints("strides", g.Stride.Height, g.Stride.Width),
            OnnxAttribute.Ints("pads", g.PaddingBegin.Height, g.PaddingBegin.Width, g.PaddingEnd.Height, g.PaddingEnd.Width),
        ];
        return withDilation ? [.. common, OnnxAttribute.Ints("dilations", g.Dilation.Height, g.Dilation.Width)] : common;
    }
}
