using System.Numerics.Tensors;
using Unpooling.Tests.ChannelsLast;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Pooling1D;
using Unpooling.Tests.Pooling3D;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The threaded 1-D and 2-D index conversion (the <see cref="ExecutionOptions"/> of every ConvertIndices form): every
/// pair of conventions, InWindow included, equals the oracle's indices (<see cref="IndexConventionReference"/>,
/// <see cref="Pool1DReference"/>) for 1, 2 and 3 threads with no size threshold, out of place into guarded buffers and
/// in place, in the span, TensorSpan and allocating forms, channels-first and channels-last; a refused call names the
/// first bad position in memory order whatever the thread count, having written nothing.
/// </summary>
public sealed class ConvertIndicesThreadTests
{
    private static readonly int[] ThreadCounts = [1, 2, 3];

    private static readonly IndexConvention[] Conventions = [.. IndexConventionReference.All, IndexConvention.InWindow];

    /// <summary>A 3x2 window (stride 2x1, padding 1x0, dilation 1x2, ceil mode) pooling [2, 3, 13, 17]: random valid taps (oracle) and their cells.</summary>
    private static InWindowCase Case(int seed)
    {
        var rows = new PoolAxis(3, 2, 1, 1);
        var cols = new PoolAxis(2, 1, 0, 2);
        var input = new Size2D(13, 17);
        bool rowsValid = rows.TryGetOutputSize(input.Height, true, out int oh), colsValid = cols.TryGetOutputSize(input.Width, true, out int ow);
        Assert.True(rowsValid && colsValid, "the oracle accepts the geometry");
        var pooled = new Shape4D(2, 3, oh, ow);
        long[] taps = InWindowCases.RandomTaps(pooled, input, rows, cols, new Random(seed)) ?? throw new InvalidOperationException("every window holds a cell");
        return new InWindowCase(rows, cols, true, input, pooled, taps, IndexConventionReference.PerPlaneFromInWindow(taps, pooled, input, rows, cols));
    }

    /// <summary>The oracle's indices of <paramref name="c"/> in <paramref name="convention"/>, channels-first positions.</summary>
    private static long[] Expected(InWindowCase c, IndexConvention convention)
        => convention == IndexConvention.InWindow ? c.Taps : IndexConventionReference.FromPerPlane(c.PerPlane, c.Pooled, c.Indexed, convention);

    private static long[] ToLast(long[] first, Shape4D pooled) => ChannelsLastReference.ToChannelsLast(first, pooled.Batch, pooled.Channels, pooled.PlaneSize);

    [Fact]
    public void EveryPairEqualsTheOracleForAnyThreadCount()
    {
        InWindowCase c = Case(61);
        nint[] lengths = [.. TensorViews.Lengths(c.Pooled)];
        foreach (IndexConvention from in Conventions)
        {
            long[] source = Expected(c, from);
            foreach (IndexConvention to in Conventions)
            {
                long[] expected = Expected(c, to);
                bool plain = from != IndexConvention.InWindow && to != IndexConvention.InWindow;
                foreach (int threads in ThreadCounts)
                {
                    ExecutionOptions options = Threads.Options(threads);
                    string context = $"{c}: {from} -> {to}, {threads} threads";
                    var converted = new GuardedBuffer<long>(source.Length);
                    Functional.ConvertIndices<long>(source, c.Pooled, c.Indexed, c.Geometry, from, converted.Span, to, options);
                    converted.AssertGuardsIntact(context);
                    BitAssert.IndicesEqual<long>(expected, converted.Span, context);

                    int[] inPlace = source.Select(i => (int)i).ToArray();
                    Functional.ConvertIndices<int>(inPlace, c.Pooled, c.Indexed, c.Geometry, from, inPlace, to, options);
                    BitAssert.IndicesEqual<int>(expected, inPlace, $"{context}, in place");

                    var tensor = new long[source.Length];
                    Functional.ConvertIndices<long>(new ReadOnlyTensorSpan<long>(source, lengths), c.Indexed, c.Geometry, from, new TensorSpan<long>(tensor, lengths), to, options);
                    BitAssert.IndicesEqual<long>(expected, tensor, $"{context}, TensorSpan form");
                    BitAssert.IndicesEqual<long>(expected, Functional.ConvertIndices(Tensor.Create(source, lengths), c.Indexed, c.Geometry, from, to, options).ToArray(), $"{context}, allocating");
                    if (plain)
                    {
                        Functional.ConvertIndices<long>(source, c.Pooled, c.Indexed, from, converted.Span, to, options);
                        BitAssert.IndicesEqual<long>(expected, converted.Span, $"{context}, without a geometry");
                        BitAssert.IndicesEqual<long>(expected, Functional.ConvertIndices(Tensor.Create(source, lengths), c.Indexed, from, to, options).ToArray(), $"{context}, allocating without a geometry");
                    }
                }
            }
        }
    }

