using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// The span forms promise no allocation. Measured on the calling thread with one core (the thread pool's own
/// bookkeeping is not ours to count); the benchmarks' MemoryDiagnoser shows the same at all cores. Each options value
/// runs the same calls: the default, <see cref="ExecutionOptions.SingleThreaded"/>, and one with the threshold at 0
/// (so the degree is resolved against every call's size, not short-cut by it).
/// </summary>
public class AllocationTests
{
    public static TheoryData<string> Options => new("default", "single-threaded", "one thread, threshold 0");

    [Theory]
    [MemberData(nameof(Options))]
    public void SpanFormsAllocateNothingInSteadyState(string name)
    {
        ExecutionOptions options = name switch
        {
            "default" => default,
            "single-threaded" => ExecutionOptions.SingleThreaded,
            _ => new ExecutionOptions { MaxDegreeOfParallelism = 1, MinParallelElements = 0 },
        };
        Assert.Equal(name == "default", options == ExecutionOptions.Default);
        var shape = new Shape4D(2, 3, 16, 20);
        var pooledShape = new Shape4D(2, 3, 8, 10);
        var insertedShape = new Shape4D(2, 3, 15, 19);
        var k2 = new Pool2DGeometry(2);
        var k3 = new Pool2DGeometry(3, stride: 2, padding: 1);
        float[] x = new float[shape.ElementCount];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i * 7919 % 101) - 50;
        }

        double[] xd = x.Select(v => (double)v).ToArray();
        float[] pooled = new float[pooledShape.ElementCount];
        double[] pooledd = new double[pooledShape.ElementCount];
        long[] indices = new long[pooledShape.ElementCount];
        int[] narrow = new int[pooledShape.ElementCount];
        float[] restored = new float[shape.ElementCount];
        double[] restoredd = new double[shape.ElementCount];
        float[] inserted = new float[insertedShape.ElementCount];
        long[] converted = new long[pooledShape.ElementCount];
        long[] crossPlane = new long[pooledShape.ElementCount];
        for (int i = 0; i < crossPlane.Length; i++)
        {
            crossPlane[i] = i * 37 % shape.ElementCount;
        }

        void Run()
        {
            Functional.MaxPool2D(x, shape, k2, pooled, indices, options: options);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k2, restored, options: options);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k2, restored, reduction: UnpoolReduction.Sum, options: options);
            Functional.MaxPool2D(xd, shape, k3, pooledd, narrow, options: options);
            Functional.MaxUnpool2D(pooledd, narrow, pooledShape, k3, restoredd, outputSize: new Size2D(16, 20), options: options);
            Functional.MaxPool2D(x, shape, k3, pooled, indices, options: options);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k3, restored, outputSize: new Size2D(16, 20), options: options);
            Functional.FixedUnpool2D(pooled, pooledShape, 2, restored, offset: new Size2D(1, 0), options: options);
            Functional.RepeatUnpool2D(pooled, pooledShape, 2, restored, options: options);
            Functional.RandomUnpool2D(pooled, pooledShape, 2, 42, restored, options: options);
            Functional.MaxPool2D(x, shape, k2, pooled, indices, IndexConvention.ChannelsLastWithBatch, options);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k2, restored, indexConvention: IndexConvention.ChannelsLastWithBatch, options: options);
            Functional.MaxUnpool2D(pooled, crossPlane, pooledShape, k2, restored, indexConvention: IndexConvention.GlobalRowMajor, options: options);
            Functional.ConvertIndices(indices, pooledShape, shape.SpatialSize, IndexConvention.ChannelsLastWithBatch, converted, IndexConvention.GlobalColumnMajor);
            Functional.ZeroInsert2D(pooled, pooledShape, 2, inserted, options);
            Functional.StridedSubsample2D(inserted, insertedShape, 2, pooled, options);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Run, 10));
    }
}
