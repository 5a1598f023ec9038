using System.Numerics;
using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Repeat unpooling (nearest-neighbour upsampling by an integer factor) in 3-D: every cell of block <c>i</c> gets
    /// <c>x[i]</c>; cells outside every block (a larger explicit output) are zero.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The input, dense <c>[N, C, D, H, W]</c> (or channels-last <c>[N, D, H, W, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape5D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="factor">The block size (= stride) per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives <c>[N, C, outD, outH, outW]</c> in the source's layout; every element is written.</param>
    /// <param name="outputSize">The output (D, H, W); <see langword="null"/> for <c>input * factor</c> per axis. An explicit size
    /// must lie strictly between <c>default - factor</c> and <c>default + factor</c> per axis; values whose target falls
    /// outside a smaller output are dropped.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps <paramref name="source"/>.</exception>
    public static void RepeatUnpool3D<T>(ReadOnlySpan<T> source, Shape5D sourceShape, Size3D factor, Span<T> destination, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksCore(BlockRankOp.Repeat, source, sourceShape, factor, default, 0, destination, outputSize, T.Zero, options, 3, nameof(outputSize));

    /// <summary>
    /// <see cref="RepeatUnpool3D{T}(ReadOnlySpan{T}, Shape5D, Size3D, Span{T}, Size3D?, ExecutionOptions)"/> over
    /// rank-5 tensors (logical <c>[N, C, D, H, W]</c>, any strides); the output size is <paramref name="destination"/>'s (same
    /// rule as the explicit size). Two PyTorch channels-last views run the channels-last kernel in place; other
    /// strided views are gathered into a dense copy.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="destination">Receives <c>[N, C, outD, outH, outW]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void RepeatUnpool3D<T>(in ReadOnlyTensorSpan<T> source, Size3D factor, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksTensor(BlockRankOp.Repeat, source, factor, default, 0, destination, T.Zero, options, 3);

    /// <summary>RepeatUnpool 3-D into a new <c>[N, C, outD, outH, outW]</c> tensor (channels-first).</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The rank-5 input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="outputSize">The output (D, H, W), or <see langword="null"/> for <c>input * factor</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-5, or the output size is out of range or would
    /// exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> RepeatUnpool3D<T>(Tensor<T> source, Size3D factor, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.Repeat, source.AsReadOnlyTensorSpan(), factor, default, 0, outputSize, T.Zero, options, 3);
    }

    /// <inheritdoc cref="RepeatUnpool3D{T}(Tensor{T}, Size3D, Size3D?, ExecutionOptions)"/>
    public static Tensor<T> RepeatUnpool3D<T>(in ReadOnlyTensorSpan<T> source, Size3D factor, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksAllocating(BlockRankOp.Repeat, source, factor, default, 0, outputSize, T.Zero, options, 3);

    /// <summary>
    /// The backward pass of <c>RepeatUnpool3D</c>: the block sum: <c>sourceGradient[i]</c> is the sum of the gradient over the block <c>[i*factor, (i+1)*factor)</c> (cut by the output), added from zero in row-major block order (PyTorch <c>upsample_nearest</c>'s backward order).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, C, outD, outH, outW] (channels-last when
    /// <paramref name="sourceShape"/> is).</param>
    /// <param name="sourceShape">The forward's source shape [N, C, D, H, W].</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source; every element is written.</param>
    /// <param name="outputSize">The forward's output size, or <see langword="null"/> for <c>source * factor</c>;
    /// the forward's rule applies (strictly within one factor of the default).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="sourceGradient"/> overlaps <paramref name="outputGradient"/>.</exception>
    public static void RepeatUnpool3DBackward<T>(ReadOnlySpan<T> outputGradient, Shape5D sourceShape, Size3D factor, Span<T> sourceGradient, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardCore(BlockRankOp.Repeat, outputGradient, sourceShape, factor, default, 0, sourceGradient, outputSize, options, 3, nameof(outputSize));

    /// <summary>
    /// The backward pass of <c>RepeatUnpool3D</c> over tensors of any strides (channels_last ones in place); the forward's output
    /// size is <paramref name="outputGradient"/>'s spatial size. See <see cref="RepeatUnpool3DBackward{T}(ReadOnlySpan{T}, Shape5D, Size3D, Span{T}, Size3D?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void RepeatUnpool3DBackward<T>(in ReadOnlyTensorSpan<T> outputGradient, Size3D factor, in TensorSpan<T> sourceGradient, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardTensor(BlockRankOp.Repeat, outputGradient, factor, default, 0, sourceGradient, options, 3);

    /// <summary>
    /// The backward pass of <c>RepeatUnpool3D</c> into a new tensor of the forward's source size (the output size alone does not
    /// determine it when the forward was given an explicit size). See <see cref="RepeatUnpool3DBackward{T}(ReadOnlySpan{T}, Shape5D, Size3D, Span{T}, Size3D?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceSize">The forward's source size.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outputGradient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The factor or source size is out of range.</exception>
    /// <exception cref="ArgumentException">The output gradient's size does not follow from the source size.</exception>
    public static Tensor<T> RepeatUnpool3DBackward<T>(Tensor<T> outputGradient, Size3D factor, Size3D sourceSize, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardAllocating(BlockRankOp.Repeat, outputGradient, factor, sourceSize, default, 0, options, 3);
}
