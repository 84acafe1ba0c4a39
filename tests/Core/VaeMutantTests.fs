/// VaeMutantTests.fs: the VAE's formulas on a tiny float64 model against plain-float computations — ELBO terms at the generator's noise, log-weights, chunked IWAE draws, sampling, and the checks' messages.
module GenDsl.Tests.Core.VaeMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private log2pi = log (2.0 * Math.PI)

/// Encoder Linear(3, 4) and decoder Linear(2, 3), float64, from a seed: a VAE with a 2-D latent over 3 numbers.
let private tinyVae (seed: uint64) (likelihood: VaeLikelihood) =
    use g = new Generator(seed)
    new Vae(new Linear(3L, 4L, generator = g, dtype = f64), new Linear(2L, 3L, generator = g, dtype = f64), 2L, likelihood)

let private xBin () = t64 [ 2L; 3L ] [ 1.0; 0.0; 1.0; 0.0; 0.0; 1.0 ]
let private xReal () = t64 [ 2L; 3L ] [ 0.4; -1.3; 2.0; 1.1; 0.2; -0.6 ]

let private rows (t: Tensor) = let c = int (t.Size(1)) in vals t |> Array.chunkBySize c

/// log p(x | decoded) per row by plain floats: Bernoulli sum x log sigmoid(l) + (1 - x) log(1 - sigmoid(l)),
/// Gaussian sum log N(x; m, s^2).
let private logLik (kind: VaeLikelihoodKind) (sigma: float) (x: float[][]) (d: float[][]) =
    Array.map2 (fun (xr: float[]) (dr: float[]) ->
        Array.map2 (fun xv dv ->
            if kind = VaeLikelihoodKind.Bernoulli then
                let p = 1.0 / (1.0 + exp (-dv))
                xv * log p + (1.0 - xv) * log (1.0 - p)
            else -0.5 * ((xv - dv) / sigma) ** 2.0 - log sigma - 0.5 * log2pi) xr dr |> Array.sum) x d

/// KL(N(m, s^2) || N(0, 1)) = log(1/s) + (s^2 + m^2)/2 - 1/2 per dim, summed per row.
let private klRows (mu: float[][]) (lv: float[][]) =
    Array.map2 (fun (m: float[]) (l: float[]) -> Array.map2 (fun mv lvv -> -0.5 * lvv + (exp lvv + mv * mv) / 2.0 - 0.5) m l |> Array.sum) mu lv

let ``ELBO terms: log p(x | z) at z = mu + exp(logvar / 2) eps with the generator's first N(0, I) draw, minus the closed-form KL; Loss is minus their mean`` () =
    // both sides are float64 evaluations of the same quantities by different code (plain floats here): 1e-12
    for lik in [ VaeLikelihood.Bernoulli; VaeLikelihood.Gaussian(0.7) ] do
        use vae = tinyVae 1UL lik
        use x = if lik.Kind = VaeLikelihoodKind.Bernoulli then xBin () else xReal ()
        use ng = Autograd.NoGrad()
        let struct (mu, lv) = vae.Encode(x)
        use g = new Generator(5UL)
        use eps = Torch.Randn([| 2L; 2L |], g, f64)
        let m, l, e = rows mu, rows lv, rows eps
        let z = Array.init 2 (fun b -> Array.init 2 (fun j -> m.[b].[j] + exp (l.[b].[j] / 2.0) * e.[b].[j]))
        use zt = t64 [ 2L; 2L ] (List.ofSeq (Array.concat z))
        let recon = logLik lik.Kind lik.Sigma (rows x) (rows (vae.Decode(zt)))
        let kl = klRows (rows mu) (rows lv)
        use t = vae.ElboTerms(x, new Generator(5UL))
        close 1e-12 recon t.ReconLogLik
        close 1e-12 kl t.Kl
        close 1e-12 (Array.map2 (-) recon kl) t.Elbo
        close 1e-12 (Array.map2 (-) recon kl) (vae.Elbo(x, new Generator(5UL)))
        closeScalar 1e-12 (-(Array.average (Array.map2 (-) recon kl))) (vae.Loss(x, new Generator(5UL)).ToDouble())
        // the closed-form KL also per example of a (B, C, H, W) latent: the sum over all its entries
        use mu4 = t64 [ 2L; 1L; 1L; 2L ] [ 0.5; -1.0; 2.0; 0.0 ]
        use lv4 = t64 [ 2L; 1L; 1L; 2L ] [ 0.3; -0.2; 0.0; 1.5 ]
        close 1e-12 (klRows [| [| 0.5; -1.0 |]; [| 2.0; 0.0 |] |] [| [| 0.3; -0.2 |]; [| 0.0; 1.5 |] |]) (Vae.KlToStandardNormal(mu4, lv4))

