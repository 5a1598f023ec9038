using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Unpooling.Demo;

/// <summary>
/// The command line: <c>--input PATH --kernel K --stride S --padding P --output DIR --steps N --task T --seed S --help</c>,
/// parsed by System.CommandLine. A value follows its option as the next argument or after '=' (or ':').
/// </summary>
internal sealed record DemoOptions
{
    public const string DefaultOutput = "unpooling-demo";

    public const int DefaultSteps = 1200;

    /// <summary>The values <c>--task</c> accepts.</summary>
    public static readonly IReadOnlyList<string> Tasks = ["reconstruction", "segmentation", "both"];

    public string? InputPath { get; init; }

    public int Kernel { get; init; } = 2;

    public int? Stride { get; init; }

    public int Padding { get; init; }

    public string Output { get; init; } = DefaultOutput;

    public bool Help { get; init; }

    public int Steps { get; init; } = DefaultSteps;

    public string Task { get; init; } = "both";

    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Parses the arguments. On a bad command line returns false with one line for <c>error: ...</c>; <c>--help</c>
    /// (or <c>-h</c>) anywhere gives <see cref="Help"/> and nothing else is checked.
    /// </summary>
    public static bool TryParse(string[] args, out DemoOptions options, out string error)
    {
        var line = new CommandLine();
        ParseResult result = line.Command.Parse(args, CommandLine.Parser);
        options = new DemoOptions();
        error = "";
        if (result.Action is HelpAction)
        {
            options = options with { Help = true };
            return true;
        }

        string? tokenError = result.Errors.Count > 0 ? Describe(result) : CheckTokens(result);
        if (tokenError is not null)
        {
            error = tokenError;
            return false;
        }

        options = new DemoOptions
        {
            InputPath = result.GetValue(line.Input),
            Kernel = result.GetValue(line.Kernel),
            Stride = result.GetValue(line.Stride),
            Padding = result.GetValue(line.Padding),
            Output = result.GetRequiredValue(line.Output),
            Steps = result.GetValue(line.Steps),
            Task = result.GetRequiredValue(line.Task),
            Seed = result.GetValue(line.Seed),
        };
        return true;
    }

    /// <summary>Writes the usage text (System.CommandLine's help for the options, with the demo's description).</summary>
    public static void WriteHelp(TextWriter stdout)
    {
        var line = new CommandLine();
        line.Command.Parse(["--help"], CommandLine.Parser).Invoke(new InvocationConfiguration { Output = stdout, Error = stdout });
    }

    /// <summary>
    /// One message for a failed parse: an option's own error first (a bad, missing or repeated value), else the first
    /// token that is no option of the demo, else System.CommandLine's first message.
    /// </summary>
    private static string Describe(ParseResult result)
    {
        foreach (ParseError e in result.Errors)
        {
            if (e.SymbolResult is OptionResult option)
            {
                string name = option.Option.Name;
                return option.Tokens.Count switch
                {
                    0 => $"{name} needs a value (see --help)",
                    > 1 => $"{name} is given {option.Tokens.Count} times; give it once",
                    _ => e.Message,
                };
            }
        }

        if (result.UnmatchedTokens.Count > 0)
        {
            string token = result.UnmatchedTokens[0];
            return token.StartsWith('-') ? $"unknown option '{token}' (see --help)" : $"unexpected argument '{token}' (see --help)";
        }

        return $"{result.Errors[0].Message} (see --help)";
    }

    /// <summary>
    /// What System.CommandLine lets through and the demo does not: a directive such as <c>[diagram]</c> (the demo has
    /// none) and an option given again without a value, as in <c>--kernel 3 --kernel</c> (every option but --help takes
    /// one value).
    /// </summary>
    private static string? CheckTokens(ParseResult result)
    {
        IReadOnlyList<Token> tokens = result.Tokens;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.Directive)
            {
                return $"unexpected argument '{tokens[i].Value}' (see --help)";
            }

