/// ScriptCacheTests.fs: a compiled script is reused while the script and what it #loads are unchanged, and only then.
module GenDsl.Tests.Dsl.ScriptCacheTests

open System.IO
open Xunit
open GenDsl.Cli

let private tempDir () =
    let d = Path.Combine(Path.GetTempPath(), "gendsl-cache-" + Path.GetRandomFileName())
    Directory.CreateDirectory d |> ignore
    d

let private seedOf (r: Result<GenDsl.Dsl.Experiment list, string list>) =
    match r with
    | Ok [ e ] -> e.Seed
    | other -> failwithf "expected one experiment, got %A" other

[<Fact>]
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

[<Fact>]
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
