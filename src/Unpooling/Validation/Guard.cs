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

    /// <summary>Rejects an <see cref="IndexConvention"/> value that names no convention.</summary>
    public static void Convention(IndexConvention convention, string paramName)
    {
        if (!IndexLayout.IsDefined(convention))
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                paramName,
                convention,
                $"Index convention {convention} is not defined; use PerPlane, GlobalRowMajor, GlobalColumnMajor, ChannelsLastPerSample or ChannelsLastWithBatch.");
        }
    }

    /// <summary>
    /// Rejects 32-bit indices when the indices of <paramref name="indexed"/> in <paramref name="convention"/> exceed
    /// <see cref="int.MaxValue"/> (SEMANTICS.md 1: an error, never a silent wrap).
    /// </summary>
    public static void IndexSpace<TIndex>(IndexConvention convention, Shape4D indexed, string paramName)
    {
        Int128 largest = IndexLayout.SpaceOf(convention, indexed) - 1;
        if (typeof(TIndex) == typeof(int) && largest > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"In convention {convention} the indices of {indexed} range up to {largest}, beyond int.MaxValue; use 64-bit (long) indices for {paramName}.");
        }
    }

    /// <summary>Rejects <paramref name="written"/> sharing memory with <paramref name="other"/> unless it is exactly the same span (in place).</summary>
    public static void NoPartialOverlap<T>(ReadOnlySpan<T> written, ReadOnlySpan<T> other, string writtenName, string otherName)
    {
        if (written.Overlaps(other, out int offset) && (offset != 0 || written.Length != other.Length))
        {
            ThrowHelper.ThrowArgument(
                writtenName,
                $"'{writtenName}' partly overlaps '{otherName}'; pass the same span to convert in place, or non-overlapping buffers.");
        }
    }
}
