using Unpooling.Internal;

namespace Unpooling;

/// <summary>
/// How an operator may run: how many cores it may use and how much work a call needs before it uses more than one.
/// The default value (<c>default(ExecutionOptions)</c>, <see cref="Default"/>) uses every core for calls that touch at
/// least <see cref="DefaultMinParallelElements"/> elements and the calling thread alone below that.
/// </summary>
/// <remarks>
/// Options never change a result: every output element is computed by one thread in a fixed order, so the values and
/// indices are bit-identical for any <see cref="MaxDegreeOfParallelism"/> and <see cref="MinParallelElements"/>. The
/// value is immutable and cheap to copy; a call reads it once. Later knobs (a workspace, a scratch allocator) will be
/// added here, so signatures taking it stay as they are.
/// </remarks>
public readonly struct ExecutionOptions : IEquatable<ExecutionOptions>
{
    /// <summary>The call size (see <see cref="MinParallelElements"/>) below which a call stays on the calling thread by
    /// default: 65,536, where handing rows to a second core starts to pay on the machines the library is measured
    /// on.</summary>
    public const long DefaultMinParallelElements = 1 << 16;

    // Stored so that default(ExecutionOptions) means "all cores, default threshold": 0 is "not set" for both fields.
    private readonly int _maxDegreeOfParallelism;
    private readonly long _minParallelElementsPlusOne;

    /// <summary>The default: every core, threading from <see cref="DefaultMinParallelElements"/> elements.</summary>
    public static ExecutionOptions Default => default;

    /// <summary>Runs every call on the calling thread only.</summary>
    public static ExecutionOptions SingleThreaded => new() { MaxDegreeOfParallelism = 1 };

    /// <summary>
    /// The most threads a call may use, the calling thread included: <c>-1</c> (the default) for
    /// <see cref="Environment.ProcessorCount"/>, or a count &gt;= 1. A call never uses more threads than it has
    /// independent rows or planes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below -1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism == 0 ? -1 : _maxDegreeOfParallelism;
        init
        {
            if (value != -1 && value < 1)
            {
                ThrowHelper.ThrowArgumentOutOfRange(
                    nameof(MaxDegreeOfParallelism),
                    value,
                    $"MaxDegreeOfParallelism is {value}; use -1 (all cores) or a count >= 1.");
            }

            _maxDegreeOfParallelism = value;
        }
    }

    /// <summary>
    /// The smallest call that may use more than one thread; smaller calls run on the calling thread. The size of a
    /// call is the larger tensor it streams: the input for max pooling, the output for unpooling and the fixed-position
    /// family, input plus output for zero insertion and subsampling, and the multiply-add count for the convolutions.
    /// Default <see cref="DefaultMinParallelElements"/>; 0 lets every call that has more than one row or plane use
    /// several threads (the tests use it to check thread-count independence).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or <see cref="long.MaxValue"/>.</exception>
    public long MinParallelElements
    {
        get => _minParallelElementsPlusOne == 0 ? DefaultMinParallelElements : _minParallelElementsPlusOne - 1;
        init
        {
            if (value is < 0 or long.MaxValue)
            {
                ThrowHelper.ThrowArgumentOutOfRange(
                    nameof(MinParallelElements),
                    value,
                    $"MinParallelElements is {value}; use a count from 0 to {long.MaxValue - 1}.");
            }

            _minParallelElementsPlusOne = value + 1;
        }
    }

    /// <summary>Options that allow at most <paramref name="maxDegreeOfParallelism"/> threads, with the default
    /// threshold.</summary>
    /// <param name="maxDegreeOfParallelism">-1 for all cores, or a count &gt;= 1.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is 0 or below -1.</exception>
    public static ExecutionOptions WithMaxDegreeOfParallelism(int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism != -1 && maxDegreeOfParallelism < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                nameof(maxDegreeOfParallelism),
                maxDegreeOfParallelism,
                $"maxDegreeOfParallelism is {maxDegreeOfParallelism}; use -1 (all cores) or a count >= 1.");
        }

        return new() { MaxDegreeOfParallelism = maxDegreeOfParallelism };
    }

    /// <summary>The number of threads a call with <paramref name="items"/> independent items and a size of
    /// <paramref name="workSize"/> runs on: at least 1, at most the items.</summary>
    internal int ResolveDegree(long items, long workSize)
    {
        if (workSize < MinParallelElements || items <= 1)
        {
            return 1;
        }

        int degree = MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;
        return (int)Math.Max(1, Math.Min(degree, items));
    }

    /// <inheritdoc/>
    public bool Equals(ExecutionOptions other) => MaxDegreeOfParallelism == other.MaxDegreeOfParallelism && MinParallelElements == other.MinParallelElements;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ExecutionOptions other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MaxDegreeOfParallelism, MinParallelElements);

    /// <summary>Whether two options are equal.</summary>
    /// <param name="left">The first options.</param>
    /// <param name="right">The second options.</param>
    /// <returns><see langword="true"/> when both fields are equal.</returns>
    public static bool operator ==(ExecutionOptions left, ExecutionOptions right) => left.Equals(right);

    /// <summary>Whether two options differ.</summary>
    /// <param name="left">The first options.</param>
    /// <param name="right">The second options.</param>
    /// <returns><see langword="true"/> when a field differs.</returns>
    public static bool operator !=(ExecutionOptions left, ExecutionOptions right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString()
        => $"MaxDegreeOfParallelism = {(MaxDegreeOfParallelism == -1 ? "all cores" : MaxDegreeOfParallelism)}, MinParallelElements = {MinParallelElements}";
}
