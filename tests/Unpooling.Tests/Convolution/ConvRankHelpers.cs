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
}
