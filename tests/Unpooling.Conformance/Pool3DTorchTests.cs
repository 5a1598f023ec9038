using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Conformance.Infrastructure;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// <c>Functional.MaxPool3D</c> against libtorch's <c>max_pool3d_with_indices</c> (values and per-plane indices bit for
/// bit, on fills full of ties, NaNs, infinities and signed zeros) and <c>Functional.MaxUnpool3D</c> against
/// <c>max_unpool3d</c>, on seeded random geometries libtorch accepts (symmetric padding at most half the kernel).
/// </summary>
/// <remarks>
/// Where libtorch accepts a window of only padding (possible with dilation) ours refuses the geometry (SEMANTICS.md
/// section 1); such draws are counted and skipped, and at least most draws must be compared.
/// </remarks>
public sealed class Pool3DTorchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MaxPool3DMatchesMaxPool3DWithIndices(bool useDouble)
    {
        if (useDouble)
        {
            Run<double>(seed: 31);
        }
        else
        {
            Run<float>(seed: 30);
        }
    }

    private static void Run<T>(int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        int compared = 0, refused = 0, unpooled = 0;
        using IDisposable scope = TorchOps.Scope();
        for (int i = 0; i < 120; i++)
        {
            Size3D k = new(1 + random.Next(3), 1 + random.Next(3), 1 + random.Next(3));
            Size3D s = new(1 + random.Next(3), 1 + random.Next(3), 1 + random.Next(3));
            Size3D p = new(random.Next((k.Depth / 2) + 1), random.Next((k.Height / 2) + 1), random.Next((k.Width / 2) + 1));
            Size3D d = new(1 + random.Next(2), 1 + random.Next(2), 1 + random.Next(2));
            bool ceil = random.Next(2) == 1;
            var shape = new Shape5D(1 + random.Next(2), 1 + random.Next(3), 1 + random.Next(6), 1 + random.Next(6), 1 + random.Next(40));
            var geometry = new Pool3DGeometry(k, s, p, d, ceil);
            T[] x = Values<T>(random, shape.ElementCount);
            Size3D outSize;
            try
            {
                outSize = geometry.GetOutputSize(shape.SpatialSize);
            }
            catch (ArgumentException)
            {
                refused++;
                continue;
            }

            (Tensor tv, Tensor ti) = nn.functional.max_pool3d_with_indices(
                TorchOps.From(x, TorchOps.Dims(shape)), TorchOps.Triple(k), TorchOps.Triple(s), TorchOps.Triple(p), TorchOps.Triple(d), ceil);
            T[] expected = TorchOps.Read<T>(tv);
            long[] expectedIndices = TorchOps.Read<long>(ti);
            Shape5D pooled = shape.WithSpatialSize(outSize);
            Assert.Equal(pooled.ElementCount, expected.Length);
            foreach (int degree in (int[])[1, 2])
            {
                var values = new T[pooled.ElementCount];
                var indices = new long[pooled.ElementCount];
                Functional.MaxPool3D(x, shape, geometry, values, indices, options: Threads.Options(degree));
                for (int o = 0; o < values.Length; o++)
                {
                    if (!BitEqual(expected[o], values[o]) || expectedIndices[o] != indices[o])
                    {
                        Assert.Fail($"{shape} {geometry}, {degree} thread(s): element {o} is {values[o]} at {indices[o]}, libtorch {expected[o]} at {expectedIndices[o]}.");
                    }
                }
            }

            // max_unpool3d (kernel, stride, padding, output_size) into the pooling input's size when PyTorch's size rule
            // allows it (then every index names a cell), else into the default size when that is at least 1.
            Size3D? target = UnpoolSize(outSize, shape.SpatialSize, k, s, p);
            if (target is not { } size)
            {
                compared++;
                continue;
            }

            unpooled += Unpool(expected, expectedIndices, pooled, geometry, size, () => TorchOps.Read<T>(nn.functional.max_unpool3d(tv, ti, TorchOps.Triple(k), TorchOps.Triple(s), TorchOps.Triple(p), TorchOps.Dims(pooled.WithSpatialSize(size)))));
            compared++;
        }

        Assert.True(compared >= 80 && unpooled >= 40, $"only {compared} poolings ({refused} refused by ours) and {unpooled} unpoolings compared");
    }

    private static Size3D? UnpoolSize(Size3D pooled, Size3D input, Size3D k, Size3D s, Size3D p)
    {
        int[] o = [pooled.Depth, pooled.Height, pooled.Width], i = [input.Depth, input.Height, input.Width];
        int[] kk = [k.Depth, k.Height, k.Width], ss = [s.Depth, s.Height, s.Width], pp = [p.Depth, p.Height, p.Width];
        int[] defaults = [.. Enumerable.Range(0, 3).Select(a => ((o[a] - 1) * ss[a]) - (2 * pp[a]) + kk[a])];
        if (Enumerable.Range(0, 3).All(a => i[a] > defaults[a] - ss[a] && i[a] < defaults[a] + ss[a]))
        {
            return input;
        }

        return defaults.All(v => v >= 1) ? new Size3D(defaults[0], defaults[1], defaults[2]) : null;
    }

    private static int Unpool<T>(T[] values, long[] indices, Shape5D pooled, Pool3DGeometry geometry, Size3D size, Func<T[]> peer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Indices pooled from a larger input may name cells past the default size; libtorch refuses those, and ours too.
        long volume = size.Volume;
        if (indices.Any(i => i >= volume))
        {
            Assert.ThrowsAny<ArgumentException>(() => Functional.MaxUnpool3D(values, indices, pooled, geometry, new T[pooled.PlaneCount * volume], size));
            return 0;
        }

        T[] expected = peer();
        var ours = new T[pooled.PlaneCount * volume];
        Functional.MaxUnpool3D(values, indices, pooled, geometry, ours, size, options: Threads.Options(2));
        Assert.True(expected.Length == ours.Length, $"unpool {pooled} {geometry} to {size}: libtorch gives {expected.Length} elements, ours {ours.Length}");
        for (int o = 0; o < ours.Length; o++)
        {
            Assert.True(BitEqual(expected[o], ours[o]), $"unpool {pooled} {geometry}: element {o} is {ours[o]}, libtorch {expected[o]}.");
        }

        return 1;
    }

    private static bool BitEqual<T>(T a, T b)
        where T : unmanaged, IFloatingPointIeee754<T>
        => T.IsNaN(a) ? T.IsNaN(b) : MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in a)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in b)));

    private static T[] Values<T>(Random random, long count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x = new T[count];
        for (long i = 0; i < count; i++)
        {
            int r = random.Next(100);
            x[i] = r < 88 ? T.CreateTruncating(random.Next(-4, 5)) : r < 92 ? T.NegativeZero : r < 95 ? T.NaN : r < 98 ? T.NegativeInfinity : T.PositiveInfinity;
        }

        return x;
    }
}
