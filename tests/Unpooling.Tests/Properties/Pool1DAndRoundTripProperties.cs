using System.Numerics;
using System.Numerics.Tensors;
using CsCheck;
using Unpooling.Tests.ChannelsLast;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated cases of 1-D max pooling (the span form in both layouts and the rank-3 TensorSpan form) against
/// <see cref="Pool1DReference"/>, and of the TensorFlow round trip: channels-last pooling (2-D and 3-D) writing
/// TensorFlow indices, <c>ConvertIndices</c> to per-plane or global row-major on the channels-first permutation, then
/// channels-first unpooling, which must give the very tensor the channels-first pooling and unpooling give (and the
/// oracle's: <see cref="Pool3DReference"/>).
/// </summary>
public sealed class Pool1DAndRoundTripProperties
{
    internal enum Pool1DForm
    {
        Span,
        SpanChannelsLast,
        TensorSpan,
    }

    internal sealed record Pool1DCase(Pool1DForm Form, int N, int C, int L, Axis1D Axis, IndexConvention Convention, int Element, int Seed, GuardSide Side, int Threads)
    {
        public override string ToString() => $"MaxPool1D {Form} N={N} C={C} L={L} {Axis} {Convention} element#{Element} seed={Seed} {Side} threads={Threads}";
    }

