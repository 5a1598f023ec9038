using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <summary>
/// The vectorized gathers of the block family's backward passes, channels-first 2-D rows: the strided gather of fixed
/// unpooling (<c>x[j] = y[j*KW + AW]</c> on the row at the offset: whole vectors loaded, the even lanes taken by the
/// width's deinterleave for <c>KW = 2</c>, a plain copy for <c>KW = 1</c>), and the gather of argmax unpooling's
/// backward (and max pooling's double backward) through byte switches of windows that tile the output (each pooled cell
/// reads the tap's cell of its own <c>KH x KW</c> block: the block rows are loaded a vector of cells at a time, split
/// into their taps and selected by tap, so the gradient streams row by row).
/// </summary>
/// <remarks>
/// Everything moves the element's storage bits: 4- and 8-byte elements run in the <see cref="float"/>/<see cref="double"/>
/// lanes of <see cref="ISimd{TSelf, TVector, T}"/> (loads, stores and permutes only, which carry every bit pattern,
/// signalling NaNs included) with the codes in the <see cref="uint"/>/<see cref="ulong"/> lanes of
/// <see cref="IBlockLanes{TSelf, TVector, TE}"/>; other sizes take the per-cell loop. Each result is written once, by
/// rows split over threads, so the bits never depend on the thread count. <c>bits</c> pins a width for tests (0: the
/// per-cell loop; 128, 256, 512 run in software where the hardware lacks them), -1 dispatches.
/// </remarks>
internal static unsafe partial class BlockKernel
{
    /// <summary>How many result rows ahead the strided gathers prefetch the output gradient row they will read.</summary>
    private const int RowsAhead = 8;

    /// <summary>
    /// The fixed gather of channels-first rows: <paramref name="sourceGradient"/>'s row (plane, d, h) reads output row
    /// <c>(d*KD + AD, h*KH + AH)</c> at columns <c>w*KW + AW</c>; cells past the output read zero. Returns false, having
    /// done nothing, when no vector path serves the plan (the caller runs the per-cell gather).
    /// </summary>
    public static bool TryGatherFixedRows<T>(T* outputGradient, T* sourceGradient, in GatherPlan plan, int degree, int bits = -1)
        where T : unmanaged
    {
        if (plan.ChannelsLast || plan.KW > 2 || (sizeof(T) != 4 && sizeof(T) != 8))
        {
            return false;
        }

        RunRows(outputGradient, sourceGradient, plan, repeat: false, FixedVectorCells(plan), degree, bits);
        return true;
    }

    /// <summary>
    /// The block sum of repeat unpooling's backward over channels-first rows of <see cref="float"/> or
    /// <see cref="double"/> (the sum is arithmetic, so only in the element's own lanes): a vector of cells adds, from
    /// zero, each block row's cells in row-major block order (for <c>KW = 2</c> the deinterleaved left then right
    /// cell), which is the scalar order lane by lane, so the bits are the per-cell loop's. Returns false, having done
    /// nothing, for other element types and layouts.
    /// </summary>
    public static bool TryGatherRepeatRows<T>(T* outputGradient, T* sourceGradient, in GatherPlan plan, int degree, int bits = -1)
        where T : unmanaged
    {
        if (plan.ChannelsLast || plan.KW > 2 || (typeof(T) != typeof(float) && typeof(T) != typeof(double)))
        {
            return false;
        }

        RunRows(outputGradient, sourceGradient, plan, repeat: true, (int)Math.Min(plan.W, plan.OW / (long)plan.KW), degree, bits);
        return true;
    }

    /// <summary>The fixed or repeat rows of 4- or 8-byte elements in float or double lanes, at the dispatched width.</summary>
    private static void RunRows<T>(T* outputGradient, T* sourceGradient, in GatherPlan plan, bool repeat, int lanes, int degree, int bits)
        where T : unmanaged
    {
        var body = new RowsWidth { Gradient = outputGradient, Result = sourceGradient, Plan = plan, Degree = degree, Repeat = repeat };
        if (sizeof(T) == 4)
        {
            Dispatch<float, RowsWidth>(ref body, lanes, bits);
        }
        else
        {
            Dispatch<double, RowsWidth>(ref body, lanes, bits);
        }
    }

