/// CaseSelectionTests.fs: `gendsl run/check --case <label>` runs only the named cases, drops the expectations about the
/// others, and an unknown label is a usage error that lists the cases.
module GenDsl.Tests.Dsl.CaseSelectionTests

open System
open System.IO
open System.Text.Json.Nodes
open Xunit
open GenDsl.Cli
open GenDsl.Tests.Support


/// Two cases of a tiny EM GMM; the expectation about case "a" cannot hold (NLL below -100), the one about "b" can.
let private script (dir: string) =
    let p = Path.Combine(dir, "two.fsx")
    File.WriteAllText(p, String.concat "\n" [
        "open GenDsl.Dsl"
        "let pts = Data.points [ [ 0.0; 0.1 ]; [ 1.0; 1.2 ]; [ 5.0; 5.1 ]; [ 5.2; 4.9 ] ]"
        "let experiment ="
        "    Experiment.create \"two\""
        "    |> Experiment.withCases [ Case.create \"a\" pts (Model.gmm 1) [ Fit.em 3 ]; Case.create \"b\" pts (Model.gmm 2) [ Fit.em 3 ] ]"
        "    |> Experiment.expect (Expect.nll Below -100.0 |> Expect.forCase \"a\")"
        "    |> Experiment.expect (Expect.nll Below 100.0 |> Expect.forCase \"b\")" ])
    p

let private tempDir () = newTempDir "case"

let ``run --case b trains only case b and checks only its expectation`` () =
    let dir = tempDir ()
    try
        let root = Path.Combine(dir, "runs")
        let code, _, err = cli [ "run"; script dir; "--case"; "b"; "-o"; root ]
        Assert.True((code = 0), err)   // case a's failing expectation went with case a
        let folder = Directory.GetDirectories(Path.Combine(root, "two")) |> Array.exactlyOne
        let summary = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))
        let labels = [ for c in summary.["cases"].AsArray() -> c.["label"].GetValue<string>() ]
        Assert.Equal<string list>([ "b" ], labels)
        // Without --case both run and case a's expectation fails: exit code 3.
        let all, _, _ = cli [ "run"; script dir; "-o"; root ]
        Assert.Equal(3, all)
    finally Directory.Delete(dir, true)

let ``an unknown --case label is a usage error that lists the cases, and nothing is run`` () =
    let dir = tempDir ()
    try
        let root = Path.Combine(dir, "runs")
        let code, _, err = cli [ "run"; script dir; "--case"; "c"; "-o"; root ]
        Assert.Equal(1, code)
        Assert.Contains("--case c: no such case; the cases are a, b", err)
        Assert.False(Directory.Exists(Path.Combine(root, "two")))
    finally Directory.Delete(dir, true)

let ``a shared option given to a command that does not take it is a usage error naming what that command takes`` () =
    let code, _, err = cli [ "list"; "--seed"; "3" ]
    Assert.Equal(1, code)
    Assert.Contains("gendsl list does not take --seed", err)
    let code2, _, err2 = cli [ "resume"; "nowhere"; "--seed"; "1" ]
    Assert.Equal(1, code2)
    Assert.Contains("gendsl resume does not take --seed (resume takes --set, --threads, --device)", err2)

/// Every test of this module, as Expecto test values (named as the functions above).
[<Expecto.Tests>]
let tests =
    Expecto.Tests.testList "GenDsl.Tests.Dsl.CaseSelectionTests" [
        Expecto.Tests.testCase "run --case b trains only case b and checks only its expectation" ``run --case b trains only case b and checks only its expectation``
        Expecto.Tests.testCase "an unknown --case label is a usage error that lists the cases, and nothing is run" ``an unknown --case label is a usage error that lists the cases, and nothing is run``
        Expecto.Tests.testCase "a shared option given to a command that does not take it is a usage error naming what that command takes" ``a shared option given to a command that does not take it is a usage error naming what that command takes``
    ]