    private static readonly Gen<Pool1DCase> Pool1DCases =
        Gen.Select(
                Gen.Int[0, 2].Select(f => (Pool1DForm)f), Gen.Frequency((1, Gen.Const(0)), (6, Gen.Int[1, 2])), Gen.Int[1, 3], Gen.Int[1, 20],
                Gen.Select(Gen.Int[1, 4], Gen.Int[1, 3], Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 2])), Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 2])), Gen.Frequency((3, Gen.Const(1)), (1, Gen.Int[2, 3])), Gen.Bool)
                    .Select((k, s, pb, pe, d, ceil) => new Axis1D(k, s, pb, pe, d, ceil)))
            .SelectMany(a => Gen.Select(Gen.Int[0, 5].Select(c => (IndexConvention)c), Gen.Int[0, 2], Generators.ValueSeed, Generators.Side, Gen.Int[1, 3])
                .Select(b => new Pool1DCase(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5)));

    [Fact]
    public void MaxPool1DSpanAndTensorSpanFormsAreTheOracleOrARefusal()
        => Property.Check("MaxPool1D(span, TensorSpan)", Pool1DCases, static (c, tally) =>
        {
            switch (c.Element)
            {
                case 0: Pool1D<float>(c, tally); break;
                case 1: Pool1D<Half>(c, tally); break;
                default: Pool1D<int>(c, tally); break;
            }
        }, 1200, static c => c.ToString());

    private static unsafe void Pool1D<T>(Pool1DCase c, Property.Tally tally)
        where T : unmanaged, INumber<T>
    {
        string context = c.ToString();
        int planes = c.N * c.C;
        bool last = c.Form == Pool1DForm.SpanChannelsLast;
        T[] xFirst = Generators.Values<T>(planes * c.L, c.Seed);
        T[] x = last ? ChannelsLastReference.ToChannelsLast(xFirst, c.N, c.C, c.L) : xFirst;
        bool valid = c.Axis.TryGetOutputSize(c.L, out int outL);
        int outCount = valid ? planes * outL : c.Form == Pool1DForm.TensorSpan ? planes : 3;
        using PageGuardedMemory<T> source = Generators.GuardedSource<T>(x, c.Side);
        using PageGuardedMemory<T> values = Generators.GuardedDestination<T>(outCount, c.Side.Other());
        using PageGuardedMemory<long> indices = Generators.GuardedDestination<long>(outCount, c.Side);
        Pool1DGeometry g = new Pool1DGeometry(c.Axis.Kernel, c.Axis.Stride, dilation: c.Axis.Dilation, ceilMode: c.Axis.CeilMode).WithPadding(c.Axis.PadBegin, c.Axis.PadEnd);
        var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
        T* sp = source.Pointer, vp = values.Pointer;
        long* ip = indices.Pointer;
        int sl = x.Length;

        void Call()
        {
            if (c.Form == Pool1DForm.TensorSpan)
            {
                nint[] sl3 = [c.N, c.C, c.L], ol3 = [c.N, c.C, valid ? outL : 1];
                Functional.MaxPool1D(
                    new ReadOnlyTensorSpan<T>(sp, sl, sl3, RankUnpoolProperties.Strides(sl3)), g,
                    new TensorSpan<T>(vp, outCount, ol3, RankUnpoolProperties.Strides(ol3)), new TensorSpan<long>(ip, outCount, ol3, RankUnpoolProperties.Strides(ol3)), c.Convention, options);
                return;
            }

            Functional.MaxPool1D(new ReadOnlySpan<T>(sp, sl), last ? Shape3D.ChannelsLast(c.N, c.L, c.C) : new Shape3D(c.N, c.C, c.L), g, new Span<T>(vp, outCount), new Span<long>(ip, outCount), c.Convention, options);
        }

        if (!valid)
        {
            byte[] beforeV = PoolCases.Snapshot<T>(values.Span), beforeI = PoolCases.Snapshot<long>(indices.Span);
            tally.Add(PoolCases.Refused([PoolRefusal.Argument("geometry", "window rule")], Call, context));
            PoolCases.Unchanged<T>(beforeV, values.Span, "values", context);
            PoolCases.Unchanged<long>(beforeI, indices.Span, "indices", context);
            return;
        }

        Call();
        Pool1DResult<T> r = Pool1DReference.Pool(xFirst, planes, c.L, c.Axis);
        long[] expectedIndices = Pool1DReference.Encode(r.Cells, r.Taps, c.N, c.C, outL, c.L, c.Convention);
        T[] expectedValues = r.Values;
        if (last)
        {
            expectedValues = ChannelsLastReference.ToChannelsLast(expectedValues, c.N, c.C, outL);
            expectedIndices = ChannelsLastReference.ToChannelsLast(expectedIndices, c.N, c.C, outL);
        }

        PoolCases.Equal(expectedValues, values.Span, "pooled values", context);
        PoolCases.Equal(expectedIndices, indices.Span, "indices", context);
        tally.Add($"{c.Form} result{(planes == 0 ? ": empty" : "")}");
    }

    internal sealed record RoundTripCase(int Rank, int N, int C, int D, int H, int W, Axis3 Ad, Axis3 Ah, Axis3 Aw, bool WithBatch, bool ToGlobal, bool IntIndices, int Seed, int Threads)
    {
        public override string ToString()
            => $"{Rank}-D round trip N={N} C={C} {D}x{H}x{W} d[{Ad}] h[{Ah}] w[{Aw}] {(WithBatch ? "ChannelsLastWithBatch" : "ChannelsLastPerSample")} -> {(ToGlobal ? "GlobalRowMajor" : "PerPlane")} {(IntIndices ? "int" : "long")} seed={Seed} threads={Threads}";
    }

    /// <summary>Floor mode and dilation 1, so the pooling input's size is always a size the unpooling rule accepts.</summary>
    private static readonly Gen<Axis3> RoundTripAxis =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Frequency((3, Gen.Const(0)), (1, Gen.Const(1))), Gen.Frequency((3, Gen.Const(0)), (1, Gen.Const(1))))
            .Select((k, s, pb, pe) => new Axis3(k, s, pb, pe, 1));

    private static readonly Gen<RoundTripCase> RoundTripCases =
        Gen.Select(Gen.OneOf(2, 3), Gen.Int[1, 2], Gen.Int[1, 5], Gen.Int[1, 4], Gen.Int[1, 6], Gen.Int[1, 7], RoundTripAxis, RoundTripAxis)
            .SelectMany(a => Gen.Select(RoundTripAxis, Gen.Bool, Gen.Bool, Gen.Bool, Generators.ValueSeed, Gen.Int[1, 3])
                .Select(b => new RoundTripCase(
                    a.Item1, a.Item2, a.Item3, a.Item1 == 3 ? a.Item4 : 1, a.Item5, a.Item6, a.Item1 == 3 ? a.Item7 : new Axis3(1, 1, 0, 0, 1), a.Item8, b.Item1,
                    b.Item2, b.Item3, b.Item4, b.Item5, b.Item6)));

    [Fact]
    public void ChannelsLastPoolingWithTensorFlowIndicesConvertedAndUnpooledIsTheChannelsFirstRoundTrip()
        => Property.Check("MaxPool CL (TF indices) -> ConvertIndices -> MaxUnpool CF", RoundTripCases, static (c, tally) =>
        {
            if (c.IntIndices)
            {
                RoundTrip<int>(c, tally);
            }
            else
            {
                RoundTrip<long>(c, tally);
            }
        }, 800, static c => c.ToString());

    private static void RoundTrip<TIndex>(RoundTripCase c, Property.Tally tally)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = c.ToString();
        long volume = (long)c.D * c.H * c.W;
        float[] xFirst = Generators.Values<float>(c.N * c.C * volume, c.Seed);
        float[] xLast = ChannelsLastReference.ToChannelsLast(xFirst, c.N, c.C, volume);
        IndexConvention tf = c.WithBatch ? IndexConvention.ChannelsLastWithBatch : IndexConvention.ChannelsLastPerSample;
        IndexConvention target = c.ToGlobal ? IndexConvention.GlobalRowMajor : IndexConvention.PerPlane;
        var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
        Pool3DResult<float>? oracle = Pool3DReference.Pool(xFirst, c.N, c.C, c.D, c.H, c.W, c.Ad, c.Ah, c.Aw, false);
        var g3 = new Pool3DGeometry(new Size3D(c.Ad.Kernel, c.Ah.Kernel, c.Aw.Kernel), new Size3D(c.Ad.Stride, c.Ah.Stride, c.Aw.Stride))
            .WithPadding(new Size3D(c.Ad.PadBegin, c.Ah.PadBegin, c.Aw.PadBegin), new Size3D(c.Ad.PadEnd, c.Ah.PadEnd, c.Aw.PadEnd));
        var g2 = new Pool2DGeometry(new Size2D(c.Ah.Kernel, c.Aw.Kernel), new Size2D(c.Ah.Stride, c.Aw.Stride))
            .WithPadding(new Size2D(c.Ah.PadBegin, c.Aw.PadBegin), new Size2D(c.Ah.PadEnd, c.Aw.PadEnd));
        if (oracle is null)
        {
            var v = new float[1];
            var i = new TIndex[1];
            tally.Add(Property.Refused<ArgumentException>("geometry", () =>
            {
                if (c.Rank == 3)
                {
                    Functional.MaxPool3D(xLast, Shape5D.ChannelsLast(c.N, c.D, c.H, c.W, c.C), g3, v, i, tf, options);
                }
                else
                {
                    Functional.MaxPool2D(xLast, Shape4D.ChannelsLast(c.N, c.H, c.W, c.C), g2, v, i, tf, options);
                }
            }, context));
            return;
        }

        long pooledVolume = (long)oracle.OutD * oracle.OutH * oracle.OutW;
        int count = oracle.Values.Length;
        var pooledLast = new float[count];
        var tfLast = new TIndex[count];
        var converted = new TIndex[count];
        var unpooled = new float[xFirst.Length];
        var pooledFirst = new float[count];
        var perPlaneFirst = new TIndex[count];
        var unpooledFirst = new float[xFirst.Length];
        if (c.Rank == 3)
        {
            var size = new Size3D(c.D, c.H, c.W);
            var pooledShape = new Shape5D(c.N, c.C, oracle.OutD, oracle.OutH, oracle.OutW);
            Functional.MaxPool3D(xLast, Shape5D.ChannelsLast(c.N, c.D, c.H, c.W, c.C), g3, pooledLast, tfLast, tf, options);
            float[] values = ChannelsLastReference.ToChannelsFirst(pooledLast, c.N, c.C, pooledVolume);
            TIndex[] tfFirst = ChannelsLastReference.ToChannelsFirst(tfLast, c.N, c.C, pooledVolume);
            Functional.ConvertIndices<TIndex>(tfFirst, pooledShape, size, tf, converted, target);
            Functional.MaxUnpool3D<float, TIndex>(values, converted, pooledShape, g3, unpooled, size, target, UnpoolReduction.Replace, options);

            // The channels-first path the round trip must reproduce.
            Functional.MaxPool3D(xFirst, new Shape5D(c.N, c.C, c.D, c.H, c.W), g3, pooledFirst, perPlaneFirst, IndexConvention.PerPlane, options);
            Functional.MaxUnpool3D<float, TIndex>(pooledFirst, perPlaneFirst, pooledShape, g3, unpooledFirst, size, IndexConvention.PerPlane, UnpoolReduction.Replace, options);
        }
        else
        {
            var size = new Size2D(c.H, c.W);
            var pooledShape = new Shape4D(c.N, c.C, oracle.OutH, oracle.OutW);
            Functional.MaxPool2D(xLast, Shape4D.ChannelsLast(c.N, c.H, c.W, c.C), g2, pooledLast, tfLast, tf, options);
            float[] values = ChannelsLastReference.ToChannelsFirst(pooledLast, c.N, c.C, pooledVolume);
            TIndex[] tfFirst = ChannelsLastReference.ToChannelsFirst(tfLast, c.N, c.C, pooledVolume);
            Functional.ConvertIndices<TIndex>(tfFirst, pooledShape, size, tf, converted, target);
            Functional.MaxUnpool2D<float, TIndex>(values, converted, pooledShape, g2, unpooled, size, target, UnpoolReduction.Replace, options);
            Functional.MaxPool2D(xFirst, new Shape4D(c.N, c.C, c.H, c.W), g2, pooledFirst, perPlaneFirst, IndexConvention.PerPlane, options);
            Functional.MaxUnpool2D<float, TIndex>(pooledFirst, perPlaneFirst, pooledShape, g2, unpooledFirst, size, IndexConvention.PerPlane, UnpoolReduction.Replace, options);
        }

        long[] expectedTf = Pool3DReference.Indices(oracle, tf, c.N, c.C, c.D, c.H, c.W, c.Ah.Kernel, c.Aw.Kernel);
        long[] expectedConverted = Pool3DReference.Indices(oracle, target, c.N, c.C, c.D, c.H, c.W, c.Ah.Kernel, c.Aw.Kernel);
        long[] perPlane = Pool3DReference.Indices(oracle, IndexConvention.PerPlane, c.N, c.C, c.D, c.H, c.W, c.Ah.Kernel, c.Aw.Kernel);
        float[] expected = Pool3DReference.Unpool(oracle.Values, perPlane, c.N, c.C, oracle.OutD, oracle.OutH, oracle.OutW, c.D, c.H, c.W, c.Ad, c.Ah, c.Aw, IndexConvention.PerPlane, sum: false)
            ?? throw new Xunit.Sdk.XunitException($"{context}: the oracle's own per-plane indices name no cell.");
        PoolCases.Equal(ChannelsLastReference.ToChannelsLast(expectedTf, c.N, c.C, pooledVolume), [.. tfLast.Select(long.CreateChecked)], "TensorFlow indices of the channels-last pooling", context);
        PoolCases.Equal(expectedConverted, [.. converted.Select(long.CreateChecked)], "converted indices", context);
        PoolCases.Equal(expected, unpooled, "round trip through channels-last pooling", context);
        PoolCases.Equal(unpooledFirst, unpooled, "round trip against the channels-first pooling and unpooling", context);
        tally.Add($"{c.Rank}-D round trip");
    }
}
