/// OpsAutogradTests.fs: vjp, jvp (double-vjp), hvp and hessian against Jacobians and Hessians worked by hand; gradient hooks, anomaly detection and inference mode.
module GenDsl.Tests.Core.OpsAutogradTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

/// f(x) = (x0 x1, sin x2, x0^2): J = [[x1, x0, 0], [0, 0, cos x2], [2 x0, 0, 0]].
let private f (x: Tensor) = Torch.Stack([| x.[0L] * x.[1L]; x.[2L].Sin(); x.[0L].Square() |])
let private jac (x0: float) x1 x2 = array2D [ [ x1; x0; 0.0 ]; [ 0.0; 0.0; cos x2 ]; [ 2.0 * x0; 0.0; 0.0 ] ]

let ``Vjp is v^T J and Jvp (by the double-vjp trick) is J v for a Jacobian worked by hand`` () =
    use sc = Scope.Begin()
    let x0, x1, x2 = 1.5, -2.0, 0.3
    let x = vec [ x0; x1; x2 ]
    let v = vec [ 1.0; 2.0; -1.0 ]
    let j = jac x0 x1 x2
    let struct (y, vj) = Autograd.Vjp(Func<_, _> f, x, v)
    close 1e-12 [ x0 * x1; sin x2; x0 * x0 ] y
    close 1e-12 [ for c in 0 .. 2 -> List.sum [ for r in 0 .. 2 -> [ 1.0; 2.0; -1.0 ].[r] * j.[r, c] ] ] vj
    let struct (y2, jv) = Autograd.Jvp(Func<_, _> f, x, v)
    close 1e-12 (vals y) y2
    close 1e-12 [ for r in 0 .. 2 -> List.sum [ for c in 0 .. 2 -> j.[r, c] * [ 1.0; 2.0; -1.0 ].[c] ] ] jv
    Assert.False(x.RequiresGrad)                                    // the input is left as it was
    Assert.False(jv.RequiresGrad)

let ``Hvp and Hessian give the Hessian of sum x^3 + x0 x1 (diag 6x plus the cross term)`` () =
    use sc = Scope.Begin()
    let g (x: Tensor) = x.Pow(3L).Sum() + x.[0L] * x.[1L]
    let x = vec [ 1.0; -2.0; 0.5 ]
    let h = array2D [ [ 6.0; 1.0; 0.0 ]; [ 1.0; -12.0; 0.0 ]; [ 0.0; 0.0; 3.0 ] ]
    let struct (y, hv) = Autograd.Hvp(Func<_, _> g, x, vec [ 1.0; 1.0; 2.0 ])
    close 1e-12 [ 1.0 - 8.0 + 0.125 - 2.0 ] y
    close 1e-12 [ 7.0; -11.0; 6.0 ] hv
    let hh = Autograd.Hessian(Func<_, _> g, x)
    Assert.Equal<int64 list>([ 3L; 3L ], shape hh)
    close 1e-12 [ for r in 0 .. 2 do for c in 0 .. 2 -> h.[r, c] ] hh
    // the Hessian of a linear function is zero (the gradient does not depend on x)
    close 0.0 [ 0.; 0.; 0.; 0. ] (Autograd.Hessian(Func<_, _>(fun (x: Tensor) -> (x * vec [ 1.0; 2.0 ]).Sum()), vec [ 0.5; 0.5 ]))
    Assert.Throws<ArgumentException>(fun () -> Autograd.Hvp(Func<_, _> f, x, x) |> ignore) |> ignore

