using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;
using P = Unpooling.Tests.Reference.ConvBackwardReference.Problem;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The convolution backward's finite-difference checks (double), its validation rules, and its tensor-span and
/// allocating forms against the span form.
/// </summary>
public sealed class ConvBackwardFormsTests
{
    [Fact]
    public void GradientsMatchCentralDifferencesOfTheForwardDefinition()
    {
        // L(x, w, b) = <forward(x, w, b), r> with the reference forward (no library code); each gradient entry is
        // checked at a few coordinates against (L(v + h) - L(v - h)) / 2h, which is exact up to rounding since L is
        // linear in each argument.
        int cases = 0, seed = 11;
        IEnumerable<P> problems = ConvBackwardCases.Grid2D(2, 4, 4).Where((_, i) => i % 4 == 1).Concat(ConvBackwardCases.Ranks13(2, 2, 4).Where((_, i) => i % 2 == 0));
        foreach (P p in problems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                if (!ConvBackwardCases.Valid(transposed, p))
                {
                    continue;
                }

                cases++;
                var random = new Random(seed++);
                double[] x = ConvData.Uniform<double>(p.Batch * p.Cin * P.Volume(p.In), seed++);
                double[] w = ConvData.Uniform<double>(ConvBackwardCases.WeightLength(transposed, p), seed++);
                double[] b = ConvData.Uniform<double>(p.Cout, seed++);
                double[] r = ConvData.Uniform<double>(p.Batch * p.Cout * P.Volume(ConvBackwardReference.OutputSize(transposed, p)), seed++);
                var dx = new double[x.Length];
                var dw = new double[w.Length];
                var db = new double[b.Length];
                ConvBackwardCases.Backward<double>(transposed, p, false, r, x, w, dx, dw, db, Threads.Options(2));
                double Loss() => Dot(ConvBackwardReference.Forward(transposed, p, x, w, b), r);
                string context = $"{(transposed ? "ConvTranspose" : "Conv")} {p}";
                CheckCoordinates(x, dx, Loss, random, context + " source");
                CheckCoordinates(w, dw, Loss, random, context + " weight");
                CheckCoordinates(b, db, Loss, random, context + " bias");
            }
        }

