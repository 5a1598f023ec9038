using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// A vector of 16 <see cref="Half"/> elements in 16-bit lanes as the max-pooling kernel carries them: the order key of
/// each (<see cref="HalfKey"/>), which the compares read, and the element's own bits, which the selects carry beside it
/// so that the store writes the chosen cell bit for bit. The tap code travels in the key half of an index vector.
/// </summary>
internal readonly struct HalfLanes256
{
    /// <summary>Order keys (signed 16-bit), or a compare mask, or tap codes.</summary>
    public readonly Vector256<ushort> Key;

    /// <summary>The elements' bits (or the same mask).</summary>
    public readonly Vector256<ushort> Bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HalfLanes256(Vector256<ushort> key, Vector256<ushort> bits) => (Key, Bits) = (key, bits);
}

/// <summary>
/// The 256-bit width of <see cref="ISimd{TSelf, TVector, T}"/> for <see cref="Half"/> (<c>Vector256&lt;Half&gt;</c> is not
/// supported): 16 elements in 16-bit lanes, compared through their order keys, carried with their bits, the arg-max
/// as tap codes like the other 16-bit elements (see <see cref="HalfKey"/> for why not widened to float). Generic in
/// <typeparamref name="T"/> only so that <see cref="SimdDispatch.RunLanes{T, TBody}"/> can name it; it is always Half.
/// </summary>
/// <remarks>Only the members the pooling kernel's tap-code path uses are implemented; arithmetic, offset-index and
/// masked or interleaved memory members throw.</remarks>
internal readonly unsafe struct HalfSimd256<T> : ISimd<HalfSimd256<T>, HalfLanes256, T>
    where T : unmanaged
{
    public static int Count => Vector256<ushort>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static int Registers => Simd256<ushort>.Registers;

    public static HalfLanes256 Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 Create(T value) => Keyed(Vector256.Create(Unsafe.BitCast<T, ushort>(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 Load(T* source) => Keyed(Vector256.Load((ushort*)source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(HalfLanes256 value, T* destination) => value.Bits.Store((ushort*)destination);

    /// <summary>Key order: the Half rule for non-NaN values, and never greater than a NaN (whose key is the top).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 GreaterThan(HalfLanes256 left, HalfLanes256 right)
        => Mask(Vector256.GreaterThan(left.Key.AsInt16(), right.Key.AsInt16()).AsUInt16());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 IsNaN(HalfLanes256 value) => Mask(NaNs(value.Bits));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 Or(HalfLanes256 left, HalfLanes256 right) => new(left.Key | right.Key, left.Bits | right.Bits);

    public static HalfLanes256 Add(HalfLanes256 left, HalfLanes256 right) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes256 MultiplyAdd(HalfLanes256 a, HalfLanes256 b, HalfLanes256 c) => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 ConditionalSelect(HalfLanes256 mask, HalfLanes256 whenTrue, HalfLanes256 whenFalse)
        => new(Vector256.ConditionalSelect(mask.Key, whenTrue.Key, whenFalse.Key), Vector256.ConditionalSelect(mask.Bits, whenTrue.Bits, whenFalse.Bits));

    /// <summary>A tap code in every lane (in both halves: the selects treat index vectors as they treat values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 CreateIndex(long value)
    {
        Vector256<ushort> code = Vector256.Create((ushort)value);
        return new(code, code);
    }

    public static HalfLanes256 IndexRamp(long start, long step) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes256 AddIndex(HalfLanes256 left, HalfLanes256 right) => throw HalfKey.NotForHalfLanes();

    public static void StoreIndex<TIndex>(HalfLanes256 index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex<TIndex>(HalfLanes256 codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => SimdLanes.StoreTapIndex256(codes.Key, destination, decode);

    public static HalfLanes256 LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotForHalfLanes();

    public static HalfLanes256 EqualsIndex(HalfLanes256 left, HalfLanes256 right) => throw HalfKey.NotForHalfLanes();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out HalfLanes256 even, out HalfLanes256 odd)
    {
        SimdLanes.LoadDeinterleave256((ushort*)source, out Vector256<ushort> e, out Vector256<ushort> o);
        even = Keyed(e);
        odd = Keyed(o);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HalfLanes256 LoadStrided(T* source, int stride)
        => Keyed(SimdFallback.LoadStrided<Vector256<ushort>, ushort>((ushort*)source, stride, Count));

    public static void StoreInterleave(HalfLanes256 a, HalfLanes256 b, T* destination) => throw HalfKey.NotForHalfLanes();

    public static void Interleave(HalfLanes256 a, HalfLanes256 b, out HalfLanes256 lower, out HalfLanes256 upper) => throw HalfKey.NotForHalfLanes();

    public static void Deinterleave(HalfLanes256 lower, HalfLanes256 upper, out HalfLanes256 even, out HalfLanes256 odd) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes256 LaneMask(int lo, int hi) => throw HalfKey.NotForHalfLanes();

    public static HalfLanes256 LoadMasked(T* source, HalfLanes256 mask) => throw HalfKey.NotForHalfLanes();

    public static void StoreMasked(HalfLanes256 value, T* destination, HalfLanes256 mask) => throw HalfKey.NotForHalfLanes();

    /// <summary>The bits with their order keys: the vector form of <see cref="HalfKey.Key"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HalfLanes256 Keyed(Vector256<ushort> bits)
    {
        Vector256<short> sign = bits.AsInt16() >> 15;
        Vector256<short> magnitude = (bits & Vector256.Create((ushort)0x7FFF)).AsInt16();
        Vector256<short> key = Vector256.ConditionalSelect(NaNs(bits).AsInt16(), Vector256.Create(short.MaxValue), (magnitude ^ sign) - sign);
        return new(key.AsUInt16(), bits);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> NaNs(Vector256<ushort> bits)
        => Vector256.GreaterThan((bits & Vector256.Create((ushort)0x7FFF)).AsInt16(), Vector256.Create((short)HalfKey.Infinity)).AsUInt16();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static HalfLanes256 Mask(Vector256<ushort> mask) => new(mask, mask);
}
