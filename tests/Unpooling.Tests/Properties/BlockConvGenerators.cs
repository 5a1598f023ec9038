using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using CsCheck;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generators (and the small harness they need) for the block-family and convolution properties: sizes that are mostly
/// tiny and sometimes hostile (zero, negative, near 2^30..2^31), length deltas around the right length, guard sides, and
/// tensor views over page-guarded memory (dense, padded rows, channels-last, stride-0 broadcast). Kept general so the
/// lead can fold them into the shared <c>Generators.cs</c>.
/// </summary>
internal static class BlockConvGen
{
    /// <summary>
    /// Set <c>PROPERTY_NO_KNOWN_CRASHERS=1</c> (development only) to leave out the extreme convolution geometries of the
    /// issue's defects 3, 4 and 7 (and two kin of them these properties found: a transposed kernel of 2^20 + 1 taps
    /// cropped by 2^20 - 2, and a transposed stride near 2^30 cropped back by padding near 2^29), which corrupt memory
    /// and can kill the test host until their fixes merge: strides past 3 and dilations past 2 in the transposed
    /// convolution, and kernels of more than 5 taps. The default run always includes them.
    /// </summary>
    public static bool NoKnownCrashers { get; } = Environment.GetEnvironmentVariable("PROPERTY_NO_KNOWN_CRASHERS") == "1";

    /// <summary>Values at and around the 32-bit edges: 2^30 - 1, 2^30, 2^30 + 1, 2^31 / 3 and 2^32 / 3, int.MaxValue - 1, int.MaxValue.</summary>
    public static readonly int[] Edges = [(1 << 30) - 1, 1 << 30, (1 << 30) + 1, 715827883, 1431655765, int.MaxValue - 1, int.MaxValue];

    /// <summary>Values no size, factor or stride may take: 0, -1, -2^30, int.MinValue.</summary>
    public static readonly int[] Negatives = [0, -1, -(1 << 30), int.MinValue];

    /// <summary>One of <see cref="Edges"/>.</summary>
    public static Gen<int> Edge { get; } = Gen.OneOf(Edges);

    /// <summary>A size, factor or stride of at least 1: mostly 1..4, sometimes up to 40 000, sometimes an <see cref="Edge"/>.</summary>
    public static Gen<int> Positive { get; } = Gen.Frequency((40, Gen.Int[1, 4]), (4, Gen.Int[5, 40_000]), (3, Edge));

    /// <summary>Like <see cref="Positive"/>, but 1 time in 12 a value below 1 (<see cref="Negatives"/>).</summary>
    public static Gen<int> Hostile { get; } = Gen.Frequency((11, Positive), (1, Gen.OneOf(Negatives)));

    /// <summary>A spatial size (H or W): 1..5 mostly, sometimes 0 or negative, sometimes huge (only empty batches hold it).</summary>
    public static Gen<int> SpatialDim { get; } = Gen.Frequency((40, Gen.Int[1, 5]), (2, Gen.OneOf(0, -1, int.MinValue)), (2, Edge), (1, Gen.Int[6, 70_000]));

    /// <summary>A batch or channel count: 0..3 mostly, sometimes negative or huge.</summary>
    public static Gen<int> CountDim { get; } = Gen.Frequency((40, Gen.Int[0, 3]), (2, Gen.OneOf(-1, int.MinValue)), (2, Edge));

    /// <summary>An offset from a correct length: 0 mostly, else +-1 (the off-by-one), rarely +-7.</summary>
    public static Gen<int> LengthDelta { get; } = Gen.Frequency((14, Gen.Const(0)), (2, Gen.OneOf(-1, 1)), (1, Gen.OneOf(-7, 7)));

    /// <summary>Which end of a buffer touches the no-access page.</summary>
    public static Gen<GuardSide> Side { get; } = Gen.OneOf(GuardSide.After, GuardSide.Before);

    /// <summary>The guard sides of a source and a destination.</summary>
    public static Gen<(GuardSide, GuardSide)> Sides { get; } = Gen.Select(Side, Side);

    /// <summary>A pair of <paramref name="axis"/> values.</summary>
    public static Gen<Size2D> Pair(Gen<int> axis) => Gen.Select(axis, axis, static (h, w) => new Size2D(h, w));

