using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Max pooling with arg-max capture over <c>[N, C, H, W]</c>. Output columns whose windows lie wholly inside the input
/// row are computed a vector of output columns at a time; the few border columns (padding, ceil mode) and narrow rows
/// run the scalar definition. Both follow SEMANTICS.md exactly: <c>if (v &gt; best || isNaN(v))</c> in row-major window
/// order, starting from the first real cell, so every path is bit-identical.
/// Indices are written in any <see cref="IndexConvention"/> directly, since each is affine in (n, c, h, w)
/// (<see cref="IndexLayout"/>). Per plane, the arg-max travels as the load offset itself (<see cref="PlaneOrder"/>);
/// global row-major adds the plane's base once per store (<see cref="RowMajorOrder"/>); the other conventions carry
/// their own row and column steps beside the load offsets (<see cref="ConventionOrder"/>). Each is its own
/// instantiation, so the per-plane loop stays exactly as lean as before conventions existed.
/// </summary>
internal static unsafe class MaxPool2DKernel
{
    /// <summary>Everything the row loop needs, computed once per call.</summary>
    internal readonly struct Plan
    {
        public readonly int H, W, OutH, OutW, KH, KW, SH, SW, PH, PW, DH, DW;

        /// <summary>First output column whose window starts inside the row.</summary>
        public readonly int VectorStart;

        /// <summary>One past the last output column a vector load may cover (see <see cref="ExtraRead"/>).</summary>
        public readonly int VectorEnd;

        /// <summary>Whether int32 lane arithmetic on plane offsets cannot overflow (always, short of 2^31-cell planes).</summary>
        public readonly bool OffsetsFitInt32;

        /// <summary>Channels per sample, to split a plane number into (n, c) when the convention needs it.</summary>
        public readonly int Channels;

        /// <summary>Division by <see cref="Channels"/> without a hardware divide per row.</summary>
        public readonly FastDivisor ByChannels;

        /// <summary>The index strides of the convention: index = n*IndexN + c*IndexC + h*IndexH + w*IndexW.</summary>
        public readonly long IndexN, IndexC, IndexH, IndexW;

        /// <summary>Whether indices are the tap <c>kh*KW + kw</c> inside the element's own window
        /// (<see cref="IndexConvention.InWindow"/>; the layout's strides are then unused).</summary>
        public readonly bool IsInWindow;

        /// <summary>Taps per window, <c>KH*KW</c>: the tap codes of 8- and 16-bit elements must fit their lanes.</summary>
        public readonly long Taps;

        /// <summary>The float multiplier that divides tap codes by <c>KW</c> (<see cref="TapDecode.ReciprocalOf"/>).</summary>
        public readonly float TapReciprocal;

        /// <summary>A plan that writes per-plane indices.</summary>
        public Plan(Size2D input, Size2D output, in Pool2DGeometry g)
            : this(input, output, g, new IndexLayout(IndexConvention.PerPlane, new Shape4D(1, 1, input.Height, input.Width)))
        {
        }

        /// <summary>A plan that writes indices in <paramref name="layout"/>'s convention.</summary>
        public Plan(Size2D input, Size2D output, in Pool2DGeometry g, in IndexLayout layout)
        {
            H = input.Height;
            W = input.Width;
            OutH = output.Height;
            OutW = output.Width;
            (KH, KW) = (g.KernelSize.Height, g.KernelSize.Width);
            (SH, SW) = (g.Stride.Height, g.Stride.Width);
            (PH, PW) = (g.PaddingBegin.Height, g.PaddingBegin.Width);
            (DH, DW) = (g.Dilation.Height, g.Dilation.Width);

            // Per call in 64 bits: PW + SW - 1 alone can pass int.MaxValue.
            VectorStart = (int)Math.Min(OutW, (PW + (long)SW - 1) / SW);
            long last = W - 1 - ExtraRead(SW, KW, DW) + PW - ((long)(KW - 1) * DW);
            long end = last < 0 ? 0 : (last / SW) + 1;
            VectorEnd = (int)Math.Clamp(end, VectorStart, OutW);

            long paddedRows = H + (long)PH + g.PaddingEnd.Height + ((long)(KH - 1) * DH);
            long paddedCols = W + (long)PW + g.PaddingEnd.Width + ((long)(KW - 1) * DW) + ((long)SW * 64);
            // Each factor fits a long (up to 2^62), their product need not: a wrapped product could look small.
            OffsetsFitInt32 = (Int128)paddedRows * paddedCols < int.MaxValue;

            Channels = (int)Math.Max(1, layout.Channels);
            ByChannels = new FastDivisor(Channels, int.MaxValue);
            (IndexN, IndexC, IndexH, IndexW) = (layout.StrideN, layout.StrideC, layout.StrideH, layout.StrideW);
            IsInWindow = layout.Convention == IndexConvention.InWindow;
            Taps = (long)KH * KW;
            TapReciprocal = TapDecode.ReciprocalOf(KW);
        }

        /// <summary>Whether indices are the cell's offset in its plane (per plane).</summary>
        public bool IsPerPlane => IndexN == 0 && IndexC == 0 && InPlaneOrder;

        /// <summary>Whether indices are a plane base plus the cell's offset in its plane (per plane, global row-major).</summary>
        public bool InPlaneOrder => IndexH == W && IndexW == 1;

        /// <summary>Elements a vector load reads past the last element the window needs.</summary>
        /// <remarks>
        /// Stride 2 loads <c>2*Count</c> contiguous elements and keeps the even ones; a trailing unpaired kernel column
        /// (odd kernel width, or any dilation) therefore reads one element beyond its last needed one.
        /// </remarks>
        public static int ExtraRead(int sw, int kw, int dw) => sw == 2 && (dw != 1 || (kw & 1) == 1) ? 1 : 0;

        public bool CanVectorize(int count) => OffsetsFitInt32 && VectorEnd - VectorStart >= count;

        /// <summary>Whether every tap code <c>kh*KW + kw</c> fits an unsigned lane of <paramref name="laneBytes"/> bytes.</summary>
        public bool TapsFit(int laneBytes) => Taps <= 1L << (8 * laneBytes);

        /// <summary>The planes of the buffers a run was given (set by the run, for its range asserts only).</summary>
        public int Planes { get; init; }
    }

