/// Families.fs: one section per model family — how its fits run on the core (the GMM's own fitter, EM for the
/// Bernoulli mixture, the one C# Trainer for the neural families) and what each reports (metrics, curves, images).
module GenDsl.Dsl.Families

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
      Resume: bool }

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

let private mnistOptions (m: MnistSpec) (split: Split) =
    MnistOptions(
        Split = (match split with Train -> MnistSplit.Train | Valid -> MnistSplit.Valid | Test -> MnistSplit.Test),
        Pixels =
            (match m.Pixels with
             | Continuous -> PixelTreatment.Continuous
             | StaticBinary -> PixelTreatment.StaticBinary
             | DynamicBinary -> PixelTreatment.DynamicBinary
             | Dequantized -> PixelTreatment.Dequantized),
        Subset = (if split = m.Split then Option.toNullable m.Subset else Option.toNullable m.EvalSubset),
        ValidSize = m.ValidSize, Flatten = not m.AsImages, Pad = m.Pad)

/// The data set of a case's source for a split: MNIST's own splits; the training data itself otherwise.
let mnistSplit (m: MnistSpec) (split: Split) : MnistDataset = MnistDataset.Load(mnistOptions m split)

/// The final metrics' split: Test where the data has one, else the training data.
let finalSplit (d: DataSpec) = match d with Mnist _ | WikiText2 _ -> Test | MixtureSample _ | Points _ -> Train

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

// ---- optimizers and schedules (values -> the core's objects) ----

let optimizerFactory (o: Optimizer) : Func<Collections.Generic.IEnumerable<Tensor>, Optim.Optimizer> =
    match o with
    | Sgd s -> Func<_, _>(fun ps -> new Optim.SGD(ps, lr = s.Lr, momentum = s.Momentum, nesterov = s.Nesterov, weightDecay = s.WeightDecay) :> Optim.Optimizer)
    | Adam a -> Func<_, _>(fun ps -> new Optim.Adam(ps, lr = a.Lr, beta1 = a.Beta1, beta2 = a.Beta2, eps = a.Eps, weightDecay = a.WeightDecay) :> Optim.Optimizer)
    | AdamW a -> Func<_, _>(fun ps -> new Optim.AdamW(ps, lr = a.Lr, beta1 = a.Beta1, beta2 = a.Beta2, eps = a.Eps, weightDecay = a.WeightDecay) :> Optim.Optimizer)

/// The schedule over `total` optimizer steps (None: constant).
let scheduleFactory (s: Schedule) (total: int64) : Func<Optim.Optimizer, Optim.LRScheduler> =
    let rec make (s: Schedule) (steps: int64) (o: Optim.Optimizer) : Optim.LRScheduler =
        match s with
        | Constant -> Optim.LambdaLR(o, Func<int64, float>(fun _ -> 1.0)) :> _
        | StepDecay (every, gamma) -> Optim.StepLR(o, int64 every, gamma) :> _
        | Cosine floor -> Optim.CosineAnnealingLR(o, max 1L steps, floor * o.LR) :> _
        | Warmup (w, after) ->
            let first = Optim.LinearLR(o, 1e-3, 1.0, int64 w) :> Optim.LRScheduler
            let second = make after (max 1L (steps - int64 w)) o
            Optim.SequentialLR(o, [| first; second |], [| int64 w |]) :> _
        | Hold (w, factor, after) ->
            let first = Optim.LambdaLR(o, Func<int64, float>(fun _ -> factor)) :> Optim.LRScheduler
            let second = make after (max 1L (steps - int64 w)) o
            Optim.SequentialLR(o, [| first; second |], [| int64 w |]) :> _
    match s with
    | Constant -> Func<_, _>(fun _ -> null)
    | _ -> Func<_, _>(fun o -> make s total o)

// ---- the neural families: one path through the Trainer ----

/// What a neural family gives the one training path.
type Neural =
    { Module: NN.Module
      /// The loss to minimise for a batch (mean over it).
      Loss: Tensor -> StepContext -> Tensor
      /// The name of the metric evaluated on a split during training (lower is better: keep-best and early stop use it).
      Metric: string
      /// That metric on a whole split (eval mode and no grad are set by the trainer).
      EvaluateOn: Split -> Generator -> float }

