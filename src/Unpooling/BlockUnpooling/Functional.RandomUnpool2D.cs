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
}
