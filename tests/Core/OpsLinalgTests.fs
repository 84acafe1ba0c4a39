/// OpsLinalgTests.fs: the products, creation ops and torch.linalg functions of issue 14 against hand-worked values, reconstructions and identities, with gradients against central differences.
module GenDsl.Tests.Core.OpsLinalgTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let private f64 = ScalarType.Float64
let private longs (xs: int64 list) = Torch.Tensor<int64>(List.toArray xs)
let private ints (t: Tensor) = List.ofArray (t.ToArray<int64>())
let private eye n = Torch.Eye(n, dtype = f64)

/// Autograd's gradient of a scalar function of a matrix against central differences (h = 1e-6 in float64: truncation
/// h^2 |f'''| ~ 1e-12, rounding 1e-16 / h ~ 1e-10, so 1e-6 is loose but a wrong derivative is off by O(1)).
let private gradMatchesFd (f: Tensor -> Tensor) (shapeOf: int64 list) (xs: float list) =
    use sc = Scope.Begin()
    let x = t64 shapeOf xs
    x.RequiresGrad <- true
    f(x).Backward()
    let h = 1e-6
    let at i d = t64 shapeOf (xs |> List.mapi (fun j v -> if j = i then v + d else v))
    let fd = [ for i in 0 .. xs.Length - 1 -> ((f (at i h)).ToDouble() - (f (at i -h)).ToDouble()) / (2.0 * h) ]
    close 1e-6 fd x.Grad

let ``Dot, Mv, AddMm, BaddBmm, Kron, Diag and Trace give the products worked by hand`` () =
    use sc = Scope.Begin()
    let d = (longs [ 1L; 2L; 3L ]).Dot(longs [ 4L; 5L; 6L ])
    Assert.Equal(ScalarType.Int64, d.Dtype)
    Assert.Equal(32L, d.Item<int64>())
    let a = t64 [ 2L; 3L ] [ 1.; 2.; 3.; 4.; 5.; 6. ]
    close 0.0 [ 1. - 3.; 4. - 6. ] (a.Mv(vec [ 1.; 0.; -1. ]))
    let b = t64 [ 3L; 2L ] [ 7.; 8.; 9.; 10.; 11.; 12. ]
    // 0.5 * I + 2 * A B with A B = [[58, 64], [139, 154]]; the input (1, 2) broadcasts
    close 1e-12 [ 0.5 + 116.; 128.; 278.; 0.5 + 308. ] ((eye 2L).AddMm(a, b, 0.5, 2.0))
    close 1e-12 [ 59.; 66.; 140.; 156. ] ((vec [ 1.; 2. ]).AddMm(a, b))
    let bb = (vec [ 1.; 2. ]).BaddBmm(Torch.Stack([| a; a |]), Torch.Stack([| b; b * 2.0 |]), alpha = 1.0)
    Assert.Equal<int64 list>([ 2L; 2L; 2L ], shape bb)
    close 1e-12 [ 59.; 66.; 140.; 156.; 117.; 130.; 279.; 310. ] bb
    let k = (t64 [ 2L; 2L ] [ 1.; 2.; 3.; 4. ]).Kron(t64 [ 2L; 2L ] [ 0.; 1.; 1.; 0. ])
    close 0.0 [ 0.; 1.; 0.; 2.; 1.; 0.; 2.; 0.; 0.; 3.; 0.; 4.; 3.; 0.; 4.; 0. ] k
    close 0.0 [ 0.; 1.; 0.; 0.; 0.; 2.; 0.; 0.; 0. ] ((vec [ 1.; 2. ]).Diag(1L))               // (3, 3), superdiagonal
    close 0.0 [ 1.; 5. ] (a.Diag())
    close 0.0 [ 2.; 6. ] (a.Diag(1L))
    close 0.0 [ 6. ] (a.Trace())                                                                 // 1 + 5, non-square too

