using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>
/// PyTorch's <c>channels_last</c> memory format seen through a TensorSpan: logical <c>[N, C, H, W]</c> lengths with
/// strides <c>[H*W*C, 1, W*C, C]</c>, dense. Such a tensor is handed to the channels-last kernels as it lies, with no
/// copy; other strided views keep the gather path.
/// </summary>
internal static partial class TensorAdapter
{
    /// <summary>
    /// Channels-last views taken in place by this thread (a test hook: a call that routes a channels_last tensor to the
    /// channels-last kernel without copying it counts one per tensor).
    /// </summary>
    [ThreadStatic]
    internal static int t_channelsLastInPlace;

    /// <summary>
    /// Whether <paramref name="tensor"/> is a non-empty rank-4 tensor whose strides are channels-last dense
    /// (<c>[H*W*C, 1, W*C, C]</c>; a dimension of length 1 may have any stride, as in PyTorch) and not also row-major
    /// (a tensor that is both, <c>C = 1</c> or a single pixel, keeps the channels-first path, which is the same memory).
    /// </summary>
    public static bool IsChannelsLast<T>(in ReadOnlyTensorSpan<T> tensor)
        => tensor.Rank == 4 && IsChannelsLastLayout(tensor);

    /// <summary>Whether a non-empty tensor of rank 3 to 5 (logical <c>[N, C, (D, H,) W]</c>) lies channels-last dense:
    /// the strides of dense <c>[N, (D, H,) W, C]</c> memory (row-major ones too when they are the same memory). The one
    /// recogniser of every family (pooling here, the block family through <see cref="ChannelsLastViews"/>).</summary>
    public static bool IsChannelsLastDense<T>(in ReadOnlyTensorSpan<T> tensor)
    {
        int rank = tensor.Rank;
        if (rank is < 3 or > 5 || tensor.IsEmpty)
        {
            return false;
        }

        // Channels innermost (stride 1), then W (stride C), H, D, and the batch outermost; a dimension of length 1 may
        // have any stride (System.Numerics.Tensors refuses PyTorch's exact ones there).
        ReadOnlySpan<nint> lengths = tensor.Lengths, strides = tensor.Strides;
        if (lengths[1] != 1 && strides[1] != 1)
        {
            return false;
        }

        nint expected = lengths[1];
        for (int i = rank - 1; i >= 2; i--)
        {
            if (lengths[i] != 1 && strides[i] != expected)
            {
                return false;
            }

            expected *= lengths[i];
        }

        return lengths[0] == 1 || strides[0] == expected;
    }

    /// <summary>Whether a tensor of rank 3 to 5 lies channels-last dense and not also row-major: the tensors every
    /// family hands to its channels-last kernels in place (<see cref="IsChannelsLast{T}"/> is the rank-4 case).</summary>
    public static bool IsChannelsLastLayout<T>(in ReadOnlyTensorSpan<T> tensor)
        => IsChannelsLastDense(tensor) && !IsRowMajor(tensor.Lengths, tensor.Strides);

    /// <summary>
    /// A new tensor of logical <paramref name="lengths"/> (<c>[N, C, ...]</c>, rank 3 to 5) in the memory format of
    /// <paramref name="like"/>: channels-last dense strides when <paramref name="like"/> lies channels-last and not also
    /// row-major (PyTorch's propagation of <c>channels_last</c>/<c>channels_last_3d</c> to an operator's output), else
    /// row-major. The allocating forms of every family create their results through it.
    /// </summary>
    public static Tensor<TResult> CreateLike<TResult, TLike>(in ReadOnlyTensorSpan<TLike> like, ReadOnlySpan<nint> lengths)
    {
        if (like.Rank != lengths.Length || !IsChannelsLastLayout(like))
        {
            return Tensor.CreateFromShapeUninitialized<TResult>(lengths);
        }

        // Every product fits: the caller validated the element count against Array.MaxLength.
        Span<nint> strides = stackalloc nint[lengths.Length];
        ChannelsLastStrides(lengths, strides);
        return Tensor.CreateFromShapeUninitialized<TResult>(lengths, strides);
    }

