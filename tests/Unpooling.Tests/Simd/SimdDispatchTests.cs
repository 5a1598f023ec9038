using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Unpooling.Internal;

namespace Unpooling.Tests.Simd;

/// <summary>
/// The width dispatch against what this process's CPU and <c>DOTNET_Enable*</c> settings offer, so the same tests hold
/// on an AVX-512 machine, under <c>DOTNET_EnableAVX512=0</c> or <c>DOTNET_EnableAVX2=0</c>, and with no SIMD at all.
/// </summary>
public sealed class SimdDispatchTests
{
    /// <summary>The width a widest-first dispatch must pick, computed from the runtime's own flags.</summary>
    private static int Expected<T>(int lanes)
    {
        if (Vector512.IsHardwareAccelerated && lanes >= Vector512<T>.Count)
        {
            return 512;
        }

        if (Vector256.IsHardwareAccelerated && lanes >= Vector256<T>.Count)
        {
            return 256;
        }

        return Vector128.IsHardwareAccelerated && lanes >= Vector128<T>.Count ? 128 : 0;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(int.MaxValue)]
    public void PicksTheWidestAcceleratedWidthTheWorkFills(int lanes)
    {
        Assert.Equal(Expected<float>(lanes), SimdDispatch.SelectedWidth<float>(lanes));
        Assert.Equal(Expected<double>(lanes), SimdDispatch.SelectedWidth<double>(lanes));
    }

    [Fact]
    public void NoVectorWidthWithoutHardwareSimd()
    {
        // DOTNET_EnableHWIntrinsic=0 (CI runs a leg with it): every kernel must take its scalar path.
        if (!Vector128.IsHardwareAccelerated)
        {
            Assert.Equal(0, SimdDispatch.SelectedWidth<float>(int.MaxValue));
            Assert.Equal(0, SimdDispatch.SelectedWidth<double>(int.MaxValue));
        }
        else
        {
            Assert.NotEqual(0, SimdDispatch.SelectedWidth<float>(int.MaxValue));
        }
    }

    /// <summary>CI's legs rely on these knobs; should a runtime rename one, its leg would quietly test the default tier.</summary>
    [Fact]
    public void TheInstructionSetKnobsOfTheCiLegsTakeEffect()
    {
        static bool Off(string knob) => Environment.GetEnvironmentVariable("DOTNET_" + knob) == "0";
        if (Off("EnableAVX512"))
        {
            Assert.False(Vector512.IsHardwareAccelerated);
        }

        if (Off("EnableAVX2"))
        {
            Assert.False(Vector256.IsHardwareAccelerated);
            Assert.False(Fma.IsSupported);
        }

        if (Off("EnableAVX"))
        {
            Assert.False(Avx.IsSupported);
        }

        if (Off("EnableHWIntrinsic"))
        {
            Assert.False(Vector128.IsHardwareAccelerated);
        }
    }

    [Fact]
    public void ElementTypesNoWidthSupportsRunScalar()
        => Assert.Equal(0, SimdDispatch.SelectedWidth<Half>(int.MaxValue));

    /// <summary>
    /// Vector512&lt;int&gt; and the like are supported, but the widths compute in float and double only: every other
    /// element type must take the scalar path (the element-type issue adds integer lanes).
    /// </summary>
    [Fact]
    public void OnlyFloatAndDoubleGetAVectorWidth()
    {
        Assert.Equal(0, SimdDispatch.SelectedWidth<int>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<long>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<byte>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<short>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<uint>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<ulong>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<System.Runtime.InteropServices.NFloat>(int.MaxValue));
        Assert.Equal(Expected<float>(int.MaxValue), SimdDispatch.SelectedWidth<float>(int.MaxValue));
    }

    [Fact]
    public void MultiplyAddIsFusedExactlyWhereTheHardwareFuses()
    {
        Assert.Equal(Fma.IsSupported || AdvSimd.IsSupported, SimdDispatch.FusedMultiplyAdd);

        // 1 + 2^-23 squared is 1 + 2^-22 + 2^-46: fused keeps the 2^-46 that a rounded product loses.
        float a = 1f + MathF.Pow(2, -23), c = -(1f + MathF.Pow(2, -22));
        float expected = SimdDispatch.FusedMultiplyAdd ? MathF.FusedMultiplyAdd(a, a, c) : (a * a) + c;
        Assert.Equal(SimdDispatch.FusedMultiplyAdd ? MathF.Pow(2, -46) : 0f, expected);
        Assert.Equal(expected, SimdScalar<float>.MultiplyAdd(a, a, c));
        Assert.Equal(expected, Simd128<float>.MultiplyAdd(Vector128.Create(a), Vector128.Create(a), Vector128.Create(c)).ToScalar());
        Assert.Equal(expected, Simd256<float>.MultiplyAdd(Vector256.Create(a), Vector256.Create(a), Vector256.Create(c)).ToScalar());
        Assert.Equal(expected, Simd512<float>.MultiplyAdd(Vector512.Create(a), Vector512.Create(a), Vector512.Create(c)).ToScalar());
    }
}
