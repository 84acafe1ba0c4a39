/// Families.fs: every case to its family's fits — points (PointFamilies), images (ImageFamilies), text (TextFamilies).
module GenDsl.Dsl.Families

open GenDsl.Torch
open GenDsl.Dsl.Results
open GenDsl.Dsl.Fitting
open GenDsl.Dsl.PointFamilies
open GenDsl.Dsl.ImageFamilies
open GenDsl.Dsl.TextFamilies

// ---- one case ----

/// Runs every fit of a case with its family's path.
let runCase (ctx: Context) : CaseOutcome =
    let pc = ctx.Planned
    let c = pc.Case
    let e = ctx.Experiment
    match c.Model, c.Data with
    | (Gmm _ | Kde _ | Ebm _ | Gan _), (MixtureSample _ | Points _) ->
        let x0, z, truth = mixtureData e.Seed c.Data
        let x = x0.To(ctx.Device, ScalarType.Float64)
        let xr = rows x
        let grid = e.Plots |> List.tryPick (fun p -> match p with DensityHeatmap n -> Some n | _ -> None)
        let fits =
            match c.Model with
            | Gmm g -> gmmFits ctx g x truth
            | Kde k -> kdeFits ctx k x truth
            | Ebm m -> ebmFits ctx m x truth
            | Gan gs -> ganFits ctx gs x truth
            | Bmm _ | Vae _ | Nice _ | TransformerLm _ -> []
        { Planned = pc; X = xr; Z = z; ImageSize = None
          TrueWeights = truth |> Option.map (fun t -> flat t.Weights)
          TrueMeans = truth |> Option.map (fun t -> rows t.Means)
          TrueMeanLl = truth |> Option.map (fun t -> t.MeanLogLikelihood(x))
          TrueDensity = (match truth, grid with Some t, Some n when pc.Dim = 2 -> Some(densityGrid t xr (max 2 n)) | _ -> None)
          Fits = fits }
    | _ ->
        let blank = { Planned = pc; X = [||]; Z = None; ImageSize = imageSize c.Data; TrueWeights = None; TrueMeans = None; TrueMeanLl = None; TrueDensity = None; Fits = [] }
        match c.Model, c.Data with
        | Bmm b, Mnist m -> { blank with Fits = bmmFits ctx b m }
        | Vae v, Mnist m -> { blank with Fits = vaeFits ctx v m }
        | Nice n, Mnist m -> { blank with Fits = niceFits ctx n m }
        | TransformerLm l, WikiText2 w -> { blank with Fits = lmFits ctx l w }
        | _ -> invalidOp (sprintf "case '%s': the checker refuses a %s model on this data" c.Label (Check.familyName c.Model))
