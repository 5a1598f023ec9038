using System.Numerics;

namespace Unpooling.Internal;

/// <summary>
/// Reads and writes one 3-D arg-max index in any <see cref="IndexConvention"/>, InWindow included, for an element of the
/// pooled tensor <c>[N, C, oD, oH, oW]</c> pointing into the indexed tensor <c>[N, C, D, H, W]</c> (the pooling input,
/// or the unpooling output): the scalar path of 3-D index conversion and of the 3-D unpooling conventions that the 2-D
/// scatter cannot run on the <c>[N, C, D*H, W]</c> view (column-major, InWindow). Every product is in 64 bits on
/// validated shapes (fewer than 2^63 cells).
/// </summary>
internal readonly struct IndexCodec3D
{
    private readonly IndexLayout3D _layout;
    private readonly SpatialPlan _plan;
    private readonly bool _hasGeometry;

    /// <summary>Cells of one pooled volume.</summary>
    public readonly long PooledVolume;

    /// <summary>Cells of one indexed volume.</summary>
    public readonly long Volume;

    public IndexCodec3D(IndexConvention convention, Shape5D indexed, Size3D pooled, in Pool3DGeometry? geometry)
    {
        _layout = new IndexLayout3D(convention, indexed);
        _hasGeometry = geometry.HasValue;
        _plan = geometry is { } g ? SpatialPlan.ForPool(g, indexed.SpatialSize, pooled) : default;
        PooledVolume = pooled.Volume;
        Volume = _layout.Volume;
        Channels = Math.Max(1, indexed.Channels);
    }

    public IndexConvention Convention => _layout.Convention;

    /// <summary>Channels per sample (at least 1).</summary>
    public long Channels { get; }

    /// <summary>The number of valid indices: the scope's size, or the window's taps (InWindow).</summary>
    public long Space => Convention == IndexConvention.InWindow ? _plan.Taps : _layout.Space;

    /// <summary>The row-major offset in the indexed tensor of the cell <paramref name="index"/> names, for the element at
    /// <paramref name="position"/> of the pooled tensor; false when the index names no cell (out of range, or an
    /// InWindow tap in the padding or past the border).</summary>
    public bool TryDecode(long index, long position, out long offset)
    {
        offset = 0;
        long plane = position / PooledVolume;
        long n = plane / Channels;
        if ((ulong)index >= (ulong)Space)
        {
            return false;
        }

        switch (Convention)
        {
            case IndexConvention.PerPlane:
                offset = (plane * Volume) + index;
                return true;
            case IndexConvention.GlobalRowMajor:
                offset = index;
                return true;
            case IndexConvention.GlobalColumnMajor:
                offset = _layout.ColumnMajorToRowMajor(index);
                return true;
            case IndexConvention.ChannelsLastPerSample:
            {
                long cell = index / Channels;
                offset = (((n * Channels) + index - (cell * Channels)) * Volume) + cell;
                return true;
            }

            case IndexConvention.ChannelsLastWithBatch:
            {
                long cell = index / Channels, sample = cell / Volume;
                offset = (((sample * Channels) + index - (cell * Channels)) * Volume) + cell - (sample * Volume);
                return true;
            }

            default:
            {
                (long od, long oh, long ow) = Pooled(position - (plane * PooledVolume));
                long kw = index % _plan.Width.Kernel, rest = index / _plan.Width.Kernel;
                long kh = rest % _plan.Height.Kernel, kd = rest / _plan.Height.Kernel;
                long d = _plan.Depth.WindowStart(od) + (kd * _plan.Depth.Dilation);
                long h = _plan.Height.WindowStart(oh) + (kh * _plan.Height.Dilation);
                long w = _plan.Width.WindowStart(ow) + (kw * _plan.Width.Dilation);
                if ((ulong)d >= (ulong)_plan.Depth.Input || (ulong)h >= (ulong)_plan.Height.Input || (ulong)w >= (ulong)_plan.Width.Input)
                {
                    return false;
                }

                offset = (plane * Volume) + (((d * _plan.Height.Input) + h) * _plan.Width.Input) + w;
                return true;
            }
        }
    }

    /// <summary>The index of the cell at row-major <paramref name="offset"/> for the element at <paramref name="position"/>;
    /// false when the convention cannot name it from there (another plane or sample, or outside the element's window).</summary>
    public bool TryEncode(long offset, long position, out long index)
    {
        index = 0;
        long plane = position / PooledVolume;
        long cellPlane = offset / Volume, cell = offset - (cellPlane * Volume);
        switch (Convention)
        {
            case IndexConvention.PerPlane:
                index = cell;
                return cellPlane == plane;
            case IndexConvention.GlobalRowMajor:
                index = offset;
                return true;
            case IndexConvention.GlobalColumnMajor:
                index = _layout.RowMajorToColumnMajor(offset);
                return true;
            case IndexConvention.ChannelsLastPerSample:
                index = (cell * Channels) + (cellPlane % Channels);
                return cellPlane / Channels == plane / Channels;
            case IndexConvention.ChannelsLastWithBatch:
            {
                long n = cellPlane / Channels;
                index = (((n * Volume) + cell) * Channels) + cellPlane - (n * Channels);
                return true;
            }

            default:
            {
                if (cellPlane != plane)
                {
                    return false;
                }

                (long od, long oh, long ow) = Pooled(position - (plane * PooledVolume));
                long hw = (long)_plan.Height.Input * _plan.Width.Input;
                long d = cell / hw, h = (cell - (d * hw)) / _plan.Width.Input, w = cell - (d * hw) - (h * _plan.Width.Input);
                if (!Tap(d, _plan.Depth, od, out long kd) || !Tap(h, _plan.Height, oh, out long kh) || !Tap(w, _plan.Width, ow, out long kw))
                {
                    return false;
                }

                index = (((kd * _plan.Height.Kernel) + kh) * _plan.Width.Kernel) + kw;
                return true;
            }
        }
    }

    /// <summary>"the plane (n 0, c 2) of 4x5x6 cells", "the taps 0 to 7 of its 2x2x2 window that land in the 4x5x6 output", ...</summary>
    public string DescribeRange(Shape5D indexed, long position)
    {
        long plane = position / PooledVolume, n = plane / Channels, c = plane - (n * Channels);
        return Convention switch
        {
            IndexConvention.PerPlane => $"plane (n {n}, c {c}) of {indexed.Depth}x{indexed.Height}x{indexed.Width} cells; valid indices are 0 to {Space - 1}",
            IndexConvention.ChannelsLastPerSample => $"sample {n} of {indexed.Channels}x{indexed.Depth}x{indexed.Height}x{indexed.Width} cells; valid indices are 0 to {Space - 1}",
            IndexConvention.InWindow => $"the taps 0 to {Space - 1} of its {_plan.Depth.Kernel}x{_plan.Height.Kernel}x{_plan.Width.Kernel} window that land in the {indexed.Depth}x{indexed.Height}x{indexed.Width} volume",
            _ => $"the whole {indexed} tensor; valid indices are 0 to {Space - 1}",
        };
    }

    /// <summary>Whether the geometry was given (InWindow needs it).</summary>
    public bool HasGeometry => _hasGeometry;

    private (long Od, long Oh, long Ow) Pooled(long cell)
    {
        long hw = (long)_plan.Height.Output * _plan.Width.Output;
        long od = cell / hw, oh = (cell - (od * hw)) / _plan.Width.Output;
        return (od, oh, cell - (od * hw) - (oh * _plan.Width.Output));
    }

    private static bool Tap(long i, in AxisPlan axis, long o, out long k)
    {
        long r = i - axis.WindowStart(o);
        k = r / axis.Dilation;
        return r >= 0 && r % axis.Dilation == 0 && k < axis.Kernel;
    }

    /// <summary>Throws the unpooling/conversion error for a bad index: position, value and range, naming <paramref name="paramName"/>.</summary>
    public void ThrowBadIndex<TIndex>(string paramName, TIndex value, long position, Shape5D indexed)
        where TIndex : IBinaryInteger<TIndex>
        => ThrowHelper.ThrowArgumentOutOfRange(
            paramName,
            value,
            $"Index {value} at position {position} is outside {DescribeRange(indexed, position)} in convention {Convention}.");
}
