/// MixtureDensityHeadMutantTests.fs: the mixture-density head of seed 002 P3 where mutation testing looks — log p(x | h) by hand from the six parameter tensors, the initial scale 1/sqrt(D), the argument checks.
module GenDsl.Tests.Core.MixtureDensityHeadMutantTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Models
open GenDsl.Tests.Support

let ``MixtureDensityHead: log p(x | h) is log sum_c pi_c N(x; mu_c, sigma_c^2) with pi = softmax(W_pi h + b_pi), mu = W_mu h + b_mu, sigma = exp(W_s h + b_s), computed by hand`` () =
    use g = new Generator(3UL)
    let head = MixtureDensityHead(2, 3, g)
    let p (t: Tensor) = vals t
    let wpi, bpi, wmu, bmu, ws, bs = p head.WPi, p head.BPi, p head.WMu, p head.BMu, p head.WLogSigma, p head.BLogSigma
    let hs = [ [ 0.3; -1.2 ]; [ 1.5; 0.4 ] ]
    let xs = [ 0.7; -2.0 ]
    let lin (w: float[]) (b: float[]) (h: float list) c = b.[c] + w.[2 * c] * h.[0] + w.[2 * c + 1] * h.[1]
    let expected =
        List.map2 (fun h x ->
            let a = [ for c in 0 .. 2 -> lin wpi bpi h c ]
            let z = a |> List.sumBy exp
            [ for c in 0 .. 2 ->
                let mu, sigma = lin wmu bmu h c, exp (lin ws bs h c)
                exp (a.[c]) / z * exp (-((x - mu) ** 2.0) / (2.0 * sigma * sigma)) / (sigma * sqrt (2.0 * Math.PI)) ]
            |> List.sum |> log) hs xs
    use h = t64 [ 2L; 2L ] (List.concat hs)
    close 1e-12 expected (head.LogProb(h, vec xs))
    let struct (logPi, mu, sigma) = head.Forward(h)
    Assert.Equal<int64 list>([ 2L; 3L ], shape logPi)
    close 1e-12 [ for hh in hs do for c in 0 .. 2 -> lin wmu bmu hh c ] mu
    close 1e-12 [ for hh in hs do for c in 0 .. 2 -> exp (lin ws bs hh c) ] sigma

let ``MixtureDensityHead: parameters start N(0, 1/D) (D = 100, C = 20: sd within 4 standard errors of 0.1) and require grad; D < 1 or C < 1 is refused`` () =
    use g = new Generator(4UL)
    let head = MixtureDensityHead(100, 20, g)
    for w in [ head.WPi; head.WMu; head.WLogSigma ] do
        Assert.True(w.RequiresGrad)
        let v = vals w
        let sd = sqrt (v |> Array.averageBy (fun a -> a * a))
        // 2000 draws: the sd of the sample sd is about 0.1 / sqrt(2 x 2000) = 0.0016
        if abs (sd - 0.1) > 4.0 * 0.1 / sqrt 4000.0 then failwithf "sd %g, expected 0.1" sd
    Assert.Throws<ArgumentOutOfRangeException>(fun () -> MixtureDensityHead(0, 2) |> ignore) |> ignore
    let e = Assert.Throws<ArgumentOutOfRangeException>(fun () -> MixtureDensityHead(2, 0) |> ignore)
    Assert.Contains("need D >= 1 and C >= 1, got D = 2, C = 0", e.Message)
    Assert.Equal(3L * 1L * 2L, MixtureDensityHead(1, 1, g).NumParameters)
    let e2 = Assert.Throws<ArgumentException>(fun () -> head.Forward(Torch.Zeros([| 2L; 99L |], ScalarType.Float64)) |> ignore)
    Assert.Contains("h must be (N, 100), got [2, 99]", e2.Message)
    Assert.Throws<ArgumentException>(fun () -> head.Forward(Torch.Zeros([| 100L |], ScalarType.Float64)) |> ignore) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.MixtureDensityHeadMutantTests" [
        Expecto.Tests.testCase "MixtureDensityHead: log p(x | h) is log sum_c pi_c N(x; mu_c, sigma_c^2) with pi = softmax(W_pi h + b_pi), mu = W_mu h + b_mu, sigma = exp(W_s h + b_s), computed by hand" ``MixtureDensityHead: log p(x | h) is log sum_c pi_c N(x; mu_c, sigma_c^2) with pi = softmax(W_pi h + b_pi), mu = W_mu h + b_mu, sigma = exp(W_s h + b_s), computed by hand``
        Expecto.Tests.testCase "MixtureDensityHead: parameters start N(0, 1/D) (D = 100, C = 20: sd within 4 standard errors of 0.1) and require grad; D < 1 or C < 1 is refused" ``MixtureDensityHead: parameters start N(0, 1/D) (D = 100, C = 20: sd within 4 standard errors of 0.1) and require grad; D < 1 or C < 1 is refused``
    ]
