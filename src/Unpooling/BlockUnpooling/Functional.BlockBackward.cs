using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

/// <summary>The shared core of the block family's backward passes (the public forms sit beside each forward).</summary>
public static partial class Functional
{
    /// <summary>
    /// The span core of <c>FixedUnpool*Backward</c>, <c>RandomUnpool*Backward</c> and <c>RepeatUnpool*Backward</c>:
    /// validates as the forward does (factor, offset, output size rule), then the lengths and overlap, then gathers.
    /// </summary>
    private static unsafe void BlockBackwardCore<T>(
        BlockRankOp op, ReadOnlySpan<T> outputGradient, Shape5D sourceShape, Size3D factor, Size3D offset, ulong seed, Span<T> sourceGradient,
        Size3D? outputSize, ExecutionOptions options, int rank, string outputSizeName)
        where T : unmanaged, INumberBase<T>
    {
        Shape5D outputShape = ValidateBlockBackward(op, sourceShape, factor, offset, outputSize, rank, outputSizeName);
        // Constant words, not an interpolated string: the span form allocates nothing per call.
        string output = rank == 1 ? "N*C*L (output) of" : rank == 2 ? "N*C*H*W (output) of" : "N*C*D*H*W (output) of";
        string source = rank == 1 ? "N*C*L of" : rank == 2 ? "N*C*H*W of" : "N*C*D*H*W of";
        BlockRanks.Length(outputGradient.Length, outputShape.ElementCount, nameof(outputGradient), output, outputShape, rank == 1 ? 1 : 3);
        BlockRanks.Length(sourceGradient.Length, sourceShape.ElementCount, nameof(sourceGradient), source, sourceShape, rank == 1 ? 1 : 3);
        Guard.NoOverlap<T, T>(sourceGradient, outputGradient, nameof(sourceGradient), nameof(outputGradient));
        if (sourceShape.ElementCount == 0)
        {
            return;
        }

        var plan = new BlockKernel.GatherPlan(sourceShape, outputShape.SpatialSize, factor, offset, seed);
        int degree = options.ResolveDegree(plan.Rows, outputShape.ElementCount + sourceShape.ElementCount);
        fixed (T* g = outputGradient)
        fixed (T* r = sourceGradient)
        {
            BlockKernel.Gather(op, g, r, sourceShape, outputShape.SpatialSize, factor, offset, seed, degree);
        }
    }

    /// <summary>The forward's checks of shape, factor, offset and output size, in its words for
    /// <paramref name="rank"/>; returns the output shape.</summary>
    private static Shape5D ValidateBlockBackward(BlockRankOp op, Shape5D sourceShape, Size3D factor, Size3D offset, Size3D? outputSize, int rank, string outputSizeName)
    {
        Size3D size;
        if (rank == 2)
        {
            // The 2-D forward's own rule and messages (Size2D words).
            var shape = new Shape4D(sourceShape.Batch, sourceShape.Channels, sourceShape.Height, sourceShape.Width) { Layout = sourceShape.Layout };
            shape.Validate(nameof(sourceShape), allowChannelsLast: true);
            Size2D? requested = outputSize is { } r ? new Size2D(r.Height, r.Width) : null;
            Size2D flat = ValidateBlockUnpool(shape, new Size2D(factor.Height, factor.Width), new Size2D(offset.Height, offset.Width), requested, outputSizeName);
            shape.WithSpatialSize(flat).Validate(outputSize is null ? nameof(factor) : outputSizeName, allowChannelsLast: true);
            size = new Size3D(1, flat.Height, flat.Width);
        }
        else
        {
            if (rank == 1)
            {
                new Shape3D(sourceShape.Batch, sourceShape.Channels, sourceShape.Width) { Layout = sourceShape.Layout }.Validate(nameof(sourceShape), allowChannelsLast: true);
            }

            sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
            size = BlockRanks.OutputSize(op, sourceShape, factor, offset, outputSize, rank, outputSizeName);
            sourceShape.WithSpatialSize(size).Validate(outputSize is null ? BlockRanks.SizeArgument(op) : outputSizeName, allowChannelsLast: true);
        }

        return sourceShape.WithSpatialSize(size);
    }

