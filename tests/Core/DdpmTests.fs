/// DdpmTests.fs: DDPM on Gaussian data against closed forms — schedules, forward marginals, the optimal epsilon-predictor, the bound's terms, exact-predictor sampling — and training.
module GenDsl.Tests.Core.DdpmTests

open System
open Xunit
open GenDsl.Data
open GenDsl.Torch
open GenDsl.Torch.Optim
open GenDsl.Training
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

// Data x_0 ~ N(m, s^2 I) in 2-D.
let private m = [| 1.0; -0.5 |]
let private s2 = 0.25
let private dataMean () = Torch.Tensor<float>(m, 1L, 2L)

let private gaussianData (g: Generator) (n: int64) =
    use z = Torch.Randn([| n; 2L |], g, f64)
    use mu = dataMean ()
    z * sqrt s2 + mu

/// The exact epsilon-predictor for that data: x_t ~ N(sqrt(ab) m, ab s^2 + 1 - ab) jointly Gaussian with eps, so
/// E[eps | x_t] = sqrt(1 - ab) (x_t - sqrt(ab) m) / (ab s^2 + 1 - ab).
let private exactEps (q: DiffusionSchedule) =
    Func<Tensor, Tensor, Tensor>(fun xt t ->
        use tl = t.To(ScalarType.Int64)
        use ab = Diffusion.At((fun s -> q.AlphaBar(s)), tl, xt)
        use mu = dataMean ()
        (1.0 - ab).Sqrt() * (xt - ab.Sqrt() * mu) / (ab * s2 + 1.0 - ab))

/// E|eps - E[eps | x_t]|^2 per element = Var(eps | x_t) = ab s^2 / (ab s^2 + 1 - ab).
let private minMse (ab: float) = ab * s2 / (ab * s2 + 1.0 - ab)

let ``DDPM schedules: linear runs from beta_1 to beta_T; cosine has alpha-bar_t = f(t)/f(0) until the 0.999 clip`` () =
    let l = DiffusionSchedule.Linear(1000, 1e-4, 0.02)
    closeScalar 1e-15 1e-4 (l.Beta 1)
    closeScalar 1e-15 0.02 (l.Beta 1000)
    closeScalar 1e-15 (1e-4 + 0.0199 * 499.0 / 999.0) (l.Beta 500)
    let c = DiffusionSchedule.Cosine(100)
    let f (t: int) = cos ((float t / 100.0 + 0.008) / 1.008 * Math.PI / 2.0) ** 2.0
    for t in [ 1; 10; 50; 90 ] do closeScalar 1e-12 (f t / f 0) (c.AlphaBar t)
    Assert.Equal(0.999, c.Beta 100)   // f(T) = 0 would give beta_T = 1: clipped
    // beta-tilde_t = beta_t (1 - ab_{t-1}) / (1 - ab_t) is 0 at t = 1 and below beta_t after
    Assert.Equal(0.0, l.PosteriorVariance 1)
    Assert.True(l.PosteriorVariance 2 < l.Beta 2)
    throws<ArgumentException> "betaStart <= betaEnd" (fun () -> box (DiffusionSchedule.Linear(10, 0.1, 0.01)))

let ``DDPM forward process: t steps of q(x_t | x_{t-1}) give q(x_t | x_0) = N(sqrt(ab_t) x_0, 1 - ab_t) (moments within 4 SE)`` (cosine: int) =
    let q = if cosine = 1 then DiffusionSchedule.Cosine(200) else DiffusionSchedule.Linear(1000)
    use g = new Generator(31UL)
    let n = 20000L
    use x0 = Torch.Tensor<float>([| 1.5; -2.0 |], 1L, 2L).Expand(n, 2L).Contiguous()
    let mutable x = x0.Clone()
    for t in 1 .. 120 do
        let b = q.Beta t
        let next = sqrt (1.0 - b) * x + sqrt b * Torch.Randn([| n; 2L |], g, f64)
        x.Dispose()
        x <- next
        if t = 30 || t = 120 then
            let ab = q.AlphaBar t
            // mean: SE sqrt((1 - ab) / n); variance: SE (1 - ab) sqrt(2 / (n - 1)); 4 SE each, 8 checks per t
            let mean, var = vals (x.Mean([| 0L |])), vals (x.Var([| 0L |]))
            for d in 0 .. 1 do
                let mTrue = sqrt ab * [| 1.5; -2.0 |].[d]
                if abs (mean.[d] - mTrue) > 4.0 * sqrt ((1.0 - ab) / float n) then failwithf "t=%d mean %g vs %g" t mean.[d] mTrue
                if abs (var.[d] - (1.0 - ab)) > 4.0 * (1.0 - ab) * sqrt (2.0 / float (n - 1L)) then failwithf "t=%d var %g vs %g" t var.[d] (1.0 - ab)
    x.Dispose()
    // and QSample is that marginal's reparameterisation
    use eps = Torch.Randn([| 3L; 2L |], g, f64)
    use tt = Torch.Tensor<int64>([| 1L; 30L; 120L |], 3L)
    use xt = Diffusion.QSample(q, x0.Narrow(0L, 0L, 3L), tt, eps)
    for i, t in [ 0, 1; 1, 30; 2, 120 ] do
        let ab = q.AlphaBar t
        close 1e-12 [ sqrt ab * 1.5 + sqrt (1.0 - ab) * eps.[int64 i, 0L].ToDouble(); sqrt ab * -2.0 + sqrt (1.0 - ab) * eps.[int64 i, 1L].ToDouble() ] xt.[int64 i]

