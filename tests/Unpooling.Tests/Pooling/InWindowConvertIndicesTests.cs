using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// ConvertIndices with a geometry, to and from <see cref="IndexConvention.InWindow"/>, against the oracle's tap
/// definition over the geometry grid (kernel 2x2, 3x3, 2x3; stride 1, 2; padding; dilation 2; ceil mode), for one index
/// type per subclass: per plane to InWindow, InWindow to every convention and back, out of place into guarded buffers
/// and in place, span and tensor forms.
/// </summary>
public abstract class InWindowConvertIndicesTests<TIndex>
    where TIndex : unmanaged, IBinaryInteger<TIndex>, IMinMaxValue<TIndex>
{
    /// <summary>
    /// PerPlane → InWindow → X → InWindow → PerPlane for every convention X, each step equal to the oracle (and the
    /// chain, run in place on one buffer, back where it started).
    /// </summary>
    [Fact]
    public void RoundTripsThroughInWindowAndEveryConvention()
    {
        int cases = 0;
        foreach (InWindowCase c in InWindowCases.Pooling(51))
        {
            cases++;
            Check(c, c.PerPlane, IndexConvention.PerPlane, IndexConvention.InWindow, c.Taps);
            Check(c, c.Taps, IndexConvention.InWindow, IndexConvention.InWindow, c.Taps);
            foreach (IndexConvention other in IndexConventionReference.All)
            {
                long[] inOther = IndexConventionReference.FromPerPlane(c.PerPlane, c.Pooled, c.Indexed, other);
                Assert.True(InWindowCases.Fits<TIndex>(IndexConventionReference.Space(other, c.IndexedShape)), "the grid's shapes fit every index type");
                Check(c, c.Taps, IndexConvention.InWindow, other, inOther);
                Check(c, inOther, other, IndexConvention.InWindow, c.Taps);

                TIndex[] chain = TestData.Convert<TIndex>(c.PerPlane);
                Functional.ConvertIndices<TIndex>(chain, c.Pooled, c.Indexed, c.Geometry, IndexConvention.PerPlane, chain, IndexConvention.InWindow);
                Functional.ConvertIndices<TIndex>(chain, c.Pooled, c.Indexed, c.Geometry, IndexConvention.InWindow, chain, other);
                Functional.ConvertIndices<TIndex>(chain, c.Pooled, c.Indexed, c.Geometry, other, chain, IndexConvention.InWindow);
                BitAssert.IndicesEqual<TIndex>(c.Taps, chain, $"{c}: chain through {other}, at InWindow");
                Functional.ConvertIndices<TIndex>(chain, c.Pooled, c.Indexed, c.Geometry, IndexConvention.InWindow, chain, IndexConvention.PerPlane);
                BitAssert.IndicesEqual<TIndex>(c.PerPlane, chain, $"{c}: chain through {other}, back per plane");
            }
        }

        Assert.True(cases >= 90, $"the grid yields {cases} cases");
    }

    /// <summary>
    /// The tensor forms (strided views in and out, and the allocating forms from a tensor and a view) equal the oracle;
    /// through a view the positions are logical, whatever the strides.
    /// </summary>
    [Fact]
    public void TensorFormsConvertAsTheSpanForm()
    {
        foreach (InWindowCase c in InWindowCases.Pooling(52).Where((_, i) => i % 7 == 0))
        {
            foreach (IndexConvention other in IndexConventionReference.All)
            {
                long[] inOther = IndexConventionReference.FromPerPlane(c.PerPlane, c.Pooled, c.Indexed, other);
                foreach ((long[] source, IndexConvention from, long[] expected, IndexConvention to) in new[] { (c.Taps, IndexConvention.InWindow, inOther, other), (inOther, other, c.Taps, IndexConvention.InWindow) })
                {
                    string context = $"{c}: {from} -> {to}";
                    TIndex[] dense = TestData.Convert<TIndex>(source);
                    var destination = new PaddedTensor<TIndex>(c.Pooled, 3);
                    Functional.ConvertIndices(TensorViews.View(dense, c.Pooled, ViewLayout.TransposedPlanes), c.Indexed, c.Geometry, from, destination.View, to);
                    BitAssert.IndicesEqual<TIndex>(expected, destination.Read(), $"{context}, view to view");
                    destination.Buffer.AssertGuardsIntact(context);

                    Tensor<TIndex> tensor = Tensor.Create(dense, TensorViews.Lengths(c.Pooled));
                    BitAssert.IndicesEqual<TIndex>(expected, Functional.ConvertIndices(tensor, c.Indexed, c.Geometry, from, to).ToArray(), $"{context}, allocating from a tensor");
                    BitAssert.IndicesEqual<TIndex>(
                        expected, Functional.ConvertIndices(TensorViews.ChannelsLast(dense, c.Pooled), c.Indexed, c.Geometry, from, to).ToArray(), $"{context}, allocating from a channels-last view");
                }
            }
        }
    }

    /// <summary>Converts out of place into a guarded buffer, then in place, and compares both with the oracle.</summary>
    private static void Check(InWindowCase c, long[] source, IndexConvention from, IndexConvention to, long[] expected)
    {
        string context = $"{c}: {from} -> {to} ({typeof(TIndex).Name})";
        TIndex[] input = TestData.Convert<TIndex>(source);
        var destination = new GuardedBuffer<TIndex>(input.Length);
        Functional.ConvertIndices<TIndex>(input, c.Pooled, c.Indexed, c.Geometry, from, destination.Span, to);
        BitAssert.IndicesEqual<TIndex>(expected, destination.Span, context);
        destination.AssertGuardsIntact(context);
        BitAssert.IndicesEqual<TIndex>(source, input, $"{context}: the source is unchanged");

        Functional.ConvertIndices<TIndex>(input, c.Pooled, c.Indexed, c.Geometry, from, input, to);
        BitAssert.IndicesEqual<TIndex>(expected, input, $"{context}, in place");
    }
}

public sealed class InWindowConvertIndicesTestsByte : InWindowConvertIndicesTests<byte>
{
}

public sealed class InWindowConvertIndicesTestsInt16 : InWindowConvertIndicesTests<short>
{
}

public sealed class InWindowConvertIndicesTestsInt32 : InWindowConvertIndicesTests<int>
{
}

public sealed class InWindowConvertIndicesTestsInt64 : InWindowConvertIndicesTests<long>
{
}
