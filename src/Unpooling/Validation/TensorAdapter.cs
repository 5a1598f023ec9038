using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>
/// Bridges <see cref="ReadOnlyTensorSpan{T}"/>/<see cref="TensorSpan{T}"/> to the span kernels. Dense row-major
/// tensors are used in place; strided ones are gathered into (or scattered from) a pooled buffer, so any tensor view
/// works and none allocates in steady state.
/// </summary>
internal static partial class TensorAdapter
{
    public static Shape4D GetShape<T>(in ReadOnlyTensorSpan<T> tensor, string paramName)
    {
        if (tensor.Rank != 4)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has rank {tensor.Rank}; a rank-4 [N, C, H, W] tensor is expected.");
        }

        ReadOnlySpan<nint> l = tensor.Lengths;
        for (int i = 0; i < 4; i++)
        {
            if (l[i] > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has a dimension of {l[i]}; each must be <= {int.MaxValue}.");
            }
        }

        var shape = new Shape4D((int)l[0], (int)l[1], (int)l[2], (int)l[3]);
        shape.Validate(paramName);
        return shape;
    }

    /// <summary>
    /// The <c>[N, C, H, W]</c> shape of a tensor that may hold more elements than a span (a batch over native memory),
    /// as long as each sample fits one: the tensor forms run a span-sized batch of samples at a time. A tensor that fits
    /// a span gets exactly <see cref="GetShape{T}"/>'s checks and messages.
    /// </summary>
    public static Shape4D GetBatchedShape<T>(in ReadOnlyTensorSpan<T> tensor, string paramName)
    {
        if (tensor.Rank != 4 || tensor.FlattenedLength <= Array.MaxLength)
        {
            return GetShape(tensor, paramName);
        }

        ReadOnlySpan<nint> l = tensor.Lengths;
        for (int d = 0; d < 4; d++)
        {
            if (l[d] > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has a dimension of {l[d]}; each must be <= {int.MaxValue}.");
            }
        }

        // Every length is positive here (the tensor holds more than a span), so only the sample size can be wrong.
        var shape = new Shape4D((int)l[0], (int)l[1], (int)l[2], (int)l[3]);
        RequireSampleFits(shape, paramName, "input");
        return shape;
    }

    /// <summary>Rejects a shape one of whose samples (<c>C*H*W</c> elements) no span holds.</summary>
    public static void RequireSampleFits(Shape4D shape, string paramName, string what)
    {
        // An empty batch holds no sample: nothing to fit (and nothing to run).
        if (shape.Batch > 0 && (Int128)shape.Channels * shape.Height * shape.Width > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Each {what} sample of {shape} holds C*H*W = {(Int128)shape.Channels * shape.Height * shape.Width} elements, more than a span can address ({Array.MaxLength}); a tensor may hold more elements than that in all, but each sample must fit.");
        }
    }

    /// <summary>
    /// Whole samples per run of a tensor form split by samples: about <paramref name="runElements"/> elements, at least
    /// one sample, at most the batch (<paramref name="sampleElements"/> is the larger of an input and an output sample).
    /// </summary>
    public static int SamplesPerRun(long runElements, long sampleElements, int batch)
        => (int)Math.Clamp(runElements / Math.Max(1, sampleElements), 1, Math.Max(1, batch));

    /// <summary>The slice ranges of samples <c>[n0, n0 + count)</c> of a rank-4 tensor.</summary>
    public static NRange[] Samples(int n0, int count) => [new NRange(n0, n0 + count), NRange.All, NRange.All, NRange.All];

    public static void RequireShape<T>(in TensorSpan<T> tensor, Shape4D expected, string paramName)
    {
        ReadOnlySpan<nint> l = tensor.Lengths;
        if (tensor.Rank != 4 || l[0] != expected.Batch || l[1] != expected.Channels || l[2] != expected.Height || l[3] != expected.Width)
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"Tensor {paramName} has shape [{string.Join(", ", l.ToArray())}]; the operation writes {expected}.");
        }
    }

    /// <summary>
    /// The shape of a destination whose spatial size the caller chose (unpooling): rank 4, with the source's N and C.
    /// </summary>
    public static Shape4D GetDestinationShape<T>(in TensorSpan<T> destination, Shape4D source, string paramName)
    {
        Shape4D shape = GetShape(destination.AsReadOnlyTensorSpan(), paramName);
        if (shape.Batch != source.Batch || shape.Channels != source.Channels)
        {
            ThrowHelper.ThrowArgument(paramName, $"Tensor {paramName} has shape {shape}; N and C must match source's {source}.");
        }

        return shape;
    }

    public static bool IsRowMajor(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides)
    {
        nint expected = 1;
        for (int i = lengths.Length - 1; i >= 0; i--)
        {
            if (lengths[i] == 0)
            {
                return true;
            }

            if (lengths[i] != 1 && strides[i] != expected)
            {
                return false;
            }

            expected *= lengths[i];
        }

        return true;
    }

    /// <summary>
    /// The tensor's elements as one dense span, for the duration of a <see langword="using"/> scope: a dense row-major
    /// tensor is viewed in place, a strided one is gathered into a pooled buffer that <c>Dispose</c> returns.
    /// </summary>
    public static ReadView<T> Read<T>(in ReadOnlyTensorSpan<T> tensor) => new(tensor);

    /// <summary>
    /// A dense span to write <paramref name="tensor"/>'s elements into: the tensor itself when it is dense row-major,
    /// else a pooled buffer that <see cref="WriteView{T}.Commit"/> scatters into the tensor and <c>Dispose</c>
    /// returns. A view disposed without <c>Commit</c> (an exception) leaves a strided tensor untouched.
    /// </summary>
    public static WriteView<T> Write<T>(in TensorSpan<T> tensor) => new(tensor);

    public static nint[] Lengths(Shape4D shape) => [shape.Batch, shape.Channels, shape.Height, shape.Width];
}