    /// <summary>The element count of a shape, exact (a product of four ints can pass 2^63).</summary>
    public static Int128 Count(Shape4D s) => (Int128)s.Batch * s.Channels * s.Height * s.Width;

    /// <summary><see cref="Shape4D"/>'s validity rule (SEMANTICS 6): N, C &gt;= 0, H, W &gt;= 1, at most Array.MaxLength elements.</summary>
    public static bool Valid(Shape4D s) => s.Batch >= 0 && s.Channels >= 0 && s.Height >= 1 && s.Width >= 1 && Count(s) <= Array.MaxLength;

    /// <summary>The lengths of <paramref name="s"/> as a rank-4 tensor's.</summary>
    public static nint[] Lengths(Shape4D s) => [s.Batch, s.Channels, s.Height, s.Width];

    /// <summary>The length to pass for a buffer that should hold <paramref name="count"/> elements, shifted by <paramref name="delta"/>;
    /// a count no test can allocate (above <paramref name="cap"/>) gets a small wrong length instead.</summary>
    public static int BufferLength(Int128 count, int delta, int cap = 1 << 16)
        => count < 0 || count > cap ? (int)((uint)delta % 4) : (int)Math.Max(0, (long)count + delta);

    /// <summary>Fills <paramref name="span"/> with random bytes from <paramref name="seed"/> (NaN payloads, -0, subnormals included).</summary>
    public static void FillBytes<T>(Span<T> span, int seed)
        where T : unmanaged
        => new Random(seed).NextBytes(MemoryMarshal.AsBytes(span));

    /// <summary>Shows a nullable size compactly.</summary>
    public static string Show(Size2D? size) => size is { } s ? s.ToString() : "null";
}

/// <summary>How a <see cref="GuardedTensor{T}"/> lays out its logical <c>[N, C, H, W]</c> (or other rank) elements.</summary>
internal enum ViewKind
{
    /// <summary>Dense row-major: the library uses it in place.</summary>
    Dense,

    /// <summary>Row-major with 1..3 unused elements after each row.</summary>
    RowPadded,

    /// <summary>Stored <c>[N, H, W, C]</c>, viewed as <c>[N, C, H, W]</c> (rank 4 only).</summary>
    ChannelsLast,

    /// <summary>Stride 0 on the batch and height axes: every sample and row is the same memory (sources only).</summary>
    Broadcast,
}

