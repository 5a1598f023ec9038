using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>The 256-bit width of <see cref="ISimd{TSelf, TVector, T}"/>: arithmetic for <see cref="float"/> and <see cref="double"/>;
/// compares, selects, loads and index lanes also for the integer elements of <see cref="SimdDispatch.RunLanes{T, TBody}"/>.</summary>
internal readonly unsafe struct Simd256<T> : ISimd<Simd256<T>, Vector256<T>, T>
    where T : unmanaged
{
    public static int Count => Vector256<T>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    public static int Registers => Avx512F.VL.IsSupported || AdvSimd.IsSupported ? 32 : 16;

    public static Vector256<T> Zero => Vector256<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Create(T value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Load(T* source) => Vector256.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<T> value, T* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> GreaterThan(Vector256<T> left, Vector256<T> right) => Vector256.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> IsNaN(Vector256<T> value) => Vector256.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Or(Vector256<T> left, Vector256<T> right) => left | right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> Add(Vector256<T> left, Vector256<T> right) => left + right;

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/>
    /// <remarks>The test is <see cref="SimdDispatch.FusedMultiplyAdd"/> spelled out (see there why).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MultiplyAdd(Vector256<T> a, Vector256<T> b, Vector256<T> c) => !(Fma.IsSupported || AdvSimd.IsSupported)
        ? (a * b) + c
        : typeof(T) == typeof(float)
            ? Vector256.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>()
            : Vector256.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> ConditionalSelect(Vector256<T> mask, Vector256<T> whenTrue, Vector256<T> whenFalse)
        => Vector256.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> CreateIndex(long value) => sizeof(T) == 1 ? Vector256.Create((byte)value).As<byte, T>()
        : sizeof(T) == 2 ? Vector256.Create((ushort)value).As<ushort, T>()
        : sizeof(T) == 4
        ? Vector256.Create((int)value).As<int, T>()
        : Vector256.Create(value).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> IndexRamp(long start, long step) => sizeof(T) == 4
        ? ((Vector256<int>.Indices * (int)step) + Vector256.Create((int)start)).As<int, T>()
        : ((Vector256<long>.Indices * step) + Vector256.Create(start)).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> AddIndex(Vector256<T> left, Vector256<T> right) => sizeof(T) == 4
        ? (left.As<T, int>() + right.As<T, int>()).As<int, T>()
        : (left.As<T, long>() + right.As<T, long>()).As<long, T>();

    /// <remarks>
    /// 32- and 64-bit index types move as whole vectors; 16- and 8-bit ones are narrowed in registers (truncating, exact
    /// for the checked index space) and stored as one scalar or vector of <c>Count * sizeof(TIndex)</c> bytes; any other
    /// type (128-bit, user-defined) is stored one lane at a time.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TIndex>(Vector256<T> index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 4)
        {
            Vector256<int> lanes = index.As<T, int>();
            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                lanes.Store((int*)destination);
            }
            else if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                (Vector256<long> lower, Vector256<long> upper) = Vector256.Widen(lanes);
                lower.Store((long*)destination);
                upper.Store((long*)destination + Vector256<long>.Count);
            }
            else if (IndexValue.Is16Bit<TIndex>() || IndexValue.Is8Bit<TIndex>())
            {
                StoreNarrow<TIndex>(Vector256.Narrow(lanes, lanes), destination);
            }
            else
            {
                SimdFallback.StoreIndex<Vector256<T>, T, TIndex>(index, destination, Count);
            }
        }
        else
        {
            Vector256<long> lanes = index.As<T, long>();
            if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                lanes.Store((long*)destination);
            }
            else if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                Vector256.Narrow(lanes, Vector256<long>.Zero).GetLower().Store((int*)destination);
            }
            else if (IndexValue.Is16Bit<TIndex>() || IndexValue.Is8Bit<TIndex>())
            {
                Vector256<int> narrowed = Vector256.Narrow(lanes, lanes);
                StoreNarrow<TIndex>(Vector256.Narrow(narrowed, narrowed), destination);
            }
            else
            {
                SimdFallback.StoreIndex<Vector256<T>, T, TIndex>(index, destination, Count);
            }
        }
    }

    /// <summary>
    /// Stores the first <c>Count</c> of <paramref name="lanes"/> (16-bit lanes in their own order) as 16-bit indices, or
    /// narrows them once more to 8-bit indices: <c>Count * sizeof(TIndex)</c> bytes, written as one piece.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNarrow<TIndex>(Vector256<short> lanes, TIndex* destination)
        where TIndex : unmanaged
    {
        Vector256<byte> bytes = sizeof(TIndex) == 2 ? lanes.AsByte() : Vector256.Narrow(lanes, lanes).AsByte();
        SimdLanes.StoreLowBytes(bytes.GetLower(), destination, Count * sizeof(TIndex));
    }

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex<TIndex>(Vector256<T> codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => SimdLanes.StoreTapIndex256(codes, destination, decode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out Vector256<T> even, out Vector256<T> odd)
    {
        if (typeof(T) == typeof(int))
        {
            // Bits move unchanged: the float shuffles serve int32 elements.
            Simd256<float>.LoadDeinterleave((float*)source, out Vector256<float> e, out Vector256<float> o);
            even = e.As<float, T>();
            odd = o.As<float, T>();
            return;
        }

        if (sizeof(T) < 4)
        {
            SimdLanes.LoadDeinterleave256(source, out even, out odd);
            return;
        }

        if (Avx2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector256<float> a = Vector256.Load((float*)source);
                Vector256<float> b = Vector256.Load((float*)source + 8);

                // In-lane shuffle gives [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute (0,2,1,3) restores order.
                even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).As<double, T>();
                odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).As<double, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector256<double> a = Vector256.Load((double*)source);
                Vector256<double> b = Vector256.Load((double*)source + 4);
                even = Avx2.Permute4x64(Avx.UnpackLow(a, b), 0b11_01_10_00).As<double, T>();
                odd = Avx2.Permute4x64(Avx.UnpackHigh(a, b), 0b11_01_10_00).As<double, T>();
                return;
            }
        }

        SimdFallback.LoadDeinterleave(source, Count, out even, out odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadStrided(T* source, int stride)
    {
        if (typeof(T) == typeof(int))
        {
            return Simd256<float>.LoadStrided((float*)source, stride).As<float, T>();
        }

        if (Avx2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Avx2.GatherVector256((float*)source, Vector256<int>.Indices * stride, 4).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Avx2.GatherVector256((double*)source, Vector256<long>.Indices * stride, 8).As<double, T>();
            }
        }

        return SimdFallback.LoadStrided<Vector256<T>, T>(source, stride, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleave(Vector256<T> a, Vector256<T> b, T* destination)
    {
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector256<float> fa = a.As<T, float>(), fb = b.As<T, float>();
                Vector256<float> low = Avx.UnpackLow(fa, fb), high = Avx.UnpackHigh(fa, fb);
                Avx.Permute2x128(low, high, 0x20).Store((float*)destination);
                Avx.Permute2x128(low, high, 0x31).Store((float*)destination + 8);
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector256<double> da = a.As<T, double>(), db = b.As<T, double>();
                Vector256<double> low = Avx.UnpackLow(da, db), high = Avx.UnpackHigh(da, db);
                Avx.Permute2x128(low, high, 0x20).Store((double*)destination);
                Avx.Permute2x128(low, high, 0x31).Store((double*)destination + 4);
                return;
            }
        }

        SimdFallback.StoreInterleave(a, b, destination, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 4)
        {
            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                return Vector256.Load((int*)source).As<int, T>();
            }

            if (typeof(TIndex) != typeof(long) && !IndexValue.Is64Bit<TIndex>())
            {
                return SimdFallback.LoadIndex<Vector256<T>, T, TIndex>(source, Count);
            }

            Vector256<long> lower = Vector256.Load((long*)source);
            Vector256<long> upper = Vector256.Load((long*)source + Vector256<long>.Count);
            return Vector256.Narrow(lower, upper).As<int, T>();
        }
        else
        {
            if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                return Vector256.Load((long*)source).As<long, T>();
            }

            if (typeof(TIndex) != typeof(int) && !IndexValue.Is32Bit<TIndex>())
            {
                return SimdFallback.LoadIndex<Vector256<T>, T, TIndex>(source, Count);
            }

            return Vector256.WidenLower(Vector256.Create(Vector128.Load((int*)source), Vector128<int>.Zero)).As<long, T>();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> EqualsIndex(Vector256<T> left, Vector256<T> right) => sizeof(T) == 4
        ? Vector256.Equals(left.As<T, int>(), right.As<T, int>()).As<int, T>()
        : Vector256.Equals(left.As<T, long>(), right.As<T, long>()).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LaneMask(int lo, int hi) => sizeof(T) == 4
        ? (Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(lo)) & Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(hi))).As<int, T>()
        : (Vector256.GreaterThanOrEqual(Vector256<long>.Indices, Vector256.Create((long)lo)) & Vector256.LessThan(Vector256<long>.Indices, Vector256.Create((long)hi))).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector256<T> a, Vector256<T> b, out Vector256<T> lower, out Vector256<T> upper)
    {
        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector256<float> fa = a.As<T, float>(), fb = b.As<T, float>();
                Vector256<float> low = Avx.UnpackLow(fa, fb), high = Avx.UnpackHigh(fa, fb);
                lower = Avx.Permute2x128(low, high, 0x20).As<float, T>();
                upper = Avx.Permute2x128(low, high, 0x31).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector256<double> da = a.As<T, double>(), db = b.As<T, double>();
                Vector256<double> low = Avx.UnpackLow(da, db), high = Avx.UnpackHigh(da, db);
                lower = Avx.Permute2x128(low, high, 0x20).As<double, T>();
                upper = Avx.Permute2x128(low, high, 0x31).As<double, T>();
                return;
            }
        }

        SimdFallback.Interleave<Vector256<T>, T>(a, b, out lower, out upper, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector256<T> lower, Vector256<T> upper, out Vector256<T> even, out Vector256<T> odd)
    {
        if (Avx2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector256<float> a = lower.As<T, float>(), b = upper.As<T, float>();
                even = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).As<double, T>();
                odd = Avx2.Permute4x64(Avx.Shuffle(a, b, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).As<double, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector256<double> a = lower.As<T, double>(), b = upper.As<T, double>();
                even = Avx2.Permute4x64(Avx.UnpackLow(a, b), 0b11_01_10_00).As<double, T>();
                odd = Avx2.Permute4x64(Avx.UnpackHigh(a, b), 0b11_01_10_00).As<double, T>();
                return;
            }
        }

        SimdFallback.Deinterleave<Vector256<T>, T>(lower, upper, out even, out odd, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> LoadMasked(T* source, Vector256<T> mask)
    {
        // AVX-512 masks (k registers) are cheap on both sides; AVX's vmaskmov is the fallback (slow stores on AMD).
        if (Avx512F.VL.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Avx512F.VL.MaskLoad((float*)source, mask.As<T, float>(), Vector256<float>.Zero).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Avx512F.VL.MaskLoad((double*)source, mask.As<T, double>(), Vector256<double>.Zero).As<double, T>();
            }
        }

        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Avx.MaskLoad((float*)source, mask.As<T, float>()).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Avx.MaskLoad((double*)source, mask.As<T, double>()).As<double, T>();
            }
        }

        return SimdFallback.LoadMasked(source, mask, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked(Vector256<T> value, T* destination, Vector256<T> mask)
    {
        if (Avx512F.VL.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Avx512F.VL.MaskStore((float*)destination, mask.As<T, float>(), value.As<T, float>());
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Avx512F.VL.MaskStore((double*)destination, mask.As<T, double>(), value.As<T, double>());
                return;
            }
        }

        if (Avx.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Avx.MaskStore((float*)destination, mask.As<T, float>(), value.As<T, float>());
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Avx.MaskStore((double*)destination, mask.As<T, double>(), value.As<T, double>());
                return;
            }
        }

        SimdFallback.StoreMasked(value, destination, mask, Count);
    }
}
