/// ScriptHostTests.fs: the .fsx host reports compile errors as file(line,col) and says when a script binds no experiment.
module GenDsl.Tests.Dsl.ScriptHostTests

open System.IO
open Xunit
open GenDsl.Cli

let private script (name: string) (text: string) =
    let dir = Path.Combine(Path.GetTempPath(), "gendsl-host-" + Path.GetRandomFileName())
    Directory.CreateDirectory dir |> ignore
    let p = Path.Combine(dir, name)
    File.WriteAllText(p, text)
    p

let ``a script with a type error reports its file, line and column`` () =
    // Line 3, column 29 is where the string literal stands in for an int.
    let p = script "bad.fsx" "open GenDsl.Dsl\n\nlet experiment = Model.gmm \"three\"\n"
    match ScriptHost.load p with
    | Ok _ -> failwith "a script with a type error was accepted"
    | Error msgs ->
        let m = List.head msgs
        Assert.StartsWith(p + "(3,28): error FS0001:", m)

let ``a script without experiment says it binds neither experiment nor experiments`` () =
    let p = script "none.fsx" "open GenDsl.Dsl\nlet somethingElse = Model.gmm 3\n"
    match ScriptHost.load p with
    | Ok _ -> failwith "a script without `experiment` was accepted"
    | Error msgs -> Assert.Equal<string list>([ p + ": the script binds neither `experiment` nor `experiments`: end it with `let experiment = ...`" ], msgs)

let ``a script binding experiment gets the DSL without any #r and returns the value it built`` () =
    let p = script "ok.fsx" "open GenDsl.Dsl\nlet experiment = Experiment.create \"tiny\" |> Experiment.seed 7UL\n"
    match ScriptHost.load p with
    | Ok [ e ] -> Assert.Equal(("tiny", 7UL), (e.Name, e.Seed))
    | other -> failwithf "expected one experiment, got %A" other

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.ScriptHostTests" [
        Expecto.Tests.testCase "a script with a type error reports its file, line and column" ``a script with a type error reports its file, line and column``
        Expecto.Tests.testCase "a script without experiment says it binds neither experiment nor experiments" ``a script without experiment says it binds neither experiment nor experiments``
        Expecto.Tests.testCase "a script binding experiment gets the DSL without any #r and returns the value it built" ``a script binding experiment gets the DSL without any #r and returns the value it built``
    ]