let ``DDPM on Gaussian data: the closed-form epsilon-predictor attains the minimal simple loss Var(eps | x_t), and perturbing it costs`` () =
    let q = DiffusionSchedule.Linear(1000)
    let exact = exactEps q
    use g = new Generator(32UL)
    let n = 20000L
    for t in [ 10; 200; 600 ] do
        use x0 = gaussianData g n
        use eps = Torch.Randn([| n; 2L |], g, f64)
        use tt = Torch.Full([| n |], t, ScalarType.Int64)
        use xt = Diffusion.QSample(q, x0, tt, eps)
        use pred = exact.Invoke(xt, tt.To(f64))
        use sq = (pred - eps).Square()
        let e = MonteCarlo.Mean(sq)
        // 40000 squared errors (independent across examples and dims): 4 reported SEs
        let want = minMse (q.AlphaBar t)
        if abs (e.Mean - want) > 4.0 * e.StdErr then failwithf "t=%d: E|eps* - eps|^2 %O, closed form %g" t e want
        // perturbing it costs (c - 1)^2 E eps*^2 = (c - 1)^2 (1 - Var(eps | x_t)) in expectation: 0.002 at t = 200 and more
        // later, against a cross term of SE ~0.0005 (at t = 10, eps* is nearly 0 and a scaling costs almost nothing)
        if t >= 200 then
            for scale in [ 0.8; 1.2 ] do
                use worse = (pred * scale - eps).Square().Mean()
                Assert.True(worse.ToDouble() > e.Mean, sprintf "t=%d: scaling the predictor by %g should cost" t scale)
    // the simple loss over uniform t is the average of the minima: 20 batches, mean +- 4 SE of the batch means
    let batches = [| for _ in 1 .. 20 -> (use x0 = gaussianData g 2000L in Diffusion.SimpleLoss(q, exact, x0, g).ToDouble()) |]
    let want = [ 1 .. 1000 ] |> List.averageBy (fun t -> minMse (q.AlphaBar t))
    let se = sqrt ((batches |> Array.map (fun b -> (b - Array.average batches) ** 2.0) |> Array.sum) / 19.0 / 20.0)
    if abs (Array.average batches - want) > 4.0 * se then failwithf "simple loss %g vs %g (SE %g)" (Array.average batches) want se

let ``DDPM bound: L_{t-1} = KL(q(x_{t-1}|x_t,x_0) || p) equals its closed form in the noise error for any predictor`` (posterior: int) =
    let q = DiffusionSchedule.Linear(1000)
    let v = if posterior = 1 then DdpmVariance.Posterior else DdpmVariance.Beta
    use g = new Generator(33UL)
    for t in [ 2; 50; 700; 1000 ] do
        use x0 = gaussianData g 5L
        use eps = Torch.Randn([| 5L; 2L |], g, f64)
        use epsHat = Torch.Randn([| 5L; 2L |], g, f64)
        use tt = Torch.Full([| 5L |], t, ScalarType.Int64)
        use xt = Diffusion.QSample(q, x0, tt, eps)
        let sig2, bt = Diffusion.ModelVariance(q, v, t), q.PosteriorVariance t
        use kl = Diffusion.GaussianKl(Diffusion.PosteriorMean(q, x0, xt, tt), bt, Diffusion.ModelMean(q, xt, tt, epsHat), sig2)
        // mu-tilde - mu = beta_t / (sqrt(alpha_t) sqrt(1 - ab_t)) (eps-hat - eps)
        let w = q.Beta t ** 2.0 / (2.0 * sig2 * (1.0 - q.Beta t) * (1.0 - q.AlphaBar t))
        use want = 2.0 * 0.5 * (log (sig2 / bt) + bt / sig2 - 1.0) + w * (epsHat - eps).Square().Sum([| 1L |])
        close 1e-9 (vals want) kl

