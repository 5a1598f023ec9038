using System.Numerics;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Peers;
using Unpooling.Peers;
using Unpooling.Peers.Onnx;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>
/// 3-D max pooling with int64 indices of <c>[2, 32, 16, 56, 56]</c>, kernel 2, stride 2: a naive loop (baseline),
/// Unpooling, libtorch's <c>max_pool3d_with_indices</c> and ONNX Runtime's MaxPool with its <c>Indices</c> output
/// (global row-major, converted from ours to check). Every peer's output is checked against ours in setup.
/// </summary>
[MemoryDiagnoser]
public class MaxPool3DBenchmarks : PeerBenchmark
{
    private static readonly Shape5D Shape = new(2, 32, 16, 56, 56);
    private static readonly Pool3DGeometry Geometry = new(2);
    private float[] _source = [];
    private float[] _destination = [];
    private long[] _indices = [];
    private Tensor? _torchSource;
    private OrtRunner? _ort;

    [GlobalSetup]
    public void Setup()
    {
        _source = BenchmarkData.RandomValues(Shape.ElementCount);
        Shape5D pooled = Pool3DBench.Pooled(Shape, Geometry);
        _destination = new float[pooled.ElementCount];
        _indices = new long[pooled.ElementCount];
        Naive();
        float[] expected = (float[])_destination.Clone();
        long[] expectedIndices = (long[])_indices.Clone();
        Array.Fill(_destination, float.NaN);
        Unpooling();
        BenchmarkData.RequireSame<float>(expected, _destination, $"MaxPool3D values, {Threads} threads");
        BenchmarkData.RequireSame<long>(expectedIndices, _indices, $"MaxPool3D indices, {Threads} threads");

        UseTorch();
        _torchSource = Own(torch.tensor(_source, Pool3DBench.Dims(Shape)));
        (Tensor values, Tensor indices) = TorchPool();
        BenchmarkData.RequireSame<float>(expected, values.data<float>().ToArray(), "libtorch max_pool3d_with_indices values");
        BenchmarkData.RequireSame<long>(expectedIndices, indices.data<long>().ToArray(), "libtorch max_pool3d_with_indices indices");
        values.Dispose();
        indices.Dispose();

        float[] ortValues = new float[pooled.ElementCount];
        long[] ortIndices = new long[pooled.ElementCount];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, Pool3DBench.Dims(Shape))
            .Node("MaxPool", ["X"], ["Y", "I"], OnnxAttribute.Ints("kernel_shape", 2, 2, 2), OnnxAttribute.Ints("strides", 2, 2, 2))
            .Output("Y", OnnxElementType.Float)
            .Output("I", OnnxElementType.Int64)
            .Build();
        _ort = Own(new OrtRunner(
            model,
            Threads,
            [("X", OrtRunner.Bind(_source, Pool3DBench.Dims(Shape)))],
            [("Y", OrtRunner.Bind(ortValues, Pool3DBench.Dims(pooled))), ("I", OrtRunner.Bind(ortIndices, Pool3DBench.Dims(pooled)))]));
        _ort.Run();
        BenchmarkData.RequireSame<float>(expected, ortValues, "ONNX Runtime MaxPool 3-D values");
        var global = new long[pooled.ElementCount];
        Functional.ConvertIndices(expectedIndices, pooled, Shape.SpatialSize, IndexConvention.PerPlane, global, IndexConvention.GlobalRowMajor);
        BenchmarkData.RequireSame<long>(global, ortIndices, "ONNX Runtime MaxPool 3-D indices");
    }

    [Benchmark(Baseline = true)]
    public void Naive() => Pool3DBench.NaiveMaxPool(_source, Shape, _destination, _indices);

    [Benchmark]
    public void Unpooling() => Functional.MaxPool3D(_source, Shape, Geometry, _destination, _indices, options: Options);

    [Benchmark]
    public void LibTorch()
    {
        (Tensor values, Tensor indices) = TorchPool();
        values.Dispose();
        indices.Dispose();
    }

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    private (Tensor Values, Tensor Indices) TorchPool() => torch.nn.functional.max_pool3d_with_indices(_torchSource!, [2, 2, 2], [2, 2, 2]);
}

