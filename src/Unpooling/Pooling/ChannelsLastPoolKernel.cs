using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Where an <see cref="IndexConvention"/> puts cell (n, c, d, h, w) of a logical <c>[N, C, D, H, W]</c> tensor
/// (2-D: D = 1): five strides, <c>index = n*N + c*C + d*D + h*H + w*W</c>, or the tap <c>(kd*kH + kh)*kW + kw</c> for
/// <see cref="IndexConvention.InWindow"/>. The channels-last kernels of every rank read indices through it, so one
/// kernel serves 2-D and 3-D. For D = 1 the strides are exactly <see cref="IndexLayout"/>'s.
/// </summary>
/// <remarks>
/// 3-D conventions: per plane <c>(d*H + h)*W + w</c> (PyTorch's <c>max_pool3d</c>), global row-major
/// <c>(((n*C + c)*D + d)*H + h)*W + w</c>, global column-major the spatial axes reversed (<c>d + D*(h + H*w)</c>, which
/// is <c>h + w*H</c> in 2-D), channels-last per sample <c>((d*H + h)*W + w)*C + c</c> and with batch
/// <c>(((n*D + d)*H + h)*W + w)*C + c</c>.
/// </remarks>
internal readonly struct ChannelsLastIndexing
{
    public readonly IndexConvention Convention;
    public readonly long StrideN, StrideC, StrideD, StrideH, StrideW;

    /// <summary>Valid indices are <c>[0, Space)</c> (for InWindow the taps of a window).</summary>
    public readonly long Space;

    /// <summary>The indexed tensor's sizes (for decoding).</summary>
    public readonly long Channels, Depth, Height, Width;

    /// <summary>Division by <see cref="Channels"/> of an index of the space (the channel of a TensorFlow index).</summary>
    public readonly FastDivisor ByChannels;

    public ChannelsLastIndexing(IndexConvention convention, long batch, long channels, long depth, long height, long width, long taps)
    {
        Convention = convention;
        (Channels, Depth, Height, Width) = (channels, depth, height, width);
        long volume = depth * height * width;
        (StrideN, StrideC, StrideD, StrideH, StrideW) = IndexLayout3D.Strides(convention, channels, depth, height, width);
        Space = convention switch
        {
            IndexConvention.PerPlane => volume,
            IndexConvention.ChannelsLastPerSample => channels * volume,
            IndexConvention.InWindow => taps,
            _ => batch * channels * volume,
        };
        ByChannels = new FastDivisor(Math.Max(1, channels), Math.Max(0, Space - 1));
    }

    /// <summary>The 2-D layout of <paramref name="indexed"/> (the pooling input, the unpooling output).</summary>
    public static ChannelsLastIndexing For2D(IndexConvention convention, Shape4D indexed, in Pool2DGeometry geometry)
        => new(convention, indexed.Batch, indexed.Channels, 1, indexed.Height, indexed.Width, (long)geometry.KernelSize.Height * geometry.KernelSize.Width);

    /// <summary>The 3-D layout of <paramref name="indexed"/>.</summary>
    public static ChannelsLastIndexing For3D(IndexConvention convention, Shape5D indexed, in Pool3DGeometry geometry)
        => new(
            convention, indexed.Batch, indexed.Channels, indexed.Depth, indexed.Height, indexed.Width,
            (long)geometry.KernelSize.Depth * geometry.KernelSize.Height * geometry.KernelSize.Width);

    public bool IsInWindow => Convention == IndexConvention.InWindow;
}

