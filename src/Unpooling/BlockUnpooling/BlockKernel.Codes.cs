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
        TIndex* t = taps + ((((nint)plane * p.H) + ih) * p.W) + first;
        int bytes = BlockKernel.CodeBytes<TLanes, TE>();
        // Validated taps lie in [0, KH*KW), so an index type of the code width holds the code's own bits.
        if (sizeof(TIndex) == bytes && (IndexValue.Is8Bit<TIndex>() || IndexValue.Is16Bit<TIndex>() || IndexValue.Is32Bit<TIndex>() || IndexValue.Is64Bit<TIndex>()))
        {
            return t;
        }

        int i = 0;
        if (IndexValue.Is8Bit<TIndex>() && Vector.IsHardwareAccelerated)
        {
            i = BlockKernel.WidenCodes((byte*)t, scratch, n, bytes);
        }

        for (; i < n; i++)
        {
            BlockKernel.WriteCode<TLanes, TE>(scratch, i, IndexValue.Read(t[i]));
        }

        return scratch;
    }
}

/// <summary>
/// The seeded offsets of <c>RandomUnpool2D</c> (the formula in its remarks, pinned by tests): each cell's tap is hashed
/// once per block row, a vector of cells at a time, and serves every output row of its block.
/// </summary>
internal readonly struct RandomCode(ulong seed) : ITapCode<RandomCode>
{
    public static bool PerCell => true;

    public static bool Every => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void* Codes<TLanes, TVector, TE>(int plane, int ih, int first, int n, ulong* scratch, in BlockKernel.Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TE>
        where TVector : struct
        where TE : unmanaged
    {
        ulong z = unchecked(BlockKernel.RowHashInput(seed, plane, ih, p) + ((ulong)first * BlockKernel.Golden));
        int bytes = BlockKernel.CodeBytes<TLanes, TE>();
        if (bytes == 8)
        {
            BlockKernel.HashTaps(scratch, n, z, p.KH, p.KW);
            return scratch;
        }

        // Whole groups of hashed cells (unused past n), narrowed in place to the code width.
        BlockKernel.HashTaps(scratch, (n + 63) & ~63, z, p.KH, p.KW);
        BlockKernel.NarrowCodes(scratch, n, sizeof(ulong), bytes);
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
    /// Taps of <paramref name="count"/> consecutive cells whose first hash input is <paramref name="z"/>, as 64-bit
    /// codes: whole vectors (so up to a vector past <paramref name="count"/>), the same bits as <see cref="Mix"/> and
    /// <see cref="Tap"/> cell by cell. Power-of-two factors scale by a shift (exact: <c>(v * 2^k) &gt;&gt; 32</c> is
    /// <c>v &gt;&gt; (32 - k)</c> for 32-bit <c>v</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void HashTaps(ulong* taps, int count, ulong z, int kh, int kw)
    {
        bool shifts = BitOperations.IsPow2(kh) && BitOperations.IsPow2(kw);
        int sh = 32 - BitOperations.Log2((uint)kh), sw = 32 - BitOperations.Log2((uint)kw), lw = BitOperations.Log2((uint)kw);
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<ulong> lanes = Vector512.Create(z) + (Vector512<ulong>.Indices * Golden);
            Vector512<ulong> step = Vector512.Create(unchecked(Golden * (ulong)Vector512<ulong>.Count));
            Vector512<ulong> low = Vector512.Create(0xFFFFFFFFUL);
            for (; i < count; i += Vector512<ulong>.Count, lanes += step)
            {
                Vector512<ulong> h = lanes ^ (lanes >>> 30);
                h *= 0xBF58476D1CE4E5B9UL;
                h ^= h >>> 27;
                h *= 0x94D049BB133111EBUL;
                h ^= h >>> 31;
                Vector512<ulong> tap = shifts
                    ? (((h & low) >>> sh) << lw) | ((h >>> 32) >>> sw)
                    : (((Avx512F.IsSupported ? Avx512F.Multiply(h.AsUInt32(), Vector512.Create((uint)kh)) : (h & low) * (ulong)kh) >>> 32) * (ulong)kw)
                      + (((h >>> 32) * (ulong)kw) >>> 32);
                tap.Store(taps + i);
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

            return;
        }

        for (; i < count; i++, z = unchecked(z + Golden))
        {
            taps[i] = Tap(Mix(z), kh, kw);
        }
    }

    /// <summary>
    /// Narrows the first <paramref name="count"/> codes of <paramref name="codes"/> in place from
    /// <paramref name="from"/> bytes (8 or 4) to <paramref name="to"/> bytes (4, 2 or 1) each: whole groups of vectors,
    /// so the buffer must hold <paramref name="count"/> rounded up to 64 codes of the source width (the codes past
    /// <paramref name="count"/> are read, not used). Each step reads a group before it writes a smaller one at or
    /// before it, so in place is safe.
    /// </summary>
    internal static void NarrowCodes(void* codes, int count, int from, int to)
    {
        int n = (count + 63) & ~63;
        if (!Vector.IsHardwareAccelerated)
        {
            for (int i = 0; i < count; i++)
            {
                ulong tap = from == 8 ? ((ulong*)codes)[i] : ((uint*)codes)[i];
                switch (to)
                {
                    case 1: ((byte*)codes)[i] = (byte)tap; break;
                    case 2: ((ushort*)codes)[i] = (ushort)tap; break;
                    default: ((uint*)codes)[i] = (uint)tap; break;
                }
            }

            return;
        }

        uint* c32 = (uint*)codes;
        if (from == 8)
        {
            ulong* c64 = (ulong*)codes;
            for (int i = 0; i < n; i += 2 * Vector<ulong>.Count)
            {
                Vector.Narrow(Vector.Load(c64 + i), Vector.Load(c64 + i + Vector<ulong>.Count)).Store(c32 + i);
            }
        }

        if (to == 4)
        {
            return;
        }

        ushort* c16 = (ushort*)codes;
        for (int i = 0; i < n; i += 2 * Vector<uint>.Count)
        {
            Vector.Narrow(Vector.Load(c32 + i), Vector.Load(c32 + i + Vector<uint>.Count)).Store(c16 + i);
        }

        if (to == 2)
        {
            return;
        }

        byte* c8 = (byte*)codes;
        for (int i = 0; i < n; i += 2 * Vector<ushort>.Count)
        {
            Vector.Narrow(Vector.Load(c16 + i), Vector.Load(c16 + i + Vector<ushort>.Count)).Store(c8 + i);
        }
    }

    /// <summary>
    /// Widens whole vectors of byte codes of <paramref name="source"/> (reading only <c>[0, count)</c>) into
    /// <paramref name="destination"/> at <paramref name="bytes"/> (2, 4 or 8) each; returns how many it converted.
    /// </summary>
    internal static int WidenCodes(byte* source, void* destination, int count, int bytes)
    {
        int i = 0;
        for (; i <= count - Vector<byte>.Count; i += Vector<byte>.Count)
        {
            Vector.Widen(Vector.Load(source + i), out Vector<ushort> a, out Vector<ushort> b);
            if (bytes == 2)
            {
                a.Store((ushort*)destination + i);
                b.Store((ushort*)destination + i + Vector<ushort>.Count);
                continue;
            }

            Vector.Widen(a, out Vector<uint> a0, out Vector<uint> a1);
            Vector.Widen(b, out Vector<uint> b0, out Vector<uint> b1);
            if (bytes == 4)
            {
                uint* d = (uint*)destination + i;
                int c = Vector<uint>.Count;
                a0.Store(d);
                a1.Store(d + c);
                b0.Store(d + (2 * c));
                b1.Store(d + (3 * c));
                continue;
            }

            ulong* q = (ulong*)destination + i;
            int k = Vector<ulong>.Count;
            Vector.Widen(a0, out Vector<ulong> w0, out Vector<ulong> w1);
            Vector.Widen(a1, out Vector<ulong> w2, out Vector<ulong> w3);
            Vector.Widen(b0, out Vector<ulong> w4, out Vector<ulong> w5);
            Vector.Widen(b1, out Vector<ulong> w6, out Vector<ulong> w7);
            w0.Store(q);
            w1.Store(q + k);
            w2.Store(q + (2 * k));
            w3.Store(q + (3 * k));
            w4.Store(q + (4 * k));
            w5.Store(q + (5 * k));
            w6.Store(q + (6 * k));
            w7.Store(q + (7 * k));
        }

        return i;
    }
}
