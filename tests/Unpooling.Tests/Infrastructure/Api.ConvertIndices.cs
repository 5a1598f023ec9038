using System.Numerics;
using System.Runtime.InteropServices;

namespace Unpooling.Tests.Infrastructure;

/// <summary>Generic bridges to the index conversion (see <see cref="Api"/>).</summary>
internal static partial class Api
{
    public static void ConvertIndices<TIndex>(
        ReadOnlySpan<TIndex> indices, Shape4D shape, Size2D indexedSize, IndexConvention from, Span<TIndex> destination, IndexConvention to)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(TIndex) == typeof(int))
        {
            Functional.ConvertIndices(MemoryMarshal.Cast<TIndex, int>(indices), shape, indexedSize, from, MemoryMarshal.Cast<TIndex, int>(destination), to);
        }
        else
        {
            Functional.ConvertIndices(MemoryMarshal.Cast<TIndex, long>(indices), shape, indexedSize, from, MemoryMarshal.Cast<TIndex, long>(destination), to);
        }
    }
}
