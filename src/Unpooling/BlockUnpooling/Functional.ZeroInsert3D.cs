using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 3-D zero insertion: <c>z[i*s] = x[i]</c> per axis with <c>s-1</c> zeros between neighbours, size <c>(i-1)*s +
    /// 1</c> per axis (the first step of the textbook transposed convolution); its adjoint is <see
    /// cref="StridedSubsample3D{T}(ReadOnlySpan{T}, Shape5D, Size3D, Span{T}, ExecutionOptions)"/>.
    /// <para>Its backward pass is <c>StridedSubsample3D</c> of the output gradient with the same stride (there is no
    /// separate <c>ZeroInsert3DBackward</c>): the adjoint tests prove <c>&lt;ZeroInsert(x), y&gt; = &lt;x, StridedSubsample(y)&gt;</c>
    /// exactly on integer data.</para>
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input, dense <c>[N, C, D, H, W]</c> (or channels-last <c>[N, D, H, W, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape5D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the output, <c>(i-1)*s + 1</c> per axis, in the source's layout.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    public static void ZeroInsert3D<T>(ReadOnlySpan<T> source, Shape5D sourceShape, Size3D stride, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksCore(BlockRankOp.ZeroInsert, source, sourceShape, stride, default, 0, destination, null, default(T), options, 3, nameof(stride));

    /// <summary>
    /// <see cref="ZeroInsert3D{T}(ReadOnlySpan{T}, Shape5D, Size3D, Span{T}, ExecutionOptions)"/> over rank-5 tensors (any
    /// strides; two PyTorch channels-last views run in place).
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its spatial size must be <c>(i-1)*s + 1</c> per axis.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void ZeroInsert3D<T>(in ReadOnlyTensorSpan<T> source, Size3D stride, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksTensor(BlockRankOp.ZeroInsert, source, stride, default, 0, destination, default(T), options, 3);

    /// <summary>ZeroInsert 3-D into a new tensor, <c>(i-1)*s + 1</c> per axis (channels-first).</summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The rank-5 input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-5, or the output would exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> ZeroInsert3D<T>(Tensor<T> source, Size3D stride, ExecutionOptions options = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.ZeroInsert, source.AsReadOnlyTensorSpan(), stride, default, 0, null, default(T), options, 3);
    }

    /// <inheritdoc cref="ZeroInsert3D{T}(Tensor{T}, Size3D, ExecutionOptions)"/>
    public static Tensor<T> ZeroInsert3D<T>(in ReadOnlyTensorSpan<T> source, Size3D stride, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksAllocating(BlockRankOp.ZeroInsert, source, stride, default, 0, null, default(T), options, 3);

    /// <summary>
    /// 3-D strided subsample: <c>x[i] = z[i*s]</c> per axis, size <c>(i-1)/s + 1</c> per axis; the adjoint (and left
    /// inverse) of <see cref="ZeroInsert3D{T}(ReadOnlySpan{T}, Shape5D, Size3D, Span{T}, ExecutionOptions)"/>.
    /// <para>It is therefore the backward pass of <c>ZeroInsert3D</c>, and <c>ZeroInsert3D</c> of the output gradient
    /// is its own: exactly when the subsampled size is <c>(o-1)*s + 1</c> per axis; for a larger one the gradient is that
    /// zero insertion followed by zeros up to the source size (the cells no output reads).</para>
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input, dense <c>[N, C, D, H, W]</c> (or channels-last <c>[N, D, H, W, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape5D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the output, <c>(i-1)/s + 1</c> per axis, in the source's layout.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    public static void StridedSubsample3D<T>(ReadOnlySpan<T> source, Shape5D sourceShape, Size3D stride, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksCore(BlockRankOp.Subsample, source, sourceShape, stride, default, 0, destination, null, default(T), options, 3, nameof(stride));

    /// <summary>
    /// <see cref="StridedSubsample3D{T}(ReadOnlySpan{T}, Shape5D, Size3D, Span{T}, ExecutionOptions)"/> over rank-5 tensors (any
    /// strides; two PyTorch channels-last views run in place).
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its spatial size must be <c>(i-1)/s + 1</c> per axis.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void StridedSubsample3D<T>(in ReadOnlyTensorSpan<T> source, Size3D stride, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksTensor(BlockRankOp.Subsample, source, stride, default, 0, destination, default(T), options, 3);

    /// <summary>StridedSubsample 3-D into a new tensor, <c>(i-1)/s + 1</c> per axis (channels-first).</summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The rank-5 input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="stride">The spacing per axis, each &gt;= 1.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-5, or the output would exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> StridedSubsample3D<T>(Tensor<T> source, Size3D stride, ExecutionOptions options = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.Subsample, source.AsReadOnlyTensorSpan(), stride, default, 0, null, default(T), options, 3);
    }

    /// <inheritdoc cref="StridedSubsample3D{T}(Tensor{T}, Size3D, ExecutionOptions)"/>
    public static Tensor<T> StridedSubsample3D<T>(in ReadOnlyTensorSpan<T> source, Size3D stride, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksAllocating(BlockRankOp.Subsample, source, stride, default, 0, null, default(T), options, 3);
}
