using System.Numerics;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// One InWindow test case: a geometry the oracle accepts for an input size, the pooled [N, C, oH, oW] shape, and random
/// valid taps (each on a cell of the indexed plane) with the per-plane indices of their cells, both from the oracle.
/// </summary>
internal sealed record InWindowCase(PoolAxis Rows, PoolAxis Cols, bool Ceil, Size2D Indexed, Shape4D Pooled, long[] Taps, long[] PerPlane)
{
    public Pool2DGeometry Geometry => Infrastructure.Geometry.ToLibrary(Rows, Cols, Ceil);

    public Shape4D IndexedShape => Pooled.WithSpatialSize(Indexed);

    public override string ToString() => $"{Infrastructure.Geometry.Describe(Rows, Cols, Ceil)}, indexed {Indexed}, pooled {Pooled}";
}

/// <summary>The geometry grid of the InWindow tests and the random valid taps they start from.</summary>
internal static class InWindowCases
{
    /// <summary>Kernel 2x2, 3x3 and 2x3; stride 1 and 2; padding 0 and 1; dilation 1 and 2; ceil mode off and on.</summary>
    public static IEnumerable<(PoolAxis Rows, PoolAxis Cols, bool Ceil)> Geometries()
    {
        foreach ((int kh, int kw) in new[] { (2, 2), (3, 3), (2, 3) })
        {
            foreach (int s in new[] { 1, 2 })
            {
                foreach (int p in new[] { 0, 1 })
                {
                    foreach (int d in new[] { 1, 2 })
                    {
                        foreach (bool ceil in new[] { false, true })
                        {
                            yield return (new PoolAxis(kh, s, p, d), new PoolAxis(kw, s, p, d), ceil);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Every grid geometry the oracle accepts for a 7x8 and a 6x5 input, pooled [2, 2, oH, oW] (224 and 120 cells in
    /// all, so every convention fits a <see cref="byte"/>), with random valid taps.
    /// </summary>
    public static IEnumerable<InWindowCase> Pooling(int seed)
    {
        var random = new Random(seed);
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Geometries())
        {
            foreach (Size2D input in new[] { new Size2D(7, 8), new Size2D(6, 5) })
            {
                if (rows.TryGetOutputSize(input.Height, ceil, out int oh) && cols.TryGetOutputSize(input.Width, ceil, out int ow))
                {
                    var pooled = new Shape4D(2, 2, oh, ow);
                    long[] taps = RandomTaps(pooled, input, rows, cols, random)
                        ?? throw new InvalidOperationException("a pooling window of an accepted geometry holds an input cell");
                    yield return new InWindowCase(rows, cols, ceil, input, pooled, taps, IndexConventionReference.PerPlaneFromInWindow(taps, pooled, input, rows, cols));
                }
            }
        }
    }

    /// <summary>
    /// For each element of <paramref name="pooled"/> a random tap whose cell (oracle) lies in the
    /// <paramref name="indexed"/> plane; null when some window has no such tap.
    /// </summary>
    public static long[]? RandomTaps(Shape4D pooled, Size2D indexed, PoolAxis rows, PoolAxis cols, Random random)
    {
        var taps = new long[pooled.ElementCount];
        var valid = new List<long>();
        for (int i = 0; i < taps.Length; i++)
        {
            int oh = i / pooled.Width % pooled.Height, ow = i % pooled.Width;
            valid.Clear();
            for (long tap = 0; tap < (long)rows.Kernel * cols.Kernel; tap++)
            {
                if (IndexConventionReference.CellOfTap(tap, oh, ow, rows, cols, indexed) >= 0)
                {
                    valid.Add(tap);
                }
            }

            if (valid.Count == 0)
            {
                return null;
            }

            taps[i] = valid[random.Next(valid.Count)];
        }

        return taps;
    }

    /// <summary>Whether <typeparamref name="TIndex"/> holds every index of a space of <paramref name="space"/> values (the type's own maximum).</summary>
    public static bool Fits<TIndex>(long space)
        where TIndex : IBinaryInteger<TIndex>, IMinMaxValue<TIndex>
        => space - 1 <= long.CreateSaturating(TIndex.MaxValue);
}
