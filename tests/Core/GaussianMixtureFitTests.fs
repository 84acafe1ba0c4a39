/// GaussianMixtureFitTests.fs: fitting mixtures — EM's monotone log-likelihood, its M-step as the ELBO maximiser, the P7 fits.
module GenDsl.Tests.Core.GaussianMixtureFitTests

open Xunit
open FsCheck
open FsCheck.FSharp
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private types = [| CovarianceType.Identity; CovarianceType.Spherical; CovarianceType.Diagonal; CovarianceType.Full |]

[<Fact>]
let ``CSE599i P4: EM never decreases the log-likelihood (property over seeds and covariance types)`` () =
    // Monotonicity is a theorem (the M-step maximises the ELBO, which touches log p at the E-step), so any seed must
    // pass; RegCovar = 0 makes the M-step the exact maximiser. Slack 1e-10 per point covers float64 rounding.
    let prop (seed: int) =
        use s = Scope.Begin()
        use g = new Generator(uint64 seed)
        let means = Torch.Randn([| 3L; 2L |], g, ScalarType.Float64) * 4.0
        use truth = new GaussianMixture(vec [ 1. / 3.; 1. / 3.; 1. / 3. ], means)
        let struct (x, _) = truth.Sample(150L, g)
        let ct = types.[seed % 4]
        let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 3, Covariance = ct, RegCovar = 0.0, MaxIter = 12, Seed = uint64 seed))
        use _ = r.Model
        let ll = r.Curve |> Seq.map (fun st -> st.MeanLogLikelihood) |> Seq.toArray
        Assert.Equal(13, ll.Length)
        ll |> Array.pairwise |> Array.forall (fun (a, b) -> b >= a - 1e-10)
    Check.One(Config.QuickThrowOnFailure.WithMaxTest(16), Prop.forAll (Arb.fromGen (Gen.choose (0, 100000))) prop)

[<Fact>]
let ``CSE599i P4: the EM M-step equals the maximiser of the sample ELBO found by gradient ascent`` () =
    // ELBO(pi, mu) = (1/n) sum_i sum_k q(k|x_i) [log pi_k + log N(x_i; mu_k, I)] + H(q), q fixed by an E-step.
    // Gradient ascent on (logits, mu) with lr 2 contracts by at most max(|1 - 2 pi'_k|, ...) < 0.8 per step
    // (the ELBO is concave; Hessian -pi'_k I in mu_k), so 400 steps reach the optimum to rounding.
    use s = Scope.Begin()
    use g = new Generator(11UL)
    use start = new GaussianMixture(vec [ 0.5; 0.3; 0.2 ], t64 [ 3L; 2L ] [ 0.; 0.; 1.; 1.; -1.; 2. ])
    use truth = GaussianMixture.Cse599iP7()
    let struct (x, _) = truth.Sample(200L, g)
    let q = start.Responsibilities x // (N, K)
    use closed = GaussianMixtureFit.MStep(x, q)
    let logits = Torch.Zeros([| 3L |], ScalarType.Float64).RequiresGrad_()
    let mu = Torch.Zeros([| 3L; 2L |], ScalarType.Float64).RequiresGrad_()
    let elbo () =
        let d2 = (x.Unsqueeze(1L) - mu.Unsqueeze(0L)).Square().Sum(2L) // (N, K)
        let logJoint = logits.LogSoftmax(0L) + d2 * -0.5 - System.Math.Log(2.0 * System.Math.PI)
        (q * logJoint).Sum(1L).Mean()
    for _ in 1..400 do
        use step = Scope.Begin()
        let grads = Autograd.Grad([| elbo () |], [| logits; mu |])
        use _ = Autograd.NoGrad()
        logits.Add_(grads.[0], 2.0) |> ignore
        mu.Add_(grads.[1], 2.0) |> ignore
    close 1e-9 (vals closed.Weights) (logits.Detach().Softmax(0L))
    close 1e-9 (vals closed.Means) (mu.Detach())

/// The CSE 599i P7a data: 1000 points from each of N((-2,0), I), N((1,3), I), N((2,-2), I), seed 0.
let private p7Data () =
    use truth = GaussianMixture.Cse599iP7()
    use g = new Generator(0UL)
    let struct (x, z) = truth.SampleEach(1000L, g)
    z.Dispose()
    x