let ``log-weights: log p(x | z) + log N(z; 0, I) - log N(z; mu, diag exp(logvar)) at z = mu + exp(logvar / 2) eps, by plain floats`` () =
    use vae = tinyVae 2UL (VaeLikelihood.Gaussian(0.7))
    use x = xReal ()
    use ng = Autograd.NoGrad()
    let struct (mu, lv) = vae.Encode(x)
    use g = new Generator(6UL)
    use eps = Torch.Randn([| 3L; 2L; 2L |], g, f64)                         // (K, B, L)
    let e = vals eps
    let m, l = vals mu, vals lv
    let expected =
        [ for k in 0 .. 2 do
            for b in 0 .. 1 ->
                let z = Array.init 2 (fun j -> m.[2 * b + j] + exp (l.[2 * b + j] / 2.0) * e.[4 * k + 2 * b + j])
                let logPrior = z |> Array.sumBy (fun v -> -0.5 * v * v - 0.5 * log2pi)
                let logQ = Array.init 2 (fun j -> let s2 = exp l.[2 * b + j] in -0.5 * (z.[j] - m.[2 * b + j]) ** 2.0 / s2 - 0.5 * log (2.0 * Math.PI * s2)) |> Array.sum
                let zt = t64 [ 1L; 2L ] (List.ofArray z)
                let ll = (logLik VaeLikelihoodKind.Gaussian 0.7 [| (rows x).[b] |] (rows (vae.Decode(zt)))).[0]
                ll + logPrior - logQ ]
    close 1e-12 expected (vae.LogWeights(x, mu, lv, eps))
    // IWAE-1 is the one log-weight
    use g1 = new Generator(7UL)
    use g2 = new Generator(7UL)
    use e1 = Torch.Randn([| 1L; 2L; 2L |], g2, f64)
    close 1e-12 (vals (vae.LogWeights(x, mu, lv, e1))) (vae.Iwae(x, 1, g1, 1))

let ``IWAE draws each chunk's noise from the generator in turn (a ragged last chunk draws only what is left), and the loss is minus the batch mean`` () =
    use vae = tinyVae 3UL VaeLikelihood.Bernoulli
    use x = xBin ()
    use ng = Autograd.NoGrad()
    use g = new Generator(8UL)
    use noise = Torch.Cat([| for m in [ 3L; 3L; 1L ] -> Torch.Randn([| m; 2L; 2L |], g, f64) |], 0L)   // (7, B, L)
    use expected = vae.IwaeFromNoise(x, noise, 7)
    close 1e-12 (vals expected) (vae.Iwae(x, 7, new Generator(8UL), 3))
    // chunks of 1 and all at once agree for given noise
    close 1e-12 (vals expected) (vae.IwaeFromNoise(x, noise, 1))
    use gl = new Generator(9UL)
    use e4 = Torch.Randn([| 4L; 2L; 2L |], gl, f64)
    use l4 = vae.IwaeFromNoise(x, e4, 4)
    closeScalar 1e-12 (-(Array.average (vals l4))) (vae.IwaeLoss(x, 4, new Generator(9UL)).ToDouble())
    throws<ArgumentException> "Vae.Iwae: K must be at least 1, got 0" (fun () -> box (vae.Iwae(x, 0, g)))
    throws<ArgumentException> "Vae.Iwae: chunk must be at least 1, got 0" (fun () -> box (vae.Iwae(x, 3, g, 0)))
    throws<ArgumentException> "Vae.Iwae: K must be at least 1, got 0" (fun () -> box (vae.IwaeFromNoise(x, Torch.Zeros([| 0L; 2L; 2L |], f64), 1)))
    throws<ArgumentException> "Vae.Iwae: chunk must be at least 1, got 0" (fun () -> box (vae.IwaeFromNoise(x, noise, 0)))

