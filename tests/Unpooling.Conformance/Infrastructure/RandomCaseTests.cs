using Xunit.Abstractions;

namespace Unpooling.Conformance.Infrastructure;

/// <summary>
/// A named family of random cases: what it compares (also its theory argument, so at most 50 characters, which xunit
/// shows whole), its case count per seed, its case.
/// </summary>
public sealed record Suite(string Name, int Count, Action<CaseContext> Body);

/// <summary>A test class that lists its random suites.</summary>
public interface ISuites
{
    /// <summary>The class's suites.</summary>
    static abstract IReadOnlyList<Suite> Suites { get; }
}

/// <summary>
/// The base of the random-case test classes: one theory, <see cref="Random"/>, runs every suite of
/// <typeparamref name="TSelf"/> from every seed of <see cref="Cases.Rows"/>.
/// </summary>
/// <typeparam name="TSelf">The test class.</typeparam>
public abstract class RandomCaseTests<TSelf>(ITestOutputHelper output)
    where TSelf : ISuites
{
    public static TheoryData<string, int> Rows => Cases.Rows(TSelf.Suites.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Rows))]
    public void Random(string suite, int seed)
    {
        Suite s = TSelf.Suites.Single(s => s.Name == suite);
        Cases.Run(output, s.Name, seed, s.Count, s.Body);
    }
}
