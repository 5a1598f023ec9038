using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Repeat unpooling (nearest-neighbour upsampling): every cell of block <c>i</c> gets <c>x[i]</c>. It is the
    /// sum-adjoint of the fixed-position family. Cells outside every block (a larger explicit output) are zero.
    /// </summary>
    /// <param name="source">The input, dense row-major <c>[N, C, H, W]</c>.</param>
    /// <param name="sourceShape">The input shape.</param>
    /// <param name="factor">The block size per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>; every element is written.</param>
    /// <param name="outputSize">The output (H, W); <see langword="null"/> for <c>input * factor</c>. An explicit size
    /// must lie strictly between <c>default - factor</c> and <c>default + factor</c> per axis.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1. Small inputs use one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is out of range, or
    /// <paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output size is out of range, or
    /// <paramref name="destination"/> overlaps <paramref name="source"/>.</exception>
    public static void RepeatUnpool2D(ReadOnlySpan<float> source, Shape4D sourceShape, Size2D factor, Span<float> destination, Size2D? outputSize = null, int maxDegreeOfParallelism = -1)
        => BlockUnpool2DCore(BlockUnpoolMode.Repeat, source, sourceShape, factor, default, 0, destination, outputSize, maxDegreeOfParallelism, nameof(outputSize));

    /// <inheritdoc cref="RepeatUnpool2D(ReadOnlySpan{float}, Shape4D, Size2D, Span{float}, Size2D?, int)"/>
    public static void RepeatUnpool2D(ReadOnlySpan<double> source, Shape4D sourceShape, Size2D factor, Span<double> destination, Size2D? outputSize = null, int maxDegreeOfParallelism = -1)
        => BlockUnpool2DCore(BlockUnpoolMode.Repeat, source, sourceShape, factor, default, 0, destination, outputSize, maxDegreeOfParallelism, nameof(outputSize));

    /// <summary>Repeat unpooling over rank-4 tensors; the output size is <paramref name="destination"/>'s spatial size.</summary>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="destination">Receives <c>[N, C, outH, outW]</c>.</param>
    /// <param name="maxDegreeOfParallelism">Cores to use: -1 for all, or a count &gt;= 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor is out of range.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape.</exception>
    public static void RepeatUnpool2D(in ReadOnlyTensorSpan<float> source, Size2D factor, in TensorSpan<float> destination, int maxDegreeOfParallelism = -1)
        => BlockUnpool2DTensor(BlockUnpoolMode.Repeat, source, factor, default, 0, destination, maxDegreeOfParallelism);

    /// <inheritdoc cref="RepeatUnpool2D(in ReadOnlyTensorSpan{float}, Size2D, in TensorSpan{float}, int)"/>
    public static void RepeatUnpool2D(in ReadOnlyTensorSpan<double> source, Size2D factor, in TensorSpan<double> destination, int maxDegreeOfParallelism = -1)
        => BlockUnpool2DTensor(BlockUnpoolMode.Repeat, source, factor, default, 0, destination, maxDegreeOfParallelism);

    /// <summary>Repeat unpooling into a new <c>[N, C, outH, outW]</c> tensor.</summary>
    /// <param name="source">The input <c>[N, C, H, W]</c>.</param>
    /// <param name="factor">The block size per axis.</param>
    /// <param name="outputSize">The output (H, W), or <see langword="null"/> for <c>input * factor</c>.</param>
    /// <returns>The upsampled tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A factor is out of range.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4 or the output size is out of range.</exception>
    public static Tensor<float> RepeatUnpool2D(Tensor<float> source, Size2D factor, Size2D? outputSize = null)
        => BlockUnpool2DAllocating(BlockUnpoolMode.Repeat, source, factor, default, 0, outputSize);

    /// <inheritdoc cref="RepeatUnpool2D(Tensor{float}, Size2D, Size2D?)"/>
    public static Tensor<double> RepeatUnpool2D(Tensor<double> source, Size2D factor, Size2D? outputSize = null)
        => BlockUnpool2DAllocating(BlockUnpoolMode.Repeat, source, factor, default, 0, outputSize);
}
