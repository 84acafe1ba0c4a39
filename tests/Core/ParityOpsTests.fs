/// ParityOpsTests.fs: ops a PyTorch user reaches for first (issue 14) against closed forms: randn_like, cdist, logaddexp, split, amax, einsum.
module GenDsl.Tests.Core.ParityOpsTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64

let ``RandnLike and RandLike follow the template's shape, dtype and N(0,1) or U[0,1) moments`` () =
    use sc = Scope.Begin()
    let t = Torch.Zeros([| 100L; 100L |], f64)
    let n = Torch.RandnLike(t, new Generator(7UL))
    let u = Torch.RandLike(t, new Generator(7UL))
    Assert.Equal<int64 list>([ 100L; 100L ], shape n)
    Assert.Equal(f64, n.Dtype)
    Assert.Equal(f64, u.Dtype)
    // 10^4 draws: the mean of N(0,1) has sd 0.01 and its variance sd sqrt(2/10^4) = 0.014; 4 sd bounds
    closeScalar 0.04 0.0 (n.Mean().ToDouble())
    closeScalar 0.057 1.0 (n.Var().ToDouble())
    // U[0,1): mean sd sqrt(1/12/10^4) = 0.0029, 4 sd = 0.0116
    closeScalar 0.0116 0.5 (u.Mean().ToDouble())
    Assert.True(u.Min().ToDouble() >= 0.0 && u.Max().ToDouble() < 1.0)
    let n32 = Torch.RandnLike(Torch.Zeros([| 3L |]))
    Assert.Equal(ScalarType.Float32, n32.Dtype)

let ``Cdist gives the Euclidean and L1 distances between rows, and the gradient (a - b) / d`` () =
    use sc = Scope.Begin()
    let a = t64 [ 2L; 2L ] [ 0.; 0.; 3.; 4. ]
    let b = t64 [ 3L; 2L ] [ 0.; 0.; 1.; 1.; 3.; 0. ]
    let d2 = Torch.Cdist(a, b)
    Assert.Equal<int64 list>([ 2L; 3L ], shape d2)
    close 1e-12 [ 0.; sqrt 2.; 3.; 5.; sqrt 13.; 4. ] d2
    close 1e-12 [ 0.; 2.; 3.; 7.; 5.; 4. ] (Torch.Cdist(a, b, 1.0))
    // batched: (2, 2, 2) against (2, 3, 2) -> (2, 2, 3), the second batch shifted by the same vector (distances unchanged)
    let shift = t64 [ 2L ] [ 10.; -7. ]
    let ab = Torch.Stack([| a; a + shift |])
    let bb = Torch.Stack([| b; b + shift |])
    close 1e-12 [ 0.; sqrt 2.; 3.; 5.; sqrt 13.; 4.; 0.; sqrt 2.; 3.; 5.; sqrt 13.; 4. ] (Torch.Cdist(ab, bb))
    // d/da_1 of d(a_1, b_1) = (a_1 - b_1) / d = (2, 3) / sqrt 13
    let x = t64 [ 1L; 2L ] [ 3.; 4. ]
    x.RequiresGrad <- true
    Torch.Cdist(x, t64 [ 1L; 2L ] [ 1.; 1. ]).Sum().Backward()
    close 1e-12 [ 2.0 / sqrt 13.; 3.0 / sqrt 13. ] x.Grad

let ``LogAddExp is log(e^a + e^b) without overflow, with gradient sigmoid(a - b)`` () =
    use sc = Scope.Begin()
    let a = vec [ 1000.; 0.; -1000.; 2. ]
    let b = vec [ 1000.; 0.; -1000.5; -1. ]
    a.RequiresGrad <- true
    let r = a.LogAddExp(b)
    // log(e^a + e^b) = max + log(1 + e^-(|a-b|))
    close 1e-9 [ 1000. + log 2.; log 2.; -1000. + log (1. + exp -0.5); 2. + log (1. + exp -3.) ] r
    r.Sum().Backward()
    let sigmoid v = 1.0 / (1.0 + exp -v)
    close 1e-12 [ 0.5; 0.5; sigmoid 0.5; sigmoid 3.0 ] a.Grad
    // broadcasts like PyTorch: (2, 1) with (3) -> (2, 3)
    Assert.Equal<int64 list>([ 2L; 3L ], shape ((t64 [ 2L; 1L ] [ 0.; 1. ]).LogAddExp(vec [ 0.; 1.; 2. ])))

