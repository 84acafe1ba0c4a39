/// OpenLanguageTests.fs: issue 21's "done when" through the command line — the open-ring script (a RealNVP written in
/// it beside the built-in GMM, KDE, NICE and VAE on the ring) runs, renders, resumes bit-identically and samples; every
/// `Quick:` line of experiments/ and the --help example pass `check`; --set reaches labels with '.' and '=', never
/// suggests the key it refuses, and refuses to collapse a learning-rate sweep unless told --set-all.
module GenDsl.Tests.Dsl.OpenLanguageTests

open System
open System.IO
open System.Text.Json.Nodes
open System.Text.RegularExpressions
open Xunit
open GenDsl.Dsl
open GenDsl.Tests.Support
open GenDsl.Tests.Dsl.EndToEndTests

let private script = lazy (Path.Combine(repoRoot (), "experiments", "open_ring_models.fsx"))

let private summary (folder: string) =
    let s = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))
    [ for c in s.["cases"].AsArray() do
        for f in c.["fits"].AsArray() do
            for kv in f.["metrics"].AsObject() -> (c.["label"].GetValue<string>(), kv.Key), kv.Value.GetValue<float>() ]
    |> Map.ofList

let private folderOf (out: string) = Regex.Match(out, @"report: (.*)report\.html").Groups.[1].Value.Trim()

let ``open ring end to end: RealNVP from the script, GMM, KDE, NICE and the VAE train on the ring and render in one report`` () =
    let root = tempDir ()
    let code, out, err = cli [ "run"; script.Value; "--set"; "budget.steps=40"; "--threads"; "1"; "-o"; root ]
    Assert.True((code = 0), err)
    let folder = Path.Combine(folderOf out)
    let m = summary folder
    // The true ring's test NLL (about 4.8 nats) bounds every density from below up to noise (SE ~0.015 on 2000 points);
    // a density that learned nothing (a unit Gaussian at 0 on a ring of radius 5: log 2 pi + 27 / 2 = 15.3) is far above.
    let truth = m.[("gmm", "true_test_nll")]
    for c in [ "gmm"; "kde"; "realnvp"; "nice" ] do
        let v = m.[(c, "test_nll")]
        Assert.True(v > truth - 0.1 && v < 15.0, sprintf "%s: test nll %g (truth %g)" c v truth)
    Assert.True(Double.IsFinite m.[("vae", "nll")])
    Assert.True(File.Exists(Path.Combine(folder, "script.txt")))
    let dom, _ = dumpDom (Path.Combine(folder, "report.html"))
    for id in [ "plot-realnvp-density-adam"; "plot-realnvp-samples-adam"; "plot-nice-density-adam"; "plot-vae-samples-adam"; "plot-kde-density-kde"; "plot-gmm-density-em" ] do
        Assert.Contains(sprintf "id=\"%s\"" id, dom)
    Assert.DoesNotContain("Error", Regex.Match(dom, "<pre id=\"console-errors\"[^>]*>(.*?)</pre>", RegexOptions.Singleline).Groups.[1].Value)
    try Directory.Delete(root, true) with _ -> ()

let ``gendsl resume continues a script model from its checkpoint bit-identically, and gendsl sample draws from it`` () =
    let root = tempDir ()
    let run (steps: int) (out: string) =
        let code, o, err = cli [ "run"; script.Value; "--case"; "realnvp"; "--set"; sprintf "budget.steps=%d" steps; "--set"; "checkpoint_every=2"; "--threads"; "1"; "-o"; out ]
        Assert.True((code = 0), err)
        folderOf o
    let straight = run 6 (Path.Combine(root, "a"))
    let cut = run 2 (Path.Combine(root, "b"))
    // The cut run's config says 6 steps, as if it had been stopped after its step-2 checkpoint.
    File.Copy(Path.Combine(straight, "config.json"), Path.Combine(cut, "config.json"), true)
    RunFolder.mark cut "INTERRUPTED" "stopped after step 2 (simulated)\n"
    let code, _, err = cli [ "resume"; cut; "--threads"; "1" ]
    Assert.True((code = 0), err)
    let pa = GenDsl.Torch.Torch.Load(Path.Combine(straight, "checkpoints", "realnvp_adam.pt"))
    let pb = GenDsl.Torch.Torch.Load(Path.Combine(cut, "checkpoints", "realnvp_adam.pt"))
    Assert.Equal(6 * 2 * 2, pa.Count)   // 6 couplings x two Linear layers x (weight, bias)
    for kv in pa do
        Assert.True(kv.Value.Equal(pb.[kv.Key]), sprintf "parameter %s differs after resume" kv.Key)
    let code, out, err = cli [ "sample"; cut; "--case"; "realnvp"; "-n"; "50"; "--seed"; "3" ]
    Assert.True((code = 0), err)
    let csv = Regex.Match(out, @"samples: (.*\.csv)").Groups.[1].Value
    let lines = File.ReadAllLines csv
    Assert.Equal(51, lines.Length)
    Assert.Equal("x1,x2", lines.[0])
    try Directory.Delete(root, true) with _ -> ()

