using System.Globalization;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// One test per validation rule of <see cref="IndexConvention.InWindow"/>: an index type too narrow for the taps, a tap
/// outside <c>[0, kH*kW)</c>, a tap in the padding, a tap past the output's border, an index converted to InWindow that
/// names a cell outside its window, and the overloads without a geometry; exception type, ParamName, the message's
/// numbers, and destinations left exactly as they were.
/// </summary>
public sealed class InWindowValidationTests
{
    /// <summary>3x3 stride 2 padding 1: [2, 3, 2, 3] unpools by default to [2, 3, 3, 5].</summary>
    private static readonly PoolAxis Axis = new(3, 2, 1, 1);
    private static readonly Pool2DGeometry K3 = new(3, 2, 1);
    private static readonly Shape4D Pooled = new(2, 3, 2, 3);
    private static readonly Size2D Output = new(3, 5);
    private static readonly float[] Values = TestData.NonZero<float>(36, 71);
    private static readonly long[] Taps = InWindowCases.RandomTaps(Pooled, Output, Axis, Axis, new Random(72))!;

    /// <summary>A 16x17 window has 272 taps: tap 271 exceeds byte; 12x11 (132 taps) exceeds sbyte; 16x16 fits byte exactly.</summary>
    [Fact]
    public void PoolingRefusesAnIndexTypeTooNarrowForTheTaps()
    {
        var shape = new Shape4D(1, 2, 16, 17);
        float[] x = TestData.NonZero<float>((int)shape.ElementCount, 73);
        var wide = new Pool2DGeometry(new Size2D(16, 17));
        var values = new GuardedBuffer<float>(2);
        var bytes = new GuardedBuffer<byte>(2);
        ArgumentException e = Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D<float, byte>(x, shape, wide, values.Span, bytes.Span, IndexConvention.InWindow));
        Assert.Contains("271", e.Message, StringComparison.Ordinal);
        Assert.Contains("255", e.Message, StringComparison.Ordinal);
        var tensorValues = new PaddedTensor<float>(new Shape4D(1, 2, 1, 1), 0);
        var tensorBytes = new PaddedTensor<byte>(new Shape4D(1, 2, 1, 1), 0);
        Throws.Param<ArgumentException>(
            "indices", () => Functional.MaxPool2D(new ReadOnlyTensorSpan<float>(x, TensorViews.Lengths(shape)), wide, tensorValues.View, tensorBytes.View, IndexConvention.InWindow));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D<float, byte>(Tensor.Create(x, TensorViews.Lengths(shape)), wide, IndexConvention.InWindow));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2D<float, sbyte>(Tensor.Create(x, TensorViews.Lengths(shape)), new Pool2DGeometry(new Size2D(12, 11)), IndexConvention.InWindow));
        values.AssertUntouched("span values");
        bytes.AssertUntouched("span indices");
        tensorValues.Buffer.AssertUntouched("tensor values");
        tensorBytes.Buffer.AssertUntouched("tensor indices");

        // 16x16: taps 0 to 255, every one a byte.
        (_, Switches<byte> fits) = Functional.MaxPool2D<float, byte>(Tensor.Create(x, TensorViews.Lengths(shape)), new Pool2DGeometry(16, 1), IndexConvention.InWindow);
        Assert.Equal(new Shape4D(1, 2, 1, 2), fits.PooledShape);
    }

    /// <summary>The unpooling, conversion and switches forms refuse it too, naming the argument that holds the narrow type.</summary>
    [Fact]
    public void UnpoolingConversionAndSwitchesRefuseAnIndexTypeTooNarrowForTheTaps()
    {
        var wide = new Pool2DGeometry(new Size2D(16, 17));
        var pooled = new Shape4D(1, 2, 1, 1);
        var destination = new GuardedBuffer<float>(2 * 16 * 17);
        ArgumentException e = Throws.Param<ArgumentException>(
            "indices", () => Functional.MaxUnpool2D<float, byte>(new float[2], new byte[2], pooled, wide, destination.Span, indexConvention: IndexConvention.InWindow));
        Assert.Contains("271", e.Message, StringComparison.Ordinal);
        destination.AssertUntouched("unpool");

        var converted = new GuardedBuffer<byte>(2);
        Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices<byte>(new byte[2], pooled, new Size2D(1, 1), wide, IndexConvention.InWindow, converted.Span, IndexConvention.PerPlane));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices<byte>(new byte[2], pooled, new Size2D(1, 1), wide, IndexConvention.PerPlane, converted.Span, IndexConvention.InWindow));
        converted.AssertUntouched("convert");

        Throws.Param<ArgumentException>("indices", () => new Switches<byte>(Tensor.Create(new byte[2], TensorViews.Lengths(pooled)), wide, new Size2D(16, 17), IndexConvention.InWindow));
        Throws.Param<ArgumentException>("indices", () => new Switches<sbyte>(Tensor.Create(new sbyte[2], TensorViews.Lengths(pooled)), new Pool2DGeometry(new Size2D(12, 11)), new Size2D(12, 11), IndexConvention.InWindow));
        _ = new Switches<byte>(Tensor.Create(new byte[2], TensorViews.Lengths(pooled)), new Pool2DGeometry(16), new Size2D(16, 16), IndexConvention.InWindow);
    }

    /// <summary>
    /// Invalid taps at the first, a middle and the last position: beyond the 9 taps (9, 255 and -1), in the padding
    /// (tap 0 of the corner window lies on row -1), and past the border (taps 6 and 8 of the bottom-right window lie on
    /// row 3 of 3, tap 5 on column 5 of 5). Every unpooling form refuses them naming <c>indices</c> (<c>switches</c> through switches), with the
    /// position and value; nothing is written, with either reduction and any thread count.
    /// </summary>
    [Theory]
    [InlineData(0, 9L, "0 to 8")]
    [InlineData(17, 255L, "0 to 8")]
    [InlineData(35, -1L, "0 to 8")]
    [InlineData(0, 0L, "outside the 3x5 plane")]
    [InlineData(23, 5L, "outside the 3x5 plane")]
    [InlineData(5, 6L, "outside the 3x5 plane")]
    [InlineData(35, 8L, "outside the 3x5 plane")]
    public void UnpoolingRefusesAnInvalidTapAndWritesNothing(int position, long tap, string why)
    {
        Assert.True(IndexConventionReference.CellOfTap(tap, position / 3 % 2, position % 3, Axis, Axis, Output) < 0, "the oracle agrees the tap is invalid");
        long[] taps = (long[])Taps.Clone();
        taps[position] = tap;
        string expected = $"Index {tap.ToString(CultureInfo.InvariantCulture)} at position {position}";
        foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
        {
            foreach (ExecutionOptions options in new[] { ExecutionOptions.SingleThreaded, Threads.Options(3) })
            {
                var destination = new GuardedBuffer<float>(90);
                ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
                    "indices", () => Functional.MaxUnpool2D<float, int>(Values, TestData.Convert<int>(taps), Pooled, K3, destination.Span, Output, IndexConvention.InWindow, reduction, options));
                Assert.Contains(expected, e.Message, StringComparison.Ordinal);
                Assert.Contains(why, e.Message, StringComparison.Ordinal);
                if (tap >= 0)
                {
                    Throws.Param<ArgumentOutOfRangeException>(
                        "indices", () => Functional.MaxUnpool2D<float, byte>(Values, TestData.Convert<byte>(taps), Pooled, K3, destination.Span, Output, IndexConvention.InWindow, reduction, options));
                }

                destination.AssertUntouched($"span form, position {position}, tap {tap}");

                var tensor = new PaddedTensor<float>(Pooled.WithSpatialSize(Output), 1);
                Throws.Param<ArgumentOutOfRangeException>(
                    "indices",
                    () => Functional.MaxUnpool2D(
                        new ReadOnlyTensorSpan<float>(Values, TensorViews.Lengths(Pooled)), new ReadOnlyTensorSpan<long>(taps, TensorViews.Lengths(Pooled)), K3, tensor.View, IndexConvention.InWindow, reduction, options));
                tensor.Buffer.AssertUntouched($"tensor span form, position {position}, tap {tap}");
            }

            Throws.Param<ArgumentOutOfRangeException>(
                "indices",
                () => Functional.MaxUnpool2D(Tensor.Create(Values, TensorViews.Lengths(Pooled)), Tensor.Create(taps, TensorViews.Lengths(Pooled)), K3, indexConvention: IndexConvention.InWindow, reduction: reduction));

            // Switches of a 3x5 input pooled by K3 (ceil mode off: 2x3) built from the invalid taps: the switches are at fault.
            var switches = new Switches<long>(Tensor.Create(taps, TensorViews.Lengths(Pooled)), K3, Output, IndexConvention.InWindow);
            ArgumentOutOfRangeException s = Throws.Param<ArgumentOutOfRangeException>("switches", () => Functional.MaxUnpool2D(Tensor.Create(Values, TensorViews.Lengths(Pooled)), switches, reduction));
            Assert.Contains(expected, s.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The two shortcuts of the tap check: without padding or a window past the border (2x2 stride 2 onto 4x6) a tap is
    /// checked by range alone, over the whole tensor at once; windows wholly inside the plane (3x3 stride 1 padding 1
    /// onto 4x4: the middle 2x2 windows) by range, the others tap by tap. A bad tap anywhere is refused as above.
    /// </summary>
    [Theory]
    [InlineData(2, 2, 0, 2, 3, 0, 4L)]
    [InlineData(2, 2, 0, 2, 3, 17, 255L)]
    [InlineData(2, 2, 0, 2, 3, 35, -1L)]
    [InlineData(3, 1, 1, 4, 4, 5, 9L)]
    [InlineData(3, 1, 1, 4, 4, 26, 200L)]
    [InlineData(3, 1, 1, 4, 4, 16, 0L)]
    [InlineData(3, 1, 1, 4, 4, 95, 8L)]
    public void EveryPathOfTheTapCheckRefusesABadTap(int kernel, int stride, int padding, int pooledH, int pooledW, int position, long tap)
    {
        var axis = new PoolAxis(kernel, stride, padding, 1);
        var geometry = new Pool2DGeometry(kernel, stride, padding);
        var pooled = new Shape4D(2, 3, pooledH, pooledW);
        Size2D output = geometry.GetUnpoolOutputSize(pooled.SpatialSize);
        long[] taps = InWindowCases.RandomTaps(pooled, output, axis, axis, new Random(75))!;
        Assert.True(IndexConventionReference.CellOfTap(tap, position / pooledW % pooledH, position % pooledW, axis, axis, output) < 0, "the oracle agrees the tap is invalid");
        float[] x = TestData.NonZero<float>((int)pooled.ElementCount, 76);
        Functional.MaxUnpool2D<float, long>(x, taps, pooled, geometry, new float[pooled.WithSpatialSize(output).ElementCount], indexConvention: IndexConvention.InWindow);
        taps[position] = tap;
        foreach (UnpoolReduction reduction in new[] { UnpoolReduction.Replace, UnpoolReduction.Sum })
        {
            foreach (ExecutionOptions options in new[] { ExecutionOptions.SingleThreaded, Threads.Options(3) })
            {
                var destination = new GuardedBuffer<float>((int)pooled.WithSpatialSize(output).ElementCount);
                ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
                    "indices", () => Functional.MaxUnpool2D<float, long>(x, taps, pooled, geometry, destination.Span, indexConvention: IndexConvention.InWindow, reduction: reduction, options: options));
                Assert.Contains($"Index {tap.ToString(CultureInfo.InvariantCulture)} at position {position}", e.Message, StringComparison.Ordinal);
                if (tap is >= 0 and <= 255)
                {
                    Throws.Param<ArgumentOutOfRangeException>(
                        "indices", () => Functional.MaxUnpool2D<float, byte>(x, TestData.Convert<byte>(taps), pooled, geometry, destination.Span, indexConvention: IndexConvention.InWindow, reduction: reduction, options: options));
                }

                destination.AssertUntouched($"position {position}, tap {tap}");
            }
        }
    }

    /// <summary>
    /// A tap past a ceil-mode border: 5x5 pooled 2x2 stride 2 with ceil mode gives 3x3, whose last window row and
    /// column lie on row and column 5 of 5. Tap 0 of that window is valid, taps 1 to 3 are not.
    /// </summary>
    [Fact]
    public void UnpoolingRefusesATapPastACeilModeBorder()
    {
        var ceil = new Pool2DGeometry(2, ceilMode: true);
        var pooled = new Shape4D(1, 1, 3, 3);
        float[] x = TestData.NonZero<float>(9, 74);
        var switches = new Switches<byte>(Tensor.Create(new byte[9], TensorViews.Lengths(pooled)), ceil, new Size2D(5, 5), IndexConvention.InWindow);
        _ = Functional.MaxUnpool2D(Tensor.Create(x, TensorViews.Lengths(pooled)), switches);
        foreach (byte tap in new byte[] { 1, 2, 3 })
        {
            byte[] taps = new byte[9];
            taps[8] = tap;
            var bad = new Switches<byte>(Tensor.Create(taps, TensorViews.Lengths(pooled)), ceil, new Size2D(5, 5), IndexConvention.InWindow);
            ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>("switches", () => Functional.MaxUnpool2D(Tensor.Create(x, TensorViews.Lengths(pooled)), bad));
            Assert.Contains($"Index {tap} at position 8", e.Message, StringComparison.Ordinal);
            Assert.Contains("outside the 5x5 plane", e.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Bad taps in two planes: the first position is reported whatever the thread count.</summary>
    [Fact]
    public void TheFirstInvalidTapIsReportedAtAnyThreadCount()
    {
        long[] taps = (long[])Taps.Clone();
        taps[31] = 9;
        taps[8] = 200;
        foreach (int threads in new[] { 1, 2, 3, 6 })
        {
            var destination = new GuardedBuffer<float>(90);
            ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
                "indices", () => Functional.MaxUnpool2D<float, long>(Values, taps, Pooled, K3, destination.Span, Output, IndexConvention.InWindow, options: Threads.Options(threads)));
            Assert.Contains("Index 200 at position 8", e.Message, StringComparison.Ordinal);
            destination.AssertUntouched($"{threads} threads");
        }
    }

    /// <summary>ConvertIndices from InWindow refuses the same invalid taps as unpooling, out of place and in place, writing nothing.</summary>
    [Theory]
    [InlineData(0, 9L)]
    [InlineData(35, -1L)]
    [InlineData(0, 0L)]
    [InlineData(35, 8L)]
    public void ConversionFromInWindowRefusesAnInvalidTap(int position, long tap)
    {
        long[] taps = (long[])Taps.Clone();
        taps[position] = tap;
        foreach (IndexConvention to in IndexConventionReference.All.Append(IndexConvention.InWindow))
        {
            var destination = new GuardedBuffer<long>(36);
            ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
                "indices", () => Functional.ConvertIndices<long>(taps, Pooled, Output, K3, IndexConvention.InWindow, destination.Span, to));
            Assert.Contains($"Index {tap.ToString(CultureInfo.InvariantCulture)} at position {position}", e.Message, StringComparison.Ordinal);
            destination.AssertUntouched($"to {to}");
            long[] before = (long[])taps.Clone();
            Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.ConvertIndices<long>(taps, Pooled, Output, K3, IndexConvention.InWindow, taps, to));
            Assert.Equal(before, taps);
        }
    }

    /// <summary>
    /// Converting to InWindow, an index must name a tap of its own window: a cell of its plane outside the window, a
    /// cell between dilated taps, and (global) a cell of another plane are ArgumentException naming <c>indices</c> with
    /// the position and value; an index outside its source range stays ArgumentOutOfRangeException. Nothing is written.
    /// </summary>
    [Fact]
    public void ConversionToInWindowRefusesACellOutsideTheWindow()
    {
        long[] perPlane = IndexConventionReference.PerPlaneFromInWindow(Taps, Pooled, Output, Axis, Axis);

        // Element 0's window covers rows 0-1, columns 0-1 of the 3x5 plane; cell (2, 4) = 14 is outside it.
        NotATap(perPlane, Pooled, IndexConvention.PerPlane, 0, 14, K3, Output);

        // Dilation 2: element 0's window of 2x2 k2 d2 s2 taps cells (0,0), (0,2), (2,0), (2,2); cell (0, 1) lies between them.
        var dilated = new Pool2DGeometry(2, 2, dilation: 2);
        var dilatedAxis = new PoolAxis(2, 2, 0, 2);
        var small = new Shape4D(1, 1, 2, 2);
        long[] dilatedCells = IndexConventionReference.PerPlaneFromInWindow([0, 1, 2, 3], small, new Size2D(6, 6), dilatedAxis, dilatedAxis);
        NotATap(dilatedCells, small, IndexConvention.PerPlane, 0, 1, dilated, new Size2D(6, 6));

        // Global row-major: element 20 (plane 3) naming the cell of plane 0 that its per-plane index names in plane 3.
        long[] global = IndexConventionReference.FromPerPlane(perPlane, Pooled, Output, IndexConvention.GlobalRowMajor);
        NotATap(global, Pooled, IndexConvention.GlobalRowMajor, 20, perPlane[20], K3, Output);

        long[] outOfRange = (long[])perPlane.Clone();
        outOfRange[7] = 15;
        var destination = new GuardedBuffer<long>(36);
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.ConvertIndices<long>(outOfRange, Pooled, Output, K3, IndexConvention.PerPlane, destination.Span, IndexConvention.InWindow));
        destination.AssertUntouched("out of range");
    }

    /// <summary>The overloads without a geometry refuse InWindow on either side with an ArgumentException pointing to the one with a geometry.</summary>
    [Fact]
    public void OverloadsWithoutAGeometryRefuseInWindow()
    {
        long[] taps = (long[])Taps.Clone();
        foreach ((IndexConvention from, IndexConvention to, string name) in new[]
                 {
                     (IndexConvention.InWindow, IndexConvention.PerPlane, "sourceConvention"),
                     (IndexConvention.PerPlane, IndexConvention.InWindow, "destinationConvention"),
                 })
        {
            var destination = new GuardedBuffer<long>(36);
            ArgumentException e = Throws.Param<ArgumentException>(name, () => Functional.ConvertIndices<long>(taps, Pooled, Output, from, destination.Span, to));
            Assert.Contains("Pool2DGeometry", e.Message, StringComparison.Ordinal);
            destination.AssertUntouched(name);
            var tensor = new PaddedTensor<long>(Pooled, 2);
            Throws.Param<ArgumentException>(name, () => Functional.ConvertIndices(new ReadOnlyTensorSpan<long>(taps, TensorViews.Lengths(Pooled)), Output, from, tensor.View, to));
            tensor.Buffer.AssertUntouched(name);
            Throws.Param<ArgumentException>(name, () => Functional.ConvertIndices(Tensor.Create(taps, TensorViews.Lengths(Pooled)), Output, from, to));
            Throws.Param<ArgumentException>(name, () => Functional.ConvertIndices(new ReadOnlyTensorSpan<long>(taps, TensorViews.Lengths(Pooled)), Output, from, to));
            Assert.Equal(Taps, taps);
        }
    }

    /// <summary>The geometry overloads refuse a default geometry and undefined conventions; the message lists InWindow among the defined ones.</summary>
    [Fact]
    public void GeometryOverloadsRefuseADefaultGeometryAndUndefinedConventions()
    {
        var destination = new GuardedBuffer<long>(36);
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvertIndices<long>(Taps, Pooled, Output, default, IndexConvention.InWindow, destination.Span, IndexConvention.PerPlane));
        Throws.Param<ArgumentException>("geometry", () => Functional.ConvertIndices(Tensor.Create(Taps, TensorViews.Lengths(Pooled)), Output, default, IndexConvention.PerPlane, IndexConvention.InWindow));
        ArgumentOutOfRangeException e = Throws.Param<ArgumentOutOfRangeException>(
            "sourceConvention", () => Functional.ConvertIndices<long>(Taps, Pooled, Output, K3, (IndexConvention)6, destination.Span, IndexConvention.InWindow));
        Assert.Contains("InWindow", e.Message, StringComparison.Ordinal);
        Throws.Param<ArgumentOutOfRangeException>("destinationConvention", () => Functional.ConvertIndices<long>(Taps, Pooled, Output, K3, IndexConvention.InWindow, destination.Span, (IndexConvention)(-1)));
        destination.AssertUntouched("geometry overloads");
    }

    private static void NotATap(long[] valid, Shape4D shape, IndexConvention from, int position, long value, Pool2DGeometry geometry, Size2D indexed)
    {
        long[] indices = (long[])valid.Clone();
        indices[position] = value;
        var destination = new GuardedBuffer<long>(indices.Length);
        ArgumentException e = Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices<long>(indices, shape, indexed, geometry, from, destination.Span, IndexConvention.InWindow));
        Assert.Contains($"Index {value} at position {position}", e.Message, StringComparison.Ordinal);
        Assert.Contains("not a tap", e.Message, StringComparison.Ordinal);
        destination.AssertUntouched($"{from} position {position}");
        long[] before = (long[])indices.Clone();
        Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices<long>(indices, shape, indexed, geometry, from, indices, IndexConvention.InWindow));
        Assert.Equal(before, indices);
    }
}
