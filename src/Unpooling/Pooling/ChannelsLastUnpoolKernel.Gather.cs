using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The channels-last gather through argmax indices (the backward of argmax unpooling and the double backward of max
/// pooling, channels-last): <c>result[k] = gradient[cell(indices[k])]</c> for every pooled element, the cell decoded
/// in the plan's convention from the element's own (n, c, pixel), which the rows walk without dividing.
/// </summary>
internal static unsafe partial class ChannelsLastUnpoolKernel
{
    /// <summary>
    /// Validates every index, then gathers (<paramref name="gradient"/> is the indexed tensor, <c>plan.InputCount</c>
    /// elements; <paramref name="result"/> the pooled one). Returns -1, or the memory position of the first index that
    /// names no cell, in which case nothing was written. Each index is decoded again where it is used, and one that no
    /// longer names a cell (a racing caller's) makes its element zero, never a read outside the gradient.
    /// </summary>
    public static long Gather<T, TIndex>(T* gradient, TIndex* indices, T* result, in ChannelsLastPoolKernel.Plan plan, int degree)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => plan.Indexing.Convention switch
        {
            IndexConvention.PerPlane => Gather<T, TIndex, ConventionTags.PerPlane>(gradient, indices, result, plan, degree),
            IndexConvention.GlobalRowMajor => Gather<T, TIndex, ConventionTags.GlobalRowMajor>(gradient, indices, result, plan, degree),
            IndexConvention.GlobalColumnMajor => Gather<T, TIndex, ConventionTags.GlobalColumnMajor>(gradient, indices, result, plan, degree),
            IndexConvention.ChannelsLastPerSample => Gather<T, TIndex, ConventionTags.ChannelsLastPerSample>(gradient, indices, result, plan, degree),
            IndexConvention.ChannelsLastWithBatch => Gather<T, TIndex, ConventionTags.ChannelsLastWithBatch>(gradient, indices, result, plan, degree),
            _ => Gather<T, TIndex, InWindowTag>(gradient, indices, result, plan, degree),
        };

    private static long Gather<T, TIndex, TConvention>(T* gradient, TIndex* indices, T* result, in ChannelsLastPoolKernel.Plan plan, int degree)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        // A gather only reads the indexed tensor, so an index naming another plane needs no ordering; where every index
        // of [0, Space) names a cell (all but the global conventions and InWindow), the vectorized range check is the
        // whole validation and reports the first bad position in memory order too.
        long first = TConvention.Value is IndexConvention.PerPlane or IndexConvention.ChannelsLastPerSample or IndexConvention.ChannelsLastWithBatch
            ? MaxUnpool2DKernel.FindInvalid(indices, plan.Batch * plan.OutputSample, plan.Indexing.Space, degree)
            : Validate<TIndex, TConvention>(indices, plan, degree, out _);
        if (first >= 0)
        {
            return first;
        }

        var body = new GatherBody<T, TIndex, TConvention> { Gradient = gradient, Indices = indices, Result = result, Plan = plan };
        ParallelRunner.Run(ref body, plan.Rows, degree);
        return -1;
    }

    /// <summary>Pooled rows <c>[start, end)</c> (n, od, oh), each <c>oW * C</c> elements in memory order.</summary>
    private struct GatherBody<T, TIndex, TConvention> : IParallelBody
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        public T* Gradient;
        public TIndex* Indices;
        public T* Result;
        public ChannelsLastPoolKernel.Plan Plan;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            int oW = Plan.Spatial.Width.Output, channels = Plan.Channels;
            ulong total = (ulong)Plan.InputCount, space = (ulong)Plan.Indexing.Space;
            var taps = new TapCells(Plan, TConvention.Value == IndexConvention.InWindow ? stackalloc long[TapTableTaps] : default);
            for (int row = start; row < end; row++)
            {
                (int n, int od, int oh) = RowOf(Plan, row);
                long k = (long)row * oW * channels;
                Debug.Assert(k + ((long)oW * channels) <= Plan.OutputSample * Plan.Batch, "a gathered row outside the result");
                if (TConvention.Value == IndexConvention.PerPlane)
                {
                    // Cell i of the element's plane is element i*C + c of its sample.
                    T* sample = Gradient + (n * Plan.InputSample);
                    Debug.Assert(Bounds.Within(sample, Plan.InputSample, Gradient, Plan.InputCount), "a gathered sample outside the gradient");
                    PerPlaneRow(sample, Indices + k, Result + k, (ulong)Plan.Spatial.InputVolume, oW, channels);
                    continue;
                }

                long sampleBase = n * Plan.InputSample, sampleCells = n * Plan.Spatial.InputVolume;
                for (int ow = 0; ow < oW; ow++)
                {
                    long first = TConvention.Value == IndexConvention.InWindow ? taps.WindowFirst(Plan, od, oh, ow) : -1;
                    for (int c = 0; c < channels; c++, k++)
                    {
                        long index = IndexValue.Read(Indices[k]);
                        long target = TConvention.Value switch
                        {
                            // TensorFlow's indices are the cell's own channels-last offset: no decoding (Target also
                            // works out whether the cell is in the element's plane, which a gather does not need).
                            IndexConvention.ChannelsLastPerSample => (ulong)index < space ? sampleBase + index : -1,
                            IndexConvention.ChannelsLastWithBatch => (ulong)index < space ? index : -1,
                            IndexConvention.InWindow when first >= 0 => InWindowTarget(taps.Offset(index), sampleCells + first, channels, c),
                            _ => Target<TConvention>(Plan, index, n, c, od, oh, ow, out _),
                        };
                        Result[k] = (ulong)target < total ? Gradient[target] : default;
                    }
                }
            }
        }

        /// <summary>One row of per-plane indices: <paramref name="pixels"/> pixels of <paramref name="channels"/> elements,
        /// each reading cell <c>index</c> of its channel in <paramref name="sample"/> (<paramref name="volume"/> cells).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void PerPlaneRow(T* sample, TIndex* idx, T* x, ulong volume, int pixels, int channels)
        {
            nint cs = channels;
            for (int pixel = 0; pixel < pixels; pixel++, idx += cs, x += cs)
            {
                nint c = 0;
                for (; c <= cs - 4; c += 4)
                {
                    ulong i0 = (ulong)IndexValue.Read(idx[c]), i1 = (ulong)IndexValue.Read(idx[c + 1]);
                    ulong i2 = (ulong)IndexValue.Read(idx[c + 2]), i3 = (ulong)IndexValue.Read(idx[c + 3]);
                    x[c] = i0 < volume ? sample[((nint)i0 * cs) + c] : default;
                    x[c + 1] = i1 < volume ? sample[((nint)i1 * cs) + c + 1] : default;
                    x[c + 2] = i2 < volume ? sample[((nint)i2 * cs) + c + 2] : default;
                    x[c + 3] = i3 < volume ? sample[((nint)i3 * cs) + c + 3] : default;
                }

                for (; c < cs; c++)
                {
                    ulong i = (ulong)IndexValue.Read(idx[c]);
                    x[c] = i < volume ? sample[((nint)i * cs) + c] : default;
                }
            }
        }
    }
}
