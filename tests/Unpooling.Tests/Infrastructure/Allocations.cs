namespace Unpooling.Tests.Infrastructure;

/// <summary>Steady-state allocation measurements on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// The least bytes this thread allocates over three windows of <paramref name="callsPerWindow"/> calls of
    /// <paramref name="run"/>, after one warm-up call. An allocation of ours happens on every call and so shows in every
    /// window; a one-off of the runtime on this thread (a method reaching its tiering call count queues its
    /// recompilation, 136-328 bytes; 3,216 and 3,304 bytes seen once each in CI legs while other tests ran beside) or an
    /// <c>ArrayPool</c> trim shows in one window at most.
    /// </summary>
    public static long LeastAllocated(Action run, int callsPerWindow = 3)
    {
        run();
        long least = long.MaxValue;
        for (int window = 0; window < 3 && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < callsPerWindow; i++)
            {
                run();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
