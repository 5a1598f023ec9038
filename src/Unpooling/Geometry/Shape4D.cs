using Unpooling.Internal;

namespace Unpooling;

/// <summary>The shape of a channels-first 2-D batch, <c>[N, C, H, W]</c>, stored densely in row-major order.</summary>
/// <param name="Batch">N, the number of samples (0 allowed: the operation is then a no-op).</param>
/// <param name="Channels">C, the number of channels per sample (0 allowed: the operation is then a no-op).</param>
/// <param name="Height">H, the number of rows of each plane.</param>
/// <param name="Width">W, the number of columns of each plane.</param>
public readonly record struct Shape4D(int Batch, int Channels, int Height, int Width)
{
    /// <summary>The number of <c>H x W</c> planes, <c>N * C</c>.</summary>
    public long PlaneCount => (long)Batch * Channels;

    /// <summary>The number of elements of one plane, <c>H * W</c>.</summary>
    public long PlaneSize => (long)Height * Width;

    /// <summary>The total number of elements, <c>N * C * H * W</c>.</summary>
    public long ElementCount => PlaneCount * PlaneSize;

    /// <summary>The spatial size (H, W).</summary>
    public Size2D SpatialSize => new(Height, Width);

    /// <summary>The same batch and channel counts with another spatial size.</summary>
    /// <param name="spatialSize">The new (H, W).</param>
    /// <returns>The shape <c>[N, C, spatialSize.Height, spatialSize.Width]</c>.</returns>
    public Shape4D WithSpatialSize(Size2D spatialSize) => new(Batch, Channels, spatialSize.Height, spatialSize.Width);

    /// <inheritdoc/>
    public override string ToString() => $"[{Batch}, {Channels}, {Height}, {Width}]";

    /// <summary>Checks that every dimension is usable and the element count fits a span.</summary>
    internal void Validate(string paramName)
    {
        if (Batch < 0 || Channels < 0 || Height < 1 || Width < 1)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Shape {this} is invalid: N and C must be >= 0 and H and W must be >= 1.");
        }

        // Compare factor by factor: the 64-bit product of four ints can wrap and look small.
        if ((Int128)Batch * Channels * Height * Width > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Shape {this} holds {(Int128)Batch * Channels * Height * Width} elements, more than a span can address ({Array.MaxLength}).");
        }
    }
}
