using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The 3-D max-pool backward where the windows tile the input (stride = kernel, no padding, no dilation, every window
/// whole): per-plane indices encoded as the tap <c>(c*KH + a)*KW + b</c> of their own block, then one write per cell by
/// the block writer, with no clear pass and no scatter, as the 2-D backward does.
/// </summary>
internal static unsafe partial class BlockKernel
{
    /// <summary>
    /// Writes the volumes of <paramref name="output"/> from per-plane <paramref name="indices"/> that each name a cell of
    /// their own <paramref name="factor"/> block (what pooling over tiling windows writes): encodes them as one-byte codes
    /// into pooled scratch (in parallel, before anything is written), then writes every output cell once, the cells no
    /// index names with zero. Returns false, having written nothing, when some index lies elsewhere.
    /// </summary>
    /// <remarks>Every cell receives at most one value, so this is the max-pool backward's sum except for a <c>-0</c>
    /// gradient, which is written as is (<c>0 + -0</c> would give <c>+0</c>).</remarks>
    public static bool TryUnpoolDense3D<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, Size3D pooled, Size3D output, Size3D factor, int degree, int bits = -1)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var plan = new Plan(pooled, output, factor) with { Planes = planes };
        Debug.Assert(
            plan.Taps <= 256 && output.Depth >= (long)factor.Depth * pooled.Depth && output.Height >= (long)factor.Height * pooled.Height
            && output.Width >= (long)factor.Width * pooled.Width,
            "not a dense geometry");
        int cells = checked(planes * pooled.Depth * pooled.Height * pooled.Width);
        byte[] rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, cells));
        try
        {
            fixed (byte* codes = rented)
            {
                int failures = 0;
                var encode = new Encode3DBody<TIndex> { Indices = indices, Codes = codes, Plan = plan, Failures = &failures };
                ParallelRunner.Run(ref encode, planes, degree);
                if (Volatile.Read(ref failures) != 0)
                {
                    return false;
                }

                Run(source, destination, planes, plan, new TapCode<byte>(codes), T.Zero, degree, bits);
                return true;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Encodes each volume's per-plane indices as the tap of their own block: index <c>at</c> of pooled cell
    /// (d, i, j) is in its block when, for some <c>c &lt; KD</c> and <c>a &lt; KH</c>,
    /// <c>r = at - ((d*KD + c)*OutH + i*KH + a)*OutW - j*KW</c> lies in <c>[0, KW)</c> (one unsigned compare, which
    /// also rejects negatives). Stops at the first volume with an index elsewhere.
    /// </summary>
    private struct Encode3DBody<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public TIndex* Indices;
        public byte* Codes;
        public Plan Plan;
        public int* Failures;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
        public readonly void Invoke(int start, int end)
        {
            Plan p = Plan;
            long inVolume = (long)p.D * p.H * p.W, outSlice = (long)p.OutH * p.OutW;
            for (int plane = start; plane < end && Volatile.Read(ref *Failures) == 0; plane++)
            {
                TIndex* idx = Indices + ((nint)plane * inVolume);
                byte* codes = Codes + ((nint)plane * inVolume);
                Debug.Assert(Bounds.Within(idx, inVolume, Indices, p.Planes * inVolume) && Bounds.Within(codes, inVolume, Codes, p.Planes * inVolume), "index volume outside the buffers");
                long k = 0;
                for (int d = 0; d < p.D; d++)
                {
                    for (int i = 0; i < p.H; i++)
                    {
                        long rowOrigin = ((long)d * p.KD * outSlice) + ((long)i * p.KH * p.OutW);
                        for (int j = 0; j < p.W; j++, k++)
                        {
                            int code = Code(unchecked(IndexValue.Read(idx[k]) - rowOrigin - ((long)j * p.KW)), outSlice, p);
                            if (code < 0)
                            {
                                Interlocked.Increment(ref *Failures);
                                return;
                            }

                            codes[k] = (byte)code;
                        }
                    }
                }
            }
        }

        /// <summary>The tap of offset <paramref name="r"/> from the block origin, or -1 when it is no cell of the block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Code(long r, long outSlice, in Plan p)
        {
            for (int c = 0; c < p.KD; c++, r = unchecked(r - outSlice))
            {
                long row = r;
                for (int a = 0; a < p.KH; a++, row = unchecked(row - p.OutW))
                {
                    if ((ulong)row < (ulong)p.KW)
                    {
                        return (((c * p.KH) + a) * p.KW) + (int)row;
                    }
                }
            }

            return -1;
        }
    }
}
