using System.Numerics;
using System.Numerics.Tensors;
using CsCheck;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated tests of every public form of argmax unpooling (<see cref="Functional.MaxUnpool2D{T, TIndex}(ReadOnlySpan{T}, ReadOnlySpan{TIndex}, Shape4D, Pool2DGeometry, Span{T}, Size2D?, IndexConvention, UnpoolReduction, ExecutionOptions)"/>
/// and its TensorSpan, allocating and <see cref="Switches{TIndex}"/> forms): default and explicit output sizes at and
/// beyond the allowed range (default - s, default - s + 1, default + s - 1, default + s, hostile values), indices valid
/// in the case's convention or corrupted (-1, the range's end, huge, negative huge, indices of another convention),
/// every convention, element and index type, Replace and Sum, lengths off by one, destinations laid over an input.
/// Each case is decided up front by a model of the documented validation order (SEMANTICS.md 2 and 6): refused with
/// the exact exception and ParamName and the destination's bytes unchanged, or equal bit for bit to
/// <see cref="IndexConventionReference.MaxUnpool{T}"/> (InWindow taps through
/// <see cref="IndexConventionReference.PerPlaneFromInWindow"/>).
/// </summary>
/// <remarks>
/// Order modelled (span form, from the code): sourceShape, source length, indices length, indexConvention, the output
/// size (a default geometry or an invalid default size: geometry; an explicit size outside (default - s, default + s):
/// outputSize), an output no span holds (outputSize, also when none was given: the defect 9 rule), index type too
/// small (indices), reduction, destination length, overlaps (destination), then every index (ArgumentOutOfRange naming
/// indices; through switches naming switches). The allocating forms resolve the size before the convention.
/// </remarks>
public sealed class MaxUnpool2DProperties
{
    internal enum Corruption
    {
        None,
        MinusOne,
        RangeEnd,
        Huge,
        NegativeHuge,
        OtherConvention,
    }

    internal enum Alias
    {
        None,
        DestinationOnSource,
        DestinationOnIndices,
    }

    internal sealed record Case(
        Shape4D Pooled, GeometrySpec G, (int H, int W)? Size, IndexConvention Convention, Corruption Corruption, int CorruptAt,
        ElementKind Element, IndexKind Index, UnpoolReduction Reduction, int SourceDelta, int IndicesDelta, int DestinationDelta,
        Alias Alias, GuardSide Side, int Seed)
    {
        public override string ToString()
            => $"pooled {Pooled} {G} size {(Size is { } s ? $"{s.H}x{s.W}" : "default")} {Convention} {Corruption}@{CorruptAt} {Element}/{Index} {Reduction} "
            + $"lengths {SourceDelta},{IndicesDelta},{DestinationDelta} {Alias} {Side} seed {Seed}";
    }

    /// <summary>An explicit size offset from the default: the four edges of the allowed range, inside it, or hostile.</summary>
    private static readonly Gen<int> SizeOffsetKind = Gen.Int[0, 7];

    private static readonly Gen<Case> Cases = Gen.Select(
        Gen.Select(PoolCases.Shape, PoolModel.Geometry, Gen.Frequency((2, Gen.Const(false)), (3, Gen.Const(true))), SizeOffsetKind, SizeOffsetKind, Generators.Convention),
        Gen.Select(
            Gen.Frequency((10, Gen.Const(Corruption.None)), (1, Gen.Const(Corruption.MinusOne)), (1, Gen.Const(Corruption.RangeEnd)), (1, Gen.Const(Corruption.Huge)), (1, Gen.Const(Corruption.NegativeHuge)), (2, Gen.Const(Corruption.OtherConvention))),
            Gen.Int[0, 1 << 16], Generators.Element, Generators.Index,
            Gen.Frequency((8, Gen.Const(UnpoolReduction.Replace)), (4, Gen.Const(UnpoolReduction.Sum)), (1, Gen.Const((UnpoolReduction)7)))),
        Gen.Select(Generators.LengthDelta, Generators.LengthDelta, Generators.LengthDelta, Gen.Frequency((16, Gen.Const(Alias.None)), (1, Gen.Const(Alias.DestinationOnSource)), (1, Gen.Const(Alias.DestinationOnIndices))), Generators.Side, Generators.ValueSeed, Generators.Boundary),
        (a, b, c) =>
        {
            (int H, int W)? size = null;
            if (a.Item3 && !a.Item2.IsDefault && PoolModel.ShapeValid(a.Item1))
            {
                (long dh, long dw) = PoolModel.UnpoolDefault(a.Item2, a.Item1.Height, a.Item1.Width);
                size = (Offset(dh, a.Item2.StrideH, a.Item4, c.Item7), Offset(dw, a.Item2.StrideW, a.Item5, c.Item7));
            }
            else if (a.Item3)
            {
                size = (2, 2);
            }

            return new Case(a.Item1, a.Item2, size, a.Item6, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, c.Item1, c.Item2, c.Item3, c.Item4, c.Item5, c.Item6);
        });

    private static int Offset(long defaultSize, long stride, int kind, int hostile)
        => (int)Math.Clamp(kind switch
        {
            0 => defaultSize - stride,
            1 => defaultSize - stride + 1,
            2 => defaultSize + stride - 1,
            3 => defaultSize + stride,
            4 => hostile,
            _ => defaultSize,
        }, int.MinValue, int.MaxValue);

    [Fact]
    public void SpanForm() => Property.Check("MaxUnpool2D(span)", Cases, (c, tally) => TypeDispatch.Run(c.Element, c.Index, new Body(c, tally, Form.Span)), 3000, c => c.ToString());

    [Fact]
    public void TensorSpanForm() => Property.Check("MaxUnpool2D(TensorSpan)", Cases.Where(c => c.Alias == Alias.None), (c, tally) => TypeDispatch.Run(c.Element, c.Index, new Body(c, tally, Form.TensorSpan)), 1500, c => c.ToString());

    [Fact]
    public void AllocatingTensorForm() => Property.Check("MaxUnpool2D(Tensor)", Cases.Where(c => c.Alias == Alias.None && SmallOrRefused(c)), (c, tally) => TypeDispatch.Run(c.Element, c.Index, new Body(c, tally, Form.Tensor)), 1500, c => c.ToString());

    [Fact]
    public void AllocatingReadOnlyTensorSpanForm() => Property.Check("MaxUnpool2D(ReadOnlyTensorSpan)", Cases.Where(c => c.Alias == Alias.None && SmallOrRefused(c)), (c, tally) => TypeDispatch.Run(c.Element, c.Index, new Body(c, tally, Form.ReadOnlyTensorSpan)), 1000, c => c.ToString());

    /// <summary>For the allocating forms: the output is small (at most 2^13 elements), or its size is refused, or no array holds it (never gigabytes).</summary>
    private static bool SmallOrRefused(Case original)
    {
        Case c = TensorFormCase(original);
        Shape4D pooled = c.Pooled;
        if (SizeRefusal(c, "outputSize") is not null || RequestedSize(c) is not (long h, long w))
        {
            return true;
        }

        Int128 count = (Int128)pooled.PlaneCount * h * w;
        return count <= 1 << 13 || count > Array.MaxLength;
    }

    /// <summary>The case a tensor form runs: negative counts become 0 (lengths cannot be negative); a pooled shape too large or invalid for real memory becomes [1, 1, 1, 1] (hostile shapes are the span form's).</summary>
    private static Case TensorFormCase(Case original)
    {
        Case c = original with { Pooled = PoolCases.Clamp(original.Pooled) };
        return !PoolModel.ShapeValid(c.Pooled) || c.Pooled.ElementCount > 1 << 12 || c.Pooled.Height > 64 || c.Pooled.Width > 64 ? c with { Pooled = new Shape4D(1, 1, 1, 1) } : c;
    }

    internal enum Form
    {
        Span,
        TensorSpan,
        Tensor,
        ReadOnlyTensorSpan,
    }

    /// <summary>The output (H, W) the case asks for, in 64 bits, or null when the geometry is default.</summary>
    private static (long H, long W)? RequestedSize(Case c)
        => c.Size is { } s ? (s.H, s.W) : c.G.IsDefault ? null : PoolModel.UnpoolDefault(c.G, c.Pooled.Height, c.Pooled.Width);

    /// <summary>The output-size decision: null when the size is valid, else the refusal (geometry for the default size, <paramref name="sizeName"/> for an explicit one).</summary>
    private static PoolRefusal? SizeRefusal(Case c, string sizeName)
    {
        if (c.G.IsDefault)
        {
            return PoolRefusal.Argument("geometry", "default geometry");
        }

        (long dh, long dw) = PoolModel.UnpoolDefault(c.G, c.Pooled.Height, c.Pooled.Width);
        if (c.Size is not { } s)
        {
            return dh < 1 || dw < 1 || dh > int.MaxValue || dw > int.MaxValue ? PoolRefusal.Argument("geometry", "default size out of range") : null;
        }

        return PoolModel.ExplicitFits(s.H, dh, c.G.StrideH) && PoolModel.ExplicitFits(s.W, dw, c.G.StrideW) ? null : PoolRefusal.Argument(sizeName, "explicit size out of range");
    }

    /// <summary>
    /// Deterministic indices for <paramref name="pooled"/> elements into an <paramref name="output"/>-sized tensor, valid in
    /// <paramref name="convention"/> where one exists, then corrupted as the case says. Returned as longs (huge ones
    /// saturated: the caller converts with truncation to the index type, which is what a caller's bad value looks like).
    /// </summary>
    internal static Int128[] MakeIndices(Shape4D pooled, Size2D output, GeometrySpec g, IndexConvention convention, Corruption corruption, int corruptAt, int seed)
    {
        long count = Math.Max(0, pooled.ElementCount);
        var result = new Int128[count];
        ulong state = (ulong)seed * 0x9E3779B97F4A7C15UL + 7;
        Shape4D indexed = pooled.WithSpatialSize(output);
        IndexConvention written = corruption == Corruption.OtherConvention ? (IndexConvention)(((int)convention + 1 + (seed % 5)) % 6) : convention;
        for (long p = 0; p < count; p++)
        {
            state = unchecked((state ^ (state >> 31)) * 0xBF58476D1CE4E5B9UL) + 3;
            long plane = p / pooled.PlaneSize, n = plane / pooled.Channels, ch = plane % pooled.Channels;
            long oh = p / pooled.Width % pooled.Height, ow = p % pooled.Width;
            if (written == IndexConvention.InWindow)
            {
                result[p] = ValidTap(g, oh, ow, output, state);
                continue;
            }

            if (!PoolModel.Defined(written))
            {
                result[p] = 0;
                continue;
            }

            long h = (long)(state >> 33) % output.Height, w = (long)(state >> 13) % output.Width;
            result[p] = IndexConventionReference.Index(written, n, ch, h, w, pooled.Channels, output.Height, output.Width);
        }

        if (count > 0 && corruption is not (Corruption.None or Corruption.OtherConvention))
        {
            long at = corruptAt % count;
            Int128 space = !PoolModel.Defined(convention) ? 1 : PoolModel.Space(convention, indexed, g);
            result[at] = corruption switch
            {
                Corruption.MinusOne => -1,
                Corruption.RangeEnd => space,
                Corruption.Huge => long.MaxValue,
                _ => long.MinValue,
            };
        }

        return result;
    }

    /// <summary>A tap of the window of (oh, ow) whose cell lies in the output, chosen by <paramref name="state"/>; an invalid tap (kH*kW) when there is none.</summary>
    private static Int128 ValidTap(GeometrySpec g, long oh, long ow, Size2D output, ulong state)
    {
        if (g.IsDefault)
        {
            return 0;
        }

        (long rlo, long rhi) = TapRange(oh, g.StrideH, g.PH, g.DH, g.KH, output.Height);
        (long clo, long chi) = TapRange(ow, g.StrideW, g.PW, g.DW, g.KW, output.Width);
        if (rlo > rhi || clo > chi)
        {
            return (Int128)g.KH * g.KW;
        }

        long kh = rlo + (long)((state >> 20) % (ulong)(rhi - rlo + 1)), kw = clo + (long)((state >> 40) % (ulong)(chi - clo + 1));
        return ((Int128)kh * g.KW) + kw;
    }

    /// <summary>The taps of window <paramref name="o"/> of one axis that land in <c>[0, size)</c> (empty when lo &gt; hi).</summary>
    internal static (long Lo, long Hi) TapRange(long o, long s, long p, long d, long k, long size)
    {
        long start = (o * s) - p;
        long lo = start >= 0 ? 0 : PoolModel.CeilDiv(-start, d);
        long hi = Math.Min(k - 1, PoolModel.FloorDiv(size - 1 - start, d));
        return (lo, hi);
    }

    /// <summary>Whether an index value (as the library reads it from <typeparamref name="TIndex"/>) names a cell in the convention's range (for InWindow: a tap on a cell of the output).</summary>
    internal static bool IndexValid<TIndex>(TIndex value, long position, Shape4D pooled, Size2D output, GeometrySpec g, IndexConvention convention)
        where TIndex : IBinaryInteger<TIndex>
    {
        Int128 v = Int128.CreateChecked(value);
        if (convention == IndexConvention.InWindow)
        {
            if (v < 0 || v >= (Int128)g.KH * g.KW)
            {
                return false;
            }

            long tap = (long)v, kh = tap / g.KW, kw = tap % g.KW;
            long oh = position / pooled.Width % pooled.Height, ow = position % pooled.Width;
            long h = (oh * g.StrideH) - g.PH + (kh * g.DH), w = (ow * g.StrideW) - g.PW + (kw * g.DW);
            return h >= 0 && h < output.Height && w >= 0 && w < output.Width;
        }

        return v >= 0 && v < PoolModel.Space(convention, pooled.WithSpatialSize(output), g);
    }

    /// <summary>The reference unpooling of valid indices (longs) into <paramref name="output"/>.</summary>
    internal static T[] Reference<T>(T[] x, long[] indices, Shape4D pooled, Size2D output, GeometrySpec g, IndexConvention convention, bool sum)
        where T : INumber<T>
    {
        if (convention != IndexConvention.InWindow)
        {
            return IndexConventionReference.MaxUnpool(x, indices, pooled, output, convention, sum);
        }

        long[] perPlane = IndexConventionReference.PerPlaneFromInWindow(indices, pooled, output, g.Rows, g.Cols);
        return IndexConventionReference.MaxUnpool(x, perPlane, pooled, output, IndexConvention.PerPlane, sum);
    }

    private sealed class Body(Case original, Property.Tally tally, Form form) : ITypedBody
    {
        public unsafe void Run<T, TIndex>()
            where T : unmanaged, INumber<T>
            where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            bool span = form == Form.Span;
            Case c = span ? original : TensorFormCase(original);

            Shape4D pooled = c.Pooled;
            bool shapeValid = PoolModel.ShapeValid(pooled);
            (long H, long W)? requested = RequestedSize(c);
            (long rh, long rw) = requested ?? (1, 1);
            bool sizeAllocatable = shapeValid && rh >= 1 && rw >= 1 && rh <= 1 << 16 && rw <= 1 << 16 && (Int128)pooled.PlaneCount * rh * rw <= 1 << 13;
            Size2D output = sizeAllocatable ? new Size2D((int)rh, (int)rw) : new Size2D(1, 1);
            long outCount = shapeValid ? pooled.PlaneCount * output.Height * output.Width : 1;
            if (form == Form.TensorSpan)
            {
                // The destination tensor's spatial size is the requested size.
                (rh, rw) = (output.Height, output.Width);
                sizeAllocatable = shapeValid;
            }

            int sourceLength = span ? PoolCases.Length(shapeValid ? pooled.ElementCount : -1, c.SourceDelta) : (int)pooled.ElementCount;
            int indicesLength = span ? PoolCases.Length(shapeValid ? pooled.ElementCount : -1, c.IndicesDelta) : (int)pooled.ElementCount;
            int destinationLength = span ? PoolCases.Length(sizeAllocatable ? outCount : -1, c.DestinationDelta) : (int)outCount;
            T[] x = Generators.Values<T>(sourceLength, c.Seed);
            Int128[] wide = MakeIndices(shapeValid && pooled.ElementCount <= 1 << 13 ? pooled : new Shape4D(0, 0, 1, 1), output, c.G, c.Convention, c.Corruption, c.CorruptAt, c.Seed);
            var ix = new TIndex[indicesLength];
            for (int k = 0; k < ix.Length; k++)
            {
                ix[k] = k < wide.Length ? TIndex.CreateTruncating(wide[k]) : TIndex.Zero;
            }

            using PageGuardedMemory<T> source = Generators.GuardedSource<T>(x, c.Side);
            using PageGuardedMemory<TIndex> indices = Generators.GuardedSource<TIndex>(ix, c.Side.Other());
            using PageGuardedMemory<T> destination = Generators.GuardedDestination<T>(destinationLength, c.Side.Other());
            T* dp = c.Alias switch
            {
                Alias.DestinationOnSource => source.Pointer,
                Alias.DestinationOnIndices => (T*)indices.Pointer,
                _ => destination.Pointer,
            };
            if (c.Alias != Alias.None && (long)destinationLength * sizeof(T) > (c.Alias == Alias.DestinationOnSource ? (long)sourceLength * sizeof(T) : (long)indicesLength * sizeof(TIndex)))
            {
                dp = destination.Pointer;
            }

            bool overlapsSource = dp == source.Pointer && destinationLength > 0 && sourceLength > 0;
            bool overlapsIndices = dp == (T*)indices.Pointer && destinationLength > 0 && indicesLength > 0;

            string sizeName = form == Form.TensorSpan ? "destination" : "outputSize";
            var refusals = new List<PoolRefusal>();
            PoolRefusal? expected = Model();
            string context = $"{form} {c}";
            Pool2DGeometry geometry = c.G.Build();
            Size2D? outputSize = c.Size is { } sz ? new Size2D(sz.H, sz.W) : null;
            IndexConvention convention = c.Convention;
            UnpoolReduction reduction = c.Reduction;
            T* sp = source.Pointer;
            TIndex* ip = indices.Pointer;
            nint[] pl = TensorViews.Lengths(pooled), ol = [pooled.Batch, pooled.Channels, output.Height, output.Width];
            T[]? allocated = null;

            void Call()
            {
                switch (form)
                {
                    case Form.Span:
                        Functional.MaxUnpool2D(new ReadOnlySpan<T>(sp, sourceLength), new ReadOnlySpan<TIndex>(ip, indicesLength), pooled, geometry, new Span<T>(dp, destinationLength), outputSize, convention, reduction);
                        break;
                    case Form.TensorSpan:
                        Functional.MaxUnpool2D(new ReadOnlyTensorSpan<T>(sp, sourceLength, pl, Strides(pl)), new ReadOnlyTensorSpan<TIndex>(ip, indicesLength, pl, Strides(pl)), geometry, new TensorSpan<T>(dp, destinationLength, ol, Strides(ol)), convention, reduction);
                        break;
                    case Form.Tensor:
                        allocated = Flat(Functional.MaxUnpool2D(Tensor.Create(x, pl), Tensor.Create(ix, pl), geometry, outputSize, convention, reduction));
                        break;
                    default:
                        allocated = Flat(Functional.MaxUnpool2D(new ReadOnlyTensorSpan<T>(sp, sourceLength, pl, Strides(pl)), new ReadOnlyTensorSpan<TIndex>(ip, indicesLength, pl, Strides(pl)), geometry, outputSize, convention, reduction));
                        break;
                }
            }

            if (expected is { } r)
            {
                byte[] beforeD = PoolCases.Snapshot<T>(destination.Span), beforeS = PoolCases.Snapshot<T>(source.Span), beforeI = PoolCases.Snapshot<TIndex>(indices.Span);
                tally.Add(PoolCases.Refused([r], Call, context));
                PoolCases.Unchanged<T>(beforeD, destination.Span, "destination", context);
                PoolCases.Unchanged<T>(beforeS, source.Span, "source", context);
                PoolCases.Unchanged<TIndex>(beforeI, indices.Span, "indices", context);
                return;
            }

            Call();
            long[] longs = [.. ix.Select(v => long.CreateChecked(v))];
            T[] want = Reference(x, longs, pooled, output, c.G, c.Convention, c.Reduction == UnpoolReduction.Sum);
            PoolCases.Equal(want, allocated ?? new ReadOnlySpan<T>(dp, destinationLength), "unpooled values", context);
            tally.Add(pooled.PlaneCount == 0 ? "result: empty (N or C = 0)" : c.Size is null ? "result (default size)" : "result (explicit size)");

            PoolRefusal? Model()
            {
                bool allocating = form is Form.Tensor or Form.ReadOnlyTensorSpan;
                if (!shapeValid)
                {
                    return PoolRefusal.Argument(span ? "sourceShape" : "source", "shape");
                }

                if (span && sourceLength != pooled.ElementCount)
                {
                    return PoolRefusal.Argument("source", "length");
                }

                if (span && indicesLength != pooled.ElementCount)
                {
                    return PoolRefusal.Argument("indices", "length");
                }

                if (!allocating && !PoolModel.Defined(c.Convention))
                {
                    return PoolRefusal.OutOfRange("indexConvention", "undefined");
                }

                // The TensorSpan form's size is its destination's: explicit, judged as outputSize is, named destination.
                Case sized = form == Form.TensorSpan ? c with { Size = ((int)output.Height, (int)output.Width) } : c;
                if (SizeRefusal(sized, sizeName) is { } bad)
                {
                    return bad;
                }

                if ((Int128)pooled.PlaneCount * rh * rw > Array.MaxLength)
                {
                    return PoolRefusal.Argument(sizeName, "output no span holds");
                }

                if (allocating && !PoolModel.Defined(c.Convention))
                {
                    return PoolRefusal.OutOfRange("indexConvention", "undefined");
                }

                if (!PoolModel.IndexFits(c.Index, c.Convention, pooled.WithSpatialSize(new Size2D((int)rh, (int)rw)), c.G))
                {
                    return PoolRefusal.Argument("indices", "index type too small");
                }

                if (c.Reduction is not (UnpoolReduction.Replace or UnpoolReduction.Sum))
                {
                    return PoolRefusal.OutOfRange("reduction", "undefined");
                }

                if (!allocating && (!sizeAllocatable || destinationLength != outCount))
                {
                    return PoolRefusal.Argument("destination", "length");
                }

                if (overlapsSource || overlapsIndices)
                {
                    return PoolRefusal.Argument("destination", overlapsSource ? "overlaps source" : "overlaps indices");
                }

                for (long k = 0; k < ix.Length; k++)
                {
                    if (!IndexValid(ix[k], k, pooled, output, c.G, c.Convention))
                    {
                        return PoolRefusal.OutOfRange("indices", c.Corruption == Corruption.OtherConvention ? "index of another convention out of range" : $"index out of range ({c.Corruption})");
                    }
                }

                return null;
            }
        }
    }

    internal static nint[] Strides(nint[] lengths)
    {
        if (lengths.Contains(0))
        {
            return [0, 0, 0, 0];
        }

        nint[] strides = new nint[4];
        nint step = 1;
        for (int k = 3; k >= 0; k--)
        {
            strides[k] = lengths[k] == 1 ? 0 : step;
            step *= lengths[k];
        }

        return strides;
    }

    internal static TValue[] Flat<TValue>(Tensor<TValue> tensor)
    {
        var flat = new TValue[tensor.FlattenedLength];
        tensor.AsReadOnlyTensorSpan().FlattenTo(flat);
        return flat;
    }
}
