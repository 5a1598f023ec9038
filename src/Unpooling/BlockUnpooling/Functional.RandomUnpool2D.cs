using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Random-offset unpooling: like
    /// <see cref="FixedUnpool2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, Size2D, Size2D?, ExecutionOptions)"/> but every
    /// input cell lands at its own pseudo-random position inside its block, drawn from <paramref name="seed"/>. The
    /// same seed always gives the same output, whatever the thread count or SIMD width.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Every type of 1, 2, 4 or 8 bytes whose zero is all-zero bits (<see cref="float"/>,
    /// <see cref="double"/>, <see cref="Half"/>, the integers up to 64 bits) is vectorized on its storage bits; any other
    /// type runs the scalar path.</typeparam>
    /// <param name="source">The input, dense row-major <c>[N, C, H, W]</c>.</param>
    /// <param name="sourceShape">The input shape; a channels-last one (<see cref="Shape4D.ChannelsLast"/>) means <paramref name="source"/>
    /// and <paramref name="destination"/> are dense <c>[N, H, W, C]</c> (the channels-last kernel, vectorized along C).</param>
    /// <param name="factor">The block size per axis, each &gt;= 1.</param>
    /// <param name="seed">The seed of the offsets.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>; every element is written.</param>
    /// <param name="outputSize">The output (H, W); <see langword="null"/> for <c>input * factor</c>; same rule as
    /// <see cref="FixedUnpool2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, Size2D, Size2D?, ExecutionOptions)"/>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>
    /// The offset of input cell (plane <c>p = n*C + c</c>, row <c>ih</c>, column <c>iw</c>) is a published function,
    /// so a backward pass or another library can reproduce it: with wrapping 64-bit unsigned arithmetic,
    /// <c>b = (p*H + ih)*W + iw</c>; <c>z = seed + (b + 1) * 0x9E3779B97F4A7C15</c>;
    /// <c>z = (z ^ (z &gt;&gt; 30)) * 0xBF58476D1CE4E5B9</c>; <c>z = (z ^ (z &gt;&gt; 27)) * 0x94D049BB133111EB</c>;
    /// <c>z ^= z &gt;&gt; 31</c> (the SplitMix64 finalizer); then
    /// <c>offsetH = ((z &amp; 0xFFFFFFFF) * factor.Height) &gt;&gt; 32</c> and
    /// <c>offsetW = ((z &gt;&gt; 32) * factor.Width) &gt;&gt; 32</c>. <c>H</c> and <c>W</c> are the input sizes.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps <paramref name="source"/>.</exception>
    public static void RandomUnpool2D<T>(ReadOnlySpan<T> source, Shape4D sourceShape, Size2D factor, ulong seed, Span<T> destination, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockUnpool2DCore(BlockUnpoolMode.Random, source, sourceShape, factor, default, seed, destination, outputSize, options, nameof(outputSize));

    /// <summary>Random-offset unpooling over rank-4 tensors; the output size is <paramref name="destination"/>'s spatial size.</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Every type of 1, 2, 4 or 8 bytes whose zero is all-zero bits (<see cref="float"/>,
    /// <see cref="double"/>, <see cref="Half"/>, the integers up to 64 bits) is vectorized on its storage bits; any other
    /// type runs the scalar path.</typeparam>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="seed">The seed of the offsets.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor is out of range.</exception>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all (TensorSpans over native memory)
    /// when each sample (<c>C*H*W</c> elements of either tensor) fits <see cref="Array.MaxLength"/>: they are then
    /// processed by runs of whole samples through slices (dense ones in place), with the same result.</remarks>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void RandomUnpool2D<T>(in ReadOnlyTensorSpan<T> source, Size2D factor, ulong seed, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockUnpool2DTensor(BlockUnpoolMode.Random, source, factor, default, seed, destination, options);

    /// <summary>Random-offset unpooling into a new <c>[N, C, outH, outW]</c> tensor.</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Every type of 1, 2, 4 or 8 bytes whose zero is all-zero bits (<see cref="float"/>,
    /// <see cref="double"/>, <see cref="Half"/>, the integers up to 64 bits) is vectorized on its storage bits; any other
    /// type runs the scalar path.</typeparam>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="seed">The seed of the offsets.</param>
    /// <param name="outputSize">The output (H, W), or <see langword="null"/> for <c>input * factor</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A factor is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4 or the output size is out of range.</exception>
    public static Tensor<T> RandomUnpool2D<T>(Tensor<T> source, Size2D factor, ulong seed, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockUnpool2DAllocating(BlockUnpoolMode.Random, source.AsReadOnlyTensorSpan(), factor, default, seed, outputSize, options);
    }

    /// <inheritdoc cref="RandomUnpool2D{T}(Tensor{T}, Size2D, ulong, Size2D?, ExecutionOptions)"/>
    public static Tensor<T> RandomUnpool2D<T>(in ReadOnlyTensorSpan<T> source, Size2D factor, ulong seed, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockUnpool2DAllocating(BlockUnpoolMode.Random, source, factor, default, seed, outputSize, options);

    /// <summary>
    /// The backward pass of <c>RandomUnpool2D</c>: the gather at the seeded offsets: <c>sourceGradient[i] = outputGradient[i*factor + offset(i)]</c> with the forward's published per-cell offset for the same <paramref name="seed"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output, [N, C, outH, outW] (channels-last when
    /// <paramref name="sourceShape"/> is).</param>
    /// <param name="sourceShape">The forward's source shape [N, C, H, W].</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="seed">The forward's seed (the same seed gives the same offsets).</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source; every element is written.</param>
    /// <param name="outputSize">The forward's output size, or <see langword="null"/> for <c>source * factor</c>;
    /// the forward's rule applies (strictly within one factor of the default).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="sourceGradient"/> overlaps <paramref name="outputGradient"/>.</exception>
    public static void RandomUnpool2DBackward<T>(ReadOnlySpan<T> outputGradient, Shape4D sourceShape, Size2D factor, ulong seed, Span<T> sourceGradient, Size2D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardCore(BlockRankOp.Random, outputGradient, BlockRanks.Lift(sourceShape), BlockRanks.Lift(factor), default, seed, sourceGradient, (outputSize is { } s ? BlockRanks.Lift(s) : null), options, 2, nameof(outputSize));

    /// <summary>
    /// The backward pass of <c>RandomUnpool2D</c> over tensors of any strides (channels_last ones in place); the forward's output
    /// size is <paramref name="outputGradient"/>'s spatial size. See <see cref="RandomUnpool2DBackward{T}(ReadOnlySpan{T}, Shape4D, Size2D, ulong, Span{T}, Size2D?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="seed">The forward's seed (the same seed gives the same offsets).</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">The factor is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void RandomUnpool2DBackward<T>(in ReadOnlyTensorSpan<T> outputGradient, Size2D factor, ulong seed, in TensorSpan<T> sourceGradient, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardTensor(BlockRankOp.Random, outputGradient, BlockRanks.Lift(factor), default, seed, sourceGradient, options, 2);

    /// <summary>
    /// The backward pass of <c>RandomUnpool2D</c> into a new tensor of the forward's source size (the output size alone does not
    /// determine it when the forward was given an explicit size). See <see cref="RandomUnpool2DBackward{T}(ReadOnlySpan{T}, Shape4D, Size2D, ulong, Span{T}, Size2D?, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="factor">The forward's block size.</param>
    /// <param name="seed">The forward's seed (the same seed gives the same offsets).</param>
    /// <param name="sourceSize">The forward's source size.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="outputGradient"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The factor or source size is out of range.</exception>
    /// <exception cref="ArgumentException">The output gradient's size does not follow from the source size.</exception>
    public static Tensor<T> RandomUnpool2DBackward<T>(Tensor<T> outputGradient, Size2D factor, ulong seed, Size2D sourceSize, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockBackwardAllocating(BlockRankOp.Random, outputGradient, BlockRanks.Lift(factor), BlockRanks.Lift(sourceSize), default, seed, options, 2);
}
