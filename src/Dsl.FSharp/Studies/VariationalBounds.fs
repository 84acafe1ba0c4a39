/// Studies/VariationalBounds.fs: the variational-bounds study (DS-GA 1008 2.3-2.4) — its checks, memory estimate, run
/// (ring GMM log-joints and exact discrete ELBOs with the core), claims, tables, figures and summary.
module GenDsl.Dsl.VariationalBoundsStudy

open System
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Dsl.StudyCommon

let check (l: string) (v: VariationalBoundsSpec) : DslError list =
    [ if v.Radii.IsEmpty then EmptyStudy(l, "radii")
      for r in v.Radii do yield! positive l "a radius" r
      yield! duplicates "radius" (v.Radii |> List.map string)
      if v.Components < 1 then NonPositiveStudySetting(l, "the number of components K", float v.Components)
      if v.Points < 2 then BadSetting(sprintf "study '%s'" l, sprintf "points: a standard error needs at least 2 points per ring, got %d" v.Points)
      if v.Sweep.IsEmpty then EmptyStudy(l, "numbers of components K to sweep")
      for k in v.Sweep do if k < 1 then NonPositiveStudySetting(l, "a swept number of components K", float k)
      yield! duplicates "swept K" (v.Sweep |> List.map string) ]

/// Bytes at the peak: LogJoint's (N, K, 2) differences and a few (N, K) tensors at the largest K.
let bytes (v: VariationalBoundsSpec) =
    let k = List.max (v.Components :: v.Sweep @ [ 1 ])
    8.0 * float v.Points * float k * float64Bytes

// ---- the points ----

/// The randomness every ring shares: U ~ Uniform[0, 1) and eps ~ N(0, I_2) per point.
type Draws = { U: Tensor; Eps: Tensor }

let draws (seed: uint64) (n: int) =
    use g = new Generator(seed)
    let u = Torch.Rand([| int64 n |], g, f64).DetachFromScope()                 // (N)
    let eps = Torch.Randn([| int64 n; 2L |], g, f64).DetachFromScope()          // (N, 2)
    { U = u; Eps = eps }

/// The ring's points: z = floor(U K) (uniform on the K components) and x = mu_z + eps, an exact sample of p(x). Every
/// ring takes the same (U, eps) (common random numbers), so two rings' means differ by less noise than two independent
/// samples would give: the paired standard error of 2.4's "the gap settles" claim rests on it.
let ringPoints (ring: NormalMixture) (d: Draws) =
    let z = (d.U * float ring.K).Floor().Long().ClampMax(ring.K - 1L)           // (N)
    ring.Means.IndexSelect(0L, z) + d.Eps                                        // (N, 2)

/// One ring's values at each point.
type Ring =
    { Radius: float
      K: int
      X: float[]
      Y: float[]
      LogP: float[]
      Uniform: float[]
      Posterior: float[]
      /// KL(uniform || p(z | x)), computed apart from the bounds (Elbo.KlToPosterior).
      Kl: float[] }
    /// log p(x) - L(uniform) at each point.
    member r.Gap = Array.map2 (-) r.LogP r.Uniform
    /// The distance between neighbouring means, 2 R sin(pi / K) (0 for K = 1).
    member r.Spacing = if r.K < 2 then 0.0 else 2.0 * r.Radius * sin (Math.PI / float r.K)

/// log p(x), L(uniform), L(posterior) and KL(uniform || posterior) at each point of the ring (K, R).
let evaluate (d: Draws) (radius: float) (k: int) : Ring =
    use _s = Scope.Begin()
    let ring = NormalMixture.Ring(k, radius)
    let x = ringPoints ring d                                                    // (N, 2)
    let lj = ring.LogJoint(x)                                                    // (N, K)
    let uniform = Elbo.UniformQ(lj)                                              // (N, K)
    let xy = flat x
    { Radius = radius
      K = k
      X = Array.init (xy.Length / 2) (fun i -> xy.[2 * i])
      Y = Array.init (xy.Length / 2) (fun i -> xy.[2 * i + 1])
      LogP = flat (Elbo.LogEvidence(lj))
      Uniform = flat (Elbo.Discrete(lj, uniform))
      Posterior = flat (Elbo.Discrete(lj, Elbo.Posterior(lj)))
      Kl = flat (Elbo.KlToPosterior(lj, uniform)) }

