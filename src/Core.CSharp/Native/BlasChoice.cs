// BlasChoice.cs: the BLAS set up before libtorch loads: OpenBLAS's OpenMP build, its kernel chosen from the CPU's features.
using System.Runtime.InteropServices;

namespace GenDsl.Native;

/// <summary>
/// OpenBLAS (Debian's 0.3.21, built for every x86-64 kernel it has) picks its kernel from the CPU's family and model, and
/// falls back to its SSE3 "Prescott" kernel on a CPU newer than itself: on an Intel family 6 model 207 with AVX-512 a
/// 1024² float32 matmul ran at 61-74 GFLOP/s instead of 263-273 with its SkylakeX kernel. The kernels need only the
/// instruction sets, which the CPU lists; so before libtorch (and with it OpenBLAS) loads, GenDsl sets OPENBLAS_CORETYPE
/// from the CPU's features (<see cref="CoreTypeFor"/>) unless it is set already: a value the user or the machine set is
/// never replaced, and is also how to override the choice. OpenBLAS reads the variable once, when it is loaded.
/// </summary>
internal static class BlasChoice
{
    /// <summary>
    /// The OpenBLAS core type whose kernels the CPU with these /proc/cpuinfo flags runs best, or null to leave the choice
    /// to OpenBLAS: AVX-512 F/CD/BW/DQ/VL with BF16 → Cooperlake (SkylakeX's kernels plus the bfloat16 ones); without
    /// BF16 → SkylakeX; AVX2 with FMA → Haswell; anything older → null (OpenBLAS knows those CPUs).
    /// </summary>
    public static string? CoreTypeFor(IReadOnlySet<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        bool avx512 = flags.Contains("avx512f") && flags.Contains("avx512cd") && flags.Contains("avx512bw")
                      && flags.Contains("avx512dq") && flags.Contains("avx512vl");
        if (avx512) return flags.Contains("avx512_bf16") ? "Cooperlake" : "SkylakeX";
        if (flags.Contains("avx2") && flags.Contains("fma")) return "Haswell";
        return null;
    }

