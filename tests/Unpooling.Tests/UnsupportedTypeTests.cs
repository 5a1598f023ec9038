using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// The convolutions admit every <see cref="IFloatingPointIeee754{TSelf}"/> but run float, double and Half (accumulated in
/// float) elements only: any other element type (<see cref="NFloat"/>, the one other such type in the runtime) is refused with a <see cref="NotSupportedException"/> whose message names the operator and the
/// type, before anything is written (every destination below is guarded and checked untouched), in the span, tensor and
/// allocating forms alike. Arguments are otherwise valid, so the type is the only thing wrong. Pooling, argmax
/// unpooling and the fixed/random/repeat family run every admitted type (<see cref="MaxPool2DElementTypeTests{T}"/>
/// and its siblings), and index types are never refused (<see cref="IndexTypeTests{TIndex}"/>).
/// </summary>
public sealed class UnsupportedTypeTests
{
    [Fact]
    public void ConvolutionsRefuseOtherElementTypes()
    {
        ConvolutionsRefuse<NFloat>();
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
