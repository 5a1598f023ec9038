using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>Argument checks shared by the operators; each throws naming the argument the caller must fix.</summary>
internal static class Guard
{
    /// <summary>
    /// Rejects a length other than <paramref name="expected"/>. The message (<c>"{what} {shape}"</c>) is built only on
    /// failure: an interpolated argument would be formatted on every call, which is garbage on the hot path.
    /// </summary>
    public static void Length<TShape>(int actual, long expected, string paramName, string what, in TShape shape)
        where TShape : struct
    {
        if (actual != expected)
        {
            ThrowHelper.ThrowLengthMismatch(paramName, actual, expected, $"{what} {shape}");
        }
    }

    /// <summary>Rejects <paramref name="written"/> sharing any byte with <paramref name="other"/>.</summary>
    /// <remarks>
    /// Compares byte ranges in 64-bit arithmetic, so spans of any legal length work (a span of 2^29 floats is 2^31 bytes,
    /// more than <c>MemoryMarshal.AsBytes</c> can describe).
    /// </remarks>
    public static void NoOverlap<TWritten, TOther>(ReadOnlySpan<TWritten> written, ReadOnlySpan<TOther> other, string writtenName, string otherName)
        where TWritten : struct
        where TOther : struct
    {
        if (written.IsEmpty || other.IsEmpty)
        {
            return;
        }

        if (BytesOverlap(
            ref Unsafe.As<TWritten, byte>(ref MemoryMarshal.GetReference(written)),
            (long)written.Length * Unsafe.SizeOf<TWritten>(),
            ref Unsafe.As<TOther, byte>(ref MemoryMarshal.GetReference(other)),
            (long)other.Length * Unsafe.SizeOf<TOther>()))
        {
            ThrowHelper.ThrowOverlap(writtenName, otherName);
        }
    }

    /// <summary>
    /// Rejects a destination view sharing any byte of the caller's memory with an input view. Each view is judged by
    /// its footprint (the bytes from its first element to its last, whatever its strides), so a strided view is checked
    /// where it really lies, not through the dense copy an operator may compute it in. Two views that interleave
    /// without sharing an element (the even and the odd columns of one array) are refused too: the footprint cannot
    /// tell them apart, and refusing is the safe side.
    /// </summary>
    public static void NoViewOverlap<TWritten, TOther>(in ReadOnlyTensorSpan<TWritten> written, in ReadOnlyTensorSpan<TOther> other, string writtenName, string otherName)
    {
        if (ViewsOverlap(written, other))
        {
            ThrowHelper.ThrowOverlap(writtenName, otherName);
        }
    }

    /// <summary>
    /// <see cref="NoViewOverlap{TWritten, TOther}"/> for an operation that may run in place: the same view (same first
    /// element, lengths and strides) is accepted, any other sharing of memory refused.
    /// </summary>
    public static void NoPartialViewOverlap<T>(in ReadOnlyTensorSpan<T> written, in ReadOnlyTensorSpan<T> other, string writtenName, string otherName)
    {
        bool same = !written.IsEmpty && !other.IsEmpty
            && Unsafe.AreSame(ref Unsafe.AsRef(in written.GetPinnableReference()), ref Unsafe.AsRef(in other.GetPinnableReference()))
            && written.Lengths.SequenceEqual(other.Lengths) && written.Strides.SequenceEqual(other.Strides);
        if (!same && ViewsOverlap(written, other))
        {
            ThrowHelper.ThrowArgument(
                writtenName,
                $"'{writtenName}' partly overlaps '{otherName}'; pass the same tensor view to convert in place, or non-overlapping ones.");
        }
    }

