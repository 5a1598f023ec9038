using System.Numerics.Tensors;

namespace Unpooling.Tests;

/// <summary>
/// README's usage example is the region between the markers below, compiled here; a second test proves README
/// still shows exactly this code, so the example in README always compiles and runs.
/// </summary>
public class ReadmeExampleTests
{
    [Fact]
    public void ExampleRunsAndRestoresEveryMaximum()
    {
        // README-BEGIN
        // A batch of 2 three-channel 8x8 images, channels-first [N, C, H, W], dense row-major.
        var shape = new Shape4D(Batch: 2, Channels: 3, Height: 8, Width: 8);
        float[] input = new float[shape.ElementCount];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = MathF.Sin(i * 0.37f);
        }

        // 2x2 max pooling that also records where each maximum came from (the "switches").
        var pool = new Pool2DGeometry(kernelSize: 2);
        Shape4D pooledShape = shape.WithSpatialSize(pool.GetOutputSize(shape.SpatialSize)); // [2, 3, 4, 4]
        float[] pooled = new float[pooledShape.ElementCount];
        long[] switches = new long[pooledShape.ElementCount];
        Functional.MaxPool2D(input, shape, pool, pooled, switches);

        // Argmax unpooling (SegNet, PyTorch MaxUnpool2d): each maximum goes back where it came from, zeros elsewhere.
        float[] restored = new float[shape.ElementCount];
        Functional.MaxUnpool2D(pooled, switches, pooledShape, pool, restored);

        // Fixed-position unpooling (Dosovitskiy et al.): each value to the upper-left corner of its 2x2 block.
        float[] upperLeft = new float[shape.ElementCount];
        Functional.FixedUnpool2D(pooled, pooledShape, factor: 2, upperLeft);

        // The same with System.Numerics.Tensors types: new tensors back, no reshaping code.
        Tensor<float> tensor = Tensor.Create(input, [2, 3, 8, 8]);
        (Tensor<float> values, Tensor<long> indices) = Functional.MaxPool2D(tensor, pool);
        Tensor<float> unpooled = Functional.MaxUnpool2D(values, indices, pool);
        // README-END

        // Every pooled value is back at its switch position, in the array and in the tensor result.
        for (int k = 0; k < pooled.Length; k++)
        {
            int plane = k / 16;
            long at = (plane * 64) + switches[k];
            Assert.Equal(input[at], restored[at]);
            Assert.Equal(input[at], unpooled.GetSpan([0, 0, 0, 0], 2 * 3 * 8 * 8)[(int)at]);
            Assert.Equal(pooled[k], upperLeft[(plane * 64) + ((k % 16 / 4) * 2 * 8) + (k % 4 * 2)]);
        }

        Assert.Equal(pooled.Length, restored.Count(v => v != 0));
        Assert.Equal(pooled, values.GetSpan([0, 0, 0, 0], pooled.Length).ToArray());
    }

    [Fact]
    public void ReadmeShowsTheCompiledExample()
    {
        string root = FindRepositoryRoot();
        string[] source = File.ReadAllLines(Path.Combine(root, "tests", "Unpooling.Tests", "ReadmeExampleTests.cs"));
        int begin = Array.FindIndex(source, l => l.Trim() == "// README-BEGIN");
        int end = Array.FindIndex(source, l => l.Trim() == "// README-END");
        string[] compiled = source[(begin + 1)..end].Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()).ToArray();

        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        string block = "```csharp\nusing System.Numerics.Tensors;\nusing Unpooling;\n\n" + string.Join("\n", compiled) + "\n```";
        Assert.Contains(block, readme, StringComparison.Ordinal);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Unpooling.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Unpooling.sln not found above " + AppContext.BaseDirectory);
    }
}
