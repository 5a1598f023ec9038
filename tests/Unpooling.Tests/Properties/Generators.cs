using System.Numerics;
using System.Runtime.InteropServices;
using CsCheck;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Shared CsCheck generators of hostile and ordinary inputs for the property tests (<see cref="Property"/>), and the
/// element/index type dispatch they run through. Everything here is operator-neutral: integers at the 32/64-bit
/// boundaries, tiny and hostile shapes, length offsets, placements of guarded memory, element and index kinds, and
/// deterministic element values with ties and special values.
/// </summary>
/// <remarks>
/// <para>Use: draw the raw integers of a case from <see cref="Extreme"/> / <see cref="Hostile"/> (or the ordinary
/// ranges), build the case as a record with a compact <c>ToString</c> (the <c>print</c> of
/// <see cref="Property.Check{T}"/>), decide from the case alone, in a small "model" function, whether the library must
/// refuse it and with which parameter name, then run it through <see cref="TypeDispatch.Run{TBody}"/> so one property
/// covers every element and index type.</para>
/// <para><c>PROPERTY_NO_KNOWN_CRASHERS=1</c> narrows the extreme generators (<see cref="NoKnownCrashers"/>) for local
/// development while the known crash/hang defects are open; the default generators always include the extremes.</para>
/// </remarks>
internal static class Generators
{
    /// <summary>
    /// Whether <c>PROPERTY_NO_KNOWN_CRASHERS=1</c> is set: properties then drop the cases that would kill or hang the test
    /// host through a known open defect (each property says which). Never set by default.
    /// </summary>
    public static bool NoKnownCrashers { get; } = Environment.GetEnvironmentVariable("PROPERTY_NO_KNOWN_CRASHERS") == "1";

    /// <summary>
    /// Integers at the edges of 8/16/32-bit arithmetic: 0, +-1, the square roots of 2^31 and 2^32 (whose squares and
    /// products cross int.MaxValue), 2^15, 2^16, 2^30 and 2^31 -+ 1, int.MinValue.
    /// </summary>
    public static readonly int[] Boundaries =
    [
        int.MinValue, int.MinValue + 1, -(1 << 30), -65536, -2, -1, 0, 1, 2, 3, 127, 128, 255, 256, 32767, 32768, 46340, 46341,
        65535, 65536, (1 << 29) + 1, (1 << 30) - 1, 1 << 30, (1 << 30) + 1, int.MaxValue - 1, int.MaxValue,
    ];

    /// <summary>Positive boundaries only (&gt;= 1): sizes, kernels, strides and dilations that pass a "&gt;= 1" check.</summary>
    public static readonly int[] PositiveBoundaries = [.. Boundaries.Where(b => b >= 1)];

    /// <summary>One of <see cref="Boundaries"/>.</summary>
    public static Gen<int> Boundary { get; } = Gen.Int[0, Boundaries.Length - 1].Select(i => Boundaries[i]);

    /// <summary>One of <see cref="PositiveBoundaries"/>.</summary>
    public static Gen<int> PositiveBoundary { get; } = Gen.Int[0, PositiveBoundaries.Length - 1].Select(i => PositiveBoundaries[i]);

    /// <summary>Mostly in <c>[lo, hi]</c>, sometimes a boundary value, rarely any int: a dimension or parameter under attack.</summary>
    public static Gen<int> Hostile(int lo, int hi) => Gen.Frequency((12, Gen.Int[lo, hi]), (3, Boundary), (1, Gen.Int));

    /// <summary>A positive value near the top of the int range (2^29 .. int.MaxValue) or a positive boundary.</summary>
    /// <remarks>With <see cref="NoKnownCrashers"/> it stays below 1024 (the open defects 1 and 2 crash or hang on larger).</remarks>
    public static Gen<int> Extreme { get; } = NoKnownCrashers
        ? Gen.Int[1, 1024]
        : Gen.Frequency((3, PositiveBoundary), (1, Gen.Int[1 << 29, int.MaxValue]));

    /// <summary>An offset of a span length from the one its shape requires: usually 0, else -1, +1 or a bigger miss.</summary>
    public static Gen<int> LengthDelta { get; } = Gen.Frequency((24, Gen.Const(0)), (3, Gen.Const(-1)), (3, Gen.Const(1)), (1, Gen.Int[-3, 5]));

    /// <summary>Which end of a <see cref="PageGuardedMemory{T}"/> buffer touches its no-access page.</summary>
    public static Gen<GuardSide> Side { get; } = Gen.Bool.Select(b => b ? GuardSide.After : GuardSide.Before);

    /// <summary>An <see cref="IndexConvention"/>, rarely an undefined value (-1, 6, 99).</summary>
    public static Gen<IndexConvention> Convention { get; } = Gen.Frequency(
        (30, Gen.Int[0, 5].Select(c => (IndexConvention)c)),
        (1, Gen.OneOf((IndexConvention)(-1), (IndexConvention)6, (IndexConvention)99)));

    /// <summary>Every element kind with equal weight.</summary>
    public static Gen<ElementKind> Element { get; } = Gen.Int[0, (int)ElementKind.Long].Select(e => (ElementKind)e);

    /// <summary>Every index kind, the ones pooling writes by default (<see cref="long"/>, <see cref="int"/>) more often.</summary>
    public static Gen<IndexKind> Index { get; } = Gen.Frequency(
        (3, Gen.Const(IndexKind.Long)), (2, Gen.Const(IndexKind.Int)), (4, Gen.Int[0, (int)IndexKind.ULong].Select(i => (IndexKind)i)));