    /// <summary>The flags of the first processor in /proc/cpuinfo's text (an empty set if it has no flags line).</summary>
    public static IReadOnlySet<string> CpuFlags(string cpuinfo)
    {
        ArgumentNullException.ThrowIfNull(cpuinfo);
        foreach (var line in cpuinfo.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon < 0 || line[..colon].Trim() != "flags") continue;
            return new HashSet<string>(line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return new HashSet<string>();
    }

    /// <summary>
    /// How OPENBLAS_CORETYPE came to be what OpenBLAS read, set once at start-up: "set by OPENBLAS_CORETYPE" (the user's or
    /// the machine's value, kept), "chosen by GenDsl from the CPU's features", or "detected by OpenBLAS" (no choice made:
    /// not Linux, no AVX2, or /proc/cpuinfo unreadable).
    /// </summary>
    public static string Source { get; private set; } = "detected by OpenBLAS";

    /// <summary>
    /// Debian's OpenBLAS built for OpenMP (package libopenblas0-openmp) instead of the pthreads build that libblas.so.3
    /// names by default. The pthreads build's workers spin between calls on threads of their own, beside libtorch's
    /// OpenMP workers: on a loaded 2-core machine that cost seconds of system time and tens of thousands of involuntary
    /// context switches per MLP VAE epoch (bench/blas/spin.sh). The OpenMP build runs on libtorch's own OpenMP pool,
    /// which waits passively (OMP_WAIT_POLICY=PASSIVE, <see cref="NativeMethods.Initialize"/>), takes its thread count
    /// from libtorch's setting, and runs single-threaded when called inside one of libtorch's parallel loops. Its three
    /// libraries are loaded by path before libtorch, so libtorch's libblas.so.3 and liblapack.so.3 resolve to them
    /// (the dynamic linker matches a loaded library's soname). GENDSL_BLAS=system leaves libtorch with whatever
    /// libblas.so.3 the system resolves (Debian's alternatives: another OpenBLAS build, BLIS, the reference BLAS). Nothing is
    /// loaded when the libtorch that <paramref name="libgendsl"/> links does not need libblas.so.3 (<see cref="LibtorchLinksBlas"/>),
    /// and <see cref="PreloadNote"/> says so.
    /// </summary>
    internal static void LoadOpenMpOpenBlas(string? libgendsl)
    {
        var mode = Environment.GetEnvironmentVariable("GENDSL_BLAS");
        if (mode == "system") return;
        if (mode is not (null or "" or "openblas-openmp"))   // a module initializer must not throw: say so, go on with the default
            Console.Error.WriteLine($"GenDsl: GENDSL_BLAS is '{mode}', which is not openblas-openmp or system; using openblas-openmp.");
        var dir = OpenMpOpenBlasDir();
        if (dir is null) return;   // not installed (eng/bootstrap.sh installs it): Torch.BlasInfo names what runs instead
        var (links, why) = libgendsl is null ? (null, "libgendsl.so not found before loading")
                                             : LibtorchLinksBlas(libgendsl, ElfNeeded.Read, ElfNeeded.Resolve);
        if (links == false)
        {
            PreloadNote = $"OpenBLAS's OpenMP build not loaded: {why}";
            return;
        }
        if (links is null) PreloadNote = $"OpenBLAS's OpenMP build loaded without knowing whether libtorch uses libblas.so.3 ({why})";
        foreach (var lib in new[] { "libopenblas.so.0", "libblas.so.3", "liblapack.so.3" })
            if (!NativeLibrary.TryLoad(Path.Combine(dir, lib), out _))
            {
                Console.Error.WriteLine($"GenDsl: {Path.Combine(dir, lib)} did not load; libtorch uses the system's libblas.so.3.");
                return;
            }
    }

    /// <summary>
    /// Said after the BLAS in <c>gendsl --version</c> when the preload above was skipped or made blind: null when OpenBLAS's
    /// OpenMP build was loaded for a libtorch that links libblas.so.3, or not tried (GENDSL_BLAS=system, not installed).
    /// </summary>
    public static string? PreloadNote { get; private set; }

    /// <summary>
    /// Whether the libtorch that <paramref name="libgendsl"/> links takes its BLAS from libblas.so.3, read from the files'
    /// dynamic sections before anything loads. Debian's libtorch_cpu.so needs libblas.so.3 (so a library loaded first under
    /// that soname runs its products); PyTorch's own builds carry MKL or OpenBLAS inside libtorch_cpu.so and need none, and
    /// loading OpenBLAS for them would only add a library and make <c>gendsl --version</c> name a BLAS that does not run.
    /// True or false with the library that decided it; null (with why) when the files could not be read or no libtorch
    /// library was found among libgendsl.so's needs.
    /// </summary>
    internal static (bool? Links, string Why) LibtorchLinksBlas(string libgendsl, Func<string, ElfNeeded.Dynamic?> read,
                                                               Func<string, string, IEnumerable<string>, string?> resolve)
    {
        var top = read(libgendsl);
        if (top is null) return (null, $"{Path.GetFileName(libgendsl)} could not be read as an ELF shared library");
        var origin = Path.GetDirectoryName(Path.GetFullPath(libgendsl)) ?? ".";
        var torch = top.Needed.Where(n => n.StartsWith("libtorch", StringComparison.Ordinal)).ToList();
        if (torch.Count == 0) return (null, $"{Path.GetFileName(libgendsl)} names no libtorch library");
        var unread = new List<string>();
        foreach (var name in torch)
        {
            var file = resolve(name, origin, top.RunPath);
            var dyn = file is null ? null : read(file);
            if (dyn is null) { unread.Add(name); continue; }
            if (dyn.Needed.Contains("libblas.so.3")) return (true, $"{name} links libblas.so.3");
        }
        if (unread.Count > 0) return (null, $"{string.Join(", ", unread)} not found or not readable");
        return (false, $"{string.Join(", ", torch)} do{(torch.Count == 1 ? "es" : "")} not link libblas.so.3 (libtorch carries its own BLAS)");
    }

    /// <summary>Where Debian's libopenblas0-openmp puts its libraries (/usr/lib/&lt;multiarch&gt;/openblas-openmp), if there.</summary>
    private static string? OpenMpOpenBlasDir()
    {
        var triple = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x86_64-linux-gnu",
            Architecture.Arm64 => "aarch64-linux-gnu",
            _ => null,
        };
        if (triple is null) return null;
        var dir = Path.Combine("/usr/lib", triple, "openblas-openmp");
        return File.Exists(Path.Combine(dir, "libopenblas.so.0")) ? dir : null;
    }

    /// <summary>Sets OPENBLAS_CORETYPE in the C library's environment if it is unset; call before libtorch loads.</summary>
    internal static void Apply(Func<string, string, int, int> setenv)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE")))
        {
            Source = "set by OPENBLAS_CORETYPE";
            return;
        }
        string text;
        try { text = File.ReadAllText("/proc/cpuinfo"); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        if (CoreTypeFor(CpuFlags(text)) is { } core && setenv("OPENBLAS_CORETYPE", core, 0) == 0)
            Source = "chosen by GenDsl from the CPU's features";
    }
}
