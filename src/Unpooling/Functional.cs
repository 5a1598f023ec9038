namespace Unpooling;

/// <summary>
/// The operators of the package, in the vocabulary of PyTorch's <c>torch.nn.functional</c>: 2-D max pooling with
/// arg-max capture, argmax unpooling, fixed-position unpooling and its relatives, zero insertion, and the transposed
/// convolution with its adjoint convolution. Each operator is one generic method per form: a zero-allocation span form
/// (dense <c>[N, C, H, W]</c> with an explicit <see cref="Shape4D"/>), a <c>System.Numerics.Tensors</c> form over
/// <c>ReadOnlyTensorSpan</c>/<c>TensorSpan</c> of any strides, and allocating forms that take a <c>Tensor</c> or a
/// <c>ReadOnlyTensorSpan</c> and return new tensors. C# infers the type arguments from arrays and spans.
/// </summary>
/// <remarks>
/// <para>All members are thread-safe and may be called concurrently. Results are bit-identical whatever the SIMD
/// width, the thread count (<see cref="ExecutionOptions"/>) or the batch split, on a given instruction set: where the
/// processor has no fused multiply-add (x64 without FMA), the convolutions multiply and then add, so their last bits
/// can differ from an FMA machine's. Every argument is validated before any memory is read or written; a failing call
/// leaves the destinations untouched.</para>
/// <para>Each family states its element-type constraint on its type parameter. Pooling, argmax unpooling and the
/// fixed/random/repeat family run every type their constraint admits: <see cref="float"/> and <see cref="double"/>
/// vectorized, every other type (<see cref="Half"/>, the integer types, <see cref="decimal"/>, ...) on the scalar path;
/// zero insertion and subsampling run any unmanaged type. The convolutions run <see cref="float"/> and
/// <see cref="double"/> and refuse other admitted element types with a <see cref="NotSupportedException"/> naming the
/// type. Unpooling's sum adds with the element type's <c>+</c>: integers wrap (unchecked), <see cref="decimal"/>
/// throws <see cref="OverflowException"/> on overflow. Indices may be of any
/// <see cref="System.Numerics.IBinaryInteger{TSelf}"/> type, 8 to 128 bits, signed or unsigned, as long as the
/// convention's largest index fits it (else an <see cref="ArgumentException"/> naming the indices).</para>
/// </remarks>
public static partial class Functional
{
}
