using System.Numerics.Tensors;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// README's usage example is the region between the markers below, compiled here; a second test proves README
/// still shows exactly this code, so the example in README always compiles and runs.
/// </summary>
public class ReadmeExampleTests
{
    [Fact]
    public void ExampleRunsAndComputesWhatTheOraclesSay()
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

        // Other index conventions (ONNX, TensorFlow) and threading are optional arguments.
        int[] onnxIndices = new int[pooledShape.ElementCount];
        Functional.MaxPool2D(input, shape, pool, pooled, onnxIndices, IndexConvention.GlobalRowMajor,
            new ExecutionOptions { MaxDegreeOfParallelism = 1 });

        // Byte switches: the tap inside each 2x2 window, one byte per pooled cell instead of eight.
        byte[] taps = new byte[pooledShape.ElementCount];
        Functional.MaxPool2D(input, shape, pool, pooled, taps, IndexConvention.InWindow);
        float[] fromTaps = new float[shape.ElementCount];
        Functional.MaxUnpool2D(pooled, taps, pooledShape, pool, fromTaps, indexConvention: IndexConvention.InWindow);

        // The same with System.Numerics.Tensors types: the switches carry the geometry and the input size.
        Tensor<float> tensor = Tensor.Create(input, [2, 3, 8, 8]);
        (Tensor<float> values, Switches<long> switchesOfTensor) = Functional.MaxPool2D(tensor, pool);
        Tensor<float> unpooled = Functional.MaxUnpool2D(values, switchesOfTensor);

        // Other ranks and layouts: the shape says both. The same 384 floats as a 2x4x4x4 volume of 3 channels...
        var volume = new Shape5D(Batch: 2, Channels: 3, Depth: 4, Height: 4, Width: 4);
        float[] pooled3D = new float[48];
        long[] switches3D = new long[48];
        Functional.MaxPool3D(input, volume, new Pool3DGeometry(kernelSize: 2), pooled3D, switches3D);

        // ...or as channels-last images [N, H, W, C] (TensorFlow's NHWC, PyTorch's channels_last): same indices h*W + w.
        var nhwc = Shape4D.ChannelsLast(batch: 2, height: 8, width: 8, channels: 3);
        float[] pooledNhwc = new float[pooledShape.ElementCount];
        long[] switchesNhwc = new long[pooledShape.ElementCount];
        Functional.MaxPool2D(input, nhwc, pool, pooledNhwc, switchesNhwc);

        // ONNX auto_pad and TensorFlow SAME padding: kernel 3, stride 2 on 8x8 pads 0 before and 1 after, output 4x4.
        Pool2DGeometry same = new Pool2DGeometry(kernelSize: 3, stride: 2).WithOnnxAutoPad(shape.SpatialSize, OnnxAutoPad.SameUpper);
        // README-END

        // The oracles: 2x2 stride-2 max pooling of the 6 planes, the scatter and the fixed-position unpooling.
        var axis = new PoolAxis(2, 2, 0, 1);
        PoolResult<float> expected = MaxPool2DReference.Pool(input, 6, 8, 8, axis, axis, ceilMode: false);
        Assert.Equal(new Shape4D(2, 3, 4, 4), pooledShape);
        Assert.Equal((4, 4), (expected.OutH, expected.OutW));
        BitAssert.Equal<float>(expected.Values, pooled, "pooled values (after both span poolings)");
        BitAssert.IndicesEqual<long>(expected.Indices, switches, "per-plane switches");
        float[] expectedRestored = UnpoolReference.MaxUnpool(expected.Values, expected.Indices, 6, 4, 4, 8, 8, sum: false);
        BitAssert.Equal<float>(expectedRestored, restored, "argmax unpooling");
        BitAssert.Equal<float>(expectedRestored, fromTaps, "argmax unpooling from the byte switches");
        BitAssert.IndicesEqual<byte>(IndexConventionReference.InWindowFromPerPlane(expected.Indices, pooledShape, shape.SpatialSize, axis, axis), taps, "byte switches");
        Assert.Equal(pooled.Length, restored.Count(v => v != 0));
        BitAssert.Equal<float>(UnpoolReference.Fixed(expected.Values, 6, 4, 4, 2, 2, 0, 0, 8, 8), upperLeft, "upper-left unpooling");

        // ONNX's index of (n, c, h, w) is ((n*C + c)*H + h)*W + w: the per-plane index plus the plane's offset, plane * 64.
        for (int k = 0; k < onnxIndices.Length; k++)
        {
            Assert.Equal((k / 16 * 64) + expected.Indices[k], onnxIndices[k]);
        }

        BitAssert.IndicesEqual<int>(IndexConventionReference.FromPerPlane(expected.Indices, pooledShape, shape.SpatialSize, IndexConvention.GlobalRowMajor), onnxIndices, "ONNX indices");

        // The tensor results: the same values and switches, with the convention, geometry and input size they came from.
        Assert.Equal([2, 3, 4, 4], values.Lengths.ToArray());
        BitAssert.Equal<float>(expected.Values, values.ToArray(), "tensor values");
        BitAssert.IndicesEqual<long>(expected.Indices, switchesOfTensor.Indices.ToArray(), "tensor switches");
        Assert.Equal(IndexConvention.PerPlane, switchesOfTensor.Convention);
        Assert.Equal(pool, switchesOfTensor.Geometry);
        Assert.Equal(new Size2D(8, 8), switchesOfTensor.SourceSize);
        Assert.Equal(shape, switchesOfTensor.SourceShape);
        Assert.Equal([2, 3, 8, 8], unpooled.Lengths.ToArray());
        BitAssert.Equal<float>(expectedRestored, unpooled.ToArray(), "tensor argmax unpooling");