/// <summary>
/// 3-D argmax unpooling of the pooling of <see cref="MaxPool3DBenchmarks"/> back to <c>[2, 32, 16, 56, 56]</c>: a naive
/// loop (baseline), Unpooling, libtorch's <c>max_unpool3d</c> and ONNX Runtime's MaxUnpool (global row-major indices).
/// </summary>
[MemoryDiagnoser]
public class MaxUnpool3DBenchmarks : PeerBenchmark
{
    private static readonly Shape5D Shape = new(2, 32, 16, 56, 56);
    private static readonly Pool3DGeometry Geometry = new(2);
    private float[] _values = [];
    private long[] _indices = [];
    private float[] _destination = [];
    private Shape5D _pooled;
    private Tensor? _torchValues, _torchIndices;
    private OrtRunner? _ort;

    [GlobalSetup]
    public void Setup()
    {
        float[] source = BenchmarkData.RandomValues(Shape.ElementCount);
        _pooled = Pool3DBench.Pooled(Shape, Geometry);
        _values = new float[_pooled.ElementCount];
        _indices = new long[_pooled.ElementCount];
        Pool3DBench.NaiveMaxPool(source, Shape, _values, _indices);
        _destination = new float[Shape.ElementCount];
        Naive();
        float[] expected = (float[])_destination.Clone();
        Array.Fill(_destination, float.NaN);
        Unpooling();
        BenchmarkData.RequireSame<float>(expected, _destination, $"MaxUnpool3D, {Threads} threads");

        UseTorch();
        _torchValues = Own(torch.tensor(_values, Pool3DBench.Dims(_pooled)));
        _torchIndices = Own(torch.tensor(_indices, Pool3DBench.Dims(_pooled)));
        using (Tensor y = TorchUnpool())
        {
            BenchmarkData.RequireSame<float>(expected, y.data<float>().ToArray(), "libtorch max_unpool3d");
        }

        var global = new long[_pooled.ElementCount];
        Functional.ConvertIndices(_indices, _pooled, Shape.SpatialSize, IndexConvention.PerPlane, global, IndexConvention.GlobalRowMajor);
        float[] ortOutput = new float[Shape.ElementCount];
        byte[] model = new OnnxModelBuilder()
            .Input("X", OnnxElementType.Float, Pool3DBench.Dims(_pooled))
            .Input("I", OnnxElementType.Int64, Pool3DBench.Dims(_pooled))
            .Node("MaxUnpool", ["X", "I"], ["Y"], OnnxAttribute.Ints("kernel_shape", 2, 2, 2), OnnxAttribute.Ints("strides", 2, 2, 2))
            .Output("Y", OnnxElementType.Float)
            .Build();
        _ort = Own(new OrtRunner(
            model,
            Threads,
            [("X", OrtRunner.Bind(_values, Pool3DBench.Dims(_pooled))), ("I", OrtRunner.Bind(global, Pool3DBench.Dims(_pooled)))],
            [("Y", OrtRunner.Bind(ortOutput, Pool3DBench.Dims(Shape)))]));
        _ort.Run();
        BenchmarkData.RequireSame<float>(expected, ortOutput, "ONNX Runtime MaxUnpool 3-D");
    }

    [Benchmark(Baseline = true)]
    public void Naive()
    {
        Array.Clear(_destination);
        long volume = Shape.PlaneSize, pooledVolume = _pooled.PlaneSize;
        for (long i = 0; i < _values.LongLength; i++)
        {
            _destination[((i / pooledVolume) * volume) + _indices[i]] = _values[i];
        }
    }

    [Benchmark]
    public void Unpooling() => Functional.MaxUnpool3D(_values, _indices, _pooled, Geometry, _destination, options: Options);

    [Benchmark]
    public void LibTorch() => TorchUnpool().Dispose();

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    private Tensor TorchUnpool() => torch.nn.functional.max_unpool3d(_torchValues!, _torchIndices!, [2, 2, 2], [2, 2, 2], [0, 0, 0], Pool3DBench.Dims(Shape));
}