/// <summary>
/// Max pooling with arg-max capture over channels-last tensors (<c>[N, H, W, C]</c>, and <c>[N, D, H, W, C]</c> through
/// the same code: the depth axis of a 2-D plan is trivial), vectorized along C: for each output pixel the kernel walks
/// the real taps of its window (the tap ranges of the <see cref="SpatialPlan"/>, depth, then height, then width, from
/// the first real cell), loads <c>Count</c> contiguous channels per tap and folds them in with the exact rule of
/// SEMANTICS.md 1, <c>if (v &gt; best || isNaN(v))</c>, while a vector of indices tracks each lane's arg-max. Every
/// lane of a tap shares the tap's spatial index, so the running arg is a broadcast selected by the value mask; the
/// store adds each lane's channel part (<c>n*N + c*C</c> of the convention) as one ramp. A channel count that is not
/// a multiple of <c>Count</c> ends with one vector overlapping the previous (recomputed lanes write the same bits);
/// rows narrower than a vector run the scalar definition. Results are the channels-first kernel's, permuted, bit for
/// bit, for every width and thread count.
/// </summary>
/// <remarks>
/// Vectorized for <see cref="float"/>, <see cref="double"/> and <see cref="int"/> (index lanes of the element's width:
/// the 32-bit ones only while the convention's largest index fits an <see cref="int"/>, always so for a span's
/// tensor), and for <see cref="sbyte"/>, <see cref="byte"/>, <see cref="short"/> and <see cref="Half"/> (order keys)
/// with the arg-max as tap codes in lanes of the element's width, as the channels-first kernel does (windows of at most
/// 256 or 65,536 taps), decoded at the store in vector lanes (2-D windows, int32 indices) or through a per-run table of
/// tap offsets (3-D windows, at most <see cref="TapTableLimit"/> taps). Every other type (<see cref="long"/>,
/// <see cref="ushort"/>, decimal, ...) and every other case runs the scalar definition in its own comparison.
/// </remarks>
internal static unsafe class ChannelsLastPoolKernel
{
    /// <summary>
    /// Everything a run of either channels-last kernel needs, computed once per call: the spatial plan from the
    /// unpooled size (its input) to the pooled size (its output), the channels and the index layout, which for
    /// unpooling describes the unpooled tensor.
    /// </summary>
    internal readonly struct Plan
    {
        public readonly SpatialPlan Spatial;
        public readonly int Batch, Channels;
        public readonly ChannelsLastIndexing Indexing;

        public Plan(in SpatialPlan spatial, int batch, int channels, in ChannelsLastIndexing indexing)
        {
            Spatial = spatial;
            (Batch, Channels) = (batch, channels);
            Indexing = indexing;
        }

        /// <summary>Pooled rows (n, od, oh): the unit of parallel work.</summary>
        public int Rows => checked(Batch * Spatial.Depth.Output * Spatial.Height.Output);

        /// <summary>Elements of one unpooled sample (the pooling input), <c>D*H*W*C</c>.</summary>
        public long InputSample => Spatial.InputVolume * Channels;

        /// <summary>Elements of one pooled sample.</summary>
        public long OutputSample => Spatial.OutputVolume * Channels;

        /// <summary>Elements of the unpooled tensor.</summary>
        public long InputCount => InputSample * Batch;

        /// <summary>Whether every index fits a lane of <paramref name="laneBytes"/> bytes (read signed).</summary>
        public bool IndicesFit(int laneBytes) => laneBytes >= 8 || Indexing.Space - 1 <= int.MaxValue;

        /// <summary>Whether every tap code <c>(kd*kH + kh)*kW + kw</c> fits an unsigned lane of <paramref name="laneBytes"/> bytes.</summary>
        public bool TapCodesFit(int laneBytes) => Spatial.Taps <= (laneBytes == 1 ? 1L << 8 : 1L << 16);

        /// <summary>
        /// Whether the tap codes decode in vector lanes (<see cref="TapDecode"/>): in-window indices are the code itself;
        /// the other conventions are affine in (kh, kw) when the depth window has one tap, in int32 lanes, so every
        /// index must fit an <see cref="int"/>. Otherwise each lane is decoded through a table of tap offsets.
        /// </summary>
        public bool TapsDecodeInLanes => Indexing.IsInWindow || (Spatial.Depth.Kernel == 1 && IndicesFit(4));

        /// <summary>Whether the tap-code path can run: codes fit the lanes, and they decode in lanes or through a table
        /// of at most <see cref="TapTableLimit"/> offsets (kept on the stack).</summary>
        public bool TapLanesRun(int laneBytes) => TapCodesFit(laneBytes) && (TapsDecodeInLanes || Spatial.Taps <= TapTableLimit);
    }

    /// <summary>Taps the per-lane decoding table holds at most (8 KB of offsets on a worker's stack).</summary>
    internal const int TapTableLimit = 1024;

