/// Cse599iHw1Tests.fs: the analytic claims of CSE 599i HW1 (seed 000) P1-P6 as executable checks.
module GenDsl.Tests.Seeds.Cse599iHw1Tests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Seeds.Common

// ---- P1: location-scale ----

let ``CSE599i P1: density of mu + sigma z by change of variables is N(mu, sigma^2)`` () =
    let mu, sigma = 1.5, 0.7
    let flow = AffineFlow(tensor [ mu ], tensor [ sigma ])
    use x = Torch.Linspace(-4.0, 6.0, 201L, f64).Unsqueeze(1L)   // (201, 1)
    use viaFlow = Flow.LogProb(flow, (fun z -> Flow.StandardNormalLogProb z), x)
    use closed = Normal(mu, sigma).LogProb(x.Squeeze(1L))
    allNear 1e-12 closed viaFlow "log density"
    // |dg/dz| = sigma, found by autograd
    use j = Autograd.Jacobian((fun z -> flow.Forward(z.Unsqueeze(0L))), tensor [ 0.3 ])
    near 1e-14 sigma (d j) "Jacobian"

let ``CSE599i P1: samples of mu + sigma z follow N(mu, sigma^2) (KS test, mean and variance within 4 SE)`` () =
    let mu, sigma, n = -2.0, 3.0, 20000L
    use g = gen 11UL
    use x = Normal(mu, sigma).Sample(n, g)                       // mu + sigma * randn
    assertKs x (fun t -> Normal(mu, sigma).Cdf(t)) "KS vs N(mu, sigma^2)"
    covers 4.0 mu sigma (MonteCarlo.Mean x) "mean"
    // the sample variance has SE sigma^2 sqrt(2/(n-1)) for normal data; 4 SE: false failure ~6e-5
    near (4.0 * sigma * sigma * sqrt (2.0 / float (n - 1L))) (sigma * sigma) (d (x.Var())) "variance"

// ---- P2: Gumbel-argmax ----

let ``CSE599i P2: -log log(1/u) is Gumbel(0,1) (KS test)`` () =
    use g = gen 12UL
    use s = Gumbel.StandardNoise([| 20000L |], g)
    assertKs s (fun t -> (t.Neg().Exp().Neg()).Exp()) "KS vs exp(-exp(-x))"

let ``CSE599i P2: Gumbel-argmax samples follow p (chi-square goodness of fit)`` () =
    let p = [| 0.05; 0.15; 0.3; 0.1; 0.4 |]
    let n = 20000L
    use g = gen 13UL
    let cat = Categorical.FromProbs(p)
    use x = cat.SampleGumbelArgmax(n, g)
    let xs = x.ToArray<int64>()
    let counts = Array.init p.Length (fun k -> xs |> Array.filter (fun v -> v = int64 k) |> Array.length |> float)
    let stat = chiSquare counts (p |> Array.map (fun pk -> pk * float n))
    // chi-square with 4 degrees of freedom: P(X > 18.47) = 0.001
    if stat > 18.47 then failwithf "chi-square %.2f > 18.47 (0.1%% level); counts %A" stat counts

// ---- P3: discrete MLE ----

let ``CSE599i P3: the maximiser of E_p log pi_x over the simplex is p (gradient ascent on softmax logits)`` () =
    use p = tensor [ 0.1; 0.2; 0.45; 0.25 ]
    let objective (ps: Tensor[]) = (p * ps.[0].LogSoftmax(0L)).Sum()
    let fitted = ascend 2.0 2000 objective [| Torch.Zeros([| 4L |], f64) |]
    use pi = fitted.[0].Softmax(0L)
    allNear 1e-6 p pi "pi*"

let ``CSE599i P3: E_p log pi <= E_p log p for every pi in the simplex (information inequality)`` () =
    use p = tensor [ 0.1; 0.2; 0.45; 0.25 ]
    use best = (p * p.Log()).Sum()
    use g = gen 14UL
    for _ in 1 .. 200 do
        use pi = (randn g [ 4L ] * 2.0).Softmax(0L)
        use v = (p * pi.Log()).Sum()
        if d v > d best + 1e-12 then failwithf "E_p log pi = %g exceeds E_p log p = %g" (d v) (d best)

// ---- P4: the M-step of EM for GMMs ----

