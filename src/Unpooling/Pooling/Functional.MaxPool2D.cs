using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 2-D max pooling over <c>[N, C, H, W]</c> that also records where each maximum came from ("switches"), as an
    /// index in the chosen <see cref="IndexConvention"/>: by default PyTorch's per-plane <c>h * W + w</c>
    /// (<c>max_pool2d_with_indices</c>); ONNX's global row- or column-major offsets, TensorFlow's channels-last
    /// offsets, or the tap inside the element's own window (<see cref="IndexConvention.InWindow"/>, oneDNN's and
    /// XNNPACK's compact form) on request.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> the constraint admits (<see cref="Half"/>,
    /// the integer types, <see cref="decimal"/>, <see cref="System.Runtime.InteropServices.NFloat"/>, ...).
    /// <see cref="float"/> and <see cref="double"/> are vectorized; every other type runs the scalar path, with the same
    /// rule in the type's own comparison (integers have no NaN: plain first maximum; <see cref="Half"/> compares as
    /// <see cref="float"/> does).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/>, signed or unsigned, 8 to
    /// 128 bits (<see cref="byte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/>, <see cref="UInt128"/>, ...)
    /// whose largest value holds the convention's largest index; 8- to 64-bit types are stored vectorized.</typeparam>
    /// <param name="source">The input, dense, <c>N*C*H*W</c> elements in <paramref name="sourceShape"/>'s layout.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, H, W]</c>; a <see cref="Shape4D.ChannelsLast"/> shape
    /// (<see cref="TensorLayout.ChannelsLast"/>) reads <paramref name="source"/> as <c>[N, H, W, C]</c>, and
    /// <paramref name="destination"/> and <paramref name="indices"/> are then written <c>[N, outH, outW, C]</c>. The
    /// index conventions describe positions, not memory: every convention gives the very values the channels-first call
    /// gives, permuted (per plane <c>h*W + w</c> by default, as PyTorch does for <c>channels_last</c> tensors).</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima, <c>[N, C, outH, outW]</c> with the size from
    /// <see cref="Pool2DGeometry.GetOutputSize(Size2D)"/>.</param>
    /// <param name="indices">Receives the position of each maximum in the input, in
    /// <paramref name="indexConvention"/> (H and W are the input's); same length as <paramref name="destination"/>.</param>
    /// <param name="indexConvention">How an index names an input cell; <see cref="IndexConvention.PerPlane"/> by
    /// default.</param>
    /// <param name="options">Threading; the default uses every core for large inputs. Results never depend on it.</param>
    /// <remarks>
    /// <para>Windows are scanned row-major and a cell replaces the running maximum when <c>v &gt; best || isNaN(v)</c>:
    /// ties keep the first maximum (+0 and -0 are equal), a NaN makes the result NaN with the last NaN's index, a window
    /// of -infinity yields -infinity at its first real cell. Padding is never read or selected.</para>
    /// <para>The kernel writes the requested convention directly, at the speed of the per-plane one. An index type is
    /// rejected when the convention's largest index exceeds its largest value (<see cref="byte"/> per-plane indices of
    /// a 16x17 input would reach 271), before anything is written: never a silent wrap. InWindow indices are taps in
    /// <c>[0, kH*kW)</c> whatever the input size, so a <see cref="byte"/> holds them for every window up to 16x16.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the geometry does not fit the input,
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index, or a destination overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static void MaxPool2D<T, TIndex>(
        ReadOnlySpan<T> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> destination, Span<TIndex> indices,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => MaxPool2DCore(source, sourceShape, geometry, destination, indices, indexConvention, options);

    /// <summary>
    /// 2-D max pooling with arg-max capture over rank-4 <c>[N, C, H, W]</c> tensors of any strides; see
    /// <see cref="MaxPool2D{T, TIndex}(ReadOnlySpan{T}, Shape4D, Pool2DGeometry, Span{T}, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
    /// for the selection rule and the type parameters.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The input tensor.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima; its shape must be <c>[N, C, outH, outW]</c>.</param>
    /// <param name="indices">Receives the positions in <paramref name="indexConvention"/>; same shape as
    /// <paramref name="destination"/>. The convention describes logical positions, whatever the tensors' strides.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>
    /// <para>Dense row-major tensors are used in place; strided ones go through a pooled buffer (no allocation in
    /// steady state). A source with PyTorch's <c>channels_last</c> strides (logical <c>[N, C, H, W]</c>, strides
    /// <c>[H*W*C, 1, W*C, C]</c>) runs the channels-last kernel in place, with no copy, as do outputs with those
    /// strides; outputs of other strides then go through a channels-last buffer.</para>
    /// <para>The tensors may hold more elements than a span (a batch over native memory) as long as each sample,
    /// <c>C*H*W</c> elements of the input and of the output, fits one: the call then runs a span-sized batch of samples
    /// at a time, each batch viewed in place when dense, with the same results (indices of the conventions that count
    /// across samples carry the sample's base, in 64 bits) and the same bits for any thread count.</para>
    /// <para>Everything is validated before anything is written: shapes, the index type, an output view that names one
    /// cell twice (stride 0 on a dimension of length &gt; 1), and outputs whose memory ranges (first to last element)
    /// overlap each other or the source, so a refused call leaves both outputs untouched.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample holds more elements than a span,
    /// the geometry does not fit, <typeparamref name="TIndex"/> cannot hold the convention's largest index, an output
    /// view has stride 0 on a dimension of length &gt; 1, or an output's memory overlaps another tensor's.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static void MaxPool2D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool2DGeometry geometry, in TensorSpan<T> destination, in TensorSpan<TIndex> indices,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // Every check of every output before anything is written (SEMANTICS.md 6): a refusal after the kernel ran, or
        // between the commits of two strided views, would leave one output written and the other not.
        Shape4D shape = TensorAdapter.GetBatchedShape(source, nameof(source));
        Shape4D outputShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize, nameof(geometry)));
        TensorAdapter.RequireSampleFits(outputShape, nameof(geometry), "pooled");
        TensorAdapter.RequireShape(destination, outputShape, nameof(destination));
        TensorAdapter.RequireShape(indices, outputShape, nameof(indices));
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard.PoolingIndexSpace<TIndex>(indexConvention, shape, geometry, nameof(indices));
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoSelfOverlap(indices, nameof(indices));
        Guard.NoViewOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoViewOverlap<TIndex, T>(indices, source, nameof(indices), nameof(source));
        Guard.NoViewOverlap<TIndex, T>(indices, destination, nameof(indices), nameof(destination));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        if (TensorAdapter.IsChannelsLast(source))
        {
            // PyTorch's channels_last memory: the channels-last kernel reads it in place (no gather).
            MaxPool2DChannelsLastTensor(source, shape, outputShape, geometry, destination, indices, indexConvention, options);
            return;
        }

        MaxPool2DInBatches(source, shape, outputShape, geometry, destination, indices, indexConvention, options, BatchLimits.Default);
    }

    /// <summary>
    /// 2-D max pooling with arg-max capture into new tensors: the maxima, and <see cref="Switches{TIndex}"/> that hold
    /// their <see cref="long"/> indices (PyTorch's index type) together with the convention, the geometry and the input
    /// size, so that <see cref="MaxUnpool2D{T, TIndex}(Tensor{T}, Switches{TIndex}, UnpoolReduction, ExecutionOptions)"/>
    /// needs nothing else. For another index type (byte <see cref="IndexConvention.InWindow"/> switches) use
    /// <see cref="MaxPool2D{T, TIndex}(Tensor{T}, Pool2DGeometry, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <param name="source">The rank-4 <c>[N, C, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outH, outW]</c> and their switches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4 or the geometry does not fit it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches<long> Switches) MaxPool2D<T>(
        Tensor<T> source, Pool2DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        => MaxPool2D<T, long>(source, geometry, indexConvention, options);

    /// <summary>
    /// 2-D max pooling with arg-max capture of a tensor view (what ONNX Runtime and TorchSharp memory arrives as) into
    /// new tensors; see <see cref="MaxPool2D{T}(Tensor{T}, Pool2DGeometry, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <param name="source">The rank-4 <c>[N, C, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outH, outW]</c> and their switches.</returns>
    /// <exception cref="ArgumentException">The tensor is not rank 4, the geometry does not fit it, or the output holds
    /// more elements than an array (the source may hold more, as long as each sample fits a span).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches<long> Switches) MaxPool2D<T>(
        in ReadOnlyTensorSpan<T> source, Pool2DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        => MaxPool2D<T, long>(source, geometry, indexConvention, options);

    /// <summary>
    /// 2-D max pooling with arg-max capture into new tensors, with switches of the index type of your choice: for
    /// <see cref="IndexConvention.InWindow"/>, <c>MaxPool2D&lt;float, byte&gt;(x, geometry, IndexConvention.InWindow)</c>
    /// stores one byte per window (windows up to 16x16), an eighth of PyTorch's <see cref="long"/> indices.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index (<c>kH*kW - 1</c> for InWindow; the pooling input's index space otherwise).</typeparam>
    /// <param name="source">The rank-4 <c>[N, C, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outH, outW]</c> and their switches; both with <c>channels_last</c> strides
    /// when <paramref name="source"/> has them (PyTorch's choice), row-major otherwise.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 4, the geometry does not fit it, or
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index (named <c>indices</c>, the switches'
    /// index tensor); checked before anything is allocated.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches<TIndex> Switches) MaxPool2D<T, TIndex>(
        Tensor<T> source, Pool2DGeometry geometry, IndexConvention indexConvention, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        return MaxPool2D<T, TIndex>(source.AsReadOnlyTensorSpan(), geometry, indexConvention, options);
    }

    /// <summary>
    /// 2-D max pooling with arg-max capture of a tensor view into new tensors, with switches of the index type of your
    /// choice; see <see cref="MaxPool2D{T, TIndex}(Tensor{T}, Pool2DGeometry, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float and double vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The rank-4 <c>[N, C, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outH, outW]</c> and their switches.</returns>
    /// <exception cref="ArgumentException">The tensor is not rank 4, the geometry does not fit it,
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index (named <c>indices</c>), or the output
    /// holds more elements than an array (named <c>source</c>, or <c>geometry</c> when its padding makes the output the
    /// larger); the source may hold more than an array, as long as each sample fits a span.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches<TIndex> Switches) MaxPool2D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool2DGeometry geometry, IndexConvention indexConvention, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetBatchedShape(source, nameof(source));
        Shape4D outputShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize, nameof(geometry)));
        TensorAdapter.RequireSampleFits(outputShape, nameof(geometry), "pooled");
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard.PoolingIndexSpace<TIndex>(indexConvention, shape, geometry, "indices");
        if (outputShape.ElementCount > Array.MaxLength)
        {
            // A source of more elements than an array may still pool into an array; an output past it cannot.
            ThrowHelper.ThrowArgument(
                outputShape.ElementCount > shape.ElementCount ? nameof(geometry) : nameof(source),
                $"Pooling {shape} with {geometry} gives {outputShape}, {outputShape.ElementCount} elements, more than an array holds ({Array.MaxLength}); pool into destination tensors of your own (the TensorSpan form).");
        }

        // A channels_last source gets channels_last values and indices (PyTorch's choice), each pooled in place.
        nint[] lengths = TensorAdapter.Lengths(outputShape);
        Tensor<T> values = TensorAdapter.CreateLike<T, T>(source, lengths);
        Tensor<TIndex> indices = TensorAdapter.CreateLike<TIndex, T>(source, lengths);
        MaxPool2D(source, geometry, values.AsTensorSpan(), indices.AsTensorSpan(), indexConvention, options);
        return (values, new Switches<TIndex>(indices, geometry, shape.SpatialSize, indexConvention, validated: true));
    }

    /// <summary>
    /// The validated tensor form's run: one call when every tensor fits a span, else a batch of samples at a time (each
    /// batch's slices viewed in place when dense). Dense tensors: as many samples per batch as a span holds. Otherwise,
    /// when every sample is dense by itself (a batch stride of 0 or a sliced batch) and large enough to pay for a call,
    /// one sample per batch, viewed in place; else as many samples as fit a modest gather buffer, at least one. The
    /// limits are a parameter only so that tests can drive the batched path with small tensors.
    /// </summary>
    internal static void MaxPool2DInBatches<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Shape4D shape, Shape4D outputShape, Pool2DGeometry geometry, in TensorSpan<T> destination,
        in TensorSpan<TIndex> indices, IndexConvention indexConvention, ExecutionOptions options, BatchLimits limits)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (shape.ElementCount <= limits.Span && outputShape.ElementCount <= limits.Span)
        {
            MaxPool2DViews(source, shape, geometry, destination, indices, indexConvention, options, 0);
            return;
        }

        long sample = Math.Max(shape.Channels * shape.PlaneSize, outputShape.Channels * outputShape.PlaneSize);
        long perBatch = Math.Max(1, limits.Span / Math.Max(1, sample));
        if (!TensorAdapter.IsRowMajor(source.Lengths, source.Strides)
            || !TensorAdapter.IsRowMajor(destination.Lengths, destination.Strides)
            || !TensorAdapter.IsRowMajor(indices.Lengths, indices.Strides))
        {
            bool denseSamples = sample >= limits.InPlaceSample
                && TensorAdapter.IsRowMajor(source.Lengths[1..], source.Strides[1..])
                && TensorAdapter.IsRowMajor(destination.Lengths[1..], destination.Strides[1..])
                && TensorAdapter.IsRowMajor(indices.Lengths[1..], indices.Strides[1..]);
            perBatch = denseSamples ? 1 : Math.Max(1, Math.Min(perBatch, limits.Gather / Math.Max(1, sample)));
        }

        // In 64 bits: n + perBatch can pass int.MaxValue on the last batch of a batch near int.MaxValue samples.
        for (long n = 0; n < shape.Batch; n += perBatch)
        {
            int count = (int)Math.Min(perBatch, shape.Batch - n);
            var batch = new NRange((nint)n, (nint)(n + count));
            MaxPool2DViews(
                source.Slice(batch, NRange.All, NRange.All, NRange.All), shape with { Batch = count }, geometry,
                destination.Slice(batch, NRange.All, NRange.All, NRange.All), indices.Slice(batch, NRange.All, NRange.All, NRange.All),
                indexConvention, options, n);
        }
    }

    /// <summary>How the tensor form splits a batch (<see cref="MaxPool2DInBatches"/>).</summary>
    /// <param name="Span">The most elements one call's tensors may hold: <see cref="Array.MaxLength"/>.</param>
    /// <param name="Gather">Elements gathered at a time when a tensor is not dense.</param>
    /// <param name="InPlaceSample">The smallest sample run as a batch of its own, in place, rather than gathered with
    /// its neighbours.</param>
    internal readonly record struct BatchLimits(long Span, long Gather, long InPlaceSample)
    {
        public static BatchLimits Default => new(Array.MaxLength, 1L << 22, 1L << 16);
    }

    /// <summary>
    /// One span-sized batch of samples of the tensor form, starting at sample <paramref name="firstSample"/> of the
    /// caller's tensors (already validated as a whole). Indices come out relative to the batch; the conventions that
    /// count across samples then get the batch's first index, <c>firstSample * C*H*W</c>, added in 64 bits (the vector
    /// lanes carry indices modulo 2^32, exact only below 2^31, which a batch's own indices always are).
    /// </summary>
    private static void MaxPool2DViews<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Shape4D shape, Pool2DGeometry geometry, in TensorSpan<T> destination, in TensorSpan<TIndex> indices,
        IndexConvention indexConvention, ExecutionOptions options, long firstSample)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        using ReadView<T> s = TensorAdapter.Read(source);
        using WriteView<T> d = TensorAdapter.Write(destination);
        using WriteView<TIndex> i = TensorAdapter.Write(indices);
        MaxPool2DCore(s.Span, shape, geometry, d.Span, i.Span, indexConvention, options);
        AddSampleBase(i.Span, indexConvention, firstSample * shape.Channels * shape.PlaneSize);
        d.Commit();
        i.Commit();
    }

    /// <summary>
    /// Adds a batch's first index, <paramref name="sampleBase"/> (<c>firstSample * C*H*W</c>), in 64 bits to indices of
    /// the conventions that count across samples, which the kernel wrote relative to the batch.
    /// </summary>
    private static void AddSampleBase<TIndex>(Span<TIndex> written, IndexConvention indexConvention, long sampleBase)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (sampleBase != 0 && indexConvention is IndexConvention.GlobalRowMajor or IndexConvention.GlobalColumnMajor or IndexConvention.ChannelsLastWithBatch)
        {
            for (int k = 0; k < written.Length; k++)
            {
                written[k] = TIndex.CreateTruncating(long.CreateTruncating(written[k]) + sampleBase);
            }
        }
    }

    private static unsafe void MaxPool2DCore<T, TIndex>(
        ReadOnlySpan<T> source, Shape4D sourceShape, Pool2DGeometry geometry, Span<T> destination, Span<TIndex> indices,
        IndexConvention indexConvention, ExecutionOptions options)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*H*W of", sourceShape);
        Size2D output = geometry.GetOutputSize(sourceShape.SpatialSize, nameof(geometry));
        Shape4D outputShape = sourceShape.WithSpatialSize(output);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outH*outW of", outputShape);
        Guard.Length(indices.Length, outputShape.ElementCount, nameof(indices), "N*C*outH*outW of", outputShape);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard.PoolingIndexSpace<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<TIndex, T>(indices, source, nameof(indices), nameof(source));
        Guard.NoOverlap<TIndex, T>(indices, destination, nameof(indices), nameof(destination));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        if (sourceShape.Layout == TensorLayout.ChannelsLast)
        {
            MaxPool2DChannelsLast(source, sourceShape, output, geometry, destination, indices, indexConvention, options);
            return;
        }

        var plan = new MaxPool2DKernel.Plan(sourceShape.SpatialSize, output, geometry, new IndexLayout(indexConvention, sourceShape));
        int degree = options.ResolveDegree(outputShape.PlaneCount * output.Height, sourceShape.ElementCount);
        fixed (T* s = source)
        fixed (T* d = destination)
        fixed (TIndex* i = indices)
        {
            MaxPool2DKernel.Run(s, d, i, (int)sourceShape.PlaneCount, plan, degree);
        }
    }

    /// <summary>The span form's channels-last run (validated): <c>[N, H, W, C]</c> in, <c>[N, oH, oW, C]</c> out.</summary>
    private static unsafe void MaxPool2DChannelsLast<T, TIndex>(
        ReadOnlySpan<T> source, Shape4D sourceShape, Size2D output, Pool2DGeometry geometry, Span<T> destination, Span<TIndex> indices,
        IndexConvention indexConvention, ExecutionOptions options)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var plan = ChannelsLastPoolKernel.For2D(sourceShape, output, geometry, indexConvention);
        int degree = options.ResolveDegree(plan.Rows, sourceShape.ElementCount);
        fixed (T* s = source)
        fixed (T* d = destination)
        fixed (TIndex* i = indices)
        {
            ChannelsLastPoolKernel.Run(s, d, i, plan, degree);
        }
    }

    /// <summary>
    /// The tensor form of a channels_last source (validated): the source is read in place; each output in place when it
    /// is channels_last dense too, else through a channels-last buffer copied into it. A tensor past a span's reach runs
    /// a span-sized batch of samples at a time; the conventions that count across samples then get the batch's base.
    /// </summary>
    private static void MaxPool2DChannelsLastTensor<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Shape4D shape, Shape4D outputShape, Pool2DGeometry geometry, in TensorSpan<T> destination,
        in TensorSpan<TIndex> indices, IndexConvention indexConvention, ExecutionOptions options)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        long sample = Math.Max(shape.Channels * shape.PlaneSize, outputShape.Channels * outputShape.PlaneSize);
        long perBatch = shape.ElementCount <= Array.MaxLength && outputShape.ElementCount <= Array.MaxLength
            ? shape.Batch
            : Math.Max(1, Array.MaxLength / Math.Max(1, sample));
        for (long n = 0; n < shape.Batch; n += perBatch)
        {
            int count = (int)Math.Min(perBatch, shape.Batch - n);
            bool whole = count == shape.Batch;
            ReadOnlyTensorSpan<T> part = whole ? source : source.Slice(TensorAdapter.Samples((int)n, count));
            TensorSpan<T> values = whole ? destination : destination.Slice(TensorAdapter.Samples((int)n, count));
            TensorSpan<TIndex> positions = whole ? indices : indices.Slice(TensorAdapter.Samples((int)n, count));
            Shape4D partShape = Shape4D.ChannelsLast(count, shape.Height, shape.Width, shape.Channels);
            using ChannelsLastWriteView<T> d = TensorAdapter.WriteChannelsLast(values);
            using ChannelsLastWriteView<TIndex> i = TensorAdapter.WriteChannelsLast(positions);
            MaxPool2DChannelsLast(TensorAdapter.ChannelsLastSpan(part), partShape, outputShape.SpatialSize, geometry, d.Span, i.Span, indexConvention, options);
            AddSampleBase(i.Span, indexConvention, n * shape.Channels * shape.PlaneSize);
            d.Commit();
            i.Commit();
        }
    }

    /// <summary>
    /// The backward pass of <see cref="MaxPool2D{T, TIndex}(ReadOnlySpan{T}, Shape4D, Pool2DGeometry, Span{T}, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
    /// (ATen <c>max_pool2d_with_indices_backward</c>): the scatter-add of the output gradient through the indices into a
    /// gradient of the pooling input's size, zeros where no maximum came from.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>. Sums use the type's <c>+</c> in
    /// row-major pooled order (integer sums wrap; <see cref="decimal"/> throws <see cref="OverflowException"/> after part
    /// of the gradient is written).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index (<see cref="byte"/> switches in <see cref="IndexConvention.InWindow"/> too).</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values, <paramref name="pooledShape"/>.</param>
    /// <param name="indices">The pooling's indices in <paramref name="indexConvention"/>, laid out as
    /// <paramref name="pooledShape"/>.</param>
    /// <param name="pooledShape">The pooled shape <c>[N, C, oH, oW]</c> (or <see cref="Shape4D.ChannelsLast"/>: the
    /// gradients and indices are then <c>[N, H, W, C]</c> in memory, and the result is exactly the channels-first one,
    /// permuted).</param>
    /// <param name="geometry">The pooling geometry (any the forward accepts: padding, dilation, ceil mode).</param>
    /// <param name="sourceGradient">Receives the gradient of the pooling input, <c>[N, C, H, W]</c>; every element is written.</param>
    /// <param name="sourceSize">The pooling input's (H, W); <paramref name="geometry"/> must pool it to
    /// <paramref name="pooledShape"/>'s spatial size.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>
    /// Overlapping windows add up in row-major pooled order (PyTorch CPU's order, so the sums are its bits), in parallel
    /// by planes when every index names a cell of its own plane. Windows that do not overlap (stride = kernel, no padding,
    /// no dilation) take the block kernel where the indices allow it (InWindow taps, or per-plane indices each in its own
    /// window): one write per cell, no clear-and-scatter. There each sum has a single term; the one difference from
    /// <c>0 + g</c> is a <c>-0</c> gradient, which stays <c>-0</c> (PyTorch's sum gives <c>+0</c>).
    /// Every index is checked before anything is written; a racing caller's changed index is skipped, never followed
    /// outside the gradient.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or <paramref name="indexConvention"/>
    /// is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, <paramref name="geometry"/> does not pool
    /// <paramref name="sourceSize"/> to <paramref name="pooledShape"/>, <typeparamref name="TIndex"/> cannot hold the
    /// convention's largest index, or <paramref name="sourceGradient"/> overlaps an input.</exception>
    public static void MaxPool2DBackward<T, TIndex>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<TIndex> indices, Shape4D pooledShape, Pool2DGeometry geometry, Span<T> sourceGradient,
        Size2D sourceSize, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D sourceShape = ValidatePoolBackward2D(outputGradient.Length, indices.Length, pooledShape, geometry, sourceGradient.Length, sourceSize, indexConvention);
        Guard.PoolingIndexSpace<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        Guard.NoOverlap<T, T>(sourceGradient, outputGradient, nameof(sourceGradient), nameof(outputGradient));
        Guard.NoOverlap<T, TIndex>(sourceGradient, indices, nameof(sourceGradient), nameof(indices));
        MaxUnpool2DCore(
            outputGradient, indices, pooledShape, geometry, sourceGradient, indexConvention, sourceSize, UnpoolReduction.Sum, options, nameof(sourceSize),
            sizeFromPooling: true, nameof(indices), writeTiled: true);
    }

    /// <summary>
    /// The backward pass of max pooling over rank-4 tensors of any strides (PyTorch <c>channels_last</c> read in place);
    /// the pooling input's size is <paramref name="sourceGradient"/>'s spatial size. See
    /// <see cref="MaxPool2DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values <c>[N, C, oH, oW]</c>.</param>
    /// <param name="indices">The pooling's indices, same shape.</param>
    /// <param name="geometry">The pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the pooling input <c>[N, C, H, W]</c>.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void MaxPool2DBackward<T, TIndex>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<TIndex> indices, Pool2DGeometry geometry, in TensorSpan<T> sourceGradient,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D shape = TensorAdapter.GetShape(outputGradient, nameof(outputGradient));
        Shape4D sourceShape = TensorAdapter.GetShape(sourceGradient.AsReadOnlyTensorSpan(), nameof(sourceGradient));
        RequireGatherShapes(indices, shape, sourceShape, nameof(sourceGradient));
        RequirePooledSize(geometry, sourceShape.SpatialSize, shape, nameof(outputGradient));
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard.PoolingIndexSpace<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        Guard.NoSelfOverlap(sourceGradient, nameof(sourceGradient));
        Guard.NoViewOverlap(sourceGradient.AsReadOnlyTensorSpan(), outputGradient, nameof(sourceGradient), nameof(outputGradient));
        Guard.NoViewOverlap(sourceGradient.AsReadOnlyTensorSpan(), indices, nameof(sourceGradient), nameof(indices));
        MaxUnpool2DTensor(
            outputGradient, indices, shape, geometry, sourceGradient, sourceShape.SpatialSize, indexConvention, UnpoolReduction.Sum, options, nameof(sourceGradient),
            sizeFromPooling: true, nameof(indices), writeTiled: true);
    }

    /// <summary>
    /// The backward pass of <see cref="MaxPool2D{T, TIndex}(Tensor{T}, Pool2DGeometry, IndexConvention, ExecutionOptions)"/>
    /// through its <see cref="Switches{TIndex}"/>, which carry the indices, their convention, the geometry and the input
    /// size: a new gradient of the pooling input's shape. See
    /// <see cref="MaxPool2DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type of the switches.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values, of the switches' <see cref="Switches{TIndex}.PooledShape"/>.</param>
    /// <param name="switches">The pooling's switches.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the pooling input, <see cref="Switches{TIndex}.SourceShape"/> (channels_last when
    /// <paramref name="outputGradient"/> is).</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell (the switches' tensor was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="outputGradient"/>'s shape is not the pooled shape.</exception>
    public static Tensor<T> MaxPool2DBackward<T, TIndex>(Tensor<T> outputGradient, Switches<TIndex> switches, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(switches);
        Shape4D shape = TensorAdapter.GetShape(outputGradient.AsReadOnlyTensorSpan(), nameof(outputGradient));
        if (shape != switches.PooledShape)
        {
            ThrowHelper.ThrowArgument(nameof(outputGradient), $"Tensor outputGradient has shape {shape}; the switches are of a pooling to {switches.PooledShape}.");
        }

        return MaxUnpool2DAllocating(
            outputGradient.AsReadOnlyTensorSpan(), switches.Indices.AsReadOnlyTensorSpan(), shape, switches.Geometry, switches.SourceSize, switches.Convention,
            UnpoolReduction.Sum, options, nameof(switches), sizeFromPooling: true, writeTiled: true);
    }

    /// <summary>
    /// The double backward of max pooling (ATen <c>max_pool_double_backward</c>, the gradient of
    /// <c>max_pool2d_with_indices_backward</c> with respect to its output gradient): the gather
    /// <c>result[p] = sourceGradientGradient[cell named by indices[p]]</c>, of the pooled shape.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="sourceGradientGradient">The gradient of the backward's result (of the pooling input's shape,
    /// <paramref name="pooledShape"/> with <paramref name="sourceSize"/>, same layout).</param>
    /// <param name="indices">The pooling's indices, laid out as <paramref name="pooledShape"/>.</param>
    /// <param name="pooledShape">The pooled shape.</param>
    /// <param name="geometry">The pooling geometry.</param>
    /// <param name="outputGradientGradient">Receives the gradient of the backward's output gradient, <paramref name="pooledShape"/>.</param>
    /// <param name="sourceSize">The pooling input's (H, W).</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the sizes do not match the geometry, the
    /// index type is too narrow, or the output overlaps an input.</exception>
    public static void MaxPool2DDoubleBackward<T, TIndex>(
        ReadOnlySpan<T> sourceGradientGradient, ReadOnlySpan<TIndex> indices, Shape4D pooledShape, Pool2DGeometry geometry, Span<T> outputGradientGradient,
        Size2D sourceSize, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape4D sourceShape = ValidatePoolBackward2D(outputGradientGradient.Length, indices.Length, pooledShape, geometry, sourceGradientGradient.Length, sourceSize, indexConvention, @double: true);
        Guard.PoolingIndexSpace<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        Guard.NoOverlap<T, T>(outputGradientGradient, sourceGradientGradient, nameof(outputGradientGradient), nameof(sourceGradientGradient));
        Guard.NoOverlap<T, TIndex>(outputGradientGradient, indices, nameof(outputGradientGradient), nameof(indices));
        IndexGather2DCore(sourceGradientGradient, indices, pooledShape, sourceSize, geometry, outputGradientGradient, indexConvention, options, nameof(indices));
    }

    /// <summary>
    /// The shape checks of the max-pool backward (and, with <paramref name="double"/>, its double backward, whose pooled
    /// and source roles swap): the pooled shape and lengths, the convention, and that <paramref name="geometry"/> pools
    /// <paramref name="sourceSize"/> to the pooled size. Returns the source shape.
    /// </summary>
    private static Shape4D ValidatePoolBackward2D(
        int pooledLength, int indicesLength, Shape4D pooledShape, Pool2DGeometry geometry, int sourceLength, Size2D sourceSize, IndexConvention indexConvention, bool @double = false)
    {
        pooledShape.Validate(nameof(pooledShape), allowChannelsLast: true);
        Shape4D sourceShape = pooledShape.WithSpatialSize(sourceSize);
        sourceShape.Validate(nameof(sourceSize), allowChannelsLast: true);
        RequirePooledSize(geometry, sourceSize, pooledShape, nameof(pooledShape));
        Guard.Convention(indexConvention, nameof(indexConvention));

        // In parameter order: the first span is the pooled gradient (backward) or the source-sized one (double backward).
        if (@double)
        {
            Guard.Length(sourceLength, sourceShape.ElementCount, "sourceGradientGradient", "N*C*H*W of", sourceShape);
        }
        else
        {
            Guard.Length(pooledLength, pooledShape.ElementCount, "outputGradient", "N*C*oH*oW of", pooledShape);
        }

        Guard.Length(indicesLength, pooledShape.ElementCount, "indices", "N*C*oH*oW of", pooledShape);
        if (@double)
        {
            Guard.Length(pooledLength, pooledShape.ElementCount, "outputGradientGradient", "N*C*oH*oW of", pooledShape);
        }
        else
        {
            Guard.Length(sourceLength, sourceShape.ElementCount, "sourceGradient", "N*C*H*W of", sourceShape);
        }

        return sourceShape;
    }

    /// <summary>Rejects a pooled shape that <paramref name="geometry"/> does not make of <paramref name="sourceSize"/>
    /// (the backward is validated against the pooling input's size, so dilated and ceil-mode geometries work).</summary>
    private static void RequirePooledSize(Pool2DGeometry geometry, Size2D sourceSize, Shape4D pooledShape, string paramName)
    {
        Size2D pooled = geometry.GetOutputSize(sourceSize, nameof(geometry));
        if (pooled != pooledShape.SpatialSize)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Pooling a {sourceSize.Height}x{sourceSize.Width} input with {geometry} gives {pooled.Height}x{pooled.Width}; the pooled shape {pooledShape} does not match it.");
        }
    }
}
