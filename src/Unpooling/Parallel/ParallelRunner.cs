using System.Runtime.ExceptionServices;

namespace Unpooling.Internal;

/// <summary>A unit of parallel work: processes items <c>[start, end)</c>. Implemented by kernel structs.</summary>
internal interface IParallelBody
{
    void Invoke(int start, int end);
}

/// <summary>
/// Splits <c>count</c> independent items (planes or rows) across cores without allocating in steady state: the
/// calling thread works too, helpers come from the thread pool, and the coordination object is pooled per body type.
/// Items are independent and each is computed by exactly one thread, so results never depend on the thread count.
/// The degree comes from <see cref="ExecutionOptions"/> (<c>ResolveDegree</c>).
/// </summary>
internal static class ParallelRunner
{
    /// <summary>Runs <paramref name="body"/> over <c>[0, count)</c> on up to <paramref name="degree"/> threads.</summary>
    public static void Run<TBody>(ref TBody body, int count, int degree)
        where TBody : struct, IParallelBody
    {
        if (count <= 0)
        {
            return;
        }

        if (degree <= 1 || count == 1)
        {
            body.Invoke(0, count);
            return;
        }

        Runner<TBody>.Run(ref body, count, degree);
    }

    private sealed class Runner<TBody> : IThreadPoolWorkItem
        where TBody : struct, IParallelBody
    {
        private static Runner<TBody>? s_cached;

        private TBody _body;
        private int _count;
        private int _chunkSize;
        private int _chunks;
        private int _next;
        private int _done;
        private int _references;
        private Exception? _failure;

        public static void Run(ref TBody body, int count, int degree)
        {
            Runner<TBody> runner = Interlocked.Exchange(ref s_cached, null) ?? new Runner<TBody>();
            int chunks = Math.Min(count, degree * 4);
            runner._body = body;
            runner._count = count;
            runner._chunkSize = (count + chunks - 1) / chunks;
            runner._chunks = (count + runner._chunkSize - 1) / runner._chunkSize;
            runner._next = 0;
            runner._done = 0;
            runner._failure = null;
            int helpers = Math.Min(degree, runner._chunks) - 1;
            runner._references = helpers + 1;
            for (int i = 0; i < helpers; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(runner, preferLocal: false);
            }

            runner.Work();

            // Helpers that claimed a chunk finish it; ones that start late find nothing and only drop their reference.
            SpinWait spinner = default;
            while (Volatile.Read(ref runner._done) < runner._chunks)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }

            // A body that throws (an element type whose arithmetic is checked, decimal's overflow) must neither crash
            // the process from a pool thread nor return while helpers still write through the caller's pinned
            // pointers: every chunk has finished by now, and the first failure is rethrown on the calling thread.
            Exception? failure = runner._failure;
            runner.Release();
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
        }

        public void Execute()
        {
            Work();
            Release();
        }

        private void Work()
        {
            while (true)
            {
                int chunk = Interlocked.Increment(ref _next) - 1;
                if (chunk >= _chunks)
                {
                    return;
                }

                int start = chunk * _chunkSize;
                try
                {
                    _body.Invoke(start, Math.Min(_count, start + _chunkSize));
                }
#pragma warning disable CA1031 // Any exception: it is rethrown on the calling thread once every chunk has finished.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                }
                finally
                {
                    Interlocked.Increment(ref _done);
                }
            }
        }

        private void Release()
        {
            // The last holder returns the runner to the cache, so a late helper never sees a reused runner.
            if (Interlocked.Decrement(ref _references) == 0)
            {
                _body = default;
                _failure = null;
                Volatile.Write(ref s_cached, this);
            }
        }
    }
}
