/// Build.fs: smart constructors and combinators that experiment scripts are written with.
namespace GenDsl.Dsl

/// Data sources: `Data.cse599iP7 3000`, `Data.ring 10 10.0 1000`.
[<RequireQualifiedAccess>]
module Data =
    /// Samples from a known mixture: i.i.d. draws, seed = the experiment's.
    let sample (source: Mixture) (n: int) =
        MixtureSample { Source = source; N = n; Stratified = false; Seed = None }

    /// CSE 599i HW1 P7 a: n/3 points from each of the three Gaussians.
    let cse599iP7 (n: int) =
        MixtureSample { Source = Cse599iP7; N = n; Stratified = true; Seed = None }

    /// DS-GA 1008 Final 1.1: n i.i.d. points from the K-component ring of radius R.
    let ring (k: int) (radius: float) (n: int) = sample (Ring(k, radius)) n

    let points (rows: float list list) = Points rows

    /// The same data with its own seed.
    let seeded (seed: uint64) (d: DataSpec) =
        match d with
        | MixtureSample s -> MixtureSample { s with Seed = Some seed }
        | Points _ -> d

/// Models: `Model.gmm 3 |> Model.fixedWeights`.
[<RequireQualifiedAccess>]
module Model =
    let gmm (k: int) =
        Gmm { K = k; Covariance = Identity; LearnWeights = true; Start = RandomPoints; NInit = 1; RegCovar = 1e-6 }

    let private mapGmm f (Gmm g) = Gmm(f g)
    /// Weights stay 1/K (CSE 599i P7).
    let fixedWeights m = mapGmm (fun g -> { g with LearnWeights = false }) m
    let covariance c m = mapGmm (fun g -> { g with Covariance = c }) m
    let start s m = mapGmm (fun g -> { g with Start = s }) m
    let restarts n m = mapGmm (fun g -> { g with NInit = n }) m

/// Fits: `Fit.gd 1.0 10`, `Fit.sgd 0.02 5000`, `Fit.em 10`; variants are `{ Fit.em 10 with Tol = 1e-6 }`.
[<RequireQualifiedAccess>]
module Fit =
    let private basic name meth lr steps =
        { Name = name; Method = meth; Optimizer = PlainGradient; LearningRate = lr; Steps = steps
          BatchSize = 1; Schedule = Constant; Tol = 0.0; EvalEvery = 1 }

    /// Full-batch gradient ascent, named "gd".
    let gd (lr: float) (steps: int) = basic "gd" GradientAscent lr steps
    /// SGD with one point per step (batch 1 as in the seed), named "sgd".
    let sgd (lr: float) (steps: int) = basic "sgd" Sgd lr steps
    /// EM, named "em" (the learning rate is not used).
    let em (steps: int) = basic "em" Em 1.0 steps
    let named (name: string) (f: FitSpec) = { f with Name = name }
    let batch (size: int) (f: FitSpec) = { f with BatchSize = size }
    let tol (t: float) (f: FitSpec) = { f with Tol = t }
    let evalEvery (n: int) (f: FitSpec) = { f with EvalEvery = n }

