using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// The 8- and 16-bit lane members of the vector widths (DESIGN.md section 4): deinterleaving loads and the tap-code
/// index store, written once per width with the cross-platform <c>VectorN</c> operations.
/// </summary>
internal static unsafe class SimdLanes
{
    /// <summary>
    /// Stores the lowest <paramref name="length"/> bytes (2, 4, 8 or 16: a constant per instantiation) of
    /// <paramref name="bytes"/> as one piece: narrowed index and tap-code stores of every width end here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreLowBytes(Vector128<byte> bytes, void* destination, int length)
    {
        switch (length)
        {
            case 2:
                Unsafe.WriteUnaligned(destination, bytes.AsUInt16().ToScalar());
                break;
            case 4:
                Unsafe.WriteUnaligned(destination, bytes.AsUInt32().ToScalar());
                break;
            case 8:
                Unsafe.WriteUnaligned(destination, bytes.AsUInt64().ToScalar());
                break;
            case 16:
                Unsafe.WriteUnaligned(destination, bytes);
                break;
            default:
                Debug.Fail("no store of this many bytes");
                break;
        }
    }

    /// <summary>Loads <c>2 * Count</c> 8- or 16-bit elements and splits them into even and odd positions.</summary>
    /// <remarks>Pairs are read as one wider lane: the low half is the even element, the high half the odd one.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave128<T>(T* source, out Vector128<T> even, out Vector128<T> odd)
        where T : unmanaged
    {
        if (sizeof(T) == 2)
        {
            Vector128<uint> a = Vector128.Load((uint*)source), b = Vector128.Load((uint*)source + Vector128<uint>.Count);
            Vector128<uint> low = Vector128.Create(0xFFFFu);
            even = Vector128.Narrow(a & low, b & low).As<ushort, T>();
            odd = Vector128.Narrow(a >>> 16, b >>> 16).As<ushort, T>();
        }
        else
        {
            Debug.Assert(sizeof(T) == 1, "8- and 16-bit elements only");
            Vector128<ushort> a = Vector128.Load((ushort*)source), b = Vector128.Load((ushort*)source + Vector128<ushort>.Count);
            Vector128<ushort> low = Vector128.Create((ushort)0xFF);
            even = Vector128.Narrow(a & low, b & low).As<byte, T>();
            odd = Vector128.Narrow(a >>> 8, b >>> 8).As<byte, T>();
        }
    }

