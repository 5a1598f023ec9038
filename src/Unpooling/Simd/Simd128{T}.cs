using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>The 128-bit width of <see cref="ISimd{TSelf, TVector, T}"/>: arithmetic for <see cref="float"/> and <see cref="double"/>;
/// compares, selects, loads and index lanes also for the integer elements of <see cref="SimdDispatch.RunLanes{T, TBody}"/>.</summary>
internal readonly unsafe struct Simd128<T> : ISimd<Simd128<T>, Vector128<T>, T>
    where T : unmanaged
{
    public static int Count => Vector128<T>.Count;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    public static int Registers => Avx512F.VL.IsSupported || AdvSimd.IsSupported ? 32 : 16;

    public static Vector128<T> Zero => Vector128<T>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Create(T value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Load(T* source) => Vector128.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<T> value, T* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> GreaterThan(Vector128<T> left, Vector128<T> right) => Vector128.GreaterThan(left, right);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> IsNaN(Vector128<T> value) => Vector128.IsNaN(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Or(Vector128<T> left, Vector128<T> right) => left | right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> Add(Vector128<T> left, Vector128<T> right) => left + right;

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/>
    /// <remarks>The test is <see cref="SimdDispatch.FusedMultiplyAdd"/> spelled out (see there why).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> MultiplyAdd(Vector128<T> a, Vector128<T> b, Vector128<T> c) => !(Fma.IsSupported || AdvSimd.IsSupported)
        ? (a * b) + c
        : typeof(T) == typeof(float)
            ? Vector128.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>()
            : Vector128.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> ConditionalSelect(Vector128<T> mask, Vector128<T> whenTrue, Vector128<T> whenFalse)
        => Vector128.ConditionalSelect(mask, whenTrue, whenFalse);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> CreateIndex(long value) => sizeof(T) == 1 ? Vector128.Create((byte)value).As<byte, T>()
        : sizeof(T) == 2 ? Vector128.Create((ushort)value).As<ushort, T>()
        : sizeof(T) == 4
        ? Vector128.Create((int)value).As<int, T>()
        : Vector128.Create(value).As<long, T>();

    /// <remarks>Two int64 lanes are built from scalars: a 64-bit lane multiply has no instruction before AVX-512 (x64
    /// emulates it with three 32-bit multiplies) nor on Arm64 (where it is done per lane).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> IndexRamp(long start, long step) => sizeof(T) == 4
        ? ((Vector128<int>.Indices * (int)step) + Vector128.Create((int)start)).As<int, T>()
        : Vector128.Create(start, unchecked(start + step)).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> AddIndex(Vector128<T> left, Vector128<T> right) => sizeof(T) == 4
        ? (left.As<T, int>() + right.As<T, int>()).As<int, T>()
        : (left.As<T, long>() + right.As<T, long>()).As<long, T>();

    /// <remarks>
    /// 32- and 64-bit index types move as whole vectors; 16- and 8-bit ones are narrowed in registers (truncating, exact
    /// for the checked index space) and stored as one scalar or vector of <c>Count * sizeof(TIndex)</c> bytes; any other
    /// type (128-bit, user-defined) is stored one lane at a time.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TIndex>(Vector128<T> index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 4)
        {
            Vector128<int> lanes = index.As<T, int>();
            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                lanes.Store((int*)destination);
            }
            else if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                (Vector128<long> lower, Vector128<long> upper) = Vector128.Widen(lanes);
                lower.Store((long*)destination);
                upper.Store((long*)destination + Vector128<long>.Count);
            }
            else if (IndexValue.Is16Bit<TIndex>() || IndexValue.Is8Bit<TIndex>())
            {
                StoreNarrow<TIndex>(Vector128.Narrow(lanes, lanes), destination);
            }
            else
            {
                SimdFallback.StoreIndex<Vector128<T>, T, TIndex>(index, destination, Count);
            }
        }
        else
        {
            Vector128<long> lanes = index.As<T, long>();
            if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                lanes.Store((long*)destination);
            }
            else if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                Vector128<int> narrowed = Vector128.Narrow(lanes, Vector128<long>.Zero);
                *(long*)destination = narrowed.AsInt64().ToScalar();
            }
            else if (IndexValue.Is16Bit<TIndex>() || IndexValue.Is8Bit<TIndex>())
            {
                Vector128<int> narrowed = Vector128.Narrow(lanes, lanes);
                StoreNarrow<TIndex>(Vector128.Narrow(narrowed, narrowed), destination);
            }
            else
            {
                SimdFallback.StoreIndex<Vector128<T>, T, TIndex>(index, destination, Count);
            }
        }
    }

    /// <summary>
    /// Stores the first <c>Count</c> of <paramref name="lanes"/> (16-bit lanes in their own order) as 16-bit indices, or
    /// narrows them once more to 8-bit indices: <c>Count * sizeof(TIndex)</c> bytes, written as one piece.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreNarrow<TIndex>(Vector128<short> lanes, TIndex* destination)
        where TIndex : unmanaged
    {
        Vector128<byte> bytes = sizeof(TIndex) == 2 ? lanes.AsByte() : Vector128.Narrow(lanes, lanes).AsByte();
        SimdLanes.StoreLowBytes(bytes, destination, Count * sizeof(TIndex));
    }

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex<TIndex>(Vector128<T> codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => SimdLanes.StoreTapIndex128(codes, destination, decode);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out Vector128<T> even, out Vector128<T> odd)
    {
        if (typeof(T) == typeof(int))
        {
            // Bits move unchanged: the float shuffles serve int32 elements.
            Simd128<float>.LoadDeinterleave((float*)source, out Vector128<float> e, out Vector128<float> o);
            even = e.As<float, T>();
            odd = o.As<float, T>();
            return;
        }

        if (sizeof(T) < 4)
        {
            SimdLanes.LoadDeinterleave128(source, out even, out odd);
            return;
        }

        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector128<float> a = Vector128.Load((float*)source);
                Vector128<float> b = Vector128.Load((float*)source + 4);
                even = Sse.Shuffle(a, b, 0b10_00_10_00).As<float, T>();
                odd = Sse.Shuffle(a, b, 0b11_01_11_01).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector128<double> a = Vector128.Load((double*)source);
                Vector128<double> b = Vector128.Load((double*)source + 2);
                even = Sse2.UnpackLow(a, b).As<double, T>();
                odd = Sse2.UnpackHigh(a, b).As<double, T>();
                return;
            }
        }

        if (AdvSimd.Arm64.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            Vector128<T> a = Vector128.Load(source), b = Vector128.Load(source + Count);
            Deinterleave(a, b, out even, out odd);
            return;
        }

        SimdFallback.LoadDeinterleave(source, Count, out even, out odd);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LoadStrided(T* source, int stride)
    {
        if (typeof(T) == typeof(int))
        {
            return Simd128<float>.LoadStrided((float*)source, stride).As<float, T>();
        }

        if (Avx2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                return Avx2.GatherVector128((float*)source, Vector128<int>.Indices * stride, 4).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Avx2.GatherVector128((double*)source, Vector128<long>.Indices * stride, 8).As<double, T>();
            }
        }

        // Without a gather (SSE, AVX, Arm64) the lanes are inserted from scalar loads in registers, rather than stored one
        // by one to memory and reloaded as a vector, which stalls on the store forwarding.
        if (Vector128.IsHardwareAccelerated)
        {
            if (typeof(T) == typeof(float))
            {
                float* f = (float*)source;
                nint s = stride;
                return Vector128.Create(f[0], f[s], f[2 * s], f[3 * s]).As<float, T>();
            }

            if (typeof(T) == typeof(double))
            {
                return Vector128.Create(((double*)source)[0], ((double*)source)[stride]).As<double, T>();
            }
        }

        return SimdFallback.LoadStrided<Vector128<T>, T>(source, stride, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleave(Vector128<T> a, Vector128<T> b, T* destination)
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector128<float> fa = a.As<T, float>(), fb = b.As<T, float>();
                Sse.UnpackLow(fa, fb).Store((float*)destination);
                Sse.UnpackHigh(fa, fb).Store((float*)destination + 4);
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector128<double> da = a.As<T, double>(), db = b.As<T, double>();
                Sse2.UnpackLow(da, db).Store((double*)destination);
                Sse2.UnpackHigh(da, db).Store((double*)destination + 2);
                return;
            }
        }

        if (AdvSimd.Arm64.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            Interleave(a, b, out Vector128<T> lower, out Vector128<T> upper);
            lower.Store(destination);
            upper.Store(destination + Count);
            return;
        }

        SimdFallback.StoreInterleave(a, b, destination, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 4)
        {
            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                return Vector128.Load((int*)source).As<int, T>();
            }

            if (typeof(TIndex) != typeof(long) && !IndexValue.Is64Bit<TIndex>())
            {
                return SimdFallback.LoadIndex<Vector128<T>, T, TIndex>(source, Count);
            }

            Vector128<long> lower = Vector128.Load((long*)source);
            Vector128<long> upper = Vector128.Load((long*)source + Vector128<long>.Count);
            return Vector128.Narrow(lower, upper).As<int, T>();
        }
        else
        {
            if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                return Vector128.Load((long*)source).As<long, T>();
            }

            if (typeof(TIndex) != typeof(int) && !IndexValue.Is32Bit<TIndex>())
            {
                return SimdFallback.LoadIndex<Vector128<T>, T, TIndex>(source, Count);
            }

            Vector128<int> narrow = Vector128.CreateScalar(*(long*)source).AsInt32();
            return Vector128.WidenLower(narrow).As<long, T>();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> EqualsIndex(Vector128<T> left, Vector128<T> right) => sizeof(T) == 4
        ? Vector128.Equals(left.As<T, int>(), right.As<T, int>()).As<int, T>()
        : Vector128.Equals(left.As<T, long>(), right.As<T, long>()).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LaneMask(int lo, int hi) => sizeof(T) == 4
        ? (Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(lo)) & Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(hi))).As<int, T>()
        : (Vector128.GreaterThanOrEqual(Vector128<long>.Indices, Vector128.Create((long)lo)) & Vector128.LessThan(Vector128<long>.Indices, Vector128.Create((long)hi))).As<long, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(Vector128<T> a, Vector128<T> b, out Vector128<T> lower, out Vector128<T> upper)
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector128<float> fa = a.As<T, float>(), fb = b.As<T, float>();
                lower = Sse.UnpackLow(fa, fb).As<float, T>();
                upper = Sse.UnpackHigh(fa, fb).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector128<double> da = a.As<T, double>(), db = b.As<T, double>();
                lower = Sse2.UnpackLow(da, db).As<double, T>();
                upper = Sse2.UnpackHigh(da, db).As<double, T>();
                return;
            }
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            // zip1/zip2: the Arm64 forms of unpcklps/unpckhps.
            if (typeof(T) == typeof(float))
            {
                Vector128<float> fa = a.As<T, float>(), fb = b.As<T, float>();
                lower = AdvSimd.Arm64.ZipLow(fa, fb).As<float, T>();
                upper = AdvSimd.Arm64.ZipHigh(fa, fb).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector128<double> da = a.As<T, double>(), db = b.As<T, double>();
                lower = AdvSimd.Arm64.ZipLow(da, db).As<double, T>();
                upper = AdvSimd.Arm64.ZipHigh(da, db).As<double, T>();
                return;
            }
        }

        SimdFallback.Interleave<Vector128<T>, T>(a, b, out lower, out upper, Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(Vector128<T> lower, Vector128<T> upper, out Vector128<T> even, out Vector128<T> odd)
    {
        if (Sse2.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Vector128<float> a = lower.As<T, float>(), b = upper.As<T, float>();
                even = Sse.Shuffle(a, b, 0b10_00_10_00).As<float, T>();
                odd = Sse.Shuffle(a, b, 0b11_01_11_01).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector128<double> a = lower.As<T, double>(), b = upper.As<T, double>();
                even = Sse2.UnpackLow(a, b).As<double, T>();
                odd = Sse2.UnpackHigh(a, b).As<double, T>();
                return;
            }
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            // uzp1/uzp2: the Arm64 forms of the even/odd shufps.
            if (typeof(T) == typeof(float))
            {
                Vector128<float> a = lower.As<T, float>(), b = upper.As<T, float>();
                even = AdvSimd.Arm64.UnzipEven(a, b).As<float, T>();
                odd = AdvSimd.Arm64.UnzipOdd(a, b).As<float, T>();
                return;
            }

            if (typeof(T) == typeof(double))
            {
                Vector128<double> a = lower.As<T, double>(), b = upper.As<T, double>();
                even = AdvSimd.Arm64.UnzipEven(a, b).As<double, T>();
                odd = AdvSimd.Arm64.UnzipOdd(a, b).As<double, T>();
                return;
            }
        }

        SimdFallback.Deinterleave<Vector128<T>, T>(lower, upper, out even, out odd, Count);
    }

    /// <remarks>
    /// Through the 256-bit form with the upper lanes masked off (the masked lanes are never touched) where AVX has
    /// masked moves; without AVX (SSE, Arm64) lane by lane, each set lane a scalar load inserted in registers: the masks
    /// here cover the ends of rows, so at most a few lanes per row pay for it.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<T> LoadMasked(T* source, Vector128<T> mask)
    {
        if (Avx.IsSupported)
        {
            return Simd256<T>.LoadMasked(source, Vector256.Create(mask, Vector128<T>.Zero)).GetLower();
        }

        if (Vector128.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            uint lanes = mask.ExtractMostSignificantBits();
            Vector128<T> result = Vector128<T>.Zero;
            if ((lanes & 1) != 0)
            {
                result = result.WithElement(0, source[0]);
            }

            if ((lanes & 2) != 0)
            {
                result = result.WithElement(1, source[1]);
            }

            if (Count == 4)
            {
                if ((lanes & 4) != 0)
                {
                    result = result.WithElement(2, source[2]);
                }

                if ((lanes & 8) != 0)
                {
                    result = result.WithElement(3, source[3]);
                }
            }

            return result;
        }

        return SimdFallback.LoadMasked(source, mask, Count);
    }

    /// <inheritdoc cref="LoadMasked(T*, Vector128{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked(Vector128<T> value, T* destination, Vector128<T> mask)
    {
        if (Avx.IsSupported)
        {
            Simd256<T>.StoreMasked(Vector256.Create(value, Vector128<T>.Zero), destination, Vector256.Create(mask, Vector128<T>.Zero));
            return;
        }

        if (Vector128.IsHardwareAccelerated && (typeof(T) == typeof(float) || typeof(T) == typeof(double)))
        {
            uint lanes = mask.ExtractMostSignificantBits();
            if ((lanes & 1) != 0)
            {
                destination[0] = value.ToScalar();
            }

            if ((lanes & 2) != 0)
            {
                destination[1] = value.GetElement(1);
            }

            if (Count == 4)
            {
                if ((lanes & 4) != 0)
                {
                    destination[2] = value.GetElement(2);
                }

                if ((lanes & 8) != 0)
                {
                    destination[3] = value.GetElement(3);
                }
            }

            return;
        }

        SimdFallback.StoreMasked(value, destination, mask, Count);
    }
}