    /// <summary>The strides of a dense channels-last tensor of <paramref name="shape"/>'s logical lengths (see
    /// <see cref="ChannelsLastStrides(ReadOnlySpan{nint}, Span{nint})"/>).</summary>
    public static nint[] ChannelsLastStrides(Shape4D shape)
    {
        var strides = new nint[4];
        ChannelsLastStrides(Lengths(shape), strides);
        return strides;
    }

    /// <summary>Writes the strides of dense channels-last memory of logical <c>[N, C, (D, H,) W]</c> <paramref name="lengths"/>
    /// (any rank from 3): channels innermost, then the spatial axes from the last, the batch outermost. A dimension of
    /// length 1 gets stride 0 (it is never stepped, and System.Numerics.Tensors refuses some of PyTorch's strides there).</summary>
    public static void ChannelsLastStrides(ReadOnlySpan<nint> lengths, Span<nint> strides)
    {
        if (lengths.Contains(0))
        {
            // An empty tensor: System.Numerics.Tensors refuses non-zero strides over no memory.
            strides.Clear();
            return;
        }

        nint step = lengths[1];
        strides[1] = lengths[1] == 1 ? 0 : 1;
        for (int i = lengths.Length - 1; i >= 2; i--)
        {
            strides[i] = lengths[i] == 1 ? 0 : step;
            step *= lengths[i];
        }

        strides[0] = lengths[0] == 1 ? 0 : step;
    }

    /// <summary>The elements of a channels-last tensor (see <see cref="IsChannelsLast{T}"/>) in memory order, in place.</summary>
    public static ReadOnlySpan<T> ChannelsLastSpan<T>(in ReadOnlyTensorSpan<T> tensor)
    {
        t_channelsLastInPlace++;
        return MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), checked((int)tensor.FlattenedLength));
    }

    /// <summary>A channels-last dense span to write <paramref name="tensor"/>'s elements into; see <see cref="ChannelsLastWriteView{T}"/>.</summary>
    public static ChannelsLastWriteView<T> WriteChannelsLast<T>(in TensorSpan<T> tensor) => new(tensor);
}

/// <summary>
/// A channels-last dense span (<c>[N, (D, H,) W, C]</c> order) that ends up in a tensor of logical lengths <c>[N, C, (D, H,) W]</c> (rank 3 to 5):
/// the tensor itself when it is channels-last dense, else a pooled buffer that <see cref="Commit"/> copies into it
/// through a channels-last view, whatever its strides. A view disposed without <c>Commit</c> leaves the tensor untouched.
/// </summary>
internal ref struct ChannelsLastWriteView<T>
{
    private readonly TensorSpan<T> _tensor;
    private T[]? _rented;

    public ChannelsLastWriteView(in TensorSpan<T> tensor)
    {
        _tensor = tensor;
        int length = checked((int)tensor.FlattenedLength);
        if (length == 0)
        {
            Span = [];
        }
        else if (TensorAdapter.IsChannelsLastDense(tensor.AsReadOnlyTensorSpan()))
        {
            TensorAdapter.t_channelsLastInPlace++;
            Span = MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), length);
        }
        else
        {
            _rented = ArrayPool<T>.Shared.Rent(length);
            Span = _rented.AsSpan(0, length);
        }
    }

    /// <summary>Where the operation writes, in channels-last order.</summary>
    public Span<T> Span { get; }

    /// <summary>Copies what was written into a tensor that is not channels-last dense (nothing to do otherwise).</summary>
    public readonly void Commit()
    {
        if (_rented is not null)
        {
            ReadOnlySpan<nint> l = _tensor.Lengths;
            Span<nint> strides = stackalloc nint[l.Length];
            TensorAdapter.ChannelsLastStrides(l, strides);
            new ReadOnlyTensorSpan<T>(_rented.AsSpan(0, Span.Length), l, strides).CopyTo(_tensor);
        }
    }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<T>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