let ``Split by size leaves a shorter last piece, Split by sizes follows them, Unbind removes the dim`` () =
    use sc = Scope.Begin()
    let x = Torch.Arange(Scalar.op_Implicit 7L)
    let parts = x.Split(3L)
    Assert.Equal<int64 list list>([ [ 0L; 1L; 2L ]; [ 3L; 4L; 5L ]; [ 6L ] ], [ for p in parts -> List.ofArray (p.ToArray<int64>()) ])
    let bySizes = x.Split([| 2L; 5L |])
    Assert.Equal<int64 list list>([ [ 0L; 1L ]; [ 2L; 3L; 4L; 5L; 6L ] ], [ for p in bySizes -> List.ofArray (p.ToArray<int64>()) ])
    Assert.Throws<TorchException>(fun () -> x.Split([| 2L; 4L |]) |> ignore) |> ignore   // 6 != 7
    let m = Torch.Arange(Scalar.op_Implicit 6L).Reshape(2L, 3L)                         // (2, 3)
    let cols = m.Split(2L, 1L)
    Assert.Equal<int64 list list>([ [ 2L; 2L ]; [ 2L; 1L ] ], [ for c in cols -> shape c ])
    let u = m.Unbind(1L)                                                                // 3 x (2)
    Assert.Equal(3, u.Length)
    Assert.Equal<int64 list list>([ [ 0L; 3L ]; [ 1L; 4L ]; [ 2L; 5L ] ], [ for c in u -> List.ofArray (c.ToArray<int64>()) ])
    Assert.Equal<int64 list list>([ [ 0L; 1L; 2L ]; [ 3L; 4L; 5L ] ], [ for r in m.Unbind() -> List.ofArray (r.ToArray<int64>()) ])

let ``Amax and Amin reduce over several dims at once and share the gradient evenly among ties`` () =
    use sc = Scope.Begin()
    let x = t64 [ 2L; 3L ] [ 1.; 5.; -2.; 4.; 0.; 7. ]
    close 0.0 [ 5.; 7. ] (x.Amax(1L))
    close 0.0 [ -2.; 0. ] (x.Amin(1L))
    close 0.0 [ 7. ] (x.Amax())
    close 0.0 [ -2. ] (x.Amin([| 0L; 1L |]))
    Assert.Equal<int64 list>([ 2L; 1L ], shape (x.Amax(1L, keepdim = true)))
    let i = Torch.Tensor<int64>([| 3L; -4L; 9L |])
    Assert.Equal(ScalarType.Int64, i.Amax().Dtype)
    Assert.Equal(9L, i.Amax().Item<int64>())
    // amax's subgradient at a tie: 1 / (number of maxima) each
    let t = vec [ 1.; 3.; 3. ]
    t.RequiresGrad <- true
    t.Amax().Backward()
    close 0.0 [ 0.; 0.5; 0.5 ] t.Grad

let ``Einsum computes products, traces, outer products and batched products from the equation`` () =
    use sc = Scope.Begin()
    let a = t64 [ 2L; 3L ] [ 1.; 2.; 3.; 4.; 5.; 6. ]
    let b = t64 [ 3L; 2L ] [ 7.; 8.; 9.; 10.; 11.; 12. ]
    close 1e-12 [ 58.; 64.; 139.; 154. ] (Torch.Einsum("ij,jk->ik", a, b))   // by hand: 1*7 + 2*9 + 3*11 = 58 ...
    close 1e-12 [ 15. ] (Torch.Einsum("ii->", t64 [ 2L; 2L ] [ 5.; 1.; 1.; 10. ]))
    close 1e-12 [ 3.; 4.; 6.; 8. ] (Torch.Einsum("i,j->ij", vec [ 1.; 2. ], vec [ 3.; 4. ]))
    close 1e-12 [ 21. ] (Torch.Einsum("ij->", a))
    let batched = Torch.Einsum("bij,bjk->bik", Torch.Stack([| a; a * 2.0 |]), Torch.Stack([| b; b |]))
    Assert.Equal<int64 list>([ 2L; 2L; 2L ], shape batched)
    close 1e-12 [ 58.; 64.; 139.; 154.; 116.; 128.; 278.; 308. ] batched
    Assert.Throws<TorchException>(fun () -> Torch.Einsum("ij,jk->ik", a, a) |> ignore) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ParityOpsTests" [
        Expecto.Tests.testCase "RandnLike and RandLike follow the template's shape, dtype and N(0,1) or U[0,1) moments" ``RandnLike and RandLike follow the template's shape, dtype and N(0,1) or U[0,1) moments``
        Expecto.Tests.testCase "Cdist gives the Euclidean and L1 distances between rows, and the gradient (a - b) / d" ``Cdist gives the Euclidean and L1 distances between rows, and the gradient (a - b) / d``
        Expecto.Tests.testCase "LogAddExp is log(e^a + e^b) without overflow, with gradient sigmoid(a - b)" ``LogAddExp is log(e^a + e^b) without overflow, with gradient sigmoid(a - b)``
        Expecto.Tests.testCase "Split by size leaves a shorter last piece, Split by sizes follows them, Unbind removes the dim" ``Split by size leaves a shorter last piece, Split by sizes follows them, Unbind removes the dim``
        Expecto.Tests.testCase "Amax and Amin reduce over several dims at once and share the gradient evenly among ties" ``Amax and Amin reduce over several dims at once and share the gradient evenly among ties``
        Expecto.Tests.testCase "Einsum computes products, traces, outer products and batched products from the equation" ``Einsum computes products, traces, outer products and batched products from the equation``
    ]
