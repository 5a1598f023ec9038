namespace Unpooling.Internal;

/// <summary>The explicit-output-size rule shared by the unpooling operators (PyTorch's <c>max_unpool</c> rule).</summary>
internal static class UnpoolSize
{
    /// <summary>
    /// Returns <paramref name="requested"/> when each axis lies strictly between <c>default - stride</c> and
    /// <c>default + stride</c>, otherwise throws naming <paramref name="paramName"/>. The default is taken in 64 bits
    /// and need not be a valid size itself: a pooled 1x1 whose default unpooled size is 0x2 may be unpooled to 2x2
    /// (SEMANTICS.md 2), and a default past <see cref="int.MaxValue"/> still admits the sizes below it.
    /// </summary>
    public static Size2D Resolve(long defaultHeight, long defaultWidth, Size2D stride, Size2D requested, string paramName)
    {
        if (!Fits(requested.Height, defaultHeight, stride.Height) || !Fits(requested.Width, defaultWidth, stride.Width))
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Output size {requested} is out of range: each axis must lie strictly between default - stride and default + stride, " +
                $"i.e. height in ({defaultHeight - stride.Height}, {defaultHeight + stride.Height}) and width in ({defaultWidth - stride.Width}, {defaultWidth + stride.Width}), and be >= 1.");
        }

        return requested;
    }

    /// <summary>The same rule on one axis of a request of any rank (<paramref name="shown"/> is the whole request, formatted only on failure).</summary>
    public static void Resolve<TShown>(long defaultSize, int stride, int requested, string axis, in TShown shown, string paramName)
        where TShown : struct
    {
        if (!Fits(requested, defaultSize, stride))
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Output size {shown} is out of range: each axis must lie strictly between default - stride and default + stride, " +
                $"i.e. {axis} in ({defaultSize - stride}, {defaultSize + stride}), and be >= 1.");
        }
    }

    private static bool Fits(int value, long defaultValue, int stride)
        => value >= 1 && value > defaultValue - stride && value < defaultValue + stride;
}
