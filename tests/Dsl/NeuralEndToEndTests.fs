/// NeuralEndToEndTests.fs: the MNIST scripts (Bernoulli mixture, NICE vs VAE, IWAE bounds) at tiny budgets write complete
/// run folders whose reports render their image grids in Chromium; a gradient fit stopped and resumed from its
/// checkpoint ends where a straight run ends.
module GenDsl.Tests.Dsl.NeuralEndToEndTests

open System.IO
open System.Text.Json.Nodes
open System.Text.RegularExpressions
open Xunit
open GenDsl.Dsl
open GenDsl.Cli
open GenDsl.Tests.Support
open GenDsl.Tests.Dsl.EndToEndTests

let private runScript (name: string) (overrides: string list) =
    let root = tempDir ()
    let exps = match ScriptHost.load (Path.Combine(repoRoot (), "experiments", name + ".fsx")) with Ok xs -> xs | Error m -> failwithf "%A" m
    let plan = match Settings.planWith overrides exps.Head with Ok p -> p | Error errs -> failwithf "%A" (errs |> List.map Check.message)
    root, Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } plan

/// The ids of the plots the report rendered with plotly (an SVG inside each plot div), and the page's script errors.
let private rendered (report: string) =
    let dom, _ = dumpDom report
    let ids = Regex.Matches(dom, "id=\"(plot-[^\"]+)\"") |> Seq.map (fun m -> m.Groups.[1].Value) |> Seq.toList
    let chunks = Regex.Split(dom, "id=\"plot-") |> Array.skip 1 |> List.ofArray
    let drawn = List.zip ids chunks |> List.filter (fun (_, c) -> c.Contains "class=\"main-svg\"") |> List.map fst
    let errors = Regex.Match(dom, "<pre id=\"console-errors\"[^>]*>(.*?)</pre>", RegexOptions.Singleline).Groups.[1].Value
    ids, drawn, errors

let private summaryMetrics (folder: string) =
    let s = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))
    [ for c in s.["cases"].AsArray() do
        for f in c.["fits"].AsArray() do
            for kv in f.["metrics"].AsObject() -> (c.["label"].GetValue<string>(), f.["fit"].GetValue<string>(), kv.Key), kv.Value.GetValue<float>() ]
    |> Map.ofList

let ``ECE8803 P3 end to end: Bernoulli mixtures write component means and samples that render, with a finite held-out NLL per K`` () =
    let root, outcome = runScript "ece8803_ps2_p3_bernoulli_mixture_mnist" [ "em.iterations=2"; "data.eval_subset=500" ]
    Assert.Equal(None, outcome.Error)
    let file n = Path.Combine(outcome.Folder, n)
    for n in [ "config.json"; "metrics.csv"; "summary.json"; "report.html"; "checkpoints/k5_em.pt"; "checkpoints/k20-all-60000_em.pt" ] do
        Assert.True(File.Exists(file n), sprintf "%s is missing" n)
    let m = summaryMetrics outcome.Folder
    for k in [ "k5"; "k10"; "k20"; "k20-data-start"; "k20-all-60000" ] do
        let nll = m.[(k, "em", "nll")]
        // Between a perfect model (0) and the all-1/2 model (784 ln 2 = 543.4 nats).
        Assert.True(nll > 0.0 && nll < 543.4, sprintf "%s: nll %g" k nll)
        Assert.Equal(nll / (784.0 * log 2.0), m.[(k, "em", "bits_per_dim")], 12)
    let ids, drawn, errors = rendered (file "report.html")
    Assert.Equal("", errors)
    Assert.Equal<string list>(ids, drawn)
    Assert.Contains("plot-k20-component-means-em", ids)
    Assert.Contains("plot-k5-samples-em", ids)
    try Directory.Delete(root, true) with _ -> ()

