namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// The output shape of <c>MaxPool1D</c> (values and indices) for an input of <paramref name="sourceShape"/>: the same
    /// N, C and layout, the length of <see cref="Pool1DGeometry.GetOutputSize(int)"/>. What an allocating form would create, for sizing the
    /// span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, L], either layout.</param>
    /// <param name="geometry">Kernel, stride, padding, dilation and ceil mode.</param>
    /// <returns>The pooled shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the geometry is
    /// <c>default</c>, leaves no output or a window of padding only, or gives more elements than a span holds (named
    /// <paramref name="geometry"/>).</exception>
    public static Shape3D GetMaxPool1DOutputShape(Shape3D sourceShape, Pool1DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        geometry.ThrowIfDefault(nameof(geometry));
        Shape3D output = sourceShape.WithLength(geometry.GetOutputSize(sourceShape.Length, nameof(geometry)));
        output.Validate(nameof(geometry), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The default output shape of <c>MaxUnpool1D</c> for a pooled input of <paramref name="pooledShape"/>: the same N, C
    /// and layout, the length of <see cref="Pool1DGeometry.GetUnpoolOutputSize(int)"/> (<c>(i-1)*s - pb - pe + k</c> per axis; an explicit
    /// output size may differ from it by less than the stride).
    /// </summary>
    /// <param name="pooledShape">The pooled shape [N, C, L], either layout.</param>
    /// <param name="geometry">The pooling's geometry.</param>
    /// <returns>The unpooled shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="pooledShape"/>), or the geometry is
    /// <c>default</c>, gives a size below 1, or more elements than a span holds (named <paramref name="geometry"/>).</exception>
    public static Shape3D GetMaxUnpool1DOutputShape(Shape3D pooledShape, Pool1DGeometry geometry)
    {
        pooledShape.Validate(nameof(pooledShape), allowChannelsLast: true);
        geometry.ThrowIfDefault(nameof(geometry));
        Shape3D output = pooledShape.WithLength(geometry.GetUnpoolOutputSize(pooledShape.Length, nameof(geometry)));
        output.Validate(nameof(geometry), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The output shape of <c>MaxPool2D</c> (values and indices) for an input of <paramref name="sourceShape"/>: the same
    /// N, C and layout, the spatial size of <see cref="Pool2DGeometry.GetOutputSize(Size2D)"/>. What an allocating form would create, for sizing the
    /// span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, H, W], either layout.</param>
    /// <param name="geometry">Kernel, stride, padding, dilation and ceil mode.</param>
    /// <returns>The pooled shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the geometry is
    /// <c>default</c>, leaves no output or a window of padding only, or gives more elements than a span holds (named
    /// <paramref name="geometry"/>).</exception>
    public static Shape4D GetMaxPool2DOutputShape(Shape4D sourceShape, Pool2DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        geometry.ThrowIfDefault(nameof(geometry));
        Shape4D output = sourceShape.WithSpatialSize(geometry.GetOutputSize(sourceShape.SpatialSize, nameof(geometry)));
        output.Validate(nameof(geometry), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The default output shape of <c>MaxUnpool2D</c> for a pooled input of <paramref name="pooledShape"/>: the same N, C
    /// and layout, the spatial size of <see cref="Pool2DGeometry.GetUnpoolOutputSize(Size2D)"/> (<c>(i-1)*s - pb - pe + k</c> per axis; an explicit
    /// output size may differ from it by less than the stride).
    /// </summary>
    /// <param name="pooledShape">The pooled shape [N, C, H, W], either layout.</param>
    /// <param name="geometry">The pooling's geometry.</param>
    /// <returns>The unpooled shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="pooledShape"/>), or the geometry is
    /// <c>default</c>, gives a size below 1, or more elements than a span holds (named <paramref name="geometry"/>).</exception>
    public static Shape4D GetMaxUnpool2DOutputShape(Shape4D pooledShape, Pool2DGeometry geometry)
    {
        pooledShape.Validate(nameof(pooledShape), allowChannelsLast: true);
        geometry.ThrowIfDefault(nameof(geometry));
        Shape4D output = pooledShape.WithSpatialSize(geometry.GetUnpoolOutputSize(pooledShape.SpatialSize, nameof(geometry)));
        output.Validate(nameof(geometry), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The output shape of <c>MaxPool3D</c> (values and indices) for an input of <paramref name="sourceShape"/>: the same
    /// N, C and layout, the spatial size of <see cref="Pool3DGeometry.GetOutputSize(Size3D)"/>. What an allocating form would create, for sizing the
    /// span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, D, H, W], either layout.</param>
    /// <param name="geometry">Kernel, stride, padding, dilation and ceil mode.</param>
    /// <returns>The pooled shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the geometry is
    /// <c>default</c>, leaves no output or a window of padding only, or gives more elements than a span holds (named
    /// <paramref name="geometry"/>).</exception>
    public static Shape5D GetMaxPool3DOutputShape(Shape5D sourceShape, Pool3DGeometry geometry)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        geometry.ThrowIfDefault(nameof(geometry));
        Shape5D output = sourceShape.WithSpatialSize(geometry.GetOutputSize(sourceShape.SpatialSize, nameof(geometry)));
        output.Validate(nameof(geometry), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The default output shape of <c>MaxUnpool3D</c> for a pooled input of <paramref name="pooledShape"/>: the same N, C
    /// and layout, the spatial size of <see cref="Pool3DGeometry.GetUnpoolOutputSize(Size3D)"/> (<c>(i-1)*s - pb - pe + k</c> per axis; an explicit
    /// output size may differ from it by less than the stride).
    /// </summary>
    /// <param name="pooledShape">The pooled shape [N, C, D, H, W], either layout.</param>
    /// <param name="geometry">The pooling's geometry.</param>
    /// <returns>The unpooled shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="pooledShape"/>), or the geometry is
    /// <c>default</c>, gives a size below 1, or more elements than a span holds (named <paramref name="geometry"/>).</exception>
    public static Shape5D GetMaxUnpool3DOutputShape(Shape5D pooledShape, Pool3DGeometry geometry)
    {
        pooledShape.Validate(nameof(pooledShape), allowChannelsLast: true);
        geometry.ThrowIfDefault(nameof(geometry));
        Shape5D output = pooledShape.WithSpatialSize(geometry.GetUnpoolOutputSize(pooledShape.SpatialSize, nameof(geometry)));
        output.Validate(nameof(geometry), allowChannelsLast: true);
        return output;
    }
}