let ``sampling decodes z drawn first from the generator: the likelihood's mean, or a Bernoulli / Gaussian draw from the same generator next; Reconstruct decodes mu(x)`` () =
    use ng = Autograd.NoGrad()
    for lik in [ VaeLikelihood.Bernoulli; VaeLikelihood.Gaussian(0.7) ] do
        use vae = tinyVae 4UL lik
        let bern = lik.Kind = VaeLikelihoodKind.Bernoulli
        for mean in [ true; false ] do
            use s = vae.Sample(5L, new Generator(10UL), mean)
            Assert.Equal(ScalarType.Float64, s.Dtype)
            use g = new Generator(10UL)
            use z = Torch.Randn([| 5L; 2L |], g, f64)
            use d = vae.Decode(z)
            use expected =
                match bern, mean with
                | true, true -> d.Sigmoid()
                | true, false -> Torch.Bernoulli(d.Sigmoid(), g)
                | false, true -> d.Alias()
                | false, false -> d + Torch.Randn([| 5L; 3L |], g, f64) * 0.7
            close 1e-12 (vals expected) s
        use x = xReal ()
        let struct (mu, _) = vae.Encode(x)
        use d = vae.Decode(mu)
        close 1e-12 (vals (if bern then d.Sigmoid() else d)) (vae.Reconstruct(x))
        throws<ArgumentException> "Vae.Sample: n must be positive, got 0" (fun () -> box (vae.Sample(0L, null)))

let ``sigma: refused for a Bernoulli VAE, the fixed value in the decoder's dtype, or exp of a learned log_sigma that starts at log sigma`` () =
    use bern = tinyVae 5UL VaeLikelihood.Bernoulli
    let e = Assert.Throws<InvalidOperationException>(fun () -> bern.Sigma() |> ignore)
    Assert.Contains("Vae.Sigma: the likelihood is Bernoulli; it has no sigma", e.Message)
    use fixedS = tinyVae 5UL (VaeLikelihood.Gaussian(0.7))
    use s = fixedS.Sigma()
    Assert.Equal(ScalarType.Float64, s.Dtype)
    closeScalar 0.0 0.7 (s.ToDouble())
    Assert.DoesNotContain("log_sigma", fixedS.NamedParameters() |> Seq.map (fun struct (n, _) -> n))
    use learned = tinyVae 5UL (VaeLikelihood.Gaussian(0.7, true))
    Assert.Equal(ScalarType.Float64, learned.GetParameter("log_sigma").Dtype)
    using (Autograd.NoGrad()) (fun _ -> learned.GetParameter("log_sigma").Fill_(Scalar.op_Implicit (log 2.0)) |> ignore)
    closeScalar 1e-15 2.0 (learned.Sigma().ToDouble())
    // a decoder without parameters: the learned sigma and the latents fall back to float32 on the default device
    use noParams = new Vae(new Linear(2L, 4L), new ReLU(), 2L, VaeLikelihood.Gaussian(0.5, true))
    Assert.Equal(ScalarType.Float32, noParams.GetParameter("log_sigma").Dtype)
    use s32 = noParams.Sample(3L, new Generator(1UL))
    Assert.Equal(ScalarType.Float32, s32.Dtype)
    Assert.Equal<int64 list>([ 3L; 2L ], shape s32)
    throws<ArgumentException> "VaeLikelihood.Gaussian: sigma must be positive, got 0" (fun () -> box (VaeLikelihood.Gaussian(0.0)))
    throws<ArgumentException> "VaeLikelihood.Gaussian: sigma must be positive, got -1" (fun () -> box (VaeLikelihood.Gaussian(-1.0)))

let ``the VAE constructor and the shape checks: a non-empty positive latent shape, non-null networks, Bernoulli by default, and messages naming the shapes`` () =
    use enc = new Linear(3L, 4L, dtype = f64)
    use dec = new Linear(2L, 3L, dtype = f64)
    Assert.Throws<ArgumentNullException>(fun () -> new Vae(enc, dec, (null: int64[])) |> ignore) |> ignore
    for bad, text in [ [||], "[]"; [| 4L; 0L; 2L |], "[4, 0, 2]"; [| -1L |], "[-1]" ] do
        throws<ArgumentException> ("Vae: latentShape must be non-empty and positive, e.g. [20] or [16, 2, 2]; got " + text) (fun () -> box (new Vae(enc, dec, bad)))
    let e1 = Assert.Throws<ArgumentNullException>(fun () -> new Vae(null, dec, 2L) |> ignore)
    Assert.Equal("encoder", e1.ParamName)
    let e2 = Assert.Throws<ArgumentNullException>(fun () -> new Vae(enc, null, 2L) |> ignore)
    Assert.Equal("decoder", e2.ParamName)
    use vae = new Vae(enc, dec, 2L)
    Assert.Equal(VaeLikelihoodKind.Bernoulli, vae.Likelihood.Kind)
    use x = xReal ()
    // a (2, 1, 1) latent needs (B, 4, 1, 1) from the encoder; a Linear(3, 3) gives (B, 3)
    use enc3 = new Linear(3L, 3L, dtype = f64)
    use odd = new Vae(enc3, dec, [| 2L; 1L; 1L |])
    throws<ArgumentException> "Vae: the encoder output is [2, 3] but (mu, logvar) for a latent of shape [2, 1, 1] needs [2, 4, 1, 1]; make its last layer output 2 x 2 channels" (fun () -> box (odd.Encode(x)))
    use wrong = Torch.Zeros([| 2L; 4L |], f64)
    throws<ArgumentException> "Vae: the decoder output [2, 4] must have the data's shape [2, 3]; end the decoder with a Reshape/Unflatten to it" (fun () -> box (vae.LogLikelihood(x, wrong)))
    // data of one number per example (B): log p per example without a sum over features
    use x1 = vec [ 1.0; 0.0 ]
    use l1 = vec [ 0.3; -2.0 ]
    close 1e-12 [ log (1.0 / (1.0 + exp (-0.3))); log (1.0 - 1.0 / (1.0 + exp 2.0)) ] (vae.LogLikelihood(x1, l1))

