using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Conv;

/// <summary>One test per validation rule: the exception type, the parameter the caller must fix, and an untouched destination.</summary>
public sealed class ConvValidationTests
{
    private static readonly Conv2DGeometry Geometry = new(3, 2, 1, outputPadding: 1);
    private static readonly Shape4D SourceShape = new(2, 4, 5, 6);
    private static readonly Shape4D WeightShape = new(4, 3, 3, 3);

    // Transposed output: (5-1)*2 - 2 + 3 + 1 = 10, (6-1)*2 - 2 + 3 + 1 = 12.
    private static readonly Shape4D OutputShape = new(2, 3, 10, 12);

    [Theory]
    [InlineData("kernelSize")]
    [InlineData("stride")]
    [InlineData("padding")]
    [InlineData("dilation")]
    [InlineData("groups")]
    [InlineData("outputPadding")]
    public void GeometryConstructorRejectsOutOfRangeValues(string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => parameter switch
        {
            "kernelSize" => new Conv2DGeometry(new Size2D(0, 3)),
            "stride" => new Conv2DGeometry(3, stride: new Size2D(1, 0)),
            "padding" => new Conv2DGeometry(3, padding: new Size2D(-1, 0)),
            "dilation" => new Conv2DGeometry(3, dilation: 0),
            "groups" => new Conv2DGeometry(3, groups: 0),
            _ => new Conv2DGeometry(3, stride: 2, dilation: 3, outputPadding: new Size2D(3, 0)),
        });
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void OutputPaddingBelowMaxOfStrideAndDilationIsAccepted()
        => Assert.Equal(new Size2D(2, 1), new Conv2DGeometry(3, stride: 2, dilation: 3, outputPadding: new Size2D(2, 1)).OutputPadding);

    [Fact]
    public void NegativeOutputPaddingIsRejected()
        => Assert.Equal("outputPadding", Assert.Throws<ArgumentOutOfRangeException>(() => Geometry.WithOutputPadding(new Size2D(0, -1))).ParamName);

