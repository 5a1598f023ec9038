using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// The generic methods admit every element type their constraint allows, but the kernels run float and double
/// elements: any other element type is refused with a <see cref="NotSupportedException"/> whose message names the
/// operator and the type, before anything is written (every destination below is guarded and checked untouched), in
/// the span, tensor and allocating forms alike. Arguments are otherwise valid, so the type is the only thing wrong.
/// Index types are not refused: every <see cref="IBinaryInteger{TSelf}"/> runs (<see cref="IndexTypeTests{TIndex}"/>).
/// </summary>
public sealed class UnsupportedTypeTests
{
    /// <summary>[2, 3, 4, 6] pooled by 2x2 stride 2: [2, 3, 2, 3] (36 values), unpooled back to 144 elements.</summary>
    private static readonly Shape4D Shape = new(2, 3, 4, 6);
    private static readonly Shape4D Pooled = new(2, 3, 2, 3);
    private static readonly Pool2DGeometry K2 = new(2);
    private static readonly long[] Valid = TestData.WindowIndices(6, 2, 3, 6, 1);

    [Fact]
    public void MaxPool2DRefusesOtherElementTypes()
    {
        MaxPool2DRefuses<Half>();
        MaxPool2DRefuses<int>();
        MaxPool2DRefuses<NFloat>();
        MaxPool2DRefuses<byte>();
    }

    [Fact]
    public void MaxUnpool2DRefusesOtherElementTypes()
    {
        MaxUnpool2DRefuses<Half>();
        MaxUnpool2DRefuses<int>();
        MaxUnpool2DRefuses<NFloat>();
    }

    [Fact]
    public void BlockUnpoolingRefusesOtherElementTypes()
    {
        BlockUnpoolingRefuses<Half>();
        BlockUnpoolingRefuses<int>();
        BlockUnpoolingRefuses<NFloat>();
    }

    [Fact]
    public void ConvolutionsRefuseOtherElementTypes()
    {
        ConvolutionsRefuse<Half>();
        ConvolutionsRefuse<NFloat>();
    }

    private static void MaxPool2DRefuses<T>()
        where T : unmanaged, INumber<T>
    {
        T[] x = Data<T>(Shape.ElementCount);
        var values = new GuardedBuffer<T>(36);
        var indices = new GuardedBuffer<long>(36);
        AssertRefused(() => Functional.MaxPool2D(x, Shape, K2, values.Span, indices.Span), "MaxPool2D", "element", typeof(T));
        AssertRefused(() => Functional.MaxPool2D(x, Shape, K2, values.Span, indices.Span, IndexConvention.GlobalRowMajor, ExecutionOptions.SingleThreaded), "MaxPool2D", "element", typeof(T));
        values.AssertUntouched($"MaxPool2D<{typeof(T).Name}> values");
        indices.AssertUntouched($"MaxPool2D<{typeof(T).Name}> indices");

        var tensorValues = new PaddedTensor<T>(Pooled, 2);
        var tensorIndices = new PaddedTensor<long>(Pooled, 1);
        AssertRefused(() => Functional.MaxPool2D(TensorViews.ChannelsLast(x, Shape), K2, tensorValues.View, tensorIndices.View), "MaxPool2D", "element", typeof(T));
        tensorValues.Buffer.AssertUntouched($"MaxPool2D<{typeof(T).Name}> tensor values");
        tensorIndices.Buffer.AssertUntouched($"MaxPool2D<{typeof(T).Name}> tensor indices");

        AssertRefused(() => Functional.MaxPool2D(Tensor.Create(x, TensorViews.Lengths(Shape)), K2), "MaxPool2D", "element", typeof(T));
        AssertRefused(() => Functional.MaxPool2D(TensorViews.ChannelsLast(x, Shape), K2), "MaxPool2D", "element", typeof(T));
    }

