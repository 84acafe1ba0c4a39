/// TrainerMutantTests.fs: the Trainer's contract beyond TrainerTests — option and argument checks with their messages, the
/// data order against SplitMix64's published outputs, stop/end flags, evaluation mode and keep-best ties, records, checkpoints.
module GenDsl.Tests.Core.TrainerMutantTests

open System
open System.Collections.Generic
open System.IO
open Xunit
open GenDsl.Data
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Torch.Optim
open GenDsl.Distributed
open GenDsl.Training
open GenDsl.Tests.Support

/// A 1-parameter model: y = w x (w starts at 1), float64.
let private scalarModel () =
    let m = new Linear(1L, 1L, bias = false, dtype = Nullable ScalarType.Float64)
    using (Autograd.NoGrad()) (fun _ -> m.Weight.Fill_(1.0) |> ignore)
    m

let private sgd = Func<seq<Tensor>, Optimizer>(fun ps -> new SGD(ps, lr = 0.1))

/// N examples 0..N-1 as a (N, 1) float64 column: a batch's values are its indices.
let private indexData (n: int64) = new TensorDataset(t64 [ n; 1L ] [ for i in 0L .. n - 1L -> float i ])

/// Loss (w x)^2 mean: finite and differentiable.
let private squareLoss (m: Module) = Objective(fun batch _ -> m.Forward(batch).Square().Mean())

let private trainer (m: Module) (o: TrainOptions) = new Trainer(m, sgd, null, o)

let private tempDir () = newTempDir "trainer-mut"

// ---- TrainOptions and the constructor ----

let ``TrainOptions: every bad option is refused with a message naming it and the fix; the edges are allowed`` () =
    use m = scalarModel ()
    let make o = fun () -> box (trainer m o)
    throws<ArgumentException> "TrainOptions.Steps: the number of optimizer steps must be at least 1 (got 0)" (make (TrainOptions(Steps = 0L)))
    throws<ArgumentException> "TrainOptions.BatchSize: the mini-batch size must be at least 1 (got 0)" (make (TrainOptions(Steps = 1L, BatchSize = 0)))
    for c in [ 0.0; -1.0; infinity; nan ] do
        throws<ArgumentException> "TrainOptions.ClipGradNorm: the largest gradient norm must be finite and > 0, or null for no clipping (got" (make (TrainOptions(Steps = 1L, ClipGradNorm = Nullable c)))
    throws<ArgumentException> "TrainOptions.EvalEvery: must be >= 0; 0 evaluates only after the last step (got -1)" (make (TrainOptions(Steps = 1L, EvalEvery = -1L)))
    throws<ArgumentException> "TrainOptions.KeepBest: give the name of a metric the evaluation returns, or null" (make (TrainOptions(Steps = 1L, KeepBest = "")))
    throws<ArgumentException> "TrainOptions.EarlyStopPatience: must be at least 1 evaluation (got 0)" (make (TrainOptions(Steps = 1L, KeepBest = "loss", EarlyStopPatience = Nullable 0L)))
    throws<ArgumentException> "TrainOptions.EarlyStopPatience: early stopping watches the KeepBest metric: set KeepBest too" (make (TrainOptions(Steps = 1L, EarlyStopPatience = Nullable 2L)))
    throws<ArgumentException> "TrainOptions.CheckpointEvery: must be >= 0; 0 writes no checkpoints (got -1)" (make (TrainOptions(Steps = 1L, CheckpointEvery = -1L)))
    for dir in [ null; ""; "  " ] do
        throws<ArgumentException> "TrainOptions.CheckpointDir: CheckpointEvery = 3 needs a folder to write last.pt into" (make (TrainOptions(Steps = 1L, CheckpointEvery = 3L, CheckpointDir = dir)))
    // the global batch must split evenly over the ranks (checked before any process group is joined)
    let dist = DistributedOptions(WorldSize = 2, Rank = 0, StoreAddress = "file:///nonexistent")
    throws<ArgumentException> "TrainOptions.BatchSize: the global batch of 3 is split evenly over Distributed.WorldSize = 2 ranks; choose a multiple of 2" (make (TrainOptions(Steps = 1L, BatchSize = 3, Distributed = dist)))
    // allowed: one step of one example, a tiny clip, patience 1, checkpoints every step with a folder
    TrainOptions(Steps = 1L, BatchSize = 4, Distributed = dist).Validate()       // 4 splits over 2 ranks
    for o in [ TrainOptions(Steps = 1L, BatchSize = 1, ClipGradNorm = Nullable 1e-300)
               TrainOptions(Steps = 1L, KeepBest = "loss", EarlyStopPatience = Nullable 1L)
               TrainOptions(Steps = 1L, CheckpointEvery = 1L, CheckpointDir = "x") ] do
        use t = trainer m o
        Assert.Equal(0L, t.Step)

