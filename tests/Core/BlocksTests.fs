/// BlocksTests.fs: the shape and skip blocks — Unflatten, Reshape, Residual — against direct tensor expressions.
module GenDsl.Tests.Core.BlocksTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Torch.NN
open GenDsl.Tests.Support

let ``Unflatten(1, [16, 2, 2]) maps (B, 64) to (B, 16, 2, 2) keeping the element order, and -1 is inferred`` () =
    use x = Torch.Arange(Scalar.op_Implicit 192L).View(3L, 64L).Double()
    use u = new Unflatten(1L, [| 16L; 2L; 2L |])
    use y = u.Forward(x)
    Assert.Equal<int64 list>([ 3L; 16L; 2L; 2L ], shape y)
    closeScalar 0.0 (x.[1L, 13L].ToDouble()) (y.[1L, 3L, 0L, 1L].ToDouble())   // 13 = 3*4 + 0*2 + 1
    use v = new Unflatten(-1L, [| -1L; 4L |])
    Assert.Equal<int64 list>([ 3L; 16L; 4L ], shape (v.Forward(x)))
    let ex = Assert.Throws<ArgumentException>(fun () -> (new Unflatten(1L, [| 5L; 5L |])).Forward(x) |> ignore)
    Assert.Contains("size 64", ex.Message)

let ``Reshape keeps the batch dim: (B, 784) -> (B, 1, 28, 28), and names the mismatch`` () =
    use x = Torch.Zeros(5L, 784L)
    use r = new Reshape(1L, 28L, 28L)
    Assert.Equal<int64 list>([ 5L; 1L; 28L; 28L ], shape (r.Forward(x)))
    let ex = Assert.Throws<ArgumentException>(fun () -> (new Reshape(1L, 27L, 28L)).Forward(x) |> ignore)
    Assert.Contains("784 elements", ex.Message)

let ``Residual(net) is x + net(x), with net's parameters under "net." and gradients through both paths`` () =
    use g = new Generator(1UL)
    use res = new Residual(new Linear(3L, 3L, generator = g, dtype = ScalarType.Float64))
    let names = res.NamedParameters() |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq
    Assert.Equal<string list>([ "net.weight"; "net.bias" ], names)
    use x = Torch.Randn([| 2L; 3L |], g, ScalarType.Float64)
    let lin = res.Net :?> Linear
    use expected = x + x.MatMul(lin.Weight.T) + lin.Bias
    close 1e-14 (vals expected) (res.Forward(x))
    // d/dx sum(x + W x + b) = 1 + column sums of W
    use xg = x.Detach().RequiresGrad_()
    use gx = Autograd.Grad(res.Forward(xg).Sum(), xg)
    use colSums = lin.Weight.Sum(0L) + 1.0
    close 1e-14 (Seq.replicate 2 (vals colSums) |> Seq.concat) gx
    let ex = Assert.Throws<ArgumentException>(fun () -> (new Residual(new Linear(3L, 4L, dtype = ScalarType.Float64))).Forward(x) |> ignore)
    Assert.Contains("same shape", ex.Message)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.BlocksTests" [
        Expecto.Tests.testCase "Unflatten(1, [16, 2, 2]) maps (B, 64) to (B, 16, 2, 2) keeping the element order, and -1 is inferred" ``Unflatten(1, [16, 2, 2]) maps (B, 64) to (B, 16, 2, 2) keeping the element order, and -1 is inferred``
        Expecto.Tests.testCase "Reshape keeps the batch dim: (B, 784) -> (B, 1, 28, 28), and names the mismatch" ``Reshape keeps the batch dim: (B, 784) -> (B, 1, 28, 28), and names the mismatch``
        Expecto.Tests.testCase "Residual(net) is x + net(x), with net's parameters under \"net.\" and gradients through both paths" ``Residual(net) is x + net(x), with net's parameters under "net." and gradients through both paths``
    ]
