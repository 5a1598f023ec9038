using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// Values and indices equal the oracle bit for bit over the geometry grid (kernel 1-5, stride 1-3, padding
/// 0-2, dilation 1-2, ceil off/on) on <c>[2, 3, H, W]</c> inputs of small integers with ±0 and rare NaN/±inf, for each
/// width instantiation and both index types, at output widths on every vector boundary of that width.
/// </summary>
public abstract class MaxPool2DGridTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Batch = 2;
    private const int Channels = 3;

    [Fact]
    public void ScalarPathMatchesReference() => RunGrid(KernelWidth.Scalar);

    [Fact]
    public void Vector128MatchesReference() => RunGrid(KernelWidth.V128);

    [Fact]
    public void Vector256MatchesReference() => RunGrid(KernelWidth.V256);

    [Fact]
    public void Vector512MatchesReference() => RunGrid(KernelWidth.V512);

    [Fact]
    public void PublicApiMatchesReferenceAcrossGrid()
    {
        int[] widths = KernelWidths.AllBoundaryWidths<T>();
        foreach ((PoolAxis axis, bool ceil) in Geometry.SquareGrid())
        {
            foreach (MaxPoolCase<T> c in Cases(axis, axis, ceil, widths, seed: 1))
            {
                c.CheckPublic<int>();
                c.CheckPublic<long>();
            }
        }
    }

    [Fact]
    [Trait("Widths", "Direct")]
    public void NonSquareGeometriesMatchReferenceAtEveryWidth()
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Geometry.NonSquare())
        {
            List<MaxPoolCase<T>> cases = Cases(rows, cols, ceil, KernelWidths.AllBoundaryWidths<T>(), seed: 2).ToList();
            Assert.True(cases.Count > 0, $"no valid input for {Geometry.Describe(rows, cols, ceil)}");
            foreach (MaxPoolCase<T> c in cases)
            {
                foreach (KernelWidth width in KernelWidths.All)
                {
                    c.CheckKernel<int>(width);
                    c.CheckKernel<long>(width);
                }

                c.CheckPublic<long>();
            }
        }
    }

    [Fact]
    public void GeometriesTheReferenceRejectsAreRejected()
    {
        int rejected = 0;
        foreach ((PoolAxis axis, bool ceil) in Geometry.SquareGrid())
        {
            foreach (int size in new[] { 1, 2, 3, 7, 16 })
            {
                if (axis.TryGetOutputSize(size, ceil, out _))
                {
                    continue;
                }

                rejected++;
                var shape = new Shape4D(Batch, Channels, size, size);
                var source = new T[shape.ElementCount];
                var values = new GuardedBuffer<T>(1);
                var indices = new GuardedBuffer<long>(1);
                ArgumentException e = Assert.ThrowsAny<ArgumentException>(
                    () => Functional.MaxPool2D(source, shape, Geometry.ToLibrary(axis, axis, ceil), values.Span, indices.Span));
                Assert.True(e.ParamName == "geometry", $"{Geometry.Describe(axis, axis, ceil)} size {size}: ParamName {e.ParamName}");
                values.AssertUntouched($"{axis} size {size}");
                indices.AssertUntouched($"{axis} size {size}");
            }
        }

        Assert.True(rejected > 20, $"only {rejected} rejected cases: the grid should contain padding-only windows");
    }

    private static void RunGrid(KernelWidth width)
    {
        int[] widths = KernelWidths.BoundaryWidths(KernelWidths.Count<T>(width));
        int geometries = 0;
        foreach ((PoolAxis axis, bool ceil) in Geometry.SquareGrid())
        {
            List<MaxPoolCase<T>> cases = Cases(axis, axis, ceil, widths, seed: 3 + (int)width).ToList();
            if (cases.Count == 0)
            {
                continue;
            }

            geometries++;
            if (axis is { Kernel: 2, Stride: 2, Padding: 0, Dilation: 1 } or { Kernel: 3, Stride: 2, Padding: 1, Dilation: 1 })
            {
                Assert.True(cases.Count == widths.Length, $"{width} {axis}: only {cases.Count} of {widths.Length} boundary widths reachable");
            }

            foreach (MaxPoolCase<T> c in cases)
            {
                c.CheckKernel<int>(width);
                c.CheckKernel<long>(width);
            }
        }

        // 180 grid points less the ones whose first window is all padding (kernel 1 with padding, kernel 2 with padding 2).
        Assert.True(geometries >= 140, $"{width}: only {geometries} geometries ran");
    }

    /// <summary>One case per reachable output width; heights alternate between one and two output rows.</summary>
    private static IEnumerable<MaxPoolCase<T>> Cases(PoolAxis rows, PoolAxis cols, bool ceil, int[] outputWidths, int seed)
    {
        var random = new Random(HashCode.Combine(rows, cols, ceil, seed));
        foreach (int outW in outputWidths)
        {
            int width = Geometry.InputSizeFor(outW, cols, ceil, random);
            int height = Geometry.InputSizeFor(1 + random.Next(2), rows, ceil, random);
            if (height < 0)
            {
                height = Geometry.InputSizeFor(1, rows, ceil, random);
            }

            if (width < 0 || height < 0)
            {
                continue;
            }

            T[] source = TestData.Ties<T>(Batch * Channels * height * width, random.Next());
            yield return new MaxPoolCase<T>(source, Batch, Channels, height, width, rows, cols, ceil);
        }
    }
}

public sealed class MaxPool2DGridTestsSingle : MaxPool2DGridTests<float>
{
}

public sealed class MaxPool2DGridTestsDouble : MaxPool2DGridTests<double>
{
}
