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

    /// <summary>
    /// The logical lengths <c>[N, C, D, H, W]</c> as a new array, whatever the layout: the lengths of a
    /// <see cref="System.Numerics.Tensors.TensorSpan{T}"/> or <see cref="System.Numerics.Tensors.Tensor{T}"/> of this shape
    /// (PyTorch also reports a channels-last tensor's sizes in this order).
    /// </summary>
    /// <returns>The 5 lengths.</returns>
    public nint[] GetLengths() => ShapeRules.Lengths([Batch, Channels, Depth, Height, Width]);

    /// <summary>
    /// The element strides, in the logical order of <see cref="GetLengths"/>, of dense memory in this shape's
    /// <see cref="Layout"/>: row-major for channels-first, PyTorch's <c>channels_last</c> strides for channels-last. A
    /// length-1 axis gets stride 0 (it is never stepped; System.Numerics.Tensors refuses some of PyTorch's strides
    /// there), an empty shape all zeros. With <see cref="GetLengths"/> it describes a span form's buffer as a tensor:
    /// <c>new TensorSpan&lt;float&gt;(buffer, shape.GetLengths(), shape.GetStrides())</c>.
    /// </summary>
    /// <returns>The 5 strides.</returns>
    /// <exception cref="ArgumentException">The shape is not valid (a negative length, an empty spatial axis, an undefined
    /// layout, or more elements than a span holds), named <c>this</c>.</exception>
    public nint[] GetStrides()
    {
        Validate("this", allowChannelsLast: true);
        return ShapeRules.Strides([Batch, Channels, Depth, Height, Width], Layout);
    }

    /// <summary>
    /// The shape of tensor <paramref name="lengths"/> (logical <c>[N, C, D, H, W]</c>, as <see cref="GetLengths"/> writes them)
    /// stored in <paramref name="layout"/> (the layout is not in the lengths: a channels-last tensor has logical lengths
    /// too, see <c>Shape5D.ChannelsLast(n, d, h, w, c)</c>).
    /// </summary>
    /// <param name="lengths">The 5 lengths, e.g. a tensor's <c>Lengths</c>.</param>
    /// <param name="layout">The memory order the shape says; channels-first by default.</param>
    /// <returns>The shape.</returns>
    /// <exception cref="ArgumentException">There are not 5 lengths, or one is outside <c>[0, int.MaxValue]</c>
    /// (named <paramref name="lengths"/>).</exception>
    public static Shape5D FromLengths(ReadOnlySpan<nint> lengths, TensorLayout layout = TensorLayout.ChannelsFirst)
    {
        Span<int> d = stackalloc int[5];
        ShapeRules.FromLengths(lengths, d, "[N, C, D, H, W]", nameof(lengths));
        return new(d[0], d[1], d[2], d[3], d[4]) { Layout = layout };
    }

    /// <inheritdoc/>
    public override string ToString()
        => Layout == TensorLayout.ChannelsLast
            ? $"[{Batch}, {Depth}, {Height}, {Width}, {Channels}] (channels-last N, D, H, W, C)"
            : $"[{Batch}, {Channels}, {Depth}, {Height}, {Width}]";

    /// <summary>Checks that every dimension is usable and the element count fits a span.</summary>
    internal void Validate(string paramName, bool allowChannelsLast = false)
        => ShapeRules.Validate(this, Batch, Channels, Depth >= 1 && Height >= 1 && Width >= 1, (Int128)Batch * Channels * Depth * Height * Width, Layout, allowChannelsLast, paramName);
}
