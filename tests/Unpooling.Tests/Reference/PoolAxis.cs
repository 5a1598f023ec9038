namespace Unpooling.Tests.Reference;

/// <summary>
/// One spatial axis of a pooling window, as SEMANTICS.md names it: kernel <c>k</c>, stride <c>s</c>, padding
/// <c>p</c> (both sides), dilation <c>d</c>. Plain data: the oracles use nothing from the library.
/// </summary>
internal readonly record struct PoolAxis(int Kernel, int Stride, int Padding, int Dilation)
{
    /// <summary><c>keff = d*(k-1)+1</c>.</summary>
    public int EffectiveKernel => (Dilation * (Kernel - 1)) + 1;

    public override string ToString() => $"k{Kernel} s{Stride} p{Padding} d{Dilation}";

    /// <summary>
    /// SEMANTICS.md 1: <c>o = floor_or_ceil((i + 2p - keff) / s) + 1</c>, floor and ceiling of a negative numerator
    /// taken as mathematics does, minus one in ceil mode when the last window would start in the end padding. False
    /// when <c>o &lt; 1</c> or some window holds no input cell.
    /// </summary>
    public bool TryGetOutputSize(int input, bool ceilMode, out int output)
    {
        output = 0;
        long numerator = input + (2L * Padding) - EffectiveKernel;
        long o = (long)(ceilMode ? Math.Ceiling((double)numerator / Stride) : Math.Floor((double)numerator / Stride));
        o += 1;
        if (ceilMode && (o - 1) * Stride >= input + Padding)
        {
            o -= 1;
        }

        if (o < 1)
        {
            return false;
        }

        for (long window = 0; window < o; window++)
        {
            if (FirstRealTap(window, input) < 0)
            {
                return false;
            }
        }

        output = (int)o;
        return true;
    }

    /// <summary>Input position of tap <paramref name="tap"/> of window <paramref name="window"/> (may be padding).</summary>
    public long Position(long window, int tap) => (window * Stride) - Padding + ((long)tap * Dilation);

    /// <summary>The first tap of the window that lands on an input cell, or -1 when all are padding.</summary>
    public int FirstRealTap(long window, int input)
    {
        for (int tap = 0; tap < Kernel; tap++)
        {
            long position = Position(window, tap);
            if (position >= 0 && position < input)
            {
                return tap;
            }
        }

        return -1;
    }

    /// <summary>SEMANTICS.md 2: the default unpooled size <c>(i-1)*s - 2p + k</c>.</summary>
    public int UnpoolOutputSize(int pooled) => ((pooled - 1) * Stride) - (2 * Padding) + Kernel;
}
