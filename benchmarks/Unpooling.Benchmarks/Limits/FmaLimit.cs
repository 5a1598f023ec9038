using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Unpooling.Internal;

namespace Unpooling.Benchmarks.Limits;

/// <summary>
/// The "limit" row of a convolution: the time the machine's fused multiply-add peak needs for the operation's
/// multiply-adds. It executes exactly <c>ceil(multiplyAdds / lanes)</c> vector multiply-adds (<c>ISimd.MultiplyAdd</c>,
/// as the GEMM does: fused FMAs on every CPU these rows are meant for) on the widest accelerated float
/// vector (512, else 256, else 128 bits), as twelve independent accumulator chains (more than latency x throughput
/// on any current x86 core), with no loads or stores in the loop, so its time is the FMA peak's time for the work.
/// </summary>
/// <remarks>With several threads each runs an equal share (<see cref="SplitLimit"/>).
/// GFLOP/s of this row = <c>2 * multiplyAdds / time</c> is the measured FMA peak.</remarks>
public sealed class FmaLimit : SplitLimit
{
    private const int ChainCount = 12;

    /// <summary>Prepares the row for an operation of <paramref name="multiplyAdds"/> scalar multiply-adds.</summary>
    public FmaLimit(long multiplyAdds)
    {
        MultiplyAdds = multiplyAdds;
        Lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256.IsHardwareAccelerated ? Vector256<float>.Count : Vector128<float>.Count;
    }

    /// <summary>Scalar multiply-adds per run.</summary>
    public long MultiplyAdds { get; }

    /// <summary>Float lanes per vector FMA.</summary>
    public int Lanes { get; }

    /// <inheritdoc/>
    protected override float Part(int part, int parts)
    {
        long vectors = (MultiplyAdds + Lanes - 1) / Lanes;
        long share = vectors / parts;
        long mine = part == parts - 1 ? vectors - (share * (parts - 1)) : share;
        long rounds = mine / ChainCount;
        return Lanes switch
        {
            16 => Chains<Simd512<float>, Vector512<float>>(rounds),
            8 => Chains<Simd256<float>, Vector256<float>>(rounds),
            _ => Chains<Simd128<float>, Vector128<float>>(rounds),
        };
    }

    // Written once over the library's ISimd width abstraction, so it is the same loop as the kernels' widths.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static unsafe float Chains<TSimd, TVector>(long rounds)
        where TSimd : struct, ISimd<TSimd, TVector, float>
        where TVector : struct
    {
        TVector m = TSimd.Create(0.999f), a = TSimd.Create(1e-3f);
        TVector c0 = TSimd.Create(1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        TVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long r = 0; r < rounds; r++)
        {
            c0 = TSimd.MultiplyAdd(c0, m, a);
            c1 = TSimd.MultiplyAdd(c1, m, a);
            c2 = TSimd.MultiplyAdd(c2, m, a);
            c3 = TSimd.MultiplyAdd(c3, m, a);
            c4 = TSimd.MultiplyAdd(c4, m, a);
            c5 = TSimd.MultiplyAdd(c5, m, a);
            c6 = TSimd.MultiplyAdd(c6, m, a);
            c7 = TSimd.MultiplyAdd(c7, m, a);
            c8 = TSimd.MultiplyAdd(c8, m, a);
            c9 = TSimd.MultiplyAdd(c9, m, a);
            c10 = TSimd.MultiplyAdd(c10, m, a);
            c11 = TSimd.MultiplyAdd(c11, m, a);
        }

        TVector sum = TSimd.Add(TSimd.Add(TSimd.Add(TSimd.Add(c0, c1), TSimd.Add(c2, c3)), TSimd.Add(TSimd.Add(c4, c5), TSimd.Add(c6, c7))), TSimd.Add(TSimd.Add(c8, c9), TSimd.Add(c10, c11)));
        float* lanes = stackalloc float[TSimd.Count];
        TSimd.Store(sum, lanes);
        return lanes[0];
    }
}
