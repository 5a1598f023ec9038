using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Unpooling.Tests.Arm64;

/// <summary>
/// Runs this assembly's xunit tests in process through xunit's own discoverer and executor (.ci/arm64/run.sh compiles
/// it into the test project for the linux-arm64 publish). Arguments: <c>--trait NAME=VALUE</c> and
/// <c>--class TEXT</c> (the class's full name contains it) select test cases (a case runs when it matches any of them;
/// none given = every case); <c>--verbose</c> prints each test as it starts. Prints each failure with its stack trace
/// and a closing <c>N passed, N failed, N skipped</c>; exit code 1 if any failed or none ran.
/// </summary>
public static class InProcessRunner
{
    public static int Main(string[] args)
    {
        var traits = new List<(string Name, string Value)>();
        var classes = new List<string>();
        bool verbose = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--verbose")
            {
                verbose = true;
            }
            else if (args[i] == "--trait" && i + 1 < args.Length)
            {
                string[] pair = args[++i].Split('=', 2);
                traits.Add((pair[0], pair[^1]));
            }
            else if (args[i] == "--class" && i + 1 < args.Length)
            {
                classes.Add(args[++i]);
            }
        }

        Console.WriteLine($"{RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.FrameworkDescription}; "
            + $"Vector128 accelerated: {Vector128.IsHardwareAccelerated}, Vector256: {Vector256.IsHardwareAccelerated}, "
            + $"AdvSimd: {System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported}");
        Assembly assembly = typeof(InProcessRunner).Assembly;
        var sink = new Sink(verbose);
        using var framework = new XunitTestFramework(sink);
        using ITestFrameworkDiscoverer discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly));
        var discovered = new Sink(verbose: false);
        discoverer.Find(includeSourceInformation: false, discovered, new Options());
        discovered.Done.WaitOne();
        List<ITestCase> selected = discovered.Cases.Where(c => Selected(c, traits, classes)).ToList();
        Console.WriteLine($"{selected.Count} of {discovered.Cases.Count} test cases selected");

        using ITestFrameworkExecutor executor = framework.GetExecutor(assembly.GetName());
        executor.RunTests(selected, sink, new Options());
        sink.Done.WaitOne();
        Console.WriteLine($"{sink.Passed} passed, {sink.Failed} failed, {sink.Skipped} skipped");
        return sink.Failed == 0 && sink.Passed > 0 ? 0 : 1;
    }

    private static bool Selected(ITestCase testCase, List<(string Name, string Value)> traits, List<string> classes)
    {
        if (traits.Count == 0 && classes.Count == 0)
        {
            return true;
        }

        string type = testCase.TestMethod.TestClass.Class.Name;
        return classes.Any(c => type.Contains(c, StringComparison.Ordinal))
            || traits.Any(t => testCase.Traits.TryGetValue(t.Name, out List<string>? values) && values.Contains(t.Value));
    }

    /// <summary>Receives discovery or execution messages; <see cref="Done"/> is set at the end of either.</summary>
    private sealed class Sink(bool verbose) : LongLivedMarshalByRefObject, IMessageSink
    {
        public List<ITestCase> Cases { get; } = [];

        public ManualResetEvent Done { get; } = new(false);

        public int Passed { get; private set; }

        public int Failed { get; private set; }

        public int Skipped { get; private set; }

        public bool OnMessage(IMessageSinkMessage message)
        {
            lock (this)
            {
                switch (message)
                {
                    case ITestCaseDiscoveryMessage found:
                        Cases.Add(found.TestCase);
                        break;
                    case IDiscoveryCompleteMessage:
                    case ITestAssemblyFinished:
                        Done.Set();
                        break;
                    case ITestStarting starting when verbose:
                        Console.WriteLine($"[START] {starting.Test.DisplayName}");
                        break;
                    case ITestPassed:
                        Passed++;
                        break;
                    case ITestSkipped skipped:
                        Skipped++;
                        Console.WriteLine($"[SKIP] {skipped.Test.DisplayName}: {skipped.Reason}");
                        break;
                    case ITestFailed failed:
                        Failed++;
                        Console.WriteLine($"[FAIL] {failed.Test.DisplayName}: {string.Join(" | ", failed.Messages)}");
                        Console.WriteLine(string.Join(Environment.NewLine, failed.StackTraces));
                        break;
                    case IErrorMessage error:
                        Failed++;
                        Console.WriteLine($"[ERROR] {string.Join(" | ", error.Messages)}");
                        break;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// xunit's discovery and execution options: the defaults, except that test collections run one at a time
    /// (qemu-user's emulation of many busy threads is the least reliable part of it; the tests still run their own
    /// threads).
    /// </summary>
    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> values = new()
        {
            ["xunit.execution.DisableParallelization"] = true,
            ["xunit.execution.MaxParallelThreads"] = 1,
        };

        public TValue GetValue<TValue>(string name) => values.TryGetValue(name, out object? value) ? (TValue)value! : default!;

        public void SetValue<TValue>(string name, TValue value) => values[name] = value;
    }
}
