/// DsGa1008FinalTests.fs: the analytic claims of DS-GA 1008 final HW (seed 001): ring GMM density, EBM gradient, importance sampling, VI bounds.
module GenDsl.Tests.Seeds.DsGa1008FinalTests

open System
open Xunit
open FsCheck
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Tests.Seeds.Common

// ---- 1.1: the ring GMM density ----

let ``DS-GA 1008 1.1: the ring GMM density (1/K) sum_k N(x; R(cos 2pi k/K, sin 2pi k/K), I) integrates to 1 (R = 10 and R = 1)`` () =
    for r in [ 10.0; 1.0 ] do
        let ring = NormalMixture.Ring(10, r)
        use logZ = Quadrature.LogIntegrate2d((fun x -> ring.LogProb(x)), -r - 9.0, r + 9.0, 500L)
        near 1e-6 0.0 (d logZ) (sprintf "log integral, R = %g" r)
    // the written-out density at a point
    let ring = NormalMixture.Ring(10, 10.0)
    let x, y = 9.0, 1.0
    let p = [ 1 .. 10 ] |> List.sumBy (fun k ->
                let a = 2.0 * Math.PI * float k / 10.0
                exp (-0.5 * ((x - 10.0 * cos a) ** 2.0 + (y - 10.0 * sin a) ** 2.0)) / (2.0 * Math.PI)) |> fun s -> s / 10.0
    use lp = ring.LogProb(tensor2 1L 2L [ x; y ])
    near 1e-12 (log p) (d lp) "log p(9, 1)"

// ---- 1.4: the EBM log-likelihood gradient ----

/// E_theta(x) = w2 . tanh(W1 x + b1) - |x|^2 / 8 (a shallow net plus a fixed confining term), x (N, 2) -> (N).
let private energy (w1: Tensor) (b1: Tensor) (w2: Tensor) (x: Tensor) =
    (Functional.Linear(x, w1, b1).Tanh().MatMul(w2)) - x.Square().Sum(1L) / 8.0

let private box = 14.0
let private gridN = 240L
let private logPartition w1 b1 w2 = Quadrature.LogIntegrate2d((fun x -> energy w1 b1 w2 x), -box, box, gridN)

let ``DS-GA 1008 1.4: grad L = mean grad E(x_i) - E_p_theta grad E (finite differences of L with A by quadrature)`` () =
    use g = gen 21UL
    use w1 = randn g [ 6L; 2L ]
    use b1 = randn g [ 6L ]
    use w2 = randn g [ 6L ]
    use data = NormalMixture.Ring(10, 3.0).Sample(200L, g)
    let loss (w1: Tensor) b1 w2 = (energy w1 b1 w2 data).Mean() - logPartition w1 b1 w2
    // right-hand side: mean of per-point gradients minus their p_theta-weighted average over the grid
    let ps = [| w1; b1; w2 |] |> Array.map (fun t -> t.Detach().RequiresGrad_())
    let gData = Autograd.Grad([| (energy ps.[0] ps.[1] ps.[2] data).Mean() |], ps)
    let struct (pts, _) = Quadrature.Grid2d(-box, box, gridN)
    use wts = (energy w1 b1 w2 pts).Softmax(0L)                          // p_theta on the grid cells
    let gModel = Autograd.Grad([| (wts * energy ps.[0] ps.[1] ps.[2] pts).Sum() |], ps)
    let rhs = Array.map2 (fun (a: Tensor) (b: Tensor) -> a - b) gData gModel
    // left-hand side: central finite differences of L(theta), h = 1e-5 (error O(h^2) ~ 1e-10)
    let h = 1e-5
    for pi in 0 .. 2 do
        let n = int ps.[pi].NumEl
        for j in 0 .. n - 1 do
            let bump (s: float) =
                let v = [| w1; b1; w2 |] |> Array.map (fun t -> t.Clone())
                let flat = v.[pi].View(-1L)
                flat.Select(0L, int64 j).Add_(num s) |> ignore
                d (loss v.[0] v.[1] v.[2])
            let fd = (bump h - bump -h) / (2.0 * h)
            near 1e-6 fd (arr rhs.[pi]).[j] (sprintf "dL/dtheta[%d][%d]" pi j)

