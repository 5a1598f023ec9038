using Unpooling.Internal;

namespace Unpooling.Benchmarks.Limits;

/// <summary>
/// A limit row whose work splits into equal parts, one per thread, dispatched by the library's own
/// <c>ParallelRunner</c> so that the limit and the operator pay the same, allocation-free, thread hand-off. Each part's
/// result lands in a sink the caller can read, so the JIT cannot drop the work.
/// </summary>
public abstract class SplitLimit
{
    private readonly float[] _sink = new float[64];

    /// <summary>Does the work once on <paramref name="threads"/> threads (at most 64); returns part 0's result.</summary>
    public float Run(int threads)
    {
        var body = new PartBody { Owner = this, Parts = threads };
        ParallelRunner.Run(ref body, threads, threads);
        return _sink[0];
    }

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/> equal shares of the work.</summary>
    protected abstract float Part(int part, int parts);

    private struct PartBody : IParallelBody
    {
        public SplitLimit Owner;
        public int Parts;

        public readonly void Invoke(int start, int end)
        {
            for (int part = start; part < end; part++)
            {
                Owner._sink[part] = Owner.Part(part, Parts);
            }
        }
    }
}
