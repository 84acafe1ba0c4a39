/// OpsTorchFormsTests.fs: the torch.x(t, ...) function forms forward to the tensor methods with PyTorch's argument order and defaults.
module GenDsl.Tests.Core.OpsTorchFormsTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

[<Fact>]
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
