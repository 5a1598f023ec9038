using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Unpooling.Demo.Tests;

public sealed class DemoTests : IDisposable
{
    private static readonly string[] MethodNames =
        ["argmax unpooling", "fixed upper-left", "random offset", "repeat (nearest)", "zero insertion", "convT bilinear k4"];

    private readonly DemoHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public void TinyImageWritesBothPicturesWithTheLayoutsSizes()
    {
        using Image<Rgb24> input = DemoHarness.Noise(20, 14, seed: 1);
        DemoRun run = _harness.RunOn(input);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Contains($"wrote {_harness.SheetPath}", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"wrote {_harness.SwitchesPath}", run.Stdout, StringComparison.Ordinal);

        // 20 px is narrower than one 20-character label line, so the font has scale 1 and cells are widened to
        // 20*6 + 4 = 124 px. Sheet: 4 x 2 cells of a 22 px label over the 20x14 image. Switches: 4 x 1 cells over the
        // 10x7 pooled grid drawn 2x2 px a cell (20x14).
        AssertSize(_harness.SheetPath, Grid(cellWidth: 124, imageHeight: 14, rows: 2, scale: 1));
        AssertSize(_harness.SwitchesPath, Grid(cellWidth: 124, imageHeight: 14, rows: 1, scale: 1));
    }

    [Fact]
    public void DefaultRunUsesTheBuiltInImage()
    {
        DemoRun run = _harness.Run("--output", _harness.Output);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("built-in test image, 256x256 px", run.Stdout, StringComparison.Ordinal);

        // 256 px: font scale 2, cells exactly the image's width (a label line needs 2*124 = 248).
        AssertSize(_harness.SheetPath, Grid(cellWidth: 256, imageHeight: 256, rows: 2, scale: 2));
        AssertSize(_harness.SwitchesPath, Grid(cellWidth: 256, imageHeight: 256, rows: 1, scale: 2));
        Assert.Equal(MethodNames, run.Rows.Select(r => r.Method));
    }

    [Fact]
    public void TableHasOneRowPerMethodWithFiniteOrInfiniteNumbers()
    {
        using Image<Rgb24> input = DemoHarness.Noise(20, 14, seed: 2);
        DemoRun run = _harness.RunOn(input);

        Assert.Equal(MethodNames, run.Rows.Select(r => r.Method));
        Assert.Contains("median of 5 warm runs", run.Stdout, StringComparison.Ordinal);
        foreach (TableRow row in run.Rows)
        {
            double mse = double.Parse(row.Mse, CultureInfo.InvariantCulture);
            Assert.InRange(mse, 0, 1);
            Assert.True(row.Psnr == "inf" || double.IsFinite(double.Parse(row.Psnr, CultureInfo.InvariantCulture)), row.Psnr);
            Assert.InRange(double.Parse(row.TimeMs, CultureInfo.InvariantCulture), 0, 10_000);
        }

        // Zero insertion is (10-1)*2+1 = 19 wide and (7-1)*2+1 = 13 high, padded to the input's size.
        Assert.Equal("19x13, zero-padded", run.Rows[4].Output);
        Assert.All(run.Rows.Where(r => r.Method != "zero insertion"), r => Assert.Equal("20x14", r.Output));
    }

