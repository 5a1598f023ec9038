using System.Numerics;
using System.Runtime.InteropServices;
using CsCheck;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>An expected refusal: the exception type, the parameter it names, and why (for the tally).</summary>
internal readonly record struct PoolRefusal(Type Type, string Name, string Why)
{
    public static PoolRefusal Argument(string name, string why) => new(typeof(ArgumentException), name, why);

    public static PoolRefusal OutOfRange(string name, string why) => new(typeof(ArgumentOutOfRangeException), name, why);

    public override string ToString() => $"{Type.Name} naming '{Name}' ({Why})";
}

/// <summary>Shared pieces of the pooling-family properties: shapes, the pooling oracle dispatch, refusal checks.</summary>
internal static class PoolCases
{
    /// <summary>
    /// A pooling input shape: mostly tiny and valid (N and C sometimes 0), sometimes hostile (negative, zero spatial,
    /// boundary values whose products pass 2^31 and 2^63).
    /// </summary>
    public static Gen<Shape4D> Shape { get; } = Gen.Frequency(
        (14, Gen.Select(Gen.Frequency((1, Gen.Const(0)), (8, Gen.Int[1, 2])), Gen.Frequency((1, Gen.Const(0)), (8, Gen.Int[1, 3])), Gen.Int[1, 6], Gen.Int[1, 8], (n, c, h, w) => new Shape4D(n, c, h, w))),
        (3, Gen.Select(Gen.Int[1, 2], Gen.Int[1, 2], Gen.Int[12, 20], Gen.Int[12, 20], (n, c, h, w) => new Shape4D(n, c, h, w))),
        (2, Gen.Select(Generators.Hostile(0, 2), Generators.Hostile(0, 3), Generators.Hostile(1, 6), Generators.Hostile(1, 8), (n, c, h, w) => new Shape4D(n, c, h, w))));

    /// <summary>The shape a tensor view of <paramref name="shape"/>'s lengths has: negative counts cannot be lengths, they become 0.</summary>
    public static Shape4D Clamp(Shape4D shape) => new(Math.Max(0, shape.Batch), Math.Max(0, shape.Channels), Math.Max(0, shape.Height), Math.Max(0, shape.Width));

    /// <summary>The length of a span for a shape that wants <paramref name="expected"/> elements, off by <paramref name="delta"/>; a small wrong length when the shape is too big to allocate.</summary>
    public static int Length(long expected, int delta, long limit = 1 << 13)
        => expected >= 0 && expected <= limit ? (int)Math.Max(0, expected + delta) : 1 + (delta & 7);

    /// <summary>
    /// The expected pooling of <paramref name="x"/>: values, per-plane indices and in-window taps, from
    /// <see cref="MaxPool2DReference"/> (taps through <see cref="IndexConventionReference.InWindowFromPerPlane"/>) where
    /// that oracle is exact, else from <see cref="PoolModel.Pool"/>.
    /// </summary>
    public static (T[] Values, long[] PerPlane, long[] Taps) Pool<T>(T[] x, Shape4D shape, GeometrySpec g, int oh, int ow)
        where T : INumber<T>
    {
        if (!PoolModel.OracleSafe(g))
        {
            return PoolModel.Pool(x, shape.PlaneCount, shape.Height, shape.Width, g, oh, ow);
        }

        PoolResult<T> r = MaxPool2DReference.Pool(x, (int)shape.PlaneCount, shape.Height, shape.Width, g.Rows, g.Cols, g.Ceil);
        Shape4D pooled = shape.WithSpatialSize(new Size2D(oh, ow));
        return (r.Values, r.Indices, IndexConventionReference.InWindowFromPerPlane(r.Indices, pooled, shape.SpatialSize, g.Rows, g.Cols));
    }

    /// <summary>The expected indices in <paramref name="convention"/> (the five affine ones from the per-plane indices, InWindow = the taps).</summary>
    public static long[] InConvention(long[] perPlane, long[] taps, Shape4D pooled, Size2D indexed, IndexConvention convention)
        => convention == IndexConvention.InWindow ? taps : IndexConventionReference.FromPerPlane(perPlane, pooled, indexed, convention);

