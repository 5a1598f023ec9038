using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// The shape of a 1-D batch (sequences): logically <c>[N, C, L]</c>, stored densely channels-first (<c>[N, C, L]</c>,
/// the default) or channels-last (<c>[N, L, C]</c>, see <see cref="Layout"/> and <see cref="ChannelsLast"/>).
/// </summary>
/// <param name="Batch">N, the number of samples (0 allowed: the operation is then a no-op).</param>
/// <param name="Channels">C, the number of channels per sample (0 allowed: the operation is then a no-op).</param>
/// <param name="Length">L, the number of positions of each sequence.</param>
public readonly record struct Shape3D(int Batch, int Channels, int Length)
{
    /// <summary>The memory order; <see cref="TensorLayout.ChannelsFirst"/> unless created by <see cref="ChannelsLast"/>
    /// or set with <c>with { Layout = ... }</c>.</summary>
    public TensorLayout Layout { get; init; }

    /// <summary>A channels-last shape: logical <c>[N, C, L]</c> stored as <c>[N, L, C]</c>.</summary>
    /// <param name="batch">N.</param>
    /// <param name="length">L.</param>
    /// <param name="channels">C.</param>
    /// <returns>The shape, with <see cref="Layout"/> = <see cref="TensorLayout.ChannelsLast"/>.</returns>
    public static Shape3D ChannelsLast(int batch, int length, int channels)
        => new(batch, channels, length) { Layout = TensorLayout.ChannelsLast };

    /// <summary>The number of sequences (planes), <c>N * C</c>.</summary>
    public long PlaneCount => (long)Batch * Channels;

    /// <summary>The total number of elements, <c>N * C * L</c>.</summary>
    public long ElementCount => PlaneCount * Length;

    /// <summary>The same batch, channels and layout with another length.</summary>
    /// <param name="length">The new L.</param>
    /// <returns>The shape.</returns>
    public Shape3D WithLength(int length) => this with { Length = length };

    /// <summary>The 2-D shape of height 1 that this shape is stored as: <c>[N, C, 1, L]</c> (or channels-last <c>[N, 1, L, C]</c>).</summary>
    internal Shape4D As4D() => new(Batch, Channels, 1, Length) { Layout = Layout };

    /// <summary>
    /// The logical lengths <c>[N, C, L]</c> as a new array, whatever the layout: the lengths of a
    /// <see cref="System.Numerics.Tensors.TensorSpan{T}"/> or <see cref="System.Numerics.Tensors.Tensor{T}"/> of this shape
    /// (PyTorch also reports a channels-last tensor's sizes in this order).
    /// </summary>
    /// <returns>The 3 lengths.</returns>
    public nint[] GetLengths() => ShapeRules.Lengths([Batch, Channels, Length]);

    /// <summary>
    /// The element strides, in the logical order of <see cref="GetLengths"/>, of dense memory in this shape's
    /// <see cref="Layout"/>: row-major for channels-first, PyTorch's <c>channels_last</c> strides for channels-last. A
    /// length-1 axis gets stride 0 (it is never stepped; System.Numerics.Tensors refuses some of PyTorch's strides
    /// there), an empty shape all zeros. With <see cref="GetLengths"/> it describes a span form's buffer as a tensor:
    /// <c>new TensorSpan&lt;float&gt;(buffer, shape.GetLengths(), shape.GetStrides())</c>.
    /// </summary>
    /// <returns>The 3 strides.</returns>
    /// <exception cref="ArgumentException">The shape is not valid (a negative length, an empty spatial axis, an undefined
    /// layout, or more elements than a span holds), named <c>this</c>.</exception>
    public nint[] GetStrides()
    {
        Validate("this", allowChannelsLast: true);
        return ShapeRules.Strides([Batch, Channels, Length], Layout);
    }

    /// <summary>
    /// The shape of tensor <paramref name="lengths"/> (logical <c>[N, C, L]</c>, as <see cref="GetLengths"/> writes them)
    /// stored in <paramref name="layout"/> (the layout is not in the lengths: a channels-last tensor has logical lengths
    /// too, see <c>Shape3D.ChannelsLast(n, l, c)</c>).
    /// </summary>
    /// <param name="lengths">The 3 lengths, e.g. a tensor's <c>Lengths</c>.</param>
    /// <param name="layout">The memory order the shape says; channels-first by default.</param>
    /// <returns>The shape.</returns>
    /// <exception cref="ArgumentException">There are not 3 lengths, or one is outside <c>[0, int.MaxValue]</c>
    /// (named <paramref name="lengths"/>).</exception>
    public static Shape3D FromLengths(ReadOnlySpan<nint> lengths, TensorLayout layout = TensorLayout.ChannelsFirst)
    {
        Span<int> d = stackalloc int[3];
        ShapeRules.FromLengths(lengths, d, "[N, C, L]", nameof(lengths));
        return new(d[0], d[1], d[2]) { Layout = layout };
    }

    /// <inheritdoc/>
    public override string ToString()
        => Layout == TensorLayout.ChannelsLast ? $"[{Batch}, {Length}, {Channels}] (channels-last N, L, C)" : $"[{Batch}, {Channels}, {Length}]";

    /// <summary>Checks that every dimension is usable and the element count fits a span.</summary>
    internal void Validate(string paramName, bool allowChannelsLast = false)
        => ShapeRules.Validate(this, Batch, Channels, Length >= 1, (Int128)Batch * Channels * Length, Layout, allowChannelsLast, paramName);
}
