using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>
/// The block family over channels-last memory <c>[N, D, H, W, C]</c> (2-D is <c>D = 1</c>, 1-D also <c>H = 1</c>):
/// every value moves as part of a pixel's <c>C</c> contiguous channels, so the copies run along C (vectorized
/// <see cref="Span{T}.CopyTo"/>), and the results equal the channels-first kernel's after the permutation.
/// </summary>
/// <remarks>
/// Fixed, repeat, zero insertion and subsample: one item per output row <c>(n, od, oh)</c>, each output pixel written
/// once (a copy of its input pixel, or zeros). Random: the offset is drawn per (plane <c>n*C + c</c>, block), as in
/// channels-first, so it differs per channel and that path is per element: one item per block row
/// <c>(n, od / KD, oh / KH)</c>, whose output rows are cleared and then receive each value of the input row at its
/// own tap (each hash computed once).
/// </remarks>
internal static unsafe partial class BlockKernel
{
    /// <summary>Runs a validated channels-last operation (<paramref name="planeBase"/>: the run's first plane <c>n*C</c>, for the random hash).</summary>
    public static void RunChannelsLast<T>(BlockRankOp op, T* source, T* destination, in Shape5D shape, Size3D output, Size3D factor, Size3D offset, ulong seed, T zero, int degree, long planeBase)
        where T : unmanaged
    {
        var body = new ChannelsLastBody<T>
        {
            Source = source,
            Destination = destination,
            Op = op,
            N = shape.Batch,
            C = shape.Channels,
            Input = shape.SpatialSize,
            Output = output,
            Factor = factor,
            Offset = op == BlockRankOp.ZeroInsert ? default : offset,
            Seed = seed,
            PlaneBase = planeBase,
            Zero = zero,
        };
        int items = op == BlockRankOp.Random
            ? checked(shape.Batch * (int)(((long)output.Depth + factor.Depth - 1) / factor.Depth) * (int)(((long)output.Height + factor.Height - 1) / factor.Height))
            : checked(shape.Batch * output.Depth * output.Height);
        ParallelRunner.Run(ref body, items, degree);
    }

    private struct ChannelsLastBody<T> : IParallelBody
        where T : unmanaged
    {
        public T* Source;
        public T* Destination;
        public BlockRankOp Op;
        public int N;
        public int C;
        public Size3D Input;
        public Size3D Output;
        public Size3D Factor;
        public Size3D Offset;
        public ulong Seed;
        public long PlaneBase;
        public T Zero;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            // Random: a table of every channel's taps for a chunk of cells (pixel by pixel; see RandomBlockRow).
            bool random = Op == BlockRankOp.Random;
            int cells = random && (long)Factor.Depth * Factor.Height * Factor.Width <= int.MaxValue ? (PixelTapTable - 64) / Math.Max(1, C) : 0;
            ulong* table = stackalloc ulong[cells >= 8 ? PixelTapTable : 0];
            for (int item = start; item < end; item++)
            {
                if (random)
                {
                    RandomBlockRow(item, cells >= 8 ? table : null, cells);
                    continue;
                }

                int n = item / (Output.Depth * Output.Height), rest = item - (n * Output.Depth * Output.Height);
                int od = rest / Output.Height, oh = rest - (od * Output.Height);
                T* y = Destination + (((((nint)n * Output.Depth) + od) * Output.Height) + oh) * (nint)Output.Width * C;
                Debug.Assert(Bounds.Within(y, (long)Output.Width * C, Destination, (long)N * Output.Volume * C), "output row outside the destination");
                if (Op == BlockRankOp.Subsample)
                {
                    SubsampleRow(y, n, od, oh);
                }
                else
                {
                    UnpoolRow(y, n, od, oh);
                }
            }
        }

