/// Studies/KlAsymmetry.fs: the KL-asymmetry study (ECE 8803 P1b) — its checks, memory estimate, run (two Gaussian fits
/// with the core), claims, table, figures and summary.
module GenDsl.Dsl.KlAsymmetryStudy

open System
open System.Text.Json.Nodes
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Dsl.StudyCommon

let check (l: string) (k: KlAsymmetrySpec) : DslError list =
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

/// Bytes at the peak: a few grid-sized tensors per target component.
let bytes (k: KlAsymmetrySpec) = 8.0 * float k.GridPoints * float (max 1 k.Means.Length) * float64Bytes

/// One Gaussian fit: where it ended and both divergences there.
type KlFit =
    { Direction: string
      Mu: float
      Sigma: float
      /// KL(p || q) and KL(q || p) of the final q.
      Forward: float
      Reverse: float
      /// The minimised divergence after each step k = 0..Steps.
      Curve: float[] }

/// The target's density on a plotting grid and the two fits (forward, reverse).
type Outcome = { Spec: KlAsymmetrySpec; Xs: float[]; Target: float[]; Fits: KlFit list }

/// Both fits by autograd on the quadrature grid, then both divergences of each final q.
let run (k: KlAsymmetrySpec) : Outcome =
    let target = NormalMixture.OneD(List.toArray k.Weights, List.toArray k.Means, List.toArray k.Scales)
    let logP (x: Tensor) = target.LogProb(x.Unsqueeze(1L)) // (n) -> (n, 1) -> (n)
    let n = int64 k.GridPoints
    let fit (name: string) dir =
        let r = GaussianKlFit.Fit(dir, Func<Tensor, Tensor> logP, k.StartMu, k.StartSigma, k.LearningRate, k.Steps, k.GridLo, k.GridHi, n)
        let kl d = GaussianKlFit.Evaluate(d, Func<Tensor, Tensor> logP, r.Mu, r.Sigma, k.GridLo, k.GridHi, n)
        { Direction = name; Mu = r.Mu; Sigma = r.Sigma; Forward = kl KlDirection.Forward; Reverse = kl KlDirection.Reverse; Curve = r.Curve }
    let xs = linspace k.GridLo k.GridHi 601
    let p = flat (logP(ofArray xs).Exp())
    { Spec = k; Xs = xs; Target = p; Fits = [ fit "forward KL(p||q)" KlDirection.Forward; fit "reverse KL(q||p)" KlDirection.Reverse ] }

/// The moments of a 1-D Gaussian mixture: mean sum w m, variance sum w (s^2 + m^2) - mean^2.
let mixtureMoments (k: KlAsymmetrySpec) =
    let mean = List.map2 (*) k.Weights k.Means |> List.sum
    let second = List.zip3 k.Weights k.Means k.Scales |> List.sumBy (fun (w, m, s) -> w * (s * s + m * m))
    mean, second - mean * mean

/// The seed's claims: forward KL matches p's moments, reverse KL sits on one mode, each fit wins its own divergence.
let claims (label: string) (o: Outcome) : (string * bool) list =
    let p = claim label
    let k = o.Spec
    let mean, var = mixtureMoments k
    [ match o.Fits with
      | [ fwd; rev ] ->
          p (sprintf "forward KL matches p's moments: mu = %s (p's mean %s), sigma^2 = %s (p's variance %s), to 1%% of sd and variance" (f4 fwd.Mu) (f4 mean) (f4 (fwd.Sigma ** 2.0)) (f4 var)),
          abs (fwd.Mu - mean) <= 0.01 * sqrt var && abs (fwd.Sigma ** 2.0 / var - 1.0) <= 0.01
          let nearest = List.zip k.Means k.Scales |> List.minBy (fun (m, _) -> abs (m - rev.Mu))
          p (sprintf "reverse KL sits on one mode: mu = %s, sigma = %s vs the mode N(%g, %g^2) (within 10%% of its sd)" (f4 rev.Mu) (f4 rev.Sigma) (fst nearest) (snd nearest)),
          abs (rev.Mu - fst nearest) <= 0.1 * snd nearest && abs (rev.Sigma / snd nearest - 1.0) <= 0.1
          p (sprintf "each fit wins its own divergence: KL(p||q) %s < %s and KL(q||p) %s < %s" (f4 fwd.Forward) (f4 rev.Forward) (f4 rev.Reverse) (f4 fwd.Reverse)),
          fwd.Forward < rev.Forward && rev.Reverse < fwd.Reverse
      | _ -> p "two fits (forward, reverse) were made", false ]

let tables (label: string) (o: Outcome) : Report.Table list =
    let mean, var = mixtureMoments o.Spec
    [ { Caption = sprintf "%s: the two Gaussian fits and both divergences (nats); p's mean %s, variance %s" label (f4 mean) (f4 var)
        Headers = [ "fit"; "mu"; "sigma"; "KL(p||q)"; "KL(q||p)" ]
        Rows = [ for f in o.Fits -> [ f.Direction; f4 f.Mu; f4 f.Sigma; f4 f.Forward; f4 f.Reverse ] ] } ]

let figures (label: string) (o: Outcome) : Plots.Figure list =
    let xs = o.Xs
    let gauss (f: KlFit) = xs |> Array.map (fun x -> exp (-0.5 * ((x - f.Mu) / f.Sigma) ** 2.0) / (f.Sigma * sqrt (2.0 * Math.PI)))
    [ Plots.figure (figureId label "fits") (sprintf "%s: target p and the Gaussians minimising KL(p||q) and KL(q||p)" label) "x" "density" false
          ([ Plots.line "target p" xs o.Target ] @ [ for f in o.Fits -> Plots.dashedLine (sprintf "%s fit N(%.2f, %.2f^2)" f.Direction f.Mu f.Sigma) xs (gauss f) ])
      Plots.figure (figureId label "curves") (sprintf "%s: the minimised divergence vs gradient step" label) "step k" "KL (nats)" false
          [ for f in o.Fits -> Plots.line f.Direction (f.Curve |> Array.mapi (fun i _ -> float i)) f.Curve ]
      |> Plots.logScale Plots.YAxis ]

let paragraph (o: Outcome) =
    let k = o.Spec
    sprintf "Target p = mixture of N(m, s^2) with weights %A, means %A, sds %A; both fits start at N(%g, %g^2) and take %d gradient steps of %g on (mu, log sigma), integrals by Simpson's rule on %d points over [%g, %g]." k.Weights k.Means k.Scales k.StartMu k.StartSigma k.Steps k.LearningRate k.GridPoints k.GridLo k.GridHi

let summary (label: string) (o: Outcome) : JsonNode =
    summaryOf label [ for f in o.Fits -> f.Direction, fields [ "mu", num f.Mu; "sigma", num f.Sigma; "kl_pq", num f.Forward; "kl_qp", num f.Reverse ] ]

/// This study's operations for the dispatcher (Studies.fs).
let ops (k: KlAsymmetrySpec) : StudyOps =
    { Check = fun label -> check label k
      Bytes = fun () -> bytes k
      Run = fun _ label ->
          let o = run k
          { Claims = claims label o; Paragraph = paragraph o; Tables = tables label o; Figures = figures label o; Summary = summary label o } }