let ``DDPM bound on Gaussian data with the exact predictor: L_T, L_{t-1} and L_0 match their closed forms, and the bound sits just above the entropy`` () =
    let q = DiffusionSchedule.Linear(1000)
    use g = new Generator(34UL)
    let n = 20000L
    use x0 = gaussianData g n
    use terms = Diffusion.BoundTerms(q, exactEps q, x0, g)                                 // (n, T + 1)
    Assert.Equal<int64 list>([ n; 1001L ], shape terms)
    // L_T per example, exactly: 0.5 sum_d (ab_T x0^2 + (1 - ab_T) - 1 - log(1 - ab_T))
    let abT = q.AlphaBar 1000
    use lt = 0.5 * (abT * x0.Square() + (1.0 - abT) - 1.0 - log (1.0 - abT)).Sum([| 1L |])
    close 1e-10 (vals lt) (terms.Select(1L, 1000L))
    // E L_{t-1} = D w_t Var(eps | x_t) (sigma^2 = beta_t: the variance terms 0.5 D (log(b/bt) + bt/b - 1) added);
    // E L_0 = D/2 log(2 pi beta_1) + D Var(eps | x_1) / (2 alpha_1). 4 SEs of each column's mean
    let expected t =
        if t = 1 then log (2.0 * Math.PI * q.Beta 1) + minMse (q.AlphaBar 1) / (1.0 - q.Beta 1)
        else
            let b, bt = q.Beta t, q.PosteriorVariance t
            2.0 * 0.5 * (log (b / bt) + bt / b - 1.0) + 2.0 * b * b / (2.0 * b * (1.0 - b) * (1.0 - q.AlphaBar t)) * minMse (q.AlphaBar t)
    for t in [ 1; 2; 10; 100; 500; 1000 ] do
        use col = terms.Select(1L, int64 (t - 1))
        let e = MonteCarlo.Mean(col)
        if abs (e.Mean - expected t) > 4.0 * e.StdErr then failwithf "L_%d: %O, closed form %g" (t - 1) e (expected t)
    // the whole bound: its mean within 4 SE of the closed-form total (0.7269 nats per dim), which exceeds the data's
    // entropy D/2 log(2 pi e s^2) = 1.4516 nats by about 0.002
    use total = terms.Sum([| 1L |])
    let e = MonteCarlo.Mean(total)
    let closed = expected 1 + ([ 2 .. 1000 ] |> List.sumBy expected) + (abT * (m.[0] ** 2.0 + m.[1] ** 2.0 + 2.0 * s2) + 2.0 * (1.0 - abT) - 2.0 - 2.0 * log (1.0 - abT)) / 2.0
    let entropy = log (2.0 * Math.PI * Math.E * s2)
    if abs (e.Mean - closed) > 4.0 * e.StdErr then failwithf "bound %O, closed form %g" e closed
    Assert.True(closed > entropy && closed - entropy < 0.01, sprintf "closed-form bound %g vs entropy %g" closed entropy)

let ``DDPM's discretised decoder: the Gaussian masses of the K bins on [-1, 1] sum to 1 and match the CDF differences`` (k: int) =
    use g = new Generator(38UL)
    use levels = Torch.Linspace(-1.0, 1.0, int64 k, f64).View(int64 k, 1L)                   // (K, 1): every level once
    for _ in 1 .. 3 do
        let mu, sd = Torch.Randn([| 1L |], g, f64).ToDouble() * 0.5, 0.05 + Torch.Rand([| 1L |], g, f64).ToDouble()
        use muT = Torch.Full([| int64 k; 1L |], mu, f64)
        use nll = Diffusion.DiscretisedNll(levels, muT, sd, k)                                   // (K)
        // float64 sums of K masses: 1e-10
        closeScalar 1e-10 1.0 (nll.Neg().Exp().Sum().ToDouble())
        // an inner bin's mass is Phi((x + h - mu)/sd) - Phi((x - h - mu)/sd), h = 1/(K-1); for K = 2 both bins are open
        let phi z = 0.5 * (1.0 + (use s = Torch.Scalar(z / sqrt 2.0, f64) in s.Erf().ToDouble()))
        let h = 1.0 / float (k - 1)
        let x = if k = 2 then -1.0 else -1.0 + 2.0 * h
        let want = if k = 2 then phi ((h - 1.0 - mu) / sd) else phi ((x + h - mu) / sd) - phi ((x - h - mu) / sd)
        closeScalar 1e-12 want (exp (-(nll.[(if k = 2 then 0L else 1L)].ToDouble())))

