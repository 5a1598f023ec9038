using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Unpooling.Tests.HostileInput;

/// <summary>
/// A tensor of more than <see cref="int.MaxValue"/> elements in total, each sample below it: <c>[3, 1, 32768, 32768]</c>
/// bytes (3 * 2^30 = 3.2e9 elements, 3 GiB) in native memory, max-pooled 2x2 / stride 2 through the TensorSpan form
/// into <c>[3, 1, 16384, 16384]</c> maxima (768 MiB) and <see cref="long"/> indices (6 GiB), global row-major and then
/// per plane, then unpooled back to <c>[3, 1, 32768, 32768]</c> into the source's pages (peak 9.75 GiB). Checked by
/// sampling windows of every sample,
/// the last one included (its offsets lie past 2^31), against arithmetic on the source: the window's maximum, the
/// first on ties (the fill has none), its index; and the unpooled cells of each sampled window: the source value at
/// the argmax, zero at the three others (pre-poisoned, so a cell the operator forgot cannot pass).
/// </summary>
/// <remarks>
/// <para>Skipped, and reported as skipped, when this process cannot get the memory (see <see cref="SkippableFactAttribute"/>):
/// the need plus a 2 GiB margin is compared with the smaller of <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/> (which
/// honours a container limit) and <c>/proc/meminfo</c>'s MemAvailable; <c>LARGE_INPUT=0</c> skips it too (a shared
/// machine). Touching 10 GiB for the first time is most of its run time: about 2 s per GiB on a loaded 2-core VM.</para>
/// <para>All of the test's own arithmetic is 64-bit. The same checks run on a small tensor in
/// <see cref="SmallTensorGivesTheSameChecksASmallAnswer"/>, so a failure of the large case is the library's, not the
/// harness's.</para>
/// </remarks>
[Collection(LargeMemoryCollection.Name)]
public sealed unsafe class LargeInputTests(ITestOutputHelper output)
{
    private const long GiB = 1L << 30;
    private const long Margin = 2 * GiB;
    private const int SamplesPerPlane = 3000;

    /// <summary>
    /// Global row-major long indices <c>((n*C + c)*H + h)*W + w</c> (values past 2^31 in the last sample), then per-plane
    /// long indices, pooled into the same buffers and unpooled back through the per-plane ones. A failure of the global
    /// pass is reported at the end, after the per-plane round trip ran.
    /// </summary>
    [SkippableFact]
    public void PoolingAndUnpoolingOverMoreThanIntMaxValueElements()
        => RoundTrip(new LargeShape(3, 32768, 32768), requireLarge: true);

    /// <summary>The same fill, passes and checks on <c>[3, 1, 70, 98]</c>, every window checked: the harness is right.</summary>
    [Fact]
    public void SmallTensorGivesTheSameChecksASmallAnswer()
        => RoundTrip(new LargeShape(3, 70, 98), requireLarge: false);

