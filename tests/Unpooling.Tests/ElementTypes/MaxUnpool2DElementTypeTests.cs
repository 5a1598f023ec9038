using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// SEMANTICS.md 2 and 5 for every element type the constraint admits: Replace is data movement (last writer wins),
/// Sum adds with the type's <c>+</c> in row-major input order starting from <c>T.Zero</c> (integers wrap, as C#'s
/// unchecked arithmetic does: MaxValue cells are planted, so overflowing sums are exercised), on the dense 2x2 path and
/// on the scatter with duplicate indices, in every convention and for every thread count, equal to the oracle.
/// </summary>
public abstract class MaxUnpool2DElementTypeTests<T>
    where T : unmanaged, INumberBase<T>, IMinMaxValue<T>
{
    private static readonly UnpoolReduction[] Reductions = [UnpoolReduction.Replace, UnpoolReduction.Sum];

    /// <summary>2x2 stride 2 switches, each inside its own window: the dense path.</summary>
    [Fact]
    public void DenseSwitchesEqualTheOracle()
    {
        var pooled = new Shape4D(2, 3, 4, 18);
        T[] x = ElementData.Values<T>((int)pooled.ElementCount, 41);
        long[] indices = TestData.WindowIndices(6, 4, 18, 36, 42);
        foreach (UnpoolReduction reduction in Reductions)
        {
            T[]? expected = Oracle(() => UnpoolReference.MaxUnpool(x, indices, 6, 4, 18, 8, 36, reduction == UnpoolReduction.Sum));
            foreach (int threads in ElementData.ThreadCounts)
            {
                Check(x, indices, pooled, new Pool2DGeometry(new Size2D(2, 2)), expected, 6 * 8 * 36, IndexConvention.PerPlane, reduction, threads, "dense");
                Check(x, TestData.Convert<int>(indices), pooled, new Pool2DGeometry(new Size2D(2, 2)), expected, 6 * 8 * 36, IndexConvention.PerPlane, reduction, threads, "dense int");
            }
        }
    }

    /// <summary>Overlapping 3x3 stride 2 windows and indices crowded into the first 20 cells: many duplicates.</summary>
    [Fact]
    public void ScatterWithDuplicatesEqualsTheOracle()
    {
        var pooled = new Shape4D(2, 3, 5, 7);
        var geometry = new Pool2DGeometry(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1));
        T[] x = ElementData.Values<T>((int)pooled.ElementCount, 43);
        long[] indices = TestData.RandomIndices((int)pooled.ElementCount, 20, 44);
        foreach (UnpoolReduction reduction in Reductions)
        {
            T[]? expected = Oracle(() => UnpoolReference.MaxUnpool(x, indices, 6, 5, 7, 9, 13, reduction == UnpoolReduction.Sum));
            foreach (int threads in ElementData.ThreadCounts)
            {
                Check(x, indices, pooled, geometry, expected, 6 * 9 * 13, IndexConvention.PerPlane, reduction, threads, "scatter");
            }
        }
    }

    [Fact]
    public void ReadsEveryIndexConvention()
    {
        var pooled = new Shape4D(2, 3, 5, 7);
        var output = new Size2D(9, 13);
        var geometry = new Pool2DGeometry(new Size2D(3, 3), new Size2D(2, 2), new Size2D(1, 1));
        T[] x = ElementData.Values<T>((int)pooled.ElementCount, 45);
        long[] perPlane = TestData.RandomIndices((int)pooled.ElementCount, 117, 46);
        foreach (IndexConvention convention in IndexConventionReference.All)
        {
            long[] indices = IndexConventionReference.FromPerPlane(perPlane, pooled, output, convention);
            foreach (UnpoolReduction reduction in Reductions)
            {
                T[]? expected = Oracle(() => IndexConventionReference.MaxUnpool(x, indices, pooled, output, convention, reduction == UnpoolReduction.Sum));
                Check(x, indices, pooled, geometry, expected, 6 * 9 * 13, convention, reduction, 3, $"{convention}");
            }
        }
    }

    /// <summary>Sum by hand: two MaxValue cells and a One into one output cell, in input order (decimal, whose
    /// arithmetic is always checked, throws <see cref="OverflowException"/> as its <c>+</c> does).</summary>
    [Fact]
    public void SumAddsInInputOrder()
    {
        T[] x = [T.MaxValue, T.One, T.MaxValue, T.MinValue];
        long[] indices = [1, 1, 1, 3];
        var destination = new T[4];
        void Run() => Functional.MaxUnpool2D<T, long>(x, indices, new Shape4D(1, 1, 2, 2), new Pool2DGeometry(new Size2D(1, 1)), destination, reduction: UnpoolReduction.Sum);
        if (typeof(T) == typeof(decimal))
        {
            Assert.Throws<OverflowException>(Run);
            return;
        }

        Run();
        T[] expected = [T.Zero, T.Zero + T.MaxValue + T.One + T.MaxValue, T.Zero, T.Zero + T.MinValue];
        ElementData.Exact<T>(expected, destination, $"{typeof(T).Name} sum");
    }

    /// <summary>The oracle's result, or null when its arithmetic overflows (decimal only).</summary>
    private static T[]? Oracle(Func<T[]> oracle)
    {
        try
        {
            return oracle();
        }
        catch (OverflowException) when (typeof(T) == typeof(decimal))
        {
            return null;
        }
    }

    private static void Check<TIndex>(
        T[] x, TIndex[] indices, Shape4D pooled, Pool2DGeometry geometry, T[]? expected, int outputLength, IndexConvention convention, UnpoolReduction reduction, int threads, string what)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        string context = $"{typeof(T).Name} {what} {reduction} {threads} threads";
        if (expected is null)
        {
            // decimal's + overflowed in the oracle: the library's throws the same exception.
            Assert.Throws<OverflowException>(() => Functional.MaxUnpool2D<T, TIndex>(x, indices, pooled, geometry, new T[outputLength], null, convention, reduction, Threads.Options(threads)));
            return;
        }

        Assert.Equal(outputLength, expected.Length);
        var destination = new GuardedBuffer<T>(expected.Length);
        Functional.MaxUnpool2D<T, TIndex>(x, indices, pooled, geometry, destination.Span, null, convention, reduction, Threads.Options(threads));
        destination.AssertGuardsIntact(context);
        ElementData.Exact<T>(expected, destination.Span, context);
    }
}