let ``TensorDot contracts the named dims: one dim is matmul, two dims the full inner product`` () =
    use sc = Scope.Begin()
    let a = t64 [ 2L; 3L ] [ 1.; 2.; 3.; 4.; 5.; 6. ]
    let b = t64 [ 3L; 2L ] [ 7.; 8.; 9.; 10.; 11.; 12. ]
    close 1e-12 [ 58.; 64.; 139.; 154. ] (a.TensorDot(b, 1L))
    close 1e-12 [ 1. * 1. + 4. + 9. + 16. + 25. + 36. ] (a.TensorDot(a, 2L))
    close 1e-12 [ 58.; 139.; 64.; 154. ] (b.TensorDot(a, [| 0L |], [| 1L |]))                   // (B^T A^T) = (A B)^T
    Assert.Throws<ArgumentException>(fun () -> a.TensorDot(b, [| 0L |], [| 0L; 1L |]) |> ignore) |> ignore

let ``Logspace gives powers of the base, EmptyLike copies shape and dtype`` () =
    use sc = Scope.Begin()
    close 1e-9 [ 1.; 10.; 100. ] (Torch.Logspace(0.0, 2.0, 3L, dtype = f64))
    close 1e-12 [ 0.5; 1.; 2.; 4. ] (Torch.Logspace(-1.0, 2.0, 4L, 2.0, f64))
    Assert.Equal(ScalarType.Float32, Torch.Logspace(0.0, 1.0, 2L).Dtype)
    let e = Torch.EmptyLike(longs [ 1L; 2L ])
    Assert.Equal<int64 list>([ 2L ], shape e)
    Assert.Equal(ScalarType.Int64, e.Dtype)

let ``QR, SVD and Eigh factor a matrix into parts that are orthonormal and multiply back to it`` () =
    use sc = Scope.Begin()
    let a = t64 [ 3L; 2L ] [ 3.; 1.; 4.; 2.; 0.; 5. ]
    let struct (q, r) = Linalg.Qr(a)
    Assert.Equal<int64 list>([ 3L; 2L ], shape q)
    close 1e-12 (vals (eye 2L)) (q.T.MatMul(q))
    close 1e-12 (vals a) (q.MatMul(r))
    closeScalar 1e-12 0.0 (r.Index(Torch.Tensor<int64>([| 1L |]), Torch.Tensor<int64>([| 0L |])).ToDouble())   // upper triangular
    closeScalar 1e-12 5.0 (abs (r.Index(Torch.Tensor<int64>([| 0L |]), Torch.Tensor<int64>([| 0L |])).ToDouble())) // |col 0| = 5
    Assert.Equal<int64 list>([ 3L; 3L ], shape (let struct (qc, _) = Linalg.Qr(a, "complete") in qc))
    let struct (u, s, vh) = Linalg.Svd(t64 [ 2L; 2L ] [ 3.; 0.; 0.; -2. ])
    close 1e-12 [ 3.; 2. ] s
    let struct (u2, s2, vh2) = Linalg.Svd(a, fullMatrices = false)
    close 1e-12 (vals a) (u2.MatMul(s2.DiagEmbed()).MatMul(vh2))
    close 1e-12 (vals s2) (Linalg.SvdVals(a))
    // (s1^2 + s2^2) is the squared Frobenius norm 55
    closeScalar 1e-10 55.0 (s2.Square().Sum().ToDouble())
    ignore (u, vh)
    let sym = t64 [ 2L; 2L ] [ 2.; 1.; 1.; 2. ]
    let struct (l, v) = Linalg.Eigh(sym)
    close 1e-12 [ 1.; 3. ] l
    close 1e-12 [ 1. / sqrt 2.; 1. / sqrt 2. ] (v.Index(null, Torch.Tensor<int64>([| 1L |])).Abs())
    close 1e-12 (vals (sym.MatMul(v))) (v.MatMul(l.DiagEmbed()))

