namespace Unpooling.Demo.Tests;

/// <summary>The command line as DemoOptions reads it (System.CommandLine underneath); the run itself is DemoTests'.</summary>
public sealed class OptionParsingTests
{
    [Fact]
    public void NoArgumentsGiveTheDocumentedDefaults()
    {
        Assert.True(DemoOptions.TryParse([], out DemoOptions options, out string error), error);

        Assert.Equal(new DemoOptions
        {
            InputPath = null, Kernel = 2, Stride = null, Padding = 0, Output = "unpooling-demo", Help = false,
            Steps = 1200, Task = "both", Seed = 1,
        }, options);
    }

    [Fact]
    public void EveryOptionTakesItsValueAsTheNextArgumentOrAfterEquals()
    {
        string[] args =
        [
            "--input", "in.png", "--kernel=3", "--stride", "1", "--padding=1", "--output", "out dir",
            "--steps", "5", "--task=segmentation", "--seed", "18446744073709551615",
        ];

        Assert.True(DemoOptions.TryParse(args, out DemoOptions options, out string error), error);

        Assert.Equal(new DemoOptions
        {
            InputPath = "in.png", Kernel = 3, Stride = 1, Padding = 1, Output = "out dir", Steps = 5,
            Task = "segmentation", Seed = ulong.MaxValue,
        }, options);
    }

    [Theory]
    [InlineData("--kernel", "-1")]
    [InlineData("--stride=-2")]
    [InlineData("--padding", "-3")]
    public void NegativeGeometryIsLeftToThePoolingCheck(params string[] args)
    {
        // The library's Pool2DGeometry rejects these with its own message (DemoTests checks the exit code).
        Assert.True(DemoOptions.TryParse(args, out _, out string error), error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--kernel", "two", "--help")]
    [InlineData("stray", "-h")]
    public void HelpAnywhereAsksForHelpAndNothingElseIsChecked(params string[] args)
    {
        Assert.True(DemoOptions.TryParse(args, out DemoOptions options, out string error), error);
        Assert.True(options.Help);
    }

    [Theory]
    [InlineData("--steps -1", "--steps must be >= 0, got -1")]
    [InlineData("--steps many", "--steps expects an integer, got 'many'")]
    [InlineData("--kernel 2.5", "--kernel expects an integer, got '2.5'")]
    [InlineData("--kernel 99999999999", "--kernel expects an integer, got '99999999999'")]
    [InlineData("--seed -3", "--seed expects an integer >= 0, got '-3'")]
    [InlineData("--seed 18446744073709551616", "--seed expects an integer >= 0, got '18446744073709551616'")]
    [InlineData("--task all", "--task expects reconstruction, segmentation or both, got 'all'")]
    [InlineData("--task Both", "--task expects reconstruction, segmentation or both, got 'Both'")]
    [InlineData("--kernel", "--kernel needs a value (see --help)")]
    [InlineData("--output=", "--output needs a value (see --help)")]
    [InlineData("--output --steps 5", "--output needs a value (see --help)")]
    [InlineData("--kernel 3 --kernel", "--kernel needs a value (see --help)")]
    [InlineData("--kernel 2 --kernel 3", "--kernel is given 2 times; give it once")]
    [InlineData("--colour red", "unknown option '--colour' (see --help)")]
    [InlineData("--Kernel 3", "unknown option '--Kernel' (see --help)")]
    [InlineData("--version", "unknown option '--version' (see --help)")]
    [InlineData("stray", "unexpected argument 'stray' (see --help)")]
    [InlineData("--kernel 2 3", "unexpected argument '3' (see --help)")]
    [InlineData("@args.rsp", "unexpected argument '@args.rsp' (see --help)")]
    [InlineData("[diagram] --steps 0", "unexpected argument '[diagram]' (see --help)")]
    public void BadCommandLinesGiveOneClearMessage(string commandLine, string expected)
    {
        Assert.False(DemoOptions.TryParse(commandLine.Split(' '), out _, out string error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("--input")]
    [InlineData("--output")]
    public void EmptyPathsAreRefused(string option)
    {
        Assert.False(DemoOptions.TryParse([option, ""], out _, out string error));
        Assert.Equal($"{option} needs a non-empty path", error);
    }
}
