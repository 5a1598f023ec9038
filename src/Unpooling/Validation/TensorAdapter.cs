using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>
/// Bridges <see cref="ReadOnlyTensorSpan{T}"/>/<see cref="TensorSpan{T}"/> to the span kernels. Dense row-major
/// tensors are used in place; strided ones are gathered into (or scattered from) a pooled buffer, so any tensor view
/// works and none allocates in steady state.
/// </summary>
internal static class TensorAdapter
{
    public static Shape4D GetShape<T>(in ReadOnlyTensorSpan<T> tensor, string paramName)
    {
        if (tensor.Rank != 4)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has rank {tensor.Rank}; a rank-4 [N, C, H, W] tensor is expected.");
        }

        ReadOnlySpan<nint> l = tensor.Lengths;
        for (int i = 0; i < 4; i++)
        {
            if (l[i] > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has a dimension of {l[i]}; each must be <= {int.MaxValue}.");
            }
        }

        var shape = new Shape4D((int)l[0], (int)l[1], (int)l[2], (int)l[3]);
        shape.Validate(paramName);
        return shape;
    }

    public static void RequireShape<T>(in TensorSpan<T> tensor, Shape4D expected, string paramName)
    {
        ReadOnlySpan<nint> l = tensor.Lengths;
        if (tensor.Rank != 4 || l[0] != expected.Batch || l[1] != expected.Channels || l[2] != expected.Height || l[3] != expected.Width)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Tensor {paramName} has shape [{string.Join(", ", l.ToArray())}]; the operation writes {expected}.");
        }
    }

    /// <summary>
    /// The shape of a destination whose spatial size the caller chose (unpooling): rank 4, with the source's N and C.
    /// </summary>
    public static Shape4D GetDestinationShape<T>(in TensorSpan<T> destination, Shape4D source, string paramName)
    {
        Shape4D shape = GetShape(destination.AsReadOnlyTensorSpan(), paramName);
        if (shape.Batch != source.Batch || shape.Channels != source.Channels)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has shape {shape}; N and C must match source's {source}.");
        }

        return shape;
    }

    public static bool IsRowMajor(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides)
    {
        nint expected = 1;
        for (int i = lengths.Length - 1; i >= 0; i--)
        {
            if (lengths[i] == 0)
            {
                return true;
            }

            if (lengths[i] != 1 && strides[i] != expected)
            {
                return false;
            }

            expected *= lengths[i];
        }

        return true;
    }

    /// <summary>The tensor's elements as one dense span; a strided tensor is copied into <paramref name="rented"/>.</summary>
    public static ReadOnlySpan<T> Read<T>(in ReadOnlyTensorSpan<T> tensor, ref T[]? rented)
    {
        int length = checked((int)tensor.FlattenedLength);
        if (length == 0)
        {
            return [];
        }

        if (IsRowMajor(tensor.Lengths, tensor.Strides))
        {
            return MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), length);
        }

        rented = ArrayPool<T>.Shared.Rent(length);
        Span<T> flat = rented.AsSpan(0, length);
        tensor.FlattenTo(flat);
        return flat;
    }

    /// <summary>A dense span to write into: the tensor itself, or a pooled buffer that <see cref="Complete{T}"/> copies back.</summary>
    public static Span<T> Write<T>(in TensorSpan<T> tensor, ref T[]? rented)
    {
        int length = checked((int)tensor.FlattenedLength);
        if (length == 0)
        {
            return [];
        }

        if (IsRowMajor(tensor.Lengths, tensor.Strides))
        {
            return MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), length);
        }

        rented = ArrayPool<T>.Shared.Rent(length);
        return rented.AsSpan(0, length);
    }

    /// <summary>Copies a pooled write buffer into its strided tensor and returns it to the pool.</summary>
    public static void Complete<T>(in TensorSpan<T> tensor, T[]? rented)
    {
        if (rented is null)
        {
            return;
        }

        int length = (int)tensor.FlattenedLength;
        new ReadOnlyTensorSpan<T>(rented.AsSpan(0, length), tensor.Lengths).CopyTo(tensor);
        ArrayPool<T>.Shared.Return(rented);
    }

    public static void Return<T>(T[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    public static nint[] Lengths(Shape4D shape) => [shape.Batch, shape.Channels, shape.Height, shape.Width];
}
