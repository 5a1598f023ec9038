using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// The overlap checks behind every operator (defects 10 and 14 of the hostile-input issue). Spans of any legal length
/// are judged in 64-bit byte arithmetic; tensor views by where they really lie; a destination view that stores two
/// results in one place is refused.
/// </summary>
public unsafe class OverlapGuardTests
{
    /// <summary>
    /// Defect 14: a span of 2^29 floats is 2^31 bytes, one more than <c>MemoryMarshal.AsBytes</c> can describe, so the
    /// old check threw OverflowException. The spans here are addresses only (never dereferenced): the check reads no
    /// element, so no memory is needed to test it at every length up to <see cref="int.MaxValue"/> elements of 8 bytes.
    /// </summary>
    [Theory]
    [InlineData(1 << 29)]
    [InlineData(int.MaxValue)]
    public void SpansOfEveryLegalLengthAreJudgedByTheirBytes(int length)
    {
        byte* baseAddress = (byte*)0x1000_0000_0000;
        var a = new ReadOnlySpan<double>(baseAddress, length);
        long bytes = (long)length * sizeof(double);

        // Disjoint: b starts one byte past a's last byte.
        var after = new ReadOnlySpan<float>(baseAddress + bytes, length);
        Guard.NoOverlap(a, after, "destination", "source");
        Guard.NoOverlap(after, a, "destination", "source");

        // One byte shared: b starts at a's last byte (an odd address; the check looks at bytes, not elements).
        var lastByte = new ReadOnlySpan<byte>(baseAddress + bytes - 1, 5);
        Throws.Param<ArgumentException>("destination", () => Guard.NoOverlap(new ReadOnlySpan<double>(baseAddress, length), new ReadOnlySpan<byte>(baseAddress + bytes - 1, 5), "destination", "source"));
        Throws.Param<ArgumentException>("source", () => Guard.NoOverlap(new ReadOnlySpan<byte>(baseAddress + bytes - 1, 5), new ReadOnlySpan<double>(baseAddress, length), "source", "destination"));
        Assert.Equal(5, lastByte.Length);

        // b ends one byte before a starts: disjoint; one byte later: shared.
        Guard.NoOverlap(a, new ReadOnlySpan<byte>(baseAddress - 4, 4), "destination", "source");
        Throws.Param<ArgumentException>("destination", () => Guard.NoOverlap(new ReadOnlySpan<double>(baseAddress, length), new ReadOnlySpan<byte>(baseAddress - 4, 5), "destination", "source"));

        // An empty span overlaps nothing, wherever it points.
        Guard.NoOverlap(a, new ReadOnlySpan<int>(baseAddress + 8, 0), "destination", "source");
    }

