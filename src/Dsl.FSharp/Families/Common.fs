/// Families/Common.fs: what every model family is made of — one record of operations (check, fits it accepts, memory,
/// run, sample) that each family's own file returns, and what those files share: the outcome of a case on vectors or
/// images, densities on points, image sets, network shape checks. A new family is one new file and one line in
/// Families/Families.fs.
module GenDsl.Dsl.FamilyCommon

open System
open GenDsl.Torch
open GenDsl.Data
open GenDsl.Dsl.Shapes
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.Sources

/// What `gendsl sample` drew: text, or images written as an HTML page (path) of a plotly image grid, or vectors.
type Drawn =
    | Text of string
    | ImagePage of path: string
    /// Samples of vectors written as a CSV file (path), one sample per row.
    | Rows of path: string

/// What a family's sampler is handed by `gendsl sample`: the checked case, a way to load a fit's checkpoint into a
/// module, and a way to write drawn examples (images or vectors) out.
type SampleRequest =
    { Planned: PlannedCase
      /// The run's experiment seed (its data are made again from it).
      ExperimentSeed: uint64
      Count: int
      Prompt: string
      Temperature: float
      TopK: int
      Generator: Generator
      /// Loads the fit's checkpoint into the module (eval mode); Error when there is none.
      Load: NN.Module -> Result<unit, string>
      /// The fit's checkpoint as named tensors (families saved as tensors rather than a module: the mixtures).
      Tensors: unit -> Result<Collections.Generic.Dictionary<string, Tensor>, string>
      /// Writes n drawn examples (n, ...) as an image grid or a CSV of rows.
      Write: Tensor -> Result<Drawn, string> }

/// One model family's operations, for the spec it was made from. Every field is the family's own: no family borrows
/// another's defaults through a wildcard.
type FamilyOps =
    { /// The family's name in messages ("Gaussian mixture").
      Name: string
      /// The errors of the model's settings and of its pairing with the case's data (pure; nothing is read but file
      /// headers).
      Check: Case -> DslError list
      /// The errors of one fit: the fitters and objectives the family accepts, settings it would not read.
      CheckFit: Case -> FitSpec -> DslError list
      /// The bytes a case needs at its peak, with what they are made of (a sentence fragment).
      Bytes: Experiment -> PlannedCase -> float * string
      /// Runs every fit of a checked case.
      Run: Context -> CaseOutcome
      /// Draws from a fit's checkpoint (`gendsl sample`); Error says why this family cannot.
      Sample: SampleRequest -> Result<Drawn, string> }

// ---- shared checks ----

let where (c: Case) = sprintf "case '%s'" c.Label

/// The fit's place in messages.
let fitWhere (c: Case) (f: FitSpec) = sprintf "case '%s', fit '%s'" c.Label f.Name

/// "a NICE model takes ...; this data holds ...".
let refuse (family: string) (c: Case) (takes: string) =
    [ BadSetting(where c, sprintf "a %s model takes %s; this data holds %s" family takes (CheckData.holds c.Data)) ]

let vectorsOnly = "real vectors (Data.ring, Data.sample, Data.points, Data.npy, Data.csv, Data.mnist)"

/// Data a density on real vectors or images can take: everything but token windows.
let takesVectors (family: string) (c: Case) =
    match c.Data with
    | MixtureSample _ | Points _ | DataFile _ | Mnist _ -> []
    | WikiText2 _ -> refuse family c vectorsOnly

/// Data.jitter is drawn per training batch of a gradient fit: a family that reads its training points once (`onVectors`:
/// EM, a KDE, the EBM, the GAN) would ignore it, so it refuses it.
let readsPointsOnce (family: string) (c: Case) =
    match CheckData.jitterOf c.Data with
    | Some _ ->
        [ BadSetting(where c, sprintf "Data.jitter adds fresh noise to each training batch of a flow, MADE, DDPM, VAE or custom model; a %s model reads its training points once, so the jitter would do nothing: remove it" family) ]
    | None -> []

/// Does the data have a validation split?
let hasValid (d: DataSpec) =
    match d with
    | MixtureSample _ -> true
    | Mnist m -> m.ValidSize > 0
    | DataFile f -> f.ValidFraction > 0.0
    | Points _ | WikiText2 _ -> false

/// A network's errors for an input shape and the output it must give.
let checkNet (label: string) (name: string) (layers: Layer list) (input: int list) (want: int list) =
    match netOutput layers input with
    | Error (i, why) -> [ ShapeMismatch(label, name, i, layerText layers.[i], why) ]
    | Ok o when o <> want ->
        let i = layers.Length - 1
        [ ShapeMismatch(label, name, i, (if i >= 0 then layerText layers.[i] else "none"),
                        sprintf "the %s turns %s into %s, but %s is needed" name (shapeText input) (shapeText o) (shapeText want)) ]
    | Ok _ -> []

let objectiveName (o: Objective) = match o with MaxLikelihood -> "maximum likelihood" | Elbo -> "ELBO" | Iwae k -> sprintf "IWAE-%d" k

