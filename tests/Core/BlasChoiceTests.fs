/// BlasChoiceTests.fs: the OpenBLAS kernel chosen from the CPU's features, a user's OPENBLAS_CORETYPE kept, the BLAS named.
module GenDsl.Tests.Core.BlasChoiceTests

open System
open System.IO
open Xunit
open GenDsl.Native
open GenDsl.Torch

let private set (flags: string) : Collections.Generic.IReadOnlySet<string> = Collections.Generic.HashSet<string>(flags.Split ' ')

// Flags as Linux lists them (abridged to what decides, plus neighbours), for the CPUs the choice was made for.
let private haswell = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi1 bmi2"
let private skylakeSp = haswell + " avx512f avx512dq avx512cd avx512bw avx512vl"
let private emeraldRapids = skylakeSp + " avx512_vnni avx512_bf16 amx_bf16 amx_tile avx_vnni"   // Intel family 6 model 207
let private zen5 = skylakeSp + " avx512ifma avx512vbmi avx512_vnni avx512_bf16 avx512_vp2intersect"   // AMD family 26

let ``the OpenBLAS kernel follows the CPU's instruction sets, whatever its vendor or model`` () =
    Assert.Equal("Cooperlake", BlasChoice.CoreTypeFor(set emeraldRapids))
    Assert.Equal("Cooperlake", BlasChoice.CoreTypeFor(set zen5))
    Assert.Equal("SkylakeX", BlasChoice.CoreTypeFor(set skylakeSp))
    Assert.Equal("Haswell", BlasChoice.CoreTypeFor(set haswell))
    // AVX-512 without VL (Knights Landing's set) is not SkylakeX's: AVX2's kernels
    Assert.Equal("Haswell", BlasChoice.CoreTypeFor(set (skylakeSp.Replace(" avx512vl", ""))))
    // AVX2 without FMA, or only AVX: OpenBLAS's own detection knows those CPUs
    Assert.Null(BlasChoice.CoreTypeFor(set (haswell.Replace(" fma", ""))))
    Assert.Null(BlasChoice.CoreTypeFor(set "fpu sse sse2 avx"))
    Assert.Throws<ArgumentNullException>(fun () -> BlasChoice.CoreTypeFor(null) |> ignore) |> ignore

let ``the CPU's flags are read from /proc/cpuinfo's first flags line, not from 'vmx flags' or another processor's`` () =
    let text = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu avx2 fma\nvmx flags\t: ept\n\nprocessor\t: 1\nflags\t\t: fpu\n"
    let flags = BlasChoice.CpuFlags text
    Assert.Equal<string list>([ "avx2"; "fma"; "fpu" ], flags |> Seq.sort |> List.ofSeq)
    Assert.Empty(BlasChoice.CpuFlags "processor\t: 0\n")

let ``the BLAS is named with its kernel: a set OPENBLAS_CORETYPE is what runs, an unset one is the kernel the CPU's features choose`` () =
    let info = Torch.BlasInfo
    Assert.StartsWith("OpenBLAS ", info)
    let kernel = (info.Split("; ").[1]).Split(',').[0]   // "kernel Cooperlake, chosen by ..."
    match Environment.GetEnvironmentVariable "OPENBLAS_CORETYPE" with
    | null | "" ->
        let expected = BlasChoice.CoreTypeFor(BlasChoice.CpuFlags(File.ReadAllText "/proc/cpuinfo"))
        if isNull expected then Assert.Contains("detected by OpenBLAS", info)
        else
            Assert.Equal("kernel " + expected, kernel)
            Assert.Contains("chosen by GenDsl from the CPU's features", info)
    | given ->
        // the machine's or the user's setting is never replaced
        Assert.Equal("kernel " + given, kernel, ignoreCase = true)
        Assert.Contains("set by OPENBLAS_CORETYPE", info)

let ``OpenBLAS's OpenMP build runs libtorch's products when it is installed and GENDSL_BLAS is not 'system'`` () =
    let triple = if Runtime.InteropServices.RuntimeInformation.ProcessArchitecture = Runtime.InteropServices.Architecture.Arm64 then "aarch64-linux-gnu" else "x86_64-linux-gnu"
    let installed = File.Exists(Path.Combine("/usr/lib", triple, "openblas-openmp", "libopenblas.so.0"))
    let info = Torch.BlasInfo
    if installed && Environment.GetEnvironmentVariable "GENDSL_BLAS" <> "system" then
        Assert.Contains("(OpenMP)", info)
        Assert.EndsWith("; openblas-openmp/libblas.so.3", info)
    else Assert.DoesNotContain("openblas-openmp/", info)

