/// ExportCommand.fs: `gendsl export <run folders...> --to docs/results`: docs/results.md and its figures (PNG and SVG)
/// from finished run folders (Export.fs), a section per seed problem of the README's experiment table.
module GenDsl.Cli.ExportCommand

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

let execute (a: ParseResults<ExportArgs>) =
    let folders = a.GetResult ExportArgs.Folders
    let figures = a.GetResult(ExportArgs.To, defaultValue = "docs/results")
    let page = a.GetResult(ExportArgs.Page, defaultValue = figures.TrimEnd('/', '\\') + ".md")
    let readme = a.GetResult(ExportArgs.Readme, defaultValue = "README.md")
    if not (File.Exists readme) then
        eprint (sprintf "no README at '%s': run from the repository root, or name it with --readme (its experiment table lists the seed problems)" readme)
        ExitCode.Usage
    elif (GenDsl.Dsl.Export.problems (File.ReadAllText readme)).IsEmpty then
        eprint (sprintf "'%s' has no experiment table (rows like | `experiments/<name>.fsx` | <seed problem> | <what it produces> |): name the project's README with --readme" readme)
        ExitCode.Usage
    else
    match GenDsl.Dsl.ExportRuns.collect folders with
    | Error m -> eprint m; ExitCode.Usage
    | Ok (runs, skipped) ->
    match FigureFiles.findChromium (), Runs.findPlotly None with
    | Error m, _ | _, Error m -> eprint m; ExitCode.Usage
    | Ok chromium, Ok plotly ->
        let fresh = runs |> List.filter (fun r -> r.Exported.IsNone)
        let nFigs = fresh |> List.sumBy (fun r -> r.Figures.Length)
        printfn "exporting %d run(s) (%d exported before, copied as they are), drawing %d figure(s) in headless Chromium ..." runs.Length (runs.Length - fresh.Length) nFigs
        for s in skipped do printfn "  skipped %s" s
        match GenDsl.Dsl.Export.write (File.ReadAllText readme) runs skipped figures page chromium plotly with
        | Error m -> eprint m; ExitCode.RunFailed
        | Ok w ->
            printfn "wrote %s (%d run(s)) and %d figure(s) as PNG and SVG under %s" page w.Runs w.Figures figures
            ExitCode.Ok
