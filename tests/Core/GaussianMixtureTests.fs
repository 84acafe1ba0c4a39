/// GaussianMixtureTests.fs: the mixture model itself — sampling, log-density (quadrature, direct formula), AIC/BIC, bad input.
module GenDsl.Tests.Core.GaussianMixtureTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private allTypes = [ CovarianceType.Identity; CovarianceType.Spherical; CovarianceType.Diagonal; CovarianceType.Full ]

/// A 2-D, 3-component mixture of the given covariance type (weights 0.2, 0.3, 0.5).
let private model2d (ct: CovarianceType) =
    use w = vec [ 0.2; 0.3; 0.5 ]
    use mu = t64 [ 3L; 2L ] [ -2.; 0.; 1.; 3.; 2.; -2. ]
    let covs =
        match ct with
        | CovarianceType.Identity -> [ 1.; 0.; 0.; 1.; 1.; 0.; 0.; 1.; 1.; 0.; 0.; 1. ]
        | CovarianceType.Spherical -> [ 0.5; 0.; 0.; 0.5; 1.5; 0.; 0.; 1.5; 1.; 0.; 0.; 1. ]
        | CovarianceType.Diagonal -> [ 0.5; 0.; 0.; 2.; 1.5; 0.; 0.; 0.7; 1.; 0.; 0.; 0.4 ]
        | _ -> [ 1.0; 0.6; 0.6; 0.8; 2.0; -0.9; -0.9; 1.0; 0.5; 0.1; 0.1; 1.5 ]
    use cov = t64 [ 3L; 2L; 2L ] covs
    new GaussianMixture(w, mu, cov, ct)

let ``CSE599i P7: ancestral samples match the weights, means and covariances within standard errors`` () =
    use m = model2d CovarianceType.Full
    use g = new Generator(7UL)
    let struct (x, z) = m.Sample(20000L, g)
    use x = x
    use z = z
    Assert.Equal<int64 list>([ 20000L; 2L ], shape x)
    let xs = vals x
    let zs = z.ToArray<int64>()
    let n = float zs.Length
    let w = vals m.Weights
    let mu = vals m.Means
    let cov = vals m.Covariances
    // Each check is |estimate - truth| < 4.5 standard errors: a two-sided false-failure probability of 6.8e-6 per
    // check, at most 18 checks (3 weights, 6 mean coordinates, 9 covariance entries), so below 1.3e-4 in all.
    let within what (est: float) (truth: float) (se: float) =
        if abs (est - truth) > 4.5 * se then failwithf "%s: estimate %g, truth %g, 4.5 se = %g" what est truth (4.5 * se)
    for k in 0..2 do
        let idx = [| for i in 0 .. zs.Length - 1 do if zs.[i] = int64 k then yield i |]
        let nk = float idx.Length
        within $"weight {k}" (nk / n) w.[k] (sqrt (w.[k] * (1. - w.[k]) / n)) // binomial proportion
        let s i j = cov.[k * 4 + i * 2 + j]
        let mean = Array.init 2 (fun d -> (idx |> Array.sumBy (fun i -> xs.[2 * i + d])) / nk)
        for d in 0..1 do
            within $"mean {k},{d}" mean.[d] mu.[k * 2 + d] (sqrt (s d d / nk)) // Var(xbar) = Sigma_dd / n_k
        for (i, j) in [ (0, 0); (0, 1); (1, 1) ] do
            let c = (idx |> Array.sumBy (fun r -> (xs.[2 * r + i] - mean.[i]) * (xs.[2 * r + j] - mean.[j]))) / nk
            // Var of a Gaussian sample covariance entry: (S_ii S_jj + S_ij^2) / n_k
            within $"cov {k},{i}{j}" c (s i j) (sqrt ((s i i * s j j + s i j * s i j) / nk))

let ``CSE599i P7a: SampleEach draws exactly n points from each component in order`` () =
    use m = GaussianMixture.Cse599iP7()
    use g = new Generator(0UL)
    let struct (x, z) = m.SampleEach(1000L, g)
    use x = x
    use z = z
    Assert.Equal<int64 list>([ 3000L; 2L ], shape x)
    Assert.Equal<int64[]>(Array.init 3000 (fun i -> int64 (i / 1000)), z.ToArray<int64>())

