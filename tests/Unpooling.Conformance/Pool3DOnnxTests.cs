using Unpooling.Conformance.Infrastructure;
using Unpooling.Peers.Onnx;

namespace Unpooling.Conformance;

/// <summary>
/// 3-D max pooling and argmax unpooling against ONNX Runtime's <c>MaxPool</c> (its <c>Indices</c> output in both
/// storage orders, asymmetric <c>pads</c>, dilations, ceil mode) and <c>MaxUnpool</c>, bit for bit.
/// </summary>
/// <remarks>
/// ONNX Runtime names the three spatial axes height, width, depth in order and writes storage order 1 as
/// <c>h + w*height + d*height*width</c> in its names, that is <c>d + h*D + w*D*H</c> in ours: the first spatial axis
/// fastest, which is our <see cref="IndexConvention.GlobalColumnMajor"/> in 3-D. Its MaxPool compares with
/// <c>v &gt; best</c> only (no NaN propagation, see the 2-D tests), so the fills hold no NaN; its MaxUnpool is float only.
/// </remarks>
public sealed class Pool3DOnnxTests
{
    [Theory]
    [InlineData(IndexConvention.GlobalRowMajor)]
    [InlineData(IndexConvention.GlobalColumnMajor)]
    public void MaxPool3DMatchesOnnxRuntimeMaxPool(IndexConvention convention)
    {
        var random = new Random(40 + (int)convention);
        int compared = 0;
        for (int i = 0; i < 60; i++)
        {
            (Shape5D shape, Size3D k, Size3D s, Size3D pb, Size3D pe) = Draw(random);
            Size3D d = new(1 + random.Next(2), 1 + random.Next(2), 1 + random.Next(2));
            bool ceil = random.Next(2) == 1;
            Pool3DGeometry geometry = new Pool3DGeometry(k, s, dilation: d, ceilMode: ceil).WithPadding(pb, pe);
            Size3D outSize;
            try
            {
                outSize = geometry.GetOutputSize(shape.SpatialSize);
            }
            catch (ArgumentException)
            {
                continue;
            }

            float[] x = [.. Enumerable.Range(0, (int)shape.ElementCount).Select(_ => (float)random.Next(-4, 5))];
            byte[] model = new OnnxModelBuilder()
                .Input("X", OnnxElementType.Float, TorchOps.Dims(shape))
                .Node("MaxPool", ["X"], ["Y", "I"],
                [
                    .. Attributes(geometry), OnnxAttribute.Ints("dilations", d.Depth, d.Height, d.Width),
                    OnnxAttribute.Int("ceil_mode", ceil ? 1 : 0), OnnxAttribute.Int("storage_order", convention == IndexConvention.GlobalColumnMajor ? 1 : 0),
                ])
                .Output("Y", OnnxElementType.Float)
                .Output("I", OnnxElementType.Int64)
                .Build();
            (Array Data, long[] Shape)[] peer = OrtOps.Run(model, [new("X", x, TorchOps.Dims(shape))], "Y", "I");
            Shape5D pooled = shape.WithSpatialSize(outSize);
            Assert.Equal(TorchOps.Dims(pooled), peer[0].Shape);
            var values = new float[pooled.ElementCount];
            var indices = new long[pooled.ElementCount];
            Functional.MaxPool3D(x, shape, geometry, values, indices, convention, Threads.Options(2));
            Assert.True(((float[])peer[0].Data).AsSpan().SequenceEqual(values), $"values of {shape} {geometry}");
            Assert.True(((long[])peer[1].Data).AsSpan().SequenceEqual(indices), $"{convention} indices of {shape} {geometry}");
            compared++;
        }

        Assert.True(compared >= 30, $"only {compared} cases compared");
    }

    [Fact]
    public void MaxUnpool3DMatchesOnnxRuntimeMaxUnpool()
    {
        var random = new Random(45);
        int compared = 0;
        for (int i = 0; i < 40; i++)
        {
            (Shape5D shape, Size3D k, Size3D s, Size3D pb, Size3D pe) = Draw(random);
            Pool3DGeometry geometry = new Pool3DGeometry(k, s).WithPadding(pb, pe);
            Size3D outSize, size;
            try
            {
                outSize = geometry.GetOutputSize(shape.SpatialSize);
                size = geometry.GetUnpoolOutputSize(outSize);
            }
            catch (ArgumentException)
            {
                continue;
            }

            Shape5D pooled = shape.WithSpatialSize(outSize), output = shape.WithSpatialSize(size);
            float[] values = [.. Enumerable.Range(0, (int)pooled.ElementCount).Select(_ => (float)random.Next(1, 9))];

            // Indices anywhere in the output (ONNX allows any cell; duplicates: the last wins in both).
            long[] indices = [.. Enumerable.Range(0, (int)pooled.ElementCount).Select(_ => (long)random.Next((int)output.ElementCount))];
            byte[] model = new OnnxModelBuilder()
                .Input("X", OnnxElementType.Float, TorchOps.Dims(pooled))
                .Input("I", OnnxElementType.Int64, TorchOps.Dims(pooled))
                .Node("MaxUnpool", ["X", "I"], ["Y"], Attributes(geometry))
                .Output("Y", OnnxElementType.Float)
                .Build();
            (Array Data, long[] Shape)[] peer = OrtOps.Run(model, [new("X", values, TorchOps.Dims(pooled)), new("I", indices, TorchOps.Dims(pooled))], "Y");
            Assert.Equal(TorchOps.Dims(output), peer[0].Shape);
            var ours = new float[output.ElementCount];
            Functional.MaxUnpool3D(values, indices, pooled, geometry, ours, indexConvention: IndexConvention.GlobalRowMajor, options: Threads.Options(2));
            Assert.True(((float[])peer[0].Data).AsSpan().SequenceEqual(ours), $"unpool {pooled} {geometry}");
            compared++;
        }

        Assert.True(compared >= 20, $"only {compared} cases compared");
    }

    /// <summary>An input shape, kernel, stride and begin/end pads below the kernel (ONNX Runtime's limit).</summary>
    private static (Shape5D Shape, Size3D Kernel, Size3D Stride, Size3D PadBegin, Size3D PadEnd) Draw(Random random)
    {
        Size3D k = new(1 + random.Next(3), 1 + random.Next(3), 1 + random.Next(3));
        Size3D s = new(1 + random.Next(3), 1 + random.Next(3), 1 + random.Next(3));
        Size3D pb = new(random.Next(k.Depth), random.Next(k.Height), random.Next(k.Width));
        Size3D pe = new(random.Next(k.Depth), random.Next(k.Height), random.Next(k.Width));
        var shape = new Shape5D(1 + random.Next(2), 1 + random.Next(3), 1 + random.Next(6), 1 + random.Next(6), 1 + random.Next(30));
        return (shape, k, s, pb, pe);
    }

    private static OnnxAttribute[] Attributes(Pool3DGeometry g) =>
    [
        OnnxAttribute.Ints("kernel_shape", g.KernelSize.Depth, g.KernelSize.Height, g.KernelSize.Width),
        OnnxAttribute.Ints("strides", g.Stride.Depth, g.Stride.Height, g.Stride.Width),
        OnnxAttribute.Ints("pads", g.PaddingBegin.Depth, g.PaddingBegin.Height, g.PaddingBegin.Width, g.PaddingEnd.Depth, g.PaddingEnd.Height, g.PaddingEnd.Width),
    ];
}