// ---- closed forms ----

/// Two significant digits and an exponent: "3.7e-13".
let private e1 (x: float) = x.ToString("0.0e+0", Globalization.CultureInfo.InvariantCulture)

let mean (xs: float[]) = Array.average xs
/// The standard error of the mean: the sample sd / sqrt n.
let se (xs: float[]) =
    let m = mean xs
    sqrt ((xs |> Array.sumBy (fun x -> (x - m) ** 2.0)) / float (xs.Length - 1) / float xs.Length)

/// log I_nu(z), z >= 0, from the series sum_m (z/2)^(2m + nu) / (m! (m + nu)!) summed in log space to a relative 1e-17.
let logBesselI (nu: int) (z: float) =
    if z = 0.0 then (if nu = 0 then 0.0 else -infinity)
    else
        let lz = log (z / 2.0)
        let mutable t = float nu * lz - Seq.sum (seq { for j in 1 .. nu -> log (float j) })   // term m = 0
        let mutable top, sum, m = t, 1.0, 0
        // terms rise until m (m + nu) ~ (z/2)^2, then fall: stop 40 nats below the largest once past it
        while not (float m * float (m + nu) > z * z / 4.0 && t < top - 40.0) do
            m <- m + 1
            t <- t + 2.0 * lz - log (float m) - log (float (m + nu))
            if t > top then
                sum <- sum * exp (top - t) + 1.0
                top <- t
            else sum <- sum + exp (t - top)
        top + log sum

/// The continuous ring's gap at x: KL(uniform over the angle || posterior over the angle) = log I_0(R |x|).
/// For K >= 2 components, gap_K(x) = log (1/K) sum_k exp(R x . u_k) (the terms -|x|^2/2 - R^2/2 cancel and sum_k u_k = 0),
/// and by Poisson summation (1/K) sum_k exp(z cos(t + 2 pi k/K)) = I_0(z) + 2 sum_(j >= 1) I_(jK)(z) cos(j K t), so
/// |gap_K(x) - log I_0(R |x|)| <= r / (1 - r) with the remainder r = 2 sum_(j >= 1) I_(jK)(R |x|) / I_0(R |x|).
let continuousGap (radius: float) (x: float) (y: float) = logBesselI 0 (radius * sqrt (x * x + y * y))

/// The Poisson remainder r above (j = 1..3; the next terms are smaller by factors below I_(3K) / I_(2K)).
let remainder (radius: float) (k: int) (x: float) (y: float) =
    let z = radius * sqrt (x * x + y * y)
    let l0 = logBesselI 0 z
    2.0 * (List.sumBy (fun j -> exp (logBesselI (j * k) z - l0)) [ 1; 2; 3 ])

/// E L(uniform) = -log 2 pi - E (1/K) sum_k |x - mu_k|^2 / 2 = -log 2 pi - 1 - R^2 + |mean mu|^2 for x ~ p (E|x|^2 = R^2 + 2,
/// E x = mean mu): -log 2 pi - 1 - R^2 for every K >= 2 (sum_k mu_k = 0), -log 2 pi - 1 for K = 1.
let expectedUniform (radius: float) (k: int) = -log (2.0 * Math.PI) - 1.0 - (if k < 2 then 0.0 else radius * radius)

/// For components far apart, x = mu_j + eps has a posterior nearly one-hot on j, and
/// gap = log (1/K) sum_k exp(R x . u_k) = R^2 + R eps . u_j - log K + delta(x), delta = log(1 + sum_(k != j) posterior odds)
/// >= 0: its mean is R^2 - log K + E delta.
let separatedGap (radius: float) (k: int) = radius * radius - log (float k)

/// Components at least this far apart count as separated: E delta <= 2 E softplus(N(-s^2/2, s^2)) for the two nearest
/// neighbours at spacing s (the others are >= 1.9 s away and add nothing visible), about 0.004 at s = 6.18 (R = 10,
/// K = 10) and 0.007 at s = 6, so R^2 - log K + 0.01 bounds the mean gap's centre.
let separatedSpacing = 6.0

// ---- the run ----

