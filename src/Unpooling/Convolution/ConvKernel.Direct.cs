using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Internal;

/// <content>
/// The convolution's direct layout (<see cref="Plan.Direct"/>): the micro-kernel loads its B vectors straight from a copy
/// of the item's input with zero margins, each row's columns split into the <c>sW</c> column phases, so that a vector of
/// output columns at any kernel tap is one contiguous load. No im2col panel is packed and no tile is stored and reloaded
/// between reduction blocks: each output element takes its whole reduction in one chain, in the GEMM's order.
/// </content>
/// <remarks>
/// <para>The bits are the GEMM layout's: every element's chain runs over the reduction index <c>k = (ci, jd, jh, jw)</c>
/// ascending from +0 with <see cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/>, as <see cref="Tile{TSimd, TVector, T}"/>'s
/// does over the packed im2col panels, and the result is chain plus bias, as <see cref="Epilogue{TSimd, TVector, T}"/>
/// writes it. Where im2col packs a +0 for a tap in the padding, this layout either reads a +0 from the margins or
/// (a depth plane off the input, or a kernel row off the input for both rows of a tile) skips the tap. A finite weight
/// times +0 is +-0, and adding +-0 to a chain that starts at +0 changes no bit (such a chain is never -0), so both give
/// the same chain. Weights of +-infinity or NaN would not (infinity times 0 is NaN): calls with them take the GEMM
/// layout. The layout may therefore be chosen by the vector width or anything else without changing a result.</para>
/// <para>Padded layout of one item: plane <c>id</c>, padded row <c>r</c> (input row <c>r - PH</c>), channel <c>ci</c>,
/// column phase <c>q</c>, position <c>m</c> holds input column <c>sW*m + q - PW</c> (zero outside the input), at
/// <c>((id*DirectHeight + r)*CinG + ci)*DirectChannelStride + q*DirectHalf + m</c>. Output column <c>ow</c> at kernel
/// column <c>jw</c> reads padded column <c>sW*ow + jw*dW</c>: phase <c>(jw*dW) mod sW</c>, position
/// <c>ow + (jw*dW) / sW</c>.</para>
/// <para>Flat layout (<see cref="Plan.DirectFlat"/>, strides 1): the channel is outermost, position <c>m</c> of padded
/// row <c>r</c> of plane <c>id</c> of channel <c>ci</c> at <c>((ci*D + id)*DirectHeight + r)*Wp + m</c>, so that the rows of
/// a plane are adjacent and a slot is a vector of consecutive positions <c>oh*Wp + ow</c> of the flattened plane, which
/// may cross output rows; the lanes at <c>ow &gt;= OW</c> read the next row's first cells (or the slack) and are dropped
/// with the scratch's extra columns.</para>
/// </remarks>
internal static unsafe partial class ConvKernel
{
    /// <summary>Tests only: false makes every convolution take the GEMM layout (the bits are the same either way).</summary>
    internal static bool DirectForTests = true;