/// <summary>
/// 3-D max pooling of <c>uint8</c> <c>[2, 32, 16, 56, 56]</c>, kernel 2, stride 2 (the image and quantized-activation
/// case ONNX and PyTorch users hit): a naive loop (baseline), Unpooling with int64 per-plane indices (PyTorch's) and
/// with one-byte InWindow switches, libtorch's <c>max_pool3d_with_indices</c> on a <c>uint8</c> tensor and ONNX
/// Runtime's MaxPool (opset 12+ takes uint8) with its int64 <c>Indices</c>. Every output is checked against the naive
/// loop in setup.
/// </summary>
[MemoryDiagnoser]
public class MaxPool3DByteBenchmarks : PeerBenchmark
{
    private static readonly Shape5D Shape = new(2, 32, 16, 56, 56);
    private static readonly Pool3DGeometry Geometry = new(2);
    private byte[] _source = [];
    private byte[] _destination = [];
    private long[] _indices = [];
    private byte[] _taps = [];
    private Tensor? _torchSource;
    private OrtRunner? _ort;

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[Shape.ElementCount];
        new Random(BenchmarkData.Seed).NextBytes(_source);
        Shape5D pooled = Pool3DBench.Pooled(Shape, Geometry);
        _destination = new byte[pooled.ElementCount];
        _indices = new long[pooled.ElementCount];
        _taps = new byte[pooled.ElementCount];
        Naive();
        byte[] expected = (byte[])_destination.Clone();
        long[] expectedIndices = (long[])_indices.Clone();
        Array.Clear(_destination);
        Unpooling();
        BenchmarkData.RequireSame<byte>(expected, _destination, $"byte MaxPool3D values, {Threads} threads");
        BenchmarkData.RequireSame<long>(expectedIndices, _indices, $"byte MaxPool3D indices, {Threads} threads");
        Array.Clear(_destination);
        UnpoolingInWindow();
        BenchmarkData.RequireSame<byte>(expected, _destination, $"byte MaxPool3D values (InWindow), {Threads} threads");
        var taps = new long[pooled.ElementCount];
        Functional.ConvertIndices(expectedIndices, pooled, Shape.SpatialSize, Geometry, IndexConvention.PerPlane, taps, IndexConvention.InWindow);
        BenchmarkData.RequireSame<byte>(taps.Select(t => (byte)t).ToArray(), _taps, $"byte MaxPool3D InWindow switches, {Threads} threads");

        UseTorch();
        _torchSource = Own(TorchTensors.From(_source, Pool3DBench.Dims(Shape)));
        (Tensor values, Tensor indices) = TorchPool();
        BenchmarkData.RequireSame<byte>(expected, values.data<byte>().ToArray(), "libtorch max_pool3d_with_indices uint8 values");
        BenchmarkData.RequireSame<long>(expectedIndices, indices.data<long>().ToArray(), "libtorch max_pool3d_with_indices uint8 indices");
        values.Dispose();
        indices.Dispose();

        byte[] ortValues = new byte[pooled.ElementCount];
        long[] ortIndices = new long[pooled.ElementCount];
        const OnnxElementType UInt8 = (OnnxElementType)2; // TensorProto.UINT8
        byte[] model = new OnnxModelBuilder()
            .Input("X", UInt8, Pool3DBench.Dims(Shape))
            .Node("MaxPool", ["X"], ["Y", "I"], OnnxAttribute.Ints("kernel_shape", 2, 2, 2), OnnxAttribute.Ints("strides", 2, 2, 2))
            .Output("Y", UInt8)
            .Output("I", OnnxElementType.Int64)
            .Build();
        _ort = Own(new OrtRunner(
            model,
            Threads,
            [("X", OrtRunner.Bind(_source, Pool3DBench.Dims(Shape)))],
            [("Y", OrtRunner.Bind(ortValues, Pool3DBench.Dims(pooled))), ("I", OrtRunner.Bind(ortIndices, Pool3DBench.Dims(pooled)))]));
        _ort.Run();
        BenchmarkData.RequireSame<byte>(expected, ortValues, "ONNX Runtime MaxPool 3-D uint8 values");
        var global = new long[pooled.ElementCount];
        Functional.ConvertIndices(expectedIndices, pooled, Shape.SpatialSize, IndexConvention.PerPlane, global, IndexConvention.GlobalRowMajor);
        BenchmarkData.RequireSame<long>(global, ortIndices, "ONNX Runtime MaxPool 3-D uint8 indices");
    }

    [Benchmark(Baseline = true)]
    public void Naive() => Pool3DBench.NaiveMaxPool(_source, Shape, _destination, _indices);

    [Benchmark]
    public void Unpooling() => Functional.MaxPool3D(_source, Shape, Geometry, _destination, _indices, options: Options);

    [Benchmark]
    public void UnpoolingInWindow() => Functional.MaxPool3D(_source, Shape, Geometry, _destination, _taps, IndexConvention.InWindow, Options);

    [Benchmark]
    public void LibTorch()
    {
        (Tensor values, Tensor indices) = TorchPool();
        values.Dispose();
        indices.Dispose();
    }

    [Benchmark]
    public void OnnxRuntime() => _ort!.Run();

    private (Tensor Values, Tensor Indices) TorchPool() => torch.nn.functional.max_pool3d_with_indices(_torchSource!, [2, 2, 2], [2, 2, 2]);
}

