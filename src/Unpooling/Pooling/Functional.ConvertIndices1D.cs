using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Converts 1-D arg-max indices from one <see cref="IndexConvention"/> to another, e.g. PyTorch's per-plane indices
    /// (<c>w</c>) to ONNX's global row-major ones (<c>(n*C + c)*L + w</c>). It runs as the 2-D conversion on
    /// <c>[N, C, 1, oL]</c> indices of an <c>[N, C, 1, L]</c> tensor (no copy), so every convention keeps its 2-D
    /// meaning with <c>h = 0</c>. <see cref="IndexConvention.InWindow"/> needs the pooling geometry: use
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape3D, int, Pool1DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices, dense <c>[N, C, oL]</c>: an element's position gives its sample and channel.</param>
    /// <param name="indicesShape">The shape <c>[N, C, oL]</c> of <paramref name="indices"/>.</param>
    /// <param name="indexedLength">The length L of the tensor the indices point into (the pooling input, the unpooling
    /// output).</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices; same length as <paramref name="indices"/>. It may be
    /// the very same span (in place), but must not partly overlap it.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <remarks>Every index is checked before anything is written, with the rules of
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
    /// (a bad index is reported in its words: its cells have <c>h 0</c>), and threaded as that: a large call splits
    /// the indices over the cores <paramref name="options"/> allows, with a result that never depends on it. Allocates
    /// nothing.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range, or a convention is
    /// undefined. Nothing is written.</exception>
    /// <exception cref="ArgumentException">An index names a cell the destination convention cannot express from its
    /// position; a length does not match its shape; <paramref name="indexedLength"/> is below 1;
    /// <typeparamref name="TIndex"/> cannot hold a convention's largest index; a convention is
    /// <see cref="IndexConvention.InWindow"/>, which this overload cannot read or write; or <paramref name="destination"/>
    /// partly overlaps <paramref name="indices"/>.</exception>
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape3D indicesShape, int indexedLength, IndexConvention sourceConvention, Span<TIndex> destination, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndices1DCore(indices, indicesShape, indexedLength, null, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts 1-D arg-max indices between any two <see cref="IndexConvention"/>s, <see cref="IndexConvention.InWindow"/>
    /// included: given the pooling geometry, tap <c>kw</c> of pooled element <c>ow</c>'s window is cell
    /// <c>ow*s - pb + kw*d</c>, and back.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index (<c>k - 1</c> for InWindow).</typeparam>
    /// <param name="indices">The indices, dense <c>[N, C, oL]</c>: an element's position gives its sample, channel and
    /// window.</param>
    /// <param name="indicesShape">The shape <c>[N, C, oL]</c> of <paramref name="indices"/>.</param>
    /// <param name="indexedLength">The length L of the tensor the indices point into.</param>
    /// <param name="geometry">The pooling geometry that defines the windows.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices; same length as <paramref name="indices"/>; it may be
    /// the very same span (in place), but must not partly overlap it.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <remarks>The rules of
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
    /// on one axis: an InWindow source tap must lie in <c>[0, k)</c> on a cell of the indexed length, and an index
    /// converted to InWindow must name a cell of its own element's window.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range (for InWindow: no valid tap),
    /// or a convention is undefined. Nothing is written.</exception>
    /// <exception cref="ArgumentException">An index names a cell the destination convention cannot express from its
    /// position; a length does not match its shape; <paramref name="indexedLength"/> is below 1;
    /// <paramref name="geometry"/> is <c>default</c>; <typeparamref name="TIndex"/> cannot hold a convention's largest
    /// index; or <paramref name="destination"/> partly overlaps <paramref name="indices"/>.</exception>
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape3D indicesShape, int indexedLength, Pool1DGeometry geometry, IndexConvention sourceConvention,
        Span<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndices1DCore(indices, indicesShape, indexedLength, geometry, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts a rank-3 <c>[N, C, oL]</c> index tensor (any strides) from one <see cref="IndexConvention"/> to another,
    /// into <paramref name="destination"/>; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape3D, int, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample and channel.</param>
    /// <param name="indexedLength">The length L of the tensor the indices point into.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices, same shape; it may be the same memory as
    /// <paramref name="indices"/> with the same strides (in place).</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <remarks>Rank-4 tensors keep the meaning this call had before the 1-D overloads existed: the <see cref="int"/>
    /// converts to the square size <c>(indexedLength, indexedLength)</c> of the 2-D overload.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor is not rank 3 (or 4) or the shapes differ, the length is below 1, a
    /// convention is <see cref="IndexConvention.InWindow"/>, or an index names a cell the destination convention cannot
    /// express from its position.</exception>
    public static void ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, int indexedLength, IndexConvention sourceConvention, in TensorSpan<TIndex> destination, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (indices.Rank == 4)
        {
            ConvertIndicesTensor(indices, new Size2D(indexedLength, indexedLength), null, sourceConvention, destination, destinationConvention, options);
            return;
        }

        ConvertIndices1DTensor(indices, indexedLength, null, sourceConvention, destination, destinationConvention, options);
    }

    /// <summary>
    /// Converts a rank-3 <c>[N, C, oL]</c> index tensor (any strides) between any two <see cref="IndexConvention"/>s,
    /// <see cref="IndexConvention.InWindow"/> included, into <paramref name="destination"/>; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape3D, int, Pool1DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample, channel and window.</param>
    /// <param name="indexedLength">The length L of the tensor the indices point into.</param>
    /// <param name="geometry">The pooling geometry that defines the windows.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices, same shape; it may be the same memory as
    /// <paramref name="indices"/> with the same strides (in place).</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (for InWindow: no valid tap), or a
    /// convention is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor is not rank 3 or the shapes differ, the length is below 1, the
    /// geometry is <c>default</c>, or an index names a cell the destination convention cannot express from its position.</exception>
    public static void ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, int indexedLength, Pool1DGeometry geometry, IndexConvention sourceConvention,
        in TensorSpan<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndices1DTensor(indices, indexedLength, geometry, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts a rank-3 <c>[N, C, oL]</c> index tensor (any strides) from one <see cref="IndexConvention"/> to another,
    /// into a new tensor; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape3D, int, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample and channel.</param>
    /// <param name="indexedLength">The length L of the tensor the indices point into.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <returns>The converted indices, same shape.</returns>
    /// <remarks>Rank-4 tensors keep the meaning this call had before the 1-D overloads existed: the <see cref="int"/>
    /// converts to the square size <c>(indexedLength, indexedLength)</c> of the 2-D overload.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 3 (or 4), the length is below 1, a convention is
    /// <see cref="IndexConvention.InWindow"/>, or an index names a cell the destination convention cannot express from
    /// its position.</exception>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        Tensor<TIndex> indices, int indexedLength, IndexConvention sourceConvention, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(indices);
        return ConvertIndices(indices.AsReadOnlyTensorSpan(), indexedLength, sourceConvention, destinationConvention, options);
    }

    /// <inheritdoc cref="ConvertIndices{TIndex}(Tensor{TIndex}, int, IndexConvention, IndexConvention, ExecutionOptions)"/>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, int indexedLength, IndexConvention sourceConvention, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => indices.Rank == 4
            ? ConvertIndicesAllocating(indices, new Size2D(indexedLength, indexedLength), null, sourceConvention, destinationConvention, options)
            : ConvertIndices1DAllocating(indices, indexedLength, null, sourceConvention, destinationConvention, options);

    /// <summary>
    /// Converts a rank-3 <c>[N, C, oL]</c> index tensor (any strides) between any two <see cref="IndexConvention"/>s,
    /// <see cref="IndexConvention.InWindow"/> included, into a new tensor; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape3D, int, Pool1DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample, channel and window.</param>
    /// <param name="indexedLength">The length L of the tensor the indices point into.</param>
    /// <param name="geometry">The pooling geometry that defines the windows.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <returns>The converted indices, same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (for InWindow: no valid tap), or a
    /// convention is undefined.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 3, the length is below 1, the geometry is
    /// <c>default</c>, or an index names a cell the destination convention cannot express from its position.</exception>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        Tensor<TIndex> indices, int indexedLength, Pool1DGeometry geometry, IndexConvention sourceConvention, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(indices);
        return ConvertIndices1DAllocating(indices.AsReadOnlyTensorSpan(), indexedLength, geometry, sourceConvention, destinationConvention, options);
    }

    /// <inheritdoc cref="ConvertIndices{TIndex}(Tensor{TIndex}, int, Pool1DGeometry, IndexConvention, IndexConvention, ExecutionOptions)"/>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, int indexedLength, Pool1DGeometry geometry, IndexConvention sourceConvention, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndices1DAllocating(indices, indexedLength, geometry, sourceConvention, destinationConvention, options);

    private static void ConvertIndices1DCore<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape3D indicesShape, int indexedLength, Pool1DGeometry? geometry, IndexConvention sourceConvention,
        Span<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ValidateConvert1D<TIndex>(indices.Length, indicesShape, indexedLength, geometry, sourceConvention, destination.Length, destinationConvention, nameof(destination));
        ConvertIndicesCore(indices, indicesShape.As4D(), new Size2D(1, indexedLength), geometry?.As2D(), sourceConvention, destination, destinationConvention, options);
    }

    private static void ConvertIndices1DTensor<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, int indexedLength, Pool1DGeometry? geometry, IndexConvention sourceConvention,
        in TensorSpan<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options, string destinationIndexName = "destination")
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D shape = GetShape1D(indices, nameof(indices), batched: false);
        RequireShape1D(destination, shape, nameof(destination));
        int count = (int)shape.ElementCount;
        ValidateConvert1D<TIndex>(count, shape, indexedLength, geometry, sourceConvention, count, destinationConvention, destinationIndexName);
        ConvertIndicesTensor(
            Tensor.Unsqueeze(indices, 2), new Size2D(1, indexedLength), geometry?.As2D(), sourceConvention, Tensor.Unsqueeze(destination, 2), destinationConvention, options, destinationIndexName);
    }

    private static Tensor<TIndex> ConvertIndices1DAllocating<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, int indexedLength, Pool1DGeometry? geometry, IndexConvention sourceConvention, IndexConvention destinationConvention,
        ExecutionOptions options)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D shape = GetShape1D(indices, nameof(indices), batched: false);
        Tensor<TIndex> result = TensorAdapter.CreateLike<TIndex, TIndex>(indices, [shape.Batch, shape.Channels, shape.Length]);
        // No destination argument here: an index type too narrow for the destination convention is the indices' type.
        ConvertIndices1DTensor(indices, indexedLength, geometry, sourceConvention, result.AsTensorSpan(), destinationConvention, options, nameof(indices));
        return result;
    }

    /// <summary>Every check of the 2-D conversion but the overlap, in its order and in 1-D words.</summary>
    private static void ValidateConvert1D<TIndex>(
        int indicesLength, Shape3D indicesShape, int indexedLength, Pool1DGeometry? geometry, IndexConvention sourceConvention,
        int destinationLength, IndexConvention destinationConvention, string destinationIndexName)
        where TIndex : IBinaryInteger<TIndex>
    {
        indicesShape.Validate(nameof(indicesShape), allowChannelsLast: true);
        Guard.Length(indicesLength, indicesShape.ElementCount, "indices", "N*C*oL of", indicesShape);
        Shape3D indexed = indicesShape.WithLength(indexedLength);
        if (indexedLength < 1 || (Int128)indexed.Batch * indexed.Channels * indexed.Length > long.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                nameof(indexedLength),
                $"Indexed length {indexedLength} is invalid for indices of shape {indicesShape}: it must be >= 1 and the indexed tensor {indexed} must have fewer than 2^63 cells.");
        }

        geometry?.ThrowIfDefault(nameof(geometry));
        Guard.Convention(sourceConvention, nameof(sourceConvention));
        RequireGeometry1DFor(sourceConvention, geometry, nameof(sourceConvention));
        IndexSpace1D<TIndex>(sourceConvention, indexed, geometry.GetValueOrDefault(), "indices");
        Guard.Length(destinationLength, indicesShape.ElementCount, "destination", "N*C*oL of", indicesShape);
        Guard.Convention(destinationConvention, nameof(destinationConvention));
        RequireGeometry1DFor(destinationConvention, geometry, nameof(destinationConvention));
        IndexSpace1D<TIndex>(destinationConvention, indexed, geometry.GetValueOrDefault(), destinationIndexName);
    }

    /// <summary>Refuses <see cref="IndexConvention.InWindow"/> in the overloads without a geometry: a tap means nothing without its window.</summary>
    private static void RequireGeometry1DFor(IndexConvention convention, Pool1DGeometry? geometry, string paramName)
    {
        if (convention == IndexConvention.InWindow && geometry is null)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                "InWindow indices are taps of a pooling window, which this overload does not know; use the ConvertIndices overload that takes a Pool1DGeometry " +
                "(indices, indicesShape, indexedLength, geometry, sourceConvention, destination, destinationConvention, or its tensor forms).");
        }
    }
}
