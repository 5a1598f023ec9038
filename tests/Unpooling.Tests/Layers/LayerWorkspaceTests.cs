using System.Diagnostics.Tracing;
using System.Numerics;
using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Layers;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests.Layers;

/// <summary>
/// The convolution layers' workspace (issue 15: weights packed once, steady-state calls that rent nothing). A layer's
/// span forms keep the packed weights and the kernels' scratch between calls; these tests hold them to the functions:
/// every call gives the same bits as the <see cref="Functional"/> operator on the layer's current weights (which
/// <c>LayerTests</c> and the convolution suites check against the oracles), however the weights were changed in
/// between (through a span kept from before, a sign of zero, a NaN that moves the 3-D transposed convolution off its
/// phase layout and back) or the plan changed (another batch size); the weights are packed again exactly when they or
/// the plan changed; and in steady state a call allocates nothing and rents nothing from <see cref="System.Buffers.ArrayPool{T}"/>
/// (counted through the pool's own event source, with a functional call in the same window as the control that the
/// counting works).
/// </summary>
public sealed class LayerWorkspaceTests
{
    public static TheoryData<string> Cases => new(Harness.Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryCallMatchesTheFunctionOnTheCurrentWeights(string name)
    {
        Harness.Create(name, ExecutionOptions.WithMaxDegreeOfParallelism(2)).Scenario();
    }

    /// <summary>One convolution layer and the function it stands for, over float, double or Half.</summary>
    internal abstract class Harness
    {
        public static readonly string[] Names =
        [
            "Conv1D float", "ConvTranspose1D float", "Conv2D float", "Conv2D float channels-last", "Conv2D double",
            "ConvTranspose2D float", "ConvTranspose2D float channels-last", "ConvTranspose2D Half", "Conv3D float",
            "ConvTranspose3D float", "ConvTranspose3D double", "ConvTranspose3D float channels-last",
        ];

        public abstract ConvWorkspace Workspace { get; }

        public static Harness Create(string name, ExecutionOptions options)
        {
            bool last = name.EndsWith("channels-last", StringComparison.Ordinal);
            return name.Split(' ')[1] switch
            {
                "double" => Create<double>(name, last, options),
                "Half" => Create<Half>(name, last, options),
                _ => Create<float>(name, last, options),
            };
        }

        /// <summary>Calls, weight changes and plan changes, each call checked against the function.</summary>
        public abstract void Scenario();

        public abstract void FunctionalForward(int batch);

        public abstract void Warm(int batch);

        public abstract void Step(int batch);

        private static Harness<T> Create<T>(string name, bool last, ExecutionOptions options)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            const int Cin = 6, Cout = 5;
            var down = new Conv2DGeometry(3, padding: 1);
            var up = new Conv2DGeometry(4, stride: 2, padding: 1);
            Shape4D S4(int n, int h, int w) => last ? Shape4D.ChannelsLast(n, h, w, Cin) : new Shape4D(n, Cin, h, w);
            Shape5D S5(int n, int d, int h, int w) => last ? Shape5D.ChannelsLast(n, d, h, w, Cin) : new Shape5D(n, Cin, d, h, w);
            switch (name.Split(' ')[0])
            {
                case "Conv1D":
                {
                    var g = new Conv1DGeometry(3, padding: 1);
                    var l = new Conv1D<T>(Cin, Cout, g, seed: 5, options: options);
                    Shape3D S(int n) => new(n, Cin, 19);
                    return new Harness<T>(
                        l.Workspace, () => l.Weight, () => l.Bias, n => S(n).ElementCount, n => l.GetOutputShape(S(n)).ElementCount,
                        (x, n, y) => l.Forward(x, S(n), y), (x, n, w, b, y) => Functional.Conv1D<T>(x, S(n), w, l.WeightShape, b, g, y, options),
                        (x, n, dy, dx) => l.Backward(x, S(n), dy, dx), (x, n, w, dy, dx) => Functional.Conv1DBackward<T>(dy, x, S(n), w, l.WeightShape, g, dx, default, default, options));
                }

                case "ConvTranspose1D":
                {
                    var g = new Conv1DGeometry(4, stride: 2, padding: 1);
                    var l = new ConvTranspose1D<T>(Cin, Cout, g, seed: 5, options: options);
                    Shape3D S(int n) => new(n, Cin, 13);
                    return new Harness<T>(
                        l.Workspace, () => l.Weight, () => l.Bias, n => S(n).ElementCount, n => l.GetOutputShape(S(n)).ElementCount,
                        (x, n, y) => l.Forward(x, S(n), y), (x, n, w, b, y) => Functional.ConvTranspose1D<T>(x, S(n), w, l.WeightShape, b, g, y, options),
                        (x, n, dy, dx) => l.Backward(x, S(n), dy, dx), (x, n, w, dy, dx) => Functional.ConvTranspose1DBackward<T>(dy, x, S(n), w, l.WeightShape, g, dx, default, default, options));
                }

                case "Conv2D":
                {
                    var l = new Conv2D<T>(Cin, Cout, down, seed: 5, options: options);
                    Shape4D S(int n) => S4(n, 9, 11);
                    return new Harness<T>(
                        l.Workspace, () => l.Weight, () => l.Bias, n => S(n).ElementCount, n => l.GetOutputShape(S(n)).ElementCount,
                        (x, n, y) => l.Forward(x, S(n), y), (x, n, w, b, y) => Functional.Conv2D<T>(x, S(n), w, l.WeightShape, b, down, y, options),
                        (x, n, dy, dx) => l.Backward(x, S(n), dy, dx), (x, n, w, dy, dx) => Functional.Conv2DBackward<T>(dy, x, S(n), w, l.WeightShape, down, dx, default, default, options));
                }

                case "ConvTranspose2D":
                {
                    var l = new ConvTranspose2D<T>(Cin, Cout, up, seed: 5, options: options);
                    Shape4D S(int n) => S4(n, 7, 8);
                    return new Harness<T>(
                        l.Workspace, () => l.Weight, () => l.Bias, n => S(n).ElementCount, n => l.GetOutputShape(S(n)).ElementCount,
                        (x, n, y) => l.Forward(x, S(n), y), (x, n, w, b, y) => Functional.ConvTranspose2D<T>(x, S(n), w, l.WeightShape, b, up, y, options),
                        (x, n, dy, dx) => l.Backward(x, S(n), dy, dx), (x, n, w, dy, dx) => Functional.ConvTranspose2DBackward<T>(dy, x, S(n), w, l.WeightShape, up, dx, default, default, options));
                }

                case "Conv3D":
                {
                    var g = new Conv3DGeometry(3, padding: 1);
                    var l = new Conv3D<T>(Cin, Cout, g, seed: 5, options: options);
                    Shape5D S(int n) => S5(n, 4, 5, 6);
                    return new Harness<T>(
                        l.Workspace, () => l.Weight, () => l.Bias, n => S(n).ElementCount, n => l.GetOutputShape(S(n)).ElementCount,
                        (x, n, y) => l.Forward(x, S(n), y), (x, n, w, b, y) => Functional.Conv3D<T>(x, S(n), w, l.WeightShape, b, g, y, options),
                        (x, n, dy, dx) => l.Backward(x, S(n), dy, dx), (x, n, w, dy, dx) => Functional.Conv3DBackward<T>(dy, x, S(n), w, l.WeightShape, g, dx, default, default, options));
                }

                default:
                {
                    // k4 s2 p1 in 3-D, channels-first: the stride-phase layout (finite weights only).
                    var g = new Conv3DGeometry(4, stride: 2, padding: 1);
                    var l = new ConvTranspose3D<T>(Cin, Cout, g, seed: 5, options: options);
                    Shape5D S(int n) => S5(n, 3, 4, 5);
                    return new Harness<T>(
                        l.Workspace, () => l.Weight, () => l.Bias, n => S(n).ElementCount, n => l.GetOutputShape(S(n)).ElementCount,
                        (x, n, y) => l.Forward(x, S(n), y), (x, n, w, b, y) => Functional.ConvTranspose3D<T>(x, S(n), w, l.WeightShape, b, g, y, options),
                        (x, n, dy, dx) => l.Backward(x, S(n), dy, dx), (x, n, w, dy, dx) => Functional.ConvTranspose3DBackward<T>(dy, x, S(n), w, l.WeightShape, g, dx, default, default, options));
                }
            }
        }
    }

