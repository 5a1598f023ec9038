using System.Numerics;
using System.Runtime.CompilerServices;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// The axes of the element-type x index-type grid (<see cref="ElementIndexGridTests{T}"/>): the widths, the pooling
/// geometries, and inputs with planted windows. Widths 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65 and 129 sit on
/// every vector boundary of 1-, 2-, 4- and 8-byte lanes at 128, 256 and 512 bits (16/32/64, 8/16/32, 4/8/16 and 2/4/8
/// lanes: each count, one below and one above, and the 2x and 8x tails the kernels unroll to).
/// </summary>
internal static class GridData
{
    public static readonly int[] Widths = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 129];

    /// <summary>
    /// The pooling geometries (rows, cols, ceil): 2x2 stride 2; 3x3 stride 2 padding 1; 3x3 stride 1 dilation 2 padding 2;
    /// 2x3 stride (1, 2) padding (0, 1); 3x3 stride 2 in ceil mode (the last window partial).
    /// </summary>
    public static readonly (PoolAxis Rows, PoolAxis Cols, bool Ceil)[] PoolGeometries =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1), false),
        (new(3, 2, 1, 1), new(3, 2, 1, 1), false),
        (new(3, 1, 2, 2), new(3, 1, 2, 2), false),
        (new(2, 1, 0, 1), new(3, 2, 1, 1), false),
        (new(3, 2, 0, 1), new(3, 2, 0, 1), true),
    ];

    /// <summary>
    /// The unpooling geometries: the pooling ones, except that dilation (which unpooling does not read) is replaced by
    /// 3x3 stride 1 padding 1, whose windows overlap nine deep (many duplicate indices: last writer wins, sums).
    /// </summary>
    public static readonly (PoolAxis Rows, PoolAxis Cols, bool Ceil)[] UnpoolGeometries =
    [
        PoolGeometries[0],
        PoolGeometries[1],
        (new(3, 1, 1, 1), new(3, 1, 1, 1), false),
        PoolGeometries[3],
        PoolGeometries[4],
    ];

    /// <summary>Batch and channels of every grid input: two of each, so every convention's n and c terms matter.</summary>
    public const int Batch = 2, Channels = 2, Planes = Batch * Channels;

    /// <summary>Pooled rows of every grid case (two: windows below windows, short enough to keep the grid fast).</summary>
    public const int PooledRows = 2;

    public static TheoryData<int> GeometryRows => new() { 0, 1, 2, 3, 4 };

    /// <summary>Whether <typeparamref name="T"/> has NaN, infinities and signed zeros.</summary>
    public static bool IsFloating<T>() => typeof(T) == typeof(Half) || typeof(T) == typeof(float) || typeof(T) == typeof(double);

    /// <summary>
    /// The type's extremes: MinValue and MaxValue, except decimal's, which are a tenth of a millionth of them
    /// (unpooling sums of nine duplicates stay in range; decimal's overflow is
    /// <see cref="MaxUnpool2DElementTypeTests{T}.SumAddsInInputOrder"/>'s business).
    /// </summary>
    public static (T Low, T High) Extremes<T>()
        where T : INumberBase<T>, IMinMaxValue<T>
        => typeof(T) == typeof(decimal) ? (T.CreateChecked(-1e21m), T.CreateChecked(1e21m)) : (T.MinValue, T.MaxValue);

    /// <summary>
    /// A quiet NaN with a payload (and the sign bit when <paramref name="negative"/>), so the selected NaN is known by
    /// its bits. Quiet NaNs widen to float and narrow back unchanged, as a Half path that computes in float must keep them.
    /// </summary>
    public static T NaN<T>(int payload, bool negative)
    {
        if (typeof(T) == typeof(Half))
        {
            return Unsafe.BitCast<ushort, T>((ushort)((negative ? 0xFE00 : 0x7E00) | (payload & 0x1FF)));
        }

        if (typeof(T) == typeof(float))
        {
            return Unsafe.BitCast<uint, T>((negative ? 0xFFC0_0000u : 0x7FC0_0000u) | (uint)(payload & 0x3F_FFFF));
        }

        return Unsafe.BitCast<ulong, T>((negative ? 0xFFF8_0000_0000_0000ul : 0x7FF8_0000_0000_0000ul) | (uint)payload);
    }

    /// <summary>
    /// Values from a palette that makes ties and extremes common: about 10% each the low and high extremes, for
    /// floating-point types 3% NaN (payloads and signs varied), 1% each +inf and -inf, 5% -0, the rest in [-2, 2]
    /// (unsigned types wrap the negatives to MaxValue and MaxValue - 1).
    /// </summary>
    public static T[] Values<T>(int length, Random random)
        where T : INumberBase<T>, IMinMaxValue<T>
    {
        bool floating = IsFloating<T>();
        (T low, T high) = Extremes<T>();
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            int roll = random.Next(100);
            data[i] = roll < 10 ? low
                : roll < 20 ? high
                : floating && roll < 23 ? NaN<T>(random.Next(1, 500), random.Next(2) == 0)
                : floating && roll == 23 ? T.CreateChecked(double.PositiveInfinity)
                : floating && roll == 24 ? T.CreateChecked(double.NegativeInfinity)
                : floating && roll < 30 ? T.CreateChecked(-0.0)
                : T.CreateTruncating(random.Next(-2, 3));
        }

        return data;
    }

    /// <summary>
    /// Plants every third window of an <c>[planes, height, width]</c> input (overlapping windows overwrite earlier ones;
    /// the oracle decides, so that only dilutes the pattern): all real cells one value (the first wins), the high value at
    /// the last real cell only, at a middle cell and the last (the middle wins), and for floating-point types a NaN at the
    /// first cell and another, of another payload, at the last (the last NaN wins), otherwise the high value first and last.
    /// </summary>
    public static void Plant<T>(T[] x, int height, int width, PoolAxis rows, PoolAxis cols, int outH, int outW, Random random)
        where T : INumberBase<T>, IMinMaxValue<T>
    {
        (T low, T high) = Extremes<T>();
        var taps = new List<int>();
        for (int plane = 0; plane < Planes; plane++)
        {
            for (int oh = 0; oh < outH; oh++)
            {
                for (int ow = 0; ow < outW; ow++)
                {
                    if ((plane + (oh * outW) + ow) % 3 != 0)
                    {
                        continue;
                    }

                    taps.Clear();
                    for (int kh = 0; kh < rows.Kernel; kh++)
                    {
                        for (int kw = 0; kw < cols.Kernel; kw++)
                        {
                            long ih = rows.Position(oh, kh), iw = cols.Position(ow, kw);
                            if (ih >= 0 && ih < height && iw >= 0 && iw < width)
                            {
                                taps.Add((int)((((long)plane * height) + ih) * width + iw));
                            }
                        }
                    }

                    int first = taps[0], last = taps[^1], middle = taps[taps.Count / 2];
                    switch (random.Next(4))
                    {
                        case 0:
                            T same = random.Next(2) == 0 ? high : T.One;
                            taps.ForEach(t => x[t] = same);
                            break;
                        case 1:
                            taps.ForEach(t => x[t] = low);
                            x[last] = high;
                            break;
                        case 2:
                            taps.ForEach(t => x[t] = low);
                            x[middle] = high;
                            x[last] = high;
                            break;
                        default:
                            (x[first], x[last]) = IsFloating<T>()
                                ? (NaN<T>(random.Next(1, 500), false), NaN<T>(random.Next(1, 500), true))
                                : (high, high);
                            break;
                    }
                }
            }
        }
    }

    /// <summary>Whether every index of <paramref name="space"/> cells (0 to space - 1) fits <typeparamref name="TIndex"/>.</summary>
    public static bool Fits<TIndex>(long space)
        where TIndex : IBinaryInteger<TIndex>, IMinMaxValue<TIndex>
        => (Int128)(space - 1) <= Int128.CreateSaturating(TIndex.MaxValue);
}
