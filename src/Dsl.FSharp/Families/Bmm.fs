/// Families/Bmm.fs: mixtures of multivariate Bernoullis (ECE 8803 P2-P3) fitted by EM to binary images.
module GenDsl.Dsl.BmmFamily

open System
open System.Diagnostics
open GenDsl.Torch
open GenDsl.Dsl.Shapes
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.Sources
open GenDsl.Dsl.FamilyCommon

let name = "Bernoulli mixture"

let private check (b: BmmSpec) (c: Case) =
    let n, shape = CheckData.dataShape c.Data
    match c.Data with
    | MixtureSample _ | Points _ | DataFile _ | WikiText2 _ -> refuse name c "binary images (Data.mnist |> Data.binarized)"
    | Mnist m ->
        [ if b.K < 1 then ZeroComponents(c.Label, b.K)
          elif n > 0 && n < b.K then FewerPointsThanComponents(c.Label, n, b.K)
          if not (b.Alpha1 >= 0.0) || not (b.Alpha2 >= 0.0) then BadSetting(where c, sprintf "the smoothing alphas must be >= 0, got %g and %g" b.Alpha1 b.Alpha2)
          match m.Pixels with
          | StaticBinary | DynamicBinary -> ()
          | Continuous | Dequantized ->
              BadSetting(where c, "a Bernoulli mixture needs binary data: use Data.mnist |> Data.binarized")
          match shape with
          | Some s when s.Length <> 1 -> BadSetting(where c, sprintf "a Bernoulli mixture needs flat images, got %s (drop Data.images)" (shapeText s))
          | _ -> () ]

let private checkFit (c: Case) (f: FitSpec) =
    [ match f.Fitter with
      | Em _ -> ()
      | Gradient _ -> NotAccepted(c.Label, f.Name, name, "gradient fit", [ "Fit.em" ])
      | ClosedForm -> NotAccepted(c.Label, f.Name, name, "closed-form fit", [ "Fit.em" ]) ]

let private bytes (b: BmmSpec) (_: Experiment) (pc: PlannedCase) =
    let n, d, k = float pc.N, float (max 1 pc.Dim), float b.K
    // float32 images for training and test, responsibilities N x K, the K x D probabilities.
    2.0 * n * d * f32 + n * k * f64 * 3.0 + k * d * f64 * 3.0, sprintf "%g images of %g pixels and K = %g" n d k

let private fits (ctx: Context) (b: BmmSpec) (m: MnistSpec) : FitOutcome list =
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
                Images = images e.Plots sample None (Some model.Probs) test g true
                Parameters = model.K * (model.D + 1L); Metrics = metrics } ]

/// Draws binary images from the mixture saved in the fit's checkpoint (weights, probabilities).
let private sample (r: SampleRequest) =
    r.Tensors ()
    |> Result.bind (fun t ->
        match t.TryGetValue "weights", t.TryGetValue "probs" with
        | (true, w), (true, p) ->
            use bm = new GenDsl.Models.BernoulliMixture(w, p)
            let struct (x, _) = bm.Sample(int64 r.Count, r.Generator)
            r.Write x
        | _ -> Error "the checkpoint lacks the mixture's weights or probabilities (was it written by a Bernoulli-mixture fit?)")

let ops (b: BmmSpec) : FamilyOps =
    { Name = name
      Check = check b
      CheckFit = checkFit
      Bytes = bytes b
      Run = fun ctx -> onOwnData ctx (fun () -> match ctx.Planned.Case.Data with Mnist m -> fits ctx b m | _ -> invalidOp "unreachable: the checker refuses a Bernoulli mixture on other data")
      Sample = sample }
