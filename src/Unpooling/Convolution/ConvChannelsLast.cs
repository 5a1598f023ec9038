using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// Runs a validated float or double convolution of any rank whose source and destination are channels-last
    /// (<c>[N, (D, H,) W, C]</c>, lowered to 3-D), with the degree <see cref="ConvRun{T}"/> chose from the work.
    /// </summary>
    private static unsafe void ConvRunChannelsLast<T>(
        bool transposed, ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Shape5D outputShape, Span<T> destination, int degree, ConvWorkspace? workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // A forward convolution the channels-first direct layout serves runs that layout on the pixels (the same bits as
        // the channels-last kernel: both are the channels-first chains), finite weights only (see ConvKernel.Direct.cs).
        if (!transposed && ConvKernel.DirectForTests)
        {
            var direct = new ConvKernel.Plan(false, sourceShape, outputShape.Channels, outputShape.SpatialSize, geometry, degree);
            if (direct.DirectChannelsLastFits && TensorPrimitives.IsFiniteAll(weight))
            {
                fixed (T* s = source)
                fixed (T* w = weight)
                fixed (T* b = bias)
                fixed (T* d = destination)
                {
                    ConvKernel.RunDirectChannelsLast(s, w, bias.IsEmpty ? null : b, d, direct, degree, workspace);
                }

                return;
            }
        }

        // A transposed convolution whose sample fits the scratch budget runs the channels-first kernel on transposed
        // copies: the channels-first bits, permuted (the channels-last kernel sums in another order), and faster at
        // every measured shape, since the channels-first col2im writes each output element once where the channels-last
        // scatter adds into it per tap.
        long perSample = ((long)sourceShape.Channels * sourceShape.PlaneSize) + ((long)outputShape.Channels * outputShape.PlaneSize);
        if (transposed && perSample <= TransposedCopyMaxElements)
        {
            ConvTransposeThroughChannelsFirst(source, sourceShape, weight, bias, geometry, outputShape, destination, degree, workspace);
            return;
        }

        var plan = new ConvKernel.ChannelsLastPlan(transposed, sourceShape, outputShape.Channels, outputShape.SpatialSize, geometry, degree);
        fixed (T* s = source)
        fixed (T* w = weight)
        fixed (T* b = bias)
        fixed (T* d = destination)
        {
            ConvKernel.RunChannelsLast(s, w, bias.IsEmpty ? null : b, d, plan, degree, workspace);
        }
    }

    /// <summary>The most elements (input plus output) of one sample a channels-last transposed convolution copies to run
    /// the channels-first kernel; larger samples run the channels-last kernel.</summary>
    private const long TransposedCopyMaxElements = 1L << 24;

    /// <summary>Tests only: the samples per chunk of <see cref="ConvTransposeThroughChannelsFirst{T}"/> at most (0: as many as fit).</summary>
    internal static int TransposedChunkSamplesForTests;

    /// <summary>
    /// A channels-last transposed convolution through the channels-first kernel: whole samples, as many as fit a scratch
    /// of <see cref="TransposedCopyMaxElements"/> (at least one), are transposed to <c>[n, C, pixels]</c>, run through
    /// <see cref="ConvKernel.Run{T}"/> with the call's degree, and transposed back into the pixels. The channels-first
    /// kernel's results do not depend on the batch split or the thread count, so neither do these. The scratch is rented
    /// (a layer's workspace when given) and returned.
    /// </summary>
    private static unsafe void ConvTransposeThroughChannelsFirst<T>(
        ReadOnlySpan<T> source, Shape5D sourceShape, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Conv3DGeometry geometry, Shape5D outputShape, Span<T> destination, int degree, ConvWorkspace? workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cin = sourceShape.Channels, cout = outputShape.Channels;
        long inPixels = sourceShape.PlaneSize, outPixels = outputShape.PlaneSize;
        long inPerSample = cin * inPixels, outPerSample = cout * outPixels;

        // perSample <= 2^24 (the caller's check), so a chunk's lengths fit an int.
        int samples = (int)Math.Clamp(TransposedCopyMaxElements / Math.Max(1, inPerSample + outPerSample), 1, Math.Max(1, sourceShape.Batch));
        if (TransposedChunkSamplesForTests > 0)
        {
            samples = Math.Min(samples, TransposedChunkSamplesForTests);
        }

        T[] input = ConvScratch.Rent<T>(workspace, (int)(samples * inPerSample));
        T[] output = ConvScratch.Rent<T>(workspace, (int)(samples * outPerSample));
        try
        {
            fixed (T* s = source)
            fixed (T* w = weight)
            fixed (T* b = bias)
            fixed (T* d = destination)
            fixed (T* x = input)
            fixed (T* y = output)
            {
                for (int n0 = 0; n0 < sourceShape.Batch; n0 += samples)
                {
                    int count = Math.Min(samples, sourceShape.Batch - n0);
                    ConvKernel.TransposeSamples(s + (n0 * inPerSample), x, count, (nint)inPixels, cin, true, degree);

                    var chunk = new Shape5D(count, cin, sourceShape.Depth, sourceShape.Height, sourceShape.Width);
                    var plan = new ConvKernel.Plan(true, chunk, cout, outputShape.SpatialSize, geometry, degree);
                    ConvKernel.Run(x, w, bias.IsEmpty ? null : b, y, plan, Math.Min(degree, plan.Items), workspace);
                    ConvKernel.TransposeSamples(y, d + (n0 * outPerSample), count, (nint)outPixels, cout, false, degree);
                }
            }
        }
        finally
        {
            ConvScratch.Return(workspace, input);
            ConvScratch.Return(workspace, output);
        }
    }
}