let ``DDPM ancestral sampling with the exact predictor recovers N(m, s^2 I): means and variances within 4 SE`` () =
    let q = DiffusionSchedule.Linear(1000)
    use g = new Generator(35UL)
    let n = 20000L
    use x = Diffusion.Sample(q, exactEps q, [| n; 2L |], g, DdpmVariance.Beta, f64)
    // mean SE s / sqrt(n) = 0.0035, variance SE s^2 sqrt(2 / (n - 1)) = 0.0025; the reverse chain's own bias with the
    // exact predictor is 1e-5 (mean) and 7.5e-4 (variance), computed by the linear-Gaussian recursion
    let mean, var = vals (x.Mean([| 0L |])), vals (x.Var([| 0L |]))
    for d in 0 .. 1 do
        if abs (mean.[d] - m.[d]) > 4.0 * sqrt (s2 / float n) then failwithf "mean %g vs %g" mean.[d] m.[d]
        if abs (var.[d] - s2) > 4.0 * s2 * sqrt (2.0 / float (n - 1L)) then failwithf "variance %g vs %g" var.[d] s2
    // the two coordinates are independent in the data: correlation within 4 / sqrt(n)
    use xc = x - x.Mean([| 0L |], true)
    let corr = (xc.Select(1L, 0L) * xc.Select(1L, 1L)).Mean().ToDouble() / sqrt (var.[0] * var.[1])
    Assert.True(abs corr < 4.0 / sqrt (float n), sprintf "correlation %g" corr)

let ``a DDPM with the MLP denoiser: the simple loss on 2-D points falls through the Trainer; samples are (n, 2) and finite`` () =
    use g = new Generator(36UL)
    use data = (gaussianData g 512L).To(ScalarType.Float32)
    use model = new Ddpm(new DdpmMlp(2L, 64L, 2, 16L, g), DiffusionSchedule.Linear(100, 1e-4, 0.1), [| 2L |])
    let evalLoss () =
        use eg = new Generator(99UL)
        use ng = Autograd.NoGrad()
        [ for _ in 1 .. 10 -> model.Loss(data, eg).ToDouble() ] |> List.average   // 5120 draws of (t, eps): SE ~0.01
    let before = evalLoss ()
    use trainer = new Trainer(model, (fun ps -> upcast new Adam(ps, lr = 3e-3)), (fun _ -> null), TrainOptions(Steps = 150L, BatchSize = 128, Seed = 6UL))
    trainer.Fit(new TensorDataset(data), Objective(fun b ctx -> model.Loss(b, ctx.Generator))) |> ignore
    let after = evalLoss ()
    // an untrained net predicts ~0 noise (loss ~1); the optimum averages Var(eps | x_t) over t (0.41 here)
    Assert.True(after < before - 0.2, sprintf "simple loss %g -> %g" before after)
    use s = model.Sample(50L, g)
    Assert.Equal<int64 list>([ 50L; 2L ], shape s)
    Assert.True(s.IsFinite().All().Item<bool>())

let ``a DDPM with the small U-Net on 28x28 images: the simple loss falls; samples are (n, 1, 28, 28) in [-1, 1]; the bound is in bits/dim`` () =
    use g = new Generator(37UL)
    use bits = Torch.Bernoulli(Torch.Full([| 16L; 1L; 28L; 28L |], 0.2), g)
    use data = bits * 2.0 - 1.0                                                               // 2 levels scaled to [-1, 1]
    use model = new Ddpm(new DdpmUNet(8L, g), DiffusionSchedule.Cosine(20), [| 1L; 28L; 28L |], levels = 2)
    let evalLoss () =
        use eg = new Generator(98UL)
        use ng = Autograd.NoGrad()
        [ for _ in 1 .. 4 -> model.Loss(data, eg).ToDouble() ] |> List.average
    let before = evalLoss ()
    use trainer = new Trainer(model, (fun ps -> upcast new Adam(ps, lr = 3e-3)), (fun _ -> null), TrainOptions(Steps = 15L, BatchSize = 8, Seed = 7UL))
    trainer.Fit(new TensorDataset(data), Objective(fun b ctx -> model.Loss(b, ctx.Generator))) |> ignore
    let after = evalLoss ()
    Assert.True(after < before - 0.1, sprintf "simple loss %g -> %g" before after)
    use s = model.Sample(2L, g)
    Assert.Equal<int64 list>([ 2L; 1L; 28L; 28L ], shape s)
    Assert.True(s.Min().ToDouble() >= -1.0 && s.Max().ToDouble() <= 1.0)
    use ng = Autograd.NoGrad()
    use bpd = model.BoundBitsPerDim(data.Narrow(0L, 0L, 2L), g)
    Assert.True(bpd.IsFinite().All().Item<bool>() && bpd.Min().ToDouble() > 0.0, sprintf "bits/dim %O" bpd)

