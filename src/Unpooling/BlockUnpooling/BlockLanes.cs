using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// One vector width of <see cref="BlockKernel"/>, over the storage bits of the element (<see cref="byte"/>,
/// <see cref="ushort"/>, <see cref="uint"/> or <see cref="ulong"/> lanes: the block family only moves data, so every
/// element type whose zero is all-zero bits runs here as the unsigned integer of its size). Separate from
/// <see cref="ISimd{TSelf, TVector, T}"/>, whose members compute in <see cref="float"/>/<see cref="double"/> lanes:
/// everything here is bitwise, so it is right for any element type.
/// </summary>
/// <remarks>
/// Tap codes travel in the same lanes as the values (a code is the tap number <c>a*KW + b</c> as a lane-wide unsigned
/// integer), so a code compare gives the select mask of the value lane beside it.
/// </remarks>
internal interface IBlockLanes<TSelf, TVector, TE>
    where TSelf : struct, IBlockLanes<TSelf, TVector, TE>
    where TVector : struct
    where TE : unmanaged
{
    /// <summary>Lanes per vector; <see cref="NoLanes{TE}"/> reports a count no row reaches, so only its scalar code runs.</summary>
    static abstract int Count { get; }

    static abstract TVector AllBits { get; }

    static abstract TVector Zero { get; }

    /// <summary>Every lane holds tap number <paramref name="tap"/> (which fits the lane: the dispatch checks it).</summary>
    static abstract TVector CreateCode(long tap);

    static abstract unsafe TVector Load(TE* source);

    static abstract unsafe void Store(TVector value, TE* destination);

    static abstract TVector And(TVector left, TVector right);

    /// <summary>All-ones lanes where the lanes are equal (as integers).</summary>
    static abstract TVector EqualsCode(TVector left, TVector right);

    /// <summary><c>a0 b0 a1 b1 ...</c>: <paramref name="lower"/> holds the first <c>Count</c> elements.</summary>
    static abstract void Zip(TVector a, TVector b, out TVector lower, out TVector upper);
}

/// <summary>The scalar path: no vector at all (its members are never called; <see cref="Count"/> keeps every row scalar).</summary>
internal readonly struct NoLanes<TE> : IBlockLanes<NoLanes<TE>, TE, TE>
    where TE : unmanaged
{
    public static int Count => 1 << 30;

    public static TE AllBits => default;

    public static TE Zero => default;

    public static TE CreateCode(long tap) => default;

    public static unsafe TE Load(TE* source) => *source;

    public static unsafe void Store(TE value, TE* destination) => *destination = value;

    public static TE And(TE left, TE right) => left;

    public static TE EqualsCode(TE left, TE right) => left;

    public static void Zip(TE a, TE b, out TE lower, out TE upper) => (lower, upper) = (a, b);
}

/// <summary>Software shuffles for the widths the hardware lacks (tests run every width on any CPU).</summary>
internal static class BlockLanesFallback
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zip<TVector, TS>(TVector a, TVector b, out TVector lower, out TVector upper, int count)
        where TVector : unmanaged
        where TS : unmanaged
    {
        Unsafe.SkipInit(out lower);
        Unsafe.SkipInit(out upper);
        ref TS ra = ref Unsafe.As<TVector, TS>(ref a);
        ref TS rb = ref Unsafe.As<TVector, TS>(ref b);
        ref TS lo = ref Unsafe.As<TVector, TS>(ref lower);
        ref TS hi = ref Unsafe.As<TVector, TS>(ref upper);
        int half = count / 2;
        for (int i = 0; i < half; i++)
        {
            Unsafe.Add(ref lo, 2 * i) = Unsafe.Add(ref ra, i);
            Unsafe.Add(ref lo, (2 * i) + 1) = Unsafe.Add(ref rb, i);
            Unsafe.Add(ref hi, 2 * i) = Unsafe.Add(ref ra, half + i);
            Unsafe.Add(ref hi, (2 * i) + 1) = Unsafe.Add(ref rb, half + i);
        }
    }
}