/// Trains a neural family's module with a Training value: steps, evaluation on the named splits, keep-best,
/// checkpoints, progress and the metrics log. Returns (steps done, seconds, learning curves).
let train (ctx: Context) (f: FitSpec) (t: Training) (train: IDataset) (nn: Neural) =
    let c = ctx.Planned.Case
    let task = c.Label + "/" + f.Name
    let n = train.Count
    let batch = match t.Batch with Some b -> b | None -> int n
    let perEpoch = (n + int64 batch - 1L) / int64 batch
    let steps = match t.Budget with Steps s -> int64 s | Epochs e -> int64 e * perEpoch
    let ckptDir = RunFolder.within ctx.Folder [ "checkpoints"; c.Label + "_" + f.Name ]
    let firstSplit = t.EvalOn |> List.tryHead
    let mainMetric = nn.Metric
    let opts =
        TrainOptions(
            Steps = steps, BatchSize = batch, Shuffle = t.Shuffle, Seed = ctx.Experiment.Seed + 1UL,
            ClipGradNorm = Option.toNullable t.ClipNorm, EvalEvery = int64 t.EvalEvery,
            KeepBest = (match firstSplit with Some s when t.KeepBest || t.EarlyStop.IsSome -> sprintf "%s %s" (Tree.snake (string s)) mainMetric | _ -> null),
            EarlyStopPatience = (t.EarlyStop |> Option.map int64 |> Option.toNullable),
            CheckpointEvery = int64 t.CheckpointEvery, CheckpointDir = ckptDir)
    use trainer = new Trainer(nn.Module, optimizerFactory t.Optimizer, scheduleFactory t.Schedule steps, opts)
    let series = Collections.Generic.Dictionary<string, ResizeArray<float * float>>()
    let add name (step: int64) v =
        if not (series.ContainsKey name) then series.[name] <- ResizeArray()
        series.[name].Add(float step, v)
    use evalGen = new Generator(ctx.Experiment.Seed + 2UL)
    trainer.Evaluate <-
        Func<_>(fun () ->
            let d = Collections.Generic.Dictionary<string, float>()
            for s in t.EvalOn do
                d.[sprintf "%s %s" (Tree.snake (string s)) nn.Metric] <- nn.EvaluateOn s evalGen
            d :> Collections.Generic.IReadOnlyDictionary<_, _>)
    trainer.OnStep <-
        Action<StepRecord>(fun r ->
            if (RunFolder.stopRequested ()).IsSome then trainer.RequestStop()   // SIGINT/SIGTERM: end after this step
            let ms = [ "loss", r.Loss; "lr", r.LR ] @ [ for kv in r.Metrics -> kv.Key, kv.Value ]
            add "train loss" r.Step r.Loss
            ctx.Log.Write(c.Label, f.Name, r.Step, r.Seconds, ms)
            ctx.Progress.Step(task, int r.Step, [ "loss", r.Loss ]))
    trainer.OnEval <-
        Action<EvalRecord>(fun r ->
            let ms = [ for kv in r.Metrics -> kv.Key, kv.Value ]
            for k, v in ms do add k r.Step v
            ctx.Log.Write(c.Label, f.Name, r.Step, r.Seconds, ms))
    ctx.Progress.Begin(task, int steps)
    let objective = Objective(fun x sc -> nn.Loss (x.To(ctx.Device)) sc)
    let resumeFrom = Path.Combine(ckptDir, "last.pt")
    if ctx.Resume && File.Exists resumeFrom then trainer.LoadCheckpoint resumeFrom
    let result =
        try trainer.Fit(train, objective)
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

// ---- Gaussian mixtures (CSE 599i P7, DS-GA 1008 1.1-1.2): the core's GaussianMixtureFit (EM, GD, SGD) ----

let private truthOf (m: Mixture) =
    match m with
    | Cse599iP7 -> GenDsl.Models.GaussianMixture.Cse599iP7()
    | Ring (k, r) -> GenDsl.Models.GaussianMixture.Ring(k, r)
    | Custom (w, means) -> new GenDsl.Models.GaussianMixture(Torch.Tensor<float>(List.toArray w), tensorOf means)

/// Points (N, D), the drawing component of each point and the true mixture, when known.
let mixtureData (seed: uint64) (d: DataSpec) : Tensor * int[] option * GenDsl.Models.GaussianMixture option =
    match d with
    | Points p -> tensorOf p, None, None
    | Mnist _ | WikiText2 _ -> invalidOp "mixtureData: only mixture samples and points are points"
    | MixtureSample s ->
        let truth = truthOf s.Source
        use g = new Generator(defaultArg s.Seed seed)
        if s.Stratified then
            // n/K points from each component (the first n mod K get one more): x = mu_k + eps, eps ~ N(0, I).
            let k = truth.K
            let parts =
                [ for j in 0 .. k - 1 do
                    let nj = s.N / k + (if j < s.N % k then 1 else 0)
                    if nj > 0 then
                        let x = Torch.Randn([| int64 nj; int64 truth.D |], g, ScalarType.Float64) + truth.Means.Select(0, int64 j) // (nj, D)
                        x, Array.create nj j ]
            Torch.Cat(parts |> List.map fst |> List.toArray, 0L), Some(parts |> Array.ofList |> Array.collect snd), Some truth
        else
            let struct (x, z) = truth.Sample(int64 s.N, g)
            x, Some(z.ToArray<int64>() |> Array.map int), Some truth

/// The true density on a grid x grid lattice covering the data: (xs, ys, p.[iy].[ix]).
let densityGrid (truth: GenDsl.Models.GaussianMixture) (x: float[][]) (grid: int) =
    let lo k = (x |> Array.map (fun r -> r.[k]) |> Array.min) - 1.0
    let hi k = (x |> Array.map (fun r -> r.[k]) |> Array.max) + 1.0
    let axis k = Array.init grid (fun i -> lo k + (hi k - lo k) * float i / float (grid - 1))
    let xs, ys = axis 0, axis 1
    let pts = [| for y in ys do for xv in xs do yield! [| xv; y |] |]
    use s = Scope.Begin()
    let p = truth.LogProb(Torch.Tensor<float>(pts, [| int64 (grid * grid); 2L |])).Exp() // (grid*grid,) row-major in y
    let z = flat p |> Array.chunkBySize grid
    xs, ys, z

/// A split of a mixture sample: Train is the case's data; Valid and Test are fresh i.i.d. samples of the same size from
/// the same mixture (seeds derived from the data's), so every family is compared on one test sample.
let mixtureSplit (seed: uint64) (d: DataSpec) (split: Split) : Tensor option =
    match d with
    | MixtureSample s ->
        match split with
        | Train -> let x, _, _ = mixtureData seed d in Some x
        | Valid | Test ->
            let offset = if split = Valid then 101UL else 202UL
            let x, _, _ = mixtureData seed (MixtureSample { s with Stratified = false; Seed = Some(defaultArg s.Seed seed + offset) })
            Some x
    | Points _ -> (match split with Train -> (let x, _, _ = mixtureData seed d in Some x) | Valid | Test -> None)
    | Mnist _ | WikiText2 _ -> None

