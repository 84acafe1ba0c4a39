/// ListCommand.fs: `gendsl list`: the experiment scripts and each one's runs with their state.
module GenDsl.Cli.ListCommand

open System
open System.IO
open Argu
open GenDsl.Dsl
open GenDsl.Cli.Args
open GenDsl.Cli.Common

/// Each script with its first line, then each of its runs with its state (running, done, failed, interrupted, killed).
let execute (a: ParseResults<ListArgs>) =
    let dir = a.GetResult(ListArgs.Folder, defaultValue = "experiments")
    let root = a.GetResult(ListArgs.Out, defaultValue = "runs")
    if not (Directory.Exists dir) then
        eprint (sprintf "no folder '%s' (run from the repository root, or give the folder)" dir)
        ExitCode.Usage
    elif Directory.GetFiles(dir, "*.fsx").Length = 0 then
        eprint (sprintf "'%s' holds no experiment scripts (*.fsx): list takes a folder of scripts (default experiments/) and shows each one's runs under --out (default runs/), e.g. gendsl list experiments/ --out %s" dir dir)
        ExitCode.Usage
    else
        for f in Directory.GetFiles(dir, "*.fsx") |> Array.sort do
            let name = Path.GetFileNameWithoutExtension f
            let first = File.ReadLines f |> Seq.tryHead |> Option.defaultValue "" |> fun s -> s.TrimStart('/', ' ')
            let runs = Path.Combine(root, name)
            let folders =
                if Directory.Exists runs then Directory.GetDirectories runs |> Array.filter (fun d -> not ((Path.GetFileName d).StartsWith ".")) |> Array.sort
                else [||]
            printfn "%-36s %s  [%d run(s)]" name first folders.Length
            for d in folders do
                printfn "    %-24s %s" (Path.GetFileName d) (RunFolder.stateText (RunFolder.state d))
        ExitCode.Ok