/// int exp(logf) over [lo, hi]^2 by Simpson's product rule on n (odd) points a side: the inner integral over y for every
/// grid x at once (Quadrature.Integrate with (n, n) values), then Simpson over x. An independent rule from the midpoint
/// sum of LogIntegrate2d (different nodes, different weights).
let private simpson2d (logf: Tensor -> Tensor) (lo: float) (hi: float) (n: int64) =
    use xs = Quadrature.Grid(lo, hi, n)
    let inner (ys: Tensor) =
        let m = ys.Size(0)
        let pts = Torch.Stack([| xs.Unsqueeze(0L).Expand(m, n); ys.Unsqueeze(1L).Expand(m, n) |], 2L).Reshape(-1L, 2L) // (m*n, 2)
        (logf pts).Exp().View(m, n)                                     // (m, n): f(x_j, y_i)
    use col = Quadrature.Integrate(inner, lo, hi, n)                    // (n): int f(x_j, y) dy
    use w = Quadrature.SimpsonWeights(n, (hi - lo) / float (n - 1L))
    d ((col * w).Sum())

let ``DS-GA 1008 1.4: p_theta = exp(E - A) with A from LogIntegrate2d integrates to 1 under an independent Simpson product rule`` () =
    use g = gen 22UL
    use w1 = randn g [ 6L; 2L ]
    use b1 = randn g [ 6L ]
    use w2 = randn g [ 6L ]
    use a = logPartition w1 b1 w2
    // both rules are spectrally accurate for this smooth integrand, which is below e^-20 on the box's edge
    // (|x|^2 / 8 >= 24.5 there, the net term at most sum |w2|): agreement to 1e-9
    near 1e-9 1.0 (simpson2d (fun x -> energy w1 b1 w2 x - a) -box box 401L) "int p_theta (Simpson product rule)"

// ---- 1.5-1.6: self-normalised importance sampling ----

/// An unnormalised bimodal 1-D target exp(E(x)), E(x) = -(x^2 - 4)^2 / 4 + x / 2.
let private e1 (x: Tensor) = (x.Square() - 4.0).Square() * -0.25 + x * 0.5

/// E_p f for f(x) = x^2 by Simpson quadrature of the normalised target (no proposal involved).
let private trueF () =
    Quadrature.IntegrateScalar((fun x -> x.Square() * e1(x).Exp()), -12.0, 12.0) / Quadrature.IntegrateScalar((fun x -> e1(x).Exp()), -12.0, 12.0)

let ``DS-GA 1008 1.5: E_p f = E_q[f e^E / q] / E_q[e^E / q]: ImportanceSampling over q's quantiles equals the quadrature of p`` () =
    // q = Cauchy(0, 2) and its quantiles x_m = 2 tan(pi (u_m - 1/2)), u_m = (m - 1/2)/M: a deterministic sample of q, so
    // both E_q averages are midpoint sums in u = F_q(x). Their integrands (f) e^E / q are smooth in u and vanish at
    // u = 0 and 1 like exp(-x^4 / 4), so the midpoint error is far below the 1e-8 allowed.
    let q = Cauchy(0.0, 2.0)
    let m = 20001L
    use u = Torch.Linspace(0.5 / float m, 1.0 - 0.5 / float m, m, f64)
    use x = ((u - 0.5) * Math.PI).Sin() / ((u - 0.5) * Math.PI).Cos() * 2.0   // 2 tan(pi (u - 1/2))
    use fx = x.Square()
    use viaIs = ImportanceSampling.SelfNormalized(fx, e1 x, q.LogProb x)
    near 1e-8 (trueF ()) (d viaIs) "F by self-normalised IS vs quadrature of p"
    // q enters only through the weights e^E / q: leaving log q out gives a different (wrong) number
    use noQ = ImportanceSampling.SelfNormalized(fx, e1 x, Torch.ZerosLike(x))
    if abs (d noQ - trueF ()) < 0.1 then failwithf "the weights should need 1/q: %g vs %g" (d noQ) (trueF ())

