/// ParityFixTests.fs: mismatches with PyTorch found by the differential test bench/parity (issue 14) in existing ops, one claim each.
module GenDsl.Tests.Core.ParityFixTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private bools (xs: bool list) = Torch.Tensor<bool>(List.toArray xs)

let ``bench/parity: Sub_ of two bool tensors raises, as PyTorch's sub_ (it used to run as add_ with alpha -1)`` () =
    use a = bools [ true; false; true ]
    use b = bools [ true; true; false ]
    Assert.ThrowsAny<Exception>(fun () -> a.Sub_(b) |> ignore) |> ignore

let ``bench/parity: Sub_ of a float tensor and a bool tensor raises, as PyTorch's sub_`` () =
    use a = vec [ 1.0; 2.0 ]
    use b = bools [ true; false ]
    Assert.ThrowsAny<Exception>(fun () -> a.Sub_(b) |> ignore) |> ignore

let ``bench/parity: Sub_ of float tensors still subtracts in place with broadcasting`` () =
    use a = t64 [ 2L; 2L ] [ 1.0; 2.0; 3.0; 4.0 ]
    use b = vec [ 0.5; -1.0 ]
    let r = a.Sub_(b)
    Assert.Same(a, r)
    close 1e-12 [ 0.5; 3.0; 2.5; 5.0 ] a   // exact in float64

let ``bench/parity: RPow with a bool base is differentiable in the exponent (PyTorch: d(True ** x)/dx = ln 1 = 0, d(False ** x)/dx = 0 for x >= 0)`` () =
    use sc = Scope.Begin()
    for b in [ true; false ] do
        let x = vec([ 0.5; 1.0; 2.0 ]).RequiresGrad_()
        let y = x.RPow(Scalar.op_Implicit b)
        Assert.Equal(ScalarType.Float64, y.Dtype)
        close 0.0 [ for _ in 1 .. 3 -> if b then 1.0 else 0.0 ] y   // 1^x = 1, 0^x = 0 for x > 0
        let g = Autograd.Grad(y.Sum(), x)
        close 0.0 [ 0.0; 0.0; 0.0 ] g

let ``bench/parity: RPow with a float base keeps its gradient b^x ln b`` () =
    use x = vec([ 0.5; 1.0; 2.0 ]).RequiresGrad_()
    use y = x.RPow(Scalar.op_Implicit 3.0)
    close 1e-12 [ for v in [ 0.5; 1.0; 2.0 ] -> 3.0 ** v ] y
    use g = Autograd.Grad(y.Sum(), x)
    close 1e-12 [ for v in [ 0.5; 1.0; 2.0 ] -> 3.0 ** v * log 3.0 ] g