/// A family trained by the Trainer: gradient fits only (EM and closed-form fits refused with `nonGradient`, what it
/// accepts instead), an objective the family refuses named by `refused` (Some (what, accepted)), and no tol (it stops
/// only Gaussian-mixture gradient fits).
let gradientOnly (family: string) (nonGradient: string * string list) (refused: Objective -> (string * string list) option) (c: Case) (f: FitSpec) =
    [ match f.Fitter with
      | Em _ | ClosedForm -> NotAccepted(c.Label, f.Name, family, fst nonGradient, snd nonGradient)
      | Gradient t ->
          match refused t.Objective with
          | Some (what, ok) -> NotAccepted(c.Label, f.Name, family, what, ok)
          | None -> ()
          if t.Tol <> 0.0 then
              BadSetting(fitWhere c f, sprintf "tol does nothing in a %s's training (it stops Gaussian-mixture gradient fits): remove it, or stop early with early_stop" family) ]

/// Gradient fits of the exact log-likelihood (or the model's own loss) only.
let maxLikelihoodOnly (family: string) (why: string) =
    gradientOnly family ("EM or closed-form fit", [ "gradient fits (Fit.adam, Fit.train)" ])
        (fun o -> if o = MaxLikelihood then None else Some(objectiveName o, [ sprintf "maximum likelihood (%s)" why ]))

/// A sampler for families that cannot draw from a run folder.
let cannotSample (family: string) (why: string) (_: SampleRequest) : Result<Drawn, string> =
    Error(sprintf "sampling a %s model from a run folder is not supported: %s" family why)

// ---- memory ----

let f64, f32 = 8.0, 4.0

/// The largest batch of a case's gradient fits (the whole data set when a fit takes it all).
let largestBatch (pc: PlannedCase) =
    pc.Case.Fits |> List.map (fun f -> match pc.Resolved.TryFind f.Name with Some r -> float r.Batch | None -> float pc.N) |> List.fold max 1.0

/// Trained numbers and the largest activation (numbers per example) of a network for an input shape.
let netSizes (layers: Layer list) (input: int list) =
    let rec go (layers: Layer list) (shape: int list) (pars: float) (act: float) =
        match layers with
        | [] -> pars, act
        | l :: rest ->
            let outShape = match layerOutput l shape with Ok s -> s | Error _ -> shape
            let numel (s: int list) = s |> List.fold (fun a x -> a * float x) 1.0
            let p =
                match l, shape with
                | Linear n, _ when not shape.IsEmpty -> float (List.last shape) * float n + float n
                | Conv2d (c, k, _, _), inC :: _ | ConvTranspose2d (c, k, _, _, _), inC :: _ -> float inC * float c * float k * float k + float c
                | LayerNorm, _ when not shape.IsEmpty -> 2.0 * float (List.last shape)
                | Residual inner, _ -> fst (go inner shape 0.0 0.0)
                | _ -> 0.0
            go rest outShape (pars + p) (max act (numel outShape))
    go layers input 0.0 0.0

/// Trained numbers held with their gradients and Adam's two moments.
let trainedBytes (parameters: float) = 4.0 * parameters * f32

/// The training data of a case on vectors or images held as float32 (train and evaluation splits).
let dataBytes (pc: PlannedCase) = 2.0 * float pc.N * float (max 1 pc.Dim) * f32

// ---- densities on points ----

/// The density exp(logProb) on a grid x grid lattice covering the points.
let fittedGrid (logProb: Tensor -> Tensor) (x: float[][]) (grid: int) =
    let lo k = (x |> Array.map (fun r -> r.[k]) |> Array.min) - 1.0
    let hi k = (x |> Array.map (fun r -> r.[k]) |> Array.max) + 1.0
    let axis k = Array.init grid (fun i -> lo k + (hi k - lo k) * float i / float (grid - 1))
    let xs, ys = axis 0, axis 1
    let pts = [| for y in ys do for xv in xs do yield! [| xv; y |] |]
    use s = Scope.Begin()
    let p = (logProb (Torch.Tensor<float>(pts, [| int64 (grid * grid); 2L |]))).Exp() // (grid*grid,) row-major in y
    xs, ys, flat p |> Array.chunkBySize grid

/// The true density on a grid x grid lattice covering the data: (xs, ys, p.[iy].[ix]).
let densityGrid (truth: GenDsl.Models.GaussianMixture) (x: float[][]) (grid: int) = fittedGrid (fun q -> truth.LogProb q) x grid

/// -log p on a test sample: (mean, standard error = sd / sqrt n). In 1000-row blocks, each in its own scope: a scope keeps
/// every intermediate until it ends, and a deep model's on a whole test set is large (NICE on MNIST's 10,000: +550 MB).
let private nllStats (logProb: Tensor -> Tensor) (x: Tensor) =
    let v = [| for i in 0L .. 1000L .. x.Size(0) - 1L do
                 use s = Scope.Begin()
                 yield! flat (logProb (x.Narrow(0, i, min 1000L (x.Size(0) - i)))) |> Array.map (fun l -> -l) |]
    let n = float v.Length
    let mean = Array.average v
    let sd = sqrt ((v |> Array.sumBy (fun a -> (a - mean) ** 2.0)) / (n - 1.0))
    mean, sd / sqrt n

