using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// Square lane transposes in registers, for copies between a channels-first and a channels-last order: eight rows of
/// eight floats or four rows of four doubles come in, their columns go out. Callers check <see cref="Supported"/> first.
/// Only lanes move, so the values and their bits are the inputs'.
/// </summary>
internal static unsafe class LaneTranspose
{
    /// <summary>Whether <typeparamref name="T"/> has a register transpose here (float or double, with AVX2), and so a block of <see cref="Lanes{T}"/>.</summary>
    public static bool Supported<T>() => Avx2.IsSupported && (typeof(T) == typeof(float) || typeof(T) == typeof(double));

    /// <summary>The block's side: 8 for float, 4 for double.</summary>
    public static int Lanes<T>() => typeof(T) == typeof(float) ? Vector256<float>.Count : Vector256<double>.Count;

    /// <summary>Transposes an 8x8 block of floats in place: on return <c>r_j[i]</c> is the <c>r_i[j]</c> of the call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(
        ref Vector256<float> r0, ref Vector256<float> r1, ref Vector256<float> r2, ref Vector256<float> r3,
        ref Vector256<float> r4, ref Vector256<float> r5, ref Vector256<float> r6, ref Vector256<float> r7)
    {
        // Pairs of rows interleaved (a0 b0 a1 b1 | a4 b4 a5 b5), then pairs of pairs (a0 b0 c0 d0 | a4 b4 c4 d4), then
        // the 128-bit halves of rows i and i + 4 joined.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        r0 = Avx.Permute2x128(s0, s4, 0x20);
        r1 = Avx.Permute2x128(s1, s5, 0x20);
        r2 = Avx.Permute2x128(s2, s6, 0x20);
        r3 = Avx.Permute2x128(s3, s7, 0x20);
        r4 = Avx.Permute2x128(s0, s4, 0x31);
        r5 = Avx.Permute2x128(s1, s5, 0x31);
        r6 = Avx.Permute2x128(s2, s6, 0x31);
        r7 = Avx.Permute2x128(s3, s7, 0x31);
    }

    /// <summary>Transposes a 4x4 block of doubles in place: on return <c>r_j[i]</c> is the <c>r_i[j]</c> of the call.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose(ref Vector256<double> r0, ref Vector256<double> r1, ref Vector256<double> r2, ref Vector256<double> r3)
    {
        // a0 b0 | a2 b2 and a1 b1 | a3 b3 (likewise c, d), then the halves joined.
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        r0 = Avx.Permute2x128(t0, t2, 0x20);
        r1 = Avx.Permute2x128(t1, t3, 0x20);
        r2 = Avx.Permute2x128(t0, t2, 0x31);
        r3 = Avx.Permute2x128(t1, t3, 0x31);
    }

    /// <summary>Loads eight rows of eight floats, <paramref name="stride"/> apart from <paramref name="source"/>, and returns the block's columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(
        float* source, nint stride, out Vector256<float> r0, out Vector256<float> r1, out Vector256<float> r2, out Vector256<float> r3,
        out Vector256<float> r4, out Vector256<float> r5, out Vector256<float> r6, out Vector256<float> r7)
    {
        r0 = Vector256.Load(source);
        r1 = Vector256.Load(source + stride);
        r2 = Vector256.Load(source + (2 * stride));
        r3 = Vector256.Load(source + (3 * stride));
        r4 = Vector256.Load(source + (4 * stride));
        r5 = Vector256.Load(source + (5 * stride));
        r6 = Vector256.Load(source + (6 * stride));
        r7 = Vector256.Load(source + (7 * stride));
        Transpose(ref r0, ref r1, ref r2, ref r3, ref r4, ref r5, ref r6, ref r7);
    }

    /// <summary>Loads four rows of four doubles, <paramref name="stride"/> apart from <paramref name="source"/>, and returns the block's columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void LoadTransposed(double* source, nint stride, out Vector256<double> r0, out Vector256<double> r1, out Vector256<double> r2, out Vector256<double> r3)
    {
        r0 = Vector256.Load(source);
        r1 = Vector256.Load(source + stride);
        r2 = Vector256.Load(source + (2 * stride));
        r3 = Vector256.Load(source + (3 * stride));
        Transpose(ref r0, ref r1, ref r2, ref r3);
    }

    /// <summary>Moves the even lanes of <paramref name="v"/> to its lower half and the odd lanes to its upper half, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SplitEvenOdd(Vector256<float> v)
        => Avx2.PermuteVar8x32(v, Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));

    /// <summary>Moves the even lanes of <paramref name="v"/> to its lower half and the odd lanes to its upper half, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> SplitEvenOdd(Vector256<double> v) => Avx2.Permute4x64(v, 0b11_01_10_00);
}
