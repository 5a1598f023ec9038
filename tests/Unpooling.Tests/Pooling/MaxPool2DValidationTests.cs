using System.Runtime.InteropServices;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// One test per validation rule of MaxPool2D and Pool2DGeometry (SEMANTICS.md 5): the exception's exact type and
/// ParamName, and that neither destination was written.
/// </summary>
public sealed class MaxPool2DValidationTests
{
    private static readonly Shape4D Shape = new(2, 3, 4, 4);
    private static readonly Pool2DGeometry K2 = new(2);
    private static readonly float[] Source = TestData.Ties<float>(96, 1);

    /// <summary>The destination of <see cref="Shape"/> pooled by <see cref="K2"/> is [2, 3, 2, 2]: 24 elements.</summary>
    private readonly GuardedBuffer<float> _values = new(24);
    private readonly GuardedBuffer<int> _indices = new(24);

    [Theory]
    [InlineData(-1, 3, 4, 4)]
    [InlineData(2, -1, 4, 4)]
    [InlineData(2, 3, 0, 4)]
    [InlineData(2, 3, 4, 0)]
    [InlineData(2, 3, -4, 4)]
    public void BadShapeNamesSourceShape(int n, int c, int h, int w)
        => AssertRejected<ArgumentException>("sourceShape", () => Pool(Source, new Shape4D(n, c, h, w), K2));

    /// <summary>
    /// Shapes whose true element count (N*C*H*W, up to 2^124) exceeds any span must be rejected as shapes. The second
    /// and third wrap modulo 2^64 to exactly 1: a check done in wrapping 64-bit arithmetic accepts them for a 1-element
    /// source and runs the kernel over planes that do not exist (out-of-bounds pointers, a run that never ends). So the
    /// shape's own validation is asserted first, and the operator is only called once that has rejected the shape.
    /// </summary>
    [Theory]
    [InlineData(int.MaxValue, int.MaxValue, 2, 2, 96)]
    [InlineData(25805, 4327489, 1, 660754117, 1)]
    [InlineData(1771958793, 7623851, 1, 2731, 1)]
    public void HugeShapeNamesSourceShape(int n, int c, int h, int w, int sourceLength)
    {
        var shape = new Shape4D(n, c, h, w);
        ArgumentException? e = Record.Exception(() => shape.Validate("sourceShape")) as ArgumentException;
        Assert.True(
            e is not null,
            $"Shape {shape} (N*C*H*W = {(System.Numerics.BigInteger)n * c * h * w}, ElementCount reports {shape.ElementCount}) passes validation: the 64-bit product wrapped");
        var source = new float[sourceLength];
        AssertRejected<ArgumentException>("sourceShape", () => Functional.MaxPool2D(source, shape, new Pool2DGeometry(1), _values.Span, _indices.Span));
    }

    [Theory]
    [InlineData(95)]
    [InlineData(97)]
    [InlineData(0)]
    public void SourceLengthMismatchNamesSource(int length)
        => AssertRejected<ArgumentException>("source", () => Pool(new float[length], Shape, K2));

    [Fact]
    public void DefaultGeometryNamesGeometry()
        => AssertRejected<ArgumentException>("geometry", () => Pool(Source, Shape, default));

    [Fact]
    public void GeometryLargerThanInputNamesGeometry()
        => AssertRejected<ArgumentException>("geometry", () => Pool(Source, Shape, new Pool2DGeometry(5)));

    [Fact]
    public void GeometryTooLargeOnOneAxisNamesGeometry()
        => AssertRejected<ArgumentException>("geometry", () => Pool(Source, Shape, new Pool2DGeometry(new Size2D(2, 3), dilation: new Size2D(1, 2))));

