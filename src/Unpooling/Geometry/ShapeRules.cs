namespace Unpooling.Internal;

/// <summary>The checks every shape of every rank runs, with one wording; the shape is formatted only on failure (the
/// span forms validate on every call and must not allocate).</summary>
internal static class ShapeRules
{
    public static void Validate<TShape>(in TShape shape, int batch, int channels, bool spatialValid, Int128 count, TensorLayout layout, bool allowChannelsLast, string paramName)
        where TShape : struct
    {
        if (batch < 0 || channels < 0 || !spatialValid)
        {
            ThrowHelper.ThrowArgument(paramName, $"Shape {shape} is invalid: N and C must be >= 0 and every spatial size must be >= 1.");
        }

        if ((uint)layout > (uint)TensorLayout.ChannelsLast)
        {
            ThrowHelper.ThrowArgument(paramName, $"Shape {shape} has an undefined layout ({(int)layout}); use ChannelsFirst or ChannelsLast.");
        }

        if (layout == TensorLayout.ChannelsLast && !allowChannelsLast)
        {
            ThrowHelper.ThrowArgument(paramName, $"Shape {shape} is channels-last, which this operator does not take; pass a channels-first shape.");
        }

        // The caller multiplies in 128 bits: the 64-bit product of four or five ints can wrap and look small.
        if (count > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument(paramName, $"Shape {shape} holds {count} elements, more than a span can address ({Array.MaxLength}).");
        }
    }

    /// <summary>The logical lengths <c>[N, C, spatial...]</c> of a shape as a new array (what a TensorSpan of it has).</summary>
    public static nint[] Lengths(ReadOnlySpan<int> dims)
    {
        var lengths = new nint[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            lengths[i] = dims[i];
        }

        return lengths;
    }

    /// <summary>
    /// The element strides, in logical order, of dense memory of <paramref name="dims"/> stored in <paramref name="layout"/>:
    /// row-major for channels-first, PyTorch's <c>channels_last</c> for channels-last (with stride 0 on the length-1 axes,
    /// as <see cref="TensorAdapter.ChannelsLastStrides(ReadOnlySpan{nint}, Span{nint})"/> writes them). An empty shape
    /// has all strides 0 (System.Numerics.Tensors refuses others over no memory).
    /// </summary>
    public static nint[] Strides(ReadOnlySpan<int> dims, TensorLayout layout)
    {
        nint[] lengths = Lengths(dims);
        var strides = new nint[dims.Length];
        if (layout == TensorLayout.ChannelsLast)
        {
            TensorAdapter.ChannelsLastStrides(lengths, strides);
            return strides;
        }

        if (lengths.AsSpan().Contains(0))
        {
            return strides;
        }

        // The products fit: the caller validated the element count against Array.MaxLength.
        nint step = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = lengths[i] == 1 ? 0 : step;
            step *= lengths[i];
        }

        return strides;
    }

    /// <summary>Reads as many tensor lengths as <paramref name="dims"/> holds into <paramref name="dims"/>, refusing another count or a length outside <c>[0, int.MaxValue]</c>.</summary>
    public static void FromLengths(ReadOnlySpan<nint> lengths, Span<int> dims, string layoutName, string paramName)
    {
        if (lengths.Length != dims.Length)
        {
            ThrowHelper.ThrowArgument(paramName, $"{lengths.Length} lengths were given; a {layoutName} shape has {dims.Length}.");
        }

        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] < 0 || lengths[i] > int.MaxValue)
            {
                ThrowHelper.ThrowArgument(paramName, $"Length {lengths[i]} at axis {i} is outside [0, {int.MaxValue}].");
            }

            dims[i] = (int)lengths[i];
        }
    }
}
