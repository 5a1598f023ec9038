namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// The output shape of <c>Conv1D</c> for an input of <paramref name="sourceShape"/> and a weight of
    /// <paramref name="weightShape"/>: N and the layout of the input, the output channels the weight and groups give,
    /// the length of <see cref="Conv1DGeometry.GetOutputSize(int)"/>. The same checks as the operator's span form.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, L], either layout.</param>
    /// <param name="weightShape">The weight shape <c>[Cout, Cin/groups, k...]</c>, channels-first.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">A shape is invalid, the shapes disagree with each other or with the geometry
    /// (named <paramref name="weightShape"/> or <paramref name="geometry"/>), or the output is empty or larger than a span
    /// holds (named <paramref name="geometry"/>).</exception>
    public static Shape3D GetConv1DOutputShape(Shape3D sourceShape, Shape3D weightShape, Conv1DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        weightShape.Validate(nameof(weightShape));
        geometry.ThrowIfDefault(nameof(geometry));
        Shape4D o = ConvOutputShape(false, sourceShape.As4D(), weightShape.As4D(), 0, geometry.As2D(), nameof(weightShape));
        return new Shape3D(o.Batch, o.Channels, o.Width) { Layout = sourceShape.Layout };
    }

    /// <summary>
    /// The output shape of <c>ConvTranspose1D</c> for an input of <paramref name="sourceShape"/> and a weight of
    /// <paramref name="weightShape"/>: N and the layout of the input, the output channels the weight and groups give,
    /// the length of <see cref="Conv1DGeometry.GetTransposedOutputSize(int)"/> (its output padding included; an explicit output size is set on the geometry with <c>WithTransposedOutputSize</c>). The same checks as the operator's span form.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, L], either layout.</param>
    /// <param name="weightShape">The weight shape <c>[Cin, Cout/groups, k...]</c>, channels-first.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups, output padding.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">A shape is invalid, the shapes disagree with each other or with the geometry
    /// (named <paramref name="weightShape"/> or <paramref name="geometry"/>), or the output is empty or larger than a span
    /// holds (named <paramref name="geometry"/>).</exception>
    public static Shape3D GetConvTranspose1DOutputShape(Shape3D sourceShape, Shape3D weightShape, Conv1DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        weightShape.Validate(nameof(weightShape));
        geometry.ThrowIfDefault(nameof(geometry));
        Shape4D o = ConvOutputShape(true, sourceShape.As4D(), weightShape.As4D(), 0, geometry.As2D(), nameof(weightShape));
        return new Shape3D(o.Batch, o.Channels, o.Width) { Layout = sourceShape.Layout };
    }

    /// <summary>
    /// The output shape of <c>Conv2D</c> for an input of <paramref name="sourceShape"/> and a weight of
    /// <paramref name="weightShape"/>: N and the layout of the input, the output channels the weight and groups give,
    /// the spatial size of <see cref="Conv2DGeometry.GetOutputSize(Size2D)"/>. The same checks as the operator's span form.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, H, W], either layout.</param>
    /// <param name="weightShape">The weight shape <c>[Cout, Cin/groups, k...]</c>, channels-first.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">A shape is invalid, the shapes disagree with each other or with the geometry
    /// (named <paramref name="weightShape"/> or <paramref name="geometry"/>), or the output is empty or larger than a span
    /// holds (named <paramref name="geometry"/>).</exception>
    public static Shape4D GetConv2DOutputShape(Shape4D sourceShape, Shape4D weightShape, Conv2DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        weightShape.Validate(nameof(weightShape));
        return ConvOutputShape(false, sourceShape, weightShape, 0, geometry, nameof(weightShape));
    }

    /// <summary>
    /// The output shape of <c>ConvTranspose2D</c> for an input of <paramref name="sourceShape"/> and a weight of
    /// <paramref name="weightShape"/>: N and the layout of the input, the output channels the weight and groups give,
    /// the spatial size of <see cref="Conv2DGeometry.GetTransposedOutputSize(Size2D)"/> (its output padding included; an explicit output size is set on the geometry with <c>WithTransposedOutputSize</c>). The same checks as the operator's span form.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, H, W], either layout.</param>
    /// <param name="weightShape">The weight shape <c>[Cin, Cout/groups, k...]</c>, channels-first.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups, output padding.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">A shape is invalid, the shapes disagree with each other or with the geometry
    /// (named <paramref name="weightShape"/> or <paramref name="geometry"/>), or the output is empty or larger than a span
    /// holds (named <paramref name="geometry"/>).</exception>
    public static Shape4D GetConvTranspose2DOutputShape(Shape4D sourceShape, Shape4D weightShape, Conv2DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        weightShape.Validate(nameof(weightShape));
        return ConvOutputShape(true, sourceShape, weightShape, 0, geometry, nameof(weightShape));
    }

    /// <summary>
    /// The output shape of <c>Conv3D</c> for an input of <paramref name="sourceShape"/> and a weight of
    /// <paramref name="weightShape"/>: N and the layout of the input, the output channels the weight and groups give,
    /// the spatial size of <see cref="Conv3DGeometry.GetOutputSize(Size3D)"/>. The same checks as the operator's span form.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, D, H, W], either layout.</param>
    /// <param name="weightShape">The weight shape <c>[Cout, Cin/groups, k...]</c>, channels-first.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">A shape is invalid, the shapes disagree with each other or with the geometry
    /// (named <paramref name="weightShape"/> or <paramref name="geometry"/>), or the output is empty or larger than a span
    /// holds (named <paramref name="geometry"/>).</exception>
    public static Shape5D GetConv3DOutputShape(Shape5D sourceShape, Shape5D weightShape, Conv3DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        weightShape.Validate(nameof(weightShape));
        return ConvOutputShape3D(false, sourceShape, weightShape, 0, geometry, nameof(weightShape));
    }

    /// <summary>
    /// The output shape of <c>ConvTranspose3D</c> for an input of <paramref name="sourceShape"/> and a weight of
    /// <paramref name="weightShape"/>: N and the layout of the input, the output channels the weight and groups give,
    /// the spatial size of <see cref="Conv3DGeometry.GetTransposedOutputSize(Size3D)"/> (its output padding included; an explicit output size is set on the geometry with <c>WithTransposedOutputSize</c>). The same checks as the operator's span form.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, D, H, W], either layout.</param>
    /// <param name="weightShape">The weight shape <c>[Cin, Cout/groups, k...]</c>, channels-first.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and groups, output padding.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">A shape is invalid, the shapes disagree with each other or with the geometry
    /// (named <paramref name="weightShape"/> or <paramref name="geometry"/>), or the output is empty or larger than a span
    /// holds (named <paramref name="geometry"/>).</exception>
    public static Shape5D GetConvTranspose3DOutputShape(Shape5D sourceShape, Shape5D weightShape, Conv3DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        weightShape.Validate(nameof(weightShape));
        return ConvOutputShape3D(true, sourceShape, weightShape, 0, geometry, nameof(weightShape));
    }
}
