using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Unpooling.Internal;

namespace Unpooling.Tests.Infrastructure;

/// <summary>The instantiations of a width-generic kernel: the scalar path (<see cref="SimdScalar{T}"/>) and each vector width.</summary>
public enum KernelWidth
{
    Scalar,
    V128,
    V256,
    V512,
}

/// <summary>Calls the internal kernels at a chosen width, and lists the output widths that sit on its boundaries.</summary>
internal static unsafe class KernelWidths
{
    public static readonly KernelWidth[] All = [KernelWidth.Scalar, KernelWidth.V128, KernelWidth.V256, KernelWidth.V512];

    /// <summary>Lanes per vector of <typeparamref name="T"/>; the scalar path uses the 128-bit count for its boundary widths.</summary>
    public static int Count<T>(KernelWidth width) => width switch
    {
        KernelWidth.V256 => Vector256<T>.Count,
        KernelWidth.V512 => Vector512<T>.Count,
        _ => Vector128<T>.Count,
    };

    /// <summary>Output widths 1, Count-1, Count, Count+1, 2*Count+1 and 8*Count+7 (CONVENTIONS.md), without repeats.</summary>
    public static int[] BoundaryWidths(int count)
        => new[] { 1, count - 1, count, count + 1, (2 * count) + 1, (8 * count) + 7 }.Where(w => w >= 1).Distinct().ToArray();

    /// <summary>Boundary widths of every vector width of <typeparamref name="T"/>, merged.</summary>
    public static int[] AllBoundaryWidths<T>()
        => All.SelectMany(w => BoundaryWidths(Count<T>(w))).Distinct().Order().ToArray();

    public static void MaxPool<T, TIndex>(
        KernelWidth width, T* source, T* destination, TIndex* indices, int planes, in MaxPool2DKernel.Plan plan, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        switch (width)
        {
            case KernelWidth.Scalar:
                MaxPool2DKernel.Run<SimdScalar<T>, T, T, TIndex>(source, destination, indices, planes, plan, degree, scalarOnly: true);
                break;
            case KernelWidth.V128:
                MaxPool2DKernel.Run<Simd128<T>, Vector128<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                break;
            case KernelWidth.V256:
                MaxPool2DKernel.Run<Simd256<T>, Vector256<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                break;
            default:
                MaxPool2DKernel.Run<Simd512<T>, Vector512<T>, T, TIndex>(source, destination, indices, planes, plan, degree);
                break;
        }
    }

    /// <summary>The vector width in bits that <see cref="BlockKernel"/> takes to pin a width (0 for its per-cell path).</summary>
    public static int Bits(KernelWidth width) => width switch
    {
        KernelWidth.V128 => 128,
        KernelWidth.V256 => 256,
        KernelWidth.V512 => 512,
        _ => 0,
    };

    /// <summary>The dense 2x2 argmax unpooling (the block kernel's) at one width; every index must lie in its own window.</summary>
    public static void DenseMaxUnpool<T, TIndex>(
        KernelWidth width, T* source, TIndex* indices, T* destination, int planes, Size2D pooled, Size2D output, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (!BlockKernel.TryUnpoolDense(source, indices, destination, planes, pooled, output, new Size2D(2, 2), degree, Bits(width)))
        {
            throw new InvalidOperationException("An index lies outside its own 2x2 window: not a dense input.");
        }
    }

    /// <summary>The convolution kernel at one width (the scalar path is its one-lane instantiation).</summary>
    public static void Conv<T>(KernelWidth width, T* source, T* weight, T* bias, T* destination, in ConvKernel.Plan plan, int degree)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (width)
        {
            case KernelWidth.Scalar:
                ConvKernel.Run<SimdScalar<T>, T, T>(source, weight, bias, destination, plan, degree);
                break;
            case KernelWidth.V128:
                ConvKernel.Run<Simd128<T>, Vector128<T>, T>(source, weight, bias, destination, plan, degree);
                break;
            case KernelWidth.V256:
                ConvKernel.Run<Simd256<T>, Vector256<T>, T>(source, weight, bias, destination, plan, degree);
                break;
            default:
                ConvKernel.Run<Simd512<T>, Vector512<T>, T>(source, weight, bias, destination, plan, degree);
                break;
        }
    }
}

