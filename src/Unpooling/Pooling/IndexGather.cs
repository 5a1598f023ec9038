using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The gather through argmax indices: <c>result[p] = gradient[cell(indices[p])]</c>, for every element <c>p</c> of the
/// pooled tensor, the cell read in the indexed tensor (the pooling input, or the unpooling output) in any
/// <see cref="IndexConvention"/>. It is the backward pass of argmax unpooling (PyTorch's <c>max_unpool</c> gradient) and
/// the double backward of max pooling (ATen's <c>max_pool_double_backward</c>). Every index is checked first (in
/// parallel; the first bad position in memory order is reported, so the message never depends on the thread count),
/// then every element is written once. A gather only reads the indexed tensor, so an index naming another plane or
/// sample needs no ordering: the work is split in parallel whatever the convention, and the result is the same bits for
/// any thread count.
/// </summary>
/// <remarks>
/// Each index is read once more where it is used and checked again (one compare): an index a racing caller moved out of
/// range after validation makes its element zero, never a read outside the gradient.
/// </remarks>
internal static unsafe class IndexGather
{
    /// <summary>Positions a block of the general gather covers: the unit of parallel work and of validation.</summary>
    private const int Block = 1 << 14;

    /// <summary>
    /// Channels-first per-plane indices: plane <c>q</c>'s element <c>i</c> reads <c>gradient[q*outPlane + indices[i]]</c>.
    /// Returns -1, or the position of the first index outside <c>[0, outPlane)</c> (nothing written).
    /// </summary>
    /// <remarks><paramref name="rows"/> describes the windows of 2-D planes, so the gather can prefetch the gradient rows a
    /// pooled row's windows will read (default: a plain walk of each plane).</remarks>
    public static long PerPlane<T, TIndex>(T* gradient, TIndex* indices, T* result, int planes, long inPlane, long outPlane, int degree, RowPrefetch rows = default)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long bad = MaxUnpool2DKernel.FindInvalid(indices, planes * inPlane, outPlane, degree);
        if (bad >= 0)
        {
            return bad;
        }

