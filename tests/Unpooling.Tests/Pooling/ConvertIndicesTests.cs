using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// ConvertIndices against the formulas of SEMANTICS.md 1: every pair of conventions, in place and not, int and long;
/// global indices naming other planes; index spaces beyond 32 bits (the indexed tensor is never allocated).
/// </summary>
public sealed class ConvertIndicesTests
{
    /// <summary>(indices shape, indexed size): N and C in 1..3, indexed sizes larger than, equal to and unrelated to the index plane.</summary>
    private static readonly (Shape4D Shape, Size2D Indexed)[] Cases =
    [
        (new Shape4D(1, 1, 3, 4), new Size2D(6, 8)),
        (new Shape4D(2, 3, 3, 5), new Size2D(7, 9)),
        (new Shape4D(3, 2, 2, 2), new Size2D(5, 3)),
        (new Shape4D(2, 1, 4, 3), new Size2D(4, 3)),
    ];

    /// <summary>
    /// Random per-plane indices (any cell of the element's own plane, so every convention can express them) mapped
    /// through convention A, converted to B: equals the same indices mapped through B. Out of place into a guarded
    /// buffer, and in place.
    /// </summary>
    [Fact]
    public void EveryPairOfConventionsConvertsAsTheFormulasSay()
    {
        var random = new Random(31);
        foreach ((Shape4D shape, Size2D indexed) in Cases)
        {
            long[] perPlane = TestData.RandomIndices((int)shape.ElementCount, (long)indexed.Height * indexed.Width, random.Next());
            foreach (IndexConvention from in IndexConventionReference.All)
            {
                long[] source = IndexConventionReference.FromPerPlane(perPlane, shape, indexed, from);
                foreach (IndexConvention to in IndexConventionReference.All)
                {
                    long[] expected = IndexConventionReference.FromPerPlane(perPlane, shape, indexed, to);
                    string context = $"{from} -> {to} {shape} indexed {indexed}";
                    CheckConversion<int>(source, shape, indexed, from, to, expected, context);
                    CheckConversion<long>(source, shape, indexed, from, to, expected, context);
                }
            }
        }
    }

    /// <summary>
    /// Global indices naming any cell (ONNX MaxUnpool style) convert between the global conventions, whose scope is
    /// the whole tensor; the oracle decodes by searching the cell whose formula gives the index.
    /// </summary>
    [Fact]
    public void IndicesOfOtherPlanesConvertBetweenGlobalConventions()
    {
        var random = new Random(32);
        IndexConvention[] global = [IndexConvention.GlobalRowMajor, IndexConvention.GlobalColumnMajor, IndexConvention.ChannelsLastWithBatch];
        foreach ((Shape4D shape, Size2D size) in Cases)
        {
            Shape4D indexed = shape.WithSpatialSize(size);
            long[] cells = TestData.RandomIndices((int)shape.ElementCount, indexed.ElementCount, random.Next());
            foreach (IndexConvention from in global)
            {
                long[] source = ThroughFormula(cells, indexed, from);
                foreach (IndexConvention to in global)
                {
                    CheckConversion<long>(source, shape, size, from, to, ThroughFormula(cells, indexed, to), $"{from} -> {to} {shape}");
                }
            }
        }
    }

