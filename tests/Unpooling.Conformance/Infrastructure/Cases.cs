using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Unpooling.Conformance.Infrastructure;

/// <summary>A case drew a combination its peer or the contract does not cover; it is skipped and redrawn.</summary>
public sealed class CaseRejectedException(string reason) : Exception(reason);

/// <summary>Ours and the peer disagree; the message says where and how.</summary>
internal sealed class MismatchException(string message) : Exception(message);

/// <summary>
/// One seeded random case: everything it draws comes from <see cref="Random"/>, seeded with <see cref="Seed"/>, so
/// the seed alone replays it. The case states what it drew with <see cref="Describe"/> before it runs anything.
/// </summary>
public sealed class CaseContext(int seed)
{
    /// <summary>The case's seed.</summary>
    public int Seed { get; } = seed;

    /// <summary>The case's only source of randomness.</summary>
    public Random Random { get; } = new(seed);

    /// <summary>What the case drew, for failure messages.</summary>
    public string Description { get; private set; } = "(nothing drawn yet)";

    /// <summary>Outcome tags the run counts (e.g. "overlapping windows"), so a report shows what the draws covered.</summary>
    public List<string> Tags { get; } = [];

    /// <summary>Records what the case drew.</summary>
    public void Describe(string description) => Description = description;

    /// <summary>Counts this case under <paramref name="tag"/> in the run's report.</summary>
    public void Tag(string tag) => Tags.Add(tag);

    /// <summary>Skips the case: the draw is outside what the peer (or the contract) covers.</summary>
    public static CaseRejectedException Reject(string reason) => new(reason);
}

/// <summary>
/// Runs seeded random cases and reports them. A test row names a base seed; its cases have the seeds
/// <c>base * 100000 + i</c>. Failures are collected over the whole run, and the first few are reported with their
/// seed and drawn case, plus the command that replays them.
/// </summary>
/// <remarks>
/// Environment: <c>CONFORMANCE_REPLAY=seed[,seed...]</c> runs exactly those case seeds in every suite (filter to
/// the suite that failed, as its failure message shows); <c>CONFORMANCE_SEED=n</c> uses base seed <c>n</c> instead of
/// the fixed ones; <c>CONFORMANCE_SCALE=k</c> runs <c>k</c> times as many cases.
/// </remarks>
internal static class Cases
{
    private const int SeedStride = 100_000;
    private const int ReportedFailures = 5;

    /// <summary>
    /// The theory rows of <paramref name="suites"/>: each suite with each fixed base seed (1 and 2, or
    /// <c>CONFORMANCE_SEED</c>), or with each replayed case seed.
    /// </summary>
    public static TheoryData<string, int> Rows(IEnumerable<string> suites)
    {
        string? chosen = Environment.GetEnvironmentVariable("CONFORMANCE_SEED");
        int[] seeds = Replayed ?? (chosen is null ? [1, 2] : [int.Parse(chosen, CultureInfo.InvariantCulture)]);
        var rows = new TheoryData<string, int>();
        foreach (string suite in suites)
        {
            foreach (int seed in seeds)
            {
                rows.Add(suite, seed);
            }
        }

        return rows;
    }

    private static int[]? Replayed => Environment.GetEnvironmentVariable("CONFORMANCE_REPLAY") is { Length: > 0 } list
        ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
        : null;

    private static int Scale => Environment.GetEnvironmentVariable("CONFORMANCE_SCALE") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 1;

    /// <summary>
    /// Runs <paramref name="count"/> accepted cases of <paramref name="body"/> from base seed <paramref name="seed"/>
    /// (or, when replaying, the one case whose seed is <paramref name="seed"/>), then fails with the first mismatches.
    /// </summary>
    /// <param name="output">Receives the run's counts and tags.</param>
    /// <param name="suite">The operator, peer and element type, e.g. "MaxPool2D vs libtorch, float".</param>
    /// <param name="seed">The base seed (or the replayed case seed).</param>
    /// <param name="count">Accepted cases to run.</param>
    /// <param name="body">Draws, runs and compares one case; throws <see cref="CaseRejectedException"/> to skip it.</param>
    public static void Run(ITestOutputHelper output, string suite, int seed, int count, Action<CaseContext> body)
    {
        bool replay = Replayed is not null;
        int target = replay ? 1 : count * Scale;
        int accepted = 0, rejected = 0, failed = 0;
        var failures = new StringBuilder();
        var tags = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var rejections = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        for (int i = 0; accepted < target && i < target * 4; i++)
        {
            var c = new CaseContext(replay ? seed : checked((seed * SeedStride) + i));
            try
            {
                body(c);
                accepted++;
                if (replay)
                {
                    output.WriteLine($"seed={c.Seed} case={c.Description}: agrees");
                }

                foreach (string tag in c.Tags)
                {
                    tags[tag] = tags.GetValueOrDefault(tag) + 1;
                }
            }
            catch (CaseRejectedException e)
            {
                rejected++;
                rejections[e.Message] = rejections.GetValueOrDefault(e.Message) + 1;
                if (replay)
                {
                    output.WriteLine($"seed={c.Seed} case={c.Description}: rejected ({e.Message})");
                    return;
                }
            }
            catch (Exception e)
            {
                accepted++;
                if (++failed <= ReportedFailures)
                {
                    // A peer or ours throwing where the other does not is a disagreement too (peers report errors as exceptions).
                    string what = e is MismatchException ? e.Message : $"unexpected {e.GetType().Name}: {TorchOps.FirstLine(e.Message)}";
                    failures.AppendLine(CultureInfo.InvariantCulture, $"seed={c.Seed} case={c.Description}: {what}");
                }
            }
        }

        output.WriteLine($"{suite}: {accepted} cases ({failed} failed), {rejected} draws rejected, {clock.Elapsed.TotalSeconds:F2} s, " +
            (replay ? $"replayed seed {seed}" : $"base seed {seed} (case seeds {seed * SeedStride}..)"));
        foreach ((string tag, int n) in tags)
        {
            output.WriteLine($"  {n,5} x {tag}");
        }

        foreach ((string reason, int n) in rejections)
        {
            output.WriteLine($"  {n,5} rejected: {reason}");
        }

        if (failed > 0)
        {
            Assert.Fail($"{suite}: {failed} of {accepted} cases disagree with the peer. First {Math.Min(failed, ReportedFailures)}:{Environment.NewLine}{failures}" +
                $"Replay one: CONFORMANCE_REPLAY=<seed> dotnet test tests/Unpooling.Conformance -c Release --filter \"DisplayName~{suite}\"");
        }

        Assert.True(accepted >= target, $"{suite}: only {accepted} of {target} draws were usable; the generator rejects too much.");
    }
}
