/// MilaDgmTests.fs: the analytic claims of the Mila DGM HW (seed 004) Q1-Q6: masked convolutions, change of variables, amortised VI, IWAE, flows, GAN dynamics.
module GenDsl.Tests.Seeds.MilaDgmTests

open System
open Xunit
open FsCheck
open GenDsl.Torch
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Seeds.Common

// ---- Q1: receptive fields of two masked 3x3 convolutions ----

/// Hand-derived receptive fields of output pixel 34 (row 3, column 4) on the 5x5 map: type A reads (r, c-1) and
/// row r+1 columns c-1..c+1; type B also (r, c). Composing two layers gives these grids ('#' = in the field).
let private expected =
    dict [ "AA", [ "....."; "....."; ".#..."; ".###."; ".####" ]
           "AB", [ "....."; "....."; ".##.."; ".####"; ".####" ]
           "BA", [ "....."; "....."; ".##.."; ".####"; ".####" ]
           "BB", [ "....."; "....."; ".###."; ".####"; ".####" ] ]

let ``Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid`` (masks: string) =
    let types = masks |> Seq.map (fun c -> if c = 'A' then MaskType.A else MaskType.B) |> Array.ofSeq
    let net = MaskedConvNet(types, 3, 3, gen 61UL)
    let rf = net.ReceptiveField(5, 5, 2, 3)
    let got = [ for i in 0 .. 4 -> String(Array.init 5 (fun j -> if rf.[i, j] then '#' else '.')) ]
    Assert.Equal<string list>(expected.[masks], got)

let ``Mila Q1: the masks are M^A = [[0,0,0],[1,0,0],[1,1,1]] and M^B = [[0,0,0],[1,1,0],[1,1,1]]`` () =
    allNear 0.0 (tensor [ 0.; 0.; 0.; 1.; 0.; 0.; 1.; 1.; 1. ]) (MaskedConv.Mask(MaskType.A)) "M^A"
    allNear 0.0 (tensor [ 0.; 0.; 0.; 1.; 1.; 0.; 1.; 1.; 1. ]) (MaskedConv.Mask(MaskType.B)) "M^B"

// ---- Q2: reparameterisation and Jacobian costs ----

let ``Mila Q2.1: g(z0) = mu + sigma * z0 has density N(mu, diag(sigma^2)) by change of variables; J = diag(sigma)`` () =
    use mu = tensor [ 0.5; -1.0; 2.0 ]
    use sigma = tensor [ 0.3; 1.2; 2.5 ]
    let flow = AffineFlow(mu, sigma)
    use g = gen 62UL
    use x = randn g [ 50L; 3L ] * 2.0
    use viaFlow = Flow.LogProb(flow, (fun z -> Flow.StandardNormalLogProb z), x)
    use direct = Normal(mu, sigma).LogProb(x).Sum(1L)
    allNear 1e-12 direct viaFlow "log density"
    use j = Autograd.Jacobian((fun z -> flow.Forward(z.Unsqueeze(0L))), tensor [ 0.1; 0.2; 0.3 ])
    allNear 1e-14 (sigma.DiagEmbed()) j "Jacobian"

let ``Mila Q2.3: g(z0) = mu + S z0 has density N(mu, S S^T) by change of variables`` () =
    use g = gen 63UL
    use s = randn g [ 4L; 4L ] + Torch.Eye(4L, dtype = f64) * 3.0
    use mu = randn g [ 4L ]
    let flow = LinearFlow(mu, s)
    use x = randn g [ 30L; 4L ] * 2.0
    use viaFlow = Flow.LogProb(flow, (fun z -> Flow.StandardNormalLogProb z), x)
    // the multivariate normal density written out: -1/2 (x-mu)^T Sigma^-1 (x-mu) - 1/2 log det(2 pi Sigma)
    use sigma = s.MatMul(s.T)
    use diff = x - mu
    use quad = (diff.MatMul(Linalg.Inv(sigma)) * diff).Sum(1L)
    let struct (_, logdet) = Linalg.SlogDet(sigma)
    use direct = quad * -0.5 - (d logdet + 4.0 * log (2.0 * Math.PI)) * 0.5
    allNear 1e-10 direct viaFlow "log density"
    allNear 1e-12 x (flow.Forward(flow.Inverse(x))) "round trip"

