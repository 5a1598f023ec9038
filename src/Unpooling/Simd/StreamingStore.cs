using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// Non-temporal (streaming) copies for outputs too large to stay in the caches: a plain store first reads each line it
/// lands on (the read-for-ownership), so writing a buffer past the last-level cache moves it twice over the memory bus;
/// a streaming store writes whole lines without reading them and without evicting the inputs the kernel still reads.
/// The kernels build a small run of output in an L1-resident staging buffer and hand it to <see cref="Copy"/>.
/// </summary>
/// <remarks>
/// <para>Streaming stores are weakly ordered: a run that used them ends with <see cref="Fence"/> before another thread
/// may read the data (the parallel runner's completion is a locked operation, which orders them too; the fence makes
/// each worker's writes globally visible where it stops, independently of how it is joined).</para>
/// <para>Where the instructions are not exposed (<see cref="IsSupported"/> false, e.g. Arm64) the copy is a plain one
/// and the callers keep their direct stores.</para>
/// </remarks>
internal static unsafe class StreamingStore
{
    /// <summary>
    /// Destinations of at least this many bytes take the streaming path (16 MiB): a buffer half the size of a large
    /// last-level cache or more cannot stay there with the inputs that produced it, so its lines are written back
    /// anyway; a smaller one may still be read from the cache by the next operator, and keeps plain stores.
    /// </summary>
    public const long Threshold = 16L << 20;

    /// <summary>Bytes of the L1-resident staging run a kernel builds before streaming it (16 KiB).</summary>
    public const int StagingBytes = 16 << 10;

    /// <summary>Whether streaming stores exist here (a JIT-time constant).</summary>
    public static bool IsSupported => Sse2.IsSupported;

    /// <summary>Set on a thread, every destination its calls decide for takes the streaming path (tests only: the
    /// small buffers of the width and guarded-page tests then exercise it; the decision is made on the calling thread).</summary>
    [ThreadStatic]
    private static bool t_forced;

    /// <summary>Whether a destination of <paramref name="bytes"/> bytes should be written with streaming stores.</summary>
    public static bool Wanted(long bytes) => IsSupported && (bytes >= Threshold || t_forced);

    /// <summary>Forces the streaming path for the calls this thread makes until the scope is disposed (tests only).</summary>
    internal static ForcedScope ForceForTests()
    {
        t_forced = true;
        return default;
    }

    /// <summary>The scope of <see cref="ForceForTests"/>: disposing it restores the threshold.</summary>
    internal readonly struct ForcedScope : IDisposable
    {
        public void Dispose() => t_forced = false;
    }

    /// <summary>
    /// Copies <paramref name="bytes"/> bytes from <paramref name="source"/> (any alignment, typically a staging run in
    /// L1) to <paramref name="destination"/>: the bytes before its first 64-byte boundary and after its last one with
    /// plain stores, every whole line between them with streaming stores. The ranges must not overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(void* source, void* destination, nint bytes)
    {
        byte* s = (byte*)source, d = (byte*)destination;
        if (!Sse2.IsSupported || bytes < 128)
        {
            Buffer.MemoryCopy(s, d, bytes, bytes);
            return;
        }

        // Head: up to the first line boundary of the destination.
        nint head = (nint)(-(nint)d & 63);
        if (head > 0)
        {
            Buffer.MemoryCopy(s, d, head, head);
            s += head;
            d += head;
            bytes -= head;
        }

        nint lines = bytes >> 6;
        for (nint i = 0; i < lines; i++, s += 64, d += 64)
        {
            if (Avx512F.IsSupported)
            {
                Avx512F.StoreAlignedNonTemporal((float*)d, Vector512.Load((float*)s));
            }
            else if (Avx.IsSupported)
            {
                Avx.StoreAlignedNonTemporal((float*)d, Vector256.Load((float*)s));
                Avx.StoreAlignedNonTemporal((float*)(d + 32), Vector256.Load((float*)(s + 32)));
            }
            else
            {
                Sse.StoreAlignedNonTemporal((float*)d, Vector128.Load((float*)s));
                Sse.StoreAlignedNonTemporal((float*)(d + 16), Vector128.Load((float*)(s + 16)));
                Sse.StoreAlignedNonTemporal((float*)(d + 32), Vector128.Load((float*)(s + 32)));
                Sse.StoreAlignedNonTemporal((float*)(d + 48), Vector128.Load((float*)(s + 48)));
            }
        }

        nint tail = bytes & 63;
        if (tail > 0)
        {
            Buffer.MemoryCopy(s, d, tail, tail);
        }
    }

    /// <summary>Orders every streaming store issued so far before the stores after it (<c>sfence</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Fence()
    {
        if (Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }
}
