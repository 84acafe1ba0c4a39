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

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.StudyEndToEndTests" [
        Expecto.Tests.testCase "Mila Q6 end to end: the GDA script writes config, summary, three figures and a report, and every claim holds" ``Mila Q6 end to end: the GDA script writes config, summary, three figures and a report, and every claim holds``
        Expecto.Tests.testCase "ECE8803 P1b end to end: the reverse-KL fit sits on a mode and the forward fit matches the moments" ``ECE8803 P1b end to end: the reverse-KL fit sits on a mode and the forward fit matches the moments``
    ]
