using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Unpooling.Internal;

/// <summary>
/// A kernel's work at one width, run by <see cref="SimdDispatch.Run{T, TBody}(ref TBody, int)"/>: a struct (often a
/// <c>ref struct</c> holding the kernel's arguments), so the call is resolved when the JIT compiles the dispatch and
/// costs neither a delegate nor an allocation.
/// </summary>
/// <typeparam name="T">The element type the widths are instantiated for.</typeparam>
internal interface IWidthBody<T>
    where T : unmanaged
{
    /// <summary>Runs the kernel at the vector width <typeparamref name="TSimd"/>, which runs in hardware.</summary>
    void Run<TSimd, TVector>()
        where TSimd : struct, ISimd<TSimd, TVector, T>
        where TVector : struct;

    /// <summary>Runs the kernel's plain scalar path (no vector type at all, so nothing is emulated in software).</summary>
    void RunScalar();
}

/// <summary>
/// The one width dispatch of every kernel: the widest vector that runs in hardware for <c>T</c> and that the work fills,
/// else the scalar path. <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> (which also turns off FMA on .NET 10)
/// and <c>DOTNET_EnableHWIntrinsic=0</c> switch the tiers off one by one.
/// </summary>
/// <remarks>
/// Every test here but the lane count is a JIT-time constant (<c>IsHardwareAccelerated</c>, <c>IsSupported</c>,
/// <c>Count</c>), so an instantiation compiles to at most three compares and direct calls to the tiers this CPU has;
/// the others are not even referenced. <c>IsSupported</c> is checked as well as <c>IsHardwareAccelerated</c> because
/// an element type can be unsupported at an accelerated width (<c>Vector128&lt;Half&gt;</c>), and its <c>Count</c>
/// would throw.
/// </remarks>
internal static class SimdDispatch
{
    /// <summary>
    /// Whether <see cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/> is fused (one rounding) in this process: where the
    /// instruction set has a fused multiply-add that the vector widths use (x64 with FMA, which .NET 10 enables with
    /// AVX2; Arm64, where AdvSimd always has one). Elsewhere a fused result would be computed in software per element,
    /// some hundred times slower, so the multiply and the add are rounded separately. Every width and the scalar path
    /// make the same choice, so results stay identical across widths and thread counts on one instruction set.
    /// </summary>
    /// <remarks>
    /// The widths spell the test out instead of calling this property: the JIT folds the intrinsics' constants while it
    /// imports a method, but a property call only later, when it inlines it, and by then the GEMM tile's multiply-adds
    /// have taken a form that costs a register move each (checked with <c>DOTNET_JitDisasm</c> on the 512-bit tile).
    /// A test holds every width to this rule.
    /// </remarks>
    public static bool FusedMultiplyAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Fma.IsSupported || AdvSimd.IsSupported;
    }

    /// <summary>
    /// Runs <paramref name="body"/> at 512, 256 or 128 bits: the widest that runs in hardware for <typeparamref name="T"/>
    /// and has at most <paramref name="lanes"/> lanes; at the scalar path when none does, and always for an element type
    /// other than <see cref="float"/> and <see cref="double"/>.
    /// </summary>
    /// <param name="body">The kernel at every width.</param>
    /// <param name="lanes">
    /// The most lanes the kernel's vector loop can fill (for example the columns a row's vector loop covers); a width
    /// with more lanes is skipped. <see cref="int.MaxValue"/> for kernels that pad their vectors (the GEMM); 0 (or less)
    /// forces the scalar path.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<T, TBody>(ref TBody body, int lanes)
        where T : unmanaged
        where TBody : struct, IWidthBody<T>, allows ref struct
    {
        // The vector widths compute in float and double only (their members branch on typeof(float)/typeof(double)),
        // while Vector512<int> and the like are supported: any other element type takes the scalar path, or an int
        // would silently compute garbage. A JIT-time constant, so float and double compile exactly as before.
        // The element-type issue adds integer lanes.
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            lanes = 0;
        }

        Widest<T, TBody>(ref body, lanes);
    }

    /// <summary>
    /// <see cref="Run{T, TBody}(ref TBody, int)"/> for kernels whose widths handle every element type of
    /// DESIGN.md section 4 (an opt-in: the pooling kernel): <see cref="float"/>, <see cref="double"/>, <see cref="int"/>,
    /// <see cref="short"/>, <see cref="sbyte"/> and <see cref="byte"/> at their own vector widths, <see cref="Half"/> at the
    /// <see cref="HalfSimd256{T}"/> family (16-bit lanes with order keys, since <c>Vector128&lt;Half&gt;</c> is not
    /// supported); any other type at the scalar path.
    /// </summary>
    /// <remarks>
    /// What a kernel must handle to opt in: <see cref="ISimd{TSelf, TVector, T}.GreaterThan"/> and
    /// <see cref="ISimd{TSelf, TVector, T}.ConditionalSelect"/> in integer lanes (signed or unsigned as the type is),
    /// <see cref="ISimd{TSelf, TVector, T}.IsNaN"/> all-zero for integers, index lanes of 8 and 16 bits for the small
    /// types (tap codes, <see cref="ISimd{TSelf, TVector, T}.StoreTapIndex"/>), and no arithmetic
    /// (<see cref="ISimd{TSelf, TVector, T}.Add"/>, <see cref="ISimd{TSelf, TVector, T}.MultiplyAdd"/>) on integers or
    /// Half keys: the widths do it in float and double only.
    /// </remarks>
    /// <param name="body">The kernel at every width.</param>
    /// <param name="lanes">As for <see cref="Run{T, TBody}(ref TBody, int)"/>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RunLanes<T, TBody>(ref TBody body, int lanes)
        where T : unmanaged
        where TBody : struct, IWidthBody<T>, allows ref struct
    {
        if (typeof(T) == typeof(Half))
        {
            if (Vector512.IsHardwareAccelerated && lanes >= Vector512<ushort>.Count)
            {
                body.Run<HalfSimd512<T>, HalfLanes512>();
            }
            else if (Vector256.IsHardwareAccelerated && lanes >= Vector256<ushort>.Count)
            {
                body.Run<HalfSimd256<T>, HalfLanes256>();
            }
            else if (Vector128.IsHardwareAccelerated && lanes >= Vector128<ushort>.Count)
            {
                body.Run<HalfSimd128<T>, HalfLanes128>();
            }
            else
            {
                body.RunScalar();
            }

            return;
        }

        if (typeof(T) != typeof(float) && typeof(T) != typeof(double) && typeof(T) != typeof(int)
            && typeof(T) != typeof(short) && typeof(T) != typeof(sbyte) && typeof(T) != typeof(byte))
        {
            lanes = 0;
        }

        Widest<T, TBody>(ref body, lanes);
    }

    /// <summary>The widest accelerated width with at most <paramref name="lanes"/> lanes, else the scalar path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Widest<T, TBody>(ref TBody body, int lanes)
        where T : unmanaged
        where TBody : struct, IWidthBody<T>, allows ref struct
    {
        if (Vector512.IsHardwareAccelerated && Vector512<T>.IsSupported && lanes >= Vector512<T>.Count)
        {
            body.Run<Simd512<T>, Vector512<T>>();
        }
        else if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported && lanes >= Vector256<T>.Count)
        {
            body.Run<Simd256<T>, Vector256<T>>();
        }
        else if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported && lanes >= Vector128<T>.Count)
        {
            body.Run<Simd128<T>, Vector128<T>>();
        }
        else
        {
            body.RunScalar();
        }
    }

    /// <summary>The width <see cref="Run{T, TBody}(ref TBody, int)"/> picks, in bits (0 for the scalar path), for tests and probes.</summary>
    public static int SelectedWidth<T>(int lanes)
        where T : unmanaged
    {
        var probe = new WidthProbe<T>();
        Run<T, WidthProbe<T>>(ref probe, lanes);
        return probe.Bits;
    }

    /// <summary>The width <see cref="RunLanes{T, TBody}(ref TBody, int)"/> picks, in bits (0 for the scalar path), for tests and probes.</summary>
    public static int SelectedLaneWidth<T>(int lanes)
        where T : unmanaged
    {
        var probe = new WidthProbe<T>();
        RunLanes<T, WidthProbe<T>>(ref probe, lanes);
        return probe.Bits;
    }

    private struct WidthProbe<T> : IWidthBody<T>
        where T : unmanaged
    {
        public int Bits;

        public void Run<TSimd, TVector>()
            where TSimd : struct, ISimd<TSimd, TVector, T>
            where TVector : struct
            => Bits = TSimd.Count * Unsafe.SizeOf<T>() * 8; // lanes times element bits: a Half width carries two vectors

        public void RunScalar() => Bits = 0;
    }
}
