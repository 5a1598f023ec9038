using Microsoft.ML.OnnxRuntime;
using Unpooling.Peers.Onnx;

namespace Unpooling.Benchmarks.Peers;

/// <summary>
/// One ONNX Runtime session with its inputs and outputs bound to the benchmark's own arrays (no copies, no output
/// allocation per run), so the timed call is <c>InferenceSession.Run</c> alone, as a serving loop would call it.
/// </summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly OrtValue[] _inputs;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _outputs;

    public OrtRunner(byte[] model, int threads, (string Name, OrtValue Value)[] inputs, (string Name, OrtValue Value)[] outputs)
    {
        _session = OnnxPeer.CreateSession(model, threads);
        _inputNames = [.. inputs.Select(i => i.Name)];
        _inputs = [.. inputs.Select(i => i.Value)];
        _outputNames = [.. outputs.Select(o => o.Name)];
        _outputs = [.. outputs.Select(o => o.Value)];
    }

    /// <summary>Wraps an array as an ONNX Runtime tensor without copying (the array stays pinned until disposal).</summary>
    public static OrtValue Bind<T>(T[] data, params long[] shape)
        where T : unmanaged
        => OrtValue.CreateTensorValueFromMemory(data, shape);

    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    public void Dispose()
    {
        foreach (OrtValue value in _inputs.Concat(_outputs))
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }
}