let ``Trainer: null arguments throw ArgumentNullException naming them; a null optimizer or a schedule over another optimizer is refused`` () =
    use m = scalarModel ()
    let o = TrainOptions(Steps = 1L)
    Assert.Equal("model", Assert.Throws<ArgumentNullException>(fun () -> new Trainer(null, sgd, null, o) |> ignore).ParamName)
    Assert.Equal("makeOptimizer", Assert.Throws<ArgumentNullException>(fun () -> new Trainer(m, null, null, o) |> ignore).ParamName)
    Assert.Equal("options", Assert.Throws<ArgumentNullException>(fun () -> new Trainer(m, sgd, null, Unchecked.defaultof<TrainOptions>) |> ignore).ParamName)
    throws<ArgumentException> "Trainer: makeOptimizer returned null; return an optimizer over the parameters it is given" (fun () -> box (new Trainer(m, Func<seq<Tensor>, Optimizer>(fun _ -> null), null, o)))
    use other = new SGD(m.Parameters(), lr = 0.1)
    throws<ArgumentException> "Trainer: makeSchedule must build the schedule over the optimizer it is given" (fun () -> box (new Trainer(m, sgd, Func<Optimizer, LRScheduler>(fun _ -> new StepLR(other, 1L)), o)))

// ---- Fit's checks ----

let ``Fit: bad data, objectives and evaluations are refused with messages naming the step and the fix`` () =
    use m = scalarModel ()
    let data = indexData 5L
    let fit (o: TrainOptions) (obj: Objective) (eval: (unit -> IReadOnlyDictionary<string, double>) option) =
        fun () ->
            use t = trainer m o
            eval |> Option.iter (fun e -> t.Evaluate <- Func<_>(e))
            box (t.Fit(data, obj))
    let one = TrainOptions(Steps = 2L, BatchSize = 2)
    Assert.Equal("data", Assert.Throws<ArgumentNullException>(fun () -> (use t = trainer m one in t.Fit(null, squareLoss m)) |> ignore).ParamName)
    Assert.Equal("objective", Assert.Throws<ArgumentNullException>(fun () -> (use t = trainer m one in t.Fit(data, (null: Objective))) |> ignore).ParamName)
    throws<InvalidOperationException> "Trainer.Fit: TrainOptions.KeepBest = 'nll' needs an evaluation: set Trainer.Evaluate to a function returning that metric"
        (fit (TrainOptions(Steps = 2L, KeepBest = "nll")) (squareLoss m) None)
    throws<InvalidOperationException> "Trainer.Fit: the objective returned null at step 1; return the scalar loss tensor" (fit one (Objective(fun _ _ -> null)) None)
    throws<ArgumentException> "Trainer.Fit: the objective must return a scalar loss, got shape [2, 1] at step 1; reduce it with .Mean() or .Sum()"
        (fit one (Objective(fun b _ -> m.Forward(b).Square())) None)
    throws<InvalidOperationException> "Trainer: Evaluate returned null at step 2; return a dictionary of metrics" (fit one (squareLoss m) (Some(fun () -> null)))
    throws<ArgumentException> "TrainOptions.KeepBest = 'nll': the evaluation returned no such metric (it returned: loss, acc); name one of those"
        (fit (TrainOptions(Steps = 2L, BatchSize = 2, KeepBest = "nll")) (squareLoss m) (Some(fun () -> readOnlyDict [ "loss", 1.0; "acc", 0.5 ])))
    let empty = new TensorDataset(Torch.Zeros([| 0L; 1L |], ScalarType.Float64))
    throws<ArgumentException> "Trainer.Fit: the data set is empty; give it at least one example" (fun () -> (use t = trainer m one in box (t.Fit(empty, squareLoss m))))
    throws<ArgumentException> "Trainer.Fit: with DropLast every batch needs BatchSize = 6 examples but the data set has 5; lower BatchSize or set DropLast = false"
        (fit (TrainOptions(Steps = 1L, BatchSize = 6, DropLast = true)) (squareLoss m) None)
    // DropLast with exactly BatchSize examples is one full batch per epoch
    use t = trainer m (TrainOptions(Steps = 2L, BatchSize = 5, DropLast = true, Shuffle = false))
    let r = t.Fit(data, squareLoss m)
    Assert.Equal(2L, r.Epochs)

