using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Infrastructure;

/// <summary>Converts the oracles' plain axis descriptions to the library's geometry, and picks input sizes.</summary>
internal static class Geometry
{
    public static Pool2DGeometry ToLibrary(PoolAxis rows, PoolAxis cols, bool ceilMode) => new(
        new Size2D(rows.Kernel, cols.Kernel),
        new Size2D(rows.Stride, cols.Stride),
        new Size2D(rows.Padding, cols.Padding),
        new Size2D(rows.Dilation, cols.Dilation),
        ceilMode);

    public static string Describe(PoolAxis rows, PoolAxis cols, bool ceilMode)
        => $"rows {rows} / cols {cols} ceil {(ceilMode ? "on" : "off")}";

    /// <summary>
    /// The square grid of the issue: kernel 1-5, stride 1-3, padding 0-2, dilation 1-2, ceil off/on (180 geometries),
    /// including the ones the oracle rejects.
    /// </summary>
    public static IEnumerable<(PoolAxis Axis, bool CeilMode)> SquareGrid()
    {
        for (int k = 1; k <= 5; k++)
        {
            for (int s = 1; s <= 3; s++)
            {
                for (int p = 0; p <= 2; p++)
                {
                    for (int d = 1; d <= 2; d++)
                    {
                        yield return (new PoolAxis(k, s, p, d), false);
                        yield return (new PoolAxis(k, s, p, d), true);
                    }
                }
            }
        }
    }

    /// <summary>Non-square geometries: different kernel, stride, padding and dilation per axis.</summary>
    public static IEnumerable<(PoolAxis Rows, PoolAxis Cols, bool CeilMode)> NonSquare()
    {
        yield return (new PoolAxis(2, 1, 0, 1), new PoolAxis(3, 2, 1, 1), false);
        yield return (new PoolAxis(3, 2, 1, 1), new PoolAxis(2, 2, 0, 1), true);
        yield return (new PoolAxis(1, 1, 0, 1), new PoolAxis(4, 3, 2, 1), false);
        yield return (new PoolAxis(4, 3, 1, 2), new PoolAxis(1, 1, 0, 1), true);
        yield return (new PoolAxis(5, 2, 2, 1), new PoolAxis(3, 1, 1, 2), false);
        yield return (new PoolAxis(2, 3, 0, 2), new PoolAxis(5, 3, 2, 2), true);
        yield return (new PoolAxis(3, 1, 0, 1), new PoolAxis(2, 2, 1, 2), false);
    }

    /// <summary>
    /// An input size whose pooled size along <paramref name="axis"/> is exactly <paramref name="output"/>, or -1
    /// when the oracle accepts none. <paramref name="random"/> picks among the candidates so the remainder varies.
    /// </summary>
    public static int InputSizeFor(int output, PoolAxis axis, bool ceilMode, Random random)
    {
        int center = ((output - 1) * axis.Stride) + axis.EffectiveKernel - (2 * axis.Padding);
        var candidates = new List<int>();
        for (int input = Math.Max(1, center - axis.Stride - 1); input <= center + axis.Stride + 1; input++)
        {
            if (axis.TryGetOutputSize(input, ceilMode, out int o) && o == output)
            {
                candidates.Add(input);
            }
        }

        return candidates.Count == 0 ? -1 : candidates[random.Next(candidates.Count)];
    }
}