    private static void MaxUnpool2DRefuses<T>()
        where T : unmanaged, INumberBase<T>
    {
        T[] x = Data<T>(36);
        var destination = new GuardedBuffer<T>(144);
        AssertRefused(() => Functional.MaxUnpool2D(x, Valid, Pooled, K2, destination.Span), "MaxUnpool2D", "element", typeof(T));
        AssertRefused(() => Functional.MaxUnpool2D(x, Valid, Pooled, K2, destination.Span, reduction: UnpoolReduction.Sum), "MaxUnpool2D", "element", typeof(T));
        destination.AssertUntouched($"MaxUnpool2D<{typeof(T).Name}>");

        var tensor = new PaddedTensor<T>(Shape, 3);
        AssertRefused(() => Functional.MaxUnpool2D(TensorViews.ChannelsLast(x, Pooled), Dense(Valid, Pooled), K2, tensor.View), "MaxUnpool2D", "element", typeof(T));
        tensor.Buffer.AssertUntouched($"MaxUnpool2D<{typeof(T).Name}> tensor");

        Tensor<T> values = Tensor.Create(x, TensorViews.Lengths(Pooled));
        Tensor<long> indices = Tensor.Create(Valid, TensorViews.Lengths(Pooled));
        AssertRefused(() => Functional.MaxUnpool2D(values, indices, K2), "MaxUnpool2D", "element", typeof(T));
        AssertRefused(() => Functional.MaxUnpool2D(TensorViews.ChannelsLast(x, Pooled), Dense(Valid, Pooled), K2), "MaxUnpool2D", "element", typeof(T));
        var switches = new Switches<long>(indices, K2, Shape.SpatialSize);
        AssertRefused(() => Functional.MaxUnpool2D(values, switches), "MaxUnpool2D", "element", typeof(T));
        AssertRefused(() => Functional.MaxUnpool2D(TensorViews.ChannelsLast(x, Pooled), switches), "MaxUnpool2D", "element", typeof(T));
    }

    private static void BlockUnpoolingRefuses<T>()
        where T : unmanaged, INumberBase<T>
    {
        T[] x = Data<T>(36);
        Tensor<T> tensor = Tensor.Create(x, TensorViews.Lengths(Pooled));
        (string Name, Writer<T> Span, TensorWriter<T> View, Func<object> Allocating, Func<object> AllocatingView)[] operators =
        [
            ("FixedUnpool2D", d => Functional.FixedUnpool2D(x, Pooled, 2, d), v => Functional.FixedUnpool2D(Dense(x, Pooled), 2, v), () => Functional.FixedUnpool2D(tensor, 2), () => Functional.FixedUnpool2D(TensorViews.ChannelsLast(x, Pooled), 2)),
            ("RepeatUnpool2D", d => Functional.RepeatUnpool2D(x, Pooled, 2, d), v => Functional.RepeatUnpool2D(Dense(x, Pooled), 2, v), () => Functional.RepeatUnpool2D(tensor, 2), () => Functional.RepeatUnpool2D(TensorViews.ChannelsLast(x, Pooled), 2)),
            ("RandomUnpool2D", d => Functional.RandomUnpool2D(x, Pooled, 2, 5, d), v => Functional.RandomUnpool2D(Dense(x, Pooled), 2, 5, v), () => Functional.RandomUnpool2D(tensor, 2, 5), () => Functional.RandomUnpool2D(TensorViews.ChannelsLast(x, Pooled), 2, 5)),
        ];
        foreach ((string name, Writer<T> span, TensorWriter<T> view, Func<object> allocating, Func<object> allocatingView) in operators)
        {
            var destination = new GuardedBuffer<T>(144);
            AssertRefused(() => span(destination.Span), name, "element", typeof(T));
            destination.AssertUntouched($"{name}<{typeof(T).Name}>");
            var padded = new PaddedTensor<T>(Shape, 2);
            AssertRefused(() => view(padded.View), name, "element", typeof(T));
            padded.Buffer.AssertUntouched($"{name}<{typeof(T).Name}> tensor");
            AssertRefused(() => allocating(), name, "element", typeof(T));
            AssertRefused(() => allocatingView(), name, "element", typeof(T));
        }
    }

