using System.Numerics;
using System.Numerics.Tensors;
using Unpooling.Layers;

namespace Unpooling.Demo.Training;

/// <summary>How the decoder puts back the size its encoder's pooling took away: the variants the experiment compares.</summary>
public enum Upsampling
{
    /// <summary>Argmax unpooling with the encoder's switches (SegNet).</summary>
    Switches,

    /// <summary>Fixed-position unpooling, each value to its block's upper-left cell (Dosovitskiy et al.).</summary>
    Fixed,

    /// <summary>Unpooling to a seeded random cell of each block.</summary>
    Random,

    /// <summary>Nearest-neighbour repeat.</summary>
    Repeat,

    /// <summary>A learned stride-2 transposed convolution (kernel 2, bias).</summary>
    Learned,

    /// <summary>A fixed bilinear transposed convolution (kernel 4, stride 2, padding 1, per channel; not trained).</summary>
    Bilinear,
}

/// <summary>
/// The experiment's network, the same for every variant but the upsampling: an encoder of conv 3x3 + ReLU + 2x2 max
/// pooling (switches kept), twice; a decoder that mirrors it: upsample, conv 3x3 + ReLU, upsample, conv 3x3 (to one
/// channel for reconstruction, one per class for segmentation). Built on the package's layer objects and operators; all
/// buffers are allocated once for the batch and image size, so a training step allocates nothing.
/// </summary>
/// <typeparam name="T"><see cref="float"/> for training, <see cref="double"/> for the gradient check.</typeparam>
internal sealed class DecoderNetwork<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Conv2D<T> _enc1, _enc2, _dec2, _dec1;
    private readonly MaxPool2D<T, byte> _pool1, _pool2;
    private readonly MaxUnpool2D<T, byte> _unpool;
    private readonly ConvTranspose2D<T>? _up2, _up1;
    private readonly ulong _seed;
    private readonly Shape4D _x, _s1, _p1, _s2, _p2, _s3, _out;
    private readonly T[] _input, _a1, _r1, _pooled1, _a2, _r2, _pooled2, _up2Out, _a3, _r3, _up1Out, _output;
    private readonly T[] _g1, _g2, _g3, _g4, _g5;

    public DecoderNetwork(Upsampling upsampling, int batch, int size, int outChannels, int width1, int width2, ulong seed, ExecutionOptions options)
    {
        Upsampling = upsampling;
        _seed = seed;
        var conv3 = new Conv2DGeometry(3, padding: 1);
        _enc1 = new Conv2D<T>(1, width1, conv3, seed: seed + 1, options: options);
        _enc2 = new Conv2D<T>(width1, width2, conv3, seed: seed + 2, options: options);
        _dec2 = new Conv2D<T>(width2, width1, conv3, seed: seed + 3, options: options);
        _dec1 = new Conv2D<T>(width1, outChannels, conv3, seed: seed + 4, options: options);
        var pool = new Pool2DGeometry(2);
        _pool1 = new MaxPool2D<T, byte>(pool, IndexConvention.InWindow, options);
        _pool2 = new MaxPool2D<T, byte>(pool, IndexConvention.InWindow, options);
        _unpool = new MaxUnpool2D<T, byte>(pool, IndexConvention.InWindow, options: options);
        if (upsampling == Upsampling.Learned)
        {
            _up2 = new ConvTranspose2D<T>(width2, width2, new Conv2DGeometry(2, stride: 2), seed: seed + 5, options: options);
            _up1 = new ConvTranspose2D<T>(width1, width1, new Conv2DGeometry(2, stride: 2), seed: seed + 6, options: options);
        }
        else if (upsampling == Upsampling.Bilinear)
        {
            _up2 = Bilinear(width2, options);
            _up1 = Bilinear(width1, options);
        }

        Options = options;
        _x = new Shape4D(batch, 1, size, size);
        _s1 = _enc1.GetOutputShape(_x);
        _p1 = _pool1.GetOutputShape(_s1);
        _s2 = _enc2.GetOutputShape(_p1);
        _p2 = _pool2.GetOutputShape(_s2);
        _s3 = _dec2.GetOutputShape(_s2);
        _out = _dec1.GetOutputShape(_s1);
        (_input, _a1, _r1, _pooled1) = (New(_x), New(_s1), New(_s1), New(_p1));
        (_a2, _r2, _pooled2, _up2Out) = (New(_s2), New(_s2), New(_p2), New(_s2));
        (_a3, _r3, _up1Out, _output) = (New(_s3), New(_s3), New(_s1), New(_out));
        (_g1, _g2, _g3, _g4, _g5) = (New(_s1), New(_s1), New(_s3), New(_s2), New(_p2));
        List<ITrainable<T>> trainable = [new TrainableConv(_enc1), new TrainableConv(_enc2), new TrainableConv(_dec2), new TrainableConv(_dec1)];
        if (upsampling == Upsampling.Learned)
        {
            trainable.Add(new TrainableTransposed(_up2!));
            trainable.Add(new TrainableTransposed(_up1!));
        }

        Trainable = trainable;
        ParameterCount = trainable.Sum(p => (long)p.Weight.Length + p.Bias.Length);
    }

    public Upsampling Upsampling { get; }

    public ExecutionOptions Options { get; }

    public Shape4D OutputShape => _out;

    /// <summary>The trained parameters' count (the bilinear kernels are fixed and not counted).</summary>
    public long ParameterCount { get; }

    /// <summary>The layers whose weights the optimiser updates.</summary>
    public IReadOnlyList<ITrainable<T>> Trainable { get; }

    /// <summary>Runs the network on a batch <c>[B, 1, S, S]</c>; the output (<see cref="OutputShape"/>) stays valid until the next call.</summary>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> images)
    {
        images.CopyTo(_input);
        _enc1.Forward(_input, _x, _a1);
        Relu(_a1, _r1);
        _pool1.Forward(_r1, _s1, _pooled1);
        _enc2.Forward(_pooled1, _p1, _a2);
        Relu(_a2, _r2);
        _pool2.Forward(_r2, _s2, _pooled2);
        Up(_pooled2, _p2, _pool2, _up2, _up2Out, 2);
        _dec2.Forward(_up2Out, _s2, _a3);
        Relu(_a3, _r3);
        Up(_r3, _s3, _pool1, _up1, _up1Out, 1);
        _dec1.Forward(_up1Out, _s1, _output);
        return _output;
    }

    /// <summary>The backward pass of the last <see cref="Forward"/>: adds every trainable layer's gradients.</summary>
    public void Backward(ReadOnlySpan<T> outputGradient)
    {
        _dec1.Backward(_up1Out, _s1, outputGradient, _g2);
        UpBackward(_g2, _s3, _pool1, _up1, _r3, _g3, 1);
        ReluBackward(_a3, _g3);
        _dec2.Backward(_up2Out, _s2, _g3, _g4);
        UpBackward(_g4, _p2, _pool2, _up2, _pooled2, _g5, 2);
        _pool2.Backward(_g5, _g4);
        ReluBackward(_a2, _g4);
        Span<T> pooledGradient = _g2.AsSpan(0, (int)_p1.ElementCount);
        _enc2.Backward(_pooled1, _p1, _g4, pooledGradient);
        _pool1.Backward(pooledGradient, _g1);
        ReluBackward(_a1, _g1);
        _enc1.Backward(_input, _x, _g1, []);
    }

    public void ZeroGradients()
    {
        foreach (ITrainable<T> p in Trainable)
        {
            p.ZeroGradients();
        }
    }

    private static T[] New(Shape4D shape) => new T[shape.ElementCount];

    private static ConvTranspose2D<T> Bilinear(int channels, ExecutionOptions options)
    {
        // Per channel (groups = C), the 4-tap bilinear kernel of factor 2: [1, 3, 3, 1] / 4 on each axis.
        var layer = new ConvTranspose2D<T>(channels, channels, new Conv2DGeometry(4, stride: 2, padding: 1, groups: channels), bias: false, options: options);
        ReadOnlySpan<double> taps = [0.25, 0.75, 0.75, 0.25];
        Span<T> w = layer.Weight;
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < 16; i++)
            {
                w[(c * 16) + i] = T.CreateTruncating(taps[i / 4] * taps[i % 4]);
            }
        }

        return layer;
    }

    private static void Relu(ReadOnlySpan<T> a, Span<T> r) => TensorPrimitives.Max(a, T.Zero, r);

    /// <summary>The gradient through a ReLU, in place: zero where the pre-activation was not positive.</summary>
    private static void ReluBackward(ReadOnlySpan<T> preActivation, Span<T> gradient)
    {
        for (int i = 0; i < gradient.Length; i++)
        {
            if (!(preActivation[i] > T.Zero))
            {
                gradient[i] = T.Zero;
            }
        }
    }

    private void Up(ReadOnlySpan<T> source, Shape4D shape, MaxPool2D<T, byte> encoder, ConvTranspose2D<T>? transposed, Span<T> destination, int level)
    {
        switch (Upsampling)
        {
            case Upsampling.Switches:
                _unpool.Forward(source, encoder, destination);
                break;
            case Upsampling.Fixed:
                Functional.FixedUnpool2D(source, shape, 2, destination, options: Options);
                break;
            case Upsampling.Random:
                Functional.RandomUnpool2D(source, shape, 2, _seed + (ulong)level, destination, options: Options);
                break;
            case Upsampling.Repeat:
                Functional.RepeatUnpool2D(source, shape, 2, destination, options: Options);
                break;
            default:
                transposed!.Forward(source, shape, destination);
                break;
        }
    }

    private void UpBackward(ReadOnlySpan<T> outputGradient, Shape4D shape, MaxPool2D<T, byte> encoder, ConvTranspose2D<T>? transposed, ReadOnlySpan<T> source, Span<T> sourceGradient, int level)
    {
        switch (Upsampling)
        {
            case Upsampling.Switches:
                _unpool.Backward(outputGradient, encoder, sourceGradient);
                break;
            case Upsampling.Fixed:
                Functional.FixedUnpool2DBackward(outputGradient, shape, 2, sourceGradient, options: Options);
                break;
            case Upsampling.Random:
                Functional.RandomUnpool2DBackward(outputGradient, shape, 2, _seed + (ulong)level, sourceGradient, options: Options);
                break;
            case Upsampling.Repeat:
                Functional.RepeatUnpool2DBackward(outputGradient, shape, 2, sourceGradient, options: Options);
                break;
            case Upsampling.Learned:
                transposed!.Backward(source, shape, outputGradient, sourceGradient);
                break;
            default:
                // The bilinear kernel is fixed: only the input's gradient, through the transposed convolution's adjoint.
                Functional.ConvTranspose2DBackward(outputGradient, source, shape, transposed!.Weight, transposed.WeightShape, transposed.Geometry, sourceGradient, [], [], Options);
                break;
        }
    }

    private sealed class TrainableConv(Conv2D<T> layer) : ITrainable<T>
    {
        public Span<T> Weight => layer.Weight;

        public Span<T> Bias => layer.Bias;

        public Span<T> WeightGradient => layer.WeightGradient;

        public Span<T> BiasGradient => layer.BiasGradient;

        public void ZeroGradients() => layer.ZeroGradients();
    }

    private sealed class TrainableTransposed(ConvTranspose2D<T> layer) : ITrainable<T>
    {
        public Span<T> Weight => layer.Weight;

        public Span<T> Bias => layer.Bias;

        public Span<T> WeightGradient => layer.WeightGradient;

        public Span<T> BiasGradient => layer.BiasGradient;

        public void ZeroGradients() => layer.ZeroGradients();
    }
}

/// <summary>A layer's parameters and their gradients, as the optimiser sees them.</summary>
internal interface ITrainable<T>
{
    Span<T> Weight { get; }

    Span<T> Bias { get; }

    Span<T> WeightGradient { get; }

    Span<T> BiasGradient { get; }

    void ZeroGradients();
}
