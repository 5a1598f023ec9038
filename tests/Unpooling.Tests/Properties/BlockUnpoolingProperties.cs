using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using CsCheck;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>The three operators of the fixed-position family (SEMANTICS 3).</summary>
public enum BlockMode
{
    Fixed,
    Random,
    Repeat,
}

/// <summary>
/// Element types of the block-family properties: the vectorized ones (1, 2, 4 and 8 bytes) and some that run the
/// scalar path (16-byte <see cref="Int128"/>, <see cref="decimal"/>, <see cref="Complex"/>). Zero insertion and the
/// strided subsample take any unmanaged type, so they add <see cref="char"/> and 3- and 12-byte structs.
/// </summary>
internal enum BlockElement
{
    Float,
    Double,
    Half,
    Byte,
    SByte,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Int128,
    Decimal,
    NFloat,
    Complex,
    Char,
    Bytes3,
    Bytes12,
}

/// <summary>A 3-byte element (no SIMD width holds it a whole number of times).</summary>
internal readonly record struct Bytes3(byte A, byte B, byte C);

/// <summary>A 12-byte element.</summary>
internal readonly record struct Bytes12(int A, int B, int C);

/// <summary>Where a span-form destination lives relative to the source.</summary>
internal enum Placement
{
    /// <summary>Its own guarded buffer.</summary>
    Separate,

    /// <summary>In the source's buffer, starting at one of the source's elements: overlaps whenever both are non-empty.</summary>
    Overlapping,

    /// <summary>In the source's buffer, starting right after its last element: touching, not overlapping.</summary>
    Adjacent,

    /// <summary>The destination is the source, a span of 2^29 elements (2^31 bytes of float) of untouched virtual memory.</summary>
    HugeSelf,
}

/// <summary>
/// Generated properties of <see cref="Functional.FixedUnpool2D{T}(ReadOnlySpan{T}, Shape4D, Size2D, Span{T}, Size2D, Size2D?, ExecutionOptions)"/>,
/// <c>RandomUnpool2D</c>, <c>RepeatUnpool2D</c>, <c>ZeroInsert2D</c> and <c>StridedSubsample2D</c>, every public form.
/// Each case is decided up front by a model written from SEMANTICS 2, 3, 4 and 6 and the XML docs (refused, with
/// which exception and ParamName, or a result); the library must agree: a refusal leaves every byte of the destination
/// (and of a buffer it shares with the source) unchanged, a result equals <see cref="UnpoolReference"/> bit for bit and
/// leaves every cell outside the destination view unchanged. Sources are read-only page-guarded memory, destinations
/// sit flush against a no-access page on the generated side.
/// </summary>
/// <remarks>
/// The oracles compute indices in 32 bits; they are only called on outputs of at most 2^16 elements whose rows
/// satisfy <c>(H - 1) * factor &lt; outH</c> (the explicit-size rule), so <c>ih * factor + offset &lt; H * factor</c>
/// stays far below 2^31 whenever a plane exists (an empty batch loops over nothing).
/// </remarks>
public sealed class BlockUnpoolingProperties
{
    private const int HugeCount = 1 << 29;

    /// <summary>The element types of the block family with their weights (float the most common).</summary>
    private static readonly Gen<BlockElement> NumberElement = Gen.Frequency(
        (6, Gen.Const(BlockElement.Float)), (2, Gen.Const(BlockElement.Double)), (2, Gen.Const(BlockElement.Half)),
        (3, Gen.OneOf(BlockElement.Byte, BlockElement.SByte, BlockElement.Int16, BlockElement.UInt16, BlockElement.Int32, BlockElement.UInt32, BlockElement.Int64, BlockElement.UInt64)),
        (1, Gen.OneOf(BlockElement.Int128, BlockElement.Decimal, BlockElement.NFloat, BlockElement.Complex)));

    /// <summary>Zero insertion's element types: the block family's and three that are not numbers.</summary>
    private static readonly Gen<BlockElement> AnyElement = Gen.Frequency(
        (10, NumberElement), (1, Gen.OneOf(BlockElement.Char, BlockElement.Bytes3, BlockElement.Bytes12)));

    private static readonly Gen<Shape4D> SpanShape = Gen.Select(BlockConvGen.CountDim, BlockConvGen.CountDim, BlockConvGen.SpatialDim, BlockConvGen.SpatialDim, static (n, c, h, w) => new Shape4D(n, c, h, w));