/// <summary>
/// 3-D argmax unpooling from one-byte InWindow switches (oneDNN's and XNNPACK's form) of the pooling of
/// <see cref="MaxPool3DBenchmarks"/> back to <c>[2, 32, 16, 56, 56]</c>, beside the same unpooling from int64 per-plane
/// indices: a naive loop over the taps (baseline), Unpooling with byte taps and with long indices, and libtorch's
/// <c>max_unpool3d</c> (int64 per-plane indices: it has no in-window form). Checked against the naive loop in setup.
/// </summary>
[MemoryDiagnoser]
public class MaxUnpool3DInWindowBenchmarks : PeerBenchmark
{
    private static readonly Shape5D Shape = new(2, 32, 16, 56, 56);
    private static readonly Pool3DGeometry Geometry = new(2);
    private float[] _values = [];
    private long[] _indices = [];
    private byte[] _taps = [];
    private float[] _destination = [];
    private Shape5D _pooled;
    private Tensor? _torchValues, _torchIndices;

    [GlobalSetup]
    public void Setup()
    {
        float[] source = BenchmarkData.RandomValues(Shape.ElementCount);
        _pooled = Pool3DBench.Pooled(Shape, Geometry);
        _values = new float[_pooled.ElementCount];
        _indices = new long[_pooled.ElementCount];
        _taps = new byte[_pooled.ElementCount];
        Pool3DBench.NaiveMaxPool(source, Shape, _values, _indices);
        var taps = new long[_pooled.ElementCount];
        Functional.ConvertIndices(_indices, _pooled, Shape.SpatialSize, Geometry, IndexConvention.PerPlane, taps, IndexConvention.InWindow);
        for (int i = 0; i < taps.Length; i++)
        {
            _taps[i] = (byte)taps[i];
        }

        _destination = new float[Shape.ElementCount];
        Naive();
        float[] expected = (float[])_destination.Clone();
        Array.Fill(_destination, float.NaN);
        Unpooling();
        BenchmarkData.RequireSame<float>(expected, _destination, $"MaxUnpool3D InWindow byte taps, {Threads} threads");
        Array.Fill(_destination, float.NaN);
        UnpoolingPerPlane();
        BenchmarkData.RequireSame<float>(expected, _destination, $"MaxUnpool3D per-plane long indices, {Threads} threads");

        UseTorch();
        _torchValues = Own(torch.tensor(_values, Pool3DBench.Dims(_pooled)));
        _torchIndices = Own(torch.tensor(_indices, Pool3DBench.Dims(_pooled)));
        using Tensor y = TorchUnpool();
        BenchmarkData.RequireSame<float>(expected, y.data<float>().ToArray(), "libtorch max_unpool3d");
    }

    /// <summary>Zeros, then each value to its window's tap <c>(kd*2 + kh)*2 + kw</c>.</summary>
    [Benchmark(Baseline = true)]
    public void Naive()
    {
        Array.Clear(_destination);
        int od = _pooled.Depth, oh = _pooled.Height, ow = _pooled.Width;
        long o = 0;
        for (long plane = 0; plane < _pooled.PlaneCount; plane++)
        {
            for (int i = 0; i < od; i++)
            {
                for (int j = 0; j < oh; j++)
                {
                    for (int k = 0; k < ow; k++, o++)
                    {
                        int t = _taps[o];
                        int d = (2 * i) + (t >> 2), h = (2 * j) + ((t >> 1) & 1), w = (2 * k) + (t & 1);
                        _destination[(plane * Shape.PlaneSize) + ((((long)d * Shape.Height) + h) * Shape.Width) + w] = _values[o];
                    }
                }
            }
        }
    }

    [Benchmark]
    public void Unpooling() => Functional.MaxUnpool3D(_values, _taps, _pooled, Geometry, _destination, indexConvention: IndexConvention.InWindow, options: Options);

    [Benchmark]
    public void UnpoolingPerPlane() => Functional.MaxUnpool3D(_values, _indices, _pooled, Geometry, _destination, options: Options);

    [Benchmark]
    public void LibTorch() => TorchUnpool().Dispose();

    private Tensor TorchUnpool() => torch.nn.functional.max_unpool3d(_torchValues!, _torchIndices!, [2, 2, 2], [2, 2, 2], [0, 0, 0], Pool3DBench.Dims(Shape));
}

/// <summary>The shapes and the naive 3-D loop the two classes share.</summary>
internal static class Pool3DBench
{
    public static long[] Dims(Shape5D s) => [s.Batch, s.Channels, s.Depth, s.Height, s.Width];

