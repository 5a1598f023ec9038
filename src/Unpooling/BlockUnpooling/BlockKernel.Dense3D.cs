using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// The 3-D argmax unpooling (Replace) and max-pool backward where the windows tile the input (stride = kernel, no
/// padding, no dilation, every window whole): per-plane indices encoded as the tap <c>(c*KH + a)*KW + b</c> of their own
/// block (a vector of cells at a time for 32- and 64-bit indices), then one write per cell by the block writer, with no
/// clear pass and no scatter, as in 2-D.
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

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            Plan p = Plan;
            long inVolume = (long)p.D * p.H * p.W, outSlice = (long)p.OutH * p.OutW;
            for (int plane = start; plane < end && Volatile.Read(ref *Failures) == 0; plane++)
            {
                TIndex* idx = Indices + ((nint)plane * inVolume);
                byte* codes = Codes + ((nint)plane * inVolume);
                Debug.Assert(Bounds.Within(idx, inVolume, Indices, p.Planes * inVolume) && Bounds.Within(codes, inVolume, Codes, p.Planes * inVolume), "index volume outside the buffers");
                if (EncodeVolume(idx, codes, p))
                {
                    continue;
                }

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

        /// <summary>
        /// Encodes one volume a vector of cells at a time where the indices are 32- or 64-bit integers, the rows at least
        /// a vector wide and the output volume below 2^31 cells (so a difference that wrapped cannot land in a block):
        /// true when every index lay in its block. False means only that the per-cell loop must decide (it rewrites the
        /// codes and names the first index elsewhere).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool EncodeVolume(TIndex* idx, byte* codes, in Plan p)
        {
            if ((long)p.OutD * p.OutH * p.OutW >= int.MaxValue)
            {
                return false;
            }

            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                return EncodeVolumeLanes((uint*)idx, codes, p);
            }

            if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                return EncodeVolumeLanes((ulong*)idx, codes, p);
            }

            return false;
        }

        /// <summary>The widest hardware width a pooled row fills (none: false, the per-cell loop runs).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool EncodeVolumeLanes<TS>(TS* idx, byte* codes, in Plan p)
            where TS : unmanaged, IBinaryInteger<TS>, IUnsignedNumber<TS>
            => Vector512.IsHardwareAccelerated && p.W >= Vector512<TS>.Count ? EncodeVolumeRows<BlockLanes512<TS>, Vector512<TS>, TS>(idx, codes, p)
                : Vector256.IsHardwareAccelerated && p.W >= Vector256<TS>.Count ? EncodeVolumeRows<BlockLanes256<TS>, Vector256<TS>, TS>(idx, codes, p)
                : Vector128.IsHardwareAccelerated && p.W >= Vector128<TS>.Count && EncodeVolumeRows<BlockLanes128<TS>, Vector128<TS>, TS>(idx, codes, p);

        /// <summary>
        /// Every row <c>(d, i)</c> of the volume, a vector of cells at a time (the last overlapping the one before): the
        /// difference from the block origins, tested against each of the block's <c>KD*KH</c> row starts
        /// (<c>c*OutH*OutW + a*OutW</c>) with one unsigned compare, the code the tap of the one row it lies in.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool EncodeVolumeRows<TLanes, TVector, TS>(TS* idx, byte* codes, in Plan p)
            where TLanes : struct, IBlockLanes<TLanes, TVector, TS>
            where TVector : struct
            where TS : unmanaged, IBinaryInteger<TS>
        {
            // Locals, not the plan's fields: the code stores could alias it.
            int count = TLanes.Count, w = p.W, kd = p.KD, kh = p.KH, kw = p.KW;
            long outSlice = (long)p.OutH * p.OutW;
            TVector vkw = TLanes.CreateCode(kw), vOutW = TLanes.CreateCode(p.OutW), vSlice = TLanes.CreateCode(outSlice);
            TVector ramp = TLanes.Ramp(kw), step = TLanes.CreateCode((long)count * kw);
            for (int d = 0; d < p.D; d++)
            {
                for (int i = 0; i < p.H; i++, idx += w, codes += w)
                {
                    long rowOrigin = ((long)d * kd * outSlice) + ((long)i * kh * p.OutW);
                    TVector expected = TLanes.Add(ramp, TLanes.CreateCode(rowOrigin));
                    int j = 0;
                    for (; j <= w - count; j += count, expected = TLanes.Add(expected, step))
                    {
                        if (!EncodeVector3D<TLanes, TVector, TS>(idx + j, codes + j, expected, vkw, vOutW, vSlice, kd, kh))
                        {
                            return false;
                        }
                    }

                    if (j < w)
                    {
                        j = w - count;
                        if (!EncodeVector3D<TLanes, TVector, TS>(idx + j, codes + j, TLanes.Add(ramp, TLanes.CreateCode(rowOrigin + ((long)j * kw))), vkw, vOutW, vSlice, kd, kh))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }

        /// <summary>One vector of cells whose block origins are <paramref name="expected"/>: false when one lies outside its block.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool EncodeVector3D<TLanes, TVector, TS>(TS* idx, byte* codes, TVector expected, TVector kw, TVector outW, TVector outSlice, int kd, int kh)
            where TLanes : struct, IBlockLanes<TLanes, TVector, TS>
            where TVector : struct
            where TS : unmanaged, IBinaryInteger<TS>
        {
            TVector slice = TLanes.Subtract(TLanes.Load(idx), expected);
            TVector code = TLanes.AllBits, tap = TLanes.Zero;
            for (int c = 0; c < kd; c++, slice = TLanes.Subtract(slice, outSlice))
            {
                TVector row = slice;
                for (int a = 0; a < kh; a++, row = TLanes.Subtract(row, outW), tap = TLanes.Add(tap, kw))
                {
                    code = TLanes.ConditionalSelect(TLanes.LessThan(row, kw), TLanes.Add(tap, row), code);
                }
            }

            if (TLanes.EqualsAny(code, TLanes.AllBits))
            {
                return false;
            }

            TLanes.StoreCode(code, codes);
            return true;
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