/// <summary>Writes a kernel's output through a pointer into a destination placed flush on <c>side</c> (see <see cref="GuardedPages"/>).</summary>
internal unsafe delegate void PointerWriter<T>(T* destination, GuardSide side)
    where T : unmanaged;

/// <summary>
/// A kernel call's buffers on page-guarded memory (<see cref="PageGuardedMemory{T}"/>) in both placements: the inputs
/// (source, indices, weights) read-only and flush against a no-access page, the destination flush against one too, so
/// one element read or written past the end (<see cref="GuardSide.After"/>) or before the start
/// (<see cref="GuardSide.Before"/>) faults, and a write into an input faults wherever it lands.
/// </summary>
/// <remarks>
/// <para>The pages catch only the flush end. The destination's other end lies inside a page, so a store a few elements
/// past it would land in mapped memory silently: <see cref="PageGuardedDestination{T}"/> puts sentinels there, which is
/// what the <see cref="GuardedBuffer{T}"/> checks did on both ends before.</para>
/// <para>Mapping, protecting and unmapping pages per call cost more system time than the kernels themselves (munmap of
/// a multi-threaded process flushes every core's TLB), so each thread keeps its last few mappings: a read-only input is
/// reused only when its bytes equal the requested ones (they cannot have changed: the pages are read-only), a
/// destination only when free, and it is refilled with the sentinel. Reuse is safe for the same reasons: nothing can
/// write an input, and every destination byte the checks read is rewritten first.</para>
/// </remarks>
internal static unsafe class GuardedPages
{
    /// <summary>The two placements every kernel-width case runs in.</summary>
    public static readonly GuardSide[] Sides = [GuardSide.After, GuardSide.Before];

    /// <summary>Mappings kept per thread (a case needs at most about six at once: inputs and destinations).</summary>
    private const int PoolCapacity = 12;

    [ThreadStatic]
    private static List<PooledPages>? t_pool;

    /// <summary>A read-only copy of <paramref name="values"/> flush against the no-access page on <paramref name="side"/>.</summary>
    public static GuardedInput<T> Input<T>(ReadOnlySpan<T> values, GuardSide side)
        where T : unmanaged
        => new(Rent(MemoryMarshal.AsBytes(values).Length, side, MemoryMarshal.AsBytes(values), readOnly: true), values.Length);

    /// <summary>
    /// Calls <paramref name="write"/> once per placement into a page-guarded destination of <paramref name="length"/>
    /// elements that starts as the sentinel; asserts the sentinels on the unguarded end survived, that both placements
    /// wrote the same bytes, and returns them.
    /// </summary>
    public static T[] Run<T>(int length, PointerWriter<T> write, string context)
        where T : unmanaged
    {
        T[]? first = null;
        foreach (GuardSide side in Sides)
        {
            using var destination = new PageGuardedDestination<T>(length, side);
            write(destination.Pointer, side);
            destination.AssertGuardsIntact($"{context} (flush {side})");
            T[] written = destination.ToArray();
            if (first is null)
            {
                first = written;
            }
            else if (!MemoryMarshal.AsBytes(first.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(written.AsSpan())))
            {
                Assert.Fail($"{context}: the runs flush after and flush before wrote different results.");
            }
        }

        return first!;
    }

    /// <summary>
    /// A mapping of <paramref name="bytes"/> bytes flush on <paramref name="side"/>: a free one of this thread's pool that
    /// fits (for a read-only one, holding exactly <paramref name="content"/>), or a new one.
    /// </summary>
    internal static PooledPages Rent(int bytes, GuardSide side, ReadOnlySpan<byte> content, bool readOnly)
    {
        List<PooledPages> pool = t_pool ??= [];
        for (int i = pool.Count - 1; i >= 0; i--)
        {
            PooledPages candidate = pool[i];
            if (!candidate.InUse && candidate.ReadOnly == readOnly && candidate.Memory.Length == bytes && candidate.Memory.Side == side
                && (!readOnly || candidate.Memory.Span.SequenceEqual(content)))
            {
                pool.RemoveAt(i);
                pool.Add(candidate);
                candidate.InUse = true;
                return candidate;
            }
        }

        var memory = new PageGuardedMemory<byte>(bytes, side);
        if (readOnly)
        {
            content.CopyTo(memory.Span);
            memory.MakeReadOnly();
        }

        var pages = new PooledPages(memory, readOnly) { InUse = true };
        pool.Add(pages);
        for (int i = 0; pool.Count > PoolCapacity && i < pool.Count;)
        {
            if (pool[i].InUse)
            {
                i++;
            }
            else
            {
                pool[i].Memory.Dispose();
                pool.RemoveAt(i);
            }
        }

        return pages;
    }
}

