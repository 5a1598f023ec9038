using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Unpooling.Demo.Training;

/// <summary>The experiment's pictures: the training curves of every variant (ScottPlot), and per task a sheet of the
/// variants' outputs on the same held-out scenes.</summary>
internal static class ExperimentPictures
{
    private const int Zoom = 4;
    private const int LabelWidth = 22 * BitmapFont.CellWidth * 2;
    private const int Gap = 6;

    // Background, rectangle, disc, triangle, line, text.
    private static readonly Rgb[] ClassColors =
    [
        new(30, 30, 36), new(230, 80, 60), new(70, 160, 230), new(240, 200, 60), new(120, 220, 120), new(220, 120, 220),
    ];

    /// <summary>One panel per task, side by side: each variant's training loss, smoothed over 5% of the steps, on a
    /// logarithmic scale (log10), where late differences between the variants stay visible.</summary>
    public static void SaveCurves(IReadOnlyList<TrainingResult> results, string path)
    {
        TrainingTask[] tasks = [.. results.Select(r => r.Task).Distinct()];
        const int PanelWidth = 640, PanelHeight = 420;
        using var sheet = new Image<Rgb24>(PanelWidth * tasks.Length, PanelHeight, new Rgb24(255, 255, 255));
        for (int t = 0; t < tasks.Length; t++)
        {
            var plot = new ScottPlot.Plot();
            foreach (TrainingResult r in results.Where(r => r.Task == tasks[t]))
            {
                double[] smooth = [.. Smooth(r.Losses, Math.Max(1, r.Losses.Length / 20)).Select(v => Math.Log10(Math.Max(v, 1e-12)))];
                var line = plot.Add.Signal(smooth);
                line.LegendText = Experiment.Name(r.Variant);
                line.LineWidth = 2;
            }

            plot.Title(tasks[t] == TrainingTask.Reconstruction ? "reconstruction: MSE" : "segmentation: cross-entropy");
            plot.XLabel("step");
            plot.YLabel("log10 training loss (moving average)");
            plot.ShowLegend(ScottPlot.Alignment.UpperRight);
            byte[] png = plot.GetImageBytes(PanelWidth, PanelHeight, ScottPlot.ImageFormat.Png);
            using Image<Rgb24> panel = Image.Load<Rgb24>(png);
            int x = t * PanelWidth;
            sheet.Mutate(c => c.DrawImage(panel, new Point(x, 0), 1f));
        }

        sheet.SaveAsPng(path);
    }

    /// <summary>
    /// A sheet for one task: a row of the held-out inputs, a row of what is wanted (the input again, or the true classes
    /// in colour), then one row per variant of its output (the reconstruction, or the predicted classes).
    /// </summary>
    public static void SaveSheet(TrainingTask task, IReadOnlyList<TrainingResult> results, SceneSet test, string path)
    {
        int size = test.Size, cell = size * Zoom, columns = Math.Min(Trainer.KeptOutputs, test.Count);
        int rows = 2 + results.Count, rowHeight = cell + Gap;
        int titleHeight = (BitmapFont.CellHeight * 2) + (2 * Gap);
        var canvas = new RgbCanvas(LabelWidth + (columns * (cell + Gap)) + Gap, titleHeight + (rows * rowHeight) + Gap, Palette.Background);
        BitmapFont.Draw(canvas, task == TrainingTask.Reconstruction ? "RECONSTRUCTION, HELD-OUT SCENES" : "SEGMENTATION, HELD-OUT SCENES", Gap, Gap, 2, Palette.Text);
        for (int row = 0; row < rows; row++)
        {
            string label = row == 0 ? "input" : row == 1 ? (task == TrainingTask.Reconstruction ? "wanted (the input)" : "true classes") : Experiment.Name(results[row - 2].Variant);
            int y = titleHeight + (row * rowHeight);
            BitmapFont.Draw(canvas, label.ToUpperInvariant(), Gap, y + (cell / 2) - BitmapFont.CellHeight, 2, row < 2 ? Palette.Text : Palette.Detail);
            for (int i = 0; i < columns; i++)
            {
                int x = LabelWidth + Gap + (i * (cell + Gap));
                ReadOnlySpan<float> image = test.Images.AsSpan(i * test.Pixels, test.Pixels);
                ReadOnlySpan<byte> labels = test.Labels.AsSpan(i * test.Pixels, test.Pixels);
                if (row == 0 || (row == 1 && task == TrainingTask.Reconstruction))
                {
                    DrawGray(canvas, image, size, x, y);
                }
                else if (row == 1)
                {
                    DrawClasses(canvas, labels, size, x, y);
                }
                else if (task == TrainingTask.Reconstruction)
                {
                    DrawGray(canvas, results[row - 2].Outputs.AsSpan(i * test.Pixels, test.Pixels), size, x, y);
                }
                else
                {
                    // The kept outputs hold the predicted class k as k / (classes - 1).
                    ReadOnlySpan<float> predicted = results[row - 2].Outputs.AsSpan(i * test.Pixels, test.Pixels);
                    var classes = new byte[test.Pixels];
                    for (int p = 0; p < classes.Length; p++)
                    {
                        classes[p] = (byte)MathF.Round(predicted[p] * (Scenes.ClassCount - 1));
                    }

                    DrawClasses(canvas, classes, size, x, y);
                }
            }
        }

        ImageFiles.SavePng(canvas, path);
    }

    private static double[] Smooth(double[] values, int window)
    {
        var smooth = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i] - (i >= window ? values[i - window] : 0);
            smooth[i] = sum / Math.Min(i + 1, window);
        }

        return smooth;
    }

    private static void DrawGray(RgbCanvas canvas, ReadOnlySpan<float> image, int size, int x, int y)
    {
        for (int p = 0; p < image.Length; p++)
        {
            byte v = Rgb.ToByte(image[p]);
            canvas.Fill(x + ((p % size) * Zoom), y + ((p / size) * Zoom), Zoom, Zoom, new Rgb(v, v, v));
        }
    }

    private static void DrawClasses(RgbCanvas canvas, ReadOnlySpan<byte> labels, int size, int x, int y)
    {
        for (int p = 0; p < labels.Length; p++)
        {
            canvas.Fill(x + ((p % size) * Zoom), y + ((p / size) * Zoom), Zoom, Zoom, ClassColors[Math.Min(labels[p], (byte)(ClassColors.Length - 1))]);
        }
    }
}
