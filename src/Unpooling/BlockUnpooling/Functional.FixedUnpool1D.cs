using System.Numerics;
using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Fixed-position unpooling (Dosovitskiy et al. 2015) in 1-D: per axis, input cell <c>i</c> goes to output cell
    /// <c>i * factor + offset</c> of its block, zeros elsewhere; the default offset is the block's first cell (the
    /// paper's operator).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The input, dense <c>[N, C, L]</c> (or channels-last <c>[N, L, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape3D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="factor">The block size (= stride), each &gt;= 1.</param>
    /// <param name="destination">Receives <c>[N, C, outL]</c> in the source's layout; every element is written.</param>
    /// <param name="offset">The position inside each block, <c>0 &lt;= offset &lt; factor</c>.</param>
    /// <param name="outputSize">The output length; <see langword="null"/> for <c>input * factor</c>. An explicit size
    /// must lie strictly between <c>default - factor</c> and <c>default + factor</c>; values whose target falls
    /// outside a smaller output are dropped.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> or <paramref name="offset"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps <paramref name="source"/>.</exception>
    public static void FixedUnpool1D<T>(ReadOnlySpan<T> source, Shape3D sourceShape, int factor, Span<T> destination, int offset = 0, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksCore(BlockRankOp.Fixed, source, BlockRanks.Lift(sourceShape), BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, destination, (outputSize is { } l ? BlockRanks.Lift(l) : null), T.Zero, options, 1, nameof(outputSize));

    /// <summary>
    /// <see cref="FixedUnpool1D{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, int, int?, ExecutionOptions)"/> over
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
    /// <param name="offset">The position inside each block, <c>0 &lt;= offset &lt; factor</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> or <paramref name="offset"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void FixedUnpool1D<T>(in ReadOnlyTensorSpan<T> source, int factor, in TensorSpan<T> destination, int offset = 0, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksTensor(BlockRankOp.Fixed, source, BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, destination, T.Zero, options, 1);

    /// <summary>FixedUnpool 1-D into a new <c>[N, C, outL]</c> tensor (channels-first).</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The rank-3 input <c>[N, C, L]</c>.</param>
    /// <param name="factor">The block size.</param>
    /// <param name="offset">The position inside each block, <c>0 &lt;= offset &lt; factor</c>.</param>
    /// <param name="outputSize">The output length, or <see langword="null"/> for <c>input * factor</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> or <paramref name="offset"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-3, or the output size is out of range or would
    /// exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> FixedUnpool1D<T>(Tensor<T> source, int factor, int offset = 0, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.Fixed, source.AsReadOnlyTensorSpan(), BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, (outputSize is { } l ? BlockRanks.Lift(l) : null), T.Zero, options, 1);
    }

    /// <inheritdoc cref="FixedUnpool1D{T}(Tensor{T}, int, int, int?, ExecutionOptions)"/>
    public static Tensor<T> FixedUnpool1D<T>(in ReadOnlyTensorSpan<T> source, int factor, int offset = 0, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksAllocating(BlockRankOp.Fixed, source, BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, (outputSize is { } l ? BlockRanks.Lift(l) : null), T.Zero, options, 1);

    /// <summary>
    /// The backward pass of <c>FixedUnpool1D</c>: the strided gather at the offset: <c>sourceGradient[i] = outputGradient[i*factor + offset]</c> (zero where a smaller output cut the cell off).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, C, outL] (channels-last when
    /// <paramref name="sourceShape"/> is).</param>
    /// <param name="sourceShape">The forward's source shape [N, C, L].</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source; every element is written.</param>
    /// <param name="offset">The forward's offset inside the block.</param>
    /// <param name="outputSize">The forward's output length, or <see langword="null"/> for <c>source * factor</c>;
    /// the forward's rule applies (strictly within one factor of the default).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor or offset is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="sourceGradient"/> overlaps <paramref name="outputGradient"/>.</exception>
    public static void FixedUnpool1DBackward<T>(ReadOnlySpan<T> outputGradient, Shape3D sourceShape, int factor, Span<T> sourceGradient, int offset = default, int? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardCore(BlockRankOp.Fixed, outputGradient, BlockRanks.Lift(sourceShape), BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, sourceGradient, (outputSize is { } l ? BlockRanks.Lift(l) : null), options, 1, nameof(outputSize));

    /// <summary>
    /// The backward pass of <c>FixedUnpool1D</c> over tensors of any strides (channels_last ones in place); the forward's output
    /// size is <paramref name="outputGradient"/>'s spatial size. See <see cref="FixedUnpool1DBackward{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, int, int?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source.</param>
    /// <param name="offset">The forward's offset inside the block.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor or offset is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void FixedUnpool1DBackward<T>(in ReadOnlyTensorSpan<T> outputGradient, int factor, in TensorSpan<T> sourceGradient, int offset = default, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardTensor(BlockRankOp.Fixed, outputGradient, BlockRanks.Lift(factor), BlockRanks.Lift(offset, 0), 0, sourceGradient, options, 1);

    /// <summary>
    /// The backward pass of <c>FixedUnpool1D</c> into a new tensor of the forward's source size (the output size alone does not
    /// determine it when the forward was given an explicit size). See <see cref="FixedUnpool1DBackward{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, int, int?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="sourceSize">The forward's source length.</param>
    /// <param name="offset">The forward's offset inside the block.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outputGradient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The factor, offset or source size is out of range.</exception>
    /// <exception cref="ArgumentException">The output gradient's size does not follow from the source size.</exception>
    public static Tensor<T> FixedUnpool1DBackward<T>(Tensor<T> outputGradient, int factor, int sourceSize, int offset = default, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardAllocating(BlockRankOp.Fixed, outputGradient, BlockRanks.Lift(factor), BlockRanks.Lift(sourceSize), BlockRanks.Lift(offset, 0), 0, options, 1);
}
