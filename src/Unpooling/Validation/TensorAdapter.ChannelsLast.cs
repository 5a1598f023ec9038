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
        => tensor.Rank == 4 && !tensor.IsEmpty && !IsRowMajor(tensor.Lengths, tensor.Strides) && IsChannelsLastDense(tensor);

    /// <summary>Whether a non-empty rank-4 tensor lies channels-last dense (row-major ones too when they are the same memory).</summary>
    public static bool IsChannelsLastDense<T>(in ReadOnlyTensorSpan<T> tensor)
    {
        if (tensor.Rank != 4 || tensor.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<nint> l = tensor.Lengths, s = tensor.Strides;
        long c = l[1], w = l[3], h = l[2];
        return (l[1] == 1 || s[1] == 1)
            && (l[3] == 1 || s[3] == c)
            && (l[2] == 1 || s[2] == w * c)
            && (l[0] == 1 || s[0] == h * w * c);
    }

    /// <summary>The strides of a dense channels-last tensor of <paramref name="shape"/>'s logical lengths.</summary>
    public static nint[] ChannelsLastStrides(Shape4D shape)
    {
        var strides = new nint[4];
        ChannelsLastStrides(shape, strides);
        return strides;
    }

    /// <summary>Writes the strides of a dense channels-last tensor of <paramref name="shape"/>'s logical lengths.</summary>
    public static void ChannelsLastStrides(Shape4D shape, Span<nint> strides)
    {
        strides[0] = (nint)((long)shape.Height * shape.Width * shape.Channels);
        strides[1] = 1;
        strides[2] = (nint)((long)shape.Width * shape.Channels);
        strides[3] = shape.Channels;
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
/// A channels-last dense span (<c>[N, H, W, C]</c> order) that ends up in a tensor of logical lengths <c>[N, C, H, W]</c>:
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
            var shape = new Shape4D((int)l[0], (int)l[1], (int)l[2], (int)l[3]);
            Span<nint> strides = stackalloc nint[4];
            TensorAdapter.ChannelsLastStrides(shape, strides);
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
