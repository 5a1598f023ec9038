using CsCheck;

namespace Unpooling.Tests.Properties;

/// <summary>
/// Generated tests of <see cref="Pool2DGeometry"/>'s public methods: the constructor's range checks, the pooled size
/// (<see cref="Pool2DGeometry.GetOutputSize(Size2D)"/>) and the default unpooled size
/// (<see cref="Pool2DGeometry.GetUnpoolOutputSize(Size2D)"/>), on ordinary and hostile values up to
/// <see cref="int.MaxValue"/>, each against <see cref="PoolModel"/> (SEMANTICS.md 1 and 2 in 64 bits). The model itself is
/// checked against <see cref="Reference.PoolAxis"/> wherever that 32-bit, tap-walking oracle is exact.
/// </summary>
/// <remarks>
/// Contract gaps, following the code's XML comments: the pooled-size refusals name <c>inputSize</c> and the
/// unpooled-size ones <c>pooledSize</c>, as ArgumentException, except on a default geometry, which is no argument and is
/// named after its type (<c>Pool2DGeometry</c>, as <see cref="Conv2DGeometry"/> does); the constructor's name the
/// argument, as ArgumentOutOfRangeException. A pooled size past <see cref="int.MaxValue"/> is refused (no
/// <see cref="Size2D"/> holds it).
/// </remarks>
public sealed class Pool2DGeometryProperties
{
    private static readonly Gen<int> Param = Gen.Frequency((6, Gen.Int[-2, 5]), (2, Generators.Boundary), (1, Gen.Int));

    /// <summary>An input or pooled size: tiny, hostile, or large (the geometry methods touch no memory).</summary>
    private static readonly Gen<int> SizeValue = Generators.NoKnownCrashers
        ? Gen.Frequency((8, Gen.Int[1, 9]), (2, Gen.Int[-2, 1 << 16]))
        : Gen.Frequency((8, Gen.Int[1, 9]), (2, Generators.Hostile(-2, 1 << 16)), (1, Generators.PositiveBoundary));

    [Fact]
    public void TheConstructorRefusesEachValueOutOfRangeNamingItsParameter()
    {
        Gen<GeometrySpec> gen = Gen.Select(
            Param, Param, Param, Param, Gen.Bool, Param, Param, Param, Param, Gen.Bool,
            (kh, kw, sh, sw, hasStride, ph, pw, dh, dw, ceil) => new GeometrySpec(kh, kw, sh, sw, hasStride, ph, pw, dh, dw, ceil));
        Property.Check(
            "Pool2DGeometry(ctor)",
            gen,
            (g, tally) =>
            {
                if (g.ConstructorRefusal is { } name)
                {
                    tally.Add(Property.Refused<ArgumentOutOfRangeException>(name, () => g.Build(), g.ToString()));
                    return;
                }

                Pool2DGeometry built = g.Build();
                Assert.Equal(new Size2D(g.KH, g.KW), built.KernelSize);
                Assert.Equal(new Size2D(g.StrideH, g.StrideW), built.Stride);
                Assert.Equal(new Size2D(g.PH, g.PW), built.PaddingBegin); Assert.Equal(built.PaddingBegin, built.PaddingEnd);
                Assert.Equal(new Size2D(g.DH, g.DW), built.Dilation);
                Assert.Equal(g.Ceil, built.CeilMode);
                Assert.False(built.IsDefault);
                tally.Add("result");
            },
            iterations: 3000,
            print: g => g.ToString());
    }

