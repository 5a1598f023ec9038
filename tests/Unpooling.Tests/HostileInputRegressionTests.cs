using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// Regression tests for the hostile-input issue's defects fixed so far, each reproduced exactly as the issue states
/// it: the exception type and the parameter the caller must fix.
/// </summary>
public class HostileInputRegressionTests
{
    /// <summary>
    /// Defect 8: <c>Conv2DGeometry(1, padding: int.MaxValue).GetOutputSize((3, 3))</c> returned 1x1. The true size is
    /// <c>3 + 2*(2^31 - 1) - 1 + 1 = 2^32 + 1</c> per axis, past <see cref="int.MaxValue"/>: refused, and so is a
    /// convolution with that geometry, before anything is written.
    /// </summary>
    [Fact]
    public void ConvolutionOutputPastIntMaxValueIsRefusedNotTruncated()
    {
        var geometry = new Conv2DGeometry(new Size2D(1, 1), padding: new Size2D(int.MaxValue, int.MaxValue));
        ArgumentException e = Throws.Param<ArgumentException>("inputSize", () => geometry.GetOutputSize(new Size2D(3, 3)));
        Assert.Contains("4294967297x4294967297", e.Message, StringComparison.Ordinal);

        var shape = new Shape4D(1, 1, 3, 3);
        float[] destination = [7f];
        Throws.Param<ArgumentException>("geometry", () => Functional.Conv2D<float>(new float[9], shape, [1f], new Shape4D(1, 1, 1, 1), [], geometry, destination));
        Assert.Equal(7f, destination[0]);

        // One axis only: 3 + 2*(2^31 - 1) on the width, 3 on the height.
        var wide = new Conv2DGeometry(new Size2D(1, 1), padding: new Size2D(0, int.MaxValue));
        Throws.Param<ArgumentException>("inputSize", () => wide.GetOutputSize(new Size2D(3, 3)));
    }

    /// <summary>
    /// Defect 9: the allocating forms of fixed, random and repeat unpooling with factor (30000, 30000) on a 2x2 tensor
    /// were reported to throw OverflowException: the output [1, 1, 60000, 60000] has 3.6e9 elements, more than an array
    /// holds. On this code they threw ArgumentException from the output shape's check, but named outputSize when the
    /// caller gave none; now it names the argument that made the output that large (factor, or outputSize when one is
    /// given). Zero insertion (stride), argmax unpooling (outputSize) and the transposed convolution (geometry) are
    /// held to the same rule.
    /// </summary>
    [Fact]
    public void AnAllocatingFormWhoseOutputNoArrayHoldsIsRefusedNamingTheArgument()
    {
        Tensor<float> x = Tensor.Create(new float[4], [1, 1, 2, 2]);
        var huge = new Size2D(30000, 30000);
        Throws.Param<ArgumentException>("factor", () => Functional.FixedUnpool2D(x, huge));
        Throws.Param<ArgumentException>("factor", () => Functional.RandomUnpool2D(x, huge, seed: 1));
        Throws.Param<ArgumentException>("factor", () => Functional.RepeatUnpool2D(x, huge));
        Throws.Param<ArgumentException>("factor", () => Functional.FixedUnpool2D(x.AsReadOnlyTensorSpan(), huge));
        Throws.Param<ArgumentException>("outputSize", () => Functional.FixedUnpool2D(x, huge, outputSize: new Size2D(60000, 60000)));
        // Zero insertion makes (2 - 1)*s + 1 per axis: stride 50000 gives 50001^2 = 2.5e9 elements.
        Throws.Param<ArgumentException>("stride", () => Functional.ZeroInsert2D(x, new Size2D(50000, 50000)));

        // Argmax unpooling to 60000x60000 from a pooled 2x2 (kernel and stride 30000: the default size).
        var pool = new Pool2DGeometry(huge);
        Tensor<long> indices = Tensor.Create(new long[4], [1, 1, 2, 2]);
        Throws.Param<ArgumentException>("outputSize", () => Functional.MaxUnpool2D(x, indices, pool));

        // A transposed convolution whose output is 1 x 1 x 60000 x 60000.
        Tensor<float> weight = Tensor.Create(new float[1], [1, 1, 1, 1]);
        var up = new Conv2DGeometry(new Size2D(1, 1), stride: huge, outputPadding: new Size2D(29999, 29999));
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvTranspose2D(x, weight, null, up));

        // An ordinary size still allocates: [1, 1, 2, 2] by factor (2, 3) is [1, 1, 4, 6].
        Assert.Equal([1, 1, 4, 6], Functional.FixedUnpool2D(x, new Size2D(2, 3)).Lengths.ToArray());
    }
}
