/// OpsTorchFormsTests.fs: the torch.x(t, ...) function forms forward to the tensor methods with PyTorch's argument order and defaults.
module GenDsl.Tests.Core.OpsTorchFormsTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let ``Torch.X function forms give the method's values with PyTorch's argument order`` () =
    use sc = Scope.Begin()
    let x = vec [ 0.5; 1.0; 4.0 ]
    close 0.0 [ -1.; 0.; 2. ] (Torch.Log2(x))
    close 1e-15 [ for v in [ 0.5; 1.0; 4.0 ] -> sqrt v ] (Torch.Sqrt(x))
    close 0.0 [ 5.5 ] (Torch.Sum(x))
    close 0.0 [ 1. ] (Torch.Median(x))
    let i = Torch.Tensor<int64>([| -7L; 7L |])
    Assert.Equal<int64 list>([ -4L; 3L ], List.ofArray (Torch.Div(i, 2L, RoundingMode.Floor).ToArray<int64>()))
    Assert.Equal(ScalarType.Int64, Torch.Clamp(i, 0L, 5L).Dtype)
    // torch.searchsorted(sorted_sequence, values) and torch.cholesky_solve(B, L): the sequence and B come first
    Assert.Equal<int64 list>([ 1L; 2L ], List.ofArray (Torch.SearchSorted(vec [ 1.; 3.; 5. ], vec [ 2.; 4. ]).ToArray<int64>()))
    let a = t64 [ 2L; 2L ] [ 4.; 2.; 2.; 3. ]
    let b = t64 [ 2L; 1L ] [ 1.; 2. ]
    close 1e-12 (vals (Linalg.Solve(a, b))) (Torch.CholeskySolve(b, Linalg.Cholesky(a)))
    // dims = 2 by default: the sum of elementwise products
    close 1e-12 [ 4. * 1. + 2. * 3. + 2. * 2. + 3. * 2. ] (Torch.TensorDot(a, t64 [ 2L; 2L ] [ 1.; 3.; 2.; 2. ]))
    // torch.diagonal defaults to dims (0, 1), as PyTorch
    let m = Torch.Arange(Scalar.op_Implicit 8L).Reshape(2L, 2L, 2L)
    Assert.Equal<int64 list>([ 0L; 6L; 1L; 7L ], List.ofArray (Torch.Diagonal(m).Contiguous().ToArray<int64>()))
    let struct (var, mean) = Torch.VarMean(vec [ 1.; 3. ])
    close 0.0 [ 2. ] var
    close 0.0 [ 2. ] mean
    Assert.Equal(3, Torch.TensorSplit(Torch.Arange(Scalar.op_Implicit 7L), 3L).Length)

let ``Torch.X reductions over one dim and with a dtype match sums written out by hand`` () =
    use sc = Scope.Begin()
    // [[1, 2, 3], [4, 5, 6]]: row sums 6 and 15, column maxima 4 5 6, row minima 1 4, row means 2 and 5.
    let m = Torch.Tensor<float>([| 1.; 2.; 3.; 4.; 5.; 6. |], [| 2L; 3L |])
    close 0.0 [ 6.; 15. ] (Torch.Sum(m, 1L))
    close 0.0 [ 2.; 5. ] (Torch.Mean(m, 1L))
    close 0.0 [ 4.; 5.; 6. ] (Torch.Amax(m, 0L))
    close 0.0 [ 1.; 4. ] (Torch.Amin(m, 1L))
    Assert.Equal<int64 list>([ 2L; 2L; 2L ], List.ofArray (Torch.CountNonzero(m, 0L).ToArray<int64>()))
    close 0.0 [ 1.; 2.; 6.; 4.; 20.; 120. ] (Torch.CumProd(m, 1L, ScalarType.Float64).Reshape(-1L))
    let f = Torch.Tensor<float32>([| 0.0f; 0.0f |])
    let p = Torch.Softmax(f, 0L, ScalarType.Float64)
    Assert.Equal(ScalarType.Float64, p.Dtype)
    close 0.0 [ 0.5; 0.5 ] p
    close 1e-15 [ log 0.5; log 0.5 ] (Torch.LogSoftmax(f, 0L, ScalarType.Float64))

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.OpsTorchFormsTests" [
        Expecto.Tests.testCase "Torch.X function forms give the method's values with PyTorch's argument order" ``Torch.X function forms give the method's values with PyTorch's argument order``
        Expecto.Tests.testCase "Torch.X reductions over one dim and with a dtype match sums written out by hand" ``Torch.X reductions over one dim and with a dtype match sums written out by hand``
    ]