let ``a non-finite loss names itself in the message (NaN, +inf, -inf) and the checkpoint it left intact`` () =
    let dir = tempDir ()
    try
        for bad, shown in [ nan, "NaN"; infinity, "+inf"; -infinity, "-inf" ] do
            use m = scalarModel ()
            let data = indexData 4L
            use t = trainer m (TrainOptions(Steps = 5L, BatchSize = 4, CheckpointEvery = 2L, CheckpointDir = dir))
            let obj = Objective(fun b ctx -> if ctx.Step = 3L then m.Forward(b).Sum() * bad else m.Forward(b).Square().Mean())
            let e = Assert.Throws<TrainingDivergedException>(fun () -> t.Fit(data, obj) |> ignore)
            Assert.Equal(3L, e.Step)
            let last = Path.Combine(dir, "last.pt")
            Assert.Equal(sprintf "the loss was %s at step 3; the parameters were not updated at that step. Lower the learning rate or clip gradients (TrainOptions.ClipGradNorm); the last checkpoint, %s, is as it was before this step." shown last, e.Message)
        // without a checkpoint the sentence ends after the advice
        use m = scalarModel ()
        let data = indexData 4L
        use t = trainer m (TrainOptions(Steps = 2L, BatchSize = 4))
        let e = Assert.Throws<TrainingDivergedException>(fun () -> t.Fit(data, Objective(fun b _ -> m.Forward(b).Sum() * nan)) |> ignore)
        Assert.EndsWith("clip gradients (TrainOptions.ClipGradNorm).", e.Message)
    finally Directory.Delete(dir, true)

// ---- the data order and the run's generator ----

/// SplitMix64's published first outputs from state 0 (state += 0x9E3779B97F4A7C15, then the 30/27/31 mix): the epoch
/// permutation seeds of a run with Seed 0 are outputs 1, 2, ...; the run's own generator is the mix of 0, which is 0.
let private splitMix0 = [| 0xE220A8397B1DCDAFUL; 0x6E789E6AA1B965F4UL; 0x06C45D188009454FUL |]

