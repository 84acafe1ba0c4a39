/// StudyEndToEndTests.fs: seed experiment scripts of studies run through host, check and interpreter: files written, the seed's claims hold.
module GenDsl.Tests.Dsl.StudyEndToEndTests

open System
open System.IO
open System.Text.Json.Nodes
open Xunit
open GenDsl.Dsl
open GenDsl.Cli
open GenDsl.Tests.Support

let private runScript (name: string) (overrides: string list) =
    let root = Path.Combine(Path.GetTempPath(), "gendsl-study-" + Path.GetRandomFileName())
    let exps = match ScriptHost.load (Path.Combine(repoRoot (), "experiments", name + ".fsx")) with Ok xs -> xs | Error m -> failwithf "%A" m
    let plan = match Settings.planWith overrides exps.Head with Ok p -> p | Error errs -> failwithf "%A" errs
    root, Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } plan

let ``Mila Q6 end to end: the GDA script writes config, summary, three figures and a report, and every claim holds`` () =
    let root, outcome = runScript "mila_dgm_q6_gan_dynamics" [ "q6.steps=30" ]
    Assert.Equal(None, outcome.Error)
    let file n = Path.Combine(outcome.Folder, n)
    Assert.True(File.Exists(Path.Combine(root, "plotly.min.js")), "plotly.min.js is missing from the output root")
    for n in [ "config.json"; "summary.json"; "report.html"; "DONE" ] do
        Assert.True(File.Exists(file n), sprintf "%s is missing" n)
    // trajectory, |x_k| vs k, eigenvalues
    Assert.Equal<string list>([ "q6-eigenvalues.json"; "q6-norms.json"; "q6-trajectory.json" ],
                              Directory.GetFiles(file "plots") |> Array.map Path.GetFileName |> Array.sort |> List.ofArray)
    // two schemes, three claims each (fixed point, |lambda|, growth or conserved ellipse)
    Assert.Equal(6, outcome.Expectations.Length)
    for claim, held in outcome.Expectations do Assert.True(held, claim)
    // summary: simultaneous |x_30| = 1.01^15 |x_0|
    let summary = JsonNode.Parse(File.ReadAllText(file "summary.json"))
    let finalNorm = summary.["studies"].[0].["simultaneous"].["final_norm"].GetValue<float>()
    Assert.Equal(Math.Pow(1.01, 15.0), finalNorm, 12)
    match Describe.ofJson (File.ReadAllText(file "config.json")) with
    | Ok e -> Assert.Equal(Some 30, e.Studies |> List.tryPick (fun s -> match s.Kind with GdaDynamics g -> Some g.Steps | _ -> None))
    | Error m -> failwith m
    try Directory.Delete(root, true) with _ -> ()

let ``ECE8803 P1b end to end: the reverse-KL fit sits on a mode and the forward fit matches the moments`` () =
    // the script's own 1500 steps (under a second): the forward fit's mu relaxes with time constant sigma^2 / lr = 130 steps
    let root, outcome = runScript "ece8803_ps2_p1b_kl_asymmetry" []
    Assert.Equal(None, outcome.Error)
    Assert.Equal(3, outcome.Expectations.Length)
    for claim, held in outcome.Expectations do Assert.True(held, claim)
    Assert.Contains("forward KL(p||q)", File.ReadAllText(Path.Combine(outcome.Folder, "report.html")))
    try Directory.Delete(root, true) with _ -> ()

let ``DS-GA 1008 2.2-2.4 end to end: the script checks clean, writes the KL and bounds figures and a summary, and every claim holds`` () =
    // the header's Check: line
    let cwd = Environment.CurrentDirectory
    Environment.CurrentDirectory <- repoRoot ()
    try
        let code, out, err = cli [ "check"; "experiments/dsga1008_final_2_variational_bounds.fsx" ]
        Assert.True((code = 0), sprintf "check failed (%d): %s %s" code out err)
        Assert.Contains("study 2.3-2.4: variational bounds", out)
    finally
        Environment.CurrentDirectory <- cwd
    let root, outcome = runScript "dsga1008_final_2_variational_bounds" []
    Assert.Equal(None, outcome.Error)
    let file n = Path.Combine(outcome.Folder, n)
    Assert.Equal<string list>([ "2_2-curves.json"; "2_2-fits.json"; "2_3-2_4-bounds-R1.json"; "2_3-2_4-bounds-R10.json"; "2_3-2_4-bounds-vs-K-R1.json"
                                "2_3-2_4-bounds-vs-K-R10.json"; "2_3-2_4-gap-vs-K.json" ],
                              Directory.GetFiles(file "plots") |> Array.map Path.GetFileName |> Array.sort |> List.ofArray)
    // 2.2's three claims, 2.3-2.4's twelve: posterior exact, gap = KL, gap > 0, R = 10 gap, gap grows with R, E L(uniform),
    // settles and continuous limit at each radius, apart grows and is K^2 - log K
    Assert.Equal(15, outcome.Expectations.Length)
    for claim, held in outcome.Expectations do Assert.True(held, claim)
    let summary = JsonNode.Parse(File.ReadAllText(file "summary.json"))
    let vb = summary.["studies"].[1]
    let r10 = vb.["ring_R10"]
    let gap, se = r10.["gap"].GetValue<float>(), r10.["gap_se"].GetValue<float>()
    Assert.True(abs (gap - (100.0 - log 10.0)) <= 4.5 * se + 0.01, sprintf "R = 10: gap %g +- %g" gap se)
    Assert.True(vb.["ring_R1"].["gap"].GetValue<float>() < 1.0)
    Assert.Equal(7, vb.["sweep_apart"].["gap"].AsArray().Count)
    Assert.Contains("R^2 - log K (separated)", File.ReadAllText(file "report.html"))
    try Directory.Delete(root, true) with _ -> ()

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.StudyEndToEndTests" [
        Expecto.Tests.testCase "Mila Q6 end to end: the GDA script writes config, summary, three figures and a report, and every claim holds" ``Mila Q6 end to end: the GDA script writes config, summary, three figures and a report, and every claim holds``
        Expecto.Tests.testCase "DS-GA 1008 2.2-2.4 end to end: the script checks clean, writes the KL and bounds figures and a summary, and every claim holds" ``DS-GA 1008 2.2-2.4 end to end: the script checks clean, writes the KL and bounds figures and a summary, and every claim holds``
        Expecto.Tests.testCase "ECE8803 P1b end to end: the reverse-KL fit sits on a mode and the forward fit matches the moments" ``ECE8803 P1b end to end: the reverse-KL fit sits on a mode and the forward fit matches the moments``
    ]