        Debug.Assert(rows.PooledW == 0 || (long)rows.PooledH * rows.PooledW == inPlane, "the row description covers the pooled plane");
        var body = new PerPlaneBody<T, TIndex> { Gradient = gradient, Indices = indices, Result = result, InPlane = inPlane, OutPlane = outPlane, Planes = planes, Rows = rows };
        ParallelRunner.Run(ref body, planes, degree);
        return -1;
    }

    /// <summary>
    /// Channels-first 2-D <see cref="IndexConvention.InWindow"/> taps: each element reads the cell of its own window
    /// that its tap names. Returns -1, or the position of the first invalid tap (nothing written).
    /// </summary>
    public static long InWindow<T, TIndex>(T* gradient, TIndex* indices, T* result, int planes, in WindowTaps taps, int degree)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long bad = InWindowKernel.FindInvalid(indices, planes, taps, degree);
        if (bad >= 0)
        {
            return bad;
        }

        var body = new InWindowBody<T, TIndex> { Gradient = gradient, Indices = indices, Result = result, Taps = taps, Planes = planes };
        ParallelRunner.Run(ref body, planes, degree);
        return -1;
    }

    /// <summary>
    /// Channels-first 2-D indices (3-D ones through the <c>[N, C, D*H, W]</c> view, where row-major and channels-last
    /// offsets name the same cells) in <paramref name="layout"/>'s global or channels-last convention (not per plane, not
    /// InWindow): element <c>i</c> of plane (n, c) reads the cell <see cref="IndexLayout.ToRowMajor{TConvention}"/> decodes.
    /// Every index of <c>[0, Space)</c> names a cell of the gradient, so the vectorized range check is the whole
    /// validation. Returns -1, or the position of the first index outside it (nothing written).
    /// </summary>
    public static long Layout<T, TIndex>(T* gradient, TIndex* indices, T* result, int planes, long inPlane, in IndexLayout layout, int degree)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long bad = MaxUnpool2DKernel.FindInvalid(indices, planes * inPlane, layout.Space, degree);
        if (bad >= 0)
        {
            return bad;
        }

        switch (layout.Convention)
        {
            case IndexConvention.GlobalRowMajor:
                RunLayout<T, TIndex, ConventionTags.GlobalRowMajor>(gradient, indices, result, planes, inPlane, layout, degree);
                break;
            case IndexConvention.GlobalColumnMajor:
                RunLayout<T, TIndex, ConventionTags.GlobalColumnMajor>(gradient, indices, result, planes, inPlane, layout, degree);
                break;
            case IndexConvention.ChannelsLastPerSample:
                RunLayout<T, TIndex, ConventionTags.ChannelsLastPerSample>(gradient, indices, result, planes, inPlane, layout, degree);
                break;
            default:
                Debug.Assert(layout.Convention == IndexConvention.ChannelsLastWithBatch, "per-plane and in-window indices have their own gathers");
                RunLayout<T, TIndex, ConventionTags.ChannelsLastWithBatch>(gradient, indices, result, planes, inPlane, layout, degree);
                break;
        }

        return -1;
    }

    private static void RunLayout<T, TIndex, TConvention>(T* gradient, TIndex* indices, T* result, int planes, long inPlane, in IndexLayout layout, int degree)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        var body = new LayoutBody<T, TIndex, TConvention> { Gradient = gradient, Indices = indices, Result = result, InPlane = inPlane, Layout = layout, Planes = planes };
        ParallelRunner.Run(ref body, planes, degree);
    }

    /// <summary>
    /// Channels-first indices of any convention (InWindow with the codec's geometry), decoded by
    /// <paramref name="codec"/> into a row-major offset of the <paramref name="total"/>-cell gradient. Returns -1, or the
    /// position of the first index that names no cell (nothing written).
    /// </summary>
    public static long Decoded<T, TIndex>(T* gradient, TIndex* indices, T* result, long count, long total, in IndexCodec3D codec, int degree)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long first = long.MaxValue;
        int blocks = checked((int)((count + Block - 1) / Block));
        var body = new DecodedBody<T, TIndex> { Gradient = gradient, Indices = indices, Result = result, Count = count, Total = total, Codec = codec, FirstBad = &first, Validate = true };
        ParallelRunner.Run(ref body, blocks, degree);
        first = Volatile.Read(ref first);
        if (first != long.MaxValue)
        {
            return first;
        }

        body.Validate = false;
        ParallelRunner.Run(ref body, blocks, degree);
        return -1;
    }

    /// <summary>
    /// Channels-last values and indices (<c>[N, oD, oH, oW, C]</c>) of any convention, reading a channels-last gradient
    /// <c>[N, D, H, W, C]</c>. Returns -1, or the memory position of the first index that names no cell (nothing written).
    /// </summary>
    public static long ChannelsLast<T, TIndex>(T* gradient, TIndex* indices, T* result, in ChannelsLastPoolKernel.Plan plan, int degree)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => ChannelsLastUnpoolKernel.Gather(gradient, indices, result, plan, degree);

    /// <summary>Blocks of <see cref="Block"/> positions: validated (stopping at the first bad one), or gathered.</summary>
    private struct DecodedBody<T, TIndex> : IParallelBody
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Gradient;
        public TIndex* Indices;
        public T* Result;
        public long Count;
        public long Total;
        public IndexCodec3D Codec;
        public long* FirstBad;
        public bool Validate;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            long from = (long)start * Block, to = Math.Min(Count, (long)end * Block);
            Debug.Assert(from >= 0 && from <= to, "a gather block outside the indices");
            for (long k = from; k < to; k++)
            {
                long offset = Codec.TryDecode(IndexValue.Read(Indices[k]), k, out long cell) ? cell : -1;
                if (Validate)
                {
                    if (offset < 0)
                    {
                        MaxUnpool3DKernel.KeepFirst(FirstBad, k);
                        return;
                    }

                    continue;
                }

                // Checked at use: a racing caller's index that names no cell any more reads nothing.
                Debug.Assert(offset < 0 || Bounds.Within(Gradient + offset, 1, Gradient, Total), "a decoded cell outside the gradient");
                Result[k] = (ulong)offset < (ulong)Total ? Gradient[offset] : default;
            }
        }
    }

    /// <summary>
    /// Which rows of a 2-D output plane the windows of a pooled row span: pooled row <c>r</c> reads output rows from
    /// <c>r*StrideH - PadTop</c> for <c>Extent</c> rows (clipped to the plane). A hint for prefetching only: the
    /// gather's reads go where the indices say, each checked against the plane.
    /// </summary>
    internal readonly struct RowPrefetch(int pooledH, int pooledW, int outH, int outW, int strideH, int padTop, int extent)
    {
        /// <summary>How many pooled rows ahead the gather prefetches (measured: 8 rows took B1's gather from 1.37 to
        /// 0.99 ms at one thread against 1.05 for 4, Stopwatch minimum of 40, 2026-12-02).</summary>
        public const int Ahead = 8;

        public readonly int PooledH = pooledH, PooledW = pooledW, OutH = outH, OutW = outW, StrideH = strideH, PadTop = padTop, Extent = extent;

        /// <summary>The 2-D windows of <paramref name="geometry"/> from pooled <paramref name="pooled"/> into
        /// <paramref name="output"/>.</summary>
        public static RowPrefetch For2D(Pool2DGeometry geometry, Size2D pooled, Size2D output)
            => new(pooled.Height, pooled.Width, output.Height, output.Width, geometry.Stride.Height, geometry.PaddingBegin.Height,
                (int)Math.Min(output.Height, ((long)(geometry.KernelSize.Height - 1) * geometry.Dilation.Height) + 1));
    }

    private struct PerPlaneBody<T, TIndex> : IParallelBody
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Gradient;
        public TIndex* Indices;
        public T* Result;
        public long InPlane;
        public long OutPlane;
        public RowPrefetch Rows;

        /// <summary>The planes of the buffers (for the range asserts only).</summary>
        public int Planes;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            nuint outPlane = (nuint)OutPlane;
            nint inPlane = (nint)InPlane;
            RowPrefetch rows = Rows;
            for (int plane = start; plane < end; plane++)
            {
                T* y = Gradient + ((nint)plane * (nint)OutPlane);
                TIndex* idx = Indices + ((nint)plane * inPlane);
                T* x = Result + ((nint)plane * inPlane);
                Debug.Assert(Bounds.Within(y, OutPlane, Gradient, Planes * OutPlane), "gradient plane outside the buffer");
                Debug.Assert(Bounds.Within(x, InPlane, Result, Planes * InPlane), "result plane outside the buffer");
                if (!Prefetch.IsSupported || rows.PooledW == 0)
                {
                    Span(y, idx, x, inPlane, outPlane);
                    continue;
                }

                // Row by row, prefetching the index row and the gradient rows that the windows of the pooled row
                // RowPrefetch.Ahead rows on will read: the gather's loads depend on its index loads, so the core cannot
                // run far enough ahead on its own (every run prefetched lies inside this plane).
                nint w = rows.PooledW;
                for (int r = 0; r < rows.PooledH; r++)
                {
                    int ahead = r + RowPrefetch.Ahead;
                    if (ahead < rows.PooledH)
                    {
                        Prefetch.Range(idx + (ahead * w), w * sizeof(TIndex));
                        long first = Math.Max(0, ((long)ahead * rows.StrideH) - rows.PadTop);
                        long last = Math.Min(rows.OutH, first + rows.Extent);
                        for (long oh = first; oh < last; oh++)
                        {
                            Prefetch.Range(y + (oh * rows.OutW), (long)rows.OutW * sizeof(T));
                        }
                    }

                    Span(y, idx + (r * w), x + (r * w), w, outPlane);
                }
            }
        }

        /// <summary>Gathers <paramref name="count"/> elements of one plane (each index checked against the plane).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Span(T* y, TIndex* idx, T* x, nint count, nuint outPlane)
        {
            nint i = 0;
            for (; i <= count - 4; i += 4)
            {
                nint c0 = (nint)IndexValue.Read(idx[i]), c1 = (nint)IndexValue.Read(idx[i + 1]);
                nint c2 = (nint)IndexValue.Read(idx[i + 2]), c3 = (nint)IndexValue.Read(idx[i + 3]);
                x[i] = (nuint)c0 < outPlane ? y[c0] : default;
                x[i + 1] = (nuint)c1 < outPlane ? y[c1] : default;
                x[i + 2] = (nuint)c2 < outPlane ? y[c2] : default;
                x[i + 3] = (nuint)c3 < outPlane ? y[c3] : default;
            }

            for (; i < count; i++)
            {
                nint cell = (nint)IndexValue.Read(idx[i]);
                x[i] = (nuint)cell < outPlane ? y[cell] : default;
            }
        }
    }

    private struct LayoutBody<T, TIndex, TConvention> : IParallelBody
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        public T* Gradient;
        public TIndex* Indices;
        public T* Result;
        public long InPlane;
        public IndexLayout Layout;

        /// <summary>The planes of the buffers (for the range asserts only).</summary>
        public int Planes;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            IndexLayout layout = Layout;
            ulong space = (ulong)layout.Space;
            nint inPlane = (nint)InPlane;
            for (int plane = start; plane < end; plane++)
            {
                long n = plane / layout.Channels, c = plane - (n * layout.Channels);
                TIndex* idx = Indices + ((nint)plane * inPlane);
                T* x = Result + ((nint)plane * inPlane);
                Debug.Assert(Bounds.Within(x, InPlane, Result, Planes * InPlane), "result plane outside the buffer");
                for (nint i = 0; i < inPlane; i++)
                {
                    // Checked at use: an index a racing caller moved out of the space since validation reads nothing.
                    long index = IndexValue.Read(idx[i]);
                    if ((ulong)index >= space)
                    {
                        x[i] = default;
                        continue;
                    }

                    long cell = layout.ToRowMajor<TConvention>(index, n, c);
                    Debug.Assert(Bounds.Within(Gradient + cell, 1, Gradient, Planes * layout.Plane), "an index of the space decodes outside the gradient");
                    x[i] = Gradient[cell];
                }
            }
        }
    }

    private struct InWindowBody<T, TIndex> : IParallelBody
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public T* Gradient;
        public TIndex* Indices;
        public T* Result;
        public WindowTaps Taps;

        /// <summary>The planes of the buffers (for the range asserts only).</summary>
        public int Planes;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            WindowTaps taps = Taps;
            long inPlane = taps.PooledPlane, outPlane = taps.Plane;
            for (int plane = start; plane < end; plane++)
            {
                T* y = Gradient + ((nint)plane * (nint)outPlane);
                TIndex* idx = Indices + ((nint)plane * (nint)inPlane);
                T* x = Result + ((nint)plane * (nint)inPlane);
                Debug.Assert(Bounds.Within(x, inPlane, Result, Planes * inPlane), "result plane outside the buffer");
                for (long oh = 0; oh < taps.PooledH; oh++)
                {
                    long rowStart = taps.RowStart(oh);
                    for (long ow = 0; ow < taps.PooledW; ow++, idx++, x++)
                    {
                        long cell = taps.Cell(IndexValue.Read(*idx), rowStart, taps.ColumnStart(ow));
                        Debug.Assert(cell < 0 || Bounds.Within(y + cell, 1, Gradient, Planes * outPlane), "a tap's cell outside the gradient");
                        *x = cell >= 0 ? y[cell] : default;
                    }
                }
            }
        }
    }
}
