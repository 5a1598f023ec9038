using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// SEMANTICS.md 1 and 2 for every index type (DESIGN.md 4): pooling writes the oracle's indices converted to
/// <typeparamref name="TIndex"/>, unpooling and <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
/// read them back as the oracles say, and a convention whose index space exceeds the type's maximum is refused (an
/// <see cref="ArgumentException"/> naming <c>indices</c>, nothing written). Shapes are small enough that per-plane
/// spaces fit every type (up to 120 cells) and wide enough that every vector width runs; global spaces exceed the
/// 8-bit types on purpose, so the same loops check the refusal there.
/// </summary>
public abstract class IndexTypeTests<TIndex>
    where TIndex : unmanaged, IBinaryInteger<TIndex>, IMinMaxValue<TIndex>
{
    private static readonly UnpoolReduction[] Reductions = [UnpoolReduction.Replace, UnpoolReduction.Sum];

    /// <summary>Stride 1 (3x3 pad 1), stride 2 (2x2; 3x3 pad 1 ceil) and stride 3 (gathers); (rows, cols, ceil).</summary>
    private static readonly (PoolAxis Rows, PoolAxis Cols, bool Ceil)[] Geometries =
    [
        (new(3, 1, 1, 1), new(3, 1, 1, 1), false),
        (new(2, 2, 0, 1), new(2, 2, 0, 1), false),
        (new(3, 2, 1, 1), new(3, 2, 1, 1), true),
        (new(2, 3, 0, 1), new(3, 3, 1, 1), false),
    ];

    /// <summary>[N, C, H, W] inputs: H*W = 120 per plane (fits sbyte), 40 columns so stride 2 fills 16 lanes.</summary>
    private static readonly Shape4D[] Shapes = [new(1, 1, 3, 40), new(2, 3, 3, 40), new(1, 2, 5, 17)];

    /// <summary>The type's largest value, from the type itself (not from the library's own rule).</summary>
    private static Int128 Max => Int128.CreateSaturating(TIndex.MaxValue);

    private static string Name => typeof(TIndex).Name;

    /// <summary>
    /// float and double sources, every shape, geometry and convention, through the public span form: values and
    /// indices equal the oracle's (its long indices mapped through the convention and converted), or, where the
    /// convention's space exceeds the type, the call is refused before writing.
    /// </summary>
    [Fact]
    public void PoolingIndicesEqualTheOracleInEveryConvention()
    {
        PoolEveryConvention<float>(21);
        PoolEveryConvention<double>(22);
    }

    /// <summary>Each kernel width (scalar, 128, 256, 512; float and double lanes) stores this index type exactly, per plane
    /// and global; the source read-only on guarded pages, the destinations on guarded pages, pre-filled with the sentinel
    /// flush after and with 0x5A flush before.</summary>
    [Fact]
    public unsafe void EveryKernelWidthStoresTheIndexType()
    {
        EveryKernelWidth<float>(23);
        EveryKernelWidth<double>(24);
    }

    /// <summary>
    /// Pooled indices unpooled (2x2 stride 2: the dense path; 3x3 stride 2: the scatter) in every convention that fits,
    /// Replace and Sum: equal the unpooling oracle fed the oracle's own indices.
    /// </summary>
    [Fact]
    public void UnpoolingFromThisIndexTypeEqualsTheOracle()
    {
        Unpool<float>(25);
        Unpool<double>(26);
    }

    /// <summary>The dense 2x2 kernel at each width reads this index type (the vector index loads).</summary>
    [Fact]
    public unsafe void DenseUnpoolingReadsTheIndexTypeAtEveryWidth()
    {
        DenseAtEveryWidth<float>(27);
        DenseAtEveryWidth<double>(28);
    }

    /// <summary>Random indices naming cells of other planes (ONNX MaxUnpool) scatter as the whole-output oracle says, where the space fits.</summary>
    [Fact]
    public void IndicesAcrossPlanesScatterToTheNamedCells()
    {
        var random = new Random(29);
        var shape = new Shape4D(2, 2, 3, 4);
        var g = new Pool2DGeometry(2);
        Size2D output = g.GetUnpoolOutputSize(shape.SpatialSize);
        Shape4D indexed = shape.WithSpatialSize(output);
        float[] x = TestData.NonZero<float>((int)shape.ElementCount, random.Next());
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long space = IndexConventionReference.Space(convention, indexed);
            long[] indices = TestData.RandomIndices(x.Length, Math.Max(1, space / 3), random.Next());
            foreach (UnpoolReduction reduction in Reductions)
            {
                string context = $"{Name} across planes {convention} {reduction}";
                if (space - 1 > Max)
                {
                    AssertUnpoolRefused(x, indices, shape, g, convention, reduction, (int)indexed.ElementCount, context);
                    continue;
                }

                float[] expected = IndexConventionReference.MaxUnpool(x, indices, shape, output, convention, reduction == UnpoolReduction.Sum);
                TIndex[] typed = TestData.Convert<TIndex>(indices);
                float[] y = Guarded.Run<float>(expected.Length, d => Functional.MaxUnpool2D(x, typed, shape, g, d, null, convention, reduction), context);
                BitAssert.Equal<float>(expected, y, context);
            }
        }
    }

    /// <summary>Per-plane indices mapped to each convention and converted to every other: the formulas' result, out of place and in place.</summary>
    [Fact]
    public void ConvertIndicesConvertsThisIndexType()
    {
        var random = new Random(30);
        var shape = new Shape4D(2, 3, 3, 5);
        var indexedSize = new Size2D(6, 7);
        Shape4D indexed = shape.WithSpatialSize(indexedSize);
        long[] perPlane = TestData.RandomIndices((int)shape.ElementCount, indexedSize.Height * indexedSize.Width, random.Next());
        foreach (IndexConvention from in IndexConventionReference.All)
        {
            bool fromFits = IndexConventionReference.Space(from, indexed) - 1 <= Max;
            long[] source = IndexConventionReference.FromPerPlane(perPlane, shape, indexedSize, from);
            TIndex[] typed = fromFits ? TestData.Convert<TIndex>(source) : new TIndex[source.Length];
            foreach (IndexConvention to in IndexConventionReference.All)
            {
                string context = $"{Name} {from} -> {to}";
                bool toFits = IndexConventionReference.Space(to, indexed) - 1 <= Max;
                var destination = new GuardedBuffer<TIndex>(source.Length);
                if (!fromFits || !toFits)
                {
                    Throws.Param<ArgumentException>(
                        fromFits ? "destination" : "indices",
                        () => Functional.ConvertIndices<TIndex>(typed, shape, indexedSize, from, destination.Span, to));
                    destination.AssertUntouched(context);
                    continue;
                }

                long[] expected = IndexConventionReference.FromPerPlane(perPlane, shape, indexedSize, to);
                Functional.ConvertIndices<TIndex>(typed, shape, indexedSize, from, destination.Span, to);
                destination.AssertGuardsIntact(context);
                BitAssert.IndicesEqual<TIndex>(expected, destination.Span, context);

                TIndex[] inPlace = (TIndex[])typed.Clone();
                Functional.ConvertIndices<TIndex>(inPlace, shape, indexedSize, from, inPlace, to);
                BitAssert.IndicesEqual<TIndex>(expected, inPlace, $"{context} in place");
            }
        }
    }

    /// <summary>Switches of this index type are accepted and unpool as the oracle says (no output size needed).</summary>
    [Fact]
    public void SwitchesOfThisIndexTypeUnpool()
    {
        var axis = new PoolAxis(3, 2, 1, 1);
        var c = new MaxPoolCase<float>(TestData.Ties<float>(2 * 3 * 40, 31), 1, 2, 3, 40, axis, axis, false);
        var switches = new Switches<TIndex>(
            Tensor.Create(TestData.Convert<TIndex>(c.Expected.Indices), TensorViews.Lengths(c.OutputShape)), c.Geometry, c.Shape.SpatialSize);
        Tensor<float> y = Functional.MaxUnpool2D(Tensor.Create(c.Expected.Values, TensorViews.Lengths(c.OutputShape)), switches);
        float[] expected = UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, c.Planes, c.Expected.OutH, c.Expected.OutW, 3, 40, sum: false);
        var flat = new float[y.FlattenedLength];
        y.FlattenTo(flat);
        BitAssert.Equal<float>(expected, flat, $"{Name} switches");
    }

    /// <summary>
    /// Out-of-range indices of this type are refused naming <c>indices</c>, nothing written, in the dense, scatter and
    /// cross-plane paths, Replace and Sum: the type's maximum (never a valid index of a 10x10 output's 100 cells),
    /// 100, and for signed types -1 and the minimum. Values that a truncation to 32 or 64 bits would wrap into range are covered by the
    /// 128-bit subclasses' <see cref="WrappingValues"/>.
    /// </summary>
    [Fact]
    public void UnpoolingRefusesOutOfRangeValues()
    {
        // 16 planes of 5x5 pooled cells: 400 indices, so the vector scans (up to 64 lanes) run before the culprit.
        var shape = new Shape4D(1, 16, 5, 5);
        float[] x = TestData.NonZero<float>((int)shape.ElementCount, 32);
        long[] valid = TestData.WindowIndices(16, 5, 5, 10, 33);
        var bad = new List<TIndex> { TIndex.MaxValue, TIndex.CreateTruncating(100) };
        if (TIndex.IsNegative(TIndex.MinValue))
        {
            bad.Add(-TIndex.One);
            bad.Add(TIndex.MinValue);
        }

        bad.AddRange(WrappingValues);
        foreach (TIndex value in bad)
        {
            foreach (int position in new[] { 0, 31, 32, 63, 200, 399 })
            {
                TIndex[] indices = TestData.Convert<TIndex>(valid);
                indices[position] = value;
                foreach ((Pool2DGeometry g, IndexConvention convention) in new[]
                {
                    (new Pool2DGeometry(2), IndexConvention.PerPlane),
                    (new Pool2DGeometry(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1)), IndexConvention.PerPlane),
                    (new Pool2DGeometry(2), IndexConvention.GlobalRowMajor),
                    (new Pool2DGeometry(2), IndexConvention.ChannelsLastWithBatch),
                })
                {
                    // 100 cells per plane, 1600 in the global conventions; a space beyond the type is refused first.
                    long space = convention == IndexConvention.PerPlane ? 100 : 1600;
                    Int128 v = Int128.CreateSaturating(value);
                    if (space - 1 > Max || (v >= 0 && v < space))
                    {
                        continue;
                    }

                    foreach (UnpoolReduction reduction in Reductions)
                    {
                        string context = $"{Name} {value} at {position} {g} {convention} {reduction}";
                        var destination = new GuardedBuffer<float>(1600);
                        Size2D? size = g.KernelSize.Height == 3 ? new Size2D(10, 10) : null;
                        Throws.Param<ArgumentOutOfRangeException>(
                            "indices",
                            () => Functional.MaxUnpool2D(x, indices, shape, g, destination.Span, size, convention, reduction));
                        destination.AssertUntouched(context);
                    }
                }

                var converted = new GuardedBuffer<TIndex>(indices.Length);
                Throws.Param<ArgumentOutOfRangeException>(
                    "indices",
                    () => Functional.ConvertIndices<TIndex>(indices, shape, new Size2D(10, 10), IndexConvention.PerPlane, converted.Span, Max >= 1599 ? IndexConvention.GlobalRowMajor : IndexConvention.PerPlane));
                converted.AssertUntouched($"{Name} {value} ConvertIndices");
            }
        }
    }

    /// <summary>Values outside every 64-bit type that a truncating conversion would turn into a valid index (only 128-bit types have them).</summary>
    protected virtual IEnumerable<TIndex> WrappingValues => [];

    private static void PoolEveryConvention<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        foreach (Shape4D shape in Shapes)
        {
            foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Geometries)
            {
                var c = new MaxPoolCase<T>(TestData.Ties<T>((int)shape.ElementCount, random.Next()), shape.Batch, shape.Channels, shape.Height, shape.Width, rows, cols, ceil);
                foreach (IndexConvention convention in IndexConventionReference.All)
                {
                    string context = $"{Name} {typeof(T).Name} {convention} {c}";
                    int length = c.Expected.Indices.Length;
                    var values = new GuardedBuffer<T>(length);
                    var indices = new GuardedBuffer<TIndex>(length);
                    if (IndexConventionReference.Space(convention, c.Shape) - 1 > Max)
                    {
                        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D(c.Source, c.Shape, c.Geometry, values.Span, indices.Span, convention));
                        values.AssertUntouched(context);
                        indices.AssertUntouched(context);
                        continue;
                    }

                    long[] expected = IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, c.Shape.SpatialSize, convention);
                    Functional.MaxPool2D(c.Source, c.Shape, c.Geometry, values.Span, indices.Span, convention);
                    values.AssertGuardsIntact(context);
                    indices.AssertGuardsIntact(context);
                    BitAssert.Equal<T>(c.Expected.Values, values.Span, $"values {context}");
                    BitAssert.IndicesEqual<TIndex>(expected, indices.Span, $"indices {context}");

                    // Again over a different fill: an index the kernel forgot to write cannot equal both fills.
                    indices.Fill(TIndex.CreateTruncating(0x5A));
                    Functional.MaxPool2D(c.Source, c.Shape, c.Geometry, values.Span, indices.Span, convention, ExecutionOptions.SingleThreaded);
                    BitAssert.IndicesEqual<TIndex>(expected, indices.Span, $"indices (refilled) {context}");
                }
            }
        }
    }

    private static unsafe void EveryKernelWidth<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Geometries)
        {
            var c = new MaxPoolCase<T>(TestData.Ties<T>(3 * 40, random.Next()), 1, 1, 3, 40, rows, cols, ceil);
            foreach (IndexConvention convention in new[] { IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.GlobalColumnMajor })
            {
                long[] expected = IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, c.Shape.SpatialSize, convention);
                var plan = new MaxPool2DKernel.Plan(c.Shape.SpatialSize, c.OutputShape.SpatialSize, c.Geometry, new IndexLayout(convention, c.Shape));
                foreach (KernelWidth width in KernelWidths.All)
                {
                    foreach ((TIndex fill, GuardSide side) in new[] { (GuardedBuffer<TIndex>.Sentinel, GuardSide.After), (TIndex.CreateTruncating(0x5A), GuardSide.Before) })
                    {
                        using GuardedInput<T> source = GuardedPages.Input<T>(c.Source, side);
                        using var values = new PageGuardedDestination<T>(expected.Length, side);
                        using var indices = new PageGuardedDestination<TIndex>(expected.Length, side);
                        indices.Fill(fill);
                        KernelWidths.MaxPool(width, source.Pointer, values.Pointer, indices.Pointer, c.Planes, plan, 1);
                        string context = $"{Name} {typeof(T).Name} {width} {convention} fill {fill} flush {side} {c}";
                        values.AssertGuardsIntact(context);
                        indices.AssertGuardsIntact(context);
                        BitAssert.Equal<T>(c.Expected.Values, values.Span, $"values {context}");
                        BitAssert.IndicesEqual<TIndex>(expected, indices.Span, $"indices {context}");
                    }
                }
            }
        }
    }

    private static void Unpool<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        foreach ((PoolAxis axis, bool ceil) in new[] { (new PoolAxis(2, 2, 0, 1), false), (new PoolAxis(3, 2, 1, 1), false) })
        {
            var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * 4 * 30, random.Next()), 2, 3, 4, 30, axis, axis, ceil);
            Size2D pooled = c.OutputShape.SpatialSize;
            Size2D output = c.Shape.SpatialSize;
            foreach (IndexConvention convention in IndexConventionReference.All)
            {
                long[] indices = IndexConventionReference.FromPerPlane(c.Expected.Indices, c.OutputShape, output, convention);
                foreach (UnpoolReduction reduction in Reductions)
                {
                    string context = $"{Name} {typeof(T).Name} unpool {convention} {reduction} {c}";
                    if (IndexConventionReference.Space(convention, c.Shape) - 1 > Max)
                    {
                        AssertUnpoolRefused(c.Expected.Values, indices, c.OutputShape, c.Geometry, convention, reduction, (int)c.Shape.ElementCount, context, output);
                        continue;
                    }

                    T[] expected = UnpoolReference.MaxUnpool(c.Expected.Values, c.Expected.Indices, c.Planes, pooled.Height, pooled.Width, output.Height, output.Width, reduction == UnpoolReduction.Sum);
                    TIndex[] typed = TestData.Convert<TIndex>(indices);
                    T[] y = Guarded.Run<T>(expected.Length, d => Functional.MaxUnpool2D(c.Expected.Values, typed, c.OutputShape, c.Geometry, d, output, convention, reduction), context);
                    BitAssert.Equal<T>(expected, y, context);
                }
            }
        }
    }

    private static unsafe void DenseAtEveryWidth<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        foreach (int pooledWidth in new[] { 1, 3, 5, 16, 19 })
        {
            // Two planes of 2 x pooledWidth cells into a 4 x (2*pooledWidth + 1) output: at most 4 * 39 = 156 cells
            // per plane, so sbyte gets the narrower outputs only.
            int outW = (2 * pooledWidth) + 1;
            if ((4L * outW) - 1 > Max)
            {
                continue;
            }

            var pooled = new Size2D(2, pooledWidth);
            var output = new Size2D(4, outW);
            T[] x = TestData.NonZero<T>(2 * 2 * pooledWidth, random.Next());
            long[] indices = TestData.WindowIndices(2, 2, pooledWidth, outW, random.Next());
            TIndex[] typed = TestData.Convert<TIndex>(indices);
            T[] expected = UnpoolReference.MaxUnpool(x, indices, 2, 2, pooledWidth, 4, outW, sum: false);
            foreach (KernelWidth width in KernelWidths.All)
            {
                foreach (GuardSide side in GuardedPages.Sides)
                {
                    using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
                    using GuardedInput<TIndex> i = GuardedPages.Input<TIndex>(typed, side);
                    using var y = new PageGuardedDestination<T>(expected.Length, side);
                    KernelWidths.DenseMaxUnpool(width, s.Pointer, i.Pointer, y.Pointer, 2, pooled, output, 1);
                    string context = $"{Name} {typeof(T).Name} dense {width} pooled {pooled} flush {side}";
                    y.AssertGuardsIntact(context);
                    BitAssert.Equal<T>(expected, y.Span, context);
                }
            }
        }
    }

    private static void AssertUnpoolRefused<T>(
        T[] x, long[] indices, Shape4D shape, Pool2DGeometry g, IndexConvention convention, UnpoolReduction reduction, int length, string context, Size2D? output = null)
        where T : unmanaged, INumberBase<T>
    {
        // The indices cannot all be represented in this type (that is the point), so any values of it will do.
        var typed = new TIndex[indices.Length];
        var destination = new GuardedBuffer<T>(length);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxUnpool2D(x, typed, shape, g, destination.Span, output, convention, reduction));
        destination.AssertUntouched(context);
    }
}

