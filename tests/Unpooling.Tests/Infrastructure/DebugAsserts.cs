using System.Diagnostics;
#if DEBUG
using System.Runtime.CompilerServices;
#endif
using Unpooling.Internal;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// In Debug builds (CI's Debug leg) a failed <c>Debug.Assert</c> in the kernels throws, so the test that reached it
/// fails with the assert's message, instead of the default provider ending the whole test process.
/// </summary>
internal static class DebugAsserts
{
#if DEBUG
    [ModuleInitializer]
    internal static void ThrowOnFailure()
    {
        // Touching Trace.Listeners routes Debug.Assert through them; the default listener would fail fast.
        Trace.Listeners.Clear();
        Trace.Listeners.Add(new ThrowingListener());
    }

    private sealed class ThrowingListener : TraceListener
    {
        public override void Fail(string? message, string? detailMessage)
            => throw new InvalidOperationException($"Debug.Assert failed: {message} {detailMessage}");

        public override void Write(string? message)
        {
        }

        public override void WriteLine(string? message)
        {
        }
    }
#endif
}

public sealed unsafe class BoundsTests
{
    [Fact]
    public void WithinAcceptsRunsInsideTheBufferOnly()
    {
        int* buffer = stackalloc int[8];
        Assert.True(Bounds.Within(buffer, 8, buffer, 8));
        Assert.True(Bounds.Within(buffer + 8, 0, buffer, 8));
        Assert.True(Bounds.Within(buffer + 3, 5, buffer, 8));
        Assert.False(Bounds.Within(buffer + 3, 6, buffer, 8));
        Assert.False(Bounds.Within(buffer - 1, 1, buffer, 8));
        Assert.False(Bounds.Within(buffer, -1, buffer, 8));
        Assert.True(Bounds.WithinStrided(buffer + 1, 3, 3, buffer, 8));
        Assert.False(Bounds.WithinStrided(buffer + 2, 3, 3, buffer, 8));
    }

    /// <summary>The Debug leg must test a Debug build of the package, or its asserts are not there to fire.</summary>
    [Fact]
    public void TheDebugLegTestsADebugBuildOfThePackage()
    {
        bool packageIsDebug = typeof(Bounds).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
            .Cast<DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);
#if DEBUG
        Assert.True(packageIsDebug);
        Assert.Throws<InvalidOperationException>(() => Debug.Assert(false, "the provider throws"));
#else
        Assert.False(packageIsDebug);
#endif
    }
}
