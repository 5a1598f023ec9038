namespace Unpooling;

/// <summary>How argmax unpooling combines several inputs that name the same output cell (overlapping windows).</summary>
public enum UnpoolReduction
{
    /// <summary>The last input in row-major order wins (deterministic; PyTorch's CPU behaviour for distinct cells).</summary>
    Replace = 0,

    /// <summary>The inputs are added: this is the backward pass of max pooling.</summary>
    Sum = 1,
}
