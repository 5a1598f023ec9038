using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// The 512-bit width of <see cref="ISimd{TSelf, TVector, T}"/> for <see cref="Half"/> elements (<c>Vector512&lt;Half&gt;</c>
/// is not supported): each Half is widened on load to an exact order key in a float lane (<see cref="HalfKey"/>) and
/// narrowed back to its own bits on store, so the float compares, selects and int32 offset lanes run unchanged and the
/// output is bit for bit the chosen input cell. Generic in <typeparamref name="T"/> only so that
/// <see cref="SimdDispatch.RunLanes{T, TBody}"/> can name it; <typeparamref name="T"/> is always <see cref="Half"/>.
/// </summary>
/// <remarks>Arithmetic members (<see cref="Add"/>, <see cref="MultiplyAdd"/>) and element-typed masked or interleaved
/// memory access have no meaning on order keys and throw; pooling uses none of them.</remarks>
internal readonly unsafe struct HalfSimd512<T> : ISimd<HalfSimd512<T>, Vector512<float>, T>
    where T : unmanaged
{
    public static int Count => Vector512<float>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    public static int Registers => Simd512<float>.Registers;

    /// <summary>The key of +0.</summary>
    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Create(T value) => Vector512.Create(HalfKey.Key(Unsafe.BitCast<T, ushort>(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(T* source) => Key(Vector512.WidenLower(Vector256.Load((ushort*)source).ToVector512Unsafe()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, T* destination)
    {
        Vector512<uint> bits = Bits(value);
        Vector512.Narrow(bits, bits).GetLower().Store((ushort*)destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> GreaterThan(Vector512<float> left, Vector512<float> right) => Simd512<float>.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> IsNaN(Vector512<float> value) => Simd512<float>.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Or(Vector512<float> left, Vector512<float> right) => left | right;

    public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => throw HalfKey.NotOnKeys();

    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ConditionalSelect(Vector512<float> mask, Vector512<float> whenTrue, Vector512<float> whenFalse)
        => Vector512.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> CreateIndex(long value) => Simd512<float>.CreateIndex(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> IndexRamp(long start, long step) => Simd512<float>.IndexRamp(start, step);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> AddIndex(Vector512<float> left, Vector512<float> right) => Simd512<float>.AddIndex(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TIndex>(Vector512<float> index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Simd512<float>.StoreIndex(index, destination);

    public static void StoreTapIndex<TIndex>(Vector512<float> codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Simd512<float>.LoadIndex(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> EqualsIndex(Vector512<float> left, Vector512<float> right) => Simd512<float>.EqualsIndex(left, right);

    /// <remarks>One load of <c>2 * Count</c> Halves as 32-bit pairs: the low half of each is the even element.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out Vector512<float> even, out Vector512<float> odd)
    {
        Vector512<uint> pairs = Vector512.Load((uint*)source);
        even = Key(pairs & Vector512.Create(0xFFFFu));
        odd = Key(pairs >>> 16);
    }

    /// <remarks>In software: no gather reads 16-bit elements, and a 32-bit one would read past the last.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadStrided(T* source, int stride)
    {
        Unsafe.SkipInit(out Vector512<uint> bits);
        ref uint lane = ref Unsafe.As<Vector512<uint>, uint>(ref bits);
        for (int i = 0; i < Count; i++)
        {
            Unsafe.Add(ref lane, i) = ((ushort*)source)[(nint)i * stride];
        }

        return Key(bits);
    }

    public static void StoreInterleave(Vector512<float> a, Vector512<float> b, T* destination) => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector512<float> a, Vector512<float> b, out Vector512<float> lower, out Vector512<float> upper)
        => Simd512<float>.Interleave(a, b, out lower, out upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector512<float> lower, Vector512<float> upper, out Vector512<float> even, out Vector512<float> odd)
        => Simd512<float>.Deinterleave(lower, upper, out even, out odd);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LaneMask(int lo, int hi) => Simd512<float>.LaneMask(lo, hi);

    public static Vector512<float> LoadMasked(T* source, Vector512<float> mask) => throw HalfKey.NotOnKeys();

    public static void StoreMasked(Vector512<float> value, T* destination, Vector512<float> mask) => throw HalfKey.NotOnKeys();

    /// <summary>The vector form of <see cref="HalfKey.Key"/> on zero-extended Half bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Key(Vector512<uint> bits)
    {
        // Sign to bit 31 (copied into 28..30 by the arithmetic shift, then cleared), magnitude to bits 13..27.
        Vector512<int> shifted = (bits << 16).AsInt32() >> 3;
        Vector512<int> infinityOrNaN = Vector512.GreaterThan(shifted & Vector512.Create(0x0FFFFFFF), Vector512.Create(HalfKey.LargestFinite));
        return ((shifted & Vector512.Create(HalfKey.SignAndMagnitude)) | (infinityOrNaN & Vector512.Create(HalfKey.ExponentTop))).AsSingle();
    }

    /// <summary>The vector form of <see cref="HalfKey.Bits"/>: zero-extended Half bits of keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Bits(Vector512<float> key)
    {
        Vector512<uint> k = key.AsUInt32();
        return ((k >>> 16) & Vector512.Create(0x8000u)) | ((k >>> 13) & Vector512.Create(0x7FFFu));
    }
}
