/// FromBufferTests.fs: Torch.FromBuffer — a tensor over a .NET array or Memory<T> shares its memory, keeps it alive, then lets it go.
module GenDsl.Tests.Core.FromBufferTests

open System
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

let ``FromBuffer shares memory both ways: array writes show in the tensor and in-place tensor ops write the array`` () =
    let a = [| 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 |]
    use t = Torch.FromBuffer(a, [| 2L; 3L |]) // (2, 3) over a
    Assert.Equal(ScalarType.Float64, t.Dtype)
    a.[4] <- 50.0
    Assert.Equal(50.0, t.Select(0L, 1L).Select(0L, 1L).ToDouble())
    t.Mul_(2.0) |> ignore
    Assert.Equal<float[]>([| 2.0; 4.0; 6.0; 8.0; 100.0; 12.0 |], a)
    // A new tensor (not in place) is a copy: the array is unchanged by it.
    use y = t + 1.0
    Assert.Equal(2.0, a.[0])

let ``FromBuffer over a Memory slice sees exactly that slice, with the element type's dtype`` () =
    let a = Array.init 10 (fun i -> int64 i)
    use t = Torch.FromBuffer(a.AsMemory(3, 4))
    Assert.Equal(ScalarType.Int64, t.Dtype)
    Assert.Equal<int64[]>([| 3L; 4L; 5L; 6L |], t.ToArray<int64>())
    t.Fill_(Scalar.op_Implicit 0L) |> ignore
    Assert.Equal<int64[]>([| 0L; 1L; 2L; 0L; 0L; 0L; 0L; 7L; 8L; 9L |], a)
    use f = Torch.FromBuffer([| 1.5f; 2.5f |])
    Assert.Equal(ScalarType.Float32, f.Dtype)

/// Makes the array inside a function the JIT cannot inline, so no local keeps it alive: only the tensor can.
[<System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)>]
let private overFreshArray () =
    let a = Array.init 1000 float
    Torch.FromBuffer(a), WeakReference(a)

let private collect () =
    for _ in 1 .. 3 do
        GC.Collect()
        GC.WaitForPendingFinalizers()

let ``FromBuffer keeps the array alive while the tensor or a view of it lives, and releases it after`` () =
    let t, weak = overFreshArray ()
    let view = t.Narrow(0L, 10L, 5L) // (5), shares t's storage
    collect ()
    Assert.True(weak.IsAlive, "the array was collected while a tensor over it lived")
    t.Dispose()
    collect ()
    Assert.True(weak.IsAlive, "the array was collected while a view of its tensor lived")
    Assert.Equal<float[]>([| 10.0; 11.0; 12.0; 13.0; 14.0 |], view.ToArray<float>())
    view.Dispose()
    collect ()
    Assert.False(weak.IsAlive, "the array was not released after the last tensor over it was freed")

let ``FromBuffer rejects a shape that does not hold the buffer's elements, and an element type with no dtype`` () =
    let e = Assert.Throws<ArgumentException>(fun () -> Torch.FromBuffer([| 1.0; 2.0; 3.0 |], [| 2L; 2L |]) |> ignore)
    Assert.Contains("holds 4 elements but the buffer has 3", e.Message)
    Assert.Throws<ArgumentException>(fun () -> Torch.FromBuffer([| 'a'; 'b' |]) |> ignore) |> ignore

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.FromBufferTests" [
        Expecto.Tests.testCase "FromBuffer shares memory both ways: array writes show in the tensor and in-place tensor ops write the array" ``FromBuffer shares memory both ways: array writes show in the tensor and in-place tensor ops write the array``
        Expecto.Tests.testCase "FromBuffer over a Memory slice sees exactly that slice, with the element type's dtype" ``FromBuffer over a Memory slice sees exactly that slice, with the element type's dtype``
        Expecto.Tests.testCase "FromBuffer keeps the array alive while the tensor or a view of it lives, and releases it after" ``FromBuffer keeps the array alive while the tensor or a view of it lives, and releases it after``
        Expecto.Tests.testCase "FromBuffer rejects a shape that does not hold the buffer's elements, and an element type with no dtype" ``FromBuffer rejects a shape that does not hold the buffer's elements, and an element type with no dtype``
    ]