let ``the data order: epoch e of a Seed-0 run is randperm(N) from SplitMix64's output e + 1, cut into batches in order; the run's generator is Generator(0)`` () =
    use m = scalarModel ()
    let data = indexData 10L
    // 10 examples in batches of 4: 3 batches per epoch (4, 4, 2), 9 steps = 3 epochs
    use t = trainer m (TrainOptions(Steps = 9L, BatchSize = 4, Seed = 0UL))
    let seen = ResizeArray<int64[]>()
    let firstDraw = ref nan
    let obj =
        Objective(fun b ctx ->
            seen.Add(b.Reshape(-1L).To(ScalarType.Int64).ToArray<int64>())
            if ctx.Step = 1L then firstDraw.Value <- Torch.Rand([| 1L |], ctx.Generator, Nullable ScalarType.Float64).ToDouble()
            m.Forward(b).Square().Mean())
    let r = t.Fit(data, obj)
    Assert.Equal(3L, r.Epochs)
    for e in 0 .. 2 do
        use g = new Generator(splitMix0.[e])
        let perm = Torch.RandPerm(10L, g).ToArray<int64>()
        Assert.Equal<int64[]>(perm.[0..3], seen.[3 * e])
        Assert.Equal<int64[]>(perm.[4..7], seen.[3 * e + 1])
        Assert.Equal<int64[]>(perm.[8..9], seen.[3 * e + 2])
        Assert.Equal<int64 list>([ int64 e; int64 e; int64 e ], [ for s in 3 * e .. 3 * e + 2 -> r.StepRecords.[s].Epoch ])
    use g0 = new Generator(0UL)
    Assert.Equal(Torch.Rand([| 1L |], g0, Nullable ScalarType.Float64).ToDouble(), firstDraw.Value)

// ---- ends, flags, evaluation ----

let ``a full run is not stopped early; a stop requested during the last step's OnStep is not early either; an objective's stop at step 1 leaves 0 steps and 0 epochs`` () =
    let data = indexData 4L
    use m = scalarModel ()
    use t = trainer m (TrainOptions(Steps = 3L, BatchSize = 2))
    let r = t.Fit(data, squareLoss m)
    Assert.False(r.StoppedEarly)
    Assert.Equal((3L, 2L), (r.Steps, r.Epochs))
    use m2 = scalarModel ()
    use t2 = trainer m2 (TrainOptions(Steps = 3L, BatchSize = 2))
    t2.OnStep <- Action<StepRecord>(fun s -> if s.Step = 3L then t2.RequestStop())
    let r2 = t2.Fit(data, squareLoss m2)
    Assert.False(r2.StoppedEarly)
    Assert.Equal(3L, r2.Steps)
    use m3 = scalarModel ()
    use t3 = trainer m3 (TrainOptions(Steps = 3L, BatchSize = 2))
    let r3 = t3.Fit(data, Objective(fun b ctx -> ctx.RequestStop(); m3.Forward(b).Square().Mean()))
    Assert.True(r3.StoppedEarly)
    Assert.Equal((0L, 0L, 0), (r3.Steps, r3.Epochs, r3.StepRecords.Count))
    close 0.0 [ 1.0 ] m3.Weight

let ``the objective's logged metrics are in the step record; evaluation runs in eval mode under no-grad, the model is back in training mode after`` () =
    let data = indexData 4L
    use m = scalarModel ()
    use t = trainer m (TrainOptions(Steps = 2L, BatchSize = 2))
    let modes = ResizeArray<bool * bool>()
    t.Evaluate <- Func<_>(fun () -> modes.Add((m.Training, Autograd.IsGradEnabled)); readOnlyDict [ "x", 1.0 ])
    let r = t.Fit(data, Objective(fun b ctx -> ctx.Log("kl", float ctx.Step * 0.5); m.Forward(b).Square().Mean()))
    Assert.Equal<float list>([ 0.5; 1.0 ], [ for s in r.StepRecords -> s.Metrics.["kl"] ])
    Assert.Equal<(bool * bool) list>([ (false, false) ], List.ofSeq modes)
    Assert.True(m.Training)
    // without KeepBest no evaluation is "best"
    Assert.False(r.Evaluations.[0].IsBest)

let ``keep-best: a tie does not replace the best, whether lower or higher is better`` () =
    for maximize in [ false; true ] do
        let data = indexData 4L
        use m = scalarModel ()
        use t = trainer m (TrainOptions(Steps = 4L, BatchSize = 2, EvalEvery = 1L, KeepBest = "m", KeepBestMaximize = maximize))
        t.Evaluate <- Func<_>(fun () -> readOnlyDict [ "m", 2.0 ])
        let r = t.Fit(data, squareLoss m)
        Assert.Equal(Nullable 1L, r.BestStep)
        Assert.Equal<bool list>([ true; false; false; false ], [ for e in r.Evaluations -> e.IsBest ])

