using System.Globalization;

namespace Unpooling.Demo;

/// <summary>The two pictures the demo writes: the contact sheet and the map of the argmax switches.</summary>
internal static class Pictures
{
    /// <summary>Columns of the contact sheet; it has <see cref="SheetPanels"/> panels in two rows.</summary>
    public const int SheetColumns = 4;

    /// <summary>Input, max-pooled, then the six reconstructions.</summary>
    public const int SheetPanels = 8;

    /// <summary>Columns of the switches map: the legend, then one map per channel (R, G, B).</summary>
    public const int SwitchColumns = 4;

    /// <summary>The blue component of every switch colour, so that the upper-left offset is not black.</summary>
    public const float SwitchBlue = 0.35f;

    private static readonly string[] ChannelNames = ["red", "green", "blue"];

    /// <summary>The layout of the contact sheet for a run.</summary>
    public static PanelGrid SheetGrid(DemoResult run)
        => PanelGrid.Create(run.InputSize, SheetColumns, SheetPanels / SheetColumns, PanelGrid.ScaleFor(run.InputSize.Width));

    /// <summary>The layout of the switches map: each channel's pooled grid drawn with cells of stride x stride pixels.</summary>
    public static PanelGrid SwitchGrid(DemoResult run)
        => PanelGrid.Create(SwitchDisplaySize(run), SwitchColumns, 1, PanelGrid.ScaleFor(run.InputSize.Width));

    public static Size2D SwitchDisplaySize(DemoResult run)
        => new(run.PooledSize.Height * run.Pool.Stride.Height, run.PooledSize.Width * run.Pool.Stride.Width);

    /// <summary>
    /// The input, the max-pooled image at its own size (centred on grey: all that is left), and each reconstruction at
    /// the input's size, labelled with its PSNR.
    /// </summary>
    public static RgbCanvas ContactSheet(DemoResult run, string inputName)
    {
        PanelGrid grid = SheetGrid(run);
        Size2D size = run.InputSize;
        RgbCanvas canvas = grid.CreateCanvas($"{inputName}: max pool {Describe(run.Pool)}, then back to {Px(size)}");

        grid.DrawLabel(canvas, 0, "input", Px(size));
        DrawImage(canvas, grid, 0, run.Input, size);

        // The pooled image is drawn 1:1 in the middle of an input-sized grey area (cropped in the rare geometry
        // where it is larger than the input), so the panel shows how much smaller it is.
        grid.DrawLabel(canvas, 1, "max-pooled", $"{Px(run.PooledSize)}, shown 1:1");
        (int ax, int ay) = grid.ImageOrigin(1, size.Width);
        canvas.Fill(ax, ay, size.Width, size.Height, Palette.EmptyArea);
        var shown = new Size2D(Math.Min(run.PooledSize.Height, size.Height), Math.Min(run.PooledSize.Width, size.Width));
        canvas.DrawPlanes(
            Reconstructions.Fit(run.Pooled, run.PooledSize, shown),
            shown,
            ax + ((size.Width - shown.Width) / 2),
            ay + ((size.Height - shown.Height) / 2));

        for (int i = 0; i < run.Methods.Count; i++)
        {
            Reconstruction method = run.Methods[i];
            grid.DrawLabel(canvas, i + 2, method.Name, $"PSNR {FormatPsnr(method.Psnr)} dB");
            DrawImage(canvas, grid, i + 2, method.Planes, size);
        }

        return canvas;
    }

