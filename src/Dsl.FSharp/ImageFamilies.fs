/// ImageFamilies.fs: the families trained on MNIST — the Bernoulli mixture by EM (ECE 8803 P2-P3), the VAE and
/// NICE through the Trainer (ECE 8803 P4, Mila Q4) — and the image grids they report.
module GenDsl.Dsl.ImageFamilies

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
open GenDsl.Dsl.PointFamilies

// ---- MNIST splits, bits per dimension, image sets ----

let private ln2 = log 2.0

/// Bits per dimension from a mean NLL in nats per example: binary data -NLL/(D ln 2); dequantised 8-bit data scaled
/// to [0, 1] by /256, (NLL + D ln 256) / (D ln 2) = (D ln 256 - LL) / (D ln 2) (the density on [0, 256)^D is p / 256^D).
let bitsPerDim (pixels: Pixels) (dim: int) (nll: float) =
    match pixels with
    | Dequantized -> (nll + float dim * log 256.0) / (float dim * ln2)
    | Continuous | StaticBinary | DynamicBinary -> nll / (float dim * ln2)

let imageSize (d: DataSpec) = match d with Mnist m -> Some(28 + 2 * m.Pad, 28 + 2 * m.Pad) | _ -> None

let private firstN (data: IDataset) (n: int) (g: Generator) =
    data.Batch([| 0L .. int64 (min (int64 n) data.Count) - 1L |], g)

/// The requested image sets of a fitted model: (what, images) for Samples, Reconstructions, ComponentMeans.
let images (plots: PlotSpec list) (sample: int -> Tensor) (reconstruct: (Tensor -> Tensor) option) (means: Tensor option) (test: IDataset) (g: Generator) (asImages: bool) =
    let rowsOf (t: Tensor) = if asImages then imageRows t else (use s = Scope.Begin() in rows (t.Reshape([| t.Size 0; -1L |])))
    [ for p in plots do
        match p with
        | Samples n -> "samples", rowsOf (sample n)
        | Reconstructions n ->
            match reconstruct with
            | Some r ->
                let x = firstN test n g
                "reconstructions", Array.append (rowsOf x) (rowsOf (r x))
            | None -> ()
        | ComponentMeans ->
            match means with
            | Some m -> "component means", rowsOf m
            | None -> ()
        | _ -> () ]

// ---- Bernoulli mixtures (ECE 8803 P2-P3): EM ----

let bmmFits (ctx: Context) (b: BmmSpec) (m: MnistSpec) : FitOutcome list =
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

// ---- the neural families' modules, as a run builds them (also used by `gendsl sample`) ----

/// A VAE module for examples of `shape`.
let vaeModule (v: VaeSpec) (shape: int list) (g: Generator) =
    let enc = Nets.build g v.Encoder shape
    let dec = Nets.build g v.Decoder v.Latent
    let lik = match v.Likelihood with BernoulliPixels -> GenDsl.Models.VaeLikelihood.Bernoulli | GaussianPixels s -> GenDsl.Models.VaeLikelihood.Gaussian(s)
    new GenDsl.Models.Vae(enc, dec, v.Latent |> List.map int64 |> List.toArray, lik)

/// A NICE module for `dim`-dimensional examples.
let niceModule (n: NiceSpec) (dim: int) (g: Generator) =
    let prior = match n.Prior with Logistic -> GenDsl.Models.NicePrior.Logistic | Gaussian -> GenDsl.Models.NicePrior.Gaussian
    new GenDsl.Models.Nice(int64 dim, n.Couplings, GenDsl.Models.Nice.MlpNet(n.HiddenLayers, int64 n.Hidden, g), prior)

let vaeFits (ctx: Context) (v: VaeSpec) (data: CaseData) : FitOutcome list =
    let e, shape = ctx.Experiment, ctx.Planned.Shape
    let split = data.Split
    let make (t: Training) (g: Generator) =
        let vae = vaeModule v shape g
        let loss (x: Tensor) (sc: StepContext) =
            match t.Objective with
            | Iwae k -> vae.IwaeLoss(x, k, sc.Generator)
            | Elbo | MaxLikelihood -> vae.Loss(x, sc.Generator)
        { Module = vae; Loss = loss; Metric = "neg_elbo"
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
        let sample n = if data.Pixels.IsSome then vae.Sample(int64 n, g, true) else vae.Sample(int64 n, g, true)
        { o with
            Images = images e.Plots sample (Some(fun x -> vae.Reconstruct(x.To(ctx.Device)))) None test g data.Pixels.IsSome
            Latent = latent nn }
    neuralFits ctx (split data.Train) make final extras

let niceFits (ctx: Context) (n: NiceSpec) (data: CaseData) : FitOutcome list =
    let e = ctx.Experiment
    let split = data.Split
    let make (_: Training) (g: Generator) =
        let nice = niceModule n ctx.Planned.Dim g
        { Module = nice; Loss = (fun x _ -> nice.Loss(x)); Metric = "nll"
          EvaluateOn = fun s g -> meanOver (split s) 500 g ctx.Device (fun x -> nice.LogProb(x).Neg()) }
    let test = split (finalSplit ctx.Planned.Case.Data)
    let final (nn: Neural) (g: Generator) =
        let nice = nn.Module :?> GenDsl.Models.Nice
        let nll = meanOver test 500 g ctx.Device (fun x -> nice.LogProb(x).Neg())
        [ for ms in e.Metrics do
            match ms with
            | Nll -> ms, nll
            | BitsPerDim when data.Pixels.IsSome -> ms, bitsPerDim data.Pixels.Value ctx.Planned.Dim nll
            | _ -> () ]   // metrics of other families
        @ densityMetrics ctx (fun x -> nice.LogProb(x.To(ScalarType.Float32)).To(ScalarType.Float64))
    let extras (nn: Neural) (g: Generator) (o: FitOutcome) =
        let nice = nn.Module :?> GenDsl.Models.Nice
        let logProb (x: Tensor) = nice.LogProb(x.To(ScalarType.Float32)).To(ScalarType.Float64)
        { o with
            Images = images e.Plots (fun k -> nice.Sample(int64 k, g, 1.0)) None None test g data.Pixels.IsSome
            Density = densityPlot ctx logProb }
    neuralFits ctx (split data.Train) make final extras
