/// Families/Gmm.fs: Gaussian mixtures (CSE 599i P7, DS-GA 1008 1.1-1.2) — the core's GaussianMixtureFit by EM, full-batch
/// gradient ascent or SGD, on any real vectors.
module GenDsl.Dsl.GmmFamily

open System
open System.Diagnostics
open GenDsl.Torch
open GenDsl.Dsl.Shapes
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.FamilyCommon

let name = "Gaussian mixture"

let private check (g: GmmSpec) (c: Case) =
    let n, shape = CheckData.dataShape c.Data
    [ yield! takesVectors name c
      if g.K < 1 then ZeroComponents(c.Label, g.K)
      elif n > 0 && n < g.K then FewerPointsThanComponents(c.Label, n, g.K)
      if g.NInit < 1 then BadSetting(where c, sprintf "NInit must be >= 1, got %d" g.NInit)
      if g.RegCovar < 0.0 then BadSetting(where c, sprintf "RegCovar must be >= 0, got %g" g.RegCovar)
      match shape with
      | Some s when s.Length <> 1 -> BadSetting(where c, sprintf "a Gaussian mixture needs flat data, got examples of shape %s" (shapeText s))
      | _ -> ()
      match g.Start with
      | StartMeans means ->
          if g.K >= 1 && means.Length <> g.K then ComponentCountMismatch(c.Label, "the starting means", g.K, means.Length)
          match shape with
          | Some [ d ] ->
              for r in means do
                  if r.Length <> d then DimensionMismatch(c.Label, "a starting mean", d, r.Length)
          | _ -> ()
      | RandomPoints | KMeansPlusPlus -> () ]

let private checkFit (c: Case) (f: FitSpec) =
    let no what ok = NotAccepted(c.Label, f.Name, name, what, ok)
    [ match f.Fitter with
      | Em _ -> ()
      | ClosedForm -> no "closed-form fit" [ "Fit.em"; "Fit.gd"; "Fit.sgd" ]
      | Gradient t ->
          match t.Optimizer with
          | Sgd s when s.Momentum = 0.0 && not s.Nesterov && s.WeightDecay = 0.0 -> ()
          | _ -> no "optimizer other than plain gradient steps" [ "Fit.gd"; "Fit.sgd"; "Fit.em" ]
          if t.Schedule <> Constant then no "learning-rate schedule" [ "Constant" ]
          if t.Objective <> MaxLikelihood then no (objectiveName t.Objective) [ "maximum likelihood" ]
          // Settings the mixture's own gradient fitter does not read (its SGD draws batches with replacement); Fit.train's
          // default checkpoint interval (500) is not blamed: the user did not write it.
          let unused =
              [ if t.ClipNorm.IsSome then "clip_norm"
                if not t.EvalOn.IsEmpty then "eval_on"
                if t.KeepBest then "keep_best"
                if t.EarlyStop.IsSome then "early_stop"
                match t.CheckpointEvery with
                | Steps 0 | Epochs 0 | Steps 500 -> ()
                | Steps _ | Epochs _ -> "checkpoint_every"
                if not t.Shuffle then "shuffle" ]
          for u in unused do
              BadSetting(fitWhere c f, sprintf "%s does nothing in a Gaussian mixture's gradient fit: remove it" u) ]

let private bytes (g: GmmSpec) (e: Experiment) (pc: PlannedCase) =
    let n, d, k = float pc.N, float (max 1 pc.Dim), float g.K
    let cov = match g.Covariance with Full -> k * d | _ -> 0.0
    // the points (and the draw that made them), then responsibilities and log-densities N x K, centred points per component.
    let data = 3.0 * n * d * f64
    let fits = n * (4.0 * k + cov) * f64
    let grid = e.Plots |> List.sumBy (fun p -> match p with DensityHeatmap m -> float m * float m * (2.0 + k) * f64 | _ -> 0.0)
    data + fits + grid, sprintf "%g points of dimension %g and K = %g" n d k

let private covarianceType (g: GmmSpec) =
    match g.Covariance with
    | Identity -> GenDsl.Models.CovarianceType.Identity
    | Spherical -> GenDsl.Models.CovarianceType.Spherical
    | Diagonal -> GenDsl.Models.CovarianceType.Diagonal
    | Full -> GenDsl.Models.CovarianceType.Full

/// Every fit of a GMM case, side by side from one start (one seed for every fit of the case).
let private fits (ctx: Context) (g: GmmSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let e, c = ctx.Experiment, ctx.Planned.Case
    [ for f in c.Fits do
      if f.Fitter <> ClosedForm then   // the checker refuses it
        let task = c.Label + "/" + f.Name
        let meth, lr, steps, batch, tol, every =
            match f.Fitter with
            | ClosedForm -> invalidOp "unreachable"
            | Em m -> GenDsl.Models.GmmMethod.Em, 1.0, m.Iterations, 1, m.Tol, 1
            | Gradient t ->
                let r = ctx.Planned.Resolved.[f.Name]
                let lr = match r.Optimizer with Sgd s -> s.Lr | Adam a | AdamW a -> a.Lr
                let steps = int r.Steps
                let every = if r.EvalEvery = 0L then steps else int r.EvalEvery
                // No batch (the whole data every step) is the mixture's full-batch gradient ascent, a batch is its SGD.
                match t.Batch with
                | None -> GenDsl.Models.GmmMethod.GradientAscent, lr, steps, 1, t.Tol, every
                | Some _ -> GenDsl.Models.GmmMethod.Sgd, lr, steps, r.Batch, t.Tol, every
        let opt =
            GenDsl.Models.GmmFitOptions(
                K = g.K, Covariance = covarianceType g,
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

/// Draws from the fitted mixture saved in the fit's checkpoint (weights, means, covariances).
let private sample (g: GmmSpec) (r: SampleRequest) =
    r.Tensors ()
    |> Result.bind (fun t ->
        match t.TryGetValue "weights", t.TryGetValue "means", t.TryGetValue "covariances" with
        | (true, w), (true, m), (true, cov) ->
            use gm = new GenDsl.Models.GaussianMixture(w, m, cov, covarianceType g)
            let struct (x, _) = gm.Sample(int64 r.Count, r.Generator)
            r.Write x
        | _ -> Error "the checkpoint lacks the mixture's weights, means or covariances (was it written by a Gaussian-mixture fit?)")

let ops (g: GmmSpec) : FamilyOps =
    { Name = name
      Check = fun c -> readsPointsOnce "Gaussian mixture" c @ check g c
      CheckFit = checkFit
      Bytes = bytes g
      Run = fun ctx -> onVectors ctx (fits ctx g)
      Sample = sample g }
