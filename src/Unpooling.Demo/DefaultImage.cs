namespace Unpooling.Demo;

/// <summary>
/// The built-in 256x256 test picture, drawn in code so that the demo needs no download and gives the same pixels on
/// every machine. Each quadrant stresses one thing pooling loses: smooth colour with hard-edged shapes and thin lines
/// (top left), periodic patterns from 8 px down to 1 px (top right), text (bottom left) and a zone plate whose rings
/// reach the pixel frequency (bottom right).
/// </summary>
internal static class DefaultImage
{
    public const int Size = 256;
    private const int Half = Size / 2;

    private static readonly Rgb Black = new(0, 0, 0);
    private static readonly Rgb White = new(255, 255, 255);

    public static RgbCanvas Create()
    {
        var canvas = new RgbCanvas(Size, Size);
        GradientWithShapes(canvas);
        Patterns(canvas);
        Text(canvas);
        ZonePlate(canvas);
        return canvas;
    }

    private static void GradientWithShapes(RgbCanvas canvas)
    {
        for (int y = 0; y < Half; y++)
        {
            for (int x = 0; x < Half; x++)
            {
                canvas[x, y] = Rgb.FromUnit(x / (Half - 1f), y / (Half - 1f), 0.55f);
            }
        }

        Disc(canvas, 38, 40, 26, 0, new Rgb(220, 30, 40));
        Disc(canvas, 94, 34, 20, 0, White);
        Disc(canvas, 82, 92, 28, 22, new Rgb(20, 20, 90));

        // Thin lines: one horizontal, one vertical, two diagonals of 1 px.
        for (int i = 4; i < Half - 4; i++)
        {
            canvas[i, 118] = Black;
            canvas[118, i] = White;
            canvas[i, i] = Black;
            canvas[i, (Half - 1) - i] = White;
        }
    }

    private static void Disc(RgbCanvas canvas, int cx, int cy, int outer, int inner, Rgb color)
    {
        for (int y = cy - outer; y <= cy + outer; y++)
        {
            for (int x = cx - outer; x <= cx + outer; x++)
            {
                int r2 = ((x - cx) * (x - cx)) + ((y - cy) * (y - cy));
                if (r2 <= outer * outer && r2 >= inner * inner)
                {
                    canvas[x, y] = color;
                }
            }
        }
    }

    private static void Patterns(RgbCanvas canvas)
    {
        // Four bands of 32 rows: checkerboards of 8, 4 and 2 px, then 1 px stripes (vertical left, horizontal right).
        for (int y = 0; y < Half; y++)
        {
            int band = y / 32;
            for (int x = Half; x < Size; x++)
            {
                bool on = band switch
                {
                    0 => ((x / 8) + (y / 8)) % 2 == 0,
                    1 => ((x / 4) + (y / 4)) % 2 == 0,
                    2 => ((x / 2) + (y / 2)) % 2 == 0,
                    _ => x < Half + (Half / 2) ? x % 2 == 0 : y % 2 == 0,
                };
                canvas[x, y] = on ? new Rgb(250, 250, 240) : new Rgb((byte)(band * 40), 30, 60);
            }
        }
    }

    private static void Text(RgbCanvas canvas)
    {
        canvas.Fill(0, Half, Half, Half, new Rgb(245, 242, 230));
        BitmapFont.Draw(canvas, "Unpool", 6, Half + 6, 3, Black);
        BitmapFont.Draw(canvas, "max 2x2", 6, Half + 36, 2, new Rgb(180, 20, 20));
        BitmapFont.Draw(canvas, "ABCDEFGHIJKLMNOPQRST", 4, Half + 60, 1, Black);
        BitmapFont.Draw(canvas, "abcdefghijklmnopqrst", 4, Half + 70, 1, new Rgb(20, 60, 160));
        BitmapFont.Draw(canvas, "0123456789 (x+y)/2=%", 4, Half + 80, 1, Black);
        BitmapFont.Draw(canvas, "SegNet", 6, Half + 94, 2, new Rgb(20, 120, 40));
        BitmapFont.Draw(canvas, "1px text survives?", 4, Half + 114, 1, Black);
    }

    private static void ZonePlate(RgbCanvas canvas)
    {
        // Rings cos(pi r^2 / 128): the local frequency is r / 128 cycles per pixel, so it reaches the pixel
        // (Nyquist) frequency at the quadrant's edge and aliases beyond it in the corners.
        for (int y = 0; y < Half; y++)
        {
            for (int x = 0; x < Half; x++)
            {
                float dx = x - (Half / 2f) + 0.5f, dy = y - (Half / 2f) + 0.5f;
                float v = 0.5f + (0.5f * MathF.Cos(MathF.PI * ((dx * dx) + (dy * dy)) / Half));
                canvas[Half + x, Half + y] = Rgb.FromUnit(v, (0.8f * v) + 0.1f, 1f - (0.7f * v));
            }
        }
    }
}
