using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Unpooling.Internal;

namespace Unpooling;

/// <summary>The operators of the block family that the ranks share (1-D and 3-D; 2-D keeps its own validation).</summary>
internal enum BlockRankOp
{
    /// <summary>Fixed-position unpooling.</summary>
    Fixed,

    /// <summary>Repeat (nearest) unpooling.</summary>
    Repeat,

    /// <summary>Random-offset unpooling.</summary>
    Random,

    /// <summary>Zero insertion with a stride.</summary>
    ZeroInsert,

    /// <summary>The strided subsample (zero insertion's adjoint).</summary>
    Subsample,
}

public static partial class Functional
{
    /// <summary>
    /// The 1-D and 3-D span forms of the block family, on the shape lifted to <c>[N, C, D, H, W]</c> (1-D is
    /// <c>[N, C, 1, 1, L]</c>, so it runs the 2-D body with height 1): checks in parameter order, in the caller's rank
    /// (<paramref name="rank"/> only formats messages), then one kernel call. Nothing is written before every check passed.
    /// </summary>
    private static unsafe void BlockRanksCore<T>(
        BlockRankOp op, ReadOnlySpan<T> source, Shape5D sourceShape, Size3D factor, Size3D offset, ulong seed, Span<T> destination,
        Size3D? outputSize, T zero, ExecutionOptions options, int rank, string outputSizeName, long planeBase = 0)
        where T : unmanaged
    {
        if (rank == 1)
        {
            // The caller's own shape, so that a message names the [N, C, L] it passed.
            new Shape3D(sourceShape.Batch, sourceShape.Channels, sourceShape.Width) { Layout = sourceShape.Layout }.Validate(nameof(sourceShape), allowChannelsLast: true);
        }

        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        BlockRanks.Length(source.Length, sourceShape.ElementCount, nameof(source), rank == 1 ? "N*C*L of" : "N*C*D*H*W of", sourceShape, rank);
        Size3D size = BlockRanks.OutputSize(op, sourceShape, factor, offset, outputSize, rank, outputSizeName);
        Shape5D outputShape = sourceShape.WithSpatialSize(size);
        outputShape.Validate(outputSize is null ? BlockRanks.SizeArgument(op) : outputSizeName, allowChannelsLast: true);
        BlockRanks.Length(destination.Length, outputShape.ElementCount, nameof(destination), rank == 1 ? "N*C*outL of" : "N*C*outD*outH*outW of", outputShape, rank);
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        fixed (T* s = source)
        fixed (T* d = destination)
        {
            BlockRanks.Run(op, s, d, sourceShape, size, factor, offset, seed, zero, options, planeBase);
        }
    }

    /// <summary>
    /// The rank-3 and rank-5 TensorSpan forms: the output size is <paramref name="destination"/>'s (checked by the
    /// operator's rule), then runs of whole samples (one run when both fit a span) through
    /// <see cref="BlockRanksCore{T}"/>: in place when both views are dense row-major, or both PyTorch channels-last
    /// (the channels-last kernel, no copy); any other view is gathered into (or scattered from) a pooled dense copy.
    /// </summary>
    internal static void BlockRanksTensor<T>(
        BlockRankOp op, in ReadOnlyTensorSpan<T> source, Size3D factor, Size3D offset, ulong seed, in TensorSpan<T> destination, T zero, ExecutionOptions options, int rank,
        long runElements = -1)
        where T : unmanaged
    {
        bool split = source.FlattenedLength > Array.MaxLength || destination.FlattenedLength > Array.MaxLength;
        Shape5D shape = BlockRanks.GetShape(source, rank, nameof(source), split);
        Shape5D outputShape = BlockRanks.GetShape(destination.AsReadOnlyTensorSpan(), rank, nameof(destination), split);
        if (outputShape.Batch != shape.Batch || outputShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Tensor destination has shape {BlockRanks.Show(outputShape, rank)}; N and C must match source's {BlockRanks.Show(shape, rank)}.");
        }

        // The operator's rule on the destination's size (the span form's order: factor, offset, then the size), then
        // the caller's memory: not the dense copies a strided view is computed through, which never overlap anything.
        Size3D? requested = op is BlockRankOp.ZeroInsert or BlockRankOp.Subsample ? null : outputShape.SpatialSize;
        Size3D size = BlockRanks.OutputSize(op, shape, factor, offset, requested, rank, nameof(destination));
        if (size != outputShape.SpatialSize)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Tensor destination has shape {BlockRanks.Show(outputShape, rank)}; the operation writes {BlockRanks.Show(shape.WithSpatialSize(size), rank)}.");
        }

        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoViewOverlap(destination.AsReadOnlyTensorSpan(), source, nameof(destination), nameof(source));
        bool channelsLast = ChannelsLastViews.BothChannelsLast(source, destination.AsReadOnlyTensorSpan());
        if (runElements < 0)
        {
            runElements = split ? SampleRunElements : long.MaxValue;
        }

