namespace Unpooling.Tests.Infrastructure;

/// <summary>The operators of the block kernel, for tests that run one rule through several of them.</summary>
public enum BlockOperator
{
    Fixed,
    Repeat,
    Random,

    /// <summary>Zero insertion: the fixed tap (0, 0) with the output cropped to <c>(n-1)*s + 1</c>.</summary>
    ZeroInsert,

    /// <summary>Argmax unpooling with every per-plane index inside its own block (the dense path).</summary>
    DenseArgmax,

    /// <summary>In-window switches (<c>UnpoolTaps</c>).</summary>
    Taps,
}
