namespace Unpooling.Demo.Training;

/// <summary>The classes of a scene's pixels (the segmentation task's labels), in painting order.</summary>
internal enum SceneClass : byte
{
    Background = 0,
    Rectangle = 1,
    Disc = 2,
    Triangle = 3,
    Line = 4,
    Text = 5,
}

/// <summary>
/// A set of generated grayscale scenes and their per-pixel labels: <c>Images</c> is <c>[Count, 1, Size, Size]</c> in
/// <c>[0, 1]</c>, <c>Labels</c> the class of each pixel (<see cref="SceneClass"/>).
/// </summary>
internal sealed record SceneSet(int Count, int Size, float[] Images, byte[] Labels)
{
    public int Pixels => Size * Size;
}

/// <summary>
/// Scenes like the built-in test image, drawn from a seed (no download): a background of a gradient with a faint
/// texture, then two to four objects, each a rectangle, a disc, a triangle, a thin line or a few letters, in a gray
/// level that differs from the background. Later objects cover earlier ones, in the image and in the labels.
/// </summary>
internal static class Scenes
{
    public const int ClassCount = 6;

    private const string Letters = "ABCDEFGHKMNPRSTUVWXYZ0123456789";

    public static SceneSet Generate(int count, int size, ulong seed)
    {
        var images = new float[count * size * size];
        var labels = new byte[images.Length];
        var random = new SplitMix(seed);
        for (int i = 0; i < count; i++)
        {
            Draw(images.AsSpan(i * size * size, size * size), labels.AsSpan(i * size * size, size * size), size, ref random);
        }

        return new SceneSet(count, size, images, labels);
    }

    private static void Draw(Span<float> image, Span<byte> label, int size, ref SplitMix random)
    {
        // Background: a linear gradient between two gray levels, plus a faint checkerboard or stripes.
        float a = random.Range(0.1f, 0.5f), b = random.Range(0.1f, 0.5f);
        float angle = random.Range(0, MathF.Tau), cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        int texture = random.Next(3), period = 2 + random.Next(4);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                float t = 0.5f + ((((x - (size / 2f)) * cos) + ((y - (size / 2f)) * sin)) / size);
                bool on = texture switch { 0 => ((x / period) + (y / period)) % 2 == 0, 1 => (x / period) % 2 == 0, _ => false };
                image[(y * size) + x] = a + ((b - a) * Math.Clamp(t, 0, 1)) + (on ? 0.06f : 0);
                label[(y * size) + x] = (byte)SceneClass.Background;
            }
        }

        int objects = 2 + random.Next(3);
        for (int o = 0; o < objects; o++)
        {
            var kind = (SceneClass)(1 + random.Next(5));
            float gray = random.Range(0.65f, 1f);
            int cx = random.Next(size), cy = random.Next(size), extent = (size / 8) + random.Next(size / 4);
            switch (kind)
            {
                case SceneClass.Rectangle:
                    int w = extent, h = (size / 8) + random.Next(size / 4);
                    Paint(image, label, size, kind, gray, (x, y) => Math.Abs(x - cx) <= w / 2 && Math.Abs(y - cy) <= h / 2);
                    break;
                case SceneClass.Disc:
                    int r = Math.Max(2, extent / 2);
                    Paint(image, label, size, kind, gray, (x, y) => ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= r * r);
                    break;
                case SceneClass.Triangle:
                    // Apex up, base at the bottom: |x - cx| <= (y - top) / 2 within the height.
                    int top = cy - (extent / 2);
                    Paint(image, label, size, kind, gray, (x, y) => y >= top && y <= top + extent && 2 * Math.Abs(x - cx) <= y - top);
                    break;
                case SceneClass.Line:
                    // A thin (1 px) line through (cx, cy) at a random angle, across the image.
                    float lineAngle = random.Range(0, MathF.PI), lc = MathF.Cos(lineAngle), ls = MathF.Sin(lineAngle);
                    Paint(image, label, size, kind, gray, (x, y) => MathF.Abs(((x - cx) * ls) - ((y - cy) * lc)) < 0.5f);
                    break;
                default:
                    Text(image, label, size, gray, cx - 6, cy - 4, ref random);
                    break;
            }
        }
    }

    private static void Paint(Span<float> image, Span<byte> label, int size, SceneClass kind, float gray, Func<int, int, bool> inside)
    {
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                if (inside(x, y))
                {
                    image[(y * size) + x] = gray;
                    label[(y * size) + x] = (byte)kind;
                }
            }
        }
    }

    private static void Text(Span<float> image, Span<byte> label, int size, float gray, int left, int top, ref SplitMix random)
    {
        // Two letters of the demo's bitmap font, drawn white on a scratch canvas and read back as a mask.
        string text = $"{Letters[random.Next(Letters.Length)]}{Letters[random.Next(Letters.Length)]}";
        var canvas = new RgbCanvas(size, size);
        BitmapFont.Draw(canvas, text, left, top, 1, new Rgb(255, 255, 255));
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                if (canvas[x, y].R != 0)
                {
                    image[(y * size) + x] = gray;
                    label[(y * size) + x] = (byte)SceneClass.Text;
                }
            }
        }
    }
}

/// <summary>SplitMix64: a seeded, portable random stream (the same numbers on every machine).</summary>
internal struct SplitMix(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in <c>[0, bound)</c>.</summary>
    public int Next(int bound) => (int)(NextUInt64() % (ulong)bound);

    /// <summary>A uniform float in <c>[low, high)</c>.</summary>
    public float Range(float low, float high) => low + ((high - low) * (float)((NextUInt64() >> 40) * (1.0 / (1UL << 24))));
}
