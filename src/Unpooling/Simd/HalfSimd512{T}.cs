using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// A vector of 32 <see cref="Half"/> elements in 16-bit lanes as the max-pooling kernel carries them: the order key of
/// each (<see cref="HalfKey"/>), which the compares read, and the element's own bits, which the selects carry beside it
/// so that the store writes the chosen cell bit for bit. The tap code travels in the key half of an index vector.
/// </summary>
internal readonly struct HalfLanes512
{
    /// <summary>Order keys (signed 16-bit), or a compare mask, or tap codes.</summary>
    public readonly Vector512<ushort> Key;

    /// <summary>The elements' bits (or the same mask).</summary>
    public readonly Vector512<ushort> Bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HalfLanes512(Vector512<ushort> key, Vector512<ushort> bits) => (Key, Bits) = (key, bits);
}

/// <summary>
/// The 512-bit width of <see cref="ISimd{TSelf, TVector, T}"/> for <see cref="Half"/> (<c>Vector512&lt;Half&gt;</c> is not
/// supported): 32 elements in 16-bit lanes, compared through their order keys, carried with their bits, the arg-max
/// as tap codes like the other 16-bit elements (see <see cref="HalfKey"/> for why not widened to float). Generic in
/// <typeparamref name="T"/> only so that <see cref="SimdDispatch.RunLanes{T, TBody}"/> can name it; it is always Half.
/// </summary>
/// <remarks>Only the members the pooling kernel's tap-code path uses are implemented; arithmetic, offset-index and
/// masked or interleaved memory members throw.</remarks>
internal readonly unsafe struct HalfSimd512<T> : ISimd<HalfSimd512<T>, HalfLanes512, T>
    where T : unmanaged
{
    public static int Count => Vector512<ushort>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static int Registers => Simd512<ushort>.Registers;

    public static HalfLanes512 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 Create(T value) => Keyed(Vector512.Create(Unsafe.BitCast<T, ushort>(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 Load(T* source) => Keyed(Vector512.Load((ushort*)source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(HalfLanes512 value, T* destination) => value.Bits.Store((ushort*)destination);

    /// <summary>Key order: the Half rule for non-NaN values, and never greater than a NaN (whose key is the top).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 GreaterThan(HalfLanes512 left, HalfLanes512 right)
        => Mask(Vector512.GreaterThan(left.Key.AsInt16(), right.Key.AsInt16()).AsUInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 IsNaN(HalfLanes512 value) => Mask(NaNs(value.Bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 Or(HalfLanes512 left, HalfLanes512 right) => new(left.Key | right.Key, left.Bits | right.Bits);

    public static HalfLanes512 Add(HalfLanes512 left, HalfLanes512 right) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes512 MultiplyAdd(HalfLanes512 a, HalfLanes512 b, HalfLanes512 c) => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 ConditionalSelect(HalfLanes512 mask, HalfLanes512 whenTrue, HalfLanes512 whenFalse)
        => new(Vector512.ConditionalSelect(mask.Key, whenTrue.Key, whenFalse.Key), Vector512.ConditionalSelect(mask.Bits, whenTrue.Bits, whenFalse.Bits));

    /// <summary>A tap code in every lane (in both halves: the selects treat index vectors as they treat values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 CreateIndex(long value)
    {
        Vector512<ushort> code = Vector512.Create((ushort)value);
        return new(code, code);
    }

    public static HalfLanes512 IndexRamp(long start, long step) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes512 AddIndex(HalfLanes512 left, HalfLanes512 right) => throw HalfKey.NotForHalfLanes();

    public static void StoreIndex<TIndex>(HalfLanes512 index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex<TIndex>(HalfLanes512 codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => SimdLanes.StoreTapIndex512(codes.Key, destination, decode);

    public static HalfLanes512 LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotForHalfLanes();

    public static HalfLanes512 EqualsIndex(HalfLanes512 left, HalfLanes512 right) => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out HalfLanes512 even, out HalfLanes512 odd)
    {
        SimdLanes.LoadDeinterleave512((ushort*)source, out Vector512<ushort> e, out Vector512<ushort> o);
        even = Keyed(e);
        odd = Keyed(o);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes512 LoadStrided(T* source, int stride)
        => Keyed(SimdFallback.LoadStrided<Vector512<ushort>, ushort>((ushort*)source, stride, Count));

    public static void StoreInterleave(HalfLanes512 a, HalfLanes512 b, T* destination) => throw HalfKey.NotForHalfLanes();

    public static void Interleave(HalfLanes512 a, HalfLanes512 b, out HalfLanes512 lower, out HalfLanes512 upper) => throw HalfKey.NotForHalfLanes();

    public static void Deinterleave(HalfLanes512 lower, HalfLanes512 upper, out HalfLanes512 even, out HalfLanes512 odd) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes512 LaneMask(int lo, int hi) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes512 LoadMasked(T* source, HalfLanes512 mask) => throw HalfKey.NotForHalfLanes();

    public static void StoreMasked(HalfLanes512 value, T* destination, HalfLanes512 mask) => throw HalfKey.NotForHalfLanes();

    /// <summary>The bits with their order keys: the vector form of <see cref="HalfKey.Key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HalfLanes512 Keyed(Vector512<ushort> bits)
    {
        Vector512<short> sign = bits.AsInt16() >> 15;
        Vector512<short> magnitude = (bits & Vector512.Create((ushort)0x7FFF)).AsInt16();
        Vector512<short> key = Vector512.ConditionalSelect(NaNs(bits).AsInt16(), Vector512.Create(short.MaxValue), (magnitude ^ sign) - sign);
        return new(key.AsUInt16(), bits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> NaNs(Vector512<ushort> bits)
        => Vector512.GreaterThan((bits & Vector512.Create((ushort)0x7FFF)).AsInt16(), Vector512.Create((short)HalfKey.Infinity)).AsUInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HalfLanes512 Mask(Vector512<ushort> mask) => new(mask, mask);
}
