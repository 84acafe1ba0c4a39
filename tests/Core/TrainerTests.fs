/// TrainerTests.fs: generator state save/restore, and the Trainer — bit-identical resume, NaN guard, keep-best, early stop, schedules, flat memory, epoch order.
module GenDsl.Tests.Core.TrainerTests

open System
open System.Collections.Generic
open System.IO
open Xunit
open GenDsl.Data
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Torch.Optim
open GenDsl.Training
open GenDsl.Tests.Support

// ---- generator state ----

let ``Generator.GetState then SetState repeats the draws bit for bit, and the state is not an alias of the generator`` () =
    use g = new Generator(5UL)
    use _ = Torch.Rand([| 7L |], g) // move off the seed's start
    use state = g.GetState()
    let first = vals (Torch.Randn([| 50L |], g, ScalarType.Float64))
    let moved = vals (Torch.Randn([| 50L |], g, ScalarType.Float64))
    Assert.NotEqual<float[]>(first, moved) // the generator advanced, so the restore below has something to undo
    g.SetState(state) |> ignore
    Assert.Equal<float[]>(first, vals (Torch.Randn([| 50L |], g, ScalarType.Float64)))

let ``Torch.GetRngState and SetRngState restore the default generator that Dropout without a generator uses`` () =
    Torch.ManualSeed(11UL)
    use x = Torch.Ones([| 200L |])
    use state = Torch.GetRngState()
    let first = vals (Functional.Dropout(x, 0.5))
    Assert.NotEqual<float[]>(first, vals (Functional.Dropout(x, 0.5)))
    Torch.SetRngState(state)
    Assert.Equal<float[]>(first, vals (Functional.Dropout(x, 0.5)))
    Assert.Contains("uint8", Assert.Throws<ArgumentException>(fun () -> Torch.SetRngState(x)).Message)

// ---- a small noisy problem: y = sum(x) + noise, an MLP with Dropout (default generator), noise from ctx.Generator ----

let private mlp (seed: uint64) =
    use g = new Generator(seed)
    new Sequential(new Linear(4L, 16L, generator = g), new Tanh(), new Dropout(0.2), new Linear(16L, 1L, generator = g))

/// 50 examples of (x (4), y): rows (50, 5) with y in the last column.
let private regression () =
    use g = new Generator(3UL)
    use x = Torch.Randn([| 50L; 4L |], g)
    use y = x.Sum(1L, keepdim = true) // (50, 1)
    new TensorDataset(Torch.Cat([| x; y |], 1L))

let private noisyMse (model: Module) : Objective =
    Objective(fun batch ctx ->
        let x = batch.Narrow(1L, 0L, 4L) // (B, 4)
        let y = batch.Narrow(1L, 4L, 1L) // (B, 1)
        let noise = Torch.Randn(y.Shape, ctx.Generator) * 0.1
        (model.Forward(x) + noise - y).Square().Mean())

let private adamWithSchedule =
    Func<seq<Tensor>, Optimizer>(fun ps -> new Adam(ps, lr = 0.02)),
    Func<Optimizer, LRScheduler>(fun o -> new StepLR(o, 4L, gamma = 0.5))

let private sgd lr = Func<seq<Tensor>, Optimizer>(fun ps -> new SGD(ps, lr = lr))

let private options steps dir checkpointEvery =
    TrainOptions(Steps = steps, BatchSize = 16, Seed = 9UL, ClipGradNorm = Nullable 0.5, CheckpointDir = dir, CheckpointEvery = checkpointEvery)

let private paramValues (m: Module) = [ for p in m.Parameters() -> vals p ]
let private losses (r: TrainResult) = [| for s in r.StepRecords -> s.Loss |]

let private tempDir () = newTempDir "trainer"

