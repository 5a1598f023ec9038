using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// How tap-code lanes become indices at the store (<see cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>). The code of
/// window tap (kh, kw) is <c>kh*KW + kw</c>, which is the <see cref="IndexConvention.InWindow"/> index itself, so that
/// form (oneDNN's and XNNPACK's switches, the one the compact byte indices use) is stored without arithmetic; every
/// other convention is affine in (kh, kw) from the window origin: <c>Start + lane*Step + kh*RowStep + kw*ColumnStep</c>.
/// </summary>
/// <remarks>
/// The affine terms are int32 and wrap modulo 2^32, as the float path's offset lanes do: the sum is exact again because
/// every index lies in <c>[0, 2^31)</c> (it indexes a span). <c>kh</c> is <c>code / KW</c> computed as a float product
/// with <see cref="Reciprocal"/>, <c>(1 + 2^-20) / KW</c>, truncated: for codes below 2^16 the product lies in
/// <c>[kh, kh + 1)</c> with margins (at least 2^-20 relative above kh, below kh + 1 by at least <c>1/KW - 2^-3/KW</c>) far
/// wider than float's rounding of the reciprocal and the product (2^-24 each), so it is exact without a divide.
/// </remarks>
internal readonly struct TapDecode
{
    /// <summary>The kernel width <c>KW</c> that the codes count taps in.</summary>
    public readonly int KernelWidth;

    /// <summary><c>(1 + 2^-20) / KW</c>: the float multiplier whose truncated product with a code is <c>code / KW</c>.</summary>
    public readonly float Reciprocal;

    /// <summary>Whether the index is the code itself (<see cref="IndexConvention.InWindow"/>).</summary>
    public readonly bool IsInWindow;

    /// <summary>The index of lane 0's window origin, and its step per lane (int32, wrapping).</summary>
    public readonly int Start, Step;

    /// <summary>The index step per kernel row and per kernel column (int32, wrapping).</summary>
    public readonly int RowStep, ColumnStep;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TapDecode(int kernelWidth, float reciprocal, bool isInWindow, long start, long step, long rowStep, long columnStep)
    {
        KernelWidth = kernelWidth;
        Reciprocal = reciprocal;
        IsInWindow = isInWindow;
        (Start, Step, RowStep, ColumnStep) = (unchecked((int)start), unchecked((int)step), unchecked((int)rowStep), unchecked((int)columnStep));
    }

    /// <summary>The index is the code: <c>kh*KW + kw</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TapDecode InWindow(int kernelWidth) => new(kernelWidth, 0, true, 0, 0, 0, 0);

    /// <summary>The index is <c>start + lane*step + kh*rowStep + kw*columnStep</c>; <paramref name="reciprocal"/> is
    /// <see cref="ReciprocalOf"/> the kernel width (computed once per call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TapDecode Affine(int kernelWidth, float reciprocal, long start, long step, long rowStep, long columnStep)
        => new(kernelWidth, reciprocal, false, start, step, rowStep, columnStep);

    /// <summary>The <see cref="Reciprocal"/> of a kernel width.</summary>
    public static float ReciprocalOf(int kernelWidth) => (float)(1.00000095367431640625 / kernelWidth); // (1 + 2^-20) / KW

    /// <summary>The index of lane <paramref name="lane"/> whose tap code is <paramref name="code"/> (the scalar form of the vector decode).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Decode(int code, int lane)
    {
        if (IsInWindow)
        {
            return code;
        }

        int kh = code / KernelWidth;
        return unchecked(Start + (lane * Step) + (kh * RowStep) + ((code - (kh * KernelWidth)) * ColumnStep));
    }
}