    private void RoundTrip(LargeShape shape, bool requireLarge)
    {
        long need = shape.SourceBytes + shape.PooledCount + (shape.PooledCount * sizeof(long));
        if (requireLarge)
        {
            Assert.True(shape.SourceBytes > int.MaxValue && shape.Plane <= int.MaxValue, "the shape must exceed int.MaxValue in total and not per sample");
            if (Environment.GetEnvironmentVariable("LARGE_INPUT") == "0")
            {
                throw new SkipTestException("LARGE_INPUT=0 turns the 10 GiB case off.");
            }

            long available = AvailableBytes(out string where);
            if (available < need + Margin)
            {
                throw new SkipTestException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"needs {(need + Margin) / (double)GiB:F1} GiB ({need / (double)GiB:F2} GiB at peak plus {Margin / GiB} GiB margin); {where} says {available / (double)GiB:F1} GiB available."));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{shape}: {need / (double)GiB:F2} GiB at peak; {where}: {available / (double)GiB:F1} GiB available"));
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        (long Plane, long Oh, long Ow)[] windows = Samples(shape, exhaustive: !requireLarge);
        using var values = new NativeBuffer(shape.PooledCount);
        using var indices = new NativeBuffer(shape.PooledCount * sizeof(long));
        using var source = new NativeBuffer(shape.SourceBytes);
        Fill(source.Pointer, shape);
        Log(requireLarge, clock, $"filled {shape.SourceBytes / (double)GiB:F2} GiB");

        Exception? global = null;
        try
        {
            Pool(shape, source, values, indices, IndexConvention.GlobalRowMajor);
            Log(requireLarge, clock, "pooled, global row-major indices");
            CheckPooled(shape, source, values, indices, windows, IndexConvention.GlobalRowMajor);
        }
        catch (Exception e) when (requireLarge)
        {
            global = e;
            Log(requireLarge, clock, $"global row-major pass failed: {e.GetType().Name}: {e.Message}");
        }

        Pool(shape, source, values, indices, IndexConvention.PerPlane);
        Log(requireLarge, clock, "pooled, per-plane indices");
        CheckPooled(shape, source, values, indices, windows, IndexConvention.PerPlane);

        // The unpooled tensor goes into the source's own pages (already mapped: gigabytes of first touch cost more
        // than the operators here). Every cell holds a source value before the call, so a cell the operator fails to
        // clear shows; the sampled windows are poisoned with the complement, so a maximum it fails to write shows too.
        foreach ((long plane, long oh, long ow) in windows)
        {
            for (long h = 2 * oh; h < (2 * oh) + 2; h++)
            {
                for (long w = 2 * ow; w < (2 * ow) + 2; w++)
                {
                    source.Pointer[(plane * shape.Plane) + (h * shape.Width) + w] = (byte)~Source(plane, h, w);
                }
            }
        }

        Functional.MaxUnpool2D(
            new ReadOnlyTensorSpan<byte>(values.Pointer, (nint)shape.PooledCount, shape.PooledLengths, shape.PooledStrides),
            new ReadOnlyTensorSpan<long>((long*)indices.Pointer, (nint)shape.PooledCount, shape.PooledLengths, shape.PooledStrides),
            new Pool2DGeometry(2),
            new TensorSpan<byte>(source.Pointer, (nint)shape.SourceBytes, shape.Lengths, shape.Strides),
            IndexConvention.PerPlane);
        Log(requireLarge, clock, "unpooled");

        foreach ((long plane, long oh, long ow) in windows)
        {
            (_, long mh, long mw) = WindowMaximumFromFormula(plane, oh, ow);
            for (long h = 2 * oh; h < (2 * oh) + 2; h++)
            {
                for (long w = 2 * ow; w < (2 * ow) + 2; w++)
                {
                    byte expected = h == mh && w == mw ? Source(plane, h, w) : (byte)0;
                    byte actual = source.Pointer[(plane * shape.Plane) + (h * shape.Width) + w];
                    Assert.True(actual == expected, $"unpooled, sample {plane}, cell ({h}, {w}) of window ({oh}, {ow}): {actual}, expected {expected}");
                }
            }
        }

        Log(requireLarge, clock, $"{windows.Length} windows checked");
        if (global is not null)
        {
            throw new InvalidOperationException($"The per-plane round trip passed; the global row-major pooling pass failed: {global.GetType().Name}: {global.Message}", global);
        }
    }

    private static void Pool(LargeShape shape, NativeBuffer source, NativeBuffer values, NativeBuffer indices, IndexConvention convention)
        => Functional.MaxPool2D(
            new ReadOnlyTensorSpan<byte>(source.Pointer, (nint)shape.SourceBytes, shape.Lengths, shape.Strides),
            new Pool2DGeometry(2),
            new TensorSpan<byte>(values.Pointer, (nint)shape.PooledCount, shape.PooledLengths, shape.PooledStrides),
            new TensorSpan<long>((long*)indices.Pointer, (nint)shape.PooledCount, shape.PooledLengths, shape.PooledStrides),
            convention);

    /// <summary>Each sampled window's maximum and index, from the source in memory (which must still match the formula).</summary>
    private static void CheckPooled(LargeShape shape, NativeBuffer source, NativeBuffer values, NativeBuffer indices, (long Plane, long Oh, long Ow)[] windows, IndexConvention convention)
    {
        foreach ((long plane, long oh, long ow) in windows)
        {
            (byte max, long h, long w) = WindowMaximum(source.Pointer, shape, plane, oh, ow);
            long at = (plane * shape.PooledPlane) + (oh * shape.PooledWidth) + ow;
            string context = $"{convention}, sample {plane}, window ({oh}, {ow})";
            Assert.True(values.Pointer[at] == max, $"{context}: maximum {values.Pointer[at]}, expected {max}");
            long index = ((long*)indices.Pointer)[at];
            long expected = convention == IndexConvention.PerPlane ? (h * shape.Width) + w : (plane * shape.Plane) + (h * shape.Width) + w;
            Assert.True(index == expected, $"{context}: index {index}, expected {expected} (cell ({h}, {w}))");
        }
    }

