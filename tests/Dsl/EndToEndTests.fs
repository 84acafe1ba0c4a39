/// EndToEndTests.fs: the P7 script (reduced steps) run through host, check and interpreter writes a complete run folder whose report renders in Chromium.
module GenDsl.Tests.Dsl.EndToEndTests

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Xunit
open GenDsl.Dsl
open GenDsl.Cli
open GenDsl.Tests.Support

let tempDir () = newTempDir "e2e"

/// The DOM after scripts ran, from headless Debian chromium.
let dumpDom (html: string) =
    let profile = tempDir ()
    let args =
        [ "--headless"; "--no-sandbox"; "--disable-gpu"; "--disable-quic"; "--no-first-run"; "--disable-background-networking"
          "--disable-component-update"; "--disable-sync"; "--virtual-time-budget=15000"; "--user-data-dir=" + profile
          "--dump-dom"; Uri(html).AbsoluteUri ]
    let psi = ProcessStartInfo("/usr/bin/chromium", args, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    use p = Process.Start psi
    let err = p.StandardError.ReadToEndAsync()
    let out = p.StandardOutput.ReadToEnd()
    if not (p.WaitForExit 90000) then p.Kill true; failwith "chromium did not finish in 90 s"
    try Directory.Delete(profile, true) with _ -> ()
    out, err.Result

let private runP7 (root: string) (device: string) =
    let script = Path.Combine(repoRoot (), "experiments", "cse599i_hw1_p7_gmm.fsx")
    let exps = match ScriptHost.load script with Ok xs -> xs | Error m -> failwithf "%A" m
    let reduced = [ "data.n=300"; "gd.steps=4"; "sgd.steps=60"; "em.iterations=4" ]
    let plan = match Settings.planWith reduced exps.Head with Ok p -> p | Error errs -> failwithf "%A" errs
    Interpret.run { Runs.defaults with OutputRoot = root; Device = device; Threads = Some 1 } plan

let ``CSE599i P7 end to end: a reduced run writes every file and its report renders every plot in Chromium`` () =
    let root = tempDir ()
    let outcome = runP7 root "cpu"
    Assert.Equal(None, outcome.Error)
    Assert.StartsWith(Path.Combine(root, "cse599i_hw1_p7_gmm"), outcome.Folder)
    let file n = Path.Combine(outcome.Folder, n)
    // plotly.min.js is shared by the runs of one output root (the report loads ../../plotly.min.js).
    Assert.True(File.Exists(Path.Combine(root, "plotly.min.js")), "plotly.min.js is missing from the output root")
    for n in [ "config.json"; "metrics.csv"; "metrics.jsonl"; "summary.json"; "report.html"; "DONE"
               "checkpoints/p7_gd.pt"; "checkpoints/p7_sgd.pt"; "checkpoints/p7_em.pt" ] do
        Assert.True(File.Exists(file n), sprintf "%s is missing" n)
    Assert.False(File.Exists(file "FAILED"))
    // The config is the resolved experiment (overrides applied), readable back.
    match Describe.ofJson (File.ReadAllText(file "config.json")) with
    | Ok e -> Assert.Equal<int list>([ 4; 60; 4 ], e.Cases.Head.Fits |> List.map stepsOf)
    | Error m -> failwith m
    // Curve points k = 0..steps for each fit (EvalEvery = 1); the CSV is long, one line per (point, metric): mean_ll and nll.
    Assert.Equal(1 + 2 * (5 + 61 + 5), File.ReadAllLines(file "metrics.csv").Length)
    Assert.Equal(5 + 61 + 5, File.ReadAllLines(file "metrics.jsonl").Length)
    // Checkpoints load back with the fitted tensors: means (K, D) = (3, 2).
    let ck = GenDsl.Torch.Torch.Load(file "checkpoints/p7_em.pt")
    Assert.Equal<int64[]>([| 3L; 2L |], ck.["means"].Shape)
    // Figures: data scatter, three LL curves, final means, NLL bars.
    let plots = Directory.GetFiles(Path.Combine(outcome.Folder, "plots"), "*.json")
    Assert.Equal(6, plots.Length)
    let dom, _ = dumpDom (file "report.html")
    let ids = Regex.Matches(dom, "id=\"(plot-[^\"]+)\"") |> Seq.map (fun m -> m.Groups.[1].Value) |> Seq.toList
    Assert.Equal(6, ids.Length)
    // Each plot div holds plotly's rendered SVG before the next one starts.
    let chunks = Regex.Split(dom, "id=\"plot-") |> Array.skip 1
    for id, chunk in List.zip ids (List.ofArray chunks) do
        Assert.True(chunk.Contains "class=\"main-svg\"", sprintf "%s has no plotly SVG" id)
    // Script errors and console.error calls are collected in #console-errors by the page itself.
    let errors = Regex.Match(dom, "<pre id=\"console-errors\"[^>]*>(.*?)</pre>", RegexOptions.Singleline)
    Assert.True(errors.Success, "the error collector is missing from the page")
    Assert.Equal("", errors.Groups.[1].Value)
    try Directory.Delete(root, true) with _ -> ()

let ``a run that fails leaves its folder marked FAILED with the error, no summary, and a report that says FAILED`` () =
    let root = tempDir ()
    // No CUDA device here (or an out-of-range one where there is): the run fails after writing its config.
    let outcome = runP7 root "cuda:99"
    Assert.True(outcome.Error.IsSome, "the run should have failed")
    let file n = Path.Combine(outcome.Folder, n)
    Assert.True(File.Exists(file "config.json"), "config.json is written before training")
    Assert.Contains(outcome.Error.Value, File.ReadAllText(file "FAILED"))
    Assert.False(File.Exists(file "summary.json"))
    // report.html is the live page saying FAILED with the error, nothing that looks like a finished report.
    let report = File.ReadAllText(file "report.html")
    Assert.Contains("data-state=\"FAILED\"", report)
    Assert.DoesNotContain("Final metrics", report)
    try Directory.Delete(root, true) with _ -> ()

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.EndToEndTests" [
        Expecto.Tests.testCase "CSE599i P7 end to end: a reduced run writes every file and its report renders every plot in Chromium" ``CSE599i P7 end to end: a reduced run writes every file and its report renders every plot in Chromium``
        Expecto.Tests.testCase "a run that fails leaves its folder marked FAILED with the error, no summary, and a report that says FAILED" ``a run that fails leaves its folder marked FAILED with the error, no summary, and a report that says FAILED``
    ]
