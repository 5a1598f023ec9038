using Unpooling.Demo.Training;

namespace Unpooling.Demo.Tests;

/// <summary>
/// The experiment's training loop: every variant learns (its loss falls in a few steps on tiny scenes), the gradient
/// of the whole network equals central finite differences in double precision, and the same seed gives the same bits
/// on one thread and on two.
/// </summary>
public sealed class TrainingTests
{
    public static TheoryData<Upsampling, TrainingTask> Variants()
    {
        var data = new TheoryData<Upsampling, TrainingTask>();
        foreach (Upsampling u in Enum.GetValues<Upsampling>())
        {
            data.Add(u, TrainingTask.Reconstruction);
            data.Add(u, TrainingTask.Segmentation);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryVariantsLossFalls(Upsampling variant, TrainingTask task)
    {
        var settings = new TrainingSettings(Steps: 40, Batch: 4, Size: 16, Width1: 4, Width2: 8, LearningRate: 1e-2, Seed: 3, TrainImages: 8, TestImages: 4);
        SceneSet train = Scenes.Generate(settings.TrainImages, settings.Size, 11), test = Scenes.Generate(settings.TestImages, settings.Size, 12);
        TrainingResult result = Trainer.Train<float>(task, variant, settings, train, test);
        double first = result.Losses.Take(4).Average(), last = result.Losses.TakeLast(4).Average();
        Assert.True(last < 0.8 * first, $"{variant} {task}: loss {first:G4} -> {last:G4}");
        Assert.True(double.IsFinite(result.TestLoss));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void TheNetworksGradientIsTheFiniteDifference(Upsampling variant, TrainingTask task)
    {
        // A tiny network in double: batch 2 of 8x8 scenes, widths 2 and 3. The loss's derivative by every 7th weight and
        // every bias, analytic (the backward pass) against the central difference with h = 1e-6.
        const int Batch = 2, Size = 8;
        int classes = task == TrainingTask.Segmentation ? Scenes.ClassCount : 1;
        SceneSet scenes = Scenes.Generate(Batch, Size, 21);
        double[] images = scenes.Images.Select(v => (double)v).ToArray();
        var network = new DecoderNetwork<double>(variant, Batch, Size, classes, 2, 3, 5, ExecutionOptions.SingleThreaded);
        var gradient = new double[network.OutputShape.ElementCount];
        double Loss()
        {
            ReadOnlySpan<double> output = network.Forward(images);
            var scratch = new double[gradient.Length];
            return task == TrainingTask.Reconstruction
                ? Losses.MeanSquared(output, images, scratch)
                : Losses.CrossEntropy(output, scenes.Labels, classes, Size * Size, scratch);
        }

        ReadOnlySpan<double> y = network.Forward(images);
        if (task == TrainingTask.Reconstruction)
        {
            Losses.MeanSquared(y, images, gradient);
        }
        else
        {
            Losses.CrossEntropy(y, scenes.Labels, classes, Size * Size, gradient);
        }

        network.ZeroGradients();
        network.Backward(gradient);
        int checkedCount = 0;
        foreach (ITrainable<double> layer in network.Trainable)
        {
            double[] analyticWeights = layer.WeightGradient.ToArray(), analyticBias = layer.BiasGradient.ToArray();
            for (int i = 0; i < analyticWeights.Length; i += 7)
            {
                Check(layer, weight: true, i, analyticWeights[i]);
            }

            for (int i = 0; i < analyticBias.Length; i++)
            {
                Check(layer, weight: false, i, analyticBias[i]);
            }
        }

        Assert.True(checkedCount > 10);

        void Check(ITrainable<double> layer, bool weight, int i, double analytic)
        {
            const double H = 1e-6;
            double saved = (weight ? layer.Weight : layer.Bias)[i];
            (weight ? layer.Weight : layer.Bias)[i] = saved + H;
            double plus = Loss();
            (weight ? layer.Weight : layer.Bias)[i] = saved - H;
            double minus = Loss();
            (weight ? layer.Weight : layer.Bias)[i] = saved;
            double numeric = (plus - minus) / (2 * H);
            Assert.True(
                Math.Abs(numeric - analytic) <= 1e-6 + (1e-4 * Math.Abs(numeric)),
                $"{variant} {task} {(weight ? "weight" : "bias")}[{i}]: backward {analytic:G10}, finite difference {numeric:G10}");
            checkedCount++;
        }
    }

    [Theory]
    [InlineData(Upsampling.Switches)]
    [InlineData(Upsampling.Learned)]
    [InlineData(Upsampling.Random)]
    public void OneAndTwoThreadsTrainToTheSameBits(Upsampling variant)
    {
        // Large enough (batch 8 of 32x32, widths 16/32) that the operators split the work across two threads.
        SceneSet train = Scenes.Generate(16, 32, 31), test = Scenes.Generate(8, 32, 32);
        TrainingResult Run(int threads) => Trainer.Train<float>(
            TrainingTask.Segmentation, variant,
            new TrainingSettings(Steps: 4, TrainImages: 16, TestImages: 8, Options: new ExecutionOptions { MaxDegreeOfParallelism = threads, MinParallelElements = 0 }),
            train, test);
        TrainingResult one = Run(1), two = Run(2);
        Assert.Equal(one.Losses, two.Losses);
        Assert.Equal(one.Outputs, two.Outputs);
        Assert.Equal(one.TestLoss, two.TestLoss);
    }

    [Fact]
    public void ScenesFollowTheirSeedAndLabelEveryClass()
    {
        SceneSet a = Scenes.Generate(32, 32, 7), b = Scenes.Generate(32, 32, 7), c = Scenes.Generate(32, 32, 8);
        Assert.Equal(a.Images, b.Images);
        Assert.Equal(a.Labels, b.Labels);
        Assert.NotEqual(a.Images, c.Images);
        Assert.All(a.Images, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(Enumerable.Range(0, Scenes.ClassCount).Select(k => (byte)k), a.Labels.Distinct().Order());
    }
}