    private void Log(bool enabled, System.Diagnostics.Stopwatch clock, string message)
    {
        if (enabled)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds,6:F1} s  {message}"));
        }
    }

    /// <summary>
    /// The source: row (p, h) is the arithmetic progression <c>a(p, h) + 17*w (mod 256)</c>. The four cells of a 2x2
    /// window differ by 17, 131 and 148 (mod 256), none 0, so every window has one maximum, and where the progression
    /// wraps differs from window to window, so the argmax moves over all four taps.
    /// </summary>
    private static byte Source(long plane, long h, long w) => (byte)(RowStart(plane, h) + (17 * w));

    private static long RowStart(long plane, long h) => ((h * 131) + ((h * h) >> 7) + (plane * 59)) & 255;

    /// <summary>
    /// Writes <see cref="Source"/> a row at a time: 17 is odd, so <c>a + 17*w = 17*(s + w)</c> with <c>s = 241*a</c>
    /// (241 = 17^-1 mod 256), and every row is a copy out of one table of <c>17*k</c>.
    /// </summary>
    private static void Fill(byte* source, LargeShape shape)
    {
        var table = new byte[shape.Width + 256];
        for (long k = 0; k < table.Length; k++)
        {
            table[k] = (byte)(17 * k);
        }

        nint start = (nint)source;
        Parallel.For(0L, shape.Batch * shape.Height, row =>
        {
            long plane = row / shape.Height, h = row % shape.Height;
            int s = (int)((RowStart(plane, h) * 241) & 255);
            table.AsSpan(s, (int)shape.Width).CopyTo(new Span<byte>((byte*)start + (row * shape.Width), (int)shape.Width));
        });

        // The table is the formula: spot-check rows of the first and last sample against it.
        foreach ((long plane, long h) in new[] { (0L, 0L), (0L, shape.Height - 1), (shape.Batch - 1, 0L), (shape.Batch - 1, shape.Height - 1) })
        {
            for (long w = 0; w < shape.Width; w += 97)
            {
                byte value = source[(plane * shape.Plane) + (h * shape.Width) + w];
                Assert.True(value == Source(plane, h, w), $"fill: sample {plane}, cell ({h}, {w}) is {value}, the formula gives {Source(plane, h, w)}");
            }
        }
    }

    /// <summary>The window's maximum read from memory, first of equals in row-major scan order; asserts memory matches the formula.</summary>
    private static (byte Max, long H, long W) WindowMaximum(byte* source, LargeShape shape, long plane, long oh, long ow)
    {
        (byte Max, long H, long W) best = (0, -1, -1);
        for (long h = 2 * oh; h < (2 * oh) + 2; h++)
        {
            for (long w = 2 * ow; w < (2 * ow) + 2; w++)
            {
                byte v = source[(plane * shape.Plane) + (h * shape.Width) + w];
                Assert.True(v == Source(plane, h, w), $"source changed at sample {plane}, cell ({h}, {w})");
                if (best.H < 0 || v > best.Max)
                {
                    best = (v, h, w);
                }
            }
        }

        return best;
    }

    /// <summary>The same from the formula alone (the source is gone when the unpooled tensor is checked).</summary>
    private static (byte Max, long H, long W) WindowMaximumFromFormula(long plane, long oh, long ow)
    {
        (byte Max, long H, long W) best = (0, -1, -1);
        for (long h = 2 * oh; h < (2 * oh) + 2; h++)
        {
            for (long w = 2 * ow; w < (2 * ow) + 2; w++)
            {
                byte v = Source(plane, h, w);
                if (best.H < 0 || v > best.Max)
                {
                    best = (v, h, w);
                }
            }
        }

        return best;
    }

    /// <summary>
    /// Per sample the four corner windows, the last window of each of the last rows, and <see cref="SamplesPerPlane"/>
    /// seeded random windows; or every window (<paramref name="exhaustive"/>, for the small tensor).
    /// </summary>
    private static (long Plane, long Oh, long Ow)[] Samples(LargeShape shape, bool exhaustive)
    {
        var windows = new List<(long, long, long)>();
        long rows = shape.PooledHeight, columns = shape.PooledWidth;
        for (long plane = 0; plane < shape.Batch; plane++)
        {
            if (exhaustive)
            {
                for (long oh = 0; oh < rows; oh++)
                {
                    for (long ow = 0; ow < columns; ow++)
                    {
                        windows.Add((plane, oh, ow));
                    }
                }

                continue;
            }

            windows.AddRange([(plane, 0, 0), (plane, 0, columns - 1), (plane, rows - 1, 0), (plane, rows - 1, columns - 1)]);
            for (long oh = rows - 3; oh < rows - 1; oh++)
            {
                windows.Add((plane, oh, columns - 1));
            }

            var random = new Random(unchecked((int)(20261201 + plane)));
            for (int i = 0; i < SamplesPerPlane; i++)
            {
                windows.Add((plane, random.NextInt64(rows), random.NextInt64(columns)));
            }
        }

        return windows.Distinct().ToArray();
    }

    /// <summary>Bytes this process can count on: the GC's limit (a container's) and the kernel's MemAvailable, the smaller.</summary>
    private static long AvailableBytes(out string where)
    {
        long gc = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        where = "GCMemoryInfo.TotalAvailableMemoryBytes";
        if (File.Exists("/proc/meminfo"))
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    long kib = long.Parse(line["MemAvailable:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    if (kib * 1024 < gc)
                    {
                        where = "/proc/meminfo MemAvailable";
                        return kib * 1024;
                    }
                }
            }
        }

        return gc;
    }

    /// <summary><c>[N, 1, H, W]</c> and its 2x2 / stride 2 pooled shape, all in 64-bit.</summary>
    private readonly record struct LargeShape(long Batch, long Height, long Width)
    {
        public long Plane => Height * Width;

        public long SourceBytes => Batch * Plane;

        public long PooledHeight => Height / 2;

        public long PooledWidth => Width / 2;

        public long PooledPlane => PooledHeight * PooledWidth;

        public long PooledCount => Batch * PooledPlane;

        public nint[] Lengths => [(nint)Batch, 1, (nint)Height, (nint)Width];

        /// <summary>Empty: the tensor computes dense row-major strides itself.</summary>
        public nint[] Strides => [];

        public nint[] PooledLengths => [(nint)Batch, 1, (nint)PooledHeight, (nint)PooledWidth];

        public nint[] PooledStrides => [];

        public override string ToString() => $"[{Batch}, 1, {Height}, {Width}]";
    }

    /// <summary>
    /// Native memory of any size, 2 MiB aligned and advised for transparent huge pages (first touch of gigabytes costs
    /// far less in 2 MiB pages than in 4 KiB ones), not zeroed by us: fresh pages are zero.
    /// </summary>
    private sealed class NativeBuffer : IDisposable
    {
        private const nuint HugePage = 2 << 20;
        private const int MadviseHugePage = 14;

        public NativeBuffer(long bytes)
        {
            nuint size = (nuint)Math.Max(bytes, 1);
            Pointer = (byte*)NativeMemory.AlignedAlloc(size, HugePage);
            if (OperatingSystem.IsLinux())
            {
                _ = Madvise(Pointer, (size + HugePage - 1) / HugePage * HugePage, MadviseHugePage);
            }
        }

        public byte* Pointer { get; private set; }

        public void Dispose()
        {
            if (Pointer != null)
            {
                NativeMemory.AlignedFree(Pointer);
                Pointer = null;
            }
        }

        [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
        private static extern int Madvise(void* address, nuint length, int advice);
    }
}