    /// <summary>
    /// Stores 8- or 16-bit tap-code lanes as indices. In-window indices of the lane's own width are the codes stored as
    /// they are, and 16-bit codes into 8-bit indices one narrowing in registers and one store; everything else is
    /// widened to int32 lanes, decoded there, and stored by the int32 index store (any index type).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex128<T, TIndex>(Vector128<T> codes, TIndex* destination, in TapDecode decode)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 1)
        {
            Vector128<byte> bytes = codes.AsByte();
            if (decode.IsInWindow && IndexValue.Is8Bit<TIndex>())
            {
                bytes.Store((byte*)destination);
                return;
            }

            (Vector128<ushort> lower, Vector128<ushort> upper) = Vector128.Widen(bytes);
            if (decode.IsInWindow && IndexValue.Is16Bit<TIndex>())
            {
                lower.Store((ushort*)destination);
                upper.Store((ushort*)destination + Vector128<ushort>.Count);
                return;
            }

            StoreDecoded128(lower, destination, 0, decode);
            StoreDecoded128(upper, destination + Vector128<ushort>.Count, Vector128<ushort>.Count, decode);
        }
        else
        {
            Debug.Assert(sizeof(T) == 2, "8- and 16-bit elements only");
            Vector128<ushort> shorts = codes.AsUInt16();
            if (decode.IsInWindow && IndexValue.Is16Bit<TIndex>())
            {
                shorts.Store((ushort*)destination);
                return;
            }

            if (decode.IsInWindow && IndexValue.Is8Bit<TIndex>())
            {
                Unsafe.WriteUnaligned(destination, Vector128.Narrow(shorts, shorts).AsUInt64().ToScalar());
                return;
            }

            StoreDecoded128(shorts, destination, 0, decode);
        }
    }

    /// <summary>Widens 16-bit codes to int32 lanes, decodes them, and stores them as <typeparamref name="TIndex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDecoded128<TIndex>(Vector128<ushort> codes, TIndex* destination, int lane, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        (Vector128<uint> lower, Vector128<uint> upper) = Vector128.Widen(codes);
        Simd128<int>.StoreIndex(Decode128(lower.AsInt32(), lane, decode), destination);
        Simd128<int>.StoreIndex(Decode128(upper.AsInt32(), lane + Vector128<int>.Count, decode), destination + Vector128<int>.Count);
    }

    /// <summary>The vector form of <see cref="TapDecode.Decode"/> for lanes <c>lane, lane + 1, ...</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Decode128(Vector128<int> code, int lane, in TapDecode decode)
    {
        if (decode.IsInWindow)
        {
            return code;
        }

        Vector128<int> kh = Vector128.ConvertToInt32Native(Vector128.ConvertToSingle(code) * Vector128.Create(decode.Reciprocal));
        Vector128<int> kw = code - (kh * decode.KernelWidth);
        return (Vector128<int>.Indices * decode.Step) + Vector128.Create(unchecked(decode.Start + (lane * decode.Step)))
            + (kh * decode.RowStep) + (kw * decode.ColumnStep);
    }

    /// <summary>Loads <c>2 * Count</c> 8- or 16-bit elements and splits them into even and odd positions.</summary>
    /// <remarks>Pairs are read as one wider lane: the low half is the even element, the high half the odd one.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave256<T>(T* source, out Vector256<T> even, out Vector256<T> odd)
        where T : unmanaged
    {
        if (sizeof(T) == 2)
        {
            Vector256<uint> a = Vector256.Load((uint*)source), b = Vector256.Load((uint*)source + Vector256<uint>.Count);
            Vector256<uint> low = Vector256.Create(0xFFFFu);
            even = Vector256.Narrow(a & low, b & low).As<ushort, T>();
            odd = Vector256.Narrow(a >>> 16, b >>> 16).As<ushort, T>();
        }
        else
        {
            Debug.Assert(sizeof(T) == 1, "8- and 16-bit elements only");
            Vector256<ushort> a = Vector256.Load((ushort*)source), b = Vector256.Load((ushort*)source + Vector256<ushort>.Count);
            Vector256<ushort> low = Vector256.Create((ushort)0xFF);
            even = Vector256.Narrow(a & low, b & low).As<byte, T>();
            odd = Vector256.Narrow(a >>> 8, b >>> 8).As<byte, T>();
        }
    }

    /// <summary>
    /// Stores 8- or 16-bit tap-code lanes as indices. In-window indices of the lane's own width are the codes stored as
    /// they are, and 16-bit codes into 8-bit indices one narrowing in registers and one store; everything else is
    /// widened to int32 lanes, decoded there, and stored by the int32 index store (any index type).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex256<T, TIndex>(Vector256<T> codes, TIndex* destination, in TapDecode decode)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 1)
        {
            Vector256<byte> bytes = codes.AsByte();
            if (decode.IsInWindow && IndexValue.Is8Bit<TIndex>())
            {
                bytes.Store((byte*)destination);
                return;
            }

            (Vector256<ushort> lower, Vector256<ushort> upper) = Vector256.Widen(bytes);
            if (decode.IsInWindow && IndexValue.Is16Bit<TIndex>())
            {
                lower.Store((ushort*)destination);
                upper.Store((ushort*)destination + Vector256<ushort>.Count);
                return;
            }

            StoreDecoded256(lower, destination, 0, decode);
            StoreDecoded256(upper, destination + Vector256<ushort>.Count, Vector256<ushort>.Count, decode);
        }
        else
        {
            Debug.Assert(sizeof(T) == 2, "8- and 16-bit elements only");
            Vector256<ushort> shorts = codes.AsUInt16();
            if (decode.IsInWindow && IndexValue.Is16Bit<TIndex>())
            {
                shorts.Store((ushort*)destination);
                return;
            }

            if (decode.IsInWindow && IndexValue.Is8Bit<TIndex>())
            {
                Vector128<byte> narrowed = Avx512BW.VL.IsSupported ? Avx512BW.VL.ConvertToVector128Byte(shorts) : Vector256.Narrow(shorts, shorts).GetLower();
                narrowed.Store((byte*)destination);
                return;
            }

            StoreDecoded256(shorts, destination, 0, decode);
        }
    }

    /// <summary>Widens 16-bit codes to int32 lanes, decodes them, and stores them as <typeparamref name="TIndex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDecoded256<TIndex>(Vector256<ushort> codes, TIndex* destination, int lane, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        (Vector256<uint> lower, Vector256<uint> upper) = Vector256.Widen(codes);
        Simd256<int>.StoreIndex(Decode256(lower.AsInt32(), lane, decode), destination);
        Simd256<int>.StoreIndex(Decode256(upper.AsInt32(), lane + Vector256<int>.Count, decode), destination + Vector256<int>.Count);
    }

    /// <summary>The vector form of <see cref="TapDecode.Decode"/> for lanes <c>lane, lane + 1, ...</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Decode256(Vector256<int> code, int lane, in TapDecode decode)
    {
        if (decode.IsInWindow)
        {
            return code;
        }

        Vector256<int> kh = Vector256.ConvertToInt32Native(Vector256.ConvertToSingle(code) * Vector256.Create(decode.Reciprocal));
        Vector256<int> kw = code - (kh * decode.KernelWidth);
        return (Vector256<int>.Indices * decode.Step) + Vector256.Create(unchecked(decode.Start + (lane * decode.Step)))
            + (kh * decode.RowStep) + (kw * decode.ColumnStep);
    }

    /// <summary>Loads <c>2 * Count</c> 8- or 16-bit elements and splits them into even and odd positions.</summary>
    /// <remarks>Pairs are read as one wider lane: the low half is the even element, the high half the odd one.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadDeinterleave512<T>(T* source, out Vector512<T> even, out Vector512<T> odd)
        where T : unmanaged
    {
        if (sizeof(T) == 2)
        {
            Vector512<uint> a = Vector512.Load((uint*)source), b = Vector512.Load((uint*)source + Vector512<uint>.Count);
            Vector512<uint> low = Vector512.Create(0xFFFFu);
            even = Vector512.Narrow(a & low, b & low).As<ushort, T>();
            odd = Vector512.Narrow(a >>> 16, b >>> 16).As<ushort, T>();
        }
        else
        {
            Debug.Assert(sizeof(T) == 1, "8- and 16-bit elements only");
            Vector512<ushort> a = Vector512.Load((ushort*)source), b = Vector512.Load((ushort*)source + Vector512<ushort>.Count);
            Vector512<ushort> low = Vector512.Create((ushort)0xFF);
            even = Vector512.Narrow(a & low, b & low).As<byte, T>();
            odd = Vector512.Narrow(a >>> 8, b >>> 8).As<byte, T>();
        }
    }

    /// <summary>
    /// Stores 8- or 16-bit tap-code lanes as indices. In-window indices of the lane's own width are the codes stored as
    /// they are, and 16-bit codes into 8-bit indices one narrowing in registers and one store; everything else is
    /// widened to int32 lanes, decoded there, and stored by the int32 index store (any index type).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreTapIndex512<T, TIndex>(Vector512<T> codes, TIndex* destination, in TapDecode decode)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sizeof(T) == 1)
        {
            Vector512<byte> bytes = codes.AsByte();
            if (decode.IsInWindow && IndexValue.Is8Bit<TIndex>())
            {
                bytes.Store((byte*)destination);
                return;
            }

            (Vector512<ushort> lower, Vector512<ushort> upper) = Vector512.Widen(bytes);
            if (decode.IsInWindow && IndexValue.Is16Bit<TIndex>())
            {
                lower.Store((ushort*)destination);
                upper.Store((ushort*)destination + Vector512<ushort>.Count);
                return;
            }

            StoreDecoded512(lower, destination, 0, decode);
            StoreDecoded512(upper, destination + Vector512<ushort>.Count, Vector512<ushort>.Count, decode);
        }
        else
        {
            Debug.Assert(sizeof(T) == 2, "8- and 16-bit elements only");
            Vector512<ushort> shorts = codes.AsUInt16();
            if (decode.IsInWindow && IndexValue.Is16Bit<TIndex>())
            {
                shorts.Store((ushort*)destination);
                return;
            }

            if (decode.IsInWindow && IndexValue.Is8Bit<TIndex>())
            {
                // One vpmovwb where AVX-512 has it; the portable narrow computes both halves and keeps the lower.
                Vector256<byte> narrowed = Avx512BW.IsSupported ? Avx512BW.ConvertToVector256Byte(shorts) : Vector512.Narrow(shorts, shorts).GetLower();
                narrowed.Store((byte*)destination);
                return;
            }

            StoreDecoded512(shorts, destination, 0, decode);
        }
    }

    /// <summary>Widens 16-bit codes to int32 lanes, decodes them, and stores them as <typeparamref name="TIndex"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDecoded512<TIndex>(Vector512<ushort> codes, TIndex* destination, int lane, in TapDecode decode)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        (Vector512<uint> lower, Vector512<uint> upper) = Vector512.Widen(codes);
        Simd512<int>.StoreIndex(Decode512(lower.AsInt32(), lane, decode), destination);
        Simd512<int>.StoreIndex(Decode512(upper.AsInt32(), lane + Vector512<int>.Count, decode), destination + Vector512<int>.Count);
    }

    /// <summary>The vector form of <see cref="TapDecode.Decode"/> for lanes <c>lane, lane + 1, ...</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Decode512(Vector512<int> code, int lane, in TapDecode decode)
    {
        if (decode.IsInWindow)
        {
            return code;
        }

        Vector512<int> kh = Vector512.ConvertToInt32Native(Vector512.ConvertToSingle(code) * Vector512.Create(decode.Reciprocal));
        Vector512<int> kw = code - (kh * decode.KernelWidth);
        return (Vector512<int>.Indices * decode.Step) + Vector512.Create(unchecked(decode.Start + (lane * decode.Step)))
            + (kh * decode.RowStep) + (kw * decode.ColumnStep);
    }
}