let ``Mila Q2.2 and Q2.4: log|det J| is O(K) for diagonal and triangular S (only the K diagonal entries are read) and needs the whole matrix in general`` () =
    use g = gen 64UL
    let k = 6L
    use full = randn g [ k; k ] + Torch.Eye(k, dtype = f64) * 4.0
    use lower = full.Tril()
    use mu = Torch.Zeros([| k |], f64)
    // triangular: sum of log|diagonal| = slogdet
    let tri = LinearFlow(mu, lower, lowerTriangular = true)
    let struct (_, slog) = Linalg.SlogDet(lower)
    near 1e-12 (d slog) (d (tri.LogAbsDet())) "triangular log det"
    // which entries does each evaluation read? autograd: d log|det| / dS
    let sensitivity (lowerTri: bool) (m: Tensor) =
        let sv = m.Detach().RequiresGrad_()
        let grad = Autograd.Grad(LinearFlow(mu, sv, lowerTriangular = lowerTri).LogAbsDet(), sv)
        arr grad |> Array.filter (fun v -> v <> 0.0) |> Array.length
    Assert.Equal(int k, sensitivity true lower)                      // O(K): the diagonal only
    Assert.Equal(int (k * k), sensitivity false full)               // general: S^-T, every entry
    let diag = AffineFlow(mu, tensor [ 1.; 2.; 3.; 4.; 5.; 6. ])
    near 1e-12 (log 720.0) (d (diag.LogAbsDetJacobian(Torch.Zeros([| 1L; k |], f64)))) "diagonal: sum log sigma_k"

// ---- Q3: ECLL and amortised vs per-instance inference (z ~ N(0,1), x | z ~ N(theta z + 1, 1): all exact) ----

let private posterior (theta: float) (x: float) =
    let prec = 1.0 + theta * theta
    Normal(theta * (x - 1.0) / prec, 1.0 / sqrt prec)
let private logEvidence (theta: float) (x: float) = d (Normal(1.0, sqrt (1.0 + theta * theta)).LogProb(num x))

let ``Mila Q3.1: for fixed q, ECLL(theta) = log p_theta(x) - KL(q || p_theta(z|x)) + const (the entropy of q)`` () =
    let x = 1.7
    let q = Normal(0.2, 0.6)
    let ecll (theta: float) =
        Quadrature.IntegrateScalar((fun z -> q.Prob(z) * (Normal(0.0, 1.0).LogProb(z) + Normal(z * theta + 1.0, Torch.OnesLike(z)).LogProb(num x))), -10.0, 10.0)
    let consts = [ for theta in [ -1.0; 0.3; 2.0 ] -> ecll theta - (logEvidence theta x - d (Kl.Divergence(q, posterior theta x))) ]
    for c in consts do near 1e-9 (-(d (q.Entropy()))) c "ECLL - (log p - KL) = -H(q)"