    /// <summary>Cells of a row the fixed gather's vectors may cover: their loads stay inside the output row.</summary>
    private static int FixedVectorCells(in GatherPlan p)
        => (int)Math.Min(p.W, p.KW == 1 ? p.OW - (long)p.AW : (p.OW - (long)p.AW) / 2);

    /// <summary>
    /// The gather through the caller's own one-byte tap codes (<see cref="IndexConvention.InWindow"/> switches of
    /// windows that tile, which the caller checked to be below <c>KH*KW</c>): a code changed since then names no tap and
    /// reads zero, never a cell outside the gradient.
    /// </summary>
    public static void GatherTaps<T>(T* outputGradient, byte* taps, T* sourceGradient, int planes, Size2D pooled, Size2D output, Size2D factor, int degree, int bits = -1)
        where T : unmanaged
        => GatherCodes(outputGradient, taps, sourceGradient, new Plan(pooled, output, factor) with { Planes = planes }, degree, bits);

    private static void GatherCodes<T>(T* outputGradient, byte* codes, T* sourceGradient, in Plan plan, int degree, int bits)
        where T : unmanaged
    {
        if (sizeof(T) == 4 || sizeof(T) == 8)
        {
            var body = new CodeRowsWidth { Gradient = outputGradient, Codes = codes, Result = sourceGradient, Plan = plan, Degree = degree };
            int lanes = plan.KW <= 2 && plan.KH <= 16 ? plan.W : 0;
            if (sizeof(T) == 4)
            {
                Dispatch<float, CodeRowsWidth>(ref body, lanes, bits);
            }
            else
            {
                Dispatch<double, CodeRowsWidth>(ref body, lanes, bits);
            }

            return;
        }

        var cells = new CodeRowsBody<NoLanes<T>, T, T, SimdScalar<T>, T, T> { Gradient = outputGradient, Codes = codes, Result = sourceGradient, Plan = plan };
        ParallelRunner.Run(ref cells, plan.Planes * plan.H, degree);
    }

    /// <summary>
    /// Runs <paramref name="body"/> at the pinned width <paramref name="bits"/>, or (-1) at the widest hardware width
    /// that <paramref name="lanes"/> cells fill, else its per-cell path.
    /// </summary>
    private static void Dispatch<TF, TBody>(ref TBody body, int lanes, int bits)
        where TF : unmanaged
        where TBody : struct, IWidthBody<TF>
    {
        if (bits < 0)
        {
            bits = Vector512.IsHardwareAccelerated && lanes >= Vector512<TF>.Count ? 512
                : Vector256.IsHardwareAccelerated && lanes >= Vector256<TF>.Count ? 256
                : Vector128.IsHardwareAccelerated && lanes >= Vector128<TF>.Count ? 128
                : 0;
        }

        switch (lanes > 0 ? bits : 0)
        {
            case 512:
                body.Run<Simd512<TF>, Vector512<TF>>();
                break;
            case 256:
                body.Run<Simd256<TF>, Vector256<TF>>();
                break;
            case 128:
                body.Run<Simd128<TF>, Vector128<TF>>();
                break;
            default:
                body.RunScalar();
                break;
        }
    }

    /// <summary>
    /// The fixed or repeat rows at one width of float or double lanes (the storage size; repeat adds, so only for float
    /// and double themselves); the scalar width is the per-cell gather of the same rows.
    /// </summary>
    private struct RowsWidth : IWidthBody<float>, IWidthBody<double>
    {
        public void* Gradient;
        public void* Result;
        public GatherPlan Plan;
        public int Degree;
        public bool Repeat;

        public readonly void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, float>
            where TVector : struct
            => RunAt<TSimd, TVector, float>();

        readonly void IWidthBody<double>.Run<TSimd, TVector>() => RunAt<TSimd, TVector, double>();

        public readonly void RunScalar() => RunCells<float>();

        readonly void IWidthBody<double>.RunScalar() => RunCells<double>();

        private readonly void RunCells<TF>()
            where TF : unmanaged, INumberBase<TF>
        {
            if (Repeat)
            {
                RunGather<TF, BlockSum>((TF*)Gradient, (TF*)Result, Plan, Degree);
            }
            else
            {
                RunGather<TF, FixedCell>((TF*)Gradient, (TF*)Result, Plan, Degree);
            }
        }

