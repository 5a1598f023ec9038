using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Conv;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The allocating forms over <see cref="ReadOnlyTensorSpan{T}"/> (what ONNX Runtime and TorchSharp memory arrives as)
/// take non-contiguous views — channels-last, per-plane transposed, and a slice of a larger tensor — and return the
/// same bits as the <see cref="Tensor{T}"/> forms over the dense data, which equal the oracles.
/// </summary>
public abstract class AllocatingViewTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly ViewLayout[] Layouts = [ViewLayout.ChannelsLast, ViewLayout.TransposedPlanes, ViewLayout.Sliced];

    /// <summary>The views really are non-contiguous, and hold the logical elements in order.</summary>
    [Fact]
    public void ViewsAreStridedAndHoldTheData()
    {
        var shape = new Shape4D(2, 3, 4, 5);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 89);
        foreach (ViewLayout layout in Layouts)
        {
            ReadOnlyTensorSpan<T> view = TensorViews.View(x, shape, layout);
            Assert.False(view.IsDense, $"{layout} view is dense");
            Assert.Equal(TensorViews.Lengths(shape), view.Lengths.ToArray());
            var flat = new T[x.Length];
            view.FlattenTo(flat);
            BitAssert.Equal<T>(x, flat, $"{layout} view");
        }
    }

    [Fact]
    public void MaxPool2DOfAViewEqualsTheTensorForm()
    {
        var axis = new PoolAxis(3, 2, 1, 1);
        var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 7 * 11, 90), 2, 3, 7, 11, axis, axis, true);
        foreach (IndexConvention convention in new[] { IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.ChannelsLastPerSample })
        {
            (Tensor<T> values, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry, convention);
            long[] expected = IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, c.Shape.SpatialSize, convention);
            BitAssert.Equal<T>(c.Expected.Values, values.ToArray(), $"tensor form {convention}");
            BitAssert.IndicesEqual<long>(expected, switches.Indices.ToArray(), $"tensor form {convention}");
            foreach (ViewLayout layout in Layouts)
            {
                string context = $"MaxPool2D {layout} view {convention}";
                (Tensor<T> viewValues, Switches<long> viewSwitches) = Functional.MaxPool2D(TensorViews.View(c.Source, c.Shape, layout), c.Geometry, convention);
                Assert.Equal(values.Lengths.ToArray(), viewValues.Lengths.ToArray());
                BitAssert.Equal<T>(values.ToArray(), viewValues.ToArray(), context);
                Assert.Equal(switches.Indices.ToArray(), viewSwitches.Indices.ToArray());
                Assert.Equal((switches.Convention, switches.Geometry, switches.SourceSize, switches.PooledShape), (viewSwitches.Convention, viewSwitches.Geometry, viewSwitches.SourceSize, viewSwitches.PooledShape));
            }
        }
    }

    /// <summary>Values and indices as views of different layouts, with and without an explicit size, and through switches.</summary>
    [Fact]
    public void MaxUnpool2DOfViewsEqualsTheTensorForm()
    {
        var shape = new Shape4D(2, 3, 4, 6);
        var g = new Pool2DGeometry(3, 2, 1);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 91);
        foreach (Size2D? outputSize in new Size2D?[] { null, new Size2D(8, 12) })
        {
            Size2D output = outputSize ?? g.GetUnpoolOutputSize(shape.SpatialSize);
            long[] indices = TestData.RandomIndices(x.Length, output.Height * output.Width, 92);
            T[] expected = UnpoolReference.MaxUnpool(x, indices, 6, 4, 6, output.Height, output.Width, sum: false);
            Tensor<T> dense = Functional.MaxUnpool2D(Tensor.Create(x, TensorViews.Lengths(shape)), Tensor.Create(indices, TensorViews.Lengths(shape)), g, outputSize);
            BitAssert.Equal<T>(expected, dense.ToArray(), $"tensor form, size {output}");
            for (int i = 0; i < Layouts.Length; i++)
            {
                ViewLayout values = Layouts[i], positions = Layouts[(i + 1) % Layouts.Length];
                Tensor<T> viewed = Functional.MaxUnpool2D(TensorViews.View(x, shape, values), TensorViews.View(indices, shape, positions), g, outputSize);
                Assert.Equal(dense.Lengths.ToArray(), viewed.Lengths.ToArray());
                BitAssert.Equal<T>(dense.ToArray(), viewed.ToArray(), $"MaxUnpool2D {values} values, {positions} indices, size {output}");
            }
        }

        // Through switches: a 8x12 pooling input, its pooled values read through each view.
        var axis = new PoolAxis(3, 2, 1, 1);
        var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 8 * 12, 93), 2, 3, 8, 12, axis, axis, false);
        (Tensor<T> pooled, Switches<long> switches) = Functional.MaxPool2D(Tensor.Create(c.Source, TensorViews.Lengths(c.Shape)), c.Geometry);
        T[] restored = Functional.MaxUnpool2D(pooled, switches).ToArray();
        BitAssert.Equal<T>(UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, 6, c.Expected.OutH, c.Expected.OutW, 8, 12, sum: false), restored, "through switches");
        foreach (ViewLayout layout in Layouts)
        {
            BitAssert.Equal<T>(restored, Functional.MaxUnpool2D(TensorViews.View(pooled.ToArray(), c.OutputShape, layout), switches).ToArray(), $"through switches from a {layout} view");
        }
    }

    [Fact]
    public void BlockUnpoolingOfAViewEqualsTheTensorForm()
    {
        var shape = new Shape4D(2, 3, 4, 5);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 94);
        Tensor<T> tensor = Tensor.Create(x, TensorViews.Lengths(shape));
        var factor = new Size2D(2, 3);
        var offset = new Size2D(1, 1);
        foreach (Size2D? outputSize in new Size2D?[] { null, new Size2D(9, 14) })
        {
            Size2D o = outputSize ?? new Size2D(8, 15);
            T[] fixedExpected = UnpoolReference.Fixed(x, 6, 4, 5, 2, 3, 1, 1, o.Height, o.Width);
            BitAssert.Equal<T>(fixedExpected, Functional.FixedUnpool2D(tensor, factor, offset, outputSize).ToArray(), $"FixedUnpool2D tensor {o}");
            T[] repeatExpected = UnpoolReference.Repeat(x, 6, 4, 5, 2, 3, o.Height, o.Width);
            T[] randomExpected = UnpoolReference.Random(x, 6, 4, 5, 2, 3, 17, o.Height, o.Width);
            foreach (ViewLayout layout in Layouts)
            {
                string context = $"{layout} view, size {o}";
                Tensor<T> viewed = Functional.FixedUnpool2D(TensorViews.View(x, shape, layout), factor, offset, outputSize);
                Assert.Equal(TensorViews.Lengths(shape.WithSpatialSize(o)), viewed.Lengths.ToArray());
                BitAssert.Equal<T>(Functional.FixedUnpool2D(tensor, factor, offset, outputSize).ToArray(), viewed.ToArray(), $"FixedUnpool2D {context}");
                BitAssert.Equal<T>(repeatExpected, Functional.RepeatUnpool2D(TensorViews.View(x, shape, layout), factor, outputSize).ToArray(), $"RepeatUnpool2D {context}");
                BitAssert.Equal<T>(randomExpected, Functional.RandomUnpool2D(TensorViews.View(x, shape, layout), factor, 17, outputSize).ToArray(), $"RandomUnpool2D {context}");
            }
        }
    }

    /// <summary>Source and weight as views (bias a span), with the geometry's size and a requested one; Conv2D too.</summary>
    [Fact]
    public void ConvolutionsOfViewsEqualTheTensorForms()
    {
        var g = new Conv2DGeometry(new Size2D(3, 2), new Size2D(2, 1), 1, outputPadding: new Size2D(1, 0));
        var xs = new Shape4D(2, 3, 5, 6);
        var ws = new Shape4D(3, 4, 3, 2);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 95);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 96);
        T[] bias = ConvData.Uniform<T>(4, 97);
        Tensor<T> tx = Tensor.Create(x, TensorViews.Lengths(xs)), tw = Tensor.Create(w, TensorViews.Lengths(ws)), tb = Tensor.Create(bias, [4]);
        (T[] expected, Shape4D ys) = ConvReference.ConvTranspose2D(x, xs, w, ws, bias, g);
        Size2D o = ys.SpatialSize;
        foreach ((Conv2DGeometry geometry, Size2D? size) in new (Conv2DGeometry, Size2D?)[] { (g, null), (g.WithOutputPadding(new Size2D(0, 0)), o) })
        {
            T[] dense = Functional.ConvTranspose2D(tx, tw, tb, geometry, size).ToArray();
            ConvAssert.Close<T>(expected, dense, 3 * 6, $"ConvTranspose2D tensor form, size {size?.ToString() ?? "from geometry"}");
            for (int i = 0; i < Layouts.Length; i++)
            {
                ViewLayout sourceLayout = Layouts[i], weightLayout = Layouts[(i + 2) % Layouts.Length];
                Tensor<T> viewed = Functional.ConvTranspose2D(TensorViews.View(x, xs, sourceLayout), TensorViews.View(w, ws, weightLayout), bias, geometry, size);
                Assert.Equal(TensorViews.Lengths(ys), viewed.Lengths.ToArray());
                string context = $"ConvTranspose2D {sourceLayout} source, {weightLayout} weight, size {size?.ToString() ?? "from geometry"}";
                if (sourceLayout == ViewLayout.ChannelsLast)
                {
                    // A channels_last source runs the channels-last kernel in place, whose scatter adds in another order.
                    ConvAssert.Close<T>(expected, viewed.ToArray(), 3 * 6, context);
                }
                else
                {
                    BitAssert.Equal<T>(dense, viewed.ToArray(), context);
                }
            }
        }

        var cg = new Conv2DGeometry(3, 2, 1);
        var cw = new Shape4D(5, 4, 3, 3);
        T[] u = ConvData.Uniform<T>((int)ys.ElementCount, 98);
        T[] convWeight = ConvData.Uniform<T>((int)cw.ElementCount, 99);
        T[] convBias = ConvData.Uniform<T>(5, 100);
        (T[] convExpected, _) = ConvReference.Conv2D(u, ys, convWeight, cw, convBias, cg);
        T[] convDense = Functional.Conv2D(Tensor.Create(u, TensorViews.Lengths(ys)), Tensor.Create(convWeight, TensorViews.Lengths(cw)), Tensor.Create(convBias, [5]), cg).ToArray();
        ConvAssert.Close<T>(convExpected, convDense, 4 * 9, "Conv2D tensor form");
        foreach (ViewLayout layout in Layouts)
        {
            BitAssert.Equal<T>(convDense, Functional.Conv2D(TensorViews.View(u, ys, layout), TensorViews.View(convWeight, cw, layout), convBias, cg).ToArray(), $"Conv2D {layout} views");
        }
    }

    [Fact]
    public void ConvertIndicesOfAViewEqualsTheTensorForm()
    {
        var shape = new Shape4D(2, 3, 4, 5);
        var indexed = new Size2D(9, 11);
        long[] perPlane = TestData.RandomIndices((int)shape.ElementCount, indexed.Height * indexed.Width, 101);
        foreach (IndexConvention to in IndexConventionReference.All)
        {
            long[] expected = IndexConventionReference.FromPerPlane(perPlane, shape, indexed, to);
            Tensor<long> dense = Functional.ConvertIndices(Tensor.Create(perPlane, TensorViews.Lengths(shape)), indexed, IndexConvention.PerPlane, to);
            Assert.Equal(expected, dense.ToArray());
            int[] narrow = TestData.Convert<int>(perPlane);
            foreach (ViewLayout layout in Layouts)
            {
                Tensor<long> viewed = Functional.ConvertIndices(TensorViews.View(perPlane, shape, layout), indexed, IndexConvention.PerPlane, to);
                Assert.Equal(TensorViews.Lengths(shape), viewed.Lengths.ToArray());
                Assert.Equal(dense.ToArray(), viewed.ToArray());
                BitAssert.IndicesEqual<int>(expected, Functional.ConvertIndices(TensorViews.View(narrow, shape, layout), indexed, IndexConvention.PerPlane, to).ToArray(), $"int {layout} view to {to}");
            }
        }
    }
}

public sealed class AllocatingViewTestsSingle : AllocatingViewTests<float>
{
}

public sealed class AllocatingViewTestsDouble : AllocatingViewTests<double>
{
}