let ``DDPM bound's L_0 is -log N(x_0; mu(x_1, 1), sigma_1^2 I) at the x_1 it drew, or that Gaussian's mass of x_0's bin on K levels; sigma_t^2 is beta_t, or beta-tilde_t with beta_1 at t = 1`` () =
    let q = DiffusionSchedule.Linear(4, 0.05, 0.3)
    for t in 1 .. 4 do
        closeScalar 1e-15 (q.Beta t) (Diffusion.ModelVariance(q, DdpmVariance.Beta, t))
        closeScalar 1e-15 (if t = 1 then q.Beta 1 else q.Beta t * (1.0 - q.AlphaBar(t - 1)) / (1.0 - q.AlphaBar t)) (Diffusion.ModelVariance(q, DdpmVariance.Posterior, t))
    // A predictor that keeps the x_1 the bound drew (the bound's draws are its own), so L_0 can be computed from it.
    let mutable x1 : Tensor = null
    let eps = Func<Tensor, Tensor, Tensor>(fun xt t -> (if t.[0L].ToDouble() = 1.0 then x1 <- xt.Clone().DetachFromScope()); xt * 0.3)
    use g = new Generator(39UL)
    use tt = Torch.Full([| 6L |], 1, ScalarType.Int64)
    let v = q.Beta 1                                                   // sigma_1^2 for either variance
    for variance in [ DdpmVariance.Beta; DdpmVariance.Posterior ] do
        use x0 = gaussianData g 6L
        use terms = Diffusion.BoundTerms(q, eps, x0, g, variance)
        use mu = Diffusion.ModelMean(q, x1, tt, x1 * 0.3)
        use want = (0.5 * (x0 - mu).Square() / v + 0.5 * log (2.0 * Math.PI * v)).Sum([| 1L |])
        // float64, the same operations in another order: 1e-12
        close 1e-12 (vals want) (terms.Select(1L, 0L))
        // 5 levels in [-1, 1]: the N(mu, beta_1) mass of [x - 1/4, x + 1/4], the end bins open
        use xd = Torch.Tensor<float>([| -1.0; -0.5; 0.0; 0.5; 1.0; 0.5; -0.5; 0.0; 1.0; -1.0; 0.0; 0.5 |], 6L, 2L)
        use termsD = Diffusion.BoundTerms(q, eps, xd, g, variance, 5)
        use muD = Diffusion.ModelMean(q, x1, tt, x1 * 0.3)
        let phi (z: float) = 0.5 * (1.0 + (use s = Torch.Scalar(z / sqrt 2.0, f64) in s.Erf().ToDouble()))
        let xv, mv = vals xd, vals muD
        let wantD =
            [| for i in 0 .. 5 ->
                 [ for d in 0 .. 1 ->
                     let x, m, sd = xv.[2 * i + d], mv.[2 * i + d], sqrt v
                     let upper = if x > 0.75 then 1.0 else phi ((x + 0.25 - m) / sd)
                     let lower = if x < -0.75 then 0.0 else phi ((x - 0.25 - m) / sd)
                     -log (upper - lower) ] |> List.sum |]
        close 1e-9 wantD (termsD.Select(1L, 0L))
    throws<ArgumentException> "levels must be >= 2" (fun () -> box (Diffusion.BoundTerms(q, eps, x1, g, DdpmVariance.Beta, 1)))

let ``DDPM's simple loss draws t uniformly from 1..T: a recording predictor sees every step and no other, each about equally often`` () =
    let q = DiffusionSchedule.Linear(5, 0.05, 0.3)
    let seen = ResizeArray<float>()
    let eps = Func<Tensor, Tensor, Tensor>(fun xt t -> seen.AddRange(vals t); xt * 0.0)
    use g = new Generator(40UL)
    use x0 = gaussianData g 5000L
    use loss = Diffusion.SimpleLoss(q, eps, x0, g)
    Assert.Equal<float list>([ 1.0 .. 5.0 ], seen |> Seq.distinct |> Seq.sort |> List.ofSeq)
    // each step's count is Binomial(5000, 1/5): 1000 +- 4 SE (SE = sqrt(5000 * 0.2 * 0.8) = 28.3)
    for s in 1.0 .. 5.0 do
        let c = seen |> Seq.filter ((=) s) |> Seq.length
        Assert.True(abs (float c - 1000.0) < 4.0 * 28.3, sprintf "t = %g drawn %d times of 5000" s c)

let ``DDPM ancestral sampling is Ho et al.'s Algorithm 2 step by step: the same draws by hand give the same samples, noise at every step but the last, clamped only when asked`` () =
    let q = DiffusionSchedule.Linear(3, 0.1, 0.5)
    let eps = Func<Tensor, Tensor, Tensor>(fun xt t -> 0.5 * xt + 0.01 * t.Unsqueeze(1L))
    for variance, clamp in [ DdpmVariance.Beta, None; DdpmVariance.Posterior, Some 0.5 ] do
        use g1 = new Generator(41UL)
        use got = Diffusion.Sample(q, eps, [| 4L; 2L |], g1, variance, f64, clampTo = Option.toNullable clamp)
        use g2 = new Generator(41UL)
        let mutable x = Torch.Randn([| 4L; 2L |], g2, f64)                 // x_T ~ N(0, I)
        for t in 3 .. -1 .. 1 do
            use tt = Torch.Full([| 4L |], float t, f64)
            use epsHat = eps.Invoke(x, tt)
            let b, ab = q.Beta t, q.AlphaBar t
            use mean = (x - (b / sqrt (1.0 - ab)) * epsHat) / sqrt (1.0 - b)
            let sigma2 = if variance = DdpmVariance.Beta || t = 1 then b else b * (1.0 - q.AlphaBar(t - 1)) / (1.0 - ab)
            x <- if t > 1 then (use z = Torch.RandnLike(x, g2) in mean + sqrt sigma2 * z) else mean.Clone()
        use want = match clamp with Some c -> x.Clamp(-c, c) | None -> x.Clone()
        close 1e-12 (vals want) got
        if clamp.IsSome then Assert.True(got.Abs().Max().ToDouble() <= 0.5)

