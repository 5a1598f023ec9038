using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The write-once path of channels-last argmax unpooling: when the windows tile the output (kernel = stride, no
/// padding, dilation 1, output = pooled x kernel on every axis, the default size of such a geometry) and every
/// per-plane index names a cell of its own window (always so for indices pooling wrote), each output block is written
/// exactly once: for every pooled pixel and channel vector, each of the block's cells stores the value where the
/// index names that cell and zero elsewhere (a compare and a select per cell), with no clearing pass and no scatter.
/// </summary>
/// <remarks>
/// Per sample, each pooled row is first checked (read only, cache-hot: the row's indices are re-read at once by the
/// write) to hold only own-window indices; a sample with a row that does not takes the general path
/// (<c>SampleBody</c>: clear, then scatter in memory order), which overwrites whatever the write-once path stored, so
/// the result never depends on where the check failed. The range check of every index ran before (nothing is written
/// on a bad index). With own-window indices no two elements meet, so Sum stores <c>0 + x</c> (which differs from
/// <c>x</c> only for -0) where Replace stores <c>x</c>.
/// </remarks>
internal static unsafe partial class ChannelsLastUnpoolKernel
{
    /// <summary>Whether the windows of <paramref name="p"/> tile the unpooled output exactly.</summary>
    private static bool TilesOutput(in SpatialPlan p)
        => Tiles(p.Depth) && Tiles(p.Height) && Tiles(p.Width);

    private static bool Tiles(in AxisPlan a)
        => a.Kernel == a.Stride && a.PadBegin == 0 && a.PadEnd == 0 && (a.Dilation == 1 || a.Kernel == 1)
            && (long)a.Output * a.Kernel == a.Input;

    /// <summary>
    /// Runs the write-once path when it applies (per-plane indices already range-checked, a type with index lanes of its
    /// own width, at least one vector of channels); returns <see langword="false"/> with nothing written otherwise.
    /// </summary>
    private static bool TryWriteOnce<T, TIndex>(T* source, TIndex* indices, T* destination, in ChannelsLastPoolKernel.Plan plan, bool sum, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if ((typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(int))
            || !TilesOutput(plan.Spatial) || !plan.IndicesFit(sizeof(T)) || plan.Spatial.Taps > 64)
        {
            return false;
        }

        var body = new WriteOnceWidth<T, TIndex>(source, indices, destination, plan, sum, degree);
        SimdDispatch.RunLanes<T, WriteOnceWidth<T, TIndex>>(ref body, plan.Channels);
        return body.Handled;
    }

    private ref struct WriteOnceWidth<T, TIndex>(T* source, TIndex* indices, T* destination, in ChannelsLastPoolKernel.Plan plan, bool sum, int degree) : IWidthBody<T>
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        private readonly ChannelsLastPoolKernel.Plan _plan = plan;

        public bool Handled { get; private set; }

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
        {
            var body = new WriteOnceBody<TSimd, TVector, T, TIndex> { Source = source, Indices = indices, Destination = destination, Plan = _plan, Sum = sum };
            ParallelRunner.Run(ref body, _plan.Batch, Math.Min(degree, _plan.Batch));
            Handled = true;
        }

        public void RunScalar() => Handled = false; // fewer channels than a vector: the general path
    }

    private struct WriteOnceBody<TSimd, TVector, T, TIndex> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Source;
        public TIndex* Indices;
        public T* Destination;
        public ChannelsLastPoolKernel.Plan Plan;
        public bool Sum;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            int oD = Plan.Spatial.Depth.Output, oH = Plan.Spatial.Height.Output;
            for (int n = start; n < end; n++)
            {
                bool own = true;
                for (int od = 0; od < oD && own; od++)
                {
                    for (int oh = 0; oh < oH && own; oh++)
                    {
                        own = Row(n, od, oh);
                    }
                }

                if (!own)
                {
                    // An index outside its own window (a caller's own indices, which may meet): this sample the general
                    // way, which rewrites all of it, summing if asked.
                    var general = new SampleBody<T, TIndex, ConventionTags.PerPlane> { Source = Source, Indices = Indices, Destination = Destination, Plan = Plan, Sum = Sum };
                    general.Invoke(n, n + 1);
                }
            }
        }

        /// <summary>Checks, then writes, the output blocks of pooled row (n, od, oh); <see langword="false"/> (nothing
        /// written for this row) when an index of the row lies outside its window.</summary>
        [MethodImpl(KernelImpl.Entry)]
        private readonly bool Row(int n, int od, int oh)
        {
            ref readonly SpatialPlan s = ref Plan.Spatial;
            int channels = Plan.Channels, count = TSimd.Count, oW = s.Width.Output;
            int kD = s.Depth.Kernel, kH = s.Height.Kernel, kW = s.Width.Kernel;
            long h = s.Height.Input, w = s.Width.Input;
            long rowStart = ((((long)n * s.Depth.Output) + od) * s.Height.Output + oh) * oW * channels;
            T* src = Source + rowStart;
            TIndex* idx = Indices + rowStart;
            T* y = Destination + (n * Plan.InputSample);
            Debug.Assert(rowStart + ((long)oW * channels) <= Plan.Batch * Plan.OutputSample, "a pooled row outside the source");
            Debug.Assert(channels >= count, "fewer channels than a vector");

            // The cell of tap (kd, kh, kw) of pooled pixel (od, oh, ow): ((od*kD + kd)*H + oh*kH + kh)*W + ow*kW + kw.
            long originOfRow = ((((long)od * kD) * h) + ((long)oh * kH)) * w;

            // 1. Every index of the row in its own window (each lane equal to one of the window's cells).
            TVector ones = TSimd.EqualsIndex(TSimd.Zero, TSimd.Zero), all = ones;
            for (int ow = 0; ow < oW; ow++)
            {
                long origin = originOfRow + ((long)ow * kW);
                for (int c0 = 0; ; c0 += count)
                {
                    int c = Math.Min(c0, channels - count); // the last vector overlaps the previous one
                    TVector index = TSimd.LoadIndex(idx + ((long)ow * channels) + c);
                    TVector any = TSimd.Zero;
                    for (int kd = 0; kd < kD; kd++)
                    {
                        for (int kh = 0; kh < kH; kh++)
                        {
                            long line = origin + ((((long)kd * h) + kh) * w);
                            for (int kw = 0; kw < kW; kw++)
                            {
                                any = TSimd.Or(any, TSimd.EqualsIndex(index, TSimd.CreateIndex(line + kw)));
                            }
                        }
                    }

                    all = TSimd.ConditionalSelect(any, all, TSimd.Zero);
                    if (c0 + count >= channels)
                    {
                        break;
                    }
                }
            }

            if (!AllSet(all))
            {
                return false;
            }

            // 2. Each cell of each block once: the value where the index names it, else zero.
            for (int ow = 0; ow < oW; ow++)
            {
                long origin = originOfRow + ((long)ow * kW);
                for (int c0 = 0; ; c0 += count)
                {
                    int c = Math.Min(c0, channels - count);
                    long at = ((long)ow * channels) + c;
                    TVector value = TSimd.Load(src + at);
                    if (Sum)
                    {
                        value = TSimd.Add(TSimd.Zero, value); // the sum into a zeroed output: 0 + (-0) is +0
                    }

                    TVector index = TSimd.LoadIndex(idx + at);
                    for (int kd = 0; kd < kD; kd++)
                    {
                        for (int kh = 0; kh < kH; kh++)
                        {
                            long line = origin + ((((long)kd * h) + kh) * w);
                            for (int kw = 0; kw < kW; kw++)
                            {
                                T* cell = y + ((line + kw) * channels) + c;
                                Debug.Assert(Bounds.Within(cell, count, y, Plan.InputSample), "an output block cell outside its sample");
                                TSimd.Store(TSimd.ConditionalSelect(TSimd.EqualsIndex(index, TSimd.CreateIndex(line + kw)), value, TSimd.Zero), cell);
                            }
                        }
                    }

                    if (c0 + count >= channels)
                    {
                        break;
                    }
                }
            }

            return true;
        }

        /// <summary>Whether every bit of <paramref name="mask"/> is set (once per row: a store and a byte compare).</summary>
        private static bool AllSet(TVector mask)
        {
            T* lanes = stackalloc T[TSimd.Count];
            TSimd.Store(mask, lanes);
            var bytes = new ReadOnlySpan<byte>(lanes, TSimd.Count * sizeof(T));
            return !bytes.ContainsAnyExcept((byte)0xFF);
        }
    }
}
