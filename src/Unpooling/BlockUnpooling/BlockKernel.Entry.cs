using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>The block kernel's operators: the fixed family, zero insertion, in-window taps and the dense argmax unpooling.</summary>
internal static unsafe partial class BlockKernel
{
    /// <summary>Fixed, repeat or random unpooling of <paramref name="planes"/> planes (validated by the caller), which are planes <c>[planeBase, planeBase + planes)</c> of the whole tensor (random offsets hash that number).</summary>
    public static void Unpool<T>(BlockUnpoolMode mode, T* source, T* destination, int planes, Size2D input, Size2D output, Size2D factor, Size2D offset, ulong seed, int degree, int bits = -1, long planeBase = 0)
        where T : unmanaged, INumberBase<T>
        => Unpool(mode, source, destination, planes, new Plan(input, output, factor, offset), seed, T.Zero, degree, bits, planeBase);

    /// <summary>
    /// The same for a plan of any rank (a 3-D plan runs the 3-D body) with <paramref name="zero"/> as the fill: the
    /// random offsets hash cell <c>((p*D + id)*H + ih)*W + iw</c> of plane <c>p = planeBase + plane</c>, which is the 2-D
    /// cell number when <c>D = 1</c>.
    /// </summary>
    public static void Unpool<T>(BlockUnpoolMode mode, T* source, T* destination, int planes, in Plan plan, ulong seed, T zero, int degree, int bits = -1, long planeBase = 0)
        where T : unmanaged
    {
        switch (mode)
        {
            case BlockUnpoolMode.Fixed:
                Run(source, destination, planes, plan, default(FixedCode), zero, degree, bits);
                break;
            case BlockUnpoolMode.Repeat:
                Run(source, destination, planes, plan, default(AllTaps), zero, degree, bits);
                break;
            default:
                // The hash numbers input slices (plane*D + id): the run's first slice is planeBase*D.
                Run(source, destination, planes, plan, new RandomCode(seed, planeBase * plan.D), zero, degree, bits);
                break;
        }
    }

    /// <summary>
    /// Zero insertion with <paramref name="stride"/>: the fixed tap (0, 0) with the output cropped to
    /// <c>(H-1)*s + 1</c> per axis; "zero" is <c>default(T)</c>, so every 1-, 2-, 4- and 8-byte type is vectorized.
    /// </summary>
    public static void ZeroInsert<T>(T* source, T* destination, int planes, Size2D input, Size2D output, Size2D stride, int degree, int bits = -1)
        where T : unmanaged
        => Run(source, destination, planes, new Plan(input, output, stride), default(FixedCode), default(T), degree, bits);

    /// <summary>
    /// In-window switches: <c>taps[p, i, j] = a*KW + b</c> sends <c>source[p, i, j]</c> to output cell
    /// <c>(i*KH + a, j*KW + b)</c> of plane <c>p</c>; every other output cell (rows and columns past
    /// <c>H*KH</c>/<c>W*KW</c> included) is zero, and the output may be smaller than <c>H*KH x W*KW</c> (ceil mode).
    /// </summary>
    /// <returns>-1, or the flat position (over <c>planes*H*W</c>) of the first tap that is <c>&gt;= KH*KW</c> (or
    /// negative) or whose cell lies outside the output, in which case nothing was written.</returns>
    internal static long UnpoolTaps<T, TIndex>(T* source, TIndex* taps, T* destination, int planes, Size2D input, Size2D output, Size2D factor, int degree, int bits = -1)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var plan = new Plan(input, output, factor);
        long cells = (long)planes * input.Height * input.Width;
        long bad = MaxUnpool2DKernel.FindInvalid(taps, cells, plan.Taps, degree);
        long cut = FirstTapOutsideOutput(taps, planes, plan);
        if (cut >= 0 && (bad < 0 || cut < bad))
        {
            bad = cut;
        }

        if (bad < 0)
        {
            Run(source, destination, planes, plan, new TapCode<TIndex>(taps), T.Zero, degree, bits);
        }

