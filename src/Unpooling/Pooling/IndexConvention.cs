namespace Unpooling;

/// <summary>
/// How an arg-max index names a cell <c>(n, c, h, w)</c> of the indexed tensor <c>[N, C, H, W]</c>: the max-pooling
/// input, or the argmax-unpooling output. <c>H</c> and <c>W</c> are that tensor's spatial size.
/// </summary>
/// <remarks>
/// <para>Every convention but <see cref="InWindow"/> is the row-major offset of the cell in some order of the axes, with
/// the sample (and the channel) left out where the index is relative to the element's own sample (plane); InWindow is
/// the tap inside the element's own pooling window. The conventions describe positions only: the memory layout of the
/// tensors passed to an operator plays no part.</para>
/// <para>For an element of the pooled tensor at <c>(n, c, i, j)</c>, a per-plane index names a cell of plane
/// <c>(n, c)</c> and a per-sample index a cell of sample <c>n</c>; the global conventions can name any cell (ONNX's
/// <c>MaxUnpool</c> allows that); an in-window index names a cell of the element's own window.
/// <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>
/// converts between the first five; <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, Pool2DGeometry, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>,
/// given the pooling geometry, between any two.</para>
/// </remarks>
public enum IndexConvention
{
    /// <summary>
    /// <c>h*W + w</c>, within the element's own plane <c>(n, c)</c>. PyTorch (<c>max_pool2d(return_indices=True)</c>,
    /// <c>max_unpool2d</c>), Caffe-SegNet and DiffSharp use it; it is the default.
    /// </summary>
    PerPlane = 0,

    /// <summary>
    /// <c>((n*C + c)*H + h)*W + w</c>, over the whole tensor. ONNX <c>MaxPool</c> (storage_order 0) and
    /// <c>MaxUnpool</c>, as ONNX Runtime computes them.
    /// </summary>
    GlobalRowMajor = 1,

    /// <summary>
    /// <c>(n*C + c)*H*W + h + w*H</c>: planes in row-major order, each plane read column by column. ONNX
    /// <c>MaxPool</c> with storage_order 1.
    /// </summary>
    GlobalColumnMajor = 2,

    /// <summary>
    /// <c>(h*W + w)*C + c</c>, within the element's own sample <c>n</c>: the channels-last offset without the batch.
    /// TensorFlow <c>max_pool_with_argmax</c> (include_batch_in_index false).
    /// </summary>
    ChannelsLastPerSample = 3,

    /// <summary>
    /// <c>((n*H + h)*W + w)*C + c</c>: the channels-last offset over the whole tensor. TensorFlow
    /// <c>max_pool_with_argmax</c> with include_batch_in_index true.
    /// </summary>
    ChannelsLastWithBatch = 4,

    /// <summary>
    /// <c>kh*kW + kw</c>: the tap number inside the element's own pooling window (kernel row <c>kh</c>, kernel column
    /// <c>kw</c>, counted in kernel taps, so dilation and padding do not change it). oneDNN's workspace and XNNPACK's
    /// arg-max use this compact form; valid indices are <c>[0, kH*kW)</c>, so one <see cref="byte"/> holds every window
    /// up to 16x16. Reading or writing it needs the pooling geometry as well as the indexed size.
    /// </summary>
    InWindow = 5,
}
