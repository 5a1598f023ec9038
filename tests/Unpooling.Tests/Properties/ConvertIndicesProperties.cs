using System.Numerics;
using System.Numerics.Tensors;
using CsCheck;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated tests of <see cref="Functional.ConvertIndices{TIndex}(ReadOnlySpan{TIndex}, Shape4D, Size2D, IndexConvention, Span{TIndex}, IndexConvention, ExecutionOptions)"/>,
/// its overload with a <see cref="Pool2DGeometry"/> (InWindow in and out) and the allocating <see cref="Tensor{T}"/> forms: every
/// pair of conventions (undefined ones too), indices valid or corrupted or written in another convention, index types
/// too small for either space, lengths off by one, hostile shapes and indexed sizes, in place and partly overlapping
/// destinations. Each case is decided up front by a model of the documented order; results equal the cell each
/// index names (decoded with <see cref="IndexConventionReference.Cells"/>, InWindow taps in 64 bits) re-encoded in
/// the destination convention.
/// </summary>
/// <remarks>
/// Order modelled (from the code and its XML comments): indicesShape, indices length, indexedSize (a size below 1 or
/// 2^63 cells), geometry default, sourceConvention undefined (ArgumentOutOfRange) or InWindow without a geometry,
/// source index type (indices), destination length, destinationConvention likewise, destination index type
/// (destination), partial overlap (destination; the very same span is in place), then each index: outside its
/// source range (ArgumentOutOfRange, indices) or naming a cell the destination convention cannot express from its
/// position (ArgumentException, indices).
/// </remarks>
public sealed class ConvertIndicesProperties
{
    internal sealed record Case(
        Shape4D Shape, (int H, int W) Indexed, GeometrySpec G, bool WithGeometry, IndexConvention From, IndexConvention To,
        MaxUnpool2DProperties.Corruption Corruption, int CorruptAt, IndexKind Index, int IndicesDelta, int DestinationDelta, int InPlace, GuardSide Side, int Seed)
    {
        public override string ToString()
            => $"indices {Shape} indexed {Indexed.H}x{Indexed.W} {(WithGeometry ? G.ToString() : "no geometry")} {From}->{To} {Corruption}@{CorruptAt} {Index} "
            + $"lengths {IndicesDelta},{DestinationDelta} {(InPlace == 1 ? "in place" : InPlace == 2 ? "partly overlapping" : "separate")} {Side} seed {Seed}";
    }

    private static readonly Gen<Case> Cases = Gen.Select(
        Gen.Select(PoolCases.Shape, Gen.Frequency((8, Gen.Int[1, 9]), (1, Generators.Hostile(-1, 9))), Gen.Frequency((8, Gen.Int[1, 9]), (1, Generators.Hostile(-1, 9))), PoolModel.Geometry, Gen.Frequency((3, Gen.Const(true)), (2, Gen.Const(false))), Generators.Convention, Generators.Convention),
        Gen.Select(
            Gen.Frequency((10, Gen.Const(MaxUnpool2DProperties.Corruption.None)), (1, Gen.Const(MaxUnpool2DProperties.Corruption.MinusOne)), (1, Gen.Const(MaxUnpool2DProperties.Corruption.RangeEnd)), (1, Gen.Const(MaxUnpool2DProperties.Corruption.Huge)), (1, Gen.Const(MaxUnpool2DProperties.Corruption.NegativeHuge)), (2, Gen.Const(MaxUnpool2DProperties.Corruption.OtherConvention))),
            Gen.Int[0, 1 << 16], Generators.Index, Generators.LengthDelta, Generators.LengthDelta, Gen.Frequency((6, Gen.Const(0)), (2, Gen.Const(1)), (1, Gen.Const(2))), Generators.Side, Generators.ValueSeed),
        (a, b) => new Case(a.Item1, (a.Item2, a.Item3), a.Item4, a.Item5, a.Item6, a.Item7, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6, b.Item7, b.Item8));

    [Fact]
    public void SpanForms() => Property.Check("ConvertIndices(span)", Cases, (c, tally) => TypeDispatch.Run(ElementKind.Float, c.Index, new Body(c, tally, allocating: false)), 3000, c => c.ToString());

