namespace Unpooling.Conformance.Infrastructure;

/// <summary>The thread counts the conformance runs ours at, as <see cref="ExecutionOptions"/>.</summary>
internal static class Threads
{
    /// <summary>
    /// At most <paramref name="count"/> threads and no size threshold (<see cref="ExecutionOptions.MinParallelElements"/>
    /// 0), so that 2 threads really split every case with more than one row or plane; the default threshold would keep
    /// the small cases, most of the draws, on the calling thread.
    /// </summary>
    public static ExecutionOptions Options(int count) => new() { MaxDegreeOfParallelism = count, MinParallelElements = 0 };
}
