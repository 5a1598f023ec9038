using System.Numerics.Tensors;

namespace Unpooling;

/// <summary>
/// Which gradients a convolution backward computes (ATen's <c>output_mask</c>): the allocating forms of
/// <c>Conv*Backward</c> and <c>ConvTranspose*Backward</c> create and fill only these. The span and tensor-span forms say
/// the same with an empty destination.
/// </summary>
[Flags]
public enum ConvGradientKinds
{
    /// <summary>No gradient (the call only validates).</summary>
    None = 0,

    /// <summary>The gradient of the source (the operator's input).</summary>
    Source = 1,

    /// <summary>The gradient of the weight.</summary>
    Weight = 2,

    /// <summary>The gradient of the bias (one value per output channel).</summary>
    Bias = 4,

    /// <summary>Every gradient.</summary>
    All = Source | Weight | Bias,
}

/// <summary>The gradients an allocating convolution backward returns; a gradient not asked for is <see langword="null"/>.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="SourceGradient">The gradient of the source, of the source's shape and memory format (channels_last when
/// the source is), or <see langword="null"/>.</param>
/// <param name="WeightGradient">The gradient of the weight, dense, of the weight's shape, or <see langword="null"/>.</param>
/// <param name="BiasGradient">The gradient of the bias, rank 1 <c>[Cout]</c>, or <see langword="null"/>.</param>
public sealed record ConvGradients<T>(Tensor<T>? SourceGradient, Tensor<T>? WeightGradient, Tensor<T>? BiasGradient);
