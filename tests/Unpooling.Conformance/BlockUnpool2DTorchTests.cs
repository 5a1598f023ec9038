using System.Buffers;
using System.Numerics;
using Unpooling.Conformance.Infrastructure;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// The fixed-position family against libtorch equivalents, bit for bit: <c>FixedUnpool2D</c> against a strided
/// assignment into zeros (<c>y[:, :, a::k, b::k] = x</c>), <c>RandomUnpool2D</c> against <c>max_unpool2d</c> with the
/// indices of the offset formula its documentation publishes, <c>RepeatUnpool2D</c> against
/// <c>upsample_nearest2d</c>. An explicit output size is the default-size result cropped or padded with zeros at the
/// end (SEMANTICS.md section 3), built with the same placement on the peer side.
/// </summary>
public sealed class BlockUnpool2DTorchTests(ITestOutputHelper output) : RandomCaseTests<BlockUnpool2DTorchTests>(output), ISuites
{
    public static IReadOnlyList<Suite> Suites { get; } =
    [
        new("FixedUnpool2D vs strided assignment, float", 100, Fixed<float>),
        new("FixedUnpool2D vs strided assignment, double", 100, Fixed<double>),
        new("RandomUnpool2D vs max_unpool2d, float", 100, RandomOffsets<float>),
        new("RandomUnpool2D vs max_unpool2d, double", 100, RandomOffsets<double>),
        new("RepeatUnpool2D vs upsample_nearest2d, float", 100, Repeat<float>),
        new("RepeatUnpool2D vs upsample_nearest2d, double", 100, Repeat<double>),
    ];

