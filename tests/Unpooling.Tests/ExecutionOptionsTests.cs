using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// <see cref="ExecutionOptions"/>: the defaults (all cores, 65,536 elements), the presets, value equality, and one
/// test per validation rule. The options validate themselves when set, so no operator can receive a bad degree (the
/// operators' own degree checks went with their <c>maxDegreeOfParallelism</c> parameters).
/// </summary>
public sealed class ExecutionOptionsTests
{
    [Fact]
    public void DefaultIsAllCoresFrom65536Elements()
    {
        Assert.Equal(65536, ExecutionOptions.DefaultMinParallelElements);
        foreach (ExecutionOptions options in new[] { default, ExecutionOptions.Default, new ExecutionOptions() })
        {
            Assert.Equal(-1, options.MaxDegreeOfParallelism);
            Assert.Equal(65536, options.MinParallelElements);
        }
    }

    [Fact]
    public void SingleThreadedIsOneThreadWithTheDefaultThreshold()
    {
        Assert.Equal(1, ExecutionOptions.SingleThreaded.MaxDegreeOfParallelism);
        Assert.Equal(65536, ExecutionOptions.SingleThreaded.MinParallelElements);
        Assert.Equal(new ExecutionOptions { MaxDegreeOfParallelism = 1 }, ExecutionOptions.SingleThreaded);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(int.MaxValue)]
    public void WithMaxDegreeOfParallelismSetsOnlyTheDegree(int degree)
    {
        ExecutionOptions options = ExecutionOptions.WithMaxDegreeOfParallelism(degree);
        Assert.Equal(degree, options.MaxDegreeOfParallelism);
        Assert.Equal(65536, options.MinParallelElements);
        Assert.Equal(new ExecutionOptions { MaxDegreeOfParallelism = degree }, options);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(65536L)]
    [InlineData(long.MaxValue - 1)]
    public void MinParallelElementsRoundTripsEveryAcceptedValue(long value)
    {
        var options = new ExecutionOptions { MinParallelElements = value, MaxDegreeOfParallelism = 3 };
        Assert.Equal(value, options.MinParallelElements);
        Assert.Equal(3, options.MaxDegreeOfParallelism);
    }

    /// <summary>Equality is by the two values as read: setting a default explicitly gives an equal value.</summary>
    [Fact]
    public void EqualityIsByValue()
    {
        var explicitDefaults = new ExecutionOptions { MaxDegreeOfParallelism = -1, MinParallelElements = ExecutionOptions.DefaultMinParallelElements };
        AssertEqual(default, explicitDefaults);
        AssertEqual(ExecutionOptions.SingleThreaded, ExecutionOptions.WithMaxDegreeOfParallelism(1));
        AssertEqual(new ExecutionOptions { MaxDegreeOfParallelism = 4, MinParallelElements = 0 }, new ExecutionOptions { MinParallelElements = 0, MaxDegreeOfParallelism = 4 });

        AssertDifferent(default, ExecutionOptions.SingleThreaded);
        AssertDifferent(default, new ExecutionOptions { MinParallelElements = 0 });
        AssertDifferent(new ExecutionOptions { MaxDegreeOfParallelism = 2, MinParallelElements = 0 }, new ExecutionOptions { MaxDegreeOfParallelism = 2, MinParallelElements = 1 });
        AssertDifferent(new ExecutionOptions { MaxDegreeOfParallelism = 2 }, new ExecutionOptions { MaxDegreeOfParallelism = 3 });
        Assert.False(default(ExecutionOptions).Equals((object)1), "an int is not options");
        Assert.False(default(ExecutionOptions).Equals(null), "null is not options");
    }

    [Fact]
    public void ToStringNamesBothValues()
    {
        Assert.Equal("MaxDegreeOfParallelism = all cores, MinParallelElements = 65536", default(ExecutionOptions).ToString());
        Assert.Equal("MaxDegreeOfParallelism = 3, MinParallelElements = 0", new ExecutionOptions { MaxDegreeOfParallelism = 3, MinParallelElements = 0 }.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void BadDegreeNamesMaxDegreeOfParallelism(int degree)
    {
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>("MaxDegreeOfParallelism", () => _ = new ExecutionOptions { MaxDegreeOfParallelism = degree });
        Assert.Equal(degree, e.ActualValue);
        Assert.Contains(degree.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The factory rejects the same values. Its parameter is <c>maxDegreeOfParallelism</c> while the exception names
    /// the property it sets, so ParamName is compared ignoring case.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void FactoryRejectsABadDegree(int degree)
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => ExecutionOptions.WithMaxDegreeOfParallelism(degree));
        Assert.Equal("maxDegreeOfParallelism", e.ParamName);
        Assert.Equal(degree, e.ActualValue);
    }

    /// <summary>Negative thresholds, and long.MaxValue (stored plus one, it would wrap).</summary>
    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void BadThresholdNamesMinParallelElements(long value)
    {
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>("MinParallelElements", () => _ = new ExecutionOptions { MinParallelElements = value });
        Assert.Equal(value, e.ActualValue);
    }

    private static void AssertEqual(ExecutionOptions a, ExecutionOptions b)
    {
        Assert.True(a.Equals(b) && b.Equals(a) && a.Equals((object)b), $"{a} should equal {b}");
        Assert.True(a == b && !(a != b), $"{a} == {b}");
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    private static void AssertDifferent(ExecutionOptions a, ExecutionOptions b)
    {
        Assert.False(a.Equals(b) || b.Equals(a) || a.Equals((object)b), $"{a} should differ from {b}");
        Assert.True(a != b && !(a == b), $"{a} != {b}");
    }
}
