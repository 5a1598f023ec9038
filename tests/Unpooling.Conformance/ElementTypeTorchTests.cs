using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Xunit.Abstractions;

namespace Unpooling.Conformance;

/// <summary>
/// Max pooling and unpooling of the 8-, 16- and 32-bit element types against libtorch, bit for bit: libtorch's CPU
/// <c>max_pool2d_with_indices</c> takes <c>uint8</c>, <c>int8</c>, <c>int16</c>, <c>int32</c> and <c>float16</c>;
/// its <c>max_unpool2d</c> takes <c>float16</c> only (it refuses every integer type: "not implemented for 'Byte'"), so
/// Half unpooling is checked beside float and double in <see cref="MaxUnpool2DTorchTests"/>.
/// </summary>
/// <remarks>
/// <para>Integer inputs are drawn full of ties and of the type's own extremes (<c>MinValue</c>, <c>MaxValue</c>):
/// the first maximum in row-major window order wins, and a window of <c>MinValue</c> yields <c>MinValue</c> at its
/// first real cell. Half inputs carry NaN, infinities and signed zeros like the float suites.</para>
/// <para>Values cross to libtorch through <see cref="Unpooling.Peers.TorchTensors"/> (Half through float, the integers
/// through int64, both exact).</para>
/// </remarks>
public sealed class ElementTypeTorchTests(ITestOutputHelper output) : RandomCaseTests<ElementTypeTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("MaxPool2D vs max_pool2d_with_indices, byte", 80, PoolInteger<byte>),
        new("MaxPool2D vs max_pool2d_with_indices, sbyte", 60, PoolInteger<sbyte>),
        new("MaxPool2D vs max_pool2d_with_indices, short", 60, PoolInteger<short>),
        new("MaxPool2D vs max_pool2d_with_indices, int", 60, PoolInteger<int>),
        new("MaxPool2D vs max_pool2d_with_indices, Half", 80, PoolHalf),
    ];

    /// <summary>Integers full of ties (a few distinct small values) and the type's extremes.</summary>
    private static T[] IntegerValues<T>(Random r, long length)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var data = new T[length];
        bool mostlyMin = r.Chance(0.2);
        for (long i = 0; i < length; i++)
        {
            int roll = r.Next(100);
            data[i] = roll switch
            {
                < 8 => T.MaxValue,
                < 16 => T.MinValue,
                _ when mostlyMin && roll < 80 => T.MinValue,
                < 20 => T.MaxValue - T.One,
                _ => T.CreateTruncating(r.Between(-3, 3)) + (T.MinValue == T.Zero ? T.CreateTruncating(3) : T.Zero),
            };
        }

        return data;
    }

    /// <summary>Half values: ties, NaN, infinities, signed zeros, the largest finite value and the smallest subnormal.</summary>
    private static Half[] HalfValues(Random r, long length)
    {
        if (r.Chance(0.6))
        {
            return r.Values<Half>(length, r.Mode());
        }

        var data = new Half[length];
        for (long i = 0; i < length; i++)
        {
            data[i] = r.Next(12) switch
            {
                0 => Half.MaxValue,
                1 => Half.MinValue,
                2 => Half.Epsilon,
                3 => -Half.Epsilon,
                4 => Half.NaN,
                5 => Half.NegativeZero,
                6 => Half.Zero,
                7 => Half.NegativeInfinity,
                _ => (Half)(r.Between(-40, 40) / 8f),
            };
        }

        return data;
    }

    private static void PoolInteger<T>(CaseContext c)
        where T : unmanaged, IBinaryInteger<T>, IMinMaxValue<T>
        => Pool(c, IntegerValues<T>);

    private static void PoolHalf(CaseContext c) => Pool(c, HalfValues);

    /// <summary>Pools a random input with ours (int64, int32 and, where it fits, int16 indices) and with libtorch.</summary>
    private static void Pool<T>(CaseContext c, Func<Random, long, T[]> values)
        where T : unmanaged, INumber<T>
    {
        Random r = c.Random;
        var p = PoolCase.Draw(r, MaxPool2DTorchTests.TorchMaxPadding);
        T[] x = values(r, p.Shape.ElementCount);
        c.Describe($"{p}, {typeof(T).Name}");
        Size2D outSize;
        try
        {
            outSize = p.Geometry.GetOutputSize(p.Shape.SpatialSize);
        }
        catch (ArgumentException)
        {
            throw CaseContext.Reject("ours refuses the geometry (covered by the float suites)");
        }

        using IDisposable scope = TorchOps.Scope();
        (T[] Values, long[] Indices, string? Error) torch = MaxPool2DTorchTests.TorchPool(x, p);
        if (torch.Error is { } error)
        {
            throw new MismatchException($"libtorch refuses the geometry ({error}), ours pools it to {outSize}.");
        }

        Shape4D outShape = p.Shape.WithSpatialSize(outSize);
        foreach (int degree in (int[])[1, 2])
        {
            var ours = new T[outShape.ElementCount];
            var indices = new long[outShape.ElementCount];
            Functional.MaxPool2D<T, long>(x, p.Shape, p.Geometry, ours, indices, options: Threads.Options(degree));
            Same(torch.Values, ours, outShape, $"{typeof(T).Name} values ({degree} thread(s))");
            Check.Indices<long>(torch.Indices, indices, outShape, $"int64 indices ({degree} thread(s))");
        }

        var values32 = new T[outShape.ElementCount];
        var indices32 = new int[outShape.ElementCount];
        Functional.MaxPool2D<T, int>(x, p.Shape, p.Geometry, values32, indices32, options: Threads.Options(1));
        Same(torch.Values, values32, outShape, $"{typeof(T).Name} values (int32 indices)");
        Check.Indices<int>(torch.Indices, indices32, outShape, "int32 indices");
        if ((long)p.Shape.Height * p.Shape.Width <= short.MaxValue + 1L)
        {
            var indices16 = new short[outShape.ElementCount];
            Functional.MaxPool2D<T, short>(x, p.Shape, p.Geometry, values32, indices16, options: Threads.Options(1));
            Check.Indices<short>(torch.Indices, indices16, outShape, "int16 indices");
            c.Tag("int16 indices too");
        }

        c.Tag(p.Overlapping ? "overlapping windows" : "disjoint windows");
    }

    /// <summary>Bit-identical values (Half: any NaN equals any NaN, see <see cref="Check.Exact{T}"/>).</summary>
    private static void Same<T>(T[] peer, T[] ours, Shape4D shape, string what)
        where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(Half))
        {
            Check.Exact<Half>((Half[])(object)peer, (Half[])(object)ours, shape, what);
            return;
        }

        Check.Indices<long>(peer.Select(long.CreateChecked).ToArray(), ours.Select(long.CreateChecked).ToArray(), shape, what);
    }
}
