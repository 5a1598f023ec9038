using System.Numerics;
using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Random-offset unpooling in 3-D: like fixed-position unpooling, but every input cell lands at its own pseudo-
    /// random position inside its block, drawn from <paramref name="seed"/> (same seed, same output, whatever the
    /// thread count, SIMD width or layout).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The input, dense <c>[N, C, D, H, W]</c> (or channels-last <c>[N, D, H, W, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape5D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="factor">The block size (= stride) per axis, each &gt;= 1.</param>
    /// <param name="seed">The seed of the offsets.</param>
    /// <param name="destination">Receives <c>[N, C, outD, outH, outW]</c> in the source's layout; every element is written.</param>
    /// <param name="outputSize">The output (D, H, W); <see langword="null"/> for <c>input * factor</c> per axis. An explicit size
    /// must lie strictly between <c>default - factor</c> and <c>default + factor</c> per axis; values whose target falls
    /// outside a smaller output are dropped.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The offset of input cell (plane <c>p = n*C + c</c>, <c>id</c>, <c>ih</c>, <c>iw</c>) is a published function:
    /// <c>b = ((p*D + id)*H + ih)*W + iw</c> and the SplitMix64 hash <c>z</c> of
    /// <see cref="RandomUnpool2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, ulong, Span{T}, Size2D?, ExecutionOptions)"/>; then
    /// <c>t = ((z &amp; 0xFFFFFFFF) * (kD*kH)) &gt;&gt; 32</c>, <c>offsetD = t / kH</c>, <c>offsetH = t % kH</c> and
    /// <c>offsetW = ((z &gt;&gt; 32) * kW) &gt;&gt; 32</c>. With <c>D = kD = 1</c> this is the 2-D operator's offset, so a
    /// volume of depth 1 unpools as the 2-D call does. Requires <c>kD * kH &lt;= int.MaxValue</c>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps <paramref name="source"/>.</exception>
    public static void RandomUnpool3D<T>(ReadOnlySpan<T> source, Shape5D sourceShape, Size3D factor, ulong seed, Span<T> destination, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksCore(BlockRankOp.Random, source, sourceShape, factor, default, seed, destination, outputSize, T.Zero, options, 3, nameof(outputSize));

    /// <summary>
    /// <see cref="RandomUnpool3D{T}(ReadOnlySpan{T}, Shape5D, Size3D, ulong, Span{T}, Size3D?, ExecutionOptions)"/> over
    /// rank-5 tensors (logical <c>[N, C, D, H, W]</c>, any strides); the output size is <paramref name="destination"/>'s (same
    /// rule as the explicit size). Two PyTorch channels-last views run the channels-last kernel in place; other
    /// strided views are gathered into a dense copy.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="seed">The seed of the offsets.</param>
    /// <param name="destination">Receives <c>[N, C, outD, outH, outW]</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void RandomUnpool3D<T>(in ReadOnlyTensorSpan<T> source, Size3D factor, ulong seed, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksTensor(BlockRankOp.Random, source, factor, default, seed, destination, T.Zero, options, 3);

    /// <summary>RandomUnpool 3-D into a new <c>[N, C, outD, outH, outW]</c> tensor (channels-first).</summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> the constraint admits (data movement
    /// only: the zeros are <c>T.Zero</c>). Types of 1, 2, 4 or 8 bytes whose zero is all-zero bits are moved as storage
    /// bits (vectorized); any other type runs the per-cell path.</typeparam>
    /// <param name="source">The rank-5 input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="seed">The seed of the offsets.</param>
    /// <param name="outputSize">The output (D, H, W), or <see langword="null"/> for <c>input * factor</c>.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The unpooled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-5, or the output size is out of range or would
    /// exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> RandomUnpool3D<T>(Tensor<T> source, Size3D factor, ulong seed, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.Random, source.AsReadOnlyTensorSpan(), factor, default, seed, outputSize, T.Zero, options, 3);
    }

    /// <inheritdoc cref="RandomUnpool3D{T}(Tensor{T}, Size3D, ulong, Size3D?, ExecutionOptions)"/>
    public static Tensor<T> RandomUnpool3D<T>(in ReadOnlyTensorSpan<T> source, Size3D factor, ulong seed, Size3D? outputSize = null, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        => BlockRanksAllocating(BlockRankOp.Random, source, factor, default, seed, outputSize, T.Zero, options, 3);
}
