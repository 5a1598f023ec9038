using System.Globalization;
using System.Numerics;
using Unpooling.Tests.Conv;

namespace Unpooling.Conformance.Infrastructure;

/// <summary>
/// Comparisons of our results with a peer's, element by element over a <c>[N, C, H, W]</c> shape; each throws a
/// <see cref="MismatchException"/> that names the first differing element by position and counts the others.
/// </summary>
internal static class Check
{
    /// <summary>
    /// Identical bit for bit (so +0 differs from -0), except that any NaN equals any NaN: which NaN payload a peer
    /// propagates is not part of the contract, only that a NaN is selected.
    /// </summary>
    public static void Exact<T>(ReadOnlySpan<T> peer, ReadOnlySpan<T> ours, Shape4D shape, string what)
        where T : IFloatingPointIeee754<T>
        => Compare(peer, ours, shape, what, static (p, o, _) => (T.IsNaN(p) && T.IsNaN(o)) || (p == o && T.IsNegative(p) == T.IsNegative(o)), null);

    /// <summary>Equal as numbers (+0 equals -0): for convolutions on integer-valued data, whose sums are exact but whose
    /// zero signs depend on summation order.</summary>
    public static void Numeric<T>(ReadOnlySpan<T> peer, ReadOnlySpan<T> ours, Shape4D shape, string what)
        where T : IFloatingPointIeee754<T>
        => Compare(peer, ours, shape, what, static (p, o, _) => p == o, null);

    /// <summary>
    /// Equal within the unit tests' named convolution tolerance (<see cref="ConvTolerance"/>):
    /// <c>|ours - peer| &lt;= Absolute + Relative * max(|peer|, scale)</c>, where <paramref name="scale"/> holds, per
    /// output, the sum of the absolute values of its terms (<c>|bias| + sum |x| |w|</c>). Both sides round each of
    /// those terms in a different order (their GEMMs block and fuse differently), so the error bound scales with the
    /// terms, not with the result, which cancellation can make arbitrarily small.
    /// </summary>
    public static void Close<T>(ReadOnlySpan<T> peer, ReadOnlySpan<T> ours, ReadOnlySpan<T> scale, Shape4D shape, string what)
        where T : IFloatingPointIeee754<T>
    {
        double rel = ConvTolerance.Relative<T>(), abs = ConvTolerance.Absolute<T>();
        T[] terms = scale.ToArray();
        Compare(peer, ours, shape, what, (p, o, i) => Math.Abs(double.CreateChecked(o) - double.CreateChecked(p)) <= abs + (rel * Math.Max(Math.Abs(double.CreateChecked(p)), double.CreateChecked(terms[i]))), terms);
    }

    /// <summary>Equal indices.</summary>
    public static void Indices<TIndex>(ReadOnlySpan<long> peer, ReadOnlySpan<TIndex> ours, Shape4D shape, string what)
        where TIndex : IBinaryInteger<TIndex>
        => Compare(peer, ours, shape, what, static (p, o, _) => p == long.CreateTruncating(o), null);

    /// <summary>Fails unless both sides have <paramref name="shape"/>'s element count.</summary>
    public static void Length(long peer, long ours, Shape4D shape, string what)
    {
        if (peer != shape.ElementCount || ours != shape.ElementCount)
        {
            throw new MismatchException($"{what}: the peer gave {peer} elements and ours {ours}, expected {shape} = {shape.ElementCount}.");
        }
    }

    private static void Compare<TPeer, TOurs>(ReadOnlySpan<TPeer> peer, ReadOnlySpan<TOurs> ours, Shape4D shape, string what, Func<TPeer, TOurs, int, bool> same, object? scale)
    {
        Length(peer.Length, ours.Length, shape, what);
        int first = -1, count = 0;
        for (int i = 0; i < peer.Length; i++)
        {
            if (!same(peer[i], ours[i], i))
            {
                first = first < 0 ? i : first;
                count++;
            }
        }

        if (count > 0)
        {
            string tolerance = scale is Array s ? $" (term scale {s.GetValue(first)})" : string.Empty;
            throw new MismatchException(
                $"{what}: {count} of {peer.Length} elements differ; first at {Where(shape, first)}: ours {Show(ours[first])}, peer {Show(peer[first])}{tolerance}.");
        }
    }

    /// <summary>The <c>[n, c, h, w]</c> position of flat element <paramref name="i"/>.</summary>
    public static string Where(Shape4D shape, long i)
    {
        long w = i % shape.Width, h = i / shape.Width % shape.Height, c = i / shape.PlaneSize % shape.Channels, n = i / (shape.PlaneSize * shape.Channels);
        return $"[{n}, {c}, {h}, {w}]";
    }

    private static string Show<T>(T value) => value switch
    {
        float f when f == 0 => float.IsNegative(f) ? "-0" : "+0",
        double d when d == 0 => double.IsNegative(d) ? "-0" : "+0",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "null",
    };
}
