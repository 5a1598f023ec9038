using System.Numerics;
using CsCheck;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated cases of the backward passes against <see cref="BackwardReference"/>. The pooling family: a small shape
/// (N, C, H, W; W sometimes past every vector width) in either layout, a geometry per axis (kernel, stride, symmetric padding up to the kernel, dilation,
/// ceil mode; geometries that pool nothing or leave a window of only padding are tallied and skipped), switches drawn
/// as a random real cell of each element's own window, in every convention (the five affine ones from the per-plane
/// cells by <see cref="IndexConventionReference"/>, InWindow as the tap, also as bytes), float or double, 1 or 2
/// threads: <c>MaxPool2DBackward</c> equals the scatter-add, <c>MaxPool2DDoubleBackward</c> and (where the unpooling
/// size rule admits the input size) <c>MaxUnpool2DBackward</c> the gather. The block family: fixed, random and repeat
/// unpooling backward in 1-D, 2-D and 3-D, both layouts, factors 1-3, any offset, the default or an explicit output size
/// at the rule's edges, float, double or long, equal to the block oracle. Sometimes the case is spoiled (an index out of
/// its range, a destination or gradient one element short, an output size one factor past the default): then the call
/// is refused with the right exception and ParamName, and every element of the destination keeps its sentinel.
/// Gradients are small integers, so every sum is exact in float and the order of the oracle's loop is the contract's.
/// </summary>
public sealed class BackwardProperties
{
    /// <summary>How a case is spoiled.</summary>
    internal enum Spoil
    {
        None,
        Index,
        Destination,
        Gradient,
        OutputSize,
    }

    internal sealed record PoolingCase(
        int N, int C, int H, int W, PoolAxis Rows, PoolAxis Cols, bool Ceil, bool Last, IndexConvention Convention, bool Double, Spoil Spoil, int Seed, int Threads)
    {
        public override string ToString()
            => $"[{N},{C},{H},{W}] rows {Rows} cols {Cols}{(Ceil ? " ceil" : string.Empty)} {(Last ? "channels-last" : "channels-first")} {Convention} {(Double ? "double" : "float")} {Spoil} seed={Seed} threads={Threads}";
    }

    internal sealed record BlockCase(
        int Rank, int N, int C, (int D, int H, int W) Input, (int D, int H, int W) Factor, (int D, int H, int W) Offset, int Shift, int Op, bool Last, int Element, Spoil Spoil, int Seed, int Threads)
    {
        public override string ToString()
            => $"rank {Rank} {(Op == 0 ? "fixed" : Op == 1 ? "random" : "repeat")} N={N} C={C} input {Input} factor {Factor} offset {Offset} shift {Shift} {(Last ? "channels-last" : "channels-first")} {(Element == 0 ? "float" : Element == 1 ? "double" : "long")} {Spoil} seed={Seed} threads={Threads}";
    }

