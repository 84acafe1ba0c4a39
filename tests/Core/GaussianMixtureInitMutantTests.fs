/// GaussianMixtureInitMutantTests.fs: the mixture fits' starts (default, k-means++, a given model) and GmmFitOptions' checks, against the 12-point set written out.
module GenDsl.Tests.Core.GaussianMixtureInitMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support
open GenDsl.Tests.Core.GaussianMixtureFitFixture

// ---- the starts ----

let ``the default start: weights 1/K, K distinct data rows as means, every covariance the data's (biased) covariance projected on the type plus RegCovar`` () =
    use x = data ()
    let mx, my = Array.averageBy fst pts, Array.averageBy snd pts
    let s00 = pts |> Array.averageBy (fun (a, _) -> (a - mx) ** 2.0)
    let s01 = pts |> Array.averageBy (fun (a, b) -> (a - mx) * (b - my))
    let s11 = pts |> Array.averageBy (fun (_, b) -> (b - my) ** 2.0)
    for ct in types do
        let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 3, Covariance = ct, MaxIter = 0, RegCovar = 0.25, Seed = 3UL))
        use m = r.Model
        close 1e-15 [ 1.0 / 3.0; 1.0 / 3.0; 1.0 / 3.0 ] m.Weights
        let cov =
            match ct with
            | CovarianceType.Identity -> (1.0, 0.0, 1.0)
            | CovarianceType.Spherical -> let v = (s00 + s11) / 2.0 + 0.25 in (v, 0.0, v)
            | CovarianceType.Diagonal -> (s00 + 0.25, 0.0, s11 + 0.25)
            | _ -> (s00 + 0.25, s01, s11 + 0.25)
        close 1e-12 (List.concat (List.replicate 3 (let a, b, c = cov in [ a; b; b; c ]))) m.Covariances
        let means = vals m.Means |> Array.chunkBySize 2 |> Array.map (fun r -> (r.[0], r.[1]))
        Assert.True(means |> Array.forall (fun p -> Array.contains p pts), sprintf "%A" means)
        Assert.Equal(3, (Array.distinct means).Length)
        // curve point 0 is the log-likelihood of this start, weights 1/K included
        let start = { W = Array.create 3 (1.0 / 3.0); Mu = means; Cov = Array.create 3 cov }
        closeScalar 1e-10 (snd (estep pts start)) r.Curve.[0].MeanLogLikelihood

/// Three tight clusters of 10 points at (10, 0), (-10, 0) and (0, 10) (offsets below 0.01).
let private clusters () =
    let centres = [| (10.0, 0.0); (-10.0, 0.0); (0.0, 10.0) |]
    let ps = [| for c in 0 .. 2 do for i in 0 .. 9 -> (fst centres.[c] + 0.01 * sin (float (7 * i + c)), snd centres.[c] + 0.01 * cos (float (5 * i + c))) |]
    t64 [ 30L; 2L ] [ for (a, b) in ps do yield! [ a; b ] ]

let private clusterOf (x: float) (y: float) = if x > 5.0 then 0 elif x < -5.0 then 1 else 2

let ``k-means++ seeding puts one mean in each of three far-apart clusters for every seed; random data points do not`` () =
    // With centres 10-14 apart and clusters 0.01 wide, k-means++ picks a point of an already-covered cluster with
    // probability about 1e-6 per draw; K random distinct points land in three different clusters with probability
    // (20 / 29) (10 / 28) = 0.25 per seed, so among 10 seeds some repeat a cluster (the draws are fixed by the seeds).
    use x = clusters ()
    let clustersHit init seed =
        let r = GaussianMixtureFit.Em(x, GmmFitOptions(K = 3, Init = init, MaxIter = 0, Seed = seed))
        use m = r.Model
        vals m.Means |> Array.chunkBySize 2 |> Array.map (fun p -> clusterOf p.[0] p.[1]) |> Array.distinct |> Array.length
    for seed in 0UL .. 9UL do
        Assert.Equal(3, clustersHit GmmInit.KMeansPlusPlus seed)
    Assert.Contains(true, [ for seed in 0UL .. 9UL -> clustersHit GmmInit.Random seed < 3 ])
    // all points equal: the squared distances are all 0 and k-means++ falls back to uniform draws (no error)
    use same = t64 [ 4L; 2L ] [ for _ in 1 .. 4 do yield! [ 2.0; -1.0 ] ]
    let r = GaussianMixtureFit.Em(same, GmmFitOptions(K = 3, Init = GmmInit.KMeansPlusPlus, MaxIter = 0))
    use _ = r.Model
    close 0.0 [ for _ in 1 .. 3 do yield! [ 2.0; -1.0 ] ] r.Model.Means

