using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 1-D max pooling over <c>[N, C, L]</c> that also records where each maximum came from (PyTorch's
    /// <c>max_pool1d_with_indices</c>), as an index in the chosen <see cref="IndexConvention"/>. It runs as
    /// <see cref="MaxPool2D{T, TIndex}(ReadOnlySpan{T}, Shape4D, Pool2DGeometry, Span{T}, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
    /// on <c>[N, C, 1, L]</c> (the same memory, no copy), so every convention keeps its 2-D meaning with <c>h = 0</c>:
    /// per plane <c>w</c> (the default), global row-major and column-major <c>(n*C + c)*L + w</c>, channels-last per
    /// sample <c>w*C + c</c>, with batch <c>(n*L + w)*C + c</c>, in window the tap <c>kw</c>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/>; the types the 2-D operator vectorizes
    /// are vectorized here (integers have no NaN: plain first maximum; <see cref="Half"/> compares as
    /// <see cref="float"/> does).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The input, dense <c>[N, C, L]</c>, <c>N*C*L</c> elements.</param>
    /// <param name="sourceShape">The input shape <c>[N, C, L]</c> (channels-first; a channels-last shape is refused).</param>
    /// <param name="geometry">Kernel size, stride, begin/end padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima, <c>[N, C, outL]</c> with the length from
    /// <see cref="Pool1DGeometry.GetOutputSize(int)"/>.</param>
    /// <param name="indices">Receives the position of each maximum in <paramref name="indexConvention"/>; same length
    /// as <paramref name="destination"/>.</param>
    /// <param name="indexConvention">How an index names an input cell; <see cref="IndexConvention.PerPlane"/> by
    /// default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>The selection rule is the 2-D one: a cell replaces the running maximum when <c>v &gt; best || isNaN(v)</c>
    /// (first maximum on ties, last NaN), padding never read or selected. Everything is validated before anything is
    /// written, and the span form allocates nothing.</remarks>
    /// <exception cref="ArgumentException">A length does not match its shape, the shape is invalid or channels-last,
    /// the geometry does not fit the input, <typeparamref name="TIndex"/> cannot hold the convention's largest index, or
    /// a destination overlaps another buffer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static void MaxPool1D<T, TIndex>(
        ReadOnlySpan<T> source, Shape3D sourceShape, Pool1DGeometry geometry, Span<T> destination, Span<TIndex> indices,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // The 1-D checks in 1-D words first; the 2-D core repeats them (cheaply) and adds the overlap checks.
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*L of", sourceShape);
        Shape3D outputShape = sourceShape.WithLength(geometry.GetOutputSize(sourceShape.Length, nameof(geometry)));
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outL of", outputShape);
        Guard.Length(indices.Length, outputShape.ElementCount, nameof(indices), "N*C*outL of", outputShape);
        Guard.Convention(indexConvention, nameof(indexConvention));
        IndexSpace1D<TIndex>(indexConvention, sourceShape, geometry, nameof(indices));
        MaxPool2DCore(source, sourceShape.As4D(), geometry.As2D(), destination, indices, indexConvention, options);
    }

    /// <summary>
    /// 1-D max pooling with arg-max capture over rank-3 <c>[N, C, L]</c> tensors of any strides, run as the 2-D tensor
    /// form on a rank-4 view <c>[N, C, 1, L]</c> of the same memory; see
    /// <see cref="MaxPool1D{T, TIndex}(ReadOnlySpan{T}, Shape3D, Pool1DGeometry, Span{T}, Span{TIndex}, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The input tensor <c>[N, C, L]</c>.</param>
    /// <param name="geometry">Kernel size, stride, begin/end padding, dilation and ceil mode.</param>
    /// <param name="destination">Receives the maxima; its shape must be <c>[N, C, outL]</c>.</param>
    /// <param name="indices">Receives the positions in <paramref name="indexConvention"/>; same shape as
    /// <paramref name="destination"/>.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>As in the 2-D form: a tensor may hold more elements than a span as long as each sample (<c>C*L</c>) fits
    /// one; every check runs before anything is written.</remarks>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, a sample holds more elements than a span,
    /// the geometry does not fit, <typeparamref name="TIndex"/> cannot hold the convention's largest index, an output
    /// view has elements that share memory, or an output's memory overlaps another tensor's.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static void MaxPool1D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool1DGeometry geometry, in TensorSpan<T> destination, in TensorSpan<TIndex> indices,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D shape = GetShape1D(source, nameof(source), batched: true);
        Shape3D outputShape = shape.WithLength(geometry.GetOutputSize(shape.Length, nameof(geometry)));
        RequireSampleFits1D(outputShape, nameof(geometry), "pooled");
        RequireShape1D(destination, outputShape, nameof(destination));
        RequireShape1D(indices, outputShape, nameof(indices));
        Guard.Convention(indexConvention, nameof(indexConvention));
        IndexSpace1D<TIndex>(indexConvention, shape, geometry, nameof(indices));
        MaxPool2D(Tensor.Unsqueeze(source, 2), geometry.As2D(), Tensor.Unsqueeze(destination, 2), Tensor.Unsqueeze(indices, 2), indexConvention, options);
    }

    /// <summary>
    /// 1-D max pooling with arg-max capture into new tensors: the maxima, and <see cref="Switches1D{TIndex}"/> that hold
    /// their <see cref="long"/> indices (PyTorch's index type) with the convention, the geometry and the input length,
    /// so that <see cref="MaxUnpool1D{T, TIndex}(Tensor{T}, Switches1D{TIndex}, UnpoolReduction, ExecutionOptions)"/>
    /// needs nothing else.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/>.</typeparam>
    /// <param name="source">The rank-3 <c>[N, C, L]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, begin/end padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outL]</c> and their switches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 3 or the geometry does not fit it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches1D<long> Switches) MaxPool1D<T>(
        Tensor<T> source, Pool1DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        => MaxPool1D<T, long>(source, geometry, indexConvention, options);

    /// <inheritdoc cref="MaxPool1D{T}(Tensor{T}, Pool1DGeometry, IndexConvention, ExecutionOptions)"/>
    public static (Tensor<T> Values, Switches1D<long> Switches) MaxPool1D<T>(
        in ReadOnlyTensorSpan<T> source, Pool1DGeometry geometry, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        => MaxPool1D<T, long>(source, geometry, indexConvention, options);

    /// <summary>
    /// 1-D max pooling with arg-max capture into new tensors, with switches of the index type of your choice
    /// (<c>MaxPool1D&lt;float, byte&gt;(x, geometry, IndexConvention.InWindow)</c>: one byte per window up to 256 taps).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumber{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index (<c>k - 1</c> for InWindow).</typeparam>
    /// <param name="source">The rank-3 <c>[N, C, L]</c> input, any strides.</param>
    /// <param name="geometry">Kernel size, stride, begin/end padding, dilation and ceil mode.</param>
    /// <param name="indexConvention">How an index names an input cell.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The pooled values <c>[N, C, outL]</c> and their switches.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The tensor is not rank 3, the geometry does not fit it, or
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index (named <c>indices</c>); checked before
    /// anything is allocated.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="indexConvention"/> is undefined.</exception>
    public static (Tensor<T> Values, Switches1D<TIndex> Switches) MaxPool1D<T, TIndex>(
        Tensor<T> source, Pool1DGeometry geometry, IndexConvention indexConvention, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        return MaxPool1D<T, TIndex>(source.AsReadOnlyTensorSpan(), geometry, indexConvention, options);
    }

    /// <inheritdoc cref="MaxPool1D{T, TIndex}(Tensor{T}, Pool1DGeometry, IndexConvention, ExecutionOptions)"/>
    public static (Tensor<T> Values, Switches1D<TIndex> Switches) MaxPool1D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, Pool1DGeometry geometry, IndexConvention indexConvention, ExecutionOptions options = default)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D shape = GetShape1D(source, nameof(source), batched: true);
        Shape3D outputShape = shape.WithLength(geometry.GetOutputSize(shape.Length, nameof(geometry)));
        RequireSampleFits1D(outputShape, nameof(geometry), "pooled");
        Guard.Convention(indexConvention, nameof(indexConvention));
        IndexSpace1D<TIndex>(indexConvention, shape, geometry, "indices");
        if (outputShape.ElementCount > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument(
                outputShape.ElementCount > shape.ElementCount ? nameof(geometry) : nameof(source),
                $"Pooling {shape} with {geometry} gives {outputShape}, {outputShape.ElementCount} elements, more than an array holds ({Array.MaxLength}); pool into destination tensors of your own (the TensorSpan form).");
        }

        nint[] lengths = [outputShape.Batch, outputShape.Channels, outputShape.Length];
        Tensor<T> values = TensorAdapter.CreateLike<T, T>(source, lengths);
        Tensor<TIndex> indices = TensorAdapter.CreateLike<TIndex, T>(source, lengths);
        MaxPool1D(source, geometry, values.AsTensorSpan(), indices.AsTensorSpan(), indexConvention, options);
        return (values, new Switches1D<TIndex>(indices, geometry, shape.Length, indexConvention, validated: true));
    }

    /// <summary>
    /// The <c>[N, C, L]</c> shape of a rank-3 tensor. With <paramref name="batched"/> the tensor may hold more elements
    /// than a span as long as each sample (<c>C*L</c>) fits one (the 2-D tensor forms then run it by batches of
    /// samples); a tensor that fits a span gets the full shape check either way.
    /// </summary>
    internal static Shape3D GetShape1D<T>(in ReadOnlyTensorSpan<T> tensor, string paramName, bool batched)
    {
        if (tensor.Rank != 3)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has rank {tensor.Rank}; a rank-3 [N, C, L] tensor is expected.");
        }

        ReadOnlySpan<nint> l = tensor.Lengths;
        for (int i = 0; i < 3; i++)
        {
            if (l[i] > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has a dimension of {l[i]}; each must be <= {int.MaxValue}.");
            }
        }

        var shape = new Shape3D((int)l[0], (int)l[1], (int)l[2]);
        if (batched && tensor.FlattenedLength > Array.MaxLength)
        {
            // Every length is positive here (the tensor holds more than a span), so only the sample size can be wrong.
            RequireSampleFits1D(shape, paramName, "input");
        }
        else
        {
            shape.Validate(paramName);
        }

        return shape;
    }

    /// <summary>Rejects a shape one of whose samples (<c>C*L</c> elements) no span holds.</summary>
    private static void RequireSampleFits1D(Shape3D shape, string paramName, string what)
    {
        if (shape.Batch > 0 && (long)shape.Channels * shape.Length > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Each {what} sample of {shape} holds C*L = {(long)shape.Channels * shape.Length} elements, more than a span can address ({Array.MaxLength}); a tensor may hold more elements than that in all, but each sample must fit.");
        }
    }

    /// <summary>Rejects a tensor whose shape is not <paramref name="expected"/> (rank 3).</summary>
    private static void RequireShape1D<T>(in TensorSpan<T> tensor, Shape3D expected, string paramName)
    {
        ReadOnlySpan<nint> l = tensor.Lengths;
        if (tensor.Rank != 3 || l[0] != expected.Batch || l[1] != expected.Channels || l[2] != expected.Length)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has shape [{string.Join(", ", l.ToArray())}]; the operation writes {expected}.");
        }
    }

    /// <summary>
    /// Rejects an index type whose largest value is below the convention's largest index over <paramref name="indexed"/>
    /// (for InWindow, the last tap <c>k - 1</c>): a check on the shape only, in 1-D words, before anything is written.
    /// </summary>
    internal static void IndexSpace1D<TIndex>(IndexConvention convention, Shape3D indexed, Pool1DGeometry geometry, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        Int128 largest = convention == IndexConvention.InWindow
            ? geometry.KernelSize - 1
            : IndexLayout.SpaceOf(convention, indexed.As4D()) - 1;
        if (largest > Guard.MaxOf<TIndex>())
        {
            ThrowHelper.ThrowArgument(
                paramName,
                convention == IndexConvention.InWindow
                    ? $"In convention InWindow the indices of a kernel of {geometry.KernelSize} taps are 0 to k - 1 = {largest}, beyond {typeof(TIndex).Name}.MaxValue = {Guard.MaxOf<TIndex>()}; use a wider index type for {paramName}."
                    : $"In convention {convention} the indices of {indexed} range up to {largest}, beyond {typeof(TIndex).Name}.MaxValue = {Guard.MaxOf<TIndex>()}; use a wider index type for {paramName}.");
        }
    }

    /// <summary>
    /// The backward pass of 1-D max pooling (ATen <c>max_pool1d_with_indices</c>'s gradient): the scatter-add of the
    /// output gradient through the indices into a zeroed gradient of the pooling input's length. The 2-D backward with
    /// height 1 (no copy); see
    /// <see cref="MaxPool2DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (sums use its <c>+</c>).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values, <paramref name="pooledShape"/>.</param>
    /// <param name="indices">The pooling's indices in <paramref name="indexConvention"/>.</param>
    /// <param name="pooledShape">The pooled shape <c>[N, C, oL]</c> (or <see cref="Shape3D.ChannelsLast"/>).</param>
    /// <param name="geometry">The pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the pooling input <c>[N, C, L]</c>; every element is written.</param>
    /// <param name="sourceLength">The pooling input's length; <paramref name="geometry"/> must pool it to
    /// <paramref name="pooledShape"/>'s length.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the geometry does not pool
    /// <paramref name="sourceLength"/> to the pooled length, the index type is too narrow, or the gradient overlaps an input.</exception>
    public static void MaxPool1DBackward<T, TIndex>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<TIndex> indices, Shape3D pooledShape, Pool1DGeometry geometry, Span<T> sourceGradient,
        int sourceLength, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ValidatePoolBackward1D<TIndex>(pooledShape, geometry, sourceLength, indexConvention);
        MaxPool2DBackward(outputGradient, indices, pooledShape.As4D(), geometry.As2D(), sourceGradient, new Size2D(1, sourceLength), indexConvention, options);
    }

    /// <summary>
    /// The backward pass of 1-D max pooling over rank-3 tensors of any strides; the pooling input's length is
    /// <paramref name="sourceGradient"/>'s. See
    /// <see cref="MaxPool1DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape3D, Pool1DGeometry, Span{T}, int, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values <c>[N, C, oL]</c>.</param>
    /// <param name="indices">The pooling's indices, same shape.</param>
    /// <param name="geometry">The pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the pooling input <c>[N, C, L]</c>.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void MaxPool1DBackward<T, TIndex>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<TIndex> indices, Pool1DGeometry geometry, in TensorSpan<T> sourceGradient,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D shape = GetShape1D(outputGradient, nameof(outputGradient), batched: false);
        Shape3D sourceShape = GetShape1D(sourceGradient.AsReadOnlyTensorSpan(), nameof(sourceGradient), batched: false);
        RequireSameShape1D(indices, shape, batched: false);
        if (sourceShape.Batch != shape.Batch || sourceShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(sourceGradient), $"Tensor sourceGradient has shape {sourceShape}; N and C must match outputGradient's {shape}.");
        }

        ValidatePoolBackward1D<TIndex>(shape, geometry, sourceShape.Length, indexConvention, nameof(outputGradient));
        MaxPool2DBackward(
            Tensor.Unsqueeze(outputGradient, 2), Tensor.Unsqueeze(indices, 2), geometry.As2D(), Tensor.Unsqueeze(sourceGradient, 2), indexConvention, options);
    }

    /// <summary>
    /// The backward pass of 1-D max pooling through its <see cref="Switches1D{TIndex}"/>: a new gradient of the pooling
    /// input's shape.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type of the switches.</typeparam>
    /// <param name="outputGradient">The gradient of the pooled values, of the switches' pooled shape.</param>
    /// <param name="switches">The pooling's switches.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the pooling input, <see cref="Switches1D{TIndex}.SourceShape"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell (the switches' tensor was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="outputGradient"/>'s shape is not the pooled shape.</exception>
    public static Tensor<T> MaxPool1DBackward<T, TIndex>(Tensor<T> outputGradient, Switches1D<TIndex> switches, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(switches);
        Shape3D shape = GetShape1D(outputGradient.AsReadOnlyTensorSpan(), nameof(outputGradient), batched: false);
        if (shape != switches.PooledShape)
        {
            ThrowHelper.ThrowArgument(nameof(outputGradient), $"Tensor outputGradient has shape {shape}; the switches are of a pooling to {switches.PooledShape}.");
        }

        Shape3D source = switches.SourceShape;
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(outputGradient.AsReadOnlyTensorSpan(), [source.Batch, source.Channels, source.Length]);
        MaxUnpool2DTensor(
            Tensor.Unsqueeze(outputGradient.AsReadOnlyTensorSpan(), 2), Tensor.Unsqueeze(switches.Indices.AsReadOnlyTensorSpan(), 2), shape.As4D(), switches.Geometry.As2D(),
            Tensor.Unsqueeze(result.AsTensorSpan(), 2), new Size2D(1, source.Length), switches.Convention, UnpoolReduction.Sum, options, nameof(switches), sizeFromPooling: true,
            writeTiled: true);
        return result;
    }

    /// <summary>
    /// The double backward of 1-D max pooling (ATen <c>max_pool_double_backward</c>): the gather
    /// <c>result[p] = sourceGradientGradient[cell named by indices[p]]</c>, of the pooled shape.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="sourceGradientGradient">The gradient of the backward's result, of the pooling input's shape.</param>
    /// <param name="indices">The pooling's indices.</param>
    /// <param name="pooledShape">The pooled shape.</param>
    /// <param name="geometry">The pooling geometry.</param>
    /// <param name="outputGradientGradient">Receives the result, <paramref name="pooledShape"/>.</param>
    /// <param name="sourceLength">The pooling input's length.</param>
    /// <param name="indexConvention">How an index names an input cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no input cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length or size does not match, the index type is too narrow, or the output
    /// overlaps an input.</exception>
    public static void MaxPool1DDoubleBackward<T, TIndex>(
        ReadOnlySpan<T> sourceGradientGradient, ReadOnlySpan<TIndex> indices, Shape3D pooledShape, Pool1DGeometry geometry, Span<T> outputGradientGradient,
        int sourceLength, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ValidatePoolBackward1D<TIndex>(pooledShape, geometry, sourceLength, indexConvention);
        MaxPool2DDoubleBackward(sourceGradientGradient, indices, pooledShape.As4D(), geometry.As2D(), outputGradientGradient, new Size2D(1, sourceLength), indexConvention, options);
    }

    /// <summary>The 1-D words of the max-pool backward's shape checks (the 2-D ones follow on the height-1 view).</summary>
    private static void ValidatePoolBackward1D<TIndex>(Shape3D pooledShape, Pool1DGeometry geometry, int sourceLength, IndexConvention indexConvention, string pooledName = "pooledShape")
        where TIndex : IBinaryInteger<TIndex>
    {
        pooledShape.Validate(pooledName, allowChannelsLast: true);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceLength);
        int pooled = geometry.GetOutputSize(sourceLength, nameof(geometry));
        if (pooled != pooledShape.Length)
        {
            ThrowHelper.ThrowArgument(pooledName, $"Pooling a length-{sourceLength} input with {geometry} gives length {pooled}; the pooled shape {pooledShape} does not match it.");
        }

        Guard.Convention(indexConvention, nameof(indexConvention));
        IndexSpace1D<TIndex>(indexConvention, pooledShape.WithLength(sourceLength), geometry, "indices");
    }
}
