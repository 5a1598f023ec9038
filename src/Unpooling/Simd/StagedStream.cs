using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// One thread's streaming writer for a sequence of staged runs (a kernel's block rows, each built at the destination's
/// own offsets in the staging run <see cref="RunFor"/> places in the thread's <see cref="Allocation"/> bytes, then handed
/// to <see cref="Write"/>): every whole destination line goes out with one streaming store, including the line a run
/// shares with the run before it when the two are contiguous, so no line of the run's interior is written with plain
/// stores.
/// </summary>
/// <remarks>
/// <para>With AVX-512 the staging run is read in aligned 64-byte lines, the addresses and sizes the kernel's vector
/// stores wrote (each load is forwarded from a store), and each destination line is assembled from two of them with one
/// two-source permute. The last partial line of a run stays in a register (the carry) until the next run: when that run
/// starts where this one ended, carry and head make one whole line; otherwise, and at <see cref="Flush"/>, the carry
/// is written with a masked plain store.</para>
/// <para>Why: <see cref="StreamingStore.Copy"/> wrote each run's partial first and last lines with plain stores. Nothing
/// prefetches those lines (streaming stores do not train the prefetchers), so each one was a read-for-ownership from
/// memory, and the stores behind it waited: A1's backward into a destination off a line boundary took 4.3-5.6 ms
/// streamed against 1.5-2 with plain stores, and the copy's small <c>memmove</c>s a third of the samples (Stopwatch and
/// perf, Zen 4, 2026-12-03).</para>
/// <para>Runs whose address or length is not a whole number of 4-byte lanes, and processors without AVX-512, take
/// <see cref="StreamingStore.Copy"/> per run. The caller ends with <see cref="Finish"/>.</para>
/// </remarks>
internal unsafe struct StagedStream
{
    /// <summary>Bytes a caller allocates (on its stack) for the staging runs: <see cref="StreamingStore.StagingBytes"/>,
    /// up to 63 for the alignment, up to 4032 for the placement (<see cref="RunFor"/>), and two lines of slack for the
    /// lines <see cref="Write"/> loads past the staged bytes (never stored).</summary>
    public const int Allocation = StreamingStore.StagingBytes + 64 + 4032 + 128;

    /// <summary>The allocation's first 64-byte boundary.</summary>
    private readonly byte* _base;

    /// <summary>The last run's partial last line: lanes <c>[0, _carryBytes / 4)</c> are the bytes before <see cref="_next"/>.</summary>
    private Vector512<int> _carry;

    /// <summary>Where the last run ended (a run starting there continues it), or null.</summary>
    private byte* _next;

    /// <summary>Bytes of <see cref="_carry"/> not yet written (0 to 60, a multiple of 4).</summary>
    private int _carryBytes;

    /// <summary>A writer whose staging runs lie in <paramref name="allocation"/> (<see cref="Allocation"/> bytes).</summary>
    public StagedStream(byte* allocation) => _base = (byte*)(((nint)allocation + 63) & ~(nint)63);

    /// <summary>
    /// Where to build the run bound for <paramref name="destination"/>: a 64-byte aligned address in the allocation, half
    /// a page away from the destination's own page offset. A load whose address matches an earlier, still pending store
    /// in bits 11:0 waits for it (4 KiB aliasing); <see cref="Write"/> loads the run right after streaming the
    /// destination's lines before it, so a run placed at the destination's page offset waited on every line. Measured
    /// (Stopwatch, Zen 4, 2026-12-03, A1's backward, one staging address): 1.1 to 4.5 ms by the destination's page offset,
    /// against 1.0-1.2 ms with the run placed here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly byte* RunFor(void* destination) => _base + (((nint)destination + 2048 - (nint)_base) & 4032);

    /// <summary>
    /// Streams <paramref name="bytes"/> bytes (at most <see cref="StreamingStore.StagingBytes"/>) of
    /// <paramref name="staging"/> (the run <see cref="RunFor"/> gave for <paramref name="destination"/>) to
    /// <paramref name="destination"/>. Reads up to two lines past the last staged byte, inside the allocation's slack;
    /// those bytes are never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(byte* staging, void* destination, nint bytes)
    {
        byte* d = (byte*)destination;
        if (!Avx512F.IsSupported || (((nint)d | bytes) & 3) != 0 || bytes < 128)
        {
            Flush();
            StreamingStore.Copy(staging, d, bytes);
            return;
        }

        Debug.Assert(((nint)staging & 63) == 0 && bytes <= StreamingStore.StagingBytes, "an unaligned or oversized staging run");
        int delta = (int)((nint)d & 63);
        int head = (64 - delta) & 63;
        Vector512<int> current = Vector512.LoadAligned((int*)staging);
        if (head != 0)
        {
            if (d == _next && _carryBytes == delta)
            {
                // The line at d - delta: the carry's delta bytes, then this run's first head bytes.
                Vector512<int> lanes = Vector512<int>.Indices;
                Vector512<int> join = Vector512.ConditionalSelect(Vector512.LessThan(lanes, Vector512.Create(delta >> 2)), lanes, lanes + Vector512.Create(16 - (delta >> 2)));
                Avx512F.StoreAlignedNonTemporal((int*)(d - delta), Avx512F.PermuteVar16x32x2(_carry, join, current));
                _carryBytes = 0;
            }
            else
            {
                Flush();
                Buffer.MemoryCopy(staging, d, head, head);
            }
        }
        else
        {
            Flush();
        }

        // Destination line k after the head is staging bytes [head + 64k, head + 64k + 64): lanes head/4 on of staging
        // line k, then the first lanes of line k + 1.
        Vector512<int> index = Vector512<int>.Indices + Vector512.Create(head >> 2);
        nint lines = (bytes - head) >> 6;
        byte* target = d + head;
        for (nint k = 0; k < lines; k++)
        {
            Vector512<int> next = Vector512.LoadAligned((int*)(staging + ((k + 1) << 6)));
            Avx512F.StoreAlignedNonTemporal((int*)(target + (k << 6)), Avx512F.PermuteVar16x32x2(current, index, next));
            current = next;
        }

        int rest = (int)(bytes - head - (lines << 6));
        _next = d + bytes;
        _carryBytes = rest;
        if (rest > 0)
        {
            _carry = Avx512F.PermuteVar16x32x2(current, index, Vector512.LoadAligned((int*)(staging + ((lines + 1) << 6))));
        }
    }

    /// <summary>Ends the thread's share: writes the carried partial line, then orders every streaming store before the
    /// stores after it (<see cref="StreamingStore.Fence"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish()
    {
        Flush();
        StreamingStore.Fence();
    }

    /// <summary>Writes the carried partial line, if any, with a masked plain store (only its own bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Flush()
    {
        if (_carryBytes > 0)
        {
            if (Avx512F.IsSupported)
            {
                Vector512<int> mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(_carryBytes >> 2));
                Avx512F.MaskStore((int*)(_next - _carryBytes), mask, _carry);
            }

            _carryBytes = 0;
        }

        _next = null;
    }
}
