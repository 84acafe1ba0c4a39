/// StudentSolutionsTests.fs: the claims of the student solutions (seed 002): AR(p) MLE and likelihood, KL between AR models, MC moments, MDN parameter count.
module GenDsl.Tests.Seeds.StudentSolutionsTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Seeds.Common

// ---- P1: AR(p) maximum likelihood ----
// The seed's P1B stops at "(y_{t-j} = 0) or (sum_t residual_t = 0)", which is not the stationarity condition:
// the derivative in phi_j is -(1/sigma^2) sum_t y_{t-j} e_t, so the MLE solves the normal equations
// X^T (y - X phi) = 0, i.e. least squares, and sigma^2 = SSE/(T - p). These tests check that correct result.

let private truth = ArModel([| 0.5; -0.3 |], 0.49)

let ``Seed 002 P1: AR(p) MLE by the normal equations recovers phi and sigma^2 (within 4 asymptotic SE)`` () =
    use g = gen 31UL
    use x = truth.Simulate(20L, 500, g, [| 0.0; 0.0 |])               // (20, 500)
    let fit = ArModel.Fit(x, 2)
    // asymptotic Cov(phi^) = sigma^2 (X^T X)^{-1}; Var(sigma^2^) = 2 sigma^4 / n. Three checks at 4.5 SE: false failure < 3e-5.
    let struct (X, _) = ArModel.LagDesign(x, 2, 2)
    use Xf = X.Reshape(-1L, 2L)
    use cov = Linalg.Inv(Xf.T.MatMul(Xf)) * truth.Sigma2
    let se = arr (cov.Diagonal().Sqrt())
    for j in 0 .. 1 do near (4.5 * se.[j]) truth.Phi.[j] fit.Phi.[j] (sprintf "phi_%d" (j + 1))
    let n = float (Xf.Size(0))
    near (4.5 * truth.Sigma2 * sqrt (2.0 / n)) truth.Sigma2 fit.Sigma2 "sigma^2"

let ``Seed 002 P1: at the least-squares fit the log-likelihood gradient vanishes (sum_t y_{t-j} e_t = 0, not sum_t e_t = 0)`` () =
    use g = gen 32UL
    use x = truth.Simulate(1L, 400, g, [| 0.0; 0.0 |])
    let fit = ArModel.Fit(x, 2)
    let struct (X, Y) = ArModel.LagDesign(x, 2, 2)
    use phi = tensor (List.ofArray fit.Phi)
    use e = Y - X.MatMul(phi)                                           // (1, T-2)
    use normal = (X * e.Unsqueeze(2L)).Sum([| 0L; 1L |])               // sum_t y_{t-j} e_t, (2)
    allNear 1e-8 (Torch.Zeros([| 2L |], f64)) normal "normal equations"
    near 1e-12 fit.Sigma2 (d (e.Square().Mean())) "sigma^2 = mean squared residual"
    // autograd: dLL/dphi = 0 and dLL/dsigma^2 = 0 at the fit
    let ll (ps: Tensor[]) =
        let r = Y - X.MatMul(ps.[0])
        (r.Square().Sum() / (ps.[1] * -2.0)) - (ps.[1] * (2.0 * Math.PI)).Log() * (0.5 * float (r.NumEl))
    let ps = [| phi.Detach().RequiresGrad_(); (num fit.Sigma2).RequiresGrad_() |]
    let gr = Autograd.Grad([| ll ps |], ps)
    allNear 1e-6 (Torch.Zeros([| 2L |], f64)) gr.[0] "dLL/dphi"
    near 1e-6 0.0 (d gr.[1]) "dLL/dsigma^2"

// ---- P2A: the Gaussian autoregressive likelihood ----
// The seed's P2A writes grad_theta L = -(1/sigma^2) sum_k (x_k - f_theta(x_<k)), which misses the factor grad_theta f_theta:
// by the chain rule grad_theta L = (1/sigma^2) sum_k (x_k - f_theta(x_<k)) grad_theta f_theta(x_<k) (with L the
// log-likelihood, so also the sign). For the AR model f = sum_j phi_j x_{k-j}, grad_phi_j f = x_{k-j}. The tests below
// check the likelihood and that corrected gradient.

