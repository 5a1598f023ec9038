namespace Unpooling;

/// <summary>TensorFlow's <c>padding</c> argument of <c>max_pool</c> and <c>max_pool_with_argmax</c>.</summary>
public enum TensorFlowPadding
{
    /// <summary><c>VALID</c>: no padding; output <c>ceil((i - keff + 1) / s)</c>.</summary>
    Valid = 0,

    /// <summary><c>SAME</c>: output <c>ceil(i / s)</c>, total pad <c>max(0, (o-1)*s + keff - i)</c>, the odd cell at the
    /// end (the same as ONNX's SAME_UPPER).</summary>
    Same = 1,
}