    /// <summary>Tensor lengths are never negative; a huge spatial size comes with an empty batch (nothing to store).</summary>
    private static readonly Gen<nint[]> TensorLengths = Gen.Frequency(
        (30, Gen.Select(Gen.Int[0, 3], Gen.Int[0, 3], Gen.Int[0, 5], Gen.Int[0, 5], static (n, c, h, w) => new nint[] { n, c, h, w })),
        (2, Gen.Select(Gen.Int[0, 3], BlockConvGen.Edge, BlockConvGen.Edge, static (c, h, w) => new nint[] { 0, c, h, w })),
        (1, Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 3], static (c, h, w) => new nint[] { c, h, w })),
        (1, Gen.Select(Gen.Int[1, 2], Gen.Int[1, 2], Gen.Int[1, 3], Gen.Int[1, 3], static (n, c, h, w) => new nint[] { 1, n, c, h, w })));

    private static readonly Gen<ViewKind> SourceKind = Gen.Frequency((4, Gen.Const(ViewKind.Dense)), (2, Gen.Const(ViewKind.RowPadded)), (2, Gen.Const(ViewKind.ChannelsLast)), (2, Gen.Const(ViewKind.Broadcast)));

    private static readonly Gen<ViewKind> DestinationKind = Gen.Frequency((4, Gen.Const(ViewKind.Dense)), (2, Gen.Const(ViewKind.RowPadded)), (1, Gen.Const(ViewKind.ChannelsLast)));

    /// <summary>An explicit output size around the default: null, the default +- (factor - 1) (allowed) or +- factor (refused), or anything.</summary>
    private static Gen<Size2D?> OutputSizeNear(Shape4D shape, Size2D factor) =>
        Gen.Frequency(
            (5, Gen.Const((Size2D?)null)),
            (5, Gen.Select(Gen.Int[0, 6], Gen.Int[0, 6], (a, b) => (Size2D?)new Size2D(Near(shape.Height, factor.Height, a), Near(shape.Width, factor.Width, b)))),
            (1, Gen.Select(BlockConvGen.Hostile, BlockConvGen.Hostile, static (h, w) => (Size2D?)new Size2D(h, w))));

    /// <summary>The default size <c>input * factor</c> moved by one of -f, -f + 1, -1, 0, 1, f - 1, f (clamped to int).</summary>
    private static int Near(int input, int factor, int pick)
    {
        long d = (long)input * factor, f = factor;
        long value = pick switch { 0 => d - f, 1 => d - f + 1, 2 => d - 1, 3 => d, 4 => d + 1, 5 => d + f - 1, _ => d + f };
        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }

    /// <summary>An offset inside the block mostly, else one of the borders just outside it.</summary>
    private static Gen<Size2D> OffsetIn(Size2D factor) =>
        Gen.Frequency(
            (8, Gen.Select(Gen.ULong, Gen.ULong, (a, b) => new Size2D(Inside(a, factor.Height), Inside(b, factor.Width)))),
            (1, Gen.Const(new Size2D(Math.Max(factor.Height - 1, 0), Math.Max(factor.Width - 1, 0)))),
            (1, Gen.Select(Gen.OneOf(-1, 0, int.MinValue), Gen.Bool, (bad, h) => h ? new Size2D(bad == 0 ? factor.Height : bad, 0) : new Size2D(0, bad == 0 ? factor.Width : bad))));

    private static int Inside(ulong bits, int factor) => factor < 1 ? 0 : (int)(bits % (ulong)factor);

    // ---------------------------------------------------------------- span form

    internal sealed record SpanCase(
        BlockMode Mode, BlockElement Element, Shape4D Shape, int SourceDelta, Size2D Factor, Size2D Offset, Size2D? OutputSize,
        ulong Seed, int DestinationDelta, Placement Placement, int Shift, GuardSide SourceSide, GuardSide DestinationSide, int Degree, int DataSeed)
    {
        public override string ToString()
            => $"{Mode} {Element} {Shape}{(SourceDelta != 0 ? $" srcLen{SourceDelta:+0;-0}" : "")} factor {Factor}{(Mode == BlockMode.Fixed ? $" offset {Offset}" : "")}" +
               $"{(Mode == BlockMode.Random ? $" seed {Seed}" : "")} outputSize {BlockConvGen.Show(OutputSize)}{(DestinationDelta != 0 ? $" dstLen{DestinationDelta:+0;-0}" : "")}" +
               $" {Placement}{(Placement == Placement.Overlapping ? $"@{Shift}" : "")} src {SourceSide} dst {DestinationSide} threads {Degree} data {DataSeed}";
    }

    private static Gen<SpanCase> SpanCases(BlockMode mode) =>
        from element in NumberElement
        from shape in SpanShape
        from sourceDelta in BlockConvGen.LengthDelta
        from factor in BlockConvGen.Pair(BlockConvGen.Hostile)
        from offset in OffsetIn(factor)
        from outputSize in OutputSizeNear(shape, factor)
        from seed in Gen.ULong
        from destinationDelta in BlockConvGen.LengthDelta
        from placement in Placements
        from shift in Gen.Int[0, int.MaxValue]
        from sides in BlockConvGen.Sides
        from degree in CaseThreads.Degree
        from data in Gen.Int
        select new SpanCase(mode, element, shape, sourceDelta, factor, mode == BlockMode.Fixed ? offset : default, outputSize, seed, destinationDelta, placement, shift, sides.Item1, sides.Item2, degree, data);

    private static readonly Gen<Placement> Placements = Gen.Frequency((40, Gen.Const(Placement.Separate)), (6, Gen.Const(Placement.Overlapping)), (3, Gen.Const(Placement.Adjacent)));

    /// <summary>Whether the model's output (when it gets that far) has more elements than an array holds.</summary>
    private static bool OutputPastArrayMaxLength(SpanCase c)
    {
        if (!BlockConvGen.Valid(c.Shape))
        {
            return false;
        }

        (Refusal? refusal, Size2D size) = ResolveSize(c.Mode, c.Shape, c.Factor, c.Offset, c.OutputSize, "outputSize");
        return refusal is null && BlockConvGen.Count(c.Shape.WithSpatialSize(size)) > Array.MaxLength;
    }

    /// <summary>A small valid source with a factor of 30 000 .. int.MaxValue: outputs around and past Array.MaxLength.</summary>
    private static Gen<SpanCase> HugeOutputCases(BlockMode mode) =>
        from element in NumberElement
        from shape in Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 3], static (n, c, h, w) => new Shape4D(n, c, h, w))
        from factor in BlockConvGen.Pair(Gen.Frequency((2, BlockConvGen.Edge), (1, Gen.Int[30_000, 50_000]), (1, Gen.Int[1, 3])))
        from offset in OffsetIn(factor)
        from outputSize in OutputSizeNear(shape, factor)
        from seed in Gen.ULong
        from sides in BlockConvGen.Sides
        from data in Gen.Int
        select new SpanCase(mode, element, shape, 0, factor, mode == BlockMode.Fixed ? offset : default, outputSize, seed, 0, Placement.Separate, 0, sides.Item1, sides.Item2, 0, data);

    /// <summary>The 2^29-element span passed as source and destination, of 4- and 8-byte types (2^31 and 2^32 bytes).</summary>
    private static Gen<SpanCase> HugeSelfCases(BlockMode mode) =>
        from element in Gen.OneOf(BlockElement.Float, BlockElement.Int32, BlockElement.Double, BlockElement.Int64)
        from degree in CaseThreads.Degree
        select new SpanCase(mode, element, new Shape4D(1, 1, 1 << 14, 1 << 15), 0, new Size2D(1, 1), default, null, 0, 0, Placement.HugeSelf, 0, GuardSide.After, GuardSide.After, degree, 0);

    [Theory]
    [InlineData(BlockMode.Fixed)]
    [InlineData(BlockMode.Random)]
    [InlineData(BlockMode.Repeat)]
    public void SpanForm(BlockMode mode)
        => Property.Check($"{mode}Unpool2D(span)", SpanCases(mode).Where(c => !OutputPastArrayMaxLength(c)), static (c, tally) => DispatchNumber(c.Element, new SpanRun(c, tally)), 2000, static c => c.ToString());

    /// <summary>Outputs past Array.MaxLength: refused naming the factor, or the output size when the caller gave one.</summary>
    [Theory]
    [InlineData(BlockMode.Fixed)]
    [InlineData(BlockMode.Random)]
    [InlineData(BlockMode.Repeat)]
    public void SpanFormOutputPastArrayMaxLength(BlockMode mode)
        => Property.Check($"{mode}Unpool2D(span) huge output", HugeOutputCases(mode), static (c, tally) => DispatchNumber(c.Element, new SpanRun(c, tally)), 300, static c => c.ToString());

    /// <summary>A destination that is the source, 2^29 elements long: refused as an overlap, nothing touched.</summary>
    [Theory]
    [InlineData(BlockMode.Fixed)]
    [InlineData(BlockMode.Random)]
    [InlineData(BlockMode.Repeat)]
    public void SpanFormHugeOverlap(BlockMode mode)
        => Property.Check($"{mode}Unpool2D(span) 2^29 overlap", HugeSelfCases(mode), static (c, tally) => DispatchNumber(c.Element, new SpanRun(c, tally)), 3, static c => c.ToString());

    /// <summary>
    /// The factor/offset/output-size rules shared by every form (SEMANTICS 2 and 3 and the XML docs): factor &gt;= 1,
    /// offset inside the block (fixed only), an explicit size strictly between <c>default - factor</c> and
    /// <c>default + factor</c> and &gt;= 1, a default size of at most int.MaxValue per axis.
    /// </summary>
    private static (Refusal? Refusal, Size2D Size) ResolveSize(BlockMode mode, Shape4D shape, Size2D factor, Size2D offset, Size2D? requested, string requestedName)
    {
        if (factor.Height < 1 || factor.Width < 1)
        {
            return (Refusal.Range("factor"), default);
        }

        if (mode == BlockMode.Fixed && (offset.Height < 0 || offset.Width < 0 || offset.Height >= factor.Height || offset.Width >= factor.Width))
        {
            return (Refusal.Range("offset"), default);
        }

        long h = (long)shape.Height * factor.Height, w = (long)shape.Width * factor.Width;
        if (requested is { } r)
        {
            return Fits(r.Height, h, factor.Height) && Fits(r.Width, w, factor.Width) ? (null, r) : (Refusal.Arg(requestedName), default);
        }

        return h > int.MaxValue || w > int.MaxValue ? (Refusal.Arg("factor"), default) : (null, new Size2D((int)h, (int)w));

        static bool Fits(int value, long byDefault, int factor) => value >= 1 && value > byDefault - factor && value < byDefault + factor;
    }

    /// <summary>
    /// The span form's model. An output of more than Array.MaxLength elements names the argument that made it: the
    /// factor, unless the caller gave the output size (the rule the allocating forms follow since defect 9's fix).
    /// </summary>
    private static (Refusal? Refusal, Size2D Size) SpanModel(SpanCase c, int sourceLength)
    {
        if (!BlockConvGen.Valid(c.Shape))
        {
            return (Refusal.Arg("sourceShape"), default);
        }

        if (sourceLength != BlockConvGen.Count(c.Shape))
        {
            return (Refusal.Arg("source"), default);
        }

        (Refusal? refusal, Size2D size) = ResolveSize(c.Mode, c.Shape, c.Factor, c.Offset, c.OutputSize, "outputSize");
        if (refusal is null && BlockConvGen.Count(c.Shape.WithSpatialSize(size)) > Array.MaxLength)
        {
            refusal = Refusal.Arg(c.OutputSize is null ? "factor" : "outputSize");
        }

        return (refusal, size);
    }

    private readonly struct SpanRun(SpanCase c, Property.Tally tally) : INumberRun
    {
        public void Run<T>()
            where T : unmanaged, INumberBase<T>
        {
            int sourceLength = c.Placement == Placement.HugeSelf ? HugeCount : BlockConvGen.BufferLength(BlockConvGen.Count(c.Shape), c.SourceDelta);
            (Refusal? refusal, Size2D size) = SpanModel(c, sourceLength);
            Shape4D outputShape = c.Shape.WithSpatialSize(size);
            int destinationLength = c.Placement == Placement.HugeSelf ? HugeCount
                : BlockConvGen.BufferLength(refusal is null ? BlockConvGen.Count(outputShape) : -1, c.DestinationDelta);
            if (refusal is null && destinationLength != BlockConvGen.Count(outputShape))
            {
                refusal = Refusal.Arg("destination");
            }

            using var buffers = new SpanBuffers<T>(c.Placement, sourceLength, destinationLength, c.Shift, c.SourceSide, c.DestinationSide, c.DataSeed);
            if (refusal is null && buffers.Overlap)
            {
                refusal = Refusal.Arg("destination");
            }

            var options = CaseThreads.Options(c.Degree);
            string context = $"{c.Mode}Unpool2D<{typeof(T).Name}>(span) {c}";
            SpanCase k = c;
            SpanBuffers<T> b = buffers;
            Action call = c.Mode switch
            {
                BlockMode.Fixed => () => Functional.FixedUnpool2D<T>(b.Source, k.Shape, k.Factor, b.Destination, k.Offset, k.OutputSize, options),
                BlockMode.Random => () => Functional.RandomUnpool2D<T>(b.Source, k.Shape, k.Factor, k.Seed, b.Destination, k.OutputSize, options),
                _ => () => Functional.RepeatUnpool2D<T>(b.Source, k.Shape, k.Factor, b.Destination, k.OutputSize, options),
            };

            if (refusal is { } r)
            {
                byte[] before = buffers.Snapshot();
                string category = r.Check(call, context);
                buffers.AssertUnchanged(before, context);
                tally.Add(buffers.Overlap && r.Param == "destination" && destinationLength == BlockConvGen.Count(outputShape) ? category + " (overlap)" : category);
                return;
            }

            call();
            T[] x = buffers.Source.ToArray();
            T[] expected = Oracle(c.Mode, x, c.Shape, c.Factor, c.Offset, c.Seed, size);
            Assert.True(Property.SameBytes<T>(expected, buffers.Destination), $"{context}: the destination differs from UnpoolReference.");
            tally.Add(outputShape.ElementCount == 0 ? "result: empty" : c.OutputSize is null ? "result" : "result: explicit size");
        }
    }

    private static T[] Oracle<T>(BlockMode mode, T[] x, Shape4D s, Size2D f, Size2D o, ulong seed, Size2D size)
        where T : INumberBase<T>
    {
        int planes = (int)s.PlaneCount;
        return mode switch
        {
            BlockMode.Fixed => UnpoolReference.Fixed(x, planes, s.Height, s.Width, f.Height, f.Width, o.Height, o.Width, size.Height, size.Width),
            BlockMode.Random => UnpoolReference.Random(x, planes, s.Height, s.Width, f.Height, f.Width, seed, size.Height, size.Width),
            _ => UnpoolReference.Repeat(x, planes, s.Height, s.Width, f.Height, f.Width, size.Height, size.Width),
        };
    }

    // ---------------------------------------------------------------- TensorSpan form

    internal sealed record TensorCase(
        BlockMode Mode, BlockElement Element, nint[] SourceLengths, ViewKind SourceKind, int Pad, nint[] DestinationLengths, ViewKind DestinationKind,
        Size2D Factor, Size2D Offset, ulong Seed, bool Shared, int Pick, GuardSide SourceSide, GuardSide DestinationSide, int Degree, int DataSeed)
    {
        public override string ToString()
            => $"{Mode} {Element} src [{string.Join(", ", SourceLengths)}] {SourceKind} pad {Pad} dst [{string.Join(", ", DestinationLengths)}] {DestinationKind}" +
               $" factor {Factor}{(Mode == BlockMode.Fixed ? $" offset {Offset}" : "")}{(Mode == BlockMode.Random ? $" seed {Seed}" : "")}" +
               $"{(Shared ? $" shared@{Pick}" : "")} src {SourceSide} dst {DestinationSide} threads {Degree} data {DataSeed}";
    }

    /// <summary>A destination's lengths for <paramref name="source"/>: the same N and C (or one off), H and W near the default, or another rank.</summary>
    private static Gen<nint[]> DestinationLengthsFor(nint[] source, Size2D factor) =>
        source.Length != 4
            ? Gen.Const(source.Length == 3 ? new nint[] { 1, source[0], source[1], source[2] } : source)
            : Gen.Frequency(
                (12, Gen.Select(Gen.Int[0, 6], Gen.Int[0, 6], (a, b) => new nint[] { source[0], source[1], Clamp(Near((int)source[2], factor.Height, a)), Clamp(Near((int)source[3], factor.Width, b)) })),
                (1, Gen.Select(Gen.Int[0, 3], Gen.Bool, (d, n) => n ? new nint[] { d, source[1], source[2] * 2, source[3] * 2 } : new nint[] { source[0], d, source[2] * 2, source[3] * 2 })),
                (1, Gen.Const(new nint[] { source[0], source[1], source[2] * 2 })));

    /// <summary>A destination axis clamped to [0, 2^12] (an axis near the default of a huge factor stays huge, the rest is small).</summary>
    private static nint Clamp(int value) => Math.Clamp(value, 0, 1 << 12);

    private static Gen<TensorCase> TensorCases(BlockMode mode, bool shared) =>
        from element in NumberElement
        from source in TensorLengths
        from sourceKind in SourceKind
        from pad in Gen.Int[1, 3]
        from factor in BlockConvGen.Pair(BlockConvGen.Hostile)
        from offset in OffsetIn(factor)
        from destination in DestinationLengthsFor(source, factor)
        from destinationKind in DestinationKind
        from seed in Gen.ULong
        from pick in Gen.Int[0, int.MaxValue]
        from sides in BlockConvGen.Sides
        from degree in CaseThreads.Degree
        from data in Gen.Int
        select new TensorCase(mode, element, source, sourceKind, pad, destination, destinationKind, factor, mode == BlockMode.Fixed ? offset : default, seed, shared, pick, sides.Item1, sides.Item2, degree, data);

    /// <summary>Cases whose destination the test can allocate (at most 2^16 elements, or an empty batch).</summary>
    private static bool Allocatable(nint[] lengths)
        => lengths.Any(l => l == 0) || lengths.Aggregate((Int128)1, (p, l) => p * l) <= 1 << 16;

    [Theory]
    [InlineData(BlockMode.Fixed)]
    [InlineData(BlockMode.Random)]
    [InlineData(BlockMode.Repeat)]
    public void TensorSpanForm(BlockMode mode)
        => Property.Check(
            $"{mode}Unpool2D(TensorSpan)",
            TensorCases(mode, shared: false).Where(c => Allocatable(c.SourceLengths) && Allocatable(c.DestinationLengths)),
            static (c, tally) => DispatchNumber(c.Element, new TensorRun(c, tally)),
            1500,
            static c => c.ToString());

    /// <summary>A destination view over the source's memory (its first element on one of the source's): refused, however strided.</summary>
    [Theory]
    [InlineData(BlockMode.Fixed)]
    [InlineData(BlockMode.Random)]
    [InlineData(BlockMode.Repeat)]
    public void TensorSpanFormOverlap(BlockMode mode)
        => Property.Check(
            $"{mode}Unpool2D(TensorSpan) overlap",
            TensorCases(mode, shared: true).Where(c => Allocatable(c.SourceLengths) && Allocatable(c.DestinationLengths)),
            static (c, tally) => DispatchNumber(c.Element, new TensorRun(c, tally)),
            300,
            static c => c.ToString());

    /// <summary>
    /// The TensorSpan form's model: the source tensor, then the destination tensor (rank 4, valid, the source's N and
    /// C), then factor and offset, then the destination's spatial size as the explicit output size (naming
    /// destination), then overlap: a destination sharing any element with the source is refused, however the views
    /// are strided (SEMANTICS 6).
    /// </summary>
    private static (Refusal? Refusal, Shape4D Source, Shape4D Destination) TensorModel(TensorCase c, bool overlap)
    {
        if (!ShapeOf(c.SourceLengths, out Shape4D source))
        {
            return (Refusal.Arg("source"), default, default);
        }

        if (!ShapeOf(c.DestinationLengths, out Shape4D destination) || destination.Batch != source.Batch || destination.Channels != source.Channels)
        {
            return (Refusal.Arg("destination"), source, default);
        }

        (Refusal? refusal, _) = ResolveSize(c.Mode, source, c.Factor, c.Offset, destination.SpatialSize, "destination");
        return (refusal ?? (overlap ? Refusal.Arg("destination") : null), source, destination);
    }

    /// <summary>A rank-4 tensor's shape when it is one the library accepts.</summary>
    internal static bool ShapeOf(nint[] lengths, out Shape4D shape)
    {
        shape = default;
        if (lengths.Length != 4 || lengths.Any(l => l > int.MaxValue))
        {
            return false;
        }

        shape = new Shape4D((int)lengths[0], (int)lengths[1], (int)lengths[2], (int)lengths[3]);
        return BlockConvGen.Valid(shape);
    }

    private readonly struct TensorRun(TensorCase c, Property.Tally tally) : INumberRun
    {
        public void Run<T>()
            where T : unmanaged, INumberBase<T>
        {
            using var views = new ViewPair<T>(c.SourceLengths, c.SourceKind, c.Pad, c.DestinationLengths, c.DestinationKind, c.Shared, c.Pick, c.SourceSide, c.DestinationSide, c.DataSeed);
            (Refusal? refusal, Shape4D source, Shape4D destination) = TensorModel(c, views.Overlap);
            var options = CaseThreads.Options(c.Degree);
            string context = $"{c.Mode}Unpool2D<{typeof(T).Name}>(TensorSpan) {c}";
            TensorCase k = c;
            ViewPair<T> v = views;
            Action call = c.Mode switch
            {
                BlockMode.Fixed => () => Functional.FixedUnpool2D<T>(v.Source.ReadOnly, k.Factor, v.Destination.Writable, k.Offset, options),
                BlockMode.Random => () => Functional.RandomUnpool2D<T>(v.Source.ReadOnly, k.Factor, k.Seed, v.Destination.Writable, options),
                _ => () => Functional.RepeatUnpool2D<T>(v.Source.ReadOnly, k.Factor, v.Destination.Writable, options),
            };

            byte[] before = views.Snapshot();
            if (refusal is { } r)
            {
                string category = r.Check(call, context);
                views.AssertUnchanged(before, context);
                tally.Add(views.Overlap && r.Param == "destination" ? category + " (overlap)" : category);
                return;
            }

            call();
            T[] expected = Oracle(c.Mode, views.Source.Logical(), source, c.Factor, c.Offset, c.Seed, destination.SpatialSize);
            Assert.True(Property.SameBytes<T>(expected, views.Destination.Logical()), $"{context}: the destination differs from UnpoolReference.");
            views.AssertOnlyDestinationWritten(before, context);
            tally.Add(destination.ElementCount == 0 ? "result: empty" : c.SourceKind == ViewKind.Dense && c.DestinationKind == ViewKind.Dense ? "result: dense" : "result: strided view");
        }
    }

    // ---------------------------------------------------------------- allocating forms (Tensor, ReadOnlyTensorSpan)

    internal sealed record AllocatingCase(
        BlockMode Mode, BlockElement Element, nint[] Lengths, ViewKind Kind, int Pad, bool NullSource, Size2D Factor, Size2D Offset, Size2D? OutputSize,
        ulong Seed, GuardSide Side, int Degree, int DataSeed)
    {
        public override string ToString()
            => $"{Mode} {Element} {(NullSource ? "null" : $"[{string.Join(", ", Lengths)}] {Kind} pad {Pad}")} factor {Factor}" +
               $"{(Mode == BlockMode.Fixed ? $" offset {Offset}" : "")}{(Mode == BlockMode.Random ? $" seed {Seed}" : "")} outputSize {BlockConvGen.Show(OutputSize)} {Side} threads {Degree} data {DataSeed}";
    }

    private static Gen<AllocatingCase> AllocatingCases(BlockMode mode, bool tensor) =>
        from element in NumberElement
        from lengths in TensorLengths
        from kind in tensor ? Gen.Const(ViewKind.Dense) : SourceKind
        from pad in Gen.Int[1, 3]
        from nullSource in tensor ? Gen.Frequency((60, Gen.Const(false)), (1, Gen.Const(true))) : Gen.Const(false)
        from factor in BlockConvGen.Pair(BlockConvGen.Hostile)
        from offset in OffsetIn(factor)
        from outputSize in OutputSizeNear(lengths.Length == 4 ? new Shape4D(0, 0, (int)Math.Min(lengths[2], int.MaxValue), (int)Math.Min(lengths[3], int.MaxValue)) : default, factor)
        from seed in Gen.ULong
        from side in BlockConvGen.Side
        from degree in CaseThreads.Degree
        from data in Gen.Int
        select new AllocatingCase(mode, element, lengths, kind, pad, nullSource, factor, mode == BlockMode.Fixed ? offset : default, outputSize, seed, side, degree, data);

    /// <summary>
    /// The allocating forms' model: a null tensor, then the source (rank 4, valid), then factor, offset and output size,
    /// then an output no array holds (naming factor, or outputSize when the caller gave one).
    /// </summary>
    private static (Refusal? Refusal, Shape4D Source, Size2D Size) AllocatingModel(AllocatingCase c)
    {
        if (c.NullSource)
        {
            return (Refusal.Null("source"), default, default);
        }

        if (!ShapeOf(c.Lengths, out Shape4D source))
        {
            return (Refusal.Arg("source"), default, default);
        }

        (Refusal? refusal, Size2D size) = ResolveSize(c.Mode, source, c.Factor, c.Offset, c.OutputSize, "outputSize");
        if (refusal is null && BlockConvGen.Count(source.WithSpatialSize(size)) > Array.MaxLength)
        {
            refusal = Refusal.Arg(c.OutputSize is null ? "factor" : "outputSize");
        }

        return (refusal, source, size);
    }

    /// <summary>Valid cases the test host can hold: at most 2^16 output elements.</summary>
    private static bool SmallResult(AllocatingCase c)
    {
        (Refusal? refusal, Shape4D source, Size2D size) = AllocatingModel(c);
        return refusal is not null || BlockConvGen.Count(source.WithSpatialSize(size)) <= 1 << 16;
    }

    [Theory]
    [InlineData(BlockMode.Fixed)]
    [InlineData(BlockMode.Random)]
    [InlineData(BlockMode.Repeat)]
    public void TensorForm(BlockMode mode)
        => Property.Check($"{mode}Unpool2D(Tensor)", AllocatingCases(mode, tensor: true).Where(SmallResult), static (c, tally) => DispatchNumber(c.Element, new AllocatingRun(c, tally, IsTensor: true)), 1000, static c => c.ToString());

    [Theory]
    [InlineData(BlockMode.Fixed)]
    [InlineData(BlockMode.Random)]
    [InlineData(BlockMode.Repeat)]
    public void ReadOnlyTensorSpanForm(BlockMode mode)
        => Property.Check($"{mode}Unpool2D(ReadOnlyTensorSpan)", AllocatingCases(mode, tensor: false).Where(SmallResult), static (c, tally) => DispatchNumber(c.Element, new AllocatingRun(c, tally, IsTensor: false)), 1000, static c => c.ToString());

    private readonly record struct AllocatingRun(AllocatingCase C, Property.Tally Tally, bool IsTensor) : INumberRun
    {
        public void Run<T>()
            where T : unmanaged, INumberBase<T>
        {
            AllocatingCase c = C;
            (Refusal? refusal, Shape4D source, Size2D size) = AllocatingModel(c);
            using var view = GuardedTensor<T>.Create(c.Lengths, c.Kind, c.Pad, c.Side, c.DataSeed, readOnly: true);
            Tensor<T>? tensor = c.NullSource ? null : IsTensor ? Tensor.Create(view.Logical(), c.Lengths) : null;
            var options = CaseThreads.Options(c.Degree);
            string context = $"{c.Mode}Unpool2D<{typeof(T).Name}>({(IsTensor ? "Tensor" : "ReadOnlyTensorSpan")}) {c}";
            bool isTensor = IsTensor;
            Tensor<T>? result = null;
            Action call = () =>
            {
                ReadOnlyTensorSpan<T> s = view.ReadOnly;
                result = (c.Mode, isTensor) switch
                {
                    (BlockMode.Fixed, true) => Functional.FixedUnpool2D(tensor!, c.Factor, c.Offset, c.OutputSize, options),
                    (BlockMode.Fixed, false) => Functional.FixedUnpool2D(s, c.Factor, c.Offset, c.OutputSize, options),
                    (BlockMode.Random, true) => Functional.RandomUnpool2D(tensor!, c.Factor, c.Seed, c.OutputSize, options),
                    (BlockMode.Random, false) => Functional.RandomUnpool2D(s, c.Factor, c.Seed, c.OutputSize, options),
                    (_, true) => Functional.RepeatUnpool2D(tensor!, c.Factor, c.OutputSize, options),
                    _ => Functional.RepeatUnpool2D(s, c.Factor, c.OutputSize, options),
                };
            };

            if (refusal is { } r)
            {
                Tally.Add(r.Check(call, context));
                return;
            }

            call();
            Shape4D outputShape = source.WithSpatialSize(size);
            Assert.Equal(BlockConvGen.Lengths(outputShape), result!.Lengths.ToArray());
            T[] expected = Oracle(c.Mode, view.Logical(), source, c.Factor, c.Offset, c.Seed, size);
            var actual = new T[expected.Length];
            result.AsReadOnlyTensorSpan().FlattenTo(actual);
            Assert.True(Property.SameBytes<T>(expected, actual), $"{context}: the result differs from UnpoolReference.");
            Tally.Add(outputShape.ElementCount == 0 ? "result: empty" : c.Kind == ViewKind.Dense ? "result: dense" : "result: strided view");
        }
    }

    // ---------------------------------------------------------------- zero insertion and strided subsample

    internal sealed record StridedSpanCase(
        bool Insert, BlockElement Element, Shape4D Shape, int SourceDelta, Size2D Stride, int DestinationDelta, Placement Placement, int Shift,
        GuardSide SourceSide, GuardSide DestinationSide, int Degree, int DataSeed)
    {
        public override string ToString()
            => $"{(Insert ? "ZeroInsert2D" : "StridedSubsample2D")} {Element} {Shape}{(SourceDelta != 0 ? $" srcLen{SourceDelta:+0;-0}" : "")} stride {Stride}" +
               $"{(DestinationDelta != 0 ? $" dstLen{DestinationDelta:+0;-0}" : "")} {Placement}{(Placement == Placement.Overlapping ? $"@{Shift}" : "")} src {SourceSide} dst {DestinationSide} threads {Degree} data {DataSeed}";
    }

    private static Gen<StridedSpanCase> StridedSpanCases(bool insert) =>
        from element in AnyElement
        from shape in SpanShape
        from sourceDelta in BlockConvGen.LengthDelta
        from stride in BlockConvGen.Pair(BlockConvGen.Hostile)
        from destinationDelta in BlockConvGen.LengthDelta
        from placement in Placements
        from shift in Gen.Int[0, int.MaxValue]
        from sides in BlockConvGen.Sides
        from degree in CaseThreads.Degree
        from data in Gen.Int
        select new StridedSpanCase(insert, element, shape, sourceDelta, stride, destinationDelta, placement, shift, sides.Item1, sides.Item2, degree, data);

    /// <summary>
    /// SEMANTICS 4: zero insertion gives <c>(n - 1) * s + 1</c> per axis, the subsample <c>(n - 1) / s + 1</c>; a stride
    /// below 1 is out of range, an output past int.MaxValue per axis or Array.MaxLength in all is the stride's fault.
    /// </summary>
    private static (Refusal? Refusal, Shape4D Output) StridedOutput(bool insert, Shape4D shape, Size2D stride)
    {
        if (stride.Height < 1 || stride.Width < 1)
        {
            return (Refusal.Range("stride"), default);
        }

        long h = insert ? ((long)(shape.Height - 1) * stride.Height) + 1 : ((shape.Height - 1) / stride.Height) + 1;
        long w = insert ? ((long)(shape.Width - 1) * stride.Width) + 1 : ((shape.Width - 1) / stride.Width) + 1;
        if (h > int.MaxValue || w > int.MaxValue)
        {
            return (Refusal.Arg("stride"), default);
        }

        Shape4D output = shape.WithSpatialSize(new Size2D((int)h, (int)w));
        return BlockConvGen.Count(output) > Array.MaxLength ? (Refusal.Arg("stride"), output) : (null, output);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StridedSpanForm(bool insert)
        => Property.Check(
            insert ? "ZeroInsert2D(span)" : "StridedSubsample2D(span)", StridedSpanCases(insert), static (c, tally) => DispatchAny(c.Element, new StridedSpanRun(c, tally)), 1500, static c => c.ToString());

    /// <summary>The 2^29-element span passed as source and destination (stride 1): refused as an overlap, nothing touched.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StridedSpanFormHugeOverlap(bool insert)
        => Property.Check(
            insert ? "ZeroInsert2D(span) 2^29 overlap" : "StridedSubsample2D(span) 2^29 overlap",
            from element in Gen.OneOf(BlockElement.Float, BlockElement.Int32, BlockElement.Double, BlockElement.Int64)
            from degree in CaseThreads.Degree
            select new StridedSpanCase(insert, element, new Shape4D(1, 1, 1 << 14, 1 << 15), 0, new Size2D(1, 1), 0, Placement.HugeSelf, 0, GuardSide.After, GuardSide.After, degree, 0),
            static (c, tally) => DispatchAny(c.Element, new StridedSpanRun(c, tally)),
            3,
            static c => c.ToString());

    private readonly struct StridedSpanRun(StridedSpanCase c, Property.Tally tally) : IAnyRun
    {
        public void Run<T>()
            where T : unmanaged
        {
            int sourceLength = c.Placement == Placement.HugeSelf ? HugeCount : BlockConvGen.BufferLength(BlockConvGen.Count(c.Shape), c.SourceDelta);
            Refusal? refusal = null;
            Shape4D output = default;
            if (!BlockConvGen.Valid(c.Shape))
            {
                refusal = Refusal.Arg("sourceShape");
            }
            else if (sourceLength != BlockConvGen.Count(c.Shape))
            {
                refusal = Refusal.Arg("source");
            }
            else
            {
                (refusal, output) = StridedOutput(c.Insert, c.Shape, c.Stride);
            }

            int destinationLength = c.Placement == Placement.HugeSelf ? HugeCount
                : BlockConvGen.BufferLength(refusal is null ? BlockConvGen.Count(output) : -1, c.DestinationDelta);
            if (refusal is null && destinationLength != BlockConvGen.Count(output))
            {
                refusal = Refusal.Arg("destination");
            }

            using var buffers = new SpanBuffers<T>(c.Placement, sourceLength, destinationLength, c.Shift, c.SourceSide, c.DestinationSide, c.DataSeed);
            if (refusal is null && buffers.Overlap)
            {
                refusal = Refusal.Arg("destination");
            }

            var options = CaseThreads.Options(c.Degree);
            string context = $"{c}<{typeof(T).Name}>(span)";
            StridedSpanCase k = c;
            SpanBuffers<T> b = buffers;
            Action call = c.Insert
                ? () => Functional.ZeroInsert2D<T>(b.Source, k.Shape, k.Stride, b.Destination, options)
                : () => Functional.StridedSubsample2D<T>(b.Source, k.Shape, k.Stride, b.Destination, options);
            if (refusal is { } r)
            {
                byte[] before = buffers.Snapshot();
                string category = r.Check(call, context);
                buffers.AssertUnchanged(before, context);
                tally.Add(buffers.Overlap && r.Param == "destination" && destinationLength == BlockConvGen.Count(output) ? category + " (overlap)" : category);
                return;
            }

            call();
            T[] expected = StridedOracle(c.Insert, buffers.Source.ToArray(), c.Shape, c.Stride);
            Assert.True(Property.SameBytes<T>(expected, buffers.Destination), $"{context}: the destination differs from UnpoolReference.");
            tally.Add(output.ElementCount == 0 ? "result: empty" : "result");
        }
    }

    /// <summary>
    /// Zero insertion through <see cref="UnpoolReference.ZeroInsert{T}"/>; the subsample as its left inverse, read
    /// straight from the definition <c>x[i, j] = z[i*sH, j*sW]</c> (UnpoolReference has no subsample for any unmanaged type).
    /// </summary>
    private static T[] StridedOracle<T>(bool insert, T[] x, Shape4D s, Size2D stride)
        where T : unmanaged
    {
        int planes = (int)s.PlaneCount;
        if (insert)
        {
            return planes == 0 ? [] : UnpoolReference.ZeroInsert(x, planes, s.Height, s.Width, stride.Height, stride.Width);
        }

        int h = ((s.Height - 1) / stride.Height) + 1, w = ((s.Width - 1) / stride.Width) + 1;
        var y = new T[(long)planes * h * w];
        for (long p = 0; p < planes; p++)
        {
            for (long i = 0; i < h; i++)
            {
                for (long j = 0; j < w; j++)
                {
                    y[(((p * h) + i) * w) + j] = x[(((p * s.Height) + (i * stride.Height)) * s.Width) + (j * stride.Width)];
                }
            }
        }

        return y;
    }

    internal sealed record StridedTensorCase(
        bool Insert, BlockElement Element, nint[] SourceLengths, ViewKind SourceKind, int Pad, Size2D Stride, int DestinationChange, ViewKind DestinationKind,
        bool Shared, int Pick, GuardSide SourceSide, GuardSide DestinationSide, int Degree, int DataSeed)
    {
        public override string ToString()
            => $"{(Insert ? "ZeroInsert2D" : "StridedSubsample2D")} {Element} src [{string.Join(", ", SourceLengths)}] {SourceKind} pad {Pad} stride {Stride}" +
               $" dst change {DestinationChange} {DestinationKind}{(Shared ? $" shared@{Pick}" : "")} src {SourceSide} dst {DestinationSide} threads {Degree} data {DataSeed}";
    }

    private static Gen<StridedTensorCase> StridedTensorCases(bool insert, bool shared) =>
        from element in AnyElement
        from source in TensorLengths
        from sourceKind in SourceKind
        from pad in Gen.Int[1, 3]
        from stride in BlockConvGen.Pair(BlockConvGen.Hostile)
        from change in Gen.Frequency((12, Gen.Const(0)), (1, Gen.Int[1, 6]))
        from destinationKind in DestinationKind
        from pick in Gen.Int[0, int.MaxValue]
        from sides in BlockConvGen.Sides
        from degree in CaseThreads.Degree
        from data in Gen.Int
        select new StridedTensorCase(insert, element, source, sourceKind, pad, stride, change, destinationKind, shared, pick, sides.Item1, sides.Item2, degree, data);

    /// <summary>The destination a strided case passes: the right shape, or it changed by <paramref name="change"/> (1..4: an axis +-1, 5: rank 3, 6: rank 5).</summary>
    private static nint[] StridedDestination(Shape4D output, int change)
    {
        nint[] l = BlockConvGen.Lengths(output);
        switch (change)
        {
            case 0: return l;
            case 5: return [l[0], l[1], l[2] * l[3]];
            case 6: return [1, l[0], l[1], l[2], l[3]];
            default:
                l[change - 1] += l[change - 1] == 0 || change % 2 == 0 ? 1 : -1;
                return l;
        }
    }

    /// <summary>The destination lengths of a strided tensor case (a source the library refuses gets a 1x1 destination).</summary>
    private static nint[] StridedDestinationOf(StridedTensorCase c)
    {
        if (ShapeOf(c.SourceLengths, out Shape4D shape) && StridedOutput(c.Insert, shape, c.Stride) is (null, var output))
        {
            if (!Allocatable(BlockConvGen.Lengths(output)))
            {
                return [output.Batch, output.Channels, 1, 1];
            }

            // A change can make an empty output (N = 0 with huge planes) a huge one no memory holds: then a small wrong shape.
            nint[] changed = StridedDestination(output, c.DestinationChange);
            return Allocatable(changed) ? changed : output.SpatialSize == new Size2D(1, 1) ? [output.Batch, output.Channels, 1, 2] : [output.Batch, output.Channels, 1, 1];
        }

        return [1, 1, 1, 1];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StridedTensorSpanForm(bool insert)
        => Property.Check(
            insert ? "ZeroInsert2D(TensorSpan)" : "StridedSubsample2D(TensorSpan)",
            StridedTensorCases(insert, shared: false).Where(c => Allocatable(c.SourceLengths)),
            static (c, tally) => DispatchAny(c.Element, new StridedTensorRun(c, tally)),
            1500,
            static c => c.ToString());

    /// <summary>A destination view over the source's memory: refused, however strided.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StridedTensorSpanFormOverlap(bool insert)
        => Property.Check(
            insert ? "ZeroInsert2D(TensorSpan) overlap" : "StridedSubsample2D(TensorSpan) overlap",
            StridedTensorCases(insert, shared: true).Where(c => Allocatable(c.SourceLengths)),
            static (c, tally) => DispatchAny(c.Element, new StridedTensorRun(c, tally)),
            300,
            static c => c.ToString());

    private readonly struct StridedTensorRun(StridedTensorCase c, Property.Tally tally) : IAnyRun
    {
        public void Run<T>()
            where T : unmanaged
        {
            nint[] destinationLengths = StridedDestinationOf(c);
            using var views = new ViewPair<T>(c.SourceLengths, c.SourceKind, c.Pad, destinationLengths, c.DestinationKind, c.Shared, c.Pick, c.SourceSide, c.DestinationSide, c.DataSeed);
            Refusal? refusal = null;
            Shape4D output = default;
            if (!ShapeOf(c.SourceLengths, out Shape4D source))
            {
                refusal = Refusal.Arg("source");
            }
            else
            {
                (refusal, output) = StridedOutput(c.Insert, source, c.Stride);
                if (refusal is null && !destinationLengths.SequenceEqual(BlockConvGen.Lengths(output)))
                {
                    refusal = Refusal.Arg("destination");
                }
                else if (refusal is null && views.Overlap)
                {
                    refusal = Refusal.Arg("destination");
                }
            }

            var options = CaseThreads.Options(c.Degree);
            string context = $"{c}<{typeof(T).Name}>(TensorSpan)";
            StridedTensorCase k = c;
            ViewPair<T> v = views;
            Action call = c.Insert
                ? () => Functional.ZeroInsert2D<T>(v.Source.ReadOnly, k.Stride, v.Destination.Writable, options)
                : () => Functional.StridedSubsample2D<T>(v.Source.ReadOnly, k.Stride, v.Destination.Writable, options);
            byte[] before = views.Snapshot();
            if (refusal is { } r)
            {
                string category = r.Check(call, context);
                views.AssertUnchanged(before, context);
                tally.Add(views.Overlap && r.Param == "destination" ? category + " (overlap)" : category);
                return;
            }

            call();
            T[] expected = StridedOracle(c.Insert, views.Source.Logical(), source, c.Stride);
            Assert.True(Property.SameBytes<T>(expected, views.Destination.Logical()), $"{context}: the destination differs from the reference.");
            views.AssertOnlyDestinationWritten(before, context);
            tally.Add(output.ElementCount == 0 ? "result: empty" : c.SourceKind == ViewKind.Dense && c.DestinationKind == ViewKind.Dense ? "result: dense" : "result: strided view");
        }
    }

    internal sealed record StridedAllocatingCase(bool Insert, BlockElement Element, nint[] Lengths, ViewKind Kind, int Pad, bool NullSource, Size2D Stride, GuardSide Side, int Degree, int DataSeed)
    {
        public override string ToString()
            => $"{(Insert ? "ZeroInsert2D" : "StridedSubsample2D")} {Element} {(NullSource ? "null" : $"[{string.Join(", ", Lengths)}] {Kind} pad {Pad}")} stride {Stride} {Side} threads {Degree} data {DataSeed}";
    }

    private static Gen<StridedAllocatingCase> StridedAllocatingCases(bool insert, bool tensor) =>
        from element in AnyElement
        from lengths in TensorLengths
        from kind in tensor ? Gen.Const(ViewKind.Dense) : SourceKind
        from pad in Gen.Int[1, 3]
        from nullSource in tensor ? Gen.Frequency((60, Gen.Const(false)), (1, Gen.Const(true))) : Gen.Const(false)
        from stride in BlockConvGen.Pair(BlockConvGen.Hostile)
        from side in BlockConvGen.Side
        from degree in CaseThreads.Degree
        from data in Gen.Int
        select new StridedAllocatingCase(insert, element, lengths, kind, pad, nullSource, stride, side, degree, data);

    private static (Refusal? Refusal, Shape4D Source, Shape4D Output) StridedAllocatingModel(StridedAllocatingCase c)
    {
        if (c.NullSource)
        {
            return (Refusal.Null("source"), default, default);
        }

        if (!ShapeOf(c.Lengths, out Shape4D source))
        {
            return (Refusal.Arg("source"), default, default);
        }

        (Refusal? refusal, Shape4D output) = StridedOutput(c.Insert, source, c.Stride);
        return (refusal, source, output);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void StridedAllocatingForm(bool insert, bool tensor)
        => Property.Check(
            $"{(insert ? "ZeroInsert2D" : "StridedSubsample2D")}({(tensor ? "Tensor" : "ReadOnlyTensorSpan")})",
            StridedAllocatingCases(insert, tensor).Where(c => StridedAllocatingModel(c) is { Refusal: not null } or { Output.ElementCount: <= 1 << 16 }),
            (c, tally) => DispatchAny(c.Element, new StridedAllocatingRun(c, tally, tensor)),
            800,
            static c => c.ToString());

    private readonly record struct StridedAllocatingRun(StridedAllocatingCase C, Property.Tally Tally, bool IsTensor) : IAnyRun
    {
        public void Run<T>()
            where T : unmanaged
        {
            StridedAllocatingCase c = C;
            (Refusal? refusal, Shape4D source, Shape4D output) = StridedAllocatingModel(c);
            using var view = GuardedTensor<T>.Create(c.Lengths, c.Kind, c.Pad, c.Side, c.DataSeed, readOnly: true);
            Tensor<T>? tensor = c.NullSource ? null : IsTensor ? Tensor.Create(view.Logical(), c.Lengths) : null;
            var options = CaseThreads.Options(c.Degree);
            string context = $"{c}<{typeof(T).Name}>({(IsTensor ? "Tensor" : "ReadOnlyTensorSpan")})";
            bool isTensor = IsTensor;
            Tensor<T>? result = null;
            Action call = () =>
            {
                ReadOnlyTensorSpan<T> s = view.ReadOnly;
                result = (c.Insert, isTensor) switch
                {
                    (true, true) => Functional.ZeroInsert2D(tensor!, c.Stride, options),
                    (true, false) => Functional.ZeroInsert2D(s, c.Stride, options),
                    (false, true) => Functional.StridedSubsample2D(tensor!, c.Stride, options),
                    _ => Functional.StridedSubsample2D(s, c.Stride, options),
                };
            };

            if (refusal is { } r)
            {
                Tally.Add(r.Check(call, context));
                return;
            }

            call();
            Assert.Equal(BlockConvGen.Lengths(output), result!.Lengths.ToArray());
            T[] expected = StridedOracle(c.Insert, view.Logical(), source, c.Stride);
            var actual = new T[expected.Length];
            result.AsReadOnlyTensorSpan().FlattenTo(actual);
            Assert.True(Property.SameBytes<T>(expected, actual), $"{context}: the result differs from the reference.");
            Tally.Add(output.ElementCount == 0 ? "result: empty" : c.Kind == ViewKind.Dense ? "result: dense" : "result: strided view");
        }
    }

    // ---------------------------------------------------------------- element-type dispatch

    private interface INumberRun
    {
        void Run<T>()
            where T : unmanaged, INumberBase<T>;
    }

    private interface IAnyRun
    {
        void Run<T>()
            where T : unmanaged;
    }

    private static void DispatchNumber<TRun>(BlockElement element, TRun run)
        where TRun : INumberRun
    {
        switch (element)
        {
            case BlockElement.Float: run.Run<float>(); break;
            case BlockElement.Double: run.Run<double>(); break;
            case BlockElement.Half: run.Run<Half>(); break;
            case BlockElement.Byte: run.Run<byte>(); break;
            case BlockElement.SByte: run.Run<sbyte>(); break;
            case BlockElement.Int16: run.Run<short>(); break;
            case BlockElement.UInt16: run.Run<ushort>(); break;
            case BlockElement.Int32: run.Run<int>(); break;
            case BlockElement.UInt32: run.Run<uint>(); break;
            case BlockElement.Int64: run.Run<long>(); break;
            case BlockElement.UInt64: run.Run<ulong>(); break;
            case BlockElement.Int128: run.Run<Int128>(); break;
            case BlockElement.Decimal: run.Run<decimal>(); break;
            case BlockElement.NFloat: run.Run<NFloat>(); break;
            case BlockElement.Complex: run.Run<Complex>(); break;
            default: throw new ArgumentOutOfRangeException(nameof(element), element, "Not a number type.");
        }
    }

    private static void DispatchAny<TRun>(BlockElement element, TRun run)
        where TRun : IAnyRun
    {
        switch (element)
        {
            case BlockElement.Float: run.Run<float>(); break;
            case BlockElement.Double: run.Run<double>(); break;
            case BlockElement.Half: run.Run<Half>(); break;
            case BlockElement.Byte: run.Run<byte>(); break;
            case BlockElement.SByte: run.Run<sbyte>(); break;
            case BlockElement.Int16: run.Run<short>(); break;
            case BlockElement.UInt16: run.Run<ushort>(); break;
            case BlockElement.Int32: run.Run<int>(); break;
            case BlockElement.UInt32: run.Run<uint>(); break;
            case BlockElement.Int64: run.Run<long>(); break;
            case BlockElement.UInt64: run.Run<ulong>(); break;
            case BlockElement.Int128: run.Run<Int128>(); break;
            case BlockElement.Decimal: run.Run<decimal>(); break;
            case BlockElement.NFloat: run.Run<NFloat>(); break;
            case BlockElement.Complex: run.Run<Complex>(); break;
            case BlockElement.Char: run.Run<char>(); break;
            case BlockElement.Bytes3: run.Run<Bytes3>(); break;
            default: run.Run<Bytes12>(); break;
        }
    }
}