        // 3-D: the oracle of 2x2x2 stride-2 pooling over the 6 volumes.
        var axis3 = new Axis3(2, 2, 0, 0, 1);
        Pool3DResult<float> expected3D = Pool3DReference.Pool(input, 2, 3, 4, 4, 4, axis3, axis3, axis3, ceilMode: false)!;
        BitAssert.Equal<float>(expected3D.Values, pooled3D, "3-D pooled values");
        BitAssert.IndicesEqual<long>(Pool3DReference.Indices(expected3D, IndexConvention.PerPlane, 2, 3, 4, 4, 4, 2, 2), switches3D, "3-D switches");

        // Channels-last: the oracle run on the channels-first permutation of the same memory, permuted back.
        float[] nchw = new float[input.Length];
        for (int k = 0; k < input.Length; k++)
        {
            int c = k % 3, pixel = k / 3, n = pixel / 64, hw = pixel % 64;
            nchw[(((n * 3) + c) * 64) + hw] = input[k];
        }

        PoolResult<float> expectedNhwc = MaxPool2DReference.Pool(nchw, 6, 8, 8, axis, axis, ceilMode: false);
        for (int k = 0; k < pooledNhwc.Length; k++)
        {
            int c = k % 3, pixel = k / 3, n = pixel / 16, hw = pixel % 16;
            int first = (((n * 3) + c) * 16) + hw;
            Assert.Equal(BitConverter.SingleToInt32Bits(expectedNhwc.Values[first]), BitConverter.SingleToInt32Bits(pooledNhwc[k]));
            Assert.Equal(expectedNhwc.Indices[first], switchesNhwc[k]);
        }

        // SAME: o = ceil(8 / 2) = 4, total pad (4 - 1)*2 + 3 - 8 = 1, the odd cell at the end (SAME_UPPER).
        Assert.Equal((new Size2D(0, 0), new Size2D(1, 1)), (same.PaddingBegin, same.PaddingEnd));
        Assert.Equal(new Size2D(4, 4), same.GetOutputSize(shape.SpatialSize));
    }

    [Fact]
    public void ReadmeShowsTheCompiledExample() => AssertDocumentShowsRegion("README.md", "README");

    /// <summary>PACKAGE.md (the readme nuget.org shows) has its own short sample, compiled and checked here.</summary>
    [Fact]
    public void PackageSampleRunsAndUnpoolsToTheInputSize()
    {
        // PACKAGE-BEGIN
        Tensor<float> x = Tensor.Create(new float[2 * 3 * 8 * 8], [2, 3, 8, 8]);
        var pool = new Pool2DGeometry(kernelSize: 2);
        (Tensor<float> values, Switches<long> switches) = Functional.MaxPool2D(x, pool);
        Tensor<float> restored = Functional.MaxUnpool2D(values, switches); // back to 8x8, no output size needed
        Tensor<float> upperLeft = Functional.FixedUnpool2D(values, factor: 2);
        // PACKAGE-END

        // All zeros in: every window's first cell wins (ties keep the first), so every index is the window's origin.
        Assert.Equal([2, 3, 4, 4], values.Lengths.ToArray());
        long[] indices = switches.Indices.ToArray();
        for (int k = 0; k < indices.Length; k++)
        {
            int h = k / 4 % 4, w = k % 4;
            Assert.Equal((2 * h * 8) + (2 * w), indices[k]);
        }

        Assert.Equal([2, 3, 8, 8], restored.Lengths.ToArray());
        Assert.Equal([2, 3, 8, 8], upperLeft.Lengths.ToArray());
        Assert.All(restored.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(upperLeft.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void PackageReadmeShowsTheCompiledSample() => AssertDocumentShowsRegion(Path.Combine("src", "Unpooling", "PACKAGE.md"), "PACKAGE");

    /// <summary>The document contains the code between this file's <c>// {marker}-BEGIN</c> and <c>-END</c> lines as a C# block.</summary>
    private static void AssertDocumentShowsRegion(string document, string marker)
    {
        string root = FindRepositoryRoot();
        string[] source = File.ReadAllLines(Path.Combine(root, "tests", "Unpooling.Tests", "ReadmeExampleTests.cs"));
        int begin = Array.FindIndex(source, l => l.Trim() == $"// {marker}-BEGIN");
        int end = Array.FindIndex(source, l => l.Trim() == $"// {marker}-END");
        Assert.True(begin >= 0 && end > begin, $"markers {marker}-BEGIN/END not found");
        string[] compiled = source[(begin + 1)..end].Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()).ToArray();

        string text = File.ReadAllText(Path.Combine(root, document)).ReplaceLineEndings("\n");
        string block = "```csharp\nusing System.Numerics.Tensors;\nusing Unpooling;\n\n" + string.Join("\n", compiled) + "\n```";
        Assert.Contains(block, text, StringComparison.Ordinal);
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