let ``Seed 002 P2A: the AR log-likelihood equals -T/2 log(2 pi sigma^2) - SSE/(2 sigma^2) and the chain rule sum of log N(x_t; f(x_<t), sigma^2)`` () =
    use g = gen 33UL
    use x = truth.Simulate(3L, 60, g, [| 0.2; -0.1 |])
    use ll = truth.LogLikelihood(x)
    use e = truth.Residuals(x)
    let T = float (e.Size(1))
    use closed = (e.Square().Sum(1L) / (-2.0 * truth.Sigma2)) - 0.5 * T * log (2.0 * Math.PI * truth.Sigma2)
    allNear 1e-9 closed ll "closed form"
    // chain rule: prod_t N(x_t; phi_1 x_{t-1} + phi_2 x_{t-2}, sigma^2)
    let xs = arr x
    for i in 0 .. 2 do
        let mutable s = 0.0
        for t in 2 .. 59 do
            let xt k = xs.[i * 60 + k]
            let m = 0.5 * xt (t - 1) - 0.3 * xt (t - 2)
            s <- s + d (Normal(m, 0.7).LogProb(num (xt t)))
        near 1e-9 s (arr ll).[i] (sprintf "chain rule, sequence %d" i)

let ``Seed 002 P2A: dL/dphi_j = (1/sigma^2) sum_t e_t x_{t-j} (with the grad f factor the seed omits), by finite differences`` () =
    use g = gen 38UL
    use x = truth.Simulate(1L, 200, g, [| 0.0; 0.0 |])
    let ll (phi: float[]) = d (ArModel(phi, truth.Sigma2).LogLikelihood(x).Sum())
    use e = truth.Residuals(x)                                          // (1, 198)
    let struct (X, _) = ArModel.LagDesign(x, 2, 2)                      // (1, 198, 2): x_{t-1}, x_{t-2}
    let es, xs = arr e, arr X
    let h = 1e-6
    for j in 0 .. 1 do
        let bump s = truth.Phi |> Array.mapi (fun i v -> if i = j then v + s else v)
        let fd = (ll (bump h) - ll (bump -h)) / (2.0 * h)
        let withFactor = (Seq.sum (seq { for t in 0 .. 197 -> es.[t] * xs.[t * 2 + j] })) / truth.Sigma2
        // the quadratic log-likelihood makes central differences exact up to rounding (~1e-16 * |L| / h ~ 1e-7)
        near 1e-5 withFactor fd (sprintf "dL/dphi_%d" (j + 1))
        let seeds = -(Array.sum es) / truth.Sigma2
        if abs (seeds - fd) < 1.0 then failwithf "the seed's formula %g should not match the gradient %g" seeds fd

// ---- P2C: KL between autoregressive models ----

/// The sd of one draw of log p(x) - log q(x), x ~ p (length 30), from an independent pilot of 40000 sequences with its
/// own generator, computed with plain doubles (relative error about 0.5%), not by the MonteCarlo code under test.
let private pilotSd (p: ArModel) (q: ArModel) (init: float[]) =
    use g = gen 99UL
    use x = p.Simulate(40000L, 30, g, init)
    use lr = p.LogLikelihood(x, 2) - q.LogLikelihood(x, 2)
    sampleSd (arr lr)