    /// <summary>
    /// Per-plane (scope: plane) and channels-last per sample (scope: sample) cannot name another plane or sample: such
    /// an index is rejected naming "indices", its position and value, and nothing is written.
    /// </summary>
    [Theory]
    [InlineData(IndexConvention.GlobalRowMajor, IndexConvention.PerPlane, 5, 70L)]
    [InlineData(IndexConvention.GlobalColumnMajor, IndexConvention.PerPlane, 0, 200L)]
    [InlineData(IndexConvention.ChannelsLastWithBatch, IndexConvention.ChannelsLastPerSample, 7, 189L)]
    [InlineData(IndexConvention.ChannelsLastPerSample, IndexConvention.PerPlane, 3, 1L)]
    [InlineData(IndexConvention.GlobalRowMajor, IndexConvention.ChannelsLastPerSample, 50, 3L)]
    public void IndexOfAnotherPlaneHasNoPerPlaneForm(IndexConvention from, IndexConvention to, int position, long value)
    {
        // [2, 3, 3, 5] indices into [2, 3, 7, 9]: 15 positions a plane; plane 63 cells, sample 189, tensor 378. Every
        // other position names the first cell of its own plane.
        (Shape4D shape, Size2D size) = Cases[1];
        long[] indices = IndexConventionReference.FromPerPlane(new long[shape.ElementCount], shape, size, from);
        indices[position] = value;
        var destination = new GuardedBuffer<long>(indices.Length);
        ArgumentException e = Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices(indices, shape, size, from, destination.Span, to));
        Assert.Contains($"position {position}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"Index {value}", e.Message, StringComparison.Ordinal);
        destination.AssertUntouched($"{from} -> {to}");
        long[] before = (long[])indices.Clone();
        Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices(indices, shape, size, from, indices, to));
        Assert.Equal(before, indices);
    }

    /// <summary>
    /// Six index elements into a [2, 3, 20000, 20000] tensor (2.4e9 cells, never allocated): per plane (4e8) and
    /// per sample (1.2e9) fit int, the global conventions do not. 32-bit requests beyond int.MaxValue are rejected
    /// naming the span that cannot hold them; 64-bit ones convert exactly.
    /// </summary>
    [Fact]
    public void Int32IndexSpaceOverflowIsAnErrorAndInt64Converts()
    {
        var shape = new Shape4D(2, 3, 1, 1);
        var size = new Size2D(20000, 20000);
        int[] perPlane = [0, 1, 20000, 399_999_999, 12345, 200_000_000];
        var destination = new GuardedBuffer<int>(6);
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices(perPlane, shape, size, IndexConvention.PerPlane, destination.Span, IndexConvention.GlobalRowMajor));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices(perPlane, shape, size, IndexConvention.PerPlane, destination.Span, IndexConvention.ChannelsLastWithBatch));
        Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices(perPlane, shape, size, IndexConvention.GlobalColumnMajor, destination.Span, IndexConvention.PerPlane));
        destination.AssertUntouched("int overflow");

        long[] wide = perPlane.Select(i => (long)i).ToArray();
        Functional.ConvertIndices(perPlane, shape, size, IndexConvention.PerPlane, destination.Span, IndexConvention.ChannelsLastPerSample);
        BitAssert.IndicesEqual<int>(IndexConventionReference.FromPerPlane(wide, shape, size, IndexConvention.ChannelsLastPerSample), destination.Span, "per sample fits int");
        foreach (IndexConvention to in IndexConventionReference.All)
        {
            CheckConversion<long>(wide, shape, size, IndexConvention.PerPlane, to, IndexConventionReference.FromPerPlane(wide, shape, size, to), $"long PerPlane -> {to}");
        }
    }

    /// <summary>
    /// A [2, 3, 70000, 70000] tensor has 2.9e10 cells, beyond 32 bits: decoding falls back from the multiply-high
    /// division to the hardware one and must give the same conversions.
    /// </summary>
    [Fact]
    public void IndexedTensorsBeyond32BitsConvertExactly()
    {
        var shape = new Shape4D(2, 3, 1, 2);
        var size = new Size2D(70000, 70000);
        long[] perPlane = [0, 4_899_999_999, 70000, 69999, 4_294_967_296, 123_456_789_012 % 4_900_000_000, 1, 4_899_930_000, 2, 3, 4_294_967_295, 5];
        foreach (IndexConvention from in IndexConventionReference.All)
        {
            foreach (IndexConvention to in IndexConventionReference.All)
            {
                CheckConversion<long>(
                    IndexConventionReference.FromPerPlane(perPlane, shape, size, from), shape, size, from, to,
                    IndexConventionReference.FromPerPlane(perPlane, shape, size, to), $"beyond 32 bits {from} -> {to}");
            }
        }
    }

    [Fact]
    public void AllocatingFormConvertsATensor()
    {
        (Shape4D shape, Size2D size) = Cases[1];
        long[] perPlane = TestData.RandomIndices((int)shape.ElementCount, (long)size.Height * size.Width, 33);
        Tensor<long> result = Functional.ConvertIndices(Tensor.Create(perPlane, TensorViews.Lengths(shape)), size, IndexConvention.PerPlane, IndexConvention.ChannelsLastWithBatch);
        Assert.Equal(TensorViews.Lengths(shape), result.Lengths.ToArray());
        var flat = new long[result.FlattenedLength];
        result.FlattenTo(flat);
        Assert.Equal(IndexConventionReference.FromPerPlane(perPlane, shape, size, IndexConvention.ChannelsLastWithBatch), flat);
    }

    /// <summary>The multiply-high division equals the hardware one for 32-bit dividends, at every divisor edge.</summary>
    [Fact]
    public void FastDivisorIsExactForEvery32BitDividend()
    {
        var random = new Random(34);
        long[] divisors = [.. Enumerable.Range(1, 300).Select(d => (long)d), 641, 65535, 65536, 65537, int.MaxValue, 1L << 31, uint.MaxValue - 1, uint.MaxValue];
        foreach (long d in divisors)
        {
            var divisor = new FastDivisor(d, uint.MaxValue);
            IEnumerable<long> dividends = new long[] { 0, 1, d - 1, d, d + 1, uint.MaxValue, uint.MaxValue - 1, ((uint.MaxValue / d) * d) - 1, (uint.MaxValue / d) * d }
                .Concat(Enumerable.Range(0, 200).Select(_ => random.NextInt64(uint.MaxValue + 1L)))
                .Where(n => n is >= 0 and <= uint.MaxValue);
            foreach (long n in dividends)
            {
                Assert.True(divisor.Divide(n) == n / d, $"{n} / {d}: got {divisor.Divide(n)}");
            }
        }
    }

    /// <summary>The row-major offsets <paramref name="cells"/> of <paramref name="indexed"/> as indices in <paramref name="convention"/>.</summary>
    private static long[] ThroughFormula(long[] cells, Shape4D indexed, IndexConvention convention)
        => cells.Select(cell =>
        {
            long w = cell % indexed.Width, h = cell / indexed.Width % indexed.Height, plane = cell / indexed.PlaneSize;
            return IndexConventionReference.Index(convention, plane / indexed.Channels, plane % indexed.Channels, h, w, indexed.Channels, indexed.Height, indexed.Width);
        }).ToArray();

    private static void CheckConversion<TIndex>(long[] source, Shape4D shape, Size2D indexed, IndexConvention from, IndexConvention to, long[] expected, string context)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        TIndex[] typed = TestData.Convert<TIndex>(source);
        var destination = new GuardedBuffer<TIndex>(typed.Length);
        Functional.ConvertIndices(typed, shape, indexed, from, destination.Span, to);
        destination.AssertGuardsIntact(context);
        BitAssert.IndicesEqual<TIndex>(expected, destination.Span, $"{context} {typeof(TIndex).Name}");
        Functional.ConvertIndices(typed, shape, indexed, from, typed, to);
        BitAssert.IndicesEqual<TIndex>(expected, typed, $"{context} {typeof(TIndex).Name} in place");
    }
}
