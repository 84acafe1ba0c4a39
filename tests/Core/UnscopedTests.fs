/// UnscopedTests.fs: tensors made outside every scope — the pending list hands leaked ones to their finalizer safety net, and disposal from another thread is safe.
module GenDsl.Tests.Core.UnscopedTests

open System
open System.Threading
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

/// Makes one unscoped tensor that nothing references afterwards, and a weak reference to it (no inlining, so no
/// local of this frame keeps it alive).
[<System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)>]
let private leakOne (a: Tensor) = WeakReference(a + 1.0)

let ``an unscoped tensor that is never disposed is not kept alive once its thread's pending list fills`` () =
    use a = Torch.Ones(4L)
    let leaked = leakOne a
    // 300 > the pending list's limit (256): the leaked tensor gets its finalizer guard and leaves the list.
    for _ in 1 .. 300 do
        use c = a * 2.0
        ()
    for _ in 1 .. 300 do
        (a * 3.0) |> ignore // leaked too: these fill the list past its limit
    GC.Collect()
    GC.WaitForPendingFinalizers()
    GC.Collect()
    Assert.False(leaked.IsAlive, "the leaked tensor is still referenced (by the pending list?)")
    close 0.0 [ 3.; 3.; 3.; 3. ] (a * 3.0) // the process and a are fine after the guards freed the leaked tensors

let ``an unscoped tensor made on one thread can be disposed on another, and both threads go on working`` () =
    let mutable made = Unchecked.defaultof<Tensor>
    let worker = Thread(fun () -> made <- Torch.Ones(3L) * 2.0)
    worker.Start()
    worker.Join()
    close 0.0 [ 2.; 2.; 2. ] made
    made.Dispose()
    Assert.True(made.IsDisposed)
    Assert.Throws<ObjectDisposedException>(fun () -> made.Sum() |> ignore) |> ignore
    use here = Torch.Ones(3L) + 1.0
    close 0.0 [ 2.; 2.; 2. ] here

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.UnscopedTests" [
        Expecto.Tests.testCase "an unscoped tensor that is never disposed is not kept alive once its thread's pending list fills" ``an unscoped tensor that is never disposed is not kept alive once its thread's pending list fills``
        Expecto.Tests.testCase "an unscoped tensor made on one thread can be disposed on another, and both threads go on working" ``an unscoped tensor made on one thread can be disposed on another, and both threads go on working``
    ]
