using System.Numerics;
using System.Numerics.Tensors;
using CsCheck;
using Unpooling.Tests.ChannelsLast;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated cases of the tensor forms of the 1-D, 3-D and channels-last operators (the span forms have their own
/// properties: <see cref="Pool1DAndRoundTripProperties"/>, <see cref="RankLayoutProperties"/>,
/// <see cref="RankUnpoolProperties"/>): <c>MaxPool1D/2D/3D</c>, <c>MaxUnpool1D/2D/3D</c> and <c>ConvertIndices</c> in
/// the TensorSpan form (destinations given) and the allocating forms (from a <see cref="Tensor{T}"/> and from a
/// <see cref="ReadOnlyTensorSpan{T}"/>), channels-first (ranks 1 and 3) or with PyTorch's channels_last strides (every
/// rank; rank 2 only so, its channels-first forms being covered by the 2-D properties). Per axis a small size and
/// geometry (kernel, stride, begin and end padding, dilation for pooling, ceil mode); every index convention; Replace
/// and Sum; float, Half and int values with long or int indices; 1 to 3 threads with no size threshold. The model
/// comes from the oracles alone (<see cref="Pool3DReference"/>, which serves ranks 1 and 2 with unit axes): a geometry
/// the pooling oracle refuses is refused naming <c>geometry</c>; an index the unpooling oracle cannot place, or one
/// outside the conversion's source range, is refused naming <c>indices</c> (ArgumentOutOfRangeException); the
/// TensorSpan forms then leave every byte of their page-guarded destinations unchanged. Any other case equals the
/// oracle bit for bit, read through the result's strides (channels-last memory: the oracle permuted).
/// </summary>
public sealed class TensorFormRanksProperties
{
    internal enum Op
    {
        Pool,
        Unpool,
        Convert,
    }

    internal enum Form
    {
        Tensor,
        View,
        TensorSpan,
    }

    /// <summary>One axis: a size (the pooling input, or the pooled size of an unpooling or conversion) and its geometry.</summary>
    internal readonly record struct Axis(int Size, int K, int S, int Pb, int Pe, int D)
    {
        public static readonly Axis Unit = new(1, 1, 1, 0, 0, 1);

        public Axis3 Oracle => new(K, S, Pb, Pe, D);

        /// <summary>SEMANTICS.md 2's default unpooling size <c>(i-1)*s - pb - pe + k</c> of pooled size <see cref="Size"/>.</summary>
        public int Default => ((Size - 1) * S) - Pb - Pe + K;

        public override string ToString() => $"{Size} k{K} s{S} p{Pb}/{Pe} d{D}";
    }

    internal sealed record Case(
        Op Op, int Rank, Form Form, bool Last, int N, int C, Axis Ad, Axis Ah, Axis Aw, bool Ceil, IndexConvention From, IndexConvention To,
        UnpoolReduction Reduction, int Corrupt, bool Explicit, int Element, bool IntIndices, int Seed, GuardSide Side, int Threads)
    {
        public override string ToString()
            => $"{Op} rank {Rank} {Form} {(Last ? "channels-last" : "channels-first")} N={N} C={C} d[{Ad}] h[{Ah}] w[{Aw}] ceil={Ceil} {From}->{To} {Reduction} " +
               $"corrupt#{Corrupt} {(Explicit ? "explicit" : "default")} element#{Element} {(IntIndices ? "int" : "long")} seed={Seed} {Side} threads={Threads}";
    }

    private static readonly Gen<Axis> AxisGen =
        Gen.Select(
                Gen.Int[1, 6], Gen.Frequency((3, Gen.Int[1, 2]), (1, Gen.Const(3))), Gen.Int[1, 3], Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 2])),
                Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 2])), Gen.Frequency((4, Gen.Const(1)), (1, Gen.Const(2))))
            .Select((size, k, s, pb, pe, d) => new Axis(size, k, s, pb, pe, d));

    private static Gen<Case> Cases(Op op)
        => Gen.Select(Gen.Int[1, 3], Gen.Int[0, 2].Select(f => (Form)f), Gen.Bool, Gen.Int[1, 2], Gen.Int[1, 3], AxisGen, AxisGen, AxisGen)
            .SelectMany(a => Gen.Select(
                    Gen.Bool, Gen.Int[0, 5].Select(v => (IndexConvention)v), Gen.Int[0, 5].Select(v => (IndexConvention)v),
                    Gen.Frequency((2, Gen.Const(UnpoolReduction.Replace)), (1, Gen.Const(UnpoolReduction.Sum))), Gen.Frequency((8, Gen.Const(0)), (1, Gen.Int[1, 2])), Gen.Bool, Gen.Int[0, 2], Gen.Bool)
                .SelectMany(b => Gen.Select(Generators.ValueSeed, Generators.Side, Gen.Int[1, 3])
                    .Select(c => Make(op, a, b, c))));

    private static Case Make(
        Op op, (int Rank, Form Form, bool Last, int N, int C, Axis D, Axis H, Axis W) a,
        (bool Ceil, IndexConvention From, IndexConvention To, UnpoolReduction Reduction, int Corrupt, bool Explicit, int Element, bool IntIndices) b,
        (int Seed, GuardSide Side, int Threads) c)
    {
        // Rank 2 runs channels-last only; the 3-D conversion has the allocating Tensor form only.
        bool last = a.Rank == 2 || a.Last;
        Form form = op == Op.Convert && a.Rank == 3 ? Form.Tensor : a.Form;
        Axis Fit(Axis axis)
        {
            if (op == Op.Pool)
            {
                return axis;
            }

            // Unpooling and conversion windows: dilation 1, padding below the kernel, and a default size of at least 1,
            // so that every window holds a cell of the unpooled tensor (the indices are drawn from those cells).
            axis = axis with { D = 1, Pb = Math.Min(axis.Pb, axis.K - 1), Pe = Math.Min(axis.Pe, axis.K - 1) };
            return axis.Default >= 1 ? axis : axis with { Pb = 0, Pe = 0 };
        }

        Axis ad = a.Rank == 3 ? Fit(a.D) : Axis.Unit, ah = a.Rank >= 2 ? Fit(a.H) : Axis.Unit, aw = Fit(a.W);
        return new Case(
            op, a.Rank, form, last, a.N, a.C, ad, ah, aw, op == Op.Pool && b.Ceil, b.From, b.To, b.Reduction, b.Corrupt, b.Explicit, b.Element, b.IntIndices, c.Seed, c.Side, c.Threads);
    }

    [Fact]
    public void MaxPoolTensorFormsInEveryRankAndLayoutAreTheOracleOrARefusal()
        => Property.Check("MaxPool1D/2D-CL/3D(TensorSpan, allocating)", Cases(Op.Pool), static (c, tally) => Dispatch(c, tally), 700, static c => c.ToString());

    [Fact]
    public void MaxUnpoolTensorFormsInEveryRankAndLayoutAreTheOracleOrARefusal()
        => Property.Check("MaxUnpool1D/2D-CL/3D(TensorSpan, allocating)", Cases(Op.Unpool), static (c, tally) => Dispatch(c, tally), 700, static c => c.ToString());

    [Fact]
    public void ConvertIndicesTensorFormsInEveryRankAndLayoutAreTheOracleOrARefusal()
        => Property.Check("ConvertIndices 1D/2D-CL/3D(TensorSpan, allocating)", Cases(Op.Convert), static (c, tally) => Dispatch(c, tally), 700, static c => c.ToString());

    private static void Dispatch(Case c, Property.Tally tally)
    {
        switch ((c.Element, c.IntIndices))
        {
            case (0, false): Run<float, long>(c, tally); break;
            case (0, true): Run<float, int>(c, tally); break;
            case (1, false): Run<Half, long>(c, tally); break;
            case (1, true): Run<Half, int>(c, tally); break;
            case (_, false): Run<int, long>(c, tally); break;
            default: Run<int, int>(c, tally); break;
        }
    }

    private static void Run<T, TIndex>(Case c, Property.Tally tally)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        switch (c.Op)
        {
            case Op.Pool: Pool<T, TIndex>(c, tally); break;
            case Op.Unpool: Unpool<T, TIndex>(c, tally); break;
            default: Convert<TIndex>(c, tally); break;
        }
    }

    private static string Category(Case c, string what) => $"rank {c.Rank} {c.Form}{(c.Last ? " channels-last" : "")}: {what}";

    private static Pool1DGeometry G1(Case c) => new Pool1DGeometry(c.Aw.K, c.Aw.S, dilation: c.Aw.D, ceilMode: c.Ceil).WithPadding(c.Aw.Pb, c.Aw.Pe);

    private static Pool2DGeometry G2(Case c)
        => new Pool2DGeometry(new Size2D(c.Ah.K, c.Aw.K), new Size2D(c.Ah.S, c.Aw.S), dilation: new Size2D(c.Ah.D, c.Aw.D), ceilMode: c.Ceil)
            .WithPadding(new Size2D(c.Ah.Pb, c.Aw.Pb), new Size2D(c.Ah.Pe, c.Aw.Pe));

    private static Pool3DGeometry G3(Case c)
        => new Pool3DGeometry(new Size3D(c.Ad.K, c.Ah.K, c.Aw.K), new Size3D(c.Ad.S, c.Ah.S, c.Aw.S), dilation: new Size3D(c.Ad.D, c.Ah.D, c.Aw.D), ceilMode: c.Ceil)
            .WithPadding(new Size3D(c.Ad.Pb, c.Ah.Pb, c.Aw.Pb), new Size3D(c.Ad.Pe, c.Ah.Pe, c.Aw.Pe));

    /// <summary>The tensor lengths of a rank's <c>[N, C, spatial...]</c>.</summary>
    private static nint[] Lengths(int rank, int n, int c, int d, int h, int w)
        => rank switch { 1 => [n, c, w], 2 => [n, c, h, w], _ => [n, c, d, h, w] };

    /// <summary>
    /// Dense strides of the lengths, row-major or PyTorch's channels_last (channels innermost, then the spatial axes);
    /// 0 on a unit axis, as System.Numerics.Tensors wants.
    /// </summary>
    internal static nint[] Strides(nint[] lengths, bool channelsLast)
    {
        if (!channelsLast)
        {
            return RankUnpoolProperties.Strides(lengths);
        }

        return TensorViews.ChannelsLastStrides(lengths);
    }

    /// <summary>A tensor's elements in logical (row-major) order, read through its strides.</summary>
    internal static T[] Logical<T>(Tensor<T> tensor) => TensorViews.Logical(tensor.AsReadOnlyTensorSpan());

    private static long[] Longs<TIndex>(ReadOnlySpan<TIndex> indices)
        where TIndex : IBinaryInteger<TIndex>
    {
        var result = new long[indices.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = long.CreateChecked(indices[i]);
        }

        return result;
    }

    private static unsafe void Pool<T, TIndex>(Case c, Property.Tally tally)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = c.ToString();
        int n = c.N, ch = c.C, d = c.Ad.Size, h = c.Ah.Size, w = c.Aw.Size;
        long volume = (long)d * h * w;
        T[] xFirst = Generators.Values<T>(n * ch * volume, c.Seed);
        T[] x = c.Last ? ChannelsLastReference.ToChannelsLast(xFirst, n, ch, volume) : xFirst;
        Pool3DResult<T>? r = Pool3DReference.Pool(xFirst, n, ch, d, h, w, c.Ad.Oracle, c.Ah.Oracle, c.Aw.Oracle, c.Ceil);
        int od = r?.OutD ?? 1, oh = r?.OutH ?? 1, ow = r?.OutW ?? 1;
        nint[] inLengths = Lengths(c.Rank, n, ch, d, h, w), outLengths = Lengths(c.Rank, n, ch, od, oh, ow);
        nint[] inStrides = Strides(inLengths, c.Last), outStrides = Strides(outLengths, c.Last);
        int outCount = n * ch * od * oh * ow;
        using PageGuardedMemory<T> source = Generators.GuardedSource<T>(x, c.Side);
        using PageGuardedMemory<T> values = Generators.GuardedDestination<T>(outCount, c.Side.Other());
        using PageGuardedMemory<TIndex> indices = Generators.GuardedDestination<TIndex>(outCount, c.Side);
        var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
        T* sp = source.Pointer, vp = values.Pointer;
        TIndex* ip = indices.Pointer;
        int sl = x.Length;
        Tensor<T>? gotValues = null;
        Tensor<TIndex>? gotIndices = null;

        void Call()
        {
            var s = new ReadOnlyTensorSpan<T>(sp, sl, inLengths, inStrides);
            if (c.Form == Form.TensorSpan)
            {
                var dv = new TensorSpan<T>(vp, outCount, outLengths, outStrides);
                var di = new TensorSpan<TIndex>(ip, outCount, outLengths, outStrides);
                switch (c.Rank)
                {
                    case 1: Functional.MaxPool1D(s, G1(c), dv, di, c.From, options); break;
                    case 2: Functional.MaxPool2D(s, G2(c), dv, di, c.From, options); break;
                    default: Functional.MaxPool3D(s, G3(c), dv, di, c.From, options); break;
                }

                return;
            }

            Tensor<T>? t = c.Form == Form.Tensor ? Tensor.Create(x, inLengths, inStrides) : null;
            switch (c.Rank)
            {
                case 1:
                    (Tensor<T> v1, Switches1D<TIndex> s1) = t is null ? Functional.MaxPool1D<T, TIndex>(s, G1(c), c.From, options) : Functional.MaxPool1D<T, TIndex>(t, G1(c), c.From, options);
                    (gotValues, gotIndices) = (v1, s1.Indices);
                    break;
                case 2:
                    (Tensor<T> v2, Switches<TIndex> s2) = t is null ? Functional.MaxPool2D<T, TIndex>(s, G2(c), c.From, options) : Functional.MaxPool2D<T, TIndex>(t, G2(c), c.From, options);
                    (gotValues, gotIndices) = (v2, s2.Indices);
                    break;
                default:
                    (Tensor<T> v3, Switches3D<TIndex> s3) = t is null ? Functional.MaxPool3D<T, TIndex>(s, G3(c), c.From, options) : Functional.MaxPool3D<T, TIndex>(t, G3(c), c.From, options);
                    (gotValues, gotIndices) = (v3, s3.Indices);
                    break;
            }
        }

        if (r is null)
        {
            byte[] beforeValues = PoolCases.Snapshot<T>(values.Span), beforeIndices = PoolCases.Snapshot<TIndex>(indices.Span);
            tally.Add(Category(c, PoolCases.Refused([PoolRefusal.Argument("geometry", "window rule")], Call, context)));
            PoolCases.Unchanged<T>(beforeValues, values.Span, "values", context);
            PoolCases.Unchanged<TIndex>(beforeIndices, indices.Span, "indices", context);
            return;
        }

        Call();
        long pooledVolume = (long)od * oh * ow;
        long[] expectedIndices = Pool3DReference.Indices(r, c.From, n, ch, d, h, w, c.Ah.K, c.Aw.K);
        if (c.Form == Form.TensorSpan)
        {
            PoolCases.Equal(c.Last ? ChannelsLastReference.ToChannelsLast(r.Values, n, ch, pooledVolume) : r.Values, values.Span, "pooled values in memory", context);
            PoolCases.Equal(c.Last ? ChannelsLastReference.ToChannelsLast(expectedIndices, n, ch, pooledVolume) : expectedIndices, Longs<TIndex>(indices.Span), "indices in memory", context);
        }
        else
        {
            Assert.Equal(outLengths, gotValues!.Lengths.ToArray());
            Assert.Equal(outLengths, gotIndices!.Lengths.ToArray());
            PoolCases.Equal(r.Values, Logical(gotValues), "pooled values", context);
            PoolCases.Equal(expectedIndices, Longs<TIndex>(Logical(gotIndices)), "indices", context);
        }

        tally.Add(Category(c, "result"));
    }

    /// <summary>
    /// Valid indices of the case's pooled tensor into the unpooled size (every axis's default), in channels-first
    /// order: each element names a random cell of its own window that lies in the unpooled tensor, encoded in
    /// <paramref name="convention"/> (InWindow: its tap); then the case's corruption (-1, or the source range's end).
    /// </summary>
    private static long[] DrawIndices(Case c, IndexConvention convention, out (int Z, int Y, int X)[] cells, out (int Kd, int Kh, int Kw)[] taps)
    {
        int n = c.N, ch = c.C, pd = c.Ad.Size, ph = c.Ah.Size, pw = c.Aw.Size, od = c.Ad.Default, oh = c.Ah.Default, ow = c.Aw.Default;
        long pooledVolume = (long)pd * ph * pw, count = n * ch * pooledVolume;
        var result = new long[count];
        cells = new (int, int, int)[count];
        taps = new (int, int, int)[count];
        ulong state = ((ulong)c.Seed * 0x9E3779B97F4A7C15UL) + 7;
        for (long p = 0; p < count; p++)
        {
            long plane = p / pooledVolume;
            int z = (int)(p / (ph * pw) % pd), y = (int)(p / pw % ph), x = (int)(p % pw);
            state = unchecked((state ^ (state >> 31)) * 0xBF58476D1CE4E5B9UL) + 3;
            (int kd, int cz) = Pick(c.Ad, z, od, state);
            (int kh, int cy) = Pick(c.Ah, y, oh, state >> 21);
            (int kw, int cx) = Pick(c.Aw, x, ow, state >> 42);
            cells[p] = (cz, cy, cx);
            taps[p] = (kd, kh, kw);
            result[p] = Pool3DReference.Encode(convention, (int)(plane / ch), (int)(plane % ch), cz, cy, cx, n, ch, od, oh, ow, (kd, kh, kw), c.Ah.K, c.Aw.K);
        }

        if (c.Corrupt != 0)
        {
            long volume = (long)od * oh * ow;
            long space = convention switch
            {
                IndexConvention.PerPlane => volume,
                IndexConvention.ChannelsLastPerSample => ch * volume,
                IndexConvention.InWindow => (long)c.Ad.K * c.Ah.K * c.Aw.K,
                _ => n * ch * volume,
            };
            result[c.Seed % count] = c.Corrupt == 1 ? -1 : space;
        }

        return result;
    }

    /// <summary>A random tap of window <paramref name="o"/> of an axis (dilation 1) whose cell lies in <c>[0, size)</c>, and that cell.</summary>
    private static (int Tap, int Cell) Pick(Axis a, int o, int size, ulong random)
    {
        int start = (o * a.S) - a.Pb;
        int lo = Math.Max(0, -start), hi = Math.Min(a.K - 1, size - 1 - start);
        Assert.True(lo <= hi, $"window {o} of {a} holds a cell of {size}");
        int tap = lo + (int)(random % (ulong)(hi - lo + 1));
        return (tap, start + tap);
    }

    private static unsafe void Unpool<T, TIndex>(Case c, Property.Tally tally)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = c.ToString();
        int n = c.N, ch = c.C, pd = c.Ad.Size, ph = c.Ah.Size, pw = c.Aw.Size, od = c.Ad.Default, oh = c.Ah.Default, ow = c.Aw.Default;
        long pooledVolume = (long)pd * ph * pw, volume = (long)od * oh * ow;
        IndexConvention convention = c.From;
        long[] wide = DrawIndices(c, convention, out _, out _);
        T[] xFirst = Generators.Values<T>(wide.Length, c.Seed);
        T[]? expected = Pool3DReference.Unpool(
            xFirst, wide, n, ch, pd, ph, pw, od, oh, ow, c.Ad.Oracle, c.Ah.Oracle, c.Aw.Oracle, convention, c.Reduction == UnpoolReduction.Sum);
        TIndex[] ixFirst = [.. wide.Select(TIndex.CreateTruncating)];
        T[] x = c.Last ? ChannelsLastReference.ToChannelsLast(xFirst, n, ch, pooledVolume) : xFirst;
        TIndex[] ix = c.Last ? ChannelsLastReference.ToChannelsLast(ixFirst, n, ch, pooledVolume) : ixFirst;
        nint[] inLengths = Lengths(c.Rank, n, ch, pd, ph, pw), outLengths = Lengths(c.Rank, n, ch, od, oh, ow);
        nint[] inStrides = Strides(inLengths, c.Last), outStrides = Strides(outLengths, c.Last);
        int outCount = (int)(n * ch * volume);
        using PageGuardedMemory<T> source = Generators.GuardedSource<T>(x, c.Side);
        using PageGuardedMemory<TIndex> indices = Generators.GuardedSource<TIndex>(ix, c.Side.Other());
        using PageGuardedMemory<T> destination = Generators.GuardedDestination<T>(outCount, c.Side);
        var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
        T* sp = source.Pointer, dp = destination.Pointer;
        TIndex* ip = indices.Pointer;
        int sl = x.Length;
        Tensor<T>? got = null;

        void Call()
        {
            var s = new ReadOnlyTensorSpan<T>(sp, sl, inLengths, inStrides);
            var i = new ReadOnlyTensorSpan<TIndex>(ip, sl, inLengths, inStrides);
            if (c.Form == Form.TensorSpan)
            {
                var dv = new TensorSpan<T>(dp, outCount, outLengths, outStrides);
                switch (c.Rank)
                {
                    case 1: Functional.MaxUnpool1D(s, i, G1(c), dv, convention, c.Reduction, options); break;
                    case 2: Functional.MaxUnpool2D(s, i, G2(c), dv, convention, c.Reduction, options); break;
                    default: Functional.MaxUnpool3D(s, i, G3(c), dv, convention, c.Reduction, options); break;
                }

                return;
            }

            bool tensors = c.Form == Form.Tensor;
            Tensor<T>? t = tensors ? Tensor.Create(x, inLengths, inStrides) : null;
            Tensor<TIndex>? ti = tensors ? Tensor.Create(ix, inLengths, inStrides) : null;
            got = c.Rank switch
            {
                1 => tensors
                    ? Functional.MaxUnpool1D(t!, ti!, G1(c), c.Explicit ? ow : (int?)null, convention, c.Reduction, options)
                    : Functional.MaxUnpool1D(s, i, G1(c), c.Explicit ? ow : (int?)null, convention, c.Reduction, options),
                2 => tensors
                    ? Functional.MaxUnpool2D(t!, ti!, G2(c), c.Explicit ? new Size2D(oh, ow) : (Size2D?)null, convention, c.Reduction, options)
                    : Functional.MaxUnpool2D(s, i, G2(c), c.Explicit ? new Size2D(oh, ow) : (Size2D?)null, convention, c.Reduction, options),
                _ => tensors
                    ? Functional.MaxUnpool3D(t!, ti!, G3(c), c.Explicit ? new Size3D(od, oh, ow) : (Size3D?)null, convention, c.Reduction, options)
                    : Functional.MaxUnpool3D(s, i, G3(c), c.Explicit ? new Size3D(od, oh, ow) : (Size3D?)null, convention, c.Reduction, options),
            };
        }

        if (expected is null)
        {
            tally.Add(Category(c, PoolCases.RefusedLeavingUnchanged("unpool", PoolRefusal.OutOfRange("indices", "index out of range"), Call, destination, context)));
            return;
        }

        Call();
        if (c.Form == Form.TensorSpan)
        {
            PoolCases.Equal(c.Last ? ChannelsLastReference.ToChannelsLast(expected, n, ch, volume) : expected, destination.Span, "unpooled tensor in memory", context);
        }
        else
        {
            Assert.Equal(outLengths, got!.Lengths.ToArray());
            PoolCases.Equal(expected, Logical(got), "unpooled tensor", context);
        }

        tally.Add(Category(c, $"{c.Reduction} result"));
    }

    private static unsafe void Convert<TIndex>(Case c, Property.Tally tally)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = c.ToString();
        int n = c.N, ch = c.C, pd = c.Ad.Size, ph = c.Ah.Size, pw = c.Aw.Size, od = c.Ad.Default, oh = c.Ah.Default, ow = c.Aw.Default;
        long pooledVolume = (long)pd * ph * pw;
        long[] wide = DrawIndices(c, c.From, out (int Z, int Y, int X)[] cells, out (int Kd, int Kh, int Kw)[] taps);
        var expectedFirst = new long[wide.Length];
        for (long p = 0; p < wide.Length; p++)
        {
            long plane = p / pooledVolume;
            expectedFirst[p] = Pool3DReference.Encode(c.To, (int)(plane / ch), (int)(plane % ch), cells[p].Z, cells[p].Y, cells[p].X, n, ch, od, oh, ow, taps[p], c.Ah.K, c.Aw.K);
        }

        // Only a corrupted index is invalid: every drawn one names a cell of its own window, which every convention expresses.
        bool refused = c.Corrupt != 0;
        TIndex[] ixFirst = [.. wide.Select(TIndex.CreateTruncating)];
        TIndex[] ix = c.Last ? ChannelsLastReference.ToChannelsLast(ixFirst, n, ch, pooledVolume) : ixFirst;
        long[] expected = c.Last ? ChannelsLastReference.ToChannelsLast(expectedFirst, n, ch, pooledVolume) : expectedFirst;
        nint[] lengths = Lengths(c.Rank, n, ch, pd, ph, pw), strides = Strides(lengths, c.Last);
        int count = ix.Length;
        bool geometry = c.Rank == 3 || c.From == IndexConvention.InWindow || c.To == IndexConvention.InWindow || c.Explicit;
        using PageGuardedMemory<TIndex> source = Generators.GuardedSource<TIndex>(ix, c.Side);
        using PageGuardedMemory<TIndex> destination = Generators.GuardedDestination<TIndex>(count, c.Side.Other());
        var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
        TIndex* sp = source.Pointer, dp = destination.Pointer;
        Tensor<TIndex>? got = null;
        var size2 = new Size2D(oh, ow);

        void Call()
        {
            var s = new ReadOnlyTensorSpan<TIndex>(sp, count, lengths, strides);
            if (c.Form == Form.TensorSpan)
            {
                var d = new TensorSpan<TIndex>(dp, count, lengths, strides);
                switch ((c.Rank, geometry))
                {
                    case (1, true): Functional.ConvertIndices(s, ow, G1(c), c.From, d, c.To, options); break;
                    case (1, false): Functional.ConvertIndices(s, ow, c.From, d, c.To, options); break;
                    case (_, true): Functional.ConvertIndices(s, size2, G2(c), c.From, d, c.To, options); break;
                    default: Functional.ConvertIndices(s, size2, c.From, d, c.To, options); break;
                }

                return;
            }

            Tensor<TIndex>? t = c.Form == Form.Tensor ? Tensor.Create(ix, lengths, strides) : null;
            got = (c.Rank, geometry, t) switch
            {
                (3, _, _) => Functional.ConvertIndices(t!, new Size3D(od, oh, ow), G3(c), c.From, c.To, options),
                (1, true, null) => Functional.ConvertIndices(s, ow, G1(c), c.From, c.To, options),
                (1, true, _) => Functional.ConvertIndices(t!, ow, G1(c), c.From, c.To, options),
                (1, false, null) => Functional.ConvertIndices(s, ow, c.From, c.To, options),
                (1, false, _) => Functional.ConvertIndices(t!, ow, c.From, c.To, options),
                (_, true, null) => Functional.ConvertIndices(s, size2, G2(c), c.From, c.To, options),
                (_, true, _) => Functional.ConvertIndices(t!, size2, G2(c), c.From, c.To, options),
                (_, false, null) => Functional.ConvertIndices(s, size2, c.From, c.To, options),
                _ => Functional.ConvertIndices(t!, size2, c.From, c.To, options),
            };
        }

        if (refused)
        {
            tally.Add(Category(c, PoolCases.RefusedLeavingUnchanged("convert", PoolRefusal.OutOfRange("indices", "index out of its source range"), Call, destination, context)));
            return;
        }

        Call();
        if (c.Form == Form.TensorSpan)
        {
            PoolCases.Equal(expected, Longs<TIndex>(destination.Span), "converted indices in memory", context);
        }
        else
        {
            Assert.Equal(lengths, got!.Lengths.ToArray());
            PoolCases.Equal(expectedFirst, Longs<TIndex>(Logical(got)), "converted indices", context);
        }

        tally.Add(Category(c, geometry ? "result (with a geometry)" : "result"));
    }
}
