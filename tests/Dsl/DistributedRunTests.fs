/// DistributedRunTests.fs: `gendsl run --nproc 2` — two real worker processes (Gloo over a TCP store on this machine)
/// train the language model to the parameters one process reaches on the global batch, the VAE script runs to the
/// end, rank 0 alone keeps a run folder, and the workers' scratch copies are gone.
module GenDsl.Tests.Dsl.DistributedRunTests

open System
open System.Diagnostics
open System.IO
open Xunit
open GenDsl.Torch

/// The temp folder of the worker processes: this test run's own, so that other processes on the machine (another
/// test run's workers) cannot add or remove scratch folders while a test compares them.
let private workerTemp = lazy (GenDsl.Tests.Support.newTempDir "dist-tmp")

/// `dotnet gendsl.dll args` (the CLI built beside the tests): exit code and output.
let private gendsl (args: string list) =
    let psi = ProcessStartInfo("dotnet", [ Path.Combine(AppContext.BaseDirectory, "gendsl.dll") ] @ args)
    psi.Environment.["TMPDIR"] <- workerTemp.Value
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    psi.UseShellExecute <- false
    use p = Process.Start psi
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit 240000) then p.Kill true; failwith "gendsl did not finish within 240 s"
    p.ExitCode, out.Result + err.Result

let private tempDir () = GenDsl.Tests.Support.newTempDir "dist"

let private onlyRun (root: string) =
    Directory.GetDirectories root |> Array.collect Directory.GetDirectories |> Array.exactlyOne

let private scratchFolders () =
    Directory.GetDirectories(workerTemp.Value, "gendsl-rank*") |> Set.ofArray

/// lm.fsx in dir: the small language model both tests train, for `steps` SGD steps on 249 windows of 16 tokens in batches
/// of 4, with a checkpoint every `checkpointEvery` steps when given.
let private lmScript (dir: string) (steps: int) (checkpointEvery: int option) =
    let script = Path.Combine(dir, "lm.fsx")
    let checkpoints = checkpointEvery |> Option.map (sprintf " |> Fit.checkpointEvery (Steps %d)") |> Option.defaultValue ""
    File.WriteAllText(script, String.concat "\n" [
        "open GenDsl.Dsl"
        "let experiment ="
        "    Experiment.create \"lm-dist\""
        "    |> Experiment.seed 11UL"
        "    |> Experiment.withCase ("
        "        Case.create \"b\" (Data.wikiText2 16 |> Data.tokens 4000 |> Data.evalTokens 400) (Model.transformerLm 1 2)"
        sprintf "            [ Fit.adam 0.05 (Steps %d) |> Fit.batch 4 |> Fit.optimizer (Optim.sgd 0.05)%s ])" steps checkpoints
        "    |> Experiment.metrics [ Nll ]" ])
    script

let ``two worker processes train the language model to the parameters of one process on the global batch`` () =
    let dir = tempDir ()
    try
        // 249 windows of 16 tokens in batches of 4: the last batch of the epoch has 1 window, so rank 1 has none there
        // and takes part with weight 0. Plain SGD at a step size where training is not chaotic (at 0.5, one process
        // against itself with a 1e-7 nudge already parts by O(1) after 60 steps), 70 steps: past the end of an epoch.
        let script = lmScript dir 70 None
        let before = scratchFolders ()
        let code1, out1 = gendsl [ "run"; script; "-o"; Path.Combine(dir, "one") ]
        Assert.True((code1 = 0), out1)
        let code2, out2 = gendsl [ "run"; script; "-o"; Path.Combine(dir, "two"); "--nproc"; "2" ]
        Assert.True((code2 = 0), out2)
        Assert.Contains("[rank 1]", out2)
        let load (root: string) = Torch.Load(Path.Combine(onlyRun (Path.Combine(dir, root)), "checkpoints", "b_adam.pt"))
        let one, two = load "one", load "two"
        Assert.Equal<string seq>(one.Keys |> Seq.sort, two.Keys |> Seq.sort)
        // The two sides differ only in float32 summation order: each rank's mean over its half of the batch, weighted
        // by its share, against one mean over the whole batch (a relative difference of a few 1e-7 in each gradient).
        // Measured: 1.2e-7 at most after 30 steps (float32 weights of size ~1 carry 6e-8 ulps). 1e-5 leaves room for
        // that rounding to grow over 70 steps; a rank training on the wrong shard, a missing all-reduce, an unweighted
        // average or rank 1's weight-0 example counted in the last batch moves some weight by far more (~1e-3: one
        // example's gradient at lr 0.05).
        let worst = one |> Seq.map (fun kv -> (kv.Value - two.[kv.Key]).Abs().Max().ToDouble()) |> Seq.max
        Assert.True(worst < 1e-5, sprintf "largest parameter difference %g" worst)
        Assert.Equal<Set<string>>(before, scratchFolders ())   // rank 1's scratch run folder was deleted
    finally Directory.Delete(dir, true)

