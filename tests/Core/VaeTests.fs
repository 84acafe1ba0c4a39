/// VaeTests.fs: the VAE (ECE 8803 PS2 P4, Mila Q4) on a linear-Gaussian model with exact log p(x) — ELBO <= IWAE-K <= log p(x), KL, chunking, shapes, training.
module GenDsl.Tests.Core.VaeTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Torch.Optim
open GenDsl.Distributions
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private sigma = 0.5

/// x = W z + b + sigma eps, z ~ N(0, I_2), in R^3: a linear decoder with a fixed Gaussian likelihood.
/// W has orthogonal columns (1.2 (1,1,0)/sqrt 2 and 0.8 (1,-1,1)/sqrt 3), so the exact posterior is diagonal.
let private w = t64 [ 3L; 2L ] [ 1.2 / sqrt 2.0; 0.8 / sqrt 3.0; 1.2 / sqrt 2.0; -0.8 / sqrt 3.0; 0.0; 0.8 / sqrt 3.0 ]
let private b = vec [ 0.3; -0.2; 0.5 ]

let private decoder () =
    let dec = new Linear(2L, 3L, dtype = f64)
    use ng = Autograd.NoGrad()
    dec.Weight.Copy_(w) |> ignore
    dec.Bias.Copy_(b) |> ignore
    dec

/// log N(x; b, W W^T + sigma^2 I), by slogdet and a linear solve (independent of the VAE code).
let private logEvidence (x: Tensor) =
    use s = Scope.Begin()
    let cov = w.MatMul(w.T) + Torch.Eye(3L, dtype = f64) * (sigma * sigma)
    let r = (x - b).Unsqueeze(1L)                                             // (3, 1)
    let struct (_, logDet) = Linalg.SlogDet(cov)
    let quad = r.T.MatMul(Linalg.Solve(cov, r)).ToDouble()
    -0.5 * (3.0 * log (2.0 * Math.PI) + logDet.ToDouble() + quad)

let private linearVae (encoder: Module) = new Vae(encoder, decoder (), 2L, VaeLikelihood.Gaussian(sigma))
let private randomEncoder (seed: uint64) =
    use g = new Generator(seed)
    new Linear(3L, 4L, generator = g, dtype = f64) :> Module

let private x0 = vec [ 1.0; -0.5; 0.8 ]

let ``Mila Q4: with the exact posterior as encoder every importance weight equals p(x), so ELBO = IWAE-K = log p(x)`` () =
    // posterior precision I + W^T W / sigma^2 = diag(1 + 1.44/0.25, 1 + 0.64/0.25); mean = Sigma_post W^T (x - b) / sigma^2
    let varPost = vec [ 1.0 / (1.0 + 1.44 / 0.25); 1.0 / (1.0 + 0.64 / 0.25) ]
    let a = varPost.Unsqueeze(1L) * w.T / (sigma * sigma)                    // (2, 3)
    use enc = new Linear(3L, 4L, dtype = f64)
    using (Autograd.NoGrad()) (fun _ ->
        enc.Weight.Copy_(Torch.Cat([| a; Torch.Zeros([| 2L; 3L |], f64) |], 0L)) |> ignore
        enc.Bias.Copy_(Torch.Cat([| (a.MatMul(b)).Neg(); varPost.Log() |], 0L)) |> ignore)
    use vae = linearVae enc
    use g = new Generator(1UL)
    use xs = x0.Expand(4L, 3L).Contiguous()
    use eps = Torch.Randn([| 10L; 4L; 2L |], g, f64)
    let struct (mu, logVar) = vae.Encode(xs)
    use lw = vae.LogWeights(xs, mu, logVar, eps)                            // (10, 4), every entry log p(x)
    let lpx = logEvidence x0
    close 1e-10 (Seq.replicate 40 lpx) lw
    close 1e-10 (Seq.replicate 4 lpx) (vae.Iwae(xs, 50, g, 7))