/// The metrics every density on vectors reports (on the data's Test split, when it has one): test NLL and its standard
/// error, and the true mixture's test NLL when the data were drawn from one.
let densityMetrics (ctx: Context) (logProb: Tensor -> Tensor) =
    let e = ctx.Experiment
    let truth = match ctx.Planned.Case.Data with MixtureSample s -> Some(truthOf s.Source) | _ -> None
    let asked = e.Metrics |> List.exists (function TestNll | TestNllSe | TrueTestNll -> true | _ -> false)
    match (if asked then vectors e.Seed ctx.Planned.Case.Data Test else None) with
    | None -> []
    | Some xt ->
        let mean, se = nllStats logProb xt
        [ for ms in e.Metrics do
            match ms with
            | TestNll -> ms, mean
            | TestNllSe -> ms, se
            | TrueTestNll -> (match truth with Some t -> ms, fst (nllStats (fun x -> t.LogProb(x)) xt) | None -> ms, nan)
            | _ -> () ]

/// The fitted density on a grid over 2-D training data, when a FitDensityHeatmap is asked for.
let densityPlot (ctx: Context) (logProb: Tensor -> Tensor) =
    ctx.Experiment.Plots
    |> List.tryPick (fun p ->
        match p with
        | FitDensityHeatmap n when ctx.Planned.Dim = 2 ->
            vectors ctx.Experiment.Seed ctx.Planned.Case.Data Train |> Option.map (fun x -> fittedGrid logProb (rows x) (max 2 n))
        | _ -> None)

// ---- images ----

let private ln2 = log 2.0

/// Bits per dimension from a mean NLL in nats per example: binary data -NLL/(D ln 2); dequantised 8-bit data scaled
/// to [0, 1] by /256, (NLL + D ln 256) / (D ln 2) = (D ln 256 - LL) / (D ln 2) (the density on [0, 256)^D is p / 256^D).
let bitsPerDim (pixels: Pixels) (dim: int) (nll: float) =
    match pixels with
    | Dequantized -> (nll + float dim * log 256.0) / (float dim * ln2)
    | Continuous | StaticBinary | DynamicBinary -> nll / (float dim * ln2)

let imageSize (d: DataSpec) = match d with Mnist m -> Some(28 + 2 * m.Pad, 28 + 2 * m.Pad) | _ -> None

let firstN (data: IDataset) (n: int) (g: Generator) =
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

// ---- a case's outcome around its fits ----

let private blank (pc: PlannedCase) =
    { Planned = pc; X = [||]; Z = None; ImageSize = None; TrueWeights = None; TrueMeans = None; TrueMeanLl = None; TrueDensity = None; Fits = [] }

/// A case on real vectors: the training rows (kept for the figures when there are few dimensions), and the true
/// mixture when the data were drawn from one.
let onVectors (ctx: Context) (fits: Tensor -> GenDsl.Models.GaussianMixture option -> FitOutcome list) : CaseOutcome =
    let pc, e = ctx.Planned, ctx.Experiment
    let c = pc.Case
    let z, truth = match c.Data with MixtureSample _ -> (let _, z, t = mixtureData e.Seed c.Data in z, t) | _ -> None, None
    let x = (vectors e.Seed c.Data Train).Value.To(ctx.Device, ScalarType.Float64) // (N, D)
    let xr = if pc.Dim <= 16 then rows x else [||]
    let grid = e.Plots |> List.tryPick (fun p -> match p with DensityHeatmap n -> Some n | _ -> None)
    { blank pc with
        X = xr; Z = z
        TrueWeights = truth |> Option.map (fun t -> flat t.Weights)
        TrueMeans = truth |> Option.map (fun t -> rows t.Means)
        TrueMeanLl = truth |> Option.map (fun t -> t.MeanLogLikelihood(x))
        TrueDensity = (match truth, grid with Some t, Some n when pc.Dim = 2 -> Some(densityGrid t xr (max 2 n)) | _ -> None)
        Fits = fits x truth }

/// A gradient family on the case's data: MNIST as images, anything else as vectors.
let onData (ctx: Context) (fits: CaseData -> FitOutcome list) : CaseOutcome =
    let pc = ctx.Planned
    use data = caseData ctx.Experiment.Seed pc.Case.Data
    match pc.Case.Data with
    | Mnist _ -> { blank pc with ImageSize = imageSize pc.Case.Data; Fits = fits data }
    | MixtureSample _ | Points _ | DataFile _ | WikiText2 _ -> onVectors ctx (fun _ _ -> fits data)

/// A case whose family reads its own data (MNIST for the Bernoulli mixture, token windows for the LM).
let onOwnData (ctx: Context) (fits: unit -> FitOutcome list) : CaseOutcome =
    { blank ctx.Planned with ImageSize = imageSize ctx.Planned.Case.Data; Fits = fits () }