/// The pid of the worker of `script` with RANK=rank (its environment says so), or None.
let private workerPid (script: string) (rank: int) =
    Directory.GetDirectories "/proc"
    |> Array.choose (fun d -> match Int32.TryParse(Path.GetFileName d) with true, pid -> Some pid | _ -> None)
    |> Array.tryFind (fun pid ->
        try
            let cmd = File.ReadAllText(sprintf "/proc/%d/cmdline" pid)
            let env = File.ReadAllText(sprintf "/proc/%d/environ" pid).Split('\000')
            cmd.Contains script && not (cmd.Contains "--nproc") && Array.contains (sprintf "RANK=%d" rank) env
        with _ -> false)

let private largestDifference (a: string) (b: string) =
    let one, two = Torch.Load a, Torch.Load b
    one |> Seq.map (fun kv -> (kv.Value - two.[kv.Key]).Abs().Max().ToDouble()) |> Seq.max

let ``a 2-process run whose rank 1 is killed is FAILED naming it, and resumes as 2 processes and as 1 to the straight run`` () =
    let dir = tempDir ()
    try
        let script = lmScript dir 60 (Some 10)
        let root = Path.Combine(dir, "two")
        let psi = ProcessStartInfo("dotnet", [ Path.Combine(AppContext.BaseDirectory, "gendsl.dll"); "run"; script; "-o"; root; "--nproc"; "2" ])
        psi.RedirectStandardOutput <- true
        psi.RedirectStandardError <- true
        use parent = Process.Start psi
        let out = parent.StandardOutput.ReadToEndAsync()
        let err = parent.StandardError.ReadToEndAsync()
        // Wait for rank 0 to log step 25 (a checkpoint at 20 is on disk), then kill rank 1 outright.
        let sw = Stopwatch.StartNew()
        let rec waitForSteps () =
            let logged =
                if Directory.Exists root then
                    Directory.GetFiles(root, "metrics.jsonl", SearchOption.AllDirectories) |> Array.sumBy (fun f -> File.ReadAllLines(f).Length)
                else 0
            if logged >= 25 then ()
            elif parent.HasExited || sw.Elapsed.TotalSeconds > 180.0 then failwithf "no step 25: %s %s" out.Result err.Result
            else Threading.Thread.Sleep 20; waitForSteps ()
        waitForSteps ()
        match workerPid script 1 with
        | Some pid -> Process.GetProcessById(pid).Kill()
        | None -> failwith "rank 1 not found"
        // The other rank must fail on its next collective, well within the 60 s timeout.
        Assert.True(parent.WaitForExit 90000, "the run did not stop after rank 1 was killed")
        Assert.Equal(2, parent.ExitCode)
        let folder = onlyRun root
        let failed = File.ReadAllText(Path.Combine(folder, "FAILED"))
        Assert.Contains("rank 1 exited with code 137", failed)
        // A copy of the failed folder to resume as one process.
        let single = Path.Combine(dir, "single", "lm-dist", Path.GetFileName folder)
        for d in Directory.GetDirectories(folder, "*", SearchOption.AllDirectories) do
            Directory.CreateDirectory(Path.Combine(single, Path.GetRelativePath(folder, d))) |> ignore
        for f in Directory.GetFiles(folder, "*", SearchOption.AllDirectories) do
            File.Copy(f, Path.Combine(single, Path.GetRelativePath(folder, f)))
        let code2, out2 = gendsl [ "resume"; folder; "--nproc"; "2" ]
        Assert.True((code2 = 0), out2)
        Assert.True(File.Exists(Path.Combine(folder, "DONE")))
        let code1, out1 = gendsl [ "resume"; single ]
        Assert.True((code1 = 0), out1)
        let codeS, outS = gendsl [ "run"; script; "-o"; Path.Combine(dir, "straight") ]
        Assert.True((codeS = 0), outS)
        let straight = Path.Combine(onlyRun (Path.Combine(dir, "straight")), "checkpoints", "b_adam.pt")
        // As in the test above: float32 summation order only (measured ~1e-7), a wrong resume point, data order or
        // generator state moves weights by one example's gradient step or more (~1e-3).
        let d2 = largestDifference straight (Path.Combine(folder, "checkpoints", "b_adam.pt"))
        let d1 = largestDifference straight (Path.Combine(single, "checkpoints", "b_adam.pt"))
        Assert.True(d2 < 1e-5, sprintf "resumed as 2 processes: largest difference %g" d2)
        Assert.True(d1 < 1e-5, sprintf "resumed as 1 process: largest difference %g" d1)
    finally Directory.Delete(dir, true)