    /// <summary>
    /// Windows of only padding, with a valid output size: k1 p1 (window 0 reads cell -1 only) and, at width 1,
    /// k2 d2 p2 s1 (output 3; window 1 reads cells -1 and 1, both outside a 1-wide input).
    /// </summary>
    [Theory]
    [InlineData(4, 1, 1, 1, 1)]
    [InlineData(1, 2, 1, 2, 2)]
    [InlineData(4, 2, 1, 1, 2)]
    public void WindowOfOnlyPaddingNamesGeometry(int size, int k, int s, int d, int p)
    {
        var axis = new PoolAxis(k, s, p, d);
        long formula = ((size + (2 * p) - axis.EffectiveKernel) / s) + 1;
        Assert.True(formula >= 1, "the case must fail for a padding-only window, not for an empty output");
        Assert.False(axis.TryGetOutputSize(size, false, out _), "the oracle must reject the case");
        var shape = new Shape4D(1, 1, size, size);
        AssertRejected<ArgumentException>("geometry", () => Pool(new float[size * size], shape, new Pool2DGeometry(k, s, p, d)));
    }

    [Theory]
    [InlineData(23)]
    [InlineData(25)]
    public void DestinationLengthMismatchNamesDestination(int length)
    {
        var values = new GuardedBuffer<float>(length);
        AssertRejected<ArgumentException>("destination", () => Functional.MaxPool2D(Source, Shape, K2, values.Span, _indices.Span));
        values.AssertUntouched("destination length");
    }

    [Theory]
    [InlineData(23)]
    [InlineData(25)]
    public void IndicesLengthMismatchNamesIndices(int length)
    {
        var indices = new GuardedBuffer<long>(length);
        AssertRejected<ArgumentException>("indices", () => Functional.MaxPool2D(Source, Shape, K2, _values.Span, indices.Span));
        indices.AssertUntouched("indices length");
    }

    [Fact]
    public void FirstBadArgumentInParameterOrderIsNamed()
    {
        AssertRejected<ArgumentException>("source", () => Functional.MaxPool2D(new float[5], Shape, default, new float[1], new int[1], (IndexConvention)6));
        AssertRejected<ArgumentException>("geometry", () => Functional.MaxPool2D(Source, Shape, default, new float[1], new int[1], (IndexConvention)6));
        AssertRejected<ArgumentException>("destination", () => Functional.MaxPool2D(Source, Shape, K2, new float[1], new int[1], (IndexConvention)6));
        AssertRejected<ArgumentException>("indices", () => Functional.MaxPool2D(Source, Shape, K2, _values.Span, new int[1], (IndexConvention)6));
    }

    /// <summary>A destination sharing memory with the source (shifted or identical) is rejected before anything runs.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(95)]
    public void DestinationOverlappingSourceNamesDestination(int start)
    {
        var backing = new GuardedBuffer<float>(96 + 24);
        Source.CopyTo(backing.Span);
        float[] before = backing.ToArray();
        AssertRejected<ArgumentException>(
            "destination", () => Functional.MaxPool2D(backing.Span[..96], Shape, K2, backing.Span.Slice(start, 24), _indices.Span));
        Assert.True(before.AsSpan().SequenceEqual(backing.Span), "the overlapped buffer was written");
        backing.AssertGuardsIntact("overlap");
    }

    [Fact]
    public void IndicesOverlappingSourceNamesIndices()
    {
        var backing = new float[96 + 24];
        Source.CopyTo(backing, 0);
        Span<int> indices = MemoryMarshal.Cast<float, int>(backing.AsSpan(90, 24));
        float[] before = (float[])backing.Clone();
        Assert.Throws<ArgumentException>(() => Functional.MaxPool2D(backing.AsSpan(0, 96), Shape, K2, _values.Span, MemoryMarshal.Cast<float, int>(backing.AsSpan(90, 24))));
        AssertParam("indices", () => Functional.MaxPool2D(backing.AsSpan(0, 96), Shape, K2, _values.Span, MemoryMarshal.Cast<float, int>(backing.AsSpan(90, 24))));
        Assert.Equal(24, indices.Length);
        Assert.True(before.AsSpan().SequenceEqual(backing), "the overlapped buffer was written");
        _values.AssertUntouched("indices overlapping source");
    }

