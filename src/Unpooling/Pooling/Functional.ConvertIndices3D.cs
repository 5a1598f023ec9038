using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Converts 3-D arg-max indices from one <see cref="IndexConvention"/> to another (not InWindow, which needs the
    /// geometry: use the overload that takes a <see cref="Pool3DGeometry"/>).
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices, dense row-major <c>[N, C, oD, oH, oW]</c>.</param>
    /// <param name="indicesShape">The shape of <paramref name="indices"/>.</param>
    /// <param name="indexedSize">The spatial size (D, H, W) of the tensor the indices point into.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices; same length; may be the very same span (in place) but
    /// must not partly overlap it.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <remarks>Every index is checked before anything is written (range, and for a per-plane or per-sample destination,
    /// that the cell lies in the element's plane or sample). A call of at least
    /// <see cref="ExecutionOptions.MinParallelElements"/> indices is split by volumes (channels-last: blocks of positions)
    /// over the cores <paramref name="options"/> allows; the result and the reported index never depend on it.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">An index names a cell the destination convention cannot express from its
    /// position, a length or shape is wrong, <typeparamref name="TIndex"/> cannot hold a convention's largest index, a
    /// convention is InWindow, or the buffers partly overlap.</exception>
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape5D indicesShape, Size3D indexedSize, IndexConvention sourceConvention, Span<TIndex> destination, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndices3DCore(indices, indicesShape, indexedSize, null, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts 3-D arg-max indices between any two <see cref="IndexConvention"/>s, InWindow included: tap
    /// <c>(kd*kH + kh)*kW + kw</c> of pooled element (od, oh, ow) is the cell
    /// <c>(od*sD - pD + kd*dD, oh*sH - pH + kh*dH, ow*sW - pW + kw*dW)</c>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices, dense row-major <c>[N, C, oD, oH, oW]</c>.</param>
    /// <param name="indicesShape">The shape of <paramref name="indices"/>.</param>
    /// <param name="indexedSize">The spatial size (D, H, W) of the tensor the indices point into (the pooling input, or
    /// the unpooling output).</param>
    /// <param name="geometry">The pooling geometry that defines the windows.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices; same length; may be the very same span.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <remarks>Every index is checked before anything is written; an InWindow source index must be a tap whose cell
    /// lies in the indexed volume, and an index converted to InWindow must name a cell of its own element's window.
    /// Threaded as the overload without a geometry.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">An index names a cell the destination convention cannot express from its
    /// position, a length or shape is wrong, <typeparamref name="TIndex"/> cannot hold a convention's largest index, or
    /// the buffers partly overlap.</exception>
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape5D indicesShape, Size3D indexedSize, Pool3DGeometry geometry, IndexConvention sourceConvention,
        Span<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndices3DCore(indices, indicesShape, indexedSize, geometry, sourceConvention, destination, destinationConvention, options);

    /// <summary>Converts the 3-D indices of a rank-5 tensor into a new tensor; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape5D, Size3D, Pool3DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.</summary>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="indices">The rank-5 <c>[N, C, oD, oH, oW]</c> indices, any strides.</param>
    /// <param name="indexedSize">The spatial size (D, H, W) of the tensor the indices point into.</param>
    /// <param name="geometry">The pooling geometry that defines the windows.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <returns>The converted indices, same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 5, or as the span form.</exception>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        Tensor<TIndex> indices, Size3D indexedSize, Pool3DGeometry geometry, IndexConvention sourceConvention, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(indices);
        Shape5D shape = TensorAdapter3D.GetShape(indices.AsReadOnlyTensorSpan(), nameof(indices));
        Tensor<TIndex> result = TensorAdapter.CreateLike<TIndex, TIndex>(indices.AsReadOnlyTensorSpan(), indices.Lengths);
        using ReadView<TIndex> from = TensorAdapter.Read(indices.AsReadOnlyTensorSpan());
        using WriteView<TIndex> to = TensorAdapter.Write(result.AsTensorSpan());
        ConvertIndices3DCore(from.Span, shape, indexedSize, geometry, sourceConvention, to.Span, destinationConvention, options);
        to.Commit();
        return result;
    }

    /// <summary>The 3-D conversion of every form, with the caller's threading options.</summary>
    internal static unsafe void ConvertIndices3DCore<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape5D indicesShape, Size3D indexedSize, Pool3DGeometry? geometry, IndexConvention sourceConvention,
        Span<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        indicesShape.Validate(nameof(indicesShape), allowChannelsLast: true);
        Guard.Length(indices.Length, indicesShape.ElementCount, nameof(indices), "N*C*oD*oH*oW of", indicesShape);
        if (indexedSize.Depth < 1 || indexedSize.Height < 1 || indexedSize.Width < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(indexedSize), indexedSize, $"Each of indexedSize's sizes must be >= 1; got {indexedSize}.");
        }

        Guard.Convention(sourceConvention, nameof(sourceConvention));
        Guard.Convention(destinationConvention, nameof(destinationConvention));
        if (geometry is null)
        {
            if (sourceConvention == IndexConvention.InWindow || destinationConvention == IndexConvention.InWindow)
            {
                ThrowHelper.ThrowArgument(
                    sourceConvention == IndexConvention.InWindow ? nameof(sourceConvention) : nameof(destinationConvention),
                    "Convention InWindow names a tap of the element's pooling window; pass the Pool3DGeometry to convert to or from it.");
            }
        }
        else
        {
            geometry.Value.ThrowIfDefault(nameof(geometry));
        }

        Shape5D indexed = indicesShape.WithSpatialSize(indexedSize);
        Pool3DGeometry g = geometry ?? new Pool3DGeometry(1);
        Guard3D.PoolingIndexSpace<TIndex>(sourceConvention, indexed, g, nameof(indices));
        Guard3D.PoolingIndexSpace<TIndex>(destinationConvention, indexed, g, nameof(destination));
        Guard.Length(destination.Length, indicesShape.ElementCount, nameof(destination), "N*C*oD*oH*oW of", indicesShape);
        Guard.NoPartialOverlap<TIndex>(destination, indices, nameof(destination), nameof(indices));
        if (indicesShape.ElementCount == 0)
        {
            return;
        }

        var from = new IndexCodec3D(sourceConvention, indexed, indicesShape.SpatialSize, geometry);
        var to = new IndexCodec3D(destinationConvention, indexed, indicesShape.SpatialSize, geometry);
        bool last = indicesShape.Layout == TensorLayout.ChannelsLast;
        int degree = options.ResolveDegree(indicesShape.PlaneCount, indicesShape.ElementCount);

        // Everything is checked first, so a refused call writes nothing (in place too); the first bad position in
        // memory order is reported, whatever the thread count.
        long bad;
        fixed (TIndex* i = indices)
        fixed (TIndex* d = destination)
        {
            var body = new IndexConversion3D.Body<TIndex>(i, d, indices.Length, from, to, last, indicesShape);
            bad = body.FindInvalid(degree);
            if (bad < 0)
            {
                body.Convert(degree);
                return;
            }
        }

        long q = last ? IndexConversion3D.FirstPosition(bad, Math.Max(1, indicesShape.Channels), indicesShape.PlaneSize) : bad;
        if (!from.TryDecode(long.CreateSaturating(indices[(int)bad]), q, out long offset))
        {
            from.ThrowBadIndex(nameof(indices), indices[(int)bad], q, indexed);
        }

        ThrowHelper.ThrowArgument(
            nameof(indices),
            $"Index {indices[(int)bad]} at position {bad} names row-major cell {offset} of the {indexed} tensor, which convention {destinationConvention} cannot express from that position (outside the element's plane, sample or window).");
    }
}
