using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Unpooling.Internal;
using Unpooling.Tests.ChannelsLast;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Conv;

/// <summary>
/// The channels-last convolutions of every rank (<c>[N, L, C]</c>, <c>[N, H, W, C]</c>, <c>[N, D, H, W, C]</c>; weights
/// in PyTorch's logical layouts) against the channels-first oracles <see cref="ConvReference3D"/> applied to the
/// permuted tensors (<see cref="ChannelsLastReference"/>): a grid of strides, asymmetric padding, dilation, groups and
/// output padding, channels at every vector boundary called at each width, 1 and 2 threads bit-identical, the bounded
/// scratch paths, TensorSpan channels_last views read and written without a copy, and validation.
/// </summary>
public abstract unsafe class ConvChannelsLastTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The 3-D grid of <see cref="Conv3DTests{T}"/> (each axis: kernel, stride, pad begin, pad end, dilation, output padding).</summary>
    public static TheoryData<ConvRankCase> Cases => Conv3DTests<float>.Cases;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv3DAndConvTranspose3DMatchTheOracle(ConvRankCase c)
    {
        Check(3, false, c, 2, 3, 2);
        Check(3, true, c, 2, 3, 2);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2DAndConvTranspose2DMatchTheOracle(ConvRankCase c)
    {
        Check(2, false, c, 2, 5, 3);
        Check(2, true, c, 2, 3, 5);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv1DAndConvTranspose1DMatchTheOracle(ConvRankCase c)
    {
        Check(1, false, c, 3, 4, 3);
        Check(1, true, c, 3, 3, 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ManyPixelBlocksAndThreadsMatchTheOracle(bool transposed)
    {
        // 23x21 pixels: several 96-pixel GEMM row blocks, split between the threads (forward) or by channels (transposed).
        var c = new ConvRankCase(new RefAxisTriple([1, 1, 0, 0, 1, 0], [3, 2, 1, 1, 1, 1], [4, 1, 2, 1, 2, 0]), 1);
        Check(2, transposed, c, 1, 6, 20, [1, 23, 21]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void TransposedChannelSplitsAreBitIdenticalAtEveryThreadCount(int n)
    {
        // Too few samples for the cores: the channels-last kernel splits its 20 output channels into degree / gcd(n,
        // degree) items (10 + 10, 7 + 7 + 6, 5 x 4), runs of channels that are not whole vectors (the scatter's masked
        // tail). 16 taps in tap blocks of 12 (the second starts at kernel row 3) over 99 input pixels in GEMM row blocks
        // of 96 (the second starts at row 8, column 8).
        var c = new ConvRankCase(new RefAxisTriple([1, 1, 0, 0, 1, 0], [4, 2, 1, 1, 1, 0], [4, 2, 1, 1, 1, 1]), 1);
        Check(3, true, c, n, 6, 20, [1, 9, 11], maxThreads: 4);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void TransposedConvolutionIsTheChannelsFirstResultPermutedBitForBit(int chunk)
    {
        // A channels-last transposed convolution runs the channels-first kernel on transposed copies, whole samples at
        // a time: the same bits as channels-first, for any chunk of samples and any thread count. The channels-last
        // kernel would not give them: 110 input pixels (two of its row blocks of 96) and 40 output channels per group
        // (tap blocks of 6 of the 12 taps) make it add an output element's terms in another order than col2im.
        var g = new Conv2DGeometry(new Size2D(3, 4), new Size2D(2, 3), new Size2D(1, 0), new Size2D(1, 2), groups: 2, outputPadding: new Size2D(1, 0));
        var xs = new Shape4D(3, 4, 11, 10);
        var ws = new Shape4D(4, 40, 3, 4);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 44);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 45);
        T[] bias = ConvData.Uniform<T>(80, 46);
        Size2D o = g.GetTransposedOutputSize(xs.SpatialSize);
        int plane = o.Height * o.Width;
        var first = new T[3 * 80 * plane];
        Functional.ConvTranspose2D<T>(x, xs, w, ws, bias, g, first);
        T[] expected = ChannelsLastReference.ToChannelsLast(first, 3, 80, plane);
        T[] lastSource = ChannelsLastReference.ToChannelsLast(x, 3, 4, 110);
        Functional.TransposedChunkSamplesForTests = chunk;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var last = new GuardedBuffer<T>(first.Length);
                Functional.ConvTranspose2D<T>(lastSource, Shape4D.ChannelsLast(3, 11, 10, 4), w, ws, bias, g, last.Span, Threads.Options(threads));
                last.AssertGuardsIntact($"chunk {chunk}, {threads} threads");
                BitAssert.Equal<T>(expected, last.ToArray(), $"channels-last vs channels-first, chunk {chunk}, {threads} threads");
            }
        }
        finally
        {
            Functional.TransposedChunkSamplesForTests = 0;
        }
    }

    [Fact]
    public void ForwardConvolutionIsTheChannelsFirstResultPermutedBitForBit()
    {
        // The reduction runs in the channels-first order with the same chains, so the two layouts agree exactly.
        var g = new Conv2DGeometry(new Size2D(3, 2), new Size2D(2, 1), new Size2D(1, 0), new Size2D(1, 2), groups: 2);
        var xs = new Shape4D(2, 6, 9, 11);
        var ws = new Shape4D(4, 3, 3, 2);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 41);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 42);
        T[] bias = ConvData.Uniform<T>(4, 43);
        Size2D o = g.GetOutputSize(xs.SpatialSize);
        var first = new T[2 * 4 * o.Height * o.Width];
        Functional.Conv2D<T>(x, xs, w, ws, bias, g, first);
        var last = new T[first.Length];
        Functional.Conv2D<T>(ChannelsLastReference.ToChannelsLast(x, 2, 6, 99), Shape4D.ChannelsLast(2, 9, 11, 6), w, ws, bias, g, last);
        BitAssert.Equal<T>(ChannelsLastReference.ToChannelsLast(first, 2, 4, o.Height * o.Width), last, "channels-last vs channels-first");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BoundedScratchPathsMatchTheOracle(bool transposed)
    {
        // A reduction past one chunk (2,700 = 300 * 3 * 3 forward, 2,100 input channels transposed): the chains continue
        // across chunks.
        var chunked = new ConvRankCase(new RefAxisTriple([1, 1, 0, 0, 1, 0], [3, 1, 1, 0, 1, 0], [transposed ? 2 : 3, transposed ? 2 : 1, 0, 1, 1, 0]), 1);
        Check(2, transposed, chunked, 1, transposed ? 2100 : 300, 3, [1, 4, 3]);

        // A depthwise 1x1 over 2^19 + 1 groups: the packed weights (32 columns per channel) pass their cap, so each block
        // packs its own.
        const int groups = (1 << 19) + 1;
        var g = new Conv3DGeometry(1, groups: groups);
        var xs = Shape5D.ChannelsLast(1, 1, 1, 1, groups);
        Assert.False(new ConvKernel.ChannelsLastPlan(transposed, xs, groups, new Size3D(1, 1, 1), g, 1).Prepacked, "the shape should pack per block");
        T[] x = ConvData.Integers<T>(groups, 51);
        T[] w = ConvData.Integers<T>(groups, 52);
        T[] bias = ConvData.Integers<T>(groups, 53);
        var y = new T[groups];
        if (transposed)
        {
            Functional.ConvTranspose3D<T>(x, xs, w, new Shape5D(groups, 1, 1, 1, 1), bias, g, y, Threads.Options(2));
        }
        else
        {
            Functional.Conv3D<T>(x, xs, w, new Shape5D(groups, 1, 1, 1, 1), bias, g, y, Threads.Options(2));
        }

        for (int i = 0; i < groups; i++)
        {
            if (y[i] != (x[i] * w[i]) + bias[i])
            {
                Assert.Fail($"channel {i}: {y[i]}, expected {x[i]} * {w[i]} + {bias[i]}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TensorSpanChannelsLastViewsRunInPlaceAndAllocatingFormsReturnChannelsLast(int rank)
    {
        (int n, int cin, int cout) = (2, 4, 6);
        int[] size = rank switch { 1 => [1, 1, 7], 2 => [1, 5, 6], _ => [3, 4, 5] };
        int[] spatial = size[(3 - rank)..];
        int pixels = size[0] * size[1] * size[2];
        RefAxis axis = new(3, 2, 1, 1, 1, 1);
        RefAxis[] axes = [rank == 3 ? axis : new RefAxis(1), rank >= 2 ? axis : new RefAxis(1), axis];
        T[] x = ConvData.Integers<T>(n * cin * pixels, 61);
        T[] w = ConvData.Integers<T>(cin * cout * 27, 62)[..(cin * cout * (int)Math.Pow(3, rank))];
        T[] bias = ConvData.Integers<T>(cout, 63);
        T[] expectedFirst = ConvReference3D.ConvTranspose(ChannelsLastReference.ToChannelsFirst(x, n, cin, pixels), n, cin, size, w, cout, axes, 1, bias).Output;
        int outPixels = expectedFirst.Length / (n * cout);
        T[] expected = ChannelsLastReference.ToChannelsLast(expectedFirst, n, cout, outPixels);
        int[] outSpatial = spatial.Select(s => axis.TransposedOut(s)).ToArray();
        nint[] inLengths = [n, cin, .. spatial.Select(s => (nint)s)];
        nint[] outLengths = [n, cout, .. outSpatial.Select(s => (nint)s)];
        nint[] wLengths = [cin, cout, .. Enumerable.Repeat((nint)3, rank)];
        var source = new ReadOnlyTensorSpan<T>(x, inLengths, ConvChannelsLastStrides(inLengths));
        var weight = Tensor.Create(w, wLengths).AsReadOnlyTensorSpan();
        var into = new T[expected.Length];
        var destination = new TensorSpan<T>(into, outLengths, ConvChannelsLastStrides(outLengths));

        TensorAdapter.t_channelsLastInPlace = 0;
        ConvTransposeAnyRank(rank, source, weight, bias, destination);
        Assert.Equal(2, TensorAdapter.t_channelsLastInPlace);
        ConvAssert.Exact<T>(expected, into, $"rank {rank} TensorSpan channels_last in place");

        // A row-major destination receives the same values through a channels-last buffer.
        var rowMajor = Tensor.Create(new T[expected.Length], outLengths);
        ConvTransposeAnyRank(rank, source, weight, bias, rowMajor.AsTensorSpan());
        ConvAssert.Exact<T>(expectedFirst, rowMajor.ToArray(), $"rank {rank} row-major destination");

        // The allocating form returns channels_last memory, as PyTorch propagates memory_format=channels_last.
        Tensor<T> allocated = rank switch
        {
            1 => Functional.ConvTranspose1D(source, weight, bias, new Conv1DGeometry(3, 2, 1, outputPadding: 1)),
            2 => Functional.ConvTranspose2D(source, weight, bias, new Conv2DGeometry(3, 2, 1, outputPadding: 1)),
            _ => Functional.ConvTranspose3D(source, weight, bias, new Conv3DGeometry(3, 2, 1, outputPadding: 1)),
        };
        Assert.Equal(ConvChannelsLastStrides(outLengths), allocated.Strides.ToArray());
        Assert.True(ConvChannelsLast.IsSource(allocated.AsReadOnlyTensorSpan()), "allocated output should be channels_last");
        ConvAssert.Exact<T>(expected, MemoryMarshal.CreateReadOnlySpan(in allocated.AsReadOnlyTensorSpan().GetPinnableReference(), expected.Length), $"rank {rank} allocating");
    }

    [Fact]
    public void SpanFormsAllocateNothing()
    {
        var g = new Conv2DGeometry(3, 2, 1, outputPadding: 1);
        var xs = Shape4D.ChannelsLast(1, 12, 10, 16);
        var ws = new Shape4D(16, 8, 3, 3);
        T[] x = ConvData.Uniform<T>((int)xs.ElementCount, 81);
        T[] w = ConvData.Uniform<T>((int)ws.ElementCount, 82);
        T[] bias = ConvData.Uniform<T>(8, 83);
        Size2D ot = g.GetTransposedOutputSize(xs.SpatialSize), oc = g.GetOutputSize(xs.SpatialSize);
        var yt = new T[8 * ot.Height * ot.Width];
        var yc = new T[8 * oc.Height * oc.Width];
        var wf = new Shape4D(8, 16, 3, 3);
        void Both()
        {
            Functional.ConvTranspose2D<T>(x, xs, w, ws, bias, g, yt, ExecutionOptions.SingleThreaded);
            Functional.Conv2D<T>(x, xs, w, wf, bias, g, yc, ExecutionOptions.SingleThreaded);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Both));
    }

    [Fact]
    public void ValidationNamesTheArgumentAndLeavesTheDestinationUnchanged()
    {
        var g = new Conv2DGeometry(3, 2, 1);
        var xs = Shape4D.ChannelsLast(1, 4, 5, 2);
        var ws = new Shape4D(2, 3, 3, 3);
        T[] x = new T[xs.ElementCount];
        T[] w = new T[ws.ElementCount];
        Size2D o = g.GetTransposedOutputSize(xs.SpatialSize);
        int length = 3 * o.Height * o.Width;
        var y = new GuardedBuffer<T>(length);
        y.Fill(GuardedBuffer<T>.Sentinel);
        T[] yArray = y.Array;
        int offset = GuardedBuffer<T>.GuardLength;
        Span<T> Dest() => yArray.AsSpan(offset, length);

        // The weight keeps its logical layout: a channels-last weight shape is refused, as is a short source or destination.
        Throws.Param<ArgumentException>("weightShape", () => Functional.ConvTranspose2D<T>(x, xs, w, ws with { Layout = TensorLayout.ChannelsLast }, [], g, Dest()));
        Throws.Param<ArgumentException>("source", () => Functional.ConvTranspose2D<T>(x.AsSpan(1), xs, w, ws, [], g, Dest()));
        ArgumentException e = Throws.Param<ArgumentException>("destination", () => Functional.ConvTranspose2D<T>(x, xs, w, ws, [], g, Dest()[1..]));
        Assert.Contains("channels-last", e.Message, StringComparison.Ordinal);
        Throws.Param<ArgumentException>("bias", () => Functional.ConvTranspose2D<T>(x, xs, w, ws, new T[2], g, Dest()));
        Throws.Param<ArgumentException>("geometry", () => Functional.Conv2D<T>(x, xs, new T[2 * 1 * 9], new Shape4D(2, 1, 3, 3), [], new Conv2DGeometry(3, groups: 3), Dest()));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvTranspose2D<T>(MemoryMarshal.CreateReadOnlySpan(ref Dest()[0], x.Length), xs, w, ws, [], g, Dest()));
        Throws.Param<ArgumentException>("sourceShape", () => Functional.Conv3D<T>(x, Shape5D.ChannelsLast(1, 1, 4, 5, 2) with { Layout = (TensorLayout)7 }, new T[6 * 9], new Shape5D(3, 2, 1, 3, 3), [], new Conv3DGeometry(new Size3D(1, 3, 3)), Dest()));
        for (int i = 0; i < length; i++)
        {
            Assert.True(y.IsSentinel(i), $"destination[{i}] was written by a refused call");
        }

        y.AssertGuardsIntact("validation");
    }

    /// <summary>
    /// One case at one rank: the source permuted to channels-last, the oracle's output permuted, within the convolution
    /// tolerance (Half: the Half bound against a double oracle), and 1 vs 2 threads bit-identical.
    /// </summary>
    private static void Check(int rank, bool transposed, ConvRankCase c, int n, int cinPerGroup, int coutPerGroup, int[]? size = null, int maxThreads = 2)
    {
        size ??= rank switch { 1 => [1, 1, 9], 2 => [1, 6, 7], _ => [3, 4, 5] };
        RefAxis trivial = new(1);
        RefAxis[] axes = rank switch
        {
            1 => [trivial, trivial, c.Axes.AxisW],
            2 => [trivial, c.Axes.AxisH, c.Axes.AxisW],
            _ => c.Ref,
        };
        (int cin, int cout) = (cinPerGroup * c.Groups, coutPerGroup * c.Groups);
        int taps = axes[0].K * axes[1].K * axes[2].K;
        int pixels = size[0] * size[1] * size[2];
        int[] outSize = axes.Select((a, i) => transposed ? a.TransposedOut(size[i]) : a.ConvOut(size[i])).ToArray();
        int outPixels = outSize[0] * outSize[1] * outSize[2];
        int weightLength = cin * (transposed ? coutPerGroup : cout) * taps / (transposed ? 1 : c.Groups);
        T[] xFirst = ConvData.Uniform<T>(n * cin * pixels, 71 + rank);
        T[] w = ConvData.Uniform<T>(weightLength, 72 + rank);
        T[] bias = ConvData.Uniform<T>(cout, 73 + rank);
        T[] x = ChannelsLastReference.ToChannelsLast(xFirst, n, cin, pixels);
        var one = new GuardedBuffer<T>(n * cout * outPixels);
        var two = new T[one.Length];
        RunAnyRank(rank, transposed, c, x, n, cin, cout, size, w, bias, one.Span, Threads.Options(1));
        RunAnyRank(rank, transposed, c, x, n, cin, cout, size, w, bias, two, Threads.Options(2));
        string context = $"rank {rank} {(transposed ? "ConvTranspose" : "Conv")} {c} Cin={cin} Cout={cout}";
        one.AssertGuardsIntact(context);
        BitAssert.Equal<T>(one.ToArray(), two, $"1 vs 2 threads, {context}");
        int terms = ((transposed ? cin : cin / c.Groups) * taps) + 1;
        if (typeof(T) == typeof(Half))
        {
            double[] Wide(T[] v, bool abs) => v.Select(e => abs ? Math.Abs(double.CreateChecked(e)) : double.CreateChecked(e)).ToArray();
            double[] Oracle(bool abs)
            {
                double[] result = transposed
                    ? ConvReference3D.ConvTranspose(Wide(xFirst, abs), n, cin, size, Wide(w, abs), cout, axes, c.Groups, Wide(bias, abs)).Output
                    : ConvReference3D.Conv(Wide(xFirst, abs), n, cin, size, Wide(w, abs), cout, axes, c.Groups, Wide(bias, abs)).Output;
                return ChannelsLastReference.ToChannelsLast(result, n, cout, outPixels);
            }

            ConvAssert.CloseHalf(Oracle(false), Oracle(true), terms, MemoryMarshal.Cast<T, Half>(one.Span), context);
            return;
        }

        T[] expected = transposed
            ? ConvReference3D.ConvTranspose(xFirst, n, cin, size, w, cout, axes, c.Groups, bias).Output
            : ConvReference3D.Conv(xFirst, n, cin, size, w, cout, axes, c.Groups, bias).Output;
        T[] expectedLast = ChannelsLastReference.ToChannelsLast(expected, n, cout, outPixels);
        ConvAssert.Close<T>(expectedLast, one.Span, terms, context);
        if (transposed && rank == 3 && typeof(T) != typeof(Half))
        {
            // The channels-last kernel itself, which transposed convolutions of samples past the copy budget run: within
            // rounding of the oracle (it sums in its own order), and the same bits at every thread count. (A Half
            // convolution computes in float, so the kernel only ever runs float or double: the float class covers it.)
            var xs = Shape5D.ChannelsLast(n, size[0], size[1], size[2], cin);
            var o = new Size3D(outSize[0], outSize[1], outSize[2]);
            T[] kernelOne = RunChannelsLastKernel(x, xs, w, bias, c.Geometry3D(), cout, o, expected.Length, 1);
            ConvAssert.Close<T>(expectedLast, kernelOne, terms, $"channels-last kernel, {context}");
            for (int threads = 2; threads <= Math.Max(3, maxThreads); threads++)
            {
                BitAssert.Equal<T>(kernelOne, RunChannelsLastKernel(x, xs, w, bias, c.Geometry3D(), cout, o, expected.Length, threads), $"channels-last kernel, 1 vs {threads} threads, {context}");
            }
        }
    }

    /// <summary>The channels-last transposed kernel run directly at <paramref name="threads"/> threads.</summary>
    private static T[] RunChannelsLastKernel(T[] x, Shape5D xs, T[] w, T[] bias, Conv3DGeometry g, int cout, Size3D o, int length, int threads)
    {
        var plan = new ConvKernel.ChannelsLastPlan(true, xs, cout, o, g, threads);
        var y = new GuardedBuffer<T>(length);
        fixed (T* px = x, pw = w, pb = bias, py = y.Span)
        {
            ConvKernel.RunChannelsLast(px, pw, pb, py, plan, threads);
        }

        y.AssertGuardsIntact("channels-last kernel");
        return y.ToArray();
    }

    private static void RunAnyRank(int rank, bool transposed, ConvRankCase c, T[] x, int n, int cin, int cout, int[] size, T[] w, T[] bias, Span<T> y, ExecutionOptions options)
    {
        RefAxis[] a = c.Ref;
        int groups = c.Groups;
        int wOut = transposed ? cin : cout, wIn = transposed ? cout / groups : cin / groups;
        switch (rank)
        {
            case 1:
            {
                Conv1DGeometry g = c.Geometry1D();
                var xs = Shape3D.ChannelsLast(n, size[2], cin);
                var ws = new Shape3D(wOut, wIn, a[2].K);
                if (transposed)
                {
                    Functional.ConvTranspose1D<T>(x, xs, w, ws, bias, g, y, options);
                }
                else
                {
                    Functional.Conv1D<T>(x, xs, w, ws, bias, g, y, options);
                }

                break;
            }

            case 2:
            {
                (RefAxis h, RefAxis ww) = (a[1], a[2]);
                Conv2DGeometry g = new Conv2DGeometry(new Size2D(h.K, ww.K), new Size2D(h.S, ww.S), new Size2D(0, 0), new Size2D(h.D, ww.D), groups, new Size2D(h.Op, ww.Op))
                    .WithPadding(new Size2D(h.Pb, ww.Pb), new Size2D(h.Pe, ww.Pe));
                var xs = Shape4D.ChannelsLast(n, size[1], size[2], cin);
                var ws = new Shape4D(wOut, wIn, h.K, ww.K);
                if (transposed)
                {
                    Functional.ConvTranspose2D<T>(x, xs, w, ws, bias, g, y, options);
                }
                else
                {
                    Functional.Conv2D<T>(x, xs, w, ws, bias, g, y, options);
                }

                break;
            }

            default:
            {
                Conv3DGeometry g = c.Geometry3D();
                var xs = Shape5D.ChannelsLast(n, size[0], size[1], size[2], cin);
                var ws = new Shape5D(wOut, wIn, a[0].K, a[1].K, a[2].K);
                if (transposed)
                {
                    Functional.ConvTranspose3D<T>(x, xs, w, ws, bias, g, y, options);
                }
                else
                {
                    Functional.Conv3D<T>(x, xs, w, ws, bias, g, y, options);
                }

                break;
            }
        }
    }

    private static void ConvTransposeAnyRank(int rank, in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> weight, T[] bias, in TensorSpan<T> destination)
    {
        switch (rank)
        {
            case 1:
                Functional.ConvTranspose1D(source, weight, bias, new Conv1DGeometry(3, 2, 1, outputPadding: 1), destination);
                break;
            case 2:
                Functional.ConvTranspose2D(source, weight, bias, new Conv2DGeometry(3, 2, 1, outputPadding: 1), destination);
                break;
            default:
                Functional.ConvTranspose3D(source, weight, bias, new Conv3DGeometry(3, 2, 1, outputPadding: 1), destination);
                break;
        }
    }

    /// <summary>PyTorch's channels_last strides, written out: channels innermost, then the spatial axes, the batch outermost.</summary>
    private static nint[] ConvChannelsLastStrides(nint[] lengths)
    {
        var strides = new nint[lengths.Length];
        nint step = lengths[1];
        strides[1] = 1;
        for (int i = lengths.Length - 1; i >= 2; i--)
        {
            strides[i] = step;
            step *= lengths[i];
        }

        strides[0] = step;
        return strides;
    }
}

/// <summary>
/// The channels-last kernel called directly at each vector width (and the scalar path) with input and output channels
/// at every vector boundary: on integer data every width gives the oracle's values exactly (Half runs the float kernel,
/// so float and double are the instantiations there are).
/// </summary>
public abstract unsafe class ConvChannelsLastWidthTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Fact]
    public void ChannelsAtVectorBoundariesAreBitIdenticalAtEveryWidth()
    {
        foreach (int channels in KernelWidths.AllBoundaryWidths<T>())
        {
            foreach (bool transposed in new[] { false, true })
            {
                // Forward 3x3 pad 1; transposed 4x4 stride 2 pad 1 (the decoder's 2x upsampling).
                var geometry = transposed ? new Conv3DGeometry(new Size3D(1, 4, 4), new Size3D(1, 2, 2), new Size3D(0, 1, 1)) : new Conv3DGeometry(new Size3D(1, 3, 3), padding: new Size3D(0, 1, 1));
                RefAxis[] axes = transposed ? [new(1), new(4, 2, 1, 1), new(4, 2, 1, 1)] : [new(1), new(3, 1, 1, 1), new(3, 1, 1, 1)];
                int[] size = [1, 4, 3];
                (int cin, int cout) = (channels, channels);
                var xs = Shape5D.ChannelsLast(1, 1, size[1], size[2], channels);
                var ws = transposed ? new Shape5D(cin, cout, 1, axes[1].K, axes[2].K) : new Shape5D(cout, cin, 1, axes[1].K, axes[2].K);
                T[] x = ConvData.Integers<T>((int)xs.ElementCount, channels);
                T[] w = ConvData.Integers<T>((int)ws.ElementCount, channels + 1);
                T[] bias = ConvData.Integers<T>(cout, channels + 2);
                T[] expectedFirst = transposed
                    ? ConvReference3D.ConvTranspose(ChannelsLastReference.ToChannelsFirst(x, 1, cin, 12), 1, cin, size, w, cout, axes, 1, bias).Output
                    : ConvReference3D.Conv(ChannelsLastReference.ToChannelsFirst(x, 1, cin, 12), 1, cin, size, w, cout, axes, 1, bias).Output;
                T[] expected = ChannelsLastReference.ToChannelsLast(expectedFirst, 1, cout, expectedFirst.Length / cout);
                Size3D o = transposed ? geometry.GetTransposedOutputSize(xs.SpatialSize) : geometry.GetOutputSize(xs.SpatialSize);
                var plan = new ConvKernel.ChannelsLastPlan(transposed, xs, cout, o, geometry, 1);
                foreach (KernelWidth width in KernelWidths.All)
                {
                    var y = new GuardedBuffer<T>(expected.Length);
                    fixed (T* px = x, pw = w, pb = bias, py = y.Span)
                    {
                        Run(width, px, pw, pb, py, plan);
                    }

                    // Integer data: every sum is exact, so each width must give the oracle's values exactly.
                    y.AssertGuardsIntact($"{width} C={channels}");
                    ConvAssert.Exact<T>(expected, y.Span, $"{(transposed ? "ConvTranspose" : "Conv")} {width} Cin={cin} Cout={cout}");
                }
            }
        }
    }

    private static void Run(KernelWidth width, T* x, T* w, T* b, T* y, in ConvKernel.ChannelsLastPlan plan)
    {
        switch (width)
        {
            case KernelWidth.Scalar:
                ConvKernel.RunChannelsLast<SimdScalar<T>, T, T>(x, w, b, y, plan, 1);
                break;
            case KernelWidth.V128:
                ConvKernel.RunChannelsLast<Simd128<T>, Vector128<T>, T>(x, w, b, y, plan, 1);
                break;
            case KernelWidth.V256:
                ConvKernel.RunChannelsLast<Simd256<T>, Vector256<T>, T>(x, w, b, y, plan, 1);
                break;
            default:
                ConvKernel.RunChannelsLast<Simd512<T>, Vector512<T>, T>(x, w, b, y, plan, 1);
                break;
        }
    }
}

public sealed class ConvChannelsLastFloatTests : ConvChannelsLastTests<float>;

public sealed class ConvChannelsLastDoubleTests : ConvChannelsLastTests<double>;

public sealed class ConvChannelsLastHalfTests : ConvChannelsLastTests<Half>;

public sealed class ConvChannelsLastWidthFloatTests : ConvChannelsLastWidthTests<float>;

public sealed class ConvChannelsLastWidthDoubleTests : ConvChannelsLastWidthTests<double>;

/// <summary>
/// <c>ConvKernel.TransposeSamples</c>, the copies a channels-last transposed convolution runs the channels-first kernel
/// through: every element where a plain index loop puts it, in both directions, for pieces of pixels split over threads
/// (three pieces per sample, the last one short) and channel counts off and on the register blocks (8 floats, 4 doubles).
/// </summary>
public abstract unsafe class TransposeSamplesTests<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    [Theory]
    [InlineData(13)]
    [InlineData(16)]
    [InlineData(3)]
    public void SamplesTransposeBothWaysOverPiecesAndThreads(int channels)
    {
        const int Samples = 2, Pixels = 4100;
        int length = Samples * Pixels * channels;
        T[] data = ConvData.Uniform<T>(length, channels);
        var first = new T[length];
        var last = new T[length];
        for (int n = 0; n < Samples; n++)
        {
            for (int q = 0; q < Pixels; q++)
            {
                for (int c = 0; c < channels; c++)
                {
                    // data read as [n, pixels, C] gives first = [n, C, pixels]; data read as [n, C, pixels] gives last.
                    first[(((n * channels) + c) * Pixels) + q] = data[(((n * Pixels) + q) * channels) + c];
                    last[(((n * Pixels) + q) * channels) + c] = data[(((n * channels) + c) * Pixels) + q];
                }
            }
        }

        foreach (int threads in new[] { 1, 2, 3 })
        {
            var toFirst = new GuardedBuffer<T>(length);
            var toLast = new GuardedBuffer<T>(length);
            fixed (T* d = data, f = toFirst.Span, l = toLast.Span)
            {
                ConvKernel.TransposeSamples(d, f, Samples, Pixels, channels, true, threads);
                ConvKernel.TransposeSamples(d, l, Samples, Pixels, channels, false, threads);
            }

            toFirst.AssertGuardsIntact($"to channels-first, {threads} threads");
            toLast.AssertGuardsIntact($"to channels-last, {threads} threads");
            BitAssert.Equal<T>(first, toFirst.ToArray(), $"to channels-first, C={channels}, {threads} threads");
            BitAssert.Equal<T>(last, toLast.ToArray(), $"to channels-last, C={channels}, {threads} threads");
        }
    }
}

public sealed class TransposeSamplesFloatTests : TransposeSamplesTests<float>;

public sealed class TransposeSamplesDoubleTests : TransposeSamplesTests<double>;