    [Fact]
    public void IndicesOverlappingDestinationNamesIndices()
    {
        var backing = new GuardedBuffer<long>(24 + 12);
        Span<float> values = MemoryMarshal.Cast<long, float>(backing.Span)[..24];
        Assert.Equal(24, values.Length);
        AssertParam("indices", () =>
        {
            Span<long> all = backing.Span;
            Functional.MaxPool2D(Source, Shape, K2, MemoryMarshal.Cast<long, float>(all)[..24], all.Slice(11, 24));
        });
        backing.AssertUntouched("indices overlapping destination");
    }

    [Fact]
    public void GeometryConstructorNamesTheBadArgument()
    {
        Throws.Param<ArgumentOutOfRangeException>("kernelSize", () => new Pool2DGeometry(0));
        Throws.Param<ArgumentOutOfRangeException>("kernelSize", () => new Pool2DGeometry(new Size2D(2, -1)));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => new Pool2DGeometry(2, stride: 0));
        Throws.Param<ArgumentOutOfRangeException>("stride", () => new Pool2DGeometry(2, stride: new Size2D(1, 0)));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Pool2DGeometry(2, padding: -1));
        Throws.Param<ArgumentOutOfRangeException>("padding", () => new Pool2DGeometry(2, padding: new Size2D(0, -1)));
        Throws.Param<ArgumentOutOfRangeException>("dilation", () => new Pool2DGeometry(2, dilation: 0));
        Throws.Param<ArgumentOutOfRangeException>("dilation", () => new Pool2DGeometry(2, dilation: new Size2D(1, 0)));
    }

    /// <summary>GetOutputSize and GetUnpoolOutputSize follow the formulas; GetOutputSize names its argument.</summary>
    [Fact]
    public void GeometrySizesFollowTheFormulas()
    {
        foreach ((PoolAxis axis, bool ceil) in Geometry.SquareGrid())
        {
            Pool2DGeometry g = Geometry.ToLibrary(axis, axis, ceil);
            foreach (int size in new[] { 1, 2, 5, 8, 13 })
            {
                if (axis.TryGetOutputSize(size, ceil, out int o))
                {
                    Assert.Equal(new Size2D(o, o), g.GetOutputSize(new Size2D(size, size)));
                }
                else
                {
                    Throws.Param<ArgumentException>("inputSize", () => g.GetOutputSize(new Size2D(size, size)));
                }
            }

            foreach (int pooled in new[] { 1, 3, 8 })
            {
                int u = axis.UnpoolOutputSize(pooled);
                if (u >= 1)
                {
                    Assert.Equal(new Size2D(u, u), g.GetUnpoolOutputSize(new Size2D(pooled, pooled)));
                }
            }
        }

        Assert.Equal(new Size2D(4, 4), new Pool2DGeometry(2).GetUnpoolOutputSize(new Size2D(2, 2)));
        // A default geometry is no argument of the call: named after its type, as Conv2DGeometry names itself.
        Throws.Param<ArgumentException>(nameof(Pool2DGeometry), () => default(Pool2DGeometry).GetOutputSize(new Size2D(4, 4)));
        Throws.Param<ArgumentException>(nameof(Pool2DGeometry), () => default(Pool2DGeometry).GetUnpoolOutputSize(new Size2D(2, 2)));
    }

    private static void Pool(float[] source, Shape4D shape, Pool2DGeometry geometry)
        => Functional.MaxPool2D(source, shape, geometry, new float[24], new int[24]);

    private static void AssertParam(string paramName, Action action) => Throws.Param<ArgumentException>(paramName, action);

    private void AssertRejected<TException>(string paramName, Action action)
        where TException : ArgumentException
    {
        Throws.Param<TException>(paramName, action);
        _values.AssertUntouched($"values after {paramName} rejected");
        _indices.AssertUntouched($"indices after {paramName} rejected");
    }
}