/// -log p on a test sample: (mean, standard error = sd / sqrt n).
let private nllStats (logProb: Tensor -> Tensor) (x: Tensor) =
    use s = Scope.Begin()
    let v = flat (logProb x) |> Array.map (fun l -> -l)
    let n = float v.Length
    let mean = Array.average v
    let sd = sqrt ((v |> Array.sumBy (fun a -> (a - mean) ** 2.0)) / (n - 1.0))
    mean, sd / sqrt n

/// The density exp(logProb) on a grid x grid lattice covering the points.
let private fittedGrid (logProb: Tensor -> Tensor) (x: float[][]) (grid: int) =
    let lo k = (x |> Array.map (fun r -> r.[k]) |> Array.min) - 1.0
    let hi k = (x |> Array.map (fun r -> r.[k]) |> Array.max) + 1.0
    let axis k = Array.init grid (fun i -> lo k + (hi k - lo k) * float i / float (grid - 1))
    let xs, ys = axis 0, axis 1
    let pts = [| for y in ys do for xv in xs do yield! [| xv; y |] |]
    use s = Scope.Begin()
    let p = (logProb (Torch.Tensor<float>(pts, [| int64 (grid * grid); 2L |]))).Exp() // (grid*grid,) row-major in y
    xs, ys, flat p |> Array.chunkBySize grid

/// The metrics every density on points reports: test NLL and its standard error, the true mixture's test NLL.
let private densityMetrics (ctx: Context) (logProb: Tensor -> Tensor) (truth: GenDsl.Models.GaussianMixture option) =
    let e = ctx.Experiment
    match mixtureSplit e.Seed ctx.Planned.Case.Data Test with
    | None -> []
    | Some xt ->
        let mean, se = nllStats logProb xt
        [ for ms in e.Metrics do
            match ms with
            | TestNll -> ms, mean
            | TestNllSe -> ms, se
            | TrueTestNll -> (match truth with Some t -> ms, fst (nllStats (fun x -> t.LogProb(x)) xt) | None -> ms, nan)
            | _ -> () ]

let private densityPlot (ctx: Context) (logProb: Tensor -> Tensor) (xr: float[][]) =
    ctx.Experiment.Plots |> List.tryPick (fun p -> match p with FitDensityHeatmap n when ctx.Planned.Dim = 2 -> Some(fittedGrid logProb xr (max 2 n)) | _ -> None)

let private empty (f: FitSpec) =
    { Fit = f; Curve = []; Series = []; Iterations = 0; Converged = false; Seconds = 0.0; Weights = [||]; Means = [||]
      Images = []; Texts = []; Density = None; Bandwidths = []; Snapshots = []; Latent = None; Parameters = 0L; Metrics = [] }

