using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Internal;

namespace Unpooling.Layers;

/// <summary>
/// A 2-D transposed convolution layer (PyTorch's <c>nn.ConvTranspose2d</c>): the geometry fixed at construction, a weight
/// <c>[Cin, Cout/groups, kH, kW]</c> and an optional bias <c>[Cout]</c> owned by the layer, <see cref="Forward(ReadOnlySpan{T}, Shape4D, Span{T})"/>
/// through <see cref="Functional.ConvTranspose2D{T}(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Conv2DGeometry, Span{T}, ExecutionOptions)"/>
/// and <see cref="Backward(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Span{T})"/>, which adds the weight and bias
/// gradients to <see cref="WeightGradient"/> and <see cref="BiasGradient"/> (as PyTorch accumulates <c>.grad</c>; clear
/// them with <see cref="ZeroGradients"/>).
/// </summary>
/// <typeparam name="T"><see cref="float"/>, <see cref="double"/> or <see cref="Half"/> (accumulated in float).</typeparam>
/// <remarks>
/// <para>The span forms keep what the functions redo on every call: the weights packed for the GEMM are kept and packed
/// again only when the weights change (each call compares them, bit for bit, with a copy of the ones last packed, so a
/// write through <c>Weight</c>, or through any span taken from it earlier, is always seen), or when the input shape or
/// threading changes the plan; and the kernels' scratch comes from a workspace the layer owns instead of
/// <see cref="System.Buffers.ArrayPool{T}"/>. Every buffer is allocated at the first calls of a shape (the gradient
/// scratch at the first backward pass), so steady-state span calls allocate and rent nothing. Results are the same bits
/// as the <see cref="Functional"/> operators'.</para>
/// <para>An instance is not safe for concurrent use; the <see cref="Functional"/> operators it calls are. Both layouts
/// work: a channels-last <c>sourceShape</c> makes the output and gradients channels-last.</para>
/// </remarks>
public sealed class ConvTranspose2D<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LayerParameters<T> _parameters;
    private readonly nint[] _weightLengths;
    private readonly ConvWorkspace _workspace = new();

    /// <summary>Creates the layer with PyTorch's default initialisation, drawn from <paramref name="seed"/>.</summary>
    /// <param name="inChannels">Cin, the channels of the input (divisible by the geometry's groups).</param>
    /// <param name="outChannels">Cout, the channels of the output (divisible by the groups).</param>
    /// <param name="geometry">Kernel size, stride, padding, dilation, groups and output padding (an explicit output size
    /// is set on it with <see cref="Conv2DGeometry.WithTransposedOutputSize(Size2D, Size2D)"/>).</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="seed">The seed of the weight and bias initialisation, <c>U(-1/sqrt(fanIn), 1/sqrt(fanIn))</c> with
    /// <c>fanIn = Cout/groups * kH * kW</c>, the weight's second axis as PyTorch counts it (PyTorch's <c>kaiming_uniform_(a = sqrt(5))</c>); the same seed gives the same
    /// values.</param>
    /// <param name="options">Threading of every call; results never depend on it.</param>
    /// <exception cref="ArgumentException">The geometry is <c>default</c> or its groups do not divide the channels
    /// (named <paramref name="geometry"/>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A channel count is below 1.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not float, double or Half.</exception>
    public ConvTranspose2D(int inChannels, int outChannels, Conv2DGeometry geometry, bool bias = true, ulong seed = 0, ExecutionOptions options = default)
    {
        ElementTypes.RequireConvolutionElement<T>(nameof(ConvTranspose2D<T>));
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        geometry.ThrowIfDefault(nameof(geometry));
        LayerRules.RequireGroups(inChannels, outChannels, geometry.Groups, nameof(geometry));
        InChannels = inChannels;
        OutChannels = outChannels;
        Geometry = geometry;
        WeightShape = new Shape4D(inChannels, outChannels / geometry.Groups, geometry.KernelSize.Height, geometry.KernelSize.Width);
        _weightLengths = WeightShape.GetLengths();
        Options = options;
        _parameters = new LayerParameters<T>(WeightShape.ElementCount, bias ? outChannels : 0, (long)WeightShape.Channels * WeightShape.PlaneSize, seed);
    }

    /// <summary>Cin.</summary>
    public int InChannels { get; }

    /// <summary>Cout.</summary>
    public int OutChannels { get; }

    /// <summary>The geometry fixed at construction.</summary>
    public Conv2DGeometry Geometry { get; }

    /// <summary>The weight's shape, <c>[Cin, Cout/groups, kH, kW]</c>.</summary>
    public Shape4D WeightShape { get; }

    /// <summary>The threading of every call.</summary>
    public ExecutionOptions Options { get; }

    /// <summary>The weight, dense <see cref="WeightShape"/>; write through it to load or update weights.</summary>
    public Span<T> Weight => _parameters.Weight;

    /// <summary>The bias, <c>Cout</c> values, or empty for a layer without one.</summary>
    public Span<T> Bias => _parameters.Bias;

    /// <summary>The accumulated gradient of the weight (sum of every <see cref="Backward(ReadOnlySpan{T}, Shape4D, ReadOnlySpan{T}, Span{T})"/> since <see cref="ZeroGradients"/>).</summary>
    public Span<T> WeightGradient => _parameters.WeightGradient;

    /// <summary>The accumulated gradient of the bias (empty without a bias).</summary>
    public Span<T> BiasGradient => _parameters.BiasGradient;

    /// <summary>The workspace the span forms keep their packed weights and scratch in (for the tests).</summary>
    internal ConvWorkspace Workspace => _workspace;

    /// <summary>Clears <see cref="WeightGradient"/> and <see cref="BiasGradient"/>.</summary>
    public void ZeroGradients() => _parameters.ZeroGradients();

    /// <summary>The output shape for an input of <paramref name="sourceShape"/> (see <see cref="Functional.GetConvTranspose2DOutputShape"/>).</summary>
    /// <param name="sourceShape">The input shape, <c>Cin</c> channels, either layout.</param>
    /// <returns>The output shape in the input's layout.</returns>
    /// <exception cref="ArgumentException">The shape does not fit the layer.</exception>
    public Shape4D GetOutputShape(Shape4D sourceShape) => Functional.GetConvTranspose2DOutputShape(sourceShape, WeightShape, Geometry);

    /// <summary>The transposed convolution of <paramref name="source"/> into <paramref name="destination"/>.</summary>
    /// <param name="source">The input, <c>N*Cin*H*W</c> elements in <paramref name="sourceShape"/>'s layout.</param>
    /// <param name="sourceShape">The input shape.</param>
    /// <param name="destination">Receives the output of <see cref="GetOutputShape"/>.</param>
    /// <exception cref="ArgumentException">A length or shape does not fit, or the destination overlaps an input.</exception>
    public void Forward(ReadOnlySpan<T> source, Shape4D sourceShape, Span<T> destination)
        => Functional.ConvCore(true, source, sourceShape, Weight, WeightShape, Bias, Geometry, destination, Options, _workspace);

    /// <summary>
    /// The backward pass: writes the gradient of the input into <paramref name="sourceGradient"/> (empty: not wanted,
    /// as for a network's first layer) and adds the weight and bias gradients to <see cref="WeightGradient"/> and
    /// <see cref="BiasGradient"/>.
    /// </summary>
    /// <param name="source">The forward's input (the layer keeps no reference to it).</param>
    /// <param name="sourceShape">The forward's input shape.</param>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <param name="sourceGradient">Receives the gradient of the input, or empty.</param>
    /// <exception cref="ArgumentException">A length or shape does not fit, or a destination overlaps an input; the
    /// accumulated gradients are then unchanged.</exception>
    public void Backward(ReadOnlySpan<T> source, Shape4D sourceShape, ReadOnlySpan<T> outputGradient, Span<T> sourceGradient)
    {
        Functional.ConvBackwardCore(
            true, outputGradient, source, sourceShape, Weight, WeightShape, Geometry, sourceGradient, _parameters.WeightScratch, _parameters.BiasScratch, Options, _workspace);
        _parameters.Accumulate();
    }

    /// <summary>The transposed convolution of a rank-4 tensor view (any strides) into a new tensor, channels-last when the input is.</summary>
    /// <param name="source">The input <c>[N, Cin, H, W]</c>.</param>
    /// <returns>The output.</returns>
    /// <exception cref="ArgumentException">The tensor does not fit the layer.</exception>
    public Tensor<T> Forward(in ReadOnlyTensorSpan<T> source)
        => Functional.ConvTranspose2D(source, LayerRules.View(_parameters.Weight, _weightLengths), Bias, Geometry, null, Options);

    /// <summary>The backward pass over tensor views: returns the input's gradient (the input's lengths and layout) and
    /// adds the weight and bias gradients to the accumulated ones.</summary>
    /// <param name="source">The forward's input.</param>
    /// <param name="outputGradient">The gradient of the forward's output.</param>
    /// <returns>The gradient of the input.</returns>
    /// <exception cref="ArgumentException">A tensor does not fit the layer.</exception>
    public Tensor<T> Backward(in ReadOnlyTensorSpan<T> source, in ReadOnlyTensorSpan<T> outputGradient)
    {
        Tensor<T> sourceGradient = LayerRules.CreateLike(source);
        Functional.ConvTranspose2DBackward(
            outputGradient, source, LayerRules.View(_parameters.Weight, _weightLengths), Geometry, sourceGradient.AsTensorSpan(),
            LayerRules.WritableView(_parameters.WeightScratch, _weightLengths), _parameters.BiasScratch, Options);
        _parameters.Accumulate();
        return sourceGradient;
    }
}