    [Fact]
    public void AllocatingTensorForms()
        => Property.Check("ConvertIndices(Tensor)", Cases.Where(c => c.InPlace == 0 && c.IndicesDelta == 0 && c.DestinationDelta == 0), (c, tally) => TypeDispatch.Run(ElementKind.Float, c.Index, new Body(c, tally, allocating: true)), 1000, c => c.ToString());

    /// <summary>The row-major cell (in the indexed tensor) that an index at <paramref name="position"/> names in <see cref="Case.From"/>, or -1 when it names none.</summary>
    private static long Decode(Int128 value, long position, Case c, Shape4D indexed, Dictionary<(long, long), long>? cells)
    {
        long planeSize = (long)c.Shape.Height * c.Shape.Width, plane = position / planeSize;
        if (c.From == IndexConvention.InWindow)
        {
            if (value < 0 || value >= (Int128)c.G.KH * c.G.KW)
            {
                return -1;
            }

            long tap = (long)value, kh = tap / c.G.KW, kw = tap % c.G.KW, oh = position / c.Shape.Width % c.Shape.Height, ow = position % c.Shape.Width;
            long h = (oh * c.G.StrideH) - c.G.PH + (kh * c.G.DH), w = (ow * c.G.StrideW) - c.G.PW + (kw * c.G.DW);
            return h >= 0 && h < indexed.Height && w >= 0 && w < indexed.Width ? (plane * indexed.PlaneSize) + (h * indexed.Width) + w : -1;
        }

        if (value < 0 || value >= PoolModel.Space(c.From, indexed, c.G))
        {
            return -1;
        }

        long n = plane / c.Shape.Channels, ch = plane % c.Shape.Channels;
        if (cells is null)
        {
            // An indexed tensor too large for the oracle's table: the table's formulas inverted by hand, per convention.
            long v = (long)value, hw = indexed.PlaneSize, cs = indexed.Channels;
            return c.From switch
            {
                IndexConvention.PerPlane => (plane * hw) + v,
                IndexConvention.GlobalRowMajor => v,
                IndexConvention.GlobalColumnMajor => (v / hw * hw) + (v % hw % indexed.Height * indexed.Width) + (v % hw / indexed.Height),
                IndexConvention.ChannelsLastPerSample => (((n * cs) + (v % cs)) * hw) + (v / cs),
                _ => (((v / cs / hw * cs) + (v % cs)) * hw) + (v / cs % hw),
            };
        }

        return cells.TryGetValue((IndexConventionReference.Scope(c.From, n, ch, c.Shape.Channels), (long)value), out long cell) ? cell : -1;
    }

    /// <summary>The index of row-major <paramref name="cell"/> in <see cref="Case.To"/> for the element at <paramref name="position"/>, or null when that convention cannot name it from there.</summary>
    private static long? Encode(long cell, long position, Case c, Shape4D indexed)
    {
        long planeSize = (long)c.Shape.Height * c.Shape.Width, plane = position / planeSize;
        long cellPlane = cell / indexed.PlaneSize, inPlane = cell % indexed.PlaneSize, h = inPlane / indexed.Width, w = inPlane % indexed.Width;
        long n = cellPlane / indexed.Channels, ch = cellPlane % indexed.Channels;
        switch (c.To)
        {
            case IndexConvention.PerPlane when cellPlane != plane:
            case IndexConvention.ChannelsLastPerSample when n != plane / c.Shape.Channels:
                return null;
            case IndexConvention.InWindow:
            {
                if (cellPlane != plane)
                {
                    return null;
                }

                long oh = position / c.Shape.Width % c.Shape.Height, ow = position % c.Shape.Width;
                long dh = h - ((oh * c.G.StrideH) - c.G.PH), dw = w - ((ow * c.G.StrideW) - c.G.PW);
                bool onRow = dh >= 0 && dh % c.G.DH == 0 && dh / c.G.DH < c.G.KH, onColumn = dw >= 0 && dw % c.G.DW == 0 && dw / c.G.DW < c.G.KW;
                return onRow && onColumn ? ((dh / c.G.DH) * c.G.KW) + (dw / c.G.DW) : null;
            }

            default:
                return IndexConventionReference.Index(c.To, n, ch, h, w, indexed.Channels, indexed.Height, indexed.Width);
        }
    }

