/// Ece8803Ps2Tests.fs: the analytic claims of ECE 8803 PS2 (seed 003): KL asymmetry, Bernoulli-mixture EM, change of variables, leaky-ReLU and discrete flows.
module GenDsl.Tests.Seeds.Ece8803Ps2Tests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Seeds.Common

// ---- P1a: KL(P||Q) finite, KL(Q||P) infinite ----

let ``ECE8803 P1a: P = U(0,1), Q = U(0,2) give KL(P||Q) = log 2 but KL(Q||P) = infinity`` () =
    let p, q = Uniform(0.0, 1.0), Uniform(0.0, 2.0)
    // KL(P||Q) = int_0^1 1 * log(1 / (1/2)) dx, by the midpoint rule on P's support
    use x = Torch.Linspace(0.0005, 0.9995, 1000L, f64)
    use integrand = p.Prob(x) * (p.LogProb(x) - q.LogProb(x))
    near 1e-12 (log 2.0) (d (integrand.Mean())) "KL(P||Q)"
    // Q puts mass 1/2 where P has density 0: the integrand q log(q/p) is +infinity there
    use y = Torch.Linspace(1.0005, 1.9995, 1000L, f64)
    use qlogqp = q.Prob(y) * (q.LogProb(y) - p.LogProb(y))
    Assert.True(arr qlogqp |> Array.forall Double.IsPositiveInfinity, "q log(q/p) must be +inf on (1, 2)")

let ``ECE8803 P1a: P = N(0,1), Q = Cauchy: KL(P||Q) converges, truncated KL(Q||P) grows without bound`` () =
    let p, q = Normal(0.0, 1.0), Cauchy(0.0, 1.0)
    let kl (a: Distribution) (b: Distribution) l = Quadrature.IntegrateScalar((fun x -> a.Prob(x) * (a.LogProb x - b.LogProb x)), -l, l, 40001L)
    near 1e-6 (kl p q 20.0) (kl p q 40.0) "KL(P||Q) settles"
    // int_{-L}^{L} q(x) x^2/2 dx ~ L/pi: doubling L adds about L/pi
    let k1, k2 = kl q p 100.0, kl q p 200.0
    if k2 - k1 < 0.9 * 100.0 / Math.PI then failwithf "KL(Q||P) on [-L, L] grew only %g from L = 100 to 200" (k2 - k1)

// ---- P1b: forward vs reverse KL fits (Inference/GaussianKlFit) ----

let private target = NormalMixture.OneD([| 0.5; 0.5 |], [| -5.0; 5.0 |], [| 1.0; 1.0 |])
let private logP = Func<Tensor, Tensor>(fun x -> target.LogProb(x.Unsqueeze(1L)))

/// KL(N(ma, sa^2) || N(mb, sb^2)) in closed form.
let private klNormal (ma: float, sa: float) (mb: float, sb: float) = log (sb / sa) + (sa * sa + (ma - mb) ** 2.0) / (2.0 * sb * sb) - 0.5

let ``ECE8803 P1b: GaussianKlFit's objective and its gradient equal the closed-form KL between Gaussians in both directions`` () =
    // p = N(1, 2^2), q = N(0.3, 0.7^2); Simpson on [-20, 20] with h = 0.01 is exact to ~1e-12 for these integrands
    let lp = Func<Tensor, Tensor>(fun x -> Normal(1.0, 2.0).LogProb(x))
    near 1e-9 (klNormal (1.0, 2.0) (0.3, 0.7)) (GaussianKlFit.Evaluate(KlDirection.Forward, lp, 0.3, 0.7, -20.0, 20.0, 4001L)) "KL(p||q)"
    near 1e-9 (klNormal (0.3, 0.7) (1.0, 2.0)) (GaussianKlFit.Evaluate(KlDirection.Reverse, lp, 0.3, 0.7, -20.0, 20.0, 4001L)) "KL(q||p)"
    // d KL(p||q) / d mu = (mu - m_p) / s_q^2 and d / d log s_q = 1 - (s_p^2 + (m_p - mu)^2) / s_q^2, against autograd
    use x = Quadrature.Grid(-20.0, 20.0, 4001L)
    use w = Quadrature.SimpsonWeights(4001L, 0.01)
    let mu, ls = (num 0.3).RequiresGrad_(), (num (log 0.7)).RequiresGrad_()
    let gr = Autograd.Grad([| GaussianKlFit.Divergence(KlDirection.Forward, mu, ls, x, w, lp.Invoke x) |], [| mu; ls |])
    near 1e-8 ((0.3 - 1.0) / 0.49) (d gr.[0]) "dKL/dmu"
    near 1e-8 (1.0 - (4.0 + 0.49) / 0.49) (d gr.[1]) "dKL/dlog sigma"

