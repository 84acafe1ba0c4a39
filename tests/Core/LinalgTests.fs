/// LinalgTests.fs: matmul/bmm shapes and det, slogdet, inv, cholesky, solve against hand-computed values.
module GenDsl.Tests.Core.LinalgTests

open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

// A = [[4, 2], [2, 3]]: det 8, inverse [[3, -2], [-2, 4]] / 8, Cholesky [[2, 0], [1, sqrt 2]].
let private spd () = t64 [ 2L; 2L ] [ 4.; 2.; 2.; 3. ]

let ``matmul follows PyTorch's shape rules: matrix, vector, batched broadcast`` () =
    use a = t64 [ 2L; 3L ] [ 1.; 2.; 3.; 4.; 5.; 6. ]
    use b = t64 [ 3L; 2L ] [ 1.; 0.; 0.; 1.; 1.; 1. ]
    use c = a.MatMul(b)
    close 0.0 [ 4.; 5.; 10.; 11. ] c
    use v = vec [ 1.; 1.; 1. ]
    use av = a.MatMul(v) // (2, 3) @ (3,) -> (2,)
    Assert.Equal<int64 list>([ 2L ], shape av)
    close 0.0 [ 6.; 15. ] av
    use batch = Torch.Ones([| 5L; 1L; 2L; 3L |], ScalarType.Float64)
    use rhs = Torch.Ones([| 4L; 3L; 7L |], ScalarType.Float64)
    Assert.Equal<int64 list>([ 5L; 4L; 2L; 7L ], shape (batch.MatMul(rhs)))
    use x = Torch.Ones([| 6L; 2L; 3L |], ScalarType.Float64)
    use y = Torch.Ones([| 6L; 3L; 4L |], ScalarType.Float64)
    use z = x.Bmm(y)
    Assert.Equal<int64 list>([ 6L; 2L; 4L ], shape z)
    close 0.0 (List.replicate 48 3.0) z

let ``det inv cholesky and solve of [[4,2],[2,3]] match the hand computation`` () =
    use a = spd ()
    closeScalar 1e-12 8.0 (Linalg.Det(a).Item<float>())
    close 1e-12 [ 3. / 8.; -2. / 8.; -2. / 8.; 4. / 8. ] (Linalg.Inv(a))
    close 1e-12 [ 2.; 0.; 1.; sqrt 2. ] (Linalg.Cholesky(a))
    close 1e-12 [ 2.; 1.; 0.; sqrt 2. ] (Linalg.Cholesky(a, upper = true))
    use b = t64 [ 2L; 1L ] [ 2.; 1. ]
    close 1e-12 [ 0.5; 0.0 ] (Linalg.Solve(a, b)) // A^-1 b = [6 - 2, -4 + 4] / 8
    close 1e-12 [ 2.; 4. ] (Linalg.EigvalsH(t64 [ 2L; 2L ] [ 3.; 1.; 1.; 3. ])) // eigenvalues 3 -+ 1

let ``slogdet gives the sign and log|det| of a negative-determinant matrix`` () =
    use m = t64 [ 2L; 2L ] [ 1.; 2.; 3.; 4. ] // det = -2
    let struct (sign, logabs) = Linalg.SlogDet(m)
    Assert.Equal(-1.0, sign.Item<float>())
    closeScalar 1e-12 (log 2.0) (logabs.Item<float>())
    use batch = Torch.Stack([| spd (); m |]) // (2, 2, 2)
    close 1e-12 [ 8.; -2. ] (Linalg.Det(batch))

let ``a singular matrix makes inv raise TorchException with libtorch's message`` () =
    use s = t64 [ 2L; 2L ] [ 1.; 2.; 2.; 4. ]
    let e = Assert.Throws<TorchException>(fun () -> Linalg.Inv(s) |> ignore)
    Assert.Contains("singular", e.Message.ToLowerInvariant())

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.LinalgTests" [
        Expecto.Tests.testCase "matmul follows PyTorch's shape rules: matrix, vector, batched broadcast" ``matmul follows PyTorch's shape rules: matrix, vector, batched broadcast``
        Expecto.Tests.testCase "det inv cholesky and solve of [[4,2],[2,3]] match the hand computation" ``det inv cholesky and solve of [[4,2],[2,3]] match the hand computation``
        Expecto.Tests.testCase "slogdet gives the sign and log|det| of a negative-determinant matrix" ``slogdet gives the sign and log|det| of a negative-determinant matrix``
        Expecto.Tests.testCase "a singular matrix makes inv raise TorchException with libtorch's message" ``a singular matrix makes inv raise TorchException with libtorch's message``
    ]