/// <summary>A tensor's elements as one dense span; see <see cref="TensorAdapter.Read{T}"/>.</summary>
internal ref struct ReadView<T>
{
    private T[]? _rented;

    public ReadView(in ReadOnlyTensorSpan<T> tensor)
    {
        int length = checked((int)tensor.FlattenedLength);
        if (length == 0)
        {
            Span = [];
        }
        else if (TensorAdapter.IsRowMajor(tensor.Lengths, tensor.Strides))
        {
            Span = MemoryMarshal.CreateReadOnlySpan(in tensor.GetPinnableReference(), length);
        }
        else
        {
            _rented = ArrayPool<T>.Shared.Rent(length);
            Span<T> flat = _rented.AsSpan(0, length);
            tensor.FlattenTo(flat);
            Span = flat;
        }
    }

    /// <summary>The elements in row-major order.</summary>
    public ReadOnlySpan<T> Span { get; }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<T>.Shared.Return(_rented);
            _rented = null;
        }
    }
}

/// <summary>A dense span that ends up in a tensor; see <see cref="TensorAdapter.Write{T}"/>.</summary>
internal ref struct WriteView<T>
{
    private readonly TensorSpan<T> _tensor;
    private T[]? _rented;

    public WriteView(in TensorSpan<T> tensor)
    {
        _tensor = tensor;
        int length = checked((int)tensor.FlattenedLength);
        if (length == 0)
        {
            Span = [];
        }
        else if (TensorAdapter.IsRowMajor(tensor.Lengths, tensor.Strides))
        {
            Span = MemoryMarshal.CreateSpan(ref tensor.GetPinnableReference(), length);
        }
        else
        {
            _rented = ArrayPool<T>.Shared.Rent(length);
            Span = _rented.AsSpan(0, length);
        }
    }

    /// <summary>Where the operation writes, in row-major order.</summary>
    public Span<T> Span { get; }

    /// <summary>Copies what was written into a strided tensor (nothing to do for a dense one).</summary>
    public readonly void Commit()
    {
        if (_rented is not null)
        {
            new ReadOnlyTensorSpan<T>(_rented.AsSpan(0, Span.Length), _tensor.Lengths).CopyTo(_tensor);
        }
    }

    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<T>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
