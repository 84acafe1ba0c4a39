/// Families/Custom.fs: a model written in the script (Model.custom), trained by the one Trainer as a built-in family is:
/// its -log p or loss, evaluation on splits, keep-best, checkpoints and resume, final metrics, samples and density plots.
module GenDsl.Dsl.CustomFamily

open System
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Shapes
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.FamilyCommon

let familyName (m: CustomModel) = sprintf "'%s' (a model written in the script)" m.Name

/// The model built from its hyperparameters for examples of `shape` (also used by `gendsl sample`).
let build (m: CustomModel) (shape: int list) (g: Generator) : CustomParts = m.Build m.Hyperparameters shape g

/// Parameter counts of the model built for a shape, kept per model value: the check builds the model once to try it,
/// and the memory estimate then needs only its size (building a large model twice costs seconds).
let private counts = Runtime.CompilerServices.ConditionalWeakTable<CustomModel, Collections.Concurrent.ConcurrentDictionary<int list, float>>()
let private remember (m: CustomModel) (shape: int list) (n: float) = counts.GetOrCreateValue(m).[shape] <- n

/// The model built for the data's shape and run on a batch of two zero examples (nothing is trained): its errors and
/// its output's shape are check errors.
let private check (m: CustomModel) (c: Case) =
    let _, shape = CheckData.dataShape c.Data
    let where = where c
    [ yield! takesVectors (familyName m) c
      let fields = Microsoft.FSharp.Reflection.FSharpType.IsRecord(m.HyperType)
      if not fields then BadSetting(where, sprintf "model '%s': its hyperparameters must be an F# record (describe prints them, --set changes them), got %s" m.Name m.HyperType.Name)
      elif Microsoft.FSharp.Reflection.FSharpType.GetRecordFields(m.HyperType) |> Array.exists (fun p -> p.Name = "Name" || p.Name = "Kind") then
          BadSetting(where, sprintf "model '%s': a hyperparameter may not be called Name or Kind (they name the model in describe)" m.Name)
      match shape with
      | Some s when fields ->
          let outcome =
              try
                  use g = new Generator(0UL)
                  use _s = Scope.Begin()
                  let parts = m.Build m.Hyperparameters s g
                  use _m = parts.Module
                  remember m s (float (Nets.parameterCount parts.Module))
                  match parts.LogProb, parts.Loss with
                  | None, None -> Some "its build gives neither a log-likelihood nor a loss: use Parts.density or Parts.loss"
                  | Some lp, _ ->
                      let x = Torch.Zeros(Array.ofList (2L :: List.map int64 s))
                      let y = lp x
                      if y.Shape <> [| 2L |] then Some(sprintf "its log-likelihood of a batch (2, %s) has shape (%s); it must give one number per example, (2)" (String.Join(", ", s)) (String.Join(", ", y.Shape)))
                      else None
                  | None, Some _ -> None
              with ex -> Some(sprintf "building it for examples of shape %s failed: %s" (shapeText s) ex.Message)
          match outcome with
          | Some why -> BadSetting(where, sprintf "model '%s': %s" m.Name why)
          | None -> ()
      | _ -> () ]

let private checkFit (m: CustomModel) = maxLikelihoodOnly (familyName m) "the model's own log-likelihood or loss"

/// The script's parameters (with their gradients and Adam's moments; counted when the check built it) beside the data;
/// its activations are the script's own and not estimated.
let private bytes (m: CustomModel) (_: Experiment) (pc: PlannedCase) =
    let pars =
        match counts.TryGetValue m with
        | true, byShape when byShape.ContainsKey pc.Shape -> byShape.[pc.Shape]
        | _ ->
            try
                use g = new Generator(0UL)
                use _s = Scope.Begin()
                let parts = build m pc.Shape g
                use md = parts.Module
                let n = float (Nets.parameterCount md)
                remember m pc.Shape n
                n
            with _ -> 0.0   // a model that cannot be built is the checker's error
    dataBytes pc + trainedBytes pars, sprintf "%d examples of %d numbers (the model's activations not counted)" pc.N pc.Dim

