/// InferenceContractTests.fs: the edges of Inference/ that mutation testing found unguarded — argument checks at their boundaries, (K) inputs, the (M, P) IS branch, Kish's ESS, one-sided grid widening.
module GenDsl.Tests.Core.InferenceContractTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Inference
open GenDsl.Tests.Support

let ``Quadrature refuses empty intervals, fewer than 3 points and even Simpson counts, and accepts the boundary cases`` () =
    throws<ArgumentException> "need lo < hi, got [1, 1]" (fun () -> box (Quadrature.Grid(1.0, 1.0, 5L)))
    throws<ArgumentOutOfRangeException> "at least 3 grid points" (fun () -> box (Quadrature.Grid(0.0, 1.0, 2L)))
    close 0.0 [ 0.0; 0.5; 1.0 ] (Quadrature.Grid(0.0, 1.0, 3L))
    throws<ArgumentException> "odd number of points, got 4" (fun () -> box (Quadrature.SimpsonWeights(4L, 0.1)))
    close 1e-15 [ 1.0 / 6.0; 4.0 / 6.0; 1.0 / 6.0 ] (Quadrature.SimpsonWeights(3L, 0.5))
    throws<ArgumentException> "need lo < hi" (fun () -> box (Quadrature.Grid2d(1.0, 1.0, 4L)))

let ``MonteCarlo.Mean needs 2 draws (SE sqrt(s^2 / M)), and Covers is |mean - truth| <= z SE with the boundary included`` () =
    throws<ArgumentException> "at least 2 draws" (fun () -> box (MonteCarlo.Mean(vec [ 1.0 ])))
    let e = MonteCarlo.Mean(vec [ 1.0; 3.0 ])                        // mean 2, s^2 = 2, SE sqrt(2 / 2) = 1
    closeScalar 1e-15 2.0 e.Mean
    closeScalar 1e-15 1.0 e.StdErr
    Assert.True(Estimate(1.0, 0.5, 10L).Covers(3.0, 4.0))            // |1 - 3| = 2 = 4 x 0.5: on the boundary
    Assert.True(Estimate(0.0, 2.0, 10L).Covers(7.0, 4.0))            // 7 <= 4 x 2 (z / SE = 2 would refuse)
    Assert.False(Estimate(0.0, 2.0, 10L).Covers(9.0, 4.0))
    Assert.Equal("1.5 ± 0.25 (M = 10)", Estimate(1.5, 0.25, 10L).ToString())

let ``BitsPerDim: 2 levels and 1 dimension are the smallest accepted; every entry point checks`` () =
    closeScalar 1e-15 1.0 (BitsPerDim.FromLogDensity(0.0, 1L, 2))     // (1 ln 2 - 0) / (1 ln 2)
    throws<ArgumentException> "dims must be positive, got 0" (fun () -> box (BitsPerDim.FromLogDensity(0.0, 0L)))
    throws<ArgumentException> "levels must be at least 2" (fun () -> box (BitsPerDim.FromLogDensity(0.0, 1L, 1)))
    throws<ArgumentException> "dims must be positive" (fun () -> box (BitsPerDim.FromLogDensity(vec [ 0.0 ], 0L)))
    throws<ArgumentException> "levels must be at least 2" (fun () -> box (BitsPerDim.Dequantize(vec [ 0.0 ], Unchecked.defaultof<Generator>, 1)))

let ``Elbo works on one point given as a (K) vector and refuses q of another shape`` () =
    use lj = t64 [ 2L; 3L ] [ -1.0; -2.0; -0.5; -3.0; -0.1; -2.2 ]
    use q = t64 [ 2L; 3L ] [ 0.2; 0.3; 0.5; 0.6; 0.3; 0.1 ]
    use lj1 = lj.Select(0L, 1L)                                        // (K)
    use q1 = q.Select(0L, 1L)
    closeScalar 1e-14 (vals (Elbo.Discrete(lj, q))).[1] (Elbo.Discrete(lj1, q1).ToDouble())
    closeScalar 1e-14 (vals (Elbo.KlToPosterior(lj, q))).[1] (Elbo.KlToPosterior(lj1, q1).ToDouble())
    let z = exp -3.0 + exp -0.1 + exp -2.2
    closeScalar 1e-14 (log z) (Elbo.LogEvidence(lj1).ToDouble())
    close 1e-14 [ exp -3.0 / z; exp -0.1 / z; exp -2.2 / z ] (Elbo.Posterior(lj1))
    close 0.0 [ 1.0 / 3.0; 1.0 / 3.0; 1.0 / 3.0 ] (Elbo.UniformQ(lj1))
    throws<ArgumentException> "logJoint [2, 3] and q [2, 2]" (fun () -> box (Elbo.Discrete(lj, q.Narrow(1L, 0L, 2L))))
    throws<ArgumentException> "must have the same (N, K) shape" (fun () -> box (Elbo.KlToPosterior(lj, q.Narrow(1L, 0L, 2L))))
    throws<ArgumentException> "must be (M, K), got [1, 2, 1]" (fun () -> box (Iwae.LogMeanWeight(t64 [ 1L; 2L; 1L ] [ 0.0; 1.0 ])))

