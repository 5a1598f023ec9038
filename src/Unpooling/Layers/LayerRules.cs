using System.Numerics.Tensors;

namespace Unpooling.Internal;

/// <summary>The checks and views the layer objects share.</summary>
internal static class LayerRules
{
    /// <summary>Refuses groups that do not divide both channel counts, naming <paramref name="paramName"/>.</summary>
    public static void RequireGroups(int inChannels, int outChannels, int groups, string paramName)
    {
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            ThrowHelper.ThrowArgument(paramName, $"Groups {groups} must divide both the {inChannels} input and the {outChannels} output channels.");
        }
    }

    /// <summary>A dense read-only view of a layer's array with <paramref name="lengths"/>.</summary>
    public static ReadOnlyTensorSpan<T> View<T>(T[] array, ReadOnlySpan<nint> lengths) => new(array.AsSpan(), lengths, []);

    /// <summary>A dense writable view of a layer's scratch with <paramref name="lengths"/>.</summary>
    public static TensorSpan<T> WritableView<T>(Span<T> scratch, ReadOnlySpan<nint> lengths) => new(scratch, lengths, []);

    /// <summary>A new tensor of <paramref name="like"/>'s lengths, channels-last when it is.</summary>
    public static Tensor<T> CreateLike<T>(in ReadOnlyTensorSpan<T> like) => TensorAdapter.CreateLike<T, T>(like, like.Lengths);
}