let ``A gradient hook sees the gradient, can replace it, and stops once removed`` () =
    use sc = Scope.Begin()
    let x = vec [ 1.0; 2.0 ]
    x.RequiresGrad <- true
    let seen = Collections.Generic.List<float[]>()
    let h = x.RegisterHook(fun g -> seen.Add(vals g); g * 10.0)
    (x * x).Sum().Backward()
    Assert.Equal<float list>([ 2.0; 4.0 ], List.ofArray seen.[0])
    close 0.0 [ 20.0; 40.0 ] x.Grad
    h.Dispose()
    x.Grad <- null
    (x * x).Sum().Backward()
    close 0.0 [ 2.0; 4.0 ] x.Grad
    Assert.Equal(1, seen.Count)
    // a hook returning null only observes; one that throws fails Backward and keeps its exception
    let y = vec [ 3.0 ]
    y.RequiresGrad <- true
    use observe = y.RegisterHook(fun _ -> null)
    (y * 2.0).Sum().Backward()
    close 0.0 [ 2.0 ] y.Grad
    let z = vec [ 1.0 ]
    z.RequiresGrad <- true
    use bad = z.RegisterHook(fun _ -> failwith "boom")
    Assert.Throws<TorchException>(fun () -> (z * 2.0).Sum().Backward()) |> ignore
    Assert.Equal("boom", bad.LastError.Message)
    Assert.Throws<ArgumentException>(fun () -> (vec [ 1.0 ]).RegisterHook(fun g -> g) |> ignore) |> ignore

let ``Anomaly detection turns a NaN gradient into an error naming the backward function, and is restored after`` () =
    use sc = Scope.Begin()
    let nanGrad () =
        let x = vec [ 0.0 ]
        x.RequiresGrad <- true
        (x.Sqrt() * 0.0).Sum().Backward()                           // d sqrt at 0 is inf, times 0 is NaN
        x.Grad.ToDouble()
    Assert.False(Autograd.IsAnomalyEnabled)
    Assert.True(Double.IsNaN(nanGrad ()))
    do
        use _anomaly = Autograd.DetectAnomaly()
        Assert.True(Autograd.IsAnomalyEnabled)
        let e = Assert.Throws<TorchException>(fun () -> nanGrad () |> ignore)
        Assert.Contains("nan", e.Message.ToLowerInvariant())
    Assert.False(Autograd.IsAnomalyEnabled)

let ``Inference mode records no graph, marks its tensors, and ends where it began`` () =
    use sc = Scope.Begin()
    let w = vec [ 2.0 ]
    w.RequiresGrad <- true
    Assert.False(Autograd.IsInferenceModeEnabled)
    let y =
        using (Autograd.InferenceMode()) (fun _ ->
            Assert.True(Autograd.IsInferenceModeEnabled)
            Assert.False(Autograd.IsGradEnabled)
            w * 3.0)
    Assert.False(Autograd.IsInferenceModeEnabled)
    Assert.True(Autograd.IsGradEnabled)
    Assert.True(y.IsInference)
    Assert.False(y.RequiresGrad)
    close 0.0 [ 6.0 ] y
    Assert.False((w * 3.0).IsInference)
    // an inference tensor cannot be saved for backward outside inference mode (PyTorch's rule)
    Assert.Throws<TorchException>(fun () -> (w * y).Sum().Backward()) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsAutogradTests" [
        Expecto.Tests.testCase "Vjp is v^T J and Jvp (by the double-vjp trick) is J v for a Jacobian worked by hand" ``Vjp is v^T J and Jvp (by the double-vjp trick) is J v for a Jacobian worked by hand``
        Expecto.Tests.testCase "Hvp and Hessian give the Hessian of sum x^3 + x0 x1 (diag 6x plus the cross term)" ``Hvp and Hessian give the Hessian of sum x^3 + x0 x1 (diag 6x plus the cross term)``
        Expecto.Tests.testCase "A gradient hook sees the gradient, can replace it, and stops once removed" ``A gradient hook sees the gradient, can replace it, and stops once removed``
        Expecto.Tests.testCase "Anomaly detection turns a NaN gradient into an error naming the backward function, and is restored after" ``Anomaly detection turns a NaN gradient into an error naming the backward function, and is restored after``
        Expecto.Tests.testCase "Inference mode records no graph, marks its tensors, and ends where it began" ``Inference mode records no graph, marks its tensors, and ends where it began``
    ]
