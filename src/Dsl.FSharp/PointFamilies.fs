/// PointFamilies.fs: the families fitted to points — Gaussian mixtures (CSE 599i P7, DS-GA 1008 1.1-1.2: the core's
/// EM, GD and SGD), the KDE, the energy-based model and the GAN (DS-GA 1008 1.3-1.7, Mila Q6 on the ring).
module GenDsl.Dsl.PointFamilies

open System
open System.Diagnostics
open System.IO
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Results
open GenDsl.Dsl.Runs
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.Sources

// ---- Gaussian mixtures (CSE 599i P7, DS-GA 1008 1.1-1.2): the core's GaussianMixtureFit (EM, GD, SGD) ----

/// The density exp(logProb) on a grid x grid lattice covering the points.
let fittedGrid (logProb: Tensor -> Tensor) (x: float[][]) (grid: int) =
    let lo k = (x |> Array.map (fun r -> r.[k]) |> Array.min) - 1.0
    let hi k = (x |> Array.map (fun r -> r.[k]) |> Array.max) + 1.0
    let axis k = Array.init grid (fun i -> lo k + (hi k - lo k) * float i / float (grid - 1))
    let xs, ys = axis 0, axis 1
    let pts = [| for y in ys do for xv in xs do yield! [| xv; y |] |]
    use s = Scope.Begin()
    let p = (logProb (Torch.Tensor<float>(pts, [| int64 (grid * grid); 2L |]))).Exp() // (grid*grid,) row-major in y
    xs, ys, flat p |> Array.chunkBySize grid

/// The true density on a grid x grid lattice covering the data: (xs, ys, p.[iy].[ix]).
let densityGrid (truth: GenDsl.Models.GaussianMixture) (x: float[][]) (grid: int) = fittedGrid (fun q -> truth.LogProb q) x grid

/// -log p on a test sample: (mean, standard error = sd / sqrt n). In 1000-row blocks, each in its own scope: a scope keeps
/// every intermediate until it ends, and a deep model's on a whole test set is large (NICE on MNIST's 10,000: +550 MB).
let private nllStats (logProb: Tensor -> Tensor) (x: Tensor) =
    let v = [| for i in 0L .. 1000L .. x.Size(0) - 1L do
                 use s = Scope.Begin()
                 yield! flat (logProb (x.Narrow(0, i, min 1000L (x.Size(0) - i)))) |> Array.map (fun l -> -l) |]
    let n = float v.Length
    let mean = Array.average v
    let sd = sqrt ((v |> Array.sumBy (fun a -> (a - mean) ** 2.0)) / (n - 1.0))
    mean, sd / sqrt n

/// The metrics every density on vectors reports (on the data's Test split, when it has one): test NLL and its standard
/// error, and the true mixture's test NLL when the data were drawn from one.
let densityMetrics (ctx: Context) (logProb: Tensor -> Tensor) =
    let e = ctx.Experiment
    let truth = match ctx.Planned.Case.Data with MixtureSample s -> Some(truthOf s.Source) | _ -> None
    let asked = e.Metrics |> List.exists (function TestNll | TestNllSe | TrueTestNll -> true | _ -> false)
    match (if asked then vectors e.Seed ctx.Planned.Case.Data Test else None) with
    | None -> []
    | Some xt ->
        let mean, se = nllStats logProb xt
        [ for ms in e.Metrics do
            match ms with
            | TestNll -> ms, mean
            | TestNllSe -> ms, se
            | TrueTestNll -> (match truth with Some t -> ms, fst (nllStats (fun x -> t.LogProb(x)) xt) | None -> ms, nan)
            | _ -> () ]