let ``a given model starts the fit with its covariances projected on the type and its weights renormalised exactly`` () =
    use x = data ()
    // weights summing to 1 + 9e-7 (inside the mixture's 1e-6 tolerance); diagonal covariances diag(1, 3) and diag(2, 2)
    use m0 = new GaussianMixture(vec [ 0.5; 0.5 + 9e-7 ], t64 [ 2L; 2L ] [ 0.0; 0.0; 1.0; 1.0 ], t64 [ 2L; 2L; 2L ] [ 1.0; 0.0; 0.0; 3.0; 2.0; 0.0; 0.0; 2.0 ], CovarianceType.Diagonal)
    let start ct = GaussianMixtureFit.Em(x, GmmFitOptions(K = 2, Covariance = ct, InitialModel = m0, LearnWeights = false, MaxIter = 0))
    let s = 1.0 + 9e-7
    for ct, cov in [ CovarianceType.Spherical, [ 2.0; 0.0; 0.0; 2.0; 2.0; 0.0; 0.0; 2.0 ]
                     CovarianceType.Diagonal, [ 1.0; 0.0; 0.0; 3.0; 2.0; 0.0; 0.0; 2.0 ]
                     CovarianceType.Full, [ 1.0; 0.0; 0.0; 3.0; 2.0; 0.0; 0.0; 2.0 ]
                     CovarianceType.Identity, [ 1.0; 0.0; 0.0; 1.0; 1.0; 0.0; 0.0; 1.0 ] ] do
        let r = start ct
        use m = r.Model
        close 1e-15 [ 0.5 / s; (0.5 + 9e-7) / s ] m.Weights
        close 1e-14 cov m.Covariances

let ``a singular data covariance with RegCovar = 0 fails the full-covariance start with InvalidOperationException naming RegCovar`` () =
    // the second coordinate is constant: the (biased) covariance [[v, 0], [0, 0]] has no Cholesky factor
    use x = t64 [ 4L; 2L ] [ 0.0; 1.0; 1.0; 1.0; 2.0; 1.0; 4.0; 1.0 ]
    let e = Assert.Throws<InvalidOperationException>(fun () -> GaussianMixtureFit.Em(x, GmmFitOptions(K = 2, Covariance = CovarianceType.Full, RegCovar = 0.0)) |> ignore)
    Assert.Contains("a covariance matrix is not positive definite (", e.Message)
    Assert.Contains("raise GmmFitOptions.RegCovar (e.g. 1e-3), use fewer components, or a simpler covariance type", e.Message)

// ---- the options ----

let ``GmmFitOptions: the defaults are CSE 599i P7's and sklearn's; every bad option is refused with a message naming it and its range`` () =
    let d = GmmFitOptions()
    Assert.True(d.LearnWeights)
    Assert.Equal((3, CovarianceType.Identity, GmmInit.Random, 1, 10, 1, 1), (d.K, d.Covariance, d.Init, d.NInit, d.MaxIter, d.BatchSize, d.EvalEvery))
    Assert.Equal((0.0, 1e-6, 1.0, 0UL), (d.Tol, d.RegCovar, d.LearningRate, d.Seed))
    use x = data ()
    let em o = fun () -> box (GaussianMixtureFit.Em(x, o))
    throws<ArgumentException> "GmmFitOptions.K: the number of components must be at least 1 (got 0)" (em (GmmFitOptions(K = 0)))
    throws<ArgumentException> "GmmFitOptions.MaxIter: must be >= 0 (got -1)" (em (GmmFitOptions(MaxIter = -1)))
    throws<ArgumentException> "GmmFitOptions.NInit: the number of initialisations must be at least 1 (got 0)" (em (GmmFitOptions(NInit = 0)))
    for tol in [ -1.0; nan; infinity ] do
        throws<ArgumentException> "GmmFitOptions.Tol: must be finite and >= 0; 0 means never stop early (got" (em (GmmFitOptions(Tol = tol)))
    for reg in [ -1.0; nan; infinity ] do
        throws<ArgumentException> "GmmFitOptions.RegCovar: must be finite and >= 0 (got" (em (GmmFitOptions(RegCovar = reg)))
    for lr in [ 0.0; nan; infinity ] do
        throws<ArgumentException> "GmmFitOptions.LearningRate: the step size must be finite and > 0 (got" (em (GmmFitOptions(LearningRate = lr)))
    throws<ArgumentException> "GmmFitOptions.BatchSize: the SGD mini-batch size must be at least 1 (got 0)" (em (GmmFitOptions(BatchSize = 0)))
    throws<ArgumentException> "GmmFitOptions.EvalEvery: must be at least 1 (got 0)" (em (GmmFitOptions(EvalEvery = 0)))
    throws<ArgumentException> "GmmFitOptions.Covariance: unknown covariance type 9" (em (GmmFitOptions(Covariance = enum<CovarianceType> 9)))
    throws<ArgumentException> "GmmFitOptions.Init: unknown initialisation 7" (em (GmmFitOptions(Init = enum<GmmInit> 7)))
    throws<ArgumentException> "unknown fit method 7" (fun () -> box (GaussianMixtureFit.Fit(x, enum<GmmMethod> 7, GmmFitOptions())))
    let validate meth = fun () -> (GmmOptionChecks.Validate(x, meth, GmmFitOptions()); box ())
    throws<ArgumentException> "unknown fit method 7" (validate (enum<GmmMethod> 7))
    let nul = Unchecked.defaultof<Tensor>
    Assert.Throws<ArgumentNullException>(fun () -> GaussianMixtureFit.Em(nul, GmmFitOptions()) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> GaussianMixtureFit.Em(x, Unchecked.defaultof<GmmFitOptions>) |> ignore) |> ignore