let ``ECE8803 P1b: minimising forward KL(P||Q) over a Gaussian Q covers both modes (moment matching: mu = 0, sigma^2 = 26)`` () =
    // mu contracts by 1 - 0.3/26 per step: 3000 steps leave e^-34 of the start
    let r = GaussianKlFit.Fit(KlDirection.Forward, logP, 1.0, 1.0, 0.3, 3000, -15.0, 15.0)
    near 1e-6 0.0 r.Mu "mu"
    near 1e-6 26.0 (r.Sigma * r.Sigma) "sigma^2 (= 1 + 5^2)"

let ``ECE8803 P1b: minimising reverse KL(Q||P) over a Gaussian Q locks onto one mode; the broad Gaussian N(0, 26) has KL 3.709`` () =
    // started between the modes, nearer the right one; the one-mode q = N(5, 1) has KL(q||p) = log 2 up to the other
    // mode's overlap (about e^-50)
    let r = GaussianKlFit.Fit(KlDirection.Reverse, logP, 2.0, 1.0, 0.1, 1500, -15.0, 15.0)
    near 1e-4 5.0 r.Mu "mu sits on the mode at +5"
    near 1e-4 1.0 r.Sigma "sigma fits one unit-variance mode"
    near 1e-6 (log 2.0) r.Curve.[r.Curve.Length - 1] "KL(q||p) of the one-mode fit"
    // the moment-matched N(0, 26): its reverse KL needs q's tails too. Evaluate widens the [-15, 15] grid that suits p to
    // q's +-12 sd (a Simpson sum on [-15, 15] alone cuts q at 2.9 sd and gives 3.512); the reference is a plain
    // Simpson sum on [-80, 80], 16001 points
    use xw = Quadrature.Grid(-80.0, 80.0, 16001L)
    use ww = Quadrature.SimpsonWeights(16001L, 0.01)
    use lq = Normal(0.0, sqrt 26.0).LogProb(xw)
    let reference = d ((ww * lq.Exp() * (lq - logP.Invoke xw)).Sum())
    near 5e-4 3.709 reference "KL(N(0, 26) || p) by a wide Simpson sum"
    near 1e-9 reference (GaussianKlFit.Evaluate(KlDirection.Reverse, logP, 0.0, sqrt 26.0, -15.0, 15.0, 3001L)) "Evaluate on p's grid [-15, 15]"

let ``ECE8803 P1b: with modes at +-3 the one-mode Gaussian still beats every centred Gaussian on reverse KL (0.689 vs 0.841)`` () =
    let p3 = NormalMixture.OneD([| 0.5; 0.5 |], [| -3.0; 3.0 |], [| 1.0; 1.0 |])
    let lp3 = Func<Tensor, Tensor>(fun x -> p3.LogProb(x.Unsqueeze(1L)))
    let rev mu sigma = GaussianKlFit.Evaluate(KlDirection.Reverse, lp3, mu, sigma, -40.0, 40.0, 8001L)
    near 5e-4 0.689 (rev 3.0 1.0) "KL(N(3, 1) || p)"
    near 5e-4 0.938 (rev 0.0 (sqrt 10.0)) "KL(N(0, 10) || p) (moment matched)"
    // best centred Gaussian by a scan of sigma in [1, 5] with step 0.01: sigma = 2.75, KL 0.8406 (flat at its
    // minimum, so the scan's error is < 1e-4; issue 11's 0.877 is not the minimum)
    let bestCentred = [ for i in 0 .. 400 -> rev 0.0 (1.0 + 0.01 * float i) ] |> List.min
    near 5e-4 0.8406 bestCentred "min over sigma of KL(N(0, sigma^2) || p)"
    if rev 3.0 1.0 > bestCentred - 0.1 then failwith "the one-mode fit should win at +-3 as well"

