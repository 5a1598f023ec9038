using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 3-D argmax unpooling over <c>[N, C, oD, oH, oW]</c> (PyTorch's <c>max_unpool3d</c>, ONNX <c>MaxUnpool</c>): the
    /// output is all zeros except <c>y[index] = x</c> for every pooled element, the index read in
    /// <paramref name="indexConvention"/> (per plane <c>(d*H + h)*W + w</c> by default).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index for the output.</typeparam>
    /// <param name="source">The pooled values, dense row-major.</param>
    /// <param name="indices">Their positions in the output, in <paramref name="indexConvention"/>; same length.</param>
    /// <param name="sourceShape">The pooled shape <c>[N, C, oD, oH, oW]</c>, channels-first.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="destination">Receives the unpooled tensor <c>[N, C, D, H, W]</c>.</param>
    /// <param name="outputSize">The output (D, H, W), or <see langword="null"/> for the default <c>(i-1)*s - pb - pe + k</c>
    /// per axis; an explicit size must lie strictly within one stride of the default (PyTorch's rule).</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="reduction">How inputs naming one cell combine: the last in row-major input order wins, or all are summed.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>Every index is checked before anything is written; on any error the destination is unmodified.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index names no output cell (the message states its position,
    /// value and the valid range), or a convention or reduction is undefined.</exception>
    /// <exception cref="ArgumentException">A length or shape is wrong, the output size breaks the rule,
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index, or the destination overlaps an input.</exception>
    public static void MaxUnpool3D<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape5D sourceShape, Pool3DGeometry geometry, Span<T> destination,
        Size3D? outputSize = null, IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace,
        ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => MaxUnpool3DCore(source, indices, sourceShape, geometry, destination, indexConvention, outputSize, reduction, options, nameof(outputSize), sizeFromPooling: false);

    /// <summary>
    /// 3-D argmax unpooling of rank-5 tensors of any strides into <paramref name="destination"/>, whose spatial size is
    /// the output size (judged by PyTorch's rule); see
    /// <see cref="MaxUnpool3D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape5D, Pool3DGeometry, Span{T}, Size3D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="source">The rank-5 pooled values.</param>
    /// <param name="indices">Output positions, same shape as <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="destination">Receives the unpooled tensor; N and C as the source's. Each tensor must fit a span.</param>
    /// <param name="indexConvention">How an index names an output cell.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no output cell, or a convention or reduction is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, the output size breaks the rule, the
    /// index type is too narrow, or the destination's memory overlaps an input or itself.</exception>
    public static void MaxUnpool3D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool3DGeometry geometry, in TensorSpan<T> destination,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape5D shape = TensorAdapter3D.GetShape(source, nameof(source));
        RequireSameShape3D(indices, shape);
        Shape5D outputShape = TensorAdapter3D.GetShape(destination.AsReadOnlyTensorSpan(), nameof(destination));
        if (outputShape.Batch != shape.Batch || outputShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Tensor destination has shape {outputShape}; N and C must match source's {shape}.");
        }

        MaxUnpool3DTensor(source, indices, shape, geometry, destination, outputShape.SpatialSize, indexConvention, reduction, options, nameof(destination), sizeFromPooling: false);
    }

    /// <summary>3-D argmax unpooling into a new tensor; see
    /// <see cref="MaxUnpool3D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape5D, Pool3DGeometry, Span{T}, Size3D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>.
    /// Indices from this library's pooling unpool with no size through
    /// <see cref="MaxUnpool3D{T, TIndex}(Tensor{T}, Switches3D{TIndex}, UnpoolReduction, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="source">The rank-5 pooled values, any strides.</param>
    /// <param name="indices">Output positions, same shape as <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="outputSize">The output (D, H, W), or <see langword="null"/> for the default.</param>
    /// <param name="indexConvention">How an index names an output cell.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index names no output cell, or a convention or reduction is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, the output size breaks the rule, or the
    /// index type is too narrow.</exception>
    public static Tensor<T> MaxUnpool3D<T, TIndex>(
        Tensor<T> source, Tensor<TIndex> indices, Pool3DGeometry geometry, Size3D? outputSize = null,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        return MaxUnpool3D(source.AsReadOnlyTensorSpan(), indices.AsReadOnlyTensorSpan(), geometry, outputSize, indexConvention, reduction, options);
    }

    /// <summary>3-D argmax unpooling of tensor views into a new tensor; see
    /// <see cref="MaxUnpool3D{T, TIndex}(Tensor{T}, Tensor{TIndex}, Pool3DGeometry, Size3D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="source">The rank-5 pooled values, any strides.</param>
    /// <param name="indices">Output positions, same shape as <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="outputSize">The output (D, H, W), or <see langword="null"/> for the default.</param>
    /// <param name="indexConvention">How an index names an output cell.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index names no output cell, or a convention or reduction is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, the output size breaks the rule, or the
    /// index type is too narrow.</exception>
    public static Tensor<T> MaxUnpool3D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool3DGeometry geometry, Size3D? outputSize = null,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape5D shape = TensorAdapter3D.GetShape(source, nameof(source));
        RequireSameShape3D(indices, shape);
        Size3D size = geometry.ResolveUnpoolOutputSize(shape.SpatialSize, outputSize, nameof(geometry), nameof(outputSize));
        return MaxUnpool3DAllocating(source, indices, shape, geometry, size, indexConvention, reduction, options, nameof(outputSize), sizeFromPooling: false);
    }

    /// <summary>3-D argmax unpooling of values through their <see cref="Switches3D{TIndex}"/>: the output has the pooling
    /// input's size, with no size to pass.</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The switches' index type.</typeparam>
    /// <param name="source">The rank-5 pooled values (or values of the same shape), any strides.</param>
    /// <param name="switches">The switches of the pooling.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor, of the pooling input's shape.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index of the switches (changed since pooling) names no cell
    /// (named <c>switches</c>), or the reduction is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/>'s shape is not the switches' pooled shape.</exception>
    public static Tensor<T> MaxUnpool3D<T, TIndex>(Tensor<T> source, Switches3D<TIndex> switches, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        return MaxUnpool3D(source.AsReadOnlyTensorSpan(), switches, reduction, options);
    }

    /// <summary>3-D argmax unpooling of a tensor view through <see cref="Switches3D{TIndex}"/>; see
    /// <see cref="MaxUnpool3D{T, TIndex}(Tensor{T}, Switches3D{TIndex}, UnpoolReduction, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The switches' index type.</typeparam>
    /// <param name="source">The rank-5 pooled values, any strides.</param>
    /// <param name="switches">The switches of the pooling.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor, of the pooling input's shape.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="switches"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index of the switches names no cell (named <c>switches</c>), or
    /// the reduction is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/>'s shape is not the switches' pooled shape.</exception>
    public static Tensor<T> MaxUnpool3D<T, TIndex>(in ReadOnlyTensorSpan<T> source, Switches3D<TIndex> switches, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(switches);
        Shape5D shape = TensorAdapter3D.GetShape(source, nameof(source));
        if (shape != switches.PooledShape)
        {
            ThrowHelper.ThrowArgument(nameof(source), $"Tensor source has shape {shape}; the switches are of a pooling to {switches.PooledShape}.");
        }

        return MaxUnpool3DAllocating(source, switches.Indices.AsReadOnlyTensorSpan(), shape, switches.Geometry, switches.SourceSize, switches.Convention, reduction, options, nameof(switches), sizeFromPooling: true);
    }

    private static void RequireSameShape3D<TIndex>(in ReadOnlyTensorSpan<TIndex> indices, Shape5D shape)
    {
        Shape5D indexShape = TensorAdapter3D.GetShape(indices, nameof(indices));
        if (indexShape != shape)
        {
            ThrowHelper.ThrowArgument(nameof(indices), $"Tensor indices has shape {indexShape}; it must match source's {shape}.");
        }
    }

    private static Tensor<T> MaxUnpool3DAllocating<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Shape5D shape, Pool3DGeometry geometry, Size3D size,
        IndexConvention indexConvention, UnpoolReduction reduction, ExecutionOptions options, string sizeName, bool sizeFromPooling, bool writeTiled = false)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape5D outputShape = shape.WithSpatialSize(size);
        outputShape.Validate(sizeName);
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, TensorAdapter3D.Lengths(outputShape));
        MaxUnpool3DTensor(source, indices, shape, geometry, result.AsTensorSpan(), size, indexConvention, reduction, options, sizeName, sizeFromPooling, writeTiled);
        return result;
    }

    private static void MaxUnpool3DTensor<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Shape5D shape, Pool3DGeometry geometry, in TensorSpan<T> destination,
        Size3D size, IndexConvention indexConvention, UnpoolReduction reduction, ExecutionOptions options, string sizeName, bool sizeFromPooling,
        bool writeTiled = false)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), indices, nameof(destination), nameof(indices));
        if (TensorAdapter.IsChannelsLastLayout(source) && TensorAdapter.IsChannelsLastDense(indices))
        {
            // PyTorch's channels_last_3d values and indices: read in place by the channels-last kernel; the destination
            // written in place when channels-last dense too, else through a channels-last buffer copied into it.
            using ChannelsLastWriteView<T> restored = TensorAdapter.WriteChannelsLast(destination);
            Shape5D lastShape = Shape5D.ChannelsLast(shape.Batch, shape.Depth, shape.Height, shape.Width, shape.Channels);
            MaxUnpool3DCore(
                TensorAdapter.ChannelsLastSpan(source), TensorAdapter.ChannelsLastSpan(indices), lastShape, geometry, restored.Span, indexConvention, size, reduction,
                options, sizeName, sizeFromPooling, sizeFromPooling ? sizeName : "indices", writeTiled);
            restored.Commit();
            return;
        }

        using ReadView<T> s = TensorAdapter.Read(source);
        using ReadView<TIndex> i = TensorAdapter.Read(indices);
        using WriteView<T> d = TensorAdapter.Write(destination);

        // Through switches, a bad index (the tensor was changed after pooling) is the switches' fault.
        MaxUnpool3DCore(s.Span, i.Span, shape, geometry, d.Span, indexConvention, size, reduction, options, sizeName, sizeFromPooling, sizeFromPooling ? sizeName : "indices", writeTiled);
        d.Commit();
    }

    private static unsafe void MaxUnpool3DCore<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape5D sourceShape, Pool3DGeometry geometry, Span<T> destination,
        IndexConvention indexConvention, Size3D? outputSize, UnpoolReduction reduction, ExecutionOptions options, string outputSizeName,
        bool sizeFromPooling, string indicesName = "indices", bool writeTiled = false)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*D*H*W of", sourceShape);
        Guard.Length(indices.Length, sourceShape.ElementCount, nameof(indices), "N*C*D*H*W of", sourceShape);
        Guard.Convention(indexConvention, nameof(indexConvention));

        // Switches carry the pooling input's size, which their indices index by construction (a dilated pooling's input
        // can lie past the unpooling size rule, which has no dilation).
        Size3D size = sizeFromPooling && outputSize is { } exact
            ? exact
            : geometry.ResolveUnpoolOutputSize(sourceShape.SpatialSize, outputSize, nameof(geometry), outputSizeName);
        Shape5D outputShape = sourceShape.WithSpatialSize(size);
        outputShape.Validate(outputSizeName, allowChannelsLast: true);
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        RequireReduction(reduction);

        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outD*outH*outW of", outputShape);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<T, TIndex>(destination, indices, nameof(destination), nameof(indices));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        if (sourceShape.Layout == TensorLayout.ChannelsLast)
        {
            // [N, oD, oH, oW, C] into [N, D, H, W, C]: the channels-last kernel (validated first, then written once
            // where the windows tile the output, else scattered), the channels-first result permuted.
            var lastPlan = new ChannelsLastPoolKernel.Plan(
                SpatialPlan.ForPool(geometry, size, sourceShape.SpatialSize), sourceShape.Batch, sourceShape.Channels,
                ChannelsLastIndexing.For3D(indexConvention, outputShape, geometry));
            int lastDegree = options.ResolveDegree(lastPlan.Rows, outputShape.ElementCount);
            long failed;
            fixed (T* s = source)
            fixed (TIndex* i = indices)
            fixed (T* d = destination)
            {
                failed = ChannelsLastUnpoolKernel.Run(s, i, d, lastPlan, reduction, lastDegree);
            }

            if (failed >= 0)
            {
                ChannelsLastUnpoolKernel.ThrowBadIndex(indicesName, indices[(int)failed], failed, lastPlan);
            }

            return;
        }

        int degree = options.ResolveDegree(sourceShape.PlaneCount, outputShape.ElementCount);
        int planes = (int)sourceShape.PlaneCount;
        Size3D k = geometry.KernelSize;
        bool tiles = MaxUnpool3DKernel.IsBlockCandidate(geometry, UnpoolReduction.Replace) && (long)k.Depth * k.Height * k.Width <= 256
            && size.Depth >= (long)k.Depth * sourceShape.Depth && size.Height >= (long)k.Height * sourceShape.Height && size.Width >= (long)k.Width * sourceShape.Width;
        long bad;
        fixed (T* s = source)
        fixed (TIndex* i = indices)
        fixed (T* d = destination)
        {
            switch (indexConvention)
            {
                case IndexConvention.PerPlane:
                    // The max-pool backward (writeTiled) over windows that tile the input: one write per cell where
                    // every index lies in its own block (-0 stays -0, the one difference from the sum).
                    if (writeTiled && tiles && BlockKernel.TryUnpoolDense3D(s, i, d, planes, sourceShape.SpatialSize, size, geometry.KernelSize, degree))
                    {
                        bad = -1;
                        break;
                    }

                    // A volume is a plane of D*H rows: the 2-D per-plane scatter is exact on that view.
                    bad = MaxUnpool2DKernel.Run(
                        s, i, d, planes, new Size2D(checked(sourceShape.Depth * sourceShape.Height), sourceShape.Width),
                        new Size2D(checked(size.Depth * size.Height), size.Width), denseCandidate: false, default, reduction, degree);
                    break;
                case IndexConvention.GlobalColumnMajor:
                    bad = MaxUnpool3DKernel.RunColumnMajor(
                        s, i, d, planes, sourceShape.PlaneSize, new IndexLayout3D(indexConvention, outputShape), reduction == UnpoolReduction.Sum, degree);
                    break;
                case IndexConvention.InWindow:
                    bad = MaxUnpool3DKernel.RunInWindow(
                        s, i, d, planes, SpatialPlan.ForPool(geometry, size, sourceShape.SpatialSize),
                        MaxUnpool3DKernel.IsBlockCandidate(geometry, writeTiled ? UnpoolReduction.Replace : reduction),
                        reduction == UnpoolReduction.Sum, degree);
                    break;
                default:
                    // Row-major and channels-last offsets name the same cells in the [N, C, D*H, W] view.
                    bad = MaxUnpool2DKernel.Run(s, i, d, planes, (int)sourceShape.PlaneSize, new IndexLayout(indexConvention, IndexLayout3D.As2DView(outputShape)), reduction, degree);
                    break;
            }
        }

        if (bad >= 0)
        {
            new IndexCodec3D(indexConvention, outputShape, sourceShape.SpatialSize, geometry).ThrowBadIndex(indicesName, indices[(int)bad], bad, outputShape);
        }
    }

    /// <summary>
    /// The backward pass of 3-D argmax unpooling: the gather through the indices,
    /// <c>sourceGradient[p] = outputGradient[cell named by indices[p]]</c> (PyTorch's <c>max_unpool3d</c> gradient).
    /// Exact for <see cref="UnpoolReduction.Sum"/>, and for Replace without duplicates; with duplicates every one gets
    /// the cell's gradient, as in PyTorch.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output <c>[N, C, outD, outH, outW]</c>.</param>
    /// <param name="indices">The forward's indices, laid out as <paramref name="sourceShape"/>.</param>
    /// <param name="sourceShape">The forward's pooled source shape.</param>
    /// <param name="geometry">The forward's pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source; every element is written.</param>
    /// <param name="outputSize">The forward's output size, or <see langword="null"/> for the default.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length or size is wrong, the index type is too narrow, or the gradient
    /// overlaps an input.</exception>
    public static void MaxUnpool3DBackward<T, TIndex>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<TIndex> indices, Shape5D sourceShape, Pool3DGeometry geometry, Span<T> sourceGradient,
        Size3D? outputSize = null, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Size3D size = geometry.ResolveUnpoolOutputSize(sourceShape.SpatialSize, outputSize, nameof(geometry), nameof(outputSize));
        Shape5D outputShape = sourceShape.WithSpatialSize(size);
        outputShape.Validate(nameof(outputSize), allowChannelsLast: true);
        Guard.Length(outputGradient.Length, outputShape.ElementCount, nameof(outputGradient), "N*C*outD*outH*outW of", outputShape);
        Guard.Length(indices.Length, sourceShape.ElementCount, nameof(indices), "N*C*D*H*W of", sourceShape);
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        Guard.Length(sourceGradient.Length, sourceShape.ElementCount, nameof(sourceGradient), "N*C*D*H*W of", sourceShape);
        Guard.NoOverlap<T, T>(sourceGradient, outputGradient, nameof(sourceGradient), nameof(outputGradient));
        Guard.NoOverlap<T, TIndex>(sourceGradient, indices, nameof(sourceGradient), nameof(indices));
        IndexGather3DCore(outputGradient, indices, sourceShape, size, geometry, sourceGradient, indexConvention, options, nameof(indices));
    }

    /// <summary>
    /// The backward pass of 3-D argmax unpooling over rank-5 tensors of any strides; the forward's output size is
    /// <paramref name="outputGradient"/>'s spatial size. See
    /// <see cref="MaxUnpool3DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape5D, Pool3DGeometry, Span{T}, Size3D?, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output.</param>
    /// <param name="indices">The forward's indices.</param>
    /// <param name="geometry">The forward's pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void MaxUnpool3DBackward<T, TIndex>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<TIndex> indices, Pool3DGeometry geometry, in TensorSpan<T> sourceGradient,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape5D outputShape = TensorAdapter3D.GetShape(outputGradient, nameof(outputGradient));
        Shape5D shape = TensorAdapter3D.GetShape(sourceGradient.AsReadOnlyTensorSpan(), nameof(sourceGradient));
        RequireGatherShapes3D(indices, shape, outputShape, nameof(outputGradient));
        Guard.Convention(indexConvention, nameof(indexConvention));
        _ = geometry.ResolveUnpoolOutputSize(shape.SpatialSize, outputShape.SpatialSize, nameof(geometry), nameof(outputGradient));
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        Guard.NoSelfOverlap(sourceGradient, nameof(sourceGradient));
        Guard.NoViewOverlap(sourceGradient.AsReadOnlyTensorSpan(), outputGradient, nameof(sourceGradient), nameof(outputGradient));
        Guard.NoViewOverlap(sourceGradient.AsReadOnlyTensorSpan(), indices, nameof(sourceGradient), nameof(indices));
        using ReadView<T> g = TensorAdapter.Read(outputGradient);
        using ReadView<TIndex> i = TensorAdapter.Read(indices);
        using WriteView<T> r = TensorAdapter.Write(sourceGradient);
        IndexGather3DCore(g.Span, i.Span, shape, outputShape.SpatialSize, geometry, r.Span, indexConvention, options, nameof(indices));
        r.Commit();
    }

    /// <summary>
    /// The backward pass of <see cref="MaxUnpool3D{T, TIndex}(Tensor{T}, Switches3D{TIndex}, UnpoolReduction, ExecutionOptions)"/>:
    /// a new gradient of the switches' pooled shape.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type of the switches.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output, of the switches' <see cref="Switches3D{TIndex}.SourceShape"/>.</param>
    /// <param name="switches">The switches the forward unpooled through.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source, <see cref="Switches3D{TIndex}.PooledShape"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell (the switches' tensor was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="outputGradient"/>'s shape is not the switches' source shape.</exception>
    public static Tensor<T> MaxUnpool3DBackward<T, TIndex>(Tensor<T> outputGradient, Switches3D<TIndex> switches, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(switches);
        Shape5D shape = TensorAdapter3D.GetShape(outputGradient.AsReadOnlyTensorSpan(), nameof(outputGradient));
        if (shape != switches.SourceShape)
        {
            ThrowHelper.ThrowArgument(nameof(outputGradient), $"Tensor outputGradient has shape {shape}; the switches index a {switches.SourceShape} tensor.");
        }

        Tensor<T> result = TensorAdapter.CreateLike<T, T>(outputGradient.AsReadOnlyTensorSpan(), TensorAdapter3D.Lengths(switches.PooledShape));
        using ReadView<T> g = TensorAdapter.Read(outputGradient.AsReadOnlyTensorSpan());
        using ReadView<TIndex> i = TensorAdapter.Read(switches.Indices.AsReadOnlyTensorSpan());
        using WriteView<T> r = TensorAdapter.Write(result.AsTensorSpan());
        IndexGather3DCore(g.Span, i.Span, switches.PooledShape, switches.SourceSize, switches.Geometry, r.Span, switches.Convention, options, nameof(switches));
        r.Commit();
        return result;
    }

    /// <summary>
    /// The gather through 3-D indices (validated by the caller but for the indices): <paramref name="result"/>
    /// (<paramref name="pooledShape"/>) reads <paramref name="gradient"/> (<paramref name="pooledShape"/> with
    /// <paramref name="indexedSize"/>, same layout) at the cell each index names; a bad index throws before any write.
    /// </summary>
    private static unsafe void IndexGather3DCore<T, TIndex>(
        ReadOnlySpan<T> gradient, ReadOnlySpan<TIndex> indices, Shape5D pooledShape, Size3D indexedSize, Pool3DGeometry geometry, Span<T> result,
        IndexConvention indexConvention, ExecutionOptions options, string indicesName)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (pooledShape.ElementCount == 0)
        {
            return;
        }

        Shape5D indexedShape = pooledShape.WithSpatialSize(indexedSize);
        int planes = (int)pooledShape.PlaneCount;
        int degree = options.ResolveDegree(planes, pooledShape.ElementCount + indexedShape.ElementCount);
        fixed (T* g = gradient)
        fixed (TIndex* i = indices)
        fixed (T* r = result)
        {
            if (pooledShape.Layout == TensorLayout.ChannelsLast)
            {
                var plan = new ChannelsLastPoolKernel.Plan(
                    SpatialPlan.ForPool(geometry, indexedSize, pooledShape.SpatialSize), pooledShape.Batch, pooledShape.Channels,
                    ChannelsLastIndexing.For3D(indexConvention, indexedShape, geometry));
                long failed = IndexGather.ChannelsLast(g, i, r, plan, degree);
                if (failed >= 0)
                {
                    ChannelsLastUnpoolKernel.ThrowBadIndex(indicesName, indices[(int)failed], failed, plan);
                }

                return;
            }

            var codec = new IndexCodec3D(indexConvention, indexedShape, pooledShape.SpatialSize, geometry);
            long bad = indexConvention switch
            {
                IndexConvention.PerPlane => IndexGather.PerPlane(g, i, r, planes, pooledShape.PlaneSize, indexedShape.PlaneSize, degree),

                // Row-major and channels-last offsets name the same cells in the [N, C, D*H, W] view.
                IndexConvention.GlobalRowMajor or IndexConvention.ChannelsLastPerSample or IndexConvention.ChannelsLastWithBatch
                    => IndexGather.Layout(g, i, r, planes, pooledShape.PlaneSize, new IndexLayout(indexConvention, IndexLayout3D.As2DView(indexedShape)), degree),
                _ => IndexGather.Decoded(g, i, r, pooledShape.ElementCount, indexedShape.ElementCount, codec, degree),
            };
            if (bad >= 0)
            {
                codec.ThrowBadIndex(indicesName, indices[(int)bad], bad, indexedShape);
            }
        }
    }
}