let ``Mila Q3.2: the amortised q_phi*(z|x_i) never has smaller KL to the posterior than the fitted per-instance optimum q_i*`` () =
    let theta = 1.5
    use g = gen 65UL
    let xs = arr (randn g [ 20L ] * 2.0 + 1.0)
    use xt = tensor (List.ofArray xs)
    // per-instance: q_i = N(m_i, s_i^2) fitted to each x_i by gradient ascent on its own ELBO, evaluated by reparameterised
    // Simpson quadrature (z = m + s t, t ~ N(0, 1) on [-10, 10]) of log N(z; 0, 1) + log N(x_i; theta z + 1, 1), plus
    // H(q_i) = log s_i + const. No closed form and no posterior enters the fit.
    use tg = Quadrature.Grid(-10.0, 10.0, 401L)
    use tw = Quadrature.SimpsonWeights(401L, 0.05) * Normal(0.0, 1.0).Prob(tg)            // (401)
    let elbo (ps: Tensor[]) =
        let z = ps.[0].Unsqueeze(1L) + ps.[1].Exp().Unsqueeze(1L) * tg.Unsqueeze(0L)      // (20, 401)
        let lj = Normal(0.0, 1.0).LogProb(z) + Normal(z * theta + 1.0, Torch.OnesLike(z)).LogProb(xt.Unsqueeze(1L))
        (lj * tw).Sum() + ps.[1].Sum()
    // the ELBO is concave per point with curvature -(1 + theta^2) in m and -2 in log s at the optimum: lr 0.1 contracts
    // by at most 0.8 per step, so 500 steps leave ~1e-48
    let fittedQ = ascend 0.1 500 elbo [| Torch.Zeros([| 20L |], f64); Torch.Zeros([| 20L |], f64) |]
    use perInstance = Kl.Divergence(Normal(fittedQ.[0], fittedQ.[1].Exp()), Normal((xt - 1.0) * (theta / (1.0 + theta * theta)), Torch.OnesLike(xt) * (1.0 / sqrt (1.0 + theta * theta))))
    // the Gaussian family holds the exact posterior, so the fitted q_i* reaches it: KL = 0 up to the ascent's rounding
    allNear 1e-9 (Torch.Zeros([| 20L |], f64)) perInstance "KL(q_i* || posterior)"
    for i in [ 0; 7; 19 ] do
        let post = posterior theta xs.[i]
        near 1e-8 (d post.Loc) (arr fittedQ.[0]).[i] (sprintf "m_%d = theta (x - 1) / (1 + theta^2)" i)
    // amortised encoder q_phi(z|x) = N(a x, exp(c)^2) (no bias: it cannot represent the posterior mean theta(x - 1)/(1 + theta^2))
    let post = posterior theta 0.0
    let postMean = (xt - 1.0) * (theta / (1.0 + theta * theta))
    let totalKl (ps: Tensor[]) = Kl.Divergence(Normal(xt * ps.[0], ps.[1].Exp().Expand(20L)), Normal(postMean, post.Scale.Expand(20L))).Sum()
    let fitted = ascend 0.01 3000 (fun ps -> -(totalKl ps)) [| num 0.0; num 0.0 |]
    use amortised = Kl.Divergence(Normal(xt * fitted.[0], fitted.[1].Exp().Expand(20L)), Normal(postMean, post.Scale.Expand(20L)))
    let pi = arr perInstance
    Array.iteri (fun i a -> if a < pi.[i] - 1e-12 then failwithf "point %d: amortised KL %g < per-instance %g" i a pi.[i]) (arr amortised)
    Assert.True(d (amortised.Sum()) > 0.1, "the restricted encoder leaves a positive total gap")
    // the amortised optimum in closed form: all posteriors share the variance 1/(1 + theta^2), which the encoder can
    // match, so the total KL is min_a sum_i (a x_i - m_i)^2 (1 + theta^2) / 2 at a = sum x m / sum x^2 (Q3.3a: the
    // amortised ELBO's bias of log p(x) is this gap; the per-instance one has none)
    let ms = xs |> Array.map (fun x -> theta * (x - 1.0) / (1.0 + theta * theta))
    let aStar = Array.fold2 (fun acc x m -> acc + x * m) 0.0 xs ms / Array.sumBy (fun x -> x * x) xs
    let closed = Array.fold2 (fun acc x m -> acc + (aStar * x - m) ** 2.0) 0.0 xs ms * (1.0 + theta * theta) / 2.0
    near 1e-6 closed (d (amortised.Sum())) "total amortised KL = its closed-form minimum"

// ---- Q4: the importance-weighted bound L_K (z ~ N(0,1), x | z ~ N(z, 1), x = 2, proposal q = N(0, 1)) ----

let private xObs = 2.0
let private logPx = d (Normal(0.0, sqrt 2.0).LogProb(num xObs))
let private logJoint (z: Tensor) = Normal(0.0, 1.0).LogProb(z) + Normal(z, Torch.OnesLike(z)).LogProb(num xObs)
let private q4 = Normal(0.0, 1.0)
let private logW (z: Tensor) = logJoint z - q4.LogProb z