// ---- checkpoints ----

let ``checkpoints: the file records the epoch; bad paths, a disposed trainer, another seed or schedule, and other data are refused by name`` () =
    let dir = tempDir ()
    try
        let path = Path.Combine(dir, "last.pt")
        let data = indexData 10L
        use m = scalarModel ()
        // 10 examples in batches of 4: 3 per epoch; after step 6 the epoch is (6 - 1) / 3 = 1 (step 7 would begin epoch 2)
        use t = trainer m (TrainOptions(Steps = 6L, BatchSize = 4, Seed = 5UL, CheckpointEvery = 6L, CheckpointDir = dir))
        t.Fit(data, squareLoss m) |> ignore
        let saved = Torch.Load(path)
        Assert.Equal(1L, saved.["trainer.epoch"].Item<int64>())
        Assert.Equal(6L, saved.["trainer.step"].Item<int64>())
        Assert.Equal(3L, saved.["trainer.batches_per_epoch"].Item<int64>())
        for v in saved.Values do v.Dispose()
        Assert.False(File.Exists(path + ".tmp"))
        for bad in [ null; "" ] do
            Assert.ThrowsAny<ArgumentException>(fun () -> t.SaveCheckpoint(bad)) |> ignore
            Assert.ThrowsAny<ArgumentException>(fun () -> t.LoadCheckpoint(bad)) |> ignore
        // another seed, a schedule where the run had none, and the other way round
        use m2 = scalarModel ()
        use other = trainer m2 (TrainOptions(Steps = 9L, BatchSize = 4, Seed = 6UL))
        throws<ArgumentException> (sprintf "Trainer.LoadCheckpoint: '%s' was written by a run with Seed 5, this trainer has Seed 6; resume with the same TrainOptions.Seed (it fixes the data order)" path) (fun () -> (other.LoadCheckpoint(path); box ()))
        use scheduled = new Trainer(m2, sgd, Func<Optimizer, LRScheduler>(fun o -> new StepLR(o, 2L)), TrainOptions(Steps = 9L, BatchSize = 4, Seed = 5UL))
        throws<ArgumentException> (sprintf "Trainer.LoadCheckpoint: '%s' holds no schedule state but this trainer has a schedule; build it without one, as the run that wrote it" path) (fun () -> (scheduled.LoadCheckpoint(path); box ()))
        let schedPath = Path.Combine(dir, "sched.pt")
        scheduled.SaveCheckpoint(schedPath)
        use plain = trainer m2 (TrainOptions(Steps = 9L, BatchSize = 4, Seed = 5UL))
        throws<ArgumentException> (sprintf "Trainer.LoadCheckpoint: '%s' holds a schedule's state but this trainer has none; pass the same makeSchedule as the run that wrote it" schedPath) (fun () -> (plain.LoadCheckpoint(schedPath); box ()))
        // a file without the trainer's entries
        let foreign = Path.Combine(dir, "foreign.pt")
        use one = Torch.Ones([| 1L |])
        Torch.Save(readOnlyDict [ "w", one ], foreign)
        throws<ArgumentException> (sprintf "Trainer.LoadCheckpoint: '%s' has no 'trainer.seed'; load a file written by Trainer.SaveCheckpoint" foreign) (fun () -> (plain.LoadCheckpoint(foreign); box ()))
        // resumed on a data set cut into another number of batches
        use resumed = trainer m2 (TrainOptions(Steps = 9L, BatchSize = 4, Seed = 5UL))
        resumed.LoadCheckpoint(path)
        Assert.Equal(6L, resumed.Step)
        let smaller = indexData 6L
        throws<ArgumentException> "Trainer.Fit: the run so far cut its data into 3 batches per epoch, this data set gives 2; resume with the same data set, BatchSize and DropLast" (fun () -> box (resumed.Fit(smaller, squareLoss m2)))
        // a disposed trainer refuses everything, and a second Dispose is harmless
        t.Dispose()
        t.Dispose()
        Assert.Throws<ObjectDisposedException>(fun () -> t.SaveCheckpoint(path)) |> ignore
        Assert.Throws<ObjectDisposedException>(fun () -> t.LoadCheckpoint(path)) |> ignore
        Assert.Throws<ObjectDisposedException>(fun () -> t.Fit(data, squareLoss m) |> ignore) |> ignore
    finally Directory.Delete(dir, true)

