using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// Byte switches end to end through the public API: max pooling with <see cref="IndexConvention.InWindow"/> writes the
/// oracle's taps (its per-plane arg-max turned into the tap of the element's own window by the InWindow oracle), and
/// unpooling those taps, through the span form and through the <see cref="Switches{TIndex}"/> the allocating form
/// returns, equals unpooling the oracle's per-plane indices. Over the InWindow geometry grid on inputs wide enough for
/// every vector width of 1-, 2- and 4-byte lanes, for the element types with vector paths, at 1 and 2 threads.
/// </summary>
public abstract class InWindowPoolTests<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>Inputs: a narrow one (scalar columns only), and rows of 70 and 135 columns (64 and 128 outputs at stride 1).</summary>
    private static readonly Size2D[] Inputs = [new(6, 5), new(5, 70), new(4, 135)];

    /// <summary>Small integers (many ties), the type's extremes where it has them, and a NaN now and then for Half.</summary>
    private static T[] Values(int length, int seed)
    {
        var random = new Random(seed);
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            int roll = random.Next(100);
            data[i] = roll switch
            {
                < 3 when typeof(T) == typeof(Half) => (T)(object)Half.NaN,
                < 6 when typeof(T) == typeof(Half) => (T)(object)Half.NegativeZero,
                < 10 => T.CreateSaturating(1e6),
                < 14 => T.CreateSaturating(-1e6),
                _ => T.CreateTruncating(random.Next(0, 7)),
            };
        }

        return data;
    }

    [Fact]
    public void PoolingWritesTheOracleTapsAndTheyUnpoolAsThePerPlaneIndices()
    {
        int seed = 70, checkedCases = 0;
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in InWindowCases.Geometries())
        {
            foreach (Size2D input in Inputs)
            {
                if (!rows.TryGetOutputSize(input.Height, ceil, out int oh) || !cols.TryGetOutputSize(input.Width, ceil, out int ow))
                {
                    continue;
                }

                var shape = new Shape4D(2, 2, input.Height, input.Width);
                var pooled = new Shape4D(2, 2, oh, ow);
                Pool2DGeometry geometry = Geometry.ToLibrary(rows, cols, ceil);
                string context = $"{typeof(T).Name}, {Geometry.Describe(rows, cols, ceil)}, input {shape}";
                T[] x = Values((int)shape.ElementCount, seed++);
                PoolResult<T> oracle = MaxPool2DReference.Pool(x, 4, input.Height, input.Width, rows, cols, ceil);
                long[] expectedTaps = IndexConventionReference.InWindowFromPerPlane(oracle.Indices, pooled, input, rows, cols);
                T[] expectedUnpooled = UnpoolReference.MaxUnpool(oracle.Values, oracle.Indices, 4, oh, ow, input.Height, input.Width, false);
                foreach (int degree in (int[])[1, 2])
                {
                    ExecutionOptions options = Threads.Options(degree);
                    var values = new GuardedBuffer<T>((int)pooled.ElementCount);
                    var taps = new GuardedBuffer<byte>((int)pooled.ElementCount);
                    Functional.MaxPool2D<T, byte>(x, shape, geometry, values.Span, taps.Span, IndexConvention.InWindow, options);
                    ElementData.Exact<T>(oracle.Values, values.Span, $"{context}, {degree} threads: values");
                    BitAssert.IndicesEqual<byte>(expectedTaps, taps.Span, $"{context}, {degree} threads: byte taps");
                    values.AssertGuardsIntact(context);
                    taps.AssertGuardsIntact(context);

                    var shortTaps = new short[pooled.ElementCount];
                    Functional.MaxPool2D<T, short>(x, shape, geometry, values.Span, shortTaps, IndexConvention.InWindow, options);
                    BitAssert.IndicesEqual<short>(expectedTaps, shortTaps, $"{context}, {degree} threads: short taps");

                    (Tensor<T> pooledValues, Switches<byte> switches) = Functional.MaxPool2D<T, byte>(Tensor.Create(x, TensorViews.Lengths(shape)), geometry, IndexConvention.InWindow, options);
                    ElementData.Exact<T>(oracle.Values, pooledValues.ToArray(), $"{context}: allocating form values");
                    BitAssert.IndicesEqual<byte>(expectedTaps, switches.Indices.ToArray(), $"{context}: allocating form taps");
                    ElementData.Exact<T>(expectedUnpooled, Functional.MaxUnpool2D(pooledValues, switches, options: options).ToArray(), $"{context}: unpooled from byte switches");
                }

                checkedCases++;
            }
        }

        Assert.True(checkedCases > 100, $"only {checkedCases} grid cases ran");
    }
}

public sealed class InWindowPoolTestsSingle : InWindowPoolTests<float>
{
}

public sealed class InWindowPoolTestsHalf : InWindowPoolTests<Half>
{
}

public sealed class InWindowPoolTestsByte : InWindowPoolTests<byte>
{
}

public sealed class InWindowPoolTestsSByte : InWindowPoolTests<sbyte>
{
}

public sealed class InWindowPoolTestsInt16 : InWindowPoolTests<short>
{
}

public sealed class InWindowPoolTestsInt32 : InWindowPoolTests<int>
{
}