type Series =
    /// Every swept K at this radius.
    | FixedRadius of float
    /// R = K: neighbouring means 2 K sin(pi/K) >= 6.18 apart for K >= 10 (about 2 pi for large K).
    | Apart

let seriesName (s: Series) = match s with FixedRadius r -> sprintf "R = %g" r | Apart -> "R = K (apart)"

type Outcome =
    { Spec: VariationalBoundsSpec
      /// 2.3: one ring per radius, K = Components.
      Rings: Ring list
      /// 2.4: each series' rings, one per swept K (in the sweep's order).
      Sweep: (Series * Ring list) list }

/// Every ring of 2.3 and 2.4 on the same draws; the experiment's seed unless the study has its own.
let run (seed: uint64) (v: VariationalBoundsSpec) : Outcome =
    let d = draws (defaultArg v.Seed seed) v.Points
    let series = [ for r in v.Radii -> FixedRadius r ] @ [ Apart ]
    { Spec = v
      Rings = [ for r in v.Radii -> evaluate d r v.Components ]
      Sweep =
        [ for s in series ->
            s, [ for k in v.Sweep -> evaluate d (match s with FixedRadius r -> r | Apart -> float k) k ] ] }

/// Every ring of the run.
let allRings (o: Outcome) = o.Rings @ (o.Sweep |> List.collect snd)

/// The largest |L(posterior) - log p(x)| / max(1, |log p(x)|) of a ring.
let posteriorError (r: Ring) = Array.map2 (fun lp post -> abs (post - lp) / max 1.0 (abs lp)) r.LogP r.Posterior |> Array.max

/// The mean continuous-ring gap log I_0(R |x|) over a ring's points.
let continuousMean (r: Ring) = Array.map2 (continuousGap r.Radius) r.X r.Y |> mean

/// The two largest swept K of a series' rings, and the paired change of the gap between them with its standard error.
let settle (rings: Ring list) =
    match rings |> List.sortBy (fun r -> r.K) |> List.rev with
    | big :: next :: _ ->
        let diff = Array.map2 (-) big.Gap next.Gap
        Some(next, big, mean diff, se diff)
    | _ -> None

// ---- claims ----