        Assert.True(cases > 100, $"only {cases} cases ran");
    }

    private static void CheckCoordinates(double[] values, double[] gradient, Func<double> loss, Random random, string context)
    {
        const double h = 0.125;
        for (int t = 0; t < Math.Min(4, values.Length); t++)
        {
            int i = random.Next(values.Length);
            double keep = values[i];
            values[i] = keep + h;
            double up = loss();
            values[i] = keep - h;
            double down = loss();
            values[i] = keep;
            double numeric = (up - down) / (2 * h);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-9 * (1 + Math.Abs(numeric)), $"{context} gradient [{i}] is {gradient[i]:R}, central difference {numeric:R}");
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    // The 2-D problem of the validation tests: [2, 4, 5, 6] -> 6 channels, kernel 3x2, stride 2x1, groups 2.
    private static readonly Conv2DGeometry G = new(new(3, 2), new(2, 1), new(1, 0), groups: 2);
    private static readonly Shape4D Xs = new(2, 4, 5, 6);
    private static readonly Shape4D Ws = new(6, 2, 3, 2);
    private static readonly Shape4D Ys = new(2, 6, 3, 5);

    private sealed class Buffers
    {
        public float[] Dy = ConvData.Integers<float>((int)Ys.ElementCount, 1);
        public float[] X = ConvData.Integers<float>((int)Xs.ElementCount, 2);
        public float[] W = ConvData.Integers<float>((int)Ws.ElementCount, 3);
        public float[] Dx = Enumerable.Repeat(7f, (int)Xs.ElementCount).ToArray();
        public float[] Dw = Enumerable.Repeat(7f, (int)Ws.ElementCount).ToArray();
        public float[] Db = Enumerable.Repeat(7f, 6).ToArray();

    }

    [Fact]
    public void TheShapesAreRight()
    {
        // The fixture itself: (5 + 1 + 1 - 3) / 2 + 1 = 3 rows and (6 - 2) / 1 + 1 = 5 columns.
        Assert.Equal(new Size2D(3, 5), G.GetOutputSize(Xs.SpatialSize));
        var b = new Buffers();
        Functional.Conv2DBackward<float>(b.Dy, b.X, Xs, b.W, Ws, G, b.Dx, b.Dw, b.Db);
        Assert.Contains(b.Db, v => v != 7f);
    }

    public static TheoryData<string> Rules => new()
    {
        "outputGradient", "source", "sourceShape", "weight", "weightShape", "geometry", "sourceGradient", "weightGradient", "biasGradient",
        "sourceGradient/outputGradient", "weightGradient/source", "biasGradient/weight", "sourceGradient/weightGradient",
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void EachValidationRuleNamesItsArgumentAndWritesNothing(string rule)
    {
        foreach (bool transposed in (bool[])[false, true])
        {
            var b = new Buffers();
            Shape4D xs = Xs, ws = Ws;
            Conv2DGeometry g = G;
            float[] dy = b.Dy, x = b.X, w = b.W;
            Span<float> dx = b.Dx, dw = b.Dw, db = b.Db;
            if (transposed)
            {
                // The transposed problem maps the fixture's output shape back: source [2, 6, 3, 5], weight [6, 2, 3, 2]
                // read as [Cin, Cout/g], output (3 - 1)*2 - 1 - 1 + 3 = 5 rows and (5 - 1) + 2 = 6 columns of 4 channels.
                (xs, x, dy) = (Ys, b.Dy, b.X);
                dx = Enumerable.Repeat(7f, (int)Ys.ElementCount).ToArray();
                db = b.Db.AsSpan(0, 4);
            }

            string param = rule.Split('/')[0];
            Action call = rule switch
            {
                "outputGradient" => Call(transposed, dy[1..], x, xs, w, ws, g, dx, dw, db),
                "source" => Call(transposed, dy, x[1..], xs, w, ws, g, dx, dw, db),
                "sourceShape" => Call(transposed, dy, x, xs with { Batch = -1 }, w, ws, g, dx, dw, db),
                "weight" => Call(transposed, dy, x, xs, w[1..], ws, g, dx, dw, db),
                "weightShape" => Call(transposed, dy, x, xs, new float[(int)(ws with { Width = 3 }).ElementCount], ws with { Width = 3 }, g, dx, dw, db),
                "geometry" => Call(transposed, dy, x, xs, w, ws, new Conv2DGeometry(new(3, 2), new(2, 1), new(1, 0), groups: 4), dx, dw, db),
                "sourceGradient" => Call(transposed, dy, x, xs, w, ws, g, dx[1..], dw, db),
                "weightGradient" => Call(transposed, dy, x, xs, w, ws, g, dx, dw[1..], db),
                "biasGradient" => Call(transposed, dy, x, xs, w, ws, g, dx, dw, db[1..]),
                "sourceGradient/outputGradient" => CallOverlap(transposed, dy, x, xs, w, ws, g, 0),
                "weightGradient/source" => CallOverlap(transposed, dy, x, xs, w, ws, g, 1),
                "biasGradient/weight" => CallOverlap(transposed, dy, x, xs, w, ws, g, 2),
                _ => CallOverlap(transposed, dy, x, xs, w, ws, g, 3),
            };
            Throws.Param<ArgumentException>(param, call);
        }
    }

    private static Action Call(bool transposed, float[] dy, float[] x, Shape4D xs, float[] w, Shape4D ws, Conv2DGeometry g, Span<float> dx, Span<float> dw, Span<float> db)
    {
        float[] dxa = dx.ToArray(), dwa = dw.ToArray(), dba = db.ToArray();
        return () =>
        {
            try
            {
                if (transposed)
                {
                    Functional.ConvTranspose2DBackward<float>(dy, x, xs, w, ws, g, dxa, dwa, dba);
                }
                else
                {
                    Functional.Conv2DBackward<float>(dy, x, xs, w, ws, g, dxa, dwa, dba);
                }
            }
            finally
            {
                Assert.All(dxa, v => Assert.True(v == 7f, "a destination was written before the validation failed"));
                Assert.All(dwa, v => Assert.True(v == 7f, "a destination was written before the validation failed"));
                Assert.All(dba, v => Assert.True(v == 7f, "a destination was written before the validation failed"));
            }
        };
    }

    private static Action CallOverlap(bool transposed, float[] dy, float[] x, Shape4D xs, float[] w, Shape4D ws, Conv2DGeometry g, int which)
    {
        return () =>
        {
            int cout = transposed ? ws.Channels * g.Groups : ws.Batch;
            Span<float> dx = new float[x.Length], dw = new float[w.Length], db = new float[cout];
            switch (which)
            {
                case 0:
                    dx = new float[Math.Max(x.Length, dy.Length) + 1];
                    dy.CopyTo(dx);
                    Span<float> alias = dx;
                    Run(transposed, alias[..dy.Length], x, xs, w, ws, g, alias[..x.Length], dw, db);
                    break;
                case 1:
                    float[] both = new float[Math.Max(x.Length, w.Length)];
                    x.CopyTo(both);
                    Run(transposed, dy, both.AsSpan(0, x.Length), xs, w, ws, g, dx, both.AsSpan(0, w.Length), db);
                    break;
                case 2:
                    float[] wb = new float[Math.Max(w.Length, cout)];
                    w.CopyTo(wb);
                    Run(transposed, dy, x, xs, wb.AsSpan(0, w.Length), ws, g, dx, dw, wb.AsSpan(0, cout));
                    break;
                default:
                    float[] shared = new float[x.Length + w.Length];
                    Run(transposed, dy, x, xs, w, ws, g, shared.AsSpan(0, x.Length), shared.AsSpan(x.Length - 1, w.Length), db);
                    break;
            }
        };
    }

    private static void Run(bool transposed, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Shape4D xs, ReadOnlySpan<float> w, Shape4D ws, Conv2DGeometry g, Span<float> dx, Span<float> dw, Span<float> db)
    {
        if (transposed)
        {
            Functional.ConvTranspose2DBackward(dy, x, xs, w, ws, g, dx, dw, db);
        }
        else
        {
            Functional.Conv2DBackward(dy, x, xs, w, ws, g, dx, dw, db);
        }
    }

    [Fact]
    public void TensorSpanAndAllocatingFormsMatchTheSpanFormInBothLayouts()
    {
        P[] problems =
        [
            ConvBackwardCases.Make(2, [3, 2], [2, 1], [1, 0], [0, 1], [1, 2], [1, 1], 2, 3, 4, 6, [6, 7]),
            ConvBackwardCases.Make(1, [3], [2], [1], [1], [1], [1], 1, 2, 3, 5, [9]),
            ConvBackwardCases.Make(3, [2, 3, 2], [1, 2, 2], [1, 0, 1], [0, 1, 1], [1, 1, 2], [0, 1, 1], 2, 2, 4, 6, [3, 4, 5]),
        ];
        int seed = 40;
        foreach (P p in problems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                int rank = ConvBackwardCases.Rank(p);
                int outVolume = P.Volume(ConvBackwardReference.OutputSize(transposed, p)), volume = P.Volume(p.In);
                float[] dy = ConvData.Uniform<float>(p.Batch * p.Cout * outVolume, seed++);
                float[] x = ConvData.Uniform<float>(p.Batch * p.Cin * volume, seed++);
                float[] w = ConvData.Uniform<float>(ConvBackwardCases.WeightLength(transposed, p), seed++);
                var dx = new float[x.Length];
                var dw = new float[w.Length];
                var db = new float[p.Cout];
                ConvBackwardCases.Backward<float>(transposed, p, false, dy, x, w, dx, dw, db, Threads.Options(1));
                nint[] xl = Lengths(rank, p.Batch, p.Cin, p.In), yl = Lengths(rank, p.Batch, p.Cout, ConvBackwardReference.OutputSize(transposed, p));
                nint[] wl = Lengths(rank, transposed ? p.Cin : p.Cout, transposed ? p.Cout / p.Groups : p.Cin / p.Groups, p.K);
                string context = $"{(transposed ? "ConvTranspose" : "Conv")} {p}";
                foreach (bool last in (bool[])[false, true])
                {
                    Tensor<float> xt = last ? ChannelsLast(x, xl) : Tensor.Create(x, xl);
                    Tensor<float> yt = last ? ChannelsLast(dy, yl) : Tensor.Create(dy, yl);
                    Tensor<float> wt = Tensor.Create(w, wl);
                    ConvGradients<float> all = Allocating(rank, transposed, yt, xt, wt, p, ConvGradientKinds.All);
                    float[] ex = dx, ew = dw, eb = db, actual = Dense(all.SourceGradient!);
                    if (last)
                    {
                        // The channels-last span form on the same data (its own summation order), in channels-last order.
                        (ex, ew, eb) = (new float[x.Length], new float[w.Length], new float[p.Cout]);
                        ConvBackwardCases.Backward<float>(
                            transposed, p, true, ConvBackwardReference.ToChannelsLast(dy, p.Batch, p.Cout, outVolume), ConvBackwardReference.ToChannelsLast(x, p.Batch, p.Cin, volume), w, ex, ew, eb, Threads.Options(1));
                        actual = ConvBackwardReference.ToChannelsLast(actual, p.Batch, p.Cin, volume);
                    }

                    BitAssert.Equal<float>(ex, actual, $"{context} last {last}: allocating source gradient");
                    BitAssert.Equal<float>(ew, Dense(all.WeightGradient!), $"{context} last {last}: allocating weight gradient");
                    BitAssert.Equal<float>(eb, Dense(all.BiasGradient!), $"{context} last {last}: allocating bias gradient");
                    Assert.Equal(last, all.SourceGradient!.Strides[1] == 1 && xl[1] > 1);
                    ConvGradients<float> some = Allocating(rank, transposed, yt, xt, wt, p, ConvGradientKinds.Weight);
                    Assert.Null(some.SourceGradient);
                    Assert.Null(some.BiasGradient);
                    BitAssert.Equal<float>(ew, Dense(some.WeightGradient!), $"{context} last {last}: weight-only gradient");
                }
            }
        }
    }

    [Fact]
    public void AllocatingFormsRejectNullsAndUndefinedKinds()
    {
        Tensor<float> x = Tensor.Create(new float[Xs.ElementCount], [Xs.Batch, Xs.Channels, Xs.Height, Xs.Width]);
        Tensor<float> w = Tensor.Create(new float[Ws.ElementCount], [Ws.Batch, Ws.Channels, Ws.Height, Ws.Width]);
        Tensor<float> y = Tensor.Create(new float[Ys.ElementCount], [Ys.Batch, Ys.Channels, Ys.Height, Ys.Width]);
        Throws.Param<ArgumentNullException>("outputGradient", () => Functional.Conv2DBackward(null!, x, w, G));
        Throws.Param<ArgumentNullException>("source", () => Functional.Conv2DBackward(y, null!, w, G));
        Throws.Param<ArgumentNullException>("weight", () => Functional.Conv2DBackward(y, x, null!, G));
        Throws.Param<ArgumentOutOfRangeException>("wanted", () => Functional.Conv2DBackward(y, x, w, G, (ConvGradientKinds)8));
        Tensor<float> wrong = Tensor.Create(new float[Ys.ElementCount], [Ys.Batch, Ys.Channels, Ys.Width, Ys.Height]);
        Throws.Param<ArgumentException>("outputGradient", () => Functional.Conv2DBackward(wrong, x, w, G));
        var dx = new float[Xs.Batch * Xs.Channels * Xs.Height * (Xs.Width + 1)];
        Throws.Param<ArgumentException>("sourceGradient", () => Functional.Conv2DBackward<float>(
            y.AsReadOnlyTensorSpan(), x.AsReadOnlyTensorSpan(), w.AsReadOnlyTensorSpan(), G, new TensorSpan<float>(dx, [Xs.Batch, Xs.Channels, Xs.Height, Xs.Width + 1]), default, default));
    }

    private static nint[] Lengths(int rank, int n, int c, int[] size) => [n, c, .. size.Skip(3 - rank).Select(v => (nint)v)];

    private static Tensor<float> ChannelsLast(float[] channelsFirst, nint[] lengths)
    {
        int volume = (int)lengths.Skip(2).Aggregate((nint)1, (a, v) => a * v);
        float[] last = ConvBackwardReference.ToChannelsLast(channelsFirst, (int)lengths[0], (int)lengths[1], volume);
        var strides = new nint[lengths.Length];
        strides[1] = 1;
        nint stride = lengths[1];
        for (int a = lengths.Length - 1; a >= 2; a--)
        {
            strides[a] = stride;
            stride *= lengths[a];
        }

        strides[0] = stride;
        return Tensor.Create(last, lengths, strides);
    }

    private static float[] Dense(Tensor<float> tensor)
    {
        var flat = new float[tensor.FlattenedLength];
        tensor.FlattenTo(flat);
        return flat;
    }

    private static ConvGradients<float> Allocating(int rank, bool transposed, Tensor<float> dy, Tensor<float> x, Tensor<float> w, P p, ConvGradientKinds kinds) => (rank, transposed) switch
    {
        (1, false) => Functional.Conv1DBackward(dy, x, w, ConvBackwardCases.Geometry1D(p), kinds, Threads.Options(2)),
        (1, true) => Functional.ConvTranspose1DBackward(dy, x, w, ConvBackwardCases.Geometry1D(p), kinds, Threads.Options(2)),
        (2, false) => Functional.Conv2DBackward(dy, x, w, ConvBackwardCases.Geometry2D(p), kinds, Threads.Options(2)),
        (2, true) => Functional.ConvTranspose2DBackward(dy, x, w, ConvBackwardCases.Geometry2D(p), kinds, Threads.Options(2)),
        (_, false) => Functional.Conv3DBackward(dy, x, w, ConvBackwardCases.Geometry3D(p), kinds, Threads.Options(2)),
        _ => Functional.ConvTranspose3DBackward(dy, x, w, ConvBackwardCases.Geometry3D(p), kinds, Threads.Options(2)),
    };
}