let ``GmmFitOptions: the data must be a finite non-empty (N, D) matrix with N >= K, and a given model must match K and D`` () =
    use x = data ()
    let em (x: Tensor) o = fun () -> box (GaussianMixtureFit.Em(x, o))
    throws<ArgumentException> "the data must be a non-empty (N, D) matrix; got shape [24]" (em (x.Reshape(-1L)) (GmmFitOptions(K = 1)))
    throws<ArgumentException> "the data must be a non-empty (N, D) matrix; got shape [0, 2]" (em (x.Narrow(0L, 0L, 0L)) (GmmFitOptions(K = 1)))
    throws<ArgumentException> "the data must be a non-empty (N, D) matrix; got shape [12, 0]" (em (x.Narrow(1L, 0L, 0L)) (GmmFitOptions(K = 1)))
    throws<ArgumentException> "the data has N = 2 points but GmmFitOptions.K = 3: N must be at least K (use fewer components or more data)" (em (x.Narrow(0L, 0L, 2L)) (GmmFitOptions(K = 3)))
    for bad in [ nan; infinity ] do
        use y = x.Clone()
        y.Select(0L, 5L).Select(0L, 1L).Fill_(bad) |> ignore
        throws<ArgumentException> "the data contains NaN or infinite values" (em y (GmmFitOptions(K = 1)))
    use m3 = new GaussianMixture(vec [ 0.5; 0.5 ], t64 [ 2L; 3L ] [ 0.0; 0.0; 0.0; 1.0; 1.0; 1.0 ])
    throws<ArgumentException> "GmmFitOptions.InitialModel: the model has K = 2, D = 3 but the fit needs K = 2 (options) and D = 2 (data)" (em x (GmmFitOptions(K = 2, InitialModel = m3)))
    use m1 = new GaussianMixture(vec [ 1.0 ], t64 [ 1L; 2L ] [ 0.0; 0.0 ])
    throws<ArgumentException> "the model has K = 1, D = 2 but the fit needs K = 2 (options)" (em x (GmmFitOptions(K = 2, InitialModel = m1)))
    // the edges that are allowed: N = K, K = 1, D = 1, one point, MaxIter = 0, RegCovar = 0
    for y, o in [ x.Narrow(0L, 0L, 3L), GmmFitOptions(K = 3)
                  x.Narrow(1L, 0L, 1L), GmmFitOptions(K = 1, RegCovar = 0.0)
                  x.Narrow(0L, 0L, 1L), GmmFitOptions(K = 1, MaxIter = 0) ] do
        let r = GaussianMixtureFit.Em(y, o)
        r.Model.Dispose()
        Assert.True(Double.IsFinite r.Curve.[r.Curve.Count - 1].MeanLogLikelihood)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GaussianMixtureInitMutantTests" [
        Expecto.Tests.testCase "the default start: weights 1/K, K distinct data rows as means, every covariance the data's (biased) covariance projected on the type plus RegCovar" ``the default start: weights 1/K, K distinct data rows as means, every covariance the data's (biased) covariance projected on the type plus RegCovar``
        Expecto.Tests.testCase "k-means++ seeding puts one mean in each of three far-apart clusters for every seed; random data points do not" ``k-means++ seeding puts one mean in each of three far-apart clusters for every seed; random data points do not``
        Expecto.Tests.testCase "a given model starts the fit with its covariances projected on the type and its weights renormalised exactly" ``a given model starts the fit with its covariances projected on the type and its weights renormalised exactly``
        Expecto.Tests.testCase "a singular data covariance with RegCovar = 0 fails the full-covariance start with InvalidOperationException naming RegCovar" ``a singular data covariance with RegCovar = 0 fails the full-covariance start with InvalidOperationException naming RegCovar``
        Expecto.Tests.testCase "GmmFitOptions: the defaults are CSE 599i P7's and sklearn's; every bad option is refused with a message naming it and its range" ``GmmFitOptions: the defaults are CSE 599i P7's and sklearn's; every bad option is refused with a message naming it and its range``
        Expecto.Tests.testCase "GmmFitOptions: the data must be a finite non-empty (N, D) matrix with N >= K, and a given model must match K and D" ``GmmFitOptions: the data must be a finite non-empty (N, D) matrix with N >= K, and a given model must match K and D``
    ]
