using System.Numerics;
using System.Numerics.Tensors;

namespace Unpooling.Internal;

/// <summary>
/// The trainable state of a convolution layer: weight and bias, their gradients (accumulated by each backward pass, as
/// PyTorch's <c>.grad</c>), and the scratch a backward pass computes into before it adds. Every array is allocated once,
/// at construction (the scratch at the first backward pass), so steady-state calls allocate nothing.
/// </summary>
internal sealed class LayerParameters<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _weightScratch;
    private T[]? _biasScratch;

    public LayerParameters(long weightLength, int biasLength, long fanIn, ulong seed)
    {
        if (weightLength > Array.MaxLength)
        {
            ThrowHelper.ThrowArgument("outChannels", $"The weight would hold {weightLength} elements, more than an array holds ({Array.MaxLength}).");
        }

        Weight = new T[weightLength];
        WeightGradient = new T[weightLength];
        Bias = new T[biasLength];
        BiasGradient = new T[biasLength];

        // PyTorch's default initialisation of Conv*d and ConvTranspose*d: kaiming_uniform_(a = sqrt(5)) on the weight,
        // which is U(-1/sqrt(fanIn), 1/sqrt(fanIn)), and the same bound for the bias; drawn here from a seeded SplitMix64.
        double bound = 1 / Math.Sqrt(Math.Max(1, fanIn));
        ulong state = seed;
        Fill(Weight, bound, ref state);
        Fill(Bias, bound, ref state);
    }

    public T[] Weight { get; }

    public T[] Bias { get; }

    public T[] WeightGradient { get; }

    public T[] BiasGradient { get; }

    /// <summary>The scratch a backward pass writes the weight gradient into (allocated at the first call).</summary>
    public Span<T> WeightScratch => _weightScratch ??= new T[Weight.Length];

    /// <summary>The scratch of the bias gradient (empty without a bias).</summary>
    public Span<T> BiasScratch => _biasScratch ??= new T[Bias.Length];

    /// <summary>Adds the scratch gradients to the accumulated ones.</summary>
    public void Accumulate()
    {
        TensorPrimitives.Add(WeightGradient, _weightScratch!, WeightGradient);
        TensorPrimitives.Add(BiasGradient, _biasScratch!, BiasGradient);
    }

    public void ZeroGradients()
    {
        Array.Clear(WeightGradient);
        Array.Clear(BiasGradient);
    }

    private static void Fill(Span<T> values, double bound, ref ulong state)
    {
        for (int i = 0; i < values.Length; i++)
        {
            // SplitMix64, then the top 53 bits as a double in [0, 1).
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            double unit = (z >> 11) * (1.0 / (1UL << 53));
            values[i] = T.CreateTruncating(((2 * unit) - 1) * bound);
        }
    }
}