/// <summary>The 128-bit width of <see cref="IBlockLanes{TSelf, TVector, TE}"/>.</summary>
internal readonly unsafe struct BlockLanes128<TS> : IBlockLanes<BlockLanes128<TS>, Vector128<TS>, TS>
    where TS : unmanaged, IBinaryInteger<TS>, IUnsignedNumber<TS>
{
    public static int Count => Vector128<TS>.Count;

    public static Vector128<TS> AllBits => Vector128<TS>.AllBitsSet;

    public static Vector128<TS> Zero => Vector128<TS>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> CreateCode(long tap) => Vector128.Create(TS.CreateTruncating(tap));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> Load(TS* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<TS> value, TS* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> And(Vector128<TS> left, Vector128<TS> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> EqualsCode(Vector128<TS> left, Vector128<TS> right) => Vector128.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zip(Vector128<TS> a, Vector128<TS> b, out Vector128<TS> lower, out Vector128<TS> upper)
    {
        if (Sse2.IsSupported)
        {
            if (sizeof(TS) == 1)
            {
                lower = Sse2.UnpackLow(a.AsByte(), b.AsByte()).As<byte, TS>();
                upper = Sse2.UnpackHigh(a.AsByte(), b.AsByte()).As<byte, TS>();
            }
            else if (sizeof(TS) == 2)
            {
                lower = Sse2.UnpackLow(a.AsUInt16(), b.AsUInt16()).As<ushort, TS>();
                upper = Sse2.UnpackHigh(a.AsUInt16(), b.AsUInt16()).As<ushort, TS>();
            }
            else if (sizeof(TS) == 4)
            {
                lower = Sse2.UnpackLow(a.AsUInt32(), b.AsUInt32()).As<uint, TS>();
                upper = Sse2.UnpackHigh(a.AsUInt32(), b.AsUInt32()).As<uint, TS>();
            }
            else
            {
                lower = Sse2.UnpackLow(a.AsUInt64(), b.AsUInt64()).As<ulong, TS>();
                upper = Sse2.UnpackHigh(a.AsUInt64(), b.AsUInt64()).As<ulong, TS>();
            }

            return;
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            if (sizeof(TS) == 1)
            {
                lower = AdvSimd.Arm64.ZipLow(a.AsByte(), b.AsByte()).As<byte, TS>();
                upper = AdvSimd.Arm64.ZipHigh(a.AsByte(), b.AsByte()).As<byte, TS>();
            }
            else if (sizeof(TS) == 2)
            {
                lower = AdvSimd.Arm64.ZipLow(a.AsUInt16(), b.AsUInt16()).As<ushort, TS>();
                upper = AdvSimd.Arm64.ZipHigh(a.AsUInt16(), b.AsUInt16()).As<ushort, TS>();
            }
            else if (sizeof(TS) == 4)
            {
                lower = AdvSimd.Arm64.ZipLow(a.AsUInt32(), b.AsUInt32()).As<uint, TS>();
                upper = AdvSimd.Arm64.ZipHigh(a.AsUInt32(), b.AsUInt32()).As<uint, TS>();
            }
            else
            {
                lower = AdvSimd.Arm64.ZipLow(a.AsUInt64(), b.AsUInt64()).As<ulong, TS>();
                upper = AdvSimd.Arm64.ZipHigh(a.AsUInt64(), b.AsUInt64()).As<ulong, TS>();
            }

            return;
        }

        BlockLanesFallback.Zip<Vector128<TS>, TS>(a, b, out lower, out upper, Count);
    }
}

/// <summary>The 256-bit width of <see cref="IBlockLanes{TSelf, TVector, TE}"/>.</summary>
internal readonly unsafe struct BlockLanes256<TS> : IBlockLanes<BlockLanes256<TS>, Vector256<TS>, TS>
    where TS : unmanaged, IBinaryInteger<TS>, IUnsignedNumber<TS>
{
    public static int Count => Vector256<TS>.Count;

    public static Vector256<TS> AllBits => Vector256<TS>.AllBitsSet;

    public static Vector256<TS> Zero => Vector256<TS>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> CreateCode(long tap) => Vector256.Create(TS.CreateTruncating(tap));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> Load(TS* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<TS> value, TS* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> And(Vector256<TS> left, Vector256<TS> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> EqualsCode(Vector256<TS> left, Vector256<TS> right) => Vector256.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zip(Vector256<TS> a, Vector256<TS> b, out Vector256<TS> lower, out Vector256<TS> upper)
    {
        if (Avx2.IsSupported)
        {
            // In-lane unpacks give [zip of the low halves of each 128-bit lane | of the high halves]; the lane
            // permutes put the four quarters in order.
            Vector256<byte> low, high;
            if (sizeof(TS) == 1)
            {
                (low, high) = (Avx2.UnpackLow(a.AsByte(), b.AsByte()), Avx2.UnpackHigh(a.AsByte(), b.AsByte()));
            }
            else if (sizeof(TS) == 2)
            {
                (low, high) = (Avx2.UnpackLow(a.AsUInt16(), b.AsUInt16()).AsByte(), Avx2.UnpackHigh(a.AsUInt16(), b.AsUInt16()).AsByte());
            }
            else if (sizeof(TS) == 4)
            {
                (low, high) = (Avx2.UnpackLow(a.AsUInt32(), b.AsUInt32()).AsByte(), Avx2.UnpackHigh(a.AsUInt32(), b.AsUInt32()).AsByte());
            }
            else
            {
                (low, high) = (Avx2.UnpackLow(a.AsUInt64(), b.AsUInt64()).AsByte(), Avx2.UnpackHigh(a.AsUInt64(), b.AsUInt64()).AsByte());
            }

            lower = Avx2.Permute2x128(low, high, 0x20).As<byte, TS>();
            upper = Avx2.Permute2x128(low, high, 0x31).As<byte, TS>();
            return;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            BlockLanes128<TS>.Zip(a.GetLower(), b.GetLower(), out Vector128<TS> l0, out Vector128<TS> l1);
            BlockLanes128<TS>.Zip(a.GetUpper(), b.GetUpper(), out Vector128<TS> h0, out Vector128<TS> h1);
            lower = Vector256.Create(l0, l1);
            upper = Vector256.Create(h0, h1);
            return;
        }

        BlockLanesFallback.Zip<Vector256<TS>, TS>(a, b, out lower, out upper, Count);
    }
}

/// <summary>The 512-bit width of <see cref="IBlockLanes{TSelf, TVector, TE}"/>.</summary>
internal readonly unsafe struct BlockLanes512<TS> : IBlockLanes<BlockLanes512<TS>, Vector512<TS>, TS>
    where TS : unmanaged, IBinaryInteger<TS>, IUnsignedNumber<TS>
{
    public static int Count => Vector512<TS>.Count;

    public static Vector512<TS> AllBits => Vector512<TS>.AllBitsSet;

    public static Vector512<TS> Zero => Vector512<TS>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> CreateCode(long tap) => Vector512.Create(TS.CreateTruncating(tap));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> Load(TS* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<TS> value, TS* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> And(Vector512<TS> left, Vector512<TS> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> EqualsCode(Vector512<TS> left, Vector512<TS> right) => Vector512.Equals(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Zip(Vector512<TS> a, Vector512<TS> b, out Vector512<TS> lower, out Vector512<TS> upper)
    {
        if (Avx512F.IsSupported)
        {
            // Two-table permutes: lane i of the result takes a[i/2] (even i) or b[i/2] (odd i; b is the second table).
            if (sizeof(TS) == 4)
            {
                Vector512<uint> low = (Vector512<uint>.Indices >>> 1) + ((Vector512<uint>.Indices & Vector512<uint>.One) << 4);
                lower = Avx512F.PermuteVar16x32x2(a.AsUInt32(), low, b.AsUInt32()).As<uint, TS>();
                upper = Avx512F.PermuteVar16x32x2(a.AsUInt32(), low + Vector512.Create(8u), b.AsUInt32()).As<uint, TS>();
                return;
            }

            if (sizeof(TS) == 8)
            {
                Vector512<ulong> low = (Vector512<ulong>.Indices >>> 1) + ((Vector512<ulong>.Indices & Vector512<ulong>.One) << 3);
                lower = Avx512F.PermuteVar8x64x2(a.AsUInt64(), low, b.AsUInt64()).As<ulong, TS>();
                upper = Avx512F.PermuteVar8x64x2(a.AsUInt64(), low + Vector512.Create(4UL), b.AsUInt64()).As<ulong, TS>();
                return;
            }

            if (sizeof(TS) == 2 && Avx512BW.IsSupported)
            {
                Vector512<ushort> low = (Vector512<ushort>.Indices >>> 1) + ((Vector512<ushort>.Indices & Vector512<ushort>.One) << 5);
                lower = Avx512BW.PermuteVar32x16x2(a.AsUInt16(), low, b.AsUInt16()).As<ushort, TS>();
                upper = Avx512BW.PermuteVar32x16x2(a.AsUInt16(), low + Vector512.Create((ushort)16), b.AsUInt16()).As<ushort, TS>();
                return;
            }

            if (sizeof(TS) == 1 && Avx512Vbmi.IsSupported)
            {
                Vector512<byte> low = (Vector512<byte>.Indices >>> 1) + ((Vector512<byte>.Indices & Vector512<byte>.One) << 6);
                lower = Avx512Vbmi.PermuteVar64x8x2(a.AsByte(), low, b.AsByte()).As<byte, TS>();
                upper = Avx512Vbmi.PermuteVar64x8x2(a.AsByte(), low + Vector512.Create((byte)32), b.AsByte()).As<byte, TS>();
                return;
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            BlockLanes256<TS>.Zip(a.GetLower(), b.GetLower(), out Vector256<TS> l0, out Vector256<TS> l1);
            BlockLanes256<TS>.Zip(a.GetUpper(), b.GetUpper(), out Vector256<TS> h0, out Vector256<TS> h1);
            lower = Vector512.Create(l0, l1);
            upper = Vector512.Create(h0, h1);
            return;
        }

        BlockLanesFallback.Zip<Vector512<TS>, TS>(a, b, out lower, out upper, Count);
    }
}
