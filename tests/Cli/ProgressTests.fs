/// ProgressTests.fs: the plain progress lines' rate and ETA count the steps done in this process — after `gendsl resume`,
/// not the steps the stopped run had already done.
module GenDsl.Tests.Cli.ProgressTests

open System
open Xunit
open GenDsl.Cli.Progress
open GenDsl.Dsl.Runs

/// A PlainProgress printing every step, on a clock the test sets: its lines.
let private progress () =
    let now = ref TimeSpan.Zero
    let lines = Collections.Generic.List<string>()
    let p = PlainProgress(lines.Add, TimeSpan.Zero, fun () -> now.Value) :> IProgress
    p, (fun (secs: float) -> now.Value <- TimeSpan.FromSeconds secs), lines

let ``After a resume at step 40 of 100, 20 steps in 10 s read 2.0 it/s and 20 s left, not 6.0 it/s`` () =
    let p, at, lines = progress ()
    p.Begin("b/adam", 100)
    at 0.5
    p.Step("b/adam", 41, [])          // the first step after the checkpoint of step 40
    at 10.0
    p.Step("b/adam", 60, [])
    // 60 - 40 = 20 steps in 10 s: 2 it/s, and 40 steps to go at that pace: 20 s (counting from step 0: 6 it/s, 6.7 s).
    Assert.EndsWith("step 60/100    2.0 it/s  ETA 20.0s", lines.[lines.Count - 1])

let ``A fresh run counts every step: 50 steps in 10 s read 5.0 it/s and 10 s left`` () =
    for first in [ 0; 1 ] do          // EM reports iteration 0 first, the Trainer step 1
        let p, at, lines = progress ()
        p.Begin("c/em", 100)
        at 0.2
        p.Step("c/em", first, [])
        at 10.0
        p.Step("c/em", 50, [ "mean LL", -1.5 ])
        Assert.EndsWith("step 50/100  mean LL -1.5000  5.0 it/s  ETA 10.0s", lines.[lines.Count - 1])

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Cli.ProgressTests" [
        Expecto.Tests.testCase "After a resume at step 40 of 100, 20 steps in 10 s read 2.0 it/s and 20 s left, not 6.0 it/s" ``After a resume at step 40 of 100, 20 steps in 10 s read 2.0 it/s and 20 s left, not 6.0 it/s``
        Expecto.Tests.testCase "A fresh run counts every step: 50 steps in 10 s read 5.0 it/s and 10 s left" ``A fresh run counts every step: 50 steps in 10 s read 5.0 it/s and 10 s left``
    ]
