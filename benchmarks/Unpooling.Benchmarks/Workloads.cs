namespace Unpooling.Benchmarks;

/// <summary>Max pooling with int64 indices (issue 4's names; README's table uses them).</summary>
public enum PoolWorkload
{
    /// <summary>k2 s2 on [8,64,112,112]: the VGG/SegNet encoder step on a batch.</summary>
    A1,

    /// <summary>k2 s2 on [1,64,56,56]: one image, a cache-resident size.</summary>
    A2,

    /// <summary>k3 s2 p1 on [8,64,112,112]: the ResNet stem's overlapping window.</summary>
    A3,
}

/// <summary>Unpooling back to [8,64,112,112] from [8,64,56,56].</summary>
public enum UnpoolWorkload
{
    /// <summary>Argmax unpooling of A1's values and indices.</summary>
    B1,

    /// <summary>Argmax unpooling of A3's values and indices (overlapping windows; explicit output size 112).</summary>
    B3,

    /// <summary>Fixed upper-left unpooling, factor 2 (Dosovitskiy et al.).</summary>
    C,
}

/// <summary>The transposed convolutions of issue 3 (float, bias, groups 1).</summary>
public enum ConvWorkload
{
    /// <summary>N=1, Cin=64, Cout=32, 56x56, k2 s2: the U-Net up-step (kernel = stride).</summary>
    D1,

    /// <summary>As D1 with k3 s2 p1, output padding 1: overlapping windows, 112x112 out.</summary>
    D2,

    /// <summary>N=16, Cin=128, Cout=64, 16x16, k4 s2 p1: the DCGAN generator step.</summary>
    D3,

    /// <summary>N=1, Cin=256, Cout=128, 28x28, k2 s2: a deep U-Net up-step.</summary>
    D4,
}