[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Case =
    let create (label: string) (data: DataSpec) (model: ModelSpec) (fits: FitSpec list) =
        { Label = label; Data = data; Model = model; Fits = fits }

    /// A sweep: one case per value, `Case.sweep (fun r -> Case.create ...) [10.0; 1.0]`.
    let sweep (make: 'a -> Case) (values: 'a list) = List.map make values

/// Studies: `Study.klAsymmetry "p1b" |> Study.steps 500`, `Study.receptiveFields "q1"`, `Study.gda "q6" 0.1 100`, ...
/// Each builder gives the seed problem's own setting; variants are `{ spec with ... }` or the combinators below.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Study =
    /// ECE 8803 P1b: p = (N(-5, 1) + N(5, 1)) / 2, both fits from N(2, 1), grid [-15, 15] with 3001 points.
    let klAsymmetry (label: string) =
        { Label = label
          Kind =
            KlAsymmetry
                { Weights = [ 0.5; 0.5 ]; Means = [ -5.0; 5.0 ]; Scales = [ 1.0; 1.0 ]; StartMu = 2.0; StartSigma = 1.0
                  LearningRate = 0.2; Steps = 1500; GridLo = -15.0; GridHi = 15.0; GridPoints = 3001 } }

    /// A KL study with another 1-D mixture target: weights, means, standard deviations.
    let klTarget (weights: float list) (means: float list) (scales: float list) (s: Study) =
        match s.Kind with
        | KlAsymmetry k -> { s with Kind = KlAsymmetry { k with Weights = weights; Means = means; Scales = scales } }
        | _ -> s

    /// Mila Q1: the four stacks AA, AB, BA, BB on a 5x5 map, output pixel (3, 4), 3 hidden channels.
    let receptiveFields (label: string) =
        { Label = label
          Kind =
            ReceptiveFields
                { Stacks = [ [ MaskA; MaskA ]; [ MaskA; MaskB ]; [ MaskB; MaskA ]; [ MaskB; MaskB ] ]
                  Height = 5; Width = 5; Row = 3; Column = 4; Channels = 3 } }

    /// Mila Q6: GDA on V = d g with step alpha for n steps from (1, 0), simultaneous and alternating.
    let gda (label: string) (alpha: float) (steps: int) =
        { Label = label; Kind = GdaDynamics { Alpha = alpha; D0 = 1.0; G0 = 0.0; Steps = steps; Schemes = [ Simultaneous; Alternating ] } }

    /// ECE 8803 P5 a-c: 1/Cauchy (histogram on [-10, 10]), e^Y for Y ~ N(0, 0.5^2), the distance in the square.
    let changeOfVariables (label: string) (n: int) =
        { Label = label
          Kind = ChangeOfVariables { Transforms = [ ReciprocalCauchy 10.0; ExpNormal(0.0, 0.5); DistanceFromCentre ]; N = n; Bins = 60; Seed = None } }

    /// Seed 002 P1: a series of length T from the AR(p) with coefficients phi and noise variance sigma^2, fitted with order p.
    let arFit (label: string) (phi: float list) (sigma2: float) (length: int) =
        { Label = label; Kind = ArFit { Phi = phi; Sigma2 = sigma2; Length = length; Order = phi.Length; Seed = None } }

    /// Fit an AR of another order than the truth's.
    let order (p: int) (s: Study) =
        match s.Kind with
        | ArFit a -> { s with Kind = ArFit { a with Order = p } }
        | _ -> s

    /// Iterations of a KL fit or of GDA (other studies have none and are returned unchanged).
    let steps (n: int) (s: Study) =
        match s.Kind with
        | KlAsymmetry k -> { s with Kind = KlAsymmetry { k with Steps = n } }
        | GdaDynamics g -> { s with Kind = GdaDynamics { g with Steps = n } }
        | ReceptiveFields _ | ChangeOfVariables _ | ArFit _ -> s

    /// The study's own seed (change of variables, AR fit; others are deterministic).
    let seeded (seed: uint64) (s: Study) =
        match s.Kind with
        | ChangeOfVariables c -> { s with Kind = ChangeOfVariables { c with Seed = Some seed } }
        | ArFit a -> { s with Kind = ArFit { a with Seed = Some seed } }
        | KlAsymmetry _ | ReceptiveFields _ | GdaDynamics _ -> s

/// Expectations: `Expect.nll Below 3.95` (every fit), `Expect.forFit "em" (Expect.nll Below 3.95)`.
[<RequireQualifiedAccess>]
module Expect =
    let metric (m: MetricSpec) (cmp: Comparison) (value: float) =
        { Metric = m; Fit = None; Comparison = cmp; Value = value }

    let nll cmp value = metric Nll cmp value
    let forFit (fit: string) (e: Expectation) = { e with Fit = Some fit }

/// The experiment pipeline: `Experiment.create "name" |> Experiment.withCase ... |> Experiment.plots [...]`.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Experiment =
    let create (name: string) =
        { Name = name; Title = name; Seed = 0UL; Cases = []; Studies = []; Metrics = [ Nll ]; Plots = []
          Expectations = []; Notes = [] }

    let titled (title: string) (e: Experiment) = { e with Title = title }
    let seed (s: uint64) (e: Experiment) = { e with Seed = s }
    let withCase (c: Case) (e: Experiment) = { e with Cases = e.Cases @ [ c ] }
    let withCases (cs: Case list) (e: Experiment) = { e with Cases = e.Cases @ cs }
    let withStudy (s: Study) (e: Experiment) = { e with Studies = e.Studies @ [ s ] }
    let withStudies (ss: Study list) (e: Experiment) = { e with Studies = e.Studies @ ss }
    let metrics (ms: MetricSpec list) (e: Experiment) = { e with Metrics = ms }
    let plots (ps: PlotSpec list) (e: Experiment) = { e with Plots = ps }
    let expect (x: Expectation) (e: Experiment) = { e with Expectations = e.Expectations @ [ x ] }
    let note (text: string) (e: Experiment) = { e with Notes = e.Notes @ [ text ] }
