using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// A vector of 8 <see cref="Half"/> elements in 16-bit lanes as the max-pooling kernel carries them: the order key of
/// each (<see cref="HalfKey"/>), which the compares read, and the element's own bits, which the selects carry beside it
/// so that the store writes the chosen cell bit for bit. The tap code travels in the key half of an index vector.
/// </summary>
internal readonly struct HalfLanes128
{
    /// <summary>Order keys (signed 16-bit), or a compare mask, or tap codes.</summary>
    public readonly Vector128<ushort> Key;

    /// <summary>The elements' bits (or the same mask).</summary>
    public readonly Vector128<ushort> Bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HalfLanes128(Vector128<ushort> key, Vector128<ushort> bits) => (Key, Bits) = (key, bits);
}

/// <summary>
/// The 128-bit width of <see cref="ISimd{TSelf, TVector, T}"/> for <see cref="Half"/> (<c>Vector128&lt;Half&gt;</c> is not
/// supported): 8 elements in 16-bit lanes, compared through their order keys, carried with their bits, the arg-max
/// as tap codes like the other 16-bit elements (see <see cref="HalfKey"/> for why not widened to float). Generic in
/// <typeparamref name="T"/> only so that <see cref="SimdDispatch.RunLanes{T, TBody}"/> can name it; it is always Half.
/// </summary>
/// <remarks>Only the members the pooling kernel's tap-code path uses are implemented; arithmetic, offset-index and
/// masked or interleaved memory members throw.</remarks>
internal readonly unsafe struct HalfSimd128<T> : ISimd<HalfSimd128<T>, HalfLanes128, T>
    where T : unmanaged
{
    public static int Count => Vector128<ushort>.Count;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    public static int Registers => Simd128<ushort>.Registers;

    public static HalfLanes128 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 Create(T value) => Keyed(Vector128.Create(Unsafe.BitCast<T, ushort>(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 Load(T* source) => Keyed(Vector128.Load((ushort*)source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(HalfLanes128 value, T* destination) => value.Bits.Store((ushort*)destination);

    /// <summary>Key order: the Half rule for non-NaN values, and never greater than a NaN (whose key is the top).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 GreaterThan(HalfLanes128 left, HalfLanes128 right)
        => Mask(Vector128.GreaterThan(left.Key.AsInt16(), right.Key.AsInt16()).AsUInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 IsNaN(HalfLanes128 value) => Mask(NaNs(value.Bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 Or(HalfLanes128 left, HalfLanes128 right) => new(left.Key | right.Key, left.Bits | right.Bits);

    public static HalfLanes128 Add(HalfLanes128 left, HalfLanes128 right) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes128 MultiplyAdd(HalfLanes128 a, HalfLanes128 b, HalfLanes128 c) => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 ConditionalSelect(HalfLanes128 mask, HalfLanes128 whenTrue, HalfLanes128 whenFalse)
        => new(Vector128.ConditionalSelect(mask.Key, whenTrue.Key, whenFalse.Key), Vector128.ConditionalSelect(mask.Bits, whenTrue.Bits, whenFalse.Bits));

    /// <summary>A tap code in every lane (in both halves: the selects treat index vectors as they treat values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 CreateIndex(long value)
    {
        Vector128<ushort> code = Vector128.Create((ushort)value);
        return new(code, code);
    }

    public static HalfLanes128 IndexRamp(long start, long step) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes128 AddIndex(HalfLanes128 left, HalfLanes128 right) => throw HalfKey.NotForHalfLanes();

    public static void StoreIndex<TIndex>(HalfLanes128 index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex<TIndex>(HalfLanes128 codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => SimdLanes.StoreTapIndex128(codes.Key, destination, decode);

    public static HalfLanes128 LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotForHalfLanes();

    public static HalfLanes128 EqualsIndex(HalfLanes128 left, HalfLanes128 right) => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out HalfLanes128 even, out HalfLanes128 odd)
    {
        SimdLanes.LoadDeinterleave128((ushort*)source, out Vector128<ushort> e, out Vector128<ushort> o);
        even = Keyed(e);
        odd = Keyed(o);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes128 LoadStrided(T* source, int stride)
        => Keyed(SimdFallback.LoadStrided<Vector128<ushort>, ushort>((ushort*)source, stride, Count));

    public static void StoreInterleave(HalfLanes128 a, HalfLanes128 b, T* destination) => throw HalfKey.NotForHalfLanes();

    public static void Interleave(HalfLanes128 a, HalfLanes128 b, out HalfLanes128 lower, out HalfLanes128 upper) => throw HalfKey.NotForHalfLanes();

    public static void Deinterleave(HalfLanes128 lower, HalfLanes128 upper, out HalfLanes128 even, out HalfLanes128 odd) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes128 LaneMask(int lo, int hi) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes128 LoadMasked(T* source, HalfLanes128 mask) => throw HalfKey.NotForHalfLanes();

    public static void StoreMasked(HalfLanes128 value, T* destination, HalfLanes128 mask) => throw HalfKey.NotForHalfLanes();

    /// <summary>The bits with their order keys: the vector form of <see cref="HalfKey.Key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HalfLanes128 Keyed(Vector128<ushort> bits)
    {
        Vector128<short> sign = bits.AsInt16() >> 15;
        Vector128<short> magnitude = (bits & Vector128.Create((ushort)0x7FFF)).AsInt16();
        Vector128<short> key = Vector128.ConditionalSelect(NaNs(bits).AsInt16(), Vector128.Create(short.MaxValue), (magnitude ^ sign) - sign);
        return new(key.AsUInt16(), bits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> NaNs(Vector128<ushort> bits)
        => Vector128.GreaterThan((bits & Vector128.Create((ushort)0x7FFF)).AsInt16(), Vector128.Create((short)HalfKey.Infinity)).AsUInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HalfLanes128 Mask(Vector128<ushort> mask) => new(mask, mask);
}