    /// <summary>Channels-last index arrays <c>[N, oH, oW, C]</c>: element (n, c, oh, ow) at ((n*oH + oh)*oW + ow)*C + c.</summary>
    [Fact]
    public void ChannelsLastEveryPairForAnyThreadCount()
    {
        InWindowCase c = Case(62);
        Shape4D pooled = c.Pooled;
        Shape4D last = Shape4D.ChannelsLast(pooled.Batch, pooled.Height, pooled.Width, pooled.Channels);
        foreach (IndexConvention from in Conventions)
        {
            long[] source = ToLast(Expected(c, from), pooled);
            foreach (IndexConvention to in Conventions)
            {
                long[] expected = ToLast(Expected(c, to), pooled);
                foreach (int threads in ThreadCounts)
                {
                    string context = $"channels-last {c}: {from} -> {to}, {threads} threads";
                    var converted = new GuardedBuffer<long>(source.Length);
                    Functional.ConvertIndices<long>(source, last, c.Indexed, c.Geometry, from, converted.Span, to, Threads.Options(threads));
                    converted.AssertGuardsIntact(context);
                    BitAssert.IndicesEqual<long>(expected, converted.Span, context);

                    long[] inPlace = (long[])source.Clone();
                    Functional.ConvertIndices<long>(inPlace, last, c.Indexed, c.Geometry, from, inPlace, to, Threads.Options(threads));
                    BitAssert.IndicesEqual<long>(expected, inPlace, $"{context}, in place");
                }
            }
        }
    }

