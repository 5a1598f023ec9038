using System.Numerics;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using Unpooling.Benchmarks.Limits;
using Unpooling.Benchmarks.Naive;
using Unpooling.Peers;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>The element types of the element-type rows (issue 11).</summary>
public enum ElementKind
{
    /// <summary>IEEE half precision, libtorch's <c>float16</c>.</summary>
    Half,

    /// <summary>Unsigned bytes (images), libtorch's <c>uint8</c>.</summary>
    Byte,
}

/// <summary>The unpooling cases of <see cref="ElementUnpool2DBenchmarks"/>: operator and element type.</summary>
public enum ElementUnpoolCase
{
    /// <summary>B1 (argmax unpooling of A1's Half values, int64 per-plane indices).</summary>
    B1Half,

    /// <summary>C (fixed upper-left unpooling, factor 2) of Half values.</summary>
    CHalf,

    /// <summary>C of byte values.</summary>
    CByte,
}

/// <summary>
/// A1 (2x2 stride-2 max pooling of [8,64,112,112] with int64 per-plane indices) in Half and byte: the generic naive
/// loop (baseline), Unpooling, libtorch's <c>max_pool2d_with_indices</c> on a <c>float16</c>/<c>uint8</c> tensor, and
/// the limit row (reading the input and writing values and indices once, at the element's size). Every peer's output
/// is checked against ours in setup.
/// </summary>
[MemoryDiagnoser]
public class ElementPool2DBenchmarks : PeerBenchmark
{
    private ITypedRows? _rows;

    [Params(ElementKind.Half, ElementKind.Byte)]
    public ElementKind Element { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        UseTorch();
        _rows = Element == ElementKind.Half ? Own(new PoolRows<Half>(Threads)) : Own(new PoolRows<byte>(Threads));
    }

    [Benchmark(Baseline = true)]
    public void Naive() => _rows!.Naive();

    [Benchmark]
    public void Unpooling() => _rows!.Ours(Options);

    [Benchmark]
    public void LibTorch() => _rows!.Torch();

    [Benchmark]
    public float Limit() => _rows!.Limit.Run(Threads);
}

/// <summary>
/// B1 in Half (argmax unpooling of A1's values and int64 indices back to [8,64,112,112]) and C in Half and byte
/// (fixed upper-left unpooling, factor 2): the generic naive loop (baseline), Unpooling, libtorch (<c>max_unpool2d</c>;
/// for C zeros and a strided slice assignment, as a user writes it) and the limit row. libtorch's <c>max_unpool2d</c>
/// has no integer kernel ("not implemented for 'Byte'"): B1 in byte is <see cref="ByteUnpool2DBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class ElementUnpool2DBenchmarks : PeerBenchmark
{
    private ITypedRows? _rows;

    [Params(ElementUnpoolCase.B1Half, ElementUnpoolCase.CHalf, ElementUnpoolCase.CByte)]
    public ElementUnpoolCase Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        UseTorch();
        _rows = Case switch
        {
            ElementUnpoolCase.B1Half => Own(new UnpoolRows<Half>(fixedPosition: false, Threads)),
            ElementUnpoolCase.CHalf => Own(new UnpoolRows<Half>(fixedPosition: true, Threads)),
            _ => Own(new UnpoolRows<byte>(fixedPosition: true, Threads)),
        };
    }

    [Benchmark(Baseline = true)]
    public void Naive() => _rows!.Naive();

    [Benchmark]
    public void Unpooling() => _rows!.Ours(Options);

    [Benchmark]
    public void LibTorch() => _rows!.Torch();

    [Benchmark]
    public float Limit() => _rows!.Limit.Run(Threads);
}

/// <summary>B1 in byte: the naive loop (baseline), Unpooling and the limit row; no peer has a byte argmax unpooling.</summary>
[MemoryDiagnoser]
public class ByteUnpool2DBenchmarks : PeerBenchmark
{
    private UnpoolRows<byte>? _rows;

