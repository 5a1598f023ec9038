using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Argmax unpooling (PyTorch <c>max_unpool2d</c>, ONNX <c>MaxUnpool</c>, SegNet): every input value goes to the
    /// output cell its index names, in the <see cref="IndexConvention"/> pooling wrote, and every other cell is zero.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits.
    /// <see cref="float"/> and <see cref="double"/> are vectorized; every other type runs the scalar path. Replace moves
    /// data; <see cref="UnpoolReduction.Sum"/> adds with the type's <c>+</c> in row-major input order, so integer sums
    /// wrap as C#'s unchecked arithmetic does, and <see cref="decimal"/> (always checked) throws
    /// <see cref="OverflowException"/> on overflow, after part of the destination is written.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/>, signed or unsigned, 8 to
    /// 128 bits (<see cref="byte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/>, <see cref="UInt128"/>, ...)
    /// whose largest value holds the convention's largest index; 8- to 64-bit types are stored vectorized.</typeparam>
    /// <param name="source">The pooled values, dense <c>[N, C, H, W]</c>, or <c>[N, H, W, C]</c> when
    /// <paramref name="sourceShape"/> is a <see cref="Shape4D.ChannelsLast"/> shape: <paramref name="indices"/> are then
    /// laid out the same way and <paramref name="destination"/> is written <c>[N, outH, outW, C]</c>, with exactly the
    /// channels-first result, permuted ("last wins" and the order of a sum are the channels-first row-major order of
    /// the elements, across planes too).</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, where H and W are the output's
    /// size, as <see cref="MaxPool2D{T, TIndex}(ReadOnlySpan{T}, Shape4D, Pool2DGeometry, Span{T}, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
    /// writes them; same length as <paramref name="source"/>.</param>
    /// <param name="sourceShape">The pooled shape <c>[N, C, H, W]</c>.</param>
    /// <param name="geometry">The pooling geometry being inverted (kernel size, stride, padding).</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>; every element is written.</param>
    /// <param name="outputSize">The output (H, W); <see langword="null"/> for the default
    /// <see cref="Pool2DGeometry.GetUnpoolOutputSize(Size2D)"/>. An explicit size must lie strictly between
    /// <c>default - stride</c> and <c>default + stride</c> per axis, even when the default itself is below 1 (a pooled
    /// 1x1 whose default is 0x2 may be unpooled to 2x2); indices are read in that size.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default. Per plane, an index names
    /// a cell of its element's plane, in <c>[0, outH*outW)</c>; channels-last per sample, a cell of its element's
    /// sample, in <c>[0, C*outH*outW)</c>; the global conventions name any cell of the output, in
    /// <c>[0, N*C*outH*outW)</c>, also one in another plane or sample (ONNX <c>MaxUnpool</c>, as ONNX Runtime runs
    /// it); <see cref="IndexConvention.InWindow"/>, a tap <c>kh*kW + kw</c> in <c>[0, kH*kW)</c> of the element's own
    /// window under <paramref name="geometry"/>, whose cell <c>(i*sH - pH + kh*dH, j*sW - pW + kw*dW)</c> must lie in the
    /// output (a tap in the padding or past the border is invalid).</param>
    /// <param name="reduction">How inputs naming one cell combine: <see cref="UnpoolReduction.Replace"/> (the last in
    /// row-major input order wins, across planes too) or <see cref="UnpoolReduction.Sum"/> (added in that order: the
    /// max-pool backward pass).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>
    /// Every index is checked before anything is written. When every index names a cell of its own element's plane
    /// (always so for indices pooling wrote) the planes are unpooled in parallel; otherwise one thread clears the
    /// output and scatters in row-major input order, so the result never depends on the thread count. InWindow taps
    /// always name a cell of their own plane: those planes are unpooled in parallel, for any geometry (overlapping
    /// windows, padding, dilation, ceil mode).
    /// <para>Indices changed by another thread during the call (a data race, the caller's bug) cannot make it write
    /// outside <paramref name="destination"/>: each index is read once more where it is used and checked again there
    /// (one compare against the size validation computed), and one that no longer passes is skipped. A racing caller
    /// may therefore get some cells left zero that a valid index would have written, or written from an old or new
    /// value of an index that was valid when read; no cell outside the destination is touched, and no exception is
    /// guaranteed (validation may or may not see the changed value).</para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its valid range (the message names its
    /// position and value), or <paramref name="indexConvention"/> or <paramref name="reduction"/> is undefined. Nothing
    /// is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, <typeparamref name="TIndex"/>
    /// cannot hold the convention's largest index, or <paramref name="destination"/> overlaps an input.</exception>
    public static void MaxUnpool2D<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> destination,
        Size2D? outputSize = null, IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace,
        ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => MaxUnpool2DCore(source, indices, sourceShape, geometry, destination, indexConvention, outputSize, reduction, options, nameof(outputSize));

    /// <summary>
    /// Argmax unpooling over rank-4 tensors of any strides; the output size is <paramref name="destination"/>'s
    /// spatial size, which must obey the explicit-size rule of
    /// <see cref="MaxUnpool2D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The pooled values <c>[N, C, H, W]</c>.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, same shape as
    /// <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>
    /// The tensors may hold more than <see cref="int.MaxValue"/> elements in all (TensorSpans over native memory have
    /// <see cref="nint"/> lengths), as long as each sample of <paramref name="source"/> and of
    /// <paramref name="destination"/> (<c>C*H*W</c> elements) fits <see cref="Array.MaxLength"/>: such a call checks
    /// every index of the whole tensor first, then unpools runs of whole samples through slices of the tensors (dense
    /// slices in place, no copy). Indices mean what they mean for the whole tensor: the global conventions' carry their
    /// sample's offset <c>n*C*H*W</c>; in such a call each must name a cell of its own sample (always so for indices
    /// pooling wrote), since samples are unpooled apart; one naming another sample is refused
    /// (<see cref="ArgumentException"/> naming <paramref name="indices"/>). Racing callers get what the span form
    /// documents.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or an enum is undefined; nothing is
    /// written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds
    /// <see cref="Array.MaxLength"/> elements (named after its tensor), or the tensors overlap.</exception>
    public static void MaxUnpool2D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool2DGeometry geometry, in TensorSpan<T> destination,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetBatchedShape(source, nameof(source));
        Shape4D indexShape = TensorAdapter.GetBatchedShape(indices, nameof(indices));
        if (indexShape != shape)
        {
            ThrowHelper.ThrowArgument(nameof(indices), $"Tensor indices has shape {indexShape}; it must match source's {shape}.");
        }

        Shape4D outputShape = TensorAdapter.GetBatchedShape(destination.AsReadOnlyTensorSpan(), nameof(destination));
        if (outputShape.Batch != shape.Batch || outputShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Tensor destination has shape {outputShape}; N and C must match source's {shape}.");
        }

        MaxUnpool2DTensor(source, indices, shape, geometry, destination, outputShape.SpatialSize, indexConvention, reduction, options, nameof(destination), sizeFromPooling: false);
    }

    /// <summary>
    /// Argmax unpooling into a new tensor; see
    /// <see cref="MaxUnpool2D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>.
    /// When the indices come from this library's pooling, <see cref="MaxUnpool2D{T, TIndex}(Tensor{T}, Switches{TIndex}, UnpoolReduction, ExecutionOptions)"/>
    /// needs no size.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The rank-4 pooled values, any strides.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, same shape as
    /// <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="outputSize">The output (H, W), or <see langword="null"/> for the default.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or an enum is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the output size is out of range.</exception>
    public static Tensor<T> MaxUnpool2D<T, TIndex>(
        Tensor<T> source, Tensor<TIndex> indices, Pool2DGeometry geometry, Size2D? outputSize = null,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        return MaxUnpool2D(source.AsReadOnlyTensorSpan(), indices.AsReadOnlyTensorSpan(), geometry, outputSize, indexConvention, reduction, options);
    }

    /// <inheritdoc cref="MaxUnpool2D{T, TIndex}(Tensor{T}, Tensor{TIndex}, Pool2DGeometry, Size2D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>
    public static Tensor<T> MaxUnpool2D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool2DGeometry geometry, Size2D? outputSize = null,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        RequireSameShape(indices, shape);
        Size2D size = geometry.ResolveUnpoolOutputSize(shape.SpatialSize, outputSize, nameof(geometry), nameof(outputSize));
        return MaxUnpool2DAllocating(source, indices, shape, geometry, size, indexConvention, reduction, options, nameof(outputSize), sizeFromPooling: false);
    }

    /// <summary>
    /// Argmax unpooling through the <see cref="Switches{TIndex}"/> of a pooling: every value goes back to where its
    /// maximum came from, in a new tensor of the pooling input's size, zeros elsewhere. No output size is needed: the
    /// switches carry it (also for ceil mode, padding and dilation).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The pooled values (or any tensor of the pooled shape, e.g. a decoder's activations).</param>
    /// <param name="switches">The pooling's switches; their <see cref="Switches{TIndex}.PooledShape"/> must be
    /// <paramref name="source"/>'s shape.</param>
    /// <param name="reduction">How inputs naming one cell combine (they do only for overlapping windows).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor, <see cref="Switches{TIndex}.SourceShape"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (the switches' tensor was changed), or
    /// <paramref name="reduction"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/>'s shape is not the pooled shape.</exception>
    public static Tensor<T> MaxUnpool2D<T, TIndex>(Tensor<T> source, Switches<TIndex> switches, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        return MaxUnpool2D(source.AsReadOnlyTensorSpan(), switches, reduction, options);
    }

    /// <inheritdoc cref="MaxUnpool2D{T, TIndex}(Tensor{T}, Switches{TIndex}, UnpoolReduction, ExecutionOptions)"/>
    public static Tensor<T> MaxUnpool2D<T, TIndex>(in ReadOnlyTensorSpan<T> source, Switches<TIndex> switches, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(switches);
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        if (shape != switches.PooledShape)
        {
            ThrowHelper.ThrowArgument(nameof(source), $"Tensor source has shape {shape}; the switches are of a pooling to {switches.PooledShape}.");
        }

        return MaxUnpool2DAllocating(source, switches.Indices.AsReadOnlyTensorSpan(), shape, switches.Geometry, switches.SourceSize, switches.Convention, reduction, options, nameof(switches), sizeFromPooling: true);
    }

    private static void RequireSameShape<TIndex>(in ReadOnlyTensorSpan<TIndex> indices, Shape4D shape)
    {
        Shape4D indexShape = TensorAdapter.GetShape(indices, nameof(indices));
        if (indexShape != shape)
        {
            ThrowHelper.ThrowArgument(nameof(indices), $"Tensor indices has shape {indexShape}; it must match source's {shape}.");
        }
    }

    private static Tensor<T> MaxUnpool2DAllocating<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Shape4D shape, Pool2DGeometry geometry, Size2D size,
        IndexConvention indexConvention, UnpoolReduction reduction, ExecutionOptions options, string sizeName, bool sizeFromPooling, bool writeTiled = false)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D outputShape = shape.WithSpatialSize(size);
        outputShape.Validate(sizeName);
        // Channels_last values give a channels_last result (PyTorch's choice), unpooled in place.
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, TensorAdapter.Lengths(outputShape));
        MaxUnpool2DTensor(source, indices, shape, geometry, result.AsTensorSpan(), size, indexConvention, reduction, options, sizeName, sizeFromPooling, writeTiled: writeTiled);
        return result;
    }

    private static void MaxUnpool2DTensor<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Shape4D shape, Pool2DGeometry geometry, in TensorSpan<T> destination,
        Size2D size, IndexConvention indexConvention, UnpoolReduction reduction, ExecutionOptions options, string sizeName, bool sizeFromPooling,
        string? indicesName = null, bool writeTiled = false)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        indicesName ??= sizeFromPooling ? sizeName : "indices";
        if (source.FlattenedLength > Array.MaxLength || destination.FlattenedLength > Array.MaxLength)
        {
            // Past a span's reach: by runs of whole samples, each of which fits (GetBatchedShape checked that).
            MaxUnpool2DSamples(source, indices, shape, geometry, destination, size, indexConvention, reduction, options, sizeName, sizeFromPooling, SampleRunElements);
            return;
        }

        // The caller's memory, not the dense copies a strided view is computed through (those never overlap anything).
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), indices, nameof(destination), nameof(indices));

        if (TensorAdapter.IsChannelsLast(source) && TensorAdapter.IsChannelsLastDense(indices))
        {
            // PyTorch's channels_last values and indices: the channels-last kernel reads both in place.
            using ChannelsLastWriteView<T> view = TensorAdapter.WriteChannelsLast(destination);
            Shape4D channelsLast = Shape4D.ChannelsLast(shape.Batch, shape.Height, shape.Width, shape.Channels);
            MaxUnpool2DCore(
                TensorAdapter.ChannelsLastSpan(source), TensorAdapter.ChannelsLastSpan(indices), channelsLast, geometry, view.Span, indexConvention, size, reduction,
                options, sizeName, sizeFromPooling, indicesName, writeTiled);
            view.Commit();
            return;
        }

        using ReadView<T> s = TensorAdapter.Read(source);
        using ReadView<TIndex> i = TensorAdapter.Read(indices);
        using WriteView<T> d = TensorAdapter.Write(destination);
        // Through switches, a bad index (the tensor was changed after pooling) is the switches' fault.
        MaxUnpool2DCore(s.Span, i.Span, shape, geometry, d.Span, indexConvention, size, reduction, options, sizeName, sizeFromPooling, indicesName, writeTiled);
        d.Commit();
    }

    private static unsafe void MaxUnpool2DCore<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> destination,
        IndexConvention indexConvention, Size2D? outputSize, UnpoolReduction reduction, ExecutionOptions options, string outputSizeName, bool sizeFromPooling = false, string indicesName = "indices",
        bool writeTiled = false)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D outputShape = ValidateMaxUnpool2D(source, indices, sourceShape, geometry, indexConvention, outputSize, reduction, outputSizeName, sizeFromPooling);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outH*outW of", outputShape);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<T, TIndex>(destination, indices, nameof(destination), nameof(indices));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        if (sourceShape.Layout == TensorLayout.ChannelsLast)
        {
            MaxUnpool2DChannelsLast(source, indices, sourceShape, geometry, destination, outputShape.SpatialSize, indexConvention, reduction, options, indicesName);
            return;
        }

        int degree = options.ResolveDegree(sourceShape.PlaneCount, outputShape.ElementCount);
        fixed (T* s = source)
        fixed (TIndex* i = indices)
        fixed (T* d = destination)
        {
            long bad;
            if (indexConvention == IndexConvention.InWindow)
            {
                var taps = new WindowTaps(geometry, sourceShape.SpatialSize, outputShape.SpatialSize);

                // Non-overlapping windows with Replace: each output block is written once from its tap by the block
                // kernel (no clear pass, no scatter), which refuses a tap >= kH*kW or past a smaller output's border
                // before writing, and zeroes the cells no window covers. With writeTiled (the max-pool backward) Sum
                // takes it too: taps of windows that do not overlap name distinct cells, so each sum has one term.
                if ((reduction == UnpoolReduction.Replace || writeTiled) && geometry.Stride == geometry.KernelSize
                    && geometry.PaddingBegin == new Size2D(0, 0) && geometry.PaddingEnd == new Size2D(0, 0) && geometry.Dilation == new Size2D(1, 1))
                {
                    bad = BlockKernel.UnpoolTaps(s, i, d, (int)sourceShape.PlaneCount, sourceShape.SpatialSize, outputShape.SpatialSize, geometry.KernelSize, degree);
                    if (bad >= 0)
                    {
                        InWindowKernel.ThrowBadTap(indicesName, indices[(int)bad], bad, taps, sourceShape);
                    }

                    return;
                }

                bad = InWindowKernel.Run(s, i, d, (int)sourceShape.PlaneCount, taps, reduction, degree);
                if (bad >= 0)
                {
                    InWindowKernel.ThrowBadTap(indicesName, indices[(int)bad], bad, taps, sourceShape);
                }

                return;
            }

            if (indexConvention == IndexConvention.PerPlane)
            {
                // The max-pool backward (writeTiled) writes once only where the windows tile, as documented: with
                // dilation, windows overlap, and whether the indices happened to stay in their own blocks must not
                // decide the sign of a zero.
                bool dense = MaxUnpool2DKernel.IsDenseCandidate(geometry, sourceShape.SpatialSize, outputShape.SpatialSize)
                    && (!writeTiled || geometry.Dilation == new Size2D(1, 1));
                bad = MaxUnpool2DKernel.Run(s, i, d, (int)sourceShape.PlaneCount, sourceShape.SpatialSize, outputShape.SpatialSize, dense, geometry.KernelSize, reduction, degree, writeTiled);
            }
            else
            {
                bad = MaxUnpool2DKernel.Run(s, i, d, (int)sourceShape.PlaneCount, (int)sourceShape.PlaneSize, new IndexLayout(indexConvention, outputShape), reduction, degree);
            }

            if (bad >= 0)
            {
                ThrowHelper.ThrowBadIndex(indicesName, indices[(int)bad], bad, sourceShape.PlaneSize, new IndexLayout(indexConvention, outputShape), outputShape);
            }
        }
    }

    /// <summary>
    /// The elements a run of samples of a split TensorSpan call aims at (whole samples, at least one): big enough that
    /// the per-run cost vanishes, small enough that a strided tensor's run buffers stay modest.
    /// </summary>
    internal const long SampleRunElements = 1L << 26;

    /// <summary>
    /// Argmax unpooling of TensorSpans past a span's reach, by runs of whole samples: first every index of the whole
    /// tensor is checked against the whole tensor's index space (so a failing call writes nothing), then each run is
    /// unpooled through slices of the three tensors (a dense slice in place, a strided one through the run's buffer).
    /// Per-plane, per-sample and in-window indices are relative to their plane or sample, so a run reads them as they
    /// are; global ones carry their sample's base <c>n*C*H*W</c>, which the run subtracts (<see cref="MaxUnpool2DKernel.RunSamples"/>),
    /// and must name a cell of their own sample (always so for indices pooling wrote): one naming another sample is
    /// refused here, as samples are unpooled apart. <c>runElements</c> is the elements a run aims at (the tests pass
    /// small values to split small tensors).
    /// </summary>
    internal static unsafe void MaxUnpool2DSamples<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Shape4D shape, Pool2DGeometry geometry, in TensorSpan<T> destination,
        Size2D size, IndexConvention indexConvention, UnpoolReduction reduction, ExecutionOptions options, string sizeName, bool sizeFromPooling, long runElements)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // The checks of ValidateMaxUnpool2D, in its order, on the whole tensor (whose element count may pass a span's).
        string indicesName = sizeFromPooling ? sizeName : nameof(indices);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Size2D outSize = sizeFromPooling ? size : geometry.ResolveUnpoolOutputSize(shape.SpatialSize, size, nameof(geometry), sizeName);
        Shape4D outputShape = shape.WithSpatialSize(outSize);
        Guard.PoolingIndexSpace<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        RequireReduction(reduction);

        long inSample = (long)shape.Channels * shape.Height * shape.Width, outSample = (long)shape.Channels * outputShape.Height * outputShape.Width;
        TensorAdapter.RequireSampleFits(outputShape, sizeName, "unpooled");

        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));

        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), indices, nameof(destination), nameof(indices));

        if (outputShape.PlaneCount == 0)
        {
            return;
        }

        int run = TensorAdapter.SamplesPerRun(runElements, Math.Max(inSample, outSample), shape.Batch);
        var whole = new IndexLayout(indexConvention, outputShape);
        var taps = indexConvention == IndexConvention.InWindow ? new WindowTaps(geometry, shape.SpatialSize, outSize) : default;

        // Pass 1: every index, before anything is written.
        for (int n0 = 0; n0 < shape.Batch; n0 += run)
        {
            int count = Math.Min(run, shape.Batch - n0);
            Shape4D part = shape with { Batch = count };
            int degree = options.ResolveDegree(part.PlaneCount, part.ElementCount);
            using ReadView<TIndex> view = TensorAdapter.Read(indices.Slice(TensorAdapter.Samples(n0, count)));
            fixed (TIndex* i = view.Span)
            {
                long bad = indexConvention switch
                {
                    IndexConvention.InWindow => InWindowKernel.FindInvalid(i, (int)part.PlaneCount, taps, degree),
                    IndexConvention.PerPlane => MaxUnpool2DKernel.FindInvalid(i, part.ElementCount, outputShape.PlaneSize, degree),
                    _ => MaxUnpool2DKernel.FindInvalid(i, part.ElementCount, whole.Space, degree),
                };
                long first = n0 * inSample;
                if (bad >= 0 && indexConvention == IndexConvention.InWindow)
                {
                    InWindowKernel.ThrowBadTap(indicesName, view.Span[(int)bad], first + bad, taps, shape);
                }

                if (bad >= 0)
                {
                    ThrowHelper.ThrowBadIndex(indicesName, view.Span[(int)bad], first + bad, shape.PlaneSize, whole, outputShape);
                }

                if (indexConvention is IndexConvention.GlobalRowMajor or IndexConvention.GlobalColumnMajor or IndexConvention.ChannelsLastWithBatch)
                {
                    // In all three, sample n's cells have the indices [n*outSample, (n+1)*outSample).
                    for (long k = 0; k < part.ElementCount; k++)
                    {
                        long n = n0 + (k / inSample), index = IndexValue.Read(i[k]);
                        if ((ulong)(index - (n * outSample)) >= (ulong)outSample)
                        {
                            ThrowHelper.ThrowArgument(
                                indicesName,
                                $"Index {index} at position {first + k} (sample {n}) names a cell of another sample in convention {indexConvention}; a tensor of more than " +
                                $"{Array.MaxLength} elements is unpooled sample by sample, so each index must name a cell of its own sample, [{n * outSample}, {(n + 1) * outSample}).");
                        }
                    }
                }
            }
        }

        // Last of the checks: a destination that stores two results in one place.
        Guard.NoSelfOverlap(destination, nameof(destination));

        // Pass 2: each run of samples, its indices checked again at use (a racing caller's are skipped).
        for (int n0 = 0; n0 < shape.Batch; n0 += run)
        {
            int count = Math.Min(run, shape.Batch - n0);
            Shape4D part = shape with { Batch = count }, outPart = outputShape with { Batch = count };
            int degree = options.ResolveDegree(part.PlaneCount, outPart.ElementCount);
            using ReadView<T> sv = TensorAdapter.Read(source.Slice(TensorAdapter.Samples(n0, count)));
            using ReadView<TIndex> iv = TensorAdapter.Read(indices.Slice(TensorAdapter.Samples(n0, count)));
            TensorSpan<T> target = destination.Slice(TensorAdapter.Samples(n0, count));
            using WriteView<T> dv = TensorAdapter.Write(target);
            fixed (T* s = sv.Span)
            fixed (TIndex* i = iv.Span)
            fixed (T* d = dv.Span)
            {
                switch (indexConvention)
                {
                    case IndexConvention.InWindow:
                        InWindowKernel.Scatter(s, i, d, (int)part.PlaneCount, taps, reduction, degree);
                        break;
                    case IndexConvention.PerPlane:
                        MaxUnpool2DKernel.Run(s, i, d, (int)part.PlaneCount, (int)part.PlaneSize, (int)outPart.PlaneSize, reduction, degree);
                        break;
                    case IndexConvention.ChannelsLastPerSample:
                        MaxUnpool2DKernel.RunSamples(s, i, d, (int)part.PlaneCount, (int)part.PlaneSize, new IndexLayout(indexConvention, outPart), 0, reduction, degree);
                        break;
                    default:
                        MaxUnpool2DKernel.RunSamples(s, i, d, (int)part.PlaneCount, (int)part.PlaneSize, new IndexLayout(indexConvention, outPart), n0 * outSample, reduction, degree);
                        break;
                }
            }

            dv.Commit();
        }
    }

    /// <summary>Checks everything but the destination; returns the output shape.</summary>
    private static Shape4D ValidateMaxUnpool2D<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape4D sourceShape, Pool2DGeometry geometry,
        IndexConvention indexConvention, Size2D? outputSize, UnpoolReduction reduction, string outputSizeName, bool sizeFromPooling)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        Guard.Length(indices.Length, sourceShape.ElementCount, nameof(indices), "N*C*H*W of", sourceShape);
        Guard.Convention(indexConvention, nameof(indexConvention));
        // Switches carry the pooling input's size, which the indices index by construction; a dilated pooling can
        // have an input far past the unpooling size rule (that rule has no dilation), so it is not applied to them.
        Size2D size = sizeFromPooling && outputSize is { } exact
            ? exact
            : geometry.ResolveUnpoolOutputSize(sourceShape.SpatialSize, outputSize, nameof(geometry), outputSizeName);
        Shape4D outputShape = sourceShape.WithSpatialSize(size);
        outputShape.Validate(outputSizeName, allowChannelsLast: true);
        Guard.PoolingIndexSpace<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        RequireReduction(reduction);

        return outputShape;
    }

    /// <summary>The span form's channels-last run (validated but for the indices): <c>[N, oH, oW, C]</c> values and
    /// indices into <c>[N, H, W, C]</c>; an invalid index throws before anything is written.</summary>
    private static unsafe void MaxUnpool2DChannelsLast<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> destination, Size2D output,
        IndexConvention indexConvention, UnpoolReduction reduction, ExecutionOptions options, string indicesName)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var plan = ChannelsLastUnpoolKernel.For2D(sourceShape, output, geometry, indexConvention);
        int degree = options.ResolveDegree(plan.Rows, plan.InputCount);
        fixed (T* s = source)
        fixed (TIndex* i = indices)
        fixed (T* d = destination)
        {
            long bad = ChannelsLastUnpoolKernel.Run(s, i, d, plan, reduction, degree);
            if (bad >= 0)
            {
                ChannelsLastUnpoolKernel.ThrowBadIndex(indicesName, indices[(int)bad], bad, plan);
            }
        }
    }

    /// <summary>
    /// The backward pass of <see cref="MaxUnpool2D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>:
    /// the gather through the indices, <c>sourceGradient[p] = outputGradient[cell named by indices[p]]</c> (PyTorch's
    /// <c>max_unpool2d</c> gradient, which ATen computes as a gather).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>; a gather moves values, so every type
    /// is exact.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output, <c>[N, C, outH, outW]</c> (channels-last when
    /// <paramref name="sourceShape"/> is).</param>
    /// <param name="indices">The indices the forward unpooled through, in <paramref name="indexConvention"/>, laid out as
    /// <paramref name="sourceShape"/>.</param>
    /// <param name="sourceShape">The pooled shape <c>[N, C, H, W]</c> of the forward's source.</param>
    /// <param name="geometry">The forward's pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source, <paramref name="sourceShape"/>; every
    /// element is written.</param>
    /// <param name="outputSize">The forward's output (H, W), or <see langword="null"/> for the default; the forward's
    /// size rule applies.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>
    /// This is the exact gradient of <see cref="UnpoolReduction.Sum"/> and of <see cref="UnpoolReduction.Replace"/> when
    /// no two indices name one cell (always so for indices pooling wrote over windows that do not overlap). With
    /// duplicates under Replace the true gradient of an overwritten element is zero; this gather, like PyTorch's, gives
    /// every duplicate the cell's gradient. Every index is checked before anything is written, with the forward's rules
    /// and messages.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell, or <paramref name="indexConvention"/> is
    /// undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range,
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index, or <paramref name="sourceGradient"/>
    /// overlaps an input.</exception>
    public static void MaxUnpool2DBackward<T, TIndex>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<TIndex> indices, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> sourceGradient,
        Size2D? outputSize = null, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Size2D size = geometry.ResolveUnpoolOutputSize(sourceShape.SpatialSize, outputSize, nameof(geometry), nameof(outputSize));
        Shape4D outputShape = sourceShape.WithSpatialSize(size);
        outputShape.Validate(nameof(outputSize), allowChannelsLast: true);
        Guard.Length(outputGradient.Length, outputShape.ElementCount, nameof(outputGradient), "N*C*outH*outW of", outputShape);
        Guard.Length(indices.Length, sourceShape.ElementCount, nameof(indices), "N*C*H*W of", sourceShape);
        Guard.PoolingIndexSpace<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        Guard.Length(sourceGradient.Length, sourceShape.ElementCount, nameof(sourceGradient), "N*C*H*W of", sourceShape);
        Guard.NoOverlap<T, T>(sourceGradient, outputGradient, nameof(sourceGradient), nameof(outputGradient));
        Guard.NoOverlap<T, TIndex>(sourceGradient, indices, nameof(sourceGradient), nameof(indices));
        IndexGather2DCore(outputGradient, indices, sourceShape, size, geometry, sourceGradient, indexConvention, options, nameof(indices));
    }

    /// <summary>
    /// The backward pass of argmax unpooling over rank-4 tensors of any strides (PyTorch <c>channels_last</c> read in
    /// place); the forward's output size is <paramref name="outputGradient"/>'s spatial size. See
    /// <see cref="MaxUnpool2DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D?, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output <c>[N, C, outH, outW]</c>.</param>
    /// <param name="indices">The forward's indices, <c>[N, C, H, W]</c>.</param>
    /// <param name="geometry">The forward's pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source, <c>[N, C, H, W]</c>.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void MaxUnpool2DBackward<T, TIndex>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<TIndex> indices, Pool2DGeometry geometry, in TensorSpan<T> sourceGradient,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D outputShape = TensorAdapter.GetShape(outputGradient, nameof(outputGradient));
        Shape4D shape = TensorAdapter.GetShape(sourceGradient.AsReadOnlyTensorSpan(), nameof(sourceGradient));
        RequireGatherShapes(indices, shape, outputShape, nameof(outputGradient));
        Guard.Convention(indexConvention, nameof(indexConvention));
        _ = geometry.ResolveUnpoolOutputSize(shape.SpatialSize, outputShape.SpatialSize, nameof(geometry), nameof(outputGradient));
        Guard.PoolingIndexSpace<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        IndexGather2DTensor(outputGradient, indices, shape, outputShape.SpatialSize, geometry, sourceGradient, indexConvention, options);
    }

    /// <summary>
    /// The backward pass of <see cref="MaxUnpool2D{T, TIndex}(Tensor{T}, Switches{TIndex}, UnpoolReduction, ExecutionOptions)"/>:
    /// the gradient of the unpooled tensor gathered through the switches into a new tensor of the pooled shape.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type of the switches.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output, of the switches' <see cref="Switches{TIndex}.SourceShape"/>.</param>
    /// <param name="switches">The switches the forward unpooled through.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source, <see cref="Switches{TIndex}.PooledShape"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell (the switches' tensor was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="outputGradient"/>'s shape is not the switches' source shape.</exception>
    public static Tensor<T> MaxUnpool2DBackward<T, TIndex>(Tensor<T> outputGradient, Switches<TIndex> switches, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(switches);
        return IndexGather2DAllocating(outputGradient.AsReadOnlyTensorSpan(), switches, options, nameof(outputGradient));
    }

    /// <summary>The gather of the switches' pooled shape from a gradient of their source shape, into a new tensor.</summary>
    private static Tensor<T> IndexGather2DAllocating<T, TIndex>(in ReadOnlyTensorSpan<T> gradient, Switches<TIndex> switches, ExecutionOptions options, string gradientName)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(gradient, gradientName);
        if (shape != switches.SourceShape)
        {
            ThrowHelper.ThrowArgument(gradientName, $"Tensor {gradientName} has shape {shape}; the switches index a {switches.SourceShape} tensor.");
        }

        Shape4D pooled = switches.PooledShape;
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(gradient, TensorAdapter.Lengths(pooled));
        IndexGather2DTensor(gradient, switches.Indices.AsReadOnlyTensorSpan(), pooled, switches.SourceSize, switches.Geometry, result.AsTensorSpan(), switches.Convention, options, nameof(switches));
        return result;
    }

    /// <summary>Rejects indices of another shape than the pooled <paramref name="shape"/>, and a gradient whose N or C
    /// differ from it.</summary>
    private static void RequireGatherShapes<TIndex>(in ReadOnlyTensorSpan<TIndex> indices, Shape4D shape, Shape4D indexedShape, string indexedName)
    {
        Shape4D indexShape = TensorAdapter.GetShape(indices, nameof(indices));
        if (indexShape != shape)
        {
            ThrowHelper.ThrowArgument(nameof(indices), $"Tensor indices has shape {indexShape}; it must match the pooled {shape}.");
        }

        if (indexedShape.Batch != shape.Batch || indexedShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(indexedName, $"Tensor {indexedName} has shape {indexedShape}; N and C must match the pooled {shape}.");
        }
    }

    /// <summary>The gather of TensorSpans (shapes validated): channels_last ones read in place, others through dense views.</summary>
    private static void IndexGather2DTensor<T, TIndex>(
        in ReadOnlyTensorSpan<T> gradient, in ReadOnlyTensorSpan<TIndex> indices, Shape4D pooledShape, Size2D indexedSize, Pool2DGeometry geometry,
        in TensorSpan<T> result, IndexConvention indexConvention, ExecutionOptions options, string indicesName = "indices")
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Guard.NoSelfOverlap(result, "sourceGradient");
        Guard.NoViewOverlap(result.AsReadOnlyTensorSpan(), gradient, "sourceGradient", "outputGradient");
        Guard.NoViewOverlap(result.AsReadOnlyTensorSpan(), indices, "sourceGradient", nameof(indices));
        if (TensorAdapter.IsChannelsLast(gradient) && TensorAdapter.IsChannelsLastDense(indices))
        {
            using ChannelsLastWriteView<T> view = TensorAdapter.WriteChannelsLast(result);
            Shape4D last = Shape4D.ChannelsLast(pooledShape.Batch, pooledShape.Height, pooledShape.Width, pooledShape.Channels);
            IndexGather2DCore(TensorAdapter.ChannelsLastSpan(gradient), TensorAdapter.ChannelsLastSpan(indices), last, indexedSize, geometry, view.Span, indexConvention, options, indicesName);
            view.Commit();
            return;
        }

        using ReadView<T> g = TensorAdapter.Read(gradient);
        using ReadView<TIndex> i = TensorAdapter.Read(indices);
        using WriteView<T> r = TensorAdapter.Write(result);
        IndexGather2DCore(g.Span, i.Span, pooledShape, indexedSize, geometry, r.Span, indexConvention, options, indicesName);
        r.Commit();
    }

    /// <summary>
    /// The gather through 2-D indices (lengths, sizes and overlaps validated by the caller): <paramref name="result"/>
    /// (<paramref name="pooledShape"/>) reads <paramref name="gradient"/> (<paramref name="pooledShape"/> with
    /// <paramref name="indexedSize"/>, the same layout) at the cell each index names. Every index is checked first; a bad
    /// one throws (naming <paramref name="indicesName"/>) before anything is written. The backward of argmax unpooling and
    /// the double backward of max pooling.
    /// </summary>
    private static unsafe void IndexGather2DCore<T, TIndex>(
        ReadOnlySpan<T> gradient, ReadOnlySpan<TIndex> indices, Shape4D pooledShape, Size2D indexedSize, Pool2DGeometry geometry, Span<T> result,
        IndexConvention indexConvention, ExecutionOptions options, string indicesName)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (pooledShape.ElementCount == 0)
        {
            return;
        }

        Shape4D indexedShape = pooledShape.WithSpatialSize(indexedSize);
        int planes = (int)pooledShape.PlaneCount;
        int degree = options.ResolveDegree(planes, pooledShape.ElementCount + indexedShape.ElementCount);
        fixed (T* g = gradient)
        fixed (TIndex* i = indices)
        fixed (T* r = result)
        {
            long bad;
            if (pooledShape.Layout == TensorLayout.ChannelsLast)
            {
                var plan = ChannelsLastUnpoolKernel.For2D(pooledShape, indexedSize, geometry, indexConvention);
                bad = IndexGather.ChannelsLast(g, i, r, plan, degree);
                if (bad >= 0)
                {
                    ChannelsLastUnpoolKernel.ThrowBadIndex(indicesName, indices[(int)bad], bad, plan);
                }

                return;
            }

            if (indexConvention == IndexConvention.InWindow)
            {
                // Byte switches of windows that tile an output of at least kernel * pooled cells, once checked below
                // kH*kW: each pooled cell reads its own block, so the block gather through the switches themselves serves.
                // (Per-plane indices encoded into such codes first measured no faster than the general gather below,
                // whose cost is the gradient's stream: 2.32 against 2.22 ms on B1 at one thread, min of 15.)
                if (typeof(TIndex) == typeof(byte) && BlockKernel.IsDenseCandidate(geometry, pooledShape.SpatialSize, indexedSize) && geometry.Dilation == new Size2D(1, 1)
                    && TensorPrimitives.Max(MemoryMarshal.Cast<TIndex, byte>(indices)) < geometry.KernelSize.Height * geometry.KernelSize.Width)
                {
                    BlockKernel.GatherTaps(g, (byte*)i, r, planes, pooledShape.SpatialSize, indexedSize, geometry.KernelSize, degree);
                    return;
                }

                var taps = new WindowTaps(geometry, pooledShape.SpatialSize, indexedSize);
                bad = IndexGather.InWindow(g, i, r, planes, taps, degree);
                if (bad >= 0)
                {
                    InWindowKernel.ThrowBadTap(indicesName, indices[(int)bad], bad, taps, pooledShape);
                }

                return;
            }

            // Per-plane indices of windows that tile, each in its own window (what max pooling writes): encoded into
            // private tap codes, then the block gather reads whole gradient rows (B1 at one thread: 3.08 -> 2.67 ms in a
            // BenchmarkDotNet pair on a Xeon with 260 MB of L3).
            if (indexConvention == IndexConvention.PerPlane && BlockKernel.IsDenseCandidate(geometry, pooledShape.SpatialSize, indexedSize)
                && BlockKernel.TryGatherDense(g, i, r, planes, pooledShape.SpatialSize, indexedSize, geometry.KernelSize, degree))
            {
                return;
            }

            bad = indexConvention == IndexConvention.PerPlane
                ? IndexGather.PerPlane(g, i, r, planes, pooledShape.PlaneSize, indexedShape.PlaneSize, degree, IndexGather.RowPrefetch.For2D(geometry, pooledShape.SpatialSize, indexedSize))
                : IndexGather.Layout(g, i, r, planes, pooledShape.PlaneSize, new IndexLayout(indexConvention, indexedShape), degree);
            if (bad >= 0)
            {
                ThrowHelper.ThrowBadIndex(indicesName, indices[(int)bad], bad, pooledShape.PlaneSize, new IndexLayout(indexConvention, indexedShape), indexedShape);
            }
        }
    }
}