let ``ECE8803 P4 end to end: NICE, the conv VAE and the MLP VAE train a step each and report NLL, bits/dim, samples and reconstructions`` () =
    let quick = [ "budget.epochs=1"; "data.subset=256"; "data.eval_subset=16"; "metrics.samples=3"; "metrics.images=4"; "nice.hidden=32" ]
    let root, outcome = runScript "ece8803_ps2_p4_nice_vs_vae" quick
    Assert.Equal(None, outcome.Error)
    let file n = Path.Combine(outcome.Folder, n)
    for n in [ "checkpoints/nice_adam.pt"; "checkpoints/vae_adam/last.pt"; "checkpoints/vae-mlp_adam.pt" ] do
        Assert.True(File.Exists(file n), sprintf "%s is missing" n)
    let m = summaryMetrics outcome.Folder
    // NICE's bits/dim from its exact NLL on dequantised data: (NLL + 784 ln 256) / (784 ln 2).
    Assert.Equal((m.[("nice", "adam", "nll")] + 784.0 * log 256.0) / (784.0 * log 2.0), m.[("nice", "adam", "bits_per_dim")], 9)
    for v in [ "vae"; "vae-mlp" ] do
        // The IWAE bound asked for is the NLL reported, and -ELBO is finite and positive.
        Assert.Equal(m.[(v, "adam", "neg_iwae_3")], m.[(v, "adam", "nll")])
        Assert.True(m.[(v, "adam", "neg_elbo")] > 0.0)
    let ids, drawn, errors = rendered (file "report.html")
    Assert.Equal("", errors)
    Assert.Equal<string list>(ids, drawn)
    for id in [ "plot-nice-samples-adam"; "plot-vae-samples-adam"; "plot-vae-reconstructions-adam"; "plot-vae-mlp-curves-adam" ] do
        Assert.Contains(id, ids)
    try Directory.Delete(root, true) with _ -> ()

let ``Mila Q4 end to end: the IWAE-bounds script evaluates L_1, L_5, L_50 and L_5000 and states the three orderings`` () =
    let root, outcome = runScript "mila_dgm_q4_iwae_bounds" [ "budget.epochs=1"; "data.subset=256"; "data.eval_subset=64"; "metrics.images=4"; "eval_every=2" ]
    Assert.Equal(None, outcome.Error)
    Assert.Equal(3, outcome.Expectations.Length)
    let m = summaryMetrics outcome.Folder
    for k in [ 1; 5; 50; 5000 ] do
        Assert.True(System.Double.IsFinite m.[("vae", "adam", sprintf "neg_iwae_%d" k)])
    try Directory.Delete(root, true) with _ -> ()

/// A small MLP VAE on 256 binarised images, Adam, `steps` steps with a checkpoint every 2.
let private tinyVae (steps: int) =
    Experiment.create "resume"
    |> Experiment.seed 11UL
    |> Experiment.withCase (
        Case.create "v" (Data.mnist |> Data.dynamicBinarized |> Data.subset 256 |> Data.evalSubset 32) (Model.vaeMlp 784 16 2)
            [ Fit.adam 1e-2 (Steps steps) |> Fit.batch 32 |> Fit.objective Elbo |> Fit.checkpointEvery (Steps 2) ])
    |> Experiment.metrics [ NegElbo ]

let ``a gradient fit stopped after 2 of 6 steps and resumed from its run folder ends bit-identical to a straight 6-step run`` () =
    let root = tempDir ()
    let runOf e = match Check.plan e with Ok p -> Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } p | Error es -> failwithf "%A" es
    let straight = runOf (tinyVae 6)
    let cut = runOf (tinyVae 2)
    Assert.Equal(None, straight.Error)
    Assert.Equal(None, cut.Error)
    // The interrupted run's config says 6 steps, as if it had been stopped after its step-2 checkpoint.
    File.WriteAllText(Path.Combine(cut.Folder, "config.json"), Describe.toJson (tinyVae 6))
    RunFolder.mark cut.Folder "INTERRUPTED" "stopped after step 2 (simulated)\n"
    match Interpret.resume { Runs.defaults with Threads = Some 1 } cut.Folder with
    | Error m -> failwith m
    | Ok resumed ->
        Assert.Equal(None, resumed.Error)
        let a, b = summaryMetrics straight.Folder, summaryMetrics resumed.Folder
        Assert.Equal(a.[("v", "adam", "neg_elbo")], b.[("v", "adam", "neg_elbo")])
        let pa = GenDsl.Torch.Torch.Load(Path.Combine(straight.Folder, "checkpoints", "v_adam.pt"))
        let pb = GenDsl.Torch.Torch.Load(Path.Combine(resumed.Folder, "checkpoints", "v_adam.pt"))
        for kv in pa do
            Assert.True(kv.Value.Equal(pb.[kv.Key]), sprintf "parameter %s differs after resume" kv.Key)
    try Directory.Delete(root, true) with _ -> ()

