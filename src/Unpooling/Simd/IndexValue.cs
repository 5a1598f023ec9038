using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Reads and writes of one index of any <see cref="IBinaryInteger{TSelf}"/> type. <see cref="int"/> and
/// <see cref="long"/> keep their plain loads and stores (the JIT folds the type tests away, so their kernels compile to
/// the code they always had); every other type goes through <c>CreateTruncating</c>, which stores exactly the type's
/// width. Writes are exact once <see cref="Guard.IndexSpace{TIndex}"/> has proved the index space fits the type.
/// </summary>
/// <remarks>
/// The <c>Is*Bit</c> tests name the types whose values are their two's-complement bits at that width, so a kernel may
/// move them as raw int32 or int64 lanes (signed and unsigned alike: the bits are the same for the values the index
/// space admits). Any other type, including a user-defined <see cref="IBinaryInteger{TSelf}"/>, takes the exact
/// per-element path: never "not int, therefore long".
/// </remarks>
internal static unsafe class IndexValue
{
    /// <summary>Whether <typeparamref name="TIndex"/> is a 32-bit integer (<see cref="int"/>, <see cref="uint"/>, and <see cref="nint"/>/<see cref="nuint"/> on 32-bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a JIT-time constant only when inlined
    public static bool Is32Bit<TIndex>()
        => typeof(TIndex) == typeof(int) || typeof(TIndex) == typeof(uint)
           || (sizeof(nint) == 4 && (typeof(TIndex) == typeof(nint) || typeof(TIndex) == typeof(nuint)));

    /// <summary>Whether <typeparamref name="TIndex"/> is a 64-bit integer (<see cref="long"/>, <see cref="ulong"/>, and <see cref="nint"/>/<see cref="nuint"/> on 64-bit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a JIT-time constant only when inlined
    public static bool Is64Bit<TIndex>()
        => typeof(TIndex) == typeof(long) || typeof(TIndex) == typeof(ulong)
           || (sizeof(nint) == 8 && (typeof(TIndex) == typeof(nint) || typeof(TIndex) == typeof(nuint)));

    /// <summary>Whether <typeparamref name="TIndex"/> is a 16-bit integer (<see cref="short"/>, <see cref="ushort"/>, <see cref="char"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a JIT-time constant only when inlined
    public static bool Is16Bit<TIndex>() => typeof(TIndex) == typeof(short) || typeof(TIndex) == typeof(ushort) || typeof(TIndex) == typeof(char);

    /// <summary>Whether <typeparamref name="TIndex"/> is an 8-bit integer (<see cref="byte"/>, <see cref="sbyte"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a JIT-time constant only when inlined
    public static bool Is8Bit<TIndex>() => typeof(TIndex) == typeof(byte) || typeof(TIndex) == typeof(sbyte);

    /// <summary>Stores <paramref name="value"/> (inside the checked index space) as a <typeparamref name="TIndex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Write<TIndex>(TIndex* destination, long value)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(TIndex) == typeof(int))
        {
            *(int*)destination = (int)value;
        }
        else if (typeof(TIndex) == typeof(long))
        {
            *(long*)destination = value;
        }
        else
        {
            *destination = TIndex.CreateTruncating(value);
        }
    }

    /// <summary>
    /// The index's value, exact for every value of an integer type up to 64 bits and for any value that passed
    /// validation; larger magnitudes of wider types become <see cref="long.MinValue"/> or <see cref="long.MaxValue"/>,
    /// which stay out of every range (a truncation could wrap a huge <see cref="Int128"/> into range).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Read<TIndex>(TIndex value)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(TIndex) == typeof(int))
        {
            return Unsafe.BitCast<TIndex, int>(value);
        }

        if (typeof(TIndex) == typeof(long))
        {
            return Unsafe.BitCast<TIndex, long>(value);
        }

        return long.CreateSaturating(value);
    }

    /// <summary>Whether <paramref name="value"/> lies in <c>[0, limit)</c> (<paramref name="limit"/> &gt;= 0), for any type and value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InRange<TIndex>(TIndex value, long limit)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => (ulong)Read(value) < (ulong)limit;
}
