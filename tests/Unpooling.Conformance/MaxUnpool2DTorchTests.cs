using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Conformance.Infrastructure;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// <c>Functional.MaxUnpool2D</c> against libtorch's <c>max_unpool2d</c> (replace) and <c>scatter_add_</c> (sum), bit for
/// bit, including overlapping windows, indices that name one cell many times, and (sum) global indices that name other
/// planes' cells.
/// </summary>
/// <remarks>
/// <para>libtorch's CPU kernel scatters each plane sequentially in input order, so on the CPU the last duplicate wins,
/// as SEMANTICS.md section 2 requires of us; PyTorch's documentation leaves duplicates undefined because its CUDA
/// kernel races. The cases here check that libtorch's CPU result and ours agree exactly, duplicates included.</para>
/// <para>TorchSharp 0.107 passes the requested output size to libtorch only together with stride and padding, and
/// then wants all four dimensions: the peer call always passes all of them. libtorch then checks the size itself, but
/// its C++ frontend admits <c>[default - stride, default + stride]</c> where PyTorch's Python function and SEMANTICS.md
/// require strictly between: a size exactly one stride away is refused by ours and accepted by libtorch (checked
/// and counted as a documented difference); any other size outside the range must be refused by both.</para>
/// </remarks>
public sealed class MaxUnpool2DTorchTests(ITestOutputHelper output) : RandomCaseTests<MaxUnpool2DTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("MaxUnpool2D, pooled data vs max_unpool2d, float", 150, PoolThenUnpool<float>),
        new("MaxUnpool2D, pooled data vs max_unpool2d, double", 150, PoolThenUnpool<double>),
        new("MaxUnpool2D, random indices vs libtorch, float", 100, RandomIndices<float>),
        new("MaxUnpool2D, random indices vs libtorch, double", 100, RandomIndices<double>),
        new("MaxUnpool2D, pooled data vs max_unpool2d, Half", 100, PoolThenUnpool<Half>),
        new("MaxUnpool2D, random indices vs libtorch, Half", 60, RandomIndices<Half>),
    ];

    /// <summary>Pools a random input with ours, then unpools the maxima and their indices with both.</summary>
    private static void PoolThenUnpool<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        var p = PoolCase.Draw(r, MaxPool2DTorchTests.TorchMaxPadding);
        Pool2DGeometry g = p.Geometry;
        T[] x = r.Chance(0.7) ? r.Payload<T>(p.Shape.ElementCount) : r.Values<T>(p.Shape.ElementCount, ValueMode.Ties);
        (T[] values, long[] indices, Shape4D pooledShape, Size2D defaultSize) = p.PoolForUnpooling(x);

        // The output size PyTorch users pass most is the pooled input's own; the rule admits any size strictly within
        // one stride of the default; a size one stride away must be refused (see the remarks).
        Size2D? size = r.Next(20) switch
        {
            < 4 => null,
            < 12 => p.Shape.SpatialSize,
            < 17 => Near(r, defaultSize, g.Stride, 1),
            _ => Near(r, defaultSize, g.Stride, 0),
        };
        c.Describe($"{p}, unpooled to {size?.ToString() ?? "the default"} (default {defaultSize})");
        if (p.Overlapping && HasDuplicates(indices, pooledShape))
        {
            c.Tag("overlapping windows with duplicate indices (last wins)");
        }

        Compare(c, values, indices, pooledShape, g, size);
    }

    /// <summary>Indices drawn at random in the output plane, few distinct ones, so most cells are named many times.</summary>
    private static void RandomIndices<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Random r = c.Random;
        (int n, int ch) = r.Batch();
        var g = new Pool2DGeometry(r.Pair(1, 5), r.Pair(1, 4));
        var pooledShape = new Shape4D(n, ch, r.Extent(1), r.Extent(1));
        Size2D defaultSize = g.GetUnpoolOutputSize(pooledShape.SpatialSize);
        Size2D size = r.Chance(0.5) ? defaultSize : Near(r, defaultSize, g.Stride, 1);
        long plane = (long)size.Height * size.Width;
        long distinct = r.Chance(0.5) ? plane : Math.Max(1, plane / r.Between(2, 20));
        var indices = new long[pooledShape.ElementCount];
        for (int i = 0; i < indices.Length; i++)
        {
            indices[i] = r.NextInt64(distinct);
        }

        // Integer-valued data (with NaNs, infinities and signed zeros) keeps every sum exact, whatever its order. Half
        // holds eighths exactly only below 256, so its sums of payload values (up to 999/8 each) would round, and
        // libtorch's Half scatter_add_ rounds in its own order: Half takes the small integers only.
        T[] values = r.Chance(0.5) && typeof(T) != typeof(Half) ? r.Payload<T>(pooledShape.ElementCount) : r.Values<T>(pooledShape.ElementCount, ValueMode.Specials);
        c.Describe($"values {pooledShape}, {g}, output {size}, indices below {distinct}");
        Compare(c, values, indices, pooledShape, g, size);

        Shape4D outShape = pooledShape.WithSpatialSize(size);
        using IDisposable scope = TorchOps.Scope();
        Tensor sum = zeros([pooledShape.PlaneCount, plane], TorchOps.Type<T>()).scatter_add_(
            1, TorchOps.From(indices, pooledShape.PlaneCount, pooledShape.PlaneSize), TorchOps.From(values, pooledShape.PlaneCount, pooledShape.PlaneSize));
        var ours = new T[outShape.ElementCount];
        Functional.MaxUnpool2D<T, long>(values, indices, pooledShape, g, ours, size, reduction: UnpoolReduction.Sum, options: Threads.Options(1));
        Check.Exact<T>(TorchOps.Read<T>(sum), ours, outShape, "sum vs libtorch scatter_add_");

        // Global indices (IndexConvention.GlobalRowMajor) at random over the whole output, naming other planes' cells
        // too: the sum is libtorch's scatter_add_ over the flattened tensor.
        var global = new long[indices.Length];
        long spread = Math.Max(1, outShape.ElementCount / r.Between(1, 20));
        for (int i = 0; i < global.Length; i++)
        {
            global[i] = r.NextInt64(spread);
        }

        Tensor flat = zeros([outShape.ElementCount], TorchOps.Type<T>()).scatter_add_(0, TorchOps.From(global, global.Length), TorchOps.From(values, values.Length));
        Array.Clear(ours);
        Functional.MaxUnpool2D<T, long>(values, global, pooledShape, g, ours, size, IndexConvention.GlobalRowMajor, UnpoolReduction.Sum, Threads.Options(2));
        Check.Exact<T>(TorchOps.Read<T>(flat), ours, outShape, "sum of global indices across planes vs libtorch scatter_add_");
    }

    /// <summary>Unpools with libtorch and with ours (1 and 2 threads, int64 and int32 indices); both refusing agrees.</summary>
    private static void Compare<T>(CaseContext c, T[] values, long[] indices, Shape4D pooledShape, Pool2DGeometry g, Size2D? size)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using IDisposable scope = TorchOps.Scope();
        T[]? peer = null;
        string? peerError = null;
        try
        {
            long[]? torchSize = size is { } s ? [pooledShape.Batch, pooledShape.Channels, s.Height, s.Width] : null;
            peer = TorchOps.Read<T>(nn.functional.max_unpool2d(
                TorchOps.From(values, pooledShape), TorchOps.From(indices, pooledShape), TorchOps.Pair(g.KernelSize), TorchOps.Pair(g.Stride), TorchOps.Pair(g.PaddingBegin), torchSize));
        }
        catch (ExternalException e)
        {
            peerError = TorchOps.FirstLine(e.Message);
        }

        Size2D outSize;
        try
        {
            outSize = size ?? g.GetUnpoolOutputSize(pooledShape.SpatialSize);
            Functional.MaxUnpool2D<T, long>(values, indices, pooledShape, g, new T[pooledShape.WithSpatialSize(outSize).ElementCount], size, reduction: UnpoolReduction.Replace, options: Threads.Options(1));
        }
        catch (ArgumentException e) when (peerError is not null)
        {
            c.Tag($"both refuse ({(e is ArgumentOutOfRangeException ? "an index outside the output" : "the output size")})");
            return;
        }
        catch (ArgumentException) when (size is { } s && OnBoundary(s, g.GetUnpoolOutputSize(pooledShape.SpatialSize), g.Stride))
        {
            // PyTorch's Python rule (ours) is strict; libtorch's C++ frontend, which TorchSharp calls, lets the size
            // reach default +- stride.
            c.Tag("size at default +- stride: ours refuses, libtorch C++ accepts (documented difference)");
            return;
        }

        if (peerError is not null)
        {
            throw new MismatchException($"libtorch refuses ({peerError}), ours unpools.");
        }

        Shape4D outShape = pooledShape.WithSpatialSize(outSize);
        foreach (int degree in (int[])[1, 2])
        {
            var ours = new T[outShape.ElementCount];
            Functional.MaxUnpool2D<T, long>(values, indices, pooledShape, g, ours, size, reduction: UnpoolReduction.Replace, options: Threads.Options(degree));
            Check.Exact<T>(peer!, ours, outShape, $"int64 indices, {degree} thread(s)");
        }

        var ours32 = new T[outShape.ElementCount];
        Functional.MaxUnpool2D<T, int>(values, indices.Select(i => (int)i).ToArray(), pooledShape, g, ours32, size, reduction: UnpoolReduction.Replace, options: Threads.Options(1));
        Check.Exact<T>(peer!, ours32, outShape, "int32 indices");
        c.Tag(size is null ? "default output size" : "explicit output size");
        if (g.KernelSize == new Size2D(2, 2) && g.Stride == new Size2D(2, 2) && g.PaddingBegin == new Size2D(0, 0))
        {
            c.Tag("2x2 stride 2 (the dense path when every index is in its window)");
        }
    }

    /// <summary>A size within <c>stride - inset</c> of <paramref name="defaultSize"/> per axis, at least 1.</summary>
    private static Size2D Near(Random r, Size2D defaultSize, Size2D stride, int inset) => new(
        Math.Max(1, defaultSize.Height + r.Between(inset - stride.Height, stride.Height - inset)),
        Math.Max(1, defaultSize.Width + r.Between(inset - stride.Width, stride.Width - inset)));

    /// <summary>Whether <paramref name="size"/> lies exactly one stride from the default on some axis.</summary>
    private static bool OnBoundary(Size2D size, Size2D defaultSize, Size2D stride)
        => Math.Abs(size.Height - defaultSize.Height) == stride.Height || Math.Abs(size.Width - defaultSize.Width) == stride.Width;

    private static bool HasDuplicates(long[] indices, Shape4D shape)
    {
        for (long plane = 0; plane < shape.PlaneCount; plane++)
        {
            var seen = new HashSet<long>();
            for (long i = 0; i < shape.PlaneSize; i++)
            {
                if (!seen.Add(indices[(plane * shape.PlaneSize) + i]))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