        long sample = Math.Max(shape.Channels * shape.PlaneSize, outputShape.Channels * outputShape.PlaneSize);
        int run = runElements == long.MaxValue ? Math.Max(1, shape.Batch) : TensorAdapter.SamplesPerRun(runElements, sample, shape.Batch);
        for (int n0 = 0; n0 < Math.Max(1, shape.Batch); n0 += run)
        {
            int count = Math.Min(run, shape.Batch - n0);
            ReadOnlyTensorSpan<T> s = run >= shape.Batch ? source : source.Slice(BlockRanks.Samples(rank, n0, count));
            TensorSpan<T> d = run >= shape.Batch ? destination : destination.Slice(BlockRanks.Samples(rank, n0, count));
            Shape5D part = shape with { Batch = count };
            if (channelsLast)
            {
                // Both views are channels-last over dense [N, (D, H,) W, C] memory: the channels-last kernel in place.
                BlockRanksCore(op, ChannelsLastViews.Span(s), part with { Layout = TensorLayout.ChannelsLast }, factor, offset, seed, ChannelsLastViews.Span(d), requested, zero, options, rank, nameof(destination), (long)n0 * shape.Channels);
                continue;
            }

            using ReadView<T> sv = TensorAdapter.Read(s);
            using WriteView<T> dv = TensorAdapter.Write(d);
            BlockRanksCore(op, sv.Span, part, factor, offset, seed, dv.Span, requested, zero, options, rank, nameof(destination), (long)n0 * shape.Channels);
            dv.Commit();
        }
    }

    /// <summary>The allocating forms: the output shape checked (an output past <see cref="Array.MaxLength"/> is an
    /// <see cref="ArgumentException"/>) before the tensor is created, then the TensorSpan form into it.</summary>
    private static Tensor<T> BlockRanksAllocating<T>(BlockRankOp op, in ReadOnlyTensorSpan<T> source, Size3D factor, Size3D offset, ulong seed, Size3D? outputSize, T zero, ExecutionOptions options, int rank)
        where T : unmanaged
    {
        Shape5D shape = BlockRanks.GetShape(source, rank, nameof(source), split: false);
        Size3D size = BlockRanks.OutputSize(op, shape, factor, offset, outputSize, rank, nameof(outputSize));
        Shape5D outputShape = shape.WithSpatialSize(size);
        outputShape.Validate(outputSize is null ? BlockRanks.SizeArgument(op) : nameof(outputSize));
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, BlockRanks.Lengths(outputShape, rank));
        BlockRanksTensor(op, source, factor, offset, seed, result.AsTensorSpan(), zero, options, rank);
        return result;
    }
}

/// <summary>Shape plumbing of the 1-D and 3-D block forms: rank-3/rank-5 tensors, messages in the caller's rank, sizes.</summary>
internal static class BlockRanks
{
    /// <summary>The 1-D shape lifted to 5-D, <c>[N, C, 1, 1, L]</c> (the layout kept).</summary>
    public static Shape5D Lift(Shape3D shape) => new(shape.Batch, shape.Channels, 1, 1, shape.Length) { Layout = shape.Layout };