let private dyn (needed: string list) = ElfNeeded.Dynamic(List.toArray needed, [| "/opt/torch/lib" |])
/// A fake file system: libgendsl.so needs `torch`; each libtorch library needs what the map says.
let private linksWith (libs: Map<string, string list option>) =
    let read (path: string) =
        match Path.GetFileName path with
        | "libgendsl.so" -> Some(dyn ("libc10.so" :: (libs |> Map.toList |> List.map fst) @ [ "libstdc++.so.6" ]))
        | name -> libs |> Map.tryFind name |> Option.flatten |> Option.map dyn
        |> Option.toObj
    let resolve (name: string) (_origin: string) (runPath: Collections.Generic.IEnumerable<string>) =
        if libs.ContainsKey name then Path.Combine(Seq.head runPath, name) else null
    BlasChoice.LibtorchLinksBlas("/opt/gendsl/libgendsl.so", Func<_, _>(read), Func<_, _, _, _>(resolve))

let ``issue 26: OpenBLAS is preloaded only for a libtorch that links libblas.so.3, and the reason is given either way`` () =
    // Debian's libtorch: libtorch_cpu.so needs libblas.so.3
    let struct (links, why) = linksWith (Map [ "libtorch.so.1.13", Some [ "libc10.so" ]; "libtorch_cpu.so.1.13", Some [ "libgomp.so.1"; "libblas.so.3"; "liblapack.so.3" ] ])
    Assert.Equal(Nullable true, links)
    Assert.Equal("libtorch_cpu.so.1.13 links libblas.so.3", why)
    // PyTorch's own build: MKL inside libtorch_cpu.so, no libblas.so.3
    let struct (links, why) = linksWith (Map [ "libtorch.so", Some [ "libc10.so" ]; "libtorch_cpu.so", Some [ "libgomp-a34b3233.so.1"; "libc10.so" ] ])
    Assert.Equal(Nullable false, links)
    Assert.Equal("libtorch.so, libtorch_cpu.so do not link libblas.so.3 (libtorch carries its own BLAS)", why)
    // a libtorch library that cannot be read: not known, and which one is said
    let struct (links, why) = linksWith (Map [ "libtorch_cpu.so", None ])
    Assert.False(links.HasValue)
    Assert.Equal("libtorch_cpu.so not found or not readable", why)

let ``issue 26: the dynamic section is read from the files as readelf shows it (Debian's libtorch_cpu.so needs libblas.so.3)`` () =
    Assert.Null(ElfNeeded.Read "/proc/cpuinfo")               // not ELF
    Assert.Null(ElfNeeded.Read "/nonexistent/libx.so")
    let lib = ElfNeeded.Resolve("libc.so.6", "/", Array.empty)
    Assert.NotNull lib
    let libc = ElfNeeded.Read lib
    Assert.NotNull libc
    Assert.StartsWith("ld-linux", Assert.Single(libc.Needed))   // glibc's libc.so.6 needs the dynamic linker, and nothing else
    match ElfNeeded.Resolve("libtorch_cpu.so.1.13", "/", Array.empty) with
    | null -> ()                                               // not Debian's libtorch 1.13: nothing more to check here
    | torchCpu ->
        let d = ElfNeeded.Read torchCpu
        Assert.Contains("libblas.so.3", d.Needed)
        Assert.Contains("libc10.so.1.13", d.Needed)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.BlasChoiceTests" [
        Expecto.Tests.testCase "the OpenBLAS kernel follows the CPU's instruction sets, whatever its vendor or model" ``the OpenBLAS kernel follows the CPU's instruction sets, whatever its vendor or model``
        Expecto.Tests.testCase "the CPU's flags are read from /proc/cpuinfo's first flags line, not from 'vmx flags' or another processor's" ``the CPU's flags are read from /proc/cpuinfo's first flags line, not from 'vmx flags' or another processor's``
        Expecto.Tests.testCase "the BLAS is named with its kernel: a set OPENBLAS_CORETYPE is what runs, an unset one is the kernel the CPU's features choose" ``the BLAS is named with its kernel: a set OPENBLAS_CORETYPE is what runs, an unset one is the kernel the CPU's features choose``
        Expecto.Tests.testCase "OpenBLAS's OpenMP build runs libtorch's products when it is installed and GENDSL_BLAS is not 'system'" ``OpenBLAS's OpenMP build runs libtorch's products when it is installed and GENDSL_BLAS is not 'system'``
        Expecto.Tests.testCase "issue 26: OpenBLAS is preloaded only for a libtorch that links libblas.so.3, and the reason is given either way" ``issue 26: OpenBLAS is preloaded only for a libtorch that links libblas.so.3, and the reason is given either way``
        Expecto.Tests.testCase "issue 26: the dynamic section is read from the files as readelf shows it (Debian's libtorch_cpu.so needs libblas.so.3)" ``issue 26: the dynamic section is read from the files as readelf shows it (Debian's libtorch_cpu.so needs libblas.so.3)``
    ]
