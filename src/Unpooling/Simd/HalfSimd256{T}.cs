using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// The 256-bit width of <see cref="ISimd{TSelf, TVector, T}"/> for <see cref="Half"/> elements (<c>Vector256&lt;Half&gt;</c>
/// is not supported): each Half is widened on load to an exact order key in a float lane (<see cref="HalfKey"/>) and
/// narrowed back to its own bits on store, so the float compares, selects and int32 offset lanes run unchanged and the
/// output is bit for bit the chosen input cell. Generic in <typeparamref name="T"/> only so that
/// <see cref="SimdDispatch.RunLanes{T, TBody}"/> can name it; <typeparamref name="T"/> is always <see cref="Half"/>.
/// </summary>
/// <remarks>Arithmetic members (<see cref="Add"/>, <see cref="MultiplyAdd"/>) and element-typed masked or interleaved
/// memory access have no meaning on order keys and throw; pooling uses none of them.</remarks>
internal readonly unsafe struct HalfSimd256<T> : ISimd<HalfSimd256<T>, Vector256<float>, T>
    where T : unmanaged
{
    public static int Count => Vector256<float>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static int Registers => Simd256<float>.Registers;

    /// <summary>The key of +0.</summary>
    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Create(T value) => Vector256.Create(HalfKey.Key(Unsafe.BitCast<T, ushort>(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(T* source) => Key(Vector256.WidenLower(Vector128.Load((ushort*)source).ToVector256Unsafe()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, T* destination)
    {
        Vector256<uint> bits = Bits(value);
        Vector256.Narrow(bits, bits).GetLower().Store((ushort*)destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> GreaterThan(Vector256<float> left, Vector256<float> right) => Simd256<float>.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> IsNaN(Vector256<float> value) => Simd256<float>.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Or(Vector256<float> left, Vector256<float> right) => left | right;

    public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => throw HalfKey.NotOnKeys();

    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ConditionalSelect(Vector256<float> mask, Vector256<float> whenTrue, Vector256<float> whenFalse)
        => Vector256.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> CreateIndex(long value) => Simd256<float>.CreateIndex(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> IndexRamp(long start, long step) => Simd256<float>.IndexRamp(start, step);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> AddIndex(Vector256<float> left, Vector256<float> right) => Simd256<float>.AddIndex(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TIndex>(Vector256<float> index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Simd256<float>.StoreIndex(index, destination);

    public static void StoreTapIndex<TIndex>(Vector256<float> codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Simd256<float>.LoadIndex(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> EqualsIndex(Vector256<float> left, Vector256<float> right) => Simd256<float>.EqualsIndex(left, right);

    /// <remarks>One load of <c>2 * Count</c> Halves as 32-bit pairs: the low half of each is the even element.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out Vector256<float> even, out Vector256<float> odd)
    {
        Vector256<uint> pairs = Vector256.Load((uint*)source);
        even = Key(pairs & Vector256.Create(0xFFFFu));
        odd = Key(pairs >>> 16);
    }

    /// <remarks>In software: no gather reads 16-bit elements, and a 32-bit one would read past the last.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadStrided(T* source, int stride)
    {
        Unsafe.SkipInit(out Vector256<uint> bits);
        ref uint lane = ref Unsafe.As<Vector256<uint>, uint>(ref bits);
        for (int i = 0; i < Count; i++)
        {
            Unsafe.Add(ref lane, i) = ((ushort*)source)[(nint)i * stride];
        }

        return Key(bits);
    }

    public static void StoreInterleave(Vector256<float> a, Vector256<float> b, T* destination) => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector256<float> a, Vector256<float> b, out Vector256<float> lower, out Vector256<float> upper)
        => Simd256<float>.Interleave(a, b, out lower, out upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector256<float> lower, Vector256<float> upper, out Vector256<float> even, out Vector256<float> odd)
        => Simd256<float>.Deinterleave(lower, upper, out even, out odd);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LaneMask(int lo, int hi) => Simd256<float>.LaneMask(lo, hi);

    public static Vector256<float> LoadMasked(T* source, Vector256<float> mask) => throw HalfKey.NotOnKeys();

    public static void StoreMasked(Vector256<float> value, T* destination, Vector256<float> mask) => throw HalfKey.NotOnKeys();

    /// <summary>The vector form of <see cref="HalfKey.Key"/> on zero-extended Half bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Key(Vector256<uint> bits)
    {
        // Sign to bit 31 (copied into 28..30 by the arithmetic shift, then cleared), magnitude to bits 13..27.
        Vector256<int> shifted = (bits << 16).AsInt32() >> 3;
        Vector256<int> infinityOrNaN = Vector256.GreaterThan(shifted & Vector256.Create(0x0FFFFFFF), Vector256.Create(HalfKey.LargestFinite));
        return ((shifted & Vector256.Create(HalfKey.SignAndMagnitude)) | (infinityOrNaN & Vector256.Create(HalfKey.ExponentTop))).AsSingle();
    }

    /// <summary>The vector form of <see cref="HalfKey.Bits"/>: zero-extended Half bits of keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Bits(Vector256<float> key)
    {
        Vector256<uint> k = key.AsUInt32();
        return ((k >>> 16) & Vector256.Create(0x8000u)) | ((k >>> 13) & Vector256.Create(0x7FFFu));
    }
}
