using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// The indexed tensor <c>[N, C, H, W]</c> seen through one <see cref="IndexConvention"/>. Every convention is a dot
/// product of <c>(n, c, h, w)</c> with four strides (a row-major offset in some axis order, with n, or n and c, given
/// stride 0 when the index is relative to the element's own sample or plane), so pooling writes any of them with the
/// same affine arithmetic. Decoding goes back to the cell's row-major offset with at most two divisions, each a
/// multiply-high when the tensor has fewer than 2^32 cells.
/// </summary>
/// <remarks>
/// The "scope" of an index is the part of the tensor it can name from an element at <c>(n, c)</c>: plane
/// <c>(n, c)</c> (per plane), sample <c>n</c> (channels-last per sample) or everything. Valid indices are
/// <c>[0, Space)</c>; the cell they name lies in <c>[ScopeStart(n, c), ScopeStart(n, c) + Space)</c> of the
/// row-major tensor. Callers check that <see cref="TotalOf(Shape4D)"/> fits a <see cref="long"/> first.
/// <see cref="IndexConvention.InWindow"/> is no affine map of the cell: a layout of it carries only the convention
/// (the pooling kernel's plan reads it; its strides and space mean nothing), and <see cref="WindowTaps"/>, which knows
/// the geometry, reads and writes it.
/// </remarks>
internal readonly struct IndexLayout
{
    public readonly IndexConvention Convention;
    public readonly long Channels, Height, Width, Plane;
    public readonly long StrideN, StrideC, StrideH, StrideW;

    /// <summary>Valid indices are <c>[0, Space)</c>: the size of the scope.</summary>
    public readonly long Space;

    private readonly FastDivisor _byChannels, _byHeight, _byWidth, _byPlane;

    public IndexLayout(IndexConvention convention, Shape4D indexed)
    {
        Convention = convention;
        (Channels, Height, Width) = (indexed.Channels, indexed.Height, indexed.Width);
        Plane = Height * Width;
        (StrideN, StrideC, StrideH, StrideW) = convention switch
        {
            IndexConvention.PerPlane => (0L, 0L, Width, 1L),
            IndexConvention.GlobalRowMajor => (Channels * Plane, Plane, Width, 1L),
            IndexConvention.GlobalColumnMajor => (Channels * Plane, Plane, 1L, Height),
            IndexConvention.ChannelsLastPerSample => (0L, 1L, Width * Channels, Channels),
            _ => (Plane * Channels, 1L, Width * Channels, Channels),
        };
        // Saturated, not truncated: a shape of four ints can hold up to 2^124 cells, and a wrapped space could pass a
        // range check it should fail (every caller validates its shape first; this keeps a stray one safe).
        Space = (long)Int128.Min(SpaceOf(convention, indexed), long.MaxValue);
        long largest = (long)Int128.Min(TotalOf(indexed) - 1, long.MaxValue);
        _byChannels = new FastDivisor(Math.Max(1, Channels), largest);
        _byHeight = new FastDivisor(Height, largest);
        _byWidth = new FastDivisor(Width, largest);
        _byPlane = new FastDivisor(Plane, largest);
    }

    /// <summary>Whether the index depends on the element's sample or channel (the pooling kernel then adds a base per plane).</summary>
    public bool HasPlaneBase => StrideN != 0 || StrideC != 0;

    public static bool IsDefined(IndexConvention convention) => (uint)convention <= (uint)IndexConvention.InWindow;

    /// <summary>The number of valid indices (computed wide: the product of four ints can exceed a <see cref="long"/>).</summary>
    public static Int128 SpaceOf(IndexConvention convention, Shape4D indexed) => convention switch
    {
        IndexConvention.PerPlane => (Int128)indexed.Height * indexed.Width,
        IndexConvention.ChannelsLastPerSample => (Int128)indexed.Channels * indexed.Height * indexed.Width,
        _ => TotalOf(indexed),
    };

    public static Int128 TotalOf(Shape4D indexed) => (Int128)indexed.Batch * indexed.Channels * indexed.Height * indexed.Width;

    /// <summary>Row-major offset of the first cell an index of an element of plane (n, c) can name.</summary>
    public long ScopeStart(long n, long c) => Convention switch
    {
        IndexConvention.PerPlane => ((n * Channels) + c) * Plane,
        IndexConvention.ChannelsLastPerSample => n * Channels * Plane,
        _ => 0,
    };

    /// <summary>The index of cell (n, c, h, w).</summary>
    public long Encode(long n, long c, long h, long w) => (n * StrideN) + (c * StrideC) + (h * StrideH) + (w * StrideW);

    /// <summary>The row-major offset of the cell that index <paramref name="index"/> (in <c>[0, Space)</c>) of an element of plane (n, c) names.</summary>
    public long ToRowMajor(long index, long n, long c) => ToRowMajor(Convention, index, n, c);

    /// <summary>
    /// <see cref="ToRowMajor(long, long, long)"/> for the convention <typeparamref name="TConvention"/> names (which
    /// must be this layout's): a constant for the JIT, so the hot loops decode without a switch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long ToRowMajor<TConvention>(long index, long n, long c)
        where TConvention : struct, IConventionTag
        => ToRowMajor(TConvention.Value, index, n, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long ToRowMajor(IndexConvention convention, long index, long n, long c)
    {
        switch (convention)
        {
            case IndexConvention.PerPlane:
                return (((n * Channels) + c) * Plane) + index;
            case IndexConvention.GlobalRowMajor:
                return index;
            case IndexConvention.GlobalColumnMajor:
            {
                long plane = _byPlane.Divide(index), columnMajor = index - (plane * Plane);
                long w = _byHeight.Divide(columnMajor), h = columnMajor - (w * Height);
                return (plane * Plane) + (h * Width) + w;
            }

            case IndexConvention.ChannelsLastPerSample:
            {
                long cell = _byChannels.Divide(index);
                return (((n * Channels) + index - (cell * Channels)) * Plane) + cell;
            }

            default:
            {
                long cell = _byChannels.Divide(index), sample = _byPlane.Divide(cell);
                return (((sample * Channels) + index - (cell * Channels)) * Plane) + cell - (sample * Plane);
            }
        }
    }

    /// <summary>
    /// The index of the cell at row-major offset <paramref name="offset"/>; for a per-plane or per-sample convention the
    /// caller has checked that the cell lies in the element's scope.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long FromRowMajor(long offset)
    {
        long plane = _byPlane.Divide(offset), cell = offset - (plane * Plane);
        switch (Convention)
        {
            case IndexConvention.PerPlane:
                return cell;
            case IndexConvention.GlobalRowMajor:
                return offset;
            case IndexConvention.GlobalColumnMajor:
            {
                long h = _byWidth.Divide(cell);
                return (plane * Plane) + h + ((cell - (h * Width)) * Height);
            }

            case IndexConvention.ChannelsLastPerSample:
                return (cell * Channels) + plane - (_byChannels.Divide(plane) * Channels);
            default:
            {
                long n = _byChannels.Divide(plane);
                return (((n * Plane) + cell) * Channels) + plane - (n * Channels);
            }
        }
    }

    /// <summary>"plane (n 0, c 2) of 4x6 cells", "sample 1 of 3x4x6 cells" or "the whole [2, 3, 4, 6] tensor": what an index of an element of plane (n, c) ranges over.</summary>
    public string DescribeScope(Shape4D indexed, long n, long c) => Convention switch
    {
        IndexConvention.PerPlane => $"plane (n {n}, c {c}) of {Height}x{Width} cells",
        IndexConvention.ChannelsLastPerSample => $"sample {n} of {Channels}x{Height}x{Width} cells",
        _ => $"the whole {indexed} tensor",
    };
}

/// <summary>
/// Division of non-negative dividends by a fixed positive divisor. When divisor and dividends fit 32 bits it is one
/// multiply-high by <c>ceil(2^64 / d)</c> (Lemire, Kaser and Kurz, "Faster remainder by direct computation", 2019: exact
/// for every 32-bit dividend and divisor &gt;= 2); otherwise the hardware division.
/// </summary>
internal readonly struct FastDivisor
{
    private readonly ulong _divisor;
    private readonly ulong _multiplier;

    public FastDivisor(long divisor, long largestDividend)
    {
        _divisor = (ulong)divisor;
        _multiplier = divisor >= 2 && divisor <= uint.MaxValue && largestDividend <= uint.MaxValue
            ? (ulong.MaxValue / (ulong)divisor) + 1
            : 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Divide(long dividend)
        => _multiplier != 0 ? (long)MultiplyHigh(_multiplier, (ulong)dividend) : (long)((ulong)dividend / _divisor);

    /// <summary>The high half of the 128-bit product; the intrinsics avoid materializing the unused low half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MultiplyHigh(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b);
        }

        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(a, b);
        }

        return Math.BigMul(a, b, out _);
    }
}

/// <summary>An <see cref="IndexConvention"/> as a type, so a generic loop over it compiles to one convention's code.</summary>
internal interface IConventionTag
{
    static abstract IndexConvention Value { get; }
}

/// <summary>The convention tags and the switch from a runtime convention to a generic instantiation.</summary>
internal static class ConventionTags
{
    internal readonly struct PerPlane : IConventionTag
    {
        public static IndexConvention Value => IndexConvention.PerPlane;
    }

    internal readonly struct GlobalRowMajor : IConventionTag
    {
        public static IndexConvention Value => IndexConvention.GlobalRowMajor;
    }

    internal readonly struct GlobalColumnMajor : IConventionTag
    {
        public static IndexConvention Value => IndexConvention.GlobalColumnMajor;
    }

    internal readonly struct ChannelsLastPerSample : IConventionTag
    {
        public static IndexConvention Value => IndexConvention.ChannelsLastPerSample;
    }

    internal readonly struct ChannelsLastWithBatch : IConventionTag
    {
        public static IndexConvention Value => IndexConvention.ChannelsLastWithBatch;
    }
}
