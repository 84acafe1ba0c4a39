/// GaussianMixtureMutantTests.fs: the Gaussian mixture's edges that mutation testing checks — spherical and diagonal log-densities by hand, the constructor's checks and messages, empty samples, the ring's first mean.
module GenDsl.Tests.Core.GaussianMixtureMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// log N(x; mu, diag(v)) in 2-D, written out.
let private logN2 (x: float[]) (mu: float[]) (v: float[]) =
    Seq.sum (seq { for d in 0 .. 1 -> -0.5 * (x.[d] - mu.[d]) ** 2.0 / v.[d] - 0.5 * log (2.0 * Math.PI * v.[d]) })

let ``Spherical and diagonal mixtures: log N(x; mu_k, Sigma_k) per component and the mixture density equal the written-out Gaussians`` () =
    use w = vec [ 0.4; 0.6 ]
    use mu = t64 [ 2L; 2L ] [ 1.0; -1.0; -2.0; 0.5 ]
    let xs = [| [| 0.0; 0.0 |]; [| 1.5; -2.0 |]; [| -3.0; 1.0 |] |]
    use x = t64 [ 3L; 2L ] [ for p in xs do yield! p ]
    for ct, v in [ CovarianceType.Spherical, [| [| 0.5; 0.5 |]; [| 2.0; 2.0 |] |]; CovarianceType.Diagonal, [| [| 0.5; 3.0 |]; [| 2.0; 0.25 |] |] ] do
        use cov = t64 [ 2L; 2L; 2L ] [ for k in 0 .. 1 do yield! [ v.[k].[0]; 0.0; 0.0; v.[k].[1] ] ]
        use m = new GaussianMixture(w, mu, cov, ct)
        let means = [| [| 1.0; -1.0 |]; [| -2.0; 0.5 |] |]
        close 1e-12 [ for p in xs do for k in 0 .. 1 -> logN2 p means.[k] v.[k] ] (m.ComponentLogProb(x))
        close 1e-12 [ for p in xs -> log (0.4 * exp (logN2 p means.[0] v.[0]) + 0.6 * exp (logN2 p means.[1] v.[1])) ] (m.LogProb(x))
        // float32 data is accepted and evaluated in float64
        use x32 = x.Float()
        close 1e-6 (vals (m.LogProb(x))) (m.LogProb(x32))

