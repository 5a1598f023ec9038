namespace Unpooling;

/// <summary>
/// The operators of the package, in the vocabulary of PyTorch's <c>torch.nn.functional</c>: 2-D max pooling with
/// arg-max capture, argmax unpooling, fixed-position unpooling and its relatives. Each has a zero-allocation span form
/// (dense <c>[N, C, H, W]</c> with an explicit <see cref="Shape4D"/>) and a <c>System.Numerics.Tensors</c> form.
/// </summary>
/// <remarks>
/// All members are thread-safe and may be called concurrently. Results are bit-identical whatever the SIMD width, the
/// thread count (<c>maxDegreeOfParallelism</c>, -1 = all cores) or the batch split. Every argument is validated before
/// any memory is read or written; a failing call leaves the destinations untouched.
/// </remarks>
public static partial class Functional
{
}