// ---- P2: Bernoulli-mixture EM ----

let private synthetic (seed: uint64) =
    use g = gen seed
    use p = Torch.Rand([| 3L; 20L |], g, f64) * 0.8 + 0.1
    let truthModel = new BernoulliMixture(tensor [ 0.5; 0.3; 0.2 ], p)
    let struct (x, _) = truthModel.Sample(300L, g)
    x

let ``ECE8803 P2b: eta_ik = pi_k prod_d p^x (1-p)^(1-x) / sum_j (...) (log-space E-step vs the direct product)`` () =
    use x = synthetic 41UL
    let m = BernoulliMixture.InitUnitLength(3, 20, gen 42UL)
    use eta = m.EStep(x)
    let xs, ps, pis = arr x, arr m.Probs, arr m.Weights
    for i in [ 0; 17; 299 ] do
        let lik k = pis.[k] * (Seq.init 20 (fun dd -> let p = ps.[k * 20 + dd] in if xs.[i * 20 + dd] > 0.5 then p else 1.0 - p) |> Seq.fold (*) 1.0)
        let z = Seq.init 3 lik |> Seq.sum
        for k in 0 .. 2 do near 1e-10 (lik k / z) (arr eta).[i * 3 + k] (sprintf "eta[%d,%d]" i k)

let ``ECE8803 P2c: the M-step (no smoothing) maximises the expected complete log-likelihood (zero gradient, perturbations lower it)`` () =
    use x = synthetic 43UL
    let m0 = BernoulliMixture.InitUnitLength(3, 20, gen 44UL)
    use eta = m0.EStep(x)
    let mStar = BernoulliMixture.MStep(x, eta, 0.0, 0.0)
    let best = mStar.ExpectedCompleteLogLikelihood(x, eta)
    // unconstrained parameters: logits of pi (softmax) and of p (sigmoid)
    let q (ps: Tensor[]) =
        let logPi = ps.[0].LogSoftmax(0L)
        let lp, l1p = ps.[1].LogSigmoid(), ps.[1].Neg().LogSigmoid()
        (eta * (x.MatMul(lp.T) + (1.0 - x).MatMul(l1p.T) + logPi)).Sum()
    let a = mStar.Weights.Log().RequiresGrad_()
    let b = (mStar.Probs.Log() - (1.0 - mStar.Probs).Log()).RequiresGrad_()
    near 1e-8 best (d (q [| a; b |])) "Q at the M-step"
    let gr = Autograd.Grad([| q [| a; b |] |], [| a; b |])
    for t in gr do near 1e-7 0.0 (d (t.Abs().Max())) "gradient at the M-step"
    use g = gen 45UL
    for _ in 1 .. 50 do
        let v = d (q [| a + randn g [ 3L ] * 0.1; b + randn g [ 3L; 20L ] * 0.1 |])
        if v > best + 1e-9 then failwithf "a perturbation raised Q: %g > %g" v best

let ``ECE8803 P2-P3: EM with Dirichlet smoothing 1e-8 never decreases the log-likelihood`` () =
    use x = synthetic 46UL
    let struct (_, curve) = BernoulliMixture.Fit(x, 3, 25, gen 47UL)
    for i in 1 .. curve.Count - 1 do
        // smoothing 1e-8 makes this MAP-EM; its prior term moves the likelihood by far less than 1e-6
        if curve.[i] < curve.[i - 1] - 1e-6 then failwithf "log-likelihood fell at step %d: %g -> %g" i curve.[i - 1] curve.[i]
    Assert.True(curve.[curve.Count - 1] > curve.[0] + 100.0, sprintf "EM should improve on the initialisation: %A" curve)

