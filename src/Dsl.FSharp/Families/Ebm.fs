/// Families/Ebm.fs: energy-based models p(x) = exp(E(x)) / Z (DS-GA 1008 1.4-1.7), trained through the Trainer with the
/// gradient of log Z estimated by self-normalised importance sampling.
module GenDsl.Dsl.EbmFamily

open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.Sources
open GenDsl.Dsl.FamilyCommon

let name = "energy-based"

let private check (m: EbmSpec) (c: Case) =
    [ match m.Proposal, c.Data with
      | KdeProposal, _ -> yield! takesVectors name c
      | TrueMixture, MixtureSample _ -> ()
      | TrueMixture, (Points _ | DataFile _ | Mnist _) -> BadSetting(where c, "the proposal TrueMixture needs data drawn from a known mixture: use Model.proposal KdeProposal")
      | TrueMixture, WikiText2 _ -> yield! refuse name c vectorsOnly
      if m.Hidden < 1 || m.HiddenLayers < 1 then BadSetting(where c, sprintf "the energy network needs >= 1 hidden layer of >= 1 unit, got %d x %d" m.HiddenLayers m.Hidden)
      if m.Samples < 2 then BadSetting(where c, sprintf "importance sampling needs M >= 2 samples, got %d" m.Samples)
      match m.BaseScale with
      | Some b when not (b > 0.0) -> BadSetting(where c, sprintf "the base scale must be > 0, got %g" b)
      | _ -> () ]

let private checkFit = maxLikelihoodOnly name "the default objective"

let private bytes (m: EbmSpec) (_: Experiment) (pc: PlannedCase) =
    let n, d, h, layers, s = float pc.N, float (max 1 pc.Dim), float m.Hidden, float m.HiddenLayers, float m.Samples
    let pars = d * h + (layers - 1.0) * h * h + h
    // the points (and the draw that made them), the importance sample and its proposal densities, and the energy
    // network's activations on a batch and on the sample (forward and backward), in float64.
    let acts = 2.0 * (largestBatch pc + s) * h * layers * f64
    3.0 * n * d * f64 + 2.0 * s * (d + 1.0) * f64 + trainedBytes pars * 2.0 + acts, sprintf "%g points of dimension %g and M = %g importance samples" n d s

let private fits (ctx: Context) (m: EbmSpec) (x: Tensor) (truth: GenDsl.Models.GaussianMixture option) : FitOutcome list =
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
    let make (_: Training) (_: ResolvedFit) (g: Generator) =
        let ebm = GenDsl.Models.EnergyModel.Mlp(d, int64 m.Hidden, m.HiddenLayers, Option.toNullable m.BaseScale, generator = g)
        use sampler = new Generator(e.Seed + 6UL)
        let sample = GenDsl.Models.ImportanceSample.Draw(proposal, int64 m.Samples, sampler)
        let objective = ebm.Objective(sample, m.Resample)
        { Module = ebm; Moves = Minimise(fun b sc -> objective.Invoke(b, sc)); Metric = "nll"
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

let ops (m: EbmSpec) : FamilyOps =
    { Name = name
      Check = fun c -> readsPointsOnce "energy-based" c @ check m c
      CheckFit = checkFit
      Bytes = bytes m
      Run = fun ctx -> onVectors ctx (fits ctx m)
      Sample = cannotSample name "its density is known only up to Z and it has no sampler (draw with MCMC in a script)" }
