using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// The one-lane "width" of <see cref="ISimd{TSelf, TVector, T}"/>: the vector is the element itself, so a kernel written
/// for the vector widths compiles to plain scalar code, and <see cref="SimdDispatch"/> has a scalar path for every kernel
/// where no vector width runs in hardware (<c>DOTNET_EnableHWIntrinsic=0</c>, or a CPU without SIMD). A software
/// <c>Vector128</c> there would be many times slower: each of its operations is a loop over lanes in memory.
/// </summary>
/// <remarks>
/// For <see cref="float"/> and <see cref="double"/> (arithmetic members throw for other types; the data-movement ones
/// work for any 4- or 8-byte type). Masks are all-ones or all-zero bit patterns of the element, and index lanes are the
/// element's bits read as an <see cref="int"/> or <see cref="long"/>, exactly as in one lane of the vector widths, so
/// every member gives lane 0 of what the vector members give.
/// </remarks>
internal readonly unsafe struct SimdScalar<T> : ISimd<SimdScalar<T>, T, T>
    where T : unmanaged
{
    public static int Count => 1;

    /// <summary>Always: scalar registers need nothing but the base instruction set.</summary>
    public static bool IsHardwareAccelerated => true;

    /// <summary>16: the floating-point registers every target has at least (x64 without EVEX; Arm64 has 32).</summary>
    public static int Registers => 16;

    public static T Zero => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Create(T value) => value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Load(T* source) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(T value, T* destination) => *destination = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T GreaterThan(T left, T right) => typeof(T) == typeof(float)
        ? Mask(Unsafe.BitCast<T, float>(left) > Unsafe.BitCast<T, float>(right))
        : typeof(T) == typeof(double) ? Mask(Unsafe.BitCast<T, double>(left) > Unsafe.BitCast<T, double>(right)) : NotFloatingPoint();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T IsNaN(T value) => typeof(T) == typeof(float)
        ? Mask(float.IsNaN(Unsafe.BitCast<T, float>(value)))
        : typeof(T) == typeof(double) ? Mask(double.IsNaN(Unsafe.BitCast<T, double>(value))) : NotFloatingPoint();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Or(T left, T right) => sizeof(T) == 4
        ? Unsafe.BitCast<int, T>(Unsafe.BitCast<T, int>(left) | Unsafe.BitCast<T, int>(right))
        : Unsafe.BitCast<long, T>(Unsafe.BitCast<T, long>(left) | Unsafe.BitCast<T, long>(right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Add(T left, T right) => typeof(T) == typeof(float)
        ? Unsafe.BitCast<float, T>(Unsafe.BitCast<T, float>(left) + Unsafe.BitCast<T, float>(right))
        : typeof(T) == typeof(double) ? Unsafe.BitCast<double, T>(Unsafe.BitCast<T, double>(left) + Unsafe.BitCast<T, double>(right)) : NotFloatingPoint();

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/>
    /// <remarks>The test is <see cref="SimdDispatch.FusedMultiplyAdd"/> spelled out (see there why).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T MultiplyAdd(T a, T b, T c)
    {
        if (typeof(T) == typeof(float))
        {
            float fa = Unsafe.BitCast<T, float>(a), fb = Unsafe.BitCast<T, float>(b), fc = Unsafe.BitCast<T, float>(c);
            return Unsafe.BitCast<float, T>(Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(fa, fb, fc) : (fa * fb) + fc);
        }

        if (typeof(T) == typeof(double))
        {
            double da = Unsafe.BitCast<T, double>(a), db = Unsafe.BitCast<T, double>(b), dc = Unsafe.BitCast<T, double>(c);
            return Unsafe.BitCast<double, T>(Fma.IsSupported || AdvSimd.IsSupported ? Math.FusedMultiplyAdd(da, db, dc) : (da * db) + dc);
        }

        return NotFloatingPoint();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T ConditionalSelect(T mask, T whenTrue, T whenFalse)
    {
        if (sizeof(T) == 4)
        {
            int m = Unsafe.BitCast<T, int>(mask);
            return Unsafe.BitCast<int, T>((Unsafe.BitCast<T, int>(whenTrue) & m) | (Unsafe.BitCast<T, int>(whenFalse) & ~m));
        }

        long w = Unsafe.BitCast<T, long>(mask);
        return Unsafe.BitCast<long, T>((Unsafe.BitCast<T, long>(whenTrue) & w) | (Unsafe.BitCast<T, long>(whenFalse) & ~w));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T CreateIndex(long value) => sizeof(T) == 1 ? Unsafe.BitCast<byte, T>((byte)value)
        : sizeof(T) == 2 ? Unsafe.BitCast<ushort, T>((ushort)value)
        : sizeof(T) == 4 ? Unsafe.BitCast<int, T>((int)value) : Unsafe.BitCast<long, T>(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T IndexRamp(long start, long step) => CreateIndex(start);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T AddIndex(T left, T right) => sizeof(T) == 4
        ? Unsafe.BitCast<int, T>(unchecked(Unsafe.BitCast<T, int>(left) + Unsafe.BitCast<T, int>(right)))
        : Unsafe.BitCast<long, T>(unchecked(Unsafe.BitCast<T, long>(left) + Unsafe.BitCast<T, long>(right)));

    /// <remarks>Widens int32 lanes by sign and narrows by truncation, as the vector widths do.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreIndex<TIndex>(T index, TIndex* destination)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Internal.IndexValue.Write(destination, IndexValue(index));

    /// <inheritdoc cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex<TIndex>(T codes, TIndex* destination, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => Internal.IndexValue.Write(destination, decode.Decode(sizeof(T) == 1 ? Unsafe.BitCast<T, byte>(codes) : Unsafe.BitCast<T, ushort>(codes), 0));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadIndex<TIndex>(TIndex* source)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => CreateIndex(Internal.IndexValue.Read(*source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T EqualsIndex(T left, T right) => Mask(IndexValue(left) == IndexValue(right));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave(T* source, out T even, out T odd)
    {
        even = source[0];
        odd = source[1];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadStrided(T* source, int stride) => *source;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleave(T a, T b, T* destination)
    {
        destination[0] = a;
        destination[1] = b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Interleave(T a, T b, out T lower, out T upper)
    {
        lower = a;
        upper = b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Deinterleave(T lower, T upper, out T even, out T odd)
    {
        even = lower;
        odd = upper;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LaneMask(int lo, int hi) => Mask(lo <= 0 && hi > 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T LoadMasked(T* source, T mask) => IndexValue(mask) != 0 ? *source : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreMasked(T value, T* destination, T mask)
    {
        if (IndexValue(mask) != 0)
        {
            *destination = value;
        }
    }

    /// <summary>The lane's bits as a signed integer of the element's width, sign-extended.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long IndexValue(T lane) => sizeof(T) == 4 ? Unsafe.BitCast<T, int>(lane) : Unsafe.BitCast<T, long>(lane);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Mask(bool set) => CreateIndex(set ? -1 : 0);

    private static T NotFloatingPoint() => throw new NotSupportedException($"SimdScalar<{typeof(T).Name}> computes in float or double only.");
}
