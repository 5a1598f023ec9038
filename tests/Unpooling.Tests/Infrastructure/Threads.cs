namespace Unpooling.Tests.Infrastructure;

/// <summary>Thread counts as <see cref="ExecutionOptions"/> that really split small test inputs (shared with the conformance suite).</summary>
internal static class Threads
{
    /// <summary>
    /// At most <paramref name="count"/> threads and no size threshold (<see cref="ExecutionOptions.MinParallelElements"/>
    /// 0), so that the threads really split every call with more than one row or plane; the default threshold would keep
    /// small test inputs on the calling thread.
    /// </summary>
    public static ExecutionOptions Options(int count) => new() { MaxDegreeOfParallelism = count, MinParallelElements = 0 };
}
