using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The shape of a 3-D batch (volumes, video): logically <c>[N, C, D, H, W]</c>, stored densely channels-first (the
/// default) or channels-last (<c>[N, D, H, W, C]</c>, see <see cref="Layout"/> and <see cref="ChannelsLast"/>).
/// </summary>
/// <param name="Batch">N, the number of samples (0 allowed: the operation is then a no-op).</param>
/// <param name="Channels">C, the number of channels per sample (0 allowed: the operation is then a no-op).</param>
/// <param name="Depth">D, the number of slices of each volume.</param>
/// <param name="Height">H, the number of rows of each slice.</param>
/// <param name="Width">W, the number of columns of each row.</param>
public readonly record struct Shape5D(int Batch, int Channels, int Depth, int Height, int Width)
{
    /// <summary>The memory order; <see cref="TensorLayout.ChannelsFirst"/> unless created by <see cref="ChannelsLast"/>
    /// or set with <c>with { Layout = ... }</c>.</summary>
    public TensorLayout Layout { get; init; }

    /// <summary>A channels-last shape: logical <c>[N, C, D, H, W]</c> stored as <c>[N, D, H, W, C]</c>.</summary>
    /// <param name="batch">N.</param>
    /// <param name="depth">D.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="channels">C.</param>
    /// <returns>The shape, with <see cref="Layout"/> = <see cref="TensorLayout.ChannelsLast"/>.</returns>
    public static Shape5D ChannelsLast(int batch, int depth, int height, int width, int channels)
        => new(batch, channels, depth, height, width) { Layout = TensorLayout.ChannelsLast };

    /// <summary>The number of <c>D x H x W</c> volumes, <c>N * C</c>.</summary>
    public long PlaneCount => (long)Batch * Channels;

    /// <summary>The number of elements of one volume, <c>D * H * W</c>.</summary>
    public long PlaneSize => (long)Depth * Height * Width;

    /// <summary>The total number of elements, <c>N * C * D * H * W</c>.</summary>
    public long ElementCount => PlaneCount * PlaneSize;

    /// <summary>The spatial size (D, H, W).</summary>
    public Size3D SpatialSize => new(Depth, Height, Width);

    /// <summary>The same batch, channels and layout with another spatial size.</summary>
    /// <param name="spatialSize">The new (D, H, W).</param>
    /// <returns>The shape.</returns>
    public Shape5D WithSpatialSize(Size3D spatialSize)
        => this with { Depth = spatialSize.Depth, Height = spatialSize.Height, Width = spatialSize.Width };

    /// <inheritdoc/>
    public override string ToString()
        => Layout == TensorLayout.ChannelsLast
            ? $"[{Batch}, {Depth}, {Height}, {Width}, {Channels}] (channels-last N, D, H, W, C)"
            : $"[{Batch}, {Channels}, {Depth}, {Height}, {Width}]";

    /// <summary>Checks that every dimension is usable and the element count fits a span.</summary>
    internal void Validate(string paramName, bool allowChannelsLast = false)
        => ShapeRules.Validate(this, Batch, Channels, Depth >= 1 && Height >= 1 && Width >= 1, (Int128)Batch * Channels * Depth * Height * Width, Layout, allowChannelsLast, paramName);
}
