namespace Unpooling;

/// <summary>
/// ONNX's <c>auto_pad</c> attribute of <c>ConvTranspose</c>, for
/// <see cref="Conv2DGeometry.WithOnnxTransposedAutoPad(Size2D, OnnxAutoPad)"/> and
/// <see cref="Conv2DGeometry.WithOnnxTransposedOutputShape(Size2D, Size2D, OnnxAutoPad)"/>.
/// </summary>
public enum OnnxAutoPad
{
    /// <summary><c>NOTSET</c>: the explicit pads are used (ONNX's default); with an output shape, an odd total pad puts
    /// its extra cell at the beginning.</summary>
    NotSet = 0,

    /// <summary><c>SAME_UPPER</c>: output <c>input * stride</c>; an odd total pad puts its extra cell at the end.</summary>
    SameUpper = 1,

    /// <summary><c>SAME_LOWER</c>: output <c>input * stride</c>; an odd total pad puts its extra cell at the beginning.</summary>
    SameLower = 2,

    /// <summary><c>VALID</c>: no padding.</summary>
    Valid = 3,
}
