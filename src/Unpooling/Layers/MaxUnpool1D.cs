using System.Numerics;
using Unpooling.Internal;

namespace Unpooling.Layers;

/// <summary>
/// A 1-D argmax-unpooling layer (PyTorch's <c>nn.MaxUnpool1d</c>): the geometry, index convention and reduction fixed at
/// construction. <see cref="Forward(ReadOnlySpan{T}, MaxPool1D{T, TIndex}, Span{T})"/> puts each value back where an
/// encoder's <see cref="MaxPool1D{T, TIndex}"/> found its maximum (SegNet), zeros elsewhere; the other overloads take
/// indices and shapes explicitly. The layer holds no state besides its settings.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <typeparam name="TIndex">The index type of the switches.</typeparam>
public sealed class MaxUnpool1D<T, TIndex>
    where T : unmanaged, INumber<T>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="geometry">The pooling's geometry (kernel, stride, padding).</param>
    /// <param name="indexConvention">The convention of the indices it receives.</param>
    /// <param name="reduction">What a cell receiving several values holds (the last, as PyTorch on CPU, or the sum).</param>
    /// <param name="options">Threading of every call; results never depend on it.</param>
    /// <exception cref="ArgumentException">The geometry is <c>default</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The convention or reduction is undefined.</exception>
    public MaxUnpool1D(Pool1DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
    {
        geometry.ThrowIfDefault(nameof(geometry));
        Guard.Convention(indexConvention, nameof(indexConvention));

        Functional.RequireReduction(reduction);

        Geometry = geometry;
        IndexConvention = indexConvention;
        Reduction = reduction;
        Options = options;
    }

    /// <summary>The pooling geometry fixed at construction.</summary>
    public Pool1DGeometry Geometry { get; }

    /// <summary>The convention of the indices.</summary>
    public IndexConvention IndexConvention { get; }

    /// <summary>The reduction of values that meet in one cell.</summary>
    public UnpoolReduction Reduction { get; }

    /// <summary>The threading of every call.</summary>
    public ExecutionOptions Options { get; }

    /// <summary>
    /// Unpools <paramref name="source"/> (of the encoder's pooled shape) through <paramref name="pooling"/>'s switches of its
    /// last forward pass into <paramref name="destination"/>, of the encoder's input shape.
    /// </summary>
    /// <param name="source">The values to place, <paramref name="pooling"/>'s <see cref="MaxPool1D{T, TIndex}.PooledShape"/>.</param>
    /// <param name="pooling">The encoder layer whose switches say where each value goes; its convention must be this layer's.</param>
    /// <param name="destination">Receives the unpooled tensor, <paramref name="pooling"/>'s <see cref="MaxPool1D{T, TIndex}.SourceShape"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pooling"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="pooling"/> has not run a forward pass.</exception>
    /// <exception cref="ArgumentException">The conventions differ, or a length does not fit.</exception>
    public void Forward(ReadOnlySpan<T> source, MaxPool1D<T, TIndex> pooling, Span<T> destination)
    {
        RequireSwitches(pooling);
        Forward(source, pooling.Indices, pooling.PooledShape, destination, pooling.SourceShape.Length);
    }

    /// <summary>Unpools <paramref name="source"/> through <paramref name="indices"/> into <paramref name="destination"/>.</summary>
    /// <param name="source">The values to place, <paramref name="sourceShape"/>.</param>
    /// <param name="indices">Where each goes, one per value, in <see cref="IndexConvention"/>.</param>
    /// <param name="sourceShape">The shape of <paramref name="source"/> and <paramref name="indices"/>.</param>
    /// <param name="destination">Receives the unpooled tensor.</param>
    /// <param name="outputSize">The unpooled length; <see langword="null"/> for the geometry's default size.</param>
    /// <exception cref="ArgumentException">A length, shape, size or index does not fit; nothing is written.</exception>
    public void Forward(ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape3D sourceShape, Span<T> destination, int? outputSize = null)
        => Functional.MaxUnpool1D(source, indices, sourceShape, Geometry, destination, outputSize, IndexConvention, Reduction, Options);

    /// <summary>The backward pass of <see cref="Forward(ReadOnlySpan{T}, MaxPool1D{T, TIndex}, Span{T})"/>: the output
    /// gradient gathered at the switches' positions.</summary>
    /// <param name="outputGradient">The gradient of the unpooled output (the encoder's input shape).</param>
    /// <param name="pooling">The encoder layer whose switches the forward pass used.</param>
    /// <param name="sourceGradient">Receives the gradient of the values, the encoder's pooled shape.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pooling"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="pooling"/> has not run a forward pass.</exception>
    /// <exception cref="ArgumentException">The conventions differ, or a length does not fit.</exception>
    public void Backward(ReadOnlySpan<T> outputGradient, MaxPool1D<T, TIndex> pooling, Span<T> sourceGradient)
    {
        RequireSwitches(pooling);
        Backward(outputGradient, pooling.Indices, pooling.PooledShape, sourceGradient, pooling.SourceShape.Length);
    }

    /// <summary>The backward pass of <see cref="Forward(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape3D, Span{T}, int?)"/>
    /// (<see cref="Functional.MaxUnpool1DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape3D, Pool1DGeometry, Span{T}, int?, IndexConvention, ExecutionOptions)"/>).</summary>
    /// <param name="outputGradient">The gradient of the unpooled output.</param>
    /// <param name="indices">The forward's indices.</param>
    /// <param name="sourceShape">The forward's source shape.</param>
    /// <param name="sourceGradient">Receives the gradient of the values.</param>
    /// <param name="outputSize">The forward's output size, or <see langword="null"/> for the default.</param>
    /// <exception cref="ArgumentException">A length, shape, size or index does not fit.</exception>
    public void Backward(ReadOnlySpan<T> outputGradient, ReadOnlySpan<TIndex> indices, Shape3D sourceShape, Span<T> sourceGradient, int? outputSize = null)
        => Functional.MaxUnpool1DBackward(outputGradient, indices, sourceShape, Geometry, sourceGradient, outputSize, IndexConvention, Options);

    private void RequireSwitches(MaxPool1D<T, TIndex> pooling)
    {
        ArgumentNullException.ThrowIfNull(pooling);
        pooling.RequireForward();
        if (pooling.IndexConvention != IndexConvention)
        {
            ThrowHelper.ThrowArgument(nameof(pooling), $"The pooling layer keeps {pooling.IndexConvention} indices; this layer reads {IndexConvention}.");
        }
    }
}
