using BenchmarkDotNet.Attributes;

namespace Unpooling.Benchmarks;

/// <summary>
/// The parameter grid of the classes that pool, or unpool what was pooled: the unpooled shape (a VGG-style batch,
/// one 56x56 image, and an odd 55 width whose last vector overlaps the previous one) times the pooling window.
/// </summary>
public abstract class PoolWindowBenchmark
{
    /// <summary>The shape before pooling, <c>NxCxHxW</c> (also the unpooled shape).</summary>
    [Params("8x64x112x112", "1x64x56x56", "1x64x55x55")]
    public string Shape { get; set; } = "1x64x56x56";

    [Params(PoolWindow.K2S2, PoolWindow.K3S2P1)]
    public PoolWindow Window { get; set; }
}
