using System.Numerics;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// Properties that hold whatever the oracle says: each pooled value is the input at its index (bitwise), the index
/// lies inside its window on a real cell, and no cell of the window beats the value; threading changes nothing.
/// </summary>
public abstract class MaxPool2DPropertyTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Fact]
    public void ValueIsInputAtIndexInsideItsWindowAndNotBeaten()
    {
        var random = new Random(21);
        foreach ((PoolAxis axis, bool ceil) in Geometry.SquareGrid())
        {
            int w = Geometry.InputSizeFor(19, axis, ceil, random);
            int h = Geometry.InputSizeFor(3, axis, ceil, random);
            if (w < 0 || h < 0)
            {
                continue;
            }

            var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 3 * h * w, random.Next()), 2, 3, h, w, axis, axis, ceil);
            (GuardedBuffer<T> values, GuardedBuffer<long> indices) = c.RunPublic<long>();
            AssertWindowProperties(c, values.ToArray(), indices.ToArray());
        }
    }

    /// <summary>Inputs of at least 65536 elements, so the library splits rows across threads when allowed.</summary>
    [Fact]
    public void ThreadedResultsEqualSingleThreaded()
    {
        foreach ((PoolAxis axis, bool ceil) in new[] { (new PoolAxis(2, 2, 0, 1), false), (new PoolAxis(3, 2, 1, 1), true), (new PoolAxis(3, 1, 1, 2), false) })
        {
            var c = new MaxPoolCase<T>(TestData.Ties<T>(2 * 4 * 96 * 97, 5), 2, 4, 96, 97, axis, axis, ceil);
            Assert.True(c.Shape.ElementCount >= 65536);
            (GuardedBuffer<T> singleValues, GuardedBuffer<int> singleIndices) = c.RunPublic<int>(ExecutionOptions.SingleThreaded);
            foreach (int degree in new[] { 2, -1 })
            {
                (GuardedBuffer<T> values, GuardedBuffer<int> indices) = c.RunPublic<int>(ExecutionOptions.WithMaxDegreeOfParallelism(degree));
                BitAssert.Equal<T>(singleValues.Span, values.Span, $"values degree {degree} vs 1, {c}");
                Assert.True(singleIndices.Span.SequenceEqual(indices.Span), $"indices degree {degree} vs 1, {c}");
                c.CheckPublic<long>(ExecutionOptions.WithMaxDegreeOfParallelism(degree));
            }

            BitAssert.Equal<T>(c.Expected.Values, singleValues.Span, $"values degree 1, {c}");
            foreach (KernelWidth width in KernelWidths.All)
            {
                c.CheckKernel<long>(width, degree: 2);
            }
        }
    }

    /// <summary>An empty batch or channel count is a no-op that touches nothing.</summary>
    [Fact]
    public void EmptyBatchOrChannelsWritesNothing()
    {
        var geometry = new Pool2DGeometry(2);
        foreach (Shape4D shape in new[] { new Shape4D(0, 3, 4, 4), new Shape4D(2, 0, 4, 4) })
        {
            var values = new GuardedBuffer<T>(0);
            var indices = new GuardedBuffer<long>(0);
            Functional.MaxPool2D([], shape, geometry, values.Span, indices.Span);
            values.AssertUntouched($"{shape}");
            indices.AssertUntouched($"{shape}");
        }
    }

    private static void AssertWindowProperties(MaxPoolCase<T> c, T[] values, long[] indices)
    {
        int h = c.Shape.Height, w = c.Shape.Width, outH = c.Expected.OutH, outW = c.Expected.OutW;
        for (int o = 0; o < values.Length; o++)
        {
            int plane = o / (outH * outW), oh = o / outW % outH, ow = o % outW;
            string at = $"{c} output (plane {plane}, {oh}, {ow})";
            long index = indices[o];
            Assert.True(index >= 0 && index < (long)h * w, $"{at}: index {index} outside the plane");
            long row = index / w, col = index % w;
            Assert.True(IsTap(row, oh, c.Rows), $"{at}: index row {row} is not a tap of the window");
            Assert.True(IsTap(col, ow, c.Cols), $"{at}: index column {col} is not a tap of the window");
            BitAssert.Equal(c.Source[(plane * h * w) + index], values[o], $"{at}: value vs input at index {index}");
            for (int kh = 0; kh < c.Rows.Kernel; kh++)
            {
                for (int kw = 0; kw < c.Cols.Kernel; kw++)
                {
                    long ih = c.Rows.Position(oh, kh), iw = c.Cols.Position(ow, kw);
                    if (ih < 0 || ih >= h || iw < 0 || iw >= w)
                    {
                        continue;
                    }

                    T cell = c.Source[(plane * h * w) + (ih * w) + iw];
                    Assert.True(T.IsNaN(values[o]) || !(cell > values[o] || T.IsNaN(cell)), $"{at}: cell ({ih}, {iw}) = {cell} beats {values[o]}");
                }
            }
        }
    }

    private static bool IsTap(long position, int window, PoolAxis axis)
    {
        for (int tap = 0; tap < axis.Kernel; tap++)
        {
            if (axis.Position(window, tap) == position)
            {
                return true;
            }
        }

        return false;
    }
}

public sealed class MaxPool2DPropertyTestsSingle : MaxPool2DPropertyTests<float>
{
}

public sealed class MaxPool2DPropertyTestsDouble : MaxPool2DPropertyTests<double>
{
}