let ``every Quick line in experiments/ and the --help example pass check`` () =
    let dir = Path.Combine(repoRoot (), "experiments")
    let lines =
        [ for f in Directory.GetFiles(dir, "*.fsx") do
            for l in File.ReadLines f do
                if l.StartsWith "// Quick:" then f, l ]
    Assert.True(lines.Length >= 8, sprintf "only %d Quick lines" lines.Length)
    let cwd = Environment.CurrentDirectory
    Environment.CurrentDirectory <- repoRoot ()
    try
        for f, l in lines do
            // "dotnet run --project src/Cli -- <script> --set ..." -> check <script> --set ...
            let args = l.Substring(l.IndexOf(" -- ") + 4).Split(' ', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
            let code, _, err = cli ("check" :: args)
            Assert.True((code = 0), sprintf "%s: %s\n%s" (Path.GetFileName f) l err)
        let code, help, _ = cli [ "--help" ]
        ignore code
        for m in Regex.Matches(help, @"--set ([^\s;<]+=[0-9][^\s;]*)") do
            let code, _, err = cli [ "check"; "experiments/cse599i_hw1_p7_gmm.fsx"; "--set"; m.Groups.[1].Value.TrimEnd('.', ',') ]
            Assert.True((code = 0) || m.Groups.[1].Value.StartsWith "[", sprintf "--help's example --set %s: %s" m.Groups.[1].Value err)
    finally
        Environment.CurrentDirectory <- cwd

/// A learning-rate sweep as three fits of one case, labelled by their rates.
let private sweep =
    Experiment.create "sweep"
    |> Experiment.withCase (
        Case.create "p" (Data.ring 4 2.0 200) (Model.gmm 4)
            [ for lr in [ 0.001; 0.01; 0.1 ] -> Fit.gd lr 5 |> Fit.named (sprintf "lr=%g" lr) ])

let private lrs (e: Experiment) =
    [ for f in e.Cases.Head.Fits -> match f.Fitter with Gradient { Optimizer = Sgd s } -> f.Name, s.Lr | _ -> f.Name, nan ]

let private errorsOf (r: Result<Experiment, DslError list>) =
    match r with
    | Ok _ -> failwith "accepted"
    | Error es -> es |> List.map Check.message |> String.concat "\n"

let ``--set reaches a fit labelled lr=0.001 in brackets or quotes, and sets only that fit`` () =
    match Settings.applyOverrides [ "[lr=0.001].lr=0.002"; "\"lr=0.01\".lr=0.02" ] sweep with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok e -> Assert.Equal<(string * float) list>([ "lr=0.001", 0.002; "lr=0.01", 0.02; "lr=0.1", 0.1 ], lrs e)
    // Without brackets the key is cut at its first '=': refused with the bracketed form.
    Assert.Contains("it has two '=': a case or fit label holding '=' or '.' goes in brackets, e.g. --set [lr=0.001].lr=3",
                    errorsOf (Settings.applyOverrides [ "lr=0.001.lr=3" ] sweep))

let ``--set refuses to make a three-fit learning-rate sweep one value (before: silently collapsed), --set-all does it`` () =
    let msg = errorsOf (Settings.applyOverrides [ "lr=0.05" ] sweep)
    Assert.Contains("it names 3 fits of cases.p that now differ", msg)
    Assert.Contains("--set-all lr=0.05", msg)
    match Settings.applyAssignments [ Settings.All "lr=0.05" ] sweep with
    | Ok e -> Assert.True(lrs e |> List.forall (fun (_, lr) -> lr = 0.05))
    | Error es -> failwithf "%A" es
    // Fits that hold one value may be set together, and several cases still take one key (the Quick lines' use).
    match Settings.applyOverrides [ "steps=7" ] sweep with
    | Ok e -> Assert.True(e.Cases.Head.Fits |> List.forall (fun f -> stepsOf f = 7))
    | Error es -> failwithf "%A" es

let ``--set switches a budget between epochs and steps (before: an unknown key), and a bad value names the key`` () =
    let e =
        Experiment.create "budgets"
        |> Experiment.withCase (
            Case.create "n" (Data.ring 4 2.0 200) (Model.nice |> Model.niceSize 2 8 1)
                [ Fit.adam 1e-3 (Epochs 3) |> Fit.batch 50 |> Fit.named "a"; Fit.adam 1e-3 (Steps 9) |> Fit.batch 50 |> Fit.named "b" ])
    let budgets (e: Experiment) = [ for f in e.Cases.Head.Fits -> match f.Fitter with Gradient t -> f.Name, t.Budget | _ -> f.Name, Steps 0 ]
    match Settings.applyOverrides [ "a.steps=40"; "b.epochs=2" ] e with
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    | Ok e2 -> Assert.Equal<(string * Budget) list>([ "a", Steps 40; "b", Epochs 2 ], budgets e2)
    // a key that names the unit the budget already has still just sets it
    match Settings.applyOverrides [ "a.epochs=5" ] e with
    | Ok e2 -> Assert.Equal<(string * Budget) list>([ "a", Epochs 5; "b", Steps 9 ], budgets e2)
    | Error es -> failwithf "%A" (es |> List.map Check.message)
    Assert.Contains("parameter 'a.steps': cannot use 'x'", errorsOf (Settings.applyOverrides [ "a.steps=x" ] e))

let ``did-you-mean never offers the key it refuses, and brackets a label with dots (before: the same key offered)`` () =
    let e = { sweep with Cases = [ { sweep.Cases.Head with Fits = [ Fit.gd 0.001 5 |> Fit.named "adam-0.001" ] } ] }
    let msg = errorsOf (Settings.applyOverrides [ "adam-0.001.lr=0.01" ] e)
    Assert.Contains("unknown parameter 'adam-0.001.lr'", msg)
    Assert.Contains("did you mean '[adam-0.001].lr'?", msg)
    match Settings.applyOverrides [ "[adam-0.001].lr=0.01" ] e with
    | Ok e2 -> Assert.Equal<(string * float) list>([ "adam-0.001", 0.01 ], lrs e2)
    | Error es -> failwithf "%A" (es |> List.map Check.message)

let ``P7's old header key fit.sgd.steps is answered with fits.sgd.steps, not fits.gd.steps`` () =
    let p7 =
        Experiment.create "p7"
        |> Experiment.withCase (Case.create "p7" (Data.cse599iP7 300) (Model.gmm 3) [ Fit.gd 2.0 10; Fit.sgd 0.01 50; Fit.em 10 ])
    let msg = errorsOf (Settings.applyOverrides [ "fit.sgd.steps=500" ] p7)
    Assert.Contains("did you mean 'fits.sgd.steps'?", msg)

let ``gendsl list on a folder without scripts says so and exits 1 (before: printed nothing)`` () =
    let d = tempDir ()
    let code, _, err = cli [ "list"; d ]
    Assert.Equal(1, code)
    Assert.Contains("holds no experiment scripts (*.fsx)", err)
    Directory.Delete(d, true)

let ``a builder that does nothing to its target is an error naming both (before: a silent no-op that passed check)`` () =
    let fails (f: unit -> obj) (want: string) =
        let ex = Assert.Throws<ArgumentException>(fun () -> f () |> ignore)
        Assert.Contains(want, ex.Message)
    fails (fun () -> box (Data.ring 4 2.0 100 |> Data.subset 10)) "Data.subset does nothing to a MixtureSample: it is for MNIST and data files"
    fails (fun () -> box (Fit.em 10 |> Fit.schedule (Cosine 0.1))) "Fit.schedule does nothing to a Em: it is for gradient fits"
    fails (fun () -> box (Fit.em 10 |> Fit.clip 1.0)) "Fit.clip does nothing to a Em"
    fails (fun () -> box (Model.nice |> Model.likelihood (GaussianPixels 0.1))) "Model.likelihood does nothing to a Nice: it is for VAEs"
    fails (fun () -> box (Model.nice |> Model.fixedWeights)) "Model.fixedWeights does nothing to a Nice: it is for Gaussian mixtures"

let ``Data.jitter: every use of a training batch adds fresh N(0, sigma^2) noise, validation and test stay as drawn; sigma <= 0, MNIST and families that read their points once are refused`` () =
    let ring = Data.ring 4 2.0 500
    let clean = Sources.caseData 7UL ring
    let noisy = Sources.caseData 7UL (ring |> Data.jitter 0.3)
    let idx = [| 0L .. 499L |]
    use g = new GenDsl.Torch.Generator(1UL)
    let batch (d: Fitting.CaseData) s = (d.Split s).Batch(idx, g).ToArray<float32>() |> Array.map float
    let x0 = batch clean Train
    let e1 = Array.map2 (-) (batch noisy Train) x0
    let e2 = Array.map2 (-) (batch noisy Train) x0
    // 1,000 coordinates of noise: the mean within 4 SE of 0 (SE = 0.3 / sqrt 1000 = 0.0095) and the standard deviation
    // within 4 SE of 0.3 (SE of a normal sample's sd ~ sigma / sqrt (2n) = 0.0067).
    let mean = Array.average e1
    let sd = sqrt (Array.averageBy (fun e -> (e - mean) ** 2.0) e1)
    Assert.InRange(mean, -0.038, 0.038)
    Assert.InRange(sd, 0.3 - 0.027, 0.3 + 0.027)
    Assert.True(Array.forall2 (fun a b -> a <> b) e1 e2, "a second use of the same points drew the same noise")
    for s in [ Valid; Test ] do Assert.Equal<float[]>(batch clean s, batch noisy s)
    clean.Dispose(); noisy.Dispose()
    let errors (d: DataSpec) (m: ModelSpec) fit =
        match Check.plan (Experiment.create "j" |> Experiment.withCase (Case.create "c" d m [ fit ])) with
        | Ok _ -> []
        | Error es -> es |> List.map Check.message
    Assert.Equal<string list>([], errors (ring |> Data.jitter 0.3) (Model.flow Gaussian (Flow.nice 2 8 1)) (Fit.adam 1e-3 (Steps 5)))
    Assert.Contains("a Gaussian mixture model reads its training points once, so the jitter would do nothing", String.Join("\n", errors (ring |> Data.jitter 0.3) (Model.gmm 4) (Fit.em 5)))
    Assert.Contains("a KDE model reads its training points once", String.Join("\n", errors (ring |> Data.jitter 0.3) Model.kde Fit.closedForm))
    Assert.Contains("Data.jitter's standard deviation must be a finite number > 0, got 0", String.Join("\n", errors (ring |> Data.jitter 0.0) (Model.flow Gaussian (Flow.nice 2 8 1)) (Fit.adam 1e-3 (Steps 5))))
    let ex = Assert.Throws<ArgumentException>(fun () -> Data.mnist |> Data.jitter 0.1 |> ignore)
    Assert.Contains("Data.jitter does nothing to a Mnist: it is for mixture samples and data files", ex.Message)

let ``Fit.train's defaults on a GMM are not blamed: only the optimizer the user chose is (before: EvalEvery and checkpoint_every errors)`` () =
    let e fit = Experiment.create "x" |> Experiment.withCase (Case.create "c" (Data.cse599iP7 300) (Model.gmm 3) [ fit ])
    match Check.plan (e (Fit.adam 0.05 (Steps 20))) with
    | Ok _ -> failwith "Adam on a GMM was accepted"
    | Error es ->
        let msgs = es |> List.map Check.message
        Assert.Equal<string list>([ "case 'c', fit 'adam': a Gaussian mixture model has no optimizer other than plain gradient steps; it accepts: Fit.gd, Fit.sgd, Fit.em" ], msgs)
    // Fit.train with plain SGD on a GMM: its defaults (evaluate at the end, checkpoint every 500) pass.
    match Check.plan (e (Fit.train (Optim.sgd 0.1) (Steps 20))) with
    | Ok _ -> ()
    | Error es -> failwithf "%A" (es |> List.map Check.message)

let ``a gradient fit that ran its budget without a stopping rule reports converged false (before: true)`` () =
    let root = tempDir ()
    let e =
        Experiment.create "conv"
        |> Experiment.withCase (
            Case.create "n" (Data.ring 4 2.0 200) (Model.nice |> Model.niceSize 2 8 1 |> Model.prior Gaussian)
                [ Fit.adam 1e-3 (Steps 5) |> Fit.batch 50 ])
    let o = Interpret.run { Runs.defaults with OutputRoot = root; Threads = Some 1 } (match Check.plan e with Ok p -> p | Error es -> failwithf "%A" es)
    let s = JsonNode.Parse(File.ReadAllText(Path.Combine(o.Folder, "summary.json")))
    Assert.False(s.["cases"].[0].["fits"].[0].["converged"].GetValue<bool>())
    try Directory.Delete(root, true) with _ -> ()

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.OpenLanguageTests" [
        Expecto.Tests.testCase "open ring end to end: RealNVP from the script, GMM, KDE, NICE and the VAE train on the ring and render in one report" ``open ring end to end: RealNVP from the script, GMM, KDE, NICE and the VAE train on the ring and render in one report``
        Expecto.Tests.testCase "gendsl resume continues a script model from its checkpoint bit-identically, and gendsl sample draws from it" ``gendsl resume continues a script model from its checkpoint bit-identically, and gendsl sample draws from it``
        Expecto.Tests.testCase "every Quick line in experiments/ and the --help example pass check" ``every Quick line in experiments/ and the --help example pass check``
        Expecto.Tests.testCase "--set reaches a fit labelled lr=0.001 in brackets or quotes, and sets only that fit" ``--set reaches a fit labelled lr=0.001 in brackets or quotes, and sets only that fit``
        Expecto.Tests.testCase "--set refuses to make a three-fit learning-rate sweep one value (before: silently collapsed), --set-all does it" ``--set refuses to make a three-fit learning-rate sweep one value (before: silently collapsed), --set-all does it``
        Expecto.Tests.testCase "--set switches a budget between epochs and steps (before: an unknown key), and a bad value names the key" ``--set switches a budget between epochs and steps (before: an unknown key), and a bad value names the key``
        Expecto.Tests.testCase "did-you-mean never offers the key it refuses, and brackets a label with dots (before: the same key offered)" ``did-you-mean never offers the key it refuses, and brackets a label with dots (before: the same key offered)``
        Expecto.Tests.testCase "P7's old header key fit.sgd.steps is answered with fits.sgd.steps, not fits.gd.steps" ``P7's old header key fit.sgd.steps is answered with fits.sgd.steps, not fits.gd.steps``
        Expecto.Tests.testCase "gendsl list on a folder without scripts says so and exits 1 (before: printed nothing)" ``gendsl list on a folder without scripts says so and exits 1 (before: printed nothing)``
        Expecto.Tests.testCase "a builder that does nothing to its target is an error naming both (before: a silent no-op that passed check)" ``a builder that does nothing to its target is an error naming both (before: a silent no-op that passed check)``
        Expecto.Tests.testCase "Data.jitter: every use of a training batch adds fresh N(0, sigma^2) noise, validation and test stay as drawn; sigma <= 0, MNIST and families that read their points once are refused" ``Data.jitter: every use of a training batch adds fresh N(0, sigma^2) noise, validation and test stay as drawn; sigma <= 0, MNIST and families that read their points once are refused``
        Expecto.Tests.testCase "Fit.train's defaults on a GMM are not blamed: only the optimizer the user chose is (before: EvalEvery and checkpoint_every errors)" ``Fit.train's defaults on a GMM are not blamed: only the optimizer the user chose is (before: EvalEvery and checkpoint_every errors)``
        Expecto.Tests.testCase "a gradient fit that ran its budget without a stopping rule reports converged false (before: true)" ``a gradient fit that ran its budget without a stopping rule reports converged false (before: true)``
    ]