let ``ImportanceSampling: (M, P) values give P estimates at once; Kish's ESS is (sum w)^2 / sum w^2`` () =
    use lt = vec [ 0.0; log 2.0; log 3.0 ]                            // w = (1, 2, 3) against a flat log-proposal
    use lq = Torch.ZerosLike(lt)
    use f = t64 [ 3L; 2L ] [ 1.0; 10.0; 2.0; 20.0; 3.0; 30.0 ]
    close 1e-14 [ 14.0 / 6.0; 140.0 / 6.0 ] (ImportanceSampling.SelfNormalized(f, lt, lq))
    closeScalar 1e-14 (36.0 / 14.0) (ImportanceSampling.EffectiveSampleSize(lt, lq))
    closeScalar 1e-14 3.0 (ImportanceSampling.EffectiveSampleSize(lq, lq))

let ``GaussianKlFit: sigma, sigma0 and the learning rate must be positive; 0 steps evaluates the start; Evaluate widens the grid on one side`` () =
    let lp = Func<Tensor, Tensor>(fun x -> (x.Square() * -0.5) - 0.5 * log (2.0 * Math.PI))   // N(0, 1)
    throws<ArgumentOutOfRangeException> "sigma must be > 0" (fun () -> box (GaussianKlFit.Evaluate(KlDirection.Reverse, lp, 0.0, 0.0, -5.0, 5.0)))
    throws<ArgumentOutOfRangeException> "starting sigma must be > 0" (fun () -> box (GaussianKlFit.Fit(KlDirection.Reverse, lp, 0.0, 0.0, 0.1, 1, -5.0, 5.0)))
    throws<ArgumentOutOfRangeException> "learning rate must be > 0" (fun () -> box (GaussianKlFit.Fit(KlDirection.Reverse, lp, 0.0, 1.0, 0.0, 1, -5.0, 5.0)))
    throws<ArgumentOutOfRangeException> "steps must be >= 0" (fun () -> box (GaussianKlFit.Fit(KlDirection.Reverse, lp, 0.0, 1.0, 0.1, -1, -5.0, 5.0)))
    // KL(N(m, s^2) || N(0, 1)) = -log s + (s^2 + m^2) / 2 - 1/2
    let kl m s = -(log s) + (s * s + m * m) / 2.0 - 0.5
    let r = GaussianKlFit.Fit(KlDirection.Reverse, lp, 0.5, 1.5, 0.1, 0, -15.0, 15.0)
    Assert.Equal(1, r.Curve.Length)
    closeScalar 1e-10 (kl 0.5 1.5) r.Curve.[0]
    // q = N(+-12, 2^2) reaches past one end of [-15, 15] only: the grid must grow on that side
    for m in [ 12.0; -12.0 ] do
        closeScalar 1e-9 (kl m 2.0) (GaussianKlFit.Evaluate(KlDirection.Reverse, lp, m, 2.0, -15.0, 15.0, 3001L))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.InferenceContractTests" [
        Expecto.Tests.testCase "Quadrature refuses empty intervals, fewer than 3 points and even Simpson counts, and accepts the boundary cases" ``Quadrature refuses empty intervals, fewer than 3 points and even Simpson counts, and accepts the boundary cases``
        Expecto.Tests.testCase "MonteCarlo.Mean needs 2 draws (SE sqrt(s^2 / M)), and Covers is |mean - truth| <= z SE with the boundary included" ``MonteCarlo.Mean needs 2 draws (SE sqrt(s^2 / M)), and Covers is |mean - truth| <= z SE with the boundary included``
        Expecto.Tests.testCase "BitsPerDim: 2 levels and 1 dimension are the smallest accepted; every entry point checks" ``BitsPerDim: 2 levels and 1 dimension are the smallest accepted; every entry point checks``
        Expecto.Tests.testCase "Elbo works on one point given as a (K) vector and refuses q of another shape" ``Elbo works on one point given as a (K) vector and refuses q of another shape``
        Expecto.Tests.testCase "ImportanceSampling: (M, P) values give P estimates at once; Kish's ESS is (sum w)^2 / sum w^2" ``ImportanceSampling: (M, P) values give P estimates at once; Kish's ESS is (sum w)^2 / sum w^2``
        Expecto.Tests.testCase "GaussianKlFit: sigma, sigma0 and the learning rate must be positive; 0 steps evaluates the start; Evaluate widens the grid on one side" ``GaussianKlFit: sigma, sigma0 and the learning rate must be positive; 0 steps evaluates the start; Evaluate widens the grid on one side``
    ]
