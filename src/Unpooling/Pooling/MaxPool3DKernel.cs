using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// 3-D max pooling with arg-max capture over <c>[N, C, D, H, W]</c>, channels-first. A row is one output row
/// <c>(plane, od, oh)</c>; it folds the kernel lines <c>(kd, kh)</c> that land in the input volume, depth then height,
/// into the running maximum, each line loaded by the 2-D kernel's per-stride line code
/// (<see cref="MaxPool2DKernel.IWindowRow"/>), so the vector work per line is the 2-D kernel's own. The arg-max travels
/// as the offset from the window origin in the volume, <c>(kd*dD*H + kh*dH)*W + kw*dW</c> per plane, or the
/// convention's own steps (<see cref="MaxPool2DKernel.IIndexing"/>), exactly as in 2-D with one more line step.
/// Border columns and narrow rows run the scalar definition; every path is bit-identical (SEMANTICS.md 1).
/// </summary>
/// <remarks>
/// Written beside the 2-D row loop rather than replacing it, so the 2-D hot loop's JIT output is untouched by
/// construction. The element types are the 2-D kernel's (DESIGN.md section 4): float, double and int carry the arg-max as
/// offset lanes of their own width; sbyte, byte, short and Half carry the tap code <c>(kd*KH + kh)*KW + kw</c> in lanes
/// of their own width (the in-window index itself), which the store writes as it is for InWindow and otherwise decodes
/// into the convention in int32 lanes (<see cref="TapDecode3D"/>). Every other type runs the scalar definition.
/// </remarks>
internal static unsafe class MaxPool3DKernel
{
    /// <summary>Everything the row loop needs, computed once per call.</summary>
    internal readonly struct Plan
    {
        public readonly int D, H, W, OutD, OutH, OutW, KD, KH, KW, SD, SH, SW, PD, PH, PW, DD, DH, DW;

        /// <summary>First output column whose window starts inside the row.</summary>
        public readonly int VectorStart;

        /// <summary>One past the last output column a vector load may cover.</summary>
        public readonly int VectorEnd;

        /// <summary>Whether int32 lane arithmetic on volume offsets cannot overflow.</summary>
        public readonly bool OffsetsFitInt32;

        /// <summary>Channels per sample, to split a plane number into (n, c).</summary>
        public readonly int Channels;

        /// <summary>Division by <see cref="Channels"/>.</summary>
        public readonly FastDivisor ByChannels;

        /// <summary>The index strides: index = n*IndexN + c*IndexC + d*IndexD + h*IndexH + w*IndexW.</summary>
        public readonly long IndexN, IndexC, IndexD, IndexH, IndexW;

        /// <summary>Whether indices are the tap <c>(kd*KH + kh)*KW + kw</c>.</summary>
        public readonly bool IsInWindow;

        /// <summary>Taps per window, <c>KD*KH*KW</c>: the tap codes of 8- and 16-bit elements must fit their lanes.</summary>
        public readonly long Taps;

        public Plan(in SpatialPlan s, in IndexLayout3D layout)
        {
            (D, OutD, KD, SD, PD, DD) = (s.Depth.Input, s.Depth.Output, s.Depth.Kernel, s.Depth.Stride, s.Depth.PadBegin, s.Depth.Dilation);
            (H, OutH, KH, SH, PH, DH) = (s.Height.Input, s.Height.Output, s.Height.Kernel, s.Height.Stride, s.Height.PadBegin, s.Height.Dilation);
            (W, OutW, KW, SW, PW, DW) = (s.Width.Input, s.Width.Output, s.Width.Kernel, s.Width.Stride, s.Width.PadBegin, s.Width.Dilation);

            // Per call in 64 bits, as in 2-D: PW + SW - 1 alone can pass int.MaxValue.
            VectorStart = (int)Math.Min(OutW, (PW + (long)SW - 1) / SW);
            long last = W - 1 - MaxPool2DKernel.Plan.ExtraRead(SW, KW, DW) + PW - ((long)(KW - 1) * DW);
            long end = last < 0 ? 0 : (last / SW) + 1;
            VectorEnd = (int)Math.Clamp(end, VectorStart, OutW);

            long paddedDepth = D + (long)PD + s.Depth.PadEnd + ((long)(KD - 1) * DD);
            long paddedRows = H + (long)PH + s.Height.PadEnd + ((long)(KH - 1) * DH);
            long paddedCols = W + (long)PW + s.Width.PadEnd + ((long)(KW - 1) * DW) + ((long)SW * 64);
            OffsetsFitInt32 = (Int128)paddedDepth * paddedRows * paddedCols < int.MaxValue;

            Channels = (int)Math.Max(1, layout.Channels);
            ByChannels = new FastDivisor(Channels, int.MaxValue);
            (IndexN, IndexC, IndexD, IndexH, IndexW) = (layout.StrideN, layout.StrideC, layout.StrideD, layout.StrideH, layout.StrideW);
            IsInWindow = layout.Convention == IndexConvention.InWindow;
            Taps = (long)KD * KH * KW;
        }

        /// <summary>Cells of one input volume.</summary>
        public long Volume => (long)D * H * W;

        /// <summary>Whether indices are the cell's offset in its volume (per plane).</summary>
        public bool IsPerPlane => IndexN == 0 && IndexC == 0 && InVolumeOrder;

        /// <summary>Whether indices are a plane base plus the cell's row-major offset in its volume.</summary>
        public bool InVolumeOrder => IndexD == (long)H * W && IndexH == W && IndexW == 1;

        public bool CanVectorize(int count) => OffsetsFitInt32 && VectorEnd - VectorStart >= count;

        /// <summary>Whether every tap code fits an unsigned lane of <paramref name="laneBytes"/> bytes.</summary>
        public bool TapsFit(int laneBytes) => Taps <= 1L << (8 * laneBytes);

        /// <summary>The planes of the buffers a run was given (for the range asserts only).</summary>
        public int Planes { get; init; }
    }

