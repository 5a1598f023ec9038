using Unpooling.Layers;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;
using static Unpooling.Tests.Reference.ConvBackwardReference;

namespace Unpooling.Tests.Layers;

/// <summary>
/// The layer objects against the independent oracles: a convolution layer's forward is
/// <see cref="ConvBackwardReference.Forward"/> of its own weights, its backward the reference gradients (the weight and
/// bias gradients added up over calls, as PyTorch's <c>.grad</c>); a pooling layer keeps the reference's switches, its
/// backward is the reference scatter; the unpooling layer puts values at the pooling layer's switches and gathers there
/// backward. Also the initialisation (PyTorch's bound, the same values for the same seed), validation, and no allocation
/// in steady state.
/// </summary>
public sealed class LayerTests
{
    private const double Tolerance = 1e-12;

    public static TheoryData<int, bool> RanksAndKinds => new() { { 1, false }, { 1, true }, { 2, false }, { 2, true }, { 3, false }, { 3, true } };

    [Theory]
    [MemberData(nameof(RanksAndKinds))]
    public void ConvolutionLayersMatchTheDefinitionAndAccumulateGradients(int rank, bool transposed)
    {
        // Grouped, strided, padded; transposed with output padding. Trivial leading axes make the lower ranks.
        int[] k = Axes(rank, 3, 1), s = Axes(rank, 2, 1), p = Axes(rank, 1, 0), d = Axes(rank, 1, 1), op = Axes(rank, transposed ? 1 : 0, 0);
        int[] input = rank == 1 ? [1, 1, 7] : rank == 2 ? [1, 5, 6] : [4, 3, 5];
        var problem = new Problem(k, s, p, p, d, op, Groups: 2, Batch: 2, Cin: 4, Cout: 6, In: input);
        var layer = ConvLayer.Create(rank, transposed, problem, seed: 7);
        double[] x = BackwardReference.Distinct(problem.Batch * problem.Cin * Problem.Volume(input), seed: 1);
        double[] w = layer.Weight.ToArray();
        double[] b = layer.Bias.ToArray();
        Assert.Equal(problem.Cout, b.Length);

        double[] expectedY = Forward(transposed, problem, x, w, b);
        var y = new double[expectedY.Length];
        layer.Forward(x, y);
        AssertClose(expectedY, y, "forward");

        double[] dy = BackwardReference.Distinct(y.Length, seed: 2);
        (double[] dx, double[] dw, double[] db) = Backward(transposed, problem, dy, x, w);
        var sourceGradient = new double[x.Length];
        layer.Backward(x, dy, sourceGradient);
        AssertClose(dx, sourceGradient, "source gradient");
        AssertClose(dw, layer.WeightGradient.ToArray(), "weight gradient");
        AssertClose(db, layer.BiasGradient.ToArray(), "bias gradient");

        // A second backward adds the same gradients again; an empty source gradient is "not wanted".
        layer.Backward(x, dy, []);
        AssertClose(dw.Select(v => 2 * v).ToArray(), layer.WeightGradient.ToArray(), "weight gradient after two calls");
        AssertClose(db.Select(v => 2 * v).ToArray(), layer.BiasGradient.ToArray(), "bias gradient after two calls");
        layer.ZeroGradients();
        Assert.All(layer.WeightGradient.ToArray(), v => Assert.Equal(0, v));
        Assert.All(layer.BiasGradient.ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void InitialisationIsPyTorchsBoundAndFollowsTheSeed()
    {
        // Conv2d(8, 16, 3): fanIn = 8*3*3 = 72, bound 1/sqrt(72); ConvTranspose2d(8, 16, 3, groups 2): the weight's second
        // axis, 16/2 = 8, times 9 taps, also 72.
        var conv = new Conv2D<double>(8, 16, new Conv2DGeometry(3), seed: 42);
        var again = new Conv2D<double>(8, 16, new Conv2DGeometry(3), seed: 42);
        var other = new Conv2D<double>(8, 16, new Conv2DGeometry(3), seed: 43);
        var transposed = new ConvTranspose2D<double>(8, 16, new Conv2DGeometry(3, groups: 2), seed: 42);
        double bound = 1 / Math.Sqrt(72);
        Assert.Equal(new Shape4D(16, 8, 3, 3), conv.WeightShape);
        Assert.Equal(new Shape4D(8, 8, 3, 3), transposed.WeightShape);
        foreach (double[] values in new[] { conv.Weight.ToArray(), conv.Bias.ToArray(), transposed.Weight.ToArray() })
        {
            Assert.All(values, v => Assert.InRange(v, -bound, bound));

            // Uniform on (-bound, bound): the mean of |v| is bound/2; 1,152 draws keep it within 10% of that.
            Assert.InRange(values.Length > 100 ? values.Average(Math.Abs) : bound / 2, 0.45 * bound, 0.55 * bound);
        }

        Assert.Equal(conv.Weight.ToArray(), again.Weight.ToArray());
        Assert.Equal(conv.Bias.ToArray(), again.Bias.ToArray());
        Assert.NotEqual(conv.Weight.ToArray(), other.Weight.ToArray());
        Assert.True(new Conv2D<float>(8, 16, new Conv2DGeometry(3), bias: false).Bias.IsEmpty);
    }

    [Fact]
    public void PoolingLayersKeepTheSwitchesForBackwardAndTheDecoder()
    {
        // [2, 3, 6, 7] pooled 2x2 / 2 into [2, 3, 3, 3] (the last column unread), byte switches in-window.
        var shape = new Shape4D(2, 3, 6, 7);
        float[] x = BackwardReference.Distinct((int)shape.ElementCount, seed: 3).Select(v => (float)v).ToArray();
        var geometry = new Pool2DGeometry(2);
        PoolResult<float> expected = MaxPool2DReference.Pool(x, 6, 6, 7, new PoolAxis(2, 2, 0, 1), new PoolAxis(2, 2, 0, 1), ceilMode: false);
        var pooling = new MaxPool2D<float, long>(geometry);
        var pooled = new float[expected.Values.Length];
        pooling.Forward(x, shape, pooled);
        Assert.Equal(expected.Values, pooled);
        Assert.Equal(expected.Indices, pooling.Indices.ToArray());
        Assert.Equal(shape, pooling.SourceShape);
        Assert.Equal(new Shape4D(2, 3, 3, 3), pooling.PooledShape);

        float[] dy = BackwardReference.Integers<float>(pooled.Length, seed: 4);
        var dx = new float[x.Length];
        pooling.Backward(dy, dx);
        Assert.Equal(BackwardReference.ScatterAdd(dy, expected.Indices, 6, 9, 42), dx);

        // The decoder: the values back at the switches (distinct targets, so a scatter), and their gather backward.
        var unpooling = new MaxUnpool2D<float, long>(geometry);
        var restored = new float[x.Length];
        unpooling.Forward(pooled, pooling, restored);
        Assert.Equal(BackwardReference.ScatterAdd(pooled, expected.Indices, 6, 9, 42), restored);
        float[] dz = BackwardReference.Integers<float>(x.Length, seed: 5);
        var dv = new float[pooled.Length];
        unpooling.Backward(dz, pooling, dv);
        Assert.Equal(BackwardReference.Gather(dz, expected.Indices, 6, 9, 42), dv);

        // Byte switches in-window carry the same positions: the same gradient and the same unpooling.
        var bytes = new MaxPool2D<float, byte>(geometry, IndexConvention.InWindow);
        bytes.Forward(x, shape, pooled);
        var dxBytes = new float[x.Length];
        bytes.Backward(dy, dxBytes);
        Assert.Equal(dx, dxBytes);
        var restoredBytes = new float[x.Length];
        new MaxUnpool2D<float, byte>(geometry, IndexConvention.InWindow).Forward(pooled, bytes, restoredBytes);
        Assert.Equal(restored, restoredBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void PoolingLayersOfTheOtherRanksMatchTheOracles(int rank)
    {
        // 1-D: [2, 3, 9] pooled by 3 / 2 with padding 1; 3-D: [1, 2, 4, 5, 6] by 2 / 2. Per-plane indices from the oracle's cells.
        int d = rank == 3 ? 4 : 1, h = rank == 3 ? 5 : 1, w = rank == 3 ? 6 : 9, planes = rank == 3 ? 2 : 6;
        float[] x = BackwardReference.Distinct(planes * d * h * w, seed: 6).Select(v => (float)v).ToArray();
        var unit = new Axis3(1, 1, 0, 0, 1);
        Axis3 axis = rank == 3 ? new Axis3(2, 2, 0, 0, 1) : new Axis3(3, 2, 1, 1, 1);
        Pool3DResult<float> expected = Pool3DReference.Pool(x, rank == 3 ? 1 : 2, rank == 3 ? 2 : 3, d, h, w, rank == 3 ? axis : unit, rank == 3 ? axis : unit, axis, ceilMode: false)!;
        long[] perPlane = expected.Cells.Select(c => (long)(((c.D * h) + c.H) * w) + c.W).ToArray();
        long pooledPlane = (long)expected.OutD * expected.OutH * expected.OutW;
        float[] pooled = new float[expected.Values.Length], dx = new float[x.Length], restored = new float[x.Length];
        float[] dy = BackwardReference.Integers<float>(pooled.Length, seed: 7);
        if (rank == 1)
        {
            var pooling = new MaxPool1D<float, int>(new Pool1DGeometry(3, stride: 2, padding: 1));
            pooling.Forward(x, new Shape3D(2, 3, 9), pooled);
            Assert.Equal(perPlane, pooling.Indices.ToArray().Select(i => (long)i));
            pooling.Backward(dy, dx);
            new MaxUnpool1D<float, int>(pooling.Geometry).Forward(pooled, pooling, restored);
        }
        else
        {
            var pooling = new MaxPool3D<float, int>(new Pool3DGeometry(2));
            pooling.Forward(x, new Shape5D(1, 2, 4, 5, 6), pooled);
            Assert.Equal(perPlane, pooling.Indices.ToArray().Select(i => (long)i));
            pooling.Backward(dy, dx);
            new MaxUnpool3D<float, int>(pooling.Geometry).Forward(pooled, pooling, restored);
        }

        Assert.Equal(expected.Values, pooled);
        Assert.Equal(BackwardReference.ScatterAdd(dy, perPlane, planes, pooledPlane, (long)d * h * w), dx);

        // Unpooling replaces: overlapping windows (the 1-D case) that share a maximum put the same value there once.
        var replaced = new float[x.Length];
        for (int i = 0; i < pooled.Length; i++)
        {
            replaced[((i / pooledPlane) * d * h * w) + perPlane[i]] = pooled[i];
        }

        Assert.Equal(replaced, restored);
    }

    [Fact]
    public void LayersRefuseWhatDoesNotFit()
    {
        Throws.Param<ArgumentException>("geometry", () => new Conv2D<float>(3, 4, new Conv2DGeometry(3, groups: 2)));
        Throws.Param<ArgumentException>("geometry", () => new ConvTranspose3D<float>(4, 3, new Conv3DGeometry(3, groups: 2)));
        Throws.Param<ArgumentException>("geometry", () => new Conv1D<float>(1, 1, default));
        Throws.Param<ArgumentOutOfRangeException>("inChannels", () => new Conv2D<float>(0, 4, new Conv2DGeometry(3)));
        Throws.Param<ArgumentOutOfRangeException>("outChannels", () => new ConvTranspose2D<float>(4, 0, new Conv2DGeometry(3)));
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => new MaxUnpool3D<float, long>(new Pool3DGeometry(2), (IndexConvention)99));
        Throws.Param<ArgumentException>("indexConvention", () => new MaxPool2D<float, byte>(new Pool2DGeometry(17), IndexConvention.InWindow));
        Throws.Param<ArgumentOutOfRangeException>("indexConvention", () => new MaxPool2D<float, long>(new Pool2DGeometry(2), (IndexConvention)99));
        Throws.Param<ArgumentOutOfRangeException>("reduction", () => new MaxUnpool2D<float, long>(new Pool2DGeometry(2), reduction: (UnpoolReduction)9));

        var pooling = new MaxPool2D<float, long>(new Pool2DGeometry(2));
        Assert.Throws<InvalidOperationException>(() => pooling.Backward(new float[4], new float[16]));
        Assert.Throws<InvalidOperationException>(() => new MaxUnpool2D<float, long>(pooling.Geometry).Forward(new float[4], pooling, new float[16]));
        pooling.Forward(new float[16], new Shape4D(1, 1, 4, 4), new float[4]);
        Throws.Param<ArgumentException>("pooling", () => new MaxUnpool2D<float, long>(pooling.Geometry, IndexConvention.GlobalRowMajor).Forward(new float[4], pooling, new float[16]));

        // A failed backward leaves the accumulated gradients as they were.
        var conv = new Conv2D<float>(1, 2, new Conv2DGeometry(3));
        conv.WeightGradient.Fill(1);
        Throws.Param<ArgumentException>("outputGradient", () => conv.Backward(new float[25], new Shape4D(1, 1, 5, 5), new float[3], new float[25]));
        Assert.All(conv.WeightGradient.ToArray(), v => Assert.Equal(1, v));
    }

    [Fact]
    public void SpanFormsAllocateNothingInSteadyState()
    {
        ExecutionOptions one = ExecutionOptions.SingleThreaded;
        var shape = new Shape4D(2, 4, 12, 12);
        float[] x = BackwardReference.Integers<float>((int)shape.ElementCount, seed: 8);
        var conv = new Conv2D<float>(4, 8, new Conv2DGeometry(3, padding: 1), options: one);
        var up = new ConvTranspose2D<float>(8, 4, new Conv2DGeometry(4, stride: 2, padding: 1), options: one);
        var pooling = new MaxPool2D<float, byte>(new Pool2DGeometry(2), IndexConvention.InWindow, one);
        var unpooling = new MaxUnpool2D<float, byte>(pooling.Geometry, IndexConvention.InWindow, options: one);
        Shape4D convShape = conv.GetOutputShape(shape), pooledShape = pooling.GetOutputShape(convShape), upShape = up.GetOutputShape(pooledShape);
        float[] c = new float[convShape.ElementCount], pooled = new float[pooledShape.ElementCount], u = new float[upShape.ElementCount];
        float[] back = new float[convShape.ElementCount], dPooled = new float[pooledShape.ElementCount], dx = new float[x.Length];

        void Step()
        {
            conv.Forward(x, shape, c);
            pooling.Forward(c, convShape, pooled);
            up.Forward(pooled, pooledShape, u);
            unpooling.Forward(pooled, pooling, back);
            up.Backward(pooled, pooledShape, u, dPooled);
            unpooling.Backward(back, pooling, dPooled);
            pooling.Backward(dPooled, back);
            conv.Backward(x, shape, back, dx);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Step, 10));
    }

    /// <summary>Per axis (depth, height, width): <paramref name="value"/> on the rank's axes, <paramref name="trivial"/> on the leading ones.</summary>
    private static int[] Axes(int rank, int value, int trivial)
        => rank switch { 1 => [trivial, trivial, value], 2 => [trivial, value, value], _ => [value, value, value] };

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * scale * 64, $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }

    /// <summary>One face over the six convolution layers, in double, for the rank-generic test.</summary>
    private sealed class ConvLayer
    {
        private Action<double[], double[]> _forward = null!;
        private Action<double[], double[], double[]> _backward = null!;
        private Func<double[]> _weight = null!, _bias = null!, _weightGradient = null!, _biasGradient = null!;
        private Action _zero = null!;

        public double[] Weight => _weight();

        public double[] Bias => _bias();

        public double[] WeightGradient => _weightGradient();

        public double[] BiasGradient => _biasGradient();

        public static ConvLayer Create(int rank, bool transposed, Problem p, ulong seed)
        {
            var layer = new ConvLayer();
            switch (rank, transposed)
            {
                case (1, false):
                    layer.Bind(new Conv1D<double>(p.Cin, p.Cout, new Conv1DGeometry(p.K[2], p.S[2], p.Pb[2], p.D[2], p.Groups), seed: seed), new Shape3D(p.Batch, p.Cin, p.In[2]));
                    break;
                case (1, true):
                    layer.Bind(new ConvTranspose1D<double>(p.Cin, p.Cout, new Conv1DGeometry(p.K[2], p.S[2], p.Pb[2], p.D[2], p.Groups, p.Op[2]), seed: seed), new Shape3D(p.Batch, p.Cin, p.In[2]));
                    break;
                case (2, false):
                    layer.Bind(new Conv2D<double>(p.Cin, p.Cout, Geometry2D(p), seed: seed), new Shape4D(p.Batch, p.Cin, p.In[1], p.In[2]));
                    break;
                case (2, true):
                    layer.Bind(new ConvTranspose2D<double>(p.Cin, p.Cout, Geometry2D(p), seed: seed), new Shape4D(p.Batch, p.Cin, p.In[1], p.In[2]));
                    break;
                case (3, false):
                    layer.Bind(new Conv3D<double>(p.Cin, p.Cout, Geometry3D(p), seed: seed), new Shape5D(p.Batch, p.Cin, p.In[0], p.In[1], p.In[2]));
                    break;
                default:
                    layer.Bind(new ConvTranspose3D<double>(p.Cin, p.Cout, Geometry3D(p), seed: seed), new Shape5D(p.Batch, p.Cin, p.In[0], p.In[1], p.In[2]));
                    break;
            }

            return layer;
        }

        public void Forward(double[] x, double[] y) => _forward(x, y);

        public void Backward(double[] x, double[] dy, double[] dx) => _backward(x, dy, dx);

        public void ZeroGradients() => _zero();

        private static Conv2DGeometry Geometry2D(Problem p)
            => new(new Size2D(p.K[1], p.K[2]), new Size2D(p.S[1], p.S[2]), new Size2D(p.Pb[1], p.Pb[2]), new Size2D(p.D[1], p.D[2]), p.Groups, new Size2D(p.Op[1], p.Op[2]));

        private static Conv3DGeometry Geometry3D(Problem p)
            => new(new Size3D(p.K[0], p.K[1], p.K[2]), new Size3D(p.S[0], p.S[1], p.S[2]), new Size3D(p.Pb[0], p.Pb[1], p.Pb[2]), new Size3D(p.D[0], p.D[1], p.D[2]), p.Groups, new Size3D(p.Op[0], p.Op[1], p.Op[2]));

        private void Bind(Conv1D<double> l, Shape3D s) => Set(() => l.Weight.ToArray(), () => l.Bias.ToArray(), () => l.WeightGradient.ToArray(), () => l.BiasGradient.ToArray(), l.ZeroGradients, (x, y) => l.Forward(x, s, y), (x, dy, dx) => l.Backward(x, s, dy, dx));

        private void Bind(ConvTranspose1D<double> l, Shape3D s) => Set(() => l.Weight.ToArray(), () => l.Bias.ToArray(), () => l.WeightGradient.ToArray(), () => l.BiasGradient.ToArray(), l.ZeroGradients, (x, y) => l.Forward(x, s, y), (x, dy, dx) => l.Backward(x, s, dy, dx));

        private void Bind(Conv2D<double> l, Shape4D s) => Set(() => l.Weight.ToArray(), () => l.Bias.ToArray(), () => l.WeightGradient.ToArray(), () => l.BiasGradient.ToArray(), l.ZeroGradients, (x, y) => l.Forward(x, s, y), (x, dy, dx) => l.Backward(x, s, dy, dx));

        private void Bind(ConvTranspose2D<double> l, Shape4D s) => Set(() => l.Weight.ToArray(), () => l.Bias.ToArray(), () => l.WeightGradient.ToArray(), () => l.BiasGradient.ToArray(), l.ZeroGradients, (x, y) => l.Forward(x, s, y), (x, dy, dx) => l.Backward(x, s, dy, dx));

        private void Bind(Conv3D<double> l, Shape5D s) => Set(() => l.Weight.ToArray(), () => l.Bias.ToArray(), () => l.WeightGradient.ToArray(), () => l.BiasGradient.ToArray(), l.ZeroGradients, (x, y) => l.Forward(x, s, y), (x, dy, dx) => l.Backward(x, s, dy, dx));

        private void Bind(ConvTranspose3D<double> l, Shape5D s) => Set(() => l.Weight.ToArray(), () => l.Bias.ToArray(), () => l.WeightGradient.ToArray(), () => l.BiasGradient.ToArray(), l.ZeroGradients, (x, y) => l.Forward(x, s, y), (x, dy, dx) => l.Backward(x, s, dy, dx));

        private void Set(Func<double[]> w, Func<double[]> b, Func<double[]> dw, Func<double[]> db, Action zero, Action<double[], double[]> forward, Action<double[], double[], double[]> backward)
            => (_weight, _bias, _weightGradient, _biasGradient, _zero, _forward, _backward) = (w, b, dw, db, zero, forward, backward);
    }
}
