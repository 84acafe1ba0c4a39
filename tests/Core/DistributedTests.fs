/// DistributedTests.fs: data-parallel training on libtorch's c10d (Gloo) — collectives against closed forms, shards, 2 worker processes vs 1 on the global batch, a dead rank, Launch.
module GenDsl.Tests.Core.DistributedTests

open System
open System.Diagnostics
open System.Globalization
open System.IO
open System.Threading.Tasks
open Xunit
open GenDsl.Distributed
open GenDsl.Torch
open GenDsl.Training
open GenDsl.Tests.Support

// ---- helpers: the worker (tests/DistributedWorker) and its output ----

/// The worker's entry assembly, built next to the tests in the same configuration.
let private workerDll () =
    let cfg = if AppContext.BaseDirectory.Contains("/Release/") then "Release" else "Debug"
    let p = Path.Combine(repoRoot (), "tests", "DistributedWorker", "bin", cfg, "net10.0", "GenDsl.DistributedWorker.dll")
    if not (File.Exists p) then failwithf "the test worker is not built: %s (dotnet build tests)" p
    p

let private tempDir () = newTempDir "dist"

let private start (args: string list) =
    let psi = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    psi.ArgumentList.Add(workerDll ())
    for a in args do psi.ArgumentList.Add a
    psi.Environment["GENDSL_THREADS"] <- "1"
    let p = Process.Start psi
    let err = p.StandardError.ReadToEndAsync()
    let out = p.StandardOutput.ReadToEndAsync()
    p, (fun () -> err.Result + out.Result)

/// Waits for a worker at most `seconds`; its exit code, or a failure naming the hang.
let private finish seconds (p: Process, output: unit -> string) =
    if not (p.WaitForExit(seconds * 1000)) then
        p.Kill true
        failwithf "a worker still ran after %d s (it should have finished or failed): %s" seconds (output ())
    p.ExitCode, output ()

type private WorkerOut = { Parameters: float[]; Losses: float[]; Batches: int64[][] }

let private read (file: string) =
    let lines = File.ReadAllLines file
    let nums (l: string) = l.Split(' ', StringSplitOptions.RemoveEmptyEntries)
    { Parameters = nums lines[0] |> Array.map (fun s -> Double.Parse(s, CultureInfo.InvariantCulture))
      Losses = nums lines[1] |> Array.map (fun s -> Double.Parse(s, CultureInfo.InvariantCulture))
      Batches = lines[2..] |> Array.map (nums >> Array.map int64) }

let private steps, batch = 20, 16 // 60 examples: 4 batches per epoch (16, 16, 16, 12), 5 epochs

/// One single-process run on the global batch and one 2-rank run (FileStore) of the same recipe, run side by side.
let private runSet (extra: string list) =
        let dir = tempDir ()
        let common = [ "--steps"; string steps; "--batch"; string batch ] @ extra
        let store = "file://" + Path.Combine(dir, "store")
        let ps =
            [ yield start ([ "--out"; Path.Combine(dir, "single.txt") ] @ common)
              for r in 0..1 do
                  yield start ([ "--out"; Path.Combine(dir, $"r{r}.txt"); "--world"; "2"; "--rank"; string r; "--store"; store; "--timeout"; "10" ] @ common) ]
        for p in ps do
            let code, out = finish 60 p
            if code <> 0 then failwithf "a worker exited with %d: %s" code out
        read (Path.Combine(dir, "single.txt")), read (Path.Combine(dir, "r0.txt")), read (Path.Combine(dir, "r1.txt"))

let private runs = lazy (runSet [])

// ---- the build ----

let ``Distributed: this build has libtorch's c10d with Gloo (eng/bootstrap.sh installs the gloo headers)`` () =
    Assert.True(ProcessGroup.IsAvailable, "native/ was built without c10d/Gloo: install libgloo-dev and remove native/build")

// ---- collectives in one process: two ranks on two threads over one FileStore ----

