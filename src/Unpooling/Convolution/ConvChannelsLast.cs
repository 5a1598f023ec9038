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

        var plan = new ConvKernel.ChannelsLastPlan(transposed, sourceShape, outputShape.Channels, outputShape.SpatialSize, geometry, degree);
        fixed (T* s = source)
        fixed (T* w = weight)
        fixed (T* b = bias)
        fixed (T* d = destination)
        {
            ConvKernel.RunChannelsLast(s, w, bias.IsEmpty ? null : b, d, plan, degree, workspace);
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
