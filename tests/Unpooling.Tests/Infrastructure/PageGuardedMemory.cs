using System.Runtime.InteropServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>Which end of a <see cref="PageGuardedMemory{T}"/> buffer sits flush against its no-access page.</summary>
public enum GuardSide
{
    /// <summary>The last element ends where the no-access page after the buffer begins: catches over-runs.</summary>
    After,

    /// <summary>The first element starts where the no-access page before the buffer ends: catches under-runs.</summary>
    Before,
}

/// <summary>
/// A buffer placed flush against a no-access page (mmap + mprotect), after the pattern of dotnet/runtime's
/// <c>BoundedMemory</c>: a kernel that reads or writes one byte past the end (<see cref="GuardSide.After"/>) or before the
/// start (<see cref="GuardSide.Before"/>) faults at once, instead of corrupting a neighbour or passing silently. A source
/// can be made read-only with <see cref="MakeReadOnly"/>, so a stray write into an input faults too.
/// </summary>
/// <remarks>
/// <para>A fault kills the test host with SIGSEGV; that is the intended failure, as with <c>BoundedMemory</c>. The other
/// end of the buffer is guarded as well, only not flush (it is rounded to whole pages), so every access outside the
/// pages faults.</para>
/// <para>Linux and macOS only (<see cref="IsSupported"/>); the constructor throws <see cref="PlatformNotSupportedException"/>
/// elsewhere, so a test never passes without the guard it asked for.</para>
/// </remarks>
internal sealed unsafe class PageGuardedMemory<T> : IDisposable
    where T : unmanaged
{
    private const int ProtNone = 0;
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapPrivate = 0x02;

    private static readonly nuint PageSize = (nuint)Environment.SystemPageSize;

    private readonly byte* _mapping;
    private readonly nuint _mappingBytes;
    private readonly T* _start;
    private bool _disposed;

    /// <summary>Maps <paramref name="length"/> elements (zeroed) flush against a no-access page on <paramref name="side"/>.</summary>
    public PageGuardedMemory(int length, GuardSide side = GuardSide.After)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("Page-guarded memory needs mmap/mprotect (Linux or macOS).");
        }

        Length = length;
        Side = side;
        nuint bytes = (nuint)length * (nuint)sizeof(T);
        nuint dataPages = (bytes + PageSize - 1) / PageSize;
        if (dataPages == 0)
        {
            dataPages = 1;
        }

        _mappingBytes = (dataPages + 2) * PageSize;
        void* mapping = Libc.Mmap(null, _mappingBytes, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (mapping == (void*)-1)
        {
            throw new OutOfMemoryException($"mmap of {_mappingBytes} bytes failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        _mapping = (byte*)mapping;
        Protect(_mapping, PageSize, ProtNone);
        Protect(_mapping + ((dataPages + 1) * PageSize), PageSize, ProtNone);
        byte* data = _mapping + PageSize;
        _start = side == GuardSide.After ? (T*)(data + (dataPages * PageSize) - bytes) : (T*)data;
    }

    /// <summary>Whether this platform can place pages without access (mmap/mprotect).</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The end that touches the no-access page.</summary>
    public GuardSide Side { get; }

    /// <summary>The guarded elements. Valid until <see cref="Dispose"/>.</summary>
    public Span<T> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return new Span<T>(_start, Length);
        }
    }

    /// <summary>A pointer to the first element, for building TensorSpans over the guarded memory.</summary>
    public T* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _start;
        }
    }

    /// <summary>Maps a buffer holding a copy of <paramref name="values"/>.</summary>
    public static PageGuardedMemory<T> From(ReadOnlySpan<T> values, GuardSide side = GuardSide.After, bool readOnly = false)
    {
        var memory = new PageGuardedMemory<T>(values.Length, side);
        values.CopyTo(memory.Span);
        if (readOnly)
        {
            memory.MakeReadOnly();
        }

        return memory;
    }

    /// <summary>Makes the elements' pages read-only: from now on a write faults (an input an operator must not modify).</summary>
    public void MakeReadOnly()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Protect(_mapping + PageSize, _mappingBytes - (2 * PageSize), ProtRead);
    }

    /// <summary>Unmaps the pages.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _ = Libc.Munmap(_mapping, _mappingBytes);
        }
    }

    private static int MapAnonymous => OperatingSystem.IsMacOS() ? 0x1000 : 0x20;

    private static void Protect(byte* address, nuint bytes, int protection)
    {
        if (Libc.Mprotect(address, bytes, protection) != 0)
        {
            throw new InvalidOperationException($"mprotect failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}

/// <summary>Runs an operator into page-guarded destinations on both sides and returns what it wrote.</summary>
internal static class PageGuarded
{
    /// <summary>
    /// Calls <paramref name="write"/> twice, into a destination flush against a no-access page after its end and then
    /// before its start, each pre-filled with <paramref name="fill"/>; asserts both runs wrote the same bytes and returns them.
    /// </summary>
    public static T[] Run<T>(int length, Writer<T> write, T fill, string context)
        where T : unmanaged
    {
        T[]? first = null;
        foreach (GuardSide side in new[] { GuardSide.After, GuardSide.Before })
        {
            using var memory = new PageGuardedMemory<T>(length, side);
            memory.Span.Fill(fill);
            write(memory.Span);
            T[] written = memory.Span.ToArray();
            if (first is null)
            {
                first = written;
            }
            else
            {
                Assert.True(
                    MemoryMarshal.AsBytes(first.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(written.AsSpan())),
                    $"{context}: the runs flush after and flush before wrote different results.");
            }
        }

        return first!;
    }
}

/// <summary>The three libc calls page-guarded memory needs.</summary>
internal static unsafe class Libc
{
    [DllImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static extern void* Mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    public static extern int Mprotect(void* addr, nuint len, int prot);

    [DllImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static extern int Munmap(void* addr, nuint length);
}