let ``DDPM's time embedding is [sin(t w_i), cos(t w_i)], w_i = 10000^(-i / (dim/2)); the U-Net runs in float64 and refuses sizes it cannot halve twice`` () =
    let ts = [ 0.0; 1.0; 7.5; 400.0 ]
    use t = Torch.Tensor<float>(Array.ofList ts, 4L)
    use e = Ddpm.TimeEmbedding(t, 6L)                                  // (4, 6)
    let want = [ for tv in ts do for f in [ sin; cos ] do for i in 0 .. 2 -> f (tv * 10000.0 ** (-(float i) / 3.0)) ]
    // float64 arguments up to 400: 1e-12
    close 1e-12 want e
    use e2 = Ddpm.TimeEmbedding(t, 2L)                                 // the smallest: [sin t, cos t]
    close 1e-12 [ for tv in ts do yield sin tv; yield cos tv ] e2
    throws<ArgumentException> "dim must be even and >= 2, got 5" (fun () -> box (Ddpm.TimeEmbedding(t, 5L)))
    throws<ArgumentException> "dim must be even and >= 2, got 0" (fun () -> box (Ddpm.TimeEmbedding(t, 0L)))
    use g = new Generator(43UL)
    use unet = new DdpmUNet(8L, g, f64)
    use x = Torch.Randn([| 2L; 1L; 8L; 12L |], g, f64)
    use out = unet.PredictNoise(x, Torch.Full([| 2L |], 3.0, f64))
    Assert.Equal<int64 list>([ 2L; 1L; 8L; 12L ], shape out)
    Assert.Equal(f64, out.Dtype)
    for bad in [ [| 2L; 1L; 6L; 8L |]; [| 2L; 1L; 8L; 6L |]; [| 2L; 2L; 8L; 8L |] ] do
        throws<ArgumentException> "H and W multiples of 4" (fun () -> box (unet.PredictNoise(Torch.Zeros(bad, f64), Torch.Full([| 2L |], 3.0, f64))))
    throws<ArgumentException> "multiple of 8" (fun () -> box (new DdpmUNet(4L)))
    use wider = new DdpmUNet(16L)                                      // any positive multiple of 8
    Assert.Equal(16L, wider.Channels)

let ``DDPM's bits/dim is its bound over D ln 2 (the same draws); continuous samples are not clamped; no samples is refused`` () =
    use g = new Generator(44UL)
    let q () = DiffusionSchedule.Linear(10, 0.01, 0.2)
    use model = new Ddpm(new DdpmMlp(2L, 16L, 1, 8L, g, f64), q (), [| 2L |], levels = 5)
    use x0 = Torch.Tensor<float>([| -1.0; 0.5; 0.0; 1.0; -0.5; -0.5 |], 3L, 2L)
    use g1 = new Generator(45UL)
    use g2 = new Generator(45UL)
    use ng = Autograd.NoGrad()
    use nb = model.NegativeBound(x0, g1)
    use bpd = model.BoundBitsPerDim(x0, g2)
    close 1e-12 (vals nb |> Array.map (fun b -> b / (2.0 * log 2.0))) bpd
    // continuous data: x_0 as drawn, beyond [-1, 1] (400 draws of about N(0, 1) or wider: all inside with probability < 1e-60)
    use cont = new Ddpm(new DdpmMlp(2L, 16L, 1, 8L, g, f64), q (), [| 2L |])
    use s = cont.Sample(200L, g)
    Assert.True(s.Abs().Max().ToDouble() > 1.0)
    throws<ArgumentException> "n must be positive, got 0" (fun () -> box (cont.Sample(0L, g)))

