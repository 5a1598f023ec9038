namespace Unpooling.Demo;

/// <summary>An 8-bit RGB colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The colour of three values in [0, 1], rounded to the nearest 8-bit level (clamped).</summary>
    public static Rgb FromUnit(float r, float g, float b) => new(ToByte(r), ToByte(g), ToByte(b));

    /// <summary>Rounds a value in [0, 1] to the nearest of 256 levels; out-of-range values clamp, NaN gives 0.</summary>
    public static byte ToByte(float value) => float.IsNaN(value) ? (byte)0 : (byte)MathF.Round(Math.Clamp(value, 0f, 1f) * 255f);
}

/// <summary>
/// A width x height RGB picture in memory, 3 bytes a pixel, row-major. All drawing clips to the canvas, so callers can
/// place panels and text without bounds checks. The demo's images (the input and everything it draws) live here; the
/// tensors are planar float copies made by <see cref="ToPlanes"/>.
/// </summary>
internal sealed class RgbCanvas
{
    public RgbCanvas(int width, int height, Rgb background = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        Pixels = new byte[checked(width * height * 3)];
        Fill(0, 0, width, height, background);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The spatial size as the library names it: (height, width).</summary>
    public Size2D Size => new(Height, Width);

    /// <summary>Interleaved R, G, B bytes, row-major.</summary>
    public byte[] Pixels { get; }

    public Rgb this[int x, int y]
    {
        get
        {
            int i = ((y * Width) + x) * 3;
            return new Rgb(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }

        set
        {
            if ((uint)x < (uint)Width && (uint)y < (uint)Height)
            {
                int i = ((y * Width) + x) * 3;
                Pixels[i] = value.R;
                Pixels[i + 1] = value.G;
                Pixels[i + 2] = value.B;
            }
        }
    }

    /// <summary>Fills a rectangle, clipped to the canvas.</summary>
    public void Fill(int x, int y, int width, int height, Rgb color)
    {
        int x0 = Math.Max(x, 0), y0 = Math.Max(y, 0);
        int x1 = Math.Min(x + width, Width), y1 = Math.Min(y + height, Height);
        for (int row = y0; row < y1; row++)
        {
            for (int col = x0; col < x1; col++)
            {
                this[col, row] = color;
            }
        }
    }

    /// <summary>
    /// Draws a planar <c>[3, H, W]</c> float image (values in [0, 1]) with its top-left corner at (x, y), clipped to
    /// the canvas.
    /// </summary>
    public void DrawPlanes(ReadOnlySpan<float> planes, Size2D size, int x, int y)
    {
        int plane = size.Height * size.Width;
        for (int row = 0; row < size.Height; row++)
        {
            for (int col = 0; col < size.Width; col++)
            {
                int i = (row * size.Width) + col;
                this[x + col, y + row] = Rgb.FromUnit(planes[i], planes[plane + i], planes[(2 * plane) + i]);
            }
        }
    }

    /// <summary>The picture as a planar <c>[1, 3, H, W]</c> float tensor, each byte divided by 255.</summary>
    public float[] ToPlanes()
    {
        int plane = Width * Height;
        var planes = new float[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            planes[i] = Pixels[3 * i] / 255f;
            planes[plane + i] = Pixels[(3 * i) + 1] / 255f;
            planes[(2 * plane) + i] = Pixels[(3 * i) + 2] / 255f;
        }

        return planes;
    }
}
