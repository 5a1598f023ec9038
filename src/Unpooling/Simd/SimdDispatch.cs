using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>What the kernels' widths share about this process's instruction set.</summary>
internal static class SimdDispatch
{
    /// <summary>
    /// Whether <see cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/> is fused (one rounding) in this process: where the
    /// instruction set has a fused multiply-add that the vector widths use (x64 with FMA, which .NET 10 enables with
    /// AVX2; Arm64, where AdvSimd always has one). Elsewhere a fused result would be computed in software per element,
    /// some hundred times slower, so the multiply and the add are rounded separately. Every width (and the software ones)
    /// make the same choice, so results stay identical across widths and thread counts on one instruction set.
    /// </summary>
    public static bool FusedMultiplyAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Fma.IsSupported || AdvSimd.IsSupported;
    }
}