    /// <summary>The 2-D shape lifted to 5-D, <c>[N, C, 1, H, W]</c> (the layout kept).</summary>
    public static Shape5D Lift(Shape4D shape) => new(shape.Batch, shape.Channels, 1, shape.Height, shape.Width) { Layout = shape.Layout };

    /// <summary>A 2-D size lifted to 5-D with depth <paramref name="depth"/> (1 for sizes and factors, 0 for offsets).</summary>
    public static Size3D Lift(Size2D size, int depth = 1) => new(depth, size.Height, size.Width);

    /// <summary>The operator of a fixed-family mode.</summary>
    public static BlockRankOp Op(BlockUnpoolMode mode) => mode switch
    {
        BlockUnpoolMode.Repeat => BlockRankOp.Repeat,
        BlockUnpoolMode.Random => BlockRankOp.Random,
        _ => BlockRankOp.Fixed,
    };

    /// <summary>A 1-D size lifted to 5-D (depth and height 1).</summary>
    public static Size3D Lift(int width, int fill = 1) => new(fill, fill, width);

    /// <summary>The shape as the caller wrote it (formatting only on failure).</summary>
    public static object Show(Shape5D shape, int rank)
        => rank == 1 ? new Shape3D(shape.Batch, shape.Channels, shape.Width) { Layout = shape.Layout } : shape;

    /// <summary>The size as the caller wrote it.</summary>
    public static object Show(Size3D size, int rank) => rank == 1 ? size.Width : size;

    /// <summary>The argument that made a default output too large.</summary>
    public static string SizeArgument(BlockRankOp op) => op is BlockRankOp.ZeroInsert or BlockRankOp.Subsample ? "stride" : "factor";

    /// <summary>Rejects a length other than <paramref name="expected"/>; the message is built only on failure.</summary>
    public static void Length(int actual, long expected, string paramName, string what, in Shape5D shape, int rank)
    {
        if (actual != expected)
        {
            ThrowHelper.ThrowLengthMismatch(paramName, actual, expected, $"{what} {Show(shape, rank)}");
        }
    }