let ``Trainer: stopped after 7 steps and resumed from its checkpoint, the run has the straight run's losses and parameters bit for bit`` () =
    let dir = tempDir ()
    let makeOpt, makeSched = adamWithSchedule
    let data = regression ()
    // straight: 13 steps (4 batches per epoch of 16, 16, 16, 2 examples, so step 7 is mid-epoch 1)
    Torch.ManualSeed(1UL)
    use straightModel = mlp 2UL
    use straight = new Trainer(straightModel, makeOpt, makeSched, options 13L null 0L)
    let a = straight.Fit(data, noisyMse straightModel)
    // the same run stopped after 7 steps, writing its checkpoint at the end
    Torch.ManualSeed(1UL)
    use firstModel = mlp 2UL
    use first = new Trainer(firstModel, makeOpt, makeSched, options 7L dir 7L)
    let b = first.Fit(data, noisyMse firstModel)
    Assert.Equal<float[]>(Array.sub (losses a) 0 7, losses b)
    // a fresh process state: another initialisation, the default generator elsewhere, then resume
    Torch.ManualSeed(999UL)
    use _ = Torch.Rand([| 100L |])
    use resumedModel = mlp 77UL
    use resumed = new Trainer(resumedModel, makeOpt, makeSched, options 13L null 0L)
    resumed.LoadCheckpoint(Path.Combine(dir, "last.pt"))
    Assert.Equal(7L, resumed.Step)
    Assert.Equal(0.02 * 0.5, resumed.Optimizer.LR) // StepLR(4, 0.5) after 7 steps
    let c = resumed.Fit(data, noisyMse resumedModel)
    Assert.Equal<int64 list>([ 8L .. 13L ], [ for s in c.StepRecords -> s.Step ])
    Assert.Equal<float[]>(Array.sub (losses a) 7 6, losses c)
    List.iter2 (fun (x: float[]) (y: float[]) -> Assert.Equal<float[]>(x, y)) (paramValues straightModel) (paramValues resumedModel)
    // the clipping ran: the largest pre-clip norm exceeds 0.5 on this problem
    Assert.True(a.StepRecords |> Seq.exists (fun s -> s.GradNorm.Value > 0.5))
    Directory.Delete(dir, true)

let ``Trainer: a NaN loss at step 6 throws TrainingDivergedException naming step 6, without stepping, and leaves the step-4 checkpoint intact`` () =
    let dir = tempDir ()
    let makeOpt, makeSched = adamWithSchedule
    let data = regression ()
    use model = mlp 2UL
    let o = options 10L dir 2L
    use trainer = new Trainer(model, makeOpt, makeSched, o)
    let path = Path.Combine(dir, "last.pt")
    let mutable bytesAt5 = [||]
    let mutable paramsAt5 = []
    trainer.OnStep <- Action<StepRecord>(fun s -> if s.Step = 5L then (bytesAt5 <- File.ReadAllBytes path; paramsAt5 <- paramValues model))
    let objective = noisyMse model
    let poisoned = Objective(fun b ctx -> let l = objective.Invoke(b, ctx) in if ctx.Step = 6L then l * Double.NaN else l)
    let e = Assert.Throws<TrainingDivergedException>(fun () -> trainer.Fit(data, poisoned) |> ignore)
    Assert.Equal(6L, e.Step)
    Assert.Contains("NaN at step 6", e.Message)
    Assert.Contains("learning rate", e.Message)
    Assert.Equal<byte[]>(bytesAt5, File.ReadAllBytes path)
    Assert.False(File.Exists(path + ".tmp"))
    List.iter2 (fun (x: float[]) (y: float[]) -> Assert.Equal<float[]>(x, y)) paramsAt5 (paramValues model)
    use again = new Trainer(mlp 2UL, makeOpt, makeSched, o)
    again.LoadCheckpoint path
    Assert.Equal(4L, again.Step)
    Directory.Delete(dir, true)

let ``Trainer: a NaN gradient norm under clipping throws at its step`` () =
    use w = new Linear(1L, 1L)
    let data = new TensorDataset(Torch.Ones([| 4L; 1L |]))
    use trainer = new Trainer(w, sgd 0.1, null, TrainOptions(Steps = 5L, BatchSize = 4, ClipGradNorm = Nullable 1.0))
    // at step 3 the loss is sqrt(|w - w|) = 0, whose derivative at 0 is 0 * inf = NaN
    let e = Assert.Throws<TrainingDivergedException>(fun () ->
        trainer.Fit(data, Objective(fun x ctx ->
            let p = w.Forward(x).Mean()
            if ctx.Step = 3L then (p - p.Detach()).Abs().Sqrt() else p.Square())) |> ignore)
    Assert.Equal(3L, e.Step)
    Assert.Contains("gradient norm was NaN", e.Message)

