using Unpooling.Tests.Infrastructure;

namespace Unpooling.Tests;

/// <summary>
/// The InWindow span forms allocate nothing in steady state (as <see cref="AllocationTests"/> measures the others: on
/// the calling thread, one core), for the default options, one thread, and one thread with the size threshold at 0.
/// </summary>
public sealed class InWindowAllocationTests
{
    [Theory]
    [MemberData(nameof(AllocationTests.Options), MemberType = typeof(AllocationTests))]
    public void InWindowSpanFormsAllocateNothingInSteadyState(string name)
    {
        ExecutionOptions options = name switch
        {
            "default" => default,
            "single-threaded" => ExecutionOptions.SingleThreaded,
            _ => new ExecutionOptions { MaxDegreeOfParallelism = 1, MinParallelElements = 0 },
        };
        var shape = new Shape4D(2, 3, 16, 20);
        var pooledShape = new Shape4D(2, 3, 8, 10);
        var k3 = new Pool2DGeometry(3, stride: 2, padding: 1);
        float[] x = new float[shape.ElementCount];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (i * 7919 % 101) - 50;
        }

        float[] pooled = new float[pooledShape.ElementCount];
        long[] perPlane = new long[pooledShape.ElementCount];
        long[] taps = new long[pooledShape.ElementCount];
        long[] back = new long[pooledShape.ElementCount];
        float[] restored = new float[shape.ElementCount];
        Functional.MaxPool2D(x, shape, k3, pooled, perPlane);
        Functional.ConvertIndices<long>(perPlane, pooledShape, shape.SpatialSize, k3, IndexConvention.PerPlane, taps, IndexConvention.InWindow);
        byte[] byteTaps = taps.Select(t => (byte)t).ToArray();

        void Run()
        {
            Functional.ConvertIndices<long>(perPlane, pooledShape, shape.SpatialSize, k3, IndexConvention.PerPlane, taps, IndexConvention.InWindow);
            Functional.ConvertIndices<long>(taps, pooledShape, shape.SpatialSize, k3, IndexConvention.InWindow, back, IndexConvention.GlobalColumnMajor);
            Functional.MaxUnpool2D<float, byte>(pooled, byteTaps, pooledShape, k3, restored, shape.SpatialSize, IndexConvention.InWindow, options: options);
            Functional.MaxUnpool2D<float, byte>(pooled, byteTaps, pooledShape, k3, restored, shape.SpatialSize, IndexConvention.InWindow, UnpoolReduction.Sum, options);
            Functional.MaxUnpool2D<float, long>(pooled, taps, pooledShape, k3, restored, shape.SpatialSize, IndexConvention.InWindow, options: options);
        }

        Assert.Equal(0, Allocations.LeastAllocated(Run, 10));
    }
}