let ``RequestStop from OnStep ends the fit after that step (stopped early); Fit puts an eval-mode model in training mode; Log refuses an empty name`` () =
    let data = indexData 4L
    use m = scalarModel ()
    use t = trainer m (TrainOptions(Steps = 3L, BatchSize = 2))
    t.OnStep <- Action<StepRecord>(fun s -> if s.Step = 1L then t.RequestStop())
    m.Eval() |> ignore
    let modes = ResizeArray<bool>()
    let r = t.Fit(data, Objective(fun b ctx -> modes.Add m.Training; m.Forward(b).Square().Mean()))
    Assert.True(r.StoppedEarly)
    Assert.Equal((1L, 1), (r.Steps, r.StepRecords.Count))
    Assert.Equal<bool list>([ true ], List.ofSeq modes)
    use t2 = trainer m (TrainOptions(Steps = 1L, BatchSize = 2))
    Assert.ThrowsAny<ArgumentException>(fun () -> t2.Fit(data, Objective(fun b ctx -> ctx.Log("", 1.0); m.Forward(b).Sum())) |> ignore) |> ignore

let ``RequestStop(evaluate = false) ends after the step without its unscheduled evaluation; a due one still runs; the default and the budget's end evaluate`` () =
    let data = indexData 8L
    /// The steps evaluated in a 6-step fit (EvalEvery 2) stopped from OnStep at `stopAt` with `evaluate`.
    let evaluated (stopAt: int64) (evaluate: bool) =
        use m = scalarModel ()
        use t = trainer m (TrainOptions(Steps = 6L, BatchSize = 2, EvalEvery = 2L))
        t.Evaluate <- Func<_>(fun () -> readOnlyDict [ "valid", 1.0 ])
        t.OnStep <- Action<StepRecord>(fun s -> if s.Step = stopAt then t.RequestStop(evaluate))
        let r = t.Fit(data, squareLoss m)
        Assert.Equal(stopAt, r.Steps)
        [ for e in r.Evaluations -> e.Step ]
    Assert.Equal<int64 list>([ 2L ], evaluated 3L false)          // step 3 was not due: no evaluation at the stop
    Assert.Equal<int64 list>([ 2L; 3L ], evaluated 3L true)       // the default evaluates the stopping step
    Assert.Equal<int64 list>([ 2L; 4L ], evaluated 4L false)      // step 4 was due
    Assert.Equal<int64 list>([ 2L; 4L; 6L ], evaluated 6L false)  // the budget's last step always evaluates

