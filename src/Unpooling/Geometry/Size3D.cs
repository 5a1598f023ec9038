namespace Unpooling;

/// <summary>A triple of per-axis integers (depth, height, width): a kernel size, stride, padding, dilation or spatial size.</summary>
/// <param name="Depth">The value along the depth (slice) axis.</param>
/// <param name="Height">The value along the height (row) axis.</param>
/// <param name="Width">The value along the width (column) axis.</param>
/// <remarks>An <see cref="int"/> converts implicitly to a cube, so <c>kernelSize: 2</c> means 2 x 2 x 2.</remarks>
public readonly record struct Size3D(int Depth, int Height, int Width)
{
    /// <summary>Creates the cube (<paramref name="size"/>, <paramref name="size"/>, <paramref name="size"/>).</summary>
    /// <param name="size">The value for all three axes.</param>
    public static implicit operator Size3D(int size) => new(size, size, size);

    /// <summary>Creates the cube (<paramref name="size"/>, <paramref name="size"/>, <paramref name="size"/>).</summary>
    /// <param name="size">The value for all three axes.</param>
    /// <returns>The triple.</returns>
    public static Size3D FromInt32(int size) => new(size, size, size);

    /// <summary>The number of cells of a box of this size, <c>D * H * W</c>, in 64 bits.</summary>
    public long Volume => (long)Depth * Height * Width;

    /// <summary>Creates the triple from a tuple, so <c>kernelSize: (3, 2, 2)</c> reads as (depth, height, width).</summary>
    /// <param name="size">The values (depth, height, width).</param>
    public static implicit operator Size3D((int Depth, int Height, int Width) size) => new(size.Depth, size.Height, size.Width);

    /// <summary>Creates the triple from a tuple (depth, height, width).</summary>
    /// <param name="size">The values (depth, height, width).</param>
    /// <returns>The triple.</returns>
    public static Size3D FromValueTuple((int Depth, int Height, int Width) size) => new(size.Depth, size.Height, size.Width);

    /// <inheritdoc/>
    public override string ToString() => $"{Depth}x{Height}x{Width}";
}
