using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Unpooling.Peers.Onnx;

namespace Unpooling.Conformance.Infrastructure;

/// <summary>One graph input for <see cref="OrtOps.Run"/>: its name, element data and dimensions.</summary>
internal sealed record OrtInput(string Name, Array Data, long[] Shape);

/// <summary>Runs single-node ONNX models built with <see cref="OnnxModelBuilder"/> in ONNX Runtime, one intra-op thread.</summary>
internal static class OrtOps
{
    /// <summary>The ONNX element type matching <typeparamref name="T"/>.</summary>
    public static OnnxElementType Type<T>() => typeof(T) == typeof(float) ? OnnxElementType.Float : OnnxElementType.Double;

    /// <summary>
    /// Runs <paramref name="model"/> on <paramref name="inputs"/> and returns each named output's elements (as
    /// <c>float[]</c>, <c>double[]</c> or <c>long[]</c>) with its dimensions. A session costs a few milliseconds, so
    /// each case builds its own.
    /// </summary>
    public static (Array Data, long[] Shape)[] Run(byte[] model, OrtInput[] inputs, params string[] outputs)
    {
        using InferenceSession session = OnnxPeer.CreateSession(model, threads: 1);
        var values = new List<OrtValue>();
        try
        {
            foreach (OrtInput input in inputs)
            {
                values.Add(input.Data switch
                {
                    float[] f => OrtValue.CreateTensorValueFromMemory(f, input.Shape),
                    double[] d => OrtValue.CreateTensorValueFromMemory(d, input.Shape),
                    long[] l => OrtValue.CreateTensorValueFromMemory(l, input.Shape),
                    _ => throw new NotSupportedException(input.Data.GetType().Name),
                });
            }

            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, outputs);
            return results.Select(Copy).ToArray();
        }
        finally
        {
            foreach (OrtValue value in values)
            {
                value.Dispose();
            }
        }
    }

    private static (Array Data, long[] Shape) Copy(OrtValue value)
    {
        OrtTensorTypeAndShapeInfo info = value.GetTensorTypeAndShape();
        Array data = info.ElementDataType switch
        {
            TensorElementType.Float => value.GetTensorDataAsSpan<float>().ToArray(),
            TensorElementType.Double => value.GetTensorDataAsSpan<double>().ToArray(),
            TensorElementType.Int64 => value.GetTensorDataAsSpan<long>().ToArray(),
            var other => throw new NotSupportedException(other.ToString()),
        };
        return (data, info.Shape);
    }

    /// <summary>ONNX's <c>TensorProto.DataType</c> UINT8 (the peers' enum lists only the types the other suites use).</summary>
    public const OnnxElementType UInt8Type = (OnnxElementType)2;

    /// <summary>
    /// <see cref="Run"/> for one <c>uint8</c> input: returns each named output's elements (<c>byte[]</c> for uint8,
    /// <c>long[]</c> for int64) with its dimensions.
    /// </summary>
    public static (Array Data, long[] Shape)[] RunBytes(byte[] model, string inputName, byte[] input, long[] shape, params string[] outputs)
    {
        using InferenceSession session = OnnxPeer.CreateSession(model, threads: 1);
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, [inputName], [value], outputs);
        return results.Select(r =>
        {
            OrtTensorTypeAndShapeInfo info = r.GetTensorTypeAndShape();
            Array data = info.ElementDataType == TensorElementType.UInt8 ? r.GetTensorDataAsSpan<byte>().ToArray() : r.GetTensorDataAsSpan<long>().ToArray();
            return (data, info.Shape);
        }).ToArray();
    }
}