let ``a resumed run counts its time before the checkpoint: SecondsBefore is the checkpoint's time, a second Fit's is the first's`` () =
    let data = indexData 8L
    let dir = tempDir ()
    // every step sleeps 30 ms, so the 4 steps before the checkpoint take >= 0.12 s
    let slow (m: Module) = Objective(fun batch _ -> Threading.Thread.Sleep 30; m.Forward(batch).Square().Mean())
    use m1 = scalarModel ()
    use t1 = trainer m1 (TrainOptions(Steps = 4L, BatchSize = 2, CheckpointEvery = 4L, CheckpointDir = dir))
    let r1 = t1.Fit(data, slow m1)
    Assert.Equal(0.0, r1.SecondsBefore)
    Assert.True(r1.Seconds >= 0.12, sprintf "4 steps of >= 30 ms took %g s" r1.Seconds)
    use m2 = scalarModel ()
    use t2 = trainer m2 (TrainOptions(Steps = 6L, BatchSize = 2))
    t2.LoadCheckpoint(Path.Combine(dir, "last.pt"))
    let r2 = t2.Fit(data, slow m2)
    Assert.Equal(6L, r2.Steps)
    // written at step 4, inside the first Fit: its time then, at least the 4 steps' and at most the whole Fit's
    Assert.True(r2.SecondsBefore >= 0.12 && r2.SecondsBefore <= r1.Seconds, sprintf "before %g, first fit %g" r2.SecondsBefore r1.Seconds)
    Assert.True(r2.Seconds >= 0.06, sprintf "2 steps of >= 30 ms took %g s" r2.Seconds)     // this call only
    // the same trainer fitted again (a longer budget is a new trainer; the same one, with its steps done, runs none)
    let r3 = t2.Fit(data, slow m2)
    Assert.Equal(r2.SecondsBefore + r2.Seconds, r3.SecondsBefore, 9)
    Directory.Delete(dir, true)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.TrainerMutantTests" [
        Expecto.Tests.testCase "TrainOptions: every bad option is refused with a message naming it and the fix; the edges are allowed" ``TrainOptions: every bad option is refused with a message naming it and the fix; the edges are allowed``
        Expecto.Tests.testCase "Trainer: null arguments throw ArgumentNullException naming them; a null optimizer or a schedule over another optimizer is refused" ``Trainer: null arguments throw ArgumentNullException naming them; a null optimizer or a schedule over another optimizer is refused``
        Expecto.Tests.testCase "Fit: bad data, objectives and evaluations are refused with messages naming the step and the fix" ``Fit: bad data, objectives and evaluations are refused with messages naming the step and the fix``
        Expecto.Tests.testCase "a non-finite loss names itself in the message (NaN, +inf, -inf) and the checkpoint it left intact" ``a non-finite loss names itself in the message (NaN, +inf, -inf) and the checkpoint it left intact``
        Expecto.Tests.testCase "the data order: epoch e of a Seed-0 run is randperm(N) from SplitMix64's output e + 1, cut into batches in order; the run's generator is Generator(0)" ``the data order: epoch e of a Seed-0 run is randperm(N) from SplitMix64's output e + 1, cut into batches in order; the run's generator is Generator(0)``
        Expecto.Tests.testCase "a full run is not stopped early; a stop requested during the last step's OnStep is not early either; an objective's stop at step 1 leaves 0 steps and 0 epochs" ``a full run is not stopped early; a stop requested during the last step's OnStep is not early either; an objective's stop at step 1 leaves 0 steps and 0 epochs``
        Expecto.Tests.testCase "the objective's logged metrics are in the step record; evaluation runs in eval mode under no-grad, the model is back in training mode after" ``the objective's logged metrics are in the step record; evaluation runs in eval mode under no-grad, the model is back in training mode after``
        Expecto.Tests.testCase "keep-best: a tie does not replace the best, whether lower or higher is better" ``keep-best: a tie does not replace the best, whether lower or higher is better``
        Expecto.Tests.testCase "checkpoints: the file records the epoch; bad paths, a disposed trainer, another seed or schedule, and other data are refused by name" ``checkpoints: the file records the epoch; bad paths, a disposed trainer, another seed or schedule, and other data are refused by name``
        Expecto.Tests.testCase "RequestStop(evaluate = false) ends after the step without its unscheduled evaluation; a due one still runs; the default and the budget's end evaluate" ``RequestStop(evaluate = false) ends after the step without its unscheduled evaluation; a due one still runs; the default and the budget's end evaluate``
        Expecto.Tests.testCase "RequestStop from OnStep ends the fit after that step (stopped early); Fit puts an eval-mode model in training mode; Log refuses an empty name" ``RequestStop from OnStep ends the fit after that step (stopped early); Fit puts an eval-mode model in training mode; Log refuses an empty name``
        Expecto.Tests.testCase "a resumed run counts its time before the checkpoint: SecondsBefore is the checkpoint's time, a second Fit's is the first's" ``a resumed run counts its time before the checkpoint: SecondsBefore is the checkpoint's time, a second Fit's is the first's``
    ]