            if (tokens[i].Type == TokenType.Option && (i + 1 == tokens.Count || tokens[i + 1].Type != TokenType.Argument))
            {
                return $"{tokens[i].Value} needs a value (see --help)";
            }
        }

        return null;
    }

    /// <summary>The demo's command and its options; a new set for every parse (System.CommandLine's symbols are mutable).</summary>
    private sealed class CommandLine
    {
        /// <summary>No response files (an argument starting with '@' is a value or an error, as any other) and no bundling.</summary>
        public static readonly ParserConfiguration Parser = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

        private const string Description = """
            Unpooling demo: what does max pooling become when a decoder undoes it?

            Max-pools an image (per RGB channel) and brings it back to its size by argmax unpooling, fixed upper-left
            unpooling, random-offset unpooling, repeat, zero insertion and a bilinear transposed convolution. Writes a
            labelled contact sheet and a map of the argmax switches as PNG, and prints each method's error and time.

            Then trains the same small encoder-decoder once per upsampling variant (argmax switches, fixed upper-left,
            random offset, repeat, a learned and a fixed bilinear transposed convolution) on generated scenes, for
            reconstruction and for segmentation, and prints held-out scores; writes training-curves.png and a sheet of
            predictions per task. Same seed, same numbers and pictures, on any number of threads.

            Run it with: dotnet run --project src/Unpooling.Demo -- [options]

            Exit codes: 0 done, 2 bad option, unreadable image, geometry that does not fit, or unwritable folder.
            """;

        public CommandLine()
        {
            var help = new HelpOption("--help", "-h") { Description = "show this text" };
            if (help.Action is HelpAction action)
            {
                action.MaxWidth = 120;
            }

            Command = new Command("Unpooling.Demo", Description)
            {
                Input, Kernel, Stride, Padding, Output, Steps, Task, Seed, help,
            };
        }

        public Command Command { get; }

        public Option<string?> Input { get; } = new("--input")
        {
            HelpName = "PATH",
            Description = "image to use (PNG, JPEG, BMP, GIF, TIFF, WebP; at most 4096 px a side); default: a built-in 256x256 test image",
            CustomParser = r => Text(r),
        };

        public Option<int> Kernel { get; } = new("--kernel")
        {
            HelpName = "K",
            Description = "pooling window size, >= 1",
            DefaultValueFactory = _ => 2,
            CustomParser = r => Integer(r),
        };

        public Option<int?> Stride { get; } = new("--stride")
        {
            HelpName = "S",
            Description = "pooling stride and unpooling factor, >= 1 (default: the kernel size)",
            CustomParser = r => Integer(r),
        };

        public Option<int> Padding { get; } = new("--padding")
        {
            HelpName = "P",
            Description = "implicit padding on each side, >= 0",
            DefaultValueFactory = _ => 0,
            CustomParser = r => Integer(r),
        };

        public Option<string> Output { get; } = new("--output")
        {
            HelpName = "DIR",
            Description = "folder for the pictures",
            DefaultValueFactory = _ => DefaultOutput,
            CustomParser = r => Text(r),
        };

        public Option<int> Steps { get; } = new("--steps")
        {
            HelpName = "N",
            Description = "training steps per variant, >= 0; 0 skips the training",
            DefaultValueFactory = _ => DefaultSteps,
            CustomParser = r => Integer(r, minimum: 0),
        };

        public Option<string> Task { get; } = new("--task")
        {
            HelpName = "T",
            Description = "reconstruction, segmentation or both",
            DefaultValueFactory = _ => "both",
            CustomParser = r => OneOf(r, Tasks),
        };

        public Option<ulong> Seed { get; } = new("--seed")
        {
            HelpName = "S",
            Description = "seed of the scenes, the weights and the random offsets, >= 0",
            DefaultValueFactory = _ => 1,
            CustomParser = r => Unsigned(r),
        };

        /// <summary>The option's single value; an error (and null) when it looks like another option, as in <c>--output --steps 5</c>.</summary>
        private static string? Value(ArgumentResult r)
        {
            // The arity check runs first: here there is exactly one token.
            string value = r.Tokens[0].Value;
            if (value.StartsWith("--", StringComparison.Ordinal))
            {
                r.AddError($"{Name(r)} needs a value (see --help)");
                return null;
            }

            return value;
        }

        private static string? Text(ArgumentResult r)
        {
            string? value = Value(r);
            if (value is { Length: 0 })
            {
                r.AddError($"{Name(r)} needs a non-empty path");
            }

            return value;
        }

        private static int Integer(ArgumentResult r, int minimum = int.MinValue)
        {
            string? value = Value(r);
            if (value is null)
            {
                return 0;
            }

            if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int number))
            {
                r.AddError($"{Name(r)} expects an integer, got '{value}'");
            }
            else if (number < minimum)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{Name(r)} must be >= {minimum}, got {number}"));
            }

            return number;
        }

        private static ulong Unsigned(ArgumentResult r)
        {
            string? value = Value(r);
            ulong number = 0;
            if (value is not null && !ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out number))
            {
                r.AddError($"{Name(r)} expects an integer >= 0, got '{value}'");
            }

            return number;
        }

        private static string OneOf(ArgumentResult r, IReadOnlyList<string> allowed)
        {
            string? value = Value(r);
            if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
            {
                r.AddError($"{Name(r)} expects {string.Join(", ", allowed.Take(allowed.Count - 1))} or {allowed[^1]}, got '{value}'");
            }

            return value ?? "";
        }

        private static string Name(ArgumentResult r) => r.Parent is OptionResult option ? option.Option.Name : r.Argument.Name;
    }
}
