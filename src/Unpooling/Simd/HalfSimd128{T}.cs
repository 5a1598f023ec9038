using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// The 128-bit width of <see cref="ISimd{TSelf, TVector, T}"/> for <see cref="Half"/> elements (<c>Vector128&lt;Half&gt;</c>
/// is not supported): each Half is widened on load to an exact order key in a float lane (<see cref="HalfKey"/>) and
/// narrowed back to its own bits on store, so the float compares, selects and int32 offset lanes run unchanged and the
/// output is bit for bit the chosen input cell. Generic in <typeparamref name="T"/> only so that
/// <see cref="SimdDispatch.RunLanes{T, TBody}"/> can name it; <typeparamref name="T"/> is always <see cref="Half"/>.
/// </summary>
/// <remarks>Arithmetic members (<see cref="Add"/>, <see cref="MultiplyAdd"/>) and element-typed masked or interleaved
/// memory access have no meaning on order keys and throw; pooling uses none of them.</remarks>
internal readonly unsafe struct HalfSimd128<T> : ISimd<HalfSimd128<T>, Vector128<float>, T>
    where T : unmanaged
{
    public static int Count => Vector128<float>.Count;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    public static int Registers => Simd128<float>.Registers;

    /// <summary>The key of +0.</summary>
    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Create(T value) => Vector128.Create(HalfKey.Key(Unsafe.BitCast<T, ushort>(value)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(T* source) => Key(Vector128.WidenLower(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(source)).AsUInt16()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, T* destination)
    {
        Vector128<uint> bits = Bits(value);
        Unsafe.WriteUnaligned(destination, Vector128.Narrow(bits, bits).AsUInt64().ToScalar());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> GreaterThan(Vector128<float> left, Vector128<float> right) => Simd128<float>.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> IsNaN(Vector128<float> value) => Simd128<float>.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Or(Vector128<float> left, Vector128<float> right) => left | right;

    public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => throw HalfKey.NotOnKeys();

    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ConditionalSelect(Vector128<float> mask, Vector128<float> whenTrue, Vector128<float> whenFalse)
        => Vector128.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> CreateIndex(long value) => Simd128<float>.CreateIndex(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> IndexRamp(long start, long step) => Simd128<float>.IndexRamp(start, step);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> AddIndex(Vector128<float> left, Vector128<float> right) => Simd128<float>.AddIndex(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TIndex>(Vector128<float> index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Simd128<float>.StoreIndex(index, destination);

    public static void StoreTapIndex<TIndex>(Vector128<float> codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Simd128<float>.LoadIndex(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> EqualsIndex(Vector128<float> left, Vector128<float> right) => Simd128<float>.EqualsIndex(left, right);

    /// <remarks>One load of <c>2 * Count</c> Halves as 32-bit pairs: the low half of each is the even element.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out Vector128<float> even, out Vector128<float> odd)
    {
        Vector128<uint> pairs = Vector128.Load((uint*)source);
        even = Key(pairs & Vector128.Create(0xFFFFu));
        odd = Key(pairs >>> 16);
    }

    /// <remarks>In software: no gather reads 16-bit elements, and a 32-bit one would read past the last.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadStrided(T* source, int stride)
    {
        Unsafe.SkipInit(out Vector128<uint> bits);
        ref uint lane = ref Unsafe.As<Vector128<uint>, uint>(ref bits);
        for (int i = 0; i < Count; i++)
        {
            Unsafe.Add(ref lane, i) = ((ushort*)source)[(nint)i * stride];
        }

        return Key(bits);
    }

    public static void StoreInterleave(Vector128<float> a, Vector128<float> b, T* destination) => throw HalfKey.NotOnKeys();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector128<float> a, Vector128<float> b, out Vector128<float> lower, out Vector128<float> upper)
        => Simd128<float>.Interleave(a, b, out lower, out upper);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector128<float> lower, Vector128<float> upper, out Vector128<float> even, out Vector128<float> odd)
        => Simd128<float>.Deinterleave(lower, upper, out even, out odd);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LaneMask(int lo, int hi) => Simd128<float>.LaneMask(lo, hi);

    public static Vector128<float> LoadMasked(T* source, Vector128<float> mask) => throw HalfKey.NotOnKeys();

    public static void StoreMasked(Vector128<float> value, T* destination, Vector128<float> mask) => throw HalfKey.NotOnKeys();

    /// <summary>The vector form of <see cref="HalfKey.Key"/> on zero-extended Half bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Key(Vector128<uint> bits)
    {
        // Sign to bit 31 (copied into 28..30 by the arithmetic shift, then cleared), magnitude to bits 13..27.
        Vector128<int> shifted = (bits << 16).AsInt32() >> 3;
        Vector128<int> infinityOrNaN = Vector128.GreaterThan(shifted & Vector128.Create(0x0FFFFFFF), Vector128.Create(HalfKey.LargestFinite));
        return ((shifted & Vector128.Create(HalfKey.SignAndMagnitude)) | (infinityOrNaN & Vector128.Create(HalfKey.ExponentTop))).AsSingle();
    }

    /// <summary>The vector form of <see cref="HalfKey.Bits"/>: zero-extended Half bits of keys.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Bits(Vector128<float> key)
    {
        Vector128<uint> k = key.AsUInt32();
        return ((k >>> 16) & Vector128.Create(0x8000u)) | ((k >>> 13) & Vector128.Create(0x7FFFu));
    }
}
