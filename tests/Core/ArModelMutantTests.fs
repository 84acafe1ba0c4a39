/// ArModelMutantTests.fs: AR(p) models (seed 002 P1-P2, CSE 599i P5-P6) with a non-zero mean — simulation against its noise, the likelihood and KL by hand, the argument checks.
module GenDsl.Tests.Core.ArModelMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let ``AR(2) with mean 5: the residuals of a simulated path are the noise that drove it (sigma times the same seed's randn)`` () =
    let m = ArModel([| 0.5; -0.3 |], 0.25, 5.0)
    use g1 = new Generator(12UL)
    use g2 = new Generator(12UL)
    use x = m.Simulate(3L, 8, g1, [| 4.0; 6.5 |])                          // (3, 8), starting at 4, 6.5
    Assert.Equal<int64 list>([ 3L; 8L ], shape x)
    close 0.0 [ 4.0; 4.0; 4.0 ] (x.Select(1L, 0L))
    close 0.0 [ 6.5; 6.5; 6.5 ] (x.Select(1L, 1L))
    use eps = Torch.Randn([| 3L; 8L |], g2, ScalarType.Float64)
    close 1e-13 (vals (eps.Narrow(1L, 2L, 6L) * 0.5)) (m.Residuals(x))
    // the default start is the mean, p values of it
    use g3 = new Generator(1UL)
    use x0 = m.Simulate(2L, 4, g3)
    close 0.0 [ 5.0; 5.0; 5.0; 5.0 ] (x0.Narrow(1L, 0L, 2L))

let ``AR(1) with mean 1: the conditional log-likelihood of (1, 3, 2) is -log(2 pi 2) - SSE/4 with residuals (2, 0)`` () =
    let m = ArModel([| 0.5 |], 2.0, 1.0)
    // e_1 = (3 - 1) - 0.5 (1 - 1) = 2, e_2 = (2 - 1) - 0.5 (3 - 1) = 0; two terms of -1/2 log(2 pi sigma^2)
    close 1e-14 [ -(log (4.0 * Math.PI)) - 1.0 ] (m.LogLikelihood(vec [ 1.0; 3.0; 2.0 ]))
    // conditioning on 2 values leaves e_2 alone
    close 1e-14 [ -0.5 * log (4.0 * Math.PI) ] (m.LogLikelihood(vec [ 1.0; 3.0; 2.0 ], 2))

let ``AR KL by the chain rule: a constant mean shift costs (T - c) delta^2 / (2 sigma^2); dropping phi costs E[(phi x)^2] / 2 per step`` () =
    // equal phi, means 1 and 0: m_p,t - m_q,t = mu_p (1 - phi) = 0.5 at every step, so KL = 2 x 0.5^2 / 2 over t = 1, 2
    closeScalar 1e-14 0.25 (ArModel.KlDivergence(ArModel([| 0.5 |], 1.0, 1.0), ArModel([| 0.5 |], 1.0, 0.0), 3, [| 1.0 |]))
    // p: x_t = 0.5 x_{t-1} + eps, q: x_t = eps, from x_0 = 2: step 1 E[(0.5 x_0)^2] / 2 = 0.5; x_1 ~ N(1, 1), step 2
    // E[(0.5 x_1)^2] / 2 = 0.25 (1 + 1) / 2 = 0.25; total 0.75
    closeScalar 1e-14 0.75 (ArModel.KlDivergence(ArModel([| 0.5 |], 1.0), ArModel([| 0.0 |], 1.0), 3, [| 2.0 |]))
    // unequal noise only: per step log(sq/sp) + sp^2 / (2 sq^2) - 1/2 = 0.5 log 2 + 1/4 - 1/2
    closeScalar 1e-14 (2.0 * (0.5 * log 2.0 - 0.25)) (ArModel.KlDivergence(ArModel([| 0.5 |], 1.0), ArModel([| 0.5 |], 2.0), 3, [| 2.0 |]))
    // both shifted means and unequal phi (p: x_t = 1 + 0.5 (x_{t-1} - 1) + eps, q: x_t = eps, x_0 = 2): m_p - m_q =
    // 0.5 + 0.5 x_{t-1}; step 1: 1.5^2 / 2 = 1.125; x_1 ~ N(1.5, 1), step 2: ((0.5 + 0.75)^2 + 0.25) / 2 = 0.90625
    closeScalar 1e-14 2.03125 (ArModel.KlDivergence(ArModel([| 0.5 |], 1.0, 1.0), ArModel([| 0.0 |], 1.0), 3, [| 2.0 |]))
    // AR(2), equal phi (sum 0.7), means 2 and 1: the shift (2 - 1)(1 - 0.7) = 0.3 at each of T - P = 3 steps
    closeScalar 1e-14 (3.0 * 0.09 / 2.0) (ArModel.KlDivergence(ArModel([| 0.5; 0.2 |], 1.0, 2.0), ArModel([| 0.5; 0.2 |], 1.0, 1.0), 5, [| 2.0; 2.0 |]))
    // variances 0.5 and 2: per step log(sq/sp) + sp^2 / (2 sq^2) - 1/2 = 0.5 log 4 + 0.5 / 4 - 0.5
    closeScalar 1e-14 (2.0 * (0.5 * log 4.0 + 0.125 - 0.5)) (ArModel.KlDivergence(ArModel([| 0.5 |], 0.5), ArModel([| 0.5 |], 2.0), 3, [| 2.0 |]))
    throws<ArgumentException> "give exactly 2 initial values (the larger order)" (fun () -> box (ArModel.KlDivergence(ArModel([| 0.5; 0.1 |], 1.0), ArModel([| 0.5 |], 1.0), 3, [| 2.0 |])))

let ``AR models refuse no coefficients, a non-positive noise variance, short starts and lengths, bad lag designs and p < 1; AR(1) needs |rho| < 1`` () =
    throws<ArgumentException> "give at least one coefficient (p >= 1)" (fun () -> box (ArModel([||], 1.0)))
    throws<ArgumentOutOfRangeException> "noise variance must be > 0, got 0" (fun () -> box (ArModel([| 0.5 |], 0.0)))
    let m = ArModel([| 0.5; 0.1 |], 1.0)
    throws<ArgumentException> "need at least p = 2 initial values, got 1" (fun () -> box (m.Simulate(1L, 5, null, [| 0.0 |])))
    throws<ArgumentException> "length 2 must exceed the 2 initial values" (fun () -> box (m.Simulate(1L, 2)))
    Assert.Equal<int64 list>([ 1L; 3L ], shape (m.Simulate(1L, 3)))
    throws<ArgumentException> "need p <= conditionOn < T, got p = 2, conditionOn = 1, T = 5" (fun () -> box (ArModel.LagDesign(Torch.Zeros([| 5L |], ScalarType.Float64), 2, 1)))
    throws<ArgumentException> "conditionOn = 5, T = 5" (fun () -> box (ArModel.LagDesign(Torch.Zeros([| 5L |], ScalarType.Float64), 2, 5)))
    throws<ArgumentOutOfRangeException> "order p must be >= 1" (fun () -> box (ArModel.Fit(Torch.Zeros([| 5L |], ScalarType.Float64), 0)))
    // p = 1 is allowed: on x = (1, 2, 0, 1), phi = sum x_t x_{t-1} / sum x_{t-1}^2 = 2 / 5, residuals (1.6, -0.8, 1)
    let fit = ArModel.Fit(vec [ 1.0; 2.0; 0.0; 1.0 ], 1)
    closeScalar 1e-14 0.4 fit.Phi.[0]
    closeScalar 1e-14 ((2.56 + 0.64 + 1.0) / 3.0) fit.Sigma2
    throws<ArgumentOutOfRangeException> "|rho| must be < 1 for a stationary AR(1), got 1" (fun () -> box (Ar1.Simulate(0.0, 1.0, 1.0, 1L, 3)))
    throws<ArgumentOutOfRangeException> "got -1" (fun () -> box (Ar1.Simulate(0.0, -1.0, 1.0, 1L, 3)))
    closeScalar 1e-15 (4.0 + 9.0 / 10.0) (RandomLevelProcess.SampleMeanVariance(2.0, 3.0, 10))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ArModelMutantTests" [
        Expecto.Tests.testCase "AR(2) with mean 5: the residuals of a simulated path are the noise that drove it (sigma times the same seed's randn)" ``AR(2) with mean 5: the residuals of a simulated path are the noise that drove it (sigma times the same seed's randn)``
        Expecto.Tests.testCase "AR(1) with mean 1: the conditional log-likelihood of (1, 3, 2) is -log(2 pi 2) - SSE/4 with residuals (2, 0)" ``AR(1) with mean 1: the conditional log-likelihood of (1, 3, 2) is -log(2 pi 2) - SSE/4 with residuals (2, 0)``
        Expecto.Tests.testCase "AR KL by the chain rule: a constant mean shift costs (T - c) delta^2 / (2 sigma^2); dropping phi costs E[(phi x)^2] / 2 per step" ``AR KL by the chain rule: a constant mean shift costs (T - c) delta^2 / (2 sigma^2); dropping phi costs E[(phi x)^2] / 2 per step``
        Expecto.Tests.testCase "AR models refuse no coefficients, a non-positive noise variance, short starts and lengths, bad lag designs and p < 1; AR(1) needs |rho| < 1" ``AR models refuse no coefficients, a non-positive noise variance, short starts and lengths, bad lag designs and p < 1; AR(1) needs |rho| < 1``
    ]
