using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The random-offset block kernel's vector path (hashes of a vector of cells, masked last vector) at every width, on
/// input widths at its boundaries, against the scalar oracle of the documented formula; and its block-row threading.
/// </summary>
public abstract class RandomUnpool2DKernelTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly ulong[] Seeds = [0x0123456789ABCDEFUL, ulong.MaxValue];

    /// <summary>
    /// Input widths 0, 1, Count-1, Count, Count+1, 2*Count+1 and 8*Count+7, plus widths around the kernel's 256-cell
    /// hashing chunk; factors 1-4 per axis; output sizes at both ends of the range and the default; the source
    /// read-only on guarded pages and the destination on guarded pages, flush after and flush before.
    /// </summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public unsafe void KernelMatchesOracleAtEveryWidthOnVectorBoundaries()
    {
        var random = new Random(11);
        foreach (KernelWidth width in KernelWidths.All)
        {
            int count = KernelWidths.Count<T>(width);
            int[] widths = new[] { 0, 1, count - 1, count, count + 1, (2 * count) + 1, (8 * count) + 7, 255, 256, 257, 515 }
                .Where(w => w >= 0).Distinct().ToArray();
            foreach (int w in widths)
            {
                const int planes = 2, h = 3;
                T[] x = TestData.NonZero<T>(planes * h * w, random.Next());
                for (int kh = 1; kh <= 4; kh++)
                {
                    for (int kw = 1; kw <= 4; kw++)
                    {
                        foreach (int outH in Extent(h, kh))
                        {
                            foreach (int outW in Extent(w, kw))
                            {
                                foreach (ulong seed in Seeds)
                                {
                                    T[] expected = UnpoolReference.Random(x, planes, h, w, kh, kw, seed, outH, outW);
                                    string context = $"random {width} {typeof(T).Name} w {w} factor {kh}x{kw} output {outH}x{outW} seed {seed:X}";
                                    T[] y = GuardedPages.Run<T>(expected.Length, (p, side) =>
                                    {
                                        using GuardedInput<T> s = GuardedPages.Input<T>(x, side);
                                        BlockKernel.Unpool(
                                            BlockUnpoolMode.Random, s.Pointer, p, planes, new Size2D(h, w), new Size2D(outH, outW), new Size2D(kh, kw), default, seed, 1,
                                            KernelWidths.Bits(width));
                                    }, context);
                                    BitAssert.Equal<T>(expected, y, context);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Block rows are the unit of work: 1, 2, 3 and 8 threads with no size threshold give the oracle's bits.</summary>
    [Fact]
    public void ThreadCountDoesNotChangeTheResult()
    {
        var shape = new Shape4D(2, 3, 9, 37);
        T[] x = TestData.NonZero<T>((int)shape.ElementCount, 12);
        foreach (Size2D factor in new[] { new Size2D(2, 2), new Size2D(3, 2), new Size2D(2, 3) })
        {
            foreach (Size2D output in new[] { new Size2D(9 * factor.Height, 37 * factor.Width), new Size2D((9 * factor.Height) - 1, (37 * factor.Width) - 1), new Size2D((9 * factor.Height) + 1, (37 * factor.Width) + 1) })
            {
                T[] expected = UnpoolReference.Random(x, 6, 9, 37, factor.Height, factor.Width, 77, output.Height, output.Width);
                foreach (int degree in new[] { 1, 2, 3, 8 })
                {
                    var options = new ExecutionOptions { MaxDegreeOfParallelism = degree, MinParallelElements = 0 };
                    string context = $"random {typeof(T).Name} factor {factor} output {output} degree {degree}";
                    T[] y = Guarded.Run<T>(expected.Length, d => Functional.RandomUnpool2D(x, shape, factor, 77, d, output, options), context);
                    BitAssert.Equal<T>(expected, y, context);
                }
            }
        }
    }

    /// <summary>Per axis the output extents <c>i*k - k + 1</c> (smallest), <c>i*k</c> and <c>i*k + k - 1</c> (largest), at least 0.</summary>
    private static int[] Extent(int input, int factor)
        => new[] { (input * factor) - factor + 1, input * factor, (input * factor) + factor - 1 }.Where(e => e >= 0).Distinct().ToArray();
}

public sealed class RandomUnpool2DKernelTestsSingle : RandomUnpool2DKernelTests<float>
{
}

public sealed class RandomUnpool2DKernelTestsDouble : RandomUnpool2DKernelTests<double>
{
}
