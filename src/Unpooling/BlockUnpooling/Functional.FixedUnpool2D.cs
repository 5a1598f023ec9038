using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Fixed-position unpooling (Dosovitskiy et al. 2015): per axis, input cell <c>i</c> goes to output cell
    /// <c>i * factor + offset</c> of its <c>factor</c>-sized block, zeros elsewhere. The default offset (0, 0) is the
    /// upper-left corner, the paper's operator.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Every type of 1, 2, 4 or 8 bytes whose zero is all-zero bits (<see cref="float"/>,
    /// <see cref="double"/>, <see cref="Half"/>, the integers up to 64 bits) is vectorized on its storage bits; any other
    /// type runs the scalar path.</typeparam>
    /// <param name="source">The input, dense row-major <c>[N, C, H, W]</c>.</param>
    /// <param name="sourceShape">The input shape; a channels-last one (<see cref="Shape4D.ChannelsLast"/>) means <paramref name="source"/>
    /// and <paramref name="destination"/> are dense <c>[N, H, W, C]</c> (the channels-last kernel, vectorized along C).</param>
    /// <param name="factor">The block size (= stride) per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>; every element is written.</param>
    /// <param name="offset">The position inside each block, <c>0 &lt;= offset &lt; factor</c> per axis.</param>
    /// <param name="outputSize">The output (H, W); <see langword="null"/> for <c>(H * factor.Height, W * factor.Width)</c>.
    /// An explicit size must lie strictly between <c>default - factor</c> and <c>default + factor</c> per axis; values
    /// whose target falls outside a smaller output are dropped.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> or <paramref name="offset"/> is out of
    /// range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps <paramref name="source"/>.</exception>
    public static void FixedUnpool2D<T>(ReadOnlySpan<T> source, Shape4D sourceShape, Size2D factor, Span<T> destination, Size2D offset = default, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockUnpool2DCore(BlockUnpoolMode.Fixed, source, sourceShape, factor, offset, 0, destination, outputSize, options, nameof(outputSize));

    /// <summary>
    /// Fixed-position unpooling over rank-4 tensors (any strides); the output size is <paramref name="destination"/>'s
    /// spatial size (same rule as the explicit size of
    /// <see cref="FixedUnpool2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, Size2D, Size2D?, ExecutionOptions)"/>).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Every type of 1, 2, 4 or 8 bytes whose zero is all-zero bits (<see cref="float"/>,
    /// <see cref="double"/>, <see cref="Half"/>, the integers up to 64 bits) is vectorized on its storage bits; any other
    /// type runs the scalar path.</typeparam>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>.</param>
    /// <param name="offset">The position inside each block.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor or offset is out of range.</exception>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all (TensorSpans over native memory)
    /// when each sample (<c>C*H*W</c> elements of either tensor) fits <see cref="Array.MaxLength"/>: they are then
    /// processed by runs of whole samples through slices (dense ones in place), with the same result.</remarks>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void FixedUnpool2D<T>(in ReadOnlyTensorSpan<T> source, Size2D factor, in TensorSpan<T> destination, Size2D offset = default, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockUnpool2DTensor(BlockUnpoolMode.Fixed, source, factor, offset, 0, destination, options);

    /// <summary>Fixed-position unpooling into a new <c>[N, C, outH, outW]</c> tensor.</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Every type of 1, 2, 4 or 8 bytes whose zero is all-zero bits (<see cref="float"/>,
    /// <see cref="double"/>, <see cref="Half"/>, the integers up to 64 bits) is vectorized on its storage bits; any other
    /// type runs the scalar path.</typeparam>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="offset">The position inside each block; default upper-left.</param>
    /// <param name="outputSize">The output (H, W), or <see langword="null"/> for <c>input * factor</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A factor or offset is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4 or the output size is out of range.</exception>
    public static Tensor<T> FixedUnpool2D<T>(Tensor<T> source, Size2D factor, Size2D offset = default, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockUnpool2DAllocating(BlockUnpoolMode.Fixed, source.AsReadOnlyTensorSpan(), factor, offset, 0, outputSize, options);
    }

    /// <inheritdoc cref="FixedUnpool2D{T}(Tensor{T}, Size2D, Size2D, Size2D?, ExecutionOptions)"/>
    public static Tensor<T> FixedUnpool2D<T>(in ReadOnlyTensorSpan<T> source, Size2D factor, Size2D offset = default, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockUnpool2DAllocating(BlockUnpoolMode.Fixed, source, factor, offset, 0, outputSize, options);

    private static Size2D ValidateBlockUnpool(Shape4D sourceShape, Size2D factor, Size2D offset, Size2D? outputSize, string outputSizeName)
    {
        if (factor.Height < 1 || factor.Width < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(factor), factor, $"Each factor must be >= 1; got {factor}.");
        }

        if (offset.Height < 0 || offset.Width < 0 || offset.Height >= factor.Height || offset.Width >= factor.Width)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(offset), offset, $"Offset {offset} must lie inside the {factor} block: 0 <= offset < factor per axis.");
        }

        // An explicit size is judged against the default in 64 bits, which need not fit an int itself (SEMANTICS.md 2).
        long h = (long)sourceShape.Height * factor.Height, w = (long)sourceShape.Width * factor.Width;
        if (outputSize is { } requested)
        {
            return UnpoolSize.Resolve(h, w, factor, requested, outputSizeName);
        }

        if (h > int.MaxValue || w > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(nameof(factor), $"Unpooling {sourceShape} by {factor} gives {h}x{w}, beyond {int.MaxValue} per axis.");
        }

        return new Size2D((int)h, (int)w);
    }

    private static unsafe void BlockUnpool2DCore<T>(
        BlockUnpoolMode mode, ReadOnlySpan<T> source, Shape4D sourceShape, Size2D factor, Size2D offset, ulong seed, Span<T> destination,
        Size2D? outputSize, ExecutionOptions options, string outputSizeName, long planeBase = 0)
        where T : unmanaged, INumberBase<T>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        Size2D size = ValidateBlockUnpool(sourceShape, factor, offset, outputSize, outputSizeName);
        Shape4D outputShape = sourceShape.WithSpatialSize(size);

        // The argument that made the output too large: the factor, unless the caller chose the size (as the
        // allocating forms name it).
        outputShape.Validate(outputSize is null ? nameof(factor) : outputSizeName, allowChannelsLast: true);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outH*outW of", outputShape);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        int degree = options.ResolveDegree(outputShape.PlaneCount * size.Height, outputShape.ElementCount);
        fixed (T* s = source)
        fixed (T* d = destination)
        {
            if (sourceShape.Layout == TensorLayout.ChannelsLast)
            {
                BlockRanks.Run(BlockRanks.Op(mode), s, d, BlockRanks.Lift(sourceShape), BlockRanks.Lift(size), BlockRanks.Lift(factor, 1), BlockRanks.Lift(offset, 0), seed, T.Zero, options, planeBase);
                return;
            }

            BlockKernel.Unpool(mode, s, d, (int)sourceShape.PlaneCount, sourceShape.SpatialSize, size, factor, offset, seed, degree, planeBase: planeBase);
        }
    }

    private static void BlockUnpool2DTensor<T>(
        BlockUnpoolMode mode, in ReadOnlyTensorSpan<T> source, Size2D factor, Size2D offset, ulong seed, in TensorSpan<T> destination, ExecutionOptions options)
        where T : unmanaged, INumberBase<T>
    {
        Shape4D shape = TensorAdapter.GetBatchedShape(source, nameof(source));
        Shape4D outputShape = TensorAdapter.GetBatchedShape(destination.AsReadOnlyTensorSpan(), nameof(destination));
        if (outputShape.Batch != shape.Batch || outputShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Tensor destination has shape {outputShape}; N and C must match source's {shape}.");
        }

        long runElements = source.FlattenedLength > Array.MaxLength || destination.FlattenedLength > Array.MaxLength ? SampleRunElements : long.MaxValue;
        BlockUnpool2DSamples(mode, source, shape, factor, offset, seed, destination, outputShape.SpatialSize, options, runElements);
    }

    /// <summary>
    /// The TensorSpan forms of the fixed family by runs of whole samples of about <c>runElements</c> elements (one run,
    /// the whole tensor, when it fits a span; the tests pass small values): each plane is independent, and the random
    /// offsets hash the plane's number in the whole tensor, so the result never depends on the split. The shape checks
    /// (the same for every run) and a whole-tensor overlap check run before the first run writes.
    /// </summary>
    internal static void BlockUnpool2DSamples<T>(
        BlockUnpoolMode mode, in ReadOnlyTensorSpan<T> source, Shape4D shape, Size2D factor, Size2D offset, ulong seed, in TensorSpan<T> destination,
        Size2D outputSize, ExecutionOptions options, long runElements)
        where T : unmanaged, INumberBase<T>
    {
        // The factor, offset and size first (the span form's order), then the caller's memory: not the dense copies a
        // strided view is computed through, which never overlap anything.
        ValidateBlockUnpool(shape, factor, offset, outputSize, nameof(destination));
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));
        if (ChannelsLastViews.BothChannelsLast(source, destination.AsReadOnlyTensorSpan()))
        {
            // PyTorch channels_last views over dense [N, H, W, C] memory: the channels-last kernel in place, by runs of
            // samples when the tensors pass a span (slicing the batch keeps the strides).
            long pixels = Math.Max((long)shape.Channels * shape.Height * shape.Width, (long)shape.Channels * outputSize.Height * outputSize.Width);
            int samples = runElements == long.MaxValue ? Math.Max(1, shape.Batch) : TensorAdapter.SamplesPerRun(runElements, pixels, shape.Batch);
            for (int n0 = 0; n0 < shape.Batch; n0 += samples)
            {
                int count = Math.Min(samples, shape.Batch - n0);
                ReadOnlyTensorSpan<T> s = count == shape.Batch ? source : source.Slice(TensorAdapter.Samples(n0, count));
                TensorSpan<T> d = count == shape.Batch ? destination : destination.Slice(TensorAdapter.Samples(n0, count));
                BlockUnpool2DCore(mode, ChannelsLastViews.Span(s), shape with { Batch = count, Layout = TensorLayout.ChannelsLast }, factor, offset, seed, ChannelsLastViews.Span(d), outputSize, options, nameof(destination), planeBase: (long)n0 * shape.Channels);
            }

            return;
        }

        if (runElements == long.MaxValue)
        {
            using ReadView<T> s = TensorAdapter.Read(source);
            using WriteView<T> d = TensorAdapter.Write(destination);
            BlockUnpool2DCore(mode, s.Span, shape, factor, offset, seed, d.Span, outputSize, options, nameof(destination));
            d.Commit();
            return;
        }

        long sample = Math.Max((long)shape.Channels * shape.Height * shape.Width, (long)shape.Channels * outputSize.Height * outputSize.Width);
        int run = TensorAdapter.SamplesPerRun(runElements, sample, shape.Batch);
        for (int n0 = 0; n0 < shape.Batch; n0 += run)
        {
            int count = Math.Min(run, shape.Batch - n0);
            using ReadView<T> s = TensorAdapter.Read(source.Slice(TensorAdapter.Samples(n0, count)));
            using WriteView<T> d = TensorAdapter.Write(destination.Slice(TensorAdapter.Samples(n0, count)));
            BlockUnpool2DCore(mode, s.Span, shape with { Batch = count }, factor, offset, seed, d.Span, outputSize, options, nameof(destination), planeBase: (long)n0 * shape.Channels);
            d.Commit();
        }
    }

    private static Tensor<T> BlockUnpool2DAllocating<T>(
        BlockUnpoolMode mode, in ReadOnlyTensorSpan<T> source, Size2D factor, Size2D offset, ulong seed, Size2D? outputSize, ExecutionOptions options)
        where T : unmanaged, INumberBase<T>
    {
        Shape4D shape = TensorAdapter.GetShape(source, nameof(source));
        Size2D size = ValidateBlockUnpool(shape, factor, offset, outputSize, nameof(outputSize));
        Shape4D outputShape = shape.WithSpatialSize(size);

        // The argument that made the output too large: the factor, unless the caller chose the size.
        string sizeName = outputSize is null ? nameof(factor) : nameof(outputSize);
        outputShape.Validate(sizeName);
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, TensorAdapter.Lengths(outputShape));
        BlockUnpool2DTensor(mode, source, factor, offset, seed, result.AsTensorSpan(), options);
        return result;
    }

    /// <summary>
    /// The backward pass of <c>FixedUnpool2D</c>: the strided gather at the offset: <c>sourceGradient[i] = outputGradient[i*factor + offset]</c> (zero where a smaller output cut the cell off).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, C, outH, outW] (channels-last when
    /// <paramref name="sourceShape"/> is).</param>
    /// <param name="sourceShape">The forward's source shape [N, C, H, W].</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source; every element is written.</param>
    /// <param name="offset">The forward's offset inside the block.</param>
    /// <param name="outputSize">The forward's output size, or <see langword="null"/> for <c>source * factor</c>;
    /// the forward's rule applies (strictly within one factor of the default).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor or offset is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="sourceGradient"/> overlaps <paramref name="outputGradient"/>.</exception>
    public static void FixedUnpool2DBackward<T>(ReadOnlySpan<T> outputGradient, Shape4D sourceShape, Size2D factor, Span<T> sourceGradient, Size2D offset = default, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardCore(BlockRankOp.Fixed, outputGradient, BlockRanks.Lift(sourceShape), BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, sourceGradient, (outputSize is { } s ? BlockRanks.Lift(s) : null), options, 2, nameof(outputSize));

    /// <summary>
    /// The backward pass of <c>FixedUnpool2D</c> over tensors of any strides (channels_last ones in place); the forward's output
    /// size is <paramref name="outputGradient"/>'s spatial size. See <see cref="FixedUnpool2DBackward{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, Size2D, Size2D?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source.</param>
    /// <param name="offset">The forward's offset inside the block.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor or offset is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void FixedUnpool2DBackward<T>(in ReadOnlyTensorSpan<T> outputGradient, Size2D factor, in TensorSpan<T> sourceGradient, Size2D offset = default, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardTensor(BlockRankOp.Fixed, outputGradient, BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, sourceGradient, options, 2);

    /// <summary>
    /// The backward pass of <c>FixedUnpool2D</c> into a new tensor of the forward's source size (the output size alone does not
    /// determine it when the forward was given an explicit size). See <see cref="FixedUnpool2DBackward{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, Size2D, Size2D?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceSize">The forward's source size.</param>
    /// <param name="offset">The forward's offset inside the block.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outputGradient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The factor, offset or source size is out of range.</exception>
    /// <exception cref="ArgumentException">The output gradient's size does not follow from the source size.</exception>
    public static Tensor<T> FixedUnpool2DBackward<T>(Tensor<T> outputGradient, Size2D factor, Size2D sourceSize, Size2D offset = default, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardAllocating(BlockRankOp.Fixed, outputGradient, BlockRanks.Lift(factor), BlockRanks.Lift(sourceSize), BlockRanks.Lift(offset, 0), 0, options, 2);
}