    private sealed class Body(Case original, Property.Tally tally, bool allocating) : ITypedBody
    {
        public unsafe void Run<T, TIndex>()
            where T : unmanaged, INumber<T>
            where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            Case c = allocating && (!PoolModel.ShapeValid(original.Shape) || original.Shape.ElementCount > 1 << 12) ? original with { Shape = new Shape4D(1, 1, 1, 1) } : original;
            Shape4D shape = c.Shape;
            bool shapeValid = PoolModel.ShapeValid(shape);
            int count = PoolCases.Length(shapeValid ? shape.ElementCount : -1, c.IndicesDelta);
            int destinationLength = PoolCases.Length(shapeValid ? shape.ElementCount : -1, c.DestinationDelta);
            // The library also refuses an indexed tensor of 2^63 cells or more (its message says so), found by seed aE3h8DOsaii1.
            bool indexedValid = c.Indexed.H >= 1 && c.Indexed.W >= 1 && (Int128)shape.Batch * shape.Channels * c.Indexed.H * c.Indexed.W < ((Int128)1 << 63);
            var indexedSize = new Size2D(Math.Max(1, c.Indexed.H), Math.Max(1, c.Indexed.W));
            Shape4D indexed = shape.WithSpatialSize(indexedSize);
            bool small = shapeValid && indexedValid && indexed.ElementCount <= 1 << 13 && shape.ElementCount <= 1 << 13;
            Int128[] wide = MaxUnpool2DProperties.MakeIndices(small ? shape : new Shape4D(0, 0, 1, 1), indexedSize, c.G, c.From, c.Corruption, c.CorruptAt, c.Seed);
            var values = new TIndex[count];
            for (int k = 0; k < count; k++)
            {
                values[k] = k < wide.Length ? TIndex.CreateTruncating(wide[k]) : TIndex.Zero;
            }

            // In place: the destination is the indices' own memory (writable then); partly overlapping: one element on.
            using PageGuardedMemory<TIndex> indices = PageGuardedMemory<TIndex>.From(values, c.Side, readOnly: c.InPlace == 0);
            using PageGuardedMemory<TIndex> destination = Generators.GuardedDestination<TIndex>(destinationLength, c.Side.Other());
            TIndex* ip = indices.Pointer;
            TIndex* dp = c.InPlace == 0 || allocating ? destination.Pointer : c.InPlace == 1 ? ip : ip + 1;
            int dLength = c.InPlace == 0 || allocating ? destinationLength : c.InPlace == 1 ? Math.Min(destinationLength, count) : Math.Max(0, Math.Min(destinationLength, count - 1));
            bool partial = c.InPlace != 0 && !allocating && dLength > 0 && count > 0 && (dp != ip || dLength != count);

            string context = $"{(allocating ? "Tensor" : "span")} {c}";
            Pool2DGeometry geometry = c.G.Build();
            bool withGeometry = c.WithGeometry;
            Shape4D s = shape;
            IndexConvention from = c.From, to = c.To;
            PoolRefusal? expected = Model();
            TIndex[]? allocated = null;

            void Call()
            {
                if (allocating)
                {
                    Tensor<TIndex> t = Tensor.Create(values, TensorViews.Lengths(s));
                    allocated = MaxUnpool2DProperties.Flat(withGeometry ? Functional.ConvertIndices(t, indexedSize, geometry, from, to) : Functional.ConvertIndices(t, indexedSize, from, to));
                    return;
                }

                var span = new ReadOnlySpan<TIndex>(ip, count);
                var target = new Span<TIndex>(dp, dLength);
                if (withGeometry)
                {
                    Functional.ConvertIndices(span, s, new Size2D(c.Indexed.H, c.Indexed.W), geometry, from, target, to);
                }
                else
                {
                    Functional.ConvertIndices(span, s, new Size2D(c.Indexed.H, c.Indexed.W), from, target, to);
                }
            }

