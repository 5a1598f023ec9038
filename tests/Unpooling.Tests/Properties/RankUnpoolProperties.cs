using System.Numerics;
using System.Numerics.Tensors;
using CsCheck;
using Unpooling.Tests.ChannelsLast;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>The rank and layout an argmax-unpooling case runs in (with the 1-D rank-3 TensorSpan form as its own).</summary>
public enum UnpoolRank
{
    One,
    OneChannelsLast,
    OneTensorSpan,
    TwoChannelsLast,
    Three,
    ThreeChannelsLast,
}

/// <summary>
/// Generated cases of argmax unpooling in the new ranks and layouts: <c>MaxUnpool1D</c> (span, both layouts, and the
/// rank-3 TensorSpan form), channels-last <c>MaxUnpool2D</c> and <c>MaxUnpool3D</c> in both layouts. Per axis a small
/// pooled size and geometry (kernel, stride, begin and end padding, dilation), the default output size or an explicit
/// one at the edges of PyTorch's rule (default - s, default - s + 1, default + s - 1, default + s); every convention
/// including InWindow; Replace and Sum; every element and index type. Indices are drawn valid in the case's
/// convention (any cell of the element's scope: its plane, its sample or the whole tensor, so overlaps and cross-plane
/// targets occur; InWindow: a tap of the element's own window on an output cell), then sometimes one is corrupted
/// (-1, the range's end, +-huge, truncated to the index type). The model decides from the case alone: refused
/// (explicit size out of range: <c>outputSize</c>; default size below 1: <c>geometry</c>; index type too narrow or an
/// index out of range: <c>indices</c>; destination length: <c>destination</c>) with every byte of the destination
/// unchanged, or equal bit for bit to <see cref="Pool3DReference.Unpool{T}"/> (ranks 2 and 3) or
/// <see cref="Pool1DReference"/> (rank 1) on the channels-first permutation
/// (<see cref="ChannelsLastReference"/>), permuted back. Buffers are page-guarded, sources read-only.
/// </summary>
public sealed class RankUnpoolProperties
{
    // The corruptions of MaxUnpool2DProperties but OtherConvention: indices are drawn per convention here, any cell of the scope.
    /// <summary>One axis: pooled size, kernel, stride, begin and end padding, dilation, and which explicit size (5 = default).</summary>
    internal readonly record struct UnpoolAxis(int Pooled, int K, int S, int Pb, int Pe, int D, int SizeKind)
    {
        public static readonly UnpoolAxis Unit = new(1, 1, 1, 0, 0, 1, 5);

        /// <summary>SEMANTICS.md 2's default size <c>(i-1)*s - pb - pe + k</c>.</summary>
        public long Default => ((long)(Pooled - 1) * S) - Pb - Pe + K;

        /// <summary>The size asked for (the default, or one of the edges of the explicit rule).</summary>
        public long Requested => SizeKind switch { 0 => Default - S, 1 => Default - S + 1, 2 => Default + S - 1, 3 => Default + S, 4 => Default - 1, _ => Default };

        public Axis3 Oracle => new(K, S, Pb, Pe, D);

        public override string ToString() => $"i{Pooled} k{K} s{S} p{Pb}/{Pe} d{D} size{(SizeKind == 5 ? "=default" : $"#{SizeKind}")}";
    }

    internal sealed record Case(
        UnpoolRank Rank, int N, int C, UnpoolAxis Ad, UnpoolAxis Ah, UnpoolAxis Aw, bool Explicit, IndexConvention Convention, UnpoolReduction Reduction,
        MaxUnpool2DProperties.Corruption Corruption, int CorruptAt, ElementKind Element, IndexKind Index, int DestinationDelta, GuardSide Side, int Seed, int Threads)
    {
        public int Dims => Rank switch { UnpoolRank.Three or UnpoolRank.ThreeChannelsLast => 3, UnpoolRank.TwoChannelsLast => 2, _ => 1 };

        public bool Last => Rank is UnpoolRank.OneChannelsLast or UnpoolRank.TwoChannelsLast or UnpoolRank.ThreeChannelsLast;

        public override string ToString()
            => $"{Rank} N={N} C={C} d[{Ad}] h[{Ah}] w[{Aw}] {(Explicit ? "explicit" : "default")} {Convention} {Reduction} {Corruption}@{CorruptAt} {Element}/{Index} dst{DestinationDelta:+0;-0} {Side} seed={Seed} threads={Threads}";
    }

