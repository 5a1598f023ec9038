using CsCheck;
using Unpooling.Tests.ChannelsLast;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated cases of the 3-D pooling in both layouts: any small shape and per-axis geometry (kernel, stride, begin and
/// end padding, dilation, ceil mode), every index convention. A geometry the 3-D oracle refuses must be refused naming
/// <c>geometry</c> with both outputs untouched; any other must equal the oracle bit for bit (channels-last: the oracle
/// on the channels-first permutation, permuted back).
/// </summary>
public class RankLayoutProperties
{
    private static readonly IndexConvention[] Conventions =
    [
        IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.GlobalColumnMajor,
        IndexConvention.ChannelsLastPerSample, IndexConvention.ChannelsLastWithBatch, IndexConvention.InWindow,
    ];

    private static readonly Gen<Axis3> AxisGen =
        Gen.Select(
                Gen.Frequency((3, Gen.Int[1, 2]), (1, Gen.Int[3, 4])), Gen.Int[1, 3], Gen.Frequency((3, Gen.Const(0)), (2, Gen.Int[1, 2])),
                Gen.Frequency((3, Gen.Const(0)), (2, Gen.Int[1, 2])), Gen.Frequency((4, Gen.Const(1)), (1, Gen.Int[2, 3])))
            .Select((k, s, pb, pe, d) => new Axis3(k, s, pb, pe, d));

    private static readonly Gen<Case3D> CaseGen =
        Gen.Select(Gen.Frequency((1, Gen.Const(0)), (6, Gen.Int[1, 2])), Gen.Int[1, 19], Gen.Int[1, 7], Gen.Int[1, 7], Gen.Int[1, 11], AxisGen, AxisGen, AxisGen)
            .SelectMany(t => Gen.Select(Gen.Bool, Gen.Bool, Gen.Int[0, Conventions.Length - 1], Gen.Int[0, 1 << 20], Gen.Int[1, 2])
                .Select((ceil, last, convention, seed, threads) => new Case3D(t.Item1, t.Item2, t.Item3, t.Item4, t.Item5, t.Item6, t.Item7, t.Item8, ceil, last, Conventions[convention], seed, threads)));

    [Fact]
    public void MaxPool3DInEitherLayoutIsTheOracleOrARefusal()
        => Property.Check("MaxPool3D(Span) rank and layout", CaseGen, static (c, tally) =>
        {
            var geometry = new Pool3DGeometry(
                new Size3D(c.D.Kernel, c.H.Kernel, c.W.Kernel), new Size3D(c.D.Stride, c.H.Stride, c.W.Stride), dilation: new Size3D(c.D.Dilation, c.H.Dilation, c.W.Dilation), ceilMode: c.Ceil)
                .WithPadding(new Size3D(c.D.PadBegin, c.H.PadBegin, c.W.PadBegin), new Size3D(c.D.PadEnd, c.H.PadEnd, c.W.PadEnd));
            Shape5D shape = c.Last ? Shape5D.ChannelsLast(c.N, c.Depth, c.Height, c.Width, c.C) : new Shape5D(c.N, c.C, c.Depth, c.Height, c.Width);
            long volume = (long)c.Depth * c.Height * c.Width;
            float[] x = Infrastructure.TestData.Ties<float>((int)shape.ElementCount, c.Seed);
            float[] channelsFirst = c.Last ? ChannelsLastReference.ToChannelsFirst(x, c.N, c.C, volume) : x;
            Pool3DResult<float>? expected = Pool3DReference.Pool(channelsFirst, c.N, c.C, c.Depth, c.Height, c.Width, c.D, c.H, c.W, c.Ceil);
            var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
            if (expected is null)
            {
                var values = new float[3];
                var indices = new long[3];
                var e = Assert.ThrowsAny<ArgumentException>(() => Functional.MaxPool3D(x, shape, geometry, values, indices, c.Convention, options));
                Assert.Equal("geometry", e.ParamName);
                Assert.All(values, v => Assert.Equal(0f, v));
                Assert.All(indices, i => Assert.Equal(0L, i));
                tally.Add("refused: geometry");
                return;
            }

            long pooledVolume = (long)expected.OutD * expected.OutH * expected.OutW;
            var pooled = new float[expected.Values.Length];
            var written = new long[expected.Values.Length];
            Functional.MaxPool3D(x, shape, geometry, pooled, written, c.Convention, options);
            long[] expectedIndices = Pool3DReference.Indices(expected, c.Convention, c.N, c.C, c.Depth, c.Height, c.Width, c.H.Kernel, c.W.Kernel);
            float[] expectedValues = c.Last ? ChannelsLastReference.ToChannelsLast(expected.Values, c.N, c.C, pooledVolume) : expected.Values;
            expectedIndices = c.Last ? ChannelsLastReference.ToChannelsLast(expectedIndices, c.N, c.C, pooledVolume) : expectedIndices;
            ChannelsLastAssert.SameBits<float>(expectedValues, pooled, c.ToString());
            ChannelsLastAssert.SameIndices<long>(expectedIndices, written, c.ToString());
            tally.Add(shape.ElementCount == 0 ? "result: empty" : c.Last ? "result: channels-last" : "result: channels-first");
        }, iterations: 2500, print: static c => c.ToString());

    internal readonly record struct Case3D(
        int N, int C, int Depth, int Height, int Width, Axis3 D, Axis3 H, Axis3 W, bool Ceil, bool Last, IndexConvention Convention, int Seed, int Threads)
    {
        public override string ToString()
            => $"N={N} C={C} {Depth}x{Height}x{Width} {(Last ? "channels-last" : "channels-first")} d[{D}] h[{H}] w[{W}] ceil={Ceil} {Convention} seed={Seed} threads={Threads}";
    }
}