    private static void ConvolutionsRefuse<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = new Conv2DGeometry(3, 2, 1, outputPadding: 1);
        var xs = new Shape4D(2, 4, 5, 6);
        var ws = new Shape4D(4, 3, 3, 3);
        var ys = new Shape4D(2, 3, 10, 12);
        T[] x = Data<T>(xs.ElementCount), w = Data<T>(ws.ElementCount), bias = Data<T>(3);
        var y = new GuardedBuffer<T>((int)ys.ElementCount);
        AssertRefused(() => Functional.ConvTranspose2D(x, xs, w, ws, bias, g, y.Span), "ConvTranspose2D", "element", typeof(T));
        y.AssertUntouched($"ConvTranspose2D<{typeof(T).Name}>");
        var padded = new PaddedTensor<T>(ys, 1);
        AssertRefused(() => Functional.ConvTranspose2D(Dense(x, xs), Dense(w, ws), bias, g, padded.View), "ConvTranspose2D", "element", typeof(T));
        padded.Buffer.AssertUntouched($"ConvTranspose2D<{typeof(T).Name}> tensor");
        Tensor<T> tx = Tensor.Create(x, TensorViews.Lengths(xs)), tw = Tensor.Create(w, TensorViews.Lengths(ws)), tb = Tensor.Create(bias, [3]);
        AssertRefused(() => Functional.ConvTranspose2D(tx, tw, tb, g), "ConvTranspose2D", "element", typeof(T));
        AssertRefused(() => Functional.ConvTranspose2D(TensorViews.ChannelsLast(x, xs), Dense(w, ws), bias, g), "ConvTranspose2D", "element", typeof(T));

        // Conv2D maps the transposed output back: [2, 3, 10, 12] through the same weight read as [Cout 4, Cin 3] gives [2, 4, 5, 6].
        var c = new GuardedBuffer<T>((int)xs.ElementCount);
        T[] u = Data<T>(ys.ElementCount);
        var cg = new Conv2DGeometry(3, 2, 1);
        AssertRefused(() => Functional.Conv2D(u, ys, w, ws, default, cg, c.Span), "Conv2D", "element", typeof(T));
        c.AssertUntouched($"Conv2D<{typeof(T).Name}>");
        var paddedConv = new PaddedTensor<T>(xs, 2);
        AssertRefused(() => Functional.Conv2D(Dense(u, ys), Dense(w, ws), default, cg, paddedConv.View), "Conv2D", "element", typeof(T));
        paddedConv.Buffer.AssertUntouched($"Conv2D<{typeof(T).Name}> tensor");
        AssertRefused(() => Functional.Conv2D(Tensor.Create(u, TensorViews.Lengths(ys)), tw, null, cg), "Conv2D", "element", typeof(T));
        AssertRefused(() => Functional.Conv2D(Dense(u, ys), Dense(w, ws), default, cg), "Conv2D", "element", typeof(T));
    }

    /// <summary>Asserts the exception and that its message names the operator and "element type X".</summary>
    private static void AssertRefused(Action action, string operatorName, string kind, Type type)
    {
        NotSupportedException e = Assert.Throws<NotSupportedException>(action);
        Assert.Contains(operatorName, e.Message, StringComparison.Ordinal);
        Assert.Contains($"{kind} type {type.Name}", e.Message, StringComparison.Ordinal);
    }

    private static void AssertRefused(Func<object> action, string operatorName, string kind, Type type) => AssertRefused(() => { _ = action(); }, operatorName, kind, type);

    private static T[] Data<T>(long length)
        where T : INumberBase<T>
    {
        var data = new T[length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = T.CreateTruncating((i * 7 % 11) + 1);
        }

        return data;
    }

    private static ReadOnlyTensorSpan<TElement> Dense<TElement>(TElement[] data, Shape4D shape) => new(data, TensorViews.Lengths(shape));

    private delegate void TensorWriter<TElement>(TensorSpan<TElement> destination);
}
