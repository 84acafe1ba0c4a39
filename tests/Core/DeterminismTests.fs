/// DeterminismTests.fs: the same seed gives bit-identical samples and training results; a tiny fit reaches a stated loss.
module GenDsl.Tests.Core.DeterminismTests

open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

/// Every random op once, from one generator (or the global one when g is None).
let private draws (g: Generator option) =
    let g = Option.toObj g
    use p = Torch.Full([| 50L |], Scalar.op_Implicit 0.3, ScalarType.Float64)
    use w = Torch.Tensor<float>([| 0.1; 0.2; 0.7 |])
    use m = Torch.Zeros([| 20L |], ScalarType.Float64)
    use s = Torch.Ones([| 20L |], ScalarType.Float64)
    use x = Torch.Ones([| 50L |], ScalarType.Float64)
    [ vals (Torch.Rand([| 20L |], g, ScalarType.Float64))
      vals (Torch.Randn([| 20L |], g, ScalarType.Float64))
      vals (Torch.RandInt(0L, 1000L, [| 20L |], g))
      vals (Torch.Bernoulli(p, g))
      vals (Torch.Multinomial(w, 30L, true, g))
      vals (Torch.Normal(m, s, g))
      vals (Functional.Dropout(x, 0.5, true, g)) ]

let ``the same Generator seed gives bit-identical rand randn randint bernoulli multinomial normal dropout`` () =
    use g1 = new Generator(123UL)
    use g2 = new Generator(123UL)
    let a = draws (Some g1)
    let b = draws (Some g2)
    List.iter2 (fun (x: float[]) (y: float[]) -> Assert.Equal<float[]>(x, y)) a b
    g1.ManualSeed(123UL) |> ignore
    List.iter2 (fun (x: float[]) (y: float[]) -> Assert.Equal<float[]>(x, y)) a (draws (Some g1))
    use g3 = new Generator(124UL)
    Assert.NotEqual<float[]>(a.[1], (draws (Some g3)).[1])

let ``ManualSeed makes the global generator repeat itself`` () =
    Torch.ManualSeed 99UL
    let a = draws None
    Torch.ManualSeed 99UL
    let b = draws None
    List.iter2 (fun (x: float[]) (y: float[]) -> Assert.Equal<float[]>(x, y)) a b

/// Logistic regression on two separable-ish Gaussian blobs, 200 plain gradient steps; returns (weights, final loss).
let private fit (seed: uint64) =
    use g = new Generator(seed)
    use _s = Scope.Begin()
    let x = Torch.Randn([| 200L; 2L |], g, ScalarType.Float64) // (N, 2)
    let y = Torch.Cat([| Torch.Zeros([| 100L |], ScalarType.Float64); Torch.Ones([| 100L |], ScalarType.Float64) |])
    let shift = Torch.Cat([| Torch.Full([| 100L; 2L |], Scalar.op_Implicit -1.5, ScalarType.Float64)
                             Torch.Full([| 100L; 2L |], Scalar.op_Implicit 1.5, ScalarType.Float64) |])
    let x = x + shift
    let w = (Torch.Randn([| 2L |], g, ScalarType.Float64) * 0.1).RequiresGrad_()
    let b = Torch.Zeros([| 1L |], ScalarType.Float64).RequiresGrad_()
    let mutable loss = 0.0
    for _ in 1 .. 200 do
        use _step = Scope.Begin()
        let l = Functional.BinaryCrossEntropyWithLogits(x.MatMul(w) + b, y)
        loss <- l.Item<float>()
        let gs = Autograd.Grad([| l |], [| w; b |])
        use _ng = Autograd.NoGrad()
        w.Sub_(gs.[0] * 0.5) |> ignore
        b.Sub_(gs.[1] * 0.5) |> ignore
    vals w, loss

let ``the same seed gives bit-identical training, and logistic regression gets below 0.15 BCE`` () =
    let w1, l1 = fit 5UL
    let w2, l2 = fit 5UL
    Assert.Equal<float[]>(w1, w2)
    Assert.Equal(l1, l2)
    // Blobs at +-(1.5, 1.5) with unit variance: the Bayes error is Phi(-1.5 sqrt 2) ~ 1.7%, so a fitted
    // classifier's BCE is about 0.08; 0.15 allows for 200 steps from a small start.
    Assert.True(l2 < 0.15, sprintf "final BCE %g" l2)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.DeterminismTests" [
        Expecto.Tests.testCase "the same Generator seed gives bit-identical rand randn randint bernoulli multinomial normal dropout" ``the same Generator seed gives bit-identical rand randn randint bernoulli multinomial normal dropout``
        Expecto.Tests.testCase "ManualSeed makes the global generator repeat itself" ``ManualSeed makes the global generator repeat itself``
        Expecto.Tests.testCase "the same seed gives bit-identical training, and logistic regression gets below 0.15 BCE" ``the same seed gives bit-identical training, and logistic regression gets below 0.15 BCE``
    ]