    /// <summary>An axis of at most <paramref name="pooled"/> pooled cells (3-D keeps to 3 per axis: the 3-D oracle searches each index's whole scope).</summary>
    private static Gen<UnpoolAxis> AxisGen(int pooled) => Gen.Select(
            Gen.Int[1, pooled], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 2])), Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 2])),
            Gen.Frequency((4, Gen.Const(1)), (1, Gen.Const(2))), Gen.Frequency((6, Gen.Const(5)), (1, Gen.Int[0, 4])))
        .Select((i, k, s, pb, pe, d, size) => new UnpoolAxis(i, k, s, pb, pe, d, size));

    /// <summary>
    /// Element and index types in twelve pairs that hold every element kind and every index kind (the full product's 64
    /// generic instantiations cost more JIT time than the whole property's cases); the 2-D properties run the product.
    /// </summary>
    private static readonly (ElementKind, IndexKind)[] Pairs =
    [
        (ElementKind.Float, IndexKind.Long), (ElementKind.Float, IndexKind.Int), (ElementKind.Float, IndexKind.Byte), (ElementKind.Double, IndexKind.ULong),
        (ElementKind.Half, IndexKind.Short), (ElementKind.Half, IndexKind.Long), (ElementKind.Byte, IndexKind.UShort), (ElementKind.SByte, IndexKind.SByte),
        (ElementKind.Short, IndexKind.UInt), (ElementKind.Int, IndexKind.Long), (ElementKind.Long, IndexKind.Int), (ElementKind.Double, IndexKind.Byte),
    ];

    private static readonly Gen<(ElementKind, IndexKind)> TypePairs = Gen.Int[0, Pairs.Length - 1].Select(i => Pairs[i]);

    private static readonly Gen<Case> Cases =
        Gen.Select(
                Gen.Int[0, 5].Select(r => (UnpoolRank)r), Gen.Frequency((1, Gen.Const(0)), (6, Gen.Int[1, 2])), Gen.Int[1, 3], AxisGen(3), AxisGen(3), AxisGen(9), Gen.Frequency((2, Gen.Const(false)), (1, Gen.Const(true))))
            .SelectMany(a => Gen.Select(
                    Gen.Int[0, 5].Select(c => (IndexConvention)c), Gen.Frequency((2, Gen.Const(UnpoolReduction.Replace)), (1, Gen.Const(UnpoolReduction.Sum))),
                    Gen.Frequency((8, Gen.Const(MaxUnpool2DProperties.Corruption.None)), (1, Gen.Int[1, 4].Select(k => (MaxUnpool2DProperties.Corruption)k))), Gen.Int[0, 1 << 16], TypePairs)
                .SelectMany(b => Gen.Select(Gen.Frequency((20, Gen.Const(0)), (1, Gen.OneOf(-1, 1))), Generators.Side, Generators.ValueSeed, Gen.Int[1, 3])
                    .Select(c => Make(a, b, c))));

    private static Case Make(
        (UnpoolRank, int, int, UnpoolAxis, UnpoolAxis, UnpoolAxis, bool) a, (IndexConvention, UnpoolReduction, MaxUnpool2DProperties.Corruption, int, (ElementKind, IndexKind)) b, (int, GuardSide, int, int) c)
    {
        UnpoolRank rank = a.Item1;
        int dims = rank switch { UnpoolRank.Three or UnpoolRank.ThreeChannelsLast => 3, UnpoolRank.TwoChannelsLast => 2, _ => 1 };
        UnpoolAxis ad = dims == 3 ? a.Item4 : UnpoolAxis.Unit, ah = dims >= 2 ? a.Item5 : UnpoolAxis.Unit, aw = a.Item6;
        aw = dims == 1 ? aw : aw with { Pooled = 1 + ((aw.Pooled - 1) % (dims == 3 ? 3 : 5)) };
        bool isExplicit = a.Item7 || ad.SizeKind != 5 || ah.SizeKind != 5 || aw.SizeKind != 5;

        // The TensorSpan form's size is its destination's: a length below 1 cannot be a tensor's, so it asks for the default.
        if (rank == UnpoolRank.OneTensorSpan && aw.Requested < 1)
        {
            aw = aw with { SizeKind = 5, Pb = 0, Pe = 0 };
        }

        return new Case(rank, a.Item2, a.Item3, ad, ah, aw, isExplicit, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5.Item1, b.Item5.Item2, c.Item1, c.Item2, c.Item3, c.Item4);
    }

    [Fact]
    public void MaxUnpoolInEveryRankAndLayoutIsTheOracleOrARefusal()
        => Property.Check("MaxUnpool1D/2D-CL/3D rank and layout", Cases, static (c, tally) => TypeDispatch.Run(c.Element, c.Index, new Body(c, tally)), 1500, static c => c.ToString());

    /// <summary>The number of valid indices of one element (InWindow: the window's taps).</summary>
    private static Int128 Space(IndexConvention convention, int n, int c, long volume, Case k)
        => convention switch
        {
            IndexConvention.PerPlane => volume,
            IndexConvention.ChannelsLastPerSample => (Int128)c * volume,
            IndexConvention.InWindow => (Int128)k.Ad.K * k.Ah.K * k.Aw.K,
            _ => (Int128)n * c * volume,
        };

    /// <summary>The taps of window <paramref name="o"/> of an axis whose cell lies in <c>[0, size)</c>.</summary>
    private static (long Lo, long Hi) Taps(UnpoolAxis a, long o, long size)
    {
        long start = (o * a.S) - a.Pb;
        long lo = start >= 0 ? 0 : PoolModel.CeilDiv(-start, a.D);
        long hi = Math.Min(a.K - 1, PoolModel.FloorDiv(size - 1 - start, a.D));
        return (lo, hi);
    }

    private sealed class Body(Case c, Property.Tally tally) : ITypedBody
    {
        public unsafe void Run<T, TIndex>()
            where T : unmanaged, INumber<T>
            where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            int n = c.N, ch = c.C;
            int pd = c.Ad.Pooled, ph = c.Ah.Pooled, pw = c.Aw.Pooled;
            long pooledVolume = (long)pd * ph * pw, count = (long)n * ch * pooledVolume;
            long rd = c.Explicit ? c.Ad.Requested : c.Ad.Default, rh = c.Explicit ? c.Ah.Requested : c.Ah.Default, rw = c.Explicit ? c.Aw.Requested : c.Aw.Default;
            string context = c.ToString();

            // The model, in the library's documented order (SEMANTICS.md 2 and 6): the output size, the index type, the
            // destination's length, then every index.
            PoolRefusal? refusal = null;
            bool sizeOk = c.Explicit
                ? PoolModel.ExplicitFits(rd, c.Ad.Default, c.Ad.S) && PoolModel.ExplicitFits(rh, c.Ah.Default, c.Ah.S) && PoolModel.ExplicitFits(rw, c.Aw.Default, c.Aw.S)
                : rd >= 1 && rh >= 1 && rw >= 1;
            if (!sizeOk)
            {
                refusal = c.Rank == UnpoolRank.OneTensorSpan ? PoolRefusal.Argument("destination", "explicit size out of range")
                    : c.Explicit ? PoolRefusal.Argument("outputSize", "explicit size out of range") : PoolRefusal.Argument("geometry", "default size < 1");
            }

            // Sizes the test can hold (a refused size still needs a destination to stay untouched).
            int od = (int)Math.Max(1, rd), oh = (int)Math.Max(1, rh), ow = (int)Math.Max(1, rw);
            long volume = (long)od * oh * ow, outCount = (long)n * ch * volume;
            Int128 space = Space(c.Convention, n, ch, volume, c);
            if (refusal is null && space - 1 > TypeDispatch.MaxOf(c.Index))
            {
                refusal = PoolRefusal.Argument("indices", "index type too small");
            }

            int destinationLength = (int)Math.Max(0, outCount + (c.Rank == UnpoolRank.OneTensorSpan ? 0 : c.DestinationDelta));
            if (refusal is null && destinationLength != outCount)
            {
                refusal = PoolRefusal.Argument("destination", "length");
            }

            // Channels-first logical order (n, c, z, y, x); valid indices of the case's convention, then the corruption.
            T[] xFirst = Generators.Values<T>(count, c.Seed);
            var wide = new Int128[count];
            ulong state = ((ulong)c.Seed * 0x9E3779B97F4A7C15UL) + 11;
            for (long p = 0; p < count; p++)
            {
                state = unchecked((state ^ (state >> 31)) * 0xBF58476D1CE4E5B9UL) + 3;
                long plane = p / pooledVolume, nn = plane / ch, cc = plane % ch;
                long z = p / (ph * pw) % pd, y = p / pw % ph, x = p % pw;
                if (c.Convention == IndexConvention.InWindow)
                {
                    (long dl, long dh) = Taps(c.Ad, z, od);
                    (long hl, long hh) = Taps(c.Ah, y, oh);
                    (long wl, long wh) = Taps(c.Aw, x, ow);
                    wide[p] = dl > dh || hl > hh || wl > wh
                        ? (Int128)c.Ad.K * c.Ah.K * c.Aw.K
                        : ((((dl + (long)(state % (ulong)(dh - dl + 1))) * c.Ah.K) + hl + (long)((state >> 21) % (ulong)(hh - hl + 1))) * c.Aw.K) + wl + (long)((state >> 42) % (ulong)(wh - wl + 1));
                    continue;
                }

                int tn = (int)nn, tc = (int)cc;
                if (c.Convention is IndexConvention.GlobalRowMajor or IndexConvention.GlobalColumnMajor or IndexConvention.ChannelsLastWithBatch)
                {
                    tn = (int)((state >> 50) % (ulong)n);
                }

                if (c.Convention != IndexConvention.PerPlane)
                {
                    tc = (int)((state >> 56) % (ulong)ch);
                }

                int tz = (int)((state >> 8) % (ulong)od), ty = (int)((state >> 20) % (ulong)oh), tx = (int)((state >> 32) % (ulong)ow);
                wide[p] = Pool3DReference.Encode(c.Convention, tn, tc, tz, ty, tx, n, ch, od, oh, ow, default, 0, 0);
            }

            if (count > 0 && c.Corruption != MaxUnpool2DProperties.Corruption.None)
            {
                wide[c.CorruptAt % count] = c.Corruption switch
                {
                    MaxUnpool2DProperties.Corruption.MinusOne => -1,
                    MaxUnpool2DProperties.Corruption.RangeEnd => space,
                    MaxUnpool2DProperties.Corruption.Huge => long.MaxValue,
                    _ => long.MinValue,
                };
            }

            TIndex[] ixFirst = [.. wide.Select(TIndex.CreateTruncating)];
            long[] longs = [.. ixFirst.Select(long.CreateTruncating)];
            bool allValid = true;
            for (long p = 0; p < count && allValid; p++)
            {
                allValid = Valid(Int128.CreateTruncating(ixFirst[p]), p, space, pd, ph, pw, od, oh, ow);
            }

            if (refusal is null && !allValid)
            {
                refusal = PoolRefusal.OutOfRange("indices", $"index out of range ({c.Corruption})");
            }

            T[] x0 = c.Last ? ChannelsLastReference.ToChannelsLast(xFirst, n, ch, pooledVolume) : xFirst;
            TIndex[] i0 = c.Last ? ChannelsLastReference.ToChannelsLast(ixFirst, n, ch, pooledVolume) : ixFirst;
            using PageGuardedMemory<T> source = Generators.GuardedSource<T>(x0, c.Side);
            using PageGuardedMemory<TIndex> indices = Generators.GuardedSource<TIndex>(i0, c.Side.Other());
            using PageGuardedMemory<T> destination = Generators.GuardedDestination<T>(destinationLength, c.Side);
            var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
            T* sp = source.Pointer, dp = destination.Pointer;
            TIndex* ip = indices.Pointer;
            int srcLength = (int)count;

            void Call()
            {
                var s = new ReadOnlySpan<T>(sp, srcLength);
                var i = new ReadOnlySpan<TIndex>(ip, srcLength);
                var d = new Span<T>(dp, destinationLength);
                switch (c.Rank)
                {
                    case UnpoolRank.One:
                    case UnpoolRank.OneChannelsLast:
                        Functional.MaxUnpool1D(
                            s, i, c.Last ? Shape3D.ChannelsLast(n, pw, ch) : new Shape3D(n, ch, pw), Geometry1D(c.Aw), d,
                            c.Explicit ? (int)Math.Clamp(rw, int.MinValue, int.MaxValue) : null, c.Convention, c.Reduction, options);
                        break;
                    case UnpoolRank.OneTensorSpan:
                        nint[] pl = [n, ch, pw], ol = [n, ch, ow];
                        Functional.MaxUnpool1D(
                            new ReadOnlyTensorSpan<T>(sp, srcLength, pl, Strides(pl)), new ReadOnlyTensorSpan<TIndex>(ip, srcLength, pl, Strides(pl)), Geometry1D(c.Aw),
                            new TensorSpan<T>(dp, destinationLength, ol, Strides(ol)), c.Convention, c.Reduction, options);
                        break;
                    case UnpoolRank.TwoChannelsLast:
                        var g2 = new Pool2DGeometry(new Size2D(c.Ah.K, c.Aw.K), new Size2D(c.Ah.S, c.Aw.S), dilation: new Size2D(c.Ah.D, c.Aw.D))
                            .WithPadding(new Size2D(c.Ah.Pb, c.Aw.Pb), new Size2D(c.Ah.Pe, c.Aw.Pe));
                        Functional.MaxUnpool2D(s, i, Shape4D.ChannelsLast(n, ph, pw, ch), g2, d, c.Explicit ? new Size2D(Clamp(rh), Clamp(rw)) : null, c.Convention, c.Reduction, options);
                        break;
                    default:
                        var g3 = new Pool3DGeometry(new Size3D(c.Ad.K, c.Ah.K, c.Aw.K), new Size3D(c.Ad.S, c.Ah.S, c.Aw.S), dilation: new Size3D(c.Ad.D, c.Ah.D, c.Aw.D))
                            .WithPadding(new Size3D(c.Ad.Pb, c.Ah.Pb, c.Aw.Pb), new Size3D(c.Ad.Pe, c.Ah.Pe, c.Aw.Pe));
                        Shape5D shape = c.Last ? Shape5D.ChannelsLast(n, pd, ph, pw, ch) : new Shape5D(n, ch, pd, ph, pw);
                        Functional.MaxUnpool3D(s, i, shape, g3, d, c.Explicit ? new Size3D(Clamp(rd), Clamp(rh), Clamp(rw)) : null, c.Convention, c.Reduction, options);
                        break;
                }
            }

            if (refusal is { } r)
            {
                tally.Add(PoolCases.RefusedLeavingUnchanged($"{c.Rank}", r, Call, destination, context));
                return;
            }

            Call();
            bool sum = c.Reduction == UnpoolReduction.Sum;
            T[] expected;
            if (c.Dims == 1)
            {
                var axis = new Axis1D(c.Aw.K, c.Aw.S, c.Aw.Pb, c.Aw.Pe, c.Aw.D, false);
                expected = c.Convention == IndexConvention.InWindow
                    ? Pool1DReference.UnpoolTaps(xFirst, longs, n * ch, pw, ow, axis, sum)
                    : Pool1DReference.Unpool(xFirst, longs, n, ch, pw, ow, c.Convention, sum);
            }
            else
            {
                expected = Pool3DReference.Unpool(xFirst, longs, n, ch, pd, ph, pw, od, oh, ow, c.Ad.Oracle, c.Ah.Oracle, c.Aw.Oracle, c.Convention, sum)
                    ?? throw new Xunit.Sdk.XunitException($"{context}: the model judged every index valid, the 3-D oracle found one naming no cell.");
            }

            if (c.Last)
            {
                expected = ChannelsLastReference.ToChannelsLast(expected, n, ch, volume);
            }

            PoolCases.Equal(expected, destination.Span, "unpooled values", context);
            tally.Add($"{c.Rank} result{(count == 0 ? ": empty" : c.Explicit ? " (explicit size)" : " (default size)")}");
        }

        /// <summary>Whether index value <paramref name="v"/> of pooled element <paramref name="p"/> (channels-first order) names an output cell.</summary>
        private bool Valid(Int128 v, long p, Int128 space, int pd, int ph, int pw, int od, int oh, int ow)
        {
            if (v < 0 || v >= space)
            {
                return false;
            }

            if (c.Convention != IndexConvention.InWindow)
            {
                return true;
            }

            long tap = (long)v, kd = tap / (c.Ah.K * c.Aw.K), kh = tap / c.Aw.K % c.Ah.K, kw = tap % c.Aw.K;
            long z = p / (ph * pw) % pd, y = p / pw % ph, x = p % pw;
            long d = (z * c.Ad.S) - c.Ad.Pb + (kd * c.Ad.D), h = (y * c.Ah.S) - c.Ah.Pb + (kh * c.Ah.D), w = (x * c.Aw.S) - c.Aw.Pb + (kw * c.Aw.D);
            return d >= 0 && d < od && h >= 0 && h < oh && w >= 0 && w < ow;
        }
    }

    private static int Clamp(long value) => (int)Math.Clamp(value, int.MinValue, int.MaxValue);

    private static Pool1DGeometry Geometry1D(UnpoolAxis a) => new Pool1DGeometry(a.K, a.S, dilation: a.D).WithPadding(a.Pb, a.Pe);

    /// <summary>Dense row-major strides of rank-3 lengths (unit and empty axes get stride 0, as System.Numerics.Tensors wants).</summary>
    internal static nint[] Strides(nint[] lengths)
    {
        var strides = new nint[lengths.Length];
        if (lengths.Contains(0))
        {
            return strides;
        }

        nint step = 1;
        for (int k = lengths.Length - 1; k >= 0; k--)
        {
            strides[k] = lengths[k] == 1 ? 0 : step;
            step *= lengths[k];
        }

        return strides;
    }
}
