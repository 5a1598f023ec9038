using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Unpooling.Demo.Tests;

/// <summary>A temporary folder, the demo run in-process against it, and what it printed.</summary>
public sealed class DemoHarness : IDisposable
{
    public DemoHarness()
    {
        Folder = Path.Combine(Path.GetTempPath(), "unpooling-demo-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public string Output => Path.Combine(Folder, "out");

    public string SheetPath => Path.Combine(Output, "contact-sheet.png");

    public string SwitchesPath => Path.Combine(Output, "switches.png");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not a test failure.
        }
    }

    /// <summary>Runs the demo in-process; without an explicit <c>--steps</c> the training part is skipped (<c>--steps 0</c>),
    /// so the contact-sheet tests stay fast; the training tests pass their own.</summary>
    public DemoRun Run(params string[] args)
    {
        if (!args.Any(a => a.StartsWith("--steps", StringComparison.Ordinal)))
        {
            args = [.. args, "--steps", "0"];
        }

        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        int exit = Program.Run(args, stdout, stderr);
        return new DemoRun(exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs the demo on <paramref name="image"/> (written as PNG first) into <see cref="Output"/>.</summary>
    public DemoRun RunOn(Image<Rgb24> image, params string[] extra)
    {
        string input = Path.Combine(Folder, "input.png");
        image.SaveAsPng(input);
        return Run(["--input", input, "--output", Output, .. extra]);
    }

    /// <summary>Seeded noise: every pixel independent, so maxima are unique in practice.</summary>
    public static Image<Rgb24> Noise(int width, int height, int seed)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }
        }

        return image;
    }

    /// <summary>Constant 2x2 blocks of seeded colours.</summary>
    public static Image<Rgb24> Blocky(int width, int height, int seed)
    {
        using Image<Rgb24> blocks = Noise((width + 1) / 2, (height + 1) / 2, seed);
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                image[x, y] = blocks[x / 2, y / 2];
            }
        }

        return image;
    }
}

/// <summary>One in-process run of the demo.</summary>
public sealed record DemoRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The rows of the printed Markdown table, header and separator excluded.</summary>
    public IReadOnlyList<TableRow> Rows => Stdout
        .Split('\n', StringSplitOptions.TrimEntries)
        .Where(line => line.StartsWith("| ", StringComparison.Ordinal) && !line.StartsWith("| method ", StringComparison.Ordinal))
        .Select(line => line.Trim('|').Split('|', StringSplitOptions.TrimEntries))
        .Select(cells => new TableRow(cells[0], cells[1], cells[2], cells[3], cells[4]))
        .ToList();
}

public sealed record TableRow(string Method, string Output, string Mse, string Psnr, string TimeMs);