/// The seed's claims: the posterior bound is exact and the uniform one leaves the gap KL(uniform || posterior) > 0 (2.1,
/// 2.3); separated components give the gap R^2 - log K, overlapping ones a small gap (2.3); E L(uniform) does not depend
/// on K, so at a fixed radius the gap settles at the continuous ring's value, while components kept apart make it grow
/// like K^2 (2.4).
let claims (label: string) (o: Outcome) : (string * bool) list =
    let p = claim label
    let v = o.Spec
    let all = allRings o
    let nAll = all.Length
    [ // q = posterior: L(q) = log p(x) - KL(posterior || posterior) = log p(x); float64 sums leave ~1e-13
      let worst = all |> List.map posteriorError |> List.max
      p (sprintf "q = p(z|x) gives L(q) = log p(x) at every point of all %d rings (every radius and K): largest |L(posterior) - log p| %s <= 1e-9 (relative to max(1, |log p|))" nAll (e1 worst)),
      worst <= 1e-9
      // q = uniform: the gap is KL(uniform || posterior) (2.1's identity, computed apart) and positive once K >= 2
      let klErr = all |> List.map (fun r -> Array.map2 (fun g kl -> abs (g - kl) / max 1.0 (abs g)) r.Gap r.Kl |> Array.max) |> List.max
      p (sprintf "the uniform q's gap log p(x) - L(uniform) equals KL(uniform || p(z|x)) at every point (largest relative difference %s <= 1e-9)" (e1 klErr)), klErr <= 1e-9
      let minGap = all |> List.filter (fun r -> r.K >= 2) |> List.map (fun r -> Array.min r.Gap) |> List.min
      p (sprintf "the uniform q leaves a positive gap at every point of every ring with K >= 2 (smallest %.3g nats)" minGap), minGap > 0.0
      // 2.3: separated rings. The gap's sd per point is about R (the term R eps . u_j): its standard error is measured.
      for r in o.Rings do
          if r.Spacing >= separatedSpacing then
              let g, s, c = mean r.Gap, se r.Gap, separatedGap r.Radius r.K
              p (sprintf "R = %g, K = %d (neighbours %.2f apart): the mean gap %s +- %s is R^2 - log K = %s (within 4.5 SE + 0.01: the posterior is one-hot on the point's own component)" r.Radius r.K r.Spacing (f4 g) (f4 s) (f4 c)),
              abs (g - c) <= 4.5 * s + 0.01
      if o.Rings.Length >= 2 then
          let byRadius = o.Rings |> List.sortBy (fun r -> r.Radius)
          let gaps = byRadius |> List.map (fun r -> mean r.Gap)
          p (sprintf "the gap grows with the radius at K = %d: %s (overlapping components leave the posterior near uniform)" v.Components
                (String.Join(" < ", List.map2 (fun (r: Ring) g -> sprintf "%s (R = %g)" (f4 g) r.Radius) byRadius gaps))),
          List.pairwise gaps |> List.forall (fun (a, b) -> a < b)
      // 2.4: E L(uniform) = -log 2 pi - 1 - R^2 on every ring: 4.5 SE on each of the rings (about 7e-6 each by chance)
      let zs = all |> List.map (fun r -> abs (mean r.Uniform - expectedUniform r.Radius r.K) / se r.Uniform)
      p (sprintf "mean L(uniform) is its expectation -log 2 pi - 1 - R^2 on all %d rings, whatever K (largest deviation %.2f SE <= 4.5): the uniform bound sees the radius only" nAll (List.max zs)),
      List.max zs <= 4.5
      for s, rings in o.Sweep do
          match s with
          | Apart ->
              let gaps = rings |> List.sortBy (fun r -> r.K) |> List.map (fun r -> r.K, mean r.Gap)
              p (sprintf "components kept apart (R = K): the gap grows with K like K^2: %s" (String.Join(", ", gaps |> List.map (fun (k, g) -> sprintf "K = %d: %s" k (g6 g))))),
              List.pairwise gaps |> List.forall (fun ((_, a), (_, b)) -> a < b)
              let sep = rings |> List.filter (fun r -> r.Spacing >= separatedSpacing)
              if not sep.IsEmpty then
                  let worst = sep |> List.map (fun r -> (abs (mean r.Gap - separatedGap r.Radius r.K) - 0.01) / se r.Gap) |> List.max
                  p (sprintf "components kept apart: each mean gap is K^2 - log K within 4.5 SE + 0.01 (K = %s; largest (|gap - (K^2 - log K)| - 0.01) / SE = %.2f)"
                        (String.Join(", ", sep |> List.map (fun r -> string r.K))) worst),
                  worst <= 4.5
          | FixedRadius radius ->
              match settle rings with
              | Some (a, b, dm, ds) ->
                  // the same (U, eps) for both K: the paired differences' SE; E gap_K = R^2 + 1 + log 2 pi - H(p_K) changes
                  // with K only through p's entropy, which is settled here (the Poisson remainder below)
                  p (sprintf "R = %g: the gap settles as K grows: from K = %d to %d it changes by %s (|change| <= 4.5 paired SE = %s)" radius a.K b.K (e1 dm) (e1 (4.5 * ds))),
                  abs dm <= 4.5 * ds + 1e-9
              | None -> ()
              let big = rings |> List.maxBy (fun r -> r.K)
              if big.K >= 2 then
                  let rs = Array.map2 (remainder radius big.K) big.X big.Y
                  let gaps, limits = big.Gap, Array.map2 (continuousGap radius) big.X big.Y
                  let dev = Array.map2 (fun (g: float) lg -> abs (g - lg)) gaps limits
                  // 1.01: the terms j > 3 of r; 1e-9 |gap|: float64 rounding of log p - L(uniform)
                  let ok = Array.forall (fun i -> rs.[i] < 0.5 && dev.[i] <= 1.01 * rs.[i] / (1.0 - rs.[i]) + 1e-9 * max 1.0 (abs gaps.[i])) [| 0 .. gaps.Length - 1 |]
                  p (sprintf "R = %g, K = %d: each point's gap is the continuous ring's log I_0(R |x|) within the Poisson remainder r / (1 - r) (largest r %s, largest deviation %s); mean gap %s vs mean log I_0 %s"
                        radius big.K (e1 (Array.max rs)) (e1 (Array.max dev)) (f4 (mean big.Gap)) (f4 (continuousMean big))),
                  ok ]