/// Runs body rank group on ranks 0 and 1 at once (joining blocks until both have joined), returns both results.
let private twoRanksAt (dir: string) (body: int -> ProcessGroup -> 'a) =
    let opts r = DistributedOptions(WorldSize = 2, Rank = r, StoreAddress = "file://" + Path.Combine(dir, "store"), Timeout = TimeSpan.FromSeconds 10.0)
    let work r = Task.Run(fun () -> use pg = ProcessGroup.Join(opts r) in body r pg)
    let ts = [| work 0; work 1 |]
    if not (Task.WaitAll([| ts[0] :> Task; ts[1] :> Task |], 20000)) then failwith "the two ranks did not finish within 20 s"
    ts[0].Result, ts[1].Result

let private twoRanks body = twoRanksAt (tempDir ()) body

let ``Distributed: groups joined one after another at one store address (one per Trainer) each meet, under their own prefixes`` () =
    let dir = tempDir ()
    for round in 1..3 do
        // Rank r contributes r + round: the sum is 2 round + 1, a value only this round's group can produce. (Whether
        // reopening the store per group would race is timing-dependent: this checks that sequential groups work.)
        let a, b =
            twoRanksAt dir (fun r pg ->
                use t = Torch.Tensor([| float (r + round) |], 1L)
                pg.AllReduce_(t)
                t.ToArray<float>()[0])
        Assert.Equal(float (2 * round + 1), a)
        Assert.Equal(a, b)

let ``Distributed: AllReduce_ sums, averages, takes max and min of both ranks' tensors; Broadcast_ copies the root's`` () =
    // Rank r holds x_r = [r + 1, 10 (r + 1), -r]: sums [3, 30, -1], means [1.5, 15, -0.5], max [2, 20, 0], min [1, 10, -1].
    let results =
        twoRanks (fun r pg ->
            let x () = Torch.Tensor([| float (r + 1); 10.0 * float (r + 1); -(float r) |], 3L)
            [ for op in [ ReduceOp.Sum; ReduceOp.Avg; ReduceOp.Max; ReduceOp.Min ] do
                  use t = x ()
                  pg.AllReduce_(t, op)
                  yield t.ToArray<float>()
              use t = x ()
              pg.Broadcast_(t, 1)
              yield t.ToArray<float>() ])
    let expected = [ [| 3.; 30.; -1. |]; [| 1.5; 15.; -0.5 |]; [| 2.; 20.; 0. |]; [| 1.; 10.; -1. |]; [| 2.; 20.; -1. |] ]
    for res in [ fst results; snd results ] do
        List.iter2 (fun (e: float[]) (a: float[]) -> Assert.Equal<float[]>(e, a)) expected res

let ``Distributed: GradSync weights each rank's gradient by its share of the batch, across buckets smaller than one parameter`` () =
    // Rank r's parameters p_k (k = 0, 1, 2, float64) get grad (r + 1) (k + 1) from backward; with shares w_0 = 0.25,
    // w_1 = 0.75 the synchronised grad is (0.25 * 1 + 0.75 * 2) (k + 1) = 1.75 (k + 1) on both ranks; 16-byte buckets
    // split every parameter of 3 float64s into a bucket of its own. Exact in binary floating point.
    let results =
        twoRanks (fun r pg ->
            let ps = [| for k in 0..2 -> Torch.Zeros([| 3L |], ScalarType.Float64).RequiresGrad_() |]
            let loss = ps |> Array.mapi (fun k p -> p.Sum() * float ((r + 1) * (k + 1))) |> Array.reduce (+)
            loss.Backward()
            GradSync(pg, ps, 16L).Sync_(if r = 0 then 0.25 else 0.75)
            ps |> Array.map (fun p -> p.Grad.ToArray<float>()))
    for res in [ fst results; snd results ] do
        for k in 0..2 do Assert.Equal<float[]>(Array.create 3 (1.75 * float (k + 1)), res[k])

// ---- shards ----

let ``Distributed: the ranks' shards of a batch are disjoint, each of size ceil or floor of n / W, and together the batch`` () =
    for n in 1..60 do
        for w in 1..8 do
            let batch = Array.init n (fun i -> int64 (1000 + 7 * i))
            let shards = [ for r in 0 .. w - 1 -> Trainer.Shard(batch, r, w) ]
            let all = shards |> List.collect (fun (s, _) -> List.ofArray s)
            Assert.Equal<int64 list>(List.ofArray batch, List.sort all)
            for s, share in shards do
                Assert.True(s.Length = n / w || s.Length = (n + w - 1) / w, $"n = {n}, W = {w}: a shard of {s.Length}")
                Assert.Equal(float s.Length / float n, share)

let ``Distributed: a global batch that does not split evenly over the ranks is refused with the fix`` () =
    let o = TrainOptions(Steps = 1L, BatchSize = 15, Distributed = DistributedOptions(WorldSize = 2, StoreAddress = "file:///tmp/x"))
    let e = Assert.Throws<ArgumentException>(fun () -> o.Validate())
    Assert.Contains("multiple of 2", e.Message)
    let bad = DistributedOptions(WorldSize = 2, Rank = 2, StoreAddress = "tcp://host")
    Assert.Contains("0..1", Assert.Throws<ArgumentException>(fun () -> bad.Validate()).Message)
    Assert.Contains("tcp://host:port", Assert.Throws<ArgumentException>(fun () -> DistributedOptions(WorldSize = 2, Rank = 1, StoreAddress = "tcp://host").Validate()).Message)

// ---- two worker processes against one ----

let ``Distributed: 2 Gloo ranks on halves of each global batch end at the parameters of 1 process on the whole batch (float64, 1e-10 relative)`` () =
    let single, r0, r1 = runs.Force()
    // Both ranks apply the same all-reduced gradient to the same broadcast parameters: identical bit for bit.
    Assert.Equal<float[]>(r0.Parameters, r1.Parameters)
    // Against the single process only the summation order differs (0.5 g_0 + 0.5 g_1 vs the mean over 16), a few ulps
    // per step through Adam and clipping over 20 steps: 1e-10 relative (of the largest parameter) is far above that.
    let scale = single.Parameters |> Array.map abs |> Array.max
    Assert.Equal(single.Parameters.Length, r0.Parameters.Length)
    Array.iteri (fun i (e: float) -> if abs (e - r0.Parameters[i]) > 1e-10 * scale then failwithf "parameter %d: single %.17g, 2 ranks %.17g" i e r0.Parameters[i]) single.Parameters
    // The logged loss is the share-weighted mean over the ranks = the global batch's loss, including the 12-example batches.
    Array.iteri (fun i (e: float) -> if abs (e - r0.Losses[i]) > 1e-10 * abs e then failwithf "loss at step %d: single %.17g, 2 ranks %.17g" (i + 1) e r0.Losses[i]) single.Losses
    Assert.Equal<float[]>(r0.Losses, r1.Losses)
    let firstEpoch, lastEpoch = Array.average single.Losses[0..3], Array.average single.Losses[steps - 4 ..]
    Assert.True(lastEpoch < 0.5 * firstEpoch, $"the loss did not fall ({firstEpoch} to {lastEpoch}): the run trained nothing to compare")

let ``Distributed: a VAE on dynamically binarised data trained by 2 Gloo ranks ends at the 1-process parameters (float64, 1e-10 relative)`` () =
    // Each step draws a Bernoulli binarisation of the batch and reparameterisation noise eps per example: both ranks
    // draw them for the whole global batch from the same generator and keep their own rows, so example i gets the
    // noise the single process gives it. (Drawing each rank's n_r rows on their own instead, parameter 0 ends at -0.171
    // against the single process's -0.218: the comparison sees the noise.)
    let single, r0, r1 = runSet [ "--model"; "vae" ]
    Assert.Equal<float[]>(r0.Parameters, r1.Parameters)
    // As for the MLP: only the order of the batch sums differs, a few ulps per step over 20 Adam steps and 5 epochs.
    let scale = single.Parameters |> Array.map abs |> Array.max
    Assert.Equal(single.Parameters.Length, r0.Parameters.Length)
    Array.iteri (fun i (e: float) -> if abs (e - r0.Parameters[i]) > 1e-10 * scale then failwithf "parameter %d: single %.17g, 2 ranks %.17g" i e r0.Parameters[i]) single.Parameters
    Array.iteri (fun i (e: float) -> if abs (e - r0.Losses[i]) > 1e-10 * abs e then failwithf "loss at step %d: single %.17g, 2 ranks %.17g" (i + 1) e r0.Losses[i]) single.Losses
    // The run trained (equal parameters would be no evidence if nothing moved).
    Assert.True(Array.average single.Losses[steps - 4 ..] < Array.average single.Losses[0..3], "the negative ELBO did not fall over 5 epochs")

let ``Distributed: all-reduces overlapped with backward (hooks, 64-byte buckets) give the same parameters as after backward, bit for bit`` () =
    let _, r0, _ = runs.Force()
    // 64-byte buckets hold at most 8 float64s: the MLP's 4 parameters (1, 8, 8 and 32 values, in backward's order) make 4 buckets, queued from the hooks during
    // backward. With 2 ranks each element's all-reduce is one addition a + b whatever the bucketing, and the share
    // multiplies the same gradients: the same bits as the synchronous path.
    let dir = tempDir ()
    let store = "file://" + Path.Combine(dir, "store")
    let ps = [ for r in 0..1 -> start [ "--out"; Path.Combine(dir, $"r{r}.txt"); "--world"; "2"; "--rank"; string r; "--store"; store; "--timeout"; "10"
                                        "--steps"; string steps; "--batch"; string batch; "--overlap"; "1"; "--bucket"; "64" ] ]
    for p in ps do
        let code, out = finish 60 p
        if code <> 0 then failwithf "a worker exited with %d: %s" code out
    for r in 0..1 do
        let o = read (Path.Combine(dir, $"r{r}.txt"))
        Assert.Equal<float[]>(r0.Parameters, o.Parameters)
        Assert.Equal<float[]>(r0.Losses, o.Losses)

let ``Distributed: OverlappedGradSync weights each rank's gradient by its share and gives zeros for a parameter one rank did not use`` () =
    // p_k (k = 0, 1, 2) get grad (r + 1) (k + 1) on rank r, except that rank 0 does not use p_1 (no gradient arrives):
    // shares 0.25, 0.75 give 1.75 (k + 1) for k = 0, 2 and 0.75 * 2 * 2 = 3 for p_1. 16-byte buckets: one per parameter,
    // ready in a different order on the two ranks; exact in binary floating point. Run twice: the hooks re-arm.
    let results =
        twoRanks (fun r pg ->
            let ps = [| for k in 0..2 -> Torch.Zeros([| 3L |], ScalarType.Float64).RequiresGrad_() |]
            use sync = new OverlappedGradSync(pg, ps, 16L, 16L)
            [ for _ in 1..2 do
                  for p in ps do if not (isNull p.Grad) then p.Grad.Zero_() |> ignore
                  let used = if r = 0 then [ 0; 2 ] else [ 0; 1; 2 ]
                  let loss = used |> List.map (fun k -> ps[k].Sum() * float ((r + 1) * (k + 1))) |> List.reduce (+)
                  sync.Arm(if r = 0 then 0.25 else 0.75)
                  loss.Backward()
                  sync.Finish_()
                  yield ps |> Array.map (fun p -> p.Grad.ToArray<float>()) ])
    for res in [ fst results; snd results ] do
        for grads in res do
            Assert.Equal<float[]>(Array.create 3 1.75, grads[0])
            Assert.Equal<float[]>(Array.create 3 3.0, grads[1])
            Assert.Equal<float[]>(Array.create 3 5.25, grads[2])

let ``Distributed: at every step rank r reads positions r, r+2, ... of the single process's batch, so each epoch sees every example once`` () =
    let single, r0, r1 = runs.Force()
    Assert.Equal(steps, single.Batches.Length)
    for s in 0 .. steps - 1 do
        let b = single.Batches[s]
        Assert.Equal<int64[]>(Array.init ((b.Length + 1) / 2) (fun i -> b[2 * i]), r0.Batches[s])
        Assert.Equal<int64[]>(Array.init (b.Length / 2) (fun i -> b[2 * i + 1]), r1.Batches[s])
    // Epoch e is steps 4e .. 4e + 3 (60 examples in batches of 16): both ranks together see 0..59 exactly once.
    for e in 0 .. steps / 4 - 1 do
        let seen = [ for s in 4 * e .. 4 * e + 3 do yield! r0.Batches[s]; yield! r1.Batches[s] ] |> List.sort
        Assert.Equal<int64 list>([ 0L .. 59L ], seen)

// ---- failures: no hang ----

let ``Distributed: when rank 1 is killed mid-run, rank 0 exits non-zero within the 10 s collective timeout instead of hanging`` () =
    let dir = tempDir ()
    let store = "file://" + Path.Combine(dir, "store")
    let args r = [ "--out"; Path.Combine(dir, $"r{r}.txt"); "--steps"; "100000"; "--batch"; "16"; "--world"; "2"; "--rank"; string r; "--store"; store; "--timeout"; "10"; "--die-at"; "5" ]
    let p1 = start (args 1)
    let p0 = start (args 0)
    let code1, _ = finish 30 p1
    let clock = Stopwatch.StartNew()
    let code0, out0 = finish 15 p0 // 10 s timeout + slack for a loaded machine
    Assert.Equal(137, code1) // SIGKILL
    Assert.Equal(2, code0)
    Assert.Contains("worker rank 0", out0)
    Assert.True(clock.Elapsed.TotalSeconds < 12.0, $"rank 0 took {clock.Elapsed.TotalSeconds:F1} s after rank 1 died")

let ``Distributed: a rank whose peer never joins fails after its 3 s timeout`` () =
    let dir = tempDir ()
    let clock = Stopwatch.StartNew()
    let p = start [ "--out"; Path.Combine(dir, "r0.txt"); "--world"; "2"; "--rank"; "0"; "--store"; "file://" + Path.Combine(dir, "store"); "--timeout"; "3" ]
    let code, out = finish 20 p
    Assert.Equal(2, code)
    Assert.Contains("worker rank 0", out)
    Assert.True(clock.Elapsed.TotalSeconds >= 3.0, $"it failed after {clock.Elapsed.TotalSeconds:F1} s, before its timeout: {out}")

// ---- Launch: torchrun's environment, TCPStore ----

let private launch (dir: string) (extra: string[]) =
    Launch.Run(LaunchOptions(NProc = 2, FileName = "dotnet", Timeout = TimeSpan.FromSeconds 10.0, ThreadsPerWorker = 1,
                             Arguments = [| workerDll (); "--out"; Path.Combine(dir, "out{rank}.txt"); "--steps"; string steps; "--batch"; string batch; yield! extra |],
                             OnOutput = (fun _ _ _ -> ())))

let ``Launch: 2 workers joined through RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT (a TCPStore on rank 0) train as the FileStore ranks do`` () =
    let _, r0, _ = runs.Force()
    let dir = tempDir ()
    let ok = launch dir [||]
    Assert.True(ok.Succeeded, ok.FailureMessage)
    Assert.Equal<int[]>([| 0; 0 |], Array.ofSeq ok.ExitCodes)
    for r in 0..1 do Assert.Equal<float[]>(r0.Parameters, (read (Path.Combine(dir, $"out{r}.txt"))).Parameters)

let ``Launch: when rank 1 is killed the result names it, and rank 0 failed on its own (exit 2) rather than being killed`` () =
    let failed = launch (tempDir ()) [| "--steps"; "100000"; "--die-at"; "3" |]
    Assert.Equal(Nullable 1, failed.FailedRank)
    Assert.Equal(137, failed.ExitCodes[1])
    Assert.Equal(2, failed.ExitCodes[0])
    Assert.Equal("rank 1 exited with code 137", failed.FailureMessage)

// ---- checkpoints of a data-parallel run: two Trainers on two threads ----

/// Two ranks (threads) of a Trainer over 40 noisy examples in global batches of 8 (5 steps per epoch); the objective
/// draws per-example noise from the run generator (restricted to each rank's rows of the global batch). Returns each rank's final parameters and step losses.
let private trainTwoRanks (steps: int64) (checkpointDir: string) (checkpointEvery: int64) (resumeFrom: string option) =
    let store = "file://" + Path.Combine(tempDir (), "store")
    let rank r =
        Task.Run(fun () ->
            use scope = Scope.Begin()
            use g = new Generator(11UL)
            let model = new GenDsl.Torch.NN.Sequential(new GenDsl.Torch.NN.Linear(3L, 4L, generator = g, dtype = ScalarType.Float64), new GenDsl.Torch.NN.Tanh(),
                                                       new GenDsl.Torch.NN.Linear(4L, 1L, generator = g, dtype = ScalarType.Float64))
            let data = GenDsl.Data.TensorDataset(Torch.Randn([| 40L; 4L |], g, ScalarType.Float64)) // (40, 4): x (3) and y (1)
            let dist = DistributedOptions(WorldSize = 2, Rank = r, StoreAddress = store, Timeout = TimeSpan.FromSeconds 10.0)
            let o = TrainOptions(Steps = steps, BatchSize = 8, Seed = 5UL, CheckpointDir = checkpointDir, CheckpointEvery = checkpointEvery, Distributed = dist)
            use trainer = new Trainer(model, Func<seq<Tensor>, GenDsl.Torch.Optim.Optimizer>(fun ps -> new GenDsl.Torch.Optim.Adam(ps, lr = 0.02)), null, o)
            resumeFrom |> Option.iter trainer.LoadCheckpoint
            let res =
                trainer.Fit(data, Objective(fun b ctx ->
                    let x = b.Narrow(1L, 0L, 3L) + Torch.Randn([| b.Size(0); 3L |], ctx.Generator, ScalarType.Float64) * 0.3 // (n, 3)
                    GenDsl.Torch.Functional.MseLoss(model.Forward(x), b.Narrow(1L, 3L, 1L))))
            [| for p in model.Parameters() do yield! p.Contiguous().View(-1L).ToArray<float>() |], [| for s in res.StepRecords -> s.Loss |])
    let ts = [| rank 0; rank 1 |]
    if not (Task.WaitAll([| ts[0] :> Task; ts[1] :> Task |], 30000)) then failwith "the two ranks did not finish within 30 s"
    ts[0].Result, ts[1].Result

let ``Distributed: a 2-rank run checkpointed by rank 0 after 6 steps and resumed as 2 ranks ends bit for bit as the straight 12-step run`` () =
    let (straight0, lossesA), (straight1, _) = trainTwoRanks 12L null 0L None
    let dir = tempDir ()
    let (_, lossesB), _ = trainTwoRanks 6L dir 6L None
    Assert.Equal<string[]>([| "last.pt" |], Directory.GetFiles dir |> Array.map Path.GetFileName) // one writer, one file
    // Resumed from the file with every rank's generator state: the noise continues where it stopped.
    let (resumed0, lossesC), (resumed1, _) = trainTwoRanks 12L null 0L (Some(Path.Combine(dir, "last.pt")))
    Assert.Equal<float[]>(straight0, straight1)
    Assert.Equal<float[]>(lossesA, Array.append lossesB lossesC)
    Assert.Equal<float[]>(straight0, resumed0)
    Assert.Equal<float[]>(straight0, resumed1)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.DistributedTests" [
        Expecto.Tests.testCase "Distributed: this build has libtorch's c10d with Gloo (eng/bootstrap.sh installs the gloo headers)" ``Distributed: this build has libtorch's c10d with Gloo (eng/bootstrap.sh installs the gloo headers)``
        Expecto.Tests.testCase "Distributed: groups joined one after another at one store address (one per Trainer) each meet, under their own prefixes" ``Distributed: groups joined one after another at one store address (one per Trainer) each meet, under their own prefixes``
        Expecto.Tests.testCase "Distributed: AllReduce_ sums, averages, takes max and min of both ranks' tensors; Broadcast_ copies the root's" ``Distributed: AllReduce_ sums, averages, takes max and min of both ranks' tensors; Broadcast_ copies the root's``
        Expecto.Tests.testCase "Distributed: GradSync weights each rank's gradient by its share of the batch, across buckets smaller than one parameter" ``Distributed: GradSync weights each rank's gradient by its share of the batch, across buckets smaller than one parameter``
        Expecto.Tests.testCase "Distributed: the ranks' shards of a batch are disjoint, each of size ceil or floor of n / W, and together the batch" ``Distributed: the ranks' shards of a batch are disjoint, each of size ceil or floor of n / W, and together the batch``
        Expecto.Tests.testCase "Distributed: a global batch that does not split evenly over the ranks is refused with the fix" ``Distributed: a global batch that does not split evenly over the ranks is refused with the fix``
        Expecto.Tests.testCase "Distributed: 2 Gloo ranks on halves of each global batch end at the parameters of 1 process on the whole batch (float64, 1e-10 relative)" ``Distributed: 2 Gloo ranks on halves of each global batch end at the parameters of 1 process on the whole batch (float64, 1e-10 relative)``
        Expecto.Tests.testCase "Distributed: a VAE on dynamically binarised data trained by 2 Gloo ranks ends at the 1-process parameters (float64, 1e-10 relative)" ``Distributed: a VAE on dynamically binarised data trained by 2 Gloo ranks ends at the 1-process parameters (float64, 1e-10 relative)``
        Expecto.Tests.testCase "Distributed: all-reduces overlapped with backward (hooks, 64-byte buckets) give the same parameters as after backward, bit for bit" ``Distributed: all-reduces overlapped with backward (hooks, 64-byte buckets) give the same parameters as after backward, bit for bit``
        Expecto.Tests.testCase "Distributed: OverlappedGradSync weights each rank's gradient by its share and gives zeros for a parameter one rank did not use" ``Distributed: OverlappedGradSync weights each rank's gradient by its share and gives zeros for a parameter one rank did not use``
        Expecto.Tests.testCase "Distributed: at every step rank r reads positions r, r+2, ... of the single process's batch, so each epoch sees every example once" ``Distributed: at every step rank r reads positions r, r+2, ... of the single process's batch, so each epoch sees every example once``
        Expecto.Tests.testCase "Distributed: when rank 1 is killed mid-run, rank 0 exits non-zero within the 10 s collective timeout instead of hanging" ``Distributed: when rank 1 is killed mid-run, rank 0 exits non-zero within the 10 s collective timeout instead of hanging``
        Expecto.Tests.testCase "Distributed: a rank whose peer never joins fails after its 3 s timeout" ``Distributed: a rank whose peer never joins fails after its 3 s timeout``
        Expecto.Tests.testCase "Launch: 2 workers joined through RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT (a TCPStore on rank 0) train as the FileStore ranks do" ``Launch: 2 workers joined through RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT (a TCPStore on rank 0) train as the FileStore ranks do``
        Expecto.Tests.testCase "Launch: when rank 1 is killed the result names it, and rank 0 failed on its own (exit 2) rather than being killed" ``Launch: when rank 1 is killed the result names it, and rank 0 failed on its own (exit 2) rather than being killed``
        Expecto.Tests.testCase "Distributed: a 2-rank run checkpointed by rank 0 after 6 steps and resumed as 2 ranks ends bit for bit as the straight 12-step run" ``Distributed: a 2-rank run checkpointed by rank 0 after 6 steps and resumed as 2 ranks ends bit for bit as the straight 12-step run``
    ]