    /// <summary>The plan of a 2-D pooling of channels-last <paramref name="source"/> (validated by the caller).</summary>
    public static Plan For2D(Shape4D source, Size2D output, in Pool2DGeometry geometry, IndexConvention convention)
        => new(SpatialPlan.ForPool(geometry, source.SpatialSize, output), source.Batch, source.Channels, ChannelsLastIndexing.For2D(convention, source, geometry));


    /// <summary>Runs at the widest hardware vector the channels fill (float, double, int), else the scalar definition.</summary>
    public static void Run<T, TIndex>(T* source, T* destination, TIndex* indices, in Plan plan, int degree)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new WidthBody<T, TIndex>(source, destination, indices, plan, degree);
        if (OffsetLanes<T>())
        {
            SimdDispatch.RunLanes<T, WidthBody<T, TIndex>>(ref body, plan.IndicesFit(sizeof(T)) ? plan.Channels : 0);
        }
        else if (TapLanes<T>())
        {
            SimdDispatch.RunLanes<T, WidthBody<T, TIndex>>(ref body, plan.TapLanesRun(sizeof(T)) ? plan.Channels : 0);
        }
        else
        {
            body.RunScalar();
        }
    }

    private readonly ref struct WidthBody<T, TIndex>(T* source, T* destination, TIndex* indices, in Plan plan, int degree) : IWidthBody<T>
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        private readonly ref readonly Plan _plan = ref plan;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => ChannelsLastPoolKernel.Run<TSimd, TVector, T, TIndex>(source, destination, indices, _plan, degree);

        public void RunScalar() => ChannelsLastPoolKernel.RunScalar(source, destination, indices, _plan, degree);
    }

    /// <summary>Runs one vector width (any width works on any CPU; tests call each). Falls back to the scalar
    /// definition when the channels do not fill a vector or the indices do not fit the lanes.</summary>
    public static void Run<TSimd, TVector, T, TIndex>(T* source, T* destination, TIndex* indices, in Plan plan, int degree)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (TapLanes<T>() && plan.Channels >= TSimd.Count && plan.TapLanesRun(sizeof(T)))
        {
            var taps = new TapRowsBody<TSimd, TVector, T, TIndex> { Source = source, Destination = destination, Indices = indices, Plan = plan };
            ParallelRunner.Run(ref taps, plan.Rows, degree);
            return;
        }

        if (plan.Channels < TSimd.Count || !plan.IndicesFit(sizeof(T)) || !OffsetLanes<T>())
        {
            RunScalar(source, destination, indices, plan, degree);
            return;
        }

        var body = new RowsBody<T, TIndex, VectorRows<TSimd, TVector, T, TIndex>> { Source = source, Destination = destination, Indices = indices, Plan = plan };
        ParallelRunner.Run(ref body, plan.Rows, degree);
    }

    /// <summary>Whether <typeparamref name="T"/>'s arg-max travels as an index in lanes of its own width (float, double, int); a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool OffsetLanes<T>() => typeof(T) == typeof(float) || typeof(T) == typeof(double) || typeof(T) == typeof(int);

    /// <summary>Whether <typeparamref name="T"/>'s arg-max travels as a tap code in 8- or 16-bit lanes (sbyte, byte,
    /// short, and Half through its order keys), as in the channels-first kernel; a JIT-time constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TapLanes<T>() => typeof(T) == typeof(sbyte) || typeof(T) == typeof(byte) || typeof(T) == typeof(short) || typeof(T) == typeof(Half);

    /// <summary>The scalar definition for every row (any <see cref="INumber{TSelf}"/>).</summary>
    public static void RunScalar<T, TIndex>(T* source, T* destination, TIndex* indices, in Plan plan, int degree)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new RowsBody<T, TIndex, ScalarRows<T, TIndex>> { Source = source, Destination = destination, Indices = indices, Plan = plan };
        ParallelRunner.Run(ref body, plan.Rows, degree);
    }

    /// <summary>One output row's place: its sample, the first rows of its window and where its outputs go.</summary>
    private readonly struct RowFrame
    {
        public readonly int N, DLo, DHi, HLo, HHi;
        public readonly long Top, Front;
        public readonly long OutputOffset;

        public RowFrame(in Plan p, int row)
        {
            int oD = p.Spatial.Depth.Output, oH = p.Spatial.Height.Output;
            N = row / (oD * oH);
            int rest = row - (N * oD * oH);
            int od = rest / oH, oh = rest - (od * oH);
            Front = p.Spatial.Depth.WindowStart(od);
            Top = p.Spatial.Height.WindowStart(oh);
            (DLo, DHi) = p.Spatial.Depth.Taps(od);
            (HLo, HHi) = p.Spatial.Height.Taps(oh);
            OutputOffset = (long)row * p.Spatial.Width.Output * p.Channels;
        }
    }

    /// <summary>One output row's computation, fixed per instantiation (the vector path at a width, or the scalar one).</summary>
    private interface IRowKernel<T, TIndex>
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        static abstract void Row(T* source, T* destination, TIndex* indices, in Plan p, int row);
    }

    private readonly struct VectorRows<TSimd, TVector, T, TIndex> : IRowKernel<T, TIndex>
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row(T* source, T* destination, TIndex* indices, in Plan p, int row) => VectorRow<TSimd, TVector, T, TIndex>(source, destination, indices, p, row);
    }

    private readonly struct ScalarRows<T, TIndex> : IRowKernel<T, TIndex>
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Row(T* source, T* destination, TIndex* indices, in Plan p, int row) => ScalarRow(source, destination, indices, p, row);
    }

    private struct RowsBody<T, TIndex, TRows> : IParallelBody
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TRows : struct, IRowKernel<T, TIndex>
    {
        public T* Source;
        public T* Destination;
        public TIndex* Indices;
        public Plan Plan;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            for (int row = start; row < end; row++)
            {
                TRows.Row(Source, Destination, Indices, Plan, row);
            }
        }
    }

    [MethodImpl(KernelImpl.Entry)]
    private static void VectorRow<TSimd, TVector, T, TIndex>(T* source, T* destination, TIndex* indices, in Plan p, int row)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var f = new RowFrame(p, row);
        int count = TSimd.Count, channels = p.Channels;
        AxisPlan width = p.Spatial.Width;
        long sampleSize = p.InputSample;
        T* sample = source + (f.N * sampleSize);
        ChannelsLastIndexing ix = p.Indexing;
        long channelBase = f.N * ix.StrideN;
        long totalIn = p.Batch * sampleSize, totalOut = (long)p.Rows * width.Output * channels;
        for (int ow = 0; ow < width.Output; ow++)
        {
            if (Prefetch.IsSupported && ow + PixelsAhead < width.Output)
            {
                PrefetchWindow(sample, p, f, ow + PixelsAhead, sizeof(T));
            }

            long left = width.WindowStart(ow);
            (int wLo, int wHi) = width.Taps(ow);
            T* dst = destination + f.OutputOffset + ((long)ow * channels);
            TIndex* idx = indices + f.OutputOffset + ((long)ow * channels);
            Debug.Assert(Bounds.Within(dst, channels, destination, totalOut) && Bounds.Within(idx, channels, indices, totalOut), "an output pixel outside the outputs");
            long first = FirstIndex(p, f, wLo, left);
            int c0 = 0;

            // Two channel vectors per tap walk: two independent compare/select chains share each tap's index.
            for (; c0 <= channels - (2 * count); c0 += 2 * count)
            {
                PixelPair<TSimd, TVector, T, TIndex>(sample, dst, idx, p, f, wLo, wHi, left, first, channelBase, c0, sampleSize, source, totalIn);
            }

            for (; c0 <= channels - count; c0 += count)
            {
                Pixel<TSimd, TVector, T, TIndex>(sample, dst, idx, p, f, wLo, wHi, left, first, channelBase, c0, sampleSize, source, totalIn);
            }

            if (c0 < channels)
            {
                // Overlap the last full vector with the previous one: its recomputed lanes write the same bits.
                Pixel<TSimd, TVector, T, TIndex>(sample, dst, idx, p, f, wLo, wHi, left, first, channelBase, channels - count, sampleSize, source, totalIn);
            }
        }
    }

    /// <summary>How many output pixels ahead the vector rows prefetch their window's input.</summary>
    private const int PixelsAhead = 4;

    /// <summary>
    /// Prefetches the input cells of output pixel <paramref name="ow"/>'s window in this row (every real tap's row, all
    /// channels): the tap walk alternates between the window's input rows. A hint only: every run it names lies inside the
    /// sample, and nothing is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchWindow(void* sample, in Plan p, in RowFrame f, int ow, int elementSize)
    {
        AxisPlan depth = p.Spatial.Depth, height = p.Spatial.Height, width = p.Spatial.Width;
        (int wLo, int wHi) = width.Taps(ow);
        if (wHi <= wLo)
        {
            return;
        }

        long w0 = width.WindowStart(ow) + ((long)wLo * width.Dilation);
        long bytes = ((((long)(wHi - 1 - wLo) * width.Dilation) + 1) * p.Channels) * elementSize;
        for (int kd = f.DLo; kd < f.DHi; kd++)
        {
            long d = f.Front + ((long)kd * depth.Dilation);
            for (int kh = f.HLo; kh < f.HHi; kh++)
            {
                long h = f.Top + ((long)kh * height.Dilation);
                Prefetch.Range((byte*)sample + (((((d * height.Input) + h) * width.Input) + w0) * p.Channels * elementSize), bytes);
            }
        }
    }

    /// <summary>The spatial index (or tap) of the window's first real cell: every lane's starting arg.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FirstIndex(in Plan p, in RowFrame f, int wLo, long left)
    {
        ChannelsLastIndexing ix = p.Indexing;
        if (ix.IsInWindow)
        {
            return FirstTap(p, f, wLo);
        }

        long d = f.Front + ((long)f.DLo * p.Spatial.Depth.Dilation);
        long h = f.Top + ((long)f.HLo * p.Spatial.Height.Dilation);
        long w = left + ((long)wLo * p.Spatial.Width.Dilation);
        return (d * ix.StrideD) + (h * ix.StrideH) + (w * ix.StrideW);
    }

    /// <summary>The tap number <c>(kd*kH + kh)*kW + kw</c> of the window's first real cell.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long FirstTap(in Plan p, in RowFrame f, int wLo)
        => (((long)f.DLo * p.Spatial.Height.Kernel) + f.HLo) * p.Spatial.Width.Kernel + wLo;

    /// <summary>One vector of channels <c>[c0, c0 + Count)</c> of one output pixel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pixel<TSimd, TVector, T, TIndex>(
        T* sample, T* dst, TIndex* idx, in Plan p, in RowFrame f, int wLo, int wHi, long left, long first, long channelBase, int c0,
        long sampleSize, T* source, long totalIn)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ChannelsLastIndexing ix = p.Indexing;
        bool inWindow = ix.IsInWindow;
        TVector arg = Fold<TSimd, TVector, T>(sample, p, f, wLo, wHi, left, first, c0, inWindow, sampleSize, source, totalIn, out TVector best);
        TVector position = inWindow || ix.StrideC == 0 && ix.StrideN == 0
            ? arg
            : TSimd.AddIndex(arg, TSimd.IndexRamp(channelBase + (c0 * ix.StrideC), ix.StrideC));
        TSimd.Store(best, dst + c0);
        TSimd.StoreIndex(position, idx + c0);
    }

    /// <summary>
    /// Folds the real taps of one output pixel's window, for channels <c>[c0, c0 + Count)</c>, into the running maximum
    /// and returns each lane's arg: the convention's spatial index of the tap (from <paramref name="first"/>, the first
    /// real cell's), or with <paramref name="tapCodes"/> its tap number <c>(kd*kH + kh)*kW + kw</c>, which is both the
    /// in-window index and the code the 8- and 16-bit lanes carry.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Fold<TSimd, TVector, T>(
        T* sample, in Plan p, in RowFrame f, int wLo, int wHi, long left, long first, int c0, bool tapCodes, long sampleSize, T* source, long totalIn,
        out TVector best)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
    {
        AxisPlan depth = p.Spatial.Depth, height = p.Spatial.Height, width = p.Spatial.Width;
        ChannelsLastIndexing ix = p.Indexing;
        int channels = p.Channels;
        best = TSimd.Create(Lowest<T>());
        TVector arg = TSimd.CreateIndex(first);
        long columnStep = (long)width.Dilation * channels;
        long indexColumnStep = tapCodes ? 1 : width.Dilation * ix.StrideW;
        for (int kd = f.DLo; kd < f.DHi; kd++)
        {
            long d = f.Front + ((long)kd * depth.Dilation);
            for (int kh = f.HLo; kh < f.HHi; kh++)
            {
                long h = f.Top + ((long)kh * height.Dilation);
                long w0 = left + ((long)wLo * width.Dilation);
                T* cell = sample + ((((d * height.Input) + h) * width.Input) + w0) * channels + c0;
                long index = tapCodes ? (((long)kd * height.Kernel) + kh) * width.Kernel + wLo : (d * ix.StrideD) + (h * ix.StrideH) + (w0 * ix.StrideW);
                for (int kw = wLo; kw < wHi; kw++)
                {
                    Debug.Assert(Bounds.Within(cell, TSimd.Count, sample, sampleSize) && Bounds.Within(cell, TSimd.Count, source, totalIn), "a tap's load outside its sample");
                    TVector value = TSimd.Load(cell);
                    TVector take = TSimd.Or(TSimd.GreaterThan(value, best), TSimd.IsNaN(value));
                    best = TSimd.ConditionalSelect(take, value, best);
                    arg = TSimd.ConditionalSelect(take, TSimd.CreateIndex(index), arg);
                    cell += columnStep;
                    index += indexColumnStep;
                }
            }
        }

        return arg;
    }

    /// <summary><see cref="Pixel{TSimd, TVector, T, TIndex}"/> for channels <c>[c0, c0 + 2*Count)</c> at once: the two
    /// vectors' compare/select chains are independent, so they overlap in the pipeline.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PixelPair<TSimd, TVector, T, TIndex>(
        T* sample, T* dst, TIndex* idx, in Plan p, in RowFrame f, int wLo, int wHi, long left, long first, long channelBase, int c0,
        long sampleSize, T* source, long totalIn)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        AxisPlan depth = p.Spatial.Depth, height = p.Spatial.Height, width = p.Spatial.Width;
        ChannelsLastIndexing ix = p.Indexing;
        int channels = p.Channels;
        bool inWindow = ix.IsInWindow;
        TVector best = TSimd.Create(Lowest<T>()), best2 = best;
        TVector arg = TSimd.CreateIndex(first), arg2 = arg;
        long columnStep = (long)width.Dilation * channels;
        long indexColumnStep = inWindow ? 1 : width.Dilation * ix.StrideW;
        for (int kd = f.DLo; kd < f.DHi; kd++)
        {
            long d = f.Front + ((long)kd * depth.Dilation);
            for (int kh = f.HLo; kh < f.HHi; kh++)
            {
                long h = f.Top + ((long)kh * height.Dilation);
                long w0 = left + ((long)wLo * width.Dilation);
                T* cell = sample + ((((d * height.Input) + h) * width.Input) + w0) * channels + c0;
                long index = inWindow ? (((long)kd * height.Kernel) + kh) * width.Kernel + wLo : (d * ix.StrideD) + (h * ix.StrideH) + (w0 * ix.StrideW);
                for (int kw = wLo; kw < wHi; kw++)
                {
                    Debug.Assert(Bounds.Within(cell, 2 * TSimd.Count, sample, sampleSize) && Bounds.Within(cell, 2 * TSimd.Count, source, totalIn), "a tap's loads outside its sample");
                    TVector value = TSimd.Load(cell), value2 = TSimd.Load(cell + TSimd.Count);
                    TVector tap = TSimd.CreateIndex(index);
                    TVector take = TSimd.Or(TSimd.GreaterThan(value, best), TSimd.IsNaN(value));
                    TVector take2 = TSimd.Or(TSimd.GreaterThan(value2, best2), TSimd.IsNaN(value2));
                    best = TSimd.ConditionalSelect(take, value, best);
                    best2 = TSimd.ConditionalSelect(take2, value2, best2);
                    arg = TSimd.ConditionalSelect(take, tap, arg);
                    arg2 = TSimd.ConditionalSelect(take2, tap, arg2);
                    cell += columnStep;
                    index += indexColumnStep;
                }
            }
        }

        bool ramp = !(inWindow || ix.StrideC == 0 && ix.StrideN == 0);
        TVector position = ramp ? TSimd.AddIndex(arg, TSimd.IndexRamp(channelBase + (c0 * ix.StrideC), ix.StrideC)) : arg;
        TVector position2 = ramp ? TSimd.AddIndex(arg2, TSimd.IndexRamp(channelBase + ((c0 + TSimd.Count) * ix.StrideC), ix.StrideC)) : arg2;
        TSimd.Store(best, dst + c0);
        TSimd.Store(best2, dst + c0 + TSimd.Count);
        TSimd.StoreIndex(position, idx + c0);
        TSimd.StoreIndex(position2, idx + c0 + TSimd.Count);
    }

    /// <summary>
    /// The rows of the tap-code path (sbyte, byte, short, Half): each lane's arg-max travels as its tap code
    /// <c>(kd*kH + kh)*kW + kw</c> in a lane of the element's width, selected with the value's mask, and is decoded into
    /// the convention at the store: in vector lanes when <see cref="Plan.TapsDecodeInLanes"/>, else lane by lane through
    /// a table of the taps' index offsets, built once per run of rows on the stack.
    /// </summary>
    private struct TapRowsBody<TSimd, TVector, T, TIndex> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Source;
        public T* Destination;
        public TIndex* Indices;
        public Plan Plan;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            bool inLanes = Plan.TapsDecodeInLanes;
            Debug.Assert(inLanes || Plan.Spatial.Taps <= TapTableLimit, "the tap table exceeds its stack budget");
            long* table = stackalloc long[inLanes ? 1 : (int)Plan.Spatial.Taps];
            if (!inLanes)
            {
                FillTapTable(Plan, table);
            }

            T* codes = stackalloc T[TSimd.Count];
            for (int row = start; row < end; row++)
            {
                TapRow<TSimd, TVector, T, TIndex>(Source, Destination, Indices, Plan, row, inLanes, table, codes);
            }
        }
    }

    /// <summary>Index offset of every tap from its window's origin, by tap code: <c>kd*dD*D + kh*dH*H + kw*dW*W</c>
    /// in the convention's strides (computed in 64 bits; the sums are indices of real cells, validated to fit).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillTapTable(in Plan p, long* table)
    {
        AxisPlan depth = p.Spatial.Depth, height = p.Spatial.Height, width = p.Spatial.Width;
        ChannelsLastIndexing ix = p.Indexing;
        int code = 0;
        for (int kd = 0; kd < depth.Kernel; kd++)
        {
            for (int kh = 0; kh < height.Kernel; kh++)
            {
                for (int kw = 0; kw < width.Kernel; kw++)
                {
                    table[code++] = ((long)kd * depth.Dilation * ix.StrideD) + ((long)kh * height.Dilation * ix.StrideH) + ((long)kw * width.Dilation * ix.StrideW);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void TapRow<TSimd, TVector, T, TIndex>(T* source, T* destination, TIndex* indices, in Plan p, int row, bool inLanes, long* table, T* codes)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var f = new RowFrame(p, row);
        int count = TSimd.Count, channels = p.Channels;
        AxisPlan width = p.Spatial.Width;
        long sampleSize = p.InputSample;
        T* sample = source + (f.N * sampleSize);
        ChannelsLastIndexing ix = p.Indexing;
        long channelBase = f.N * ix.StrideN;
        long totalIn = p.Batch * sampleSize, totalOut = (long)p.Rows * width.Output * channels;
        float reciprocal = TapDecode.ReciprocalOf(width.Kernel);
        for (int ow = 0; ow < width.Output; ow++)
        {
            long left = width.WindowStart(ow);
            (int wLo, int wHi) = width.Taps(ow);
            T* dst = destination + f.OutputOffset + ((long)ow * channels);
            TIndex* idx = indices + f.OutputOffset + ((long)ow * channels);
            Debug.Assert(Bounds.Within(dst, channels, destination, totalOut) && Bounds.Within(idx, channels, indices, totalOut), "an output pixel outside the outputs");

            // The index of the window's origin (which may lie in the padding: only real taps are ever added to it).
            long origin = (f.Front * ix.StrideD) + (f.Top * ix.StrideH) + (left * ix.StrideW);
            long firstCode = FirstTap(p, f, wLo);
            for (int c0 = 0; c0 < channels; c0 += count)
            {
                // The last vector overlaps the previous one when C is not a multiple of Count: its lanes write the same bits.
                int c = Math.Min(c0, channels - count);
                TVector code = Fold<TSimd, TVector, T>(sample, p, f, wLo, wHi, left, firstCode, c, tapCodes: true, sampleSize, source, totalIn, out TVector best);
                TSimd.Store(best, dst + c);
                long start = channelBase + (c * ix.StrideC) + origin;
                if (inLanes)
                {
                    TapDecode decode = ix.IsInWindow ? TapDecode.InWindow(width.Kernel)
                        : TapDecode.Affine(width.Kernel, reciprocal, start, ix.StrideC, (long)p.Spatial.Height.Dilation * ix.StrideH, (long)width.Dilation * ix.StrideW);
                    TSimd.StoreTapIndex(code, idx + c, decode);
                }
                else
                {
                    TSimd.Store(code, codes);
                    for (int lane = 0; lane < count; lane++)
                    {
                        int tap = sizeof(T) == 1 ? ((byte*)codes)[lane] : ((ushort*)codes)[lane];
                        Debug.Assert(tap < p.Spatial.Taps, "a tap code outside the window");
                        IndexValue.Write(idx + c + lane, start + (lane * ix.StrideC) + table[tap]);
                    }
                }
            }
        }
    }

    /// <summary>The scalar definition of one output row, any element type.</summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void ScalarRow<T, TIndex>(T* source, T* destination, TIndex* indices, in Plan p, int row)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var f = new RowFrame(p, row);
        AxisPlan depth = p.Spatial.Depth, height = p.Spatial.Height, width = p.Spatial.Width;
        ChannelsLastIndexing ix = p.Indexing;
        int channels = p.Channels;
        long sampleSize = p.InputSample;
        T* sample = source + (f.N * sampleSize);
        long totalOut = (long)p.Rows * width.Output * channels;
        for (int ow = 0; ow < width.Output; ow++)
        {
            long left = width.WindowStart(ow);
            (int wLo, int wHi) = width.Taps(ow);
            T* dst = destination + f.OutputOffset + ((long)ow * channels);
            TIndex* idx = indices + f.OutputOffset + ((long)ow * channels);
            Debug.Assert(Bounds.Within(dst, channels, destination, totalOut) && Bounds.Within(idx, channels, indices, totalOut), "an output pixel outside the outputs");
            for (int c = 0; c < channels; c++)
            {
                T best = T.Zero;
                long arg = -1;
                for (int kd = f.DLo; kd < f.DHi; kd++)
                {
                    long d = f.Front + ((long)kd * depth.Dilation);
                    for (int kh = f.HLo; kh < f.HHi; kh++)
                    {
                        long h = f.Top + ((long)kh * height.Dilation);
                        for (int kw = wLo; kw < wHi; kw++)
                        {
                            long w = left + ((long)kw * width.Dilation);
                            long at = ((((d * height.Input) + h) * width.Input) + w) * channels + c;
                            Debug.Assert((ulong)at < (ulong)sampleSize, "a tap outside its sample");
                            T v = sample[at];
                            if (arg < 0 || v > best || T.IsNaN(v))
                            {
                                best = v;
                                arg = ix.IsInWindow ? (((long)kd * height.Kernel) + kh) * width.Kernel + kw
                                    : (f.N * ix.StrideN) + (c * ix.StrideC) + (d * ix.StrideD) + (h * ix.StrideH) + (w * ix.StrideW);
                            }
                        }
                    }
                }

                dst[c] = best;
                IndexValue.Write(idx + c, arg);
            }
        }
    }

    /// <summary>The vector path's starting maximum (-infinity, or the integer minimum): nothing is strictly below it, so
    /// the first real cell keeps its arg unless a later one is greater or NaN, which is the scalar rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Lowest<T>()
        where T : unmanaged, INumber<T>
        => MaxPool2DKernel.Lowest<T>();
}