    /// <summary>The expected indices as <typeparamref name="TIndex"/> (the model has checked they fit).</summary>
    public static TIndex[] As<TIndex>(long[] indices)
        where TIndex : IBinaryInteger<TIndex>
        => [.. indices.Select(TIndex.CreateChecked)];

    /// <summary>
    /// Asserts <paramref name="call"/> is refused with one of <paramref name="accepted"/> (exact exception type and
    /// ParamName, with a message) and returns the tally category of the one it matched. Several are accepted only where
    /// the contract leaves the order of two faults of one case open.
    /// </summary>
    public static string Refused(IReadOnlyList<PoolRefusal> accepted, Action call, string context)
    {
        if (accepted.Count == 1)
        {
            PoolRefusal only = accepted[0];
            string category = only.Type == typeof(ArgumentOutOfRangeException)
                ? Property.Refused<ArgumentOutOfRangeException>(only.Name, call, context)
                : Property.Refused<ArgumentException>(only.Name, call, context);
            return $"{category} ({only.Why})";
        }

        Exception? thrown = null;
        try
        {
            call();
        }
        catch (Exception e)
        {
            thrown = e;
        }

        foreach (PoolRefusal r in accepted)
        {
            if (thrown is ArgumentException a && thrown.GetType() == r.Type && a.ParamName == r.Name && !string.IsNullOrWhiteSpace(a.Message))
            {
                return $"refused: {r.Name} ({r.Why})";
            }
        }

        throw new Xunit.Sdk.XunitException($"{context}: expected one of {string.Join("; ", accepted)}, got {thrown?.ToString() ?? "a return"}");
    }

    /// <summary>
    /// Asserts <paramref name="call"/> is refused as <paramref name="refusal"/> says and leaves every byte of
    /// <paramref name="destination"/> as it was; returns the tally category prefixed with <paramref name="prefix"/>.
    /// </summary>
    public static string RefusedLeavingUnchanged<T>(string prefix, PoolRefusal refusal, Action call, PageGuardedMemory<T> destination, string context)
        where T : unmanaged
    {
        byte[] before = Snapshot<T>(destination.Span);
        string category = Refused([refusal], call, context);
        Unchanged<T>(before, destination.Span, "destination", context);
        return $"{prefix} {category}";
    }

    /// <summary>Asserts two arrays hold the same bytes, with a readable message.</summary>
    public static void Equal<T>(T[] expected, ReadOnlySpan<T> actual, string what, string context)
        where T : unmanaged
    {
        if (!Property.SameBytes<T>(expected, actual))
        {
            int at = 0;
            while (at < Math.Min(expected.Length, actual.Length) && Property.SameBytes<T>(expected.AsSpan(at, 1), actual.Slice(at, 1)))
            {
                at++;
            }

            throw new Xunit.Sdk.XunitException(
                $"{context}: {what} differ from the reference at {at} of {expected.Length} (actual length {actual.Length}): expected {(at < expected.Length ? expected[at] : "end")}, got {(at < actual.Length ? actual[at] : "end")}.");
        }
    }

    /// <summary>Whether two byte ranges share a byte (an empty range shares none).</summary>
    public static unsafe bool Overlap(void* a, long aBytes, void* b, long bBytes)
        => aBytes > 0 && bBytes > 0 && (byte*)a < (byte*)b + bBytes && (byte*)b < (byte*)a + aBytes;

    /// <summary>A span of <typeparamref name="T"/> over <paramref name="count"/> elements at <paramref name="bytes"/>.</summary>
    public static unsafe Span<T> At<T>(byte* bytes, int count)
        where T : unmanaged
        => new(bytes, count);

    /// <summary>The byte snapshot of a span, to compare after a refused call.</summary>
    public static byte[] Snapshot<T>(ReadOnlySpan<T> span)
        where T : unmanaged
        => MemoryMarshal.AsBytes(span).ToArray();

    /// <summary>Asserts a refused call left the bytes of <paramref name="span"/> as <paramref name="before"/>.</summary>
    public static void Unchanged<T>(byte[] before, ReadOnlySpan<T> span, string what, string context)
        where T : unmanaged
        => Assert.True(MemoryMarshal.AsBytes(span).SequenceEqual(before), $"{context}: the refused call changed {what}.");
}