let ``Seed 002 P2C: KL between two Gaussian AR models = sum of expected per-step KLs; Monte Carlo converges to it`` () =
    let p = ArModel([| 0.6; -0.2 |], 1.0)
    let q = ArModel([| 0.3 |], 1.0)
    let init = [| 0.5; 1.0 |]
    let exact = ArModel.KlDivergence(p, q, 30, init)
    use g = gen 34UL
    // 4 SE: false failure ~6e-5
    covers 4.0 exact (pilotSd p q init) (ArModel.KlMonteCarlo(p, q, 30, init, 4000L, g)) "MC KL, equal variances"
    // the seed's formula with equal variances: E_p sum_t (f_theta - g_phi)^2 / (2 sigma^2)
    use x = p.Simulate(4000L, 30, g, init)
    let struct (X, _) = ArModel.LagDesign(x, 2, 2)
    use diff = X.MatMul(tensor [ 0.6 - 0.3; -0.2 ])                    // (f - g) per step, (4000, 28)
    use pilot = p.Simulate(40000L, 30, gen 98UL, init)
    let struct (Xp, _) = ArModel.LagDesign(pilot, 2, 2)
    let sdSeed = sampleSd (arr ((Xp.MatMul(tensor [ 0.6 - 0.3; -0.2 ]).Square() / 2.0).Sum(1L)))
    covers 4.0 exact sdSeed (MonteCarlo.Mean((diff.Square() / 2.0).Sum(1L))) "seed's E sum (f-g)^2 / (2 sigma^2)"
    // unequal variances too
    let q2 = ArModel([| 0.3 |], 1.7)
    covers 4.0 (ArModel.KlDivergence(p, q2, 30, init)) (pilotSd p q2 init) (ArModel.KlMonteCarlo(p, q2, 30, init, 4000L, g)) "MC KL, unequal variances"

let ``Seed 002 P2C lemma: KL(N(mu1, s^2) || N(mu2, s^2)) = (mu1 - mu2)^2 / (2 s^2) (vs quadrature)`` () =
    let a, b = Normal(0.4, 1.3), Normal(-1.1, 1.3)
    use kl = Kl.Divergence(a, b)
    near 1e-12 ((0.4 + 1.1) ** 2.0 / (2.0 * 1.3 * 1.3)) (d kl) "closed form"
    let quad = Quadrature.IntegrateScalar((fun x -> a.Prob(x) * (a.LogProb x - b.LogProb x)), -15.0, 15.0)
    near 1e-9 (d kl) quad "quadrature"

// ---- P2B, P2D, P2E: generation is sequential, forgets its start geometrically, and accumulates errors ----

let ``Seed 002 P2B-E: a generated AR(2) sequence depends on all its past draws: Var(x_k | start) = sigma^2 sum_{j<k} psi_j^2 grows from sigma^2 to gamma(0), the start's pull decays like psi_k`` () =
    use g = gen 39UL
    let n = 20000L
    use x = truth.Simulate(n, 12, g, [| 1.0; 1.0 |])                 // (n, 12): the start (1, 1), then steps k = 1..10
    // x_k = sum_{j<k} psi_j e_{k-j} + (the start's pull m_k): psi_0 = 1, psi_1 = phi_1, psi_j = phi_1 psi_{j-1} + phi_2 psi_{j-2};
    // m_k = phi_1 m_{k-1} + phi_2 m_{k-2}, m_0 = m_{-1} = 1. Each draw feeds every later one (no parallel sampling, P2B),
    // and one step's error is carried on with weights psi (accumulation, P2E).
    let psi = Array.zeroCreate 11
    let m = Array.zeroCreate 12
    psi.[0] <- 1.0; psi.[1] <- 0.5; m.[0] <- 1.0; m.[1] <- 1.0
    for j in 2 .. 10 do psi.[j] <- 0.5 * psi.[j - 1] - 0.3 * psi.[j - 2]
    for k in 2 .. 11 do m.[k] <- 0.5 * m.[k - 1] - 0.3 * m.[k - 2]
    let gamma0 = truth.Sigma2 * 1.3 / (0.7 * (1.3 * 1.3 - 0.25))       // sigma^2 (1 - phi2) / ((1 + phi2)((1 - phi2)^2 - phi1^2)) = 0.632
    // 4.5 SE on 6 checks: false failure < 4e-5 (sample variance SE v sqrt(2/(n-1)) for normal x_k)
    for k in [ 1; 2; 10 ] do
        let v = truth.Sigma2 * (Seq.sum (seq { for j in 0 .. k - 1 -> psi.[j] * psi.[j] }))
        use xk = x.Select(1L, int64 (k + 1))
        near (4.5 * v * sqrt (2.0 / float (n - 1L))) v (d (xk.Var())) (sprintf "Var(x_%d | start)" k)
        covers 4.5 m.[k + 1] (sqrt v) (MonteCarlo.Mean xk) (sprintf "E(x_%d | start)" k)
    // after 10 steps the forecast variance is the stationary gamma(0): 0.49 -> 0.632, and the start's pull |m_11| < 0.01
    near 2e-3 gamma0 (truth.Sigma2 * (Seq.sum (seq { for j in 0 .. 9 -> psi.[j] * psi.[j] }))) "10-step variance = gamma(0)"
    Assert.True(abs m.[11] < 0.01, sprintf "start's pull after 10 steps: %g" m.[11])

