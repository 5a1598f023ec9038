using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// MaxPool1D/2D/3DBackward and the double backward: against the scatter-add oracle over a geometry grid (padding,
/// dilation, ceil mode, overlapping and tiling windows), against central finite differences in double, through every
/// index convention and both layouts (the same bits as per-plane channels-first), the adjoint identity with the
/// double backward exact on integers, 1 and 2 threads bit-identical, the tensor and switches forms, and validation.
/// </summary>
public class MaxPoolBackwardTests
{
    private static readonly (PoolAxis Rows, PoolAxis Cols, bool Ceil)[] Grid =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1), false), // tiling: the block kernel's pure write
        (new(3, 2, 1, 1), new(3, 2, 1, 1), false), // overlapping, padded
        (new(3, 1, 1, 1), new(2, 1, 0, 1), false),
        (new(2, 2, 0, 2), new(3, 2, 1, 2), false), // dilated: the source exceeds the unpooling size rule
        (new(3, 2, 0, 1), new(2, 2, 0, 1), true), // ceil mode: a last window past the border
        (new(2, 2, 0, 1), new(3, 3, 1, 1), true),
        (new(1, 1, 0, 1), new(4, 3, 2, 1), false),
    ];

    private static readonly IndexConvention[] Conventions = Enum.GetValues<IndexConvention>();

    [Fact]
    public void MatchesTheScatterAddOracleOverTheGrid()
    {
        int seed = 0;
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Grid)
        {
            foreach ((int h, int w) in new[] { (5, 6), (8, 13), (1, 4) })
            {
                if (!rows.TryGetOutputSize(h, ceil, out _) || !cols.TryGetOutputSize(w, ceil, out _))
                {
                    continue;
                }

                const int n = 2, c = 3;
                double[] x = BackwardReference.Distinct(n * c * h * w, seed++);
                PoolResult<double> pooled = MaxPool2DReference.Pool(x, n * c, h, w, rows, cols, ceil);
                var pooledShape = new Shape4D(n, c, pooled.OutH, pooled.OutW);
                double[] g = BackwardReference.Integers<double>((int)pooledShape.ElementCount, seed++);
                double[] expected = BackwardReference.ScatterAdd(g, pooled.Indices, n * c, pooledShape.PlaneSize, (long)h * w);
                Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, ceil);
                foreach (int threads in new[] { 1, 2 })
                {
                    double[] actual = new double[expected.Length];
                    Functional.MaxPool2DBackward(g, pooled.Indices, pooledShape, geometry, actual, new Size2D(h, w), options: Threads.Options(threads));
                    Same(expected, actual);
                }
            }
        }
    }

    [Fact]
    public void AgreesWithFiniteDifferencesInDouble()
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Grid)
        {
            const int h = 6, w = 7;
            Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, ceil);
            var shape = new Shape4D(1, 2, h, w);
            Shape4D pooledShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
            double[] x = BackwardReference.Distinct((int)shape.ElementCount, 11);
            double[] weights = BackwardReference.Distinct((int)pooledShape.ElementCount, 12);
            double[] Forward(double[] input)
            {
                double[] values = new double[pooledShape.ElementCount];
                Functional.MaxPool2D(input, shape, geometry, values, new long[values.Length]);
                return values;
            }

            long[] indices = new long[pooledShape.ElementCount];
            Functional.MaxPool2D(x, shape, geometry, new double[indices.Length], indices);
            double[] gradient = new double[x.Length];
            Functional.MaxPool2DBackward(weights, indices, pooledShape, geometry, gradient, shape.SpatialSize);
            double[] numeric = BackwardReference.FiniteDifference(Forward, x, weights, 1e-3);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(numeric[i] - gradient[i]) <= 1e-9 * (1 + Math.Abs(gradient[i])), $"{geometry}: cell {i}: {gradient[i]} vs finite difference {numeric[i]}");
            }
        }
    }

    [Fact]
    public void EveryConventionAndLayoutGivesThePerPlaneChannelsFirstBits()
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Grid)
        {
            const int n = 2, c = 3, h = 7, w = 9;
            var shape = new Shape4D(n, c, h, w);
            Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, ceil);
            Shape4D pooledShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
            double[] x = BackwardReference.Distinct((int)shape.ElementCount, 5);
            double[] g = BackwardReference.Distinct((int)pooledShape.ElementCount, 6);
            double[] expected = Backward2D(x, g, shape, pooledShape, geometry, IndexConvention.PerPlane, 1);
            double[] xLast = BackwardReference.ToChannelsLast(x, n, c, shape.PlaneSize), gLast = BackwardReference.ToChannelsLast(g, n, c, pooledShape.PlaneSize);
            double[] expectedLast = BackwardReference.ToChannelsLast(expected, n, c, shape.PlaneSize);
            var shapeLast = Shape4D.ChannelsLast(n, h, w, c);
            var pooledLast = Shape4D.ChannelsLast(n, pooledShape.Height, pooledShape.Width, c);
            foreach (IndexConvention convention in Conventions)
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    Same(expected, Backward2D(x, g, shape, pooledShape, geometry, convention, threads));
                    Same(expectedLast, Backward2D(xLast, gLast, shapeLast, pooledLast, geometry, convention, threads));
                }
            }

            // Byte switches (InWindow taps in a byte): the compact form of the A1 benchmark.
            byte[] taps = new byte[pooledShape.ElementCount];
            Functional.MaxPool2D(x, shape, geometry, new double[taps.Length], taps, IndexConvention.InWindow);
            double[] fromBytes = new double[x.Length];
            Functional.MaxPool2DBackward(g, taps, pooledShape, geometry, fromBytes, shape.SpatialSize, IndexConvention.InWindow, Threads.Options(2));
            Same(expected, fromBytes);
        }
    }

    [Fact]
    public void OneAndThreeDimensionsMatchTheOracle()
    {
        // 1-D: planes of one row.
        foreach ((PoolAxis axis, bool ceil) in new[] { (new PoolAxis(2, 2, 0, 1), false), (new PoolAxis(3, 2, 1, 2), false), (new PoolAxis(3, 2, 0, 1), true) })
        {
            var shape = new Shape3D(2, 3, 11);
            var geometry = new Pool1DGeometry(axis.Kernel, axis.Stride, axis.Padding, axis.Dilation, ceil);
            Shape3D pooledShape = shape.WithLength(geometry.GetOutputSize(shape.Length));
            double[] x = BackwardReference.Distinct((int)shape.ElementCount, 7);
            double[] g = BackwardReference.Integers<double>((int)pooledShape.ElementCount, 8);
            foreach (IndexConvention convention in Conventions)
            {
                long[] indices = new long[pooledShape.ElementCount], perPlane = new long[indices.Length];
                Functional.MaxPool1D(x, shape, geometry, new double[indices.Length], perPlane);
                Functional.MaxPool1D(x, shape, geometry, new double[indices.Length], indices, convention);
                double[] expected = BackwardReference.ScatterAdd(g, perPlane, 6, pooledShape.Length, shape.Length);
                double[] actual = new double[x.Length];
                Functional.MaxPool1DBackward(g, indices, pooledShape, geometry, actual, shape.Length, convention, Threads.Options(2));
                Same(expected, actual);
            }
        }

        // 3-D, both layouts.
        foreach (Pool3DGeometry geometry in new[] { new Pool3DGeometry(new Size3D(2, 2, 2)), new Pool3DGeometry(new Size3D(3, 2, 3), new Size3D(2, 1, 2), new Size3D(1, 0, 1)), new Pool3DGeometry(new Size3D(2, 2, 2), dilation: new Size3D(2, 1, 2), ceilMode: true) })
        {
            var shape = new Shape5D(2, 2, 5, 4, 6);
            Shape5D pooledShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
            double[] x = BackwardReference.Distinct((int)shape.ElementCount, 9);
            double[] g = BackwardReference.Integers<double>((int)pooledShape.ElementCount, 10);
            long[] perPlane = new long[pooledShape.ElementCount];
            Functional.MaxPool3D(x, shape, geometry, new double[perPlane.Length], perPlane);
            double[] expected = BackwardReference.ScatterAdd(g, perPlane, 4, pooledShape.PlaneSize, shape.PlaneSize);
            double[] xLast = BackwardReference.ToChannelsLast(x, 2, 2, shape.PlaneSize), gLast = BackwardReference.ToChannelsLast(g, 2, 2, pooledShape.PlaneSize);
            var shapeLast = Shape5D.ChannelsLast(2, 5, 4, 6, 2);
            var pooledLast = Shape5D.ChannelsLast(2, pooledShape.Depth, pooledShape.Height, pooledShape.Width, 2);
            foreach (IndexConvention convention in Conventions)
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    long[] indices = new long[perPlane.Length];
                    Functional.MaxPool3D(x, shape, geometry, new double[indices.Length], indices, convention);
                    double[] actual = new double[x.Length];
                    Functional.MaxPool3DBackward(g, indices, pooledShape, geometry, actual, shape.SpatialSize, convention, Threads.Options(threads));
                    Same(expected, actual);

                    Functional.MaxPool3D(xLast, shapeLast, geometry, new double[indices.Length], indices, convention);
                    Functional.MaxPool3DBackward(gLast, indices, pooledLast, geometry, actual, shape.SpatialSize, convention, Threads.Options(threads));
                    Same(BackwardReference.ToChannelsLast(expected, 2, 2, shape.PlaneSize), actual);
                }
            }
        }
    }

    /// <summary>The backward is linear in the gradient and its adjoint is the double backward: exact on integers.</summary>
    [Fact]
    public void DoubleBackwardIsTheAdjointAndTheGatherExactOnIntegers()
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Grid)
        {
            var shape = new Shape4D(2, 2, 7, 8);
            Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, ceil);
            Shape4D pooledShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));
            long[] x = BackwardReference.Distinct((int)shape.ElementCount, 21).Select(v => (long)(v * 4)).ToArray();
            long[] g = BackwardReference.Integers<long>((int)pooledShape.ElementCount, 22);
            long[] y = BackwardReference.Integers<long>((int)shape.ElementCount, 23);
            foreach (IndexConvention convention in new[] { IndexConvention.PerPlane, IndexConvention.InWindow, IndexConvention.GlobalColumnMajor })
            {
                long[] indices = new long[pooledShape.ElementCount], perPlane = new long[indices.Length];
                Functional.MaxPool2D(x, shape, geometry, new long[indices.Length], indices, convention);
                Functional.MaxPool2D(x, shape, geometry, new long[indices.Length], perPlane);
                long[] backward = new long[shape.ElementCount], doubleBackward = new long[pooledShape.ElementCount];
                Functional.MaxPool2DBackward(g, indices, pooledShape, geometry, backward, shape.SpatialSize, convention);
                Functional.MaxPool2DDoubleBackward(y, indices, pooledShape, geometry, doubleBackward, shape.SpatialSize, convention, Threads.Options(2));
                Assert.Equal(BackwardReference.Dot(backward, y), BackwardReference.Dot(g, doubleBackward));
                Assert.Equal(BackwardReference.Gather(y, perPlane, 4, pooledShape.PlaneSize, shape.PlaneSize), doubleBackward);
            }
        }

        // 1-D and 3-D double backward: the same gather.
        var s1 = new Shape3D(1, 2, 9);
        var g1 = new Pool1DGeometry(3, 2, 1);
        var p1 = s1.WithLength(g1.GetOutputSize(9));
        double[] x1 = BackwardReference.Distinct(18, 1), y1 = BackwardReference.Integers<double>(18, 2);
        long[] i1 = new long[p1.ElementCount];
        Functional.MaxPool1D(x1, s1, g1, new double[i1.Length], i1);
        double[] r1 = new double[i1.Length];
        Functional.MaxPool1DDoubleBackward(y1, i1, p1, g1, r1, 9);
        Assert.Equal(BackwardReference.Gather(y1, i1, 2, p1.Length, 9), r1);
        var s3 = new Shape5D(1, 2, 4, 4, 5);
        var g3 = new Pool3DGeometry(new Size3D(2, 3, 2), new Size3D(2, 1, 2), new Size3D(0, 1, 0));
        var p3 = s3.WithSpatialSize(g3.GetOutputSize(s3.SpatialSize));
        double[] x3 = BackwardReference.Distinct((int)s3.ElementCount, 3), y3 = BackwardReference.Integers<double>((int)s3.ElementCount, 4);
        long[] i3 = new long[p3.ElementCount], t3 = new long[p3.ElementCount];
        Functional.MaxPool3D(x3, s3, g3, new double[i3.Length], i3);
        Functional.MaxPool3D(x3, s3, g3, new double[i3.Length], t3, IndexConvention.InWindow);
        double[] r3 = new double[i3.Length];
        Functional.MaxPool3DDoubleBackward(y3, t3, p3, g3, r3, s3.SpatialSize, IndexConvention.InWindow);
        Assert.Equal(BackwardReference.Gather(y3, i3, 2, p3.PlaneSize, s3.PlaneSize), r3);
    }

    [Fact]
    public void TensorAndSwitchesFormsMatchTheSpanForm()
    {
        var shape = new Shape4D(2, 3, 9, 10);
        var geometry = new Pool2DGeometry(3, stride: 2, padding: 1);
        double[] x = BackwardReference.Distinct((int)shape.ElementCount, 31);
        var source = System.Numerics.Tensors.Tensor.Create(x, [2, 3, 9, 10]);
        (var values, Switches<long> switches) = Functional.MaxPool2D(source, geometry);
        double[] g = BackwardReference.Integers<double>((int)values.FlattenedLength, 32);
        var gradient = System.Numerics.Tensors.Tensor.Create(g, values.Lengths);
        double[] expected = new double[x.Length];
        Functional.MaxPool2DBackward(g, switches.Indices.ToArray(), switches.PooledShape, geometry, expected, shape.SpatialSize);
        Assert.Equal(expected, Functional.MaxPool2DBackward(gradient, switches).ToArray());
        var result = System.Numerics.Tensors.Tensor.Create(new double[x.Length], [2, 3, 9, 10]);
        Functional.MaxPool2DBackward(gradient.AsReadOnlyTensorSpan(), switches.Indices.AsReadOnlyTensorSpan(), geometry, result.AsTensorSpan(), options: Threads.Options(2));
        Assert.Equal(expected, result.ToArray());

        // Byte switches through the allocating forms, 1-D and 3-D.
        (_, Switches<byte> bytes) = Functional.MaxPool2D<double, byte>(source, geometry, IndexConvention.InWindow);
        Assert.Equal(expected, Functional.MaxPool2DBackward(gradient, bytes).ToArray());
        var source1 = System.Numerics.Tensors.Tensor.Create(x, [6, 9, 10]);
        (var v1, Switches1D<long> s1) = Functional.MaxPool1D(source1, new Pool1DGeometry(3, 2));
        double[] g1 = BackwardReference.Integers<double>((int)v1.FlattenedLength, 33);
        double[] e1 = new double[x.Length];
        Functional.MaxPool1DBackward(g1, s1.Indices.ToArray(), s1.PooledShape, s1.Geometry, e1, 10);
        Assert.Equal(e1, Functional.MaxPool1DBackward(System.Numerics.Tensors.Tensor.Create(g1, v1.Lengths), s1).ToArray());
        var source3 = System.Numerics.Tensors.Tensor.Create(x, [1, 2, 3, 9, 10]);
        var geometry3 = new Pool3DGeometry(new Size3D(2, 3, 2), padding: new Size3D(1, 1, 0));
        (var v3, Switches3D<long> s3) = Functional.MaxPool3D(source3, geometry3);
        double[] g3 = BackwardReference.Integers<double>((int)v3.FlattenedLength, 34);
        double[] e3 = new double[x.Length];
        Functional.MaxPool3DBackward(g3, s3.Indices.ToArray(), s3.PooledShape, geometry3, e3, s3.SourceSize);
        Assert.Equal(e3, Functional.MaxPool3DBackward(System.Numerics.Tensors.Tensor.Create(g3, v3.Lengths), s3).ToArray());
        var r3 = System.Numerics.Tensors.Tensor.Create(new double[x.Length], [1, 2, 3, 9, 10]);
        Functional.MaxPool3DBackward(System.Numerics.Tensors.Tensor.Create(g3, v3.Lengths).AsReadOnlyTensorSpan(), s3.Indices.AsReadOnlyTensorSpan(), geometry3, r3.AsTensorSpan());
        Assert.Equal(e3, r3.ToArray());
    }

    /// <summary>
    /// The one documented difference of the pure write: a -0 gradient through tiling windows stays -0 (a sum into zeros
    /// gives +0, PyTorch's bits, which overlapping windows keep).
    /// </summary>
    [Fact]
    public void NegativeZeroStaysNegativeThroughTilingWindowsOnly()
    {
        var shape = new Shape4D(1, 1, 4, 4);
        double[] x = BackwardReference.Distinct(16, 41);
        double[] g = [-0.0, -0.0, -0.0, -0.0];
        long[] indices = new long[4];
        var tiling = new Pool2DGeometry(2);
        Functional.MaxPool2D(x, shape, tiling, new double[4], indices);
        double[] dx = new double[16];
        Functional.MaxPool2DBackward(g, indices, new Shape4D(1, 1, 2, 2), tiling, dx, new Size2D(4, 4));
        Assert.Equal(4, dx.Count(double.IsNegative));
        var overlapping = new Pool2DGeometry(3, stride: 1);
        Functional.MaxPool2D(x, shape, overlapping, new double[4], indices);
        Functional.MaxPool2DBackward(g, indices, new Shape4D(1, 1, 2, 2), overlapping, dx, new Size2D(4, 4));
        Assert.Equal(0, dx.Count(double.IsNegative));
    }

    /// <summary>
    /// 3-D tiling windows write once too (per-plane indices and byte switches): -0 stays -0 channels-first; overlapping
    /// windows and the channels-last kernel sum into zeros (+0). Indices outside their own block (a hand-made input
    /// pooling never writes) take the scatter, equal to the oracle.
    /// </summary>
    [Fact]
    public void ThreeDimensionalTilingWindowsWriteOnce()
    {
        var shape = new Shape5D(1, 2, 4, 4, 4);
        var pooled = new Shape5D(1, 2, 2, 2, 2);
        var tiling = new Pool3DGeometry(new Size3D(2, 2, 2));
        double[] x = BackwardReference.Distinct((int)shape.ElementCount, 43);
        double[] g = Enumerable.Repeat(-0.0, 16).ToArray();
        long[] indices = new long[16];
        byte[] taps = new byte[16];
        Functional.MaxPool3D(x, shape, tiling, new double[16], indices);
        Functional.MaxPool3D(x, shape, tiling, new double[16], taps, IndexConvention.InWindow);
        foreach (int threads in new[] { 1, 2 })
        {
            double[] dx = new double[shape.ElementCount];
            Functional.MaxPool3DBackward(g, indices, pooled, tiling, dx, shape.SpatialSize, options: Threads.Options(threads));
            Assert.Equal(16, dx.Count(double.IsNegative));
            Array.Clear(dx);
            Functional.MaxPool3DBackward(g, taps, pooled, tiling, dx, shape.SpatialSize, IndexConvention.InWindow, Threads.Options(threads));
            Assert.Equal(16, dx.Count(double.IsNegative));
            Functional.MaxPool3DBackward(g, indices, Shape5D.ChannelsLast(1, 2, 2, 2, 2), tiling, dx, shape.SpatialSize, options: Threads.Options(threads));
            Assert.Equal(0, dx.Count(double.IsNegative));
        }

        var overlapping = new Pool3DGeometry(new Size3D(3, 3, 3), new Size3D(1, 1, 1));
        Functional.MaxPool3D(x, shape, overlapping, new double[16], indices);
        double[] summed = new double[shape.ElementCount];
        Functional.MaxPool3DBackward(g, indices, pooled, overlapping, summed, shape.SpatialSize);
        Assert.Equal(0, summed.Count(double.IsNegative));

        // Plane 1's first index names a cell of its neighbour's block: the scatter (with its sums) serves.
        Functional.MaxPool3D(x, shape, tiling, new double[16], indices);
        indices[8] = indices[9];
        double[] integers = BackwardReference.Integers<double>(16, 44);
        double[] expected = BackwardReference.ScatterAdd(integers, indices, 2, 8, 64);
        foreach (int threads in new[] { 1, 2 })
        {
            double[] actual = new double[shape.ElementCount];
            Functional.MaxPool3DBackward(integers, indices, pooled, tiling, actual, shape.SpatialSize, options: Threads.Options(threads));
            Same(expected, actual);
        }
    }

    /// <summary>The 3-D write-once path at every width of the block writer, pooled widths at every vector boundary.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public unsafe void ThreeDimensionalWriteOnceEqualsTheOracleAtEveryWidth()
    {
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (int w in KernelWidths.BoundaryWidths(KernelWidths.Count<double>(width)))
            {
                foreach (Size3D k in new[] { new Size3D(2, 2, 2), new Size3D(1, 3, 2), new Size3D(2, 1, 4) })
                {
                    var pooled = new Size3D(2, 2, w);
                    var input = new Size3D((pooled.Depth * k.Depth) + 1, pooled.Height * k.Height, pooled.Width * k.Width);
                    var random = new Random(w + k.Width);
                    const int planes = 2;
                    long inVolume = pooled.Volume, outVolume = input.Volume;
                    var indices = new long[planes * inVolume];
                    for (long p = 0; p < indices.Length; p++)
                    {
                        long at = p % inVolume, d = at / (pooled.Height * pooled.Width), i = at / pooled.Width % pooled.Height, j = at % pooled.Width;
                        indices[p] = (((((d * k.Depth) + random.Next(k.Depth)) * input.Height) + (i * k.Height) + random.Next(k.Height)) * input.Width) + (j * k.Width) + random.Next(k.Width);
                    }

                    double[] g = BackwardReference.Integers<double>(indices.Length, w).Select(v => v == 0 ? 1.0 : v).ToArray();
                    double[] expected = BackwardReference.ScatterAdd(g, indices, planes, inVolume, outVolume);
                    double[] actual = new double[expected.Length];
                    fixed (double* s = g)
                    fixed (long* idx = indices)
                    fixed (double* dst = actual)
                    {
                        Assert.True(Unpooling.Internal.BlockKernel.TryUnpoolDense3D(s, idx, dst, planes, pooled, input, k, 1, KernelWidths.Bits(width)));
                    }

                    Same(expected, actual);
                }
            }
        }
    }

    /// <summary>
    /// The 3-D encoder tests a vector of indices at a time (32- and 64-bit): on rows of 40 cells (whole vectors and an
    /// overlapping last one) every index in its block writes the oracle's result; one index moved to the neighbouring
    /// block, to the next depth slice's block, or made negative, at the first, a middle and the last cell of a row,
    /// refuses and writes nothing (the scatter then serves, which the public tests check).
    /// </summary>
    [Fact]
    public unsafe void ThreeDimensionalEncodeRefusesAnIndexOutsideItsBlockAnywhereInARow()
    {
        var pooled = new Size3D(2, 2, 40);
        var k = new Size3D(2, 2, 2);
        var output = new Size3D(4, 4, 80);
        const int planes = 2;
        long inVolume = pooled.Volume, outVolume = output.Volume;
        var random = new Random(61);
        var indices = new long[planes * inVolume];
        for (long p = 0; p < indices.Length; p++)
        {
            long at = p % inVolume, d = at / (pooled.Height * pooled.Width), i = at / pooled.Width % pooled.Height, j = at % pooled.Width;
            indices[p] = (((((d * k.Depth) + random.Next(2)) * output.Height) + (i * k.Height) + random.Next(2)) * output.Width) + (j * k.Width) + random.Next(2);
        }

        double[] g = BackwardReference.Integers<double>(indices.Length, 62).Select(v => v == 0 ? 1.0 : v).ToArray();
        double[] expected = BackwardReference.ScatterAdd(g, indices, planes, inVolume, outVolume);
        Assert.True(Dense(indices, out double[] all), "every index in its block");
        Same(expected, all);
        Assert.True(Dense(indices.Select(v => (int)v).ToArray(), out all), "every 32-bit index in its block");
        Same(expected, all);

        foreach (int cell in new[] { 0, 17, 39, 40 + 39, (int)inVolume + 23 })
        {
            foreach (long moved in new[] { indices[cell] + k.Width, indices[cell] + (k.Depth * output.Height * output.Width), -1 })
            {
                long[] bad = (long[])indices.Clone();
                bad[cell] = moved;
                Assert.False(Dense(bad, out double[] written), $"64-bit cell {cell} index {moved}");
                Assert.All(written, v => Assert.Equal(7.0, v));
                Assert.False(Dense(bad.Select(v => (int)v).ToArray(), out written), $"32-bit cell {cell} index {moved}");
                Assert.All(written, v => Assert.Equal(7.0, v));
            }
        }

        bool Dense<TIndex>(TIndex[] idx, out double[] result)
            where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
        {
            result = Enumerable.Repeat(7.0, (int)(planes * outVolume)).ToArray();
            fixed (double* s = g)
            fixed (TIndex* i = idx)
            fixed (double* dst = result)
            {
                return Unpooling.Internal.BlockKernel.TryUnpoolDense3D(s, i, dst, planes, pooled, output, k, 2);
            }
        }
    }

    [Fact]
    public void ValidationNamesTheArgumentAndWritesNothing()
    {
        var pooled = new Shape4D(1, 2, 3, 3);
        var geometry = new Pool2DGeometry(2);
        var size = new Size2D(6, 6);
        double[] g = new double[18], dx = Enumerable.Repeat(7.0, 72).ToArray();
        long[] indices = new long[18];
        Throws.Param<ArgumentException>("outputGradient", () => Functional.MaxPool2DBackward(new double[17], indices, pooled, geometry, dx, size));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool2DBackward(g, new long[19], pooled, geometry, dx, size));
        Throws.Param<ArgumentException>("sourceGradient", () => Functional.MaxPool2DBackward(g, indices, pooled, geometry, new double[71], size));
        Throws.Param<ArgumentException>("pooledShape", () => Functional.MaxPool2DBackward(g, indices, pooled, geometry, new double[2 * 64], new Size2D(8, 8)));
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => Functional.MaxPool2DBackward(g, indices, pooled, geometry, dx, size, (IndexConvention)99));
        Throws.Param<ArgumentException>("sourceGradient", () => Functional.MaxPool2DBackward(dx.AsSpan(0, 18), indices, pooled, geometry, dx, size));
        indices[5] = 36;
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxPool2DBackward(g, indices, pooled, geometry, dx, size));
        indices[5] = 4;
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxPool2DBackward(g, indices, pooled, geometry, dx, size, IndexConvention.InWindow));
        Throws.Param<ArgumentOutOfRangeException>("indices", () => Functional.MaxPool2DDoubleBackward(dx, indices, pooled, geometry, g, size, IndexConvention.InWindow));
        Assert.All(dx, v => Assert.Equal(7.0, v));
        Assert.All(g, v => Assert.Equal(0.0, v));
        Throws.Param<ArgumentException>("pooledShape", () => Functional.MaxPool1DBackward(new double[4], new long[4], new Shape3D(1, 1, 4), new Pool1DGeometry(2), new double[10], 10));
        Throws.Param<ArgumentException>("pooledShape", () => Functional.MaxPool3DBackward(new double[1], new long[1], new Shape5D(1, 1, 1, 1, 1), new Pool3DGeometry(new Size3D(2, 2, 2)), new double[64], new Size3D(4, 4, 4)));
    }

    [Fact]
    public void SpanFormsAllocateNothing()
    {
        var shape = new Shape4D(2, 3, 16, 20);
        var pooled = new Shape4D(2, 3, 8, 10);
        double[] x = BackwardReference.Distinct((int)shape.ElementCount, 1), g = new double[pooled.ElementCount], dx = new double[x.Length];
        long[] indices = new long[g.Length];
        byte[] taps = new byte[g.Length];
        var geometry = new Pool2DGeometry(2);
        var overlap = new Pool2DGeometry(3, stride: 2, padding: 1);
        Functional.MaxPool2D(x, shape, geometry, g, indices);
        Functional.MaxPool2D(x, shape, geometry, g, taps, IndexConvention.InWindow);
        void Run()
        {
            Functional.MaxPool2DBackward(g, indices, pooled, geometry, dx, shape.SpatialSize, options: ExecutionOptions.SingleThreaded);
            Functional.MaxPool2DBackward(g, taps, pooled, geometry, dx, shape.SpatialSize, IndexConvention.InWindow, ExecutionOptions.SingleThreaded);
            Functional.MaxPool2DBackward(g, indices, pooled, overlap, dx, shape.SpatialSize, options: ExecutionOptions.SingleThreaded);
            Functional.MaxPool2DDoubleBackward(dx, indices, pooled, geometry, g, shape.SpatialSize, options: ExecutionOptions.SingleThreaded);
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void Same(double[] expected, double[] actual) => BitAssert.Equal<double>(expected, actual, "backward");

    private static double[] Backward2D(double[] x, double[] g, Shape4D shape, Shape4D pooledShape, Pool2DGeometry geometry, IndexConvention convention, int threads)
    {
        long[] indices = new long[pooledShape.ElementCount];
        Functional.MaxPool2D(x, shape, geometry, new double[indices.Length], indices, convention);
        double[] dx = new double[x.Length];
        Functional.MaxPool2DBackward(g, indices, pooledShape, geometry, dx, shape.SpatialSize, convention, Threads.Options(threads));
        return dx;
    }
}
