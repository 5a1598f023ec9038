using System.Globalization;
using Spectre.Console;

namespace Unpooling.Demo.Training;

/// <summary>
/// The main job's experiment: every upsampling variant trained on each task with the same seed, data order, steps and
/// optimiser, with a progress bar per variant, then the tables, the training curves and the prediction sheets.
/// </summary>
internal static class Experiment
{
    public const string CurvesFile = "training-curves.png";

    /// <summary>The held-out scenes' seed is the run's seed plus this (disjoint from the training scenes).</summary>
    private const ulong TestSeedOffset = 1_000_003;

    /// <summary>The file of a task's prediction sheet.</summary>
    public static string SheetFile(TrainingTask task) => $"predictions-{task.ToString().ToLowerInvariant()}.png";

    /// <summary>Trains every variant on <paramref name="tasks"/>, prints the tables, and returns the results with the
    /// held-out scenes they were scored on (for the prediction sheets).</summary>
    public static (IReadOnlyList<TrainingResult> Results, SceneSet Test) Run(IReadOnlyList<TrainingTask> tasks, TrainingSettings settings, TextWriter output)
    {
        IAnsiConsole console = Console(output);
        SceneSet train = Scenes.Generate(settings.TrainImages, settings.Size, settings.Seed);
        SceneSet test = Scenes.Generate(settings.TestImages, settings.Size, settings.Seed + TestSeedOffset);
        var results = new List<TrainingResult>();
        console.MarkupLine(CultureInfo.InvariantCulture, $"training: {settings.Steps} steps of Adam (lr {settings.LearningRate}) on batches of {settings.Batch} generated {settings.Size}x{settings.Size} scenes ({settings.TrainImages} for training, {settings.TestImages} held out), seed {settings.Seed}");

        // Every variant of every task in one order: with a bar per run on a terminal, or (redirected output: a log, a
        // test) one line per run instead of a bar redrawn line by line.
        void TrainAll(ProgressContext? context)
        {
            foreach (TrainingTask task in tasks)
            {
                foreach (Upsampling variant in Enum.GetValues<Upsampling>())
                {
                    ProgressTask? bar = context?.AddTask($"{task,-14} {Name(variant),-22}", maxValue: Math.Max(1, settings.Steps));
                    TrainingResult result = Trainer.Train<float>(task, variant, settings, train, test, bar is null ? null : step => bar.Value = step);
                    results.Add(result);
                    if (bar is null)
                    {
                        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{task,-14} {Name(variant),-22} {settings.Steps} steps in {result.Time.TotalSeconds:F1} s"));
                    }
                    else
                    {
                        bar.Value = bar.MaxValue;
                    }
                }
            }
        }

        if (console.Profile.Capabilities.Interactive)
        {
            console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(TrainAll);
        }
        else
        {
            TrainAll(null);
        }

        foreach (TrainingTask task in tasks)
        {
            console.Write(Table(task, results.Where(r => r.Task == task).ToList()));
        }

        return (results, test);
    }

    /// <summary>A variant's name in the tables and pictures.</summary>
    public static string Name(Upsampling variant) => variant switch
    {
        Upsampling.Switches => "argmax (switches)",
        Upsampling.Fixed => "fixed upper-left",
        Upsampling.Random => "random offset",
        Upsampling.Repeat => "repeat (nearest)",
        Upsampling.Learned => "learned transposed",
        _ => "bilinear transposed",
    };

    private static IAnsiConsole Console(TextWriter output)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.Detect, Ansi = AnsiSupport.Detect });

        // Redirected output has no width of its own (80 by default): wide enough for the tables' rows on one line.
        if (!console.Profile.Capabilities.Interactive)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 110);
        }

        return console;
    }

    private static Table Table(TrainingTask task, IReadOnlyList<TrainingResult> results)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        bool reconstruction = task == TrainingTask.Reconstruction;
        var table = new Table().Title(reconstruction ? "reconstruction (held-out PSNR)" : "segmentation (held-out pixel accuracy and mIoU)");
        table.AddColumn("variant").AddColumn(new TableColumn("parameters").RightAligned()).AddColumn(new TableColumn("final loss").RightAligned())
            .AddColumn(new TableColumn("held-out loss").RightAligned());
        if (reconstruction)
        {
            table.AddColumn(new TableColumn("PSNR (dB)").RightAligned());
        }
        else
        {
            table.AddColumn(new TableColumn("pixel accuracy").RightAligned()).AddColumn(new TableColumn("mIoU").RightAligned());
        }

        table.AddColumn(new TableColumn("time (s)").RightAligned());
        foreach (TrainingResult r in results)
        {
            var cells = new List<string> { Name(r.Variant), r.Parameters.ToString("N0", inv), r.FinalLoss.ToString("F4", inv), r.TestLoss.ToString("F4", inv) };
            cells.AddRange(reconstruction ? [r.Psnr.ToString("F2", inv)] : [r.PixelAccuracy.ToString("P1", inv), r.MeanIoU.ToString("F3", inv)]);
            cells.Add(r.Time.TotalSeconds.ToString("F1", inv));
            table.AddRow([.. cells.Select(c => Markup.Escape(c))]);
        }

        return table;
    }
}