        return bad;
    }

    /// <summary>
    /// The first tap (flat position) of a block cut by the output's bottom or right edge whose cell lies outside the
    /// output, or -1; taps out of <c>[0, KH*KW)</c> are left to the range check. Only the cut blocks are read.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static long FirstTapOutsideOutput<TIndex>(TIndex* taps, int planes, in Plan p)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int wholeRows = p.OutH / p.KH, wholeColumns = p.OutW / p.KW;
        if (wholeRows >= p.H && wholeColumns >= p.W)
        {
            return -1;
        }

        long plane = (long)p.H * p.W;
        for (int pl = 0; pl < planes; pl++)
        {
            for (int i = 0; i < p.H; i++)
            {
                long row = (pl * plane) + ((long)i * p.W);
                for (int j = i >= wholeRows ? 0 : wholeColumns; j < p.W; j++)
                {
                    long tap = IndexValue.Read(taps[row + j]);
                    if ((ulong)tap < (ulong)p.Taps
                        && (((long)i * p.KH) + (tap / p.KW) >= p.OutH || ((long)j * p.KW) + (tap % p.KW) >= p.OutW))
                    {
                        return row + j;
                    }
                }
            }
        }

        return -1;
    }

    /// <summary>
    /// Whether the dense path can serve argmax unpooling with this geometry and output size (indices permitting):
    /// non-overlapping windows (kernel = stride, no padding) of at most 256 taps, and an output holding every block.
    /// Any dilation is fine: the path checks each index against its own block and falls back when one is elsewhere.
    /// </summary>
    public static bool IsDenseCandidate(in Pool2DGeometry g, Size2D pooled, Size2D output)
        => g.KernelSize == g.Stride && g.PaddingBegin == new Size2D(0, 0) && g.PaddingEnd == new Size2D(0, 0) && (long)g.KernelSize.Height * g.KernelSize.Width <= 256
           && output.Height >= (long)g.KernelSize.Height * pooled.Height && output.Width >= (long)g.KernelSize.Width * pooled.Width;

    /// <summary>
    /// Dense argmax unpooling with per-plane indices: when every index names a cell of its own <paramref name="factor"/>
    /// block (what non-overlapping max pooling writes), encodes them as one-byte tap codes (in parallel, into a pooled
    /// scratch, before anything is written) and runs the block writer: one write per output element, no clear, no
    /// scatter. Returns false, having written nothing, when some index lies elsewhere.
    /// </summary>
    /// <remarks>Every cell receives at most one value, so this is the Replace reduction (Sum differs in the sign of zero).</remarks>
    public static bool TryUnpoolDense<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, Size2D pooled, Size2D output, Size2D factor, int degree, int bits = -1)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => TryDense(source, indices, destination, new Plan(pooled, output, factor) with { Planes = planes }, T.Zero, gather: false, degree, bits);

    /// <summary>
    /// The backward of <see cref="TryUnpoolDense{T, TIndex}"/>, for the same geometries: when every per-plane index names
    /// a cell of its own <paramref name="factor"/> block, encodes them as one-byte tap codes (in parallel, before anything
    /// is written) and gathers through the codes with the block gather (<see cref="GatherTaps{T}"/>), which reads the
    /// gradient a whole row at a time instead of one indexed cell at a time. Returns false, having written nothing, when
    /// some index lies elsewhere (then the caller's general gather validates and runs).
    /// </summary>
    /// <remarks>The encoding reads every index once, as validation would, and writes a quarter (int32) or an eighth
    /// (int64) of those bytes; the gather then reads the codes instead of the indices. The codes are private, so an index
    /// a racing caller changes after the encoding cannot move a read.</remarks>
    public static bool TryGatherDense<T, TIndex>(T* outputGradient, TIndex* indices, T* sourceGradient, int planes, Size2D pooled, Size2D output, Size2D factor, int degree, int bits = -1)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => TryDense(outputGradient, indices, sourceGradient, new Plan(pooled, output, factor) with { Planes = planes }, default, gather: true, degree, bits);

    /// <summary>
    /// Encodes <paramref name="plan"/>'s per-plane indices as tap codes into pooled scratch (returning false, having
    /// written nothing, when one is not in its own block), then runs the block writer from <paramref name="from"/>
    /// (unpooling, <paramref name="zero"/> elsewhere) or, with <paramref name="gather"/>, the block gather from the
    /// gradient <paramref name="from"/>, into <paramref name="to"/>.
    /// </summary>
    private static bool TryDense<T, TIndex>(T* from, TIndex* indices, T* to, in Plan plan, T zero, bool gather, int degree, int bits)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Debug.Assert(plan.Taps <= 256 && plan.OutH >= (long)plan.KH * plan.H && plan.OutW >= (long)plan.KW * plan.W, "not a dense geometry");
        int cells = checked(plan.Planes * plan.H * plan.W);
        byte[] rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, cells));
        try
        {
            fixed (byte* codes = rented)
            {
                int failures = 0;
                var encode = new EncodeBody<TIndex> { Indices = indices, Codes = codes, Plan = plan, Failures = &failures };
                ParallelRunner.Run(ref encode, plan.Planes, degree);
                if (Volatile.Read(ref failures) != 0)
                {
                    return false;
                }

                if (gather)
                {
                    GatherCodes(from, codes, to, plan, degree, bits);
                }
                else
                {
                    Run(from, to, plan.Planes, plan, new TapCode<byte>(codes), zero, degree, bits);
                }

                return true;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Encodes each plane's per-plane indices as tap codes in their own block (stops at the first that is not).</summary>
    private struct EncodeBody<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public TIndex* Indices;
        public byte* Codes;
        public Plan Plan;
        public int* Failures;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            ref readonly Plan p = ref Plan;
            long inPlane = (long)p.H * p.W;
            for (int plane = start; plane < end && Volatile.Read(ref *Failures) == 0; plane++)
            {
                TIndex* idx = Indices + ((nint)plane * inPlane);
                byte* codes = Codes + ((nint)plane * inPlane);
                Debug.Assert(Bounds.Within(idx, inPlane, Indices, p.Planes * inPlane) && Bounds.Within(codes, inPlane, Codes, p.Planes * inPlane), "index plane outside the buffers");
                if (!EncodePlane(idx, codes, p))
                {
                    Interlocked.Increment(ref *Failures);
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Index <c>at</c> of pooled cell (i, j) is in its block when, for some row <c>a &lt; KH</c>,
    /// <c>r = at - ((i*KH + a)*OutW + j*KW)</c> is in <c>[0, KW)</c> (one unsigned compare, which also rejects
    /// negatives); its code is then <c>a*KW + r</c>. 32- and 64-bit indices are tested a vector at a time on their bits
    /// (a wrapped difference cannot land in a block: every block cell is below the plane size, itself below 2^31);
    /// other index types one exact value at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool EncodePlane<TIndex>(TIndex* idx, byte* codes, in Plan p)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
        {
            return EncodeLanes((uint*)idx, codes, p);
        }

        if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
        {
            return EncodeLanes((ulong*)idx, codes, p);
        }

        return EncodeRows<NoLanes<TIndex>, TIndex, TIndex>(idx, codes, p);
    }

    /// <summary>The widest hardware width a pooled row fills, for 32- and 64-bit indices read as unsigned lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EncodeLanes<TS>(TS* idx, byte* codes, in Plan p)
        where TS : unmanaged, IBinaryInteger<TS>, IUnsignedNumber<TS>
        => Vector512.IsHardwareAccelerated && p.W >= Vector512<TS>.Count ? EncodeRows<BlockLanes512<TS>, Vector512<TS>, TS>(idx, codes, p)
            : Vector256.IsHardwareAccelerated && p.W >= Vector256<TS>.Count ? EncodeRows<BlockLanes256<TS>, Vector256<TS>, TS>(idx, codes, p)
            : Vector128.IsHardwareAccelerated && p.W >= Vector128<TS>.Count ? EncodeRows<BlockLanes128<TS>, Vector128<TS>, TS>(idx, codes, p)
            : EncodeRows<NoLanes<TS>, TS, TS>(idx, codes, p);

    /// <summary>
    /// The rows of one plane, a vector of cells at a time (<see cref="EncodeRowVectors"/>), with the per-cell loop for
    /// rows narrower than a vector.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool EncodeRows<TLanes, TVector, TS>(TS* idx, byte* codes, in Plan p)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TS>
        where TVector : struct
        where TS : unmanaged, IBinaryInteger<TS>
    {
        int h = p.H, w = p.W;
        for (int i = 0; i < h; i++, idx += w, codes += w)
        {
            if (w < TLanes.Count ? EncodeCells(idx, codes, 0, w, i, p) >= 0 : !EncodeRowVectors<TLanes, TVector, TS>(idx, codes, w, (long)i * p.KH * p.OutW, p.KH, p.KW, p.OutW))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// One pooled row of <paramref name="w"/> cells (at least a vector), whose first block starts at output cell
    /// <paramref name="rowBase"/>, a vector at a time, the last overlapping the one before. A method of its own, with no
    /// call inside, so that its constant vectors stay in registers (with a call in the loop the JIT kept them on the
    /// stack and reloaded them per vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool EncodeRowVectors<TLanes, TVector, TS>(TS* idx, byte* codes, int w, long rowBase, int kh, int kw, int outW)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TS>
        where TVector : struct
        where TS : unmanaged, IBinaryInteger<TS>
    {
        int count = TLanes.Count;
        TVector vkw = TLanes.CreateCode(kw), vOutW = TLanes.CreateCode(outW), ramp = TLanes.Ramp(kw), step = TLanes.CreateCode((long)count * kw);
        TVector expected = TLanes.Add(ramp, TLanes.CreateCode(rowBase));
        int j = 0;
        for (; j <= w - count; j += count, expected = TLanes.Add(expected, step))
        {
            if (!EncodeVector<TLanes, TVector, TS>(idx + j, codes + j, expected, vkw, vOutW, kh))
            {
                return false;
            }
        }

        // Overlap the previous vector: the codes it rewrites get the same values.
        j = w - count;
        return j % count == 0 || EncodeVector<TLanes, TVector, TS>(idx + j, codes + j, TLanes.Add(ramp, TLanes.CreateCode(rowBase + ((long)j * kw))), vkw, vOutW, kh);
    }

    /// <summary>One vector of cells whose block origins are <paramref name="expected"/>: false when one lies outside its block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool EncodeVector<TLanes, TVector, TS>(TS* idx, byte* codes, TVector expected, TVector kw, TVector outW, int kh)
        where TLanes : struct, IBlockLanes<TLanes, TVector, TS>
        where TVector : struct
        where TS : unmanaged, IBinaryInteger<TS>
    {
        TVector d = TLanes.Subtract(TLanes.Load(idx), expected);
        TVector code;
        if (kh == 2)
        {
            // Two block rows: r = min(d, d - outW) (unsigned) is the column offset of whichever row holds the index,
            // valid when below KW; the code adds KW in the second row (d >= KW there, as outW >= KW).
            TVector r = TLanes.Min(d, TLanes.Subtract(d, outW));
            if (TLanes.LessThanAll(r, kw))
            {
                TLanes.StoreCode(TLanes.ConditionalSelect(TLanes.LessThan(d, kw), r, TLanes.Add(r, kw)), codes);
                return true;
            }

            return false;
        }

        code = TLanes.ConditionalSelect(TLanes.LessThan(d, kw), d, TLanes.AllBits);
        TVector tapRow = kw;
        for (int a = 1; a < kh; a++)
        {
            d = TLanes.Subtract(d, outW);
            code = TLanes.ConditionalSelect(TLanes.LessThan(d, kw), TLanes.Add(tapRow, d), code);
            tapRow = TLanes.Add(tapRow, kw);
        }

        if (TLanes.EqualsAny(code, TLanes.AllBits))
        {
            return false;
        }

        TLanes.StoreCode(code, codes);
        return true;
    }

    /// <summary>Encodes cells <c>[from, to)</c> of pooled row <paramref name="i"/> one exact index at a time; returns -1, or the first cell out of its block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EncodeCells<TIndex>(TIndex* idx, byte* codes, int from, int to, int i, in Plan p)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        for (int j = from; j < to; j++)
        {
            long d = unchecked(IndexValue.Read(idx[j]) - (((long)i * p.KH * p.OutW) + ((long)j * p.KW)));
            int code = -1;
            for (int a = 0; a < p.KH; a++, d = unchecked(d - p.OutW))
            {
                if ((ulong)d < (ulong)p.KW)
                {
                    code = (a * p.KW) + (int)d;
                    break;
                }
            }

            if (code < 0)
            {
                return j;
            }

            codes[j] = (byte)code;
        }

        return -1;
    }
}