    /// <summary>
    /// The TensorSpan core of the block backward passes: the forward's output size is <paramref name="outputGradient"/>'s
    /// spatial size (the forward's explicit-size rule applies); channels_last views of both are read in place.
    /// </summary>
    private static void BlockBackwardTensor<T>(
        BlockRankOp op, in ReadOnlyTensorSpan<T> outputGradient, Size3D factor, Size3D offset, ulong seed, in TensorSpan<T> sourceGradient, ExecutionOptions options, int rank)
        where T : unmanaged, INumberBase<T>
    {
        Shape5D outputShape = BlockTensorShape(outputGradient, rank, nameof(outputGradient));
        Shape5D shape = BlockTensorShape(sourceGradient.AsReadOnlyTensorSpan(), rank, nameof(sourceGradient));
        if (outputShape.Batch != shape.Batch || outputShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(outputGradient), $"Tensor outputGradient has shape {BlockRanks.Show(outputShape, rank)}; N and C must match sourceGradient's {BlockRanks.Show(shape, rank)}.");
        }

        _ = ValidateBlockBackward(op, shape, factor, offset, outputShape.SpatialSize, rank, nameof(outputGradient));
        Guard.NoSelfOverlap(sourceGradient, nameof(sourceGradient));
        Guard.NoViewOverlap(sourceGradient.AsReadOnlyTensorSpan(), outputGradient, nameof(sourceGradient), nameof(outputGradient));
        if (ChannelsLastViews.BothChannelsLast(outputGradient, sourceGradient.AsReadOnlyTensorSpan()))
        {
            BlockBackwardCore(
                op, ChannelsLastViews.Span(outputGradient), shape with { Layout = TensorLayout.ChannelsLast }, factor, offset, seed, ChannelsLastViews.Span(sourceGradient),
                outputShape.SpatialSize, options, rank, nameof(outputGradient));
            return;
        }

        using ReadView<T> g = TensorAdapter.Read(outputGradient);
        using WriteView<T> r = TensorAdapter.Write(sourceGradient);
        BlockBackwardCore(op, g.Span, shape, factor, offset, seed, r.Span, outputShape.SpatialSize, options, rank, nameof(outputGradient));
        r.Commit();
    }

    /// <summary>The block backward into a new tensor of the forward's source shape (<paramref name="sourceSize"/>: the
    /// forward's output size does not determine it when an explicit size was given).</summary>
    private static Tensor<T> BlockBackwardAllocating<T>(
        BlockRankOp op, Tensor<T> outputGradient, Size3D factor, Size3D sourceSize, Size3D offset, ulong seed, ExecutionOptions options, int rank)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        Shape5D outputShape = BlockTensorShape(outputGradient.AsReadOnlyTensorSpan(), rank, nameof(outputGradient));
        Shape5D shape = outputShape.WithSpatialSize(sourceSize);
        if (sourceSize.Depth < 1 || sourceSize.Height < 1 || sourceSize.Width < 1 || shape.ElementCount > Array.MaxLength)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(sourceSize), BlockRanks.Show(sourceSize, rank), $"Source size {BlockRanks.Show(sourceSize, rank)} must be >= 1 per axis, and the gradient must fit an array.");
        }

        nint[] lengths = rank == 2 ? [shape.Batch, shape.Channels, shape.Height, shape.Width] : BlockRanks.Lengths(shape, rank);
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(outputGradient.AsReadOnlyTensorSpan(), lengths);
        BlockBackwardTensor(op, outputGradient.AsReadOnlyTensorSpan(), factor, offset, seed, result.AsTensorSpan(), options, rank);
        return result;
    }

    /// <summary>The logical shape of a rank-<c>rank + 2</c> tensor, lifted to 5-D.</summary>
    private static Shape5D BlockTensorShape<T>(in ReadOnlyTensorSpan<T> tensor, int rank, string paramName)
        => rank == 2 ? BlockRanks.Lift(TensorAdapter.GetShape(tensor, paramName)) : BlockRanks.GetShape(tensor, rank, paramName, split: false);
}
