/// Families/Nice.fs: NICE (ECE 8803 P4): additive couplings and a diagonal scaling, the exact log-likelihood
/// maximised through the Trainer, on flat images or vectors.
module GenDsl.Dsl.NiceFamily

open GenDsl.Torch
open GenDsl.Training
open GenDsl.Dsl.Shapes
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.FamilyCommon

let name = "NICE"

let private check (m: NiceSpec) (c: Case) =
    let _, shape = CheckData.dataShape c.Data
    [ yield! takesVectors name c
      if m.Couplings < 1 then BadSetting(where c, sprintf "NICE needs >= 1 coupling layer, got %d" m.Couplings)
      if m.Hidden < 1 || m.HiddenLayers < 1 then BadSetting(where c, sprintf "each coupling MLP needs >= 1 hidden layer of >= 1 unit, got %d x %d" m.HiddenLayers m.Hidden)
      match shape with
      | Some [ d ] when d < 2 -> BadSetting(where c, "NICE needs at least 2 dimensions to split into halves")
      | Some s when s.Length <> 1 -> BadSetting(where c, sprintf "NICE needs flat data, got examples of shape %s (drop Data.images)" (shapeText s))
      | _ -> () ]

let private checkFit = maxLikelihoodOnly name "its likelihood is exact"

let private bytes (m: NiceSpec) (_: Experiment) (pc: PlannedCase) =
    let d = float (max 1 pc.Dim)
    let h, half = float m.Hidden, d / 2.0
    let pars = float m.Couplings * (half * h + float (m.HiddenLayers - 1) * h * h + h * half) + d
    let b = largestBatch pc
    dataBytes pc + trainedBytes pars + 2.0 * b * float m.Couplings * (h + d) * f32, sprintf "%d examples of %d numbers" pc.N pc.Dim

/// A NICE module for `dim`-dimensional examples (a run and `gendsl sample` build it alike).
let niceModule (n: NiceSpec) (dim: int) (g: Generator) =
    let prior = match n.Prior with Logistic -> GenDsl.Models.NicePrior.Logistic | Gaussian -> GenDsl.Models.NicePrior.Gaussian
    new GenDsl.Models.Nice(int64 dim, n.Couplings, GenDsl.Models.Nice.MlpNet(n.HiddenLayers, int64 n.Hidden, g), prior)

let private fits (ctx: Context) (n: NiceSpec) (data: CaseData) : FitOutcome list =
    let e = ctx.Experiment
    let split = data.Split
    let make (_: Training) (_: ResolvedFit) (g: Generator) =
        let nice = niceModule n ctx.Planned.Dim g
        { Module = nice; Moves = Minimise(fun x _ -> nice.Loss(x)); Metric = "nll"
          EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> nice.LogProb(x).Neg()) }
    let test = split (finalSplit ctx.Planned.Case.Data)
    let logProb64 (nice: GenDsl.Models.Nice) (x: Tensor) = nice.LogProb(x.To(ScalarType.Float32)).To(ScalarType.Float64)
    let final (nn: Neural) (g: Generator) =
        let nice = nn.Module :?> GenDsl.Models.Nice
        let nll = meanOver test 500 g ctx.Device (fun x -> nice.LogProb(x).Neg())
        [ for ms in e.Metrics do
            match ms with
            | Nll -> ms, nll
            | BitsPerDim when data.Pixels.IsSome -> ms, bitsPerDim data.Pixels.Value ctx.Planned.Dim nll
            | _ -> () ]   // metrics of other families
        @ densityMetrics ctx (logProb64 nice)
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let nice = nn.Module :?> GenDsl.Models.Nice
        { o with
            Images = images e.Plots (fun k -> nice.Sample(int64 k, g, 1.0)) None None test g data.Pixels.IsSome
            Density = densityPlot ctx (logProb64 nice) }
    neuralFits ctx (split data.Train) make final extras

let private sample (n: NiceSpec) (r: SampleRequest) =
    let nice = niceModule n r.Planned.Dim r.Generator
    r.Load nice |> Result.bind (fun () -> r.Write(nice.Sample(int64 r.Count, r.Generator, r.Temperature)))

let ops (n: NiceSpec) : FamilyOps =
    { Name = name
      Check = check n
      CheckFit = checkFit
      Bytes = bytes n
      Run = fun ctx -> onData ctx (fits ctx n)
      Sample = sample n }