let ``log-density integrates to 1 on a 2-D grid for every covariance type (quadrature)`` () =
    // Midpoint rule on [-12, 12]^2 with h = 0.05: for these smooth Gaussians (sd >= 0.6, means within 3) the
    // discretisation error is far below 1e-9 and the mass outside the square below 1e-15, so |sum - 1| < 1e-6 is safe.
    let h = 0.05
    let m = 480
    use s = Scope.Begin()
    let g1 = Torch.Linspace(-12. + h / 2., 12. - h / 2., int64 m, ScalarType.Float64)
    let gx = g1.Unsqueeze(1).Expand(int64 m, int64 m).Reshape(-1L)
    let gy = g1.Unsqueeze(0).Expand(int64 m, int64 m).Reshape(-1L)
    let grid = Torch.Stack([| gx; gy |], 1L) // (m^2, 2)
    for ct in allTypes do
        use model = model2d ct
        let mass = model.LogProb(grid).Exp().Sum().ToDouble() * h * h
        if abs (mass - 1.) > 1e-6 then failwithf "%A: integral %.12f" ct mass

let ``full-covariance log-density and responsibilities equal the direct formula with inverse and determinant`` () =
    // log p(x) = log sum_k pi_k (2 pi)^{-D/2} det(Sigma_k)^{-1/2} exp(-1/2 (x - mu_k)^T Sigma_k^{-1} (x - mu_k)), in F# doubles
    use s = Scope.Begin()
    use g = new Generator(3UL)
    let k, d = 2, 3
    use w = vec [ 0.35; 0.65 ]
    let mu = Torch.Randn([| int64 k; int64 d |], g, ScalarType.Float64)
    let a = Torch.Randn([| int64 k; int64 d; int64 d |], g, ScalarType.Float64)
    let cov = a.MatMul(a.MT) + Torch.Eye(int64 d, dtype = ScalarType.Float64) * 0.5 // SPD
    let x = Torch.Randn([| 6L; int64 d |], g, ScalarType.Float64) * 2.0
    use model = new GaussianMixture(w, mu, cov, CovarianceType.Full)
    let inv = vals (Linalg.Inv cov)
    let det = vals (Linalg.Det cov)
    let mus, xs, ws = vals mu, vals x, vals w
    let lp = vals (model.LogProb x)
    let q = vals (model.Responsibilities x)
    for i in 0..5 do
        let logJ =
            [| for c in 0 .. k - 1 ->
                let r = Array.init d (fun j -> xs.[i * d + j] - mus.[c * d + j])
                let quad = Seq.sum (seq { for a in 0 .. d - 1 do for b in 0 .. d - 1 -> r.[a] * inv.[c * d * d + a * d + b] * r.[b] })
                log ws.[c] - 0.5 * quad - 0.5 * log det.[c] - 0.5 * float d * log (2. * Math.PI) |]
        let mx = Array.max logJ
        let expected = mx + log (logJ |> Array.sumBy (fun v -> exp (v - mx)))
        closeScalar 1e-10 expected lp.[i]
        for c in 0 .. k - 1 do
            closeScalar 1e-10 (exp (logJ.[c] - expected)) q.[i * k + c]

let ``AIC and BIC equal -2 n LL + 2 p and -2 n LL + p log n with sklearn's parameter counts`` () =
    use m = GaussianMixture.Cse599iP7()
    use g = new Generator(5UL)
    let struct (x, _) = m.Sample(500L, g)
    use x = x
    // K = 3, D = 2: 6 means + 2 weights + covariances 0 / K / K D / K D (D+1) / 2
    for ct, p in List.zip allTypes [ 8; 11; 14; 17 ] do
        use model = model2d ct
        Assert.Equal(p, model.NumParameters)
        let nll = -(model.LogProb(x).Sum().ToDouble())
        closeScalar 1e-8 (2. * nll + 2. * float p) (model.Aic x)
        closeScalar 1e-8 (2. * nll + float p * log 500.) (model.Bic x)
    use fixedW = new GaussianMixture(m.Weights, m.Means, FixedWeights = true)
    Assert.Equal(6, fixedW.NumParameters) // weights held at 1/K are not estimated