// ---- P3: the mixture-density output layer ----

let ``Seed 002 P3: the mixture-density AR output layer has 3C(D+1) parameters and a normalised density`` () =
    use g = gen 35UL
    for (dd, c) in [ (1, 1); (8, 3); (16, 5); (64, 10) ] do
        let head = MixtureDensityHead(dd, c, g)
        Assert.Equal(int64 (3 * c * (dd + 1)), head.NumParameters)
    let head = MixtureDensityHead(4, 3, g)
    use h = randn g [ 2L; 4L ]
    let struct (logPi, _, _) = head.Forward(h)
    allNear 1e-12 (Torch.Ones([| 2L |], f64)) (logPi.Exp().Sum(1L)) "sum of pi"
    for i in 0L .. 1L do
        use hi = h.Select(0L, i).Unsqueeze(0L)
        let struct (_, mu, sigma) = head.Forward(hi)
        // integrate over mu +- 15 sigma_max with at least 20 points per sigma_min
        let lo, hiB = d ((mu - sigma * 15.0).Min()), d ((mu + sigma * 15.0).Max())
        let n = max 2001L (int64 ((hiB - lo) / (d (sigma.Min()) / 20.0)) / 2L * 2L + 1L)
        let z = Quadrature.IntegrateScalar((fun x -> head.LogProb(hi.Expand(x.Size(0), 4L), x).Exp()), lo, hiB, n)
        near 1e-6 1.0 z (sprintf "integral of p(x | h_%d)" i)

// ---- P4: Monte Carlo moments ----

/// x ~ N(0, 2) (variance 2): f(x) = x^2 + x + 1.
let private f (x: Tensor) = x.Square() + x + 1.0
let private n02 = Normal(0.0, sqrt 2.0)

let ``Seed 002 P4A: E[x^2 + x + 1] = 3 for x ~ N(0, 2) (quadrature and Monte Carlo within 4 SE)`` () =
    near 1e-10 3.0 (Quadrature.IntegrateScalar((fun x -> n02.Prob(x) * f x), -30.0, 30.0)) "quadrature"
    use g = gen 36UL
    use x = n02.Sample(20000L, g)
    // Var f = 2 sigma^4 + sigma^2 = 10 (checked by quadrature in P4B): sd sqrt 10
    covers 4.0 3.0 (sqrt 10.0) (MonteCarlo.Mean(f x)) "Monte Carlo"

