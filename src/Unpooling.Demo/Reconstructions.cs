using System.Diagnostics;

namespace Unpooling.Demo;

/// <summary>One way back from the pooled image to the input's size, with its error and time.</summary>
/// <param name="Name">The method's label (at most 20 characters, so that it fits a panel).</param>
/// <param name="NativeSize">The size the operator itself produced.</param>
/// <param name="Planes">The result as <c>[1, 3, H, W]</c> at the input's size: cropped at the bottom and right, or
/// padded there with zeros, where <see cref="NativeSize"/> differs.</param>
/// <param name="Mse">Mean squared error against the input over all three channels, values in [0, 1].</param>
/// <param name="Psnr">Peak signal-to-noise ratio in dB, <c>10 log10(1 / MSE)</c>; +infinity when exact.</param>
/// <param name="MedianMs">Median of <see cref="Reconstructions.TimedRuns"/> warm runs of the library call alone.</param>
internal sealed record Reconstruction(string Name, Size2D NativeSize, float[] Planes, double Mse, double Psnr, double MedianMs);

/// <summary>Everything the demo computed: the pooling, its switches and the reconstructions.</summary>
internal sealed record DemoResult(
    float[] Input,
    Size2D InputSize,
    Pool2DGeometry Pool,
    float[] Pooled,
    int[] Indices,
    Size2D PooledSize,
    double PoolMs,
    IReadOnlyList<Reconstruction> Methods);

/// <summary>
/// Max-pools a <c>[1, 3, H, W]</c> image and brings it back to <c>H x W</c> by every inverse the package offers.
/// Block methods use factor = stride; their block <c>i</c> covers rows and columns <c>[i*s, i*s + s)</c> whatever
/// the padding.
/// </summary>
internal static class Reconstructions
{
    /// <summary>The seed of random-offset unpooling: the same picture on every run.</summary>
    public const ulong RandomSeed = 2015;

    /// <summary>Timed runs per call; each is preceded by one untimed warm-up run.</summary>
    public const int TimedRuns = 5;

    /// <summary>Runs the pooling and every reconstruction.</summary>
    /// <exception cref="ArgumentException">The geometry does not fit the image (from <see cref="Pool2DGeometry.GetOutputSize(Size2D)"/>).</exception>
    public static DemoResult Run(float[] input, Size2D size, Pool2DGeometry pool)
    {
        var inputShape = new Shape4D(1, 3, size.Height, size.Width);
        Size2D pooledSize = pool.GetOutputSize(size);
        Shape4D pooledShape = inputShape.WithSpatialSize(pooledSize);
        var pooled = new float[pooledShape.ElementCount];
        var indices = new int[pooledShape.ElementCount];
        double poolMs = MedianMs(() => Functional.MaxPool2D(input, inputShape, pool, pooled, indices));

        Size2D factor = pool.Stride;

        // Argmax unpooling can always be asked for the input's size: the pooling rounded it down to a size in
        // [default, default + stride), inside the explicit-size rule (strictly within default +- stride).
        // The block methods' natural size is pooled * factor; the input's size is requested where the same rule allows.
        Size2D blockSize = PickPerAxis(Multiply(pooledSize, factor), size, factor);
        var zeroInsertSize = new Size2D(((pooledSize.Height - 1) * factor.Height) + 1, ((pooledSize.Width - 1) * factor.Width) + 1);
        (Conv2DGeometry convGeometry, float[] weight, Shape4D weightShape) = BilinearUpsampling(pooledSize, factor, size);
        Size2D convSize = convGeometry.GetTransposedOutputSize(pooledSize);

        var methods = new (string Name, Size2D Size, Action<float[]> Compute)[]
        {
            ("argmax unpooling", size, d => Functional.MaxUnpool2D(pooled, indices, pooledShape, pool, d, outputSize: size)),
            ("fixed upper-left", blockSize, d => Functional.FixedUnpool2D(pooled, pooledShape, factor, d, outputSize: blockSize)),
            ("random offset", blockSize, d => Functional.RandomUnpool2D(pooled, pooledShape, factor, RandomSeed, d, blockSize)),
            ("repeat (nearest)", blockSize, d => Functional.RepeatUnpool2D(pooled, pooledShape, factor, d, blockSize)),
            ("zero insertion", zeroInsertSize, d => Functional.ZeroInsert2D(pooled, pooledShape, factor, d)),
            ($"convT bilinear k{convGeometry.KernelSize.Height}", convSize, d => Functional.ConvTranspose2D(pooled, pooledShape, weight, weightShape, [], convGeometry, d)),
        };

        var results = new List<Reconstruction>(methods.Length);
        foreach ((string name, Size2D nativeSize, Action<float[]> compute) in methods)
        {
            var native = new float[3L * nativeSize.Height * nativeSize.Width];
            double ms = MedianMs(() => compute(native));
            float[] fitted = Fit(native, nativeSize, size);
            double mse = MeanSquaredError(fitted, input);
            results.Add(new Reconstruction(name, nativeSize, fitted, mse, Psnr(mse), ms));
        }

        return new DemoResult(input, size, pool, pooled, indices, pooledSize, poolMs, results);
    }

