using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// Argmax unpooling: validates every index (in parallel, before any write), then per plane clears the output plane
/// and scatters in row-major input order, so the last duplicate wins (or all are summed). A plane is the unit of
/// work: clearing and scattering one plane while it is still in cache costs one pass over the output.
/// For 2x2 stride-2 windows whose every index lies inside its own window (what max pooling writes) the Replace
/// reduction instead runs <see cref="BlockKernel.TryUnpoolDense{T, TIndex}"/>: one write pass, no clear, no scattered
/// read-modify-write.
/// Indices in another <see cref="IndexConvention"/> name cells of the whole output (ONNX <c>MaxUnpool</c>). When each
/// names a cell of its own plane (what pooling writes) the per-plane scatter runs, decoding on the fly; otherwise
/// planes are not independent, and one thread clears the output and scatters in row-major input order.
/// </summary>
/// <remarks>
/// Validation and scatter read the indices separately, so a caller whose other thread changes an index in between (a
/// data race, the caller's bug) must not turn into a write outside the destination: every scatter reads each index
/// once and checks it at use, with one unsigned compare against the plane or global size validation already computed,
/// and skips an index that fails (its cell is then not written). The dense path encodes each index once into a
/// private code buffer and writes every cell from that, so it needs no second check.
/// </remarks>
internal static unsafe class MaxUnpool2DKernel
{
    /// <summary>
    /// Whether the dense path applies to this geometry and output size (indices permitting): non-overlapping windows of
    /// at most 256 taps (<see cref="BlockKernel.IsDenseCandidate"/>).
    /// </summary>
    public static bool IsDenseCandidate(in Pool2DGeometry g, Size2D pooled, Size2D output) => BlockKernel.IsDenseCandidate(g, pooled, output);

    /// <summary>
    /// Validates and unpools: the dense path when every index sits in its own <paramref name="denseFactor"/> window
    /// (Replace), otherwise a range check and the scatter. Returns -1, or the position of the first out-of-range index,
    /// in which case nothing was written. With <paramref name="writeDense"/> a Sum takes the dense path too (the max-pool
    /// backward: indices each in its own window of windows that do not overlap name distinct cells, so every sum has one
    /// term; the one difference is a <c>-0</c> gradient, written as is where <c>0 + -0</c> would give <c>+0</c>).
    /// </summary>
    public static long Run<T, TIndex>(
        T* source, TIndex* indices, T* destination, int planes, Size2D pooled, Size2D output, bool denseCandidate, Size2D denseFactor,
        UnpoolReduction reduction, int degree, bool writeDense = false)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long inPlane = (long)pooled.Height * pooled.Width;
        long outPlane = (long)output.Height * output.Width;
        // Sum differs from Replace here only in the sign of zero (+0 + -0 = +0): it takes the arithmetic scatter.
        if (denseCandidate && (reduction == UnpoolReduction.Replace || writeDense)
            && BlockKernel.TryUnpoolDense(source, indices, destination, planes, pooled, output, denseFactor, degree))
        {
            return -1;
        }

        long bad = FindInvalid(indices, planes * inPlane, outPlane, degree);
        if (bad < 0)
        {
            Run(source, indices, destination, planes, (int)inPlane, (int)outPlane, reduction, degree);
        }

