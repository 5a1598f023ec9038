using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// Non-temporal (streaming) copies for outputs too large to stay in the caches: a plain store first reads each line it
/// lands on (the read-for-ownership), so writing a buffer past the last-level cache moves it twice over the memory bus;
/// a streaming store writes whole lines without reading them and without evicting the inputs the kernel still reads.
/// The kernels build a small run of output in an L1-resident staging buffer and hand it to a <see cref="StagedStream"/>
/// (or <see cref="Copy"/>).
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
    /// <summary>The smallest streaming threshold (16 MiB), and the threshold where the cache size is unknown.</summary>
    public const long MinimumThreshold = 16L << 20;

    /// <summary>Bytes of the L1-resident staging run a kernel builds before streaming it (16 KiB).</summary>
    public const int StagingBytes = 16 << 10;

    /// <summary>Set on a thread, the threshold its calls decide with (tests only; 0: none). The decision is made on the
    /// calling thread, so the width and guarded-page tests' small buffers can take the streaming path.</summary>
    [ThreadStatic]
    private static long t_threshold;

    /// <summary>The size of the largest data or unified cache CPUID describes (the last-level cache; on AMD the L3 of one
    /// core complex), or 0 where it cannot be read (not x86, or a CPUID without the cache leaves).</summary>
    public static long LastLevelCacheBytes { get; } = ReadLastLevelCache();

    /// <summary>
    /// Destinations of at least this many bytes take the streaming path where it pays (<see cref="PaysHere"/>): half the
    /// last-level cache, and at least <see cref="MinimumThreshold"/>. A buffer that large cannot stay in the cache with
    /// the inputs that produced it, so its lines are written back anyway; a smaller one may still be read from the cache
    /// by the next operator, and keeps plain stores. (Measured: a fixed 16 MiB suited a Zen 5 with 32 MB of L3, where
    /// A1's 25.7 MB backward went from 1.78 to 1.28 ms; on a Xeon with 260 MB of L3 streaming that output made the block
    /// writers 1.3-1.7x slower than plain stores, in BenchmarkDotNet pairs.)
    /// </summary>
    public static long Threshold { get; } = ThresholdFor(LastLevelCacheBytes);

    /// <summary>
    /// Whether the staged streaming path was measured faster than plain stores on this processor: AMD family 0x1A and
    /// later (Zen 5), and family 0x19 with AVX-512 (Zen 4), where <see cref="StagedStream"/> realigns the runs. Elsewhere
    /// it is off and every output keeps plain stores.
    /// </summary>
    /// <remarks>
    /// On a Zen 4 the first staged path, which wrote each run's partial end lines with plain stores, made A1's backward
    /// 4.3-5.6 ms against 1.5-2 ms with plain stores (Stopwatch, 2026-12-03): each of those lines was a read-for-ownership
    /// from memory that nothing had prefetched, and the stores behind it waited. <see cref="StagedStream"/> carries the
    /// partial line to the next run, so only a thread's first and last lines are plain; with it the same rows stream
    /// faster than plain stores there too. Zen 3 (family 0x19 without AVX-512) takes the old copy and stays off, unmeasured.
    /// On the Xeon of the same day (260 MB of L3) the threshold already kept the benchmarks' outputs on plain stores.
    /// </remarks>
    public static bool PaysHere { get; } = ReadPaysHere();

    /// <summary>Whether streaming stores exist here (a JIT-time constant).</summary>
    public static bool IsSupported => Sse2.IsSupported;

    /// <summary>The threshold for a last-level cache of <paramref name="lastLevelCacheBytes"/> (0: unknown).</summary>
    internal static long ThresholdFor(long lastLevelCacheBytes) => Math.Max(MinimumThreshold, lastLevelCacheBytes / 2);

    /// <summary>Whether a destination of <paramref name="bytes"/> bytes should be written with streaming stores (on a
    /// processor where they pay, or on any x86 under <see cref="ThresholdForTests"/>).</summary>
    public static bool Wanted(long bytes) => IsSupported && (t_threshold != 0 ? bytes >= t_threshold : PaysHere && bytes >= Threshold);

    /// <summary>Forces the streaming path for the calls this thread makes until the scope is disposed (tests only).</summary>
    internal static ThresholdScope ForceForTests() => ThresholdForTests(1);

    /// <summary>Makes this thread's calls decide with <paramref name="bytes"/> as the threshold until the scope is
    /// disposed (tests only: a case sized for one threshold then behaves alike on every machine).</summary>
    internal static ThresholdScope ThresholdForTests(long bytes)
    {
        t_threshold = Math.Max(1, bytes);
        return default;
    }

    /// <summary>The scope of <see cref="ThresholdForTests"/>: disposing it restores the machine's threshold.</summary>
    internal readonly struct ThresholdScope : IDisposable
    {
        public void Dispose() => t_threshold = 0;
    }

    /// <summary>
    /// The largest data or unified cache of CPUID's deterministic cache leaves (leaf 4 on Intel, 0x8000001D on AMD with
    /// topology extensions), else AMD's L3 field of leaf 0x80000006 (512 KiB units); 0 when none answers.
    /// </summary>
    private static long ReadLastLevelCache()
    {
        if (!X86Base.IsSupported)
        {
            return 0;
        }

        uint maxLeaf = (uint)X86Base.CpuId(0, 0).Eax;
        uint maxExtended = (uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax;
        long size = maxLeaf >= 4 ? LargestDeterministic(4) : 0;
        if (size == 0 && maxExtended >= 0x8000001D)
        {
            size = LargestDeterministic(unchecked((int)0x8000001D));
        }

        if (size == 0 && maxExtended >= 0x80000006)
        {
            size = ((long)((uint)X86Base.CpuId(unchecked((int)0x80000006), 0).Edx >> 18)) * (512L << 10);
        }

        return size;
    }

    /// <summary>AMD (vendor <c>AuthenticAMD</c>) of a display family <see cref="PaysFor"/> accepts, from CPUID leaves 0 and 1.</summary>
    private static bool ReadPaysHere()
    {
        if (!X86Base.IsSupported)
        {
            return false;
        }

        (_, int ebx, int ecx, int edx) = X86Base.CpuId(0, 0);
        bool amd = ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163; // "Auth" "enti" "cAMD"
        return amd && PaysFor(DisplayFamily(X86Base.CpuId(1, 0).Eax), Avx512F.IsSupported);
    }

    /// <summary>Whether streaming pays on an AMD processor of display family <paramref name="family"/>: 0x1A and later,
    /// or 0x19 with AVX-512 (<paramref name="avx512"/>).</summary>
    internal static bool PaysFor(int family, bool avx512) => family >= 0x1A || (family == 0x19 && avx512);

    /// <summary>The display family of CPUID leaf 1's EAX: the base family, plus the extended family when the base is 0xF.</summary>
    internal static int DisplayFamily(int eax)
    {
        int family = (eax >> 8) & 0xF;
        return family == 0xF ? family + ((eax >> 20) & 0xFF) : family;
    }

    /// <summary>The largest data or unified cache a deterministic cache-parameters leaf lists (sub-leaves until type 0).</summary>
    private static long LargestDeterministic(int leaf)
    {
        long largest = 0;
        for (int sub = 0; sub < 64; sub++)
        {
            (int eax, int ebx, int ecx, _) = X86Base.CpuId(leaf, sub);
            int type = eax & 0x1F;
            if (type == 0)
            {
                break;
            }

            if (type == 2)
            {
                continue; // an instruction cache
            }

            // ways * partitions * line size * sets, each field stored minus one.
            long size = ((long)((uint)ebx >> 22) + 1) * ((((uint)ebx >> 12) & 0x3FF) + 1) * (((uint)ebx & 0xFFF) + 1) * ((long)(uint)ecx + 1);
            largest = Math.Max(largest, size);
        }

        return largest;
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