/// Every fit of a GMM case, side by side from one start (one seed for every fit of the case).
let gmmFits (ctx: Context) (g: GmmSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let e, c = ctx.Experiment, ctx.Planned.Case
    [ for f in c.Fits do
      if f.Fitter <> ClosedForm then   // the checker refuses it
        let task = c.Label + "/" + f.Name
        let meth, lr, steps, batch, tol, every =
            match f.Fitter with
            | ClosedForm -> invalidOp "unreachable"
            | Em m -> GenDsl.Models.GmmMethod.Em, 1.0, m.Iterations, 1, m.Tol, 1
            | Gradient t ->
                let lr = match t.Optimizer with Sgd s -> s.Lr | Adam a | AdamW a -> a.Lr
                let steps = match t.Budget with Steps s -> s | Epochs ep -> ep * (match t.Batch with Some b -> (ctx.Planned.N + b - 1) / b | None -> 1)
                match t.Batch with
                | None -> GenDsl.Models.GmmMethod.GradientAscent, lr, steps, 1, t.Tol, t.EvalEvery
                | Some b -> GenDsl.Models.GmmMethod.Sgd, lr, steps, b, t.Tol, t.EvalEvery
        let opt =
            GenDsl.Models.GmmFitOptions(
                K = g.K, Covariance = (match g.Covariance with Identity -> GenDsl.Models.CovarianceType.Identity | Spherical -> GenDsl.Models.CovarianceType.Spherical | Diagonal -> GenDsl.Models.CovarianceType.Diagonal | Full -> GenDsl.Models.CovarianceType.Full),
                LearnWeights = g.LearnWeights,
                Init = (match g.Start with KMeansPlusPlus -> GenDsl.Models.GmmInit.KMeansPlusPlus | _ -> GenDsl.Models.GmmInit.Random),
                NInit = g.NInit, RegCovar = g.RegCovar, Tol = tol, MaxIter = steps,
                LearningRate = lr, BatchSize = batch, EvalEvery = every, Seed = e.Seed + 1UL,
                InitialModel =
                    (match g.Start with
                     | StartMeans m -> new GenDsl.Models.GaussianMixture(Torch.Full([| int64 g.K |], Scalar.op_Implicit (1.0 / float g.K), ScalarType.Float64), tensorOf m)
                     | _ -> null))
        let sw = Stopwatch.StartNew()
        ctx.Progress.Begin(task, steps)
        let onStep (st: GenDsl.Models.GmmStep) =
            RunFolder.throwIfStopped ()
            ctx.Log.Write(c.Label, f.Name, int64 st.Iteration, sw.Elapsed.TotalSeconds, [ "mean_ll", st.MeanLogLikelihood; "nll", -st.MeanLogLikelihood ])
            ctx.Progress.Step(task, st.Iteration, [ "mean LL", st.MeanLogLikelihood ])
        let r = GenDsl.Models.GaussianMixtureFit.Fit(x, meth, opt, Action<GenDsl.Models.GmmStep> onStep)
        let secs = sw.Elapsed.TotalSeconds
        ctx.Progress.End task
        let m = r.Model
        RunFolder.saveTensors (RunFolder.within ctx.Folder [ "checkpoints"; sprintf "%s_%s.pt" c.Label f.Name ]) (readOnlyDict [ "weights", m.Weights; "means", m.Means; "covariances", m.Covariances ])
        let weights, means = flat m.Weights, rows m.Means
        let metrics =
            [ for ms in e.Metrics do
                match ms with
                | Nll -> ms, -m.MeanLogLikelihood(x)
                | Aic -> ms, m.Aic(x)
                | Bic -> ms, m.Bic(x)
                | TrueNll -> (match truth with Some t -> ms, -t.MeanLogLikelihood(x) | None -> ms, nan)
                | MeanError -> (match truth with Some t -> ms, meanError (rows t.Means) means | None -> ms, nan)
                | WeightError -> (match truth with Some t -> ms, weightError (flat t.Weights) (rows t.Means) weights means | None -> ms, nan)
                | _ -> () ]   // metrics of other families
            @ densityMetrics ctx (fun q -> m.LogProb(q)) truth
        let curve = r.Curve |> Seq.map (fun s -> s.Iteration, s.MeanLogLikelihood) |> List.ofSeq
        { empty f with
            Curve = curve; Series = [ "mean log-likelihood", curve |> List.map (fun (k, v) -> float k, v) ]
            Iterations = r.Iterations; Converged = r.Converged; Seconds = secs; Weights = weights; Means = means
            Density = densityPlot ctx (fun q -> m.LogProb(q)) (rows x)
            Parameters = int64 (weights.Length + means.Length * (if means.Length > 0 then means.[0].Length else 0)); Metrics = metrics } ]

// ---- shared by the MNIST families ----

let private ln2 = log 2.0

/// Bits per dimension from a mean NLL in nats per example: binary data -NLL/(D ln 2); dequantised 8-bit data scaled
/// to [0, 1] by /256, (NLL + D ln 256) / (D ln 2) = (D ln 256 - LL) / (D ln 2) (the density on [0, 256)^D is p / 256^D).
let bitsPerDim (pixels: Pixels) (dim: int) (nll: float) =
    match pixels with
    | Dequantized -> (nll + float dim * log 256.0) / (float dim * ln2)
    | Continuous | StaticBinary | DynamicBinary -> nll / (float dim * ln2)

let private imageSize (d: DataSpec) = match d with Mnist m -> Some(28 + 2 * m.Pad, 28 + 2 * m.Pad) | _ -> None

let private firstN (data: IDataset) (n: int) (g: Generator) =
    data.Batch([| 0L .. int64 (min (int64 n) data.Count) - 1L |], g)

/// The requested image sets of a fitted model: (what, images) for Samples, Reconstructions, ComponentMeans.
let private images (plots: PlotSpec list) (sample: int -> Tensor) (reconstruct: (Tensor -> Tensor) option) (means: Tensor option) (test: IDataset) (g: Generator) =
    [ for p in plots do
        match p with
        | Samples n -> "samples", imageRows (sample n)
        | Reconstructions n ->
            match reconstruct with
            | Some r ->
                let x = firstN test n g
                "reconstructions", Array.append (imageRows x) (imageRows (r x))
            | None -> ()
        | ComponentMeans ->
            match means with
            | Some m -> "component means", imageRows m
            | None -> ()
        | _ -> () ]

// ---- Bernoulli mixtures (ECE 8803 P2-P3): EM ----

let bmmFits (ctx: Context) (b: BmmSpec) (m: MnistSpec) : FitOutcome list =
    let e, c = ctx.Experiment, ctx.Planned.Case
    use train = mnistSplit m m.Split
    use test = mnistSplit m Test
    use g = new Generator(e.Seed + 3UL)
    let x = train.AllPixels(g)
    let xt = test.AllPixels(g)
    [ for f in c.Fits do
        match f.Fitter with
        | Gradient _ | ClosedForm -> ()   // the checker refuses them
        | Em em ->
            let task = c.Label + "/" + f.Name
            let opt =
                GenDsl.Models.BmmFitOptions(
                    K = b.K, Iterations = em.Iterations, Tol = em.Tol, Alpha1 = b.Alpha1, Alpha2 = b.Alpha2,
                    Init = (match b.Start with UnitLengthRows -> GenDsl.Models.BmmInit.UnitLength | RandomDataMeans -> GenDsl.Models.BmmInit.DataMeans),
                    Seed = e.Seed + 1UL)
            let sw = Stopwatch.StartNew()
            ctx.Progress.Begin(task, em.Iterations)
            let onIter (st: GenDsl.Models.BmmStep) =
                RunFolder.throwIfStopped ()
                ctx.Log.Write(c.Label, f.Name, int64 st.Iteration, sw.Elapsed.TotalSeconds, [ "log_likelihood", st.LogLikelihood; "mean_ll", st.MeanLogLikelihood ])
                ctx.Progress.Step(task, st.Iteration, [ "mean LL", st.MeanLogLikelihood ])
            let r = GenDsl.Models.BernoulliMixture.Fit(x, opt, Action<GenDsl.Models.BmmStep> onIter)
            let secs = sw.Elapsed.TotalSeconds
            ctx.Progress.End task
            let model = r.Model
            RunFolder.saveTensors (RunFolder.within ctx.Folder [ "checkpoints"; sprintf "%s_%s.pt" c.Label f.Name ]) (readOnlyDict [ "weights", model.Weights; "probs", model.Probs ])
            let testNll = -model.MeanLogLikelihood(xt)
            let metrics =
                [ for ms in e.Metrics do
                    match ms with
                    | Nll -> ms, testNll
                    | BitsPerDim -> ms, bitsPerDim m.Pixels ctx.Planned.Dim testNll
                    | _ -> () ]   // metrics of other families
            let curve = r.Curve |> Seq.map (fun s -> s.Iteration, s.MeanLogLikelihood) |> List.ofSeq
            let sample n = let struct (xs, _) = model.Sample(int64 n, g) in xs
            { empty f with
                Curve = curve; Series = [ "train mean log-likelihood", curve |> List.map (fun (k, v) -> float k, v) ]
                Iterations = r.Iterations; Converged = r.Converged; Seconds = secs
                Weights = flat model.Weights; Means = rows model.Probs
                Images = images e.Plots sample None (Some model.Probs) test g
                Parameters = model.K * (model.D + 1L); Metrics = metrics } ]

// ---- VAE and NICE: the Trainer ----

/// Data sets of a case's splits, made once and disposed together.
type private SplitCache<'D when 'D :> IDataset and 'D :> IDisposable>(load: Split -> 'D) =
    let cache = Collections.Generic.Dictionary<Split, 'D>()
    member _.Get(s: Split) : 'D = (if not (cache.ContainsKey s) then cache.[s] <- load s); cache.[s]
    interface IDisposable with
        member _.Dispose() = for d in cache.Values do d.Dispose()