public sealed class MaxUnpool2DElementTypeTestsHalf : MaxUnpool2DElementTypeTests<Half>;

public sealed class MaxUnpool2DElementTypeTestsSByte : MaxUnpool2DElementTypeTests<sbyte>;

public sealed class MaxUnpool2DElementTypeTestsByte : MaxUnpool2DElementTypeTests<byte>;

public sealed class MaxUnpool2DElementTypeTestsInt16 : MaxUnpool2DElementTypeTests<short>;

public sealed class MaxUnpool2DElementTypeTestsUInt16 : MaxUnpool2DElementTypeTests<ushort>;

public sealed class MaxUnpool2DElementTypeTestsInt32 : MaxUnpool2DElementTypeTests<int>;

public sealed class MaxUnpool2DElementTypeTestsUInt32 : MaxUnpool2DElementTypeTests<uint>;

public sealed class MaxUnpool2DElementTypeTestsInt64 : MaxUnpool2DElementTypeTests<long>;

public sealed class MaxUnpool2DElementTypeTestsUInt64 : MaxUnpool2DElementTypeTests<ulong>;

public sealed class MaxUnpool2DElementTypeTestsInt128 : MaxUnpool2DElementTypeTests<Int128>;

public sealed class MaxUnpool2DElementTypeTestsDecimal : MaxUnpool2DElementTypeTests<decimal>;

public sealed class MaxUnpool2DElementTypeTestsNFloat : MaxUnpool2DElementTypeTests<NFloat>;

public sealed class MaxUnpool2DElementTypeTestsSingle : MaxUnpool2DElementTypeTests<float>;

public sealed class MaxUnpool2DElementTypeTestsDouble : MaxUnpool2DElementTypeTests<double>;