let ``ECE8803 P3: Dirichlet smoothing gives pixels that are always 0 or 1 the seed's p = a1/(N_k + a1 D) and (N_k + a1)/(N_k + a1 D)`` () =
    // (the general smoothed step against plain loops: tests/Core/BernoulliMixtureMnistTests.fs)
    use x = Torch.Zeros([| 10L; 4L |], f64)
    x.Select(1L, 3L).Fill_(1.0) |> ignore                             // pixel 0..2 always 0, pixel 3 always 1
    use eta = Torch.Tensor<float>([| for i in 0 .. 9 do yield! [ 0.3; 0.7 ] |], [| 10L; 2L |])
    let a1, a2 = 1e-3, 2e-3
    let m = BernoulliMixture.MStep(x, eta, a1, a2)
    let ps, pis = arr m.Probs, arr m.Weights
    for k, nk in [ 0, 3.0; 1, 7.0 ] do
        for dd in 0 .. 2 do near 1e-15 (a1 / (nk + a1 * 4.0)) ps.[k * 4 + dd] (sprintf "p[%d,%d] (never on)" k dd)
        near 1e-15 ((nk + a1) / (nk + a1 * 4.0)) ps.[k * 4 + 3] (sprintf "p[%d,3] (always on)" k)
        near 1e-15 ((nk + a2) / (10.0 + a2 * 2.0)) pis.[k] (sprintf "pi[%d]" k)
    Assert.True(Double.IsFinite(m.LogLikelihood(x)))

// ---- P5: simple flows (change of variables) ----

let ``ECE8803 P5a: 1/X is standard Cauchy when X is (density by change of variables, and a KS test of samples)`` () =
    let c = Cauchy(0.0, 1.0)
    use y = Torch.Linspace(-20.0, 20.0, 400L, f64)                     // even count: 0 not on the grid
    // p_Y(y) = p_X(1/y) |d(1/y)/dy| = p_X(1/y) / y^2
    use viaCov = c.LogProb(y.Reciprocal()) - (y.Square()).Log()
    allNear 1e-12 (c.LogProb(y)) viaCov "log density of 1/X"
    use g = gen 48UL
    use x = c.Sample(20000L, g)
    assertKs (x.Reciprocal()) (fun t -> c.Cdf(t)) "KS of 1/X vs Cauchy"

let ``ECE8803 P5b: e^Y for Y ~ N(mu, sigma^2) has density N(log x; mu, sigma^2) / x (autograd Jacobian, normalised, KS test)`` () =
    let mu, sigma = 0.3, 0.5
    let ln = LogNormal(mu, sigma)
    use x = Torch.Linspace(0.05, 8.0, 200L, f64)
    // change of variables with |d log x / dx| from autograd
    let xi = x.Detach().RequiresGrad_()
    let dlog = Autograd.Grad(xi.Log().Sum(), xi)
    use viaCov = Normal(mu, sigma).LogProb(x.Log()) + dlog.Abs().Log()
    allNear 1e-12 viaCov (ln.LogProb(x)) "log density"
    near 1e-8 1.0 (Quadrature.IntegrateScalar((fun t -> ln.Prob(t)), 1e-6, 60.0, 60001L)) "integral"
    use g = gen 49UL
    assertKs (ln.Sample(20000L, g)) (fun t -> Normal(mu, sigma).Cdf(t.Log())) "KS vs the lognormal CDF"

let ``ECE8803 P5c: SquareCentreDistance's density pi z/2, then z(pi/2 - 2 acos(1/z)), is the derivative of its CDF, integrates to 1 and is 0 outside [0, sqrt 2]`` () =
    let f (z: float) = d (SquareCentreDistance().LogProb(tensor [ z ]).Exp())
    near 1e-15 (SquareCentreDistance.Density 0.7) (f 0.7) "LogProb = log Density"
    // central differences of the closed-form CDF, h = 1e-5: truncation O(h^2 F^(3)) plus rounding 1e-16/h, ~1e-9 away from the kink at z = 1
    for z in [ 0.2; 0.7; 0.95; 1.05; 1.2; 1.4 ] do
        let fd = (SquareCentreDistance.Cdf(z + 1e-5) - SquareCentreDistance.Cdf(z - 1e-5)) / 2e-5
        near 1e-8 fd (SquareCentreDistance.Density z) (sprintf "f(%g) = F'(%g)" z z)
    // acos(1/z) ~ sqrt(2(z-1)) near z = 1: Simpson's error there is O(h^1.5), so a fine grid and tol 1e-6
    let density (t: Tensor) = Torch.Tensor<float>(arr t |> Array.map SquareCentreDistance.Density)
    near 1e-6 1.0 (Quadrature.IntegrateScalar(density, 0.0, 1.0, 20001L) + Quadrature.IntegrateScalar(density, 1.0, sqrt 2.0, 20001L)) "integral"
    near 1e-12 (Math.PI / 4.0) (Quadrature.IntegrateScalar(density, 0.0, 1.0, 20001L)) "P(Z <= 1) = pi/4 (the inscribed disc)"
    for z in [ -0.1; 1.5 ] do Assert.Equal(0.0, SquareCentreDistance.Density z)
    Assert.Equal(1.0, SquareCentreDistance.Cdf 1.5)