/// The sample ELBO of a K-Gaussian mixture with identity covariances: (1/n) sum_i sum_k q_ik [log pi_k + log N(x_i; mu_k, I) - log q_ik].
let private sampleElbo (x: Tensor) (q: Tensor) (logits: Tensor) (mu: Tensor) =
    let diff = x.Unsqueeze(1L) - mu.Unsqueeze(0L)                       // (n, K, D)
    let logN = (diff.Square().Sum(-1L) * -0.5) - float (x.Size(1)) * Normal.HalfLog2Pi // (n, K)
    (q * (logN + logits.LogSoftmax(0L).Unsqueeze(0L) - q.Log())).Sum(-1L).Mean()

let ``CSE599i P4: GaussianMixtureFit.MStep returns pi' = mean q and mu' = sum q x / (n pi'), the maximiser of the sample ELBO (vs gradient ascent)`` () =
    use g = gen 15UL
    let truth = NormalMixture(tensor [ 0.3; 0.3; 0.4 ], tensor2 3L 2L [ -2.; 0.; 1.; 3.; 2.; -2. ], tensor [ 1.; 1.; 1. ])
    use x = truth.Sample(300L, g)                                        // (300, 2)
    // any q(z|x): here the posterior under a deliberately wrong model
    let wrong = NormalMixture(tensor [ 0.2; 0.5; 0.3 ], tensor2 3L 2L [ 0.; 0.; 1.; 1.; -1.; 2. ], tensor [ 1.; 1.; 1. ])
    use q = wrong.Posterior(x)                                           // (300, 3)
    use m = GaussianMixtureFit.MStep(x, q)
    // the closed form written out with plain loops over the 300 points
    let qa, xa = arr q, arr x
    for k in 0 .. 2 do
        let nk = Seq.sum (seq { for i in 0 .. 299 -> qa.[i * 3 + k] })
        near 1e-12 (nk / 300.0) (arr m.Weights).[k] (sprintf "pi'_%d = mean q" k)
        for dd in 0 .. 1 do
            let sx = Seq.sum (seq { for i in 0 .. 299 -> qa.[i * 3 + k] * xa.[i * 2 + dd] })
            near 1e-12 (sx / nk) (arr m.Means).[k * 2 + dd] (sprintf "mu'_%d[%d] = sum q x / (n pi')" k dd)
    // the maximiser of the sample ELBO found by gradient ascent (concave; 1500 steps at lr 1 converge to ~1e-9)
    let fitted = ascend 1.0 1500 (fun ps -> sampleElbo x q ps.[0] ps.[1]) [| Torch.Zeros([| 3L |], f64); Torch.Zeros([| 3L; 2L |], f64) |]
    use piGa = fitted.[0].Softmax(0L)
    allNear 1e-6 m.Weights piGa "pi' vs gradient ascent"
    allNear 1e-6 m.Means fitted.[1] "mu' vs gradient ascent"
    use atClosed = sampleElbo x q (m.Weights.Log()) m.Means
    use atGa = sampleElbo x q fitted.[0] fitted.[1]
    if d atGa > d atClosed + 1e-10 then failwithf "gradient ascent found a higher ELBO %g > %g" (d atGa) (d atClosed)

// ---- P5: AR(1) moments ----

let ``CSE599i P5: AR(1) has E x_t = mu, Var x_t = sigma^2/(1-rho^2), gamma(k) = rho^k sigma^2/(1-rho^2)`` () =
    let mu, rho, sigma, n = 2.0, 0.7, 0.5, 20000L
    use g = gen 16UL
    use x = Ar1.Simulate(mu, rho, sigma, n, 20, g)                      // (n, 20)
    let v = Ar1.Variance(rho, sigma)
    // Six checks at 4.5 SE each: overall false-failure probability < 6 * 7e-6 = 4e-5.
    for t in [ 0L; 9L; 19L ] do
        use xt = x.Select(1L, t)
        covers 4.5 mu (sqrt v) (MonteCarlo.Mean xt) (sprintf "E x_%d" (t + 1L))
        near (4.5 * v * sqrt (2.0 / float (n - 1L))) v (d (xt.Var())) (sprintf "Var x_%d" (t + 1L))
    use x0 = x.Select(1L, 5L) - mu
    for k in [ 1; 2; 3 ] do
        use xk = x.Select(1L, 5L + int64 k) - mu
        // products of jointly normal zero-mean pairs: Var(XY) = v^2 + gamma^2, so the mean of XY has SE sqrt((v^2+gamma^2)/n)
        let e = MonteCarlo.Mean(x0 * xk)
        let gk = Math.Pow(rho, float k) * v
        covers 4.5 (Ar1.AutoCovariance(rho, sigma, k)) (sqrt (v * v + gk * gk)) e (sprintf "gamma(%d)" k)
        near 1e-12 (Math.Pow(rho, float k) * sigma * sigma / (1.0 - rho * rho)) (Ar1.AutoCovariance(rho, sigma, k)) "closed form"

// ---- P6: an inconsistent sample mean ----

let ``CSE599i P6: with a shared random level the sample mean's variance tends to tau^2, not 0 (inconsistent)`` () =
    let mu, tau, sigma, n = 1.0, 0.8, 1.0, 4000L
    use g = gen 17UL
    for T in [ 10; 100; 1000 ] do
        use x = RandomLevelProcess.Simulate(mu, tau, sigma, n, T, g)
        use means = x.Mean(1L)
        let expected = RandomLevelProcess.SampleMeanVariance(tau, sigma, T)
        // sample variance of n normal means: SE expected * sqrt(2/(n-1)); 4 SE, three checks: false failure < 2e-4
        near (4.0 * expected * sqrt (2.0 / float (n - 1L))) expected (d (means.Var())) (sprintf "Var(sample mean), T = %d" T)
        covers 4.0 mu (sqrt expected) (MonteCarlo.Mean means) (sprintf "E(sample mean), T = %d" T)
    // the variance does not vanish: at T = 1000 it is still above tau^2 = 0.64, whereas an i.i.d. process gives 0.001
    Assert.True(RandomLevelProcess.SampleMeanVariance(tau, sigma, 1000000) > tau * tau)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Seeds.Cse599iHw1Tests" [
        Expecto.Tests.testCase "CSE599i P1: density of mu + sigma z by change of variables is N(mu, sigma^2)" ``CSE599i P1: density of mu + sigma z by change of variables is N(mu, sigma^2)``
        Expecto.Tests.testCase "CSE599i P1: samples of mu + sigma z follow N(mu, sigma^2) (KS test, mean and variance within 4 SE)" ``CSE599i P1: samples of mu + sigma z follow N(mu, sigma^2) (KS test, mean and variance within 4 SE)``
        Expecto.Tests.testCase "CSE599i P2: -log log(1/u) is Gumbel(0,1) (KS test)" ``CSE599i P2: -log log(1/u) is Gumbel(0,1) (KS test)``
        Expecto.Tests.testCase "CSE599i P2: Gumbel-argmax samples follow p (chi-square goodness of fit)" ``CSE599i P2: Gumbel-argmax samples follow p (chi-square goodness of fit)``
        Expecto.Tests.testCase "CSE599i P3: the maximiser of E_p log pi_x over the simplex is p (gradient ascent on softmax logits)" ``CSE599i P3: the maximiser of E_p log pi_x over the simplex is p (gradient ascent on softmax logits)``
        Expecto.Tests.testCase "CSE599i P3: E_p log pi <= E_p log p for every pi in the simplex (information inequality)" ``CSE599i P3: E_p log pi <= E_p log p for every pi in the simplex (information inequality)``
        Expecto.Tests.testCase "CSE599i P4: GaussianMixtureFit.MStep returns pi' = mean q and mu' = sum q x / (n pi'), the maximiser of the sample ELBO (vs gradient ascent)" ``CSE599i P4: GaussianMixtureFit.MStep returns pi' = mean q and mu' = sum q x / (n pi'), the maximiser of the sample ELBO (vs gradient ascent)``
        Expecto.Tests.testCase "CSE599i P5: AR(1) has E x_t = mu, Var x_t = sigma^2/(1-rho^2), gamma(k) = rho^k sigma^2/(1-rho^2)" ``CSE599i P5: AR(1) has E x_t = mu, Var x_t = sigma^2/(1-rho^2), gamma(k) = rho^k sigma^2/(1-rho^2)``
        Expecto.Tests.testCase "CSE599i P6: with a shared random level the sample mean's variance tends to tau^2, not 0 (inconsistent)" ``CSE599i P6: with a shared random level the sample mean's variance tends to tau^2, not 0 (inconsistent)``
    ]
