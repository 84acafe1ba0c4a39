/// DensityMutantTests.fs: IDensity adapters (Density.cs) — dimension, float64 draws and log-densities of the wrapped mixture, refusals with their messages.
module GenDsl.Tests.Core.DensityMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Distributions
open GenDsl.Tests.Support

let ``Density.Of a GMM and of a float32 NormalMixture: D, (n, D) float64 draws, and the wrapped log-density`` () =
    use gmm = GaussianMixture.Ring(3, 2.0)
    let q = Density.Of(gmm)
    Assert.Equal(2, q.D)
    use g = new Generator(6UL)
    use x = q.Sample(5L, g)
    Assert.Equal<int64 list>([ 5L; 2L ], shape x)
    close 0.0 (vals (gmm.LogProb(x))) (q.LogProb(x))
    let nm = NormalMixture(vec [ 1.0 ], Torch.Zeros([| 1L; 3L |], ScalarType.Float32), Torch.Ones([| 1L; 3L |], ScalarType.Float32))
    let qn = Density.Of(nm)
    Assert.Equal(3, qn.D)
    use y = qn.Sample(4L, g)
    Assert.Equal(ScalarType.Float64, y.Dtype)
    Assert.Equal<int64 list>([ 4L; 3L ], shape y)
    // N(0, I_3) at the origin
    close 1e-6 [ -1.5 * log (2.0 * Math.PI) ] (qn.LogProb(Torch.Zeros([| 1L; 3L |], ScalarType.Float32)))

let ``Density.Of refuses null and a distribution whose draws are not vectors, naming the batch shape`` () =
    Assert.Throws<ArgumentNullException>(fun () -> Density.Of(Unchecked.defaultof<GaussianMixture>) |> ignore) |> ignore
    Assert.Throws<ArgumentNullException>(fun () -> Density.Of(Unchecked.defaultof<Distribution>) |> ignore) |> ignore
    let e = Assert.Throws<ArgumentException>(fun () -> Density.Of(Normal(Torch.Zeros([| 2L; 3L |]), Torch.Ones([| 2L; 3L |]))) |> ignore)
    Assert.Contains("needs a distribution with BatchShape [D]; got [2, 3]", e.Message)
    Assert.Contains("Use a mixture over vectors (NormalMixture) or write an IDensity", e.Message)
    let e0 = Assert.Throws<ArgumentException>(fun () -> Density.Of(Normal(0.0, 1.0)) |> ignore)
    Assert.Contains("got []", e0.Message)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.DensityMutantTests" [
        Expecto.Tests.testCase "Density.Of a GMM and of a float32 NormalMixture: D, (n, D) float64 draws, and the wrapped log-density" ``Density.Of a GMM and of a float32 NormalMixture: D, (n, D) float64 draws, and the wrapped log-density``
        Expecto.Tests.testCase "Density.Of refuses null and a distribution whose draws are not vectors, naming the batch shape" ``Density.Of refuses null and a distribution whose draws are not vectors, naming the batch shape``
    ]
