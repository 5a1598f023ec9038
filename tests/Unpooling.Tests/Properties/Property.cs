using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using CsCheck;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Runs the generated (property) tests through CsCheck, so a failure prints the shrunk case and the seed that
/// reproduces it. Every run of README's test command generates the same number of cases per property, scaled by the
/// environment variable <c>PROPERTY_SCALE</c> (default 1; e.g. 20 for a long run, 0.25 for the quick legs CI adds under
/// each instruction-set knob); <c>PROPERTY_SEED</c> replays a seed
/// CsCheck printed. With <c>PROPERTY_TALLY</c> set to a file path, each property appends how many cases of each category
/// it generated (tab-separated: entry point, category, count), which is how the issue notes report coverage.
/// </summary>
internal static class Property
{
    /// <summary>The multiplier of every property's case count, from <c>PROPERTY_SCALE</c>.</summary>
    public static double Scale { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("PROPERTY_SCALE"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 1;

    /// <summary><paramref name="iterations"/> scaled by <see cref="Scale"/>, at least 1.</summary>
    public static long Scaled(int iterations) => Math.Max(1, (long)Math.Round(iterations * Scale));

    private static readonly string? Seed = Environment.GetEnvironmentVariable("PROPERTY_SEED") is { Length: > 0 } seed ? seed : null;
    private static readonly string? TallyPath = Environment.GetEnvironmentVariable("PROPERTY_TALLY") is { Length: > 0 } path ? path : null;
    private static readonly Lock TallyLock = new();

    /// <summary>
    /// Checks <paramref name="property"/> on <paramref name="iterations"/> x <see cref="Scale"/> cases drawn from
    /// <paramref name="gen"/>. The property classifies each case with <see cref="Tally.Add"/>; the counts go to
    /// <c>PROPERTY_TALLY</c> when it is set.
    /// </summary>
    public static void Check<T>(string entryPoint, Gen<T> gen, Action<T, Tally> property, int iterations, Func<T, string>? print = null)
    {
        var tally = new Tally(entryPoint);
        try
        {
            gen.Sample(value => property(value, tally), seed: Seed, iter: Scaled(iterations), print: print);
        }
        finally
        {
            // Also when a case fails: the counts say how far the run got.
            tally.Write();
        }
    }

    /// <summary>Case counts per category of one property run (thread-safe: CsCheck samples on several threads).</summary>
    internal sealed class Tally(string entryPoint)
    {
        private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

        /// <summary>Counts one case of <paramref name="category"/> (e.g. "refused: geometry", "result", "refused: overlap").</summary>
        public void Add(string category) => _counts.AddOrUpdate(category, 1, static (_, n) => n + 1);

        /// <summary>The count of <paramref name="category"/> so far.</summary>
        public long this[string category] => _counts.GetValueOrDefault(category);

        public void Write()
        {
            if (TallyPath is null)
            {
                return;
            }

            lock (TallyLock)
            {
                File.AppendAllLines(TallyPath, _counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{entryPoint}\t{p.Key}\t{p.Value}"));
            }
        }
    }

    /// <summary>
    /// Asserts <paramref name="call"/> throws <typeparamref name="TException"/> (exactly) naming
    /// <paramref name="paramName"/> with a message, and returns the category name to tally ("refused: paramName").
    /// </summary>
    public static string Refused<TException>(string paramName, Action call, string context)
        where TException : ArgumentException
    {
        Exception? thrown = null;
        try
        {
            call();
        }
        catch (Exception e)
        {
            thrown = e;
        }

        if (thrown is null)
        {
            throw new Xunit.Sdk.XunitException($"{context}: expected {typeof(TException).Name} naming '{paramName}', but the call returned.");
        }

        if (thrown.GetType() != typeof(TException) || ((ArgumentException)thrown).ParamName != paramName || string.IsNullOrWhiteSpace(thrown.Message))
        {
            throw new Xunit.Sdk.XunitException($"{context}: expected {typeof(TException).Name} naming '{paramName}', got {thrown}");
        }

        return $"refused: {paramName}";
    }

    /// <summary>Byte-wise equality of two spans (so NaN payloads, -0 and every element type compare exactly).</summary>
    public static bool SameBytes<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged
        => MemoryMarshal.AsBytes(a).SequenceEqual(MemoryMarshal.AsBytes(b));
}
