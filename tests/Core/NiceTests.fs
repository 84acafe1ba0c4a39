/// NiceTests.fs: NICE (ECE 8803 PS2 P4) — log-det vs the autograd Jacobian, exact inverse, unit mass by quadrature, prior sampling, bits/dim.
module GenDsl.Tests.Core.NiceTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Inference
open GenDsl.Models
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

/// A small float64 NICE with a non-zero scaling layer (so the log-det is not trivially 0).
let private smallNice (d: int64) (prior: NicePrior) (seed: uint64) =
    use g = new Generator(seed)
    let nice = Nice.Mlp(d, 4, 2, 16L, prior, g, f64)
    use ng = Autograd.NoGrad()
    use s = Torch.Randn([| 1L; d |], g, f64) * 0.5
    nice.Scaling.LogScale.Copy_(s) |> ignore
    nice

let ``ECE8803 P4: NICE log-det equals log|det| of the autograd Jacobian (odd D = 5, unequal halves)`` () =
    use nice = smallNice 5L NicePrior.Logistic 11UL
    use g = new Generator(12UL)
    use x = Torch.Randn([| 5L |], g, f64)
    use j = Autograd.Jacobian((fun v -> nice.Forward(v.Unsqueeze(0L)).Squeeze(0L)), x)   // (5, 5)
    let struct (sign, logAbs) = Linalg.SlogDet(j)
    let struct (_, ld) = nice.ForwardWithLogDet(x.Unsqueeze(0L))
    // the couplings are unit-triangular but not diagonal: the Jacobian has off-diagonal entries
    use off = (j - j.Diagonal().DiagEmbed()).Abs().Max()
    Assert.True(off.ToDouble() > 1e-3, "the couplings should mix dims")
    Assert.Equal(1.0, sign.ToDouble())
    // float64 autograd and slogdet (LU) of a 5x5 matrix: agreement to ~1e-13
    closeScalar 1e-10 (logAbs.ToDouble()) (ld.[0L].ToDouble())

let ``NICE inverse round-trips to 1e-5 in float32 both ways`` () =
    use g = new Generator(21UL)
    use nice = Nice.Mlp(10L, 4, 3, 32L, generator = g)
    using (Autograd.NoGrad()) (fun _ -> nice.Scaling.LogScale.Copy_(Torch.Randn([| 1L; 10L |], g) * 0.3) |> ignore)
    use x = Torch.Rand([| 16L; 10L |], g)
    use ng = Autograd.NoGrad()
    use back = nice.Inverse(nice.Forward(x))
    use z = Torch.Randn([| 16L; 10L |], g)
    use fwd = nice.Forward(nice.Inverse(z))
    Assert.True(back.AllClose(x, 0.0, 1e-5), "Inverse(Forward x) = x")
    Assert.True(fwd.AllClose(z, 0.0, 1e-5), "Forward(Inverse z) = z")
    // images (B, 1, 2, 5) are flattened to (B, 10)
    Assert.Equal<int64 list>([ 16L; 10L ], shape (nice.Forward(x.View(16L, 1L, 2L, 5L))))

let ``ECE8803 P4: the density of a 2-D NICE integrates to 1 (midpoint quadrature)`` (priorIndex: int) =
    let prior = if priorIndex = 0 then NicePrior.Logistic else NicePrior.Gaussian
    use nice = smallNice 2L prior 31UL
    use ng = Autograd.NoGrad()
    // [-20, 20]^2: the tails decay like exp(-e^s |x|) or faster (s = (0.11, -0.28) here), so the mass outside is
    // below 1e-6; 400^2 cells of side 0.1: the midpoint rule's O(h^2) error measured 1e-6 (against 1600^2 cells on
    // [-40, 40]^2), so tol 1e-4
    use logMass = Quadrature.LogIntegrate2d((fun p -> nice.LogProb(p)), -20.0, 20.0, 400L)
    closeScalar 1e-4 1.0 (exp (logMass.ToDouble()))
    // the test can fail: without the scaling log-det the mass is exp(-sum s) (the couplings preserve volume)
    use priorOnly = Quadrature.LogIntegrate2d((fun p -> nice.PriorLogProb(nice.Forward(p))), -20.0, 20.0, 400L)
    use sumS = nice.Scaling.LogScale.Sum()
    closeScalar 1e-4 (exp (-sumS.ToDouble())) (exp (priorOnly.ToDouble()))
    Assert.True(abs (sumS.ToDouble()) > 0.05, "the scaling must be far from identity for the check above to bite")

let ``NICE samples map back to the prior scaled by the temperature (E z^2 = T^2 var of the prior)`` (priorIndex: int) =
    // E x^2 and Var x^2 of one prior coordinate: logistic E x^2 = pi^2/3, E x^4 = 7 pi^4/15, so Var x^2 = 16 pi^4/45;
    // standard normal E x^2 = 1, Var x^2 = 3 - 1 = 2
    let prior, var, varSq =
        if priorIndex = 0 then NicePrior.Logistic, Math.PI * Math.PI / 3.0, 16.0 * Math.PI ** 4.0 / 45.0
        else NicePrior.Gaussian, 1.0, 2.0
    use nice = smallNice 4L prior 41UL
    use g = new Generator(42UL)
    let t = 0.7
    use x = nice.Sample(20000L, g, t)
    Assert.Equal<int64 list>([ 20000L; 4L ], shape x)
    use ng = Autograd.NoGrad()
    use z = nice.Forward(x)
    // 80000 i.i.d. values of z^2 (the prior factorises), each with the true sd T^2 sqrt(Var x^2): 4 true standard
    // errors (false failure ~6e-5); the reported standard error must be within 25% of the true one
    let e = MonteCarlo.Mean(z.Square())
    let se = t * t * sqrt varSq / sqrt (float e.Samples)
    if abs (e.Mean - t * t * var) > 4.0 * se then failwithf "E z^2: %O, expected %g +- 4 x %g" e (t * t * var) se
    if abs (e.StdErr / se - 1.0) > 0.25 then failwithf "reported SE %g, true %g" e.StdErr se