/// The "loss" rows of fit v/adam in a run folder's metrics.csv: (step, value) in file order.
let private lossRows (folder: string) =
    [ for line in File.ReadAllLines(Path.Combine(folder, "metrics.csv")) |> Array.skip 1 do
        match line.Split(',') with
        | [| "v"; "adam"; step; "loss"; v; _ |] -> int step, float v
        | _ -> () ]

let ``a resumed fit logs each step once and its learning curve starts at step 1, not at the checkpoint`` () =
    let root = tempDir ()
    let runOf e = match Check.plan e with Ok p -> Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } p | Error es -> failwithf "%A" es
    let withCurves steps = tinyVae steps |> Experiment.plots [ LearningCurves ]
    let straight = runOf (withCurves 6)
    let cut = runOf (withCurves 2)
    Assert.Equal(None, cut.Error)
    File.WriteAllText(Path.Combine(cut.Folder, "config.json"), Describe.toJson (withCurves 6))
    // The stopped process got past its step-2 checkpoint: it logged steps 3 and 4 (values a resumed run cannot produce).
    File.AppendAllText(Path.Combine(cut.Folder, "metrics.csv"), "v,adam,3,loss,999,0.1\nv,adam,4,loss,998,0.1\n")
    File.AppendAllText(Path.Combine(cut.Folder, "metrics.jsonl"),
                       "{\"case\":\"v\",\"fit\":\"adam\",\"step\":3,\"seconds\":0.1,\"loss\":999}\n")
    RunFolder.mark cut.Folder "INTERRUPTED" "stopped after step 4, last checkpoint at step 2 (simulated)\n"
    match Interpret.resume { Runs.defaults with Threads = Some 1 } cut.Folder with
    | Error m -> failwith m
    | Ok resumed ->
        Assert.Equal(None, resumed.Error)
        // Steps 1..6 once each, with the straight run's losses (the resume is bit-identical, so equal as written).
        Assert.Equal<(int * float) list>(lossRows straight.Folder, lossRows resumed.Folder)
        Assert.Equal<int list>([ 1 .. 6 ], lossRows resumed.Folder |> List.map fst)
        let steps =
            [ for line in File.ReadAllLines(Path.Combine(resumed.Folder, "metrics.jsonl")) do
                let o = JsonNode.Parse line
                if o.["fit"].GetValue<string>() = "adam" && o.["loss"] <> null then o.["step"].GetValue<int>() ]
        Assert.Equal<int list>([ 1 .. 6 ], steps)
        // The report's learning curve covers the whole fit, the steps before the checkpoint included.
        let curve = JsonNode.Parse(File.ReadAllText(Path.Combine(resumed.Folder, "plots", "v-curves-adam.json"))).["data"].AsArray()
        let xs = [ for x in curve.[0].["x"].AsArray() -> x.GetValue<float>() ]
        Assert.Equal<float list>([ 1.0 .. 6.0 ], xs)
    try Directory.Delete(root, true) with _ -> ()

