/// AutogradTests.fs: autograd against central finite differences on random compositions (FsCheck), a second
/// derivative through createGraph, a Jacobian, and backward/no-grad basics.
module GenDsl.Tests.Core.AutogradTests

open System
open Xunit
open FsCheck
open FsCheck.FSharp
open GenDsl.Torch
open GenDsl.Tests.Support

/// Smooth ops on R^3 -> R^3 with a float twin; each keeps values bounded so compositions stay well conditioned.
let private ops: (string * (Tensor -> Tensor) * (float[] -> float[])) list =
    let ew f g = (fun (t: Tensor) -> f t), (fun (a: float[]) -> Array.map g a)
    [ let f, g = ew (fun t -> t.Sin()) sin in "sin", f, g
      let f, g = ew (fun t -> t.Tanh()) tanh in "tanh", f, g
      let f, g = ew (fun t -> t.Sigmoid()) (fun v -> 1. / (1. + exp -v)) in "sigmoid", f, g
      let f, g = ew (fun t -> t.Softplus()) (fun v -> log (1. + exp v)) in "softplus", f, g
      let f, g = ew (fun t -> t * t * 0.5) (fun v -> 0.5 * v * v) in "square/2", f, g
      let f, g = ew (fun t -> (t * t + 1.0).Log()) (fun v -> log (v * v + 1.)) in "log(1+x^2)", f, g
      let f, g = ew (fun t -> (t * 0.5).Exp()) (fun v -> exp (0.5 * v)) in "exp(x/2)", f, g
      "softmax", (fun t -> t.Softmax(0L)), (fun a -> let m = Array.max a in let e = Array.map (fun v -> exp (v - m)) a in let s = Array.sum e in Array.map (fun v -> v / s) e)
      "cumsum", (fun t -> t.CumSum(0L)), (fun a -> Array.scan (+) 0. a |> Array.tail)
      "flip*x", (fun t -> t.Flip(0L) * t), (fun a -> Array.mapi (fun i v -> a.[a.Length - 1 - i] * v) a)
      "x-mean", (fun t -> t - t.Mean()), (fun a -> let m = Array.average a in Array.map (fun v -> v - m) a) ]

/// The scalar a composition ends in: logsumexp (exercises a reduction in every case).
let private lse (a: float[]) = let m = Array.max a in m + log (Array.sumBy (fun v -> exp (v - m)) a)

let ``autograd matches central finite differences on random compositions of ops (FsCheck, seeded)`` () =
    let gen =
        gen {
            let! n = Gen.choose (1, 4)
            let! idx = Gen.listOfLength n (Gen.choose (0, ops.Length - 1))
            let! x = Gen.arrayOfLength 3 (Gen.choose (-150, 150) |> Gen.map (fun i -> float i / 100.))
            return idx, x
        }
    let prop (idx: int list, x0: float[]) =
        use scope = Scope.Begin()
        let x = (vec (List.ofArray x0)).RequiresGrad_()
        let y = idx |> List.fold (fun (t: Tensor) i -> let _, f, _ = ops.[i] in f t) x
        let loss = y.LogSumExp(0L)
        let g = vals (Autograd.Grad(loss, x))
        let f (a: float[]) = idx |> List.fold (fun a i -> let _, _, h = ops.[i] in h a) a |> lse
        // Central differences, h = 1e-6: truncation O(h^2 f''') ~ 1e-12, rounding ~ eps |f| / h ~ 1e-10;
        // with derivatives of order <= 10 here, 1e-6 absolute + 1e-6 relative leaves a wide margin.
        let h = 1e-6
        let names = idx |> List.map (fun i -> let n, _, _ = ops.[i] in n)
        for j in 0 .. 2 do
            let xp = Array.copy x0 in xp.[j] <- xp.[j] + h
            let xm = Array.copy x0 in xm.[j] <- xm.[j] - h
            let fd = (f xp - f xm) / (2. * h)
            if abs (fd - g.[j]) > 1e-6 + 1e-6 * abs fd then
                failwithf "%A at %A: d/dx%d autograd %g vs finite difference %g" names x0 j g.[j] fd
        // The float twin must also agree with the tensor forward (so the oracle is the same function).
        closeScalar 1e-9 (f x0) (loss.Item<float>())
    Prop.forAll (Arb.fromGen gen) prop   // run by Expecto.FsCheck: 60 cases from a fixed seed (the tests list)

let ``createGraph gives second derivatives: d2/dx2 of x^3 sin x`` () =
    use x = (vec [ 0.7 ]).RequiresGrad_()
    let y = (x.Pow(Scalar.op_Implicit 3L) * x.Sin()).Sum()
    let dy = Autograd.Grad(y, x, createGraph = true)
    let d2 = Autograd.Grad(dy.Sum(), x)
    let v = 0.7
    closeScalar 1e-12 (3. * v * v * sin v + v ** 3. * cos v) (dy.Item<float>())
    closeScalar 1e-12 (6. * v * sin v + 6. * v * v * cos v - v ** 3. * sin v) (d2.Item<float>())

let ``Jacobian of (x0 x1, sin x0, x1^2) is [[x1, x0], [cos x0, 0], [0, 2 x1]]`` () =
    use x = vec [ 0.3; -1.2 ]
    let f (t: Tensor) = Torch.Stack([| t.[0L] * t.[1L]; t.[0L].Sin(); t.[1L] * t.[1L] |])
    use j = Autograd.Jacobian(f, x)
    Assert.Equal<int64 list>([ 3L; 2L ], shape j)
    close 1e-12 [ -1.2; 0.3; cos 0.3; 0.0; 0.0; -2.4 ] j

let ``backward accumulates into grad, NoGrad records nothing, detach cuts the graph`` () =
    use w = (vec [ 1.; 2. ]).RequiresGrad_()
    (w * w).Sum().Backward()
    (w * 3.0).Sum().Backward()
    close 0.0 [ 5.; 7. ] w.Grad // 2w + 3
    w.Grad <- null
    Assert.Null(w.Grad)
    use ng = Autograd.NoGrad()
    let y = w * 2.0
    Assert.False(y.RequiresGrad)
    ng.Dispose()
    Assert.True(Autograd.IsGradEnabled)
    Assert.False(w.Detach().RequiresGrad)
    use v = (vec [ 1.; 2. ]).RequiresGrad_()
    (v * v).Backward(vec [ 1.; 10. ]) // a non-scalar output takes an explicit gradient
    close 0.0 [ 2.; 40. ] v.Grad

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.AutogradTests" [
        Expecto.ExpectoFsCheck.testPropertyWithConfig { Expecto.FsCheckConfig.defaultConfig with maxTest = 60; replay = Some (20240601UL, 0x9E3779B97F4A7C15UL, None) } "autograd matches central finite differences on random compositions of ops (FsCheck, seeded)" (``autograd matches central finite differences on random compositions of ops (FsCheck, seeded)`` ())
        Expecto.Tests.testCase "createGraph gives second derivatives: d2/dx2 of x^3 sin x" ``createGraph gives second derivatives: d2/dx2 of x^3 sin x``
        Expecto.Tests.testCase "Jacobian of (x0 x1, sin x0, x1^2) is [[x1, x0], [cos x0, 0], [0, 2 x1]]" ``Jacobian of (x0 x1, sin x0, x1^2) is [[x1, x0], [cos x0, 0], [0, 2 x1]]``
        Expecto.Tests.testCase "backward accumulates into grad, NoGrad records nothing, detach cuts the graph" ``backward accumulates into grad, NoGrad records nothing, detach cuts the graph``
    ]