// ---- keep-best and early stopping: an evaluator whose metric is best at a known step ----

let private quadraticFit (model: Linear) (trainer: Trainer) (metricAt: int64 -> float) =
    trainer.Evaluate <- Func<IReadOnlyDictionary<string, float>>(fun () -> readOnlyDict [ "score", metricAt trainer.Step; "w", model.Weight.ToDouble() ])
    let data = new TensorDataset(Torch.Ones([| 8L; 1L |]))
    trainer.Fit(data, Objective(fun x _ -> (model.Forward(x) - 3.0).Square().Mean()))

let ``Trainer keep-best: the model ends with the parameters of the best evaluation (step 6 of 10), also across a checkpoint`` () =
    let dir = tempDir ()
    let o = TrainOptions(Steps = 10L, BatchSize = 8, EvalEvery = 2L, KeepBest = "score")
    use g1 = new Generator(1UL)
    use model = new Linear(1L, 1L, generator = g1)
    use trainer = new Trainer(model, sgd 0.05, null, o)
    let weights = Dictionary<int64, float[]>()
    trainer.OnEval <- Action<EvalRecord>(fun e -> weights.[e.Step] <- vals model.Weight)
    let r = quadraticFit model trainer (fun s -> abs (float s - 6.0)) // lower is better: best at 6
    Assert.Equal(Nullable 6L, r.BestStep)
    Assert.Equal<bool list>([ true; true; true; false; false ], [ for e in r.Evaluations -> e.IsBest ])
    Assert.Equal<float[]>(weights.[6L], vals model.Weight)
    Assert.NotEqual<float[]>(weights.[10L], vals model.Weight) // the weight kept moving after step 6
    // maximising: best at step 4; and the kept parameters survive a checkpoint (written at step 8) and a resume
    let oMax steps every =
        TrainOptions(Steps = steps, BatchSize = 8, EvalEvery = 2L, KeepBest = "score", KeepBestMaximize = true, CheckpointEvery = every, CheckpointDir = dir)
    use g2 = new Generator(1UL)
    use m2 = new Linear(1L, 1L, generator = g2)
    use t2 = new Trainer(m2, sgd 0.05, null, oMax 8L 8L)
    t2.OnEval <- Action<EvalRecord>(fun e -> weights.[100L + e.Step] <- vals m2.Weight)
    quadraticFit m2 t2 (fun s -> -abs (float s - 4.0)) |> ignore
    use g3 = new Generator(2UL)
    use m3 = new Linear(1L, 1L, generator = g3)
    use t3 = new Trainer(m3, sgd 0.05, null, oMax 10L 0L)
    t3.LoadCheckpoint(Path.Combine(dir, "last.pt"))
    let r3 = quadraticFit m3 t3 (fun s -> -abs (float s - 4.0))
    Assert.Equal(Nullable 4L, r3.BestStep)
    Assert.Equal<float[]>(weights.[104L], vals m3.Weight)
    Directory.Delete(dir, true)

let ``Trainer early stop: best at step 4, patience 2, evaluations every 2 steps -> stops after step 8 of 20`` () =
    let o = TrainOptions(Steps = 20L, BatchSize = 8, EvalEvery = 2L, KeepBest = "score", EarlyStopPatience = Nullable 2L)
    use model = new Linear(1L, 1L)
    use trainer = new Trainer(model, sgd 0.05, null, o)
    let r = quadraticFit model trainer (fun s -> abs (float s - 4.0))
    Assert.True(r.StoppedEarly)
    Assert.Equal(8L, r.Steps)
    Assert.Equal(8, r.StepRecords.Count)
    Assert.Equal<int64 list>([ 2L; 4L; 6L; 8L ], [ for e in r.Evaluations -> e.Step ])
    Assert.Equal(Nullable 4L, r.BestStep)
    let noKeepBest = TrainOptions(Steps = 1L, EarlyStopPatience = Nullable 2L)
    Assert.Contains("set KeepBest", Assert.Throws<ArgumentException>(fun () -> new Trainer(model, sgd 0.1, null, noKeepBest) |> ignore).Message)

