using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Unpooling.Benchmarks.Limits;

/// <summary>
/// The "limit" row of a memory-bound operator: moving exactly the bytes the operation must move, with nothing else
/// to do. An operator that reads <c>R</c> bytes and writes <c>W</c> bytes is bounded by a copy of <c>min(R, W)</c>
/// bytes plus, for the rest, a streaming read (<c>R &gt; W</c>) or a fill (<c>W &gt; R</c>). The copy and the fill are
/// the runtime's own (<c>Span.CopyTo</c>, <c>Span.Clear</c>: glibc's tuned <c>memmove</c>/<c>memset</c>), the read a
/// four-accumulator vector sum the JIT cannot drop.
/// </summary>
/// <remarks>The buffers are separate from the operator's, of the same sizes, so the cache sees the same footprint.
/// With several threads the bytes are split into equal contiguous parts, one per thread (<see cref="SplitLimit"/>);
/// the result of <see cref="SplitLimit.Run"/> is a partial sum of the read remainder, so the read cannot be dropped.</remarks>
public sealed class MemoryLimit : SplitLimit
{
    private readonly byte[] _source;
    private readonly byte[] _destination;
    private readonly long _copy;

    /// <summary>Prepares buffers for an operation reading <paramref name="readBytes"/> and writing
    /// <paramref name="writeBytes"/>.</summary>
    public MemoryLimit(long readBytes, long writeBytes)
    {
        ReadBytes = readBytes;
        WriteBytes = writeBytes;
        _source = GC.AllocateUninitializedArray<byte>(checked((int)readBytes), pinned: true);
        _destination = GC.AllocateUninitializedArray<byte>(checked((int)writeBytes), pinned: true);
        new Random(1).NextBytes(_source);
        _copy = Math.Min(readBytes, writeBytes);
    }

    /// <summary>Bytes read per run.</summary>
    public long ReadBytes { get; }

    /// <summary>Bytes written per run.</summary>
    public long WriteBytes { get; }

    /// <inheritdoc/>
    protected override float Part(int part, int parts)
    {
        (long copyStart, long copyLength) = Split(_copy, part, parts);
        _source.AsSpan((int)copyStart, (int)copyLength).CopyTo(_destination.AsSpan((int)copyStart, (int)copyLength));
        if (WriteBytes > ReadBytes)
        {
            (long start, long length) = Split(WriteBytes - _copy, part, parts);
            _destination.AsSpan((int)(_copy + start), (int)length).Clear();
            return 0;
        }

        (long readStart, long readLength) = Split(ReadBytes - _copy, part, parts);
        return Sum(MemoryMarshal.Cast<byte, float>(_source.AsSpan((int)(_copy + readStart), (int)readLength)));
    }

    private static (long Start, long Length) Split(long total, int part, int parts)
    {
        // Cache-line aligned parts, so two threads never share a line.
        long chunk = ((total / parts) + 63) & ~63L;
        long start = Math.Min(total, chunk * part);
        long end = part == parts - 1 ? total : Math.Min(total, start + chunk);
        return (start, end - start);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Sum(ReadOnlySpan<float> values)
    {
        int width = Vector<float>.Count;
        Vector<float> s0 = default, s1 = default, s2 = default, s3 = default;
        int i = 0;
        for (; i <= values.Length - (4 * width); i += 4 * width)
        {
            s0 += new Vector<float>(values[i..]);
            s1 += new Vector<float>(values[(i + width)..]);
            s2 += new Vector<float>(values[(i + (2 * width))..]);
            s3 += new Vector<float>(values[(i + (3 * width))..]);
        }

        float sum = Vector.Sum((s0 + s1) + (s2 + s3));
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }

        return sum;
    }
}