let ``DDPM schedules refuse betas outside (0, 1), no steps and bad settings, saying which; a one-step linear schedule is beta_1, equal ends are allowed`` () =
    throws<ArgumentException> "betas must be non-empty, each in (0, 1)" (fun () -> box (DiffusionSchedule(([||]: float[]))))
    for b in [ 0.0; 1.0; nan ] do
        throws<ArgumentException> "betas must be non-empty, each in (0, 1)" (fun () -> box (DiffusionSchedule([| 0.1; b |])))
    throws<ArgumentException> "Linear: steps must be >= 1, got 0" (fun () -> box (DiffusionSchedule.Linear(0)))
    throws<ArgumentException> "Cosine: steps must be >= 1, got 0" (fun () -> box (DiffusionSchedule.Cosine(0)))
    throws<ArgumentException> "need 0 < betaStart <= betaEnd < 1, got 0.2 and 0.1" (fun () -> box (DiffusionSchedule.Linear(10, 0.2, 0.1)))
    throws<ArgumentException> "need 0 < betaStart <= betaEnd < 1, got 0.1 and 1" (fun () -> box (DiffusionSchedule.Linear(10, 0.1, 1.0)))
    Assert.Equal<float[]>([| 0.1; 0.1; 0.1 |], DiffusionSchedule.Linear(3, 0.1, 0.1).Betas)
    Assert.Equal<float[]>([| 0.3 |], DiffusionSchedule.Linear(1, 0.3, 0.5).Betas)
    throws<ArgumentException> "need s >= 0 and 0 < maxBeta < 1, got -0.1 and 0.999" (fun () -> box (DiffusionSchedule.Cosine(10, -0.1)))
    for mb in [ 0.0; 1.0 ] do
        throws<ArgumentException> "need s >= 0 and 0 < maxBeta < 1" (fun () -> box (DiffusionSchedule.Cosine(10, 0.008, mb)))
    Assert.Equal(10, DiffusionSchedule.Cosine(10, 0.0).Steps)
    Assert.Equal(1, DiffusionSchedule.Cosine(1).Steps)

