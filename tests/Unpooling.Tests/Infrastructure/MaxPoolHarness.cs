using System.Numerics;
using Unpooling.Internal;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Infrastructure;

/// <summary>One max-pooling case: input, shape and geometry, with the oracle's answer computed once.</summary>
internal sealed class MaxPoolCase<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public MaxPoolCase(T[] source, int batch, int channels, int height, int width, PoolAxis rows, PoolAxis cols, bool ceilMode)
    {
        Source = source;
        Shape = new Shape4D(batch, channels, height, width);
        Rows = rows;
        Cols = cols;
        CeilMode = ceilMode;
        Geometry = Infrastructure.Geometry.ToLibrary(rows, cols, ceilMode);
        Expected = MaxPool2DReference.Pool(source, batch * channels, height, width, rows, cols, ceilMode);
    }

    public T[] Source { get; }

    public Shape4D Shape { get; }

    public PoolAxis Rows { get; }

    public PoolAxis Cols { get; }

    public bool CeilMode { get; }

    public Pool2DGeometry Geometry { get; }

    public PoolResult<T> Expected { get; }

    public int Planes => Shape.Batch * Shape.Channels;

    public Shape4D OutputShape => Shape.WithSpatialSize(new Size2D(Expected.OutH, Expected.OutW));

    public override string ToString()
        => $"{typeof(T).Name} {Infrastructure.Geometry.Describe(Rows, Cols, CeilMode)} input {Shape} output {Expected.OutH}x{Expected.OutW}";

    /// <summary>
    /// Runs the internal kernel at one width with the source read-only on guarded pages and both destinations on
    /// guarded pages, flush after and then flush before (<see cref="GuardedPages"/>), and checks values and indices
    /// bitwise each time.
    /// </summary>
    public unsafe void CheckKernel<TIndex>(KernelWidth width, int degree = 1)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var plan = new MaxPool2DKernel.Plan(Shape.SpatialSize, new Size2D(Expected.OutH, Expected.OutW), Geometry);
        foreach (GuardSide side in GuardedPages.Sides)
        {
            string context = $"{width} {typeof(TIndex).Name} flush {side} {this}";
            using GuardedInput<T> source = GuardedPages.Input<T>(Source, side);
            using var values = new PageGuardedDestination<T>(Expected.Values.Length, side);
            using var indices = new PageGuardedDestination<TIndex>(Expected.Values.Length, side);
            KernelWidths.MaxPool(width, source.Pointer, values.Pointer, indices.Pointer, Planes, plan, degree);
            values.AssertGuardsIntact($"values {context}");
            indices.AssertGuardsIntact($"indices {context}");
            BitAssert.Equal<T>(Expected.Values, values.Span, $"values {context}");
            BitAssert.IndicesEqual<TIndex>(Expected.Indices, indices.Span, $"indices {context}");
        }
    }

    /// <summary>Runs the public span overload into guarded buffers and checks values and indices bitwise.</summary>
    public void CheckPublic<TIndex>(ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        (GuardedBuffer<T> values, GuardedBuffer<TIndex> indices) = RunPublic<TIndex>(options);
        Check(values, indices, $"public {typeof(TIndex).Name} ({options}) {this}");
    }

    /// <summary>Runs the public span overload into guarded buffers (guards checked) and returns them.</summary>
    public (GuardedBuffer<T> Values, GuardedBuffer<TIndex> Indices) RunPublic<TIndex>(ExecutionOptions options = default)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        var values = new GuardedBuffer<T>(Expected.Values.Length);
        var indices = new GuardedBuffer<TIndex>(Expected.Values.Length);
        Functional.MaxPool2D(Source, Shape, Geometry, values.Span, indices.Span, options: options);
        values.AssertGuardsIntact($"values {this}");
        indices.AssertGuardsIntact($"indices {this}");
        return (values, indices);
    }

    private void Check<TIndex>(GuardedBuffer<T> values, GuardedBuffer<TIndex> indices, string context)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        values.AssertGuardsIntact($"values {context}");
        indices.AssertGuardsIntact($"indices {context}");
        BitAssert.Equal<T>(Expected.Values, values.Span, $"values {context}");
        BitAssert.IndicesEqual<TIndex>(Expected.Indices, indices.Span, $"indices {context}");
    }
}
