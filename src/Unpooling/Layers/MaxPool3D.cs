using System.Numerics;
using Unpooling.Internal;

namespace Unpooling.Layers;

/// <summary>
/// A 3-D max-pooling layer that keeps its switches (PyTorch's <c>nn.MaxPool3d(return_indices=True)</c>): the geometry and
/// index convention fixed at construction; <see cref="Forward"/> pools and keeps the indices of the maxima in a buffer the
/// layer owns (reused while the shape stays, grown when it grows), for <see cref="Backward"/> and for a decoder's
/// <see cref="MaxUnpool3D{T, TIndex}"/> (SegNet's switches).
/// </summary>
/// <typeparam name="T">The element type (any <see cref="INumber{TSelf}"/> the pooling takes).</typeparam>
/// <typeparam name="TIndex">The index type: <see cref="long"/> as PyTorch, or as small as the convention allows, e.g.
/// <see cref="byte"/> with <see cref="IndexConvention.InWindow"/> for kernels of up to 256 taps (the fastest backward).</typeparam>
/// <remarks>An instance is not safe for concurrent use (it holds the last forward's switches); the operators it calls are.</remarks>
public sealed class MaxPool3D<T, TIndex>
    where T : unmanaged, INumber<T>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    private TIndex[] _indices = [];
    private long _count = -1;

    /// <summary>Creates the layer.</summary>
    /// <param name="geometry">Kernel, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How the kept indices count positions; per plane (PyTorch's) by default.</param>
    /// <param name="options">Threading of every call; results never depend on it.</param>
    /// <exception cref="ArgumentException">The geometry is <c>default</c>, or <typeparamref name="TIndex"/> cannot hold
    /// the in-window taps of <see cref="IndexConvention.InWindow"/> (named <paramref name="indexConvention"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public MaxPool3D(Pool3DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
    {
        geometry.ThrowIfDefault(nameof(geometry));
        Guard.Convention(indexConvention, nameof(indexConvention));

        if (indexConvention == IndexConvention.InWindow
            && (Int128)geometry.KernelSize.Depth * geometry.KernelSize.Height * geometry.KernelSize.Width - 1 > Guard.MaxOf<TIndex>())
        {
            ThrowHelper.ThrowArgument(nameof(indexConvention), $"The {geometry.KernelSize} kernel's taps do not fit {typeof(TIndex).Name}; use a wider index type.");
        }

        Geometry = geometry;
        IndexConvention = indexConvention;
        Options = options;
    }

    /// <summary>The geometry fixed at construction.</summary>
    public Pool3DGeometry Geometry { get; }

    /// <summary>The convention of the kept indices.</summary>
    public IndexConvention IndexConvention { get; }

    /// <summary>The threading of every call.</summary>
    public ExecutionOptions Options { get; }

    /// <summary>The input shape of the last <see cref="Forward"/> (<c>default</c> before the first).</summary>
    public Shape5D SourceShape { get; private set; }

    /// <summary>The pooled shape of the last <see cref="Forward"/> (<c>default</c> before the first).</summary>
    public Shape5D PooledShape { get; private set; }

    /// <summary>The indices of the last <see cref="Forward"/>'s maxima (empty before the first), in <see cref="PooledShape"/>.</summary>
    public ReadOnlySpan<TIndex> Indices => _count < 0 ? default : _indices.AsSpan(0, (int)_count);

    /// <summary>The pooled shape for an input of <paramref name="sourceShape"/>.</summary>
    /// <param name="sourceShape">The input shape, either layout.</param>
    /// <returns>The pooled shape.</returns>
    /// <exception cref="ArgumentException">The shape does not fit the geometry.</exception>
    public Shape5D GetOutputShape(Shape5D sourceShape) => Functional.GetMaxPool3DOutputShape(sourceShape, Geometry);

    /// <summary>Pools <paramref name="source"/> into <paramref name="destination"/> and keeps the switches.</summary>
    /// <param name="source">The input, in <paramref name="sourceShape"/>'s layout.</param>
    /// <param name="sourceShape">The input shape.</param>
    /// <param name="destination">Receives the maxima, <see cref="GetOutputShape"/>.</param>
    /// <exception cref="ArgumentException">A length or shape does not fit; the kept switches are then those of the
    /// previous call.</exception>
    public void Forward(ReadOnlySpan<T> source, Shape5D sourceShape, Span<T> destination)
    {
        Shape5D pooled = GetOutputShape(sourceShape);
        long count = pooled.ElementCount;
        TIndex[] indices = _indices.Length >= count ? _indices : new TIndex[count];
        Functional.MaxPool3D(source, sourceShape, Geometry, destination, indices.AsSpan(0, (int)count), IndexConvention, Options);
        (_indices, _count, SourceShape, PooledShape) = (indices, count, sourceShape, pooled);
    }

    /// <summary>
    /// The backward pass of the last <see cref="Forward"/>: the output gradient scattered (added) to the maxima's
    /// positions, zeros elsewhere (<see cref="Functional.MaxPool3DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape5D, Pool3DGeometry, Span{T}, Size3D, IndexConvention, ExecutionOptions)"/>).
    /// </summary>
    /// <param name="outputGradient">The gradient of the pooled output, <see cref="PooledShape"/>.</param>
    /// <param name="sourceGradient">Receives the gradient of the input, <see cref="SourceShape"/>.</param>
    /// <exception cref="InvalidOperationException">No forward pass has run.</exception>
    /// <exception cref="ArgumentException">A length does not fit.</exception>
    public void Backward(ReadOnlySpan<T> outputGradient, Span<T> sourceGradient)
    {
        RequireForward();
        Functional.MaxPool3DBackward(outputGradient, Indices, PooledShape, Geometry, sourceGradient, SourceShape.SpatialSize, IndexConvention, Options);
    }

    internal void RequireForward()
    {
        if (_count < 0)
        {
            throw new InvalidOperationException("No forward pass has run: the layer has no switches yet.");
        }
    }
}