/// log p(x) in float64 for float64 points (the model sees float32, as the data sets give it).
let private logProb64 (lp: Tensor -> Tensor) (x: Tensor) = (lp (x.To(ScalarType.Float32))).To(ScalarType.Float64)

let private fits (ctx: Context) (m: CustomModel) (data: CaseData) : FitOutcome list =
    let e = ctx.Experiment
    let split = data.Split
    let partsOf = System.Runtime.CompilerServices.ConditionalWeakTable<NN.Module, CustomParts>()
    let make (_: Training) (_: ResolvedFit) (g: Generator) =
        let p = build m ctx.Planned.Shape g
        partsOf.AddOrUpdate(p.Module, p)
        match p.LogProb, p.Loss with
        | Some lp, _ ->
            { Module = p.Module; Moves = Minimise(fun x _ -> (lp x).Mean().Neg()); Metric = "nll"
              EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> (lp x).Neg()) }
        | None, Some loss ->
            // The loss is a batch mean: weighted by the batch size, its mean over a split.
            { Module = p.Module; Moves = Minimise(fun x sc -> loss x sc.Generator); Metric = "loss"
              EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> (loss x g).Mul(Scalar.op_Implicit (float (x.Size 0)))) }
        | None, None -> invalidOp (sprintf "model '%s' gives neither a log-likelihood nor a loss (the checker refuses it)" m.Name)
    let parts (nn: Neural) = match partsOf.TryGetValue nn.Module with | true, p -> p | _ -> invalidOp "unreachable: a module built by make"
    let test = split (finalSplit ctx.Planned.Case.Data)
    let splitName = finalSplitName ctx.Planned.Case.Data
    let final (nn: Neural) (g: Generator) =
        match (parts nn).LogProb with
        | Some lp ->
            let nll = meanOverShown ctx.Progress (sprintf "%s: %s nll" ctx.Planned.Case.Label splitName) test 500 g ctx.Device (fun x -> (lp x).Neg())
            [ for ms in e.Metrics do
                match ms with
                | Nll -> ms, nll
                | BitsPerDim when data.Pixels.IsSome -> ms, bitsPerDim data.Pixels.Value ctx.Planned.Dim nll
                | _ -> () ]
            @ densityMetrics ctx (logProb64 lp)
        | None ->
            match (parts nn).Bound with
            | Some bound ->
                // An upper bound on the NLL (a DDPM's variational bound): its likelihood figure, as the VAE's is.
                let nb = meanOverShown ctx.Progress (sprintf "%s: %s bound" ctx.Planned.Case.Label splitName) test 500 g ctx.Device (fun x -> bound x g)
                [ for ms in e.Metrics do
                    match ms with
                    | NegElbo | Nll -> ms, nb
                    | BitsPerDim when data.Pixels.IsSome -> ms, bitsPerDim data.Pixels.Value ctx.Planned.Dim nb
                    | _ -> () ]
                @ densityMetrics ctx (logProb64 (fun x -> (bound x g).Neg()))
            | None -> []
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let p = parts nn
        let images =
            match p.Sample with
            | Some sample -> images e.Plots (fun n -> sample n g) None None test g data.Pixels.IsSome
            | None -> []
        { o with
            Images = images
            Density = p.LogProb |> Option.bind (fun lp -> densityPlot ctx (logProb64 lp)) }
    neuralFits ctx (split data.Train) make final extras

let private sample (m: CustomModel) (r: SampleRequest) =
    let p = build m r.Planned.Shape r.Generator
    match p.Sample with
    | None -> Error(sprintf "model '%s' has no sampler: give it one in the script with Parts.withSampler" m.Name)
    | Some draw -> r.Load p.Module |> Result.bind (fun () -> r.Write(draw r.Count r.Generator))

let ops (m: CustomModel) : FamilyOps =
    { Name = familyName m
      Check = check m
      CheckFit = checkFit m
      Bytes = bytes m
      Run = fun ctx -> onData ctx (fits ctx m)
      Sample = sample m }
