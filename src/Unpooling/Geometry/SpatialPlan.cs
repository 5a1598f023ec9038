using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// One spatial axis of an operator call: input and output sizes, kernel, stride, begin/end padding and dilation, as
/// the geometry fixed them (sizes already validated by <see cref="AxisMath"/>). A trivial axis (size 1, kernel 1,
/// stride 1, no padding) stands for the axes a lower rank lacks.
/// </summary>
internal readonly record struct AxisPlan(int Input, int Output, int Kernel, int Stride, int PadBegin, int PadEnd, int Dilation)
{
    /// <summary>The axis a lower rank does not have: one cell, one tap.</summary>
    public static AxisPlan Trivial => new(1, 1, 1, 1, 0, 0, 1);

    /// <summary>The first input position of the window of output <paramref name="o"/> (negative in the begin padding).</summary>
    public long WindowStart(long o) => (o * Stride) - PadBegin;

    /// <summary>The kernel taps <c>[Lo, Hi)</c> of output <paramref name="o"/>'s window that land in the input.</summary>
    public (int Lo, int Hi) Taps(long o) => AxisMath.TapRange(WindowStart(o), Kernel, Dilation, Input);
}

/// <summary>
/// The lowered form of every geometry, every rank: three <see cref="AxisPlan"/>s (depth, height, width). 2-D is depth
/// trivial; 1-D is depth and height trivial. Kernels that serve every rank (the 3-D and channels-last ones) read their
/// sizes and tap ranges from here and from nowhere else.
/// </summary>
internal readonly record struct SpatialPlan(AxisPlan Depth, AxisPlan Height, AxisPlan Width)
{
    /// <summary>Cells of one input volume (plane in 2-D), <c>D*H*W</c>.</summary>
    public long InputVolume
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)] // read per element by the channels-last decoders
        get => (long)Depth.Input * Height.Input * Width.Input;
    }

    /// <summary>Cells of one output volume, <c>oD*oH*oW</c>.</summary>
    public long OutputVolume => (long)Depth.Output * Height.Output * Width.Output;

    /// <summary>Taps of one window, <c>kD*kH*kW</c>.</summary>
    public long Taps => (long)Depth.Kernel * Height.Kernel * Width.Kernel;

    /// <summary>The plan of a 3-D pooling of <paramref name="input"/> (validated: the output sizes are computed and
    /// checked here, naming <paramref name="paramName"/>).</summary>
    public static SpatialPlan ForPool(in Pool3DGeometry g, Size3D input, string paramName)
    {
        Size3D output = g.GetOutputSize(input, paramName);
        return ForPool(g, input, output);
    }

    /// <summary>The plan of a 3-D pooling window layout between <paramref name="input"/> (the pooling input, or the
    /// unpooling output) and <paramref name="output"/> (the pooled size), without validation.</summary>
    public static SpatialPlan ForPool(in Pool3DGeometry g, Size3D input, Size3D output)
        => new(
            new AxisPlan(input.Depth, output.Depth, g.KernelSize.Depth, g.Stride.Depth, g.PaddingBegin.Depth, g.PaddingEnd.Depth, g.Dilation.Depth),
            new AxisPlan(input.Height, output.Height, g.KernelSize.Height, g.Stride.Height, g.PaddingBegin.Height, g.PaddingEnd.Height, g.Dilation.Height),
            new AxisPlan(input.Width, output.Width, g.KernelSize.Width, g.Stride.Width, g.PaddingBegin.Width, g.PaddingEnd.Width, g.Dilation.Width));

    /// <summary>The plan of a 2-D pooling window layout (depth trivial), without validation.</summary>
    public static SpatialPlan ForPool(in Pool2DGeometry g, Size2D input, Size2D output)
        => new(
            AxisPlan.Trivial,
            new AxisPlan(input.Height, output.Height, g.KernelSize.Height, g.Stride.Height, g.PaddingBegin.Height, g.PaddingEnd.Height, g.Dilation.Height),
            new AxisPlan(input.Width, output.Width, g.KernelSize.Width, g.Stride.Width, g.PaddingBegin.Width, g.PaddingEnd.Width, g.Dilation.Width));
}
