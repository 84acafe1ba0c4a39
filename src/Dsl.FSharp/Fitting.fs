/// Fitting.fs: what every family's fits share — the context they are handed, tensors to arrays, batches and budgets,
/// optimizers and schedules made from their values, and the one path through the C# Trainer for the neural families.
module GenDsl.Dsl.Fitting

open System
open System.Diagnostics
open System.IO
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Results
open GenDsl.Dsl.Runs

/// What every family's fit is handed.
type Context =
    { Experiment: Experiment
      Planned: PlannedCase
      Device: Device
      /// The run folder (checkpoints go to its checkpoints/).
      Folder: string
      Progress: IProgress
      Log: MetricsLog
      /// Continue each gradient fit from its checkpoint in the run folder, when there is one.
      Resume: bool
      /// Data-parallel settings of this process (None: a single process).
      Distributed: GenDsl.Distributed.DistributedOptions option }

// ---- tensors <-> arrays ----

let rows (t: Tensor) : float[][] =
    let d = int (t.Size 1)
    t.To(ScalarType.Float64).Cpu().ToArray<float>() |> Array.chunkBySize d // (N, D) -> N rows
let flat (t: Tensor) : float[] = t.To(ScalarType.Float64).Cpu().ToArray<float>()
let tensorOf (m: float list list) = Torch.Tensor<float>(m |> List.concat |> List.toArray, [| int64 m.Length; int64 m.Head.Length |])

/// Images (N, ...) -> N flat rows, clamped to [0, 1] for drawing.
let imageRows (t: Tensor) : float[][] =
    use s = Scope.Begin()
    let n = t.Size 0
    rows (t.Reshape([| n; -1L |]).Clamp(0.0, 1.0))

// ---- data ----

/// The final metrics' split: Test where the data has one, else the training data.
let finalSplit (d: DataSpec) =
    match d with
    | Mnist _ | WikiText2 _ -> Test
    | DataFile f -> if f.TestFraction > 0.0 then Test else Train
    | MixtureSample _ | Points _ -> Train

/// The split final metrics are on, as a report or progress line names it: "test", "validation" or "training".
let finalSplitName (d: DataSpec) =
    match finalSplit d with
    | Test -> "test"
    | Valid -> "validation"
    | Train -> "training"

/// A case's data as the gradient families read it: one data set per split (made once), the split trained on, and
/// the pixel treatment when the data are 8-bit images (for bits per dimension).
type CaseData =
    { Split: Split -> IDataset
      Train: Split
      Pixels: Pixels option
      Dispose: unit -> unit }
    interface IDisposable with
        member this.Dispose() = this.Dispose()

/// Mean of f over a data set in batches (no grad, eval mode by the caller): f gives per-example values (B).
let meanOver (data: IDataset) (batch: int) (g: Generator) (dev: Device) (f: Tensor -> Tensor) =
    let n = data.Count
    let mutable total = 0.0
    let mutable i = 0L
    while i < n do
        use s = Scope.Begin()
        let idx = [| i .. min n (i + int64 batch) - 1L |]
        let x = data.Batch(idx, g).To(dev)
        total <- total + (f x).Sum().ToDouble()
        i <- i + int64 batch
    total / float n

/// meanOver shown as a task of `progress`, a step per batch: a final evaluation can take longer than the training (a
/// DDPM's bound is T network passes per image: 49 min for 1,000 MNIST test images here), and should be seen to move.
let meanOverShown (progress: IProgress) (task: string) (data: IDataset) (batch: int) (g: Generator) (dev: Device) (f: Tensor -> Tensor) =
    let batches = int ((data.Count + int64 batch - 1L) / int64 batch)
    progress.Begin(task, batches)
    let mutable k = 0
    let mean = meanOver data batch g dev (fun x -> let y = f x in k <- k + 1; progress.Step(task, k, []); y)
    progress.End task
    mean

// ---- optimizers and schedules (values -> the core's objects) ----

