using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>Which member of the fixed-position unpooling family a call runs.</summary>
internal enum BlockUnpoolMode
{
    /// <summary><c>y[i*k + a] = x[i]</c> for one fixed in-block offset <c>a</c>.</summary>
    Fixed,

    /// <summary>Every cell of block <c>i</c> gets <c>x[i]</c> (nearest-neighbour upsampling).</summary>
    Repeat,

    /// <summary>Like <see cref="Fixed"/> with a seeded pseudo-random offset per block.</summary>
    Random,
}

/// <summary>
/// Which tap of its block each input cell's value goes to, for <see cref="BlockKernel"/>: the two flags are JIT-time
/// constants, so each operator compiles to its own writer with no branch on the operator in the loop.
/// </summary>
internal interface ITapCode<TSelf>
    where TSelf : struct, ITapCode<TSelf>
{
    /// <summary>Whether the tap varies per cell (then <see cref="Codes"/> supplies it); otherwise it is the plan's fixed tap.</summary>
    static abstract bool PerCell { get; }

    /// <summary>Whether every tap of the block gets the value (repeat).</summary>
    static abstract bool Every { get; }

    /// <summary>
    /// The codes of cells <c>[first, first + n)</c> of block row (<paramref name="plane"/>, <paramref name="ih"/>), at
    /// <typeparamref name="TLanes"/>'s code width: in <paramref name="scratch"/> (<c>2 * ChunkCells</c> ulongs) or,
    /// when the operator's own buffer already holds them at that width, there.
    /// </summary>
    unsafe void* Codes<TLanes, TVector, TE>(int plane, int ih, int first, int n, ulong* scratch, in BlockKernel.Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged;
}

/// <summary>One tap for every cell: the plan's <see cref="BlockKernel.Plan.FixedTap"/> (fixed unpooling, zero insertion).</summary>
internal readonly struct FixedCode : ITapCode<FixedCode>
{
    public static bool PerCell => false;

    public static bool Every => false;

    public unsafe void* Codes<TLanes, TVector, TE>(int plane, int ih, int first, int n, ulong* scratch, in BlockKernel.Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        => null;
}

/// <summary>Every tap of the block (repeat unpooling).</summary>
internal readonly struct AllTaps : ITapCode<AllTaps>
{
    public static bool PerCell => false;

    public static bool Every => true;

    public unsafe void* Codes<TLanes, TVector, TE>(int plane, int ih, int first, int n, ulong* scratch, in BlockKernel.Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
        => null;
}

/// <summary>
/// Tap numbers <c>a*KW + b</c> read from a buffer of <c>[planes, H, W]</c> (validated: each below <c>KH*KW</c>), in any
/// index type: the in-window switches, and the dense argmax unpooling's codes.
/// </summary>
internal readonly unsafe struct TapCode<TIndex>(TIndex* taps) : ITapCode<TapCode<TIndex>>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    public static bool PerCell => true;

    public static bool Every => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void* Codes<TLanes, TVector, TE>(int plane, int ih, int first, int n, ulong* scratch, in BlockKernel.Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
    {
        // plane is the input slice (plane * D + depth in a 3-D plan, D = 1 in 2-D): the buffer holds Planes * D slices.
        TIndex* t = taps + ((((nint)plane * p.H) + ih) * p.W) + first;
        Debug.Assert(Bounds.Within(t, n, taps, (long)p.Planes * p.D * p.H * p.W), "taps outside the tap buffer");
        Debug.Assert(n <= BlockKernel.ChunkCells, "more codes than the scratch holds");
        if (BlockKernel.CodeBytes<TLanes, TE>() == 1 && IndexValue.Is8Bit<TIndex>())
        {
            // Validated taps lie in [0, KH*KW), so a byte index is its own code. The writer only compares codes with
            // tap numbers, so one a racing caller changed since validation selects no cell or another cell of the same
            // block: never a write outside it.
            return t;
        }

        // Byte codes saturate rather than truncate: a tap a racing caller moved past 255 (or below 0) since validation
        // must not wrap onto a real tap (0x103 would become tap 3); 255 is no tap of a block below 256 taps, and of a
        // 16x16 one its own last cell. 64-bit codes are exact, and an out-of-range one matches no tap.
        ulong ceiling = BlockKernel.CodeBytes<TLanes, TE>() == 1 ? byte.MaxValue : ulong.MaxValue;
        for (int i = 0; i < n; i++)
        {
            BlockKernel.WriteCode<TLanes, TE>(scratch, i, (long)Math.Min((ulong)IndexValue.Read(t[i]), ceiling));
        }

        return scratch;
    }
}

/// <summary>
/// The seeded offsets of <c>RandomUnpool2D</c> (the formula in its remarks, pinned by tests): each cell's tap is hashed
/// once per block row, a vector of cells at a time, and serves every output row of its block.
/// </summary>
/// <param name="seed">The caller's seed.</param>
/// <param name="planeBase">The number of the first plane of the run in its whole tensor (a TensorSpan past a span's
/// reach is unpooled by runs of samples): the hash takes the plane's number in the whole tensor, so the offsets never
/// depend on the split.</param>
internal readonly struct RandomCode(ulong seed, long planeBase = 0) : ITapCode<RandomCode>
{
    public static bool PerCell => true;

    public static bool Every => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void* Codes<TLanes, TVector, TE>(int plane, int ih, int first, int n, ulong* scratch, in BlockKernel.Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
    {
        Debug.Assert(n <= BlockKernel.ChunkCells, "more codes than the scratch holds");
        ulong z = unchecked(BlockKernel.RowHashInput(seed, planeBase + plane, ih, p) + ((ulong)first * BlockKernel.Golden));
        BlockKernel.HashTaps(scratch, n, z, p.KDH, p.KW, BlockKernel.CodeBytes<TLanes, TE>());
        return scratch;
    }
}

/// <summary>The hash of <see cref="RandomCode"/> and the code-width conversions.</summary>
internal static unsafe partial class BlockKernel
{
    /// <summary>SplitMix64's increment: cell <c>b</c>'s hash input is <c>seed + (b + 1) * Golden</c>.</summary>
    internal const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>
    /// The hash input of the first cell of input row <paramref name="row"/> of <paramref name="plane"/>:
    /// <c>seed + (b + 1) * Golden</c> with <c>b = (plane*H + row)*W</c>; the cell <c>column</c> columns further has
    /// that plus <c>column * Golden</c> (all wrapping), so a row needs one multiply, not one per cell.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong RowHashInput(ulong seed, long plane, int row, in Plan p)
        => unchecked(seed + (((((ulong)plane * (ulong)p.H) + (ulong)row) * (ulong)p.W) + 1) * Golden);

    /// <summary>The SplitMix64 finalizer of the documented formula.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>The tap <c>offsetH * kw + offsetW</c> of a mixed hash <paramref name="h"/> (the documented scaling).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Tap(ulong h, int kh, int kw)
        => ((((h & 0xFFFFFFFFUL) * (ulong)kh) >> 32) * (ulong)kw) + (((h >> 32) * (ulong)kw) >> 32);

    /// <summary>
    /// Taps of <paramref name="count"/> consecutive cells whose first hash input is <paramref name="z"/>, as codes of
    /// <paramref name="bytes"/> (1 or 8) at <paramref name="taps"/>: whole vectors (so up to 64 codes past
    /// <paramref name="count"/>, which the buffer must hold as 64-bit values), the same bits as <see cref="Mix"/> and
    /// <see cref="Tap"/> cell by cell. Power-of-two factors scale by a shift (exact: <c>(v * 2^k) &gt;&gt; 32</c> is
    /// <c>v &gt;&gt; (32 - k)</c> for 32-bit <c>v</c>).
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    internal static void HashTaps(ulong* taps, int count, ulong z, int kh, int kw, int bytes) => HashTapsInlined(taps, count, z, kh, kw, bytes);

    /// <summary>
    /// <see cref="HashTaps"/>'s body, inlined where a caller hashes many short runs (every channel of a channels-last
    /// row, <see cref="HashChannelTaps"/>): a call per channel cost the channels-last random rows 7% in a probe.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void HashTapsInlined(ulong* taps, int count, ulong z, int kh, int kw, int bytes)
    {
        // Powers of two: offsetH is the top lh bits of the low half, offsetW the top lw bits of the high half, so
        // tap = ((h >> (32 - lh - lw)) & ((kh - 1) << lw)) | (h >> (64 - lw)) (a shift by 64 gives 0 in the vector units).
        int lh = BitOperations.Log2((uint)kh), lw = BitOperations.Log2((uint)kw);
        bool shifts = BitOperations.IsPow2(kh) && BitOperations.IsPow2(kw) && lh + lw <= 32;
        int sh = 32 - lh, sw = 32 - lw;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            Vector512<ulong> lanes = Vector512.Create(z) + (Vector512<ulong>.Indices * Golden);
            Vector512<ulong> step = Vector512.Create(unchecked(Golden * (ulong)Vector512<ulong>.Count));
            Vector128<ulong> rowShift = Vector128.CreateScalar((ulong)(32 - lh - lw)), columnShift = Vector128.CreateScalar((ulong)(64 - lw));
            Vector512<ulong> rowMask = Vector512.Create((ulong)(kh - 1) << lw), factorH = Vector512.Create((ulong)kh), factorW = Vector512.Create((ulong)kw);
            for (; i < count; i += Vector512<ulong>.Count, lanes += step)
            {
                Vector512<ulong> h = lanes ^ (lanes >>> 30);
                h *= 0xBF58476D1CE4E5B9UL;
                h ^= h >>> 27;
                h *= 0x94D049BB133111EBUL;
                h ^= h >>> 31;
                Vector512<ulong> tap = shifts
                    ? (Avx512F.ShiftRightLogical(h, rowShift) & rowMask) | Avx512F.ShiftRightLogical(h, columnShift)
                    : ((Avx512F.Multiply(h.AsUInt32(), factorH.AsUInt32()) >>> 32) * factorW) + (((h >>> 32) * factorW) >>> 32);
                if (bytes == 1)
                {
                    BlockLanes512<ulong>.StoreCode(tap, (byte*)taps + i);
                }
                else
                {
                    tap.Store(taps + i);
                }
            }

            return;
        }

        if (Vector.IsHardwareAccelerated)
        {
            Vector<ulong> lanes = new Vector<ulong>(z) + (Vector<ulong>.Indices * Golden);
            Vector<ulong> step = new(unchecked(Golden * (ulong)Vector<ulong>.Count));
            Vector<ulong> low = new(0xFFFFFFFFUL);
            for (; i < count; i += Vector<ulong>.Count, lanes += step)
            {
                Vector<ulong> h = lanes ^ (lanes >>> 30);
                h *= 0xBF58476D1CE4E5B9UL;
                h ^= h >>> 27;
                h *= 0x94D049BB133111EBUL;
                h ^= h >>> 31;
                Vector<ulong> tap = shifts
                    ? (((h & low) >>> sh) << lw) | ((h >>> 32) >>> sw)
                    : ((((h & low) * (ulong)kh) >>> 32) * (ulong)kw) + (((h >>> 32) * (ulong)kw) >>> 32);
                tap.Store(taps + i);
            }

            if (bytes == 1)
            {
                NarrowCodes(taps, count);
            }

            return;
        }

        for (; i < count; i++, z = unchecked(z + Golden))
        {
            WriteCode(taps, i, Tap(Mix(z), kh, kw), bytes);
        }
    }

    /// <summary>
    /// Narrows the first <paramref name="count"/> 64-bit codes of <paramref name="codes"/> in place to bytes: whole
    /// groups of vectors, so the buffer must hold <paramref name="count"/> rounded up to 64 codes (those past
    /// <paramref name="count"/> are read, not used). Each step reads a group before it writes a smaller one at or
    /// before it, so in place is safe.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void NarrowCodes(ulong* codes, int count)
    {
        int n = (count + 63) & ~63;
        uint* c32 = (uint*)codes;
        for (int i = 0; i < n; i += 2 * Vector<ulong>.Count)
        {
            Vector.Narrow(Vector.Load(codes + i), Vector.Load(codes + i + Vector<ulong>.Count)).Store(c32 + i);
        }

        ushort* c16 = (ushort*)codes;
        for (int i = 0; i < n; i += 2 * Vector<uint>.Count)
        {
            Vector.Narrow(Vector.Load(c32 + i), Vector.Load(c32 + i + Vector<uint>.Count)).Store(c16 + i);
        }

        byte* c8 = (byte*)codes;
        for (int i = 0; i < n; i += 2 * Vector<ushort>.Count)
        {
            Vector.Narrow(Vector.Load(c16 + i), Vector.Load(c16 + i + Vector<ushort>.Count)).Store(c8 + i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteCode(ulong* codes, int i, ulong tap, int bytes)
    {
        if (bytes == 1)
        {
            ((byte*)codes)[i] = (byte)tap;
        }
        else
        {
            codes[i] = tap;
        }
    }
}
