/// MathTests.fs: elementwise math and broadcasting against closed forms.
module GenDsl.Tests.Core.MathTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private xs = [ -2.0; -0.5; 0.0; 0.5; 3.0 ]

let ``binary ops broadcast (3,1) with (1,4) to (3,4), and (2,1,3) with (4,1) to (2,4,3)`` () =
    use a = t64 [ 3L; 1L ] [ 1.; 2.; 3. ]
    use b = t64 [ 1L; 4L ] [ 10.; 20.; 30.; 40. ]
    use c = a * b
    Assert.Equal<int64 list>([ 3L; 4L ], shape c)
    close 0.0 [ for i in 1. .. 3. do for j in 10. .. 10. .. 40. -> i * j ] c
    use p = Torch.Ones([| 2L; 1L; 3L |]) - Torch.Ones([| 4L; 1L |])
    Assert.Equal<int64 list>([ 2L; 4L; 3L ], shape p)

let ``unary functions match their closed forms`` () =
    use x = vec xs
    let check (f: Tensor -> Tensor) (g: float -> float) = close 1e-12 (List.map g xs) (f x)
    check (fun t -> t.Exp()) exp
    check (fun t -> t.Abs()) abs
    check (fun t -> t.Neg()) (fun v -> -v)
    check (fun t -> t.Tanh()) tanh
    check (fun t -> t.Sigmoid()) (fun v -> 1.0 / (1.0 + exp -v))
    check (fun t -> t.Relu()) (fun v -> max v 0.0)
    check (fun t -> t.LeakyRelu(0.1)) (fun v -> if v > 0.0 then v else 0.1 * v)
    check (fun t -> t.Softplus()) (fun v -> log (1.0 + exp v))
    check (fun t -> t.Clamp(-1.0, 1.0)) (fun v -> min 1.0 (max -1.0 v))
    check (fun t -> t.Square()) (fun v -> v * v)
    check (fun t -> t.Pow(Scalar.op_Implicit 3L)) (fun v -> v ** 3.0)
    check (fun t -> t.Abs().Sqrt()) (fun v -> sqrt (abs v))
    check (fun t -> t.Abs().Log1p()) (fun v -> log (1.0 + abs v))
    check (fun t -> (t.Abs() + 1.0).Log()) (fun v -> log (1.0 + abs v))
    check (fun t -> 1.0 - t) (fun v -> 1.0 - v)
    check (fun t -> 2.0 / (t.Abs() + 1.0)) (fun v -> 2.0 / (abs v + 1.0))

let ``comparisons give bool tensors, logical ops combine them`` () =
    use x = vec xs
    use gt = x.Gt(0.0)
    Assert.Equal(ScalarType.Bool, gt.Dtype)
    Assert.Equal<bool[]>([| false; false; false; true; true |], gt.ToArray<bool>())
    use le = x.Le(0.0)
    Assert.Equal<bool[]>([| true; true; true; false; false |], le.ToArray<bool>())
    use eq = x.Eq(0.5)
    Assert.Equal<bool[]>([| false; false; false; true; false |], eq.ToArray<bool>())
    Assert.Equal<bool[]>([| false; false; false; true; false |], (gt.LogicalAnd(eq)).ToArray<bool>())
    Assert.Equal<bool[]>([| true; true; true; true; false |], (le.LogicalOr(eq)).ToArray<bool>())

let ``softplus stays finite for large inputs and logsigmoid is stable`` () =
    use x = vec [ 800.0; -800.0 ]
    close 1e-9 [ 800.0; 0.0 ] (x.Softplus())
    close 1e-9 [ 0.0; -800.0 ] (x.LogSigmoid())

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.MathTests" [
        Expecto.Tests.testCase "binary ops broadcast (3,1) with (1,4) to (3,4), and (2,1,3) with (4,1) to (2,4,3)" ``binary ops broadcast (3,1) with (1,4) to (3,4), and (2,1,3) with (4,1) to (2,4,3)``
        Expecto.Tests.testCase "unary functions match their closed forms" ``unary functions match their closed forms``
        Expecto.Tests.testCase "comparisons give bool tensors, logical ops combine them" ``comparisons give bool tensors, logical ops combine them``
        Expecto.Tests.testCase "softplus stays finite for large inputs and logsigmoid is stable" ``softplus stays finite for large inputs and logsigmoid is stable``
    ]