/// <summary>
/// A tensor view over page-guarded memory (flush against the no-access page on <see cref="Side"/>). Length-1 axes get
/// stride 0 (System.Numerics.Tensors rejects some views whose length-1 axis carries a full stride). The view can sit at
/// an element offset inside memory it shares with another tensor (overlap cases).
/// </summary>
internal sealed unsafe class GuardedTensor<T> : IDisposable
    where T : unmanaged
{
    private readonly PageGuardedMemory<T>? _owned;

    private GuardedTensor(PageGuardedMemory<T> memory, bool owned, int start, nint[] lengths, nint[] strides)
    {
        Memory = memory;
        _owned = owned ? memory : null;
        Start = start;
        Lengths = lengths;
        Strides = strides;
    }

    public PageGuardedMemory<T> Memory { get; }

    public int Start { get; }

    public nint[] Lengths { get; }

    public nint[] Strides { get; }

    public GuardSide Side => Memory.Side;

    public ReadOnlyTensorSpan<T> ReadOnly => new(Memory.Pointer + Start, Memory.Length - Start, Lengths, Strides);

    public TensorSpan<T> Writable => new(Memory.Pointer + Start, Memory.Length - Start, Lengths, Strides);

    /// <summary>The strides of <paramref name="kind"/> for <paramref name="lengths"/> (padding <paramref name="pad"/> for <see cref="ViewKind.RowPadded"/>).</summary>
    public static nint[] StridesOf(nint[] lengths, ViewKind kind, int pad)
    {
        int rank = lengths.Length;
        var physical = (nint[])lengths.Clone();
        var order = Enumerable.Range(0, rank).ToArray();
        if (kind == ViewKind.RowPadded && rank > 0)
        {
            physical[rank - 1] += pad;
        }
        else if (kind == ViewKind.ChannelsLast && rank == 4)
        {
            order = [0, 2, 3, 1];
        }

        var strides = new nint[rank];
        if (lengths.Contains(0))
        {
            // An empty view: System.Numerics.Tensors rejects non-zero strides over no memory.
            return strides;
        }

        nint step = 1;
        for (int k = rank - 1; k >= 0; k--)
        {
            int axis = order[k];
            bool broadcast = kind == ViewKind.Broadcast && (axis == 0 || axis == rank - 2);
            strides[axis] = lengths[axis] == 1 || broadcast ? 0 : step;
            step *= broadcast ? 1 : Math.Max(physical[axis], 1);
        }

        return strides;
    }

    /// <summary>The physical extent of a view: one past its farthest element, 0 when it has none.</summary>
    public static int Extent(nint[] lengths, nint[] strides)
    {
        long extent = 1;
        for (int k = 0; k < lengths.Length; k++)
        {
            if (lengths[k] == 0)
            {
                return 0;
            }

            extent += (lengths[k] - 1) * strides[k];
        }

        return checked((int)extent);
    }

    /// <summary>The physical offset of every logical element, in row-major order.</summary>
    public static long[] Offsets(nint[] lengths, nint[] strides)
    {
        long count = 1;
        foreach (nint l in lengths)
        {
            count *= l;
        }

        var offsets = new long[count];
        var index = new long[lengths.Length];
        for (long i = 0; i < count; i++)
        {
            long offset = 0;
            for (int k = 0; k < lengths.Length; k++)
            {
                offset += index[k] * strides[k];
            }

            offsets[i] = offset;
            for (int k = lengths.Length - 1; k >= 0; k--)
            {
                if (++index[k] < lengths[k])
                {
                    break;
                }

                index[k] = 0;
            }
        }

        return offsets;
    }

    /// <summary>A view of <paramref name="kind"/> in its own guarded memory, filled with random bytes from <paramref name="seed"/>.</summary>
    public static GuardedTensor<T> Create(nint[] lengths, ViewKind kind, int pad, GuardSide side, int seed, bool readOnly)
    {
        nint[] strides = StridesOf(lengths, kind, pad);
        var memory = new PageGuardedMemory<T>(Extent(lengths, strides), side);
        BlockConvGen.FillBytes(memory.Span, seed);
        if (readOnly)
        {
            memory.MakeReadOnly();
        }

        return new GuardedTensor<T>(memory, true, 0, lengths, strides);
    }

    /// <summary>A view over <paramref name="memory"/> (not owned) starting at element <paramref name="start"/>.</summary>
    public static GuardedTensor<T> Over(PageGuardedMemory<T> memory, int start, nint[] lengths, nint[] strides)
        => new(memory, false, start, lengths, strides);

    /// <summary>The logical elements in row-major order.</summary>
    public T[] Logical()
    {
        long[] offsets = Offsets(Lengths, Strides);
        Span<T> span = Memory.Span;
        var values = new T[offsets.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = span[(int)(Start + offsets[i])];
        }

        return values;
    }

    public void Dispose() => _owned?.Dispose();
}

/// <summary>
/// What a property's model expects of a call: the exact exception type and the parameter it must name
/// (<see cref="NotSupportedException"/> names none: it is the element type that is refused).
/// </summary>
internal readonly record struct Refusal(Type Exception, string Param)
{
    public static Refusal Arg(string param) => new(typeof(ArgumentException), param);

    public static Refusal Range(string param) => new(typeof(ArgumentOutOfRangeException), param);

    public static Refusal Null(string param) => new(typeof(ArgumentNullException), param);

    public static Refusal Unsupported { get; } = new(typeof(NotSupportedException), "");

    /// <summary>Asserts <paramref name="call"/> is refused this way and returns the category to tally.</summary>
    public string Check(Action call, string context)
    {
        if (Exception == typeof(ArgumentOutOfRangeException))
        {
            return Property.Refused<ArgumentOutOfRangeException>(Param, call, context);
        }

        if (Exception == typeof(ArgumentNullException))
        {
            return Property.Refused<ArgumentNullException>(Param, call, context);
        }

        if (Exception == typeof(ArgumentException))
        {
            return Property.Refused<ArgumentException>(Param, call, context);
        }

        try
        {
            call();
        }
        catch (NotSupportedException e) when (e.GetType() == typeof(NotSupportedException) && e.Message.Contains("element type", StringComparison.Ordinal))
        {
            return "refused: element type";
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{context}: expected NotSupportedException for the element type, got {e}");
        }

        throw new Xunit.Sdk.XunitException($"{context}: expected NotSupportedException for the element type, but the call returned.");
    }

    public override string ToString() => Exception == typeof(NotSupportedException) ? "NotSupported" : $"{Exception.Name}({Param})";
}