    /// <summary>
    /// The checks of the factor (or stride) and offset, then the output size: <c>i*k</c> per axis or an explicit size
    /// strictly between <c>default - k</c> and <c>default + k</c> (unpooling), <c>(i-1)*s + 1</c> (zero insertion) or
    /// <c>(i-1)/s + 1</c> (subsample). Random unpooling also needs <c>kD * kH &lt;= int.MaxValue</c>: its offsets draw
    /// the (depth, row) pair as one number below that product.
    /// </summary>
    public static Size3D OutputSize(BlockRankOp op, in Shape5D shape, Size3D factor, Size3D offset, Size3D? outputSize, int rank, string outputSizeName)
    {
        string factorName = SizeArgument(op);
        if (factor.Depth < 1 || factor.Height < 1 || factor.Width < 1)
        {
            ThrowHelper.ThrowArgumentOutOfRange(factorName, Show(factor, rank), $"Each {factorName} must be >= 1; got {Show(factor, rank)}.");
        }

        if (op is BlockRankOp.ZeroInsert or BlockRankOp.Subsample)
        {
            bool insert = op == BlockRankOp.ZeroInsert;
            long od = insert ? ((long)(shape.Depth - 1) * factor.Depth) + 1 : ((shape.Depth - 1) / factor.Depth) + 1;
            long oh = insert ? ((long)(shape.Height - 1) * factor.Height) + 1 : ((shape.Height - 1) / factor.Height) + 1;
            long ow = insert ? ((long)(shape.Width - 1) * factor.Width) + 1 : ((shape.Width - 1) / factor.Width) + 1;
            if (od > int.MaxValue || oh > int.MaxValue || ow > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(factorName, $"Zero insertion of {Show(shape, rank)} with stride {Show(factor, rank)} gives {(rank == 1 ? $"{ow}" : $"{od}x{oh}x{ow}")}; each size must be <= {int.MaxValue}.");
            }

            return new Size3D((int)od, (int)oh, (int)ow);
        }

        if (offset.Depth < 0 || offset.Height < 0 || offset.Width < 0 || offset.Depth >= factor.Depth || offset.Height >= factor.Height || offset.Width >= factor.Width)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(offset), Show(offset, rank), $"Offset {Show(offset, rank)} must lie inside the {Show(factor, rank)} block: 0 <= offset < factor per axis.");
        }

        if (op == BlockRankOp.Random && (long)factor.Depth * factor.Height > int.MaxValue)
        {
            ThrowHelper.ThrowArgumentOutOfRange(factorName, factor, $"Random unpooling needs factor.Depth * factor.Height <= {int.MaxValue}; got {factor}.");
        }

        // In 64 bits: the default need not fit an int itself (SEMANTICS.md 2).
        long d = (long)shape.Depth * factor.Depth, h = (long)shape.Height * factor.Height, w = (long)shape.Width * factor.Width;
        if (outputSize is { } requested)
        {
            if (rank == 1)
            {
                UnpoolSize.Resolve(w, factor.Width, requested.Width, "length", requested.Width, outputSizeName);
            }
            else
            {
                UnpoolSize.Resolve(d, factor.Depth, requested.Depth, "depth", requested, outputSizeName);
                UnpoolSize.Resolve(h, factor.Height, requested.Height, "height", requested, outputSizeName);
                UnpoolSize.Resolve(w, factor.Width, requested.Width, "width", requested, outputSizeName);
            }

            return requested;
        }

        if (d > int.MaxValue || h > int.MaxValue || w > int.MaxValue)
        {
            ThrowHelper.ThrowArgument(factorName, $"Unpooling {Show(shape, rank)} by {Show(factor, rank)} gives {(rank == 1 ? $"{w}" : $"{d}x{h}x{w}")}, beyond {int.MaxValue} per axis.");
        }

        return new Size3D((int)d, (int)h, (int)w);
    }

    /// <summary>
    /// The logical <c>[N, C, L]</c> or <c>[N, C, D, H, W]</c> shape of a tensor of rank <paramref name="rank"/> + 2. A
    /// tensor split by samples (<paramref name="split"/>) may hold more than a span in all, as long as each sample fits.
    /// </summary>
    public static Shape5D GetShape<T>(in ReadOnlyTensorSpan<T> tensor, int rank, string paramName, bool split)
    {
        if (tensor.Rank != rank + 2)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has rank {tensor.Rank}; a rank-{rank + 2} {(rank == 1 ? "[N, C, L]" : "[N, C, D, H, W]")} tensor is expected.");
        }

        ReadOnlySpan<nint> l = tensor.Lengths;
        foreach (nint length in l)
        {
            if (length > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has a dimension of {length}; each must be <= {int.MaxValue}.");
            }
        }

        Shape5D shape = rank == 1 ? new((int)l[0], (int)l[1], 1, 1, (int)l[2]) : new((int)l[0], (int)l[1], (int)l[2], (int)l[3], (int)l[4]);
        if (!split || tensor.FlattenedLength <= Array.MaxLength)
        {
            // A tensor that fits a span gets the span form's shape checks (formatted in the caller's rank).
            if (shape.Batch < 0 || shape.Channels < 0 || shape.Depth < 1 || shape.Height < 1 || shape.Width < 1 || shape.ElementCount > Array.MaxLength)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has shape {Show(shape, rank)}: every spatial size must be >= 1 and the tensor must fit a span.");
            }

            return shape;
        }

        if (shape.Channels * shape.PlaneSize > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument(paramName, $"Each sample of {Show(shape, rank)} holds {shape.Channels * shape.PlaneSize} elements, more than a span can address ({Array.MaxLength}); a tensor may hold more elements than that in all, but each sample must fit.");
        }

        return shape;
    }

    /// <summary>The slice ranges of samples <c>[n0, n0 + count)</c> of a tensor of rank <paramref name="rank"/> + 2.</summary>
    public static NRange[] Samples(int rank, int n0, int count)
    {
        var ranges = new NRange[rank + 2];
        Array.Fill(ranges, NRange.All);
        ranges[0] = new NRange(n0, n0 + count);
        return ranges;
    }

    /// <summary>The tensor lengths of a shape in the caller's rank (logical order, channels-first).</summary>
    public static nint[] Lengths(in Shape5D shape, int rank)
        => rank == 1 ? [shape.Batch, shape.Channels, shape.Width] : [shape.Batch, shape.Channels, shape.Depth, shape.Height, shape.Width];

    /// <summary>
    /// Runs a validated operation: the channels-last kernel for a channels-last shape, else the block kernel (unpooling,
    /// zero insertion) or the subsample body over the channels-first planes.
    /// </summary>
    public static unsafe void Run<T>(BlockRankOp op, T* s, T* d, in Shape5D shape, Size3D size, Size3D factor, Size3D offset, ulong seed, T zero, ExecutionOptions options, long planeBase)
        where T : unmanaged
    {
        long outputElements = shape.PlaneCount * size.Volume;
        if (shape.Layout == TensorLayout.ChannelsLast)
        {
            BlockKernel.RunChannelsLast(op, s, d, shape, size, factor, offset, seed, zero, options.ResolveDegree((long)shape.Batch * size.Depth * size.Height, outputElements), planeBase);
            return;
        }

        int planes = (int)shape.PlaneCount;
        if (op == BlockRankOp.Subsample)
        {
            var body = new SubsampleBody3D<T> { Spread = s, Compact = d, Small = size, Large = shape.SpatialSize, Stride = factor, Slices = planes * size.Depth };
            ParallelRunner.Run(ref body, planes * size.Depth, options.ResolveDegree((long)planes * size.Depth, outputElements + shape.ElementCount));
            return;
        }

        int degree = options.ResolveDegree(shape.PlaneCount * size.Depth * size.Height, outputElements);
        var plan = new BlockKernel.Plan(shape.SpatialSize, size, factor, op == BlockRankOp.ZeroInsert ? default : offset);
        BlockUnpoolMode mode = op switch
        {
            BlockRankOp.Repeat => BlockUnpoolMode.Repeat,
            BlockRankOp.Random => BlockUnpoolMode.Random,
            _ => BlockUnpoolMode.Fixed,
        };
        BlockKernel.Unpool(mode, s, d, planes, plan, seed, zero, degree, planeBase: planeBase);
    }
}