let ``Mila Q4: L_1 <= L_K <= log p(x) and L_K is non-decreasing in K (Monte Carlo with 4 SE margins)`` () =
    use g = gen 66UL
    let m = 4000L
    let bounds = [ for k in [ 1L; 2L; 8L; 64L ] -> use z = q4.Sample(m * k, g).View(m, k) in Iwae.Bound(logW z) ]
    // L_1 is the ELBO: log p(x,z) - log q(z) = log N(x; z, 1) here, so E_q = -(x^2 + 1)/2 - 1/2 log 2pi = -3.419 for x = 2
    let elbo = Quadrature.IntegrateScalar((fun z -> q4.Prob(z) * logW z), -12.0, 12.0)
    near 1e-10 (-(xObs * xObs + 1.0) / 2.0 - 0.5 * log (2.0 * Math.PI)) elbo "ELBO closed form"
    // sd of log w under q: Var log N(x; z, 1) = Var((x - z)^2 / 2) = x^2 + 1/2 for z ~ N(0, 1)
    let sd1 = sqrt (xObs * xObs + 0.5)
    // 4.5 SE on each of the checks below: overall false failure < 1e-4
    covers 4.5 elbo sd1 bounds.[0] "L_1 = ELBO"
    for b in bounds do
        if b.Mean > logPx + 4.5 * b.StdErr then failwithf "L_K estimate %O exceeds log p(x) = %g" b logPx
    for (a, b) in List.pairwise bounds do
        if b.Mean < a.Mean - 4.5 * sqrt (a.StdErr ** 2.0 + b.StdErr ** 2.0) then failwithf "L_K fell: %O -> %O" a b
    Assert.True(logPx - bounds.[3].Mean < 0.2 * (logPx - bounds.[0].Mean), "L_64 should close most of the ELBO's gap")

let ``Mila Q4.1: the refined proposal q~ written out for K = 2 matches Iwae.LogRefinedProposal, and log p(x, z_1) - log q~ = log (1/K) sum_j w_j`` () =
    use g = gen 67UL
    // K = 2 by hand: q~(z_1 | z_2) = p(x, z_1) / ((w(z_1) + w(z_2)) / 2) with p(x, z) = phi(z) phi(x - z), q = phi, w(z) = phi(x - z)
    let phi (v: float) = exp (-v * v / 2.0) / sqrt (2.0 * Math.PI)
    use z2 = q4.Sample(40L * 2L, g).View(40L, 2L)                      // (40, K = 2)
    let za = arr z2
    let byHand = [ for i in 0 .. 39 -> let a, b = za.[2 * i], za.[2 * i + 1] in log (phi a * phi (xObs - a) / ((phi (xObs - a) + phi (xObs - b)) / 2.0)) ]
    use a1 = z2.Select(1L, 0L)
    use viaIwae = Iwae.LogRefinedProposal(logJoint a1, q4.LogProb a1, (logW z2).Narrow(1L, 1L, 1L))
    allNear 1e-12 (tensor byHand) viaIwae "log q~ for K = 2"
    // K = 5: the pointwise identity, against Iwae.LogMeanWeight
    use z = q4.Sample(500L * 5L, g).View(500L, 5L)                     // (500, K = 5)
    use lw = logW z
    use z1 = z.Select(1L, 0L)
    use lhs = logJoint z1 - Iwae.LogRefinedProposal(logJoint z1, q4.LogProb z1, lw.Narrow(1L, 1L, 4L))
    allNear 1e-12 (Iwae.LogMeanWeight lw) lhs "pointwise"

