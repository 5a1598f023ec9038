using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Reference;
using static Unpooling.Tests.Reference.BlockReference3D;

namespace Unpooling.Tests.BlockRanks;

/// <summary>The five operators of the block family, as the tests name them.</summary>
public enum BlockOp
{
    Fixed,
    Repeat,
    Random,
    ZeroInsert,
    Subsample,
}

/// <summary>
/// Calls the public forms of the block family for rank 1, 2 or 3 in either layout from one description (input and
/// output as <see cref="Dims"/>: 1-D is depth and height 1, 2-D depth 1), and computes the oracle's answer in the
/// same memory order.
/// </summary>
internal static class BlockRankHarness
{
    public static readonly ExecutionOptions OneThread = new() { MaxDegreeOfParallelism = 1 };

    /// <summary>The oracle in channels-first memory, permuted to channels-last when asked.</summary>
    public static T[] Expected<T>(BlockOp op, T[] xFirst, int n, int c, Dims input, Dims k, Dims offset, ulong seed, Dims output, TensorLayout layout)
        where T : INumberBase<T>
    {
        T[] y = op switch
        {
            BlockOp.Fixed => BlockReference3D.Fixed(xFirst, n * c, input, k, offset, output),
            BlockOp.Repeat => BlockReference3D.Repeat(xFirst, n * c, input, k, output),
            BlockOp.Random => BlockReference3D.Random(xFirst, n * c, input, k, seed, output),
            BlockOp.ZeroInsert => BlockReference3D.ZeroInsert(xFirst, n * c, input, k),
            _ => BlockReference3D.Subsample(xFirst, n * c, input, k),
        };
        return layout == TensorLayout.ChannelsLast ? ToChannelsLast(y, n, c, output) : y;
    }

    /// <summary>The output size an operator writes for an explicit unpooling size (zero insertion and subsample fix their own).</summary>
    public static Dims OutputOf(BlockOp op, Dims input, Dims k, Dims requested)
        => op == BlockOp.ZeroInsert ? InsertedSize(input, k) : op == BlockOp.Subsample ? SubsampledSize(input, k) : requested;

    /// <summary>Runs the span form of rank <paramref name="rank"/>; <paramref name="x"/> is in <paramref name="layout"/>'s memory order.</summary>
    public static void Span<T>(BlockOp op, int rank, TensorLayout layout, ReadOnlySpan<T> x, int n, int c, Dims input, Dims k, Dims offset, ulong seed, Dims output, Span<T> y, ExecutionOptions options)
        where T : unmanaged, INumberBase<T>
    {
        bool last = layout == TensorLayout.ChannelsLast;
        switch (rank)
        {
            case 1:
            {
                var shape = last ? Shape3D.ChannelsLast(n, input.W, c) : new Shape3D(n, c, input.W);
                switch (op)
                {
                    case BlockOp.Fixed: Functional.FixedUnpool1D(x, shape, k.W, y, offset.W, output.W, options); break;
                    case BlockOp.Repeat: Functional.RepeatUnpool1D(x, shape, k.W, y, output.W, options); break;
                    case BlockOp.Random: Functional.RandomUnpool1D(x, shape, k.W, seed, y, output.W, options); break;
                    case BlockOp.ZeroInsert: Functional.ZeroInsert1D(x, shape, k.W, y, options); break;
                    default: Functional.StridedSubsample1D(x, shape, k.W, y, options); break;
                }

                break;
            }

            case 2:
            {
                var shape = last ? Shape4D.ChannelsLast(n, input.H, input.W, c) : new Shape4D(n, c, input.H, input.W);
                Size2D f = new(k.H, k.W), a = new(offset.H, offset.W), o = new(output.H, output.W);
                switch (op)
                {
                    case BlockOp.Fixed: Functional.FixedUnpool2D(x, shape, f, y, a, o, options); break;
                    case BlockOp.Repeat: Functional.RepeatUnpool2D(x, shape, f, y, o, options); break;
                    case BlockOp.Random: Functional.RandomUnpool2D(x, shape, f, seed, y, o, options); break;
                    case BlockOp.ZeroInsert: Functional.ZeroInsert2D(x, shape, f, y, options); break;
                    default: Functional.StridedSubsample2D(x, shape, f, y, options); break;
                }

                break;
            }

            default:
            {
                var shape = last ? Shape5D.ChannelsLast(n, input.D, input.H, input.W, c) : new Shape5D(n, c, input.D, input.H, input.W);
                Size3D f = new(k.D, k.H, k.W), a = new(offset.D, offset.H, offset.W), o = new(output.D, output.H, output.W);
                switch (op)
                {
                    case BlockOp.Fixed: Functional.FixedUnpool3D(x, shape, f, y, a, o, options); break;
                    case BlockOp.Repeat: Functional.RepeatUnpool3D(x, shape, f, y, o, options); break;
                    case BlockOp.Random: Functional.RandomUnpool3D(x, shape, f, seed, y, o, options); break;
                    case BlockOp.ZeroInsert: Functional.ZeroInsert3D(x, shape, f, y, options); break;
                    default: Functional.StridedSubsample3D(x, shape, f, y, options); break;
                }

                break;
            }
        }
    }