    /// <summary>A seed for <see cref="Values{T}"/>.</summary>
    public static Gen<int> ValueSeed { get; } = Gen.Int[0, 1 << 20];

    /// <summary>
    /// <paramref name="length"/> deterministic elements from <paramref name="seed"/>: small integers (many ties, planted
    /// -0 and +0), and for one seed in four special values (NaN, +-infinity, +-1e30) which integer types saturate to
    /// their MinValue/MaxValue (and NaN to 0).
    /// </summary>
    public static T[] Values<T>(long length, int seed)
        where T : INumberBase<T>
    {
        var values = new T[length];
        bool special = seed % 4 == 0;
        ulong state = (ulong)seed * 0x9E3779B97F4A7C15UL;
        for (long i = 0; i < length; i++)
        {
            state = unchecked((state ^ (state >> 29)) * 0xBF58476D1CE4E5B9UL) + 1;
            int r = (int)(state >> 40) & 0xFF;
            double v = special && r < 48
                ? (r % 6) switch { 0 => double.NaN, 1 => double.PositiveInfinity, 2 => double.NegativeInfinity, 3 => -0.0, 4 => 1e30, _ => -1e30 }
                : (r % 9) - 4;
            values[i] = T.CreateSaturating(v);
        }

        return values;
    }

    /// <summary>A copy of <paramref name="values"/> in page-guarded memory, read-only (an input the operator must not write).</summary>
    public static PageGuardedMemory<T> GuardedSource<T>(ReadOnlySpan<T> values, GuardSide side)
        where T : unmanaged
        => PageGuardedMemory<T>.From(values, side, readOnly: true);

    /// <summary>
    /// A page-guarded destination of <paramref name="length"/> elements (at least 0) pre-filled with the byte
    /// <c>0xA5</c>, so an untouched destination is recognisable and any write shows.
    /// </summary>
    public static PageGuardedMemory<T> GuardedDestination<T>(int length, GuardSide side)
        where T : unmanaged
    {
        var memory = new PageGuardedMemory<T>(Math.Max(0, length), side);
        MemoryMarshal.AsBytes(memory.Span).Fill(0xA5);
        return memory;
    }

    /// <summary>The opposite side: alternate placements of the buffers of one case.</summary>
    public static GuardSide Other(this GuardSide side) => side == GuardSide.After ? GuardSide.Before : GuardSide.After;
}

/// <summary>The element types the properties run (every numeric type of SEMANTICS.md 5 that pooling admits).</summary>
internal enum ElementKind
{
    Float,
    Double,
    Half,
    Byte,
    SByte,
    Short,
    Int,
    Long,
}

/// <summary>The index types the properties run: every 8- to 64-bit integer, signed and unsigned.</summary>
internal enum IndexKind
{
    Byte,
    SByte,
    Short,
    UShort,
    Int,
    UInt,
    Long,
    ULong,
}

/// <summary>A property body generic over the element type and the index type.</summary>
internal interface ITypedBody
{
    void Run<T, TIndex>()
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>;
}

/// <summary>Runs an <see cref="ITypedBody"/> on the types an <see cref="ElementKind"/> and an <see cref="IndexKind"/> name.</summary>
internal static class TypeDispatch
{
    public static void Run<TBody>(ElementKind element, IndexKind index, TBody body)
        where TBody : ITypedBody
    {
        switch (element)
        {
            case ElementKind.Float: Index<float, TBody>(index, body); break;
            case ElementKind.Double: Index<double, TBody>(index, body); break;
            case ElementKind.Half: Index<Half, TBody>(index, body); break;
            case ElementKind.Byte: Index<byte, TBody>(index, body); break;
            case ElementKind.SByte: Index<sbyte, TBody>(index, body); break;
            case ElementKind.Short: Index<short, TBody>(index, body); break;
            case ElementKind.Int: Index<int, TBody>(index, body); break;
            default: Index<long, TBody>(index, body); break;
        }
    }

    /// <summary>The largest value of an index kind, as an <see cref="Int128"/>.</summary>
    public static Int128 MaxOf(IndexKind index) => index switch
    {
        IndexKind.Byte => byte.MaxValue,
        IndexKind.SByte => sbyte.MaxValue,
        IndexKind.Short => short.MaxValue,
        IndexKind.UShort => ushort.MaxValue,
        IndexKind.Int => int.MaxValue,
        IndexKind.UInt => uint.MaxValue,
        IndexKind.Long => long.MaxValue,
        _ => ulong.MaxValue,
    };

    private static void Index<T, TBody>(IndexKind index, TBody body)
        where T : unmanaged, INumber<T>
        where TBody : ITypedBody
    {
        switch (index)
        {
            case IndexKind.Byte: body.Run<T, byte>(); break;
            case IndexKind.SByte: body.Run<T, sbyte>(); break;
            case IndexKind.Short: body.Run<T, short>(); break;
            case IndexKind.UShort: body.Run<T, ushort>(); break;
            case IndexKind.Int: body.Run<T, int>(); break;
            case IndexKind.UInt: body.Run<T, uint>(); break;
            case IndexKind.Long: body.Run<T, long>(); break;
            default: body.Run<T, ulong>(); break;
        }
    }
}