let ``Lstsq fits an exact line exactly and a noisy one like the normal equations; Pinv of a rank-1 matrix is A^T / ||A||^2`` () =
    use sc = Scope.Begin()
    let x = t64 [ 3L; 2L ] [ 1.; 0.; 1.; 1.; 1.; 2. ]                   // design [1, x] for x = 0, 1, 2
    let struct (sol, _, _, _) = Linalg.Lstsq(x, t64 [ 3L; 1L ] [ 1.; 3.; 5. ])
    close 1e-12 [ 1.; 2. ] sol
    let y = t64 [ 3L; 1L ] [ 1.2; 2.7; 5.3 ]
    let struct (ls, _, _, _) = Linalg.Lstsq(x, y, driver = "gelsd")
    close 1e-12 (vals (Linalg.Solve(x.T.MatMul(x), x.T.MatMul(y)))) ls
    let a = t64 [ 2L; 2L ] [ 1.; 2.; 2.; 4. ]
    close 1e-12 (vals (a.T / 25.0)) (Linalg.Pinv(a))
    close 1e-12 (vals (Linalg.Inv(t64 [ 2L; 2L ] [ 2.; 1.; 1.; 3. ]))) (Linalg.Pinv(t64 [ 2L; 2L ] [ 2.; 1.; 1.; 3. ], hermitian = true))

let ``VectorNorm and MatrixNorm compute the p-norms, Frobenius, nuclear and induced norms`` () =
    use sc = Scope.Begin()
    let v = vec [ 3.; -4.; 0. ]
    close 1e-12 [ 5. ] (Linalg.VectorNorm(v))
    close 1e-12 [ 7. ] (Linalg.VectorNorm(v, 1.0))
    close 1e-12 [ 4. ] (Linalg.VectorNorm(v, Double.PositiveInfinity))
    close 1e-12 [ 2. ] (Linalg.VectorNorm(v, 0.0))
    close 1e-12 [ 3.; 4. ] (Linalg.VectorNorm(t64 [ 2L; 2L ] [ 3.; 0.; 0.; -4. ], 2.0, [| 1L |]))
    Assert.Equal(f64, Linalg.VectorNorm(Torch.Tensor<float32>([| 1.0f |]), dtype = f64).Dtype)
    let m = t64 [ 2L; 2L ] [ 1.; 2.; 3.; 4. ]
    close 1e-12 [ sqrt 30. ] (Linalg.MatrixNorm(m))
    close 1e-12 [ sqrt 34. ] (Linalg.MatrixNorm(m, "nuc"))              // (s1 + s2)^2 = 30 + 2 |det| = 34
    close 1e-12 [ 6. ] (Linalg.MatrixNorm(m, 1.0))                      // largest column sum
    close 1e-12 [ 7. ] (Linalg.MatrixNorm(m, Double.PositiveInfinity))  // largest row sum
    Assert.Throws<ArgumentException>(fun () -> Linalg.MatrixNorm(m, "spectral") |> ignore) |> ignore

let ``MatrixExp of a generator is a rotation, MatrixPower gives Fibonacci numbers, CholeskySolve solves A X = B`` () =
    use sc = Scope.Begin()
    let t = 0.7
    close 1e-12 [ cos t; sin t; -(sin t); cos t ] (Linalg.MatrixExp(t64 [ 2L; 2L ] [ 0.; t; -t; 0. ]))
    close 1e-12 [ 1.; 1.; 0.; 1. ] (Linalg.MatrixExp(t64 [ 2L; 2L ] [ 0.; 1.; 0.; 0. ]))
    let fib = Linalg.MatrixPower(Torch.Tensor<int64>([| 1L; 1L; 1L; 0L |], 2L, 2L), 10L)
    Assert.Equal(ScalarType.Int64, fib.Dtype)
    Assert.Equal<int64 list>([ 89L; 55L; 55L; 34L ], ints fib)
    close 1e-12 [ 0.125; 0.; 0.; 1. / 64. ] (Linalg.MatrixPower(t64 [ 2L; 2L ] [ 2.; 0.; 0.; 4. ], -3L))
    let a = t64 [ 3L; 3L ] [ 4.; 2.; 0.; 2.; 5.; 1.; 0.; 1.; 3. ]
    let b = t64 [ 3L; 2L ] [ 1.; 0.; 2.; 1.; 3.; -1. ]
    let l = Linalg.Cholesky(a)
    close 1e-12 (vals (Linalg.Solve(a, b))) (Linalg.CholeskySolve(b, l))
    close 1e-12 (vals (Linalg.Solve(a, b))) (Linalg.CholeskySolve(b, l.T.Contiguous(), upper = true))