let ``Mila Q4.2: q_K = E[q~] is a density and L_1[q_K] >= L_K (K = 2 by quadrature, K = 5 by Monte Carlo)`` () =
    // K = 2: q_2(z) = p(x, z) int q(z2) 2 / (w(z) + w(z2)) dz2, double quadrature on [-10, 10]
    let n = 801L
    use grid = Quadrature.Grid(-10.0, 10.0, n)
    use wts = Quadrature.SimpsonWeights(n, 20.0 / float (n - 1L))
    use w = (logW grid).Exp()                                           // (n)
    use qz = q4.Prob(grid)
    use inner = ((w.Unsqueeze(1L) + w.Unsqueeze(0L)).Reciprocal() * 2.0 * (qz * wts).Unsqueeze(0L)).Sum(1L) // (n) over z2
    use q2 = (logJoint grid).Exp() * inner
    near 1e-8 1.0 (d ((q2 * wts).Sum())) "int q_2 = 1"
    let l1q2 = d ((wts * q2 * (logJoint grid - q2.Log())).Sum())
    use pairLog = ((w.Unsqueeze(1L) + w.Unsqueeze(0L)) / 2.0).Log()
    let l2 = d ((pairLog * (qz * wts).Unsqueeze(1L) * (qz * wts).Unsqueeze(0L)).Sum())
    let l1 = d ((wts * qz * logW grid).Sum())
    if not (l1 <= l2 && l2 <= l1q2 && l1q2 <= logPx + 1e-9) then failwithf "expected L_1 %g <= L_2 %g <= L_1[q_2] %g <= log p(x) %g" l1 l2 l1q2 logPx
    // K = 5: int q_K = E[K w_1 / sum_j w_j] = 1 (4 SE: false failure ~6e-5)
    use g = gen 68UL
    use z = q4.Sample(20000L * 5L, g).View(20000L, 5L)
    use lw = logW z
    // K w_1 / sum_j w_j lies in [0, K] and has mean 1, so its variance is at most E[X^2] <= K E[X] = 5: sd <= sqrt 5
    coversWithin 4.0 1.0 (sqrt 5.0) (MonteCarlo.Mean(lw.Softmax(1L).Select(1L, 0L) * 5.0)) "int q_5"

// ---- Q5: invertibility of flows ----

let ``Mila Q5.1: g(z) = a ReLU(bz + c) is not invertible: the monotone inverter's answer is one of many preimages, and a slope-0 leaky-ReLU flow is refused`` () =
    let a, b, c = 2.0, 1.0, 0.5
    let inner = AffineFlow(tensor [ c ], tensor [ b ])                  // z -> b z + c
    let gz (z: Tensor) = inner.Forward(z.Unsqueeze(1L)).Squeeze(1L).LeakyRelu(0.0) * a   // leaky ReLU with slope 0 = ReLU
    use y = tensor [ 0.0; 3.0 ]
    use z = Monotone.InvertIncreasing(gz, y)
    allNear 1e-10 y (gz z) "g(g^-1(y)) = y"
    // y = 3 > 0 has the single preimage (y / a - c) / b = 1; y = 0 has every z <= -c / b: one unit left is another
    near 1e-10 1.0 (arr z).[1] "the preimage of 3"
    use other = gz (z - 1.0)
    near 0.0 0.0 (arr other).[0] "g(z0 - 1) = g(z0) = 0: two inputs, one output"
    // the leaky-ReLU flow's log|det J| on z < 0 is log(slope) -> -inf as slope -> 0, and slope 0 is refused
    near 1e-12 (log 1e-6) (d (LeakyReluFlow(1e-6).LogAbsDetJacobian(tensor2 1L 1L [ -1.0 ]))) "log|det J| at slope 1e-6"
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> LeakyReluFlow(0.0) |> ignore) |> ignore

let ``Mila Q5.2: the sigmoid-mixture g = logit(sum w_i sigmoid(a_i z + b_i)) is strictly increasing and inverts (property over random parameters)`` () =
    let prop (seed: uint16) =
        use g = gen (uint64 seed)
        let w = (randn g [ 4L ]).Softmax(0L)
        let a = (randn g [ 4L ]).Exp()
        let b = randn g [ 4L ] * 3.0
        let map = SigmoidMixtureMap(w, a, b)
        let z = Torch.Linspace(-12.0, 12.0, 241L, f64).RequiresGrad_()
        let dg = Autograd.Grad(map.Forward(z).Sum(), z)
        let increasing = d (dg.Min()) > 0.0
        use zs = Torch.Linspace(-6.0, 6.0, 25L, f64)
        increasing && map.Inverse(map.Forward(zs)).AllClose(zs, 0.0, 1e-8)
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(20), prop)

