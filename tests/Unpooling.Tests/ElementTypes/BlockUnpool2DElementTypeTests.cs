using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// SEMANTICS.md 3 and 5 for every element type the constraint admits: fixed, random and repeat unpooling are data
/// movement (the zeros are <c>T.Zero</c>), equal to the oracle for default and explicit output sizes and bit-identical
/// for every thread count.
/// </summary>
public abstract class BlockUnpool2DElementTypeTests<T>
    where T : unmanaged, INumberBase<T>, IMinMaxValue<T>
{
    private static readonly Shape4D Shape = new(2, 3, 5, 19);

    /// <summary>(factor, offset) pairs; factor 2 in width is the vectorized shape for float and double.</summary>
    private static readonly (Size2D Factor, Size2D Offset)[] Blocks =
    [
        (new(2, 2), new(0, 0)),
        (new(2, 2), new(1, 1)),
        (new(2, 2), new(0, 1)),
        (new(3, 2), new(2, 1)),
        (new(2, 3), new(1, 2)),
    ];

    [Fact]
    public void FixedEqualsTheOracle()
    {
        T[] x = ElementData.Values<T>((int)Shape.ElementCount, 51);
        foreach ((Size2D factor, Size2D offset) in Blocks)
        {
            foreach (Size2D output in Outputs(factor))
            {
                T[] expected = UnpoolReference.Fixed(x, 6, Shape.Height, Shape.Width, factor.Height, factor.Width, offset.Height, offset.Width, output.Height, output.Width);
                foreach (int threads in ElementData.ThreadCounts)
                {
                    string context = $"{typeof(T).Name} fixed {factor} {offset} {output} {threads} threads";
                    Check(expected, d => Functional.FixedUnpool2D<T>(x, Shape, factor, d, offset, output, Threads.Options(threads)), context);
                }
            }
        }
    }

    [Fact]
    public void RandomEqualsTheOracle()
    {
        T[] x = ElementData.Values<T>((int)Shape.ElementCount, 52);
        foreach ((Size2D factor, _) in Blocks)
        {
            foreach (Size2D output in Outputs(factor))
            {
                T[] expected = UnpoolReference.Random(x, 6, Shape.Height, Shape.Width, factor.Height, factor.Width, 77, output.Height, output.Width);
                foreach (int threads in ElementData.ThreadCounts)
                {
                    string context = $"{typeof(T).Name} random {factor} {output} {threads} threads";
                    Check(expected, d => Functional.RandomUnpool2D<T>(x, Shape, factor, 77, d, output, Threads.Options(threads)), context);
                }
            }
        }
    }

    [Fact]
    public void RepeatEqualsTheOracle()
    {
        T[] x = ElementData.Values<T>((int)Shape.ElementCount, 53);
        foreach ((Size2D factor, _) in Blocks)
        {
            foreach (Size2D output in Outputs(factor))
            {
                T[] expected = UnpoolReference.Repeat(x, 6, Shape.Height, Shape.Width, factor.Height, factor.Width, output.Height, output.Width);
                foreach (int threads in ElementData.ThreadCounts)
                {
                    string context = $"{typeof(T).Name} repeat {factor} {output} {threads} threads";
                    Check(expected, d => Functional.RepeatUnpool2D<T>(x, Shape, factor, d, output, Threads.Options(threads)), context);
                }
            }
        }
    }

    /// <summary>The default size <c>i*k</c> and one past it on each axis (inside the explicit-size range).</summary>
    private static Size2D[] Outputs(Size2D factor)
    {
        var size = new Size2D(Shape.Height * factor.Height, Shape.Width * factor.Width);
        return [size, new Size2D(size.Height + 1, size.Width + 1)];
    }

    private static void Check(T[] expected, SpanAction run, string context)
    {
        var destination = new GuardedBuffer<T>(expected.Length);
        run(destination.Span);
        destination.AssertGuardsIntact(context);
        ElementData.Exact<T>(expected, destination.Span, context);
    }

    private delegate void SpanAction(Span<T> destination);
}

public sealed class BlockUnpool2DElementTypeTestsHalf : BlockUnpool2DElementTypeTests<Half>;

public sealed class BlockUnpool2DElementTypeTestsSByte : BlockUnpool2DElementTypeTests<sbyte>;

public sealed class BlockUnpool2DElementTypeTestsByte : BlockUnpool2DElementTypeTests<byte>;

public sealed class BlockUnpool2DElementTypeTestsInt16 : BlockUnpool2DElementTypeTests<short>;

public sealed class BlockUnpool2DElementTypeTestsUInt16 : BlockUnpool2DElementTypeTests<ushort>;

public sealed class BlockUnpool2DElementTypeTestsInt32 : BlockUnpool2DElementTypeTests<int>;

public sealed class BlockUnpool2DElementTypeTestsUInt32 : BlockUnpool2DElementTypeTests<uint>;

public sealed class BlockUnpool2DElementTypeTestsInt64 : BlockUnpool2DElementTypeTests<long>;

public sealed class BlockUnpool2DElementTypeTestsUInt64 : BlockUnpool2DElementTypeTests<ulong>;

public sealed class BlockUnpool2DElementTypeTestsInt128 : BlockUnpool2DElementTypeTests<Int128>;

public sealed class BlockUnpool2DElementTypeTestsDecimal : BlockUnpool2DElementTypeTests<decimal>;

public sealed class BlockUnpool2DElementTypeTestsNFloat : BlockUnpool2DElementTypeTests<NFloat>;

public sealed class BlockUnpool2DElementTypeTestsSingle : BlockUnpool2DElementTypeTests<float>;

public sealed class BlockUnpool2DElementTypeTestsDouble : BlockUnpool2DElementTypeTests<double>;
