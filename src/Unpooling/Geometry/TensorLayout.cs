namespace Unpooling;

/// <summary>
/// Where the channel axis lies in memory: after the batch (<c>[N, C, *S]</c>, PyTorch's default "contiguous") or last
/// (<c>[N, *S, C]</c>, TensorFlow's NHWC/NDHWC and PyTorch's <c>channels_last</c>). A property of the shape, never a
/// twin overload: a channels-last shape routes the same operator to its channels-last kernel.
/// </summary>
/// <remarks>Index conventions describe positions, not memory: a channels-last pooling still writes per-plane
/// <c>h*W + w</c> by default, as PyTorch does for a <c>channels_last</c> tensor.</remarks>
public enum TensorLayout
{
    /// <summary><c>[N, C, *S]</c>: each channel's spatial plane is contiguous (the default).</summary>
    ChannelsFirst = 0,

    /// <summary><c>[N, *S, C]</c>: the channels of each spatial position are contiguous.</summary>
    ChannelsLast = 1,
}
