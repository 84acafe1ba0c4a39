/// ErrorTests.fs: libtorch errors become TorchException with libtorch's message, and the process carries on.
module GenDsl.Tests.Core.ErrorTests

open Xunit
open GenDsl.Torch
open GenDsl.Native
open GenDsl.Tests.Support

let ``a shape mismatch raises TorchException naming the sizes`` () =
    use a = Torch.Ones(2L, 3L)
    use b = Torch.Ones(4L)
    let e = Assert.Throws<TorchException>(fun () -> (a + b) |> ignore)
    Assert.Equal("Add", e.Op)
    Assert.Contains("must match the size", e.Message) // libtorch: "The size of tensor a (3) must match the size of tensor b (4)"
    use m = Torch.Ones(2L, 3L)
    let e2 = Assert.Throws<TorchException>(fun () -> m.MatMul(m) |> ignore)
    Assert.Contains("cannot be multiplied", e2.Message)

let ``a wrong dtype raises TorchException from libtorch`` () =
    use x = Torch.Ones(2L, 3L)
    use idx = Torch.Tensor<float32>([| 0.0f; 1.0f |], 2L, 1L)
    let e = Assert.Throws<TorchException>(fun () -> x.Gather(1L, idx) |> ignore)
    Assert.Contains("int64", e.Message.ToLowerInvariant().Replace("long", "int64"))

let ``an out-of-range index raises TorchException and the process survives`` () =
    use x = Torch.Ones(3L)
    let e = Assert.Throws<TorchException>(fun () -> x.Select(0L, 5L) |> ignore)
    Assert.Contains("out of range", e.Message)
    use w = Torch.Ones(3L, 2L)
    use bad = Torch.Tensor<int64>([| 7L |])
    let e2 = Assert.Throws<TorchException>(fun () -> Functional.Embedding(bad, w) |> ignore)
    Assert.Contains("out of range", e2.Message)
    // Still alive and computing correctly after the errors.
    use y = x + x
    close 0.0 [ 2.; 2.; 2. ] y

let ``a failing native call without a result is noticed too`` () =
    let e = Assert.Throws<TorchException>(fun () -> NativeMethods.Check(NativeMethods.gd_fail_for_test(), "FailForTest"))
    Assert.Equal("FailForTest: gd_fail_for_test: deliberate failure", e.Message)
    // And a void op that fails inside libtorch: an in-place add whose result cannot broadcast to the destination.
    use a = Torch.Ones(3L)
    use b = Torch.Ones(2L, 3L)
    Assert.Throws<TorchException>(fun () -> a.Add_(b) |> ignore) |> ignore
    Assert.Throws<TorchException>(fun () -> Torch.NumThreads <- 0) |> ignore

let ``using a disposed tensor raises ObjectDisposedException instead of crashing`` () =
    let t = Torch.Ones(2L)
    t.Dispose()
    Assert.True(t.IsDisposed)
    Assert.Throws<System.ObjectDisposedException>(fun () -> t.Exp() |> ignore) |> ignore
    Assert.Throws<System.ObjectDisposedException>(fun () -> Torch.Cat([| t; t |]) |> ignore) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.ErrorTests" [
        Expecto.Tests.testCase "a shape mismatch raises TorchException naming the sizes" ``a shape mismatch raises TorchException naming the sizes``
        Expecto.Tests.testCase "a wrong dtype raises TorchException from libtorch" ``a wrong dtype raises TorchException from libtorch``
        Expecto.Tests.testCase "an out-of-range index raises TorchException and the process survives" ``an out-of-range index raises TorchException and the process survives``
        Expecto.Tests.testCase "a failing native call without a result is noticed too" ``a failing native call without a result is noticed too``
        Expecto.Tests.testCase "using a disposed tensor raises ObjectDisposedException instead of crashing" ``using a disposed tensor raises ObjectDisposedException instead of crashing``
    ]
