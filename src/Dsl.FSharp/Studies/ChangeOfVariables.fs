/// Studies/ChangeOfVariables.fs: the change-of-variables study (ECE 8803 P5) — its checks, memory estimate, run
/// (samples with the core, histograms, derived densities, KS statistics), claims, table, figures and summary.
module GenDsl.Dsl.ChangeOfVariablesStudy

open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Dsl.StudyCommon

let check (l: string) (c: ChangeOfVariablesSpec) : DslError list =
    [ if c.Transforms.IsEmpty then EmptyStudy(l, "transforms")
      if c.N < 1 then NonPositiveStudySetting(l, "the number of samples", float c.N)
      if c.Bins < 1 then NonPositiveStudySetting(l, "the number of bins", float c.Bins)
      for t in c.Transforms do
          match t with
          | ReciprocalCauchy range -> yield! positive l "the Cauchy histogram range" range
          | ExpNormal (_, sigma) -> yield! positive l "the sigma of Y" sigma
          | DistanceFromCentre -> ()
      yield! duplicates "transform" (c.Transforms |> List.map (fun t -> match t with ReciprocalCauchy _ -> "1/Cauchy" | ExpNormal _ -> "e^Y" | DistanceFromCentre -> "distance")) ]

/// Bytes at the peak: a few copies of the samples of each transform.
let bytes (c: ChangeOfVariablesSpec) = 6.0 * float c.N * float64Bytes * float (max 1 c.Transforms.Length)

/// One transform: the histogram of its samples and the derived density on a grid.
type DensityCheck =
    { Transform: Transform
      /// Bin centres, bin width and counts / (n * width).
      Centres: float[]
      Width: float
      Heights: float[]
      /// The derived density on a grid over the histogram's range.
      Xs: float[]
      Density: float[]
      /// The Kolmogorov-Smirnov statistic sqrt(n) sup |F_n - F| against the derived CDF.
      Ks: float }

type Outcome = { Spec: ChangeOfVariablesSpec; Checks: DensityCheck list }

/// Samples of each variable, their histogram, the density derived by change of variables, a KS statistic; the
/// experiment's seed unless the study has its own.
let run (seed: uint64) (c: ChangeOfVariablesSpec) : Outcome =
    use g = new Generator(defaultArg c.Seed seed)
    let n = int64 c.N
    let checks =
        [ for t in c.Transforms ->
            use _s = Scope.Begin()
            // samples, plotted range, derived density on a grid, CDF at points
            let samples, lo, hi, density, cdf =
                match t with
                | ReciprocalCauchy range ->
                    let x = Cauchy(0.0, 1.0)
                    // p_Y(y) = p_X(1/y) |d(1/y)/dy| = p_X(1/y) / y^2
                    let dens (ys: float[]) = flat ((x.LogProb((ofArray ys).Reciprocal()) - (ofArray ys).Square().Log()).Exp())
                    flat (x.Sample(n, g).Reciprocal()), -range, range, dens, (fun (v: float[]) -> flat (x.Cdf(ofArray v)))
                | ExpNormal (mu, sigma) ->
                    let y = Normal(mu, sigma)
                    let ln = LogNormal(mu, sigma)
                    flat (y.Sample(n, g).Exp()), 0.0, exp (mu + 3.0 * sigma), (fun ys -> flat (ln.Prob(ofArray ys))), (fun v -> flat (y.Cdf((ofArray v).Log())))
                | DistanceFromCentre ->
                    let z = SquareCentreDistance()
                    flat (z.Sample(n, g)), 0.0, sqrt 2.0, Array.map SquareCentreDistance.Density, Array.map SquareCentreDistance.Cdf
            let width = (hi - lo) / float c.Bins
            let counts = Array.zeroCreate c.Bins
            for v in samples do
                if v >= lo && v < hi then
                    let b = min (c.Bins - 1) (int ((v - lo) / width))
                    counts.[b] <- counts.[b] + 1
            // avoid the grid point 0 for 1/Cauchy (the derived formula is 0/0 there; the density's limit is 1/pi)
            let xs = linspace lo hi 400 |> Array.map (fun x -> if x = 0.0 then 1e-9 else x)
            let sorted = Array.sort samples
            { Transform = t
              Centres = Array.init c.Bins (fun b -> lo + (float b + 0.5) * width)
              Width = width
              Heights = counts |> Array.map (fun k -> float k / (float c.N * width))
              Xs = xs
              Density = density xs
              Ks = ks sorted (cdf sorted) } ]
    { Spec = c; Checks = checks }

/// The variable in words: "e^Y, Y ~ N(0, 0.5^2)".
let transformName t =
    match t with
    | ReciprocalCauchy _ -> "1/X, X ~ Cauchy(0, 1)"
    | ExpNormal (mu, sigma) -> sprintf "e^Y, Y ~ N(%g, %g^2)" mu sigma
    | DistanceFromCentre -> "|U - (1,1)|, U ~ U([0,2]^2)"

/// The seed's claim: each variable's samples follow its derived density (a KS test).
let claims (label: string) (o: Outcome) : (string * bool) list =
    // sqrt(n) D_n > 1.95 with probability about 0.001 under the derived law (Kolmogorov distribution)
    [ for d in o.Checks ->
        claim label (sprintf "%s: samples follow the derived density (KS sqrt(n) D_n = %.3f < 1.95, the 0.1%% critical value)" (transformName d.Transform) d.Ks), d.Ks < 1.95 ]

let tables (label: string) (o: Outcome) : Report.Table list =
    [ { Caption = sprintf "%s: %d samples per transform against the density derived by change of variables" label o.Spec.N
        Headers = [ "variable"; "derived density"; "KS sqrt(n) D_n" ]
        Rows =
            [ for d in o.Checks ->
                let formula =
                    match d.Transform with
                    | ReciprocalCauchy _ -> "p(y) = p_X(1/y) / y^2 = 1 / (pi (1 + y^2))"
                    | ExpNormal _ -> "p(x) = N(log x; mu, sigma^2) / x"
                    | DistanceFromCentre -> "f(z) = pi z / 2 on [0,1]; z (pi/2 - 2 acos(1/z)) on (1, sqrt 2]"
                [ transformName d.Transform; formula; f4 d.Ks ] ] } ]

let figures (label: string) (o: Outcome) : Plots.Figure list =
    [ for i, d in List.indexed o.Checks ->
        Plots.figure (figureId label (sprintf "density-%d" i)) (sprintf "%s: %s, histogram of %d samples vs the derived density" label (transformName d.Transform) o.Spec.N) "value" "density" false
            [ Plots.barsAt "samples (histogram)" d.Centres d.Heights d.Width; Plots.line "derived density" d.Xs d.Density ] ]

let paragraph (o: Outcome) =
    sprintf "%d samples per variable, %d histogram bins normalised to a density (counts / (n * width)); samples outside the plotted range count in n but get no bar." o.Spec.N o.Spec.Bins

let summary (label: string) (o: Outcome) =
    summaryOf label [ for d in o.Checks -> transformName d.Transform, fields [ "ks", num d.Ks ] ]

/// This study's operations for the dispatcher (Studies.fs).
let ops (c: ChangeOfVariablesSpec) : StudyOps =
    { Check = fun label -> check label c
      Bytes = fun () -> bytes c
      Run = fun seed label ->
          let o = run seed c
          { Claims = claims label o; Paragraph = paragraph o; Tables = tables label o; Figures = figures label o; Summary = summary label o } }
