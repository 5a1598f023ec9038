using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling;

public static partial class Functional
{
    /// <summary>
    /// 1-D argmax unpooling (PyTorch <c>max_unpool1d</c>, ONNX <c>MaxUnpool</c> on one axis): every input value goes to
    /// the output cell its index names, in the <see cref="IndexConvention"/> pooling wrote, and every other cell is
    /// zero. It runs as
    /// <see cref="MaxUnpool2D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>
    /// on <c>[N, C, 1, L]</c> (the same memory, no copy), so every convention keeps its 2-D meaning with <c>h = 0</c>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>. Replace moves data;
    /// <see cref="UnpoolReduction.Sum"/> adds with the type's <c>+</c> in row-major input order (integer sums wrap;
    /// <see cref="decimal"/> throws <see cref="OverflowException"/> on overflow, after part of the destination is
    /// written).</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The pooled values, dense <c>[N, C, L]</c>.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, where the length is the output's,
    /// as <see cref="MaxPool1D{T, TIndex}(ReadOnlySpan{T}, Shape3D, Pool1DGeometry, Span{T}, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
    /// writes them; same length as <paramref name="source"/>.</param>
    /// <param name="sourceShape">The pooled shape <c>[N, C, L]</c>.</param>
    /// <param name="geometry">The pooling geometry being inverted (kernel size, stride, begin/end padding).</param>
    /// <param name="destination">Receives <c>[N, C, outL]</c>; every element is written.</param>
    /// <param name="outputSize">The output length; <see langword="null"/> for the default
    /// <c>(L-1)*s - pb - pe + k</c> (<see cref="Pool1DGeometry.GetUnpoolOutputSize(int)"/>). An explicit length must
    /// lie strictly between <c>default - stride</c> and <c>default + stride</c> (PyTorch's rule), even when the default
    /// itself is below 1; indices are read in that length.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default (see the 2-D operator for
    /// each convention's valid range; InWindow taps must name a cell of their own window inside the output).</param>
    /// <param name="reduction">How inputs naming one cell combine: <see cref="UnpoolReduction.Replace"/> (the last in
    /// row-major input order wins) or <see cref="UnpoolReduction.Sum"/> (the max-pool backward pass).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>Every index is checked before anything is written; a bad one is reported with the 2-D operator's
    /// message (its plane is <c>1 x outL</c>) under <paramref name="indices"/>. The span form allocates nothing.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index lies outside its valid range (the message names its
    /// position and value), or <paramref name="indexConvention"/> or <paramref name="reduction"/> is undefined. Nothing
    /// is written.</exception>
    /// <exception cref="ArgumentException">A length does not match its shape, the output length is out of range,
    /// <typeparamref name="TIndex"/> cannot hold the convention's largest index, or <paramref name="destination"/>
    /// overlaps an input.</exception>
    public static void MaxUnpool1D<T, TIndex>(
        ReadOnlySpan<T> source, ReadOnlySpan<TIndex> indices, Shape3D sourceShape, Pool1DGeometry geometry, Span<T> destination,
        int? outputSize = null, IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace,
        ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // The checks of the 2-D validation, in its order and in 1-D words; the 2-D core repeats them on the exact size.
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Length(source.Length, sourceShape.ElementCount, nameof(source), "N*C*L of", sourceShape);
        Guard.Length(indices.Length, sourceShape.ElementCount, nameof(indices), "N*C*L of", sourceShape);
        Guard.Convention(indexConvention, nameof(indexConvention));
        Shape3D outputShape = sourceShape.WithLength(ResolveUnpool1DLength(geometry, sourceShape.Length, outputSize, nameof(geometry), nameof(outputSize)));
        outputShape.Validate(nameof(outputSize), allowChannelsLast: true);
        IndexSpace1D<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        RequireReduction(reduction);
        Guard.Length(destination.Length, outputShape.ElementCount, nameof(destination), "N*C*outL of", outputShape);
        MaxUnpool2DCore(
            source, indices, sourceShape.As4D(), geometry.As2D(), destination, indexConvention, new Size2D(1, outputShape.Length), reduction, options,
            nameof(outputSize), sizeFromPooling: true);
    }

