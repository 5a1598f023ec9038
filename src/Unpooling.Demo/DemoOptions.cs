using System.Globalization;

namespace Unpooling.Demo;

/// <summary>The command line: <c>--input PATH --kernel K --stride S --padding P --output DIR --help</c>.</summary>
internal sealed record DemoOptions
{
    public const string DefaultOutput = "unpooling-demo";

    public const string Usage = """
        Unpooling demo: what does max pooling become when a decoder undoes it?

        Max-pools an image (per RGB channel) and brings it back to its size by argmax unpooling, fixed upper-left
        unpooling, random-offset unpooling, repeat, zero insertion and a bilinear transposed convolution. Writes a
        labelled contact sheet and a map of the argmax switches as PNG, and prints each method's error and time.

        Then trains the same small encoder-decoder once per upsampling variant (argmax switches, fixed upper-left,
        random offset, repeat, a learned and a fixed bilinear transposed convolution) on generated scenes, for
        reconstruction and for segmentation, and prints held-out scores; writes training-curves.png and a sheet of
        predictions per task. Same seed, same numbers and pictures, on any number of threads.

        Usage: dotnet run --project src/Unpooling.Demo -- [options]

          --input PATH    image to use (PNG, JPEG, BMP, GIF, TIFF, WebP; at most 4096 px a side);
                          default: a built-in 256x256 test image
          --kernel K      pooling window size, >= 1 (default 2)
          --stride S      pooling stride and unpooling factor, >= 1 (default: the kernel size)
          --padding P     implicit padding on each side, >= 0 (default 0)
          --output DIR    folder for the pictures (default: ./unpooling-demo)
          --steps N       training steps per variant, >= 0; 0 skips the training (default 1200)
          --task T        reconstruction, segmentation or both (default both)
          --seed S        seed of the scenes, the weights and the random offsets, >= 0 (default 1)
          --help          show this text

        Exit codes: 0 done, 2 bad option, unreadable image, geometry that does not fit, or unwritable folder.

        """;

    public string? InputPath { get; init; }

    public int Kernel { get; init; } = 2;

    public int? Stride { get; init; }

    public int Padding { get; init; }

    public string Output { get; init; } = DefaultOutput;

    public bool Help { get; init; }

    public int Steps { get; init; } = DefaultSteps;

    public const int DefaultSteps = 1200;

    public string Task { get; init; } = "both";

    public ulong Seed { get; init; } = 1;

    /// <summary>Parses the arguments; options take their value as the next argument or after '='.</summary>
    public static bool TryParse(string[] args, out DemoOptions options, out string error)
    {
        options = new DemoOptions();
        error = "";
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string name = arg;
            string? value = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (name is "--help" or "-h")
            {
                options = options with { Help = true };
                continue;
            }

            if (name is not ("--input" or "--kernel" or "--stride" or "--padding" or "--output" or "--steps" or "--task" or "--seed"))
            {
                error = arg.StartsWith('-') ? $"unknown option '{arg}' (see --help)" : $"unexpected argument '{arg}' (see --help)";
                return false;
            }

            if (value is null)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    error = $"{name} needs a value (see --help)";
                    return false;
                }

                value = args[++i];
            }

            switch (name)
            {
                case "--input":
                    options = options with { InputPath = value };
                    break;
                case "--output":
                    options = options with { Output = value };
                    break;
                case "--task":
                    if (value is not ("reconstruction" or "segmentation" or "both"))
                    {
                        error = $"--task expects reconstruction, segmentation or both, got '{value}'";
                        return false;
                    }

                    options = options with { Task = value };
                    break;
                case "--seed":
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
                    {
                        error = $"--seed expects an integer >= 0, got '{value}'";
                        return false;
                    }

                    options = options with { Seed = seed };
                    break;
                default:
                    if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number))
                    {
                        error = $"{name} expects an integer, got '{value}'";
                        return false;
                    }

                    options = name switch
                    {
                        "--kernel" => options with { Kernel = number },
                        "--stride" => options with { Stride = number },
                        "--steps" => options with { Steps = number },
                        _ => options with { Padding = number },
                    };
                    break;
            }
        }

        if (options.Steps < 0)
        {
            error = $"--steps must be >= 0, got {options.Steps}";
            return false;
        }

        if (options.InputPath is { Length: 0 } || options.Output.Length == 0)
        {
            error = "--input and --output need a non-empty path";
            return false;
        }

        return true;
    }
}