    [GlobalSetup]
    public void Setup() => _rows = Own(new UnpoolRows<byte>(fixedPosition: false, Threads, withTorch: false));

    [Benchmark(Baseline = true)]
    public void Naive() => _rows!.Naive();

    [Benchmark]
    public void Unpooling() => _rows!.Ours(Options);

    [Benchmark]
    public float Limit() => _rows!.Limit.Run(Threads);
}

/// <summary>One element type's rows, built (and checked) in setup.</summary>
internal interface ITypedRows : IDisposable
{
    MemoryLimit Limit { get; }

    void Naive();

    void Ours(ExecutionOptions options);

    void Torch();
}

/// <summary>Seeded inputs of any element type, and their libtorch twins.</summary>
internal static class TypedData
{
    public static readonly Shape4D Unpooled = new(8, 64, 112, 112);

    public static readonly Shape4D Pooled = new(8, 64, 56, 56);

    /// <summary>Half: the float benchmark values rounded; byte: seeded uniform bytes.</summary>
    public static T[] Values<T>(long count)
        where T : unmanaged, INumber<T>
    {
        if (typeof(T) == typeof(Half))
        {
            return (T[])(object)BenchmarkData.RandomValues(count).Select(v => (Half)v).ToArray();
        }

        var bytes = new byte[count];
        new Random(BenchmarkData.Seed).NextBytes(bytes);
        return bytes.Select(b => T.CreateTruncating(b)).ToArray();
    }
}

/// <summary>A1 in one element type.</summary>
internal sealed unsafe class PoolRows<T> : ITypedRows
    where T : unmanaged, INumber<T>
{
    private static readonly Pool2DGeometry Geometry = new(2);
    private readonly T[] _source;
    private readonly T[] _destination;
    private readonly long[] _indices;
    private readonly Tensor _torchSource;

    public PoolRows(int threads)
    {
        _source = TypedData.Values<T>(TypedData.Unpooled.ElementCount);
        _destination = new T[TypedData.Pooled.ElementCount];
        _indices = new long[TypedData.Pooled.ElementCount];
        Naive();
        T[] expected = (T[])_destination.Clone();
        long[] expectedIndices = (long[])_indices.Clone();
        Array.Clear(_destination);
        Ours(ExecutionOptions.WithMaxDegreeOfParallelism(threads));
        BenchmarkData.RequireSame<T>(expected, _destination, $"MaxPool2D A1 {typeof(T).Name} values, {threads} threads");
        BenchmarkData.RequireSame<long>(expectedIndices, _indices, $"MaxPool2D A1 {typeof(T).Name} indices, {threads} threads");

        _torchSource = TorchTensors.From(_source, BenchmarkData.Dims(TypedData.Unpooled));
        (Tensor values, Tensor indices) = TorchPool();
        BenchmarkData.RequireSame<T>(expected, TorchTensors.Read<T>(values), $"libtorch max_pool2d_with_indices A1 {typeof(T).Name} values");
        BenchmarkData.RequireSame<long>(expectedIndices, indices.data<long>().ToArray(), $"libtorch max_pool2d_with_indices A1 {typeof(T).Name} indices");
        values.Dispose();
        indices.Dispose();
        Limit = new MemoryLimit(TypedData.Unpooled.ElementCount * sizeof(T), TypedData.Pooled.ElementCount * (sizeof(T) + sizeof(long)));
    }

    public MemoryLimit Limit { get; }

    public void Naive() => NaiveTypedOps.MaxPool2D(_source, TypedData.Unpooled, 2, 2, _destination, _indices);

    public void Ours(ExecutionOptions options) => Functional.MaxPool2D<T, long>(_source, TypedData.Unpooled, Geometry, _destination, _indices, options: options);

    public void Torch()
    {
        (Tensor values, Tensor indices) = TorchPool();
        values.Dispose();
        indices.Dispose();
    }

    public void Dispose()
    {
        _torchSource.Dispose();
    }

    private (Tensor Values, Tensor Indices) TorchPool() => torch.nn.functional.max_pool2d_with_indices(_torchSource, [2, 2], [2, 2], [0, 0]);
}

