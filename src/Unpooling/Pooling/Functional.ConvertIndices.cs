using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Converts arg-max indices from one <see cref="IndexConvention"/> to another, e.g. PyTorch's per-plane indices to
    /// ONNX's global row-major ones. <see cref="IndexConvention.InWindow"/> needs the pooling geometry: use
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/>, signed or unsigned, 8 to
    /// 128 bits (<see cref="byte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/>, <see cref="UInt128"/>, ...)
    /// whose largest value holds the convention's largest index; 8- to 64-bit types are stored vectorized.</typeparam>
    /// <param name="indices">The indices, dense row-major <c>[N, C, oH, oW]</c>: an element's position gives the
    /// sample n and channel c it belongs to (the per-plane and per-sample conventions need them).</param>
    /// <param name="indicesShape">The shape <c>[N, C, oH, oW]</c> of <paramref name="indices"/>; with a
    /// <see cref="Shape4D.ChannelsLast"/> shape the indices (and <paramref name="destination"/>) are laid out
    /// <c>[N, oH, oW, C]</c>: the position gives (n, oh, ow, c) in that order, and the values convert as the
    /// channels-first element's would.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into (the pooling input,
    /// the unpooling output); with the batch and channel counts of <paramref name="indicesShape"/> it defines the cells.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices; same length as <paramref name="indices"/>. It may be
    /// the very same span as <paramref name="indices"/> (in place), but must not partly overlap it.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <remarks>
    /// <para>Every index is checked before anything is written: it must lie in its convention's range (per plane
    /// <c>[0, H*W)</c>, channels-last per sample <c>[0, C*H*W)</c>, otherwise <c>[0, N*C*H*W)</c>), and when the
    /// destination convention is relative to the element's plane (per plane) or sample (channels-last per sample), the
    /// cell it names must lie in that plane or sample: a global index naming another plane has no per-plane form.</para>
    /// <para>An index type is rejected when either convention's largest index exceeds its largest value, even if
    /// every actual index would fit: the check depends on shapes only. The indexed tensor itself is never touched, so
    /// it may be larger than a span (64-bit indices); it must have fewer than 2^63 cells. A call of at least
    /// <see cref="ExecutionOptions.MinParallelElements"/> indices splits them over the cores <paramref name="options"/>
    /// allows; the converted indices, and the index an error names (the first bad one in memory order), never depend on
    /// it.</para>
    /// <para>Indices changed by another thread during the call (a data race, the caller's bug) are read once more after
    /// validation; one that no longer passes is still converted to a value inside the destination convention's range
    /// (0, or its nearest valid index), so the destination never receives an index outside that range, nothing outside
    /// <paramref name="destination"/> is written, and no exception is guaranteed.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range (the message names its
    /// position, value and the range), or a convention is undefined. Nothing is written.</exception>
    /// <exception cref="ArgumentException">An index names a cell the destination convention cannot express from its
    /// position (named <paramref name="indices"/>); a length does not match its shape; a size is below 1; <typeparamref name="TIndex"/>
    /// cannot hold a convention's largest index; a convention is <see cref="IndexConvention.InWindow"/>, which this
    /// overload cannot read or write (named after that convention's parameter); or <paramref name="destination"/> partly
    /// overlaps <paramref name="indices"/>.</exception>
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape4D indicesShape, Size2D indexedSize, IndexConvention sourceConvention, Span<TIndex> destination, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndicesCore(indices, indicesShape, indexedSize, null, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts arg-max indices between any two <see cref="IndexConvention"/>s, <see cref="IndexConvention.InWindow"/>
    /// included: given the pooling geometry, a tap of an element's window becomes the cell it lies on, and back.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index (<c>kH*kW - 1</c> for InWindow: one <see cref="byte"/> for windows up to 16x16).</typeparam>
    /// <param name="indices">The indices, dense row-major <c>[N, C, oH, oW]</c>: an element's position gives its sample,
    /// channel and pooling window.</param>
    /// <param name="indicesShape">The shape <c>[N, C, oH, oW]</c> of <paramref name="indices"/>.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into (the pooling input, the
    /// unpooling output, which may be an explicit size).</param>
    /// <param name="geometry">The pooling geometry: the window of pooled element (oh, ow) has tap <c>kh*kW + kw</c> on cell
    /// <c>(oh*sH - pH + kh*dH, ow*sW - pW + kw*dW)</c>.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices; same length as <paramref name="indices"/>. It may be
    /// the very same span as <paramref name="indices"/> (in place), but must not partly overlap it.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <remarks>
    /// <para>Every index is checked before anything is written, as in
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>;
    /// in addition an InWindow source index must be a tap in <c>[0, kH*kW)</c> whose cell lies in the indexed plane (not in
    /// the padding, nor past a ceil-mode or explicit-size border), and an index converted to InWindow must name a cell
    /// of its own element's window. The geometry is not checked against the sizes: any window of any pooled element is
    /// defined, even one the pooling of <paramref name="indexedSize"/> would not produce. Large calls are split over the
    /// cores as in the overload without a geometry; the result never depends on it.</para>
    /// <para>An index changed by another thread after validation (a data race, the caller's bug) is converted to a
    /// value inside the destination convention's range (for InWindow <c>[0, kH*kW)</c>), so nothing outside that range
    /// or outside <paramref name="destination"/> is ever written; no exception is guaranteed.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range (for InWindow: no valid tap;
    /// the message names its position, value and why), or a convention is undefined. Nothing is written.</exception>
    /// <exception cref="ArgumentException">An index names a cell the destination convention cannot express from its
    /// position, for InWindow a cell outside its element's window (named <paramref name="indices"/>); a length does not
    /// match its shape; a size is below 1; <paramref name="geometry"/> is <c>default</c>; <typeparamref name="TIndex"/>
    /// cannot hold a convention's largest index; or <paramref name="destination"/> partly overlaps
    /// <paramref name="indices"/>.</exception>
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape4D indicesShape, Size2D indexedSize, Pool2DGeometry geometry, IndexConvention sourceConvention,
        Span<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndicesCore(indices, indicesShape, indexedSize, geometry, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts a rank-4 <c>[N, C, oH, oW]</c> index tensor (any strides) from one <see cref="IndexConvention"/> to
    /// another, into <paramref name="destination"/>; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample and channel.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices, same shape; it may be the same memory as
    /// <paramref name="indices"/> with the same strides (in place).</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor is not rank 4 or the shapes differ, a size is below 1, a convention
    /// is <see cref="IndexConvention.InWindow"/> (which needs the overload with a geometry), or an index names a cell the
    /// destination convention cannot express from its position.</exception>
    public static void ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, IndexConvention sourceConvention, in TensorSpan<TIndex> destination, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndicesTensor(indices, indexedSize, null, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts a rank-4 <c>[N, C, oH, oW]</c> index tensor (any strides) between any two <see cref="IndexConvention"/>s,
    /// <see cref="IndexConvention.InWindow"/> included, into <paramref name="destination"/>; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample, channel and window.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into.</param>
    /// <param name="geometry">The pooling geometry that defines the windows.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices, same shape; it may be the same memory as
    /// <paramref name="indices"/> with the same strides (in place).</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (for InWindow: no valid tap), or a
    /// convention is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor is not rank 4 or the shapes differ, a size is below 1, the geometry is
    /// <c>default</c>, or an index names a cell the destination convention cannot express from its position.</exception>
    public static void ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, Pool2DGeometry geometry, IndexConvention sourceConvention,
        in TensorSpan<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndicesTensor(indices, indexedSize, geometry, sourceConvention, destination, destinationConvention, options);

    /// <summary>
    /// Converts a rank-4 <c>[N, C, oH, oW]</c> index tensor (any strides) from one <see cref="IndexConvention"/> to
    /// another, into a new tensor; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample and channel.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <returns>The converted indices, same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4, a size is below 1, a convention is
    /// <see cref="IndexConvention.InWindow"/> (which needs the overload with a geometry), or an index names a cell the
    /// destination convention cannot express from its position.</exception>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        Tensor<TIndex> indices, Size2D indexedSize, IndexConvention sourceConvention, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(indices);
        return ConvertIndicesAllocating(indices.AsReadOnlyTensorSpan(), indexedSize, null, sourceConvention, destinationConvention, options);
    }

    /// <inheritdoc cref="ConvertIndices{TIndex}(Tensor{TIndex}, Size2D, IndexConvention, IndexConvention, ExecutionOptions)"/>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, IndexConvention sourceConvention, IndexConvention destinationConvention, ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndicesAllocating(indices, indexedSize, null, sourceConvention, destinationConvention, options);

    /// <summary>
    /// Converts a rank-4 <c>[N, C, oH, oW]</c> index tensor (any strides) between any two <see cref="IndexConvention"/>s,
    /// <see cref="IndexConvention.InWindow"/> included, into a new tensor; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds both
    /// conventions' largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample, channel and window.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into.</param>
    /// <param name="geometry">The pooling geometry that defines the windows.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <param name="options">Threading: how many cores a large call may use; the result never depends on it.</param>
    /// <returns>The converted indices, same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (for InWindow: no valid tap), or a
    /// convention is undefined.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4, a size is below 1, the geometry is <c>default</c>,
    /// or an index names a cell the destination convention cannot express from its position.</exception>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        Tensor<TIndex> indices, Size2D indexedSize, Pool2DGeometry geometry, IndexConvention sourceConvention, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(indices);
        return ConvertIndicesAllocating(indices.AsReadOnlyTensorSpan(), indexedSize, geometry, sourceConvention, destinationConvention, options);
    }

    /// <inheritdoc cref="ConvertIndices{TIndex}(Tensor{TIndex}, Size2D, Pool2DGeometry, IndexConvention, IndexConvention, ExecutionOptions)"/>
    public static Tensor<TIndex> ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, Pool2DGeometry geometry, IndexConvention sourceConvention, IndexConvention destinationConvention,
        ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndicesAllocating(indices, indexedSize, geometry, sourceConvention, destinationConvention, options);

    private static void ConvertIndicesTensor<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, Pool2DGeometry? geometry, IndexConvention sourceConvention,
        in TensorSpan<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options, string destinationIndexName = "destination")
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(indices, nameof(indices));
        TensorAdapter.RequireShape(destination, shape, nameof(destination));
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoPartialViewOverlap(destination, indices, nameof(destination), nameof(indices));
        using ReadView<TIndex> i = TensorAdapter.Read(indices);
        using WriteView<TIndex> d = TensorAdapter.Write(destination);
        ConvertIndicesCore(i.Span, shape, indexedSize, geometry, sourceConvention, d.Span, destinationConvention, options, destinationIndexName);
        d.Commit();
    }

    private static Tensor<TIndex> ConvertIndicesAllocating<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, Pool2DGeometry? geometry, IndexConvention sourceConvention, IndexConvention destinationConvention,
        ExecutionOptions options)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(indices, nameof(indices));
        // Channels_last indices (a channels-last pooling's switches) convert into channels_last indices.
        Tensor<TIndex> result = TensorAdapter.CreateLike<TIndex, TIndex>(indices, TensorAdapter.Lengths(shape));
        // No destination argument here: an index type too narrow for the destination convention is the indices' type.
        ConvertIndicesTensor(indices, indexedSize, geometry, sourceConvention, result.AsTensorSpan(), destinationConvention, options, nameof(indices));
        return result;
    }

    private static unsafe void ConvertIndicesCore<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape4D indicesShape, Size2D indexedSize, Pool2DGeometry? geometry, IndexConvention sourceConvention,
        Span<TIndex> destination, IndexConvention destinationConvention, ExecutionOptions options, string destinationIndexName = "destination")
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        indicesShape.Validate(nameof(indicesShape), allowChannelsLast: true);
        Guard.Length(indices.Length, indicesShape.ElementCount, nameof(indices), "N*C*oH*oW of", indicesShape);
        Shape4D indexed = indicesShape.WithSpatialSize(indexedSize);
        if (indexedSize.Height < 1 || indexedSize.Width < 1 || IndexLayout.TotalOf(indexed) > long.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                nameof(indexedSize),
                $"Indexed size {indexedSize} is invalid for indices of shape {indicesShape}: both sizes must be >= 1 and the indexed tensor {indexed} must have fewer than 2^63 cells.");
        }

        geometry?.ThrowIfDefault(nameof(geometry));
        Guard.Convention(sourceConvention, nameof(sourceConvention));
        RequireGeometryFor(sourceConvention, geometry, nameof(sourceConvention));
        Guard.PoolingIndexSpace<TIndex>(sourceConvention, indexed, geometry.GetValueOrDefault(), nameof(indices));
        Guard.Length(destination.Length, indicesShape.ElementCount, nameof(destination), "N*C*oH*oW of", indicesShape);
        Guard.Convention(destinationConvention, nameof(destinationConvention));
        RequireGeometryFor(destinationConvention, geometry, nameof(destinationConvention));
        Guard.PoolingIndexSpace<TIndex>(destinationConvention, indexed, geometry.GetValueOrDefault(), destinationIndexName);
        Guard.NoPartialOverlap<TIndex>(destination, indices, nameof(destination), nameof(indices));
        if (indices.IsEmpty)
        {
            return;
        }

        // Every result is per position, so the positions split over threads at any point (the size: the indices).
        int degree = options.ResolveDegree(indices.Length, indices.Length);
        fixed (TIndex* i = indices)
        fixed (TIndex* d = destination)
        {
            if (indicesShape.Layout == TensorLayout.ChannelsLast)
            {
                // Positions are channels-last [N, oH, oW, C]; values convert as the channels-first element's would.
                var windows = geometry is { } g ? new WindowTaps(g, indicesShape.SpatialSize, indexedSize) : default;
                long failed = ChannelsLastIndexConversion.Convert<TIndex>(i, null, indicesShape, indexed, windows, sourceConvention, destinationConvention, out bool outside, degree);
                if (failed >= 0)
                {
                    ChannelsLastIndexConversion.Throw(indices[(int)failed], failed, indicesShape, indexed, sourceConvention, destinationConvention, outside);
                }

                ChannelsLastIndexConversion.Convert(i, d, indicesShape, indexed, windows, sourceConvention, destinationConvention, out _, degree);
                return;
            }

            if (sourceConvention == IndexConvention.InWindow || destinationConvention == IndexConvention.InWindow)
            {
                ConvertInWindow(indices, i, d, indicesShape, indexed, geometry.GetValueOrDefault(), sourceConvention, destinationConvention, degree);
                return;
            }

            var from = new IndexLayout(sourceConvention, indexed);
            var to = new IndexLayout(destinationConvention, indexed);
            long bad = IndexConversionKernel.FindInvalid(i, indicesShape.PlaneCount, indicesShape.PlaneSize, from, to, out bool outOfRange, degree);
            if (bad >= 0)
            {
                if (outOfRange)
                {
                    ThrowHelper.ThrowBadIndex(nameof(indices), indices[(int)bad], bad, indicesShape.PlaneSize, from, indexed);
                }

                ThrowNotInScope(IndexValue.Read(indices[(int)bad]), bad, indicesShape, indexed, from, to);
            }

            IndexConversionKernel.Convert(i, d, indicesShape.PlaneCount, (int)indicesShape.PlaneSize, from, to, degree);
        }
    }

    /// <summary>Refuses <see cref="IndexConvention.InWindow"/> in the overloads without a geometry: a tap means nothing without its window.</summary>
    private static void RequireGeometryFor(IndexConvention convention, Pool2DGeometry? geometry, string paramName)
    {
        if (convention == IndexConvention.InWindow && geometry is null)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                "InWindow indices are taps of a pooling window, which this overload does not know; use the ConvertIndices overload that takes a Pool2DGeometry " +
                "(indices, indicesShape, indexedSize, geometry, sourceConvention, destination, destinationConvention, or its tensor forms).");
        }
    }

    /// <summary>
    /// The conversion to or from InWindow (both InWindow: a checked copy): one pass that checks every index, then one
    /// that writes, so a failing call writes nothing and the conversion may run in place.
    /// </summary>
    private static unsafe void ConvertInWindow<TIndex>(
        ReadOnlySpan<TIndex> indices, TIndex* source, TIndex* destination, Shape4D indicesShape, Shape4D indexed, Pool2DGeometry geometry,
        IndexConvention sourceConvention, IndexConvention destinationConvention, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var taps = new WindowTaps(geometry, indicesShape.SpatialSize, indexed.SpatialSize);
        bool toInWindow = sourceConvention != IndexConvention.InWindow;

        // InWindow to InWindow checks the taps through the per-plane layout, then copies them unchanged.
        var other = new IndexLayout(toInWindow ? sourceConvention : destinationConvention == IndexConvention.InWindow ? IndexConvention.PerPlane : destinationConvention, indexed);
        long planes = indicesShape.PlaneCount;
        long bad = IndexConversionKernel.ConvertInWindow<TIndex>(source, null, planes, taps, other, toInWindow, out bool outOfRange, degree);
        if (bad >= 0)
        {
            TIndex value = indices[(int)bad];
            if (!toInWindow)
            {
                InWindowKernel.ThrowBadTap(nameof(indices), value, bad, taps, indicesShape);
            }

            if (outOfRange)
            {
                ThrowHelper.ThrowBadIndex(nameof(indices), value, bad, indicesShape.PlaneSize, other, indexed);
            }

            long plane = bad / indicesShape.PlaneSize, n = plane / indexed.Channels;
            ThrowHelper.ThrowArgument(
                nameof(indices),
                $"Index {value} at position {bad} names {DescribeCell(other.ToRowMajor(IndexValue.Read(value), n, plane - (n * indexed.Channels)), indexed)} in convention {sourceConvention}, " +
                $"which is not a tap of {taps.DescribeWindow(bad, indicesShape)}; an InWindow index can name only a cell of its element's own window.");
        }

        if (destinationConvention == IndexConvention.InWindow && sourceConvention == IndexConvention.InWindow)
        {
            // A checked copy: the taps passed validation, and one a racing caller has changed since is written as 0
            // (a tap of every window), so what lands in the destination is always in [0, kH*kW).
            IndexConversionKernel.CopyTaps(source, destination, planes, taps, degree);
            return;
        }

        IndexConversionKernel.ConvertInWindow(source, destination, planes, taps, other, toInWindow, out _, degree);
    }

    /// <summary>"cell (n 0, c 2, h 3, w 1)" of the row-major offset <paramref name="cell"/> of <paramref name="indexed"/>.</summary>
    private static string DescribeCell(long cell, Shape4D indexed)
    {
        long plane = cell / indexed.PlaneSize, inPlane = cell - (plane * indexed.PlaneSize);
        return $"cell (n {plane / indexed.Channels}, c {plane % indexed.Channels}, h {inPlane / indexed.Width}, w {inPlane % indexed.Width})";
    }

    private static void ThrowNotInScope(long value, long position, Shape4D indicesShape, Shape4D indexed, in IndexLayout from, in IndexLayout to)
    {
        long plane = position / indicesShape.PlaneSize, n = plane / indexed.Channels, c = plane - (n * indexed.Channels);
        ThrowHelper.ThrowArgument(
            "indices",
            $"Index {value} at position {position} names {DescribeCell(from.ToRowMajor(value, n, c), indexed)} in convention {from.Convention}, " +
            $"outside {to.DescribeScope(indexed, n, c)} that a {to.Convention} index at that position can name.");
    }
}