            if (allocating && !indexedValid)
            {
                // The allocating forms take the indexed size as given: use it in the call, as the span form does.
                indexedSize = new Size2D(c.Indexed.H, c.Indexed.W);
            }

            if (expected is { } r)
            {
                byte[] beforeI = PoolCases.Snapshot<TIndex>(indices.Span), beforeD = PoolCases.Snapshot<TIndex>(destination.Span);
                tally.Add(PoolCases.Refused([r], Call, context));
                PoolCases.Unchanged<TIndex>(beforeI, indices.Span, "indices", context);
                PoolCases.Unchanged<TIndex>(beforeD, destination.Span, "destination", context);
                return;
            }

            TIndex[] want = [.. Expected()];
            Call();
            PoolCases.Equal(want, allocated ?? new ReadOnlySpan<TIndex>(dp, dLength), "converted indices", context);
            tally.Add(shape.PlaneCount == 0 ? "result: empty (N or C = 0)" : c.InPlace == 1 && !allocating ? "result (in place)" : "result");

            IEnumerable<TIndex> Expected()
            {
                Dictionary<(long, long), long>? cells = c.From == IndexConvention.InWindow || indexed.ElementCount > 1 << 13 ? null : IndexConventionReference.Cells(c.From, indexed);
                for (long k = 0; k < values.Length; k++)
                {
                    yield return TIndex.CreateChecked(Encode(Decode(Int128.CreateChecked(values[k]), k, c, indexed, cells), k, c, indexed)!.Value);
                }
            }

            PoolRefusal? Model()
            {
                if (!shapeValid)
                {
                    return PoolRefusal.Argument(allocating ? "indices" : "indicesShape", "shape");
                }

                if (count != shape.ElementCount)
                {
                    return PoolRefusal.Argument("indices", "length");
                }

                if (!indexedValid)
                {
                    return PoolRefusal.Argument("indexedSize", "size < 1");
                }

                if (c.WithGeometry && c.G.IsDefault)
                {
                    return PoolRefusal.Argument("geometry", "default geometry");
                }

                if (!PoolModel.Defined(c.From))
                {
                    return PoolRefusal.OutOfRange("sourceConvention", "undefined");
                }

                if (c.From == IndexConvention.InWindow && !c.WithGeometry)
                {
                    return PoolRefusal.Argument("sourceConvention", "InWindow without a geometry");
                }

                if (!PoolModel.IndexFits(c.Index, c.From, indexed, c.G))
                {
                    return PoolRefusal.Argument("indices", "index type too small for the source convention");
                }

                if (!allocating && dLength != shape.ElementCount)
                {
                    return PoolRefusal.Argument("destination", "length");
                }

                if (!PoolModel.Defined(c.To))
                {
                    return PoolRefusal.OutOfRange("destinationConvention", "undefined");
                }

                if (c.To == IndexConvention.InWindow && !c.WithGeometry)
                {
                    return PoolRefusal.Argument("destinationConvention", "InWindow without a geometry");
                }

                if (!PoolModel.IndexFits(c.Index, c.To, indexed, c.G))
                {
                    return PoolRefusal.Argument(allocating ? "indices" : "destination", "index type too small for the destination convention");
                }

                if (partial)
                {
                    return PoolRefusal.Argument("destination", "partly overlaps indices");
                }

                Dictionary<(long, long), long>? cells = c.From == IndexConvention.InWindow || indexed.ElementCount > 1 << 13 ? null : IndexConventionReference.Cells(c.From, indexed);
                for (long k = 0; k < values.Length; k++)
                {
                    long cell = Decode(Int128.CreateChecked(values[k]), k, c, indexed, cells);
                    if (cell < 0)
                    {
                        return PoolRefusal.OutOfRange("indices", $"outside the source range ({c.Corruption})");
                    }

                    if (Encode(cell, k, c, indexed) is null)
                    {
                        return PoolRefusal.Argument("indices", "names a cell the destination convention cannot express");
                    }
                }

                return null;
            }
        }
    }
}
