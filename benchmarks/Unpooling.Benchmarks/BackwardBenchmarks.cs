using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>The backward rows of issue 14: A1, B1 and C's workloads run backwards.</summary>
public enum BackwardWorkload
{
    /// <summary>Max-pool backward of A1 ([8,64,112,112], 2x2 stride 2): the output gradient scattered through the indices.</summary>
    A1,

    /// <summary>Argmax unpooling backward of B1: the gradient of the [8,64,112,112] output gathered through the indices.</summary>
    B1,

    /// <summary>Fixed upper-left unpooling backward of C: the strided gather of the output gradient.</summary>
    C,
}

/// <summary>
/// The backward passes of A1, B1 and C at 1 and 2 threads: Unpooling (int64 per-plane indices, and byte InWindow
/// switches for A1 and B1), libtorch's backward in the same run (<c>torch.autograd.grad</c> through
/// <c>max_pool2d_with_indices</c> for A1, i.e. <c>max_pool2d_with_indices_backward</c>; through <c>max_unpool2d</c> for
/// B1; for C the gradient of the strided slice assignment a user writes, made contiguous as our result is), and the
/// limit rows (bytes moved: A1 reads the pooled gradient and the indices and writes the input gradient; B1 reads the
/// whole output gradient and the indices and writes the pooled gradient; C reads the even rows of the output gradient
/// and writes the pooled gradient). Every peer's result is checked against ours before timing.
/// </summary>
[MemoryDiagnoser]
public class BackwardBenchmarks : PeerBenchmark
{
    private static readonly Shape4D Full = new(8, 64, 112, 112);
    private static readonly Shape4D Pooled = new(8, 64, 56, 56);
    private static readonly Pool2DGeometry Geometry = new(2);
    private float[] _pooledGradient = [];
    private float[] _fullGradient = [];
    private float[] _pooledResult = [];
    private float[] _fullResult = [];
    private long[] _indices = [];
    private byte[] _taps = [];
    private Tensor? _torchInput;
    private Tensor? _torchOutput;
    private Tensor? _torchGradient;
    private MemoryLimit? _limit;
    private MemoryLimit? _limitTaps;

    [Params(BackwardWorkload.A1, BackwardWorkload.B1, BackwardWorkload.C)]
    public BackwardWorkload Workload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        float[] input = BenchmarkData.RandomValues(Full.ElementCount);
        _indices = new long[Pooled.ElementCount];
        _taps = new byte[Pooled.ElementCount];
        float[] values = new float[Pooled.ElementCount];
        Functional.MaxPool2D(input, Full, Geometry, values, _indices, options: ExecutionOptions.SingleThreaded);
        Functional.MaxPool2D(input, Full, Geometry, values, _taps, IndexConvention.InWindow, ExecutionOptions.SingleThreaded);
        _pooledGradient = BenchmarkData.RandomValues(Pooled.ElementCount);
        _fullGradient = BenchmarkData.RandomValues(Full.ElementCount);
        _pooledResult = new float[Pooled.ElementCount];
        _fullResult = new float[Full.ElementCount];

        UseTorch();
        float[] expected;
        Unpooling();
        expected = Workload == BackwardWorkload.A1 ? (float[])_fullResult.Clone() : (float[])_pooledResult.Clone();
        if (Workload != BackwardWorkload.C)
        {
            UnpoolingInWindowByte();
            BenchmarkData.RequireSame<float>(expected, Workload == BackwardWorkload.A1 ? _fullResult : _pooledResult, $"byte switches {Workload}");
        }