let ``DS-GA 1008 1.6: the self-normalised IS estimator converges to E_p f at rate 1/sqrt(M)`` () =
    let q = Normal(0.0, 2.5)
    let truth = trueF ()
    // the asymptotic variance of sqrt(M) (F^ - F) is E_q[(p/q)^2 (f - F)^2] = int p^2 / q (f - F)^2, by quadrature
    let z = Quadrature.IntegrateScalar((fun x -> e1(x).Exp()), -12.0, 12.0)
    let sd = sqrt (Quadrature.IntegrateScalar((fun x -> (e1(x).Exp() / z).Square() / q.Prob(x) * (x.Square() - truth).Square()), -12.0, 12.0))
    use g = gen 23UL
    let ses =
        [ for m in [ 400L; 40000L ] ->
            use x = q.Sample(m, g)
            let e = ImportanceSampling.SelfNormalizedEstimate(x.Square(), e1 x, q.LogProb(x))
            // true asymptotic SE sd / sqrt(M); 4.5 SE on two checks: false failure < 2e-5
            covers 4.5 truth sd e (sprintf "F^ with M = %d" m)
            e.StdErr ]
    // 100x the samples: the standard error shrinks about 10x
    let ratio = ses.[0] / ses.[1]
    if ratio < 7.0 || ratio > 14.0 then failwithf "SE ratio %.2f is not about sqrt(100) = 10" ratio

let ``DS-GA 1008 1.6: IS with M = 5000 from the ring GMM estimates grad_theta A = E_p grad E (vs quadrature)`` () =
    use g = gen 24UL
    use w1 = randn g [ 6L; 2L ]
    use b1 = randn g [ 6L ]
    use w2 = randn g [ 6L ]
    // dE/dw2[0] = tanh(W1[0] x + b1[0]): one component of grad E, evaluated directly per point
    let dE (x: Tensor) = Functional.Linear(x, w1, b1).Tanh().Select(1L, 0L)
    let struct (pts, _) = Quadrature.Grid2d(-box, box, gridN)
    use wts = (energy w1 b1 w2 pts).Softmax(0L)
    let truth = d ((wts * dE pts).Sum())
    let q = NormalMixture.Ring(10, 3.0, 2.0)                            // a broad ring proposal
    // true asymptotic sd: int p^2 / q (f - F)^2 = sum_cells wts^2 / (area q) (f - F)^2 on the same grid
    let struct (_, area) = Quadrature.Grid2d(-box, box, gridN)
    let sd = sqrt (d ((wts.Square() / (q.LogProb(pts).Exp() * area) * (dE pts - truth).Square()).Sum()))
    use x = q.Sample(5000L, g)
    let e = ImportanceSampling.SelfNormalizedEstimate(dE x, energy w1 b1 w2 x, q.LogProb(x))
    covers 4.0 truth sd e "E_p dE/dw2[0]"

// ---- 2.1-2.4: variational lower bounds with a discrete latent ----

let ``DS-GA 1008 2.1: log p(x) = L(q) + KL(q || p(z|x)) exactly, for any q (property over random q)`` () =
    let ring = NormalMixture.Ring(10, 2.0)
    let prop (seed: uint16) =
        use g = gen (uint64 seed)
        use x = ring.Sample(20L, g)
        use lj = ring.LogJoint(x)                                        // (20, 10)
        use q = (randn g [ 20L; 10L ] * 3.0).Softmax(1L)
        use lhs = Elbo.LogEvidence(lj)
        use rhs = Elbo.Discrete(lj, q) + Elbo.KlToPosterior(lj, q)
        lhs.AllClose(rhs, 0.0, 1e-10)
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(30), prop)

let ``DS-GA 1008 2.1: maximising L over q minimises KL(q || posterior): ascent on q's logits reaches the posterior`` () =
    let ring = NormalMixture.Ring(10, 2.0)
    use g = gen 25UL
    use x = ring.Sample(5L, g)
    use lj = ring.LogJoint(x)
    let fitted = ascend 1.0 3000 (fun ps -> Elbo.Discrete(lj, ps.[0].Softmax(1L)).Sum()) [| Torch.Zeros([| 5L; 10L |], f64) |]
    use kl = Elbo.KlToPosterior(lj, fitted.[0].Softmax(1L))
    // plain gradient ascent on logits slows down as tiny posterior probabilities are approached: KL < 1e-3 after 3000 steps
    if d (kl.Max()) > 1e-3 then failwithf "KL after maximising the ELBO: %O" kl

