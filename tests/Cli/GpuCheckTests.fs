/// GpuCheckTests.fs: eng/gpu-check.sh, the GPU path's check, run end to end on a machine without a GPU (as the README says).
module GenDsl.Tests.Cli.GpuCheckTests

open System
open System.Diagnostics
open System.IO
open System.Text.Json
open Xunit
open GenDsl.Tests.Support

let ``eng/gpu-check.sh runs end to end without a GPU: the checks run CPU against CPU, the GPU stages are skipped with a message, one JSON holds it all`` () =
    let root = repoRoot ()
    let out = newTempDir "gpu-check"
    let psi = ProcessStartInfo("bash", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root)
    psi.ArgumentList.Add(Path.Combine(root, "eng", "gpu-check.sh"))
    psi.Environment["OUT"] <- out
    psi.Environment["GPU_CHECK_NATIVE"] <- Path.Combine(root, "native", "build", "libgendsl.so")
    psi.Environment["GPU_CHECK_DEVICE"] <- "cpu"
    psi.Environment["GPU_CHECK_SECONDS"] <- "300"
    use p = Process.Start psi
    let stdout = p.StandardOutput.ReadToEndAsync()
    let stderr = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit(900_000)) then
        p.Kill true
        failwith "eng/gpu-check.sh still ran after 15 minutes"
    let text = stdout.Result + stderr.Result
    Assert.Contains("no CUDA device: speed, p8b and cd skipped", text)
    let json = Path.Combine(out, "gpu-check.json")
    Assert.True(File.Exists json, sprintf "no gpu-check.json; the script printed:\n%s" text)
    Assert.True(File.Exists(Path.Combine(out, "gpu-check.log")), "no gpu-check.log")
    use doc = JsonDocument.Parse(File.ReadAllText json)
    let checks = doc.RootElement.GetProperty("cuda_checks")
    // CPU against CPU: the same code path as on a GPU, where every comparison must hold within its tolerance
    Assert.Equal(8, checks.GetProperty("passed").GetInt32())
    Assert.Equal(0, checks.GetProperty("failed").GetInt32())
    let skipped =
        [ for r in doc.RootElement.GetProperty("results").EnumerateArray() do
            if r.TryGetProperty("skipped") |> fst then r.GetProperty("check").GetString() ]
    Assert.Equal<string list>([ "speed"; "p8b"; "cd" ], skipped)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Cli.GpuCheckTests" [
        Expecto.Tests.testCase "eng/gpu-check.sh runs end to end without a GPU: the checks run CPU against CPU, the GPU stages are skipped with a message, one JSON holds it all" ``eng/gpu-check.sh runs end to end without a GPU: the checks run CPU against CPU, the GPU stages are skipped with a message, one JSON holds it all``
    ]