        /// <summary>Output row <c>(n, od, oh)</c> of fixed or repeat unpooling or zero insertion.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly void UnpoolRow(T* y, int n, int od, int oh)
        {
            int id = od / Factor.Depth, ih = oh / Factor.Height;
            bool every = Op == BlockRankOp.Repeat;
            nint c = C;
            if (id >= Input.Depth || ih >= Input.Height
                || (!every && (od - (id * Factor.Depth) != Offset.Depth || oh - (ih * Factor.Height) != Offset.Height)))
            {
                FillZero(y, Output.Width * c, Zero);
                return;
            }

            T* x = Source + (((((nint)n * Input.Depth) + id) * Input.Height) + ih) * (nint)Input.Width * c;
            Debug.Assert(Bounds.Within(x, (long)Input.Width * C, Source, (long)N * Input.Volume * C), "input row outside the source");
            int kw = Factor.Width;
            if (kw == 1)
            {
                // One pixel per block along the row: the row's first min(W, OutW) pixels are the input row's.
                nint copied = Math.Min(Input.Width, Output.Width) * c;
                new ReadOnlySpan<T>(x, (int)copied).CopyTo(new Span<T>(y, (int)copied));
                FillZero(y + copied, (Output.Width * c) - copied, Zero);
                return;
            }

            // Pixel by pixel: ow's block column iw, its tap b; zeros between the copied pixels (runs, one clear each).
            nint ow = 0;
            int lastColumn = (int)Math.Min(Input.Width, (Output.Width + (long)kw - 1) / kw);
            for (int iw = 0; iw < lastColumn; iw++)
            {
                // 64-bit: iw*kw is below OutW, but the offset or the block's end may pass int.MaxValue.
                nint from = ((nint)iw * kw) + (every ? 0 : Offset.Width);
                nint to = every ? Math.Min(Output.Width, from + kw) : from + 1;
                if (from >= Output.Width)
                {
                    break;
                }

                FillZero(y + (ow * c), (from - ow) * c, Zero);
                for (ow = from; ow < to; ow++)
                {
                    new ReadOnlySpan<T>(x + (iw * c), C).CopyTo(new Span<T>(y + (ow * c), C));
                }
            }

            FillZero(y + (ow * c), (Output.Width - ow) * c, Zero);
        }

        /// <summary>Output row <c>(n, od, oh)</c> of the strided subsample: pixel <c>ow</c> is input pixel <c>ow * sw</c> of row <c>(od * sd, oh * sh)</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private readonly void SubsampleRow(T* y, int n, int od, int oh)
        {
            nint c = C;
            T* x = Source + (((((nint)n * Input.Depth) + ((nint)od * Factor.Depth)) * Input.Height) + ((nint)oh * Factor.Height)) * (nint)Input.Width * c;
            Debug.Assert(Bounds.Within(x, (long)Input.Width * C, Source, (long)N * Input.Volume * C), "input row outside the source");
            nint step = Factor.Width * c;
            for (int ow = 0; ow < Output.Width; ow++)
            {
                Debug.Assert((long)ow * Factor.Width < Input.Width, "a subsampled pixel past the input row");
                new ReadOnlySpan<T>(x + (ow * step), C).CopyTo(new Span<T>(y + (ow * c), C));
            }
        }

