/// Families/Vae.fs: variational autoencoders (ECE 8803 P4, Mila Q4) — encoder and decoder networks written as layer
/// lists, trained through the Trainer on the ELBO or the IWAE bound, on images or vectors.
module GenDsl.Dsl.VaeFamily

open System
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Training
open GenDsl.Dsl.Shapes
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.FamilyCommon

let name = "VAE"

let private check (v: VaeSpec) (c: Case) =
    let _, shape = CheckData.dataShape c.Data
    [ yield! takesVectors name c
      match v.Likelihood, c.Data with
      | BernoulliPixels, (MixtureSample _ | Points _) ->
          BadSetting(where c, "a Bernoulli decoder models pixels in [0, 1], not points: use Model.likelihood (GaussianPixels 0.1)")
      | BernoulliPixels, DataFile f ->
          match DataFiles.load f with
          | Ok l when l.Values |> Array.exists (fun x -> x < 0.0 || x > 1.0) ->
              BadSetting(where c, sprintf "a Bernoulli decoder models values in [0, 1], and data file '%s' has others: use Data.scale, or Model.likelihood (GaussianPixels 0.1)" f.Path)
          | _ -> ()
      | GaussianPixels sigma, _ when not (sigma > 0.0) -> BadSetting(where c, sprintf "the decoder's sigma must be > 0, got %g" sigma)
      | _ -> ()
      if v.Latent.IsEmpty || v.Latent |> List.exists (fun x -> x < 1) then BadSetting(where c, sprintf "the latent shape needs positive sizes, got %s" (shapeText v.Latent))
      else
          match shape with
          | Some s ->
              let doubled = (2 * v.Latent.Head) :: v.Latent.Tail
              yield! checkNet c.Label "encoder" v.Encoder s doubled
              yield! checkNet c.Label "decoder" v.Decoder v.Latent s
          | None -> () ]

let private checkFit =
    gradientOnly name ("EM or closed-form fit (its posterior has no closed form)", [ "gradient fits with Fit.objective Elbo or Fit.objective (Iwae k)" ])
        (fun o -> if o = MaxLikelihood then Some("exact likelihood to maximise", [ "Fit.objective Elbo"; "Fit.objective (Iwae k)" ]) else None)

let private bytes (v: VaeSpec) (_: Experiment) (pc: PlannedCase) =
    let pe, ae = netSizes v.Encoder pc.Shape
    let pd, ad = netSizes v.Decoder v.Latent
    // parameters with their gradients and Adam's two moments; activations of a batch (forward and backward).
    let b = largestBatch pc
    dataBytes pc + trainedBytes (pe + pd) + 2.0 * b * (ae + ad + float pc.Dim) * f32, sprintf "%d examples of %d numbers" pc.N pc.Dim

/// A VAE module for examples of `shape` (a run and `gendsl sample` build it alike).
let vaeModule (v: VaeSpec) (shape: int list) (g: Generator) =
    let enc = Nets.build g v.Encoder shape
    let dec = Nets.build g v.Decoder v.Latent
    let lik = match v.Likelihood with BernoulliPixels -> GenDsl.Models.VaeLikelihood.Bernoulli | GaussianPixels s -> GenDsl.Models.VaeLikelihood.Gaussian(s)
    new GenDsl.Models.Vae(enc, dec, v.Latent |> List.map int64 |> List.toArray, lik)

let private fits (ctx: Context) (v: VaeSpec) (data: CaseData) : FitOutcome list =
    let e, shape = ctx.Experiment, ctx.Planned.Shape
    let split = data.Split
    let make (t: Training) (_: ResolvedFit) (g: Generator) =
        let vae = vaeModule v shape g
        let loss (x: Tensor) (sc: StepContext) =
            match t.Objective with
            | Iwae k -> vae.IwaeLoss(x, k, sc.Generator)
            | Elbo | MaxLikelihood -> vae.Loss(x, sc.Generator)
        { Module = vae; Moves = Minimise loss; Metric = "neg_elbo"
          EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> vae.Elbo(x, g).Neg()) }
    let vaeOf (nn: Neural) = nn.Module :?> GenDsl.Models.Vae
    let test = split (finalSplit ctx.Planned.Case.Data)
    let bits nll = match data.Pixels with Some p -> bitsPerDim p ctx.Planned.Dim nll | None -> nan
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
            | BitsPerDim when data.Pixels.IsSome -> ms, bits best
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
        // Images are drawn as images; samples of vectors as points (the Gaussian decoder's means).
        { o with
            Images = images e.Plots (fun n -> vae.Sample(int64 n, g, true)) (Some(fun x -> vae.Reconstruct(x.To(ctx.Device)))) None test g data.Pixels.IsSome
            Latent = latent nn }
    neuralFits ctx (split data.Train) make final extras

let private sample (v: VaeSpec) (r: SampleRequest) =
    let vae = vaeModule v r.Planned.Shape r.Generator
    r.Load vae |> Result.bind (fun () -> r.Write(vae.Sample(int64 r.Count, r.Generator, true)))

let ops (v: VaeSpec) : FamilyOps =
    { Name = name
      Check = check v
      CheckFit = checkFit
      Bytes = bytes v
      Run = fun ctx -> onData ctx (fits ctx v)
      Sample = sample v }