let ``gendsl resume --set lengthens a finished run's fit from its last checkpoint to a straight run's end; a shorter or unchanged budget, another setting, a cosine schedule and a missing checkpoint are refused, the folder untouched`` () =
    let root = tempDir ()
    let runOf e = match Check.plan e with Ok p -> Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } p | Error es -> failwithf "%A" es
    let straight = runOf (tinyVae 6)
    let short = runOf (tinyVae 4)
    Assert.Equal(None, short.Error)
    let config = Path.Combine(short.Folder, "config.json")
    let before = File.ReadAllText config
    // Each refusal: exit 1 (usage), a message naming the cause, the folder still DONE with its config as it was.
    let refused (sets: string list) (says: string) =
        let code, _, err = cli ([ "resume"; short.Folder ] @ (sets |> List.collect (fun s -> [ "--set"; s ])))
        Assert.True((code = 1), sprintf "exit %d: %s" code err)
        Assert.Contains(says, err)
        Assert.Equal(before, File.ReadAllText config)
        Assert.Equal(RunFolder.Done, RunFolder.state short.Folder)
    refused [] "lengthen its fits with --set"
    refused [ "adam.steps=2" ] "would go from 4 to 2 steps"
    refused [ "adam.steps=4" ] "no fit is lengthened (every budget stays as it was: v.adam 4 steps); give a longer one, e.g. --set v.adam.steps=8"
    refused [ "adam.steps=6"; "adam.lr=0.5" ] "changes nothing else, but this changes cases.v.fits.adam.fitter.optimizer.lr"
    let last = Path.Combine(short.Folder, "checkpoints", "v_adam", "last.pt")
    File.Move(last, last + ".away")
    refused [ "adam.steps=6" ] "kept no checkpoint of its last step"
    File.Move(last + ".away", last)
    // Lengthened: 4 -> 6 steps from the step-4 checkpoint, ending bit-identical to the straight 6-step run.
    let code, out, err = cli [ "resume"; short.Folder; "--set"; "adam.steps=6"; "--threads"; "1" ]
    Assert.True((code = 0), sprintf "exit %d: %s %s" code out err)
    assertSameEnd straight.Folder short.Folder "v_adam.pt"
    Assert.Equal<(int * float) list>(lossRows straight.Folder, lossRows short.Folder)
    Assert.Equal(Describe.toJson (tinyVae 6), File.ReadAllText config)        // the folder's config says what it ran
    Assert.Contains("--set adam.steps=6", File.ReadAllText(Path.Combine(short.Folder, "provenance.json")))
    // A cosine schedule anneals over the whole fit: lengthening it would change the steps already run.
    let cosine = runOf (tinyVae 4 |> fun e -> { e with Cases = e.Cases |> List.map (fun c -> { c with Fits = c.Fits |> List.map (Fit.schedule (Cosine 0.0)) }) })
    let code, _, err = cli [ "resume"; cosine.Folder; "--set"; "adam.steps=6" ]
    Assert.Equal(1, code)
    Assert.Contains("depends on its length", err)
    try Directory.Delete(root, true) with _ -> ()

let ``CSE599i P8 end to end: three tiny Transformer LMs train, report test nats per token, perplexity and samples, and their curves share a figure`` () =
    let quick = [ "budget.epochs=1"; "data.subset=400"; "data.eval_subset=200"; "context=16"; "batch=8"; "eval_every=2"; "layers=1"; "width=32"; "feed_forward=32"; "head_dim=8"; "heads=2" ]
    let root, outcome = runScript "cse599i_hw1_p8_transformer_wikitext2" quick
    Assert.Equal(None, outcome.Error)
    let m = summaryMetrics outcome.Folder
    for c in [ "b"; "c"; "d" ] do
        let nll = m.[(c, "adam", "nll")]
        // Barely trained: near the uniform model's ln 33,278 = 10.41 nats per token, and perplexity = e^nll.
        Assert.InRange(nll, 5.0, 12.0)
        Assert.Equal(exp nll, m.[(c, "adam", "perplexity")], 6)
        // log p(test) over the 199 predicted tokens of the first 200.
        Assert.Equal(-199.0 * nll, m.[(c, "adam", "total_log_likelihood")], 6)
    let report = File.ReadAllText(Path.Combine(outcome.Folder, "report.html"))
    Assert.Contains("b, adam: samples", report)
    let ids, drawn, errors = rendered (Path.Combine(outcome.Folder, "report.html"))
    Assert.Equal("", errors)
    Assert.Equal<string list>(ids, drawn)
    Assert.Contains("plot-all-valid_nll", ids)
    try Directory.Delete(root, true) with _ -> ()

