using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Converts arg-max indices from one <see cref="IndexConvention"/> to another, e.g. PyTorch's per-plane indices to
    /// ONNX's global row-major ones.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/>, signed or unsigned, 8 to
    /// 128 bits (<see cref="byte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/>, <see cref="UInt128"/>, ...)
    /// whose largest value holds the convention's largest index; 8- to 64-bit types are stored vectorized.</typeparam>
    /// <param name="indices">The indices, dense row-major <c>[N, C, oH, oW]</c>: an element's position gives the
    /// sample n and channel c it belongs to (the per-plane and per-sample conventions need them).</param>
    /// <param name="indicesShape">The shape <c>[N, C, oH, oW]</c> of <paramref name="indices"/>.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into (the pooling input,
    /// the unpooling output); with the batch and channel counts of <paramref name="indicesShape"/> it defines the cells.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices; same length as <paramref name="indices"/>. It may be
    /// the very same span as <paramref name="indices"/> (in place), but must not partly overlap it.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <remarks>
    /// <para>Every index is checked before anything is written: it must lie in its convention's range (per plane
    /// <c>[0, H*W)</c>, channels-last per sample <c>[0, C*H*W)</c>, otherwise <c>[0, N*C*H*W)</c>), and when the
    /// destination convention is relative to the element's plane (per plane) or sample (channels-last per sample), the
    /// cell it names must lie in that plane or sample: a global index naming another plane has no per-plane form.</para>
    /// <para>An index type is rejected when either convention's largest index exceeds its largest value, even if
    /// every actual index would fit: the check depends on shapes only. The indexed tensor itself is never touched, so
    /// it may be larger than a span (64-bit indices); it must have fewer than 2^63 cells. Runs on the
    /// calling thread.</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its source range (the message names its
    /// position, value and the range), or a convention is undefined. Nothing is written.</exception>
    /// <exception cref="ArgumentException">An index names a cell the destination convention cannot express from its
    /// position (named <paramref name="indices"/>); a length does not match its shape; a size is below 1; <typeparamref name="TIndex"/>
    /// cannot hold a convention's largest index; or <paramref name="destination"/> partly overlaps
    /// <paramref name="indices"/>.</exception>
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape4D indicesShape, Size2D indexedSize, IndexConvention sourceConvention, Span<TIndex> destination, IndexConvention destinationConvention)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ConvertIndicesCore(indices, indicesShape, indexedSize, sourceConvention, destination, destinationConvention);

    /// <summary>
    /// Converts a rank-4 <c>[N, C, oH, oW]</c> index tensor (any strides) from one <see cref="IndexConvention"/> to
    /// another, into <paramref name="destination"/>; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample and channel.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destination">Receives the converted indices, same shape; it may be the same memory as
    /// <paramref name="indices"/> with the same strides (in place).</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor is not rank 4 or the shapes differ, a size is below 1, or an index
    /// names a cell the destination convention cannot express from its position.</exception>
    public static void ConvertIndices<TIndex>(
        in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, IndexConvention sourceConvention, in TensorSpan<TIndex> destination, IndexConvention destinationConvention)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(indices, nameof(indices));
        TensorAdapter.RequireShape(destination, shape, nameof(destination));
        using ReadView<TIndex> i = TensorAdapter.Read(indices);
        using WriteView<TIndex> d = TensorAdapter.Write(destination);
        ConvertIndicesCore(i.Span, shape, indexedSize, sourceConvention, d.Span, destinationConvention);
        d.Commit();
    }

    /// <summary>
    /// Converts a rank-4 <c>[N, C, oH, oW]</c> index tensor (any strides) from one <see cref="IndexConvention"/> to
    /// another, into a new tensor; see
    /// <see cref="ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention)"/>.
    /// </summary>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="indices">The indices; an element's position gives its sample and channel.</param>
    /// <param name="indexedSize">The spatial size (H, W) of the tensor the indices point into.</param>
    /// <param name="sourceConvention">The convention <paramref name="indices"/> are in.</param>
    /// <param name="destinationConvention">The convention to convert to.</param>
    /// <returns>The converted indices, same shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or a convention is undefined.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4, a size is below 1, or an index names a cell the
    /// destination convention cannot express from its position.</exception>
    public static Tensor<TIndex> ConvertIndices<TIndex>(Tensor<TIndex> indices, Size2D indexedSize, IndexConvention sourceConvention, IndexConvention destinationConvention)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(indices);
        return ConvertIndices(indices.AsReadOnlyTensorSpan(), indexedSize, sourceConvention, destinationConvention);
    }

    /// <inheritdoc cref="ConvertIndices{TIndex}(Tensor{TIndex}, Size2D, IndexConvention, IndexConvention)"/>
    public static Tensor<TIndex> ConvertIndices<TIndex>(in ReadOnlyTensorSpan<TIndex> indices, Size2D indexedSize, IndexConvention sourceConvention, IndexConvention destinationConvention)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(indices, nameof(indices));
        Tensor<TIndex> result = Tensor.CreateFromShapeUninitialized<TIndex>(TensorAdapter.Lengths(shape));
        using ReadView<TIndex> i = TensorAdapter.Read(indices);
        using WriteView<TIndex> d = TensorAdapter.Write(result.AsTensorSpan());
        ConvertIndicesCore(i.Span, shape, indexedSize, sourceConvention, d.Span, destinationConvention);
        d.Commit();
        return result;
    }

    private static unsafe void ConvertIndicesCore<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape4D indicesShape, Size2D indexedSize, IndexConvention sourceConvention, Span<TIndex> destination, IndexConvention destinationConvention)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        indicesShape.Validate(nameof(indicesShape));
        Guard.Length(indices.Length, indicesShape.ElementCount, nameof(indices), "N*C*oH*oW of", indicesShape);
        Shape4D indexed = indicesShape.WithSpatialSize(indexedSize);
        if (indexedSize.Height < 1 || indexedSize.Width < 1 || IndexLayout.TotalOf(indexed) > long.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                nameof(indexedSize),
                $"Indexed size {indexedSize} is invalid for indices of shape {indicesShape}: both sizes must be >= 1 and the indexed tensor {indexed} must have fewer than 2^63 cells.");
        }

        Guard.Convention(sourceConvention, nameof(sourceConvention));
        Guard.IndexSpace<TIndex>(sourceConvention, indexed, nameof(indices));
        Guard.Length(destination.Length, indicesShape.ElementCount, nameof(destination), "N*C*oH*oW of", indicesShape);
        Guard.Convention(destinationConvention, nameof(destinationConvention));
        Guard.IndexSpace<TIndex>(destinationConvention, indexed, nameof(destination));
        Guard.NoPartialOverlap<TIndex>(destination, indices, nameof(destination), nameof(indices));
        if (indices.IsEmpty)
        {
            return;
        }

        var from = new IndexLayout(sourceConvention, indexed);
        var to = new IndexLayout(destinationConvention, indexed);
        fixed (TIndex* i = indices)
        fixed (TIndex* d = destination)
        {
            long bad = IndexConversionKernel.FindInvalid(i, indicesShape.PlaneCount, indicesShape.PlaneSize, from, to, out bool outOfRange);
            if (bad >= 0)
            {
                if (outOfRange)
                {
                    ThrowHelper.ThrowBadIndex(nameof(indices), indices[(int)bad], bad, indicesShape.PlaneSize, from, indexed);
                }

                ThrowNotInScope(IndexValue.Read(indices[(int)bad]), bad, indicesShape, indexed, from, to);
            }

            IndexConversionKernel.Convert(i, d, indicesShape.PlaneCount, (int)indicesShape.PlaneSize, from, to);
        }
    }

    private static void ThrowNotInScope(long value, long position, Shape4D indicesShape, Shape4D indexed, in IndexLayout from, in IndexLayout to)
    {
        long plane = position / indicesShape.PlaneSize, n = plane / indexed.Channels, c = plane - (n * indexed.Channels);
        long cell = from.ToRowMajor(value, n, c), cellPlane = cell / to.Plane, inPlane = cell - (cellPlane * to.Plane);
        ThrowHelper.ThrowArgument(
            "indices",
            $"Index {value} at position {position} names cell (n {cellPlane / indexed.Channels}, c {cellPlane % indexed.Channels}, h {inPlane / indexed.Width}, w {inPlane % indexed.Width}) in convention {from.Convention}, " +
            $"outside {to.DescribeScope(indexed, n, c)} that a {to.Convention} index at that position can name.");
    }
}
