using System.Buffers.Binary;
using System.Text;

namespace Unpooling.Peers;

/// <summary>
/// Reads and edits the symbol-version requirements (<c>.gnu.version_r</c>, <c>SHT_GNU_verneed</c>) of a 64-bit
/// little-endian ELF shared library: which versions of which libraries it needs, and whether each need is weak.
/// </summary>
/// <remarks>
/// <para>Why this exists: TorchSharp 0.107's native wrapper <c>libLibTorchSharp.so</c> was linked with GCC 13 and
/// declares a need for <c>GLIBCXX_3.4.32</c>, which Debian 12's libstdc++ (GCC 12) does not define, so the dynamic
/// loader refuses the library and TorchSharp reports a misleading "missing libtorch-cpu reference". The only symbol
/// bound to that version is GCC 13's unused <c>&lt;iostream&gt;</c> marker. A need flagged <c>VER_FLG_WEAK</c> that
/// the loader cannot satisfy is not fatal (glibc <c>dl-version.c</c>), so flipping that one flag makes the library
/// load and leaves every other requirement as strict as before.</para>
/// <para>Layout (System V gABI, GNU symbol versioning): the section header table gives the verneed section's file
/// offset, size, linked string table (<c>sh_link</c>) and entry count (<c>sh_info</c>). Each <c>Elf64_Verneed</c>
/// (16 bytes: version, count, file, aux, next) heads a chain of <c>Elf64_Vernaux</c> (16 bytes: hash, flags, other,
/// name, next).</para>
/// </remarks>
public static class ElfVersionNeeds
{
    /// <summary><c>VER_FLG_WEAK</c>: the loader tolerates an unsatisfied need.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>One version need: the library that must provide it, its name, its flags and the file offset of the
    /// flags field (so it can be rewritten in place).</summary>
    /// <param name="Library">The needed library (<c>vn_file</c>), e.g. <c>libstdc++.so.6</c>.</param>
    /// <param name="Version">The version name (<c>vna_name</c>), e.g. <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="Flags">The <c>vna_flags</c> field.</param>
    /// <param name="FlagsOffset">File offset of <c>vna_flags</c>.</param>
    public readonly record struct Need(string Library, string Version, ushort Flags, long FlagsOffset)
    {
        /// <summary>Whether the need is flagged <see cref="WeakFlag"/>.</summary>
        public bool IsWeak => (Flags & WeakFlag) != 0;
    }

    /// <summary>Lists every version need of an ELF64 little-endian file.</summary>
    /// <param name="image">The whole file.</param>
    /// <returns>The needs in file order; empty when the file has no verneed section.</returns>
    /// <exception cref="InvalidDataException">The file is not a well-formed ELF64 little-endian object.</exception>
    public static IReadOnlyList<Need> Read(ReadOnlySpan<byte> image)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file.");
        }

        if (image[4] != 2 || image[5] != 1)
        {
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");
        }

        long shoff = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(image[0x28..]));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(image[0x3C..]);
        var needs = new List<Need>();
        for (int i = 0; i < shnum; i++)
        {
            ReadOnlySpan<byte> sh = Slice(image, shoff + ((long)i * shentsize), 64);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed)
            {
                continue;
            }

            long offset = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]));
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            ReadOnlySpan<byte> strtabHeader = Slice(image, shoff + ((long)link * shentsize), 64);
            long strtab = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(strtabHeader[0x18..]));

            long entry = offset;
            for (int n = 0; n < count; n++)
            {
                ReadOnlySpan<byte> vn = Slice(image, entry, 16);
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(vn[2..]);
                string library = ReadString(image, strtab + BinaryPrimitives.ReadUInt32LittleEndian(vn[4..]));
                long aux = entry + BinaryPrimitives.ReadUInt32LittleEndian(vn[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    ReadOnlySpan<byte> vna = Slice(image, aux, 16);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(vna[4..]);
                    string version = ReadString(image, strtab + BinaryPrimitives.ReadUInt32LittleEndian(vna[8..]));
                    needs.Add(new Need(library, version, flags, aux + 4));
                    aux += BinaryPrimitives.ReadUInt32LittleEndian(vna[12..]);
                }

                entry += BinaryPrimitives.ReadUInt32LittleEndian(vn[12..]);
            }
        }

        return needs;
    }

    /// <summary>
    /// Marks the named version needs weak in the file at <paramref name="path"/>, rewriting only their two-byte flag
    /// fields. Needs already weak are left alone.
    /// </summary>
    /// <param name="path">The shared library to edit in place.</param>
    /// <param name="versions">Version names to weaken, e.g. <c>GLIBCXX_3.4.32</c>.</param>
    /// <returns>The number of needs changed.</returns>
    public static int MarkWeak(string path, IReadOnlySet<string> versions)
    {
        byte[] image = File.ReadAllBytes(path);
        int changed = 0;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        Span<byte> field = stackalloc byte[2];
        foreach (Need need in Read(image))
        {
            if (versions.Contains(need.Version) && !need.IsWeak)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(field, (ushort)(need.Flags | WeakFlag));
                file.Position = need.FlagsOffset;
                file.Write(field);
                changed++;
            }
        }

        return changed;
    }

    /// <summary>The version names a library defines (<c>SHT_GNU_verdef</c> would be exact; the dynamic string table
    /// holding the name is enough to tell whether, say, <c>GLIBCXX_3.4.32</c> is provided, since a library names only
    /// versions it defines or needs, and libstdc++ needs none of its own).</summary>
    /// <param name="path">A shared library, e.g. the system <c>libstdc++.so.6</c>.</param>
    /// <param name="version">The version name.</param>
    /// <returns>Whether the name occurs as a NUL-terminated string in the file.</returns>
    public static bool MentionsVersion(string path, string version)
    {
        byte[] image = File.ReadAllBytes(path);
        byte[] needle = Encoding.ASCII.GetBytes("\0" + version + "\0");
        return image.AsSpan().IndexOf(needle) >= 0;
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> image, long offset, int length)
    {
        if (offset < 0 || offset > image.Length - length)
        {
            throw new InvalidDataException($"ELF structure at offset {offset} (+{length} bytes) lies outside the {image.Length}-byte file.");
        }

        return image.Slice((int)offset, length);
    }

    private static string ReadString(ReadOnlySpan<byte> image, long offset)
    {
        ReadOnlySpan<byte> rest = Slice(image, offset, 1);
        rest = image[(int)offset..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            throw new InvalidDataException($"Unterminated ELF string at offset {offset}.");
        }

        return Encoding.ASCII.GetString(rest[..end]);
    }
}