    /// <summary>
    /// Rejects a destination view in which two elements share memory (a stride of 0 on a dimension longer than 1, or
    /// strides that interleave): writing it would store several results in one place. The test is the usual sufficient
    /// one (as PyTorch's internal-overlap check): sorted by stride, each dimension's stride must pass the extent of the
    /// smaller ones. A view of distinct elements whose strides interleave is refused too (none of the operators'
    /// natural layouts is such a view).
    /// </summary>
    public static void NoSelfOverlap<T>(in TensorSpan<T> destination, string paramName)
    {
        ReadOnlySpan<nint> lengths = destination.Lengths, strides = destination.Strides;
        if (destination.IsEmpty)
        {
            return;
        }

        Span<int> order = stackalloc int[lengths.Length];
        int count = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] > 1)
            {
                // Insertion sort by stride: ranks are tiny.
                int j = count++;
                while (j > 0 && strides[order[j - 1]] > strides[i])
                {
                    order[j] = order[j - 1];
                    j--;
                }

                order[j] = i;
            }
        }

        // extent: the largest element offset the dimensions visited so far reach (fits: the span holds them).
        long extent = 0;
        for (int k = 0; k < count; k++)
        {
            int d = order[k];
            if (strides[d] <= extent)
            {
                ThrowHelper.ThrowArgument(
                    paramName,
                    $"Tensor {paramName} (lengths [{string.Join(", ", lengths.ToArray())}], strides [{string.Join(", ", strides.ToArray())}]) has elements that share memory; " +
                    "a destination must hold each result in its own place: pass a dense tensor or a view without stride-0 or interleaved dimensions.");
            }

            extent += (lengths[d] - 1) * (long)strides[d];
        }
    }

    /// <summary>Whether the footprints of two views (first to last element, in bytes) share a byte.</summary>
    private static bool ViewsOverlap<TWritten, TOther>(in ReadOnlyTensorSpan<TWritten> written, in ReadOnlyTensorSpan<TOther> other)
    {
        long writtenBytes = FootprintBytes(written.Lengths, written.Strides, Unsafe.SizeOf<TWritten>());
        long otherBytes = FootprintBytes(other.Lengths, other.Strides, Unsafe.SizeOf<TOther>());
        return writtenBytes != 0 && otherBytes != 0 && BytesOverlap(
            ref Unsafe.As<TWritten, byte>(ref Unsafe.AsRef(in written.GetPinnableReference())),
            writtenBytes,
            ref Unsafe.As<TOther, byte>(ref Unsafe.AsRef(in other.GetPinnableReference())),
            otherBytes);
    }

    /// <summary>The bytes from a view's first element to the end of its last: 0 for an empty view.</summary>
    private static long FootprintBytes(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, int elementSize)
    {
        long last = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] == 0)
            {
                return 0;
            }

            last += (lengths[i] - 1) * (long)strides[i];
        }

        return (last + 1) * elementSize;
    }

    /// <summary>Whether <c>[a, a + aBytes)</c> and <c>[b, b + bBytes)</c> share a byte (both lengths positive).</summary>
    private static bool BytesOverlap(ref byte a, long aBytes, ref byte b, long bBytes)
    {
        long offset = Unsafe.ByteOffset(ref a, ref b);
        return offset >= 0 ? offset < aBytes : -offset < bBytes;
    }

    /// <summary>Rejects a pair with a size below <paramref name="minimum"/>.</summary>
    public static void AtLeast(Size2D value, int minimum, string paramName)
    {
        if (value.Height < minimum || value.Width < minimum)
        {
            ThrowHelper.ThrowArgumentOutOfRange(paramName, value, $"Each of {paramName}'s sizes must be >= {minimum}; got {value}.");
        }
    }

    /// <summary>Rejects an <see cref="IndexConvention"/> value that names no convention.</summary>
    public static void Convention(IndexConvention convention, string paramName)
    {
        if (!IndexLayout.IsDefined(convention))
        {
            ThrowHelper.ThrowArgumentOutOfRange(
                paramName,
                convention,
                $"Index convention {convention} is not defined; use PerPlane, GlobalRowMajor, GlobalColumnMajor, ChannelsLastPerSample, ChannelsLastWithBatch or InWindow.");
        }
    }

    /// <summary>
    /// Rejects an index type whose <c>MaxValue</c> is below the largest index of <paramref name="indexed"/> in
    /// <paramref name="convention"/> (SEMANTICS.md 1: an error, never a silent wrap). A check on the shape only, so it
    /// runs before anything is read or written; after it every index of the space converts to
    /// <typeparamref name="TIndex"/> exactly.
    /// </summary>
    public static void IndexSpace<TIndex>(IndexConvention convention, Shape4D indexed, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        System.Diagnostics.Debug.Assert(convention != IndexConvention.InWindow, "InWindow's index space is the window's: pass the geometry");
        Int128 largest = IndexLayout.SpaceOf(convention, indexed) - 1;
        if (largest > MaxOf<TIndex>())
        {
            ThrowIndexSpace<TIndex>(convention, indexed, largest, paramName);
        }
    }

    /// <summary>
    /// <see cref="IndexSpace{TIndex}(IndexConvention, Shape4D, string)"/> for an operator that knows the pooling
    /// geometry: an <see cref="IndexConvention.InWindow"/> index is a tap in <c>[0, kH*kW)</c>, whatever the sizes.
    /// </summary>
    public static void PoolingIndexSpace<TIndex>(IndexConvention convention, Shape4D indexed, in Pool2DGeometry geometry, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        if (convention != IndexConvention.InWindow)
        {
            IndexSpace<TIndex>(convention, indexed, paramName);
            return;
        }

        Int128 largest = ((Int128)geometry.KernelSize.Height * geometry.KernelSize.Width) - 1;
        if (largest > MaxOf<TIndex>())
        {
            ThrowHelper.ThrowArgument(
                paramName,
                $"In convention InWindow the indices of a {geometry.KernelSize} kernel are taps 0 to kH*kW - 1 = {largest}, beyond {typeof(TIndex).Name}.MaxValue = {MaxOf<TIndex>()}; " +
                $"use a wider index type for {paramName}, such as {WiderType(largest)}.");
        }
    }

    /// <summary>
    /// The largest value of <typeparamref name="TIndex"/>, capped at <see cref="Int128.MaxValue"/> (which no index space
    /// reaches). Saturating the largest <see cref="UInt128"/> gives it without an <c>IMinMaxValue</c> constraint.
    /// </summary>
    public static Int128 MaxOf<TIndex>()
        where TIndex : IBinaryInteger<TIndex>
        => Int128.CreateSaturating(TIndex.CreateSaturating(UInt128.MaxValue));

    private static void ThrowIndexSpace<TIndex>(IndexConvention convention, Shape4D indexed, Int128 largest, string paramName)
        where TIndex : IBinaryInteger<TIndex>
    {
        ThrowHelper.ThrowArgument(
            paramName,
            $"In convention {convention} the indices of {indexed} range up to {largest}, beyond {typeof(TIndex).Name}.MaxValue = {MaxOf<TIndex>()}; use a wider index type for {paramName}, such as {WiderType(largest)}.");
    }

    private static string WiderType(Int128 largest)
        => largest <= byte.MaxValue ? "byte" : largest <= ushort.MaxValue ? "ushort" : largest <= int.MaxValue ? "int" : "long";

    /// <summary>Rejects <paramref name="written"/> sharing memory with <paramref name="other"/> unless it is exactly the same span (in place).</summary>
    public static void NoPartialOverlap<T>(ReadOnlySpan<T> written, ReadOnlySpan<T> other, string writtenName, string otherName)
    {
        if (written.Overlaps(other, out int offset) && (offset != 0 || written.Length != other.Length))
        {
            ThrowHelper.ThrowArgument(
                writtenName,
                $"'{writtenName}' partly overlaps '{otherName}'; pass the same span to convert in place, or non-overlapping buffers.");
        }
    }
}
