using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Argmax unpooling of channels-last tensors (<c>[N, oH, oW, C]</c> values and indices into <c>[N, H, W, C]</c>, and
/// <c>[N, oD, oH, oW, C]</c> into <c>[N, D, H, W, C]</c> through the same code), with exactly the channels-first
/// operator's result after the permutation. Every index is checked first (in parallel by output rows; the first bad
/// position in memory order is reported, whatever the thread count), which also finds whether each index names a
/// cell of its own element's plane. If so (always for indices pooling wrote), "last wins" and "sum in input order"
/// only ever meet within one plane, where memory order (pixels, then channels) visits a plane's elements in the
/// channels-first row-major order: each sample is then cleared and scattered in memory order, samples in parallel.
/// Otherwise (a global index naming another plane) one thread clears the output and scatters in the channels-first
/// operator's logical order (n, c, then the spatial position), so the last writer is the same element.
/// </summary>
/// <remarks>
/// Validation and scatter read each index separately; the scatter decodes it again and skips one that no longer passes
/// (a racing caller's), so no write can leave the destination.
/// </remarks>
internal static unsafe partial class ChannelsLastUnpoolKernel
{
    /// <summary>The plan of a 2-D unpooling of <paramref name="pooled"/> into <paramref name="output"/> (validated by the caller).</summary>
    public static ChannelsLastPoolKernel.Plan For2D(Shape4D pooled, Size2D output, in Pool2DGeometry geometry, IndexConvention convention)
        => new(
            SpatialPlan.ForPool(geometry, output, pooled.SpatialSize), pooled.Batch, pooled.Channels,
            ChannelsLastIndexing.For2D(convention, pooled.WithSpatialSize(output), geometry));


    /// <summary>Validates and unpools. Returns -1, or the memory position of the first invalid index (nothing written).</summary>
    public static long Run<T, TIndex>(T* source, TIndex* indices, T* destination, in ChannelsLastPoolKernel.Plan plan, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => plan.Indexing.Convention switch
        {
            IndexConvention.PerPlane => Run<T, TIndex, ConventionTags.PerPlane>(source, indices, destination, plan, reduction, degree),
            IndexConvention.GlobalRowMajor => Run<T, TIndex, ConventionTags.GlobalRowMajor>(source, indices, destination, plan, reduction, degree),
            IndexConvention.GlobalColumnMajor => Run<T, TIndex, ConventionTags.GlobalColumnMajor>(source, indices, destination, plan, reduction, degree),
            IndexConvention.ChannelsLastPerSample => Run<T, TIndex, ConventionTags.ChannelsLastPerSample>(source, indices, destination, plan, reduction, degree),
            IndexConvention.ChannelsLastWithBatch => Run<T, TIndex, ConventionTags.ChannelsLastWithBatch>(source, indices, destination, plan, reduction, degree),
            _ => Run<T, TIndex, InWindowTag>(source, indices, destination, plan, reduction, degree),
        };

    private static long Run<T, TIndex, TConvention>(T* source, TIndex* indices, T* destination, in ChannelsLastPoolKernel.Plan plan, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        long first = Validate<TIndex, TConvention>(indices, plan, degree, out bool anyForeign);
        if (first >= 0)
        {
            return first;
        }

        // Own-window per-plane indices over windows that tile the output: each block written once.
        bool sum = reduction == UnpoolReduction.Sum;
        if (TConvention.Value == IndexConvention.PerPlane && TryWriteOnce(source, indices, destination, plan, sum, degree))
        {
            return -1;
        }

        if (!anyForeign)
        {
            var body = new SampleBody<T, TIndex, TConvention> { Source = source, Indices = indices, Destination = destination, Plan = plan, Sum = sum };
            ParallelRunner.Run(ref body, plan.Batch, Math.Min(degree, plan.Batch));
        }
        else
        {
            LogicalOrder<T, TIndex, TConvention>(source, indices, destination, plan, sum);
        }

        return -1;
    }

    /// <summary>
    /// Checks every index (in parallel by output rows): -1, or the memory position of the first that names no cell.
    /// <paramref name="anyForeign"/> says whether some index names a cell outside its element's own plane.
    /// </summary>
    private static long Validate<TIndex, TConvention>(TIndex* indices, in ChannelsLastPoolKernel.Plan plan, int degree, out bool anyForeign)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        anyForeign = false;
        if (TConvention.Value == IndexConvention.PerPlane)
        {
            // Per-plane indices always name a cell of their own plane: the range check is the whole validation, and the
            // vectorized one reports the first bad position in memory order too.
            return MaxUnpool2DKernel.FindInvalid(indices, plan.Batch * plan.OutputSample, plan.Spatial.InputVolume, degree);
        }

        long first = long.MaxValue;
        int foreign = 0;
        var check = new ValidateBody<TIndex, TConvention> { Indices = indices, Plan = plan, FirstBad = &first, Foreign = &foreign };
        ParallelRunner.Run(ref check, plan.Rows, degree);
        first = Volatile.Read(ref first);
        anyForeign = Volatile.Read(ref foreign) != 0;
        return first == long.MaxValue ? -1 : first;
    }

    /// <summary>The InWindow convention as a tag (<see cref="ConventionTags"/> has the affine ones).</summary>
    private readonly struct InWindowTag : IConventionTag
    {
        public static IndexConvention Value => IndexConvention.InWindow;
    }

    /// <summary>
    /// The channels-last offset in the whole output of the cell <paramref name="index"/> names for the element of sample
    /// <paramref name="n"/>, channel <paramref name="c"/> at pooled position (od, oh, ow); -1 when the index names no
    /// cell. <paramref name="own"/> says whether the cell lies in the element's own plane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Target<TConvention>(in ChannelsLastPoolKernel.Plan p, long index, long n, long c, int od, int oh, int ow, out bool own)
        where TConvention : struct, IConventionTag
    {
        ChannelsLastIndexing ix = p.Indexing;
        long channels = p.Channels, volume = p.Spatial.InputVolume, sample = volume * channels;
        own = true;
        if ((ulong)index >= (ulong)ix.Space)
        {
            return -1;
        }

        switch (TConvention.Value)
        {
            case IndexConvention.PerPlane:
                return (((n * volume) + index) * channels) + c;
            case IndexConvention.ChannelsLastPerSample:
                own = index - (ix.ByChannels.Divide(index) * channels) == c;
                return (n * sample) + index;
            case IndexConvention.ChannelsLastWithBatch:
                own = (ulong)(index - (n * sample)) < (ulong)sample && index - (ix.ByChannels.Divide(index) * channels) == c;
                return index;
            case IndexConvention.GlobalRowMajor:
            {
                long plane = index / volume, cell = index - (plane * volume);
                own = plane == (n * channels) + c;
                long n2 = plane / channels;
                return (((n2 * volume) + cell) * channels) + (plane - (n2 * channels));
            }

            case IndexConvention.GlobalColumnMajor:
            {
                long plane = index / volume, r = index - (plane * volume);
                long dh = ix.Depth * ix.Height;
                long w = r / dh, rest = r - (w * dh), h = rest / ix.Depth, d = rest - (h * ix.Depth);
                long cell = (((d * ix.Height) + h) * ix.Width) + w;
                own = plane == (n * channels) + c;
                long n2 = plane / channels;
                return (((n2 * volume) + cell) * channels) + (plane - (n2 * channels));
            }

            default:
            {
                AxisPlan depth = p.Spatial.Depth, height = p.Spatial.Height, width = p.Spatial.Width;
                long hw = (long)height.Kernel * width.Kernel;
                long kd = index / hw, t = index - (kd * hw), kh = t / width.Kernel, kw = t - (kh * width.Kernel);
                long d = depth.WindowStart(od) + (kd * depth.Dilation);
                long h = height.WindowStart(oh) + (kh * height.Dilation);
                long w = width.WindowStart(ow) + (kw * width.Dilation);
                if ((ulong)d >= (ulong)depth.Input || (ulong)h >= (ulong)height.Input || (ulong)w >= (ulong)width.Input)
                {
                    return -1;
                }

                return (((((n * depth.Input) + d) * height.Input) + h) * width.Input + w) * channels + c;
            }
        }
    }

    /// <summary>Splits a pooled row number into (n, od, oh).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (int N, int D, int H) RowOf(in ChannelsLastPoolKernel.Plan p, int row)
    {
        int oD = p.Spatial.Depth.Output, oH = p.Spatial.Height.Output;
        int n = row / (oD * oH), rest = row - (n * oD * oH), od = rest / oH;
        return (n, od, rest - (od * oH));
    }

    private struct ValidateBody<TIndex, TConvention> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        public TIndex* Indices;
        public ChannelsLastPoolKernel.Plan Plan;
        public long* FirstBad;
        public int* Foreign;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            int oW = Plan.Spatial.Width.Output, channels = Plan.Channels;
            bool foreign = false;
            var taps = new TapCells(Plan, TConvention.Value == IndexConvention.InWindow ? stackalloc long[TapTableTaps] : default);
            for (int row = start; row < end; row++)
            {
                (int n, int od, int oh) = RowOf(Plan, row);
                long k = (long)row * oW * channels;
                Debug.Assert(k + ((long)oW * channels) <= Plan.OutputSample * Plan.Batch, "a validated row outside the indices");
                for (int ow = 0; ow < oW; ow++)
                {
                    // A window wholly inside the input: a tap is valid exactly when it is one (and always its own plane's).
                    long first = TConvention.Value == IndexConvention.InWindow ? taps.WindowFirst(Plan, od, oh, ow) : -1;
                    for (int c = 0; c < channels; c++, k++)
                    {
                        bool own = true;
                        if (first >= 0 ? taps.Offset(IndexValue.Read(Indices[k])) < 0 : Target<TConvention>(Plan, IndexValue.Read(Indices[k]), n, c, od, oh, ow, out own) < 0)
                        {
                            MaxUnpool3DKernel.KeepFirst(FirstBad, k);

                            return;
                        }

                        foreign |= !own;
                    }
                }
            }

            if (foreign)
            {
                Volatile.Write(ref *Foreign, 1);
            }
        }
    }

    /// <summary>Own-plane indices: each sample cleared and scattered in memory order.</summary>
    private struct SampleBody<T, TIndex, TConvention> : IParallelBody
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        public T* Source;
        public TIndex* Indices;
        public T* Destination;
        public ChannelsLastPoolKernel.Plan Plan;
        public bool Sum;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            int oD = Plan.Spatial.Depth.Output, oH = Plan.Spatial.Height.Output, oW = Plan.Spatial.Width.Output, channels = Plan.Channels;
            long outSample = Plan.InputSample;
            var taps = new TapCells(Plan, TConvention.Value == IndexConvention.InWindow ? stackalloc long[TapTableTaps] : default);
            for (int n = start; n < end; n++)
            {
                T* y = Destination + (n * outSample);
                Debug.Assert(Bounds.Within(y, outSample, Destination, Plan.InputCount), "an output sample outside the destination");
                new Span<T>(y, checked((int)outSample)).Clear();
                long k = n * Plan.OutputSample;
                if (TConvention.Value == IndexConvention.PerPlane)
                {
                    // The hot case, without the general decode: cell p of channel c is y[p*C + c] of the sample.
                    ulong volume = (ulong)Plan.Spatial.InputVolume;
                    long stop = k + Plan.OutputSample;
                    while (k < stop)
                    {
                        for (int c = 0; c < channels; c++, k++)
                        {
                            // Read once, checked at use: an index a racing caller moved out of the plane is skipped.
                            long index = IndexValue.Read(Indices[k]);
                            if ((ulong)index < volume)
                            {
                                T* cell = y + (index * channels) + c;
                                Debug.Assert(Bounds.Within(cell, 1, y, outSample), "a per-plane cell outside its sample");
                                *cell = Sum ? *cell + Source[k] : Source[k];
                            }
                        }
                    }

                    continue;
                }

                long sampleCells = n * Plan.Spatial.InputVolume;
                for (int od = 0; od < oD; od++)
                {
                    for (int oh = 0; oh < oH; oh++)
                    {
                        for (int ow = 0; ow < oW; ow++)
                        {
                            long first = TConvention.Value == IndexConvention.InWindow ? taps.WindowFirst(Plan, od, oh, ow) : -1;
                            for (int c = 0; c < channels; c++, k++)
                            {
                                // Read once, checked at use: a cell of another plane (a racing caller's index) is skipped.
                                bool own = true;
                                long target = first >= 0
                                    ? InWindowTarget(taps.Offset(IndexValue.Read(Indices[k])), sampleCells + first, channels, c)
                                    : Target<TConvention>(Plan, IndexValue.Read(Indices[k]), n, c, od, oh, ow, out own);
                                if (target < 0 || !own)
                                {
                                    continue;
                                }

                                Debug.Assert(Bounds.Within(Destination + target, 1, y, outSample), "an own-plane cell outside its sample");
                                Destination[target] = Sum ? Destination[target] + Source[k] : Source[k];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Indices that cross planes: one thread, the channels-first operator's order (n, c, od, oh, ow).</summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void LogicalOrder<T, TIndex, TConvention>(T* source, TIndex* indices, T* destination, in ChannelsLastPoolKernel.Plan p, bool sum)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        long total = p.InputCount;
        for (long start = 0; start < total; start += int.MaxValue)
        {
            new Span<T>(destination + start, (int)Math.Min(int.MaxValue, total - start)).Clear();
        }

        int oD = p.Spatial.Depth.Output, oH = p.Spatial.Height.Output, oW = p.Spatial.Width.Output, channels = p.Channels;
        for (int n = 0; n < p.Batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                long k = (n * p.OutputSample) + c;
                for (int od = 0; od < oD; od++)
                {
                    for (int oh = 0; oh < oH; oh++)
                    {
                        for (int ow = 0; ow < oW; ow++, k += channels)
                        {
                            long target = Target<TConvention>(p, IndexValue.Read(indices[k]), n, c, od, oh, ow, out _);
                            if (target < 0)
                            {
                                continue;
                            }

                            Debug.Assert((ulong)target < (ulong)total, "a decoded cell outside the output");
                            destination[target] = sum ? destination[target] + source[k] : source[k];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The error of an invalid index at memory position <paramref name="position"/> of channels-last indices: its
    /// value, its position and element (n, spatial position, c), and the valid range.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowBadIndex<TIndex>(string paramName, TIndex value, long position, in ChannelsLastPoolKernel.Plan p)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long pixel = position / p.Channels, c = position - (pixel * p.Channels);
        int oD = p.Spatial.Depth.Output, oH = p.Spatial.Height.Output, oW = p.Spatial.Width.Output;
        long perSample = (long)oD * oH * oW;
        long n = pixel / perSample, rest = pixel - (n * perSample);
        long od = rest / ((long)oH * oW), oh = (rest / oW) % oH, ow = rest % oW;
        string element = oD == 1 && p.Spatial.Depth.Input == 1 ? $"n {n}, h {oh}, w {ow}, c {c}" : $"n {n}, d {od}, h {oh}, w {ow}, c {c}";
        string why = p.Indexing.Convention switch
        {
            IndexConvention.InWindow => $"is not a tap of its element's {p.Spatial.Depth.Kernel}x{p.Spatial.Height.Kernel}x{p.Spatial.Width.Kernel} window on a cell of the output " +
                $"(InWindow indices are 0 to {p.Indexing.Space - 1}, and the tap's cell must lie in the output, not in the padding or past its border)",
            IndexConvention.PerPlane => $"is outside the element's plane in convention PerPlane; valid indices are 0 to {p.Indexing.Space - 1}",
            IndexConvention.ChannelsLastPerSample => $"is outside the element's sample in convention ChannelsLastPerSample; valid indices are 0 to {p.Indexing.Space - 1}",
            _ => $"is outside the whole output in convention {p.Indexing.Convention}; valid indices are 0 to {p.Indexing.Space - 1}",
        };
        throw new ArgumentOutOfRangeException(paramName, value, $"Index {value} at position {position} (element {element} of the channels-last indices) {why}.");
    }
}