let ``DS-GA 1008 2.2: a bimodal p and a q on one mode have KL(p||q) >> KL(q||p) (quadrature)`` () =
    let p = NormalMixture.OneD([| 0.5; 0.5 |], [| -3.0; 3.0 |], [| 0.6; 0.6 |])
    let q = Normal(-3.0, 0.6)
    let lp (x: Tensor) = p.LogProb(x.Unsqueeze(1L))
    let klPQ = Quadrature.IntegrateScalar((fun x -> lp(x).Exp() * (lp x - q.LogProb x)), -12.0, 12.0, 4001L)
    let klQP = Quadrature.IntegrateScalar((fun x -> q.LogProb(x).Exp() * (q.LogProb x - lp x)), -12.0, 12.0, 4001L)
    near 1e-6 (log 2.0) klQP "KL(q||p) = log 2 when the modes do not overlap"
    if klPQ < 20.0 * klQP then failwithf "KL(p||q) = %g is not >> KL(q||p) = %g" klPQ klQP

let ``DS-GA 1008 2.3: on the R=10 ring the ELBO with uniform q is below log p(x); with q = posterior it equals it`` () =
    let ring = NormalMixture.Ring(10, 10.0)
    use g = gen 26UL
    use x = ring.Sample(1000L, g)
    use lj = ring.LogJoint(x)
    use logp = Elbo.LogEvidence(lj)
    use uniform = Elbo.Discrete(lj, Elbo.UniformQ(lj))
    use exact = Elbo.Discrete(lj, Elbo.Posterior(lj))
    allNear 1e-10 logp exact "ELBO at the posterior"
    use gap = logp - uniform
    Assert.True(d (gap.Min()) > 0.0, "uniform q must leave a positive gap at every point")
    allNear 1e-9 (Elbo.KlToPosterior(lj, Elbo.UniformQ(lj))) gap "gap = KL(uniform || posterior)"
    // the gap is KL(uniform || posterior) = -log K - (1/K) sum_k log post_k(x). For x = mu_j + eps the posterior is
    // nearly one-hot on j: -log post_k = (|x - mu_k|^2 - |x - mu_j|^2) / 2 + delta(x), whose mean over k is
    // R^2 + eps . mu_j + delta(x) (the mean of |mu_j - mu_k|^2 / 2 over k is R^2). So the mean gap is R^2 - log K
    // = 97.70 nats, not R^2 / 2; eps . mu_j has sd R = 10 per point (SE 0.32 over 1000), and
    // delta = log(1 + neighbours' posterior odds) >= 0 averages about 0.004 here (neighbours 6.2 apart).
    near (4.5 * 10.0 / sqrt 1000.0 + 0.01) (100.0 - log 10.0) (d (gap.Mean())) "mean gap = R^2 - log K"

let ``DS-GA 1008 2.4: as K grows the posterior bound stays exact; with components kept apart (R = K) the uniform-q gap grows without bound`` () =
    use g = gen 27UL
    let mutable last = 0.0
    for k in [ 10; 40; 160 ] do
        let ring = NormalMixture.Ring(k, float k)          // spacing about 2 pi: components stay separated
        use x = ring.Sample(200L, g)
        use lj = ring.LogJoint(x)
        use logp = Elbo.LogEvidence(lj)
        allNear 1e-9 logp (Elbo.Discrete(lj, Elbo.Posterior(lj))) (sprintf "posterior bound, K = %d" k)
        use gap = logp - Elbo.Discrete(lj, Elbo.UniformQ(lj))
        // mean over the ring of |x - mu_k|^2 / 2 is about R^2 for x on the ring: the gap grows like K^2 here
        let mg = d (gap.Mean())
        if mg < 0.5 * float (k * k) || mg < last then failwithf "uniform gap %g at K = %d (previous %g)" mg k last
        last <- mg

