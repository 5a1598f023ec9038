using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Unpooling.Peers;
using static TorchSharp.torch;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Unpooling.Conformance;

/// <summary>
/// README's zero-copy interop examples, compiled and run here: the library pools and unpools the memory of an ONNX
/// Runtime <c>OrtValue</c> and of TorchSharp tensors in place, through spans over their buffers. Each result is checked
/// against libtorch's own <c>max_pool2d_with_indices</c> / <c>max_unpool2d</c> on the same data, and a second test
/// proves README shows exactly the code between the markers.
/// </summary>
public sealed class InteropExampleTests
{
    [Fact]
    public void OrtValueMemoryIsPooledInPlace()
    {
        float[] data = [.. Enumerable.Range(0, 2 * 3 * 8 * 8).Select(i => MathF.Sin(i * 0.37f))];

        // ORT-BEGIN
        // An OrtValue over a managed buffer (or a session's output): its data is a span, pooled in place.
        var shape = new Shape4D(2, 3, 8, 8);
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(data, [2, 3, 8, 8]);
        ReadOnlySpan<float> source = input.GetTensorDataAsSpan<float>();

        var pool = new Pool2DGeometry(kernelSize: 2);
        Shape4D pooledShape = Functional.GetMaxPool2DOutputShape(shape, pool);
        using var pooled = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [2, 3, 4, 4]);
        long[] switches = new long[pooledShape.ElementCount];
        Functional.MaxPool2D(source, shape, pool, pooled.GetTensorMutableDataAsSpan<float>(), switches);
        // ORT-END

        TorchPeer.Use(1);
        using TorchTensor x = tensor(data, [2, 3, 8, 8]);
        (TorchTensor values, TorchTensor indices) = nn.functional.max_pool2d_with_indices(x, [2, 2]);
        using (values)
        using (indices)
        {
            Assert.Equal(values.data<float>().ToArray(), pooled.GetTensorDataAsSpan<float>().ToArray());
            Assert.Equal(indices.data<long>().ToArray(), switches);
        }
    }

    [Fact]
    public void TorchSharpTensorsArePooledAndUnpooledInPlace()
    {
        TorchPeer.Use(1);

        // TORCH-BEGIN
        // A contiguous CPU TorchSharp tensor's storage is a span of bytes: read and write it as floats, no copy.
        using TorchTensor images = rand(2, 3, 8, 8);
        var shape = new Shape4D(2, 3, 8, 8);
        var pool = new Pool2DGeometry(kernelSize: 2);
        using TorchTensor pooled = empty(2, 3, 4, 4);
        using TorchTensor switches = empty([2, 3, 4, 4], ScalarType.Int64);
        Functional.MaxPool2D(
            MemoryMarshal.Cast<byte, float>(images.bytes), shape, pool,
            MemoryMarshal.Cast<byte, float>(pooled.bytes), MemoryMarshal.Cast<byte, long>(switches.bytes));

        // The switches are PyTorch's own indices, so libtorch's max_unpool2d and ours agree on them.
        using TorchTensor restored = zeros(2, 3, 8, 8);
        Functional.MaxUnpool2D(
            MemoryMarshal.Cast<byte, float>(pooled.bytes), MemoryMarshal.Cast<byte, long>(switches.bytes),
            new Shape4D(2, 3, 4, 4), pool, MemoryMarshal.Cast<byte, float>(restored.bytes));
        // TORCH-END

        (TorchTensor values, TorchTensor indices) = nn.functional.max_pool2d_with_indices(images, [2, 2]);
        using (values)
        using (indices)
        using (TorchTensor unpooled = nn.functional.max_unpool2d(values, indices, [2, 2], [2, 2], [0, 0], [2, 3, 8, 8]))
        {
            Assert.Equal(values.data<float>().ToArray(), pooled.data<float>().ToArray());
            Assert.Equal(indices.data<long>().ToArray(), switches.data<long>().ToArray());
            Assert.Equal(unpooled.data<float>().ToArray(), restored.data<float>().ToArray());
        }
    }

    [Theory]
    [InlineData("ORT")]
    [InlineData("TORCH")]
    public void ReadmeShowsTheCompiledInteropExamples(string marker)
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Unpooling.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Unpooling.sln not found");
        }

        string[] source = File.ReadAllLines(Path.Combine(root, "tests", "Unpooling.Conformance", "InteropExampleTests.cs"));
        int begin = Array.FindIndex(source, l => l.Trim() == $"// {marker}-BEGIN");
        int end = Array.FindIndex(source, l => l.Trim() == $"// {marker}-END");
        Assert.True(begin >= 0 && end > begin, $"markers {marker}-BEGIN/END not found");
        string code = string.Join("\n", source[(begin + 1)..end].Select(l => l.Length >= 8 ? l[8..] : l.TrimStart()));
        string readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        Assert.Contains("```csharp\n" + code + "\n```", readme, StringComparison.Ordinal);
    }
}
