using Unpooling.Conformance.Infrastructure;
using static TorchSharp.torch;

namespace Unpooling.Conformance;

/// <summary>
/// The 1-D and 3-D block family against libtorch, bit for bit, on fixed grids of shapes, factors, offsets and output
/// sizes: <c>RepeatUnpool</c> against <c>upsample_nearest1d/3d</c>; <c>FixedUnpool</c> (the upper-left and other
/// offsets) and <c>RandomUnpool</c> (the offsets of the published formula) against <c>max_unpool1d/3d</c> with
/// indices computed here by hand arithmetic; <c>ZeroInsert</c> against <c>conv_transpose1d/3d</c> with a one-hot
/// depthwise kernel; <c>StridedSubsample</c> against strided slicing. An explicit output size is the peer's default
/// result cropped or zero-padded at the end (SEMANTICS.md 3); for a larger size <c>max_unpool</c> takes it directly.
/// </summary>
public sealed class BlockRanksTorchTests
{
    private static readonly (int N, int C, int D, int H, int W)[] Volumes = [(1, 1, 1, 1, 1), (2, 3, 2, 3, 5), (1, 2, 3, 4, 17), (2, 1, 1, 2, 33)];

    private static readonly Size3D[] Factors = [new(1, 1, 1), new(2, 2, 2), new(1, 2, 4), new(3, 1, 2), new(2, 3, 1)];

    [Fact]
    public void RepeatEqualsUpsampleNearest()
    {
        using IDisposable scope = TorchOps.Scope();
        foreach (var v in Volumes)
        {
            float[] x = Values(v.N * v.C * v.D * v.H * v.W, v.W);
            foreach (Size3D k in Factors)
            {
                var full = new Size3D(v.D * k.Depth, v.H * k.Height, v.W * k.Width);
                Tensor peer3 = nn.functional.upsample_nearest3d(TorchOps.From(x, v.N, v.C, v.D, v.H, v.W), [full.Depth, full.Height, full.Width]);
                foreach (Size3D size in Sizes(full, k))
                {
                    var ours = new float[v.N * v.C * size.Volume];
                    Functional.RepeatUnpool3D<float>(x, new Shape5D(v.N, v.C, v.D, v.H, v.W), k, ours, size);
                    Same(Fit(peer3, size), ours, $"RepeatUnpool3D {v} factor {k} size {size}");
                }

                // 1-D: the rows of the same data as [N, C*D*H, W].
                int planes = v.C * v.D * v.H;
                Tensor peer1 = nn.functional.upsample_nearest1d(TorchOps.From(x, v.N, planes, v.W), (long)v.W * k.Width, null);
                foreach (int length in new[] { v.W * k.Width, (v.W * k.Width) - k.Width + 1, (v.W * k.Width) + k.Width - 1 }.Distinct())
                {
                    var ours = new float[v.N * planes * length];
                    Functional.RepeatUnpool1D<float>(x, new Shape3D(v.N, planes, v.W), k.Width, ours, length);
                    Same(Fit(peer1, new Size3D(1, 1, length)), ours, $"RepeatUnpool1D {v} factor {k.Width} length {length}");
                }
            }
        }
    }