let ``the VAE trains with --nproc 2 to a finished run folder, written by rank 0 alone`` () =
    let dir = tempDir ()
    try
        let script = Path.Combine(dir, "vae.fsx")
        File.WriteAllText(script, String.concat "\n" [
            "open GenDsl.Dsl"
            "let experiment ="
            "    Experiment.create \"vae-dist\""
            "    |> Experiment.seed 3UL"
            "    |> Experiment.withCase ("
            "        Case.create \"v\" (Data.mnist |> Data.dynamicBinarized |> Data.subset 256 |> Data.evalSubset 64) (Model.vaeMlp 784 32 2)"
            "            [ Fit.adam 1e-3 (Steps 12) |> Fit.batch 32 |> Fit.objective Elbo ])"
            "    |> Experiment.metrics [ NegElbo ]" ])
        let root = Path.Combine(dir, "runs")
        let code, out = gendsl [ "run"; script; "-o"; root; "--nproc"; "2" ]
        Assert.True((code = 0), out)
        let folder = onlyRun root
        Assert.True(File.Exists(Path.Combine(folder, "DONE")))
        Assert.True(File.Exists(Path.Combine(folder, "summary.json")))
        // 12 training steps logged once (by rank 0), not once per rank.
        let stepLines = File.ReadAllLines(Path.Combine(folder, "metrics.jsonl")) |> Array.filter (fun l -> l.Contains "\"loss\"")
        Assert.Equal(12, stepLines.Length)
    finally Directory.Delete(dir, true)

let ``--nproc with a GPU device or a bad --master is refused before anything runs`` () =
    let dir = tempDir ()
    try
        let code, out = gendsl [ "run"; Path.Combine(dir, "none.fsx"); "--nproc"; "2"; "--device"; "cuda" ]
        Assert.Equal(1, code)
        Assert.Contains("CPU-only", out)
        let code2, out2 = gendsl [ "run"; Path.Combine(dir, "none.fsx"); "--nproc"; "2"; "--nnodes"; "2"; "--node-rank"; "1"; "--master"; "nohost" ]
        Assert.Equal(1, code2)
        Assert.Contains("--master nohost: give host:port", out2)
    finally Directory.Delete(dir, true)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.DistributedRunTests" [
        Expecto.Tests.testCase "two worker processes train the language model to the parameters of one process on the global batch" ``two worker processes train the language model to the parameters of one process on the global batch``
        Expecto.Tests.testCase "a 2-process run whose rank 1 is killed is FAILED naming it, and resumes as 2 processes and as 1 to the straight run" ``a 2-process run whose rank 1 is killed is FAILED naming it, and resumes as 2 processes and as 1 to the straight run``
        Expecto.Tests.testCase "the VAE trains with --nproc 2 to a finished run folder, written by rank 0 alone" ``the VAE trains with --nproc 2 to a finished run folder, written by rank 0 alone``
        Expecto.Tests.testCase "--nproc with a GPU device or a bad --master is refused before anything runs" ``--nproc with a GPU device or a bad --master is refused before anything runs``
    ]