    public static Shape5D Pooled(Shape5D shape, Pool3DGeometry geometry) => shape.WithSpatialSize(geometry.GetOutputSize(shape.SpatialSize));

    /// <summary>Kernel 2, stride 2, no padding: every window scanned d, h, w with PyTorch's rule.</summary>
    public static void NaiveMaxPool<T>(T[] x, Shape5D s, T[] values, long[] indices)
        where T : INumber<T>
    {
        int od = s.Depth / 2, oh = s.Height / 2, ow = s.Width / 2;
        long o = 0;
        for (long plane = 0; plane < s.PlaneCount; plane++)
        {
            for (int i = 0; i < od; i++)
            {
                for (int j = 0; j < oh; j++)
                {
                    for (int k = 0; k < ow; k++)
                    {
                        T best = T.Zero;
                        long arg = -1;
                        for (int a = 0; a < 8; a++)
                        {
                            int d = (2 * i) + (a >> 2), h = (2 * j) + ((a >> 1) & 1), w = (2 * k) + (a & 1);
                            long cell = (((long)d * s.Height) + h) * s.Width + w;
                            T v = x[(plane * s.PlaneSize) + cell];
                            if (arg < 0 || v > best || T.IsNaN(v))
                            {
                                best = v;
                                arg = cell;
                            }
                        }

                        values[o] = best;
                        indices[o++] = arg;
                    }
                }
            }
        }
    }
}

/// <summary>
/// E1's backward: the gradient of 3-D max pooling with indices, <c>[2, 32, 16, 56, 56]</c>, kernel 2, stride 2 (windows
/// that tile the input), float, int64 per-plane indices: Unpooling's <c>MaxPool3DBackward</c> (the write-once block
/// path) and libtorch's autograd through <c>max_pool3d_with_indices</c> (<c>max_pool3d_with_indices_backward</c>), each
/// checked against the naive scatter-add in setup.
/// </summary>
[MemoryDiagnoser]
public class MaxPool3DBackwardBenchmarks : PeerBenchmark
{
    private static readonly Shape5D Shape = new(2, 32, 16, 56, 56);
    private static readonly Pool3DGeometry Geometry = new(2);
    private float[] _gradient = [];
    private long[] _indices = [];
    private float[] _result = [];
    private Shape5D _pooled;
    private Tensor? _torchOutput, _torchInput, _torchGradient;

    [GlobalSetup]
    public void Setup()
    {
        float[] source = BenchmarkData.RandomValues(Shape.ElementCount);
        _pooled = Pool3DBench.Pooled(Shape, Geometry);
        _indices = new long[_pooled.ElementCount];
        Pool3DBench.NaiveMaxPool(source, Shape, new float[_pooled.ElementCount], _indices);
        _gradient = BenchmarkData.RandomValues(_pooled.ElementCount, BenchmarkData.Seed + 1);
        _result = new float[Shape.ElementCount];
        Naive();
        float[] expected = (float[])_result.Clone();
        Array.Fill(_result, float.NaN);
        Unpooling();
        BenchmarkData.RequireSame<float>(expected, _result, $"MaxPool3DBackward, {Threads} threads");

        UseTorch();
        _torchInput = Own(torch.tensor(source, Pool3DBench.Dims(Shape)).requires_grad_(true));
        (Tensor pooled, Tensor _) = torch.nn.functional.max_pool3d_with_indices(_torchInput, [2, 2, 2], [2, 2, 2]);
        _torchOutput = Own(pooled);
        _torchGradient = Own(torch.tensor(_gradient, Pool3DBench.Dims(_pooled)));
        using (Tensor g = TorchBackward())
        {
            BenchmarkData.RequireSame<float>(expected, g.data<float>().ToArray(), "libtorch max_pool3d backward");
        }
    }

    /// <summary>The scatter-add through the indices into a cleared gradient.</summary>
    [Benchmark(Baseline = true)]
    public void Naive()
    {
        Array.Clear(_result);
        long volume = Shape.PlaneSize, pooledVolume = _pooled.PlaneSize;
        for (long i = 0; i < _gradient.LongLength; i++)
        {
            _result[((i / pooledVolume) * volume) + _indices[i]] += _gradient[i];
        }
    }

    [Benchmark]
    public void Unpooling() => Functional.MaxPool3DBackward(_gradient, _indices, _pooled, Geometry, _result, Shape.SpatialSize, options: Options);

    [Benchmark]
    public void LibTorch() => TorchBackward().Dispose();

    private Tensor TorchBackward() => torch.autograd.grad([_torchOutput!], [_torchInput!], [_torchGradient!], retain_graph: true)[0];
}
