namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// The default output shape of <c>FixedUnpool1D</c>, <c>RandomUnpool1D</c> and <c>RepeatUnpool1D</c> (no explicit output size): <c>i*k</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, L], either layout.</param>
    /// <param name="factor">The block size per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="factor"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A factor is below 1.</exception>
    public static Shape3D GetBlockUnpool1DOutputShape(Shape3D sourceShape, int factor)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Shape5D shape = BlockRanks.Lift(sourceShape);
        Shape5D output = shape.WithSpatialSize(BlockRanks.OutputSize(BlockRankOp.Fixed, shape, BlockRanks.Lift(factor), default, null, 1, "outputSize"));
        output.Validate(nameof(factor), allowChannelsLast: true);
        return new Shape3D(output.Batch, output.Channels, output.Width) { Layout = output.Layout };
    }

    /// <summary>
    /// The default output shape of <c>FixedUnpool2D</c>, <c>RandomUnpool2D</c> and <c>RepeatUnpool2D</c> (no explicit output size): <c>i*k</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, H, W], either layout.</param>
    /// <param name="factor">The block size per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="factor"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A factor is below 1.</exception>
    public static Shape4D GetBlockUnpool2DOutputShape(Shape4D sourceShape, Size2D factor)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Shape4D output = sourceShape.WithSpatialSize(ValidateBlockUnpool(sourceShape, factor, default, null, "outputSize"));
        output.Validate(nameof(factor), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The default output shape of <c>FixedUnpool3D</c>, <c>RandomUnpool3D</c> and <c>RepeatUnpool3D</c> (no explicit output size): <c>i*k</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, D, H, W], either layout.</param>
    /// <param name="factor">The block size per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="factor"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A factor is below 1.</exception>
    public static Shape5D GetBlockUnpool3DOutputShape(Shape5D sourceShape, Size3D factor)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Shape5D shape = sourceShape;
        Shape5D output = shape.WithSpatialSize(BlockRanks.OutputSize(BlockRankOp.Fixed, shape, factor, default, null, 3, "outputSize"));
        output.Validate(nameof(factor), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The output shape of <c>ZeroInsert1D</c>: <c>(i-1)*s + 1</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, L], either layout.</param>
    /// <param name="stride">The stride per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="stride"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride is below 1.</exception>
    public static Shape3D GetZeroInsert1DOutputShape(Shape3D sourceShape, int stride)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Shape5D shape = BlockRanks.Lift(sourceShape);
        Shape5D output = shape.WithSpatialSize(BlockRanks.OutputSize(BlockRankOp.ZeroInsert, shape, BlockRanks.Lift(stride), default, null, 1, "outputSize"));
        output.Validate(nameof(stride), allowChannelsLast: true);
        return new Shape3D(output.Batch, output.Channels, output.Width) { Layout = output.Layout };
    }

    /// <summary>
    /// The output shape of <c>ZeroInsert2D</c>: <c>(i-1)*s + 1</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, H, W], either layout.</param>
    /// <param name="stride">The stride per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="stride"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride is below 1.</exception>
    public static Shape4D GetZeroInsert2DOutputShape(Shape4D sourceShape, Size2D stride)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        return StridedOutputShape(true, sourceShape, stride);
    }

    /// <summary>
    /// The output shape of <c>ZeroInsert3D</c>: <c>(i-1)*s + 1</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, D, H, W], either layout.</param>
    /// <param name="stride">The stride per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="stride"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride is below 1.</exception>
    public static Shape5D GetZeroInsert3DOutputShape(Shape5D sourceShape, Size3D stride)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Shape5D shape = sourceShape;
        Shape5D output = shape.WithSpatialSize(BlockRanks.OutputSize(BlockRankOp.ZeroInsert, shape, stride, default, null, 3, "outputSize"));
        output.Validate(nameof(stride), allowChannelsLast: true);
        return output;
    }

    /// <summary>
    /// The output shape of <c>StridedSubsample1D</c>: <c>(i-1)/s + 1</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, L], either layout.</param>
    /// <param name="stride">The stride per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="stride"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride is below 1.</exception>
    public static Shape3D GetStridedSubsample1DOutputShape(Shape3D sourceShape, int stride)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Shape5D shape = BlockRanks.Lift(sourceShape);
        Shape5D output = shape.WithSpatialSize(BlockRanks.OutputSize(BlockRankOp.Subsample, shape, BlockRanks.Lift(stride), default, null, 1, "outputSize"));
        output.Validate(nameof(stride), allowChannelsLast: true);
        return new Shape3D(output.Batch, output.Channels, output.Width) { Layout = output.Layout };
    }

    /// <summary>
    /// The output shape of <c>StridedSubsample2D</c>: <c>(i-1)/s + 1</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, H, W], either layout.</param>
    /// <param name="stride">The stride per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="stride"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride is below 1.</exception>
    public static Shape4D GetStridedSubsample2DOutputShape(Shape4D sourceShape, Size2D stride)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        return StridedOutputShape(false, sourceShape, stride);
    }

    /// <summary>
    /// The output shape of <c>StridedSubsample3D</c>: <c>(i-1)/s + 1</c> per axis, for an input of <paramref name="sourceShape"/>; N, C and the layout
    /// are the input's. What an allocating form would create, for sizing the span forms' destinations.
    /// </summary>
    /// <param name="sourceShape">The input shape [N, C, D, H, W], either layout.</param>
    /// <param name="stride">The stride per axis, each &gt;= 1.</param>
    /// <returns>The output shape.</returns>
    /// <exception cref="ArgumentException">The shape is invalid (named <paramref name="sourceShape"/>), or the output is
    /// larger than an <see cref="int"/> per axis or than a span holds (named <paramref name="stride"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stride is below 1.</exception>
    public static Shape5D GetStridedSubsample3DOutputShape(Shape5D sourceShape, Size3D stride)
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Shape5D shape = sourceShape;
        Shape5D output = shape.WithSpatialSize(BlockRanks.OutputSize(BlockRankOp.Subsample, shape, stride, default, null, 3, "outputSize"));
        output.Validate(nameof(stride), allowChannelsLast: true);
        return output;
    }
}