let ``DS-GA 1008 1.3-1.7 end to end: GMM, KDE and EBM on the ring report test NLLs with standard errors, log Z both ways, and their densities render`` () =
    let root, outcome = runScript "dsga1008_final_1_density_estimation" [ "ebm.budget.steps=20"; "samples=500"; "em.iterations=30"; "eval_every=10" ]
    Assert.Equal(None, outcome.Error)
    let m = summaryMetrics outcome.Folder
    for r in [ "R=10"; "R=1" ] do
        let truth = m.[(r + "-kde", "kde", "true_test_nll")]
        // One test sample per radius: the true mixture's test NLL is the same number in every case of that radius.
        Assert.Equal(truth, m.[(r + "-gmm", "em", "true_test_nll")])
        Assert.Equal(truth, m.[(r + "-ebm", "ebm", "true_test_nll")])
        for c, f in [ r + "-gmm", "em"; r + "-kde", "kde"; r + "-ebm", "ebm" ] do
            Assert.True(m.[(c, f, "test_nll_se")] > 0.0 && m.[(c, f, "test_nll_se")] < 0.2)
        Assert.True(System.Double.IsFinite m.[(r + "-ebm", "ebm", "log_z")] && System.Double.IsFinite m.[(r + "-ebm", "ebm", "log_z_quadrature")])
    let ids, drawn, errors = rendered (Path.Combine(outcome.Folder, "report.html"))
    Assert.Equal("", errors)
    Assert.Equal<string list>(ids, drawn)
    for id in [ "plot-R_10-kde-bandwidth-kde"; "plot-R_1-ebm-density-ebm"; "plot-R_10-gmm-density-em" ] do
        Assert.Contains(id, ids)
    try Directory.Delete(root, true) with _ -> ()

let ``Mila Q6 GAN end to end: both update schemes train, count covered modes out of 10 and draw samples over training`` () =
    let root, outcome = runScript "mila_dgm_q6_gan_ring" [ "budget.steps=60"; "snapshot_every=30"; "q6.steps=20" ]
    Assert.Equal(None, outcome.Error)
    let m = summaryMetrics outcome.Folder
    for c in [ "simultaneous"; "alternating" ] do
        Assert.InRange(m.[(c, "gan", "modes_covered")], 0.0, 10.0)
        Assert.True(System.Double.IsFinite m.[(c, "gan", "sample_nll")])
    let ids, drawn, errors = rendered (Path.Combine(outcome.Folder, "report.html"))
    Assert.Equal("", errors)
    Assert.Equal<string list>(ids, drawn)
    Assert.Contains("plot-alternating-snapshots-gan", ids)
    try Directory.Delete(root, true) with _ -> ()

let ``DS-GA 1008 1.2: at R = 10 EM recovers the ring's means and weights within their sampling error, and at every R its NLL is at most the truth's`` () =
    let root, outcome = runScript "dsga1008_final_1_ring_gmm" []
    Assert.Equal(None, outcome.Error)
    // Two bounds at R = 10 and NLL <= true NLL for each of the three radii.
    Assert.Equal(5, outcome.Expectations.Length)
    for claim, held in outcome.Expectations do Assert.True(held, claim)
    let m = summaryMetrics outcome.Folder
    // The mean distance |mu_k - true| at R = 10 is near its expected 0.1 sqrt(pi/2) = 0.125 (sd of a mean of ten about 0.02).
    Assert.InRange(m.[("R=10", "em", "mean_error")], 0.125 - 4.0 * 0.02, 0.125 + 4.0 * 0.02)
    try Directory.Delete(root, true) with _ -> ()

