using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <content>
/// The stride-phase layout of the 3-D transposed convolution (<see cref="Plan.Phases"/>): each output phase
/// <c>(od mod sD, oh mod sH, ow mod sW)</c> is a dense stride-1 convolution of the input with its own
/// <c>ceil(k/s)</c>-per-axis sub-kernel, so one output cell takes all its <c>Cin/g * taps</c> products in one
/// multiply-add chain (a reduction of 256 for kernel 4, stride 2, against GEMM + col2vol's 32 plus a scatter), and each
/// output cell is written once, with its bias, straight from the tile.
/// </content>
/// <remarks>
/// <para>The B operand is never packed: the micro-kernel (<see cref="TileTaps{TSimd, TVector, T, TRows}"/>) loads it from a
/// copy of the sample's input with zero margins in height and width (rows of all channels side by side), at one
/// offset per tap. Taps whose input depth (or, for both of a tile's rows, input row) lies outside the input are
/// skipped; the zero margins stand in only for the lanes at the input's edges. A finite weight times a margin's +0 is
/// +-0, and adding +-0 to a chain that starts at +0 changes no bit (the chain is never -0), so each cell's value is
/// the chain over exactly its real products, in tap order then channel order, whatever lane, tile or width computes it.
/// A weight of +-infinity or NaN would turn a margin into NaN: such weights run the GEMM layout.</para>
/// <para>Determinism: every output cell is owned by one item (sample, group, part of the <c>(od, oh mod sH)</c>
/// units) and its value depends only on the shapes, never on the thread count, the split or the vector width.</para>
/// </remarks>
internal static unsafe partial class ConvKernel
{
    /// <summary>
    /// Runs the phase layout: packs the weights once per phase (or takes the packing <paramref name="cached"/> holds when
    /// <paramref name="current"/>), then the items on up to <paramref name="degree"/> threads.
    /// </summary>
    private static void RunPhases<TSimd, TVector, T>(
        T* source, T* weight, T* bias, T* destination, in Plan plan, int degree, ConvWorkspace? workspace = null, T[]? cached = null, bool current = false)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int phases = plan.SD * plan.SH * plan.SW;
        T[] packedA = cached ?? ArrayPool<T>.Shared.Rent((int)plan.PhaseALength);
        nint[] offsetArray = cached is null ? ArrayPool<nint>.Shared.Rent(phases) : workspace!.Offsets(ConvWorkspace.PackingKind.Phases, plan.Transposed, phases);
        try
        {
            fixed (T* ap = packedA)
            fixed (nint* offsets = offsetArray)
            {
                nint groupStride;
                if (current)
                {
                    groupStride = workspace!.PackedValue(ConvWorkspace.PackingKind.Phases, plan.Transposed);
                }
                else
                {
                    groupStride = PackPhaseWeights(weight, ap, offsets, TileRows<TSimd, TVector, T>(), plan);
                    if (cached is not null)
                    {
                        workspace!.PackedValue(ConvWorkspace.PackingKind.Phases, plan.Transposed) = groupStride;
                        workspace.MarkPacked(ConvWorkspace.PackingKind.Phases, plan.Transposed);
                    }
                }

                var body = new PhaseBody<TSimd, TVector, T>
                {
                    Source = source,
                    PackedA = ap,
                    PhaseOffsets = offsets,
                    GroupStride = groupStride,
                    Bias = bias,
                    Destination = destination,
                    Plan = plan,
                    Workspace = workspace,
                };
                ParallelRunner.Run(ref body, plan.PhaseItems, degree);
            }
        }
        finally
        {
            if (cached is null)
            {
                ArrayPool<nint>.Shared.Return(offsetArray);
                ArrayPool<T>.Shared.Return(packedA);
            }
        }
    }

    /// <summary>
    /// One axis of one stride phase <c>q</c> of the transposed convolution: outputs <c>o = s*m + q</c>,
    /// <c>m</c> in <c>[0, Count)</c>, take kernel taps <c>j = First + s*t</c>, <c>t</c> in <c>[0, Taps)</c>, from input
    /// <c>i = m + Base - t</c> (from <c>o = i*s - p + j</c>; dilation 1).
    /// </summary>
    internal readonly struct PhaseAxis
    {
        public readonly int First, Taps;
        public readonly long Base, Count;

        public PhaseAxis(int q, int k, int s, int padBegin, int output)
        {
            long shifted = (long)q + padBegin;
            First = (int)(shifted % s);
            Base = shifted / s;
            Taps = (k - First + s - 1) / s;
            Count = q < output ? ((long)output - q + s - 1) / s : 0;
        }
    }

    /// <summary>The phase index of <c>(qd, qh, qw)</c>.</summary>
    private static int PhaseIndex(in Plan p, int qd, int qh, int qw) => (((qd * p.SH) + qh) * p.SW) + qw;

    /// <summary>
    /// Packs each group's A per phase into panels of <paramref name="mr"/> output channels (zero-padded), reduction
    /// <c>k = tap*Cin/g + ci</c>-major with taps <c>(td, th, tw)</c> row-major: <c>A[co, k] = w[g*Cin/g + ci, co, jd, jh, jw]</c>.
    /// Fills <paramref name="offsets"/> with each phase's start inside a group and returns a group's length.
    /// </summary>
    private static nint PackPhaseWeights<T>(T* weight, T* packed, nint* offsets, int mr, in Plan p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kk = p.KD * p.KH * p.KW;
        int rows = (p.CoutG + mr - 1) / mr * mr;
        nint total = 0;
        for (int qd = 0; qd < p.SD; qd++)
        {
            for (int qh = 0; qh < p.SH; qh++)
            {
                for (int qw = 0; qw < p.SW; qw++)
                {
                    offsets[PhaseIndex(p, qd, qh, qw)] = total;
                    total += (nint)rows * p.CinG * PhaseTaps(p, qd, qh, qw);
                }
            }
        }

        Debug.Assert((long)total * p.Groups <= p.PhaseALength, "packed phases past their bound");
        for (int g = 0; g < p.Groups; g++)
        {
            T* a = weight + ((nint)g * p.M * p.K);
            for (int qd = 0; qd < p.SD; qd++)
            {
                var ad = new PhaseAxis(qd, p.KD, p.SD, p.PD, p.OD);
                for (int qh = 0; qh < p.SH; qh++)
                {
                    var ah = new PhaseAxis(qh, p.KH, p.SH, p.PH, p.OH);
                    for (int qw = 0; qw < p.SW; qw++)
                    {
                        var aw = new PhaseAxis(qw, p.KW, p.SW, p.PW, p.OW);
                        T* dst = packed + ((nint)g * total) + offsets[PhaseIndex(p, qd, qh, qw)];
                        for (int r0 = 0; r0 < rows; r0 += mr)
                        {
                            for (int td = 0; td < ad.Taps; td++)
                            {
                                for (int th = 0; th < ah.Taps; th++)
                                {
                                    for (int tw = 0; tw < aw.Taps; tw++)
                                    {
                                        int cell = ((((ad.First + (p.SD * td)) * p.KH) + ah.First + (p.SH * th)) * p.KW) + aw.First + (p.SW * tw);
                                        Debug.Assert(cell < kk, "phase tap outside the kernel");
                                        for (int ci = 0; ci < p.CinG; ci++)
                                        {
                                            T* src = a + ((nint)ci * p.M) + cell;
                                            Debug.Assert(Bounds.Within(src, 1, weight, p.WeightLength), "phase weight outside the weight");
                                            for (int r = 0; r < mr; r++)
                                            {
                                                *dst++ = r0 + r < p.CoutG ? src[(nint)(r0 + r) * kk] : T.Zero;
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return total;
    }

    /// <summary>Taps of phase <c>(qd, qh, qw)</c>: the product of each axis's.</summary>
    private static int PhaseTaps(in Plan p, int qd, int qh, int qw)
        => new PhaseAxis(qd, p.KD, p.SD, p.PD, p.OD).Taps * new PhaseAxis(qh, p.KH, p.SH, p.PH, p.OH).Taps * new PhaseAxis(qw, p.KW, p.SW, p.PW, p.OW).Taps;

    private struct PhaseBody<TSimd, TVector, T> : IParallelBody
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public T* Source;
        public T* PackedA;
        public nint* PhaseOffsets;
        public nint GroupStride;
        public T* Bias;
        public T* Destination;
        public Plan Plan;
        public ConvWorkspace? Workspace;

        [MethodImpl(KernelImpl.Entry)]
        public readonly void Invoke(int start, int end)
        {
            // The padded input is proven by the plan to fit (MaxScratchElements); the tile buffer holds one tile per
            // column phase, the tap table one list per column phase.
            T[] paddedArray = ConvScratch.Rent<T>(Workspace, (int)Plan.PaddedInputLength);
            T[] tileArray = ConvScratch.Rent<T>(Workspace, Plan.SW * MaxMR * PanelAlign);
            nint[] tapArray = ConvScratch.Rent<nint>(Workspace, Plan.SW * 2 * Plan.MaxPhaseTaps);
            try
            {
                fixed (T* padded = paddedArray)
                fixed (T* tiles = tileArray)
                fixed (nint* taps = tapArray)
                {
                    var scratch = new PhaseScratch<T> { Padded = padded, Tiles = tiles, Taps = taps };
                    for (int item = start; item < end; item++)
                    {
                        PhaseItem<TSimd, TVector, T>(this, item, scratch);
                    }
                }
            }
            finally
            {
                ConvScratch.Return(Workspace, paddedArray);
                ConvScratch.Return(Workspace, tileArray);
                ConvScratch.Return(Workspace, tapArray);
            }
        }
    }

    /// <summary>A thread's scratch: the padded input, the tile buffer and the tap lists.</summary>
    private struct PhaseScratch<T>
        where T : unmanaged
    {
        public T* Padded, Tiles;
        public nint* Taps;
    }

    /// <summary>
    /// One item: pads the input depth planes its units read, then computes each unit <c>(od, qh)</c>: output plane
    /// <c>od</c>'s rows <c>oh = sH*mh + qh</c> of every channel of the item's group.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PhaseItem<TSimd, TVector, T>(in PhaseBody<TSimd, TVector, T> body, int item, in PhaseScratch<T> scratch)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly Plan p = ref body.Plan;
        int part = item % p.PhaseParts;
        int ng = item / p.PhaseParts;
        int g = ng % p.Groups, n = ng / p.Groups;
        long units = (long)p.OD * p.SH;
        long u0 = part * units / p.PhaseParts, u1 = (part + 1) * units / p.PhaseParts;
        if (u0 >= u1)
        {
            return;
        }

        // The input planes the units' depth taps reach: id = od/sD + Base - td.
        long odFirst = u0 / p.SH, odLast = (u1 - 1) / p.SH;
        long lo = long.MaxValue, hi = long.MinValue;
        for (int qd = 0; qd < p.SD; qd++)
        {
            var ad = new PhaseAxis(qd, p.KD, p.SD, p.PD, p.OD);
            lo = Math.Min(lo, (odFirst / p.SD) + ad.Base - ad.Taps + 1);
            hi = Math.Max(hi, (odLast / p.SD) + ad.Base);
        }

        T* x = ItemSource(body.Source, p, n, g);
        Debug.Assert(Bounds.Within(x, (long)p.CinG * p.InVolume, body.Source, p.SourceLength), "item's input outside the source");
        PadPlanes<TSimd, TVector, T>(x, scratch.Padded, (int)Math.Max(0, lo), (int)Math.Min(p.D - 1, hi), p);

        var unit = new PhaseUnit<T>
        {
            Output = ItemDestination(body.Destination, p, n, g, 0),
            Bias = body.Bias == null ? null : body.Bias + ((nint)g * p.CoutG),
            PackedA = body.PackedA + ((nint)g * body.GroupStride),
            ReachD = Math.Min(p.OD, ((long)(p.D - 1) * p.SD) - p.PD + p.KD),
            ReachH = Math.Min(p.OH, ((long)(p.H - 1) * p.SH) - p.PH + p.KH),
            ReachW = Math.Min(p.OW, ((long)(p.W - 1) * p.SW) - p.PW + p.KW),
        };
        Debug.Assert(Bounds.Within(unit.Output, p.CoutG * (long)p.OutVolume, body.Destination, p.DestinationLength), "item's output outside the destination");
        for (long u = u0; u < u1; u++)
        {
            unit.OD = (int)(u / p.SH);
            unit.QH = (int)(u % p.SH);
            Unit<TSimd, TVector, T>(body, ref unit, scratch);
        }
    }

    /// <summary>
    /// Copies input planes <c>[lo, hi]</c> of the item's channels into the padded layout: plane <c>id</c>, padded row
    /// <c>r</c> (input row <c>r - PadTop</c>) holds every channel's row side by side, each <see cref="Plan.PaddedWidth"/>
    /// long with the input row from column <see cref="Plan.PadLeft"/>, zeros around it (and in the margin rows).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void PadPlanes<TSimd, TVector, T>(T* x, T* padded, int lo, int hi, in Plan p)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int wp = p.PaddedWidth, v = TSimd.Count;
        nint rowStride = (nint)p.CinG * wp;
        for (int ci = 0; ci < p.CinG; ci++)
        {
            // Channel-major, so that the input is read in order (one stream instead of one per channel).
            T* src = x + ((nint)ci * p.InVolume) + ((nint)lo * p.H * p.W);
            for (int id = lo; id <= hi; id++)
            {
                for (int r = 0; r < p.PaddedHeight; r++)
                {
                    long ih = (long)r - p.PadTop;
                    T* dst = padded + ((((nint)id * p.PaddedHeight) + r) * rowStride) + ((nint)ci * wp);
                    Debug.Assert(Bounds.Within(dst, wp, padded, p.PaddedInputLength), "padded row outside the padded input");
                    if ((ulong)ih >= (ulong)p.H)
                    {
                        new Span<T>(dst, wp).Clear();
                        continue;
                    }

                    for (int i = 0; i < p.PadLeft; i++)
                    {
                        dst[i] = T.Zero;
                    }

                    T* row = dst + p.PadLeft;
                    if (p.W >= v)
                    {
                        // Whole vectors, the last one overlapping the one before it (the same values twice).
                        for (int t = 0; t < p.W - v; t += v)
                        {
                            TSimd.Store(TSimd.Load(src + t), row + t);
                        }

                        TSimd.Store(TSimd.Load(src + p.W - v), row + p.W - v);
                    }
                    else
                    {
                        for (int t = 0; t < p.W; t++)
                        {
                            row[t] = src[t];
                        }
                    }

                    for (int i = p.PadLeft + p.W; i < wp; i++)
                    {
                        dst[i] = T.Zero;
                    }

                    src += p.W;
                }
            }
        }

        // The slack past the last plane is read only by lanes that are never stored; zero keeps them ordinary numbers.
        long used = (long)p.D * p.PaddedHeight * rowStride;
        if (hi == p.D - 1)
        {
            new Span<T>(padded + used, (int)(p.PaddedInputLength - used)).Clear();
        }
    }

    /// <summary>One unit's fixed state: the item's output, bias and packed A, and where the output stops being reached.</summary>
    private struct PhaseUnit<T>
        where T : unmanaged
    {
        public T* Output, Bias, PackedA;

        /// <summary>Output coordinates past the last input's reach on each axis (<c>(i-1)*s - p + k</c>, capped): bias only.</summary>
        public long ReachD, ReachH, ReachW;

        /// <summary>The unit: output plane and row phase.</summary>
        public int OD, QH;
    }

    /// <summary>
    /// Unit <c>(od, qh)</c>: its rows <c>mh</c> times vectors of <c>mw</c> are cut into slots of one vector each, two
    /// slots a tile (one row's two vectors, or two rows when a row is one vector); per tile and panel of output channels,
    /// each column phase's chain runs in the micro-kernel and the phases interleave into the output rows with the bias.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void Unit<TSimd, TVector, T>(in PhaseBody<TSimd, TVector, T> body, ref PhaseUnit<T> unit, in PhaseScratch<T> scratch)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref readonly Plan p = ref body.Plan;
        int od = unit.OD, qh = unit.QH;
        int qd = od % p.SD, md = od / p.SD;
        var ad = new PhaseAxis(qd, p.KD, p.SD, p.PD, p.OD);
        var ah = new PhaseAxis(qh, p.KH, p.SH, p.PH, p.OH);
        int rows = (int)ah.Count;
        if (od >= unit.ReachD)
        {
            FillPhaseRows(unit, p, od, qh, 0, rows, 0);
            return;
        }

        int v = TSimd.Count, mr = TileRows<TSimd, TVector, T>();
        long columns = new PhaseAxis(0, p.KW, p.SW, p.PW, p.OW).Count;
        int perRow = (int)((columns + v - 1) / v);
        long slots = (long)rows * perRow;
        nint rowStride = (nint)p.CinG * p.PaddedWidth;
        nint planeStride = p.PaddedHeight * rowStride;
        T* plane = scratch.Padded + ((nint)md * planeStride) + p.PadLeft;
        int panels = (p.CoutG + mr - 1) / mr;
        T* a0 = unit.PackedA + body.PhaseOffsets[PhaseIndex(p, qd, qh, 0)];
        nint panel0 = (nint)mr * p.CinG * PhaseTaps(p, qd, qh, 0);
        T* a1 = p.SW == 2 ? unit.PackedA + body.PhaseOffsets[PhaseIndex(p, qd, qh, 1)] : a0;
        nint panel1 = p.SW == 2 ? (nint)mr * p.CinG * PhaseTaps(p, qd, qh, 1) : 0;
        var aw0 = new PhaseAxis(0, p.KW, p.SW, p.PW, p.OW);
        var aw1 = p.SW == 2 ? new PhaseAxis(1, p.KW, p.SW, p.PW, p.OW) : aw0;
        nint* taps0 = scratch.Taps, taps1 = scratch.Taps + (2 * p.MaxPhaseTaps);
        T* odd = scratch.Tiles + (mr * 2 * v);
        PhaseTile tile = PhaseSlots(0, slots, perRow, v, p.SH, qh);
        ulong pattern = ulong.MaxValue;
        int count0 = 0, count1 = 0;
        for (long s = 0; s < slots; s += 2)
        {
            int mh0 = (tile.Row0 - qh) / p.SH, mh1 = (tile.Row1 - qh) / p.SH;
            T* b0 = plane + ((mh0 + p.PadTop) * rowStride) + tile.Column0;
            nint second = ((mh1 - mh0) * rowStride) + tile.Column1 - tile.Column0;
            // The lists change only where a row tap's validity does (the first and last rows): rebuilt on a new pattern.
            ulong key = RowTapPattern(ah, mh0, mh1, p.H);
            if (key != pattern || key == ulong.MaxValue)
            {
                count0 = PhaseTapList(p, ad, ah, aw0, md, mh0, mh1, mr, rowStride, planeStride, taps0);
                count1 = p.SW == 2 ? PhaseTapList(p, ad, ah, aw1, md, mh0, mh1, mr, rowStride, planeStride, taps1) : 0;
                pattern = key;
            }

            (tile.Count0, tile.Count1) = (count0, count1);

            // The tile's base is the tap-free position: for an output depth whose own input plane lies past the input
            // (its taps reach back to real planes) it points past the padded input and is never read itself; the taps are.
            AssertTapsWithin(b0, taps0, count0, scratch.Padded, p.PaddedInputLength);
            AssertTapsWithin(b0 + second, taps0, count0, scratch.Padded, p.PaddedInputLength);
            AssertTapsWithin(b0, taps1, count1, scratch.Padded, p.PaddedInputLength);

            // Bring in the output lines of the next tile while this one computes (its stores would otherwise wait on
            // each line's fetch).
            PhaseTile next = PhaseSlots(s + 2, slots, perRow, v, p.SH, qh);
            if (s + 2 < slots)
            {
                PrefetchPhaseTile<TSimd, TVector, T>(unit, p, od, next);
            }

            for (int panel = 0; panel < panels; panel++)
            {
                // A last panel of four channels or fewer (16 channels in tiles of 6) skips the rows it does not store.
                int live = Math.Min(mr, p.CoutG - (panel * mr));
                if (live > 4)
                {
                    PhaseColumns<TSimd, TVector, T, AllRows>(a0 + (panel * panel0), a1 + (panel * panel1), b0, second, tile, taps0, taps1, p, scratch.Tiles, odd);
                }
                else
                {
                    PhaseColumns<TSimd, TVector, T, FourRows>(a0 + (panel * panel0), a1 + (panel * panel1), b0, second, tile, taps0, taps1, p, scratch.Tiles, odd);
                }

                StorePhaseTile<TSimd, TVector, T>(unit, p, od, tile, panel * mr, live, scratch.Tiles);
            }

            tile = next;
        }

        // Rows past the input's reach (output padding beyond the end padding) and columns past it are the bias alone.
        if (unit.ReachH < p.OH || unit.ReachW < p.OW)
        {
            for (int mh = 0; mh < rows; mh++)
            {
                FillPhaseRows(unit, p, od, qh, mh, mh + 1, (p.SH * mh) + qh >= unit.ReachH ? 0 : unit.ReachW);
            }
        }
    }

    /// <summary>Debug builds: the first element every tap of a tile reads lies in the padded input.</summary>
    [Conditional("DEBUG")]
    private static void AssertTapsWithin<T>(T* b0, nint* taps, int count, T* padded, long length)
        where T : unmanaged
    {
        for (int i = 0; i < count; i++)
        {
            Debug.Assert(Bounds.Within(b0 + taps[(2 * i) + 1], 1, padded, length), "tile's tap outside the padded input");
        }
    }

    /// <summary>One tile and panel: the chains of column phase 0 into <paramref name="even"/> and (stride 2) phase 1 into <paramref name="odd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PhaseColumns<TSimd, TVector, T, TRows>(T* a0, T* a1, T* b0, nint second, in PhaseTile tile, nint* taps0, nint* taps1, in Plan p, T* even, T* odd)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ITileRows
    {
        TileTaps<TSimd, TVector, T, TRows>(a0, b0, second, taps0, tile.Count0, p.CinG, p.PaddedWidth, even);
        if (p.SW == 2)
        {
            TileTaps<TSimd, TVector, T, TRows>(a1, b0, second, taps1, tile.Count1, p.CinG, p.PaddedWidth, odd);
        }
    }

    /// <summary>Fills columns <c>[from, OW)</c> of rows <c>oh = sH*mh + qh</c>, <c>mh</c> in <c>[first, end)</c>, of plane <c>od</c> of every channel with its bias.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillPhaseRows<T>(in PhaseUnit<T> unit, in Plan p, int od, int qh, int first, int end, long from)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int mh = first; mh < end; mh++)
        {
            int oh = (p.SH * mh) + qh;
            for (int co = 0; co < p.CoutG; co++)
            {
                T* row = unit.Output + ((nint)co * p.OutVolume) + ((((nint)od * p.OH) + oh) * p.OW);
                Debug.Assert(oh < p.OH && from <= p.OW && Bounds.Within(row, p.OW, unit.Output, p.CoutG * (long)p.OutVolume), "bias row outside the item's output");
                new Span<T>(row + (nint)from, (int)(p.OW - from)).Fill(unit.Bias == null ? T.Zero : unit.Bias[co]);
            }
        }
    }

    /// <summary>
    /// The tile of slots <c>s</c>, <c>s + 1</c> (slot <c>s</c> is row <c>s / perRow</c>, phase columns from
    /// <c>(s % perRow) * Count</c>); the second of an odd last tile repeats the first (computed, never stored).
    /// </summary>
    private static PhaseTile PhaseSlots(long s, long slots, int perRow, int v, int sh, int qh)
    {
        bool pair = s + 1 < slots;
        long t = pair ? s + 1 : s;
        int mh0 = (int)(s / perRow), mh1 = (int)(t / perRow);
        return new PhaseTile { Row0 = (sh * mh0) + qh, Row1 = (sh * mh1) + qh, Column0 = (int)(s % perRow) * v, Column1 = (int)(t % perRow) * v, Pair = pair };
    }

    /// <summary>Prefetches the output runs a tile's stores will write (every channel of the item).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchPhaseTile<TSimd, TVector, T>(in PhaseUnit<T> unit, in Plan p, int od, in PhaseTile tile)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // Output columns [sW*mw, sW*(mw + Count)) of each slot's row: the first and last line of the run (at most two
        // lines at 512 bits and stride 2 when aligned, three otherwise: a hint either way).
        nint run = (nint)p.SW * TSimd.Count * sizeof(T);
        byte* first = (byte*)(unit.Output + ((((nint)od * p.OH) + tile.Row0) * p.OW) + (p.SW * tile.Column0));
        byte* other = (byte*)(unit.Output + ((((nint)od * p.OH) + tile.Row1) * p.OW) + (p.SW * tile.Column1));
        nint plane = p.OutVolume * sizeof(T);
        for (int co = 0; co < p.CoutG; co++, first += plane, other += plane)
        {
            Sse.Prefetch0(first);
            Sse.Prefetch0(first + run - 1);
            Sse.Prefetch0(other);
            Sse.Prefetch0(other + run - 1);
        }
    }

    /// <summary>A tile's two slots: output rows and first phase columns (<c>mw</c>), whether the second is real, and each column phase's tap count.</summary>
    private struct PhaseTile
    {
        public int Row0, Row1, Column0, Column1, Count0, Count1;
        public bool Pair;
    }

    /// <summary>
    /// Which row taps of <paramref name="ah"/> reach the input from row <paramref name="mh0"/> or <paramref name="mh1"/>,
    /// one bit each (<see cref="ulong.MaxValue"/>, never a pattern of fewer than 64 taps, past 63 taps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong RowTapPattern(in PhaseAxis ah, int mh0, int mh1, int h)
    {
        if (ah.Taps > 63)
        {
            return ulong.MaxValue;
        }

        ulong bits = 0;
        for (int th = 0; th < ah.Taps; th++)
        {
            long ch = ah.Base - th;
            if ((ulong)(mh0 + ch) < (ulong)h || (ulong)(mh1 + ch) < (ulong)h)
            {
                bits |= 1UL << th;
            }
        }

        return bits;
    }

    /// <summary>
    /// Lists the taps of phase <c>(ad, ah, aw)</c> that a tile of rows <paramref name="mh0"/> and <paramref name="mh1"/>
    /// of phase plane <paramref name="md"/> needs, as pairs (offset in the phase's A panel, offset in the padded input
    /// from the tile's slot): a tap whose input plane is outside the input is skipped, and so is one whose input row is
    /// outside it for both rows (otherwise the row that misses reads a zero margin row). Returns the count.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int PhaseTapList(in Plan p, in PhaseAxis ad, in PhaseAxis ah, in PhaseAxis aw, int md, int mh0, int mh1, int mr, nint rowStride, nint planeStride, nint* taps)
    {
        int count = 0;
        for (int td = 0; td < ad.Taps; td++)
        {
            long cd = ad.Base - td;
            if ((ulong)(md + cd) >= (ulong)p.D)
            {
                continue;
            }

            for (int th = 0; th < ah.Taps; th++)
            {
                long ch = ah.Base - th;
                if ((ulong)(mh0 + ch) >= (ulong)p.H && (ulong)(mh1 + ch) >= (ulong)p.H)
                {
                    continue;
                }

                for (int tw = 0; tw < aw.Taps; tw++)
                {
                    Debug.Assert(count < p.MaxPhaseTaps, "more taps than the tap table holds");
                    int tap = (((td * ah.Taps) + th) * aw.Taps) + tw;
                    taps[2 * count] = (nint)tap * p.CinG * mr;
                    taps[(2 * count) + 1] = ((nint)cd * planeStride) + ((nint)ch * rowStride) + (nint)(aw.Base - tw);
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>
    /// The phase micro-kernel: a <see cref="TileRows{TSimd, TVector, T}"/> x (2 vectors) tile, vector 0 from
    /// <paramref name="b"/> and vector 1 from <c>b + second</c>, one multiply-add chain per element from +0 over
    /// <paramref name="count"/> taps (pairs of A and B offsets) of <paramref name="cin"/> channels each
    /// (<paramref name="channelStride"/> apart in B), stored to <paramref name="c"/> (rows <c>2*Count</c> apart).
    /// The same register budget and chain as <see cref="Tile{TSimd, TVector, T}"/>; B comes straight from the padded input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // kernels: skip tier-0, which is ~50x slower here
    private static void TileTaps<TSimd, TVector, T, TRows>(T* a, T* b, nint second, nint* taps, int count, int cin, nint channelStride, T* c)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRows : struct, ITileRows
    {
        nint v = TSimd.Count;
        bool eight = TileRows<TSimd, TVector, T>() == 8 && !TRows.Four;
        bool six = !TRows.Four;
        TVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = TSimd.Zero;
        nint step = TileRows<TSimd, TVector, T>();
        for (int t = 0; t < count; t++)
        {
            T* pa = a + taps[2 * t];
            T* pb = b + taps[(2 * t) + 1];
            for (int i = 0; i < cin; i++)
            {
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

                pa += step;
                pb += channelStride;
            }
        }

        nint ldc = 2 * v;
        TSimd.Store(c00, c); TSimd.Store(c01, c + v);
        TSimd.Store(c10, c + ldc); TSimd.Store(c11, c + ldc + v);
        TSimd.Store(c20, c + (2 * ldc)); TSimd.Store(c21, c + (2 * ldc) + v);
        TSimd.Store(c30, c + (3 * ldc)); TSimd.Store(c31, c + (3 * ldc) + v);
        if (six)
        {
            TSimd.Store(c40, c + (4 * ldc)); TSimd.Store(c41, c + (4 * ldc) + v);
            TSimd.Store(c50, c + (5 * ldc)); TSimd.Store(c51, c + (5 * ldc) + v);
        }

        if (eight)
        {
            TSimd.Store(c60, c + (6 * ldc)); TSimd.Store(c61, c + (6 * ldc) + v);
            TSimd.Store(c70, c + (7 * ldc)); TSimd.Store(c71, c + (7 * ldc) + v);
        }
    }

    /// <summary>Which rows of its tile <see cref="TileTaps{TSimd, TVector, T, TRows}"/> computes.</summary>
    private interface ITileRows
    {
        /// <summary>Rows 0-3 only (a last panel of at most four channels); else every row of the tile height.</summary>
        static abstract bool Four { get; }
    }

    /// <summary>Every row of the tile height.</summary>
    private readonly struct AllRows : ITileRows
    {
        public static bool Four => false;
    }

    /// <summary>Rows 0-3 (the A panel keeps its full height; rows 4 and up are neither computed nor stored).</summary>
    private readonly struct FourRows : ITileRows
    {
        public static bool Four => true;
    }

    /// <summary>
    /// Writes rows <c>[0, live)</c> of the tiles (output channels from <paramref name="co0"/>) to the output with the
    /// bias: at stride 2 the even and odd column phases interleave into output columns <c>2*mw</c>, <c>2*mw + 1</c>;
    /// columns at or past <c>OW</c> are not written (masked stores).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePhaseTile<TSimd, TVector, T>(in PhaseUnit<T> unit, in Plan p, int od, in PhaseTile tile, int co0, int live, T* tiles)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count, mr = TileRows<TSimd, TVector, T>();
        nint planeAt = (nint)od * p.OH;
        for (int r = 0; r < live; r++)
        {
            int co = co0 + r;
            TVector splat = TSimd.Create(unit.Bias == null ? T.Zero : unit.Bias[co]);
            T* channel = unit.Output + ((nint)co * p.OutVolume);
            T* even = tiles + (r * 2 * v);
            StorePhaseSlot<TSimd, TVector, T>(channel + ((planeAt + tile.Row0) * p.OW), p, tile.Column0, even, even + (mr * 2 * v), splat);
            if (tile.Pair)
            {
                StorePhaseSlot<TSimd, TVector, T>(channel + ((planeAt + tile.Row1) * p.OW), p, tile.Column1, even + v, even + (mr * 2 * v) + v, splat);
            }
        }
    }

    /// <summary>One slot of one output channel: phase columns <c>[mw, mw + Count)</c> of output row <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StorePhaseSlot<TSimd, TVector, T>(T* row, in Plan p, int mw, T* even, T* odd, TVector splat)
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int v = TSimd.Count;
        TVector e = TSimd.Add(TSimd.Load(even), splat);
        if (p.SW == 1)
        {
            int live = Math.Min(v, p.OW - mw);
            Debug.Assert(live > 0, "slot past the output row");
            StoreChunk<TSimd, TVector, T>(e, row + mw, live == v, live == v ? default : TSimd.LaneMask(0, live));
            return;
        }

        TSimd.Interleave(e, TSimd.Add(TSimd.Load(odd), splat), out TVector lower, out TVector upper);
        int from = 2 * mw;
        int columns = Math.Min(2 * v, p.OW - from);
        Debug.Assert(columns > 0, "slot past the output row");
        if (columns == 2 * v)
        {
            TSimd.Store(lower, row + from);
            TSimd.Store(upper, row + from + v);
            return;
        }

        TSimd.StoreMasked(lower, row + from, TSimd.LaneMask(0, columns));
        if (columns > v)
        {
            TSimd.StoreMasked(upper, row + from + v, TSimd.LaneMask(0, columns - v));
        }
    }
}