    /// <summary>The TensorSpan form of rank 1 or 3 (logical channels-first lengths, the given strides).</summary>
    public static void Tensor<T>(BlockOp op, int rank, in ReadOnlyTensorSpan<T> x, Dims k, Dims offset, ulong seed, in TensorSpan<T> y, ExecutionOptions options)
        where T : unmanaged, INumberBase<T>
    {
        if (rank == 1)
        {
            switch (op)
            {
                case BlockOp.Fixed: Functional.FixedUnpool1D(x, k.W, y, offset.W, options); break;
                case BlockOp.Repeat: Functional.RepeatUnpool1D(x, k.W, y, options); break;
                case BlockOp.Random: Functional.RandomUnpool1D(x, k.W, seed, y, options); break;
                case BlockOp.ZeroInsert: Functional.ZeroInsert1D(x, k.W, y, options); break;
                default: Functional.StridedSubsample1D(x, k.W, y, options); break;
            }

            return;
        }

        Size3D f = new(k.D, k.H, k.W), a = new(offset.D, offset.H, offset.W);
        switch (op)
        {
            case BlockOp.Fixed: Functional.FixedUnpool3D(x, f, y, a, options); break;
            case BlockOp.Repeat: Functional.RepeatUnpool3D(x, f, y, options); break;
            case BlockOp.Random: Functional.RandomUnpool3D(x, f, seed, y, options); break;
            case BlockOp.ZeroInsert: Functional.ZeroInsert3D(x, f, y, options); break;
            default: Functional.StridedSubsample3D(x, f, y, options); break;
        }
    }

    /// <summary>The tensor lengths of a case in its rank (logical <c>[N, C, ...]</c>).</summary>
    public static nint[] Lengths(int rank, int n, int c, Dims size)
        => rank == 1 ? [n, c, size.W] : rank == 2 ? [n, c, size.H, size.W] : [n, c, size.D, size.H, size.W];

    /// <summary>
    /// PyTorch channels_last strides of those lengths (the channels innermost in memory); a spatial axis of length 1
    /// gets stride 0, as System.Numerics.Tensors refuses PyTorch's (its bounds check counts the unit axis' stride).
    /// </summary>
    public static nint[] ChannelsLastStrides(int rank, int c, Dims size)
    {
        nint[] strides = rank == 1 ? [(nint)size.W * c, 1, c]
            : rank == 2 ? [(nint)size.H * size.W * c, 1, (nint)size.W * c, c]
            : [(nint)size.Volume * c, 1, (nint)size.H * size.W * c, (nint)size.W * c, c];
        if (rank == 3 && size.D == 1)
        {
            strides[2] = 0;
        }

        if (rank >= 2 && size.H == 1)
        {
            strides[^2] = 0;
        }

        return strides;
    }

    /// <summary>Integers 1..n in a seeded order: every value distinct and exact in every element type tested.</summary>
    public static T[] Data<T>(int length, int seed)
        where T : INumberBase<T>
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => T.CreateTruncating(random.Next(1, 100))).ToArray();
    }
}
