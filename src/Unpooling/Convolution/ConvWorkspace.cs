using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Unpooling.Internal;

/// <summary>
/// What a convolution layer keeps between calls so that its steady-state calls allocate and rent nothing: the scratch
/// arrays its kernels use (kept here instead of <see cref="ArrayPool{T}.Shared"/>), and the weights packed for the GEMM,
/// reused while the weights and the plan stay the same.
/// </summary>
/// <remarks>
/// <para>Scratch: <see cref="Rent{T}"/> hands out the smallest kept array of the element type that is long enough, or
/// allocates one (the first calls, or a larger shape); <see cref="Return{T}"/> keeps it. Both are lock-free, so a
/// call's worker threads rent and return concurrently. A call that needs more arrays at once than there are slots
/// still works: the extra arrays are dropped at their return.</para>
/// <para>Packed weights (<see cref="Packed{T, TPlan}"/>): the weights a call sees are compared bit for bit with a copy
/// of the ones last packed (a change through any span the caller kept is seen, and <c>-0</c> differs from <c>+0</c>),
/// and the packing is kept per kind of packing and per plan (every field of the plan, so a different batch, size or
/// thread count packs anew). The cache is for one call at a time, as a layer is: the layers document that an instance
/// is not safe for concurrent use.</para>
/// </remarks>
internal sealed class ConvWorkspace
{
    /// <summary>The kinds of packing the cache tells apart (each kernel path lays out its weights its own way).</summary>
    internal enum PackingKind
    {
        /// <summary><c>ConvKernel.Run</c>'s tile panels.</summary>
        Panels,

        /// <summary>The stride-phase layout's per-phase panels and their offsets.</summary>
        Phases,

        /// <summary>The channels-last kernel's prepacked weights.</summary>
        ChannelsLast,
    }

    private readonly object?[] _slots;
    private readonly Dictionary<(PackingKind Kind, bool Transposed), PackedEntry> _packed = [];
    private int _allocations;

    /// <summary>Creates an empty workspace with room for the scratch of a call on every core.</summary>
    public ConvWorkspace()
    {
        _slots = new object?[16 + (8 * Environment.ProcessorCount)];
    }

    /// <summary>How many scratch or packing arrays this workspace has allocated so far (steady state: no more).</summary>
    public int Allocations => Volatile.Read(ref _allocations);

    /// <summary>How many times weights were packed (steady state with unchanged weights: no more).</summary>
    public int Packings { get; private set; }

    /// <summary>A scratch array of at least <paramref name="length"/> elements (contents undefined).</summary>
    [MethodImpl(KernelImpl.Entry)]
    public T[] Rent<T>(int length)
        where T : unmanaged
    {
        Debug.Assert(length >= 0, "negative scratch length");
        object?[] slots = _slots;
        while (true)
        {
            int best = -1;
            T[]? bestArray = null;
            for (int i = 0; i < slots.Length; i++)
            {
                if (Volatile.Read(ref slots[i]) is T[] candidate && candidate.Length >= length && (bestArray is null || candidate.Length < bestArray.Length))
                {
                    best = i;
                    bestArray = candidate;
                }
            }

            if (bestArray is null)
            {
                Interlocked.Increment(ref _allocations);
                return GC.AllocateUninitializedArray<T>(Math.Max(1, length));
            }

            if (Interlocked.CompareExchange(ref slots[best], null, bestArray) == bestArray)
            {
                return bestArray;
            }

            // Another worker took it first: look again.
        }
    }

    /// <summary>Keeps an array from <see cref="Rent{T}"/> for later calls (dropped if every slot is taken).</summary>
    [MethodImpl(KernelImpl.Entry)]
    public void Return<T>(T[] array)
        where T : unmanaged
    {
        object?[] slots = _slots;
        for (int i = 0; i < slots.Length; i++)
        {
            if (Volatile.Read(ref slots[i]) is null && Interlocked.CompareExchange(ref slots[i], array, null) is null)
            {
                return;
            }
        }
    }