    private static readonly Gen<PoolAxis> Axis = Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[0, 2], Gen.Frequency((3, Gen.Const(1)), (1, Gen.Const(2))))
        .Select((k, s, p, d) => new PoolAxis(k, s, Math.Min(p, k - 1), d));

    private static readonly Gen<Spoil> Spoils = Gen.Frequency((10, Gen.Const(Spoil.None)), (1, Gen.Const(Spoil.Index)), (1, Gen.Const(Spoil.Destination)), (1, Gen.Const(Spoil.Gradient)));

    private static readonly Gen<PoolingCase> PoolingCases =
        Gen.Select(Gen.Int[1, 2], Gen.Int[1, 3], Gen.Int[1, 9], Gen.Frequency((3, Gen.Int[1, 12]), (1, Gen.Int[13, 70])), Axis, Axis, Gen.Bool)
            .SelectMany(a => Gen.Select(Gen.Bool, Gen.Int[0, 5].Select(c => (IndexConvention)c), Gen.Bool, Spoils, Gen.Int, Gen.Int[1, 2])
                .Select(b => new PoolingCase(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6, a.Item7, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5, b.Item6)));

    private static readonly Gen<(int, int, int)> Triple = Gen.Select(Gen.Int[1, 3], Gen.Int[1, 3], Gen.Int[1, 3]);

    private static readonly Gen<BlockCase> BlockingCases =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 2], Gen.Int[1, 3], Gen.Select(Gen.Int[1, 3], Gen.Int[1, 4], Gen.Frequency((3, Gen.Int[1, 9]), (1, Gen.Int[10, 40]))), Triple, Gen.Int[0, 8], Gen.Int[-2, 2])
            .SelectMany(a => Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Int[0, 2], Gen.Frequency((10, Gen.Const(Spoil.None)), (1, Gen.Const(Spoil.Destination)), (1, Gen.Const(Spoil.OutputSize))), Gen.Int, Gen.Int[1, 2])
                .Select(b => MakeBlock(a, b)));

    private static BlockCase MakeBlock(
        (int Rank, int N, int C, (int D, int H, int W) Input, (int D, int H, int W) Factor, int Offset, int Shift) a, (int Op, bool Last, int Element, Spoil Spoil, int Seed, int Threads) b)
    {
        // Lower ranks are depth 1 (and height 1): the oracle's 3-D loop serves every rank.
        (int D, int H, int W) input = a.Rank == 3 ? a.Input : a.Rank == 2 ? (1, a.Input.H, a.Input.W) : (1, 1, a.Input.W);
        (int D, int H, int W) factor = a.Rank == 3 ? a.Factor : a.Rank == 2 ? (1, a.Factor.H, a.Factor.W) : (1, 1, a.Factor.W);
        (int D, int H, int W) offset = (a.Offset % factor.D, a.Offset / 3 % factor.H, a.Offset % factor.W);
        return new BlockCase(a.Rank, a.N, a.C, input, factor, b.Op == 0 ? offset : default, a.Shift, b.Op, b.Last, b.Element, b.Spoil, b.Seed, b.Threads);
    }

    [Fact]
    public void MaxPoolBackwardsAreTheScatterAndTheGatherOrARefusal()
        => Property.Check("MaxPool2DBackward/DoubleBackward, MaxUnpool2DBackward", PoolingCases, static (c, tally) =>
        {
            if (c.Double)
            {
                Pool<double>(c, tally);
            }
            else
            {
                Pool<float>(c, tally);
            }
        }, 8000, static c => c.ToString());

    [Fact]
    public void BlockBackwardsAreTheBlockOracleOrARefusal()
        => Property.Check("Fixed/Random/RepeatUnpool1D/2D/3DBackward", BlockingCases, static (c, tally) =>
        {
            switch (c.Element)
            {
                case 0:
                    Block<float>(c, tally);
                    break;
                case 1:
                    Block<double>(c, tally);
                    break;
                default:
                    Block<long>(c, tally);
                    break;
            }
        }, 10000, static c => c.ToString());

    private static void Pool<T>(PoolingCase c, Property.Tally tally)
        where T : unmanaged, INumber<T>
    {
        var size = new Size2D(c.H, c.W);
        Pool2DGeometry geometry;
        Size2D pooledSize;
        try
        {
            geometry = new Pool2DGeometry(
                new Size2D(c.Rows.Kernel, c.Cols.Kernel), new Size2D(c.Rows.Stride, c.Cols.Stride), new Size2D(c.Rows.Padding, c.Cols.Padding),
                new Size2D(c.Rows.Dilation, c.Cols.Dilation), c.Ceil);
            pooledSize = geometry.GetOutputSize(size);
        }
        catch (ArgumentException)
        {
            tally.Add("skipped: the geometry pools nothing");
            return;
        }

        var first = new Shape4D(c.N, c.C, c.H, c.W);
        Shape4D pooledFirst = first.WithSpatialSize(pooledSize);
        Shape4D shape = c.Last ? Shape4D.ChannelsLast(c.N, c.H, c.W, c.C) : first;
        Shape4D pooled = shape.WithSpatialSize(pooledSize);
        int planes = c.N * c.C;
        long plane = (long)c.H * c.W, pooledPlane = pooledFirst.PlaneSize;
        var random = new Random(c.Seed);
        long[] perPlane = Switches(random, planes, pooledSize, size, c.Rows, c.Cols, out long[] taps);
        long[] indices = c.Convention == IndexConvention.InWindow ? taps : IndexConventionReference.FromPerPlane(perPlane, pooledFirst, size, c.Convention);
        T[] g = BackwardReference.Integers<T>((int)pooledFirst.ElementCount, c.Seed);
        T[] gg = BackwardReference.Integers<T>((int)first.ElementCount, c.Seed + 1);
        T[] expected = BackwardReference.ScatterAdd(g, perPlane, planes, pooledPlane, plane);
        T[] expectedGather = BackwardReference.Gather(gg, perPlane, planes, pooledPlane, plane);
        if (c.Last)
        {
            (g, gg, indices) = (Last(g, c, pooledPlane), Last(gg, c, plane), Last(indices, c, pooledPlane));
            (expected, expectedGather) = (Last(expected, c, plane), Last(expectedGather, c, pooledPlane));
        }

        ExecutionOptions options = Threads.Options(c.Threads);
        string context = c.ToString();
        T sentinel = T.CreateTruncating(77);
        if (c.Spoil != Spoil.None)
        {
            var dx = Enumerable.Repeat(sentinel, (int)first.ElementCount - (c.Spoil == Spoil.Destination ? 1 : 0)).ToArray();
            T[] gradient = c.Spoil == Spoil.Gradient ? g[..^1] : g;
            string name = c.Spoil switch { Spoil.Index => "indices", Spoil.Destination => "sourceGradient", _ => "outputGradient" };
            if (c.Spoil == Spoil.Index)
            {
                // One index at the end of its convention's range: no cell of its scope.
                indices = (long[])indices.Clone();
                indices[random.Next(indices.Length)] = c.Convention == IndexConvention.InWindow ? (long)c.Rows.Kernel * c.Cols.Kernel : IndexConventionReference.Space(c.Convention, first);
            }

            string category = c.Spoil == Spoil.Index
                ? Property.Refused<ArgumentOutOfRangeException>(name, () => Functional.MaxPool2DBackward<T, long>(gradient, indices, pooled, geometry, dx, size, c.Convention, options), context)
                : Property.Refused<ArgumentException>(name, () => Functional.MaxPool2DBackward<T, long>(gradient, indices, pooled, geometry, dx, size, c.Convention, options), context);
            Assert.True(dx.All(v => v == sentinel), $"{context}: a refused call wrote its destination.");
            tally.Add(category);
            return;
        }

        var actual = new T[first.ElementCount];
        Functional.MaxPool2DBackward<T, long>(g, indices, pooled, geometry, actual, size, c.Convention, options);
        PoolCases.Equal(expected, actual, "backward", context);
        if (c.Convention == IndexConvention.InWindow && (long)c.Rows.Kernel * c.Cols.Kernel <= 256)
        {
            byte[] bytes = [.. indices.Select(i => (byte)i)];
            Array.Fill(actual, sentinel);
            Functional.MaxPool2DBackward<T, byte>(g, bytes, pooled, geometry, actual, size, IndexConvention.InWindow, options);
            PoolCases.Equal(expected, actual, "backward from byte switches", context);
            tally.Add("byte switches");
        }

        var gathered = new T[pooledFirst.ElementCount];
        Functional.MaxPool2DDoubleBackward<T, long>(gg, indices, pooled, geometry, gathered, size, c.Convention, options);
        PoolCases.Equal(expectedGather, gathered, "double backward", context);

        // The unpooling's backward where its size rule (strictly within one stride of the default) admits the input size.
        if (c.Rows.Dilation == 1 && c.Cols.Dilation == 1 && Admits(c.H, pooledSize.Height, c.Rows) && Admits(c.W, pooledSize.Width, c.Cols))
        {
            Array.Fill(gathered, sentinel);
            Functional.MaxUnpool2DBackward<T, long>(gg, indices, pooled, geometry, gathered, size, c.Convention, options);
            PoolCases.Equal(expectedGather, gathered, "unpooling backward", context);
            tally.Add("with unpooling backward");
        }

        tally.Add($"result ({(c.Rows.Stride < Effective(c.Rows) || c.Cols.Stride < Effective(c.Cols) ? "overlapping" : "tiling")})");
    }

    private static int Effective(PoolAxis a) => (a.Dilation * (a.Kernel - 1)) + 1;

    private static bool Admits(int input, int pooled, PoolAxis a)
    {
        long standard = ((long)(pooled - 1) * a.Stride) - (2 * a.Padding) + a.Kernel;
        return input > standard - a.Stride && input < standard + a.Stride;
    }

    /// <summary>A random real cell of each element's window (per-plane) and its tap, for channels-first element order.</summary>
    private static long[] Switches(Random random, int planes, Size2D pooled, Size2D size, PoolAxis rows, PoolAxis cols, out long[] taps)
    {
        var cells = new long[(long)planes * pooled.Height * pooled.Width];
        taps = new long[cells.Length];
        long k = 0;
        for (int p = 0; p < planes; p++)
        {
            for (int oh = 0; oh < pooled.Height; oh++)
            {
                for (int ow = 0; ow < pooled.Width; ow++, k++)
                {
                    // Every window holds a real cell (the geometry guarantees it); draw taps until one lands on one.
                    while (true)
                    {
                        int th = random.Next(rows.Kernel), tw = random.Next(cols.Kernel);
                        long h = ((long)oh * rows.Stride) - rows.Padding + ((long)th * rows.Dilation);
                        long w = ((long)ow * cols.Stride) - cols.Padding + ((long)tw * cols.Dilation);
                        if (h >= 0 && h < size.Height && w >= 0 && w < size.Width)
                        {
                            cells[k] = (h * size.Width) + w;
                            taps[k] = ((long)th * cols.Kernel) + tw;
                            break;
                        }
                    }
                }
            }
        }

        return cells;
    }

    private static TValue[] Last<TValue>(TValue[] data, PoolingCase c, long cells) => BackwardReference.ToChannelsLast(data, c.N, c.C, cells);

    private static void Block<T>(BlockCase c, Property.Tally tally)
        where T : unmanaged, INumberBase<T>
    {
        (int D, int H, int W) input = c.Input, k = c.Factor;
        int Shifted(int i, int f, bool axisUsed) => axisUsed && f > 1 ? Math.Max(1, (i * f) + Math.Clamp(c.Shift, -(f - 1), f - 1)) : i * f;
        bool explicitSize = c.Shift != 0;
        (int D, int H, int W) output = (Shifted(input.D, k.D, c.Rank == 3), Shifted(input.H, k.H, c.Rank >= 2), Shifted(input.W, k.W, true));
        if (c.Spoil == Spoil.OutputSize)
        {
            // One factor past the default on the width: outside the rule.
            (output, explicitSize) = (output with { W = (input.W * k.W) + k.W }, true);
        }

        int planes = c.N * c.C;
        long inCells = (long)input.D * input.H * input.W, outCells = (long)output.D * output.H * output.W;
        ulong seed = (ulong)(uint)c.Seed * 0x9E3779B9UL;
        T[] dy = BackwardReference.Integers<T>((int)(planes * outCells), c.Seed);
        Func<long, int, int, int, (int, int, int)> offsetOf = c.Op == 1
            ? (p, d, h, w) => BackwardReference.RandomOffset(seed, p, d, h, w, input, k)
            : (_, _, _, _) => c.Offset;
        T[] expected = BackwardReference.BlockBackward(dy, planes, input, output, k, c.Op == 2, offsetOf);
        if (c.Last)
        {
            dy = BackwardReference.ToChannelsLast(dy, c.N, c.C, outCells);
            expected = BackwardReference.ToChannelsLast(expected, c.N, c.C, inCells);
        }

        T sentinel = T.CreateTruncating(77);
        T[] dx = Enumerable.Repeat(sentinel, (int)(planes * inCells) - (c.Spoil == Spoil.Destination ? 1 : 0)).ToArray();
        ExecutionOptions options = Threads.Options(c.Threads);
        void Call()
        {
            var f3 = new Size3D(k.D, k.H, k.W);
            var o3 = new Size3D(c.Offset.D, c.Offset.H, c.Offset.W);
            switch (c.Rank)
            {
                case 3:
                    Shape5D s5 = c.Last ? Shape5D.ChannelsLast(c.N, input.D, input.H, input.W, c.C) : new Shape5D(c.N, c.C, input.D, input.H, input.W);
                    Size3D? z3 = explicitSize ? new Size3D(output.D, output.H, output.W) : null;
                    if (c.Op == 0)
                    {
                        Functional.FixedUnpool3DBackward<T>(dy, s5, f3, dx, o3, z3, options);
                    }
                    else if (c.Op == 1)
                    {
                        Functional.RandomUnpool3DBackward<T>(dy, s5, f3, seed, dx, z3, options);
                    }
                    else
                    {
                        Functional.RepeatUnpool3DBackward<T>(dy, s5, f3, dx, z3, options);
                    }

                    break;
                case 2:
                    Shape4D s4 = c.Last ? Shape4D.ChannelsLast(c.N, input.H, input.W, c.C) : new Shape4D(c.N, c.C, input.H, input.W);
                    Size2D? z2 = explicitSize ? new Size2D(output.H, output.W) : null;
                    if (c.Op == 0)
                    {
                        Functional.FixedUnpool2DBackward<T>(dy, s4, new Size2D(k.H, k.W), dx, new Size2D(c.Offset.H, c.Offset.W), z2, options);
                    }
                    else if (c.Op == 1)
                    {
                        Functional.RandomUnpool2DBackward<T>(dy, s4, new Size2D(k.H, k.W), seed, dx, z2, options);
                    }
                    else
                    {
                        Functional.RepeatUnpool2DBackward<T>(dy, s4, new Size2D(k.H, k.W), dx, z2, options);
                    }

                    break;
                default:
                    Shape3D s3 = c.Last ? Shape3D.ChannelsLast(c.N, input.W, c.C) : new Shape3D(c.N, c.C, input.W);
                    int? z1 = explicitSize ? output.W : null;
                    if (c.Op == 0)
                    {
                        Functional.FixedUnpool1DBackward<T>(dy, s3, k.W, dx, c.Offset.W, z1, options);
                    }
                    else if (c.Op == 1)
                    {
                        Functional.RandomUnpool1DBackward<T>(dy, s3, k.W, seed, dx, z1, options);
                    }
                    else
                    {
                        Functional.RepeatUnpool1DBackward<T>(dy, s3, k.W, dx, z1, options);
                    }

                    break;
            }
        }

        string context = c.ToString();
        if (c.Spoil != Spoil.None)
        {
            tally.Add(Property.Refused<ArgumentException>(c.Spoil == Spoil.Destination ? "sourceGradient" : "outputSize", Call, context));
            Assert.True(dx.All(v => v == sentinel), $"{context}: a refused call wrote its destination.");
            return;
        }

        Call();
        PoolCases.Equal(expected, dx, "block backward", context);
        tally.Add($"result rank {c.Rank}{(explicitSize ? " explicit size" : string.Empty)}");
    }
}
