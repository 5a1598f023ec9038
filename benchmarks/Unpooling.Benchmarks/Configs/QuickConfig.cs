using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Unpooling.Benchmarks.Configs;

/// <summary>
/// The smoke run selected by <c>--quick</c>: one launch, 3 warmups, 7 measured iterations of about 250 ms, in
/// process. In-process skips generating and building a second project per benchmark, which makes a full pass over
/// every class fit in minutes on 2 cores; the figures are medians of few samples, so read ratios, not last digits.
/// </summary>
public static class QuickConfig
{
    /// <summary>The command-line switch that selects this config; removed before BenchmarkDotNet parses the rest.</summary>
    public const string Switch = "--quick";

    public static IConfig Create() => DefaultBenchmarkConfig.Decorate(
        ManualConfig.CreateEmpty().AddJob(
            Job.Default
                .WithId("Quick")
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(7)
                .WithIterationTime(TimeInterval.FromMilliseconds(250))));
}
