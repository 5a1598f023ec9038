using System.Numerics.Tensors;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// A rank-4 tensor destination laid out with <paramref name="rowPadding"/> unused elements after every row, inside a
/// guarded buffer: the view is non-contiguous whenever the padding is non-zero, and the padding cells and guards must
/// stay untouched by any write through the view.
/// </summary>
internal sealed class PaddedTensor<T>(Shape4D shape, int rowPadding)
    where T : unmanaged
{
    private readonly int _pitch = shape.Width + rowPadding;

    public Shape4D Shape => shape;

    public GuardedBuffer<T> Buffer { get; } = new(shape.Batch * shape.Channels * shape.Height * (shape.Width + rowPadding));

    public nint[] Lengths => [shape.Batch, shape.Channels, shape.Height, shape.Width];

    public nint[] Strides => [(nint)shape.Channels * shape.Height * _pitch, (nint)shape.Height * _pitch, _pitch, 1];

    public TensorSpan<T> View => new(Buffer.Array, GuardedBuffer<T>.GuardLength, Lengths, Strides);

    /// <summary>The logical elements in row-major order.</summary>
    public T[] Read()
    {
        var result = new T[shape.Batch * shape.Channels * shape.Height * shape.Width];
        for (int row = 0; row < shape.Batch * shape.Channels * shape.Height; row++)
        {
            Buffer.Span.Slice(row * _pitch, shape.Width).CopyTo(result.AsSpan(row * shape.Width));
        }

        return result;
    }

    /// <summary>Asserts the guards and every padding cell still hold the sentinel.</summary>
    public void AssertPaddingUntouched(string context)
    {
        Buffer.AssertGuardsIntact(context);
        for (int i = 0; i < Buffer.Length; i++)
        {
            Assert.True(i % _pitch < shape.Width || Buffer.IsSentinel(i), $"{context}: row padding element {i} was written");
        }
    }
}

/// <summary>Non-contiguous views of dense <c>[N, C, H, W]</c> data.</summary>
internal static class TensorViews
{
    public static nint[] Lengths(Shape4D shape) => [shape.Batch, shape.Channels, shape.Height, shape.Width];

    /// <summary>
    /// The same logical tensor stored channels-last (<c>[N, H, W, C]</c> in memory) and viewed as <c>[N, C, H, W]</c>
    /// through explicit strides: a permuted, non-contiguous view.
    /// </summary>
    public static ReadOnlyTensorSpan<T> ChannelsLast<T>(T[] dense, Shape4D shape)
    {
        int n = shape.Batch, c = shape.Channels, h = shape.Height, w = shape.Width;
        var storage = new T[dense.Length];
        for (int b = 0; b < n; b++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        storage[(((((b * h) + y) * w) + x) * c) + ch] = dense[(((((b * c) + ch) * h) + y) * w) + x];
                    }
                }
            }
        }

        return new ReadOnlyTensorSpan<T>(storage, Lengths(shape), [(nint)h * w * c, 1, (nint)w * c, c]);
    }
}