let ``ECE8803 P5c: SquareCentreDistance's CDF is the area of the disc inside the square over 4 (grid count) and its sampler passes a KS test`` () =
    // the fraction of the 1000^2 cell centres of [0, 2]^2 within distance z of (1, 1): error about the boundary
    // cells' share, which mostly cancels; < 2e-4 here
    let struct (pts, _) = Quadrature.Grid2d(0.0, 2.0, 1000L)
    use r = (pts - 1.0).Square().Sum(1L).Sqrt()
    for z in [ 0.5; 1.0; 1.2; 1.35 ] do
        use inside = r.Le(z).Double()
        near 2e-4 (d (inside.Mean())) (SquareCentreDistance.Cdf z) (sprintf "F(%g)" z)
    pts.Dispose()
    use g = gen 50UL
    use z = SquareCentreDistance().Sample(40000L, g)
    assertKs z (fun t -> Torch.Tensor<float>(arr t |> Array.map SquareCentreDistance.Cdf)) "KS vs the closed-form CDF"

// ---- P6: the leaky-ReLU flow ----

let ``ECE8803 P6: leaky-ReLU flow inverse is x for x>0, x/0.1 otherwise; |det J|^-1 = 10^(number of negative z) matches autograd`` () =
    let flow = LeakyReluFlow(0.1)
    use g = gen 51UL
    use z = randn g [ 8L; 5L ]
    allNear 1e-14 z (flow.Inverse(flow.Forward(z))) "round trip"
    use xs = tensor [ -2.0; 3.0 ]
    allNear 1e-14 (tensor [ -20.0; 3.0 ]) (flow.Inverse(xs.Unsqueeze(0L))) "inverse formula"
    use ld = flow.LogAbsDetJacobian(z)
    for i in 0L .. 7L do
        use zi = z.Select(0L, i)
        use j = Autograd.Jacobian((fun t -> flow.Forward(t.Unsqueeze(0L))), zi)
        let negatives = arr zi |> Array.filter (fun v -> v < 0.0) |> Array.length
        near 1e-9 (1.0 / abs (d (Linalg.Det j))) (exp (-(arr ld).[int i])) (sprintf "|det J|^-1, row %d" i)
        near 1e-9 (Math.Pow(10.0, float negatives)) (exp (-(arr ld).[int i])) (sprintf "10^negatives, row %d" i)
    // the flow density integrates to 1 (base N(0,1), 1-D; split at the kink, where the density jumps from 10 phi(0) to phi(0))
    let dens (x: Tensor) = Flow.LogProb(flow, (fun t -> Flow.StandardNormalLogProb t), x.Unsqueeze(1L)).Exp()
    near 1e-8 1.0 (Quadrature.IntegrateScalar(dens, -2.0, -1e-12, 4001L) + Quadrature.IntegrateScalar(dens, 0.0, 10.0, 4001L)) "integral"

// ---- P7 (bonus): a discrete flow ----

