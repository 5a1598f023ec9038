using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests.Pooling1D;

/// <summary>
/// The 1-D span forms allocate nothing in steady state (measured as <see cref="AllocationTests"/> does: on the calling
/// thread, one core, the least of three windows of ten rounds). The 2-D geometry and shape they lower to are structs,
/// and their messages are formatted only on failure.
/// </summary>
public sealed class Pool1DAllocationTests
{
    [Fact]
    public void SpanFormsAllocateNothingInSteadyState()
    {
        ExecutionOptions options = new() { MaxDegreeOfParallelism = 1, MinParallelElements = 0 };
        var shape = new Shape3D(2, 3, 40);
        var pooledShape = new Shape3D(2, 3, 20);
        var k2 = new Pool1DGeometry(2);
        Pool1DGeometry k3 = new Pool1DGeometry(3, 2, dilation: 1).WithPadding(1, 0);
        float[] x = Enumerable.Range(0, (int)shape.ElementCount).Select(i => (float)((i * 7919 % 101) - 50)).ToArray();
        var pooled = new float[pooledShape.ElementCount];
        var indices = new long[pooled.Length];
        var taps = new byte[pooled.Length];
        var converted = new long[pooled.Length];
        var restored = new float[x.Length];

        void Run()
        {
            Functional.MaxPool1D(x, shape, k2, pooled, indices, options: options);
            Functional.MaxUnpool1D(pooled, indices, pooledShape, k2, restored, options: options);
            Functional.MaxUnpool1D(pooled, indices, pooledShape, k2, restored, reduction: UnpoolReduction.Sum, options: options);
            Functional.MaxPool1D(x, shape, k3, pooled, taps, IndexConvention.InWindow, options);
            Functional.MaxUnpool1D(pooled, taps, pooledShape, k3, restored, outputSize: 40, indexConvention: IndexConvention.InWindow, options: options);
            Functional.MaxPool1D(x, shape, k3, pooled, indices, IndexConvention.ChannelsLastWithBatch, options);
            Functional.MaxUnpool1D(pooled, indices, pooledShape, k3, restored, outputSize: 40, indexConvention: IndexConvention.ChannelsLastWithBatch, options: options);
            Functional.ConvertIndices(indices, pooledShape, 40, IndexConvention.ChannelsLastWithBatch, converted, IndexConvention.GlobalColumnMajor);
            Functional.ConvertIndices(converted, pooledShape, 40, k3, IndexConvention.GlobalColumnMajor, converted, IndexConvention.InWindow);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Run, 10));
    }
}