let ``Mila Q4: ELBO = L_1 < L_5 < L_50 < log p(x) on a linear-Gaussian VAE (Monte Carlo, 4 standard errors)`` () =
    use vae = linearVae (randomEncoder 2UL)
    use g = new Generator(3UL)
    let m = 4000L
    use xs = x0.Expand(m, 3L).Contiguous()
    use ng = Autograd.NoGrad()
    let est (t: Tensor) = use t = t in MonteCarlo.Mean(t)
    let elbo = est (vae.Elbo(xs, g))
    let l1, l5, l50 = est (vae.Iwae(xs, 1, g)), est (vae.Iwae(xs, 5, g)), est (vae.Iwae(xs, 50, g))
    let lpx = logEvidence x0
    let se (a: Estimate) (c: Estimate) = sqrt (a.StdErr * a.StdErr + c.StdErr * c.StdErr)
    // independent runs: the difference of two estimates has SE sqrt(se1^2 + se2^2)
    if abs (elbo.Mean - l1.Mean) > 4.0 * se elbo l1 then failwithf "ELBO (analytic KL) %O and IWAE-1 %O should agree" elbo l1
    if l5.Mean - l1.Mean < 4.0 * se l5 l1 then failwithf "L_5 %O should exceed L_1 %O" l5 l1
    if l50.Mean - l5.Mean < 4.0 * se l50 l5 then failwithf "L_50 %O should exceed L_5 %O" l50 l5
    if l50.Mean > lpx + 4.0 * l50.StdErr then failwithf "L_50 %O should not exceed log p(x) = %g" l50 lpx
    // the random encoder is a poor posterior: a real gap remains at K = 50, so the bound is not trivially tight
    if lpx - l50.Mean < 4.0 * l50.StdErr then failwithf "L_50 %O should stay below log p(x) = %g" l50 lpx

let ``VAE: the analytic KL(q || N(0, I)) equals a Monte Carlo KL within 4 standard errors`` () =
    use vae = linearVae (randomEncoder 4UL)
    use ng = Autograd.NoGrad()
    let struct (mu, logVar) = vae.Encode(x0.Unsqueeze(0L))
    use kl = Vae.KlToStandardNormal(mu, logVar)
    use g = new Generator(5UL)
    let q = Normal(mu, (logVar * 0.5).Exp())
    use z = q.Sample(20000L, g)                                             // (20000, 1, 2)
    use logRatio = (q.LogProb(z) - Normal(0.0, 1.0).LogProb(z)).Sum(-1L)    // log q(z) - log p(z)
    let e = MonteCarlo.Mean(logRatio)
    // the true sd of one draw: with z_d = mu_d + s_d eps_d, log q - log p = sum_d [-log s_d + ((s_d^2 - 1) eps_d^2
    // + 2 mu_d s_d eps_d + mu_d^2) / 2], whose variance is sum_d [(s_d^2 - 1)^2 / 2 + mu_d^2 s_d^2]; 4 true standard errors
    let m, lv = vals mu, vals logVar
    let sd = Array.map2 (fun mu lv -> let s2 = exp lv in (s2 - 1.0) ** 2.0 / 2.0 + mu * mu * s2) m lv |> Array.sum |> sqrt
    let se = sd / sqrt (float e.Samples)
    if abs (e.Mean - kl.ToDouble()) > 4.0 * se then failwithf "Monte Carlo KL %O vs analytic %g +- 4 x %g" e (kl.ToDouble()) se
    if abs (e.StdErr / se - 1.0) > 0.25 then failwithf "reported SE %g, true %g" e.StdErr se