let ``DS-GA 1008 2.4: on a ring of fixed radius the uniform-q bound tends to the continuous-ring average (1/2pi) int log N(x; R u(t), I) dt`` () =
    let r = 3.0
    let x = (2.0, 1.0)
    let bound k =
        let ring = NormalMixture.Ring(k, r)
        use lj = ring.LogJoint(tensor2 1L 2L [ fst x; snd x ])
        d (Elbo.Discrete(lj, Elbo.UniformQ(lj)))
    // limit: (1/2pi) int_0^2pi [-log 2pi - |x - R(cos t, sin t)|^2 / 2] dt
    let limit =
        Quadrature.IntegrateScalar((fun t ->
            let dx = (t.Cos() * -r) + fst x
            let dy = (t.Sin() * -r) + snd x
            ((dx.Square() + dy.Square()) * -0.5 - log (2.0 * Math.PI)) / (2.0 * Math.PI)), 0.0, 2.0 * Math.PI)
    near 1e-9 limit (bound 64) "K = 64"
    // the gap to log p(x) therefore stays bounded instead of growing like log K
    let gap k =
        let ring = NormalMixture.Ring(k, r)
        use lj = ring.LogJoint(tensor2 1L 2L [ fst x; snd x ])
        d (Elbo.LogEvidence(lj)) - bound k
    near 1e-6 (gap 64) (gap 512) "gap at K = 64 vs 512"

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Seeds.DsGa1008FinalTests" [
        Expecto.Tests.testCase "DS-GA 1008 1.1: the ring GMM density (1/K) sum_k N(x; R(cos 2pi k/K, sin 2pi k/K), I) integrates to 1 (R = 10 and R = 1)" ``DS-GA 1008 1.1: the ring GMM density (1/K) sum_k N(x; R(cos 2pi k/K, sin 2pi k/K), I) integrates to 1 (R = 10 and R = 1)``
        Expecto.Tests.testCase "DS-GA 1008 1.4: grad L = mean grad E(x_i) - E_p_theta grad E (finite differences of L with A by quadrature)" ``DS-GA 1008 1.4: grad L = mean grad E(x_i) - E_p_theta grad E (finite differences of L with A by quadrature)``
        Expecto.Tests.testCase "DS-GA 1008 1.4: p_theta = exp(E - A) with A from LogIntegrate2d integrates to 1 under an independent Simpson product rule" ``DS-GA 1008 1.4: p_theta = exp(E - A) with A from LogIntegrate2d integrates to 1 under an independent Simpson product rule``
        Expecto.Tests.testCase "DS-GA 1008 1.5: E_p f = E_q[f e^E / q] / E_q[e^E / q]: ImportanceSampling over q's quantiles equals the quadrature of p" ``DS-GA 1008 1.5: E_p f = E_q[f e^E / q] / E_q[e^E / q]: ImportanceSampling over q's quantiles equals the quadrature of p``
        Expecto.Tests.testCase "DS-GA 1008 1.6: the self-normalised IS estimator converges to E_p f at rate 1/sqrt(M)" ``DS-GA 1008 1.6: the self-normalised IS estimator converges to E_p f at rate 1/sqrt(M)``
        Expecto.Tests.testCase "DS-GA 1008 1.6: IS with M = 5000 from the ring GMM estimates grad_theta A = E_p grad E (vs quadrature)" ``DS-GA 1008 1.6: IS with M = 5000 from the ring GMM estimates grad_theta A = E_p grad E (vs quadrature)``
        Expecto.Tests.testCase "DS-GA 1008 2.1: log p(x) = L(q) + KL(q || p(z|x)) exactly, for any q (property over random q)" ``DS-GA 1008 2.1: log p(x) = L(q) + KL(q || p(z|x)) exactly, for any q (property over random q)``
        Expecto.Tests.testCase "DS-GA 1008 2.1: maximising L over q minimises KL(q || posterior): ascent on q's logits reaches the posterior" ``DS-GA 1008 2.1: maximising L over q minimises KL(q || posterior): ascent on q's logits reaches the posterior``
        Expecto.Tests.testCase "DS-GA 1008 2.2: a bimodal p and a q on one mode have KL(p||q) >> KL(q||p) (quadrature)" ``DS-GA 1008 2.2: a bimodal p and a q on one mode have KL(p||q) >> KL(q||p) (quadrature)``
        Expecto.Tests.testCase "DS-GA 1008 2.3: on the R=10 ring the ELBO with uniform q is below log p(x); with q = posterior it equals it" ``DS-GA 1008 2.3: on the R=10 ring the ELBO with uniform q is below log p(x); with q = posterior it equals it``
        Expecto.Tests.testCase "DS-GA 1008 2.4: as K grows the posterior bound stays exact; with components kept apart (R = K) the uniform-q gap grows without bound" ``DS-GA 1008 2.4: as K grows the posterior bound stays exact; with components kept apart (R = K) the uniform-q gap grows without bound``
        Expecto.Tests.testCase "DS-GA 1008 2.4: on a ring of fixed radius the uniform-q bound tends to the continuous-ring average (1/2pi) int log N(x; R u(t), I) dt" ``DS-GA 1008 2.4: on a ring of fixed radius the uniform-q bound tends to the continuous-ring average (1/2pi) int log N(x; R u(t), I) dt``
    ]
