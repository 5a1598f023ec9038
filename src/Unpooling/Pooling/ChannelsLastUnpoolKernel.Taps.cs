using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>The in-window decode of the channels-last unpooling, gather and max-pool backward loops.</summary>
internal static unsafe partial class ChannelsLastUnpoolKernel
{
    /// <summary>The most taps <see cref="TapCells"/> tabulates (on the stack, 8 bytes each); larger windows decode through <c>Target</c>.</summary>
    private const int TapTableTaps = 512;

    /// <summary>
    /// <see cref="IndexConvention.InWindow"/> taps decoded without dividing: each tap's cell as an offset in cells from
    /// its window's first cell, for the windows that lie wholly inside the input (every window of a geometry without
    /// padding); a window that reaches the padding, or a table that is empty, decodes through <c>Target</c>.
    /// </summary>
    private readonly ref struct TapCells
    {
        private readonly Span<long> _offsets;

        /// <summary>Tabulates <paramref name="p"/>'s taps into <paramref name="table"/> (empty: no table, every window through <c>Target</c>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public TapCells(in ChannelsLastPoolKernel.Plan p, Span<long> table)
        {
            SpatialPlan s = p.Spatial;
            if (table.IsEmpty || s.Taps > table.Length)
            {
                _offsets = default;
                return;
            }

            long h = s.Height.Input, w = s.Width.Input;
            int t = 0;
            for (int kd = 0; kd < s.Depth.Kernel; kd++)
            {
                for (int kh = 0; kh < s.Height.Kernel; kh++)
                {
                    for (int kw = 0; kw < s.Width.Kernel; kw++)
                    {
                        table[t++] = ((((long)kd * s.Depth.Dilation * h) + ((long)kh * s.Height.Dilation)) * w) + ((long)kw * s.Width.Dilation);
                    }
                }
            }

            _offsets = table[..t];
        }

        /// <summary>
        /// The first cell (in cells of one sample) of the window of pooled pixel (od, oh, ow) when that window lies wholly
        /// inside the input and the taps are tabulated; otherwise -1.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long WindowFirst(in ChannelsLastPoolKernel.Plan p, int od, int oh, int ow)
        {
            if (_offsets.IsEmpty)
            {
                return -1;
            }

            ref readonly SpatialPlan s = ref p.Spatial;
            long d0 = s.Depth.WindowStart(od), h0 = s.Height.WindowStart(oh), w0 = s.Width.WindowStart(ow);
            bool inside = Inside(s.Depth, d0) && Inside(s.Height, h0) && Inside(s.Width, w0);
            return inside ? (((d0 * s.Height.Input) + h0) * s.Width.Input) + w0 : -1;
        }

        /// <summary>The offset of tap <paramref name="tap"/>'s cell from its window's first cell, or -1 when it names no tap.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Offset(long tap) => (ulong)tap < (ulong)_offsets.Length ? _offsets[(int)tap] : -1;

        private static bool Inside(in AxisPlan a, long start) => start >= 0 && start + ((long)(a.Kernel - 1) * a.Dilation) < a.Input;
    }

    /// <summary>The channels-last offset of channel <paramref name="c"/> of the cell <paramref name="offset"/> cells
    /// past <paramref name="windowFirst"/> (the window's first cell, counted from the tensor's first), or -1 for no tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long InWindowTarget(long offset, long windowFirst, int channels, int c)
        => offset < 0 ? -1 : ((windowFirst + offset) * channels) + c;
}
