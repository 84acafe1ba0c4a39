/// UserFamily.fs: a model written in the script (Model.custom) trained by the one Trainer as a built-in family is: its
/// -log p or loss, evaluation on splits, keep-best, checkpoints and resume, final metrics, samples and density plots.
module GenDsl.Dsl.UserFamily

open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.Sources
open GenDsl.Dsl.PointFamilies

/// The model built from its hyperparameters for examples of `shape` (also used by `gendsl sample`).
let build (m: CustomModel) (shape: int list) (g: Generator) : CustomParts = m.Build m.Hyperparameters shape g

/// log p(x) in float64 for float64 points (the model sees float32, as the data sets give it).
let private logProb64 (lp: Tensor -> Tensor) (x: Tensor) = (lp (x.To(ScalarType.Float32))).To(ScalarType.Float64)

let userFits (ctx: Context) (m: CustomModel) (data: CaseData) : FitOutcome list =
    let e = ctx.Experiment
    let split = data.Split
    let partsOf = System.Runtime.CompilerServices.ConditionalWeakTable<NN.Module, CustomParts>()
    let make (_: Training) (g: Generator) =
        let p = build m ctx.Planned.Shape g
        partsOf.AddOrUpdate(p.Module, p)
        match p.LogProb, p.Loss with
        | Some lp, _ ->
            { Module = p.Module; Loss = (fun x _ -> (lp x).Mean().Neg()); Metric = "nll"
              EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> (lp x).Neg()) }
        | None, Some loss ->
            // The loss is a batch mean: weighted by the batch size, its mean over a split.
            { Module = p.Module; Loss = (fun x sc -> loss x sc.Generator); Metric = "loss"
              EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> (loss x g).Mul(Scalar.op_Implicit (float (x.Size 0)))) }
        | None, None -> invalidOp (sprintf "model '%s' gives neither a log-likelihood nor a loss (the checker refuses it)" m.Name)
    let parts (nn: Neural) = match partsOf.TryGetValue nn.Module with | true, p -> p | _ -> invalidOp "unreachable: a module built by make"
    let test = split (finalSplit ctx.Planned.Case.Data)
    // The test-sample metrics (a second pass over the test data) only when asked for.
    let testSampleMetrics lp = if e.Metrics |> List.exists (function TestNll | TestNllSe | TrueTestNll -> true | _ -> false) then densityMetrics ctx lp else []
    let final (nn: Neural) (g: Generator) =
        match (parts nn).LogProb with
        | Some lp ->
            let nll = meanOver test 500 g ctx.Device (fun x -> (lp x).Neg())
            [ for ms in e.Metrics do
                match ms with
                | Nll -> ms, nll
                | BitsPerDim when data.Pixels.IsSome -> ms, ImageFamilies.bitsPerDim data.Pixels.Value ctx.Planned.Dim nll
                | _ -> () ]
            @ testSampleMetrics (logProb64 lp)
        | None ->
            match (parts nn).Bound with
            | Some bound ->
                // An upper bound on the NLL (a DDPM's variational bound): its likelihood figure, as the VAE's is.
                let nb = meanOver test 500 g ctx.Device (fun x -> bound x g)
                [ for ms in e.Metrics do
                    match ms with
                    | NegElbo | Nll -> ms, nb
                    | BitsPerDim when data.Pixels.IsSome -> ms, ImageFamilies.bitsPerDim data.Pixels.Value ctx.Planned.Dim nb
                    | _ -> () ]
                @ testSampleMetrics (logProb64 (fun x -> (bound x g).Neg()))
            | None -> []
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let p = parts nn
        let images =
            match p.Sample with
            | Some sample -> ImageFamilies.images e.Plots (fun n -> sample n g) None None test g data.Pixels.IsSome
            | None -> []
        { o with
            Images = images
            Density = p.LogProb |> Option.bind (fun lp -> densityPlot ctx (logProb64 lp)) }
    neuralFits ctx (split data.Train) make final extras