/// <summary>Thrown by a <see cref="SkippableFactAttribute"/> test to report itself skipped, with the reason.</summary>
public sealed class SkipTestException(string reason) : Exception(reason);

/// <summary>
/// Tests that need gigabytes of memory run in this collection, alone: xunit runs a collection that disables
/// parallelization after the parallel ones, so no other test's buffers share the machine with them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeMemoryCollection
{
    public const string Name = "Large memory";
}

/// <summary>
/// A fact that may skip itself at run time by throwing <see cref="SkipTestException"/>: xunit 2 knows only static
/// <c>Skip</c>, so this discoverer's test case turns that one failure into a skipped result with the exception's
/// message as the reason (the runner reports it as skipped, never as passed). After Xunit.SkippableFact's design, in a
/// few lines, as no package for it is referenced.
/// </summary>
[XunitTestCaseDiscoverer("Unpooling.Tests.HostileInput.SkippableFactDiscoverer", "Unpooling.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SkippableFactAttribute : FactAttribute;

/// <summary>Discovers <see cref="SkippableFactAttribute"/> tests as <see cref="SkippableTestCase"/>s.</summary>
public sealed class SkippableFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
        => [new SkippableTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
}

/// <summary>A test case whose <see cref="SkipTestException"/> failure is reported as a skip.</summary>
public sealed class SkippableTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes", error: true)]
    public SkippableTestCase()
    {
    }

    public SkippableTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, options, testMethod)
    {
    }

    public override async Task<RunSummary> RunAsync(
        IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments, ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        var bus = new SkippingMessageBus(messageBus);
        RunSummary summary = await base.RunAsync(diagnosticMessageSink, bus, constructorArguments, aggregator, cancellationTokenSource);
        if (bus.Skipped > 0)
        {
            summary.Failed -= bus.Skipped;
            summary.Skipped += bus.Skipped;
        }

        return summary;
    }

    /// <summary>Forwards every message, but a failure by <see cref="SkipTestException"/> as a skip with its message.</summary>
    private sealed class SkippingMessageBus(IMessageBus inner) : IMessageBus
    {
        public int Skipped { get; private set; }

        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestFailed failed && failed.ExceptionTypes.Length > 0 && failed.ExceptionTypes[0] == typeof(SkipTestException).FullName)
            {
                Skipped++;
                string reason = failed.Messages[0];
                return inner.QueueMessage(new TestSkipped(failed.Test, reason));
            }

            return inner.QueueMessage(message);
        }

        public void Dispose()
        {
            // The inner bus belongs to the runner.
        }
    }
}