    /// <summary>
    /// 1-D argmax unpooling over rank-3 tensors of any strides, run as the 2-D tensor form on rank-4 views
    /// <c>[N, C, 1, L]</c> of the same memory; the output length is <paramref name="destination"/>'s, which must obey the
    /// explicit-size rule of
    /// <see cref="MaxUnpool1D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape3D, Pool1DGeometry, Span{T}, int?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The pooled values <c>[N, C, L]</c>.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, same shape as
    /// <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="destination">Receives <c>[N, C, outL]</c>.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <remarks>As in the 2-D form: the tensors may hold more than a span in all as long as each sample fits one.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or an enum is undefined; nothing is
    /// written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, the output length is out of range, a
    /// sample exceeds a span, or the tensors overlap.</exception>
    public static void MaxUnpool1D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool1DGeometry geometry, in TensorSpan<T> destination,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D shape = GetShape1D(source, nameof(source), batched: true);
        RequireSameShape1D(indices, shape, batched: true);
        Shape3D outputShape = GetShape1D(destination.AsReadOnlyTensorSpan(), nameof(destination), batched: true);
        if (outputShape.Batch != shape.Batch || outputShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(destination), $"Tensor destination has shape {outputShape}; N and C must match source's {shape}.");
        }

        Guard.Convention(indexConvention, nameof(indexConvention));
        _ = ResolveUnpool1DLength(geometry, shape.Length, outputShape.Length, nameof(geometry), nameof(destination));
        IndexSpace1D<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        RequireReduction(reduction);
        MaxUnpool2D(Tensor.Unsqueeze(source, 2), Tensor.Unsqueeze(indices, 2), geometry.As2D(), Tensor.Unsqueeze(destination, 2), indexConvention, reduction, options);
    }

    /// <summary>
    /// 1-D argmax unpooling into a new tensor; see
    /// <see cref="MaxUnpool1D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape3D, Pool1DGeometry, Span{T}, int?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>.
    /// When the indices come from this library's pooling,
    /// <see cref="MaxUnpool1D{T, TIndex}(Tensor{T}, Switches1D{TIndex}, UnpoolReduction, ExecutionOptions)"/> needs no
    /// length.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type: any <see cref="IBinaryInteger{TSelf}"/> whose largest value holds the
    /// convention's largest index.</typeparam>
    /// <param name="source">The rank-3 pooled values, any strides.</param>
    /// <param name="indices">Output positions in <paramref name="indexConvention"/>, same shape as
    /// <paramref name="source"/>.</param>
    /// <param name="geometry">The pooling geometry being inverted.</param>
    /// <param name="outputSize">The output length, or <see langword="null"/> for the default.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="reduction">How inputs naming one cell combine.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor <c>[N, C, outL]</c>.</returns>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range, or an enum is undefined.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the output length is out of range.</exception>
    public static Tensor<T> MaxUnpool1D<T, TIndex>(
        Tensor<T> source, Tensor<TIndex> indices, Pool1DGeometry geometry, int? outputSize = null,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(indices);
        return MaxUnpool1D(source.AsReadOnlyTensorSpan(), indices.AsReadOnlyTensorSpan(), geometry, outputSize, indexConvention, reduction, options);
    }

    /// <inheritdoc cref="MaxUnpool1D{T, TIndex}(Tensor{T}, Tensor{TIndex}, Pool1DGeometry, int?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>
    public static Tensor<T> MaxUnpool1D<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Pool1DGeometry geometry, int? outputSize = null,
        IndexConvention indexConvention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D shape = GetShape1D(source, nameof(source), batched: false);
        RequireSameShape1D(indices, shape, batched: false);
        Guard.Convention(indexConvention, nameof(indexConvention));
        int length = ResolveUnpool1DLength(geometry, shape.Length, outputSize, nameof(geometry), nameof(outputSize));
        return MaxUnpool1DAllocating(source, indices, shape, geometry, length, indexConvention, reduction, options, nameof(outputSize), sizeFromPooling: false);
    }

    /// <summary>
    /// 1-D argmax unpooling through the <see cref="Switches1D{TIndex}"/> of a pooling: every value goes back to where its
    /// maximum came from, in a new tensor of the pooling input's length, zeros elsewhere (also for ceil mode, padding and
    /// dilation).
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type of the switches.</typeparam>
    /// <param name="source">The pooled values (or any tensor of the pooled shape).</param>
    /// <param name="switches">The pooling's switches; their <see cref="Switches1D{TIndex}.PooledShape"/> must be
    /// <paramref name="source"/>'s shape.</param>
    /// <param name="reduction">How inputs naming one cell combine (they do only for overlapping windows).</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The unpooled tensor, <see cref="Switches1D{TIndex}.SourceShape"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (the switches' tensor was changed; named
    /// <c>switches</c>), or <paramref name="reduction"/> is undefined.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/>'s shape is not the pooled shape.</exception>
    public static Tensor<T> MaxUnpool1D<T, TIndex>(Tensor<T> source, Switches1D<TIndex> switches, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(source);
        return MaxUnpool1D(source.AsReadOnlyTensorSpan(), switches, reduction, options);
    }

    /// <inheritdoc cref="MaxUnpool1D{T, TIndex}(Tensor{T}, Switches1D{TIndex}, UnpoolReduction, ExecutionOptions)"/>
    public static Tensor<T> MaxUnpool1D<T, TIndex>(in ReadOnlyTensorSpan<T> source, Switches1D<TIndex> switches, UnpoolReduction reduction = UnpoolReduction.Replace, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(switches);
        Shape3D shape = GetShape1D(source, nameof(source), batched: false);
        if (shape != switches.PooledShape)
        {
            ThrowHelper.ThrowArgument(nameof(source), $"Tensor source has shape {shape}; the switches are of a pooling to {switches.PooledShape}.");
        }

        return MaxUnpool1DAllocating(
            source, switches.Indices.AsReadOnlyTensorSpan(), shape, switches.Geometry, switches.SourceLength, switches.Convention, reduction, options, nameof(switches), sizeFromPooling: true);
    }

    /// <summary>
    /// The unpooled length: the default <c>(L-1)*s - pb - pe + k</c> (which must be valid) when <paramref name="requested"/>
    /// is <see langword="null"/>, else the request judged by PyTorch's rule against the default taken in 64 bits.
    /// </summary>
    private static int ResolveUnpool1DLength(Pool1DGeometry geometry, int pooledLength, int? requested, string paramName, string outputSizeName)
    {
        if (requested is not { } length)
        {
            return geometry.GetUnpoolOutputSize(pooledLength, paramName);
        }

        geometry.ThrowIfDefault(paramName);
        long defaultLength = AxisMath.UnpoolDefault(pooledLength, geometry.KernelSize, geometry.Stride, geometry.PaddingBegin, geometry.PaddingEnd);
        UnpoolSize.Resolve(defaultLength, geometry.Stride, length, "length", length, outputSizeName);
        return length;
    }

    /// <summary>Rejects an <see cref="UnpoolReduction"/> value that names no reduction (every unpooling form and layer).</summary>
    internal static void RequireReduction(UnpoolReduction reduction)
    {
        if (reduction is not (UnpoolReduction.Replace or UnpoolReduction.Sum))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(reduction), reduction, $"Reduction {reduction} is not defined; use Replace or Sum.");
        }
    }

    private static void RequireSameShape1D<TIndex>(in ReadOnlyTensorSpan<TIndex> indices, Shape3D shape, bool batched)
    {
        Shape3D indexShape = GetShape1D(indices, nameof(indices), batched);
        if (indexShape != shape)
        {
            ThrowHelper.ThrowArgument(nameof(indices), $"Tensor indices has shape {indexShape}; it must match source's {shape}.");
        }
    }

    private static Tensor<T> MaxUnpool1DAllocating<T, TIndex>(
        in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<TIndex> indices, Shape3D shape, Pool1DGeometry geometry, int length,
        IndexConvention indexConvention, UnpoolReduction reduction, ExecutionOptions options, string sizeName, bool sizeFromPooling)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D outputShape = shape.WithLength(length);
        outputShape.Validate(sizeName);
        Guard.Convention(indexConvention, nameof(indexConvention));
        IndexSpace1D<TIndex>(indexConvention, outputShape, geometry, sizeFromPooling ? sizeName : nameof(indices));
        RequireReduction(reduction);
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(source, [outputShape.Batch, outputShape.Channels, outputShape.Length]);
        MaxUnpool2DTensor(
            Tensor.Unsqueeze(source, 2), Tensor.Unsqueeze(indices, 2), shape.As4D(), geometry.As2D(), Tensor.Unsqueeze(result.AsTensorSpan(), 2),
            new Size2D(1, length), indexConvention, reduction, options, sizeName, sizeFromPooling);
        return result;
    }

    /// <summary>
    /// The backward pass of 1-D argmax unpooling: the gather through the indices,
    /// <c>sourceGradient[p] = outputGradient[cell named by indices[p]]</c> (PyTorch's <c>max_unpool1d</c> gradient); the
    /// 2-D gather with height 1. See
    /// <see cref="MaxUnpool2DBackward{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D?, IndexConvention, ExecutionOptions)"/>.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/> (a gather: exact).</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output <c>[N, C, outL]</c>.</param>
    /// <param name="indices">The forward's indices, laid out as <paramref name="sourceShape"/>.</param>
    /// <param name="sourceShape">The forward's pooled source shape <c>[N, C, L]</c>.</param>
    /// <param name="geometry">The forward's pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source; every element is written.</param>
    /// <param name="outputSize">The forward's output length, or <see langword="null"/> for the default.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A length or size is wrong, the index type is too narrow, or the gradient
    /// overlaps an input.</exception>
    public static void MaxUnpool1DBackward<T, TIndex>(
        ReadOnlySpan<T> outputGradient, ReadOnlySpan<TIndex> indices, Shape3D sourceShape, Pool1DGeometry geometry, Span<T> sourceGradient,
        int? outputSize = null, IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        sourceShape.Validate(nameof(sourceShape), allowChannelsLast: true);
        Guard.Convention(indexConvention, nameof(indexConvention));
        int length = ResolveUnpool1DLength(geometry, sourceShape.Length, outputSize, nameof(geometry), nameof(outputSize));
        Shape3D outputShape = sourceShape.WithLength(length);
        outputShape.Validate(nameof(outputSize), allowChannelsLast: true);
        IndexSpace1D<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        MaxUnpool2DBackward(outputGradient, indices, sourceShape.As4D(), geometry.As2D(), sourceGradient, new Size2D(1, length), indexConvention, options);
    }

    /// <summary>
    /// The backward pass of 1-D argmax unpooling over rank-3 tensors of any strides; the forward's output length is
    /// <paramref name="outputGradient"/>'s.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output <c>[N, C, outL]</c>.</param>
    /// <param name="indices">The forward's indices <c>[N, C, L]</c>.</param>
    /// <param name="geometry">The forward's pooling geometry.</param>
    /// <param name="sourceGradient">Receives the gradient of the forward's source <c>[N, C, L]</c>.</param>
    /// <param name="indexConvention">How an index names an output cell; per plane by default.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell, or an enum is undefined; nothing is written.</exception>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or the tensors overlap.</exception>
    public static void MaxUnpool1DBackward<T, TIndex>(
        in ReadOnlyTensorSpan<T> outputGradient, in ReadOnlyTensorSpan<TIndex> indices, Pool1DGeometry geometry, in TensorSpan<T> sourceGradient,
        IndexConvention indexConvention = IndexConvention.PerPlane, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Shape3D outputShape = GetShape1D(outputGradient, nameof(outputGradient), batched: false);
        Shape3D shape = GetShape1D(sourceGradient.AsReadOnlyTensorSpan(), nameof(sourceGradient), batched: false);
        RequireSameShape1D(indices, shape, batched: false);
        if (outputShape.Batch != shape.Batch || outputShape.Channels != shape.Channels)
        {
            ThrowHelper.ThrowArgument(nameof(outputGradient), $"Tensor outputGradient has shape {outputShape}; N and C must match the pooled {shape}.");
        }

        Guard.Convention(indexConvention, nameof(indexConvention));
        _ = ResolveUnpool1DLength(geometry, shape.Length, outputShape.Length, nameof(geometry), nameof(outputGradient));
        IndexSpace1D<TIndex>(indexConvention, outputShape, geometry, nameof(indices));
        MaxUnpool2DBackward(
            Tensor.Unsqueeze(outputGradient, 2), Tensor.Unsqueeze(indices, 2), geometry.As2D(), Tensor.Unsqueeze(sourceGradient, 2), indexConvention, options);
    }

    /// <summary>
    /// The backward pass of <see cref="MaxUnpool1D{T, TIndex}(Tensor{T}, Switches1D{TIndex}, UnpoolReduction, ExecutionOptions)"/>:
    /// a new gradient of the switches' pooled shape.
    /// </summary>
    /// <typeparam name="T">The element type: any <see cref="INumberBase{TSelf}"/>.</typeparam>
    /// <typeparam name="TIndex">The index type of the switches.</typeparam>
    /// <param name="outputGradient">The gradient of the unpooled output, of the switches' <see cref="Switches1D{TIndex}.SourceShape"/>.</param>
    /// <param name="switches">The switches the forward unpooled through.</param>
    /// <param name="options">Threading; results never depend on it.</param>
    /// <returns>The gradient of the forward's source, <see cref="Switches1D{TIndex}.PooledShape"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index names no cell (the switches' tensor was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="outputGradient"/>'s shape is not the switches' source shape.</exception>
    public static Tensor<T> MaxUnpool1DBackward<T, TIndex>(Tensor<T> outputGradient, Switches1D<TIndex> switches, ExecutionOptions options = default)
        where T : unmanaged, INumberBase<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(switches);
        Shape3D shape = GetShape1D(outputGradient.AsReadOnlyTensorSpan(), nameof(outputGradient), batched: false);
        if (shape != switches.SourceShape)
        {
            ThrowHelper.ThrowArgument(nameof(outputGradient), $"Tensor outputGradient has shape {shape}; the switches index a {switches.SourceShape} tensor.");
        }

        Shape3D pooled = switches.PooledShape;
        Tensor<T> result = TensorAdapter.CreateLike<T, T>(outputGradient.AsReadOnlyTensorSpan(), [pooled.Batch, pooled.Channels, pooled.Length]);
        IndexGather2DTensor(
            Tensor.Unsqueeze(outputGradient.AsReadOnlyTensorSpan(), 2), Tensor.Unsqueeze(switches.Indices.AsReadOnlyTensorSpan(), 2), pooled.As4D(),
            new Size2D(1, switches.SourceLength), switches.Geometry.As2D(), Tensor.Unsqueeze(result.AsTensorSpan(), 2), switches.Convention, options, nameof(switches));
        return result;
    }
}
