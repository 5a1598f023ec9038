using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;
using P = Unpooling.Tests.Reference.ConvBackwardReference.Problem;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The convolutions' backward passes against the definition (<see cref="ConvBackwardReference"/>, direct loops in
/// double): every gradient of both operators over the 2-D geometry grid and the 1-D/3-D problems, channels-first and
/// channels-last, at 1 and 2 threads. Inputs are small integers, so every path is exact (Half too: its products and
/// float sums are exact and rounded once) and the comparisons are exact.
/// </summary>
public abstract class ConvBackwardTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Fact]
    public void Grid2DMatchesTheDefinitionAtOneAndTwoThreads()
    {
        int cases = 0, seed = 0;
        foreach (P p in ConvBackwardCases.Grid2D(2, 4, 4))
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                // The convolution ignores the output padding: its variants would repeat the same problem.
                if (!ConvBackwardCases.Valid(transposed, p) || (!transposed && p.Op.Any(v => v != 0)))
                {
                    continue;
                }

                cases++;
                CheckExact(transposed, p, last: false, seed++, twoThreads: true);
            }
        }

        Assert.True(cases > 400, $"only {cases} grid cases ran");
    }

    [Fact]
    public void Ranks1DAnd3DMatchTheDefinition()
    {
        int cases = 0, seed = 100;
        foreach (P p in ConvBackwardCases.Ranks13(2, 4, 6))
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                if (ConvBackwardCases.Valid(transposed, p))
                {
                    cases++;
                    CheckExact(transposed, p, last: false, seed++, twoThreads: true);
                }
            }
        }

        Assert.True(cases > 200, $"only {cases} cases ran");
    }

    /// <summary>
    /// The weight gradient's gather layouts: weights wider than one column block with a partly live last panel (the
    /// D3 geometry, kernel 4 stride 2 padding 1, whose channels-first taps are read from a zero-padded copy), a kernel
    /// width that is not one 16-byte run, and taps reaching so far into the padding (dilation and padding 40000) that
    /// no padded copy is made and every position is tested, in both layouts and both operators.
    /// </summary>
    [Fact]
    public void WeightGradientGatherLayoutsMatchTheDefinition()
    {
        P[] problems =
        [
            ConvBackwardCases.Make(2, [4, 4], [2, 2], [1, 1], [1, 1], [1, 1], [0, 0], 1, 3, 19, 19, [6, 7]),
            ConvBackwardCases.Make(2, [3, 5], [1, 2], [2, 1], [0, 2], [1, 1], [0, 1], 1, 2, 7, 9, [5, 6]),
            ConvBackwardCases.Make(1, [3], [1], [40000], [40000], [40000], [0], 1, 2, 4, 4, [8]),
            ConvBackwardCases.Make(2, [2, 3], [1, 1], [0, 40000], [0, 40000], [1, 40000], [0, 0], 2, 2, 4, 6, [3, 8]),
        ];
        int cases = 0, seed = 300;
        foreach (P p in problems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                foreach (bool last in (bool[])[false, true])
                {
                    if (ConvBackwardCases.Valid(transposed, p))
                    {
                        cases++;
                        CheckExact(transposed, p, last, seed++, twoThreads: true);
                    }
                }
            }
        }

        Assert.True(cases >= 12, $"only {cases} cases ran");
    }

    [Fact]
    public void ChannelsLastMatchesTheDefinitionInEveryRank()
    {
        int cases = 0, seed = 500;
        IEnumerable<P> problems = ConvBackwardCases.Grid2D(2, 4, 4).Where((_, i) => i % 5 == 0).Concat(ConvBackwardCases.Ranks13(2, 4, 6).Where((_, i) => i % 3 == 0));
        foreach (P p in problems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                if (ConvBackwardCases.Valid(transposed, p))
                {
                    cases++;
                    CheckExact(transposed, p, last: true, seed++, twoThreads: cases % 4 == 0);
                }
            }
        }

        Assert.True(cases > 60, $"only {cases} cases ran");
    }

    /// <summary>Random-data problems large enough for several sample chunks and column blocks in the weight gradient and
    /// several items forward; every rank.</summary>
    private static readonly P[] RandomProblems =
    [
        ConvBackwardCases.Make(2, [4, 4], [2, 2], [1, 1], [1, 1], [1, 1], [0, 0], 1, 5, 16, 24, [9, 11]),
        ConvBackwardCases.Make(2, [3, 3], [1, 1], [1, 1], [1, 1], [1, 1], [0, 0], 2, 3, 8, 40, [12, 13]),
        ConvBackwardCases.Make(1, [5], [2], [2], [1], [2], [1], 1, 9, 12, 20, [33]),
        ConvBackwardCases.Make(3, [3, 3, 3], [2, 2, 2], [1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1], 1, 2, 6, 8, [4, 5, 6]),
    ];

    [Fact]
    public void RandomDataIsBitIdenticalForEveryThreadCountAndLayout()
    {
        int seed = 900;
        foreach (P p in RandomProblems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                foreach (bool last in (bool[])[false, true])
                {
                    string context = $"{typeof(T).Name} {(transposed ? "ConvTranspose" : "Conv")} {p} {(last ? "channels-last" : "channels-first")}";
                    (T[] dy, T[] x, T[] w) = Data(transposed, p, seed++, ConvData.Uniform<T>);
                    int volume = P.Volume(p.In), outVolume = P.Volume(ConvBackwardReference.OutputSize(transposed, p));
                    (double[] ex, double[] ew, double[] eb) = ConvBackwardReference.Backward(transposed, p, Wide(dy), Wide(x), Wide(w));
                    if (last)
                    {
                        dy = ConvBackwardReference.ToChannelsLast(dy, p.Batch, p.Cout, outVolume);
                        x = ConvBackwardReference.ToChannelsLast(x, p.Batch, p.Cin, volume);
                        ex = ConvBackwardReference.ToChannelsLast(ex, p.Batch, p.Cin, volume);
                    }

                    (T[] dx1, T[] dw1, T[] db1) = Run(transposed, p, last, dy, x, w, Threads.Options(1));
                    foreach (int threads in (int[])[2, 3])
                    {
                        (T[] dx, T[] dw, T[] db) = Run(transposed, p, last, dy, x, w, Threads.Options(threads));
                        BitAssert.Equal<T>(dx1, dx, $"{context}: source gradient at {threads} threads vs 1");
                        BitAssert.Equal<T>(dw1, dw, $"{context}: weight gradient at {threads} threads vs 1");
                        BitAssert.Equal<T>(db1, db, $"{context}: bias gradient at {threads} threads vs 1");
                    }

                    if (typeof(T) != typeof(Half))
                    {
                        // And close to the definition (rounding only: the data are not integers here).
                        double scale = 4.0 * p.Cout * p.Taps;
                        ConvAssert.Close<T>(Narrow(ex), dx1, scale, $"{context}: source gradient");
                        ConvAssert.Close<T>(Narrow(ew), dw1, p.Batch * outVolume, $"{context}: weight gradient");
                        ConvAssert.Close<T>(Narrow(eb), db1, p.Batch * outVolume, $"{context}: bias gradient");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Issue 13's rule for the backward passes: channels-last gives the channels-first bits after the permutation, for
    /// every gradient (the source gradient is the other operator's forward; the weight gradient reduces the positions in
    /// the same chains; the bias gradient sums each sample's plane through the same four partial sums), on random data
    /// whose sums round, at 1 and 2 threads, with channel counts below, at and past a vector.
    /// </summary>
    [Fact]
    public void ChannelsLastGradientsAreTheChannelsFirstBitsPermuted()
    {
        P[] problems = [.. RandomProblems, ConvBackwardCases.Make(2, [3, 2], [2, 1], [1, 0], [0, 1], [1, 2], [1, 1], 1, 2, 17, 3, [7, 10])];
        int seed = 1300, cases = 0;
        foreach (P p in problems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                if (!ConvBackwardCases.Valid(transposed, p))
                {
                    continue;
                }

                cases++;
                (T[] dy, T[] x, T[] w) = Data(transposed, p, seed++, ConvData.Uniform<T>);
                int volume = P.Volume(p.In), outVolume = P.Volume(ConvBackwardReference.OutputSize(transposed, p));
                T[] dyLast = ConvBackwardReference.ToChannelsLast(dy, p.Batch, p.Cout, outVolume);
                T[] xLast = ConvBackwardReference.ToChannelsLast(x, p.Batch, p.Cin, volume);
                foreach (int threads in (int[])[1, 2])
                {
                    string context = $"{typeof(T).Name} {(transposed ? "ConvTranspose" : "Conv")} {p} at {threads} threads";
                    (T[] dx, T[] dw, T[] db) = Run(transposed, p, last: false, dy, x, w, Threads.Options(threads));
                    (T[] dxLast, T[] dwLast, T[] dbLast) = Run(transposed, p, last: true, dyLast, xLast, w, Threads.Options(threads));
                    BitAssert.Equal<T>(ConvBackwardReference.ToChannelsLast(dx, p.Batch, p.Cin, volume), dxLast, $"{context}: source gradient");
                    BitAssert.Equal<T>(dw, dwLast, $"{context}: weight gradient");
                    BitAssert.Equal<T>(db, dbLast, $"{context}: bias gradient");
                }
            }
        }

        Assert.True(cases >= 9, $"only {cases} cases ran");
    }

    /// <summary>
    /// The weight gradient's direct layout (taps read in place by a transposed tile, <c>ConvKernel.WeightGradDirect.cs</c>)
    /// forced on where the taps allow it: exact against the definition over the 2-D grid and the 1-D/3-D problems at 1
    /// and 2 threads, and the packed GEMM's bits on random data whose sums round (weight columns and rows of R that are
    /// not whole tiles, several sample chunks, padded and unpadded taps, groups), at 1-3 threads.
    /// </summary>
    [Fact]
    public void WeightGradientDirectLayoutIsExactAndThePackedGemmsBits()
    {
        int seed = 1700, exact = 0;
        ConvKernel.WeightGradPlan.DirectPlansForTests = 0;
        try
        {
            ConvKernel.WeightGradPlan.DirectOverride = true;
            IEnumerable<P> grid = ConvBackwardCases.Grid2D(2, 4, 4).Where((_, i) => i % 3 == 0).Concat(ConvBackwardCases.Ranks13(2, 4, 6).Where((_, i) => i % 2 == 0));
            foreach (P p in grid)
            {
                foreach (bool transposed in (bool[])[false, true])
                {
                    if (ConvBackwardCases.Valid(transposed, p) && (transposed || p.Op.All(v => v == 0)))
                    {
                        exact++;
                        CheckExact(transposed, p, last: false, seed++, twoThreads: exact % 2 == 0);
                    }
                }
            }
        }
        finally
        {
            ConvKernel.WeightGradPlan.DirectOverride = null;
        }

        Assert.True(exact > 150, $"only {exact} exact cases ran");
        Assert.True(ConvKernel.WeightGradPlan.DirectPlansForTests > exact / 2, $"the direct layout ran on {ConvKernel.WeightGradPlan.DirectPlansForTests} plans of {exact} cases");

        P[] problems =
        [
            .. RandomProblems,
            ConvBackwardCases.Make(2, [3, 3], [1, 1], [0, 0], [0, 0], [1, 1], [0, 0], 1, 9, 37, 19, [10, 12]),
            ConvBackwardCases.Make(2, [2, 3], [2, 1], [1, 0], [0, 2], [1, 2], [1, 0], 3, 4, 21, 9, [7, 15]),
        ];
        int direct = ConvKernel.WeightGradPlan.DirectPlansForTests, compared = 0;
        foreach (P p in problems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                if (!ConvBackwardCases.Valid(transposed, p))
                {
                    continue;
                }

                (T[] dy, T[] x, T[] w) = Data(transposed, p, seed++, ConvData.Uniform<T>);
                foreach (int threads in (int[])[1, 2, 3])
                {
                    string context = $"{typeof(T).Name} {(transposed ? "ConvTranspose" : "Conv")} {p} at {threads} threads";
                    T[] packed = WeightGradient(transposed, p, dy, x, w, threads, direct: false);
                    T[] directBits = WeightGradient(transposed, p, dy, x, w, threads, direct: true);
                    BitAssert.Equal<T>(packed, directBits, $"{context}: direct weight gradient vs the packed GEMM's");
                    compared++;
                }
            }
        }

        Assert.True(ConvKernel.WeightGradPlan.DirectPlansForTests - direct == compared, $"the direct layout ran on {ConvKernel.WeightGradPlan.DirectPlansForTests - direct} of {compared} random comparisons");
    }

    private static T[] WeightGradient(bool transposed, P p, T[] dy, T[] x, T[] w, int threads, bool direct)
    {
        var dw = new T[w.Length];
        try
        {
            ConvKernel.WeightGradPlan.DirectOverride = direct;
            ConvBackwardCases.Backward<T>(transposed, p, last: false, dy, x, w, [], dw, [], Threads.Options(threads));
        }
        finally
        {
            ConvKernel.WeightGradPlan.DirectOverride = null;
        }

        return dw;
    }

    [Fact]
    public void EmptyDestinationsAreNotWantedAndTheOthersKeepTheirBits()
    {
        P p = ConvBackwardCases.Make(2, [3, 2], [2, 1], [1, 0], [0, 1], [1, 2], [1, 1], 2, 3, 4, 6, [6, 7]);
        foreach (bool transposed in (bool[])[false, true])
        {
            (T[] dy, T[] x, T[] w) = Data(transposed, p, 77, ConvData.Uniform<T>);
            (T[] dx, T[] dw, T[] db) = Run(transposed, p, false, dy, x, w, Threads.Options(1));
            for (int mask = 0; mask < 8; mask++)
            {
                // Each wanted gradient lands between sentinels; the unwanted are empty spans.
                T[] gx = Guard(x.Length, (mask & 1) != 0), gw = Guard(w.Length, (mask & 2) != 0), gb = Guard(db.Length, (mask & 4) != 0);
                ConvBackwardCases.Backward<T>(transposed, p, false, dy, x, w, Inner(gx, x.Length), Inner(gw, w.Length), Inner(gb, db.Length), Threads.Options(2));
                string context = $"{typeof(T).Name} transposed {transposed} mask {mask}";
                CheckGuarded(gx, dx, context + " source gradient");
                CheckGuarded(gw, dw, context + " weight gradient");
                CheckGuarded(gb, db, context + " bias gradient");
            }
        }
    }

    [Fact]
    public void AdjointIdentitiesHoldExactlyOnIntegerData()
    {
        // <f(x, w), y> = <x, dx(y)> = <w, dw(x, y)>, and <f(x, w, b) - f(x, w, 0), y> = <b, db(y)>, with the library's
        // own forward: every value is an integer, so both sides are exact in double.
        int cases = 0, seed = 3000;
        IEnumerable<P> problems = ConvBackwardCases.Grid2D(2, 4, 4).Where((_, i) => i % 3 == 0).Concat(ConvBackwardCases.Ranks13(2, 2, 4));
        foreach (P p in problems)
        {
            foreach (bool transposed in (bool[])[false, true])
            {
                if (!ConvBackwardCases.Valid(transposed, p))
                {
                    continue;
                }

                cases++;
                (T[] y, T[] x, T[] w) = Data(transposed, p, seed++, ConvData.Integers<T>);
                T[] bias = ConvData.Integers<T>(p.Cout, seed++);
                T[] fx = ConvBackwardCases.Forward(transposed, p, x, w, null);
                T[] fb = ConvBackwardCases.Forward(transposed, p, x, w, bias);
                (T[] dx, T[] dw, T[] db) = Run(transposed, p, false, y, x, w, Threads.Options(2));
                double lhs = Dot(fx, y);
                string context = $"{typeof(T).Name} {(transposed ? "ConvTranspose" : "Conv")} {p}";
                Assert.True(lhs == Dot(x, dx), $"{context}: <f(x), y> = {lhs} but <x, dx(y)> = {Dot(x, dx)}");
                Assert.True(lhs == Dot(w, dw), $"{context}: <f(w), y> = {lhs} but <w, dw(y)> = {Dot(w, dw)}");
                Assert.True(Dot(fb, y) - lhs == Dot(bias, db), $"{context}: <f(b), y> = {Dot(fb, y) - lhs} but <b, db(y)> = {Dot(bias, db)}");
            }
        }

        Assert.True(cases > 150, $"only {cases} cases ran");
    }

    [Fact]
    public void ZeroBatchGivesZeroWeightAndBiasGradients()
    {
        P p = ConvBackwardCases.Make(2, [3, 3], [1, 1], [1, 1], [1, 1], [1, 1], [0, 0], 1, 0, 2, 3, [4, 4]);
        foreach (bool transposed in (bool[])[false, true])
        {
            var w = ConvData.Integers<T>(ConvBackwardCases.WeightLength(transposed, p), 5);
            T[] dw = Enumerable.Repeat(T.One, w.Length).ToArray(), db = Enumerable.Repeat(T.One, p.Cout).ToArray();
            ConvBackwardCases.Backward<T>(transposed, p, false, [], [], w, [], dw, db, Threads.Options(1));
            Assert.All(dw, v => Assert.True(v == T.Zero));
            Assert.All(db, v => Assert.True(v == T.Zero));
        }
    }

    private static void CheckExact(bool transposed, P p, bool last, int seed, bool twoThreads)
    {
        string context = $"{typeof(T).Name} {(transposed ? "ConvTranspose" : "Conv")} {p} {(last ? "channels-last" : "channels-first")}";
        (T[] dy, T[] x, T[] w) = Data(transposed, p, seed, ConvData.Integers<T>);
        (double[] ex, double[] ew, double[] eb) = ConvBackwardReference.Backward(transposed, p, Wide(dy), Wide(x), Wide(w));
        int volume = P.Volume(p.In), outVolume = P.Volume(ConvBackwardReference.OutputSize(transposed, p));
        if (last)
        {
            dy = ConvBackwardReference.ToChannelsLast(dy, p.Batch, p.Cout, outVolume);
            x = ConvBackwardReference.ToChannelsLast(x, p.Batch, p.Cin, volume);
            ex = ConvBackwardReference.ToChannelsLast(ex, p.Batch, p.Cin, volume);
        }

        (T[] dx, T[] dw, T[] db) = Run(transposed, p, last, dy, x, w, Threads.Options(1));
        ConvAssert.Exact<T>(Narrow(ex), dx, $"{context}: source gradient");
        ConvAssert.Exact<T>(Narrow(ew), dw, $"{context}: weight gradient");
        ConvAssert.Exact<T>(Narrow(eb), db, $"{context}: bias gradient");
        if (twoThreads)
        {
            (T[] dx2, T[] dw2, T[] db2) = Run(transposed, p, last, dy, x, w, Threads.Options(2));
            BitAssert.Equal<T>(dx, dx2, $"{context}: source gradient at 2 threads vs 1");
            BitAssert.Equal<T>(dw, dw2, $"{context}: weight gradient at 2 threads vs 1");
            BitAssert.Equal<T>(db, db2, $"{context}: bias gradient at 2 threads vs 1");
        }
    }

    private static (T[] Dy, T[] X, T[] W) Data(bool transposed, P p, int seed, Func<int, int, T[]> make)
        => (make(p.Batch * p.Cout * P.Volume(ConvBackwardReference.OutputSize(transposed, p)), seed),
            make(p.Batch * p.Cin * P.Volume(p.In), seed + 7919),
            make(ConvBackwardCases.WeightLength(transposed, p), seed + 104729));

    private static (T[] Dx, T[] Dw, T[] Db) Run(bool transposed, P p, bool last, T[] dy, T[] x, T[] w, ExecutionOptions options)
    {
        var dx = new T[x.Length];
        var dw = new T[w.Length];
        var db = new T[p.Cout];
        ConvBackwardCases.Backward<T>(transposed, p, last, dy, x, w, dx, dw, db, options);
        return (dx, dw, db);
    }

    private const int Margin = 5;

    private static T[] Guard(int length, bool wanted) => wanted ? Enumerable.Repeat(T.NaN, length + (2 * Margin)).ToArray() : [];

    private static Span<T> Inner(T[] guarded, int length) => guarded.Length == 0 ? [] : guarded.AsSpan(Margin, length);

    private static void CheckGuarded(T[] guarded, T[] expected, string context)
    {
        if (guarded.Length == 0)
        {
            return;
        }

        BitAssert.Equal<T>(expected, guarded.AsSpan(Margin, expected.Length), context);
        for (int i = 0; i < Margin; i++)
        {
            Assert.True(T.IsNaN(guarded[i]) && T.IsNaN(guarded[^(i + 1)]), $"{context}: a sentinel was overwritten");
        }
    }

    private static double[] Wide(T[] values) => values.Select(double.CreateChecked).ToArray();

    private static T[] Narrow(double[] values) => values.Select(T.CreateChecked).ToArray();

    private static double Dot(T[] a, T[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += double.CreateChecked(a[i]) * double.CreateChecked(b[i]);
        }

        return sum;
    }
}

public sealed class ConvBackwardFloatTests : ConvBackwardTests<float>;

public sealed class ConvBackwardDoubleTests : ConvBackwardTests<double>;

/// <summary>Half: stored 16-bit, accumulated in float; exact on the small integer data, rounded once.</summary>
public sealed class ConvBackwardHalfTests : ConvBackwardTests<Half>;
