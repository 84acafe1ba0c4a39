/// CreationTests.fs: tensor creation and dtype promotion against PyTorch's rules (arange dtypes, int + int stays int).
module GenDsl.Tests.Core.CreationTests

open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let ``arange of integers is int64, of any float is float32, as in PyTorch`` () =
    use a = Torch.Arange(Scalar.op_Implicit 0L, Scalar.op_Implicit 5L)
    Assert.Equal(ScalarType.Int64, a.Dtype)
    Assert.Equal<int64[]>([| 0L; 1L; 2L; 3L; 4L |], a.ToArray<int64>())
    use b = Torch.Arange(Scalar.op_Implicit 0.0, Scalar.op_Implicit 1.0, Scalar.op_Implicit 0.25)
    Assert.Equal(ScalarType.Float32, b.Dtype)
    close 0.0 [ 0.; 0.25; 0.5; 0.75 ] b
    use c = Torch.Arange(Scalar.op_Implicit 3L, ScalarType.Float64)
    Assert.Equal(ScalarType.Float64, c.Dtype)

let ``int64 tensor plus 1 stays int64; plus 1.5 becomes float32; int division is true division`` () =
    use a = Torch.Tensor<int64>([| 1L; 2L; 3L |])
    use b = a + 1L
    Assert.Equal(ScalarType.Int64, b.Dtype)
    Assert.Equal<int64[]>([| 2L; 3L; 4L |], b.ToArray<int64>())
    use c = a + 1.5
    Assert.Equal(ScalarType.Float32, c.Dtype)
    close 0.0 [ 2.5; 3.5; 4.5 ] c
    use d = a / 2L
    Assert.Equal(ScalarType.Float32, d.Dtype)
    close 0.0 [ 0.5; 1.0; 1.5 ] d
    use f = Torch.Tensor<float>([| 1.0 |])
    use g = a + f // int64 + float64 tensor -> float64
    Assert.Equal(ScalarType.Float64, g.Dtype)

let ``zeros ones full eye linspace have the requested shape dtype and values`` () =
    use z = Torch.Zeros([| 2L; 3L |], ScalarType.Float64)
    Assert.Equal<int64 list>([ 2L; 3L ], shape z)
    Assert.Equal(ScalarType.Float64, z.Dtype)
    close 0.0 (List.replicate 6 0.0) z
    use o = Torch.Ones(4L)
    Assert.Equal(ScalarType.Float32, o.Dtype)
    use f = Torch.Full([| 2L |], Scalar.op_Implicit 7L, ScalarType.Int64)
    Assert.Equal<int64[]>([| 7L; 7L |], f.ToArray<int64>())
    use e = Torch.Eye(2L, 3L)
    close 0.0 [ 1.; 0.; 0.; 0.; 1.; 0. ] e
    use l = Torch.Linspace(0.0, 1.0, 5L)
    close 1e-7 [ 0.; 0.25; 0.5; 0.75; 1.0 ] l

let ``data round-trips through a tensor and Item reads a scalar`` () =
    let data = [| 1.5f; -2.0f; 3.25f; 0.0f; 8.0f; -0.5f |]
    use t = Torch.Tensor<float32>(data, 2L, 3L)
    Assert.Equal<float32[]>(data, t.ToArray<float32>())
    Assert.Equal<int64[]>([| 3L; 1L |], t.Strides)
    use s = Torch.Scalar(2.5, ScalarType.Float64)
    Assert.Equal(0, s.Dim)
    Assert.Equal(2.5, s.Item<float>())
    use b = Torch.Tensor<bool>([| true; false |])
    Assert.Equal(ScalarType.Bool, b.Dtype)
    Assert.Equal<bool[]>([| true; false |], b.ToArray<bool>())

let ``a mismatched element type or element count is refused with a message saying how to fix it`` () =
    use t = Torch.Ones(2L)
    let e = Assert.Throws<System.ArgumentException>(fun () -> t.ToArray<float>() |> ignore)
    Assert.Contains("Float32", e.Message)
    Assert.Throws<System.ArgumentException>(fun () -> Torch.Tensor<float>([| 1.0; 2.0; 3.0 |], 2L, 2L) |> ignore) |> ignore

let ``ToString prints like PyTorch`` () =
    use t = t64 [ 2L; 2L ] [ 1.; 2.; 3.; 4.5 ]
    Assert.Equal("tensor([[1., 2.],\n        [3., 4.5]], dtype=float64)", t.ToString())


let ``a CUDA tensor round-trips when CUDA is present (skipped without it)`` () =
        use a = t64 [ 3L ] [ 1.; 2.; 3. ]
        use g = a.Cuda()
        Assert.Equal(DeviceType.CUDA, g.Device.Type)
        use back = (g * 2.0).Cpu()
        close 0.0 [ 2.; 4.; 6. ] back

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.CreationTests" [
        Expecto.Tests.testCase "arange of integers is int64, of any float is float32, as in PyTorch" ``arange of integers is int64, of any float is float32, as in PyTorch``
        Expecto.Tests.testCase "int64 tensor plus 1 stays int64; plus 1.5 becomes float32; int division is true division" ``int64 tensor plus 1 stays int64; plus 1.5 becomes float32; int division is true division``
        Expecto.Tests.testCase "zeros ones full eye linspace have the requested shape dtype and values" ``zeros ones full eye linspace have the requested shape dtype and values``
        Expecto.Tests.testCase "data round-trips through a tensor and Item reads a scalar" ``data round-trips through a tensor and Item reads a scalar``
        Expecto.Tests.testCase "a mismatched element type or element count is refused with a message saying how to fix it" ``a mismatched element type or element count is refused with a message saying how to fix it``
        Expecto.Tests.testCase "ToString prints like PyTorch" ``ToString prints like PyTorch``
        (if GenDsl.Torch.Torch.CudaIsAvailable then Expecto.Tests.testCase else Expecto.Tests.ptestCase) "a CUDA tensor round-trips when CUDA is present (skipped without it)" ``a CUDA tensor round-trips when CUDA is present (skipped without it)``
    ]
