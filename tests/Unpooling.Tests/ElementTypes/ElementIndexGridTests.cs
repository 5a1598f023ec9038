using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The element-type x index-type oracle grid through the public span API: for each element type, MaxPool2D and
/// MaxUnpool2D (Replace and Sum) over five geometries (<see cref="GridData.PoolGeometries"/>) x every width of
/// <see cref="GridData.Widths"/> (pooled widths, so the rows cross every vector boundary of every lane size) x the
/// five index conventions x the index types byte, short, int, long and UInt128 x 1 and 2 threads, against the plain
/// oracles, bit for bit. Where a convention's index space does not fit the index type, the call must throw an
/// <see cref="ArgumentException"/> naming <c>indices</c> before writing anything. Inputs plant ties at the first, a
/// middle and the last cell of windows, the type's extremes and, for floating-point types, NaNs with payloads, ±0 and
/// ±inf (<see cref="GridData"/>). The fixed, random and repeat unpooling, zero insertion and subsample run over the same
/// widths (as input widths) at 1 and 2 threads.
/// </summary>
/// <remarks>
/// Today only float and double have vector paths in pooling and unpooling; the grid guards the vector paths being
/// added for the other element types: the oracles are scalar and share nothing with <c>src</c>.
/// </remarks>
public abstract class ElementIndexGridTests<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    private static readonly UnpoolReduction[] Reductions = [UnpoolReduction.Replace, UnpoolReduction.Sum];

    private static readonly int[] ThreadCounts = [1, 2];

    public static TheoryData<int> Geometries => GridData.GeometryRows;

    [Theory]
    [MemberData(nameof(Geometries))]
    public void MaxPool2DEqualsTheOracleForEveryIndexTypeConventionWidthAndThreadCount(int geometry)
    {
        (PoolAxis rows, PoolAxis cols, bool ceil) = GridData.PoolGeometries[geometry];
        foreach (int width in GridData.Widths)
        {
            PooledCase c = PooledCase.Create(rows, cols, ceil, width, (geometry * 1000) + width);
            Pool<byte>(c);
            Pool<short>(c);
            Pool<int>(c);
            Pool<long>(c);
            Pool<UInt128>(c);
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void MaxUnpool2DEqualsTheOracleForEveryIndexTypeConventionReductionWidthAndThreadCount(int geometry)
    {
        (PoolAxis rows, PoolAxis cols, bool ceil) = GridData.UnpoolGeometries[geometry];
        foreach (int width in GridData.Widths)
        {
            // Unpool the oracle's pooled values through its indices, into the pooling input's size (within one stride of
            // the default, so an explicit size is accepted and indices are read in it).
            PooledCase c = PooledCase.Create(rows, cols, ceil, width, (geometry * 1000) + width + 500);
            Size2D output = c.Shape.SpatialSize;
            Assert.True(
                Math.Abs(output.Height - rows.UnpoolOutputSize(c.Expected.OutH)) < rows.Stride && Math.Abs(output.Width - cols.UnpoolOutputSize(c.Expected.OutW)) < cols.Stride,
                $"grid setup: {output} is not within a stride of the default unpool size");
            // Each convention's indices name the same cells (converted from the per-plane ones, each inside its own
            // plane, in the same input order), so one per-plane oracle result per reduction serves them all.
            var indices = IndexConventionReference.All.Select(k => IndexConventionReference.FromPerPlane(c.Expected.Indices, c.Pooled, output, k)).ToArray();
            T[]?[] expected = Reductions
                .Select(r => Oracle(() => UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, GridData.Planes, c.Expected.OutH, c.Expected.OutW, output.Height, output.Width, r == UnpoolReduction.Sum)))
                .ToArray();
            Unpool<byte>(c, indices, expected);
            Unpool<short>(c, indices, expected);
            Unpool<int>(c, indices, expected);
            Unpool<long>(c, indices, expected);
            Unpool<UInt128>(c, indices, expected);
        }
    }

    [Fact]
    public void FixedRandomAndRepeatEqualTheOraclesAtEveryWidth()
    {
        (Size2D Factor, Size2D Offset)[] blocks = [(new(2, 2), new(1, 1)), (new(2, 3), new(0, 2)), (new(3, 2), new(2, 0))];
        foreach (int width in GridData.Widths)
        {
            var shape = new Shape4D(GridData.Batch, GridData.Channels, 3, width);
            T[] x = GridData.Values<T>((int)shape.ElementCount, new Random(width));
            foreach ((Size2D factor, Size2D offset) in blocks)
            {
                var size = new Size2D(shape.Height * factor.Height, width * factor.Width);
                foreach (Size2D output in new[] { size, new Size2D(size.Height + 1, size.Width + factor.Width - 1) })
                {
                    string context = $"{typeof(T).Name} width {width} factor {factor} output {output}";
                    T[] fixedExpected = UnpoolReference.Fixed(x, GridData.Planes, 3, width, factor.Height, factor.Width, offset.Height, offset.Width, output.Height, output.Width);
                    T[] randomExpected = UnpoolReference.Random(x, GridData.Planes, 3, width, factor.Height, factor.Width, 2015, output.Height, output.Width);
                    T[] repeatExpected = UnpoolReference.Repeat(x, GridData.Planes, 3, width, factor.Height, factor.Width, output.Height, output.Width);
                    var destination = new GuardedBuffer<T>(fixedExpected.Length);
                    foreach (int threads in ThreadCounts)
                    {
                        ExecutionOptions options = Threads.Options(threads);
                        Run(destination, fixedExpected, d => Functional.FixedUnpool2D<T>(x, shape, factor, d, offset, output, options), $"fixed {offset} {context} {threads} threads");
                        Run(destination, randomExpected, d => Functional.RandomUnpool2D<T>(x, shape, factor, 2015, d, output, options), $"random {context} {threads} threads");
                        Run(destination, repeatExpected, d => Functional.RepeatUnpool2D<T>(x, shape, factor, d, output, options), $"repeat {context} {threads} threads");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Zero insertion is fixed unpooling with factor = stride, offset 0 and size <c>(i-1)*s + 1</c> (SEMANTICS.md 4 and
    /// 3: the same <c>z[i*s] = x[i]</c>, zeros between), so <see cref="UnpoolReference.Fixed{T}"/> is its oracle; the
    /// subsample of a full random input keeps <c>z[i*s]</c>, read here by the index formula.
    /// </summary>
    [Fact]
    public void ZeroInsertAndSubsampleEqualTheirDefinitionsAtEveryWidth()
    {
        Size2D[] strides = [new(2, 2), new(1, 3), new(3, 1), new(2, 1)];
        foreach (int width in GridData.Widths)
        {
            var shape = new Shape4D(GridData.Batch, GridData.Channels, 3, width);
            T[] x = GridData.Values<T>((int)shape.ElementCount, new Random(width + 77));
            foreach (Size2D s in strides)
            {
                var zs = new Shape4D(GridData.Batch, GridData.Channels, ((shape.Height - 1) * s.Height) + 1, ((width - 1) * s.Width) + 1);
                T[] inserted = UnpoolReference.Fixed(x, GridData.Planes, shape.Height, width, s.Height, s.Width, 0, 0, zs.Height, zs.Width);

                // A full input of the inserted size, one more column, so the subsample's last kept column is not the last.
                var full = new Shape4D(zs.Batch, zs.Channels, zs.Height, zs.Width + 1);
                T[] z = GridData.Values<T>((int)full.ElementCount, new Random(width + 78));
                var ks = new Shape4D(zs.Batch, zs.Channels, ((full.Height - 1) / s.Height) + 1, ((full.Width - 1) / s.Width) + 1);
                var kept = new T[ks.ElementCount];
                for (int i = 0; i < kept.Length; i++)
                {
                    int plane = i / (ks.Height * ks.Width), h = i / ks.Width % ks.Height, w = i % ks.Width;
                    kept[i] = z[(((plane * full.Height) + (h * s.Height)) * full.Width) + (w * s.Width)];
                }

                var zd = new GuardedBuffer<T>(inserted.Length);
                var kd = new GuardedBuffer<T>(kept.Length);
                foreach (int threads in ThreadCounts)
                {
                    string context = $"{typeof(T).Name} width {width} stride {s} {threads} threads";
                    Run(zd, inserted, d => Functional.ZeroInsert2D<T>(x, shape, s, d, Threads.Options(threads)), $"zero insertion {context}");
                    Run(kd, kept, d => Functional.StridedSubsample2D<T>(z, full, s, d, Threads.Options(threads)), $"subsample {context}");
                }
            }
        }
    }

    private static void Pool<TIndex>(PooledCase c)
        where TIndex : unmanaged, IBinaryInteger<TIndex>, IMinMaxValue<TIndex>
    {
        var values = new GuardedBuffer<T>(c.Expected.Values.Length);
        var indices = new GuardedBuffer<TIndex>(c.Expected.Values.Length);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            string context = $"{typeof(T).Name} {c.Describe} {convention} {typeof(TIndex).Name}";
            if (!GridData.Fits<TIndex>(IndexConventionReference.Space(convention, c.Shape)))
            {
                values.Fill(GuardedBuffer<T>.Sentinel);
                indices.Fill(GuardedBuffer<TIndex>.Sentinel);
                ArgumentException e = Assert.Throws<ArgumentException>(() => Functional.MaxPool2D(c.Input, c.Shape, c.Geometry, values.Span, indices.Span, convention, Threads.Options(2)));
                Assert.True(e.ParamName == "indices", $"{context}: ParamName {e.ParamName}");
                values.AssertUntouched(context);
                indices.AssertUntouched(context);
                continue;
            }

            // The oracle's indices in TIndex (they fit: checked above), compared byte for byte.
            TIndex[] expected = TestData.Convert<TIndex>(IndexConventionReference.FromPerPlane(c.Expected.Indices, c.Pooled, c.Shape.SpatialSize, convention));
            foreach (int threads in ThreadCounts)
            {
                values.Fill(GuardedBuffer<T>.Sentinel);
                indices.Fill(GuardedBuffer<TIndex>.Sentinel);
                Functional.MaxPool2D(c.Input, c.Shape, c.Geometry, values.Span, indices.Span, convention, Threads.Options(threads));
                values.AssertGuardsIntact($"{context} {threads} threads");
                indices.AssertGuardsIntact($"{context} {threads} threads");
                ElementData.Exact<T>(c.Expected.Values, values.Span, $"values {context} {threads} threads");
                ElementData.Exact<TIndex>(expected, indices.Span, $"indices {context} {threads} threads");
            }
        }
    }

    private static void Unpool<TIndex>(PooledCase c, long[][] indices, T[]?[] expected)
        where TIndex : unmanaged, IBinaryInteger<TIndex>, IMinMaxValue<TIndex>
    {
        Size2D output = c.Shape.SpatialSize;
        var destination = new GuardedBuffer<T>((int)c.Shape.ElementCount);
        for (int k = 0; k < IndexConventionReference.All.Length; k++)
        {
            IndexConvention convention = IndexConventionReference.All[k];
            string context = $"{typeof(T).Name} {c.Describe} {convention} {typeof(TIndex).Name}";
            if (!GridData.Fits<TIndex>(IndexConventionReference.Space(convention, c.Shape)))
            {
                // The indices cannot be written in this type; any values do: the shapes alone must refuse the call.
                var narrow = new TIndex[indices[k].Length];
                destination.Fill(GuardedBuffer<T>.Sentinel);
                ArgumentException e = Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2D<T, TIndex>(
                    c.Expected.Values, narrow, c.Pooled, c.Geometry, destination.Span, output, convention, UnpoolReduction.Sum, Threads.Options(2)));
                Assert.True(e.ParamName == "indices", $"{context}: ParamName {e.ParamName}");
                destination.AssertUntouched(context);
                continue;
            }

            TIndex[] typed = TestData.Convert<TIndex>(indices[k]);
            for (int r = 0; r < Reductions.Length; r++)
            {
                foreach (int threads in ThreadCounts)
                {
                    string where = $"{context} {Reductions[r]} {threads} threads";
                    ExecutionOptions options = Threads.Options(threads);
                    if (expected[r] is not { } values)
                    {
                        Assert.Throws<OverflowException>(() => Functional.MaxUnpool2D<T, TIndex>(
                            c.Expected.Values, typed, c.Pooled, c.Geometry, destination.Span, output, convention, Reductions[r], options));
                        continue;
                    }

                    destination.Fill(GuardedBuffer<T>.Sentinel);
                    Functional.MaxUnpool2D<T, TIndex>(c.Expected.Values, typed, c.Pooled, c.Geometry, destination.Span, output, convention, Reductions[r], options);
                    destination.AssertGuardsIntact(where);
                    ElementData.Exact<T>(values, destination.Span, where);
                }
            }
        }
    }

    private static void Run(GuardedBuffer<T> destination, T[] expected, SpanAction action, string context)
    {
        destination.Fill(GuardedBuffer<T>.Sentinel);
        action(destination.Span);
        destination.AssertGuardsIntact(context);
        ElementData.Exact<T>(expected, destination.Span, context);
    }

    /// <summary>The oracle's result, or null when its arithmetic overflows (decimal only).</summary>
    private static T[]? Oracle(Func<T[]> oracle)
    {
        try
        {
            return oracle();
        }
        catch (OverflowException) when (typeof(T) == typeof(decimal))
        {
            return null;
        }
    }

    private delegate void SpanAction(Span<T> destination);

    /// <summary>
    /// One grid input: <see cref="GridData.PooledRows"/> x width pooled cells per plane from an
    /// input whose size the geometry maps there (the remainder drawn from the seed), planted windows, and the oracle.
    /// </summary>
    private sealed record PooledCase(Shape4D Shape, T[] Input, Pool2DGeometry Geometry, PoolResult<T> Expected, Shape4D Pooled, string Describe)
    {
        public static PooledCase Create(PoolAxis rows, PoolAxis cols, bool ceil, int width, int seed)
        {
            var random = new Random(seed);
            int height = Infrastructure.Geometry.InputSizeFor(GridData.PooledRows, rows, ceil, random);
            int inputWidth = Infrastructure.Geometry.InputSizeFor(width, cols, ceil, random);
            Assert.True(height > 0 && inputWidth > 0, $"grid setup: no input size pools to {GridData.PooledRows}x{width}");
            var shape = new Shape4D(GridData.Batch, GridData.Channels, height, inputWidth);
            T[] x = GridData.Values<T>((int)shape.ElementCount, random);
            GridData.Plant(x, height, inputWidth, rows, cols, GridData.PooledRows, width, random);
            PoolResult<T> expected = MaxPool2DReference.Pool(x, GridData.Planes, height, inputWidth, rows, cols, ceil);
            Assert.True(expected.OutH == GridData.PooledRows && expected.OutW == width, "grid setup: pooled size");
            return new PooledCase(
                shape, x, Infrastructure.Geometry.ToLibrary(rows, cols, ceil), expected, new Shape4D(GridData.Batch, GridData.Channels, expected.OutH, expected.OutW),
                $"{Infrastructure.Geometry.Describe(rows, cols, ceil)} input {shape}");
        }
    }
}

public sealed class ElementIndexGridTestsSingle : ElementIndexGridTests<float>;

public sealed class ElementIndexGridTestsDouble : ElementIndexGridTests<double>;

public sealed class ElementIndexGridTestsHalf : ElementIndexGridTests<Half>;

public sealed class ElementIndexGridTestsSByte : ElementIndexGridTests<sbyte>;

public sealed class ElementIndexGridTestsByte : ElementIndexGridTests<byte>;

public sealed class ElementIndexGridTestsInt16 : ElementIndexGridTests<short>;

public sealed class ElementIndexGridTestsUInt16 : ElementIndexGridTests<ushort>;

public sealed class ElementIndexGridTestsInt32 : ElementIndexGridTests<int>;

public sealed class ElementIndexGridTestsInt64 : ElementIndexGridTests<long>;

public sealed class ElementIndexGridTestsInt128 : ElementIndexGridTests<Int128>;

public sealed class ElementIndexGridTestsDecimal : ElementIndexGridTests<decimal>;