        return bad;
    }

    /// <summary>
    /// Validates and unpools indices in <paramref name="layout"/>'s convention (not per plane). Returns -1, or the
    /// position of the first index outside <c>[0, layout.Space)</c>, in which case nothing was written.
    /// </summary>
    public static long Run<T, TIndex>(
        T* source, TIndex* indices, T* destination, int planes, int inPlane, in IndexLayout layout, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => layout.Convention switch
        {
            IndexConvention.GlobalRowMajor => Run<T, TIndex, ConventionTags.GlobalRowMajor>(source, indices, destination, planes, inPlane, layout, reduction, degree),
            IndexConvention.GlobalColumnMajor => Run<T, TIndex, ConventionTags.GlobalColumnMajor>(source, indices, destination, planes, inPlane, layout, reduction, degree),
            IndexConvention.ChannelsLastPerSample => Run<T, TIndex, ConventionTags.ChannelsLastPerSample>(source, indices, destination, planes, inPlane, layout, reduction, degree),
            _ => Run<T, TIndex, ConventionTags.ChannelsLastWithBatch>(source, indices, destination, planes, inPlane, layout, reduction, degree),
        };

    private static long Run<T, TIndex, TConvention>(
        T* source, TIndex* indices, T* destination, int planes, int inPlane, in IndexLayout layout, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        if (AllPlanes(new OwnPlaneCheck<TIndex, TConvention> { Indices = indices, InPlane = inPlane, Layout = layout, Planes = planes }, planes, degree))
        {
            Scatter<T, TIndex, TConvention>(source, indices, destination, planes, inPlane, layout, ownPlanes: true, reduction, degree, 0);
            return -1;
        }

        long bad = FindInvalid(indices, (long)planes * inPlane, layout.Space, degree);
        if (bad < 0)
        {
            Scatter<T, TIndex, TConvention>(source, indices, destination, planes, inPlane, layout, ownPlanes: false, reduction, degree, 0);
        }

        return bad;
    }

    /// <summary>
    /// The scatter of <see cref="Run{T, TIndex}(T*, TIndex*, T*, int, int, in IndexLayout, UnpoolReduction, int)"/>
    /// without its validation (the entry the tests call with indices validation would refuse): per plane in parallel when
    /// <paramref name="ownPlanes"/> (an index naming another plane is then skipped), otherwise across planes on one
    /// thread. Indices outside <c>[0, layout.Space)</c> are skipped.
    /// </summary>
    internal static void Scatter<T, TIndex>(
        T* source, TIndex* indices, T* destination, int planes, int inPlane, in IndexLayout layout, bool ownPlanes, UnpoolReduction reduction, int degree, long indexBase = 0)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        switch (layout.Convention)
        {
            case IndexConvention.GlobalRowMajor:
                Scatter<T, TIndex, ConventionTags.GlobalRowMajor>(source, indices, destination, planes, inPlane, layout, ownPlanes, reduction, degree, indexBase);
                break;
            case IndexConvention.GlobalColumnMajor:
                Scatter<T, TIndex, ConventionTags.GlobalColumnMajor>(source, indices, destination, planes, inPlane, layout, ownPlanes, reduction, degree, indexBase);
                break;
            case IndexConvention.ChannelsLastPerSample:
                Scatter<T, TIndex, ConventionTags.ChannelsLastPerSample>(source, indices, destination, planes, inPlane, layout, ownPlanes, reduction, degree, indexBase);
                break;
            case IndexConvention.ChannelsLastWithBatch:
                Scatter<T, TIndex, ConventionTags.ChannelsLastWithBatch>(source, indices, destination, planes, inPlane, layout, ownPlanes, reduction, degree, indexBase);
                break;
            default:
                Debug.Assert(layout.Convention == IndexConvention.PerPlane && indexBase == 0, "InWindow has its own kernel; per-plane indices need no base");
                Run(source, indices, destination, planes, inPlane, (int)layout.Plane, reduction, degree);
                break;
        }
    }

    private static void Scatter<T, TIndex, TConvention>(
        T* source, TIndex* indices, T* destination, int planes, int inPlane, in IndexLayout layout, bool ownPlanes, UnpoolReduction reduction, int degree, long indexBase)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        if (!ownPlanes)
        {
            ScatterAcrossPlanes<T, TIndex, TConvention>(source, indices, destination, planes, inPlane, layout, reduction == UnpoolReduction.Sum, indexBase);
            return;
        }

        var body = new ScatterBody<T, TIndex, LayoutMap<TConvention>>
        {
            Source = source,
            Indices = indices,
            Destination = destination,
            InPlane = inPlane,
            OutPlane = (int)layout.Plane,
            Planes = planes,
            Sum = reduction == UnpoolReduction.Sum,
            Map = new LayoutMap<TConvention>(layout, indexBase),
        };
        ParallelRunner.Run(ref body, planes, degree);
    }

    /// <summary>
    /// Unpools a run of whole samples of a larger tensor (the TensorSpan forms split one past a span's reach), after
    /// the caller validated every index against the whole tensor and found each in its own sample: indices are in
    /// <paramref name="layout"/>'s convention over this run's samples once <paramref name="indexBase"/> (the first
    /// sample's offset, <c>n0*C*H*W</c> for the global conventions) is subtracted. Indices are checked at use.
    /// </summary>
    internal static void RunSamples<T, TIndex>(
        T* source, TIndex* indices, T* destination, int planes, int inPlane, in IndexLayout layout, long indexBase, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool ownPlanes = layout.Convention switch
        {
            IndexConvention.GlobalRowMajor => AllPlanes(new OwnPlaneCheck<TIndex, ConventionTags.GlobalRowMajor> { Indices = indices, InPlane = inPlane, Layout = layout, Planes = planes, Base = indexBase }, planes, degree),
            IndexConvention.GlobalColumnMajor => AllPlanes(new OwnPlaneCheck<TIndex, ConventionTags.GlobalColumnMajor> { Indices = indices, InPlane = inPlane, Layout = layout, Planes = planes, Base = indexBase }, planes, degree),
            IndexConvention.ChannelsLastPerSample => AllPlanes(new OwnPlaneCheck<TIndex, ConventionTags.ChannelsLastPerSample> { Indices = indices, InPlane = inPlane, Layout = layout, Planes = planes, Base = indexBase }, planes, degree),
            _ => AllPlanes(new OwnPlaneCheck<TIndex, ConventionTags.ChannelsLastWithBatch> { Indices = indices, InPlane = inPlane, Layout = layout, Planes = planes, Base = indexBase }, planes, degree),
        };
        Scatter(source, indices, destination, planes, inPlane, layout, ownPlanes, reduction, degree, indexBase);
    }

    /// <summary>
    /// The general case: an index may name any cell of its scope, so one thread clears the whole output and scatters in
    /// row-major input order (the last duplicate wins, or all are added in that order).
    /// </summary>
    [MethodImpl(KernelImpl.Entry)]
    private static void ScatterAcrossPlanes<T, TIndex, TConvention>(T* source, TIndex* indices, T* destination, int planes, int inPlane, in IndexLayout layout, bool sum, long indexBase = 0)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        new Span<T>(destination, (int)(planes * layout.Plane)).Clear();
        ulong space = (ulong)layout.Space;
        for (int plane = 0; plane < planes; plane++)
        {
            long n = plane / layout.Channels, c = plane - (n * layout.Channels);
            T* x = source + ((nint)plane * inPlane);
            TIndex* idx = indices + ((nint)plane * inPlane);
            for (int i = 0; i < inPlane; i++)
            {
                // Read once, checked at use (see the class remarks): an index another thread moved out of range since
                // validation is skipped. Every index of [0, Space) decodes to a cell of the output (of its own sample
                // for channels-last per sample), so the one compare is the whole bound.
                long index = IndexValue.Read(idx[i]) - indexBase;
                if ((ulong)index >= space)
                {
                    continue;
                }

                T* y = destination + layout.ToRowMajor<TConvention>(index, n, c);
                Debug.Assert(Bounds.Within(y, 1, destination, planes * layout.Plane), "an index of the space decodes outside the output");
                *y = sum ? *y + x[i] : x[i];
            }
        }
    }

    /// <summary>Whether <paramref name="check"/> holds for every plane (checked in parallel; stops at the first failure).</summary>
    private static bool AllPlanes<TCheck>(TCheck check, int planes, int degree)
        where TCheck : struct, IPlaneCheck
    {
        int failures = 0;
        var body = new AllPlanesBody<TCheck> { Check = check, Failures = &failures };
        ParallelRunner.Run(ref body, planes, degree);
        return Volatile.Read(ref failures) == 0;
    }

    /// <summary>A predicate on one plane's indices.</summary>
    private interface IPlaneCheck
    {
        bool Holds(int plane);
    }

    private struct AllPlanesBody<TCheck> : IParallelBody
        where TCheck : struct, IPlaneCheck
    {
        public TCheck Check;
        public int* Failures;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            for (int plane = start; plane < end && Volatile.Read(ref *Failures) == 0; plane++)
            {
                if (!Check.Holds(plane))
                {
                    Interlocked.Increment(ref *Failures);
                    return;
                }
            }
        }
    }

    /// <summary>Position of the first index outside <c>[0, limit)</c>, or -1.</summary>
    public static long FindInvalid<TIndex>(TIndex* indices, long count, long limit, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // The body is copied to the worker threads, so the result lives in this frame, which outlives the run.
        long first = long.MaxValue;
        var body = new ValidateBody<TIndex> { Indices = indices, Count = count, Limit = limit, FirstBad = &first };
        int blocks = (int)((count + ValidateBody<TIndex>.Block - 1) / ValidateBody<TIndex>.Block);
        ParallelRunner.Run(ref body, blocks, degree);
        first = Volatile.Read(ref first);
        return first == long.MaxValue ? -1 : first;
    }

    public static void Run<T, TIndex>(T* source, TIndex* indices, T* destination, int planes, int inPlane, int outPlane, UnpoolReduction reduction, int degree)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var body = new ScatterBody<T, TIndex, PerPlaneMap>
        {
            Source = source,
            Indices = indices,
            Destination = destination,
            InPlane = inPlane,
            OutPlane = outPlane,
            Planes = planes,
            Sum = reduction == UnpoolReduction.Sum,
        };
        ParallelRunner.Run(ref body, planes, degree);
    }

    /// <summary>Maps an index of an element of one plane to a cell of that plane's output.</summary>
    private interface IPlaneMap<TSelf>
        where TSelf : struct, IPlaneMap<TSelf>
    {
        /// <summary>The map for the elements of <paramref name="plane"/>.</summary>
        TSelf ForPlane(int plane);

        /// <summary>
        /// The cell of the output plane that <paramref name="index"/> names; for an index no longer valid (changed by
        /// another thread since validation) any value, which the caller's one unsigned compare against the plane size
        /// then skips unless it is a cell of the plane.
        /// </summary>
        nint Cell(nint index);
    }

    /// <summary>Per-plane indices are the cell itself.</summary>
    private readonly struct PerPlaneMap : IPlaneMap<PerPlaneMap>
    {
        public PerPlaneMap ForPlane(int plane) => this;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint Cell(nint index) => index;
    }

    /// <summary>Decodes another convention's index (validated to name a cell of the element's own plane).</summary>
    /// <remarks>
    /// An index outside <c>[0, Space)</c> (a racing caller's) maps to -1, which the scatter skips; one inside it decodes
    /// exactly, and the scatter's compare against the plane size skips a cell of another plane.
    /// </remarks>
    private readonly struct LayoutMap<TConvention> : IPlaneMap<LayoutMap<TConvention>>
        where TConvention : struct, IConventionTag
    {
        private readonly IndexLayout _layout;
        private readonly long _n, _c, _first, _base;

        /// <param name="layout">The layout of the samples being unpooled.</param>
        /// <param name="indexBase">Subtracted from every index first: 0, or the offset of the first sample of a run of
        /// samples of a larger tensor (see <see cref="RunSamples"/>).</param>
        /// <param name="plane">The plane whose elements this map decodes.</param>
        public LayoutMap(in IndexLayout layout, long indexBase, long plane = 0)
        {
            _layout = layout;
            _base = indexBase;
            _n = plane / Math.Max(1, layout.Channels);
            _c = plane - (_n * layout.Channels);
            _first = plane * layout.Plane;
        }

        public LayoutMap<TConvention> ForPlane(int plane) => new(_layout, _base, plane);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint Cell(nint index)
        {
            long local = index - _base;
            return (ulong)local < (ulong)_layout.Space ? (nint)(_layout.ToRowMajor<TConvention>(local, _n, _c) - _first) : -1;
        }
    }

    private struct ScatterBody<T, TIndex, TMap> : IParallelBody
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TMap : struct, IPlaneMap<TMap>
    {
        public T* Source;
        public TIndex* Indices;
        public T* Destination;
        public int InPlane;
        public int OutPlane;
        public bool Sum;
        public TMap Map;

        /// <summary>The planes of the buffers (for the range asserts only).</summary>
        public int Planes;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            for (int plane = start; plane < end; plane++)
            {
                T* x = Source + ((nint)plane * InPlane);
                TIndex* idx = Indices + ((nint)plane * InPlane);
                T* y = Destination + ((nint)plane * OutPlane);
                Debug.Assert(Bounds.Within(x, InPlane, Source, (long)Planes * InPlane) && Bounds.Within(idx, InPlane, Indices, (long)Planes * InPlane), "input plane outside the buffers");
                Debug.Assert(Bounds.Within(y, OutPlane, Destination, (long)Planes * OutPlane), "output plane outside the destination");
                TMap map = Map.ForPlane(plane);
                new Span<T>(y, OutPlane).Clear();

                // Each index is read once and its cell checked at use, one unsigned compare against the plane size
                // (which also rejects negatives): validation ran before, but a racing caller may have changed an index
                // since, and such an index is skipped (its cell keeps what it has) rather than written through.
                nuint outPlane = (nuint)OutPlane;
                if (Sum)
                {
                    for (int i = 0; i < InPlane; i++)
                    {
                        nint cell = map.Cell(ToNint(idx[i]));
                        if ((nuint)cell < outPlane)
                        {
                            y[cell] += x[i];
                        }
                    }
                }
                else
                {
                    int i = 0;
                    for (; i <= InPlane - 4; i += 4)
                    {
                        nint c0 = map.Cell(ToNint(idx[i])), c1 = map.Cell(ToNint(idx[i + 1]));
                        nint c2 = map.Cell(ToNint(idx[i + 2])), c3 = map.Cell(ToNint(idx[i + 3]));
                        if ((nuint)c0 < outPlane)
                        {
                            y[c0] = x[i];
                        }

                        if ((nuint)c1 < outPlane)
                        {
                            y[c1] = x[i + 1];
                        }

                        if ((nuint)c2 < outPlane)
                        {
                            y[c2] = x[i + 2];
                        }

                        if ((nuint)c3 < outPlane)
                        {
                            y[c3] = x[i + 3];
                        }
                    }

                    for (; i < InPlane; i++)
                    {
                        nint cell = map.Cell(ToNint(idx[i]));
                        if ((nuint)cell < outPlane)
                        {
                            y[cell] = x[i];
                        }
                    }
                }
            }
        }
    }

    private readonly struct OwnPlaneCheck<TIndex, TConvention> : IPlaneCheck
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        where TConvention : struct, IConventionTag
    {
        public TIndex* Indices { get; init; }

        public int InPlane { get; init; }

        public IndexLayout Layout { get; init; }

        /// <summary>The planes of the indices (for the range asserts only).</summary>
        public int Planes { get; init; }

        /// <summary>Subtracted from every index first (see <see cref="RunSamples"/>).</summary>
        public long Base { get; init; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
        public bool Holds(int plane)
        {
            IndexLayout layout = Layout;
            ulong space = (ulong)layout.Space, cells = (ulong)layout.Plane;
            long n = plane / layout.Channels, c = plane - (n * layout.Channels), first = plane * layout.Plane;
            TIndex* idx = Indices + ((nint)plane * InPlane);
            Debug.Assert(Bounds.Within(idx, InPlane, Indices, (long)Planes * InPlane), "index plane outside the indices");
            for (int i = 0; i < InPlane; i++)
            {
                long index = IndexValue.Read(idx[i]) - Base;
                if ((ulong)index >= space || (ulong)(layout.ToRowMajor<TConvention>(index, n, c) - first) >= cells)
                {
                    return false;
                }
            }

            return true;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint ToNint<TIndex>(TIndex value)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => (nint)IndexValue.Read(value);

    private struct ValidateBody<TIndex> : IParallelBody
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        public const int Block = 1 << 16;
        public TIndex* Indices;
        public long Count;
        public long Limit;
        public long* FirstBad;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            long from = (long)start * Block;
            long to = Math.Min(Count, (long)end * Block);
            Debug.Assert(from >= 0 && from <= to, "a validation block outside the indices");
            long bad = FirstOutOfRange(Indices, from, to, Limit);
            if (bad >= 0)
            {
                MaxUnpool3DKernel.KeepFirst(FirstBad, bad);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static long FirstOutOfRange<TIndex>(TIndex* indices, long from, long to, long limit)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // Unsigned compare against the limit catches negatives too; scan vectors (32- and 64-bit types: their bits read
        // as unsigned are the value, or for a negative signed one a value past any limit), then locate the culprit
        // exactly; 8- and 16-bit types the same way in their own lanes. Other widths (128-bit, user-defined) are checked
        // one exact value at a time.
        long i = from;
        if (Vector.IsHardwareAccelerated)
        {
            if (typeof(TIndex) == typeof(int) || (typeof(TIndex) != typeof(long) && IndexValue.Is32Bit<TIndex>()))
            {
                var bound = new Vector<uint>((uint)Math.Min(limit, uint.MaxValue));
                for (; i <= to - Vector<uint>.Count; i += Vector<uint>.Count)
                {
                    if (Vector.GreaterThanOrEqualAny(Vector.Load((uint*)indices + i), bound))
                    {
                        break;
                    }
                }
            }
            else if (typeof(TIndex) == typeof(long) || (typeof(TIndex) != typeof(int) && IndexValue.Is64Bit<TIndex>()))
            {
                var bound = new Vector<ulong>((ulong)limit);
                for (; i <= to - Vector<ulong>.Count; i += Vector<ulong>.Count)
                {
                    if (Vector.GreaterThanOrEqualAny(Vector.Load((ulong*)indices + i), bound))
                    {
                        break;
                    }
                }
            }
            else if (IndexValue.Is16Bit<TIndex>())
            {
                // A signed type's negatives read as unsigned are >= 2^15: the bound never exceeds that for them.
                var bound = new Vector<ushort>((ushort)Math.Min(limit, TIndex.IsNegative(-TIndex.One) ? 1 << 15 : ushort.MaxValue));
                for (; i <= to - Vector<ushort>.Count; i += Vector<ushort>.Count)
                {
                    if (Vector.GreaterThanOrEqualAny(Vector.Load((ushort*)indices + i), bound))
                    {
                        break;
                    }
                }
            }
            else if (IndexValue.Is8Bit<TIndex>())
            {
                var bound = new Vector<byte>((byte)Math.Min(limit, TIndex.IsNegative(-TIndex.One) ? 1 << 7 : byte.MaxValue));
                for (; i <= to - Vector<byte>.Count; i += Vector<byte>.Count)
                {
                    if (Vector.GreaterThanOrEqualAny(Vector.Load((byte*)indices + i), bound))
                    {
                        break;
                    }
                }
            }
        }

        for (; i < to; i++)
        {
            if (!IndexValue.InRange(indices[i], limit))
            {
                return i;
            }
        }

        return -1;
    }
}
