using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Conv;

/// <summary>
/// Zero insertion and strided subsample move elements and write zeros, nothing else, so they take any unmanaged type
/// (SEMANTICS.md 4): <c>z[n, c, i*sh, j*sw] = x[n, c, i, j]</c> and <c>default(T)</c> (all zero bytes) elsewhere, size
/// <c>(i-1)*s + 1</c>; <c>x[i] = z[i*s]</c> back. The inputs are random bytes, so every bit pattern of the type (NaNs
/// included) must arrive unchanged; comparisons are byte for byte. Span, strided tensor and allocating forms, on one
/// thread and split over three.
/// </summary>
public abstract class ZeroInsert2DAnyTypeTests<T>
    where T : unmanaged
{
    private static readonly Shape4D Compact = new(2, 3, 4, 5);

    public static TheoryData<int, int> Strides => new() { { 1, 1 }, { 2, 2 }, { 3, 1 }, { 1, 4 }, { 2, 3 } };

    [Theory]
    [MemberData(nameof(Strides))]
    public void ZeroInsertionPlacesEachElementAtIndexTimesStride(int sh, int sw)
    {
        var stride = new Size2D(sh, sw);
        T[] x = RandomElements((int)Compact.ElementCount, (sh * 10) + sw);
        (T[] expected, Shape4D zs) = Insert(x, stride);
        Assert.Equal(new Shape4D(2, 3, (3 * sh) + 1, (4 * sw) + 1), zs);
        foreach (ExecutionOptions options in new[] { ExecutionOptions.SingleThreaded, new ExecutionOptions { MaxDegreeOfParallelism = 3, MinParallelElements = 0 } })
        {
            string context = $"{typeof(T).Name} zero insertion stride {stride} ({options})";
            var z = new GuardedBuffer<T>((int)zs.ElementCount);
            Functional.ZeroInsert2D(x, Compact, stride, z.Span, options);
            z.AssertGuardsIntact(context);
            AssertSameBytes(expected, z.Span, context);

            var padded = new PaddedTensor<T>(zs, 2);
            Functional.ZeroInsert2D(TensorViews.ChannelsLast(x, Compact), stride, padded.View, options);
            padded.AssertPaddingUntouched($"{context}, tensor");
            AssertSameBytes(expected, padded.Read(), $"{context}, channels-last source, padded destination");

            Tensor<T> allocated = Functional.ZeroInsert2D(Tensor.Create(x, TensorViews.Lengths(Compact)), stride, options);
            Assert.Equal(TensorViews.Lengths(zs), allocated.Lengths.ToArray());
            AssertSameBytes(expected, allocated.ToArray(), $"{context}, allocating");
            AssertSameBytes(expected, Functional.ZeroInsert2D(TensorViews.ChannelsLast(x, Compact), stride, options).ToArray(), $"{context}, allocating from a view");
        }
    }

    [Theory]
    [MemberData(nameof(Strides))]
    public void SubsampleKeepsEveryStrideCell(int sh, int sw)
    {
        var stride = new Size2D(sh, sw);
        // 7x10 planes: the stride does not divide every size, so the last kept row or column is not the last one.
        var zs = new Shape4D(2, 3, 7, 10);
        T[] z = RandomElements((int)zs.ElementCount, (sh * 10) + sw + 100);
        var xs = new Shape4D(2, 3, (6 / sh) + 1, (9 / sw) + 1);
        var expected = new T[xs.ElementCount];
        for (int plane = 0; plane < 6; plane++)
        {
            for (int i = 0; i < xs.Height; i++)
            {
                for (int j = 0; j < xs.Width; j++)
                {
                    expected[(((plane * xs.Height) + i) * xs.Width) + j] = z[(((plane * 7) + (i * sh)) * 10) + (j * sw)];
                }
            }
        }

        foreach (ExecutionOptions options in new[] { ExecutionOptions.SingleThreaded, new ExecutionOptions { MaxDegreeOfParallelism = 3, MinParallelElements = 0 } })
        {
            string context = $"{typeof(T).Name} subsample stride {stride} ({options})";
            var x = new GuardedBuffer<T>((int)xs.ElementCount);
            Functional.StridedSubsample2D(z, zs, stride, x.Span, options);
            x.AssertGuardsIntact(context);
            AssertSameBytes(expected, x.Span, context);

            var padded = new PaddedTensor<T>(xs, 1);
            Functional.StridedSubsample2D(TensorViews.ChannelsLast(z, zs), stride, padded.View, options);
            padded.AssertPaddingUntouched($"{context}, tensor");
            AssertSameBytes(expected, padded.Read(), $"{context}, channels-last source, padded destination");
            AssertSameBytes(expected, Functional.StridedSubsample2D(Tensor.Create(z, TensorViews.Lengths(zs)), stride, options).ToArray(), $"{context}, allocating");
        }

        // And back: subsample(zero insert(x)) = x.
        T[] source = RandomElements((int)Compact.ElementCount, (sh * 10) + sw + 200);
        (T[] inserted, Shape4D insertedShape) = Insert(source, stride);
        var back = new T[Compact.ElementCount];
        Functional.StridedSubsample2D(inserted, insertedShape, stride, back);
        AssertSameBytes(source, back, $"{typeof(T).Name} subsample(zero insert(x)) stride {stride}");
    }

    /// <summary>The definition: all zero bytes, then <c>z[i*s] = x[i]</c> per plane.</summary>
    private static (T[] Z, Shape4D Shape) Insert(T[] x, Size2D s)
    {
        var zs = new Shape4D(Compact.Batch, Compact.Channels, ((Compact.Height - 1) * s.Height) + 1, ((Compact.Width - 1) * s.Width) + 1);
        var z = new T[zs.ElementCount];
        for (int plane = 0; plane < 6; plane++)
        {
            for (int i = 0; i < Compact.Height; i++)
            {
                for (int j = 0; j < Compact.Width; j++)
                {
                    z[(((plane * zs.Height) + (i * s.Height)) * zs.Width) + (j * s.Width)] = x[(((plane * Compact.Height) + i) * Compact.Width) + j];
                }
            }
        }

        return (z, zs);
    }

    /// <summary>Random bytes, none of the elements all-zero (so a moved element never looks like a written zero).</summary>
    private static T[] RandomElements(int length, int seed)
    {
        var random = new Random(seed);
        var data = new T[length];
        Span<byte> bytes = MemoryMarshal.AsBytes(data.AsSpan());
        random.NextBytes(bytes);
        int size = bytes.Length / length;
        for (int i = 0; i < length; i++)
        {
            bytes[i * size] |= 1;
        }

        return data;
    }

    private static void AssertSameBytes(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (!MemoryMarshal.AsBytes(expected.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.Slice(i, 1))))
            {
                Assert.Fail($"{context}: element {i} is 0x{Convert.ToHexString(MemoryMarshal.AsBytes(actual.Slice(i, 1)))}, expected 0x{Convert.ToHexString(MemoryMarshal.AsBytes(expected.Slice(i, 1)))}.");
            }
        }
    }
}

/// <summary>A 3-byte pixel: an element size no vector divides.</summary>
public readonly record struct Rgb24(byte R, byte G, byte B);

public sealed class ZeroInsert2DByteTests : ZeroInsert2DAnyTypeTests<byte>;

public sealed class ZeroInsert2DInt16Tests : ZeroInsert2DAnyTypeTests<short>;

public sealed class ZeroInsert2DInt32Tests : ZeroInsert2DAnyTypeTests<int>;

public sealed class ZeroInsert2DHalfTests : ZeroInsert2DAnyTypeTests<Half>;

public sealed class ZeroInsert2DInt128Tests : ZeroInsert2DAnyTypeTests<Int128>;

public sealed class ZeroInsert2DRgb24Tests : ZeroInsert2DAnyTypeTests<Rgb24>;