    internal delegate Span<T> SpanOf<T>();

    internal delegate void LayerForward<T>(T[] x, int batch, T[] y);

    internal delegate void FunctionForward<T>(T[] x, int batch, T[] w, T[] b, T[] y);

    internal delegate void LayerBackward<T>(T[] x, int batch, T[] dy, T[] dx);

    internal delegate void FunctionBackward<T>(T[] x, int batch, T[] w, T[] dy, T[] dx);

    internal sealed class Harness<T>(
        ConvWorkspace workspace, SpanOf<T> weight, SpanOf<T> bias, Func<int, long> inputLength, Func<int, long> outputLength,
        LayerForward<T> layerForward, FunctionForward<T> functionForward, LayerBackward<T> layerBackward, FunctionBackward<T> functionBackward) : Harness
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Dictionary<int, (T[] X, T[] Y, T[] Expected, T[] Dy, T[] Dx, T[] ExpectedDx)> _buffers = [];

        public override ConvWorkspace Workspace => workspace;

        public override void Scenario()
        {
            // The weights as a user holds them: a span taken once, before any call, written through between calls.
            Span<T> kept = weight();
            CheckForward(batch: 2, "first call");
            Assert.Equal(1, workspace.Packings);
            CheckForward(batch: 2, "same weights");
            Assert.Equal(1, workspace.Packings);

            kept[0] *= T.CreateTruncating(-3);
            CheckForward(batch: 2, "after a write through an old span");
            Assert.Equal(2, workspace.Packings);

            // +0 and -0 are different weights.
            kept[1] = T.Zero;
            CheckForward(batch: 2, "weight +0");
            kept[1] = T.NegativeZero;
            CheckForward(batch: 2, "weight -0");
            Assert.Equal(4, workspace.Packings);

            // A non-finite weight (the phase layout steps aside for it), then finite again.
            kept[2] = T.NaN;
            CheckForward(batch: 2, "NaN weight");
            kept[2] = T.CreateTruncating(0.5);
            CheckForward(batch: 2, "finite again");

            // Another batch size is another plan; back to the first packs again (one packing kept per kind).
            int before = workspace.Packings;
            CheckForward(batch: 3, "batch 3");
            CheckForward(batch: 2, "batch 2 again");
            Assert.True(workspace.Packings > before, "a new plan must pack");

            // The backward pass's source gradient runs the other operator's kernel through the same workspace.
            CheckBackward(batch: 2, "backward");
            CheckBackward(batch: 2, "backward again");
            kept[3] *= T.CreateTruncating(2);
            CheckBackward(batch: 2, "backward after a weight change");
            CheckForward(batch: 2, "forward after the backward passes");
        }

