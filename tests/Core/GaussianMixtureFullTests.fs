/// GaussianMixtureFullTests.fs: full covariances, computed one component at a time, equal the batched (K, N, D) forms.
module GenDsl.Tests.Core.GaussianMixtureFullTests

open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = System.Nullable ScalarType.Float64

/// K = 4 random SPD covariances in D = 3 (A A^T + 0.3 I), random means, and N = 400 points, float64.
let private problem () =
    use g = new Generator(2026UL)
    use a = Torch.Randn([| 4L; 3L; 3L |], g, f64)                  // (K, D, D)
    use cov = a.Bmm(a.MT) + Torch.Eye(3L, System.Nullable(), f64) * 0.3
    use means = Torch.Randn([| 4L; 3L |], g, f64) * 2.0              // (K, D)
    let x = Torch.Randn([| 400L; 3L |], g, f64) * 2.0                // (N, D)
    use w = vec [ 0.1; 0.2; 0.3; 0.4 ]
    x, new GaussianMixture(w, means, cov, CovarianceType.Full)

let ``GMM full covariance: per-component log-densities equal the batched (K, D, N) triangular solve to 1e-10`` () =
    let x, m = problem ()
    use x = x
    use m = m
    // The former batched form, written out independently: z = L_k^{-1} (x_i - mu_k) for all k at once.
    use l = Linalg.Cholesky(m.Covariances)                                           // (K, D, D)
    use diff = (x.Unsqueeze(0L) - m.Means.Unsqueeze(1L)).Transpose(1L, 2L)          // (K, D, N)
    use z = Linalg.SolveTriangular(l, diff, upper = false)                          // (K, D, N)
    use logDet = l.Diagonal(0L, -2L, -1L).Log().Sum(1L) * 2.0                       // (K)
    use expected = z.Square().Sum(1L).T * -0.5 - logDet * 0.5 - 1.5 * log (2.0 * System.Math.PI)   // (N, K)
    use actual = m.ComponentLogProb(x)
    // Same arithmetic in another order: float64 rounding (~1e-15 relative on values of size ~10-100) is far below 1e-10.
    Assert.True((actual - expected).Abs().Max().ToDouble() < 1e-10)
    use ll = (expected + m.Weights.Log()).LogSumExp(1L).Mean()
    closeScalar 1e-10 (ll.ToDouble()) (m.MeanLogLikelihood x)

let ``GMM full covariance: the M-step's covariances equal the batched sum_i q_ik (x_i - mu_k)(x_i - mu_k)^T / n_k to 1e-10`` () =
    let x, m = problem ()
    use x = x
    use m = m
    use q = m.ComponentLogProb(x).Add(m.Weights.Log()).Softmax(1L)                 // (N, K) responsibilities
    use fitted = GaussianMixtureFit.MStep(x, q, CovarianceType.Full, 0.0)
    use nk = q.Sum(0L)                                                               // (K)
    use mu = q.T.MatMul(x) / nk.Unsqueeze(1L)                                        // (K, D)
    use diff = x.Unsqueeze(0L) - mu.Unsqueeze(1L)                                    // (K, N, D)
    use expected = (q.T.Unsqueeze(2L) * diff).Transpose(1L, 2L).Bmm(diff) / nk.Unsqueeze(1L).Unsqueeze(2L)   // (K, D, D)
    // The entries are O(1-10); only rounding separates the two orders of summation.
    Assert.True((fitted.Covariances - expected).Abs().Max().ToDouble() < 1e-10)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GaussianMixtureFullTests" [
        Expecto.Tests.testCase "GMM full covariance: per-component log-densities equal the batched (K, D, N) triangular solve to 1e-10" ``GMM full covariance: per-component log-densities equal the batched (K, D, N) triangular solve to 1e-10``
        Expecto.Tests.testCase "GMM full covariance: the M-step's covariances equal the batched sum_i q_ik (x_i - mu_k)(x_i - mu_k)^T / n_k to 1e-10" ``GMM full covariance: the M-step's covariances equal the batched sum_i q_ik (x_i - mu_k)(x_i - mu_k)^T / n_k to 1e-10``
    ]
