using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling;

/// <summary>
/// The max-pooling kernel's vector lanes for every element type (DESIGN.md section 4): float and double with offset
/// lanes, int with int32 offset lanes, and sbyte, byte, short and Half (order keys with the bits beside) with tap codes
/// in lanes of their own width; and the in-window indices (<see cref="IndexConvention.InWindow"/>) from every
/// path. Each width's instantiation (128, 256, 512 bits, which run in software where the CPU lacks them, and the scalar
/// path) is called directly and compared bit for bit with the plain oracle (<see cref="MaxPool2DReference"/>, the
/// conventions by <see cref="IndexConventionReference"/>, the in-window tap by arithmetic on the oracle's index), over
/// a geometry grid at every vector-boundary output width, into guarded buffers.
/// </summary>
public abstract unsafe class MaxPool2DLaneTests<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    /// <summary>Conventions the kernel writes directly (channels-last per sample comes along: it is the same affine form).</summary>
    private static readonly IndexConvention[] Conventions =
    [
        IndexConvention.PerPlane,
        IndexConvention.GlobalRowMajor,
        IndexConvention.GlobalColumnMajor,
        IndexConvention.ChannelsLastPerSample,
        IndexConvention.ChannelsLastWithBatch,
        IndexConvention.InWindow,
    ];

    /// <summary>Output rows per plane: enough for top and bottom padding rows and one interior row.</summary>
    private const int OutputHeight = 3;

    /// <summary>Batch 2 x channels 2, so that every plane base (n and c) is non-zero somewhere.</summary>
    private const int Batch = 2, Channels = 2;

    /// <summary>One data pool per type, sliced per case (generating it per case would dominate the run time).</summary>
    private static readonly T[] Pool = LaneData.Values<T>(1 << 17, 20261201);

    /// <summary>Kernel 1..3 with stride 1..3, padding 0..1, dilation 1..2, floor and ceil; then one 4x4 and one 5x5.</summary>
    private static IEnumerable<(PoolAxis Axis, bool Ceil)> Grid()
        => Infrastructure.Geometry.SquareGrid()
            .Where(g => g.Axis.Kernel <= 3 && g.Axis.Padding <= 1)
            .Append((new PoolAxis(4, 2, 1, 1), true))
            .Append((new PoolAxis(5, 3, 2, 2), false));

    /// <summary>The geometries of the convention and index-type sweep: the common shapes, padded, dilated, strided.</summary>
    private static readonly (PoolAxis Axis, bool Ceil)[] Sweep =
    [
        (new(2, 2, 0, 1), false),
        (new(3, 2, 1, 1), true),
        (new(3, 1, 1, 2), false),
        (new(2, 3, 1, 1), true),
        (new(5, 2, 2, 1), false),
    ];

    /// <summary>Every grid geometry at every boundary output width, at every width, with long per-plane indices and
    /// in-window indices in the narrowest type that holds them.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void EqualsTheOracleOnTheGridAtEveryWidth()
    {
        var vectorized = new Dictionary<KernelWidth, int>();
        foreach ((PoolAxis axis, bool ceil) in Grid())
        {
            foreach (int outW in LaneWidths.AllBoundaryWidths<T>())
            {
                LaneCase<T>? c = LaneCase<T>.Create(Pool, axis, axis, ceil, OutputHeight, outW, Batch, Channels);
                if (c is null)
                {
                    continue;
                }

                foreach (KernelWidth width in KernelWidths.All)
                {
                    c.Check<long>(width, IndexConvention.PerPlane);
                    if (c.Taps <= 256)
                    {
                        c.Check<byte>(width, IndexConvention.InWindow);
                    }
                    else
                    {
                        c.Check<short>(width, IndexConvention.InWindow);
                    }

                    if (width != KernelWidth.Scalar && c.Vectorizes(width))
                    {
                        vectorized[width] = vectorized.GetValueOrDefault(width) + 1;
                    }
                }
            }
        }

        // The grid must reach every width's vector path, or the comparisons above prove nothing about it.
        Assert.All([KernelWidth.V128, KernelWidth.V256, KernelWidth.V512], w => Assert.True(vectorized.GetValueOrDefault(w) > 20, $"{w}: {vectorized.GetValueOrDefault(w)} vector cases"));
    }

    /// <summary>Every convention, in every index type whose range holds its index space, at every width.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void WritesEveryConventionInEveryIndexType()
    {
        foreach ((PoolAxis axis, bool ceil) in Sweep)
        {
            foreach (int outW in LaneWidths.AllBoundaryWidths<T>())
            {
                LaneCase<T>? c = LaneCase<T>.Create(Pool, axis, axis, ceil, OutputHeight, outW, Batch, Channels);
                Assert.NotNull(c);
                foreach (KernelWidth width in KernelWidths.All)
                {
                    foreach (IndexConvention convention in Conventions)
                    {
                        long largest = c.LargestIndex(convention);
                        if (largest <= sbyte.MaxValue)
                        {
                            c.Check<sbyte>(width, convention);
                        }

                        if (largest <= byte.MaxValue)
                        {
                            c.Check<byte>(width, convention);
                        }

                        if (largest <= short.MaxValue)
                        {
                            c.Check<short>(width, convention);
                        }

                        c.Check<int>(width, convention);
                        c.Check<long>(width, convention);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Windows built to hold a tie at the first, middle and last tap (the first must win), equal zeros of both signs,
    /// NaNs of several payloads (the last must win, with its exact bits), and the type's minimum and maximum.
    /// </summary>
    [Theory]
    [Trait("Widths", "Direct")]
    [InlineData(2, 2, 0, 1)]
    [InlineData(3, 2, 1, 1)]
    [InlineData(3, 1, 0, 2)]
    [InlineData(3, 3, 1, 1)]
    public void PlantedTiesZerosNaNsAndExtremes(int k, int s, int p, int d)
    {
        var axis = new PoolAxis(k, s, p, d);
        foreach (int outW in LaneWidths.AllBoundaryWidths<T>())
        {
            LaneCase<T>? c = LaneCase<T>.Create(Pool, axis, axis, false, OutputHeight, outW, Batch, Channels, LaneData.Plant<T>);
            Assert.NotNull(c);
            foreach (KernelWidth width in KernelWidths.All)
            {
                c.Check<long>(width, IndexConvention.PerPlane);
                c.Check<byte>(width, IndexConvention.InWindow);
                c.Check<int>(width, IndexConvention.ChannelsLastWithBatch);
            }
        }
    }

    /// <summary>Row splits over threads change nothing (every width, in-window and a global convention).</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void IsIdenticalOverThreads()
    {
        LaneCase<T>? c = LaneCase<T>.Create(Pool, new PoolAxis(3, 2, 1, 1), new PoolAxis(3, 2, 1, 1), true, 7, 67, Batch, Channels);
        Assert.NotNull(c);
        foreach (KernelWidth width in KernelWidths.All)
        {
            c.Check<byte>(width, IndexConvention.InWindow, degree: 3);
            c.Check<long>(width, IndexConvention.GlobalColumnMajor, degree: 3);
        }
    }

    /// <summary>A call with no planes reads and writes nothing at any width.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void ZeroPlanesWriteNothing()
    {
        LaneCase<T>? c = LaneCase<T>.Create(Pool, new PoolAxis(2, 2, 0, 1), new PoolAxis(2, 2, 0, 1), false, 2, 40, Batch, Channels);
        Assert.NotNull(c);
        foreach (KernelWidth width in KernelWidths.All)
        {
            c.CheckNoPlanes<byte>(width, IndexConvention.InWindow);
            c.CheckNoPlanes<long>(width, IndexConvention.PerPlane);
        }
    }

    /// <summary>Windows whose tap codes do not fit an 8-bit lane (17x17 = 289 taps) take the scalar path, exactly.</summary>
    [Fact]
    [Trait("Widths", "Direct")]
    public void WindowsTooLargeForTheLanesStayExact()
    {
        var axis = new PoolAxis(17, 1, 0, 1);
        LaneCase<T>? c = LaneCase<T>.Create(Pool, axis, axis, false, 2, 70, 1, 2);
        Assert.NotNull(c);
        foreach (KernelWidth width in KernelWidths.All)
        {
            c.Check<long>(width, IndexConvention.PerPlane);
            c.Check<short>(width, IndexConvention.InWindow);
            c.Check<int>(width, IndexConvention.GlobalRowMajor);
        }
    }
}

public sealed class MaxPool2DLaneFloatTests : MaxPool2DLaneTests<float>;

public sealed class MaxPool2DLaneDoubleTests : MaxPool2DLaneTests<double>;

public sealed class MaxPool2DLaneHalfTests : MaxPool2DLaneTests<Half>;

public sealed class MaxPool2DLaneSByteTests : MaxPool2DLaneTests<sbyte>;

public sealed class MaxPool2DLaneByteTests : MaxPool2DLaneTests<byte>;

public sealed class MaxPool2DLaneInt16Tests : MaxPool2DLaneTests<short>;

public sealed class MaxPool2DLaneInt32Tests : MaxPool2DLaneTests<int>;

/// <summary>One pooling case with the oracle's answer, checked at any width, convention and index type.</summary>
internal sealed unsafe class LaneCase<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    private readonly T[] _source;
    private readonly PoolAxis _rows, _cols;
    private readonly Pool2DGeometry _geometry;
    private readonly PoolResult<T> _expected;
    private readonly string _name;

    private LaneCase(T[] source, Shape4D shape, PoolAxis rows, PoolAxis cols, bool ceil, PoolResult<T> expected)
    {
        _source = source;
        Shape = shape;
        (_rows, _cols) = (rows, cols);
        _geometry = Infrastructure.Geometry.ToLibrary(rows, cols, ceil);
        _expected = expected;
        _name = $"{typeof(T).Name} {Infrastructure.Geometry.Describe(rows, cols, ceil)} input {shape} output {expected.OutH}x{expected.OutW}";
    }

    public Shape4D Shape { get; }

    public int Taps => _rows.Kernel * _cols.Kernel;

    private Shape4D OutputShape => Shape.WithSpatialSize(new Size2D(_expected.OutH, _expected.OutW));

    /// <summary>A case with <paramref name="outH"/> x <paramref name="outW"/> outputs, its input taken from
    /// <paramref name="pool"/> (and planted by <paramref name="plant"/>), or null when no input size gives them.</summary>
    public static LaneCase<T>? Create(
        T[] pool, PoolAxis rows, PoolAxis cols, bool ceil, int outH, int outW, int batch, int channels,
        Action<T[], Shape4D, PoolAxis, PoolAxis, int, int>? plant = null)
    {
        var random = new Random(HashCode.Combine(rows, cols, ceil, outH, outW));
        int height = Infrastructure.Geometry.InputSizeFor(outH, rows, ceil, random);
        int width = Infrastructure.Geometry.InputSizeFor(outW, cols, ceil, random);
        if (height < 1 || width < 1)
        {
            return null;
        }

        var shape = new Shape4D(batch, channels, height, width);
        int length = (int)shape.ElementCount;
        Assert.True(length <= pool.Length, $"{length} elements exceed the data pool");
        int start = random.Next(pool.Length - length + 1);
        T[] source = pool.AsSpan(start, length).ToArray();
        plant?.Invoke(source, shape, rows, cols, outH, outW);
        PoolResult<T> expected = MaxPool2DReference.Pool(source, batch * channels, height, width, rows, cols, ceil);
        Assert.Equal((outH, outW), (expected.OutH, expected.OutW));
        return new LaneCase<T>(source, shape, rows, cols, ceil, expected);
    }

    /// <summary>The largest index of <paramref name="convention"/> over this input (for the index types that hold it).</summary>
    public long LargestIndex(IndexConvention convention)
        => convention == IndexConvention.InWindow ? Taps - 1 : IndexConventionReference.Space(convention, Shape) - 1;

    /// <summary>Whether <paramref name="width"/>'s vector loop covers some columns of this case (the kernel's own rule).</summary>
    public bool Vectorizes(KernelWidth width)
        => Plan(IndexConvention.PerPlane).CanVectorize(LaneWidths.Count<T>(width))
           && (sizeof(T) >= 4 || Taps <= 1L << (8 * sizeof(T)));

    /// <summary>Runs the kernel at <paramref name="width"/>, source read-only on guarded pages and destinations on
    /// guarded pages in both placements (<see cref="GuardedPages"/>), and compares values and indices bitwise.</summary>
    public void Check<TIndex>(KernelWidth width, IndexConvention convention, int degree = 1)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int outputs = _expected.Values.Length;
        MaxPool2DKernel.Plan plan = Plan(convention);
        long[] expectedIndices = ExpectedIndices(convention);
        foreach (GuardSide side in GuardedPages.Sides)
        {
            string context = $"{width} {convention} {typeof(TIndex).Name} degree {degree} flush {side} {_name}";
            using GuardedInput<T> source = GuardedPages.Input<T>(_source, side);
            using var values = new PageGuardedDestination<T>(outputs, side);
            using var indices = new PageGuardedDestination<TIndex>(outputs, side);
            LaneWidths.MaxPool(width, source.Pointer, values.Pointer, indices.Pointer, Shape.Batch * Shape.Channels, plan, degree);
            values.AssertGuardsIntact($"values {context}");
            indices.AssertGuardsIntact($"indices {context}");
            ElementData.Exact<T>(_expected.Values, values.Span, $"values {context}");
            BitAssert.IndicesEqual<TIndex>(expectedIndices, indices.Span, $"indices {context}");
        }
    }

    /// <summary>Runs the kernel over no planes (guarded pages, both placements): both destinations must stay all sentinels.</summary>
    public void CheckNoPlanes<TIndex>(KernelWidth width, IndexConvention convention)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        MaxPool2DKernel.Plan plan = Plan(convention);
        foreach (GuardSide side in GuardedPages.Sides)
        {
            using GuardedInput<T> source = GuardedPages.Input<T>(_source, side);
            using var values = new PageGuardedDestination<T>(_expected.Values.Length, side);
            using var indices = new PageGuardedDestination<TIndex>(_expected.Values.Length, side);
            LaneWidths.MaxPool(width, source.Pointer, values.Pointer, indices.Pointer, 0, plan, 1);
            values.AssertUntouched($"values {width} no planes flush {side} {_name}");
            indices.AssertUntouched($"indices {width} no planes flush {side} {_name}");
        }
    }

    private MaxPool2DKernel.Plan Plan(IndexConvention convention)
        => new(Shape.SpatialSize, OutputShape.SpatialSize, _geometry, new IndexLayout(convention, Shape));

    private long[] ExpectedIndices(IndexConvention convention)
        => convention == IndexConvention.InWindow
            ? InWindow()
            : IndexConventionReference.FromPerPlane(_expected.Indices, OutputShape, Shape.SpatialSize, convention);

    /// <summary>The tap of each oracle index inside its own window: the cell (h, w) less the window origin, in taps.</summary>
    private long[] InWindow()
    {
        var taps = new long[_expected.Indices.Length];
        int perPlane = _expected.OutH * _expected.OutW;
        for (int i = 0; i < taps.Length; i++)
        {
            int oh = i % perPlane / _expected.OutW, ow = i % _expected.OutW;
            long h = _expected.Indices[i] / Shape.Width, w = _expected.Indices[i] % Shape.Width;
            long kh = (h - ((long)oh * _rows.Stride - _rows.Padding)) / _rows.Dilation;
            long kw = (w - ((long)ow * _cols.Stride - _cols.Padding)) / _cols.Dilation;
            Assert.InRange(kh, 0, _rows.Kernel - 1);
            Assert.InRange(kw, 0, _cols.Kernel - 1);
            taps[i] = (kh * _cols.Kernel) + kw;
        }

        return taps;
    }
}

/// <summary>The kernel's instantiation per width for every element type, and each width's lane count.</summary>
internal static unsafe class LaneWidths
{
    /// <summary>Lanes per vector at <paramref name="width"/> (16-bit lanes for Half); the scalar path uses the 128-bit
    /// count for its boundary widths.</summary>
    public static int Count<T>(KernelWidth width)
        => typeof(T) == typeof(Half) ? KernelWidths.Count<ushort>(width) : KernelWidths.Count<T>(width);

    /// <summary>Boundary output widths of every vector width of <typeparamref name="T"/>, merged.</summary>
    public static int[] AllBoundaryWidths<T>()
        => KernelWidths.All.SelectMany(w => KernelWidths.BoundaryWidths(Count<T>(w))).Distinct().Order().ToArray();

    public static void MaxPool<T, TIndex>(
        KernelWidth width, T* source, T* destination, TIndex* indices, int planes, in MaxPool2DKernel.Plan plan, int degree)
        where T : unmanaged, INumber<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (width == KernelWidth.Scalar)
        {
            MaxPool2DKernel.Run<SimdScalar<T>, T, T, TIndex>(source, destination, indices, planes, plan, degree, scalarOnly: true);
        }
        else if (typeof(T) == typeof(Half))
        {
            switch (width)
            {
                case KernelWidth.V128:
                    MaxPool2DKernel.Run<HalfSimd128<T>, HalfLanes128, T, TIndex>(source, destination, indices, planes, plan, degree);
                    break;
                case KernelWidth.V256:
                    MaxPool2DKernel.Run<HalfSimd256<T>, HalfLanes256, T, TIndex>(source, destination, indices, planes, plan, degree);
                    break;
                default:
                    MaxPool2DKernel.Run<HalfSimd512<T>, HalfLanes512, T, TIndex>(source, destination, indices, planes, plan, degree);
                    break;
            }
        }
        else
        {
            switch (width)
            {
                case KernelWidth.V128:
                    MaxPool2DKernel.Run<Simd128<T>, Vector128<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                    break;
                case KernelWidth.V256:
                    MaxPool2DKernel.Run<Simd256<T>, Vector256<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                    break;
                default:
                    MaxPool2DKernel.Run<Simd512<T>, Vector512<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                    break;
            }
        }
    }
}