let optimizerFactory (o: Optimizer) : Func<Collections.Generic.IEnumerable<Tensor>, Optim.Optimizer> =
    match o with
    | Sgd s -> Func<_, _>(fun ps -> new Optim.SGD(ps, lr = s.Lr, momentum = s.Momentum, nesterov = s.Nesterov, weightDecay = s.WeightDecay) :> Optim.Optimizer)
    | Adam a -> Func<_, _>(fun ps -> new Optim.Adam(ps, lr = a.Lr, beta1 = a.Beta1, beta2 = a.Beta2, eps = a.Eps, weightDecay = a.WeightDecay) :> Optim.Optimizer)
    | AdamW a -> Func<_, _>(fun ps -> new Optim.AdamW(ps, lr = a.Lr, beta1 = a.Beta1, beta2 = a.Beta2, eps = a.Eps, weightDecay = a.WeightDecay) :> Optim.Optimizer)

/// The core's scheduler for a schedule resolved to steps (none for a constant rate).
let scheduleFactory (s: StepSchedule) : Func<Optim.Optimizer, Optim.LRScheduler> =
    let rec make (s: StepSchedule) (o: Optim.Optimizer) : Optim.LRScheduler =
        match s with
        | ConstantLr -> Optim.LambdaLR(o, Func<int64, float>(fun _ -> 1.0)) :> _
        | StepLr (every, gamma) -> Optim.StepLR(o, every, gamma) :> _
        | CosineLr (steps, floor) -> Optim.CosineAnnealingLR(o, steps, floor * o.LR) :> _
        | WarmupLr (w, after) ->
            let first = Optim.LinearLR(o, 1e-3, 1.0, w) :> Optim.LRScheduler
            Optim.SequentialLR(o, [| first; make after o |], [| w |]) :> _
        | HoldLr (w, factor, after) ->
            let first = Optim.LambdaLR(o, Func<int64, float>(fun _ -> factor)) :> Optim.LRScheduler
            Optim.SequentialLR(o, [| first; make after o |], [| w |]) :> _
    match s with
    | ConstantLr -> Func<_, _>(fun _ -> null)
    | _ -> Func<_, _>(fun o -> make s o)

// ---- the neural families: one path through the Trainer ----

/// How a neural family's parameters move each step.
type Moves =
    /// One loss (the mean over a batch) minimised by one optimizer over every parameter.
    | Minimise of (Tensor -> StepContext -> Tensor)
    /// Players (name, parameters), each with its own optimizer (the fit's optimizer, built per player), and a game whose
    /// step draws batches and updates them (a GAN's discriminator and generator).
    | Play of players: (string * Collections.Generic.IEnumerable<Tensor>) list * game: Game

/// What a neural family gives the one training path.
type Neural =
    { Module: NN.Module
      Moves: Moves
      /// The name of the metric evaluated on a split during training (lower is better: keep-best and early stop use it).
      Metric: string
      /// That metric on a whole split (eval mode and no grad are set by the trainer).
      EvaluateOn: Split -> Generator -> float }

