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

    /// <inheritdoc/>
    public override string ToString()
        => Layout == TensorLayout.ChannelsLast ? $"[{Batch}, {Length}, {Channels}] (channels-last N, L, C)" : $"[{Batch}, {Channels}, {Length}]";

    /// <summary>Checks that every dimension is usable and the element count fits a span.</summary>
    internal void Validate(string paramName, bool allowChannelsLast = false)
        => ShapeRules.Validate(this, Batch, Channels, Length >= 1, (Int128)Batch * Channels * Length, Layout, allowChannelsLast, paramName);
}