    /// <summary>
    /// One thread's items of the direct layout: the padded input is cleared once (the copies write only the positions
    /// of input cells, the same for every item, so the margins stay zero), then each item runs. The items of one
    /// (sample, group) are consecutive and read the same padded input, so a thread copies it once for its run of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void DirectItems<TSimd, TVector, T>(T* source, T* packedA, T* bias, T* destination, in Plan p, int start, int end, ConvWorkspace? workspace, bool channelsLast)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // The padded input is proven by the plan to fit (MaxScratchElements); one tap list holds every kernel tap (the
        // kernel's extent fits the padded input, so 2 * kernel is below 2^25).
        int kernel = p.KD * p.KH * p.KW;
        // Channels-last: each item's output channels-first in scratch (DirectChannelsLastFits proved it small), then
        // transposed into the destination.
        T[] paddedArray = ConvScratch.Rent<T>(workspace, (int)p.DirectInputLength);
        nint[] tapArray = ConvScratch.Rent<nint>(workspace, 2 * kernel);
        bool scratch = channelsLast || p.DirectFlat;
        T[] outputArray = ConvScratch.Rent<T>(workspace, scratch ? (int)p.DirectItemOutputLength : 1);
        try
        {
            fixed (T* padded = paddedArray)
            fixed (nint* taps = tapArray)
            fixed (T* output = outputArray)
            {
                new Span<T>(padded, (int)p.DirectInputLength).Clear();
                long paddedFor = -1;
                for (int item = start; item < end; item++)
                {
                    DirectItem<TSimd, TVector, T>(source, packedA, bias, destination, p, item, padded, ref paddedFor, taps, scratch ? output : null, channelsLast);
                }
            }
        }
        finally
        {
            ConvScratch.Return(workspace, paddedArray);
            ConvScratch.Return(workspace, tapArray);
            ConvScratch.Return(workspace, outputArray);
        }
    }

    /// <summary>
    /// One (sample, group, output-channel block): copies the sample's group of input channels into the padded layout
    /// (unless <paramref name="paddedFor"/>, the (sample, group) whose input the padded layout holds, says it is there),
    /// then computes its output in tiles of two slots (a slot is one vector of output columns of one output row; the
    /// second of an odd last tile repeats the first, computed and not stored), every panel of the block's channels per tile.
    /// With <paramref name="channelsLast"/> (the item's output scratch) the source and destination are
    /// <c>[N, D, H, W, C]</c>: the copy gathers each channel's row from the pixels, and the tiles go to the scratch,
    /// channels-first, which is then transposed into the destination (the same values: only where they are stored moves).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void DirectItem<TSimd, TVector, T>(T* source, T* packedA, T* bias, T* destination, in Plan p, int item, T* padded, ref long paddedFor, nint* taps, T* output, bool channelsLast)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (int n, int g, _, int co0, int co1) = Decode(p, item);
        if (co0 >= co1)
        {
            return;
        }

        int cb = co0 / p.ChannelsPerBlock;
        long inputs = ((long)n * p.Groups) + g;
        bool copy = inputs != paddedFor;
        paddedFor = inputs;
        nint outPlane = p.OutVolume;
        T* biasG = bias == null ? null : bias + ((nint)g * p.CoutG) + co0;
        T* ap = packedA + ((((long)g * p.ChannelBlocks) + cb) * p.PackedAPerBlock);
        Debug.Assert(biasG == null || Bounds.Within(biasG, co1 - co0, bias, p.BiasLength), "item's bias outside the bias");
        Debug.Assert(Bounds.Within(ap, p.PackedAPerBlock, packedA, p.PackedALength), "item's packed A outside packed A");
        T* y;
        if (!channelsLast)
        {
            T* x = ItemSource(source, p, n, g);
            y = ItemDestination(destination, p, n, g, co0);
            Debug.Assert(Bounds.Within(x, (long)p.CinG * p.InVolume, source, p.SourceLength), "item's input outside the source");
            Debug.Assert(Bounds.Within(y, (co1 - co0) * (long)outPlane, destination, p.DestinationLength), "item's output outside the destination");
            if (copy)
            {
                PadDirect<TSimd, TVector, T>(x, padded, p);
            }
        }
        else
        {
            // Sample n's pixels from group g's first channel; the scratch holds the block's channels.
            nint cin = (nint)p.Groups * p.CinG;
            T* x = source + ((nint)n * p.InVolume * cin) + ((nint)g * p.CinG);
            Debug.Assert(Bounds.Within(x, ((p.InVolume - 1) * cin) + p.CinG, source, p.SourceLength), "item's pixels outside the source");
            if (copy)
            {
                PadDirectChannelsLast(x, cin, padded, p);
            }

            y = output;
            Debug.Assert((co1 - co0) * (long)outPlane <= p.DirectItemOutputLength, "item's output past its scratch");
        }

        int rows = co1 - co0;
        if (p.DirectFlat)
        {
            DirectFlatTiles<TSimd, TVector, T>(ap, biasG, p, rows, padded, taps, output);
        }
        else
        {
            DirectRowTiles<TSimd, TVector, T>(ap, biasG, p, rows, padded, taps, y);
        }

        if (channelsLast)
        {
            nint cout = (nint)p.Groups * p.CoutG;
            T* pixels = destination + ((nint)n * outPlane * cout) + ((nint)g * p.CoutG) + co0;
            Debug.Assert(Bounds.Within(pixels, ((outPlane - 1) * cout) + rows, destination, p.DestinationLength), "item's pixels outside the destination");
            if (!p.DirectFlat)
            {
                TransposeRange(output, outPlane, rows, 0, outPlane, pixels, cout);
                return;
            }

            // The flat scratch's rows are Wp apart: each output row's OW pixels on their own.
            for (int od = 0; od < p.OD; od++)
            {
                for (int oh = 0; oh < p.OH; oh++)
                {
                    TransposeRange(output + ((nint)od * p.DirectFlatPlane) + ((nint)oh * p.DirectRowStride), (nint)p.OD * p.DirectFlatPlane, rows, 0, p.OW, pixels + ((((nint)od * p.OH) + oh) * p.OW * cout), cout);
                }
            }
        }
        else if (p.DirectFlat)
        {
            CopyFlatRows(output, p, rows, y);
        }
    }

    /// <summary>
    /// The row-slot tiles of one item into <paramref name="y"/> (its channels-first output, or its scratch): per output
    /// row, slots of a vector of columns, the last masked past the row; tiles of two slots, the second of an odd last
    /// tile repeating the first (computed, not stored).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void DirectRowTiles<TSimd, TVector, T>(T* ap, T* biasG, in Plan p, int rows, T* padded, nint* taps, T* y)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count, mr = TileRows<TSimd, TVector, T>();
        nint rowStride = p.DirectRowStride, outPlane = p.OutVolume;
        int perRow = (p.OW + v - 1) / v;
        long slots = (long)p.OH * perRow;
        for (int od = 0; od < p.OD; od++)
        {
            T* plane = y + ((nint)od * p.OH * p.OW);
            for (long s = 0; s < slots; s += 2)
            {
                bool pair = s + 1 < slots;
                long t = pair ? s + 1 : s;
                int oh0 = (int)(s / perRow), oh1 = (int)(t / perRow);
                int ow0 = (int)(s % perRow) * v, ow1 = (int)(t % perRow) * v;
                T* b = padded + ((nint)oh0 * p.SH * rowStride) + ow0;
                nint second = ((nint)(oh1 - oh0) * p.SH * rowStride) + (ow1 - ow0);
                int count = DirectTaps(p, od, oh0, oh1, mr, rowStride, taps);
                AssertDirectReads<TSimd, TVector, T>(b, second, taps, count, p, padded);

                int live0 = Math.Min(v, p.OW - ow0), live1 = pair ? Math.Min(v, p.OW - ow1) : 0;
                var stores = new DirectStores<T, TVector>
                {
                    Row0 = plane + ((nint)oh0 * p.OW) + ow0,
                    Row1 = plane + ((nint)oh1 * p.OW) + ow1,
                    Plane = outPlane,
                    Live0 = live0,
                    Live1 = live1,
                    Mask0 = live0 == v ? default : TSimd.LaneMask(0, live0),
                    Mask1 = live1 == v || live1 == 0 ? default : TSimd.LaneMask(0, live1),
                };
                Debug.Assert(Bounds.Within(stores.Row0, live0, y, rows * (long)outPlane) && (!pair || Bounds.Within(stores.Row1, live1, y, rows * (long)outPlane)), "slot outside the item's output");
                DirectPanels<TSimd, TVector, T>(ap, biasG, b, second, taps, count, rows, stores, p, y);
            }
        }
    }

    /// <summary>
    /// The flat direct layout's tiles (<see cref="Plan.DirectFlat"/>) of one item into its scratch: per output plane,
    /// pairs of slots over the flattened padded plane, whole vectors stored (the lanes past an output row's last column
    /// land in the scratch's dropped columns).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void DirectFlatTiles<TSimd, TVector, T>(T* ap, T* biasG, in Plan p, int rows, T* padded, nint* taps, T* output)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count, mr = TileRows<TSimd, TVector, T>();
        nint width = p.DirectRowStride;
        long positions = (long)p.OH * width;
        Debug.Assert(p.DirectFlatPlane % (2 * v) == 0 && p.DirectFlatPlane >= positions, "flat plane not whole slot pairs");
        for (int od = 0; od < p.OD; od++)
        {
            T* plane = output + ((nint)od * p.DirectFlatPlane);
            for (long f = 0; f < positions; f += 2 * v)
            {
                // The tile's output rows: from the first slot's first position to the second slot's last live one.
                int oh0 = (int)(f / width), oh1 = (int)(Math.Min(f + (2 * v), positions) - 1) / (int)width;
                T* b = padded + (nint)f;
                int count = DirectTaps(p, od, oh0, oh1, mr, width, taps);
                AssertDirectReads<TSimd, TVector, T>(b, v, taps, count, p, padded);
                var stores = new DirectStores<T, TVector>
                {
                    Row0 = plane + (nint)f,
                    Row1 = plane + (nint)f + v,
                    Plane = (nint)p.OD * p.DirectFlatPlane,
                    Live0 = v,
                    Live1 = v,
                };
                Debug.Assert(Bounds.Within(stores.Row0, 2 * v, output, rows * (long)stores.Plane), "slot pair outside the item's scratch");
                DirectPanels<TSimd, TVector, T>(ap, biasG, b, v, taps, count, rows, stores, p, output);
            }
        }
    }

    /// <summary>One tile of two slots for every panel of the item's <paramref name="rows"/> output channels (the last
    /// panel's live rows only), into the item's output or scratch <paramref name="y"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DirectPanels<TSimd, TVector, T>(T* ap, T* biasG, T* b, nint second, nint* taps, int count, int rows, in DirectStores<T, TVector> stores, in Plan p, T* y)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int mr = TileRows<TSimd, TVector, T>();
        nint aChannel = (nint)p.KD * p.KH * p.KW * mr;
        nint panelStride = (nint)p.K * mr;
        for (int panel = 0; panel * mr < rows; panel++)
        {
            int live = Math.Min(mr, rows - (panel * mr));
            T* a = ap + (panel * panelStride);
            T* panelBias = biasG == null ? null : biasG + (panel * mr);
            Debug.Assert(Bounds.Within(a, panelStride, ap, p.PackedAPerBlock), "panel outside the item's packed A");
            Debug.Assert(Bounds.Within(stores.Row0 + (((nint)(panel * mr) + live - 1) * stores.Plane), stores.Live0, y, rows * (long)stores.Plane), "panel's rows outside the item's output");
            if (live > 4)
            {
                DirectTile<TSimd, TVector, T, AllRows>(a, b, second, taps, count, p.CinG, aChannel, p.DirectChannelStride, stores, panel * mr, live, panelBias);
            }
            else
            {
                DirectTile<TSimd, TVector, T, FourRows>(a, b, second, taps, count, p.CinG, aChannel, p.DirectChannelStride, stores, panel * mr, live, panelBias);
            }
        }
    }

    /// <summary>The flat layout's scratch rows (<see cref="Plan.OW"/> live columns of each padded-width row) into the item's channels-first output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyFlatRows<T>(T* output, in Plan p, int rows, T* y)
        where T : unmanaged
    {
        nint channel = (nint)p.OD * p.DirectFlatPlane, outPlane = p.OutVolume;
        for (int r = 0; r < rows; r++)
        {
            for (int od = 0; od < p.OD; od++)
            {
                T* src = output + (r * channel) + ((nint)od * p.DirectFlatPlane);
                T* dst = y + (r * outPlane) + ((nint)od * p.OH * p.OW);
                for (int oh = 0; oh < p.OH; oh++, src += p.DirectRowStride, dst += p.OW)
                {
                    Unsafe.CopyBlockUnaligned(dst, src, (uint)(p.OW * sizeof(T)));
                }
            }
        }
    }

    /// <summary>
    /// The channels-last copy into the padded layout: each input row's pixels (<paramref name="pixelStride"/> apart, the
    /// group's <see cref="Plan.CinG"/> channels adjacent in each) are split into the channels' padded segments. Where
    /// <see cref="LaneTranspose"/> serves the element type, square blocks of pixels by channels are transposed in
    /// registers, so that each channel's run of columns is one store (two at column stride 2, one per phase).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PadDirectChannelsLast<T>(T* x, nint pixelStride, T* padded, in Plan p)
        where T : unmanaged
    {
        int w = p.W, pw = p.PW, cinG = p.CinG;
        bool split = p.SW == 2;
        nint channelStride = p.DirectChannelStride, half = p.DirectHalf;
        nint segmentLength = (nint)p.SW * half;
        int lanes = LaneTranspose.Supported<T>() ? LaneTranspose.Lanes<T>() : int.MaxValue;
        int blockColumns = cinG >= lanes && w >= lanes ? w - (w % lanes) : 0;
        int blockChannels = blockColumns == 0 ? 0 : cinG - (cinG % lanes);
        for (int id = 0; id < p.D; id++)
        {
            for (int ih = 0; ih < p.H; ih++)
            {
                T* row = padded + ((nint)id * p.DirectPlaneStride) + ((nint)(p.PH + ih) * p.DirectRowStride);
                T* src = x + ((((nint)id * p.H) + ih) * w * pixelStride);
                Debug.Assert(Bounds.Within(row + ((cinG - 1) * channelStride), segmentLength, padded, p.DirectInputLength), "padded row outside the padded input");
                int iw = 0;
                for (; iw < blockColumns; iw += lanes)
                {
                    // Pixels [iw, iw + lanes): the channels in blocks, then the rest of each pixel's one by one.
                    T* pixels = src + (iw * pixelStride);
                    for (int ci = 0; ci < blockChannels; ci += lanes)
                    {
                        PadBlock(pixels + ci, pixelStride, row + (ci * channelStride), channelStride, iw + pw, split, half);
                    }

                    for (int j = 0; j < lanes; j++)
                    {
                        PadPixel(pixels + (j * pixelStride), blockChannels, cinG, row, channelStride, iw + j + pw, split, half);
                    }
                }

                for (; iw < w; iw++)
                {
                    PadPixel(src + (iw * pixelStride), 0, cinG, row, channelStride, iw + pw, split, half);
                }
            }
        }
    }

    /// <summary>One pixel's channels <c>[c0, c1)</c> from <paramref name="pixel"/> into padded column <paramref name="column"/> of their segments of <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PadPixel<T>(T* pixel, int c0, int c1, T* row, nint channelStride, int column, bool split, nint half)
        where T : unmanaged
    {
        // Padded column c: at stride 2, phase c mod 2, position c / 2.
        T* dst = row + (split ? ((column & 1) * half) + (column >> 1) : column) + (c0 * channelStride);
        for (int ci = c0; ci < c1; ci++, dst += channelStride)
        {
            *dst = pixel[ci];
        }
    }

    /// <summary>
    /// A square block (see <see cref="LaneTranspose.Lanes{T}"/>) of consecutive pixels <paramref name="pixelStride"/>
    /// apart by adjacent channels from <paramref name="src"/>, into padded columns from <paramref name="column"/> of the
    /// channels' segments (<paramref name="channelStride"/> apart from <paramref name="row"/>). At column stride 2 the even
    /// pixels go to one phase and the odd ones to the other, each a run of half a block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PadBlock<T>(T* src, nint pixelStride, T* row, nint channelStride, int column, bool split, nint half)
        where T : unmanaged
    {
        if (!split)
        {
            TransposeBlock(src, pixelStride, row + column, channelStride);
            return;
        }

        nint even = ((column & 1) * half) + (column >> 1);
        nint odd = ((~column & 1) * half) + ((column + 1) >> 1);
        if (typeof(T) == typeof(float))
        {
            LaneTranspose.LoadTransposed((float*)src, pixelStride, out var r0, out var r1, out var r2, out var r3, out var r4, out var r5, out var r6, out var r7);
            float* d = (float*)row;
            StorePhases(r0, d, even, odd);
            StorePhases(r1, d + channelStride, even, odd);
            StorePhases(r2, d + (2 * channelStride), even, odd);
            StorePhases(r3, d + (3 * channelStride), even, odd);
            StorePhases(r4, d + (4 * channelStride), even, odd);
            StorePhases(r5, d + (5 * channelStride), even, odd);
            StorePhases(r6, d + (6 * channelStride), even, odd);
            StorePhases(r7, d + (7 * channelStride), even, odd);
        }
        else
        {
            Debug.Assert(typeof(T) == typeof(double), "a transposed block is float or double");
            LaneTranspose.LoadTransposed((double*)src, pixelStride, out var r0, out var r1, out var r2, out var r3);
            double* d = (double*)row;
            StorePhases(r0, d, even, odd);
            StorePhases(r1, d + channelStride, even, odd);
            StorePhases(r2, d + (2 * channelStride), even, odd);
            StorePhases(r3, d + (3 * channelStride), even, odd);
        }
    }

    /// <summary>One channel's run of a block's columns at column stride 2: its even lanes at <paramref name="even"/>, its odd lanes at <paramref name="odd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePhases<TLane>(Vector256<TLane> v, TLane* segment, nint even, nint odd)
        where TLane : unmanaged
    {
        Vector256<TLane> phases = typeof(TLane) == typeof(float)
            ? LaneTranspose.SplitEvenOdd(v.AsSingle()).As<float, TLane>()
            : LaneTranspose.SplitEvenOdd(v.AsDouble()).As<double, TLane>();
        phases.GetLower().Store(segment + even);
        phases.GetUpper().Store(segment + odd);
    }

    /// <summary>Where a tile's rows go: each slot's first output element (channel 0 of the panel), the channel stride, and each slot's live lanes and mask.</summary>
    private struct DirectStores<T, TVector>
        where T : unmanaged
        where TVector : struct
    {
        public T* Row0, Row1;
        public nint Plane;
        public int Live0, Live1;
        public TVector Mask0, Mask1;
    }

    /// <summary>
    /// Lists the kernel taps a tile of output rows <paramref name="oh0"/> and <paramref name="oh1"/> of output plane
    /// <paramref name="od"/> needs, in the reduction's order <c>(jd, jh, jw)</c>, as pairs (offset in a channel's A
    /// steps, offset in the padded input from the tile's slot): a tap whose input plane is off the input is skipped, and
    /// so is one whose input row is off it for both rows (otherwise the row that misses reads a zero margin row).
    /// Returns the count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DirectTaps(in Plan p, int od, int oh0, int oh1, int mr, nint rowStride, nint* taps)
    {
        nint planeStride = p.DirectPlaneStride;
        int count = 0;
        for (int jd = 0; jd < p.KD; jd++)
        {
            long id = ((long)od * p.SD) - p.PD + ((long)jd * p.DD);
            if ((ulong)id >= (ulong)p.D)
            {
                continue;
            }

            for (int jh = 0; jh < p.KH; jh++)
            {
                long ih0 = ((long)oh0 * p.SH) - p.PH + ((long)jh * p.DH);
                long ih1 = ((long)oh1 * p.SH) - p.PH + ((long)jh * p.DH);
                // Flat slots read every row from oh0 to oh1: the tap row is off for all of them only when it is off
                // on the same side at both ends (row slots read only rows oh0 and oh1).
                bool off = p.DirectFlat ? (ih0 < 0 && ih1 < 0) || (ih0 >= p.H && ih1 >= p.H) : (ulong)ih0 >= (ulong)p.H && (ulong)ih1 >= (ulong)p.H;
                if (off)
                {
                    continue;
                }

                for (int jw = 0; jw < p.KW; jw++)
                {
                    long column = (long)jw * p.DW;
                    long shift = p.SW == 1 ? column : ((column % 2) * p.DirectHalf) + (column / 2);
                    taps[2 * count] = (nint)((((jd * p.KH) + jh) * p.KW) + jw) * mr;
                    taps[(2 * count) + 1] = ((nint)id * planeStride) + ((nint)jh * p.DH * rowStride) + (nint)shift;
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Debug builds: every vector a tile's taps load (first and last channel, both slots) lies in the padded input.</summary>
    [Conditional("DEBUG")]
    private static void AssertDirectReads<TSimd, TVector, T>(T* b, nint second, nint* taps, int count, in Plan p, T* padded)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
    {
        nint last = (nint)(p.CinG - 1) * p.DirectChannelStride;
        for (int i = 0; i < count; i++)
        {
            T* at = b + taps[(2 * i) + 1];
            Debug.Assert(
                Bounds.Within(at, TSimd.Count, padded, p.DirectInputLength) && Bounds.Within(at + last + second, TSimd.Count, padded, p.DirectInputLength)
                    && Bounds.Within(at + second, TSimd.Count, padded, p.DirectInputLength) && Bounds.Within(at + last, TSimd.Count, padded, p.DirectInputLength),
                "tile's tap outside the padded input");
        }
    }

    /// <summary>
    /// Copies the item's input channels (<see cref="Plan.CinG"/> channels of <see cref="Plan.InVolume"/> cells from
    /// <paramref name="x"/>) into the padded layout's interior; the margins are zero from the thread's clearing. Column
    /// stride 2 splits each row into its even and odd padded columns with one deinterleaving load per two vectors.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PadDirect<TSimd, TVector, T>(T* x, T* padded, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count, w = p.W, pw = p.PW;
        nint channelStride = p.DirectChannelStride, half = p.DirectHalf;
        for (int ci = 0; ci < p.CinG; ci++)
        {
            // Channel-major, so that the input is read in order.
            T* src = x + ((nint)ci * p.InVolume);
            for (int id = 0; id < p.D; id++)
            {
                for (int ih = 0; ih < p.H; ih++, src += w)
                {
                    T* segment = padded + ((nint)id * p.DirectPlaneStride) + ((nint)(p.PH + ih) * p.DirectRowStride) + ((nint)ci * channelStride);
                    Debug.Assert(Bounds.Within(segment, (nint)p.SW * half, padded, p.DirectInputLength), "padded segment outside the padded input");
                    if (p.SW == 1)
                    {
                        T* row = segment + pw;
                        if (w >= v)
                        {
                            // Whole vectors, the last one overlapping the one before it (the same values twice).
                            for (int t = 0; t < w - v; t += v)
                            {
                                TSimd.Store(TSimd.Load(src + t), row + t);
                            }

                            TSimd.Store(TSimd.Load(src + w - v), row + w - v);
                        }
                        else
                        {
                            for (int t = 0; t < w; t++)
                            {
                                row[t] = src[t];
                            }
                        }

                        continue;
                    }

                    // Input column iw is padded column iw + PW: phase (iw + PW) mod 2, position (iw + PW) / 2. A pair of
                    // vectors from an even iw splits into its even columns (phase PW mod 2, from position (iw + PW) / 2)
                    // and its odd ones (the other phase, from (iw + 1 + PW) / 2).
                    T* evenPhase = segment + ((pw % 2) * half) + (pw / 2);
                    T* oddPhase = segment + (((pw + 1) % 2) * half) + ((pw + 1) / 2);
                    if (w >= 2 * v)
                    {
                        // Whole pairs from even columns, the last one pulled back to the last even start that fits
                        // (overlapping the one before it: the same values twice).
                        for (int iw = 0; ; iw += 2 * v)
                        {
                            int at = Math.Min(iw, (w - (2 * v)) & ~1);
                            TSimd.LoadDeinterleave(src + at, out TVector even, out TVector odd);
                            TSimd.Store(even, evenPhase + (at / 2));
                            TSimd.Store(odd, oddPhase + (at / 2));
                            if (at != iw || iw + (2 * v) >= w)
                            {
                                break;
                            }
                        }

                        // An odd width leaves its last (even) column when the last pair started at w - 2v - 1.
                        if ((w & 1) != 0)
                        {
                            evenPhase[(w - 1) / 2] = src[w - 1];
                        }
                    }
                    else
                    {
                        for (int iw = 0; iw < w; iw++)
                        {
                            ((iw & 1) == 0 ? evenPhase : oddPhase)[iw / 2] = src[iw];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The direct micro-kernel: a <see cref="TileRows{TSimd, TVector, T}"/> x (2 vectors) tile, slot 0 from
    /// <paramref name="b"/> and slot 1 from <c>b + second</c>, one multiply-add chain per element from +0 over
    /// <paramref name="cin"/> channels (A <paramref name="aChannel"/>, B <paramref name="bChannel"/> apart) of
    /// <paramref name="count"/> taps each (pairs of A and B offsets); rows <c>[0, live)</c> plus their bias go to the
    /// output rows of channels <c>first + r</c> (masked past the output row, slot 1 only when the tile has it).
    /// The same register budget as <see cref="Tile{TSimd, TVector, T}"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void DirectTile<TSimd, TVector, T, TRows>(T* a, T* b, nint second, nint* taps, int count, int cin, nint aChannel, nint bChannel, in DirectStores<T, TVector> stores, int first, int live, T* bias)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ITileRows
    {
        bool eight = TileRows<TSimd, TVector, T>() == 8 && !TRows.Four;
        bool six = !TRows.Four;
        TVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = TSimd.Zero;
        for (int i = 0; i < cin; i++)
        {
            for (nint* tap = taps, end = taps + (2 * count); tap < end; tap += 2)
            {
                T* pa = a + tap[0];
                T* pb = b + tap[1];
                TVector b0 = TSimd.Load(pb), b1 = TSimd.Load(pb + second);
                TVector a0 = TSimd.Create(pa[0]);
                c00 = TSimd.MultiplyAdd(a0, b0, c00); c01 = TSimd.MultiplyAdd(a0, b1, c01);
                TVector a1 = TSimd.Create(pa[1]);
                c10 = TSimd.MultiplyAdd(a1, b0, c10); c11 = TSimd.MultiplyAdd(a1, b1, c11);
                TVector a2 = TSimd.Create(pa[2]);
                c20 = TSimd.MultiplyAdd(a2, b0, c20); c21 = TSimd.MultiplyAdd(a2, b1, c21);
                TVector a3 = TSimd.Create(pa[3]);
                c30 = TSimd.MultiplyAdd(a3, b0, c30); c31 = TSimd.MultiplyAdd(a3, b1, c31);
                if (six)
                {
                    TVector a4 = TSimd.Create(pa[4]);
                    c40 = TSimd.MultiplyAdd(a4, b0, c40); c41 = TSimd.MultiplyAdd(a4, b1, c41);
                    TVector a5 = TSimd.Create(pa[5]);
                    c50 = TSimd.MultiplyAdd(a5, b0, c50); c51 = TSimd.MultiplyAdd(a5, b1, c51);
                }

                if (eight)
                {
                    TVector a6 = TSimd.Create(pa[6]);
                    c60 = TSimd.MultiplyAdd(a6, b0, c60); c61 = TSimd.MultiplyAdd(a6, b1, c61);
                    TVector a7 = TSimd.Create(pa[7]);
                    c70 = TSimd.MultiplyAdd(a7, b0, c70); c71 = TSimd.MultiplyAdd(a7, b1, c71);
                }
            }

            a += aChannel;
            b += bChannel;
        }

        T* row0 = stores.Row0 + (first * stores.Plane), row1 = stores.Row1 + (first * stores.Plane);
        StoreDirectRow<TSimd, TVector, T>(c00, c01, row0, row1, bias, 0, stores);
        if (live > 1)
        {
            StoreDirectRow<TSimd, TVector, T>(c10, c11, row0, row1, bias, 1, stores);
        }

        if (live > 2)
        {
            StoreDirectRow<TSimd, TVector, T>(c20, c21, row0, row1, bias, 2, stores);
        }

        if (live > 3)
        {
            StoreDirectRow<TSimd, TVector, T>(c30, c31, row0, row1, bias, 3, stores);
        }

        if (six && live > 4)
        {
            StoreDirectRow<TSimd, TVector, T>(c40, c41, row0, row1, bias, 4, stores);
            if (live > 5)
            {
                StoreDirectRow<TSimd, TVector, T>(c50, c51, row0, row1, bias, 5, stores);
            }
        }

        if (eight && live > 6)
        {
            StoreDirectRow<TSimd, TVector, T>(c60, c61, row0, row1, bias, 6, stores);
            if (live > 7)
            {
                StoreDirectRow<TSimd, TVector, T>(c70, c71, row0, row1, bias, 7, stores);
            }
        }
    }

    /// <summary>Row <paramref name="r"/> of a direct tile: each slot's chain plus the channel's bias (zero without one), masked past the output row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreDirectRow<TSimd, TVector, T>(TVector slot0, TVector slot1, T* row0, T* row1, T* bias, int r, in DirectStores<T, TVector> stores)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TVector splat = TSimd.Create(bias == null ? T.Zero : bias[r]);
        nint at = r * stores.Plane;
        StoreChunk<TSimd, TVector, T>(TSimd.Add(slot0, splat), row0 + at, stores.Live0 == TSimd.Count, stores.Mask0);
        if (stores.Live1 > 0)
        {
            StoreChunk<TSimd, TVector, T>(TSimd.Add(slot1, splat), row1 + at, stores.Live1 == TSimd.Count, stores.Mask1);
        }
    }
}
