using System.Numerics;
using System.Runtime.InteropServices;

namespace Unpooling.Tests.ChannelsLast;

/// <summary>Bit-exact comparisons for any unmanaged element type (NaN payloads and signed zeros included).</summary>
internal static class ChannelsLastAssert
{
    public static void SameBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string context)
        where T : unmanaged
    {
        Assert.True(expected.Length == actual.Length, $"{context}: length {actual.Length}, expected {expected.Length}.");
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        ReadOnlySpan<byte> e = MemoryMarshal.AsBytes(expected), a = MemoryMarshal.AsBytes(actual);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!e.Slice(i * size, size).SequenceEqual(a.Slice(i * size, size)))
            {
                Assert.Fail($"{context}: element {i} is {actual[i]}, expected {expected[i]}.");
            }
        }
    }

    public static void SameIndices<TIndex>(ReadOnlySpan<TIndex> expected, ReadOnlySpan<TIndex> actual, string context)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Assert.True(expected.Length == actual.Length, $"{context}: {actual.Length} indices, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{context}: index {i} is {actual[i]}, expected {expected[i]}.");
            }
        }
    }
}