    [Fact]
    public void FixedAndRandomEqualMaxUnpoolWithHandIndices()
    {
        using IDisposable scope = TorchOps.Scope();
        foreach (var v in Volumes)
        {
            float[] x = Values(v.N * v.C * v.D * v.H * v.W, v.H + 1);
            var shape = new Shape5D(v.N, v.C, v.D, v.H, v.W);
            foreach (Size3D k in Factors)
            {
                var full = new Size3D(v.D * k.Depth, v.H * k.Height, v.W * k.Width);
                foreach (Size3D a in new Size3D[] { new(0, 0, 0), new(k.Depth - 1, k.Height - 1, k.Width - 1), new(k.Depth / 2, 0, k.Width / 2) }.Distinct())
                {
                    foreach (Size3D size in Sizes(full, k))
                    {
                        var ours = new float[v.N * v.C * size.Volume];
                        Functional.FixedUnpool3D<float>(x, shape, k, ours, a, size);
                        Same(MaxUnpool3D(x, v, k, size, (_, _, _, _) => a), ours, $"FixedUnpool3D {v} factor {k} offset {a} size {size}");

                        // 1-D over the rows of the same data: offset a.Width.
                        int planes = v.C * v.D * v.H, length = size.Width;
                        var line = new float[v.N * planes * length];
                        Functional.FixedUnpool1D<float>(x, new Shape3D(v.N, planes, v.W), k.Width, line, a.Width, length);
                        Same(MaxUnpool1D(x, v.N, planes, v.W, k.Width, length, (_, _) => a.Width), line, $"FixedUnpool1D {v} factor {k.Width} offset {a.Width} length {length}");
                    }
                }

                foreach (ulong seed in new[] { 7UL, 0x0123456789ABCDEFUL })
                {
                    var ours = new float[v.N * v.C * full.Volume];
                    Functional.RandomUnpool3D<float>(x, shape, k, seed, ours);
                    Same(MaxUnpool3D(x, v, k, full, (p, id, ih, iw) => PublishedOffset(seed, p, id, ih, iw, v, k)), ours, $"RandomUnpool3D {v} factor {k} seed {seed}");
                    int planes = v.C * v.D * v.H;
                    var line = new float[v.N * planes * v.W * k.Width];
                    Functional.RandomUnpool1D<float>(x, new Shape3D(v.N, planes, v.W), k.Width, seed, line);
                    Same(MaxUnpool1D(x, v.N, planes, v.W, k.Width, v.W * k.Width, (p, i) => PublishedOffset(seed, p, 0, 0, i, (v.N, planes, 1, 1, v.W), new Size3D(1, 1, k.Width)).Width), line, $"RandomUnpool1D {v} factor {k.Width} seed {seed}");
                }
            }
        }
    }

    [Fact]
    public void ZeroInsertEqualsOneHotConvTransposeAndSubsampleEqualsSlicing()
    {
        using IDisposable scope = TorchOps.Scope();
        foreach (var v in Volumes)
        {
            float[] x = Values(v.N * v.C * v.D * v.H * v.W, v.C + 2);
            var shape = new Shape5D(v.N, v.C, v.D, v.H, v.W);
            Tensor input = TorchOps.From(x, v.N, v.C, v.D, v.H, v.W);
            foreach (Size3D s in Factors.Append(new Size3D(3, 2, 5)))
            {
                var spread = new Size3D(((v.D - 1) * s.Depth) + 1, ((v.H - 1) * s.Height) + 1, ((v.W - 1) * s.Width) + 1);
                var ours = new float[v.N * v.C * spread.Volume];
                Functional.ZeroInsert3D<float>(x, shape, s, ours);
                Tensor oneHot3 = ones([v.C, 1, 1, 1, 1], ScalarType.Float32);
                Same(nn.functional.conv_transpose3d(input, oneHot3, null, [s.Depth, s.Height, s.Width], groups: v.C), ours, $"ZeroInsert3D {v} stride {s}");

                var kept = new Size3D(((v.D - 1) / s.Depth) + 1, ((v.H - 1) / s.Height) + 1, ((v.W - 1) / s.Width) + 1);
                var sub = new float[v.N * v.C * kept.Volume];
                Functional.StridedSubsample3D<float>(x, shape, s, sub);
                Same(input.slice(2, 0, v.D, s.Depth).slice(3, 0, v.H, s.Height).slice(4, 0, v.W, s.Width), sub, $"StridedSubsample3D {v} stride {s}");

                int planes = v.C * v.D * v.H;
                Tensor rows = TorchOps.From(x, v.N, planes, v.W);
                var line = new float[v.N * planes * spread.Width];
                Functional.ZeroInsert1D<float>(x, new Shape3D(v.N, planes, v.W), s.Width, line);
                Same(nn.functional.conv_transpose1d(rows, ones([planes, 1, 1], ScalarType.Float32), null, s.Width, groups: planes), line, $"ZeroInsert1D {v} stride {s.Width}");
                var lineSub = new float[v.N * planes * kept.Width];
                Functional.StridedSubsample1D<float>(x, new Shape3D(v.N, planes, v.W), s.Width, lineSub);
                Same(rows.slice(2, 0, v.W, s.Width), lineSub, $"StridedSubsample1D {v} stride {s.Width}");
            }
        }
    }