    [Theory]
    [InlineData(20, 14, 2, 2, 0)]
    [InlineData(21, 15, 3, 2, 1)]
    [InlineData(17, 12, 3, 1, 0)]
    public void ArgmaxPanelKeepsEachWindowMaximumAtItsPlaceAndZerosElsewhere(int width, int height, int kernel, int stride, int padding)
    {
        using Image<Rgb24> input = DemoHarness.Noise(width, height, seed: 3);
        DemoRun run = _harness.RunOn(
            input,
            "--kernel", kernel.ToString(CultureInfo.InvariantCulture),
            "--stride", stride.ToString(CultureInfo.InvariantCulture),
            "--padding", padding.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(0, run.ExitCode);

        using Image<Rgb24> sheet = Image.Load<Rgb24>(_harness.SheetPath);
        AssertSize(_harness.SheetPath, Grid(cellWidth: 124, imageHeight: height, rows: 2, scale: 1));

        // Panel 2 (row 0, column 2) is argmax unpooling. Its image starts after two cells and three margins, centred in
        // its 124 px cell, below the 12 px title, a margin and the 22 px label.
        int left = 4 + (2 * (124 + 4)) + ((124 - width) / 2), top = 12 + 4 + 22;

        int pooledH = ((height + (2 * padding) - kernel) / stride) + 1, pooledW = ((width + (2 * padding) - kernel) / stride) + 1;
        for (int c = 0; c < 3; c++)
        {
            // Every nonzero value is the input's value at that position.
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int shown = Channel(sheet[left + x, top + y], c);
                    Assert.True(shown == 0 || shown == Channel(input[x, y], c), $"channel {c} ({x}, {y}): {shown} is neither 0 nor the input");
                }
            }

            // Every window's maximum is shown at one of the input cells that hold it.
            for (int oh = 0; oh < pooledH; oh++)
            {
                for (int ow = 0; ow < pooledW; ow++)
                {
                    int best = -1;
                    var holders = new List<(int X, int Y)>();
                    for (int y = Math.Max(0, (oh * stride) - padding); y < Math.Min(height, (oh * stride) - padding + kernel); y++)
                    {
                        for (int x = Math.Max(0, (ow * stride) - padding); x < Math.Min(width, (ow * stride) - padding + kernel); x++)
                        {
                            int v = Channel(input[x, y], c);
                            if (v > best)
                            {
                                best = v;
                                holders.Clear();
                            }

                            if (v == best)
                            {
                                holders.Add((x, y));
                            }
                        }
                    }

                    Assert.True(
                        best == 0 || holders.Exists(h => Channel(sheet[left + h.X, top + h.Y], c) == best),
                        $"channel {c} window ({oh}, {ow}): maximum {best} not shown");
                }
            }
        }
    }

    [Fact]
    public void RepeatIsExactOnAnImageOfConstant2x2Blocks()
    {
        using Image<Rgb24> input = DemoHarness.Blocky(20, 14, seed: 4);
        DemoRun run = _harness.RunOn(input);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("inf", run.Rows.Single(r => r.Method == "repeat (nearest)").Psnr);
        Assert.NotEqual("inf", run.Rows.Single(r => r.Method == "argmax unpooling").Psnr);
    }

    [Fact]
    public void OutputsOfAnotherSizeAreFittedToTheInput()
    {
        // Kernel 3, stride 1 pools 17x12 to 15x10; the block methods cannot be asked for 17x12 (more than one
        // stride away), so they produce 15x10 and are zero-padded.
        using Image<Rgb24> input = DemoHarness.Noise(17, 12, seed: 5);
        DemoRun run = _harness.RunOn(input, "--kernel", "3", "--stride", "1");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("17x12", run.Rows.Single(r => r.Method == "argmax unpooling").Output);
        Assert.Equal("15x10, zero-padded", run.Rows.Single(r => r.Method == "repeat (nearest)").Output);
        Assert.Equal("15x10, zero-padded", run.Rows.Single(r => r.Method.StartsWith("convT", StringComparison.Ordinal)).Output);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--kernel", "two", "--help")]
    public void HelpPrintsUsageAndExitsZero(params string[] args)
    {
        DemoRun run = _harness.Run([.. args, "--output", _harness.Output]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 done, 2 bad option", run.Stdout, StringComparison.Ordinal);
        foreach (string option in new[] { "--input <PATH>", "--kernel <K>", "--stride <S>", "--padding <P>", "--output <DIR>", "--steps <N>", "--task <T>", "--seed <S>", "--help" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(_harness.Output), "help writes nothing");
    }

    [Theory]
    [InlineData("--kernel", "0")]
    [InlineData("--kernel", "2", "--padding", "2")]
    [InlineData("--kernel", "30")]
    [InlineData("--stride", "-1")]
    [InlineData("--padding", "-1")]
    [InlineData("--kernel", "two")]
    [InlineData("--kernel")]
    [InlineData("--colour", "red")]
    [InlineData("stray")]
    [InlineData("--steps", "-1")]
    [InlineData("--steps", "many")]
    [InlineData("--task", "all")]
    [InlineData("--seed", "-3")]
    [InlineData("--kernel", "2", "--kernel", "3")]
    [InlineData("--kernel", "3", "--kernel")]
    [InlineData("[diagram]")]
    public void BadOptionsOrGeometryGiveOneLineAndExitTwo(params string[] args)
    {
        using Image<Rgb24> input = DemoHarness.Noise(20, 14, seed: 6);
        DemoRun run = _harness.RunOn(input, args);

        AssertUsageError(run);
        Assert.False(Directory.Exists(_harness.Output), "nothing is written on a usage error");
    }

    [Fact]
    public void MissingInputFileExitsTwo()
    {
        DemoRun run = _harness.Run("--input", Path.Combine(_harness.Folder, "no-such.png"), "--output", _harness.Output);

        AssertUsageError(run);
        Assert.Contains("no-such.png", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InputThatIsNotAnImageExitsTwo()
    {
        string path = Path.Combine(_harness.Folder, "notes.png");
        File.WriteAllText(path, "not a picture");

        AssertUsageError(_harness.Run("--input", path, "--output", _harness.Output));
    }

    [Fact]
    public void OutputThatIsAFileExitsTwo()
    {
        string file = Path.Combine(_harness.Folder, "occupied");
        File.WriteAllText(file, "");

        AssertUsageError(_harness.Run("--output", file));
    }

    private static int Channel(Rgb24 pixel, int c) => c switch { 0 => pixel.R, 1 => pixel.G, _ => pixel.B };

    [Fact]
    public void TheExperimentTrainsEveryVariantAndWritesItsPictures()
    {
        using Image<Rgb24> input = DemoHarness.Noise(16, 16, seed: 9);
        DemoRun run = _harness.RunOn(input, "--steps", "2", "--seed", "5");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        Assert.Contains("reconstruction (held-out PSNR)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("segmentation (held-out pixel accuracy and mIoU)", run.Stdout, StringComparison.Ordinal);
        foreach (string variant in new[] { "argmax (switches)", "fixed upper-left", "random offset", "repeat (nearest)", "learned transposed", "bilinear transposed" })
        {
            Assert.Contains(variant, run.Stdout, StringComparison.Ordinal);
        }

        // The curves side by side (two 640x420 panels) and one sheet per task: a title, then input, wanted and six variant
        // rows of four 128-px cells.
        using (var curves = Image.Load<Rgb24>(Path.Combine(_harness.Output, "training-curves.png")))
        {
            Assert.Equal((1280, 420), (curves.Width, curves.Height));
        }

        byte[] sheet = File.ReadAllBytes(Path.Combine(_harness.Output, "predictions-segmentation.png"));
        using (var image = Image.Load<Rgb24>(sheet))
        {
            Assert.Equal(8 * (128 + 6), image.Height - (2 * 9) - (2 * 6) - 6);
        }

        Assert.True(File.Exists(Path.Combine(_harness.Output, "predictions-reconstruction.png")));

        // The same seed trains to the same predictions: the sheet is byte for byte the same.
        DemoRun again = _harness.RunOn(input, "--steps", "2", "--seed", "5", "--task", "segmentation");
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(sheet, File.ReadAllBytes(Path.Combine(_harness.Output, "predictions-segmentation.png")));
    }

    private static void AssertUsageError(DemoRun run)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private static void AssertSize(string path, (int Width, int Height) expected)
    {
        Assert.True(File.Exists(path), path);
        using Image<Rgb24> image = Image.Load<Rgb24>(path);
        Assert.Equal(expected, (image.Width, image.Height));
    }

    // The panel layout, restated: 4 columns; in units of the font scale, a 12-unit title line, 4-unit margins around
    // and between cells, and a 22-unit label bar above each image area.
    private static (int Width, int Height) Grid(int cellWidth, int imageHeight, int rows, int scale)
    {
        const int columns = 4;
        int margin = 4 * scale, title = 12 * scale, label = 22 * scale;
        return ((columns * cellWidth) + ((columns + 1) * margin), title + (rows * (label + imageHeight)) + ((rows + 1) * margin));
    }
}