public sealed class IndexTypeTestsByte : IndexTypeTests<byte>
{
}

public sealed class IndexTypeTestsSByte : IndexTypeTests<sbyte>
{
}

public sealed class IndexTypeTestsInt16 : IndexTypeTests<short>
{
}

public sealed class IndexTypeTestsUInt16 : IndexTypeTests<ushort>
{
}

public sealed class IndexTypeTestsChar : IndexTypeTests<char>
{
}

public sealed class IndexTypeTestsInt32 : IndexTypeTests<int>
{
}

public sealed class IndexTypeTestsUInt32 : IndexTypeTests<uint>
{
}

public sealed class IndexTypeTestsInt64 : IndexTypeTests<long>
{
}

public sealed class IndexTypeTestsUInt64 : IndexTypeTests<ulong>
{
}

public sealed class IndexTypeTestsIntPtr : IndexTypeTests<nint>
{
}

public sealed class IndexTypeTestsUIntPtr : IndexTypeTests<nuint>
{
}

public sealed class IndexTypeTestsInt128 : IndexTypeTests<Int128>
{
    /// <summary>2^64 + 5 and 2^63 + 5 truncate to 5 in 64 and 32 bits; -2^64 + 5 too.</summary>
    protected override IEnumerable<Int128> WrappingValues => [(Int128.One << 64) + 5, (Int128.One << 63) + 5, -(Int128.One << 64) + 5, (Int128.One << 32) + 5];
}

public sealed class IndexTypeTestsUInt128 : IndexTypeTests<UInt128>
{
    protected override IEnumerable<UInt128> WrappingValues => [(UInt128.One << 64) + 5, (UInt128.One << 63) + 5, (UInt128.One << 32) + 5];
}
