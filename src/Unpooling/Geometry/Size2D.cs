namespace Unpooling;

/// <summary>A pair of per-axis integers (height, width): a kernel size, stride, padding, dilation or spatial size.</summary>
/// <param name="Height">The value along the height (row) axis.</param>
/// <param name="Width">The value along the width (column) axis.</param>
/// <remarks>An <see cref="int"/> converts implicitly to a square pair, so <c>kernelSize: 2</c> means 2 x 2.</remarks>
public readonly record struct Size2D(int Height, int Width)
{
    /// <summary>Creates the square pair (<paramref name="size"/>, <paramref name="size"/>).</summary>
    /// <param name="size">The value for both axes.</param>
    public static implicit operator Size2D(int size) => new(size, size);

    /// <summary>Creates the square pair (<paramref name="size"/>, <paramref name="size"/>).</summary>
    /// <param name="size">The value for both axes.</param>
    /// <returns>The pair.</returns>
    public static Size2D FromInt32(int size) => new(size, size);

    /// <summary>Creates the pair from a tuple, so <c>kernelSize: (3, 2)</c> reads as (height, width).</summary>
    /// <param name="size">The values (height, width).</param>
    public static implicit operator Size2D((int Height, int Width) size) => new(size.Height, size.Width);

    /// <summary>Creates the pair from a tuple (height, width).</summary>
    /// <param name="size">The values (height, width).</param>
    /// <returns>The pair.</returns>
    public static Size2D FromValueTuple((int Height, int Width) size) => new(size.Height, size.Width);

    /// <inheritdoc/>
    public override string ToString() => $"{Height}x{Width}";
}
