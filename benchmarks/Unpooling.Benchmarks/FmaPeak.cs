using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Unpooling.Benchmarks;

/// <summary>
/// The machine's single-precision fused multiply-add peak, measured rather than taken from a data sheet: a loop of
/// <see cref="Chains"/> independent FMA chains on the widest hardware vector, nothing else in flight. It is the
/// "limit" a GEMM-shaped kernel is compared with (GFLOP/s = 2 * multiply-adds / time).
/// </summary>
/// <remarks>
/// <para>Twelve chains cover an FMA latency of 4 cycles at up to 3 issues per cycle, so the loop is bound by FMA
/// throughput alone. Checked on the Zen 4 machine of RESULTS-conv.md (two 256-bit FMA pipes, so one 512-bit or two
/// 256-bit FMAs per cycle): 4, 8 and 12 chains of 512-bit FMAs and 12 chains of 256-bit FMAs all give 117 GFLOP/s per
/// core (32 flops per cycle at about 3.66 GHz). Each chain is <c>acc = acc * m + a</c> with <c>m</c> just below one, so
/// the values converge to a normal number instead of overflowing or going subnormal (either could change the
/// timing).</para>
/// <para>Use <see cref="Run(long, int)"/> as a benchmark body (it does a given amount of work, e.g. the multiply-adds of
/// a convolution case, at the peak rate) and <see cref="MeasureGflops(int, int)"/> for a one-off figure.</para>
/// </remarks>
public static class FmaPeak
{
    /// <summary>Independent accumulator chains per thread (AVX-512 has 32 registers; 12 is well past latency x throughput).</summary>
    public const int Chains = 12;

    /// <summary>Float lanes per FMA at the widest hardware width (16 with AVX-512, 8 with AVX2, 4 otherwise).</summary>
    public static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
        : Vector128<float>.Count;

    /// <summary>
    /// Performs at least <paramref name="multiplyAdds"/> float multiply-adds (rounded up to whole loop steps of
    /// <see cref="Chains"/> * <see cref="Lanes"/>) split evenly over <paramref name="threads"/> threads (the caller is
    /// one of them), and returns a value that depends on every result so the work cannot be optimised away.
    /// </summary>
    /// <param name="multiplyAdds">The total work, in scalar multiply-adds.</param>
    /// <param name="threads">Threads to spread it over; 1 runs on the calling thread only.</param>
    /// <returns>A checksum of the accumulators.</returns>
    public static float Run(long multiplyAdds, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(multiplyAdds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        long perStep = (long)Chains * Lanes;
        long steps = (multiplyAdds + perStep - 1) / perStep;
        if (threads == 1)
        {
            return Loop(steps);
        }

        float[] sums = new float[threads];
        long share = (steps + threads - 1) / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = Loop(share));
        return sums.Sum();
    }

    /// <summary>
    /// Measures the peak in GFLOP/s (two flops per multiply-add) on <paramref name="threads"/> threads started together
    /// on dedicated threads: the best of several timed rounds of about <paramref name="milliseconds"/> each, so a round
    /// that shared its core with another process does not count against the machine.
    /// </summary>
    /// <param name="threads">Threads running the loop at the same time.</param>
    /// <param name="milliseconds">Approximate length of one timed round.</param>
    /// <returns>The total rate of all threads, in GFLOP/s.</returns>
    public static double MeasureGflops(int threads, int milliseconds = 200)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(milliseconds);

        // Calibrate the per-thread step count on one thread (this also gets the loop past tier-0).
        long steps = 1 << 16;
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            Loop(steps);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (ms >= milliseconds / 4.0)
            {
                steps = (long)(steps * milliseconds / ms);
                break;
            }

            steps *= 4;
        }

        double best = 0;
        for (int round = 0; round < 5; round++)
        {
            using var barrier = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() =>
                {
                    barrier.SignalAndWait();
                    Loop(steps);
                }) { IsBackground = true };
                workers[t].Start();
            }

            barrier.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, 2.0 * steps * Chains * Lanes * threads / seconds / 1e9);
        }

        return best;
    }

    /// <summary><paramref name="steps"/> rounds of <see cref="Chains"/> independent FMAs at the widest width.</summary>
    private static float Loop(long steps)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return Loop<Width512, Vector512<float>>(steps);
        }

        return Vector256.IsHardwareAccelerated ? Loop<Width256, Vector256<float>>(steps) : Loop<Width128, Vector128<float>>(steps);
    }

    /// <summary>The loop, written once; each width's members inline to single instructions.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TWidth, TVector>(long steps)
        where TWidth : struct, IWidth<TVector>
        where TVector : struct
    {
        TVector m = TWidth.Create(0.999999f), a = TWidth.Create(1e-6f);
        TVector c0 = TWidth.Create(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        TVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < steps; i++)
        {
            c0 = TWidth.Fma(c0, m, a); c1 = TWidth.Fma(c1, m, a); c2 = TWidth.Fma(c2, m, a);
            c3 = TWidth.Fma(c3, m, a); c4 = TWidth.Fma(c4, m, a); c5 = TWidth.Fma(c5, m, a);
            c6 = TWidth.Fma(c6, m, a); c7 = TWidth.Fma(c7, m, a); c8 = TWidth.Fma(c8, m, a);
            c9 = TWidth.Fma(c9, m, a); c10 = TWidth.Fma(c10, m, a); c11 = TWidth.Fma(c11, m, a);
        }

        TVector s = TWidth.Add(TWidth.Add(TWidth.Add(c0, c1), TWidth.Add(c2, c3)), TWidth.Add(TWidth.Add(c4, c5), TWidth.Add(c6, c7)));
        return TWidth.Sum(TWidth.Add(s, TWidth.Add(TWidth.Add(c8, c9), TWidth.Add(c10, c11))));
    }

    /// <summary>One vector width of float, as static members the loop is generic over.</summary>
    private interface IWidth<TVector>
        where TVector : struct
    {
        static abstract TVector Create(float value);

        static abstract TVector Fma(TVector a, TVector b, TVector c);

        static abstract TVector Add(TVector a, TVector b);

        static abstract float Sum(TVector value);
    }

    private readonly struct Width512 : IWidth<Vector512<float>>
    {
        public static Vector512<float> Create(float value) => Vector512.Create(value);

        public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        public static float Sum(Vector512<float> value) => Vector512.Sum(value);
    }

    private readonly struct Width256 : IWidth<Vector256<float>>
    {
        public static Vector256<float> Create(float value) => Vector256.Create(value);

        public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        public static float Sum(Vector256<float> value) => Vector256.Sum(value);
    }

    private readonly struct Width128 : IWidth<Vector128<float>>
    {
        public static Vector128<float> Create(float value) => Vector128.Create(value);

        public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

        public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

        public static float Sum(Vector128<float> value) => Vector128.Sum(value);
    }
}