        private void CheckForward(int batch, string what)
        {
            var (x, y, expected, _, _, _) = Buffers(batch);
            layerForward(x, batch, y);
            functionForward(x, batch, weight().ToArray(), bias().ToArray(), expected);
            AssertSameBits(expected, y, what);
        }

        private void CheckBackward(int batch, string what)
        {
            var (x, _, _, dy, dx, expectedDx) = Buffers(batch);
            layerBackward(x, batch, dy, dx);
            functionBackward(x, batch, weight().ToArray(), dy, expectedDx);
            AssertSameBits(expectedDx, dx, what);
        }

        public override void FunctionalForward(int batch)
        {
            var (x, _, expected, _, _, _) = Buffers(batch);
            functionForward(x, batch, weight().ToArray(), [], expected);
        }

        public override void Warm(int batch)
        {
            Step(batch);
            Step(batch);
        }

        public override void Step(int batch)
        {
            var (x, y, _, dy, dx, _) = Buffers(batch);
            layerForward(x, batch, y);
            layerBackward(x, batch, dy, dx);
        }

        private static void AssertSameBits(T[] expected, T[] actual, string what)
        {
            ReadOnlySpan<byte> e = MemoryMarshal.AsBytes(expected.AsSpan()), a = MemoryMarshal.AsBytes(actual.AsSpan());
            if (!e.SequenceEqual(a))
            {
                int i = Enumerable.Range(0, expected.Length).First(k => !MemoryMarshal.AsBytes(expected.AsSpan(k, 1)).SequenceEqual(MemoryMarshal.AsBytes(actual.AsSpan(k, 1))));
                Assert.Fail($"{what}: element {i} is {actual[i]}, the function gives {expected[i]}");
            }
        }