/// <summary>Inputs rich in ties and special values, per element type.</summary>
internal static class LaneData
{
    /// <summary>
    /// Mostly small integers (ties everywhere, at every tap position), with the type's minimum and maximum, and for the
    /// floating-point types ±0, ±infinity and NaNs of distinct payloads and signs (for Half also signalling ones and
    /// subnormals, whose bits a value conversion would not keep).
    /// </summary>
    public static T[] Values<T>(int length, int seed)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var random = new Random(seed);
        T[] specials = Specials<T>();
        var data = new T[length];
        for (int i = 0; i < length; i++)
        {
            int roll = random.Next(100);
            data[i] = roll < 12 ? specials[random.Next(specials.Length)] : T.CreateTruncating(random.Next(-4, 5));
        }

        return data;
    }

    /// <summary>
    /// Plants, in each window of the first output row of every plane, by column: a tie of the maximum at the first and
    /// last taps (the first must win), at the middle and last taps, NaNs at the first and last taps (the last must win),
    /// -0 first and +0 after it (the -0 must stay), and the type's minimum everywhere (the first real cell).
    /// </summary>
    public static void Plant<T>(T[] x, Shape4D shape, PoolAxis rows, PoolAxis cols, int outH, int outW)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        T[] specials = Specials<T>();
        bool floating = ElementData.IsFloating<T>();
        for (int plane = 0; plane < shape.Batch * shape.Channels; plane++)
        {
            for (int ow = 0; ow < outW; ow++)
            {
                var taps = new List<int>();
                for (int kh = 0; kh < rows.Kernel; kh++)
                {
                    for (int kw = 0; kw < cols.Kernel; kw++)
                    {
                        long h = rows.Position(0, kh), w = cols.Position(ow, kw);
                        if (h >= 0 && h < shape.Height && w >= 0 && w < shape.Width)
                        {
                            taps.Add((int)((((long)plane * shape.Height) + h) * shape.Width + w));
                        }
                    }
                }

                int first = taps[0], middle = taps[taps.Count / 2], last = taps[^1];
                switch ((ow + plane) % 5)
                {
                    case 0:
                        x[first] = x[last] = T.MaxValue;
                        break;
                    case 1:
                        x[middle] = x[last] = T.MaxValue;
                        break;
                    case 2:
                        (x[first], x[last]) = floating ? (specials[^1], specials[^2]) : (T.MaxValue, T.MaxValue);
                        break;
                    case 3:
                        foreach (int t in taps)
                        {
                            x[t] = T.Zero;
                        }

                        x[first] = floating ? -T.Zero : T.Zero;
                        break;
                    default:
                        foreach (int t in taps)
                        {
                            x[t] = T.MinValue;
                        }

                        break;
                }
            }
        }
    }

    /// <summary>The special values of <typeparamref name="T"/>; for the floating-point types the last two are NaNs.</summary>
    private static T[] Specials<T>()
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        if (typeof(T) == typeof(Half))
        {
            // Quiet and signalling NaNs of both signs, ±0, ±inf, extremes and subnormals, as raw bits.
            ushort[] bits = [0x8000, 0x0000, 0x7C00, 0xFC00, 0x7BFF, 0xFBFF, 0x0001, 0x8001, 0x03FF, 0x7E00, 0xFC01, 0x7D55];
            return bits.Select(b => Unsafe.BitCast<ushort, T>(b)).ToArray();
        }

        if (typeof(T) == typeof(float))
        {
            uint[] bits = [0x80000000, 0x00000000, 0x7F800000, 0xFF800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x00000001, 0x80000001, 0x7FC00000, 0xFFC01234, 0x7F800ABC];
            return bits.Select(b => Unsafe.BitCast<uint, T>(b)).ToArray();
        }

        if (typeof(T) == typeof(double))
        {
            ulong[] bits = [0x8000000000000000, 0, 0x7FF0000000000000, 0xFFF0000000000000, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF, 1, 0x8000000000000001, 0x7FF8000000000000, 0xFFF8000000001234, 0x7FF0000000000ABC];
            return bits.Select(b => Unsafe.BitCast<ulong, T>(b)).ToArray();
        }

        return [T.MinValue, T.MaxValue, T.MinValue + T.One, T.MaxValue - T.One, T.Zero];
    }
}
