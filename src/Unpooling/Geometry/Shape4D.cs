using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The shape of a 2-D batch: logically <c>[N, C, H, W]</c>, stored densely channels-first (<c>[N, C, H, W]</c>, the
/// default) or channels-last (<c>[N, H, W, C]</c>, see <see cref="Layout"/> and <see cref="ChannelsLast"/>).
/// </summary>
/// <param name="Batch">N, the number of samples (0 allowed: the operation is then a no-op).</param>
/// <param name="Channels">C, the number of channels per sample (0 allowed: the operation is then a no-op).</param>
/// <param name="Height">H, the number of rows of each plane.</param>
/// <param name="Width">W, the number of columns of each plane.</param>
public readonly record struct Shape4D(int Batch, int Channels, int Height, int Width)
{
    /// <summary>The memory order; <see cref="TensorLayout.ChannelsFirst"/> unless created by <see cref="ChannelsLast"/>
    /// or set with <c>with { Layout = ... }</c>.</summary>
    public TensorLayout Layout { get; init; }

    /// <summary>A channels-last shape: logical <c>[N, C, H, W]</c> stored as <c>[N, H, W, C]</c> (TensorFlow's NHWC).</summary>
    /// <param name="batch">N.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="channels">C.</param>
    /// <returns>The shape, with <see cref="Layout"/> = <see cref="TensorLayout.ChannelsLast"/>.</returns>
    public static Shape4D ChannelsLast(int batch, int height, int width, int channels)
        => new(batch, channels, height, width) { Layout = TensorLayout.ChannelsLast };

    /// <summary>The number of <c>H x W</c> planes, <c>N * C</c>.</summary>
    public long PlaneCount => (long)Batch * Channels;

    /// <summary>The number of elements of one plane, <c>H * W</c>.</summary>
    public long PlaneSize => (long)Height * Width;

    /// <summary>The total number of elements, <c>N * C * H * W</c>.</summary>
    public long ElementCount => PlaneCount * PlaneSize;

    /// <summary>The spatial size (H, W).</summary>
    public Size2D SpatialSize => new(Height, Width);

    /// <summary>The same batch, channels and layout with another spatial size.</summary>
    /// <param name="spatialSize">The new (H, W).</param>
    /// <returns>The shape <c>[N, C, spatialSize.Height, spatialSize.Width]</c> in this layout.</returns>
    public Shape4D WithSpatialSize(Size2D spatialSize) => this with { Height = spatialSize.Height, Width = spatialSize.Width };

    /// <summary>
    /// The logical lengths <c>[N, C, H, W]</c> as a new array, whatever the layout: the lengths of a
    /// <see cref="System.Numerics.Tensors.TensorSpan{T}"/> or <see cref="System.Numerics.Tensors.Tensor{T}"/> of this shape
    /// (PyTorch also reports a channels-last tensor's sizes in this order).
    /// </summary>
    /// <returns>The 4 lengths.</returns>
    public nint[] GetLengths() => ShapeRules.Lengths([Batch, Channels, Height, Width]);

    /// <summary>
    /// The element strides, in the logical order of <see cref="GetLengths"/>, of dense memory in this shape's
    /// <see cref="Layout"/>: row-major for channels-first, PyTorch's <c>channels_last</c> strides for channels-last. A
    /// length-1 axis gets stride 0 (it is never stepped; System.Numerics.Tensors refuses some of PyTorch's strides
    /// there), an empty shape all zeros. With <see cref="GetLengths"/> it describes a span form's buffer as a tensor:
    /// <c>new TensorSpan&lt;float&gt;(buffer, shape.GetLengths(), shape.GetStrides())</c>.
    /// </summary>
    /// <returns>The 4 strides.</returns>
    /// <exception cref="ArgumentException">The shape is not valid (a negative length, an empty spatial axis, an undefined
    /// layout, or more elements than a span holds), named <c>this</c>.</exception>
    public nint[] GetStrides()
    {
        Validate("this", allowChannelsLast: true);
        return ShapeRules.Strides([Batch, Channels, Height, Width], Layout);
    }

    /// <summary>
    /// The shape of tensor <paramref name="lengths"/> (logical <c>[N, C, H, W]</c>, as <see cref="GetLengths"/> writes them)
    /// stored in <paramref name="layout"/> (the layout is not in the lengths: a channels-last tensor has logical lengths
    /// too, see <c>Shape4D.ChannelsLast(n, h, w, c)</c>).
    /// </summary>
    /// <param name="lengths">The 4 lengths, e.g. a tensor's <c>Lengths</c>.</param>
    /// <param name="layout">The memory order the shape says; channels-first by default.</param>
    /// <returns>The shape.</returns>
    /// <exception cref="ArgumentException">There are not 4 lengths, or one is outside <c>[0, int.MaxValue]</c>
    /// (named <paramref name="lengths"/>).</exception>
    public static Shape4D FromLengths(ReadOnlySpan<nint> lengths, TensorLayout layout = TensorLayout.ChannelsFirst)
    {
        Span<int> d = stackalloc int[4];
        ShapeRules.FromLengths(lengths, d, "[N, C, H, W]", nameof(lengths));
        return new(d[0], d[1], d[2], d[3]) { Layout = layout };
    }

    /// <inheritdoc/>
    public override string ToString()
        => Layout == TensorLayout.ChannelsLast
            ? $"[{Batch}, {Height}, {Width}, {Channels}] (channels-last N, H, W, C)"
            : $"[{Batch}, {Channels}, {Height}, {Width}]";

    /// <summary>Checks that every dimension is usable and the element count fits a span.</summary>
    /// <param name="paramName">The argument to name.</param>
    /// <param name="allowChannelsLast">Whether the operator has a channels-last kernel; if not, a channels-last shape is
    /// refused (never computed as if it were channels-first).</param>
    internal void Validate(string paramName, bool allowChannelsLast = false)
        => ShapeRules.Validate(this, Batch, Channels, Height >= 1 && Width >= 1, (Int128)Batch * Channels * Height * Width, Layout, allowChannelsLast, paramName);
}
