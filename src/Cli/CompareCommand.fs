/// CompareCommand.fs: `gendsl compare <run>...`: one offline page comparing run folders (Compare.fs).
module GenDsl.Cli.CompareCommand

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

let execute (a: ParseResults<CompareArgs>) =
    let folders = a.GetResult CompareArgs.Folders
    let page = a.GetResult(CompareArgs.Out, defaultValue = Path.Combine("runs", "compare", DateTimeOffset.Now.ToString("yyyyMMdd-HHmmss"), "compare.html"))
    match GenDsl.Dsl.Compare.load folders with
    | Error m -> eprint m; ExitCode.Usage
    | Ok (runs, metrics) ->
        match Runs.findPlotly None with
        | Error m -> eprint m; ExitCode.Usage
        | Ok plotly ->
            let written = GenDsl.Dsl.Compare.write runs metrics page plotly
            printfn "compared %d runs on %d metric(s), %d setting(s) differ: %s" runs.Length metrics.Count (GenDsl.Dsl.Compare.differences runs).Length written
            ExitCode.Ok
