using System.Numerics;
using CsCheck;
using Unpooling.Tests.Conv;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated cases of <c>Conv1D</c>, <c>Conv3D</c>, <c>ConvTranspose1D</c> and <c>ConvTranspose3D</c> (span forms,
/// float and double). Ordinary cases: per axis an input of 1-5, kernel 1-3, stride 1-3, begin and end padding 0-2,
/// dilation 1-2, output padding below <c>max(s, d)</c> (or a PyTorch <c>output_size</c> request through
/// <c>WithTransposedOutputSize</c>), groups 1-2, bias or none, N 0-2, a destination length sometimes off by one;
/// results within <see cref="ConvTolerance"/> of <see cref="ConvReference3D"/> (1-D as depth and height 1), which
/// also checks <see cref="Ref64"/>, the 64-bit loop the extreme set is judged by. Extreme cases: one axis of a tiny
/// tensor with stride, dilation, padding and output padding near 2^29..2^31 (padding often chosen so the output comes
/// back to 1-6 cells, so the kernel must compute it): the model (64-bit output sizes) says refused naming
/// <c>geometry</c> (an axis below 1 or past int, an output no span holds) or <c>destination</c> (a valid output too
/// large for the test, given a one-element destination), or a result equal to <see cref="Ref64"/> within the
/// tolerance. Sources are read-only page-guarded memory; destinations sit flush against a no-access page.
/// </summary>
public sealed class ConvRankProperties
{
    private const int Cap = 1 << 12;

    /// <summary>One axis: input, kernel, stride, begin and end padding, dilation, output padding.</summary>
    internal readonly record struct ConvAxis(int I, int K, int S, int Pb, int Pe, int D, int Op)
    {
        public static readonly ConvAxis Unit = new(1, 1, 1, 0, 0, 1, 0);

        public long Output(bool transposed)
            => transposed ? ConvolutionProperties.TransposedAxis(I, K, S, Pb, Pe, D, Op) : ConvolutionProperties.ConvAxis(I, K, S, Pb, Pe, D);

        public RefAxis Ref => new(K, S, Pb, Pe, D, Op);

        public override string ToString() => $"i{I} k{K} s{S} p{Pb}/{Pe} d{D} op{Op}";
    }

    internal sealed record Case(
        bool Transposed, int Rank, bool Extreme, int N, int Groups, int CinG, int CoutG, ConvAxis Ad, ConvAxis Ah, ConvAxis Aw, bool Bias, int OutputSizeKind,
        int DestinationDelta, bool Double, GuardSide Side, int Threads, int Seed)
    {
        public override string ToString()
            => $"{(Transposed ? "ConvTranspose" : "Conv")}{Rank}D{(Extreme ? " extreme" : "")} N={N} groups={Groups} cin/g={CinG} cout/g={CoutG} d[{Ad}] h[{Ah}] w[{Aw}] "
            + $"bias={Bias} outputSize#{OutputSizeKind} dst{DestinationDelta:+0;-0} {(Double ? "double" : "float")} {Side} threads={Threads} seed={Seed}";
    }

    private static readonly Gen<ConvAxis> SmallAxis =
        Gen.Select(Gen.Int[1, 5], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Frequency((2, Gen.Const(0)), (1, Gen.Int[1, 2])), Gen.Frequency((2, Gen.Const(0)), (1, Gen.Int[1, 2])), Gen.Frequency((3, Gen.Const(1)), (1, Gen.Const(2))), Gen.UInt)
            .Select((i, k, s, pb, pe, d, bits) => new ConvAxis(i, k, s, pb, pe, d, (int)(bits % 3 == 0 ? bits / 3 % (uint)Math.Max(s, d) : 0)));

    /// <summary>
    /// An axis with values near the top of the int range: stride and dilation small or extreme, output padding 0, the
    /// largest allowed or any allowed, and padding that brings the output back to 1-6 cells (split at random) or edge values.
    /// </summary>
    private static Gen<ConvAxis> ExtremeAxis(bool transposed) =>
        from i in Gen.Int[1, 3]
        from k in Gen.Int[1, 3]
        from s in Gen.Frequency((3, Gen.Int[1, 3]), (2, Generators.Extreme))
        from d in Gen.Frequency((2, Gen.Int[1, 3]), (3, Generators.Extreme))
        from opKind in Gen.Int[0, 2]
        from opBits in Gen.UInt
        from target in Gen.Int[1, 6]
        from splitBits in Gen.ULong
        from balanced in Gen.Frequency((3, Gen.Const(true)), (1, Gen.Const(false)))
        from edges in Gen.Select(Gen.Frequency((1, Generators.Extreme), (1, Gen.Int[0, 3])), Gen.Frequency((1, Generators.Extreme), (1, Gen.Int[0, 3])))
        let op = transposed ? (int)(opKind == 0 ? 0u : opKind == 1 ? (uint)(Math.Max(s, d) - 1) : opBits % (uint)Math.Max(s, d)) : 0
        let pads = balanced ? Balanced(transposed, i, k, s, d, op, target, splitBits) : edges
        select new ConvAxis(i, k, s, pads.Item1, pads.Item2, d, op);

    private static (int, int) Balanced(bool transposed, int i, int k, int s, int d, int op, int target, ulong bits)
    {
        long keff = ((long)d * (k - 1)) + 1;
        long total = Math.Max(0, transposed ? ((long)(i - 1) * s) + keff + op - target : keff - i + ((long)(target - 1) * s));
        long begin = (long)(bits % (ulong)(total + 1));
        begin = Math.Min(begin, int.MaxValue);
        return ((int)begin, (int)Math.Min(total - begin, int.MaxValue));
    }

    private static Gen<Case> Cases(bool transposed, bool extreme) =>
        from rank in Gen.OneOf(1, 3)
        from n in Gen.Frequency((1, Gen.Const(0)), (6, Gen.Const(1)), (2, Gen.Const(2)))
        from groups in extreme ? Gen.Const(1) : Gen.Int[1, 2]
        from cinG in Gen.Int[1, 2]
        from coutG in Gen.Int[1, 2]
        from ad in extreme ? Gen.Const(ConvAxis.Unit) : SmallAxis
        from ah in extreme ? Gen.Const(ConvAxis.Unit) : SmallAxis
        from aw in extreme ? ExtremeAxis(transposed) : SmallAxis
        from bias in Gen.Bool
        from outputSizeKind in transposed && !extreme ? Gen.Frequency((4, Gen.Const(-1)), (2, Gen.Int[0, 2])) : Gen.Const(-1)
        from delta in Gen.Frequency((20, Gen.Const(0)), (1, Gen.OneOf(-1, 1)))
        from isDouble in Gen.Bool
        from side in Generators.Side
        from threads in Gen.Int[1, 3]
        from seed in Generators.ValueSeed
        let d3 = rank == 3 ? ad with { Op = transposed ? ad.Op : 0 } : ConvAxis.Unit
        let h3 = rank == 3 ? ah with { Op = transposed ? ah.Op : 0 } : ConvAxis.Unit
        select new Case(transposed, rank, extreme, n, groups, cinG, coutG, d3, h3, aw with { Op = transposed ? aw.Op : 0 }, bias, outputSizeKind, delta, isDouble, side, threads, seed);

    [Fact]
    public void ConvTranspose1DAnd3DAreTheReferenceWithinTolerance()
        => Property.Check("ConvTranspose1D/3D(span) ordinary", Cases(transposed: true, extreme: false), static (c, t) => Dispatch(c, t), 500, static c => c.ToString());

    [Fact]
    public void Conv1DAnd3DAreTheReferenceWithinTolerance()
        => Property.Check("Conv1D/3D(span) ordinary", Cases(transposed: false, extreme: false), static (c, t) => Dispatch(c, t), 500, static c => c.ToString());

    [Fact]
    public void ConvTranspose1DAnd3DOnExtremeGeometryComputeOrRefuse()
        => Property.Check("ConvTranspose1D/3D(span) extreme", Cases(transposed: true, extreme: true), static (c, t) => Dispatch(c, t), 500, static c => c.ToString());

    [Fact]
    public void Conv1DAnd3DOnExtremeGeometryComputeOrRefuse()
        => Property.Check("Conv1D/3D(span) extreme", Cases(transposed: false, extreme: true), static (c, t) => Dispatch(c, t), 500, static c => c.ToString());

    private static void Dispatch(Case c, Property.Tally tally)
    {
        if (c.Double)
        {
            Run<double>(c, tally);
        }
        else
        {
            Run<float>(c, tally);
        }
    }

    private static unsafe void Run<T>(Case c, Property.Tally tally)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string context = c.ToString();
        int cin = c.Groups * c.CinG, cout = c.Groups * c.CoutG;
        ConvAxis aw = c.Aw;

        // A PyTorch output_size request: the minimum plus 0, s - 1 (both allowed) or s (refused by the geometry helper).
        int? requested = null;
        // (A 3-D request needs the other axes' sizes, which must be valid themselves, else the case asks for none;
        // PyTorch's rule reaches [min, min + s - 1] per axis, so their output padding must stay below the stride.)
        if (c.OutputSizeKind >= 0 && c.Ad.Output(true) >= 1 && c.Ah.Output(true) >= 1 && c.Ad.Op < c.Ad.S && c.Ah.Op < c.Ah.S)
        {
            long min = aw.Output(transposed: true) - aw.Op;
            requested = (int)(min + (c.OutputSizeKind == 0 ? 0 : c.OutputSizeKind == 1 ? aw.S - 1 : aw.S));
            if (c.OutputSizeKind == 2 || requested < 1)
            {
                int bad = requested.Value;
                Action helper = c.Rank == 1
                    ? () => Geometry1D(aw with { Op = 0 }, c.Groups).WithTransposedOutputSize(aw.I, bad)
                    : () => Geometry3D(c.Ad, c.Ah, aw with { Op = 0 }, c.Groups).WithTransposedOutputSize(
                        new Size3D(c.Ad.I, c.Ah.I, aw.I), new Size3D((int)c.Ad.Output(true), (int)c.Ah.Output(true), bad));
                Property.Refused<ArgumentOutOfRangeException>("outputSize", helper, context);
                tally.Add($"{c.Rank}-D refused: outputSize (geometry helper)");
                return;
            }

            aw = aw with { Op = requested.Value - (int)min };
        }

        ConvAxis[] axes = [c.Ad, c.Ah, aw];
        long od = c.Ad.Output(c.Transposed), oh = c.Ah.Output(c.Transposed), ow = aw.Output(c.Transposed);
        PoolRefusal? refusal = null;
        long outCount = 0;
        if (od < 1 || oh < 1 || ow < 1 || od > int.MaxValue || oh > int.MaxValue || ow > int.MaxValue)
        {
            refusal = PoolRefusal.Argument("geometry", "an output axis below 1 or past int");
        }
        else
        {
            Int128 total = (Int128)c.N * cout * od * oh * ow;
            if (total > Array.MaxLength)
            {
                refusal = PoolRefusal.Argument("geometry", "an output no span holds");
            }
            else
            {
                outCount = (long)total;
            }
        }

        bool tooLarge = refusal is null && outCount > Cap;
        int destinationLength = tooLarge ? (outCount == 1 ? 2 : 1) : (int)Math.Max(0, outCount + c.DestinationDelta);
        if (refusal is null && destinationLength != outCount)
        {
            refusal = PoolRefusal.Argument("destination", tooLarge ? "valid output too large for the test" : "length");
        }

        long inVolume = (long)c.Ad.I * c.Ah.I * aw.I;
        int taps = c.Ad.K * c.Ah.K * aw.K;
        T[] x = ConvData.Uniform<T>((int)(c.N * cin * inVolume), c.Seed);
        T[] w = ConvData.Uniform<T>((c.Transposed ? cin * c.CoutG : cout * c.CinG) * taps, c.Seed + 1);
        T[] b = c.Bias ? ConvData.Uniform<T>(cout, c.Seed + 2) : [];
        using PageGuardedMemory<T> source = Generators.GuardedSource<T>(x, c.Side);
        using PageGuardedMemory<T> weight = Generators.GuardedSource<T>(w, c.Side.Other());
        using PageGuardedMemory<T> bias = Generators.GuardedSource<T>(b, c.Side);
        using PageGuardedMemory<T> destination = Generators.GuardedDestination<T>(destinationLength, c.Side.Other());
        var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
        T* xp = source.Pointer, wp = weight.Pointer, bp = bias.Pointer, dp = destination.Pointer;
        int xl = x.Length, wl = w.Length, bl = b.Length;
        int w0 = c.Transposed ? cin : cout, w1 = c.Transposed ? c.CoutG : c.CinG;

        void Call()
        {
            var s = new ReadOnlySpan<T>(xp, xl);
            var k = new ReadOnlySpan<T>(wp, wl);
            var bb = new ReadOnlySpan<T>(bp, bl);
            var d = new Span<T>(dp, destinationLength);
            if (c.Rank == 1)
            {
                Conv1DGeometry g = requested is { } r ? Geometry1D(c.Aw with { Op = 0 }, c.Groups).WithTransposedOutputSize(aw.I, r) : Geometry1D(aw, c.Groups);
                var xs = new Shape3D(c.N, cin, aw.I);
                var ws = new Shape3D(w0, w1, aw.K);
                if (c.Transposed)
                {
                    Functional.ConvTranspose1D(s, xs, k, ws, bb, g, d, options);
                }
                else
                {
                    Functional.Conv1D(s, xs, k, ws, bb, g, d, options);
                }

                return;
            }

            Conv3DGeometry g3 = Geometry3D(c.Ad, c.Ah, requested is null ? aw : aw with { Op = 0 }, c.Groups);
            if (requested is { } req)
            {
                g3 = g3.WithTransposedOutputSize(new Size3D(c.Ad.I, c.Ah.I, aw.I), new Size3D((int)od, (int)oh, req));
            }

            var xs3 = new Shape5D(c.N, cin, c.Ad.I, c.Ah.I, aw.I);
            var ws3 = new Shape5D(w0, w1, c.Ad.K, c.Ah.K, aw.K);
            if (c.Transposed)
            {
                Functional.ConvTranspose3D(s, xs3, k, ws3, bb, g3, d, options);
            }
            else
            {
                Functional.Conv3D(s, xs3, k, ws3, bb, g3, d, options);
            }
        }

        if (refusal is { } refused)
        {
            tally.Add(PoolCases.RefusedLeavingUnchanged($"{c.Rank}-D", refused, Call, destination, context));
            return;
        }

        Call();
        double[] wide = Ref64.Run(c.Transposed, [.. x.Select(double.CreateChecked)], c.N, cin, [.. w.Select(double.CreateChecked)], cout, c.Groups, c.Bias ? [.. b.Select(double.CreateChecked)] : null, axes, [od, oh, ow]);
        T[] expected = [.. wide.Select(T.CreateChecked)];
        if (!c.Extreme)
        {
            // The designated oracle; the 64-bit loop must agree with it where both run.
            (T[] oracle, int[] size) = c.Transposed
                ? ConvReference3D.ConvTranspose(x, c.N, cin, [c.Ad.I, c.Ah.I, aw.I], w, cout, [c.Ad.Ref, c.Ah.Ref, aw.Ref], c.Groups, c.Bias ? b : null)
                : ConvReference3D.Conv(x, c.N, cin, [c.Ad.I, c.Ah.I, aw.I], w, cout, [c.Ad.Ref, c.Ah.Ref, aw.Ref], c.Groups, c.Bias ? b : null);
            Assert.True(size[0] == od && size[1] == oh && size[2] == ow, $"{context}: the oracle's output {string.Join("x", size)} is not the model's {od}x{oh}x{ow}.");
            ConvAssert.Close<T>(oracle, expected, (c.CinG * taps) + 1, $"{context} (64-bit loop against the oracle)");
            expected = oracle;
        }

        ConvAssert.Close<T>(expected, destination.Span, (c.CinG * taps) + 1, context);
        tally.Add($"{c.Rank}-D result{(outCount == 0 ? ": empty" : "")}");
    }

    private static Conv3DGeometry Geometry3D(ConvAxis d, ConvAxis h, ConvAxis w, int groups)
        => new Conv3DGeometry(new Size3D(d.K, h.K, w.K), new Size3D(d.S, h.S, w.S), dilation: new Size3D(d.D, h.D, w.D), groups: groups, outputPadding: new Size3D(d.Op, h.Op, w.Op))
            .WithPadding(new Size3D(d.Pb, h.Pb, w.Pb), new Size3D(d.Pe, h.Pe, w.Pe));

    private static Conv1DGeometry Geometry1D(ConvAxis a, int groups)
        => new Conv1DGeometry(a.K, a.S, dilation: a.D, groups: groups, outputPadding: a.Op).WithPadding(a.Pb, a.Pe);

    /// <summary>
    /// SEMANTICS.md 4's two sums with every position in 64 bits, over double: the transposed convolution as its scatter
    /// (each input cell and tap, kept where <c>i*s - pb + j*d</c> lands in the output), the convolution as its gather
    /// (each output cell and tap, kept where <c>o*s - pb + j*d</c> lands in the input). Bias first, taps in order.
    /// </summary>
    internal static class Ref64
    {
        public static double[] Run(bool transposed, double[] x, int n, int cin, double[] w, int cout, int groups, double[]? bias, ConvAxis[] a, long[] o)
        {
            int cinG = cin / groups, coutG = cout / groups;
            long outVolume = o[0] * o[1] * o[2], inVolume = (long)a[0].I * a[1].I * a[2].I, taps = (long)a[0].K * a[1].K * a[2].K;
            var y = new double[n * cout * outVolume];
            for (long i = 0; i < y.Length; i++)
            {
                y[i] = bias is null ? 0 : bias[i / outVolume % cout];
            }

            // Transposed: walk input cells; forward: walk output cells. Either way "here" has the geometry's stride applied.
            long[] walk = transposed ? [a[0].I, a[1].I, a[2].I] : o;
            long[] other = transposed ? o : [a[0].I, a[1].I, a[2].I];
            for (long b = 0; b < n; b++)
            {
                for (long g = 0; g < groups; g++)
                {
                    for (long ci = 0; ci < cinG; ci++)
                    {
                        for (long co = 0; co < coutG; co++)
                        {
                            long cIn = (g * cinG) + ci, cOut = (g * coutG) + co;
                            for (long z = 0; z < walk[0]; z++)
                            {
                                for (long yy = 0; yy < walk[1]; yy++)
                                {
                                    for (long xx = 0; xx < walk[2]; xx++)
                                    {
                                        for (long t = 0; t < taps; t++)
                                        {
                                            long jd = t / (a[1].K * a[2].K), jh = t / a[2].K % a[1].K, jw = t % a[2].K;
                                            long pz = (z * a[0].S) - a[0].Pb + (jd * a[0].D), py = (yy * a[1].S) - a[1].Pb + (jh * a[1].D), px = (xx * a[2].S) - a[2].Pb + (jw * a[2].D);
                                            if (pz < 0 || pz >= other[0] || py < 0 || py >= other[1] || px < 0 || px >= other[2])
                                            {
                                                continue;
                                            }

                                            long here = (((z * walk[1]) + yy) * walk[2]) + xx, there = (((pz * other[1]) + py) * other[2]) + px;
                                            if (transposed)
                                            {
                                                double weight = w[(((cIn * coutG) + co) * taps) + t];
                                                y[(((b * cout) + cOut) * outVolume) + there] += x[(((b * cin) + cIn) * inVolume) + here] * weight;
                                            }
                                            else
                                            {
                                                double weight = w[(((cOut * cinG) + ci) * taps) + t];
                                                y[(((b * cout) + cOut) * outVolume) + here] += x[(((b * cin) + cIn) * inVolume) + there] * weight;
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }

            return y;
        }
    }
}
