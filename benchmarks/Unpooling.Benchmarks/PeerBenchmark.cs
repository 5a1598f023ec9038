using BenchmarkDotNet.Attributes;
using Unpooling.Peers;

namespace Unpooling.Benchmarks;

/// <summary>
/// What every operator class shares: the thread count every row uses (ours, libtorch's <c>set_num_threads</c>,
/// ONNX Runtime's intra-op pool, the limit row's split; the naive baseline is single-threaded by nature), libtorch
/// set up for it, and the disposal of native resources after each case.
/// </summary>
public abstract class PeerBenchmark
{
    private readonly List<IDisposable> _owned = [];
    private int _threads = 1;

    /// <summary>Threads for every row but the naive one.</summary>
    [Params(1, 2)]
    public int Threads
    {
        get => _threads;
        set
        {
            _threads = value;
            Options = ExecutionOptions.WithMaxDegreeOfParallelism(value);
        }
    }

    /// <summary>
    /// The library's options for <see cref="Threads"/>, made once when the parameter is set (never in a timed call):
    /// at most that many threads, with the default size threshold, which every workload here is above.
    /// </summary>
    protected ExecutionOptions Options { get; private set; } = ExecutionOptions.WithMaxDegreeOfParallelism(1);

    /// <summary>Makes libtorch loadable here and sets its intra-op thread count to <see cref="Threads"/>.</summary>
    protected void UseTorch() => TorchPeer.Use(Threads);

    /// <summary>Keeps a native resource until the case ends.</summary>
    protected T Own<T>(T resource)
        where T : IDisposable
    {
        _owned.Add(resource);
        return resource;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (IDisposable resource in _owned)
        {
            resource.Dispose();
        }

        _owned.Clear();
    }
}
