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

    /// <summary>
    /// The in-window tap of a cell, from IndexConvention.InWindow's definition: the element at (oh, ow) of a pooled plane
    /// has window taps <c>kh*KW + kw</c> on cells <c>(oh*SH - PH + kh*DH, ow*SW - PW + kw*DW)</c>. Searches every tap
    /// for one on cell (h, w); -1 when none is (the cell lies outside the element's window).
    /// </summary>
    public static long TapOfCell(long h, long w, int oh, int ow, PoolAxis rows, PoolAxis cols)
    {
        for (int kh = 0; kh < rows.Kernel; kh++)
        {
            for (int kw = 0; kw < cols.Kernel; kw++)
            {
                if (rows.Position(oh, kh) == h && cols.Position(ow, kw) == w)
                {
                    return ((long)kh * cols.Kernel) + kw;
                }
            }
        }

        return -1;
    }

    /// <summary>
    /// The per-plane cell <c>h*W + w</c> that tap <paramref name="tap"/> of the window of (oh, ow) lies on, or -1 when the
    /// tap is outside <c>[0, KH*KW)</c> or its cell is outside the <paramref name="indexed"/> plane.
    /// </summary>
    public static long CellOfTap(long tap, int oh, int ow, PoolAxis rows, PoolAxis cols, Size2D indexed)
    {
        if (tap < 0 || tap >= (long)rows.Kernel * cols.Kernel)
        {
            return -1;
        }

        long h = rows.Position(oh, (int)(tap / cols.Kernel)), w = cols.Position(ow, (int)(tap % cols.Kernel));
        return h >= 0 && h < indexed.Height && w >= 0 && w < indexed.Width ? (h * indexed.Width) + w : -1;
    }

    /// <summary>Per-plane indices of an <c>[N, C, oH, oW]</c> index tensor as in-window taps; throws for a cell outside its window.</summary>
    public static long[] InWindowFromPerPlane(long[] perPlane, Shape4D indicesShape, Size2D indexed, PoolAxis rows, PoolAxis cols)
    {
        var taps = new long[perPlane.Length];
        for (int i = 0; i < perPlane.Length; i++)
        {
            int oh = i / indicesShape.Width % indicesShape.Height, ow = i % indicesShape.Width;
            taps[i] = TapOfCell(perPlane[i] / indexed.Width, perPlane[i] % indexed.Width, oh, ow, rows, cols);
            if (taps[i] < 0)
            {
                throw new InvalidOperationException($"Oracle: per-plane index {perPlane[i]} at {i} is outside the window of ({oh}, {ow}).");
            }
        }

        return taps;
    }

    /// <summary>In-window taps of an <c>[N, C, oH, oW]</c> index tensor as per-plane indices; throws for an invalid tap.</summary>
    public static long[] PerPlaneFromInWindow(long[] taps, Shape4D indicesShape, Size2D indexed, PoolAxis rows, PoolAxis cols)
    {
        var perPlane = new long[taps.Length];
        for (int i = 0; i < taps.Length; i++)
        {
            int oh = i / indicesShape.Width % indicesShape.Height, ow = i % indicesShape.Width;
            perPlane[i] = CellOfTap(taps[i], oh, ow, rows, cols, indexed);
            if (perPlane[i] < 0)
            {
                throw new InvalidOperationException($"Oracle: tap {taps[i]} at {i} is no cell of the {indexed} plane.");
            }
        }

        return perPlane;
    }
}