/// The homework's setting: K = 3, weights fixed at 1/3, identity covariances, means from 3 random data points (seed 1).
let private p7Options lr = GmmFitOptions(K = 3, LearnWeights = false, Covariance = CovarianceType.Identity, Init = GmmInit.Random, Seed = 1UL, LearningRate = lr)

let private finalNll (r: GmmFitResult) = -r.Curve.[r.Curve.Count - 1].MeanLogLikelihood

[<Fact>]
let ``CSE599i P7b: gradient ascent (k = 0..10, lr 3) reaches NLL below 3.95 nats`` () =
    // lr = 3 = K: with weights 1/3 the mean step lr (1/n) sum_i q_ik (x_i - mu_k) is then close to EM's update.
    use x = p7Data ()
    let r = GaussianMixtureFit.GradientAscent(x, p7Options 3.0)
    use _ = r.Model
    Assert.Equal(11, r.Curve.Count)
    Assert.True(finalNll r < 3.95, $"final NLL {finalNll r}")
    Assert.True(finalNll r < -r.Curve.[0].MeanLogLikelihood)

[<Fact>]
let ``CSE599i P7c: SGD (5000 one-point steps, lr 0.05) reaches NLL below 3.95 nats`` () =
    use x = p7Data ()
    let o = GmmFitOptions(K = 3, LearnWeights = false, Init = GmmInit.Random, Seed = 1UL, MaxIter = 5000, LearningRate = 0.05, BatchSize = 1, EvalEvery = 1000)
    let r = GaussianMixtureFit.Sgd(x, o)
    use _ = r.Model
    Assert.Equal<int list>([ 0; 1000; 2000; 3000; 4000; 5000 ], r.Curve |> Seq.map (fun s -> s.Iteration) |> Seq.toList)
    Assert.True(finalNll r < 3.95, $"final NLL {finalNll r}")

[<Fact>]
let ``CSE599i P7d: EM (k = 0..10) reaches NLL below 3.95 nats and Tol stops it early`` () =
    use x = p7Data ()
    let r = GaussianMixtureFit.Em(x, p7Options 1.0)
    use _ = r.Model
    Assert.Equal(11, r.Curve.Count)
    Assert.True(finalNll r < 3.95, $"final NLL {finalNll r}")
    let early = GaussianMixtureFit.Em(x, GmmFitOptions(K = 3, LearnWeights = false, Seed = 1UL, MaxIter = 100, Tol = 1e-6))
    use _ = early.Model
    Assert.True(early.Converged && early.Iterations < 100, $"iterations {early.Iterations}")

[<Fact>]
let ``gradient ascent and mini-batch SGD raise the log-likelihood for every covariance type with learned weights`` () =
    use x = p7Data ()
    for ct in types do
        let o lr iters = GmmFitOptions(K = 3, Covariance = ct, Init = GmmInit.KMeansPlusPlus, Seed = 2UL, LearningRate = lr, MaxIter = iters, BatchSize = 64, EvalEvery = 100)
        for r in [ GaussianMixtureFit.GradientAscent(x, o 1.0 30); GaussianMixtureFit.Sgd(x, o 0.05 300) ] do
            use m = r.Model
            Assert.Equal(ct, m.CovarianceType)
            let first, last = r.Curve.[0].MeanLogLikelihood, r.Curve.[r.Curve.Count - 1].MeanLogLikelihood
            Assert.True(last > first + 0.01, $"{ct}: {first} -> {last}")
            closeScalar 1e-9 last (m.MeanLogLikelihood x) // the curve's last point is the returned model's

[<Fact>]
let ``NInit keeps the restart with the best final log-likelihood (k-means++ seeding)`` () =
    use x = p7Data ()
    let fit n = GaussianMixtureFit.Em(x, GmmFitOptions(K = 5, Covariance = CovarianceType.Diagonal, Init = GmmInit.KMeansPlusPlus, NInit = n, MaxIter = 5, Seed = 4UL))
    let one, three = fit 1, fit 3
    use _ = one.Model
    use _ = three.Model
    // the first of the 3 restarts draws the same numbers as the single run, so the best of 3 is at least as good
    Assert.True(three.Curve.[three.Curve.Count - 1].MeanLogLikelihood >= one.Curve.[one.Curve.Count - 1].MeanLogLikelihood)