let ``Gaussian mixture constructor: means (K, D) with K, D >= 1, weights (K) non-negative summing to 1, covariances (K, D, D) of the declared form`` () =
    use w2 = vec [ 0.5; 0.5 ]
    use mu = t64 [ 2L; 2L ] [ 0.0; 0.0; 1.0; 1.0 ]
    throws<ArgumentException> "means must be (K, D); got shape [4]" (fun () -> box (new GaussianMixture(w2, vec [ 0.0; 0.0; 1.0; 1.0 ])))
    throws<ArgumentException> "means must be (K, D); got shape [2, 2, 1]" (fun () -> box (new GaussianMixture(w2, Torch.Zeros([| 2L; 2L; 1L |], f64))))
    let nul = Unchecked.defaultof<Tensor>
    Assert.Throws<ArgumentNullException>(fun () -> new GaussianMixture(nul, mu) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> new GaussianMixture(w2, nul) |> ignore) |> ignore
    use m0 = new GaussianMixture(w2, mu)
    Assert.Throws<ArgumentNullException>(fun () -> m0.LogProb(nul) |> ignore) |> ignore
    // D = 1 and a zero weight are allowed
    use oneD = new GaussianMixture(vec [ 1.0; 0.0 ], t64 [ 2L; 1L ] [ 0.0; 5.0 ])
    close 1e-15 [ -0.5 * log (2.0 * Math.PI) ] (oneD.LogProb(t64 [ 1L; 1L ] [ 0.0 ]))
    // a 1-D spherical component N(0, 4): log N(0; 0, 4) = -1/2 log(2 pi 4), the log-variance weighted by D / 2 = 1/2
    use sph1 = new GaussianMixture(vec [ 1.0 ], t64 [ 1L; 1L ] [ 0.0 ], t64 [ 1L; 1L; 1L ] [ 4.0 ], CovarianceType.Spherical)
    close 1e-15 [ -0.5 * log (8.0 * Math.PI) ] (sph1.LogProb(t64 [ 1L; 1L ] [ 0.0 ]))
    throws<ArgumentException> "means must have K >= 1 rows and D >= 1 columns; got (2, 0)" (fun () -> box (new GaussianMixture(w2, Torch.Zeros([| 2L; 0L |], f64))))
    throws<ArgumentException> "got (0, 2)" (fun () -> box (new GaussianMixture(Torch.Zeros([| 0L |], f64), Torch.Zeros([| 0L; 2L |], f64))))
    throws<ArgumentException> "weights must be (2) to match means (2, 2); got shape [3]" (fun () -> box (new GaussianMixture(vec [ 0.2; 0.3; 0.5 ], mu)))
    throws<ArgumentException> "got shape [2, 1]" (fun () -> box (new GaussianMixture(t64 [ 2L; 1L ] [ 0.5; 0.5 ], mu)))
    throws<ArgumentException> "weights must be non-negative; got [1.5, -0.5]" (fun () -> box (new GaussianMixture(vec [ 1.5; -0.5 ], mu)))
    throws<ArgumentException> "weights must be non-negative" (fun () -> box (new GaussianMixture(vec [ Double.NaN; 0.5 ], mu)))
    throws<ArgumentException> "weights must sum to 1 (they sum to 0.9)" (fun () -> box (new GaussianMixture(vec [ 0.5; 0.4 ], mu)))
    use okSum = new GaussianMixture(vec [ 0.5; 0.5 + 5e-7 ], mu)                // within the 1e-6 tolerance
    for shape in [ [ 2L; 2L ]; [ 1L; 2L; 2L ]; [ 2L; 1L; 2L ]; [ 2L; 2L; 1L ] ] do
        throws<ArgumentException> (sprintf "covariances must be (2, 2, 2); got shape [%s]" (String.Join(", ", shape))) (fun () -> box (new GaussianMixture(w2, mu, Torch.Ones(List.toArray shape, f64), CovarianceType.Full)))
    use notPd = t64 [ 2L; 2L; 2L ] [ 1.0; 2.0; 2.0; 1.0; 1.0; 0.0; 0.0; 1.0 ]
    throws<ArgumentException> "covariances must be symmetric positive definite (" (fun () -> box (new GaussianMixture(w2, mu, notPd, CovarianceType.Full)))
    use scaled = t64 [ 2L; 2L; 2L ] [ 2.0; 0.0; 0.0; 2.0; 1.0; 0.0; 0.0; 1.0 ]
    throws<ArgumentException> "do not have the form CovarianceType.Identity requires (Identity: I; Spherical: c_k I; Diagonal: diagonal matrices); pass CovarianceType.Full for general matrices" (fun () -> box (new GaussianMixture(w2, mu, scaled, CovarianceType.Identity)))
    use uneven = t64 [ 2L; 2L; 2L ] [ 2.0; 0.0; 0.0; 1.0; 1.0; 0.0; 0.0; 1.0 ]
    throws<ArgumentException> "CovarianceType.Spherical requires" (fun () -> box (new GaussianMixture(w2, mu, uneven, CovarianceType.Spherical)))
    use sph = new GaussianMixture(w2, mu, scaled, CovarianceType.Spherical)    // c_k I with different c_k is spherical
    use off = t64 [ 2L; 2L; 2L ] [ 2.0; 0.5; 0.5; 2.0; 1.0; 0.0; 0.0; 1.0 ]
    throws<ArgumentException> "CovarianceType.Spherical requires" (fun () -> box (new GaussianMixture(w2, mu, off, CovarianceType.Spherical)))
    throws<ArgumentException> "CovarianceType.Diagonal requires" (fun () -> box (new GaussianMixture(w2, mu, off, CovarianceType.Diagonal)))
    use full = new GaussianMixture(w2, mu, off, CovarianceType.Full)
    Assert.Equal(2 * 2 + 1 + 2 * 3, full.NumParameters)
    Assert.Equal(2 * 2 + 1 + 2, sph.NumParameters)