let ``The gradients of the nuclear norm, log-det via eigh and trace of exp(A) match central differences`` () =
    let m = [ 3.; 1.; 4.; 2.; 0.; 5. ]
    gradMatchesFd (fun a -> Linalg.SvdVals(a).Sum()) [ 3L; 2L ] m
    gradMatchesFd (fun a -> Linalg.MatrixNorm(a, "nuc")) [ 3L; 2L ] m
    // symmetrised input so eigh sees a symmetric matrix at every perturbation
    gradMatchesFd (fun a -> let s = (a + a.T) * 0.5 in let struct (l, _) = Linalg.Eigh(s) in l.Log().Sum()) [ 2L; 2L ] [ 3.; 1.; 0.5; 2. ]
    gradMatchesFd (fun a -> Linalg.MatrixExp(a).Trace()) [ 2L; 2L ] [ 0.1; 0.5; -0.3; 0.2 ]
    gradMatchesFd (fun a -> Linalg.Pinv(a).Sum()) [ 2L; 2L ] [ 2.; 1.; 0.5; 3. ]
    gradMatchesFd (fun a -> let struct (q, r) = Linalg.Qr(a) in (q.Sum() + r.Square().Sum())) [ 3L; 2L ] m

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsLinalgTests" [
        Expecto.Tests.testCase "Dot, Mv, AddMm, BaddBmm, Kron, Diag and Trace give the products worked by hand" ``Dot, Mv, AddMm, BaddBmm, Kron, Diag and Trace give the products worked by hand``
        Expecto.Tests.testCase "TensorDot contracts the named dims: one dim is matmul, two dims the full inner product" ``TensorDot contracts the named dims: one dim is matmul, two dims the full inner product``
        Expecto.Tests.testCase "Logspace gives powers of the base, EmptyLike copies shape and dtype" ``Logspace gives powers of the base, EmptyLike copies shape and dtype``
        Expecto.Tests.testCase "QR, SVD and Eigh factor a matrix into parts that are orthonormal and multiply back to it" ``QR, SVD and Eigh factor a matrix into parts that are orthonormal and multiply back to it``
        Expecto.Tests.testCase "Lstsq fits an exact line exactly and a noisy one like the normal equations; Pinv of a rank-1 matrix is A^T / ||A||^2" ``Lstsq fits an exact line exactly and a noisy one like the normal equations; Pinv of a rank-1 matrix is A^T / ||A||^2``
        Expecto.Tests.testCase "VectorNorm and MatrixNorm compute the p-norms, Frobenius, nuclear and induced norms" ``VectorNorm and MatrixNorm compute the p-norms, Frobenius, nuclear and induced norms``
        Expecto.Tests.testCase "MatrixExp of a generator is a rotation, MatrixPower gives Fibonacci numbers, CholeskySolve solves A X = B" ``MatrixExp of a generator is a rotation, MatrixPower gives Fibonacci numbers, CholeskySolve solves A X = B``
        Expecto.Tests.testCase "The gradients of the nuclear norm, log-det via eigh and trace of exp(A) match central differences" ``The gradients of the nuclear norm, log-det via eigh and trace of exp(A) match central differences``
    ]
