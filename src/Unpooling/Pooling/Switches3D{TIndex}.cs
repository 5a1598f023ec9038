using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The "switches" of a 3-D max pooling: the indices, the <see cref="IndexConvention"/> they are written in, the pooling
/// geometry and the size of the pooling input, so that
/// <see cref="Functional.MaxUnpool3D{T, TIndex}(Tensor{T}, Switches3D{TIndex}, UnpoolReduction, ExecutionOptions)"/>
/// needs no output size. The 3-D form of <see cref="Switches{TIndex}"/>.
/// </summary>
/// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
/// convention's largest index (<c>kD*kH*kW - 1</c> for InWindow).</typeparam>
/// <remarks>
/// Instances are immutable references to their <see cref="Indices"/> tensor: it is not copied, so changing its elements
/// afterwards changes what unpooling reads (it is still validated then). Thread-safe for reading.
/// </remarks>
public sealed class Switches3D<TIndex>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>Wraps indices that came from elsewhere (ONNX Runtime, TorchSharp, a file) as switches.</summary>
    /// <param name="indices">The rank-5 <c>[N, C, outD, outH, outW]</c> indices, one per pooled value.</param>
    /// <param name="geometry">The pooling geometry that produced them.</param>
    /// <param name="sourceSize">The spatial size (D, H, W) of the pooling input; the geometry must pool it to the
    /// indices' spatial size.</param>
    /// <param name="convention">How the indices name input cells; per plane (PyTorch) by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="indices"/> is not rank 5, <paramref name="geometry"/> does
    /// not pool <paramref name="sourceSize"/> to its spatial size, or <typeparamref name="TIndex"/> cannot hold the
    /// convention's largest index for that input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="convention"/> is undefined.</exception>
    public Switches3D(Tensor<TIndex> indices, Pool3DGeometry geometry, Size3D sourceSize, IndexConvention convention = IndexConvention.PerPlane)
    {
        ArgumentNullException.ThrowIfNull(indices);
        Shape5D pooled = TensorAdapter3D.GetShape(indices.AsReadOnlyTensorSpan(), nameof(indices));
        Size3D expected = geometry.GetOutputSize(sourceSize, nameof(sourceSize));
        if (expected != pooled.SpatialSize)
        {
            ThrowHelper.ThrowArgument(
                nameof(indices),
                $"Indices of shape {pooled} cannot come from pooling a {sourceSize} input with {geometry}, which gives {expected}.");
        }

        Guard.Convention(convention, nameof(convention));
        Guard3D.PoolingIndexSpace<TIndex>(convention, pooled.WithSpatialSize(sourceSize), geometry, nameof(indices));
        Indices = indices;
        Geometry = geometry;
        SourceSize = sourceSize;
        Convention = convention;
    }

    /// <summary>For the pooling operator, which has just checked every value.</summary>
    internal Switches3D(Tensor<TIndex> indices, Pool3DGeometry geometry, Size3D sourceSize, IndexConvention convention, bool validated)
    {
        System.Diagnostics.Debug.Assert(validated, "Only the pooling operator skips validation.");
        Indices = indices;
        Geometry = geometry;
        SourceSize = sourceSize;
        Convention = convention;
    }

    /// <summary>The indices, <c>[N, C, outD, outH, outW]</c>, in <see cref="Convention"/>.</summary>
    public Tensor<TIndex> Indices { get; }

    /// <summary>How <see cref="Indices"/> name cells of the pooling input.</summary>
    public IndexConvention Convention { get; }

    /// <summary>The pooling geometry.</summary>
    public Pool3DGeometry Geometry { get; }

    /// <summary>The spatial size (D, H, W) of the pooling input: the size argmax unpooling restores.</summary>
    public Size3D SourceSize { get; }

    /// <summary>The pooled shape <c>[N, C, outD, outH, outW]</c>: the shape of <see cref="Indices"/> and of the values.</summary>
    public Shape5D PooledShape
    {
        get
        {
            ReadOnlySpan<nint> l = Indices.Lengths;
            return new((int)l[0], (int)l[1], (int)l[2], (int)l[3], (int)l[4]);
        }
    }

    /// <summary>The pooling input's shape <c>[N, C, D, H, W]</c>.</summary>
    public Shape5D SourceShape => PooledShape.WithSpatialSize(SourceSize);

    /// <summary>
    /// The same switches in another convention (a new index tensor; this one is unchanged), InWindow included: the
    /// switches carry the geometry that defines the windows.
    /// </summary>
    /// <param name="convention">The convention to convert to.</param>
    /// <returns>Switches whose indices name the same cells in <paramref name="convention"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="convention"/> is undefined, or an index is out of range.</exception>
    /// <exception cref="ArgumentException">An index names a cell <paramref name="convention"/> cannot express from its
    /// position, or <typeparamref name="TIndex"/> cannot hold the convention's largest index.</exception>
    public Switches3D<TIndex> WithConvention(IndexConvention convention)
    {
        Guard.Convention(convention, nameof(convention));
        if (convention == Convention)
        {
            return this;
        }

        Tensor<TIndex> converted = TensorAdapter.CreateLike<TIndex, TIndex>(Indices.AsReadOnlyTensorSpan(), Indices.Lengths);
        using (ReadView<TIndex> from = TensorAdapter.Read(Indices.AsReadOnlyTensorSpan()))
        {
            using WriteView<TIndex> to = TensorAdapter.Write(converted.AsTensorSpan());
            Functional.ConvertIndices(from.Span, PooledShape, SourceSize, Geometry, Convention, to.Span, convention);
            to.Commit();
        }

        return new Switches3D<TIndex>(converted, Geometry, SourceSize, convention, validated: true);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Switches3D {PooledShape} ({Convention}) of a {SourceSize} input, {Geometry}";
}
