using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling1D;

/// <summary>
/// <c>Functional.ConvertIndices</c> on 1-D shapes: between every pair of conventions (InWindow with the geometry), the
/// result equals the 1-D convention table applied to the oracle's cells and taps; in place; through the tensor forms;
/// and a rank-4 tensor with an <see cref="int"/> size keeps its 2-D meaning (a square size).
/// </summary>
public sealed class ConvertIndices1DTests
{
    private const int Batch = 2, Channels = 3, Length = 13;

    [Fact]
    public void EveryPairEqualsTheConventionTable()
    {
        foreach (Axis1D axis in (Axis1D[])[new(3, 2, 1, 2, 2, true), new(2, 2, 0, 0, 1, false), new(4, 1, 2, 1, 1, false)])
        {
            float[] x = TestData.NonZero<float>(Batch * Channels * Length, axis.Kernel);
            Pool1DResult<float> p = Pool1DReference.Pool(x, Batch * Channels, Length, axis);
            Pool1DGeometry g = MaxPool1DTests<float>.ToLibrary(axis);
            var shape = new Shape3D(Batch, Channels, p.OutL);
            foreach (IndexConvention from in MaxPool1DTests<float>.Conventions)
            {
                long[] source = Pool1DReference.Encode(p.Cells, p.Taps, Batch, Channels, p.OutL, Length, from);
                foreach (IndexConvention to in MaxPool1DTests<float>.Conventions)
                {
                    long[] expected = Pool1DReference.Encode(p.Cells, p.Taps, Batch, Channels, p.OutL, Length, to);
                    string context = $"{axis}: {from} -> {to}";
                    var destination = new GuardedBuffer<long>(source.Length);
                    Functional.ConvertIndices<long>(source, shape, Length, g, from, destination.Span, to);
                    destination.AssertGuardsIntact(context);
                    BitAssert.IndicesEqual<long>(expected, destination.Span, context);

                    int[] inPlace = source.Select(i => (int)i).ToArray();
                    Functional.ConvertIndices<int>(inPlace, shape, Length, g, from, inPlace, to);
                    BitAssert.IndicesEqual<int>(expected, inPlace, $"{context}, in place");

                    Tensor<long> allocated = Functional.ConvertIndices(Tensor.Create(source, [Batch, Channels, p.OutL]), Length, g, from, to);
                    BitAssert.IndicesEqual<long>(expected, allocated.ToArray(), $"{context}, allocating");
                    if (from != IndexConvention.InWindow && to != IndexConvention.InWindow)
                    {
                        Functional.ConvertIndices<long>(source, shape, Length, from, destination.Span, to);
                        BitAssert.IndicesEqual<long>(expected, destination.Span, $"{context}, without a geometry");
                        var tensor = new long[source.Length];
                        Functional.ConvertIndices<long>(new ReadOnlyTensorSpan<long>(source, [Batch, Channels, p.OutL]), Length, from, new TensorSpan<long>(tensor, [Batch, Channels, p.OutL]), to);
                        BitAssert.IndicesEqual<long>(expected, tensor, $"{context}, tensor form");
                        BitAssert.IndicesEqual<long>(expected, Functional.ConvertIndices(Tensor.Create(source, [Batch, Channels, p.OutL]), Length, from, to).ToArray(), $"{context}, allocating without a geometry");
                    }
                }
            }
        }
    }

    /// <summary>A strided index view (every other element) converts as its dense copy does.</summary>
    [Fact]
    public void StridedTensorFormConverts()
    {
        var axis = new Axis1D(2, 2, 0, 0, 1, false);
        float[] x = TestData.NonZero<float>(Batch * Channels * Length, 5);
        Pool1DResult<float> p = Pool1DReference.Pool(x, Batch * Channels, Length, axis);
        var wide = new long[p.Cells.Length * 2];
        for (int i = 0; i < p.Cells.Length; i++)
        {
            wide[2 * i] = p.Cells[i];
        }

        nint[] lengths = [Batch, Channels, p.OutL], strides = [2 * Channels * p.OutL, 2 * p.OutL, 2];
        var output = new long[wide.Length];
        Functional.ConvertIndices<long>(
            new ReadOnlyTensorSpan<long>(wide, 0, lengths, strides), Length, MaxPool1DTests<float>.ToLibrary(axis), IndexConvention.PerPlane,
            new TensorSpan<long>(output, 0, lengths, strides), IndexConvention.ChannelsLastWithBatch);
        BitAssert.IndicesEqual<long>(
            Pool1DReference.Encode(p.Cells, null, Batch, Channels, p.OutL, Length, IndexConvention.ChannelsLastWithBatch),
            output.Where((_, i) => i % 2 == 0).ToArray(), "strided");
        Assert.All(output.Where((_, i) => i % 2 == 1), v => Assert.Equal(0, v));
    }

    /// <summary>
    /// Before the 1-D overloads, <c>ConvertIndices(rank4, 3, from, to)</c> converted the int to a 3x3 size; it still
    /// does: per-plane 4 (h 1, w 1 of a 3x3 plane) of element (n 1, c 0) of a [2, 1, 1, 1] tensor is global
    /// ((1*1 + 0)*3 + 1)*3 + 1 = 13.
    /// </summary>
    [Fact]
    public void RankFourTensorsKeepTheSquareSizeMeaning()
    {
        long[] perPlane = [4, 4];
        Assert.Equal([4L, 13L], Functional.ConvertIndices(Tensor.Create(perPlane, [2, 1, 1, 1]), 3, IndexConvention.PerPlane, IndexConvention.GlobalRowMajor).ToArray());
        var destination = new long[2];
        Functional.ConvertIndices<long>(new ReadOnlyTensorSpan<long>(perPlane, [2, 1, 1, 1]), 3, IndexConvention.PerPlane, new TensorSpan<long>(destination, [2, 1, 1, 1]), IndexConvention.GlobalRowMajor);
        Assert.Equal([4L, 13L], destination);

        // The same call on a rank-3 tensor is 1-D: w 1 of element (n 1, c 0) of [2, 1, 1] indexing length 3 is (1*1 + 0)*3 + 1 = 4.
        Assert.Equal([1L, 4L], Functional.ConvertIndices(Tensor.Create(new long[] { 1, 1 }, [2, 1, 1]), 3, IndexConvention.PerPlane, IndexConvention.GlobalRowMajor).ToArray());
    }
}
