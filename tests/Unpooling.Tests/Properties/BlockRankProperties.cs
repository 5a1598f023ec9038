using System.Numerics;
using CsCheck;
using Unpooling.Tests.BlockRanks;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;
using static Unpooling.Tests.Reference.BlockReference3D;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated cases of the block family (<c>FixedUnpool</c>, <c>RandomUnpool</c>, <c>RepeatUnpool</c>,
/// <c>ZeroInsert</c>, <c>StridedSubsample</c>) in 1-D and 3-D in both layouts and channels-last 2-D: small shapes
/// (N or C sometimes 0), factors 1-4 per axis (sometimes 0 or negative), offsets inside the block or just outside it,
/// explicit output sizes at the edges of PyTorch's rule (default - k, default - k + 1, default - 1, default,
/// default + 1, default + k - 1, default + k), destination lengths off by one, several element widths. The model
/// (the XML docs' order: factor, offset, output size, destination length) decides refused (exact exception type and
/// ParamName, destination bytes unchanged) or a result equal bit for bit to <see cref="BlockReference3D"/> on the
/// channels-first permutation, permuted back. Sources are read-only page-guarded memory, destinations flush against
/// a no-access page.
/// </summary>
public sealed class BlockRankProperties
{
    internal enum BlockElement3
    {
        Float,
        Double,
        Half,
        Byte,
        Short,
        Long,
    }

    internal sealed record Case(
        BlockOp Op, int Rank, bool Last, int N, int C, Dims Input, Dims Factor, Dims Offset, Dims SizeKind, int DestinationDelta, ulong Seed,
        BlockElement3 Element, GuardSide Side, int Threads, int DataSeed)
    {
        public override string ToString()
            => $"{Op} {Rank}-D {(Last ? "channels-last" : "channels-first")} N={N} C={C} input {Input} factor {Factor} offset {Offset} size kinds {SizeKind} "
            + $"dst{DestinationDelta:+0;-0} seed {Seed} {Element} {Side} threads {Threads} data {DataSeed}";
    }

    private static readonly Gen<int> FactorGen = Gen.Frequency((30, Gen.Int[1, 4]), (1, Gen.OneOf(0, -1, int.MinValue)));

    private static readonly Gen<Case> Cases =
        Gen.Select(
                Gen.Int[0, 4].Select(o => (BlockOp)o), Gen.OneOf(1, 2, 3), Gen.Bool, Gen.Frequency((1, Gen.Const(0)), (8, Gen.Int[1, 2])), Gen.Frequency((1, Gen.Const(0)), (8, Gen.Int[1, 4])),
                Gen.Select(Gen.Int[1, 4], Gen.Int[1, 4], Gen.Int[1, 9], (d, h, w) => new Dims(d, h, w)),
                Gen.Select(FactorGen, FactorGen, FactorGen, (d, h, w) => new Dims(d, h, w)))
            .SelectMany(a => Gen.Select(
                    Gen.Frequency((10, Gen.Const(-1)), (1, Gen.Int[0, 2])), Gen.ULong, Gen.ULong, Gen.ULong,
                    Gen.Select(Gen.Frequency((6, Gen.Const(3)), (1, Gen.Int[0, 6])), Gen.Frequency((6, Gen.Const(3)), (1, Gen.Int[0, 6])), Gen.Frequency((6, Gen.Const(3)), (1, Gen.Int[0, 6])), (d, h, w) => new Dims(d, h, w)),
                    Gen.Frequency((20, Gen.Const(0)), (1, Gen.OneOf(-1, 1))))
                .SelectMany(b => Gen.Select(Gen.Int[0, 5].Select(e => (BlockElement3)e), Generators.Side, Gen.Int[1, 3], Generators.ValueSeed)
                    .Select(c => Make(a, b, c))));

    private static Case Make(
        (BlockOp, int, bool, int, int, Dims, Dims) a, (int, ulong, ulong, ulong, Dims, int) b, (BlockElement3, GuardSide, int, int) c)
    {
        (BlockOp op, int rank, bool last, int n, int ch, Dims input, Dims factor) = a;

        // Unit axes of the lower ranks: 1-D is depth and height 1, 2-D depth 1 (factor and offset too). 2-D runs channels-last only.
        input = rank == 1 ? new Dims(1, 1, input.W) : rank == 2 ? input with { D = 1 } : input;
        factor = rank == 1 ? new Dims(1, 1, factor.W) : rank == 2 ? factor with { D = 1 } : factor;
        last |= rank == 2;
        Dims offset = new(Inside(b.Item2, factor.D), Inside(b.Item3, factor.H), Inside(b.Item4, factor.W));
        if (op == BlockOp.Fixed && b.Item1 >= 0)
        {
            // One axis just outside the block: -1 or the factor itself.
            int bad = b.Item1 == 0 ? -1 : b.Item1 == 1 ? factor.W : factor.H;
            offset = b.Item1 == 2 && rank >= 2 ? offset with { H = bad } : offset with { W = bad };
        }

        Dims kinds = rank == 1 ? b.Item5 with { D = 3, H = 3 } : rank == 2 ? b.Item5 with { D = 3 } : b.Item5;
        return new Case(op, rank, last, n, ch, input, factor, offset, kinds, b.Item6, b.Item2 ^ b.Item4, c.Item1, c.Item2, c.Item3, c.Item4);
    }

    private static int Inside(ulong bits, int factor) => factor < 1 ? 0 : (int)(bits % (ulong)factor);

    [Fact]
    public void BlockFamilyInEveryRankAndLayoutIsTheOracleOrARefusal()
        => Property.Check("Fixed/Random/Repeat/ZeroInsert/Subsample 1D/3D/2D-CL", Cases, static (c, tally) => Dispatch(c, tally), 1500, static c => c.ToString());

    private static void Dispatch(Case c, Property.Tally tally)
    {
        switch (c.Element)
        {
            case BlockElement3.Float: Run<float>(c, tally); break;
            case BlockElement3.Double: Run<double>(c, tally); break;
            case BlockElement3.Half: Run<Half>(c, tally); break;
            case BlockElement3.Byte: Run<byte>(c, tally); break;
            case BlockElement3.Short: Run<short>(c, tally); break;
            default: Run<long>(c, tally); break;
        }
    }

    /// <summary>The default size of an axis moved by kind 0..6: default - k, - k + 1, - 1, 0, + 1, + k - 1, + k.</summary>
    private static long Near(long defaultSize, long k, int kind)
        => defaultSize + kind switch { 0 => -k, 1 => -k + 1, 2 => -1, 3 => 0, 4 => 1, 5 => k - 1, _ => k };

    private static bool Fits(long value, long defaultSize, long k) => value >= 1 && value > defaultSize - k && value < defaultSize + k;

    private static unsafe void Run<T>(Case c, Property.Tally tally)
        where T : unmanaged, INumberBase<T>
    {
        string context = c.ToString();
        Dims input = c.Input, k = c.Factor;
        bool unpool = c.Op is BlockOp.Fixed or BlockOp.Repeat or BlockOp.Random;
        string factorName = unpool ? "factor" : "stride";
        PoolRefusal? refusal = null;
        Dims output = new(1, 1, 1), requested = output;
        if (k.D < 1 || k.H < 1 || k.W < 1)
        {
            refusal = PoolRefusal.OutOfRange(factorName, "factor < 1");
        }
        else if (c.Op == BlockOp.ZeroInsert)
        {
            output = requested = InsertedSize(input, k);
        }
        else if (c.Op == BlockOp.Subsample)
        {
            output = requested = SubsampledSize(input, k);
        }
        else if (c.Op == BlockOp.Fixed && (c.Offset.D < 0 || c.Offset.H < 0 || c.Offset.W < 0 || c.Offset.D >= k.D || c.Offset.H >= k.H || c.Offset.W >= k.W))
        {
            refusal = PoolRefusal.OutOfRange("offset", "outside the block");
        }
        else
        {
            long od = Near((long)input.D * k.D, k.D, c.SizeKind.D), oh = Near((long)input.H * k.H, k.H, c.SizeKind.H), ow = Near((long)input.W * k.W, k.W, c.SizeKind.W);
            if (!Fits(od, (long)input.D * k.D, k.D) || !Fits(oh, (long)input.H * k.H, k.H) || !Fits(ow, (long)input.W * k.W, k.W))
            {
                refusal = PoolRefusal.Argument("outputSize", "explicit size out of range");
            }

            // The call asks for the size itself; the test's buffers hold at least one cell per axis.
            requested = new Dims((int)od, (int)oh, (int)ow);
            output = new Dims((int)Math.Max(1, od), (int)Math.Max(1, oh), (int)Math.Max(1, ow));
        }

        int planes = c.N * c.C;
        long outCount = (long)planes * output.Volume;
        int destinationLength = (int)Math.Max(0, outCount + c.DestinationDelta);
        if (refusal is null && destinationLength != outCount)
        {
            refusal = PoolRefusal.Argument("destination", "length");
        }

        T[] xFirst = BlockRankHarness.Data<T>(planes * input.Volume, c.DataSeed);
        T[] x = c.Last ? ToChannelsLast(xFirst, c.N, c.C, input) : xFirst;
        using PageGuardedMemory<T> source = Generators.GuardedSource<T>(x, c.Side);
        using PageGuardedMemory<T> destination = Generators.GuardedDestination<T>(destinationLength, c.Side.Other());
        var options = new ExecutionOptions { MaxDegreeOfParallelism = c.Threads, MinParallelElements = 0 };
        T* sp = source.Pointer, dp = destination.Pointer;
        int sourceLength = x.Length;
        TensorLayout layout = c.Last ? TensorLayout.ChannelsLast : TensorLayout.ChannelsFirst;
        void Call() => BlockRankHarness.Span(c.Op, c.Rank, layout, new ReadOnlySpan<T>(sp, sourceLength), c.N, c.C, input, k, c.Offset, c.Seed, requested, new Span<T>(dp, destinationLength), options);

        if (refusal is { } r)
        {
            tally.Add(PoolCases.RefusedLeavingUnchanged($"{c.Rank}-D", r, Call, destination, context));
            return;
        }

        Call();
        T[] expected = BlockRankHarness.Expected(c.Op, xFirst, c.N, c.C, input, k, c.Offset, c.Seed, output, layout);
        PoolCases.Equal(expected, destination.Span, "result", context);
        tally.Add($"{c.Rank}-D {c.Op} result{(planes == 0 ? ": empty" : "")}");
    }
}
