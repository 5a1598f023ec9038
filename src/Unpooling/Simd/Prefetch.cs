using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// Software prefetch of a byte run the caller will read soon: the strided and index-driven gathers and the
/// channels-last tap walk read patterns the hardware prefetcher follows late. A hint only: it never faults and reads
/// nothing, so its range needs no validation beyond being the caller's own data; where the hardware has no such
/// instruction exposed (<see cref="IsSupported"/> false, e.g. Arm64), it does nothing.
/// </summary>
internal static unsafe class Prefetch
{
    /// <summary>At most this many cache lines per run (4 KiB): past that the hardware prefetcher has caught the stream.</summary>
    public const int MaxLines = 64;

    /// <summary>Whether <see cref="Range"/> issues anything (a JIT-time constant).</summary>
    public static bool IsSupported => Sse.IsSupported;

    /// <summary>
    /// Prefetches, into every cache level, each 64-byte line that <c>[start, start + bytes)</c> touches, from the line
    /// holding <paramref name="start"/>, at most <see cref="MaxLines"/> of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Range(void* start, long bytes)
    {
        if (!Sse.IsSupported || bytes <= 0)
        {
            return;
        }

        byte* line = (byte*)((nint)start & ~(nint)63);
        int lines = (int)Math.Min((((byte*)start - line) + bytes + 63) / 64, MaxLines);
        for (int i = 0; i < lines; i++)
        {
            Sse.Prefetch0(line + ((nint)i * 64));
        }
    }
}
