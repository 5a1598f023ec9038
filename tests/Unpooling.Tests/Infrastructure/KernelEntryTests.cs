using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// The kernels skip tier-0 (<see cref="MethodImplOptions.AggressiveOptimization"/>): they are compiled once, fully
/// optimized, without a profile. A tiered method that calls one is recompiled at tier 1 with dynamic PGO once it is hot,
/// and that compile may inline the kernel into itself and, past its inlining budget, leave the kernel's own
/// <c>AggressiveInlining</c> helpers as calls: a loop of calls that runs 2-3x slower than the kernel did before the
/// caller tiered up. Seen on the argmax backward's index encoding at 2 threads (the thread pool's tier-1 work loop
/// inlined the whole encoding chain; BenchmarkDotNet measured the tiered-up state, a short probe the state before).
/// So every kernel a tiered method calls is <c>NoInlining</c> too (<c>KernelImpl.Entry</c>): its code is the one
/// compiled for it, whoever calls it and for however long; and a method with a loop that a kernel calls is a kernel
/// itself. These tests read the IL of every method of the library and list the calls that break either rule.
/// </summary>
public sealed class KernelEntryTests
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void EveryKernelThatATieredMethodCallsIsNeverInlined()
    {
        List<string> violations = [];
        int checkedCalls = 0;
        foreach (MethodBase caller in AllMethods(typeof(Functional).Assembly))
        {
            // A tiered root: neither a kernel nor a helper that is inlined into its caller (those are followed from
            // the roots that call them, as their calls become the root's).
            if (IsKernel(caller) || IsInlined(caller))
            {
                continue;
            }

            foreach (MethodBase callee in CalledThroughInlinedHelpers(caller).Where(IsKernel))
            {
                checkedCalls++;
                if ((callee.MethodImplementationFlags & MethodImplAttributes.NoInlining) == 0)
                {
                    violations.Add($"{Name(caller)} -> {Name(callee)}");
                }
            }
        }

        Assert.True(checkedCalls > 10, $"only {checkedCalls} calls into kernels found: the IL scan is broken");
        Assert.True(violations.Count == 0, "tiered methods call inlinable kernels:\n" + string.Join("\n", violations.Distinct().Order()));
    }

    /// <summary>
    /// Loops left tiered because their tier-1 code (dynamic PGO, with the channel hashing inlined) is faster than a full
    /// optimization without a profile: the seeded random rows, channels-last, which hash every channel's taps per row.
    /// Compiled as kernels, random unpooling's channels-last backward took 8.1 ms against 6.1 and its forward 7.3-7.5
    /// against 6.7-7.0 (Stopwatch probe, Zen 4, 2026-12-06).
    /// </summary>
    private static readonly HashSet<string> TieredOnPurpose = ["SeededPixels", "RandomBlockRow"];

    /// <summary>
    /// The other direction: a kernel's loops never run at tier 0. A method with a loop that a kernel calls (through its
    /// inlined helpers) and that is neither inlined nor a kernel itself would start at tier 0, about 50x slower on these
    /// loops, for its first calls in every process; such methods are kernels too (<c>AggressiveOptimization</c>).
    /// </summary>
    [Fact]
    public void NoKernelCallsALoopThatStartsAtTierZero()
    {
        List<string> violations = [];
        foreach (MethodBase kernel in AllMethods(typeof(Functional).Assembly).Where(IsKernel))
        {
            foreach (MethodBase callee in CalledThroughInlinedHelpers(kernel))
            {
                if (!IsKernel(callee) && HasLoop(callee) && !TieredOnPurpose.Contains(callee.Name))
                {
                    violations.Add($"{Name(kernel)} -> {Name(callee)}");
                }
            }
        }

        Assert.True(violations.Count == 0, "kernels call loops that start at tier 0:\n" + string.Join("\n", violations.Distinct().Order()));
    }

    /// <summary>
    /// The runner calls a body's <c>Invoke</c> through its interface (a constrained call the IL scan sees as
    /// <c>IParallelBody.Invoke</c>), and the runner is tiered code: so every body's <c>Invoke</c> is a kernel entry.
    /// </summary>
    [Fact]
    public void EveryParallelBodyIsAKernelEntry()
    {
        Type body = typeof(Functional).Assembly.GetType("Unpooling.Internal.IParallelBody", throwOnError: true)!;
        MethodBase run = body.Assembly.GetType("Unpooling.Internal.ParallelRunner", throwOnError: true)!.GetMethod("Run", BindingFlags.Public | BindingFlags.Static)!;
        Assert.Contains(Callees(run), m => m.DeclaringType == body && m.Name == "Invoke"); // the scan reads the runner's call
        Type[] bodies = [.. body.Assembly.GetTypes().Where(t => t.IsValueType && body.IsAssignableFrom(t))];
        Assert.True(bodies.Length > 30, $"only {bodies.Length} bodies found");
        string[] inlinable = [.. bodies
            .Select(t => t.GetMethod("Invoke", BindingFlags.Public | BindingFlags.Instance, [typeof(int), typeof(int)])!)
            .Where(m => (m.MethodImplementationFlags & (MethodImplAttributes.NoInlining | MethodImplAttributes.AggressiveOptimization)) != (MethodImplAttributes.NoInlining | MethodImplAttributes.AggressiveOptimization))
            .Select(Name)];
        Assert.True(inlinable.Length == 0, "bodies whose Invoke is not NoInlining | AggressiveOptimization:\n" + string.Join("\n", inlinable.Order()));
    }

    private static bool IsKernel(MethodBase method) => (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0;

    /// <summary>Whether the IL branches backwards (a loop).</summary>
    private static bool HasLoop(MethodBase method)
    {
        byte[] il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        foreach ((OpCode op, int start, int operand) in Instructions(il))
        {
            long next = operand + OperandSize(op, il, operand);
            long target = op.OperandType switch
            {
                OperandType.ShortInlineBrTarget => next + (sbyte)il[operand],
                OperandType.InlineBrTarget => next + BitConverter.ToInt32(il, operand),
                _ => long.MaxValue,
            };
            if (target <= start)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The library's methods that <paramref name="root"/> calls once its <c>AggressiveInlining</c> helpers are inlined
    /// into it: its callees, with each such helper replaced by the helper's own callees (a kernel is not followed).
    /// </summary>
    private static IEnumerable<MethodBase> CalledThroughInlinedHelpers(MethodBase root)
    {
        HashSet<MethodBase> seen = [];
        Stack<MethodBase> pending = new([root]);
        while (pending.TryPop(out MethodBase? method))
        {
            foreach (MethodBase callee in Callees(method))
            {
                if (callee.Module != root.Module || !seen.Add(callee))
                {
                    continue;
                }

                if (!IsKernel(callee) && IsInlined(callee))
                {
                    pending.Push(callee);
                }
                else
                {
                    yield return callee;
                }
            }
        }
    }

    private static bool IsInlined(MethodBase method) => (method.MethodImplementationFlags & MethodImplAttributes.AggressiveInlining) != 0;

    private static string Name(MethodBase method) => $"{method.DeclaringType?.Name}.{method.Name}";

    private static IEnumerable<MethodBase> AllMethods(Assembly assembly)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (Type type in assembly.GetTypes())
        {
            foreach (MethodBase method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                yield return method;
            }
        }
    }

    /// <summary>The methods <paramref name="method"/>'s IL calls (<c>call</c>, <c>callvirt</c>, <c>newobj</c>, <c>ldftn</c>).</summary>
    private static List<MethodBase> Callees(MethodBase method)
    {
        List<MethodBase> callees = [];
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return callees;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        foreach ((OpCode op, _, int operand) in Instructions(il))
        {
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, operand), typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // A member reference to another assembly's method that cannot be resolved here: not a kernel.
                }

                if (callee is not null)
                {
                    callees.Add(callee is MethodInfo { IsGenericMethod: true } g && !g.IsGenericMethodDefinition ? g.GetGenericMethodDefinition() : callee);
                }
            }
        }

        return callees;
    }

    /// <summary>Each instruction of <paramref name="il"/>: its opcode, its offset and its operand's offset.</summary>
    private static IEnumerable<(OpCode Op, int Start, int Operand)> Instructions(byte[] il)
    {
        int at = 0;
        while (at < il.Length)
        {
            OpCode op = OpCodesByValue[il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at]];
            int operand = at + op.Size;
            yield return (op, at, operand);
            at = operand + OperandSize(op, il, operand);
        }
    }

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