let ``Mila Q5.3: the residual g(z) = z + f(z) with f' > -1 is invertible (Newton), a contraction f by fixed point; f' < -1 breaks injectivity`` () =
    use g = gen 69UL
    use x = randn g [ 50L ] * 4.0
    // f(z) = 0.95 sin(z) + 0.5 tanh(3z): f' >= -0.95 > -1, but Lip f = 2.45, so no fixed-point guarantee
    let r1 = ResidualMap(fun z -> z.Sin() * 0.95 + (z * 3.0).Tanh() * 0.5)
    allNear 1e-9 x (r1.Forward(r1.InverseNewton(x))) "Newton inverse"
    // f(z) = 0.6 cos(z): a contraction, the fixed point z = x - f(z) is the inverse
    let r2 = ResidualMap(fun z -> z.Cos() * 0.6)
    allNear 1e-10 x (r2.Forward(r2.InverseFixedPoint(x))) "fixed-point inverse"
    // f(z) = -2 tanh(z) has f'(0) = -2 < -1: g(0) = g(z*) = 0 with z* = 2 tanh z* (about 1.915)
    let r3 = ResidualMap(fun z -> z.Tanh() * -2.0)
    let zStar = Seq.fold (fun z _ -> 2.0 * tanh z) 1.0 [ 1 .. 200 ]
    near 1e-12 0.0 (d (r3.Forward(tensor [ zStar ]))) "g(z*) = g(0) = 0"

let ``Mila Q5.4: the radial flow with beta >= -alpha has a unique r and direction: closed-form inverse round-trips; log|det J| matches autograd`` () =
    use g = gen 70UL
    use z0 = tensor [ 0.5; -1.0; 0.3 ]
    for (alpha, beta) in [ (1.0, 2.0); (0.7, -0.7); (2.0, -1.5) ] do
        let flow = RadialFlow(z0, alpha, beta)
        use z = randn g [ 40L; 3L ] * 2.0
        allNear 1e-10 z (flow.Inverse(flow.Forward(z))) (sprintf "round trip, alpha %g beta %g" alpha beta)
        // r -> r + beta r / (alpha + r) is strictly increasing on r > 0
        use r = Torch.Linspace(1e-6, 50.0, 5000L, f64)
        use s = r + r * beta / (r + alpha)
        Assert.True(d ((s.Narrow(0L, 1L, 4999L) - s.Narrow(0L, 0L, 4999L)).Min()) > 0.0, "s(r) increasing")
        let ld = arr (flow.LogAbsDetJacobian(z))
        for i in 0L .. 3L do
            let j = Autograd.Jacobian((fun t -> flow.Forward(t.Unsqueeze(0L))), z.Select(0L, i))
            let struct (_, la) = Linalg.SlogDet(j)
            near 1e-10 (d la) ld.[int i] (sprintf "log|det J| row %d" i)
    // in D = 1 with z0 = 0 the radial flow is the residual map z + beta z / (alpha + |z|) (checked at alpha 1, beta -1);
    // with beta < -alpha it is not injective: alpha = 1, beta = -3 maps r = 0.5 and r = 1 to the same -0.5, so
    // z0 + 0.5 u and z0 + u have the same image; the constructor refuses such beta
    let radial1d (alpha: float) (beta: float) = ResidualMap(fun z -> z * beta / (z.Abs() + alpha))
    use zs = tensor [ -2.0; -0.3; 0.4; 1.7 ]
    allNear 1e-14 (RadialFlow(tensor [ 0.0 ], 1.0, -1.0).Forward(zs.Unsqueeze(1L)).Squeeze(1L)) ((radial1d 1.0 -1.0).Forward(zs)) "1-D radial = residual map"
    use twoRadii = (radial1d 1.0 -3.0).Forward(tensor [ 0.5; 1.0 ])
    allNear 1e-15 (tensor [ -0.5; -0.5 ]) twoRadii "two radii, one image"
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> RadialFlow(z0, 1.0, -3.0) |> ignore) |> ignore

// ---- Q6: GAN dynamics on V(d, g) = d g ----

let ``Mila Q6: simultaneous GDA on V=dg is x_{k+1} = A x_k with A = [[1, a], [-a, 1]] (autograd step vs the matrix)`` () =
    let a = 0.1
    use traj = GanDynamics.Simulate(0.7, -0.4, a, 1)
    use step = GanDynamics.UpdateMatrix(a).MatMul(tensor [ 0.7; -0.4 ])
    allNear 1e-14 step (traj.Select(0L, 1L)) "one step"
    allNear 0.0 (tensor [ 1.0; a; -a; 1.0 ]) (GanDynamics.UpdateMatrix(a)) "A"