/// <summary>
/// The tensor forms' channels-last routing for the convolutions of every rank: a source whose strides are PyTorch's
/// <c>channels_last</c> (<c>channels_last_3d</c>, or <c>[L*C, 1, C]</c> in 1-D) and not also row-major is read in
/// place, and so is a destination of those strides; any other destination receives the result through a pooled
/// channels-last buffer copied into it. The allocating forms return channels-last tensors for such a source, as PyTorch
/// propagates <c>memory_format=torch.channels_last</c>.
/// </summary>
internal static class ConvChannelsLast
{
    /// <summary>Whether a rank-3 to 5 source lies channels-last dense and is not also row-major (then the
    /// channels-first path reads the same memory in place).</summary>
    public static bool IsSource<T>(in ReadOnlyTensorSpan<T> source) => TensorAdapter.IsChannelsLastLayout(source);

    /// <summary>
    /// The spans a channels-last tensor-form convolution runs on: the source in place, the weight dense (copied only
    /// when strided), the destination in place or through a pooled buffer that <see cref="Commit"/> copies into it.
    /// </summary>
    internal ref struct Views<T>
    {
        private ReadView<T> _weight;
        private ChannelsLastWriteView<T> _destination;

        public Views(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, in TensorSpan<T> destination)
        {
            Source = TensorAdapter.ChannelsLastSpan(source);
            _weight = TensorAdapter.Read(weight);
            _destination = TensorAdapter.WriteChannelsLast(destination);
        }

        /// <summary>The source's <c>[N, (D, H,) W, C]</c> memory.</summary>
        public ReadOnlySpan<T> Source { get; }

        /// <summary>The weight, dense row-major.</summary>
        public readonly ReadOnlySpan<T> Weight => _weight.Span;

        /// <summary>Where the operation writes, channels-last.</summary>
        public readonly Span<T> Destination => _destination.Span;

        /// <summary>Copies the result into a destination that is not channels-last dense (nothing to do otherwise).</summary>
        public readonly void Commit() => _destination.Commit();

        public void Dispose()
        {
            _weight.Dispose();
            _destination.Dispose();
        }
    }
}
