using TorchSharp;

namespace Unpooling.Peers;

/// <summary>libtorch (CPU) through TorchSharp, made loadable and set to a thread count.</summary>
public static class TorchPeer
{
    /// <summary>
    /// Makes TorchSharp's native wrapper loadable (<see cref="TorchSharpNative.EnsureLoadable"/>) and sets libtorch's
    /// intra-op thread count. libtorch's setting is process-wide: call it before each group of calls that needs a
    /// different count.
    /// </summary>
    /// <param name="threads">Intra-op threads, &gt;= 1.</param>
    public static void Use(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        TorchSharpNative.EnsureLoadable();
        torch.set_num_threads(threads);
    }
}
