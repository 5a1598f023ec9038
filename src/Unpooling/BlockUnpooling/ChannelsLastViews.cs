using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>
/// Recognises PyTorch's channels-last views of the block family's tensors: logical <c>[N, C, L]</c>,
/// <c>[N, C, H, W]</c> or <c>[N, C, D, H, W]</c> whose strides are those of dense <c>[N, (D, H,) W, C]</c> memory
/// (rank 4: <c>[H*W*C, 1, W*C, C]</c>; rank 5: <c>[D*H*W*C, 1, H*W*C, W*C, C]</c>), so the channels-last kernel reads
/// and writes them in place.
/// </summary>
internal static class ChannelsLastViews
{
    /// <summary>
    /// Whether <paramref name="tensor"/> (rank 3 to 5) has channels-last strides. A dimension of length 1 may have any
    /// stride (it is never stepped), as in <see cref="TensorAdapter.IsRowMajor"/>; an empty tensor is not channels-last.
    /// </summary>
    public static bool IsChannelsLast<T>(in ReadOnlyTensorSpan<T> tensor) => TensorAdapter.IsChannelsLastDense(tensor);

    /// <summary>
    /// Whether both tensors are channels-last and not both also dense row-major (channels or pixels of length 1 make the
    /// two orders one; the channels-first kernel then serves them in place).
    /// </summary>
    public static bool BothChannelsLast<T>(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> destination)
        => IsChannelsLast(source) && IsChannelsLast(destination)
           && !(TensorAdapter.IsRowMajor(source.Lengths, source.Strides) && TensorAdapter.IsRowMajor(destination.Lengths, destination.Strides));

    /// <summary>The dense <c>[N, (D, H,) W, C]</c> memory of a channels-last view (it fits a span: the caller checked).</summary>
    public static ReadOnlySpan<T> Span<T>(in ReadOnlyTensorSpan<T> tensor)
        => MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), checked((int)tensor.FlattenedLength));

    /// <summary>The dense <c>[N, (D, H,) W, C]</c> memory of a channels-last view.</summary>
    public static Span<T> Span<T>(in TensorSpan<T> tensor)
        => MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), checked((int)tensor.FlattenedLength));
}
