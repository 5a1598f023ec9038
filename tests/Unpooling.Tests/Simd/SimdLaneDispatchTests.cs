using System.Runtime.Intrinsics;
using Unpooling.Internal;

namespace Unpooling.Tests.Simd;

/// <summary>
/// The opt-in dispatch of the pooling kernel (<see cref="SimdDispatch.RunLanes{T, TBody}"/>): every element type of
/// DESIGN.md section 4 gets the widest accelerated width its work fills, Half at the 16-bit lane counts of its widths;
/// any other type, and every type but float and double at the shared <see cref="SimdDispatch.Run{T, TBody}"/>, the scalar
/// path.
/// </summary>
public sealed class SimdLaneDispatchTests
{
    private static int Expected(int lanes, int count128, int count256, int count512)
    {
        if (Vector512.IsHardwareAccelerated && lanes >= count512)
        {
            return 512;
        }

        if (Vector256.IsHardwareAccelerated && lanes >= count256)
        {
            return 256;
        }

        return Vector128.IsHardwareAccelerated && lanes >= count128 ? 128 : 0;
    }

    private static int Expected<T>(int lanes) => Expected(lanes, Vector128<T>.Count, Vector256<T>.Count, Vector512<T>.Count);

    public static TheoryData<int> Lanes => [0, 1, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, int.MaxValue];

    [Theory]
    [MemberData(nameof(Lanes))]
    public void EveryLaneTypeGetsTheWidestWidthItsWorkFills(int lanes)
    {
        Assert.Equal(Expected<float>(lanes), SimdDispatch.SelectedLaneWidth<float>(lanes));
        Assert.Equal(Expected<double>(lanes), SimdDispatch.SelectedLaneWidth<double>(lanes));
        Assert.Equal(Expected<int>(lanes), SimdDispatch.SelectedLaneWidth<int>(lanes));
        Assert.Equal(Expected<short>(lanes), SimdDispatch.SelectedLaneWidth<short>(lanes));
        Assert.Equal(Expected<sbyte>(lanes), SimdDispatch.SelectedLaneWidth<sbyte>(lanes));
        Assert.Equal(Expected<byte>(lanes), SimdDispatch.SelectedLaneWidth<byte>(lanes));
    }

    /// <summary><c>Vector128&lt;Half&gt;</c> is not supported: Half runs in 16-bit lanes of its own widths.</summary>
    [Theory]
    [MemberData(nameof(Lanes))]
    public void HalfGetsSixteenBitLaneWidths(int lanes)
    {
        Assert.False(Vector128<Half>.IsSupported);
        Assert.Equal(Expected<ushort>(lanes), SimdDispatch.SelectedLaneWidth<Half>(lanes));
    }

    [Fact]
    public void OtherTypesRunScalar()
    {
        Assert.Equal(0, SimdDispatch.SelectedLaneWidth<long>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedLaneWidth<ulong>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedLaneWidth<uint>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedLaneWidth<ushort>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedLaneWidth<System.Runtime.InteropServices.NFloat>(int.MaxValue));
    }

    /// <summary>The other kernels' dispatch is unchanged: only float and double get a vector width there.</summary>
    [Fact]
    public void TheSharedDispatchStillGivesOnlyFloatAndDoubleAWidth()
    {
        Assert.Equal(0, SimdDispatch.SelectedWidth<Half>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<int>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<short>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<sbyte>(int.MaxValue));
        Assert.Equal(0, SimdDispatch.SelectedWidth<byte>(int.MaxValue));
        Assert.Equal(Expected<float>(int.MaxValue), SimdDispatch.SelectedWidth<float>(int.MaxValue));
    }
}