/// <summary>B1 or C in one element type.</summary>
internal sealed unsafe class UnpoolRows<T> : ITypedRows
    where T : unmanaged, INumber<T>
{
    private static readonly Pool2DGeometry Geometry = new(2);
    private readonly bool _fixed;
    private readonly T[] _source;
    private readonly long[] _indices;
    private readonly T[] _destination;
    private readonly Tensor? _torchSource;
    private readonly Tensor? _torchIndices;

    public UnpoolRows(bool fixedPosition, int threads, bool withTorch = true)
    {
        _fixed = fixedPosition;
        _indices = new long[TypedData.Pooled.ElementCount];
        if (fixedPosition)
        {
            _source = TypedData.Values<T>(TypedData.Pooled.ElementCount);
        }
        else
        {
            _source = new T[TypedData.Pooled.ElementCount];
            Functional.MaxPool2D<T, long>(TypedData.Values<T>(TypedData.Unpooled.ElementCount), TypedData.Unpooled, Geometry, _source, _indices, options: ExecutionOptions.SingleThreaded);
        }

        _destination = new T[TypedData.Unpooled.ElementCount];
        Naive();
        T[] expected = (T[])_destination.Clone();
        Array.Fill(_destination, T.One);
        Ours(ExecutionOptions.WithMaxDegreeOfParallelism(threads));
        string what = $"{(fixedPosition ? "C" : "B1")} {typeof(T).Name}";
        BenchmarkData.RequireSame<T>(expected, _destination, $"Unpooling {what}, {threads} threads");
        if (withTorch)
        {
            _torchSource = TorchTensors.From(_source, BenchmarkData.Dims(TypedData.Pooled));
            _torchIndices = torch.tensor(_indices, BenchmarkData.Dims(TypedData.Pooled));
            using Tensor y = TorchUnpool();
            BenchmarkData.RequireSame<T>(expected, TorchTensors.Read<T>(y), $"libtorch {what}");
        }

        long indexBytes = fixedPosition ? 0 : sizeof(long);
        Limit = new MemoryLimit(TypedData.Pooled.ElementCount * (sizeof(T) + indexBytes), TypedData.Unpooled.ElementCount * sizeof(T));
    }

    public MemoryLimit Limit { get; }

    public void Naive()
    {
        if (_fixed)
        {
            NaiveTypedOps.FixedUnpool2D(_source, TypedData.Pooled, 2, _destination);
        }
        else
        {
            NaiveTypedOps.MaxUnpool2D(_source, _indices, TypedData.Pooled, TypedData.Unpooled.SpatialSize, _destination);
        }
    }

    public void Ours(ExecutionOptions options)
    {
        if (_fixed)
        {
            Functional.FixedUnpool2D<T>(_source, TypedData.Pooled, 2, _destination, options: options);
        }
        else
        {
            Functional.MaxUnpool2D<T, long>(_source, _indices, TypedData.Pooled, Geometry, _destination, TypedData.Unpooled.SpatialSize, options: options);
        }
    }

    public void Torch() => TorchUnpool().Dispose();

    public void Dispose()
    {
        _torchSource?.Dispose();
        _torchIndices?.Dispose();
    }

    private Tensor TorchUnpool()
    {
        if (_fixed)
        {
            Tensor y = torch.zeros(BenchmarkData.Dims(TypedData.Unpooled), TorchTensors.TypeOf<T>());
            y[TensorIndex.Ellipsis, TensorIndex.Slice(null, null, 2), TensorIndex.Slice(null, null, 2)] = _torchSource!;
            return y;
        }

        return torch.nn.functional.max_unpool2d(_torchSource!, _torchIndices!, [2, 2], [2, 2], [0, 0], BenchmarkData.Dims(TypedData.Unpooled));
    }
}
