/// RunSafetyTests.fs: runs never escape their folder and never lie about their state — names checked, paths proven
/// inside the run folder, bad numbers and places refused up front with exit 1, folders marked RUNNING/DONE/FAILED/
/// INTERRUPTED (killed when the pid is gone), stopped runs resumable to the same result, the exit-code table followed.
module GenDsl.Tests.Dsl.RunSafetyTests

open System
open System.IO
open System.Text.Json.Nodes
open System.Threading.Tasks
open Xunit
open GenDsl.Dsl
open GenDsl.Cli
open GenDsl.Tests.Support
open GenDsl.Tests.Dsl.EndToEndTests

// ---- helpers ----

let private write (dir: string) (name: string) (text: string) =
    let p = Path.Combine(dir, name)
    File.WriteAllText(p, text)
    p

/// Two well-separated clusters, a 2-component GMM fitted by EM and by GD: checks and runs in well under a second.
let private gmmScript (dir: string) (expectBelow: float) =
    write dir "gmm.fsx" (sprintf "open GenDsl.Dsl\n\nlet experiment =\n    Experiment.create \"gmm-tiny\"\n    |> Experiment.seed 5UL\n    |> Experiment.withCase (Case.create \"c\" (Data.points [ [ 0.0; 0.1 ]; [ 1.0; 1.2 ]; [ 0.3; -0.2 ]; [ 5.0; 5.1 ]; [ 5.2; 4.9 ]; [ 4.8; 5.3 ] ]) (Model.gmm 2) [ Fit.em 5; Fit.gd 0.1 5 ])\n    |> Experiment.expect (Expect.nll Below %g)\n" expectBelow)

/// A small MLP VAE on 256 binarised MNIST images; Adam, `steps` steps of 32, a checkpoint every 50.
let private vaeScriptText (steps: int) (lr: float) =
    sprintf "open GenDsl.Dsl\n\nlet experiment =\n    Experiment.create \"vae-tiny\"\n    |> Experiment.seed 3UL\n    |> Experiment.withCase (\n        Case.create \"v\" (Data.mnist |> Data.binarized |> Data.subset 256 |> Data.evalSubset 32) (Model.vaeMlp 784 16 2)\n            [ Fit.adam %g (Steps %d) |> Fit.batch 32 |> Fit.objective Elbo |> Fit.checkpointEvery (Steps 50) ])\n    |> Experiment.metrics [ NegElbo ]\n" lr steps

let private runFolders (root: string) =
    if Directory.Exists root then Directory.GetDirectories(root, "*", SearchOption.AllDirectories) |> Array.filter (fun d -> Directory.GetParent(d).Parent.FullName = Path.GetFullPath root)
    else [||]

let private summaryMetrics (folder: string) =
    let s = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))
    [ for c in s.["cases"].AsArray() do
        for f in c.["fits"].AsArray() do
            for kv in f.["metrics"].AsObject() -> (c.["label"].GetValue<string>(), f.["fit"].GetValue<string>(), kv.Key), kv.Value.GetValue<float>() ]
    |> Map.ofList

let private planOf (e: Experiment) = match Check.plan e with Ok p -> p | Error es -> failwithf "%A" (es |> List.map Check.message)

let private gmm (name: string) (label: string) (fit: string) (study: string) =
    Experiment.create name
    |> Experiment.withCase (Case.create label (Data.points [ [ 0.0; 0.0 ]; [ 1.0; 1.0 ]; [ 5.0; 5.0 ] ]) (Model.gmm 1) [ Fit.em 3 |> Fit.named fit ])
    |> Experiment.withStudy (Study.gda study 0.1 3)

// ---- names and paths ----

let ``check refuses traversal names (relative, absolute, empty, dot, separators) naming the value and the allowed characters`` () =
    let bad = [ "../../escape"; "/tmp/absname"; ""; "."; ".."; "a/b"; "a\\b"; "../../../../x"; "with space"; "tab\there"; String('k', 65) ]
    for name in bad do
        let variants =
            [ "experiment name", gmm name "c" "em" "s"
              "case label", gmm "e" name "em" "s"
              "fit name", gmm "e" "c" name "s"
              "study label", gmm "e" "c" "em" name ]
        for what, e in variants do
            match Check.plan e with
            | Ok _ -> failwithf "%s '%s' was accepted" what name
            | Error errs ->
                let msgs = errs |> List.map Check.message
                let m = msgs |> List.tryFind (fun m -> m.Contains(sprintf "%s '%s'" what name))
                Assert.True(m.IsSome, sprintf "no error names %s '%s': %A" what name msgs)
                Assert.Contains("letters, digits, '-', '_', '.' and '='", m.Value)
    // The names the seed scripts use pass.
    for ok in [ "R=2.5"; "k20-all-60000"; "vae_mlp"; "p7"; "order-3"; "..x"; "x.." ] do
        Assert.True((Check.plan (gmm ok ok ok ok)).IsOk, sprintf "'%s' was refused" ok)