/// Trains a neural family's module with a Training value and its resolved numbers: steps, evaluation on the named
/// splits, keep-best, checkpoints, progress and the metrics log. Returns (steps done, seconds, learning curves).
let train (ctx: Context) (f: FitSpec) (t: Training) (r: ResolvedFit) (train: IDataset) (nn: Neural) =
    let c = ctx.Planned.Case
    let task = c.Label + "/" + f.Name
    // The plan's epochs are of N examples: a data set of another size would make them wrong, silently.
    if train.Count <> int64 ctx.Planned.N then
        invalidOp (sprintf "case '%s': the training data has %d examples, the plan %d" c.Label train.Count ctx.Planned.N)
    let steps = r.Steps
    let ckptDir = RunFolder.within ctx.Folder [ "checkpoints"; c.Label + "_" + f.Name ]
    let firstSplit = t.EvalOn |> List.tryHead
    /// The evaluation's metric name for a split ("valid nll"): the log column, the curve and the KeepBest key.
    let metricKey (s: Split) = sprintf "%s %s" (Tree.snake (string s)) nn.Metric
    let opts =
        TrainOptions(
            Steps = steps, BatchSize = r.Batch, Shuffle = t.Shuffle, Seed = ctx.Experiment.Seed + 1UL,
            ClipGradNorm = Option.toNullable t.ClipNorm, EvalEvery = r.EvalEvery,
            KeepBest = (match firstSplit with Some s when t.KeepBest || t.EarlyStop.IsSome -> metricKey s | _ -> null),
            EarlyStopPatience = (t.EarlyStop |> Option.map int64 |> Option.toNullable),
            CheckpointEvery = r.CheckpointEvery, CheckpointDir = ckptDir,
            Distributed = Option.toObj ctx.Distributed)
    use trainer =
        match nn.Moves with
        | Minimise _ -> new Trainer(nn.Module, optimizerFactory r.Optimizer, scheduleFactory r.Schedule, opts)
        | Play (players, _) -> Trainer.OfPlayers(nn.Module, [| for name, ps in players -> Player(name, ps, optimizerFactory r.Optimizer) |], scheduleFactory r.Schedule, opts)
    let isGame = match nn.Moves with Play _ -> true | Minimise _ -> false
    /// The curve a logged step metric feeds, if any: an objective's "loss" is "train loss"; a game's curves are its
    /// players' losses ("discriminator_loss" -> "discriminator loss"). The same rule live and when a resume rewinds the log.
    let stepCurve (name: string) =
        if isGame then (if name.EndsWith "_loss" then Some(name.Replace('_', ' ')) else None)
        elif name = "loss" then Some "train loss"
        else None
    let series = Collections.Generic.Dictionary<string, ResizeArray<float * float>>()
    let add name (step: int64) v =
        if not (series.ContainsKey name) then series.[name] <- ResizeArray()
        series.[name].Add(float step, v)
    use evalGen = new Generator(ctx.Experiment.Seed + 2UL)
    // No evaluation without splits to evaluate on (it would log an empty record at the last step).
    if not t.EvalOn.IsEmpty then
        trainer.Evaluate <-
            Func<_>(fun () ->
                let d = Collections.Generic.Dictionary<string, float>()
                for s in t.EvalOn do
                    d.[metricKey s] <- nn.EvaluateOn s evalGen
                d :> Collections.Generic.IReadOnlyDictionary<_, _>)
    // The log is on disk up to a step before the trainer checkpoints it (OnStep and OnEval run before the checkpoint),
    // so a run killed outright and resumed from that checkpoint finds every row up to it.
    let flushAtCheckpoint (step: int64) =
        if opts.CheckpointEvery > 0L && (step % opts.CheckpointEvery = 0L || step >= steps) then ctx.Log.Flush()
    trainer.OnStep <-
        Action<StepRecord>(fun r ->
            // SIGINT/SIGTERM: end after this step, checkpointed; evaluated only if it was due (a stop should not wait minutes)
            if (RunFolder.stopRequested ()).IsSome then trainer.RequestStop(false)
            let ms = [ "loss", r.Loss; "lr", r.LR ] @ [ for kv in r.Metrics -> kv.Key, kv.Value ]
            for name, v in ms do stepCurve name |> Option.iter (fun curve -> add curve r.Step v)
            ctx.Log.Write(c.Label, f.Name, r.Step, r.Seconds, ms)
            flushAtCheckpoint r.Step
            ctx.Progress.Step(task, int r.Step, [ "loss", r.Loss ]))
    trainer.OnEval <-
        Action<EvalRecord>(fun r ->
            let ms = [ for kv in r.Metrics -> kv.Key, kv.Value ]
            for k, v in ms do add k r.Step v
            ctx.Log.Write(c.Label, f.Name, r.Step, r.Seconds, ms)
            flushAtCheckpoint r.Step)
    ctx.Progress.Begin(task, int steps)
    let resumeFrom = Path.Combine(ckptDir, "last.pt")
    if ctx.Resume then
        if File.Exists resumeFrom then trainer.LoadCheckpoint resumeFrom
        // The log then holds this fit's steps up to the checkpoint once, and its curves start at step 1, not at the resume.
        let evalKeys = set (List.map metricKey t.EvalOn)
        for step, name, v in ctx.Log.Rewind(c.Label, f.Name, trainer.Step) do
            match stepCurve name with
            | Some curve -> add curve step v
            | None -> if evalKeys.Contains name then add name step v
    let result =
        try
            match nn.Moves with
            | Minimise loss -> trainer.Fit(train, Objective(fun x sc -> loss (x.To(ctx.Device)) sc))
            | Play (_, game) -> trainer.Fit(train, game)
        with :? TrainingDivergedException as ex ->
            let lrKey = sprintf "%s.%s.optimizer.lr" c.Label f.Name
            failwithf "case '%s', fit '%s': %s. Lower the learning rate (--set %s=...) or clip gradients (--set %s.%s.clip_norm=1); the last good checkpoint is in %s"
                c.Label f.Name ex.Message lrKey c.Label f.Name ckptDir
    match RunFolder.stopRequested () with
    | Some signal ->
        // Stopped on request: the checkpoint of the last step (the trainer wrote it when it checkpoints periodically).
        if opts.CheckpointEvery = 0L then trainer.SaveCheckpoint resumeFrom
        raise (RunFolder.RunInterrupted signal)
    | None -> ()
    ctx.Progress.End task
    let curves = [ for kv in series -> kv.Key, List.ofSeq kv.Value ]
    result, curves