/// Every gradient fit of a neural case through the Trainer, then its final metrics and what its family adds
/// (images, texts, latent means, a density grid) to the outcome.
let private neuralFits (ctx: Context) (trainData: IDataset) (make: Training -> Generator -> Neural)
                       (final: Neural -> Generator -> (MetricSpec * float) list) (extras: Neural -> Generator -> FitOutcome -> FitOutcome) =
    let e, c = ctx.Experiment, ctx.Planned.Case
    [ for f in c.Fits do
        match f.Fitter with
        | Em _ | ClosedForm -> ()   // the checker refuses them
        | Gradient t ->
            use g = new Generator(e.Seed + 1UL)
            let nn = make t g
            nn.Module.To(ctx.Device) |> ignore
            let sw = Stopwatch.StartNew()
            let result, curves = train ctx f t trainData nn
            let secs = sw.Elapsed.TotalSeconds
            nn.Module.Eval() |> ignore
            use eg = new Generator(e.Seed + 4UL)
            let tokensPerSecond = float result.Steps * float (match t.Batch with Some b -> b | None -> 1) * float (List.fold (*) 1 ctx.Planned.Shape - 1) / max secs 1e-9
            let metrics =
                using (Autograd.NoGrad()) (fun _ -> final nn eg)
                @ [ for ms in e.Metrics do if ms = TokensPerSecond && c.Model.IsTransformerLm then ms, tokensPerSecond ]
            RunFolder.saveTensors (RunFolder.within ctx.Folder [ "checkpoints"; sprintf "%s_%s.pt" c.Label f.Name ]) (nn.Module.StateDict())
            let outcome =
                { empty f with
                    Series = curves; Iterations = int result.Steps; Converged = not result.StoppedEarly; Seconds = secs
                    Parameters = Nets.parameterCount nn.Module; Metrics = metrics }
            using (Autograd.NoGrad()) (fun _ -> extras nn eg outcome) ]

// ---- the neural families' modules, as a run builds them (also used by `gendsl sample`) ----

/// A VAE module for examples of `shape`.
let vaeModule (v: VaeSpec) (shape: int list) (g: Generator) =
    let enc = Nets.build g v.Encoder shape
    let dec = Nets.build g v.Decoder v.Latent
    let lik = match v.Likelihood with BernoulliPixels -> GenDsl.Models.VaeLikelihood.Bernoulli | GaussianPixels s -> GenDsl.Models.VaeLikelihood.Gaussian(s)
    new GenDsl.Models.Vae(enc, dec, v.Latent |> List.map int64 |> List.toArray, lik)

/// A NICE module for `dim`-dimensional examples.
let niceModule (n: NiceSpec) (dim: int) (g: Generator) =
    let prior = match n.Prior with Logistic -> GenDsl.Models.NicePrior.Logistic | Gaussian -> GenDsl.Models.NicePrior.Gaussian
    new GenDsl.Models.Nice(int64 dim, n.Couplings, GenDsl.Models.Nice.MlpNet(n.HiddenLayers, int64 n.Hidden, g), prior)

/// A Transformer LM over a vocabulary of `vocab` types and windows of `context` tokens.
let lmModule (l: LmSpec) (vocab: int) (context: int) (g: Generator) =
    let opts =
        GenDsl.Models.TransformerLmOptions(
            Vocab = int64 vocab, Context = int64 context, Width = int64 l.Width, Heads = int64 l.Heads, HeadDim = int64 l.HeadDim,
            Layers = int64 l.Layers, FeedForward = int64 l.FeedForward, Dropout = l.Dropout, EmbeddingDropout = l.EmbeddingDropout, Tied = l.Tied)
    new GenDsl.Models.TransformerLm(opts, g)

