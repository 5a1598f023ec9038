using System.Runtime.InteropServices;
using Unpooling.Internal;
using Unpooling.Tests.HostileInput;
using Unpooling.Tests.Infrastructure;
using Unpooling.Tests.Reference;

namespace Unpooling.Tests;

/// <summary>
/// The streaming copy (<see cref="StreamingStore.Copy"/>) at every destination offset within a cache line and lengths
/// around each of its boundaries (shorter than two lines, one line past the head, tails of every size), the staged
/// stream (<see cref="StagedStream"/>) over sequences of runs, and the block
/// writers on a destination past the streaming threshold through the public API, unforced.
/// </summary>
public sealed unsafe class StreamingStoreTests
{
    private static readonly int[] Lengths = [0, 1, 7, 63, 64, 65, 127, 128, 129, 130, 191, 192, 193, 255, 256, 257, 1000, 4096 + 37];

    /// <summary>Each length at destination offsets 0-64 from a line boundary and source offsets 0 and 3: exactly the
    /// source bytes land in the destination range, and the 128 bytes on each side keep their sentinel.</summary>
    [Fact]
    public void CopiesExactlyTheRangeAtEveryAlignment()
    {
        const int slack = 128;
        int capacity = Lengths.Max() + (3 * slack);
        byte* source = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 64);
        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 64);
        try
        {
            for (int i = 0; i < capacity; i++)
            {
                source[i] = (byte)((i * 37) + 11);
            }

            foreach (int length in Lengths)
            {
                for (int offset = 0; offset <= 64; offset++)
                {
                    foreach (int sourceOffset in new[] { 0, 3 })
                    {
                        new Span<byte>(buffer, capacity).Fill(0xCD);
                        byte* d = buffer + slack + offset;
                        StreamingStore.Copy(source + sourceOffset, d, length);
                        StreamingStore.Fence();
                        string context = $"length {length}, destination offset {offset}, source offset {sourceOffset}";
                        Assert.True(new ReadOnlySpan<byte>(source + sourceOffset, length).SequenceEqual(new ReadOnlySpan<byte>(d, length)), $"{context}: the copied bytes differ");
                        Assert.True(new ReadOnlySpan<byte>(buffer, slack + offset).IndexOfAnyExcept((byte)0xCD) < 0, $"{context}: a byte before the destination was written");
                        Assert.True(new ReadOnlySpan<byte>(d + length, capacity - (slack + offset + length)).IndexOfAnyExcept((byte)0xCD) < 0, $"{context}: a byte after the destination was written");
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(source);
            NativeMemory.AlignedFree(buffer);
        }
    }

    /// <summary>
    /// <see cref="StagedStream"/> over sequences of runs staged where <see cref="StagedStream.RunFor"/> places them (in an
    /// allocation off a line boundary), the first at every offset 0-64 from a line boundary: runs that continue the one before (so a carried partial line joins the next run's head), runs after
    /// a gap of 4 or 13 bytes (so the carry is flushed), runs too short to stream (128 bytes and less), and runs of the
    /// whole staging size. Exactly each run's bytes land, the staging slack past a run (filled with 0xEE) never does, and
    /// every byte outside the runs keeps its sentinel.
    /// </summary>
    [Fact]
    public void StagedRunsLandExactlyAtEveryAlignment()
    {
        int[][] sequences =
        [
            [896, 896, 896, 896],
            [128, 129, 130, 191, 1000, 4096 + 36, 64, 127, 256],
            [StreamingStore.StagingBytes, StreamingStore.StagingBytes - 4, 452, 452],
            [100, 300, 1, 3, 500, 500, 2000],
        ];
        const int slack = 256;
        int capacity = (4 * StreamingStore.StagingBytes) + (4 * 13 * 16) + (3 * slack);
        byte* buffer = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 64);
        byte* expected = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 64);
        byte* allocated = (byte*)NativeMemory.AlignedAlloc(StagedStream.Allocation + 8, 64);
        byte* allocation = allocated + 8; // off a line boundary, as a stack allocation may be
        try
        {
            foreach (int[] runs in sequences)
            {
                foreach (int gap in new[] { 0, 4, 13 })
                {
                    for (int offset = 0; offset <= 64; offset++)
                    {
                        new Span<byte>(buffer, capacity).Fill(0xCD);
                        new Span<byte>(expected, capacity).Fill(0xCD);
                        var writer = new StagedStream(allocation);
                        long at = slack + offset;
                        for (int r = 0; r < runs.Length; r++)
                        {
                            int length = runs[r];
                            new Span<byte>(allocation, StagedStream.Allocation).Fill(0xEE);
                            byte* staging = writer.RunFor(buffer + at);
                            for (int i = 0; i < length; i++)
                            {
                                staging[i] = expected[at + i] = (byte)((r * 53) + (i * 7) + 1);
                            }

                            writer.Write(staging, buffer + at, length);
                            at += length + gap;
                        }

                        writer.Finish();
                        string context = $"runs [{string.Join(", ", runs)}], gap {gap}, first offset {offset}";
                        int same = new ReadOnlySpan<byte>(buffer, capacity).CommonPrefixLength(new ReadOnlySpan<byte>(expected, capacity));
                        Assert.True(same == capacity, same == capacity ? context : $"{context}: byte {same - slack - offset} from the first run's start is {buffer[same]:X2}, expected {expected[same]:X2}");
                    }
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
            NativeMemory.AlignedFree(expected);
            NativeMemory.AlignedFree(allocated);
        }
    }

    /// <summary>
    /// Fixed unpooling and the max-pool backward with in-window byte switches into 16 MiB or more, with the threshold at
    /// its minimum of 16 MiB (the machine's own may be larger: half its last-level cache), so the size decides as on a
    /// machine with 32 MB of L3, where the benchmarks' 25.7 MB outputs stream, at 1 and 2 threads, the destination one element into a larger array (so
    /// no row starts on a line boundary): the oracles' bits, and the element before and after untouched.
    /// </summary>
    [Fact]
    public void LargeDestinationsStreamTheOraclesBits()
    {
        const int planes = 4, h = 512, w = 514;
        var shape = new Shape4D(1, planes, h, w);
        var factor = new Size2D(2, 2);
        int outH = h * 2, outW = w * 2;
        long outLength = (long)planes * outH * outW;
        Assert.True(outLength * sizeof(float) >= StreamingStore.MinimumThreshold, "the case no longer reaches the streaming threshold");
        using StreamingStore.ThresholdScope scope = StreamingStore.ThresholdForTests(StreamingStore.MinimumThreshold);
        Assert.False(StreamingStore.Wanted(StreamingStore.MinimumThreshold - 1), "a destination below the threshold streams");
        float[] x = TestData.NonZero<float>((int)shape.ElementCount, 5);
        var random = new Random(7);
        long[] taps = Enumerable.Range(0, x.Length).Select(_ => (long)random.Next(4)).ToArray();
        byte[] byteTaps = TestData.Convert<byte>(taps);
        float[] fixedExpected = UnpoolReference.Fixed(x, planes, h, w, 2, 2, 1, 0, outH, outW);
        float[] tapsExpected = UnpoolReference.UnpoolTaps(x, taps, planes, h, w, 2, 2, outH, outW);
        foreach (int degree in new[] { 1, 2 })
        {
            var options = new ExecutionOptions { MaxDegreeOfParallelism = degree };
            float[] y = new float[outLength + 2];
            y[0] = y[^1] = 42f;
            Functional.FixedUnpool2D<float>(x, shape, factor, y.AsSpan(1, (int)outLength), new Size2D(1, 0), options: options);
            Assert.True(y[0] == 42f && y[^1] == 42f, $"fixed, {degree} threads: an element outside the destination was written");
            BitAssert.Equal<float>(fixedExpected, y.AsSpan(1, (int)outLength), $"fixed, {degree} threads");

            y.AsSpan(1, (int)outLength).Fill(float.NaN);
            Functional.MaxPool2DBackward<float, byte>(x, byteTaps, shape, new Pool2DGeometry(2, 2), y.AsSpan(1, (int)outLength), new Size2D(outH, outW), IndexConvention.InWindow, options);
            Assert.True(y[0] == 42f && y[^1] == 42f, $"max-pool backward, {degree} threads: an element outside the destination was written");
            BitAssert.Equal<float>(tapsExpected, y.AsSpan(1, (int)outLength), $"max-pool backward, {degree} threads");
        }
    }

    /// <summary>The threshold is half the last-level cache, never below 16 MiB (which also serves an unknown cache).</summary>
    [Fact]
    public void TheThresholdIsHalfTheLastLevelCacheAndAtLeast16MiB()
    {
        const long mib = 1L << 20;
        Assert.Equal(16 * mib, StreamingStore.ThresholdFor(0));
        Assert.Equal(16 * mib, StreamingStore.ThresholdFor(8 * mib));
        Assert.Equal(16 * mib, StreamingStore.ThresholdFor(32 * mib));
        Assert.Equal(48 * mib, StreamingStore.ThresholdFor(96 * mib));
        Assert.Equal(266240L * 1024 / 2, StreamingStore.ThresholdFor(266240L * 1024));
        Assert.Equal(StreamingStore.ThresholdFor(StreamingStore.LastLevelCacheBytes), StreamingStore.Threshold);
        Assert.Equal(StreamingStore.IsSupported && StreamingStore.PaysHere, StreamingStore.Wanted(StreamingStore.Threshold));
        Assert.Equal(StreamingStore.IsSupported && StreamingStore.PaysHere, StreamingStore.Wanted(long.MaxValue));
        Assert.False(StreamingStore.Wanted(StreamingStore.Threshold - 1));
        using (StreamingStore.ThresholdForTests(StreamingStore.Threshold))
        {
            // The tests' scope streams on any x86, whether or not the path pays on this processor.
            Assert.Equal(StreamingStore.IsSupported, StreamingStore.Wanted(StreamingStore.Threshold));
        }
    }

    /// <summary>
    /// The display family is the base family, plus the extended family when the base is 0xF (CPUID leaf 1's EAX, as
    /// AMD's and Intel's manuals define it): a Zen 4 signature (0x00A10F11) is family 0x19, a Zen 5 (0x00B40F40) 0x1A,
    /// an Emerald Rapids (0x000C06F2) family 6. Streaming is on only where the family is AMD's 0x1A or later, or 0x19
    /// with AVX-512 (Zen 4; Zen 3 shares the family without it).
    /// </summary>
    [Fact]
    public void TheDisplayFamilyAddsTheExtendedFamilyToBaseFamily15()
    {
        Assert.Equal(0x19, StreamingStore.DisplayFamily(0x00A10F11));
        Assert.Equal(0x1A, StreamingStore.DisplayFamily(0x00B40F40));
        Assert.Equal(6, StreamingStore.DisplayFamily(0x000C06F2));
        Assert.Equal(0xF, StreamingStore.DisplayFamily(0x00000F00));
        Assert.True(StreamingStore.PaysFor(0x1A, avx512: false) && StreamingStore.PaysFor(0x1A, avx512: true) && StreamingStore.PaysFor(0x19, avx512: true));
        Assert.False(StreamingStore.PaysFor(0x19, avx512: false) || StreamingStore.PaysFor(0x17, avx512: true) || StreamingStore.PaysFor(6, avx512: true));
        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported)
        {
            Assert.False(StreamingStore.PaysHere);
        }
    }

    /// <summary>
    /// On Linux x86 the size read from CPUID is the largest data or unified cache the kernel lists for CPU 0 in
    /// <c>/sys/devices/system/cpu/cpu0/cache</c> (which the kernel reads from the same leaves); skipped elsewhere, and
    /// where the runtime's hardware intrinsics are off (after checking that the size is then unknown).
    /// </summary>
    [SkippableFact]
    public void TheLastLevelCacheIsTheLargestCacheLinuxLists()
    {
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.X86) || !Directory.Exists(root))
        {
            throw new SkipTestException("needs Linux on x86 with " + root);
        }

        if (!System.Runtime.Intrinsics.X86.X86Base.IsSupported)
        {
            // A knob leg with the hardware intrinsics off: no CPUID, so the size is unknown (0) and the threshold the minimum.
            Assert.Equal(0, StreamingStore.LastLevelCacheBytes);
            throw new SkipTestException("CPUID is not available with the hardware intrinsics disabled");
        }

        long largest = 0;
        foreach (string index in Directory.GetDirectories(root, "index*"))
        {
            string sizeFile = Path.Combine(index, "size");
            if (File.ReadAllText(Path.Combine(index, "type")).Trim() == "Instruction" || !File.Exists(sizeFile))
            {
                continue;
            }

            string text = File.ReadAllText(sizeFile).Trim();
            long unit = text.EndsWith('K') ? 1L << 10 : text.EndsWith('M') ? 1L << 20 : 1;
            largest = Math.Max(largest, long.Parse(text.TrimEnd('K', 'M'), System.Globalization.CultureInfo.InvariantCulture) * unit);
        }

        Assert.True(largest > 0, "sysfs lists no data cache");
        Assert.Equal(largest, StreamingStore.LastLevelCacheBytes);
    }
}