    /// <summary>
    /// The depthwise (groups = 3) transposed convolution that FCN initialises as bilinear upsampling by the stride
    /// <c>s</c>: kernel <c>k = 2s - s%2</c>, weight <c>(1 - |i - c|/f)(1 - |j - c|/f)</c> with <c>f = (k+1)/2</c> and
    /// centre <c>c = f - 1</c> (k odd) or <c>f - 0.5</c> (k even), padding <c>floor(s/2)</c> so that the natural output
    /// is <c>pooled * s</c> and input cell <c>i</c> is centred on its block; an output padding up to <c>s - 1</c>
    /// reaches the input's size where it can.
    /// </summary>
    internal static (Conv2DGeometry Geometry, float[] Weight, Shape4D WeightShape) BilinearUpsampling(Size2D pooledSize, Size2D stride, Size2D target)
    {
        var kernel = new Size2D((2 * stride.Height) - (stride.Height % 2), (2 * stride.Width) - (stride.Width % 2));
        var geometry = new Conv2DGeometry(kernel, stride, new Size2D(stride.Height / 2, stride.Width / 2), groups: 3);
        Size2D natural = geometry.GetTransposedOutputSize(pooledSize);
        geometry = geometry.WithOutputPadding(new Size2D(
            OutputPadding(natural.Height, target.Height, stride.Height),
            OutputPadding(natural.Width, target.Width, stride.Width)));

        float[] rows = BilinearTaps(kernel.Height), cols = BilinearTaps(kernel.Width);
        var weightShape = new Shape4D(3, 1, kernel.Height, kernel.Width);
        var weight = new float[weightShape.ElementCount];
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < kernel.Height; i++)
            {
                for (int j = 0; j < kernel.Width; j++)
                {
                    weight[(((c * kernel.Height) + i) * kernel.Width) + j] = rows[i] * cols[j];
                }
            }
        }

        return (geometry, weight, weightShape);
    }

    /// <summary>Copies the overlap of a planar image into a new one of <paramref name="to"/>, zeros elsewhere (top-left aligned).</summary>
    internal static float[] Fit(float[] planes, Size2D from, Size2D to)
    {
        if (from == to)
        {
            return planes;
        }

        var result = new float[3L * to.Height * to.Width];
        int rows = Math.Min(from.Height, to.Height), cols = Math.Min(from.Width, to.Width);
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < rows; y++)
            {
                planes.AsSpan((((c * from.Height) + y) * from.Width), cols)
                    .CopyTo(result.AsSpan(((c * to.Height) + y) * to.Width));
            }
        }

        return result;
    }

    internal static double MeanSquaredError(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            sum += d * d;
        }

        return sum / a.Length;
    }

    internal static double Psnr(double mse) => mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(1 / mse);

    /// <summary>Median wall time of <see cref="TimedRuns"/> runs after one warm-up. A demo figure, not a benchmark.</summary>
    internal static double MedianMs(Action action)
    {
        action();
        var times = new double[TimedRuns];
        for (int i = 0; i < times.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return times[TimedRuns / 2];
    }

    private static Size2D Multiply(Size2D a, Size2D b) => new(a.Height * b.Height, a.Width * b.Width);

    // The explicit output-size rule of every unpooling operator: strictly between natural - step and natural + step.
    private static Size2D PickPerAxis(Size2D natural, Size2D target, Size2D step) => new(
        Math.Abs(target.Height - natural.Height) < step.Height ? target.Height : natural.Height,
        Math.Abs(target.Width - natural.Width) < step.Width ? target.Width : natural.Width);

    // The transposed convolution's output padding reaches natural .. natural + stride - 1.
    private static int OutputPadding(int natural, int target, int stride)
        => target - natural is int extra && extra >= 0 && extra < stride ? extra : 0;

    private static float[] BilinearTaps(int k)
    {
        int f = (k + 1) / 2;
        float centre = k % 2 == 1 ? f - 1 : f - 0.5f;
        var taps = new float[k];
        for (int i = 0; i < k; i++)
        {
            taps[i] = 1 - (MathF.Abs(i - centre) / f);
        }

        return taps;
    }
}