// ---- schedules through the trainer: step s uses the schedule's LR at t = s - 1 ----
// Expected values are PyTorch's closed forms (StepLR: base gamma^floor(t / step); CosineAnnealingLR: eta_min + (base - eta_min)
// (1 + cos(pi t / T_max)) / 2; LinearLR: base (start + (end - start) min(t, total) / total; SequentialLR restarts the next one
// at its step 0), evaluated in python3's math module. python3 here has no torch, so they were not run through PyTorch itself.

let private lrsThrough (makeSched: Optimizer -> LRScheduler) =
    use model = new Linear(1L, 1L)
    let data = new TensorDataset(Torch.Ones([| 4L; 1L |]))
    use trainer = new Trainer(model, sgd 0.1, Func<Optimizer, LRScheduler>(makeSched), TrainOptions(Steps = 11L, BatchSize = 4))
    let r = trainer.Fit(data, Objective(fun x _ -> model.Forward(x).Mean()))
    Assert.Equal(11L, trainer.Schedule.LastEpoch) // once per optimizer step
    fun (t: int) -> r.StepRecords.[t].LR // t = step - 1

let ``Trainer with StepLR, CosineAnnealingLR and LinearLR warm-up then cosine gives PyTorch's learning rates`` () =
    let step = lrsThrough (fun o -> StepLR(o, 3L, gamma = 0.5) :> LRScheduler)
    for t, e in [ 0, 0.1; 2, 0.1; 3, 0.05; 6, 0.025; 9, 0.0125 ] do closeScalar 1e-15 e (step t)
    let cosine = lrsThrough (fun o -> CosineAnnealingLR(o, 10L, etaMin = 0.001) :> LRScheduler)
    for t, e in [ 0, 0.1; 2, 0.0905463412215599; 5, 0.0505; 10, 0.001 ] do closeScalar 1e-15 e (cosine t)
    let warm =
        lrsThrough (fun o ->
            SequentialLR(o, [| LinearLR(o, startFactor = 0.1, endFactor = 1.0, totalIters = 4L) :> LRScheduler; CosineAnnealingLR(o, 6L) |], [| 4L |]) :> LRScheduler)
    for t, e in [ 0, 0.010000000000000002; 2, 0.05500000000000001; 3, 0.07750000000000001; 4, 0.1; 5, 0.09330127018922195; 7, 0.05; 10, 0.0 ] do
        closeScalar 1e-15 e (warm t)

// ---- memory and data order ----

let private rssMiB () =
    File.ReadLines "/proc/self/status"
    |> Seq.find (fun l -> l.StartsWith "VmRSS:")
    |> fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries).[1]) / 1024.0

let ``Trainer: 3000 steps of an MLP with Adam, clipping and Dropout keep resident memory flat (growth < 20 MiB)`` () =
    let data = regression ()
    let run steps =
        use model = mlp 2UL
        let makeOpt, makeSched = adamWithSchedule
        use trainer = new Trainer(model, makeOpt, makeSched, TrainOptions(Steps = steps, BatchSize = 16, ClipGradNorm = Nullable 1.0))
        trainer.Fit(data, noisyMse model) |> ignore
    run 1000L // warm up: JIT, allocator pools
    GC.Collect()
    let before = rssMiB ()
    run 3000L
    GC.Collect()
    let after = rssMiB ()
    // Each step makes ~60 tensors (each a TensorImpl of ~200 bytes plus data); leaking them over 3000 steps would add
    // > 30 MiB. The 3000 step records (~100 bytes each) and allocator noise stay well under 20 MiB.
    Assert.True(after - before < 20.0, sprintf "RSS grew from %.1f MiB to %.1f MiB" before after)

/// A data set of 23 examples whose value is its index, recording each batch's indices.
let private recording (seen: ResizeArray<int64[]>) =
    { new IDataset with
        member _.Count = 23L
        member _.ExampleShape = [| 1L |]
        member _.Batch(idx, _) =
            seen.Add(Array.copy idx)
            Torch.Tensor<float32>(idx |> Array.map float32, [| int64 idx.Length; 1L |]) }