/// <summary>The threading of a case: every result must be the same under each (the library says results never depend on it).</summary>
internal static class CaseThreads
{
    public static Gen<int> Degree { get; } = Gen.OneOf(0, 1, 2);

    public static ExecutionOptions Options(int degree) => degree == 0 ? default : new ExecutionOptions { MaxDegreeOfParallelism = degree };
}

/// <summary>
/// A source span and a destination span in page-guarded memory for the span forms: separate buffers (the source
/// read-only), one buffer with the destination starting inside the source (overlap), one buffer with the destination
/// right after the source (touching), or one 2^29-element span passed as both (untouched virtual memory, never filled).
/// </summary>
internal sealed class SpanBuffers<T> : IDisposable
    where T : unmanaged
{
    private readonly PageGuardedMemory<T> _first;
    private readonly PageGuardedMemory<T>? _second;
    private readonly int _sourceLength;
    private readonly int _destinationStart;
    private readonly int _destinationLength;
    private readonly bool _huge;

    public SpanBuffers(Placement placement, int sourceLength, int destinationLength, int shift, GuardSide sourceSide, GuardSide destinationSide, int seed)
    {
        _sourceLength = sourceLength;
        _destinationLength = destinationLength;
        switch (placement)
        {
            case Placement.Separate:
                _first = new PageGuardedMemory<T>(sourceLength, sourceSide);
                BlockConvGen.FillBytes(_first.Span, seed);
                _first.MakeReadOnly();
                _second = new PageGuardedMemory<T>(destinationLength, destinationSide);
                BlockConvGen.FillBytes(_second.Span, ~seed);
                break;
            case Placement.Overlapping:
                _destinationStart = sourceLength > 0 ? shift % sourceLength : 0;
                _first = new PageGuardedMemory<T>(Math.Max(sourceLength, _destinationStart + destinationLength), sourceSide);
                BlockConvGen.FillBytes(_first.Span, seed);
                Overlap = sourceLength > 0 && destinationLength > 0;
                break;
            case Placement.Adjacent:
                _destinationStart = sourceLength;
                _first = new PageGuardedMemory<T>(sourceLength + destinationLength, sourceSide);
                BlockConvGen.FillBytes(_first.Span, seed);
                break;
            default:
                _huge = true;
                _first = new PageGuardedMemory<T>(Math.Max(sourceLength, destinationLength), sourceSide);
                Overlap = sourceLength > 0 && destinationLength > 0;
                break;
        }
    }

    /// <summary>Whether the destination shares an element with the source.</summary>
    public bool Overlap { get; }

    public ReadOnlySpan<T> Source => _first.Span[.._sourceLength];

    public Span<T> Destination => (_second ?? _first).Span.Slice(_destinationStart, _destinationLength);

    /// <summary>Every byte the call may not change when refused (for the huge span, one element per page).</summary>
    public byte[] Snapshot()
    {
        if (_huge)
        {
            Span<T> all = _first.Span;
            // One element every 64 pages: a kernel that ran would have written them all, and each read of an
            // untouched page costs a fault.
            int step = Math.Max(1, 64 * Environment.SystemPageSize / System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
            var sample = new T[(all.Length + step - 1) / step];
            for (int i = 0; i < sample.Length; i++)
            {
                sample[i] = all[i * step];
            }

            return MemoryMarshal.AsBytes(sample.AsSpan()).ToArray();
        }

        byte[] first = MemoryMarshal.AsBytes(_first.Span).ToArray();
        return _second is null ? first : [.. first, .. MemoryMarshal.AsBytes(_second.Span)];
    }

    public void AssertUnchanged(byte[] before, string context)
        => Assert.True(before.AsSpan().SequenceEqual(Snapshot()), $"{context}: the call was refused but changed memory it was given.");

    public void Dispose()
    {
        _first.Dispose();
        _second?.Dispose();
    }
}

/// <summary>
/// A source view and a destination view over page-guarded memory: separate (the source read-only) or sharing one
/// buffer, the destination's first element on one of the source's elements (so they overlap whenever both are non-empty).
/// </summary>
internal sealed class ViewPair<T> : IDisposable
    where T : unmanaged
{
    private readonly PageGuardedMemory<T> _sourceMemory;
    private readonly PageGuardedMemory<T>? _destinationMemory;

    public ViewPair(nint[] sourceLengths, ViewKind sourceKind, int pad, nint[] destinationLengths, ViewKind destinationKind, bool shared, int pick, GuardSide sourceSide, GuardSide destinationSide, int seed)
    {
        nint[] sourceStrides = GuardedTensor<T>.StridesOf(sourceLengths, sourceKind, pad);
        nint[] destinationStrides = GuardedTensor<T>.StridesOf(destinationLengths, destinationKind, pad);
        int sourceExtent = GuardedTensor<T>.Extent(sourceLengths, sourceStrides), destinationExtent = GuardedTensor<T>.Extent(destinationLengths, destinationStrides);
        if (shared)
        {
            long[] offsets = GuardedTensor<T>.Offsets(sourceLengths, sourceStrides);
            int start = offsets.Length > 0 ? (int)offsets[pick % offsets.Length] : 0;
            _sourceMemory = new PageGuardedMemory<T>(Math.Max(sourceExtent, start + destinationExtent), sourceSide);
            BlockConvGen.FillBytes(_sourceMemory.Span, seed);
            Source = GuardedTensor<T>.Over(_sourceMemory, 0, sourceLengths, sourceStrides);
            Destination = GuardedTensor<T>.Over(_sourceMemory, start, destinationLengths, destinationStrides);
            Overlap = offsets.Length > 0 && destinationExtent > 0;
        }
        else
        {
            _sourceMemory = new PageGuardedMemory<T>(sourceExtent, sourceSide);
            BlockConvGen.FillBytes(_sourceMemory.Span, seed);
            _sourceMemory.MakeReadOnly();
            _destinationMemory = new PageGuardedMemory<T>(destinationExtent, destinationSide);
            BlockConvGen.FillBytes(_destinationMemory.Span, ~seed);
            Source = GuardedTensor<T>.Over(_sourceMemory, 0, sourceLengths, sourceStrides);
            Destination = GuardedTensor<T>.Over(_destinationMemory, 0, destinationLengths, destinationStrides);
        }
    }

    public GuardedTensor<T> Source { get; }

    public GuardedTensor<T> Destination { get; }

    /// <summary>Whether the views share an element.</summary>
    public bool Overlap { get; }

    private PageGuardedMemory<T> DestinationMemory => _destinationMemory ?? _sourceMemory;

    /// <summary>The bytes of the memory the destination lives in (the source's too, when shared).</summary>
    public byte[] Snapshot() => MemoryMarshal.AsBytes(DestinationMemory.Span).ToArray();

    public void AssertUnchanged(byte[] before, string context)
        => Assert.True(before.AsSpan().SequenceEqual(Snapshot()), $"{context}: the call was refused but changed memory it was given.");

    /// <summary>Asserts every element of the destination's memory outside the view (padding, neighbours) kept its bytes.</summary>
    public void AssertOnlyDestinationWritten(byte[] before, string context)
    {
        var inside = new HashSet<long>(GuardedTensor<T>.Offsets(Destination.Lengths, Destination.Strides).Select(o => o + Destination.Start));
        ReadOnlySpan<T> old = MemoryMarshal.Cast<byte, T>(before);
        Span<T> now = DestinationMemory.Span;
        for (int i = 0; i < now.Length; i++)
        {
            if (!inside.Contains(i) && !Property.SameBytes<T>(old.Slice(i, 1), now.Slice(i, 1)))
            {
                Assert.Fail($"{context}: element {i} of the destination's memory lies outside the view and was written.");
            }
        }
    }

    public void Dispose()
    {
        _sourceMemory.Dispose();
        _destinationMemory?.Dispose();
    }
}
