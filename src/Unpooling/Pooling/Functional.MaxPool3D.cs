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
    /// <remarks>Dense row-major tensors are used in place; strided ones go through a pooled buffer. Each tensor must
    /// fit a span. Everything, overlaps included, is validated before anything is written.</remarks>
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
}
