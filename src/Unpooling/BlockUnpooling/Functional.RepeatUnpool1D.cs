using System.Numerics;
using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Repeat unpooling (nearest-neighbour upsampling by an integer factor) in 1-D: every cell of block <c>i</c> gets
    /// <c>x[i]</c>; cells outside every block (a larger explicit output) are zero.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The input, dense <c>[N, C, L]</c> (or channels-last <c>[N, L, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape3D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="factor">The block size (= stride), each &gt;= 1.</param>
    /// <param name="destination">Receives <c>[N, C, outL]</c> in the source's layout; every element is written.</param>
    /// <param name="outputSize">The output length; <see langword="null"/> for <c>input * factor</c>. An explicit size
    /// must lie strictly between <c>default - factor</c> and <c>default + factor</c>; values whose target falls
    /// outside a smaller output are dropped.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps <paramref name="source"/>.</exception>
    public static void RepeatUnpool1D<T>(ReadOnlySpan<T> source, Shape3D sourceShape, int factor, Span<T> destination, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksCore(BlockRankOp.Repeat, source, BlockRanks.Lift(sourceShape), BlockRanks.Lift(factor), default, 0, destination, (outputSize is { } l ? BlockRanks.Lift(l) : null), T.Zero, options, 1, nameof(outputSize));

    /// <summary>
    /// <see cref="RepeatUnpool1D{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, int?, ExecutionOptions)"/> over
    /// rank-3 tensors (logical <c>[N, C, L]</c>, any strides); the output size is <paramref name="destination"/>'s (same
    /// rule as the explicit size). Two PyTorch channels-last views run the channels-last kernel in place; other
    /// strided views are gathered into a dense copy.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The input <c>[N, C, L]</c>.</param>
    /// <param name="factor">The block size.</param>
    /// <param name="destination">Receives <c>[N, C, outL]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void RepeatUnpool1D<T>(in ReadOnlyTensorSpan<T> source, int factor, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksTensor(BlockRankOp.Repeat, source, BlockRanks.Lift(factor), default, 0, destination, T.Zero, options, 1);

    /// <summary>RepeatUnpool 1-D into a new <c>[N, C, outL]</c> tensor (channels-first).</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The rank-3 input <c>[N, C, L]</c>.</param>
    /// <param name="factor">The block size.</param>
    /// <param name="outputSize">The output length, or <see langword="null"/> for <c>input * factor</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-3, or the output size is out of range or would
    /// exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> RepeatUnpool1D<T>(Tensor<T> source, int factor, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.Repeat, source.AsReadOnlyTensorSpan(), BlockRanks.Lift(factor), default, 0, (outputSize is { } l ? BlockRanks.Lift(l) : null), T.Zero, options, 1);
    }

    /// <inheritdoc cref="RepeatUnpool1D{T}(Tensor{T}, int, int?, ExecutionOptions)"/>
    public static Tensor<T> RepeatUnpool1D<T>(in ReadOnlyTensorSpan<T> source, int factor, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksAllocating(BlockRankOp.Repeat, source, BlockRanks.Lift(factor), default, 0, (outputSize is { } l ? BlockRanks.Lift(l) : null), T.Zero, options, 1);

    /// <summary>
    /// The backward pass of <c>RepeatUnpool1D</c>: the block sum: <c>sourceGradient[i]</c> is the sum of the gradient over the block <c>[i*factor, (i+1)*factor)</c> (cut by the output), added from zero in row-major block order (PyTorch <c>upsample_nearest</c>'s backward order).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, C, outL] (channels-last when
    /// <paramref name="sourceShape"/> is).</param>
    /// <param name="sourceShape">The forward's source shape [N, C, L].</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source; every element is written.</param>
    /// <param name="outputSize">The forward's output length, or <see langword="null"/> for <c>source * factor</c>;
    /// the forward's rule applies (strictly within one factor of the default).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="sourceGradient"/> overlaps <paramref name="outputGradient"/>.</exception>
    public static void RepeatUnpool1DBackward<T>(ReadOnlySpan<T> outputGradient, Shape3D sourceShape, int factor, Span<T> sourceGradient, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardCore(BlockRankOp.Repeat, outputGradient, BlockRanks.Lift(sourceShape), BlockRanks.Lift(factor), default, 0, sourceGradient, (outputSize is { } l ? BlockRanks.Lift(l) : null), options, 1, nameof(outputSize));

    /// <summary>
    /// The backward pass of <c>RepeatUnpool1D</c> over tensors of any strides (channels_last ones in place); the forward's output
    /// size is <paramref name="outputGradient"/>'s spatial size. See <see cref="RepeatUnpool1DBackward{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, int?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void RepeatUnpool1DBackward<T>(in ReadOnlyTensorSpan<T> outputGradient, int factor, in TensorSpan<T> sourceGradient, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardTensor(BlockRankOp.Repeat, outputGradient, BlockRanks.Lift(factor), default, 0, sourceGradient, options, 1);

    /// <summary>
    /// The backward pass of <c>RepeatUnpool1D</c> into a new tensor of the forward's source size (the output size alone does not
    /// determine it when the forward was given an explicit size). See <see cref="RepeatUnpool1DBackward{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, int?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceSize">The forward's source length.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outputGradient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The factor or source size is out of range.</exception>
    /// <exception cref="ArgumentException">The output gradient's size does not follow from the source size.</exception>
    public static Tensor<T> RepeatUnpool1DBackward<T>(Tensor<T> outputGradient, int factor, int sourceSize, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardAllocating(BlockRankOp.Repeat, outputGradient, BlockRanks.Lift(factor), BlockRanks.Lift(sourceSize), default, 0, options, 1);
}