    [Fact]
    public void GetOutputSizeEqualsTheModelOrRefusesNamingInputSize()
    {
        Gen<(GeometrySpec G, int H, int W)> gen = Gen.Select(PoolModel.Geometry, SizeValue, SizeValue);
        Property.Check(
            "Pool2DGeometry.GetOutputSize",
            gen,
            (c, tally) =>
            {
                Pool2DGeometry geometry = c.G.Build();
                string context = $"{c.G} input {c.H}x{c.W}";
                if (PoolModel.PoolRefusal(c.G, c.H, c.W) is { } why)
                {
                    tally.Add($"{Property.Refused<ArgumentException>(c.G.IsDefault ? nameof(Pool2DGeometry) : "inputSize", () => geometry.GetOutputSize(new Size2D(c.H, c.W)), context)} ({why})");
                    return;
                }

                (int oh, int ow) = PoolModel.Output(c.G, c.H, c.W)!.Value;
                Assert.True(new Size2D(oh, ow) == geometry.GetOutputSize(new Size2D(c.H, c.W)), $"{context}: expected {oh}x{ow}, got {geometry.GetOutputSize(new Size2D(c.H, c.W))}");
                tally.Add(PoolModel.OracleSafe(c.G) ? "result" : "result (extreme geometry)");
            },
            iterations: 6000,
            print: c => $"{c.G} input {c.H}x{c.W}");
    }

    [Fact]
    public void GetUnpoolOutputSizeEqualsTheDefaultOrRefusesNamingPooledSize()
    {
        Gen<(GeometrySpec G, int H, int W)> gen = Gen.Select(PoolModel.Geometry, SizeValue, SizeValue);
        Property.Check(
            "Pool2DGeometry.GetUnpoolOutputSize",
            gen,
            (c, tally) =>
            {
                Pool2DGeometry geometry = c.G.Build();
                string context = $"{c.G} pooled {c.H}x{c.W}";
                (long h, long w) = c.G.IsDefault ? (0, 0) : PoolModel.UnpoolDefault(c.G, c.H, c.W);
                string? why = c.G.IsDefault ? "default geometry"
                    : c.H < 1 || c.W < 1 ? "pooled size < 1"
                    : h < 1 || w < 1 ? "default < 1"
                    : h > int.MaxValue || w > int.MaxValue ? "default > int.MaxValue"
                    : null;
                if (why is not null)
                {
                    tally.Add($"{Property.Refused<ArgumentException>(c.G.IsDefault ? nameof(Pool2DGeometry) : "pooledSize", () => geometry.GetUnpoolOutputSize(new Size2D(c.H, c.W)), context)} ({why})");
                    return;
                }

                Assert.True(new Size2D((int)h, (int)w) == geometry.GetUnpoolOutputSize(new Size2D(c.H, c.W)), $"{context}: expected {h}x{w}");
                tally.Add("result");
            },
            iterations: 3000,
            print: c => $"{c.G} pooled {c.H}x{c.W}");
    }

    /// <summary>
    /// The model's pooled size per axis equals <see cref="Reference.PoolAxis.TryGetOutputSize"/> (which walks every
    /// tap of every window) on every small axis: the O(log) window rule is the oracle's rule.
    /// </summary>
    [Fact]
    public void TheSizeModelAgreesWithTheTapWalkingOracle()
    {
        Gen<(int I, int K, int S, int P, int D, bool Ceil)> gen = Gen.Select(Gen.Int[1, 12], Gen.Int[1, 6], Gen.Int[1, 7], Gen.Int[0, 12], Gen.Int[1, 9], Gen.Bool);
        Property.Check(
            "PoolModel vs PoolAxis oracle",
            gen,
            (c, tally) =>
            {
                bool oracle = new Reference.PoolAxis(c.K, c.S, c.P, c.D).TryGetOutputSize(c.I, c.Ceil, out int expected);
                long? model = PoolModel.AxisOutput(c.I, c.K, c.S, c.P, c.D, c.Ceil);
                Assert.True(oracle == model.HasValue && (!oracle || model == expected), $"oracle {(oracle ? expected : "refused")}, model {model?.ToString() ?? "refused"}");
                tally.Add(oracle ? "agree: size" : "agree: refused");
            },
            iterations: 3000,
            print: c => $"i{c.I} k{c.K} s{c.S} p{c.P} d{c.D}{(c.Ceil ? " ceil" : "")}");
    }
}