    /// <summary>
    /// Where each maximum came from: every pooled cell, drawn as a stride x stride block, is coloured by the offset
    /// (row, column) of its argmax inside its window: red grows with the column, green with the row
    /// (<see cref="SwitchColor"/>). One map per channel, since each channel pools on its own; the first panel is the
    /// legend.
    /// </summary>
    public static RgbCanvas SwitchesMap(DemoResult run)
    {
        PanelGrid grid = SwitchGrid(run);
        Size2D display = SwitchDisplaySize(run);
        Size2D kernel = run.Pool.KernelSize, stride = run.Pool.Stride, padding = run.Pool.PaddingBegin;
        RgbCanvas canvas = grid.CreateCanvas($"argmax switches: max pool {Describe(run.Pool)}");

        grid.DrawLabel(canvas, 0, "legend: (row,col)", $"offset in {kernel.Height}x{kernel.Width} window");
        DrawLegend(canvas, grid, display, kernel);

        int pooledPlane = run.PooledSize.Height * run.PooledSize.Width;
        for (int c = 0; c < 3; c++)
        {
            grid.DrawLabel(canvas, c + 1, $"switches: {ChannelNames[c]}", $"cell = {stride.Width}x{stride.Height} px");
            (int x0, int y0) = grid.ImageOrigin(c + 1, display.Width);
            for (int y = 0; y < run.PooledSize.Height; y++)
            {
                for (int x = 0; x < run.PooledSize.Width; x++)
                {
                    int index = run.Indices[(c * pooledPlane) + (y * run.PooledSize.Width) + x];
                    int dh = (index / run.InputSize.Width) - ((y * stride.Height) - padding.Height);
                    int dw = (index % run.InputSize.Width) - ((x * stride.Width) - padding.Width);
                    canvas.Fill(x0 + (x * stride.Width), y0 + (y * stride.Height), stride.Width, stride.Height, SwitchColor(dh, dw, kernel));
                }
            }
        }

        return canvas;
    }

    /// <summary>The colour of in-window offset (<paramref name="dh"/>, <paramref name="dw"/>): red = column, green = row, both scaled to [0, 1].</summary>
    public static Rgb SwitchColor(int dh, int dw, Size2D kernel)
        => Rgb.FromUnit(
            kernel.Width > 1 ? dw / (kernel.Width - 1f) : 0f,
            kernel.Height > 1 ? dh / (kernel.Height - 1f) : 0f,
            SwitchBlue);

    /// <summary>"kernel 2, stride 2, padding 0" (one number where height and width agree).</summary>
    public static string Describe(Pool2DGeometry pool)
        => $"kernel {Pair(pool.KernelSize)}, stride {Pair(pool.Stride)}, padding {Pair(pool.PaddingBegin)}";

    /// <summary>A size as pictures are usually named: width x height.</summary>
    public static string Px(Size2D size) => $"{size.Width}x{size.Height}";

    public static string FormatPsnr(double psnr)
        => double.IsPositiveInfinity(psnr) ? "inf" : psnr.ToString("F2", CultureInfo.InvariantCulture);

    private static string Pair(Size2D size)
        => size.Height == size.Width
            ? size.Height.ToString(CultureInfo.InvariantCulture)
            : $"{size.Height}x{size.Width}";

    private static void DrawImage(RgbCanvas canvas, PanelGrid grid, int index, float[] planes, Size2D size)
    {
        (int x, int y) = grid.ImageOrigin(index, size.Width);
        canvas.DrawPlanes(planes, size, x, y);
    }

    private static void DrawLegend(RgbCanvas canvas, PanelGrid grid, Size2D display, Size2D kernel)
    {
        int swatch = Math.Max(1, Math.Min(display.Height / kernel.Height, display.Width / kernel.Width));
        (int x0, int y0) = grid.ImageOrigin(0, swatch * kernel.Width);
        for (int dh = 0; dh < kernel.Height; dh++)
        {
            for (int dw = 0; dw < kernel.Width; dw++)
            {
                int x = x0 + (dw * swatch), y = y0 + (dh * swatch);
                Rgb color = SwitchColor(dh, dw, kernel);
                canvas.Fill(x, y, swatch, swatch, color);
                string text = string.Create(CultureInfo.InvariantCulture, $"{dh},{dw}");
                int scale = grid.Scale;
                if (BitmapFont.MeasureWidth(text, scale) + (2 * scale) <= swatch && (BitmapFont.CellHeight + 2) * scale <= swatch)
                {
                    bool light = color.R + color.G > 255;
                    BitmapFont.Draw(canvas, text, x + (2 * scale), y + (2 * scale), scale, light ? new Rgb(0, 0, 0) : Palette.Text);
                }
            }
        }
    }
}
