using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D max pooling over <c>[N, C, H, W]</c> that also records where each maximum came from, as a per-plane index
    /// <c>h * W + w</c> into the input (PyTorch's <c>max_pool2d_with_indices</c> convention).
    /// </summary>
    /// <param name="source">The input, dense row-major, <c>N*C*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, H, W]</c>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima, <c>[N, C, outH, outW]</c> with the size from
    /// <see cref="Pool2DGeometry.GetOutputSize(Size2D)"/>.</param>
    /// <param name="indices">Receives the per-plane position of each maximum; same length as <paramref name="destination"/>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1. Small inputs use one.</param>
    /// <remarks>
    /// Windows are scanned row-major and a cell replaces the running maximum when <c>v &gt; best || isNaN(v)</c>: ties
    /// keep the first maximum (+0 and -0 are equal), a NaN makes the result NaN with the last NaN's index, a window of
    /// -infinity yields -infinity at its first real cell. Padding is never read or selected.
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the geometry does not fit the input, or
    /// a destination overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void MaxPool2D(ReadOnlySpan<float> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, Span<int> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, int)"/>
    public static void MaxPool2D(ReadOnlySpan<float> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, Span<long> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, int)"/>
    public static void MaxPool2D(ReadOnlySpan<double> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, Span<int> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, int)"/>
    public static void MaxPool2D(ReadOnlySpan<double> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, Span<long> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <summary>
    /// 2-D max pooling with arg-max capture over rank-4 <c>[N, C, H, W]</c> tensors (any strides); see
    /// <see cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, int)"/> for the
    /// selection rule.
    /// </summary>
    /// <param name="source">The input tensor.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima; its shape must be <c>[N, C, outH, outW]</c>.</param>
    /// <param name="indices">Receives the per-plane positions; same shape as <paramref name="destination"/>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void MaxPool2D(in ReadOnlyTensorSpan<float> source, Pool2DGeometry geometry, in TensorSpan<float> destination, in TensorSpan<int> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(in ReadOnlyTensorSpan{float}, Pool2DGeometry, in TensorSpan{float}, in TensorSpan{int}, int)"/>
    public static void MaxPool2D(in ReadOnlyTensorSpan<float> source, Pool2DGeometry geometry, in TensorSpan<float> destination, in TensorSpan<long> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(in ReadOnlyTensorSpan{float}, Pool2DGeometry, in TensorSpan{float}, in TensorSpan{int}, int)"/>
    public static void MaxPool2D(in ReadOnlyTensorSpan<double> source, Pool2DGeometry geometry, in TensorSpan<double> destination, in TensorSpan<int> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(in ReadOnlyTensorSpan{float}, Pool2DGeometry, in TensorSpan{float}, in TensorSpan{int}, int)"/>
    public static void MaxPool2D(in ReadOnlyTensorSpan<double> source, Pool2DGeometry geometry, in TensorSpan<double> destination, in TensorSpan<long> indices, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, IndexConvention.PerPlane, maxDegreeOfParallelism);

    /// <summary>
    /// 2-D max pooling with arg-max capture into new tensors: the maxima and their per-plane <see cref="long"/>
    /// indices (PyTorch's index type), both <c>[N, C, outH, outW]</c>.
    /// </summary>
    /// <param name="source">The rank-4 <c>[N, C, H, W]</c> input.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <returns>The pooled values and their indices.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4 or the geometry does not fit it.</exception>
    public static (Tensor<float> Values, Tensor<long> Indices) MaxPool2D(Tensor<float> source, Pool2DGeometry geometry)
        => MaxPool2DAllocating(source, geometry, IndexConvention.PerPlane);

    /// <inheritdoc cref="MaxPool2D(Tensor{float}, Pool2DGeometry)"/>
    public static (Tensor<double> Values, Tensor<long> Indices) MaxPool2D(Tensor<double> source, Pool2DGeometry geometry)
        => MaxPool2DAllocating(source, geometry, IndexConvention.PerPlane);

    /// <summary>
    /// 2-D max pooling over <c>[N, C, H, W]</c> that records where each maximum came from as an index in the chosen
    /// <see cref="IndexConvention"/>: PyTorch's per-plane <c>h*W + w</c>, ONNX's global row- or column-major offsets,
    /// or TensorFlow's channels-last offsets (with or without the batch).
    /// </summary>
    /// <param name="source">The input, dense row-major, <c>N*C*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, H, W]</c>.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima, <c>[N, C, outH, outW]</c> with the size from
    /// <see cref="Pool2DGeometry.GetOutputSize(Size2D)"/>.</param>
    /// <param name="indices">Receives the position of each maximum in the input, in
    /// <paramref name="indexConvention"/>; same length as <paramref name="destination"/>.</param>
    /// <param name="indexConvention">How an index names an input cell (H and W are the input's).</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1. Small inputs use one.</param>
    /// <remarks>
    /// The values, and the cell each index names, are exactly those of the per-plane overload (see
    /// <see cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, int)"/> for the
    /// selection rule); the kernel writes the requested convention directly, at the speed of the per-plane one.
    /// 32-bit indices are rejected when the convention's largest index exceeds <see cref="int.MaxValue"/> (a span-sized
    /// input never reaches that, since <c>N*C*H*W</c> is at most <see cref="Array.MaxLength"/>).
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the geometry does not fit the input, or
    /// a destination overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined, or
    /// <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void MaxPool2D(ReadOnlySpan<float> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, Span<int> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, IndexConvention, int)"/>
    public static void MaxPool2D(ReadOnlySpan<float> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, Span<long> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, IndexConvention, int)"/>
    public static void MaxPool2D(ReadOnlySpan<double> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, Span<int> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, IndexConvention, int)"/>
    public static void MaxPool2D(ReadOnlySpan<double> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, Span<long> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <summary>
    /// 2-D max pooling with arg-max capture over rank-4 <c>[N, C, H, W]</c> tensors (any strides), writing indices in
    /// the chosen <see cref="IndexConvention"/>; see
    /// <see cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, IndexConvention, int)"/>.
    /// </summary>
    /// <param name="source">The input tensor.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima; its shape must be <c>[N, C, outH, outW]</c>.</param>
    /// <param name="indices">Receives the positions in <paramref name="indexConvention"/>; same shape as
    /// <paramref name="destination"/>. The convention describes logical positions, whatever the tensors' strides.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the geometry does not fit.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined, or
    /// <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static void MaxPool2D(in ReadOnlyTensorSpan<float> source, Pool2DGeometry geometry, in TensorSpan<float> destination, in TensorSpan<int> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(in ReadOnlyTensorSpan{float}, Pool2DGeometry, in TensorSpan{float}, in TensorSpan{int}, IndexConvention, int)"/>
    public static void MaxPool2D(in ReadOnlyTensorSpan<float> source, Pool2DGeometry geometry, in TensorSpan<float> destination, in TensorSpan<long> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(in ReadOnlyTensorSpan{float}, Pool2DGeometry, in TensorSpan{float}, in TensorSpan{int}, IndexConvention, int)"/>
    public static void MaxPool2D(in ReadOnlyTensorSpan<double> source, Pool2DGeometry geometry, in TensorSpan<double> destination, in TensorSpan<int> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxPool2D(in ReadOnlyTensorSpan{float}, Pool2DGeometry, in TensorSpan{float}, in TensorSpan{int}, IndexConvention, int)"/>
    public static void MaxPool2D(in ReadOnlyTensorSpan<double> source, Pool2DGeometry geometry, in TensorSpan<double> destination, in TensorSpan<long> indices, IndexConvention indexConvention, int maxDegreeOfParallelism = -1)
        => MaxPool2DTensor(source, geometry, destination, indices, indexConvention, maxDegreeOfParallelism);

    /// <summary>
    /// 2-D max pooling with arg-max capture into new tensors: the maxima and their <see cref="long"/> indices in the
    /// chosen <see cref="IndexConvention"/>, both <c>[N, C, outH, outW]</c>.
    /// </summary>
    /// <param name="source">The rank-4 <c>[N, C, H, W]</c> input.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <returns>The pooled values and their indices.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4 or the geometry does not fit it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<float> Values, Tensor<long> Indices) MaxPool2D(Tensor<float> source, Pool2DGeometry geometry, IndexConvention indexConvention)
        => MaxPool2DAllocating(source, geometry, indexConvention);

    /// <inheritdoc cref="MaxPool2D(Tensor{float}, Pool2DGeometry, IndexConvention)"/>
    public static (Tensor<double> Values, Tensor<long> Indices) MaxPool2D(Tensor<double> source, Pool2DGeometry geometry, IndexConvention indexConvention)
        => MaxPool2DAllocating(source, geometry, indexConvention);

    private static unsafe void MaxPool2DCore<T, TIndex>(
        ReadOnlySpan<T> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> destination, Span<TIndex> indices,
        IndexConvention indexConvention, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged
    {
        sourceShape.Validate(nameof(sourceShape));
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        Size2D output = geometry.GetOutputSize(sourceShape.SpatialSize, nameof(geometry));
        Shape4D outputShape = sourceShape.WithSpatialSize(output);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outH*outW of", outputShape);
        Guard.Length(indices.Length, outputShape.ElementCount, nameof(indices), "N*C*outH*outW of", outputShape);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard.IndexSpace<TIndex>(indexConvention, sourceShape, nameof(indices));
        Guard.Degree(maxDegreeOfParallelism);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<TIndex, T>(indices, source, nameof(indices), nameof(source));
        Guard.NoOverlap<TIndex, T>(indices, destination, nameof(indices), nameof(destination));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        var plan = new MaxPool2DKernel.Plan(sourceShape.SpatialSize, output, geometry, new IndexLayout(indexConvention, sourceShape));
        int degree = ParallelRunner.ResolveDegree(maxDegreeOfParallelism, (int)(outputShape.PlaneCount * output.Height), sourceShape.ElementCount);
        fixed (T* s = source)
        fixed (T* d = destination)
        fixed (TIndex* i = indices)
        {
            MaxPool2DKernel.Run(s, d, i, (int)sourceShape.PlaneCount, plan, degree);
        }
    }

    private static void MaxPool2DTensor<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool2DGeometry geometry, in TensorSpan<T> destination, in TensorSpan<TIndex> indices,
        IndexConvention indexConvention, int maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged
    {
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        Shape4D outputShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize, nameof(geometry)));
        TensorAdapter.RequireShape(destination, outputShape, nameof(destination));
        TensorAdapter.RequireShape(indices, outputShape, nameof(indices));
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard.Degree(maxDegreeOfParallelism);
        T[]? rentedSource = null, rentedDestination = null;
        TIndex[]? rentedIndices = null;
        try
        {
            ReadOnlySpan<T> s = TensorAdapter.Read(source, ref rentedSource);
            Span<T> d = TensorAdapter.Write(destination, ref rentedDestination);
            Span<TIndex> i = TensorAdapter.Write(indices, ref rentedIndices);
            MaxPool2DCore(s, shape, geometry, d, i, indexConvention, maxDegreeOfParallelism);
            TensorAdapter.Complete(destination, rentedDestination);
            TensorAdapter.Complete(indices, rentedIndices);
            rentedDestination = null;
            rentedIndices = null;
        }
        finally
        {
            TensorAdapter.Return(rentedSource);
            TensorAdapter.Return(rentedDestination);
            TensorAdapter.Return(rentedIndices);
        }
    }

    private static (Tensor<T> Values, Tensor<long> Indices) MaxPool2DAllocating<T>(Tensor<T> source, Pool2DGeometry geometry, IndexConvention indexConvention)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ReadOnlyTensorSpan<T> input = source.AsReadOnlyTensorSpan();
        Shape4D shape = TensorAdapter.GetShape(input, nameof(source));
        Shape4D outputShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize, nameof(geometry)));
        Guard.Convention(indexConvention, nameof(indexConvention));
        nint[] lengths = TensorAdapter.Lengths(outputShape);
        Tensor<T> values = Tensor.CreateFromShapeUninitialized<T>(lengths);
        Tensor<long> indices = Tensor.CreateFromShapeUninitialized<long>(lengths);
        MaxPool2DTensor(input, geometry, values.AsTensorSpan(), indices.AsTensorSpan(), indexConvention, -1);
        return (values, indices);
    }
}
