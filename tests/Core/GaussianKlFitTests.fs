/// GaussianKlFitTests.fs: the KL fit of a Gaussian (run by the Trainer) — forward KL matches moments, reverse KL sits on a mode.
module GenDsl.Tests.Core.GaussianKlFitTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Inference
open GenDsl.Tests.Support

/// log p for p = w N(-m, s^2) + (1 - w) N(m, s^2), on a grid.
let private logMixture (w: float) (m: float) (s: float) =
    Func<Tensor, Tensor>(fun x ->
        let z1 = ((x + m) / s).Square() * -0.5
        let z2 = ((x - m) / s).Square() * -0.5
        (z1.Exp() * w + z2.Exp() * (1.0 - w)).Log() - Math.Log(s * Math.Sqrt(2.0 * Math.PI)))

let ``ECE8803 P1b: gradient descent on forward KL(p||q) reaches p's mean 0.8 and standard deviation sqrt 4.36`` () =
    // p = 0.3 N(-2, 1) + 0.7 N(2, 1): mean 0.3 (-2) + 0.7 (2) = 0.8, variance 1 + 4 - 0.8^2 = 4.36.
    let r = GaussianKlFit.Fit(KlDirection.Forward, logMixture 0.3 2.0 1.0, 1.5, 1.0, 0.5, 300, -15.0, 15.0)
    // mu contracts by 1 - lr / sigma^2 ~ 0.89 per step, so 300 steps leave ~1e-15; Simpson's error on 3001 points is far below 1e-9.
    closeScalar 1e-8 0.8 r.Mu
    closeScalar 1e-8 (sqrt 4.36) r.Sigma
    Assert.Equal(301, r.Curve.Length)
    for k in 1 .. 300 do Assert.True(r.Curve.[k] <= r.Curve.[k - 1] + 1e-15, $"KL rose at step {k}")

let ``ECE8803 P1b: gradient descent on reverse KL(q||p) from mu = 1 settles on the mode at 3 with KL near log 2`` () =
    // p = 0.5 N(-3, 0.5^2) + 0.5 N(3, 0.5^2): q = N(3, 0.5^2) has KL(q||p) = log 2 up to the other mode's overlap (~e^-72).
    let r = GaussianKlFit.Fit(KlDirection.Reverse, logMixture 0.5 3.0 0.5, 1.0, 1.0, 0.02, 1500, -10.0, 10.0)
    closeScalar 1e-6 3.0 r.Mu
    closeScalar 1e-6 0.5 r.Sigma
    closeScalar 1e-6 (log 2.0) r.Curve.[r.Curve.Length - 1]
    Assert.Equal(1501, r.Curve.Length)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GaussianKlFitTests" [
        Expecto.Tests.testCase "ECE8803 P1b: gradient descent on forward KL(p||q) reaches p's mean 0.8 and standard deviation sqrt 4.36" ``ECE8803 P1b: gradient descent on forward KL(p||q) reaches p's mean 0.8 and standard deviation sqrt 4.36``
        Expecto.Tests.testCase "ECE8803 P1b: gradient descent on reverse KL(q||p) from mu = 1 settles on the mode at 3 with KL near log 2" ``ECE8803 P1b: gradient descent on reverse KL(q||p) from mu = 1 settles on the mode at 3 with KL near log 2``
    ]