let ``Mila Q6: the only stationary point of GDA on V=dg is (0, 0)`` () =
    let a = 0.1
    use traj = GanDynamics.Simulate(0.0, 0.0, a, 5)
    allNear 0.0 (Torch.Zeros([| 6L; 2L |], f64)) traj "(0, 0) stays put"
    // A x = x has only x = 0: det(A - I) = a^2 != 0
    use m = GanDynamics.UpdateMatrix(a) - Torch.Eye(2L, dtype = f64)
    near 1e-15 (a * a) (d (Linalg.Det m)) "det(A - I)"

let ``Mila Q6: simultaneous GDA on V=dg spirals out, |lambda| = sqrt(1+a^2)`` () =
    let a = 0.1
    let struct (re, im) = Linalg.Eigvals(GanDynamics.UpdateMatrix(a))
    allNear 1e-12 (tensor [ 1.0; 1.0 ]) re "Re lambda"
    allNear 1e-12 (tensor [ a; a ]) (im.Abs()) "|Im lambda|"
    use traj = GanDynamics.Simulate(1.0, 0.0, a, 200)
    use norms = traj.Norm(2.0, [| 1L |])
    for k in [ 0; 50; 200 ] do
        near (1e-9 * Math.Pow(1.0 + a * a, float k / 2.0)) (Math.Pow(1.0 + a * a, float k / 2.0)) (arr norms).[k] (sprintf "|x_%d|" k)
    // it rotates as it grows: the angle advances by atan(a) each step
    let ang k = Math.Atan2((arr traj).[2 * k + 1], (arr traj).[2 * k])
    near 1e-9 (-atan a) (ang 1) "rotation per step"