/// The fitted density on a grid over 2-D training data, when a FitDensityHeatmap is asked for.
let densityPlot (ctx: Context) (logProb: Tensor -> Tensor) =
    ctx.Experiment.Plots
    |> List.tryPick (fun p ->
        match p with
        | FitDensityHeatmap n when ctx.Planned.Dim = 2 ->
            vectors ctx.Experiment.Seed ctx.Planned.Case.Data Train |> Option.map (fun x -> fittedGrid logProb (rows x) (max 2 n))
        | _ -> None)

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
                let steps = int (snd (batchAndSteps t (int64 ctx.Planned.N)))
                match t.Batch with
                | None -> GenDsl.Models.GmmMethod.GradientAscent, lr, steps, 1, t.Tol, (if t.EvalEvery = 0 then steps else t.EvalEvery)
                | Some b -> GenDsl.Models.GmmMethod.Sgd, lr, steps, b, t.Tol, (if t.EvalEvery = 0 then steps else t.EvalEvery)
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
            @ densityMetrics ctx (fun q -> m.LogProb(q))
        let curve = r.Curve |> Seq.map (fun s -> s.Iteration, s.MeanLogLikelihood) |> List.ofSeq
        { empty f with
            Curve = curve; Series = [ "mean log-likelihood", curve |> List.map (fun (k, v) -> float k, v) ]
            Iterations = r.Iterations; Converged = r.Converged; Seconds = secs; Weights = weights; Means = means
            Density = densityPlot ctx (fun q -> m.LogProb(q))
            Parameters = int64 (weights.Length + means.Length * (if means.Length > 0 then means.[0].Length else 0)); Metrics = metrics } ]

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
                    let valid = (vectors e.Seed c.Data Valid).Value
                    let r = GenDsl.Models.KernelDensity.SelectBandwidth(x, valid, GenDsl.Models.KernelDensity.LogGrid(lo, hi, n))
                    r.Best, List.zip (List.ofSeq r.Grid) (List.ofSeq r.ValidationLogLikelihood)
            use kde = new GenDsl.Models.KernelDensity(x, h)
            let logProb (q: Tensor) = kde.LogProb(q)
            let xr = rows x
            ctx.Log.Write(c.Label, f.Name, 0L, sw.Elapsed.TotalSeconds, [ "bandwidth", h ])
            for i, (b, ll) in List.indexed curve do ctx.Log.Write(c.Label, f.Name, int64 i, sw.Elapsed.TotalSeconds, [ "grid_bandwidth", b; "valid_mean_ll", ll ])
            let metrics = densityMetrics ctx logProb
            { empty f with
                Seconds = sw.Elapsed.TotalSeconds; Iterations = 0; Converged = true; Bandwidths = curve; Density = densityPlot ctx logProb
                Weights = [| h |]; Parameters = 1L; Metrics = metrics } ]

let ebmFits (ctx: Context) (m: EbmSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let e, c = ctx.Experiment, ctx.Planned.Case
    let d = ctx.Planned.Dim
    let proposal: GenDsl.Models.IDensity =
        match m.Proposal, truth with
        | TrueMixture, Some t -> GenDsl.Models.Density.Of(t)
        | _ -> GenDsl.Models.KernelDensity.Fit(x, GenDsl.Models.BandwidthRule.Scott) :> _
    let data = new TensorDataset(x)
    let split (s: Split) = (vectors e.Seed c.Data s) |> Option.defaultWith (fun () -> invalidOp (sprintf "case '%s': no %A split for these points" c.Label s))
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
        densityMetrics ctx (fun q -> ebm.LogProb(q, z.Mean))
        @ [ for ms in e.Metrics do
              match ms with
              | LogZ -> ms, z.Mean
              | LogZQuadrature when d = 2 -> ms, ebm.LogPartitionQuadrature(lo, hi, 400L)
              | _ -> () ]
    // The fitted density over the data, with log Z by importance sampling.
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let ebm = ebmOf nn
        let z = (logZ ebm g).Mean
        { o with Density = densityPlot ctx (fun q -> ebm.LogProb(q, z)) }
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
            let batch, steps = batchAndSteps t (int64 ctx.Planned.N)
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
                Iterations = int result.Steps; Converged = false; Seconds = result.Seconds
                Snapshots = [ for snap in result.Snapshots -> int snap.Step, rows snap.Samples ]
                Parameters = Nets.parameterCount gan; Metrics = metrics } ]