let empty (f: FitSpec) =
    { Fit = f; Curve = []; Series = []; Iterations = 0; Converged = false; Seconds = 0.0; Weights = [||]; Means = [||]
      Images = []; Texts = []; Density = None; Bandwidths = []; Snapshots = []; Latent = None; Parameters = 0L; Metrics = [] }

// ---- neural fits: the Trainer, then final metrics and what each family adds ----

/// Data sets of a case's splits, made once and disposed together.
type SplitCache<'D when 'D :> IDataset and 'D :> IDisposable>(load: Split -> 'D) =
    let cache = Collections.Generic.Dictionary<Split, 'D>()
    member _.Get(s: Split) : 'D = (if not (cache.ContainsKey s) then cache.[s] <- load s); cache.[s]
    interface IDisposable with
        member _.Dispose() = for d in cache.Values do d.Dispose()

/// Every gradient fit of a neural case through the Trainer, then its final metrics and what its family adds
/// (images, texts, latent means, a density grid) to the outcome.
let neuralFits (ctx: Context) (trainData: IDataset) (make: Training -> ResolvedFit -> Generator -> Neural)
                       (final: Neural -> Generator -> (MetricSpec * float) list) (extras: Neural -> Generator -> FitOutcome -> FitOutcome) =
    let e, c = ctx.Experiment, ctx.Planned.Case
    [ for f in c.Fits do
        match f.Fitter with
        | Em _ | ClosedForm -> ()   // the checker refuses them
        | Gradient t ->
            let r = ctx.Planned.Resolved.[f.Name]
            use g = new Generator(e.Seed + 1UL)
            let nn = make t r g
            nn.Module.To(ctx.Device) |> ignore
            let sw = Stopwatch.StartNew()
            let result, curves = train ctx f t r trainData nn
            // a resumed fit: its time before the checkpoint too (tokens/s divides all its steps by all its time)
            let secs = result.SecondsBefore + sw.Elapsed.TotalSeconds
            nn.Module.Eval() |> ignore
            use eg = new Generator(e.Seed + 4UL)
            let tokensPerSecond = float result.Steps * float r.Batch * float (List.fold (*) 1 ctx.Planned.Shape - 1) / max secs 1e-9
            let metrics =
                using (Autograd.NoGrad()) (fun _ -> final nn eg)
                @ [ for ms in e.Metrics do if ms = TokensPerSecond && c.Model.IsTransformerLm then ms, tokensPerSecond ]
            RunFolder.saveTensors (RunFolder.within ctx.Folder [ "checkpoints"; sprintf "%s_%s.pt" c.Label f.Name ]) (nn.Module.StateDict())
            let outcome =
                { empty f with
                    Series = curves; Iterations = int result.Steps; Seconds = secs
                    // Converged only when a stopping rule was met (early stop); a budget run to its end has not converged.
                    Converged = result.StoppedEarly && t.EarlyStop.IsSome
                    Parameters = Nets.parameterCount nn.Module; Metrics = metrics }
            using (Autograd.NoGrad()) (fun _ -> extras nn eg outcome) ]

