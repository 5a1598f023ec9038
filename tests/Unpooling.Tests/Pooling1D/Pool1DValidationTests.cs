using System.Numerics.Tensors;

using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Pooling1D;

/// <summary>
/// One test per validation rule of the 1-D operators: the exception type, the 1-D method's own parameter name, a
/// message in 1-D words (the <c>[N, C, L]</c> shape, never the <c>[N, C, 1, L]</c> the 2-D core runs), and a destination
/// left untouched.
/// </summary>
public sealed class Pool1DValidationTests
{
    private static readonly Shape3D Shape = new(2, 3, 8);
    private static readonly Pool1DGeometry K2 = new(2);
    private static readonly float[] X = Enumerable.Range(0, 48).Select(i => (float)((i * 7) % 11)).ToArray();

    private static void Pool(string paramName, Shape3D shape, Pool1DGeometry geometry, int sourceLength = 48, int destinationLength = 24, int indicesLength = 24,
        IndexConvention convention = IndexConvention.PerPlane, string? messagePart = null, Type? type = null)
    {
        var destination = new GuardedBuffer<float>(destinationLength);
        var indices = new GuardedBuffer<long>(indicesLength);
        float[] source = new float[sourceLength];
        ArgumentException e = Assert.IsAssignableFrom<ArgumentException>(Record.Exception(() => Functional.MaxPool1D<float, long>(source, shape, geometry, destination.Span, indices.Span, convention)));
        Assert.Equal(type ?? typeof(ArgumentException), e.GetType());
        Assert.Equal(paramName, e.ParamName);
        Assert.DoesNotContain(", 1, ", e.Message, StringComparison.Ordinal);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
        }

