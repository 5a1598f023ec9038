namespace Unpooling.Tests.Conv;

/// <summary>What the 1-D and 3-D convolution tests share: the adjoint's inner product and the allocation windows.</summary>
internal static class ConvRankHelpers
{
    /// <summary><c>sum a[i] * b[i]</c> in index order (exact on the tests' small integers).</summary>
    public static double Dot(double[] a, double[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    /// <summary>
    /// The least bytes this thread allocates over three windows of three calls of <paramref name="run"/>, after one
    /// warm-up call (a per-call allocation shows in every window; a one-off of the runtime or a pool trim in at most one).
    /// </summary>
    public static long LeastAllocated(Action run)
    {
        run();
        long least = long.MaxValue;
        for (int window = 0; window < 3 && least != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 3; i++)
            {
                run();
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