/// <summary>One mapping of <see cref="GuardedPages"/>' per-thread pool.</summary>
internal sealed class PooledPages(PageGuardedMemory<byte> memory, bool readOnly)
{
    public PageGuardedMemory<byte> Memory { get; } = memory;

    public bool ReadOnly { get; } = readOnly;

    public bool InUse { get; set; }
}

/// <summary>A read-only input on guarded pages (see <see cref="GuardedPages.Input{T}"/>); disposing returns it to the pool.</summary>
internal sealed unsafe class GuardedInput<T>(PooledPages pages, int length) : IDisposable
    where T : unmanaged
{
    public int Length { get; } = length;

    /// <summary>The first element; the element after the last (flush after) or before the first (flush before) has no access.</summary>
    public T* Pointer => (T*)pages.Memory.Pointer;

    public ReadOnlySpan<T> Span => new(Pointer, Length);

    public void Dispose() => pages.InUse = false;
}

/// <summary>
/// A destination flush against a no-access page on <see cref="Side"/>, with sentinel elements beyond its other end
/// (inside the same mapping, where the pages cannot catch a stray store), all starting as
/// <see cref="GuardedBuffer{T}.Sentinel"/>.
/// </summary>
internal sealed unsafe class PageGuardedDestination<T> : IDisposable
    where T : unmanaged
{
    /// <summary>Sentinels on the unguarded end: 1 KiB, more than two of the widest store (a 64-lane vector of 8-byte indices is 512 bytes).</summary>
    public static readonly int SentinelLength = Math.Max(GuardedBuffer<T>.GuardLength, 1024 / Unsafe.SizeOf<T>());

    private readonly PooledPages _pages;
    private readonly T* _start;
    private readonly int _offset;

    public PageGuardedDestination(int length, GuardSide side)
    {
        Length = length;
        Side = side;
        _pages = GuardedPages.Rent((length + SentinelLength) * Unsafe.SizeOf<T>(), side, default, readOnly: false);
        _start = (T*)_pages.Memory.Pointer;
        All.Fill(GuardedBuffer<T>.Sentinel);
        _offset = side == GuardSide.After ? SentinelLength : 0;
    }

    public int Length { get; }

    public GuardSide Side { get; }

    /// <summary>The destination's first element.</summary>
    public T* Pointer => _start + _offset;

    /// <summary>The destination (not the sentinels).</summary>
    public Span<T> Span => new(Pointer, Length);

    /// <summary>The destination and its sentinels.</summary>
    private Span<T> All => new(_start, Length + SentinelLength);

    public T[] ToArray() => Span.ToArray();

    /// <summary>Fills the destination (not the sentinels) with <paramref name="value"/>.</summary>
    public void Fill(T value) => Span.Fill(value);

    /// <summary>The sentinels beyond the unguarded end are intact (the guarded end cannot be passed without a fault).</summary>
    public void AssertGuardsIntact(string context)
    {
        int first = Side == GuardSide.After ? 0 : Length;
        AssertSentinel(first, SentinelLength, context, Side == GuardSide.After ? "before" : "after");
    }

    /// <summary>No element changed at all, destination or sentinels (for calls that must write nothing).</summary>
    public void AssertUntouched(string context) => AssertSentinel(0, Length + SentinelLength, context, "in or around");

    public void Dispose() => _pages.InUse = false;

    private void AssertSentinel(int first, int count, string context, string where)
    {
        T sentinel = GuardedBuffer<T>.Sentinel;
        ReadOnlySpan<byte> expected = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in sentinel));
        Span<T> all = All;
        for (int i = first; i < first + count; i++)
        {
            if (!MemoryMarshal.AsBytes(all.Slice(i, 1)).SequenceEqual(expected))
            {
                Assert.Fail($"{context}: sentinel overwritten {where} the destination, at destination element {i - _offset}.");
            }
        }
    }
}