let ``VAE: chunked IWAE equals unchunked IWAE for the same noise, and Iwae draws that noise from the generator`` () =
    use vae = linearVae (randomEncoder 6UL)
    use g = new Generator(7UL)
    use xs = Torch.Randn([| 3L; 3L |], g, f64)
    use ng = Autograd.NoGrad()
    use eps = Torch.Randn([| 50L; 3L; 2L |], g, f64)
    use whole = vae.IwaeFromNoise(xs, eps, 50)
    use chunked = vae.IwaeFromNoise(xs, eps, 7)                              // 7 chunks of 7 and one of 1
    close 1e-12 (vals whole) chunked
    // log (1/K) sum_k w_k straight from the (K, B) log-weights
    let struct (mu, logVar) = vae.Encode(xs)
    use direct = (vae.LogWeights(xs, mu, logVar, eps).LogSumExp(0L)) - log 50.0
    close 1e-12 (vals direct) whole
    use g1 = new Generator(8UL)
    use g2 = new Generator(8UL)
    use drawn = vae.Iwae(xs, 50, g1, 50)
    use same = vae.IwaeFromNoise(xs, Torch.Randn([| 50L; 3L; 2L |], g2, f64), 50)
    close 1e-12 (vals same) drawn

let ``VAE likelihoods: Bernoulli log p = -BCE-with-logits, Gaussian log p = sum Normal.LogProb, learned sigma gets a gradient`` () =
    use g = new Generator(9UL)
    use vae = Vae.Mlp(12L, 8L, 2L, g, f64)
    use logits = Torch.Randn([| 4L; 12L |], g, f64) * 3.0
    use x = Torch.Bernoulli(Torch.Rand([| 4L; 12L |], g, f64), g)
    use bce = Functional.BinaryCrossEntropyWithLogits(logits, x, reduction = Reduction.None).Sum(1L)
    close 1e-12 (vals (bce.Neg())) (vae.LogLikelihood(x, logits))
    use gv = new Vae(new Linear(3L, 4L, dtype = f64), decoder (), 2L, VaeLikelihood.Gaussian(0.7, learnSigma = true))
    closeScalar 1e-12 (log 0.7) (gv.GetParameter("log_sigma").ToDouble())
    use y = Torch.Randn([| 5L; 3L |], g, f64)
    use means = Torch.Randn([| 5L; 3L |], g, f64)
    use ref = Normal(means, Torch.Scalar(0.7, f64)).LogProb(y).Sum(1L)
    close 1e-12 (vals ref) (gv.LogLikelihood(y, means))
    use loss = gv.Loss(y, g)
    loss.Backward()
    Assert.NotNull(gv.GetParameter("log_sigma").Grad)

let ``VAE: the MLP builder is 784-400-20 with a state dict named like bench/vae/vae_torch.py`` () =
    use vae = Vae.Mlp()
    let names = vae.NamedParameters() |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq
    Assert.Equal<string list>([ "encoder.0.weight"; "encoder.0.bias"; "encoder.2.weight"; "encoder.2.bias"
                                "decoder.0.weight"; "decoder.0.bias"; "decoder.2.weight"; "decoder.2.bias" ], names)
    // 784*400+400 + 400*40+40 + 20*400+400 + 400*784+784
    Assert.Equal(314000L + 16040L + 8400L + 314384L, Utils.ParameterCount vae)
    use bad = new Vae(new Linear(784L, 30L), new Linear(20L, 784L), 20L)
    let ex = Assert.Throws<ArgumentException>(fun () -> bad.Encode(Torch.Zeros(2L, 784L)) |> ignore)
    Assert.Contains("2 x 20", ex.Message)

let ``VAE: pytorch-generative's conv VAE at its defaults encodes (B,1,32,32) to (B,32,2,2), a (16,2,2) latent, and decodes back`` () =
    use g = new Generator(10UL)
    use vae = Vae.Conv(generator = g)
    use x = Torch.Bernoulli(Torch.Rand([| 2L; 1L; 32L; 32L |], g), g)
    use ng = Autograd.NoGrad()
    use h = vae.Encoder.Forward(x)
    Assert.Equal<int64 list>([ 2L; 32L; 2L; 2L ], shape h)
    Assert.Equal<int64 list>([ 16L; 2L; 2L ], List.ofArray vae.LatentShape)
    let struct (mu, _) = vae.Encode(x)
    Assert.Equal<int64 list>([ 2L; 1L; 32L; 32L ], shape (vae.Decode(mu)))
    Assert.Equal<int64 list>([ 2L ], shape (vae.Elbo(x, g)))
    use s = vae.Sample(3L, g)
    Assert.Equal<int64 list>([ 3L; 1L; 32L; 32L ], shape s)
    // hand count: encoder stages 79,168 + 2 x 143,680 + 125,216; decoder stages 116,032 + 2 x 143,680 + 79,105
    // (a residual stack is 2 x (64*32*9+32 + 32*64+64) = 41,152)
    Assert.Equal(491744L + 482497L, Utils.ParameterCount vae)

