namespace Unpooling.Demo;

/// <summary>
/// The layout of a picture made of labelled panels: a title line, then <see cref="Rows"/> x <see cref="Columns"/>
/// cells separated by <see cref="Margin"/>; each cell is a two-line label bar above an image area of
/// <see cref="CellWidth"/> x <see cref="ImageHeight"/>. Every length is a multiple of the font <see cref="Scale"/>.
/// </summary>
internal readonly record struct PanelGrid(int Scale, int CellWidth, int ImageHeight, int Columns, int Rows)
{
    /// <summary>A label line holds this many characters.</summary>
    public const int LabelChars = 20;

    public int Margin => 4 * Scale;

    public int TitleHeight => 12 * Scale;

    public int LabelHeight => 22 * Scale;

    public int Width => (Columns * CellWidth) + ((Columns + 1) * Margin);

    public int Height => TitleHeight + (Rows * (LabelHeight + ImageHeight)) + ((Rows + 1) * Margin);

    /// <summary>The font scale for pictures made from an image <paramref name="imageWidth"/> wide: 1 to 4.</summary>
    public static int ScaleFor(int imageWidth) => Math.Clamp(imageWidth / MinCellWidth(1), 1, 4);

    /// <summary>A grid whose image areas hold <paramref name="imageSize"/>, widened where needed to fit a label line.</summary>
    public static PanelGrid Create(Size2D imageSize, int columns, int rows, int scale)
        => new(scale, Math.Max(imageSize.Width, MinCellWidth(scale)), imageSize.Height, columns, rows);

    /// <summary>The top-left corner of cell <paramref name="index"/> (row-major), at its label bar.</summary>
    public (int X, int Y) CellOrigin(int index)
    {
        int column = index % Columns, row = index / Columns;
        return (Margin + (column * (CellWidth + Margin)), TitleHeight + Margin + (row * (LabelHeight + ImageHeight + Margin)));
    }

    /// <summary>Where an image <paramref name="imageWidth"/> wide is drawn in cell <paramref name="index"/>: centred horizontally, below the label.</summary>
    public (int X, int Y) ImageOrigin(int index, int imageWidth)
    {
        (int x, int y) = CellOrigin(index);
        return (x + ((CellWidth - imageWidth) / 2), y + LabelHeight);
    }

    /// <summary>A canvas of the grid's size with the title drawn.</summary>
    public RgbCanvas CreateCanvas(string title)
    {
        var canvas = new RgbCanvas(Width, Height, Palette.Background);
        BitmapFont.Draw(canvas, title, Margin, 2 * Scale, Scale, Palette.Text, Width - Margin);
        return canvas;
    }

    /// <summary>Draws the label bar of cell <paramref name="index"/>: a name line and a detail line.</summary>
    public void DrawLabel(RgbCanvas canvas, int index, string name, string detail)
    {
        (int x, int y) = CellOrigin(index);
        canvas.Fill(x, y, CellWidth, LabelHeight, Palette.LabelBar);
        int inset = 2 * Scale;
        BitmapFont.Draw(canvas, name, x + inset, y + inset, Scale, Palette.Text, CellWidth - inset);
        BitmapFont.Draw(canvas, detail, x + inset, y + (12 * Scale), Scale, Palette.Detail, CellWidth - inset);
    }

    private static int MinCellWidth(int scale) => ((LabelChars * BitmapFont.CellWidth) + 4) * scale;
}

/// <summary>The colours of the demo's pictures.</summary>
internal static class Palette
{
    public static readonly Rgb Background = new(24, 24, 28);
    public static readonly Rgb LabelBar = new(48, 48, 58);
    public static readonly Rgb Text = new(245, 245, 245);
    public static readonly Rgb Detail = new(170, 200, 255);
    public static readonly Rgb EmptyArea = new(96, 96, 96);
}