    /// <summary>
    /// The array that holds (or is to hold) <paramref name="weight"/> packed <paramref name="kind"/>-wise for
    /// <paramref name="plan"/> at tile height <paramref name="rows"/>. <paramref name="current"/> says the array already
    /// holds exactly that packing; otherwise the caller packs into it and then calls <see cref="MarkPacked"/> (until then
    /// the entry matches nothing, so an interrupted packing is never reused).
    /// </summary>
    public T[] Packed<T, TPlan>(PackingKind kind, bool transposed, in TPlan plan, int rows, ReadOnlySpan<T> weight, long packedLength, out bool current)
        where T : unmanaged
        where TPlan : unmanaged
    {
        Debug.Assert(packedLength is >= 0 and <= int.MaxValue, "packed length outside an array");
        ReadOnlySpan<byte> planBytes = MemoryMarshal.AsBytes(new ReadOnlySpan<TPlan>(in plan));
        if (!_packed.TryGetValue((kind, transposed), out PackedEntry? entry) || entry.Packed is not T[])
        {
            entry = new PackedEntry();
            _packed[(kind, transposed)] = entry;
        }

        T[]? packed = entry.Packed as T[];
        T[]? snapshot = entry.Weights as T[];
        current = entry.Valid && entry.Rows == rows && planBytes.SequenceEqual(entry.Plan) && snapshot is not null && BitsEqual(weight, snapshot);
        if (current)
        {
            return packed!;
        }

        entry.Valid = false;
        if (packed is null || packed.Length < packedLength)
        {
            Interlocked.Increment(ref _allocations);
            packed = GC.AllocateUninitializedArray<T>((int)Math.Max(1, packedLength));
            entry.Packed = packed;
        }

        if (snapshot is null || snapshot.Length != weight.Length)
        {
            Interlocked.Increment(ref _allocations);
            snapshot = GC.AllocateUninitializedArray<T>(weight.Length);
            entry.Weights = snapshot;
        }

        weight.CopyTo(snapshot);
        if (entry.Plan.Length != planBytes.Length)
        {
            entry.Plan = new byte[planBytes.Length];
        }

        planBytes.CopyTo(entry.Plan);
        entry.Rows = rows;
        return packed;
    }

    /// <summary>Marks the packing <see cref="Packed{T, TPlan}"/> asked for as done.</summary>
    public void MarkPacked(PackingKind kind, bool transposed)
    {
        _packed[(kind, transposed)].Valid = true;
        Packings++;
    }

    /// <summary>The phase offsets kept with a packing of <paramref name="kind"/> (at least <paramref name="length"/>).</summary>
    public nint[] Offsets(PackingKind kind, bool transposed, int length)
    {
        PackedEntry entry = _packed[(kind, transposed)];
        if (entry.Offsets is null || entry.Offsets.Length < length)
        {
            Interlocked.Increment(ref _allocations);
            entry.Offsets = new nint[Math.Max(1, length)];
        }

        return entry.Offsets;
    }

    /// <summary>A value a packing returns besides its arrays (the phase layout's group stride), kept with it.</summary>
    public ref nint PackedValue(PackingKind kind, bool transposed) => ref _packed[(kind, transposed)].Value;

    /// <summary>Bitwise equality (so <c>-0</c> differs from <c>+0</c> and equal NaN payloads match), at any length.</summary>
    private static bool BitsEqual<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b)
        where T : unmanaged
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        // Compared in pieces of at most 2^28 elements, so the byte length of each piece fits an int for any element size.
        const int Piece = 1 << 28;
        for (int i = 0; i < a.Length; i += Piece)
        {
            int n = Math.Min(Piece, a.Length - i);
            if (!MemoryMarshal.AsBytes(a.Slice(i, n)).SequenceEqual(MemoryMarshal.AsBytes(b.Slice(i, n))))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class PackedEntry
    {
        public object? Packed;
        public object? Weights;
        public byte[] Plan = [];
        public nint[]? Offsets;
        public nint Value;
        public int Rows;
        public bool Valid;
    }
}

/// <summary>Scratch from a layer's <see cref="ConvWorkspace"/> when there is one, else from <see cref="ArrayPool{T}.Shared"/>.</summary>
internal static class ConvScratch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T[] Rent<T>(ConvWorkspace? workspace, int length)
        where T : unmanaged
        => workspace is null ? ArrayPool<T>.Shared.Rent(length) : workspace.Rent<T>(length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Return<T>(ConvWorkspace? workspace, T[] array)
        where T : unmanaged
    {
        if (workspace is null)
        {
            ArrayPool<T>.Shared.Return(array);
        }
        else
        {
            workspace.Return(array);
        }
    }
}
