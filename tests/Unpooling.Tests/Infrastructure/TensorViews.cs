using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// Row-major strides over padded rows. A length-1 dimension gets stride 0: System.Numerics.Tensors 11 rejects some
    /// views whose length-1 dimension carries a full stride, although no element is ever reached through it.
    /// </summary>
    public nint[] Strides =>
    [
        shape.Batch == 1 ? 0 : (nint)shape.Channels * shape.Height * _pitch,
        shape.Channels == 1 ? 0 : (nint)shape.Height * _pitch,
        shape.Height == 1 ? 0 : _pitch,
        shape.Width == 1 ? 0 : 1,
    ];

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

/// <summary>How <see cref="TensorViews.View{T}"/> stores a logical <c>[N, C, H, W]</c> tensor.</summary>
public enum ViewLayout
{
    /// <summary>Stored <c>[N, H, W, C]</c>: a permuted view.</summary>
    ChannelsLast,

    /// <summary>Stored <c>[N, C, W, H]</c>: each plane transposed (W stride H, H stride 1).</summary>
    TransposedPlanes,

    /// <summary>The inside of a larger dense <c>[N+1, C+1, H+2, W+3]</c> tensor, cut out with <c>Slice</c>.</summary>
    Sliced,
}

/// <summary>Non-contiguous views of dense <c>[N, C, H, W]</c> data.</summary>
internal static class TensorViews
{
    /// <summary>
    /// Dense PyTorch <c>channels_last</c> strides of <c>[N, C, spatial...]</c> lengths (channels innermost, then the
    /// spatial axes), 0 on a length-1 axis (the form the library creates, and System.Numerics.Tensors accepts).
    /// </summary>
    public static nint[] ChannelsLastStrides(ReadOnlySpan<nint> lengths)
    {
        var strides = new nint[lengths.Length];
        nint step = lengths[1];
        strides[1] = lengths[1] == 1 ? 0 : 1;
        for (int i = lengths.Length - 1; i >= 2; i--)
        {
            strides[i] = lengths[i] == 1 ? 0 : step;
            step *= lengths[i];
        }

        strides[0] = lengths[0] == 1 ? 0 : step;
        return strides;
    }

    /// <summary>A view's elements in logical (row-major) order, read through its strides (any strides, any rank).</summary>
    public static T[] Logical<T>(in ReadOnlyTensorSpan<T> view)
    {
        ReadOnlySpan<nint> lengths = view.Lengths, strides = view.Strides;
        var result = new T[view.FlattenedLength];
        if (result.Length == 0)
        {
            return result;
        }

        long span = 1;
        for (int i = 0; i < lengths.Length; i++)
        {
            span += (lengths[i] - 1) * strides[i];
        }

        ReadOnlySpan<T> memory = MemoryMarshal.CreateReadOnlySpan(in view.GetPinnableReference(), checked((int)span));
        for (long k = 0; k < result.Length; k++)
        {
            long rest = k, offset = 0;
            for (int i = lengths.Length - 1; i >= 0; i--)
            {
                offset += rest % lengths[i] * strides[i];
                rest /= lengths[i];
            }

            result[k] = memory[(int)offset];
        }

        return result;
    }

    /// <summary>The same logical tensor as <paramref name="dense"/>, through a non-contiguous view in <paramref name="layout"/>.</summary>
    public static ReadOnlyTensorSpan<T> View<T>(T[] dense, Shape4D shape, ViewLayout layout)
    {
        int n = shape.Batch, c = shape.Channels, h = shape.Height, w = shape.Width;
        switch (layout)
        {
            case ViewLayout.ChannelsLast:
                return ChannelsLast(dense, shape);
            case ViewLayout.TransposedPlanes:
            {
                var storage = new T[dense.Length];
                for (int plane = 0; plane < n * c; plane++)
                {
                    for (int y = 0; y < h; y++)
                    {
                        for (int x = 0; x < w; x++)
                        {
                            storage[(((plane * w) + x) * h) + y] = dense[(((plane * h) + y) * w) + x];
                        }
                    }
                }

                return new ReadOnlyTensorSpan<T>(storage, Lengths(shape), [(nint)c * h * w, (nint)h * w, 1, h]);
            }

            default:
            {
                // The cells around the slice repeat the last element, so reading one of them shows up as a wrong value.
                int bc = c + 1, bh = h + 2, bw = w + 3;
                var storage = new T[(n + 1) * bc * bh * bw];
                storage.AsSpan().Fill(dense.Length > 0 ? dense[^1] : default!);
                for (int b = 0; b < n; b++)
                {
                    for (int ch = 0; ch < c; ch++)
                    {
                        for (int y = 0; y < h; y++)
                        {
                            dense.AsSpan((((((b * c) + ch) * h) + y) * w), w).CopyTo(storage.AsSpan((((((b * bc) + ch) * bh) + y + 1) * bw) + 2, w));
                        }
                    }
                }

                var big = new ReadOnlyTensorSpan<T>(storage, [n + 1, bc, bh, bw]);
                return big.Slice([new NRange(0, n), new NRange(0, c), new NRange(1, h + 1), new NRange(2, w + 2)]);
            }
        }
    }

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
