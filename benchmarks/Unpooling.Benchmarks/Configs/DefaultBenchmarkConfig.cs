using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace Unpooling.Benchmarks.Configs;

/// <summary>
/// The full run: BenchmarkDotNet's default job (out-of-process, its own launch/warmup/iteration heuristics) with the
/// columns our reports quote: median beside mean (these 2-core machines are shared and noisy, so the median is the
/// figure to read), the ratio to the naive baseline, and allocated bytes.
/// </summary>
public static class DefaultBenchmarkConfig
{
    public static IConfig Create() => Decorate(ManualConfig.CreateEmpty().AddJob(Job.Default.WithId("Default")));

    /// <summary>Everything but the job: shared with <see cref="QuickConfig"/> so both runs print the same tables.</summary>
    internal static ManualConfig Decorate(ManualConfig config)
    {
        IConfig defaults = DefaultConfig.Instance;
        config.AddColumnProvider(defaults.GetColumnProviders().ToArray())
            .AddLogger(defaults.GetLoggers().ToArray())
            .AddAnalyser(defaults.GetAnalysers().ToArray())
            .AddValidator(defaults.GetValidators().ToArray())
            .AddColumn(StatisticColumn.Median)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddExporter(MarkdownExporter.GitHub)
            .WithSummaryStyle(SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend))
            .WithOption(ConfigOptions.JoinSummary, false);
        return config;
    }
}
