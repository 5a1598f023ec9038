using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <content>
/// Layout transposes between <c>[pixels, C]</c> and <c>[C, pixels]</c>: the direct layout's channels-last output scratch
/// into the pixels, and the copies a channels-last transposed convolution runs the channels-first kernel through
/// (<see cref="TransposeSamples{T}"/>). Only elements move, so the values and their bits are the inputs'.
/// </content>
internal static unsafe partial class ConvKernel
{
    /// <summary>Pixels per piece of <see cref="TransposeSamples{T}"/>'s parallel split (a piece is one sample's pixel range).</summary>
    private const int TransposePiecePixels = 2048;

    /// <summary>
    /// Transposes <paramref name="samples"/> samples between <c>[pixels, C]</c> and <c>[C, pixels]</c>:
    /// <paramref name="toChannelsFirst"/> reads pixel-major <paramref name="from"/> and writes channel-major
    /// <paramref name="to"/>, else the reverse; each sample is <c>pixels * channels</c> elements on both sides. Pieces of
    /// <see cref="TransposePiecePixels"/> pixels run on up to <paramref name="degree"/> threads (each piece writes its own
    /// elements, so the result does not depend on the split).
    /// </summary>
    internal static void TransposeSamples<T>(T* from, T* to, int samples, nint pixels, int channels, bool toChannelsFirst, int degree)
        where T : unmanaged
    {
        long piecesPerSample = (pixels + TransposePiecePixels - 1) / TransposePiecePixels;
        var body = new TransposeBody<T>
        {
            From = from,
            To = to,
            Pixels = pixels,
            Channels = channels,
            ToChannelsFirst = toChannelsFirst,
            PiecesPerSample = (int)Math.Max(1, piecesPerSample),
        };
        long pieces = samples * (long)body.PiecesPerSample;
        ParallelRunner.Run(ref body, (int)Math.Min(int.MaxValue, pieces), degree);
    }

    /// <summary>Pieces of <see cref="TransposeSamples{T}"/>: piece <c>i</c> is sample <c>i / PiecesPerSample</c>'s pixels from <c>(i mod PiecesPerSample) * TransposePiecePixels</c>.</summary>
    private struct TransposeBody<T> : IParallelBody
        where T : unmanaged
    {
        public T* From, To;
        public nint Pixels;
        public int Channels, PiecesPerSample;
        public bool ToChannelsFirst;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            nint perSample = Pixels * Channels;
            for (int i = start; i < end; i++)
            {
                int sample = i / PiecesPerSample;
                nint p0 = (nint)(i % PiecesPerSample) * TransposePiecePixels, p1 = Math.Min(Pixels, p0 + TransposePiecePixels);
                T* from = From + (sample * perSample), to = To + (sample * perSample);
                if (ToChannelsFirst)
                {
                    // Rows p0..p1 of [pixels, C] into columns p0..p1 of [C, pixels].
                    TransposeRange(from + (p0 * Channels), Channels, (int)(p1 - p0), 0, Channels, to + p0, Pixels);
                }
                else
                {
                    // Columns p0..p1 of [C, pixels] into rows p0..p1 of [pixels, C].
                    TransposeRange(from, Pixels, Channels, p0, p1, to, Channels);
                }
            }
        }
    }

    /// <summary>
    /// <c>b[q*ldb + r] = a[r*lda + q]</c> for <c>r &lt; rows</c> and <c>q0 &lt;= q &lt; q1</c>: columns of a row-major
    /// matrix into rows of its transpose, in square blocks of rows by columns where <see cref="LaneTranspose"/> serves
    /// the element type.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void TransposeRange<T>(T* a, nint lda, int rows, nint q0, nint q1, T* b, nint ldb)
        where T : unmanaged
    {
        // Blocks of 64 columns: each row's run is read in order while the block's rows of b stay in L1.
        const int Block = 64;
        int lanes = LaneTranspose.Supported<T>() ? LaneTranspose.Lanes<T>() : int.MaxValue;
        int blockRows = rows >= lanes ? rows - (rows % lanes) : 0;
        for (nint c0 = q0; c0 < q1; c0 += Block)
        {
            nint c1 = Math.Min(q1, c0 + Block);
            nint blockEnd = blockRows == 0 ? c0 : c1 - ((c1 - c0) % lanes);
            for (int r = 0; r < blockRows; r += lanes)
            {
                T* src = a + (r * lda);
                T* dst = b + r;
                nint q = c0;
                for (; q < blockEnd; q += lanes)
                {
                    TransposeBlock(src + q, lda, dst + (q * ldb), ldb);
                }

                for (; q < c1; q++)
                {
                    for (int i = 0; i < lanes; i++)
                    {
                        dst[(q * ldb) + i] = src[(i * lda) + q];
                    }
                }
            }

            for (int r = blockRows; r < rows; r++)
            {
                T* src = a + (r * lda);
                T* dst = b + r;
                for (nint q = c0; q < c1; q++)
                {
                    dst[q * ldb] = src[q];
                }
            }
        }
    }

    /// <summary>A square block (see <see cref="LaneTranspose.Lanes{T}"/>) of rows <paramref name="lda"/> apart into its transpose, rows <paramref name="ldb"/> apart: each output row one store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeBlock<T>(T* src, nint lda, T* dst, nint ldb)
        where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            LaneTranspose.LoadTransposed((float*)src, lda, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5, out var r6, out var r7);
            float* d = (float*)dst;
            r0.Store(d);
            r1.Store(d + ldb);
            r2.Store(d + (2 * ldb));
            r3.Store(d + (3 * ldb));
            r4.Store(d + (4 * ldb));
            r5.Store(d + (5 * ldb));
            r6.Store(d + (6 * ldb));
            r7.Store(d + (7 * ldb));
        }
        else
        {
            Debug.Assert(typeof(T) == typeof(double), "a transposed block is float or double");
            LaneTranspose.LoadTransposed((double*)src, lda, out var r0, out var r1, out var r2, out var r3);
            double* d = (double*)dst;
            r0.Store(d);
            r1.Store(d + ldb);
            r2.Store(d + (2 * ldb));
            r3.Store(d + (3 * ldb));
        }
    }
}
