using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>Argument checks shared by the operators; each throws naming the argument the caller must fix.</summary>
internal static class Guard
{
    /// <summary>
    /// Rejects a length other than <paramref name="expected"/>. The message (<c>"{what} {shape}"</c>) is built only on
    /// failure: an interpolated argument would be formatted on every call, which is garbage on the hot path.
    /// </summary>
    public static void Length(int actual, long expected, string paramName, string what, Shape4D shape)
    {
        if (actual != expected)
        {
            ThrowHelper.ThrowLengthMismatch(paramName, actual, expected, $"{what} {shape}");
        }
    }

    public static void Degree(int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism != -1 && maxDegreeOfParallelism < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                nameof(maxDegreeOfParallelism),
                maxDegreeOfParallelism,
                $"maxDegreeOfParallelism is {maxDegreeOfParallelism}; use -1 (all cores) or a count >= 1.");
        }
    }

    /// <summary>Rejects <paramref name="written"/> sharing any byte with <paramref name="other"/>.</summary>
    public static void NoOverlap<TWritten, TOther>(ReadOnlySpan<TWritten> written, ReadOnlySpan<TOther> other, string writtenName, string otherName)
        where TWritten : struct
        where TOther : struct
    {
        if (MemoryMarshal.AsBytes(written).Overlaps(MemoryMarshal.AsBytes(other)))
        {
            ThrowHelper.ThrowOverlap(writtenName, otherName);
        }
    }

    /// <summary>Rejects a pair with a size below <paramref name="minimum"/>.</summary>
    public static void AtLeast(Size2D value, int minimum, string paramName)
    {
        if (value.Height < minimum || value.Width < minimum)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"Each of {paramName}'s sizes must be >= {minimum}; got {value}.");
        }
    }

    public static void IndexType<TIndex>(long indexSpace, string paramName)
    {
        if (typeof(TIndex) == typeof(int) && indexSpace - 1 > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Indices range up to {indexSpace - 1}, beyond int.MaxValue; pass a Span<long> for {paramName}.");
        }
    }
}
