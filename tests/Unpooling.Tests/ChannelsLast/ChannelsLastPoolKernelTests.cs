using System.Numerics;
using System.Runtime.Intrinsics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Pooling;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>
/// The channels-last pooling kernel at each width (the 128-, 256- and 512-bit instantiations called directly, and the
/// scalar definition), against the channels-first oracle (<see cref="MaxPool2DReference"/>) permuted to channels-last
/// (<see cref="ChannelsLastReference"/>), bit for bit: a geometry grid, channel counts at every vector boundary of
/// every width, ties, NaNs, ±0 and infinities (<see cref="LaneData"/>), every index convention, one and two threads,
/// with the source read-only and every buffer flush against a no-access page.
/// </summary>
public abstract unsafe class ChannelsLastPoolKernelTests<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    private const int Batch = 2;

    private static readonly T[] Pool = LaneData.Values<T>(1 << 16, 20261201);

    private static readonly (PoolAxis Rows, PoolAxis Cols, bool Ceil)[] Boundary =
    [
        (new(2, 2, 0, 1), new(2, 2, 0, 1), false),
        (new(3, 2, 1, 1), new(3, 2, 1, 1), true),
        (new(2, 1, 0, 1), new(3, 1, 1, 2), false),
    ];

    /// <summary>1 to the widest count + 1, and 2*Count +- 1, 4*Count +- 1 of every width.</summary>
    private static int[] ChannelCounts()
    {
        int[] counts = [Lanes(16), Lanes(32), Lanes(64)];
        return Enumerable.Range(1, counts.Max() + 1)
            .Concat(counts.SelectMany(c => new[] { (2 * c) - 1, 2 * c, (2 * c) + 1, (4 * c) - 1, 4 * c, (4 * c) + 1 }))
            .Distinct().Order().ToArray();
    }

    [Fact]
    [Trait("Widths", "Direct")]
    public void EqualsTheOracleAtEveryChannelBoundaryAndWidth()
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Boundary)
        {
            foreach (int channels in ChannelCounts())
            {
                var c = new Case(rows, cols, ceil, channels, outH: 2, outW: 3, seed: channels);
                foreach (KernelWidth width in KernelWidths.All)
                {
                    c.Check<long>(width, IndexConvention.PerPlane, degree: channels % 2 == 0 ? 2 : 1);
                }
            }
        }
    }

    [Fact]
    [Trait("Widths", "Direct")]
    public void EqualsTheOracleOnTheGeometryGrid()
    {
        int channels = Lanes(32) + 3;
        var geometries = Infrastructure.Geometry.SquareGrid().Where(g => g.Axis.Kernel <= 4).Select(g => (g.Axis, g.Axis, g.CeilMode))
            .Concat(Infrastructure.Geometry.NonSquare());
        int checkedCases = 0;
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in geometries)
        {
            Case? c = Case.TryCreate(rows, cols, ceil, channels, outH: 3, outW: 3, seed: checkedCases);
            if (c is null)
            {
                continue;
            }

            checkedCases++;
            c.Check<long>(KernelWidth.V128, IndexConvention.PerPlane, degree: 2);
            c.Check<long>(KernelWidth.V256, IndexConvention.PerPlane, degree: 1);
            c.Check<long>(KernelWidth.Scalar, IndexConvention.PerPlane, degree: 1);
        }

        Assert.True(checkedCases > 50, $"only {checkedCases} geometries checked");
    }

    [Theory]
    [Trait("Widths", "Direct")]
    [InlineData(IndexConvention.PerPlane)]
    [InlineData(IndexConvention.GlobalRowMajor)]
    [InlineData(IndexConvention.GlobalColumnMajor)]
    [InlineData(IndexConvention.ChannelsLastPerSample)]
    [InlineData(IndexConvention.ChannelsLastWithBatch)]
    [InlineData(IndexConvention.InWindow)]
    public void WritesEveryConventionAtEveryWidth(IndexConvention convention)
    {
        foreach ((PoolAxis rows, PoolAxis cols, bool ceil) in Boundary)
        {
            foreach (int channels in new[] { 3, Lanes(16), Lanes(64) + 1, (2 * Lanes(32)) - 1 })
            {
                var c = new Case(rows, cols, ceil, channels, outH: 3, outW: 2, seed: 7 + channels);
                foreach (KernelWidth width in KernelWidths.All)
                {
                    c.Check<long>(width, convention, degree: 2);
                    c.Check<int>(width, convention, degree: 1);
                }
            }
        }
    }

    /// <summary>Lanes of a vector of <paramref name="bytes"/> bytes (Half has no <c>Vector128&lt;Half&gt;</c>: its lanes are 16-bit).</summary>
    private static int Lanes(int bytes) => bytes / sizeof(T);

    /// <summary>The kernel at one width: Half through its order-key lanes (<see cref="HalfSimd128{T}"/>), every other type
    /// through the plain vectors.</summary>
    private static void RunWidth<TIndex>(KernelWidth width, T* source, T* destination, TIndex* indices, in ChannelsLastPoolKernel.Plan plan, int degree)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        bool half = typeof(T) == typeof(Half);
        switch (width)
        {
            case KernelWidth.Scalar:
                ChannelsLastPoolKernel.RunScalar(source, destination, indices, plan, degree);
                break;
            case KernelWidth.V128 when half:
                ChannelsLastPoolKernel.Run<HalfSimd128<T>, HalfLanes128, T, TIndex>(source, destination, indices, plan, degree);
                break;
            case KernelWidth.V256 when half:
                ChannelsLastPoolKernel.Run<HalfSimd256<T>, HalfLanes256, T, TIndex>(source, destination, indices, plan, degree);
                break;
            case KernelWidth.V512 when half:
                ChannelsLastPoolKernel.Run<HalfSimd512<T>, HalfLanes512, T, TIndex>(source, destination, indices, plan, degree);
                break;
            case KernelWidth.V128:
                ChannelsLastPoolKernel.Run<Simd128<T>, Vector128<T>, T, TIndex>(source, destination, indices, plan, degree);
                break;
            case KernelWidth.V256:
                ChannelsLastPoolKernel.Run<Simd256<T>, Vector256<T>, T, TIndex>(source, destination, indices, plan, degree);
                break;
            default:
                ChannelsLastPoolKernel.Run<Simd512<T>, Vector512<T>, T, TIndex>(source, destination, indices, plan, degree);
                break;
        }
    }

    /// <summary>One input, its channels-last copy and the oracle's per-plane answer.</summary>
    private sealed class Case
    {
        private readonly PoolAxis _rows, _cols;
        private readonly bool _ceil;
        private readonly Shape4D _shape;
        private readonly Size2D _output;
        private readonly T[] _channelsLast;
        private readonly T[] _values;
        private readonly long[] _perPlane;

        public Case(PoolAxis rows, PoolAxis cols, bool ceil, int channels, int outH, int outW, int seed)
            : this(rows, cols, ceil, channels, new Size2D(InputFor(outH, rows, ceil, seed), InputFor(outW, cols, ceil, seed + 1)), seed)
        {
        }

        private Case(PoolAxis rows, PoolAxis cols, bool ceil, int channels, Size2D input, int seed)
        {
            (int height, int width) = (input.Height, input.Width);
            (_rows, _cols, _ceil) = (rows, cols, ceil);
            _shape = new Shape4D(Batch, channels, height, width);
            int count = (int)_shape.ElementCount;
            T[] x = Pool.AsSpan((seed * 977) % (Pool.Length - count), count).ToArray();
            PoolResult<T> r = MaxPool2DReference.Pool(x, Batch * channels, height, width, rows, cols, ceil);
            _output = new Size2D(r.OutH, r.OutW);
            _channelsLast = ChannelsLastReference.ToChannelsLast(x, Batch, channels, (long)height * width);
            _values = r.Values;
            _perPlane = r.Indices;
        }

        public static Case? TryCreate(PoolAxis rows, PoolAxis cols, bool ceil, int channels, int outH, int outW, int seed)
        {
            var random = new Random(seed);
            int h = Infrastructure.Geometry.InputSizeFor(outH, rows, ceil, random), w = Infrastructure.Geometry.InputSizeFor(outW, cols, ceil, random);
            return h < 1 || w < 1 ? null : new Case(rows, cols, ceil, channels, new Size2D(h, w), seed);
        }

        private static int InputFor(int output, PoolAxis axis, bool ceil, int seed)
        {
            int size = Infrastructure.Geometry.InputSizeFor(output, axis, ceil, new Random(seed));
            return size >= 1 ? size : throw new InvalidOperationException($"no input size pools to {output} with {axis}");
        }

        public void Check<TIndex>(KernelWidth width, IndexConvention convention, int degree)
            where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            Shape4D pooled = _shape.WithSpatialSize(_output);
            long[] expectedIndices = convention == IndexConvention.InWindow
                ? IndexConventionReference.InWindowFromPerPlane(_perPlane, pooled, _shape.SpatialSize, _rows, _cols)
                : IndexConventionReference.FromPerPlane(_perPlane, pooled, _shape.SpatialSize, convention);
            T[] values = ChannelsLastReference.ToChannelsLast(_values, Batch, _shape.Channels, pooled.PlaneSize);
            long[] indices = ChannelsLastReference.ToChannelsLast(expectedIndices, Batch, _shape.Channels, pooled.PlaneSize);
            Pool2DGeometry geometry = Infrastructure.Geometry.ToLibrary(_rows, _cols, _ceil);
            ChannelsLastPoolKernel.Plan plan = ChannelsLastPoolKernel.For2D(
                Shape4D.ChannelsLast(Batch, _shape.Height, _shape.Width, _shape.Channels), _output, geometry, convention);
            using var source = PageGuardedMemory<T>.From(_channelsLast, readOnly: true);
            using var destination = new PageGuardedMemory<T>(values.Length);
            using var written = new PageGuardedMemory<TIndex>(values.Length);
            RunWidth(width, source.Pointer, destination.Pointer, written.Pointer, plan, degree);

            string context = $"{typeof(T).Name} {width} C={_shape.Channels} {_shape} {Infrastructure.Geometry.Describe(_rows, _cols, _ceil)} {convention} {typeof(TIndex).Name} degree {degree}";
            ChannelsLastAssert.SameBits<T>(values, destination.Span, context);
            BitAssert.IndicesEqual<TIndex>(indices, written.Span, context);
        }
    }
}

public sealed class ChannelsLastPoolKernelFloatTests : ChannelsLastPoolKernelTests<float>;

public sealed class ChannelsLastPoolKernelDoubleTests : ChannelsLastPoolKernelTests<double>;

public sealed class ChannelsLastPoolKernelInt32Tests : ChannelsLastPoolKernelTests<int>;

public sealed class ChannelsLastPoolKernelHalfTests : ChannelsLastPoolKernelTests<Half>;

public sealed class ChannelsLastPoolKernelSByteTests : ChannelsLastPoolKernelTests<sbyte>;

public sealed class ChannelsLastPoolKernelByteTests : ChannelsLastPoolKernelTests<byte>;

public sealed class ChannelsLastPoolKernelInt16Tests : ChannelsLastPoolKernelTests<short>;
