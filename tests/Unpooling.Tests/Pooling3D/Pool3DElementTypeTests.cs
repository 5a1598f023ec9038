using System.Numerics;
using System.Runtime.Intrinsics;
using Unpooling.Internal;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Pooling;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Pooling3D;

/// <summary>
/// 3-D max pooling for the element types beyond float and double: int (int32 offset lanes), sbyte, byte, short and
/// Half (tap codes <c>(kd*KH + kh)*KW + kw</c> in lanes of their own width, decoded into every convention), and the
/// types that run the scalar definition (ushort, uint, long, ulong). Each width's instantiation (scalar, 128, 256, 512
/// bits; the ones the CPU lacks run in software) is called directly and compared byte for byte with the plain oracle
/// (<see cref="Pool3DReference"/>) at pooled widths on every vector boundary, in every convention and several index
/// types, on data rich in ties, the type's extremes and, for Half, NaNs of several payloads, ±0 and ±infinity.
/// </summary>
public abstract unsafe class Pool3DElementTypeTests<T>
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    /// <summary>Whether the kernel has a vector path for <typeparamref name="T"/> (the 2-D kernel's types).</summary>
    private static readonly bool Vectorized = typeof(T) == typeof(int) || typeof(T) == typeof(short) || typeof(T) == typeof(sbyte)
        || typeof(T) == typeof(byte) || typeof(T) == typeof(Half);

    /// <summary>The conventions checked at 512 bits besides InWindow and column-major.</summary>
    private static readonly IndexConvention[] Sparse = [IndexConvention.PerPlane, IndexConvention.ChannelsLastWithBatch];

    /// <summary>One data pool per type, sliced per case.</summary>
    private static readonly T[] Pool = LaneData.Values<T>(1 << 18, 20261202);

    /// <summary>(depth, height, width) axes: the 2x2x2 stride-2 pooling of CNN decoders, padded/ceil, dilated, stride 3, odd stride-2.</summary>
    private static readonly (Axis3 D, Axis3 H, Axis3 W, bool Ceil)[] Geometries =
    [
        (new(2, 2, 0, 0, 1), new(2, 2, 0, 0, 1), new(2, 2, 0, 0, 1), false),
        (new(3, 2, 1, 1, 1), new(3, 1, 1, 0, 1), new(3, 2, 1, 1, 1), true),
        (new(2, 1, 0, 0, 2), new(1, 1, 0, 0, 1), new(3, 1, 1, 2, 2), false),
        (new(1, 1, 0, 0, 1), new(2, 2, 1, 0, 1), new(2, 3, 1, 1, 1), true),
        (new(2, 2, 1, 0, 1), new(3, 2, 0, 1, 1), new(5, 2, 2, 1, 1), false),
    ];

    /// <summary>Every geometry at the pooled widths on <paramref name="width"/>'s vector boundaries (the scalar path: 128-bit's).</summary>
    private static IEnumerable<Pool3DCase<T>> Cases(KernelWidth width)
    {
        int seed = (int)width * 100;
        foreach ((Axis3 d, Axis3 h, Axis3 w, bool ceil) in Geometries)
        {
            foreach (int outW in KernelWidths.BoundaryWidths(LaneWidths.Count<T>(width)))
            {
                var random = new Random(++seed);
                int inputWidth = ((outW - 1) * w.Stride) + (w.Dilation * (w.Kernel - 1)) + 1 - w.PadBegin - w.PadEnd;
                var shape = new Shape5D(2, 2, 3, 2 + random.Next(2), Math.Max(1, inputWidth));
                T[] x = Pool.AsSpan(random.Next(Pool.Length - (int)shape.ElementCount), (int)shape.ElementCount).ToArray();
                Pool3DResult<T>? r = Pool3DReference.Pool(x, shape.Batch, shape.Channels, shape.Depth, shape.Height, shape.Width, d, h, w, ceil);
                Assert.NotNull(r);
                yield return new Pool3DCase<T>(x, shape, d, h, w, ceil, r);
            }
        }
    }

    /// <summary>Every geometry at every boundary width of each width instantiation (the types without vector paths: the
    /// dispatching entry once), in every convention with long indices, in-window in byte, column-major in int.</summary>
    [Fact]
    public void EqualsTheOracleAtEveryWidthInEveryConvention()
    {
        var vectorized = new Dictionary<KernelWidth, int>();
        foreach (KernelWidth width in Vectorized ? KernelWidths.All : [KernelWidth.Scalar])
        {
            foreach (Pool3DCase<T> c in Cases(width))
            {
                // The decode into a convention is width-independent int32 code: at 512 bits (software on most CI
                // machines, and slow there) one per-plane and one per-sample convention stand for the affine ones.
                foreach (IndexConvention convention in width == KernelWidth.V512 ? Sparse : Pool3DCases.Conventions)
                {
                    Check<long>(c, width, convention);
                }

                Check<byte>(c, width, IndexConvention.InWindow);
                Check<int>(c, width, IndexConvention.GlobalColumnMajor);
                if (width != KernelWidth.Scalar && Plan(c, IndexConvention.PerPlane).CanVectorize(LaneWidths.Count<T>(width)))
                {
                    vectorized[width] = vectorized.GetValueOrDefault(width) + 1;
                }
            }
        }

        // The cases must reach every width's vector columns, or the comparisons prove nothing about them.
        if (Vectorized)
        {
            Assert.All([KernelWidth.V128, KernelWidth.V256, KernelWidth.V512], w => Assert.True(vectorized.GetValueOrDefault(w) >= 10, $"{w}: {vectorized.GetValueOrDefault(w)} vector cases"));
        }
    }

    /// <summary>Windows whose tap codes do not fit an 8-bit lane (7x7x7 = 343 taps) stay exact (the scalar path for 8-bit types).</summary>
    [Fact]
    public void WindowsTooLargeForByteLanesStayExact()
    {
        var axis = new Axis3(7, 1, 0, 0, 1);
        var shape = new Shape5D(1, 2, 7, 8, 7 + (2 * LaneWidths.Count<T>(KernelWidth.V512)));
        T[] x = Pool.AsSpan(0, (int)shape.ElementCount).ToArray();
        Pool3DResult<T>? r = Pool3DReference.Pool(x, 1, 2, shape.Depth, shape.Height, shape.Width, axis, axis, axis, false);
        Assert.NotNull(r);
        var c = new Pool3DCase<T>(x, shape, axis, axis, axis, false, r);
        foreach (KernelWidth width in Vectorized ? KernelWidths.All : [KernelWidth.Scalar])
        {
            Check<long>(c, width, IndexConvention.PerPlane);
            Check<short>(c, width, IndexConvention.InWindow);
            Check<int>(c, width, IndexConvention.ChannelsLastWithBatch);
        }
    }

    /// <summary>The public span form at the dispatched width: equal to the oracle, and the same bytes for 1 and 2 threads.</summary>
    [Fact]
    public void PublicFormIsIdenticalOverThreads()
    {
        foreach ((Axis3 d, Axis3 h, Axis3 w, bool ceil) in Geometries.Take(2))
        {
            var shape = new Shape5D(2, 3, 5, 6, 70);
            T[] x = Pool.AsSpan(1000, (int)shape.ElementCount).ToArray();
            Pool3DResult<T>? r = Pool3DReference.Pool(x, 2, 3, 5, 6, 70, d, h, w, ceil);
            Assert.NotNull(r);
            var c = new Pool3DCase<T>(x, shape, d, h, w, ceil, r);
            foreach (IndexConvention convention in new[] { IndexConvention.PerPlane, IndexConvention.GlobalRowMajor, IndexConvention.InWindow })
            {
                var one = (Values: new T[r.Values.Length], Indices: new long[r.Values.Length]);
                var two = (Values: new T[r.Values.Length], Indices: new long[r.Values.Length]);
                Functional.MaxPool3D(x, shape, c.Geometry, one.Values, one.Indices, convention, Threads.Options(1));
                Functional.MaxPool3D(x, shape, c.Geometry, two.Values, two.Indices, convention, Threads.Options(2));
                ElementData.Exact<T>(r.Values, one.Values, $"values 1 thread {c} {convention}");
                BitAssert.IndicesEqual<long>(c.ExpectedIndices(convention), one.Indices, $"indices 1 thread {c} {convention}");
                ElementData.Exact<T>(one.Values, two.Values, $"values 2 threads {c} {convention}");
                Assert.Equal(one.Indices, two.Indices);
            }
        }
    }

    /// <summary>Runs the kernel at <paramref name="width"/> into guarded buffers and compares bytes and indices with the oracle.</summary>
    private static void Check<TIndex>(Pool3DCase<T> c, KernelWidth width, IndexConvention convention)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int n = c.Expected.Values.Length;
        var values = new GuardedBuffer<T>(n);
        var indices = new GuardedBuffer<TIndex>(n);
        MaxPool3DKernel.Plan plan = Plan(c, convention);
        fixed (T* x = c.Source)
        fixed (T* v = values.Span)
        fixed (TIndex* i = indices.Span)
        {
            Run(width, x, v, i, (int)c.Shape.PlaneCount, plan);
        }

        string context = $"{typeof(T).Name} {width} {convention} {typeof(TIndex).Name} {c}";
        values.AssertGuardsIntact(context);
        indices.AssertGuardsIntact(context);
        ElementData.Exact<T>(c.Expected.Values, values.Span, $"values {context}");
        BitAssert.IndicesEqual<TIndex>(c.ExpectedIndices(convention), indices.Span, $"indices {context}");
    }

    private static MaxPool3DKernel.Plan Plan(Pool3DCase<T> c, IndexConvention convention)
        => new(SpatialPlan.ForPool(c.Geometry, c.Shape.SpatialSize, "geometry"), new IndexLayout3D(convention, c.Shape));

    private static void Run<TIndex>(KernelWidth width, T* x, T* v, TIndex* i, int planes, in MaxPool3DKernel.Plan plan)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (width == KernelWidth.Scalar)
        {
            MaxPool3DKernel.Run<SimdScalar<T>, T, T, TIndex>(x, v, i, planes, plan, 1, scalarOnly: true);
        }
        else if (typeof(T) == typeof(Half))
        {
            switch (width)
            {
                case KernelWidth.V128:
                    MaxPool3DKernel.Run<HalfSimd128<T>, HalfLanes128, T, TIndex>(x, v, i, planes, plan, 1);
                    break;
                case KernelWidth.V256:
                    MaxPool3DKernel.Run<HalfSimd256<T>, HalfLanes256, T, TIndex>(x, v, i, planes, plan, 1);
                    break;
                default:
                    MaxPool3DKernel.Run<HalfSimd512<T>, HalfLanes512, T, TIndex>(x, v, i, planes, plan, 1);
                    break;
            }
        }
        else if (Vectorized)
        {
            switch (width)
            {
                case KernelWidth.V128:
                    MaxPool3DKernel.Run<Simd128<T>, Vector128<T>, T, TIndex>(x, v, i, planes, plan, 1);
                    break;
                case KernelWidth.V256:
                    MaxPool3DKernel.Run<Simd256<T>, Vector256<T>, T, TIndex>(x, v, i, planes, plan, 1);
                    break;
                default:
                    MaxPool3DKernel.Run<Simd512<T>, Vector512<T>, T, TIndex>(x, v, i, planes, plan, 1);
                    break;
            }
        }
        else
        {
            // No vector path: the dispatching entry, which must take the scalar definition at any width.
            MaxPool3DKernel.Run(x, v, i, planes, plan, 1);
        }
    }
}

public sealed class Pool3DElementTypeInt32Tests : Pool3DElementTypeTests<int>;

public sealed class Pool3DElementTypeInt16Tests : Pool3DElementTypeTests<short>;

public sealed class Pool3DElementTypeSByteTests : Pool3DElementTypeTests<sbyte>;

public sealed class Pool3DElementTypeByteTests : Pool3DElementTypeTests<byte>;

public sealed class Pool3DElementTypeHalfTests : Pool3DElementTypeTests<Half>;

public sealed class Pool3DElementTypeUInt16Tests : Pool3DElementTypeTests<ushort>;

public sealed class Pool3DElementTypeUInt32Tests : Pool3DElementTypeTests<uint>;

public sealed class Pool3DElementTypeInt64Tests : Pool3DElementTypeTests<long>;

public sealed class Pool3DElementTypeUInt64Tests : Pool3DElementTypeTests<ulong>;