let ``gendsl sample draws an image grid from a finished VAE run, the same for the same seed, and says what is missing otherwise`` () =
    let root = tempDir ()
    let outcome = match Check.plan (tinyVae 2) with Ok p -> Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } p | Error es -> failwithf "%A" es
    Assert.Equal(None, outcome.Error)
    let request: Sample.Request = { Folder = outcome.Folder; Case = None; Fit = None; Count = 4; Prompt = "the"; Temperature = 1.0; TopK = 0; Seed = 5UL }
    match Sample.draw request, Sample.draw request with
    | Ok (FamilyCommon.ImagePage a), Ok (FamilyCommon.ImagePage b) ->
        Assert.Equal(a, b)
        let page = File.ReadAllText a
        Assert.Contains("v, adam: 4 samples", page)
        Assert.Contains("\"type\":\"heatmap\"", page)
    | other -> failwithf "expected two image pages, got %A" other
    match Sample.draw { request with Case = Some "nope" } with
    | Error m -> Assert.Contains("no case/fit matches (cases: v)", m)
    | Ok _ -> failwith "an unknown case was sampled"
    File.Delete(Path.Combine(outcome.Folder, "checkpoints", "v_adam.pt"))
    match Sample.draw request with
    | Error m -> Assert.Contains("no checkpoint", m)
    | Ok _ -> failwith "a missing checkpoint was not reported"
    try Directory.Delete(root, true) with _ -> ()

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.NeuralEndToEndTests" [
        Expecto.Tests.testCase "gendsl resume --set lengthens a finished run's fit from its last checkpoint to a straight run's end; a shorter or unchanged budget, another setting, a cosine schedule and a missing checkpoint are refused, the folder untouched" ``gendsl resume --set lengthens a finished run's fit from its last checkpoint to a straight run's end; a shorter or unchanged budget, another setting, a cosine schedule and a missing checkpoint are refused, the folder untouched``
        Expecto.Tests.testCase "ECE8803 P3 end to end: Bernoulli mixtures write component means and samples that render, with a finite held-out NLL per K" ``ECE8803 P3 end to end: Bernoulli mixtures write component means and samples that render, with a finite held-out NLL per K``
        Expecto.Tests.testCase "ECE8803 P4 end to end: NICE, the conv VAE and the MLP VAE train a step each and report NLL, bits/dim, samples and reconstructions" ``ECE8803 P4 end to end: NICE, the conv VAE and the MLP VAE train a step each and report NLL, bits/dim, samples and reconstructions``
        Expecto.Tests.testCase "Mila Q4 end to end: the IWAE-bounds script evaluates L_1, L_5, L_50 and L_5000 and states the three orderings" ``Mila Q4 end to end: the IWAE-bounds script evaluates L_1, L_5, L_50 and L_5000 and states the three orderings``
        Expecto.Tests.testCase "a gradient fit stopped after 2 of 6 steps and resumed from its run folder ends bit-identical to a straight 6-step run" ``a gradient fit stopped after 2 of 6 steps and resumed from its run folder ends bit-identical to a straight 6-step run``
        Expecto.Tests.testCase "a resumed fit logs each step once and its learning curve starts at step 1, not at the checkpoint" ``a resumed fit logs each step once and its learning curve starts at step 1, not at the checkpoint``
        Expecto.Tests.testCase "CSE599i P8 end to end: three tiny Transformer LMs train, report test nats per token, perplexity and samples, and their curves share a figure" ``CSE599i P8 end to end: three tiny Transformer LMs train, report test nats per token, perplexity and samples, and their curves share a figure``
        Expecto.Tests.testCase "DS-GA 1008 1.3-1.7 end to end: GMM, KDE and EBM on the ring report test NLLs with standard errors, log Z both ways, and their densities render" ``DS-GA 1008 1.3-1.7 end to end: GMM, KDE and EBM on the ring report test NLLs with standard errors, log Z both ways, and their densities render``
        Expecto.Tests.testCase "Mila Q6 GAN end to end: both update schemes train, count covered modes out of 10 and draw samples over training" ``Mila Q6 GAN end to end: both update schemes train, count covered modes out of 10 and draw samples over training``
        Expecto.Tests.testCase "DS-GA 1008 1.2: at R = 10 EM recovers the ring's means and weights within their sampling error, and at every R its NLL is at most the truth's" ``DS-GA 1008 1.2: at R = 10 EM recovers the ring's means and weights within their sampling error, and at every R its NLL is at most the truth's``
        Expecto.Tests.testCase "gendsl sample draws an image grid from a finished VAE run, the same for the same seed, and says what is missing otherwise" ``gendsl sample draws an image grid from a finished VAE run, the same for the same seed, and says what is missing otherwise``
    ]