let ``bench/parity: RPow with an int base and a float64 exponent differentiates in float64 (3^x ln 3 to 1e-14, not float32's log 3)`` () =
    use x = vec([ 0.5; 1.0; 2.0 ]).RequiresGrad_()
    use y = x.RPow(Scalar.op_Implicit 3L)
    Assert.Equal(ScalarType.Float64, y.Dtype)
    use g = Autograd.Grad(y.Sum(), x)
    // float64 pow and log are correctly rounded to a few ulps (2.2e-16 each); float32's log 3 would be off by ~3e-8 relative.
    let expected = [ for v in [ 0.5; 1.0; 2.0 ] -> 3.0 ** v * log 3.0 ]
    Array.iter2 (fun (e: float) (a: float) -> Assert.True(abs (a - e) <= 1e-14 * abs e, $"expected {e}, got {a}")) (List.toArray expected) (vals g)

let ``bench/parity: the second derivative of Abs (a storage-free ZeroTensor in libtorch) reads out as zeros instead of crashing`` () =
    use sc = Scope.Begin()
    let x = vec([ 1.0; -2.0; 3.0 ]).RequiresGrad_()
    let g = Autograd.Grad(x.Abs().Sum(), x, createGraph = true)         // sign(x), differentiable
    close 0.0 [ 1.0; -1.0; 1.0 ] g
    let h = Autograd.Grad(g.Sum(), x)                                    // d sign(x) / dx = 0 away from 0
    Assert.Equal<float[]>([| 0.0; 0.0; 0.0 |], h.ToArray<float>())

let ``bench/parity: Maximum and Minimum with a scalar split the gradient at a tie, as torch.maximum(x, torch.tensor(b)) (clamp_min gave it all to x)`` () =
    use sc = Scope.Begin()
    let x = vec([ 0.0; 1.0; -1.0 ]).RequiresGrad_()
    let up = x.Maximum(Scalar.op_Implicit 0.0)
    close 0.0 [ 0.0; 1.0; 0.0 ] up
    close 0.0 [ 0.5; 1.0; 0.0 ] (Autograd.Grad(up.Sum(), x))      // d max(x, 0)/dx: 1/2 at the tie x = 0
    let down = x.Minimum(Scalar.op_Implicit 0.0)
    close 0.0 [ 0.0; 0.0; -1.0 ] down
    close 0.0 [ 0.5; 0.0; 1.0 ] (Autograd.Grad(down.Sum(), x))

let ``bench/parity: Maximum and Minimum of a bool tensor with a bool scalar stay bool, as torch.maximum`` () =
    use sc = Scope.Begin()
    let b = bools [ true; false ]
    let up = b.Maximum(Scalar.op_Implicit true)
    Assert.Equal(ScalarType.Bool, up.Dtype)
    Assert.Equal<bool[]>([| true; true |], up.ToArray<bool>())
    Assert.Equal<bool[]>([| false; false |], b.Minimum(Scalar.op_Implicit false).ToArray<bool>())

let ``bench/parity: BaddBmm with beta 0 ignores input and never reads uninitialised memory (libtorch 1.13's CPU kernel scales the fresh output by beta)`` () =
    // batch1 = [[1, 2]] and batch2 = [[3], [4]] per batch: the product is 1*3 + 2*4 = 11 exactly; alpha 2 gives 22.
    // The input holds NaN and inf, which beta = 0 must not propagate (PyTorch's documented semantics). libtorch 1.13 multiplies
    // the uninitialised output buffer by beta instead of overwriting it, so freed NaN blocks poison the result: 200 tries.
    use sc = Scope.Begin()
    let b1 = t64 [ 2L; 1L; 2L ] [ 1.0; 2.0; 1.0; 2.0 ]
    let b2 = t64 [ 2L; 2L; 1L ] [ 3.0; 4.0; 3.0; 4.0 ]
    let input = t64 [ 1L; 1L; 1L ] [ nan ]
    for _ in 1 .. 200 do
        use s = Scope.Begin()
        for _ in 1 .. 4 do (Torch.Full([| 2L; 1L; 1L |], Scalar.op_Implicit nan, ScalarType.Float64)).Dispose()
        let y = input.BaddBmm(b1, b2, Scalar.op_Implicit 0.0, Scalar.op_Implicit 2.0)
        close 0.0 [ 22.0; 22.0 ] y
    let x = t64 [ 1L; 1L; 1L ] [ infinity ] |> fun t -> t.RequiresGrad_()
    let g = Autograd.Grad(x.BaddBmm(b1, b2, Scalar.op_Implicit 0, Scalar.op_Implicit 1).Sum(), x)
    close 0.0 [ 0.0 ] g   // input ignored: its gradient is beta * sum(grad) = 0, as PyTorch

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ParityFixTests" [
        Expecto.Tests.testCase "bench/parity: Sub_ of two bool tensors raises, as PyTorch's sub_ (it used to run as add_ with alpha -1)" ``bench/parity: Sub_ of two bool tensors raises, as PyTorch's sub_ (it used to run as add_ with alpha -1)``
        Expecto.Tests.testCase "bench/parity: Sub_ of a float tensor and a bool tensor raises, as PyTorch's sub_" ``bench/parity: Sub_ of a float tensor and a bool tensor raises, as PyTorch's sub_``
        Expecto.Tests.testCase "bench/parity: Sub_ of float tensors still subtracts in place with broadcasting" ``bench/parity: Sub_ of float tensors still subtracts in place with broadcasting``
        Expecto.Tests.testCase "bench/parity: RPow with a bool base is differentiable in the exponent (PyTorch: d(True ** x)/dx = ln 1 = 0, d(False ** x)/dx = 0 for x >= 0)" ``bench/parity: RPow with a bool base is differentiable in the exponent (PyTorch: d(True ** x)/dx = ln 1 = 0, d(False ** x)/dx = 0 for x >= 0)``
        Expecto.Tests.testCase "bench/parity: RPow with a float base keeps its gradient b^x ln b" ``bench/parity: RPow with a float base keeps its gradient b^x ln b``
        Expecto.Tests.testCase "bench/parity: RPow with an int base and a float64 exponent differentiates in float64 (3^x ln 3 to 1e-14, not float32's log 3)" ``bench/parity: RPow with an int base and a float64 exponent differentiates in float64 (3^x ln 3 to 1e-14, not float32's log 3)``
        Expecto.Tests.testCase "bench/parity: the second derivative of Abs (a storage-free ZeroTensor in libtorch) reads out as zeros instead of crashing" ``bench/parity: the second derivative of Abs (a storage-free ZeroTensor in libtorch) reads out as zeros instead of crashing``
        Expecto.Tests.testCase "bench/parity: Maximum and Minimum with a scalar split the gradient at a tie, as torch.maximum(x, torch.tensor(b)) (clamp_min gave it all to x)" ``bench/parity: Maximum and Minimum with a scalar split the gradient at a tie, as torch.maximum(x, torch.tensor(b)) (clamp_min gave it all to x)``
        Expecto.Tests.testCase "bench/parity: Maximum and Minimum of a bool tensor with a bool scalar stay bool, as torch.maximum" ``bench/parity: Maximum and Minimum of a bool tensor with a bool scalar stay bool, as torch.maximum``
        Expecto.Tests.testCase "bench/parity: BaddBmm with beta 0 ignores input and never reads uninitialised memory (libtorch 1.13's CPU kernel scales the fresh output by beta)" ``bench/parity: BaddBmm with beta 0 ignores input and never reads uninitialised memory (libtorch 1.13's CPU kernel scales the fresh output by beta)``
    ]