let ``DDPM refuses a denoiser without PredictNoise, bad levels, data of the wrong shape and a U-Net width GroupNorm cannot split`` () =
    throws<ArgumentException> "must implement IDenoiser" (fun () -> box (new Ddpm(new GenDsl.Torch.NN.Linear(2L, 2L), DiffusionSchedule.Linear(10), [| 2L |])))
    throws<ArgumentException> "levels must be >= 2" (fun () -> box (new Ddpm(new DdpmMlp(), DiffusionSchedule.Linear(10), [| 2L |], levels = 1)))
    use m = new Ddpm(new DdpmMlp(), DiffusionSchedule.Linear(10), [| 2L |])
    throws<ArgumentException> "data must be (B, 2)" (fun () -> box (m.Loss(Torch.Zeros(4L, 3L), null)))
    throws<InvalidOperationException> "needs discrete data" (fun () -> box (m.BoundBitsPerDim(Torch.Zeros(4L, 2L), null)))
    throws<ArgumentException> "multiple of 8" (fun () -> box (new DdpmUNet(12L)))
    throws<ArgumentException> "0 < betaStart <= betaEnd < 1" (fun () -> box (DiffusionSchedule.Linear(10, 0.0, 0.02)))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.DdpmTests" [
        Expecto.Tests.testCase "DDPM schedules: linear runs from beta_1 to beta_T; cosine has alpha-bar_t = f(t)/f(0) until the 0.999 clip" ``DDPM schedules: linear runs from beta_1 to beta_T; cosine has alpha-bar_t = f(t)/f(0) until the 0.999 clip``
        Expecto.Tests.testCase "DDPM forward process: t steps of q(x_t | x_{t-1}) give q(x_t | x_0) = N(sqrt(ab_t) x_0, 1 - ab_t) (moments within 4 SE)(cosine: 0)" (fun () -> ``DDPM forward process: t steps of q(x_t | x_{t-1}) give q(x_t | x_0) = N(sqrt(ab_t) x_0, 1 - ab_t) (moments within 4 SE)`` 0)
        Expecto.Tests.testCase "DDPM forward process: t steps of q(x_t | x_{t-1}) give q(x_t | x_0) = N(sqrt(ab_t) x_0, 1 - ab_t) (moments within 4 SE)(cosine: 1)" (fun () -> ``DDPM forward process: t steps of q(x_t | x_{t-1}) give q(x_t | x_0) = N(sqrt(ab_t) x_0, 1 - ab_t) (moments within 4 SE)`` 1)
        Expecto.Tests.testCase "DDPM on Gaussian data: the closed-form epsilon-predictor attains the minimal simple loss Var(eps | x_t), and perturbing it costs" ``DDPM on Gaussian data: the closed-form epsilon-predictor attains the minimal simple loss Var(eps | x_t), and perturbing it costs``
        Expecto.Tests.testCase "DDPM bound: L_{t-1} = KL(q(x_{t-1}|x_t,x_0) || p) equals its closed form in the noise error for any predictor(posterior: 0)" (fun () -> ``DDPM bound: L_{t-1} = KL(q(x_{t-1}|x_t,x_0) || p) equals its closed form in the noise error for any predictor`` 0)
        Expecto.Tests.testCase "DDPM bound: L_{t-1} = KL(q(x_{t-1}|x_t,x_0) || p) equals its closed form in the noise error for any predictor(posterior: 1)" (fun () -> ``DDPM bound: L_{t-1} = KL(q(x_{t-1}|x_t,x_0) || p) equals its closed form in the noise error for any predictor`` 1)
        Expecto.Tests.testCase "DDPM bound on Gaussian data with the exact predictor: L_T, L_{t-1} and L_0 match their closed forms, and the bound sits just above the entropy" ``DDPM bound on Gaussian data with the exact predictor: L_T, L_{t-1} and L_0 match their closed forms, and the bound sits just above the entropy``
        Expecto.Tests.testCase "DDPM's discretised decoder: the Gaussian masses of the K bins on [-1, 1] sum to 1 and match the CDF differences(k: 2)" (fun () -> ``DDPM's discretised decoder: the Gaussian masses of the K bins on [-1, 1] sum to 1 and match the CDF differences`` 2)
        Expecto.Tests.testCase "DDPM's discretised decoder: the Gaussian masses of the K bins on [-1, 1] sum to 1 and match the CDF differences(k: 256)" (fun () -> ``DDPM's discretised decoder: the Gaussian masses of the K bins on [-1, 1] sum to 1 and match the CDF differences`` 256)
        Expecto.Tests.testCase "DDPM ancestral sampling with the exact predictor recovers N(m, s^2 I): means and variances within 4 SE" ``DDPM ancestral sampling with the exact predictor recovers N(m, s^2 I): means and variances within 4 SE``
        Expecto.Tests.testCase "a DDPM with the MLP denoiser: the simple loss on 2-D points falls through the Trainer; samples are (n, 2) and finite" ``a DDPM with the MLP denoiser: the simple loss on 2-D points falls through the Trainer; samples are (n, 2) and finite``
        Expecto.Tests.testCase "a DDPM with the small U-Net on 28x28 images: the simple loss falls; samples are (n, 1, 28, 28) in [-1, 1]; the bound is in bits/dim" ``a DDPM with the small U-Net on 28x28 images: the simple loss falls; samples are (n, 1, 28, 28) in [-1, 1]; the bound is in bits/dim``
        Expecto.Tests.testCase "DDPM bound's L_0 is -log N(x_0; mu(x_1, 1), sigma_1^2 I) at the x_1 it drew, or that Gaussian's mass of x_0's bin on K levels; sigma_t^2 is beta_t, or beta-tilde_t with beta_1 at t = 1" ``DDPM bound's L_0 is -log N(x_0; mu(x_1, 1), sigma_1^2 I) at the x_1 it drew, or that Gaussian's mass of x_0's bin on K levels; sigma_t^2 is beta_t, or beta-tilde_t with beta_1 at t = 1``
        Expecto.Tests.testCase "DDPM's simple loss draws t uniformly from 1..T: a recording predictor sees every step and no other, each about equally often" ``DDPM's simple loss draws t uniformly from 1..T: a recording predictor sees every step and no other, each about equally often``
        Expecto.Tests.testCase "DDPM ancestral sampling is Ho et al.'s Algorithm 2 step by step: the same draws by hand give the same samples, noise at every step but the last, clamped only when asked" ``DDPM ancestral sampling is Ho et al.'s Algorithm 2 step by step: the same draws by hand give the same samples, noise at every step but the last, clamped only when asked``
        Expecto.Tests.testCase "DDPM's time embedding is [sin(t w_i), cos(t w_i)], w_i = 10000^(-i / (dim/2)); the U-Net runs in float64 and refuses sizes it cannot halve twice" ``DDPM's time embedding is [sin(t w_i), cos(t w_i)], w_i = 10000^(-i / (dim/2)); the U-Net runs in float64 and refuses sizes it cannot halve twice``
        Expecto.Tests.testCase "DDPM's bits/dim is its bound over D ln 2 (the same draws); continuous samples are not clamped; no samples is refused" ``DDPM's bits/dim is its bound over D ln 2 (the same draws); continuous samples are not clamped; no samples is refused``
        Expecto.Tests.testCase "DDPM schedules refuse betas outside (0, 1), no steps and bad settings, saying which; a one-step linear schedule is beta_1, equal ends are allowed" ``DDPM schedules refuse betas outside (0, 1), no steps and bad settings, saying which; a one-step linear schedule is beta_1, equal ends are allowed``
        Expecto.Tests.testCase "DDPM refuses a denoiser without PredictNoise, bad levels, data of the wrong shape and a U-Net width GroupNorm cannot split" ``DDPM refuses a denoiser without PredictNoise, bad levels, data of the wrong shape and a U-Net width GroupNorm cannot split``
    ]
