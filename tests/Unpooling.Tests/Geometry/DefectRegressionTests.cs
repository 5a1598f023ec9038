namespace Unpooling.Tests;

/// <summary>
/// Regression tests of fixed defects, one section each. Every expected value is worked out in the comments from
/// SEMANTICS.md's formulas or is what PyTorch / ONNX Runtime return, never read back from the library.
/// </summary>
/// <remarks>Public methods are called with arrays, positionally, without a thread count.</remarks>
public sealed class DefectRegressionTests
{
    // ---- 1. Max pooling: windows far past the input -----------------------------------------------------------------

    /// <summary>
    /// A window whose last kernel row lies more than <see cref="int.MaxValue"/> past the input: input 4x1, kernel 3x1,
    /// dilation <c>int.MaxValue</c>, padding <c>int.MaxValue - 1</c>, stride 1. keff = 2*(2^31 - 1) + 1 = 2^32 - 1;
    /// <c>o = floor(4 + 2*(2^31 - 2) - (2^32 - 1)) + 1 = 1 + 1 = 2</c>. Window 0's taps are rows -(2^31 - 2), 1 and
    /// 2^31; window 1's are one lower: only rows 1 and 2 are real, so the result is x[1], x[2] at indices 1, 2. The
    /// kernel's row range must be computed without wrapping (in 32 bits row 2^31 passed the bounds test and was read).
    /// The same on the width axis.
    /// </summary>
    [Fact]
    public void KernelRowsFarPastTheInputAreNeverRead()
    {
        float[] x = [10, 20, 30, 40];
        var rows = new Pool2DGeometry(new Size2D(3, 1), stride: 1, padding: new Size2D(int.MaxValue - 1, 0), dilation: new Size2D(int.MaxValue, 1));
        Assert.Equal(new Size2D(2, 1), rows.GetOutputSize(new Size2D(4, 1)));
        float[] values = new float[2];
        long[] indices = new long[2];
        Functional.MaxPool2D(x, new Shape4D(1, 1, 4, 1), rows, values, indices);
        Assert.Equal([20f, 30f], values);
        Assert.Equal([1L, 2L], indices);

        var columns = new Pool2DGeometry(new Size2D(1, 3), stride: 1, padding: new Size2D(0, int.MaxValue - 1), dilation: new Size2D(1, int.MaxValue));
        Assert.Equal(new Size2D(1, 2), columns.GetOutputSize(new Size2D(1, 4)));
        Array.Clear(values);
        Array.Clear(indices);
        Functional.MaxPool2D(x, new Shape4D(1, 1, 1, 4), columns, values, indices);
        Assert.Equal([20f, 30f], values);
        Assert.Equal([1L, 2L], indices);
    }
}