    [Theory]
    [InlineData("paddingBegin")]
    [InlineData("paddingEnd")]
    public void PerSidePaddingRejectsNegatives(string parameter)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => parameter == "paddingBegin"
            ? Geometry.WithPadding(new Size2D(-1, 0), 0)
            : Geometry.WithPadding(0, new Size2D(0, -2)));
        Assert.Equal(parameter, e.ParamName);
    }

    [Theory]
    [InlineData(8, 11)]
    [InlineData(11, 11)]
    [InlineData(10, 13)]
    public void RequestedOutputSizeOutsideMinToMinPlusStrideMinusOneIsRejected(int h, int w)
    {
        // With zero output padding the transposed size of 5x6 is 9x11; reachable: 9..10 x 11..12.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Geometry.WithTransposedOutputSize(new Size2D(5, 6), new Size2D(h, w)));
        Assert.Equal("outputSize", e.ParamName);
    }

    [Fact]
    public void RequestedOutputSizeSetsOutputPadding()
        => Assert.Equal(new Size2D(1, 0), Geometry.WithTransposedOutputSize(new Size2D(5, 6), new Size2D(10, 11)).OutputPadding);

    /// <summary>Every rule for each element type the convolutions run (Half validates before its float conversion).</summary>
    public static TheoryData<string, string> TransposedRules => Cross(
        "sourceShape", "source", "weightShape.kernel", "weightShape.inputChannels", "weight", "geometry.groups", "geometry.default",
        "geometry.emptyOutput", "bias", "destination", "destination.overlapsSource", "destination.overlapsWeight");

    public static TheoryData<string, string> ForwardRules => Cross("geometry.outputGroups", "weightShape.inputChannels", "geometry.kernelTooLarge");

    [Theory]
    [MemberData(nameof(TransposedRules))]
    public void ConvTranspose2DRejectsEachBadArgumentBeforeWriting(string rule, string element)
        => (element == nameof(Half) ? (Action<string>)TransposedRejects<Half> : TransposedRejects<float>)(rule);

    [Theory]
    [MemberData(nameof(ForwardRules))]
    public void Conv2DRejectsEachBadArgumentBeforeWriting(string rule, string element)
        => (element == nameof(Half) ? (Action<string>)ForwardRejects<Half> : ForwardRejects<float>)(rule);

    private static TheoryData<string, string> Cross(params string[] rules)
    {
        var data = new TheoryData<string, string>();
        foreach (string rule in rules)
        {
            data.Add(rule, nameof(Single));
            data.Add(rule, nameof(Half));
        }

        return data;
    }

    private static void TransposedRejects<T>(string rule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] x = new T[SourceShape.ElementCount];
        T[] w = new T[WeightShape.ElementCount];
        T[] b = new T[3];
        Shape4D xs = SourceShape, ws = WeightShape;
        Conv2DGeometry g = Geometry;
        var y = new GuardedBuffer<T>((int)OutputShape.ElementCount);
        T[] shared = new T[y.Array.Length + w.Length];
        switch (rule)
        {
            case "sourceShape": xs = new Shape4D(2, 4, 0, 6); break;
            case "source": x = new T[x.Length - 1]; break;
            case "weightShape.kernel": ws = new Shape4D(4, 3, 3, 2); w = new T[ws.ElementCount]; break;
            case "weightShape.inputChannels": ws = new Shape4D(2, 3, 3, 3); w = new T[ws.ElementCount]; break;
            case "weight": w = new T[w.Length + 1]; break;
            case "geometry.groups": g = new Conv2DGeometry(3, 2, 1, groups: 3, outputPadding: 1); break;
            case "geometry.default": g = default; break;
            case "geometry.emptyOutput": g = new Conv2DGeometry(3, 1, 4); break;
            case "bias": b = new T[2]; break;
        }

        string expected = rule.Split('.')[0];
        ArgumentException e = rule switch
        {
            "destination" => Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2D<T>(x, xs, w, ws, b, g, y.Span[1..])),
            "destination.overlapsSource" => Assert.Throws<ArgumentException>(() =>
                Functional.ConvTranspose2D<T>(shared.AsSpan(0, x.Length), xs, w, ws, b, g, shared.AsSpan(10, y.Length))),
            "destination.overlapsWeight" => Assert.Throws<ArgumentException>(() =>
                Functional.ConvTranspose2D<T>(x, xs, shared.AsSpan(y.Length - 5, w.Length), ws, b, g, shared.AsSpan(0, y.Length))),
            _ => Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2D<T>(x, xs, w, ws, b, g, y.Span)),
        };
        Assert.Equal(expected, e.ParamName);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        y.AssertUntouched(rule);
    }

    private static void ForwardRejects<T>(string rule)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var xs = new Shape4D(1, 4, 5, 6);
        var ws = new Shape4D(6, 2, 3, 3);
        var g = new Conv2DGeometry(3, groups: 2);
        switch (rule)
        {
            case "geometry.outputGroups": ws = new Shape4D(5, 2, 3, 3); break;
            case "weightShape.inputChannels": ws = new Shape4D(6, 4, 3, 3); break;
            case "geometry.kernelTooLarge": g = new Conv2DGeometry(3, dilation: 3, groups: 2); break;
        }

        var y = new GuardedBuffer<T>(64);
        var e = Assert.Throws<ArgumentException>(() => Functional.Conv2D<T>(new T[xs.ElementCount], xs, new T[ws.ElementCount], ws, default, g, y.Span));
        Assert.Equal(rule.Split('.')[0], e.ParamName);
        y.AssertUntouched(rule);
    }

    [Fact]
    public void TensorFormRejectsWrongRankAndDestinationShape()
    {
        TensorFormRejects<float>();
        TensorFormRejects<Half>();
    }

    private static void TensorFormRejects<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var x3 = Tensor.Create(new T[4 * 5 * 6], [4, 5, 6]);
        var w = Tensor.Create(new T[WeightShape.ElementCount], [4, 3, 3, 3]);
        var y = Tensor.Create(new T[OutputShape.ElementCount], [2, 3, 10, 12]);
        Assert.Equal("source", Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2D(x3.AsReadOnlyTensorSpan(), w.AsReadOnlyTensorSpan(), default, Geometry, y.AsTensorSpan())).ParamName);

        var x = Tensor.Create(new T[SourceShape.ElementCount], [2, 4, 5, 6]);
        var wrong = Tensor.Create(new T[OutputShape.ElementCount], [2, 3, 12, 10]);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2D(x.AsReadOnlyTensorSpan(), w.AsReadOnlyTensorSpan(), default, Geometry, wrong.AsTensorSpan())).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2D(x, w, Tensor.Create(new T[3], [1, 3]), Geometry)).ParamName);
        Assert.Equal("outputSize", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.ConvTranspose2D(x, w, null, Geometry, new Size2D(20, 12))).ParamName);
    }

    [Fact]
    public void ZeroInsertRejectsStrideAndDestinationLength()
    {
        var xs = new Shape4D(1, 1, 3, 3);
        var z = new GuardedBuffer<float>(25);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.ZeroInsert2D(new float[9], xs, new Size2D(2, 0), z.Span)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Functional.ZeroInsert2D(new float[9], xs, 3, z.Span)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => Functional.StridedSubsample2D(new float[9], xs, 2, z.Span)).ParamName);
        z.AssertUntouched("zero insert");
    }
}
