using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// Zero insertion and strided subsample: exact against the reference, inverse and adjoint of each other; at the
/// vector-boundary widths with the source read-only on guarded pages and the destination on guarded pages, flush after
/// and flush before.
/// </summary>
public abstract class ZeroInsert2DTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 1)]
    [InlineData(1, 4)]
    [InlineData(2, 3)]
    public void ExactAgainstReferenceInverseAndAdjoint(int sh, int sw)
    {
        var stride = new Size2D(sh, sw);
        foreach (int width in KernelWidths.AllBoundaryWidths<T>())
        {
            var xs = new Shape4D(2, 3, 4, width);
            T[] x = TestData.NonZero<T>((int)xs.ElementCount, width);
            (T[] expected, Shape4D zs) = ConvReference.ZeroInsert(x, xs, stride);
            T[] inserted = [];
            foreach (GuardSide side in GuardedPages.Sides)
            {
                using GuardedInput<T> source = GuardedPages.Input<T>(x, side);
                using var z = new PageGuardedDestination<T>((int)zs.ElementCount, side);
                Functional.ZeroInsert2D(source.Span, xs, stride, z.Span);
                z.AssertGuardsIntact($"zero insert {xs} {stride} flush {side}");
                BitAssert.Equal<T>(expected, z.Span, $"zero insert {xs} {stride} flush {side}");
                inserted = z.ToArray();

                using GuardedInput<T> zIn = GuardedPages.Input<T>(inserted, side);
                using var back = new PageGuardedDestination<T>((int)xs.ElementCount, side);
                Functional.StridedSubsample2D(zIn.Span, zs, stride, back.Span);
                back.AssertGuardsIntact($"subsample {zs} {stride} flush {side}");
                BitAssert.Equal<T>(x, back.Span, $"subsample(zero insert(x)) {xs} {stride} flush {side}");
            }

            // Adjoint on an arbitrary z (not only zero-inserted ones), against the reference subsample too.
            T[] u = TestData.NonZero<T>((int)zs.ElementCount, width + 1);
            (T[] subExpected, _) = ConvReference.Subsample(u, zs, stride);
            var sub = new T[xs.ElementCount];
            Functional.StridedSubsample2D(u, zs, stride, sub);
            BitAssert.Equal<T>(subExpected, sub, $"subsample {zs} {stride}");
            Assert.Equal(Dot(inserted, u), Dot(x, sub));
        }
    }

    [Fact]
    public void SubsampleOfAnySizeKeepsEveryStrideCell()
    {
        var zs = new Shape4D(1, 2, 7, 10);
        T[] z = TestData.NonZero<T>((int)zs.ElementCount, 5);
        (T[] expected, Shape4D xs) = ConvReference.Subsample(z, zs, new Size2D(3, 4));
        Assert.Equal(new Shape4D(1, 2, 3, 3), xs);
        var x = new T[xs.ElementCount];
        Functional.StridedSubsample2D(z, zs, new Size2D(3, 4), x);
        BitAssert.Equal<T>(expected, x, "subsample 7x10 by 3x4");
    }

    private static double Dot(T[] a, T[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += double.CreateChecked(a[i]) * double.CreateChecked(b[i]);
        }

        return sum;
    }
}

public sealed class ZeroInsert2DFloatTests : ZeroInsert2DTests<float>;

public sealed class ZeroInsert2DDoubleTests : ZeroInsert2DTests<double>;