let ``RunFolder.within keeps every path inside the folder: traversal, absolute, empty and dot parts raise`` () =
    let folder = Path.Combine(Path.GetTempPath(), "gendsl-within")
    let inside = RunFolder.within folder [ "checkpoints"; "v_adam.pt" ]
    Assert.Equal(Path.Combine(Path.GetFullPath folder, "checkpoints", "v_adam.pt"), inside)
    for parts in [ [ "../x" ]; [ ".." ]; [ "." ]; [ "" ]; [ "/etc/passwd" ]; [ "checkpoints"; "../../x.pt" ]; [ "a\\..\\..\\b" ]; [ "a/b" ]; [ "nul\000x" ]; [] ] do
        Assert.Throws<ArgumentException>(fun () -> RunFolder.within folder parts |> ignore) |> ignore

// ---- numbers and places refused up front ----

let ``every non-finite spelling is refused at every number the CLI reads, with exit 1 and no run folder`` () =
    let dir = tempDir ()
    let script = gmmScript dir 100.0
    let root = Path.Combine(dir, "runs")
    let spellings = [ "inf"; "1e400"; "nan"; "-inf"; "+Infinity"; "-1e999"; "NaN" ]
    // --set: all spellings in one call (every bad assignment is reported), for check and for run.
    let sets = spellings |> List.collect (fun v -> [ "--set"; sprintf "gd.lr=%s" v ])
    for cmd in [ [ "check"; script ]; [ "run"; script; "-o"; root ] ] do
        let code, _, err = cli (cmd @ sets)
        Assert.Equal(1, code)
        for v in spellings do Assert.Contains(sprintf "parameter 'gd.lr': cannot use '%s', expected a finite number" v, err)
    // --seed and --threads are integers: no spelling of infinity parses.
    for v in spellings do
        for opt in [ "--seed"; "--threads" ] do
            let code, _, err = cli [ "run"; script; "-o"; root; opt; v ]
            Assert.Equal(1, code)
            Assert.False(String.IsNullOrWhiteSpace err, "no message")
    Assert.Empty(runFolders root)

let ``bad places and machine options are refused before anything runs: exit 1, one hint, no run folder`` () =
    let dir = tempDir ()
    let script = gmmScript dir 100.0
    let root = Path.Combine(dir, "runs")
    let aFile = write dir "plain-file" "x"
    for out in [ "/etc/passwd/x"; Path.Combine(aFile, "x"); "/proc/gendsl-cannot-exist" ] do
        let code, _, err = cli [ "run"; script; "-o"; out ]
        Assert.Equal(1, code)
        Assert.Contains(sprintf "cannot write runs to '%s'" out, err)
    for args, says, hints in [ [ "--threads"; "0" ], "--threads must be >= 1, got 0", 0; [ "--threads"; "-3" ], "--threads must be >= 1, got -3", 0
                               [ "--device"; "tpu" ], "unknown device 'tpu'", 1; [ "--device"; "cuda:99" ], "device 'cuda:99'", 1 ] do
        let code, _, err = cli ([ "run"; script; "-o"; root ] @ args)
        Assert.Equal(1, code)
        Assert.Contains(says, err)
        // The device's hint ("use cpu ...") once, not twice.
        Assert.Equal(hints, err.Split("use ").Length - 1)
    Assert.Empty(runFolders root)