let private throwsNaming (name: string) (f: unit -> obj) =
    let ex = Assert.ThrowsAny<ArgumentException>(fun () -> f () |> ignore)
    Assert.Equal(name, ex.ParamName)
    Assert.Contains(name, ex.Message)

let ``bad fit options and data throw ArgumentException naming the option`` () =
    use m = GaussianMixture.Cse599iP7()
    use g = new Generator(1UL)
    let struct (x, _) = m.Sample(30L, g)
    use x = x
    let o = GmmFitOptions() // defaults: K = 3 (F# cannot copy-and-update a C# record, so each case builds its own)
    let fit method opts = fun () -> box (GaussianMixtureFit.Fit(x, method, opts))
    throwsNaming "K" (fit GmmMethod.Em (GmmFitOptions(K = 0)))
    throwsNaming "LearningRate" (fit GmmMethod.GradientAscent (GmmFitOptions(LearningRate = -0.1)))
    throwsNaming "LearningRate" (fit GmmMethod.Sgd (GmmFitOptions(LearningRate = 0.0)))
    throwsNaming "BatchSize" (fit GmmMethod.Sgd (GmmFitOptions(BatchSize = 0)))
    throwsNaming "NInit" (fit GmmMethod.Em (GmmFitOptions(NInit = 0)))
    throwsNaming "MaxIter" (fit GmmMethod.Em (GmmFitOptions(MaxIter = -1)))
    throwsNaming "Tol" (fit GmmMethod.Em (GmmFitOptions(Tol = -1e-3)))
    throwsNaming "RegCovar" (fit GmmMethod.Em (GmmFitOptions(RegCovar = -1.0)))
    throwsNaming "EvalEvery" (fit GmmMethod.Sgd (GmmFitOptions(EvalEvery = 0)))
    use ring = GaussianMixture.Ring(4, 1.0)
    throwsNaming "InitialModel" (fit GmmMethod.Em (GmmFitOptions(InitialModel = ring))) // K = 4 vs options K = 3
    use flat = x.Reshape(-1L)
    throwsNaming "x" (fun () -> box (GaussianMixtureFit.Em(flat, o))) // not (N, D)
    use few = x.Narrow(0L, 0L, 2L)
    throwsNaming "x" (fun () -> box (GaussianMixtureFit.Em(few, o))) // N = 2 < K = 3
    use w = vec [ 0.5; 0.6; 0.1 ]
    throwsNaming "weights" (fun () -> box (new GaussianMixture(w, m.Means)))
    use notPd = t64 [ 3L; 2L; 2L ] [ 1.; 2.; 2.; 1.; 1.; 0.; 0.; 1.; 1.; 0.; 0.; 1. ]
    throwsNaming "covariances" (fun () -> box (new GaussianMixture(m.Weights, m.Means, notPd, CovarianceType.Full)))
    throwsNaming "covariances" (fun () -> box (new GaussianMixture(m.Weights, m.Means, notPd, CovarianceType.Diagonal)))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GaussianMixtureTests" [
        Expecto.Tests.testCase "CSE599i P7: ancestral samples match the weights, means and covariances within standard errors" ``CSE599i P7: ancestral samples match the weights, means and covariances within standard errors``
        Expecto.Tests.testCase "CSE599i P7a: SampleEach draws exactly n points from each component in order" ``CSE599i P7a: SampleEach draws exactly n points from each component in order``
        Expecto.Tests.testCase "log-density integrates to 1 on a 2-D grid for every covariance type (quadrature)" ``log-density integrates to 1 on a 2-D grid for every covariance type (quadrature)``
        Expecto.Tests.testCase "full-covariance log-density and responsibilities equal the direct formula with inverse and determinant" ``full-covariance log-density and responsibilities equal the direct formula with inverse and determinant``
        Expecto.Tests.testCase "AIC and BIC equal -2 n LL + 2 p and -2 n LL + p log n with sklearn's parameter counts" ``AIC and BIC equal -2 n LL + 2 p and -2 n LL + p log n with sklearn's parameter counts``
        Expecto.Tests.testCase "bad fit options and data throw ArgumentException naming the option" ``bad fit options and data throw ArgumentException naming the option``
    ]
