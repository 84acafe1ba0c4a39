// NativeMethods.cs: where the native library is found, and the one path from a status code to TorchException.
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GenDsl.Native;

internal static partial class NativeMethods
{
    internal const string Lib = "gendsl";

    /// <summary>Turns a native status into an exception carrying libtorch's message.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Check(int status, [CallerMemberName] string op = "")
    {
        if (status != 0) Throw(op);
    }

    /// <summary>
    /// libtorch reports a throwing tensor hook only as "tensor hook failed"; the .NET exception the hook threw is added to
    /// the message (type and message) and kept as InnerException.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw(string op)
    {
        var message = Marshal.PtrToStringUTF8(gd_last_error()) ?? "(no message)";
        if (message.Contains(GenDsl.Torch.HookHandle.Failed, StringComparison.Ordinal) && GenDsl.Torch.HookHandle.TakeFailure() is { } inner)
            throw new GenDsl.Torch.TorchException(op,
                message.Replace(GenDsl.Torch.HookHandle.Failed, $"{GenDsl.Torch.HookHandle.Failed}: {inner.GetType().FullName}: {inner.Message}"), inner);
        throw new GenDsl.Torch.TorchException(op, message);
    }

    /// <summary>
    /// Finds libgendsl (GENDSL_NATIVE, else where the build or the GenDsl.Core package puts it: <see cref="Candidates"/>), and sets
    /// libtorch's intra-op threads to the machine's cores (GENDSL_THREADS overrides): Debian's libtorch
    /// starts with one. Before libtorch (and its OpenMP runtime) loads, OMP_WAIT_POLICY defaults to
    /// PASSIVE: OpenMP workers that spin while waiting made small-tensor loops 20-30x slower whenever
    /// anything else wanted a core (the JIT, a build, another process) on this 2-core machine
    /// (P7 SGD, 500 steps: 8.2 s spinning vs 0.25 s passive). A value the user set is kept. OPENBLAS_CORETYPE is chosen
    /// from the CPU's features when unset, and OpenBLAS's OpenMP build is loaded (<see cref="BlasChoice"/>).
    /// Memory for big tensors is set up too (<see cref="TuneAllocator"/>), after libtorch has loaded: its start-up runs under
    /// glibc's defaults, so the blocks it frees go back to the system as before.
    /// </summary>
#pragma warning disable CA2255 // a library initializer is exactly what is wanted: the resolver must precede any P/Invoke
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
            setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        if (OperatingSystem.IsLinux())
        {
            BlasChoice.Apply(setenv);
            BlasChoice.LoadOpenMpOpenBlas(Candidates(Path.GetDirectoryName(typeof(NativeMethods).Assembly.Location)).FirstOrDefault(File.Exists));
        }
        NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);
        var env = Environment.GetEnvironmentVariable("GENDSL_THREADS");
        var threads = int.TryParse(env, out var n) && n > 0 ? n : Environment.ProcessorCount;
        Check(gd_set_num_threads(threads), "SetNumThreads");   // loads libtorch
        if (OperatingSystem.IsLinux())
        {
            TuneAllocator();
            InstallCachingAllocator();
        }
    }

    // .NET keeps its own copy of the environment; the OpenMP runtime reads the C library's.
    [DllImport("libc", CharSet = CharSet.Ansi, ExactSpelling = true)]
    private static extern int setenv(string name, string value, int overwrite);

    /// <summary>
    /// Memory for big tensors. glibc by default serves each block over 128 KiB (adapting up to 32 MiB) with its own mmap
    /// and gives freed memory at the top of the heap back past 2x that: every large tensor temporary was a fresh mapping,
    /// faulted in page by page and unmapped again. EM on 100k points, K = 10 spherical, 100 iterations, spent 60% of its
    /// CPU in the kernel (user 5.7-6.3 s, system 6.9-8.7 s for two fits). Serving large blocks from the heap instead
    /// (M_MMAP_MAX = 0, freed memory kept) cured that but fragments: the Transformer LM (b) peaked at 4881 MB resident,
    /// 1.79x PyTorch's 2727. So libtorch's CPU allocator is replaced (native/allocator.cpp): a block of 1 MiB or more
    /// is its own mapping, kept when freed for the next request of exactly its size, and the blocks kept are unmapped,
    /// least recently freed first, whenever what is held would exceed the peak in use so far plus an eighth — a training
    /// loop stops faulting after its first step, and resident memory stays near what a non-caching allocator peaks at.
    /// glibc keeps its small blocks: freed memory up to 1 GiB is not trimmed (M_TRIM_THRESHOLD) and the heap grows
    /// 64 MiB at a time (M_TOP_PAD). GENDSL_MALLOC=default leaves both allocators as they are; GENDSL_MALLOC=heap is the
    /// earlier setting (large blocks from glibc's heap); setting any of MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_,
    /// MALLOC_TOP_PAD_, MALLOC_MMAP_MAX_, GLIBC_TUNABLES leaves glibc alone. mallopt, not the variables: glibc reads those
    /// once, at the process's first malloc, long before this runs.
    /// </summary>
    private static void TuneAllocator()
    {
        var mode = Environment.GetEnvironmentVariable("GENDSL_MALLOC");
        if (mode == "default") return;
        foreach (var v in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES" })
            if (Environment.GetEnvironmentVariable(v) is not null) return;
        try
        {
            const int M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_MAX = -4;
            mallopt(M_TRIM_THRESHOLD, 1 << 30);
            mallopt(M_TOP_PAD, 64 << 20);
            if (mode == "heap") mallopt(M_MMAP_MAX, 0);
        }
        catch (EntryPointNotFoundException) { }   // not glibc (musl): its allocator has no such knobs
    }

    /// <summary>Large blocks at or above this size go through GenDsl's caching allocator (see <see cref="TuneAllocator"/>).</summary>
    internal const long CachingThresholdBytes = 1 << 20;

    private static void InstallCachingAllocator()
    {
        var mode = Environment.GetEnvironmentVariable("GENDSL_MALLOC");
        if (mode is "default" or "heap") return;
        if (mode is not (null or "" or "cache"))   // a module initializer must not throw: say so, and go on with the default
            Console.Error.WriteLine($"GenDsl: GENDSL_MALLOC is '{mode}', which is not cache, heap or default; using cache.");
        Check(gd_alloc_install(CachingThresholdBytes, Environment.GetEnvironmentVariable("GENDSL_HUGEPAGES") == "1" ? 1 : 0), "InstallAllocator");
    }

    [DllImport("libc", ExactSpelling = true)]
    private static extern int mallopt(int param, int value);

    [ThreadStatic] private static bool resolving;

    /// <summary>
    /// Where libgendsl.so is looked for, in order: GENDSL_NATIVE; beside GenDsl.Core.dll (this repository's build, a tool,
    /// a RID-specific publish); runtimes/&lt;rid&gt;/native/ under the assembly's folder (an application's bin/ with the
    /// GenDsl.Core package); the package's own runtimes/&lt;rid&gt;/native/ two folders up from lib/net10.0/ (the global
    /// packages folder, where <c>#r "nuget: GenDsl.Core"</c> in an .fsx loads the assembly from); beside the application;
    /// then the runtime's default probing (the application's deps.json native paths).
    /// </summary>
    internal static List<string> Candidates(string? assemblyDir)
    {
        var rid = "linux-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var candidates = new List<string>();
        var env = Environment.GetEnvironmentVariable("GENDSL_NATIVE");
        if (!string.IsNullOrEmpty(env)) candidates.Add(env);
        if (!string.IsNullOrEmpty(assemblyDir))
        {
            candidates.Add(Path.Combine(assemblyDir, "libgendsl.so"));
            candidates.Add(Path.Combine(assemblyDir, "runtimes", rid, "native", "libgendsl.so"));
            candidates.Add(Path.GetFullPath(Path.Combine(assemblyDir, "..", "..", "runtimes", rid, "native", "libgendsl.so")));
        }
        candidates.Add(Path.Combine(AppContext.BaseDirectory, "libgendsl.so"));
        return candidates;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib || resolving) return IntPtr.Zero;
        var candidates = Candidates(Path.GetDirectoryName(assembly.Location));
        var env = Environment.GetEnvironmentVariable("GENDSL_NATIVE");
        if (!string.IsNullOrEmpty(env) && !File.Exists(env))
            throw new DllNotFoundException($"GENDSL_NATIVE is set to '{env}', which does not exist: point it at a built libgendsl.so, or unset it.");
        foreach (var c in candidates)
            if (File.Exists(c)) return NativeLibrary.Load(c);
        resolving = true;
        try { if (NativeLibrary.TryLoad(name, assembly, path, out var h)) return h; }
        finally { resolving = false; }
        throw new DllNotFoundException(
            "libgendsl.so was not found (looked in: " + string.Join(", ", candidates) +
            ", and the application's native search paths). In this repository, build with `dotnet build` (it builds native/ " +
            "with CMake); from the GenDsl.Core package, it lies in the package's runtimes/linux-x64/native/; or set " +
            "GENDSL_NATIVE to the library's path.");
    }
}
