using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 3-D max pooling over <c>[N, C, D, H, W]</c> (channels-first) that also records where each maximum came from, as
    /// an index in the chosen <see cref="IndexConvention"/>: by default PyTorch's per-plane <c>(d*H + h)*W + w</c>
    /// (<c>max_pool3d_with_indices</c>); ONNX's global offsets (column-major: <c>(n*C + c)*D*H*W + d + h*D + w*D*H</c>),
    /// TensorFlow's channels-last offsets, or the tap <c>(kd*kH + kh)*kW + kw</c> inside the window on request.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/>. <see cref="float"/>, <see cref="double"/>,
    /// <see cref="int"/>, <see cref="short"/>, <see cref="sbyte"/>, <see cref="byte"/> and <see cref="Half"/> are
    /// vectorized along the width (as in 2-D); every other type runs the scalar definition, with the same rule in its own
    /// comparison (integers have no NaN: plain first maximum).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The input, dense row-major, <c>N*C*D*H*W</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, D, H, W]</c>, channels-first.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode per axis.</param>
    /// <param name="destination">Receives the maxima, <c>[N, C, outD, outH, outW]</c> with the size from
    /// <see cref="Pool3DGeometry.GetOutputSize(Size3D)"/>.</param>
    /// <param name="indices">Receives the position of each maximum in <paramref name="indexConvention"/>; same length
    /// as <paramref name="destination"/>.</param>
    /// <param name="indexConvention">How an index names an input cell; <see cref="IndexConvention.PerPlane"/> by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>
    /// Windows are scanned depth, then height, then width, and a cell replaces the running maximum when
    /// <c>v &gt; best || isNaN(v)</c>, from the first real cell: ties keep the first maximum, a NaN makes the result NaN
    /// with the last NaN's index, a window of -infinity yields its first real cell. Padding is never read or selected.
    /// Everything is validated before anything is written.
    /// </remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shape is channels-last, the geometry
    /// does not fit the input, <typeparamref name="TIndex"/> cannot hold the convention's largest index, or an output
    /// overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static void MaxPool3D<T, TIndex>(
        ReadOnlySpan<T> source, Shape5D sourceShape, Pool3DGeometry geometry, Span<T> destination, Span<TIndex> indices,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
        => MaxPool3DCore(source, sourceShape, geometry, destination, indices, indexConvention, options);

    /// <summary>
    /// 3-D max pooling with arg-max capture over rank-5 <c>[N, C, D, H, W]</c> tensors of any strides; see
    /// <see cref="MaxPool3D{T, TIndex}(ReadOnlySpan{T}, Shape5D, Pool3DGeometry, Span{T}, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float, double, int, short, sbyte, byte and Half vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The input tensor.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima; its shape must be <c>[N, C, outD, outH, outW]</c>.</param>
    /// <param name="indices">Receives the positions; same shape as <paramref name="destination"/>. The convention
    /// describes logical positions, whatever the tensors' strides.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>Dense row-major tensors are used in place, and so is a source with PyTorch's <c>channels_last_3d</c>
    /// strides (the channels-last kernel reads it; channels-last dense outputs are written in place); other strided
    /// tensors go through a pooled buffer. Each tensor must fit a span. Everything, overlaps included, is validated
    /// before anything is written.</remarks>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape or holds more elements than a span, the
    /// geometry does not fit, <typeparamref name="TIndex"/> cannot hold the convention's largest index, an output view
    /// names one cell twice, or an output's memory overlaps another tensor's.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static void MaxPool3D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool3DGeometry geometry, in TensorSpan<T> destination, in TensorSpan<TIndex> indices,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape5D shape = TensorAdapter3D.GetShape(source, nameof(source));
        Shape5D outputShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize, nameof(geometry)));
        TensorAdapter3D.RequireFitsSpan(outputShape, nameof(geometry), "pooled output");
        TensorAdapter3D.RequireShape(destination, outputShape, nameof(destination));
        TensorAdapter3D.RequireShape(indices, outputShape, nameof(indices));
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, shape, geometry, nameof(indices));
        Guard.NoSelfOverlap(destination, nameof(destination));
        Guard.NoSelfOverlap(indices, nameof(indices));
        Guard.NoViewOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoViewOverlap<TIndex, T>(indices, source, nameof(indices), nameof(source));
        Guard.NoViewOverlap<TIndex, T>(indices, destination, nameof(indices), nameof(destination));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        if (TensorAdapter.IsChannelsLastLayout(source))
        {
            // PyTorch's channels_last_3d: the source read in place by the channels-last kernel; the outputs written in
            // place when they are channels-last dense too, else through a channels-last buffer copied into them.
            using ChannelsLastWriteView<T> values = TensorAdapter.WriteChannelsLast(destination);
            using ChannelsLastWriteView<TIndex> positions = TensorAdapter.WriteChannelsLast(indices);
            Shape5D lastShape = Shape5D.ChannelsLast(shape.Batch, shape.Depth, shape.Height, shape.Width, shape.Channels);
            MaxPool3DCore(TensorAdapter.ChannelsLastSpan(source), lastShape, geometry, values.Span, positions.Span, indexConvention, options);
            values.Commit();
            positions.Commit();
            return;
        }

        using ReadView<T> s = TensorAdapter.Read(source);
        using WriteView<T> d = TensorAdapter.Write(destination);
        using WriteView<TIndex> i = TensorAdapter.Write(indices);
        MaxPool3DCore(s.Span, shape, geometry, d.Span, i.Span, indexConvention, options);
        d.Commit();
        i.Commit();
    }

    /// <summary>
    /// 3-D max pooling with arg-max capture into new tensors: the maxima and <see cref="Switches3D{TIndex}"/> holding
    /// their <see cref="long"/> indices (PyTorch's index type), the convention, the geometry and the input size, so that
    /// <see cref="MaxUnpool3D{T, TIndex}(Tensor{T}, Switches3D{TIndex}, UnpoolReduction, ExecutionOptions)"/> needs
    /// nothing else.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float, double, int, short, sbyte, byte and Half vectorized, others scalar).</typeparam>
    /// <param name="source">The rank-5 <c>[N, C, D, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outD, outH, outW]</c> and their switches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 5 or the geometry does not fit it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches3D<long> Switches) MaxPool3D<T>(
        Tensor<T> source, Pool3DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        => MaxPool3D<T, long>(source, geometry, indexConvention, options);

    /// <summary>
    /// 3-D max pooling with arg-max capture of a tensor view (ONNX Runtime's or TorchSharp's memory) into new tensors;
    /// see <see cref="MaxPool3D{T}(Tensor{T}, Pool3DGeometry, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float, double, int, short, sbyte, byte and Half vectorized, others scalar).</typeparam>
    /// <param name="source">The rank-5 <c>[N, C, D, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outD, outH, outW]</c> and their switches.</returns>
    /// <exception cref="ArgumentException">The tensor is not rank 5 or the geometry does not fit it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches3D<long> Switches) MaxPool3D<T>(
        in ReadOnlyTensorSpan<T> source, Pool3DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        => MaxPool3D<T, long>(source, geometry, indexConvention, options);

    /// <summary>
    /// 3-D max pooling with arg-max capture into new tensors, with switches of the index type of your choice
    /// (<c>MaxPool3D&lt;float, byte&gt;(x, geometry, IndexConvention.InWindow)</c>: one byte per window up to 256 taps).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float, double, int, short, sbyte, byte and Half vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index (<c>kD*kH*kW - 1</c> for InWindow).</typeparam>
    /// <param name="source">The rank-5 <c>[N, C, D, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outD, outH, outW]</c> and their switches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 5, the geometry does not fit it, or
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index (named <c>indices</c>); checked before
    /// anything is allocated.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches3D<TIndex> Switches) MaxPool3D<T, TIndex>(
        Tensor<T> source, Pool3DGeometry geometry, IndexConvention indexConvention, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        return MaxPool3D<T, TIndex>(source.AsReadOnlyTensorSpan(), geometry, indexConvention, options);
    }

    /// <summary>
    /// 3-D max pooling with arg-max capture of a tensor view into new tensors, with switches of the index type of your
    /// choice; see <see cref="MaxPool3D{T, TIndex}(Tensor{T}, Pool3DGeometry, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/> (float, double, int, short, sbyte, byte and Half vectorized, others scalar).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The rank-5 <c>[N, C, D, H, W]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outD, outH, outW]</c> and their switches.</returns>
    /// <exception cref="ArgumentException">The tensor is not rank 5, the geometry does not fit it, or
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index (named <c>indices</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches3D<TIndex> Switches) MaxPool3D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool3DGeometry geometry, IndexConvention indexConvention, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape5D shape = TensorAdapter3D.GetShape(source, nameof(source));
        Shape5D outputShape = shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize, nameof(geometry)));
        TensorAdapter3D.RequireFitsSpan(outputShape, nameof(geometry), "pooled output");
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, shape, geometry, "indices");
        nint[] lengths = TensorAdapter3D.Lengths(outputShape);
        Tensor<T> values = TensorAdapter.CreateLike<T, T>(source, lengths);
        Tensor<TIndex> indices = TensorAdapter.CreateLike<TIndex, T>(source, lengths);
        MaxPool3D(source, geometry, values.AsTensorSpan(), indices.AsTensorSpan(), indexConvention, options);
        return (values, new Switches3D<TIndex>(indices, geometry, shape.SpatialSize, indexConvention, validated: true));
    }

    private static unsafe void MaxPool3DCore<T, TIndex>(
        ReadOnlySpan<T> source, Shape5D sourceShape, Pool3DGeometry geometry, Span<T> destination, Span<TIndex> indices,
        IndexConvention indexConvention, ExecutionOptions options)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*D*H*W of", sourceShape);
        SpatialPlan plan = SpatialPlan.ForPool(geometry, sourceShape.SpatialSize, nameof(geometry));
        Shape5D outputShape = sourceShape.WithSpatialSize(new Size3D(plan.Depth.Output, plan.Height.Output, plan.Width.Output));
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outD*outH*outW of", outputShape);
        Guard.Length(indices.Length, outputShape.ElementCount, nameof(indices), "N*C*outD*outH*outW of", outputShape);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        Guard.NoOverlap<T, T>(destination, source, nameof(destination), nameof(source));
        Guard.NoOverlap<TIndex, T>(indices, source, nameof(indices), nameof(source));
        Guard.NoOverlap<TIndex, T>(indices, destination, nameof(indices), nameof(destination));
        if (outputShape.ElementCount == 0)
        {
            return;
        }

        if (sourceShape.Layout == TensorLayout.ChannelsLast)
        {
            // [N, D, H, W, C]: the channels-last kernel, vectorized along C over the plan's real taps.
            var lastPlan = new ChannelsLastPoolKernel.Plan(plan, sourceShape.Batch, sourceShape.Channels, ChannelsLastIndexing.For3D(indexConvention, sourceShape, geometry));
            int lastDegree = options.ResolveDegree(lastPlan.Rows, sourceShape.ElementCount);
            fixed (T* s = source)
            fixed (T* d = destination)
            fixed (TIndex* i = indices)
            {
                ChannelsLastPoolKernel.Run(s, d, i, lastPlan, lastDegree);
            }

            return;
        }

        var kernelPlan = new MaxPool3DKernel.Plan(plan, new IndexLayout3D(indexConvention, sourceShape));
        int degree = options.ResolveDegree(outputShape.PlaneCount * plan.Depth.Output * plan.Height.Output, sourceShape.ElementCount);
        fixed (T* s = source)
        fixed (T* d = destination)
        fixed (TIndex* i = indices)
        {
            MaxPool3DKernel.Run(s, d, i, (int)sourceShape.PlaneCount, kernelPlan, degree);
        }
    }

    /// <summary>
    /// The backward pass of 3-D max pooling (ATen <c>max_pool3d_with_indices_backward</c>): the scatter-add of the output
    /// gradient through the indices into a zeroed gradient of the pooling input's size, in row-major pooled order.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values, <paramref name="pooledShape"/>.</param>
    /// <param name="indices">The pooling's indices in <paramref name="indexConvention"/>.</param>
    /// <param name="pooledShape">The pooled shape <c>[N, C, oD, oH, oW]</c> (or <see cref="Shape5D.ChannelsLast"/>).</param>
    /// <param name="geometry">The pooling geometry (any the forward accepts).</param>
    /// <param name="sourceGradient">Receives the gradient of the pooling input; every element is written.</param>
    /// <param name="sourceSize">The pooling input's (D, H, W); <paramref name="geometry"/> must pool it to
    /// <paramref name="pooledShape"/>'s spatial size.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>The 3-D unpooling's Sum kernels (in parallel by volumes for per-plane and channels-last indices, one
    /// thread in order for column-major and InWindow ones); every index is checked before anything is written. Windows
    /// that tile the input (stride = kernel, no padding, no dilation) take the block kernel, channels-first, where the
    /// indices allow it (InWindow taps; per-plane indices each in its own window of an input of at least kernel x
    /// pooled cells): one write per cell, no clear-and-scatter. There each sum has a single term; the one difference
    /// from <c>0 + g</c> is a <c>-0</c> gradient, which stays <c>-0</c> (PyTorch's sum gives <c>+0</c>), as in 2-D.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, <paramref name="geometry"/> does not pool
    /// <paramref name="sourceSize"/> to <paramref name="pooledShape"/>, the index type is too narrow, or the gradient
    /// overlaps an input.</exception>
    public static void MaxPool3DBackward<T, TIndex>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<TIndex> indices, Shape5D pooledShape, Pool3DGeometry geometry, Span<T> sourceGradient,
        Size3D sourceSize, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ValidatePoolBackward3D<T, TIndex>(outputGradient, indices, pooledShape, geometry, sourceGradient, sourceSize, indexConvention, @double: false);
        MaxUnpool3DCore(
            outputGradient, indices, pooledShape, geometry, sourceGradient, indexConvention, sourceSize, UnpoolReduction.Sum, options, nameof(sourceSize),
            sizeFromPooling: true, nameof(indices), writeTiled: true);
    }

    /// <summary>
    /// The backward pass of 3-D max pooling over rank-5 tensors of any strides; the pooling input's size is
    /// <paramref name="sourceGradient"/>'s spatial size. See
    /// <see cref="MaxPool3DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape5D, Pool3DGeometry, Span{T}, Size3D, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values <c>[N, C, oD, oH, oW]</c>.</param>
    /// <param name="indices">The pooling's indices, same shape.</param>
    /// <param name="geometry">The pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the pooling input <c>[N, C, D, H, W]</c>.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void MaxPool3DBackward<T, TIndex>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<TIndex> indices, Pool3DGeometry geometry, in TensorSpan<T> sourceGradient,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape5D shape = TensorAdapter3D.GetShape(outputGradient, nameof(outputGradient));
        Shape5D sourceShape = TensorAdapter3D.GetShape(sourceGradient.AsReadOnlyTensorSpan(), nameof(sourceGradient));
        RequireGatherShapes3D(indices, shape, sourceShape, nameof(sourceGradient));
        RequirePooledSize3D(geometry, sourceShape.SpatialSize, shape, nameof(outputGradient));
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        Guard.NoSelfOverlap(sourceGradient, nameof(sourceGradient));
        Guard.NoViewOverlap(sourceGradient.AsReadOnlyTensorSpan(), outputGradient, nameof(sourceGradient), nameof(outputGradient));
        Guard.NoViewOverlap(sourceGradient.AsReadOnlyTensorSpan(), indices, nameof(sourceGradient), nameof(indices));

        // With sizes from the pooling the unpooling names a bad index after its size argument: here that is the indices.
        MaxUnpool3DTensor(outputGradient, indices, shape, geometry, sourceGradient, sourceShape.SpatialSize, indexConvention, UnpoolReduction.Sum, options, nameof(indices), sizeFromPooling: true,
            writeTiled: true);
    }

    /// <summary>
    /// The backward pass of 3-D max pooling through its <see cref="Switches3D{TIndex}"/>: a new gradient of the pooling
    /// input's shape. See
    /// <see cref="MaxPool3DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape5D, Pool3DGeometry, Span{T}, Size3D, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type of the switches.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values, of the switches' pooled shape.</param>
    /// <param name="switches">The pooling's switches.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the pooling input, <see cref="Switches3D{TIndex}.SourceShape"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell (the switches' tensor was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="outputGradient"/>'s shape is not the pooled shape.</exception>
    public static Tensor<T> MaxPool3DBackward<T, TIndex>(Tensor<T> outputGradient, Switches3D<TIndex> switches, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(switches);
        Shape5D shape = TensorAdapter3D.GetShape(outputGradient.AsReadOnlyTensorSpan(), nameof(outputGradient));
        if (shape != switches.PooledShape)
        {
            ThrowHelper.ThrowArgument(nameof(outputGradient), $"Tensor outputGradient has shape {shape}; the switches are of a pooling to {switches.PooledShape}.");
        }

        return MaxUnpool3DAllocating(
            outputGradient.AsReadOnlyTensorSpan(), switches.Indices.AsReadOnlyTensorSpan(), shape, switches.Geometry, switches.SourceSize, switches.Convention,
            UnpoolReduction.Sum, options, nameof(switches), sizeFromPooling: true, writeTiled: true);
    }

    /// <summary>
    /// The double backward of 3-D max pooling (ATen <c>max_pool_double_backward</c>): the gather
    /// <c>result[p] = sourceGradientGradient[cell named by indices[p]]</c>, of the pooled shape.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="sourceGradientGradient">The gradient of the backward's result, of the pooling input's shape.</param>
    /// <param name="indices">The pooling's indices.</param>
    /// <param name="pooledShape">The pooled shape.</param>
    /// <param name="geometry">The pooling geometry.</param>
    /// <param name="outputGradientGradient">Receives the result, <paramref name="pooledShape"/>.</param>
    /// <param name="sourceSize">The pooling input's (D, H, W).</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length or size does not match, the index type is too narrow, or the output
    /// overlaps an input.</exception>
    public static void MaxPool3DDoubleBackward<T, TIndex>(
        ReadOnlySpan<T> sourceGradientGradient, ReadOnlySpan<TIndex> indices, Shape5D pooledShape, Pool3DGeometry geometry, Span<T> outputGradientGradient,
        Size3D sourceSize, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ValidatePoolBackward3D<T, TIndex>(outputGradientGradient, indices, pooledShape, geometry, sourceGradientGradient, sourceSize, indexConvention, @double: true);
        IndexGather3DCore(sourceGradientGradient, indices, pooledShape, sourceSize, geometry, outputGradientGradient, indexConvention, options, nameof(indices));
    }

    /// <summary>Every check of the 3-D max-pool backward (<paramref name="double"/>: of its double backward, whose
    /// pooled-size span is the output), before anything is written.</summary>
    private static void ValidatePoolBackward3D<T, TIndex>(
        ReadOnlySpan<T> pooled, ReadOnlySpan<TIndex> indices, Shape5D pooledShape, Pool3DGeometry geometry, ReadOnlySpan<T> source, Size3D sourceSize,
        IndexConvention indexConvention, bool @double)
        where T : unmanaged
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string pooledName = @double ? "outputGradientGradient" : "outputGradient", sourceName = @double ? "sourceGradientGradient" : "sourceGradient";
        pooledShape.Validate(nameof(pooledShape), allowChannelsLast: true);
        Shape5D sourceShape = pooledShape.WithSpatialSize(sourceSize);
        sourceShape.Validate(nameof(sourceSize), allowChannelsLast: true);
        RequirePooledSize3D(geometry, sourceSize, pooledShape, nameof(pooledShape));
        Guard.Convention(indexConvention, nameof(indexConvention));
        Guard.Length(pooled.Length, pooledShape.ElementCount, pooledName, "N*C*oD*oH*oW of", pooledShape);
        Guard.Length(indices.Length, pooledShape.ElementCount, nameof(indices), "N*C*oD*oH*oW of", pooledShape);
        Guard.Length(source.Length, sourceShape.ElementCount, sourceName, "N*C*D*H*W of", sourceShape);
        Guard3D.PoolingIndexSpace<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        string written = @double ? pooledName : sourceName, read = @double ? sourceName : pooledName;
        Guard.NoOverlap<T, T>(@double ? pooled : source, @double ? source : pooled, written, read);
        Guard.NoOverlap<T, TIndex>(@double ? pooled : source, indices, written, nameof(indices));
    }

    /// <summary>Rejects a pooled shape that <paramref name="geometry"/> does not make of <paramref name="sourceSize"/>.</summary>
    private static void RequirePooledSize3D(Pool3DGeometry geometry, Size3D sourceSize, Shape5D pooledShape, string paramName)
    {
        Size3D pooled = geometry.GetOutputSize(sourceSize, nameof(geometry));
        if (pooled != pooledShape.SpatialSize)
        {
            ThrowHelper.ThrowArgument(paramName, $"Pooling a {sourceSize} input with {geometry} gives {pooled}; the pooled shape {pooledShape} does not match it.");
        }
    }

    /// <summary>Rejects indices of another shape than the pooled <paramref name="shape"/>, and an indexed tensor whose N
    /// or C differ from it.</summary>
    private static void RequireGatherShapes3D<TIndex>(in ReadOnlyTensorSpan<TIndex> indices, Shape5D shape, Shape5D indexedShape, string indexedName)
    {
        Shape5D indexShape = TensorAdapter3D.GetShape(indices, nameof(indices));
        if (indexShape != shape)
        {
            ThrowHelper.ThrowArgument(nameof(indices), $"Tensor indices has shape {indexShape}; it must match the pooled {shape}.");
        }

        if (indexedShape.Batch != shape.Batch || indexedShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(indexedName, $"Tensor {indexedName} has shape {indexedShape}; N and C must match the pooled {shape}.");
        }
    }
}
