using System.Runtime.CompilerServices;

namespace Unpooling.Internal;

/// <summary>How the kernels are compiled.</summary>
/// <remarks>
/// Two rules, both checked on the library's IL by <c>KernelEntryTests</c>: a kernel that tiered code calls is
/// <see cref="Entry"/>; and a method with a loop that a kernel calls (directly or through inlined helpers) is itself
/// <see cref="MethodImplOptions.AggressiveOptimization"/> (or inlined), so that no kernel's loop starts at tier 0 (about
/// 50x slower) for its first calls in a process. Loops in <c>System.Numerics.Tensors</c> (<c>TensorPrimitives</c>, used by
/// the index conversions) are outside these rules: they start at tier 0 like any tiered code.
/// </remarks>
internal static class KernelImpl
{
    /// <summary>
    /// For a kernel that code without <see cref="MethodImplOptions.AggressiveOptimization"/> calls, every
    /// <see cref="IParallelBody.Invoke"/> among them (the runner calls those): compiled once, fully optimized, skipping
    /// tier-0 (about 50x slower on these loops), and never inlined. A tiered caller is recompiled at tier 1 with dynamic
    /// PGO once it is hot, and that compile may inline the kernel and, past its inlining budget, leave the kernel's own
    /// <see cref="MethodImplOptions.AggressiveInlining"/> helpers as calls: the argmax backward's index encoding ran
    /// 2-3x slower at 2 threads once the thread pool's work loop had tiered up with the whole encoding chain inlined
    /// (a test, <c>KernelEntryTests</c>, reads the IL and keeps every such call on a <c>NoInlining</c> kernel). Kept
    /// out of line, the kernel's code is the one compiled for it, whoever calls it and for however long.
    /// </summary>
    public const MethodImplOptions Entry = MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization;
}