        destination.AssertUntouched(paramName);
        indices.AssertUntouched(paramName);
    }

    [Fact]
    public void PoolShapeRules()
    {
        Pool("sourceShape", new Shape3D(-1, 3, 8), K2);
        Pool("sourceShape", new Shape3D(2, 3, 0), K2);
        Pool("sourceShape", new Shape3D(2, 3, 8) { Layout = (TensorLayout)7 }, K2, messagePart: "undefined layout");
        Pool("source", Shape, K2, sourceLength: 47, messagePart: "N*C*L of [2, 3, 8] = 48");
        Pool("destination", Shape, K2, destinationLength: 25, messagePart: "N*C*outL of [2, 3, 4] = 24");
        Pool("indices", Shape, K2, indicesLength: 23);
    }

    [Fact]
    public void PoolGeometryRules()
    {
        Pool("geometry", Shape, default, messagePart: "default(Pool1DGeometry)");
        Pool("geometry", Shape, new Pool1DGeometry(9), messagePart: "length");
        Pool("geometry", Shape, new Pool1DGeometry(1).WithPadding(1, 0), messagePart: "only padding");
        Pool("geometry", new Shape3D(2, 3, 1), new Pool1DGeometry(2, 1, dilation: 3).WithPadding(3, 3), sourceLength: 6, messagePart: "only padding");
    }

    [Fact]
    public void PoolConventionAndIndexTypeRules()
    {
        Pool("indexConvention", Shape, K2, convention: (IndexConvention)6, type: typeof(ArgumentOutOfRangeException));
        var source = new float[300];
        var destination = new GuardedBuffer<float>(150);
        var narrow = new byte[150];
        ArgumentException e = Throws.Param<ArgumentException>("indices", () => Functional.MaxPool1D<float, byte>(source, new Shape3D(1, 1, 300), K2, destination.Span, narrow));
        Assert.Contains("[1, 1, 300]", e.Message, StringComparison.Ordinal);
        destination.AssertUntouched("byte per-plane indices of length 300");
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool1D<float, byte>(source, new Shape3D(1, 1, 300), new Pool1DGeometry(257, 1), new float[44], new byte[44], IndexConvention.InWindow));
        Functional.MaxPool1D<float, byte>(source, new Shape3D(1, 1, 300), new Pool1DGeometry(256, 1), new float[45], new byte[45], IndexConvention.InWindow);
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool1D<float, byte>(Tensor.Create(source, [1, 1, 300]), K2, IndexConvention.PerPlane));
    }

    [Fact]
    public void PoolOverlapsAreRefused()
    {
        var buffer = new float[48 + 24];
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool1D<float, long>(buffer.AsSpan(0, 48), Shape, K2, buffer.AsSpan(40, 24), new long[24]));
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool1D<float, long>(
            new ReadOnlyTensorSpan<float>(buffer, 0, [2, 3, 8], [24, 8, 1]), K2, new TensorSpan<float>(buffer, 40, [2, 3, 4], [12, 4, 1]), new TensorSpan<long>(new long[24], [2, 3, 4])));
    }

    [Fact]
    public void PoolTensorShapeRules()
    {
        var destination = new float[24];
        var indices = new long[24];
        ArgumentException e = Throws.Param<ArgumentException>("source", () => Functional.MaxPool1D<float, long>(
            new ReadOnlyTensorSpan<float>(X, [2, 3, 1, 8]), K2, new TensorSpan<float>(destination, [2, 3, 4]), new TensorSpan<long>(indices, [2, 3, 4])));
        Assert.Contains("rank-3 [N, C, L]", e.Message, StringComparison.Ordinal);
        Throws.Param<ArgumentException>("destination", () => Functional.MaxPool1D<float, long>(
            new ReadOnlyTensorSpan<float>(X, [2, 3, 8]), K2, new TensorSpan<float>(destination, [2, 3, 1, 4]), new TensorSpan<long>(indices, [2, 3, 4])));
        Throws.Param<ArgumentException>("indices", () => Functional.MaxPool1D<float, long>(
            new ReadOnlyTensorSpan<float>(X, [2, 3, 8]), K2, new TensorSpan<float>(destination, [2, 3, 4]), new TensorSpan<long>(indices, [2, 4, 3])));
        Throws.Param<ArgumentException>("geometry", () => Functional.MaxPool1D<float, long>(
            new ReadOnlyTensorSpan<float>(X, [2, 3, 8]), new Pool1DGeometry(9), new TensorSpan<float>(destination, [2, 3, 4]), new TensorSpan<long>(indices, [2, 3, 4])));
        Assert.All(destination, v => Assert.Equal(0, v));
        Throws.Param<ArgumentNullException>("source", () => Functional.MaxPool1D((Tensor<float>)null!, K2));
        Throws.Param<ArgumentException>("source", () => Functional.MaxPool1D(Tensor.Create(X, [48]), K2));
    }

    private static readonly Shape3D Pooled = new(2, 3, 4);
    private static readonly float[] Values = Enumerable.Range(1, 24).Select(i => (float)i).ToArray();
    private static readonly long[] Cells = Enumerable.Range(0, 24).Select(i => (long)((2 * (i % 4)) + (i % 2))).ToArray();

    private static void Unpool(string paramName, Shape3D shape, Pool1DGeometry geometry, long[]? indices = null, int sourceLength = 24, int destinationLength = 48,
        int? outputSize = null, IndexConvention convention = IndexConvention.PerPlane, UnpoolReduction reduction = UnpoolReduction.Replace, Type? type = null)
    {
        var destination = new GuardedBuffer<float>(destinationLength);
        float[] source = Values.Concat(new float[Math.Max(0, sourceLength - 24)]).Take(sourceLength).ToArray();
        long[] index = indices ?? Cells;
        Exception? e = Record.Exception(() => Functional.MaxUnpool1D<float, long>(source, index, shape, geometry, destination.Span, outputSize, convention, reduction));
        ArgumentException a = Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.Equal(type ?? typeof(ArgumentException), a.GetType());
        Assert.Equal(paramName, a.ParamName);
        destination.AssertUntouched(paramName);
    }

    [Fact]
    public void UnpoolRules()
    {
        Unpool("sourceShape", new Shape3D(2, -3, 4), K2);
        Unpool("source", Pooled, K2, sourceLength: 23);
        Unpool("indices", Pooled, K2, indices: Cells[1..]);
        Unpool("indexConvention", Pooled, K2, convention: (IndexConvention)9, type: typeof(ArgumentOutOfRangeException));
        Unpool("geometry", Pooled, default);
        Unpool("outputSize", Pooled, K2, outputSize: 10, destinationLength: 60);
        Unpool("outputSize", Pooled, K2, outputSize: 0, destinationLength: 0);
        Unpool("reduction", Pooled, K2, reduction: (UnpoolReduction)7, type: typeof(ArgumentOutOfRangeException));
        Unpool("destination", Pooled, K2, destinationLength: 47);
        long[] bad = (long[])Cells.Clone();
        bad[17] = 8;
        Unpool("indices", Pooled, K2, indices: bad, type: typeof(ArgumentOutOfRangeException));
        bad[17] = -1;
        Unpool("indices", Pooled, K2, indices: bad, type: typeof(ArgumentOutOfRangeException));
        long[] taps = new long[24];
        taps[5] = 2;
        Unpool("indices", Pooled, K2, indices: taps, convention: IndexConvention.InWindow, type: typeof(ArgumentOutOfRangeException));
        var overlap = new float[48];
        Throws.Param<ArgumentException>("destination", () => Functional.MaxUnpool1D<float, long>(overlap.AsSpan(0, 24), Cells, Pooled, K2, overlap));
    }

    [Fact]
    public void UnpoolTensorAndSwitchesRules()
    {
        var destination = new float[48];
        Throws.Param<ArgumentException>("indices", () => Functional.MaxUnpool1D<float, long>(
            new ReadOnlyTensorSpan<float>(Values, [2, 3, 4]), new ReadOnlyTensorSpan<long>(Cells, [2, 4, 3]), K2, new TensorSpan<float>(destination, [2, 3, 8])));
        Throws.Param<ArgumentException>("destination", () => Functional.MaxUnpool1D<float, long>(
            new ReadOnlyTensorSpan<float>(Values, [2, 3, 4]), new ReadOnlyTensorSpan<long>(Cells, [2, 3, 4]), K2, new TensorSpan<float>(destination, [3, 2, 8])));
        Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool1D<float, long>(
            new ReadOnlyTensorSpan<float>(Values, [2, 3, 1, 4]), new ReadOnlyTensorSpan<long>(Cells, [2, 3, 4]), K2, new TensorSpan<float>(destination, [2, 3, 8])));
        Assert.All(destination, v => Assert.Equal(0, v));

        (Tensor<float> pooled, Switches1D<long> switches) = Functional.MaxPool1D(Tensor.Create(X, [2, 3, 8]), K2);
        Throws.Param<ArgumentException>("source", () => Functional.MaxUnpool1D(Tensor.Create(Values[..12], [1, 3, 4]), switches));
        Throws.Param<ArgumentNullException>("switches", () => Functional.MaxUnpool1D(pooled, (Switches1D<long>)null!));
        switches.Indices[0, 1, 2] = 99;
        Throws.Param<ArgumentOutOfRangeException>("switches", () => Functional.MaxUnpool1D(pooled, switches));

        Throws.Param<ArgumentException>("indices", () => new Switches1D<long>(Tensor.Create(Cells, [2, 3, 1, 4]), K2, 8));
        Throws.Param<ArgumentException>("indices", () => new Switches1D<long>(Tensor.Create(Cells, [2, 3, 4]), K2, 10));
        Throws.Param<ArgumentException>("sourceLength", () => new Switches1D<long>(Tensor.Create(Cells, [2, 3, 4]), K2, 0));
        Throws.Param<ArgumentOutOfRangeException>("convention", () => new Switches1D<long>(Tensor.Create(Cells, [2, 3, 4]), K2, 8, (IndexConvention)6));
        Throws.Param<ArgumentException>("indices", () => new Switches1D<byte>(Tensor.Create(new byte[150], [1, 1, 150]), K2, 300));
        var wrapped = new Switches1D<long>(Tensor.Create(Cells, [2, 3, 4]), K2, 8);
        Assert.Equal(new Shape3D(2, 3, 8), wrapped.SourceShape);
        Assert.Equal(IndexConvention.PerPlane, wrapped.Convention);
        Assert.Equal(K2, wrapped.Geometry);
    }

    [Fact]
    public void ConvertRules()
    {
        void Convert(string paramName, Shape3D shape, int indexedLength, IndexConvention from, IndexConvention to, long[]? indices = null, int destinationLength = 24, Pool1DGeometry? geometry = null, Type? type = null)
        {
            var destination = new GuardedBuffer<long>(destinationLength);
            long[] source = indices ?? Cells;
            Exception? e = geometry is { } g
                ? Record.Exception(() => Functional.ConvertIndices<long>(source, shape, indexedLength, g, from, destination.Span, to))
                : Record.Exception(() => Functional.ConvertIndices<long>(source, shape, indexedLength, from, destination.Span, to));
            ArgumentException a = Assert.IsAssignableFrom<ArgumentException>(e);
            Assert.Equal(type ?? typeof(ArgumentException), a.GetType());
            Assert.Equal(paramName, a.ParamName);
            Assert.DoesNotContain(", 1, ", a.Message, StringComparison.Ordinal);
            destination.AssertUntouched(paramName);
        }

        const IndexConvention P = IndexConvention.PerPlane, G = IndexConvention.GlobalRowMajor, W = IndexConvention.InWindow;
        Convert("indicesShape", new Shape3D(2, 3, -4), 8, P, G);
        Convert("indices", Pooled, 8, P, G, indices: Cells[..23]);
        Convert("indexedLength", Pooled, 0, P, G);
        Convert("geometry", Pooled, 8, P, W, geometry: default(Pool1DGeometry));
        Convert("sourceConvention", Pooled, 8, (IndexConvention)8, G, type: typeof(ArgumentOutOfRangeException));
        Convert("sourceConvention", Pooled, 8, W, G);
        Convert("destination", Pooled, 8, P, G, destinationLength: 25);
        Convert("destinationConvention", Pooled, 8, P, (IndexConvention)8, type: typeof(ArgumentOutOfRangeException));
        Convert("destinationConvention", Pooled, 8, P, W);
        Convert("indices", Pooled, 7, P, G, type: typeof(ArgumentOutOfRangeException));
        long[] global = Enumerable.Range(0, 24).Select(i => (long)((i + 8) % 48)).ToArray();
        Convert("indices", Pooled, 8, G, P, indices: global);
        Convert("indices", Pooled, 8, P, W, geometry: K2, indices: Enumerable.Range(0, 24).Select(i => (long)(i % 4)).ToArray());
        var partial = new long[30];
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices<long>(partial.AsSpan(0, 24), Pooled, 8, P, partial.AsSpan(2, 24), G));
        Throws.Param<ArgumentException>("indices", () => Functional.ConvertIndices(Tensor.Create(new long[6], [6]), 8, P, G));
        Throws.Param<ArgumentException>("destination", () => Functional.ConvertIndices<long>(new ReadOnlyTensorSpan<long>(Cells, [2, 3, 4]), 8, P, new TensorSpan<long>(new long[24], [2, 4, 3]), G));
    }
}
