/// Families/Kde.fs: Gaussian-kernel density estimators (DS-GA 1008 1.3): nothing trained, the bandwidth chosen by its rule
/// or on a validation grid.
module GenDsl.Dsl.KdeFamily

open System.Diagnostics
open GenDsl.Torch
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.Sources
open GenDsl.Dsl.FamilyCommon

let name = "kernel density"

let private check (k: KdeSpec) (c: Case) =
    let _, shape = CheckData.dataShape c.Data
    [ yield! takesVectors name c
      match k.Bandwidth with
      | FixedBandwidth h -> if not (h > 0.0) then BadSetting(where c, sprintf "the bandwidth must be > 0, got %g" h)
      | ValidationGrid (lo, hi, n) ->
          if not (lo > 0.0 && hi > lo && n >= 2) then BadSetting(where c, sprintf "a bandwidth grid needs 0 < lo < hi and >= 2 points, got [%g, %g] with %d" lo hi n)
          if not (hasValid c.Data) then
              BadSetting(where c, "a validation grid needs a validation split (a mixture sample, MNIST, or Data.holdout on a file): use Scott, Silverman or FixedBandwidth")
      | Scott | Silverman -> ()
      match shape with
      | Some s when s.Length <> 1 -> BadSetting(where c, "a KDE needs flat points")
      | _ -> () ]

let private checkFit (c: Case) (f: FitSpec) =
    [ match f.Fitter with
      | ClosedForm -> ()
      | Em _ | Gradient _ -> NotAccepted(c.Label, f.Name, name, "fit other than its closed form", [ "Fit.closedForm" ]) ]

let private bytes (_: KdeSpec) (e: Experiment) (pc: PlannedCase) =
    let n, d = float pc.N, float (max 1 pc.Dim)
    // the points (training, validation, test), the estimator's own copy, and its blocked evaluation (16 MB blocks).
    let grid = e.Plots |> List.sumBy (fun p -> match p with DensityHeatmap m | FitDensityHeatmap m -> 2.0 * float m * float m * f64 | _ -> 0.0)
    4.0 * n * d * f64 + 16e6 + grid, sprintf "%g points of dimension %g" n d

/// The bandwidth and, for a validation grid, the grid's curve (bandwidth, validation mean log-likelihood).
let private bandwidth (k: KdeSpec) (seed: uint64) (c: Case) (x: Tensor) =
    match k.Bandwidth with
    | FixedBandwidth h -> h, []
    | Scott -> GenDsl.Models.KernelDensity.RuleOfThumb(x, GenDsl.Models.BandwidthRule.Scott), []
    | Silverman -> GenDsl.Models.KernelDensity.RuleOfThumb(x, GenDsl.Models.BandwidthRule.Silverman), []
    | ValidationGrid (lo, hi, n) ->
        let valid = (vectors seed c.Data Valid).Value
        let r = GenDsl.Models.KernelDensity.SelectBandwidth(x, valid, GenDsl.Models.KernelDensity.LogGrid(lo, hi, n))
        r.Best, List.zip (List.ofSeq r.Grid) (List.ofSeq r.ValidationLogLikelihood)

let private fits (ctx: Context) (k: KdeSpec) (x: Tensor) (_: GenDsl.Models.GaussianMixture option) : FitOutcome list =
    let c = ctx.Planned.Case
    [ for f in c.Fits do
        if f.Fitter = ClosedForm then
            let sw = Stopwatch.StartNew()
            let h, curve = bandwidth k ctx.Experiment.Seed c x
            use kde = new GenDsl.Models.KernelDensity(x, h)
            let logProb (q: Tensor) = kde.LogProb(q)
            ctx.Log.Write(c.Label, f.Name, 0L, sw.Elapsed.TotalSeconds, [ "bandwidth", h ])
            for i, (b, ll) in List.indexed curve do ctx.Log.Write(c.Label, f.Name, int64 i, sw.Elapsed.TotalSeconds, [ "grid_bandwidth", b; "valid_mean_ll", ll ])
            { empty f with
                Seconds = sw.Elapsed.TotalSeconds; Iterations = 0; Converged = true; Bandwidths = curve; Density = densityPlot ctx logProb
                Weights = [| h |]; Parameters = 1L; Metrics = densityMetrics ctx logProb } ]

/// A KDE is its training data and a bandwidth: both are made again from the run's config (the same seed gives the same
/// points and the same rule the same bandwidth), then a training point plus Gaussian noise of that bandwidth per draw.
let private sample (k: KdeSpec) (seed: uint64) (r: SampleRequest) =
    let c = r.Planned.Case
    match vectors seed c.Data Train with
    | None -> Error "the KDE's training points cannot be made again from this run's config"
    | Some x ->
        let x = x.To(ScalarType.Float64)
        let h, _ = bandwidth k seed c x
        use kde = new GenDsl.Models.KernelDensity(x, h)
        r.Write(kde.Sample(int64 r.Count, r.Generator))

let ops (k: KdeSpec) : FamilyOps =
    { Name = name
      Check = fun c -> readsPointsOnce "KDE" c @ check k c
      CheckFit = checkFit
      Bytes = bytes k
      Run = fun ctx -> onVectors ctx (fits ctx k)
      Sample = fun r -> sample k r.ExperimentSeed r }