        private readonly void RunAt<TSimd, TVector, TF>()
            where TSimd : struct, ISimd<TSimd, TVector, TF>
            where TVector : struct
            where TF : unmanaged, INumberBase<TF>
        {
            if (Repeat)
            {
                var sum = new RepeatRowsBody<TSimd, TVector, TF> { Gradient = (TF*)Gradient, Result = (TF*)Result, Plan = Plan };
                ParallelRunner.Run(ref sum, Plan.Rows, Degree);
                return;
            }

            var body = new FixedRowsBody<TSimd, TVector, TF> { Gradient = (TF*)Gradient, Result = (TF*)Result, Plan = Plan };
            ParallelRunner.Run(ref body, Plan.Rows, Degree);
        }
    }

    private struct FixedRowsBody<TSimd, TVector, TF> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, TF>
        where TVector : struct
        where TF : unmanaged
    {
        public TF* Gradient;
        public TF* Result;
        public GatherPlan Plan;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            GatherPlan p = Plan;
            long outVolume = (long)p.OD * p.OH * p.OW;
            int count = TSimd.Count, kw = p.KW, w = p.W;
            int vectorCells = FixedVectorCells(p);
            int inRow = (int)Math.Min(w, Math.Max(0, (p.OW - p.AW + kw - 1) / kw));

            // The row's coordinates advance by one instead of two divisions per row: the loop stays short enough for
            // the core to run several rows' loads ahead, which this gather needs, because it reads one output row in
            // KH (every other row for the factor 2), a pattern the hardware prefetcher does not follow.
            int plane = start / (p.D * p.H), rest = start - (plane * p.D * p.H), id = rest / p.H, ih = rest - (id * p.H);
            long ahead = RowsAhead * p.KH * p.TH, rowBytes = (long)w * kw * sizeof(TF);
            for (int row = start; row < end; row++)
            {
                TF* x = Result + ((long)row * w);
                long od = ((long)id * p.KD) + p.AD, oh = ((long)ih * p.KH) + p.AH;
                Debug.Assert(Bounds.Within(x, w, Result, p.SourceCount), "a result row outside the gradient");
                if (od >= p.OD || oh >= p.OH)
                {
                    new Span<TF>(x, w).Clear();
                }
                else
                {
                    TF* y = Gradient + (plane * outVolume) + (od * p.TD) + (oh * p.TH) + p.AW;
                    Debug.Assert(Bounds.Within(y - p.AW, p.OW, Gradient, p.OutputCount), "a gradient row outside the buffer");
                    if (oh + (RowsAhead * p.KH) < p.OH)
                    {
                        // The row RowsAhead rows on in the same plane and depth.
                        Prefetch.Range(y + ahead, rowBytes);
                    }

                    // The last vector ends at the last vector cell, overlapping the one before it (the same values
                    // written twice, by this thread), so no cell a vector can serve goes through the scalar loop.
                    int j = 0;
                    if (kw == 1)
                    {
                        for (; j <= vectorCells - count; j += count)
                        {
                            TSimd.Store(TSimd.Load(y + j), x + j);
                        }

                        if (j < vectorCells && vectorCells >= count)
                        {
                            j = vectorCells - count;
                            TSimd.Store(TSimd.Load(y + j), x + j);
                            j = vectorCells;
                        }
                    }
                    else
                    {
                        // Two lanes per cell: the cell and its block neighbour; the deinterleave keeps the cells.
                        for (; j <= vectorCells - count; j += count)
                        {
                            TSimd.LoadDeinterleave(y + (2 * j), out TVector cells, out _);
                            TSimd.Store(cells, x + j);
                        }

                        if (j < vectorCells && vectorCells >= count)
                        {
                            j = vectorCells - count;
                            TSimd.LoadDeinterleave(y + (2 * j), out TVector cells, out _);
                            TSimd.Store(cells, x + j);
                            j = vectorCells;
                        }
                    }

                    for (; j < inRow; j++)
                    {
                        x[j] = y[(nint)j * kw];
                    }

                    for (; j < w; j++)
                    {
                        x[j] = default;
                    }
                }

                if (++ih == p.H)
                {
                    ih = 0;
                    if (++id == p.D)
                    {
                        id = 0;
                        plane++;
                    }
                }
            }
        }
    }

    private struct RepeatRowsBody<TSimd, TVector, TF> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, TF>
        where TVector : struct
        where TF : unmanaged, INumberBase<TF>
    {
        public TF* Gradient;
        public TF* Result;
        public GatherPlan Plan;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            GatherPlan p = Plan;
            long outVolume = (long)p.OD * p.OH * p.OW;
            int count = TSimd.Count, kw = p.KW, w = p.W;
            int vectorCells = (int)Math.Min(w, p.OW / (long)kw);
            for (int row = start; row < end; row++)
            {
                int plane = row / (p.D * p.H), rest = row - (plane * p.D * p.H), id = rest / p.H, ih = rest - (id * p.H);
                TF* x = Result + ((long)row * w);
                TF* y = Gradient + (plane * outVolume);
                Debug.Assert(Bounds.Within(x, w, Result, p.SourceCount), "a result row outside the gradient");
                long d0 = (long)id * p.KD, h0 = (long)ih * p.KH;
                long d1 = Math.Min(d0 + p.KD, p.OD), h1 = Math.Min(h0 + p.KH, p.OH);
                int j = 0;
                for (; j <= vectorCells - count; j += count)
                {
                    TVector sum = TSimd.Zero;
                    for (long od = d0; od < d1; od++)
                    {
                        for (long oh = h0; oh < h1; oh++)
                        {
                            TF* line = y + (od * p.TD) + (oh * p.TH) + ((long)j * kw);
                            Debug.Assert(Bounds.Within(line, (long)count * kw, Gradient, p.OutputCount), "a block row outside the gradient");
                            if (kw == 1)
                            {
                                sum = TSimd.Add(sum, TSimd.Load(line));
                            }
                            else
                            {
                                TSimd.LoadDeinterleave(line, out TVector left, out TVector right);
                                sum = TSimd.Add(TSimd.Add(sum, left), right);
                            }
                        }
                    }

                    TSimd.Store(sum, x + j);
                }

                for (; j < w; j++)
                {
                    x[j] = BlockSum.Cell(p, y, plane, id, ih, j);
                }
            }
        }
    }

    /// <summary>The code gather at one width of float or double lanes, its codes in unsigned lanes of the same size.</summary>
    private struct CodeRowsWidth : IWidthBody<float>, IWidthBody<double>
    {
        public void* Gradient;
        public byte* Codes;
        public void* Result;
        public Plan Plan;
        public int Degree;

        public readonly void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, float>
            where TVector : struct
        {
            if (typeof(TVector) == typeof(Vector512<float>))
            {
                RunAt<BlockLanes512<uint>, Vector512<uint>, uint, TSimd, TVector, float>();
            }
            else if (typeof(TVector) == typeof(Vector256<float>))
            {
                RunAt<BlockLanes256<uint>, Vector256<uint>, uint, TSimd, TVector, float>();
            }
            else
            {
                RunAt<BlockLanes128<uint>, Vector128<uint>, uint, TSimd, TVector, float>();
            }
        }

        readonly void IWidthBody<double>.Run<TSimd, TVector>()
        {
            if (typeof(TVector) == typeof(Vector512<double>))
            {
                RunAt<BlockLanes512<ulong>, Vector512<ulong>, ulong, TSimd, TVector, double>();
            }
            else if (typeof(TVector) == typeof(Vector256<double>))
            {
                RunAt<BlockLanes256<ulong>, Vector256<ulong>, ulong, TSimd, TVector, double>();
            }
            else
            {
                RunAt<BlockLanes128<ulong>, Vector128<ulong>, ulong, TSimd, TVector, double>();
            }
        }

        public readonly void RunScalar() => RunAt<NoLanes<float>, float, float, SimdScalar<float>, float, float>();

        void IWidthBody<double>.RunScalar() => RunAt<NoLanes<double>, double, double, SimdScalar<double>, double, double>();

        private readonly void RunAt<TLanes, TLaneVector, TS, TSimd, TVector, TF>()
            where TLanes : struct, IBlockLanes<TLanes, TLaneVector, TS>
            where TLaneVector : struct
            where TS : unmanaged
            where TSimd : struct, ISimd<TSimd, TVector, TF>
            where TVector : struct
            where TF : unmanaged
        {
            var body = new CodeRowsBody<TLanes, TLaneVector, TS, TSimd, TVector, TF> { Gradient = (TF*)Gradient, Codes = Codes, Result = (TF*)Result, Plan = Plan };
            ParallelRunner.Run(ref body, Plan.Planes * Plan.H, Degree);
        }
    }

    /// <summary>
    /// Pooled rows (plane, i): cell j reads its block's tap <c>codes[j] = a*KW + b</c>, i.e. output cell
    /// <c>(i*KH + a, j*KW + b)</c>. Vectors (for <c>KW</c> 1 or 2) load the block's rows, split them into taps and select
    /// by code; the per-cell loop reads through a table of the taps' offsets, in which every code from <c>KH*KW</c> to
    /// 255 reads zero.
    /// </summary>
    private struct CodeRowsBody<TLanes, TLaneVector, TS, TSimd, TVector, TF> : IParallelBody
        where TLanes : struct, IBlockLanes<TLanes, TLaneVector, TS>
        where TLaneVector : struct
        where TS : unmanaged
        where TSimd : struct, ISimd<TSimd, TVector, TF>
        where TVector : struct
        where TF : unmanaged
    {
        public TF* Gradient;
        public byte* Codes;
        public TF* Result;
        public Plan Plan;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            // Locals: the stores could alias the plan's fields, which the JIT would then reload per vector.
            int h = Plan.H, w = Plan.W, kh = Plan.KH, kw = Plan.KW, outW = Plan.OutW, planes = Plan.Planes;
            long outPlane = (long)Plan.OutH * outW, taps = Plan.Taps;
            long* offsets = stackalloc long[256];
            for (int t = 0; t < 256; t++)
            {
                offsets[t] = t < taps ? ((long)(t / kw) * outW) + (t % kw) : -1;
            }

            int count = TLanes.Count;
            bool vectors = count == TSimd.Count && kw <= 2 && kh <= 16;
            long rowBytes = (long)w * kw * sizeof(TF);
            int plane = start / h, i = start - (plane * h);
            for (int row = start; row < end; row++)
            {
                TF* y = Gradient + (plane * outPlane) + ((long)i * kh * outW);
                byte* c = Codes + ((long)row * w);
                TF* x = Result + ((long)row * w);
                Debug.Assert(Bounds.Within(x, w, Result, (long)planes * h * w), "a result row outside the gradient");
                Debug.Assert(Bounds.Within(y, ((long)(kh - 1) * outW) + ((long)w * kw), Gradient, planes * outPlane), "a block row outside the gradient");
                if (Prefetch.IsSupported && i + RowsAhead < h)
                {
                    // The block rows of the result row RowsAhead rows on in this plane.
                    TF* next = y + ((long)RowsAhead * kh * outW);
                    for (int a = 0; a < kh; a++, next += outW)
                    {
                        Prefetch.Range(next, rowBytes);
                    }
                }

                int j = 0;
                if (vectors && w >= count)
                {
                    // The last vector ends at the row's end, overlapping the one before it (the same values written
                    // twice, by this thread), so no cell goes through the per-cell loop.
                    for (int last = w - count; ; j = Math.Min(j + count, last))
                    {
                        TLaneVector code = TLanes.LoadCode(c + j);
                        TLaneVector result = TLanes.Zero;
                        TF* line = y + ((long)j * kw);
                        for (int a = 0; a < kh; a++, line += outW)
                        {
                            if (kw == 1)
                            {
                                result = Pick(code, a, TSimd.Load(line), result);
                            }
                            else
                            {
                                TSimd.LoadDeinterleave(line, out TVector left, out TVector right);
                                result = Pick(code, 2 * a, left, result);
                                result = Pick(code, (2 * a) + 1, right, result);
                            }
                        }

                        TLanes.Store(result, (TS*)(x + j));
                        if (j == last)
                        {
                            break;
                        }
                    }

                    j = w;
                }

                for (; j < w; j++)
                {
                    long offset = offsets[c[j]];
                    x[j] = offset >= 0 ? y[((long)j * kw) + offset] : default;
                }

                if (++i == h)
                {
                    i = 0;
                    plane++;
                }
            }
        }

        /// <summary><paramref name="candidate"/>'s lanes where the code is <paramref name="tap"/>, else <paramref name="result"/>'s.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TLaneVector Pick(TLaneVector code, int tap, TVector candidate, TLaneVector result)
            => TLanes.ConditionalSelect(TLanes.SelectCode(code, TLanes.CreateCode(tap), TLanes.AllBits), Unsafe.BitCast<TVector, TLaneVector>(candidate), result);
    }
}
