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
}
