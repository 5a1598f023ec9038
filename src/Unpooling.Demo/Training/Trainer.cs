using System.Diagnostics;
using System.Numerics;

namespace Unpooling.Demo.Training;

/// <summary>What the network learns: to reproduce its input, or to label each pixel with its shape class.</summary>
public enum TrainingTask
{
    /// <summary>An autoencoder: the output is the input image again, scored by PSNR.</summary>
    Reconstruction,

    /// <summary>Every pixel labelled with its shape class, scored by pixel accuracy and mean intersection-over-union.</summary>
    Segmentation,
}

/// <summary>The numbers every variant trains with: the same for all, so only the upsampling differs.</summary>
internal sealed record TrainingSettings(
    int Steps, int Batch = 8, int Size = 32, int Width1 = 16, int Width2 = 32, double LearningRate = 2e-3, ulong Seed = 1,
    int TrainImages = 512, int TestImages = 64, ExecutionOptions Options = default);

/// <summary>One variant's run: its loss curve, held-out scores, time, and its outputs on the first held-out images.</summary>
internal sealed record TrainingResult(
    TrainingTask Task, Upsampling Variant, long Parameters, double[] Losses, double FinalLoss, double TestLoss, double Psnr,
    double PixelAccuracy, double MeanIoU, TimeSpan Time, float[] Outputs);

/// <summary>Trains one variant with Adam on the scenes, in a fixed data order, and scores it on held-out scenes.</summary>
internal static class Trainer
{
    /// <summary>The held-out images whose outputs the result keeps (for the prediction sheet).</summary>
    public const int KeptOutputs = 4;

    public static TrainingResult Train<T>(TrainingTask task, Upsampling variant, TrainingSettings s, SceneSet train, SceneSet test, Action<int>? progress = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var watch = Stopwatch.StartNew();
        int classes = task == TrainingTask.Segmentation ? Scenes.ClassCount : 1;
        var network = new DecoderNetwork<T>(variant, s.Batch, s.Size, classes, s.Width1, s.Width2, s.Seed, s.Options);
        var adam = new Adam<T>(network.Trainable, s.LearningRate);
        int pixels = s.Size * s.Size, batchPixels = s.Batch * pixels;
        var images = new T[batchPixels];
        var labels = new byte[batchPixels];
        var gradient = new T[network.OutputShape.ElementCount];
        var losses = new double[s.Steps];
        for (int step = 0; step < s.Steps; step++)
        {
            // The same images in the same order for every variant: batch k takes scenes k*B .. k*B + B - 1, cyclically.
            int first = (step * s.Batch) % train.Count;
            Batch(train, first, s.Batch, images, labels);
            ReadOnlySpan<T> output = network.Forward(images);
            losses[step] = Loss(task, output, images, labels, classes, pixels, gradient);
            network.ZeroGradients();
            network.Backward(gradient);
            adam.Step();
            progress?.Invoke(step + 1);
        }

        (double testLoss, double psnr, double accuracy, double iou, float[] kept) = Evaluate(task, network, test, s, classes, images, labels, gradient);
        int tail = Math.Max(1, s.Steps / 10);
        double final = s.Steps == 0 ? double.NaN : losses.AsSpan(s.Steps - Math.Min(tail, s.Steps)).ToArray().Average();
        return new TrainingResult(task, variant, network.ParameterCount, losses, final, testLoss, psnr, accuracy, iou, watch.Elapsed, kept);
    }

    private static double Loss<T>(TrainingTask task, ReadOnlySpan<T> output, ReadOnlySpan<T> images, ReadOnlySpan<byte> labels, int classes, int pixels, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        => task == TrainingTask.Reconstruction
            ? Losses.MeanSquared(output, images, gradient)
            : Losses.CrossEntropy(output, labels, classes, pixels, gradient);

    private static void Batch<T>(SceneSet set, int first, int count, Span<T> images, Span<byte> labels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pixels = set.Pixels;
        for (int i = 0; i < count; i++)
        {
            int scene = (first + i) % set.Count;
            ReadOnlySpan<float> source = set.Images.AsSpan(scene * pixels, pixels);
            for (int p = 0; p < pixels; p++)
            {
                images[(i * pixels) + p] = T.CreateTruncating(source[p]);
            }

            set.Labels.AsSpan(scene * pixels, pixels).CopyTo(labels.Slice(i * pixels, pixels));
        }
    }

    private static (double Loss, double Psnr, double Accuracy, double MeanIoU, float[] Kept) Evaluate<T>(
        TrainingTask task, DecoderNetwork<T> network, SceneSet test, TrainingSettings s, int classes, T[] images, byte[] labels, T[] gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int pixels = s.Size * s.Size, batches = test.Count / s.Batch;
        double loss = 0, squared = 0;
        long correct = 0, total = 0;
        var intersection = new long[classes];
        var union = new long[classes];
        var predicted = new byte[s.Batch * pixels];
        var kept = new float[Math.Min(KeptOutputs, test.Count) * pixels];
        for (int b = 0; b < batches; b++)
        {
            Batch(test, b * s.Batch, s.Batch, images, labels);
            ReadOnlySpan<T> output = network.Forward(images);
            loss += Loss(task, output, images, labels, classes, pixels, gradient);
            if (task == TrainingTask.Reconstruction)
            {
                for (int i = 0; i < output.Length; i++)
                {
                    double d = double.CreateTruncating(output[i] - images[i]);
                    squared += d * d;
                }
            }
            else
            {
                Losses.ArgMax(output, classes, pixels, predicted);
                for (int i = 0; i < predicted.Length; i++)
                {
                    (int p, int t) = (predicted[i], labels[i]);
                    correct += p == t ? 1 : 0;
                    intersection[t] += p == t ? 1 : 0;
                    union[t]++;
                    union[p] += p == t ? 0 : 1;
                }

                total += predicted.Length;
            }

            // The first held-out images: the reconstruction, or the predicted class as a gray level.
            for (int i = 0; i < s.Batch && (b * s.Batch) + i < KeptOutputs; i++)
            {
                for (int p = 0; p < pixels; p++)
                {
                    kept[(((b * s.Batch) + i) * pixels) + p] = task == TrainingTask.Reconstruction
                        ? float.CreateTruncating(output[(i * pixels) + p])
                        : predicted[(i * pixels) + p] / (float)(classes - 1);
                }
            }
        }

        double psnr = task == TrainingTask.Reconstruction ? 10 * Math.Log10(1 / (squared / ((double)batches * s.Batch * pixels))) : double.NaN;
        double accuracy = task == TrainingTask.Segmentation ? correct / (double)total : double.NaN;
        double iou = double.NaN;
        if (task == TrainingTask.Segmentation)
        {
            var present = Enumerable.Range(0, classes).Where(k => union[k] > 0).ToArray();
            iou = present.Average(k => intersection[k] / (double)union[k]);
        }

        return (loss / batches, psnr, accuracy, iou, kept);
    }
}
