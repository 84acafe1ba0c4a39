/// MemoryTests.fs: Scope frees what it owns, MoveToOuterScope keeps a tensor alive, and 100,000 scoped ops keep RSS flat.
module GenDsl.Tests.Core.MemoryTests

open System
open System.IO
open Xunit
open GenDsl.Torch
open GenDsl.Tests.Support

/// The process's resident set size in MiB, from VmRSS in /proc/self/status (Linux).
let private rssMiB () =
    File.ReadLines "/proc/self/status"
    |> Seq.find (fun l -> l.StartsWith "VmRSS:")
    |> fun l -> float (l.Split(' ', StringSplitOptions.RemoveEmptyEntries).[1]) / 1024.0

let private steps n (a: Tensor) (b: Tensor) =
    for _ in 1 .. n do
        use _s = Scope.Begin()
        let c = (a + b) * 0.5
        let d = c.Exp().Sum()
        d.Neg() |> ignore

let ``Scope frees every tensor made inside it, except those moved out`` () =
    let outside = Torch.Ones(2L)
    let mutable kept = Unchecked.defaultof<Tensor>
    let mutable inner = Unchecked.defaultof<Tensor>
    do
        use s = Scope.Begin()
        inner <- outside + 1.0
        let tmp = inner * 2.0
        kept <- (tmp + 1.0).MoveToOuterScope()
        Assert.Equal(2, s.Count) // inner and tmp; kept has left
    Assert.True(inner.IsDisposed)
    Assert.False(kept.IsDisposed)
    Assert.False(outside.IsDisposed)
    close 0.0 [ 5.; 5. ] kept
    kept.Dispose()
    outside.Dispose()

let ``nested scopes: MoveToOuterScope hands a tensor to the enclosing scope, which then frees it`` () =
    let mutable t = Unchecked.defaultof<Tensor>
    do
        use outer = Scope.Begin()
        do
            use inner = Scope.Begin()
            t <- Torch.Ones(3L).MoveToOuterScope()
        Assert.False(t.IsDisposed)
        Assert.Equal(1, outer.Count)
    Assert.True(t.IsDisposed)
    Assert.Null(Scope.Current)

let ``a tensor disposed inside a long scope leaves its list, so using in a loop stays bounded`` () =
    use s = Scope.Begin()
    use a = Torch.Ones(1L)
    for _ in 1 .. 1000 do
        use c = a + a
        ()
    Assert.Equal(1, s.Count) // only a

let ``100,000 small ops in per-iteration scopes keep resident memory flat (growth < 20 MiB)`` () =
    use a = Torch.Ones(16L)
    use b = Torch.Ones(16L)
    steps 20_000 a b // warm up: JIT, allocator pools, libtorch caches
    GC.Collect()
    let before = rssMiB ()
    steps 25_000 a b // 4 ops each: 100,000 ops
    GC.Collect()
    let after = rssMiB ()
    // A leak of the 100,000 results (each >= 64 bytes of data plus a TensorImpl of ~200 bytes) would add > 25 MiB;
    // allocator and GC-heap noise stays well under 20 MiB.
    Assert.True(after - before < 20.0, sprintf "RSS grew from %.1f MiB to %.1f MiB" before after)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Core.MemoryTests" [
        Expecto.Tests.testCase "Scope frees every tensor made inside it, except those moved out" ``Scope frees every tensor made inside it, except those moved out``
        Expecto.Tests.testCase "nested scopes: MoveToOuterScope hands a tensor to the enclosing scope, which then frees it" ``nested scopes: MoveToOuterScope hands a tensor to the enclosing scope, which then frees it``
        Expecto.Tests.testCase "a tensor disposed inside a long scope leaves its list, so using in a loop stays bounded" ``a tensor disposed inside a long scope leaves its list, so using in a loop stays bounded``
        Expecto.Tests.testCase "100,000 small ops in per-iteration scopes keep resident memory flat (growth < 20 MiB)" ``100,000 small ops in per-iteration scopes keep resident memory flat (growth < 20 MiB)``
    ]
