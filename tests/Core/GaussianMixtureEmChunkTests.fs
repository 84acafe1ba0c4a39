/// GaussianMixtureEmChunkTests.fs: EM over row chunks (sums per chunk) takes the same steps as the whole-data E-step and MStep.
module GenDsl.Tests.Core.GaussianMixtureEmChunkTests

open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

/// 150 points from three well-separated components, and a start away from the truth (weights and means off).
let private data () =
    use g = new Generator(5UL)
    use truth = new GaussianMixture(vec [ 0.5; 0.3; 0.2 ], t64 [ 3L; 2L ] [ -3.; 0.; 2.; 3.; 2.; -3. ])
    let struct (x, z) = truth.Sample(150L, g)
    z.Dispose()
    x

let ``EM in row chunks equals Responsibilities then MStep on the whole data, step by step`` (ct: CovarianceType) =
    // 40 elements per chunk with K = 3: 13 rows, so 150 points make 11 full chunks and a ragged one of 7. The reference is
    // the public whole-data path (softmax of LogJoint, then MStep), a different formula for q and one sum over all rows;
    // the two differ only by float64 rounding (~1e-15 relative on values of order 1-10), and EM does not amplify it over 6
    // steps, so 1e-10 absolute.
    use s = Scope.Begin()
    let x = data ()
    let cov = if ct = CovarianceType.Identity then null else t64 [ 3L; 2L; 2L ] [ 2.; 0.; 0.; 2.; 1.; 0.; 0.; 1.; 0.5; 0.; 0.; 0.5 ]
    use start = new GaussianMixture(vec [ 0.2; 0.3; 0.5 ], t64 [ 3L; 2L ] [ 0.; 0.; 1.; 1.; -1.; -1. ], cov, ct)
    let o = GmmFitOptions(K = 3, Covariance = ct, InitialModel = start, MaxIter = 6, Tol = 0.0, RegCovar = 1e-3)
    let r = GaussianMixtureFit.Em(x, o, null, 40L)
    use _ = r.Model
    let mutable m = new GaussianMixture(start.Weights.Clone(), start.Means.Clone(), start.Covariances.Clone(), ct)
    for k in 0..6 do
        closeScalar 1e-10 (m.MeanLogLikelihood x) r.Curve.[k].MeanLogLikelihood
        if k < 6 then
            let next = GaussianMixtureFit.MStep(x, m.Responsibilities x, ct, 1e-3)
            m.Dispose()
            m <- next
    close 1e-10 (vals m.Weights) r.Model.Weights
    close 1e-10 (vals m.Means) r.Model.Means
    close 1e-10 (vals m.Covariances) r.Model.Covariances
    m.Dispose()

let ``EM in one chunk and in many small chunks reaches the same fit`` () =
    // Same data, same start; only the chunk size differs (2^18 elements = one chunk here, vs 2 rows per chunk: 75 chunks),
    // so only the summation order differs: 1e-10 as above.
    use s = Scope.Begin()
    let x = data ()
    let o = GmmFitOptions(K = 3, Covariance = CovarianceType.Spherical, MaxIter = 8, Tol = 0.0, Seed = 3UL)
    let whole = GaussianMixtureFit.Em(x, o)
    let chunked = GaussianMixtureFit.Em(x, o, null, 6L)
    use _ = whole.Model
    use _ = chunked.Model
    for k in 0..8 do
        closeScalar 1e-10 whole.Curve.[k].MeanLogLikelihood chunked.Curve.[k].MeanLogLikelihood
    close 1e-10 (vals whole.Model.Means) chunked.Model.Means
    close 1e-10 (vals whole.Model.Covariances) chunked.Model.Covariances

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GaussianMixtureEmChunkTests" [
        Expecto.Tests.testCase "EM in row chunks equals Responsibilities then MStep on the whole data, step by step(ct: Identity)" (fun () -> ``EM in row chunks equals Responsibilities then MStep on the whole data, step by step`` CovarianceType.Identity)
        Expecto.Tests.testCase "EM in row chunks equals Responsibilities then MStep on the whole data, step by step(ct: Spherical)" (fun () -> ``EM in row chunks equals Responsibilities then MStep on the whole data, step by step`` CovarianceType.Spherical)
        Expecto.Tests.testCase "EM in row chunks equals Responsibilities then MStep on the whole data, step by step(ct: Diagonal)" (fun () -> ``EM in row chunks equals Responsibilities then MStep on the whole data, step by step`` CovarianceType.Diagonal)
        Expecto.Tests.testCase "EM in one chunk and in many small chunks reaches the same fit" ``EM in one chunk and in many small chunks reaches the same fit``
    ]