let ``the conv builder uses the strides given: a (1, 4, 4) image with strides [2] has a (2, 2, 2) latent; sizes not divisible by the downsampling are refused`` () =
    use g = new Generator(12UL)
    use vae = Vae.Conv(1L, 1L, 2L, [| 2 |], 4L, 2L, 1, 4L, g)
    Assert.Equal<int64 list>([ 2L; 2L; 2L ], List.ofArray vae.LatentShape)
    use x = Torch.Zeros([| 3L; 1L; 4L; 4L |])
    use ng = Autograd.NoGrad()
    let struct (mu, _) = vae.Encode(x)
    Assert.Equal<int64 list>([ 3L; 2L; 2L; 2L ], shape mu)
    Assert.Equal<int64 list>([ 3L; 1L; 4L; 4L ], shape (vae.Decode(mu)))
    throws<ArgumentException> "Vae.Conv: imageSize 6 must be divisible by the total downsampling 4 of strides [2, 2]" (fun () -> box (Vae.Conv(strides = [| 2; 2 |], imageSize = 6L)))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.VaeMutantTests" [
        Expecto.Tests.testCase "ELBO terms: log p(x | z) at z = mu + exp(logvar / 2) eps with the generator's first N(0, I) draw, minus the closed-form KL; Loss is minus their mean" ``ELBO terms: log p(x | z) at z = mu + exp(logvar / 2) eps with the generator's first N(0, I) draw, minus the closed-form KL; Loss is minus their mean``
        Expecto.Tests.testCase "log-weights: log p(x | z) + log N(z; 0, I) - log N(z; mu, diag exp(logvar)) at z = mu + exp(logvar / 2) eps, by plain floats" ``log-weights: log p(x | z) + log N(z; 0, I) - log N(z; mu, diag exp(logvar)) at z = mu + exp(logvar / 2) eps, by plain floats``
        Expecto.Tests.testCase "IWAE draws each chunk's noise from the generator in turn (a ragged last chunk draws only what is left), and the loss is minus the batch mean" ``IWAE draws each chunk's noise from the generator in turn (a ragged last chunk draws only what is left), and the loss is minus the batch mean``
        Expecto.Tests.testCase "sampling decodes z drawn first from the generator: the likelihood's mean, or a Bernoulli / Gaussian draw from the same generator next; Reconstruct decodes mu(x)" ``sampling decodes z drawn first from the generator: the likelihood's mean, or a Bernoulli / Gaussian draw from the same generator next; Reconstruct decodes mu(x)``
        Expecto.Tests.testCase "sigma: refused for a Bernoulli VAE, the fixed value in the decoder's dtype, or exp of a learned log_sigma that starts at log sigma" ``sigma: refused for a Bernoulli VAE, the fixed value in the decoder's dtype, or exp of a learned log_sigma that starts at log sigma``
        Expecto.Tests.testCase "the VAE constructor and the shape checks: a non-empty positive latent shape, non-null networks, Bernoulli by default, and messages naming the shapes" ``the VAE constructor and the shape checks: a non-empty positive latent shape, non-null networks, Bernoulli by default, and messages naming the shapes``
        Expecto.Tests.testCase "the conv builder uses the strides given: a (1, 4, 4) image with strides [2] has a (2, 2, 2) latent; sizes not divisible by the downsampling are refused" ``the conv builder uses the strides given: a (1, 4, 4) image with strides [2] has a (2, 2, 2) latent; sizes not divisible by the downsampling are refused``
    ]