    /// <summary>Runs at the widest hardware vector the row's vector columns fill, else the scalar definition.</summary>
    public static void Run<T, TIndex>(T* source, T* destination, TIndex* indices, int planes, in Plan plan, int degree)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new WidthBody<T, TIndex>(source, destination, indices, planes, plan, degree);
        SimdDispatch.RunLanes<T, WidthBody<T, TIndex>>(ref body, plan.OffsetsFitInt32 ? plan.VectorEnd - plan.VectorStart : 0);
    }

    private readonly ref struct WidthBody<T, TIndex>(T* source, T* destination, TIndex* indices, int planes, in Plan plan, int degree) : IWidthBody<T>
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        private readonly ref readonly Plan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => MaxPool3DKernel.Run<TSimd, TVector, T, TIndex>(source, destination, indices, planes, _plan, degree);

        public void RunScalar() => MaxPool3DKernel.Run<SimdScalar<T>, T, T, TIndex>(source, destination, indices, planes, _plan, degree, scalarOnly: true);
    }

    /// <summary>Runs one width, or the scalar definition only (any width works on any CPU).</summary>
    public static void Run<TSimd, TVector, T, TIndex>(
        T* source, T* destination, TIndex* indices, int planes, in Plan plan, int degree, bool scalarOnly = false)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int rows = checked(planes * plan.OutD * plan.OutH);
        bool vector = !scalarOnly && Vectorized<T>() && plan.CanVectorize(TSimd.Count) && (!TapLanes<T>() || plan.TapsFit(sizeof(T)));
        Plan sized = plan with { Planes = planes };
        if (plan.IsInWindow)
        {
            Dispatch<TSimd, TVector, T, TIndex, MaxPool2DKernel.WindowOrder>(source, destination, indices, sized, rows, degree, vector);
        }
        else if (plan.IsPerPlane)
        {
            Dispatch<TSimd, TVector, T, TIndex, MaxPool2DKernel.PlaneOrder>(source, destination, indices, sized, rows, degree, vector);
        }
        else if (plan.InVolumeOrder)
        {
            Dispatch<TSimd, TVector, T, TIndex, MaxPool2DKernel.RowMajorOrder>(source, destination, indices, sized, rows, degree, vector);
        }
        else
        {
            Dispatch<TSimd, TVector, T, TIndex, MaxPool2DKernel.ConventionOrder>(source, destination, indices, sized, rows, degree, vector);
        }
    }

    private static void Dispatch<TSimd, TVector, T, TIndex, TIndexing>(
        T* source, T* destination, TIndex* indices, in Plan plan, int rows, int degree, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        switch (plan.SW)
        {
            case 1:
                Dispatch<TSimd, TVector, T, TIndex, MaxPool2DKernel.Stride1, TIndexing>(source, destination, indices, plan, rows, degree, vector);
                break;
            case 2:
                Dispatch<TSimd, TVector, T, TIndex, MaxPool2DKernel.Stride2, TIndexing>(source, destination, indices, plan, rows, degree, vector);
                break;
            default:
                Dispatch<TSimd, TVector, T, TIndex, MaxPool2DKernel.StrideN, TIndexing>(source, destination, indices, plan, rows, degree, vector);
                break;
        }
    }

    private static void Dispatch<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
        T* source, T* destination, TIndex* indices, in Plan plan, int rows, int degree, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, MaxPool2DKernel.IWindowRow
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        var body = new RowsBody<TSimd, TVector, T, TIndex, TLoad, TIndexing>
        {
            Source = source,
            Destination = destination,
            Indices = indices,
            Plan = plan,
            Vector = vector,
        };
        ParallelRunner.Run(ref body, rows, degree);
    }

    private struct RowsBody<TSimd, TVector, T, TIndex, TLoad, TIndexing> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, MaxPool2DKernel.IWindowRow
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        public T* Source;
        public T* Destination;
        public TIndex* Indices;
        public Plan Plan;
        public bool Vector;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            for (int row = start; row < end; row++)
            {
                Row<TSimd, TVector, T, TIndex, TLoad, TIndexing>(Source, Destination, Indices, Plan, row, Vector);
            }
        }
    }

    /// <summary>The window lines of one output row: depth taps <c>[KdLo, KdHi)</c>, height taps <c>[KhLo, KhHi)</c>,
    /// the window's first depth and row (<c>Id0</c>, <c>Ih0</c>, possibly negative in the padding).</summary>
    private readonly record struct Lines(int Id0, int KdLo, int KdHi, int Ih0, int KhLo, int KhHi);

    /// <summary>One output row: <paramref name="row"/> counts rows <c>(plane, od, oh)</c> over all planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
        T* source, T* destination, TIndex* indices, in Plan p, int row, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, MaxPool2DKernel.IWindowRow
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        int rowsPerPlane = p.OutD * p.OutH;
        int plane = row / rowsPerPlane;
        int inPlane = row - (plane * rowsPerPlane);
        int od = inPlane / p.OutH;
        int oh = inPlane - (od * p.OutH);
        long volume = p.Volume;
        T* src = source + ((nint)plane * (nint)volume);
        T* dst = destination + ((nint)row * p.OutW);
        TIndex* idx = indices + ((nint)row * p.OutW);
        Debug.Assert(Bounds.Within(src, volume, source, p.Planes * volume), "source volume outside the source");
        Debug.Assert(Bounds.Within(dst, p.OutW, destination, (long)p.Planes * rowsPerPlane * p.OutW), "output row outside the destination");
        Debug.Assert(Bounds.Within(idx, p.OutW, indices, (long)p.Planes * rowsPerPlane * p.OutW), "output row outside the indices");

        long indexBase = 0;
        if (TIndexing.HasPlaneBase)
        {
            long n = p.ByChannels.Divide(plane);
            indexBase = (n * p.IndexN) + ((plane - (n * p.Channels)) * p.IndexC);
        }

        // Closed-form tap ranges in 64 bits, as in 2-D; every window holds a real cell (Pool3DGeometry), so each
        // window's first depth and row lie in [-P, size) and fit an int.
        long front = ((long)od * p.SD) - p.PD;
        long top = ((long)oh * p.SH) - p.PH;
        (int kdLo, int kdHi) = AxisMath.TapRange(front, p.KD, p.DD, p.D);
        (int khLo, int khHi) = AxisMath.TapRange(top, p.KH, p.DH, p.H);
        Debug.Assert(front == (int)front && top == (int)top, "a window's first depth or row outside [-P, size)");
        var lines = new Lines((int)front, kdLo, kdHi, (int)top, khLo, khHi);

        if (!vector)
        {
            ScalarRange<T, TIndex, TIndexing>(src, dst, idx, p, indexBase, lines, 0, p.OutW);
            return;
        }

        ScalarRange<T, TIndex, TIndexing>(src, dst, idx, p, indexBase, lines, 0, p.VectorStart);
        int count = TSimd.Count;
        int ow = p.VectorStart;
        for (; ow <= p.VectorEnd - count; ow += count)
        {
            Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(src, dst, idx, p, indexBase, lines, ow);
        }

        if (ow < p.VectorEnd)
        {
            // Overlap the last full vector with the previous one: recomputing a cell writes the same values.
            Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(src, dst, idx, p, indexBase, lines, p.VectorEnd - count);
        }

        ScalarRange<T, TIndex, TIndexing>(src, dst, idx, p, indexBase, lines, p.VectorEnd, p.OutW);
    }

    /// <summary>A vector of output columns, by the element type's lanes (a JIT-time branch).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
        T* src, T* dst, TIndex* idx, in Plan p, long indexBase, in Lines l, int ow)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, MaxPool2DKernel.IWindowRow
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        if (TapLanes<T>())
        {
            ComputeTaps<TSimd, TVector, T, TIndex, TLoad, TIndexing>(src, dst, idx, p, indexBase, l, ow);
        }
        else
        {
            ComputeOffsets<TSimd, TVector, T, TIndex, TLoad, TIndexing>(src, dst, idx, p, indexBase, l, ow);
        }
    }

    /// <summary>
    /// Folds the window lines <c>(kd, kh)</c> of a vector of output columns in row-major window order from the first real
    /// cell, each line by <typeparamref name="TLoad"/>: tap <c>kw</c> of line (kd, kh) carries
    /// <c>kd*indexDepthStep + kh*indexRowStep + kw*indexColumnStep</c> (the load offset itself in the orders whose tap
    /// is one), and the first real cell's is the starting arg.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fold<TSimd, TVector, T, TLoad, TIndexing>(
        T* src, in Plan p, in Lines l, int iw0, long indexDepthStep, long indexRowStep, long indexColumnStep, out TVector best, out TVector arg)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TLoad : struct, MaxPool2DKernel.IWindowRow
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        int rowStep = p.DH * p.W;
        int depthStep = p.DD * p.H * p.W;
        best = TSimd.Create(MaxPool2DKernel.Lowest<T>());
        arg = TSimd.CreateIndex((l.KdLo * indexDepthStep) + (l.KhLo * indexRowStep));
        T* origin = src + ((nint)l.Id0 * p.H * p.W) + ((nint)l.Ih0 * p.W) + iw0;
        for (int kd = l.KdLo; kd < l.KdHi; kd++)
        {
            for (int kh = l.KhLo; kh < l.KhHi; kh++)
            {
                int offset = (kd * depthStep) + (kh * rowStep);
                Debug.Assert(
                    Bounds.Within(origin + offset, TLoad.Footprint(TSimd.Count, p.KW, p.DW, p.SW), src + ((((nint)(l.Id0 + (kd * p.DD)) * p.H) + l.Ih0 + (kh * p.DH)) * p.W), p.W),
                    "a vector load leaves its input row (VectorStart/VectorEnd/ExtraRead)");
                TLoad.Accumulate<TSimd, TVector, T, TIndexing>(
                    origin + offset, offset, (kd * indexDepthStep) + (kh * indexRowStep), indexColumnStep, p.KW, p.DW, p.SW, ref best, ref arg);
            }
        }
    }

    /// <summary>
    /// Offset lanes (float, double, int): the arg is the offset from the window origin in the volume (per plane, global
    /// row-major), the convention's steps, or the tap number (in window).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ComputeOffsets<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
        T* src, T* dst, TIndex* idx, in Plan p, long indexBase, in Lines l, int ow)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, MaxPool2DKernel.IWindowRow
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        int iw0 = (ow * p.SW) - p.PW;
        int rowStep = p.DH * p.W;
        int depthStep = p.DD * p.H * p.W;
        long indexRowStep = TIndexing.TapIsLoadOffset ? rowStep : TIndexing.IsInWindow ? p.KW : p.DH * p.IndexH;
        long indexDepthStep = TIndexing.TapIsLoadOffset ? depthStep : TIndexing.IsInWindow ? (long)p.KH * p.KW : p.DD * p.IndexD;
        long indexColumnStep = TIndexing.TapIsLoadOffset ? p.DW : TIndexing.IsInWindow ? 1 : p.DW * p.IndexW;
        Fold<TSimd, TVector, T, TLoad, TIndexing>(src, p, l, iw0, indexDepthStep, indexRowStep, indexColumnStep, out TVector best, out TVector arg);

        TVector position = TIndexing.TapIsLoadOffset
            ? TSimd.AddIndex(TSimd.IndexRamp((TIndexing.HasPlaneBase ? indexBase : 0) + ((long)l.Id0 * p.H * p.W) + ((long)l.Ih0 * p.W) + iw0, p.SW), arg)
            : TIndexing.IsInWindow ? arg
            : TSimd.AddIndex(TSimd.IndexRamp(indexBase + (l.Id0 * p.IndexD) + (l.Ih0 * p.IndexH) + (iw0 * p.IndexW), p.SW * p.IndexW), arg);
        Debug.Assert(ow >= 0 && ow + TSimd.Count <= p.OutW, "a vector store leaves its output row");
        TSimd.Store(best, dst + ow);
        TSimd.StoreIndex(position, idx + ow);
    }

    /// <summary>
    /// Tap-code lanes (sbyte, byte, short, Half): the arg is the tap code <c>(kd*KH + kh)*KW + kw</c> in lanes of the
    /// element's width. In window, the code is the index and is stored as it is (one byte per window into byte
    /// indices); otherwise the codes are widened to int32 (through a stack buffer: the widths have no generic widening)
    /// and decoded into the convention there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ComputeTaps<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
        T* src, T* dst, TIndex* idx, in Plan p, long indexBase, in Lines l, int ow)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, MaxPool2DKernel.IWindowRow
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        int iw0 = (ow * p.SW) - p.PW;
        Fold<TSimd, TVector, T, TLoad, MaxPool2DKernel.WindowOrder>(src, p, l, iw0, (long)p.KH * p.KW, p.KW, 1, out TVector best, out TVector code);
        Debug.Assert(ow >= 0 && ow + TSimd.Count <= p.OutW, "a vector store leaves its output row");
        TSimd.Store(best, dst + ow);
        if (TIndexing.IsInWindow)
        {
            TSimd.StoreTapIndex(code, idx + ow, TapDecode.InWindow(p.KW));
            return;
        }

        long plane = (long)p.H * p.W;
        TapDecode3D decode = TIndexing.TapIsLoadOffset
            ? new TapDecode3D(p, (TIndexing.HasPlaneBase ? indexBase : 0) + (l.Id0 * plane) + ((long)l.Ih0 * p.W) + iw0, p.SW, (long)p.DD * plane, (long)p.DH * p.W, p.DW)
            : new TapDecode3D(p, indexBase + (l.Id0 * p.IndexD) + (l.Ih0 * p.IndexH) + (iw0 * p.IndexW), p.SW * p.IndexW, p.DD * p.IndexD, p.DH * p.IndexH, p.DW * p.IndexW);
        StoreDecoded<TSimd, TVector, T, TIndex>(code, idx + ow, decode);
    }

    /// <summary>Widens a vector of tap codes to int32 through a stack buffer (the widths have no generic widening),
    /// decodes them and stores the indices.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its stack buffer stays out of the row loop's frame
    private static void StoreDecoded<TSimd, TVector, T, TIndex>(TVector code, TIndex* destination, in TapDecode3D decode)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int* codes = stackalloc int[TSimd.Count];
        TSimd.StoreTapIndex(code, codes, TapDecode.InWindow(1));
        decode.Store(codes, TSimd.Count, destination);
    }

    /// <summary>
    /// The 3-D form of <see cref="TapDecode"/>: tap code <c>c = (kd*KH + kh)*KW + kw</c> of lane <c>i</c> becomes
    /// <c>Start + i*Step + kd*DepthStep + kh*RowStep + kw*ColumnStep</c> in int32 lanes, which wrap modulo 2^32 and are
    /// exact again at the end because every index lies in <c>[0, 2^31)</c>. Both quotients, <c>c / KW</c> and
    /// <c>(c / KW) / KH</c>, are float products with <see cref="TapDecode.ReciprocalOf"/>, exact for dividends below
    /// 2^16 (all tap codes of 8- and 16-bit lanes), as <see cref="TapDecode"/> shows.
    /// </summary>
    private readonly struct TapDecode3D
    {
        private readonly int _kw, _kh, _start, _step, _depthStep, _rowStep, _columnStep;
        private readonly float _byKw, _byKh;

        public TapDecode3D(in Plan p, long start, long step, long depthStep, long rowStep, long columnStep)
        {
            (_kw, _kh) = (p.KW, p.KH);
            (_byKw, _byKh) = (TapDecode.ReciprocalOf(p.KW), TapDecode.ReciprocalOf(p.KH));
            (_start, _step) = (unchecked((int)start), unchecked((int)step));
            (_depthStep, _rowStep, _columnStep) = (unchecked((int)depthStep), unchecked((int)rowStep), unchecked((int)columnStep));
        }

        /// <summary>Decodes <paramref name="count"/> codes (a multiple of 4) and stores them as <typeparamref name="TIndex"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store<TIndex>(int* codes, int count, TIndex* destination)
            where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= count - Vector256<int>.Count; i += Vector256<int>.Count)
                {
                    Simd256<int>.StoreIndex(Decode(Vector256.Load(codes + i), i), destination + i);
                }
            }

            for (; i <= count - Vector128<int>.Count; i += Vector128<int>.Count)
            {
                Simd128<int>.StoreIndex(Decode(Vector128.Load(codes + i), i), destination + i);
            }

            for (; i < count; i++)
            {
                int q = codes[i] / _kw, kd = q / _kh;
                IndexValue.Write(destination + i, unchecked(_start + (i * _step) + (kd * _depthStep) + ((q - (kd * _kh)) * _rowStep) + ((codes[i] - (q * _kw)) * _columnStep)));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector256<int> Decode(Vector256<int> code, int lane)
        {
            Vector256<int> q = Vector256.ConvertToInt32Native(Vector256.ConvertToSingle(code) * Vector256.Create(_byKw));
            Vector256<int> kd = Vector256.ConvertToInt32Native(Vector256.ConvertToSingle(q) * Vector256.Create(_byKh));
            return (Vector256<int>.Indices * _step) + Vector256.Create(unchecked(_start + (lane * _step)))
                + (kd * _depthStep) + ((q - (kd * _kh)) * _rowStep) + ((code - (q * _kw)) * _columnStep);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Vector128<int> Decode(Vector128<int> code, int lane)
        {
            Vector128<int> q = Vector128.ConvertToInt32Native(Vector128.ConvertToSingle(code) * Vector128.Create(_byKw));
            Vector128<int> kd = Vector128.ConvertToInt32Native(Vector128.ConvertToSingle(q) * Vector128.Create(_byKh));
            return (Vector128<int>.Indices * _step) + Vector128.Create(unchecked(_start + (lane * _step)))
                + (kd * _depthStep) + ((q - (kd * _kh)) * _rowStep) + ((code - (q * _kw)) * _columnStep);
        }
    }

    /// <summary>The scalar definition, for border columns, narrow rows and the element types without vector paths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRange<T, TIndex, TIndexing>(T* src, T* dst, TIndex* idx, in Plan p, long indexBase, in Lines l, int from, int to)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TIndexing : struct, MaxPool2DKernel.IIndexing
    {
        Debug.Assert(from >= 0 && to <= p.OutW, "scalar columns outside the output row");
        Debug.Assert(l.KdLo >= l.KdHi || (l.Id0 + ((long)l.KdLo * p.DD) >= 0 && l.Id0 + ((long)(l.KdHi - 1) * p.DD) < p.D), "kernel depths outside the volume");
        Debug.Assert(l.KhLo >= l.KhHi || (l.Ih0 + ((long)l.KhLo * p.DH) >= 0 && l.Ih0 + ((long)(l.KhHi - 1) * p.DH) < p.H), "kernel rows outside the slice");
        for (int ow = from; ow < to; ow++)
        {
            long iw0 = ((long)ow * p.SW) - p.PW;
            (int kwLo, int kwHi) = AxisMath.TapRange(iw0, p.KW, p.DW, p.W);
            T best = T.Zero;
            long arg = -1;
            for (int kd = l.KdLo; kd < l.KdHi; kd++)
            {
                long id = l.Id0 + ((long)kd * p.DD);
                for (int kh = l.KhLo; kh < l.KhHi; kh++)
                {
                    long ih = l.Ih0 + ((long)kh * p.DH);
                    T* line = src + (nint)(((id * p.H) + ih) * p.W);
                    for (int kw = kwLo; kw < kwHi; kw++)
                    {
                        long iw = iw0 + ((long)kw * p.DW);
                        Debug.Assert((ulong)iw < (ulong)p.W, "a kernel column outside the row");
                        T v = line[iw];
                        long position = TIndexing.IsInWindow ? ((((long)kd * p.KH) + kh) * p.KW) + kw
                            : TIndexing.TapIsLoadOffset ? (((id * p.H) + ih) * p.W) + iw
                            : (id * p.IndexD) + (ih * p.IndexH) + (iw * p.IndexW);

                        // The first real cell is taken unless a later one beats it (SEMANTICS.md 1).
                        if (arg < 0 || v > best || T.IsNaN(v))
                        {
                            best = v;
                            arg = position;
                        }
                    }
                }
            }

            dst[ow] = best;
            IndexValue.Write(idx + ow, TIndexing.HasPlaneBase ? indexBase + arg : arg);
        }
    }

    /// <summary>Whether <typeparamref name="T"/> has vector paths (the 2-D kernel's types); a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Vectorized<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(int) || TapLanes<T>();

    /// <summary>Whether <typeparamref name="T"/>'s arg-max travels as tap codes in 8- or 16-bit lanes; a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TapLanes<T>() => typeof(T) == typeof(sbyte) || typeof(T) == typeof(byte) || typeof(T) == typeof(short) || typeof(T) == typeof(Half);
}
