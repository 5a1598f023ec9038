using System.Numerics.Tensors;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 1-D zero insertion: <c>z[i*s] = x[i]</c> per axis with <c>s-1</c> zeros between neighbours, size <c>(i-1)*s +
    /// 1</c> per axis (the first step of the textbook transposed convolution); its adjoint is <see
    /// cref="StridedSubsample1D{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, ExecutionOptions)"/>.
    /// <para>Its backward pass is <c>StridedSubsample1D</c> of the output gradient with the same stride (there is no
    /// separate <c>ZeroInsert1DBackward</c>): the adjoint tests prove <c>&lt;ZeroInsert(x), y&gt; = &lt;x, StridedSubsample(y)&gt;</c>
    /// exactly on integer data.</para>
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input, dense <c>[N, C, L]</c> (or channels-last <c>[N, L, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape3D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="stride">The spacing, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the output, <c>(i-1)*s + 1</c> per axis, in the source's layout.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    public static void ZeroInsert1D<T>(ReadOnlySpan<T> source, Shape3D sourceShape, int stride, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksCore(BlockRankOp.ZeroInsert, source, BlockRanks.Lift(sourceShape), BlockRanks.Lift(stride), default, 0, destination, null, default(T), options, 1, nameof(stride));

    /// <summary>
    /// <see cref="ZeroInsert1D{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, ExecutionOptions)"/> over rank-3 tensors (any
    /// strides; two PyTorch channels-last views run in place).
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input <c>[N, C, L]</c>.</param>
    /// <param name="stride">The spacing, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its spatial size must be <c>(i-1)*s + 1</c> per axis.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void ZeroInsert1D<T>(in ReadOnlyTensorSpan<T> source, int stride, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksTensor(BlockRankOp.ZeroInsert, source, BlockRanks.Lift(stride), default, 0, destination, default(T), options, 1);

    /// <summary>ZeroInsert 1-D into a new tensor, <c>(i-1)*s + 1</c> per axis (channels-first).</summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The rank-3 input <c>[N, C, L]</c>.</param>
    /// <param name="stride">The spacing, each &gt;= 1.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-3, or the output would exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> ZeroInsert1D<T>(Tensor<T> source, int stride, ExecutionOptions options = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.ZeroInsert, source.AsReadOnlyTensorSpan(), BlockRanks.Lift(stride), default, 0, null, default(T), options, 1);
    }

    /// <inheritdoc cref="ZeroInsert1D{T}(Tensor{T}, int, ExecutionOptions)"/>
    public static Tensor<T> ZeroInsert1D<T>(in ReadOnlyTensorSpan<T> source, int stride, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksAllocating(BlockRankOp.ZeroInsert, source, BlockRanks.Lift(stride), default, 0, null, default(T), options, 1);

    /// <summary>
    /// 1-D strided subsample: <c>x[i] = z[i*s]</c> per axis, size <c>(i-1)/s + 1</c> per axis; the adjoint (and left
    /// inverse) of <see cref="ZeroInsert1D{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, ExecutionOptions)"/>.
    /// <para>It is therefore the backward pass of <c>ZeroInsert1D</c>, and <c>ZeroInsert1D</c> of the output gradient
    /// is its own: exactly when the subsampled size is <c>(o-1)*s + 1</c> per axis; for a larger one the gradient is that
    /// zero insertion followed by zeros up to the source size (the cells no output reads).</para>
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input, dense <c>[N, C, L]</c> (or channels-last <c>[N, L, C]</c> when <paramref name="sourceShape"/> is <see cref="Shape3D.ChannelsLast"/>).</param>
    /// <param name="sourceShape">The input shape; its layout is the destination's too.</param>
    /// <param name="stride">The spacing, each &gt;= 1 (1 copies).</param>
    /// <param name="destination">Receives the output, <c>(i-1)/s + 1</c> per axis, in the source's layout.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, or the buffers overlap.</exception>
    public static void StridedSubsample1D<T>(ReadOnlySpan<T> source, Shape3D sourceShape, int stride, Span<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksCore(BlockRankOp.Subsample, source, BlockRanks.Lift(sourceShape), BlockRanks.Lift(stride), default, 0, destination, null, default(T), options, 1, nameof(stride));

    /// <summary>
    /// <see cref="StridedSubsample1D{T}(ReadOnlySpan{T}, Shape3D, int, Span{T}, ExecutionOptions)"/> over rank-3 tensors (any
    /// strides; two PyTorch channels-last views run in place).
    /// </summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The input <c>[N, C, L]</c>.</param>
    /// <param name="stride">The spacing, each &gt;= 1.</param>
    /// <param name="destination">Receives the output; its spatial size must be <c>(i-1)/s + 1</c> per axis.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>The tensors may hold more than <see cref="int.MaxValue"/> elements in all when each sample fits
    /// <see cref="Array.MaxLength"/>: they are then processed by runs of whole samples, with the same result.</remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample exceeds <see cref="Array.MaxLength"/>
    /// elements, or the tensors overlap.</exception>
    public static void StridedSubsample1D<T>(in ReadOnlyTensorSpan<T> source, int stride, in TensorSpan<T> destination, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksTensor(BlockRankOp.Subsample, source, BlockRanks.Lift(stride), default, 0, destination, default(T), options, 1);

    /// <summary>StridedSubsample 1-D into a new tensor, <c>(i-1)/s + 1</c> per axis (channels-first).</summary>
    /// <typeparam name="T">The element type: any unmanaged type (data movement only; "zero" is <c>default(T)</c>).</typeparam>
    /// <param name="source">The rank-3 input <c>[N, C, L]</c>.</param>
    /// <param name="stride">The spacing, each &gt;= 1.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <returns>The output tensor.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stride"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank-3, or the output would exceed <see cref="Array.MaxLength"/> elements.</exception>
    public static Tensor<T> StridedSubsample1D<T>(Tensor<T> source, int stride, ExecutionOptions options = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(source);
        return BlockRanksAllocating(BlockRankOp.Subsample, source.AsReadOnlyTensorSpan(), BlockRanks.Lift(stride), default, 0, null, default(T), options, 1);
    }

    /// <inheritdoc cref="StridedSubsample1D{T}(Tensor{T}, int, ExecutionOptions)"/>
    public static Tensor<T> StridedSubsample1D<T>(in ReadOnlyTensorSpan<T> source, int stride, ExecutionOptions options = default)
        where T : unmanaged
        => BlockRanksAllocating(BlockRankOp.Subsample, source, BlockRanks.Lift(stride), default, 0, null, default(T), options, 1);
}
