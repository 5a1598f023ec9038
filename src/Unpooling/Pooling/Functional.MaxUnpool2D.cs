using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Argmax unpooling (PyTorch <c>max_unpool2d</c>, ONNX <c>MaxUnpool</c>, SegNet): every input value goes back to
    /// the position its maximum came from, zeros elsewhere.
    /// </summary>
    /// <param name="source">The pooled values, dense row-major <c>[N, C, H, W]</c>.</param>
    /// <param name="indices">Per-plane positions <c>h * outW + w</c> in the output, as written by
    /// <see cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, int)"/>; same length as
    /// <paramref name="source"/>.</param>
    /// <param name="sourceShape">The pooled shape <c>[N, C, H, W]</c>.</param>
    /// <param name="geometry">The pooling geometry being inverted (kernel size, stride, padding).</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>; every element is written.</param>
    /// <param name="outputSize">The output (H, W); <see langword="null"/> for the default
    /// <see cref="Pool2DGeometry.GetUnpoolOutputSize(Size2D)"/>. An explicit size must lie strictly between
    /// <c>default - stride</c> and <c>default + stride</c> per axis, even when the default itself is below 1 (a pooled
    /// 1x1 whose default is 0x2 may be unpooled to 2x2); indices are read in that size.</param>
    /// <param name="reduction">How inputs naming one cell combine: <see cref="UnpoolReduction.Replace"/> (the last in
    /// row-major order wins) or <see cref="UnpoolReduction.Sum"/> (the max-pool backward pass).</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1. Small inputs use one.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside <c>[0, outH * outW)</c> (the message names its
    /// position and value), <paramref name="reduction"/> is undefined, or <paramref name="maxDegreeOfParallelism"/> is
    /// 0 or below -1. Nothing is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps an input.</exception>
    public static void MaxUnpool2D(ReadOnlySpan<float> source, ReadOnlySpan<int> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, IndexConvention.PerPlane, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <inheritdoc cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, Size2D?, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(ReadOnlySpan<float> source, ReadOnlySpan<long> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, IndexConvention.PerPlane, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <inheritdoc cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, Size2D?, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(ReadOnlySpan<double> source, ReadOnlySpan<int> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, IndexConvention.PerPlane, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <inheritdoc cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, Size2D?, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(ReadOnlySpan<double> source, ReadOnlySpan<long> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, IndexConvention.PerPlane, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <summary>
    /// Argmax unpooling over rank-4 tensors (any strides); the output size is <paramref name="destination"/>'s spatial
    /// size, which must obey the explicit-size rule of
    /// <see cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, Size2D?, UnpoolReduction, int)"/>.
    /// </summary>
    /// <param name="source">The pooled values <c>[N, C, H, W]</c>.</param>
    /// <param name="indices">Per-plane output positions, same shape as <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape.</exception>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<float> source, in ReadOnlyTensorSpan<int> indices, Pool2DGeometry geometry, in TensorSpan<float> destination, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, IndexConvention.PerPlane, reduction, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxUnpool2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, Pool2DGeometry, in TensorSpan{float}, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<float> source, in ReadOnlyTensorSpan<long> indices, Pool2DGeometry geometry, in TensorSpan<float> destination, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, IndexConvention.PerPlane, reduction, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxUnpool2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, Pool2DGeometry, in TensorSpan{float}, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<double> source, in ReadOnlyTensorSpan<int> indices, Pool2DGeometry geometry, in TensorSpan<double> destination, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, IndexConvention.PerPlane, reduction, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxUnpool2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, Pool2DGeometry, in TensorSpan{float}, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<double> source, in ReadOnlyTensorSpan<long> indices, Pool2DGeometry geometry, in TensorSpan<double> destination, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, IndexConvention.PerPlane, reduction, maxDegreeOfParallelism);

    /// <summary>Argmax unpooling into a new <c>[N, C, outH, outW]</c> tensor (last duplicate wins).</summary>
    /// <param name="source">The pooled values <c>[N, C, H, W]</c>.</param>
    /// <param name="indices">Per-plane output positions, same shape as <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="outputSize">The output (H, W), or <see langword="null"/> for the default.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the output size is out of range.</exception>
    public static Tensor<float> MaxUnpool2D(Tensor<float> source, Tensor<long> indices, Pool2DGeometry geometry, Size2D? outputSize = null)
        => MaxUnpool2DAllocating(source, indices, geometry, IndexConvention.PerPlane, outputSize);

    /// <inheritdoc cref="MaxUnpool2D(Tensor{float}, Tensor{long}, Pool2DGeometry, Size2D?)"/>
    public static Tensor<double> MaxUnpool2D(Tensor<double> source, Tensor<long> indices, Pool2DGeometry geometry, Size2D? outputSize = null)
        => MaxUnpool2DAllocating(source, indices, geometry, IndexConvention.PerPlane, outputSize);

    /// <summary>
    /// Argmax unpooling with indices in the chosen <see cref="IndexConvention"/>, as the matching
    /// <see cref="MaxPool2D(ReadOnlySpan{float}, Shape4D, Pool2DGeometry, Span{float}, Span{int}, IndexConvention, int)"/>
    /// writes them: every input value goes to the output cell its index names, zeros elsewhere.
    /// </summary>
    /// <param name="source">The pooled values, dense row-major <c>[N, C, H, W]</c>.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, where H and W are the output's
    /// size; same length as <paramref name="source"/>.</param>
    /// <param name="sourceShape">The pooled shape <c>[N, C, H, W]</c>.</param>
    /// <param name="geometry">The pooling geometry being inverted (kernel size, stride, padding).</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>; every element is written.</param>
    /// <param name="indexConvention">How an index names an output cell. Per plane, an index names a cell of its
    /// element's plane, in <c>[0, outH*outW)</c>; channels-last per sample, a cell of its element's sample, in
    /// <c>[0, C*outH*outW)</c>; the global conventions name any cell of the output, in <c>[0, N*C*outH*outW)</c>, also
    /// one in another plane or sample (ONNX <c>MaxUnpool</c>, as ONNX Runtime runs it).</param>
    /// <param name="outputSize">The output (H, W); <see langword="null"/> for the default
    /// <see cref="Pool2DGeometry.GetUnpoolOutputSize(Size2D)"/>. An explicit size must lie strictly between
    /// <c>default - stride</c> and <c>default + stride</c> per axis, even when the default itself is below 1 (a pooled
    /// 1x1 whose default is 0x2 may be unpooled to 2x2); indices are read in that size.</param>
    /// <param name="reduction">How inputs naming one cell combine: <see cref="UnpoolReduction.Replace"/> (the last in
    /// row-major input order wins, across planes too) or <see cref="UnpoolReduction.Sum"/> (added in that order).</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1. Small inputs use one.</param>
    /// <remarks>
    /// When every index names a cell of its own element's plane (always so for indices pooling wrote) the planes are
    /// unpooled in parallel. Otherwise cells are shared between planes, and one thread clears the output and scatters
    /// in row-major input order, so the result never depends on the thread count.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its valid range (the message names its
    /// position and value), <paramref name="indexConvention"/> or <paramref name="reduction"/> is undefined, or
    /// <paramref name="maxDegreeOfParallelism"/> is 0 or below -1. Nothing is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps an input.</exception>
    public static void MaxUnpool2D(ReadOnlySpan<float> source, ReadOnlySpan<int> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, IndexConvention indexConvention, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, indexConvention, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <inheritdoc cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, IndexConvention, Size2D?, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(ReadOnlySpan<float> source, ReadOnlySpan<long> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<float> destination, IndexConvention indexConvention, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, indexConvention, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <inheritdoc cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, IndexConvention, Size2D?, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(ReadOnlySpan<double> source, ReadOnlySpan<int> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, IndexConvention indexConvention, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, indexConvention, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <inheritdoc cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, IndexConvention, Size2D?, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(ReadOnlySpan<double> source, ReadOnlySpan<long> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<double> destination, IndexConvention indexConvention, Size2D? outputSize = null, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, indexConvention, outputSize, reduction, maxDegreeOfParallelism, nameof(outputSize));

    /// <summary>
    /// Argmax unpooling over rank-4 tensors (any strides) with indices in the chosen <see cref="IndexConvention"/>;
    /// the output size is <paramref name="destination"/>'s spatial size (see
    /// <see cref="MaxUnpool2D(ReadOnlySpan{float}, ReadOnlySpan{int}, Shape4D, Pool2DGeometry, Span{float}, IndexConvention, Size2D?, UnpoolReduction, int)"/>).
    /// </summary>
    /// <param name="source">The pooled values <c>[N, C, H, W]</c>.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, same shape as <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>.</param>
    /// <param name="indexConvention">How an index names an output cell.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or an enum argument is undefined;
    /// nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape.</exception>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<float> source, in ReadOnlyTensorSpan<int> indices, Pool2DGeometry geometry, in TensorSpan<float> destination, IndexConvention indexConvention, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, indexConvention, reduction, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxUnpool2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, Pool2DGeometry, in TensorSpan{float}, IndexConvention, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<float> source, in ReadOnlyTensorSpan<long> indices, Pool2DGeometry geometry, in TensorSpan<float> destination, IndexConvention indexConvention, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, indexConvention, reduction, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxUnpool2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, Pool2DGeometry, in TensorSpan{float}, IndexConvention, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<double> source, in ReadOnlyTensorSpan<int> indices, Pool2DGeometry geometry, in TensorSpan<double> destination, IndexConvention indexConvention, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, indexConvention, reduction, maxDegreeOfParallelism);

    /// <inheritdoc cref="MaxUnpool2D(in ReadOnlyTensorSpan{float}, in ReadOnlyTensorSpan{int}, Pool2DGeometry, in TensorSpan{float}, IndexConvention, UnpoolReduction, int)"/>
    public static void MaxUnpool2D(in ReadOnlyTensorSpan<double> source, in ReadOnlyTensorSpan<long> indices, Pool2DGeometry geometry, in TensorSpan<double> destination, IndexConvention indexConvention, UnpoolReduction reduction = UnpoolReduction.Replace, int maxDegreeOfParallelism = -1)
        => MaxUnpool2DTensor(source, indices, geometry, destination, indexConvention, reduction, maxDegreeOfParallelism);

    /// <summary>Argmax unpooling into a new <c>[N, C, outH, outW]</c> tensor, indices in the chosen convention (last duplicate wins).</summary>
    /// <param name="source">The pooled values <c>[N, C, H, W]</c>.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, same shape as <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="indexConvention">How an index names an output cell.</param>
    /// <param name="outputSize">The output (H, W), or <see langword="null"/> for the default.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or the convention is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the output size is out of range.</exception>
    public static Tensor<float> MaxUnpool2D(Tensor<float> source, Tensor<long> indices, Pool2DGeometry geometry, IndexConvention indexConvention, Size2D? outputSize = null)
        => MaxUnpool2DAllocating(source, indices, geometry, indexConvention, outputSize);

    /// <inheritdoc cref="MaxUnpool2D(Tensor{float}, Tensor{long}, Pool2DGeometry, IndexConvention, Size2D?)"/>
    public static Tensor<double> MaxUnpool2D(Tensor<double> source, Tensor<long> indices, Pool2DGeometry geometry, IndexConvention indexConvention, Size2D? outputSize = null)
        => MaxUnpool2DAllocating(source, indices, geometry, indexConvention, outputSize);

    private static unsafe void MaxUnpool2DCore<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> destination,
        IndexConvention indexConvention, Size2D? outputSize, UnpoolReduction reduction, int maxDegreeOfParallelism, string outputSizeName)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D outputShape = ValidateMaxUnpool2D(source, indices, sourceShape, geometry, indexConvention, outputSize, reduction, maxDegreeOfParallelism, outputSizeName);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outH*outW of", outputShape);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<T, TIndex>(destination, indices, nameof(destination), nameof(indices));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        int degree = ParallelRunner.ResolveDegree(maxDegreeOfParallelism, (int)sourceShape.PlaneCount, outputShape.ElementCount);
        fixed (T* s = source)
        fixed (TIndex* i = indices)
        fixed (T* d = destination)
        {
            long bad;
            if (indexConvention == IndexConvention.PerPlane)
            {
                bool dense = MaxUnpool2DKernel.IsDenseCandidate(geometry, sourceShape.SpatialSize, outputShape.SpatialSize);
                bad = MaxUnpool2DKernel.Run(s, i, d, (int)sourceShape.PlaneCount, sourceShape.SpatialSize, outputShape.SpatialSize, dense, reduction, degree);
            }
            else
            {
                bad = MaxUnpool2DKernel.Run(s, i, d, (int)sourceShape.PlaneCount, (int)sourceShape.PlaneSize, new IndexLayout(indexConvention, outputShape), reduction, degree);
            }

            if (bad >= 0)
            {
                ThrowHelper.ThrowBadIndex(nameof(indices), long.CreateTruncating(indices[(int)bad]), bad, sourceShape.PlaneSize, new IndexLayout(indexConvention, outputShape), outputShape);
            }
        }
    }

    /// <summary>Checks everything but the destination; returns the output shape.</summary>
    private static Shape4D ValidateMaxUnpool2D<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape4D sourceShape, Pool2DGeometry geometry,
        IndexConvention indexConvention, Size2D? outputSize, UnpoolReduction reduction, int maxDegreeOfParallelism, string outputSizeName)
    {
        sourceShape.Validate(nameof(sourceShape));
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        Guard.Length(indices.Length, sourceShape.ElementCount, nameof(indices), "N*C*H*W of", sourceShape);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Size2D size = geometry.ResolveUnpoolOutputSize(sourceShape.SpatialSize, outputSize, nameof(geometry), outputSizeName);
        Shape4D outputShape = sourceShape.WithSpatialSize(size);
        outputShape.Validate(outputSizeName);
        Guard.IndexSpace<TIndex>(indexConvention, outputShape, nameof(indices));
        if (reduction is not (UnpoolReduction.Replace or UnpoolReduction.Sum))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(reduction), reduction, $"Reduction {reduction} is not defined; use Replace or Sum.");
        }

        Guard.Degree(maxDegreeOfParallelism);
        return outputShape;
    }

    private static void MaxUnpool2DTensor<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool2DGeometry geometry, in TensorSpan<T> destination,
        IndexConvention indexConvention, UnpoolReduction reduction, int maxDegreeOfParallelism)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        Shape4D indexShape = TensorAdapter.GetShape(indices, nameof(indices));
        if (indexShape != shape)
        {
            ThrowHelper.ThrowArgument(nameof(indices), $"Tensor indices has shape {indexShape}; it must match source's {shape}.");
        }

        Shape4D outputShape = TensorAdapter.GetDestinationShape(destination, shape, nameof(destination));

        T[]? rentedSource = null, rentedDestination = null;
        TIndex[]? rentedIndices = null;
        try
        {
            ReadOnlySpan<T> s = TensorAdapter.Read(source, ref rentedSource);
            ReadOnlySpan<TIndex> i = TensorAdapter.Read(indices, ref rentedIndices);
            Span<T> d = TensorAdapter.Write(destination, ref rentedDestination);
            MaxUnpool2DCore(s, i, shape, geometry, d, indexConvention, outputShape.SpatialSize, reduction, maxDegreeOfParallelism, nameof(destination));
            TensorAdapter.Complete(destination, rentedDestination);
            rentedDestination = null;
        }
        finally
        {
            TensorAdapter.Return(rentedSource);
            TensorAdapter.Return(rentedIndices);
            TensorAdapter.Return(rentedDestination);
        }
    }

    private static Tensor<T> MaxUnpool2DAllocating<T>(Tensor<T> source, Tensor<long> indices, Pool2DGeometry geometry, IndexConvention indexConvention, Size2D? outputSize)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        Shape4D shape = TensorAdapter.GetShape(source.AsReadOnlyTensorSpan(), nameof(source));
        Guard.Convention(indexConvention, nameof(indexConvention));
        Size2D size = geometry.ResolveUnpoolOutputSize(shape.SpatialSize, outputSize, nameof(geometry), nameof(outputSize));
        Tensor<T> result = Tensor.CreateFromShapeUninitialized<T>(TensorAdapter.Lengths(shape.WithSpatialSize(size)));
        MaxUnpool2DTensor(source.AsReadOnlyTensorSpan(), indices.AsReadOnlyTensorSpan(), geometry, result.AsTensorSpan(), indexConvention, UnpoolReduction.Replace, -1);
        return result;
    }
}
