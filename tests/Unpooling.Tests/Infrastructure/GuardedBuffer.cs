using System.Runtime.CompilerServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// A destination with sentinel elements before and after it: the operator gets only the middle slice, and
/// <see cref="AssertGuardsIntact"/> proves it wrote nothing outside. The middle starts filled with the sentinel too,
/// so <see cref="AssertUntouched"/> can prove a failing call wrote nothing at all.
/// </summary>
/// <remarks>
/// The guard is wider than two 512-bit vectors of any element type, so an over-long vector store is caught.
/// Floating-point sentinels are NaNs with a payload no operator produces from test data; other element types (the
/// ones the operators refuse, and the integers zero insertion moves) get the byte pattern 0xA5 in every byte.
/// </remarks>
internal sealed class GuardedBuffer<T>
    where T : unmanaged
{
    public const int GuardLength = 40;

    private readonly T[] _array;

    public GuardedBuffer(int length)
    {
        Length = length;
        _array = new T[length + (2 * GuardLength)];
        _array.AsSpan().Fill(Sentinel);
    }

    public static T Sentinel { get; } = MakeSentinel();

    public int Length { get; }

    /// <summary>The slice handed to the operator.</summary>
    public Span<T> Span => _array.AsSpan(GuardLength, Length);

    /// <summary>The whole backing array, guards included (for building overlapping or strided views).</summary>
    public T[] Array => _array;

    public T[] ToArray() => Span.ToArray();

    /// <summary>Whether destination element <paramref name="index"/> still holds the sentinel.</summary>
    public bool IsSentinel(int index) => SameBytes(Span[index], Sentinel);

    /// <summary>Fills the middle (not the guards) with <paramref name="value"/>, e.g. to pre-dirty a destination.</summary>
    public void Fill(T value) => Span.Fill(value);

    public void AssertGuardsIntact(string context)
    {
        AssertSentinel(0, GuardLength, context, "before");
        AssertSentinel(GuardLength + Length, GuardLength, context, "after");
    }

    /// <summary>Asserts no element at all changed since construction (for calls that must fail before writing).</summary>
    public void AssertUntouched(string context) => AssertSentinel(0, _array.Length, context, "anywhere");

    private void AssertSentinel(int start, int count, string context, string where)
    {
        for (int i = start; i < start + count; i++)
        {
            if (!SameBytes(_array[i], Sentinel))
            {
                Assert.Fail($"{context}: sentinel overwritten {where} the destination, at backing element {i} (destination element {i - GuardLength}).");
            }
        }
    }

    /// <summary>Byte-wise equality, so any element size works and a NaN sentinel equals itself.</summary>
    private static bool SameBytes(T a, T b)
        => System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in a)).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in b)));

    private static T MakeSentinel()
    {
        if (typeof(T) == typeof(float))
        {
            return Unsafe.BitCast<uint, T>(0x7FC0_5E17u);
        }

        if (typeof(T) == typeof(double))
        {
            return Unsafe.BitCast<ulong, T>(0x7FF8_0000_5E17_5E17ul);
        }

        if (typeof(T) == typeof(int))
        {
            return Unsafe.BitCast<int, T>(12345);
        }

        if (typeof(T) == typeof(long))
        {
            return Unsafe.BitCast<long, T>(0x1234_5678_9ABCL);
        }

        if (typeof(T) == typeof(Half))
        {
            return Unsafe.BitCast<ushort, T>(0x7E17);
        }

        T value = default;
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(new Span<T>(ref value)).Fill(0xA5);
        return value;
    }
}