        /// <summary>
        /// Block row <c>(n, bd, bh)</c> of random unpooling: its output rows (cut by the output) cleared, then each
        /// value of input row <c>(n, bd, bh)</c> (when inside the input) written at the tap of its (plane, block), the
        /// channels-first formula: cell <c>((p*D + id)*H + ih)*W + iw</c> of plane <c>p = planeBase + n*C + c</c>. With a
        /// <paramref name="table"/>, pixel by pixel: per chunk of <paramref name="cells"/> cells every channel's taps are
        /// hashed (<see cref="HashChannelTaps"/>), then each pixel's C values go to the few output pixels of its block,
        /// where the channel-by-channel walk wrote a line per cell per channel.
        /// </summary>
        private readonly void RandomBlockRow(int item, ulong* table, int cells)
        {
            int blockDepths = (int)(((long)Output.Depth + Factor.Depth - 1) / Factor.Depth);
            int blockRows = (int)(((long)Output.Height + Factor.Height - 1) / Factor.Height);
            int n = item / (blockDepths * blockRows), rest = item - (n * blockDepths * blockRows);
            int id = rest / blockRows, ih = rest - (id * blockRows);
            nint c = C, rowLength = Output.Width * c;
            int depths = (int)Math.Min(Factor.Depth, Output.Depth - ((long)id * Factor.Depth));
            int rows = (int)Math.Min(Factor.Height, Output.Height - ((long)ih * Factor.Height));
            for (int dd = 0; dd < depths; dd++)
            {
                for (int r = 0; r < rows; r++)
                {
                    FillZero(OutputRow(n, (id * Factor.Depth) + dd, (ih * Factor.Height) + r), rowLength, Zero);
                }
            }

            if (id >= Input.Depth || ih >= Input.Height)
            {
                return;
            }

            T* x = Source + (((((nint)n * Input.Depth) + id) * Input.Height) + ih) * (nint)Input.Width * c;
            Debug.Assert(Bounds.Within(x, (long)Input.Width * C, Source, (long)N * Input.Volume * C), "input row outside the source");
            int kw = Factor.Width, kh = Factor.Height, kdh = (int)Math.Min(int.MaxValue, (long)Factor.Depth * kh);
            if (table != null)
            {
                var byKw = new FastDivisor(kw, ((long)kdh * kw) - 1);
                var byKh = new FastDivisor(kh, kdh - 1L);
                T* first = OutputRow(n, id * Factor.Depth, ih * Factor.Height);
                long rowStride = (long)Output.Width * c, depthStride = (long)Output.Height * rowStride;
                for (int c0 = 0; c0 < Input.Width; c0 += cells)
                {
                    int count = Math.Min(cells, Input.Width - c0);
                    HashChannelTaps(table, cells, count, PlaneBase + ((long)n * C), C, Input.Depth, Input.Height, Input.Width, id, ih, c0, Seed, kdh, kw);
                    for (int i = 0; i < count; i++)
                    {
                        long iw = c0 + i;
                        T* pixel = x + (iw * c);
                        for (int ch = 0; ch < C; ch++)
                        {
                            long tap = (long)table[((nint)ch * cells) + i];
                            long tapRow = byKw.Divide(tap);
                            long dd = Factor.Depth == 1 ? 0 : byKh.Divide(tapRow), r = tapRow - (dd * kh), ow = (iw * kw) + (tap - (tapRow * kw));
                            if (dd < depths && r < rows && ow < Output.Width)
                            {
                                T* y = first + (dd * depthStride) + (r * rowStride) + (ow * c) + ch;
                                Debug.Assert(Bounds.Within(y, 1, Destination, (long)N * Output.Volume * C), "a random value outside the destination");
                                *y = pixel[ch];
                            }
                        }
                    }
                }

                return;
            }

            for (int ch = 0; ch < C; ch++)
            {
                ulong plane = (ulong)(PlaneBase + ((long)n * C) + ch);
                ulong cell = unchecked((((((plane * (ulong)Input.Depth) + (ulong)id) * (ulong)Input.Height) + (ulong)ih) * (ulong)Input.Width) + 1);
                ulong z = unchecked(Seed + (cell * Golden));
                for (int iw = 0; iw < Input.Width; iw++, z = unchecked(z + Golden))
                {
                    long tap = (long)Tap(Mix(z), kdh, kw);
                    long tapRow = tap / kw;
                    long dd = tapRow / kh, r = tapRow - (dd * kh), ow = ((long)iw * kw) + (tap - (tapRow * kw));
                    if (dd < depths && r < rows && ow < Output.Width)
                    {
                        T* y = OutputRow(n, (id * Factor.Depth) + (int)dd, (ih * Factor.Height) + (int)r);
                        y[(ow * c) + ch] = x[(iw * c) + ch];
                    }
                }
            }
        }

        /// <summary>The first element of output row <c>(n, od, oh)</c>.</summary>
        private readonly T* OutputRow(int n, int od, int oh)
        {
            T* y = Destination + (((((nint)n * Output.Depth) + od) * Output.Height) + oh) * (nint)Output.Width * C;
            Debug.Assert(Bounds.Within(y, (long)Output.Width * C, Destination, (long)N * Output.Volume * C), "output row outside the destination");
            return y;
        }
    }
}
