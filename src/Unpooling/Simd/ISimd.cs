using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// One SIMD width, as a set of static members the kernels are generic over. A kernel is written once against this
/// interface and instantiated for <see cref="Simd128{T}"/>, <see cref="Simd256{T}"/> and <see cref="Simd512{T}"/>;
/// every member is a one-line forward the JIT inlines, so the instantiation compiles to the loop a hand-written
/// <c>Vector256</c> kernel would.
/// </summary>
/// <remarks>
/// "Index" members treat the lanes as signed integers of the element's width (int32 lanes for <see cref="float"/> and
/// <see cref="int"/>, int64 lanes for <see cref="double"/>; 8- and 16-bit lanes carry tap codes, see
/// <see cref="StoreTapIndex"/>), stored in the same vector type so that a select mask computed on values applies
/// unchanged to the arg-max that travels beside them. <typeparamref name="TVector"/> need not be a vector of
/// <typeparamref name="T"/>: the <see cref="Half"/> widths carry order keys and bits in 16-bit lanes.
/// </remarks>
internal interface ISimd<TSelf, TVector, T>
    where TSelf : struct, ISimd<TSelf, TVector, T>
    where TVector : struct
    where T : unmanaged
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Whether this width runs in hardware (otherwise it works, slowly, in software: tests use that to run every
    /// width on any CPU; <see cref="SimdDispatch"/> never picks such a width).</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>Architectural vector registers at this width: 32 with AVX-512 (EVEX encodes 32 at every width) or on
    /// Arm64, 16 with AVX2/SSE only. Register-blocked kernels size their tiles by it.</summary>
    static abstract int Registers { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Create(T value);

    static abstract unsafe TVector Load(T* source);

    static abstract unsafe void Store(TVector value, T* destination);

    /// <summary>All-ones lanes where <paramref name="left"/> &gt; <paramref name="right"/> (false for NaN).</summary>
    static abstract TVector GreaterThan(TVector left, TVector right);

    /// <summary>All-ones lanes where the value is NaN.</summary>
    static abstract TVector IsNaN(TVector value);

    static abstract TVector Or(TVector left, TVector right);

    /// <summary>Lane-wise <c>left + right</c>.</summary>
    static abstract TVector Add(TVector left, TVector right);

    /// <summary>
    /// Lane-wise <c>(a * b) + c</c>: rounded once (as <see cref="Math.FusedMultiplyAdd(double, double, double)"/>) where
    /// <see cref="SimdDispatch.FusedMultiplyAdd"/> says the instruction set has a fused multiply-add, else the product
    /// rounded and then the sum, so that no width ever computes it per element in software.
    /// </summary>
    /// <remarks>
    /// Every width, the scalar path and the software widths make the same choice in one process, so GEMM results are
    /// the same bits at every width and thread count on one instruction set; between a machine with FMA and one
    /// without (x64 before AVX2, or with <c>DOTNET_EnableAVX2=0</c>) they may differ in the last bits.
    /// </remarks>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>Bitwise select: lanes of <paramref name="whenTrue"/> where <paramref name="mask"/> is set.</summary>
    static abstract TVector ConditionalSelect(TVector mask, TVector whenTrue, TVector whenFalse);

    /// <summary>Every lane holds the integer <paramref name="value"/> (truncated to the lane width).</summary>
    static abstract TVector CreateIndex(long value);

    /// <summary>Lane <c>i</c> holds the integer <c>start + i * step</c>.</summary>
    static abstract TVector IndexRamp(long start, long step);

    /// <summary>Lane-wise integer addition.</summary>
    static abstract TVector AddIndex(TVector left, TVector right);

    /// <summary>Stores the integer lanes as <paramref name="destination"/>'s type (widening or narrowing, exact for
    /// lanes inside the checked index space).</summary>
    static abstract unsafe void StoreIndex<TIndex>(TVector index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>;

    /// <summary>
    /// Stores tap-code lanes as indices: for 8- and 16-bit elements, whose arg-max travels as the tap code
    /// <c>kh*KW + kw</c> in lanes of the element's width (read unsigned), decoded by <paramref name="decode"/> into the
    /// requested convention. Only the pooling kernel's tap-code path calls it.
    /// </summary>
    static abstract unsafe void StoreTapIndex<TIndex>(TVector codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>;

    /// <summary>Loads <c>Count</c> indices of <paramref name="source"/>'s type as integer lanes (truncating wider
    /// indices to the lane width: callers first prove they fit).</summary>
    static abstract unsafe TVector LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>;

    /// <summary>All-ones lanes where the integer lanes are equal.</summary>
    static abstract TVector EqualsIndex(TVector left, TVector right);

    /// <summary>Loads <c>2 * Count</c> elements and splits them into even and odd positions.</summary>
    static abstract unsafe void LoadDeinterleave(T* source, out TVector even, out TVector odd);

    /// <summary>Lane <c>i</c> = <c>source[i * stride]</c>; reads only those elements.</summary>
    static abstract unsafe TVector LoadStrided(T* source, int stride);

    /// <summary>Stores <c>a0 b0 a1 b1 ...</c>: <c>2 * Count</c> elements.</summary>
    static abstract unsafe void StoreInterleave(TVector a, TVector b, T* destination);

    /// <summary><c>a0 b0 a1 b1 ...</c> in registers: <paramref name="lower"/> holds the first <c>Count</c> lanes.</summary>
    static abstract void Interleave(TVector a, TVector b, out TVector lower, out TVector upper);

    /// <summary>The inverse of <see cref="Interleave"/>: even and odd positions of <c>lower, upper</c>.</summary>
    static abstract void Deinterleave(TVector lower, TVector upper, out TVector even, out TVector odd);

    /// <summary>All-ones in the lanes <c>i</c> with <c>lo &lt;= i &lt; hi</c>, zero in the others (any bounds).</summary>
    static abstract TVector LaneMask(int lo, int hi);

    /// <summary>Loads the lanes whose <paramref name="mask"/> is set, zero elsewhere; memory under cleared lanes is
    /// not touched (so it may lie outside any buffer).</summary>
    static abstract unsafe TVector LoadMasked(T* source, TVector mask);

    /// <summary>Stores the lanes whose <paramref name="mask"/> is set; memory under cleared lanes is neither read nor
    /// written (so another thread may own it).</summary>
    static abstract unsafe void StoreMasked(TVector value, T* destination, TVector mask);
}

/// <summary>Software versions of the shuffles, for widths the hardware lacks: correct on any CPU, slow.</summary>
internal static unsafe class SimdFallback
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave<TVector, T>(T* source, int count, out TVector even, out TVector odd)
        where TVector : struct
        where T : unmanaged
    {
        Unsafe.SkipInit(out even);
        Unsafe.SkipInit(out odd);
        ref T e = ref Unsafe.As<TVector, T>(ref even);
        ref T o = ref Unsafe.As<TVector, T>(ref odd);
        for (int i = 0; i < count; i++)
        {
            Unsafe.Add(ref e, i) = source[2 * i];
            Unsafe.Add(ref o, i) = source[(2 * i) + 1];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LoadStrided<TVector, T>(T* source, int stride, int count)
        where TVector : struct
        where T : unmanaged
    {
        Unsafe.SkipInit(out TVector result);
        ref T r = ref Unsafe.As<TVector, T>(ref result);
        for (int i = 0; i < count; i++)
        {
            Unsafe.Add(ref r, i) = source[(nint)i * stride];
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleave<TVector, T>(TVector a, TVector b, T* destination, int count)
        where TVector : struct
        where T : unmanaged
    {
        ref T ra = ref Unsafe.As<TVector, T>(ref a);
        ref T rb = ref Unsafe.As<TVector, T>(ref b);
        for (int i = 0; i < count; i++)
        {
            destination[2 * i] = Unsafe.Add(ref ra, i);
            destination[(2 * i) + 1] = Unsafe.Add(ref rb, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave<TVector, T>(TVector a, TVector b, out TVector lower, out TVector upper, int count)
        where TVector : unmanaged
        where T : unmanaged
    {
        TVector* pair = stackalloc TVector[2];
        StoreInterleave(a, b, (T*)pair, count);
        lower = pair[0];
        upper = pair[1];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave<TVector, T>(TVector lower, TVector upper, out TVector even, out TVector odd, int count)
        where TVector : unmanaged
        where T : unmanaged
    {
        TVector* pair = stackalloc TVector[2];
        pair[0] = lower;
        pair[1] = upper;
        LoadDeinterleave((T*)pair, count, out even, out odd);
    }

    /// <summary>Whether lane <paramref name="i"/> of a mask is set (lanes are int32 for 4-byte <typeparamref name="T"/>, else int64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LaneSet<TVector, T>(ref TVector mask, int i)
        where TVector : struct
        where T : unmanaged
        => sizeof(T) == 4 ? Unsafe.Add(ref Unsafe.As<TVector, int>(ref mask), i) != 0 : Unsafe.Add(ref Unsafe.As<TVector, long>(ref mask), i) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LoadMasked<TVector, T>(T* source, TVector mask, int count)
        where TVector : struct
        where T : unmanaged
    {
        TVector result = default;
        ref T r = ref Unsafe.As<TVector, T>(ref result);
        for (int i = 0; i < count; i++)
        {
            if (LaneSet<TVector, T>(ref mask, i))
            {
                Unsafe.Add(ref r, i) = source[i];
            }
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked<TVector, T>(TVector value, T* destination, TVector mask, int count)
        where TVector : struct
        where T : unmanaged
    {
        ref T v = ref Unsafe.As<TVector, T>(ref value);
        for (int i = 0; i < count; i++)
        {
            if (LaneSet<TVector, T>(ref mask, i))
            {
                destination[i] = Unsafe.Add(ref v, i);
            }
        }
    }

    /// <summary>Stores integer lanes (int32 for 4-byte <typeparamref name="T"/>, else int64) as TIndex, one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TVector, T, TIndex>(TVector index, TIndex* destination, int count)
        where TVector : struct
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 4)
        {
            ref int r = ref Unsafe.As<TVector, int>(ref index);
            for (int i = 0; i < count; i++)
            {
                IndexValue.Write(destination + i, Unsafe.Add(ref r, i));
            }
        }
        else
        {
            ref long r = ref Unsafe.As<TVector, long>(ref index);
            for (int i = 0; i < count; i++)
            {
                IndexValue.Write(destination + i, Unsafe.Add(ref r, i));
            }
        }
    }

    /// <summary>Loads <c>count</c> indices as integer lanes (int32 for 4-byte <typeparamref name="T"/>, else int64), one at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LoadIndex<TVector, T, TIndex>(TIndex* source, int count)
        where TVector : struct
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Unsafe.SkipInit(out TVector result);
        if (sizeof(T) == 4)
        {
            ref int r = ref Unsafe.As<TVector, int>(ref result);
            for (int i = 0; i < count; i++)
            {
                Unsafe.Add(ref r, i) = (int)IndexValue.Read(source[i]);
            }
        }
        else
        {
            ref long r = ref Unsafe.As<TVector, long>(ref result);
            for (int i = 0; i < count; i++)
            {
                Unsafe.Add(ref r, i) = IndexValue.Read(source[i]);
            }
        }

        return result;
    }
}
