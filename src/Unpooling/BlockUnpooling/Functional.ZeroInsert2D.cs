using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D zero insertion over <c>[N, C, H, W]</c>: <c>z[h*sh, w*sw] = x[h, w]</c> with <c>s-1</c> zeros between
    /// neighbours, giving <c>[N, C, (H-1)*sh + 1, (W-1)*sw + 1]</c>. This is the first step of the textbook transposed
    /// convolution; its adjoint is
    /// <see cref="StridedSubsample2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, ExecutionOptions)"/>.
    /// <para>Its backward pass is <c>StridedSubsample2D</c> of the output gradient with the same stride (there is no
    /// separate <c>ZeroInsert2DBackward</c>): the adjoint tests prove <c>&lt;ZeroInsert(x), y&gt; = &lt;x, StridedSubsample(y)&gt;</c>
    /// exactly on integer data.</para>
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (zero insertion only moves data; "zero" is
    /// <c>default(T)</c>).</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*C*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, H, W]</c>; a channels-last one (<see cref="Shape4D.ChannelsLast"/>) means
    /// <paramref name="source"/> and <paramref name="destination"/> are dense <c>[N, H, W, C]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the zero-inserted planes, <c>N*C*((H-1)*sh+1)*((W-1)*sw+1)</c> elements.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    public static void ZeroInsert2D<T>(ReadOnlySpan<T> source, Shape4D sourceShape, Size2D stride, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => StridedCore(true, source, sourceShape, stride, destination, options);

    /// <summary>2-D zero insertion over rank-4 tensors (any strides); see
    /// <see cref="ZeroInsert2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: any unmanaged type (zero insertion only moves data; "zero" is
    /// <c>default(T)</c>).</typeparam>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, C, (H-1)*sh+1, (W-1)*sw+1]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all (TensorSpans over native memory)
    /// when each sample (<c>C*H*W</c> elements of either tensor) fits <see cref="Array.MaxLength"/>: they are then
    /// processed by runs of whole samples through slices (dense ones in place), with the same result.</remarks>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is out of range.</exception>
    public static void ZeroInsert2D<T>(in ReadOnlyTensorSpan<T> source, Size2D stride, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => StridedTensor(true, source, stride, destination, options);

    /// <summary>2-D zero insertion into a new <c>[N, C, (H-1)*sh+1, (W-1)*sw+1]</c> tensor.</summary>
    /// <typeparam name="T">The element type: any unmanaged type (zero insertion only moves data; "zero" is
    /// <c>default(T)</c>).</typeparam>
    /// <param name="source">The rank-4 input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The zero-inserted tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    public static Tensor<T> ZeroInsert2D<T>(Tensor<T> source, Size2D stride, ExecutionOptions options = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return StridedAllocating(true, source.AsReadOnlyTensorSpan(), stride, options);
    }

    /// <inheritdoc cref="ZeroInsert2D{T}(Tensor{T}, Size2D, ExecutionOptions)"/>
    public static Tensor<T> ZeroInsert2D<T>(in ReadOnlyTensorSpan<T> source, Size2D stride, ExecutionOptions options = default)
        where T : unmanaged
        => StridedAllocating(true, source, stride, options);

    /// <summary>
    /// 2-D strided subsample over <c>[N, C, H, W]</c>: <c>x[h, w] = z[h*sh, w*sw]</c>, giving
    /// <c>[N, C, (H-1)/sh + 1, (W-1)/sw + 1]</c>. The adjoint of
    /// <see cref="ZeroInsert2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, ExecutionOptions)"/> (and its left inverse).
    /// <para>It is therefore the backward pass of <c>ZeroInsert2D</c>, and <c>ZeroInsert2D</c> of the output gradient
    /// is its own: exactly when the subsampled size is <c>(o-1)*s + 1</c> per axis; for a larger one the gradient is that
    /// zero insertion followed by zeros up to the source size (the cells no output reads).</para>
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (zero insertion only moves data; "zero" is
    /// <c>default(T)</c>).</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*C*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, H, W]</c>; a channels-last one (<see cref="Shape4D.ChannelsLast"/>) means
    /// <paramref name="source"/> and <paramref name="destination"/> are dense <c>[N, H, W, C]</c>.</param>
    /// <param name="stride">The step per axis, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the kept cells, <c>N*C*((H-1)/sh+1)*((W-1)/sw+1)</c> elements.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    public static void StridedSubsample2D<T>(ReadOnlySpan<T> source, Shape4D sourceShape, Size2D stride, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => StridedCore(false, source, sourceShape, stride, destination, options);

    /// <summary>2-D strided subsample over rank-4 tensors (any strides); see
    /// <see cref="StridedSubsample2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, ExecutionOptions)"/>.</summary>
    /// <typeparam name="T">The element type: any unmanaged type (zero insertion only moves data; "zero" is
    /// <c>default(T)</c>).</typeparam>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The step per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its shape must be <c>[N, C, (H-1)/sh+1, (W-1)/sw+1]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all (TensorSpans over native memory)
    /// when each sample (<c>C*H*W</c> elements of either tensor) fits <see cref="Array.MaxLength"/>: they are then
    /// processed by runs of whole samples through slices (dense ones in place), with the same result.</remarks>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is out of range.</exception>
    public static void StridedSubsample2D<T>(in ReadOnlyTensorSpan<T> source, Size2D stride, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => StridedTensor(false, source, stride, destination, options);

    /// <summary>2-D strided subsample into a new <c>[N, C, (H-1)/sh+1, (W-1)/sw+1]</c> tensor.</summary>
    /// <typeparam name="T">The element type: any unmanaged type (zero insertion only moves data; "zero" is
    /// <c>default(T)</c>).</typeparam>
    /// <param name="source">The rank-4 input <c>[N, C, H, W]</c>.</param>
    /// <param name="stride">The step per axis, each &gt;= 1.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The subsampled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>

    /// <inheritdoc cref="StridedSubsample2D{T}(Tensor{T}, Size2D, ExecutionOptions)"/>
    public static Tensor<T> StridedSubsample2D<T>(Tensor<T> source, Size2D stride, ExecutionOptions options = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return StridedAllocating(false, source.AsReadOnlyTensorSpan(), stride, options);
    }

    /// <inheritdoc cref="StridedSubsample2D{T}(Tensor{T}, Size2D, ExecutionOptions)"/>
    public static Tensor<T> StridedSubsample2D<T>(in ReadOnlyTensorSpan<T> source, Size2D stride, ExecutionOptions options = default)
        where T : unmanaged
        => StridedAllocating(false, source, stride, options);

    private static Shape4D StridedOutputShape(bool insert, Shape4D shape, Size2D stride, bool bySamples = false)
    {
        Guard.AtLeast(stride, 1, nameof(stride));
        long h = insert ? ((long)(shape.Height - 1) * stride.Height) + 1 : ((shape.Height - 1) / stride.Height) + 1;
        long w = insert ? ((long)(shape.Width - 1) * stride.Width) + 1 : ((shape.Width - 1) / stride.Width) + 1;
        if (h > int.MaxValue || w > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(nameof(stride), $"Zero insertion of {shape} with stride {stride} gives {h}x{w} planes; each size must be <= {int.MaxValue}.");
        }

        var output = shape.WithSpatialSize(new Size2D((int)h, (int)w));
        if (!bySamples)
        {
            output.Validate(nameof(stride), allowChannelsLast: true);
        }
        else
        {
            // Run by runs of samples: each output sample must fit a span.
            TensorAdapter.RequireSampleFits(output, nameof(stride), "output");
        }

        return output;
    }

    private static unsafe void StridedCore<T>(bool insert, ReadOnlySpan<T> source, Shape4D sourceShape, Size2D stride, Span<T> destination, ExecutionOptions options)
        where T : unmanaged
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        Shape4D outputShape = StridedOutputShape(insert, sourceShape, stride);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outH*outW of", outputShape);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        int planes = (int)sourceShape.PlaneCount;
        fixed (T* s = source)
        fixed (T* d = destination)
        {
            if (sourceShape.Layout == TensorLayout.ChannelsLast)
            {
                BlockRanks.Run(insert ? BlockRankOp.ZeroInsert : BlockRankOp.Subsample, s, d, BlockRanks.Lift(sourceShape), BlockRanks.Lift(outputShape.SpatialSize), BlockRanks.Lift(stride, 1), default, 0, default(T), options, 0);
                return;
            }

            if (insert)
            {
                int degree = options.ResolveDegree(outputShape.PlaneCount * outputShape.Height, outputShape.ElementCount + sourceShape.ElementCount);
                BlockKernel.ZeroInsert(s, d, planes, sourceShape.SpatialSize, outputShape.SpatialSize, stride, degree);
            }
            else
            {
                var body = new SubsampleBody3D<T> { Spread = s, Compact = d, Small = BlockRanks.Lift(outputShape.SpatialSize), Large = BlockRanks.Lift(sourceShape.SpatialSize), Stride = BlockRanks.Lift(stride), Slices = planes };
                ParallelRunner.Run(ref body, planes, options.ResolveDegree(planes, outputShape.ElementCount + sourceShape.ElementCount));
            }
        }
    }

    private static void StridedTensor<T>(bool insert, in ReadOnlyTensorSpan<T> source, Size2D stride, in TensorSpan<T> destination, ExecutionOptions options)
        where T : unmanaged
    {
        Shape4D shape = TensorAdapter.GetBatchedShape(source, nameof(source));
        long runElements = source.FlattenedLength > Array.MaxLength || destination.FlattenedLength > Array.MaxLength ? SampleRunElements : long.MaxValue;
        StridedSamples(insert, source, shape, stride, destination, options, runElements);
    }

    /// <summary>
    /// Zero insertion or subsampling of TensorSpans by runs of whole samples of about <c>runElements</c> elements (one
    /// run when the tensors fit a span; the tests pass small values): planes are independent, so the split changes
    /// nothing. The shape checks and a whole-tensor overlap check run before the first run writes.
    /// </summary>
    internal static void StridedSamples<T>(bool insert, in ReadOnlyTensorSpan<T> source, Shape4D shape, Size2D stride, in TensorSpan<T> destination, ExecutionOptions options, long runElements)
        where T : unmanaged
    {
        bool bySamples = runElements != long.MaxValue;
        Shape4D outputShape = StridedOutputShape(insert, shape, stride, bySamples);
        TensorAdapter.RequireShape(destination, outputShape, nameof(destination));

        // The caller's memory, not the dense copies a strided view is computed through (those never overlap anything).
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));
        if (ChannelsLastViews.BothChannelsLast(source, destination.AsReadOnlyTensorSpan()))
        {
            // PyTorch channels_last views: the channels-last kernel in place (runs of samples keep the strides).
            long pixels = Math.Max((long)shape.Channels * shape.Height * shape.Width, (long)outputShape.Channels * outputShape.Height * outputShape.Width);
            int samples = !bySamples ? Math.Max(1, shape.Batch) : TensorAdapter.SamplesPerRun(runElements, pixels, shape.Batch);
            for (int n0 = 0; n0 < shape.Batch; n0 += samples)
            {
                int count = Math.Min(samples, shape.Batch - n0);
                ReadOnlyTensorSpan<T> s = count == shape.Batch ? source : source.Slice(TensorAdapter.Samples(n0, count));
                TensorSpan<T> d = count == shape.Batch ? destination : destination.Slice(TensorAdapter.Samples(n0, count));
                StridedCore(insert, ChannelsLastViews.Span(s), shape with { Batch = count, Layout = TensorLayout.ChannelsLast }, stride, ChannelsLastViews.Span(d), options);
            }

            return;
        }

        if (!bySamples)
        {
            using ReadView<T> s = TensorAdapter.Read(source);
            using WriteView<T> d = TensorAdapter.Write(destination);
            StridedCore(insert, s.Span, shape, stride, d.Span, options);
            d.Commit();
            return;
        }

        long sample = Math.Max((long)shape.Channels * shape.Height * shape.Width, (long)outputShape.Channels * outputShape.Height * outputShape.Width);
        int run = TensorAdapter.SamplesPerRun(runElements, sample, shape.Batch);
        for (int n0 = 0; n0 < shape.Batch; n0 += run)
        {
            int count = Math.Min(run, shape.Batch - n0);
            using ReadView<T> s = TensorAdapter.Read(source.Slice(TensorAdapter.Samples(n0, count)));
            using WriteView<T> d = TensorAdapter.Write(destination.Slice(TensorAdapter.Samples(n0, count)));
            StridedCore(insert, s.Span, shape with { Batch = count }, stride, d.Span, options);
            d.Commit();
        }
    }

    private static Tensor<T> StridedAllocating<T>(bool insert, in ReadOnlyTensorSpan<T> source, Size2D stride, ExecutionOptions options)
        where T : unmanaged
    {
        Shape4D outputShape = StridedOutputShape(insert, TensorAdapter.GetShape(source, nameof(source)), stride);
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, TensorAdapter.Lengths(outputShape));
        StridedTensor(insert, source, stride, result.AsTensorSpan(), options);
        return result;
    }
}
