using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace Unpooling.Benchmarks;

/// <summary>The channels-last convolution workloads: two decoder transposed convolutions of
/// <see cref="ConvTranspose2DBenchmarks"/> (D2, D3) and two 3x3 encoder convolutions, all float with bias, groups 1.</summary>
public enum ConvChannelsLastWorkload
{
    /// <summary>ConvTranspose2D [1, 64, 56, 56] -> 32 channels, kernel 3, stride 2, padding 1, output padding 1 (D2).</summary>
    TD2,

    /// <summary>ConvTranspose2D [16, 128, 16, 16] -> 64 channels, kernel 4, stride 2, padding 1 (D3).</summary>
    TD3,

    /// <summary>Conv2D [1, 64, 56, 56] -> 64 channels, kernel 3, padding 1.</summary>
    C56,

    /// <summary>Conv2D [1, 128, 28, 28] -> 128 channels, kernel 3, padding 1.</summary>
    C28,
}

/// <summary>
/// Channels-last (NHWC) 2-D convolutions and transposed convolutions: libtorch on <c>channels_last</c> tensors (the
/// baseline of the ratios), Unpooling on the same NHWC memory (<see cref="Shape4D.ChannelsLast"/>), and Unpooling on
/// the channels-first layout of the same data for comparison. Every row is checked against libtorch before timing.
/// </summary>
[MemoryDiagnoser]
public class ConvChannelsLastBenchmarks : PeerBenchmark
{
    private float[] _nhwc = [];
    private float[] _nchw = [];
    private float[] _weight = [];
    private float[] _bias = [];
    private float[] _destination = [];
    private Shape4D _first, _weightShape;
    private Conv2DGeometry _geometry;
    private bool _transposed;
    private Tensor? _torchSource, _torchWeight, _torchBias;

    [Params(ConvChannelsLastWorkload.TD2, ConvChannelsLastWorkload.TD3, ConvChannelsLastWorkload.C56, ConvChannelsLastWorkload.C28)]
    public ConvChannelsLastWorkload Workload { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (Shape4D source, int cout, int k, int s, int p, int op) = Describe(Workload);
        _transposed = Workload is ConvChannelsLastWorkload.TD2 or ConvChannelsLastWorkload.TD3;
        _first = source;
        _weightShape = _transposed ? new Shape4D(source.Channels, cout, k, k) : new Shape4D(cout, source.Channels, k, k);
        _geometry = new Conv2DGeometry(k, s, p, outputPadding: op);
        _nhwc = BenchmarkData.RandomValues(source.ElementCount);
        _weight = BenchmarkData.RandomValues(_weightShape.ElementCount, BenchmarkData.Seed + 1);
        _bias = BenchmarkData.RandomValues(cout, BenchmarkData.Seed + 2);
        Size2D o = _transposed ? _geometry.GetTransposedOutputSize(source.SpatialSize) : _geometry.GetOutputSize(source.SpatialSize);
        _destination = new float[(long)source.Batch * cout * o.Height * o.Width];

        UseTorch();
        _torchSource = Own(torch.tensor(_nhwc, [source.Batch, source.Height, source.Width, source.Channels]).permute(0, 3, 1, 2));
        _torchWeight = Own(torch.tensor(_weight, BenchmarkData.Dims(_weightShape)));
        _torchBias = Own(torch.tensor(_bias, [cout]));
        _nchw = Own(_torchSource.contiguous()).data<float>().ToArray();
        float[] expected;
        using (Tensor y = Torch())
        {
            if (y.stride(1) != 1)
            {
                throw new InvalidOperationException($"libtorch did not keep channels_last for {Workload}.");
            }

            using Tensor memory = y.permute(0, 2, 3, 1).contiguous();
            expected = memory.data<float>().ToArray();
        }

        Array.Fill(_destination, float.NaN);
        UnpoolingChannelsLast();
        RequireClose(expected, _destination, "Unpooling channels-last");
        UnpoolingChannelsFirst();
        using (Tensor first = torch.tensor(_destination, [source.Batch, cout, o.Height, o.Width]).permute(0, 2, 3, 1).contiguous())
        {
            RequireClose(expected, first.data<float>().ToArray(), "Unpooling channels-first");
        }
    }

    [Benchmark(Baseline = true)]
    public void LibTorchChannelsLast() => Torch().Dispose();

    [Benchmark]
    public void UnpoolingChannelsLast()
    {
        Shape4D last = Shape4D.ChannelsLast(_first.Batch, _first.Height, _first.Width, _first.Channels);
        if (_transposed)
        {
            Functional.ConvTranspose2D(_nhwc, last, _weight, _weightShape, _bias, _geometry, _destination, Options);
        }
        else
        {
            Functional.Conv2D(_nhwc, last, _weight, _weightShape, _bias, _geometry, _destination, Options);
        }
    }

    [Benchmark]
    public void UnpoolingChannelsFirst()
    {
        if (_transposed)
        {
            Functional.ConvTranspose2D(_nchw, _first, _weight, _weightShape, _bias, _geometry, _destination, Options);
        }
        else
        {
            Functional.Conv2D(_nchw, _first, _weight, _weightShape, _bias, _geometry, _destination, Options);
        }
    }

    private Tensor Torch()
    {
        long s = _geometry.Stride.Height, p = _geometry.PaddingBegin.Height, op = _geometry.OutputPadding.Height;
        return _transposed
            ? torch.nn.functional.conv_transpose2d(_torchSource!, _torchWeight!, _torchBias, [s, s], [p, p], [op, op])
            : torch.nn.functional.conv2d(_torchSource!, _torchWeight!, _torchBias, [s, s], [p, p]);
    }

    private void RequireClose(float[] expected, float[] actual, string who)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(expected[i] - actual[i]) <= 1e-3f * (1 + Math.Abs(expected[i]))))
            {
                throw new InvalidOperationException($"{Workload}, {who}, {Threads} threads: element {i} is {actual[i]}, libtorch gives {expected[i]}.");
            }
        }
    }

    private static (Shape4D Source, int Cout, int K, int S, int P, int Op) Describe(ConvChannelsLastWorkload workload) => workload switch
    {
        ConvChannelsLastWorkload.TD2 => (new Shape4D(1, 64, 56, 56), 32, 3, 2, 1, 1),
        ConvChannelsLastWorkload.TD3 => (new Shape4D(16, 128, 16, 16), 64, 4, 2, 1, 0),
        ConvChannelsLastWorkload.C56 => (new Shape4D(1, 64, 56, 56), 64, 3, 1, 1, 0),
        ConvChannelsLastWorkload.C28 => (new Shape4D(1, 128, 28, 28), 128, 3, 1, 1, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, "Unknown workload."),
    };
}
