namespace Unpooling.Internal;

/// <summary>
/// The indexed volume tensor <c>[N, C, D, H, W]</c> seen through one <see cref="IndexConvention"/>: every convention but
/// InWindow is a dot product of <c>(n, c, d, h, w)</c> with five strides, the 3-D form of <see cref="IndexLayout"/>.
/// Global column-major generalizes ONNX storage_order 1 the way ONNX Runtime's MaxPool 3-D computes it: the plane base
/// plus <c>d + h*D + w*D*H</c> (the first spatial axis fastest).
/// </summary>
/// <remarks>
/// All conventions but column-major name the same cell as <see cref="IndexLayout"/> does for the 2-D view
/// <c>[N, C, D*H, W]</c> of the same memory (the row-major offset in a volume is the offset in that plane), which is how
/// argmax unpooling reuses the 2-D scatter (<see cref="As2DView"/>).
/// </remarks>
internal readonly struct IndexLayout3D
{
    public readonly IndexConvention Convention;
    public readonly long Channels, Depth, Height, Width, Volume;
    public readonly long StrideN, StrideC, StrideD, StrideH, StrideW;

    /// <summary>Valid indices are <c>[0, Space)</c> (saturated at <see cref="long.MaxValue"/>).</summary>
    public readonly long Space;

    public IndexLayout3D(IndexConvention convention, Shape5D indexed)
    {
        Convention = convention;
        (Channels, Depth, Height, Width) = (indexed.Channels, indexed.Depth, indexed.Height, indexed.Width);
        Volume = Depth * Height * Width;
        (StrideN, StrideC, StrideD, StrideH, StrideW) = Strides(convention, Channels, Depth, Height, Width);
        Space = (long)Int128.Min(SpaceOf(convention, indexed), long.MaxValue);
    }

    /// <summary>
    /// The strides of an affine convention over a <c>[N, C, D, H, W]</c> index space (2-D: D = 1):
    /// <c>index = n*N + c*C + d*D + h*H + w*W</c>; all zero for <see cref="IndexConvention.InWindow"/>, which is a tap.
    /// The one table of every 3-D and channels-last kernel (<see cref="ChannelsLastIndexing"/> reads it too).
    /// </summary>
    public static (long N, long C, long D, long H, long W) Strides(IndexConvention convention, long channels, long depth, long height, long width)
    {
        long volume = depth * height * width;
        return convention switch
        {
            IndexConvention.PerPlane => (0L, 0L, height * width, width, 1L),
            IndexConvention.GlobalRowMajor => (channels * volume, volume, height * width, width, 1L),
            IndexConvention.GlobalColumnMajor => (channels * volume, volume, 1L, depth, depth * height),
            IndexConvention.ChannelsLastPerSample => (0L, 1L, height * width * channels, width * channels, channels),
            IndexConvention.ChannelsLastWithBatch => (volume * channels, 1L, height * width * channels, width * channels, channels),
            _ => (0L, 0L, 0L, 0L, 0L),
        };
    }

    /// <summary>The number of valid indices of a convention other than InWindow, computed wide.</summary>
    public static Int128 SpaceOf(IndexConvention convention, Shape5D indexed) => convention switch
    {
        IndexConvention.PerPlane => (Int128)indexed.Depth * indexed.Height * indexed.Width,
        IndexConvention.ChannelsLastPerSample => (Int128)indexed.Channels * indexed.Depth * indexed.Height * indexed.Width,
        _ => (Int128)indexed.Batch * indexed.Channels * indexed.Depth * indexed.Height * indexed.Width,
    };

    /// <summary>The 2-D shape <c>[N, C, D*H, W]</c> whose <see cref="IndexLayout"/> names the same cells (not for column-major).</summary>
    public static Shape4D As2DView(Shape5D shape) => new(shape.Batch, shape.Channels, checked(shape.Depth * shape.Height), shape.Width);

    /// <summary>The index of cell (n, c, d, h, w).</summary>
    public long Encode(long n, long c, long d, long h, long w) => (n * StrideN) + (c * StrideC) + (d * StrideD) + (h * StrideH) + (w * StrideW);

    /// <summary>The row-major offset of the cell a global column-major index in <c>[0, Space)</c> names.</summary>
    public long ColumnMajorToRowMajor(long index)
    {
        long plane = index / Volume, rest = index - (plane * Volume);
        long w = rest / (Depth * Height);
        rest -= w * Depth * Height;
        long h = rest / Depth, d = rest - (h * Depth);
        return (plane * Volume) + (((d * Height) + h) * Width) + w;
    }

    /// <summary>The global column-major index of the cell at row-major offset <paramref name="offset"/>.</summary>
    public long RowMajorToColumnMajor(long offset)
    {
        long plane = offset / Volume, rest = offset - (plane * Volume);
        long d = rest / (Height * Width);
        rest -= d * Height * Width;
        long h = rest / Width, w = rest - (h * Width);
        return (plane * Volume) + d + (h * Depth) + (w * Depth * Height);
    }
}
