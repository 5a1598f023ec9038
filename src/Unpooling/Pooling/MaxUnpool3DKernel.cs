using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The 3-D argmax unpooling of the conventions the 2-D scatter cannot run on the <c>[N, C, D*H, W]</c> view: global
/// column-major (a different axis order in each volume) and InWindow (taps decoded through the 3-D window). Every index
/// is checked first, in parallel (the vectorized range check where a range is the whole rule); a failure reports the
/// first bad position in input order, so the message never depends on the thread count, and nothing is written. Then:
/// <list type="bullet">
/// <item>InWindow with non-overlapping windows (kernel = stride, no padding, no dilation) and Replace: the block writer
/// (<see cref="BlockKernel"/> with a 3-D plan), one write per output element, no clear, no scatter, vectorized.</item>
/// <item>Otherwise, where every index names a cell of its own element's volume (always for InWindow; what pooling
/// writes for column-major): per volume in parallel, the volume cleared and scattered in row-major input order.</item>
/// <item>Column-major indices that cross volumes: one thread clears the output and scatters in row-major input order.</item>
/// </list>
/// Each volume is written by one thread in input order, so the last duplicate wins (or all are summed in that order)
/// for any thread count. The scatters decode each index again and skip one that no longer names a cell (a racing
/// caller's change), so they never write outside the destination.
/// </summary>
internal static unsafe class MaxUnpool3DKernel
{
    /// <summary>
    /// Whether InWindow unpooling may take the block writer: non-overlapping windows that tile the volume from its origin
    /// (kernel = stride, no padding, no dilation) and the Replace reduction (Sum differs in the sign of zero).
    /// </summary>
    public static bool IsBlockCandidate(in Pool3DGeometry g, UnpoolReduction reduction)
        => reduction == UnpoolReduction.Replace && g.KernelSize == g.Stride && g.PaddingBegin == new Size3D(0, 0, 0)
           && g.PaddingEnd == new Size3D(0, 0, 0) && g.Dilation == new Size3D(1, 1, 1);

    /// <summary>
    /// Validates and unpools global column-major indices of <paramref name="planes"/> pooled volumes of
    /// <paramref name="pooledVolume"/> cells into the tensor <paramref name="layout"/> describes. Returns -1, or the
    /// position of the first index outside <c>[0, layout.Space)</c>, in which case nothing was written.
    /// </summary>
    public static long RunColumnMajor<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, long pooledVolume, in IndexLayout3D layout, bool sum, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Debug.Assert(layout.Convention == IndexConvention.GlobalColumnMajor, "a column-major layout");
        long bad = MaxUnpool2DKernel.FindInvalid(indices, planes * pooledVolume, layout.Space, degree);
        if (bad >= 0)
        {
            return bad;
        }

        var body = new ColumnMajorBody<T, TIndex>
        {
            Source = source,
            Indices = indices,
            Destination = destination,
            Planes = planes,
            PooledVolume = pooledVolume,
            Map = new ColumnMajorMap(layout),
            Sum = sum,
        };

        // The flag lives in this frame, which outlives the run (the body is copied to the worker threads).
        int crossing = 0;
        var check = new OwnVolumeBody<TIndex> { Indices = indices, PooledVolume = pooledVolume, Volume = layout.Volume, Planes = planes, Crossing = &crossing };
        ParallelRunner.Run(ref check, planes, degree);
        if (Volatile.Read(ref crossing) == 0)
        {
            ParallelRunner.Run(ref body, planes, degree);
        }
        else
        {
            body.ScatterAcrossVolumes();
        }