let ``sizes are checked against memory: a million-billion-point sample is refused with an estimate at least the data's own size`` () =
    let e n =
        Experiment.create "big" |> Experiment.withCase (Case.create "c" (Data.sample Cse599iP7 n) (Model.gmm 3) [ Fit.em 2 ])
    let plan = planOf (e 1_000_000_000)
    // The points alone take N * D * 8 bytes = 16 GB: refused under that, accepted with room to spare.
    match Memory.errorsWithin (16e9 - 1.0) plan with
    | [ err ] ->
        let m = Check.message err
        Assert.Contains("case 'c'", m)
        Assert.Matches(@"need about \d+(\.\d)? GB of memory", m)
    | other -> failwithf "expected one memory error, got %A" other
    Assert.Empty(Memory.errorsWithin 1e15 plan)
    // A small sample passes against this machine's memory.
    Assert.Empty(Memory.errors (planOf (e 1000)))

let ``a setting the family does not read is refused by check`` () =
    let gmmWith f = Experiment.create "e" |> Experiment.withCase (Case.create "c" (Data.points [ [ 0.0 ]; [ 1.0 ] ]) (Model.gmm 1) [ f (Fit.sgd 0.1 3) ])
    for f, key in [ Fit.clip 1.0, "clip_norm"; Fit.keepBest >> Fit.evalOn [ Valid ], "keep_best"; Fit.earlyStop 2 >> Fit.evalOn [ Valid ], "early_stop"; Fit.checkpointEvery (Steps 5), "checkpoint_every" ] do
        match Check.plan (gmmWith f) with
        | Ok _ -> failwithf "%s was accepted on a GMM gradient fit" key
        | Error errs -> Assert.Contains(sprintf "%s does nothing in a Gaussian mixture's gradient fit" key, String.Join("\n", errs |> List.map Check.message))
    let vae = Experiment.create "e" |> Experiment.withCase (Case.create "v" (Data.mnist |> Data.binarized) (Model.vaeMlp 784 16 2) [ Fit.adam 1e-3 (Steps 3) |> Fit.objective Elbo |> Fit.tol 1e-3 ])
    match Check.plan vae with
    | Ok _ -> failwith "tol was accepted on a VAE fit"
    | Error errs -> Assert.Contains("tol does nothing in a VAE's training", String.Join("\n", errs |> List.map Check.message))

let ``a runtime exception inside a script names the script's file and line, and its callers'`` () =
    let dir = tempDir ()
    let p = write dir "boom.fsx" "open GenDsl.Dsl\n\nlet f (x: int) =\n    if x > 2 then failwithf \"boom at %d\" x\n    x\n\nlet experiment =\n    let n = f 5\n    Experiment.create \"b\"\n"
    match ScriptHost.load p with
    | Ok _ -> failwith "a throwing script was accepted"
    | Error msgs -> Assert.Equal<string list>([ p + "(4): error: evaluation failed: Exception: boom at 5"; sprintf "  called from %s(8)" p ], msgs)

// ---- exit codes ----

let ``the exit-code table is followed: help and version 0, usage 1, failed run 2, failed expectation 3, and the README says the same`` () =
    for args in [ [ "-h" ]; [ "--help" ]; [ "help" ]; [ "run"; "--help" ] ] do
        let code, out, _ = cli args
        Assert.Equal(0, code)
        Assert.Contains("EXIT CODES:", out)
    let code, out, _ = cli [ "--version" ]
    Assert.Equal(0, code)
    Assert.StartsWith("gendsl ", out)
    Assert.Contains("\nBLAS: OpenBLAS ", out)   // the BLAS and its kernel (BlasChoiceTests checks the kernel)
    for args in [ []; [ "run" ]; [ "run"; "--threads"; "2" ]; [ "check" ]; [ "frobnicate.fsx"; "--bogus" ]; [ "check"; "/nonexistent/x.fsx" ]; [ "resume"; "/nonexistent" ] ] do
        let code, _, _ = cli args
        Assert.True((code = 1), sprintf "%A exited %d, expected 1" args code)
    let dir = tempDir ()
    let root = Path.Combine(dir, "runs")
    let code, _, _ = cli [ "run"; gmmScript dir 100.0; "-o"; root; "--threads"; "1" ]
    Assert.Equal(0, code)
    let code, out, _ = cli [ "run"; gmmScript dir -100.0; "-o"; root; "--threads"; "1" ]
    Assert.Equal(3, code)
    Assert.Contains("FAIL", out)
    // Adam at lr 1e30 diverges at once: the run fails during training.
    let code, _, err = cli [ "run"; write dir "vae.fsx" (vaeScriptText 20 1e30); "-o"; root; "--threads"; "1" ]
    Assert.Equal(2, code)
    Assert.Contains("run FAILED", err)
    let states = runFolders root |> Array.map RunFolder.state |> Array.sort
    Assert.Equal<RunFolder.RunState[]>([| RunFolder.Done; RunFolder.Done; RunFolder.Failed |] |> Array.sort, states)
    // The README's table and --help's list hold the same codes.
    let readme = File.ReadAllText(Path.Combine(repoRoot (), "README.md"))
    for c in [ 0; 1; 2; 3; 130; 143 ] do
        Assert.Contains(sprintf "| %d |" c, readme)
        Assert.Contains(sprintf "    %d " c, Program.exitCodesText)

