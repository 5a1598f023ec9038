using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// Argmax unpooling from <see cref="IndexConvention.InWindow"/> taps over the geometry grid (overlapping windows,
/// padding, dilation, ceil mode), Replace and Sum, every form (span, tensor span, allocating, switches) and 1 to 3
/// threads: it equals the per-plane oracle fed the cells the taps name, and unpooling pooled per-plane indices
/// converted to byte taps equals unpooling those per-plane indices.
/// </summary>
public abstract class InWindowUnpoolTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly UnpoolReduction[] Reductions = [UnpoolReduction.Replace, UnpoolReduction.Sum];

    private static readonly ExecutionOptions[] ThreadCounts = [ExecutionOptions.SingleThreaded, Threads.Options(2), Threads.Options(3)];

    /// <summary>
    /// Pool with per-plane long indices (the oracle's), convert to byte taps (the oracle's), unpool from the taps:
    /// the oracle's scatter of the per-plane indices, and the library's unpooling from the per-plane indices, through
    /// switches (the pooling input's size) and the span form where the explicit-size rule admits that size.
    /// </summary>
    [Fact]
    public void PooledIndicesAsByteTapsUnpoolAsThePerPlaneIndices()
    {
        int seed = 60;
        foreach (InWindowCase c in InWindowCases.Pooling(61))
        {
            T[] x = TestData.NonZero<T>((int)c.IndexedShape.ElementCount, seed++);
            var values = new T[c.Pooled.ElementCount];
            var perPlane = new long[values.Length];
            Functional.MaxPool2D(x, c.IndexedShape, c.Geometry, values, perPlane);
            PoolResult<T> oracle = MaxPool2DReference.Pool(x, c.Pooled.Batch * c.Pooled.Channels, c.Indexed.Height, c.Indexed.Width, c.Rows, c.Cols, c.Ceil);
            BitAssert.Equal<T>(oracle.Values, values, $"{c}: pooled values");
            Assert.Equal(oracle.Indices, perPlane);

            byte[] taps = TestData.Convert<byte>(perPlane);
            Functional.ConvertIndices<byte>(taps, c.Pooled, c.Indexed, c.Geometry, IndexConvention.PerPlane, taps, IndexConvention.InWindow);
            BitAssert.IndicesEqual<byte>(IndexConventionReference.InWindowFromPerPlane(perPlane, c.Pooled, c.Indexed, c.Rows, c.Cols), taps, $"{c}: taps");

            Tensor<T> valueTensor = Tensor.Create(values, TensorViews.Lengths(c.Pooled));
            var tapSwitches = new Switches<byte>(Tensor.Create(taps, TensorViews.Lengths(c.Pooled)), c.Geometry, c.Indexed, IndexConvention.InWindow);
            var perPlaneSwitches = new Switches<long>(Tensor.Create(perPlane, TensorViews.Lengths(c.Pooled)), c.Geometry, c.Indexed);
            Size2D defaultSize = c.Geometry.GetUnpoolOutputSize(c.Pooled.SpatialSize);
            bool spanFormReachesInput = Admits(c.Indexed.Height, defaultSize.Height, c.Rows.Stride) && Admits(c.Indexed.Width, defaultSize.Width, c.Cols.Stride);
            foreach (UnpoolReduction reduction in Reductions)
            {
                T[] expected = UnpoolReference.MaxUnpool(values, perPlane, c.Pooled.Batch * c.Pooled.Channels, c.Pooled.Height, c.Pooled.Width, c.Indexed.Height, c.Indexed.Width, reduction == UnpoolReduction.Sum);
                BitAssert.Equal<T>(expected, Functional.MaxUnpool2D(valueTensor, perPlaneSwitches, reduction).ToArray(), $"{c}, {reduction}: per-plane switches");
                foreach (ExecutionOptions options in ThreadCounts)
                {
                    string context = $"{c}, {reduction}, {options.MaxDegreeOfParallelism} threads";
                    BitAssert.Equal<T>(expected, Functional.MaxUnpool2D(valueTensor, tapSwitches, reduction, options).ToArray(), $"{context}: byte tap switches");
                    if (spanFormReachesInput)
                    {
                        var destination = new GuardedBuffer<T>((int)c.IndexedShape.ElementCount);
                        Functional.MaxUnpool2D<T, byte>(values, taps, c.Pooled, c.Geometry, destination.Span, c.Indexed, IndexConvention.InWindow, reduction, options);
                        BitAssert.Equal<T>(expected, destination.Span, $"{context}: span form");
                        destination.AssertGuardsIntact(context);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Random valid taps at every output size the explicit-size rule admits (below, at and above the default, where
    /// windows reach past the border or leave cells uncovered): span (int and short taps), tensor span (a padded
    /// destination) and allocating forms equal the oracle's scatter of the cells the taps name.
    /// </summary>
    [Fact]
    public void RandomTapsUnpoolAtEveryAdmittedSize()
    {
        var random = new Random(62);
        int sizes = 0;
        var pooled = new Shape4D(2, 3, 3, 4);
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in InWindowCases.Geometries())
        {
            Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, ceil);
            Size2D defaultSize = geometry.GetUnpoolOutputSize(pooled.SpatialSize);
            for (int dh = 1 - rows.Stride; dh < rows.Stride; dh++)
            {
                for (int dw = 1 - cols.Stride; dw < cols.Stride; dw++)
                {
                    var size = new Size2D(defaultSize.Height + dh, defaultSize.Width + dw);
                    long[]? taps = InWindowCases.RandomTaps(pooled, size, rows, cols, random);
                    if (taps is null)
                    {
                        continue; // a window with no tap inside this size: see the validation tests
                    }

                    sizes++;
                    Shape4D output = pooled.WithSpatialSize(size);
                    long[] cells = IndexConventionReference.PerPlaneFromInWindow(taps, pooled, size, rows, cols);
                    T[] x = TestData.NonZero<T>((int)pooled.ElementCount, random.Next());
                    foreach (UnpoolReduction reduction in Reductions)
                    {
                        string context = $"{Geometry.Describe(rows, cols, ceil)}, output {size}, {reduction}";
                        T[] expected = UnpoolReference.MaxUnpool(x, cells, pooled.Batch * pooled.Channels, pooled.Height, pooled.Width, size.Height, size.Width, reduction == UnpoolReduction.Sum);
                        foreach (ExecutionOptions options in ThreadCounts)
                        {
                            var destination = new GuardedBuffer<T>((int)output.ElementCount);
                            Functional.MaxUnpool2D<T, int>(x, TestData.Convert<int>(taps), pooled, geometry, destination.Span, size, IndexConvention.InWindow, reduction, options);
                            BitAssert.Equal<T>(expected, destination.Span, $"{context}, {options.MaxDegreeOfParallelism} threads: span form, int taps");
                            destination.AssertGuardsIntact(context);
                        }

                        var shortDestination = new GuardedBuffer<T>((int)output.ElementCount);
                        Functional.MaxUnpool2D<T, short>(x, TestData.Convert<short>(taps), pooled, geometry, shortDestination.Span, size, IndexConvention.InWindow, reduction);
                        BitAssert.Equal<T>(expected, shortDestination.Span, $"{context}: span form, short taps");

                        var padded = new PaddedTensor<T>(output, 2);
                        ReadOnlyTensorSpan<T> xView = TensorViews.ChannelsLast(x, pooled);
                        ReadOnlyTensorSpan<byte> tapView = TensorViews.View(TestData.Convert<byte>(taps), pooled, ViewLayout.Sliced);
                        Functional.MaxUnpool2D(xView, tapView, geometry, padded.View, IndexConvention.InWindow, reduction);
                        BitAssert.Equal<T>(expected, padded.Read(), $"{context}: tensor span form");
                        padded.Buffer.AssertGuardsIntact(context);

                        Tensor<T> allocated = Functional.MaxUnpool2D(
                            Tensor.Create(x, TensorViews.Lengths(pooled)), Tensor.Create(TestData.Convert<byte>(taps), TensorViews.Lengths(pooled)), geometry, size, IndexConvention.InWindow, reduction);
                        Assert.Equal(TensorViews.Lengths(output), allocated.Lengths.ToArray());
                        BitAssert.Equal<T>(expected, allocated.ToArray(), $"{context}: allocating form");
                    }
                }
            }
        }

        Assert.True(sizes >= 100, $"{sizes} admitted sizes had a valid tap in every window");
    }

    /// <summary>
    /// Windows of more than 1024 taps (33x32, stride 3, padding 2, ceil mode, onto 40x41) decode every tap instead of
    /// tabulating their offsets; short and int taps, both reductions, equal the oracle.
    /// </summary>
    [Fact]
    public void LargeWindowsUnpoolAsTheOracle()
    {
        var rows = new PoolAxis(33, 3, 2, 1);
        var cols = new PoolAxis(32, 3, 2, 1);
        var input = new Size2D(40, 41);
        Assert.True(rows.TryGetOutputSize(input.Height, true, out int oh));
        Assert.True(cols.TryGetOutputSize(input.Width, true, out int ow));
        var pooled = new Shape4D(1, 2, oh, ow);
        Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, true);
        long[] taps = InWindowCases.RandomTaps(pooled, input, rows, cols, new Random(67))!;
        long[] cells = IndexConventionReference.PerPlaneFromInWindow(taps, pooled, input, rows, cols);
        T[] x = TestData.NonZero<T>((int)pooled.ElementCount, 68);
        var switches = new Switches<short>(Tensor.Create(TestData.Convert<short>(taps), TensorViews.Lengths(pooled)), geometry, input, IndexConvention.InWindow);
        Tensor<T> values = Tensor.Create(x, TensorViews.Lengths(pooled));
        foreach (UnpoolReduction reduction in Reductions)
        {
            T[] expected = UnpoolReference.MaxUnpool(x, cells, 2, oh, ow, input.Height, input.Width, reduction == UnpoolReduction.Sum);
            BitAssert.Equal<T>(expected, Functional.MaxUnpool2D(values, switches, reduction, Threads.Options(2)).ToArray(), $"{reduction}: short switches");
            var intSwitches = new Switches<int>(Tensor.Create(TestData.Convert<int>(taps), TensorViews.Lengths(pooled)), geometry, input, IndexConvention.InWindow);
            BitAssert.Equal<T>(expected, Functional.MaxUnpool2D(values, intSwitches, reduction).ToArray(), $"{reduction}: int switches");
        }

        long[] bad = (long[])taps.Clone();
        bad[^1] = 33 * 32;
        var badSwitches = new Switches<long>(Tensor.Create(bad, TensorViews.Lengths(pooled)), geometry, input, IndexConvention.InWindow);
        Throws.Param<ArgumentOutOfRangeException>("switches", () => Functional.MaxUnpool2D(values, badSwitches));
    }

    /// <summary>A destination full of garbage is entirely rewritten: cells no tap names become zero.</summary>
    [Fact]
    public void EveryCellIsWrittenOverGarbage()
    {
        var geometry = new Pool2DGeometry(3, 2, 1);
        var pooled = new Shape4D(1, 2, 3, 3);
        var axis = new PoolAxis(3, 2, 1, 1);
        long[] taps = InWindowCases.RandomTaps(pooled, new Size2D(5, 5), axis, axis, new Random(63))!;
        T[] x = TestData.NonZero<T>(18, 63);
        var destination = new GuardedBuffer<T>(2 * 5 * 5);
        destination.Fill(T.CreateChecked(7));
        Functional.MaxUnpool2D<T, byte>(x, TestData.Convert<byte>(taps), pooled, geometry, destination.Span, indexConvention: IndexConvention.InWindow);
        long[] cells = IndexConventionReference.PerPlaneFromInWindow(taps, pooled, new Size2D(5, 5), axis, axis);
        BitAssert.Equal<T>(UnpoolReference.MaxUnpool(x, cells, 2, 3, 3, 5, 5, false), destination.Span, "over garbage");
        destination.AssertGuardsIntact("over garbage");
    }

    /// <summary>
    /// The pooling forms accept InWindow: the span form with byte indices and the allocating form with byte switches
    /// run and write the oracle's values (the taps themselves are the pooling kernel's part, tested with it). The
    /// allocating form of any index type writes the oracle's indices in the conventions the kernel writes today.
    /// </summary>
    [Fact]
    public void PoolingAcceptsInWindowAndAnyIndexTypeInTheAllocatingForm()
    {
        var rows = new PoolAxis(3, 2, 1, 1);
        var shape = new Shape4D(2, 3, 7, 9);
        Pool2DGeometry geometry = Geometry.ToLibrary(rows, rows, true);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 64);
        PoolResult<T> oracle = MaxPool2DReference.Pool(x, 6, 7, 9, rows, rows, true);
        Shape4D pooled = shape.WithSpatialSize(new Size2D(oracle.OutH, oracle.OutW));

        var values = new GuardedBuffer<T>((int)pooled.ElementCount);
        var taps = new GuardedBuffer<byte>((int)pooled.ElementCount);
        Functional.MaxPool2D<T, byte>(x, shape, geometry, values.Span, taps.Span, IndexConvention.InWindow);
        BitAssert.Equal<T>(oracle.Values, values.Span, "span form, InWindow");
        values.AssertGuardsIntact("span form values");
        taps.AssertGuardsIntact("span form taps");

        Tensor<T> source = Tensor.Create(x, TensorViews.Lengths(shape));
        (Tensor<T> tapValues, Switches<byte> byteSwitches) = Functional.MaxPool2D<T, byte>(source, geometry, IndexConvention.InWindow);
        BitAssert.Equal<T>(oracle.Values, tapValues.ToArray(), "allocating form, InWindow");
        Assert.Equal(IndexConvention.InWindow, byteSwitches.Convention);
        Assert.Equal(geometry, byteSwitches.Geometry);
        Assert.Equal(shape.SpatialSize, byteSwitches.SourceSize);
        Assert.Equal(pooled, byteSwitches.PooledShape);

        (Tensor<T> byteValues, Switches<byte> perPlane) = Functional.MaxPool2D<T, byte>(source, geometry, IndexConvention.PerPlane);
        BitAssert.Equal<T>(oracle.Values, byteValues.ToArray(), "allocating form, per plane bytes");
        BitAssert.IndicesEqual<byte>(oracle.Indices, perPlane.Indices.ToArray(), "allocating form, per plane bytes");
        (_, Switches<short> global) = Functional.MaxPool2D<T, short>(TensorViews.ChannelsLast(x, shape), geometry, IndexConvention.GlobalRowMajor);
        BitAssert.IndicesEqual<short>(
            IndexConventionReference.FromPerPlane(oracle.Indices, pooled, shape.SpatialSize, IndexConvention.GlobalRowMajor), global.Indices.ToArray(), "allocating form from a view, global row-major shorts");
        Assert.Equal(IndexConvention.GlobalRowMajor, global.Convention);
    }

    /// <summary>
    /// Switches convert to InWindow and back with <see cref="Switches{TIndex}.WithConvention"/> (the geometry they carry
    /// defines the windows): the oracle's taps, the oracle's indices in every convention, and the same unpooling.
    /// </summary>
    [Fact]
    public void SwitchesConvertToAndFromInWindow()
    {
        foreach (InWindowCase c in InWindowCases.Pooling(65).Where((_, i) => i % 5 == 0))
        {
            T[] values = TestData.NonZero<T>((int)c.Pooled.ElementCount, 66);
            Tensor<T> valueTensor = Tensor.Create(values, TensorViews.Lengths(c.Pooled));
            var perPlane = new Switches<short>(Tensor.Create(TestData.Convert<short>(c.PerPlane), TensorViews.Lengths(c.Pooled)), c.Geometry, c.Indexed);
            Switches<short> taps = perPlane.WithConvention(IndexConvention.InWindow);
            Assert.Equal(IndexConvention.InWindow, taps.Convention);
            Assert.Equal(c.Geometry, taps.Geometry);
            Assert.Equal(c.Indexed, taps.SourceSize);
            BitAssert.IndicesEqual<short>(c.Taps, taps.Indices.ToArray(), $"{c}: to InWindow");
            Assert.Same(taps, taps.WithConvention(IndexConvention.InWindow));
            T[] expected = Functional.MaxUnpool2D(valueTensor, perPlane).ToArray();
            BitAssert.Equal<T>(UnpoolReference.MaxUnpool(values, c.PerPlane, c.Pooled.Batch * c.Pooled.Channels, c.Pooled.Height, c.Pooled.Width, c.Indexed.Height, c.Indexed.Width, false), expected, $"{c}: oracle");
            BitAssert.Equal<T>(expected, Functional.MaxUnpool2D(valueTensor, taps).ToArray(), $"{c}: through InWindow switches");
            foreach (IndexConvention other in IndexConventionReference.All)
            {
                Switches<short> back = taps.WithConvention(other);
                Assert.Equal(other, back.Convention);
                BitAssert.IndicesEqual<short>(IndexConventionReference.FromPerPlane(c.PerPlane, c.Pooled, c.Indexed, other), back.Indices.ToArray(), $"{c}: InWindow -> {other}");
            }

            BitAssert.IndicesEqual<short>(c.PerPlane, perPlane.Indices.ToArray(), $"{c}: the original is unchanged");
        }
    }

    private static bool Admits(int size, int defaultSize, int stride) => size > defaultSize - stride && size < defaultSize + stride;
}

public sealed class InWindowUnpoolTestsSingle : InWindowUnpoolTests<float>
{
}

public sealed class InWindowUnpoolTestsDouble : InWindowUnpoolTests<double>
{
}
