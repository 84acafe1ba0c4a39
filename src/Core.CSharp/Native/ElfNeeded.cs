// ElfNeeded.cs: the libraries an ELF shared object names (DT_NEEDED) and where it looks for them (DT_RUNPATH), read from the file without loading it.
using System.Buffers.Binary;
using System.Text;

namespace GenDsl.Native;

/// <summary>
/// Reads a 64-bit little-endian ELF file's dynamic section: the sonames it needs and its run path, as <c>readelf -d</c>
/// shows them. Only the program headers, the dynamic segment and its string table are read, so a 300 MB libtorch costs a
/// few kilobytes. Lets GenDsl ask, before anything loads, which libraries libtorch will pull in (<see cref="BlasChoice"/>).
/// </summary>
internal static class ElfNeeded
{
    /// <summary>What a shared object's dynamic section names.</summary>
    internal sealed record Dynamic(IReadOnlyList<string> Needed, IReadOnlyList<string> RunPath);

    /// <summary>The dynamic section of the file at <paramref name="path"/>, or null if it is not a readable 64-bit little-endian ELF file with one.</summary>
    internal static Dynamic? Read(string path)
    {
        try
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.RandomAccess);
            var h = Bytes(f, 0, 64);
            if (h is null || h[0] != 0x7f || h[1] != (byte)'E' || h[2] != (byte)'L' || h[3] != (byte)'F' || h[4] != 2 || h[5] != 1) return null;
            long phoff = I64(h, 0x20);
            int phentsize = BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(0x36)), phnum = BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(0x38));
            if (phentsize < 56 || phnum == 0) return null;
            var ph = Bytes(f, phoff, phentsize * phnum);
            if (ph is null) return null;
            var loads = new List<(long Vaddr, long Offset, long Size)>();
            (long Offset, long Size)? dyn = null;
            for (var i = 0; i < phnum; i++)
            {
                var o = i * phentsize;
                var type = BinaryPrimitives.ReadUInt32LittleEndian(ph.AsSpan(o));
                long offset = I64(ph, o + 8), vaddr = I64(ph, o + 16), filesz = I64(ph, o + 32);
                if (type == 1) loads.Add((vaddr, offset, filesz));        // PT_LOAD
                else if (type == 2) dyn = (offset, filesz);                // PT_DYNAMIC
            }
            if (dyn is not { } d || d.Size <= 0 || d.Size > 1 << 20) return null;
            var dy = Bytes(f, d.Offset, (int)d.Size);
            if (dy is null) return null;
            long strtab = -1, strsz = 0;
            var needed = new List<long>();
            long runpath = -1, rpath = -1;
            for (var o = 0; o + 16 <= dy.Length; o += 16)
            {
                long tag = I64(dy, o), val = I64(dy, o + 8);
                if (tag == 0) break;                                   // DT_NULL
                switch (tag)
                {
                    case 1: needed.Add(val); break;                     // DT_NEEDED
                    case 5: strtab = val; break;                        // DT_STRTAB (an address)
                    case 10: strsz = val; break;                        // DT_STRSZ
                    case 15: rpath = val; break;                        // DT_RPATH
                    case 29: runpath = val; break;                      // DT_RUNPATH
                }
            }
            if (strtab < 0 || strsz <= 0 || strsz > 16 << 20) return null;
            var seg = loads.FirstOrDefault(l => strtab >= l.Vaddr && strtab < l.Vaddr + l.Size);
            if (seg.Size == 0) return null;
            var strs = Bytes(f, strtab - seg.Vaddr + seg.Offset, (int)strsz);
            if (strs is null) return null;
            string Str(long at)
            {
                if (at < 0 || at >= strs.Length) return "";
                var end = Array.IndexOf(strs, (byte)0, (int)at);
                return Encoding.UTF8.GetString(strs, (int)at, (end < 0 ? strs.Length : end) - (int)at);
            }
            var path0 = runpath >= 0 ? Str(runpath) : rpath >= 0 ? Str(rpath) : "";
            return new Dynamic(needed.Select(Str).ToList(), path0.Split(':', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// Where the dynamic linker would find <paramref name="soname"/> for a library in <paramref name="origin"/> with run path
    /// <paramref name="runPath"/>: LD_LIBRARY_PATH, the run path ($ORIGIN expanded), then the system's directories. Null if
    /// none has it (the linker's cache may still know a directory listed only in /etc/ld.so.conf.d).
    /// </summary>
    internal static string? Resolve(string soname, string origin, IEnumerable<string> runPath)
    {
        if (soname.Contains('/')) return File.Exists(soname) ? soname : null;
        var dirs = new List<string>();
        dirs.AddRange((Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        dirs.AddRange(runPath.Select(p => p.Replace("$ORIGIN", origin).Replace("${ORIGIN}", origin)));
        var triple = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64
            ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        dirs.AddRange(new[] { "/usr/local/lib", $"/lib/{triple}", $"/usr/lib/{triple}", "/lib64", "/usr/lib64", "/lib", "/usr/lib" });
        return dirs.Select(d => Path.Combine(d, soname)).FirstOrDefault(File.Exists);
    }

    private static long I64(byte[] b, int at) => BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(at));

    private static byte[]? Bytes(FileStream f, long offset, int count)
    {
        if (offset < 0 || count < 0 || offset + count > f.Length) return null;
        var b = new byte[count];
        f.Position = offset;
        f.ReadExactly(b);
        return b;
    }
}