// ---- markers, concurrency, interruption ----

let ``runs started together into one root get separate folders, each marked RUNNING with its pid`` () =
    let root = tempDir ()
    let folders = Array.zeroCreate 12
    Parallel.For(0, 12, fun i -> folders.[i] <- RunFolder.create root "same" "20260101-000000") |> ignore
    Assert.Equal(12, folders |> Array.distinct |> Array.length)
    for f in folders do
        Assert.StartsWith(sprintf "pid %d\n" Environment.ProcessId, File.ReadAllText(Path.Combine(f, "RUNNING")))
        Assert.Equal(RunFolder.Running, RunFolder.state f)
    // No half-made folder is left behind.
    Assert.Equal(12, Directory.GetDirectories(Path.Combine(root, "same")).Length)

let ``a RUNNING marker naming a dead or reused pid reads as killed`` () =
    let root = tempDir ()
    let f = RunFolder.create root "k" "x"
    Assert.Equal(RunFolder.Running, RunFolder.state f)
    // pid 1 exists but started long before this run: a reused pid.
    File.WriteAllText(Path.Combine(f, "RUNNING"), "pid 1\nstarted 2020-01-01T00:00:00+00:00\nprocess_started 2020-01-01T00:00:00.0000000Z\n")
    Assert.Equal(RunFolder.Killed, RunFolder.state f)
    File.WriteAllText(Path.Combine(f, "RUNNING"), sprintf "pid %d\n" Int32.MaxValue)
    Assert.Equal(RunFolder.Killed, RunFolder.state f)
    RunFolder.mark f "INTERRUPTED" "x"
    Assert.Equal(RunFolder.Interrupted, RunFolder.state f)
    Assert.False(File.Exists(Path.Combine(f, "RUNNING")))

/// Progress that asks the run to stop (as SIGINT does) once a task reaches `step`.
let private stopAt (step: int) =
    { new Runs.IProgress with
        member _.Begin(_, _) = ()
        member _.Step(_, k, _) = if k >= step then RunFolder.requestStop 2
        member _.End _ = () }

let private tinyVae (steps: int) =
    Experiment.create "stop"
    |> Experiment.seed 11UL
    |> Experiment.withCase (
        Case.create "v" (Data.mnist |> Data.dynamicBinarized |> Data.subset 128 |> Data.evalSubset 16) (Model.vaeMlp 784 16 2)
            [ Fit.adam 1e-2 (Steps steps) |> Fit.batch 32 |> Fit.objective Elbo |> Fit.checkpointEvery (Steps 0) ])
    |> Experiment.metrics [ NegElbo ]

let ``a stop request ends a gradient fit after its step with a checkpoint of that step, marks INTERRUPTED, and resume ends where a straight run ends`` () =
    let root = tempDir ()
    let opts = { Runs.defaults with OutputRoot = root; Threads = Some 1 }
    let straight = Interpret.run opts (planOf (tinyVae 8))
    try
        let cut = Interpret.run { opts with Progress = stopAt 3 } (planOf (tinyVae 8))
        Assert.Equal(Some 2, cut.Interrupted)
        Assert.Equal(RunFolder.Interrupted, RunFolder.state cut.Folder)
        Assert.False(File.Exists(Path.Combine(cut.Folder, "summary.json")))
        // The checkpoint holds the last logged step (CheckpointEvery = 0: written because of the stop).
        let lastLogged = File.ReadAllLines(Path.Combine(cut.Folder, "metrics.jsonl")) |> Array.last |> JsonNode.Parse
        let ck = GenDsl.Torch.Torch.Load(Path.Combine(cut.Folder, "checkpoints", "v_adam", "last.pt"))
        Assert.Equal(lastLogged.["step"].GetValue<int64>(), int64 (ck.["trainer.step"].ToDouble()))
        Assert.True(int64 (ck.["trainer.step"].ToDouble()) < 8L)
        RunFolder.clearStop ()
        match Interpret.resume { opts with Progress = Runs.silent } cut.Folder with
        | Error m -> failwith m
        | Ok resumed ->
            Assert.Equal(None, resumed.Error)
            Assert.Equal(RunFolder.Done, RunFolder.state resumed.Folder)
            Assert.True((summaryMetrics straight.Folder = summaryMetrics resumed.Folder), "the resumed run's metrics differ")
            // Resuming a DONE folder is refused.
            Assert.True((Interpret.resume opts cut.Folder).IsError)
    finally
        RunFolder.clearStop ()

