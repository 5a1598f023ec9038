using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>The 512-bit width of <see cref="ISimd{TSelf, TVector, T}"/>: arithmetic for <see cref="float"/> and <see cref="double"/>;
/// compares, selects, loads and index lanes also for the integer elements of <see cref="SimdDispatch.RunLanes{T, TBody}"/>.</summary>
internal readonly unsafe struct Simd512<T> : ISimd<Simd512<T>, Vector512<T>, T>
    where T : unmanaged
{
    public static int Count => Vector512<T>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    /// <remarks>A software <c>Vector512</c> never runs in registers; 32 keeps the widest tiles.</remarks>
    public static int Registers => 32;

    public static Vector512<T> Zero => Vector512<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Create(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(T* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, T* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> GreaterThan(Vector512<T> left, Vector512<T> right) => Vector512.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> IsNaN(Vector512<T> value) => Vector512.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Or(Vector512<T> left, Vector512<T> right) => left | right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> left, Vector512<T> right) => left + right;

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/>
    /// <remarks>The test is <see cref="SimdDispatch.FusedMultiplyAdd"/> spelled out (see there why).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) => !(Fma.IsSupported || AdvSimd.IsSupported)
        ? (a * b) + c
        : typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> ConditionalSelect(Vector512<T> mask, Vector512<T> whenTrue, Vector512<T> whenFalse)
        => Vector512.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> CreateIndex(long value) => sizeof(T) == 1 ? Vector512.Create((byte)value).As<byte, T>()
        : sizeof(T) == 2 ? Vector512.Create((ushort)value).As<ushort, T>()
        : sizeof(T) == 4
        ? Vector512.Create((int)value).As<int, T>()
        : Vector512.Create(value).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> IndexRamp(long start, long step) => sizeof(T) == 4
        ? ((Vector512<int>.Indices * (int)step) + Vector512.Create((int)start)).As<int, T>()
        : ((Vector512<long>.Indices * step) + Vector512.Create(start)).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> AddIndex(Vector512<T> left, Vector512<T> right) => sizeof(T) == 4
        ? (left.As<T, int>() + right.As<T, int>()).As<int, T>()
        : (left.As<T, long>() + right.As<T, long>()).As<long, T>();

    /// <remarks>
    /// 32- and 64-bit index types move as whole vectors; 16- and 8-bit ones are narrowed in registers (truncating, exact
    /// for the checked index space) and stored as one scalar or vector of <c>Count * sizeof(TIndex)</c> bytes; any other
    /// type (128-bit, user-defined) is stored one lane at a time.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TIndex>(Vector512<T> index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 4)
        {
            Vector512<int> lanes = index.As<T, int>();
            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                lanes.Store((int*)destination);
            }
            else if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                (Vector512<long> lower, Vector512<long> upper) = Vector512.Widen(lanes);
                lower.Store((long*)destination);
                upper.Store((long*)destination + Vector512<long>.Count);
            }
            else if (IndexValue.Is16Bit<TIndex>() || IndexValue.Is8Bit<TIndex>())
            {
                StoreNarrow<TIndex>(Vector512.Narrow(lanes, lanes), destination);
            }
            else
            {
                SimdFallback.StoreIndex<Vector512<T>, T, TIndex>(index, destination, Count);
            }
        }
        else
        {
            Vector512<long> lanes = index.As<T, long>();
            if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                lanes.Store((long*)destination);
            }
            else if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                Vector512.Narrow(lanes, Vector512<long>.Zero).GetLower().Store((int*)destination);
            }
            else if (IndexValue.Is16Bit<TIndex>() || IndexValue.Is8Bit<TIndex>())
            {
                Vector512<int> narrowed = Vector512.Narrow(lanes, lanes);
                StoreNarrow<TIndex>(Vector512.Narrow(narrowed, narrowed), destination);
            }
            else
            {
                SimdFallback.StoreIndex<Vector512<T>, T, TIndex>(index, destination, Count);
            }
        }
    }

    /// <summary>
    /// Stores the first <c>Count</c> of <paramref name="lanes"/> (16-bit lanes in their own order) as 16-bit indices, or
    /// narrows them once more to 8-bit indices: <c>Count * sizeof(TIndex)</c> bytes, written as one piece.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNarrow<TIndex>(Vector512<short> lanes, TIndex* destination)
        where TIndex : unmanaged
    {
        Vector512<byte> bytes = sizeof(TIndex) == 2 ? lanes.AsByte() : Vector512.Narrow(lanes, lanes).AsByte();
        // 16 float lanes of 16-bit indices fill 32 bytes, the low half of the vector; anything shorter, its low quarter.
        if (Count * sizeof(TIndex) == 32)
        {
            bytes.GetLower().Store((byte*)destination);
        }
        else
        {
            SimdLanes.StoreLowBytes(bytes.GetLower().GetLower(), destination, Count * sizeof(TIndex));
        }
    }

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex<TIndex>(Vector512<T> codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => SimdLanes.StoreTapIndex512(codes, destination, decode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out Vector512<T> even, out Vector512<T> odd)
    {
        if (typeof(T) == typeof(int))
        {
            // Bits move unchanged: the float shuffles serve int32 elements.
            Simd512<float>.LoadDeinterleave((float*)source, out Vector512<float> e, out Vector512<float> o);
            even = e.As<float, T>();
            odd = o.As<float, T>();
            return;
        }

        if (sizeof(T) < 4)
        {
            SimdLanes.LoadDeinterleave512(source, out even, out odd);
            return;
        }

        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<float> a = Vector512.Load((float*)source);
                Vector512<float> b = Vector512.Load((float*)source + 16);
                Vector512<int> evens = Vector512<int>.Indices * 2;
                even = Avx512F.PermuteVar16x32x2(a, evens, b).As<float, T>();
                odd = Avx512F.PermuteVar16x32x2(a, evens + Vector512<int>.One, b).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector512<double> a = Vector512.Load((double*)source);
                Vector512<double> b = Vector512.Load((double*)source + 8);
                Vector512<long> evens = Vector512<long>.Indices * 2;
                even = Avx512F.PermuteVar8x64x2(a, evens, b).As<double, T>();
                odd = Avx512F.PermuteVar8x64x2(a, evens + Vector512<long>.One, b).As<double, T>();
                return;
            }
        }

        SimdFallback.LoadDeinterleave(source, Count, out even, out odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadStrided(T* source, int stride)
    {
        if (typeof(T) == typeof(int))
        {
            return Simd512<float>.LoadStrided((float*)source, stride).As<float, T>();
        }

        if (Avx2.IsSupported)
        {
            // Two 256-bit gathers: the halves are independent, so this costs what one 512-bit gather would.
            return Vector512.Create(
                Simd256<T>.LoadStrided(source, stride),
                Simd256<T>.LoadStrided(source + ((nint)Vector256<T>.Count * stride), stride));
        }

        return SimdFallback.LoadStrided<Vector512<T>, T>(source, stride, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleave(Vector512<T> a, Vector512<T> b, T* destination)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                // Lane i of the low half takes a[i/2] for even i and b[i/2] for odd i (b is the second table).
                Vector512<int> low = (Vector512<int>.Indices >>> 1) + ((Vector512<int>.Indices & Vector512<int>.One) << 4);
                Vector512<float> fa = a.As<T, float>(), fb = b.As<T, float>();
                Avx512F.PermuteVar16x32x2(fa, low, fb).Store((float*)destination);
                Avx512F.PermuteVar16x32x2(fa, low + Vector512.Create(8), fb).Store((float*)destination + 16);
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector512<long> low = (Vector512<long>.Indices >>> 1) + ((Vector512<long>.Indices & Vector512<long>.One) << 3);
                Vector512<double> da = a.As<T, double>(), db = b.As<T, double>();
                Avx512F.PermuteVar8x64x2(da, low, db).Store((double*)destination);
                Avx512F.PermuteVar8x64x2(da, low + Vector512.Create(4L), db).Store((double*)destination + 8);
                return;
            }
        }

        SimdFallback.StoreInterleave(a, b, destination, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 4)
        {
            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                return Vector512.Load((int*)source).As<int, T>();
            }

            if (typeof(TIndex) != typeof(long) && !IndexValue.Is64Bit<TIndex>())
            {
                return SimdFallback.LoadIndex<Vector512<T>, T, TIndex>(source, Count);
            }

            Vector512<long> lower = Vector512.Load((long*)source);
            Vector512<long> upper = Vector512.Load((long*)source + Vector512<long>.Count);
            return Vector512.Narrow(lower, upper).As<int, T>();
        }
        else
        {
            if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                return Vector512.Load((long*)source).As<long, T>();
            }

            if (typeof(TIndex) != typeof(int) && !IndexValue.Is32Bit<TIndex>())
            {
                return SimdFallback.LoadIndex<Vector512<T>, T, TIndex>(source, Count);
            }

            return Vector512.WidenLower(Vector512.Create(Vector256.Load((int*)source), Vector256<int>.Zero)).As<long, T>();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> EqualsIndex(Vector512<T> left, Vector512<T> right) => sizeof(T) == 4
        ? Vector512.Equals(left.As<T, int>(), right.As<T, int>()).As<int, T>()
        : Vector512.Equals(left.As<T, long>(), right.As<T, long>()).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LaneMask(int lo, int hi) => sizeof(T) == 4
        ? (Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(lo)) & Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(hi))).As<int, T>()
        : (Vector512.GreaterThanOrEqual(Vector512<long>.Indices, Vector512.Create((long)lo)) & Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)hi))).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector512<T> a, Vector512<T> b, out Vector512<T> lower, out Vector512<T> upper)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<int> low = (Vector512<int>.Indices >>> 1) + ((Vector512<int>.Indices & Vector512<int>.One) << 4);
                Vector512<float> fa = a.As<T, float>(), fb = b.As<T, float>();
                lower = Avx512F.PermuteVar16x32x2(fa, low, fb).As<float, T>();
                upper = Avx512F.PermuteVar16x32x2(fa, low + Vector512.Create(8), fb).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector512<long> low = (Vector512<long>.Indices >>> 1) + ((Vector512<long>.Indices & Vector512<long>.One) << 3);
                Vector512<double> da = a.As<T, double>(), db = b.As<T, double>();
                lower = Avx512F.PermuteVar8x64x2(da, low, db).As<double, T>();
                upper = Avx512F.PermuteVar8x64x2(da, low + Vector512.Create(4L), db).As<double, T>();
                return;
            }
        }

        SimdFallback.Interleave<Vector512<T>, T>(a, b, out lower, out upper, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector512<T> lower, Vector512<T> upper, out Vector512<T> even, out Vector512<T> odd)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector512<int> evens = Vector512<int>.Indices * 2;
                Vector512<float> a = lower.As<T, float>(), b = upper.As<T, float>();
                even = Avx512F.PermuteVar16x32x2(a, evens, b).As<float, T>();
                odd = Avx512F.PermuteVar16x32x2(a, evens + Vector512<int>.One, b).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector512<long> evens = Vector512<long>.Indices * 2;
                Vector512<double> a = lower.As<T, double>(), b = upper.As<T, double>();
                even = Avx512F.PermuteVar8x64x2(a, evens, b).As<double, T>();
                odd = Avx512F.PermuteVar8x64x2(a, evens + Vector512<long>.One, b).As<double, T>();
                return;
            }
        }

        SimdFallback.Deinterleave<Vector512<T>, T>(lower, upper, out even, out odd, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> LoadMasked(T* source, Vector512<T> mask)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Avx512F.MaskLoad((float*)source, mask.As<T, float>(), Vector512<float>.Zero).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Avx512F.MaskLoad((double*)source, mask.As<T, double>(), Vector512<double>.Zero).As<double, T>();
            }
        }

        return SimdFallback.LoadMasked(source, mask, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked(Vector512<T> value, T* destination, Vector512<T> mask)
    {
        if (Avx512F.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Avx512F.MaskStore((float*)destination, mask.As<T, float>(), value.As<T, float>());
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Avx512F.MaskStore((double*)destination, mask.As<T, double>(), value.As<T, double>());
                return;
            }
        }

        SimdFallback.StoreMasked(value, destination, mask, Count);
    }
}