    /// <summary>
    /// Defect 10: a strided view is checked where it lies in the caller's memory. The case: from a view with
    /// strides [0, 0, 4, 1] into a view of the same array with strides [0, 0, 8, 2] (both of lengths [1, 1, 4, 4] and
    /// [1, 1, 8, 8] over one 64-element array): they share element 0 and more.
    /// </summary>
    [Fact]
    public void StridedViewsOfOneArrayAreCheckedWhereTheyLie()
    {
        float[] array = new float[64];
        var source = new ReadOnlyTensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]);
        var destination = new TensorSpan<float>(array, [1, 1, 8, 8], [0, 0, 8, 1]);
        Throws.Param<ArgumentException>("destination", () => Guard.NoViewOverlap<float, float>(new TensorSpan<float>(array, [1, 1, 8, 8], [0, 0, 8, 1]), new ReadOnlyTensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]), "destination", "source"));

        // The strided destination of the issue: every other cell of an 8x... array: footprint elements 0..(3*8+3*2) = 0..30.
        Throws.Param<ArgumentException>("destination", () => Guard.NoViewOverlap<float, float>(new TensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 8, 2]), new ReadOnlyTensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]), "destination", "source"));

        // Disjoint halves of the array: source is elements 0..15 (a dense 4x4), destination starts at 16.
        Guard.NoViewOverlap<float, float>(new TensorSpan<float>(array.AsSpan(16), [1, 1, 4, 4], [0, 0, 8, 2]), new ReadOnlyTensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]), "destination", "source");

        // The footprint ends at the last element: a destination starting right after it (element 16) is disjoint, one at 15 is not.
        Guard.NoViewOverlap<float, float>(new TensorSpan<float>(array.AsSpan(16), [1, 1, 2, 2], [0, 0, 2, 1]), source, "destination", "source");
        Throws.Param<ArgumentException>("destination", () => Guard.NoViewOverlap<float, float>(new TensorSpan<float>(array.AsSpan(15), [1, 1, 2, 2], [0, 0, 2, 1]), new ReadOnlyTensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]), "destination", "source"));

        // Different element types: the check is in bytes. A byte view on the last byte of element 15 overlaps.
        Span<byte> bytes = MemoryMarshal.AsBytes(array.AsSpan());
        Throws.Param<ArgumentException>("destination", () => Guard.NoViewOverlap<float, byte>(new TensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]), new ReadOnlyTensorSpan<byte>(MemoryMarshal.AsBytes(array.AsSpan())[63..64], [1, 1, 1, 1], [0, 0, 0, 0]), "destination", "source"));
        Guard.NoViewOverlap<float, byte>(new TensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]), new ReadOnlyTensorSpan<byte>(bytes[64..65], [1, 1, 1, 1], [0, 0, 0, 0]), "destination", "source");
        Assert.Equal(64, destination.FlattenedLength);
    }

    [Fact]
    public void DestinationsThatStoreTwoResultsInOnePlaceAreRefused()
    {
        float[] array = new float[64];

        // Stride 0 on a dimension longer than 1 (the values view of the defect 12).
        Throws.Param<ArgumentException>("destination", () => Guard.NoSelfOverlap(new TensorSpan<float>(array, [1, 2, 4, 4], [0, 0, 4, 1]), "destination"));

        // Every row in one place (System.Numerics.Tensors refuses overlapping non-zero strides itself, so stride 0 is
        // the way a caller builds a view that aliases its own elements).
        Throws.Param<ArgumentException>("destination", () => Guard.NoSelfOverlap(new TensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 0, 1]), "destination"));
        Throws.Param<ArgumentException>("destination", () => Guard.NoSelfOverlap(new TensorSpan<float>(array, [2, 1, 2, 2], [0, 0, 2, 1]), "destination"));

        // Accepted: dense, strided with gaps, length-1 dimensions with any stride, transposed, empty.
        Guard.NoSelfOverlap(new TensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 4, 1]), "destination");
        Guard.NoSelfOverlap(new TensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 8, 2]), "destination");
        Guard.NoSelfOverlap(new TensorSpan<float>(array, [1, 1, 4, 4], [0, 0, 1, 4]), "destination");
        Guard.NoSelfOverlap(new TensorSpan<float>(array, [1, 2, 2, 4], [0, 4, 8, 1]), "destination");
        Guard.NoSelfOverlap(new TensorSpan<float>(array, [0, 3, 4, 4], [0, 0, 0, 0]), "destination");
    }

    /// <summary>
    /// Index conversion alone may run in place, on the same view; any other sharing of memory between the indices and
    /// the destination is refused (naming destination) with the indices unchanged. Per plane to global row-major on
    /// [1, 2, 1, 2] indexing 2x2 planes: channel c's index v becomes c*4 + v, so {0, 3 | 1, 2} becomes {0, 3 | 5, 6}.
    /// </summary>
    [Fact]
    public void IndexConversionRunsInPlaceOnTheSameViewOnly()
    {
        long[] indices = [0, 3, 1, 2];
        var view = new TensorSpan<long>(indices, [1, 2, 1, 2], [0, 2, 0, 1]);
        Functional.ConvertIndices<long>(view, new Size2D(2, 2), IndexConvention.PerPlane, view, IndexConvention.GlobalRowMajor);
        Assert.Equal([0L, 3, 5, 6], indices);

        long[] shared = [0, 3, 1, 2, 9];
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices<long>(
            new ReadOnlyTensorSpan<long>(shared, [1, 2, 1, 2], [0, 2, 0, 1]), new Size2D(2, 2), IndexConvention.PerPlane,
            new TensorSpan<long>(shared.AsSpan(1), [1, 2, 1, 2], [0, 2, 0, 1]), IndexConvention.GlobalRowMajor));
        Assert.Equal([0L, 3, 1, 2, 9], shared);

        // Same first element, other strides (a transposed view of the same memory): not in place, refused.
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices<long>(
            new ReadOnlyTensorSpan<long>(shared, [1, 2, 1, 2], [0, 2, 0, 1]), new Size2D(2, 2), IndexConvention.PerPlane,
            new TensorSpan<long>(shared, [1, 2, 1, 2], [0, 1, 0, 2]), IndexConvention.GlobalRowMajor));
        Assert.Equal([0L, 3, 1, 2, 9], shared);
    }
}