let ``Mila Q6: alternating GDA on V=dg has det A = 1 and stays bounded (a < 2)`` () =
    let a = 0.1
    near 1e-15 1.0 (d (Linalg.Det(GanDynamics.UpdateMatrix(a, GdaScheme.Alternating)))) "det A"
    use traj = GanDynamics.Simulate(1.0, 0.0, a, 2000, GdaScheme.Alternating)
    use norms = traj.Norm(2.0, [| 1L |])
    if d (norms.Max()) > 1.2 then failwithf "alternating GDA drifted out to %g" (d (norms.Max()))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Seeds.MilaDgmTests" [
        Expecto.Tests.testCase "Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid(masks: \"AA\")" (fun () -> ``Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid`` "AA")
        Expecto.Tests.testCase "Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid(masks: \"AB\")" (fun () -> ``Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid`` "AB")
        Expecto.Tests.testCase "Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid(masks: \"BA\")" (fun () -> ``Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid`` "BA")
        Expecto.Tests.testCase "Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid(masks: \"BB\")" (fun () -> ``Mila Q1: receptive field of output pixel (3,4) for masks AA, AB, BA, BB found by autograd equals the hand-derived grid`` "BB")
        Expecto.Tests.testCase "Mila Q1: the masks are M^A = [[0,0,0],[1,0,0],[1,1,1]] and M^B = [[0,0,0],[1,1,0],[1,1,1]]" ``Mila Q1: the masks are M^A = [[0,0,0],[1,0,0],[1,1,1]] and M^B = [[0,0,0],[1,1,0],[1,1,1]]``
        Expecto.Tests.testCase "Mila Q2.1: g(z0) = mu + sigma * z0 has density N(mu, diag(sigma^2)) by change of variables; J = diag(sigma)" ``Mila Q2.1: g(z0) = mu + sigma * z0 has density N(mu, diag(sigma^2)) by change of variables; J = diag(sigma)``
        Expecto.Tests.testCase "Mila Q2.3: g(z0) = mu + S z0 has density N(mu, S S^T) by change of variables" ``Mila Q2.3: g(z0) = mu + S z0 has density N(mu, S S^T) by change of variables``
        Expecto.Tests.testCase "Mila Q2.2 and Q2.4: log|det J| is O(K) for diagonal and triangular S (only the K diagonal entries are read) and needs the whole matrix in general" ``Mila Q2.2 and Q2.4: log|det J| is O(K) for diagonal and triangular S (only the K diagonal entries are read) and needs the whole matrix in general``
        Expecto.Tests.testCase "Mila Q3.1: for fixed q, ECLL(theta) = log p_theta(x) - KL(q || p_theta(z|x)) + const (the entropy of q)" ``Mila Q3.1: for fixed q, ECLL(theta) = log p_theta(x) - KL(q || p_theta(z|x)) + const (the entropy of q)``
        Expecto.Tests.testCase "Mila Q3.2: the amortised q_phi*(z|x_i) never has smaller KL to the posterior than the fitted per-instance optimum q_i*" ``Mila Q3.2: the amortised q_phi*(z|x_i) never has smaller KL to the posterior than the fitted per-instance optimum q_i*``
        Expecto.Tests.testCase "Mila Q4: L_1 <= L_K <= log p(x) and L_K is non-decreasing in K (Monte Carlo with 4 SE margins)" ``Mila Q4: L_1 <= L_K <= log p(x) and L_K is non-decreasing in K (Monte Carlo with 4 SE margins)``
        Expecto.Tests.testCase "Mila Q4.1: the refined proposal q~ written out for K = 2 matches Iwae.LogRefinedProposal, and log p(x, z_1) - log q~ = log (1/K) sum_j w_j" ``Mila Q4.1: the refined proposal q~ written out for K = 2 matches Iwae.LogRefinedProposal, and log p(x, z_1) - log q~ = log (1/K) sum_j w_j``
        Expecto.Tests.testCase "Mila Q4.2: q_K = E[q~] is a density and L_1[q_K] >= L_K (K = 2 by quadrature, K = 5 by Monte Carlo)" ``Mila Q4.2: q_K = E[q~] is a density and L_1[q_K] >= L_K (K = 2 by quadrature, K = 5 by Monte Carlo)``
        Expecto.Tests.testCase "Mila Q5.1: g(z) = a ReLU(bz + c) is not invertible: the monotone inverter's answer is one of many preimages, and a slope-0 leaky-ReLU flow is refused" ``Mila Q5.1: g(z) = a ReLU(bz + c) is not invertible: the monotone inverter's answer is one of many preimages, and a slope-0 leaky-ReLU flow is refused``
        Expecto.Tests.testCase "Mila Q5.2: the sigmoid-mixture g = logit(sum w_i sigmoid(a_i z + b_i)) is strictly increasing and inverts (property over random parameters)" ``Mila Q5.2: the sigmoid-mixture g = logit(sum w_i sigmoid(a_i z + b_i)) is strictly increasing and inverts (property over random parameters)``
        Expecto.Tests.testCase "Mila Q5.3: the residual g(z) = z + f(z) with f' > -1 is invertible (Newton), a contraction f by fixed point; f' < -1 breaks injectivity" ``Mila Q5.3: the residual g(z) = z + f(z) with f' > -1 is invertible (Newton), a contraction f by fixed point; f' < -1 breaks injectivity``
        Expecto.Tests.testCase "Mila Q5.4: the radial flow with beta >= -alpha has a unique r and direction: closed-form inverse round-trips; log|det J| matches autograd" ``Mila Q5.4: the radial flow with beta >= -alpha has a unique r and direction: closed-form inverse round-trips; log|det J| matches autograd``
        Expecto.Tests.testCase "Mila Q6: simultaneous GDA on V=dg is x_{k+1} = A x_k with A = [[1, a], [-a, 1]] (autograd step vs the matrix)" ``Mila Q6: simultaneous GDA on V=dg is x_{k+1} = A x_k with A = [[1, a], [-a, 1]] (autograd step vs the matrix)``
        Expecto.Tests.testCase "Mila Q6: the only stationary point of GDA on V=dg is (0, 0)" ``Mila Q6: the only stationary point of GDA on V=dg is (0, 0)``
        Expecto.Tests.testCase "Mila Q6: simultaneous GDA on V=dg spirals out, |lambda| = sqrt(1+a^2)" ``Mila Q6: simultaneous GDA on V=dg spirals out, |lambda| = sqrt(1+a^2)``
        Expecto.Tests.testCase "Mila Q6: alternating GDA on V=dg has det A = 1 and stays bounded (a < 2)" ``Mila Q6: alternating GDA on V=dg has det A = 1 and stays bounded (a < 2)``
    ]