/// <summary>The strided subsample of whole channels-first slices: <c>x[od, oh, ow] = z[od*sd, oh*sh, ow*sw]</c>, one item per output slice.</summary>
internal unsafe struct SubsampleBody3D<T> : IParallelBody
    where T : unmanaged
{
    public T* Compact;
    public T* Spread;
    public Size3D Small;
    public Size3D Large;
    public Size3D Stride;
    public int Slices;

    [MethodImpl(KernelImpl.Entry)]
    public readonly void Invoke(int start, int end)
    {
        nint smallSlice = (nint)Small.Height * Small.Width, largeSlice = (nint)Large.Height * Large.Width;
        nint rowStep = (nint)Stride.Height * Large.Width;
        for (int slice = start; slice < end; slice++)
        {
            int plane = slice / Small.Depth, od = slice - (plane * Small.Depth);
            T* x = Compact + (slice * smallSlice);
            T* z = Spread + ((((nint)plane * Large.Depth) + ((nint)od * Stride.Depth)) * largeSlice);
            System.Diagnostics.Debug.Assert(Bounds.Within(x, smallSlice, Compact, Slices * smallSlice), "output slice outside the destination");
            System.Diagnostics.Debug.Assert(Bounds.Within(z, largeSlice, Spread, (long)(Slices / Small.Depth) * Large.Depth * largeSlice), "input slice outside the source");
            for (int h = 0; h < Small.Height; h++, x += Small.Width, z += rowStep)
            {
                for (int w = 0; w < Small.Width; w++)
                {
                    x[w] = z[w * Stride.Width];
                }
            }
        }
    }
}
