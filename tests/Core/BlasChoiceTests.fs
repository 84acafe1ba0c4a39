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

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.BlasChoiceTests" [
        Expecto.Tests.testCase "the OpenBLAS kernel follows the CPU's instruction sets, whatever its vendor or model" ``the OpenBLAS kernel follows the CPU's instruction sets, whatever its vendor or model``
        Expecto.Tests.testCase "the CPU's flags are read from /proc/cpuinfo's first flags line, not from 'vmx flags' or another processor's" ``the CPU's flags are read from /proc/cpuinfo's first flags line, not from 'vmx flags' or another processor's``
        Expecto.Tests.testCase "the BLAS is named with its kernel: a set OPENBLAS_CORETYPE is what runs, an unset one is the kernel the CPU's features choose" ``the BLAS is named with its kernel: a set OPENBLAS_CORETYPE is what runs, an unset one is the kernel the CPU's features choose``
        Expecto.Tests.testCase "OpenBLAS's OpenMP build runs libtorch's products when it is installed and GENDSL_BLAS is not 'system'" ``OpenBLAS's OpenMP build runs libtorch's products when it is installed and GENDSL_BLAS is not 'system'``
    ]
