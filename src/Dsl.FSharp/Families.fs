/// Families.fs: the one match from a case's model family to its fits — on any source of vectors (points, files, MNIST
/// as vectors), on MNIST images, on token windows — and the case's outcome around them (data, truth, image size).
module GenDsl.Dsl.Families

open GenDsl.Torch
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.Sources
open GenDsl.Dsl.PointFamilies
open GenDsl.Dsl.ImageFamilies
open GenDsl.Dsl.TextFamilies
open GenDsl.Dsl.UserFamily

/// Runs every fit of a case with its family's path.
let runCase (ctx: Context) : CaseOutcome =
    let pc = ctx.Planned
    let c = pc.Case
    let e = ctx.Experiment
    let blank = { Planned = pc; X = [||]; Z = None; ImageSize = None; TrueWeights = None; TrueMeans = None; TrueMeanLl = None; TrueDensity = None; Fits = [] }
    let refused () = invalidOp (sprintf "case '%s': the checker refuses a %s model on this data" c.Label (Check.familyName c.Model))
    /// A case on real vectors: the training rows (kept for the figures when there are few dimensions), and the true
    /// mixture when the data were drawn from one.
    let onVectors (fits: Tensor -> GenDsl.Models.GaussianMixture option -> FitOutcome list) =
        let z, truth = match c.Data with MixtureSample _ -> (let _, z, t = mixtureData e.Seed c.Data in z, t) | _ -> None, None
        let x = (vectors e.Seed c.Data Train).Value.To(ctx.Device, ScalarType.Float64) // (N, D)
        let xr = if pc.Dim <= 16 then rows x else [||]
        let grid = e.Plots |> List.tryPick (fun p -> match p with DensityHeatmap n -> Some n | _ -> None)
        { blank with
            X = xr; Z = z
            TrueWeights = truth |> Option.map (fun t -> flat t.Weights)
            TrueMeans = truth |> Option.map (fun t -> rows t.Means)
            TrueMeanLl = truth |> Option.map (fun t -> t.MeanLogLikelihood(x))
            TrueDensity = (match truth, grid with Some t, Some n when pc.Dim = 2 -> Some(densityGrid t xr (max 2 n)) | _ -> None)
            Fits = fits x truth }
    /// A gradient family on the case's data: MNIST as images, anything else as vectors.
    let neural (fits: CaseData -> FitOutcome list) =
        use data = caseData e.Seed c.Data
        match c.Data with
        | Mnist _ -> { blank with ImageSize = imageSize c.Data; Fits = fits data }
        | MixtureSample _ | Points _ | DataFile _ | WikiText2 _ -> onVectors (fun _ _ -> fits data)
    match c.Model with
    | Gmm g -> onVectors (gmmFits ctx g)
    | Kde k -> onVectors (kdeFits ctx k)
    | Ebm m -> onVectors (ebmFits ctx m)
    | Gan gs -> onVectors (ganFits ctx gs)
    | Vae v -> neural (vaeFits ctx v)
    | Nice n -> neural (niceFits ctx n)
    | UserModel m -> neural (userFits ctx m)
    | Bmm b ->
        match c.Data with
        | Mnist m -> { blank with ImageSize = imageSize c.Data; Fits = bmmFits ctx b m }
        | MixtureSample _ | Points _ | DataFile _ | WikiText2 _ -> refused ()
    | TransformerLm l ->
        match c.Data with
        | WikiText2 w -> { blank with Fits = lmFits ctx l w }
        | MixtureSample _ | Points _ | DataFile _ | Mnist _ -> refused ()
