namespace Unpooling.Internal;

/// <summary>
/// The range test behind the kernels' <c>Debug.Assert</c>s: every run of elements a kernel reads or writes through a
/// pointer must lie inside the buffer it was given (or a slice of it that an outer assert has already placed there).
/// Used only inside <c>Debug.Assert</c>, so a Release build compiles neither the calls nor their arguments.
/// </summary>
internal static unsafe class Bounds
{
    /// <summary>Whether <c>[start, start + count)</c> lies inside <c>[buffer, buffer + length)</c> (an empty run anywhere in or at the end).</summary>
    public static bool Within<T>(T* start, long count, T* buffer, long length)
        where T : unmanaged
    {
        long offset = start - buffer;
        return count >= 0 && length >= 0 && offset >= 0 && offset <= length - count;
    }

    /// <summary>Whether <c>count</c> elements from <paramref name="start"/>, <paramref name="stride"/> apart, lie inside the buffer.</summary>
    public static bool WithinStrided<T>(T* start, long count, long stride, T* buffer, long length)
        where T : unmanaged
        => count <= 0 || (Within(start, 1, buffer, length) && Within(start + ((count - 1) * stride), 1, buffer, length));
}
