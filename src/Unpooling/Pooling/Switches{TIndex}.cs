using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The "switches" of a max pooling: where each maximum came from, with everything needed to put the values back —
/// the indices, the <see cref="IndexConvention"/> they are written in, the pooling geometry and the size of the
/// pooling input. <see cref="Functional.MaxUnpool2D{T, TIndex}(Tensor{T}, Switches{TIndex}, UnpoolReduction, ExecutionOptions)"/>
/// takes them and needs no output size (PyTorch's <c>max_unpool2d</c> needs <c>output_size</c> whenever the pooling
/// floored away a row or column, its most common surprise).
/// </summary>
/// <typeparam name="TIndex">The index type: <see cref="long"/> from the allocating pooling, or the one its two-type form
/// <see cref="Functional.MaxPool2D{T, TIndex}(Tensor{T}, Pool2DGeometry, IndexConvention, ExecutionOptions)"/> is given
/// (<see cref="byte"/> for <see cref="IndexConvention.InWindow"/> switches); any <see cref="IBinaryInteger{TSelf}"/>
/// whose largest value holds the convention's largest index (<c>kH*kW - 1</c> for InWindow) works.</typeparam>
/// <remarks>
/// Instances are immutable references to their <see cref="Indices"/> tensor: the tensor is not copied, so changing its
/// elements afterwards changes what unpooling reads (it is still validated then). Thread-safe for reading.
/// </remarks>
public sealed class Switches<TIndex>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>Wraps indices that came from elsewhere (ONNX Runtime, TorchSharp, a file) as switches.</summary>
    /// <param name="indices">The rank-4 <c>[N, C, outH, outW]</c> indices, one per pooled value.</param>
    /// <param name="geometry">The pooling geometry that produced them.</param>
    /// <param name="sourceSize">The spatial size (H, W) of the pooling input; the geometry must pool it to the
    /// indices' spatial size.</param>
    /// <param name="convention">How the indices name input cells; per plane (PyTorch) by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is not rank 4, <paramref name="geometry"/>
    /// does not pool <paramref name="sourceSize"/> to its spatial size, or <typeparamref name="TIndex"/> cannot hold
    /// the largest index of <paramref name="convention"/> for that input (for InWindow: <c>kH*kW - 1</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="convention"/> is undefined.</exception>
    public Switches(Tensor<TIndex> indices, Pool2DGeometry geometry, Size2D sourceSize, IndexConvention convention = IndexConvention.PerPlane)
    {
        ArgumentNullException.ThrowIfNull(indices);
        Shape4D pooled = TensorAdapter.GetShape(indices.AsReadOnlyTensorSpan(), nameof(indices));
        Size2D expected = geometry.GetOutputSize(sourceSize, nameof(sourceSize));
        if (expected != pooled.SpatialSize)
        {
            ThrowHelper.ThrowArgument(
                nameof(indices),
                $"Indices of shape {pooled} cannot come from pooling a {sourceSize} input with {geometry}, which gives {expected}.");
        }

        Guard.Convention(convention, nameof(convention));

        // Refused when built, so no later call has to explain them: switches whose index space the type cannot hold
        // could never be unpooled.
        Guard.PoolingIndexSpace<TIndex>(convention, pooled.WithSpatialSize(sourceSize), geometry, nameof(indices));
        Indices = indices;
        Geometry = geometry;
        SourceSize = sourceSize;
        Convention = convention;
    }

    /// <summary>For the pooling operator, which has just checked every value.</summary>
    internal Switches(Tensor<TIndex> indices, Pool2DGeometry geometry, Size2D sourceSize, IndexConvention convention, bool validated)
    {
        System.Diagnostics.Debug.Assert(validated, "Only the pooling operator skips validation.");
        Indices = indices;
        Geometry = geometry;
        SourceSize = sourceSize;
        Convention = convention;
    }

    /// <summary>The indices, <c>[N, C, outH, outW]</c>, in <see cref="Convention"/>.</summary>
    public Tensor<TIndex> Indices { get; }

    /// <summary>How <see cref="Indices"/> name cells of the pooling input.</summary>
    public IndexConvention Convention { get; }

    /// <summary>The pooling geometry.</summary>
    public Pool2DGeometry Geometry { get; }

    /// <summary>The spatial size (H, W) of the pooling input: the size argmax unpooling restores.</summary>
    public Size2D SourceSize { get; }

    /// <summary>The pooled shape <c>[N, C, outH, outW]</c>: the shape of <see cref="Indices"/> and of the values.</summary>
    public Shape4D PooledShape => new((int)Indices.Lengths[0], (int)Indices.Lengths[1], (int)Indices.Lengths[2], (int)Indices.Lengths[3]);

    /// <summary>The pooling input's shape <c>[N, C, H, W]</c>.</summary>
    public Shape4D SourceShape => PooledShape.WithSpatialSize(SourceSize);

    /// <summary>
    /// The same switches in another convention (a new index tensor; this one is unchanged), to and from
    /// <see cref="IndexConvention.InWindow"/> too: the switches carry the geometry that defines the windows.
    /// </summary>
    /// <param name="convention">The convention to convert to.</param>
    /// <returns>Switches whose indices name the same cells in <paramref name="convention"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="convention"/> is undefined, or an index is out of
    /// range.</exception>
    /// <exception cref="ArgumentException">An index names a cell <paramref name="convention"/> cannot express from its
    /// position (for InWindow: a cell outside its element's window), or <typeparamref name="TIndex"/> cannot hold the
    /// convention's largest index.</exception>
    public Switches<TIndex> WithConvention(IndexConvention convention)
    {
        Guard.Convention(convention, nameof(convention));
        if (convention == Convention)
        {
            return this;
        }

        Tensor<TIndex> converted = Functional.ConvertIndices(Indices, SourceSize, Geometry, Convention, convention);
        return new Switches<TIndex>(converted, Geometry, SourceSize, convention, validated: true);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Switches {PooledShape} ({Convention}) of a {SourceSize} input, {Geometry}";
}
