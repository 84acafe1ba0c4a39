/// CheckStudies.fs: pure — the errors of each study kind before it runs (and the duplicate-name check the experiment's
/// cases, fits and studies share).
module GenDsl.Dsl.CheckStudies

open System

/// One DuplicateName error per name that occurs more than once.
let duplicates what (names: string list) =
    names |> List.countBy id |> List.filter (fun (_, n) -> n > 1) |> List.map (fun (x, _) -> DuplicateName(what, x))

/// Whether x_t = sum_i phi_i x_{t-i} + e_t is stationary: the step-down (Levinson) recursion gives the partial
/// autocorrelations k_j = phi^(j)_j, phi^(j-1)_i = (phi^(j)_i + k_j phi^(j)_{j-i}) / (1 - k_j^2); stationary iff every |k_j| < 1.
let stationary (phi: float list) =
    let rec go (a: float[]) =
        let j = a.Length
        if j = 0 then true
        else
            let k = a.[j - 1]
            if not (abs k < 1.0) then false
            else go (Array.init (j - 1) (fun i -> (a.[i] + k * a.[j - 2 - i]) / (1.0 - k * k)))
    go (List.toArray phi)

let private positive (label: string) (what: string) (v: float) =
    [ if not (v > 0.0) then NonPositiveStudySetting(label, what, v) ]

let checkStudy (s: Study) =
    let l = s.Label
    match s.Kind with
    | KlAsymmetry k ->
        [ if k.Means.IsEmpty then EmptyStudy(l, "target components")
          if k.Weights.Length <> k.Means.Length then ComponentCountMismatch(l, "the target weights", k.Means.Length, k.Weights.Length)
          if k.Scales.Length <> k.Means.Length then ComponentCountMismatch(l, "the target scales", k.Means.Length, k.Scales.Length)
          if k.Weights |> List.exists (fun w -> w < 0.0) then BadWeights(l, "must be >= 0")
          elif not k.Weights.IsEmpty && abs (List.sum k.Weights - 1.0) > 1e-6 then BadWeights(l, sprintf "must sum to 1, they sum to %g" (List.sum k.Weights))
          for sc in k.Scales do yield! positive l "a target scale" sc
          yield! positive l "the starting sigma" k.StartSigma
          if not (k.LearningRate > 0.0) then NonPositiveLearningRate(l, "kl", k.LearningRate)
          if k.Steps < 1 then NonPositiveSteps(l, "kl", k.Steps)
          if k.GridPoints < 3 || k.GridPoints % 2 = 0 then EvenQuadraturePoints(l, k.GridPoints)
          if not (k.GridLo < k.GridHi) then EmptyInterval(l, k.GridLo, k.GridHi) ]
    | ReceptiveFields r ->
        [ if r.Stacks.IsEmpty then EmptyStudy(l, "mask stacks")
          if r.Stacks |> List.exists List.isEmpty then EmptyStudy(l, "layers in one of its stacks")
          if r.Channels < 1 then NonPositiveStudySetting(l, "the hidden channels", float r.Channels)
          if r.Height < 1 || r.Width < 1 then NonPositiveStudySetting(l, "the map size", float (min r.Height r.Width))
          elif r.Row < 1 || r.Row > r.Height || r.Column < 1 || r.Column > r.Width then PixelOutsideMap(l, r.Row, r.Column, r.Height, r.Width) ]
    | GdaDynamics g ->
        [ if not (g.Alpha > 0.0) then NonPositiveLearningRate(l, "gda", g.Alpha)
          if g.Steps < 1 then NonPositiveSteps(l, "gda", g.Steps)
          if g.Schemes.IsEmpty then EmptyStudy(l, "GDA schemes")
          yield! duplicates "GDA scheme" (g.Schemes |> List.map (sprintf "%A")) ]
    | ChangeOfVariables c ->
        [ if c.Transforms.IsEmpty then EmptyStudy(l, "transforms")
          if c.N < 1 then NonPositiveStudySetting(l, "the number of samples", float c.N)
          if c.Bins < 1 then NonPositiveStudySetting(l, "the number of bins", float c.Bins)
          for t in c.Transforms do
              match t with
              | ReciprocalCauchy range -> yield! positive l "the Cauchy histogram range" range
              | ExpNormal (_, sigma) -> yield! positive l "the sigma of Y" sigma
              | DistanceFromCentre -> ()
          yield! duplicates "transform" (c.Transforms |> List.map (fun t -> match t with ReciprocalCauchy _ -> "1/Cauchy" | ExpNormal _ -> "e^Y" | DistanceFromCentre -> "distance")) ]
    | ArFit a ->
        [ if a.Phi.IsEmpty then EmptyStudy(l, "true coefficients")
          elif not (stationary a.Phi) then NonStationaryAr(l, a.Phi)
          yield! positive l "sigma^2" a.Sigma2
          if a.Order < 1 then NonPositiveStudySetting(l, "the fitted order", float a.Order)
          elif a.Length <= 2 * max a.Order a.Phi.Length then OrderTooLong(l, max a.Order a.Phi.Length, a.Length) ]

