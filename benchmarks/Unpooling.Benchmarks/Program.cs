using BenchmarkDotNet.Running;
using Unpooling.Benchmarks.Configs;

namespace Unpooling.Benchmarks;

/// <summary>
/// Entry point: every BenchmarkDotNet argument works as usual (<c>--filter '*MaxPool*'</c>, <c>--list flat</c>, ...);
/// <c>--quick</c> is ours and is removed before BenchmarkDotNet sees the arguments.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        bool quick = args.Contains(QuickConfig.Switch, StringComparer.OrdinalIgnoreCase);
        string[] forwarded = [.. args.Where(a => !string.Equals(a, QuickConfig.Switch, StringComparison.OrdinalIgnoreCase))];
        var config = quick ? QuickConfig.Create() : DefaultBenchmarkConfig.Create();
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(forwarded, config);

        // A benchmark that threw (for example a setup that found the library disagreeing with the naive reference)
        // must fail the command, not scroll past in the log.
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