let ``ECE8803 P4: bits/dim is (D ln 256 - LL) / (D ln 2); the uniform density on [0,1]^D gives 8`` () =
    closeScalar 1e-12 8.0 (BitsPerDim.FromLogDensity(0.0, 784L))
    // every nat of log-density per dim saves 1/ln 2 bits per dim
    closeScalar 1e-12 (8.0 - 1.0 / log 2.0) (BitsPerDim.FromLogDensity(784.0, 784L))
    use t = BitsPerDim.FromLogDensity(Torch.Tensor<float>([| 0.0; -784.0 * log 2.0 |]), 784L)
    close 1e-12 [ 8.0; 9.0 ] t

let ``dequantised pixels k/255 land in their cell [k/256, (k+1)/256)`` () =
    use g = new Generator(51UL)
    use k = Torch.Linspace(0.0, 255.0, 256L, f64)
    use x = BitsPerDim.Dequantize((k / 255.0).Expand(50L, 256L), g)
    use cell = (x * 256.0).Floor()
    Assert.True(cell.Equal(k.Expand(50L, 256L)), "floor(256 x) = k")
    use spread = (x * 256.0 - cell).Std()
    closeScalar 0.01 (sqrt (1.0 / 12.0)) (spread.ToDouble())   // U[0,1) offsets: sd 0.2887; 12800 draws, SE ~0.0013

let ``NICE at the seed's setting: 4 couplings of 392 -> 5 x 1000 ReLU -> 392, PyTorch-style names, 19,158,352 parameters`` () =
    use nice = Nice.Mlp()
    let names = nice.NamedParameters() |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq
    Assert.Equal("net.0.net.0.weight", names.Head)
    Assert.Contains("net.3.net.10.bias", names)
    Assert.Equal("scaling.log_scale", List.last names)
    // per coupling: 392*1000+1000 + 4*(1000*1000+1000) + 1000*392+392 = 4,789,392; times 4, plus 784 log-scales
    Assert.Equal(4L * 4789392L + 784L, Utils.ParameterCount nice)
    Assert.True((nice.Couplings.[1] :?> AdditiveCoupling).Reverse && not (nice.Couplings.[0] :?> AdditiveCoupling).Reverse)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.NiceTests" [
        Expecto.Tests.testCase "ECE8803 P4: NICE log-det equals log|det| of the autograd Jacobian (odd D = 5, unequal halves)" ``ECE8803 P4: NICE log-det equals log|det| of the autograd Jacobian (odd D = 5, unequal halves)``
        Expecto.Tests.testCase "NICE inverse round-trips to 1e-5 in float32 both ways" ``NICE inverse round-trips to 1e-5 in float32 both ways``
        Expecto.Tests.testCase "ECE8803 P4: the density of a 2-D NICE integrates to 1 (midpoint quadrature)(priorIndex: 0)" (fun () -> ``ECE8803 P4: the density of a 2-D NICE integrates to 1 (midpoint quadrature)`` 0)
        Expecto.Tests.testCase "ECE8803 P4: the density of a 2-D NICE integrates to 1 (midpoint quadrature)(priorIndex: 1)" (fun () -> ``ECE8803 P4: the density of a 2-D NICE integrates to 1 (midpoint quadrature)`` 1)
        Expecto.Tests.testCase "NICE samples map back to the prior scaled by the temperature (E z^2 = T^2 var of the prior)(priorIndex: 0)" (fun () -> ``NICE samples map back to the prior scaled by the temperature (E z^2 = T^2 var of the prior)`` 0)
        Expecto.Tests.testCase "NICE samples map back to the prior scaled by the temperature (E z^2 = T^2 var of the prior)(priorIndex: 1)" (fun () -> ``NICE samples map back to the prior scaled by the temperature (E z^2 = T^2 var of the prior)`` 1)
        Expecto.Tests.testCase "ECE8803 P4: bits/dim is (D ln 256 - LL) / (D ln 2); the uniform density on [0,1]^D gives 8" ``ECE8803 P4: bits/dim is (D ln 256 - LL) / (D ln 2); the uniform density on [0,1]^D gives 8``
        Expecto.Tests.testCase "dequantised pixels k/255 land in their cell [k/256, (k+1)/256)" ``dequantised pixels k/255 land in their cell [k/256, (k+1)/256)``
        Expecto.Tests.testCase "NICE at the seed's setting: 4 couplings of 392 -> 5 x 1000 ReLU -> 392, PyTorch-style names, 19,158,352 parameters" ``NICE at the seed's setting: 4 couplings of 392 -> 5 x 1000 ReLU -> 392, PyTorch-style names, 19,158,352 parameters``
    ]