    private static void Fixed<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Block<T> b = Block<T>.Draw(c, withOffset: true);
        b.Compare(
            (d, degree) => Functional.FixedUnpool2D<T>(b.X, b.Shape, b.Factor, d, b.Offset, b.Size, Threads.Options(degree)),
            () =>
            {
                Tensor y = zeros(TorchOps.Dims(b.Shape.WithSpatialSize(b.OutSize)), TorchOps.Type<T>());
                Tensor targets = TorchOps.Strided(y, b.Offset.Height, b.Offset.Width, b.Factor.Height, b.Factor.Width);
                targets.copy_(TorchOps.Place(TorchOps.From(b.X, b.Shape), 0, 0, targets.shape[2], targets.shape[3]));
                return y;
            });
    }

    private static void RandomOffsets<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Block<T> b = Block<T>.Draw(c, withOffset: false);
        ulong seed = (ulong)c.Random.NextInt64() ^ ((ulong)c.Random.Next() << 63);
        c.Describe($"{c.Description}, seed {seed}");
        b.Compare(
            (d, degree) => Functional.RandomUnpool2D<T>(b.X, b.Shape, b.Factor, seed, d, b.Size, Threads.Options(degree)),
            () =>
            {
                // Each value's target in the default-size plane, from the formula in RandomUnpool2D's documentation.
                Size2D k = b.Factor;
                int h = b.Shape.Height, w = b.Shape.Width, fullW = w * k.Width;
                var indices = new long[b.Shape.ElementCount];
                for (long i = 0; i < indices.Length; i++)
                {
                    long plane = i / b.Shape.PlaneSize;
                    int ih = (int)(i / w % h), iw = (int)(i % w);
                    (int oh, int ow) = PublishedOffset(seed, plane, ih, iw, h, w, k);
                    indices[i] = (((long)ih * k.Height) + oh) * fullW + ((long)iw * k.Width) + ow;
                }

                Tensor full = nn.functional.max_unpool2d(
                    TorchOps.From(b.X, b.Shape), TorchOps.From(indices, b.Shape), TorchOps.Pair(k), TorchOps.Pair(k), [0, 0],
                    [b.Shape.Batch, b.Shape.Channels, h * k.Height, fullW]);
                return TorchOps.Place(full, 0, 0, b.OutSize.Height, b.OutSize.Width);
            });
    }

    private static void Repeat<T>(CaseContext c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Block<T> b = Block<T>.Draw(c, withOffset: false);
        b.Compare(
            (d, degree) => Functional.RepeatUnpool2D<T>(b.X, b.Shape, b.Factor, d, b.Size, Threads.Options(degree)),
            () =>
            {
                Tensor full = nn.functional.upsample_nearest2d(
                    TorchOps.From(b.X, b.Shape), [(long)b.Shape.Height * b.Factor.Height, (long)b.Shape.Width * b.Factor.Width]);
                return TorchOps.Place(full, 0, 0, b.OutSize.Height, b.OutSize.Width);
            });
    }

    /// <summary>
    /// The in-block offset of input cell (<paramref name="plane"/>, <paramref name="row"/>, <paramref name="column"/>),
    /// written from <c>RandomUnpool2D</c>'s XML documentation: SplitMix64's finalizer over the seed and the cell's
    /// linear position, then a multiply-shift into each factor.
    /// </summary>
    private static (int Row, int Column) PublishedOffset(ulong seed, long plane, int row, int column, int height, int width, Size2D factor)
    {
        unchecked
        {
            ulong b = ((((ulong)plane * (ulong)height) + (ulong)row) * (ulong)width) + (ulong)column;
            ulong z = seed + ((b + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return ((int)(((z & 0xFFFFFFFFUL) * (ulong)factor.Height) >> 32), (int)(((z >> 32) * (ulong)factor.Width) >> 32));
        }
    }

    /// <summary>A drawn block-unpooling case: input, factor 1-7 per axis, offset, and a default or explicit size.</summary>
    private sealed record Block<T>(T[] X, Shape4D Shape, Size2D Factor, Size2D Offset, Size2D? Size, Size2D OutSize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private CaseContext Context { get; init; } = null!;

        public static Block<T> Draw(CaseContext c, bool withOffset)
        {
            Random r = c.Random;
            bool large = r.Chance(0.1);
            Size2D factor = r.Chance(0.3) ? 2 : r.Pair(1, 7);
            (int n, int ch) = r.Batch();
            var shape = new Shape4D(n, ch, r.Extent(1, large), r.Extent(1, large));
            Size2D offset = withOffset ? new Size2D(r.Next(factor.Height), r.Next(factor.Width)) : default;
            var full = new Size2D(shape.Height * factor.Height, shape.Width * factor.Width);

            // An explicit size lies strictly within one factor of the default (PyTorch's unpooling rule).
            Size2D? size = r.Chance(0.5) ? null : new Size2D(
                Math.Max(1, full.Height + r.Between(1 - factor.Height, factor.Height - 1)),
                Math.Max(1, full.Width + r.Between(1 - factor.Width, factor.Width - 1)));
            c.Describe($"input {shape}, factor {factor}{(withOffset ? $", offset {offset}" : string.Empty)}, output {size?.ToString() ?? "default"}");
            return new Block<T>(r.Payload<T>(shape.ElementCount), shape, factor, offset, size, size ?? full) { Context = c };
        }

        /// <summary>Runs ours at 1 and 2 threads and the peer, and compares bit for bit.</summary>
        public void Compare(SpanAction<T, int> ours, Func<Tensor> peer)
        {
            using IDisposable scope = TorchOps.Scope();
            T[] expected = TorchOps.Read<T>(peer());
            Shape4D outShape = Shape.WithSpatialSize(OutSize);
            foreach (int degree in (int[])[1, 2])
            {
                var actual = new T[outShape.ElementCount];
                ours(actual, degree);
                Check.Exact<T>(expected, actual, outShape, $"{degree} thread(s)");
            }

            Context.Tag(Size is null ? "default output size" : OutSize.Height < Shape.Height * Factor.Height || OutSize.Width < Shape.Width * Factor.Width ? "explicit size, cropping" : "explicit size, not cropping");
        }
    }
}
