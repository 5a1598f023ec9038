using System.Numerics.Tensors;

namespace Unpooling.Internal;

/// <summary>The rank-5 <c>[N, C, D, H, W]</c> forms of <see cref="TensorAdapter"/>'s shape checks.</summary>
internal static class TensorAdapter3D
{
    /// <summary>The shape of a rank-5 tensor that fits a span (the 3-D tensor forms run in one call).</summary>
    public static Shape5D GetShape<T>(in ReadOnlyTensorSpan<T> tensor, string paramName)
    {
        if (tensor.Rank != 5)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has rank {tensor.Rank}; a rank-5 [N, C, D, H, W] tensor is expected.");
        }

        ReadOnlySpan<nint> l = tensor.Lengths;
        for (int i = 0; i < 5; i++)
        {
            if (l[i] > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has a dimension of {l[i]}; each must be <= {int.MaxValue}.");
            }
        }

        var shape = new Shape5D((int)l[0], (int)l[1], (int)l[2], (int)l[3], (int)l[4]);
        shape.Validate(paramName);
        return shape;
    }

    /// <summary>Rejects a tensor whose shape is not <paramref name="expected"/>.</summary>
    public static void RequireShape<T>(in TensorSpan<T> tensor, Shape5D expected, string paramName)
    {
        ReadOnlySpan<nint> l = tensor.Lengths;
        if (tensor.Rank != 5 || l[0] != expected.Batch || l[1] != expected.Channels || l[2] != expected.Depth || l[3] != expected.Height || l[4] != expected.Width)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Tensor {paramName} has shape [{string.Join(", ", l.ToArray())}]; the operation writes {expected}.");
        }
    }

    /// <summary>Rejects an output shape of more elements than a span (the 3-D tensor forms run in one call).</summary>
    public static void RequireFitsSpan(Shape5D shape, string paramName, string what)
    {
        if (shape.ElementCount > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"The {what} {shape} holds {shape.ElementCount} elements, more than a span can address ({Array.MaxLength}).");
        }
    }

    public static nint[] Lengths(Shape5D shape) => [shape.Batch, shape.Channels, shape.Depth, shape.Height, shape.Width];
}