        switch (Workload)
        {
            case BackwardWorkload.A1:
                _torchInput = Own(torch.tensor(input, BenchmarkData.Dims(Full)).requires_grad_(true));
                (Tensor pooled, Tensor _) = torch.nn.functional.max_pool2d_with_indices(_torchInput, [2, 2], [2, 2]);
                _torchOutput = Own(pooled);
                _torchGradient = Own(torch.tensor(_pooledGradient, BenchmarkData.Dims(Pooled)));
                break;
            case BackwardWorkload.B1:
                _torchInput = Own(torch.tensor(values, BenchmarkData.Dims(Pooled)).requires_grad_(true));
                _torchOutput = Own(torch.nn.functional.max_unpool2d(_torchInput, Own(torch.tensor(_indices, BenchmarkData.Dims(Pooled))), [2, 2], [2, 2], [0, 0], BenchmarkData.Dims(Full)));
                _torchGradient = Own(torch.tensor(_fullGradient, BenchmarkData.Dims(Full)));
                break;
            default:
                _torchGradient = Own(torch.tensor(_fullGradient, BenchmarkData.Dims(Full)));
                break;
        }

        using (Tensor g = TorchBackward())
        {
            BenchmarkData.RequireSame<float>(expected, g.data<float>().ToArray(), $"libtorch {Workload} backward");
        }

        (long read, long write) = Workload switch
        {
            BackwardWorkload.A1 => (Pooled.ElementCount * (sizeof(float) + sizeof(long)), Full.ElementCount * sizeof(float)),
            BackwardWorkload.B1 => ((Full.ElementCount * sizeof(float)) + (Pooled.ElementCount * sizeof(long)), Pooled.ElementCount * sizeof(float)),
            _ => (Full.ElementCount * sizeof(float) / 2, Pooled.ElementCount * sizeof(float)),
        };
        _limit = new MemoryLimit(read, write);
        long tapsRead = read - (Workload == BackwardWorkload.C ? 0 : Pooled.ElementCount * (sizeof(long) - sizeof(byte)));
        _limitTaps = new MemoryLimit(tapsRead, write);
    }

    [Benchmark(Baseline = true)]
    public void Unpooling()
    {
        switch (Workload)
        {
            case BackwardWorkload.A1:
                Functional.MaxPool2DBackward(_pooledGradient, _indices, Pooled, Geometry, _fullResult, Full.SpatialSize, options: Options);
                break;
            case BackwardWorkload.B1:
                Functional.MaxUnpool2DBackward(_fullGradient, _indices, Pooled, Geometry, _pooledResult, Full.SpatialSize, options: Options);
                break;
            default:
                Functional.FixedUnpool2DBackward(_fullGradient, Pooled, new Size2D(2, 2), _pooledResult, options: Options);
                break;
        }
    }

    /// <summary>Ours from byte switches (<see cref="IndexConvention.InWindow"/>); C has no switches (the same gather as Unpooling).</summary>
    [Benchmark]
    public void UnpoolingInWindowByte()
    {
        switch (Workload)
        {
            case BackwardWorkload.A1:
                Functional.MaxPool2DBackward<float, byte>(_pooledGradient, _taps, Pooled, Geometry, _fullResult, Full.SpatialSize, IndexConvention.InWindow, Options);
                break;
            case BackwardWorkload.B1:
                Functional.MaxUnpool2DBackward<float, byte>(_fullGradient, _taps, Pooled, Geometry, _pooledResult, Full.SpatialSize, IndexConvention.InWindow, Options);
                break;
            default:
                Functional.FixedUnpool2DBackward(_fullGradient, Pooled, new Size2D(2, 2), _pooledResult, options: Options);
                break;
        }
    }

    [Benchmark]
    public void LibTorch() => TorchBackward().Dispose();

    [Benchmark]
    public float Limit() => _limit!.Run(Threads);

    /// <summary>The limit with one byte per pooled cell for the indices.</summary>
    [Benchmark]
    public float LimitInWindowByte() => _limitTaps!.Run(Threads);

    private Tensor TorchBackward()
    {
        if (Workload == BackwardWorkload.C)
        {
            // The gradient of y[..., ::2, ::2] = x is that strided slice of the output gradient; contiguous, as ours.
            using Tensor view = _torchGradient![TensorIndex.Ellipsis, TensorIndex.Slice(null, null, 2), TensorIndex.Slice(null, null, 2)];
            return view.contiguous();
        }

        IList<Tensor> grads = torch.autograd.grad([_torchOutput!], [_torchInput!], [_torchGradient!], retain_graph: true);
        return grads[0];
    }
}
