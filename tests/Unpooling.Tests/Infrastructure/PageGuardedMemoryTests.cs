using System.Globalization;

namespace Unpooling.Tests.Infrastructure;

/// <summary>
/// The guard pages really are there: the kernel's own record of this process's mappings (<c>/proc/self/maps</c>) shows
/// the page right after the last element (flush after) or right before the first (flush before) without any access,
/// and the elements' pages readable and writable (or read-only once <see cref="PageGuardedMemory{T}.MakeReadOnly"/> ran).
/// </summary>
public unsafe class PageGuardedMemoryTests
{
    [Theory]
    [InlineData(1, GuardSide.After)]
    [InlineData(1, GuardSide.Before)]
    [InlineData(1023, GuardSide.After)]
    [InlineData(1024, GuardSide.After)]
    [InlineData(1025, GuardSide.Before)]
    [InlineData(0, GuardSide.After)]
    public void TheNeighbouringPageHasNoAccess(int length, GuardSide side)
    {
        Assert.True(OperatingSystem.IsLinux(), "this check reads /proc/self/maps; CI runs on Linux");
        using var memory = new PageGuardedMemory<float>(length, side);
        nuint first = (nuint)memory.Pointer;
        nuint end = first + ((nuint)length * sizeof(float));
        if (side == GuardSide.After)
        {
            Assert.Equal("---p", Permissions(end));
            Assert.Equal(0u, end % (nuint)Environment.SystemPageSize);
        }
        else
        {
            Assert.Equal("---p", Permissions(first - 1));
            Assert.Equal(0u, first % (nuint)Environment.SystemPageSize);
        }

        if (length > 0)
        {
            Assert.Equal("rw-p", Permissions(first));
            Assert.Equal("rw-p", Permissions(end - 1));
            memory.Span[0] = 1f;
            memory.Span[^1] += 2f;
            memory.MakeReadOnly();
            Assert.Equal("r--p", Permissions(end - 1));
            Assert.Equal(length == 1 ? 3f : 2f, memory.Span[^1]);
        }
    }

    [Fact]
    public void FromCopiesTheValues()
    {
        using var memory = PageGuardedMemory<int>.From([4, 5, 6], GuardSide.Before, readOnly: true);
        Assert.Equal([4, 5, 6], memory.Span.ToArray());
        Assert.Equal("r--p", Permissions((nuint)memory.Pointer));
    }

    /// <summary>The permissions column of the mapping that holds <paramref name="address"/>.</summary>
    private static string Permissions(nuint address)
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            string[] parts = line.Split(' ', 3);
            string[] range = parts[0].Split('-');
            ulong lo = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong hi = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (address >= lo && address < hi)
            {
                return parts[1];
            }
        }

        return "unmapped";
    }
}