let vaeFits (ctx: Context) (v: VaeSpec) (m: MnistSpec) : FitOutcome list =
    let e, shape = ctx.Experiment, ctx.Planned.Shape
    use splits = new SplitCache<MnistDataset>(mnistSplit m)
    let split s = splits.Get s :> IDataset
    let make (t: Training) (g: Generator) =
        let vae = vaeModule v shape g
        let loss (x: Tensor) (sc: StepContext) =
            match t.Objective with
            | Iwae k -> vae.IwaeLoss(x, k, sc.Generator)
            | Elbo | MaxLikelihood -> vae.Loss(x, sc.Generator)
        { Module = vae; Loss = loss; Metric = "neg_elbo"
          EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> vae.Elbo(x, g).Neg()) }
    let vaeOf (nn: Neural) = nn.Module :?> GenDsl.Models.Vae
    let test = split Test
    let final (nn: Neural) (g: Generator) =
        let vae = vaeOf nn
        let negElbo = meanOver test 500 g ctx.Device (fun x -> vae.Elbo(x, g).Neg())
        let iwae = Collections.Generic.Dictionary<int, float>()
        for ms in e.Metrics do
            match ms with
            | NegIwae (k, images) when not (iwae.ContainsKey k) ->
                // The first `images` test images (the same for every K): IWAE-K costs K decoder passes per image.
                let sub = TensorDataset(firstN test images g)
                iwae.[k] <- meanOver sub (max 1 (20000 / k)) g ctx.Device (fun x -> vae.Iwae(x, k, g, 250).Neg())
            | _ -> ()
        let best = if iwae.Count = 0 then negElbo else iwae.Values |> Seq.min
        [ for ms in e.Metrics do
            match ms with
            | NegElbo -> ms, negElbo
            | NegIwae (k, _) -> ms, iwae.[k]
            | Nll -> ms, best
            | BitsPerDim -> ms, bitsPerDim m.Pixels ctx.Planned.Dim best
            | _ -> () ]   // metrics of other families
    let latent (nn: Neural) =
        if v.Latent = [ 2 ] && List.contains LatentScatter e.Plots then
            use g = new Generator(e.Seed + 5UL)
            use s = Scope.Begin()
            let n = min 2000L test.Count
            let idx = [| 0L .. n - 1L |]
            let mu, _ = (vaeOf nn).Encode(test.Batch(idx, g).To(ctx.Device)).ToTuple()
            let labels = match test.Labels idx with null -> Array.zeroCreate (int n) | l -> l.ToArray<int64>() |> Array.map int
            Some(rows (mu.Detach()), labels)
        else None
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let vae = vaeOf nn
        { o with
            Images = images e.Plots (fun n -> vae.Sample(int64 n, g, true)) (Some(fun x -> vae.Reconstruct(x.To(ctx.Device)))) None test g
            Latent = latent nn }
    neuralFits ctx (split m.Split) make final extras

let niceFits (ctx: Context) (n: NiceSpec) (m: MnistSpec) : FitOutcome list =
    let e = ctx.Experiment
    use splits = new SplitCache<MnistDataset>(mnistSplit m)
    let split s = splits.Get s :> IDataset
    let make (_: Training) (g: Generator) =
        let nice = niceModule n ctx.Planned.Dim g
        { Module = nice; Loss = (fun x _ -> nice.Loss(x)); Metric = "nll"
          EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> nice.LogProb(x).Neg()) }
    let test = split Test
    let final (nn: Neural) (g: Generator) =
        let nice = nn.Module :?> GenDsl.Models.Nice
        let nll = meanOver test 500 g ctx.Device (fun x -> nice.LogProb(x).Neg())
        [ for ms in e.Metrics do
            match ms with
            | Nll -> ms, nll
            | BitsPerDim -> ms, bitsPerDim m.Pixels ctx.Planned.Dim nll
            | _ -> () ]   // metrics of other families
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let nice = nn.Module :?> GenDsl.Models.Nice
        { o with Images = images e.Plots (fun k -> nice.Sample(int64 k, g, 1.0)) None None test g }
    neuralFits ctx (split m.Split) make final extras

// ---- the Transformer LM (CSE 599i P8): the Trainer on WikiText-2 windows ----

let lmFits (ctx: Context) (l: LmSpec) (w: WikiTextSpec) : FitOutcome list =
    let e = ctx.Experiment
    let corpus = WikiText.Load()
    let tokensOf (s: Split) =
        let all = corpus.Tokens(match s with Train -> WikiTextSplit.Train | Valid -> WikiTextSplit.Valid | Test -> WikiTextSplit.Test)
        let n = Check.wikiTextCount w s
        if n < all.Length then Array.sub all 0 n else all
    use splits = new SplitCache<WikiTextWindows>(fun s -> new WikiTextWindows(tokensOf s, w.Context))
    let split s = splits.Get s :> IDataset
    let lmOf (nn: Neural) = nn.Module :?> GenDsl.Models.TransformerLm
    let make (_: Training) (g: Generator) =
        let lm = lmModule l corpus.VocabSize w.Context g
        { Module = lm; Loss = (fun x sc -> lm.Loss(x, sc.Generator)); Metric = "nll"
          EvaluateOn = fun s _ -> lm.Evaluate((splits.Get s).Tokens, 32).NatsPerToken }
    let final (nn: Neural) (_: Generator) =
        let r = (lmOf nn).Evaluate((splits.Get Test).Tokens, 32)
        [ for ms in e.Metrics do
            match ms with
            | Nll -> ms, r.NatsPerToken
            | Perplexity -> ms, r.Perplexity
            | TotalLogLikelihood -> ms, r.LogLikelihood
            | BitsPerDim -> ms, r.BitsPerToken
            | _ -> () ]   // metrics of other families
    let texts (nn: Neural) (g: Generator) =
        [ for p in e.Plots do
            match p with
            | TextSamples (prompt, n, temperature, topK) ->
                let ids = corpus.Encode prompt
                let ids = if ids.Length = 0 then [| int64 (corpus.IdOf WikiTextCorpus.Eos) |] else ids
                let out = (lmOf nn).Generate(ids, n, temperature, topK, g)
                sprintf "\"%s\", %d tokens, temperature %g, top-k %d" prompt n temperature topK, prompt + " " + corpus.Decode out
            | _ -> () ]
    neuralFits ctx (split w.Split) make final (fun nn g o -> { o with Texts = texts nn g })