let ``a stop request abandons an EM fit, and resume runs it again to the straight run's result`` () =
    let root = tempDir ()
    let e = Experiment.create "em-stop" |> Experiment.withCase (Case.create "c" (Data.sample Cse599iP7 300) (Model.gmm 3) [ Fit.em 6 ])
    let opts = { Runs.defaults with OutputRoot = root; Threads = Some 1 }
    let straight = Interpret.run opts (planOf e)
    try
        let cut = Interpret.run { opts with Progress = stopAt 2 } (planOf e)
        Assert.Equal(Some 2, cut.Interrupted)
        Assert.Equal(RunFolder.Interrupted, RunFolder.state cut.Folder)
        RunFolder.clearStop ()
        match Interpret.resume opts cut.Folder with
        | Error m -> failwith m
        | Ok resumed -> Assert.True((summaryMetrics straight.Folder = summaryMetrics resumed.Folder), "the resumed run's metrics differ")
    finally
        RunFolder.clearStop ()

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.RunSafetyTests" [
        Expecto.Tests.testCase "check refuses traversal names (relative, absolute, empty, dot, separators) naming the value and the allowed characters" ``check refuses traversal names (relative, absolute, empty, dot, separators) naming the value and the allowed characters``
        Expecto.Tests.testCase "RunFolder.within keeps every path inside the folder: traversal, absolute, empty and dot parts raise" ``RunFolder.within keeps every path inside the folder: traversal, absolute, empty and dot parts raise``
        Expecto.Tests.testCase "every non-finite spelling is refused at every number the CLI reads, with exit 1 and no run folder" ``every non-finite spelling is refused at every number the CLI reads, with exit 1 and no run folder``
        Expecto.Tests.testCase "bad places and machine options are refused before anything runs: exit 1, one hint, no run folder" ``bad places and machine options are refused before anything runs: exit 1, one hint, no run folder``
        Expecto.Tests.testCase "sizes are checked against memory: a million-billion-point sample is refused with an estimate at least the data's own size" ``sizes are checked against memory: a million-billion-point sample is refused with an estimate at least the data's own size``
        Expecto.Tests.testCase "a setting the family does not read is refused by check" ``a setting the family does not read is refused by check``
        Expecto.Tests.testCase "a runtime exception inside a script names the script's file and line, and its callers'" ``a runtime exception inside a script names the script's file and line, and its callers'``
        Expecto.Tests.testCase "the exit-code table is followed: help and version 0, usage 1, failed run 2, failed expectation 3, and the README says the same" ``the exit-code table is followed: help and version 0, usage 1, failed run 2, failed expectation 3, and the README says the same``
        Expecto.Tests.testCase "runs started together into one root get separate folders, each marked RUNNING with its pid" ``runs started together into one root get separate folders, each marked RUNNING with its pid``
        Expecto.Tests.testCase "a RUNNING marker naming a dead or reused pid reads as killed" ``a RUNNING marker naming a dead or reused pid reads as killed``
        Expecto.Tests.testCase "a stop request ends a gradient fit after its step with a checkpoint of that step, marks INTERRUPTED, and resume ends where a straight run ends" ``a stop request ends a gradient fit after its step with a checkpoint of that step, marks INTERRUPTED, and resume ends where a straight run ends``
        Expecto.Tests.testCase "a stop request abandons an EM fit, and resume runs it again to the straight run's result" ``a stop request abandons an EM fit, and resume runs it again to the straight run's result``
    ]