let ``Gaussian mixture sampling: n = 0 gives (0, D) and (0), negative counts are refused; SampleEach's components come in order`` () =
    use m = GaussianMixture.Cse599iP7()
    use g = new Generator(4UL)
    let struct (x, z) = m.Sample(0L, g)
    Assert.Equal<int64 list>([ 0L; 2L ], shape x)
    Assert.Equal<int64 list>([ 0L ], shape z)
    throws<ArgumentException> "n must be >= 0; got -1" (fun () -> box (m.Sample(-1L, g)))
    throws<ArgumentException> "perComponent must be >= 0; got -2" (fun () -> box (m.SampleEach(-2L, g)))
    let struct (x0, _) = m.SampleEach(0L, g)
    Assert.Equal<int64 list>([ 0L; 2L ], shape x0)
    // the seed's P7a mixture: means (-2, 0), (1, 3), (2, -2), weights 1/3
    close 0.0 [ -2.0; 0.0; 1.0; 3.0; 2.0; -2.0 ] m.Means
    let struct (_, ze) = m.SampleEach(2L, g)
    close 0.0 [ 0.0; 0.0; 1.0; 1.0; 2.0; 2.0 ] ze
    throws<ArgumentException> "x must be (N, 2) for this 2-dimensional mixture; got shape [3]" (fun () -> box (m.LogProb(vec [ 0.0; 0.0; 0.0 ])))
    throws<ArgumentException> "got shape [1, 3]" (fun () -> box (m.LogProb(Torch.Zeros([| 1L; 3L |], f64))))

let ``Ring: mu_j = R (cos 2 pi j / K, sin 2 pi j / K) from j = 0; K >= 1 and a finite R >= 0 are required`` () =
    use r = GaussianMixture.Ring(4, 3.0)
    close 1e-15 [ 3.0; 0.0; 0.0; 3.0; -3.0; 0.0; 0.0; -3.0 ] r.Means
    close 0.0 [ 0.25; 0.25; 0.25; 0.25 ] r.Weights
    use one = GaussianMixture.Ring(1, 0.0)
    close 0.0 [ 0.0; 0.0 ] one.Means
    throws<ArgumentException> "k must be >= 1; got 0" (fun () -> box (GaussianMixture.Ring(0, 1.0)))
    throws<ArgumentException> "radius must be finite and >= 0; got -1" (fun () -> box (GaussianMixture.Ring(2, -1.0)))
    throws<ArgumentException> "radius must be finite and >= 0" (fun () -> box (GaussianMixture.Ring(2, Double.PositiveInfinity)))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.GaussianMixtureMutantTests" [
        Expecto.Tests.testCase "Spherical and diagonal mixtures: log N(x; mu_k, Sigma_k) per component and the mixture density equal the written-out Gaussians" ``Spherical and diagonal mixtures: log N(x; mu_k, Sigma_k) per component and the mixture density equal the written-out Gaussians``
        Expecto.Tests.testCase "Gaussian mixture constructor: means (K, D) with K, D >= 1, weights (K) non-negative summing to 1, covariances (K, D, D) of the declared form" ``Gaussian mixture constructor: means (K, D) with K, D >= 1, weights (K) non-negative summing to 1, covariances (K, D, D) of the declared form``
        Expecto.Tests.testCase "Gaussian mixture sampling: n = 0 gives (0, D) and (0), negative counts are refused; SampleEach's components come in order" ``Gaussian mixture sampling: n = 0 gives (0, D) and (0), negative counts are refused; SampleEach's components come in order``
        Expecto.Tests.testCase "Ring: mu_j = R (cos 2 pi j / K, sin 2 pi j / K) from j = 0; K >= 1 and a finite R >= 0 are required" ``Ring: mu_j = R (cos 2 pi j / K, sin 2 pi j / K) from j = 0; K >= 1 and a finite R >= 0 are required``
    ]
