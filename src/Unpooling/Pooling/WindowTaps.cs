using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The pooling windows of a geometry laid over an indexed plane <c>H x W</c> (the pooling input, the unpooling output),
/// one per pooled element of an <c>oH x oW</c> plane: what an <see cref="IndexConvention.InWindow"/> index means. Tap
/// <c>t = kh*kW + kw</c> of the window of pooled element (oh, ow) is the cell
/// <c>(oh*sH - pH + kh*dH, ow*sW - pW + kw*dW)</c>; it is valid when <c>t</c> is in <c>[0, kH*kW)</c> and that cell
/// lies in the plane (a tap in the padding, or past a ceil-mode or explicit-size border, is not).
/// </summary>
/// <remarks>
/// Every product stays inside a <see cref="long"/>: <c>oh*sH</c> and <c>kh*dH</c> are each below <c>2^62</c> (all four
/// factors are ints), so their sum is below <c>2^63</c>.
/// </remarks>
internal readonly struct WindowTaps
{
    public readonly long KernelH, KernelW, StrideH, StrideW, PadH, PadW, DilationH, DilationW;

    /// <summary>The indexed plane's size.</summary>
    public readonly long Height, Width;

    /// <summary>The pooled plane's size: one window per pooled element.</summary>
    public readonly long PooledH, PooledW;

    /// <summary>The number of taps of a window, <c>kH*kW</c>: valid indices are below it.</summary>
    public readonly long Count;

    /// <summary>
    /// The pooled rows <c>[RowsInside.Start, RowsInside.End)</c> and columns whose windows lie entirely inside the
    /// plane: there a tap is valid exactly when it is below <see cref="Count"/>.
    /// </summary>
    public readonly (long Start, long End) RowsInside, ColumnsInside;

    private readonly FastDivisor _byKernelW, _byDilationH, _byDilationW, _byWidth;

    public WindowTaps(in Pool2DGeometry geometry, Size2D pooled, Size2D indexed)
    {
        (KernelH, KernelW) = (geometry.KernelSize.Height, geometry.KernelSize.Width);
        (StrideH, StrideW) = (geometry.Stride.Height, geometry.Stride.Width);
        (PadH, PadW) = (geometry.PaddingBegin.Height, geometry.PaddingBegin.Width);
        (DilationH, DilationW) = (geometry.Dilation.Height, geometry.Dilation.Width);
        (Height, Width) = (indexed.Height, indexed.Width);
        (PooledH, PooledW) = (pooled.Height, pooled.Width);
        Count = KernelH * KernelW;
        _byKernelW = new FastDivisor(KernelW, Count - 1);
        _byDilationH = new FastDivisor(DilationH, (KernelH - 1) * DilationH);
        _byDilationW = new FastDivisor(DilationW, (KernelW - 1) * DilationW);
        _byWidth = new FastDivisor(Math.Max(1, Width), Math.Max(0, (Height * Width) - 1));
        RowsInside = Inside(KernelH, StrideH, PadH, DilationH, Height, PooledH);
        ColumnsInside = Inside(KernelW, StrideW, PadW, DilationW, Width, PooledW);
    }

    /// <summary>Whether every tap of every window lies inside the plane: then the taps need only a range check.</summary>
    public bool AllTapsInside => RowsInside == (0, PooledH) && ColumnsInside == (0, PooledW);

    /// <summary>The cells of one plane of the indexed tensor.</summary>
    public long Plane => Height * Width;

    /// <summary>The pooled elements of one plane: the positions of one plane of indices.</summary>
    public long PooledPlane => PooledH * PooledW;

    /// <summary>The first row of the window of pooled row <paramref name="oh"/> (negative in the padding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long RowStart(long oh) => (oh * StrideH) - PadH;

    /// <summary>The first column of the window of pooled column <paramref name="ow"/> (negative in the padding).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ColumnStart(long ow) => (ow * StrideW) - PadW;

    /// <summary>
    /// The in-plane offset <c>h*W + w</c> of tap <paramref name="tap"/> of the window starting at
    /// (<paramref name="rowStart"/>, <paramref name="columnStart"/>), or -1 when the tap is out of range or its cell
    /// lies outside the plane.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Cell(long tap, long rowStart, long columnStart)
    {
        if ((ulong)tap >= (ulong)Count)
        {
            return -1;
        }

        long kh = _byKernelW.Divide(tap);
        long h = rowStart + (kh * DilationH), w = columnStart + ((tap - (kh * KernelW)) * DilationW);
        return (ulong)h < (ulong)Height && (ulong)w < (ulong)Width ? (h * Width) + w : -1;
    }

    /// <summary>
    /// The offset <c>kh*dH*W + kw*dW</c> of tap <paramref name="tap"/> (in <c>[0, Count)</c>) from its window's first
    /// cell: where a window wholly inside the plane puts it.
    /// </summary>
    public long Offset(long tap)
    {
        long kh = tap / KernelW;
        return (kh * DilationH * Width) + ((tap - (kh * KernelW)) * DilationW);
    }

    /// <summary>
    /// The tap of the window starting at (<paramref name="rowStart"/>, <paramref name="columnStart"/>) that lies on
    /// in-plane cell <paramref name="cell"/> (in <c>[0, H*W)</c>), or -1 when no tap does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Tap(long cell, long rowStart, long columnStart)
    {
        long h = _byWidth.Divide(cell);
        long dh = h - rowStart, dw = cell - (h * Width) - columnStart;
        if ((ulong)dh > (ulong)((KernelH - 1) * DilationH) || (ulong)dw > (ulong)((KernelW - 1) * DilationW))
        {
            return -1;
        }

        // Dilation 1 (the usual case) needs no division: a divisor of 1 would take the hardware divide.
        long kh = DilationH == 1 ? dh : _byDilationH.Divide(dh), kw = DilationW == 1 ? dw : _byDilationW.Divide(dw);
        return kh * DilationH == dh && kw * DilationW == dw ? (kh * KernelW) + kw : -1;
    }

    /// <summary>
    /// The windows <c>o</c> of one axis whose first cell <c>o*s - p</c> is at least 0 and whose last cell
    /// <c>o*s - p + (k-1)*d</c> is below <paramref name="size"/>: a range, as both bounds grow with <c>o</c>.
    /// </summary>
    private static (long Start, long End) Inside(long kernel, long stride, long pad, long dilation, long size, long pooled)
    {
        long room = size + pad - ((kernel - 1) * dilation);
        long end = Math.Min(room > 0 ? (room + stride - 1) / stride : 0, pooled);
        return (Math.Min((pad + stride - 1) / stride, end), end);
    }

    /// <summary>
    /// Why index <paramref name="value"/> (read as <paramref name="tap"/>) at <paramref name="position"/> of the
    /// <paramref name="pooled"/> indices is no valid tap: out of range, or on a cell outside the plane.
    /// </summary>
    public string DescribeBadTap<TIndex>(TIndex value, long tap, long position, Shape4D pooled)
    {
        (long n, long c, long oh, long ow) = Element(position, pooled);
        if ((ulong)tap >= (ulong)Count)
        {
            return $"Index {value} at position {position} is not a tap of a {KernelH}x{KernelW} window; InWindow indices are 0 to {Count - 1}.";
        }

        long kh = tap / KernelW, kw = tap - (kh * KernelW);
        return $"Index {value} at position {position} is tap {tap} (kernel row {kh}, column {kw}) of the window of pooled element (n {n}, c {c}, h {oh}, w {ow}), " +
            $"which falls on cell (h {RowStart(oh) + (kh * DilationH)}, w {ColumnStart(ow) + (kw * DilationW)}), outside the {Height}x{Width} plane (in the padding or past its border); " +
            "only taps on cells of the plane are valid.";
    }

    /// <summary>The window of the element at <paramref name="position"/> of the <paramref name="pooled"/> indices, as a sentence fragment.</summary>
    public string DescribeWindow(long position, Shape4D pooled)
    {
        (long n, long c, long oh, long ow) = Element(position, pooled);
        long rows = RowStart(oh), columns = ColumnStart(ow);
        return $"the {KernelH}x{KernelW} window of pooled element (n {n}, c {c}, h {oh}, w {ow}), rows {rows} to {rows + ((KernelH - 1) * DilationH)} and columns {columns} to {columns + ((KernelW - 1) * DilationW)} " +
            $"(dilation {DilationH}x{DilationW}) of the {Height}x{Width} plane";
    }

    private static (long N, long C, long H, long W) Element(long position, Shape4D pooled)
    {
        long plane = position / pooled.PlaneSize, inPlane = position - (plane * pooled.PlaneSize);
        long n = plane / pooled.Channels;
        return (n, plane - (n * pooled.Channels), inPlane / pooled.Width, inPlane % pooled.Width);
    }
}
