using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;
using Unpooling.Tests.Pooling;
using Unpooling.Tests.Reference;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// The public operators on channels-last shapes and tensors give exactly what the channels-first operators give after
/// the permutation (which the channels-first tests hold to the oracle): every element type, every index convention,
/// one and two threads; argmax unpooling with replace and sum, overlapping windows and cross-plane indices;
/// ConvertIndices with channels-last positions; the TensorFlow round trip; the TensorSpan forms on PyTorch's
/// channels_last strides (in place, no copy) and on other strides; the allocating forms and switches.
/// </summary>
public class ChannelsLastOperatorTests
{
    private static readonly IndexConvention[] Conventions = [.. IndexConventionReference.All, IndexConvention.InWindow];

    private static readonly Pool2DGeometry[] Geometries =
    [
        new(2),
        new(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1), ceilMode: true),
        new(new Size2D(2, 3), new Size2D(1, 2), new Size2D(0, 1), new Size2D(2, 1)),
    ];

    /// <summary>Geometries whose unpooling size rule admits the 7x8 input (no dilation).</summary>
    private static readonly Pool2DGeometry[] UnpoolGeometries =
    [
        new(2),
        new(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1), ceilMode: true),
        new(new Size2D(2, 3), new Size2D(1, 2), new Size2D(0, 1)),
    ];

    private static readonly ExecutionOptions[] Threads =
    [
        ExecutionOptions.SingleThreaded,
        new() { MaxDegreeOfParallelism = 2, MinParallelElements = 0 },
    ];

    private static T[] Permute<T>(T[] channelsFirst, Shape4D shape) => ChannelsLastReference.ToChannelsLast(channelsFirst, shape.Batch, shape.Channels, shape.PlaneSize);

    private static T[] Unpermute<T>(T[] channelsLast, Shape4D shape) => ChannelsLastReference.ToChannelsFirst(channelsLast, shape.Batch, shape.Channels, shape.PlaneSize);

    private static Shape4D Last(Shape4D shape) => Shape4D.ChannelsLast(shape.Batch, shape.Height, shape.Width, shape.Channels);

    /// <summary>
    /// Random unpooling channels-last hashes each channel's taps into a table a chunk of pixels at a time: 3 channels
    /// (one chunk per row), 64 (chunks of 63 cells across a 130-cell row), 520 (past the table: channel by channel),
    /// factors with and without powers of two, cut-off blocks, 2-D and 3-D, 1 and 2 threads: the channels-first result
    /// (held to the oracle by its own tests) after the permutation.
    /// </summary>
    [Fact]
    public void RandomUnpoolingEqualsChannelsFirstAcrossTapTableChunks()
    {
        foreach (int channels in new[] { 3, 64, 520 })
        {
            foreach ((int kd, int kh, int kw) in new[] { (1, 2, 2), (1, 3, 5), (2, 2, 3) })
            {
                int w = channels == 520 ? 9 : 130;
                var shape = new Shape5D(2, channels, kd, 3, w);
                var factor = new Size3D(kd, kh, kw);
                var output = new Size3D(kd * kd, (3 * kh) - (kh > 1 ? 1 : 0), (w * kw) - 1);
                float[] x = BackwardReference.Integers<float>((int)shape.ElementCount, channels + kw);
                long outCells = (long)output.Depth * output.Height * output.Width;
                var expected = new float[2 * channels * outCells];
                Functional.RandomUnpool3D(x, shape, factor, 0xC0FFEE, expected, output);
                foreach (int threads in new[] { 1, 2 })
                {
                    var actual = new float[expected.Length];
                    Functional.RandomUnpool3D(
                        ChannelsLastReference.ToChannelsLast(x, 2, channels, shape.PlaneSize), Shape5D.ChannelsLast(2, kd, 3, w, channels), factor, 0xC0FFEE, actual, output,
                        ExecutionOptions.WithMaxDegreeOfParallelism(threads));
                    ChannelsLastAssert.SameBits<float>(ChannelsLastReference.ToChannelsLast(expected, 2, channels, outCells), actual, $"C={channels} factor {factor} threads {threads}");
                }
            }
        }
    }

    [Fact]
    public void PoolingEqualsChannelsFirstForEveryElementType()
    {
        PoolEqualsChannelsFirst<float>();
        PoolEqualsChannelsFirst<double>();
        PoolEqualsChannelsFirst<Half>();
        PoolEqualsChannelsFirst<int>();
        PoolEqualsChannelsFirst<short>();
        PoolEqualsChannelsFirst<sbyte>();
        PoolEqualsChannelsFirst<byte>();
        PoolEqualsChannelsFirst<long>();
        PoolEqualsChannelsFirst<decimal>();
    }

    private static void PoolEqualsChannelsFirst<T>()
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        foreach (int channels in new[] { 1, 3, 8, 19 })
        {
            var shape = new Shape4D(2, channels, 7, 6);
            T[] x = LaneData.Values<T>((int)shape.ElementCount, channels);
            foreach (Pool2DGeometry geometry in Geometries)
            {
                Shape4D pooled = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
                foreach (IndexConvention convention in Conventions)
                {
                    var expectedValues = new T[pooled.ElementCount];
                    var expectedIndices = new long[pooled.ElementCount];
                    Functional.MaxPool2D(x, shape, geometry, expectedValues, expectedIndices, convention);
                    foreach (ExecutionOptions options in Threads)
                    {
                        var values = new T[pooled.ElementCount];
                        var indices = new long[pooled.ElementCount];
                        Functional.MaxPool2D(Permute(x, shape), Last(shape), geometry, values, indices, convention, options);
                        string context = $"{typeof(T).Name} C={channels} {geometry} {convention} {options}";
                        ChannelsLastAssert.SameBits<T>(Permute(expectedValues, pooled), values, context);
                        ChannelsLastAssert.SameIndices<long>(Permute(expectedIndices, pooled), indices, context);
                    }
                }
            }
        }
    }

    [Fact]
    public void UnpoolingEqualsChannelsFirstForEveryConventionAndReduction()
    {
        foreach (int channels in new[] { 1, 5, 16 })
        {
            var shape = new Shape4D(2, channels, 7, 8);
            float[] x = TestDataValues(shape, channels);
            foreach (Pool2DGeometry geometry in UnpoolGeometries)
            {
                Shape4D pooled = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
                foreach (IndexConvention convention in Conventions)
                {
                    var values = new float[pooled.ElementCount];
                    var indices = new long[pooled.ElementCount];
                    Functional.MaxPool2D(x, shape, geometry, values, indices, convention);
                    foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
                    {
                        var expected = new float[shape.ElementCount];
                        Functional.MaxUnpool2D(values, indices, pooled, geometry, expected, shape.SpatialSize, convention, reduction);
                        foreach (ExecutionOptions options in Threads)
                        {
                            var actual = new float[shape.ElementCount];
                            Functional.MaxUnpool2D(Permute(values, pooled), Permute(indices, pooled), Last(pooled), geometry, actual, shape.SpatialSize, convention, reduction, options);
                            ChannelsLastAssert.SameBits<float>(Permute(expected, shape), actual, $"C={channels} {geometry} {convention} {reduction} {options}");
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(IndexConvention.GlobalRowMajor)]
    [InlineData(IndexConvention.GlobalColumnMajor)]
    [InlineData(IndexConvention.ChannelsLastPerSample)]
    [InlineData(IndexConvention.ChannelsLastWithBatch)]
    public void CrossPlaneIndicesUnpoolInTheChannelsFirstOrder(IndexConvention convention)
    {
        // Random indices over the whole scope with many duplicates: the last writer (and the order of a sum) must be the
        // channels-first operator's, element (n, c, h, w) in row-major order, not memory order.
        var pooled = new Shape4D(2, 6, 3, 4);
        var output = new Size2D(6, 8);
        Shape4D indexed = pooled.WithSpatialSize(output);
        long space = convention == IndexConvention.ChannelsLastPerSample ? indexed.Channels * indexed.PlaneSize : indexed.ElementCount;
        long[] indices = Infrastructure.TestData.RandomIndices((int)pooled.ElementCount, Math.Min(space, 40), 11);
        float[] x = Infrastructure.TestData.NonZero<float>((int)pooled.ElementCount, 12);
        var geometry = new Pool2DGeometry(2);
        foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
        {
            var expected = new float[indexed.ElementCount];
            Functional.MaxUnpool2D(x, indices, pooled, geometry, expected, output, convention, reduction);
            foreach (ExecutionOptions options in Threads)
            {
                var actual = new float[indexed.ElementCount];
                Functional.MaxUnpool2D(Permute(x, pooled), Permute(indices, pooled), Last(pooled), geometry, actual, output, convention, reduction, options);
                ChannelsLastAssert.SameBits<float>(Permute(expected, indexed), actual, $"{convention} {reduction} {options}");
            }
        }
    }

    [Fact]
    public void TensorFlowRoundTripEqualsChannelsFirstPoolingAndUnpooling()
    {
        // TensorFlow pools NHWC with include_batch_in_index; convert to PyTorch's per-plane switches and unpool NCHW.
        var shape = new Shape4D(3, 5, 9, 10);
        float[] x = TestDataValues(shape, 5);
        var geometry = new Pool2DGeometry(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1));
        Shape4D pooled = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
        var tfValues = new float[pooled.ElementCount];
        var tfIndices = new int[pooled.ElementCount];
        Functional.MaxPool2D(Permute(x, shape), Last(shape), geometry, tfValues, tfIndices, IndexConvention.ChannelsLastWithBatch);
        var perPlane = new int[pooled.ElementCount];
        Functional.ConvertIndices(tfIndices, Last(pooled), shape.SpatialSize, IndexConvention.ChannelsLastWithBatch, perPlane, IndexConvention.PerPlane);
        var restored = new float[shape.ElementCount];
        Functional.MaxUnpool2D(Unpermute(tfValues, pooled), Unpermute(perPlane, pooled), pooled, geometry, restored, shape.SpatialSize);

        var values = new float[pooled.ElementCount];
        var indices = new int[pooled.ElementCount];
        Functional.MaxPool2D(x, shape, geometry, values, indices);
        var expected = new float[shape.ElementCount];
        Functional.MaxUnpool2D(values, indices, pooled, geometry, expected, shape.SpatialSize);
        ChannelsLastAssert.SameBits<float>(values, Unpermute(tfValues, pooled), "pooled values");
        ChannelsLastAssert.SameIndices<int>(indices, Unpermute(perPlane, pooled), "converted indices");
        ChannelsLastAssert.SameBits<float>(expected, restored, "unpooled");
    }

    [Fact]
    public void ConvertIndicesReadsChannelsLastPositions()
    {
        var shape = new Shape4D(2, 3, 7, 7);
        var geometry = new Pool2DGeometry(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1));
        Shape4D pooled = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
        float[] x = TestDataValues(shape, 3);
        foreach (IndexConvention from in Conventions)
        {
            var values = new float[pooled.ElementCount];
            var indices = new long[pooled.ElementCount];
            Functional.MaxPool2D(x, shape, geometry, values, indices, from);
            foreach (IndexConvention to in Conventions)
            {
                var expected = new long[pooled.ElementCount];
                Functional.ConvertIndices<long>(indices, pooled, shape.SpatialSize, geometry, from, expected, to);
                long[] actual = Permute(indices, pooled);
                Functional.ConvertIndices<long>(actual, Last(pooled), shape.SpatialSize, geometry, from, actual, to); // in place
                ChannelsLastAssert.SameIndices<long>(Permute(expected, pooled), actual, $"{from} -> {to}");
            }
        }
    }

    [Fact]
    public void TensorSpanOnChannelsLastStridesRunsInPlace()
    {
        var shape = new Shape4D(2, 6, 8, 9);
        var geometry = new Pool2DGeometry(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1));
        Shape4D pooled = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
        float[] x = TestDataValues(shape, 6);
        var expectedValues = new float[pooled.ElementCount];
        var expectedIndices = new long[pooled.ElementCount];
        Functional.MaxPool2D(x, shape, geometry, expectedValues, expectedIndices);
        var expectedRestored = new float[shape.ElementCount];
        Functional.MaxUnpool2D(expectedValues, expectedIndices, pooled, geometry, expectedRestored, shape.SpatialSize);

        float[] source = Permute(x, shape);
        var values = new float[pooled.ElementCount];
        var indices = new long[pooled.ElementCount];
        var restored = new float[shape.ElementCount];
        int before = TensorAdapter.t_channelsLastInPlace;
        Functional.MaxPool2D(
            new ReadOnlyTensorSpan<float>(source, TensorAdapter.Lengths(shape), TensorAdapter.ChannelsLastStrides(shape)), geometry,
            new TensorSpan<float>(values, TensorAdapter.Lengths(pooled), TensorAdapter.ChannelsLastStrides(pooled)),
            new TensorSpan<long>(indices, TensorAdapter.Lengths(pooled), TensorAdapter.ChannelsLastStrides(pooled)));
        Assert.Equal(3, TensorAdapter.t_channelsLastInPlace - before); // source, values and indices, none copied
        ChannelsLastAssert.SameBits<float>(Permute(expectedValues, pooled), values, "pooled in place");
        ChannelsLastAssert.SameIndices<long>(Permute(expectedIndices, pooled), indices, "indices in place");

        before = TensorAdapter.t_channelsLastInPlace;
        Functional.MaxUnpool2D(
            new ReadOnlyTensorSpan<float>(values, TensorAdapter.Lengths(pooled), TensorAdapter.ChannelsLastStrides(pooled)),
            new ReadOnlyTensorSpan<long>(indices, TensorAdapter.Lengths(pooled), TensorAdapter.ChannelsLastStrides(pooled)), geometry,
            new TensorSpan<float>(restored, TensorAdapter.Lengths(shape), TensorAdapter.ChannelsLastStrides(shape)));
        Assert.Equal(3, TensorAdapter.t_channelsLastInPlace - before);
        ChannelsLastAssert.SameBits<float>(Permute(expectedRestored, shape), restored, "unpooled in place");

        // A channels-last source into row-major outputs: the source in place, the outputs through a buffer.
        var rowValues = new float[pooled.ElementCount];
        var rowIndices = new long[pooled.ElementCount];
        before = TensorAdapter.t_channelsLastInPlace;
        Functional.MaxPool2D(
            new ReadOnlyTensorSpan<float>(source, TensorAdapter.Lengths(shape), TensorAdapter.ChannelsLastStrides(shape)), geometry,
            new TensorSpan<float>(rowValues, TensorAdapter.Lengths(pooled)), new TensorSpan<long>(rowIndices, TensorAdapter.Lengths(pooled)));
        Assert.Equal(1, TensorAdapter.t_channelsLastInPlace - before);
        ChannelsLastAssert.SameBits<float>(expectedValues, rowValues, "row-major outputs");
        ChannelsLastAssert.SameIndices<long>(expectedIndices, rowIndices, "row-major indices");

        // Row-major values with channels-last indices, and a channels-last destination: the gather path, same result.
        var mixed = new float[shape.ElementCount];
        Functional.MaxUnpool2D(
            new ReadOnlyTensorSpan<float>(rowValues, TensorAdapter.Lengths(pooled)),
            new ReadOnlyTensorSpan<long>(indices, TensorAdapter.Lengths(pooled), TensorAdapter.ChannelsLastStrides(pooled)), geometry,
            new TensorSpan<float>(mixed, TensorAdapter.Lengths(shape), TensorAdapter.ChannelsLastStrides(shape)));
        ChannelsLastAssert.SameBits<float>(Permute(expectedRestored, shape), mixed, "mixed layouts");
    }

    [Fact]
    public void AllocatingFormsReturnChannelsLastTensorsForChannelsLastInput()
    {
        var shape = new Shape4D(2, 4, 6, 6);
        var geometry = new Pool2DGeometry(2);
        float[] x = TestDataValues(shape, 4);
        Tensor<float> source = Tensor.Create(Permute(x, shape), TensorAdapter.Lengths(shape), TensorAdapter.ChannelsLastStrides(shape));
        (Tensor<float> values, Switches<long> switches) = Functional.MaxPool2D(source, geometry);
        Shape4D pooled = shape.WithSpatialSize(new Size2D(3, 3));
        Assert.Equal(TensorAdapter.ChannelsLastStrides(pooled), values.Strides.ToArray());
        Assert.Equal(TensorAdapter.ChannelsLastStrides(pooled), switches.Indices.Strides.ToArray());
        Tensor<float> restored = Functional.MaxUnpool2D(values, switches);
        Assert.Equal(TensorAdapter.ChannelsLastStrides(shape), restored.Strides.ToArray());

        (Tensor<float> firstValues, Switches<long> firstSwitches) = Functional.MaxPool2D(Tensor.Create(x, TensorAdapter.Lengths(shape)), geometry);
        Tensor<float> firstRestored = Functional.MaxUnpool2D(firstValues, firstSwitches);
        ChannelsLastAssert.SameBits<float>(Flat(firstValues), Flat(values), "values");
        ChannelsLastAssert.SameIndices<long>(Flat(firstSwitches.Indices), Flat(switches.Indices), "switches");
        ChannelsLastAssert.SameBits<float>(Flat(firstRestored), Flat(restored), "restored");
        Switches<long> taps = switches.WithConvention(IndexConvention.InWindow);
        Assert.Equal(TensorAdapter.ChannelsLastStrides(pooled), taps.Indices.Strides.ToArray());
        ChannelsLastAssert.SameIndices<long>(Flat(firstSwitches.WithConvention(IndexConvention.InWindow).Indices), Flat(taps.Indices), "in window");
        ChannelsLastAssert.SameBits<float>(Flat(firstRestored), Flat(Functional.MaxUnpool2D(values, taps)), "restored from taps");
    }

    private static T[] Flat<T>(Tensor<T> tensor)
    {
        var flat = new T[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return flat;
    }

    [Fact]
    public void SpanFormsAllocateNothing()
    {
        var shape = Shape4D.ChannelsLast(2, 16, 20, 24);
        var pooled = Shape4D.ChannelsLast(2, 8, 10, 24);
        var geometry = new Pool2DGeometry(2);
        var overlapping = new Pool2DGeometry(3, stride: 2, padding: 1);
        float[] x = TestDataValues(shape with { Layout = TensorLayout.ChannelsFirst }, 2);
        var values = new float[pooled.ElementCount];
        var indices = new long[pooled.ElementCount];
        var taps = new byte[pooled.ElementCount];
        var restored = new float[shape.ElementCount];
        var converted = new long[pooled.ElementCount];
        var options = new ExecutionOptions { MaxDegreeOfParallelism = 1, MinParallelElements = 0 };
        void Run()
        {
            Functional.MaxPool2D(x, shape, geometry, values, indices, options: options);
            Functional.MaxUnpool2D(values, indices, pooled, geometry, restored, options: options);
            Functional.MaxPool2D(x, shape, overlapping, values, taps, IndexConvention.InWindow, options);
            Functional.MaxUnpool2D(values, taps, pooled, overlapping, restored, shape.SpatialSize, IndexConvention.InWindow, UnpoolReduction.Sum, options);
            Functional.MaxPool2D(x, shape, geometry, values, indices, IndexConvention.ChannelsLastWithBatch, options);
            Functional.ConvertIndices(indices, pooled, shape.SpatialSize, IndexConvention.ChannelsLastWithBatch, converted, IndexConvention.GlobalColumnMajor);
            Functional.MaxUnpool2D(values, converted, pooled, geometry, restored, indexConvention: IndexConvention.GlobalColumnMajor, options: options);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Run, 5));
    }

    /// <summary>Ties, NaNs, infinities and signed zeros (seeded).</summary>
    private static float[] TestDataValues(Shape4D shape, int seed) => Infrastructure.TestData.Ties<float>((int)shape.ElementCount, seed);
}
