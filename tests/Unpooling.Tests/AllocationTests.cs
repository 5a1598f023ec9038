namespace Unpooling.Tests;

/// <summary>
/// The span forms promise no allocation. Measured on the calling thread with one core (the thread pool's own
/// bookkeeping is not ours to count); the benchmarks' MemoryDiagnoser shows the same at all cores.
/// </summary>
public class AllocationTests
{
    [Fact]
    public void SpanFormsAllocateNothingInSteadyState()
    {
        var shape = new Shape4D(2, 3, 16, 20);
        var pooledShape = new Shape4D(2, 3, 8, 10);
        var k2 = new Pool2DGeometry(2);
        var k3 = new Pool2DGeometry(3, stride: 2, padding: 1);
        float[] x = new float[shape.ElementCount];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i * 7919 % 101) - 50;
        }

        float[] pooled = new float[pooledShape.ElementCount];
        long[] indices = new long[pooledShape.ElementCount];
        float[] restored = new float[shape.ElementCount];
        long[] converted = new long[pooledShape.ElementCount];
        long[] crossPlane = new long[pooledShape.ElementCount];
        for (int i = 0; i < crossPlane.Length; i++)
        {
            crossPlane[i] = i * 37 % shape.ElementCount;
        }

        void Run()
        {
            Functional.MaxPool2D(x, shape, k2, pooled, indices, 1);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k2, restored, maxDegreeOfParallelism: 1);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k2, restored, reduction: UnpoolReduction.Sum, maxDegreeOfParallelism: 1);
            Functional.MaxPool2D(x, shape, k3, pooled, indices, 1);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k3, restored, outputSize: new Size2D(16, 20), maxDegreeOfParallelism: 1);
            Functional.FixedUnpool2D(pooled, pooledShape, 2, restored, offset: new Size2D(1, 0), maxDegreeOfParallelism: 1);
            Functional.RepeatUnpool2D(pooled, pooledShape, 2, restored, maxDegreeOfParallelism: 1);
            Functional.RandomUnpool2D(pooled, pooledShape, 2, 42, restored, maxDegreeOfParallelism: 1);
            Functional.MaxPool2D(x, shape, k2, pooled, indices, IndexConvention.ChannelsLastWithBatch, 1);
            Functional.MaxUnpool2D(pooled, indices, pooledShape, k2, restored, IndexConvention.ChannelsLastWithBatch, maxDegreeOfParallelism: 1);
            Functional.MaxUnpool2D(pooled, crossPlane, pooledShape, k2, restored, IndexConvention.GlobalRowMajor, maxDegreeOfParallelism: 1);
            Functional.ConvertIndices(indices, pooledShape, shape.SpatialSize, IndexConvention.ChannelsLastWithBatch, converted, IndexConvention.GlobalColumnMajor);
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Run();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
