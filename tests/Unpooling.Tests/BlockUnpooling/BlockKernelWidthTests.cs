using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The block kernel at every width it has (the per-cell path and the 128/256/512-bit instantiations, pinned), for each
/// of its operators (fixed with offsets, random with seeds, repeat, zero insertion, dense argmax unpooling, in-window
/// taps), factors 1x1, 2x2, 2x3, 3x2 and 4x4, and input widths at every vector boundary in storage lanes (0, 1,
/// Count-1, Count, Count+1, 2*Count+1, 8*Count+7), against the plain oracles, with inputs read-only on guarded pages and
/// destinations on guarded pages flush after and flush before (<see cref="GuardedPages"/>).
/// </summary>
public abstract unsafe class BlockKernelWidthTests<T>
    where T : unmanaged, INumberBase<T>, IMinMaxValue<T>
{
    private const int Planes = 2, Height = 3;

    private static readonly Size2D[] Factors = [new(1, 1), new(2, 2), new(2, 3), new(3, 2), new(4, 4)];

    private static readonly ulong[] Seeds = [0x0123456789ABCDEFUL, ulong.MaxValue];

    private delegate void Kernel(T* destination, GuardSide side);

    [Fact]
    [Trait("Widths", "Direct")]
    public void FixedEqualsTheOracleAtEveryWidth()
        => ForEachCase(Outputs, (width, factor, w, output, x) =>
        {
            foreach (Size2D offset in new Size2D[] { new(0, 0), new(factor.Height - 1, factor.Width - 1), new(factor.Height / 2, factor.Width / 2) }.Distinct())
            {
                T[] expected = UnpoolReference.Fixed(x, Planes, Height, w, factor.Height, factor.Width, offset.Height, offset.Width, output.Height, output.Width);
                Check(expected, (d, side) => Unpool(BlockUnpoolMode.Fixed, x, d, w, output, factor, offset, 0, width, side), $"fixed offset {offset}", width, factor, w, output);
            }
        });

    [Fact]
    [Trait("Widths", "Direct")]
    public void RandomEqualsTheOracleAtEveryWidth()
        => ForEachCase(Outputs, (width, factor, w, output, x) =>
        {
            foreach (ulong seed in Seeds)
            {
                T[] expected = UnpoolReference.Random(x, Planes, Height, w, factor.Height, factor.Width, seed, output.Height, output.Width);
                Check(expected, (d, side) => Unpool(BlockUnpoolMode.Random, x, d, w, output, factor, default, seed, width, side), $"random seed {seed:X}", width, factor, w, output);
            }
        });

    [Fact]
    [Trait("Widths", "Direct")]
    public void RepeatEqualsTheOracleAtEveryWidth()
        => ForEachCase(Outputs, (width, factor, w, output, x) =>
        {
            T[] expected = UnpoolReference.Repeat(x, Planes, Height, w, factor.Height, factor.Width, output.Height, output.Width);
            Check(expected, (d, side) => Unpool(BlockUnpoolMode.Repeat, x, d, w, output, factor, default, 0, width, side), "repeat", width, factor, w, output);
        });

    [Fact]
    [Trait("Widths", "Direct")]
    public void ZeroInsertEqualsTheOracleAtEveryWidth()
        => ForEachCase(
            (w, factor) => w == 0 ? [] : [new Size2D(((Height - 1) * factor.Height) + 1, ((w - 1) * factor.Width) + 1)],
            (width, factor, w, output, x) =>
            {
                T[] expected = UnpoolReference.ZeroInsert(x, Planes, Height, w, factor.Height, factor.Width);
                Check(expected, (d, side) =>
                {
                    using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
                    BlockKernel.ZeroInsert(s.Pointer, d, Planes, new Size2D(Height, w), output, factor, 1, KernelWidths.Bits(width));
                }, "zero insertion", width, factor, w, output);
            });

    /// <summary>Per-plane indices each inside its own block, 64- and 32-bit, into the default output and the largest.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void DenseArgmaxUnpoolingEqualsTheOracleAtEveryWidth()
        => ForEachCase(DenseOutputs, (width, factor, w, output, x) =>
        {
            long[] indices = BlockIndices(w, factor, output, w * 31 + factor.Width);
            T[] expected = UnpoolReference.MaxUnpool(x, indices, Planes, Height, w, output.Height, output.Width, sum: false);
            Check(expected, (d, side) => Dense(x, indices, d, w, output, factor, width, side, expectDense: true), "dense long", width, factor, w, output);
            int[] narrow = TestData.Convert<int>(indices);
            Check(expected, (d, side) => Dense(x, narrow, d, w, output, factor, width, side, expectDense: true), "dense int", width, factor, w, output);
        });

    /// <summary>
    /// Every operator above with the streaming path forced (each block row built in the staging run and copied out with
    /// plain stores to the destination's first line boundary, streaming stores for the whole lines, plain stores after
    /// the last; unforced, only destinations of 16 MiB or more take it): the oracles' bits, and no byte written outside
    /// the destination, whose ends sit flush against no-access pages. The widths here put the destination's ends at
    /// every offset within a line.
    /// </summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void EveryOperatorEqualsTheOracleWhenItStreams()
    {
        using (StreamingStore.ForceForTests())
        {
            FixedEqualsTheOracleAtEveryWidth();
            RandomEqualsTheOracleAtEveryWidth();
            RepeatEqualsTheOracleAtEveryWidth();
            ZeroInsertEqualsTheOracleAtEveryWidth();
            DenseArgmaxUnpoolingEqualsTheOracleAtEveryWidth();
            UnpoolTapsEqualsTheOracleAtEveryWidth();
            ThreadCountDoesNotChangeTapsOrDenseResults();
        }
    }

    /// <summary>An index in a neighbour's block (or past the plane) makes the dense path decline without writing.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void DenseArgmaxUnpoolingDeclinesAnIndexOutsideItsBlock()
    {
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (Size2D factor in Factors.Where(f => f.Height * f.Width > 1))
            {
                foreach (int w in InputWidths(width).Where(w => w > 0))
                {
                    var output = new Size2D(Height * factor.Height, w * factor.Width);
                    T[] x = ElementData.Values<T>(Planes * Height * w, w);
                    long[] good = BlockIndices(w, factor, output, w);
                    foreach (int at in new[] { 0, good.Length / 2, good.Length - 1 })
                    {
                        long[] indices = (long[])good.Clone();
                        indices[at] = at % 2 == 0 ? indices[at] + ((long)factor.Height * output.Width) : -1;
                        foreach (GuardSide side in GuardedPages.Sides)
                        {
                            using var buffer = new PageGuardedDestination<T>(Planes * output.Height * output.Width, side);
                            Dense(x, indices, buffer.Pointer, w, output, factor, width, side, expectDense: false);
                            buffer.AssertUntouched($"dense {width} factor {factor} w {w}, bad index at {at}, flush {side}");
                        }
                    }
                }
            }
        }
    }

    /// <summary>In-window taps (byte and 64-bit), into the default, the largest and the smallest (ceil-mode) output.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void UnpoolTapsEqualsTheOracleAtEveryWidth()
        => ForEachCase(Outputs, (width, factor, w, output, x) =>
        {
            long[] taps = ValidTaps(w, factor, output, (w * 17) + factor.Height);
            T[] expected = UnpoolReference.UnpoolTaps(x, taps, Planes, Height, w, factor.Height, factor.Width, output.Height, output.Width);
            Check(expected, (d, side) => Assert.Equal(-1, Taps(x, TestData.Convert<byte>(taps), d, w, output, factor, width, side)), "taps byte", width, factor, w, output);
            Check(expected, (d, side) => Assert.Equal(-1, Taps(x, taps, d, w, output, factor, width, side)), "taps long", width, factor, w, output);
        });

    /// <summary>
    /// A tap of <c>KH*KW</c> or more, a negative one, or one whose cell lies outside a smaller output: the first such
    /// position is returned and nothing is written.
    /// </summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void UnpoolTapsRefusesABadTapAndWritesNothing()
    {
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (Size2D factor in Factors)
            {
                foreach (int w in InputWidths(width).Where(w => w > 0))
                {
                    T[] x = ElementData.Values<T>(Planes * Height * w, w);
                    int n = Planes * Height * w, taps = factor.Height * factor.Width;
                    var full = new Size2D(Height * factor.Height, w * factor.Width);
                    long[] good = ValidTaps(w, factor, full, w + 5);

                    // Too big (and, later, a second bad tap that must not be the one reported).
                    foreach (int at in new[] { 0, n / 2, n - 1 })
                    {
                        long[] bad = (long[])good.Clone();
                        bad[at] = taps;
                        if (at + 1 < n)
                        {
                            bad[n - 1] = 255;
                        }

                        Refused(x, bad, w, full, factor, width, at, $"tap {taps} at {at}");
                        bad[at] = -1;
                        Refused(x, bad, w, full, factor, width, at, $"tap -1 at {at}");
                    }

                    // A cell outside a smaller output: the last block row and column are cut to one row and column.
                    if (factor.Height > 1 || factor.Width > 1)
                    {
                        var cut = new Size2D(full.Height - factor.Height + 1, full.Width - factor.Width + 1);
                        long[] outside = ValidTaps(w, factor, cut, w + 6);
                        int last = n - 1;
                        outside[last] = taps - 1;
                        Assert.Equal(last, UnpoolReference.FirstInvalidTap(outside, Planes, Height, w, factor.Height, factor.Width, cut.Height, cut.Width));
                        Refused(x, outside, w, cut, factor, width, last, "a cell outside the smaller output");
                    }
                }
            }
        }
    }

    /// <summary>The dispatched widths on 1, 2, 3 and 8 threads: the oracle's result for taps and the dense path alike.</summary>
    [Fact]
    public void ThreadCountDoesNotChangeTapsOrDenseResults()
    {
        const int planes = 10, h = 9, w = 37;
        T[] x = ElementData.Values<T>(planes * h * w, 91);
        foreach (Size2D factor in new Size2D[] { new(2, 2), new(3, 2), new(4, 4) })
        {
            var output = new Size2D(h * factor.Height, w * factor.Width);
            var random = new Random(factor.Height);
            long[] taps = Enumerable.Range(0, planes * h * w).Select(_ => (long)random.Next(factor.Height * factor.Width)).ToArray();
            byte[] byteTaps = TestData.Convert<byte>(taps);
            long[] indices = Enumerable.Range(0, taps.Length)
                .Select(at => ((((at / w % h) * (long)factor.Height) + (taps[at] / factor.Width)) * output.Width) + ((at % w) * (long)factor.Width) + (taps[at] % factor.Width))
                .ToArray();
            T[] expected = UnpoolReference.UnpoolTaps(x, taps, planes, h, w, factor.Height, factor.Width, output.Height, output.Width);
            Assert.True(
                MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(UnpoolReference.MaxUnpool(x, indices, planes, h, w, output.Height, output.Width, sum: false).AsSpan())),
                "the two oracles disagree on in-window indices");
            foreach (int degree in ElementData.ThreadCounts)
            {
                foreach (GuardSide side in GuardedPages.Sides)
                {
                    string context = $"{typeof(T).Name} factor {factor} degree {degree} flush {side}";
                    using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
                    using GuardedInput<byte> t = GuardedPages.Input<byte>(byteTaps, side);
                    using GuardedInput<long> i = GuardedPages.Input<long>(indices, side);
                    using (var buffer = new PageGuardedDestination<T>(expected.Length, side))
                    {
                        Assert.Equal(-1, BlockKernel.UnpoolTaps(s.Pointer, t.Pointer, buffer.Pointer, planes, new Size2D(h, w), output, factor, degree));
                        buffer.AssertGuardsIntact(context);
                        ElementData.Exact<T>(expected, buffer.ToArray(), $"{context}, taps");
                    }

                    using (var buffer = new PageGuardedDestination<T>(expected.Length, side))
                    {
                        Assert.True(BlockKernel.TryUnpoolDense(s.Pointer, i.Pointer, buffer.Pointer, planes, new Size2D(h, w), output, factor, degree), $"{context}: dense path declined");
                        buffer.AssertGuardsIntact(context);
                        ElementData.Exact<T>(expected, buffer.ToArray(), $"{context}, dense");
                    }
                }
            }
        }
    }

    private static void Refused(T[] x, long[] taps, int w, Size2D output, Size2D factor, KernelWidth width, long at, string what)
    {
        Assert.Equal(at, UnpoolReference.FirstInvalidTap(taps, Planes, Height, w, factor.Height, factor.Width, output.Height, output.Width));
        foreach (GuardSide side in GuardedPages.Sides)
        {
            string context = $"{typeof(T).Name} taps {width} factor {factor} w {w} output {output} flush {side}: {what}";
            using var buffer = new PageGuardedDestination<T>(Planes * output.Height * output.Width, side);
            T* d = buffer.Pointer;
            Assert.True(at == Taps(x, taps, d, w, output, factor, width, side), $"{context}: wrong position.");
            if (taps.All(t => t is >= 0 and <= 255))
            {
                Assert.True(at == Taps(x, TestData.Convert<byte>(taps), d, w, output, factor, width, side), $"{context}: wrong position (byte taps).");
            }

            if (taps.All(t => t is >= sbyte.MinValue and <= sbyte.MaxValue))
            {
                Assert.True(at == Taps(x, TestData.Convert<sbyte>(taps), d, w, output, factor, width, side), $"{context}: wrong position (sbyte taps).");
            }

            buffer.AssertUntouched(context);
        }
    }

    /// <summary>Runs <paramref name="body"/> for every width, factor and boundary input width, and each of its output sizes.</summary>
    private static void ForEachCase(Func<int, Size2D, IEnumerable<Size2D>> outputs, Action<KernelWidth, Size2D, int, Size2D, T[]> body)
    {
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (Size2D factor in Factors)
            {
                foreach (int w in InputWidths(width))
                {
                    T[] x = ElementData.Values<T>(Planes * Height * w, (w * 7) + factor.Height);
                    foreach (Size2D output in outputs(w, factor))
                    {
                        body(width, factor, w, output, x);
                    }
                }
            }
        }
    }

    /// <summary>Storage lanes of <typeparamref name="T"/> per vector (the scalar path uses the 128-bit count).</summary>
    private static int Lanes(KernelWidth width)
        => Math.Max(1, (width switch { KernelWidth.V256 => 32, KernelWidth.V512 => 64, _ => 16 }) / Unsafe.SizeOf<T>());

    private static int[] InputWidths(KernelWidth width)
    {
        int c = Lanes(width);
        return new[] { 0, 1, c - 1, c, c + 1, (2 * c) + 1, (8 * c) + 7 }.Where(w => w >= 0).Distinct().ToArray();
    }

    /// <summary>Per axis the default <c>n*k</c>, and both ends of the range: <c>n*k - k + 1</c> and <c>n*k + k - 1</c> (at least 0).</summary>
    private static IEnumerable<Size2D> Outputs(int w, Size2D f)
    {
        int h = Height * f.Height, ow = w * f.Width;
        return new Size2D[] { new(h, ow), new(h - f.Height + 1, Math.Max(0, ow - f.Width + 1)), new(h + f.Height - 1, ow + f.Width - 1), new(h, ow + f.Width - 1) }.Distinct();
    }

    /// <summary>Outputs that hold every block (the dense path's precondition): the default and the largest.</summary>
    private static IEnumerable<Size2D> DenseOutputs(int w, Size2D f)
        => new Size2D[] { new(Height * f.Height, w * f.Width), new((Height * f.Height) + f.Height - 1, (w * f.Width) + f.Width - 1) }.Distinct();

    /// <summary>Per-plane indices of a random cell of each input cell's own block.</summary>
    private static long[] BlockIndices(int w, Size2D f, Size2D output, int seed)
    {
        var random = new Random(seed);
        var indices = new long[Planes * Height * w];
        for (int at = 0; at < indices.Length; at++)
        {
            int i = at / w % Height, j = at % w;
            indices[at] = ((((long)i * f.Height) + random.Next(f.Height)) * output.Width) + ((long)j * f.Width) + random.Next(f.Width);
        }

        return indices;
    }

    /// <summary>A random tap per cell among those whose cell lies inside <paramref name="output"/> (each block has one).</summary>
    private static long[] ValidTaps(int w, Size2D f, Size2D output, int seed)
    {
        var random = new Random(seed);
        var taps = new long[Planes * Height * w];
        for (int at = 0; at < taps.Length; at++)
        {
            int i = at / w % Height, j = at % w;
            int rows = Math.Min(f.Height, output.Height - (i * f.Height)), columns = Math.Min(f.Width, output.Width - (j * f.Width));
            taps[at] = rows < 1 || columns < 1 ? 0 : (random.Next(rows) * (long)f.Width) + random.Next(columns);
        }

        return taps;
    }

    /// <summary>The inputs of the calls below are read-only copies on guarded pages, flush on <paramref name="side"/>.</summary>
    private static void Unpool(BlockUnpoolMode mode, T[] x, T* d, int w, Size2D output, Size2D factor, Size2D offset, ulong seed, KernelWidth width, GuardSide side)
    {
        using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
        BlockKernel.Unpool(mode, s.Pointer, d, Planes, new Size2D(Height, w), output, factor, offset, seed, 1, KernelWidths.Bits(width));
    }

    private static void Dense<TIndex>(T[] x, TIndex[] indices, T* d, int w, Size2D output, Size2D factor, KernelWidth width, GuardSide side, bool expectDense)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
        using GuardedInput<TIndex> i = GuardedPages.Input<TIndex>(indices, side);
        bool dense = BlockKernel.TryUnpoolDense(s.Pointer, i.Pointer, d, Planes, new Size2D(Height, w), output, factor, 1, KernelWidths.Bits(width));
        Assert.True(dense == expectDense, $"dense path {(dense ? "taken" : "declined")} for {typeof(TIndex).Name} indices, factor {factor}, w {w}, flush {side}.");
    }

    private static long Taps<TIndex>(T[] x, TIndex[] taps, T* d, int w, Size2D output, Size2D factor, KernelWidth width, GuardSide side)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
        using GuardedInput<TIndex> t = GuardedPages.Input<TIndex>(taps, side);
        return BlockKernel.UnpoolTaps(s.Pointer, t.Pointer, d, Planes, new Size2D(Height, w), output, factor, 1, KernelWidths.Bits(width));
    }

    /// <summary>Runs <paramref name="kernel"/> into a page-guarded destination in both placements and compares with <paramref name="expected"/>.</summary>
    private static void Check(T[] expected, Kernel kernel, string what, KernelWidth width, Size2D factor, int w, Size2D output)
    {
        foreach (GuardSide side in GuardedPages.Sides)
        {
            string context = $"{typeof(T).Name} {what} {width} factor {factor} w {w} output {output} flush {side}";
            using var buffer = new PageGuardedDestination<T>(expected.Length, side);
            kernel(buffer.Pointer, side);
            buffer.AssertGuardsIntact(context);
            T[] actual = buffer.ToArray();
            if (!MemoryMarshal.AsBytes(expected.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan())))
            {
                ElementData.Exact<T>(expected, actual, context);
            }
        }
    }
}

public sealed class BlockKernelWidthTestsSingle : BlockKernelWidthTests<float>;

public sealed class BlockKernelWidthTestsDouble : BlockKernelWidthTests<double>;

public sealed class BlockKernelWidthTestsHalf : BlockKernelWidthTests<Half>;

public sealed class BlockKernelWidthTestsSByte : BlockKernelWidthTests<sbyte>;

public sealed class BlockKernelWidthTestsByte : BlockKernelWidthTests<byte>;

public sealed class BlockKernelWidthTestsInt16 : BlockKernelWidthTests<short>;

public sealed class BlockKernelWidthTestsInt32 : BlockKernelWidthTests<int>;

/// <summary>A type with no vector path (16 bytes): every width runs per cell.</summary>
public sealed class BlockKernelWidthTestsDecimal : BlockKernelWidthTests<decimal>;