let ``VAE: twenty Adam steps of the MLP VAE on random binary data lower -ELBO`` () =
    use g = new Generator(11UL)
    use vae = Vae.Mlp(generator = g)
    use x = Torch.Bernoulli(Torch.Full([| 64L; 784L |], Scalar.op_Implicit 0.3), g)
    let evalLoss () =
        use ng = Autograd.NoGrad()
        use ge = new Generator(12UL)                                          // the same noise before and after
        use l = vae.Loss(x, ge)
        l.ToDouble()
    let before = evalLoss ()
    use opt = new Adam(vae.Parameters(), lr = 1e-3)
    for _ in 1 .. 20 do
        use s = Scope.Begin()
        opt.ZeroGrad()
        vae.Loss(x, g).Backward()
        opt.Step()
    let after = evalLoss ()
    // at init -ELBO is about 784 ln 2 = 543 nats; the pixel marginals alone are worth 784 (ln 2 - H(0.3)) = 64 nats
    if not (after < before - 20.0) then failwithf "-ELBO went from %g to %g; expected a drop of more than 20 nats" before after

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.VaeTests" [
        Expecto.Tests.testCase "Mila Q4: with the exact posterior as encoder every importance weight equals p(x), so ELBO = IWAE-K = log p(x)" ``Mila Q4: with the exact posterior as encoder every importance weight equals p(x), so ELBO = IWAE-K = log p(x)``
        Expecto.Tests.testCase "Mila Q4: ELBO = L_1 < L_5 < L_50 < log p(x) on a linear-Gaussian VAE (Monte Carlo, 4 standard errors)" ``Mila Q4: ELBO = L_1 < L_5 < L_50 < log p(x) on a linear-Gaussian VAE (Monte Carlo, 4 standard errors)``
        Expecto.Tests.testCase "VAE: the analytic KL(q || N(0, I)) equals a Monte Carlo KL within 4 standard errors" ``VAE: the analytic KL(q || N(0, I)) equals a Monte Carlo KL within 4 standard errors``
        Expecto.Tests.testCase "VAE: chunked IWAE equals unchunked IWAE for the same noise, and Iwae draws that noise from the generator" ``VAE: chunked IWAE equals unchunked IWAE for the same noise, and Iwae draws that noise from the generator``
        Expecto.Tests.testCase "VAE likelihoods: Bernoulli log p = -BCE-with-logits, Gaussian log p = sum Normal.LogProb, learned sigma gets a gradient" ``VAE likelihoods: Bernoulli log p = -BCE-with-logits, Gaussian log p = sum Normal.LogProb, learned sigma gets a gradient``
        Expecto.Tests.testCase "VAE: the MLP builder is 784-400-20 with a state dict named like bench/vae/vae_torch.py" ``VAE: the MLP builder is 784-400-20 with a state dict named like bench/vae/vae_torch.py``
        Expecto.Tests.testCase "VAE: pytorch-generative's conv VAE at its defaults encodes (B,1,32,32) to (B,32,2,2), a (16,2,2) latent, and decodes back" ``VAE: pytorch-generative's conv VAE at its defaults encodes (B,1,32,32) to (B,32,2,2), a (16,2,2) latent, and decodes back``
        Expecto.Tests.testCase "VAE: twenty Adam steps of the MLP VAE on random binary data lower -ELBO" ``VAE: twenty Adam steps of the MLP VAE on random binary data lower -ELBO``
    ]
