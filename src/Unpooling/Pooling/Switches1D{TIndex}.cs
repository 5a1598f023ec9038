using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The "switches" of a 1-D max pooling: the indices, the <see cref="IndexConvention"/> they are written in, the pooling
/// geometry and the length of the pooling input, so that
/// <see cref="Functional.MaxUnpool1D{T, TIndex}(Tensor{T}, Switches1D{TIndex}, UnpoolReduction, ExecutionOptions)"/>
/// needs no output size. The 1-D counterpart of <see cref="Switches{TIndex}"/>.
/// </summary>
/// <typeparam name="TIndex">The index type: <see cref="long"/> from the allocating pooling, or the one its two-type form
/// is given (<see cref="byte"/> for <see cref="IndexConvention.InWindow"/> switches of windows up to 256 taps).</typeparam>
/// <remarks>
/// Instances are immutable references to their <see cref="Indices"/> tensor: it is not copied, so changing its elements
/// afterwards changes what unpooling reads (which still validates them). Thread-safe for reading.
/// </remarks>
public sealed class Switches1D<TIndex>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>Wraps indices that came from elsewhere (ONNX Runtime, TorchSharp, a file) as switches.</summary>
    /// <param name="indices">The rank-3 <c>[N, C, outL]</c> indices, one per pooled value.</param>
    /// <param name="geometry">The pooling geometry that produced them.</param>
    /// <param name="sourceLength">The length of the pooling input; the geometry must pool it to the indices' length.</param>
    /// <param name="convention">How the indices name input cells; per plane (PyTorch) by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is not rank 3, <paramref name="geometry"/>
    /// does not pool <paramref name="sourceLength"/> to its length, or <typeparamref name="TIndex"/> cannot hold the
    /// largest index of <paramref name="convention"/> for that input (for InWindow: <c>k - 1</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="convention"/> is undefined.</exception>
    public Switches1D(Tensor<TIndex> indices, Pool1DGeometry geometry, int sourceLength, IndexConvention convention = IndexConvention.PerPlane)
    {
        ArgumentNullException.ThrowIfNull(indices);
        Shape3D pooled = Functional.GetShape1D(indices.AsReadOnlyTensorSpan(), nameof(indices), batched: false);
        int expected = geometry.GetOutputSize(sourceLength, nameof(sourceLength));
        if (expected != pooled.Length)
        {
            ThrowHelper.ThrowArgument(
                nameof(indices),
                $"Indices of shape {pooled} cannot come from pooling an input of length {sourceLength} with {geometry}, which gives length {expected}.");
        }

        Guard.Convention(convention, nameof(convention));

        // Refused when built: switches whose index space the type cannot hold could never be unpooled.
        Functional.IndexSpace1D<TIndex>(convention, pooled.WithLength(sourceLength), geometry, nameof(indices));
        Indices = indices;
        Geometry = geometry;
        SourceLength = sourceLength;
        Convention = convention;
    }

    /// <summary>For the pooling operator, which has just checked every value.</summary>
    internal Switches1D(Tensor<TIndex> indices, Pool1DGeometry geometry, int sourceLength, IndexConvention convention, bool validated)
    {
        System.Diagnostics.Debug.Assert(validated, "Only the pooling operator skips validation.");
        Indices = indices;
        Geometry = geometry;
        SourceLength = sourceLength;
        Convention = convention;
    }

    /// <summary>The indices, <c>[N, C, outL]</c>, in <see cref="Convention"/>.</summary>
    public Tensor<TIndex> Indices { get; }

    /// <summary>How <see cref="Indices"/> name cells of the pooling input.</summary>
    public IndexConvention Convention { get; }

    /// <summary>The pooling geometry.</summary>
    public Pool1DGeometry Geometry { get; }

    /// <summary>The length of the pooling input: the length argmax unpooling restores.</summary>
    public int SourceLength { get; }

    /// <summary>The pooled shape <c>[N, C, outL]</c>: the shape of <see cref="Indices"/> and of the values.</summary>
    public Shape3D PooledShape => new((int)Indices.Lengths[0], (int)Indices.Lengths[1], (int)Indices.Lengths[2]);

    /// <summary>The pooling input's shape <c>[N, C, L]</c>.</summary>
    public Shape3D SourceShape => PooledShape.WithLength(SourceLength);

    /// <summary>
    /// The same switches in another convention (a new index tensor; this one is unchanged), to and from
    /// <see cref="IndexConvention.InWindow"/> too: the switches carry the geometry that defines the windows.
    /// </summary>
    /// <param name="convention">The convention to convert to.</param>
    /// <returns>Switches whose indices name the same cells in <paramref name="convention"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="convention"/> is undefined, or an index is out of
    /// range.</exception>
    /// <exception cref="ArgumentException">An index names a cell <paramref name="convention"/> cannot express from its
    /// position, or <typeparamref name="TIndex"/> cannot hold the convention's largest index.</exception>
    public Switches1D<TIndex> WithConvention(IndexConvention convention)
    {
        Guard.Convention(convention, nameof(convention));
        if (convention == Convention)
        {
            return this;
        }

        Tensor<TIndex> converted = Functional.ConvertIndices(Indices, SourceLength, Geometry, Convention, convention);
        return new Switches1D<TIndex>(converted, Geometry, SourceLength, convention, validated: true);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Switches1D {PooledShape} ({Convention}) of a length-{SourceLength} input, {Geometry}";
}
