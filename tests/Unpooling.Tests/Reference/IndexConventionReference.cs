using System.Numerics;

namespace Unpooling.Tests.Reference;

/// <summary>
/// SEMANTICS.md 1's index table as plain formulas of (n, c, h, w), and the argmax-unpooling scatter of SEMANTICS.md 2
/// over a whole <c>[N, C, H, W]</c> output. Decoding is a table built by applying the formula to every cell: an index
/// names the cell of the element's scope (its plane per plane, its sample channels-last per sample, else the tensor)
/// whose formula gives it.
/// Shares no code with <c>src</c>.
/// </summary>
internal static class IndexConventionReference
{
    public static readonly IndexConvention[] All =
    [
        IndexConvention.PerPlane,
        IndexConvention.GlobalRowMajor,
        IndexConvention.GlobalColumnMajor,
        IndexConvention.ChannelsLastPerSample,
        IndexConvention.ChannelsLastWithBatch,
    ];

    /// <summary>The index of cell (n, c, h, w) of an <c>[N, C, H, W]</c> tensor (the table of SEMANTICS.md 1).</summary>
    public static long Index(IndexConvention convention, long n, long c, long h, long w, long channels, long height, long width) => convention switch
    {
        IndexConvention.PerPlane => (h * width) + w,
        IndexConvention.GlobalRowMajor => ((((n * channels) + c) * height) + h) * width + w,
        IndexConvention.GlobalColumnMajor => (((n * channels) + c) * height * width) + h + (w * height),
        IndexConvention.ChannelsLastPerSample => (((h * width) + w) * channels) + c,
        IndexConvention.ChannelsLastWithBatch => (((((n * height) + h) * width) + w) * channels) + c,
        _ => throw new ArgumentOutOfRangeException(nameof(convention)),
    };

    /// <summary>Number of valid indices of one element: its scope's cell count.</summary>
    public static long Space(IndexConvention convention, Shape4D indexed) => convention switch
    {
        IndexConvention.PerPlane => (long)indexed.Height * indexed.Width,
        IndexConvention.ChannelsLastPerSample => (long)indexed.Channels * indexed.Height * indexed.Width,
        _ => (long)indexed.Batch * indexed.Channels * indexed.Height * indexed.Width,
    };

    /// <summary>
    /// Maps per-plane indices of an <c>[N, C, oH, oW]</c> index tensor (position gives n and c) into
    /// <paramref name="convention"/>, for an indexed spatial size <paramref name="indexed"/>.
    /// </summary>
    public static long[] FromPerPlane(long[] perPlane, Shape4D indicesShape, Size2D indexed, IndexConvention convention)
    {
        long positionsPerPlane = (long)indicesShape.Height * indicesShape.Width;
        var result = new long[perPlane.Length];
        for (int i = 0; i < perPlane.Length; i++)
        {
            long plane = i / positionsPerPlane;
            long n = plane / indicesShape.Channels, c = plane % indicesShape.Channels;
            long h = perPlane[i] / indexed.Width, w = perPlane[i] % indexed.Width;
            result[i] = Index(convention, n, c, h, w, indicesShape.Channels, indexed.Height, indexed.Width);
        }

        return result;
    }

    /// <summary>
    /// Every cell of <paramref name="indexed"/> keyed by (scope, index), where the scope is what an index is relative
    /// to: the plane <c>n*C + c</c> per plane, the sample n channels-last per sample, nothing (0) otherwise. An index
    /// of an element of plane (n, c) names the cell stored under that element's scope and the index.
    /// </summary>
    public static Dictionary<(long Scope, long Index), long> Cells(IndexConvention convention, Shape4D indexed)
    {
        var cells = new Dictionary<(long, long), long>();
        long cell = 0;
        for (int n = 0; n < indexed.Batch; n++)
        {
            for (int c = 0; c < indexed.Channels; c++)
            {
                for (int h = 0; h < indexed.Height; h++)
                {
                    for (int w = 0; w < indexed.Width; w++, cell++)
                    {
                        cells.Add((Scope(convention, n, c, indexed.Channels), Index(convention, n, c, h, w, indexed.Channels, indexed.Height, indexed.Width)), cell);
                    }
                }
            }
        }

        return cells;
    }

    public static long Scope(IndexConvention convention, long n, long c, long channels) => convention switch
    {
        IndexConvention.PerPlane => (n * channels) + c,
        IndexConvention.ChannelsLastPerSample => n,
        _ => 0,
    };

    /// <summary>
    /// SEMANTICS.md 2 over the whole output: all zeros, then in row-major input order <c>y[cell] = x</c> (or
    /// <c>+= x</c> when <paramref name="sum"/>), so the last duplicate wins across planes too.
    /// </summary>
    public static T[] MaxUnpool<T>(T[] x, long[] indices, Shape4D pooled, Size2D output, IndexConvention convention, bool sum)
        where T : INumberBase<T>
    {
        Shape4D indexed = pooled.WithSpatialSize(output);
        Dictionary<(long, long), long> cells = Cells(convention, indexed);
        var y = new T[indexed.ElementCount];
        y.AsSpan().Fill(T.Zero);
        long positionsPerPlane = pooled.PlaneSize;
        for (int i = 0; i < x.Length; i++)
        {
            long plane = i / positionsPerPlane;
            if (!cells.TryGetValue((Scope(convention, plane / pooled.Channels, plane % pooled.Channels, pooled.Channels), indices[i]), out long cell))
            {
                throw new InvalidOperationException($"Oracle: index {indices[i]} at {i} names no cell in {convention}.");
            }

            y[cell] = sum ? y[cell] + x[i] : x[i];
        }

        return y;
    }
}