    /// <summary>Runs at the widest hardware vector that the row's vector columns fill, else the scalar definition.</summary>
    public static void Run<T, TIndex>(T* source, T* destination, TIndex* indices, int planes, in Plan plan, int degree)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new WidthBody<T, TIndex>(source, destination, indices, planes, plan, degree);
        SimdDispatch.RunLanes<T, WidthBody<T, TIndex>>(ref body, plan.OffsetsFitInt32 ? plan.VectorEnd - plan.VectorStart : 0);
    }

    /// <summary>The arguments of the dispatching <c>Run</c>, run at the width the dispatch picks.</summary>
    private readonly ref struct WidthBody<T, TIndex>(T* source, T* destination, TIndex* indices, int planes, in Plan plan, int degree) : IWidthBody<T>
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        private readonly ref readonly Plan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => MaxPool2DKernel.Run<TSimd, TVector, T, TIndex>(source, destination, indices, planes, _plan, degree);

        public void RunScalar() => MaxPool2DKernel.Run<SimdScalar<T>, T, T, TIndex>(source, destination, indices, planes, _plan, degree, scalarOnly: true);
    }

    /// <summary>Runs one width, or the scalar definition only (any width works on any CPU; unaccelerated ones are slow).</summary>
    public static void Run<TSimd, TVector, T, TIndex>(
        T* source, T* destination, TIndex* indices, int planes, in Plan plan, int degree, bool scalarOnly = false)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int rows = checked(planes * plan.OutH);
        bool vector = !scalarOnly && plan.CanVectorize(TSimd.Count) && (!TapLanes<T>() || plan.TapsFit(sizeof(T)));
        Plan sized = plan with { Planes = planes };
        if (plan.IsInWindow)
        {
            Dispatch<TSimd, TVector, T, TIndex, WindowOrder>(source, destination, indices, sized, rows, degree, vector);
        }
        else if (plan.IsPerPlane)
        {
            Dispatch<TSimd, TVector, T, TIndex, PlaneOrder>(source, destination, indices, sized, rows, degree, vector);
        }
        else if (plan.InPlaneOrder)
        {
            Dispatch<TSimd, TVector, T, TIndex, RowMajorOrder>(source, destination, indices, sized, rows, degree, vector);
        }
        else
        {
            Dispatch<TSimd, TVector, T, TIndex, ConventionOrder>(source, destination, indices, sized, rows, degree, vector);
        }
    }

    private static void Dispatch<TSimd, TVector, T, TIndex, TIndexing>(
        T* source, T* destination, TIndex* indices, in Plan plan, int rows, int degree, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TIndexing : struct, IIndexing
    {
        switch (plan.SW)
        {
            case 1:
                Dispatch<TSimd, TVector, T, TIndex, Stride1, TIndexing>(source, destination, indices, plan, rows, degree, vector);
                break;
            case 2:
                Dispatch<TSimd, TVector, T, TIndex, Stride2, TIndexing>(source, destination, indices, plan, rows, degree, vector);
                break;
            default:
                Dispatch<TSimd, TVector, T, TIndex, StrideN, TIndexing>(source, destination, indices, plan, rows, degree, vector);
                break;
        }
    }

    private static void Dispatch<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
        T* source, T* destination, TIndex* indices, in Plan plan, int rows, int degree, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, IWindowRow
        where TIndexing : struct, IIndexing
    {
        if (TapLanes<T>())
        {
            Dispatch<TSimd, TVector, T, TIndex, TLoad, TIndexing, TapCodeLanes>(source, destination, indices, plan, rows, degree, vector);
        }
        else
        {
            Dispatch<TSimd, TVector, T, TIndex, TLoad, TIndexing, OffsetLanes>(source, destination, indices, plan, rows, degree, vector);
        }
    }

    private static void Dispatch<TSimd, TVector, T, TIndex, TLoad, TIndexing, TCells>(
        T* source, T* destination, TIndex* indices, in Plan plan, int rows, int degree, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, IWindowRow
        where TIndexing : struct, IIndexing
        where TCells : struct, ICells
    {
        var body = new RowsBody<TSimd, TVector, T, TIndex, TLoad, TIndexing, TCells>
        {
            Source = source,
            Destination = destination,
            Indices = indices,
            Plan = plan,
            Vector = vector,
        };
        ParallelRunner.Run(ref body, rows, degree);
    }

    private struct RowsBody<TSimd, TVector, T, TIndex, TLoad, TIndexing, TCells> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, IWindowRow
        where TIndexing : struct, IIndexing
        where TCells : struct, ICells
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
                Row<TSimd, TVector, T, TIndex, TLoad, TIndexing, TCells>(Source, Destination, Indices, Plan, row, Vector);
            }
        }
    }

    /// <summary>One output row: <paramref name="row"/> counts rows over all planes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Row<TSimd, TVector, T, TIndex, TLoad, TIndexing, TCells>(
        T* source, T* destination, TIndex* indices, in Plan p, int row, bool vector)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TLoad : struct, IWindowRow
        where TIndexing : struct, IIndexing
        where TCells : struct, ICells
    {
        int plane = row / p.OutH;
        int oh = row - (plane * p.OutH);
        T* src = source + ((nint)plane * p.H * p.W);
        T* dst = destination + ((nint)row * p.OutW);
        TIndex* idx = indices + ((nint)row * p.OutW);
        Debug.Assert(Bounds.Within(src, (long)p.H * p.W, source, (long)p.Planes * p.H * p.W), "source plane outside the source");
        Debug.Assert(Bounds.Within(dst, p.OutW, destination, (long)p.Planes * p.OutH * p.OutW), "output row outside the destination");
        Debug.Assert(Bounds.Within(idx, p.OutW, indices, (long)p.Planes * p.OutH * p.OutW), "output row outside the indices");

        // The index of the plane's first cell (0 per plane).
        long indexBase = 0;
        if (TIndexing.HasPlaneBase)
        {
            long n = p.ByChannels.Divide(plane);
            indexBase = (n * p.IndexN) + ((plane - (n * p.Channels)) * p.IndexC);
        }

        // The kernel rows [khLo, khHi) that land in the input, in closed form (never a walk over the kernel rows: a
        // kernel of int.MaxValue rows would take seconds per row) and in 64 bits: oh*SH alone can pass int.MaxValue,
        // and a window may reach past the input by more than int.MaxValue (huge dilation and padding, or ceil mode on an
        // input shorter than the kernel); a wrapped row would pass the test and be read. The window's top, oh*SH - PH,
        // lies in [-PH, H) because every window holds a real cell (Pool2DGeometry), so it fits an int.
        long top = ((long)oh * p.SH) - p.PH;
        (int khLo, int khHi) = AxisMath.TapRange(top, p.KH, p.DH, p.H);
        int ih0 = (int)top;
        Debug.Assert(top == ih0, "a window's top row outside [-PH, H)");

        if (!vector)
        {
            ScalarRange<T, TIndex, TIndexing>(src, dst, idx, p, indexBase, ih0, khLo, khHi, 0, p.OutW);
            return;
        }

        ScalarRange<T, TIndex, TIndexing>(src, dst, idx, p, indexBase, ih0, khLo, khHi, 0, p.VectorStart);

        int count = TSimd.Count;
        int ow = p.VectorStart;
        for (; ow <= p.VectorEnd - count; ow += count)
        {
            TCells.Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(src, dst, idx, p, indexBase, ih0, khLo, khHi, ow);
        }

        if (ow < p.VectorEnd)
        {
            // Overlap the last full vector with the previous one: recomputing a cell writes the same values.
            TCells.Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(src, dst, idx, p, indexBase, ih0, khLo, khHi, p.VectorEnd - count);
        }

        ScalarRange<T, TIndex, TIndexing>(src, dst, idx, p, indexBase, ih0, khLo, khHi, p.VectorEnd, p.OutW);
    }

    /// <summary>The scalar definition, for border columns and rows too narrow for a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void ScalarRange<T, TIndex, TIndexing>(T* src, T* dst, TIndex* idx, in Plan p, long indexBase, int ih0, int khLo, int khHi, int from, int to)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TIndexing : struct, IIndexing
    {
        Debug.Assert(from >= 0 && to <= p.OutW, "scalar columns outside the output row");
        Debug.Assert(khLo >= khHi || (ih0 + ((long)khLo * p.DH) >= 0 && ih0 + ((long)(khHi - 1) * p.DH) < p.H), "kernel rows outside the plane");
        for (int ow = from; ow < to; ow++)
        {
            // 64-bit for the same reasons as the kernel rows; only the taps that land in the row are visited (a kernel
            // of int.MaxValue columns over a 1000-wide row visits at most 1000).
            long iw0 = ((long)ow * p.SW) - p.PW;
            (int kwLo, int kwHi) = AxisMath.TapRange(iw0, p.KW, p.DW, p.W);
            // From -infinity for float and double (as before the other types ran); any other type starts from the
            // first real cell, which is the same rule: the first cell is taken unless a later one beats it.
            T best = Vectorized<T>() ? Lowest<T>() : T.Zero;
            long arg = -1;
            for (int kh = khLo; kh < khHi; kh++)
            {
                long ih = ih0 + ((long)kh * p.DH);
                T* line = src + (nint)(ih * p.W);
                for (int kw = kwLo; kw < kwHi; kw++)
                {
                    long iw = iw0 + ((long)kw * p.DW);
                    Debug.Assert((ulong)iw < (ulong)p.W, "a kernel column outside the row");
                    T v = line[iw];
                    long position = TIndexing.IsInWindow ? ((long)kh * p.KW) + kw
                        : TIndexing.TapIsLoadOffset ? (ih * p.W) + iw : (ih * p.IndexH) + (iw * p.IndexW);
                    if (arg < 0)
                    {
                        arg = position;
                        if (!Vectorized<T>())
                        {
                            best = v;
                            continue;
                        }
                    }

                    if (v > best || T.IsNaN(v))
                    {
                        best = v;
                        arg = position;
                    }
                }
            }

            dst[ow] = best;
            IndexValue.Write(idx + ow, TIndexing.HasPlaneBase ? indexBase + arg : arg);
        }
    }

    /// <summary>Whether <typeparamref name="T"/> has vector paths (float, double); a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Vectorized<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>Whether <typeparamref name="T"/>'s arg-max travels as tap codes in 8- or 16-bit lanes (Half too, see <see cref="HalfKey"/>); a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TapLanes<T>() => typeof(T) == typeof(sbyte) || typeof(T) == typeof(byte) || typeof(T) == typeof(short) || typeof(T) == typeof(Half);

    /// <summary>
    /// The vector paths' starting maximum: -infinity for the floating-point types (a window of -infinity keeps its first
    /// real cell, whose offset the arg starts at), the minimum for integers (likewise: nothing is strictly greater).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Lowest<T>()
        where T : unmanaged, INumber<T>
        => typeof(T) == typeof(float) ? (T)(object)float.NegativeInfinity
        : typeof(T) == typeof(double) ? (T)(object)double.NegativeInfinity
        : typeof(T) == typeof(Half) ? (T)(object)Half.NegativeInfinity
        : typeof(T) == typeof(int) ? (T)(object)int.MinValue
        : typeof(T) == typeof(short) ? (T)(object)short.MinValue
        : typeof(T) == typeof(sbyte) ? (T)(object)sbyte.MinValue
        : typeof(T) == typeof(byte) ? (T)(object)byte.MinValue
        : throw new InvalidOperationException($"{typeof(T).Name} has no vector path.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update<TSimd, TVector, T>(TVector value, long offset, ref TVector best, ref TVector arg)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
    {
        TVector take = TSimd.Or(TSimd.GreaterThan(value, best), TSimd.IsNaN(value));
        best = TSimd.ConditionalSelect(take, value, best);
        arg = TSimd.ConditionalSelect(take, TSimd.CreateIndex(offset), arg);
    }

    /// <summary>How a vector of output columns carries its arg-max, fixed per element type (a type, not a branch, so
    /// that the row loop of the offset lanes compiles exactly as it did before tap codes existed).</summary>
    private interface ICells
    {
        static abstract void Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
            T* src, T* dst, TIndex* idx, in Plan p, long indexBase, int ih0, int khLo, int khHi, int ow)
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            where T : unmanaged, INumber<T>
            where TIndex : unmanaged, IBinaryInteger<TIndex>
            where TLoad : struct, IWindowRow
            where TIndexing : struct, IIndexing;
    }

    /// <summary>
    /// Folds a vector of windows into the running maximum and its arg, kernel row by kernel row, from the first real
    /// cell (the arg's start) in row-major order; tap j of kernel row kh carries <c>kh*indexRowStep + j*indexColumnStep</c>
    /// (the load offset itself in the orders whose tap is one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Window<TSimd, TVector, T, TLoad, TIndexing>(
        T* src, in Plan p, int ih0, int khLo, int khHi, int iw0, long indexRowStep, long indexColumnStep, out TVector best, out TVector arg)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TLoad : struct, IWindowRow
        where TIndexing : struct, IIndexing
    {
        int rowStep = p.DH * p.W;
        best = TSimd.Create(Lowest<T>());
        arg = TSimd.CreateIndex(TIndexing.TapIsLoadOffset ? (long)khLo * rowStep : khLo * indexRowStep);
        T* origin = src + ((nint)ih0 * p.W) + iw0;
        for (int kh = khLo; kh < khHi; kh++)
        {
            int offset = kh * rowStep;
            Debug.Assert(
                Bounds.Within(origin + offset, TLoad.Footprint(TSimd.Count, p.KW, p.DW, p.SW), src + ((nint)(ih0 + (kh * p.DH)) * p.W), p.W),
                "a vector load leaves its input row (VectorStart/VectorEnd/ExtraRead)");
            TLoad.Accumulate<TSimd, TVector, T, TIndexing>(origin + offset, offset, kh * indexRowStep, indexColumnStep, p.KW, p.DW, p.SW, ref best, ref arg);
        }
    }

    /// <summary>Index offsets from the window origin in lanes of the element's width (float, double, int).</summary>
    private readonly struct OffsetLanes : ICells
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
            T* src, T* dst, TIndex* idx, in Plan p, long indexBase, int ih0, int khLo, int khHi, int ow)
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            where T : unmanaged, INumber<T>
            where TIndex : unmanaged, IBinaryInteger<TIndex>
            where TLoad : struct, IWindowRow
            where TIndexing : struct, IIndexing
        {
            int iw0 = (ow * p.SW) - p.PW;
            int rowStep = p.DH * p.W;

            // Arg-max travels as the index offset from the window origin; the first real cell is the starting arg. Per
            // plane that is the load offset itself. Otherwise it is exact in int64 lanes, and modulo 2^32 in int32 lanes,
            // which is exact again once the origin's index is added, since every index is below 2^31. In window, it is the
            // tap number itself, and no origin is added.
            long indexRowStep = TIndexing.TapIsLoadOffset ? rowStep : TIndexing.IsInWindow ? p.KW : p.DH * p.IndexH;
            long indexColumnStep = TIndexing.TapIsLoadOffset ? p.DW : TIndexing.IsInWindow ? 1 : p.DW * p.IndexW;
            Window<TSimd, TVector, T, TLoad, TIndexing>(src, p, ih0, khLo, khHi, iw0, indexRowStep, indexColumnStep, out TVector best, out TVector arg);

            TVector position = TIndexing.TapIsLoadOffset
                ? TSimd.AddIndex(TSimd.IndexRamp((TIndexing.HasPlaneBase ? indexBase : 0) + ((long)ih0 * p.W) + iw0, p.SW), arg)
                : TIndexing.IsInWindow ? arg
                : TSimd.AddIndex(TSimd.IndexRamp(indexBase + (ih0 * p.IndexH) + (iw0 * p.IndexW), p.SW * p.IndexW), arg);
            Debug.Assert(ow >= 0 && ow + TSimd.Count <= p.OutW, "a vector store leaves its output row");
            TSimd.Store(best, dst + ow);
            TSimd.StoreIndex(position, idx + ow);
        }
    }

    /// <summary>
    /// Tap codes in lanes of the element's width, for sbyte, byte, short and Half (DESIGN.md section 4): values compare
    /// in their own lanes (Half through order keys carried beside its bits, <see cref="HalfKey"/>) and the arg-max
    /// travels beside them as the tap code <c>kh*KW + kw</c> in lanes of the same width, fixed per tap and selected with
    /// the value's mask; the store decodes it into the convention (<see cref="TapDecode"/>). The running maximum starts
    /// from the type's minimum with the first real cell's code, which is the scalar rule: that cell stays unless a
    /// later one is strictly greater.
    /// </summary>
    private readonly struct TapCodeLanes : ICells
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Compute<TSimd, TVector, T, TIndex, TLoad, TIndexing>(
            T* src, T* dst, TIndex* idx, in Plan p, long indexBase, int ih0, int khLo, int khHi, int ow)
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            where T : unmanaged, INumber<T>
            where TIndex : unmanaged, IBinaryInteger<TIndex>
            where TLoad : struct, IWindowRow
            where TIndexing : struct, IIndexing
        {
            int iw0 = (ow * p.SW) - p.PW;
            int rowStep = p.DH * p.W;

            // In-window order makes tap j of kernel row kh carry kh*KW + j.
            Window<TSimd, TVector, T, TLoad, WindowOrder>(src, p, ih0, khLo, khHi, iw0, p.KW, 1, out TVector best, out TVector code);

            TapDecode decode = TIndexing.IsInWindow ? TapDecode.InWindow(p.KW)
                : TIndexing.TapIsLoadOffset
                ? TapDecode.Affine(p.KW, p.TapReciprocal, (TIndexing.HasPlaneBase ? indexBase : 0) + ((long)ih0 * p.W) + iw0, p.SW, rowStep, p.DW)
                : TapDecode.Affine(p.KW, p.TapReciprocal, indexBase + (ih0 * p.IndexH) + (iw0 * p.IndexW), p.SW * p.IndexW, p.DH * p.IndexH, p.DW * p.IndexW);
            Debug.Assert(ow >= 0 && ow + TSimd.Count <= p.OutW, "a vector store leaves its output row");
            TSimd.Store(best, dst + ow);
            TSimd.StoreTapIndex(code, idx + ow, decode);
        }
    }

    /// <summary>How one kernel row's cells are loaded for a vector of output columns, by horizontal stride.</summary>
    internal interface IWindowRow
    {
        /// <summary>
        /// Folds one kernel row into the running maximum. Tap j's index offset is its load offset <c>offset + j*dw</c>
        /// per plane, else <c>indexOffset + j*indexStep</c>.
        /// </summary>
        static abstract void Accumulate<TSimd, TVector, T, TIndexing>(T* line, int offset, long indexOffset, long indexStep, int kw, int dw, int sw, ref TVector best, ref TVector arg)
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            where T : unmanaged
            where TIndexing : struct, IIndexing;

        /// <summary>Elements one kernel row's loads span from the window's first column (for the range asserts).</summary>
        static abstract int Footprint(int count, int kw, int dw, int sw);
    }

    /// <summary>How a window tap's index is formed, fixed per instantiation so the hot loop has no branch.</summary>
    internal interface IIndexing
    {
        /// <summary>Whether the tap's index offset is its load offset (per plane, global row-major).</summary>
        static abstract bool TapIsLoadOffset { get; }

        /// <summary>Whether indices add the index of the plane's first cell (all but per plane and in window).</summary>
        static abstract bool HasPlaneBase { get; }

        /// <summary>Whether the index is the tap number <c>kh*KW + kw</c> inside the window (<see cref="IndexConvention.InWindow"/>).</summary>
        static abstract bool IsInWindow { get; }
    }

    /// <summary>Per plane: the tap's index is its load offset (the original, leanest loop).</summary>
    internal readonly struct PlaneOrder : IIndexing
    {
        public static bool TapIsLoadOffset => true;

        public static bool HasPlaneBase => false;

        public static bool IsInWindow => false;
    }

    /// <summary>Global row-major: the per-plane loop, and the plane base added once per store.</summary>
    internal readonly struct RowMajorOrder : IIndexing
    {
        public static bool TapIsLoadOffset => true;

        public static bool HasPlaneBase => true;

        public static bool IsInWindow => false;
    }

    /// <summary>Column-major and channels-last: the tap's index follows the convention's strides, plus the plane base.</summary>
    internal readonly struct ConventionOrder : IIndexing
    {
        public static bool TapIsLoadOffset => false;

        public static bool HasPlaneBase => true;

        public static bool IsInWindow => false;
    }

    /// <summary>In window: the tap's index is its number <c>kh*KW + kw</c> (the row's index offset plus j), no origin, no plane base.</summary>
    internal readonly struct WindowOrder : IIndexing
    {
        public static bool TapIsLoadOffset => false;

        public static bool HasPlaneBase => false;

        public static bool IsInWindow => true;
    }

    /// <summary>
    /// Folds tap j (at <paramref name="loadOffset"/> from the kernel row) into the running maximum. Per plane the
    /// int sum goes straight to the lanes, as the original loop did: through a long temporary the JIT would keep a
    /// sign extension per tap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateTap<TSimd, TVector, T, TIndexing>(TVector value, int offset, int loadOffset, long indexOffset, int j, long indexStep, ref TVector best, ref TVector arg)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
        where TIndexing : struct, IIndexing
    {
        if (TIndexing.TapIsLoadOffset)
        {
            Update<TSimd, TVector, T>(value, offset + loadOffset, ref best, ref arg);
        }
        else
        {
            Update<TSimd, TVector, T>(value, indexOffset + (j * indexStep), ref best, ref arg);
        }
    }

    /// <summary>Stride 1: each kernel column is one contiguous load.</summary>
    internal readonly struct Stride1 : IWindowRow
    {
        public static int Footprint(int count, int kw, int dw, int sw) => ((kw - 1) * dw) + count;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Accumulate<TSimd, TVector, T, TIndexing>(T* line, int offset, long indexOffset, long indexStep, int kw, int dw, int sw, ref TVector best, ref TVector arg)
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            where T : unmanaged
            where TIndexing : struct, IIndexing
        {
            for (int j = 0; j < kw; j++)
            {
                int o = j * dw;
                UpdateTap<TSimd, TVector, T, TIndexing>(TSimd.Load(line + o), offset, o, indexOffset, j, indexStep, ref best, ref arg);
            }
        }
    }

    /// <summary>
    /// Stride 2: one deinterleaving load yields two adjacent kernel columns (even and odd), so 2x2 costs one load pair
    /// per kernel row and 3x3 two, in row-major order.
    /// </summary>
    internal readonly struct Stride2 : IWindowRow
    {
        /// <remarks>Each deinterleaving load spans <c>2*Count</c>; the last starts at the last unpaired tap or pair.</remarks>
        public static int Footprint(int count, int kw, int dw, int sw) => (dw == 1 ? ((kw - 1) & ~1) : (kw - 1) * dw) + (2 * count);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Accumulate<TSimd, TVector, T, TIndexing>(T* line, int offset, long indexOffset, long indexStep, int kw, int dw, int sw, ref TVector best, ref TVector arg)
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            where T : unmanaged
            where TIndexing : struct, IIndexing
        {
            int j = 0;
            if (dw == 1)
            {
                for (; j + 1 < kw; j += 2)
                {
                    TSimd.LoadDeinterleave(line + j, out TVector even, out TVector odd);
                    UpdateTap<TSimd, TVector, T, TIndexing>(even, offset, j, indexOffset, j, indexStep, ref best, ref arg);
                    UpdateTap<TSimd, TVector, T, TIndexing>(odd, offset, j + 1, indexOffset, j + 1, indexStep, ref best, ref arg);
                }
            }

            for (; j < kw; j++)
            {
                int o = j * dw;
                TSimd.LoadDeinterleave(line + o, out TVector even, out _);
                UpdateTap<TSimd, TVector, T, TIndexing>(even, offset, o, indexOffset, j, indexStep, ref best, ref arg);
            }
        }
    }

    /// <summary>Stride 3 and more: a gather of every <c>sw</c>-th element.</summary>
    internal readonly struct StrideN : IWindowRow
    {
        public static int Footprint(int count, int kw, int dw, int sw) => ((kw - 1) * dw) + ((count - 1) * sw) + 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Accumulate<TSimd, TVector, T, TIndexing>(T* line, int offset, long indexOffset, long indexStep, int kw, int dw, int sw, ref TVector best, ref TVector arg)
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            where T : unmanaged
            where TIndexing : struct, IIndexing
        {
            for (int j = 0; j < kw; j++)
            {
                int o = j * dw;
                UpdateTap<TSimd, TVector, T, TIndexing>(TSimd.LoadStrided(line + o, sw), offset, o, indexOffset, j, indexStep, ref best, ref arg);
            }
        }
    }
}