        private (T[] X, T[] Y, T[] Expected, T[] Dy, T[] Dx, T[] ExpectedDx) Buffers(int batch)
        {
            if (!_buffers.TryGetValue(batch, out var b))
            {
                int n = (int)inputLength(batch), m = (int)outputLength(batch);
                b = (BackwardReference.Integers<T>(n, seed: batch), new T[m], new T[m], BackwardReference.Integers<T>(m, seed: 10 + batch), new T[n], new T[n]);
                _buffers[batch] = b;
            }

            return b;
        }
    }
}

/// <summary>
/// The steady-state check of the layers' workspace: no allocation and no <see cref="System.Buffers.ArrayPool{T}"/>
/// rental. It listens to the pool's event source, which makes every rental in the process raise an event that allocates
/// on the renting thread, so it runs alone (its collection disables parallelization) and cannot disturb the other
/// tests' allocation checks, nor they its count.
/// </summary>
[Collection(PoolEventsCollection.Name)]
public sealed class LayerRentalTests
{
    [Fact]
    public void SteadyStateCallsAllocateAndRentNothing()
    {
        LayerWorkspaceTests.Harness[] layers = [.. LayerWorkspaceTests.Harness.Names.Select(n => LayerWorkspaceTests.Harness.Create(n, ExecutionOptions.SingleThreaded))];
        foreach (LayerWorkspaceTests.Harness h in layers)
        {
            h.Warm(batch: 2);
        }

        using var rentals = new RentalCounter();
        int[] allocations = [.. layers.Select(h => h.Workspace.Allocations)];
        int[] packings = [.. layers.Select(h => h.Workspace.Packings)];

        // Each cost over five windows of five rounds, the least asserted (the runtime's own one-offs, tiering or the
        // event listener starting up, show in some windows; an allocation or rental of ours would show in every window).
        // A failure names the layers that still pay it, each measured alone over three steps.
        long Rentals(Action run)
        {
            rentals.Reset();
            run();
            return rentals.Count;
        }

        static long Bytes(Action run)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            run();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        void Rounds()
        {
            for (int round = 0; round < 5; round++)
            {
                foreach (LayerWorkspaceTests.Harness h in layers)
                {
                    h.Step(batch: 2);
                }
            }
        }

        foreach ((string cost, Func<Action, long> measure) in new[] { ("rentals from the shared pool", (Func<Action, long>)Rentals), ("bytes allocated", Bytes) })
        {
            long least = Enumerable.Range(0, 5).Min(_ => measure(Rounds));
            if (least != 0)
            {
                IEnumerable<string> culprits = layers.Zip(LayerWorkspaceTests.Harness.Names)
                    .Select(pair => (Name: pair.Second, Least: Enumerable.Range(0, 3).Min(_ => measure(() => pair.First.Step(batch: 2)))))
                    .Where(c => c.Least != 0)
                    .Select(c => $"{c.Name}: {c.Least}");
                Assert.Fail($"steady-state calls cost {least} {cost} in the least window: {string.Join(", ", culprits)}");
            }
        }

        Assert.Equal(allocations, layers.Select(h => h.Workspace.Allocations));
        Assert.Equal(packings, layers.Select(h => h.Workspace.Packings));

        // The control: the same convolution through the function rents its scratch, and the counter sees it.
        rentals.Reset();
        layers[0].FunctionalForward(batch: 2);
        Assert.True(rentals.Count > 0, "the rental counter saw no rental of the function");
    }

    /// <summary>Counts <c>BufferRented</c> events of <see cref="System.Buffers.ArrayPool{T}.Shared"/> raised on this thread.</summary>
    private sealed class RentalCounter : EventListener
    {
        private readonly int _thread = Environment.CurrentManagedThreadId;
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "System.Buffers.ArrayPoolEventSource")
            {
                EnableEvents(eventSource, EventLevel.Verbose, EventKeywords.All);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            // In-process listeners are called on the thread that raised the event.
            if (eventData.EventName == "BufferRented" && Environment.CurrentManagedThreadId == _thread)
            {
                Interlocked.Increment(ref _count);
            }
        }
    }
}

/// <summary>Tests that listen to process-wide runtime events run in this collection, after and apart from the others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PoolEventsCollection
{
    public const string Name = "Pool events";
}