/// <summary>The weight-gradient kernel at every vector width (software where the CPU lacks one), and the span forms' allocations.</summary>
public sealed unsafe class ConvBackwardKernelTests
{
    [Fact]
    public void WeightGradientHasTheSameBitsAtEveryWidth()
    {
        // Conv rows = output gradient [3, 10, 5, 6], taps = source [3, 8, 9, 11], kernel 3x2, stride 2x2, padding 1, groups 2:
        // M = 5 rows per group (not a tile multiple), N = 4*6 = 24 columns, several sample chunks.
        var rowsShape = new Shape5D(3, 10, 1, 5, 6);
        var tapsShape = new Shape5D(3, 8, 1, 9, 11);
        Conv3DGeometry g = new Conv2DGeometry(new(3, 2), new(2, 2), new(1, 1), groups: 2).As3D();
        float[] rows = ConvData.Uniform<float>((int)rowsShape.ElementCount, 1);
        float[] taps = ConvData.Uniform<float>((int)tapsShape.ElementCount, 2);
        var plan = new Internal.ConvKernel.WeightGradPlan(rowsShape, tapsShape, g);
        Assert.True(plan.Chunks > 1, "the case should cut the batch into chunks");
        var widths = new float[4][];
        fixed (float* r = rows)
        fixed (float* t = taps)
        {
            for (int i = 0; i < 4; i++)
            {
                widths[i] = new float[plan.WeightLength];
                fixed (float* w = widths[i])
                {
                    switch (i)
                    {
                        case 0: Internal.ConvKernel.WeightGradient<Internal.SimdScalar<float>, float, float>(r, t, w, plan, 1); break;
                        case 1: Internal.ConvKernel.WeightGradient<Internal.Simd128<float>, System.Runtime.Intrinsics.Vector128<float>, float>(r, t, w, plan, 2); break;
                        case 2: Internal.ConvKernel.WeightGradient<Internal.Simd256<float>, System.Runtime.Intrinsics.Vector256<float>, float>(r, t, w, plan, 1); break;
                        default: Internal.ConvKernel.WeightGradient<Internal.Simd512<float>, System.Runtime.Intrinsics.Vector512<float>, float>(r, t, w, plan, 2); break;
                    }
                }
            }
        }

        for (int i = 1; i < 4; i++)
        {
            Infrastructure.BitAssert.Equal<float>(widths[0], widths[i], $"width {i} vs scalar");
        }
    }

    [Fact]
    public void SpanFormsAllocateNothingPerCall()
    {
        var xs = new Shape4D(2, 8, 9, 9);
        var ws = new Shape4D(8, 4, 4, 4);
        var g = new Conv2DGeometry(new(4, 4), new(2, 2), new(1, 1));
        float[] x = new float[xs.ElementCount], w = new float[ws.ElementCount], dy = new float[2 * 4 * 18 * 18];
        float[] dx = new float[x.Length], dw = new float[w.Length], db = new float[4];
        ExecutionOptions one = Infrastructure.Threads.Options(1);
        Assert.Equal(0, Allocations.LeastAllocated(() => Functional.ConvTranspose2DBackward<float>(dy, x, xs, w, ws, g, dx, dw, db, one)));
        var cws = new Shape4D(8, 8, 4, 4);
        float[] cdy = new float[2 * 8 * 4 * 4], cdb = new float[8], cw = new float[cws.ElementCount], cdw = new float[cws.ElementCount];
        Assert.Equal(0, Allocations.LeastAllocated(() => Functional.Conv2DBackward<float>(cdy, x, xs, cw, cws, g, dx, cdw, cdb, one)));
    }
}
