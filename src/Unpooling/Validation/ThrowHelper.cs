using System.Diagnostics.CodeAnalysis;

namespace Unpooling.Internal;

/// <summary>Throw sites kept out of line so the validating callers stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, object? actualValue, string message)
        => throw new ArgumentOutOfRangeException(paramName, actualValue, message);

    [DoesNotReturn]
    public static void ThrowLengthMismatch(string paramName, long actual, long expected, string what)
        => throw new ArgumentException(
            $"{char.ToUpperInvariant(paramName[0])}{paramName[1..]} length {actual} does not match {what} = {expected}.",
            paramName);

    [DoesNotReturn]
    public static void ThrowOverlap(string paramName, string otherName)
        => throw new ArgumentException(
            $"'{paramName}' overlaps '{otherName}'; the operation cannot run in place, so pass non-overlapping buffers.",
            paramName);

    /// <summary>
    /// An index outside <c>[0, layout.Space)</c>: names <paramref name="paramName"/>, the position, the value and the
    /// valid range, with the plane or sample the range belongs to. The value is the caller's own, of its own type, so
    /// the message states it exactly (a 128-bit value could not be shown as a <see cref="long"/>).
    /// </summary>
    [DoesNotReturn]
    public static void ThrowBadIndex<TIndex>(string paramName, TIndex value, long position, long positionsPerPlane, in IndexLayout layout, Shape4D indexed)
    {
        long plane = position / positionsPerPlane, n = plane / Math.Max(1, indexed.Channels), c = plane - (n * indexed.Channels);
        throw new ArgumentOutOfRangeException(
            paramName,
            value,
            $"Index {value} at position {position} is outside {layout.DescribeScope(indexed, n, c)} in convention {layout.Convention}; valid indices are 0 to {layout.Space - 1}.");
    }
}
