/// BernoulliMixtureMutantTests.fs: the Bernoulli mixture's formulas (ECE 8803 P2-P3) on a hand-sized example against plain loops — log-joint, E-step, Q, marginal mean — and its argument checks.
module GenDsl.Tests.Core.BernoulliMixtureMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private xs = array2D [ [ 1.0; 0.0; 1.0 ]; [ 0.0; 0.0; 1.0 ]; [ 1.0; 1.0; 0.0 ] ]
let private pi0 = [| 0.25; 0.75 |]
let private p0 = array2D [ [ 0.2; 0.6; 0.9 ]; [ 0.7; 0.1; 0.4 ] ]

/// log(pi_k prod_d p^x (1-p)^(1-x)) for image i, by the product itself.
let private logJoint i k =
    let mutable v = pi0.[k]
    for d in 0 .. 2 do v <- v * (if xs.[i, d] = 1.0 then p0.[k, d] else 1.0 - p0.[k, d])
    log v

let private model () = new BernoulliMixture(vec (List.ofArray pi0), t64 [ 2L; 3L ] [ for k in 0 .. 1 do for d in 0 .. 2 -> p0.[k, d] ])
let private data () = t64 [ 3L; 3L ] [ for i in 0 .. 2 do for d in 0 .. 2 -> xs.[i, d] ]

let ``Bernoulli mixture: log-joint, per-image log-likelihood, E-step and Q equal the products written out`` () =
    use m = model ()
    use x = data ()
    let lj = [ for i in 0 .. 2 do for k in 0 .. 1 -> logJoint i k ]
    close 1e-13 lj (m.LogJoint(x))
    let lse i = log (exp (logJoint i 0) + exp (logJoint i 1))
    close 1e-13 [ for i in 0 .. 2 -> lse i ] (m.LogLikelihoodPerImage(x))
    closeScalar 1e-13 (List.sum [ for i in 0 .. 2 -> lse i ]) (m.LogLikelihood(x))
    closeScalar 1e-13 (List.sum [ for i in 0 .. 2 -> lse i ] / 3.0) (m.MeanLogLikelihood(x))
    use eta = m.EStep(x)
    close 1e-13 [ for i in 0 .. 2 do for k in 0 .. 1 -> exp (logJoint i k - lse i) ] eta
    // Q under a hand-chosen eta (not the posterior): sum_ik eta_ik log(pi_k P(x_i | p_k))
    let e = [| 0.1; 0.9; 0.5; 0.5; 0.8; 0.2 |]
    use et = t64 [ 3L; 2L ] (List.ofArray e)
    closeScalar 1e-12 (List.sum [ for i in 0 .. 2 do for k in 0 .. 1 -> e.[2 * i + k] * logJoint i k ]) (m.ExpectedCompleteLogLikelihood(x, et))
    close 1e-15 [ for d in 0 .. 2 -> pi0.[0] * p0.[0, d] + pi0.[1] * p0.[1, d] ] (m.MarginalMean())

let ``Bernoulli mixture: float32 data gives a float32 log-joint, 0/1 integer data a float64 one, with the same values`` () =
    use m = model ()
    use x = data ()
    use x32 = x.Float()
    use xi = x.Long()
    let l32 = m.LogJoint(x32)
    Assert.Equal(ScalarType.Float32, l32.Dtype)
    close 1e-5 [ for i in 0 .. 2 do for k in 0 .. 1 -> logJoint i k ] l32
    let li = m.LogJoint(xi)
    Assert.Equal(ScalarType.Float64, li.Dtype)
    close 1e-13 [ for i in 0 .. 2 do for k in 0 .. 1 -> logJoint i k ] li

let ``Bernoulli mixture: p = 0 or 1 where the data agree gives log P = log pi exactly; mismatched shapes, probabilities outside [0, 1] and negative smoothing are refused`` () =
    use m = new BernoulliMixture(vec [ 1.0 ], t64 [ 1L; 2L ] [ 1.0; 0.0 ])
    use x = t64 [ 1L; 2L ] [ 1.0; 0.0 ]
    close 0.0 [ 0.0 ] (m.LogJoint(x))
    throws<ArgumentException> "need weights (K) and probs (K, D), got [2] and [1, 2]" (fun () -> box (new BernoulliMixture(vec [ 0.5; 0.5 ], t64 [ 1L; 2L ] [ 0.5; 0.5 ])))
    throws<ArgumentException> "need weights (K) and probs (K, D)" (fun () -> box (new BernoulliMixture(vec [ 1.0 ], vec [ 0.5 ])))
    throws<ArgumentException> "need weights (K) and probs (K, D), got [1, 1] and [1, 2]" (fun () -> box (new BernoulliMixture(t64 [ 1L; 1L ] [ 1.0 ], t64 [ 1L; 2L ] [ 0.5; 0.5 ])))
    throws<ArgumentException> "probs must lie in [0, 1]" (fun () -> box (new BernoulliMixture(vec [ 1.0 ], t64 [ 1L; 2L ] [ 0.5; 1.5 ])))
    throws<ArgumentException> "probs must lie in [0, 1]" (fun () -> box (new BernoulliMixture(vec [ 1.0 ], t64 [ 1L; 2L ] [ -0.5; 0.5 ])))
    throws<ArgumentException> "data must be (N, 2) of 0/1, got [1, 3]" (fun () -> box (m.LogJoint(t64 [ 1L; 3L ] [ 1.0; 0.0; 1.0 ])))
    throws<ArgumentException> "data must be (N, 2)" (fun () -> box (m.LogJoint(vec [ 1.0; 0.0 ])))
    use eta = t64 [ 1L; 1L ] [ 1.0 ]
    throws<ArgumentOutOfRangeException> "smoothing parameters must be >= 0" (fun () -> box (BernoulliMixture.MStep(x, eta, -0.1, 0.0)))
    throws<ArgumentOutOfRangeException> "smoothing parameters must be >= 0" (fun () -> box (BernoulliMixture.MStep(x, eta, 0.0, -0.1)))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.BernoulliMixtureMutantTests" [
        Expecto.Tests.testCase "Bernoulli mixture: log-joint, per-image log-likelihood, E-step and Q equal the products written out" ``Bernoulli mixture: log-joint, per-image log-likelihood, E-step and Q equal the products written out``
        Expecto.Tests.testCase "Bernoulli mixture: float32 data gives a float32 log-joint, 0/1 integer data a float64 one, with the same values" ``Bernoulli mixture: float32 data gives a float32 log-joint, 0/1 integer data a float64 one, with the same values``
        Expecto.Tests.testCase "Bernoulli mixture: p = 0 or 1 where the data agree gives log P = log pi exactly; mismatched shapes, probabilities outside [0, 1] and negative smoothing are refused" ``Bernoulli mixture: p = 0 or 1 where the data agree gives log P = log pi exactly; mismatched shapes, probabilities outside [0, 1] and negative smoothing are refused``
    ]
