using Microsoft.ML.OnnxRuntime;

namespace Unpooling.Peers.Onnx;

/// <summary>ONNX Runtime sessions configured the way the comparisons need them.</summary>
public static class OnnxPeer
{
    /// <summary>
    /// Creates a CPU session for a model built with <see cref="OnnxModelBuilder"/>, running its operators on exactly
    /// <paramref name="threads"/> intra-op threads (ONNX Runtime's own pool, with spinning off so an idle pool does not
    /// steal the core the next benchmark row needs), sequential execution and all graph optimizations.
    /// </summary>
    /// <param name="model">The serialized model.</param>
    /// <param name="threads">Intra-op threads, &gt;= 1.</param>
    /// <returns>The session; the caller disposes it.</returns>
    public static InferenceSession CreateSession(byte[] model, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new InferenceSession(model, options);
    }
}
