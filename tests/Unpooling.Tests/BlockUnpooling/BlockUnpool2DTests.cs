using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// FixedUnpool2D, RepeatUnpool2D and RandomUnpool2D against the oracles (SEMANTICS.md 3): factors 1-4 per axis, every
/// offset, default and explicit sizes at both ends of the range, the kernel at every width on vector boundaries, and
/// the documented random-offset formula.
/// </summary>
public abstract class BlockUnpool2DTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly ulong[] Seeds = [0, 1, 0xDEADBEEFCAFEF00DUL, ulong.MaxValue];

    [Fact]
    public void FixedMatchesReferenceForEveryFactorOffsetAndSize()
    {
        var shape = new Shape4D(2, 3, 3, 5);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 1);
        foreach ((Size2D factor, Size2D output) in FactorsAndSizes(shape))
        {
            for (int ah = 0; ah < factor.Height; ah++)
            {
                for (int aw = 0; aw < factor.Width; aw++)
                {
                    var offset = new Size2D(ah, aw);
                    T[] expected = UnpoolReference.Fixed(x, 6, 3, 5, factor.Height, factor.Width, ah, aw, output.Height, output.Width);
                    string context = $"fixed {typeof(T).Name} {shape} factor {factor} offset {offset} output {output}";
                    T[] y = Guarded.Run<T>(expected.Length, d => Functional.FixedUnpool2D(x, shape, factor, d, offset, output), context);
                    BitAssert.Equal<T>(expected, y, context);
                }
            }
        }
    }

    [Fact]
    public void FixedWithDefaultsPlacesEachValueAtTheUpperLeftCorner()
    {
        var shape = new Shape4D(1, 1, 2, 2);
        T[] x = [T.One, T.CreateChecked(2), T.CreateChecked(3), T.CreateChecked(4)];
        T[] y = Guarded.Run<T>(16, d => Functional.FixedUnpool2D(x, shape, 2, d), "fixed 2x2 defaults");
        T o = T.Zero, a = x[0], b = x[1], c = x[2], e = x[3];
        BitAssert.Equal<T>([a, o, b, o, o, o, o, o, c, o, e, o, o, o, o, o], y, "fixed 2x2 defaults, worked by hand");
    }

    [Fact]
    public void RepeatMatchesReferenceForEveryFactorAndSize()
    {
        var shape = new Shape4D(2, 3, 3, 5);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 2);
        foreach ((Size2D factor, Size2D output) in FactorsAndSizes(shape))
        {
            T[] expected = UnpoolReference.Repeat(x, 6, 3, 5, factor.Height, factor.Width, output.Height, output.Width);
            string context = $"repeat {typeof(T).Name} {shape} factor {factor} output {output}";
            T[] y = Guarded.Run<T>(expected.Length, d => Functional.RepeatUnpool2D(x, shape, factor, d, output), context);
            BitAssert.Equal<T>(expected, y, context);
        }
    }

    [Fact]
    public void RepeatWorkedByHand()
    {
        var shape = new Shape4D(1, 1, 1, 2);
        T a = T.CreateChecked(5), b = TestData.NaN<T>(3), o = T.Zero;
        T[] y = Guarded.Run<T>(2 * 5, d => Functional.RepeatUnpool2D([a, b], shape, new Size2D(2, 2), d, new Size2D(2, 5)), "repeat by hand");
        BitAssert.Equal<T>([a, a, b, b, o, a, a, b, b, o], y, "repeat 1x2 by 2x2 into 2x5: the fifth column is outside every block");
    }

    [Fact]
    public void RandomMatchesTheDocumentedFormula()
    {
        var shape = new Shape4D(2, 3, 4, 7);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 3);
        foreach ((Size2D factor, Size2D output) in FactorsAndSizes(shape))
        {
            foreach (ulong seed in Seeds)
            {
                T[] expected = UnpoolReference.Random(x, 6, 4, 7, factor.Height, factor.Width, seed, output.Height, output.Width);
                string context = $"random {typeof(T).Name} {shape} factor {factor} seed {seed} output {output}";
                T[] y = Guarded.Run<T>(expected.Length, d => Functional.RandomUnpool2D(x, shape, factor, seed, d, output), context);
                BitAssert.Equal<T>(expected, y, context);
            }
        }
    }

    /// <summary>The oracle's formula itself: offsets stay inside the block and every offset occurs.</summary>
    [Fact]
    public void ReferenceRandomOffsetsCoverTheBlock()
    {
        var seen = new HashSet<(int, int)>();
        for (int b = 0; b < 4000; b++)
        {
            (int h, int w) = UnpoolReference.RandomOffset(42, b / 100, b / 10 % 10, b % 10, 10, 10, 3, 4);
            Assert.InRange(h, 0, 2);
            Assert.InRange(w, 0, 3);
            seen.Add((h, w));
        }

        Assert.Equal(12, seen.Count);
    }

    [Fact]
    public void RandomSameSeedSameOutputDifferentSeedDifferentOutput()
    {
        var shape = new Shape4D(2, 4, 96, 96);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 4);
        int length = (int)shape.ElementCount * 4;
        T[] first = Guarded.Run<T>(length, d => Functional.RandomUnpool2D(x, shape, 2, 7, d), "seed 7");
        T[] again = Guarded.Run<T>(length, d => Functional.RandomUnpool2D(x, shape, 2, 7, d), "seed 7 again");
        T[] other = Guarded.Run<T>(length, d => Functional.RandomUnpool2D(x, shape, 2, 8, d), "seed 8");
        BitAssert.Equal<T>(first, again, "same seed");
        int differing = 0;
        for (int i = 0; i < length; i++)
        {
            differing += BitAssert.Bits(first[i]) != BitAssert.Bits(other[i]) ? 1 : 0;
        }

        // Each input lands on the same one of its 4 cells under both seeds with probability 1/4.
        Assert.True(differing > length / 4, $"seeds 7 and 8 differ in only {differing} of {length} outputs");
    }

    /// <summary>The block kernel at each width, on input widths at every vector boundary, for factor widths 2 (vectorised) and 3.</summary>
    [Fact]
    public unsafe void KernelMatchesReferenceAtEveryWidth()
    {
        var random = new Random(5);
        foreach (KernelWidth width in KernelWidths.All)
        {
            foreach (int w in KernelWidths.BoundaryWidths(KernelWidths.Count<T>(width)))
            {
                var shape = new Shape4D(2, 3, 2, w);
                T[] x = TestData.NonZero<T>((int)shape.ElementCount, random.Next());
                foreach (Size2D factor in new[] { new Size2D(2, 2), new Size2D(1, 2), new Size2D(3, 2), new Size2D(2, 3), new Size2D(1, 1) })
                {
                    foreach (Size2D output in Sizes(shape, factor))
                    {
                        for (int aw = 0; aw < factor.Width; aw++)
                        {
                            var offset = new Size2D(factor.Height - 1, aw);
                            T[] fixedExpected = UnpoolReference.Fixed(x, 6, 2, w, factor.Height, factor.Width, offset.Height, aw, output.Height, output.Width);
                            CheckKernel(width, BlockUnpoolMode.Fixed, x, shape, factor, offset, 0, output, fixedExpected);
                        }

                        T[] repeatExpected = UnpoolReference.Repeat(x, 6, 2, w, factor.Height, factor.Width, output.Height, output.Width);
                        CheckKernel(width, BlockUnpoolMode.Repeat, x, shape, factor, default, 0, output, repeatExpected);
                        T[] randomExpected = UnpoolReference.Random(x, 6, 2, w, factor.Height, factor.Width, 99, output.Height, output.Width);
                        CheckKernel(width, BlockUnpoolMode.Random, x, shape, factor, default, 99, output, randomExpected);
                    }
                }
            }
        }
    }

    /// <summary>At least 65536 input elements: threaded and single-threaded results are identical for all three.</summary>
    [Fact]
    public void ThreadedResultsEqualSingleThreaded()
    {
        var shape = new Shape4D(2, 4, 96, 96);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 6);
        foreach (Size2D factor in new[] { new Size2D(2, 2), new Size2D(3, 2) })
        {
            int length = (int)shape.ElementCount * factor.Height * factor.Width;
            Writer<T>[] operators(int degree) =>
            [
                d => Functional.FixedUnpool2D(x, shape, factor, d, new Size2D(1, 1), options: ExecutionOptions.WithMaxDegreeOfParallelism(degree)),
                d => Functional.RepeatUnpool2D(x, shape, factor, d, options: ExecutionOptions.WithMaxDegreeOfParallelism(degree)),
                d => Functional.RandomUnpool2D(x, shape, factor, 12345, d, options: ExecutionOptions.WithMaxDegreeOfParallelism(degree)),
            ];
            string[] names = ["fixed", "repeat", "random"];
            for (int op = 0; op < 3; op++)
            {
                T[] single = Guarded.Run(length, operators(1)[op], $"{names[op]} degree 1");
                foreach (int degree in new[] { 2, -1 })
                {
                    T[] threaded = Guarded.Run(length, operators(degree)[op], $"{names[op]} degree {degree}");
                    BitAssert.Equal<T>(single, threaded, $"{names[op]} {factor} degree {degree} vs 1");
                }
            }

            T[] randomExpected = UnpoolReference.Random(x, 8, 96, 96, factor.Height, factor.Width, 12345, 96 * factor.Height, 96 * factor.Width);
            BitAssert.Equal<T>(randomExpected, Guarded.Run(length, operators(-1)[2], "random all cores"), $"random {factor} all cores vs formula");
        }
    }

    private static unsafe void CheckKernel(
        KernelWidth width, BlockUnpoolMode mode, T[] x, Shape4D shape, Size2D factor, Size2D offset, ulong seed, Size2D output, T[] expected)
    {
        string context = $"{mode} {width} {typeof(T).Name} {shape} factor {factor} offset {offset} output {output}";
        T[] y = Guarded.Run<T>(expected.Length, d =>
        {
            fixed (T* s = x)
            fixed (T* p = d)
            {
                BlockKernel.Unpool(mode, s, p, 6, shape.SpatialSize, output, factor, offset, seed, 1, KernelWidths.Bits(width));
            }
        }, context);
        BitAssert.Equal<T>(expected, y, context);
    }

    /// <summary>Factors 1-4 on each axis (non-square included), each with the default and extreme explicit sizes.</summary>
    private static IEnumerable<(Size2D Factor, Size2D Output)> FactorsAndSizes(Shape4D shape)
    {
        for (int kh = 1; kh <= 4; kh++)
        {
            for (int kw = 1; kw <= 4; kw++)
            {
                var factor = new Size2D(kh, kw);
                foreach (Size2D output in Sizes(shape, factor))
                {
                    yield return (factor, output);
                }
            }
        }
    }

    /// <summary>Per axis <c>i*k - k + 1</c>, <c>i*k</c> and <c>i*k + k - 1</c>: the default and both ends of the range.</summary>
    private static IEnumerable<Size2D> Sizes(Shape4D shape, Size2D factor)
    {
        int dh = shape.Height * factor.Height, dw = shape.Width * factor.Width;
        foreach (int h in new[] { dh - factor.Height + 1, dh, dh + factor.Height - 1 }.Distinct())
        {
            foreach (int w in new[] { dw - factor.Width + 1, dw, dw + factor.Width - 1 }.Distinct())
            {
                yield return new Size2D(h, w);
            }
        }
    }
}

public sealed class BlockUnpool2DTestsSingle : BlockUnpool2DTests<float>
{
}

public sealed class BlockUnpool2DTestsDouble : BlockUnpool2DTests<double>
{
}