        return -1;
    }

    /// <summary>
    /// Validates and unpools InWindow taps of <paramref name="planes"/> pooled volumes (<paramref name="plan"/>: input =
    /// the unpooled volume, output = the pooled one). <paramref name="block"/> (see <see cref="IsBlockCandidate"/>)
    /// takes the block writer. Returns -1, or the position of the first tap that is no tap of its window or whose cell
    /// lies outside the volume, in which case nothing was written.
    /// </summary>
    public static long RunInWindow<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, in SpatialPlan plan, bool block, bool sum, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var taps = new Taps3D(plan);
        long count = planes * taps.PooledVolume;
        long bad;
        if (block || taps.AllInside)
        {
            // Every window inside the volume, or blocks cut only by the output's far faces: a tap is valid when it is
            // in range (the vectorized check), and for cut blocks when its cell is inside the output too.
            bad = MaxUnpool2DKernel.FindInvalid(indices, count, taps.Count, degree);
            if (!taps.AllInside)
            {
                long cut = FirstInvalidInCutBlocks(indices, planes, taps);
                bad = cut >= 0 && (bad < 0 || cut < bad) ? cut : bad;
            }
        }
        else
        {
            bad = FirstInvalid(indices, planes, taps, degree);
        }

        if (bad >= 0)
        {
            return bad;
        }

        if (block)
        {
            var blocks = new BlockKernel.Plan(
                new Size3D(plan.Depth.Output, plan.Height.Output, plan.Width.Output),
                new Size3D(plan.Depth.Input, plan.Height.Input, plan.Width.Input),
                new Size3D(plan.Depth.Kernel, plan.Height.Kernel, plan.Width.Kernel));
            BlockKernel.Run(source, destination, planes, blocks, new TapCode<TIndex>(indices), T.Zero, degree);
            return -1;
        }

        var body = new InWindowBody<T, TIndex> { Source = source, Indices = indices, Destination = destination, Planes = planes, Taps = taps, Sum = sum };
        ParallelRunner.Run(ref body, planes, degree);
        return -1;
    }

    /// <summary>The first position (in input order) of a tap naming no cell, checked per volume in parallel; or -1.</summary>
    private static long FirstInvalid<TIndex>(TIndex* indices, int planes, in Taps3D taps, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long first = long.MaxValue;
        var body = new ValidateBody<TIndex> { Indices = indices, Planes = planes, Taps = taps, FirstBad = &first };
        ParallelRunner.Run(ref body, planes, degree);
        first = Volatile.Read(ref first);
        return first == long.MaxValue ? -1 : first;
    }

    /// <summary>
    /// The block path's border rule: the first tap in range of a block cut by the output's far faces whose cell lies
    /// past them (a smaller explicit output or a ceil-mode pooling's input), or -1. Only the cut blocks are read.
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static long FirstInvalidInCutBlocks<TIndex>(TIndex* indices, int planes, in Taps3D taps)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        (long wholeD, long wholeH, long wholeW) = (Taps3D.WholeWindows(taps.Depth), Taps3D.WholeWindows(taps.Height), Taps3D.WholeWindows(taps.Width));
        long outD = taps.Depth.Output, outH = taps.Height.Output, outW = taps.Width.Output;
        long position = 0;
        for (long plane = 0; plane < planes; plane++)
        {
            for (long od = 0; od < outD; od++)
            {
                for (long oh = 0; oh < outH; oh++, position += outW)
                {
                    for (long ow = od >= wholeD || oh >= wholeH ? 0 : wholeW; ow < outW; ow++)
                    {
                        long tap = IndexValue.Read(indices[position + ow]);
                        if ((ulong)tap < (ulong)taps.Count && taps.Cell(tap, od, oh, ow) < 0)
                        {
                            return position + ow;
                        }
                    }
                }
            }
        }

        return -1;
    }

    /// <summary>The 3-D window arithmetic of InWindow taps over one plan, with its divisions precomputed.</summary>
    private readonly struct Taps3D
    {
        public readonly AxisPlan Depth, Height, Width;
        public readonly long Count, PooledVolume, Volume, Slice;

        /// <summary>Whether every tap of every window lands in the volume (no padding reached, no window past a face).</summary>
        public readonly bool AllInside;

        private readonly long _sliceTaps;
        private readonly FastDivisor _bySliceTaps, _byKernelW;

        public Taps3D(in SpatialPlan plan)
        {
            (Depth, Height, Width) = (plan.Depth, plan.Height, plan.Width);
            Count = plan.Taps;
            PooledVolume = plan.OutputVolume;
            Volume = plan.InputVolume;
            Slice = (long)Height.Input * Width.Input;
            _sliceTaps = (long)Height.Kernel * Width.Kernel;
            _bySliceTaps = new FastDivisor(_sliceTaps, Count - 1);
            _byKernelW = new FastDivisor(Width.Kernel, _sliceTaps - 1);
            AllInside = Inside(Depth) && Inside(Height) && Inside(Width);
        }

        /// <summary>Windows from the first whose block reaches past the axis's output (the unpooled size): <c>Input / Kernel</c>.</summary>
        public static long WholeWindows(in AxisPlan axis) => axis.Input / axis.Kernel;

        /// <summary>
        /// The cell of the volume that <paramref name="tap"/> of window (od, oh, ow) names, or -1 when the tap is out of
        /// <c>[0, Count)</c> or its cell lies in the padding or past a face.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Cell(long tap, long od, long oh, long ow)
        {
            if ((ulong)tap >= (ulong)Count)
            {
                return -1;
            }

            long kd = _bySliceTaps.Divide(tap), rest = tap - (kd * _sliceTaps);
            long kh = _byKernelW.Divide(rest), kw = rest - (kh * Width.Kernel);
            long d = Depth.WindowStart(od) + (kd * Depth.Dilation);
            long h = Height.WindowStart(oh) + (kh * Height.Dilation);
            long w = Width.WindowStart(ow) + (kw * Width.Dilation);
            if ((ulong)d >= (ulong)Depth.Input || (ulong)h >= (ulong)Height.Input || (ulong)w >= (ulong)Width.Input)
            {
                return -1;
            }

            return (d * Slice) + (h * Width.Input) + w;
        }

        private static bool Inside(in AxisPlan a)
            => a.WindowStart(0) >= 0 && a.WindowStart(a.Output - 1) + ((long)(a.Kernel - 1) * a.Dilation) < a.Input;
    }

    /// <summary>Checks volumes in parallel, keeping the smallest bad position over all threads.</summary>
    private struct ValidateBody<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public TIndex* Indices;
        public int Planes;
        public Taps3D Taps;
        public long* FirstBad;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            Taps3D taps = Taps;
            long outH = taps.Height.Output, outW = taps.Width.Output;
            for (int plane = start; plane < end; plane++)
            {
                long position = plane * taps.PooledVolume;
                if (position > Volatile.Read(ref *FirstBad))
                {
                    return; // a bad position before this volume is known: nothing here can be first
                }

                TIndex* idx = Indices + position;
                Debug.Assert(Bounds.Within(idx, taps.PooledVolume, Indices, Planes * taps.PooledVolume), "index volume outside the indices");
                long i = 0;
                for (long od = 0; od < taps.Depth.Output; od++)
                {
                    for (long oh = 0; oh < outH; oh++)
                    {
                        for (long ow = 0; ow < outW; ow++, i++)
                        {
                            if (taps.Cell(IndexValue.Read(idx[i]), od, oh, ow) < 0)
                            {
                                KeepFirst(FirstBad, position + i);
                                return;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Lowers <paramref name="first"/> to <paramref name="bad"/> when smaller (any thread order gives the minimum):
    /// every parallel index check (unpooling of every rank and layout, the backward gathers, index conversion) reports
    /// its first bad position this way, so the message never depends on the thread count.</summary>
    [MethodImpl(KernelImpl.Entry)]
    internal static void KeepFirst(long* first, long bad)
    {
        long seen = Volatile.Read(ref *first);
        while (bad < seen)
        {
            long prior = Interlocked.CompareExchange(ref *first, bad, seen);
            if (prior == seen)
            {
                break;
            }

            seen = prior;
        }
    }

    /// <summary>Per volume: clear, then each tap's cell gets the value (or it is added), in row-major input order.</summary>
    private struct InWindowBody<T, TIndex> : IParallelBody
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Source;
        public TIndex* Indices;
        public T* Destination;
        public int Planes;
        public Taps3D Taps;
        public bool Sum;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            Taps3D taps = Taps;
            bool sum = Sum; // in locals: stores through T* may alias this struct as far as the JIT knows
            long inVolume = taps.PooledVolume, outVolume = taps.Volume, outH = taps.Height.Output, outW = taps.Width.Output;
            for (int plane = start; plane < end; plane++)
            {
                T* x = Source + (plane * inVolume);
                TIndex* idx = Indices + (plane * inVolume);
                T* y = Destination + (plane * outVolume);
                Debug.Assert(Bounds.Within(x, inVolume, Source, Planes * inVolume) && Bounds.Within(idx, inVolume, Indices, Planes * inVolume), "input volume outside the buffers");
                Debug.Assert(Bounds.Within(y, outVolume, Destination, Planes * outVolume), "output volume outside the destination");
                new Span<T>(y, checked((int)outVolume)).Clear();
                long i = 0;
                for (long od = 0; od < taps.Depth.Output; od++)
                {
                    for (long oh = 0; oh < outH; oh++)
                    {
                        for (long ow = 0; ow < outW; ow++, i++)
                        {
                            // Read once and decoded at use: a tap a racing caller changed since validation names no
                            // cell (-1, skipped) or another cell of this volume.
                            long cell = taps.Cell(IndexValue.Read(idx[i]), od, oh, ow);
                            if (cell >= 0)
                            {
                                Debug.Assert(cell < outVolume, "a decoded tap outside its volume");
                                y[cell] = sum ? y[cell] + x[i] : x[i];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Global column-major index <c>plane*V + d + h*D + w*D*H</c> to row-major cells, two multiply-highs.</summary>
    private readonly struct ColumnMajorMap
    {
        public readonly long Volume, Space;
        private readonly long _depth, _height, _width, _depthHeight;
        private readonly FastDivisor _byVolume, _byDepthHeight, _byDepth;

        public ColumnMajorMap(in IndexLayout3D layout)
        {
            (Volume, Space) = (layout.Volume, layout.Space);
            (_depth, _height, _width) = (layout.Depth, layout.Height, layout.Width);
            _depthHeight = _depth * _height;
            _byVolume = new FastDivisor(Volume, Space - 1);
            _byDepthHeight = new FastDivisor(_depthHeight, Volume - 1);
            _byDepth = new FastDivisor(_depth, _depthHeight - 1);
        }

        /// <summary>The row-major offset in its volume of the cell that in-volume index <paramref name="local"/> (in <c>[0, V)</c>) names.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long InVolume(long local)
        {
            long w = _byDepthHeight.Divide(local), rest = local - (w * _depthHeight);
            long h = _byDepth.Divide(rest), d = rest - (h * _depth);
            return (((d * _height) + h) * _width) + w;
        }

        /// <summary>The row-major offset in the tensor of the cell that global index <paramref name="index"/> (in <c>[0, Space)</c>) names.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Global(long index)
        {
            long plane = _byVolume.Divide(index);
            return (plane * Volume) + InVolume(index - (plane * Volume));
        }
    }

    /// <summary>Raises <see cref="Crossing"/> when some column-major index names a cell outside its element's volume.</summary>
    private struct OwnVolumeBody<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public TIndex* Indices;
        public long PooledVolume, Volume;
        public int Planes;
        public int* Crossing;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            for (int plane = start; plane < end && Volatile.Read(ref *Crossing) == 0; plane++)
            {
                TIndex* idx = Indices + (plane * PooledVolume);
                Debug.Assert(Bounds.Within(idx, PooledVolume, Indices, Planes * PooledVolume), "index volume outside the indices");
                long first = plane * Volume;
                for (long i = 0; i < PooledVolume; i++)
                {
                    if ((ulong)(IndexValue.Read(idx[i]) - first) >= (ulong)Volume)
                    {
                        Volatile.Write(ref *Crossing, 1);
                        return;
                    }
                }
            }
        }
    }

    /// <summary>The column-major scatter: per volume in parallel, or across volumes on one thread.</summary>
    private struct ColumnMajorBody<T, TIndex> : IParallelBody
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Source;
        public TIndex* Indices;
        public T* Destination;
        public int Planes;
        public long PooledVolume;
        public ColumnMajorMap Map;
        public bool Sum;

        /// <summary>Volumes <c>[start, end)</c>, each cleared and scattered from its own elements, whose indices are checked at use.</summary>
        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            ColumnMajorMap map = Map;
            bool sum = Sum;
            long inVolume = PooledVolume, volume = map.Volume;
            for (int plane = start; plane < end; plane++)
            {
                T* x = Source + (plane * inVolume);
                TIndex* idx = Indices + (plane * inVolume);
                T* y = Destination + (plane * volume);
                Debug.Assert(Bounds.Within(y, volume, Destination, Planes * volume), "output volume outside the destination");
                new Span<T>(y, checked((int)volume)).Clear();
                long first = plane * volume;
                for (long i = 0; i < inVolume; i++)
                {
                    // A racing caller's index outside this volume is skipped.
                    long local = IndexValue.Read(idx[i]) - first;
                    if ((ulong)local < (ulong)volume)
                    {
                        long cell = map.InVolume(local);
                        y[cell] = sum ? y[cell] + x[i] : x[i];
                    }
                }
            }
        }

        /// <summary>Indices that cross volumes: the whole output cleared and scattered in row-major input order, one thread.</summary>
        [MethodImpl(KernelImpl.Entry)]
        public readonly void ScatterAcrossVolumes()
        {
            ColumnMajorMap map = Map;
            bool sum = Sum;
            long count = Planes * PooledVolume, space = map.Space;
            new Span<T>(Destination, checked((int)space)).Clear();
            for (long p = 0; p < count; p++)
            {
                long index = IndexValue.Read(Indices[p]);
                if ((ulong)index < (ulong)space)
                {
                    long offset = map.Global(index);
                    Debug.Assert(Bounds.Within(Destination + offset, 1, Destination, space), "a decoded index outside the output");
                    Destination[offset] = sum ? Destination[offset] + Source[p] : Source[p];
                }
            }
        }
    }
}
