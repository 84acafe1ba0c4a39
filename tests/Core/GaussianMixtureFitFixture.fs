/// GaussianMixtureFitFixture.fs: the 12-point 2-D data set and the mixture written out in plain floats (E-step, M-step by
/// loops) shared by GaussianMixtureFitMutantTests and GaussianMixtureInitMutantTests.
module GenDsl.Tests.Core.GaussianMixtureFitFixture

open System
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let f64 = ScalarType.Float64
let types = [ CovarianceType.Identity; CovarianceType.Spherical; CovarianceType.Diagonal; CovarianceType.Full ]

// ---- a 12-point 2-D data set and a mixture written out in plain floats ----

let pts =
    [| (-2.1, 0.3); (-1.7, -0.4); (-2.5, 0.9); (-1.2, 0.1); (0.4, 2.2); (1.1, 2.9)
       (0.8, 1.7); (1.5, 2.4); (2.2, -1.8); (1.9, -2.6); (2.7, -1.1); (0.2, -0.3) |]
let data () = t64 [ 12L; 2L ] [ for (a, b) in pts do yield! [ a; b ] ]

/// A 2-D mixture: weights, means, covariances (s00, s01, s11).
type Mix = { W: float[]; Mu: (float * float)[]; Cov: (float * float * float)[] }

let startMix ct =
    { W = [| 0.3; 0.7 |]
      Mu = [| (-1.0, 0.5); (1.5, 0.5) |]
      Cov =
        match ct with
        | CovarianceType.Identity -> [| (1.0, 0.0, 1.0); (1.0, 0.0, 1.0) |]
        | CovarianceType.Spherical -> [| (1.5, 0.0, 1.5); (0.8, 0.0, 0.8) |]
        | CovarianceType.Diagonal -> [| (1.5, 0.0, 0.6); (0.8, 0.0, 2.0) |]
        | _ -> [| (1.5, 0.4, 0.9); (0.8, -0.3, 2.0) |] }

let model (m: Mix) ct =
    let k = int64 m.W.Length
    new GaussianMixture(vec (List.ofArray m.W), t64 [ k; 2L ] [ for (a, b) in m.Mu do yield! [ a; b ] ],
                        t64 [ k; 2L; 2L ] [ for (a, b, c) in m.Cov do yield! [ a; b; b; c ] ], ct)

/// log N((x, y); (mx, my), [[a, b], [b, c]]) by the 2x2 inverse and determinant.
let logN (x, y) (mx, my) (a, b, c) =
    let det = a * c - b * b
    let dx, dy = x - mx, y - my
    -0.5 * (c * dx * dx - 2.0 * b * dx * dy + a * dy * dy) / det - 0.5 * log det - log (2.0 * Math.PI)

let lse (v: float[]) =
    let m = Array.max v
    m + log (Array.sumBy (fun u -> exp (u - m)) v)

/// E-step by loops: q_ik and (1/n) sum_i log p(x_i).
let estep (xs: (float * float)[]) (m: Mix) =
    let lj = xs |> Array.map (fun p -> Array.init m.W.Length (fun k -> log m.W.[k] + logN p m.Mu.[k] m.Cov.[k]))
    let q = lj |> Array.map (fun l -> let s = lse l in l |> Array.map (fun v -> exp (v - s)))
    q, (lj |> Array.averageBy lse)

/// The M-step (CSE 599i P4) by loops: pi = n_k / n, mu_k = sum q x / n_k, S_k = sum q (x - mu_k)(x - mu_k)^T / n_k,
/// then per type S_k + reg I (Full), its diagonal (Diagonal), the mean of that diagonal (Spherical), I (Identity).
let mstep ct reg (fixedW: float[] option) (xs: (float * float)[]) (q: float[][]) =
    let k = q.[0].Length
    let nk = Array.init k (fun j -> q |> Array.sumBy (fun r -> r.[j]))
    let mu = Array.init k (fun j -> (Seq.sum (seq { for i in 0 .. xs.Length - 1 -> q.[i].[j] * fst xs.[i] }) / nk.[j],
                                     Seq.sum (seq { for i in 0 .. xs.Length - 1 -> q.[i].[j] * snd xs.[i] }) / nk.[j]))
    let s j f = Seq.sum (seq { for i in 0 .. xs.Length - 1 -> q.[i].[j] * f (fst xs.[i] - fst mu.[j]) (snd xs.[i] - snd mu.[j]) }) / nk.[j]
    let cov =
        Array.init k (fun j ->
            let s00, s01, s11 = s j (fun a _ -> a * a), s j (fun a b -> a * b), s j (fun _ b -> b * b)
            match ct with
            | CovarianceType.Identity -> (1.0, 0.0, 1.0)
            | CovarianceType.Spherical -> let v = (s00 + s11) / 2.0 + reg in (v, 0.0, v)
            | CovarianceType.Diagonal -> (s00 + reg, 0.0, s11 + reg)
            | _ -> (s00 + reg, s01, s11 + reg))
    { W = (match fixedW with Some w -> w | None -> nk |> Array.map (fun v -> v / float xs.Length)); Mu = mu; Cov = cov }

let flatMu (m: Mix) = [ for (a, b) in m.Mu do yield! [ a; b ] ]
let flatCov (m: Mix) = [ for (a, b, c) in m.Cov do yield! [ a; b; b; c ] ]

/// Asserts a fitted model equals a written-out mixture. Values are O(1-10) and both sides are float64 sums of 12 terms
/// in different orders, so rounding (~1e-14) is far inside 1e-10.
let sameModel (expected: Mix) (actual: GaussianMixture) =
    close 1e-10 expected.W actual.Weights
    close 1e-10 (flatMu expected) actual.Means
    close 1e-10 (flatCov expected) actual.Covariances

let iterationsOf (r: GmmFitResult) = r.Curve |> Seq.map (fun s -> s.Iteration) |> List.ofSeq
