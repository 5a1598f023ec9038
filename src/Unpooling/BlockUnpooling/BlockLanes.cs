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
/// Tap codes (the tap number <c>a*KW + b</c>, below 256) are stored one byte per cell and zero-extended to the value
/// lanes as they load, so a code compare gives the select mask of the value lane beside it. The integer members
/// (<see cref="StoreCode"/>, <see cref="Ramp"/>, <see cref="Add"/>, <see cref="Subtract"/>, <see cref="LessThan"/>,
/// <see cref="LessThanAll"/>, <see cref="Min"/>, <see cref="ConditionalSelect"/>, <see cref="EqualsAny"/>) serve the
/// encoding of argmax indices into such codes, on the indices' own unsigned lanes.
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

    /// <summary><paramref name="value"/>'s lanes where <paramref name="codes"/> equals <paramref name="tap"/>, zero elsewhere.</summary>
    static abstract TVector SelectCode(TVector codes, TVector tap, TVector value);

    /// <summary>Reads <c>Count</c> one-byte codes (exactly <c>Count</c> bytes) zero-extended to lanes.</summary>
    static abstract unsafe TVector LoadCode(byte* codes);

    /// <summary>Stores the low byte of each lane (lanes hold codes below 256) as <c>Count</c> bytes.</summary>
    static abstract unsafe void StoreCode(TVector codes, byte* destination);

    /// <summary>Lane <c>i</c> holds <c>i * step</c> (wrapping to the lane width).</summary>
    static abstract TVector Ramp(long step);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Subtract(TVector left, TVector right);

    /// <summary>All-ones lanes where <paramref name="left"/> &lt; <paramref name="right"/> as unsigned integers.</summary>
    static abstract TVector LessThan(TVector left, TVector right);

    /// <summary>Whether every lane of <paramref name="left"/> is below its lane of <paramref name="right"/> (unsigned).</summary>
    static abstract bool LessThanAll(TVector left, TVector right);

    /// <summary>The unsigned minimum, lane by lane.</summary>
    static abstract TVector Min(TVector left, TVector right);

    static abstract TVector ConditionalSelect(TVector mask, TVector whenTrue, TVector whenFalse);

    /// <summary>Whether any lane of <paramref name="left"/> equals its lane of <paramref name="right"/>.</summary>
    static abstract bool EqualsAny(TVector left, TVector right);

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

    public static TE SelectCode(TE codes, TE tap, TE value) => value;

    public static unsafe TE LoadCode(byte* codes) => default;

    public static unsafe void StoreCode(TE codes, byte* destination)
    {
    }

    public static TE Ramp(long step) => default;

    public static TE Add(TE left, TE right) => left;

    public static TE Subtract(TE left, TE right) => left;

    public static TE LessThan(TE left, TE right) => left;

    public static TE Min(TE left, TE right) => left;

    public static bool LessThanAll(TE left, TE right) => false;

    public static TE ConditionalSelect(TE mask, TE whenTrue, TE whenFalse) => whenTrue;

    public static bool EqualsAny(TE left, TE right) => false;

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
    /// <summary>Stores the low byte of each of <paramref name="count"/> lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreCode<TVector, TS>(TVector codes, byte* destination, int count)
        where TVector : unmanaged
        where TS : unmanaged, IBinaryInteger<TS>
    {
        ref TS c = ref Unsafe.As<TVector, TS>(ref codes);
        for (int i = 0; i < count; i++)
        {
            destination[i] = byte.CreateTruncating(Unsafe.Add(ref c, i));
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
    public static Vector128<TS> LoadCode(byte* codes)
    {
        if (sizeof(TS) == 1)
        {
            return Vector128.Load(codes).As<byte, TS>();
        }

        // Exactly Count bytes: 8, 4 or 2, zero-extended level by level (pmovzx where the instruction set has it).
        if (sizeof(TS) == 2)
        {
            return Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(codes)).AsByte()).As<ushort, TS>();
        }

        Vector128<ushort> words = sizeof(TS) == 4
            ? Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(codes)).AsByte())
            : Vector128.WidenLower(Vector128.CreateScalar(Unsafe.ReadUnaligned<ushort>(codes)).AsByte());
        Vector128<uint> dwords = Vector128.WidenLower(words);
        return sizeof(TS) == 4 ? dwords.As<uint, TS>() : Vector128.WidenLower(dwords).As<ulong, TS>();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreCode(Vector128<TS> codes, byte* destination)
    {
        if (sizeof(TS) == 1)
        {
            codes.AsByte().Store(destination);
            return;
        }

        if (Avx512F.VL.IsSupported && (sizeof(TS) != 2 || Avx512BW.VL.IsSupported))
        {
            Vector128<byte> bytes = sizeof(TS) == 2 ? Avx512BW.VL.ConvertToVector128Byte(codes.AsUInt16())
                : sizeof(TS) == 4 ? Avx512F.VL.ConvertToVector128Byte(codes.AsUInt32())
                : Avx512F.VL.ConvertToVector128Byte(codes.AsUInt64());
            SimdLanes.StoreLowBytes(bytes, destination, Count);
            return;
        }

        BlockLanesFallback.StoreCode<Vector128<TS>, TS>(codes, destination, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> And(Vector128<TS> left, Vector128<TS> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> SelectCode(Vector128<TS> codes, Vector128<TS> tap, Vector128<TS> value) => Vector128.ConditionalSelect(Vector128.Equals(codes, tap), value, Vector128<TS>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> Ramp(long step) => Vector128<TS>.Indices * TS.CreateTruncating(step);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> Add(Vector128<TS> left, Vector128<TS> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> Subtract(Vector128<TS> left, Vector128<TS> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> LessThan(Vector128<TS> left, Vector128<TS> right) => Vector128.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> Min(Vector128<TS> left, Vector128<TS> right) => Vector128.Min(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LessThanAll(Vector128<TS> left, Vector128<TS> right) => Vector128.LessThanAll(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<TS> ConditionalSelect(Vector128<TS> mask, Vector128<TS> whenTrue, Vector128<TS> whenFalse) => Vector128.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EqualsAny(Vector128<TS> left, Vector128<TS> right) => Vector128.EqualsAny(left, right);

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
    public static Vector256<TS> LoadCode(byte* codes)
    {
        if (sizeof(TS) == 1)
        {
            return Vector256.Load(codes).As<byte, TS>();
        }

        if (Avx2.IsSupported)
        {
            // vpmovzx from exactly Count bytes (16, 8 or 4).
            return sizeof(TS) == 2 ? Avx2.ConvertToVector256Int16(Vector128.Load(codes)).As<short, TS>()
                : sizeof(TS) == 4 ? Avx2.ConvertToVector256Int32(Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(codes)).AsByte()).As<int, TS>()
                : Avx2.ConvertToVector256Int64(Vector128.CreateScalar(Unsafe.ReadUnaligned<uint>(codes)).AsByte()).As<long, TS>();
        }

        return Vector256.Create(BlockLanes128<TS>.LoadCode(codes), BlockLanes128<TS>.LoadCode(codes + (Count / 2)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreCode(Vector256<TS> codes, byte* destination)
    {
        if (sizeof(TS) == 1)
        {
            codes.AsByte().Store(destination);
            return;
        }

        if (Avx512F.VL.IsSupported && (sizeof(TS) != 2 || Avx512BW.VL.IsSupported))
        {
            Vector128<byte> bytes = sizeof(TS) == 2 ? Avx512BW.VL.ConvertToVector128Byte(codes.AsUInt16())
                : sizeof(TS) == 4 ? Avx512F.VL.ConvertToVector128Byte(codes.AsUInt32())
                : Avx512F.VL.ConvertToVector128Byte(codes.AsUInt64());
            SimdLanes.StoreLowBytes(bytes, destination, Count);
            return;
        }

        BlockLanesFallback.StoreCode<Vector256<TS>, TS>(codes, destination, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> And(Vector256<TS> left, Vector256<TS> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> SelectCode(Vector256<TS> codes, Vector256<TS> tap, Vector256<TS> value) => Vector256.ConditionalSelect(Vector256.Equals(codes, tap), value, Vector256<TS>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> Ramp(long step) => Vector256<TS>.Indices * TS.CreateTruncating(step);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> Add(Vector256<TS> left, Vector256<TS> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> Subtract(Vector256<TS> left, Vector256<TS> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> LessThan(Vector256<TS> left, Vector256<TS> right) => Vector256.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> Min(Vector256<TS> left, Vector256<TS> right) => Vector256.Min(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LessThanAll(Vector256<TS> left, Vector256<TS> right) => Vector256.LessThanAll(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<TS> ConditionalSelect(Vector256<TS> mask, Vector256<TS> whenTrue, Vector256<TS> whenFalse) => Vector256.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EqualsAny(Vector256<TS> left, Vector256<TS> right) => Vector256.EqualsAny(left, right);

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
    public static Vector512<TS> LoadCode(byte* codes)
    {
        if (sizeof(TS) == 1)
        {
            return Vector512.Load(codes).As<byte, TS>();
        }

        if (Avx512F.IsSupported && (sizeof(TS) != 2 || Avx512BW.IsSupported))
        {
            // vpmovzx from exactly Count bytes (32, 16 or 8).
            return sizeof(TS) == 2 ? Avx512BW.ConvertToVector512UInt16(Vector256.Load(codes)).As<ushort, TS>()
                : sizeof(TS) == 4 ? Avx512F.ConvertToVector512UInt32(Vector128.Load(codes)).As<uint, TS>()
                : Avx512F.ConvertToVector512UInt64(Vector128.CreateScalar(Unsafe.ReadUnaligned<ulong>(codes)).AsByte()).As<ulong, TS>();
        }

        return Vector512.Create(BlockLanes256<TS>.LoadCode(codes), BlockLanes256<TS>.LoadCode(codes + (Count / 2)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreCode(Vector512<TS> codes, byte* destination)
    {
        if (sizeof(TS) == 1)
        {
            codes.AsByte().Store(destination);
            return;
        }

        if (Avx512F.IsSupported && (sizeof(TS) != 2 || Avx512BW.IsSupported))
        {
            if (sizeof(TS) == 2)
            {
                Avx512BW.ConvertToVector256Byte(codes.AsUInt16()).Store(destination);
                return;
            }

            Vector128<byte> bytes = sizeof(TS) == 4 ? Avx512F.ConvertToVector128Byte(codes.AsUInt32()) : Avx512F.ConvertToVector128Byte(codes.AsUInt64());
            SimdLanes.StoreLowBytes(bytes, destination, Count);
            return;
        }

        BlockLanesFallback.StoreCode<Vector512<TS>, TS>(codes, destination, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> And(Vector512<TS> left, Vector512<TS> right) => left & right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> SelectCode(Vector512<TS> codes, Vector512<TS> tap, Vector512<TS> value) => Vector512.ConditionalSelect(Vector512.Equals(codes, tap), value, Vector512<TS>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> Ramp(long step) => Vector512<TS>.Indices * TS.CreateTruncating(step);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> Add(Vector512<TS> left, Vector512<TS> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> Subtract(Vector512<TS> left, Vector512<TS> right) => left - right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> LessThan(Vector512<TS> left, Vector512<TS> right) => Vector512.LessThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> Min(Vector512<TS> left, Vector512<TS> right) => Vector512.Min(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LessThanAll(Vector512<TS> left, Vector512<TS> right) => Vector512.LessThanAll(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<TS> ConditionalSelect(Vector512<TS> mask, Vector512<TS> whenTrue, Vector512<TS> whenFalse) => Vector512.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool EqualsAny(Vector512<TS> left, Vector512<TS> right) => Vector512.EqualsAny(left, right);

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