// ---- report ----

let private pm (xs: float[]) = sprintf "%s ± %s" (f4 (mean xs)) (f4 (se xs))

let tables (label: string) (o: Outcome) : Report.Table list =
    let v = o.Spec
    let rings23 : Report.Table =
        { Caption = sprintf "%s (2.3): log p(x) and its lower bounds L(q) on the ring GMM, K = %d, means over %d points x ~ p (nats)" label v.Components v.Points
          Headers = [ "R"; "neighbours apart"; "log p(x)"; "L(uniform)"; "L(posterior)"; "gap log p - L(uniform) ± SE"; "R^2 - log K (separated)"
                      "log I_0(R|x|) (continuous ring)"; "E L(uniform) = -log 2pi - 1 - R^2" ]
          Rows =
            [ for r in o.Rings ->
                [ g6 r.Radius; f4 r.Spacing; f4 (mean r.LogP); f4 (mean r.Uniform); f4 (mean r.Posterior); pm r.Gap
                  (if r.Spacing >= separatedSpacing then f4 (separatedGap r.Radius r.K) else sprintf "(%s: overlapping)" (f4 (separatedGap r.Radius r.K)))
                  f4 (continuousMean r); f4 (expectedUniform r.Radius r.K) ] ] }
    rings23 ::
    [ for s, rings in o.Sweep ->
        { Report.Caption =
            match s with
            | FixedRadius radius -> sprintf "%s (2.4): R = %g as K grows; the gap's K -> infinity value is the continuous ring's log I_0(R|x|) (nats, means over %d points)" label radius v.Points
            | Apart -> sprintf "%s (2.4): components kept apart, R = K; separated components give the gap K^2 - log K (nats, means over %d points)" label v.Points
          Headers =
            [ "K"; "R"; "neighbours apart"; "log p(x) = L(posterior)"; "largest |L(posterior) - log p|"; "L(uniform)"; "E L(uniform)"; "gap ± SE"
              (match s with FixedRadius _ -> "log I_0(R|x|)" | Apart -> "K^2 - log K") ]
          Rows =
            [ for r in rings ->
                [ string r.K; g6 r.Radius; f4 r.Spacing; f4 (mean r.LogP)
                  e1 (Array.map2 (fun a b -> abs (a - b)) r.LogP r.Posterior |> Array.max)
                  f4 (mean r.Uniform); f4 (expectedUniform r.Radius r.K); pm r.Gap
                  (match s with FixedRadius _ -> f4 (continuousMean r) | Apart -> f4 (separatedGap r.Radius r.K)) ] ] } ]

let figures (label: string) (o: Outcome) : Plots.Figure list =
    let v = o.Spec
    let ks (rings: Ring list) = rings |> List.map (fun r -> float r.K)
    [ for r in o.Rings do
        let lo, hi = Array.min r.LogP, Array.max r.LogP
        yield Plots.figure (figureId label (sprintf "bounds-R%g" r.Radius))
            (sprintf "%s: R = %g, K = %d — each point's lower bound L(q) against its log p(x)" label r.Radius r.K) "log p(x) (nats)" "L(q) (nats)" false
            [ Plots.scatter "L(uniform)" r.LogP r.Uniform 5.0 0.5
              Plots.scatter "L(posterior)" r.LogP r.Posterior 5.0 0.5
              Plots.dashedLine "L = log p(x)" [ lo; hi ] [ lo; hi ] ]
      yield Plots.figure (figureId label "gap-vs-K") (sprintf "%s: mean gap log p - L(uniform) = KL(uniform || p(z|x))" label)
          "K (components)" "mean gap (nats)" false
          [ for s, rings in o.Sweep do
                yield Plots.path (seriesName s) (ks rings) (rings |> List.map (fun r -> mean r.Gap))
                match s with
                | FixedRadius radius -> yield Plots.dashedLine (sprintf "log I_0(R|x|), R = %g (K -> infinity)" radius) (ks rings) (rings |> List.map continuousMean)
                | Apart -> yield Plots.dashedLine "K^2 - log K" (ks rings) (rings |> List.map (fun r -> separatedGap r.Radius r.K)) ]
      |> Plots.logScale Plots.XAxis
      |> Plots.logScale Plots.YAxis
      for s, rings in o.Sweep do
          match s with
          | FixedRadius radius ->
              yield Plots.figure (figureId label (sprintf "bounds-vs-K-R%g" radius)) (sprintf "%s: R = %g — the mean bounds as K grows (%d points each)" label radius v.Points)
                  "K (components)" "nats" false
                  [ Plots.path "log p(x) = L(posterior)" (ks rings) (rings |> List.map (fun r -> mean r.LogP))
                    Plots.path "L(uniform)" (ks rings) (rings |> List.map (fun r -> mean r.Uniform))
                    Plots.dashedLine "E L(uniform) = -log 2pi - 1 - R^2" (ks rings) (rings |> List.map (fun r -> expectedUniform r.Radius r.K)) ]
              |> Plots.logScale Plots.XAxis
          | Apart -> () ]

