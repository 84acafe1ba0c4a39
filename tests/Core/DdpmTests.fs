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
        Expecto.Tests.testCase "DDPM refuses a denoiser without PredictNoise, bad levels, data of the wrong shape and a U-Net width GroupNorm cannot split" ``DDPM refuses a denoiser without PredictNoise, bad levels, data of the wrong shape and a U-Net width GroupNorm cannot split``
    ]
