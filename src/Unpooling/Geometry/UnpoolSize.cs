namespace Unpooling.Internal;

/// <summary>The explicit-output-size rule shared by the unpooling operators (PyTorch's <c>max_unpool</c> rule).</summary>
internal static class UnpoolSize
{
    /// <summary>
    /// Returns <paramref name="requested"/> when each axis lies strictly between <c>default - stride</c> and
    /// <c>default + stride</c>, otherwise throws naming <paramref name="paramName"/>; <see langword="null"/> gives the default.
    /// </summary>
    public static Size2D Resolve(Size2D defaultSize, Size2D stride, Size2D? requested, string paramName)
    {
        if (requested is not { } r)
        {
            return defaultSize;
        }

        if (!Fits(r.Height, defaultSize.Height, stride.Height) || !Fits(r.Width, defaultSize.Width, stride.Width))
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Output size {r} is out of range: each axis must lie strictly between default - stride and default + stride, " +
                $"i.e. height in ({defaultSize.Height - stride.Height}, {defaultSize.Height + (long)stride.Height}) and width in ({defaultSize.Width - stride.Width}, {defaultSize.Width + (long)stride.Width}), and be >= 1.");
        }

        return r;
    }

    private static bool Fits(int value, int defaultValue, int stride)
        => value >= 1 && value > (long)defaultValue - stride && value < (long)defaultValue + stride;
}
