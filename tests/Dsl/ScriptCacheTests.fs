/// ScriptCacheTests.fs: a compiled script is reused while the script and what it #loads are unchanged, and only then.
module GenDsl.Tests.Dsl.ScriptCacheTests

open System.IO
open Xunit
open GenDsl.Cli

let private tempDir () = GenDsl.Tests.Support.newTempDir "cache"

let private seedOf (r: Result<GenDsl.Dsl.Experiment list, string list>) =
    match r with
    | Ok [ e ] -> e.Seed
    | other -> failwithf "expected one experiment, got %A" other

let ``a second load of an unchanged script hits the cache, and a changed script misses it and gets its new value`` () =
    let dir, cache = tempDir (), tempDir ()
    let p = Path.Combine(dir, "cached.fsx")
    File.WriteAllText(p, "open GenDsl.Dsl\nlet experiment = Experiment.create \"c\" |> Experiment.seed 3UL\n")
    let first, hit1 = ScriptHost.loadCached cache p
    let second, hit2 = ScriptHost.loadCached cache p
    Assert.Equal((3UL, false), (seedOf first, hit1))
    Assert.Equal((3UL, true), (seedOf second, hit2))
    File.WriteAllText(p, "open GenDsl.Dsl\nlet experiment = Experiment.create \"c\" |> Experiment.seed 4UL\n")
    let third, hit3 = ScriptHost.loadCached cache p
    Assert.Equal((4UL, false), (seedOf third, hit3))

let ``a change in a #loaded file misses the cache even when the script itself is unchanged`` () =
    let dir, cache = tempDir (), tempDir ()
    let lib = Path.Combine(dir, "lib.fsx")
    File.WriteAllText(lib, "module Lib\nlet seed = 5UL\n")
    let p = Path.Combine(dir, "main.fsx")
    File.WriteAllText(p, "#load \"lib.fsx\"\nopen GenDsl.Dsl\nlet experiment = Experiment.create \"m\" |> Experiment.seed Lib.seed\n")
    let first, hit1 = ScriptHost.loadCached cache p
    File.WriteAllText(lib, "module Lib\nlet seed = 6UL\n")
    let second, hit2 = ScriptHost.loadCached cache p
    Assert.Equal((5UL, false), (seedOf first, hit1))
    Assert.Equal((6UL, false), (seedOf second, hit2))

let ``the cache keeps the most recently used compiled scripts and deletes the oldest past its size`` () =
    let dir, cache = tempDir (), tempDir ()
    try
        // Stale entries, oldest first: CacheEntries of them, so one compile more must delete exactly the oldest.
        let stale = [ for i in 0 .. ScriptHost.CacheEntries - 1 -> Path.Combine(cache, sprintf "stale%03d" i) ]
        stale |> List.iteri (fun i d ->
            Directory.CreateDirectory d |> ignore
            Directory.SetLastWriteTimeUtc(d, System.DateTime(2020, 1, 1).AddMinutes(float i)))
        let p = Path.Combine(dir, "fresh.fsx")
        File.WriteAllText(p, "open GenDsl.Dsl\nlet experiment = Experiment.create \"f\" |> Experiment.seed 7UL\n")
        let r, hit = ScriptHost.loadCached cache p
        Assert.Equal((7UL, false), (seedOf r, hit))
        let left = Directory.GetDirectories cache |> Array.map Path.GetFileName |> Set.ofArray
        Assert.Equal(ScriptHost.CacheEntries, left.Count)
        Assert.False(left.Contains "stale000")    // the least recently used went
        Assert.True(left.Contains "stale001")
    finally
        Directory.Delete(dir, true)
        Directory.Delete(cache, true)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.ScriptCacheTests" [
        Expecto.Tests.testCase "a second load of an unchanged script hits the cache, and a changed script misses it and gets its new value" ``a second load of an unchanged script hits the cache, and a changed script misses it and gets its new value``
        Expecto.Tests.testCase "a change in a #loaded file misses the cache even when the script itself is unchanged" ``a change in a #loaded file misses the cache even when the script itself is unchanged``
        Expecto.Tests.testCase "the cache keeps the most recently used compiled scripts and deletes the oldest past its size" ``the cache keeps the most recently used compiled scripts and deletes the oldest past its size``
    ]
