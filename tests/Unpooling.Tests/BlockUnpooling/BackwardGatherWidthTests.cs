using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The vectorized backward gathers at every width they have (the per-cell loop, 128, 256 and 512 bits, pinned;
/// software where the hardware lacks one), with pooled widths W at every vector boundary of the storage lanes, against
/// the oracles of <see cref="BackwardReference"/>: the fixed gather (<c>FixedUnpool2DBackward</c>'s rows, factor width 1
/// and 2, every offset, output sizes below, at and above the default), the block sum of <c>RepeatUnpool2DBackward</c>, and the argmax-unpooling gather through byte
/// switches of tiling windows (where a tap at or past <c>kH*kW</c>, a racing caller's, reads zero).
/// Inputs are read-only and flush against a no-access page, destinations too, so a vector that reads or writes past
/// its row faults; the data carry NaN payloads and -0, which must arrive bit for bit.
/// </summary>
public abstract unsafe class BackwardGatherWidthTests<T>
    where T : unmanaged, INumberBase<T>
{
    private const int Planes = 2;

    private static readonly Size2D[] FixedFactors = [new(1, 1), new(2, 2), new(3, 2), new(1, 2), new(2, 1), new(2, 3)];

    private static readonly Size2D[] DenseFactors = [new(2, 2), new(1, 2), new(3, 2), new(2, 1), new(3, 3), new(1, 1)];

    /// <summary>Storage lanes per vector (the per-cell path uses the 128-bit count).</summary>
    private static int Lanes(KernelWidth width) => Math.Max(128, KernelWidths.Bits(width)) / 8 / sizeof(T);

    [Fact]
    [Trait("Widths", "Direct")]
    public void FixedGatherEqualsTheOracleAtEveryWidth() => RowsEqualTheOracleAtEveryWidth(BlockRankOp.Fixed);

    /// <summary>The block sum (vectorized for float and double, the per-cell loop for the others) in the oracle's order.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void RepeatGatherEqualsTheOracleAtEveryWidth() => RowsEqualTheOracleAtEveryWidth(BlockRankOp.Repeat);

    private static void RowsEqualTheOracleAtEveryWidth(BlockRankOp op)
    {
        bool repeat = op == BlockRankOp.Repeat;
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (int w in KernelWidths.BoundaryWidths(Lanes(width)))
            {
                const int h = 3;
                foreach (Size2D k in FixedFactors)
                {
                    var full = new Size2D(h * k.Height, w * k.Width);
                    foreach (Size2D output in new[] { full, new Size2D(full.Height - k.Height + 1, full.Width - k.Width + 1), new Size2D(full.Height + k.Height - 1, full.Width + k.Width - 1) }.Distinct())
                    {
                        foreach (Size2D offset in (repeat ? new[] { default(Size2D) } : new[] { new Size2D(0, 0), new Size2D(k.Height - 1, k.Width - 1) }).Distinct())
                        {
                            T[] dy = Data(Planes * output.Height * output.Width, w + k.Width);
                            T[] expected = BackwardReference.BlockBackward(
                                dy, Planes, (1, h, w), (1, output.Height, output.Width), (1, k.Height, k.Width), repeat, (_, _, _, _) => (0, offset.Height, offset.Width));
                            string context = $"{typeof(T).Name} {op} {width} W {w} factor {k} offset {offset} output {output}";
                            T[] actual = GuardedPages.Run<T>(expected.Length, (d, side) =>
                            {
                                using GuardedInput<T> g = GuardedPages.Input<T>(dy, side);
                                var shape = new Shape5D(1, Planes, 1, h, w);
                                BlockKernel.Gather(op, g.Pointer, d, shape, new Size3D(1, output.Height, output.Width), new Size3D(1, k.Height, k.Width), new Size3D(0, offset.Height, offset.Width), 0, 1, KernelWidths.Bits(width));
                            }, context);
                            ElementData.Exact<T>(expected, actual, context);
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Planes tall and deep enough that the fixed and repeat rows walk their coordinates across depth and plane
    /// boundaries and the fixed gather prefetches rows ahead (output heights past <c>8 * KH</c> rows), with a depth
    /// factor of 1 and 2 (every other output depth read).
    /// </summary>
    [Theory]
    [Trait("Widths", "Direct")]
    [InlineData(false)]
    [InlineData(true)]
    public void DeepPlanesEqualTheOracleAtEveryWidth(bool repeat)
    {
        BlockRankOp op = repeat ? BlockRankOp.Repeat : BlockRankOp.Fixed;
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (int w in new[] { Lanes(width) - 1, Lanes(width) + 1, (3 * Lanes(width)) + 2 })
            {
                const int d = 3, h = 19;
                foreach (Size3D k in new[] { new Size3D(1, 2, 2), new Size3D(2, 2, 1), new Size3D(1, 1, 2) })
                {
                    var output = new Size3D(d * k.Depth, (h * k.Height) - 1, w * k.Width);
                    var offset = repeat ? default : new Size3D(k.Depth - 1, k.Height - 1, 0);
                    T[] dy = Data(Planes * output.Depth * output.Height * output.Width, w + k.Height);
                    T[] expected = BackwardReference.BlockBackward(
                        dy, Planes, (d, h, w), (output.Depth, output.Height, output.Width), (k.Depth, k.Height, k.Width), repeat, (_, _, _, _) => (offset.Depth, offset.Height, offset.Width));
                    string context = $"{typeof(T).Name} {op} {width} W {w} factor {k} offset {offset} output {output}";
                    T[] actual = GuardedPages.Run<T>(expected.Length, (r, side) =>
                    {
                        using GuardedInput<T> g = GuardedPages.Input<T>(dy, side);
                        BlockKernel.Gather(op, g.Pointer, r, new Shape5D(1, Planes, d, h, w), output, k, offset, 0, 1, KernelWidths.Bits(width));
                    }, context);
                    ElementData.Exact<T>(expected, actual, context);
                }
            }
        }
    }

    [Fact]
    [Trait("Widths", "Direct")]
    public void TapGatherEqualsTheOracleAtEveryWidth()
    {
        var random = new Random(14);
        foreach (KernelWidth width in KernelWidths.All)
        {
            // Two rows per plane, and planes taller than the gather's prefetch distance (8 rows), which it walks across.
            foreach ((int w, int h) in KernelWidths.BoundaryWidths(Lanes(width)).Select(w => (w, 2)).Append((Lanes(width) + 3, 12)))
            {
                foreach (Size2D k in DenseFactors)
                {
                    var full = new Size2D(h * k.Height, w * k.Width);
                    foreach (Size2D output in new[] { full, new Size2D(full.Height + k.Height - 1, full.Width + k.Width - 1) }.Distinct())
                    {
                        long outPlane = (long)output.Height * output.Width, inPlane = (long)h * w;
                        T[] dy = Data((int)(Planes * outPlane), w * k.Height);
                        var indices = new long[Planes * inPlane];
                        var taps = new byte[indices.Length];
                        for (int p = 0; p < indices.Length; p++)
                        {
                            long i = p % inPlane / w, j = p % w;
                            int a = random.Next(k.Height), b = random.Next(k.Width);
                            taps[p] = (byte)((a * k.Width) + b);
                            indices[p] = (((i * k.Height) + a) * output.Width) + (j * k.Width) + b;
                        }

                        T[] expected = BackwardReference.Gather(dy, indices, Planes, inPlane, outPlane);
                        string context = $"{typeof(T).Name} taps {width} W {w} factor {k} output {output}";
                        T[] actual = GuardedPages.Run<T>(expected.Length, (d, side) =>
                        {
                            using GuardedInput<T> g = GuardedPages.Input<T>(dy, side);
                            using GuardedInput<byte> t = GuardedPages.Input<byte>(taps, side);
                            BlockKernel.GatherTaps(g.Pointer, t.Pointer, d, Planes, new Size2D(h, w), output, k, 1, KernelWidths.Bits(width));
                        }, context);
                        ElementData.Exact<T>(expected, actual, context);

                        // One tap past the window's taps (a racing caller's, after validation) reads zero.
                        int changed = random.Next(taps.Length);
                        taps[changed] = (byte)(k.Height * k.Width);
                        expected[changed] = T.Zero;
                        actual = GuardedPages.Run<T>(expected.Length, (d, side) =>
                        {
                            using GuardedInput<T> g = GuardedPages.Input<T>(dy, side);
                            using GuardedInput<byte> t = GuardedPages.Input<byte>(taps, side);
                            BlockKernel.GatherTaps(g.Pointer, t.Pointer, d, Planes, new Size2D(h, w), output, k, 1, KernelWidths.Bits(width));
                        }, context + ", a tap changed");
                        ElementData.Exact<T>(expected, actual, context + ", a tap changed");
                    }
                }
            }
        }
    }

    /// <summary>Distinct values of the element type with, where it has them, -0 and NaN payloads (bits that must move unchanged).</summary>
    private static T[] Data(int length, int seed)
    {
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = T.CreateTruncating(((i * 7) + seed) % 120 + 1);
        }

        if (typeof(T) == typeof(float) && length > 2)
        {
            MemoryMarshal.Cast<T, uint>(data.AsSpan())[1] = 0x7F80_0001; // a signalling NaN
            MemoryMarshal.Cast<T, uint>(data.AsSpan())[length - 1] = 0x8000_0000; // -0
        }
        else if (typeof(T) == typeof(double) && length > 2)
        {
            MemoryMarshal.Cast<T, ulong>(data.AsSpan())[1] = 0x7FF0_0000_0000_0001;
            MemoryMarshal.Cast<T, ulong>(data.AsSpan())[length - 1] = 0x8000_0000_0000_0000;
        }

        return data;
    }
}

public sealed class BackwardGatherWidthFloatTests : BackwardGatherWidthTests<float>;

public sealed class BackwardGatherWidthDoubleTests : BackwardGatherWidthTests<double>;

public sealed class BackwardGatherWidthInt32Tests : BackwardGatherWidthTests<int>;

public sealed class BackwardGatherWidthInt64Tests : BackwardGatherWidthTests<long>;

public sealed class BackwardGatherWidthHalfTests : BackwardGatherWidthTests<Half>;
