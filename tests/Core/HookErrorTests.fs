/// HookErrorTests.fs: an exception thrown inside a tensor hook surfaces from Backward with its type and message, and as the InnerException.
module GenDsl.Tests.Core.HookErrorTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let ``A hook's exception fails Backward with its type and message, and is the error's InnerException`` () =
    use sc = Scope.Begin()
    let z = vec [ 1.0; 2.0 ]
    z.RequiresGrad <- true
    let thrown = InvalidOperationException "clip bound must be positive, got -1"
    use bad = z.RegisterHook(fun _ -> raise thrown)
    let ex = Assert.Throws<TorchException>(fun () -> (z * 2.0).Sum().Backward())
    Assert.Contains("tensor hook failed: System.InvalidOperationException: clip bound must be positive, got -1", ex.Message)
    Assert.Same(thrown, ex.InnerException)
    Assert.Same(thrown, bad.LastError)

let ``Each failed Backward carries its own hook's exception, and an error that is no hook's carries none`` () =
    use sc = Scope.Begin()
    let x = vec [ 3.0 ]
    x.RequiresGrad <- true
    let first = ArgumentException "first"
    let second = FormatException "second"
    let mutable next = first :> exn
    use _h = x.RegisterHook(fun _ -> raise next)
    let e1 = Assert.Throws<TorchException>(fun () -> x.Square().Sum().Backward())
    next <- second
    let e2 = Assert.Throws<TorchException>(fun () -> x.Exp().Sum().Backward())
    Assert.Same(first, e1.InnerException)
    Assert.Same(second, e2.InnerException)
    Assert.Contains("System.FormatException: second", e2.Message)
    // Backward of a tensor that needs no gradient fails in libtorch itself: no hook's exception is attached to it.
    let e3 = Assert.Throws<TorchException>(fun () -> (vec [ 1.0 ]).Sum().Backward())
    Assert.Null(e3.InnerException)
    Assert.DoesNotContain("tensor hook failed", e3.Message)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.HookErrorTests" [
        Expecto.Tests.testCase "A hook's exception fails Backward with its type and message, and is the error's InnerException" ``A hook's exception fails Backward with its type and message, and is the error's InnerException``
        Expecto.Tests.testCase "Each failed Backward carries its own hook's exception, and an error that is no hook's carries none" ``Each failed Backward carries its own hook's exception, and an error that is no hook's carries none``
    ]