let paragraph (o: Outcome) =
    let v = o.Spec
    sprintf "The ring GMM of part 1: K equal weights, mu_k = R (cos 2pi k/K, sin 2pi k/K), Sigma_k = I. Each ring's %d points x = mu_z + eps take z = floor(U K) and eps ~ N(0, I) from one shared draw of (U, eps) (an exact sample of each ring, and common random numbers across rings). With logJoint[i, k] = log p(x_i, z = k) the bounds are exact sums over z: L(q) = sum_k q_k (log p(x, k) - log q_k), log p(x) = logsumexp_k log p(x, k). 2.3: R in %A, K = %d. 2.4: K in %A at each radius and with R = K (components kept apart)."
        v.Points v.Radii v.Components v.Sweep

let summary (label: string) (o: Outcome) =
    let v = o.Spec
    let ring (r: Ring) =
        fields [ "radius", num r.Radius; "k", num (float r.K); "spacing", num r.Spacing; "log_p", num (mean r.LogP); "l_uniform", num (mean r.Uniform)
                 "l_uniform_se", num (se r.Uniform); "l_posterior", num (mean r.Posterior); "gap", num (mean r.Gap); "gap_se", num (se r.Gap)
                 "min_gap", num (Array.min r.Gap); "separated_gap", num (separatedGap r.Radius r.K); "continuous_gap", num (continuousMean r)
                 "l_uniform_expected", num (expectedUniform r.Radius r.K); "max_posterior_error", num (posteriorError r) ]
    let key (s: Series) = match s with FixedRadius r -> sprintf "sweep_R%g" r | Apart -> "sweep_apart"
    let over (rings: Ring list) f = nums (rings |> List.map f)
    summaryOf label
        [ yield "components", num (float v.Components)
          yield "points", num (float v.Points)
          for r in o.Rings -> sprintf "ring_R%g" r.Radius, ring r
          yield "sweep_k", nums (v.Sweep |> List.map float)
          for s, rings in o.Sweep ->
            key s,
            fields
                [ "radius", over rings (fun r -> r.Radius)
                  "log_p", over rings (fun r -> mean r.LogP)
                  "l_uniform", over rings (fun r -> mean r.Uniform)
                  "l_posterior", over rings (fun r -> mean r.Posterior)
                  "gap", over rings (fun r -> mean r.Gap)
                  "gap_se", over rings (fun r -> se r.Gap)
                  "max_posterior_error", over rings posteriorError
                  match s with
                  | FixedRadius _ -> "continuous_gap", over rings continuousMean
                  | Apart -> "separated_gap", over rings (fun r -> separatedGap r.Radius r.K) ]
          for s, rings in o.Sweep do
              match s, settle rings with
              | FixedRadius radius, Some (a, b, dm, ds) ->
                  yield sprintf "settle_R%g" radius, fields [ "k_from", num (float a.K); "k_to", num (float b.K); "change", num dm; "change_se", num ds ]
              | _ -> () ]

/// This study's operations for the dispatcher (Studies.fs).
let ops (v: VariationalBoundsSpec) : StudyOps =
    { Check = fun label -> check label v
      Bytes = fun () -> bytes v
      Run = fun seed label ->
          let o = run seed v
          { Claims = claims label o; Paragraph = paragraph o; Tables = tables label o; Figures = figures label o; Summary = summary label o } }