// ---- densities on points (DS-GA 1008 Final 1.3-1.7, Mila Q6 on the ring): KDE, EBM, GAN ----

let kdeFits (ctx: Context) (k: KdeSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let e, c = ctx.Experiment, ctx.Planned.Case
    [ for f in c.Fits do
        if f.Fitter = ClosedForm then
            let sw = Stopwatch.StartNew()
            let h, curve =
                match k.Bandwidth with
                | FixedBandwidth h -> h, []
                | Scott -> GenDsl.Models.KernelDensity.RuleOfThumb(x, GenDsl.Models.BandwidthRule.Scott), []
                | Silverman -> GenDsl.Models.KernelDensity.RuleOfThumb(x, GenDsl.Models.BandwidthRule.Silverman), []
                | ValidationGrid (lo, hi, n) ->
                    let valid = (mixtureSplit e.Seed c.Data Valid).Value
                    let r = GenDsl.Models.KernelDensity.SelectBandwidth(x, valid, GenDsl.Models.KernelDensity.LogGrid(lo, hi, n))
                    r.Best, List.zip (List.ofSeq r.Grid) (List.ofSeq r.ValidationLogLikelihood)
            use kde = new GenDsl.Models.KernelDensity(x, h)
            let logProb (q: Tensor) = kde.LogProb(q)
            let xr = rows x
            ctx.Log.Write(c.Label, f.Name, 0L, sw.Elapsed.TotalSeconds, [ "bandwidth", h ])
            for i, (b, ll) in List.indexed curve do ctx.Log.Write(c.Label, f.Name, int64 i, sw.Elapsed.TotalSeconds, [ "grid_bandwidth", b; "valid_mean_ll", ll ])
            let metrics = densityMetrics ctx logProb truth
            { empty f with
                Seconds = sw.Elapsed.TotalSeconds; Iterations = 0; Converged = true; Bandwidths = curve; Density = densityPlot ctx logProb xr
                Weights = [| h |]; Parameters = 1L; Metrics = metrics } ]

let ebmFits (ctx: Context) (m: EbmSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let e, c = ctx.Experiment, ctx.Planned.Case
    let d = ctx.Planned.Dim
    let proposal: GenDsl.Models.IDensity =
        match m.Proposal, truth with
        | TrueMixture, Some t -> GenDsl.Models.Density.Of(t)
        | _ -> GenDsl.Models.KernelDensity.Fit(x, GenDsl.Models.BandwidthRule.Scott) :> _
    let data = new TensorDataset(x)
    let split (s: Split) = (mixtureSplit e.Seed c.Data s) |> Option.defaultWith (fun () -> invalidOp (sprintf "case '%s': no %A split for these points" c.Label s))
    let ebmOf (nn: Neural) = nn.Module :?> GenDsl.Models.EnergyModel
    let logZ (ebm: GenDsl.Models.EnergyModel) (g: Generator) = ebm.LogPartition(proposal, int64 m.Samples, g)
    let make (_: Training) (g: Generator) =
        let ebm = GenDsl.Models.EnergyModel.Mlp(d, int64 m.Hidden, m.HiddenLayers, Option.toNullable m.BaseScale, generator = g)
        use sampler = new Generator(e.Seed + 6UL)
        let sample = GenDsl.Models.ImportanceSample.Draw(proposal, int64 m.Samples, sampler)
        let objective = ebm.Objective(sample, m.Resample)
        { Module = ebm; Loss = (fun b sc -> objective.Invoke(b, sc)); Metric = "nll"
          EvaluateOn = fun s g -> -(ebm.TestLogLikelihood(split s, logZ ebm g)).Mean }
    let final (nn: Neural) (g: Generator) =
        let ebm = ebmOf nn
        let z = logZ ebm g
        let lo, hi =
            let v = flat x
            (Array.min v) - 3.0, (Array.max v) + 3.0
        densityMetrics ctx (fun q -> ebm.LogProb(q, z.Mean)) truth
        @ [ for ms in e.Metrics do
              match ms with
              | LogZ -> ms, z.Mean
              | LogZQuadrature when d = 2 -> ms, ebm.LogPartitionQuadrature(lo, hi, 400L)
              | _ -> () ]
    // The fitted density over the data, with log Z by importance sampling.
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let ebm = ebmOf nn
        let z = (logZ ebm g).Mean
        { o with Density = densityPlot ctx (fun q -> ebm.LogProb(q, z)) (rows x) }
    neuralFits ctx data make final extras

let ganFits (ctx: Context) (gs: GanSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let e, c = ctx.Experiment, ctx.Planned.Case
    let data = TensorDataset(x)
    [ for f in c.Fits do
        match f.Fitter with
        | Em _ | ClosedForm -> ()   // the checker refuses them
        | Gradient t ->
            let task = c.Label + "/" + f.Name
            use g = new Generator(e.Seed + 1UL)
            let gan = GenDsl.Models.Gan.Mlp(ctx.Planned.Dim, gs.Latent, int64 gs.Hidden, gs.HiddenLayers, g)
            let n = int64 ctx.Planned.N
            let batch = match t.Batch with Some b -> b | None -> int n
            let steps = match t.Budget with Steps s -> int64 s | Epochs ep -> int64 ep * ((n + int64 batch - 1L) / int64 batch)
            let opts =
                GanOptions(
                    Steps = steps, BatchSize = batch, Seed = e.Seed + 1UL,
                    Scheme = (match gs.Scheme with Simultaneous -> GenDsl.Models.GdaScheme.Simultaneous | Alternating -> GenDsl.Models.GdaScheme.Alternating),
                    DiscriminatorSteps = gs.DiscriminatorSteps, ClipGradNorm = Option.toNullable t.ClipNorm, SnapshotEvery = int64 gs.SnapshotEvery, SnapshotSize = 500)
            use trainer = new GanTrainer(gan, optimizerFactory t.Optimizer, optimizerFactory t.Optimizer, opts)
            let dLoss, gLoss = ResizeArray(), ResizeArray()
            trainer.OnStep <-
                Action<GanStepRecord>(fun r ->
                    dLoss.Add(float r.Step, r.DiscriminatorLoss)
                    gLoss.Add(float r.Step, r.GeneratorLoss)
                    ctx.Log.Write(c.Label, f.Name, r.Step, r.Seconds, [ "d_loss", r.DiscriminatorLoss; "g_loss", r.GeneratorLoss ])
                    ctx.Progress.Step(task, int r.Step, [ "D loss", r.DiscriminatorLoss; "G loss", r.GeneratorLoss ]))
            ctx.Progress.Begin(task, int steps)
            use result = trainer.Fit(data)
            ctx.Progress.End task
            RunFolder.saveTensors (RunFolder.within ctx.Folder [ "checkpoints"; sprintf "%s_%s.pt" c.Label f.Name ]) (gan.StateDict())
            use eg = new Generator(e.Seed + 4UL)
            let metrics =
                using (Autograd.NoGrad()) (fun _ ->
                    use s = Scope.Begin()
                    let samples = gan.Sample(2000L, eg)
                    [ for ms in e.Metrics do
                        match ms, truth with
                        | ModesCovered, Some tr -> ms, float (GenDsl.Models.ModeCoverage.Covered(samples, tr.Means, 1.0, 3.0))
                        | SampleNll, Some tr -> ms, GenDsl.Models.ModeCoverage.MeanNll(samples, GenDsl.Models.Density.Of(tr))
                        | _ -> () ])
            { empty f with
                Series = [ "discriminator loss", List.ofSeq dLoss; "generator loss", List.ofSeq gLoss ]
                Iterations = int result.Steps; Converged = true; Seconds = result.Seconds
                Snapshots = [ for snap in result.Snapshots -> int snap.Step, rows snap.Samples ]
                Parameters = Nets.parameterCount gan; Metrics = metrics } ]

// ---- one case ----

/// Runs every fit of a case with its family's path.
let runCase (ctx: Context) : CaseOutcome =
    let pc = ctx.Planned
    let c = pc.Case
    let e = ctx.Experiment
    match c.Model, c.Data with
    | (Gmm _ | Kde _ | Ebm _ | Gan _), (MixtureSample _ | Points _) ->
        let x0, z, truth = mixtureData e.Seed c.Data
        let x = x0.To(ctx.Device, ScalarType.Float64)
        let xr = rows x
        let grid = e.Plots |> List.tryPick (fun p -> match p with DensityHeatmap n -> Some n | _ -> None)
        let fits =
            match c.Model with
            | Gmm g -> gmmFits ctx g x truth
            | Kde k -> kdeFits ctx k x truth
            | Ebm m -> ebmFits ctx m x truth
            | Gan gs -> ganFits ctx gs x truth
            | Bmm _ | Vae _ | Nice _ | TransformerLm _ -> []
        { Planned = pc; X = xr; Z = z; ImageSize = None
          TrueWeights = truth |> Option.map (fun t -> flat t.Weights)
          TrueMeans = truth |> Option.map (fun t -> rows t.Means)
          TrueMeanLl = truth |> Option.map (fun t -> t.MeanLogLikelihood(x))
          TrueDensity = (match truth, grid with Some t, Some n when pc.Dim = 2 -> Some(densityGrid t xr (max 2 n)) | _ -> None)
          Fits = fits }
    | _ ->
        let blank = { Planned = pc; X = [||]; Z = None; ImageSize = imageSize c.Data; TrueWeights = None; TrueMeans = None; TrueMeanLl = None; TrueDensity = None; Fits = [] }
        match c.Model, c.Data with
        | Bmm b, Mnist m -> { blank with Fits = bmmFits ctx b m }
        | Vae v, Mnist m -> { blank with Fits = vaeFits ctx v m }
        | Nice n, Mnist m -> { blank with Fits = niceFits ctx n m }
        | TransformerLm l, WikiText2 w -> { blank with Fits = lmFits ctx l w }
        | _ -> invalidOp (sprintf "case '%s': the checker refuses a %s model on this data" c.Label (Check.familyName c.Model))