let ``Trainer: with shuffling every example is seen exactly once per epoch, in a new order each epoch (and DropLast drops the short batch)`` () =
    for dropLast in [ false; true ] do
        let seen = ResizeArray<int64[]>()
        let perEpoch = if dropLast then 4 else 5 // 23 = 4 * 5 + 3
        use model = new Linear(1L, 1L)
        use trainer = new Trainer(model, sgd 0.01, null,
                                  TrainOptions(Steps = int64 (3 * perEpoch), BatchSize = 5, DropLast = dropLast, Seed = 4UL))
        let r = trainer.Fit(recording seen, Objective(fun x _ -> model.Forward(x).Mean()))
        Assert.Equal(3L, r.Epochs)
        Assert.Equal<int64 list>([ for e in 0L .. 2L do for _ in 1 .. perEpoch -> e ], [ for s in r.StepRecords -> s.Epoch ])
        let batches = seen.ToArray()
        let epochs = [ for e in 0 .. 2 -> Array.concat batches.[e * perEpoch .. e * perEpoch + perEpoch - 1] ]
        for idx in epochs do
            if dropLast then
                Assert.Equal(20, idx.Length)
                Assert.Equal(20, (Array.distinct idx).Length)
            else Assert.Equal<int64[]>([| 0L .. 22L |], Array.sort idx)
        Assert.NotEqual<int64[]>(epochs.[0], epochs.[1])
        Assert.NotEqual<int64[]>(epochs.[0], [| 0L .. int64 epochs.[0].Length - 1L |]) // shuffled, not in order

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.TrainerTests" [
        Expecto.Tests.testCase "Generator.GetState then SetState repeats the draws bit for bit, and the state is not an alias of the generator" ``Generator.GetState then SetState repeats the draws bit for bit, and the state is not an alias of the generator``
        Expecto.Tests.testCase "Torch.GetRngState and SetRngState restore the default generator that Dropout without a generator uses" ``Torch.GetRngState and SetRngState restore the default generator that Dropout without a generator uses``
        Expecto.Tests.testCase "Trainer: stopped after 7 steps and resumed from its checkpoint, the run has the straight run's losses and parameters bit for bit" ``Trainer: stopped after 7 steps and resumed from its checkpoint, the run has the straight run's losses and parameters bit for bit``
        Expecto.Tests.testCase "Trainer: a NaN loss at step 6 throws TrainingDivergedException naming step 6, without stepping, and leaves the step-4 checkpoint intact" ``Trainer: a NaN loss at step 6 throws TrainingDivergedException naming step 6, without stepping, and leaves the step-4 checkpoint intact``
        Expecto.Tests.testCase "Trainer: a NaN gradient norm under clipping throws at its step" ``Trainer: a NaN gradient norm under clipping throws at its step``
        Expecto.Tests.testCase "Trainer keep-best: the model ends with the parameters of the best evaluation (step 6 of 10), also across a checkpoint" ``Trainer keep-best: the model ends with the parameters of the best evaluation (step 6 of 10), also across a checkpoint``
        Expecto.Tests.testCase "Trainer early stop: best at step 4, patience 2, evaluations every 2 steps -> stops after step 8 of 20" ``Trainer early stop: best at step 4, patience 2, evaluations every 2 steps -> stops after step 8 of 20``
        Expecto.Tests.testCase "Trainer with StepLR, CosineAnnealingLR and LinearLR warm-up then cosine gives PyTorch's learning rates" ``Trainer with StepLR, CosineAnnealingLR and LinearLR warm-up then cosine gives PyTorch's learning rates``
        Expecto.Tests.testCase "Trainer: 3000 steps of an MLP with Adam, clipping and Dropout keep resident memory flat (growth < 20 MiB)" ``Trainer: 3000 steps of an MLP with Adam, clipping and Dropout keep resident memory flat (growth < 20 MiB)``
        Expecto.Tests.testCase "Trainer: with shuffling every example is seen exactly once per epoch, in a new order each epoch (and DropLast drops the short batch)" ``Trainer: with shuffling every example is seen exactly once per epoch, in a new order each epoch (and DropLast drops the short batch)``
    ]