    /// <summary>The 1-D forms (span, rank-3 TensorSpan, allocating) with options equal the 1-D convention table.</summary>
    [Fact]
    public void OneDimensionalFormsForAnyThreadCount()
    {
        const int Batch = 2, Channels = 3, Length = 41;
        var axis = new Axis1D(3, 2, 1, 2, 2, true);
        float[] x = TestData.NonZero<float>(Batch * Channels * Length, axis.Kernel);
        Pool1DResult<float> p = Pool1DReference.Pool(x, Batch * Channels, Length, axis);
        Pool1DGeometry g = MaxPool1DTests<float>.ToLibrary(axis);
        var shape = new Shape3D(Batch, Channels, p.OutL);
        nint[] lengths = [Batch, Channels, p.OutL];
        foreach (IndexConvention from in MaxPool1DTests<float>.Conventions)
        {
            long[] source = Pool1DReference.Encode(p.Cells, p.Taps, Batch, Channels, p.OutL, Length, from);
            foreach (IndexConvention to in MaxPool1DTests<float>.Conventions)
            {
                long[] expected = Pool1DReference.Encode(p.Cells, p.Taps, Batch, Channels, p.OutL, Length, to);
                foreach (int threads in ThreadCounts)
                {
                    ExecutionOptions options = Threads.Options(threads);
                    string context = $"1-D {axis}: {from} -> {to}, {threads} threads";
                    var converted = new GuardedBuffer<long>(source.Length);
                    Functional.ConvertIndices<long>(source, shape, Length, g, from, converted.Span, to, options);
                    converted.AssertGuardsIntact(context);
                    BitAssert.IndicesEqual<long>(expected, converted.Span, context);

                    var tensor = new long[source.Length];
                    Functional.ConvertIndices<long>(new ReadOnlyTensorSpan<long>(source, lengths), Length, g, from, new TensorSpan<long>(tensor, lengths), to, options);
                    BitAssert.IndicesEqual<long>(expected, tensor, $"{context}, TensorSpan form");
                    BitAssert.IndicesEqual<long>(expected, Functional.ConvertIndices(Tensor.Create(source, lengths), Length, g, from, to, options).ToArray(), $"{context}, allocating");
                    if (from != IndexConvention.InWindow && to != IndexConvention.InWindow)
                    {
                        long[] inPlace = (long[])source.Clone();
                        Functional.ConvertIndices<long>(inPlace, shape, Length, from, inPlace, to, options);
                        BitAssert.IndicesEqual<long>(expected, inPlace, $"{context}, in place without a geometry");
                        BitAssert.IndicesEqual<long>(expected, Functional.ConvertIndices(Tensor.Create(source, lengths), Length, from, to, options).ToArray(), $"{context}, allocating without a geometry");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Two bad indices, an early and a late one: the early one is named for any thread count and layout, with the
    /// exception type of its reason, and the destination keeps every byte. Out of range: a per-plane index past the
    /// plane, a tap past the window or on the padding. Not expressible: a global index naming another plane for a
    /// per-plane destination, a cell outside the element's window for an InWindow destination.
    /// </summary>
    [Theory]
    [InlineData(IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, true, false)]
    [InlineData(IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, true, true)]
    [InlineData(IndexConvention.InWindow, IndexConvention.ChannelsLastPerSample, true, false)]
    [InlineData(IndexConvention.InWindow, IndexConvention.ChannelsLastPerSample, true, true)]
    [InlineData(IndexConvention.GlobalRowMajor, IndexConvention.PerPlane, false, false)]
    [InlineData(IndexConvention.GlobalRowMajor, IndexConvention.PerPlane, false, true)]
    [InlineData(IndexConvention.GlobalColumnMajor, IndexConvention.InWindow, false, false)]
    [InlineData(IndexConvention.GlobalColumnMajor, IndexConvention.InWindow, false, true)]
    public void FirstBadPositionIsReportedWhateverTheThreadCount(IndexConvention from, IndexConvention to, bool outOfRange, bool channelsLast)
    {
        InWindowCase c = Case(63);
        Shape4D pooled = c.Pooled;
        long[] valid = Expected(c, from);
        long[] source = (long[])valid.Clone();
        int plane = (int)pooled.PlaneSize, early = (plane / 2) + 1, late = source.Length - 2;
        if (outOfRange)
        {
            // Past the range: a per-plane index of the plane's size, a tap of the window's size; -1 late.
            source[early] = from == IndexConvention.InWindow ? (long)c.Rows.Kernel * c.Cols.Kernel : (long)c.Indexed.Height * c.Indexed.Width;
            source[late] = -1;
        }
        else
        {
            // Valid source indices naming a cell of another plane (early: plane 0's element names plane 3's cell;
            // late: the last element names plane 0's), which neither a per-plane nor an InWindow index can name.
            source[early] = valid[(3 * plane) + 1];
            source[late] = valid[1];
        }

        Shape4D shape = pooled;
        int reported = early;
        if (channelsLast)
        {
            // The same elements in channels-last memory; the early one stays the first bad position there (it is
            // element (0, 0, oh, ow) of sample 0, the late one lies in sample 1).
            source = ToLast(source, pooled);
            shape = Shape4D.ChannelsLast(pooled.Batch, pooled.Height, pooled.Width, pooled.Channels);
            reported = early * pooled.Channels;
        }

        foreach (int threads in ThreadCounts)
        {
            var destination = new GuardedBuffer<long>(source.Length);
            void Call() => Functional.ConvertIndices<long>(source, shape, c.Indexed, c.Geometry, from, destination.Span, to, Threads.Options(threads));
            Exception e = outOfRange ? Throws.Param<ArgumentOutOfRangeException>("indices", Call) : Throws.Param<ArgumentException>("indices", Call);
            Assert.Contains($"position {reported} ", e.Message, StringComparison.Ordinal);
            destination.AssertUntouched($"{from} -> {to}, {threads} threads");

            long[] before = (long[])source.Clone();
            Assert.ThrowsAny<ArgumentException>(() => Functional.ConvertIndices<long>(source, shape, c.Indexed, c.Geometry, from, source, to, Threads.Options(threads)));
            Assert.Equal(before, source);
        }
    }

    /// <summary>The 3-D public forms take the options too: every pair equals the oracle (<see cref="Pool3DReference.Indices{T}"/>) for 1, 2 and 3 threads.</summary>
    [Fact]
    public void ThreeDimensionalPublicFormsForAnyThreadCount()
    {
        Pool3DCase<float>? c = Pool3DCases.Make<float>(new Random(64), new Shape5D(2, 3, 5, 6, 7), new(2, 2, 0, 0, 1), new(3, 2, 1, 1, 1), new(2, 1, 0, 1, 2), ceil: true, specials: false);
        Assert.NotNull(c);
        nint[] lengths = [c.PooledShape.Batch, c.PooledShape.Channels, c.PooledShape.Depth, c.PooledShape.Height, c.PooledShape.Width];
        foreach (IndexConvention from in Pool3DCases.Conventions)
        {
            long[] source = c.ExpectedIndices(from);
            foreach (IndexConvention to in Pool3DCases.Conventions)
            {
                long[] expected = c.ExpectedIndices(to);
                foreach (int threads in ThreadCounts)
                {
                    string context = $"3-D {c}: {from} -> {to}, {threads} threads";
                    var converted = new long[source.Length];
                    Functional.ConvertIndices<long>(source, c.PooledShape, c.Shape.SpatialSize, c.Geometry, from, converted, to, Threads.Options(threads));
                    BitAssert.IndicesEqual<long>(expected, converted, context);
                    BitAssert.IndicesEqual<long>(expected, Functional.ConvertIndices(Tensor.Create(source, lengths), c.Shape.SpatialSize, c.Geometry, from, to, Threads.Options(threads)).ToArray(), $"{context}, allocating");
                    if (from != IndexConvention.InWindow && to != IndexConvention.InWindow)
                    {
                        Functional.ConvertIndices<long>(source, c.PooledShape, c.Shape.SpatialSize, from, converted, to, Threads.Options(threads));
                        BitAssert.IndicesEqual<long>(expected, converted, $"{context}, without a geometry");
                    }
                }
            }
        }
    }
}
