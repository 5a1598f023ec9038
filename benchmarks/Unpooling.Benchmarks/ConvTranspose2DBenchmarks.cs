using BenchmarkDotNet.Attributes;
using Unpooling.Benchmarks.Naive;

namespace Unpooling.Benchmarks;

/// <summary>The transposed-convolution shapes of issue 3 (float, square kernels, groups 1).</summary>
public enum ConvTransposeCase
{
    /// <summary>(i) N=1, Cin=64, Cout=32, 56x56, k=2, s=2: the U-Net up-step, kernel = stride (col2im is a copy).</summary>
    I_C64to32_56_K2S2,

    /// <summary>(ii) as (i) with k=3, s=2, p=1, output padding 1: overlapping windows, output 112x112.</summary>
    II_C64to32_56_K3S2P1Op1,

    /// <summary>(iii) N=16, Cin=128, Cout=64, 16x16, k=4, s=2, p=1: the DCGAN generator step.</summary>
    III_N16_C128to64_16_K4S2P1,

    /// <summary>(iv) N=1, Cin=256, Cout=128, 28x28, k=2, s=2: a deep U-Net up-step.</summary>
    IV_C256to128_28_K2S2,
}

/// <summary>
/// <c>conv_transpose2d</c>: the naive scatter loop (baseline) against the packed-GEMM + col2im kernel on 1 and 2
/// threads. GFLOP/s = 2 * N*Cin*Cout*k*k*H*W / time (<see cref="MultiplyAdds"/>); RESULTS-conv.md lists them.
/// </summary>
[MemoryDiagnoser]
public class ConvTranspose2DBenchmarks
{
    private float[] _source = [];
    private float[] _weight = [];
    private float[] _bias = [];
    private float[] _destination = [];
    private Shape4D _sourceShape;
    private Shape4D _weightShape;
    private Conv2DGeometry _geometry;
    private int _kernel, _stride, _padding, _outputPadding;

    [Params(ConvTransposeCase.I_C64to32_56_K2S2, ConvTransposeCase.II_C64to32_56_K3S2P1Op1, ConvTransposeCase.III_N16_C128to64_16_K4S2P1, ConvTransposeCase.IV_C256to128_28_K2S2)]
    public ConvTransposeCase Case { get; set; }

    /// <summary>Multiply-adds of one call (no inserted zero counted): <c>N*Cin*Cout*k*k*H*W</c>.</summary>
    public static long MultiplyAdds(ConvTransposeCase c)
    {
        (Shape4D s, int cout, int k, _, _, _) = Describe(c);
        return s.ElementCount * cout * k * k;
    }

    [GlobalSetup]
    public void Setup()
    {
        int cout;
        (_sourceShape, cout, _kernel, _stride, _padding, _outputPadding) = Describe(Case);
        _weightShape = new Shape4D(_sourceShape.Channels, cout, _kernel, _kernel);
        _geometry = new Conv2DGeometry(_kernel, _stride, _padding, outputPadding: _outputPadding);
        _source = BenchmarkData.RandomValues(_sourceShape.ElementCount);
        _weight = BenchmarkData.RandomValues(_weightShape.ElementCount, BenchmarkData.Seed + 1);
        _bias = BenchmarkData.RandomValues(cout, BenchmarkData.Seed + 2);
        Size2D o = _geometry.GetTransposedOutputSize(_sourceShape.SpatialSize);
        _destination = new float[(long)_sourceShape.Batch * cout * o.Height * o.Width];

        // The library sums in another order than the naive loop, so compare to a tolerance before timing anything.
        Naive();
        float[] expected = (float[])_destination.Clone();
        foreach (int degree in (int[])[1, 2])
        {
            Array.Fill(_destination, float.NaN);
            Run(degree);
            for (int i = 0; i < expected.Length; i++)
            {
                if (!(Math.Abs(expected[i] - _destination[i]) <= 1e-3f * (1 + Math.Abs(expected[i]))))
                {
                    throw new InvalidOperationException($"ConvTranspose2D {Case}, degree {degree}: element {i} is {_destination[i]}, naive gives {expected[i]}.");
                }
            }
        }
    }

    [Benchmark(Baseline = true)]
    public void Naive() => NaiveConv.ConvTranspose2D(
        _source, _sourceShape, _weight, _weightShape.Channels, 1, _kernel, _stride, _padding, _outputPadding, _bias, _destination);

    [Benchmark]
    public void SimdOneThread() => Run(1);

    [Benchmark]
    public void SimdTwoThreads() => Run(2);

    /// <summary>The limit: this case's multiply-adds at the measured FMA peak of one core (<see cref="FmaPeak"/>).</summary>
    [Benchmark]
    public float FmaPeakOneThread() => FmaPeak.Run(MultiplyAdds(Case));

    private static (Shape4D Source, int Cout, int K, int S, int P, int Op) Describe(ConvTransposeCase c) => c switch
    {
        ConvTransposeCase.I_C64to32_56_K2S2 => (new Shape4D(1, 64, 56, 56), 32, 2, 2, 0, 0),
        ConvTransposeCase.II_C64to32_56_K3S2P1Op1 => (new Shape4D(1, 64, 56, 56), 32, 3, 2, 1, 1),
        ConvTransposeCase.III_N16_C128to64_16_K4S2P1 => (new Shape4D(16, 128, 16, 16), 64, 4, 2, 1, 0),
        ConvTransposeCase.IV_C256to128_28_K2S2 => (new Shape4D(1, 256, 28, 28), 128, 2, 2, 0, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, "Unknown case."),
    };

    private void Run(int degree)
        => Functional.ConvTranspose2D(_source, _sourceShape, _weight, _weightShape, _bias, _geometry, _destination, degree);
}