    /// <summary>max_unpool3d of <paramref name="x"/> with each value's index in a plane of <paramref name="size"/>
    /// computed by hand from its offset; values whose target falls past a smaller size are left out (they are dropped).</summary>
    private static Tensor MaxUnpool3D(float[] x, (int N, int C, int D, int H, int W) v, Size3D k, Size3D size, Func<long, int, int, int, Size3D> offset)
    {
        var big = new Size3D(Math.Max(size.Depth, v.D * k.Depth), Math.Max(size.Height, v.H * k.Height), Math.Max(size.Width, v.W * k.Width));
        var indices = new long[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int iw = i % v.W, ih = i / v.W % v.H, id = i / (v.W * v.H) % v.D;
            long plane = i / (v.W * v.H * v.D);
            Size3D a = offset(plane, id, ih, iw);
            indices[i] = ((((long)id * k.Depth) + a.Depth) * big.Height + ((long)ih * k.Height) + a.Height) * big.Width + ((long)iw * k.Width) + a.Width;
        }

        Tensor peer = nn.functional.max_unpool3d(TorchOps.From(x, v.N, v.C, v.D, v.H, v.W), TorchOps.From(indices, v.N, v.C, v.D, v.H, v.W), [k.Depth, k.Height, k.Width], [k.Depth, k.Height, k.Width], [0, 0, 0], [v.N, v.C, big.Depth, big.Height, big.Width]);
        return Fit(peer, size);
    }

    private static Tensor MaxUnpool1D(float[] x, int n, int planes, int w, int k, int length, Func<long, int, int> offset)
    {
        int big = Math.Max(length, w * k);
        var indices = new long[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            indices[i] = ((long)(i % w) * k) + offset(i / w, i % w);
        }

        Tensor peer = nn.functional.max_unpool1d(TorchOps.From(x, n, planes, w), TorchOps.From(indices, n, planes, w), k, k, 0, [n, planes, big]);
        return Fit(peer, new Size3D(1, 1, length));
    }

    /// <summary>
    /// The offset of <c>RandomUnpool3D</c>'s remarks, written from the documentation: SplitMix64 over the seed and
    /// cell <c>((p*D + id)*H + ih)*W + iw</c>, the low half scaled to <c>kD*kH</c> (depth, row), the high half to <c>kW</c>.
    /// </summary>
    private static Size3D PublishedOffset(ulong seed, long plane, int id, int ih, int iw, (int N, int C, int D, int H, int W) v, Size3D k)
    {
        unchecked
        {
            ulong b = (((((ulong)plane * (ulong)v.D) + (ulong)id) * (ulong)v.H + (ulong)ih) * (ulong)v.W) + (ulong)iw;
            ulong z = seed + ((b + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            ulong t = ((z & 0xFFFFFFFFUL) * (ulong)(k.Depth * k.Height)) >> 32;
            return new Size3D((int)(t / (ulong)k.Height), (int)(t % (ulong)k.Height), (int)(((z >> 32) * (ulong)k.Width) >> 32));
        }
    }

    /// <summary>The default size, then smaller and larger by <c>k - 1</c> on every axis (the rule's extremes).</summary>
    private static IEnumerable<Size3D> Sizes(Size3D full, Size3D k)
        => new[]
        {
            full,
            new Size3D(full.Depth - k.Depth + 1, full.Height - k.Height + 1, full.Width - k.Width + 1),
            new Size3D(full.Depth + k.Depth - 1, full.Height + k.Height - 1, full.Width + k.Width - 1),
            new Size3D(full.Depth, full.Height + k.Height - 1, full.Width - k.Width + 1),
        }.Distinct();

    /// <summary>A tensor's last one or three axes cropped or zero-padded at the end to <paramref name="size"/>.</summary>
    private static Tensor Fit(Tensor t, Size3D size)
    {
        long[] dims = t.shape.ToArray();
        long[] target = dims.Length == 3 ? [dims[0], dims[1], size.Width] : [dims[0], dims[1], size.Depth, size.Height, size.Width];
        Tensor result = zeros(target, t.dtype);
        Tensor from = t, to = result;
        for (int axis = 2; axis < dims.Length; axis++)
        {
            long keep = Math.Min(dims[axis], target[axis]);
            from = from.narrow(axis, 0, keep);
            to = to.narrow(axis, 0, keep);
        }

        to.copy_(from);
        return result;
    }

    private static void Same(Tensor peer, float[] ours, string context)
    {
        float[] expected = TorchOps.Read<float>(peer.contiguous());
        Assert.True(expected.Length == ours.Length, $"{context}: {ours.Length} elements, libtorch has {expected.Length}");
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(ours[i]), $"{context}: element {i} is {ours[i]}, libtorch has {expected[i]}");
        }
    }

    private static float[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)random.Next(1, 1000)).ToArray();
    }
}
