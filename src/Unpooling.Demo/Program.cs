using System.Globalization;
using Unpooling.Demo.Training;

namespace Unpooling.Demo;

/// <summary>
/// The demo's entry point: what does pooling become in an up-convolution network? Max-pools an image and writes, as
/// pictures, what each inverse of pooling makes of it, with a table of errors and times.
/// </summary>
internal static class Program
{
    public const string SheetFile = "contact-sheet.png";
    public const string SwitchesFile = "switches.png";

    private const int UsageError = 2;

    private static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Runs the demo; returns the exit code (0 done, 2 a bad option, input, geometry or output folder).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!DemoOptions.TryParse(args, out DemoOptions options, out string error))
        {
            return Fail(stderr, error);
        }

        if (options.Help)
        {
            DemoOptions.WriteHelp(stdout);
            return 0;
        }

        RgbCanvas image;
        string inputName;
        if (options.InputPath is null)
        {
            image = DefaultImage.Create();
            inputName = "built-in test image";
        }
        else
        {
            try
            {
                image = ImageFiles.Load(options.InputPath);
                inputName = Path.GetFileName(options.InputPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or ArgumentException)
            {
                return Fail(stderr, $"cannot read image '{options.InputPath}': {ex.Message}");
            }
        }

        Pool2DGeometry pool;
        try
        {
            pool = new Pool2DGeometry(options.Kernel, options.Stride ?? options.Kernel, options.Padding);
            pool.GetOutputSize(image.Size);
        }
        catch (ArgumentException ex)
        {
            return Fail(stderr, $"invalid pooling geometry for the {Pictures.Px(image.Size)} image: {ex.Message}");
        }

        string folder;
        try
        {
            folder = Path.GetFullPath(options.Output);
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Fail(stderr, $"cannot create output folder '{options.Output}': {ex.Message}");
        }

        DemoResult run = Reconstructions.Run(image.ToPlanes(), image.Size, pool);
        PrintReport(stdout, run, inputName);

        string sheetPath = Path.Combine(folder, SheetFile), switchesPath = Path.Combine(folder, SwitchesFile);
        try
        {
            ImageFiles.SavePng(Pictures.ContactSheet(run, inputName), sheetPath);
            ImageFiles.SavePng(Pictures.SwitchesMap(run), switchesPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, $"cannot write to '{folder}': {ex.Message}");
        }

        stdout.WriteLine();
        stdout.WriteLine($"wrote {sheetPath}");
        stdout.WriteLine($"wrote {switchesPath}");
        return options.Steps == 0 ? 0 : Train(options, folder, stdout, stderr);
    }

    /// <summary>The experiment: every variant trained on the chosen tasks, the tables printed, the pictures written.</summary>
    private static int Train(DemoOptions options, string folder, TextWriter stdout, TextWriter stderr)
    {
        TrainingTask[] tasks = options.Task switch
        {
            "reconstruction" => [TrainingTask.Reconstruction],
            "segmentation" => [TrainingTask.Segmentation],
            _ => [TrainingTask.Reconstruction, TrainingTask.Segmentation],
        };
        var settings = new TrainingSettings(options.Steps, Seed: options.Seed);
        stdout.WriteLine();
        (IReadOnlyList<TrainingResult> results, SceneSet test) = Experiment.Run(tasks, settings, stdout);
        var written = new List<string> { Path.Combine(folder, Experiment.CurvesFile) };
        try
        {
            ExperimentPictures.SaveCurves(results, written[0]);
            foreach (TrainingTask task in tasks)
            {
                written.Add(Path.Combine(folder, Experiment.SheetFile(task)));
                ExperimentPictures.SaveSheet(task, [.. results.Where(r => r.Task == task)], test, written[^1]);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail(stderr, $"cannot write to '{folder}': {ex.Message}");
        }

        stdout.WriteLine();
        foreach (string path in written)
        {
            stdout.WriteLine($"wrote {path}");
        }

        return 0;
    }

    /// <summary>
    /// The report: input, pooling and a Markdown table with one row per reconstruction (MSE and PSNR at the input's
    /// size, over RGB in [0, 1]; time of the library call).
    /// </summary>
    internal static void PrintReport(TextWriter stdout, DemoResult run, string inputName)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        stdout.WriteLine($"input: {inputName}, {Pictures.Px(run.InputSize)} px, RGB as a [1, 3, {run.InputSize.Height}, {run.InputSize.Width}] float tensor in [0, 1]");
        stdout.WriteLine(string.Create(inv, $"max pooling: {Pictures.Describe(run.Pool)} -> {Pictures.Px(run.PooledSize)} px, {run.PoolMs:F3} ms"));
        stdout.WriteLine($"times: median of {Reconstructions.TimedRuns} warm runs of the library call; errors at the input's size (outputs of another size cropped or zero-padded at the bottom and right)");
        stdout.WriteLine();
        stdout.WriteLine("| method | output | MSE | PSNR (dB) | time (ms) |");
        stdout.WriteLine("|---|---|--:|--:|--:|");
        foreach (Reconstruction method in run.Methods)
        {
            string output = Pictures.Px(method.NativeSize) + Adjustment(method.NativeSize, run.InputSize);
            stdout.WriteLine(string.Create(inv, $"| {method.Name} | {output} | {method.Mse:F6} | {Pictures.FormatPsnr(method.Psnr)} | {method.MedianMs:F3} |"));
        }
    }

    private static string Adjustment(Size2D native, Size2D target)
    {
        bool smaller = native.Height < target.Height || native.Width < target.Width;
        bool larger = native.Height > target.Height || native.Width > target.Width;
        return (smaller, larger) switch
        {
            (true, true) => ", cropped and padded",
            (true, false) => ", zero-padded",
            (false, true) => ", cropped",
            _ => "",
        };
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
        return UsageError;
    }
}