let ``ECE8803 P7: a modular-addition coupling flow is a bijection of {0..K-1}^D and its probabilities sum to 1`` () =
    let flow = DiscreteFlow(5, 3, [ (0, 1); (1, 2); (2, 0) ])
    use g = gen 52UL
    for l in flow.Layers do for v in 0 .. 4 do l.Shift.[v] <- int64 ((v * 3 + 1) % 5)
    use all = Torch.Tensor<int64>([| for a in 0L .. 4L do for b in 0L .. 4L do for c in 0L .. 4L do yield! [ a; b; c ] |], [| 125L; 3L |])
    use y = flow.Forward(all)
    Assert.True(all.Equal(flow.Inverse(y)), "inverse(forward(x)) = x")
    let codes = arr (y.Select(1L, 0L) * 25L + y.Select(1L, 1L) * 5L + y.Select(1L, 2L)) |> Array.distinct
    Assert.Equal(125, codes.Length)                                  // forward is one-to-one on all 125 points
    use x = Torch.RandInt(0L, 5L, [| 200L; 3L |], g)
    flow.Fit(x, 1) |> ignore
    near 1e-12 1.0 (d (flow.LogProb(all).Exp().Sum())) "sum of P over all points"

let ``ECE8803 P7: the discrete flow trained on correlated data reaches the data's joint entropy, and training never lowers the likelihood`` () =
    use g = gen 53UL
    let n = 2000L
    use x1 = Torch.Multinomial(tensor [ 0.1; 0.3; 0.2; 0.25; 0.15 ], n, true, g)
    use noise = Torch.Multinomial(tensor [ 0.8; 0.1; 0.1 ], n, true, g)
    use x2 = (x1 + 2L + noise).Remainder(5L)                          // x2 = x1 + 2 + small noise (mod 5)
    use x = Torch.Stack([| x1; x2 |], 1L)                              // (n, 2)
    let flow = DiscreteFlow(5, 2, [ (0, 1) ])
    let curve = flow.Fit(x, 2)
    for i in 1 .. curve.Count - 1 do
        if curve.[i] < curve.[i - 1] - 1e-12 then failwithf "training lowered the log-likelihood: %A" curve
    // empirical joint entropy: the best any model can do on the training set
    let counts = arr x1 |> Array.zip (arr x2) |> Array.countBy id |> Array.map (snd >> float)
    let h = counts |> Array.sumBy (fun c -> let p = c / float n in -p * log p)
    // the flow factorises x into (x1, x2 - shift(x1)); on a sample these are independent only up to the empirical
    // mutual information (about (K-1)^2 / (2n) = 0.004 nats), so NLL sits just above the joint entropy
    let nll = -flow.MeanLogLikelihood(x)
    if nll < h - 1e-9 || nll > h + 0.02 then failwithf "NLL %g vs empirical joint entropy %g" nll h
    if -curve.[0] - h < 0.5 then failwithf "the untrained (factorised) model was already near the entropy: %g vs %g" -curve.[0] h

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Seeds.Ece8803Ps2Tests" [
        Expecto.Tests.testCase "ECE8803 P1a: P = U(0,1), Q = U(0,2) give KL(P||Q) = log 2 but KL(Q||P) = infinity" ``ECE8803 P1a: P = U(0,1), Q = U(0,2) give KL(P||Q) = log 2 but KL(Q||P) = infinity``
        Expecto.Tests.testCase "ECE8803 P1a: P = N(0,1), Q = Cauchy: KL(P||Q) converges, truncated KL(Q||P) grows without bound" ``ECE8803 P1a: P = N(0,1), Q = Cauchy: KL(P||Q) converges, truncated KL(Q||P) grows without bound``
        Expecto.Tests.testCase "ECE8803 P1b: GaussianKlFit's objective and its gradient equal the closed-form KL between Gaussians in both directions" ``ECE8803 P1b: GaussianKlFit's objective and its gradient equal the closed-form KL between Gaussians in both directions``
        Expecto.Tests.testCase "ECE8803 P1b: minimising forward KL(P||Q) over a Gaussian Q covers both modes (moment matching: mu = 0, sigma^2 = 26)" ``ECE8803 P1b: minimising forward KL(P||Q) over a Gaussian Q covers both modes (moment matching: mu = 0, sigma^2 = 26)``
        Expecto.Tests.testCase "ECE8803 P1b: minimising reverse KL(Q||P) over a Gaussian Q locks onto one mode; the broad Gaussian N(0, 26) has KL 3.709" ``ECE8803 P1b: minimising reverse KL(Q||P) over a Gaussian Q locks onto one mode; the broad Gaussian N(0, 26) has KL 3.709``
        Expecto.Tests.testCase "ECE8803 P1b: with modes at +-3 the one-mode Gaussian still beats every centred Gaussian on reverse KL (0.689 vs 0.841)" ``ECE8803 P1b: with modes at +-3 the one-mode Gaussian still beats every centred Gaussian on reverse KL (0.689 vs 0.841)``
        Expecto.Tests.testCase "ECE8803 P2b: eta_ik = pi_k prod_d p^x (1-p)^(1-x) / sum_j (...) (log-space E-step vs the direct product)" ``ECE8803 P2b: eta_ik = pi_k prod_d p^x (1-p)^(1-x) / sum_j (...) (log-space E-step vs the direct product)``
        Expecto.Tests.testCase "ECE8803 P2c: the M-step (no smoothing) maximises the expected complete log-likelihood (zero gradient, perturbations lower it)" ``ECE8803 P2c: the M-step (no smoothing) maximises the expected complete log-likelihood (zero gradient, perturbations lower it)``
        Expecto.Tests.testCase "ECE8803 P2-P3: EM with Dirichlet smoothing 1e-8 never decreases the log-likelihood" ``ECE8803 P2-P3: EM with Dirichlet smoothing 1e-8 never decreases the log-likelihood``
        Expecto.Tests.testCase "ECE8803 P3: Dirichlet smoothing gives pixels that are always 0 or 1 the seed's p = a1/(N_k + a1 D) and (N_k + a1)/(N_k + a1 D)" ``ECE8803 P3: Dirichlet smoothing gives pixels that are always 0 or 1 the seed's p = a1/(N_k + a1 D) and (N_k + a1)/(N_k + a1 D)``
        Expecto.Tests.testCase "ECE8803 P5a: 1/X is standard Cauchy when X is (density by change of variables, and a KS test of samples)" ``ECE8803 P5a: 1/X is standard Cauchy when X is (density by change of variables, and a KS test of samples)``
        Expecto.Tests.testCase "ECE8803 P5b: e^Y for Y ~ N(mu, sigma^2) has density N(log x; mu, sigma^2) / x (autograd Jacobian, normalised, KS test)" ``ECE8803 P5b: e^Y for Y ~ N(mu, sigma^2) has density N(log x; mu, sigma^2) / x (autograd Jacobian, normalised, KS test)``
        Expecto.Tests.testCase "ECE8803 P5c: SquareCentreDistance's density pi z/2, then z(pi/2 - 2 acos(1/z)), is the derivative of its CDF, integrates to 1 and is 0 outside [0, sqrt 2]" ``ECE8803 P5c: SquareCentreDistance's density pi z/2, then z(pi/2 - 2 acos(1/z)), is the derivative of its CDF, integrates to 1 and is 0 outside [0, sqrt 2]``
        Expecto.Tests.testCase "ECE8803 P5c: SquareCentreDistance's CDF is the area of the disc inside the square over 4 (grid count) and its sampler passes a KS test" ``ECE8803 P5c: SquareCentreDistance's CDF is the area of the disc inside the square over 4 (grid count) and its sampler passes a KS test``
        Expecto.Tests.testCase "ECE8803 P6: leaky-ReLU flow inverse is x for x>0, x/0.1 otherwise; |det J|^-1 = 10^(number of negative z) matches autograd" ``ECE8803 P6: leaky-ReLU flow inverse is x for x>0, x/0.1 otherwise; |det J|^-1 = 10^(number of negative z) matches autograd``
        Expecto.Tests.testCase "ECE8803 P7: a modular-addition coupling flow is a bijection of {0..K-1}^D and its probabilities sum to 1" ``ECE8803 P7: a modular-addition coupling flow is a bijection of {0..K-1}^D and its probabilities sum to 1``
        Expecto.Tests.testCase "ECE8803 P7: the discrete flow trained on correlated data reaches the data's joint entropy, and training never lowers the likelihood" ``ECE8803 P7: the discrete flow trained on correlated data reaches the data's joint entropy, and training never lowers the likelihood``
    ]