let ``Seed 002 P4B: the Monte Carlo variance estimator mean f^2 - (mean f)^2 converges to Var f = 2 sigma^4 + sigma^2 = 10`` () =
    let var = Quadrature.IntegrateScalar((fun x -> n02.Prob(x) * (f x - 3.0).Square()), -30.0, 30.0)
    near 1e-9 10.0 var "Var f by quadrature"
    // SE of the plug-in variance: sqrt((mu4 - var^2) / M), mu4 = E(f - 3)^4 by quadrature; 4 SE: false failure ~6e-5
    let mu4 = Quadrature.IntegrateScalar((fun x -> n02.Prob(x) * (f x - 3.0).Pow(4.0)), -40.0, 40.0, 8001L)
    use g = gen 37UL
    let m = 50000L
    use x = n02.Sample(m, g)
    use fx = f x
    let plug = MonteCarlo.PlugInVariance(fx)
    near (4.0 * sqrt ((mu4 - var * var) / float m)) var plug "plug-in variance"
    // it is the biased (1/M) form: (M-1)/M times the Bessel-corrected sample variance
    near 1e-9 (d (fx.Var()) * float (m - 1L) / float m) plug "plug-in = (M-1)/M * unbiased"

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Seeds.StudentSolutionsTests" [
        Expecto.Tests.testCase "Seed 002 P1: AR(p) MLE by the normal equations recovers phi and sigma^2 (within 4 asymptotic SE)" ``Seed 002 P1: AR(p) MLE by the normal equations recovers phi and sigma^2 (within 4 asymptotic SE)``
        Expecto.Tests.testCase "Seed 002 P1: at the least-squares fit the log-likelihood gradient vanishes (sum_t y_{t-j} e_t = 0, not sum_t e_t = 0)" ``Seed 002 P1: at the least-squares fit the log-likelihood gradient vanishes (sum_t y_{t-j} e_t = 0, not sum_t e_t = 0)``
        Expecto.Tests.testCase "Seed 002 P2A: the AR log-likelihood equals -T/2 log(2 pi sigma^2) - SSE/(2 sigma^2) and the chain rule sum of log N(x_t; f(x_<t), sigma^2)" ``Seed 002 P2A: the AR log-likelihood equals -T/2 log(2 pi sigma^2) - SSE/(2 sigma^2) and the chain rule sum of log N(x_t; f(x_<t), sigma^2)``
        Expecto.Tests.testCase "Seed 002 P2A: dL/dphi_j = (1/sigma^2) sum_t e_t x_{t-j} (with the grad f factor the seed omits), by finite differences" ``Seed 002 P2A: dL/dphi_j = (1/sigma^2) sum_t e_t x_{t-j} (with the grad f factor the seed omits), by finite differences``
        Expecto.Tests.testCase "Seed 002 P2C: KL between two Gaussian AR models = sum of expected per-step KLs; Monte Carlo converges to it" ``Seed 002 P2C: KL between two Gaussian AR models = sum of expected per-step KLs; Monte Carlo converges to it``
        Expecto.Tests.testCase "Seed 002 P2C lemma: KL(N(mu1, s^2) || N(mu2, s^2)) = (mu1 - mu2)^2 / (2 s^2) (vs quadrature)" ``Seed 002 P2C lemma: KL(N(mu1, s^2) || N(mu2, s^2)) = (mu1 - mu2)^2 / (2 s^2) (vs quadrature)``
        Expecto.Tests.testCase "Seed 002 P2B-E: a generated AR(2) sequence depends on all its past draws: Var(x_k | start) = sigma^2 sum_{j<k} psi_j^2 grows from sigma^2 to gamma(0), the start's pull decays like psi_k" ``Seed 002 P2B-E: a generated AR(2) sequence depends on all its past draws: Var(x_k | start) = sigma^2 sum_{j<k} psi_j^2 grows from sigma^2 to gamma(0), the start's pull decays like psi_k``
        Expecto.Tests.testCase "Seed 002 P3: the mixture-density AR output layer has 3C(D+1) parameters and a normalised density" ``Seed 002 P3: the mixture-density AR output layer has 3C(D+1) parameters and a normalised density``
        Expecto.Tests.testCase "Seed 002 P4A: E[x^2 + x + 1] = 3 for x ~ N(0, 2) (quadrature and Monte Carlo within 4 SE)" ``Seed 002 P4A: E[x^2 + x + 1] = 3 for x ~ N(0, 2) (quadrature and Monte Carlo within 4 SE)``
        Expecto.Tests.testCase "Seed 002 P4B: the Monte Carlo variance estimator mean f^2 - (mean f)^2 converges to Var f = 2 sigma^4 + sigma^2 = 10" ``Seed 002 P4B: the Monte Carlo variance estimator mean f^2 - (mean f)^2 converges to Var f = 2 sigma^4 + sigma^2 = 10``
    ]
